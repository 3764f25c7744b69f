# shellcheck shell=bash
# tests/e2e/lib/lifecycle.bash: container lifecycle: PIDs, tracking, entering, starting and stopping.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# containers

# _ds_starttime PID: field 22 of /proc/PID/stat (to recognise PID reuse).
_ds_starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# after "comm)": state is field 3, starttime field 22 -> index 19 here
	local -a f
	read -r -a f <<<"$stat"
	# A zombie has ended: it only waits for a (slow) reaper.
	[[ ${f[0]} == Z ]] && return 1
	echo "${f[19]}"
}

# ds_pid NAME: first line of $DROIDSPACES_WORKSPACE/Pids/NAME.pid.
# Every PID seen here is remembered, so common_teardown can make sure it is gone.
ds_pid() {
	local name=$1 f pid='' st
	f=$DROIDSPACES_WORKSPACE/Pids/$name.pid
	if [[ ! -r $f ]]; then
		echo "ds_pid: no pidfile $f" >&2
		return 1
	fi
	IFS= read -r pid <"$f" || [[ -n $pid ]] || true
	if [[ ! $pid =~ ^[0-9]+$ ]] || ((pid <= 1)); then
		echo "ds_pid: bad PID '$pid' in $f" >&2
		return 1
	fi
	if [[ -n ${DS_TEST_DIR:-} ]] && st=$(_ds_starttime "$pid"); then
		echo "$name $pid $st" >>"$DS_TEST_DIR/.pids"
	fi
	echo "$pid"
}

# track_container NAME: common_teardown will stop NAME if it is still running.
track_container() {
	local name=$1
	grep -qxF -- "$name" "$DS_TEST_DIR/.containers" 2>/dev/null ||
		echo "$name" >>"$DS_TEST_DIR/.containers"
	# Remember the PID now if it is already known.
	ds_pid "$name" >/dev/null 2>&1 || true
}

# in_container NAME CMD...: run CMD inside the running container NAME with a
# clean environment (PATH only).  The network namespace is entered only when
# the container has its own.
in_container() {
	local name=$1 pid nsenter ns
	shift
	pid=$(ds_pid "$name") || return 1
	nsenter=$(command -v nsenter) || {
		echo "in_container: nsenter missing" >&2
		return 1
	}
	ns=(-m -u -i -p)
	[[ -e /proc/$pid/ns/cgroup ]] && ns+=(-C)
	if [[ $(readlink "/proc/$pid/ns/net") != "$(readlink /proc/self/ns/net)" ]]; then
		ns+=(-n)
	fi
	env -i PATH="$DS_GUEST_PATH" HOME=/root TERM=dumb LANG=C \
		"$nsenter" -t "$pid" "${ns[@]}" -r -w -- "$@"
}

# ds_run ARGS...: run the binary with bats' `run`, output logged to the test log.
# (Plain "$DS" ... works too; this is a convenience.)
ds_run() {
	run "$DS" "$@"
	# shellcheck disable=SC2154 # set by bats' run
	printf '$ %s %s\n%s\n[exit %s]\n' "$DS" "$*" "$output" "$status" >>"$DS_TEST_DIR/ds.log"
}

# --------------------------------------------------------------------------
# start and stop
#
# Two families.  start_ct/stop_ct (NAME ROOTFS, through ds_run: stdout and
# stderr together must be the one-line report) also follow the monitor, for
# assert_cleaned.  st_start/st_stop/st_refused (NAME OPTION..., any rootfs
# option, through run_ds_err: only stdout is the report) check the start, the
# stop and a refused start.

