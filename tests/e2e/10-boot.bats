#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # CT_* are set per test, in its own subshell
# Boot and halt, end to end: the three fixtures boot with their real init and
# stop through their own halt path (also right after start, five times in a
# row), the container interface the guest sees (namespaces, pidfile,
# hostname, /proc, /sys, cgroups, /dev, console), life-cycle events of init
# (reboot and poweroff inside, SIGKILL, an init that ignores its halt signal,
# a broken /sbin/init; their fault cases) and the stock Debian guests (bookworm;
# trixie's systemd 257 on cgroup2, refused with one line where the host has none).
#
# Tags: hostile, fault, load, stock, slow (bats --filter-tags); asan marks the
# tests `make e2e-asan` runs.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() { fault_setup; }
teardown() {
	kill_own_pids
	netns_teardown
}

# bats test_tags=asan
@test "systemd: boots to 'running' with no failed units, stops via SIGRTMIN+3, leaves nothing" {
	require_fixture debian-systemd
	local root cg
	root=$(fixture_copy debian-systemd)
	# --wait: returns once systemd said READY=1, the boot is over.
	start_ct sysd "$root" --wait=120
	[ "$CT_KIND" = systemd ]

	run in_container sysd systemctl is-system-running
	echo "$output"
	[ "$output" = running ]
	[ "$status" -eq 0 ]
	run in_container sysd systemctl --failed --no-legend
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	booted "$CT_PID"

	# systemd-specific container interface
	run in_container sysd systemd-detect-virt --container
	[ "$output" = container-other ]
	[ "$(in_container sysd grep '^0::' /proc/1/cgroup)" = "0::/init.scope" ]
	cg=$(ct_cgroup sysd)
	[ -d "$cg/init.scope" ]
	[ -d "$cg/system.slice" ]
	grep -qx "$CT_PID" "$cg/init.scope/cgroup.procs"
	[ "$(in_container sysd hostname)" = sysd ]
	[ "$(in_container sysd cat /etc/hostname)" = sysd ]
	# the guest's services live below the container's cgroup
	grep -q . "$cg/system.slice/systemd-journald.service/cgroup.procs"

	stop_ct sysd
	# The clean path (ExecStop of the marker unit ran), well within the
	# default 8 s timeout, i.e. without SIGKILL.
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
	((STOP_USEC < 8000000))
	assert_cleaned sysd
}

# bats test_tags=asan
@test "openrc: sysvinit+openrc boots to runlevel default, stops through /run/initctl" {
	require_fixture debian-openrc
	local root
	root=$(fixture_copy debian-openrc)
	# Make the SIGPWR fallback visible: if stop used SIGPWR instead of the
	# initctl runlevel-0 request, this marker would appear.
	cat >"$root/usr/local/sbin/ds-test-sigpwr" <<-'EOF'
		#!/bin/sh
		echo "sigpwr $(date +%s)" >>/var/log/ds-test-sigpwr
		exec /sbin/shutdown -t1 -h now
	EOF
	chmod 0755 "$root/usr/local/sbin/ds-test-sigpwr"
	sed -i 's|^pf::powerwait:.*|pf::powerwait:/usr/local/sbin/ds-test-sigpwr|' "$root/etc/inittab"
	grep -qx 'pf::powerwait:/usr/local/sbin/ds-test-sigpwr' "$root/etc/inittab"

	start_ct orc "$root"
	[ "$CT_KIND" = sysvinit ]
	wait_for 90 booted "$CT_PID"
	[ "$(in_container orc rc-status --runlevel)" = default ]
	run in_container orc rc-status --crashed
	[ -z "$output" ]
	wait_for 10 test -p "/proc/$CT_PID/root/run/initctl"
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 1 ]

	stop_ct orc
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
	[ ! -e "$root/var/log/ds-test-sigpwr" ]
	((STOP_USEC < 8000000))
	assert_cleaned orc
}

