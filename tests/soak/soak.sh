#!/usr/bin/env bash
# Soak test (issue 7, "load held"): many start/stop cycles of a busybox and a
# systemd container, and many volatile containers from one rootfs at once.
# Every cycle must end with the host's mounts, loop devices, cgroups, PTYs,
# the caller's fds, the pidfiles and the processes in other namespaces exactly
# as before; a full host snapshot (tests/e2e/helpers.bash) is compared at the
# end of each phase.  Runs as root, with the e2e fixtures (built if missing).
#
#   SOAK_BUSYBOX_CYCLES   busybox start/stop cycles        (default 500)
#   SOAK_SYSTEMD_CYCLES   debian-systemd start/stop cycles (default 50)
#   SOAK_MANY             volatile busybox containers at once, stopped with
#                         one multi-name stop                (default 50)
#   SOAK_SNAPSHOT_EVERY   full host snapshot every N cycles  (default 50)
#   DROIDSPACES_BIN       binary under test (default output/droidspaces)
#   DS_TEST_KEEP=1        keep the scratch dir
#
# Serialise with the e2e suite:
#   flock /var/cache/droidspaces-test/e2e.lock tests/soak/soak.sh
# Output: one line per phase and a final "soak: ... held" line with the
# figures; exit status 0 only when every cycle held.

# errexit as in bats (the helpers are written for it); no nounset/pipefail.
set -eE

SOAK_BUSYBOX_CYCLES=${SOAK_BUSYBOX_CYCLES:-500}
SOAK_SYSTEMD_CYCLES=${SOAK_SYSTEMD_CYCLES:-50}
SOAK_MANY=${SOAK_MANY:-50}
SOAK_SNAPSHOT_EVERY=${SOAK_SNAPSHOT_EVERY:-50}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# helpers.bash expects bats' skip; outside bats a skip is fatal.
skip() {
	echo "soak: $*" >&2
	exit 1
}
# shellcheck source=../e2e/helpers.bash
source "$here/../e2e/helpers.bash"

die() {
	echo "soak: FAILED: $*" >&2
	[[ -n ${DS_TEST_DIR:-} ]] && echo "soak: files kept in $DS_TEST_DIR" >&2
	export DS_TEST_KEEP=1
	exit 1
}

[[ $(id -u) == 0 ]] || {
	echo "soak: must run as root" >&2
	exit 1
}
[[ -x $DS ]] || {
	echo "soak: no binary at $DS (run make)" >&2
	exit 1
}
"$DS_FIXTURE_BUILD" >&2

# common_setup wants these from bats.
export BATS_TEST_FILENAME=soak.bats BATS_TEST_NUMBER=0
common_setup

# Stop what may still run, then the usual teardown checks (host unchanged).
finish() {
	local rc=$? n
	trap - EXIT
	while IFS= read -r n; do
		[[ -e $DROIDSPACES_WORKSPACE/Pids/$n.pid ]] || continue
		timeout 60 "$DS" --name="$n" stop >/dev/null 2>&1 || true
	done <"$DS_TEST_DIR/.containers"
	[[ $rc == 0 ]] || export DS_TEST_KEEP=1
	common_teardown || {
		echo "soak: FAILED: the teardown found the host changed (see above)" >&2
		rc=1
	}
	exit "$rc"
}
trap finish EXIT

init_of() { sed -n 1p "$DROIDSPACES_WORKSPACE/Pids/$1.pid" 2>/dev/null; }

# systemd is up when the marker unit ran; not "running" (a unit may still
# be starting), which the e2e suite checks.
sd_booted() { booted "$1"; }

