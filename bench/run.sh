#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# droidspaces benchmark harness (issue 8): start, boot, stop, run, console,
# memory and scale, side by side with the bare syscalls, systemd-nspawn, LXC
# and crun, on the same root filesystems, in one run.  `make bench` runs it;
# BENCHMARKS.md explains every row and holds the results of a real run.
#
# Usage (as root):  bench/run.sh                 full run (~3 min on 2 cores)
#                   BENCH_QUICK=1 bench/run.sh   fewer iterations (~40 s)
# Environment:
#   DS_BIN          droidspaces binary (default: output/droidspaces, built by make)
#   BENCH_QUICK=1   the short version
#   BENCH_GROUPS    subset of: start boot attach net scale podman (default: all six;
#                   attach = run latency, console throughput and memory;
#                   net = TCP guest to uplink, --net=nat against a plain veth;
#                   podman = podman run --rm ... true through droidspaces-oci,
#                   runc and crun, those installed that run here)
#   BENCH_OUT       results directory (default: build/bench/results)
#   BENCH_LOCK      lock file held (flock) around each group that runs
#                   containers, so that host-state-comparing tests can
#                   interleave; "" disables it.  Default:
#                   /var/cache/droidspaces-test/e2e.lock when its directory exists
#   BENCH_SETTLE_MS pause between two timed commands (default 50): every
#                   invocation is measured as a user would meet it, not in a
#                   hot loop
#   BENCH_N_START BENCH_N_BOOT BENCH_N_RUN BENCH_N_CONSOLE BENCH_N_PODMAN  iteration counts
#   BENCH_CONSOLE_MIB  bytes pushed through the console rows (default 256)
#   BENCH_SCALE     container counts of the scale group (default "1 10 50")
#
# Every timed row alternates its variants (A B C A B C ..., the order rotated
# each round) so that drift on a noisy machine hits all of them alike.  Raw
# samples go to $BENCH_OUT/raw.tsv, the tables (bench/report.sh) to
# $BENCH_OUT/summary.md and stdout.
#
# Nothing is left behind: containers are stopped, mounts unmounted, the
# cgroups the peers create (systemd-nspawn's payload/supervisor, LXC's
# lxc.pivot, lxc.monitor.NAME) removed, and the peers' state directories that did not exist
# before (/run/lxc, /run/systemd/nspawn) deleted.  No peer gets networking:
# nspawn --private-network, LXC lxc.net.0.type=empty, crun a network
# namespace; droidspaces containers share the host's network namespace
# (without CAP_NET_ADMIN), except the --net=nat rows, which run in network
# namespaces of the harness's own.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DS_TEST_CACHE:-/var/cache/droidspaces-test}
FIXTURE_MNT=$CACHE/mnt
BB_ROOT=$FIXTURE_MNT/rootfs/busybox
SD_ROOT=$FIXTURE_MNT/rootfs/debian-systemd

QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then
	: "${BENCH_N_START:=8}" "${BENCH_N_BOOT:=2}" "${BENCH_N_RUN:=12}" "${BENCH_N_CONSOLE:=2}" "${BENCH_N_PODMAN:=6}"
	: "${BENCH_CONSOLE_MIB:=64}" "${BENCH_SCALE:=1 10}"
else
	: "${BENCH_N_START:=40}" "${BENCH_N_BOOT:=10}" "${BENCH_N_RUN:=60}" "${BENCH_N_CONSOLE:=5}" "${BENCH_N_PODMAN:=20}"
	: "${BENCH_CONSOLE_MIB:=256}" "${BENCH_SCALE:=1 10 50}"
fi
: "${BENCH_SETTLE_MS:=50}" "${BENCH_GROUPS:=start boot attach net scale podman}"
BENCH_OUT=${BENCH_OUT:-$REPO/build/bench/results}
if [[ -z ${BENCH_LOCK+x} ]]; then
	BENCH_LOCK=
	[[ -d $CACHE ]] && BENCH_LOCK=$CACHE/e2e.lock
fi
DS=$(realpath -m "${DS_BIN:-$REPO/output/droidspaces}")
DSB=$REPO/build/bench/dsbench
export DS DSB REPO CACHE FIXTURE_MNT BB_ROOT SD_ROOT QUICK BENCH_OUT BENCH_SETTLE_MS
export BENCH_N_START BENCH_N_BOOT BENCH_N_RUN BENCH_N_CONSOLE BENCH_N_PODMAN BENCH_CONSOLE_MIB BENCH_SCALE

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	printf 'bench: ERROR: %s\n' "$*" >&2
	exit 1
}
# Wall-clock stamps in microseconds, without a fork: t0=${EPOCHREALTIME/./}
# ms_since T0: milliseconds (3 decimals) from T0 to now.
ms_since() {
	local d=$((${EPOCHREALTIME/./} - $1))
	printf '%d.%03d' $((d / 1000)) $((d % 1000))
}
settle() { sleep "$(awk -v m="$BENCH_SETTLE_MS" 'BEGIN { printf "%.3f", m / 1000 }')"; }

# rec GROUP METRIC VARIANT ITER VALUE UNIT: one raw sample.
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }

# kv KEY "k=v k=v ...": the value of KEY in a dsbench time line.
kv() {
	local w
	for w in $2; do
		[[ $w == "$1="* ]] && { printf '%s' "${w#*=}"; return 0; }
	done
	return 1
}

# rotate I ITEMS...: the items, starting at index I mod count.
rotate() {
	local i=$1
	shift
	local n=$# k
	local -a a=("$@")
	for ((k = 0; k < n; k++)); do printf '%s\n' "${a[(i + k) % n]}"; done
}

# --------------------------------------------------------------------------
# host bookkeeping: cgroups, peers' leftovers

# The cgroup2 mount, and the named systemd v1 hierarchy of a hybrid host.
cg2_root() { findmnt -rn -t cgroup2 -o TARGET | head -n 1; }
cg1_systemd_root() { findmnt -rn -t cgroup -o TARGET,OPTIONS | awk '/name=systemd/ { print $1; exit }'; }
hybrid_with_controllers() {
	local r
	r=$(cg2_root)
	# (cgroupfs files have no size: read them)
	[[ -n $r && $r != /sys/fs/cgroup ]] && [[ -n $(cat "$r/cgroup.controllers" 2>/dev/null) ]]
}

