#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # CT_* and DS are set per test, in its own subshell
# Old kernels (issue 14): the whole lifecycle under emulated 3.18 ... 5.10 kernels.
# Every droidspaces command of a test runs under tests/kernel/kprofile (output/kprofile,
# `make kprofile`): a seccomp filter that answers ENOSYS for the syscalls the profile's kernel
# did not have and EINVAL for the flags, ioctls and bpf commands it did not know; before 4.5
# also without the host's cgroup2 mount. `kprofile --list` says what each profile emulates and
# what it cannot (the "gaps", such as NSpid or devpts instances: those paths are tested here
# through the product's fault switches instead).
#
# make test (make e2e) runs one busybox start/run/stop per profile, and a systemd and an OpenRC
# guest under 3.18; DS_KERNEL_FULL=1 (make test-kernels) adds, per profile, enter, show, info,
# scan, volatile and image mode, for busybox, systemd and OpenRC guests each.
# Every test runs between common_setup and common_teardown, which fail it when the host changed.
#
# Every fallback of the code for an older kernel, and what reaches it ("short": the test of every
# profile in make e2e; "full": kernels-full; a fault switch stands in where a filter cannot):
#   clone3 -> fork, then join the cgroup (fs/cgroup.c)         3.18 .. 4.19, short; fault no-clone3 (10-boot)
#   pidfd_open -> poll the PID and its start time (core/halt.c) 3.18 .. 4.19, every stop of short
#   openat2 -> a walk component by component (util/path.c)     3.18 .. 5.4, short; fault no-openat2 (44-rootfs)
#   close_range -> the fds /proc/self/fd lists (util/fds.c)    3.18 .. 5.4, short; fault no-close-range (60-confinement)
#   mount_setattr -> remount each submount (fs/storage.c)      3.18 .. 5.10: "kernel 5.10 (no mount_setattr)"
#   MOUNT_ATTR_IDMAP -> --private-users shifts the rootfs's ids (core/shift.c) 3.18 .. 5.10: "kernel 5.4 (no
#                                                                mount_setattr): --private-users"; fault no-idmap (62-private-users)
#   LOOP_CONFIGURE -> LOOP_SET_FD, LOOP_SET_STATUS64 (fs/storage.c) 3.18 .. 5.4: "kernel 3.18: a busybox image", full
#   CLONE_NEWCGROUP refused -> no cgroup namespace (core/boot.c) 3.18, 4.4, short (/droidspaces/NAME checked)
#   no cgroup2 -> the v1 hierarchies only (fs/cgroup.c)         3.18, 4.4 on a hybrid host, short; systemd on 3.18
#   cgroup.kill -> kill task by task (fs/cgroup.c)              3.18, 4.4 on a hybrid host (v1), short; fault no-cgroup-kill (60-confinement)
#   bpf device program refused -> v1 devices, or none (fs/devices.c) 3.18 on a hybrid host, 4.14: "check and start under ..."
#   no ambient capabilities -> nothing to clear (core/caps.c)   3.18 (before 4.3), short
#   a capability the kernel lacks -> skipped (core/caps.c)      every profile (the bits above the last one)
#   no seccomp filters -> unfiltered with a warning (core/boot.c, core/attach.c) noseccomp: "check and start", "run and enter"
#   no NSpid -> walk /proc/PID/ns/pid (core/state.c)           3.18, short and full: a gap of the filter, so `under`
#                                                                sets fault no-nspid there; "kernel 3.18 without NSpid"
#   devpts not a new instance -> refused (fs/dev.c)              fault devpts-shared under 3.18 (a gap of the filter)
#   no O_TMPFILE -> a named temporary file (util/fileio.c)      no profile (3.11 predates 3.18; filesystems without
#                                                                O_TMPFILE still take it): fault no-tmpfile in tests/unit/test_fileio.c
#   devpts options, fullest to barest (fs/dev.c, seed 7.4)      fault devpts-bare under 3.18 (a filter cannot read mount
#                                                                options): only "newinstance" is taken, and the guest's
#                                                                terminals still work

bats_require_minimum_version 1.5.0

load helpers

KPROFILE=${DS_KPROFILE:-$DS_REPO/output/kprofile}
KP_PROFILES=(3.18 4.4 4.9 4.14 4.19 5.4 5.10 today)
KP_SCAN_WRAP=()

setup() {
	# (before common_setup: a skipped full-matrix test costs no host snapshot)
	[[ $BATS_TEST_DESCRIPTION != *" full: "* ]] || full_only
	common_setup
	require_root
	require_ds
	[[ -x $KPROFILE ]] || skip_loud "kprofile not built at $KPROFILE (make kprofile)"
	REAL_DS=$DS
}
teardown() {
	local rc=0
	[[ -n ${KP_LOOP:-} ]] && losetup -d "$KP_LOOP" 2>/dev/null
	netns_teardown || rc=1
	return "$rc"
}

# under PROFILE: from here on every "$DS" of this test (the helpers', teardown's stop too)
# runs under the kernel profile PROFILE, through a wrapper script in the test's directory.
# Before 4.1 /proc/PID/status has no NSpid, which a filter cannot hide: there the product's
# no-nspid fault switch stands in for it (unless the test names another fault), so scan, stop
# and every identity check walk the PID namespaces as on such a kernel.
under() {
	local w=$DS_TEST_DIR/ds-$1
	{
		echo '#!/bin/sh'
		# shellcheck disable=SC2016 # for the wrapper to expand
		(($(kp_version "$1") >= 401)) || echo '[ -n "$DROIDSPACES_FAULT" ] || export DROIDSPACES_FAULT=no-nspid'
		printf 'exec %q %q -- %q "$@"\n' "$KPROFILE" "$1" "$REAL_DS"
	} >"$w"
	chmod 0755 "$w"
	DS=$w
	KP_PROFILE=$1
}

