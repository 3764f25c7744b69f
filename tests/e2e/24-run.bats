#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2016,SC2054,SC2119,SC2120 # CT_* are set per test; keys and guest commands in single quotes; setpriv lists
# run without a terminal of its own, end to end: exit statuses, stdio passed
# through untouched, arguments verbatim, --user (a guest user; overflowing,
# empty and garbage values refused), the environment; a command that types
# into the caller's terminal (TIOCSTI), no controlling terminal at all, and
# 1 MiB pasted through enter and run.
# Needs: tmux, script (util-linux), musl-gcc, nsenter.
#
# Commands typed into a shell print markers such as MARK-$((6*7)): the typed
# line shows the expression, only the output shows MARK-42.
#
# This file's guest_has_proc (a command line that starts with PATTERN)
# replaces the one of lib/terminal.bash.  Tags: hostile.

bats_require_minimum_version 1.5.0

load helpers

setup() { terminal_setup; }
teardown() { terminal_teardown; }

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

# bats test_tags=hostile
@test "run --user: overflowing, empty and garbage values are refused with one line and run nothing" {
	require_fixture busybox
	local root name=user15 v i=0
	root=$(fixture_copy busybox)
	# passwd entries whose uid would become 0 with a lax parser
	printf '%s\n' 'wrap:x:4294967296:0::/:/bin/sh' 'noid:x::::/:/bin/sh' 'badgid:x:1000:x1::/:/bin/sh' >>"$root/etc/passwd"
	start_ct "$name" "$root"
	wait_for 10 booted "$CT_PID"

	for v in 4294967296 4294967295 18446744073709551616 99999999999999999999 '' : 1000: :1000 \
		-1 1000:-1 +1 ' 0' '0 ' 1:2:3 a:b root:0 0:root ../x a/b $'a\nb' '%s%n'; do
		i=$((i + 1))
		run_ds_err --name="$name" run --user "$v" touch "/tmp/ran-$i"
		[ "$status" -eq 2 ]
		assert_one_error_line "--user"
		[ ! -e "$root/tmp/ran-$i" ]
	done
	# the issue's exact line
	run_ds_err --name="$name" run --user 4294967296 id -u
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	assert_one_error_line "invalid value '4294967296'"

	# broken entries of the guest's passwd: an error, never uid 0
	for v in wrap noid badgid; do
		run_ds_err --name="$name" run --user "$v" touch "/tmp/ran-$v"
		[ "$status" -ne 0 ]
		assert_one_error_line "$v"
		[ ! -e "$root/tmp/ran-$v" ]
	done

	# what is valid still works: numbers with and without an entry, a gid
	run "$DS" --name="$name" run --user 0 id -u
	[ "$status" -eq 0 ] && [ "$output" = 0 ]
	run "$DS" --name="$name" run --user 1234 sh -c 'id -u; id -g; echo "$HOME"'
	[ "$status" -eq 0 ]
	[ "$output" = $'1234\n1234\n/' ]
	run "$DS" --name="$name" run --user 1234:5678 id -g
	[ "$status" -eq 0 ] && [ "$output" = 5678 ]
	run "$DS" --name="$name" run --user 4294967294 id -u
	[ "$status" -eq 0 ] && [ "$output" = 4294967294 ]
	run "$DS" --name="$name" run --user root id -u
	[ "$status" -eq 0 ] && [ "$output" = 0 ]
	stop_ct "$name"
	assert_cleaned "$name"
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

# install_ttyprobe ROOTFS: tests/e2e/probes/ttyprobe.c, static, as ROOTFS/ttyprobe.
install_ttyprobe() {
	require_cmd musl-gcc
	musl-gcc -static -O2 -o "$1/ttyprobe" "$DS_REPO/tests/e2e/probes/ttyprobe.c"
}

# probe_key FILE KEY: the value of KEY=... in the probe's output FILE.
probe_key() { sed -n "s/^$2=//p" "$1"; }

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

# bats test_tags=hostile
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

# guest_has_proc NAME PATTERN: a guest process' command line matches PATTERN.
guest_has_proc() { in_container "$1" ps -o args | grep -E -- "$2"; }

# bats test_tags=hostile
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

# guest_file_is NAME PATH SIZE MD5: the guest's file has that size and checksum.
guest_file_is() {
	local out
	out=$(in_container "$1" sh -c "wc -c <'$2'; md5sum <'$2'") || return 1
	echo "$out"
	[[ $out == "$3"$'\n'"$4"* ]]
}

# paste_into_tee NAME FILE COMMAND SIZE MD5: type COMMAND (which runs tee FILE
# in guest NAME), paste tmux buffer "big", Ctrl-D: FILE gets it all in time.
paste_into_tee() {
	tm_type "$3"
	wait_for 10 guest_has_proc "$1" "tee $2"
	tm paste-buffer -b big -t ds:0
	tm_keys C-d
	wait_for 120 guest_file_is "$1" "$2" "$4" "$5"
}

# bats test_tags=hostile
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
