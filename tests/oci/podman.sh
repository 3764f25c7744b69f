#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# podman driving droidspaces-oci (opt-in: make test-podman, which holds the
# e2e lock; root). Over a copy of the busybox fixture as --rootfs (no registry
# is reachable here): run --rm gives the program's exit code; run -d, exec,
# logs, stop, rm; run -it and exec -it in a terminal of tmux (a program's
# output, the terminal's size and what is typed through the PTY, and its exit
# code);
# a systemd guest (the systemd fixture, an overlay over it as --rootfs, so
# that it stays unchanged) with --systemd=always boots to "running" and
# stops on podman stop (SIGRTMIN+3) with no SIGKILL; and podman leaves
# nothing behind on the host (mounts, cgroups, network namespaces,
# processes of the runtime).
#
# podman keeps its storage, run root and events in a directory of its own
# (vfs: no storage mounts), uses cgroupfs (no systemd here), no cgroup for
# conmon (podman would leave libpod_parent/conmon in every v1 hierarchy) and
# --network none (the host's network is shared with other tests). This machine's
# bounding set lacks CAP_SYS_RESOURCE, so podman's default rlimits for root
# would be refused by any runtime: the --ulimit options below.
#
# Usage: tests/oci/podman.sh [RUNTIME]   (default: output/droidspaces as droidspaces-oci;
#                                         a name such as runc is looked up in PATH)
#        tests/oci/podman.sh --compare   the checks with droidspaces-oci, then with runc (when installed),
#                                        and both tallies; the exit status is droidspaces-oci's
# Prints ok / not ok per check and exits 1 if any failed, 77 when it cannot run.
# shellcheck disable=SC2016 # commands for the container's shell in single quotes
set -uo pipefail
SELF=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SELF")/../.." || exit 1

FIXTURE=${FIXTURE:-/var/cache/droidspaces-test/mnt/rootfs/busybox}
SD_FIXTURE=${SD_FIXTURE:-/var/cache/droidspaces-test/mnt/rootfs/debian-systemd}
TMPBASE=${TMPDIR:-/var/cache/droidspaces-test/mnt/tmp}
skip() {
	echo "podman-test: SKIP: $*"
	exit 77
}
[[ $(id -u) == 0 ]] || skip "needs root"
command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
[[ -d $FIXTURE ]] || skip "no busybox fixture at $FIXTURE (make fixtures)"
[[ -d $SD_FIXTURE ]] || skip "no systemd fixture at $SD_FIXTURE (make fixtures)"
command -v tmux >/dev/null || skip "tmux is not installed"

if [[ ${1:-} == --compare ]]; then
	# Each runtime in a run of its own; the last line of each is its tally.
	if ! command -v runc >/dev/null; then
		echo "podman-test: runc is not installed (scripts/install-deps.sh oci): droidspaces-oci alone"
		exec "$SELF"
	fi
	tallies=$(mktemp "$TMPBASE/podman-tallies.XXXXXX")
	"$SELF" | tee "$tallies"
	st=${PIPESTATUS[0]}
	((st == 77)) && rm -f "$tallies" && exit 77
	tail -n 1 "$tallies" >"$tallies.ds"
	"$SELF" runc | tee "$tallies"
	echo "podman-test: compared (the exit status is droidspaces-oci's):"
	cat "$tallies.ds"
	tail -n 1 "$tallies"
	rm -f "$tallies" "$tallies.ds"
	exit "$st"
fi

T=$(mktemp -d "$TMPBASE/podman.XXXXXX")
# podman refuses a run root path over 50 characters.
R=$(mktemp -d /tmp/dsp.XXXXXX)
mkdir -p "$T/bin"
if [[ -n ${1:-} ]]; then
	runtime=$(command -v "$1") || skip "no runtime $1"
else
	# The personality is chosen by the name: a copy named droidspaces-oci.
	cp output/droidspaces "$T/bin/droidspaces-oci"
	runtime=$T/bin/droidspaces-oci
fi
cp -a "$FIXTURE" "$T/rootfs"

P=(podman --root "$T/storage" --runroot "$R/run" --tmpdir "$R/tmp" --network-config-dir "$R/net" --storage-driver vfs
	--cgroup-manager cgroupfs --events-backend file --runtime "$runtime")
