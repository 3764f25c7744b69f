#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # CT_* are set per test, in its own subshell
# Start, stop and the CLI around them, end to end: status/show/check exit
# codes and usage errors, names (invalid, taken, raced for by parallel
# starts), every option's hostile values, a killed monitor, the CLI or the
# monitor SIGKILLed at each stage of start (fault injection: see
# lib/fault.bash), and 20 start/stop cycles that must leave nothing behind.
# The long soak (500 + 50 cycles) is tests/soak/soak.sh.  Figures for the
# README go to the TAP stream as "# reliability: ..." lines.
#
# Tags: hostile, fault, load; asan marks the tests `make e2e-asan` runs.
# Every test runs between common_setup and common_teardown, which fail it
# when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() { fault_setup; }
teardown() {
	ws2_stop
	fault_teardown
}

# bats test_tags=asan
@test "cli: status/show/check exit codes, usage errors, stop of a stopped name" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)

	run_ds_err check
	[ "$status" -eq 0 ]
	[[ $output == *"Verdict: ready"* ]]
	[[ $output == *Required:* ]]

	run_ds_err --name=cli status
	[ "$status" -eq 1 ]
	[ "$output" = "cli: stopped" ]

	run_ds_err frobnicate
	[ "$status" -eq 2 ]
	assert_one_error_line frobnicate
	run_ds_err --no-such-option status
	[ "$status" -eq 2 ]
	assert_one_error_line no-such-option
	run_ds_err --name=cli --stop-timeout=abc stop
	[ "$status" -eq 2 ]
	assert_one_error_line stop-timeout
	run_ds_err --name=cli start
	[ "$status" -ne 0 ]
	assert_one_error_line rootfs
	run_ds_err --name=cli --rootfs="$DS_TEST_DIR/no-such-dir" start
	[ "$status" -ne 0 ]
	assert_one_error_line no-such-dir
	run_ds_err --name=cli stop
	[ "$status" -ne 0 ]
	assert_one_error_line "not running"
	[ ! -e "$(ws_pidfile cli)" ]

	# options after the command work as well
	track_container cli
	ds_run start -n cli -r "$root"
	[ "$status" -eq 0 ]
	[[ $output == "Container cli started: init pid "*" (busybox)" ]]
	adopt_ct cli
	run_ds_err status --name=cli
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cli: running (pid $CT_PID, init busybox)" ]
	run_ds_err show
	[ "$status" -eq 0 ]
	echo "$output"
	grep -E "^\| cli +\| running +\| $CT_PID +\| busybox +\| $(realpath "$root") +\|$" <<<"$output"
	grep -E '^\| NAME +\| STATE +\| PID ' <<<"$output"

	stop_ct cli
	assert_cleaned cli
	run_ds_err show
	[ "$status" -eq 0 ]
	refute grep -E '^\| cli +\| running' <<<"$output"
}

