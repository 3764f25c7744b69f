#!/usr/bin/env bats
# Hostile state on the host (issue 12): pidfiles that hold only a PID, many
# stale pidfiles at once (as after a host reboot), a --pidfile that names a
# file droidspaces did not write (a stand-in for /etc/passwd, a symlink, a
# FIFO, a device node), and fake containers built by an unprivileged user
# (or by root outside our cgroup) that scan must not adopt.
# Run as: flock /var/cache/droidspaces-test/e2e.lock bats tests/e2e/35-hostile-state.bats

bats_require_minimum_version 1.5.0

load helpers

setup() {
	common_setup
	require_root
	require_ds
	require_cmd jq unshare setpriv mkfifo
	: >"$DS_TEST_DIR/.fakes"
}
teardown() {
	kill_fakes
	remove_fake_cgroups
	common_teardown
}

# --------------------------------------------------------------------------
# helpers of this file

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

# same_process PID STARTTIME: PID still is that process.
same_process() { [[ $(_ds_starttime "$1" 2>/dev/null) == "$2" ]]; }

# --------------------------------------------------------------------------
# 1. a pidfile without identity

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

# --------------------------------------------------------------------------
# 2. many stale pidfiles

# make_stale N: N stale pidfiles of the current format: half name a dead PID,
# half a live one (PID 1, this shell) from an earlier boot of the host.
make_stale() {
	local n=$1 i dead boot
	dead=$(sh -c 'echo $$')
	boot=$(cat /proc/sys/kernel/random/boot_id)
	mkdir -p "$DROIDSPACES_WORKSPACE/Pids"
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			printf '%s\nmonitor=%s\nstarttime=1\nuuid=%032d\nboot_id=00000000-0000-4000-8000-%012d\nrootfs=/nonexistent\ncgroup=droidspaces/stale-%d\n' \
				"$((i % 4 == 1 ? 1 : $$))" "$$" "$i" "$i" "$i"
		else
			printf '%s\nmonitor=0\nstarttime=1\nuuid=%032d\nboot_id=%s\nrootfs=/nonexistent\ncgroup=droidspaces/stale-%d\n' \
				"$dead" "$i" "$boot" "$i"
		fi >"$DROIDSPACES_WORKSPACE/Pids/stale-$i.pid"
	done
}

stale_left() { find "$DROIDSPACES_WORKSPACE/Pids" -name 'stale-*' | wc -l; }

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

# --------------------------------------------------------------------------
# 3. a --pidfile that is not ours

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

# --------------------------------------------------------------------------
# 4. scan adopts only what we started

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
