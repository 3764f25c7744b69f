#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2016 # CT_* are set per test; guest commands in single quotes
# --private-users: init in a user namespace of its own, guest root an
# unprivileged range of host ids (auto from the workspace's registry, kept per
# container), the rootfs idmapped (files keep their ids on disk), the escape
# probe's rows refused by the kernel itself, bad values and kernels without
# user namespaces refused with one line, a failed start leaving nothing.
#
# info shows the range. Tags: hostile, fault.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

REGISTRY() { echo "$DROIDSPACES_WORKSPACE/userns.ranges"; }
# uid_of PID: the real uid of a host process.
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }
# pu_boot NAME: a copy of the busybox fixture (its path in PU_ROOT) booted as NAME with --private-users.
pu_boot() {
	require_fixture busybox
	PU_ROOT=$(fixture_copy --copy busybox)
	st_start "$1" -r "$PU_ROOT" --private-users
	wait_for 10 booted "$CT_PID"
}

@test "private-users: busybox boots as guest root 0 on host ids from the range base; files keep their ids on disk; restart keeps the range" {
	local root base
	pu_boot puct
	root=$PU_ROOT
	base=$(awk '$3 == "puct" { print $1 }' "$(REGISTRY)")
	[ "$base" -ge 524288 ]
	grep -qx "private_users=$base:65536" "$DROIDSPACES_WORKSPACE/Containers/puct/container.config"
	# the host sees init as the range base, the guest as 0
	[ "$(uid_of "$CT_PID")" = "$base" ]
	# info shows the range the kernel has for init (running) and the saved one (stopped)
	run "$DS" --name=puct info
	[[ $output == *"Private users: $base:65536"* ]]
	run "$DS" --name=puct info --json
	[ "$(jq -r .features.private_users <<<"$output")" = "$base:65536" ]
	[ "$("$DS" --name=puct run id -u)" = 0 ]
	run "$DS" --name=puct run cat /proc/self/uid_map
	[[ $output =~ ^\ *0\ +$base\ +65536$ ]]
	# idmapped: what guest root and guest uid 1000 create has ids 0 and 1000 on disk
	"$DS" --name=puct run sh -c 'touch /root/made && mkdir -p /home/u && chown 1000:1000 /home/u'
	[ "$(stat -c %u:%g "$root/root/made")" = 0:0 ]
	[ "$(stat -c %u:%g "$root/home/u")" = 1000:1000 ]
	# the cgroup is guest root's to manage
	[ "$(stat -c %u "$(cg2_mount)/droidspaces/puct")" = "$base" ]
	st_stop puct
	run "$DS" --name=puct info
	[[ $output == *"Private users: $base:65536"* ]]
	# restart: the saved range again
	st_start puct
	wait_for 10 booted "$CT_PID"
	[ "$(uid_of "$CT_PID")" = "$base" ]
	st_stop puct
	[ "$(grep -c ' puct$' "$(REGISTRY)")" = 1 ]
	# remove frees the range
	"$DS" --name=puct remove
	! grep -q ' puct$' "$(REGISTRY)"
}

@test "private-users: two containers get ranges that do not overlap; a fixed range over another's is refused" {
	require_fixture busybox
	local r1 r2 b1 b2
	r1=$(fixture_copy --copy busybox)
	r2=$(fixture_copy --copy busybox)
	st_start puone -r "$r1" --private-users
	st_start putwo -r "$r2" -U
	wait_for 10 booted "$CT_PID"
	b1=$(uid_of "$(ds_pid puone)")
	b2=$(uid_of "$(ds_pid putwo)")
	[ "$b1" != "$b2" ]
	((b1 + 65536 <= b2 || b2 + 65536 <= b1))
	st_stop putwo
	run_ds_err --name=putwo -r "$r2" --private-users="$((b1 + 100))" start
	[ "$status" -ne 0 ]
	assert_one_error_line "overlap those of container puone"
	st_stop puone
}

