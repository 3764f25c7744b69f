#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2016,SC2154 # CT_* are set per test; guest commands in single quotes; stderr set by run
# --private-users: init in a user namespace of its own, guest root an
# unprivileged range of host ids (auto from the workspace's registry, kept per
# container), the rootfs idmapped (files keep their ids on disk), the escape
# probe's rows refused by the kernel itself, bad values and kernels without
# user namespaces refused with one line, a failed start leaving nothing.
# Where the rootfs cannot be idmapped (DROIDSPACES_FAULT=no-idmap, or
# --private-users-ownership=chown), its ids are shifted on disk once and the
# shift recorded (private_users_shift): not walked again at restart, shifted
# on for another range, back at --private-users=no and at remove; an
# interrupted shift is finished; links are not followed, setuid bits stay. The record is of its
# tree: a fresh tree at the path is not taken as shifted, and the name is not started on another
# --rootfs while its shifted tree is there. An immutable file or a refused first chown changes
# nothing and keeps the record; remove that cannot shift back refuses and keeps the range; a bind
# mount of the same filesystem inside the rootfs keeps its ids (statx and its fallback); a file
# hard-linked to one outside the rootfs refuses the shift (and the shift back) before anything changed.
# Stock guests (OpenRC; trixie's systemd 257) boot and halt in a user namespace, host unchanged.
#
# info shows the range and the shift. Tags: hostile, fault.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed.

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
# common_teardown, and the network namespace holders of the OpenRC test; a file a failed test left
# immutable or append-only (PU_PINNED) made deletable first
teardown() {
	[[ -z ${PU_PINNED:-} ]] || chattr -i -a "$PU_PINNED" 2>/dev/null || true
	netns_teardown
}

REGISTRY() { echo "$DROIDSPACES_WORKSPACE/userns.ranges"; }
# range_base NAME: the first id of NAME's range in the registry.
range_base() { awk -v n="$1" '$3 == n { print $1 }' "$(REGISTRY)"; }
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
	base=$(range_base "puct")
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
	refute grep -q ' puct$' "$(REGISTRY)"
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
	for v in idmap '' yes; do
		run_ds_err --name=pubad -r "$root" --private-users --private-users-ownership="$v" start
		[ "$status" -ne 0 ]
		assert_one_error_line "--private-users-ownership"
	done
	# map asked for, the rootfs cannot be idmapped: the monitor fails the start; no range, no container,
	# nothing on the host
	DROIDSPACES_FAULT=no-idmap run_ds_err --name=pubad -r "$root" --private-users --private-users-ownership=map start
	[ "$status" -ne 0 ]
	assert_one_error_line "cannot be idmapped"
	nothing_left pubad
	[ ! -e "$DROIDSPACES_WORKSPACE/Containers/pubad/container.config" ]
	refute grep -q ' pubad$' "$(REGISTRY)"
	# no ownership changed in the rootfs
	[ -z "$(find "$root" -xdev \( -uid +65535 -o -gid +65535 \) -print -quit)" ]
	# chown where an id is outside the range: refused before anything changed, with the entry named
	mkdir -p "$root/home/far"
	chown 70000:0 "$root/home/far"
	DROIDSPACES_FAULT=no-idmap run_ds_err --name=pubad -r "$root" --private-users start
	[ "$status" -ne 0 ]
	assert_one_error_line "/home/far has id 70000, outside 0-65535"
	nothing_left pubad
	[ -z "$(find "$root" -xdev \( -uid +65535 -o -gid +65535 \) ! -path "$root/home/far" -print -quit)" ]
}

# shifted ROOT REL: the uid:gid of ROOT/REL on disk (the entry itself, never what a link points to).
shifted() { stat -c %u:%g "$1/$2"; }

