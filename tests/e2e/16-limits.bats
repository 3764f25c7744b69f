#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2016,SC2154 # CT_* are set per test; guest commands in single quotes; bats sets $stderr
# Resource limits end to end (issue 17): --memory, --cpus, --pids-limit,
# --cpu-weight and --io-weight written to the container's cgroup before init runs, on the
# controllers this host has (v1 memory, cpu, pids on a hybrid host; the
# cgroup2 files on a cgroup2 host).  A guest that allocates past --memory is
# OOM-killed inside and the container lives on; a fork bomb stops at
# --pids-limit and the container can still be entered and stopped; --cpus=0.5
# holds two busy loops near half a CPU (the cgroup's own CPU counter over
# seconds, a generous band); the values are saved and shown by info; bad
# values are refused with one line; a missing controller fails the start,
# naming it.  What free and nproc show inside is reported, not asserted.
#
# Tags: load (the OOM, fork bomb and CPU tests), fault (a controller hidden
# with DROIDSPACES_FAULT).  Needs: musl-gcc (probes), jq.

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# limit_dir NAME CTL: the directory holding container NAME's CTL limit files:
# the v1 hierarchy of CTL where the host mounts one, else its cgroup2 directory.
limit_dir() {
	local m
	m=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk -v c="$2" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $1; exit } }')
	if [[ -n $m && $(cg2_mount) != /sys/fs/cgroup ]]; then
		echo "$m/droidspaces/$1"
	else
		ct_cgroup "$1"
	fi
}

# v1_host CTL: CTL is a v1 controller here.
v1_host() { [[ $(limit_dir x "$1") != "$(ct_cgroup x)" ]]; }

# cpu_usec NAME: CPU time the container's cgroup has used (cgroup2 cpu.stat, else v1 cpuacct.usage).
cpu_usec() {
	local d
	d=$(ct_cgroup "$1")
	if [[ -r $d/cpu.stat ]] && grep -q '^usage_usec ' "$d/cpu.stat"; then
		awk '$1 == "usage_usec" { print $2 }' "$d/cpu.stat"
	else
		echo $(($(cat "$(limit_dir "$1" cpuacct)/cpuacct.usage") / 1000))
	fi
}

# oom_kills NAME: how many OOM kills the kernel counted in the container's memory cgroup.
oom_kills() {
	local d
	d=$(limit_dir "$1" memory)
	if [[ -r $d/memory.events ]]; then
		awk '$1 == "oom_kill" { print $2 }' "$d/memory.events"
	else
		awk '$1 == "oom_kill" { print $2 }' "$d/memory.oom_control"
	fi
}

# at_least N CMD...: CMD's output is a number >= N (for wait_for, which expands its arguments
# once); the value is printed, so a wait_for that times out shows the last one.
at_least() {
	local n=$1 v
	shift
	v=$("$@") && echo "$v" && [[ $v =~ ^[0-9]+$ ]] && ((v >= n))
}

# pids_now NAME: tasks in the container's pids cgroup.
pids_now() { cat "$(limit_dir "$1" pids)/pids.current"; }

# usec_since T0: microseconds of wall time since T0 (_ds_usec_now).
usec_since() { echo $(($(_ds_usec_now) - $1)); }

