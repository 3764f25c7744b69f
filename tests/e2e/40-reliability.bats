#!/usr/bin/env bats
# Reliability, end to end (issue 7): faults survived (SIGKILL of the CLI at
# each stage of start, of the monitor, of init; inits that exit at once,
# ignore their halt signal or cannot be executed; stale pidfiles with reused
# PIDs; a read-only, unwritable or full workspace), load held (start/stop
# cycles, many volatile containers from one rootfs, parallel starts, stops and
# runs) and hostile input (names, paths, rootfs trees, every option's values).
#
# Every test runs between common_setup and common_teardown, which fail it when
# the host changed.  The long soak (500 + 50 cycles) is tests/soak/soak.sh.
#
# Fault injection: DROIDSPACES_FAULT=POINT makes the process that reaches
# POINT stop itself (SIGSTOP); the test waits for state T and SIGKILLs it.
#   start:before-fork        the CLI, lock taken, monitor not yet forked
#   start:after-fork         the CLI, monitor forked
#   monitor:before-pidfile   the monitor, init forked but held until the
#                            pidfile is written
#
# Figures for the README go to the TAP stream as "# reliability: ..." lines.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	common_setup
	REL_OWN_PIDS=
}

teardown() {
	local p
	# Processes this file started itself (never containers: common_teardown
	# stops the tracked ones), as PID:STARTTIME, so that a PID reused since
	# is never signalled.  A stopped process must be killed, not waited on.
	for p in ${REL_OWN_PIDS:-}; do
		if [[ $(_ds_starttime "${p%%:*}" 2>/dev/null) == "${p#*:}" ]]; then
			kill -KILL "${p%%:*}" 2>/dev/null || true
		fi
		wait "${p%%:*}" 2>/dev/null || true
	done
	common_teardown
}

# own_pid PID: remember a process this file started (killed by teardown).
own_pid() { REL_OWN_PIDS+=" $1:$(_ds_starttime "$1" 2>/dev/null || echo gone)"; }

# --------------------------------------------------------------------------
# local helpers (the workspace paths, monitors, start_ct/stop_ct,
# nothing_left/assert_cleaned and the rest are in helpers.bash)

# proc_state PID: the state letter of /proc/PID/stat (R S D T Z ...).
proc_state() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	echo "${s%% *}"
}
is_stopped() { [[ $(proc_state "$1") == [Tt] ]]; }

# no_monitors [WS]: no ws_monitors at all.
no_monitors() { [[ $(count_monitors "$@") -eq 0 ]]; }

# stopped_monitor: the PID of this workspace's monitor that stopped itself.
stopped_monitor() {
	local p
	for p in $(ws_monitors); do
		is_stopped "$p" && echo "$p" && return 0
	done
	return 1
}

# run_ds_ws WS ARGS...: like run_ds_err with DROIDSPACES_WORKSPACE=WS, under
# timeout(1) so that a hang fails the row instead of the whole suite.
run_ds_ws() {
	local ws=$1
	shift
	run --separate-stderr env DROIDSPACES_WORKSPACE="$ws" timeout 30 "$DS" "$@"
	printf '$ DROIDSPACES_WORKSPACE=%q %q' "$ws" "$DS" "$@" >>"$DS_TEST_DIR/ds.log"
	printf '\nstdout: %s\nstderr: %s\n[exit %s]\n' "$output" "$stderr" "$status" >>"$DS_TEST_DIR/ds.log"
}

# assert_refused [SUBSTRING]: the command just run failed cleanly: a non-zero
# status that is neither timeout(1)'s 124 nor a signal, nothing on stdout,
# one error line.
assert_refused() {
	if [[ $status == 0 ]]; then
		echo "exit status 0, but this must fail; stdout: $output" >&2
		return 1
	fi
	if ((status == 124 || status >= 128)); then
		echo "exit status $status: a hang (124) or a crash (signal $((status - 128)))" >&2
		return 1
	fi
	if [[ -n $output ]]; then
		echo "stdout not empty: $(printf '%q' "$output")" >&2
		return 1
	fi
	assert_one_error_line "$@"
}

# show_state NAME: the STATE column of NAME in `show` ("" when absent).
show_state() {
	"$DS" show 2>/dev/null | awk -F'|' -v n="$1" '{ gsub(/ /, "", $2); gsub(/ /, "", $3) } $2 == n { print $3 }'
}

# write_init ROOT SCRIPT: replace ROOT's /sbin/init by a shell script.
write_init() {
	rm -f "$1/sbin/init"
	printf '%s\n' "#!/bin/sh" "$2" >"$1/sbin/init"
	chmod 0755 "$1/sbin/init"
}

# mount_own TYPE SRC DIR [OPTIONS]: a mount this file makes; registered so
# that the host snapshots leave it out and common_teardown unmounts it.
mount_own() {
	local type=$1 src=$2 dir=$3 opts=${4:-}
	mkdir -p "$dir"
	echo "$dir" >>"$DS_TEST_DIR/.mounts"
	if [[ $type == bind ]]; then
		mount --bind "$src" "$dir"
		[[ -z $opts ]] || mount -o "remount,bind,$opts" "$dir"
	else
		mount -t "$type" ${opts:+-o "$opts"} "$src" "$dir"
	fi
}

# rescue_ct NAME [WS]: a container NAME that runs although its start had to
# fail (a bug; maybe without a pidfile) is halted: every process of its
# cgroup is SIGKILLed, then its monitor cleans up.  Falls back to rescue_ws.
rescue_ct() {
	local name=$1 ws=${2:-$DROIDSPACES_WORKSPACE} cg p
	cg=$(ct_cgroup "$name")
	if [[ ! -e $cg/cgroup.procs ]]; then
		rescue_ws "$ws"
		return 0
	fi
	while read -r p; do
		echo "rescue: killing PID $p of container $name" >&2
		kill -KILL "$p" 2>/dev/null || true
	done <"$cg/cgroup.procs"
	# the monitor removes the cgroup, then exits (releasing the lock)
	wait_for 15 ! test -e "$cg" || true
	wait_for 15 lock_free "$name" "$ws" || true
}

# rescue_ws WS: every container of workspace WS is halted through its init
# (for a workspace private to one row).
rescue_ws() {
	local ws=$1 m c
	for m in $(ws_monitors "$ws"); do
		for c in $(pgrep -P "$m"); do
			echo "rescue: killing PID $c (child of monitor $m) of $ws" >&2
			kill -KILL "$c" 2>/dev/null || true
		done
	done
	wait_for 15 no_monitors "$ws" || true
}

