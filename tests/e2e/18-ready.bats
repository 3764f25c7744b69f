#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2016,SC2154,SC2034 # CT_* are set per test; guest commands in single quotes; bats sets $stderr; DS_WRAP is read by run_ds_err
# Readiness end to end (issue 17): `start --wait` returns once the guest is
# up by its own init's word: systemd's READY=1 on the NOTIFY_SOCKET the
# monitor serves (/run/host/notify), OpenRC's default runlevel reached,
# sysvinit's runlevel in utmp once its rc finished, busybox's init alive for
# a second; what it found is in Pids/NAME.ready and shown by status, info and
# show. A guest that never gets there (an init that exits, a systemd unit that
# blocks the boot) gives exit 1 within the timeout with its failed units or
# last console lines. The nspawn container interface: /run/host/os-release,
# /run/host/container-manager, container_uuid; what systemd-detect-virt -c and
# hostnamectl say of it. Hostile: a symlink or FIFO planted at the record's
# path, datagrams from inside the guest (not init's, init's forged by guest
# root with garbage, oversized, with an fd).
#
# Tags: stock (the stock Debian guests), hostile. Needs: musl-gcc (probe), jq.

bats_require_minimum_version 1.5.0

load helpers

setup() { fault_setup; }
teardown() {
	kill_own_pids
	netns_teardown
}

ws_ready() { echo "$DROIDSPACES_WORKSPACE/Pids/$1.ready"; }
ws_notify() { echo "$DROIDSPACES_WORKSPACE/Sockets/$1.notify"; }

# wait_start NAME SECS OPTION...: `start --wait=SECS` of NAME (tracked) must
# succeed: stdout is the start line, then "Container NAME ready in N ms (BY)";
# sets CT_PID, CT_KIND, READY_MS and READY_BY (the text in parentheses).
wait_start() {
	local name=$1 secs=$2 re
	shift 2
	track_container "$name"
	run_ds_err --name="$name" "$@" start --wait="$secs"
	if [[ $status != 0 ]]; then
		echo "start --wait of $name failed (exit $status): $output $stderr" >&2
		return 1
	fi
	[ "${#lines[@]}" -eq 2 ]
	output=${lines[0]} _ct_started "$name" || return 1
	re="^Container $name ready in ([0-9]+) ms \\((.+)\\)(: .*)?\$"
	[[ ${lines[1]} =~ $re ]] || {
		echo "unexpected second line: ${lines[1]}" >&2
		return 1
	}
	READY_MS=${BASH_REMATCH[1]}
	READY_BY=${BASH_REMATCH[2]}
	[ "$(ds_pid "$name")" = "$CT_PID" ]
}

# record_key NAME KEY: KEY's value in NAME's readiness record.
record_key() { sed -n "s/^$2=//p" "$(ws_ready "$1")"; }

# status_line NAME N: line N (0-based) of `status`.
status_line() {
	run_ds_err --name="$1" status
	[ "$status" -eq 0 ]
	echo "${lines[$2]:-}"
}

# nothing_ready_left NAME: the record and the notify socket went with the container.
nothing_ready_left() {
	[ ! -e "$(ws_ready "$1")" ] && [ ! -L "$(ws_ready "$1")" ] && [ ! -e "$(ws_notify "$1")" ]
}

# notify_probe NAME ARG...: tests/e2e/probes/notifyprobe.c run in NAME with ARG...
notify_probe() {
	local name=$1 bin=$DS_TEST_DIR/notifyprobe
	shift
	if [[ ! -x $bin ]]; then
		musl-gcc -static -O2 -o "$bin" "$DS_REPO/tests/e2e/probes/notifyprobe.c" || return 1
	fi
	cp "$bin" "/proc/$(ds_pid "$name")/root/notifyprobe"
	"$DS" --name="$name" run /notifyprobe "$@"
}

# stock_netns: a network namespace of the test's own for the stock guests' halt (DS_WRAP).
stock_netns() {
	local holder
	require_cmd unshare nsenter ip
	holder=$(netns_holder_start) || return 1
	DS_WRAP=(nsenter -t "$holder" -n --)
}

