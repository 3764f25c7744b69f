#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2119,SC2120 # keys typed into guest shells are meant literally
# The console, end to end, in a real terminal (the tmux driver of
# lib/tmux.bash): logging in on the console of systemd and OpenRC guests, one
# client at a time, detach and re-attach, clients that hang up, are stopped
# or never read; start -f; logs; a guest flooding /dev/console (the log
# rotates, nothing blocks); --ttys.
# Needs: tmux, script (util-linux), openssl (or the guest's chpasswd),
# musl-gcc, nsenter.
#
# Commands typed into a shell print markers such as MARK-$((6*7)): the typed
# line shows the expression, only the output shows MARK-42.
#
# Tags: hostile, load; asan marks the tests `make e2e-asan` runs.

bats_require_minimum_version 1.5.0

load helpers

setup() { terminal_setup; }
teardown() { terminal_teardown; }

# set_root_password ROOTFS PASSWORD (on the overlay copy only)
set_root_password() {
	local root=$1 pw=$2 hash
	if command -v openssl >/dev/null 2>&1; then
		hash=$(openssl passwd -6 -salt ds20salt "$pw")
		sed -i "s|^root:[^:]*:|root:$hash:|" "$root/etc/shadow"
	else
		chroot "$root" chpasswd <<<"root:$pw"
	fi
	grep -q '^root:\$' "$root/etc/shadow"
}

# console_login NAME PASSWORD: on the console shown in window 0, wait for the
# getty's "NAME login:" (poking it with Enter), log in as root, check the shell.
console_login() {
	local name=$1 pw=$2
	tm_keys Enter
	wait_for 60 tm_has "$name login:"
	tm_type root
	wait_for 30 tm_has "Password:"
	tm_type "$pw"
	wait_for 30 tm_last_is "^root@$name:.*# ?$"
	tm_type 'echo "LOGIN-OK-$((6*7)) $(id -u) $(tty)"'
	wait_for 20 tm_has "LOGIN-OK-42 0 /dev/console"
}

@test "console: log in on a systemd guest (console-getty); enter/run use bash and the guest's cgroup" {
	require_fixture debian-systemd
	local root name=sd20 out n
	root=$(fixture_copy debian-systemd)
	set_root_password "$root" 'ds-secret-20'
	start_bg "$name" "$root"
	wait_for 90 guest_booted "$name"
	wait_for 30 in_container "$name" systemctl is-active --quiet console-getty.service

	tm_start
	tm_type "\"\$DS\" -n $name console; echo CONSOLE-EXIT=\$?"
	wait_for 10 tm_has "[droidspaces: attached to $name; Ctrl-a q detaches]"
	console_login "$name" 'ds-secret-20'
	# the log keeps being written while a client is attached
	wait_for 10 bash -c "\"\$DS\" -n $name logs | grep -q 'LOGIN-OK-42 0 /dev/console'"
	# log out: the getty comes back
	n=$(tm_count "$name login:")
	tm_type exit
	wait_for 30 tm_has_count "$name login:" $((n + 1))
	tm_keys C-a q
	wait_for 10 tm_has "[droidspaces: detached from $name; it keeps running]"
	wait_for 10 tm_has "CONSOLE-EXIT=0"
	is_running "$name"

	# enter: /bin/bash, a PTY of the guest's devpts, the guest's processes only
	tm_type "\"\$DS\" -n $name enter; echo ENTER-EXIT=\$?"
	wait_for 20 tm_last_is "^root@$name:.*# ?$"
	tm_type 'echo "SHELL=$(readlink /proc/$$/exe) TTY=$(tty) PS1COUNT=$(ps aux | grep -c "^")"; ps -o pid=,comm= -p 1'
	wait_for 20 tm_has "SHELL=/usr/bin/bash TTY=/dev/pts/"
	wait_for 10 tm_last_is "^root@$name:.*# ?$"
	out=$(tm_screen)
	[[ $out =~ TTY=/dev/pts/[0-9]+\ PS1COUNT=([0-9]+) ]]
	# systemd's few processes, nothing of the host (which runs hundreds)
	((BASH_REMATCH[1] < 40))
	[[ $out =~ [[:space:]]1\ systemd ]]
	tm_type 'exit 0'
	wait_for 10 tm_has "ENTER-EXIT=0"

	# run joins the guest's cgroup: init.scope (systemd moves itself there) or the root
	run "$DS" -n "$name" run cat /proc/self/cgroup
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *..* ]]
	[[ $output =~ (^|$'\n')0::/(init\.scope)?($|$'\n') ]]
}

