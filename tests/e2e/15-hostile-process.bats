#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2016,SC2054 # CT_* are set per test, in its own subshell; guest commands in single quotes; setpriv lists
# What a container's processes get from whoever launched droidspaces (issue
# 12): a hostile or merely careless caller (extra open fds, inheritable and
# ambient capabilities, supplementary groups, umask 077, lowered rlimits, a
# raised oom_score_adj) must pass none of it to the guest's init or to a
# `run` command; `run --user` accepts only a name or UID[:GID] that cannot
# turn into root by overflow or an empty field; and a start that fails after
# changing the host puts the host back.  Every test runs between
# common_setup and common_teardown, which fail it when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# fd_listing PID-EXPR NAME: "FD -> TARGET" lines of /proc/PID-EXPR/fd as the
# guest NAME sees them (PID-EXPR is evaluated in the guest's shell).
fd_listing() {
	in_container "$2" sh -c "cd /proc/$1/fd && for f in *; do echo \"\$f -> \$(readlink \$f)\"; done"
}

# assert_stdio_only LISTING: exactly fds 0, 1 and 2, none of them a host path.
assert_stdio_only() {
	local fds
	echo "$1"
	fds=$(cut -d' ' -f1 <<<"$1" | sort -n | tr '\n' ' ')
	[ "$fds" = "0 1 2 " ]
	refute grep -Eq 'cgroup|droidspaces|ds-leak|/var/cache|'"$DS_TEST_DIR" <<<"$1"
}

