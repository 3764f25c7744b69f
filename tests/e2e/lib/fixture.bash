# shellcheck shell=bash
# tests/e2e/lib/fixture.bash: fixtures: private rootfs copies, probes run inside a container.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# fixtures

# fixture_copy [--copy] NAME: print the path of a fresh, writable rootfs made
# from the cached fixture NAME, private to this test.  Default: an overlayfs
# (lower = cached fixture, upper/work in DS_TEST_DIR); --copy: a real cp -a
# (for tests that must not run on overlayfs).  Unmounted by common_teardown.
fixture_copy() {
	local mode=overlay name base n
	if [[ ${1:-} == --copy ]]; then
		mode=copy
		shift
	fi
	name=${1:?fixture_copy: fixture name}
	if [[ ! -d $DS_FIXTURES/$name ]]; then
		echo "fixture_copy: no fixture '$name' in $DS_FIXTURES (run $DS_FIXTURE_BUILD)" >&2
		return 1
	fi
	n=$(find "$DS_TEST_DIR" -maxdepth 1 -name 'rootfs.*' | wc -l)
	base=$DS_TEST_DIR/rootfs.$n.$name
	mkdir -p "$base/root"
	if [[ $mode == overlay ]]; then
		mkdir -p "$base/upper" "$base/work"
		# Register first: if the mount half-succeeds, teardown still tries.
		echo "$base/root" >>"$DS_TEST_DIR/.mounts"
		mount -t overlay "ds-test-$name" \
			-o "lowerdir=$DS_FIXTURES/$name,upperdir=$base/upper,workdir=$base/work" \
			"$base/root" || return 1
	else
		cp -a "$DS_FIXTURES/$name/." "$base/root/"
	fi
	echo "$base/root"
}

# run_probe PROBE NAME: the output of tests/e2e/probes/PROBE.c run as root in
# container NAME (built static for the host's architecture once per test,
# copied into its rootfs).
run_probe() {
	local bin=$DS_TEST_DIR/$1
	if [[ ! -x $bin ]]; then
		musl-gcc -static -O2 -o "$bin" "$DS_REPO/tests/e2e/probes/$1.c" || return 1
	fi
	cp "$bin" "/proc/$(ds_pid "$2")/root/$1"
	"$DS" --name="$2" run "/$1"
}

# fixture_fs NAME: print the path of a rootfs directory that is the root of
# an ext4 filesystem of its own (a loop-mounted image in DS_TEST_DIR, filled
# from the cached fixture NAME), so that a guest's superblock remount shows
# and nothing else of the host has files open on it. The test unmounts it
# (autoclear frees the loop device); teardown unmounts it if the test failed.
fixture_fs() {
	local img=$DS_TEST_DIR/$1.ext4 mnt=$DS_TEST_DIR/fs.$1
	truncate -s 1G "$img"
	mkfs.ext4 -q -F -d "$DS_FIXTURES/$1" "$img" >&2 || return 1
	mkdir -p "$mnt"
	echo "$mnt" >>"$DS_TEST_DIR/.mounts"
	mount -o loop "$img" "$mnt" || return 1
	echo "$mnt"
}
