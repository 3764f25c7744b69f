#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # CT_* are set per test, in its own subshell
# Host integration, end to end: hostname, /etc/hosts and DNS inside busybox,
# systemd and OpenRC guests (getent hosts $(hostname) works), --dns and its
# refusals, guest files symlinked at host paths; a Debian sysvinit halt with
# NETDOWN=yes that must leave the network alone (in a network namespace of
# the test's own, never the machine's real interfaces); the Android paths
# against a fake host root (DROIDSPACES_HOST_ROOT): SELinux,
# /storage/emulated/0, phantom processes, deviceidle, the firmware path (also
# with an image) and the aid_* groups, restored at the end; --enable-ipv6,
# also put back by a start that fails.
#
# Tags: hostile, fault.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
# never a link left behind on the host (the caps test tries to add one)
teardown() { netns_teardown dstest; }

# The host's real resolvers, as droidspaces must pass them: /etc/resolv.conf
# without the systemd-resolved stub, else resolved's upstream file; at most 4.
host_nameservers() {
	local f out
	for f in /etc/resolv.conf /run/systemd/resolve/resolv.conf; do
		[[ -r $f ]] || continue
		out=$(awk '$1 == "nameserver" && $2 != "127.0.0.53" && $2 != "127.0.0.54" { print $2 }' "$f" | head -n 4)
		if [[ -n $out ]]; then
			echo "$out"
			return 0
		fi
	done
	return 1
}

# guest_nameservers NAME: the nameserver addresses the guest resolves with.
guest_nameservers() { in_container "$1" awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf; }

# assert_resolv_link NAME: /etc/resolv.conf -> ../run/resolvconf/resolv.conf, a file.
assert_resolv_link() {
	[ "$(in_container "$1" readlink /etc/resolv.conf)" = ../run/resolvconf/resolv.conf ]
	in_container "$1" test -f /run/resolvconf/resolv.conf
	refute in_container "$1" test -L /run/resolvconf/resolv.conf
}

@test "hosts: UTS name, /etc/hostname, the guest's own hosts lines kept, a stale 127.0.1.1 replaced, stable across restarts" {
	require_fixture busybox
	local root root2 name=web-01.example.org hosts expected_rest
	root=$(fixture_copy busybox)
	printf '%s\n' \
		'# the guest'"'"'s own hosts file' \
		$'127.0.0.1\tlocalhost' \
		$'127.0.1.1\tds-busybox old-alias' \
		$'10.9.8.7\tdb.internal db   # keep me' \
		$'::1\tlocalhost ip6-localhost ip6-loopback' \
		$'ff02::1\tip6-allnodes' >"$root/etc/hosts"
	expected_rest=$(grep -v '^127\.0\.1\.1' "$root/etc/hosts")

	st_start hostsct -r "$root" --hostname="$name"
	wait_for 10 booted "$CT_PID"
	[ "$(in_container hostsct hostname)" = "$name" ]
	[ "$(in_container hostsct cat /proc/sys/kernel/hostname)" = "$name" ]
	[ "$(in_container hostsct cat /etc/hostname)" = "$name" ]
	[ "$(hostname)" != "$name" ]
	hosts=$(in_container hostsct cat /etc/hosts)
	echo "$hosts"
	# the guest's lines in their order, exactly once; one 127.0.1.1 line
	[ "$(grep -v '^127\.0\.1\.1' <<<"$hosts")" = "$expected_rest" ]
	[ "$(grep '^127\.0\.1\.1' <<<"$hosts")" = "$(printf '127.0.1.1\t%s' "$name")" ]
	refute grep -q old-alias <<<"$hosts"
	# no droidspaces groups on a plain Linux host
	refute grep -q '^aid_' "$root/etc/group"

	# default DNS: the host's real resolvers
	assert_resolv_link hostsct
	if host_nameservers >"$DS_TEST_DIR/ns.host"; then
		guest_nameservers hostsct >"$DS_TEST_DIR/ns.guest"
		diff -u "$DS_TEST_DIR/ns.host" "$DS_TEST_DIR/ns.guest"
	else
		skip_loud "the host has no usable nameserver: the default DNS is untested"
	fi

	# a restart gives the very same files (nothing appended twice)
	st_stop hostsct
	cp "$root/etc/hosts" "$DS_TEST_DIR/hosts.1"
	st_start hostsct -r "$root" --hostname="$name"
	wait_for 10 booted "$CT_PID"
	in_container hostsct cat /etc/hosts | diff -u "$DS_TEST_DIR/hosts.1" -
	st_stop hostsct

	# a guest without any /etc/hosts gets the localhost lines and its name
	root2=$(fixture_copy busybox)
	rm "$root2/etc/hosts"
	st_start nohosts -r "$root2"
	wait_for 10 booted "$CT_PID"
	hosts=$(in_container nohosts cat /etc/hosts)
	echo "$hosts"
	grep -qE $'^127\\.0\\.0\\.1[ \t]+localhost([ \t]|$)' <<<"$hosts"
	grep -qE $'^::1[ \t]+localhost([ \t]|$)' <<<"$hosts"
	[ "$(grep '^127\.0\.1\.1' <<<"$hosts")" = "$(printf '127.0.1.1\tnohosts')" ]
	st_stop nohosts
}