# bats test_tags=fault
@test "private-users: where the rootfs cannot be idmapped its ids are shifted on disk once: recorded, not walked at restart, shifted on for another range, back at --private-users=no; links not followed, setuid kept" {
	require_fixture busybox
	local root cfg base nb hostfile
	root=$(fixture_copy --copy busybox)
	cfg=$DROIDSPACES_WORKSPACE/Containers/pushift/container.config
	# planted: a link to a host file, a setuid and a setgid file, a directory of guest uid 1000
	hostfile=$DS_TEST_DIR/hostfile
	touch "$hostfile"
	ln -s "$hostfile" "$root/hostlink"
	install -m 4755 /dev/null "$root/suidfile"
	install -m 2755 -g 50 /dev/null "$root/sgidfile"
	mkdir -p "$root/home/u1000"
	chown 1000:1000 "$root/home/u1000"
	DROIDSPACES_FAULT=no-idmap st_start pushift -r "$root" --private-users
	[[ $stderr == "droidspaces: shifting the ids of $root ("*" files) to "*":65536, once"*"cannot be idmapped"* ]]
	wait_for 10 booted "$CT_PID"
	base=$(range_base "pushift")
	[ "$base" -ge 524288 ]
	# the record, saved; info shows it
	grep -qx "private_users_shift=$base:65536" "$cfg"
	run "$DS" --name=pushift info
	[[ $output == *"Rootfs ids:  $base:65536"* ]]
	run "$DS" --name=pushift info --json
	[ "$(jq -r .features.private_users_shift <<<"$output")" = "$base:65536" ]
	# on disk: every id moved by the base; the link itself shifted, the host file it names not
	[ "$(shifted "$root" .)" = "$base:$base" ]
	[ "$(shifted "$root" home/u1000)" = "$((base + 1000)):$((base + 1000))" ]
	[ "$(shifted "$root" hostlink)" = "$base:$base" ]
	[ "$(stat -c %u:%g "$hostfile")" = 0:0 ]
	[ -z "$(find "$root" -xdev \( -uid -"$base" -o -gid -"$base" \) -print -quit)" ]
	[ "$(stat -c %a "$root/suidfile")" = 4755 ]
	[ "$(stat -c %a:%g "$root/sgidfile")" = "2755:$((base + 50))" ]
	# inside: its own ids; what it creates lands on disk as base + id
	[ "$("$DS" --name=pushift run id -u)" = 0 ]
	[ "$("$DS" --name=pushift run stat -c %u:%g /home/u1000)" = 1000:1000 ]
	[ "$("$DS" --name=pushift run stat -c %u /)" = 0 ]
	"$DS" --name=pushift run sh -c 'touch /root/made && mkdir /home/new && chown 1000:1000 /home/new'
	[ "$(shifted "$root" root/made)" = "$base:$base" ]
	[ "$(shifted "$root" home/new)" = "$((base + 1000)):$((base + 1000))" ]
	st_stop pushift
	# restart with the same range: no walk. A file with an id outside the range, which any walk
	# would refuse, does not stop it
	touch "$root/foreign"
	chown 70000:70000 "$root/foreign"
	DROIDSPACES_FAULT=no-idmap st_start pushift
	[[ $stderr != *shifting* ]]
	wait_for 10 booted "$CT_PID"
	[ "$(uid_of "$CT_PID")" = "$base" ]
	st_stop pushift
	rm "$root/foreign"
	# without the fault: a shifted rootfs stays shifted (auto), no walk either
	st_start pushift
	[[ $stderr != *shifting* ]]
	wait_for 10 booted "$CT_PID"
	st_stop pushift
	# another range: shifted on from the recorded one
	nb=$((base + 131072))
	st_start pushift --private-users="$nb"
	[[ $stderr == *"shifting the ids of $root"*"to $nb:65536"* ]]
	wait_for 10 booted "$CT_PID"
	[ "$(uid_of "$CT_PID")" = "$nb" ]
	grep -qx "private_users_shift=$nb:65536" "$cfg"
	[ "$(shifted "$root" home/new)" = "$((nb + 1000)):$((nb + 1000))" ]
	[ "$(shifted "$root" root/made)" = "$nb:$nb" ]
	[ "$(stat -c %a "$root/suidfile")" = 4755 ]
	st_stop pushift
	# --private-users=no: the rootfs's own ids again, the record gone
	st_start pushift --private-users=no
	[[ $stderr == *"shifting back the ids of $root"* ]]
	wait_for 10 booted "$CT_PID"
	refute grep -q '^private_users_shift=' "$cfg"
	[ "$(shifted "$root" .)" = 0:0 ]
	[ "$(shifted "$root" home/new)" = 1000:1000 ]
	[ "$(shifted "$root" hostlink)" = 0:0 ]
	[ "$(stat -c %a:%g "$root/sgidfile")" = 2755:50 ]
	[ "$(stat -c %a "$root/suidfile")" = 4755 ]
	[ -z "$(find "$root" -xdev \( -uid +65535 -o -gid +65535 \) -print -quit)" ]
	st_stop pushift
	# forced chown, then remove: shifted back before the range is released
	st_start pushift --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	grep -q '^private_users_shift=' "$cfg"
	st_stop pushift
	run_ds_err --name=pushift remove
	[ "$status" -eq 0 ]
	[ "$(shifted "$root" home/new)" = 1000:1000 ]
	[ -z "$(find "$root" -xdev \( -uid +65535 -o -gid +65535 \) -print -quit)" ]
}

