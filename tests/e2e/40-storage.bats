#!/usr/bin/env bats
# Storage modes, end to end: rootfs images (--rootfs-img: an ext4 image made
# with mkfs.ext4 -d boots systemd; block devices; setuid binaries; images in
# use, raced for, corrupt, truncated, not ext4, FIFOs or devices), volatile
# mode (--volatile: changes vanish, the lower rootfs stays byte-for-byte the
# same, ten containers from one rootfs), bind mounts (--bind-mount: rw,
# read-only down the whole tree, files, symlinks inside the rootfs, missing
# sources, malformed and hostile specs) and hardware access (--hw-access).
#
# Tags: hostile, load.  Every test runs between common_setup and
# common_teardown, which fail it when the host changed (mounts, loop
# devices, /dev, cgroups, ...).  Image files live in the test's scratch dir
# on the fixture filesystem, never on /.

bats_require_minimum_version 1.5.0

load helpers

setup() { fault_setup; }

teardown() {
	local rc=0 problems f
	kill_own_pids
	# Loop devices and immutable files this file made itself: the containers
	# using them must be gone first, and the host snapshot must come after.
	if [[ -s ${DS_TEST_DIR:-/nonexistent}/.st-loops || -s ${DS_TEST_DIR:-/nonexistent}/.st-immutable ]]; then
		problems=$(_ds_stop_tracked) || rc=1
		[[ -n $problems ]] && echo "$problems" >&2
		if [[ -s $DS_TEST_DIR/.st-loops ]]; then
			while IFS= read -r f; do
				losetup -d "$f" 2>/dev/null || true
			done <"$DS_TEST_DIR/.st-loops"
			: >"$DS_TEST_DIR/.st-loops"
		fi
		if [[ -s $DS_TEST_DIR/.st-immutable ]]; then
			while IFS= read -r f; do
				chattr -i "$f" 2>/dev/null || true
			done <"$DS_TEST_DIR/.st-immutable"
		fi
	fi
	common_teardown || rc=1
	return "$rc"
}

# img_mountpoint NAME: where an image container NAME is mounted on the host.
img_mountpoint() { echo "/mnt/Droidspaces/$1"; }

# guest_mnt PID MOUNTPOINT WHAT: fstype|source|opts|super of the topmost
# mount on MOUNTPOINT in PID's mount namespace.
guest_mnt() {
	awk -v mp="$2" -v what="$3" '
		$5 == mp {
			for (i = 7; $i != "-"; i++);
			t = $(i + 1); s = $(i + 2); so = $(i + 3); o = $6; found = 1
		}
		END {
			if (!found) exit 1
			if (what == "fstype") print t
			else if (what == "source") print s
			else if (what == "opts") print o
			else print so
		}' "/proc/$1/mountinfo"
}

# Mounts of the host (our mount namespace) on or below DIR.
host_mounts_below() { awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo; }

# loops_of FILE: the loop devices backed by FILE (one per line).
loops_of() { losetup -n -O NAME -j "$1" 2>/dev/null; }
no_loop_for() { [[ -z $(loops_of "$1") ]]; }

# make_image FIXTURE FILE SIZE: an ext4 image holding the fixture's tree.
make_image() {
	truncate -s "$3" "$2"
	mkfs.ext4 -q -F -L ds-test -d "$DS_FIXTURES/$1" "$2"
}

