#!/usr/bin/env bats
# The settings table (issue 13): each verb takes only the options that concern
# it; the command line wins over --config, which wins over the saved settings
# (restart keeps them); saved files of older versions still load; and the
# listing verbs survive many stale pidfiles (show crashed on its stack once).
# Run as: flock /var/cache/droidspaces-test/e2e.lock bats tests/e2e/12-settings.bats

bats_require_minimum_version 1.5.0

load helpers

setup() {
	common_setup
	require_root
	require_ds
	require_cmd jq nsenter
}
teardown() { common_teardown; }

# --------------------------------------------------------------------------
# helpers of this file

# saved_key NAME KEY: KEY's value in NAME's container.config (first match).
saved_key() { sed -n "s/^$2=//p" "$DROIDSPACES_WORKSPACE/Containers/$1/container.config" | head -n1; }

# guest_hostname NAME: the UTS name inside the running container NAME.
guest_hostname() { in_container "$1" cat /proc/sys/kernel/hostname; }

# ws_listing: every path of the workspace with its type and size (to prove
# that a refused command changed nothing).
ws_listing() {
	[[ -d $DROIDSPACES_WORKSPACE ]] || return 0
	find "$DROIDSPACES_WORKSPACE" -printf '%P %y %s\n' | LC_ALL=C sort
}

# --------------------------------------------------------------------------

@test "settings: 200 stale pidfiles and no container: show and stop --all succeed and reap them all" {
	make_stale 200
	[ "$(stale_left)" -eq 200 ]

	run_ds_err show
	[ "$status" -eq 0 ]
	[ "$output" = "No containers." ]
	[ -z "$stderr" ]
	[ "$(stale_left)" -eq 0 ]

	make_stale 200
	run_ds_err show --json
	[ "$status" -eq 0 ]
	[ "$(jq '.containers | length' <<<"$output")" -eq 0 ]
	[ "$(stale_left)" -eq 0 ]

	make_stale 200
	run_ds_err stop --all
	[ "$status" -eq 0 ]
	[ "$output" = "No containers running." ]
	[ -z "$stderr" ]
	[ "$(stale_left)" -eq 0 ]
	[ -z "$(find "$DROIDSPACES_WORKSPACE/Pids" -mindepth 1)" ]
	# nothing was signalled: PID 1 and we are alive
	kill -0 1
	kill -0 $$
}

