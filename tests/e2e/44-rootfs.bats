#!/usr/bin/env bats
# The rootfs and the paths in it, end to end: --rootfs and --rootfs-img that
# are missing, relative, a file or the host's own /; a rootfs that is a
# symlink swapped while starting; symlinks, FIFOs, devices and huge files in
# place of dev, proc, sys, run, etc and the files start writes (hostname,
# hosts, resolv.conf): links are replaced, never followed, FIFOs and devices
# refused; a guest's absolute symlinks in a middle component of a path read
# or written from the host resolve inside the guest, with openat2 and with
# the component walk of kernels without it (DROIDSPACES_FAULT=no-openat2).
#
# Host-side stand-ins (marker files, a FIFO) live in the test's scratch dir on
# the fixture filesystem.  Tags: hostile, fault; asan marks the tests
# `make e2e-asan` runs.

bats_require_minimum_version 1.5.0

load helpers

setup() { fault_setup; }
teardown() { fault_teardown; }

# bats test_tags=hostile,asan
@test "hostile rootfs: dev, proc, sys, run as symlinks (absolute and relative) are refused, nothing touched" {
	require_fixture busybox
	local canary=$DS_TEST_DIR/canary state root d kind target
	mkdir -p "$canary/sub"
	echo canary >"$canary/file"
	state=$(canary_state "$canary")
	for d in dev proc sys run; do
		for kind in abs rel; do
			root=$(fixture_copy busybox)
			# $root is $DS_TEST_DIR/rootfs.N.busybox/root: ../../canary from it
			target=$canary
			[[ $kind == rel ]] && target=../../canary
			rm -rf "${root:?}/$d"
			ln -s "$target" "$root/$d"
			[ "$(realpath "$root/$d")" = "$canary" ]
			echo "row: /$d -> $target"
			track_container "hostile-$d-$kind"
			run_ds_err --name="hostile-$d-$kind" --rootfs="$root" start
			[ "$status" -ne 0 ]
			assert_one_error_line "rootfs path /$d is a symlink; refusing to mount over it"
			[ ! -e "$(ws_pidfile "hostile-$d-$kind")" ]
			[ ! -e "$(ct_cgroup "hostile-$d-$kind")" ]
			lock_free "hostile-$d-$kind"
			[ "$(canary_state "$canary")" = "$state" ]
			[ "$(readlink "$root/$d")" = "$target" ]
		done
	done
	[ "$(count_monitors)" -eq 0 ]
}

# bats test_tags=hostile,asan
@test "hostile rootfs: etc/hostname, etc/hosts and .old_root symlinks to host paths never change the host" {
	require_fixture busybox
	local canary=$DS_TEST_DIR/canary state root kind name sum_h sum_hosts prefix
	mkdir -p "$canary"
	echo canary-hostname >"$DS_TEST_DIR/canary-hostname"
	printf '127.0.0.1\tcanary\n' >"$DS_TEST_DIR/canary-hosts"
	sum_h=$(sha256sum <"$DS_TEST_DIR/canary-hostname")
	sum_hosts=$(sha256sum <"$DS_TEST_DIR/canary-hosts")
	state=$(canary_state "$canary")
	for kind in abs rel; do
		root=$(fixture_copy busybox)
		name=etc-$kind
		prefix=$DS_TEST_DIR/
		# relative to $root/etc: etc -> root -> rootfs.N.busybox -> DS_TEST_DIR
		[[ $kind == rel ]] && prefix=../../../
		ln -sfn "${prefix}canary-hostname" "$root/etc/hostname"
		ln -sfn "${prefix}canary-hosts" "$root/etc/hosts"
		[ "$(realpath "$root/etc/hostname")" = "$DS_TEST_DIR/canary-hostname" ]
		# .old_root (pivot_root's put_old, if the runtime uses that name)
		rm -rf "$root/.old_root"
		if [[ $kind == abs ]]; then
			ln -s "$canary" "$root/.old_root"
		else
			ln -s ../../canary "$root/.old_root"
		fi
		track_container "$name"
		run_ds_err --name="$name" --rootfs="$root" start
		echo "row $kind: exit $status: $output $stderr"
		if [[ $status == 0 ]]; then
			adopt_ct "$name"
			[ "$(in_container "$name" hostname)" = "$name" ]
			[ "$(sha256sum <"$DS_TEST_DIR/canary-hostname")" = "$sum_h" ]
			[ "$(sha256sum <"$DS_TEST_DIR/canary-hosts")" = "$sum_hosts" ]
			[ "$(canary_state "$canary")" = "$state" ]
			stop_ct "$name"
			assert_cleaned "$name"
		else
			assert_one_error_line
			[ ! -e "$(ws_pidfile "$name")" ]
			[ ! -e "$(ct_cgroup "$name")" ]
		fi
		[ "$(sha256sum <"$DS_TEST_DIR/canary-hostname")" = "$sum_h" ]
		[ "$(sha256sum <"$DS_TEST_DIR/canary-hosts")" = "$sum_hosts" ]
		[ "$(canary_state "$canary")" = "$state" ]
	done
}

