#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # CT_* are set per test, in its own subshell
# Network modes, end to end (issue 15): --net=nat (the guest reaches a server
# on the stand-in uplink; --port from the uplink side and from the host
# itself; info and show --json; restart keeps the address), two guests
# serving port 80 each, reaching each other and each other's forward through
# the host's address (hairpin, a guest's own forward too), a host port
# forwarded twice refused, starts at the same instant leasing distinct
# addresses (net:claim-chosen; across two workspaces: the lease marks,
# net:before-attach, and the attach's check, net:no-lease-hold), the last
# stop racing a start (net:bridge-last, then stop/start in turn), the same
# across two workspaces (the network namespace's lock: net:bridge-empty,
# net:before-attach, net:lock-short), a leftover record of an older
# droidspaces (its old table name) undone, --net=none
# (only lo, CAP_NET_ADMIN over its own namespace), the iptables path
# (DROIDSPACES_FAULT=net:no-nft), a host filter FORWARD chain with policy
# DROP (Docker's: opened to the guest by tagged rules, removed at stop) and
# an nftables forward chain droidspaces cannot open (one warning line),
# refusals of bad values, and a stock Debian sysvinit guest whose halt downs
# every interface (NETDOWN=yes) in NAT mode, and NAT under Android's policy
# routing (netd's rules emulated in the namespace, the fake Android tree):
# droidspaces' rules route the bridge's traffic and go at the last stop.
#
# Every test runs droidspaces inside a network namespace the test made
# (netns_holder_start: a veth pair stands in for the uplink, its far end
# moved into a second namespace, "outside"), never in the machine's own.
# After the last stop the namespace must be as it was: no bridge, veth,
# nftables or iptables rule, and ip_forward back (net_state).
#
# Tags: fault, stock.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	common_setup
	REL_OWN_PIDS=
}
teardown() {
	kill_own_pids
	ws2_stop
	netns_teardown ds-br0
}

# net_rig: HOLDER (where droidspaces runs, uplink ds-veth0 192.0.2.10/24,
# ip_forward 0) and OUTSIDE (ds-veth1 192.0.2.1/24, an HTTP server on port
# 8000 serving up.txt); net.before is HOLDER's state.
net_rig() {
	HOLDER=$(netns_holder_start) || return 1
	unshare --net -- sleep 1000 </dev/null >/dev/null 2>&1 &
	OUTSIDE=$!
	echo "$OUTSIDE" >>"$DS_TEST_DIR/.hs-pids"
	wait_for 5 in_own_netns "$OUTSIDE" || return 1
	nsenter -t "$HOLDER" -n -- ip link set ds-veth1 netns "$OUTSIDE"
	nsenter -t "$HOLDER" -n -- sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward'
	nsenter -t "$OUTSIDE" -n -- sh -ec '
		ip link set lo up
		ip addr add 192.0.2.1/24 dev ds-veth1
		ip link set ds-veth1 up
	'
	mkdir -p "$DS_TEST_DIR/www"
	echo outside >"$DS_TEST_DIR/www/up.txt"
	nsenter -t "$OUTSIDE" -n -- busybox httpd -f -p 192.0.2.1:8000 -h "$DS_TEST_DIR/www" </dev/null >/dev/null 2>&1 &
	echo $! >>"$DS_TEST_DIR/.hs-pids"
	wait_for 10 nsenter -t "$OUTSIDE" -n -- curl -sf -m 2 http://192.0.2.1:8000/up.txt >/dev/null || return 1
	wait_for 10 nsenter -t "$HOLDER" -n -- curl -sf -m 2 http://192.0.2.1:8000/up.txt >/dev/null || return 1
	net_state "$HOLDER" >"$DS_TEST_DIR/net.before"
	DS_WRAP=(nsenter -t "$HOLDER" -n --)
}

# in_holder CMD...: CMD in the holder's network namespace.
in_holder() { nsenter -t "$HOLDER" -n -- "$@"; }
# from_outside CMD...: CMD on the far side of the uplink.
from_outside() { nsenter -t "$OUTSIDE" -n -- "$@"; }
# serve NAME TEXT: busybox httpd on port 80 in the guest NAME, serving TEXT as /index.html.
serve() {
	in_container "$1" sh -c "mkdir -p /srv && echo $2 >/srv/index.html && busybox httpd -p 80 -h /srv"
}
# guest_get NAME ADDR PORT PATH: the body of http://ADDR:PORT/PATH fetched
# from the guest NAME (busybox nc: the fixture's wget crashes).
guest_get() {
	in_container "$1" sh -c "printf 'GET /$4 HTTP/1.0\r\n\r\n' | busybox nc -w 5 $2 $3" | tail -n 1
}
# guest_addr NAME: the IPv4 address of eth0 in NAME.
guest_addr() { in_container "$1" ip -o -4 addr show dev eth0 | awk '{ sub("/.*", "", $4); print $4 }'; }
# bg_start NAME OPTION...: a start of NAME in the holder, in the background
# (BG_PIDS); its exit status goes to $DS_TEST_DIR/NAME.rc.
bg_start() {
	local name=$1 rc
	shift
	track_container "$name"
	rm -f "$DS_TEST_DIR/$name.rc"
	(
		rc=0
		"${DS_WRAP[@]}" "$DS" --name="$name" "$@" start >"$DS_TEST_DIR/$name.out" 2>"$DS_TEST_DIR/$name.err" \
			</dev/null || rc=$?
		echo "$rc" >"$DS_TEST_DIR/$name.rc"
	) 3>&- &
	BG_PIDS+=("$!")
}
# bg_ok NAME: the start of bg_start ended well (after wait_bg).
bg_ok() {
	[[ $(cat "$DS_TEST_DIR/$1.rc") == 0 ]] || {
		echo "start of $1: exit $(cat "$DS_TEST_DIR/$1.rc"): $(cat "$DS_TEST_DIR/$1.out" "$DS_TEST_DIR/$1.err")" >&2
		return 1
	}
}
# net_lock_waiter: a process waits for the workspace's network lock (/proc/locks).
net_lock_waiter() {
	local ino
	ino=$(stat -c %i "$DROIDSPACES_WORKSPACE/Net/+lock") || return 1
	grep -qE -- "-> FLOCK +ADVISORY +WRITE +[0-9]+ +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks
}
# waits_or_done NAME: the start of NAME (bg_start) waits for the network
# lock, or has ended (as it does when nothing makes it wait).
waits_or_done() { [[ -e $DS_TEST_DIR/$1.rc ]] || net_lock_waiter; }
# reaches_uplink NAME: NAME's guest fetches the page beyond the uplink.
reaches_uplink() { [ "$(guest_get "$1" 192.0.2.1 8000 up.txt)" = outside ]; }
# on_bridge NAME: the host end of NAME's veth pair is on ds-br0.
on_bridge() {
	local pid peer
	pid=$(ds_pid "$1") || return 1
	# "2: eth0@if7: ..." (sysfs would show the namespace that mounted it, not ours)
	peer=$(nsenter -t "$pid" -n -- ip -o link show dev eth0 | sed -nE 's/^[0-9]+: eth0@if([0-9]+):.*/\1/p')
	[[ -n $peer ]] && in_holder ip -o link show master ds-br0 | grep -q "^$peer: "
}
# bg_stop NAME: a stop of NAME in the background (BG_PIDS); bg_ok NAME.stop after wait_bg.
bg_stop() {
	local rc
	rm -f "$DS_TEST_DIR/$1.stop.rc"
	(
		rc=0
		"$DS" --name="$1" stop >"$DS_TEST_DIR/$1.stop.out" 2>"$DS_TEST_DIR/$1.stop.err" </dev/null || rc=$?
		echo "$rc" >"$DS_TEST_DIR/$1.stop.rc"
	) 3>&- &
	BG_PIDS+=("$!")
}
# resume_started MON STOPPER NAME: the monitor MON, stopped at a fault point
# of its last stop, goes on; that stop (STOPPER, its output in stop.out) and
# the start of NAME (bg_start) end well; NAME's guest is on ds-br0 and
# reaches the uplink.
resume_started() {
	kill -CONT "$1"
	wait "$2" || {
		echo "the stop failed: $(cat "$DS_TEST_DIR/stop.out")" >&2
		return 1
	}
	wait_bg
	bg_ok "$3"
	wait_for 30 guest_booted "$3"
	on_bridge "$3"
	reaches_uplink "$3"
}
# l3_bridge: the holder's bridges hand no frame to the IP hooks (the
# net.bridge.bridge-nf-call-* sysctls of its namespace at 0, as on a host
# without br_netfilter): a forward from one guest to another then works only
# through the hairpin masquerade (with br_netfilter the bridged reply passes
# conntrack and is translated back without it).
l3_bridge() {
	local f
	for f in iptables ip6tables arptables; do
		f=/proc/sys/net/bridge/bridge-nf-call-$f
		in_holder sh -c "[ ! -e $f ] || echo 0 >$f"
	done
}
# net_back: the holder's namespace is as it was before the first start.
net_back() {
	net_state "$HOLDER" >"$DS_TEST_DIR/net.after"
	diff -u "$DS_TEST_DIR/net.before" "$DS_TEST_DIR/net.after"
}