# bats test_tags=asan
@test "busybox: boots to its init, stops via SIGUSR2 (shutdown actions run), console drained to the end" {
	require_fixture busybox
	local root log
	root=$(fixture_copy busybox)
	start_ct bb "$root" --hostname=bb-guest
	[ "$CT_KIND" = busybox ]
	wait_for 10 booted "$CT_PID"
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 1 ]
	[ "$(in_container bb hostname)" = bb-guest ]
	[ "$(in_container bb cat /etc/hostname)" = bb-guest ]
	in_container bb grep -qx "$(printf '127.0.1.1\tbb-guest')" /etc/hosts
	run "$DS" --name=bb status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bb: running (pid $CT_PID, init busybox)" ]

	stop_ct bb
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
	((STOP_USEC < 8000000))
	assert_cleaned bb
	# The marker's last words on /dev/console reached the log; the log stays.
	log=$(ws_log bb)
	[ -f "$log" ]
	grep -q 'ds-test: halted' "$log"
	# busybox init says which request it got: SIGUSR2 is poweroff (SIGTERM
	# would have been a reboot)
	grep -q 'Requesting system poweroff' "$log"
	refute grep -q 'Requesting system reboot' "$log"
}

# The guest's mount options / fstype at MOUNTPOINT, read from init's mountinfo
# (the last mount on that point wins).
guest_mount_opts() {
	awk -v mp="$2" '$5 == mp { o = $6 } END { if (o == "") exit 1; print o }' "/proc/$1/mountinfo"
}
guest_mount_fstype() {
	awk -v mp="$2" '$5 == mp { for (i = 7; $i != "-"; i++); t = $(i + 1) } END { if (t == "") exit 1; print t }' \
		"/proc/$1/mountinfo"
}