# figure TEXT: a figure for the README, on the TAP stream.

# Table-driven tests check every row and fail at the end, listing each row
# that failed (so one report shows every broken row, not just the first).
# row_ok LABEL CMD...: run the check CMD; on failure record LABEL and its message.
row_ok() {
	local label=$1 msg
	shift
	if ! msg=$("$@" 2>&1); then
		printf '%s: %s\n' "$label" "${msg//$'\n'/ | }" >>"$DS_TEST_DIR/row-failures"
	fi
	return 0
}
# row_fail LABEL TEXT: record a failed row.
row_fail() { printf '%s: %s\n' "$1" "$2" >>"$DS_TEST_DIR/row-failures"; }
# rows_verdict: fail when any row failed.
rows_verdict() {
	[[ -s $DS_TEST_DIR/row-failures ]] || return 0
	echo "$(wc -l <"$DS_TEST_DIR/row-failures") failing rows:" >&2
	cat "$DS_TEST_DIR/row-failures" >&2
	return 1
}

# host_etc_state: checksums of the host's /etc (and its symlinks and modes).
host_etc_state() {
	find /etc -xdev -printf '%p %y %m %U:%G %l\n' 2>/dev/null | sort
	find /etc -xdev -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum 2>/dev/null
}

# --------------------------------------------------------------------------
# Faults: SIGKILL of the CLI or the monitor at each stage of start

# fault_start POINT NAME ROOTFS: start NAME in the background with the fault
# point armed; FAULT_CLI is the CLI's PID.
fault_start() {
	local point=$1 name=$2 root=$3
	track_container "$name"
	DROIDSPACES_FAULT=$point "$DS" --name="$name" --rootfs="$root" start \
		>"$DS_TEST_DIR/fault.out" 2>"$DS_TEST_DIR/fault.err" </dev/null 3>&- &
	FAULT_CLI=$!
	own_pid "$FAULT_CLI"
}

# fault_reap: wait for the CLI of fault_start; FAULT_RC its exit status.
fault_reap() {
	FAULT_RC=0
	wait "$FAULT_CLI" || FAULT_RC=$?
	echo "CLI exit $FAULT_RC; stdout: $(cat "$DS_TEST_DIR/fault.out"); stderr: $(cat "$DS_TEST_DIR/fault.err")"
}

@test "fault: CLI SIGKILLed at start:before-fork: nothing started, lock free, status/stop/start tell the truth" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	fault_start start:before-fork fb "$root"
	wait_for 10 is_stopped "$FAULT_CLI"
	# The CLI holds the name's lock at this point: a second start is refused.
	run_ds_err --name=fb --rootfs="$root" start
	assert_refused "already running (or being started or stopped)"
	kill -KILL "$FAULT_CLI"
	fault_reap
	[ "$FAULT_RC" -eq 137 ]

	nothing_left fb
	[ ! -e "$root/var/log/ds-test-boots" ]
	[ -z "$(show_state fb)" ]
	run_ds_err --name=fb stop
	assert_refused "not running"
	# and the name works again
	start_ct fb "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct fb
	assert_cleaned fb
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 1 ]
}

@test "fault: CLI SIGKILLed at start:after-fork: the container boots and is fully managed" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	fault_start start:after-fork fa "$root"
	wait_for 10 is_stopped "$FAULT_CLI"
	kill -KILL "$FAULT_CLI"
	fault_reap
	[ "$FAULT_RC" -eq 137 ]

	# The monitor carries on without its CLI: status and show tell the truth.
	wait_for 10 test -s "$(ws_pidfile fa)"
	adopt_ct fa
	wait_for 10 booted "$CT_PID"
	run_ds_err --name=fa status
	[ "$status" -eq 0 ]
	[ "$output" = "fa: running (pid $CT_PID, init busybox)" ]
	[ "$(show_state fa)" = running ]
	run_ds_err --name=fa run hostname
	[ "$status" -eq 0 ]
	[ "$output" = fa ]
	[ "$(count_monitors)" -eq 1 ]
	stop_ct fa
	assert_cleaned fa
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
}

@test "fault: monitor SIGKILLed at monitor:before-pidfile: init never boots, start fails clearly, nothing left" {
	require_fixture busybox
	local root mon cg_left
	root=$(fixture_copy busybox)
	fault_start monitor:before-pidfile fm "$root"
	wait_for 10 stopped_monitor
	mon=$(stopped_monitor)
	own_pid "$mon"
	[ ! -e "$(ws_pidfile fm)" ]
	kill -KILL "$mon"
	fault_reap
	[ "$FAULT_RC" -ne 0 ]
	[ ! -s "$DS_TEST_DIR/fault.out" ]
	stderr=$(cat "$DS_TEST_DIR/fault.err")
	assert_one_error_line "fm"

	# The held init sees EOF and exits: no guest, no untracked process.
	wait_for 10 no_monitors
	[ ! -e "$root/var/log/ds-test-boots" ]
	[ ! -e "$(ws_pidfile fm)" ]
	lock_free fm
	# (checked at the end, so the rest is tested as well)
	cg_left=$(cgroups_of fm)
	[[ -e $(ws_sock fm) ]] && cg_left+=" $(ws_sock fm)"
	run_ds_err --name=fm status
	[ "$status" -eq 1 ]
	[ "$output" = "fm: stopped" ]
	[ -z "$(show_state fm)" ]

	start_ct fm "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct fm
	assert_cleaned fm
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 1 ]
	if [[ -n $cg_left ]]; then
		echo "after the monitor was killed before the pidfile, these stayed: $cg_left" >&2
		return 1
	fi
}

@test "fault: monitor SIGKILLed while running: the guest keeps running and is managed; stop cleans everything" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	start_ct mk "$root"
	wait_for 10 booted "$CT_PID"
	[ -S "$(ws_sock mk)" ]
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	# decided: the container keeps running
	proc_alive "$CT_PID" "$CT_ST"
	run_ds_err --name=mk status
	[ "$status" -eq 0 ]
	[ "$output" = "mk: running (pid $CT_PID, init busybox)" ]
	[ "$(show_state mk)" = running ]
	run_ds_err --name=mk run cat /run/ds-test-booted
	[ "$status" -eq 0 ]
	[ "$output" = booted ]
	run_ds_err --name=mk logs
	[ "$status" -eq 0 ]
	# a second start of the name is refused while the guest lives
	run_ds_err --name=mk --rootfs="$root" start
	assert_refused "already running"
	proc_alive "$CT_PID" "$CT_ST"

	stop_ct mk
	assert_cleaned mk
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
	# and the name boots again
	start_ct mk "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct mk
	assert_cleaned mk
}