@test "nat: the guest reaches the uplink; --port from outside and from the host; info, show --json; restart keeps the address" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl jq
	local root addr addr2 json
	root=$(fixture_copy busybox)
	net_rig
	st_start web -r "$root" --net=nat --port=8080:80
	wait_for 30 booted "$CT_PID"
	[[ $(netns_of "$CT_PID") != "$(netns_of "$HOLDER")" ]]
	# eth0 configured before init ran: address, default route via the bridge, MTU
	addr=$(guest_addr web)
	[[ $addr == 10.87.0.* ]]
	in_container web ip route | grep -q '^default via 10.87.0.1 dev eth0'
	in_container web cat /sys/class/net/eth0/mtu | grep -qx 1500
	in_holder ip -o link show ds-br0 | grep -q UP
	[ "$(in_holder cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	# out through the masquerade to the server beyond the uplink
	[ "$(guest_get web 192.0.2.1 8000 up.txt)" = outside ]
	# in through the forward: from the uplink side, and from the host itself
	serve web inside
	wait_for 10 from_outside curl -sf -m 2 http://192.0.2.10:8080/index.html
	[ "$(from_outside curl -sf -m 2 http://192.0.2.10:8080/index.html)" = inside ]
	[ "$(in_holder curl -sf -m 2 http://127.0.0.1:8080/index.html)" = inside ]
	[ "$(in_holder curl -sf -m 2 http://192.0.2.10:8080/index.html)" = inside ]
	# info and show --json report the mode, the address and the forward
	ds_run --name=web info
	[[ $output == *"Network:     nat $addr (ports 8080:80/tcp)"* ]]
	ds_run show --json
	json=$(jq -c '.containers[] | select(.name == "web") | .network' <<<"$output")
	[ "$json" = "{\"mode\":\"nat\",\"address\":\"$addr\",\"ports\":[\"8080:80/tcp\"]}" ]
	grep -qx "net_address=$addr" "$DROIDSPACES_WORKSPACE/Containers/web/container.config"
	# restart keeps the address (and the forward)
	run_ds_err --name=web restart
	[ "$status" = 0 ]
	CT_PID=$(ds_pid web)
	wait_for 30 booted "$CT_PID"
	addr2=$(guest_addr web)
	[ "$addr2" = "$addr" ]
	serve web again
	wait_for 10 from_outside curl -sf -m 2 http://192.0.2.10:8080/index.html
	[ "$(from_outside curl -sf -m 2 http://192.0.2.10:8080/index.html)" = again ]
	st_stop web
	net_back
}

@test "nat: two guests serve port 80 each; a host port forwarded twice is refused naming its container" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local root1 root2 a1 a2
	root1=$(fixture_copy busybox)
	root2=$(fixture_copy busybox)
	net_rig
	l3_bridge
	st_start one -r "$root1" --net=nat --port=8081:80
	st_start two -r "$root2" --net=nat --port=8082:80
	wait_for 30 guest_booted one
	wait_for 30 guest_booted two
	a1=$(guest_addr one)
	a2=$(guest_addr two)
	[[ -n $a1 && -n $a2 && $a1 != "$a2" ]]
	serve one first
	serve two second
	wait_for 10 from_outside curl -sf -m 2 http://192.0.2.10:8081/index.html
	wait_for 10 from_outside curl -sf -m 2 http://192.0.2.10:8082/index.html
	[ "$(from_outside curl -sf -m 2 http://192.0.2.10:8081/index.html)" = first ]
	[ "$(from_outside curl -sf -m 2 http://192.0.2.10:8082/index.html)" = second ]
	# the guests reach each other across the bridge
	[ "$(guest_get one "$a2" 80 index.html)" = second ]
	[ "$(guest_get two "$a1" 80 index.html)" = first ]
	# hairpin: a guest reaches another's forward through the host's uplink address
	[ "$(guest_get one 192.0.2.10 8082 index.html)" = second ]
	[ "$(guest_get two 192.0.2.10 8081 index.html)" = first ]
	# ... and its own, through the uplink's address and through the bridge's
	[ "$(guest_get one 192.0.2.10 8081 index.html)" = first ]
	[ "$(guest_get two 10.87.0.1 8082 index.html)" = second ]
	st_refused "already forwarded to container one" --name=three -r "$root2" --net=nat --port=8081:80
	# the first to stop leaves the bridge to the other
	st_stop one
	in_holder ip -o link show ds-br0 | grep -q UP
	[ "$(from_outside curl -sf -m 2 http://192.0.2.10:8082/index.html)" = second ]
	refute from_outside curl -sf -m 2 http://192.0.2.10:8081/index.html
	st_stop two
	net_back
}