# systemd-nspawn --keep-unit creates payload/ and supervisor/ below the
# cgroup it runs in: a cgroup of our own, so that they go with it.
cg_enter() {
	local r own
	CG_DIRS=()
	for r in "$(cg2_root)" "$(cg1_systemd_root)"; do
		[[ -n $r && -d $r ]] || continue
		own=$r/dsbench.$$
		mkdir -p "$own"
		echo "$BASHPID" >"$own/cgroup.procs"
		CG_DIRS+=("$r")
	done
}
# Processes left in our cgroups but ourselves (a peer's guest whose
# supervisor died): killed by PID, each one a process this section started.
cg_kill_rest() {
	local r p left=0
	for r in "${CG_DIRS[@]}"; do
		while read -r p; do
			[[ -n $p && $p != "$BASHPID" && $p != "$$" ]] || continue
			log "WARNING: killing leftover process $p ($(cat "/proc/$p/comm" 2>/dev/null))"
			kill -KILL "$p" 2>/dev/null || true
			left=1
		done < <(find "$r/dsbench.$$" -mindepth 2 -name cgroup.procs -exec cat {} + 2>/dev/null)
	done
	[[ $left == 0 ]] || sleep 0.5
}

cg_leave() {
	local r own i
	for r in "${CG_DIRS[@]}"; do
		own=$r/dsbench.$$
		[[ -d $own ]] || continue
		echo "$BASHPID" >"$r/cgroup.procs" 2>/dev/null || true
		for i in $(seq 50); do
			find "$own" -depth -type d -exec rmdir {} + 2>/dev/null || true
			[[ -d $own ]] || break
			sleep 0.1
		done
		if [[ -d $own ]]; then log "WARNING: cannot remove cgroup $own"; fi
	done
	CG_DIRS=()
}

# The cgroups LXC leaves behind: lxc.pivot, and lxc.monitor.NAME of lxc-start -d's monitor.
lxc_cgroups() { find /sys/fs/cgroup -maxdepth 2 \( -name lxc.pivot -o -name 'lxc.monitor.*' \) -type d 2>/dev/null; }

# Peers' traces that the section must remove: what existed before is kept.
leftovers_snapshot() {
	PRE_LXC_PIVOT=$(lxc_cgroups | sort | tr '\n' ' ')
	PRE_RUN_LXC=0
	[[ -e /run/lxc ]] && PRE_RUN_LXC=1
	PRE_RUN_NSPAWN=0
	[[ -e /run/systemd/nspawn ]] && PRE_RUN_NSPAWN=1
	PRE_RUN_CONTAINERS=0
	[[ -e /run/containers ]] && PRE_RUN_CONTAINERS=1
	return 0
}
leftovers_remove() {
	local d
	while read -r d; do
		[[ -z $d || " $PRE_LXC_PIVOT " == *" $d "* ]] || rmdir "$d" 2>/dev/null || log "WARNING: cannot remove $d"
	done < <(lxc_cgroups)
	if [[ $PRE_RUN_LXC == 0 && -d /run/lxc ]] && ! findmnt -rn -o TARGET | grep -q '^/run/lxc'; then
		rm -rf /run/lxc
	fi
	if [[ $PRE_RUN_NSPAWN == 0 && -d /run/systemd/nspawn ]] && ! findmnt -rn -o TARGET | grep -q '^/run/systemd/nspawn'; then
		rm -rf /run/systemd/nspawn
	fi
	# podman makes netavark's run directory whatever --network
	if [[ $PRE_RUN_CONTAINERS == 0 ]]; then rmdir /run/containers/networks /run/containers 2>/dev/null || true; fi
}

# --------------------------------------------------------------------------
# memory of a process: RSS and PSS in KiB

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kib() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# Every process of a cgroup2 directory and below.
cgroup_pids() { find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null; }

ds_pid() { sed -n 1p "$DROIDSPACES_WORKSPACE/Pids/$1.pid"; }
ds_monitor() { sed -n 's/^monitor=//p' "$DROIDSPACES_WORKSPACE/Pids/$1.pid"; }

# wait_file PATH SECONDS: until PATH exists (10 ms steps; the harness may poll).
wait_file() {
	local i n=$(($2 * 100))
	for ((i = 0; i < n; i++)); do
		[[ -e $1 ]] && return 0
		sleep 0.01
	done
	return 1
}

# guest_init PID SECONDS: the child of PID that is PID 1 of a PID namespace
# of its own (the guest's init, not one of the runtime's setup helpers, which
# come and go); 5 ms steps.
guest_init() {
	local i c n=$(($2 * 200))
	for ((i = 0; i < n; i++)); do
		for c in $(pgrep -P "$1"); do
			if awk '/^NSpid:/ { exit !(NF > 2 && $NF == 1) }' "/proc/$c/status" 2>/dev/null; then
				echo "$c"
				return 0
			fi
		done
		[[ -d /proc/$1 ]] || return 1
		sleep 0.005
	done
	return 1
}

# booted_child PID SECONDS: the child of PID (a guest's init) once its
# /run/ds-test-booted exists (the child may change while the runtime sets up).
booted_child() {
	local i c n=$(($2 * 100))
	for ((i = 0; i < n; i++)); do
		for c in $(pgrep -P "$1"); do
			[[ -e /proc/$c/root/run/ds-test-booted ]] && { echo "$c"; return 0; }
		done
		[[ -d /proc/$1 ]] || return 1
		sleep 0.01
	done
	return 1
}

# nspawn_halt PID: SIGTERM to systemd-nspawn (it halts its guest) and wait for
# it; status 1 when it had to be asked again (rarely, systemd-nspawn 252 lets
# a first SIGTERM go unanswered; such a sample is not recorded).
nspawn_halt() {
	local rc=0
	kill -TERM "$1" 2>/dev/null || return 0
	if ! "$DSB" exited "$1" 20000; then
		log "systemd-nspawn $1 did not stop on SIGTERM within 20 s: asking again"
		rc=1
		kill -TERM "$1" 2>/dev/null || true
		"$DSB" exited "$1" 10000 || kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
	return $rc
}

# systemd_ready PID: waits until `systemctl is-system-running --wait` inside
# PID's namespaces answers; prints the state (running, degraded, ...).  Before
# systemd's bus is up, systemctl fails at once: retried every 10 ms.
systemd_ready() {
	local out i
	for ((i = 0; i < 3000; i++)); do
		if out=$(nsenter -t "$1" -a systemctl is-system-running --wait 2>&1); then
			echo "$out"
			return 0
		fi
		case $out in
		*degraded* | *maintenance* | *stopping*) echo "$out"; return 0 ;;
		esac
		[[ -d /proc/$1 ]] || { echo "init-died"; return 1; }
		sleep 0.01
	done
	echo "timeout"
	return 1
}