OPTS=(--network none --cgroups no-conmon --ulimit nofile=1024:2048 --ulimit nproc=1024:2048 --log-driver k8s-file)
RUN=("${OPTS[@]}" --rootfs "$T/rootfs")

# What the host has that a container could leave: mount points, cgroups, network namespaces, runtime processes.
snapshot() {
	awk '{print $5}' /proc/self/mountinfo | sort
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d \( -name 'libpod*' -o -name '*droidspaces-oci*' -o -name 'machine.slice' \) 2>/dev/null | sort
	find /run/netns -mindepth 1 2>/dev/null | sort
	pgrep -a -f "conmon|$T|$R" | grep -v pgrep || true
}

fails=0
n=0
report() { # report OK DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [[ $1 == 0 ]]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2${3:+: $3}"
		fails=$((fails + 1))
	fi
}

# wait_for SECONDS CMD...: until CMD succeeds (a deadline, no fixed sleep).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}

before=$(snapshot)
# podman makes /run/containers/networks (netavark's run directory) whatever --network and the runtime: empty, it
# is removed at the end when it was not there before.
had_run_containers=$([[ -e /run/containers ]] && echo 1)

out=$("${P[@]}" run --rm "${RUN[@]}" sh -c 'echo hello from $(hostname); exit 3' 2>&1)
st=$?
report $((st != 3)) "run --rm: the program's exit code (3)" "status $st: $out"
[[ $out == *"hello from"* ]]
report $? "run --rm: the program's output" "$out"

id=$("${P[@]}" run -d "${RUN[@]}" sh -c 'echo started; trap "echo stopping; exit 0" TERM; while :; do sleep 0.2; done' 2>&1)
st=$?
report $st "run -d: a container id" "$id"
if [[ $st == 0 ]]; then
	logs_have() { "${P[@]}" logs "$id" 2>/dev/null | grep -q "$1"; }
	wait_for 20 logs_have started
	report $? "logs: what the program wrote" "$("${P[@]}" logs "$id" 2>&1)"
	out=$("${P[@]}" exec "$id" sh -c 'echo in-exec $((6 * 7)); exit 5' 2>&1)
	st=$?
	report $((st != 5)) "exec: the process's exit code (5)" "status $st"
	[[ $out == "in-exec 42" ]]
	report $? "exec: its output" "$out"
	out=$("${P[@]}" stop -t 10 "$id" 2>&1)
	report $? "stop" "$out"
	state=$("${P[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id" 2>&1)
	[[ $state == "exited 0" ]]
	report $? "stop: exited, status 0 (the program's TERM trap)" "$state"
	wait_for 10 logs_have stopping
	report $? "logs: what the program wrote at TERM"
	out=$("${P[@]}" rm "$id" 2>&1)
	report $? "rm" "$out"
fi

# run -it and exec -it in a terminal of a tmux server of our own: podman's stdio is the pane, the container's a PTY
# behind it.
TM=(tmux -L "dsp-$$" -f /dev/null)
PANE=
pane() { "${TM[@]}" capture-pane -p -t "$PANE" 2>/dev/null | tr -s ' \n' ' '; }
pane_has() { [[ $(pane) == *"$1"* ]]; }
# tty_checks SESSION WHAT STATUS PODMAN_ARGS...: podman PODMAN_ARGS sh -c SCRIPT in a pane of its own; the script's
# stdio is a terminal of the pane's size, a line typed reaches it, and podman exits with its status STATUS.
tty_checks() {
	local session=$1 what=$2 want=$3 size st
	shift 3
	PANE=$session
	"${TM[@]}" new-session -d -s "$session" -x 100 -y 30 \
		"$(printf '%q ' "${P[@]}" "$@" sh -c "echo tty=\$(tty) size=\$(stty size); read -r line; echo got=\$line; exit $want")
		echo \$? >$T/$session.status; exec cat"
	size=$("${TM[@]}" display -p -t "$session" '#{pane_height} #{pane_width}')
	wait_for 30 pane_has "size="
	pane_has "tty=/dev/pts/"
	report $? "$what: the program's stdio is a terminal" "$(pane)"
	pane_has "size=$size"
	report $? "$what: the terminal's size ($size)" "$(pane)"
	"${TM[@]}" send-keys -t "$session" "typed-through" Enter
	wait_for 20 pane_has "got=typed-through"
	report $? "$what: a line typed reaches the program" "$(pane)"
	wait_for 20 test -s "$T/$session.status"
	st=$(cat "$T/$session.status" 2>/dev/null)
	report $((st != want)) "$what: the program's exit code ($want)" "status ${st:-none}: $(pane)"
}
tty_checks it "run -it" 4 run -it --rm "${RUN[@]}"

