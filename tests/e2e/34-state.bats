#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # CT_* are set per test, in its own subshell
# State on the host: pidfiles and locks.  A killed monitor, stale pidfiles
# (200 at once, as after a host reboot; PIDs reused by unrelated processes;
# a cgroup= line naming someone else's cgroup; the older PID-only format), a
# --pidfile that names a file droidspaces did not write, fake containers
# that scan must not adopt, and a read-only, full or unwritable workspace.
#
# Tags: hostile, fault, load; asan marks the tests `make e2e-asan` runs.
# Every test runs between common_setup and common_teardown, which fail it
# when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	inventory_setup
	require_cmd unshare setpriv mkfifo
	: >"$DS_TEST_DIR/.fakes"
	REL_OWN_PIDS=
}
teardown() {
	# Processes and cgroups the tests made themselves (never containers:
	# those are tracked and stopped by common_teardown).
	local p
	for p in ${CORE_OWN_PIDS:-}; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for p in ${CORE_OWN_CGROUPS:-}; do
		[[ -d $p ]] && { wait_for 5 rmdir "$p" || true; }
	done
	kill_own_pids
	kill_fakes
	remove_fake_cgroups
	common_teardown
}

# kill_fakes: SIGKILL every process this file started (by PID, newest first,
# so that a fake PID 1 takes its namespace with it), then reap our children.
kill_fakes() {
	local p
	[[ -s $DS_TEST_DIR/.fakes ]] || return 0
	while read -r p; do
		kill -KILL "$p" 2>/dev/null || true
	done < <(tac "$DS_TEST_DIR/.fakes")
	while read -r p; do
		wait "$p" 2>/dev/null || true
		wait_for 10 ! test -e "/proc/$p/status" ||
			echo "teardown: process $p started by this test did not die" >&2
	done < <(tac "$DS_TEST_DIR/.fakes")
	: >"$DS_TEST_DIR/.fakes"
}

# remove_fake_cgroups: the cgroup directories listed in .fakecg, in order.
remove_fake_cgroups() {
	local dir
	[[ -s $DS_TEST_DIR/.fakecg ]] || return 0
	while read -r dir; do
		# a cgroup empties a moment after its last process died
		if [[ -d $dir ]] && ! wait_for 10 rmdir "$dir"; then
			echo "teardown: cannot remove $dir" >&2
		fi
	done <"$DS_TEST_DIR/.fakecg"
	: >"$DS_TEST_DIR/.fakecg"
}

# bats test_tags=asan
@test "killed monitor: the container keeps running, is found, and stop stops it and cleans up" {
	local r pid mon st
	r=$(fixture_copy busybox)
	ds_start_ok -r "$r" --name=km
	pid=$STARTED_PID
	st=$(_ds_starttime "$pid")
	wait_for 10 guest_booted km
	mon=$(sed -n 's/^monitor=//p' "$DROIDSPACES_WORKSPACE/Pids/km.pid")
	[[ $mon =~ ^[0-9]+$ ]]
	[ "$(cat "/proc/$mon/comm")" = "[ds-monitor]" ]

	kill -KILL "$mon"
	wait_for 5 ! is_monitor "$mon"
	# the guest does not notice
	kill -0 "$pid"
	guest_booted km

	ds_run status --name=km
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "km: running (pid $pid, init busybox)" ]
	json_run show --json
	[ "$(jq -r '.containers[] | select(.name == "km") | .state' <<<"$output")" = running ]
	[ "$(jq '.containers[] | select(.name == "km") | .pid' <<<"$output")" = "$pid" ]
	json_run info --name=km --json
	[ "$(jq -r .state <<<"$output")" = running ]
	[ "$(jq .pid <<<"$output")" = "$pid" ]
	# not untracked: scan leaves it alone
	scan_run --json
	[ "$(jq -c . <<<"$output")" = '{"registered":[]}' ]
	[ "$(ds_pid km)" = "$pid" ]
	# its name is still taken
	ds_run start -r "$r" --name=km
	[ "$status" -ne 0 ]
	[ "$(ds_pid km)" = "$pid" ]

	ds_run --name=km stop
	[ "$status" -eq 0 ]
	[ "$output" = "Container km stopped" ]
	wait_for 10 ! proc_alive "$pid" "$st"
	[ ! -e "$DROIDSPACES_WORKSPACE/Pids/km.pid" ]
	[ ! -e "$DROIDSPACES_WORKSPACE/Sockets/km.sock" ]
	[ ! -e /sys/fs/cgroup/droidspaces/km ]
	ds_run status --name=km
	[ "$status" -eq 1 ]
	# and it starts again under the same name
	ds_start_ok --name=km
	stop_all_ok
}

