#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # CT_* are set per test, in its own subshell
# Core runtime, end to end (issue 2): booting and stopping the three fixtures
# with their own halt paths, the container interface the guest sees, the CLI's
# status/show/check and error behaviour, names and locks, hostile rootfs
# trees, life-cycle events from inside and outside (reboot, poweroff, killed
# init or monitor, escalation, broken /sbin/init, stale pidfiles) and the
# console log rotation.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
teardown() {
	# Processes and cgroups this file made itself (never containers: those
	# are tracked and stopped by common_teardown).
	local p
	for p in ${CORE_OWN_PIDS:-}; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for p in ${CORE_OWN_CGROUPS:-}; do
		[[ -d $p ]] && { wait_for 5 rmdir "$p" || true; }
	done
	common_teardown
}

# --------------------------------------------------------------------------
# local helpers (the workspace paths, start_ct/stop_ct/assert_cleaned and the
# rest are in helpers.bash)

# The guest's mount options / fstype at MOUNTPOINT, read from init's mountinfo
# (the last mount on that point wins).
guest_mount_opts() {
	awk -v mp="$2" '$5 == mp { o = $6 } END { if (o == "") exit 1; print o }' "/proc/$1/mountinfo"
}
guest_mount_fstype() {
	awk -v mp="$2" '$5 == mp { for (i = 7; $i != "-"; i++); t = $(i + 1) } END { if (t == "") exit 1; print t }' \
		"/proc/$1/mountinfo"
}

# --------------------------------------------------------------------------
# 1-3: boot and stop each fixture with its own halt path

@test "systemd: boots to 'running' with no failed units, stops via SIGRTMIN+3, leaves nothing" {
	require_fixture debian-systemd
	local root cg
	root=$(fixture_copy debian-systemd)
	start_ct sysd "$root"
	[ "$CT_KIND" = systemd ]

	wait_for 60 test -S "/proc/$CT_PID/root/run/systemd/private"
	run in_container sysd timeout 120 systemctl is-system-running --wait
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
	[ "$output" = "bb: running (pid $CT_PID, init busybox)" ]

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

# --------------------------------------------------------------------------
# 4: what the guest sees (busybox; the systemd bits are in the systemd test)

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

# --------------------------------------------------------------------------
# 5: CLI behaviour

@test "cli: status/show/check exit codes, usage errors, stop of a stopped name" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)

	run_ds_err check
	[ "$status" -eq 0 ]
	[[ $output == *"Verdict: ready"* ]]
	[[ $output == *Required:* ]]

	run_ds_err --name=cli status
	[ "$status" -eq 1 ]
	[ "$output" = "cli: stopped" ]

	run_ds_err frobnicate
	[ "$status" -eq 2 ]
	assert_one_error_line frobnicate
	run_ds_err --no-such-option status
	[ "$status" -eq 2 ]
	assert_one_error_line no-such-option
	run_ds_err --name=cli --stop-timeout=abc stop
	[ "$status" -eq 2 ]
	assert_one_error_line stop-timeout
	run_ds_err --name=cli start
	[ "$status" -ne 0 ]
	assert_one_error_line rootfs
	run_ds_err --name=cli --rootfs="$DS_TEST_DIR/no-such-dir" start
	[ "$status" -ne 0 ]
	assert_one_error_line no-such-dir
	run_ds_err --name=cli stop
	[ "$status" -ne 0 ]
	assert_one_error_line "not running"
	[ ! -e "$(ws_pidfile cli)" ]

	# options after the command work as well
	track_container cli
	ds_run start -n cli -r "$root"
	[ "$status" -eq 0 ]
	[[ $output == "Container cli started: init pid "*" (busybox)" ]]
	adopt_ct cli
	run_ds_err status --name=cli
	[ "$status" -eq 0 ]
	[ "$output" = "cli: running (pid $CT_PID, init busybox)" ]
	run_ds_err show
	[ "$status" -eq 0 ]
	echo "$output"
	grep -E "^\| cli +\| running +\| $CT_PID +\| busybox +\| $(realpath "$root") +\|$" <<<"$output"
	grep -E '^\| NAME +\| STATE +\| PID ' <<<"$output"

	stop_ct cli
	assert_cleaned cli
	run_ds_err show
	[ "$status" -eq 0 ]
	refute grep -E '^\| cli +\| running' <<<"$output"
}

