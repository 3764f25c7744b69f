# shellcheck shell=bash
# Shared helpers for the droidspaces end-to-end tests.  Every .bats file does
#
#   load helpers
#   setup()    { common_setup; }
#   teardown() { common_teardown; }
#
# Environment knobs:
#   DROIDSPACES_BIN          binary under test (default: $REPO/output/droidspaces)
#   DS_TEST_CACHE            fixture cache (default: /var/cache/droidspaces-test)
#   DS_TEST_NO_SKIP=1        turn every skip_loud/require_* skip into a failure (CI)
#   DS_TEST_KEEP=1           keep each test's scratch dir (overlay upper, workspace)
#   DS_TEST_STOP_TIMEOUT     seconds allowed for `$DS --name=X stop` in teardown (60)
#   DS_TEST_CGROUP_IGNORE    ERE of cgroup dirs that change by themselves (see below)
#   DS_TEST_SYSCTL_IGNORE    ERE of /proc/sys entries that change by themselves
#
# Each test gets a scratch dir DS_TEST_DIR on the fixture filesystem (never on
# the host's /), with DROIDSPACES_WORKSPACE=$DS_TEST_DIR/ws and TMPDIR inside it.
# common_setup records the host state (host_snapshot); common_teardown stops the
# containers registered with track_container, records the host state again and
# fails the test if anything differs.
#
# Note: helpers that must remember something (fixture_copy, ds_pid,
# track_container) write to files in DS_TEST_DIR, because they are usually
# called inside $(...), i.e. in a subshell.

DS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DS=${DROIDSPACES_BIN:-$DS_REPO/output/droidspaces}
# its process name (comm: 15 bytes at most; "droidspaces-asa" for the ASan build)
DS_COMM=$(basename "$DS" | cut -c1-15)
DS_TEST_CACHE=${DS_TEST_CACHE:-/var/cache/droidspaces-test}
DS_FIXTURE_MNT=$DS_TEST_CACHE/mnt
DS_FIXTURES=$DS_FIXTURE_MNT/rootfs
DS_SCRATCH=$DS_FIXTURE_MNT/tmp
DS_FIXTURE_BUILD=$DS_REPO/tests/fixtures/build.sh
DS_GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DS DS_REPO DS_TEST_CACHE DS_FIXTURES

# cgroup directories that appear and disappear without the tests doing
# anything.  On the Firecracker dev VM every command runs in its own
# memory:/process_api/<id> cgroup; on systemd hosts transient units come and go
# under system.slice/user.slice.  Directories below the test's own cgroups
# (from /proc/self/cgroup) are never ignored.
: "${DS_TEST_CGROUP_IGNORE:=/process_api/[0-9a-f]+(/|$)|/(system|user)\.slice/}"
# /proc/sys entries that are counters or random.
: "${DS_TEST_SYSCTL_IGNORE:=^/proc/sys/(fs/(dentry-state|dentry-negative|inode-nr|inode-state|file-nr|aio-nr|quota/)|kernel/(ns_last_pid|random/(uuid|entropy_avail)|pty/nr|perf_event_max_sample_rate)|net/netfilter/nf_conntrack_count)}"

# --------------------------------------------------------------------------
# skipping

# skip_loud REASON: skip the test with an unmissable reason; a failure instead
# when DS_TEST_NO_SKIP=1 (CI must not go green by skipping everything).
skip_loud() {
	local reason="*** SKIPPED: $* ***"
	if [[ ${DS_TEST_NO_SKIP:-0} == 1 ]]; then
		echo "$reason (DS_TEST_NO_SKIP=1 turns this into a failure)" >&2
		return 1
	fi
	echo "# $reason" >&3
	skip "$reason"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_loud "required command '$c' not installed"
	done
}

require_root() {
	[[ $(id -u) == 0 ]] || skip_loud "must run as root"
}

require_ds() {
	[[ -x $DS ]] || skip_loud "droidspaces binary not found at $DS (run make, or set DROIDSPACES_BIN)"
}

require_fixture() {
	local f
	for f in "$@"; do
		[[ -d $DS_FIXTURES/$f ]] || skip_loud "fixture '$f' missing (run tests/fixtures/build.sh)"
	done
}

# require_fs TYPE...: kernel supports the filesystem type (/proc/filesystems).
require_fs() {
	local f
	for f in "$@"; do
		grep -qw -- "$f" /proc/filesystems || skip_loud "kernel lacks filesystem '$f'"
	done
}

# --------------------------------------------------------------------------
# polling

_ds_usec_now() { echo "${EPOCHREALTIME/./}"; }