full_only() {
	[[ ${DS_KERNEL_FULL:-0} == 1 ]] || skip "the full kernel matrix runs with DS_KERNEL_FULL=1 (make test-kernels)"
}

# kp_short PROFILE: a busybox guest starts, runs a command (its cgroup the container's), stops,
# and nothing is left; without a cgroup namespace (3.18, 4.4) it sits in droidspaces/NAME.
kp_short() {
	require_fixture busybox
	local root bad name=kp${1//./}
	under "$1"
	root=$(fixture_copy busybox)
	start_ct "$name" "$root"
	[ "$CT_KIND" = busybox ]
	wait_for 10 booted "$CT_PID"
	run "$DS" --name="$name" run sh -c 'echo "ran-$((6*7))"; cat /proc/self/cgroup'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == ran-42$'\n'* ]]
	# In every v1 hierarchy the command sits in the container's cgroup: "/" in its own
	# cgroup namespace, /droidspaces/NAME without one (before 4.6).  (Before 4.5 the v2
	# line is the caller's: the kernel still has cgroup2, only its mount is hidden.)
	bad=$(sed 1d <<<"$output" | grep -vE '^0::' | grep -vE ":(/|/droidspaces/$name)\$" || true)
	[ -z "$bad" ]
	if [[ $1 == 3.18 || $1 == 4.4 ]]; then
		grep -q ":/droidspaces/$name\$" <<<"$output"
	fi
	stop_ct "$name"
	assert_cleaned "$name"
}

# kp_listed NAME: info --json has init's PID ($CT_PID) and show --json lists NAME as running.
kp_listed() {
	run "$DS" --name="$1" info --json
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .pid <<<"$output")" = "$CT_PID" ]
	run "$DS" show --json
	[ "$status" -eq 0 ]
	[ "$(jq -r --arg n "$1" '.containers[] | select(.name == $n) | .state' <<<"$output")" = running ]
}

# One test for all profiles (the setup and host comparison once): the profile that fails is named.
@test "every kernel profile (3.18 4.4 4.9 4.14 4.19 5.4 5.10 today): busybox start, run, stop" {
	local p
	for p in "${KP_PROFILES[@]}"; do
		# (no "|| ...": errexit must stay on inside kp_short)
		echo "=== profile $p"
		kp_short "$p"
	done
}

# Before 5.8 there is no LOOP_CONFIGURE (the profile answers EINVAL): an image is attached with
# LOOP_SET_FD and LOOP_SET_STATUS64, and the loop device is freed at stop all the same.
@test "kernel 3.18: a busybox image boots through LOOP_SET_FD and LOOP_SET_STATUS64 (no LOOP_CONFIGURE), its loop device freed at stop" {
	require_fixture busybox
	require_cmd mkfs.ext4 losetup
	local img=$DS_TEST_DIR/kp.img
	under 3.18
	make_image_from "$DS_FIXTURES/busybox" "$img" 32M
	st_start kploop -i "$img"
	adopt_ct kploop
	wait_for 10 booted "$CT_PID"
	[[ $(losetup -n -O NAME -j "$img") =~ ^/dev/loop[0-9]+$ ]]
	[ "$(losetup -n -O AUTOCLEAR -j "$img" | tr -d ' ')" = 1 ]
	st_stop kploop
	assert_cleaned kploop
	wait_for 5 test -z "$(losetup -n -O NAME -j "$img")"
}