# bats test_tags=hostile,asan
@test "names: invalid names are refused with one error line and nothing created; 64 chars work" {
	require_fixture busybox
	local root name before after long64 i row msg
	local -a fails=()
	local -a bad=(
		'' 'a/b' '/abs' '../x' '.' '..' 'a b' ' ' $'a\nb' $'a\tb' $'\x01x' $'x\x1b[31m'
		'a*' 'a:b' 'a,b/c' 'é' $'\xff\xfe' "$(printf 'a%.0s' {1..65})"
	)
	root=$(fixture_copy busybox)
	# the longest valid name, with every allowed character class
	long64=Aa0._-$(printf 'z%.0s' {1..58})
	[ "${#long64}" -eq 64 ]
	start_ct "$long64" "$root"
	[ "$(in_container "$long64" hostname)" = "$long64" ]
	stop_ct "$long64"
	assert_cleaned "$long64"
	rm -rf "$DROIDSPACES_WORKSPACE"

	mkdir -p "$DROIDSPACES_WORKSPACE"
	before=$(find "$DROIDSPACES_WORKSPACE" /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort)
	# All rows are tried; the failures are listed together.
	for i in "${!bad[@]}"; do
		name=${bad[$i]}
		row="row $i $(printf '%q' "$name")"
		run_ds_err --name="$name" --rootfs="$root" start
		[[ $status != 0 ]] || fails+=("$row: start exit 0")
		[[ -z $output ]] || fails+=("$row: start printed on stdout: $output")
		msg=$(assert_one_error_line 2>&1) || fails+=("$row: start: $msg")
		run_ds_err --name="$name" status
		[[ $status != 0 ]] || fails+=("$row: status exit 0")
		msg=$(assert_one_error_line 2>&1) || fails+=("$row: status: $msg")
		run_ds_err --name="$name" stop
		[[ $status != 0 ]] || fails+=("$row: stop exit 0")
		msg=$(assert_one_error_line 2>&1) || fails+=("$row: stop: $msg")
		after=$(find "$DROIDSPACES_WORKSPACE" /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort)
		[[ $before == "$after" ]] || fails+=("$row: created $(diff <(echo "$before") <(echo "$after"))")
	done
	[ -z "$(find "$DROIDSPACES_WORKSPACE" -mindepth 1)" ]
	[ "$(count_monitors)" -eq 0 ]
	if ((${#fails[@]})); then
		printf '%s\n' "${fails[@]}" >&2
		return 1
	fi

}

# bats test_tags=load,asan
@test "names: a second start fails 'already running' and touches nothing; 10 parallel starts, one wins" {
	require_fixture busybox
	local root root2 pidfile_before
	root=$(fixture_copy busybox)
	root2=$(fixture_copy busybox)
	start_ct dup "$root"
	wait_for 10 booted "$CT_PID"
	pidfile_before=$(cat "$(ws_pidfile dup)")

	run_ds_err --name=dup --rootfs="$root2" start
	[ "$status" -ne 0 ]
	assert_one_error_line "already running"
	[ "$(cat "$(ws_pidfile dup)")" = "$pidfile_before" ]
	proc_alive "$CT_PID" "$CT_ST"
	proc_alive "$CT_MON" "$CT_MON_ST"
	[ "$(count_monitors)" -eq 1 ]
	stop_ct dup
	assert_cleaned dup

	# 10 concurrent starts of one name
	parallel_starts par --rootfs="$root2"
	adopt_ct par
	[ "$(count_monitors)" -eq 1 ]
	wait_for 10 booted "$CT_PID"
	[ "$(line_count "$root2/var/log/ds-test-boots")" -eq 1 ]
	stop_ct par
	assert_cleaned par
}

# ws2_stale NAME: a stale pidfile of NAME in the second workspace, as a container that died left it.
ws2_stale() {
	mkdir -p "$DS_TEST_DIR/ws2/Pids"
	printf '%s\nmonitor=0\nstarttime=1\nuuid=%032d\nboot_id=%s\nrootfs=/nonexistent\ncgroup=droidspaces/%s\n' \
		1073741823 0 "$(cat /proc/sys/kernel/random/boot_id)" "$1" >"$(ws_pidfile "$1" "$DS_TEST_DIR/ws2")"
}

# Names are host-wide as the cgroup droidspaces/NAME is: before, a second
# workspace joined the running container's cgroup, and its stop (or the
# cleanup after its stale pidfile) killed the other workspace's container.
# bats test_tags=hostile,asan
@test "names: the same name from another workspace is refused with one line; that workspace's stop and stale cleanup never touch the running container" {
	require_fixture busybox
	local root root2 cg
	root=$(fixture_copy busybox)
	root2=$(fixture_copy busybox)
	start_ct same "$root"
	wait_for 10 booted "$CT_PID"
	cg=$(cgroups_of same)
	[ -n "$cg" ]

	# another workspace's start: refused, nothing of it left
	DS_WRAP=(env DROIDSPACES_WORKSPACE="$DS_TEST_DIR/ws2")
	run_ds_err --name=same --rootfs="$root2" start
	assert_refused "cgroup droidspaces/same is taken on this host by a container of another workspace"
	[ ! -e "$(ws_pidfile same "$DS_TEST_DIR/ws2")" ]
	[ ! -e "$root2/var/log/ds-test-boots" ]
	# its stop, and its stop over a stale pidfile of the name (the cleanup after a crash)
	run_ds_err --name=same stop
	assert_refused "not running"
	ws2_stale same
	run_ds_err --name=same stop
	assert_refused "not running"
	proc_alive "$CT_PID" "$CT_ST"
	proc_alive "$CT_MON" "$CT_MON_ST"
	[ "$(cgroups_of same)" = "$cg" ]
	grep -qx "$CT_PID" "$(cg2_mount)/droidspaces/same/cgroup.procs"

	# with its monitor killed the guest runs on, its cgroup's claim gone: still refused, still untouched
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	run_ds_err --name=same --rootfs="$root2" start
	assert_refused "cgroup droidspaces/same already holds"
	ws2_stale same
	run_ds_err --name=same stop
	assert_refused "not running"
	DS_WRAP=()
	proc_alive "$CT_PID" "$CT_ST"
	grep -qx "$CT_PID" "$(cg2_mount)/droidspaces/same/cgroup.procs"
	[ ! -e "$root2/var/log/ds-test-boots" ]
	stop_ct same
	assert_cleaned same

	# the name is free again: the other workspace starts it; this one's stop leaves it
	ws2 start_ct same "$root2"
	ws2 wait_for 10 booted "$CT_PID"
	run_ds_err --name=same stop
	assert_refused "not running"
	proc_alive "$CT_PID" "$CT_ST"
	ws2 stop_ct same
	ws2 assert_cleaned same
	nothing_left same
}

# bats test_tags=load
@test "load: 10 parallel volatile starts of one name: exactly one runs, the others fail clearly" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	parallel_starts par --rootfs="$root" -V
	adopt_ct par
	wait_for 10 booted "$CT_PID"
	# the losers did not remove the winner's volatile layer
	in_container par sh -c 'echo w >/root/w && cat /root/w'
	[ "$(count_monitors)" -eq 1 ]
	[ ! -e "$root/root/w" ]
	stop_ct par
	assert_cleaned par
}

# bats test_tags=hostile
@test "hostile names: every command refuses each bad name with one error line; nothing created" {
	require_fixture busybox
	local root ix name cmd before rows=0
	local -a bad=(
		'' '.' '..' 'a/b' '../x' '/abs' "$(printf 'n%.0s' {1..300})" 'a b' ' ' ' lead' 'trail '
		$'a\nb' $'a\tb' $'\x01x' $'x\x1b[31m' $'x\x7f' $'\xff\xfe' $'\xc3\x28' 'é' '*' 'a*b' 'a:b' '$(id)' '`id`'
	)
	local -a cmds=(start stop restart status info logs remove enter run console)
	root=$(fixture_copy busybox)
	mkdir -p "$DROIDSPACES_WORKSPACE"
	before=$(ws_state)
	for ix in "${!bad[@]}"; do
		name=${bad[$ix]}
		for cmd in "${cmds[@]}"; do
			case $cmd in
			start | restart) run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" --rootfs="$root" "$cmd" ;;
			run) run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" run true ;;
			*) run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" "$cmd" ;;
			esac
			row_ok "name $(printf '%q' "$name") $cmd" assert_refused
			rows=$((rows + 1))
		done
		[[ $(ws_state) == "$before" ]] || row_fail "name $(printf '%q' "$name")" "the workspace or cgroups changed"
	done
	[ "$(count_monitors)" -eq 0 ]
	figure "hostile names x commands tried: $rows"
	rows_verdict
}

