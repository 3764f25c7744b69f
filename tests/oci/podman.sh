#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# podman driving droidspaces-oci (opt-in: make test-podman, which holds the
# e2e lock; root). Over a copy of the busybox fixture as --rootfs (no registry
# is reachable here): run --rm gives the program's exit code; run -d, exec,
# logs, stop, rm; and podman leaves nothing behind on the host (mounts,
# cgroups, network namespaces, processes of the runtime).
#
# podman keeps its storage, run root and events in a directory of its own
# (vfs: no storage mounts), uses cgroupfs (no systemd here), no cgroup for
# conmon (podman would leave libpod_parent/conmon in every v1 hierarchy) and
# --network none (the host's network is shared with other tests). This machine's
# bounding set lacks CAP_SYS_RESOURCE, so podman's default rlimits for root
# would be refused by any runtime: the --ulimit options below.
#
# Usage: tests/oci/podman.sh [RUNTIME]   (default: output/droidspaces as droidspaces-oci)
# Prints ok / not ok per check and exits 1 if any failed, 77 when it cannot run.
# shellcheck disable=SC2016 # commands for the container's shell in single quotes
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

FIXTURE=${FIXTURE:-/var/cache/droidspaces-test/mnt/rootfs/busybox}
TMPBASE=${TMPDIR:-/var/cache/droidspaces-test/mnt/tmp}
skip() {
	echo "podman-test: SKIP: $*"
	exit 77
}
[[ $(id -u) == 0 ]] || skip "needs root"
command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
[[ -d $FIXTURE ]] || skip "no busybox fixture at $FIXTURE (make fixtures)"

T=$(mktemp -d "$TMPBASE/podman.XXXXXX")
# podman refuses a run root path over 50 characters.
R=$(mktemp -d /tmp/dsp.XXXXXX)
mkdir -p "$T/bin"
if [[ -n ${1:-} ]]; then
	runtime=$1
else
	# The personality is chosen by the name: a copy named droidspaces-oci.
	cp output/droidspaces "$T/bin/droidspaces-oci"
	runtime=$T/bin/droidspaces-oci
fi
cp -a "$FIXTURE" "$T/rootfs"

P=(podman --root "$T/storage" --runroot "$R/run" --tmpdir "$R/tmp" --network-config-dir "$R/net" --storage-driver vfs
	--cgroup-manager cgroupfs --events-backend file --runtime "$runtime")
RUN=(--network none --cgroups no-conmon --ulimit nofile=1024:2048 --ulimit nproc=1024:2048 --log-driver k8s-file --rootfs "$T/rootfs")

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

rm -rf "$T" "$R"
echo "podman-test: $((n - fails)) ok, $fails not ok (runtime $runtime)"
((fails == 0))
