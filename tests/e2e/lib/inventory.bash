# shellcheck shell=bash
# tests/e2e/lib/inventory.bash: starting containers by auto-name and reading
# the inventory (JSON of show/scan, stop --all).
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# inventory_setup: common_setup, and what the inventory tests need: root, the
# binary, jq, nsenter, script and the busybox fixture (else they skip loudly).
inventory_setup() {
	common_setup
	require_root
	require_ds
	require_cmd jq nsenter script
	require_fixture busybox
}

# ds_start_ok ARGS...: `$DS start ARGS`, which must succeed and say
# "Container NAME started: init pid PID (...)".  Sets STARTED_NAME and
# STARTED_PID and tracks the container (called directly, never in $(...)).
ds_start_ok() {
	ds_run start "$@"
	if [[ $status -ne 0 || ! $output =~ Container\ ([A-Za-z0-9._-]+)\ started:\ init\ pid\ ([0-9]+) ]]; then
		echo "start $* failed (exit $status): $output" >&2
		return 1
	fi
	STARTED_NAME=${BASH_REMATCH[1]}
	STARTED_PID=${BASH_REMATCH[2]}
	echo "$STARTED_PID" >>"$DS_TEST_DIR/.ours"
	track_container "$STARTED_NAME"
	[ "$(ds_pid "$STARTED_NAME")" = "$STARTED_PID" ]
}

# json_run ARGS...: run `$DS ARGS` with stdout in $output (stderr apart), and
# check that stdout is one valid JSON document.
json_run() {
	run --separate-stderr "$DS" "$@"
	printf '$ %s %s\n%s\n[stderr: %s]\n[exit %s]\n' "$DS" "$*" "$output" "$stderr" "$status" >>"$DS_TEST_DIR/ds.log"
	if ! jq -e . >/dev/null <<<"$output"; then
		echo "not JSON from '$DS $*': $output" >&2
		return 1
	fi
}

# stop_all_ok: `$DS stop --all` succeeds and leaves nothing running.
stop_all_ok() {
	local names n
	names=$("$DS" show --json | jq -r '.containers[] | select(.state == "running") | .name')
	for n in $names; do
		wait_for 10 guest_booted "$n"
	done
	ds_run stop --all
	[ "$status" -eq 0 ]
	for n in $names; do
		[[ $output == *"Container $n stopped"* ]]
	done
	json_run show --json
	[ "$(jq '[.containers[] | select(.state == "running")] | length' <<<"$output")" -eq 0 ]
	[ -z "$(find "$DROIDSPACES_WORKSPACE/Pids" -name '*.pid')" ]
}

# scan_run [--json]: `$DS scan`, but registrations of containers this test did
# not start (another workspace's, found because scan looks at all of /proc) are
# undone at once, so they can never be stopped from here.  $output keeps only
# this test's registrations (JSON: {"registered":[...]}; table: the lines).
scan_run() {
	local ours=() line name pid keep=()
	[[ -f $DS_TEST_DIR/.ours ]] && mapfile -t ours <"$DS_TEST_DIR/.ours"
	_ours() {
		local o
		for o in "${ours[@]}"; do [[ $o == "$1" ]] && return 0; done
		return 1
	}
	if [[ ${1:-} == --json ]]; then
		json_run scan --json
		[ "$status" -eq 0 ] || return 1
		while read -r name pid; do
			[[ -n $name ]] || continue
			if ! _ours "$pid"; then
				echo "# scan registered a foreign container $name (pid $pid): unregistered" >&3
				rm -f "$DROIDSPACES_WORKSPACE/Pids/$name.pid"
			fi
		done < <(jq -r '.registered[] | "\(.name) \(.pid)"' <<<"$output")
		output=$(jq -c --argjson ours "[$(
			IFS=,
			echo "${ours[*]}"
		)]" '{registered: [.registered[] | select(.pid as $p | $ours | index($p))]}' <<<"$output")
	else
		# notes (containers left alone) go to stderr, kept in $stderr
		run --separate-stderr "$DS" scan
		printf '$ %s scan\n%s\n[stderr: %s]\n[exit %s]\n' "$DS" "$output" "$stderr" "$status" >>"$DS_TEST_DIR/ds.log"
		[ "$status" -eq 0 ] || return 1
		while IFS= read -r line; do
			if [[ $line =~ ^Registered\ ([^ ]+)\ \(pid\ ([0-9]+)\)$ ]]; then
				name=${BASH_REMATCH[1]} pid=${BASH_REMATCH[2]}
				if ! _ours "$pid"; then
					echo "# scan registered a foreign container $name (pid $pid): unregistered" >&3
					rm -f "$DROIDSPACES_WORKSPACE/Pids/$name.pid"
					continue
				fi
			fi
			keep+=("$line")
		done <<<"$output"
		output=$(printf '%s\n' "${keep[@]}")
		[[ -n $output ]] || output="No untracked containers found."
	fi
}
