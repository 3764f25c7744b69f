#!/usr/bin/env bats
# Terminals (issue 3): foreground start, console/attach, logs, enter, run.
#
# Real terminal tests are driven through a private tmux server (own socket,
# killed in teardown): keys are sent with send-keys, the screen is read with
# capture-pane and every wait polls the screen with a deadline (wait_for).
# Commands typed into a shell print markers such as MARK-$((6*7)): the typed
# line shows the expression, only the output shows MARK-42.
#
# Needs: tmux, script (util-linux), openssl (or the guest's chpasswd), nsenter.
# shellcheck disable=SC2016,SC2119,SC2120 # keys typed into guest shells are meant literally

load helpers
bats_require_minimum_version 1.5.0

setup() { terminal_setup; }
teardown() { terminal_teardown; }

# The tmux driver (tm_*) is in helpers.bash.

# --------------------------------------------------------------------------
# containers

# start_bg NAME ROOTFS: start a background container and track it.
start_bg() {
	run "$DS" -r "$2" -n "$1" start </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	track_container "$1"
}

# guest_ps NAME: the guest's processes (its own ps).
guest_ps() { in_container "$1" ps -e -o pid,args 2>/dev/null || in_container "$1" ps; }

# guest_has_proc NAME PATTERN: a guest process' command line matches PATTERN.
guest_has_proc() { guest_ps "$1" | grep -E -- "$2"; }

