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
#
# The helpers live in lib/, one file per concern (sourced here in this order):
#   env        the binary, the fixture cache, the scratch dirs
#   skip       skip_loud and the require_* checks
#   wait       wait_for, wait_bg, figure
#   lifecycle  ds_pid, track_container, in_container, start_ct/stop_ct/st_*, nothing_left
#   workspace  ws_pidfile, ws_lock, ws_log ... (where the runtime keeps its files)
#   assert     refute, run_ds_err, assert_one_error_line
#   proc       monitors, processes, cgroups, legacy_ds
#   fixture    fixture_copy, run_probe
#   host       host_snapshot, host_diff
#   setup      common_setup, common_teardown
#   net        network namespaces of a test's own
#   tmux       the tmux driver (tm_*), terminal_setup/terminal_teardown
#   terminal   helpers of the terminal tests: start_bg, guest_ps, add_guest_user
#   fault      fault points, own_pid/kill_own_pids, stopped processes and monitors
#   rows       tables of hostile or faulty cases: run_ds_ws, assert_refused, row_ok
#   inventory  ds_start_ok, json_run, scan_run, stop_all_ok
#   caps       capability sets: capbnd_of, cap_set, CAP_*
#   storage    make_image_from
#   android    make_android_root (a fake Android host tree)

_ds_lib=$(dirname "${BASH_SOURCE[0]}")/lib
for _ds_f in env skip wait lifecycle workspace assert proc fixture host setup net tmux \
	terminal fault rows inventory caps storage android; do
	# shellcheck source=/dev/null
	source "$_ds_lib/$_ds_f.bash"
done
unset _ds_lib _ds_f