# opt_row_bad: the command just run did not fail cleanly (see assert_refused).
opt_row_bad() {
	[[ $status == 0 ]] || ((status == 124 || status >= 128)) || [[ -n $output ]] ||
		! assert_one_error_line "$@" >/dev/null 2>&1 ||
		[[ -e $(ws_pidfile optrow) ]] || [[ -e $(ct_cgroup optrow) ]]
}

# opt_row_report LABEL: print the failing row, rescue a started container.
opt_row_report() {
	echo "row $1: exit $status" >&2
	echo "  stdout: $(printf '%q' "${output:0:300}")" >&2
	echo "  stderr: $(printf '%q' "${stderr:0:300}")" >&2
	[[ $status == 0 ]] && rescue_ct optrow
	echo "$1" >>"$DS_TEST_DIR/opt-failures"
}

# bats test_tags=hostile
@test "hostile options: every option with empty, garbage and oversized values: non-zero, one error line, nothing started" {
	require_fixture busybox
	local root opt short v big huge rows=0 cfg_dir=$DS_TEST_DIR/cfg form skip
	local -a base args cmd vals more forms
	root=$(fixture_copy busybox)
	cd "$DS_TEST_DIR" # relative values resolve here, never in the repository
	big=$(printf 'x%.0s' {1..5000})
	huge=$(head -c 100000 /dev/zero | tr '\0' 'y')
	mkdir -p "$cfg_dir" "$DROIDSPACES_WORKSPACE"
	head -c 65536 /dev/urandom >"$cfg_dir/binary"
	head -c 2097152 /dev/zero | tr '\0' 'k' >"$cfg_dir/longline"
	printf 'rootfs=/\n' >"$cfg_dir/host-root"
	printf 'rootfs=%s\nstop_timeout=-1\nttys=99\nhostname=a b\n' "$root" >"$cfg_dir/bad-values"
	printf 'rootfs=%s\x01\n' "$root" >"$cfg_dir/control"
	# --user is checked with `run` against a running container
	start_ct optuser "$root"
	wait_for 10 booted "$CT_PID"

	# generic bad values, for every option that takes one
	local -a generic=('' "$big" "$huge" $'a\nb' $'\x01\x02' $'\x1b[2J' $'\xff\xfe' '%s%s%n%n' '-1' '99999999999999999999999')
	# values of the generic list that are valid for an option (|-separated)
	local -A valid=(
		[name]='-1|99999999999999999999999'
		[hostname]='99999999999999999999999'
		[pidfile]=$'%s%s%n%n|-1|99999999999999999999999|\xff\xfe'
	)
	# per option: values specific to it (|-separated)
	local -A extra=(
		[rootfs]="$DS_TEST_DIR/missing|relative/missing|$cfg_dir/binary|/|//|/tmp/..|/proc/self/root"
		[rootfs-img]="$DS_TEST_DIR/missing|$DS_TEST_DIR|/dev/zero|$cfg_dir/binary|/"
		[name]='..|.|a/b|a,b|,|a,,b|a b'
		[hostname]='-a|a..b|.|a-|a b|a/b|é|'"$(printf 'h%.0s' {1..65})"
		[pidfile]="$DS_TEST_DIR|/proc/version"
		[bind-mount]=':|a|/tmp:relative|/tmp:/x:bogus|/tmp:/x:ro:ro|/tmp:|:/x|/tmp:/'
		[dns]='garbage|,|999.1.1.1|::g|1.1.1.1 8.8.8.8|1.1.1.1;8.8.8.8'
		[config]="$DS_TEST_DIR/missing|$DS_TEST_DIR|/dev/zero|$cfg_dir/binary|$cfg_dir/longline|$cfg_dir/host-root|$cfg_dir/bad-values|$cfg_dir/control"
		[stop-timeout]='0|3601|abc|1x|1.5|0x10|1e3'
		[ttys]='7|abc|1.5|0x1|100'
		[keep-caps]='sys_admin|bogus|,|sys_time,,|all,nope|cap_|net_admin sys_time'
		[user]='a:b|a/b|../x|no-such-user'
	)
	local -A shortopt=([rootfs]=r [rootfs-img]=i [name]=n [pidfile]=p [bind-mount]=B [config]=C [stop-timeout]=t [user]=u)
	for opt in $(printf '%s\n' "${!extra[@]}" | sort); do
		vals=()
		for v in "${generic[@]}"; do
			skip=0
			IFS='|' read -r -a more <<<"${valid[$opt]:-}"
			for w in "${more[@]}"; do [[ $v == "$w" ]] && skip=1; done
			[[ $skip == 1 ]] || vals+=("$v")
		done
		IFS='|' read -r -a more <<<"${extra[$opt]}"
		vals+=("${more[@]}")
		# the base command line: valid, minus the option under test
		base=(--name=optrow --rootfs="$root")
		cmd=(start)
		case $opt in
		name) base=(--rootfs="$root") ;;
		rootfs | rootfs-img | config) base=(--name=optrow) ;;
		user)
			base=(--name=optuser)
			cmd=(run true)
			;;
		esac
		short=${shortopt[$opt]:-}
		for v in "${vals[@]}"; do
			# every value as --opt=VALUE; the first three generic ones (empty,
			# oversized, a newline) in the other spellings as well
			forms=(long)
			[[ $v == "" || $v == "$big" || $v == $'a\nb' ]] && forms=(long sep short)
			for form in "${forms[@]}"; do
				case $form in
				long) args=("${base[@]}" "--$opt=$v" "${cmd[@]}") ;;
				sep) args=("${base[@]}" "${cmd[0]}" "--$opt" "$v" "${cmd[@]:1}") ;;
				short)
					[[ -n $short ]] || continue
					args=("${base[@]}" "-$short" "$v" "${cmd[@]}")
					;;
				esac
				track_container optrow
				run_ds_ws "$DROIDSPACES_WORKSPACE" "${args[@]}"
				if opt_row_bad; then
					opt_row_report "--$opt ($form) $(printf '%q' "${v:0:100}")"
				fi
				rows=$((rows + 1))
			done
		done
	done
	# flags given a value, unknown options
	local -a odd=(
		--volatile=1 --foreground=x --hw-access=yes --json=1 --all=1 --follow=1 --keep-net-admin=1
		--enable-ipv6=0 --help=1 --version=1 -Vx -fz -Z --no-such-option ---name=x --NAME=x --name-x=1
		--rootfsx=/ $'--\x01' $'-\xff' "--$big" "-$big"
	)
	for v in "${odd[@]}"; do
		track_container optrow
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=optrow --rootfs="$root" "$v" start
		if opt_row_bad; then
			opt_row_report "$(printf '%q' "${v:0:100}")"
		fi
		rows=$((rows + 1))
	done
	# an option that needs a value, last on the line
	for opt in --rootfs --rootfs-img --name --hostname --pidfile --bind-mount --dns --config --stop-timeout --ttys --keep-caps --user -r -i -n -p -B -C -t -u; do
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=optrow start "$opt"
		if opt_row_bad "needs a value"; then
			opt_row_report "trailing $opt"
		fi
		rows=$((rows + 1))
	done
	# the container used for --user is unharmed
	proc_alive "$CT_PID" "$CT_ST"
	stop_ct optuser
	assert_cleaned optuser
	[ -z "$(cgroups_of optrow)" ]
	[ ! -e "$(ws_pidfile optrow)" ]
	figure "hostile option rows: $rows"
	if [[ -s $DS_TEST_DIR/opt-failures ]]; then
		echo "$(wc -l <"$DS_TEST_DIR/opt-failures") of $rows rows failed" >&2
		return 1
	fi
}