@test "image: an ext4 image made with mkfs.ext4 -d boots systemd to running; loop freed at stop; writes persist" {
	require_fixture debian-systemd
	require_cmd mkfs.ext4 e2fsck debugfs losetup
	local img=$DS_TEST_DIR/systemd.img loop mp had_parent=0 src
	make_image debian-systemd "$img" 640M
	mp=$(img_mountpoint sdimg)
	[[ -d /mnt/Droidspaces ]] && had_parent=1
	[ ! -e "$mp" ]
	no_loop_for "$img"

	st_start sdimg --rootfs-img="$img" --wait=120
	[ "$CT_KIND" = systemd ]

	# one loop device, autoclear, backed by the image, attached read-write
	loop=$(loops_of "$img")
	[[ $loop =~ ^/dev/loop[0-9]+$ ]]
	[ "$(losetup -n -O AUTOCLEAR "$loop" | tr -d ' ')" = 1 ]
	[ "$(losetup -n -O RO "$loop" | tr -d ' ')" = 0 ]
	# mounted inside the container only: the host sees the (empty) mount
	# point directory and no mount of the loop device anywhere
	[ -d "$mp" ]
	[ -z "$(host_mounts_below "$mp")" ]
	[ -z "$(findmnt -rn -S "$loop" -o TARGET)" ]
	[ -z "$(ls -A "$mp")" ]
	# the guest's / is the image, read-write
	[ "$(guest_mnt "$CT_PID" / fstype)" = ext4 ]
	[ "$(guest_mnt "$CT_PID" / source)" = "$loop" ]
	has_opt "$(guest_mnt "$CT_PID" / opts)" rw
	# e2fsck -f ran before the mount, its output in the console log (it
	# names the filesystem by its label)
	grep -q '^e2fsck [0-9]' "$(ws_log sdimg)"
	grep -q 'Pass 5' "$(ws_log sdimg)"
	grep -q '^ds-test: .* files' "$(ws_log sdimg)"

	run "$DS" --name=sdimg run systemctl is-system-running
	echo "$output"
	[ "$output" = running ]
	[ "$status" -eq 0 ]
	run "$DS" --name=sdimg run systemctl --failed --no-legend
	[ -z "$output" ]
	wait_for 30 booted "$CT_PID"
	[ "$("$DS" --name=sdimg run cat /etc/hostname)" = sdimg ]
	run "$DS" --name=sdimg info
	[[ $output == *"Image:       yes"* ]]
	"$DS" --name=sdimg run sh -c 'echo image-probe >/root/ds-image-probe'

	st_stop sdimg
	# loop device freed (autoclear), mount point removed, nothing mounted
	wait_for 5 no_loop_for "$img"
	[ ! -e "$mp" ]
	if [[ $had_parent == 0 ]]; then
		[ ! -e /mnt/Droidspaces ]
	fi
	[ -z "$(findmnt -rn -S "$loop" -o TARGET)" ]
	# cleanly unmounted; what the guest wrote is in the image
	run e2fsck -fn "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(debugfs -R 'cat /root/ds-image-probe' "$img" 2>/dev/null)" = image-probe ]
	run debugfs -R 'cat /var/log/ds-test-halted' "$img"
	[[ $output == *halted* ]]
}

@test "image: a busybox image runs; a second container on the same image (or a symlink to it) is refused; a block device works and stays attached" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck losetup
	local img=$DS_TEST_DIR/bb.img link=$DS_TEST_DIR/bb-link.img loop blk real
	make_image busybox "$img" 32M
	real=$(realpath "$img")
	ln -s "$img" "$link"

	st_start bbimg -i "$img"
	[ "$CT_KIND" = busybox ]
	wait_for 10 booted "$CT_PID"
	loop=$(loops_of "$img")
	[[ $loop =~ ^/dev/loop[0-9]+$ ]]
	[ "$(guest_mnt "$CT_PID" / source)" = "$loop" ]

	# the same image under another name, directly and through a symlink
	st_refused "rootfs image $real is in use by container bbimg" --name=bbimg2 -i "$img"
	st_refused "rootfs image $real is in use by container bbimg" --name=bbimg2 --rootfs-img="$link"
	[ "$(loops_of "$img")" = "$loop" ]
	[ ! -e "$(img_mountpoint bbimg2)" ]
	# the first one is unharmed
	booted "$CT_PID"
	"$DS" --name=bbimg status

	# restart: the same image again, one loop device, a new init
	local old_pid=$CT_PID
	run_ds_err --name=bbimg restart
	[ "$status" -eq 0 ]
	CT_PID=$(ds_pid bbimg)
	[ "$CT_PID" != "$old_pid" ]
	wait_for 10 booted "$CT_PID"
	[ "$(loops_of "$img" | wc -l)" -eq 1 ]
	[ "$(guest_mnt "$CT_PID" / source)" = "$(loops_of "$img")" ]
	[ -z "$(findmnt -rn -S "$(loops_of "$img")" -o TARGET)" ]

	st_stop bbimg
	wait_for 5 no_loop_for "$img"
	[ ! -e "$(img_mountpoint bbimg)" ]
	# free again: the second name may use it now
	st_start bbimg2 -i "$link"
	wait_for 10 booted "$CT_PID"
	st_stop bbimg2
	wait_for 5 no_loop_for "$img"

	# A block device: mounted as it is, no loop device of droidspaces' own.
	blk=$(losetup -f --show "$img")
	echo "$blk" >>"$DS_TEST_DIR/.st-loops"
	st_start bbblk -i "$blk"
	wait_for 10 booted "$CT_PID"
	[ "$(guest_mnt "$CT_PID" / source)" = "$blk" ]
	[ "$(guest_mnt "$CT_PID" / fstype)" = ext4 ]
	[ "$(loops_of "$img")" = "$blk" ]
	[ -z "$(findmnt -rn -S "$blk" -o TARGET)" ]
	st_stop bbblk
	[ ! -e "$(img_mountpoint bbblk)" ]
	# The user's loop device is the user's: still attached, not set to
	# autoclear (it would vanish at its next close).
	losetup -l "$blk" || echo "$blk is detached"
	[ "$(losetup -n -O BACK-FILE "$blk" | sed 's/ *$//')" = "$real" ]
	[ "$(losetup -n -O AUTOCLEAR "$blk" | tr -d ' ')" = 0 ]
	losetup -d "$blk"
	: >"$DS_TEST_DIR/.st-loops"
	wait_for 5 no_loop_for "$img"
}