@test "fault: monitor and init both SIGKILLed: the stale pidfile reads stopped, stop tidies up, start works" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	start_ct both "$root"
	wait_for 10 booted "$CT_PID"
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	kill -KILL "$CT_PID"
	wait_for 5 ! proc_alive "$CT_PID" "$CT_ST"
	# The orphaned init is a zombie until the host's PID 1 reaps it (a zombie
	# init still answers kill(pid, 0) with its start time: see the report).
	wait_for 30 ! test -e "/proc/$CT_PID"
	# nobody is left to clean up: the pidfile is stale
	[ -e "$(ws_pidfile both)" ]
	lock_free both
	run_ds_err --name=both status
	[ "$status" -eq 1 ]
	[ "$output" = "both: stopped" ]
	# (no `show` here: show drops stale pidfiles itself; the stale-pidfile
	# test below runs show before stop)
	run_ds_err --name=both stop
	assert_refused "not running"
	nothing_left both
	start_ct both "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct both
	assert_cleaned both
}

# --------------------------------------------------------------------------
# Faults: init misbehaving

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

# --------------------------------------------------------------------------
# Faults: stale pidfiles and PID reuse

# spawn_at_pid PID [SLEEP]: start `sleep` (or the sleep binary at path SLEEP)
# as exactly PID (through ns_last_pid); SPAWNED is its PID.  Fails when other
# forks keep winning the race.
spawn_at_pid() {
	local target=$1 exe=${2:-sleep} ix
	for ix in $(seq 1 100); do
		echo $((target - 1)) >/proc/sys/kernel/ns_last_pid
		# shellcheck disable=SC2217 # stdin closed on purpose
		"$exe" 100000 </dev/null >/dev/null 2>&1 3>&- &
		SPAWNED=$!
		own_pid "$SPAWNED"
		[[ $SPAWNED == "$target" ]] && return 0
		kill -KILL "$SPAWNED" 2>/dev/null || true
		wait "$SPAWNED" 2>/dev/null || true
	done
	echo "spawn_at_pid: could not get PID $target" >&2
	return 1
}

# alive_unharmed PID STARTTIME: the same process, not stopped, not a zombie.
alive_unharmed() {
	proc_alive "$1" "$2" || {
		echo "PID $1 was killed" >&2
		return 1
	}
	[[ $(proc_state "$1") == S ]] || {
		echo "PID $1 is in state $(proc_state "$1")" >&2
		return 1
	}
}

@test "fault: a stale pidfile whose init and monitor PIDs now belong to other processes: never signalled" {
	require_fixture busybox
	local root pf saved imp_init imp_init_st imp_mon imp_mon_st old_pid old_mon impostor="$DS_TEST_DIR/[ds-monitor]"
	root=$(fixture_copy busybox)
	ln -s "$(command -v sleep)" "$impostor"
	start_ct reuse "$root"
	wait_for 10 booted "$CT_PID"
	old_pid=$CT_PID
	old_mon=$CT_MON
	pf=$(ws_pidfile reuse)
	# both die; nobody cleans up
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	kill -KILL "$CT_PID"
	wait_for 5 ! proc_alive "$CT_PID" "$CT_ST"
	# Real PID reuse: unrelated processes get the old PIDs.  The one at the
	# monitor's PID even calls itself [ds-monitor] (sleep run through a
	# symlink of that name).  SIGUSR1/SIGUSR2/SIGTERM
	# would end a sleep: any signal shows.  The PIDs are free once the host's
	# PID 1 reaped the orphaned zombies; if it never does, the impostors get
	# other PIDs and the pidfile is made to name them (the same situation for
	# the runtime).
	if wait_for 20 ! test -e "/proc/$old_pid" && wait_for 20 ! test -e "/proc/$old_mon"; then
		spawn_at_pid "$old_pid"
		imp_init=$SPAWNED
		spawn_at_pid "$old_mon" "$impostor"
		imp_mon=$SPAWNED
	else
		echo "# zombies not reaped: impostors at new PIDs" >&3
		spawn_at_pid $(($(cat /proc/sys/kernel/ns_last_pid) + 100))
		imp_init=$SPAWNED
		spawn_at_pid $((imp_init + 10)) "$impostor"
		imp_mon=$SPAWNED
		sed -i -e "1s/.*/$imp_init/" -e "s/^monitor=.*/monitor=$imp_mon/" "$pf"
	fi
	saved=$(cat "$pf")
	wait_for 5 comm_is "$imp_init" sleep
	wait_for 5 comm_is "$imp_mon" '[ds-monitor]'
	imp_init_st=$(_ds_starttime "$imp_init")
	imp_mon_st=$(_ds_starttime "$imp_mon")
	[ "$(sed -n 1p "$pf")" = "$imp_init" ]
	[ "$(pidfile_key reuse monitor)" = "$imp_mon" ]

	run_ds_err --name=reuse status
	[ "$status" -eq 1 ]
	[ "$output" = "reuse: stopped" ]
	[ "$(show_state reuse)" != running ]
	run_ds_err --name=reuse info
	run_ds_err --name=reuse run true
	[ "$status" -ne 0 ]
	run_ds_err --name=reuse stop
	assert_refused "not running"
	alive_unharmed "$imp_init" "$imp_init_st"
	alive_unharmed "$imp_mon" "$imp_mon_st"
	# status, show, info, run, then stop of a stale pidfile: everything of
	# the dead container is gone (checked at the end)
	row_ok "status/show/info/run/stop over a stale pidfile" nothing_left reuse
	rm -f "$(ws_sock reuse)"
	find /sys/fs/cgroup -depth -mindepth 2 -type d -path "*/droidspaces/reuse" -exec rmdir {} + 2>/dev/null || true

	# The same pidfile, now from another boot of the host, with the right start
	# time of the live process: stale as well (boot_id).
	sed -e "s/^starttime=.*/starttime=$imp_init_st/" \
		-e 's/^boot_id=.*/boot_id=00000000-0000-4000-8000-000000000000/' <<<"$saved" >"$pf"
	run_ds_err --name=reuse status
	[ "$status" -eq 1 ]
	run_ds_err --name=reuse stop
	assert_refused "not running"
	alive_unharmed "$imp_init" "$imp_init_st"
	alive_unharmed "$imp_mon" "$imp_mon_st"

	# start over a stale pidfile works and never touches them either
	printf '%s\n' "$saved" >"$pf"
	start_ct reuse "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct reuse
	assert_cleaned reuse
	alive_unharmed "$imp_init" "$imp_init_st"
	alive_unharmed "$imp_mon" "$imp_mon_st"
	figure "stale pidfile with PIDs reused by other processes: none signalled"
	rows_verdict
}

