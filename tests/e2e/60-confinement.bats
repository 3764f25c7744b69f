#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2016,SC2054,SC2086 # CT_* are set per test; guest commands in single quotes; setpriv lists; CAP_* lists (lib/caps.bash) split on purpose
# Confinement, end to end: the seccomp filter (probed as guest root with
# tests/e2e/probes/escapeprobe.c, and a guest's `mount -o remount,ro /`), the
# capability bounding set (tests/e2e/probes/capprobe.c), what a guest's
# processes get from whoever launched droidspaces (fds, inheritable and
# ambient capabilities, groups, umask, rlimits, oom_score_adj: none of it),
# cgroups (none mounted, 150 nested), masked /proc and /sys paths (fail
# closed) and the device policy.
#
# Tags: hostile, fault.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed (mounts and their ro
# flags included).

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
# never a link left behind on the host (the caps test tries to add one)
teardown() { netns_teardown dstest; }

# escapeprobe NAME: the output of the probe run as root in container NAME.
escapeprobe() { run_probe escapeprobe "$1"; }

@test "seccomp: init and run are filtered; file handles, the kernel log, kexec, modules, superblock remounts refused; bind remounts allowed" {
	require_fixture busybox
	local root out
	# a real directory on the fixture's ext4 (overlayfs has no file handles)
	root=$(fixture_copy --copy busybox)
	st_start scct -r "$root"
	wait_for 10 booted "$CT_PID"
	# init carries the filter (Seccomp: 2), and so does what run starts
	[ "$(awk '/^Seccomp:/ { print $2 }' "/proc/$CT_PID/status")" = 2 ]
	out=$(escapeprobe scct)
	echo "$out"
	grep -qx 'seccomp: 2' <<<"$out"
	grep -qx 'handle: EPERM' <<<"$out"
	grep -qx 'syslog: EPERM' <<<"$out"
	grep -qx 'module: EPERM' <<<"$out"
	grep -qx 'remount: EPERM' <<<"$out"
	grep -qx 'fspick: ENOSYS' <<<"$out"
	# the filter lets a bind remount (one mount's flags) through
	grep -qx 'bindro: ok' <<<"$out"
	if grep -q '^kexec: skipped' <<<"$out"; then
		echo "# kexec_file_load does not exist on this architecture" >&3
	else
		grep -qx 'kexec: EPERM' <<<"$out"
	fi
	# dmesg, as a user runs it
	run "$DS" --name=scct run dmesg
	[ "$status" -ne 0 ]
	st_stop scct
}

@test "seccomp: a guest's 'mount -o remount,ro /' leaves the host's filesystem under a rootfs directory read-write" {
	require_fixture busybox
	local root before
	root=$(fixture_copy --copy busybox)
	before=$(fs_opts "$root")
	[[ $before == rw,* || $before == rw ]]
	st_start rorct -r "$root"
	wait_for 10 booted "$CT_PID"
	run "$DS" --name=rorct run mount -o remount,ro /
	echo "$output"
	if [[ $(fs_opts "$root") != "$before" ]]; then
		# the safety net: put the fixture filesystem back before failing
		mount -o remount,rw "$(findmnt -no TARGET -T "$root")"
		echo "the guest remounted the host's filesystem: $(fs_opts "$root")" >&2
		return 1
	fi
	[ "$status" -ne 0 ]
	[[ $output == *"ermission denied"* || $output == *"not permitted"* ]]
	# the guest's own view of / stays writable too
	"$DS" --name=rorct run touch /rw-probe
	[ -e "$root/rw-probe" ]
	st_stop rorct
	[ "$(fs_opts "$root")" = "$before" ]
}

