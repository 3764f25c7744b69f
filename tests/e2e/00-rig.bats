#!/usr/bin/env bats
# Self-test of the e2e rig itself (fixtures, overlays, host snapshots, waiting,
# teardown).  Needs no droidspaces binary.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "rig: fixtures are built and bootable-looking" {
	local f
	for f in busybox debian-systemd debian-openrc; do
		[ -d "$DS_FIXTURES/$f" ]
		[ -s "$DS_FIXTURE_MNT/stamps/$f" ]
		# /sbin/init may be an absolute symlink (Debian): resolve it inside the tree.
		[ -L "$DS_FIXTURES/$f/sbin/init" ] || [ -x "$DS_FIXTURES/$f/sbin/init" ]
		chroot "$DS_FIXTURES/$f" /bin/sh -c 'test -x /sbin/init && test -x /usr/local/sbin/ds-test-marker'
		[ -f "$DS_FIXTURES/$f/etc/os-release" ]
		[ -s "$DS_FIXTURES/$f/etc/hostname" ]
	done
	# busybox: static, relative symlinks only
	[ "$(readlink "$DS_FIXTURES/busybox/sbin/init")" = ../bin/busybox ]
	run find "$DS_FIXTURES/busybox" -type l -lname '/*'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -qx 'ID=busybox' "$DS_FIXTURES/busybox/etc/os-release"
	# debian-systemd: empty machine-id, the masks are in place
	[ -f "$DS_FIXTURES/debian-systemd/etc/machine-id" ]
	[ ! -s "$DS_FIXTURES/debian-systemd/etc/machine-id" ]
	[ "$(readlink "$DS_FIXTURES/debian-systemd/etc/systemd/system/systemd-networkd-wait-online.service")" = /dev/null ]
	# debian-openrc: sysvinit + openrc, no gettys, container-friendly settings
	grep -q '^rc_sys="lxc"' "$DS_FIXTURES/debian-openrc/etc/rc.conf"
	grep -qx 'NETDOWN=no' "$DS_FIXTURES/debian-openrc/etc/default/halt"
	run grep -E '^[^#].*getty' "$DS_FIXTURES/debian-openrc/etc/inittab"
	[ "$status" -eq 1 ]
	[ ! -e "$DS_FIXTURES/debian-openrc/etc/runlevels/sysinit/hwclock.sh" ]
}