# guarded_start NAME ROOTFS: `start` with the monitor:before-pidfile fault
# armed, for a rootfs that must be refused before anything runs (the host's
# own /): if the CLI gets as far as forking the monitor, the monitor stops
# itself before init may boot; it is SIGKILLed (init then exits unbooted)
# and GUARD_PASSED=1 records that the rootfs was not refused.  Sets status,
# output and stderr like run_ds_err.
guarded_start() {
	local name=$1 rootfs=$2 cli mon parent
	parent=$(cg2_mount)/droidspaces
	[[ -d $parent ]] && parent=
	GUARD_PASSED=0
	DROIDSPACES_FAULT=monitor:before-pidfile "$DS" --name="$name" --rootfs="$rootfs" start \
		>"$DS_TEST_DIR/guard.out" 2>"$DS_TEST_DIR/guard.err" </dev/null 3>&- &
	cli=$!
	own_pid "$cli"
	wait_for 20 _guard_settled "$cli" || true
	if mon=$(stopped_monitor); then
		GUARD_PASSED=1
		kill -KILL "$mon"
	fi
	status=0
	wait "$cli" || status=$?
	output=$(cat "$DS_TEST_DIR/guard.out")
	stderr=$(cat "$DS_TEST_DIR/guard.err")
	if [[ $GUARD_PASSED == 1 ]]; then
		wait_for 10 no_monitors || true
		# the cgroup and socket a killed monitor leaves (see the
		# monitor:before-pidfile test)
		find /sys/fs/cgroup -depth -mindepth 2 -type d -path "*/droidspaces/$name" -exec rmdir {} + 2>/dev/null || true
		[[ -z $parent ]] || rmdir "$parent" 2>/dev/null || true
		rm -f "$(ws_sock "$name")"
	fi
}
_guard_settled() { ! kill -0 "$1" 2>/dev/null || stopped_monitor >/dev/null; }