# scan_ours NAME: `$DS scan` registers container NAME (init CT_PID) under a new name, KP_REG
# (tracked); any other registration is undone (another workspace's container).
scan_ours() {
	local f
	run "${KP_SCAN_WRAP[@]}" "$DS" scan
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ (^|$'\n')Registered\ ([^ ]+)\ \(pid\ $CT_PID\)($'\n'|$) ]]
	KP_REG=${BASH_REMATCH[2]}
	track_container "$KP_REG"
	for f in "$DROIDSPACES_WORKSPACE"/Pids/*.pid; do
		[[ $f == "$(ws_pidfile "$KP_REG")" ]] || rm -f "$f"
	done
	[ "$(ds_pid "$KP_REG")" = "$CT_PID" ]
}

# kp_gone NAME REGISTERED: nothing is left of container NAME, which was stopped under the name
# scan REGISTERED it with: init and monitor gone, no pidfile, socket or cgroup.
kp_gone() {
	nothing_left "$1" && nothing_left "$2" && ! proc_alive "$CT_PID" "$CT_ST" && ! proc_alive "$CT_MON" "$CT_MON_ST"
}

# kp_full PROFILE: start, run, enter without a terminal, status/info/show, scan after the
# pidfile was lost, stop; then a volatile guest (the lower tree unchanged) and an image guest
# (loop device freed at stop).
kp_full() {
	full_only
	require_fixture busybox
	require_cmd mkfs.ext4 losetup jq
	local root out name=kf${1//./} img sums_before f
	kp_short "$1"
	root=$(fixture_copy busybox)
	start_ct "$name" "$root"
	wait_for 10 booted "$CT_PID"

	run "$DS" --name="$name" run id -u
	[ "$status" -eq 0 ] && [ "$output" = 0 ]
	run "$DS" -n "$name" enter < <(printf '%s\n' 'echo "entered-$((6*7))"' 'exit 3')
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *entered-42* ]]
	"$DS" --name="$name" status
	kp_listed "$name"

	# scan finds the running container again once its pidfile is gone, named after its
	# os-release (other workspaces' containers it registers here are unregistered at once).
	rm -f "$(ws_pidfile "$name")"
	scan_ours "$name"
	stop_ct "$KP_REG"
	wait_for 10 kp_gone "$name" "$KP_REG"

	# volatile: writes vanish, the lower tree stays as it was
	sums_before=$(find "$root" -xdev -printf '%p %s %T@\n' | sort)
	start_ct "${name}v" "$root" --volatile
	wait_for 10 booted "$CT_PID"
	run "$DS" --name="${name}v" run sh -c 'echo scratch >/kp-volatile && cat /kp-volatile'
	[ "$status" -eq 0 ] && [ "$output" = scratch ]
	stop_ct "${name}v"
	assert_cleaned "${name}v"
	[ ! -e "$root/kp-volatile" ]
	[ "$(find "$root" -xdev -printf '%p %s %T@\n' | sort)" = "$sums_before" ]

	# image: a loop device (LOOP_CONFIGURE or the older ioctls), freed at stop
	img=$DS_TEST_DIR/kp.img
	truncate -s 32M "$img"
	mkfs.ext4 -q -F -d "$DS_FIXTURES/busybox" "$img"
	track_container "${name}i"
	run_ds_err --name="${name}i" -i "$img" start
	[ "$status" -eq 0 ]
	_ct_started "${name}i"
	wait_for 10 booted "$CT_PID"
	[[ $(losetup -n -O NAME -j "$img") =~ ^/dev/loop[0-9]+$ ]]
	run "$DS" --name="${name}i" run cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	st_stop "${name}i"
	wait_for 5 test -z "$(losetup -n -O NAME -j "$img")"
}

# bats test_tags=kernels-full
@test "kernel 3.18 full: run, enter, info, show, scan, stop; volatile; image" { kp_full 3.18; }
# bats test_tags=kernels-full
@test "kernel 4.4 full: run, enter, info, show, scan, stop; volatile; image" { kp_full 4.4; }
# bats test_tags=kernels-full
@test "kernel 4.9 full: run, enter, info, show, scan, stop; volatile; image" { kp_full 4.9; }
# bats test_tags=kernels-full
@test "kernel 4.14 full: run, enter, info, show, scan, stop; volatile; image" { kp_full 4.14; }
# bats test_tags=kernels-full
@test "kernel 4.19 full: run, enter, info, show, scan, stop; volatile; image" { kp_full 4.19; }
# bats test_tags=kernels-full
@test "kernel 5.4 full: run, enter, info, show, scan, stop; volatile; image" { kp_full 5.4; }
# bats test_tags=kernels-full
@test "kernel 5.10 full: run, enter, info, show, scan, stop; volatile; image" { kp_full 5.10; }
# bats test_tags=kernels-full
@test "kernel today full: run, enter, info, show, scan, stop; volatile; image" { kp_full today; }

# --------------------------------------------------------------------------
# systemd and OpenRC guests (Debian 12: systemd 252; sysvinit with OpenRC)
#
# What systemd needs there: on 3.18 and 4.4 (no cgroup2 on this hybrid host, no cgroup
# namespace) it runs on the legacy v1 hierarchies droidspaces gives it, its own named
# "systemd" one included, and sees its cgroup as /droidspaces/NAME. systemd 252 still boots so
# (its floor is 3.15); 256 and 257 refuse v1 only as a host's PID 1 and boot on the hierarchies
# a container manager mounted (257 with cgroup2 hidden: 10-boot); 258 removed v1, and start
# refuses such a guest with one line there (10-boot). The sysvinit and
# OpenRC guest runs inside a network namespace of the test's own (its halt may down links).

# kp_guest_start NAME KIND OPTION...: start NAME (systemd or openrc: a fixture's guest, the
# rootfs among OPTION) under the current profile; waits until it booted (systemd: "running",
# no failed unit; OpenRC: runlevel default); sets CT_PID CT_ST CT_MON CT_MON_ST.
kp_guest_start() {
	local name=$1 kind=$2
	shift 2
	[[ $kind != openrc ]] || DS_WRAP=(nsenter -t "$KP_HOLDER" -n --)
	# systemd: --wait returns at READY=1 (the notify socket works on every profile).
	if [[ $kind == systemd ]]; then
		st_start "$name" "$@" --wait=120
	else
		st_start "$name" "$@"
	fi
	DS_WRAP=()
	adopt_ct "$name"
	if [[ $kind == systemd ]]; then
		[ "$CT_KIND" = systemd ]
		run in_container "$name" systemctl is-system-running
		echo "$output"
		[ "$output" = running ]
		run in_container "$name" systemctl --failed --no-legend
		[ -z "$output" ]
	else
		[ "$CT_KIND" = sysvinit ]
		[ "$(netns_of "$CT_PID")" = "$(netns_of "$KP_HOLDER")" ]
		wait_for 90 booted "$CT_PID"
		[ "$(in_container "$name" rc-status --runlevel)" = default ]
		run in_container "$name" rc-status --crashed
		[ -z "$output" ]
	fi
}

# kp_guest_use NAME KIND: run (its init is the guest's, its cgroup the container's) and enter
# without a terminal (commands from stdin, the exit status kept) in the running guest NAME.
kp_guest_use() {
	local comm=init
	[[ $2 == systemd ]] && comm=systemd
	run "$DS" --name="$1" run sh -c 'echo "ran-$((6*7))"; cat /proc/1/comm'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ran-42"$'\n'"$comm" ]
	run "$DS" -n "$1" enter < <(printf '%s\n' 'echo "entered-$((6*7))"' 'exit 3')
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *entered-42* ]]
}

# kp_guest PROFILE KIND: under PROFILE, a KIND (systemd or openrc) guest starts, runs a command,
# is entered and stops through its own halt path (its halt marker written), and nothing is left.
kp_guest() {
	local fixture=debian-$2 root name=kg${2:0:2}${1//./}
	require_fixture "$fixture"
	require_cmd nsenter unshare ip
	under "$1"
	[[ $2 != openrc ]] || KP_HOLDER=$(netns_holder_start)
	root=$(fixture_copy "$fixture")
	kp_guest_start "$name" "$2" -r "$root"
	kp_guest_use "$name" "$2"
	st_stop "$name"
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
	assert_cleaned "$name"
}

# kp_guest_full PROFILE KIND: kp_guest, then info, show, scan after the pidfile was lost (stopped
# under the name scan gave it), a volatile start (the lower tree unchanged) and an image start
# (the loop device freed at stop).
kp_guest_full() {
	local fixture=debian-$2 root name=kf${2:0:2}${1//./} img sums
	require_cmd jq mkfs.ext4 losetup
	kp_guest "$1" "$2"
	root=$(fixture_copy "$fixture")
	kp_guest_start "$name" "$2" -r "$root"
	kp_listed "$name"
	rm -f "$(ws_pidfile "$name")"
	scan_ours "$name"
	"$DS" --name="$KP_REG" run true
	st_stop "$KP_REG"
	wait_for 10 kp_gone "$name" "$KP_REG"

	sums=$(find "$root" -xdev -printf '%p %s %T@\n' | sort)
	kp_guest_start "${name}v" "$2" -r "$root" --volatile
	kp_guest_use "${name}v" "$2"
	run "$DS" --name="${name}v" run sh -c 'echo scratch >/kp-volatile && cat /kp-volatile'
	[ "$status" -eq 0 ] && [ "$output" = scratch ]
	st_stop "${name}v"
	assert_cleaned "${name}v"
	[ "$(find "$root" -xdev -printf '%p %s %T@\n' | sort)" = "$sums" ]

	img=$DS_TEST_DIR/kg.img
	make_image_from "$DS_FIXTURES/$fixture" "$img" 1G
	kp_guest_start "${name}i" "$2" -i "$img"
	[[ $(losetup -n -O NAME -j "$img") =~ ^/dev/loop[0-9]+$ ]]
	kp_guest_use "${name}i" "$2"
	st_stop "${name}i"
	assert_cleaned "${name}i"
	wait_for 5 test -z "$(losetup -n -O NAME -j "$img")"
}

# The short subset: the oldest profile, each init once.
@test "kernel 3.18: a systemd guest (252, on the v1 hierarchies) boots to running, run, enter, stops through its halt" {
	kp_guest 3.18 systemd
}
@test "kernel 3.18: a sysvinit+OpenRC guest (in a network namespace of its own) boots to default, run, enter, stops through initctl" {
	kp_guest 3.18 openrc
}

# bats test_tags=kernels-full
@test "kernel 3.18 full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 3.18 systemd; }
# bats test_tags=kernels-full
@test "kernel 3.18 full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 3.18 openrc; }
# bats test_tags=kernels-full
@test "kernel 4.4 full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.4 systemd; }
# bats test_tags=kernels-full
@test "kernel 4.4 full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.4 openrc; }
# bats test_tags=kernels-full
@test "kernel 4.9 full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.9 systemd; }
# bats test_tags=kernels-full
@test "kernel 4.9 full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.9 openrc; }
# bats test_tags=kernels-full
@test "kernel 4.14 full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.14 systemd; }
# bats test_tags=kernels-full
@test "kernel 4.14 full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.14 openrc; }
# bats test_tags=kernels-full
@test "kernel 4.19 full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.19 systemd; }
# bats test_tags=kernels-full
@test "kernel 4.19 full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 4.19 openrc; }
# bats test_tags=kernels-full
@test "kernel 5.4 full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 5.4 systemd; }
# bats test_tags=kernels-full
@test "kernel 5.4 full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 5.4 openrc; }
# bats test_tags=kernels-full
@test "kernel 5.10 full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 5.10 systemd; }
# bats test_tags=kernels-full
@test "kernel 5.10 full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full 5.10 openrc; }
# bats test_tags=kernels-full
@test "kernel today full: systemd start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full today systemd; }
# bats test_tags=kernels-full
@test "kernel today full: OpenRC start, run, enter, info, show, scan, stop; volatile; image" { kp_guest_full today openrc; }

# Debian 13's stock systemd 257 (the fixture as shipped, dbus included) on the oldest kernels.
# Its dbus.service asks for AmbientCapabilities=CAP_AUDIT_WRITE; a kernel before 4.3 has no
# ambient set (prctl(PR_CAP_AMBIENT) is EINVAL there, as under the profile: the emulation is
# faithful), and systemd then fails the unit at exec (status 218/CAPABILITIES) instead of
# starting it without: the guest is "degraded" with dbus.service and dbus.socket failed. No
# droidspaces defect (a container manager cannot give a kernel ambient capabilities); a drop-in
# that empties the unit's ambient set boots it to "running" (README, Old kernels).

# kp_sd_settled NAME: systemd in NAME has finished starting up ("running" or "degraded").
kp_sd_settled() {
	local state
	state=$(in_container "$1" systemctl is-system-running) || true
	[[ $state == running || $state == degraded ]]
}

# kp_trixie PROFILE NAME [DROPIN]: under PROFILE the stock trixie guest NAME starts (start
# --wait) and settles; with DROPIN, dbus.service first gets an empty AmbientCapabilities= in
# its /etc. Sets KP_ROOT (the rootfs), KP_STATE and KP_FAILED (the failed units, one line).
kp_trixie() {
	require_fixture debian-trixie-systemd-stock
	under "$1"
	KP_ROOT=$(fixture_copy debian-trixie-systemd-stock)
	if [[ -n ${3:-} ]]; then
		mkdir -p "$KP_ROOT/etc/systemd/system/dbus.service.d"
		printf '[Service]\nAmbientCapabilities=\n' >"$KP_ROOT/etc/systemd/system/dbus.service.d/no-ambient.conf"
	fi
	st_start "$2" -r "$KP_ROOT" --wait=120
	adopt_ct "$2"
	[[ $(in_container "$2" systemctl --version) == "systemd 257 "* ]]
	wait_for 60 kp_sd_settled "$2"
	KP_STATE=$(in_container "$2" systemctl is-system-running) || true
	KP_FAILED=$(in_container "$2" systemctl --failed --no-legend --plain | awk '{ print $1 }' | sort | xargs)
	echo "# $1: $KP_STATE; failed: ${KP_FAILED:-none}" >&3
}

# kp_trixie_stop NAME: NAME halts through systemd (its halt marker written), nothing left.
kp_trixie_stop() {
	st_stop "$1"
	[ "$(line_count "$KP_ROOT/var/log/ds-test-halted")" -eq 1 ]
	assert_cleaned "$1"
}

# bats test_tags=kernels-full
@test "kernel 3.18 full: Debian trixie's stock systemd 257 is degraded, only dbus failed (its AmbientCapabilities= needs 4.3: 218/CAPABILITIES); running with a drop-in emptying it" {
	kp_trixie 3.18 kt318
	[ "$KP_STATE" = degraded ]
	[ "$KP_FAILED" = "dbus.service dbus.socket" ]
	[ "$(in_container kt318 systemctl show -P ExecMainStatus dbus.service)" = 218 ]
	in_container kt318 journalctl -b -u dbus.service --no-pager | grep -q 'Failed to apply ambient capabilities'
	# the rest of the guest works: run and enter
	kp_guest_use kt318 systemd
	kp_trixie_stop kt318

	kp_trixie 3.18 kt318d dropin
	[ "$KP_STATE" = running ]
	[ -z "$KP_FAILED" ]
	[ "$(in_container kt318d systemctl is-active dbus.service)" = active ]
	kp_trixie_stop kt318d
}

# bats test_tags=kernels-full
@test "kernel 4.4 full: Debian trixie's stock systemd 257 (ambient capabilities since 4.3) boots to running, dbus active" {
	kp_trixie 4.4 kt44
	[ "$KP_STATE" = running ]
	[ -z "$KP_FAILED" ]
	[ "$(in_container kt44 systemctl is-active dbus.service)" = active ]
	kp_guest_use kt44 systemd
	kp_trixie_stop kt44
}

# --------------------------------------------------------------------------
# What a filter cannot emulate, through the product's fault switches

# A kernel before 4.1 has no NSpid line: scan and the identity check walk the PID namespaces
# instead (DROIDSPACES_FAULT=no-nspid ignores the line). Under the oldest profile, with a
# process that `run` put into the container's namespace and cgroup (its parent, the CLI, is
# outside: it heads a chain just as init does, but started later): only init is registered.
@test "kernel 3.18 without NSpid (fault no-nspid): scan registers init only, not a run child; status and stop work" {
	require_fixture busybox
	require_cmd strace
	local root name=kpnspid sleeper
	under 3.18
	root=$(fixture_copy busybox)
	start_ct "$name" "$root"
	wait_for 10 booted "$CT_PID"
	"$DS" --name="$name" run sleep 120 </dev/null >/dev/null 2>&1 &
	BG_PIDS+=("$!")
	wait_for 10 ct_sleeper
	sleeper=$(ct_sleeper)
	[[ $sleeper =~ ^[0-9]+$ ]]
	grep -q "/droidspaces/$name\$" "/proc/$sleeper/cgroup"

	rm -f "$(ws_pidfile "$name")"
	# traced: the walk (and only it) looks at the host init's PID namespace, /proc/1/ns/pid
	KP_SCAN_WRAP=(strace -f -qq -e trace=%stat -o "$DS_TEST_DIR/scan.trace")
	DROIDSPACES_FAULT=no-nspid scan_ours "$name"
	refute grep -q "pid $sleeper)" <<<"$output"
	grep -q '"/proc/1/ns/pid"' "$DS_TEST_DIR/scan.trace"
	DROIDSPACES_FAULT=no-nspid "$DS" --name="$KP_REG" status
	DROIDSPACES_FAULT=no-nspid stop_ct "$KP_REG"
	wait_for 10 kp_gone "$name" "$KP_REG"
	wait_bg || true
}

# ct_sleeper: the PID of a "sleep" in container CT_PID's PID namespace (status 1: none).
ct_sleeper() {
	local c p
	for c in /proc/[0-9]*/comm; do
		[[ $(cat "$c" 2>/dev/null) == sleep ]] || continue
		p=${c#/proc/}
		p=${p%/comm}
		[[ $(readlink "/proc/$p/ns/pid") == "$(readlink "/proc/$CT_PID/ns/pid")" ]] && echo "$p" && return 0
	done
	return 1
}

