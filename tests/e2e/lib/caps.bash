# shellcheck shell=bash
# tests/e2e/lib/caps.bash: capability sets of processes.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# CapBnd (hex) of a process: from the host's /proc, or inside via a command.
capbnd_of() { awk '/^CapBnd:/ { print $2 }' "/proc/$1/status"; }
cap_set() { (((0x$1 >> $2) & 1)); }

# Capabilities taken away from a guest that shares the host's network.
CAP_NET_ADMIN=12 CAP_SYS_MODULE=16 CAP_SYS_RAWIO=17 CAP_SYS_TIME=25
CAP_MAC_OVERRIDE=32 CAP_MAC_ADMIN=33 CAP_SYS_ADMIN=21 CAP_AUDIT_CONTROL=30 CAP_AUDIT_READ=37
