# shellcheck shell=bash
# tests/e2e/lib/setup.bash: per-test setup and teardown: scratch dir, host snapshot before and after.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

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