# bats test_tags=load
@test "limits: a guest past --memory is OOM-killed inside; the container and the host live on" {
	require_fixture busybox
	require_cmd musl-gcc
	local root name=lim-mem d
	root=$(fixture_copy busybox)
	start_ct "$name" "$root" --memory=64M
	d=$(limit_dir "$name" memory)
	echo "# memory limit in $d" >&3
	if v1_host memory; then
		[ "$(cat "$d/memory.limit_in_bytes")" -eq $((64 << 20)) ]
		# swap held to the same where the kernel accounts it
		[[ ! -e $d/memory.memsw.limit_in_bytes ]] || [ "$(cat "$d/memory.memsw.limit_in_bytes")" -eq $((64 << 20)) ]
	else
		[ "$(cat "$d/memory.max")" -eq $((64 << 20)) ]
		[[ ! -e $d/memory.swap.max ]] || [ "$(cat "$d/memory.swap.max")" = 0 ]
	fi
	# init itself is in that cgroup (joined before exec)
	grep -qx "$CT_PID" "$d/cgroup.procs"

	# Within the limit: fine (the probe's default is 16 MiB).
	run run_probe memprobe "$name"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"survived 16"* ]]
	[ "$(oom_kills "$name")" -eq 0 ]

	# Past it: killed by the kernel (SIGKILL, 128+9), long before 512 MiB.
	run -137 "$DS" --name="$name" run /memprobe 512
	echo "$output" | tail -n 3
	[[ $output != *survived* ]]
	[[ $output == *"allocated 8"* ]]
	[ "$(oom_kills "$name")" -ge 1 ]

	# The container is fine: same init, and it still runs commands.
	[ "$(ds_pid "$name")" = "$CT_PID" ]
	proc_alive "$CT_PID" "$CT_ST"
	run "$DS" --name="$name" run echo alive
	[ "$status" -eq 0 ]
	[ "$output" = alive ]
	stop_ct "$name"
	# no cgroup of it left in any hierarchy (common_teardown compares the whole tree too)
	[ -z "$(cgroups_of "$name")" ]
}

# bats test_tags=load
@test "limits: a fork bomb stops at --pids-limit; run, info and stop still work" {
	require_fixture busybox
	require_cmd musl-gcc
	local root name=lim-pids d refused
	root=$(fixture_copy busybox)
	# --cpus too: the bomb below must not eat the shared machine.
	start_ct "$name" "$root" --pids-limit=40 --cpus=0.5
	d=$(limit_dir "$name" pids)
	[ "$(cat "$d/pids.max")" -eq 40 ]
	grep -qx "$CT_PID" "$d/cgroup.procs"

	# Counted: forks fail with EAGAIN before 40 tasks (init and its shell hold some).
	run run_probe forkprobe "$name"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ forked\ ([0-9]+)\ errno\ 11 ]]
	((BASH_REMATCH[1] > 5 && BASH_REMATCH[1] < 40))
	run "$DS" --name="$name" run true
	[ "$status" -eq 0 ]

	# A real one, left running: every process forks for ever and retries a
	# failed fork (probes/forkbomb.c), so the cgroup fills to the limit and
	# stays there; the kernel counts the refused forks in pids.events.
	refused=$(awk '$1 == "max" { print $2 }' "$d/pids.events")
	run_probe forkbomb "$name" >/dev/null 2>&1 &
	BG_PIDS+=($!)
	wait_for 20 at_least 40 pids_now "$name"
	for _ in 1 2 3 4 5; do
		[ "$(pids_now "$name")" -le 40 ]
	done
	wait_for 10 at_least $((refused + 1)) awk '$1 == "max" { print $2 }' "$d/pids.events"
	echo "# pids.current under the bomb: $(cat "$d/pids.current")" >&3
	# The host side of the container answers: info, then stop.
	json_run --name="$name" info --json
	[ "$(jq -r .limits.pids <<<"$output")" = 40 ]
	[ "$(jq -r .usage.pids <<<"$output")" -le 40 ]
	stop_ct "$name"
	wait_bg || true
	[ -z "$(cgroups_of "$name")" ]
}

# bats test_tags=load
@test "limits: --cpus=0.5 holds two busy loops near half a CPU" {
	require_fixture busybox
	local root name=lim-cpu d u0 u1 t0 t1 milli
	root=$(fixture_copy busybox)
	start_ct "$name" "$root" --cpus=0.5
	d=$(limit_dir "$name" cpu)
	if v1_host cpu; then
		[ "$(cat "$d/cpu.cfs_quota_us")" -eq 50000 ]
		[ "$(cat "$d/cpu.cfs_period_us")" -eq 100000 ]
	else
		[ "$(cat "$d/cpu.max")" = "50000 100000" ]
	fi
	# Two loops: unlimited they would take both CPUs of this machine.
	"$DS" --name="$name" run sh -c 'while :; do :; done & while :; do :; done' >/dev/null 2>&1 &
	BG_PIDS+=($!)
	wait_for 10 at_least 200000 cpu_usec "$name"
	u0=$(cpu_usec "$name")
	t0=$(_ds_usec_now)
	# Measured over 4 s of wall time (polling, no fixed sleep: wait for the clock).
	wait_for 10 at_least 4000000 usec_since "$t0"
	u1=$(cpu_usec "$name")
	t1=$(_ds_usec_now)
	milli=$(((u1 - u0) * 1000 / (t1 - t0)))
	echo "# --cpus=0.5: $milli thousandths of a CPU over $(((t1 - t0) / 1000)) ms" >&3
	((milli >= 200 && milli <= 800))
	json_run --name="$name" info --json
	[ "$(jq -r .limits.cpus_milli <<<"$output")" = 500 ]
	[ "$(jq -r .usage.cpu_usec <<<"$output")" -ge "$u1" ]
	stop_ct "$name"
	wait_bg || true
}