@test "console: log in on an OpenRC/sysvinit guest (inittab console getty)" {
	require_fixture debian-openrc
	local root name=orc20
	root=$(fixture_copy debian-openrc)
	set_root_password "$root" 'ds-secret-20'
	# The fixture has no getty at all; a container's inittab console entry:
	echo 'co:2345:respawn:/sbin/agetty --noclear --keep-baud console 115200,38400,9600 vt220' \
		>>"$root/etc/inittab"
	start_bg "$name" "$root"
	wait_for 60 guest_booted "$name"
	wait_for 30 guest_has_proc "$name" 'agetty.*console'

	tm_start
	tm_type "\"\$DS\" -n $name attach; echo CONSOLE-EXIT=\$?"
	wait_for 10 tm_has "[droidspaces: attached to $name; Ctrl-a q detaches]"
	console_login "$name" 'ds-secret-20'
	tm_keys C-a q
	wait_for 10 tm_has "[droidspaces: detached from $name; it keeps running]"
	wait_for 10 tm_has "CONSOLE-EXIT=0"
	is_running "$name"
	# the shell logged in on the console is still there after the detach
	guest_has_proc "$name" '(-bash|bash)'
}

@test "console: one client at a time; output reaches it; detach and re-attach" {
	require_fixture busybox
	local root name=bb20
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"

	tm_start
	tm_type "\"\$DS\" -n $name console; echo CONSOLE-EXIT=\$?"
	wait_for 10 tm_has "[droidspaces: attached to $name; Ctrl-a q detaches]"
	# a second client is refused, with either name of the command
	run "$DS" -n "$name" console </dev/null
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"another client is attached to the console of $name"* ]]
	run "$DS" -n "$name" attach </dev/null
	[ "$status" -eq 1 ]
	[[ $output == *"another client is attached to the console of $name"* ]]

	# the console takes the client's window size
	wait_for 10 bash -c "[ \"\$(\"\$DS\" -n $name run stty -F /dev/console size)\" = '30 100' ]"
	tm resize-window -t ds:0 -x 110 -y 35
	wait_for 10 bash -c "[ \"\$(\"\$DS\" -n $name run stty -F /dev/console size)\" = '35 110' ]"

	# what the guest writes on /dev/console reaches the attached client and the log
	"$DS" -n "$name" run sh -c 'echo "LIVE-$((6*7))" >/dev/console'
	wait_for 10 tm_has "LIVE-42"
	wait_for 10 bash -c "\"\$DS\" -n $name logs | grep -q LIVE-42"

	tm_keys C-a q
	wait_for 10 tm_has "[droidspaces: detached from $name; it keeps running]"
	wait_for 10 tm_has "CONSOLE-EXIT=0"
	is_running "$name"

	# the console is free again
	tm_type "\"\$DS\" -n $name attach; echo CONSOLE-EXIT=\$?"
	wait_for 10 tm_has_count "[droidspaces: attached to $name;" 2
	"$DS" -n "$name" run sh -c 'echo "AGAIN-$((6*7))" >/dev/console'
	wait_for 10 tm_has "AGAIN-42"
	tm_keys C-a q
	wait_for 10 tm_has_count "CONSOLE-EXIT=0" 2

	# no console for a container that does not run
	run "$DS" -n no-such-ct20 console </dev/null
	[ "$status" -ne 0 ]
	[[ $output == *"no-such-ct20"* ]]
}

@test "console: a client whose terminal goes away (SIGHUP) lets go of the console" {
	require_fixture busybox
	local root name=hup20 pid
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"

	tm_start
	tm_type "\"\$DS\" -n $name console"
	wait_for 10 tm_has "[droidspaces: attached to $name;"
	pid=$(tm_child)
	# close the terminal, as a dropped ssh connection does
	tm kill-server
	wait_for 5 ! kill -0 "$pid"
	# and the console can be attached again
	tm_start
	tm_type "\"\$DS\" -n $name console"
	wait_for 10 tm_has "[droidspaces: attached to $name;"
	is_running "$name"
}

