#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2119,SC2120 # keys typed into guest shells are meant literally
# enter, and run with a terminal, end to end in a real terminal (the tmux
# driver of lib/tmux.bash): the guest's PTY, window size, Ctrl-C, raw mode and
# its restoration, enter USER; 100 sequential runs that leave nothing behind
# and run, enter, status and stop against one container in parallel.
# Needs: tmux, script (util-linux), openssl (or the guest's chpasswd), nsenter.
#
# Commands typed into a shell print markers such as MARK-$((6*7)): the typed
# line shows the expression, only the output shows MARK-42.
#
# Tags: load.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	terminal_setup
	REL_OWN_PIDS=
}
teardown() {
	kill_own_pids
	terminal_teardown
}

@test "enter: PTY from the guest's devpts, the guest's processes only, clean environment" {
	require_fixture busybox
	local root name=ent20 out hostpts ptsnum
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	tm_start
	hostpts=$(find /dev/pts -mindepth 1 -maxdepth 1 | wc -l)

	tm_type "\"\$DS\" -n $name enter; echo ENTER-EXIT=\$?"
	wait_for 10 tm_last_is '^~ #$'
	tm_type 'echo "TTY=$(tty) ENV=$TERM:$HOME:$container:$LANG:$PATH"; ls /dev/pts | tr "\n" " "; echo; ps aux; echo "DONE-$((6*7))"'
	wait_for 10 tm_has "DONE-42"
	out=$(tm_screen)
	[[ $out =~ TTY=/dev/pts/([0-9]+)\  ]]
	ptsnum=${BASH_REMATCH[1]}
	[[ $out == *"ENV=screen:/root:droidspaces:C.UTF-8:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"* ]]
	# the PTY lives in the guest's devpts: listed there, none added on the host
	in_container "$name" test -e "/dev/pts/$ptsnum"
	[ "$(find /dev/pts -mindepth 1 -maxdepth 1 | wc -l)" -eq "$hostpts" ]
	# ps: init as PID 1, the shell, ps; nothing of the host
	run in_container "$name" ps
	echo "$output"
	[[ $output =~ [[:space:]]1\ root\ +init ]]
	[ "${#lines[@]}" -le 4 ]
	[[ $out != *tmux* && $out != *"bash --norc"* ]]
	# the shell inside is a child of the guest, not of the host
	guest_has_proc "$name" '/bin/ash -l'

	tm_type 'exit 0'
	wait_for 10 tm_has "ENTER-EXIT=0"
	wait_for 10 ! guest_has_proc "$name" '/bin/ash -l'

	# without a terminal: no PTY, the shell reads its commands from stdin
	run "$DS" -n "$name" enter < <(printf '%s\n' 'echo "piped-$((6*7))"; test -t 0 || echo no-tty' 'exit 3')
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *piped-42*no-tty* ]]
}