# bats test_tags=hostile,fault
@test "hostile paths: missing, relative, a file, no /sbin/init, the host's own / (every spelling, a bind mount), for --rootfs and --rootfs-img" {
	require_fixture busybox
	local noinit file row before rows=0 link=$DS_TEST_DIR/to-root bindroot=$DS_TEST_DIR/bindroot
	noinit=$(fixture_copy busybox)
	rm "$noinit/sbin/init"
	file=$DS_TEST_DIR/a-file
	echo not-a-rootfs >"$file"
	ln -s / "$link"
	cd "$DS_TEST_DIR"
	mkdir -p "$DROIDSPACES_WORKSPACE"
	before=$(ws_state)
	local -a rootfs_rows=(
		"$DS_TEST_DIR/no-such-dir" "no-such-relative-dir" "./no/such" "$file" "$noinit" "$noinit/" "$file/sub"
	)
	# The host's own root.  (musl's realpath() keeps a leading "//".)  Run
	# through guarded_start: never boots, even if the check misses.
	local -a hostroot_rows=(/ // /// //. //./ //tmp/.. /tmp/.. /proc/self/root /proc/1/root "$link" "$link/" "$bindroot")
	local -a img_rows=(
		"$DS_TEST_DIR/no-such.img" "no-such-relative.img" "$DS_TEST_DIR" / "$file" /dev/null /dev/zero
		/proc/self/root "$link"
	)
	for row in "${rootfs_rows[@]}"; do
		track_container hpath
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=hpath --rootfs="$row" start
		echo "rootfs $row: exit $status: $stderr"
		[[ $status == 0 ]] && rescue_ct hpath
		row_ok "rootfs $row" assert_refused
		[[ $(ws_state) == "$before" ]] || row_fail "rootfs $row" "the workspace or cgroups changed"
		rows=$((rows + 1))
		# and without a name (named from os-release)
		run_ds_ws "$DROIDSPACES_WORKSPACE" --rootfs="$row" start
		echo "rootfs $row, no name: exit $status: $stderr"
		[[ $status == 0 ]] && rescue_ws "$DROIDSPACES_WORKSPACE"
		row_ok "rootfs $row (no name)" assert_refused
		[[ $(ws_state) == "$before" ]] || row_fail "rootfs $row (no name)" "the workspace or cgroups changed"
		rows=$((rows + 1))
	done
	# a bind mount of the host's / (same file system, same inode)
	mount_own bind / "$bindroot"
	for row in "${hostroot_rows[@]}"; do
		track_container hroot
		guarded_start hroot "$row"
		echo "host root $row: exit $status: $stderr (passed the checks: $GUARD_PASSED)"
		if [[ $GUARD_PASSED == 1 ]]; then
			row_fail "rootfs $row" "not refused: the host's own / got as far as forking the monitor (init held back by the test)"
		else
			row_ok "rootfs $row" assert_refused
			row_ok "rootfs $row (leftovers)" nothing_left hroot
		fi
		rows=$((rows + 1))
	done
	umount "$bindroot"
	for row in "${img_rows[@]}"; do
		track_container hpath
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name=hpath --rootfs-img="$row" start
		echo "image $row: exit $status: $stderr"
		[[ $status == 0 ]] && rescue_ct hpath
		row_ok "image $row" assert_refused
		rows=$((rows + 1))
	done
	[ "$(count_monitors)" -eq 0 ]
	[ -z "$(losetup -j "$file" 2>/dev/null)" ]
	figure "hostile paths tried: $rows"
	rows_verdict
}

# host_etc_state: checksums of the host's /etc (and its symlinks and modes).
host_etc_state() {
	find /etc -xdev -printf '%p %y %m %U:%G %l\n' 2>/dev/null | sort
	find /etc -xdev -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum 2>/dev/null
}

# hostile_row KIND ROOT CANARY: turns ROOT into the hostile tree of KIND.
# KIND is PATH:TYPE with TYPE abs (absolute symlink to CANARY), rel (relative
# symlink with .. to CANARY), fifo, chr (/dev/zero-like node), huge (2 GiB
# sparse file), longline (a 4 MiB line).  CANARY is a directory for the
# directory paths, a file otherwise.
hostile_row() {
	local kind=$1 root=$2 canary=$3 path type up
	path=${kind%%:*}
	type=${kind#*:}
	rm -rf "${root:?}/$path"
	case $type in
	abs) ln -s "$canary" "$root/$path" ;;
	rel)
		# from $root/$(dirname path) up to / and down to the canary
		up=$(dirname "$root/$path" | sed -E 's#[^/]+#..#g; s#^/##')
		ln -s "$up$canary" "$root/$path"
		[ "$(realpath "$root/$path")" = "$canary" ]
		;;
	fifo) mkfifo "$root/$path" ;;
	chr) mknod "$root/$path" c 1 5 ;;
	huge) truncate -s 2G "$root/$path" ;;
	longline) head -c 4194304 /dev/zero | tr '\0' 'x' >"$root/$path" ;;
	esac
}