# bats test_tags=fault
@test "private-users: a shift interrupted halfway (the record says shifting) is finished by the next start" {
	require_fixture busybox
	local root cfg base=655360
	root=$(fixture_copy --copy busybox)
	cfg=$DROIDSPACES_WORKSPACE/Containers/puhalf/container.config
	# a first start with chown, stopped: the config as saved
	st_start puhalf -r "$root" --private-users="$base" --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	st_stop puhalf
	# as if a walk back to 0 had stopped halfway: some entries back, the rest still shifted
	sed -i "s/^private_users_shift=.*/private_users_shift=shifting:$base:0:65536/" "$cfg"
	chown -h 0:0 "$root" "$root/bin"
	run "$DS" --name=puhalf info
	[[ $output == *"Rootfs ids:  interrupted shift shifting:$base:0:65536"* ]]
	st_start puhalf
	[[ $stderr == *"shifting back the ids of $root"*"the last shift did not finish"*"shifting the ids of $root"*"to $base:65536"* ]]
	wait_for 10 booted "$CT_PID"
	# finished back to 0, then shifted again for the range (chown, saved)
	grep -qx "private_users_shift=$base:65536" "$cfg"
	[ -z "$(find "$root" -xdev \( -uid -"$base" -o -gid -"$base" \) -print -quit)" ]
	[ "$(uid_of "$CT_PID")" = "$base" ]
	st_stop puhalf
}

# The record is of the tree at the rootfs's path: that path given again with --rootfs (the saved
# settings are not merged then) keeps it; a fresh tree put at the path has its root owned outside
# the recorded range, and is taken as unshifted (shifted itself where it cannot be idmapped).
# bats test_tags=fault
@test "private-users: a shift record is of its tree: kept when --rootfs names it again; a fresh tree put at its path is shifted itself" {
	require_fixture busybox
	local root base cfg
	root=$(fixture_copy --copy busybox)
	cfg=$DROIDSPACES_WORKSPACE/Containers/putree/container.config
	st_start putree -r "$root" --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	base=$(range_base "putree")
	[ "$(shifted "$root" .)" = "$base:$base" ]
	st_stop putree
	# the same tree named again (ownership auto): still shifted, not walked, not idmapped on top
	st_start putree -r "$root" --private-users
	[[ $stderr != *shifting* ]]
	wait_for 10 booted "$CT_PID"
	[ "$("$DS" --name=putree run stat -c %u:%g /etc/passwd)" = 0:0 ]
	grep -qx "private_users_shift=$base:65536" "$cfg"
	st_stop putree
	# a fresh copy at the same path, on a kernel that cannot idmap: the record is not its
	rm -rf "$root"
	mkdir "$root"
	cp -a "$DS_FIXTURES/busybox/." "$root/"
	DROIDSPACES_FAULT=no-idmap st_start putree
	[[ $stderr == *"$root is owned by 0:0, outside the shift recorded for it ($base:65536): another tree"* ]]
	[[ $stderr == *"shifting the ids of $root"* ]]
	wait_for 10 booted "$CT_PID"
	[ "$(shifted "$root" .)" = "$base:$base" ]
	[ "$("$DS" --name=putree run stat -c %u:%g /etc/passwd)" = 0:0 ]
	grep -qx "private_users_shift=$base:65536" "$cfg"
	st_stop putree
}