# guest_tty_size_is NAME "ROWS COLS": the guest's entered shell's PTY has that size.
guest_tty_size_is() {
	local pts
	pts=$(in_container "$1" sh -c 'for p in /proc/[0-9]*; do
		case $(cat $p/cmdline 2>/dev/null | tr "\0" " ") in "/bin/ash -l "*) readlink $p/fd/0;; esac; done') || return 1
	[[ $pts == /dev/pts/* ]] || return 1
	[ "$(in_container "$1" stty -F "$pts" size)" = "$2" ]
}

@test "enter: window size and resizes (SIGWINCH) reach the shell" {
	require_fixture busybox
	local root name=winch20
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	tm_start
	tm_type "\"\$DS\" -n $name enter; echo ENTER-EXIT=\$?"
	wait_for 10 tm_last_is '^~ #$'
	tm_type 'echo "SIZE=$(stty size)"'
	wait_for 10 tm_has "SIZE=30 100"
	# The kernel signals the PTY's foreground process group: a script, not
	# the interactive shell (its own group), traps SIGWINCH.
	tm_type 'sh -c '\''trap "echo WINCH=\$(stty size)" WINCH; while :; do sleep 1; done'\'
	wait_for 10 guest_has_proc "$name" 'sleep 1'
	tm resize-window -t ds:0 -x 120 -y 40
	wait_for 10 tm_has "WINCH=40 120"
	tm_keys C-c
	wait_for 10 tm_last_is '^~ #$'
	tm_type 'echo "SIZE2=$(stty size)"'
	wait_for 10 tm_has "SIZE2=40 120"
	tm resize-window -t ds:0 -x 90 -y 25
	wait_for 10 guest_tty_size_is "$name" "25 90"
	tm_type 'echo "SIZE3=$(stty size)"'
	wait_for 10 tm_has "SIZE3=25 90"
	tm_type 'exit'
	wait_for 10 tm_has "ENTER-EXIT=0"
}

@test "enter: Ctrl-C kills the foreground command inside, not droidspaces" {
	require_fixture busybox
	local root name=intr20 pid
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	tm_start
	tm_type "\"\$DS\" -n $name enter; echo ENTER-EXIT=\$?"
	wait_for 10 tm_last_is '^~ #$'
	pid=$(tm_child)
	tm_type 'sleep 1000'
	wait_for 10 guest_has_proc "$name" 'sleep 1000'
	tm_keys C-c
	wait_for 10 ! guest_has_proc "$name" 'sleep 1000'
	kill -0 "$pid"
	[ "$(tm_child)" = "$pid" ]
	tm_type 'echo "ALIVE-$((6*7))"'
	wait_for 10 tm_has "ALIVE-42"
	! tm_has_re "ENTER-EXIT=[0-9]" >/dev/null || false
	tm_type 'exit'
	wait_for 10 tm_has "ENTER-EXIT=0"
}

@test "enter: raw mode while attached, terminal restored on exit and when the container stops; exit status" {
	require_fixture busybox
	local root name=modes20
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	tm_start
	# (stty run by the host shell, not while bash's readline owns the terminal)
	tm_type "stty -a >\"\$TMPDIR/stty.cooked\"; stty -g >\"\$TMPDIR/stty.before\"; \"\$DS\" -n $name enter; echo ENTER-EXIT=\$?; stty -g >\"\$TMPDIR/stty.after\""
	wait_for 10 tm_last_is '^~ #$'
	run cat "$TMPDIR/stty.cooked"
	[[ $output =~ (^|[[:space:]])icanon([[:space:]]|$) && $output =~ (^|[[:space:]])isig([[:space:]]|$) ]]
	run stty -a -F "$(tm_pane_tty)"
	echo "$output"
	[[ $output == *-icanon* && $output == *-echo\ * && $output == *-isig* && $output == *-icrnl* ]]
	tm_type 'exit 7'
	wait_for 10 tm_has "ENTER-EXIT=7"
	wait_for 10 test -s "$TMPDIR/stty.after"
	cmp "$TMPDIR/stty.before" "$TMPDIR/stty.after"

	# the container goes away under an entered shell
	rm -f "$TMPDIR/stty.after"
	tm_type "\"\$DS\" -n $name enter; echo ENTER2-EXIT=\$?; stty -g >\"\$TMPDIR/stty.after\""
	wait_for 10 tm_last_is '^~ #$'
	run "$DS" -n "$name" stop
	[ "$status" -eq 0 ]
	wait_for 20 tm_has_re "ENTER2-EXIT=[0-9]"
	wait_for 10 test -s "$TMPDIR/stty.after"
	cmp "$TMPDIR/stty.before" "$TMPDIR/stty.after"
}

@test "enter USER: su -l USER in the guest" {
	require_fixture busybox
	local root name=entu20
	root=$(fixture_copy busybox)
	add_guest_user "$root" dsuser 1234
	start_bg "$name" "$root"
	tm_start
	tm_type "\"\$DS\" -n $name enter dsuser; echo ENTER-EXIT=\$?"
	wait_for 10 tm_last_is '^~ \$$'
	tm_type 'echo "WHO=$(id -un):$(id -u):$HOME:$(pwd)"'
	wait_for 10 tm_has "WHO=dsuser:1234:/home/dsuser:/home/dsuser"
	tm_type 'exit 4'
	wait_for 10 tm_has "ENTER-EXIT=4"

	run "$DS" -n "$name" enter a b </dev/null
	[ "$status" -ne 0 ]
}

@test "run with a terminal: PTY inside the guest, exit status, Ctrl-C gives 130" {
	require_fixture busybox
	local root name=runtty20
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	tm_start
	tm_type "\"\$DS\" -n $name run tty; echo RUN-EXIT=\$?"
	wait_for 10 tm_has "RUN-EXIT=0"
	tm_screen | grep -Eqx '/dev/pts/[0-9]+'
	tm_type "\"\$DS\" -n $name run sh -c 'exit 5'; echo RUN-EXIT=\$?"
	wait_for 10 tm_has "RUN-EXIT=5"
	tm_type "\"\$DS\" -n $name run sleep 1000; echo RUN-EXIT=\$?"
	wait_for 10 guest_has_proc "$name" 'sleep 1000'
	tm_keys C-c
	wait_for 10 tm_has "RUN-EXIT=130"
	! guest_has_proc "$name" 'sleep 1000' || false
}

_fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# droidspaces processes of this test (they carry its workspace in their environment)
_ds_procs() {
	local p n=0
	for p in $(pgrep -x "$DS_COMM"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "DROIDSPACES_WORKSPACE=$DROIDSPACES_WORKSPACE" && n=$((n + 1))
	done
	echo "$n"
}

# bats test_tags=load
@test "run: 100 sequential calls (and 20 with a PTY) leave no stray processes, fds or PTYs" {
	require_fixture busybox
	require_cmd script
	local root name=many20 mon init i
	local ps0 pts0 fd0 ifd0 gps0 gpts0 dsp0
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	init=$(ds_pid "$name")
	mon=$(sed -n 's/^monitor=//p' "$DROIDSPACES_WORKSPACE/Pids/$name.pid")
	[[ $mon =~ ^[0-9]+$ ]]

	ps0=$(ps -e --no-headers | wc -l)
	pts0=$(_pts_count)
	fd0=$(_fd_count "$mon")
	ifd0=$(_fd_count "$init")
	dsp0=$(_ds_procs)
	gps0=$(guest_ps "$name" | wc -l)
	gpts0=$(in_container "$name" ls /dev/pts | wc -l)

	for ((i = 0; i < 100; i++)); do
		"$DS" -n "$name" run true </dev/null || {
			echo "run $i failed"
			return 1
		}
	done
	for ((i = 0; i < 20; i++)); do
		script -qec "\"$DS\" -n $name run true" /dev/null </dev/null >/dev/null || {
			echo "run with a PTY $i failed"
			return 1
		}
	done

	[ "$(_pts_count)" -eq "$pts0" ]
	[ "$(_fd_count "$mon")" -eq "$fd0" ]
	[ "$(_fd_count "$init")" -eq "$ifd0" ]
	[ "$(_ds_procs)" -eq "$dsp0" ]
	[ "$(guest_ps "$name" | wc -l)" -eq "$gps0" ]
	[ "$(in_container "$name" ls /dev/pts | wc -l)" -eq "$gpts0" ]
	# the whole host: a leak of 120 runs would show; allow a little noise
	# from unrelated processes on the machine
	(($(ps -e --no-headers | wc -l) <= ps0 + 5))
}

# bats test_tags=load
@test "load: parallel run, enter, status and stop against one container all behave" {
	require_fixture busybox
	local root d ix n_stop_ok=0 rc
	root=$(fixture_copy busybox)
	start_ct pcon "$root"
	wait_for 10 booted "$CT_PID"
	d=$DS_TEST_DIR/pc
	mkdir -p "$d"

	# 10 runs and 3 enters at once while it runs: all succeed
	for ix in $(seq 1 10); do
		(
			rc=0
			timeout 30 "$DS" --name=pcon run sh -c "echo run-$ix" >"$d/run.$ix" 2>"$d/runerr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/runrc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	for ix in 1 2 3; do
		(
			rc=0
			echo "echo enter-$ix; exit" | timeout 30 "$DS" --name=pcon enter >"$d/enter.$ix" 2>"$d/entererr.$ix" || rc=$?
			echo "$rc" >"$d/enterrc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	wait_bg
	for ix in $(seq 1 10); do
		echo "run $ix: exit $(cat "$d/runrc.$ix"): $(cat "$d/run.$ix" "$d/runerr.$ix")"
		[ "$(cat "$d/runrc.$ix")" -eq 0 ]
		[ "$(cat "$d/run.$ix")" = "run-$ix" ]
	done
	for ix in 1 2 3; do
		echo "enter $ix: exit $(cat "$d/enterrc.$ix"): $(cat "$d/enter.$ix" "$d/entererr.$ix")"
		[ "$(cat "$d/enterrc.$ix")" -eq 0 ]
		grep -q "enter-$ix" "$d/enter.$ix"
	done

	# now 3 stops, 5 runs and 5 status at once: the stops succeed or say the
	# container is not running (any more); the runs either work or fail
	# with one error line; nothing hangs or crashes
	for ix in 1 2 3; do
		(
			rc=0
			timeout 60 "$DS" --name=pcon stop >"$d/stop.$ix" 2>"$d/stoperr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/stoprc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	for ix in $(seq 1 5); do
		(
			rc=0
			timeout 30 "$DS" --name=pcon run sh -c "echo late-$ix" >"$d/late.$ix" 2>"$d/lateerr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/laterc.$ix"
			rc=0
			timeout 30 "$DS" --name=pcon status >/dev/null 2>"$d/staterr.$ix" </dev/null || rc=$?
			echo "$rc" >"$d/statrc.$ix"
		) 3>&- &
		BG_PIDS+=("$!")
	done
	wait_bg
	for ix in 1 2 3; do
		rc=$(cat "$d/stoprc.$ix")
		echo "stop $ix: exit $rc: $(cat "$d/stop.$ix" "$d/stoperr.$ix")"
		if [[ $rc == 0 ]]; then
			n_stop_ok=$((n_stop_ok + 1))
			[ "$(cat "$d/stop.$ix")" = "Container pcon stopped" ]
		else
			((rc < 124))
			[ ! -s "$d/stop.$ix" ]
			[ "$(wc -l <"$d/stoperr.$ix")" -eq 1 ]
			grep -qE '^droidspaces: .*(not running|being started or stopped)' "$d/stoperr.$ix"
		fi
	done
	((n_stop_ok >= 1))
	for ix in $(seq 1 5); do
		rc=$(cat "$d/laterc.$ix")
		echo "late run $ix: exit $rc: $(cat "$d/late.$ix" "$d/lateerr.$ix")"
		((rc < 124))
		if [[ $rc == 0 ]]; then
			[ "$(cat "$d/late.$ix")" = "late-$ix" ]
		else
			[ "$(wc -l <"$d/lateerr.$ix")" -eq 1 ]
			grep -q '^droidspaces: ' "$d/lateerr.$ix"
		fi
		rc=$(cat "$d/statrc.$ix")
		[[ $rc == 0 || $rc == 1 ]]
	done
	wait_for 15 nothing_left pcon
	assert_cleaned pcon
}