@test "names: invalid names are refused with one error line and nothing created; 64 chars work" {
	require_fixture busybox
	local root name before after long64 i row msg
	local -a fails=()
	local -a bad=(
		'' 'a/b' '/abs' '../x' '.' '..' 'a b' ' ' $'a\nb' $'a\tb' $'\x01x' $'x\x1b[31m'
		'a*' 'a:b' 'a,b/c' 'é' $'\xff\xfe' "$(printf 'a%.0s' {1..65})"
	)
	root=$(fixture_copy busybox)
	# the longest valid name, with every allowed character class
	long64=Aa0._-$(printf 'z%.0s' {1..58})
	[ "${#long64}" -eq 64 ]
	start_ct "$long64" "$root"
	[ "$(in_container "$long64" hostname)" = "$long64" ]
	stop_ct "$long64"
	assert_cleaned "$long64"
	rm -rf "$DROIDSPACES_WORKSPACE"

	mkdir -p "$DROIDSPACES_WORKSPACE"
	before=$(find "$DROIDSPACES_WORKSPACE" /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort)
	# All rows are tried; the failures are listed together.
	for i in "${!bad[@]}"; do
		name=${bad[$i]}
		row="row $i $(printf '%q' "$name")"
		run_ds_err --name="$name" --rootfs="$root" start
		[[ $status != 0 ]] || fails+=("$row: start exit 0")
		[[ -z $output ]] || fails+=("$row: start printed on stdout: $output")
		msg=$(assert_one_error_line 2>&1) || fails+=("$row: start: $msg")
		run_ds_err --name="$name" status
		[[ $status != 0 ]] || fails+=("$row: status exit 0")
		msg=$(assert_one_error_line 2>&1) || fails+=("$row: status: $msg")
		run_ds_err --name="$name" stop
		[[ $status != 0 ]] || fails+=("$row: stop exit 0")
		msg=$(assert_one_error_line 2>&1) || fails+=("$row: stop: $msg")
		after=$(find "$DROIDSPACES_WORKSPACE" /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort)
		[[ $before == "$after" ]] || fails+=("$row: created $(diff <(echo "$before") <(echo "$after"))")
	done
	[ -z "$(find "$DROIDSPACES_WORKSPACE" -mindepth 1)" ]
	[ "$(count_monitors)" -eq 0 ]
	if ((${#fails[@]})); then
		printf '%s\n' "${fails[@]}" >&2
		return 1
	fi

}

@test "names: a second start fails 'already running' and touches nothing; 10 parallel starts, one wins" {
	require_fixture busybox
	local root root2 pidfile_before
	root=$(fixture_copy busybox)
	root2=$(fixture_copy busybox)
	start_ct dup "$root"
	wait_for 10 booted "$CT_PID"
	pidfile_before=$(cat "$(ws_pidfile dup)")

	run_ds_err --name=dup --rootfs="$root2" start
	[ "$status" -ne 0 ]
	assert_one_error_line "already running"
	[ "$(cat "$(ws_pidfile dup)")" = "$pidfile_before" ]
	proc_alive "$CT_PID" "$CT_ST"
	proc_alive "$CT_MON" "$CT_MON_ST"
	[ "$(count_monitors)" -eq 1 ]
	stop_ct dup
	assert_cleaned dup

	# 10 concurrent starts of one name
	parallel_starts par --rootfs="$root2"
	adopt_ct par
	[ "$(count_monitors)" -eq 1 ]
	wait_for 10 booted "$CT_PID"
	[ "$(line_count "$root2/var/log/ds-test-boots")" -eq 1 ]
	stop_ct par
	assert_cleaned par
}

# --------------------------------------------------------------------------
# 6: hostile rootfs trees

@test "hostile rootfs: dev, proc, sys, run as symlinks (absolute and relative) are refused, nothing touched" {
	require_fixture busybox
	local canary=$DS_TEST_DIR/canary state root d kind target
	mkdir -p "$canary/sub"
	echo canary >"$canary/file"
	state=$(canary_state "$canary")
	for d in dev proc sys run; do
		for kind in abs rel; do
			root=$(fixture_copy busybox)
			# $root is $DS_TEST_DIR/rootfs.N.busybox/root: ../../canary from it
			target=$canary
			[[ $kind == rel ]] && target=../../canary
			rm -rf "${root:?}/$d"
			ln -s "$target" "$root/$d"
			[ "$(realpath "$root/$d")" = "$canary" ]
			echo "row: /$d -> $target"
			track_container "hostile-$d-$kind"
			run_ds_err --name="hostile-$d-$kind" --rootfs="$root" start
			[ "$status" -ne 0 ]
			assert_one_error_line "rootfs path /$d is a symlink; refusing to mount over it"
			[ ! -e "$(ws_pidfile "hostile-$d-$kind")" ]
			[ ! -e "$(ct_cgroup "hostile-$d-$kind")" ]
			lock_free "hostile-$d-$kind"
			[ "$(canary_state "$canary")" = "$state" ]
			[ "$(readlink "$root/$d")" = "$target" ]
		done
	done
	[ "$(count_monitors)" -eq 0 ]
}

@test "hostile rootfs: etc/hostname, etc/hosts and .old_root symlinks to host paths never change the host" {
	require_fixture busybox
	local canary=$DS_TEST_DIR/canary state root kind name sum_h sum_hosts prefix
	mkdir -p "$canary"
	echo canary-hostname >"$DS_TEST_DIR/canary-hostname"
	printf '127.0.0.1\tcanary\n' >"$DS_TEST_DIR/canary-hosts"
	sum_h=$(sha256sum <"$DS_TEST_DIR/canary-hostname")
	sum_hosts=$(sha256sum <"$DS_TEST_DIR/canary-hosts")
	state=$(canary_state "$canary")
	for kind in abs rel; do
		root=$(fixture_copy busybox)
		name=etc-$kind
		prefix=$DS_TEST_DIR/
		# relative to $root/etc: etc -> root -> rootfs.N.busybox -> DS_TEST_DIR
		[[ $kind == rel ]] && prefix=../../../
		ln -sfn "${prefix}canary-hostname" "$root/etc/hostname"
		ln -sfn "${prefix}canary-hosts" "$root/etc/hosts"
		[ "$(realpath "$root/etc/hostname")" = "$DS_TEST_DIR/canary-hostname" ]
		# .old_root (pivot_root's put_old, if the runtime uses that name)
		rm -rf "$root/.old_root"
		if [[ $kind == abs ]]; then
			ln -s "$canary" "$root/.old_root"
		else
			ln -s ../../canary "$root/.old_root"
		fi
		track_container "$name"
		run_ds_err --name="$name" --rootfs="$root" start
		echo "row $kind: exit $status: $output $stderr"
		if [[ $status == 0 ]]; then
			adopt_ct "$name"
			[ "$(in_container "$name" hostname)" = "$name" ]
			[ "$(sha256sum <"$DS_TEST_DIR/canary-hostname")" = "$sum_h" ]
			[ "$(sha256sum <"$DS_TEST_DIR/canary-hosts")" = "$sum_hosts" ]
			[ "$(canary_state "$canary")" = "$state" ]
			stop_ct "$name"
			assert_cleaned "$name"
		else
			assert_one_error_line
			[ ! -e "$(ws_pidfile "$name")" ]
			[ ! -e "$(ct_cgroup "$name")" ]
		fi
		[ "$(sha256sum <"$DS_TEST_DIR/canary-hostname")" = "$sum_h" ]
		[ "$(sha256sum <"$DS_TEST_DIR/canary-hosts")" = "$sum_hosts" ]
		[ "$(canary_state "$canary")" = "$state" ]
	done
}

# --------------------------------------------------------------------------
# 7: life-cycle events

# rebooted NAME OLDPID: the pidfile names a new init that has booted.
rebooted() {
	local p
	p=$(sed -n 1p "$(ws_pidfile "$1")" 2>/dev/null) || return 1
	[[ -n $p && $p != "$2" ]] && booted "$p"
}

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

@test "lifecycle: with its monitor killed the container keeps running; stop still halts and cleans up" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	start_ct mon "$root"
	wait_for 10 booted "$CT_PID"
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	proc_alive "$CT_PID" "$CT_ST"
	run "$DS" --name=mon status
	[ "$status" -eq 0 ]
	[ "$output" = "mon: running (pid $CT_PID, init busybox)" ]
	[ "$(in_container mon hostname)" = mon ]
	stop_ct mon
	assert_cleaned mon
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
}

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

@test "lifecycle: a stale pidfile naming a live unrelated process is never signalled; start works" {
	require_fixture busybox
	local root sp sp_st pf host_boot row
	root=$(fixture_copy busybox)
	sleep 100000 >/dev/null 2>&1 3>&- &
	sp=$!
	CORE_OWN_PIDS="$sp"
	wait_for 5 comm_is "$sp" sleep
	sp_st=$(_ds_starttime "$sp")
	host_boot=$(cat /proc/sys/kernel/random/boot_id)
	pf=$(ws_pidfile stale)
	# a workspace in which containers have run before
	mkdir -p "$DROIDSPACES_WORKSPACE"/{Pids,Locks,Logs}
	for row in starttime boot_id monitor; do
		case $row in
		starttime) # right boot, wrong start time
			printf '%s\nmonitor=%s\nstarttime=1\nuuid=%s\nboot_id=%s\nrootfs=%s\ncgroup=droidspaces/stale\n' \
				"$sp" 1 0123456789abcdef0123456789abcdef "$host_boot" "$root" >"$pf"
			;;
		boot_id) # right start time, another boot
			printf '%s\nmonitor=%s\nstarttime=%s\nuuid=%s\nboot_id=%s\nrootfs=%s\ncgroup=droidspaces/stale\n' \
				"$sp" 1 "$sp_st" 0123456789abcdef0123456789abcdef 00000000-0000-4000-8000-000000000000 \
				"$root" >"$pf"
			;;
		monitor) # the unrelated process named as the monitor too
			printf '%s\nmonitor=%s\nstarttime=1\nuuid=%s\nboot_id=%s\nrootfs=%s\ncgroup=droidspaces/stale\n' \
				"$sp" "$sp" 0123456789abcdef0123456789abcdef "$host_boot" "$root" >"$pf"
			;;
		esac
		echo "row $row"
		run "$DS" --name=stale status
		[ "$status" -eq 1 ]
		[ "$output" = "stale: stopped" ]
		run "$DS" --name=stale show
		refute grep -E '^\| stale +\| running' <<<"$output"
		run "$DS" --name=stale stop
		echo "stop: exit $status: $output"
		proc_alive "$sp" "$sp_st"
		[ "$(cat "/proc/$sp/comm")" = sleep ]
	done

	# and a start over a stale pidfile works
	printf '%s\nmonitor=%s\nstarttime=1\nuuid=%s\nboot_id=%s\nrootfs=%s\ncgroup=droidspaces/stale\n' \
		"$sp" "$sp" 0123456789abcdef0123456789abcdef "$host_boot" "$root" >"$pf"
	start_ct stale "$root"
	[ "$CT_PID" != "$sp" ]
	wait_for 10 booted "$CT_PID"
	proc_alive "$sp" "$sp_st"
	stop_ct stale
	assert_cleaned stale
	proc_alive "$sp" "$sp_st"
	kill "$sp"
	wait "$sp" || true
	CORE_OWN_PIDS=
}