# bats test_tags=hostile
@test "image: missing, not ext4, directory, char device, corrupt, truncated, unbootable, no --name: clear errors, nothing left" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck losetup
	local d=$DS_TEST_DIR imgs=() f mp_before
	mp_before=$(ls -A /mnt/Droidspaces 2>/dev/null || true)

	# not ext4: zeros, and a FAT-like file with a wrong magic
	truncate -s 4M "$d/zeros.img"
	# corrupt: only the ext magic at 1024+56, everything else zero
	truncate -s 4M "$d/magic-only.img"
	printf '\x53\xef' | dd of="$d/magic-only.img" bs=1 seek=1080 conv=notrunc status=none
	# truncated: a real image cut to a sixteenth of its size
	make_image busybox "$d/truncated.img" 32M
	truncate -s 2M "$d/truncated.img"
	# unbootable: a clean, empty ext4 filesystem (no /sbin/init)
	truncate -s 8M "$d/empty.img"
	mkfs.ext4 -q -F "$d/empty.img"
	make_image busybox "$d/good.img" 32M

	st_refused "$d/nope.img" --name=e1 -i "$d/nope.img"
	[[ $stderr == *"No such file"* ]]
	st_refused "rootfs image $d/zeros.img is not an ext4 filesystem" --name=e2 -i "$d/zeros.img"
	st_refused "is not a file or block device" --name=e3 -i "$DS_FIXTURES/busybox"
	st_refused "is not a file or block device" --name=e4 -i /dev/null
	st_refused "e2fsck found errors it could not fix" --name=e5 -i "$d/magic-only.img"
	grep -q 'e2fsck' "$(ws_log e5)"
	st_refused "e2fsck found errors it could not fix" --name=e6 -i "$d/truncated.img"
	st_refused "--rootfs-img needs --name" -i "$d/good.img"
	st_refused "not both" --name=e7 -i "$d/good.img" -r "$DS_FIXTURES/busybox"
	# a filesystem without an init: mounted, found wanting, cleaned up
	track_container e8
	run_ds_err --name=e8 -i "$d/empty.img" start
	[ "$status" -ne 0 ]
	[[ $stderr == droidspaces:\ * ]]
	[[ $stderr == *init* ]]
	[ ! -e "$(ws_pidfile e8)" ]

	# nothing attached, nothing mounted, no mount point directories left
	for f in nope zeros magic-only truncated empty good; do
		[[ -e $d/$f.img ]] || continue
		wait_for 5 no_loop_for "$d/$f.img"
	done
	for f in e1 e2 e3 e4 e5 e6 e7 e8; do
		[ ! -e "$(img_mountpoint "$f")" ]
		[ ! -e "$(ws_pidfile "$f")" ]
	done
	[ "$(ls -A /mnt/Droidspaces 2>/dev/null || true)" = "$mp_before" ]
	# the refused images were not changed into something else by a repair
	# that could not succeed; the good one still boots
	st_start good -i "$d/good.img"
	wait_for 10 booted "$CT_PID"
	st_stop good
	wait_for 5 no_loop_for "$d/good.img"
}

# bats test_tags=hostile
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

# bats test_tags=hostile
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

# bats test_tags=hostile
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

# tree_sums DIR: type, mode, owner, size, mtime, ctime, name and link target
# of every entry, then the sha256 of every regular file.  Equal lists mean
# nothing was written, created, removed, chmod'ed or chown'ed.
tree_sums() {
	(
		cd "$1" || exit 1
		find . -xdev -printf '%y %m %U:%G %s %T@ %C@ %p -> %l\n' | LC_ALL=C sort
		find . -xdev -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	)
}