# bats test_tags=hostile
@test "hostile rootfs: symlinks (absolute, relative with ..), fifos, devices and huge files in place of dev, proc, sys, run, etc and its files, sbin/init, .old_root: host unchanged" {
	require_fixture busybox
	local cdir=$DS_TEST_DIR/canary-dir cfile=$DS_TEST_DIR/canary-file state_d state_f etc_before kind root name
	local rows=0 started=0 ix=0 mi fixdev running=''
	mkdir -p "$cdir/sub"
	echo canary >"$cdir/file"
	printf 'canary-file\n' >"$cfile"
	state_d=$(canary_state "$cdir")
	state_f=$(canary_state "$cfile")
	# the canaries' file system: a guest mount from it whose root is a
	# canary would expose a host path inside the guest
	fixdev=$(stat -c '%Hd:%Ld' "$cfile")
	etc_before=$(host_etc_state)
	local -a kinds=()
	for p in dev proc sys run etc .old_root; do
		kinds+=("$p:abs" "$p:rel")
	done
	kinds+=(dev:fifo proc:chr sys:fifo run:chr)
	for p in etc/hostname etc/hosts etc/resolv.conf etc/os-release; do
		kinds+=("$p:abs" "$p:rel" "$p:fifo" "$p:chr" "$p:huge" "$p:longline")
	done
	kinds+=(sbin/init:abs sbin/init:rel sbin/init:huge etc/passwd:huge etc/environment:fifo etc/environment:huge)
	for kind in "${kinds[@]}"; do
		ix=$((ix + 1))
		root=$(fixture_copy busybox)
		case $kind in
		dev:* | proc:* | sys:* | run:* | etc:* | .old_root:*) hostile_row "$kind" "$root" "$cdir" ;;
		*) hostile_row "$kind" "$root" "$cfile" ;;
		esac
		name=hr$ix
		track_container "$name"
		run_ds_ws "$DROIDSPACES_WORKSPACE" --name="$name" --rootfs="$root" start
		echo "row $ix $kind: exit $status: $output / $stderr"
		if [[ $status == 0 ]]; then
			started=$((started + 1))
			CT_PID=$(ds_pid "$name")
			CT_ST=$(_ds_starttime "$CT_PID")
			CT_MON=$(pidfile_key "$name" monitor)
			CT_MON_ST=$(_ds_starttime "$CT_MON")
			# no mount of the guest exposes a canary (a mount from the host's
			# file system with a canary as its root)
			mi=$(awk -v d="$fixdev" '$3 == d && $4 ~ /canary/' "/proc/$CT_PID/mountinfo")
			if [[ -n $mi ]]; then
				echo "a canary is mounted in the guest: $mi" >&2
				return 1
			fi
			[ "$(in_container "$name" hostname)" = "$name" ]
			# stopped all at once below (a busybox halt takes 2 s)
			running+=${running:+,}$name
		else
			assert_refused
			nothing_left "$name"
		fi
		[ "$(canary_state "$cdir")" = "$state_d" ]
		[ "$(canary_state "$cfile")" = "$state_f" ]
		rows=$((rows + 1))
	done
	if [[ -n $running ]]; then
		ds_run --name="$running" stop
		echo "stop $running: exit $status: $output"
		[ "$status" -eq 0 ]
		for name in ${running//,/ }; do
			nothing_left "$name"
		done
	fi
	[ "$(canary_state "$cdir")" = "$state_d" ]
	[ "$(canary_state "$cfile")" = "$state_f" ]
	[ "$(host_etc_state)" = "$etc_before" ]
	figure "hostile rootfs rows: $rows ($started booted safely, $((rows - started)) refused); host /etc and canaries unchanged"
}

# swap_while_starting PARENT [OPTION...]: start PARENT/rootfs, stopped by the
# fault point right after the check; the directory becomes a link to / (a
# user who owns PARENT); the start must be refused with one line, nothing left.
swap_while_starting() {
	local parent=$1 cli
	shift
	track_container swapped
	DROIDSPACES_FAULT=start:rootfs-opened "$DS" --name=swapped "$@" -r "$parent/rootfs" start \
		>"$DS_TEST_DIR/swap.out" 2>"$DS_TEST_DIR/swap.err" </dev/null 3>&- &
	cli=$!
	BG_PIDS+=("$cli")
	wait_for 10 stopped "$cli"
	mv "$parent/rootfs" "$parent/rootfs.real"
	ln -s / "$parent/rootfs"
	kill -CONT "$cli"
	wait_bg || true
	cat "$DS_TEST_DIR/swap.out" "$DS_TEST_DIR/swap.err"
	[ ! -s "$DS_TEST_DIR/swap.out" ]
	[ "$(wc -l <"$DS_TEST_DIR/swap.err")" -eq 1 ]
	grep -q "^droidspaces: .*rootfs $parent/rootfs was replaced while starting" "$DS_TEST_DIR/swap.err"
	nothing_left swapped
	rm "$parent/rootfs"
}

# bats test_tags=hostile,fault
@test "rootfs: a symlink to a directory is resolved once and boots the directory; swapped for a link to / while starting, it is refused" {
	require_fixture busybox
	local root link=$DS_TEST_DIR/link-root parent=$DS_TEST_DIR/userdir
	root=$(fixture_copy busybox)
	ln -s "$root" "$link"
	st_start symroot -r "$link"
	wait_for 10 booted "$CT_PID"
	# the real directory, not the link, is what runs
	[ "$("$DS" --name=symroot info | sed -n 's/^Rootfs: *//p')" = "$(realpath "$root")" ]
	st_stop symroot

	# a user owns the parent: between the check and the bind the directory
	# becomes a link to / (the fault point stops start right there)
	mkdir -p "$parent"
	mkdir -p "$parent/rootfs"
	cp -a "$DS_FIXTURES/busybox/." "$parent/rootfs/"
	swap_while_starting "$parent"
	# the same with --volatile, whose overlay names its lower layer by path
	mv "$parent/rootfs.real" "$parent/rootfs"
	swap_while_starting "$parent" -V
}

