# shellcheck shell=bash
# tests/e2e/lib/assert.bash: assertions, and running the binary with stdout and stderr apart.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# assertions

# refute CMD...: fail (with a message) when CMD succeeds.  A plain "! CMD"
# never fails a bats test: errexit ignores negated commands.
refute() {
	if "$@"; then
		echo "refute: this succeeded but must not: $*" >&2
		return 1
	fi
}

# has_opt OPTS OPT: the comma-separated OPTS contain OPT.
has_opt() { [[ ,$1, == *,$2,* ]]; }

# canary_state DIR: a listing of DIR that changes when anything in it does
# (names, types, modes, sizes, times and the contents of its files, mounts
# below it).
canary_state() {
	find "$1" -printf '%p %y %m %s %T@ %C@\n' | sort
	find "$1" -type f -print0 | sort -z | xargs -0 -r sha256sum
	findmnt -rn -o TARGET | grep -F "$1" || true
}

# --------------------------------------------------------------------------
# running the binary with stdout and stderr apart

# run_ds_err ARGS...: run the binary with bats' `run --separate-stderr`
# ($output / $stderr), logged like ds_run.  DS_WRAP (an array, empty unless a
# test sets it) prefixes the command, e.g. nsenter into a network namespace.
run_ds_err() {
	run --separate-stderr "${DS_WRAP[@]}" "$DS" "$@"
	{
		printf '$ %q' "${DS_WRAP[@]}" "$DS" "$@"
		# shellcheck disable=SC2154 # set by bats' run
		printf '\nstdout: %s\nstderr: %s\n[exit %s]\n' "$output" "$stderr" "$status"
	} >>"$DS_TEST_DIR/ds.log"
}

# assert_one_error_line [SUBSTRING]: $stderr is exactly one line
# "droidspaces: ..." without control characters (containing SUBSTRING).
assert_one_error_line() {
	local want=${1:-}
	if [[ $stderr != droidspaces:\ * ]]; then
		echo "stderr does not start with 'droidspaces: ': $(printf '%q' "$stderr")" >&2
		return 1
	fi
	if [[ $stderr == *$'\n'* ]]; then
		echo "stderr is more than one line: $(printf '%q' "$stderr")" >&2
		return 1
	fi
	if LC_ALL=C grep -q '[[:cntrl:]]' <<<"$stderr"; then
		echo "stderr contains control characters: $(printf '%q' "$stderr")" >&2
		return 1
	fi
	if [[ -n $want && $stderr != *"$want"* ]]; then
		echo "stderr lacks '$want': $stderr" >&2
		return 1
	fi
}
