#!/usr/bin/env bats
# Packaging, end to end (issue 6): the static musl binaries of `make all-build`
# (output/droidspaces-{x86_64,x86,aarch64,armhf}) are what file(1) says they
# must be, and each foreign one runs under qemu-user-static (called directly,
# binfmt_misc is not needed): --version, check, and a busybox container
# start/status/stop.  The x86 binary also runs natively on the x86_64 kernel
# (32-bit syscalls, no emulation).  Then the things `make tarball` and
# `make install` ship: the tarball's contents, the installed files, and the
# bash completion.
#
# Missing cross binaries (no `make all-build`), qemu or fixtures skip loudly.
# Where qemu-user itself cannot do what droidspaces needs, the container test
# measures why (a probe built with the cross compiler, and what the kernel
# shows about the container's processes) and skips loudly with that reason
# (see qemu_limit: DS_TEST_NO_SKIP=1 lets only a proven qemu-user limit pass).
# Measured with Debian 12's qemu 7.2: prctl(PR_SET_CHILD_SUBREAPER) is refused
# (EINVAL), so init, forked by a helper that exits, is reparented to the host's
# PID 1 instead of the monitor, which then never sees it die.
#
# Run: flock /var/cache/droidspaces-test/e2e.lock bats tests/e2e/70-cross.bats
# Knob: DS_CROSS_DIR, where the cross binaries are (default $REPO/output).

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }

teardown() {
	local name pid st
	# Monitors the qemu fallback could not hand back to droidspaces (by PID
	# and start time, so a reused PID is never hit).
	if [[ -s ${DS_TEST_DIR:-/nonexistent}/.cross-monitors ]]; then
		while read -r name pid st; do
			[[ $(_ds_starttime "$pid" 2>/dev/null) == "$st" ]] || continue
			echo "teardown: monitor of $name (PID $pid) still alive; SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			wait_for 10 ! _ds_same_process "$pid" "$st" || true
		done <"$DS_TEST_DIR/.cross-monitors"
	fi
	common_teardown
}

DS_CROSS_DIR=${DS_CROSS_DIR:-$DS_REPO/output}
# where scripts/cross-build.sh puts the cross-built seccomp test (cross/ARCH/seccomp_abis)
DS_CROSS_BUILD=${DS_CROSS_BUILD:-$DS_REPO/build}

# --------------------------------------------------------------------------
# local helpers

# cross_info ARCH: sets BIN, QEMU (array; empty when the host runs ARCH
# natively), DEBARCH, TRIPLET (of Debian's cross compiler) and FILE_RE (what
# file(1) must say).
cross_info() {
	BIN=$DS_CROSS_DIR/droidspaces-$1
	local q
	case $1 in
	x86_64) q=x86_64 DEBARCH=amd64 TRIPLET=x86_64-linux-gnu FILE_RE='ELF 64-bit LSB executable, x86-64,' ;;
	x86) q=i386 DEBARCH=i386 TRIPLET=i686-linux-gnu FILE_RE='ELF 32-bit LSB executable, Intel 80386,' ;;
	aarch64) q=aarch64 DEBARCH=arm64 TRIPLET=aarch64-linux-gnu FILE_RE='ELF 64-bit LSB executable, ARM aarch64,' ;;
	armhf) q=arm DEBARCH=armhf TRIPLET=arm-linux-gnueabihf FILE_RE='ELF 32-bit LSB executable, ARM, EABI5' ;;
	*)
		echo "cross_info: unknown arch $1" >&2
		return 1
		;;
	esac
	QEMU=()
	[[ $(uname -m) == "$1" ]] || QEMU=("qemu-$q-static")
}

require_cross() {
	[[ -x $BIN ]] || skip_loud "$(basename "$BIN") not built (run make all-build)"
}