# ==========================================================================
# group: start overhead (busybox rootfs whose init writes a marker and exits)

# tiny: the configuration of distributions' templates (common.conf: /proc,
# /sys and cgroup mounts, capability drop, seccomp, device cgroup);
# tinybare: only what the test needs.
lxc_config_tiny() {
	mkdir -p "$W/lxc/tiny" "$W/lxc/tinybare"
	cat >"$W/lxc/tinybare/config" <<-EOF
		lxc.uts.name = tinybare
		lxc.rootfs.path = dir:$W/tiny
		lxc.net.0.type = empty
		lxc.apparmor.profile = unconfined
		lxc.mount.entry = $W/mark m none bind,create=dir 0 0
		lxc.init.cmd = /sbin/init
		lxc.tty.max = 0
	EOF
	cat >"$W/lxc/tiny/config" <<-EOF
		lxc.include = /usr/share/lxc/config/common.conf
		lxc.tty.max = 0
		lxc.uts.name = tiny
		lxc.rootfs.path = dir:$W/tiny
		lxc.net.0.type = empty
		lxc.apparmor.profile = unconfined
		lxc.mount.entry = $W/mark m none bind,create=dir 0 0
		lxc.init.cmd = /sbin/init
	EOF
}

# oci_bundle DIR ROOT ARGS_JSON [EXTRA_MOUNTS_JSON]
oci_bundle() {
	local dir=$1 root=$2 args=$3 extra=${4:-} cgpath=
	mkdir -p "$dir"
	hybrid_with_controllers || cgpath="\"cgroupsPath\": \"/dsbench.$$/$(basename "$dir")\","
	cat >"$dir/config.json" <<-EOF
		{
		  "ociVersion": "1.0.0",
		  "process": {
		    "terminal": false,
		    "user": { "uid": 0, "gid": 0 },
		    "args": $args,
		    "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "container=crun" ],
		    "cwd": "/",
		    "noNewPrivileges": true
		  },
		  "root": { "path": "$root", "readonly": false },
		  "hostname": "$(basename "$dir")",
		  "mounts": [
		    { "destination": "/proc", "type": "proc", "source": "proc" },
		    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		    { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
		    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] },
		    { "destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "nodev", "mode=755" ] }$extra
		  ],
		  "linux": {
		    $cgpath
		    "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }, { "type": "cgroup" } ],
		    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/sys/firmware" ],
		    "readonlyPaths": [ "/proc/sys", "/proc/sysrq-trigger" ]
		  }
		}
	EOF
}

# crun 1.8 refuses a hybrid host whose cgroup2 has controllers: hidden from it.
crun_cmd() {
	if hybrid_with_controllers; then
		echo "$DSB hide-unified crun --cgroup-manager=disabled --root=$W/crun-state"
	else
		echo "crun --root=$W/crun-state"
	fi
}

start_variant() { # VARIANT -> dsbench time line
	local v=$1 m=$W/mark/marker
	local t=("$DSB" time -q -T 15000 -m "$m")
	case $v in
	"bare syscalls") "${t[@]}" -- "$DSB" floor -B "$W/mark:/m" "$W/tiny" /sbin/init ;;
	droidspaces)
		"${t[@]}" -l "$DROIDSPACES_WORKSPACE/Locks/tiny.lock" -- \
			"$DS" --name=tiny --rootfs="$W/tiny" -B "$W/mark:/m" start ;;
	"droidspaces --privileged=all")
		# the same without the confinement (seccomp filter): its cost is the difference
		# (a name of its own: saved settings would carry --privileged over)
		"${t[@]}" -l "$DROIDSPACES_WORKSPACE/Locks/tinyp.lock" -- \
			"$DS" --name=tinyp --rootfs="$W/tiny" -B "$W/mark:/m" --privileged=all start ;;
	"droidspaces --memory --pids-limit")
		# the resource limits (issue 17): on a hybrid host the v1 memory and pids
		# cgroups are created, written and joined besides the cgroup2 one
		"${t[@]}" -l "$DROIDSPACES_WORKSPACE/Locks/tinyl.lock" -- \
			"$DS" --name=tinyl --rootfs="$W/tiny" -B "$W/mark:/m" --memory=256M --pids-limit=512 start ;;
	"droidspaces --net=nat")
		# issue 15: the bridge, nftables table, veth pair and eth0 made and undone each
		# time; in a network namespace of the bench's own (nsenter costs ~1 ms of it)
		"${t[@]}" -l "$DROIDSPACES_WORKSPACE/Locks/tinyn.lock" -- nsenter -t "$NET_HOLDER" -n -- \
			"$DS" --name=tinyn --rootfs="$W/tiny" -B "$W/mark:/m" --net=nat start ;;
	systemd-nspawn)
		"${t[@]}" -- systemd-nspawn -q -D "$W/tiny" --register=no --keep-unit --private-network \
			--bind="$W/mark:/m" /sbin/init ;;
	"lxc-start -d") "${t[@]}" -- lxc-start -n tiny -P "$W/lxc" ;;
	lxc-execute) "${t[@]}" -- lxc-execute -n tiny -P "$W/lxc" -- /sbin/init ;;
	"lxc-execute, bare config") "${t[@]}" -- lxc-execute -n tinybare -P "$W/lxc" -- /sbin/init ;;
	"crun run")
		# shellcheck disable=SC2046
		"${t[@]}" -- $(crun_cmd) run -b "$W/oci/tiny" tiny ;;
	esac
}

# After each sample: the container is gone before the next one starts.
start_after() {
	case $1 in
	"lxc-start -d") lxc-wait -n tiny -P "$W/lxc" -s STOPPED -t 10 >/dev/null 2>&1 || true ;;
	droidspaces) flock "$DROIDSPACES_WORKSPACE/Locks/tiny.lock" true ;;
	"droidspaces --privileged=all") flock "$DROIDSPACES_WORKSPACE/Locks/tinyp.lock" true ;;
	"droidspaces --memory --pids-limit") flock "$DROIDSPACES_WORKSPACE/Locks/tinyl.lock" true ;;
	"droidspaces --net=nat") flock "$DROIDSPACES_WORKSPACE/Locks/tinyn.lock" true ;;
	esac
	rm -f "$W/mark/marker"
}

