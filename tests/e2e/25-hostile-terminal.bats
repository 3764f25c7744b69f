#!/usr/bin/env bats
# Hostile terminals (issue 12): a command that types into the caller's
# terminal (TIOCSTI), a 1 MiB paste through enter and run, console clients
# that stop reading while the guest floods its console.
#
# The tmux driver (tm_*) is in helpers.bash. Needs: tmux, musl-gcc, nsenter.
# shellcheck disable=SC2016 # keys typed into shells are meant literally

load helpers
bats_require_minimum_version 1.5.0

setup() { terminal_setup; }

# A client a test stopped or left hanging on purpose goes first, even when the test failed.
# (Reaped here, quietly: bash's "Killed" notice must not land in the host snapshot.)
teardown() {
	if [[ -n ${HANGING_PID:-} ]] && kill -KILL "$HANGING_PID" 2>/dev/null; then
		wait "$HANGING_PID" 2>/dev/null || true
	fi
	terminal_teardown
}

# install_ttyprobe ROOTFS: tests/e2e/probes/ttyprobe.c, static, as ROOTFS/ttyprobe.
install_ttyprobe() {
	require_cmd musl-gcc
	musl-gcc -static -O2 -o "$1/ttyprobe" "$DS_REPO/tests/e2e/probes/ttyprobe.c"
}

# probe_key FILE KEY: the value of KEY=... in the probe's output FILE.
probe_key() { sed -n "s/^$2=//p" "$1"; }

# guest_file_is NAME PATH SIZE MD5: the guest's file has that size and checksum.
guest_file_is() {
	local out
	out=$(in_container "$1" sh -c "wc -c <'$2'; md5sum <'$2'") || return 1
	echo "$out"
	[[ $out == "$3"$'\n'"$4"* ]]
}

# guest_has_proc NAME PATTERN: a guest process' command line matches PATTERN.
guest_has_proc() { in_container "$1" ps -o args | grep -E -- "$2"; }

# console_busy NAME: another console client holds NAME's console (answers at
# once); a free console is attached for 3 s by this probe, then it is let go.
console_busy() { timeout 3 "$DS" -n "$1" console </dev/null 2>&1 | grep -q 'another client is attached'; }

# ==========================================================================
# TIOCSTI and the controlling terminal

# ttyprobe_in_terminal NAME REDIRECTIONS: a busybox guest NAME with the probe;
# typed in a terminal, `run /ttyprobe` with stdout to $PROBE and REDIRECTIONS.
# Nothing the probe injects may run in the caller's shell, and the command
# leads its own session (the caller's would read as 0 in the guest's PID
# namespace).
ttyprobe_in_terminal() {
	local name=$1 root
	root=$(fixture_copy busybox)
	install_ttyprobe "$root"
	start_ct "$name" "$root"
	tm_start
	PROBE=$TMPDIR/probe.out
	tm_type "\"\$DS\" -n $name run /ttyprobe 'echo PWNED-\$((6*7))' >\"\$TMPDIR/probe.out\" $2; echo RUN-EXIT=\$?"
	wait_for 20 tm_has "RUN-EXIT=0"
	# anything the probe typed into the host shell runs before this
	tm_type 'echo AFTER-$((6*7))'
	wait_for 10 tm_has "AFTER-42"
	cat "$PROBE"
	refute tm_has "PWNED-42"
	[ "$(probe_key "$PROBE" SID)" = "$(probe_key "$PROBE" PID)" ]
}