# bats test_tags=asan
@test "container interface: namespaces, pidfile, hostname, /proc, /sys, cgroup, /dev, console, environment" {
	require_fixture busybox
	local root cg ns host_boot guest_boot f opts pts_dev
	root=$(fixture_copy busybox)
	start_ct iface "$root"
	wait_for 10 booted "$CT_PID"

	# pidfile and monitor
	[ "$(sed -n 1p "$(ws_pidfile iface)")" = "$CT_PID" ]
	[ "$(pidfile_key iface starttime)" = "$CT_ST" ]
	[[ $(pidfile_key iface uuid) =~ ^[0-9a-f]{32}$ ]]
	[ "$(pidfile_key iface boot_id)" = "$(cat /proc/sys/kernel/random/boot_id)" ]
	[ "$(pidfile_key iface rootfs)" = "$(realpath "$root")" ]
	[ "$(pidfile_key iface cgroup)" = droidspaces/iface ]
	[ "$(awk '/^PPid:/ {print $2}' "/proc/$CT_PID/status")" = "$CT_MON" ]
	refute lock_free iface
	[ -f "$(ws_log iface)" ]

	# namespaces: own PID, UTS, IPC, mount, cgroup; init is PID 1 inside
	for ns in pid uts ipc mnt cgroup; do
		[ "$(readlink "/proc/$CT_PID/ns/$ns")" != "$(readlink /proc/self/ns/$ns)" ]
	done
	[ "$(awk '/^NSpid:/ {print $NF}' "/proc/$CT_PID/status")" = 1 ]
	[ "$(in_container iface cat /proc/1/comm)" = init ]

	# hostname in UTS, /etc/hostname, /etc/hosts
	[ "$(in_container iface hostname)" = iface ]
	[ "$(cat "/proc/$CT_PID/root/etc/hostname")" = iface ]
	grep -qx "$(printf '127.0.1.1\tiface')" "/proc/$CT_PID/root/etc/hosts"
	[ "$(hostname)" != iface ]

	# /proc/sys read-only (kernel.domainname is per UTS namespace: harmless
	# even if the write went through)
	opts=$(guest_mount_opts "$CT_PID" /proc/sys)
	has_opt "$opts" ro
	refute in_container iface sh -c 'echo ds-probe >/proc/sys/kernel/domainname'
	[ "$(in_container iface cat /proc/sys/kernel/domainname)" != ds-probe ]
	# /proc/sysrq-trigger read-only (never written: on the host it would act)
	if [[ -e /proc/sysrq-trigger ]]; then
		opts=$(guest_mount_opts "$CT_PID" /proc/sysrq-trigger)
		has_opt "$opts" ro
	fi
	# kcore, keys, timer_list masked by /dev/null: a 1:3 char device, empty
	for f in kcore keys timer_list; do
		[[ -e /proc/$f ]] || continue
		[ "$(in_container iface stat -c '%F %t:%T' "/proc/$f")" = "character special file 1:3" ]
		[ "$(in_container iface cat "/proc/$f" | wc -c)" -eq 0 ]
	done
	# own boot_id, stable, UUID-shaped
	host_boot=$(cat /proc/sys/kernel/random/boot_id)
	guest_boot=$(in_container iface cat /proc/sys/kernel/random/boot_id)
	[[ $guest_boot =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
	[ "$guest_boot" != "$host_boot" ]
	[ "$(in_container iface cat /proc/sys/kernel/random/boot_id)" = "$guest_boot" ]

	# /sys read-only; cgroup2 at /sys/fs/cgroup with a cgroup namespace
	[ "$(guest_mount_fstype "$CT_PID" /sys)" = sysfs ]
	has_opt "$(guest_mount_opts "$CT_PID" /sys)" ro
	[ "$(guest_mount_fstype "$CT_PID" /sys/fs/cgroup)" = cgroup2 ]
	in_container iface grep -qx '0::/' /proc/1/cgroup
	grep -qx '0::/droidspaces/iface' "/proc/$CT_PID/cgroup"
	cg=$(ct_cgroup iface)
	grep -qx "$CT_PID" "$cg/cgroup.procs"
	# the guest's cgroup root is the container's cgroup
	[ "$(in_container iface cat /sys/fs/cgroup/cgroup.procs | sort -n | head -n1)" = 1 ]
	refute in_container iface test -d /sys/fs/cgroup/droidspaces

	# /dev: tmpfs with the standard nodes, no host block devices
	[ "$(guest_mount_fstype "$CT_PID" /dev)" = tmpfs ]
	run in_container iface stat -c '%n %F %t:%T' /dev/null /dev/zero /dev/full /dev/random \
		/dev/urandom /dev/tty /dev/net/tun /dev/fuse
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		'/dev/null character special file 1:3' \
		'/dev/zero character special file 1:5' \
		'/dev/full character special file 1:7' \
		'/dev/random character special file 1:8' \
		'/dev/urandom character special file 1:9' \
		'/dev/tty character special file 5:0' \
		'/dev/net/tun character special file a:c8' \
		'/dev/fuse character special file a:e5')" ]
	[ -z "$(in_container iface find /dev -type b)" ]
	[ "$(in_container iface head -c 4 /dev/zero | od -An -tx1 | tr -d ' ')" = 00000000 ]
	# devpts: a new instance at /dev/pts; /dev/ptmx belongs to it
	[ "$(guest_mount_fstype "$CT_PID" /dev/pts)" = devpts ]
	pts_dev=$(in_container iface stat -c %d /dev/pts)
	[ "$pts_dev" != "$(stat -c %d /dev/pts)" ]
	[ "$(in_container iface stat -L -c %d /dev/ptmx)" = "$pts_dev" ]
	[ "$(in_container iface stat -L -c %t /dev/ptmx)" = 5 ]
	# /dev/console is the console PTY: what the guest writes lands in the log
	[ "$(in_container iface stat -L -c %F /dev/console)" = "character special file" ]
	in_container iface sh -c "echo ds-console-probe-$$ >/dev/console"
	wait_for 5 grep -q "ds-console-probe-$$" "$(ws_log iface)"

	# /run/systemd/container and PID 1's environment
	[ "$(in_container iface cat /run/systemd/container)" = droidspaces ]
	tr '\0' '\n' <"/proc/$CT_PID/environ" >"$DS_TEST_DIR/init.env"
	grep -qx container=droidspaces "$DS_TEST_DIR/init.env"
	refute grep -q '^DROIDSPACES_WORKSPACE=' "$DS_TEST_DIR/init.env"
	refute grep -q '^BATS_' "$DS_TEST_DIR/init.env"

	stop_ct iface
	assert_cleaned iface
}

# The kernel can fork a child straight into a cgroup (clone3 with
# CLONE_INTO_CGROUP, 5.7+); without it (old kernels, seccomp) droidspaces
# forks and joins through cgroup.procs.  Both must put init and every `run`
# command in the container's cgroup; strace shows which way was taken.
# bats test_tags=fault,asan
@test "cgroup: init and run commands are born in the container's cgroup (clone3), or join it without clone3" {
	require_fixture busybox
	require_cmd strace
	local root mode name trace cg
	root=$(fixture_copy busybox)
	for mode in clone3 no-clone3; do
		name=cg-$mode
		trace=$DS_TEST_DIR/$mode.trace
		if [[ $mode == no-clone3 ]]; then
			export DROIDSPACES_FAULT=no-clone3
		else
			unset DROIDSPACES_FAULT
		fi
		start_ct "$name" "$root"
		wait_for 10 booted "$CT_PID"
		cg=$(ct_cgroup "$name")
		grep -qx "0::/droidspaces/$name" "/proc/$CT_PID/cgroup"
		grep -qx "$CT_PID" "$cg/cgroup.procs"
		# (LeakSanitizer cannot work under ptrace: off for this one call of an ASan build)
		ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0} \
			run strace -f -qq -e trace=clone3 -o "$trace" "$DS" --name="$name" run grep "^0::" /proc/self/cgroup
		cat "$trace"
		[ "$status" -eq 0 ]
		# the guest's cgroup root: the container's own cgroup
		[ "$output" = "0::/" ]
		if [[ $mode == clone3 ]]; then
			# 5.7 brought CLONE_INTO_CGROUP; older kernels take the other way
			if [[ $(printf '%s\n' 5.7 "$(uname -r)" | sort -V | head -n1) == 5.7 ]]; then
				grep -q 'clone3(.*CLONE_INTO_CGROUP.* = [0-9]' "$trace"
			fi
		else
			refute grep -q 'CLONE_INTO_CGROUP' "$trace"
		fi
		stop_ct "$name"
		assert_cleaned "$name"
	done
	unset DROIDSPACES_FAULT
}