# guest_etc_link ROOT HOSTDIR: the guest's /etc becomes a symlink to the
# absolute path HOSTDIR, under which the guest keeps its own etc; on the host
# HOSTDIR holds a hostname and an os-release with a marker.
guest_etc_link() {
	local root=$1 hostdir=$2
	mkdir -p "$hostdir" "$root$(dirname "$hostdir")"
	echo HOSTMARKER-hostname >"$hostdir/hostname"
	printf 'ID=hostmarker\nPRETTY_NAME="HOSTMARKER os"\n' >"$hostdir/os-release"
	mv "$root/etc" "$root$hostdir"
	ln -s "$hostdir" "$root/etc"
}

for_each_resolver() {
	local mode
	for mode in openat2 no-openat2; do
		if [[ $mode == no-openat2 ]]; then
			export DROIDSPACES_FAULT=no-openat2
		else
			unset DROIDSPACES_FAULT
		fi
		"$@" "$mode" # never in a || list: that would switch errexit off inside
	done
	unset DROIDSPACES_FAULT
}

info_reads_guest() {
	local mode=$1 name=etclink-$1 root hostdir cfg
	root=$(fixture_copy busybox)
	hostdir=$DS_TEST_DIR/hostetc-$mode
	guest_etc_link "$root" "$hostdir"
	start_ct "$name" "$root"
	wait_for 30 booted "$CT_PID"
	# without the saved hostname, info reads etc/hostname of the guest
	cfg=$DROIDSPACES_WORKSPACE/Containers/$name/container.config
	[ -f "$cfg" ]
	mv "$cfg" "$cfg.aside"
	ds_run --name="$name" info
	mv "$cfg.aside" "$cfg"
	echo "info ($mode): $output"
	[ "$status" = 0 ]
	[[ $output != *HOSTMARKER* ]]
	[[ $output == *"Hostname:    $name"* ]]
	[[ $output != *"OS:          (unknown)"* ]]
	stop_ct "$name"
	assert_cleaned "$name"
}

# bats test_tags=hostile,fault
@test "hostile paths: /etc -> an absolute host path: info shows the guest's hostname and OS, never the host file" {
	require_fixture busybox
	for_each_resolver info_reads_guest
}

# A sysvinit guest whose /run became a symlink to an absolute path where the
# host has a FIFO named initctl (standing in for the host's /run/initctl):
# stop must not write the runlevel-0 request into it.
halt_skips_host_fifo() {
	local mode=$1 name=runlink-$1 root hostrun got
	root=$(fixture_copy debian-openrc)
	hostrun=$DS_TEST_DIR/hostrun-$mode
	mkdir -p "$hostrun"
	mkfifo "$hostrun/initctl"
	got=$DS_TEST_DIR/fifo-$mode.out
	start_ct "$name" "$root"
	[ "$CT_KIND" = sysvinit ]
	wait_for 90 booted "$CT_PID"
	wait_for 10 test -p "/proc/$CT_PID/root/run/initctl"
	in_container "$name" /bin/sh -c "umount -l /run && mv /run /run.orig && ln -s '$hostrun' /run && test -L /run"
	# a reader, so that a non-blocking write open of the FIFO would succeed
	timeout 120 cat "$hostrun/initctl" >"$got" &
	BG_PIDS+=($!)
	ds_run --name="$name" --stop-timeout=10 stop
	echo "stop ($mode): exit $status: $output"
	# end the reader: open and close the FIFO once ourselves (bounded: the reader may be gone)
	timeout 10 sh -c ': >"$1"' sh "$hostrun/initctl" || true
	wait_bg
	[ ! -s "$got" ]
	wait_for 30 ! is_running "$name"
	rm -f "$hostrun/initctl"
}

# bats test_tags=hostile,fault
@test "hostile paths: /run -> an absolute host dir holding a FIFO initctl: stop writes nothing into it" {
	require_fixture debian-openrc
	for_each_resolver halt_skips_host_fifo
}