# guest_tty_size_is NAME "ROWS COLS": the guest's entered shell's PTY has that size.
guest_tty_size_is() {
	local pts
	pts=$(in_container "$1" sh -c 'for p in /proc/[0-9]*; do
		case $(cat $p/cmdline 2>/dev/null | tr "\0" " ") in "/bin/ash -l "*) readlink $p/fd/0;; esac; done') || return 1
	[[ $pts == /dev/pts/* ]] || return 1
	[ "$(in_container "$1" stty -F "$pts" size)" = "$2" ]
}

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

# add_guest_user ROOTFS NAME UID [GROUP GID]: an account in the overlay copy.
add_guest_user() {
	local root=$1 name=$2 uid=$3 group=${4:-} gid=${5:-}
	echo "$name:x:$uid:$uid:test user:/home/$name:/bin/sh" >>"$root/etc/passwd"
	echo "$name:x:$uid:" >>"$root/etc/group"
	[[ -e $root/etc/shadow ]] && echo "$name:*:19000:0:99999:7:::" >>"$root/etc/shadow"
	[[ -n $group ]] && echo "$group:x:$gid:$name" >>"$root/etc/group"
	mkdir -p "$root/home/$name"
	chown "$uid:$uid" "$root/home/$name"
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

# ==========================================================================
# console and logins

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

# ==========================================================================
# foreground start

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

# ==========================================================================
# logs

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

# ==========================================================================
# enter

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

# ==========================================================================
# run

@test "run: exit statuses 0, N, 128+signal, 125, 126, 127" {
	require_fixture busybox
	local root name=rc20
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"

	run "$DS" -n "$name" run true
	[ "$status" -eq 0 ]
	run "$DS" -n "$name" run false
	[ "$status" -eq 1 ]
	run "$DS" -n "$name" run sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run "$DS" -n "$name" run sh -c 'kill -INT $$'
	[ "$status" -eq 130 ]
	run "$DS" -n "$name" run sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]

	run -127 "$DS" -n "$name" run no-such-command-20 arg
	echo "$output"
	[ "$status" -eq 127 ]
	[[ $output == *"cannot run 'no-such-command-20'"* ]]
	run -126 "$DS" -n "$name" run /etc/passwd
	echo "$output"
	[ "$status" -eq 126 ]
	[[ $output == *"cannot run '/etc/passwd'"* ]]
	run -126 "$DS" -n "$name" run /etc
	[ "$status" -eq 126 ]

	run "$DS" -n no-such-ct20 run true
	echo "$output"
	[ "$status" -eq 125 ]
	[[ $output == *"container no-such-ct20 is not running"* ]]
	run "$DS" -n no-such-ct20 enter </dev/null
	[ "$status" -eq 125 ]
	[[ $output == *"container no-such-ct20 is not running"* ]]
	run "$DS" -n "$name" stop
	[ "$status" -eq 0 ]
	run "$DS" -n "$name" run true
	[ "$status" -eq 125 ]
	[[ $output == *"container $name is not running"* ]]
}

@test "run: stdin, stdout and stderr pass through untouched and separately (binary-safe)" {
	require_fixture busybox
	local root name=pipe20 src=$DS_TEST_DIR/src dst=$DS_TEST_DIR/dst
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"

	head -c 3M /dev/urandom >"$DS_TEST_DIR/blob"
	"$DS" -n "$name" run cat <"$DS_TEST_DIR/blob" | cmp - "$DS_TEST_DIR/blob"
	# through a pipe on stdin as well, and NUL bytes, no CR added
	printf 'a\0b\nc\r\n' | "$DS" -n "$name" run cat | od -c >"$DS_TEST_DIR/od"
	printf 'a\0b\nc\r\n' | od -c | cmp - "$DS_TEST_DIR/od"
	[ "$(printf '1\n2\n3\n' | "$DS" -n "$name" run wc -l)" = 3 ]

	# tar c | run tar x, and back
	mkdir -p "$src/sub dir" "$dst"
	head -c 204800 /dev/urandom >"$src/sub dir/random.bin"
	printf 'hello\n' >"$src/plain file.txt"
	ln -s "plain file.txt" "$src/link"
	tar c -C "$src" . | "$DS" -n "$name" run tar x -C /tmp
	"$DS" -n "$name" run tar c -C /tmp "sub dir" "plain file.txt" link | tar x -C "$dst"
	diff -r "$src" "$dst"

	# stdout and stderr stay apart; no PTY without a terminal
	"$DS" -n "$name" run sh -c 'echo to-out; echo to-err >&2; test -t 0 || echo no-tty-0; test -t 1 || echo no-tty-1' \
		>"$DS_TEST_DIR/out" 2>"$DS_TEST_DIR/err"
	[ "$(cat "$DS_TEST_DIR/out")" = $'to-out\nno-tty-0\nno-tty-1' ]
	[ "$(cat "$DS_TEST_DIR/err")" = to-err ]
}

@test "run: arguments after the command belong to it, verbatim; one argument with spaces is a shell line" {
	require_fixture busybox
	local root name=args20
	root=$(fixture_copy busybox)
	start_bg "$name" "$root"

	run "$DS" -n "$name" run printf '[%s]\n' 'a b' "c'd" 'e"f' '' '-n' '--name=x' '$HOME' '*' '  lead' 'x;y|z'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '[%s]\n' 'a b' "c'd" 'e"f' '' '-n' '--name=x' '$HOME' '*' '  lead' 'x;y|z')" ]
	# droidspaces' own options after the command are the command's
	run "$DS" -n "$name" run echo --user nobody -n x --help
	[ "$output" = "--user nobody -n x --help" ]
	run "$DS" -n "$name" run sh -c 'echo "$#:$1:$2"' sh --foreground -f
	[ "$output" = "2:--foreground:-f" ]
	# a single argument with spaces goes through /bin/sh -c
	run "$DS" -n "$name" run 'echo $((6*7)) "a  b"; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = "42 a  b" ]
}

@test "run --user: a user created in the guest" {
	require_fixture busybox
	local root name=user20
	root=$(fixture_copy busybox)
	add_guest_user "$root" dsuser 1234 dsextra 2345
	start_bg "$name" "$root"

	run "$DS" -n "$name" run --user dsuser id
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "uid=1234(dsuser) gid=1234(dsuser)"* ]]
	[[ $output == *"2345(dsextra)"* ]]
	run "$DS" -n "$name" run --user dsuser sh -c 'echo "$HOME:$USER:$(pwd)"; touch ~/made-by-user'
	[ "$output" = "/home/dsuser:dsuser:/home/dsuser" ]
	[ "$(stat -c %u "$root/home/dsuser/made-by-user")" = 1234 ]
	# --user after the command is the command's
	run "$DS" -n "$name" run id -u --user dsuser
	[ "$status" -ne 0 ]
	run "$DS" -n "$name" run --user no-such-user-20 true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *no-such-user-20* ]]
}

@test "run: environment (/etc/environment, TERM) and cgroup" {
	require_fixture busybox
	local root name=env20
	root=$(fixture_copy busybox)
	cat >"$root/etc/environment" <<-'EOF'
		# comment
		DS_PLAIN=plain
		DS_DQ="double quoted value"
		DS_SQ='single # quoted'
	EOF
	start_bg "$name" "$root"

	run env -i DROIDSPACES_WORKSPACE="$DROIDSPACES_WORKSPACE" DS_HOST_LEAK=1 TERM=vt220 "$DS" -n "$name" run env
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *DS_HOST_LEAK* ]]
	local want
	for want in TERM=vt220 HOME=/root container=droidspaces LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		DS_PLAIN=plain 'DS_DQ=double quoted value' 'DS_SQ=single # quoted'; do
		printf '%s\n' "${lines[@]}" | grep -qxF -- "$want"
	done
	run env -i DROIDSPACES_WORKSPACE="$DROIDSPACES_WORKSPACE" "$DS" -n "$name" run sh -c 'echo "$TERM"'
	[ "$output" = xterm-256color ]

	# the command joins the container's cgroup (inside its cgroup namespace: the root)
	run "$DS" -n "$name" run cat /proc/self/cgroup
	echo "$output"
	[[ $output != *..* ]]
	[ "$output" = "$("$DS" -n "$name" run cat /proc/1/cgroup)" ]
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
_pts_count() { find /dev/pts -mindepth 1 -maxdepth 1 | wc -l; }
# droidspaces processes of this test (they carry its workspace in their environment)
_ds_procs() {
	local p n=0
	for p in $(pgrep -x "$DS_COMM"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "DROIDSPACES_WORKSPACE=$DROIDSPACES_WORKSPACE" && n=$((n + 1))
	done
	echo "$n"
}

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