# bats test_tags=stock
@test "systemd (stock): start --wait returns at READY=1 with the system running; record, status, info, show; /run/host, container_uuid, systemd-detect-virt" {
	require_fixture debian-systemd-stock
	require_cmd jq
	local root uuid
	root=$(fixture_copy debian-systemd-stock)
	stock_netns
	wait_start sdr 120 -r "$root"
	DS_WRAP=()
	[ "$CT_KIND" = systemd ]
	[ "$READY_BY" = "systemd notify (READY=1)" ]
	# READY=1 means the boot is over: no waiting needed for `running`.
	run in_container sdr systemctl is-system-running
	echo "is-system-running: $output"
	[ "$output" = running ]
	booted "$CT_PID"

	[ "$(record_key sdr ready)" = 1 ]
	[ "$(record_key sdr by)" = notify ]
	[ "$(record_key sdr ms)" = "$READY_MS" ]
	[ -n "$(record_key sdr status)" ]
	# status: the first line as before, readiness after it.
	[ "$(status_line sdr 0)" = "sdr: running (pid $CT_PID, init systemd)" ]
	[ "$(status_line sdr 1)" = "Ready:       yes, by systemd notify (READY=1), $READY_MS ms after boot" ]
	[ "$(status_line sdr 2)" = "Status:      $(record_key sdr status)" ]
	run_ds_err --name=sdr info --json
	[ "$(jq -r '.ready, .ready_by, .ready_ms' <<<"$output" | tr '\n' ' ')" = "true notify $READY_MS " ]
	[ "$(jq -r .notify_status <<<"$output")" = "$(record_key sdr status)" ]
	run_ds_err --name=sdr info
	grep -qx "Ready:       yes, by systemd notify (READY=1), $READY_MS ms after boot" <<<"$output"
	run_ds_err show --json
	[ "$(jq -r '.containers[] | select(.name == "sdr") | .ready_by' <<<"$output")" = notify ]

	# The nspawn container interface.
	[ "$(in_container sdr cat /run/host/container-manager)" = droidspaces ]
	[ "$(in_container sdr cat /run/host/os-release)" = "$(cat /etc/os-release)" ]
	in_container sdr test -S /run/host/notify
	uuid=$(pidfile_key sdr uuid)
	[[ $uuid =~ ^[0-9a-f]{32}$ ]]
	in_container sdr cat /proc/1/environ | tr '\0' '\n' | grep -qx "container_uuid=$uuid"
	in_container sdr cat /proc/1/environ | tr '\0' '\n' | grep -qx "NOTIFY_SOCKET=/run/host/notify"
	run in_container sdr systemd-detect-virt -c
	echo "systemd-detect-virt -c: $output"
	[ "$output" = container-other ]
	run in_container sdr hostnamectl
	echo "hostnamectl: $output"
	grep -qE '^ *Virtualization: container-other$' <<<"$output"
	grep -qE "^ *Static hostname: sdr\$" <<<"$output"

	st_stop sdr
	nothing_ready_left sdr
}

# bats test_tags=stock
@test "OpenRC (stock): start --wait returns once the default runlevel is reached and openrc finished" {
	require_fixture debian-openrc-stock
	local root
	root=$(fixture_copy debian-openrc-stock)
	stock_netns
	wait_start orr 180 -r "$root"
	DS_WRAP=()
	[ "$READY_BY" = "OpenRC default runlevel" ]
	[ "$(record_key orr by)" = openrc ]
	# The boot marker is a service of the default runlevel's ($all): started before ready.
	booted "$CT_PID"
	[ "$(in_container orr cat /run/openrc/softlevel)" = default ]
	[ "$(status_line orr 1)" = "Ready:       yes, by OpenRC default runlevel, $READY_MS ms after boot" ]
	st_stop orr
	nothing_ready_left orr
}

@test "sysvinit: start --wait returns at the utmp runlevel once its rc finished (no OpenRC)" {
	require_fixture debian-openrc
	local d=$DS_TEST_DIR/sysv root
	mkdir -p "$d"
	# sysvinit with a plain rc of the test's: rcS makes utmp (sysvinit writes, never creates it),
	# rc 2 takes 2 s; no OpenRC anywhere.
	printf '#!/bin/sh\n: > /run/utmp\n' >"$d/rcS"
	printf '#!/bin/sh\nsleep 2\ntouch /run/ds-rc-done\n' >"$d/rc"
	chmod +x "$d/rcS" "$d/rc"
	root=$(fixture_copy debian-openrc)
	wait_start svr 60 -r "$root" -B "$d/rcS:/etc/init.d/rcS:ro" -B "$d/rc:/etc/init.d/rc:ro"
	[ "$CT_KIND" = sysvinit ]
	[ "$READY_BY" = "sysvinit runlevel (utmp)" ]
	[ -e "/proc/$CT_PID/root/run/ds-rc-done" ]
	((READY_MS >= 2000))
	[ "$(in_container svr runlevel)" = "S 2" ] || [ "$(in_container svr runlevel)" = "N 2" ]
	st_stop svr
	nothing_ready_left svr
}

