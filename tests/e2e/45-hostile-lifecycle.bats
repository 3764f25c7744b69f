#!/usr/bin/env bats
# Hostile lifecycles (issue 12): stop right after start (the halt signal must
# not be lost while init has no handler yet), setuid binaries in image mode,
# a guest that makes a very deep cgroup tree, a rootfs or image swapped or
# raced for while starting, FIFOs and device nodes given as images, and the
# firmware path of an Android host with --hw-access and an image.
#
# Every test runs between common_setup and common_teardown, which fail it
# when the host changed (mounts, loop devices, /dev, cgroups, ...).

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# make_image_from DIR FILE SIZE: an ext4 image holding DIR's tree.
make_image_from() {
	truncate -s "$3" "$2"
	mkfs.ext4 -q -F -L ds-test -d "$1" "$2"
}

# halted_count ROOTFS: clean shutdowns the fixture's ::shutdown:/ExecStop recorded.
halted_count() { { cat "$1/var/log/ds-test-halted" 2>/dev/null || true; } | wc -l; }

# stopped PID: the process is in state T (a fault point SIGSTOPped it).
stopped() { [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == T ]]; }

# --------------------------------------------------------------------------
# 1. stop right after start

# start_stop_cycles FIXTURE NAME CYCLES: start then stop at once, CYCLES times,
# --stop-timeout=20; every stop must be a clean halt, far below the timeout.
start_stop_cycles() {
	local fixture=$1 name=$2 cycles=$3 root cycle t0 took
	root=$(fixture_copy "$fixture")
	for ((cycle = 1; cycle <= cycles; cycle++)); do
		st_start "$name" -r "$root"
		t0=$(_ds_usec_now)
		run_ds_err --name="$name" --stop-timeout=20 stop
		took=$(($(_ds_usec_now) - t0))
		echo "cycle $cycle: stop took $took us: $output $stderr"
		[ "$status" -eq 0 ]
		[ "$output" = "Container $name stopped" ]
		# a lost halt means SIGKILL after the full 20 s
		((took < 15000000))
	done
	HALT_ROOT=$root
}

@test "halt: busybox, 5 cycles of start then stop at once: each stop halts cleanly (::shutdown: ran), never the SIGKILL" {
	require_fixture busybox
	start_stop_cycles busybox bbcycle 5
	# ::shutdown: runs only on a halt, never on SIGKILL
	[ "$(halted_count "$HALT_ROOT")" -eq 5 ]
}

@test "halt: systemd, 5 cycles of start then stop at once: each stop halts cleanly, never the SIGKILL" {
	require_fixture debian-systemd
	start_stop_cycles debian-systemd sdcycle 5
	# systemd logs each halt request it got to the console: the signal was
	# not lost, and it is the halt (glibc's SIGRTMIN+3), not a poweroff
	[ "$(grep -c 'Received SIGRTMIN+3\.' "$(ws_log sdcycle)")" -ge 5 ]
	[ "$(grep -c 'Received SIGRTMIN+4' "$(ws_log sdcycle)")" -eq 0 ]
}

# --------------------------------------------------------------------------
# 2. setuid in image mode

@test "image: a setuid-root binary run by a guest user gets euid 0 (the image is not mounted nosuid), as in directory mode" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck musl-gcc nsenter
	local stage=$DS_TEST_DIR/stage img=$DS_TEST_DIR/suid.img pid out name
	mkdir -p "$stage"
	cp -a "$DS_FIXTURES/busybox/." "$stage/"
	musl-gcc -static -O2 -o "$stage/euidprobe" "$DS_REPO/tests/e2e/probes/euidprobe.c"
	chown 0:0 "$stage/euidprobe"
	chmod 4755 "$stage/euidprobe"
	make_image_from "$stage" "$img" 32M
	for name in suidimg suiddir; do
		if [[ $name == suidimg ]]; then
			st_start "$name" -i "$img"
		else
			st_start "$name" -r "$stage"
		fi
		wait_for 10 booted "$CT_PID"
		pid=$CT_PID
		out=$(env -i PATH="$DS_GUEST_PATH" nsenter -t "$pid" -m -u -i -p -r -w -S 1000 -G 1000 -- /euidprobe)
		echo "$name: $out"
		[ "$out" = "ruid=1000 euid=0" ]
		[[ ,$(awk '$5 == "/" { print $6 }' "/proc/$pid/mountinfo" | tail -n 1), != *,nosuid,* ]]
		st_stop "$name"
	done
}

# --------------------------------------------------------------------------
# 3. deep cgroup trees

@test "cgroup: the guest makes 150 nested cgroups with a process in the deepest: stop succeeds, all gone (cgroup.kill and the task-by-task way)" {
	require_fixture busybox
	cg2_mount >/dev/null || skip_loud "no cgroup2 mount on the host: the nested-cgroup test needs it"
	local root fault deep chain i
	root=$(fixture_copy busybox)
	chain=$(for ((i = 1; i <= 150; i++)); do printf 'c%d/' "$i"; done)
	for fault in none no-cgroup-kill; do
		DROIDSPACES_FAULT=$fault st_start deepcg -r "$root"
		wait_for 10 booted "$CT_PID"
		deep=$(ct_cgroup deepcg)/$chain
		# as root in the guest: the chain below its own cgroup, a sleeper in the deepest
		"$DS" --name=deepcg run sh -c "mkdir -p /sys/fs/cgroup/$chain && \
			sh -c 'echo \$\$ >/sys/fs/cgroup/${chain}cgroup.procs && exec sleep 1000' \
			</dev/null >/dev/null 2>&1 &"
		wait_for 10 grep -q . "${deep}cgroup.procs"
		[ "$(find "$(ct_cgroup deepcg)" -mindepth 1 -type d | wc -l)" -ge 150 ]
		st_stop deepcg
		[ -z "$(cgroups_of deepcg)" ]
		[ ! -e "$(ct_cgroup deepcg)" ]
	done
}