# bats test_tags=asan
@test "cgroup v1: without a cgroup2 tree init joins droidspaces/NAME in every v1 hierarchy, the guest gets them on a tmpfs, stop removes them" {
	require_fixture busybox
	require_cmd unshare
	[[ -e /sys/fs/cgroup/unified/cgroup.controllers ]] ||
		skip_loud "needs a hybrid host (v1 controllers and cgroup2 at /sys/fs/cgroup/unified) to hide cgroup2 from droidspaces"
	local root pid line ctrl path n=0 v1_dirs
	root=$(fixture_copy busybox)
	track_container v1
	run legacy_ds -r "$root" -n v1 start
	echo "$output"
	[ "$status" -eq 0 ]
	pid=$(ds_pid v1)
	wait_for 10 guest_booted v1
	# every v1 hierarchy of init: droidspaces/v1 (seen from the host's cgroup namespace)
	while IFS= read -r line; do
		ctrl=$(cut -d: -f2 <<<"$line")
		path=$(cut -d: -f3- <<<"$line")
		[[ -n $ctrl ]] || continue # the cgroup2 line: no tree to manage here
		echo "$line"
		[ "$path" = /droidspaces/v1 ]
		n=$((n + 1))
	done <"/proc/$pid/cgroup"
	((n > 0))
	v1_dirs=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/droidspaces/v1' -not -path '/sys/fs/cgroup/unified/*' | wc -l)
	[ "$v1_dirs" -eq "$n" ]
	# the guest: a tmpfs of hierarchies at /sys/fs/cgroup, each rooted at its own cgroup
	[ "$(guest_mount_fstype "$pid" /sys/fs/cgroup)" = tmpfs ]
	[ "$(guest_mount_fstype "$pid" /sys/fs/cgroup/systemd)" = cgroup ]
	in_container v1 grep -q ':name=systemd:/$' /proc/1/cgroup
	refute in_container v1 test -d /sys/fs/cgroup/systemd/droidspaces
	run legacy_ds -n v1 stop
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(cgroups_of v1)" ]
}

# halted_count ROOTFS: clean shutdowns the fixture's ::shutdown:/ExecStop recorded.
halted_count() { { cat "$1/var/log/ds-test-halted" 2>/dev/null || true; } | wc -l; }

# start_stop_cycles FIXTURE NAME CYCLES: start then stop at once, CYCLES times,
# --stop-timeout=20; every stop must be a clean halt, far below the timeout.
start_stop_cycles() {
	local fixture=$1 name=$2 cycles=$3 root cycle t0 took
	root=$(fixture_copy "$fixture")
	for ((cycle = 1; cycle <= cycles; cycle++)); do
		st_start "$name" -r "$root"
		t0=$(_ds_usec_now)
		run_ds_err --name="$name" --stop-timeout=20 stop
		took=$(($(_ds_usec_now) - t0))
		echo "cycle $cycle: stop took $took us: $output $stderr"
		[ "$status" -eq 0 ]
		[ "$output" = "Container $name stopped" ]
		# a lost halt means SIGKILL after the full 20 s
		((took < 15000000))
	done
	HALT_ROOT=$root
}

# bats test_tags=hostile,load
@test "halt: busybox, 5 cycles of start then stop at once: each stop halts cleanly (::shutdown: ran), never the SIGKILL" {
	require_fixture busybox
	start_stop_cycles busybox bbcycle 5
	# ::shutdown: runs only on a halt, never on SIGKILL
	[ "$(halted_count "$HALT_ROOT")" -eq 5 ]
}

# bats test_tags=hostile,load
@test "halt: systemd, 5 cycles of start then stop at once: each stop halts cleanly, never the SIGKILL" {
	require_fixture debian-systemd
	start_stop_cycles debian-systemd sdcycle 5
	# systemd logs each halt request it got to the console: the signal was
	# not lost, and it is the halt (glibc's SIGRTMIN+3), not a poweroff
	[ "$(grep -c 'Received SIGRTMIN+3\.' "$(ws_log sdcycle)")" -ge 5 ]
	[ "$(grep -c 'Received SIGRTMIN+4' "$(ws_log sdcycle)")" -eq 0 ]
}

# bats test_tags=asan
@test "lifecycle: reboot inside boots again under the same monitor; poweroff inside cleans up" {
	require_fixture busybox
	local root old
	root=$(fixture_copy busybox)
	start_ct rb "$root"
	wait_for 10 booted "$CT_PID"
	old=$CT_PID
	in_container rb reboot
	wait_for 20 rebooted rb "$old"
	CT_PID=$(ds_pid rb)
	CT_ST=$(_ds_starttime "$CT_PID")
	[ "$CT_PID" != "$old" ]
	[ "$(pidfile_key rb monitor)" = "$CT_MON" ]
	proc_alive "$CT_MON" "$CT_MON_ST"
	[ "$(awk '/^PPid:/ {print $2}' "/proc/$CT_PID/status")" = "$CT_MON" ]
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 2 ]
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
	grep -q 'Requesting system reboot' "$(ws_log rb)"
	[ "$(in_container rb hostname)" = rb ]
	[ -d "$(ct_cgroup rb)" ]
	grep -qx "$CT_PID" "$(ct_cgroup rb)/cgroup.procs"
	run "$DS" --name=rb status
	[ "$status" -eq 0 ]

	# poweroff from inside: the monitor cleans up by itself
	in_container rb poweroff
	wait_for 20 ! test -e "$(ws_pidfile rb)"
	wait_for 10 ! proc_alive "$CT_MON" "$CT_MON_ST"
	assert_cleaned rb
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 2 ]
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 2 ]
}

# bats test_tags=asan
@test "lifecycle: SIGKILL of init makes the monitor clean up (no restart)" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	start_ct kil "$root"
	wait_for 10 booted "$CT_PID"
	kill -KILL "$CT_PID"
	wait_for 10 ! test -e "$(ws_pidfile kil)"
	wait_for 10 ! proc_alive "$CT_MON" "$CT_MON_ST"
	assert_cleaned kil
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 1 ]
	[ ! -e "$root/var/log/ds-test-halted" ]
}

# bats test_tags=asan
@test "lifecycle: an init that ignores its halt signal is SIGKILLed after --stop-timeout" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	rm "$root/sbin/init"
	# PID 1 without handlers: busybox' halt signal (SIGUSR2) does nothing.
	printf '#!/bin/sh\nexec /bin/sleep 100000\n' >"$root/sbin/init"
	chmod 0755 "$root/sbin/init"
	start_ct deaf "$root"
	wait_for 5 comm_is "$CT_PID" sleep
	stop_ct deaf --stop-timeout=1
	echo "stop took ${STOP_USEC} us"
	((STOP_USEC >= 1000000))
	((STOP_USEC < 6000000))
	assert_cleaned deaf
}

# bats test_tags=asan
@test "lifecycle: a missing, dangling or non-executable /sbin/init fails start, nothing left" {
	require_fixture busybox
	local root row name want
	for row in missing dangling noexec directory; do
		root=$(fixture_copy busybox)
		rm "$root/sbin/init"
		case $row in
		missing) want="has no usable /sbin/init" ;;
		dangling)
			ln -s ../bin/no-such-init "$root/sbin/init"
			want="has no usable /sbin/init"
			;;
		noexec)
			printf '#!/bin/sh\nexec /bin/sleep 100000\n' >"$root/sbin/init"
			chmod 0644 "$root/sbin/init"
			want="/sbin/init is not an executable file"
			;;
		directory)
			mkdir "$root/sbin/init"
			want="/sbin/init"
			;;
		esac
		name=noinit-$row
		track_container "$name"
		run_ds_err --name="$name" --rootfs="$root" start
		echo "row $row: exit $status: $stderr"
		[ "$status" -ne 0 ]
		[ -z "$output" ]
		assert_one_error_line "$want"
		[ ! -e "$(ws_pidfile "$name")" ]
		[ ! -e "$(ct_cgroup "$name")" ]
		lock_free "$name"
		[ "$(count_monitors)" -eq 0 ]
		run "$DS" --name="$name" status
		[ "$status" -eq 1 ]
	done
}

# write_init ROOT SCRIPT: replace ROOT's /sbin/init by a shell script.
write_init() {
	rm -f "$1/sbin/init"
	printf '%s\n' "#!/bin/sh" "$2" >"$1/sbin/init"
	chmod 0755 "$1/sbin/init"
}

# bats test_tags=fault
@test "fault: init SIGKILLed, or exiting at once (0, 1, 127): cleaned up, no restart, the name works again" {
	require_fixture busybox
	local root row name
	for row in kill exit0 exit1 exit127; do
		root=$(fixture_copy busybox)
		name=init-$row
		case $row in
		exit0) write_init "$root" 'exit 0' ;;
		exit1) write_init "$root" 'exit 1' ;;
		exit127) write_init "$root" 'exec /no/such/program' ;;
		esac
		track_container "$name"
		run_ds_err --name="$name" --rootfs="$root" start
		echo "row $row: exit $status: $output / $stderr"
		if [[ $row == kill ]]; then
			[ "$status" -eq 0 ]
			CT_PID=$(ds_pid "$name")
			CT_ST=$(_ds_starttime "$CT_PID")
			wait_for 10 booted "$CT_PID"
			kill -KILL "$CT_PID"
		elif [[ $status == 0 ]]; then
			# started, then init ended: the monitor notices and cleans up
			[[ $output == "Container $name started: init pid "* ]]
		else
			assert_refused
		fi
		wait_for 10 nothing_left "$name"
		nothing_left "$name"
		[ "$(line_count "$root/var/log/ds-test-boots")" -le 1 ]
	done
	# and a real init boots under the last name
	root=$(fixture_copy busybox)
	start_ct init-exit127 "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct init-exit127
	assert_cleaned init-exit127
}

# bats test_tags=fault
@test "fault: an init that ignores every halt signal is SIGKILLed within --stop-timeout=2" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	write_init "$root" "trap '' TERM INT HUP USR1 USR2 PWR QUIT
while :; do sleep 1; done"
	start_ct deaf "$root"
	# the traps are set once the loop runs its first sleep
	wait_for 5 pgrep -P "$CT_PID" -x sleep
	stop_ct deaf -t 2
	echo "stop took ${STOP_USEC} us"
	((STOP_USEC >= 2000000))
	((STOP_USEC < 8000000))
	assert_cleaned deaf
}

# bats test_tags=fault
@test "fault: /sbin/init missing, not executable, empty, bad interpreter, a fifo, a device, a directory, a loop: clear error, nothing left" {
	require_fixture busybox
	local root row name canary=$DS_TEST_DIR/canary state rows=0
	mkdir -p "$canary"
	printf '#!/bin/sh\ntouch %s/pwned\nexec sleep 100000\n' "$canary" >"$canary/evil-init"
	chmod 0755 "$canary/evil-init"
	state=$(canary_state "$canary")
	for row in missing noexec empty badshebang fifo chardev directory dangling loop abs-host rel-host; do
		root=$(fixture_copy busybox)
		rm -f "$root/sbin/init"
		case $row in
		missing) ;;
		noexec) printf '#!/bin/sh\nexec sleep 100000\n' >"$root/sbin/init" && chmod 0644 "$root/sbin/init" ;;
		empty) : >"$root/sbin/init" && chmod 0755 "$root/sbin/init" ;;
		badshebang) printf '#!/no/such/interpreter\n' >"$root/sbin/init" && chmod 0755 "$root/sbin/init" ;;
		fifo) mkfifo -m 0755 "$root/sbin/init" ;;
		chardev) mknod -m 0755 "$root/sbin/init" c 1 3 ;;
		directory) mkdir "$root/sbin/init" ;;
		dangling) ln -s ../bin/no-such-init "$root/sbin/init" ;;
		loop) ln -s init "$root/sbin/init" ;;
		abs-host) ln -s "$canary/evil-init" "$root/sbin/init" ;;
		rel-host) ln -s "../../../../../../../../../../..$canary/evil-init" "$root/sbin/init" ;;
		esac
		name=badinit-$row
		track_container "$name"
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" --rootfs="$root" start
		echo "row $row: exit $status: $output / $stderr"
		[[ $status == 0 ]] && rescue_ct "$name"
		row_ok "$row" assert_refused
		row_ok "$row (leftovers)" nothing_left "$name"
		[[ ! -e $root/var/log/ds-test-boots ]] || row_fail "$row" "the guest booted"
		[[ $(canary_state "$canary") == "$state" ]] || row_fail "$row" "the canary changed"
		rows=$((rows + 1))
	done
	figure "broken /sbin/init variants tried: $rows"
	rows_verdict
}

# stock_halt_test FIXTURE NAME [OPTION...]: boot the stock FIXTURE (start
# OPTION...) from a filesystem of
# its own (fixture_fs: the guest shares that superblock with the host) inside a network namespace of the test's
# own; check while it runs that it made no named cgroup hierarchy and sits in
# droidspaces/NAME, and run $STOCK_CHECK NAME if set; halt it with stop (its
# time in STOP_USEC); the filesystem stays read-write, the
# namespace's links as they were. common_teardown compares the rest.
stock_halt_test() {
	local fixture=$1 name=$2 root holder before hier t0
	shift 2
	require_fixture "$fixture"
	require_cmd unshare nsenter ip mkfs.ext4
	root=$(fixture_fs "$fixture")
	before=$(fs_opts "$root")
	[[ $before == rw || $before == rw,* ]]
	hier=$(cut -d: -f1,2 /proc/self/cgroup)
	holder=$(netns_holder_start) || return 1
	net_state "$holder" >"$DS_TEST_DIR/net.before"
	DS_WRAP=(nsenter -t "$holder" -n --)
	st_start "$name" -r "$root" "$@"
	DS_WRAP=()
	[ "$(netns_of "$CT_PID")" = "$(netns_of "$holder")" ]
	wait_for 120 booted "$CT_PID"
	[[ -z ${STOCK_CHECK:-} ]] || "$STOCK_CHECK" "$name"
	# no new (named) v1 hierarchy, no release agent: the kernel lists every hierarchy here
	[ "$(cut -d: -f1,2 /proc/self/cgroup)" = "$hier" ]
	# init in droidspaces/NAME (cgroup2, or every v1 hierarchy on a v1-only host)
	if grep -q '^0::' "/proc/$CT_PID/cgroup"; then
		grep -qE "^0::/droidspaces/$name(/|\$)" "/proc/$CT_PID/cgroup"
	else
		refute grep -qvE ":/droidspaces/$name(/|\$)" "/proc/$CT_PID/cgroup"
	fi
	t0=$(_ds_usec_now)
	st_stop "$name"
	STOP_USEC=$(($(_ds_usec_now) - t0))
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

# bats test_tags=stock,slow
@test "stock guests: Debian sysvinit+OpenRC as shipped (umountroot, NETDOWN=yes, OpenRC cgroups, hwclock; plus the boot marker) boots and halts; the host's filesystem, cgroups and links stay as they were" {
	stock_halt_test debian-openrc-stock orcstock
}

# bats test_tags=stock,slow
@test "stock guests: Debian systemd as shipped (plus the boot marker) boots and halts; the host's filesystem, cgroups and links stay as they were" {
	stock_halt_test debian-systemd-stock sdstock
}

# trixie_running NAME: the trixie guest NAME (systemd 257) is up on a cgroup2 tree: "running"
# without failed units, init in init.scope of the cgroup namespace, run and enter work.
trixie_running() {
	local name=$1
	run in_container "$name" systemctl is-system-running
	echo "state: $output"
	[[ $output == running ]] || in_container "$name" systemctl --failed --no-legend >&3 || true
	[ "$output" = running ]
	[ -z "$(in_container "$name" systemctl --failed --no-legend)" ]
	[[ $(in_container "$name" systemctl --version) == "systemd 257 "* ]]
	[ "$(in_container "$name" stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
	[ "$(in_container "$name" grep '^0::' /proc/1/cgroup)" = "0::/init.scope" ]
	run "$DS" --name="$name" run cat /proc/sys/kernel/hostname
	[ "$status" -eq 0 ] && [ "$output" = "$name" ]
	run "$DS" -n "$name" enter < <(printf '%s\n' 'echo "entered-$((6*7))"' 'systemctl is-system-running' 'exit 3')
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *entered-42* && $output == *running* ]]
}

# bats test_tags=stock,slow
@test "stock guests: Debian trixie's systemd 257 as shipped (plus the boot marker) boots to running on a cgroup2 tree (start --wait), run and enter work, halts promptly; the host's filesystem, cgroups and links stay as they were" {
	STOCK_CHECK=trixie_running stock_halt_test debian-trixie-systemd-stock sd13 --wait=120
	# the clean path (ExecStop of the marker ran), well within the default 8 s timeout: no SIGKILL
	((STOP_USEC < 8000000))
}

# bats test_tags=stock
@test "cgroup v1: without a cgroup2 tree Debian trixie's stock systemd 257 boots to running on the v1 hierarchies, halts promptly" {
	require_fixture debian-trixie-systemd-stock
	require_cmd unshare
	[[ -e /sys/fs/cgroup/unified/cgroup.controllers ]] ||
		skip_loud "needs a hybrid host (v1 controllers and cgroup2 at /sys/fs/cgroup/unified) to hide cgroup2 from droidspaces"
	local root pid t0
	root=$(fixture_copy debian-trixie-systemd-stock)
	track_container v1sd
	run legacy_ds -r "$root" -n v1sd start --wait=120
	echo "$output"
	[ "$status" -eq 0 ]
	pid=$(ds_pid v1sd)
	[ "$(guest_mount_fstype "$pid" /sys/fs/cgroup)" = tmpfs ]
	[ "$(guest_mount_fstype "$pid" /sys/fs/cgroup/systemd)" = cgroup ]
	run in_container v1sd systemctl is-system-running
	echo "state: $output"
	[ "$output" = running ]
	in_container v1sd grep -q ':name=systemd:/init.scope$' /proc/1/cgroup
	t0=$(_ds_usec_now)
	run legacy_ds -n v1sd stop
	echo "$output"
	[ "$status" -eq 0 ]
	(($(_ds_usec_now) - t0 < 8000000))
	grep -q halted "$root/var/log/ds-test-halted"
	[ -z "$(cgroups_of v1sd)" ]
}

# bats test_tags=stock
@test "cgroup v1: a guest whose systemd has no v1 support (258+; the trixie fixture with a libsystemd-shared-258.so added to its copy, no 258 fixture) is refused with one line where no cgroup2 hierarchy is mounted; nothing left" {
	require_fixture debian-trixie-systemd-stock
	require_cmd unshare
	[[ -e /sys/fs/cgroup/unified/cgroup.controllers ]] ||
		skip_loud "needs a hybrid host (v1 controllers and cgroup2 at /sys/fs/cgroup/unified) to hide cgroup2 from droidspaces"
	local root lib
	root=$(fixture_copy debian-trixie-systemd-stock)
	lib=$(echo "$root"/usr/lib/*-linux-*/systemd/libsystemd-shared-257.so)
	[ -f "$lib" ]
	: >"${lib%-257.so}-258.so"
	track_container v1sd
	run legacy_ds -r "$root" -n v1sd start
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"the guest's systemd 258 boots only on a cgroup2 tree"*"mount one"* ]]
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	nothing_left v1sd
	[ ! -e "$root/var/log/ds-test-boots" ]
	[ -z "$(cgroups_of v1sd)" ]
	# with cgroup2 mounted the same guest starts (a cgroup2 tree for it)
	st_start v1sd -r "$root"
	[ "$(guest_mount_fstype "$CT_PID" /sys/fs/cgroup)" = cgroup2 ]
	wait_for 120 booted "$CT_PID"
	st_stop v1sd
}