@test "dns: --dns servers in order, /etc/resolv.conf a link into /run; invalid --dns values refused" {
	require_fixture busybox
	local root ix val want
	root=$(fixture_copy busybox)
	printf 'nameserver 203.0.113.99\nsearch guest.example\n' >"$root/etc/resolv.conf"

	st_start dnsct -r "$root" --dns=192.0.2.53,2001:db8::53
	wait_for 10 booted "$CT_PID"
	assert_resolv_link dnsct
	[ "$(guest_nameservers dnsct)" = "$(printf '192.0.2.53\n2001:db8::53')" ]
	# the guest's resolv.conf in the rootfs is the link now (a file in /run
	# is the only thing written)
	[ "$(readlink "$root/etc/resolv.conf")" = ../run/resolvconf/resolv.conf ]
	st_stop dnsct

	# four is the limit; one is fine
	st_start dns4 -r "$root" --dns 192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4
	wait_for 10 booted "$CT_PID"
	[ "$(guest_nameservers dns4 | wc -l)" -eq 4 ]
	st_stop dns4

	local -a table=(
		"|expected a comma-separated list of IP addresses"
		",|expected a comma-separated list of IP addresses"
		"1.2.3|not an IPv4 or IPv6 address"
		"999.1.1.1|not an IPv4 or IPv6 address"
		"dns.example.com|not an IPv4 or IPv6 address"
		"1.1.1.1;reboot|not an IPv4 or IPv6 address"
		"1.1.1.1 8.8.8.8|not an IPv4 or IPv6 address"
		$'1.1.1.1\nnameserver 6.6.6.6|not an IPv4 or IPv6 address'
		"fe80::1%eth0|not an IPv4 or IPv6 address"
		"192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5|at most 4 servers"
	)
	# every case runs; the failures are listed at the end
	local failed=''
	for ix in "${!table[@]}"; do
		val=${table[ix]%|*}
		want=${table[ix]##*|}
		if ! st_refused "$want" --name="baddns$ix" -r "$root" --dns="$val" ||
			[[ $stderr != *"--dns: invalid value"* ]]; then
			failed+="  case $ix: --dns=$(printf '%q' "$val")"$'\n'
		fi
	done
	if [[ -n $failed ]]; then
		printf 'cases that failed:\n%s' "$failed" >&2
		return 1
	fi
}

# bats test_tags=hostile
@test "hosts/dns: guest files that are symlinks to host paths never write the host's files" {
	require_fixture busybox
	local root d=$DS_TEST_DIR f
	root=$(fixture_copy busybox)
	for f in hostname hosts resolv group; do
		echo "host-original-$f" >"$d/host-$f"
	done
	sha256sum "$d"/host-* >"$d/host-files.sum"
	ln -sfn "$d/host-hostname" "$root/etc/hostname"
	ln -sfn "../../../../../../../../../..$d/host-hosts" "$root/etc/hosts"
	ln -sfn "$d/host-resolv" "$root/etc/resolv.conf"
	mkdir -p "$root/run"

	st_start symct -r "$root" --dns=192.0.2.7
	wait_for 10 booted "$CT_PID"
	[ "$(in_container symct cat /etc/hostname)" = symct ]
	in_container symct grep -qx "$(printf '127.0.1.1\tsymct')" /etc/hosts
	[ "$(guest_nameservers symct)" = 192.0.2.7 ]
	st_stop symct
	sha256sum -c --quiet "$d/host-files.sum"
}

@test "hosts/dns: booted systemd and OpenRC guests resolve their own hostname; resolv.conf survives the boot" {
	require_fixture debian-systemd debian-openrc
	local sd orc sd_pid orc_pid out
	sd=$(fixture_copy debian-systemd)
	orc=$(fixture_copy debian-openrc)
	st_start sdh -r "$sd" --hostname=sd-guest.example --wait=120
	sd_pid=$CT_PID
	st_start orch -r "$orc" --hostname=orc-guest --dns=192.0.2.44,2001:db8::44
	orc_pid=$CT_PID

	run "$DS" --name=sdh run systemctl is-system-running
	echo "$output"
	[ "$output" = running ]
	wait_for 90 booted "$orc_pid"

	# systemd guest
	[ "$("$DS" --name=sdh run hostname)" = sd-guest.example ]
	out=$("$DS" --name=sdh run sh -c 'getent hosts "$(hostname)"')
	echo "$out"
	[ "$(awk '{print $1; print $2}' <<<"$out")" = "$(printf '127.0.1.1\nsd-guest.example')" ]
	"$DS" --name=sdh run getent hosts localhost
	[ "$("$DS" --name=sdh run grep -c '^127\.0\.1\.1' /etc/hosts)" -eq 1 ]
	assert_resolv_link sdh
	if host_nameservers >"$DS_TEST_DIR/ns.host"; then
		guest_nameservers sdh | diff -u "$DS_TEST_DIR/ns.host" -
	fi

	# OpenRC guest
	[ "$("$DS" --name=orch run hostname)" = orc-guest ]
	out=$("$DS" --name=orch run sh -c 'getent hosts "$(hostname)"')
	echo "$out"
	[ "$(awk '{print $1; print $2}' <<<"$out")" = "$(printf '127.0.1.1\norc-guest')" ]
	[ "$("$DS" --name=orch run grep -c '^127\.0\.1\.1' /etc/hosts)" -eq 1 ]
	assert_resolv_link orch
	[ "$(guest_nameservers orch)" = "$(printf '192.0.2.44\n2001:db8::44')" ]

	st_stop sdh
	st_stop orch
}

@test "caps: a Debian sysvinit guest halting with NETDOWN=yes leaves the network alone (private netns, veth stand-in)" {
	require_fixture debian-openrc
	require_cmd unshare nsenter ip
	local root holder ns log
	root=$(fixture_copy debian-openrc)
	sed -i 's/^NETDOWN=.*/NETDOWN=yes/' "$root/etc/default/halt"
	grep -qx NETDOWN=yes "$root/etc/default/halt"

	holder=$(netns_holder_start) || return 1
	ns=$(netns_of "$holder")
	net_state "$holder" >"$DS_TEST_DIR/net.before"
	grep -q 'ds-veth0.*UP' "$DS_TEST_DIR/net.before"

	DS_WRAP=(nsenter -t "$holder" -n --)
	st_start netdown -r "$root"
	DS_WRAP=()
	# Guard: the guest must live in our namespace, else it must not halt
	# with NETDOWN=yes.
	if [[ $(netns_of "$CT_PID") != "$ns" ]]; then
		sed -i 's/^NETDOWN=.*/NETDOWN=no/' "$root/etc/default/halt"
		echo "the container is not in the test's network namespace" >&2
		return 1
	fi
	refute cap_set "$(capbnd_of "$CT_PID")" $CAP_NET_ADMIN
	wait_for 90 booted "$CT_PID"

	st_stop netdown
	# the guest's halt script did run (with -i), and changed nothing
	log=$(ws_log netdown)
	grep -q 'Will now halt' "$log"
	net_state "$holder" >"$DS_TEST_DIR/net.after"
	diff -u "$DS_TEST_DIR/net.before" "$DS_TEST_DIR/net.after"
}

# android_state_clean: droidspaces remembers nothing more about the host.
android_state_clean() { [[ -z $(find "$DROIDSPACES_WORKSPACE/Android" -mindepth 1 2>/dev/null) ]]; }

@test "android: --selinux-permissive, --enable-android-storage, phantom processes, deviceidle, aid groups; all restored at stop" {
	require_fixture busybox
	local r root calls
	r=$(make_android_root)
	root=$(fixture_copy busybox)
	export DROIDSPACES_HOST_ROOT=$r

	# Android keeps its resolvers in properties (net.dns1.. on older releases)
	echo 10.53.0.1 >"$r/prop.net.dns1"
	echo fd53::1 >"$r/prop.net.dns2"
	st_start and1 -r "$root" --selinux-permissive --enable-android-storage
	wait_for 10 booted "$CT_PID"
	[ "$(guest_nameservers and1 | paste -sd,)" = 10.53.0.1,fd53::1 ]
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 0 ]
	calls=$(cat "$r/calls.log")
	echo "$calls"
	[ "$calls" = "$(printf '%s\n' \
		'device_config get activity_manager max_phantom_processes' \
		'device_config put activity_manager max_phantom_processes 2147483647' \
		'dumpsys deviceidle disable')" ]
	# the phone's storage, both ways
	[ "$(in_container and1 cat /storage/emulated/0/DCIM/probe.txt)" = phone-file ]
	in_container and1 sh -c 'echo from-guest >/storage/emulated/0/guest.txt'
	[ "$(cat "$r/storage/emulated/0/guest.txt")" = from-guest ]
	# the aid groups, once each
	[ "$(in_container and1 grep -cx 'aid_inet:x:3003:' /etc/group)" = 1 ]
	[ "$(in_container and1 grep -cx 'aid_net_raw:x:3004:' /etc/group)" = 1 ]
	[ "$(in_container and1 grep -cx 'aid_net_admin:x:3005:' /etc/group)" = 1 ]
	run "$DS" --name=and1 info
	echo "$output"
	[[ $output == *"Android storage: yes"* ]]
	[[ $output == *"SELinux:     not enforcing"* ]]

	st_stop and1
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 1 ]
	calls=$(tail -n +4 "$r/calls.log")
	echo "$calls"
	[ "$calls" = "$(printf '%s\n' \
		'device_config put activity_manager max_phantom_processes 32' \
		'dumpsys deviceidle enable')" ]
	android_state_clean
	[ "$(cat "$r/storage/emulated/0/DCIM/probe.txt")" = phone-file ]

	# again, without the options: the groups are not added twice, SELinux
	# is left alone and reported as the host has it, no storage; without
	# DNS properties (Android 8+) the host's resolv.conf, else public resolvers
	rm "$r/prop.net.dns1" "$r/prop.net.dns2"
	st_start and1 -r "$root"
	wait_for 10 booted "$CT_PID"
	[ "$(guest_nameservers and1)" = "$(host_nameservers || printf '1.1.1.1\n8.8.8.8\n')" ]
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 1 ]
	[ "$(grep -c '^aid_' "$root/etc/group")" = 3 ]
	refute in_container and1 test -e /storage/emulated/0/DCIM
	run "$DS" --name=and1 info
	[[ $output == *"Android storage: no"* ]]
	[[ $output == *"SELinux:     enforcing"* ]]
	st_stop and1
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 1 ]
	android_state_clean
}