@test "lifecycle: stop over a stale pidfile never kills or removes the cgroup its cgroup= line names" {
	# The container of NAME always lives in droidspaces/NAME: a stale (or
	# corrupted) pidfile must not make stop SIGKILL and rmdir another cgroup.
	local sp sp_st pf victim
	victim=$(cg2_mount)/ds-test-victim.$$
	mkdir "$victim"
	CORE_OWN_CGROUPS=$victim
	sleep 100000 >/dev/null 2>&1 3>&- &
	sp=$!
	CORE_OWN_PIDS="$sp"
	wait_for 5 comm_is "$sp" sleep
	sp_st=$(_ds_starttime "$sp")
	echo "$sp" >"$victim/cgroup.procs"
	grep -qx "$sp" "$victim/cgroup.procs"
	pf=$(ws_pidfile victim)
	mkdir -p "$DROIDSPACES_WORKSPACE"/{Pids,Locks,Logs}
	printf '%s\nmonitor=%s\nstarttime=1\nuuid=%s\nboot_id=%s\nrootfs=/\ncgroup=%s\n' \
		"$sp" "$sp" 0123456789abcdef0123456789abcdef "$(cat /proc/sys/kernel/random/boot_id)" \
		"${victim#"$(cg2_mount)"/}" >"$pf"
	run "$DS" --name=victim status
	[ "$status" -eq 1 ]
	run "$DS" --name=victim stop
	echo "stop: exit $status: $output"
	proc_alive "$sp" "$sp_st"
	[ -d "$victim" ]
	grep -qx "$sp" "$victim/cgroup.procs"
	kill "$sp"
	wait "$sp" || true
	CORE_OWN_PIDS=
	wait_for 5 rmdir "$victim"
	CORE_OWN_CGROUPS=
	rm -f "$pf"
}