# --------------------------------------------------------------------------
# Faults: workspace read-only, full, log unwritable

@test "fault: workspace read-only, full, Pids or log dir unwritable, log a symlink: one clear error, never half-started" {
	require_fixture busybox
	local root row ws name rows=0 canary=$DS_TEST_DIR/log-target
	root=$(fixture_copy busybox)
	for row in ro-empty ro-populated pids-ro logdir-ro log-symlink full; do
		ws=$DS_TEST_DIR/wsrow/$row
		name=ws-$row
		track_container "$name"
		case $row in
		ro-empty)
			mount_own tmpfs ds-rel-ws "$ws" ro,mode=0755
			;;
		ro-populated)
			mount_own tmpfs ds-rel-ws "$ws" mode=0755
			# a full life cycle first: every directory and the lock file exist
			run_ds_ws "$ws" --name="$name" --rootfs="$root" start
			[ "$status" -eq 0 ]
			run_ds_ws "$ws" --name="$name" stop
			[ "$status" -eq 0 ]
			mount -o remount,ro "$ws"
			;;
		pids-ro)
			mount_own tmpfs ds-rel-ws "$ws" mode=0755
			mkdir -p "$ws/Pids"
			mount_own bind "$ws/Pids" "$ws/Pids" ro
			;;
		logdir-ro)
			mount_own tmpfs ds-rel-ws "$ws" mode=0755
			mkdir -p "$ws/Logs/$name"
			mount_own bind "$ws/Logs/$name" "$ws/Logs/$name" ro
			;;
		log-symlink)
			mount_own tmpfs ds-rel-ws "$ws" mode=0755
			mkdir -p "$ws/Logs/$name"
			ln -s "$canary" "$ws/Logs/$name/console.log"
			;;
		full)
			mount_own tmpfs ds-rel-ws "$ws" size=256k,mode=0755
			mkdir -p "$ws/Pids" "$ws/Logs" "$ws/Locks"
			dd if=/dev/zero of="$ws/filler" bs=4k 2>/dev/null || true
			;;
		esac
		run_ds_ws "$ws" --name="$name" --rootfs="$root" start
		echo "row $row: exit $status: $output / $stderr"
		if [[ $status == 0 ]]; then
			row_fail "$row" "start succeeded (half-started?): $output; pidfile: $(head -1 "$(ws_pidfile "$name" "$ws")" 2>&1)"
			rescue_ct "$name" "$ws"
		else
			row_ok "$row" assert_refused
		fi
		row_ok "$row (leftovers)" nothing_left "$name" "$ws"
		[[ ! -e $canary ]] || row_fail "$row" "the log symlink's target was created"
		rows=$((rows + 1))
	done
	figure "unwritable workspace rows tried: $rows"
	rows_verdict
}

# --------------------------------------------------------------------------
# Load held (the long runs are tests/soak/soak.sh)

# quick_state: the parts of the host state a start/stop cycle could leak,
# cheap enough for every cycle.
quick_state() {
	echo "## mounts"
	_ds_mounts
	echo "## loop"
	losetup -l -n -O NAME,BACK-FILE 2>/dev/null | sort
	echo "## cgroups"
	find /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort
	echo "## pts"
	find /dev/pts -mindepth 1 -maxdepth 1 | wc -l
	echo "## pidfiles"
	find "$DROIDSPACES_WORKSPACE/Pids" -mindepth 1 2>/dev/null | sort
	echo "## foreign namespaces"
	_ds_foreign_ns_procs
	echo "## caller fds"
	find /proc/$$/fd -mindepth 1 -maxdepth 1 | wc -l
}

