# shellcheck shell=bash
# tests/e2e/lib/net.bash: network namespaces of a test's own.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# network namespaces of a test's own (for guests whose halt downs links)

# net_state HOLDER: links, addresses, routes, rules, the per-interface
# sysctls and ip_forward, and the nftables and iptables rule sets of
# HOLDER's network namespace.
net_state() {
	nsenter -t "$1" -n -- sh -c '
		echo "## links"; ip -o link show | sed -E "s/ qlen [0-9]+//; s/\\\\ +/ /g"
		echo "## addresses"; ip -o addr show | sed -E "s/\\\\.*//"
		echo "## routes"; ip -4 route show table all; ip -6 route show table all | sed -E "s/ expires [0-9]+sec//"
		echo "## rules"; ip -4 rule show; ip -6 rule show
		echo "## sysctls"; grep -r . /proc/sys/net/ipv4/conf /proc/sys/net/ipv6/conf /proc/sys/net/ipv4/ip_forward 2>/dev/null | sort
		if command -v nft >/dev/null 2>&1; then echo "## nftables"; nft list ruleset 2>&1; fi
		if command -v iptables-save >/dev/null 2>&1; then
			echo "## iptables"; iptables-save 2>&1 | grep -v "^#" | sed -E "s/\[[0-9]+:[0-9]+\]//"
		fi
	'
}
netns_of() { readlink "/proc/$1/ns/net"; }
in_own_netns() { comm_is "$1" sleep && [[ $(netns_of "$1") != "$(netns_of $$)" ]]; }

# netns_holder_start: print the PID of a sleep holding a new network
# namespace with lo up and a veth pair (addresses, a route) standing in for
# the host's interfaces. netns_holders_stop (in teardown) ends it.
netns_holder_start() {
	local holder
	unshare --net -- sleep 1000 </dev/null >/dev/null 2>&1 &
	holder=$!
	echo "$holder" >>"$DS_TEST_DIR/.hs-pids"
	wait_for 5 in_own_netns "$holder" || return 1
	nsenter -t "$holder" -n -- sh -ec '
		ip link set lo up
		ip link add ds-veth0 type veth peer name ds-veth1
		# no link-local addresses: their DAD state would change by itself
		ip link set ds-veth0 addrgenmode none
		ip link set ds-veth1 addrgenmode none
		ip addr add 192.0.2.10/24 dev ds-veth0
		ip -6 addr add 2001:db8::10/64 dev ds-veth0 nodad
		ip link set ds-veth0 up
		ip link set ds-veth1 up
		ip route add 198.51.100.0/24 via 192.0.2.1
	' >&2 || return 1
	wait_for 5 sh -c "nsenter -t $holder -n -- ip -o link show ds-veth0 | grep -q LOWER_UP" || return 1
	echo "$holder"
}

# netns_holders_stop: the containers inside the holders go first, then the
# holders (by PID), before the host snapshot. Fails if a container did not stop.
netns_holders_stop() {
	local rc=0 p problems
	if [[ -s ${DS_TEST_DIR:-/nonexistent}/.hs-pids ]]; then
		problems=$(_ds_stop_tracked) || rc=1
		[[ -n $problems ]] && echo "$problems" >&2
		while IFS= read -r p; do
			kill -KILL "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done <"$DS_TEST_DIR/.hs-pids"
		: >"$DS_TEST_DIR/.hs-pids"
	fi
	return "$rc"
}

# netns_teardown [LINK...]: teardown of the files whose tests make network
# namespaces: netns_holders_stop, then common_teardown; a LINK left on the
# host is deleted and fails the test.
netns_teardown() {
	local rc=0 link
	netns_holders_stop || rc=1
	for link in "$@"; do
		ip link show "$link" >/dev/null 2>&1 || continue
		ip link del "$link" || true
		echo "teardown: a link '$link' existed on the host; deleted" >&2
		rc=1
	done
	common_teardown || rc=1
	return "$rc"
}