@test "image + volatile: read-only loop and mount, changes gone at stop, image contents unchanged; an immutable image works" {
	require_fixture busybox
	require_cmd mkfs.ext4 e2fsck debugfs losetup chattr
	local img=$DS_TEST_DIR/vol.img loop dump1=$DS_TEST_DIR/dump1 dump2=$DS_TEST_DIR/dump2 imm=$DS_TEST_DIR/immutable.img
	make_image busybox "$img" 32M
	mkdir "$dump1" "$dump2"
	debugfs -R "rdump / $dump1" "$img" 2>/dev/null
	tree_sums "$dump1" | grep -v ' \./lost+found' >"$DS_TEST_DIR/sums.before"

	st_start volimg -i "$img" -V
	wait_for 10 booted "$CT_PID"
	loop=$(loops_of "$img")
	[[ $loop =~ ^/dev/loop[0-9]+$ ]]
	[ "$(losetup -n -O RO "$loop" | tr -d ' ')" = 1 ]
	# / is an overlay whose lower layer is the read-only image mount
	[ "$(guest_mnt "$CT_PID" / fstype)" = overlay ]
	[[ $(guest_mnt "$CT_PID" / super) == *lowerdir=$(img_mountpoint volimg)* ]]
	in_container volimg sh -c 'echo gone >/etc/vol-probe; rm /etc/os-release; mkdir /root/vol-dir'
	[ "$(in_container volimg cat /etc/vol-probe)" = gone ]
	run "$DS" --name=volimg info
	[[ $output == *"Volatile:    yes"* ]]
	[[ $output == *"Image:       yes"* ]]
	st_stop volimg
	wait_for 5 no_loop_for "$img"
	[ ! -e "$(img_mountpoint volimg)" ]
	[ ! -e "$(ws_volatile volimg)" ]

	debugfs -R "rdump / $dump2" "$img" 2>/dev/null
	tree_sums "$dump2" | grep -v ' \./lost+found' >"$DS_TEST_DIR/sums.after"
	# rdump writes the files now: compare everything but the times
	diff -u <(sed -E 's/ [0-9.]+ [0-9.]+ \./ ./' "$DS_TEST_DIR/sums.before" | LC_ALL=C sort) \
		<(sed -E 's/ [0-9.]+ [0-9.]+ \./ ./' "$DS_TEST_DIR/sums.after" | LC_ALL=C sort)
	run debugfs -R 'stat /etc/vol-probe' "$img"
	[[ $output == *"File not found"* ]]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]

	# restart: a fresh, unchanged view
	st_start volimg -i "$img" -V
	wait_for 10 booted "$CT_PID"
	refute in_container volimg test -e /etc/vol-probe
	in_container volimg test -f /etc/os-release
	st_stop volimg
	wait_for 5 no_loop_for "$img"

	# Volatile needs no write access to the image (as with nspawn
	# --volatile --image): an immutable image still boots.
	make_image busybox "$imm" 32M
	chattr +i "$imm"
	echo "$imm" >>"$DS_TEST_DIR/.st-immutable"
	st_start volimm -i "$imm" -V
	wait_for 10 booted "$CT_PID"
	st_stop volimm
	wait_for 5 no_loop_for "$imm"
}

@test "volatile: writes vanish at stop, the lower rootfs is byte-for-byte unchanged, nothing on the host" {
	require_fixture busybox
	require_fs overlay
	local root vdir src=$DS_TEST_DIR/vbind-src
	root=$(fixture_copy --copy busybox)
	mkdir -p "$src"
	echo from-host >"$src/f"
	tree_sums "$root" >"$DS_TEST_DIR/sums.before"

	# with a bind mount too: its destination is created in RAM, not in the lower
	st_start vol -r "$root" -V -B "$src:/mnt/vbind" --hostname=vol-guest
	wait_for 10 booted "$CT_PID"
	vdir=$(ws_volatile vol)
	[ -d "$vdir" ]
	# the tmpfs and the overlay live in the container's mount namespace only
	[ -z "$(host_mounts_below "$vdir")" ]
	[ "$(guest_mnt "$CT_PID" / fstype)" = overlay ]
	[[ $(guest_mnt "$CT_PID" / super) == *lowerdir=$(realpath "$root")* ]]
	[[ $(guest_mnt "$CT_PID" / super) == *upperdir=$vdir/upper* ]]
	[ "$(in_container vol cat /mnt/vbind/f)" = from-host ]
	[ "$(in_container vol hostname)" = vol-guest ]

	in_container vol sh -c 'echo gone >/etc/vol-probe; rm /etc/os-release; mkdir -p /root/a/b; chmod 0700 /etc; echo x >>/etc/passwd'
	[ "$(in_container vol cat /etc/vol-probe)" = gone ]
	# not in the lower while running either
	[ ! -e "$root/etc/vol-probe" ]
	[ -f "$root/etc/os-release" ]
	run "$DS" --name=vol info
	[[ $output == *"Volatile:    yes"* ]]

	st_stop vol
	[ ! -e "$vdir" ]
	tree_sums "$root" >"$DS_TEST_DIR/sums.after"
	diff -u "$DS_TEST_DIR/sums.before" "$DS_TEST_DIR/sums.after"

	# and a new start sees the original tree
	st_start vol -r "$root" -V
	wait_for 10 booted "$CT_PID"
	refute in_container vol test -e /etc/vol-probe
	in_container vol test -f /etc/os-release
	refute in_container vol test -e /mnt/vbind
	st_stop vol
	tree_sums "$root" >"$DS_TEST_DIR/sums.after2"
	diff -u "$DS_TEST_DIR/sums.before" "$DS_TEST_DIR/sums.after2"
}