group_start() {
	log "start overhead: ${BENCH_N_START} rounds"
	local variants=("bare syscalls" droidspaces "droidspaces --privileged=all" "droidspaces --memory --pids-limit"
		"droidspaces --net=nat" systemd-nspawn "lxc-start -d" lxc-execute
		"lxc-execute, bare config" "crun run")
	local i v out rc
	# --net=nat runs in a network namespace of our own (lo up), never the machine's
	unshare --net -- sh -c 'ip link set lo up; exec sleep 100000' </dev/null >/dev/null 2>&1 &
	NET_HOLDER=$!
	for v in "${variants[@]}"; do # warm-up, not recorded
		rm -f "$W/mark/marker"
		start_variant "$v" >/dev/null 2>>"$LOGF" </dev/null || log "warm-up of $v failed (see $LOGF)"
		start_after "$v"
	done
	for ((i = 0; i < BENCH_N_START; i++)); do
		while IFS= read -r v; do
			rc=0
			out=$(start_variant "$v" 2>>"$LOGF" </dev/null) || rc=$?
			start_after "$v"
			if [[ $rc != 0 || $(kv rc "$out") != 0 ]]; then
				log "start: $v failed (round $i): ${out:-exit $rc}"
				continue
			fi
			rec start "marker written and CLI returned" "$v" "$i" "$(kv ready "$out")" ms
			rec start "CLI returned" "$v" "$i" "$(kv cli "$out")" ms
			case $v in
			droidspaces*) rec start "container gone (cleanup done)" "$v" "$i" "$(kv gone "$out")" ms ;;
			"lxc-start -d") ;;
			*) rec start "container gone (cleanup done)" "$v" "$i" "$(kv cli "$out")" ms ;;
			esac
			settle
		done < <(rotate "$i" "${variants[@]}")
	done
	kill "$NET_HOLDER" 2>/dev/null || true
	wait "$NET_HOLDER" 2>/dev/null || true
}

# ==========================================================================
# group: boot of Debian 12 with systemd to "running", and halt (volatile)

boot_one() { # VARIANT ITER
	local v=$1 i=$2 t0 t1 t2 pid state=none sup=0 nsp out tw
	case $v in
	droidspaces)
		t0=${EPOCHREALTIME/./}
		# start --wait returns at systemd's READY=1; the external check below confirms "running".
		out=$("$DS" --name=sd --rootfs="$SD_ROOT" -V start --wait=60 2>>"$LOGF") || { log "boot: droidspaces start --wait failed"; return 1; }
		tw=$(ms_since "$t0")
		pid=$(ds_pid sd)
		state=$(systemd_ready "$pid") || true
		t1=$(ms_since "$t0")
		if [[ $state == running && $out =~ ready\ in\ ([0-9]+)\ ms ]]; then
			rec boot "start --wait returned (READY=1)" "$v" "$i" "$tw" ms
			rec boot "init to READY=1 (start --wait's own figure)" "$v" "$i" "${BASH_REMATCH[1]}" ms
		fi
		sup=$(ds_monitor sd)
		rec boot "supervisor RSS, systemd guest" "$v" "$i" "$(rss_kib "$sup")" KiB
		t2=${EPOCHREALTIME/./}
		"$DS" --name=sd stop >/dev/null 2>>"$LOGF" || log "boot: droidspaces stop failed"
		;;
	systemd-nspawn)
		t0=${EPOCHREALTIME/./}
		systemd-nspawn -q -D "$SD_ROOT" -b --volatile=overlay --register=no --keep-unit \
			--private-network -M sdn --console=read-only >>"$BENCH_OUT/nspawn-console.log" 2>&1 </dev/null &
		nsp=$!
		BG_PIDS+=("$nsp")
		pid=$(guest_init "$nsp" 15)
		state=$(systemd_ready "$pid") || true
		t1=$(ms_since "$t0")
		rec boot "supervisor RSS, systemd guest" "$v" "$i" "$(rss_kib "$nsp")" KiB
		t2=${EPOCHREALTIME/./}
		if ! nspawn_halt "$nsp"; then
			state="stuck at stop"
		fi
		;;
	"lxc-start")
		mkdir -p "$W/lxcup"
		mount -t tmpfs -o mode=0755 dsbench-lxc "$W/lxcup"
		mkdir -p "$W/lxcup/sd/upper"
		t0=${EPOCHREALTIME/./}
		lxc-start -n sd -P "$W/lxc" 2>>"$LOGF" || { umount "$W/lxcup"; log "boot: lxc-start failed"; return 1; }
		pid=$(lxc-info -n sd -P "$W/lxc" -p -H)
		state=$(systemd_ready "$pid") || true
		t1=$(ms_since "$t0")
		sup=$(ps -o ppid= -p "$pid" | tr -d ' ')
		rec boot "supervisor RSS, systemd guest" "$v" "$i" "$(rss_kib "$sup")" KiB
		t2=${EPOCHREALTIME/./}
		lxc-stop -n sd -P "$W/lxc" 2>>"$LOGF" || log "boot: lxc-stop failed"
		;;
	esac
	local t3
	t3=$(ms_since "$t2")
	if [[ $v == lxc-start ]]; then umount "$W/lxcup"; fi
	if [[ $state != running ]]; then
		log "boot: $v reached '$state' (not recorded)"
		rec boot "samples dropped (guest not running, or runtime stuck at stop)" "$v" "$i" 1 count
		return 0
	fi
	rec boot "start to is-system-running = running" "$v" "$i" "$t1" ms
	rec boot "stop to halted (CLI returned)" "$v" "$i" "$t3" ms
}

group_boot() {
	log "boot (Debian 12 systemd, volatile): ${BENCH_N_BOOT} rounds"
	mkdir -p "$W/lxc/sd"
	cat >"$W/lxc/sd/config" <<-EOF
		lxc.include = /usr/share/lxc/config/common.conf
		lxc.tty.max = 0
		lxc.uts.name = sd
		lxc.rootfs.path = overlay:$SD_ROOT:$W/lxcup/sd/upper
		lxc.net.0.type = empty
		lxc.apparmor.profile = unconfined
		lxc.signal.halt = SIGRTMIN+3
	EOF
	local variants=(droidspaces systemd-nspawn lxc-start) i v
	for ((i = 0; i < BENCH_N_BOOT; i++)); do
		while IFS= read -r v; do
			boot_one "$v" "$i" </dev/null || true
			sleep 0.3
		done < <(rotate "$i" "${variants[@]}")
	done
}

# ==========================================================================
# group: run latency, console throughput, memory (busybox guests, volatile)

