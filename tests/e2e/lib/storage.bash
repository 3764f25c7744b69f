# shellcheck shell=bash
# tests/e2e/lib/storage.bash: rootfs images.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# make_image_from DIR FILE SIZE: an ext4 image holding DIR's tree.
make_image_from() {
	truncate -s "$3" "$2"
	mkfs.ext4 -q -F -L ds-test -d "$1" "$2"
}