@test "console: SIGTERM ends a console client, not the container" {
	require_fixture busybox
	local root name=term20 pid
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	tm_start
	tm_type "\"\$DS\" -n $name console; echo CONSOLE-EXIT=\$?"
	wait_for 10 tm_has "[droidspaces: attached to $name;"
	pid=$(tm_child)
	kill -TERM "$pid"
	wait_for 5 tm_has_re "CONSOLE-EXIT=[0-9]"
	is_running "$name"
	# the console is free again
	tm_type "\"\$DS\" -n $name console; echo CONSOLE-EXIT=\$?"
	wait_for 10 tm_has_count "[droidspaces: attached to $name;" 2
	tm_keys C-a q
	wait_for 10 tm_has "CONSOLE-EXIT=0"
}

# console_busy NAME: another console client holds NAME's console (answers at
# once); a free console is attached for 3 s by this probe, then it is let go.
console_busy() { timeout 3 "$DS" -n "$1" console </dev/null 2>&1 | grep -q 'another client is attached'; }

# flood NAME MIB MARK: the guest writes MIB MiB to its console, then MARK-42.
flood() {
	timeout 60 "$DS" -n "$1" run sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz-flood-line | head -c $(($2 * 1048576)) >/dev/console; echo $3-\$((6*7)) >/dev/console" </dev/null
}

# bats test_tags=hostile
@test "console: a client stopped with SIGSTOP while the guest floods its console: log grows, stop completes" {
	require_fixture busybox
	local root name=slow25 cpid t0
	root=$(fixture_copy busybox)
	start_ct "$name" "$root"

	"$DS" -n "$name" console </dev/null >/dev/null 2>&1 &
	cpid=$!
	BG_PIDS+=("$cpid")
	HANGING_PID=$cpid
	# attached once it holds the console master the monitor passed it
	wait_for 10 bash -c "ls -l /proc/$cpid/fd | grep -q ptmx"
	kill -STOP "$cpid"
	# 8 MiB through a console whose client sleeps: the guest never waits for it
	flood "$name" 8 FLOOD-END
	wait_for 20 bash -c "\"\$DS\" -n $name logs | grep -q FLOOD-END-42"
	# the monitor let the client go: the console is free again
	wait_for 20 ! console_busy "$name"
	t0=$SECONDS
	stop_ct "$name"
	((SECONDS - t0 < 30))
	kill -CONT "$cpid"
	wait_for 10 ! kill -0 "$cpid"
	wait_bg
}

# replay_client NAME SENT: a raw console client of NAME that asks for this
# boot's output ('R', as start -f does), touches SENT, and never reads.
replay_client() {
	exec python3 - "$(dirname "$(ws_sock "$1")")" "$1" "$2" <<'PY'
import os, socket, sys, time
d = os.open(sys.argv[1], os.O_PATH | os.O_DIRECTORY)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect("/proc/self/fd/%d/%s.sock" % (d, sys.argv[2]))
s.send(b"R")
open(sys.argv[3], "w").close()
time.sleep(600)
PY
}

# bats test_tags=hostile
@test "console: a client that asks for the boot replay and never reads does not hold the monitor" {
	require_fixture busybox
	require_cmd python3
	local root name=replay25 cpid
	root=$(fixture_copy busybox)
	# a boot that writes 900 KB to the console: more than a socket holds
	echo '::sysinit:/bin/sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz-boot-line | head -c 921600 >/dev/console; echo BOOT-FLOOD-\$((6*7)) >/dev/console"' \
		>>"$root/etc/inittab"
	start_ct "$name" "$root"
	wait_for 60 bash -c "\"\$DS\" -n $name logs | grep -q BOOT-FLOOD-42"
	replay_client "$name" "$DS_TEST_DIR/replay.sent" &
	cpid=$!
	BG_PIDS+=("$cpid")
	HANGING_PID=$cpid
	wait_for 10 test -e "$DS_TEST_DIR/replay.sent"
	# the monitor still serves: the guest's console output never waits, the log is written
	flood "$name" 4 LATER
	wait_for 20 bash -c "\"\$DS\" -n $name logs | grep -q LATER-42"
	run timeout 60 "$DS" -n "$name" stop
	echo "$output"
	[ "$status" -eq 0 ]
	kill "$cpid"
	wait_bg || true
}