@test "rig: fixture_copy gives a private writable tree" {
	local lower=$DS_FIXTURES/busybox root root2 copy
	root=$(fixture_copy busybox)
	[ "$root" != "$lower" ]
	[[ $root == "$DS_TEST_DIR"/* ]]
	[ "$(findmnt -rn -o FSTYPE --mountpoint "$root")" = overlay ]

	echo written-by-test >"$root/etc/rig-probe"
	echo 'extra:x:1000:1000::/:/bin/sh' >>"$root/etc/passwd"
	rm "$root/etc/hostname"
	[ -f "$root/etc/rig-probe" ]
	[ ! -e "$root/etc/hostname" ]
	# nothing reached the cached fixture
	[ ! -e "$lower/etc/rig-probe" ]
	[ -f "$lower/etc/hostname" ]
	run grep -c '^extra:' "$lower/etc/passwd"
	[ "$output" = 0 ]

	# a second copy does not see the first one's writes
	root2=$(fixture_copy busybox)
	[ "$root2" != "$root" ]
	[ ! -e "$root2/etc/rig-probe" ]
	[ -f "$root2/etc/hostname" ]

	# --copy: a plain directory, same isolation
	copy=$(fixture_copy --copy busybox)
	! findmnt -rn --mountpoint "$copy" >/dev/null
	touch "$copy/etc/rig-probe2"
	[ ! -e "$lower/etc/rig-probe2" ]

	# the Debian fixtures overlay as well, and run
	root=$(fixture_copy debian-systemd)
	chroot "$root" /bin/true
}

@test "rig: host_snapshot is stable when nothing happens" {
	host_snapshot "$DS_TEST_DIR/a"
	host_snapshot "$DS_TEST_DIR/b"
	host_diff "$DS_TEST_DIR/a" "$DS_TEST_DIR/b"
	# and it is not trivially empty
	grep -q '^## mounts' "$DS_TEST_DIR/a"
	[ "$(sed -n '/^## mounts/,/^## /p' "$DS_TEST_DIR/a" | wc -l)" -gt 5 ]
	[ "$(sed -n '/^## cgroup tree/,/^## /p' "$DS_TEST_DIR/a" | wc -l)" -gt 5 ]
	grep -q '^net.ipv4.ip_forward = ' "$DS_TEST_DIR/a"
}

@test "rig: host_snapshot detects a mount, a cgroup and a pidfile" {
	local probe=$DS_TEST_DIR/mnt-probe cg
	mkdir -p "$probe"
	host_snapshot "$DS_TEST_DIR/before"

	mount -t tmpfs ds-rig-probe "$probe"
	host_snapshot "$DS_TEST_DIR/mounted"
	umount "$probe"
	run host_diff "$DS_TEST_DIR/before" "$DS_TEST_DIR/mounted"
	[ "$status" -eq 1 ]
	[[ $output == *"+$probe tmpfs ds-rig-probe"* ]]

	# a cgroup below our own one (never on the ignore list)
	cg=$(_ds_own_cgroups | head -n1)
	[ -d "$cg" ]
	mkdir "$cg/ds-rig-probe"
	host_snapshot "$DS_TEST_DIR/cgroup"
	rmdir "$cg/ds-rig-probe"
	run host_diff "$DS_TEST_DIR/before" "$DS_TEST_DIR/cgroup"
	[ "$status" -eq 1 ]
	[[ $output == *"+$cg/ds-rig-probe"* ]]

	# a pidfile left in the workspace
	mkdir -p "$DROIDSPACES_WORKSPACE/Pids"
	echo 1234 >"$DROIDSPACES_WORKSPACE/Pids/ghost.pid"
	host_snapshot "$DS_TEST_DIR/pidfile"
	rm "$DROIDSPACES_WORKSPACE/Pids/ghost.pid"
	run host_diff "$DS_TEST_DIR/before" "$DS_TEST_DIR/pidfile"
	[ "$status" -eq 1 ]
	[[ $output == *"+./ghost.pid"* ]]

	# everything undone: equal again
	host_snapshot "$DS_TEST_DIR/after"
	host_diff "$DS_TEST_DIR/before" "$DS_TEST_DIR/after"
}

@test "rig: wait_for polls, times out, and negates" {
	local t0 t1 f=$DS_TEST_DIR/flag
	wait_for 1 true
	t0=$(_ds_usec_now)
	run wait_for 0.3 false
	t1=$(_ds_usec_now)
	[ "$status" -eq 1 ]
	[[ $output == *"timed out after 0.3s"* ]]
	((t1 - t0 >= 300000))
	((t1 - t0 < 3000000))
	run wait_for 0.3 ! true
	[ "$status" -eq 1 ]
	wait_for 1 ! test -e "$f"
	# a condition that becomes true while polling
	(
		sleep 0.3
		touch "$f"
	) &
	BG_PIDS+=("$!")
	wait_for 5 test -e "$f"
	wait_bg
}

# A stand-in container made with unshare(1): checks ds_pid and in_container
# without the droidspaces binary.
@test "rig: ds_pid and in_container enter a container's namespaces" {
	require_cmd unshare nsenter
	local root upid pid
	root=$(fixture_copy busybox)
	mkdir -p "$DROIDSPACES_WORKSPACE/Pids"
	setsid unshare --mount --uts --ipc --pid --fork --propagation private \
		chroot "$root" /bin/sh -c 'hostname rig-fake; exec sleep 1000' \
		</dev/null >/dev/null 2>&1 &
	upid=$!
	wait_for 5 pgrep -P "$upid"
	pid=$(pgrep -P "$upid")
	# the child has exec'ed sleep once the hostname is set
	wait_for 5 comm_is "$pid" sleep
	echo "$pid" >"$DROIDSPACES_WORKSPACE/Pids/fake.pid"

	[ "$(ds_pid fake)" = "$pid" ]
	run in_container fake hostname
	[ "$status" -eq 0 ]
	[ "$output" = rig-fake ]
	[ "$(hostname)" != rig-fake ]
	run in_container fake cat /etc/os-release
	[[ $output == *ID=busybox* ]]
	run in_container fake sh -c 'echo "$PATH"; env | wc -l'
	[ "${lines[0]}" = "$DS_GUEST_PATH" ]
	[ "${lines[1]}" -le 6 ]
	# inside the PID namespace, nsenter's child gets a small PID
	run in_container fake sh -c 'echo $$'
	[ "$output" -lt 10 ]

	# PID 1 of a PID namespace ignores signals it has no handler for (from
	# the parent namespace too): SIGTERM would do nothing here.
	kill -KILL "$pid"
	wait_for 5 ! kill -0 "$pid"
	wait "$upid" || true
	rm "$DROIDSPACES_WORKSPACE/Pids/fake.pid"
}

# The teardown must fail a test that leaves the host changed, and must kill a
# container that survives `stop`.  Checked on a nested bats run.
@test "rig: common_teardown fails leaky tests and kills survivors" {
	local nested=$DS_TEST_DIR/nested leak pid at=@
	mkdir -p "$nested"
	# ${at}test: a literal at-test at the start of a line would be rewritten
	# by bats' preprocessor even inside this here-document.
	cat >"$nested/leaky.bats" <<-EOF
		load '$DS_REPO/tests/e2e/helpers'
		setup() { common_setup; }
		teardown() { common_teardown; }
		${at}test "leaks a mount" {
			mkdir -p "\$DS_TEST_DIR/leak"
			mount -t tmpfs ds-rig-leak "\$DS_TEST_DIR/leak"
			echo "\$DS_TEST_DIR/leak" >"$nested/leak-path"
		}
		${at}test "leaves a container running" {
			local root
			root=\$(fixture_copy busybox)
			mkdir -p "\$DROIDSPACES_WORKSPACE/Pids"
			setsid unshare --pid --fork --mount --propagation private \\
				chroot "\$root" /bin/sleep 1000 </dev/null >/dev/null 2>&1 &
			wait_for 5 pgrep -P \$!
			pgrep -P \$! >"\$DROIDSPACES_WORKSPACE/Pids/survivor.pid"
			cp "\$DROIDSPACES_WORKSPACE/Pids/survivor.pid" "$nested/survivor-pid"
			track_container survivor
		}
		${at}test "gets a sanitizer report" {
			echo "==1==ERROR: AddressSanitizer: rig-probe" >"\$DS_TEST_DIR/sanitizer.1"
		}
	EOF
	# A clean environment (the outer bats' BATS_* variables confuse the inner
	# one) and no binary: teardown must fall back to killing the survivor.
	# (bats puts its libexec dir first in PATH; the inner one needs the real bats)
	run env -i PATH="${PATH//"$BATS_LIBEXEC:"/}" HOME="$HOME" TMPDIR="$TMPDIR" DS_TEST_CACHE="$DS_TEST_CACHE" \
		DROIDSPACES_BIN="$DS_TEST_DIR/no-such-binary" \
		timeout 120 bats --tap "$nested/leaky.bats"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"not ok 1 leaks a mount"* ]]
	[[ $output == *"THE HOST STATE CHANGED"* ]]
	[[ $output == *"tmpfs ds-rig-leak"* ]]
	[[ $output == *"not ok 2 leaves a container running"* ]]
	[[ $output == *"container 'survivor'"*"still running after stop; sending SIGKILL"* ]]
	[[ $output == *"not ok 3 gets a sanitizer report"* ]]
	[[ $output == *"SANITIZER REPORT"*"AddressSanitizer: rig-probe"* ]]

	# clean up after the nested run: the leaked mount and the kept test dirs
	leak=$(cat "$nested/leak-path")
	umount "$leak"
	rm -rf --one-file-system "$(dirname "$leak")"
	pid=$(cat "$nested/survivor-pid")
	! kill -0 "$pid" 2>/dev/null
	rm -rf --one-file-system "$DS_SCRATCH"/leaky.*
}

# The sanitizer build reports into the test's directory (see common_setup),
# and a clean run of it leaves nothing there.
@test "rig: the ASan+UBSan build runs clean under the suite's sanitizer options" {
	local asan=$DS_REPO/output/droidspaces-asan
	[[ -x $asan ]] || skip_loud "no $asan (make asan)"
	[[ $ASAN_OPTIONS == *"log_path=$DS_TEST_DIR/sanitizer"* ]]
	"$asan" --version
	"$asan" show
	run "$asan" --name=no-such status
	[ "$status" -eq 1 ]
	[ -z "$(find "$DS_TEST_DIR" -maxdepth 1 -name 'sanitizer.*')" ]
}