# bats test_tags=load
@test "volatile: ten containers from one rootfs at once, each with its own changes" {
	require_fixture busybox
	require_fs overlay
	local root ix names=() pids=() list
	root=$(fixture_copy --copy busybox)
	tree_sums "$root" >"$DS_TEST_DIR/sums.before"

	for ix in 0 1 2 3 4 5 6 7 8 9; do
		st_start "vol$ix" -r "$root" -V
		names+=("vol$ix")
		pids+=("$CT_PID")
	done
	for ix in 0 1 2 3 4 5 6 7 8 9; do
		wait_for 15 booted "${pids[ix]}"
		in_container "vol$ix" sh -c "echo vol$ix >/etc/who"
	done
	for ix in 0 1 2 3 4 5 6 7 8 9; do
		[ "$(in_container "vol$ix" cat /etc/who)" = "vol$ix" ]
		[ "$(in_container "vol$ix" cat /etc/hostname)" = "vol$ix" ]
		[ -d "$(ws_volatile "vol$ix")" ]
	done
	[ ! -e "$root/etc/who" ]
	run "$DS" show
	[ "$(grep -c 'vol[0-9]' <<<"$output")" -eq 10 ]

	list=$(
		IFS=,
		echo "${names[*]}"
	)
	run_ds_err --name="$list" stop
	[ "$status" -eq 0 ]
	for ix in 0 1 2 3 4 5 6 7 8 9; do
		[ ! -e "$(ws_pidfile "vol$ix")" ]
		[ ! -e "$(ws_volatile "vol$ix")" ]
	done
	tree_sums "$root" >"$DS_TEST_DIR/sums.after"
	diff -u "$DS_TEST_DIR/sums.before" "$DS_TEST_DIR/sums.after"
}

# bats test_tags=load
@test "load: 10 volatile containers from one rootfs start, all show, one multi-name stop stops all; rootfs untouched" {
	require_fixture busybox
	local root ix n=${DS_TEST_MANY:-10} names='' state t0 out
	root=$(fixture_copy busybox)
	state=$(canary_state "$root")
	declare -A pids=() sts=()
	for ((ix = 1; ix <= n; ix++)); do
		start_ct "vol$ix" "$root" -V
		pids[vol$ix]=$CT_PID
		sts[vol$ix]=$CT_ST
		names+=${names:+,}vol$ix
	done
	for ((ix = 1; ix <= n; ix++)); do
		wait_for 10 booted "${pids[vol$ix]}"
		in_container "vol$ix" sh -c "echo $ix >/root/vol-probe"
	done
	# each sees its own writes only; hostnames are their names
	for ((ix = 1; ix <= n; ix++)); do
		[ "$(in_container "vol$ix" cat /root/vol-probe)" = "$ix" ]
		[ "$(in_container "vol$ix" hostname)" = "vol$ix" ]
	done
	run_ds_err show
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^\| vol[0-9]+ +\| running ' <<<"$output")" -eq "$n" ]
	[ "$(canary_state "$root")" = "$state" ]
	t0=$(_ds_usec_now)
	run_ds_err --name="$names" stop
	echo "multi-name stop: $(($(_ds_usec_now) - t0)) us; exit $status; $output / $stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	for ((ix = 1; ix <= n; ix++)); do
		grep -qx "Container vol$ix stopped" <<<"$output"
	done
	[ "$(wc -l <<<"$output")" -eq "$n" ]
	for ((ix = 1; ix <= n; ix++)); do
		nothing_left "vol$ix"
		refute proc_alive "${pids[vol$ix]}" "${sts[vol$ix]}"
	done
	out=$(find "$DROIDSPACES_WORKSPACE" -path '*Volatile/*' -mindepth 1 2>/dev/null)
	[ -z "$out" ]
	# nothing the guests wrote reached the shared rootfs
	[ "$(canary_state "$root")" = "$state" ]
	figure "volatile containers from one rootfs at once in the e2e suite: $n"
}