# bats test_tags=asan
@test "lifecycle: with its monitor killed the container keeps running; stop still halts and cleans up" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	start_ct mon "$root"
	wait_for 10 booted "$CT_PID"
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	proc_alive "$CT_PID" "$CT_ST"
	run "$DS" --name=mon status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mon: running (pid $CT_PID, init busybox)" ]
	[ "$(in_container mon hostname)" = mon ]
	stop_ct mon
	assert_cleaned mon
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
}

# fault_start POINT NAME ROOTFS: start NAME in the background with the fault
# in_poll PID: the process sleeps in poll(2) or ppoll(2) (x86_64 numbers: the suite runs there).
in_poll() {
	local nr
	read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
	[[ $nr == 7 || $nr == 271 ]]
}

# monitor_killed NAME MON: SIGKILL the monitor held at a fault point; the CLI fails with one line.
monitor_killed() {
	kill -KILL "$2"
	fault_reap
	[ "$FAULT_RC" -ne 0 ]
	[ ! -s "$DS_TEST_DIR/fault.out" ]
	stderr=$(cat "$DS_TEST_DIR/fault.err")
	assert_one_error_line "$1"
}

# after_monitor_killed NAME ROOT WHEN: no guest booted, status says stopped, and the name starts,
# boots once and stops clean; no cgroup or socket stayed after the kill (checked last).
after_monitor_killed() {
	local name=$1 root=$2 when=$3 left
	wait_for 10 no_monitors
	[ ! -e "$root/var/log/ds-test-boots" ]
	lock_free "$name"
	left=$(cgroups_of "$name")
	[[ -e $(ws_sock "$name") ]] && left+=" $(ws_sock "$name")"
	run_ds_err --name="$name" status
	[ "$status" -eq 1 ]
	[ "$output" = "$name: stopped" ]
	[ -z "$(show_state "$name")" ]
	[ ! -e "$(ws_pidfile "$name")" ]

	start_ct "$name" "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct "$name"
	assert_cleaned "$name"
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 1 ]
	if [[ -n $left ]]; then
		echo "after the monitor was killed $when, these stayed: $left" >&2
		return 1
	fi
}