# bats test_tags=asan
@test "stale pidfiles: status says stopped, show removes them" {
	local r pid real_pf=$DROIDSPACES_WORKSPACE/Pids/st.pid
	r=$(fixture_copy busybox)
	ds_start_ok -r "$r" --name=st
	pid=$STARTED_PID
	wait_for 10 guest_booted st
	cp "$real_pf" "$DS_TEST_DIR/st.pid"
	ds_run --name=st stop
	[ "$status" -eq 0 ]
	[ ! -e "$real_pf" ]
	cp "$DS_TEST_DIR/st.pid" "$real_pf"

	# other leftovers: a live process that is no container (this shell, with a
	# start time that is not its own), a dead PID, garbage
	{
		echo $$
		echo "monitor=0"
		echo "starttime=1"
		echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
	} >"$DROIDSPACES_WORKSPACE/Pids/ghost.pid"
	printf '4194304\n' >"$DROIDSPACES_WORKSPACE/Pids/dead.pid"
	printf 'not a pidfile\n' >"$DROIDSPACES_WORKSPACE/Pids/junk.pid"

	ds_run status --name=st
	[ "$status" -eq 1 ]
	[ "$output" = "st: stopped" ]
	ds_run status --name=ghost
	[ "$status" -eq 1 ]
	ds_run status
	[ "$status" -eq 1 ]
	[[ $output == *"no container is running"* ]]

	json_run show --json
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = "{\"containers\":[{\"name\":\"st\",\"state\":\"stopped\",\"rootfs\":\"$(realpath "$r")\",\"network\":{\"mode\":\"host\",\"address\":null,\"ports\":[]}}]}" ]
	[ ! -e "$real_pf" ]
	[ ! -e "$DROIDSPACES_WORKSPACE/Pids/ghost.pid" ]
	[ ! -e "$DROIDSPACES_WORKSPACE/Pids/dead.pid" ]
	# garbage is not a pidfile droidspaces wrote: left alone (issue 12)
	[ "$(cat "$DROIDSPACES_WORKSPACE/Pids/junk.pid")" = "not a pidfile" ]
	rm "$DROIDSPACES_WORKSPACE/Pids/junk.pid"
	kill -0 $$ # and nobody was signalled
	# the table form removes them too
	cp "$DS_TEST_DIR/st.pid" "$real_pf"
	ds_run show
	[ "$status" -eq 0 ]
	[[ ${lines[3]} == "| st "*"| stopped |"* ]]
	[ ! -e "$real_pf" ]
}

# same_process PID STARTTIME: PID still is that process.
same_process() { [[ $(_ds_starttime "$1" 2>/dev/null) == "$2" ]]; }


# bats test_tags=hostile,load
@test "show and stop --all with 200 stale pidfiles: no stack overflow, the stale ones are removed" {
	require_fixture busybox
	local r
	r=$(fixture_copy busybox)
	start_ct live "$r"

	make_stale 200
	[ "$(stale_left)" -eq 200 ]
	# listing alone never cleans: status, info and auto-naming see only "live"
	run_ds_err status
	[ "$status" -eq 0 ]
	[[ $output == "live: running"* ]]
	[ "$(stale_left)" -eq 200 ]

	run_ds_err show --json
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.containers[] | select(.state == "running") | .name]' <<<"$output")" = '["live"]' ]
	[ "$(jq '.containers | length' <<<"$output")" -eq 1 ]
	[ "$(stale_left)" -eq 0 ]
	[ -e "$(ws_pidfile live)" ]

	make_stale 200
	run_ds_err show
	[ "$status" -eq 0 ]
	[[ $output == *live*running* ]]
	[ "$(stale_left)" -eq 0 ]

	make_stale 200
	run_ds_err stop --all
	[ "$status" -eq 0 ]
	[ "$output" = "Container live stopped" ]
	[ "$(stale_left)" -eq 0 ]
	[ -z "$(find "$DROIDSPACES_WORKSPACE/Pids" -mindepth 1)" ]
	wait_for 10 ! same_process "$CT_PID" "$CT_ST"
	# the live PIDs the stale files named were never signalled
	kill -0 1
	kill -0 $$

	make_stale 200
	run_ds_err stop --all
	[ "$status" -eq 0 ]
	[ "$output" = "No containers running." ]
	[ "$(stale_left)" -eq 0 ]
}