@test "start -f: shows the boot from its start; Ctrl-a q detaches and the container keeps running" {
	require_fixture busybox
	local root name=fg20
	root=$(fixture_copy busybox)
	echo '::sysinit:/bin/echo fg-boot-line-from-init' >>"$root/etc/inittab"

	tm_start
	tm_type "stty -g >\"\$TMPDIR/stty.before\"; \"\$DS\" -r $root -n $name -f start; echo FG-EXIT=\$?; stty -g >\"\$TMPDIR/stty.after\""
	wait_for 10 test -e "$DROIDSPACES_WORKSPACE/Pids/$name.pid"
	track_container "$name"
	wait_for 10 tm_has "[droidspaces: attached to $name; Ctrl-a q detaches]"
	wait_for 10 tm_has "fg-boot-line-from-init"
	# raw mode while attached
	run stty -a -F "$(tm_pane_tty)"
	[[ $output == *-icanon* && $output == *-echo\ * && $output == *-isig* ]]
	tm_keys C-a q
	wait_for 10 tm_has "[droidspaces: detached from $name; it keeps running]"
	wait_for 10 tm_has "FG-EXIT=0"
	wait_for 10 test -s "$TMPDIR/stty.after"
	cmp "$TMPDIR/stty.before" "$TMPDIR/stty.after"
	is_running "$name"
	run "$DS" -n "$name" run true
	[ "$status" -eq 0 ]
}

@test "start -f: SIGTERM and SIGINT to droidspaces halt the guest properly and restore the terminal" {
	require_fixture busybox
	local root name=fgsig20 sig pid n=0
	root=$(fixture_copy busybox)
	tm_start
	for sig in TERM INT; do
		n=$((n + 1))
		rm -f "$TMPDIR/stty.before" "$TMPDIR/stty.after"
		tm_type "stty -g >\"\$TMPDIR/stty.before\"; \"\$DS\" -r $root -n $name -f start; echo FG-EXIT-$sig=\$?; stty -g >\"\$TMPDIR/stty.after\""
		wait_for 10 tm_has_count "[droidspaces: attached to $name;" "$n"
		track_container "$name"
		wait_for 10 guest_booted "$name"
		pid=$(tm_child)
		kill -"$sig" "$pid"
		wait_for 30 tm_has_re "FG-EXIT-$sig=[0-9]"
		! is_running "$name" || false
		# a proper halt: the guest's shutdown actions ran
		[ "$(grep -c '^halted' "$root/var/log/ds-test-halted")" -eq "$n" ]
		wait_for 10 test -s "$TMPDIR/stty.after"
		cmp "$TMPDIR/stty.before" "$TMPDIR/stty.after"
	done
}

@test "start -f without a terminal: output streams, nothing waits for a tty" {
	require_fixture busybox
	local root name=fgpipe20 pid out
	root=$(fixture_copy busybox)
	out=$DS_TEST_DIR/fg.out
	echo '::sysinit:/bin/echo fg-pipe-boot-line' >>"$root/etc/inittab"
	"$DS" -r "$root" -n "$name" -f start </dev/null >"$out" 2>&1 &
	pid=$!
	wait_for 10 test -e "$DROIDSPACES_WORKSPACE/Pids/$name.pid"
	track_container "$name"
	wait_for 10 grep -q fg-pipe-boot-line "$out"
	"$DS" -n "$name" run sh -c 'echo "AFTER-BOOT-$((6*7))" >/dev/console'
	wait_for 10 grep -q AFTER-BOOT-42 "$out"
	run "$DS" -n "$name" stop
	[ "$status" -eq 0 ]
	wait_for 20 ! kill -0 "$pid"
	wait "$pid" || true
	grep -q 'ds-test: halted' "$out"
	! grep -q 'attached to' "$out" || false
}