# point armed; FAULT_CLI is the CLI's PID.
fault_start() {
	local point=$1 name=$2 root=$3
	track_container "$name"
	DROIDSPACES_FAULT=$point "$DS" --name="$name" --rootfs="$root" start \
		>"$DS_TEST_DIR/fault.out" 2>"$DS_TEST_DIR/fault.err" </dev/null 3>&- &
	FAULT_CLI=$!
	own_pid "$FAULT_CLI"
}

# held_monitor POINT NAME ROOT: start NAME with its monitor held at the fault point POINT; HELD its PID.
held_monitor() {
	fault_start "$1" "$2" "$3"
	wait_for 10 stopped_monitor || return 1
	HELD=$(stopped_monitor)
	own_pid "$HELD"
}

# fault_reap: wait for the CLI of fault_start; FAULT_RC its exit status.
fault_reap() {
	FAULT_RC=0
	wait "$FAULT_CLI" || FAULT_RC=$?
	echo "CLI exit $FAULT_RC; stdout: $(cat "$DS_TEST_DIR/fault.out"); stderr: $(cat "$DS_TEST_DIR/fault.err")"
}

# bats test_tags=fault
@test "fault: CLI SIGKILLed at start:before-fork: nothing started, lock free, status/stop/start tell the truth" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	fault_start start:before-fork fb "$root"
	wait_for 10 is_stopped "$FAULT_CLI"
	# The CLI holds the name's lock at this point: a second start is refused.
	run_ds_err --name=fb --rootfs="$root" start
	assert_refused "already running (or being started or stopped)"
	kill -KILL "$FAULT_CLI"
	fault_reap
	[ "$FAULT_RC" -eq 137 ]

	nothing_left fb
	[ ! -e "$root/var/log/ds-test-boots" ]
	[ -z "$(show_state fb)" ]
	run_ds_err --name=fb stop
	assert_refused "not running"
	# and the name works again
	start_ct fb "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct fb
	assert_cleaned fb
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq 1 ]
}