@test "run: stdin a terminal, stdout a file: a PTY of the guest is the command's terminal; TIOCSTI stays inside" {
	require_fixture busybox
	ttyprobe_in_terminal sti25 ''
	# the controlling terminal is the PTY on its stdin, as the guest's devpts names it
	[[ $(probe_key "$PROBE" TTY) == /dev/pts/* ]]
	[ "$(probe_key "$PROBE" TTYNR)" != 0 ]
	[ "$(probe_key "$PROBE" TTYNR)" = "$(probe_key "$PROBE" RDEV)" ]
	# stdout went straight to the file, not through the PTY
	[ "$(probe_key "$PROBE" STI_fd1)" = "Not a tty" ]
	[[ $(head -c 4 "$PROBE") == PID= ]]
}

@test "run: no terminal on stdio: the command has no controlling terminal at all" {
	require_fixture busybox
	local name=nostty25 out
	# typed in a terminal (the caller has one), with all three of stdio redirected
	ttyprobe_in_terminal "$name" '</dev/null 2>&1'
	[ "$(probe_key "$PROBE" TTYNR)" = 0 ]
	[ "$(probe_key "$PROBE" TTY)" = none ]
	[ "$(probe_key "$PROBE" STI_devtty)" = "No such device or address" ]
	# Ctrl-C in the caller's terminal still reaches the command in its own session
	tm_type "\"\$DS\" -n $name run sleep 1000 </dev/null >/dev/null 2>&1; echo SLEEP-EXIT=\$?"
	wait_for 10 guest_has_proc "$name" '^sleep 1000'
	tm_keys C-c
	wait_for 10 tm_has "SLEEP-EXIT=130"
	refute guest_has_proc "$name" '^sleep 1000'
	# and the same from the guest's own tty(1), binary-safe stdout unchanged
	run "$DS" -n "$name" run tty </dev/null
	echo "$output"
	[ "$output" = "not a tty" ]
	out=$("$DS" -n "$name" run sh -c 'printf "a\rb\000c\n"' </dev/null | od -An -c | tr -s ' ')
	[ "$out" = " a \r b \0 c \n" ]
}

# ==========================================================================
# a big paste

# paste_into_tee NAME FILE COMMAND SIZE MD5: type COMMAND (which runs tee FILE
# in guest NAME), paste tmux buffer "big", Ctrl-D: FILE gets it all in time.
paste_into_tee() {
	tm_type "$3"
	wait_for 10 guest_has_proc "$1" "tee $2"
	tm paste-buffer -b big -t ds:0
	tm_keys C-d
	wait_for 120 guest_file_is "$1" "$2" "$4" "$5"
}

@test "enter and run: 1 MiB pasted into tee arrives whole (no proxy deadlock)" {
	require_fixture busybox
	local root name=paste25 size sum
	root=$(fixture_copy busybox)
	start_ct "$name" "$root"
	# 1 MiB of base64 in 64-byte lines (a canonical-mode line holds 4095)
	head -c 786432 /dev/urandom | base64 -w 63 >"$DS_TEST_DIR/paste"
	size=$(wc -c <"$DS_TEST_DIR/paste")
	sum=$(md5sum <"$DS_TEST_DIR/paste")
	((size > 1048576))
	tm_start
	tm load-buffer -b big "$DS_TEST_DIR/paste"

	# enter: tee writes every line back while the paste goes on
	tm_type "\"\$DS\" -n $name enter; echo ENTER-EXIT=\$?"
	wait_for 10 tm_last_is '^~ #$'
	paste_into_tee "$name" /tmp/pasted 'tee /tmp/pasted; echo TEE-EXIT=$?' "$size" "$sum"
	wait_for 30 tm_has "TEE-EXIT=0"
	tm_type 'exit 0'
	wait_for 10 tm_has "ENTER-EXIT=0"

	# run with a terminal: the same through run's PTY
	paste_into_tee "$name" /tmp/pasted2 "\"\$DS\" -n $name run tee /tmp/pasted2; echo RUN-EXIT=\$?" "$size" "$sum"
	wait_for 30 tm_has "RUN-EXIT=0"
}

# ==========================================================================
# console clients that do not read

# flood NAME MIB MARK: the guest writes MIB MiB to its console, then MARK-42.
flood() {
	timeout 60 "$DS" -n "$1" run sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz-flood-line | head -c $(($2 * 1048576)) >/dev/console; echo $3-\$((6*7)) >/dev/console" </dev/null
}

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