# Another --rootfs for a name whose tree is shifted would drop the only record of that shift
# (remove could not shift it back): refused, nothing changed; after remove, or once that tree is
# gone, the name boots the other tree.
@test "private-users: a name whose rootfs is shifted is not started on another --rootfs (one line, nothing changed); after remove it is" {
	require_fixture busybox
	local r1 r2 base cfg
	r1=$(fixture_copy --copy busybox)
	r2=$(fixture_copy --copy busybox)
	cfg=$DROIDSPACES_WORKSPACE/Containers/puother/container.config
	st_start puother -r "$r1" --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	base=$(range_base "puother")
	st_stop puother
	cp "$cfg" "$DS_TEST_DIR/cfg.before"
	st_refused "container puother's rootfs $r1 has its ids shifted (private_users_shift=$base:65536)" \
		--name=puother -r "$r2" --private-users --private-users-ownership=chown
	cmp "$cfg" "$DS_TEST_DIR/cfg.before"
	[ "$(shifted "$r2" .)" = 0:0 ]
	[ "$(shifted "$r1" .)" = "$base:$base" ]
	# remove shifts r1 back: then the name boots r2, shifted itself
	"$DS" --name=puother remove
	[ "$(shifted "$r1" .)" = 0:0 ]
	st_start puother -r "$r2" --private-users --private-users-ownership=chown
	[[ $stderr == *"shifting the ids of $r2"* ]]
	wait_for 10 booted "$CT_PID"
	base=$(range_base "puother")
	[ "$(shifted "$r2" .)" = "$base:$base" ]
	st_stop puother
	# a shifted tree that is gone refuses nothing
	rm -rf "$r2"
	st_start puother -r "$r1"
	wait_for 10 booted "$CT_PID"
	refute grep -q '^private_users_shift=' "$cfg"
	st_stop puother
}