# bats test_tags=fault
@test "fault: CLI SIGKILLed at start:after-fork: the container boots and is fully managed" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	fault_start start:after-fork fa "$root"
	wait_for 10 is_stopped "$FAULT_CLI"
	kill -KILL "$FAULT_CLI"
	fault_reap
	[ "$FAULT_RC" -eq 137 ]

	# The monitor carries on without its CLI: status and show tell the truth.
	wait_for 10 test -s "$(ws_pidfile fa)"
	adopt_ct fa
	wait_for 10 booted "$CT_PID"
	run_ds_err --name=fa status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fa: running (pid $CT_PID, init busybox)" ]
	[ "$(show_state fa)" = running ]
	run_ds_err --name=fa run hostname
	[ "$status" -eq 0 ]
	[ "$output" = fa ]
	[ "$(count_monitors)" -eq 1 ]
	stop_ct fa
	assert_cleaned fa
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
}

# bats test_tags=fault
@test "fault: monitor SIGKILLed at monitor:before-devices: init mounted but never runs the guest's init, start fails clearly, nothing left" {
	require_fixture busybox
	local root init
	root=$(fixture_copy busybox)
	held_monitor monitor:before-devices fd "$root"
	# Init is recorded and set up its mounts meanwhile, but waits: still our binary, no guest's boot.
	wait_for 10 test -s "$(ws_pidfile fd)"
	init=$(sed -n 1p "$(ws_pidfile fd)")
	[ "$(readlink "/proc/$init/exe")" = "$(readlink -f "$DS")" ]
	[ ! -e "$root/var/log/ds-test-boots" ]
	monitor_killed fd "$HELD"
	# The held init sees EOF and exits without a boot; status clears the stale pidfile.
	wait_for 10 eval '! kill -0 '"$init"' 2>/dev/null'
	after_monitor_killed fd "$root" "before the device policy"
}