# bats test_tags=hostile
@test "start -f: a client whose output nobody reads does not hold the monitor" {
	require_fixture busybox
	local root name=fg25 fifo spid rpid
	root=$(fixture_copy busybox)
	# a boot that writes 900 KB to the console before the client attaches
	echo '::sysinit:/bin/sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz-boot-line | head -c 921600 >/dev/console; echo BOOT-FLOOD-\$((6*7)) >/dev/console"' \
		>>"$root/etc/inittab"
	fifo=$DS_TEST_DIR/out.fifo
	mkfifo "$fifo"
	# the reader end stays open but is never read
	sleep 600 <>"$fifo" &
	rpid=$!
	BG_PIDS+=("$rpid")
	HANGING_PID=$rpid
	"$DS" -r "$root" -n "$name" -f start </dev/null >"$fifo" 2>"$DS_TEST_DIR/start.err" &
	spid=$!
	BG_PIDS+=("$spid")
	wait_for 10 test -e "$(ws_pidfile "$name")"
	track_container "$name"
	wait_for 60 bash -c "\"\$DS\" -n $name logs | grep -q BOOT-FLOOD-42"
	# the monitor still serves: run, more console output into the log, stop
	flood "$name" 4 LATER
	wait_for 20 bash -c "\"\$DS\" -n $name logs | grep -q LATER-42"
	run timeout 60 "$DS" -n "$name" stop
	echo "$output"
	[ "$status" -eq 0 ]
	# the reader goes: the client's next write fails and it ends
	kill "$rpid"
	wait_for 20 ! kill -0 "$spid"
	wait_bg || true
}

@test "logs, log and logs -f (follows until the container stops)" {
	require_fixture busybox
	local root name=logs20 fpid out
	root=$(fixture_copy busybox)
	out=$DS_TEST_DIR/follow.out
	start_bg "$name" "$root"
	"$DS" -n "$name" run sh -c 'echo "LOG-ONE-$((6*7))" >/dev/console'
	wait_for 10 bash -c "\"\$DS\" -n $name logs | grep -q LOG-ONE-42"
	run "$DS" -n "$name" log
	[ "$status" -eq 0 ]
	[[ $output == *LOG-ONE-42* ]]

	"$DS" -n "$name" logs -f >"$out" 2>&1 &
	fpid=$!
	wait_for 10 grep -q LOG-ONE-42 "$out"
	"$DS" -n "$name" run sh -c 'echo "LOG-TWO-$((6*7))" >/dev/console'
	wait_for 10 grep -q LOG-TWO-42 "$out"
	kill -0 "$fpid"
	run "$DS" -n "$name" stop
	[ "$status" -eq 0 ]
	wait_for 10 ! kill -0 "$fpid"
	wait "$fpid"
	grep -q 'ds-test: halted' "$out"

	# --follow on a stopped container prints the log and ends
	run timeout 10 "$DS" -n "$name" logs --follow
	[ "$status" -eq 0 ]
	[[ $output == *LOG-TWO-42* ]]

	run "$DS" -n no-such-ct20 logs
	[ "$status" -ne 0 ]
}

# bats test_tags=load
@test "console: several MiB written to /dev/console do not block the guest (no client, stalled client)" {
	require_fixture busybox
	local root name=flood20 cpid fpid i line
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"
	# a follower across the log's rotations
	"$DS" -n "$name" logs -f >"$DS_TEST_DIR/follow.out" 2>&1 &
	fpid=$!

	# 8 MiB with nobody attached
	run timeout 60 "$DS" -n "$name" run sh -c \
		'yes "flood 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ" | head -c 8388608 >/dev/console; echo "FLOOD-ONE-$((6*7))" >/dev/console'
	[ "$status" -eq 0 ]
	is_running "$name"
	wait_for 20 bash -c "\"\$DS\" -n $name logs | tail -n 3 | grep -q FLOOD-ONE-42"
	[ -e "$DROIDSPACES_WORKSPACE/Logs/$name/console.log.1" ]
	run "$DS" -n "$name" logs
	[[ $output == *"flood 0123456789"* ]]
	# logs -f lost nothing: 8 MiB of 71-byte lines are 118149 whole ones
	wait_for 20 grep -q FLOOD-ONE-42 "$DS_TEST_DIR/follow.out"
	line='flood 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ'
	[ "$(grep -cx "$line"$'\r' "$DS_TEST_DIR/follow.out")" -eq 118149 ]

	# 8 MiB more with an attached client that reads nothing (stopped)
	"$DS" -n "$name" console </dev/null >/dev/null 2>&1 &
	cpid=$!
	wait_for 10 bash -c "ls -l /proc/$cpid/fd | grep -q ptmx"
	kill -STOP "$cpid"
	run timeout 60 "$DS" -n "$name" run sh -c \
		'yes "flood 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ" | head -c 8388608 >/dev/console; echo "FLOOD-TWO-$((6*7))" >/dev/console'
	kill -CONT "$cpid"
	[ "$status" -eq 0 ]
	is_running "$name"
	wait_for 20 bash -c "\"\$DS\" -n $name logs | tail -n 3 | grep -q FLOOD-TWO-42"
	for i in 1 2 3; do
		run "$DS" -n "$name" run echo "still-alive-$i"
		[ "$output" = "still-alive-$i" ]
	done
	# the client ends when the container does
	run "$DS" -n "$name" stop
	[ "$status" -eq 0 ]
	wait_for 10 ! kill -0 "$cpid"
	wait "$cpid" || true
	wait_for 10 ! kill -0 "$fpid"
	wait "$fpid"
}