# --------------------------------------------------------------------------
# 4. the rootfs and the image, opened once

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

@test "image: two containers started at once on one image: exactly one runs, the other is refused naming it" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck losetup
	local img=$DS_TEST_DIR/race.img d=$DS_TEST_DIR/race i winner loser round
	make_image_from "$DS_FIXTURES/busybox" "$img" 32M
	mkdir -p "$d"
	for round in 1 2 3; do
		for i in a b; do
			track_container "race$i"
			(
				rc=0
				"$DS" --name="race$i" -i "$img" start >"$d/out.$i" 2>"$d/err.$i" </dev/null || rc=$?
				echo "$rc" >"$d/rc.$i"
			) 3>&- &
			BG_PIDS+=("$!")
		done
		wait_bg
		for i in a b; do echo "round $round race$i: exit $(cat "$d/rc.$i"): $(cat "$d/out.$i" "$d/err.$i")"; done
		if [[ $(cat "$d/rc.a") == 0 ]]; then winner=a loser=b; else winner=b loser=a; fi
		[ "$(cat "$d/rc.$winner")" = 0 ]
		[ "$(cat "$d/rc.$loser")" != 0 ]
		[ ! -s "$d/out.$loser" ]
		[ "$(wc -l <"$d/err.$loser")" -eq 1 ]
		grep -qx "droidspaces: rootfs image $(realpath "$img") is in use by container race$winner" "$d/err.$loser"
		[ "$(losetup -n -O NAME -j "$img" | wc -l)" -eq 1 ]
		st_stop "race$winner"
		nothing_left "race$loser"
	done
}

@test "image: a FIFO, a character device, a block device symlink loop and a socket as --rootfs-img are refused at once with one line" {
	local fifo=$DS_TEST_DIR/img.fifo t0 took img
	mkfifo "$fifo"
	mknod "$DS_TEST_DIR/img.chr" c 1 3 # /dev/null's numbers
	ln -s "$DS_TEST_DIR/loop2.img" "$DS_TEST_DIR/loop1.img"
	ln -s "$DS_TEST_DIR/loop1.img" "$DS_TEST_DIR/loop2.img"
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$DS_TEST_DIR/img.sock" 2>/dev/null || true
	for img in "$fifo" "$DS_TEST_DIR/img.chr" "$DS_TEST_DIR/img.sock"; do
		[[ -e $img ]] || continue
		t0=$(_ds_usec_now)
		st_refused "rootfs image $(realpath "$img") is not a file or block device" --name=badimg -i "$img"
		took=$(($(_ds_usec_now) - t0))
		echo "$img: refused in $took us"
		((took < 3000000))
	done
	st_refused "rootfs image $DS_TEST_DIR/loop1.img: " --name=badimg -i "$DS_TEST_DIR/loop1.img"
	# nobody opened the FIFO for writing, nothing was written to it
	[ -p "$fifo" ]
	nothing_left badimg
}

# --------------------------------------------------------------------------
# 5. Android firmware path with an image

@test "android: --hw-access with an image points the firmware path at a path the kernel sees (init's root) and puts it back" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck
	local r fw img=$DS_TEST_DIR/fw.img stage=$DS_TEST_DIR/fwstage path
	mkdir -p "$stage"
	cp -a "$DS_FIXTURES/busybox/." "$stage/"
	mkdir -p "$stage/lib/firmware"
	echo guest-firmware >"$stage/lib/firmware/ds-probe.bin"
	make_image_from "$stage" "$img" 32M
	r=$(mktemp -d "$DS_TEST_DIR/android.XXXXXX")
	mkdir -p "$r/system/bin" "$r/sys/module/firmware_class/parameters"
	: >"$r/system/bin/app_process"
	chmod 0755 "$r/system/bin/app_process"
	echo /vendor/firmware >"$r/sys/module/firmware_class/parameters/path"
	fw=$r/sys/module/firmware_class/parameters/path
	export DROIDSPACES_HOST_ROOT=$r

	st_start andimg -i "$img" -H
	wait_for 10 booted "$CT_PID"
	path=$(cat "$fw")
	echo "firmware path: $path"
	[ "$path" = "/proc/$CT_PID/root/lib/firmware" ]
	# seen from the host's mount namespace, as the kernel's loader sees it
	[ "$(cat "$path/ds-probe.bin")" = guest-firmware ]
	# not the image's mount point, which the host never sees populated
	[ ! -e "/mnt/Droidspaces/andimg/lib/firmware/ds-probe.bin" ]
	st_stop andimg
	[ "$(cat "$fw")" = /vendor/firmware ]
}