@test "private-users: the escape probe as guest root: mknod, file handles, the kernel log and core_pattern refused, the filter still on" {
	local root out
	pu_boot puesc
	root=$PU_ROOT
	# into the rootfs from the host side: through /proc/PID/root host root writes via the guest's
	# idmapped mount, where it has no id (EOVERFLOW), as run_probe would
	musl-gcc -static -O2 -o "$root/escapeprobe" "$DS_REPO/tests/e2e/probes/escapeprobe.c"
	out=$("$DS" --name=puesc run /escapeprobe)
	echo "$out"
	grep -qx 'seccomp: 2' <<<"$out"
	grep -qx 'mknod: EPERM' <<<"$out"
	grep -qx 'handle: EPERM' <<<"$out"
	grep -qx 'syslog: EPERM' <<<"$out"
	grep -qx 'module: EPERM' <<<"$out"
	grep -qx 'core_pattern: EACCES' <<<"$out"
	grep -Eqx 'kmsg: (EACCES|EPERM)' <<<"$out"
	run "$DS" --name=puesc run dmesg
	[ "$status" -ne 0 ]
	st_stop puesc
}

@test "private-users: a stock systemd guest boots to running in its user namespace" {
	require_fixture debian-systemd
	local root state
	root=$(fixture_copy --copy debian-systemd)
	st_start pusd -r "$root" --private-users
	wait_for 120 booted "$CT_PID"
	run "$DS" --name=pusd run timeout 120 systemctl is-system-running --wait
	state=$output
	echo "state: $state"
	if [[ $state != running && $state != degraded ]]; then
		"$DS" --name=pusd run systemctl --failed --no-legend >&3 || true
		tail -40 "$(ws_log pusd)" >&3
		skip_loud "systemd in a user namespace did not come up: $state"
	fi
	# degraded is allowed only for units a user namespace cannot run: say which
	[[ $state == running ]] || "$DS" --name=pusd run systemctl --failed --no-legend | sed 's/^/# failed: /' >&3
	[ "$("$DS" --name=pusd run id -u)" = 0 ]
	[ "$(uid_of "$(ds_pid pusd)")" -ge 524288 ]
	st_stop pusd
}

@test "private-users: bad values, other modes and a kernel without user namespaces are refused with one line; a failed start leaves nothing" {
	require_fixture busybox
	local root v
	root=$(fixture_copy --copy busybox)
	for v in 0 100:65536 abc 524288:0 4294901760:65536 -1 524288:x; do
		run_ds_err --name=pubad -r "$root" --private-users="$v" start
		[ "$status" -ne 0 ]
		assert_one_error_line "--private-users"
	done
	run_ds_err --name=pubad -r "$root" --private-users --volatile start
	assert_one_error_line "not with --volatile"
	run_ds_err --name=pubad -r "$root" --private-users -H start
	assert_one_error_line "not with --hw-access"
	DROIDSPACES_FAULT=no-userns run_ds_err --name=pubad -r "$root" --private-users start
	[ "$status" -ne 0 ]
	assert_one_error_line "does not create user namespaces"
	DROIDSPACES_FAULT=no-userns run "$DS" --json check
	[ "$(jq -r '.features[] | select(.key == "user_ns") | .available' <<<"$output")" = false ]
	# the rootfs cannot be idmapped: the monitor fails the start; no range, no container, nothing on the host
	DROIDSPACES_FAULT=no-idmap run_ds_err --name=pubad -r "$root" --private-users start
	[ "$status" -ne 0 ]
	assert_one_error_line "cannot be idmapped"
	nothing_left pubad
	[ ! -e "$DROIDSPACES_WORKSPACE/Containers/pubad/container.config" ]
	! grep -q ' pubad$' "$(REGISTRY)"
	# no ownership changed in the rootfs
	[ -z "$(find "$root" -xdev \( -uid +65535 -o -gid +65535 \) -print -quit)" ]
}