# --------------------------------------------------------------------------
# 8: console log

@test "console log: 3 MiB on /dev/console never blocks the guest; the log rotates at 1 MiB" {
	require_fixture busybox
	local root log size size1
	root=$(fixture_copy busybox)
	start_ct clog "$root"
	wait_for 10 booted "$CT_PID"
	log=$(ws_log clog)
	run timeout 60 "$DS" --name=clog run sh -c \
		'yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c 3145728 >/dev/console && echo wrote-all'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = wrote-all ]
	# still running, same init, and the drain still works
	proc_alive "$CT_PID" "$CT_ST"
	run "$DS" --name=clog status
	[ "$status" -eq 0 ]
	in_container clog sh -c 'echo ds-after-flood >/dev/console'
	wait_for 10 grep -q ds-after-flood "$log"
	[ -f "$log.1" ]
	[ ! -e "$log.2" ]
	size=$(stat -c %s "$log")
	size1=$(stat -c %s "$log.1")
	echo "console.log $size bytes, console.log.1 $size1 bytes"
	((size <= 1048576 + 65536))
	((size1 <= 1048576 + 65536))
	((size1 >= 512 * 1024))
	grep -q 0123456789abcdefghijklmnopqrstuvwxyz "$log.1"
	stop_ct clog
	assert_cleaned clog
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
}