attach_setup() {
	"$DS" --name=bb --rootfs="$BB_ROOT" -V start >/dev/null 2>>"$LOGF"
	DSPID=$(ds_pid bb)
	wait_file "/proc/$DSPID/root/run/ds-test-booted" 10 || die "droidspaces busybox guest did not boot"
	mkdir -p "$W/lxc/bb" "$W/lxcbb"
	mount -t tmpfs -o mode=0755 dsbench-lxcbb "$W/lxcbb"
	mkdir -p "$W/lxcbb/upper"
	cat >"$W/lxc/bb/config" <<-EOF
		lxc.include = /usr/share/lxc/config/common.conf
		lxc.tty.max = 0
		lxc.uts.name = bb
		lxc.rootfs.path = overlay:$BB_ROOT:$W/lxcbb/upper
		lxc.net.0.type = empty
		lxc.apparmor.profile = unconfined
		lxc.signal.halt = SIGUSR2
	EOF
	lxc-start -n bb -P "$W/lxc" 2>>"$LOGF" || die "lxc-start of the busybox guest failed"
	LXCPID=$(lxc-info -n bb -P "$W/lxc" -p -H)
	wait_file "/proc/$LXCPID/root/run/ds-test-booted" 10 || die "LXC busybox guest did not boot"
}

attach_teardown() {
	"$DS" --name=bb stop >/dev/null 2>>"$LOGF" || true
	lxc-stop -n bb -P "$W/lxc" -t 10 >/dev/null 2>>"$LOGF" || true
	findmnt -rn --mountpoint "$W/lxcbb" >/dev/null && umount "$W/lxcbb"
	return 0
}

run_variant() {
	case $1 in
	"droidspaces run") "$DSB" time -q -- "$DS" --name=bb run true ;;
	"nsenter -a (floor)") "$DSB" time -q -- nsenter -t "$DSPID" -a true ;;
	lxc-attach) "$DSB" time -q -- lxc-attach -n bb -P "$W/lxc" -- true ;;
	esac
}

group_run() {
	log "run latency: ${BENCH_N_RUN} rounds"
	local variants=("droidspaces run" "nsenter -a (floor)" lxc-attach) i v out
	for v in "${variants[@]}"; do run_variant "$v" >/dev/null 2>>"$LOGF" </dev/null || true; done
	for ((i = 0; i < BENCH_N_RUN; i++)); do
		while IFS= read -r v; do
			out=$(run_variant "$v" 2>>"$LOGF" </dev/null) || true
			if [[ $(kv rc "$out") == 0 ]]; then
				rec run "run true in a running guest" "$v" "$i" "$(kv cli "$out")" ms
			else
				log "run: $v failed: $out"
			fi
			settle
		done < <(rotate "$i" "${variants[@]}")
	done
}

console_cmd() { # VARIANT BYTES -> shell pipeline
	local bb=$BB_ROOT/bin/busybox sink="$DSB sink >$W/count"
	local head="head -c $2 /dev/zero"
	case $1 in
	"plain pipe") echo "$bb $head | $sink" ;;
	"droidspaces run") echo "$DS --name=bb run $head | $sink" ;;
	"nsenter -a") echo "nsenter -t $DSPID -a $head | $sink" ;;
	lxc-attach) echo "lxc-attach -n bb -P $W/lxc -- $head | $sink" ;;
	"script (one PTY)") echo "script -qec '$bb $head' /dev/null | $sink" ;;
	"droidspaces run in script") echo "script -qec '$DS --name=bb run $head' /dev/null | $sink" ;;
	"lxc-attach in script") echo "script -qec 'lxc-attach -n bb -P $W/lxc -- $head' /dev/null | $sink" ;;
	esac
}

group_console() {
	local bytes=$((BENCH_CONSOLE_MIB * 1048576)) i v out ms got zeros metric
	log "console throughput: ${BENCH_CONSOLE_MIB} MiB, ${BENCH_N_CONSOLE} rounds"
	local variants=("plain pipe" "droidspaces run" "nsenter -a" lxc-attach
		"script (one PTY)" "droidspaces run in script" "lxc-attach in script")
	for ((i = 0; i < BENCH_N_CONSOLE; i++)); do
		while IFS= read -r v; do
			rm -f "$W/count"
			out=$("$DSB" time -T 120000 -- sh -c "$(console_cmd "$v" "$bytes")" 2>>"$LOGF" </dev/null) || true
			read -r got zeros <"$W/count" 2>/dev/null || { got=0; zeros=0; }
			ms=$(kv cli "$out") || ms=
			if [[ -z $ms || $zeros != "$bytes" ]]; then
				log "console: $v delivered $zeros of $bytes bytes ($out)"
				rec console "runs that lost output (count)" "$v" "$i" 1 count
				continue
			fi
			# A PTY echoes the EOF that script(1) sends when its stdin ends ("^D").
			[[ $got == "$bytes" ]] || echo "console: $v: $((got - bytes)) bytes besides the payload" >>"$LOGF"
			case $v in
			*script*) metric="console throughput, with a PTY (${BENCH_CONSOLE_MIB} MiB)" ;;
			*) metric="console throughput, no PTY (${BENCH_CONSOLE_MIB} MiB)" ;;
			esac
			rec console "$metric" "$v" "$i" "$(awk -v b="$bytes" -v m="$ms" 'BEGIN { printf "%.1f", b / 1048576 / (m / 1000) }')" MiB/s
			settle
		done < <(rotate "$i" "${variants[@]}")
	done
}