# bats test_tags=asan
@test "busybox: start --wait returns once init ran 1 s; --help says which detection applies to which init" {
	require_fixture busybox
	require_cmd jq
	local root
	root=$(fixture_copy busybox)
	wait_start bbr 30 -r "$root"
	[ "$READY_BY" = "init alive for 1 s" ]
	((READY_MS >= 1000))
	booted "$CT_PID"
	[ "$(record_key bbr by)" = alive ]
	[ "$(status_line bbr 1)" = "Ready:       yes, by init alive for 1 s, $READY_MS ms after boot" ]
	# No STATUS= came: no Status line, null in JSON.
	run_ds_err --name=bbr status
	[ "${#lines[@]}" -eq 2 ]
	run_ds_err --name=bbr status --json
	[ "$(jq -r '.ready, .ready_by, .notify_status' <<<"$output" | tr '\n' ' ')" = "true alive null " ]
	st_stop bbr
	nothing_ready_left bbr
	run_ds_err --help
	grep -q -- '--wait=\[SECS\]' <<<"$output"
	grep -q 'systemd: READY=1' <<<"$output"
	grep -q 'OpenRC: the default runlevel reached' <<<"$output"
	grep -q 'sysvinit:' <<<"$output"
	grep -q 'busybox and others: init alive for 1 s' <<<"$output"
}

@test "--wait: bad values and --foreground are refused with one line; it is never saved" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	for v in 0 -1 abc 86401 1x; do
		st_refused "--wait: invalid value '$v'" --name=wbad -r "$root" --wait="$v"
	done
	st_refused "--foreground" --name=wbad -r "$root" --wait -f
	wait_start wsav 30 -r "$root"
	refute grep -q wait "$DROIDSPACES_WORKSPACE/Containers/wsav/container.config"
	st_stop wsav
}

@test "never ready: an init that exits fails start --wait at once with its last console lines" {
	require_fixture debian-openrc
	local d=$DS_TEST_DIR/bye root t0 t1
	mkdir -p "$d"
	# Over sysvinit's /sbin/init (a file of its own: busybox's is /bin/sh too).
	printf '#!/bin/sh\necho "guest says goodbye \033[31mred\033[0m"\nexit 3\n' >"$d/init"
	chmod +x "$d/init"
	root=$(fixture_copy debian-openrc)
	track_container bye
	t0=$(_ds_usec_now)
	run_ds_err --name=bye -r "$root" -B "$d/init:/sbin/init:ro" start --wait=60
	t1=$(_ds_usec_now)
	[ "$status" -eq 1 ]
	[ "${lines[0]%%:*}" = "Container bye started" ]
	[ "${#lines[@]}" -eq 1 ]
	grep -qx 'droidspaces: container bye stopped before it was ready' <<<"$stderr"
	grep -qx 'Last console lines:' <<<"$stderr"
	# The guest's text, its escape sequences dropped.
	grep -qx 'guest says goodbye red' <<<"$stderr"
	refute grep -q $'\e' <<<"$stderr"
	(((t1 - t0) < 30000000))
	nothing_left bye
	nothing_ready_left bye
}