# One name in both workspaces would share the cgroup droidspaces/NAME (the
# stop of one kills the other): two names here.
@test "nat: two workspaces in one namespace: distinct addresses, a port of the other refused; the first workspace's stop leaves the bridge, ip_forward and the other's guest reaching the uplink" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local r1 r2 a1 a2 mac
	r1=$(fixture_copy busybox)
	r2=$(fixture_copy busybox)
	net_rig
	st_start web -r "$r1" --net=nat --port=8083:80
	wait_for 30 guest_booted web
	ws2 st_start web2 -r "$r2" --net=nat --port=8084:80
	ws2 wait_for 30 guest_booted web2
	a1=$(guest_addr web)
	a2=$(ws2 guest_addr web2)
	echo "addresses: $a1 $a2"
	[[ -n $a1 && -n $a2 && $a1 != "$a2" ]]
	# a host port the other workspace forwards is refused naming its container
	st_refused "already forwarded to container web2" --name=other -r "$r1" --net=nat --port=8084:80
	[ "$(in_holder ip -o link show master ds-br0 | wc -l)" = 2 ]
	reaches_uplink web
	ws2 reaches_uplink web2
	# the first workspace's last stop: the bridge, ip_forward and the other's rules stay; the bridge
	# keeps its address (a bridge left to take its lowest port's would change it now, and the other
	# guest's ARP entry for its gateway would go stale)
	mac=$(in_holder ip -br link show ds-br0 | awk '{print $3}')
	st_stop web
	[ "$(in_holder ip -br link show ds-br0 | awk '{print $3}')" = "$mac" ]
	in_holder ip -o link show ds-br0 | grep -q UP
	[ "$(in_holder cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	ws2 reaches_uplink web2
	ws2 serve web2 second
	wait_for 10 from_outside curl -sf -m 2 http://192.0.2.10:8084/index.html
	[ "$(from_outside curl -sf -m 2 http://192.0.2.10:8084/index.html)" = second ]
	# the other workspace's stop takes the bridge and puts ip_forward back
	ws2 st_stop web2
	net_back
}

# held_start NAME OPTION...: bg_start NAME in the holder, its monitor stopped
# by net:before-attach (claimed, its rules made, no veth yet): HELD_MON.
held_start() {
	local DS_WRAP=(env DROIDSPACES_FAULT=net:before-attach nsenter -t "$HOLDER" -n --)
	bg_start "$@"
	wait_for 30 stopped_monitor || return 1
	HELD_MON=$(stopped_monitor)
	own_pid "$HELD_MON"
}

# A claim sees its own workspace's records and the bridge's ports: a start
# of another workspace held between its claim and its veth (net:before-attach)
# shows neither. Its lease marks (abstract names) keep the address and the
# port; a claim without them (net:no-lease-hold, as an older droidspaces) is
# caught at attach, under the namespace's lock, with one line.
# bats test_tags=fault
@test "nat: two workspaces' starts at once: one held after its claim (net:before-attach) keeps its address and port from the other's claim; a claim without lease marks (net:no-lease-hold) is refused at attach with one line" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local r1 r2 r3 a1 a2 a3
	r1=$(fixture_copy busybox)
	r2=$(fixture_copy busybox)
	r3=$(fixture_copy busybox)
	net_rig
	held_start a -r "$r1" --net=nat --port=8087:80
	[ -z "$(in_holder ip -o link show master ds-br0 2>/dev/null)" ]
	# the other workspace's claim: a's port refused, a's address not leased again
	ws2 st_refused "--port 8087:80/tcp: host port 8087/tcp is already forwarded to a container starting in another workspace" \
		--name=b -r "$r2" --net=nat --port=8087:80
	ws2 st_start b -r "$r2" --net=nat --port=8088:80
	ws2 wait_for 30 guest_booted b
	kill -CONT "$HELD_MON"
	wait_bg
	bg_ok a
	wait_for 30 guest_booted a
	a1=$(guest_addr a)
	a2=$(ws2 guest_addr b)
	echo "addresses: $a1 $a2"
	[[ -n $a1 && -n $a2 && $a1 != "$a2" ]]
	reaches_uplink a
	ws2 reaches_uplink b
	ws2 st_stop b
	# (b's saved address would keep d off it, as it keeps any claim of that workspace)
	ws2 run_ds_err --name=b remove
	[ "$status" = 0 ]
	# c held before its veth; d (no lease marks) leases c's address and boots first: c is refused
	held_start c -r "$r2" --net=nat
	DS_WRAP=(env DROIDSPACES_FAULT=net:no-lease-hold nsenter -t "$HOLDER" -n --)
	ws2 st_start d -r "$r3" --net=nat
	DS_WRAP=(nsenter -t "$HOLDER" -n --)
	ws2 wait_for 30 guest_booted d
	a3=$(ws2 guest_addr d)
	kill -CONT "$HELD_MON"
	wait_bg
	[[ $(cat "$DS_TEST_DIR/c.rc") != 0 ]]
	[ "$(cat "$DS_TEST_DIR/c.err")" = "droidspaces: --net=nat: address $a3 is already in use on ds-br0 by container d; start again to lease another" ]
	[ ! -e "$DROIDSPACES_WORKSPACE/Net/c" ]
	# the next start leases another
	st_start c -r "$r2" --net=nat
	wait_for 30 guest_booted c
	[ "$(guest_addr c)" != "$a3" ]
	reaches_uplink c
	ws2 reaches_uplink d
	st_stop c
	ws2 st_stop d
	st_stop a
	net_back
}

@test "nat: a ds-br0 without an address (flushed, or left by a failed start) gets its address again" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local root
	root=$(fixture_copy busybox)
	net_rig
	in_holder ip link add ds-br0 type bridge
	st_start web -r "$root" --net=nat
	wait_for 30 guest_booted web
	in_holder ip -o -4 addr show dev ds-br0 | grep -q ' 10\.87\.0\.1/24 '
	reaches_uplink web
	st_stop web
	net_back
}