# Size of an executable with the shared libraries it loads, in KiB.
exe_kib() {
	local exe total lib
	exe=$(command -v "$1") || { echo 0; return; }
	total=$(stat -Lc %s "$exe")
	for lib in $(ldd "$exe" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		total=$((total + $(stat -Lc %s "$lib")))
	done
	echo $((total / 1024))
}

group_memory() {
	log "memory: supervisors of running busybox guests"
	local mon nsp crunpid initp k
	mon=$(ds_monitor bb)
	rec memory "supervisor RSS, busybox guest" "droidspaces monitor" 0 "$(rss_kib "$mon")" KiB
	rec memory "supervisor PSS, busybox guest" "droidspaces monitor" 0 "$(pss_kib "$mon")" KiB
	k=$(ps -o ppid= -p "$LXCPID" | tr -d ' ')
	rec memory "supervisor RSS, busybox guest" "lxc monitor" 0 "$(rss_kib "$k")" KiB
	rec memory "supervisor PSS, busybox guest" "lxc monitor" 0 "$(pss_kib "$k")" KiB

	systemd-nspawn -q -D "$BB_ROOT" --volatile=overlay --register=no --keep-unit --private-network \
		-M bbn /sbin/init >>"$BENCH_OUT/nspawn-console.log" 2>&1 </dev/null &
	nsp=$!
	BG_PIDS+=("$nsp")
	if initp=$(booted_child "$nsp" 10); then
		rec memory "supervisor RSS, busybox guest" "systemd-nspawn" 0 "$(rss_kib "$nsp")" KiB
		rec memory "supervisor PSS, busybox guest" "systemd-nspawn" 0 "$(pss_kib "$nsp")" KiB
	else
		log "memory: nspawn busybox guest did not boot"
	fi
	# SIGTERM: nspawn kills its container (--kill-signal) and exits.
	nspawn_halt "$nsp" || true

	# crun run in the foreground stays as the container's parent.
	mkdir -p "$W/crunbb"
	mount -t tmpfs -o mode=0755 dsbench-crunbb "$W/crunbb"
	mkdir -p "$W/crunbb/upper" "$W/crunbb/work" "$W/crunbb/root"
	mount -t overlay -o "lowerdir=$BB_ROOT,upperdir=$W/crunbb/upper,workdir=$W/crunbb/work" dsbench-crunbb "$W/crunbb/root"
	oci_bundle "$W/oci/bb" "$W/crunbb/root" '[ "/sbin/init" ]'
	# shellcheck disable=SC2046
	$(crun_cmd) run -b "$W/oci/bb" bb >>"$LOGF" 2>&1 </dev/null &
	crunpid=$!
	BG_PIDS+=("$crunpid")
	# (hide-unified executes crun in place: same PID)
	if initp=$(booted_child "$crunpid" 10); then
		rec memory "supervisor RSS, busybox guest" "crun run" 0 "$(rss_kib "$crunpid")" KiB
		rec memory "supervisor PSS, busybox guest" "crun run" 0 "$(pss_kib "$crunpid")" KiB
	else
		log "memory: crun busybox guest did not boot (crun $crunpid, init ${initp:-none})"
	fi
	# shellcheck disable=SC2046
	$(crun_cmd) kill bb KILL >/dev/null 2>&1 || true
	wait "$crunpid" 2>/dev/null || true
	# shellcheck disable=SC2046
	$(crun_cmd) delete -f bb >/dev/null 2>&1 || true
	umount "$W/crunbb/root" && umount "$W/crunbb"

	log "memory: executable sizes"
	rec memory "executable + shared libraries (KiB)" "droidspaces (static, stripped)" 0 $(($(stat -c %s "$DS") / 1024)) KiB
	rec memory "executable + shared libraries (KiB)" "systemd-nspawn" 0 "$(exe_kib systemd-nspawn)" KiB
	rec memory "executable + shared libraries (KiB)" "lxc-start" 0 "$(exe_kib lxc-start)" KiB
	rec memory "executable + shared libraries (KiB)" "crun" 0 "$(exe_kib crun)" KiB
}

group_attach() {
	attach_setup
	group_run
	group_console
	group_memory
	attach_teardown
}

# ==========================================================================
# group: network throughput, guest to uplink: --net=nat against a plain veth

# in_own_netns PID: PID's network namespace is not ours (unshare has run).
in_own_netns() { [[ $(readlink "/proc/$1/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }

# net_rig: HOLDER (where the guest starts; uplink ds-veth0 192.0.2.10/24) and
# OUTSIDE (ds-veth1 192.0.2.1/24), two network namespaces of our own.
net_rig() {
	local n
	unshare --net -- sleep 100000 </dev/null >/dev/null 2>&1 &
	NET_HOLDER=$!
	unshare --net -- sleep 100000 </dev/null >/dev/null 2>&1 &
	NET_OUTSIDE=$!
	BG_PIDS+=("$NET_HOLDER" "$NET_OUTSIDE")
	for n in $(seq 50); do
		in_own_netns "$NET_HOLDER" && in_own_netns "$NET_OUTSIDE" && break
		sleep 0.1
	done
	nsenter -t "$NET_HOLDER" -n -- sh -ec "
		ip link set lo up
		ip link add ds-veth0 type veth peer name ds-veth1
		ip link set ds-veth1 netns $NET_OUTSIDE
		ip addr add 192.0.2.10/24 dev ds-veth0
		ip link set ds-veth0 up"
	nsenter -t "$NET_OUTSIDE" -n -- sh -ec '
		ip link set lo up
		ip addr add 192.0.2.1/24 dev ds-veth1
		ip link set ds-veth1 up'
}

# net_listening: the receiver in OUTSIDE listens on port 5001.
net_listening() { nsenter -t "$NET_OUTSIDE" -n -- ss -Hltn 'sport = :5001' | grep -q .; }

# net_send VARIANT BYTES: BYTES zeros over TCP to the receiver -> dsbench time line.
net_send() {
	local pid=$NET_HOLDER
	[[ $1 == "droidspaces --net=nat" ]] && pid=$(ds_pid netb)
	"$DSB" time -T 120000 -- nsenter -t "$pid" -n -- bash -c "head -c $2 /dev/zero >/dev/tcp/192.0.2.1/5001"
}

group_net() {
	local bytes=$((BENCH_CONSOLE_MIB * 1048576)) i v out ms got zeros sink n
	log "network throughput: ${BENCH_CONSOLE_MIB} MiB guest to uplink, ${BENCH_N_CONSOLE} rounds"
	net_rig
	if ! nsenter -t "$NET_HOLDER" -n -- "$DS" --name=netb --rootfs="$BB_ROOT" -V --net=nat start \
		>/dev/null 2>>"$LOGF" </dev/null; then
		log "net: the --net=nat guest did not start (see $LOGF)"
		return 0
	fi
	# the same bytes, from the guest's eth0 (bridge, masquerade, uplink) and from the holder itself (the uplink only)
	local variants=("droidspaces --net=nat" "plain veth (floor)")
	for ((i = 0; i < BENCH_N_CONSOLE; i++)); do
		while IFS= read -r v; do
			rm -f "$W/count"
			timeout 120 nsenter -t "$NET_OUTSIDE" -n -- "$BB_ROOT/bin/busybox" nc -l -p 5001 </dev/null |
				"$DSB" sink >"$W/count" &
			sink=$!
			for n in $(seq 100); do
				if net_listening; then break; fi
				sleep 0.05
			done
			out=$(net_send "$v" "$bytes" 2>>"$LOGF" </dev/null) || true
			wait "$sink" || true
			read -r got zeros <"$W/count" 2>/dev/null || { got=0; zeros=0; }
			ms=$(kv cli "$out") || ms=
			if [[ -z $ms || $(kv rc "$out") != 0 || $got != "$bytes" ]]; then
				log "net: $v delivered $got of $bytes bytes ($out)"
				continue
			fi
			rec net "TCP throughput, guest to uplink (${BENCH_CONSOLE_MIB} MiB)" "$v" "$i" \
				"$(awk -v b="$bytes" -v m="$ms" 'BEGIN { printf "%.1f", b / 1048576 / (m / 1000) }')" MiB/s
			settle
		done < <(rotate "$i" "${variants[@]}")
	done
	"$DS" --name=netb stop >/dev/null 2>>"$LOGF" || true
}

# ==========================================================================
# group: scale, 1/10/50 volatile busybox containers

# Host memory in use as free(1) counts it (total - free - buffers - page
# cache - reclaimable slab), plus Shmem (the guests' tmpfs and overlay upper
# layers live there): processes, page tables, kernel stacks, unreclaimable slab.
mem_used_kib() {
	awk '{ v[$1] = $2 } END { print v["MemTotal:"] - v["MemFree:"] - v["Buffers:"] - v["Cached:"] - v["SReclaimable:"] + v["Shmem:"] }' /proc/meminfo
}

group_scale() {
	local n i t0 total names before after mon_pss guest_pss p out
	for n in $BENCH_SCALE; do
		log "scale: $n containers"
		sync
		sleep 0.5
		before=$(mem_used_kib)
		names=
		t0=${EPOCHREALTIME/./}
		for ((i = 1; i <= n; i++)); do
			"$DS" --name="s$i" --rootfs="$BB_ROOT" -V start >/dev/null 2>>"$LOGF" || log "scale: start of s$i failed"
			names+=${names:+,}s$i
		done
		total=$(ms_since "$t0")
		rec scale "start all" "N=$n" 0 "$total" ms
		rec scale "start, per container" "N=$n" 0 "$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.3f", t / n }')" ms
		for ((i = 1; i <= n; i++)); do
			wait_file "/proc/$(ds_pid "s$i")/root/run/ds-test-booted" 10 || log "scale: s$i did not boot"
		done
		sleep 1
		after=$(mem_used_kib)
		mon_pss=0
		guest_pss=0
		for ((i = 1; i <= n; i++)); do
			mon_pss=$((mon_pss + $(pss_kib "$(ds_monitor "s$i")")))
			for p in $(cgroup_pids "$(cg2_root)/droidspaces/s$i"); do
				guest_pss=$((guest_pss + $(pss_kib "$p")))
			done
		done
		rec scale "monitor PSS, per container" "N=$n" 0 $((mon_pss / n)) KiB
		rec scale "guest processes PSS, per container" "N=$n" 0 $((guest_pss / n)) KiB
		rec scale "host memory used, per container" "N=$n" 0 $(((after - before) / n)) KiB
		for ((i = 0; i < 5; i++)); do
			out=$("$DSB" time -q -- "$DS" show 2>>"$LOGF" </dev/null) || true
			rec scale "show" "N=$n" "$i" "$(kv cli "$out")" ms
			settle
		done
		out=$("$DSB" time -q -- "$DS" --name="$names" stop 2>>"$LOGF" </dev/null) || true
		[[ $(kv rc "$out") == 0 ]] || log "scale: stop of $n containers: $out"
		rec scale "stop all (one stop --name=a,b,...)" "N=$n" 0 "$(kv cli "$out")" ms
		for ((i = 1; i <= n; i++)); do
			if [[ -e $DROIDSPACES_WORKSPACE/Pids/s$i.pid ]]; then log "scale: s$i still has a pidfile"; fi
		done
	done
}

# ==========================================================================
# group: podman run --rm ... true through each OCI runtime (issue 16)

group_podman() {
	if ! command -v podman >/dev/null; then
		log "podman: not installed (apt-get install podman), group skipped"
		return 0
	fi
	log "podman run: ${BENCH_N_PODMAN} rounds"
	# podman refuses a run root path over 50 characters: one in /tmp
	PODMAN_RUNROOT=$(mktemp -d /tmp/dsbp.XXXXXX)
	mkdir -p "$W/podman/bin"
	cp "$DS" "$W/podman/bin/droidspaces-oci" # the personality is chosen by the name
	cp -a "$BB_ROOT" "$W/podman/rootfs"
	local -A rt=([droidspaces-oci]=$W/podman/bin/droidspaces-oci)
	local v i out
	for v in runc crun; do
		if command -v "$v" >/dev/null; then rt[$v]=$(command -v "$v"); fi
	done
	# As tests/oci/podman.sh: storage of its own (vfs), cgroupfs, no network, the rlimits this machine allows.
	PODMAN=(podman --root "$W/podman/storage" --runroot "$PODMAN_RUNROOT/run" --tmpdir "$PODMAN_RUNROOT/tmp"
		--network-config-dir "$PODMAN_RUNROOT/net" --storage-driver vfs --cgroup-manager cgroupfs --events-backend file)
	local run=(run --rm --network none --cgroups no-conmon --ulimit nofile=1024:2048 --ulimit nproc=1024:2048
		--log-driver k8s-file --rootfs "$W/podman/rootfs" /bin/true)
	local variants=()
	for v in droidspaces-oci runc crun; do # warm-up, not recorded; a runtime that fails here is left out
		[[ -n ${rt[$v]:-} ]] || continue
		if "${PODMAN[@]}" --runtime "${rt[$v]}" "${run[@]}" >/dev/null 2>>"$LOGF" </dev/null; then
			variants+=("$v")
		else
			log "podman: run with $v failed (see $LOGF): left out"
		fi
	done
	for ((i = 0; i < BENCH_N_PODMAN; i++)); do
		while IFS= read -r v; do
			out=$("$DSB" time -q -T 30000 -- "${PODMAN[@]}" --runtime "${rt[$v]}" "${run[@]}" 2>>"$LOGF" </dev/null) || true
			if [[ $(kv rc "$out") == 0 ]]; then
				rec podman "podman run --rm ... true returned" "$v" "$i" "$(kv cli "$out")" ms
			else
				log "podman: $v failed (round $i): $out"
			fi
			settle
		done < <(rotate "$i" "${variants[@]}")
	done
}

# ==========================================================================
# one group, with the host lock held (runs as its own process under flock)

section_cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [[ -d $DROIDSPACES_WORKSPACE/Pids ]] && compgen -G "$DROIDSPACES_WORKSPACE/Pids/*.pid" >/dev/null; then
		"$DS" stop --all >/dev/null 2>>"$LOGF" || true
	fi
	for p in tiny tinybare sd bb; do
		if [[ -d $W/lxc/$p ]]; then lxc-stop -n "$p" -P "$W/lxc" -k >/dev/null 2>&1 || true; fi
	done
	for p in "$W/crunbb/root" "$W/crunbb" "$W/lxcup" "$W/lxcbb"; do
		findmnt -rn --mountpoint "$p" >/dev/null && { umount "$p" || umount -l "$p"; }
	done
	if [[ -n ${PODMAN_RUNROOT:-} ]]; then
		"${PODMAN[@]}" rm -af >/dev/null 2>&1 || true
		rm -rf "$PODMAN_RUNROOT"
	fi
	cg_kill_rest
	cg_leave
	leftovers_remove
}

# The lock's file descriptor stays with flock(1), our parent: a guest or a
# peer's daemon that inherited it would hold the host lock after we are done.
close_inherited_fds() {
	local f n
	for f in "/proc/$BASHPID/fd/"*; do
		n=${f##*/}
		if [[ $n =~ ^[0-9]+$ ]] && ((n > 2 && n < 255)); then
			eval "exec $n>&-" 2>/dev/null || true
		fi
	done
}

run_section() {
	close_inherited_fds
	BG_PIDS=()
	CG_DIRS=()
	leftovers_snapshot
	trap section_cleanup EXIT
	trap 'exit 130' INT TERM
	cg_enter
	case $1 in
	start) group_start ;;
	boot) group_boot ;;
	attach) group_attach ;;
	net) group_net ;;
	scale) group_scale ;;
	podman) group_podman ;;
	*) die "unknown group $1" ;;
	esac
}