# A shifted tree moved (or copied) elsewhere: its record names the old path. Before, a start with the
# default ownership (auto) idmapped it again over its shifted ids, and the guest saw nobody's files.
@test "private-users: a shifted tree moved to another path is taken as shifted (its root is guest root's, no idmap over it); another range's is refused with one line" {
	require_fixture busybox
	local r1 moved base cfg
	r1=$(fixture_copy --copy busybox)
	moved=$DS_TEST_DIR/moved
	cfg=$DROIDSPACES_WORKSPACE/Containers/pumove/container.config
	st_start pumove -r "$r1" --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	base=$(range_base pumove)
	st_stop pumove
	mv "$r1" "$moved"
	# auto: this filesystem can be idmapped, but the tree is already guest root's
	st_start pumove -r "$moved" --private-users
	[[ $stderr == *"$moved is owned by guest root ($base), with no shift recorded for it: taken as shifted to $base:65536"* ]]
	wait_for 10 booted "$CT_PID"
	[ "$("$DS" --name=pumove run stat -c %u:%g /bin/busybox)" = 0:0 ]
	[ "$(shifted "$moved" bin/busybox)" = "$base:$base" ]
	st_stop pumove
	grep -qx "private_users_shift=$base:65536" "$cfg"
	# another name, another range: refused before anything changed
	st_refused "$moved is owned by $base:$base, with no shift recorded for it" --name=pumove2 -r "$moved" --private-users
	[ "$(shifted "$moved" .)" = "$base:$base" ]
	[ ! -e "$DROIDSPACES_WORKSPACE/Containers/pumove2/container.config" ]
	# remove shifts it back at its new path
	"$DS" --name=pumove remove
	[ "$(shifted "$moved" .)" = 0:0 ]
	[ "$(shifted "$moved" bin/busybox)" = 0:0 ]
	# with --private-users-ownership=map a moved shifted tree is shifted back, and the line says so
	st_start pumap -r "$moved" --private-users --private-users-ownership=chown
	base=$(range_base pumap)
	st_stop pumap
	mv "$moved" "$moved.2"
	st_start pumap -r "$moved.2" --private-users --private-users-ownership=map
	[[ $stderr == *"$moved.2 is owned by guest root ($base), with no shift recorded for it: taken as shifted to $base:65536, and shifted back to its own ids now (--private-users-ownership=map)"* ]]
	[ "$(shifted "$moved.2" bin/busybox)" = 0:0 ]
	wait_for 10 booted "$CT_PID"
	[ "$("$DS" --name=pumap run stat -c %u:%g /bin/busybox)" = 0:0 ]
	st_stop pumap
	"$DS" --name=pumap remove
}

# A file whose owner cannot change (chattr +i, +a) is found by the dry pass: the start refuses with one
# line naming it before anything changed, the record stays as it was, and neither a later start nor
# remove is held up by it. A walk whose very first change fails (NFS root_squash, faked by
# DROIDSPACES_FAULT=idshift:chown-fails) leaves the record as it was too.
# bats test_tags=fault
@test "private-users: a shift that cannot change a file (immutable, append-only, a chown refused) changes nothing and keeps the record; a plain start and remove still work" {
	require_fixture busybox
	require_cmd chattr
	local root cfg base
	root=$(fixture_copy --copy busybox)
	cfg=$DROIDSPACES_WORKSPACE/Containers/puimm/container.config
	touch "$root/pinned"
	PU_PINNED=$root/pinned
	chattr +i "$root/pinned" || skip "this filesystem has no immutable flag (chattr +i)"
	st_refused "cannot shift the ids of $root: $root/pinned is immutable or append-only" \
		--name=puimm -r "$root" --private-users --private-users-ownership=chown
	chattr -i "$root/pinned"
	[ ! -e "$cfg" ]
	[ "$(shifted "$root" .)" = 0:0 ]
	refute grep -q ' puimm$' "$(REGISTRY)"
	# the first chown refused: nothing changed, no record left behind
	DROIDSPACES_FAULT=idshift:chown-fails run_ds_err --name=puimm -r "$root" --private-users \
		--private-users-ownership=chown start
	[ "$status" -ne 0 ]
	[[ $stderr == *"cannot shift the ids of $root: Operation not permitted"* ]]
	[ "$(shifted "$root" .)" = 0:0 ]
	refute grep -q '^private_users_shift=' "$cfg"
	# shifted; then an append-only file: shifting back (--private-users=no) refused, the record kept
	st_start puimm -r "$root" --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	base=$(range_base "puimm")
	st_stop puimm
	grep -qx "private_users_shift=$base:65536" "$cfg"
	chattr +a "$root/pinned"
	st_refused "$root/pinned is immutable or append-only" --name=puimm --private-users=no
	grep -qx "private_users_shift=$base:65536" "$cfg"
	[ "$(shifted "$root" pinned)" = "$base:$base" ]
	# remove refuses too: the record and the range kept (no file leaves carrying a released range)
	run_ds_err --name=puimm remove
	[ "$status" -ne 0 ]
	assert_one_error_line "$root/pinned is immutable or append-only"
	grep -qx "private_users_shift=$base:65536" "$cfg"
	grep -q " puimm$" "$(REGISTRY)"
	chattr -a "$root/pinned"
	# the walk back's first chown refused: the record still says shifted (not shifting), and a start boots
	DROIDSPACES_FAULT=idshift:chown-fails run_ds_err --name=puimm --private-users=no start
	[ "$status" -ne 0 ]
	grep -qx "private_users_shift=$base:65536" "$cfg"
	st_start puimm
	[[ $stderr != *shifting* ]]
	wait_for 10 booted "$CT_PID"
	st_stop puimm
	"$DS" --name=puimm remove
	[ "$(shifted "$root" .)" = 0:0 ]
	[ "$(shifted "$root" pinned)" = 0:0 ]
	refute grep -q ' puimm$' "$(REGISTRY)"
}