@test "nat: a firewall tool that never answers is killed (its signals as a fresh process's); the start goes on with iptables" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl iptables-save nft
	local root fake t0
	root=$(fixture_copy busybox)
	net_rig
	fake=$DS_TEST_DIR/fakebin
	mkdir -p "$fake"
	# nft -f (the table) hangs after noting its blocked and ignored signals; the rest is the real nft
	cat >"$fake/nft" <<-EOF
		#!/bin/sh
		if [ "\$1" = -f ]; then
			grep -E '^Sig(Blk|Ign):' /proc/\$\$/status >"$DS_TEST_DIR/nft.sig"
			exec sleep 1000
		fi
		exec $(command -v nft) "\$@"
	EOF
	chmod +x "$fake/nft"
	DS_WRAP=(env PATH="$fake:$PATH" nsenter -t "$HOLDER" -n --)
	t0=$SECONDS
	bg_start web -r "$root" --net=nat
	wait_for 60 test -e "$DS_TEST_DIR/web.rc"
	bg_ok web
	echo "start took $((SECONDS - t0)) s"
	cat "$DS_TEST_DIR/nft.sig"
	grep -qx 'SigBlk:[[:space:]]*0*' "$DS_TEST_DIR/nft.sig"
	# SIGPIPE (13) is not ignored: bit 12 of the mask
	(((0x$(sed -n 's/^SigIgn:[[:space:]]*//p' "$DS_TEST_DIR/nft.sig") & 0x1000) == 0))
	in_holder iptables-save -t nat | grep -q -- 'ds:[0-9a-f]\{8\}:web.* -j MASQUERADE'
	wait_for 30 guest_booted web
	reaches_uplink web
	st_stop web
	net_back
}

@test "nat: another container's saved settings that cannot be read fail the claim, naming the file" {
	require_fixture busybox
	require_cmd unshare nsenter ip
	local root
	root=$(fixture_copy busybox)
	net_rig
	mkdir -p "$DROIDSPACES_WORKSPACE/Containers/broken"
	printf 'net=nat\nnot a setting\n' >"$DROIDSPACES_WORKSPACE/Containers/broken/container.config"
	st_refused "cannot tell container broken's address and ports from $DROIDSPACES_WORKSPACE/Containers/broken/container.config" \
		--name=web -r "$root" --net=nat
	rm -r "$DROIDSPACES_WORKSPACE/Containers/broken"
	net_back
}

# bats test_tags=fault
@test "nat: starts at the same instant lease distinct addresses: one held with its address chosen (net:claim-chosen) holds the other at the lock; four more at once; all reach the uplink" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local roots=() cli n addrs
	for n in 0 1 2 3 4 5; do roots+=("$(fixture_copy busybox)"); done
	net_rig
	# a: stopped by the fault point with its address chosen, not yet recorded
	track_container a
	DROIDSPACES_FAULT=net:claim-chosen "${DS_WRAP[@]}" "$DS" --name=a -r "${roots[0]}" --net=nat start \
		>"$DS_TEST_DIR/a.out" 2>"$DS_TEST_DIR/a.err" </dev/null 3>&- &
	cli=$!
	own_pid "$cli"
	wait_for 20 is_stopped "$cli"
	# b: must wait for a's record (without the lock it would lease a's address now)
	bg_start b -r "${roots[1]}" --net=nat
	wait_for 20 waits_or_done b
	kill -CONT "$cli"
	wait "$cli" || {
		echo "start of a failed: $(cat "$DS_TEST_DIR/a.out" "$DS_TEST_DIR/a.err")" >&2
		return 1
	}
	wait_bg
	bg_ok b
	# four more at once
	for n in 2 3 4 5; do bg_start "c$n" -r "${roots[$n]}" --net=nat; done
	wait_bg
	for n in 2 3 4 5; do bg_ok "c$n"; done
	for n in a b c2 c3 c4 c5; do wait_for 30 guest_booted "$n"; done
	addrs=$(for n in a b c2 c3 c4 c5; do guest_addr "$n"; done)
	echo "addresses: $addrs"
	[ "$(sort -u <<<"$addrs" | grep -c '^10\.87\.0\.')" -eq 6 ]
	for n in a b c2 c3 c4 c5; do reaches_uplink "$n"; done
	for n in a b c2 c3 c4 c5; do st_stop "$n"; done
	net_back
}

# bats test_tags=fault
@test "nat: the last stop racing a start: the bridge is removed before (net:bridge-last holds the start at the lock) or kept; start/stop in turn, the started guest always reaches the uplink" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local r1 r2 mon stopper i up down
	r1=$(fixture_copy busybox)
	r2=$(fixture_copy busybox)
	net_rig
	# a's monitor stops itself once its cleanup decided to remove the bridge
	DS_WRAP=(env DROIDSPACES_FAULT=net:bridge-last nsenter -t "$HOLDER" -n --)
	st_start a -r "$r1" --net=nat
	DS_WRAP=(nsenter -t "$HOLDER" -n --)
	wait_for 30 guest_booted a
	"$DS" --name=a stop >"$DS_TEST_DIR/stop.out" 2>&1 </dev/null 3>&- &
	stopper=$!
	own_pid "$stopper"
	wait_for 30 stopped_monitor
	mon=$(stopped_monitor)
	own_pid "$mon"
	# b starts meanwhile: it must not find a bridge that is about to go
	bg_start b -r "$r2" --net=nat
	wait_for 20 waits_or_done b
	resume_started "$mon" "$stopper" b
	# in turn: one stops while the other starts, the started one always connected
	up=a
	down=b
	for i in 1 2 3; do
		bg_stop "$down"
		if [[ $up == a ]]; then bg_start a -r "$r1" --net=nat; else bg_start b -r "$r2" --net=nat; fi
		wait_bg
		bg_ok "$down.stop"
		bg_ok "$up"
		wait_for 30 guest_booted "$up"
		on_bridge "$up"
		reaches_uplink "$up"
		echo "round $i: $up up, $down down"
		if [[ $up == a ]]; then up=b down=a; else up=a down=b; fi
	done
	st_stop "$down"
	net_back
}

# lock_wait_or_done NAME: the start of NAME (bg_start) has ended, or its
# monitor, in ds_nat_host_up (its record no longer a claim), naps in
# poll(NULL, 0, ms) waiting for the network namespace's lock (x86_64's
# poll is syscall 7).
lock_wait_or_done() {
	local p
	[[ -e $DS_TEST_DIR/$1.rc ]] && return 0
	[[ $(head -n 1 "$DROIDSPACES_WORKSPACE/Net/$1" 2>/dev/null) == @(nft|iptables) ]] || return 1
	for p in $(name_monitors "$1"); do
		[[ $(cat "/proc/$p/syscall" 2>/dev/null) == "7 0x0 0x0 "* ]] && return 0
	done
	return 1
}