# A kernel without multiple devpts instances mounts the host's devpts for "newinstance": the
# start is refused with the reason (DROIDSPACES_FAULT=devpts-shared stands for such a kernel),
# and nothing is left.
@test "kernel 3.18 with one devpts instance (fault devpts-shared): start refused with the reason, nothing left" {
	require_fixture busybox
	local root
	under 3.18
	root=$(fixture_copy busybox)
	DROIDSPACES_FAULT=devpts-shared st_refused "not a new instance" --name=kppts -r "$root"
	nothing_left kppts
}

# A kernel that refuses every devpts option but "newinstance" (DROIDSPACES_FAULT=devpts-bare
# stands for it: a filter cannot read mount options): the guest's devpts is an instance of its
# own with the kernel's defaults, and a terminal can still be opened in it.
@test "kernel 3.18 taking only the barest devpts options (fault devpts-bare): a new instance, terminals work" {
	require_fixture busybox
	local root opts
	under 3.18
	root=$(fixture_copy busybox)
	DROIDSPACES_FAULT=devpts-bare start_ct kpbare "$root"
	wait_for 10 booted "$CT_PID"
	opts=$(awk '$5 == "/dev/pts" { print $NF }' "/proc/$CT_PID/mountinfo")
	echo "# /dev/pts inside: $opts" >&3
	[[ ,$opts, == *,ptmxmode=000,* ]]
	[[ ,$opts, != *,gid=5,* ]]
	# not the host's devpts
	[ "$(stat -c %d "/proc/$CT_PID/root/dev/pts")" != "$(stat -c %d /dev/pts)" ]
	# a terminal from the guest's own instance (root opens ptmx whatever its mode)
	run in_container kpbare sh -c 'exec 3<>/dev/ptmx && ls /dev/pts'
	[ "$status" -eq 0 ]
	[[ $output == *0* ]]
	stop_ct kpbare
}