# remove shifts a shifted tree back before it releases the range; when it cannot open the tree
# (anything but "it is gone") or cannot read the settings that hold the record, it refuses with one
# line and keeps the record and the range.
@test "private-users: remove refuses (one line, record and range kept) when it cannot shift back: the tree not openable, the settings unreadable; a tree that is gone is removed" {
	require_fixture busybox
	local root cfg base
	root=$(fixture_copy --copy busybox)
	cfg=$DROIDSPACES_WORKSPACE/Containers/puundo/container.config
	st_start puundo -r "$root" --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	base=$(range_base "puundo")
	st_stop puundo
	# the tree moved and a link put at its path: not opened (no link followed), refused
	mv "$root" "$root.real"
	ln -s "$root.real" "$root"
	run_ds_err --name=puundo remove
	[ "$status" -ne 0 ]
	assert_one_error_line "cannot shift the ids of $root back (private_users_shift=$base:65536)"
	grep -qx "private_users_shift=$base:65536" "$cfg"
	grep -q " puundo$" "$(REGISTRY)"
	rm "$root"
	mv "$root.real" "$root"
	# the settings unreadable (a directory at their path): refused, naming them
	mv "$cfg" "$cfg.real"
	mkdir "$cfg"
	run_ds_err --name=puundo remove
	[ "$status" -ne 0 ]
	assert_one_error_line "cannot remove puundo: cannot read $cfg"
	grep -q " puundo$" "$(REGISTRY)"
	rmdir "$cfg"
	mv "$cfg.real" "$cfg"
	[ "$(shifted "$root" .)" = "$base:$base" ]
	"$DS" --name=puundo remove
	[ "$(shifted "$root" .)" = 0:0 ]
	refute grep -q ' puundo$' "$(REGISTRY)"
	# a tree that is gone: nothing carries the range, remove goes through
	st_start puundo -r "$root" --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	st_stop puundo
	rm -rf "$root"
	"$DS" --name=puundo remove
	refute grep -q ' puundo$' "$(REGISTRY)"
}

# The walk stays on the rootfs's mount: a host directory bind-mounted inside it from the same
# filesystem (same st_dev) is neither changed nor entered, with statx's mount id and with the
# name_to_handle_at fallback of kernels before 5.8 (DROIDSPACES_FAULT=no-statx-mntid), and with no mount
# id at all (before 5.8 on a filesystem without file handles, DROIDSPACES_FAULT=no-mntid) by mountinfo's paths.
# bats test_tags=fault
@test "private-users: a bind mount of the same filesystem inside the rootfs keeps its ids (statx mount id, the name_to_handle_at fallback, mountinfo without either)" {
	require_fixture busybox
	local root scratch fault
	for fault in none no-statx-mntid no-mntid; do
		root=$(fixture_copy --copy busybox)
		scratch=$DS_TEST_DIR/scratch-$fault
		mkdir -p "$scratch/sub" "$root/home/bound"
		touch "$scratch/sub/file"
		[ "$(stat -c %d "$scratch")" = "$(stat -c %d "$root")" ]
		mount --bind "$scratch" "$root/home/bound"
		DROIDSPACES_FAULT=$fault st_start "pubind$fault" -r "$root" --private-users \
			--private-users-ownership=chown || { umount "$root/home/bound" && false; }
		umount "$root/home/bound"
		[ "$(stat -c %u:%g "$scratch" "$scratch/sub" "$scratch/sub/file" | sort -u)" = 0:0 ]
		[ "$(shifted "$root" home)" != 0:0 ]
		st_stop "pubind$fault"
		"$DS" --name="pubind$fault" remove
		[ "$(shifted "$root" home)" = 0:0 ]
	done
}