# _ds_to_usec SECONDS (integer or decimal)
_ds_to_usec() {
	local s=$1 int frac
	int=${s%%.*}
	frac=0
	[[ $s == *.* ]] && frac=${s#*.}
	frac=${frac}000000
	echo $((${int:-0} * 1000000 + 10#${frac:0:6}))
}

# figure TEXT: a reliability figure (rows tried, cycles held ...): shown in
# the TAP output and appended to $DS_FIGURES/e2e.txt, from which
# scripts/reliability-figures.sh writes the README's figures.
DS_FIGURES=${DS_FIGURES:-$DS_REPO/build/figures}
figure() {
	echo "# reliability: $*" >&3
	mkdir -p "$DS_FIGURES" && echo "$*" >>"$DS_FIGURES/e2e.txt"
}

# Background jobs of a test record their PIDs in BG_PIDS; wait_bg waits for
# exactly those.  Never a bare `wait`: with BATS_TEST_TIMEOUT set, bats' own
# timeout watchdog is a background job of the test's shell, and a bare wait
# blocks on it until the test times out.
BG_PIDS=()
wait_bg() {
	local p rc=0
	for p in "${BG_PIDS[@]}"; do
		wait "$p" || rc=$?
	done
	BG_PIDS=()
	return "$rc"
}

# wait_for TIMEOUT CMD...   (TIMEOUT in seconds, decimals allowed)
# Runs CMD every 0.1 s until it succeeds; returns 1 with a message (and CMD's
# last output) when TIMEOUT passes.  "wait_for 5 ! CMD..." waits for CMD to
# fail.  CMD may be a shell function (e.g. in_container).  This is the only way
# tests should wait: no fixed sleeps.
wait_for() {
	local timeout=$1 negate=0 deadline out rc
	shift
	if [[ ${1:-} == '!' ]]; then
		negate=1
		shift
	fi
	[[ $# -gt 0 ]] || {
		echo "wait_for: no command" >&2
		return 2
	}
	deadline=$(($(_ds_usec_now) + $(_ds_to_usec "$timeout")))
	while :; do
		rc=0
		out=$("$@" 2>&1) || rc=$?
		if { [[ $negate == 0 && $rc == 0 ]] || [[ $negate == 1 && $rc != 0 ]]; }; then
			return 0
		fi
		if (($(_ds_usec_now) >= deadline)); then
			printf 'wait_for: timed out after %ss waiting for: %s%s\n' "$timeout" \
				"$([[ $negate == 1 ]] && echo '! ')" "$*" >&2
			printf 'wait_for: last exit status %s, last output:\n%s\n' "$rc" "$out" >&2
			return 1
		fi
		sleep 0.1
	done
}

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
# workspace files
#
# WS defaults to $DROIDSPACES_WORKSPACE (the test's own workspace).

# ws_pidfile NAME [WS], ws_lock NAME [WS], ws_log NAME [WS], ws_sock NAME [WS],
# ws_volatile NAME [WS]: where the runtime keeps NAME's pidfile, per-name lock,
# console log, console socket and volatile overlay.
ws_pidfile() { echo "${2:-$DROIDSPACES_WORKSPACE}/Pids/$1.pid"; }
ws_lock() { echo "${2:-$DROIDSPACES_WORKSPACE}/Locks/$1.lock"; }
ws_log() { echo "${2:-$DROIDSPACES_WORKSPACE}/Logs/$1/console.log"; }
ws_sock() { echo "${2:-$DROIDSPACES_WORKSPACE}/Sockets/$1.sock"; }
ws_volatile() { echo "${2:-$DROIDSPACES_WORKSPACE}/Volatile/$1"; }

# pidfile_key NAME KEY: value of the key=value line KEY of NAME's pidfile.
pidfile_key() { sed -n "s/^$2=//p" "$(ws_pidfile "$1")"; }

# lock_free NAME [WS]: nobody holds NAME's per-name lock (the file may be absent).
lock_free() {
	local l
	l=$(ws_lock "$1" "${2:-}")
	[[ ! -e $l ]] || flock -n "$l" true
}

# line_count FILE: number of lines, 0 when FILE is absent.
line_count() {
	if [[ -e $1 ]]; then wc -l <"$1"; else echo 0; fi
}

# --------------------------------------------------------------------------
# assertions

# refute CMD...: fail (with a message) when CMD succeeds.  A plain "! CMD"
# never fails a bats test: errexit ignores negated commands.
refute() {
	if "$@"; then
		echo "refute: this succeeded but must not: $*" >&2
		return 1
	fi
}

# has_opt OPTS OPT: the comma-separated OPTS contain OPT.
has_opt() { [[ ,$1, == *,$2,* ]]; }

# canary_state DIR: a listing of DIR that changes when anything in it does
# (names, types, modes, sizes, times and the contents of its files, mounts
# below it).
canary_state() {
	find "$1" -printf '%p %y %m %s %T@ %C@\n' | sort
	find "$1" -type f -print0 | sort -z | xargs -0 -r sha256sum
	findmnt -rn -o TARGET | grep -F "$1" || true
}

# --------------------------------------------------------------------------
# processes and cgroups

# comm_is PID COMM: /proc/PID/comm is COMM.
comm_is() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]; }

# is_monitor PID: PID is a "[ds-monitor]" process (a monitor, or the namespace
# helper and init before its exec).
is_monitor() { comm_is "$1" "[ds-monitor]"; }

# proc_alive PID STARTTIME: that very process exists and is not a zombie
# (the host's PID 1 may reap orphans late; a zombie has finished).
proc_alive() {
	local stat
	[[ $(_ds_starttime "$1" 2>/dev/null) == "$2" ]] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# booted PID: the fixture's init (host PID) finished its sysinit.
booted() { [[ -e /proc/$1/root/run/ds-test-booted ]]; }

# guest_booted NAME: the same, asked inside the running container NAME.
guest_booted() { in_container "$1" test -e /run/ds-test-booted; }

# is_running NAME: status says running (exit 0).
is_running() { "$DS" status --name="$1" >/dev/null 2>&1; }

# cg2_mount: the cgroup2 mount point (/sys/fs/cgroup/unified on hybrid hosts).
cg2_mount() {
	local m
	for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[[ -e $m/cgroup.controllers ]] && echo "$m" && return 0
	done
	echo "no cgroup2 mount found" >&2
	return 1
}

# ct_cgroup NAME: container NAME's cgroup on the cgroup2 mount.
ct_cgroup() { echo "$(cg2_mount)/droidspaces/$1"; }

# cgroups_of NAME: every cgroup directory (any hierarchy) of container NAME.
cgroups_of() { find /sys/fs/cgroup -mindepth 2 -type d -path "*/droidspaces/$1" 2>/dev/null; }

# ws_monitors [WS]: PIDs of live "[ds-monitor]" processes forked for
# workspace WS (their environment is the one of the `start` that forked them).
ws_monitors() {
	local ws=${1:-$DROIDSPACES_WORKSPACE} p
	for p in /proc/[0-9]*; do
		is_monitor "${p#/proc/}" || continue
		{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "DROIDSPACES_WORKSPACE=$ws" &&
			echo "${p#/proc/}"
	done
	return 0
}

# count_monitors [WS]: how many ws_monitors there are.
count_monitors() { ws_monitors "$@" | wc -l; }

# name_monitors NAME [WS]: those of ws_monitors started for NAME (their
# command line, inherited from the CLI, names it).
name_monitors() {
	local name=$1 p a prev
	local -a args
	for p in $(ws_monitors "${2:-}"); do
		mapfile -d '' -t args 2>/dev/null <"/proc/$p/cmdline" || continue
		prev=
		for a in "${args[@]}"; do
			if [[ $a == "--name=$name" || $a == "-n$name" ]] ||
				[[ ($prev == --name || $prev == -n) && $a == "$name" ]]; then
				echo "$p"
				break
			fi
			prev=$a
		done
	done
	return 0
}

# --------------------------------------------------------------------------
# running the binary with stdout and stderr apart

# run_ds_err ARGS...: run the binary with bats' `run --separate-stderr`
# ($output / $stderr), logged like ds_run.  DS_WRAP (an array, empty unless a
# test sets it) prefixes the command, e.g. nsenter into a network namespace.
run_ds_err() {
	run --separate-stderr "${DS_WRAP[@]}" "$DS" "$@"
	{
		printf '$ %q' "${DS_WRAP[@]}" "$DS" "$@"
		# shellcheck disable=SC2154 # set by bats' run
		printf '\nstdout: %s\nstderr: %s\n[exit %s]\n' "$output" "$stderr" "$status"
	} >>"$DS_TEST_DIR/ds.log"
}

# assert_one_error_line [SUBSTRING]: $stderr is exactly one line
# "droidspaces: ..." without control characters (containing SUBSTRING).
assert_one_error_line() {
	local want=${1:-}
	if [[ $stderr != droidspaces:\ * ]]; then
		echo "stderr does not start with 'droidspaces: ': $(printf '%q' "$stderr")" >&2
		return 1
	fi
	if [[ $stderr == *$'\n'* ]]; then
		echo "stderr is more than one line: $(printf '%q' "$stderr")" >&2
		return 1
	fi
	if LC_ALL=C grep -q '[[:cntrl:]]' <<<"$stderr"; then
		echo "stderr contains control characters: $(printf '%q' "$stderr")" >&2
		return 1
	fi
	if [[ -n $want && $stderr != *"$want"* ]]; then
		echo "stderr lacks '$want': $stderr" >&2
		return 1
	fi
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
# "Container NAME started: init pid PID (KIND)"; sets CT_PID and CT_KIND.
_ct_started() {
	local re='^Container (.+) started: init pid ([0-9]+) \(([a-z0-9-]+)\)$'
	if [[ ! $output =~ $re || ${BASH_REMATCH[1]} != "$1" ]]; then
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

# --------------------------------------------------------------------------
# fixtures

# fixture_copy [--copy] NAME: print the path of a fresh, writable rootfs made
# from the cached fixture NAME, private to this test.  Default: an overlayfs
# (lower = cached fixture, upper/work in DS_TEST_DIR); --copy: a real cp -a
# (for tests that must not run on overlayfs).  Unmounted by common_teardown.
fixture_copy() {
	local mode=overlay name base n
	if [[ ${1:-} == --copy ]]; then
		mode=copy
		shift
	fi
	name=${1:?fixture_copy: fixture name}
	if [[ ! -d $DS_FIXTURES/$name ]]; then
		echo "fixture_copy: no fixture '$name' in $DS_FIXTURES (run $DS_FIXTURE_BUILD)" >&2
		return 1
	fi
	n=$(find "$DS_TEST_DIR" -maxdepth 1 -name 'rootfs.*' | wc -l)
	base=$DS_TEST_DIR/rootfs.$n.$name
	mkdir -p "$base/root"
	if [[ $mode == overlay ]]; then
		mkdir -p "$base/upper" "$base/work"
		# Register first: if the mount half-succeeds, teardown still tries.
		echo "$base/root" >>"$DS_TEST_DIR/.mounts"
		mount -t overlay "ds-test-$name" \
			-o "lowerdir=$DS_FIXTURES/$name,upperdir=$base/upper,workdir=$base/work" \
			"$base/root" || return 1
	else
		cp -a "$DS_FIXTURES/$name/." "$base/root/"
	fi
	echo "$base/root"
}

# --------------------------------------------------------------------------
# host state

_ds_own_cgroups() {
	# /sys/fs/cgroup paths of this process, one per hierarchy.
	local ctrl path m
	while IFS=: read -r _ ctrl path; do
		if [[ -z $ctrl ]]; then
			# cgroup2: wherever it is mounted (/sys/fs/cgroup or .../unified)
			for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
				[[ -e $m/cgroup.controllers ]] && echo "$m${path%/}"
			done
		else
			ctrl=${ctrl#name=}
			for m in /sys/fs/cgroup/"$ctrl" /sys/fs/cgroup/"${ctrl%%,*}"; do
				[[ -d $m ]] && echo "$m${path%/}" && break
			done
		fi
	done </proc/self/cgroup
}

_ds_cgroup_tree() {
	local own d keep o
	mapfile -t own < <(_ds_own_cgroups | sort -u)
	find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort | while IFS= read -r d; do
		keep=0
		for o in "${own[@]}"; do
			[[ $d == "$o" || $d == "$o"/* ]] && keep=1 && break
		done
		if [[ $keep == 0 ]] && [[ $d =~ $DS_TEST_CGROUP_IGNORE ]]; then
			continue
		fi
		echo "$d"
	done
}

_ds_mounts() {
	# mount point, fs type, source, mount options, super options, propagation
	# (peer group numbers dropped).  Mount points registered by fixture_copy
	# are left out; everything else counts, including mounts below them.
	local -A skip=()
	local m
	if [[ -n ${DS_TEST_DIR:-} && -f $DS_TEST_DIR/.mounts ]]; then
		while IFS= read -r m; do skip[$m]=1; done <"$DS_TEST_DIR/.mounts"
	fi
	local line pre post mp opts optional fstype src super
	while IFS= read -r line; do
		pre=${line%% - *}
		post=${line#* - }
		read -r _ _ _ _ mp opts optional <<<"$pre"
		read -r fstype src super <<<"$post"
		mp=$(printf '%b' "${mp//\\/\\0}")
		[[ -n ${skip[$mp]:-} ]] && continue
		optional=$(sed -E 's/:[0-9]+//g' <<<"${optional:-}")
		printf '%s %s %s %s %s %s\n' "$mp" "$fstype" "$src" "$opts" "$super" "${optional:-private}"
	done </proc/self/mountinfo | sort
}

_ds_dev_nodes() {
	find /dev -xdev -print0 2>/dev/null | sort -z |
		xargs -0 -r stat -c '%F %a %U:%G %t:%T %N' 2>/dev/null
}

_ds_foreign_ns_procs() {
	# Processes (not kernel threads) living in another PID or mount namespace
	# than ours: leaked container processes show up here.  No PIDs, so the
	# list is comparable.
	local mypid mymnt p comm pidns mntns tag
	mypid=$(readlink /proc/self/ns/pid)
	mymnt=$(readlink /proc/self/ns/mnt)
	for p in /proc/[0-9]*; do
		[[ -s $p/cmdline ]] || continue
		pidns=$(readlink "$p/ns/pid" 2>/dev/null) || continue
		mntns=$(readlink "$p/ns/mnt" 2>/dev/null) || continue
		[[ $pidns == "$mypid" && $mntns == "$mymnt" ]] && continue
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		tag=
		[[ $pidns != "$mypid" ]] && tag+=" other-pidns"
		[[ $mntns != "$mymnt" ]] && tag+=" other-mntns"
		echo "$comm$tag"
	done | sort | uniq -c
}

# host_snapshot FILE: write a comparable description of the host state.
host_snapshot() {
	local out=$1 k f
	{
		echo "## hostname"
		hostname
		cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname

		echo "## root filesystem options"
		findmnt -no OPTIONS /

		echo "## sysctl (selected)"
		for k in kernel.hostname kernel.domainname net.ipv4.ip_forward \
			net.ipv4.conf.all.forwarding net.ipv6.conf.all.forwarding \
			net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 \
			kernel.printk kernel.sysrq vm.overcommit_memory kernel.pid_max \
			kernel.core_pattern fs.file-max fs.nr_open fs.protected_regular \
			net.ipv4.ping_group_range net.core.default_qdisc; do
			f=/proc/sys/${k//.//}
			if [[ -r $f ]]; then
				printf '%s = %s\n' "$k" "$(tr '\n\t' '  ' <"$f")"
			else
				printf '%s = <absent>\n' "$k"
			fi
		done

		echo "## sysctl (all, minus counters)"
		grep -r . /proc/sys 2>/dev/null | grep -Ev "$DS_TEST_SYSCTL_IGNORE" | sort

		echo "## links"
		ip -o link show | sed -E 's/^[0-9]+: //; s/ qlen [0-9]+//; s/\\ +/ /g'
		echo "## addresses"
		ip -o addr show | sed -E 's/^[0-9]+: //; s/\\.*//; s/ (valid|preferred)_lft [^ ]+//g'
		echo "## routes"
		ip -4 route show table all
		ip -6 route show table all | sed -E 's/ expires [0-9]+sec//'
		echo "## rules"
		ip -4 rule show
		ip -6 rule show
		if command -v iptables-save >/dev/null 2>&1; then
			echo "## iptables"
			iptables-save 2>/dev/null | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
		fi
		if command -v nft >/dev/null 2>&1; then
			echo "## nftables"
			nft list ruleset 2>/dev/null
		fi

		echo "## mounts"
		_ds_mounts
		echo "## swaps"
		tail -n +2 /proc/swaps | awk '{print $1, $2}'
		echo "## loop devices"
		losetup -l -n -O NAME,BACK-FILE,RO,AUTOCLEAR 2>/dev/null | sort

		echo "## cgroup hierarchies"
		cut -d: -f1,2 /proc/self/cgroup
		awk '!/^#/ {print $1, $2, $4}' /proc/cgroups
		echo "## cgroup tree"
		_ds_cgroup_tree
		if [[ -r /proc/sys/fs/binfmt_misc/status ]]; then
			echo "## binfmt_misc"
			ls /proc/sys/fs/binfmt_misc
		fi

		echo "## /dev/pts entries"
		find /dev/pts -mindepth 1 -maxdepth 1 | wc -l
		echo "## /dev nodes"
		_ds_dev_nodes
		echo "## top level of /"
		ls -A /

		echo "## processes in other namespaces"
		_ds_foreign_ns_procs

		echo "## workspace"
		if [[ -n ${DROIDSPACES_WORKSPACE:-} && -d $DROIDSPACES_WORKSPACE/Pids ]]; then
			(cd "$DROIDSPACES_WORKSPACE/Pids" && find . -mindepth 1 | sort)
		fi
		echo "## default workspace /var/lib/Droidspaces (must stay untouched)"
		if [[ -d /var/lib/Droidspaces ]]; then
			find /var/lib/Droidspaces | sort
		fi
	} >"$out" 2>&1
}

# host_diff BEFORE AFTER: print the differences; status 1 if any.
host_diff() {
	diff -u --label "host before" --label "host after" "$1" "$2"
}

# --------------------------------------------------------------------------
# setup / teardown

common_setup() {
	if [[ $(id -u) != 0 ]]; then
		echo "the droidspaces e2e tests must run as root" >&2
		return 1
	fi
	if ! findmnt -rn --mountpoint "$DS_FIXTURE_MNT" >/dev/null; then
		echo "fixture filesystem not mounted at $DS_FIXTURE_MNT; run $DS_FIXTURE_BUILD" >&2
		return 1
	fi
	mkdir -p "$DS_SCRATCH"
	DS_TEST_DIR=$(mktemp -d "$DS_SCRATCH/$(basename "$BATS_TEST_FILENAME" .bats).$BATS_TEST_NUMBER.XXXXXX")
	export DS_TEST_DIR
	export DROIDSPACES_WORKSPACE=$DS_TEST_DIR/ws
	export TMPDIR=$DS_TEST_DIR/tmp
	mkdir -p "$TMPDIR"
	: >"$DS_TEST_DIR/.mounts"
	: >"$DS_TEST_DIR/.containers"
	: >"$DS_TEST_DIR/.pids"
	# A sanitizer build (DROIDSPACES_BIN=.../droidspaces-asan, make e2e-asan)
	# writes any report to sanitizer.PID here, from the CLI and from monitors
	# whose stderr is gone; common_teardown fails the test on one.  The musl
	# binary ignores these variables.
	export ASAN_OPTIONS="log_path=$DS_TEST_DIR/sanitizer:detect_leaks=1:abort_on_error=1"
	export UBSAN_OPTIONS="log_path=$DS_TEST_DIR/sanitizer:print_stacktrace=1:halt_on_error=1"
	host_snapshot "$DS_TEST_DIR/host.before"
}

# _ds_stop_tracked: stop every tracked container; kill what survives.
# Prints one line per problem; status 1 if there was any.
_ds_stop_tracked() {
	local name pid st rc=0 out
	[[ -s $DS_TEST_DIR/.containers ]] || return 0
	while IFS= read -r name; do
		ds_pid "$name" >/dev/null 2>&1 || true # remember the current PID, if any
		if [[ -e $DROIDSPACES_WORKSPACE/Pids/$name.pid ]]; then
			if [[ -x $DS ]]; then
				if ! out=$(timeout "${DS_TEST_STOP_TIMEOUT:-60}" "$DS" --name="$name" stop 2>&1 </dev/null); then
					echo "teardown: '$DS --name=$name stop' failed: $out"
					rc=1
				fi
			else
				echo "teardown: $name has a pidfile but $DS is missing"
				rc=1
			fi
		fi
	done <"$DS_TEST_DIR/.containers"
	# Last resort: PIDs read from pidfiles that are still the same process.
	while read -r name pid st; do
		[[ $(_ds_starttime "$pid" 2>/dev/null) == "$st" ]] || continue
		if wait_for 5 ! _ds_same_process "$pid" "$st" 2>/dev/null; then
			continue
		fi
		echo "teardown: container '$name' (PID $pid) still running after stop; sending SIGKILL"
		rc=1
		kill -KILL "$pid" 2>/dev/null || true
		wait_for 10 ! _ds_same_process "$pid" "$st" ||
			echo "teardown: PID $pid did not die"
	done < <(sort -u "$DS_TEST_DIR/.pids")
	return "$rc"
}

_ds_same_process() { [[ $(_ds_starttime "$1" 2>/dev/null) == "$2" ]]; }

common_teardown() {
	local rc=0 m problems
	if [[ -z ${DS_TEST_DIR:-} || ! -d $DS_TEST_DIR ]]; then
		return 0 # common_setup did not get far
	fi
	problems=$(_ds_stop_tracked) || rc=1
	[[ -n $problems ]] && echo "$problems" >&2

	local report
	for report in "$DS_TEST_DIR"/sanitizer.*; do
		[[ -e $report ]] || continue
		echo "teardown: SANITIZER REPORT $report:" >&2
		head -c 20000 "$report" >&2
		rc=1
	done

	if [[ -f $DS_TEST_DIR/host.before ]]; then
		host_snapshot "$DS_TEST_DIR/host.after"
		if ! host_diff "$DS_TEST_DIR/host.before" "$DS_TEST_DIR/host.after" >"$DS_TEST_DIR/host.diff"; then
			echo "teardown: THE HOST STATE CHANGED during this test:" >&2
			cat "$DS_TEST_DIR/host.diff" >&2
			rc=1
		fi
	fi

	# Unmount the fixture overlays (and anything left below them), newest first.
	if [[ -s $DS_TEST_DIR/.mounts ]]; then
		while IFS= read -r m; do
			findmnt -rn --mountpoint "$m" >/dev/null || continue
			if ! umount -R "$m"; then
				echo "teardown: cannot unmount $m, detaching lazily" >&2
				umount -R -l "$m" || true
				rc=1
			fi
		done < <(tac "$DS_TEST_DIR/.mounts")
	fi

	if [[ ${DS_TEST_KEEP:-0} == 1 || $rc != 0 ]]; then
		echo "teardown: test files kept in $DS_TEST_DIR" >&2
	elif grep -qF " $DS_TEST_DIR/" /proc/self/mountinfo; then
		# Never rm -rf through a mount point.
		echo "teardown: mounts left below $DS_TEST_DIR, not removing it" >&2
		rc=1
	else
		rm -rf --one-file-system "$DS_TEST_DIR"
	fi
	return "$rc"
}

# run_probe PROBE NAME: the output of tests/e2e/probes/PROBE.c run as root in
# container NAME (built static for the host's architecture once per test,
# copied into its rootfs).
run_probe() {
	local bin=$DS_TEST_DIR/$1
	if [[ ! -x $bin ]]; then
		musl-gcc -static -O2 -o "$bin" "$DS_REPO/tests/e2e/probes/$1.c" || return 1
	fi
	cp "$bin" "/proc/$(ds_pid "$2")/root/$1"
	"$DS" --name="$2" run "/$1"
}

# --------------------------------------------------------------------------
# network namespaces of a test's own (for guests whose halt downs links)

# net_state HOLDER: links, addresses, routes, rules and the per-interface
# sysctls of HOLDER's network namespace.
net_state() {
	nsenter -t "$1" -n -- sh -c '
		echo "## links"; ip -o link show | sed -E "s/ qlen [0-9]+//; s/\\\\ +/ /g"
		echo "## addresses"; ip -o addr show | sed -E "s/\\\\.*//"
		echo "## routes"; ip -4 route show table all; ip -6 route show table all | sed -E "s/ expires [0-9]+sec//"
		echo "## rules"; ip -4 rule show; ip -6 rule show
		echo "## sysctls"; grep -r . /proc/sys/net/ipv4/conf /proc/sys/net/ipv6/conf /proc/sys/net/ipv4/ip_forward 2>/dev/null | sort
	'
}
netns_of() { readlink "/proc/$1/ns/net"; }
in_own_netns() { comm_is "$1" sleep && [[ $(netns_of "$1") != "$(netns_of $$)" ]]; }

# netns_holder_start: print the PID of a sleep holding a new network
# namespace with lo up and a veth pair (addresses, a route) standing in for
# the host's interfaces. netns_holders_stop (in teardown) ends it.
netns_holder_start() {
	local holder
	unshare --net -- sleep 1000 </dev/null >/dev/null 2>&1 &
	holder=$!
	echo "$holder" >>"$DS_TEST_DIR/.hs-pids"
	wait_for 5 in_own_netns "$holder" || return 1
	nsenter -t "$holder" -n -- sh -ec '
		ip link set lo up
		ip link add ds-veth0 type veth peer name ds-veth1
		# no link-local addresses: their DAD state would change by itself
		ip link set ds-veth0 addrgenmode none
		ip link set ds-veth1 addrgenmode none
		ip addr add 192.0.2.10/24 dev ds-veth0
		ip -6 addr add 2001:db8::10/64 dev ds-veth0 nodad
		ip link set ds-veth0 up
		ip link set ds-veth1 up
		ip route add 198.51.100.0/24 via 192.0.2.1
	' >&2 || return 1
	wait_for 5 sh -c "nsenter -t $holder -n -- ip -o link show ds-veth0 | grep -q LOWER_UP" || return 1
	echo "$holder"
}

# netns_holders_stop: the containers inside the holders go first, then the
# holders (by PID), before the host snapshot. Fails if a container did not stop.
netns_holders_stop() {
	local rc=0 p problems
	if [[ -s ${DS_TEST_DIR:-/nonexistent}/.hs-pids ]]; then
		problems=$(_ds_stop_tracked) || rc=1
		[[ -n $problems ]] && echo "$problems" >&2
		while IFS= read -r p; do
			kill -KILL "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done <"$DS_TEST_DIR/.hs-pids"
		: >"$DS_TEST_DIR/.hs-pids"
	fi
	return "$rc"
}

# --------------------------------------------------------------------------
# tmux: a real terminal for the terminal tests (20-terminal, 25-hostile-terminal)
#
# A private tmux server (own socket TM_SOCK, set by the test's setup; killed
# by tm_cleanup in teardown): keys are sent with send-keys, the screen is read
# with capture-pane and every wait polls the screen with a deadline.

tm() { tmux -L "$TM_SOCK" "$@"; }

# tm_start: a private tmux server with one 100x30 window running a bare,
# interactive host bash whose prompt is "HOST$".
tm_start() {
	require_cmd tmux
	tm -f /dev/null new-session -d -s ds -x 100 -y 30 \
		env -i PATH="$PATH" TERM=screen HOME="$DS_TEST_DIR" HISTFILE=/dev/null DS="$DS" \
		DROIDSPACES_WORKSPACE="$DROIDSPACES_WORKSPACE" TMPDIR="$TMPDIR" PS1='HOST$ ' \
		bash --norc --noprofile -i
	tm display -p '#{pid}' >"$DS_TEST_DIR/.tmux-server"
	tm display -p '#{socket_path}' >"$DS_TEST_DIR/.tmux-socket"
	wait_for 10 tm_last_is '^HOST\$$'
}

# tm_screen [TARGET]: the whole pane (history and screen), wrapped lines joined.
tm_screen() { tm capture-pane -p -J -S - -t "${1:-ds:0}"; }

# tm_has TEXT [TARGET]: TEXT is on the pane (prints the pane when not).
tm_has() {
	local s
	s=$(tm_screen "${2:-ds:0}") || return 1
	[[ $s == *"$1"* ]] && return 0
	printf '%s\n' "$s" | tail -n 25
	return 1
}

# tm_has_re ERE [TARGET]: a line of the pane matches ERE.
tm_has_re() {
	local s
	s=$(tm_screen "${2:-ds:0}") || return 1
	grep -qE -- "$1" <<<"$s" && return 0
	printf '%s\n' "$s" | tail -n 25
	return 1
}

# tm_count TEXT [TARGET]: how many lines of the pane contain TEXT.
tm_count() { tm_screen "${2:-ds:0}" | grep -cF -- "$1" || true; }

# tm_has_count TEXT N [TARGET]: TEXT is on at least N lines.
tm_has_count() {
	local n
	n=$(tm_count "$1" "${3:-ds:0}")
	((n >= $2)) && return 0
	echo "'$1' on $n lines, want $2"
	tm_screen "${3:-ds:0}" | tail -n 25
	return 1
}

# tm_last_is REGEX [TARGET]: the last non-empty line of the pane matches.
tm_last_is() {
	local last
	last=$(tm capture-pane -p -J -t "${2:-ds:0}" | sed 's/[[:space:]]*$//; /^$/d' | tail -n 1)
	[[ $last =~ $1 ]] && return 0
	echo "last line: '$last'"
	return 1
}

# tm_type TEXT [TARGET]: type TEXT literally, then Enter.
tm_type() {
	tm send-keys -t "${2:-ds:0}" -l -- "$1"
	tm send-keys -t "${2:-ds:0}" Enter
}

# tm_keys KEY... : send tmux key names (C-c, C-a, Enter ...) to window 0.
tm_keys() { tm send-keys -t ds:0 "$@"; }

tm_pane_pid() { tm display -p -t "${1:-ds:0}" '#{pane_pid}'; }
tm_pane_tty() { tm display -p -t "${1:-ds:0}" '#{pane_tty}'; }

# tm_child [TARGET]: PID of the droidspaces process the pane's shell runs.
tm_child() {
	local p
	p=$(pgrep -P "$(tm_pane_pid "${1:-ds:0}")" -x "$DS_COMM") || return 1
	[[ $p =~ ^[0-9]+$ ]] || return 1 # exactly one
	echo "$p"
}

_descendants() {
	local -a todo=("$@")
	local p c
	while ((${#todo[@]})); do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		for c in $(pgrep -P "$p"); do
			echo "$c"
			todo+=("$c")
		done
	done
}

# tm_cleanup: kill our tmux server (by its own socket) and make sure every
# process it ran is gone, so the host snapshot sees no PTY of ours.
tm_cleanup() {
	local f=$DS_TEST_DIR/.tmux-server spid rc=0 p
	local -a procs=()
	[[ -n ${DS_TEST_DIR:-} && -s $f ]] || return 0
	spid=$(cat "$f")
	mapfile -t procs < <(_descendants "$spid")
	tm kill-server 2>/dev/null || true
	wait_for 10 ! kill -0 "$spid" || rc=1
	for p in "${procs[@]}"; do
		if ! wait_for 5 ! kill -0 "$p"; then
			echo "teardown: PID $p ($(cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ')) outlived its terminal; SIGKILL" >&2
			kill -KILL "$p" 2>/dev/null || true
			wait_for 5 ! kill -0 "$p" || rc=1
		fi
	done
	# tmux leaves its socket behind
	[[ -s $DS_TEST_DIR/.tmux-socket ]] && rm -f "$(cat "$DS_TEST_DIR/.tmux-socket")"
	rm -f "$f" "$DS_TEST_DIR/.tmux-socket"
	return "$rc"
}

# terminal_setup / terminal_teardown: setup and teardown of the terminal
# test files: common_setup with root and the binary, and our tmux server.
terminal_setup() {
	common_setup
	require_root
	require_ds
	TM_SOCK=ds-test-$$-$BATS_TEST_NUMBER
}

terminal_teardown() {
	local rc=0
	tm_cleanup || rc=1
	common_teardown || rc=1
	return "$rc"
}

# legacy_ds ARGS...: droidspaces in a mount namespace of its own in which the
# host's cgroup2 tree is not mounted, as on an old kernel (Android 3.18-4.x)
# with cgroup v1 only.  Private propagation: the host keeps its mount.
legacy_ds() {
	unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh "$DS" "$@"
}