# The bridge is the namespace's, its lock too: a workspace's lock alone let
# a start in one workspace put its veth on a ds-br0 that the other's last stop
# had just found without a port and was removing.
# bats test_tags=fault
@test "nat: two workspaces: a start waits while the other's last stop holds the namespace's lock between ds-br0's look (no port) and its removal (net:bridge-empty), or fails after the deadline with one line; a start held before its veth (net:before-attach) brings the bridge back after the other's last stop; the guests reach the uplink" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local r1 r2 mon stopper
	r1=$(fixture_copy busybox)
	r2=$(fixture_copy busybox)
	net_rig
	# the other workspace's last stop stops itself with ds-br0 found without a port, under the lock
	DS_WRAP=(env DROIDSPACES_FAULT=net:bridge-empty nsenter -t "$HOLDER" -n --)
	ws2 st_start b -r "$r2" --net=nat
	DS_WRAP=(nsenter -t "$HOLDER" -n --)
	ws2 wait_for 30 guest_booted b
	ws2 "$DS" --name=b stop >"$DS_TEST_DIR/stop.out" 2>&1 </dev/null 3>&- &
	stopper=$!
	own_pid "$stopper"
	ws2 wait_for 30 stopped_monitor
	mon=$(ws2 stopped_monitor)
	own_pid "$mon"
	# past its deadline (1 s under net:lock-short) a start fails with one line naming the lock
	DS_WRAP=(env DROIDSPACES_FAULT=net:lock-short nsenter -t "$HOLDER" -n --)
	st_refused "the network lock @droidspaces-net-ds-br0 of this network namespace is held for more than 1 s" \
		--name=late -r "$r1" --net=nat
	DS_WRAP=(nsenter -t "$HOLDER" -n --)
	[ ! -e "$DROIDSPACES_WORKSPACE/Net/late" ]
	# a start here waits for it (without the lock it would put its veth on the bridge about to go)
	bg_start a -r "$r1" --net=nat
	wait_for 20 lock_wait_or_done a
	[[ ! -e $DS_TEST_DIR/a.rc ]]
	resume_started "$mon" "$stopper" a
	[ "$(in_holder cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	# a start of the other workspace stops itself before its veth; this workspace's last stop takes the bridge
	DS_WRAP=(env DROIDSPACES_FAULT=net:before-attach nsenter -t "$HOLDER" -n --)
	ws2 bg_start c -r "$r2" --net=nat
	DS_WRAP=(nsenter -t "$HOLDER" -n --)
	ws2 wait_for 30 stopped_monitor
	mon=$(ws2 stopped_monitor)
	own_pid "$mon"
	st_stop a
	[ -z "$(in_holder ip -o link show ds-br0 2>/dev/null)" ]
	[ "$(in_holder cat /proc/sys/net/ipv4/ip_forward)" = 0 ]
	# ... and the start brings it (and ip_forward) back for its veth
	kill -CONT "$mon"
	wait_bg
	bg_ok c
	ws2 wait_for 30 guest_booted c
	ws2 on_bridge c
	ws2 reaches_uplink c
	[ "$(in_holder cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	ws2 st_stop c
	net_back
}

# A record of a droidspaces from before the workspace's tag in the host's
# names stands for the table droidspaces-NAME (hand-made here, as its crashed
# run would have left it).
@test "nat: a leftover record of an older droidspaces is undone by the next start of its name: its table droidspaces-NAME, not one of that name with another address; a file with no namespace line is replaced" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl nft
	local r1 ns
	r1=$(fixture_copy busybox)
	net_rig
	ns=$(in_holder stat -L -c 'netns %d:%i' /proc/self/ns/net)
	mkdir -p "$DROIDSPACES_WORKSPACE/Net"
	printf 'nft\n%s\nlease 10.87.0.9/24\n' "$ns" >"$DROIDSPACES_WORKSPACE/Net/old"
	printf 'nft\n%s\nlease 10.87.0.8/24\n' "$ns" >"$DROIDSPACES_WORKSPACE/Net/keep"
	in_holder nft -f - <<-'EOF'
		table ip droidspaces-old { chain postrouting { type nat hook postrouting priority 100; policy accept; ip saddr 10.87.0.9 oifname != "ds-br0" masquerade; }; }
		table ip droidspaces-keep { chain postrouting { type nat hook postrouting priority 100; policy accept; ip saddr 10.87.0.7 oifname != "ds-br0" masquerade; }; }
	EOF
	st_start old -r "$r1" --net=nat
	[ -z "$(in_holder nft list tables | grep -x 'table ip droidspaces-old')" ]
	reaches_uplink old
	st_stop old
	# the table of that name serves another address: not the record's
	st_start keep -r "$r1" --net=nat
	in_holder nft list table ip droidspaces-keep >/dev/null
	st_stop keep
	in_holder nft list table ip droidspaces-keep >/dev/null
	in_holder nft delete table ip droidspaces-keep
	# the first NAT droidspaces wrote no namespace line: replaced by the start's record
	printf 'nft\n' >"$DROIDSPACES_WORKSPACE/Net/first"
	st_start first -r "$r1" --net=nat
	[ "$(head -n 1 "$DROIDSPACES_WORKSPACE/Net/first")" = nft ]
	reaches_uplink first
	st_stop first
	net_back
}

@test "none: only lo, CAP_NET_ADMIN over its own namespace, nothing of the host's links" {
	require_fixture busybox
	require_cmd unshare nsenter ip
	local root
	root=$(fixture_copy busybox)
	net_rig
	st_start lonely -r "$root" --net=none
	wait_for 30 booted "$CT_PID"
	[ "$(in_container lonely ip -o link show | awk -F': ' '{ print $2 }')" = lo ]
	in_container lonely ip -o link show lo | grep -q 'UP'
	cap_set "$(capbnd_of "$CT_PID")" $CAP_NET_ADMIN
	# its own ip commands act on its own namespace only
	in_container lonely ip link add dstest type bridge
	in_container lonely ip link set lo down
	refute in_holder ip link show dstest
	[ -z "$(guest_get lonely 192.0.2.1 8000 up.txt)" ]
	ds_run --name=lonely info
	[[ $output == *"Network:     none"* ]]
	st_stop lonely
	net_back
}