# A hard link from the rootfs to a file outside it (the same filesystem: ln, cp -al) is one inode with
# it: before, the shift only warned, and the host file became guest root's too. The dry pass counts
# the links it meets of each file and refuses one that has more, before anything changed; links met
# twice inside the tree (git-core's) are no reason.
# bats test_tags=hostile
@test "private-users: a file hard-linked to one outside the rootfs refuses the shift with one line before anything changed; the outside file keeps its owner" {
	require_fixture busybox
	local root outside cfg base
	root=$(fixture_copy --copy busybox)
	outside=$DS_TEST_DIR/host-owned
	cfg=$DROIDSPACES_WORKSPACE/Containers/pulink/container.config
	echo host >"$outside"
	chown 123:456 "$outside"
	[ "$(stat -c %d "$outside")" = "$(stat -c %d "$root")" ]
	ln "$outside" "$root/etc/hostfile"
	ln "$root/bin/busybox" "$root/bin/busybox.hard"
	st_refused "--private-users: cannot shift the ids of $root: $root/etc/hostfile has 2 hard links, 1 of them outside it" \
		--name=pulink -r "$root" --private-users --private-users-ownership=chown
	[ "$(stat -c %u:%g "$outside")" = 123:456 ]
	[ "$(shifted "$root" .)" = 0:0 ]
	[ "$(shifted "$root" bin/busybox)" = 0:0 ]
	[ ! -e "$cfg" ]
	refute grep -q ' pulink$' "$(REGISTRY)"
	# the link broken: shifted, the pair inside once
	rm "$root/etc/hostfile"
	st_start pulink -r "$root" --private-users --private-users-ownership=chown
	wait_for 10 booted "$CT_PID"
	base=$(range_base pulink)
	[ "$(shifted "$root" bin/busybox.hard)" = "$base:$base" ]
	[ "$(stat -c %u:%g "$outside")" = 123:456 ]
	st_stop pulink
	# a link made while shifted holds up the shift back too (remove refuses, the range kept)
	ln "$outside" "$root/etc/hostfile"
	run_ds_err --name=pulink remove
	[ "$status" -ne 0 ]
	assert_one_error_line "$root/etc/hostfile has 2 hard links, 1 of them outside it"
	[ "$(stat -c %u:%g "$outside")" = 123:456 ]
	grep -q ' pulink$' "$(REGISTRY)"
	rm "$root/etc/hostfile"
	"$DS" --name=pulink remove
	[ "$(shifted "$root" bin/busybox)" = 0:0 ]
}