# bats test_tags=fault
@test "fault: a run while init is still in droidspaces' boot (monitor held at monitor:before-devices) waits for the guest's init, then runs under its syscall filter" {
	require_fixture busybox
	local root runner
	root=$(fixture_copy busybox)
	held_monitor monitor:before-devices fw "$root"
	wait_for 10 test -s "$(ws_pidfile fw)"
	"$DS" --name=fw run grep Seccomp: /proc/self/status >"$DS_TEST_DIR/run.out" 2>"$DS_TEST_DIR/run.err" </dev/null 3>&- &
	runner=$!
	own_pid "$runner"
	# it waits (napping in poll: 7, or ppoll: 271): the device policy and init's filter are not in place yet
	wait_for 10 in_poll "$runner"
	[ ! -s "$DS_TEST_DIR/run.out" ]
	kill -CONT "$HELD"
	fault_reap
	[ "$FAULT_RC" -eq 0 ]
	wait "$runner"
	cat "$DS_TEST_DIR/run.out" "$DS_TEST_DIR/run.err"
	[ "$(tr -s '\t ' ' ' <"$DS_TEST_DIR/run.out")" = "Seccomp: 2" ]
	adopt_ct fw
	wait_for 10 booted "$CT_PID"
	stop_ct fw
	assert_cleaned fw
}

# bats test_tags=fault
@test "fault: monitor SIGKILLed at monitor:before-pidfile: init never boots, start fails clearly, nothing left" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	held_monitor monitor:before-pidfile fm "$root"
	[ ! -e "$(ws_pidfile fm)" ]
	monitor_killed fm "$HELD"
	# The held init sees EOF and exits: no guest, no untracked process.
	wait_for 10 no_monitors
	[ ! -e "$(ws_pidfile fm)" ]
	after_monitor_killed fm "$root" "before the pidfile"
}

# bats test_tags=fault
@test "fault: monitor SIGKILLed while running: the guest keeps running and is managed; stop cleans everything" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	start_ct mk "$root"
	wait_for 10 booted "$CT_PID"
	[ -S "$(ws_sock mk)" ]
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	# decided: the container keeps running
	proc_alive "$CT_PID" "$CT_ST"
	run_ds_err --name=mk status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mk: running (pid $CT_PID, init busybox)" ]
	[ "$(show_state mk)" = running ]
	run_ds_err --name=mk run cat /run/ds-test-booted
	[ "$status" -eq 0 ]
	[ "$output" = booted ]
	run_ds_err --name=mk logs
	[ "$status" -eq 0 ]
	# a second start of the name is refused while the guest lives
	run_ds_err --name=mk --rootfs="$root" start
	assert_refused "already running"
	proc_alive "$CT_PID" "$CT_ST"

	stop_ct mk
	assert_cleaned mk
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq 1 ]
	# and the name boots again
	start_ct mk "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct mk
	assert_cleaned mk
}