# has_cap_sys_resource: this shell may raise hard rlimits (not in every sandbox).
has_cap_sys_resource() {
	local eff
	eff=$(sed -n 's/^CapEff:\t//p' /proc/self/status)
	(((16#$eff >> 24) & 1))
}

@test "fd hygiene: init and run commands hold only stdio, with clone3, without it, and without close_range" {
	require_fixture busybox
	local root mode name out gpid
	root=$(fixture_copy busybox)
	# an fd far above 1024 needs a soft limit above it
	if (($(ulimit -n) <= 1500)); then
		ulimit -S -n 2048 || skip_loud "cannot raise RLIMIT_NOFILE to 2048 for a caller's fd 1500"
	fi
	for mode in default no-clone3 no-close-range; do
		name=fd-$mode
		if [[ $mode == default ]]; then
			unset DROIDSPACES_FAULT
		else
			export DROIDSPACES_FAULT=$mode
		fi
		# The caller leaves fds open, one of them far above 1024.
		exec 7<"$root/etc/os-release" 8>"$DS_TEST_DIR/ds-leak" 1500>"$DS_TEST_DIR/ds-leak-high"
		start_ct "$name" "$root"
		wait_for 10 booted "$CT_PID"
		# init: the console on 0-2, and nothing else (its monitor's and the
		# cgroup directory of CLONE_INTO_CGROUP gone before the guest ran)
		out=$(fd_listing 1 "$name")
		assert_stdio_only "$out"
		refute grep -v ' -> /dev/console$' <<<"$out"
		[ "$(find "/proc/$CT_PID/fd" -mindepth 1 | wc -l)" -eq 3 ]
		# a run command: the caller's stdio, not its fds 3+ (bats' own, 7, 8,
		# 1500); sleep, since a shell opens fds of its own
		"$DS" --name="$name" run sleep 300 </dev/null >/dev/null 2>&1 &
		BG_PIDS+=($!)
		wait_for 10 in_container "$name" pidof sleep
		gpid=$(in_container "$name" pidof sleep)
		out=$(fd_listing "$gpid" "$name")
		assert_stdio_only "$out"
		[ "$(grep -c ' -> /dev/null$' <<<"$out")" -eq 3 ]
		in_container "$name" kill "$gpid"
		wait_bg || true
		exec 7<&- 8>&- 1500>&-
		stop_ct "$name"
		assert_cleaned "$name"
	done
	unset DROIDSPACES_FAULT
}

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

@test "capabilities: init and run commands have empty inheritable and ambient sets whatever the caller had" {
	require_fixture busybox
	require_cmd setpriv
	local root name=caps15 caller
	local -a wrap=(setpriv --inh-caps +net_raw,+chown --ambient-caps +net_raw)
	root=$(fixture_copy busybox)
	caller=$("${wrap[@]}" grep -E '^Cap(Inh|Amb):' /proc/self/status) ||
		skip_loud "setpriv cannot set inheritable and ambient capabilities here"
	echo "$caller"
	grep -q $'^CapInh:\t0000000000002001$' <<<"$caller" || skip_loud "setpriv did not raise CapInh: $caller"
	grep -q $'^CapAmb:\t0000000000002000$' <<<"$caller" || skip_loud "setpriv did not raise CapAmb: $caller"

	track_container "$name"
	run "${wrap[@]}" "$DS" --name="$name" --rootfs="$root" start
	[ "$status" -eq 0 ]
	CT_PID=$(ds_pid "$name")
	wait_for 10 booted "$CT_PID"
	run in_container "$name" grep -E '^Cap(Inh|Amb):' /proc/1/status
	echo "$output"
	[ "$output" = $'CapInh:\t0000000000000000\nCapAmb:\t0000000000000000' ]
	run "${wrap[@]}" "$DS" --name="$name" run grep -E '^Cap(Inh|Amb):' /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'CapInh:\t0000000000000000\nCapAmb:\t0000000000000000' ]
	stop_ct "$name"
}

@test "defaults: groups, umask, rlimits and oom_score_adj of init and run commands are not the caller's" {
	require_fixture busybox
	require_cmd setpriv
	local root name=dflt15 hard nofile_hard nr_open lower
	root=$(fixture_copy busybox)
	nr_open=$(cat /proc/sys/fs/nr_open)
	if has_cap_sys_resource; then
		# both limits lowered: droidspaces raises them again
		lower='ulimit -n 64; ulimit -s 2048'
		nofile_hard=$((nr_open < 524288 ? nr_open : 524288))
	else
		# without CAP_SYS_RESOURCE nobody can raise a hard limit: soft ones only
		echo "# no CAP_SYS_RESOURCE here: lowering soft limits only" >&3
		lower='ulimit -S -n 64; ulimit -S -s 2048'
		hard=$(ulimit -H -n)
		nofile_hard=$((hard < 524288 ? hard : 524288))
	fi
	# hostile_ds ARGS...: droidspaces from a shell with umask 077, low limits,
	# two extra groups and oom_score_adj 500
	hostile_ds() {
		bash -c "umask 077; $lower; echo 500 >/proc/self/oom_score_adj; exec setpriv --groups 4242,4343 \"\$@\"" \
			hostile "$DS" "$@"
	}
	run bash -c "umask 077; $lower; echo 500 >/proc/self/oom_score_adj; exec setpriv --groups 4242,4343 sh -c 'umask; ulimit -n; cat /proc/self/oom_score_adj; id -G'"
	echo "the hostile caller: $output"
	[ "${lines[0]}" = 0077 ] && [ "${lines[1]}" = 64 ] && [ "${lines[2]}" = 500 ] && [ "${lines[3]}" = "0 4242 4343" ]

	track_container "$name"
	run hostile_ds --name="$name" --rootfs="$root" start
	echo "$output"
	[ "$status" -eq 0 ]
	CT_PID=$(ds_pid "$name")
	wait_for 10 booted "$CT_PID"
	# init, as the guest sees it
	run in_container "$name" sh -c 'grep -E "^(Groups|Umask):" /proc/1/status; cat /proc/1/oom_score_adj; grep -E "^Max (open files|stack size|core file size)" /proc/1/limits'
	echo "$output"
	grep -Eq $'^Groups:[ \t]*$' <<<"$output"
	grep -Eq $'^Umask:\t0022$' <<<"$output"
	[ "${lines[2]}" = 0 ]
	grep -Eq "^Max open files +1024 +$nofile_hard +files" <<<"$output"
	grep -Eq "^Max stack size +8388608 " <<<"$output"
	grep -Eq "^Max core file size +0 " <<<"$output"
	# a run command launched by the same hostile caller
	run hostile_ds --name="$name" run sh -c 'umask; ulimit -n; ulimit -s; cat /proc/self/oom_score_adj; id -G; grep "^Groups:" /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0022 ]
	[ "${lines[1]}" = 1024 ]
	[ "${lines[2]}" = 8192 ]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = 0 ]
	[[ ${lines[5]} =~ ^Groups:[[:space:]]*$ ]]
	stop_ct "$name"
}

@test "start: a failure after --enable-ipv6 turned IPv6 on puts it back (and the volatile dir goes)" {
	require_fixture busybox
	require_cmd unshare
	local root name=v6fail15 out
	root=$(fixture_copy busybox)
	[[ -e /proc/sys/net/ipv6/conf/all/disable_ipv6 ]] || skip_loud "no IPv6 in this kernel"
	track_container "$name"
	# In a network namespace of the test's own, where IPv6 starts disabled:
	# the failing start must leave it disabled; a good start enables it
	# (so the test can fail), and its stop disables it again.
	out=$(unshare -n bash -c '
		set -u
		v6=/proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 1 >"$v6"
		DROIDSPACES_FAULT=start:no-pty "$1" --name="$2" --rootfs="$3" --enable-ipv6 --volatile start 2>&1
		echo "failed-start-rc=$?"
		echo "after-failure=$(cat "$v6")"
		"$1" --name="$2" --rootfs="$3" --enable-ipv6 start >/dev/null 2>&1
		echo "good-start-rc=$?"
		echo "while-running=$(cat "$v6")"
		"$1" --name="$2" stop >/dev/null 2>&1
		echo "after-stop=$(cat "$v6")"
	' bash "$DS" "$name" "$root")
	echo "$out"
	grep -qx "droidspaces: cannot allocate the console PTY: .*" <<<"$out"
	grep -qx 'failed-start-rc=1' <<<"$out"
	grep -qx 'after-failure=1' <<<"$out"
	grep -qx 'good-start-rc=0' <<<"$out"
	grep -qx 'while-running=0' <<<"$out"
	grep -qx 'after-stop=1' <<<"$out"
	# no record of a change left behind, no volatile dir, no pidfile
	[ ! -e "$DROIDSPACES_WORKSPACE/Host/disable_ipv6" ]
	[ ! -e "$(ws_volatile "$name")" ]
	[ ! -e "$(ws_pidfile "$name")" ]
}