# v1_of_pid PID CTL: PID's cgroup in the v1 hierarchy of CTL (empty where CTL is not v1).
v1_of_pid() { awk -F: -v c="$2" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$1/cgroup"; }

# sleeper_of NAME: the PID of a `sleep` in the container's cgroup.
sleeper_of() {
	local p
	for p in $(cat "$(ct_cgroup "$1")/cgroup.procs"); do
		comm_is "$p" sleep && echo "$p" && return 0
	done
	return 1
}

# bats test_tags=load
@test "update: a running container's limits change at once (its tasks join v1 controllers it did not use), are saved, and hold" {
	require_fixture busybox
	require_cmd musl-gcc
	local root name=lim-upd d cfg
	root=$(fixture_copy busybox)
	start_ct "$name" "$root"
	cfg=$DROIDSPACES_WORKSPACE/Containers/$name/container.config
	refute grep -q '^pids_limit=' "$cfg"
	# a task that was there before the update (a sleeper started by run)
	"$DS" --name="$name" run sleep 600 >/dev/null 2>&1 &
	BG_PIDS+=($!)
	wait_for 10 sleeper_of "$name"
	local sleeper
	sleeper=$(sleeper_of "$name")

	ds_run --name="$name" update --pids-limit=30 --memory=64M --cpus=0.5
	[ "$status" -eq 0 ]
	[[ $output == *"Container $name updated: the running container has the new limits"* ]]
	d=$(limit_dir "$name" pids)
	[ "$(cat "$d/pids.max")" -eq 30 ]
	grep -qx "$CT_PID" "$d/cgroup.procs"
	if v1_host memory; then
		[ "$(cat "$(limit_dir "$name" memory)/memory.limit_in_bytes")" -eq $((64 << 20)) ]
		[ "$(v1_of_pid "$CT_PID" memory)" = "/droidspaces/$name" ]
		[ "$(v1_of_pid "$sleeper" memory)" = "/droidspaces/$name" ]
		[ "$(v1_of_pid "$sleeper" pids)" = "/droidspaces/$name" ]
		[ "$(cat "$(limit_dir "$name" cpu)/cpu.cfs_quota_us")" -eq 50000 ]
	else
		[ "$(cat "$(limit_dir "$name" memory)/memory.max")" -eq $((64 << 20)) ]
		[ "$(cat "$(limit_dir "$name" cpu)/cpu.max")" = "50000 100000" ]
	fi
	grep -qx 'pids_limit=30' "$cfg"
	grep -qx 'memory=64M' "$cfg"
	grep -qx 'cpus=0.5' "$cfg"
	# every task of the container is under the limit now, and new ones too
	run run_probe forkprobe "$name"
	echo "$output"
	[[ $output =~ forked\ ([0-9]+)\ errno\ 11 ]]
	((BASH_REMATCH[1] < 30))
	json_run --name="$name" info --json
	[ "$(jq -r .limits.pids <<<"$output")" = 30 ]

	# raised (v1 memory: memsw before RAM), then lifted by 0
	ds_run --name="$name" update --memory=512M --pids-limit=0
	[ "$status" -eq 0 ]
	[ "$(cat "$d/pids.max")" = max ]
	if v1_host memory; then
		[ "$(cat "$(limit_dir "$name" memory)/memory.limit_in_bytes")" -eq $((512 << 20)) ]
	fi
	refute grep -q '^pids_limit=' "$cfg"
	grep -qx 'memory=512M' "$cfg"
	grep -qx 'cpus=0.5' "$cfg" # untouched

	# stopped: only the saved settings; the next start has them
	stop_ct "$name"
	wait_bg || true
	ds_run --name="$name" update --pids-limit=25
	[ "$status" -eq 0 ]
	[[ $output == *"it is stopped; its next start has the new limits"* ]]
	[ -z "$(cgroups_of "$name")" ]
	ds_run --name="$name" start
	[ "$status" -eq 0 ]
	adopt_ct "$name"
	[ "$(cat "$(limit_dir "$name" pids)/pids.max")" -eq 25 ]
	stop_ct "$name"
}

@test "update: bad input is refused with one line and changes nothing" {
	require_fixture busybox
	local root name=lim-upd-bad cfg before
	root=$(fixture_copy busybox)
	# a name with no saved settings: nothing is created
	run_ds_err --name=lim-none update --memory=64M
	[ "$status" -ne 0 ]
	assert_one_error_line "container lim-none has no saved settings"
	[ ! -e "$DROIDSPACES_WORKSPACE/Containers/lim-none" ]
	start_ct "$name" "$root" --pids-limit=50
	cfg=$DROIDSPACES_WORKSPACE/Containers/$name/container.config
	before=$(cat "$cfg")
	run_ds_err --name="$name" update
	[ "$status" -ne 0 ]
	assert_one_error_line "update needs a limit to change"
	run_ds_err update --memory=64M
	[ "$status" -ne 0 ]
	assert_one_error_line "no container name: use --name=NAME"
	run_ds_err --name="$name" update --memory=12X
	[ "$status" -eq 2 ]
	assert_one_error_line "--memory: invalid value '12X'"
	run_ds_err --name="$name" update --hostname=other
	[ "$status" -eq 2 ]
	assert_one_error_line "update does not take --hostname"
	run_ds_err --name="$name" update --pids-limit=5 extra
	[ "$status" -ne 0 ]
	assert_one_error_line "update takes no arguments"
	# a controller the host lacks: one line naming it; the rest untouched
	DROIDSPACES_FAULT=no-cgroup-pids run_ds_err --name="$name" update --pids-limit=10
	[ "$status" -ne 0 ]
	assert_one_error_line "--pids-limit needs the pids cgroup controller"
	[ "$(cat "$(limit_dir "$name" pids)/pids.max")" -eq 50 ]
	[ "$(cat "$cfg")" = "$before" ]
	stop_ct "$name"
}

@test "limits: saved, shown by info, kept by restart, undone by 0; bad values refused with one line" {
	require_fixture busybox
	require_cmd jq
	local root name=lim-info cfg
	root=$(fixture_copy busybox)
	local bad
	for bad in --memory=12X --memory=512 --memory=-1M --cpus=0.001 --cpus=two --cpus=2000 \
		--pids-limit=-1 --pids-limit=99999999 --cpu-weight=0x10 --cpu-weight=10001 --io-weight=-5; do
		run_ds_err --name="$name" --rootfs="$root" "$bad" start
		[ "$status" -eq 2 ]
		assert_one_error_line "${bad%%=*}: invalid value '${bad#*=}'"
		# nothing started, nothing saved
		[ ! -e "$(ws_pidfile "$name")" ]
		[ ! -e "$DROIDSPACES_WORKSPACE/Containers/$name/container.config" ]
	done

	start_ct "$name" "$root" --memory=256M --cpus=1.5 --pids-limit=500 --cpu-weight=50 --io-weight=20
	cfg=$DROIDSPACES_WORKSPACE/Containers/$name/container.config
	grep -qx 'memory=256M' "$cfg"
	grep -qx 'cpus=1.5' "$cfg"
	grep -qx 'pids_limit=500' "$cfg"
	grep -qx 'cpu_weight=50' "$cfg"
	grep -qx 'io_weight=20' "$cfg"
	if v1_host cpu; then
		[ "$(cat "$(limit_dir "$name" cpu)/cpu.shares")" -eq 512 ]
	else
		[ "$(cat "$(limit_dir "$name" cpu)/cpu.weight")" -eq 50 ]
	fi
	# the I/O weight in the first file of the kernel's: generic, else BFQ's (their scales)
	local io
	if v1_host blkio; then
		io=$(limit_dir "$name" blkio)
		if [[ -e $io/blkio.weight ]]; then
			[ "$(cat "$io/blkio.weight")" -eq 100 ]
		else
			[ "$(cat "$io/blkio.bfq.weight")" -eq 20 ]
		fi
	else
		io=$(ct_cgroup "$name")
		if [[ -e $io/io.weight ]]; then
			[[ $(cat "$io/io.weight") == *"default 20"* ]]
		else
			[[ $(cat "$io/io.bfq.weight") == *"default 20"* ]]
		fi
	fi
	echo "# io weight in $io" >&3

	ds_run --name="$name" info
	echo "$output"
	[[ $output == *"Limits:      memory 256M  cpus 1.5  pids 500  cpu-weight 50  io-weight 20"* ]]
	[[ $output =~ Usage:\ +memory\ [0-9.]+M\ +pids\ [0-9]+\ +cpu\ [0-9.]+s ]]
	json_run --name="$name" info --json
	[ "$(jq -r .limits.memory_bytes <<<"$output")" -eq $((256 << 20)) ]
	[ "$(jq -r .limits.cpus_milli <<<"$output")" -eq 1500 ]
	[ "$(jq -r .limits.cpu_weight <<<"$output")" -eq 50 ]
	[ "$(jq -r .limits.io_weight <<<"$output")" -eq 20 ]
	[ "$(jq -r .usage.memory_bytes <<<"$output")" -gt 0 ]
	[ "$(jq -r .usage.pids <<<"$output")" -ge 1 ]
	[ "$(jq -r .usage.cpu_usec <<<"$output")" -ge 0 ]

	# restart keeps them (from the saved file); 0 removes one.
	ds_run --name="$name" --memory=0 restart
	[ "$status" -eq 0 ]
	adopt_ct "$name"
	# (a limit that is not set is not saved)
	refute grep -q '^memory=' "$cfg"
	grep -qx 'pids_limit=500' "$cfg"
	[ "$(cat "$(limit_dir "$name" pids)/pids.max")" -eq 500 ]
	json_run --name="$name" info --json
	[ "$(jq -r .limits.memory_bytes <<<"$output")" -eq 0 ]
	stop_ct "$name"

	# Stopped: the saved limits, no usage.
	json_run --name="$name" info --json
	[ "$(jq -r .limits.pids <<<"$output")" -eq 500 ]
	[ "$(jq -r .usage <<<"$output")" = null ]
}

# bats test_tags=fault
@test "limits: a controller the host lacks fails the start, naming it; nothing is left" {
	require_fixture busybox
	local root name=lim-miss
	root=$(fixture_copy busybox)
	track_container "$name"
	DROIDSPACES_FAULT=no-cgroup-pids run_ds_err --name="$name" --rootfs="$root" --pids-limit=10 start
	[ "$status" -ne 0 ]
	[[ $stderr == *"--pids-limit needs the pids cgroup controller, which this host does not have"* ]]
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	[ ! -e "$(ws_pidfile "$name")" ]
	[ -z "$(cgroups_of "$name")" ]
	# Without the limit the same host starts it.
	DROIDSPACES_FAULT=no-cgroup-pids start_ct "$name" "$root"
	stop_ct "$name"
}

@test "limits: what free and nproc show inside (reported, not asserted)" {
	require_fixture busybox
	local root name=lim-see
	root=$(fixture_copy busybox)
	start_ct "$name" "$root" --memory=128M --cpus=1
	run "$DS" --name="$name" run free -m
	[ "$status" -eq 0 ]
	local l
	while IFS= read -r l; do echo "# inside, free -m: $l"; done <<<"$output" >&3
	run "$DS" --name="$name" run nproc
	[ "$status" -eq 0 ]
	echo "# inside, nproc: $output (host: $(nproc)); no LXCFS-like view: /proc/meminfo and the CPU count are the host's" >&3
	run "$DS" --name="$name" run ls /sys/fs/cgroup
	echo "# inside, /sys/fs/cgroup: $(tr '\n' ' ' <<<"$output")" >&3
	stop_ct "$name"
}