@test "never ready: systemd with a unit that blocks the boot: exit 1 after the timeout, with the failed units" {
	require_fixture debian-systemd
	local d=$DS_TEST_DIR/units root t0 t1
	mkdir -p "$d"
	printf '[Unit]\nDescription=ds-test blocks the boot\n[Service]\nType=oneshot\nExecStart=/bin/sleep infinity\nTimeoutStartSec=infinity\n[Install]\nWantedBy=multi-user.target\n' >"$d/ds-block.service"
	printf '[Unit]\nDescription=ds-test fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n[Install]\nWantedBy=multi-user.target\n' >"$d/ds-fail.service"
	root=$(fixture_copy debian-systemd)
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	cp "$d/ds-block.service" "$d/ds-fail.service" "$root/etc/systemd/system/"
	ln -s ../ds-block.service "$root/etc/systemd/system/multi-user.target.wants/ds-block.service"
	ln -s ../ds-fail.service "$root/etc/systemd/system/multi-user.target.wants/ds-fail.service"
	track_container sdblk
	t0=$(_ds_usec_now)
	run_ds_err --name=sdblk -r "$root" start --wait=10
	t1=$(_ds_usec_now)
	[ "$status" -eq 1 ]
	grep -qx 'droidspaces: container sdblk is not ready after 10 s (init systemd)' <<<"$stderr"
	grep -qx 'Failed units (console):' <<<"$stderr"
	grep -q 'Failed to start ds-fail.service' <<<"$stderr"
	(((t1 - t0) >= 10000000 && (t1 - t0) < 25000000))
	# Still running, not ready: status says so.
	[ "$(status_line sdblk 1)" = "Ready:       no" ]
	[ "$(record_key sdblk ready)" = 0 ]
	st_stop sdblk
	nothing_ready_left sdblk
}

# bats test_tags=hostile
@test "hostile: a symlink or FIFO planted at Pids/NAME.ready is neither followed nor waited on" {
	require_fixture busybox
	require_cmd jq
	local root target=$DS_TEST_DIR/target
	root=$(fixture_copy busybox)
	mkdir -p "$DROIDSPACES_WORKSPACE/Pids"
	echo "precious" >"$target"
	ln -s "$target" "$(ws_ready hos)"
	wait_start hos 30 -r "$root"
	[ "$(cat "$target")" = precious ]
	[ -f "$(ws_ready hos)" ] && [ ! -L "$(ws_ready hos)" ]
	# Replaced by a FIFO while it runs: status and info answer at once, saying the record is not one.
	rm -f "$(ws_ready hos)"
	mkfifo "$(ws_ready hos)"
	run timeout 10 "$DS" --name=hos status
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "Ready:       unknown (Pids/hos.ready is not a readiness record)" ]
	run timeout 10 "$DS" --name=hos info --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .ready <<<"$output")" = false ]
	# A symlink to a record-shaped file is not read through either.
	rm -f "$(ws_ready hos)"
	printf 'ready=1\nby=notify\nms=1\nstatus=planted\n' >"$target"
	ln -s "$target" "$(ws_ready hos)"
	run timeout 10 "$DS" --name=hos status
	[ "${lines[1]}" = "Ready:       unknown (Pids/hos.ready is not a readiness record)" ]
	refute grep -q planted <<<"$output"
	st_stop hos
	nothing_ready_left hos
	[ "$(cat "$target")" = $'ready=1\nby=notify\nms=1\nstatus=planted' ]
}

# init_older NAME SECS: NAME's init has run for more than SECS seconds (clock ticks since its start).
init_older() {
	local st now
	st=$(_ds_starttime "$(ds_pid "$1")") || return 1
	now=$(awk -v hz="$(getconf CLK_TCK)" '{print int($1 * hz)}' /proc/uptime)
	((now - st > $2 * $(getconf CLK_TCK)))
}

# bats test_tags=hostile
@test "hostile: a directory planted at Pids/NAME.ready: the guest boots and stops, the console log says once that the record cannot be written, status says unknown" {
	require_fixture busybox
	require_cmd musl-gcc
	local root
	root=$(fixture_copy busybox)
	mkdir -p "$(ws_ready hod)"
	st_start hod -r "$root"
	wait_for 10 booted "$CT_PID"
	wait_for 10 grep -q 'cannot write the readiness record' "$(ws_log hod)"
	# past busybox's 1 s (ready by alive), and two statuses from init: each a write that fails
	wait_for 10 init_older hod 2
	run notify_probe hod -1 'STATUS=one'
	run notify_probe hod -1 'STATUS=two'
	run_ds_err --name=hod status
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "Ready:       unknown (Pids/hod.ready is not a readiness record)" ]
	[ "$(grep -c 'cannot write the readiness record' "$(ws_log hod)")" -eq 1 ]
	[ -d "$(ws_ready hod)" ]
	st_stop hod
	[ -d "$(ws_ready hod)" ]
	rmdir "$(ws_ready hod)"
	nothing_ready_left hod
}