if [[ ${1:-} == __section ]]; then
	[[ ${BENCH_TRACE:-0} == 1 ]] && set -x
	run_section "$2"
	exit 0
fi

# ==========================================================================
# main: dependencies, builds, fixtures, work directory, groups, report

[[ $(id -u) == 0 ]] || die "run as root (containers need it)"

log "dependencies"
"$REPO/scripts/install-deps.sh"
# The peers (nspawn, LXC, crun) are for the start, boot and attach groups; net, scale and podman go without.
if tr ' ' '\n' <<<"$BENCH_GROUPS" | grep -Eqvx 'net|scale|podman|'; then
	if [[ -n $BENCH_LOCK ]]; then
		# Installing iptables/nftables (LXC's dependencies) changes what a host snapshot shows.
		mkdir -p "$(dirname "$BENCH_LOCK")"
		flock "$BENCH_LOCK" "$REPO/bench/install-peers.sh"
	else
		"$REPO/bench/install-peers.sh"
	fi
fi

log "build"
if [[ -z ${DS_BIN:-} ]]; then
	make -s -C "$REPO" all >/dev/null
fi
[[ -x $DS ]] || die "no droidspaces binary at $DS"
mkdir -p "$(dirname "$DSB")"
musl-gcc -O2 -static -Wall -Wextra -Werror -o "$DSB" "$REPO/bench/dsbench.c"