# Before 5.12 there is no mount_setattr: a read-only bind must still be read-only down the
# whole tree (each mount below the source remounted too), with nosuid and the rest kept.
@test "kernel 5.10 (no mount_setattr): a read-only bind is read-only down the whole tree, submounts included" {
	require_fixture busybox
	local root src=$DS_TEST_DIR/bsrc
	under 5.10
	mkdir -p "$src/sub"
	echo top >"$src/f"
	echo "$src/sub" >>"$DS_TEST_DIR/.mounts"
	mount -t tmpfs -o size=1m,nosuid kp-sub "$src/sub"
	echo sub >"$src/sub/g"
	root=$(fixture_copy busybox)
	mkdir -p "$root/mnt"
	start_ct kpro "$root" -B "$src:/mnt/ro:ro"
	wait_for 10 booted "$CT_PID"
	[ "$(in_container kpro cat /mnt/ro/f)" = top ]
	[ "$(in_container kpro cat /mnt/ro/sub/g)" = sub ]
	run in_container kpro sh -c 'echo x >/mnt/ro/new'
	[ "$status" -ne 0 ]
	run in_container kpro sh -c 'echo x >/mnt/ro/sub/new'
	[ "$status" -ne 0 ]
	[ ! -e "$src/new" ]
	[ ! -e "$src/sub/new" ]
	has_opt "$(awk '$5 == "/mnt/ro/sub" { o = $6 } END { print o }' "/proc/$CT_PID/mountinfo")" nosuid
	stop_ct kpro
	assert_cleaned kpro
}