@test "seccomp: --privileged=seccomp boots unfiltered, saved with the settings; info shows the filter; a bad piece is refused" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	st_start pvct -r "$root"
	wait_for 10 booted "$CT_PID"
	"$DS" --name=pvct info | grep -qx 'Seccomp: *filtered'
	"$DS" --name=pvct info --json | grep -q '"seccomp": *true'
	st_stop pvct
	st_start pvct -r "$root" --privileged=seccomp
	wait_for 10 booted "$CT_PID"
	[ "$(awk '/^Seccomp:/ { print $2 }' "/proc/$CT_PID/status")" = 0 ]
	[ "$("$DS" --name=pvct run awk '/^Seccomp:/ { print $2 }' /proc/self/status)" = 0 ]
	"$DS" --name=pvct info | grep -qx 'Seccomp: *off'
	grep -qx 'privileged=seccomp' "$DROIDSPACES_WORKSPACE/Containers/pvct/container.config"
	st_stop pvct
	st_refused "is not a piece of the confinement" --name=pvbad -r "$root" --privileged=seccomp,bogus
}

# what droidspaces drops by default, and what --hw-access keeps of it
DROPPED_CAPS="$CAP_NET_ADMIN $CAP_SYS_MODULE $CAP_SYS_RAWIO $CAP_SYS_TIME $CAP_AUDIT_CONTROL $CAP_MAC_OVERRIDE $CAP_MAC_ADMIN $CAP_AUDIT_READ"

# expected_capbnd DROPPED-BITS...: our own bounding set minus those bits (hex).
# but_caps KEPT-BITS...: $DROPPED_CAPS without those.
but_caps() {
	local b k out=""
	for b in $DROPPED_CAPS; do
		for k in "$@"; do [[ $b == "$k" ]] && continue 2; done
		out+=" $b"
	done
	echo "$out"
}

# capprobe NAME: the output of tests/e2e/probes/capprobe.c run in container NAME.
capprobe() { run_probe capprobe "$1"; }

expected_capbnd() {
	local mask b
	mask=$((0x$(capbnd_of $$)))
	for b in "$@"; do mask=$((mask & ~(1 << b))); done
	printf '%016x\n' "$mask"
}

@test "caps: NET_ADMIN, SYS_MODULE, SYS_TIME, SYS_RAWIO, MAC_*, AUDIT_CONTROL/READ out of the bounding set of init, run and enter; ip link add, a module, the clock are refused; --keep-caps" {
	require_fixture busybox
	require_cmd musl-gcc
	local root want bnd out
	root=$(fixture_copy busybox)
	# shellcheck disable=SC2046 # a list of bits
	want=$(expected_capbnd $(but_caps))

	st_start capct -r "$root"
	wait_for 10 booted "$CT_PID"
	bnd=$(capbnd_of "$CT_PID")
	[ "$bnd" = "$want" ]
	cap_set "$bnd" $CAP_SYS_ADMIN
	# inside: PID 1, a `run` process (bounding and effective), an `enter` shell
	[ "$(in_container capct awk '/^CapBnd:/ { print $2 }' /proc/1/status)" = "$want" ]
	[ "$("$DS" --name=capct run awk '/^CapBnd:/ { print $2 }' /proc/self/status)" = "$want" ]
	out=$("$DS" --name=capct run awk '/^CapEff:/ { print $2 }' /proc/self/status)
	refute cap_set "$out" $CAP_NET_ADMIN
	refute cap_set "$out" $CAP_SYS_MODULE
	out=$(echo 'awk "/^CapBnd:/ { print \$2 }" /proc/self/status; exit 0' | "$DS" --name=capct enter)
	[ "$(tail -n1 <<<"$out" | tr -d '\r')" = "$want" ]

	# The guest shares the host's network: a link cannot be added.  (If it
	# ever could, delete it at once and fail.)
	run "$DS" --name=capct run ip link add dstest type dummy
	if ip link show dstest >/dev/null 2>&1; then
		ip link del dstest
		echo "the guest created a link on the host" >&2
		return 1
	fi
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	# a kernel module and the host's clock (tried harmlessly, see the probe)
	out=$(capprobe capct)
	echo "$out"
	# EPERM even on a kernel without module support: the seccomp filter
	# answers before the kernel looks (tests/e2e/65-confinement.bats)
	grep -qx 'module: EPERM' <<<"$out"
	if grep -q '^settime: skipped' <<<"$out"; then
		echo "# the kernel's timezone is not UTC here: the clock probe was not tried (CapBnd checked above)" >&3
	else
		grep -qx 'settime: EPERM' <<<"$out"
	fi
	st_stop capct

	# --hw-access keeps SYS_RAWIO, nothing else
	# shellcheck disable=SC2046
	want=$(expected_capbnd $(but_caps $CAP_SYS_RAWIO))
	st_start caphw -r "$root" -H
	wait_for 10 booted "$CT_PID"
	[ "$(capbnd_of "$CT_PID")" = "$want" ]
	[ "$("$DS" --name=caphw run awk '/^CapBnd:/ { print $2 }' /proc/self/status)" = "$want" ]
	st_stop caphw

	# --keep-net-admin keeps NET_ADMIN (only the bit is checked: no link is made)
	# shellcheck disable=SC2046
	want=$(expected_capbnd $(but_caps $CAP_NET_ADMIN))
	st_start capkeep -r "$root" --keep-net-admin
	wait_for 10 booted "$CT_PID"
	bnd=$(capbnd_of "$CT_PID")
	[ "$bnd" = "$want" ]
	cap_set "$bnd" $CAP_NET_ADMIN
	[ "$("$DS" --name=capkeep run awk '/^CapBnd:/ { print $2 }' /proc/self/status)" = "$want" ]
	st_stop capkeep

	# --keep-caps keeps what it names (saved, so a restart by name keeps them too);
	# only the bits are checked: nothing is loaded and the clock is not set
	# shellcheck disable=SC2046
	want=$(expected_capbnd $(but_caps $CAP_SYS_TIME $CAP_AUDIT_READ))
	st_start capk2 -r "$root" --keep-caps=sys_time,CAP_AUDIT_READ
	wait_for 10 booted "$CT_PID"
	[ "$(capbnd_of "$CT_PID")" = "$want" ]
	[ "$(sed -n 's/^keep_caps=//p' "$DROIDSPACES_WORKSPACE/Containers/capk2/container.config")" = sys_time,audit_read ]
	st_stop capk2
	st_start capk2
	wait_for 10 booted "$CT_PID"
	[ "$(capbnd_of "$CT_PID")" = "$want" ]
	st_stop capk2
	# not one of the dropped ones: refused, nothing started
	st_refused "--keep-caps: 'sys_admin' is not one of the capabilities droidspaces drops" --name=capk3 -r "$root" --keep-caps=sys_admin
}

