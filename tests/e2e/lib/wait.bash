# shellcheck shell=bash
# tests/e2e/lib/wait.bash: polling with deadlines, background jobs, reliability figures.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

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
