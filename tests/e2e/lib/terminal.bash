# shellcheck shell=bash
# tests/e2e/lib/terminal.bash: helpers of the terminal tests (the tmux
# driver itself is lib/tmux.bash).
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# kill_hanging_client: in teardown, a client a test stopped or left hanging on
# purpose (HANGING_PID) goes first, even when the test failed.  (Reaped here,
# quietly: bash's "Killed" notice must not land in the host snapshot.)
kill_hanging_client() {
	if [[ -n ${HANGING_PID:-} ]] && kill -KILL "$HANGING_PID" 2>/dev/null; then
		wait "$HANGING_PID" 2>/dev/null || true
	fi
}

# start_bg NAME ROOTFS: start a background container and track it.
start_bg() {
	run "$DS" -r "$2" -n "$1" start </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	track_container "$1"
}

# guest_ps NAME: the guest's processes (its own ps).
guest_ps() { in_container "$1" ps -e -o pid,args 2>/dev/null || in_container "$1" ps; }

# guest_has_proc NAME PATTERN: a guest process' command line matches PATTERN.
guest_has_proc() { guest_ps "$1" | grep -E -- "$2"; }

# add_guest_user ROOTFS NAME UID [GROUP GID]: an account in the overlay copy.
add_guest_user() {
	local root=$1 name=$2 uid=$3 group=${4:-} gid=${5:-}
	echo "$name:x:$uid:$uid:test user:/home/$name:/bin/sh" >>"$root/etc/passwd"
	echo "$name:x:$uid:" >>"$root/etc/group"
	[[ -e $root/etc/shadow ]] && echo "$name:*:19000:0:99999:7:::" >>"$root/etc/shadow"
	[[ -n $group ]] && echo "$group:x:$gid:$name" >>"$root/etc/group"
	mkdir -p "$root/home/$name"
	chown "$uid:$uid" "$root/home/$name"
}

# _pts_count: how many PTYs the host has open.
_pts_count() { find /dev/pts -mindepth 1 -maxdepth 1 | wc -l; }