# bats test_tags=hostile
@test "capabilities: init and run commands have empty inheritable and ambient sets whatever the caller had" {
	require_fixture busybox
	require_cmd setpriv
	local root name=caps15 caller
	local -a wrap=(setpriv --inh-caps +net_raw,+chown --ambient-caps +net_raw)
	root=$(fixture_copy busybox)
	caller=$("${wrap[@]}" grep -E '^Cap(Inh|Amb):' /proc/self/status) ||
		skip_loud "setpriv cannot set inheritable and ambient capabilities here"
	echo "$caller"
	grep -q $'^CapInh:\t0000000000002001$' <<<"$caller" || skip_loud "setpriv did not raise CapInh: $caller"
	grep -q $'^CapAmb:\t0000000000002000$' <<<"$caller" || skip_loud "setpriv did not raise CapAmb: $caller"

	track_container "$name"
	run "${wrap[@]}" "$DS" --name="$name" --rootfs="$root" start
	[ "$status" -eq 0 ]
	CT_PID=$(ds_pid "$name")
	wait_for 10 booted "$CT_PID"
	run in_container "$name" grep -E '^Cap(Inh|Amb):' /proc/1/status
	echo "$output"
	[ "$output" = $'CapInh:\t0000000000000000\nCapAmb:\t0000000000000000' ]
	run "${wrap[@]}" "$DS" --name="$name" run grep -E '^Cap(Inh|Amb):' /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'CapInh:\t0000000000000000\nCapAmb:\t0000000000000000' ]
	stop_ct "$name"
}