# fd_targets PID: where PID's open fds point.
fd_targets() {
	local f
	for f in /proc/"$1"/fd/*; do
		readlink "$f" 2>/dev/null || true
	done
}

@test "load: 20 start/stop cycles: host state, caller fds and monitor fds identical every cycle; no caller fd leaks in" {
	require_fixture busybox
	local root ix n=${DS_TEST_CYCLES:-20} before now mon_fds='' fds canary=$DS_TEST_DIR/fd-canary t0 leak_mon='' leak_guest='' p
	root=$(fixture_copy busybox)
	: >"$canary"
	before=$(quick_state)
	t0=$(_ds_usec_now)
	for ((ix = 1; ix <= n; ix++)); do
		track_container cyc
		# fd 7 is open (not close-on-exec) in the caller: it must not reach the
		# monitor or the guest
		ds_run --name=cyc --rootfs="$root" start 7>>"$canary"
		[ "$status" -eq 0 ]
		adopt_ct cyc
		wait_for 10 booted "$CT_PID"
		if grep -qxF "$canary" <(fd_targets "$CT_MON"); then
			leak_mon="the caller's fd 7 ($canary) is open in the monitor"
		fi
		# every process of the guest (its cgroup)
		if grep -qxF "$canary" <(while read -r p; do fd_targets "$p"; done <"$(ct_cgroup cyc)/cgroup.procs"); then
			leak_guest="the caller's fd 7 ($canary) is open in the guest"
		fi
		fds=$(fd_targets "$CT_MON" | sed -E 's/[0-9]+/N/g' | sort | tr '\n' ' ')
		[[ -z $mon_fds ]] && mon_fds=$fds
		if [[ $fds != "$mon_fds" ]]; then
			echo "cycle $ix: the monitor's fds changed: $mon_fds -> $fds" >&2
			return 1
		fi
		stop_ct cyc
		assert_cleaned cyc
		now=$(quick_state)
		if [[ $now != "$before" ]]; then
			echo "cycle $ix: the host state changed:" >&2
			diff <(echo "$before") <(echo "$now") >&2
			return 1
		fi
	done
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq "$n" ]
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq "$n" ]
	host_snapshot "$DS_TEST_DIR/host.cycles"
	host_diff "$DS_TEST_DIR/host.before" "$DS_TEST_DIR/host.cycles"
	figure "busybox start/stop cycles held in the e2e suite: $n ($((($(_ds_usec_now) - t0) / 1000 / n)) ms per cycle)"
	[[ -z $leak_mon && -z $leak_guest ]] || {
		echo "${leak_mon:-no leak into the monitor}; ${leak_guest:-no leak into the guest}" >&2
		return 1
	}
}

@test "load: 10 volatile containers from one rootfs start, all show, one multi-name stop stops all; rootfs untouched" {
	require_fixture busybox
	local root ix n=${DS_TEST_MANY:-10} names='' state t0 out
	root=$(fixture_copy busybox)
	state=$(canary_state "$root")
	declare -A pids=() sts=()
	for ((ix = 1; ix <= n; ix++)); do
		start_ct "vol$ix" "$root" -V
		pids[vol$ix]=$CT_PID
		sts[vol$ix]=$CT_ST
		names+=${names:+,}vol$ix
	done
	for ((ix = 1; ix <= n; ix++)); do
		wait_for 10 booted "${pids[vol$ix]}"
		in_container "vol$ix" sh -c "echo $ix >/root/vol-probe"
	done
	# each sees its own writes only; hostnames are their names
	for ((ix = 1; ix <= n; ix++)); do
		[ "$(in_container "vol$ix" cat /root/vol-probe)" = "$ix" ]
		[ "$(in_container "vol$ix" hostname)" = "vol$ix" ]
	done
	run_ds_err show
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^\| vol[0-9]+ +\| running ' <<<"$output")" -eq "$n" ]
	[ "$(canary_state "$root")" = "$state" ]
	t0=$(_ds_usec_now)
	run_ds_err --name="$names" stop
	echo "multi-name stop: $(($(_ds_usec_now) - t0)) us; exit $status; $output / $stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	for ((ix = 1; ix <= n; ix++)); do
		grep -qx "Container vol$ix stopped" <<<"$output"
	done
	[ "$(wc -l <<<"$output")" -eq "$n" ]
	for ((ix = 1; ix <= n; ix++)); do
		nothing_left "vol$ix"
		refute proc_alive "${pids[vol$ix]}" "${sts[vol$ix]}"
	done
	out=$(find "$DROIDSPACES_WORKSPACE" -path '*Volatile/*' -mindepth 1 2>/dev/null)
	[ -z "$out" ]
	# nothing the guests wrote reached the shared rootfs
	[ "$(canary_state "$root")" = "$state" ]
	figure "volatile containers from one rootfs at once in the e2e suite: $n"
}

@test "load: 10 parallel volatile starts of one name: exactly one runs, the others fail clearly" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	parallel_starts par --rootfs="$root" -V
	adopt_ct par
	wait_for 10 booted "$CT_PID"
	# the losers did not remove the winner's volatile layer
	in_container par sh -c 'echo w >/root/w && cat /root/w'
	[ "$(count_monitors)" -eq 1 ]
	[ ! -e "$root/root/w" ]
	stop_ct par
	assert_cleaned par
}

@test "load: parallel run, enter, status and stop against one container all behave" {
	require_fixture busybox
	local root d ix n_stop_ok=0 rc
	root=$(fixture_copy busybox)
	start_ct pcon "$root"
	wait_for 10 booted "$CT_PID"
	d=$DS_TEST_DIR/pc
	mkdir -p "$d"

	# 10 runs and 3 enters at once while it runs: all succeed
	for ix in $(seq 1 10); do
		(
			rc=0
			timeout 30 "$DS" --name=pcon run sh -c "echo run-$ix" >"$d/run.$ix" 2>"$d/runerr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/runrc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	for ix in 1 2 3; do
		(
			rc=0
			echo "echo enter-$ix; exit" | timeout 30 "$DS" --name=pcon enter >"$d/enter.$ix" 2>"$d/entererr.$ix" || rc=$?
			echo "$rc" >"$d/enterrc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	wait_bg
	for ix in $(seq 1 10); do
		echo "run $ix: exit $(cat "$d/runrc.$ix"): $(cat "$d/run.$ix" "$d/runerr.$ix")"
		[ "$(cat "$d/runrc.$ix")" -eq 0 ]
		[ "$(cat "$d/run.$ix")" = "run-$ix" ]
	done
	for ix in 1 2 3; do
		echo "enter $ix: exit $(cat "$d/enterrc.$ix"): $(cat "$d/enter.$ix" "$d/entererr.$ix")"
		[ "$(cat "$d/enterrc.$ix")" -eq 0 ]
		grep -q "enter-$ix" "$d/enter.$ix"
	done

	# now 3 stops, 5 runs and 5 status at once: the stops succeed or say the
	# container is not running (any more); the runs either work or fail
	# with one error line; nothing hangs or crashes
	for ix in 1 2 3; do
		(
			rc=0
			timeout 60 "$DS" --name=pcon stop >"$d/stop.$ix" 2>"$d/stoperr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/stoprc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	for ix in $(seq 1 5); do
		(
			rc=0
			timeout 30 "$DS" --name=pcon run sh -c "echo late-$ix" >"$d/late.$ix" 2>"$d/lateerr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/laterc.$ix"
			rc=0
			timeout 30 "$DS" --name=pcon status >/dev/null 2>"$d/staterr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/statrc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	wait_bg
	for ix in 1 2 3; do
		rc=$(cat "$d/stoprc.$ix")
		echo "stop $ix: exit $rc: $(cat "$d/stop.$ix" "$d/stoperr.$ix")"
		if [[ $rc == 0 ]]; then
			n_stop_ok=$((n_stop_ok + 1))
			[ "$(cat "$d/stop.$ix")" = "Container pcon stopped" ]
		else
			((rc < 124))
			[ ! -s "$d/stop.$ix" ]
			[ "$(wc -l <"$d/stoperr.$ix")" -eq 1 ]
			grep -qE '^droidspaces: .*(not running|being started or stopped)' "$d/stoperr.$ix"
		fi
	done
	((n_stop_ok >= 1))
	for ix in $(seq 1 5); do
		rc=$(cat "$d/laterc.$ix")
		echo "late run $ix: exit $rc: $(cat "$d/late.$ix" "$d/lateerr.$ix")"
		((rc < 124))
		if [[ $rc == 0 ]]; then
			[ "$(cat "$d/late.$ix")" = "late-$ix" ]
		else
			[ "$(wc -l <"$d/lateerr.$ix")" -eq 1 ]
			grep -q '^droidspaces: ' "$d/lateerr.$ix"
		fi
		rc=$(cat "$d/statrc.$ix")
		[[ $rc == 0 || $rc == 1 ]]
	done
	wait_for 15 nothing_left pcon
	assert_cleaned pcon
}

# --------------------------------------------------------------------------
# Hostile input

# ws_state: the workspace and the droidspaces cgroups, to show nothing was created.
ws_state() {
	find "$DROIDSPACES_WORKSPACE" /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort
	find "$DROIDSPACES_WORKSPACE" 2>/dev/null | sort
}

@test "hostile names: every command refuses each bad name with one error line; nothing created" {
	require_fixture busybox
	local root ix name cmd before rows=0
	local -a bad=(
		'' '.' '..' 'a/b' '../x' '/abs' "$(printf 'n%.0s' {1..300})" 'a b' ' ' ' lead' 'trail '
		$'a\nb' $'a\tb' $'\x01x' $'x\x1b[31m' $'x\x7f' $'\xff\xfe' $'\xc3\x28' 'é' '*' 'a*b' 'a:b' '$(id)' '`id`'
	)
	local -a cmds=(start stop restart status info logs remove enter run console)
	root=$(fixture_copy busybox)
	mkdir -p "$DROIDSPACES_WORKSPACE"
	before=$(ws_state)
	for ix in "${!bad[@]}"; do
		name=${bad[$ix]}
		for cmd in "${cmds[@]}"; do
			case $cmd in
			start | restart) run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" --rootfs="$root" "$cmd" ;;
			run) run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" run true ;;
			*) run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" "$cmd" ;;
			esac
			row_ok "name $(printf '%q' "$name") $cmd" assert_refused
			rows=$((rows + 1))
		done
		[[ $(ws_state) == "$before" ]] || row_fail "name $(printf '%q' "$name")" "the workspace or cgroups changed"
	done
	[ "$(count_monitors)" -eq 0 ]
	figure "hostile names x commands tried: $rows"
	rows_verdict
}

# guarded_start NAME ROOTFS: `start` with the monitor:before-pidfile fault
# armed, for a rootfs that must be refused before anything runs (the host's
# own /): if the CLI gets as far as forking the monitor, the monitor stops
# itself before init may boot; it is SIGKILLed (init then exits unbooted)
# and GUARD_PASSED=1 records that the rootfs was not refused.  Sets status,
# output and stderr like run_ds_err.
guarded_start() {
	local name=$1 rootfs=$2 cli mon parent
	parent=$(cg2_mount)/droidspaces
	[[ -d $parent ]] && parent=
	GUARD_PASSED=0
	DROIDSPACES_FAULT=monitor:before-pidfile "$DS" --name="$name" --rootfs="$rootfs" start \
		>"$DS_TEST_DIR/guard.out" 2>"$DS_TEST_DIR/guard.err" </dev/null 3>&- &
	cli=$!
	own_pid "$cli"
	wait_for 20 _guard_settled "$cli" || true
	if mon=$(stopped_monitor); then
		GUARD_PASSED=1
		kill -KILL "$mon"
	fi
	status=0
	wait "$cli" || status=$?
	output=$(cat "$DS_TEST_DIR/guard.out")
	stderr=$(cat "$DS_TEST_DIR/guard.err")
	if [[ $GUARD_PASSED == 1 ]]; then
		wait_for 10 no_monitors || true
		# the cgroup and socket a killed monitor leaves (see the
		# monitor:before-pidfile test)
		find /sys/fs/cgroup -depth -mindepth 2 -type d -path "*/droidspaces/$name" -exec rmdir {} + 2>/dev/null || true
		[[ -z $parent ]] || rmdir "$parent" 2>/dev/null || true
		rm -f "$(ws_sock "$name")"
	fi
}
_guard_settled() { ! kill -0 "$1" 2>/dev/null || stopped_monitor >/dev/null; }

