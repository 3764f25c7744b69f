# shellcheck shell=bash
# tests/e2e/lib/env.bash: the environment every helper and test uses: the
# binary under test, the fixture cache, the scratch dirs, and what the host
# snapshot ignores.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

DS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
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