@test "volatile: a rootfs on f2fs gets the clear diagnostic" {
	require_fixture busybox
	require_fs overlay
	if ! grep -qw f2fs /proc/filesystems || ! command -v mkfs.f2fs >/dev/null; then
		skip_loud "f2fs not available (kernel or mkfs.f2fs): the --volatile f2fs diagnostic is untested"
	fi
	local img=$DS_TEST_DIR/f2fs.img mnt=$DS_TEST_DIR/f2fs
	truncate -s 256M "$img"
	mkfs.f2fs -q "$img"
	mkdir -p "$mnt"
	echo "$mnt" >>"$DS_TEST_DIR/.mounts"
	mount -o loop "$img" "$mnt"
	cp -a "$DS_FIXTURES/busybox/." "$mnt/"
	st_refused "f2fs" --name=volf2fs -r "$mnt" -V
	[ ! -e "$(ws_volatile volf2fs)" ]
}

@test "bind: rw and ro (read-only down the whole tree), files, repeated and comma-separated, symlinks resolved in the rootfs, missing source skipped" {
	require_fixture busybox
	local root d=$DS_TEST_DIR rw ro file sub h
	root=$(fixture_copy busybox)
	rw=$d/share-rw ro=$d/share-ro file=$d/single.txt sub=$d/share-ro/sub h=$d/hostside
	mkdir -p "$rw" "$ro" "$sub" "$h/target"
	echo rw-content >"$rw/in-rw"
	echo ro-content >"$ro/in-ro"
	echo file-content >"$file"
	# a mount below the read-only source: the bind is recursive, and so is ro
	echo "$sub" >>"$d/.mounts"
	mount -t tmpfs ds-st-sub "$sub"
	echo sub-content >"$sub/in-sub"
	# symlinks in the rootfs that point at host-looking paths: they must be
	# followed inside the rootfs (where the same path exists), not on the host
	mkdir -p "$root$h/target" "$root$h/target2" "$root/mnt"
	ln -s "$h" "$root/mnt/abs-link"
	ln -s "../../../../../../../../../../..$h" "$root/mnt/rel-link"

	st_start binds -r "$root" \
		-B "$rw:/mnt/rw" \
		-B "$ro:/mnt/ro:ro,$file:/etc/single.txt:ro" \
		--bind-mount="$rw:/mnt/rw-again:rw,$d/no-such-source:/mnt/missing" \
		-B "$rw:/mnt/abs-link/target" -B "$ro:/mnt/rel-link/target2"
	wait_for 10 booted "$CT_PID"

	# rw: both ways
	[ "$(in_container binds cat /mnt/rw/in-rw)" = rw-content ]
	in_container binds sh -c 'echo from-guest >/mnt/rw/new'
	[ "$(cat "$rw/new")" = from-guest ]
	[ "$(in_container binds cat /mnt/rw-again/new)" = from-guest ]
	has_opt "$(guest_mnt "$CT_PID" /mnt/rw opts)" rw

	# ro: readable, not writable, nor below (the tmpfs), nor the file
	[ "$(in_container binds cat /mnt/ro/in-ro)" = ro-content ]
	[ "$(in_container binds cat /mnt/ro/sub/in-sub)" = sub-content ]
	run in_container binds sh -c 'echo x >/mnt/ro/new'
	[ "$status" -ne 0 ]
	[[ $output == *"Read-only file system"* ]]
	run in_container binds sh -c 'echo x >/mnt/ro/sub/new'
	[ "$status" -ne 0 ]
	[[ $output == *"Read-only file system"* ]]
	run in_container binds sh -c 'echo x >>/mnt/ro/in-ro'
	[ "$status" -ne 0 ]
	run in_container binds sh -c 'echo x >/etc/single.txt'
	[ "$status" -ne 0 ]
	[ "$(in_container binds cat /etc/single.txt)" = file-content ]
	has_opt "$(guest_mnt "$CT_PID" /mnt/ro opts)" ro
	has_opt "$(guest_mnt "$CT_PID" /mnt/ro/sub opts)" ro
	[ ! -e "$ro/new" ]
	[ ! -e "$sub/new" ]
	[ "$(cat "$ro/in-ro")" = ro-content ]
	[ "$(cat "$file")" = file-content ]
	# the host's own mounts stay writable
	has_opt "$(findmnt -rn -o OPTIONS --mountpoint "$sub")" rw
	touch "$sub/host-still-writes" "$ro/host-still-writes"

	# destinations were created in the rootfs: a dir, an empty file
	[ -d "$root/mnt/rw" ]
	[ -f "$root/etc/single.txt" ]
	[ ! -s "$root/etc/single.txt" ]

	# symlinked destinations: resolved inside the rootfs
	[ "$(in_container binds cat /mnt/abs-link/target/in-rw)" = rw-content ]
	[ "$(in_container binds cat /mnt/rel-link/target2/in-ro)" = ro-content ]
	guest_mnt "$CT_PID" "$h/target" fstype
	guest_mnt "$CT_PID" "$h/target2" fstype
	[ -z "$(ls -A "$h/target")" ]
	[ ! -e "$h/target2" ]
	[ -z "$(host_mounts_below "$h")" ]

	# missing source: a warning in the log, the entry skipped
	grep -q "bind source $d/no-such-source is missing" "$(ws_log binds)"
	refute in_container binds test -e /mnt/missing
	[ ! -e "$root/mnt/missing" ]

	run "$DS" --name=binds info
	[[ $output == *"Bind mounts: 7"* ]]
	st_stop binds
	# the host's view of the sources is as it was, plus the guest's write
	[ -z "$(host_mounts_below "$rw")" ]
	[ "$(cat "$rw/new")" = from-guest ]
}

