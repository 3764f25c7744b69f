# shellcheck shell=bash
# tests/e2e/lib/android.bash: a fake Android host tree (DROIDSPACES_HOST_ROOT).
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# make_android_root [--no-storage] [--no-selinux]: a new fake Android host
# tree in $DS_TEST_DIR/android.*; its device_config and dumpsys log their arguments to
# calls.log there; `device_config get` prints phantom.value; `getprop KEY` prints prop.KEY.
make_android_root() {
	local r storage=1 selinux=1
	r=$(mktemp -d "$DS_TEST_DIR/android.XXXXXX")
	while [[ $# -gt 0 ]]; do
		case $1 in
		--no-storage) storage=0 ;;
		--no-selinux) selinux=0 ;;
		esac
		shift
	done
	mkdir -p "$r/system/bin" "$r/sys/module/firmware_class/parameters"
	: >"$r/system/bin/app_process"
	chmod 0755 "$r/system/bin/app_process"
	if [[ $selinux == 1 ]]; then
		mkdir -p "$r/sys/fs/selinux"
		echo 1 >"$r/sys/fs/selinux/enforce"
	fi
	if [[ $storage == 1 ]]; then
		mkdir -p "$r/storage/emulated/0/DCIM"
		echo phone-file >"$r/storage/emulated/0/DCIM/probe.txt"
	fi
	echo /vendor/firmware:/odm/firmware >"$r/sys/module/firmware_class/parameters/path"
	echo 32 >"$r/phantom.value"
	: >"$r/calls.log"
	cat >"$r/system/bin/device_config" <<-EOF
		#!/bin/sh
		echo "device_config \$*" >>"$r/calls.log"
		[ "\$1" = get ] && cat "$r/phantom.value"
		exit 0
	EOF
	cat >"$r/system/bin/dumpsys" <<-EOF
		#!/bin/sh
		echo "dumpsys \$*" >>"$r/calls.log"
		exit 0
	EOF
	# getprop KEY prints the file prop.KEY (empty when there is none)
	cat >"$r/system/bin/getprop" <<-EOF
		#!/bin/sh
		cat "$r/prop.\$1" 2>/dev/null
		exit 0
	EOF
	chmod 0755 "$r/system/bin/device_config" "$r/system/bin/dumpsys" "$r/system/bin/getprop"
	echo "$r"
}
