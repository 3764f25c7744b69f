# shellcheck shell=bash
# tests/e2e/lib/proc.bash: processes, monitors and cgroups of the host; a cgroup-v1-only host stand-in.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# processes and cgroups

# comm_is PID COMM: /proc/PID/comm is COMM.
comm_is() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]; }

# is_monitor PID: PID is a "[ds-monitor]" process (a monitor, or the namespace
# helper and init before its exec).
is_monitor() { comm_is "$1" "[ds-monitor]"; }

# proc_alive PID STARTTIME: that very process exists and is not a zombie
# (the host's PID 1 may reap orphans late; a zombie has finished). A PID that is no number is the
# test's mistake (CT_MON is set by start_ct and adopt_ct, not by st_start): said, and counted alive,
# so that waiting for it to end fails (an empty PID read /proc/stat, and was alive without a word).
proc_alive() {
	local stat
	if [[ ! $1 =~ ^[0-9]+$ ]]; then
		echo "proc_alive: '$1' is not a PID" >&2
		return 0
	fi
	[[ $(_ds_starttime "$1" 2>/dev/null) == "$2" ]] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# booted PID: the fixture's init (host PID) finished its sysinit.
booted() { [[ -e /proc/$1/root/run/ds-test-booted ]]; }

# guest_booted NAME: the same, asked inside the running container NAME.
guest_booted() { in_container "$1" test -e /run/ds-test-booted; }

# rebooted NAME OLDPID: the pidfile names a new init that has booted.
rebooted() {
	local p
	p=$(sed -n 1p "$(ws_pidfile "$1")" 2>/dev/null) || return 1
	[[ -n $p && $p != "$2" ]] && booted "$p"
}

# is_running NAME: status says running (exit 0).
is_running() { "$DS" status --name="$1" >/dev/null 2>&1; }

# cg2_mount: the cgroup2 mount point (/sys/fs/cgroup/unified on hybrid hosts).
cg2_mount() {
	local m
	for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[[ -e $m/cgroup.controllers ]] && echo "$m" && return 0
	done
	echo "no cgroup2 mount found" >&2
	return 1
}

# ct_cgroup NAME: container NAME's cgroup on the cgroup2 mount.
ct_cgroup() { echo "$(cg2_mount)/droidspaces/$1"; }

# cgroups_of NAME: every cgroup directory (any hierarchy) of container NAME.
cgroups_of() { find /sys/fs/cgroup -mindepth 2 -type d -path "*/droidspaces/$1" 2>/dev/null; }

# ws_monitors [WS]: PIDs of live "[ds-monitor]" processes forked for
# workspace WS (their environment is the one of the `start` that forked them).
ws_monitors() {
	local ws=${1:-$DROIDSPACES_WORKSPACE} p
	for p in /proc/[0-9]*; do
		is_monitor "${p#/proc/}" || continue
		{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "DROIDSPACES_WORKSPACE=$ws" &&
			echo "${p#/proc/}"
	done
	return 0
}

# count_monitors [WS]: how many ws_monitors there are.
count_monitors() { ws_monitors "$@" | wc -l; }

# name_monitors NAME [WS]: those of ws_monitors started for NAME (their
# command line, inherited from the CLI, names it).
name_monitors() {
	local name=$1 p a prev
	local -a args
	for p in $(ws_monitors "${2:-}"); do
		mapfile -d '' -t args 2>/dev/null <"/proc/$p/cmdline" || continue
		prev=
		for a in "${args[@]}"; do
			if [[ $a == "--name=$name" || $a == "-n$name" ]] ||
				[[ ($prev == --name || $prev == -n) && $a == "$name" ]]; then
				echo "$p"
				break
			fi
			prev=$a
		done
	done
	return 0
}

# legacy_ds ARGS...: droidspaces in a mount namespace of its own in which the
# host's cgroup2 tree is not mounted, as on an old kernel (Android 3.18-4.x)
# with cgroup v1 only.  Private propagation: the host keeps its mount.
legacy_ds() {
	unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh "$DS" "$@"
}