# exec -it in a running container: conmon passes exec --detach --console-socket, the terminal comes from
# process.json.
eid=$("${P[@]}" run -d "${RUN[@]}" sh -c 'trap "exit 0" TERM; while :; do sleep 0.2; done' 2>&1)
st=$?
report $st "exec -it: run -d, a container to exec in" "$eid"
if [[ $st == 0 ]]; then
	tty_checks ex "exec -it" 6 exec -it "$eid"
	out=$("${P[@]}" rm -f -t 10 "$eid" 2>&1)
	report $? "exec -it: rm -f the container" "$out"
fi
"${TM[@]}" kill-server 2>/dev/null

# A systemd guest: an overlay over the fixture as --rootfs (the fixture is unchanged), boots to running, stops on SIGRTMIN+3.
touch "$T/stamp"
sd=$("${P[@]}" run -d --systemd=always "${OPTS[@]}" --rootfs "$SD_FIXTURE:O" /lib/systemd/systemd 2>&1)
st=$?
report $st "systemd: run -d --systemd=always" "$sd"
if [[ $st == 0 ]]; then
	# systemctl needs systemd's private bus: there once systemd has set itself up.
	bus_up() { "${P[@]}" exec "$sd" test -S /run/systemd/private 2>/dev/null; }
	wait_for 60 bus_up
	out=$(timeout 120 "${P[@]}" exec "$sd" systemctl is-system-running --wait 2>&1)
	[[ $out == running ]]
	report $? "systemd: is-system-running --wait: running" \
		"$out; failed: $(timeout 20 "${P[@]}" exec "$sd" systemctl --failed --no-legend 2>&1 | tr '\n' ' '); log: $("${P[@]}" logs "$sd" 2>&1 | tail -n 20 | tr '\n' ' ')"
	t0=$SECONDS
	out=$("${P[@]}" stop -t 60 "$sd" 2>&1)
	st=$?
	took=$((SECONDS - t0))
	[[ $st == 0 && $out != *SIGKILL* ]] && ((took < 30))
	report $? "systemd: podman stop (SIGRTMIN+3): down in ${took}s, no SIGKILL" "$out"
	state=$("${P[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$sd" 2>&1)
	[[ $state == "exited "* ]]
	report $? "systemd: exited ($state)" "$state"
	out=$("${P[@]}" rm "$sd" 2>&1)
	report $? "systemd: rm" "$out"
fi
changed=$(find "$SD_FIXTURE" -cnewer "$T/stamp" -print -quit 2>&1)
[[ -z $changed ]]
report $? "systemd: the fixture unchanged" "$changed"

# Whatever a failed check left, podman removes it before the host is compared.
"${P[@]}" rm -af >/dev/null 2>&1
wait_for 10 test -z "$(pgrep -x conmon || true)" # conmon, reaped by PID 1 once podman left
if [[ -z $had_run_containers ]]; then
	rmdir /run/containers/networks /run/containers 2>/dev/null
	[[ ! -e /run/containers ]]
	report $? "podman's /run/containers/networks: empty, removed" "$(find /run/containers 2>&1 | tr '\n' ' ')"
fi
after=$(snapshot)
diff <(echo "$before") <(echo "$after") >"$T/host.diff"
report $? "the host as before (mounts, cgroups, netns, processes)" "$(tr '\n' ' ' <"$T/host.diff")"
# What a runtime left is reported above; the cgroups (empty ones) are then removed, the host as before for the next.
sed -n 's|^> \(/sys/fs/cgroup/.*\)|\1|p' "$T/host.diff" | while read -r d; do
	find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done

rm -rf "$T" "$R"
echo "podman-test: $((n - fails)) ok, $fails not ok (runtime $runtime)"
((fails == 0))