# bats test_tags=load,asan
@test "console log: 3 MiB on /dev/console never blocks the guest; the log rotates at 1 MiB" {
	require_fixture busybox
	local root log size size1
	root=$(fixture_copy busybox)
	start_ct clog "$root"
	wait_for 10 booted "$CT_PID"
	log=$(ws_log clog)
	run timeout 60 "$DS" --name=clog run sh -c \
		'yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c 3145728 >/dev/console && echo wrote-all'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = wrote-all ]
	# still running, same init, and the drain still works
	proc_alive "$CT_PID" "$CT_ST"
	run "$DS" --name=clog status
	[ "$status" -eq 0 ]
	in_container clog sh -c 'echo ds-after-flood >/dev/console'
	wait_for 10 grep -q ds-after-flood "$log"
	[ -f "$log.1" ]
	[ ! -e "$log.2" ]
	size=$(stat -c %s "$log")
	size1=$(stat -c %s "$log.1")
	echo "console.log $size bytes, console.log.1 $size1 bytes"
	((size <= 1048576 + 65536))
	((size1 <= 1048576 + 65536))
	((size1 >= 512 * 1024))
	grep -q 0123456789abcdefghijklmnopqrstuvwxyz "$log.1"
	stop_ct clog
	assert_cleaned clog
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
}

# --ttys=N: /dev/tty1..N are host PTYs that no one reads; the monitor drains
# them so that a guest writing there never blocks, and none is allocated
# without the option (the seed's upstream leaked unused PTYs).
@test "ttys: --ttys=2 binds two drained PTYs on /dev/tty1-2 and sets container_ttys; none without it; all freed at stop" {
	require_fixture busybox
	local root pts0 name n
	root=$(fixture_copy busybox)
	pts0=$(_pts_count)
	for n in 0 2; do
		name=tty$n
		run "$DS" -r "$root" -n "$name" --ttys="$n" start </dev/null
		echo "$output"
		[ "$status" -eq 0 ]
		track_container "$name"
		wait_for 10 guest_booted "$name"
		# the console PTY, plus one per tty
		[ "$(_pts_count)" -eq $((pts0 + 1 + n)) ]
		if [[ $n == 0 ]]; then
			refute in_container "$name" test -e /dev/tty1
			refute grep -qz '^container_ttys=' "/proc/$(ds_pid "$name")/environ"
		else
			grep -qxz 'container_ttys=tty1 tty2' "/proc/$(ds_pid "$name")/environ"
			[ "$(in_container "$name" stat -c '%F %t' /dev/tty1)" = "character special file 88" ]
			[ "$(in_container "$name" stat -c '%F %t' /dev/tty2)" = "character special file 88" ]
			refute in_container "$name" test -e /dev/tty3
			# far more than a PTY buffers: only a reader (the monitor) lets this end
			in_container "$name" timeout 20 sh -c 'head -c 4194304 /dev/zero >/dev/tty1 && head -c 4194304 /dev/zero >/dev/tty2'
		fi
		run "$DS" -n "$name" stop
		[ "$status" -eq 0 ]
		[ "$(_pts_count)" -eq "$pts0" ]
	done
}
