#!/usr/bin/env bats
# Confinement (issue 11, first part): the seccomp filter every guest process
# runs under, in init and in what `run` starts. Probed as guest root with a
# small static program (tests/e2e/probes/escapeprobe.c), one row per class,
# and with the real thing users hit: a guest's `mount -o remount,ro /` on a
# rootfs directory that shares its filesystem with the host.
#
# Every test runs between common_setup and common_teardown, which fail it
# when the host changed (mounts and their ro flags included).

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
teardown() {
	local rc=0
	netns_holders_stop || rc=1
	common_teardown || rc=1
	return "$rc"
}

# escapeprobe NAME: the output of the probe run as root in container NAME.
escapeprobe() { run_probe escapeprobe "$1"; }

# fs_opts DIR: the mount options of the host filesystem that holds DIR.
fs_opts() { findmnt -no FS-OPTIONS -T "$1"; }
fs_vfs_opts() { findmnt -no VFS-OPTIONS -T "$1"; }

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

# fixture_fs NAME: print the path of a rootfs directory that is the root of
# an ext4 filesystem of its own (a loop-mounted image in DS_TEST_DIR, filled
# from the cached fixture NAME), so that a guest's superblock remount shows
# and nothing else of the host has files open on it. The test unmounts it
# (autoclear frees the loop device); teardown unmounts it if the test failed.
fixture_fs() {
	local img=$DS_TEST_DIR/$1.ext4 mnt=$DS_TEST_DIR/fs.$1
	truncate -s 1G "$img"
	mkfs.ext4 -q -F -d "$DS_FIXTURES/$1" "$img" >&2 || return 1
	mkdir -p "$mnt"
	echo "$mnt" >>"$DS_TEST_DIR/.mounts"
	mount -o loop "$img" "$mnt" || return 1
	echo "$mnt"
}

# stock_halt_test FIXTURE NAME: boot the stock FIXTURE from a filesystem of
# its own (fixture_fs: the guest shares that superblock with the host) inside a network namespace of the test's
# own; check while it runs that it made no named cgroup hierarchy and sits in
# droidspaces/NAME; halt it with stop; the filesystem stays read-write, the
# namespace's links as they were. common_teardown compares the rest.
stock_halt_test() {
	local fixture=$1 name=$2 root holder before hier
	require_fixture "$fixture"
	require_cmd unshare nsenter ip mkfs.ext4
	root=$(fixture_fs "$fixture")
	before=$(fs_opts "$root")
	[[ $before == rw || $before == rw,* ]]
	hier=$(cut -d: -f1,2 /proc/self/cgroup)
	holder=$(netns_holder_start) || return 1
	net_state "$holder" >"$DS_TEST_DIR/net.before"
	DS_WRAP=(nsenter -t "$holder" -n --)
	st_start "$name" -r "$root"
	DS_WRAP=()
	[ "$(netns_of "$CT_PID")" = "$(netns_of "$holder")" ]
	wait_for 120 booted "$CT_PID"
	# no new (named) v1 hierarchy, no release agent: the kernel lists every hierarchy here
	[ "$(cut -d: -f1,2 /proc/self/cgroup)" = "$hier" ]
	# init in droidspaces/NAME (cgroup2, or every v1 hierarchy on a v1-only host)
	if grep -q '^0::' "/proc/$CT_PID/cgroup"; then
		grep -qE "^0::/droidspaces/$name(/|\$)" "/proc/$CT_PID/cgroup"
	else
		refute grep -qvE ":/droidspaces/$name(/|\$)" "/proc/$CT_PID/cgroup"
	fi
	st_stop "$name"
	grep -q halted "$root/var/log/ds-test-halted"
	net_state "$holder" >"$DS_TEST_DIR/net.after"
	diff -u "$DS_TEST_DIR/net.before" "$DS_TEST_DIR/net.after"
	if [[ $(fs_opts "$root") != "$before" ]]; then
		echo "the guest's halt remounted the host's filesystem: $(fs_opts "$root")" >&2
		umount "$root"
		return 1
	fi
	umount "$root"
}

@test "stock guests: Debian sysvinit+OpenRC as shipped (umountroot, NETDOWN=yes, OpenRC cgroups, hwclock; plus the boot marker) boots and halts; the host's filesystem, cgroups and links stay as they were" {
	stock_halt_test debian-openrc-stock orcstock
}

@test "stock guests: Debian systemd as shipped (plus the boot marker) boots and halts; the host's filesystem, cgroups and links stay as they were" {
	stock_halt_test debian-systemd-stock sdstock
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