@test "android: the first container applies the phantom-process and doze settings, the last one restores them ('null' is deleted)" {
	require_fixture busybox
	local r root1 root2 n
	r=$(make_android_root)
	echo null >"$r/phantom.value"
	root1=$(fixture_copy busybox)
	root2=$(fixture_copy busybox)
	export DROIDSPACES_HOST_ROOT=$r

	st_start first -r "$root1"
	st_start second -r "$root2"
	wait_for 10 booted "$CT_PID"
	[ "$(cat "$r/calls.log")" = "$(printf '%s\n' \
		'device_config get activity_manager max_phantom_processes' \
		'device_config put activity_manager max_phantom_processes 2147483647' \
		'dumpsys deviceidle disable')" ]
	n=$(wc -l <"$r/calls.log")

	st_stop first
	# another container still runs: nothing restored yet
	[ "$(wc -l <"$r/calls.log")" -eq "$n" ]
	st_stop second
	[ "$(tail -n +$((n + 1)) "$r/calls.log")" = "$(printf '%s\n' \
		'device_config delete activity_manager max_phantom_processes' \
		'dumpsys deviceidle enable')" ]
	android_state_clean
}

@test "android: --hw-access points the firmware path at the guest's /lib/firmware and puts it back" {
	require_fixture busybox
	local r root fw
	r=$(make_android_root)
	root=$(fixture_copy busybox)
	fw=$r/sys/module/firmware_class/parameters/path
	export DROIDSPACES_HOST_ROOT=$r

	st_start andhw -r "$root" -H
	wait_for 10 booted "$CT_PID"
	[ "$(cat "$fw")" = "$(realpath "$root")/lib/firmware" ]
	st_stop andhw
	[ "$(cat "$fw")" = /vendor/firmware:/odm/firmware ]
	android_state_clean
}