@test "kernel 5.4 (no mount_setattr): --private-users shifts the rootfs's ids on disk by itself (check says chown); busybox boots in its range" {
	require_fixture busybox
	local root base
	under 5.4
	run "$DS" --json check
	[[ $(jq -r '.features[] | select(.key == "idmapped_mounts") | .detail' <<<"$output") == *"auto: chown"* ]]
	root=$(fixture_copy --copy busybox)
	st_start kpus -r "$root" --private-users
	[[ $stderr == "droidspaces: shifting the ids of $root"*"this kernel has no mount_setattr"* ]]
	adopt_ct kpus # CT_ST, CT_MON and CT_MON_ST, which st_start does not set
	wait_for 10 booted "$CT_PID"
	base=$(awk '$3 == "kpus" { print $1 }' "$DROIDSPACES_WORKSPACE/userns.ranges")
	[ "$base" -ge 524288 ]
	grep -qx "private_users_shift=$base:65536" "$DROIDSPACES_WORKSPACE/Containers/kpus/container.config"
	[ "$(stat -c %u:%g "$root")" = "$base:$base" ]
	[ "$("$DS" --name=kpus run id -u)" = 0 ]
	"$DS" --name=kpus run touch /root/made
	[ "$(stat -c %u "$root/root/made")" = "$base" ]
	st_stop kpus
	# as in the other profile tests: under the profile init and the monitor may be reaped a moment
	# after stop returns (kp_gone); gone within the deadline, and nothing left
	wait_for 10 ! proc_alive "$CT_PID" "$CT_ST"
	wait_for 10 ! proc_alive "$CT_MON" "$CT_MON_ST"
	assert_cleaned kpus
}

