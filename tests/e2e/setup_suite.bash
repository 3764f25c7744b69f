# shellcheck shell=bash
# Run once per `bats tests/e2e` (bats >= 1.5 picks up setup_suite.bash from the
# directory of the test files).  Builds the fixtures if needed (instant when
# cached) and mounts the fixture filesystem.  Progress goes to the TAP stream
# as "# " comments, because setup_suite's own output is only shown on failure.

setup_suite() {
	local repo
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	if [[ $(id -u) != 0 ]]; then
		echo "# the droidspaces e2e tests must run as root" >&3
		return 1
	fi
	echo "# fixtures: tests/fixtures/build.sh (cache: ${DS_TEST_CACHE:-/var/cache/droidspaces-test})" >&3
	"$repo/tests/fixtures/build.sh" 2> >(sed -u 's/^/# /' >&3)
}