@test "hostile paths: missing, relative, a file, no /sbin/init, the host's own / (every spelling, a bind mount), for --rootfs and --rootfs-img" {
	require_fixture busybox
	local noinit file row before rows=0 link=$DS_TEST_DIR/to-root bindroot=$DS_TEST_DIR/bindroot
	noinit=$(fixture_copy busybox)
	rm "$noinit/sbin/init"
	file=$DS_TEST_DIR/a-file
	echo not-a-rootfs >"$file"
	ln -s / "$link"
	cd "$DS_TEST_DIR"
	mkdir -p "$DROIDSPACES_WORKSPACE"
	before=$(ws_state)
	local -a rootfs_rows=(
		"$DS_TEST_DIR/no-such-dir" "no-such-relative-dir" "./no/such" "$file" "$noinit" "$noinit/" "$file/sub"
	)
	# The host's own root.  (musl's realpath() keeps a leading "//".)  Run
	# through guarded_start: never boots, even if the check misses.
	local -a hostroot_rows=(/ // /// //. //./ //tmp/.. /tmp/.. /proc/self/root /proc/1/root "$link" "$link/" "$bindroot")
	local -a img_rows=(
		"$DS_TEST_DIR/no-such.img" "no-such-relative.img" "$DS_TEST_DIR" / "$file" /dev/null /dev/zero
		/proc/self/root "$link"
	)
	for row in "${rootfs_rows[@]}"; do
		track_container hpath
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=hpath --rootfs="$row" start
		echo "rootfs $row: exit $status: $stderr"
		[[ $status == 0 ]] && rescue_ct hpath
		row_ok "rootfs $row" assert_refused
		[[ $(ws_state) == "$before" ]] || row_fail "rootfs $row" "the workspace or cgroups changed"
		rows=$((rows + 1))
		# and without a name (named from os-release)
		run_ds_ws "$DROIDSPACES_WORKSPACE" --rootfs="$row" start
		echo "rootfs $row, no name: exit $status: $stderr"
		[[ $status == 0 ]] && rescue_ws "$DROIDSPACES_WORKSPACE"
		row_ok "rootfs $row (no name)" assert_refused
		[[ $(ws_state) == "$before" ]] || row_fail "rootfs $row (no name)" "the workspace or cgroups changed"
		rows=$((rows + 1))
	done
	# a bind mount of the host's / (same file system, same inode)
	mount_own bind / "$bindroot"
	for row in "${hostroot_rows[@]}"; do
		track_container hroot
		guarded_start hroot "$row"
		echo "host root $row: exit $status: $stderr (passed the checks: $GUARD_PASSED)"
		if [[ $GUARD_PASSED == 1 ]]; then
			row_fail "rootfs $row" "not refused: the host's own / got as far as forking the monitor (init held back by the test)"
		else
			row_ok "rootfs $row" assert_refused
			row_ok "rootfs $row (leftovers)" nothing_left hroot
		fi
		rows=$((rows + 1))
	done
	umount "$bindroot"
	for row in "${img_rows[@]}"; do
		track_container hpath
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=hpath --rootfs-img="$row" start
		echo "image $row: exit $status: $stderr"
		[[ $status == 0 ]] && rescue_ct hpath
		row_ok "image $row" assert_refused
		rows=$((rows + 1))
	done
	[ "$(count_monitors)" -eq 0 ]
	[ -z "$(losetup -j "$file" 2>/dev/null)" ]
	figure "hostile paths tried: $rows"
	rows_verdict
}

# hostile_row KIND ROOT CANARY: turns ROOT into the hostile tree of KIND.
# KIND is PATH:TYPE with TYPE abs (absolute symlink to CANARY), rel (relative
# symlink with .. to CANARY), fifo, chr (/dev/zero-like node), huge (2 GiB
# sparse file), longline (a 4 MiB line).  CANARY is a directory for the
# directory paths, a file otherwise.
hostile_row() {
	local kind=$1 root=$2 canary=$3 path type up
	path=${kind%%:*}
	type=${kind#*:}
	rm -rf "${root:?}/$path"
	case $type in
	abs) ln -s "$canary" "$root/$path" ;;
	rel)
		# from $root/$(dirname path) up to / and down to the canary
		up=$(dirname "$root/$path" | sed -E 's#[^/]+#..#g; s#^/##')
		ln -s "$up$canary" "$root/$path"
		[ "$(realpath "$root/$path")" = "$canary" ]
		;;
	fifo) mkfifo "$root/$path" ;;
	chr) mknod "$root/$path" c 1 5 ;;
	huge) truncate -s 2G "$root/$path" ;;
	longline) head -c 4194304 /dev/zero | tr '\0' 'x' >"$root/$path" ;;
	esac
}