# pu_stock FIXTURE NAME OPTION...: the stock FIXTURE booted from a filesystem of its
# own (fixture_fs) inside a network namespace the test made, with --private-users and OPTION...;
# $PU_CHECK NAME run once it booted, if set; halted (its time in STOP_USEC); the filesystem stays
# read-write, the namespace's links and the host's hierarchies as they
# were (common_teardown compares the rest). The guest's console log is shown when it did not halt.
pu_stock() {
	local fixture=$1 name=$2 root holder before hier t0
	shift 2
	require_fixture "$fixture"
	require_cmd unshare nsenter ip mkfs.ext4
	root=$(fixture_fs "$fixture")
	before=$(fs_opts "$root")
	hier=$(cut -d: -f1,2 /proc/self/cgroup)
	holder=$(netns_holder_start) || return 1
	net_state "$holder" >"$DS_TEST_DIR/net.before"
	DS_WRAP=(nsenter -t "$holder" -n --)
	st_start "$name" -r "$root" --private-users "$@"
	# shellcheck disable=SC2034 # read by run_ds_err
	DS_WRAP=()
	wait_for 120 booted "$CT_PID"
	[ "$(uid_of "$CT_PID")" -ge 524288 ]
	[ "$("$DS" --name="$name" run id -u)" = 0 ]
	[ "$(cut -d: -f1,2 /proc/self/cgroup)" = "$hier" ]
	[[ -z ${PU_CHECK:-} ]] || "$PU_CHECK" "$name"
	t0=$(_ds_usec_now)
	st_stop "$name"
	STOP_USEC=$(($(_ds_usec_now) - t0))
	grep -q halted "$root/var/log/ds-test-halted" || {
		tail -60 "$(ws_log "$name")" | sed 's/^/# /' >&3
		return 1
	}
	net_state "$holder" >"$DS_TEST_DIR/net.after"
	diff -u "$DS_TEST_DIR/net.before" "$DS_TEST_DIR/net.after"
	[ "$(fs_opts "$root")" = "$before" ]
	PU_STOCK_ROOT=$root
}

# bats test_tags=stock,slow
@test "private-users: a stock Debian sysvinit+OpenRC guest boots in a user namespace (idmapped) and halts; the host's filesystem, cgroups and links stay as they were" {
	pu_stock debian-openrc-stock puorc
	umount "$PU_STOCK_ROOT"
}

# bats test_tags=stock,slow
@test "private-users: a stock Debian sysvinit+OpenRC guest boots with its ids shifted (chown) and halts; the host's filesystem, cgroups and links stay as they were" {
	pu_stock debian-openrc-stock puorcs --private-users-ownership=chown
	grep -q '^private_users_shift=' "$DROIDSPACES_WORKSPACE/Containers/puorcs/container.config"
	[ -z "$(find "$PU_STOCK_ROOT" -xdev \( -uid -524288 -o -gid -524288 \) -print -quit)" ]
	umount "$PU_STOCK_ROOT"
}

# pu_trixie_running NAME: trixie's systemd 257 is up in its user namespace on a delegated cgroup2
# tree: "running" without failed units, guest root 0 on the range, run and enter work.
pu_trixie_running() {
	local name=$1 state
	run "$DS" --name="$name" run systemctl is-system-running
	state=$output
	echo "state: $state"
	[[ $state == running ]] || "$DS" --name="$name" run systemctl --failed --no-legend >&3 || true
	[ "$state" = running ]
	[ -z "$("$DS" --name="$name" run systemctl --failed --no-legend)" ]
	[[ $("$DS" --name="$name" run systemctl --version) == "systemd 257 "* ]]
	[ "$("$DS" --name="$name" run stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
	[ "$("$DS" --name="$name" run grep '^0::' /proc/1/cgroup)" = "0::/init.scope" ]
	run "$DS" -n "$name" enter < <(printf '%s\n' 'echo "entered-$((6*7)) as $(id -u)"' 'exit 3')
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"entered-42 as 0"* ]]
}

# bats test_tags=stock,slow
@test "private-users: Debian trixie's stock systemd 257 boots to running in a user namespace (start --wait), run and enter work, halts promptly; the host's filesystem, cgroups and links stay as they were" {
	PU_CHECK=pu_trixie_running pu_stock debian-trixie-systemd-stock pusd13 --wait=120
	grep -q . "$PU_STOCK_ROOT/var/log/ds-test-boots"
	((STOP_USEC < 8000000))
	umount "$PU_STOCK_ROOT"
}