# --------------------------------------------------------------------------
# check under the profiles (issue 14, item 3): its rows say what each profile takes away, and
# its verdict is what start then does there (refused, or booted with the warning check names).

# kp_check PROFILE: `check --json` under PROFILE into KP_CHECK, its exit status into KP_CHECK_RC.
kp_check() {
	under "$1"
	run "$DS" --json check
	KP_CHECK=$output KP_CHECK_RC=$status
	jq -e .features <<<"$output" >/dev/null || {
		echo "check --json under $1 is not JSON: $output" >&2
		return 1
	}
}
# kp_row KEY [FIELD]: a row's field of KP_CHECK (default: available: true, false or null).
kp_row() { jq -r --arg k "$1" --arg f "${2:-available}" '.features[] | select(.key == $k) | .[$f]' <<<"$KP_CHECK"; }
# kp_version PROFILE: 3.18 -> 318, 5.10 -> 510, today (and variants) -> 9999.
kp_version() {
	if [[ $1 =~ ^([0-9]+)\.([0-9]+)$ ]]; then
		echo $((BASH_REMATCH[1] * 100 + BASH_REMATCH[2]))
	else
		echo 9999
	fi
}

# kp_rows_agree PROFILE: every row of check under PROFILE is what the profile leaves of today's
# answers (TODAY, from check without a profile): a feature newer than the profile says "no", the
# rest as today (NSpid, 4.1: through the no-nspid switch `under` sets). The cgroup rows follow the profile's mounts on a hybrid host (cgroup2 detached
# before 4.5: the v1 devices controller then carries the device policy and cgroups are killed
# task by task; 4.5 to 4.14: cgroup2 without device programs, so none).
kp_rows_agree() {
	local p=$1 v key want got bad=0
	local -A since=([clone3]=503 [pidfd]=503 [openat2]=506 [close_range]=509 [loop_configure]=508
		[mount_setattr]=512 [idmapped_mounts]=512 [cgroup_ns]=406 [nspid]=401) rows=()
	v=$(kp_version "$p")
	kp_check "$p"
	# one jq per profile: "key available" lines into rows[]
	while read -r key got; do rows[$key]=$got; done < <(jq -r '.features[] | "\(.key) \(.available)"' <<<"$KP_CHECK")
	for key in "${!TODAY_ROWS[@]}"; do
		want=${TODAY_ROWS[$key]}
		[[ -n ${since[$key]:-} && $v -lt ${since[$key]} ]] && want=false
		if [[ $KP_HYBRID == 1 ]]; then
			# cgroup2 detached before 4.5: no cgroup.kill either (v1 cgroups are killed task by task)
			[[ ($key == cgroup2 || $key == cgroup_kill) && $v -lt 405 ]] && want=false
			[[ $key == device_cgroup && $v -lt 415 ]] && { [[ $v -lt 405 ]] && want=true || want=false; }
		elif [[ $key == cgroup2 || $key == device_cgroup || $key == cgroup_kill ]]; then
			want=${rows[$key]:-} # not a hybrid host: the profile's mounts are not emulated
		fi
		[[ $p == noseccomp && ($key == seccomp || $key == seccomp_tsync) ]] && want=false
		got=${rows[$key]:-missing}
		if [[ $got != "$want" ]]; then
			echo "profile $p: row $key is $got, want $want ($(kp_row "$key" detail))" >&2
			bad=1
		fi
	done
	[[ $KP_HYBRID != 1 || $v -ge 405 ]] || [[ $(kp_row device_cgroup detail) == *"v1 devices"* ]] || bad=1
	# no required row missing: the verdict says start goes on, as it does under every profile
	[ "$(jq -r .verdict <<<"$KP_CHECK")" != refused ] && [ "$KP_CHECK_RC" -eq 0 ] || bad=1
	return "$bad"
}

kp_today() {
	run "$REAL_DS" --json check
	[ "$status" -eq 0 ]
	TODAY=$output
	declare -gA TODAY_ROWS=()
	local key val
	while read -r key val; do TODAY_ROWS[$key]=$val; done < <(jq -r '.features[] | "\(.key) \(.available)"' <<<"$TODAY")
	[ "${#TODAY_ROWS[@]}" -ge 30 ] # a test that compares nothing must fail
	KP_HYBRID=0
	if [[ $(KP_CHECK=$TODAY kp_row cgroups detail) == hybrid* && $(KP_CHECK=$TODAY kp_row cgroups detail) == *" devices"* ]]; then
		KP_HYBRID=1
	else
		echo "# not a hybrid cgroup host: the cgroup rows are not compared with the profiles" >&3
	fi
}

@test "check under every kernel profile (and noseccomp): each row says what the profile takes away, the verdict ready" {
	require_cmd jq
	local p bad=0
	kp_today
	for p in "${KP_PROFILES[@]}" noseccomp; do
		kp_rows_agree "$p" || bad=1
	done
	[ "$bad" -eq 0 ]
	# the text form says the same as the JSON: 4.4 lacks clone3, with its fallback named
	under 4.4
	run "$DS" check
	[ "$status" -eq 0 ]
	grep -Eq '^  \[ -- \] clone3 \(5\.3\) +no +fallback: ' <<<"$output"
	grep -Eq '^  \[WARN\] cgroup namespace \(4\.6\) +no +no cgroup namespace' <<<"$output"
	grep -q '^Verdict: ready, with .* fallbacks in use\.$' <<<"$output"
}