# bats test_tags=hostile
@test "android: --hw-access with an image points the firmware path at a path the kernel sees (init's root) and puts it back" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck
	local r fw img=$DS_TEST_DIR/fw.img stage=$DS_TEST_DIR/fwstage path
	mkdir -p "$stage"
	cp -a "$DS_FIXTURES/busybox/." "$stage/"
	mkdir -p "$stage/lib/firmware"
	echo guest-firmware >"$stage/lib/firmware/ds-probe.bin"
	make_image_from "$stage" "$img" 32M
	r=$(mktemp -d "$DS_TEST_DIR/android.XXXXXX")
	mkdir -p "$r/system/bin" "$r/sys/module/firmware_class/parameters"
	: >"$r/system/bin/app_process"
	chmod 0755 "$r/system/bin/app_process"
	echo /vendor/firmware >"$r/sys/module/firmware_class/parameters/path"
	fw=$r/sys/module/firmware_class/parameters/path
	export DROIDSPACES_HOST_ROOT=$r

	st_start andimg -i "$img" -H
	wait_for 10 booted "$CT_PID"
	path=$(cat "$fw")
	echo "firmware path: $path"
	[ "$path" = "/proc/$CT_PID/root/lib/firmware" ]
	# seen from the host's mount namespace, as the kernel's loader sees it
	[ "$(cat "$path/ds-probe.bin")" = guest-firmware ]
	# not the image's mount point, which the host never sees populated
	[ ! -e "/mnt/Droidspaces/andimg/lib/firmware/ds-probe.bin" ]
	st_stop andimg
	[ "$(cat "$fw")" = /vendor/firmware ]
}