@test "hostile rootfs: symlinks (absolute, relative with ..), fifos, devices and huge files in place of dev, proc, sys, run, etc and its files, sbin/init, .old_root: host unchanged" {
	require_fixture busybox
	local cdir=$DS_TEST_DIR/canary-dir cfile=$DS_TEST_DIR/canary-file state_d state_f etc_before kind root name
	local rows=0 started=0 ix=0 mi fixdev running=''
	mkdir -p "$cdir/sub"
	echo canary >"$cdir/file"
	printf 'canary-file\n' >"$cfile"
	state_d=$(canary_state "$cdir")
	state_f=$(canary_state "$cfile")
	# the canaries' file system: a guest mount from it whose root is a
	# canary would expose a host path inside the guest
	fixdev=$(stat -c '%Hd:%Ld' "$cfile")
	etc_before=$(host_etc_state)
	local -a kinds=()
	for p in dev proc sys run etc .old_root; do
		kinds+=("$p:abs" "$p:rel")
	done
	kinds+=(dev:fifo proc:chr sys:fifo run:chr)
	for p in etc/hostname etc/hosts etc/resolv.conf etc/os-release; do
		kinds+=("$p:abs" "$p:rel" "$p:fifo" "$p:chr" "$p:huge" "$p:longline")
	done
	kinds+=(sbin/init:abs sbin/init:rel sbin/init:huge etc/passwd:huge etc/environment:fifo etc/environment:huge)
	for kind in "${kinds[@]}"; do
		ix=$((ix + 1))
		root=$(fixture_copy busybox)
		case $kind in
		dev:* | proc:* | sys:* | run:* | etc:* | .old_root:*) hostile_row "$kind" "$root" "$cdir" ;;
		*) hostile_row "$kind" "$root" "$cfile" ;;
		esac
		name=hr$ix
		track_container "$name"
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" --rootfs="$root" start
		echo "row $ix $kind: exit $status: $output / $stderr"
		if [[ $status == 0 ]]; then
			started=$((started + 1))
			CT_PID=$(ds_pid "$name")
			CT_ST=$(_ds_starttime "$CT_PID")
			CT_MON=$(pidfile_key "$name" monitor)
			CT_MON_ST=$(_ds_starttime "$CT_MON")
			# no mount of the guest exposes a canary (a mount from the host's
			# file system with a canary as its root)
			mi=$(awk -v d="$fixdev" '$3 == d && $4 ~ /canary/' "/proc/$CT_PID/mountinfo")
			if [[ -n $mi ]]; then
				echo "a canary is mounted in the guest: $mi" >&2
				return 1
			fi
			[ "$(in_container "$name" hostname)" = "$name" ]
			# stopped all at once below (a busybox halt takes 2 s)
			running+=${running:+,}$name
		else
			assert_refused
			nothing_left "$name"
		fi
		[ "$(canary_state "$cdir")" = "$state_d" ]
		[ "$(canary_state "$cfile")" = "$state_f" ]
		rows=$((rows + 1))
	done
	if [[ -n $running ]]; then
		ds_run --name="$running" stop
		echo "stop $running: exit $status: $output"
		[ "$status" -eq 0 ]
		for name in ${running//,/ }; do
			nothing_left "$name"
		done
	fi
	[ "$(canary_state "$cdir")" = "$state_d" ]
	[ "$(canary_state "$cfile")" = "$state_f" ]
	[ "$(host_etc_state)" = "$etc_before" ]
	figure "hostile rootfs rows: $rows ($started booted safely, $((rows - started)) refused); host /etc and canaries unchanged"
}

# opt_row_bad: the command just run did not fail cleanly (see assert_refused).
opt_row_bad() {
	[[ $status == 0 ]] || ((status == 124 || status >= 128)) || [[ -n $output ]] ||
		! assert_one_error_line "$@" >/dev/null 2>&1 ||
		[[ -e $(ws_pidfile optrow) ]] || [[ -e $(ct_cgroup optrow) ]]
}

# opt_row_report LABEL: print the failing row, rescue a started container.
opt_row_report() {
	echo "row $1: exit $status" >&2
	echo "  stdout: $(printf '%q' "${output:0:300}")" >&2
	echo "  stderr: $(printf '%q' "${stderr:0:300}")" >&2
	[[ $status == 0 ]] && rescue_ct optrow
	echo "$1" >>"$DS_TEST_DIR/opt-failures"
}