# cycles FIXTURE COUNT: start/stop COUNT times, host state checked each cycle.
cycles() {
	local fixture=$1 count=$2 root name i pid st out base now t0 boot_to=20 ms
	[[ $count -gt 0 ]] || return 0
	[[ $fixture == debian-systemd ]] && boot_to=120
	root=$(fixture_copy "$fixture")
	name=soak-${fixture%%-*}
	track_container "$name"
	base=$(quick_state)
	t0=$(_ds_usec_now)
	for ((i = 1; i <= count; i++)); do
		out=$("$DS" --name="$name" --rootfs="$root" start 2>&1 </dev/null) ||
			die "$fixture cycle $i: start failed: $out"
		pid=$(init_of "$name")
		[[ $pid =~ ^[0-9]+$ ]] || die "$fixture cycle $i: no pidfile after start ($out)"
		st=$(_ds_starttime "$pid") || die "$fixture cycle $i: init $pid is gone right after start"
		wait_for "$boot_to" booted "$pid" || die "$fixture cycle $i: did not boot in ${boot_to}s"
		out=$(timeout 120 "$DS" --name="$name" stop 2>&1 </dev/null) ||
			die "$fixture cycle $i: stop failed: $out"
		[[ $out == "Container $name stopped" ]] || die "$fixture cycle $i: stop said: $out"
		[[ $(_ds_starttime "$pid" 2>/dev/null) != "$st" ]] || die "$fixture cycle $i: init $pid survived stop"
		[[ ! -e $DROIDSPACES_WORKSPACE/Pids/$name.pid ]] || die "$fixture cycle $i: pidfile left"
		flock -n "$DROIDSPACES_WORKSPACE/Locks/$name.lock" true || die "$fixture cycle $i: lock still held"
		now=$(quick_state)
		if [[ $now != "$base" ]]; then
			diff -u --label before --label "after cycle $i" <(echo "$base") <(echo "$now") >&2 || true
			die "$fixture cycle $i: the host state changed"
		fi
		if ((i % SOAK_SNAPSHOT_EVERY == 0 || i == count)); then
			host_snapshot "$DS_TEST_DIR/host.$name.$i"
			host_diff "$DS_TEST_DIR/host.before" "$DS_TEST_DIR/host.$name.$i" >&2 ||
				die "$fixture cycle $i: the full host snapshot changed"
			ms=$((($(_ds_usec_now) - t0) / 1000 / i))
			echo "soak: $fixture: $i/$count cycles held (${ms} ms per cycle)"
		fi
	done
	[[ $(wc -l <"$root/var/log/ds-test-boots") == "$count" ]] ||
		die "$fixture: $(wc -l <"$root/var/log/ds-test-boots") boots recorded, expected $count"
}

# many COUNT: COUNT volatile busybox containers of one rootfs at once.
many() {
	local count=$1 root i names='' out pid state
	[[ $count -gt 0 ]] || return 0
	root=$(fixture_copy busybox)
	state=$(find "$root" -printf '%p %y %m %s %T@\n' | sort)
	local base
	base=$(quick_state)
	for ((i = 1; i <= count; i++)); do
		track_container "soak-v$i"
		out=$("$DS" --name="soak-v$i" --rootfs="$root" -V start 2>&1 </dev/null) ||
			die "volatile $i: start failed: $out"
		names+=${names:+,}soak-v$i
	done
	for ((i = 1; i <= count; i++)); do
		pid=$(init_of "soak-v$i")
		wait_for 30 booted "$pid" || die "volatile $i did not boot"
	done
	out=$("$DS" show 2>&1) || die "show failed: $out"
	[[ $(grep -cE '^\| soak-v[0-9]+ +\| running ' <<<"$out") == "$count" ]] ||
		die "show does not list $count running containers: $out"
	out=$(timeout 300 "$DS" --name="$names" stop 2>&1 </dev/null) || die "multi-name stop failed: $out"
	[[ $(grep -c '^Container soak-v[0-9]* stopped$' <<<"$out") == "$count" ]] ||
		die "multi-name stop did not stop all $count: $out"
	[[ $(quick_state) == "$base" ]] || {
		diff -u <(echo "$base") <(quick_state) >&2 || true
		die "volatile: the host state changed"
	}
	[[ $(find "$root" -printf '%p %y %m %s %T@\n' | sort) == "$state" ]] || die "volatile: the shared rootfs changed"
	echo "soak: volatile: $count containers from one rootfs started, shown and stopped with one stop"
}

t_start=$(_ds_usec_now)
cycles busybox "$SOAK_BUSYBOX_CYCLES"
cycles debian-systemd "$SOAK_SYSTEMD_CYCLES"
many "$SOAK_MANY"
held="$SOAK_BUSYBOX_CYCLES busybox cycles, $SOAK_SYSTEMD_CYCLES systemd cycles, $SOAK_MANY volatile containers at once; host unchanged ($((($(_ds_usec_now) - t_start) / 1000000)) s)"
echo "soak: held: $held"
mkdir -p "$DS_FIGURES" && echo "$held" >"$DS_FIGURES/soak.txt"