# bats test_tags=hostile
@test "hostile paths: a 2 MiB /etc/hosts survives a start with every line, plus our entry" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	{
		cat "$root/etc/hosts"
		awk 'BEGIN { for (i = 0; i < 60000; i++) printf "0.0.0.0\tad%06d.blocked.example.invalid\n", i }'
	} >"$DS_TEST_DIR/hosts.big"
	(($(stat -c %s "$DS_TEST_DIR/hosts.big") > 2 * 1024 * 1024))
	cp "$DS_TEST_DIR/hosts.big" "$root/etc/hosts"
	start_ct bighosts "$root"
	wait_for 30 booted "$CT_PID"
	# every old line is still there, in order, and our entry was added
	grep -vx "$(printf '127.0.1.1\tbighosts')" "$root/etc/hosts" >"$DS_TEST_DIR/hosts.after"
	grep -v '^127\.0\.1\.1[[:space:]]' "$DS_TEST_DIR/hosts.big" >"$DS_TEST_DIR/hosts.want"
	if ! cmp -s "$DS_TEST_DIR/hosts.want" "$DS_TEST_DIR/hosts.after"; then
		echo "hosts: $(wc -l <"$DS_TEST_DIR/hosts.want") lines before, $(wc -l <"$DS_TEST_DIR/hosts.after") after" >&2
		diff "$DS_TEST_DIR/hosts.want" "$DS_TEST_DIR/hosts.after" | head -n 5 >&2
		return 1
	fi
	grep -qx "$(printf '127.0.1.1\tbighosts')" "$root/etc/hosts"
	stop_ct bighosts
	assert_cleaned bighosts
}

# start_within SECONDS NAME ROOT [OPTION...]: a start that ends (either way)
# before the deadline; sets status/output/stderr.
start_within() {
	local secs=$1 name=$2 root=$3
	shift 3
	track_container "$name"
	run --separate-stderr timeout "$secs" "$DS" --name="$name" --rootfs="$root" "$@" start
	echo "start $name: exit $status: $output $stderr" >>"$DS_TEST_DIR/ds.log"
	[ "$status" != 124 ] || {
		echo "start of $name hung (killed after ${secs}s)" >&2
		return 1
	}
}

# bats test_tags=hostile
@test "hostile paths: a FIFO at etc/hostname.tmp.1 is no trap: start completes and writes etc/hostname" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	mkfifo "$root/etc/hostname.tmp.1"
	start_within 60 tmpfifo "$root"
	[ "$status" = 0 ]
	adopt_ct tmpfifo
	[ "$(cat "$root/etc/hostname")" = tmpfifo ]
	[ -p "$root/etc/hostname.tmp.1" ]
	stop_ct tmpfifo
	assert_cleaned tmpfifo
}

# bats test_tags=hostile
@test "hostile paths: a FIFO at etc/hosts is refused with one clear error, never a hang" {
	require_fixture busybox
	local root
	root=$(fixture_copy busybox)
	rm "$root/etc/hosts"
	mkfifo "$root/etc/hosts"
	start_within 60 hostsfifo "$root"
	[ "$status" != 0 ]
	assert_one_error_line "/etc/hosts in the rootfs is a FIFO"
	[ ! -e "$(ws_pidfile hostsfifo)" ]
	[ -p "$root/etc/hosts" ]
}

# bats test_tags=hostile
@test "hostile paths: etc/hostname -> a host file, a device node at etc/resolv.conf: never followed, never written" {
	require_fixture busybox
	local root scratch sum
	root=$(fixture_copy busybox)
	scratch=$DS_TEST_DIR/host-hostname
	echo host-original >"$scratch"
	sum=$(sha256sum <"$scratch")
	ln -sfn "$scratch" "$root/etc/hostname"
	# the link is replaced by the new file (rename), the host file stays as it was
	start_within 60 hnlink "$root"
	[ "$status" = 0 ]
	adopt_ct hnlink
	[ "$(sha256sum <"$scratch")" = "$sum" ]
	[ ! -L "$root/etc/hostname" ]
	[ "$(cat "$root/etc/hostname")" = hnlink ]
	stop_ct hnlink
	assert_cleaned hnlink
	[ "$(sha256sum <"$scratch")" = "$sum" ]

	# a device node where resolv.conf goes: one clear error, the node untouched
	root=$(fixture_copy busybox)
	rm -f "$root/etc/resolv.conf"
	mknod -m 0666 "$root/etc/resolv.conf" c 1 3 # /dev/null's numbers
	start_within 60 devresolv "$root" --dns=192.0.2.7
	[ "$status" != 0 ]
	assert_one_error_line "/etc/resolv.conf in the rootfs is a device node"
	[ -c "$root/etc/resolv.conf" ]
	[ ! -e "$(ws_pidfile devresolv)" ]
}
