# shellcheck shell=bash
# tests/e2e/lib/skip.bash: skipping loudly, and the require_* checks.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

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