# has_cap_sys_resource: this shell may raise hard rlimits (not in every sandbox).
has_cap_sys_resource() {
	local eff
	eff=$(sed -n 's/^CapEff:\t//p' /proc/self/status)
	(((16#$eff >> 24) & 1))
}

# bats test_tags=hostile
@test "defaults: groups, umask, rlimits and oom_score_adj of init and run commands are not the caller's" {
	require_fixture busybox
	require_cmd setpriv
	local root name=dflt15 hard nofile_hard nr_open lower
	root=$(fixture_copy busybox)
	nr_open=$(cat /proc/sys/fs/nr_open)
	if has_cap_sys_resource; then
		# both limits lowered: droidspaces raises them again
		lower='ulimit -n 64; ulimit -s 2048'
		nofile_hard=$((nr_open < 524288 ? nr_open : 524288))
	else
		# without CAP_SYS_RESOURCE nobody can raise a hard limit: soft ones only
		echo "# no CAP_SYS_RESOURCE here: lowering soft limits only" >&3
		lower='ulimit -S -n 64; ulimit -S -s 2048'
		hard=$(ulimit -H -n)
		nofile_hard=$((hard < 524288 ? hard : 524288))
	fi
	# hostile_ds ARGS...: droidspaces from a shell with umask 077, low limits,
	# two extra groups and oom_score_adj 500
	hostile_ds() {
		bash -c "umask 077; $lower; echo 500 >/proc/self/oom_score_adj; exec setpriv --groups 4242,4343 \"\$@\"" \
			hostile "$DS" "$@"
	}
	run bash -c "umask 077; $lower; echo 500 >/proc/self/oom_score_adj; exec setpriv --groups 4242,4343 sh -c 'umask; ulimit -n; cat /proc/self/oom_score_adj; id -G'"
	echo "the hostile caller: $output"
	[ "${lines[0]}" = 0077 ] && [ "${lines[1]}" = 64 ] && [ "${lines[2]}" = 500 ] && [ "${lines[3]}" = "0 4242 4343" ]

	track_container "$name"
	run hostile_ds --name="$name" --rootfs="$root" start
	echo "$output"
	[ "$status" -eq 0 ]
	CT_PID=$(ds_pid "$name")
	wait_for 10 booted "$CT_PID"
	# init, as the guest sees it
	run in_container "$name" sh -c 'grep -E "^(Groups|Umask):" /proc/1/status; cat /proc/1/oom_score_adj; grep -E "^Max (open files|stack size|core file size)" /proc/1/limits'
	echo "$output"
	grep -Eq $'^Groups:[ \t]*$' <<<"$output"
	grep -Eq $'^Umask:\t0022$' <<<"$output"
	[ "${lines[2]}" = 0 ]
	grep -Eq "^Max open files +1024 +$nofile_hard +files" <<<"$output"
	grep -Eq "^Max stack size +8388608 " <<<"$output"
	grep -Eq "^Max core file size +0 " <<<"$output"
	# a run command launched by the same hostile caller
	run hostile_ds --name="$name" run sh -c 'umask; ulimit -n; ulimit -s; cat /proc/self/oom_score_adj; id -G; grep "^Groups:" /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0022 ]
	[ "${lines[1]}" = 1024 ]
	[ "${lines[2]}" = 8192 ]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = 0 ]
	[[ ${lines[5]} =~ ^Groups:[[:space:]]*$ ]]
	stop_ct "$name"
}

# fd_listing PID-EXPR NAME: "FD -> TARGET" lines of /proc/PID-EXPR/fd as the
# guest NAME sees them (PID-EXPR is evaluated in the guest's shell).
fd_listing() {
	in_container "$2" sh -c "cd /proc/$1/fd && for f in *; do echo \"\$f -> \$(readlink \$f)\"; done"
}

# assert_stdio_only LISTING: exactly fds 0, 1 and 2, none of them a host path.
assert_stdio_only() {
	local fds
	echo "$1"
	fds=$(cut -d' ' -f1 <<<"$1" | sort -n | tr '\n' ' ')
	[ "$fds" = "0 1 2 " ]
	refute grep -Eq 'cgroup|droidspaces|ds-leak|/var/cache|'"$DS_TEST_DIR" <<<"$1"
}

# bats test_tags=hostile,fault
@test "fd hygiene: init and run commands hold only stdio, with clone3, without it, and without close_range" {
	require_fixture busybox
	local root mode name out gpid
	root=$(fixture_copy busybox)
	# an fd far above 1024 needs a soft limit above it
	if (($(ulimit -n) <= 1500)); then
		ulimit -S -n 2048 || skip_loud "cannot raise RLIMIT_NOFILE to 2048 for a caller's fd 1500"
	fi
	for mode in default no-clone3 no-close-range; do
		name=fd-$mode
		if [[ $mode == default ]]; then
			unset DROIDSPACES_FAULT
		else
			export DROIDSPACES_FAULT=$mode
		fi
		# The caller leaves fds open, one of them far above 1024.
		exec 7<"$root/etc/os-release" 8>"$DS_TEST_DIR/ds-leak" 1500>"$DS_TEST_DIR/ds-leak-high"
		start_ct "$name" "$root"
		wait_for 10 booted "$CT_PID"
		# init: the console on 0-2, and nothing else (its monitor's and the
		# cgroup directory of CLONE_INTO_CGROUP gone before the guest ran)
		out=$(fd_listing 1 "$name")
		assert_stdio_only "$out"
		refute grep -v ' -> /dev/console$' <<<"$out"
		[ "$(find "/proc/$CT_PID/fd" -mindepth 1 | wc -l)" -eq 3 ]
		# a run command: the caller's stdio, not its fds 3+ (bats' own, 7, 8,
		# 1500); sleep, since a shell opens fds of its own
		"$DS" --name="$name" run sleep 300 </dev/null >/dev/null 2>&1 &
		BG_PIDS+=($!)
		wait_for 10 in_container "$name" pidof sleep
		gpid=$(in_container "$name" pidof sleep)
		out=$(fd_listing "$gpid" "$name")
		assert_stdio_only "$out"
		[ "$(grep -c ' -> /dev/null$' <<<"$out")" -eq 3 ]
		in_container "$name" kill "$gpid"
		wait_bg || true
		exec 7<&- 8>&- 1500>&-
		stop_ct "$name"
		assert_cleaned "$name"
	done
	unset DROIDSPACES_FAULT
}

@test "cgroups: a start where no cgroup tree is mounted (a fresh /sys, as 'ip netns exec' makes) is refused with one line; the guest never runs in the host's root cgroup" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	track_container nocg
	# what `ip netns exec` does to /sys, in a mount namespace of this test's own
	run --separate-stderr unshare -m --propagation private sh -c \
		'umount -l /sys && mount -t sysfs sysfs /sys && exec "$0" --name=nocg -r "$1" start' "$DS" "$root"
	echo "$output / $stderr"
	[ "$status" -ne 0 ]
	assert_one_error_line "no cgroup hierarchy is mounted"
	[ ! -e "$(ws_pidfile nocg)" ]
}

# bats test_tags=hostile,fault
@test "cgroup: the guest makes 150 nested cgroups with a process in the deepest: stop succeeds, all gone (cgroup.kill and the task-by-task way)" {
	require_fixture busybox
	cg2_mount >/dev/null || skip_loud "no cgroup2 mount on the host: the nested-cgroup test needs it"
	local root fault deep chain i
	root=$(fixture_copy busybox)
	chain=$(for ((i = 1; i <= 150; i++)); do printf 'c%d/' "$i"; done)
	for fault in none no-cgroup-kill; do
		DROIDSPACES_FAULT=$fault st_start deepcg -r "$root"
		wait_for 10 booted "$CT_PID"
		deep=$(ct_cgroup deepcg)/$chain
		# as root in the guest: the chain below its own cgroup, a sleeper in the deepest
		"$DS" --name=deepcg run sh -c "mkdir -p /sys/fs/cgroup/$chain && \
			sh -c 'echo \$\$ >/sys/fs/cgroup/${chain}cgroup.procs && exec sleep 1000' \
			</dev/null >/dev/null 2>&1 &"
		wait_for 10 grep -q . "${deep}cgroup.procs"
		[ "$(find "$(ct_cgroup deepcg)" -mindepth 1 -type d | wc -l)" -ge 150 ]
		st_stop deepcg
		[ -z "$(cgroups_of deepcg)" ]
		[ ! -e "$(ct_cgroup deepcg)" ]
	done
}

# bats test_tags=fault
@test "masks: /proc and /sys paths runc masks are hidden or read-only in the guest; a mask that cannot be applied fails the start (fail closed)" {
	require_fixture busybox
	local root m opts
	root=$(fixture_copy busybox)
	st_start mkct -r "$root"
	wait_for 10 booted "$CT_PID"
	# masked by /dev/null: reads are empty
	for m in kcore keys timer_list sched_debug kmsg; do
		[[ -e /proc/$m ]] || continue
		[ -z "$("$DS" --name=mkct run head -c 16 "/proc/$m")" ]
	done
	# masked by an empty read-only tmpfs (where the host has them)
	for m in /proc/acpi /proc/scsi /proc/asound /sys/firmware /sys/devices/virtual/powercap; do
		[[ -e $m ]] || continue
		[ -z "$("$DS" --name=mkct run ls -A "$m")" ]
	done
	# read-only for the guest
	for m in /proc/irq /proc/fs /proc/bus /proc/sys /proc/sysrq-trigger; do
		[[ -e $m ]] || continue
		opts=$("$DS" --name=mkct run awk -v m="$m" '$2 == m { o = $4 } END { print o }' /proc/mounts)
		echo "$m: $opts"
		[[ $opts == ro,* ]]
	done
	st_stop mkct
	# fail closed: the fault point makes every mask fail as a kernel refusal would
	DROIDSPACES_FAULT=mask-fails st_refused "cannot mount" --name=mkfail -r "$root"
}

# blkprobe NAME [RUNNER]: in container NAME, make a node of the fixture
# filesystem's loop device (a host disk the guest must not read) and read its
# first byte; RUNNER runs droidspaces (default: "$DS").
blkprobe() {
	local dev mm runner=${2:-$DS}
	dev=$(findmnt -no SOURCE "$DS_FIXTURE_MNT")
	mm=$(stat -c '%t %T' "$dev")
	"$runner" --name="$1" run sh -c "rm -f /blkprobe && mknod /blkprobe b $((0x${mm% *})) $((0x${mm#* })) && dd if=/blkprobe of=/dev/null bs=1 count=1"
}

@test "devices: the guest opens the standard nodes but not a host disk's node it made (mknod allowed, open refused); --privileged=devices and -H lift it; info shows it" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	st_start dvct -r "$root"
	wait_for 10 booted "$CT_PID"
	"$DS" --name=dvct info | grep -qx 'Devices: *restricted (cgroup2 device program)'
	run blkprobe dvct
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	# the standard nodes
	"$DS" --name=dvct run sh -c 'head -c 4 /dev/urandom >/dev/null && echo x >/dev/null && head -c 4 /dev/zero >/dev/null'
	st_stop dvct
	st_start dvpriv -r "$root" --privileged=devices
	wait_for 10 booted "$CT_PID"
	"$DS" --name=dvpriv info | grep -qx 'Devices: *all'
	blkprobe dvpriv
	st_stop dvpriv
	st_start dvhw -r "$root" -H
	wait_for 10 booted "$CT_PID"
	"$DS" --name=dvhw info | grep -qx 'Devices: *all'
	st_stop dvhw
}

@test "devices: on a v1-only host the devices controller holds the same policy" {
	require_fixture busybox
	require_cmd unshare
	[[ -e /sys/fs/cgroup/unified/cgroup.controllers && -d /sys/fs/cgroup/devices ]] ||
		skip_loud "needs a hybrid host with the v1 devices controller to hide cgroup2 from droidspaces"
	local root
	root=$(fixture_copy busybox)
	track_container dv1
	run legacy_ds -r "$root" -n dv1 start
	echo "$output"
	[ "$status" -eq 0 ]
	wait_for 10 guest_booted dv1
	grep -q '^c 1:3 rwm$' /sys/fs/cgroup/devices/droidspaces/dv1/devices.list
	refute grep -q '^a ' /sys/fs/cgroup/devices/droidspaces/dv1/devices.list
	# run, as on a v1-only host, joins init's v1 cgroups (devices among them)
	run blkprobe dv1 legacy_ds
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	run legacy_ds -n dv1 stop
	[ "$status" -eq 0 ]
}