# bats test_tags=asan
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

# bats test_tags=asan
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

# bg_proc CMD...: CMD in the background, its PID in BG_PROC (killed at teardown).
bg_proc() {
	"$@" </dev/null >>"$DS_TEST_DIR/bg.out" 2>&1 &
	BG_PROC=$!
	echo "$BG_PROC" >>"$DS_TEST_DIR/.fakes"
}

# _nested_init_below TOP: the PID, in TOP's process tree, that is PID 1 of its
# own PID namespace and marked as a droidspaces container.
_nested_init_below() {
	local queue=("$1") p kids ns
	while ((${#queue[@]})); do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		ns=$(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$p/status" 2>/dev/null) || continue
		if [[ $ns =~ [[:space:]]1$ && $(cat "/proc/$p/root/run/systemd/container" 2>/dev/null) == droidspaces ]]; then
			echo "$p"
			return 0
		fi
		kids=$(cat /proc/"$p"/task/*/children 2>/dev/null) || continue
		# shellcheck disable=SC2206 # PIDs: split on white space
		queue+=($kids)
	done
	return 1
}

# The fake: a PID namespace of its own whose PID 1 wrote "droidspaces" into
# /run/systemd/container (a tmpfs of its own mount namespace), i.e. all the
# old scan looked at.
FAKE_SH='mount -t tmpfs tmpfs /run && mkdir -p /run/systemd && echo droidspaces >/run/systemd/container && exec sleep 1000'

# start_fake PREFIX...: run `PREFIX... sh -c "$FAKE_SH"`; FAKE_PID = its PID 1.
start_fake() {
	bg_proc "$@" sh -c "$FAKE_SH"
	local top=$BG_PROC
	if ! wait_for 10 _nested_init_below "$top"; then
		echo "the fake container did not come up: $(cat "$DS_TEST_DIR/bg.out")" >&2
		return 1
	fi
	FAKE_PID=$(_nested_init_below "$top")
	echo "$FAKE_PID" >>"$DS_TEST_DIR/.fakes"
}

# bats test_tags=hostile
@test "stop: a pidfile that holds only a PID never signals the process that has that PID now" {
	local victim vst fst pf
	pf=$(ws_pidfile x)
	# a workspace in which containers have run before
	mkdir -p "$DROIDSPACES_WORKSPACE"/{Pids,Locks,Logs}

	# a plain host process
	bg_proc sleep 1000
	victim=$BG_PROC
	wait_for 5 comm_is "$victim" sleep
	vst=$(_ds_starttime "$victim")
	echo "$victim" >"$pf"
	run_ds_err --name=x stop
	[ "$status" -ne 0 ]
	assert_one_error_line "container x is not running"
	same_process "$victim" "$vst"
	# the stale pidfile (our format) is gone, the process is not
	[ ! -e "$pf" ]
	run_ds_err status --name=x
	[ "$status" -eq 1 ]
	[ "$output" = "x: stopped" ]

	# PID 1 of a PID namespace, run by root, but not in droidspaces/x: no proof either
	start_fake unshare -pfm --mount-proc --propagation private
	fst=$(_ds_starttime "$FAKE_PID")
	printf '%s\nmonitor=%s\n' "$FAKE_PID" "$victim" >"$pf"
	run_ds_err status --name=x
	[ "$status" -eq 1 ]
	run_ds_err --name=x stop
	[ "$status" -ne 0 ]
	assert_one_error_line "container x is not running"
	same_process "$FAKE_PID" "$fst"
	same_process "$victim" "$vst"
	[ ! -e "$pf" ]

	# identity without the boot: a pidfile of an earlier boot of the host
	printf '%s\nmonitor=0\nstarttime=%s\nuuid=00112233445566778899aabbccddeeff\nboot_id=00000000-0000-4000-8000-000000000000\nrootfs=/\ncgroup=droidspaces/x\n' \
		"$victim" "$vst" >"$pf"
	run_ds_err --name=x stop
	[ "$status" -ne 0 ]
	assert_one_error_line "container x is not running"
	same_process "$victim" "$vst"
	[ ! -e "$pf" ]
}

# bats test_tags=hostile
@test "stop: a real container whose pidfile holds only its PID (older format) is still found and stopped" {
	require_fixture busybox
	local r pid st mon pf
	r=$(fixture_copy busybox)
	start_ct y "$r"
	pid=$CT_PID st=$CT_ST mon=$CT_MON
	pf=$(ws_pidfile y)
	# the older format: no start time, no boot id (proof: PID 1 of its namespace in droidspaces/y)
	printf '%s\nmonitor=%s\n' "$pid" "$mon" >"$pf"
	run_ds_err status --name=y
	[ "$status" -eq 0 ]
	[[ $output == "y: running (pid $pid, "* ]]
	# the same file under another container's name proves nothing
	cp "$pf" "$(ws_pidfile z)"
	run_ds_err status --name=z
	[ "$status" -eq 1 ]
	rm "$(ws_pidfile z)"
	stop_ct y
	wait_for 10 ! same_process "$pid" "$st"
	[ ! -e "$pf" ]
}

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

# bats test_tags=fault
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

# bats test_tags=hostile
@test "--pidfile: a file droidspaces did not write is never unlinked or replaced (scratch passwd, symlink, FIFO, device node)" {
	require_fixture busybox
	local d=$DS_TEST_DIR r f kind
	r=$(fixture_copy busybox)
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' >"$d/passwd"
	cp -p "$d/passwd" "$d/passwd.orig"
	local id0
	id0=$(stat -c '%i %s %Y' "$d/passwd")
	ln -s "$d/passwd" "$d/link.pid"
	mkfifo "$d/fifo.pid"
	mknod "$d/null.pid" c 1 3
	# a symlink to a real pidfile of ours is refused too (not followed)
	printf '%s\nmonitor=0\n' "$(sh -c 'echo $$')" >"$d/ours.pid"
	ln -s "$d/ours.pid" "$d/link2.pid"

	# shellcheck disable=SC2034 # read by run_ds_err
	DS_WRAP=(timeout 30)
	for f in passwd link.pid fifo.pid null.pid link2.pid; do
		run_ds_err --name=x --pidfile="$d/$f" stop
		[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
		assert_one_error_line "$d/$f is not a droidspaces pidfile"
		run_ds_err --name=x --pidfile="$d/$f" -r "$r" start
		[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
		[ -z "$output" ]
		assert_one_error_line "$d/$f is not a droidspaces pidfile"
		run_ds_err --name=x --pidfile="$d/$f" status
		[ "$status" -eq 1 ]
	done
	# shellcheck disable=SC2034
	DS_WRAP=()
	cmp "$d/passwd" "$d/passwd.orig"
	[ "$(stat -c '%i %s %Y' "$d/passwd")" = "$id0" ]
	[ -L "$d/link.pid" ] && [ "$(readlink "$d/link.pid")" = "$d/passwd" ]
	[ -L "$d/link2.pid" ] && [ -f "$d/ours.pid" ]
	[ -p "$d/fifo.pid" ]
	[ -c "$d/null.pid" ]
	# nothing was started, nothing left behind
	[ "$(count_monitors)" -eq 0 ]
	[ -z "$(cgroups_of x)" ]
	for kind in "$d"/*.tmp.*; do
		[[ ! -e $kind ]] || {
			echo "left behind: $kind" >&2
			false
		}
	done

	# a symlink at the default pidfile path: the same
	mkdir -p "$DROIDSPACES_WORKSPACE/Pids"
	ln -s "$d/passwd" "$(ws_pidfile x)"
	run_ds_err --name=x stop
	[ "$status" -ne 0 ]
	assert_one_error_line "is not a droidspaces pidfile"
	run_ds_err --name=x -r "$r" start
	[ "$status" -ne 0 ]
	assert_one_error_line "is not a droidspaces pidfile"
	[ -L "$(ws_pidfile x)" ]
	cmp "$d/passwd" "$d/passwd.orig"
	rm "$(ws_pidfile x)"

	# a path with no file yet is ours to write, and ours to remove
	run_ds_err --name=x --pidfile="$d/new.pid" -r "$r" start
	[ "$status" -eq 0 ]
	[ -f "$d/new.pid" ]
	local pid
	read -r pid <"$d/new.pid"
	echo "x $pid $(_ds_starttime "$pid")" >>"$DS_TEST_DIR/.pids" # teardown's last resort
	run_ds_err --name=x --pidfile="$d/new.pid" stop
	[ "$status" -eq 0 ]
	[ "$output" = "Container x stopped" ]
	[ ! -e "$d/new.pid" ]
	cmp "$d/passwd" "$d/passwd.orig"
}

# scan_must_not_adopt PID...: `$DS scan --json` succeeds and registers none of
# PID...; containers of other workspaces it registers are unregistered at once.
scan_must_not_adopt() {
	local name pid p bad=0
	run --separate-stderr "$DS" scan --json
	# shellcheck disable=SC2154 # set by bats' run
	printf '$ %s scan --json\n%s\n[stderr: %s]\n[exit %s]\n' "$DS" "$output" "$stderr" "$status" >>"$DS_TEST_DIR/ds.log"
	[ "$status" -eq 0 ] || return 1
	jq -e . >/dev/null <<<"$output" || return 1
	while read -r name pid; do
		[[ -n $name ]] || continue
		rm -f "$(ws_pidfile "$name")"
		for p in "$@"; do
			if [[ $pid == "$p" ]]; then
				echo "scan adopted the fake container $p as $name" >&2
				bad=1
			fi
		done
	done < <(jq -r '.registered[] | "\(.name) \(.pid)"' <<<"$output")
	return "$bad"
}

# bats test_tags=hostile
@test "scan: a fake container built by user nobody (unshare -Urpfm, /run/systemd/container = droidspaces) is not adopted" {
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urpfm true 2>/dev/null; then
		skip_loud "user nobody cannot create user namespaces here (unshare -Urpfm fails)"
	fi
	local fakes=()
	start_fake setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urpfm --mount-proc
	fakes+=("$FAKE_PID")
	# what the old scan looked at holds: PID 1 of its namespace, the marker file
	[[ $(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$FAKE_PID/status") =~ [[:space:]]1$ ]]
	[ "$(cat "/proc/$FAKE_PID/root/run/systemd/container")" = droidspaces ]
	grep -q '^ID=' "/proc/$FAKE_PID/root/etc/os-release"

	# root, in the host's user namespace, but outside our cgroups
	start_fake unshare -pfm --mount-proc --propagation private
	fakes+=("$FAKE_PID")

	scan_must_not_adopt "${fakes[@]}"
	[ -z "$(find "$DROIDSPACES_WORKSPACE/Pids" -mindepth 1 2>/dev/null)" ]

	# nobody's fake, even moved into a droidspaces/<name> cgroup by root: another user namespace, not root
	local cg2 dir
	if cg2=$(cg2_mount 2>/dev/null); then
		dir=$cg2/droidspaces/fake35-$$
		echo "$dir" >>"$DS_TEST_DIR/.fakecg"
		# the shared parent too, when this test makes it
		[[ -d $cg2/droidspaces ]] || echo "$cg2/droidspaces" >>"$DS_TEST_DIR/.fakecg"
		mkdir -p "$dir"
		echo "${fakes[0]}" >"$dir/cgroup.procs"
		grep -qx "0::/droidspaces/fake35-$$" "/proc/${fakes[0]}/cgroup"
		scan_must_not_adopt "${fakes[@]}"
		kill_fakes
		wait_for 10 rmdir "$dir"
		remove_fake_cgroups
	else
		echo "# no cgroup2 mount: the moved-into-our-cgroup case is not run" >&3
	fi
	[ -z "$(find "$DROIDSPACES_WORKSPACE/Pids" -mindepth 1 2>/dev/null)" ]
}

# bats test_tags=fault
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