@test "hostile options: every option with empty, garbage and oversized values: non-zero, one error line, nothing started" {
	require_fixture busybox
	local root opt short v big huge rows=0 cfg_dir=$DS_TEST_DIR/cfg form skip
	local -a base args cmd vals more forms
	root=$(fixture_copy busybox)
	cd "$DS_TEST_DIR" # relative values resolve here, never in the repository
	big=$(printf 'x%.0s' {1..5000})
	huge=$(head -c 100000 /dev/zero | tr '\0' 'y')
	mkdir -p "$cfg_dir" "$DROIDSPACES_WORKSPACE"
	head -c 65536 /dev/urandom >"$cfg_dir/binary"
	head -c 2097152 /dev/zero | tr '\0' 'k' >"$cfg_dir/longline"
	printf 'rootfs=/\n' >"$cfg_dir/host-root"
	printf 'rootfs=%s\nstop_timeout=-1\nttys=99\nhostname=a b\n' "$root" >"$cfg_dir/bad-values"
	printf 'rootfs=%s\x01\n' "$root" >"$cfg_dir/control"
	# --user is checked with `run` against a running container
	start_ct optuser "$root"
	wait_for 10 booted "$CT_PID"

	# generic bad values, for every option that takes one
	local -a generic=('' "$big" "$huge" $'a\nb' $'\x01\x02' $'\x1b[2J' $'\xff\xfe' '%s%s%n%n' '-1' '99999999999999999999999')
	# values of the generic list that are valid for an option (|-separated)
	local -A valid=(
		[name]='-1|99999999999999999999999'
		[hostname]='99999999999999999999999'
		[pidfile]=$'%s%s%n%n|-1|99999999999999999999999|\xff\xfe'
	)
	# per option: values specific to it (|-separated)
	local -A extra=(
		[rootfs]="$DS_TEST_DIR/missing|relative/missing|$cfg_dir/binary|/|//|/tmp/..|/proc/self/root"
		[rootfs-img]="$DS_TEST_DIR/missing|$DS_TEST_DIR|/dev/zero|$cfg_dir/binary|/"
		[name]='..|.|a/b|a,b|,|a,,b|a b'
		[hostname]='-a|a..b|.|a-|a b|a/b|é|'"$(printf 'h%.0s' {1..65})"
		[pidfile]="$DS_TEST_DIR|/proc/version"
		[bind-mount]=':|a|/tmp:relative|/tmp:/x:bogus|/tmp:/x:ro:ro|/tmp:|:/x|/tmp:/'
		[dns]='garbage|,|999.1.1.1|::g|1.1.1.1 8.8.8.8|1.1.1.1;8.8.8.8'
		[config]="$DS_TEST_DIR/missing|$DS_TEST_DIR|/dev/zero|$cfg_dir/binary|$cfg_dir/longline|$cfg_dir/host-root|$cfg_dir/bad-values|$cfg_dir/control"
		[stop-timeout]='0|3601|abc|1x|1.5|0x10|1e3'
		[ttys]='7|abc|1.5|0x1|100'
		[keep-caps]='sys_admin|bogus|,|sys_time,,|all,nope|cap_|net_admin sys_time'
		[user]='a:b|a/b|../x|no-such-user'
	)
	local -A shortopt=([rootfs]=r [rootfs-img]=i [name]=n [pidfile]=p [bind-mount]=B [config]=C [stop-timeout]=t [user]=u)
	for opt in $(printf '%s\n' "${!extra[@]}" | sort); do
		vals=()
		for v in "${generic[@]}"; do
			skip=0
			IFS='|' read -r -a more <<<"${valid[$opt]:-}"
			for w in "${more[@]}"; do [[ $v == "$w" ]] && skip=1; done
			[[ $skip == 1 ]] || vals+=("$v")
		done
		IFS='|' read -r -a more <<<"${extra[$opt]}"
		vals+=("${more[@]}")
		# the base command line: valid, minus the option under test
		base=(--name=optrow --rootfs="$root")
		cmd=(start)
		case $opt in
		name) base=(--rootfs="$root") ;;
		rootfs | rootfs-img | config) base=(--name=optrow) ;;
		user)
			base=(--name=optuser)
			cmd=(run true)
			;;
		esac
		short=${shortopt[$opt]:-}
		for v in "${vals[@]}"; do
			# every value as --opt=VALUE; the first three generic ones (empty,
			# oversized, a newline) in the other spellings as well
			forms=(long)
			[[ $v == "" || $v == "$big" || $v == $'a\nb' ]] && forms=(long sep short)
			for form in "${forms[@]}"; do
				case $form in
				long) args=("${base[@]}" "--$opt=$v" "${cmd[@]}") ;;
				sep) args=("${base[@]}" "${cmd[0]}" "--$opt" "$v" "${cmd[@]:1}") ;;
				short)
					[[ -n $short ]] || continue
					args=("${base[@]}" "-$short" "$v" "${cmd[@]}")
					;;
				esac
				track_container optrow
				run_ds_ws "$DROIDSPACES_WORKSPACE" "${args[@]}"
				if opt_row_bad; then
					opt_row_report "--$opt ($form) $(printf '%q' "${v:0:100}")"
				fi
				rows=$((rows + 1))
			done
		done
	done
	# flags given a value, unknown options
	local -a odd=(
		--volatile=1 --foreground=x --hw-access=yes --json=1 --all=1 --follow=1 --keep-net-admin=1
		--enable-ipv6=0 --help=1 --version=1 -Vx -fz -Z --no-such-option ---name=x --NAME=x --name-x=1
		--rootfsx=/ $'--\x01' $'-\xff' "--$big" "-$big"
	)
	for v in "${odd[@]}"; do
		track_container optrow
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=optrow --rootfs="$root" "$v" start
		if opt_row_bad; then
			opt_row_report "$(printf '%q' "${v:0:100}")"
		fi
		rows=$((rows + 1))
	done
	# an option that needs a value, last on the line
	for opt in --rootfs --rootfs-img --name --hostname --pidfile --bind-mount --dns --config --stop-timeout --ttys --keep-caps --user -r -i -n -p -B -C -t -u; do
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=optrow start "$opt"
		if opt_row_bad "needs a value"; then
			opt_row_report "trailing $opt"
		fi
		rows=$((rows + 1))
	done
	# the container used for --user is unharmed
	proc_alive "$CT_PID" "$CT_ST"
	stop_ct optuser
	assert_cleaned optuser
	[ -z "$(cgroups_of optrow)" ]
	[ ! -e "$(ws_pidfile optrow)" ]
	figure "hostile option rows: $rows"
	if [[ -s $DS_TEST_DIR/opt-failures ]]; then
		echo "$(wc -l <"$DS_TEST_DIR/opt-failures") of $rows rows failed" >&2
		return 1
	fi
}