# _ct_started NAME: $output of the start just run is exactly
# "Container NAME started: init pid PID (KIND)" (with --wait, then
# "Container NAME ready in N ms (BY)..."); sets CT_PID and CT_KIND.
_ct_started() {
	local re='^Container (.+) started: init pid ([0-9]+) \(([a-z0-9-]+)\)$' first=$output rest=''
	if [[ $output == *$'\n'* ]]; then
		first=${output%%$'\n'*}
		rest=${output#*$'\n'}
		if [[ $rest == *$'\n'* || $rest != "Container $1 ready in "* ]]; then
			echo "unexpected output of start: $output" >&2
			return 1
		fi
	fi
	if [[ ! $first =~ $re || ${BASH_REMATCH[1]} != "$1" ]]; then
		echo "unexpected output of start: $output" >&2
		return 1
	fi
	CT_PID=${BASH_REMATCH[2]}
	# shellcheck disable=SC2034 # read by the tests
	CT_KIND=${BASH_REMATCH[3]}
}

# start_ct NAME ROOTFS [OPTION...]: start NAME (tracked for teardown), check
# the one-line report and the pidfile; sets CT_PID CT_ST CT_KIND CT_MON CT_MON_ST.
start_ct() {
	local name=$1 root=$2 pid
	shift 2
	track_container "$name"
	ds_run --name="$name" --rootfs="$root" "$@" start
	if [[ $status != 0 ]]; then
		echo "start of $name failed (exit $status): $output" >&2
		return 1
	fi
	_ct_started "$name" || return 1
	pid=$CT_PID
	adopt_ct "$name"
	[ "$CT_PID" = "$pid" ]
}

# adopt_ct NAME: set CT_PID CT_ST CT_MON CT_MON_ST from NAME's pidfile (the
# container is running).
adopt_ct() {
	CT_PID=$(ds_pid "$1")
	CT_ST=$(_ds_starttime "$CT_PID")
	CT_MON=$(pidfile_key "$1" monitor)
	[[ $CT_MON =~ ^[0-9]+$ ]]
	is_monitor "$CT_MON"
	CT_MON_ST=$(_ds_starttime "$CT_MON")
}

# stop_ct NAME [OPTION...]: stop NAME, which must succeed; sets STOP_USEC.
stop_ct() {
	local name=$1 t0
	shift
	t0=$(_ds_usec_now)
	ds_run --name="$name" "$@" stop
	# shellcheck disable=SC2034 # read by the tests
	STOP_USEC=$(($(_ds_usec_now) - t0))
	if [[ $status != 0 ]]; then
		echo "stop of $name failed (exit $status): $output" >&2
		return 1
	fi
	[ "$output" = "Container $name stopped" ]
}

# parallel_starts NAME OPTION...: 10 `start`s of NAME (tracked) at once, with
# OPTION...: exactly one succeeds with the report of a busybox guest; every
# other one fails with one "already running" error line and nothing on stdout.
parallel_starts() {
	local name=$1 d=$DS_TEST_DIR/par.$1 i rc ok=0
	shift
	mkdir -p "$d"
	track_container "$name"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		(
			rc=0
			"$DS" --name="$name" "$@" start >"$d/out.$i" 2>"$d/err.$i" </dev/null || rc=$?
			echo "$rc" >"$d/rc.$i"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	wait_bg
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "start $i: exit $(cat "$d/rc.$i"): $(cat "$d/out.$i" "$d/err.$i")"
		if [[ $(cat "$d/rc.$i") == 0 ]]; then
			ok=$((ok + 1))
			grep -qE "^Container ${name//./\\.} started: init pid [0-9]+ \\(busybox\\)\$" "$d/out.$i"
		else
			[ ! -s "$d/out.$i" ]
			[ "$(wc -l <"$d/err.$i")" -eq 1 ]
			grep -q '^droidspaces: .*already running' "$d/err.$i"
		fi
	done
	[ "$(cat "$d"/out.* | grep -c 'started' || true)" -eq 1 ]
	[ "$ok" -eq 1 ]
}

# nothing_left NAME [WS]: no pidfile, socket, cgroup (any hierarchy) or
# monitor of NAME, its lock is free, status says stopped (exit 1).
nothing_left() {
	local name=$1 ws=${2:-$DROIDSPACES_WORKSPACE} left rc=0
	if [[ -e $(ws_pidfile "$name" "$ws") ]]; then
		echo "pidfile of $name left behind:" >&2
		cat "$(ws_pidfile "$name" "$ws")" >&2
		return 1
	fi
	if [[ -e $(ws_sock "$name" "$ws") ]]; then
		echo "console socket of $name left behind" >&2
		return 1
	fi
	left=$(cgroups_of "$name")
	if [[ -n $left ]]; then
		echo "cgroups of $name left behind: $left" >&2
		return 1
	fi
	left=$(name_monitors "$name" "$ws")
	if [[ -n $left ]]; then
		echo "monitor processes of $name left: $left" >&2
		return 1
	fi
	lock_free "$name" "$ws" || {
		echo "lock of $name still held" >&2
		return 1
	}
	left=$(env DROIDSPACES_WORKSPACE="$ws" "$DS" --name="$name" status 2>&1) || rc=$?
	if [[ $rc != 1 || $left != "$name: stopped" ]]; then
		echo "status of $name exits $rc and says: $left" >&2
		return 1
	fi
}

# assert_cleaned NAME: nothing of NAME (as started by start_ct or adopted by
# adopt_ct) is left: nothing_left, and its init and monitor are gone.  Call
# once the cleanup must be complete (e.g. after stop returned).
assert_cleaned() {
	nothing_left "$1"
	refute proc_alive "$CT_PID" "$CT_ST"
	refute proc_alive "$CT_MON" "$CT_MON_ST"
}

# st_start NAME OPTION...: start NAME (tracked for teardown); sets CT_PID, CT_KIND.
st_start() {
	local name=$1
	shift
	track_container "$name"
	run_ds_err --name="$name" "$@" start
	if [[ $status != 0 ]]; then
		echo "start of $name failed (exit $status): $output $stderr" >&2
		return 1
	fi
	_ct_started "$name" || return 1
	[ "$(ds_pid "$name")" = "$CT_PID" ]
}

# st_stop NAME: stop NAME (never wrapped in DS_WRAP), which must succeed and
# leave no pidfile.
st_stop() {
	local DS_WRAP=()
	run_ds_err --name="$1" stop
	if [[ $status != 0 || $output != "Container $1 stopped" ]]; then
		echo "stop of $1 failed (exit $status): $output $stderr" >&2
		return 1
	fi
	[ ! -e "$(ws_pidfile "$1")" ]
}

# st_refused WANT OPTION...: a start that must fail with one error line on
# stderr containing WANT (assert_one_error_line), and leave no pidfile behind.
# The container name is the first --name among the options.
st_refused() {
	local want=$1 name='' a
	shift
	for a in "$@"; do
		[[ $a == --name=* ]] && name=${a#--name=} && break
	done
	[[ -n $name ]] && track_container "$name"
	run_ds_err "$@" start
	if [[ $status == 0 ]]; then
		echo "start succeeded but must fail ($*): $output" >&2
		return 1
	fi
	assert_one_error_line "$want" || return 1
	if [[ -n $name && -e $(ws_pidfile "$name") ]]; then
		echo "failed start left a pidfile for $name" >&2
		return 1
	fi
}
