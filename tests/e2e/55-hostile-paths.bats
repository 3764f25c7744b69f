#!/usr/bin/env bats
# Hostile paths in a guest (issue 12):
# - a guest's absolute symlinks in a middle component of a path read or
#   written from the host through /proc/PID/root resolve inside the guest,
#   never against the host's / (info's hostname and os-release, stop's
#   /run/initctl request), with openat2 and with the component walk used on
#   kernels without it (DROIDSPACES_FAULT=no-openat2);
# - a multi-MiB /etc/hosts survives a start line for line;
# - FIFOs, device nodes and symlinks where start writes (etc/hostname, its
#   old predictable temporary name, etc/hosts, etc/resolv.conf) never hang
#   start nor reach a host file: links are replaced, never followed; FIFOs
#   and devices are refused with one clear error.
#
# Host-side stand-ins (marker files, the FIFO) live in the test's scratch dir
# on the fixture filesystem: the guest names the same absolute path, which
# inside the guest is something else.

bats_require_minimum_version 1.5.0

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

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

@test "hostile paths: /run -> an absolute host dir holding a FIFO initctl: stop writes nothing into it" {
	require_fixture debian-openrc
	for_each_resolver halt_skips_host_fifo
}

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