# bats test_tags=fault
@test "nat: iptables where nft does not run (DROIDSPACES_FAULT=net:no-nft): tagged rules, all removed at stop" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl iptables-save
	local root root2
	root=$(fixture_copy busybox)
	root2=$(fixture_copy busybox)
	net_rig
	l3_bridge
	DS_WRAP=(env DROIDSPACES_FAULT=net:no-nft nsenter -t "$HOLDER" -n --)
	st_start ipt -r "$root" --net=nat --port=8090:80
	wait_for 30 booted "$CT_PID"
	in_holder iptables-save -t nat | grep -q -- '--comment "\?ds:[0-9a-f]\{8\}:ipt"\? -j MASQUERADE'
	in_holder iptables-save -t nat | grep -q -- '--dport 8090 .*ds:[0-9a-f]\{8\}:ipt.* -j DNAT'
	refute in_holder sh -c 'nft list tables | grep -q droidspaces'
	[ "$(guest_get ipt 192.0.2.1 8000 up.txt)" = outside ]
	serve ipt legacy
	wait_for 10 from_outside curl -sf -m 2 http://192.0.2.10:8090/index.html
	[ "$(in_holder curl -sf -m 2 http://127.0.0.1:8090/index.html)" = legacy ]
	# hairpin: another guest reaches the forward through the host's uplink address
	st_start ipt2 -r "$root2" --net=nat
	wait_for 30 guest_booted ipt2
	[ "$(guest_get ipt2 192.0.2.10 8090 index.html)" = legacy ]
	# ... and the guest its own forward, through the uplink's address and through the bridge's
	[ "$(guest_get ipt 192.0.2.10 8090 index.html)" = legacy ]
	[ "$(guest_get ipt 10.87.0.1 8090 index.html)" = legacy ]
	in_holder iptables-save -t nat | grep -q -- '--ctstate DNAT .*ds:[0-9a-f]\{8\}:ipt2.* -j MASQUERADE'
	st_stop ipt2
	st_stop ipt
	net_back
}

# forward_drop: the holder's filter FORWARD chain as Docker and many
# firewalls leave it (policy DROP; a closing DROP rule would count the
# packets it drops, and net_state would differ), taken into net.before.
forward_drop() {
	in_holder iptables -P FORWARD DROP
	net_state "$HOLDER" >"$DS_TEST_DIR/net.before"
}
# tagged_forward NAME: the holder's filter FORWARD chain has a rule tagged ds:WS:NAME.
tagged_forward() { in_holder iptables -S FORWARD | grep -q -- "ds:[0-9a-f]\{8\}:$1"; }

@test "nat: under a filter FORWARD chain with policy DROP (Docker's): out to the uplink and --port from outside work, the guest's address is not reached directly; the stop (after a dead monitor, then the monitor's) leaves the policy and no tagged rule (nft, then iptables)" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl iptables
	local root mode addr
	root=$(fixture_copy busybox)
	net_rig
	forward_drop
	# a route to the guests' network beyond the uplink: only the forward may reach them
	from_outside ip route add 10.87.0.0/16 via 192.0.2.10
	for mode in nft iptables; do
		DS_WRAP=(nsenter -t "$HOLDER" -n --)
		[[ $mode == iptables ]] && DS_WRAP=(env DROIDSPACES_FAULT=net:no-nft "${DS_WRAP[@]}")
		st_start fwd -r "$root" --net=nat --port=8085:80
		[ -z "$stderr" ]
		wait_for 30 guest_booted fwd
		tagged_forward fwd
		reaches_uplink fwd
		serve fwd "$mode"
		wait_for 10 from_outside curl -sf -m 2 http://192.0.2.10:8085/index.html
		[ "$(from_outside curl -sf -m 2 http://192.0.2.10:8085/index.html)" = "$mode" ]
		addr=$(guest_addr fwd)
		refute from_outside curl -sf -m 2 "http://$addr:80/index.html"
		if [[ $mode == nft ]]; then
			# a dead monitor: the stop (in the holder) undoes what the record lists
			kill -KILL "$(name_monitors fwd)"
			run_ds_err --name=fwd stop
			[ "$status" = 0 ]
		else
			st_stop fwd
		fi
		in_holder iptables -S FORWARD | grep -qx -- '-P FORWARD DROP'
		refute tagged_forward fwd
		net_back
	done
}

# forward_rules: the holder's filter FORWARD rules, "-A FORWARD ..." lines in order.
forward_rules() { in_holder iptables -S FORWARD | grep '^-A FORWARD '; }