require_qemu() {
	[[ ${#QEMU[@]} -eq 0 ]] || require_cmd "${QEMU[0]}"
}

# xrun ARGS...: the cross binary (under qemu where needed) with bats' run,
# stdout and stderr apart, logged.
xrun() {
	run --separate-stderr "${QEMU[@]}" "$BIN" "$@"
	printf '$ %s %s %s\nstdout: %s\nstderr: %s\n[exit %s]\n' "${QEMU[*]}" "$BIN" "$*" \
		"$output" "$stderr" "$status" >>"$DS_TEST_DIR/ds.log"
}

ds_version() {
	sed -n 's/^#define DS_VERSION "\(.*\)"$/\1/p' "$DS_REPO"/src/*.h "$DS_REPO"/src/*/*.h | head -n 1
}

# --------------------------------------------------------------------------
# the checks, one function each; the @tests below call them per architecture

check_file() {
	cross_info "$1"
	require_cross
	require_cmd file
	local desc
	desc=$(file -b "$BIN")
	echo "file: $desc"
	[[ $desc == *"$FILE_RE"* ]]
	[[ $desc == *"statically linked"* ]]
	[[ $desc != *"dynamically linked"* && $desc != *interpreter* && $desc != *pie* ]]
	[[ $desc == *", stripped"* ]]
	if [[ $1 == armhf ]] && command -v readelf >/dev/null; then
		# the hard-float ABI, as Debian's armhf (and Android's armeabi-v7a with VFP)
		readelf -h "$BIN" | grep -q 'hard-float ABI'
	fi
}

check_version() {
	cross_info "$1"
	require_cross
	require_qemu
	local want
	want=$(ds_version)
	[[ -n $want ]]
	xrun --version
	[ "$status" -eq 0 ]
	[ "$output" = "droidspaces $want" ]
	[ -z "$stderr" ]
	xrun -v
	[ "$output" = "droidspaces $want" ]
}

check_check() {
	cross_info "$1"
	require_cross
	require_qemu
	xrun check
	# 0 ready, 1 something required is missing; never a usage error or a crash
	[[ $status == 0 || $status == 1 ]]
	grep -qx 'Required:' <<<"$output"
	grep -q '^  \[ OK \] PID namespace' <<<"$output"
	grep -Eq '^Verdict: .+' <<<"$output"
	# Against the same kernel the native binary should say the same; a
	# difference is shown (not fatal: qemu may hide a kernel feature).
	if [[ -x $DS && ${#QEMU[@]} -gt 0 ]]; then
		local native
		native=$("$DS" check 2>&1) || true
		if [[ $native != "$output" ]]; then
			echo "# note: '$1 check' under ${QEMU[0]} differs from the native binary's:" >&3
			diff <(echo "$native") <(echo "$output") | sed 's/^/#   /' >&3 || true
		fi
	fi
}

# The probe: does prctl(PR_SET_CHILD_SUBREAPER) work, and does a child that
# was orphaned by its parent come back to us to be reaped?  That is how the
# monitor gets init (forked by a helper that entered the new PID namespace).
PROBE_C='#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int r = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), e = errno;
	pid_t h = fork();
	if (h == 0) {
		if (fork() == 0) {
			usleep(200000);
			_exit(5);
		}
		_exit(0);
	}
	waitpid(h, NULL, 0);
	int st = 0, got = 0;
	for (int i = 0; i < 30 && !got; i++) {
		usleep(100000);
		got = waitpid(-1, &st, WNOHANG) > 0;
	}
	printf("prctl(PR_SET_CHILD_SUBREAPER) = %d%s%s; orphaned grandchild %s\n", r,
	       r ? " " : "", r ? strerror(e) : "", got ? "reaped by us" : "never came back to us");
	return r == 0 && got ? 0 : 1;
}
'

# subreaper_probe: build the probe for the current arch with Debian's cross
# compiler and musl, run it like the binary; prints its verdict (status 0:
# works, 1: does not, 2: not measurable here).
subreaper_probe() {
	local cc=gcc specs src=$DS_TEST_DIR/probe.c exe=$DS_TEST_DIR/probe out
	[[ ${#QEMU[@]} -eq 0 ]] || cc=$TRIPLET-gcc
	command -v "$cc" >/dev/null || {
		echo "not measured: $cc missing"
		return 2
	}
	specs=$(dpkg -L "musl-dev:$DEBARCH" 2>/dev/null | grep '/musl-gcc\.specs$' | head -n 1) || true
	[[ -n $specs ]] || {
		echo "not measured: musl-dev:$DEBARCH missing"
		return 2
	}
	printf '%s' "$PROBE_C" >"$src"
	"$cc" -specs "$specs" -O2 -static "$src" -o "$exe" 2>"$DS_TEST_DIR/probe.err" || {
		echo "not measured: the probe did not build: $(head -c 300 "$DS_TEST_DIR/probe.err")"
		return 2
	}
	out=$("${QEMU[@]}" "$exe" </dev/null 2>&1 3>&-) && {
		echo "$out"
		return 0
	}
	echo "$out"
	return 1
}

# qemu_limit WHAT: the container test cannot go on under qemu-user.  Only when
# the probe proves qemu-user is the cause (it refuses what the monitor needs)
# is this a skip that DS_TEST_NO_SKIP=1 lets pass (everything the emulator
# allows was tested; nothing is missing from the machine); a failure when the
# probe says qemu-user would have allowed it; skip_loud when it cannot tell.
qemu_limit() {
	local probe rc=0 reason
	probe=$(subreaper_probe) || rc=$?
	reason="$1; ${QEMU[0]} ($("${QEMU[0]}" --version | head -n 1)): $probe"
	case $rc in
	0)
		echo "not qemu-user's fault: $reason" >&2
		return 1
		;;
	1)
		echo "# *** SKIPPED (a limitation of qemu-user, measured): $reason ***" >&3
		skip "*** SKIPPED (a limitation of qemu-user, measured): $reason ***"
		;;
	*) skip_loud "$reason" ;;
	esac
}

cg_dirs() { find /sys/fs/cgroup -mindepth 2 -type d -path "*/droidspaces/$1" 2>/dev/null; }

# check_container ARCH: a busybox guest started, booted, asked for and stopped
# by the ARCH binary (under qemu where needed); nothing of it left behind.
check_container() {
	local arch=$1 name root pidfile re pid st mon mon_st ppid
	cross_info "$arch"
	require_cross
	require_qemu
	require_fixture busybox
	name=cross-$arch
	pidfile=$DROIDSPACES_WORKSPACE/Pids/$name.pid
	root=$(fixture_copy busybox)
	track_container "$name"

	xrun --name="$name" --rootfs="$root" start
	if [[ $status != 0 ]]; then
		echo "start failed (exit $status): $stderr" >&2
		[[ ${#QEMU[@]} -gt 0 ]] || return 1
		qemu_limit "$arch: start failed ($stderr)"
	fi
	re="^Container $name started: init pid ([0-9]+) \(busybox\)\$"
	[[ $output =~ $re ]]
	pid=${BASH_REMATCH[1]}
	[ "$(ds_pid "$name")" = "$pid" ]
	st=$(_ds_starttime "$pid")
	mon=$(sed -n 's/^monitor=//p' "$pidfile")
	[[ $mon =~ ^[0-9]+$ ]]
	mon_st=$(_ds_starttime "$mon")
	echo "$name $mon $mon_st" >>"$DS_TEST_DIR/.cross-monitors"

	wait_for 30 test -e "/proc/$pid/root/run/ds-test-booted"
	[ "$(cat "/proc/$pid/root/etc/hostname")" = "$name" ]
	xrun --name="$name" status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$name: running (pid $pid, init busybox)" ]
	xrun --name="$name" --json info
	[ "$status" -eq 0 ]
	[[ $output == *"\"name\""*"\"$name\""* ]]

	# The monitor must be init's parent, or it can never reap it.
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
	if [[ $ppid != "$mon" ]]; then
		echo "init's parent is $ppid, not the monitor $mon" >&2
		[[ ${#QEMU[@]} -gt 0 ]] || return 1
		# Hand the container back to droidspaces: kill the monitor that
		# waits for a SIGCHLD that never comes; stop then halts the guest
		# and, the monitor being gone, cleans up itself.
		kill -KILL "$mon"
		wait_for 10 ! _ds_same_process "$mon" "$mon_st"
		xrun --name="$name" stop
		[ "$status" -eq 0 ]
		[ "$output" = "Container $name stopped" ]
		wait_for 10 ! _ds_same_process "$pid" "$st"
		[ ! -e "$pidfile" ]
		[ -z "$(cg_dirs "$name")" ]
		grep -q . "$root/var/log/ds-test-halted"
		qemu_limit "$arch: start, boot, status, info and stop (with the monitor killed) work, but the monitor cannot reap init: init's parent is PID $ppid, not the monitor $mon"
	fi

	xrun --name="$name" stop
	[ "$status" -eq 0 ]
	[ "$output" = "Container $name stopped" ]
	wait_for 10 ! _ds_same_process "$pid" "$st"
	wait_for 10 ! _ds_same_process "$mon" "$mon_st"
	[ ! -e "$pidfile" ]
	[ -z "$(cg_dirs "$name")" ]
	# busybox ran its ::shutdown: actions (a clean halt, not a kill)
	[ "$(wc -l <"$root/var/log/ds-test-halted")" -eq 1 ]
	xrun --name="$name" status
	[ "$status" -eq 1 ]
	[ "$output" = "$name: stopped" ]
}

# The seccomp program of every ABI of ARCH's kernel family (x86_64 and
# i386, or aarch64 and arm), x32 and foreign architectures, through the BPF
# interpreter of tests/unit/seccomp_abis.c, cross-built by
# scripts/cross-build.sh: the only run the aarch64 and arm sections get (a
# filter installed under qemu-user sees the host's numbers), and the i386
# one on a kernel without IA32 emulation. The x86_64 build runs here
# natively, with --kernel: its x86_64 rows also through this kernel.
check_seccomp() {
	cross_info "$1"
	local t=$DS_CROSS_BUILD/cross/$1/seccomp_abis out abi want
	local -a args=()
	if [[ ${#QEMU[@]} -gt 0 ]] && ! command -v "$TRIPLET-gcc" >/dev/null; then
		skip_loud "no cross compiler $TRIPLET-gcc (make cross-deps)"
	fi
	[[ -x $t ]] || skip_loud "build/cross/$1/seccomp_abis not built (run make all-build)"
	require_qemu
	[[ ${#QEMU[@]} -gt 0 ]] || args=(--kernel)
	run "${QEMU[@]}" "$t" "${args[@]}"
	printf '$ %s %s %s\n%s\n[exit %s]\n' "${QEMU[*]}" "$t" "${args[*]}" "$output" "$status" >>"$DS_TEST_DIR/ds.log"
	grep -v '^ok ' <<<"$output" || true
	[ "$status" -eq 0 ]
	grep -Eq '^# seccomp_abis: [0-9]+ ok, 0 failed' <<<"$output"
	case $1 in
	x86_64 | x86) want="x86_64 i386" ;;
	*) want="aarch64 arm" ;;
	esac
	# each section of the family answered rows of the default policy and of the OCI one
	for abi in $want; do
		grep -Eq "^ok +default +$abi +syslog " <<<"$output"
		grep -Eq "^ok +oci +$abi +syslog " <<<"$output"
	done
	[[ $want != x86_64* ]] || grep -Eq '^ok +default +x86_64 +getpid \(x32\)' <<<"$output"
}

# --------------------------------------------------------------------------
# x86_64 (the host here: no emulation)

@test "x86_64: file(1) says static x86-64 executable, stripped" { check_file x86_64; }
@test "x86_64: --version" { check_version x86_64; }
@test "x86_64: check prints Required: and a Verdict" { check_check x86_64; }
@test "x86_64: busybox container start, status, stop" { check_container x86_64; }
@test "x86_64: seccomp sections x86_64 (and x32), i386 interpreted; x86_64 also through the kernel" { check_seccomp x86_64; }

# --------------------------------------------------------------------------
# x86 (i686): under qemu-i386-static, and natively on the x86_64 kernel

@test "x86: file(1) says static Intel 80386 executable, stripped" { check_file x86; }
@test "x86: --version under qemu-i386-static" { check_version x86; }
@test "x86: check under qemu-i386-static prints Required: and a Verdict" { check_check x86; }
@test "x86: busybox container start, status, stop under qemu-i386-static" { check_container x86; }
@test "x86: seccomp sections x86_64, i386 interpreted under qemu-i386-static" { check_seccomp x86; }

# the 32-bit binary on the 64-bit kernel, without qemu: a real test of the
# compat syscalls (time_t, struct layouts, ioctls)
x86_native() {
	[[ $(uname -m) == x86_64 ]] || skip_loud "the host is $(uname -m), not x86_64"
	cross_info x86
	require_cross
	# the kernel runs i386 binaries only with CONFIG_IA32_EMULATION
	"$BIN" --version >/dev/null 2>&1 || skip_loud "this x86_64 kernel cannot run 32-bit binaries"
	QEMU=()
}
@test "x86: --version and check natively on the x86_64 kernel" {
	x86_native
	xrun --version
	[ "$output" = "droidspaces $(ds_version)" ]
	xrun check
	[[ $status == 0 || $status == 1 ]]
	grep -qx 'Required:' <<<"$output"
	grep -Eq '^Verdict: .+' <<<"$output"
}
@test "x86: busybox container start, status, stop natively on the x86_64 kernel" {
	x86_native
	# check_container calls cross_info again: keep QEMU empty for it
	cross_info() {
		BIN=$DS_CROSS_DIR/droidspaces-x86 DEBARCH=i386 TRIPLET=i686-linux-gnu
		QEMU=()
	}
	check_container x86
}

# --------------------------------------------------------------------------
# aarch64 (arm64) under qemu-aarch64-static

@test "aarch64: file(1) says static ARM aarch64 executable, stripped" { check_file aarch64; }
@test "aarch64: --version under qemu-aarch64-static" { check_version aarch64; }
@test "aarch64: check under qemu-aarch64-static prints Required: and a Verdict" { check_check aarch64; }
@test "aarch64: busybox container start, status, stop under qemu-aarch64-static" { check_container aarch64; }
@test "aarch64: seccomp sections aarch64, arm interpreted under qemu-aarch64-static" { check_seccomp aarch64; }

# --------------------------------------------------------------------------
# armhf (ARMv7, hard float) under qemu-arm-static

@test "armhf: file(1) says static ARM EABI5 hard-float executable, stripped" { check_file armhf; }
@test "armhf: --version under qemu-arm-static" { check_version armhf; }
@test "armhf: check under qemu-arm-static prints Required: and a Verdict" { check_check armhf; }
@test "armhf: busybox container start, status, stop under qemu-arm-static" { check_container armhf; }
@test "armhf: seccomp sections aarch64, arm interpreted under qemu-arm-static" { check_seccomp armhf; }

# --------------------------------------------------------------------------
# what make tarball and make install ship

@test "tarball: the four binaries, README.md, LICENSE, man page and bash completion" {
	local v tb list f
	v=$(ds_version)
	tb=$DS_CROSS_DIR/droidspaces-$v.tar.gz
	[[ -f $tb ]] || skip_loud "$(basename "$tb") not built (run make tarball)"
	list=$(tar -tzf "$tb")
	echo "$list"
	for f in droidspaces-x86_64 droidspaces-x86 droidspaces-aarch64 droidspaces-armhf \
		README.md LICENSE doc/droidspaces.1 contrib/bash-completion/droidspaces; do
		grep -qx "droidspaces-$v/$f" <<<"$list"
	done
	# one top directory, nothing else
	run grep -vc "^droidspaces-$v/" <<<"$list"
	[ "$output" = 0 ]
	mkdir "$DS_TEST_DIR/tb"
	tar -xzf "$tb" -C "$DS_TEST_DIR/tb"
	for f in x86_64 x86 aarch64 armhf; do
		cross_info "$f"
		[ -x "$DS_TEST_DIR/tb/droidspaces-$v/droidspaces-$f" ]
		[[ $(file -b "$DS_TEST_DIR/tb/droidspaces-$v/droidspaces-$f") == *"$FILE_RE"*"statically linked"* ]]
	done
	cmp "$DS_TEST_DIR/tb/droidspaces-$v/LICENSE" "$DS_REPO/LICENSE"
	grep -q 'GNU GENERAL PUBLIC LICENSE' "$DS_REPO/LICENSE"
	grep -q 'Version 3, 29 June 2007' "$DS_REPO/LICENSE"
}

@test "install: PREFIX and DESTDIR honoured; uninstall removes what install put" {
	require_ds
	make -C "$DS_REPO" -n install >/dev/null 2>&1 || skip_loud "the Makefile has no install target"
	local d=$DS_TEST_DIR/destdir
	# -o: never rebuild the binary under test from inside the suite
	make -C "$DS_REPO" -s -o output/droidspaces install DESTDIR="$d" PREFIX=/usr
	[ -x "$d/usr/bin/droidspaces" ]
	cmp "$d/usr/bin/droidspaces" "$DS_REPO/output/droidspaces"
	cmp "$d/usr/share/man/man1/droidspaces.1" "$DS_REPO/doc/droidspaces.1"
	cmp "$d/usr/share/bash-completion/completions/droidspaces" "$DS_REPO/contrib/bash-completion/droidspaces"
	[ "$(stat -c %a "$d/usr/bin/droidspaces")" = 755 ]
	[ "$(stat -c %a "$d/usr/share/man/man1/droidspaces.1")" = 644 ]
	[ "$(find "$d" -type f | wc -l)" -eq 3 ]
	make -C "$DS_REPO" -s -o output/droidspaces install DESTDIR="$d"
	[ -x "$d/usr/local/bin/droidspaces" ]
	[ -f "$d/usr/local/share/man/man1/droidspaces.1" ]
	[ -f "$d/usr/local/share/bash-completion/completions/droidspaces" ]
	if make -C "$DS_REPO" -n uninstall >/dev/null 2>&1; then
		make -C "$DS_REPO" -s uninstall DESTDIR="$d" PREFIX=/usr
		make -C "$DS_REPO" -s uninstall DESTDIR="$d"
		[ "$(find "$d" -type f | wc -l)" -eq 0 ]
	fi
}

# comp LINE: the completions of LINE (cursor at its end), one a line, from
# a bash that sourced the completion file (and bash-completion when $BC).
comp() {
	DROIDSPACES_WORKSPACE=$DS_TEST_DIR/cws COMP_TEST_LINE=$1 bash --norc --noprofile -c '
		[[ -n ${BC:-} ]] && source "$BC"
		source "$DS_REPO/contrib/bash-completion/droidspaces"
		line=$COMP_TEST_LINE
		# readline splits at blanks and makes each of = and : a word
		COMP_WORDS=()
		rest=$line
		while [[ -n $rest ]]; do
			if [[ $rest =~ ^[[:space:]]+ ]]; then rest=${rest:${#BASH_REMATCH[0]}}
			elif [[ $rest =~ ^[=:] ]]; then COMP_WORDS+=("${BASH_REMATCH[0]}"); rest=${rest:1}
			elif [[ $rest =~ ^[^[:space:]=:]+ ]]; then COMP_WORDS+=("${BASH_REMATCH[0]}"); rest=${rest:${#BASH_REMATCH[0]}}
			fi
		done
		[[ -z $line || $line == *[[:space:]] ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		_droidspaces 2>/dev/null || true
		printf "%s\n" "${COMPREPLY[@]}"
	' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

completion_cases() {
	local ws=$DS_TEST_DIR/cws # a workspace of its own: the test's is watched by teardown
	mkdir -p "$ws/Pids" "$ws/Containers/saved1" "$ws/Containers/run1" "$DS_TEST_DIR/c/dir1"
	: >"$ws/Pids/run1.pid"
	: >"$ws/Pids/run2.pid"
	: >"$DS_TEST_DIR/c/disk.img"
	cd "$DS_TEST_DIR/c" || return 1
	[ "$(comp 'droidspaces st')" = "start status stop" ]
	[ "$(comp 'droidspaces re')" = "remove restart" ]
	[ "$(comp 'droidspaces l')" = "list log logs" ]
	[ "$(comp 'droidspaces --na')" = "--name=" ]
	[ "$(comp 'droidspaces start --v')" = "--version --volatile" ]
	[ "$(comp 'droidspaces --ena')" = "--enable-android-storage --enable-ipv6" ]
	[ "$(comp 'droidspaces --name=')" = "run1 run2 saved1" ]
	[ "$(comp 'droidspaces --name=r')" = "run1 run2" ]
	[ "$(comp 'droidspaces -n s')" = "saved1" ]
	[ "$(comp 'droidspaces stop -n run1,')" = "run1,run2 run1,saved1" ]
	[ "$(comp 'droidspaces -nsa')" = "-nsaved1" ]
	[ "$(comp 'droidspaces --rootfs=')" = "dir1" ]
	[ "$(comp 'droidspaces -r d')" = "dir1" ]
	[ "$(comp 'droidspaces --rootfs-img ')" = "dir1 disk.img" ]
	[ "$(comp 'droidspaces -C di')" = "dir1 disk.img" ]
	[ "$(comp 'droidspaces --ttys=')" = "0 1 2 3 4 5 6" ]
	[ "$(comp 'droidspaces --keep-caps=sys_t')" = "sys_time" ]
	[ "$(comp 'droidspaces --keep-caps=sys_time,audit_')" = "sys_time,audit_control sys_time,audit_read" ]
	# after the command word: options still, no second command
	[ "$(comp 'droidspaces -n x start ')" = "" ]
	[[ $(comp 'droidspaces -n x start -') == *--rootfs=*--volatile* ]]
	# run CMD...: the rest is the guest's command, not ours
	[ "$(comp 'droidspaces -n x run ls --na')" = "" ]
}

@test "bash completion: commands, options, container names, files (plain bash)" {
	completion_cases
}

@test "bash completion: the same with bash-completion loaded" {
	export BC=/usr/share/bash-completion/bash_completion
	[[ -r $BC ]] || skip_loud "bash-completion not installed ($BC)"
	completion_cases
}