# bats test_tags=hostile
@test "bind: malformed and hostile specs get their error; the rootfs and the host are unchanged" {
	require_fixture busybox
	local root d=$DS_TEST_DIR src file upper spec want ix many='' n=0 long
	root=$(fixture_copy busybox)
	upper=$(dirname "$root")/upper
	src=$d/src file=$d/file.txt
	mkdir -p "$src" "$d/hostonly"
	echo f >"$file"
	long=/mnt/$(printf 'x%.0s' {1..5000})
	for ix in $(seq 0 32); do many+="$src:/mnt/m$ix,"; done

	# spec | error (substring)
	local -a table=(
		"$src:relative/dest|DEST must be an absolute path without '..'"
		"$src:/mnt/../../etc|DEST must be an absolute path without '..'"
		"$src:/mnt/..|DEST must be an absolute path without '..'"
		"$src:/..|DEST must be an absolute path without '..'"
		"$src:..|DEST must be an absolute path without '..'"
		"$src:/|cannot bind over the container's /"
		"$src|expected SRC:DEST[:ro]"
		":/mnt/x|expected SRC:DEST[:ro]"
		"$src:|expected SRC:DEST[:ro]"
		",|expected SRC:DEST[:ro]"
		"$src:/mnt/x:rx|the only options are ro and rw"
		"$src:/mnt/x:ro:ro|the only options are ro and rw"
		"$src:/mnt/x:|the only options are ro and rw"
		"$src:/mnt/a"$'\n'"b|control characters are not allowed"
		"$src:/mnt/a"$'\t'"b|control characters are not allowed"
		"$src:/mnt/ok,$src:mnt/bad|DEST must be an absolute path without '..'"
		"$src:$long|too long"
		"${many%,}|too many bind mounts (at most 32)"
	)
	# every case runs; the failures are listed at the end of the test
	local failed=''
	for ix in "${!table[@]}"; do
		spec=${table[ix]%|*}
		want=${table[ix]##*|}
		echo "# case $ix: $(printf '%q' "$spec" | cut -c1-120)" >>"$d/ds.log"
		st_refused "$want" --name="bad$ix" -r "$root" -B "$spec" ||
			failed+="  case $ix: -B $(printf '%q' "$spec" | cut -c1-100)"$'\n'
		n=$((n + 1))
	done
	# the empty spec, in both spellings
	st_refused "expected SRC:DEST[:ro]" --name=bade1 -r "$root" --bind-mount=
	st_refused "expected SRC:DEST[:ro]" --name=bade2 -r "$root" -B ""
	# nothing was created in the rootfs by any of them
	[ -z "$(find "$upper" -mindepth 1 | head -n5)" ]

	# Hostile but well-formed: refused when the container is built, and
	# cleaned up (the host snapshot checks mounts, /dev and cgroups).
	# a path through a regular file
	st_refused "etc/hostname/sub" --name=badh1 -r "$root" -B "$src:/etc/hostname/sub"
	# a directory over a file, a file over a directory
	st_refused "etc/passwd" --name=badh2 -r "$root" -B "$src:/etc/passwd"
	st_refused "/etc" --name=badh3 -r "$root" -B "$file:/etc"
	# a later entry fails: the earlier ones are undone too
	st_refused "etc/group/x" --name=badh4 -r "$root" -B "$src:/mnt/first,$src:/etc/group/x"
	# A symlink whose target exists on the host but not in the rootfs: either
	# refused, or followed inside the rootfs; never to the host's directory.
	mkdir -p "$root/mnt"
	ln -s "$d/hostonly" "$root/mnt/dangling"
	track_container badh5
	run_ds_err --name=badh5 -r "$root" -B "$src:/mnt/dangling/x" start
	if [[ $status == 0 ]]; then
		wait_for 10 booted "$(ds_pid badh5)"
		[ -d "$root$d/hostonly/x" ]
		st_stop badh5
	else
		[[ $stderr == droidspaces:\ * ]]
		[[ $stderr == *mnt/dangling* ]]
		[ ! -e "$(ws_pidfile badh5)" ]
	fi
	[ ! -e "$d/hostonly/x" ]
	[ -z "$(host_mounts_below "$d/hostonly")" ]
	[ -z "$(ls -A "$d/hostonly")" ]
	# the host files are untouched
	[ "$(cat "$file")" = f ]
	[ -z "$(ls -A "$src")" ]
	for ix in $(seq 0 $((n - 1))) e1 e2 h1 h2 h3 h4; do
		[ ! -e "$(ws_pidfile "bad$ix")" ]
	done
	# and the rootfs still boots
	st_start good -r "$root"
	wait_for 10 booted "$CT_PID"
	st_stop good
	if [[ -n $failed ]]; then
		printf 'cases that failed:\n%s' "$failed" >&2
		return 1
	fi
}

@test "hw-access: devtmpfs /dev, rw /sys subtrees under a ro top; the host's /dev is the same before, during and after" {
	require_fixture busybox
	local root sysmp rwcount=0 line mp opts
	root=$(fixture_copy busybox)
	_ds_dev_nodes >"$DS_TEST_DIR/dev.before"

	st_start hw -r "$root" -H
	wait_for 10 booted "$CT_PID"
	_ds_dev_nodes >"$DS_TEST_DIR/dev.during"
	diff -u "$DS_TEST_DIR/dev.before" "$DS_TEST_DIR/dev.during"

	# /dev: the host's devtmpfs (same superblock), own devpts, console a PTY
	[ "$(guest_mnt "$CT_PID" /dev fstype)" = devtmpfs ]
	[ "$(in_container hw stat -c %d /dev/null)" = "$(stat -c %d /dev/null)" ]
	[ "$(guest_mnt "$CT_PID" /dev/pts fstype)" = devpts ]
	[ "$(in_container hw stat -c %d /dev/pts)" != "$(stat -c %d /dev/pts)" ]
	[ "$(in_container hw stat -L -c %d /dev/ptmx)" = "$(in_container hw stat -c %d /dev/pts)" ]
	[ "$(in_container hw stat -L -c %F /dev/console)" = "character special file" ]
	in_container hw sh -c "echo ds-hw-console-$$ >/dev/console"
	wait_for 5 grep -q "ds-hw-console-$$" "$(ws_log hw)"
	# host devices are visible (that is the point of -H)
	in_container hw test -c /dev/loop-control

	# /sys: read-only top, read-write subtrees
	[ "$(guest_mnt "$CT_PID" /sys fstype)" = sysfs ]
	has_opt "$(guest_mnt "$CT_PID" /sys opts)" ro
	while read -r mp opts; do
		[[ $mp == /sys/* ]] || continue
		has_opt "$opts" rw && rwcount=$((rwcount + 1))
	done < <(awk '{print $5, $6}' "/proc/$CT_PID/mountinfo")
	((rwcount > 0))
	for sysmp in /sys/class /sys/devices /sys/bus; do
		has_opt "$(guest_mnt "$CT_PID" "$sysmp" opts)" rw
	done
	refute in_container hw sh -c 'mkdir /sys/ds-probe'
	# the console's "active" file is masked by /dev/null
	if [[ -e /sys/class/tty/console/active ]]; then
		[ "$(in_container hw stat -c '%F %t:%T' /sys/class/tty/console/active)" = "character special file 1:3" ]
	fi
	run "$DS" --name=hw info
	[[ $output == *"HW access:   yes"* ]]

	st_stop hw
	_ds_dev_nodes >"$DS_TEST_DIR/dev.after"
	diff -u "$DS_TEST_DIR/dev.before" "$DS_TEST_DIR/dev.after"
	# a second round in a row: nothing accumulates
	st_start hw -r "$root" -H
	wait_for 10 booted "$CT_PID"
	st_stop hw
	_ds_dev_nodes >"$DS_TEST_DIR/dev.after2"
	diff -u "$DS_TEST_DIR/dev.before" "$DS_TEST_DIR/dev.after2"
}
