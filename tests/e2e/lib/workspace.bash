# shellcheck shell=bash
# tests/e2e/lib/workspace.bash: where the runtime keeps its files in a workspace.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# workspace files
#
# WS defaults to $DROIDSPACES_WORKSPACE (the test's own workspace).

# ws_pidfile NAME [WS], ws_lock NAME [WS], ws_log NAME [WS], ws_sock NAME [WS],
# ws_volatile NAME [WS]: where the runtime keeps NAME's pidfile, per-name lock,
# console log, console socket and volatile overlay.
ws_pidfile() { echo "${2:-$DROIDSPACES_WORKSPACE}/Pids/$1.pid"; }
ws_lock() { echo "${2:-$DROIDSPACES_WORKSPACE}/Locks/$1.lock"; }
ws_log() { echo "${2:-$DROIDSPACES_WORKSPACE}/Logs/$1/console.log"; }
ws_sock() { echo "${2:-$DROIDSPACES_WORKSPACE}/Sockets/$1.sock"; }
ws_volatile() { echo "${2:-$DROIDSPACES_WORKSPACE}/Volatile/$1"; }

# ws2 CMD...: CMD with a second workspace of the test ($DS_TEST_DIR/ws2); its
# containers are not tracked: a teardown that starts any calls ws2_stop.
ws2() { DROIDSPACES_WORKSPACE=$DS_TEST_DIR/ws2 "$@"; }
ws2_stop() {
	local p
	for p in "$DS_TEST_DIR/ws2"/Pids/*.pid; do
		[[ -e $p ]] || continue
		p=${p##*/}
		ws2 "$DS" --name="${p%.pid}" stop >&2 || true
	done
}

# pidfile_key NAME KEY: value of the key=value line KEY of NAME's pidfile.
pidfile_key() { sed -n "s/^$2=//p" "$(ws_pidfile "$1")"; }

# lock_free NAME [WS]: nobody holds NAME's per-name lock (the file may be absent).
lock_free() {
	local l
	l=$(ws_lock "$1" "${2:-}")
	[[ ! -e $l ]] || flock -n "$l" true
}

# line_count FILE: number of lines, 0 when FILE is absent.
line_count() {
	if [[ -e $1 ]]; then wc -l <"$1"; else echo 0; fi
}

# make_stale N: N stale pidfiles of the current format: half name a dead PID,
# half a live one (PID 1, this shell) from an earlier boot of the host.
make_stale() {
	local n=$1 i dead boot
	dead=$(sh -c 'echo $$')
	boot=$(cat /proc/sys/kernel/random/boot_id)
	mkdir -p "$DROIDSPACES_WORKSPACE/Pids"
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			printf '%s\nmonitor=%s\nstarttime=1\nuuid=%032d\nboot_id=00000000-0000-4000-8000-%012d\nrootfs=/nonexistent\ncgroup=droidspaces/stale-%d\n' \
				"$((i % 4 == 1 ? 1 : $$))" "$$" "$i" "$i" "$i"
		else
			printf '%s\nmonitor=0\nstarttime=1\nuuid=%032d\nboot_id=%s\nrootfs=/nonexistent\ncgroup=droidspaces/stale-%d\n' \
				"$dead" "$i" "$boot" "$i"
		fi >"$DROIDSPACES_WORKSPACE/Pids/stale-$i.pid"
	done
}

stale_left() { find "$DROIDSPACES_WORKSPACE/Pids" -name 'stale-*' | wc -l; }