@test "android: a start that fails after changing the host puts everything back; SELinux already permissive stays so" {
	require_fixture busybox
	local r root
	r=$(make_android_root --no-storage)
	root=$(fixture_copy busybox)
	export DROIDSPACES_HOST_ROOT=$r

	st_refused "--enable-android-storage: $r/storage/emulated/0 is not available" \
		--name=andfail -r "$root" --selinux-permissive --enable-android-storage
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 1 ]
	# whatever was changed was changed back
	if grep -q 'put activity_manager max_phantom_processes 2147483647' "$r/calls.log"; then
		grep -qx 'device_config put activity_manager max_phantom_processes 32' "$r/calls.log"
	fi
	if grep -qx 'dumpsys deviceidle disable' "$r/calls.log"; then
		[ "$(tail -n1 "$r/calls.log")" = 'dumpsys deviceidle enable' ]
	fi
	android_state_clean
	refute grep -q '^aid_' "$root/etc/group"

	# no SELinux at all: a clear error, nothing touched
	r=$(make_android_root --no-selinux)
	export DROIDSPACES_HOST_ROOT=$r
	st_refused "--selinux-permissive" --name=andnosel -r "$root" --selinux-permissive
	[ ! -s "$r/calls.log" ]
	android_state_clean

	# already permissive: stays permissive after the stop
	r=$(make_android_root)
	echo 0 >"$r/sys/fs/selinux/enforce"
	export DROIDSPACES_HOST_ROOT=$r
	st_start andperm -r "$root" --selinux-permissive
	wait_for 10 booted "$CT_PID"
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 0 ]
	st_stop andperm
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 0 ]
	android_state_clean
}

# Android's toybox has no e2fsck; the system partition ships /system/bin/e2fsck (for /data).
# Here PATH holds an empty directory only, and the fake tree's e2fsck logs its arguments and
# runs the real one.
@test "android: no e2fsck in PATH (toybox): an image is checked with /system/bin/e2fsck; without it the start is refused naming both, nothing left" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck
	local r img=$DS_TEST_DIR/tb.img e2 nopath=$DS_TEST_DIR/toybox-path
	e2=$(command -v e2fsck)
	make_image_from "$DS_FIXTURES/busybox" "$img" 32M
	r=$(make_android_root)
	cat >"$r/system/bin/e2fsck" <<-EOF
		#!/bin/sh
		echo "e2fsck \$*" >>"$r/calls.log"
		exec $e2 "\$@"
	EOF
	chmod 0755 "$r/system/bin/e2fsck"
	mkdir -p "$nopath"
	export DROIDSPACES_HOST_ROOT=$r
	DS_WRAP=(env PATH="$nopath")
	st_start andfsck -i "$img"
	DS_WRAP=()
	wait_for 10 booted "$CT_PID"
	grep -qx 'e2fsck -f -y /proc/self/fd/3' "$r/calls.log"
	st_stop andfsck
	wait_for 5 test -z "$(losetup -n -O NAME -j "$img")"
	android_state_clean

	rm "$r/system/bin/e2fsck"
	DS_WRAP=(env PATH="$nopath")
	st_refused "e2fsck was found neither in PATH nor at $r/system/bin/e2fsck: it checks $img before mounting" \
		--name=andnofsck -i "$img"
	DS_WRAP=()
	nothing_left andnofsck
	[ -z "$(losetup -n -O NAME -j "$img")" ]
	android_state_clean
}

