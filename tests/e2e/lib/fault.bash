# shellcheck shell=bash
# tests/e2e/lib/fault.bash: fault injection and the processes it leaves.
#
# DROIDSPACES_FAULT=POINT makes the process that reaches POINT stop itself
# (SIGSTOP); the test waits for state T and SIGKILLs it.
#   start:before-fork        the CLI, lock taken, monitor not yet forked
#   start:after-fork         the CLI, monitor forked
#   monitor:before-pidfile   the monitor, init forked but held until the
#                            pidfile is written
#   monitor:before-devices   the monitor, init told to set up its mounts,
#                            the device policy not yet in place (init waits
#                            for it before it executes the guest's init)
#   start:rootfs-opened      the CLI, the rootfs opened (a swap of its path races it)
#   idshift:cap-dropped      the ownership walk, between a file's chown and its capability's rewrite
#   net:claim-chosen         a NAT start, its address chosen under the network lock
#   net:bridge-last          the last NAT stop, before it deletes ds-br0
#   net:bridge-empty         the last NAT stop, ds-br0 found without a port,
#                            the network namespace's lock held
#   net:netns-locked         whoever just took a network namespace's lock
#                            (the first is a NAT start's monitor, at its bridge set-up)
#   net:before-attach        a NAT monitor, before it takes the namespace's
#                            lock to put the boot's veth on ds-br0
# Other values switch a code path off as an old kernel would (no-clone3,
# no-openat2, no-statx-mntid, no-idmap, no-nspid, ...) or make one step fail
# (mask-fails, start:no-pty, idshift:chown-fails, net:no-nft), a claim take
# no lease marks as an older droidspaces (net:no-lease-hold), or a wait
# short (net:lock-short: the namespace's network lock waited for 1 s).
#
# A file that uses own_pid sets REL_OWN_PIDS= in setup and calls
# kill_own_pids in teardown (fault_setup and fault_teardown do both).
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# fault_setup / fault_teardown: common_setup and common_teardown, and the
# processes own_pid remembered are killed first.
fault_setup() {
	common_setup
	REL_OWN_PIDS=
}
fault_teardown() {
	kill_own_pids
	common_teardown
}

# kill_own_pids: the processes own_pid remembered (never containers:
# common_teardown stops the tracked ones), as PID:STARTTIME, so that a PID
# reused since is never signalled.  A stopped process must be killed, not
# waited on.
kill_own_pids() {
	local p
	for p in ${REL_OWN_PIDS:-}; do
		if [[ $(_ds_starttime "${p%%:*}" 2>/dev/null) == "${p#*:}" ]]; then
			kill -KILL "${p%%:*}" 2>/dev/null || true
		fi
		wait "${p%%:*}" 2>/dev/null || true
	done
}

# own_pid PID: remember a process this file started (killed by teardown).
own_pid() { REL_OWN_PIDS+=" $1:$(_ds_starttime "$1" 2>/dev/null || echo gone)"; }

# proc_state PID: the state letter of /proc/PID/stat (R S D T Z ...).
proc_state() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	echo "${s%% *}"
}
is_stopped() { [[ $(proc_state "$1") == [Tt] ]]; }

# no_monitors [WS]: no ws_monitors at all.
no_monitors() { [[ $(count_monitors "$@") -eq 0 ]]; }

# stopped_monitor: the PID of this workspace's monitor that stopped itself.
stopped_monitor() {
	local p
	for p in $(ws_monitors); do
		is_stopped "$p" && echo "$p" && return 0
	done
	return 1
}

# stopped PID: the process is in state T (a fault point SIGSTOPped it).
stopped() { [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == T ]]; }