# bats test_tags=hostile
@test "hostile: notify datagrams from inside the guest: others' ignored, init's forged ones bounded and sanitised, oversized dropped, fds closed" {
	require_fixture busybox
	require_cmd musl-gcc
	local root mon fds ino
	root=$(fixture_copy busybox)
	wait_start hnt 30 -r "$root"
	mon=$(pidfile_key hnt monitor)
	fds=$(find "/proc/$mon/fd" -mindepth 1 | wc -l)
	# Not init: heard by nobody. Init's READY=1 once busybox counts as ready (by alive) changes
	# nothing, and leaves the status init's own; the datagrams are read in order, so once init's
	# next status is in the record, all of these were read.
	run notify_probe hnt -1 'STATUS=first'
	wait_for 10 grep -qx 'status=first' "$(ws_ready hnt)"
	run notify_probe hnt 'STATUS=not init'
	[ "$output" = "sent 15" ]
	run notify_probe hnt -1 'READY=1'
	run notify_probe hnt -1 'STATUS=second'
	wait_for 10 grep -qx 'status=second' "$(ws_ready hnt)"
	[ "$(record_key hnt by)" = alive ]
	# Guest root claiming PID 1 (it may): taken, but only as bounded printable text.
	run notify_probe hnt -1 'STATUS=\e[31mred\a\x01'"$(printf 'y%.0s' {1..300})"
	[[ $output == sent* ]]
	wait_for 10 grep -q '^status=?\[31mred??y' "$(ws_ready hnt)"
	[ "$(record_key hnt status | wc -c)" -eq 161 ] # DS_STATUS_MAX and the newline
	refute grep -q 'not init' "$(ws_ready hnt)"
	# Oversized: dropped whole.
	run notify_probe hnt -1 -n 100000
	[ "$output" = "sent 100000" ]
	# With an fd (SCM_RIGHTS): closed by the monitor, the message still read.
	run notify_probe hnt -1 -f 'STATUS=with fd'
	[ "$output" = "sent 14" ]
	wait_for 10 grep -qx 'status=with fd' "$(ws_ready hnt)"
	[ "$(find "/proc/$mon/fd" -mindepth 1 | wc -l)" -eq "$fds" ]
	refute grep -q xxxxxxxx "$(ws_ready hnt)"
	[ "$(status_line hnt 2)" = "Status:      with fd" ]
	# Garbage that says nothing known changes nothing.
	run notify_probe hnt -1 '\x00\xff\xfe=garbage\nREADY=2'
	[[ $output == sent* ]]
	run notify_probe hnt -1 'STATUS=last'
	wait_for 10 grep -qx 'status=last' "$(ws_ready hnt)"
	[ "$(record_key hnt by)" = alive ]
	is_monitor "$mon"
	st_stop hnt
	nothing_ready_left hnt
}

# bats test_tags=hostile
@test "ready: the record is rewritten only when it changes: a guest that repeats its STATUS= costs the host no writes" {
	require_fixture busybox
	require_cmd musl-gcc
	require_cmd strace
	local root mon tracer renames
	root=$(fixture_copy busybox)
	wait_start hrw 30 -r "$root"
	mon=$(pidfile_key hrw monitor)
	run notify_probe hrw -1 'STATUS=same'
	wait_for 10 grep -qx 'status=same' "$(ws_ready hrw)"
	# Every record write is an atomic rename over Pids/hrw.ready: count the monitor's renames.
	strace -qq -f -e trace=rename,renameat,renameat2 -e signal=none -o "$DS_TEST_DIR/renames" -p "$mon" &
	tracer=$!
	own_pid "$tracer"
	wait_for 10 grep -q "^TracerPid:[[:space:]]*$tracer\$" "/proc/$mon/status"
	for _ in 1 2 3 4 5; do
		run notify_probe hrw -1 'STATUS=same'
		[ "$output" = "sent 11" ]
	done
	run notify_probe hrw -1 'STATUS=changed'
	wait_for 10 grep -qx 'status=changed' "$(ws_ready hrw)"
	kill -TERM "$tracer"
	wait "$tracer" || true
	renames=$(grep -c 'hrw\.ready' "$DS_TEST_DIR/renames" || true)
	cat "$DS_TEST_DIR/renames"
	[ "$renames" -eq 1 ]
	is_monitor "$mon"
	st_stop hrw
	nothing_ready_left hrw
}