# bats test_tags=fault
@test "fault: monitor and init both SIGKILLed: the stale pidfile reads stopped, stop tidies up, start works" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	start_ct both "$root"
	wait_for 10 booted "$CT_PID"
	kill -KILL "$CT_MON"
	wait_for 5 ! proc_alive "$CT_MON" "$CT_MON_ST"
	kill -KILL "$CT_PID"
	wait_for 5 ! proc_alive "$CT_PID" "$CT_ST"
	# The orphaned init is a zombie until the host's PID 1 reaps it (a zombie
	# init still answers kill(pid, 0) with its start time: see the report).
	wait_for 30 ! test -e "/proc/$CT_PID"
	# nobody is left to clean up: the pidfile is stale
	[ -e "$(ws_pidfile both)" ]
	lock_free both
	run_ds_err --name=both status
	[ "$status" -eq 1 ]
	[ "$output" = "both: stopped" ]
	# (no `show` here: show drops stale pidfiles itself; the stale-pidfile
	# test below runs show before stop)
	run_ds_err --name=both stop
	assert_refused "not running"
	nothing_left both
	start_ct both "$root"
	wait_for 10 booted "$CT_PID"
	stop_ct both
	assert_cleaned both
}

# fd_targets PID: where PID's open fds point.
fd_targets() {
	local f
	for f in /proc/"$1"/fd/*; do
		readlink "$f" 2>/dev/null || true
	done
}

# bats test_tags=load
@test "load: 20 start/stop cycles: host state, caller fds and monitor fds identical every cycle; no caller fd leaks in" {
	require_fixture busybox
	local root ix n=${DS_TEST_CYCLES:-20} before now mon_fds='' fds canary=$DS_TEST_DIR/fd-canary t0 leak_mon='' leak_guest='' p
	root=$(fixture_copy busybox)
	: >"$canary"
	before=$(quick_state)
	t0=$(_ds_usec_now)
	for ((ix = 1; ix <= n; ix++)); do
		track_container cyc
		# fd 7 is open (not close-on-exec) in the caller: it must not reach the
		# monitor or the guest
		ds_run --name=cyc --rootfs="$root" start 7>>"$canary"
		[ "$status" -eq 0 ]
		adopt_ct cyc
		wait_for 10 booted "$CT_PID"
		if grep -qxF "$canary" <(fd_targets "$CT_MON"); then
			leak_mon="the caller's fd 7 ($canary) is open in the monitor"
		fi
		# every process of the guest (its cgroup)
		if grep -qxF "$canary" <(while read -r p; do fd_targets "$p"; done <"$(ct_cgroup cyc)/cgroup.procs"); then
			leak_guest="the caller's fd 7 ($canary) is open in the guest"
		fi
		fds=$(fd_targets "$CT_MON" | sed -E 's/[0-9]+/N/g' | sort | tr '\n' ' ')
		[[ -z $mon_fds ]] && mon_fds=$fds
		if [[ $fds != "$mon_fds" ]]; then
			echo "cycle $ix: the monitor's fds changed: $mon_fds -> $fds" >&2
			return 1
		fi
		stop_ct cyc
		assert_cleaned cyc
		now=$(quick_state)
		if [[ $now != "$before" ]]; then
			echo "cycle $ix: the host state changed:" >&2
			diff <(echo "$before") <(echo "$now") >&2
			return 1
		fi
	done
	[ "$(line_count "$root/var/log/ds-test-boots")" -eq "$n" ]
	[ "$(line_count "$root/var/log/ds-test-halted")" -eq "$n" ]
	host_snapshot "$DS_TEST_DIR/host.cycles"
	host_diff "$DS_TEST_DIR/host.before" "$DS_TEST_DIR/host.cycles"
	figure "busybox start/stop cycles held in the e2e suite: $n ($((($(_ds_usec_now) - t0) / 1000 / n)) ms per cycle)"
	[[ -z $leak_mon && -z $leak_guest ]] || {
		echo "${leak_mon:-no leak into the monitor}; ${leak_guest:-no leak into the guest}" >&2
		return 1
	}
}
