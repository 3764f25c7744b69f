# shellcheck shell=bash
# tests/e2e/lib/rows.bash: tables of hostile or faulty cases, one row each:
# run the binary against a workspace, check a refusal, record failing rows
# and give one verdict; rescue what a failing row left running.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

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

# ws_state: the workspace and the droidspaces cgroups, to show nothing was created.
ws_state() {
	find "$DROIDSPACES_WORKSPACE" /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort
	find "$DROIDSPACES_WORKSPACE" 2>/dev/null | sort
}