@test "settings: an option the verb does not take is one error line, exit 2, and nothing changes" {
	require_fixture busybox
	local root before row verb opt
	root=$(fixture_copy busybox)
	mkdir -p "$DROIDSPACES_WORKSPACE"
	before=$(ws_listing)
	# verb|option|arguments (the option before or after the command word)
	local -a rows=(
		"stop|hw-access|stop --hw-access"
		"stop|hw-access|--name=x -H stop"
		"stop|rootfs|--name=x --rootfs=$root stop"
		"status|volatile|--name=x status -V"
		"show|all|show --all"
		"check|name|check --name=x"
		"check|all|check --all"
		"logs|json|--name=x logs --json"
		"run|all|--name=x --all run true"
		"enter|user|--name=x --user=root enter"
		"remove|stop-timeout|--name=x -t 3 remove"
		"start|all|--name=x --rootfs=$root --all start"
		"start|json|--name=x --rootfs=$root start --json"
		"restart|follow|--name=x --follow restart"
		"scan|bind-mount|scan -B /tmp:/mnt"
		"info|config|--name=x info --config=/nonexistent"
	)
	for row in "${rows[@]}"; do
		IFS='|' read -r verb opt _ <<<"$row"
		# shellcheck disable=SC2086 # the arguments are words
		run_ds_err ${row#*|*|}
		echo "$row -> exit $status: $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		assert_one_error_line
		[ "$stderr" = "droidspaces: $verb does not take --$opt" ]
	done
	# an alias is refused under its command's name
	run_ds_err list --pidfile=/x --all
	[ "$status" -eq 2 ]
	[ "$stderr" = "droidspaces: show does not take --all" ]
	[ "$(ws_listing)" = "$before" ]
	[ ! -e "$(ws_pidfile x)" ]
	# and what a verb does take still works
	run_ds_err --name=x --json status
	[ "$status" -eq 1 ]
	[ "$(jq -r .state <<<"$output")" = stopped ]
}

@test "settings: the command line wins over --config, which wins over the saved settings; restart keeps them" {
	require_fixture busybox
	local root conf1=$DS_TEST_DIR/one.conf conf2=$DS_TEST_DIR/two.conf
	root=$(fixture_copy busybox)
	printf 'hostname=from-config\nstop_timeout=20\nttys=1\n' >"$conf1"

	# first start: --config under the command line
	st_start prec -r "$root" --config="$conf1" --hostname=from-cli
	wait_for 10 booted "$CT_PID"
	[ "$(guest_hostname prec)" = from-cli ]
	[ "$(saved_key prec hostname)" = from-cli ]
	[ "$(saved_key prec stop_timeout)" = 20 ]
	[ "$(saved_key prec ttys)" = 1 ]
	[ "$(saved_key prec rootfs)" = "$(realpath "$root")" ]
	st_stop prec

	# by name: the saved settings under --config under the command line
	printf 'hostname=from-config-2\nstop_timeout=30\n' >"$conf2"
	st_start prec --config="$conf2" --ttys=2
	wait_for 10 booted "$CT_PID"
	[ "$(guest_hostname prec)" = from-config-2 ]
	[ "$(saved_key prec hostname)" = from-config-2 ]
	[ "$(saved_key prec stop_timeout)" = 30 ] # --config, not the saved 20
	[ "$(saved_key prec ttys)" = 2 ]          # the command line
	[ "$(saved_key prec rootfs)" = "$(realpath "$root")" ]

	# restart (running): the saved settings again, unchanged
	run_ds_err --name=prec restart
	[ "$status" -eq 0 ]
	_ct_started prec
	wait_for 10 booted "$CT_PID"
	[ "$(guest_hostname prec)" = from-config-2 ]
	[ "$(saved_key prec hostname)" = from-config-2 ]
	[ "$(saved_key prec stop_timeout)" = 30 ]
	[ "$(saved_key prec ttys)" = 2 ]

	# a --config value the command line repeats: the command line's
	run_ds_err --name=prec --stop-timeout=5 --config="$conf2" restart
	[ "$status" -eq 0 ]
	_ct_started prec
	[ "$(saved_key prec stop_timeout)" = 5 ]
	st_stop prec
}

@test "settings: a container.config of an older version loads, boots, keeps its unknown keys" {
	require_fixture busybox
	local root dir cfg bnd
	root=$(fixture_copy busybox)
	dir=$DROIDSPACES_WORKSPACE/Containers/oldfmt
	mkdir -p "$dir"
	cfg=$dir/container.config
	# before 3.3: keep_net_admin instead of keep_caps, no privileged/ttys keys,
	# CRLF line ends from an editor elsewhere, a key of someone else
	printf '# droidspaces container settings\r\nrootfs=%s\r\nrootfs_img=\r\nhostname=old-host\r\nvolatile=0\r\nhw_access=0\r\nenable_ipv6=0\r\nandroid_storage=0\r\nselinux_permissive=0\r\nkeep_net_admin=1\r\ndns=\r\nstop_timeout=9\r\nvendor.option=kept as is\r\n' \
		"$(realpath "$root")" >"$cfg"

	run_ds_err --name=oldfmt --json info
	[ "$status" -eq 0 ]
	[ "$(jq -r .hostname <<<"$output")" = old-host ]
	[ "$(jq -r .state <<<"$output")" = stopped ]

	st_start oldfmt
	wait_for 10 booted "$CT_PID"
	[ "$(guest_hostname oldfmt)" = old-host ]
	# keep_net_admin=1 still keeps CAP_NET_ADMIN (bit 12)
	bnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$CT_PID/status")
	(((0x$bnd >> 12) & 1))
	# saved again in today's format, the old meaning and the unknown key kept
	[ "$(saved_key oldfmt keep_caps)" = net_admin ]
	[ "$(saved_key oldfmt stop_timeout)" = 9 ]
	[ "$(saved_key oldfmt ttys)" = 0 ]
	grep -qxF 'vendor.option=kept as is' "$cfg"
	refute grep -q '^keep_net_admin=' "$cfg"
	refute grep -q $'\r' "$cfg"
	st_stop oldfmt
}