# An Android host has no /run, and its /dev/pts/ptmx is unusable (ptmxmode 000): PTYs come from
# /dev/ptmx only. Emulated in a mount namespace of the commands' own: an empty read-only tmpfs
# over /run (nothing there, nothing can be made), /dev/null bound over /dev/pts/ptmx.
@test "android: no /run on the host (an empty read-only /run stands in) and /dev/pts/ptmx unusable: start, console log, run, stop" {
	require_fixture busybox
	require_cmd unshare
	local r root
	r=$(make_android_root)
	root=$(fixture_copy busybox)
	export DROIDSPACES_HOST_ROOT=$r
	# shellcheck disable=SC2016 # expanded by that sh
	DS_WRAP=(unshare -m --propagation private -- sh -ec 'mount -t tmpfs -o ro,size=4k,mode=0555 ds-norun /run
		mount --bind /dev/null /dev/pts/ptmx; exec "$@"' sh)
	st_start andrun -r "$root"
	adopt_ct andrun
	wait_for 10 booted "$CT_PID"
	# the monitor (and init's console) live where /run is empty
	[ -z "$(ls -A "/proc/$CT_MON/root/run")" ]
	# the console PTY came from /dev/ptmx: what the guest writes on its console reaches the log
	run_ds_err --name=andrun run sh -c 'echo "ran-$((6*7))"; echo ds-console-probe >/dev/console'
	[ "$status" -eq 0 ] && [ "$output" = ran-42 ]
	wait_for 5 grep -q ds-console-probe "$(ws_log andrun)"
	DS_WRAP=()
	st_stop andrun
	assert_cleaned andrun
	android_state_clean
}

# SELinux enforcing and --selinux-permissive off: the host stays enforcing and nothing is
# recorded. A volatile root is mounted with context="u:object_r:tmpfs:s0" (seed: an enforcing
# Android host lets the guest write it then); this machine's kernel has no SELinux and refuses
# the option (EINVAL), so the overlay is then mounted without: both mounts are seen in a trace.
@test "android: SELinux enforcing, --selinux-permissive off: stays enforcing; a volatile root is tried with the tmpfs context first (refused here: no SELinux in this kernel)" {
	require_fixture busybox
	require_cmd strace
	local r root trace=$DS_TEST_DIR/mount.trace
	r=$(make_android_root)
	root=$(fixture_copy busybox)
	export DROIDSPACES_HOST_ROOT=$r
	track_container andsel
	# traced to the end (the monitor's mounts): strace ends with the monitor, at the stop
	strace -f -qq -s 4096 -e trace=mount -o "$trace" "$DS" --name=andsel -r "$root" --volatile start \
		>"$DS_TEST_DIR/start.out" 2>"$DS_TEST_DIR/start.err" </dev/null &
	BG_PIDS+=("$!")
	wait_for 30 grep -q '^Container andsel started' "$DS_TEST_DIR/start.out"
	adopt_ct andsel
	wait_for 10 booted "$CT_PID"
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 1 ]
	run "$DS" --name=andsel run sh -c 'echo scratch >/sel-probe && cat /sel-probe'
	[ "$status" -eq 0 ] && [ "$output" = scratch ]
	grep -E '"overlay", [^)]*,context=\\"u:object_r:tmpfs:s0\\""\) = -1 EINVAL' "$trace"
	grep -E '"overlay", 0, "lowerdir=[^"]*"\) = 0' "$trace"
	st_stop andsel
	wait_bg
	[ "$(cat "$r/sys/fs/selinux/enforce")" = 1 ]
	[ ! -e "$root/sel-probe" ]
	refute grep -q enforce "$r/calls.log"
	android_state_clean
}