# kp_start_says PROFILE KEY WARNING: check under PROFILE says "no" for row KEY (a warning, not a
# refusal); a busybox guest then boots there, its log carries WARNING, info says the same, and it stops clean.
kp_start_says() {
	require_fixture busybox
	local root name=kw${1//./}
	kp_check "$1"
	[ "$(kp_row "$2")" = false ]
	[ "$KP_CHECK_RC" -eq 0 ]
	root=$(fixture_copy busybox)
	start_ct "$name" "$root"
	wait_for 10 booted "$CT_PID"
	wait_for 5 grep -q "$3" "$(ws_log "$name")"
	grep -F "[droidspaces] warning:" "$(ws_log "$name")"
	stop_ct "$name"
	assert_cleaned "$name"
}

@test "check and start under 4.14 (no cgroup2 device programs, cgroup2 mounted): check warns, start boots and logs that every device node is open" {
	require_cmd jq
	kp_today
	[[ $KP_HYBRID == 1 ]] || skip_loud "needs a hybrid cgroup host (cgroup2 beside v1 controllers)"
	kp_start_says 4.14 device_cgroup "this kernel has no device cgroup"
}

@test "check and start under 3.18 on a hybrid host: the device policy falls back to the v1 devices controller" {
	require_cmd jq
	require_fixture busybox
	local root
	kp_today
	[[ $KP_HYBRID == 1 ]] || skip_loud "needs a hybrid cgroup host (cgroup2 beside v1 controllers)"
	kp_check 3.18
	[ "$(kp_row device_cgroup)" = true ]
	[[ $(kp_row device_cgroup detail) == *"v1 devices controller"* ]]
	root=$(fixture_copy busybox)
	start_ct kwdev "$root"
	wait_for 10 booted "$CT_PID"
	run "$DS" --name=kwdev info
	echo "$output"
	grep -q '^Devices: *restricted (v1 devices controller)' <<<"$output"
	# a node the guest makes (mknod stays allowed) cannot be opened: /dev/mem is not in the policy
	# (through `run`, which joins the container's cgroups; nsenter would not)
	in_container kwdev mknod /tmp/kw-mem c 1 1
	run "$DS" --name=kwdev run head -c1 /tmp/kw-mem
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"not permitted"* ]]
	stop_ct kwdev
	assert_cleaned kwdev
}

@test "check and start under noseccomp (a kernel without CONFIG_SECCOMP_FILTER): check warns, start boots and logs that the guest is unfiltered" {
	require_cmd jq
	kp_start_says noseccomp seccomp "the guest runs without a syscall filter"
}

# run and enter there do as start does: the command runs without the filter (init has none of
# droidspaces' either), with the warning on the caller's stderr, and works.
@test "run and enter under noseccomp (a kernel without CONFIG_SECCOMP_FILTER): the command runs unfiltered, with the warning" {
	require_fixture busybox
	local root warn='droidspaces: warning: this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER); the command runs without a syscall filter'
	under noseccomp
	root=$(fixture_copy busybox)
	start_ct kwsec "$root"
	wait_for 10 booted "$CT_PID"
	run_ds_err --name=kwsec run sh -c 'echo "ran-$((6*7))"; grep ^Seccomp: /proc/self/status'
	[ "$status" -eq 0 ]
	# (kprofile's own filter is there: Seccomp 2, one filter only, not droidspaces' on top)
	[ "$output" = $'ran-42\nSeccomp:\t2' ]
	[ "$stderr" = "$warn" ]
	# the same through enter, without a terminal: commands from stdin, the exit status kept
	run_ds_err -n kwsec enter < <(printf '%s\n' 'echo "entered-$((6*7))"' 'exit 3')
	[ "$status" -eq 3 ]
	[ "$output" = entered-42 ]
	[ "$stderr" = "$warn" ]
	stop_ct kwsec
	assert_cleaned kwsec
}

@test "check and start under 3.18 with one devpts instance (fault devpts-shared): check refuses (exit 1), and so does start" {
	require_cmd jq
	require_fixture busybox
	local root
	DROIDSPACES_FAULT=devpts-shared kp_check 3.18
	[ "$KP_CHECK_RC" -eq 1 ]
	[ "$(jq -r .verdict <<<"$KP_CHECK")" = refused ]
	[ "$(kp_row devpts_instances)" = false ]
	run env DROIDSPACES_FAULT=devpts-shared "$DS" check
	[ "$status" -eq 1 ]
	grep -Eq '^  \[FAIL\] devpts instances .* no +refused: ' <<<"$output"
	grep -q '^Verdict: this system cannot run containers (1 required feature missing)\.$' <<<"$output"
	root=$(fixture_copy busybox)
	DROIDSPACES_FAULT=devpts-shared st_refused "not a new instance" --name=kwpts -r "$root"
	nothing_left kwpts
}

# The full matrix: under every profile, check's verdict is ready and a busybox start succeeds.
# (noseccomp has its own tests above.)
# bats test_tags=kernels-full
@test "check full: under every kernel profile the verdict is ready and a busybox guest starts" {
	full_only
	require_cmd jq
	local p
	for p in "${KP_PROFILES[@]}"; do
		echo "=== profile $p"
		kp_check "$p"
		[ "$KP_CHECK_RC" -eq 0 ]
		kp_short "$p"
	done
}