log "fixtures"
"$REPO/tests/fixtures/build.sh" busybox debian-systemd

mkdir -p "$BENCH_OUT"
RAW=$BENCH_OUT/raw.tsv
LOGF=$BENCH_OUT/bench.log
: >"$RAW"
: >"$LOGF"
: >"$BENCH_OUT/nspawn-console.log"
W=$(mktemp -d "$FIXTURE_MNT/tmp/bench.XXXXXX")
export W RAW LOGF
export DROIDSPACES_WORKSPACE=$W/ws

main_cleanup() {
	local rc=$?
	if grep -qF " $W/" /proc/self/mountinfo || grep -qF " $W " /proc/self/mountinfo; then
		log "WARNING: mounts left below $W, not removing it"
	else
		rm -rf --one-file-system "$W"
	fi
	return $rc
}
trap main_cleanup EXIT

# The start group's rootfs: the busybox fixture whose init writes a marker on
# a directory bind-mounted from the host (/m) and exits.  A shell builtin
# redirection, so the payload is one exec of busybox sh and no more.
cp -a "$BB_ROOT" "$W/tiny"
rm -f "$W/tiny/sbin/init"
printf '#!/bin/sh\n: >/m/marker\n' >"$W/tiny/sbin/init"
chmod 0755 "$W/tiny/sbin/init"
mkdir -p "$W/tiny/m" "$W/mark" "$W/crun-state"
lxc_config_tiny
oci_bundle "$W/oci/tiny" "$W/tiny" '[ "/sbin/init" ]' ",
    { \"destination\": \"/m\", \"type\": \"bind\", \"source\": \"$W/mark\", \"options\": [ \"rbind\", \"rw\" ] }"

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "command: ${BENCH_QUICK:+BENCH_QUICK=$BENCH_QUICK }make bench"
	echo "git: $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores$(lscpu | awk -F': *' '/^Hypervisor vendor/ { printf " (%s guest)", $2 }')"
	echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "cgroups: $(if [[ $(cg2_root) == /sys/fs/cgroup ]]; then echo unified; elif [[ -n $(cg2_root) ]]; then echo hybrid; else echo legacy; fi)"
	echo "droidspaces: $($DS --version 2>/dev/null | head -n 1), $(stat -c %s "$DS") bytes"
	echo "systemd-nspawn: $(systemd-nspawn --version 2>/dev/null | head -n 1)"
	echo "lxc: $(lxc-start --version 2>/dev/null)"
	echo "crun: $(crun --version 2>/dev/null | head -n 1)"
	echo "podman: $(podman --version 2>/dev/null); runc: $(runc --version 2>/dev/null | head -n 1)"
	echo "iterations: start ${BENCH_N_START}, boot ${BENCH_N_BOOT}, run ${BENCH_N_RUN}, console ${BENCH_N_CONSOLE} x ${BENCH_CONSOLE_MIB} MiB, scale ${BENCH_SCALE}, podman ${BENCH_N_PODMAN}; settle ${BENCH_SETTLE_MS} ms"
} >"$BENCH_OUT/machine.txt"

t_all=$(date +%s)
for g in $BENCH_GROUPS; do
	if [[ -n $BENCH_LOCK ]]; then
		log "group $g: waiting for $BENCH_LOCK"
		flock "$BENCH_LOCK" "$REPO/bench/run.sh" __section "$g"
	else
		"$REPO/bench/run.sh" __section "$g"
	fi
done
log "done in $(($(date +%s) - t_all)) s; raw samples in $RAW, log in $LOGF"
"$REPO/bench/report.sh" "$BENCH_OUT" | tee "$BENCH_OUT/summary.md"