@test "android: without an Android host the Android options are refused" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	unset DROIDSPACES_HOST_ROOT ANDROID_ROOT
	st_refused "--selinux-permissive works on Android hosts only" --name=noand1 -r "$root" --selinux-permissive
	st_refused "--enable-android-storage works on Android hosts only" --name=noand2 -r "$root" --enable-android-storage
	# a fake root without app_process is no Android either
	mkdir -p "$DS_TEST_DIR/not-android/sys/fs/selinux"
	echo 1 >"$DS_TEST_DIR/not-android/sys/fs/selinux/enforce"
	DROIDSPACES_HOST_ROOT=$DS_TEST_DIR/not-android st_refused "works on Android hosts only" \
		--name=noand3 -r "$root" --selinux-permissive
	[ "$(cat "$DS_TEST_DIR/not-android/sys/fs/selinux/enforce")" = 1 ]
	refute grep -q '^aid_' "$root/etc/group"
}

@test "ipv6: --enable-ipv6 turns IPv6 on in the (fake) host's sysctl and the last stop puts it back; already on stays untouched" {
	require_fixture busybox
	local r root knob
	# The host's /proc/sys comes through the host-root indirection, so a fake tree stands in for it.
	r=$DS_TEST_DIR/fakehost
	knob=$r/proc/sys/net/ipv6/conf/all/disable_ipv6
	mkdir -p "$(dirname "$knob")"
	echo 1 >"$knob"
	root=$(fixture_copy busybox)
	export DROIDSPACES_HOST_ROOT=$r

	st_start v6a -r "$root" -V --enable-ipv6
	[ "$(cat "$knob")" = 0 ]
	st_start v6b -r "$root" -V --enable-ipv6
	st_stop v6a
	[ "$(cat "$knob")" = 0 ]   # another container still runs
	st_stop v6b
	[ "$(cat "$knob")" = 1 ]   # the last stop restores what droidspaces changed

	echo 0 >"$knob"
	st_start v6c -r "$root" -V --enable-ipv6
	st_stop v6c
	[ "$(cat "$knob")" = 0 ]   # it was on already: nothing to undo
	[ ! -e "$DROIDSPACES_WORKSPACE/Host/disable_ipv6" ]

	echo 1 >"$knob"
	st_start v6d -r "$root" -V
	[ "$(cat "$knob")" = 1 ]   # without the flag the host is left alone
	st_stop v6d
}

# bats test_tags=hostile,fault
@test "start: a failure after --enable-ipv6 turned IPv6 on puts it back (and the volatile dir goes)" {
	require_fixture busybox
	require_cmd unshare
	local root name=v6fail15 out
	root=$(fixture_copy busybox)
	[[ -e /proc/sys/net/ipv6/conf/all/disable_ipv6 ]] || skip_loud "no IPv6 in this kernel"
	track_container "$name"
	# In a network namespace of the test's own, where IPv6 starts disabled:
	# the failing start must leave it disabled; a good start enables it
	# (so the test can fail), and its stop disables it again.
	out=$(unshare -n bash -c '
		set -u
		v6=/proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 1 >"$v6"
		DROIDSPACES_FAULT=start:no-pty "$1" --name="$2" --rootfs="$3" --enable-ipv6 --volatile start 2>&1
		echo "failed-start-rc=$?"
		echo "after-failure=$(cat "$v6")"
		"$1" --name="$2" --rootfs="$3" --enable-ipv6 start >/dev/null 2>&1
		echo "good-start-rc=$?"
		echo "while-running=$(cat "$v6")"
		"$1" --name="$2" stop >/dev/null 2>&1
		echo "after-stop=$(cat "$v6")"
	' bash "$DS" "$name" "$root")
	echo "$out"
	grep -qx "droidspaces: cannot allocate the console PTY: .*" <<<"$out"
	grep -qx 'failed-start-rc=1' <<<"$out"
	grep -qx 'after-failure=1' <<<"$out"
	grep -qx 'good-start-rc=0' <<<"$out"
	grep -qx 'while-running=0' <<<"$out"
	grep -qx 'after-stop=1' <<<"$out"
	# no record of a change left behind, no volatile dir, no pidfile
	[ ! -e "$DROIDSPACES_WORKSPACE/Host/disable_ipv6" ]
	[ ! -e "$(ws_volatile "$name")" ]
	[ ! -e "$(ws_pidfile "$name")" ]
}