# The host's own rules keep their place ahead of the guest's: a firewall's restrictions (Docker's
# DOCKER-USER, libvirt's rejects) still see its traffic. Those rules count packets, so they are
# taken out again before the namespace is compared.
@test "nat: the guest's FORWARD rules go in just ahead of a closing REJECT (a comment no condition), or after the host's own rules under policy DROP; never at the head, nor ahead of a conditional DROP, which alone leaves the chain open" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl iptables
	local root rules
	root=$(fixture_copy busybox)
	net_rig
	# the filter table as iptables makes it, taken into net.before; the rules below are not
	in_holder iptables -P FORWARD ACCEPT
	net_state "$HOLDER" >"$DS_TEST_DIR/net.before"
	in_holder iptables -A FORWARD -s 10.99.0.0/16 -j ACCEPT
	in_holder iptables -A FORWARD -j REJECT
	st_start fwr -r "$root" --net=nat --port=8086:80
	wait_for 30 guest_booted fwr
	reaches_uplink fwr
	rules=$(forward_rules)
	echo "$rules"
	[ "$(sed -n 1p <<<"$rules")" = "-A FORWARD -s 10.99.0.0/16 -j ACCEPT" ]
	[[ $(tail -n 1 <<<"$rules") == "-A FORWARD -j REJECT"* ]]
	[ "$(grep -c 'ds:[0-9a-f]\{8\}:fwr"' <<<"$rules")" = 3 ]
	st_stop fwr
	[ "$(forward_rules | wc -l)" = 2 ]
	in_holder iptables -D FORWARD -j REJECT
	# policy DROP with a chain of the host's own jumped to first (Docker's DOCKER-USER): after it
	in_holder iptables -P FORWARD DROP
	in_holder iptables -N DS-TEST-USER
	in_holder iptables -A FORWARD -j DS-TEST-USER
	st_start fwr -r "$root" --net=nat --port=8086:80
	wait_for 30 guest_booted fwr
	reaches_uplink fwr
	rules=$(forward_rules)
	echo "$rules"
	[ "$(sed -n 2p <<<"$rules")" = "-A FORWARD -j DS-TEST-USER" ]
	[ "$(sed -n '3,$p' <<<"$rules" | grep -c 'ds:[0-9a-f]\{8\}:fwr"')" = 3 ]
	st_stop fwr
	[ "$(forward_rules | wc -l)" = 2 ]
	in_holder iptables -D FORWARD -j DS-TEST-USER
	in_holder iptables -X DS-TEST-USER
	in_holder iptables -D FORWARD -s 10.99.0.0/16 -j ACCEPT
	in_holder iptables -P FORWARD ACCEPT
	# a drop with a condition keeps its place ahead of the guest's rules; a comment is no condition
	in_holder iptables -A FORWARD -i ds-nowhere -j DROP
	in_holder iptables -A FORWARD -m comment --comment "close it" -j REJECT
	st_start fwr -r "$root" --net=nat --port=8086:80
	wait_for 30 guest_booted fwr
	reaches_uplink fwr
	rules=$(forward_rules)
	echo "$rules"
	[[ $(sed -n 1p <<<"$rules") == "-A FORWARD -i ds-nowhere -j DROP"* ]]
	[ "$(sed -n '2,4p' <<<"$rules" | grep -c 'ds:[0-9a-f]\{8\}:fwr"')" = 3 ]
	[[ $(tail -n 1 <<<"$rules") == *'"close it" -j REJECT'* ]]
	st_stop fwr
	# ... and a chain that it ends is open: no rule of the guest's
	in_holder iptables -D FORWARD -m comment --comment "close it" -j REJECT
	st_start fwr -r "$root" --net=nat --port=8086:80
	wait_for 30 guest_booted fwr
	reaches_uplink fwr
	[ "$(forward_rules)" = "-A FORWARD -i ds-nowhere -j DROP" ]
	st_stop fwr
	in_holder iptables -D FORWARD -i ds-nowhere -j DROP
	net_back
}

@test "nat: an nftables forward chain with policy drop that droidspaces cannot open is named in one warning line at start" {
	require_fixture busybox
	require_cmd unshare nsenter ip nft iptables
	local root fake
	root=$(fixture_copy busybox)
	net_rig
	# a native nftables firewall: iptables rules in ip filter FORWARD would not pass its drop
	in_holder nft add table inet fw
	in_holder nft 'add chain inet fw forward { type filter hook forward priority 0; policy drop; }'
	net_state "$HOLDER" >"$DS_TEST_DIR/net.before"
	st_start warned -r "$root" --net=nat
	echo "$stderr"
	[[ $stderr == "droidspaces: warning: nftables chain 'inet fw forward' drops forwarded packets"* ]]
	[[ $stderr != *$'\n'* && $stderr == *'iifname "ds-br0" accept'* ]]
	wait_for 30 guest_booted warned
	refute reaches_uplink warned
	st_stop warned
	net_back
	# iptables-nft's ip filter FORWARD with policy drop and no iptables binary to open it
	in_holder nft delete table inet fw
	in_holder iptables -P FORWARD DROP
	net_state "$HOLDER" >"$DS_TEST_DIR/net.before"
	fake=$DS_TEST_DIR/fakebin
	mkdir -p "$fake"
	ln -s "$(command -v nft)" "$fake/nft"
	DS_WRAP=(env PATH="$fake:/usr/bin:/bin" nsenter -t "$HOLDER" -n --)
	st_start warned -r "$root" --net=nat
	echo "$stderr"
	[[ $stderr == "droidspaces: warning: nftables chain 'ip filter FORWARD' drops forwarded packets"* ]]
	st_stop warned
	net_back
}

@test "net: bad values are refused with one line, nothing changed" {
	require_fixture busybox
	require_cmd unshare nsenter ip
	local root
	root=$(fixture_copy busybox)
	net_rig
	st_refused "--net: invalid value 'bridge'" --name=bad -r "$root" --net=bridge
	st_refused "--subnet: invalid value '10.87.0.1/24'" --name=bad -r "$root" --net=nat --subnet=10.87.0.1/24
	st_refused "--port: invalid value '80'" --name=bad -r "$root" --net=nat --port=80
	st_refused "--port: invalid value '8080:80/sctp'" --name=bad -r "$root" --net=nat --port=8080:80/sctp
	st_refused "--port needs --net=nat" --name=bad -r "$root" --port=8080:80
	st_refused "--subnet needs --net=nat" --name=bad -r "$root" --net=none --subnet=10.99.0.0/24
	# a subnet over a host route (the holder's 192.0.2.0/24)
	st_refused "overlaps the host's route to 192.0.2.0/24" --name=bad -r "$root" --net=nat --subnet=192.0.2.0/25
	net_back
}

# bats test_tags=stock
@test "nat: a stock Debian sysvinit guest halting with NETDOWN=yes downs its own links, not the uplink" {
	require_fixture debian-openrc-stock
	require_cmd unshare nsenter ip
	local root log
	root=$(fixture_copy debian-openrc-stock)
	grep -qx NETDOWN=yes "$root/etc/default/halt"
	net_rig
	st_start stock -r "$root" --net=nat
	[[ $(netns_of "$CT_PID") != "$(netns_of "$HOLDER")" ]]
	cap_set "$(capbnd_of "$CT_PID")" $CAP_NET_ADMIN
	wait_for 90 booted "$CT_PID"
	in_container stock ip -o -4 addr show dev eth0 | grep -q 'inet 10\.87\.'
	st_stop stock
	log=$(ws_log stock)
	grep -q 'Will now halt' "$log"
	in_holder ip -o link show ds-veth0 | grep -q 'state UP'
	net_back
}

# With its monitor dead, stop cleans up itself: the rules and the bridge only in the network
# namespace its record was made in (never another namespace's links of the same names).
@test "nat: a stop from another network namespace after the monitor died leaves the rules and the bridge with one warning; the next start there undoes them" {
	require_fixture busybox
	require_cmd unshare nsenter ip
	local root mon
	root=$(fixture_copy busybox)
	net_rig
	st_start web -r "$root" --net=nat --port=8085:80
	wait_for 30 guest_booted web
	mon=$(pidfile_key web monitor)
	kill -KILL "$mon"
	wait_for 5 ! is_monitor "$mon"
	# st_stop runs in the host's namespace: the guest halts, its network stays, said in one line
	st_stop web
	[ "$stderr" = "droidspaces: warning: $DROIDSPACES_WORKSPACE/Net/web was made in netns $(stat -L -c %d:%i "/proc/$HOLDER/ns/net"), not in this one (netns $(stat -L -c %d:%i /proc/self/ns/net)): its veth, rules and bridge are left for a stop run there" ]
	# (the veth went with the guest's namespace) the bridge, the rules and ip_forward stay
	[ -e "$DROIDSPACES_WORKSPACE/Net/web" ]
	in_holder ip -o link show ds-br0
	[ "$(in_holder nft list tables | grep -c 'droidspaces-.*-web$')" = 1 ]
	[ "$(in_holder cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	# the next start there undoes what the dead run left; its stop takes everything
	st_start web -r "$root" --net=nat --port=8085:80
	wait_for 30 guest_booted web
	[ "$(in_holder ip -o link show master ds-br0 | wc -l)" = 1 ]
	st_stop web
	[ -z "$stderr" ]
	net_back
}

# android_routing: HOLDER routes as netd does (Android 9's priorities): no
# default route in main; the uplink's routes in its own table (1021, as netd
# numbers wlan0's: ifindex + 1000), found by the host's own traffic through a
# fwmark and iif lo rule; main for uid 0 (directly connected); unreachable at
# 32000, ahead of main. OUTSIDE serves up.txt at 203.0.113.1:8000 as well, an
# address beyond the uplink's gateway (so main's connected route to the
# uplink's subnet does not reach it). net.before is taken again.
android_routing() {
	in_holder sh -ec '
		ip route add 192.0.2.0/24 dev ds-veth0 table 1021
		ip route add default via 192.0.2.1 dev ds-veth0 table 1021
		ip rule add pref 22000 fwmark 0x0/0xffff iif lo lookup 1021
		ip rule add pref 23000 fwmark 0x0/0xffff uidrange 0-0 lookup main
		ip rule add pref 32000 unreachable
	'
	from_outside ip addr add 203.0.113.1/32 dev lo
	nsenter -t "$OUTSIDE" -n -- busybox httpd -f -p 203.0.113.1:8000 -h "$DS_TEST_DIR/www" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >>"$DS_TEST_DIR/.hs-pids"
	# the host's own traffic goes out through table 1021; a forwarded packet would meet unreachable
	wait_for 10 in_holder curl -sf -m 2 http://203.0.113.1:8000/up.txt >/dev/null || return 1
	in_holder ip route get 203.0.113.1 iif ds-veth0 from 192.0.2.99 2>&1 | grep -q 'No route to host' || return 1
	net_state "$HOLDER" >"$DS_TEST_DIR/net.before"
}
# iif_table N: droidspaces' rule for the bridge looks up table N.
iif_table() { [ "$(android_rules | sed -E 's/[[:space:]]+/ /g' | grep '^5901:')" = "5901: from all iif ds-br0 lookup $1" ]; }
# uplink_switch: the uplink changes as from Wi-Fi to mobile data (netd gives
# the new network a table of its own, 1022, and its rule goes first; 1021 is
# emptied): the monitor, told by rtnetlink, points the bridge's rule at the
# new table, and a reboot of the guest looks it up again; the guest reaches
# beyond the uplink through it. The change comes while another start in
# this namespace holds its network lock (its monitor stopped at
# net:netns-locked): our monitor does not wait for the lock (the guest's
# console keeps flowing) and follows once it is free. uplink_back puts
# 1021 back.
uplink_switch() {
	local old cli mon
	track_container held
	DROIDSPACES_FAULT=net:netns-locked "${DS_WRAP[@]}" "$DS" --name=held -r "$(fixture_copy busybox)" --net=nat \
		start >"$DS_TEST_DIR/held.out" 2>"$DS_TEST_DIR/held.err" </dev/null 3>&- &
	cli=$!
	own_pid "$cli"
	wait_for 20 stopped_monitor || return 1
	mon=$(stopped_monitor)
	own_pid "$mon"
	in_holder sh -ec '
		ip route add 192.0.2.0/24 dev ds-veth0 table 1022
		ip route add default via 192.0.2.1 dev ds-veth0 table 1022
		ip rule add pref 21000 fwmark 0x0/0xffff iif lo lookup 1022
		ip route flush table 1021
	'
	in_container droid sh -c 'echo uplink-moved-while-locked >/dev/console'
	wait_for 10 grep -q uplink-moved-while-locked "$(ws_log droid)" || return 1
	iif_table 1021 || return 1
	# the held start's monitor dies holding the lock (the kernel frees it); its start fails
	kill -KILL "$mon"
	! wait "$cli" || return 1
	run_ds_err --name=held status
	[ "$status" = 1 ] || return 1
	wait_for 10 iif_table 1022 || return 1
	[ "$(guest_get droid 203.0.113.1 8000 up.txt)" = outside ]
	old=$(ds_pid droid)
	in_container droid reboot
	wait_for 30 rebooted droid "$old" || return 1
	wait_for 30 guest_booted droid || return 1
	iif_table 1022
	[ "$(guest_get droid 203.0.113.1 8000 up.txt)" = outside ]
}
uplink_back() {
	in_holder sh -ec '
		ip rule del pref 21000
		ip route flush table 1022
		ip route add 192.0.2.0/24 dev ds-veth0 table 1021
		ip route add default via 192.0.2.1 dev ds-veth0 table 1021
	'
}
# android_rules: the holder's policy rules of droidspaces (priorities 5900 and 5901).
android_rules() { in_holder ip -4 rule show | grep -E '^590[01]:' || true; }

@test "nat on android: under netd's policy routing the guest reaches beyond the uplink and the host reaches the guest through droidspaces' rules (iif ds-br0 lookup the uplink's table, to the subnet lookup main); a reboot follows the uplink to another table; the last stop, also after a dead monitor, removes them" {
	require_fixture busybox
	require_cmd unshare nsenter ip curl
	local root r addr rules
	root=$(fixture_copy busybox)
	net_rig
	android_routing
	# the fake Android tree; its /proc is the real one (ip_forward, the bridge's sysctls)
	r=$(make_android_root --no-selinux)
	ln -s /proc "$r/proc"
	export DROIDSPACES_HOST_ROOT=$r
	for how in stop dead-monitor; do
		st_start droid -r "$root" --net=nat --port=8086:80
		wait_for 30 guest_booted droid
		rules=$(android_rules)
		[ "$(sed -E 's/[[:space:]]+/ /g' <<<"$rules")" = "5900: from all to 10.87.0.0/24 lookup main
5901: from all iif ds-br0 lookup 1021" ]
		# out through the uplink's table to a server beyond its gateway
		[ "$(guest_get droid 203.0.113.1 8000 up.txt)" = outside ]
		# the host's own packets to the guest take the bridge, not the uplink's default route
		addr=$(guest_addr droid)
		serve droid "$how"
		wait_for 10 in_holder curl -sf -m 2 "http://$addr:80/index.html"
		[ "$(in_holder curl -sf -m 2 http://127.0.0.1:8086/index.html)" = "$how" ]
		if [[ $how == stop ]]; then
			uplink_switch
			st_stop droid
			uplink_back
		else
			kill -KILL "$(name_monitors droid)"
			run_ds_err --name=droid stop
			[ "$status" = 0 ]
		fi
		[ -z "$(android_rules)" ]
		net_back
	done
	# the Android settings of the fake tree were put back too
	[[ -z $(find "$DROIDSPACES_WORKSPACE/Android" -mindepth 1 2>/dev/null) ]]
}
