# shellcheck shell=bash
# tests/e2e/lib/tmux.bash: the tmux driver: a real terminal for the terminal tests.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# tmux: a real terminal for the terminal tests
#
# A private tmux server (own socket TM_SOCK, set by the test's setup; killed
# by tm_cleanup in teardown): keys are sent with send-keys, the screen is read
# with capture-pane and every wait polls the screen with a deadline.

tm() { tmux -L "$TM_SOCK" "$@"; }

# tm_start: a private tmux server with one 100x30 window running a bare,
# interactive host bash whose prompt is "HOST$".
tm_start() {
	require_cmd tmux
	tm -f /dev/null new-session -d -s ds -x 100 -y 30 \
		env -i PATH="$PATH" TERM=screen HOME="$DS_TEST_DIR" HISTFILE=/dev/null DS="$DS" \
		DROIDSPACES_WORKSPACE="$DROIDSPACES_WORKSPACE" TMPDIR="$TMPDIR" PS1='HOST$ ' \
		bash --norc --noprofile -i
	tm display -p '#{pid}' >"$DS_TEST_DIR/.tmux-server"
	tm display -p '#{socket_path}' >"$DS_TEST_DIR/.tmux-socket"
	wait_for 10 tm_last_is '^HOST\$$'
}

# tm_screen [TARGET]: the whole pane (history and screen), wrapped lines joined.
tm_screen() { tm capture-pane -p -J -S - -t "${1:-ds:0}"; }

# tm_has TEXT [TARGET]: TEXT is on the pane (prints the pane when not).
tm_has() {
	local s
	s=$(tm_screen "${2:-ds:0}") || return 1
	[[ $s == *"$1"* ]] && return 0
	printf '%s\n' "$s" | tail -n 25
	return 1
}

# tm_has_re ERE [TARGET]: a line of the pane matches ERE.
tm_has_re() {
	local s
	s=$(tm_screen "${2:-ds:0}") || return 1
	grep -qE -- "$1" <<<"$s" && return 0
	printf '%s\n' "$s" | tail -n 25
	return 1
}

# tm_count TEXT [TARGET]: how many lines of the pane contain TEXT.
tm_count() { tm_screen "${2:-ds:0}" | grep -cF -- "$1" || true; }

# tm_has_count TEXT N [TARGET]: TEXT is on at least N lines.
tm_has_count() {
	local n
	n=$(tm_count "$1" "${3:-ds:0}")
	((n >= $2)) && return 0
	echo "'$1' on $n lines, want $2"
	tm_screen "${3:-ds:0}" | tail -n 25
	return 1
}

# tm_last_is REGEX [TARGET]: the last non-empty line of the pane matches.
tm_last_is() {
	local last
	last=$(tm capture-pane -p -J -t "${2:-ds:0}" | sed 's/[[:space:]]*$//; /^$/d' | tail -n 1)
	[[ $last =~ $1 ]] && return 0
	echo "last line: '$last'"
	return 1
}

# tm_type TEXT [TARGET]: type TEXT literally, then Enter.
tm_type() {
	tm send-keys -t "${2:-ds:0}" -l -- "$1"
	tm send-keys -t "${2:-ds:0}" Enter
}

# tm_keys KEY... : send tmux key names (C-c, C-a, Enter ...) to window 0.
tm_keys() { tm send-keys -t ds:0 "$@"; }

tm_pane_pid() { tm display -p -t "${1:-ds:0}" '#{pane_pid}'; }
tm_pane_tty() { tm display -p -t "${1:-ds:0}" '#{pane_tty}'; }

# tm_child [TARGET]: PID of the droidspaces process the pane's shell runs.
tm_child() {
	local p
	p=$(pgrep -P "$(tm_pane_pid "${1:-ds:0}")" -x "$DS_COMM") || return 1
	[[ $p =~ ^[0-9]+$ ]] || return 1 # exactly one
	echo "$p"
}

_descendants() {
	local -a todo=("$@")
	local p c
	while ((${#todo[@]})); do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		for c in $(pgrep -P "$p"); do
			echo "$c"
			todo+=("$c")
		done
	done
}

# tm_cleanup: kill our tmux server (by its own socket) and make sure every
# process it ran is gone, so the host snapshot sees no PTY of ours.
tm_cleanup() {
	local f=$DS_TEST_DIR/.tmux-server spid rc=0 p
	local -a procs=()
	[[ -n ${DS_TEST_DIR:-} && -s $f ]] || return 0
	spid=$(cat "$f")
	mapfile -t procs < <(_descendants "$spid")
	tm kill-server 2>/dev/null || true
	wait_for 10 ! kill -0 "$spid" || rc=1
	for p in "${procs[@]}"; do
		if ! wait_for 5 ! kill -0 "$p"; then
			echo "teardown: PID $p ($(cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ')) outlived its terminal; SIGKILL" >&2
			kill -KILL "$p" 2>/dev/null || true
			wait_for 5 ! kill -0 "$p" || rc=1
		fi
	done
	# tmux leaves its socket behind
	[[ -s $DS_TEST_DIR/.tmux-socket ]] && rm -f "$(cat "$DS_TEST_DIR/.tmux-socket")"
	rm -f "$f" "$DS_TEST_DIR/.tmux-socket"
	return "$rc"
}

# terminal_setup / terminal_teardown: setup and teardown of the terminal
# test files: common_setup with root and the binary, and our tmux server
# (and a client a test left hanging: kill_hanging_client).
terminal_setup() {
	common_setup
	require_root
	require_ds
	TM_SOCK=ds-test-$$-$BATS_TEST_NUMBER
}

terminal_teardown() {
	local rc=0
	kill_hanging_client
	tm_cleanup || rc=1
	common_teardown || rc=1
	return "$rc"
}
