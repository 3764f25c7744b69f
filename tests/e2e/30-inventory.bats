#!/usr/bin/env bats
# Many containers: naming from os-release (hostile os-release files too),
# saved settings and --config, ten named containers, multi-name and --all
# stop, status/info/show in table and JSON form, scan, remove.  Uses only the
# busybox fixture: it boots in a fraction of a second and halts in about 2 s.
#
# Tags: hostile, load; asan marks the tests `make e2e-asan` runs.

bats_require_minimum_version 1.5.0

load helpers

setup() { inventory_setup; }
teardown() {
	ws2_stop
	common_teardown
}

# guest_hostname NAME: the UTS hostname inside the container.
guest_hostname() { in_container "$1" cat /proc/sys/kernel/hostname; }

# saved_value NAME KEY: KEY's value in NAME's container.config (first match).
saved_value() {
	sed -n "s/^$2=//p" "$DROIDSPACES_WORKSPACE/Containers/$1/container.config" | head -n1
}

# bats test_tags=asan
@test "naming: ID-VERSION_ID with -1, -2 suffixes; a saved name of another rootfs is skipped" {
	local a b
	a=$(fixture_copy busybox)
	b=$(fixture_copy busybox)

	ds_start_ok -r "$a"
	[ "$STARTED_NAME" = busybox-1 ]
	ds_start_ok -r "$a"
	[ "$STARTED_NAME" = busybox-1-1 ]
	ds_start_ok -r "$a"
	[ "$STARTED_NAME" = busybox-1-2 ]
	# the final name is the hostname, the pidfile, the log dir and the saved settings
	local n
	for n in busybox-1 busybox-1-1 busybox-1-2; do
		wait_for 10 guest_booted "$n"
		[ "$(guest_hostname "$n")" = "$n" ]
		[ -f "$DROIDSPACES_WORKSPACE/Pids/$n.pid" ]
		[ -d "$DROIDSPACES_WORKSPACE/Logs/$n" ]
		[ "$(saved_value "$n" hostname)" = "$n" ]
		[ "$(saved_value "$n" rootfs)" = "$(realpath "$a")" ]
	done

	# busybox-1 stopped: still saved with rootfs A, so B does not take its name
	ds_run --name=busybox-1 stop
	[ "$status" -eq 0 ]
	ds_start_ok -r "$b"
	[ "$STARTED_NAME" = busybox-1-3 ]
	[ "$(saved_value busybox-1-3 rootfs)" = "$(realpath "$b")" ]
	[ "$(saved_value busybox-1 rootfs)" = "$(realpath "$a")" ]
	# ... while A gets its own name back
	ds_start_ok -r "$a"
	[ "$STARTED_NAME" = busybox-1 ]

	# --hostname is kept when the name is chosen automatically
	ds_start_ok -r "$b" --hostname=custom-host
	[ "$STARTED_NAME" = busybox-1-4 ]
	wait_for 10 guest_booted busybox-1-4
	[ "$(guest_hostname busybox-1-4)" = custom-host ]
	[ "$(saved_value busybox-1-4 hostname)" = custom-host ]

	# an explicit name that runs already is refused, not suffixed
	ds_run start -r "$b" --name=busybox-1
	[ "$status" -ne 0 ]
	[[ $output == *"busybox-1"*"already running"* ]]

	stop_all_ok
}

# clear_osrelease ROOT: remove ROOT's os-release files, whatever they are now
# (file, symlink, FIFO, directory).  write_osrelease ROOT: then stdin becomes
# etc/os-release.
clear_osrelease() {
	rm -rf "$1/etc/os-release" "$1/usr/lib/os-release"
}
write_osrelease() {
	clear_osrelease "$1"
	cat >"$1/etc/os-release"
}

# bats test_tags=asan
@test "naming: os-release variants (quotes, fallback file, no VERSION_ID, none at all, odd IDs)" {
	local r deb=$DS_FIXTURES/debian-systemd
	r=$(fixture_copy busybox)

	# the Debian layout: etc/os-release -> ../usr/lib/os-release, quoted values
	clear_osrelease "$r"
	mkdir -p "$r/usr/lib"
	cp -a "$deb/usr/lib/os-release" "$r/usr/lib/os-release"
	cp -a "$deb/etc/os-release" "$r/etc/os-release"
	[ -L "$r/etc/os-release" ]
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = debian-12 ]

	# only usr/lib/os-release
	clear_osrelease "$r"
	printf 'ID=fallback\nVERSION_ID=2\n' >"$r/usr/lib/os-release"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = fallback-2 ]

	# quotes, escapes, comments, export, blanks
	write_osrelease "$r" <<-'EOF'
		# a comment
		   
		NAME='Quoted OS'
		export ID="quoted"
		VERSION_ID='3.1'   # trailing comment
	EOF
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = quoted-3.1 ]

	# no VERSION_ID: the ID alone
	printf 'ID=alpine\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = alpine ]

	# no os-release at all
	clear_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = linux ]
	[ "$(saved_value linux hostname)" = linux ]

	# an empty one, and one without ID
	: | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = linux-1 ]
	printf 'VERSION_ID=7\nNAME=x\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = linux-2 ]

	# path-like and dotted IDs are reduced to [A-Za-z0-9._-], never "." or ".."
	printf 'ID="../../etc"\nVERSION_ID="1/2"\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = etc-12 ]
	printf 'ID=..\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = linux-3 ]
	printf 'ID="Fancy OS!"\nVERSION_ID="2024 LTS"\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = FancyOS-2024LTS ]

	stop_all_ok
}

# The name the host's own os-release would give: a guest must never get it
# from a symlink that points out of its rootfs.
host_os_name() {
	(
		# shellcheck disable=SC1091
		. /etc/os-release 2>/dev/null || . /usr/lib/os-release
		echo "${ID:-linux}${VERSION_ID:+-$VERSION_ID}"
	)
}

# bats test_tags=hostile,asan
@test "naming: hostile os-release (huge line, no newline, binary, FIFO, symlinks out of the rootfs)" {
	local r host_name big n
	r=$(fixture_copy busybox)
	host_name=$(host_os_name)
	[ -n "$host_name" ]

	# a line longer than any buffer, then the real keys
	{
		printf 'PRETTY_NAME="'
		head -c 20000 /dev/zero | tr '\0' x
		printf '"\nID=huge\nVERSION_ID=3\n'
	} | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = huge-3 ]

	# a huge ID value is cut to a valid 1-64 character name
	big=$(head -c 300 /dev/zero | tr '\0' a)
	printf 'ID=%s\nVERSION_ID=1\n' "$big" | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "${#STARTED_NAME}" -le 64 ]
	[ "${#STARTED_NAME}" -ge 1 ]
	[[ $STARTED_NAME =~ ^[A-Za-z0-9._-]+$ ]]

	# 1 MiB without a single newline: no name from it, no hang, no crash
	head -c 1048576 /dev/zero | tr '\0' y | write_osrelease "$r"
	run timeout 20 "$DS" start -r "$r"
	[ "$status" -eq 0 ]
	[[ $output =~ Container\ (linux[-0-9]*)\ started ]]
	n=${BASH_REMATCH[1]}
	track_container "$n"

	# no trailing newline
	printf 'ID=nonl\nVERSION_ID=5' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = nonl-5 ]

	# control characters and bytes that are not UTF-8 are dropped from the name;
	# what follows a NUL byte is not text any more
	printf 'ID="we\377i\001rd"\nVERSION_ID=9\177\n\000\nID=afternul\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = weird-9 ]

	# a FIFO must not block the start: the fallback file is used
	clear_osrelease "$r"
	mkdir -p "$r/usr/lib"
	printf 'ID=fifo\nVERSION_ID=1\n' >"$r/usr/lib/os-release"
	mkfifo "$r/etc/os-release"
	run timeout 20 "$DS" start -r "$r"
	[ "$status" -eq 0 ]
	[[ $output =~ Container\ ([^ ]+)\ started ]]
	n=${BASH_REMATCH[1]}
	track_container "$n"
	[ "$n" = fifo-1 ]

	# a directory in its place: the same
	rm "$r/etc/os-release"
	mkdir "$r/etc/os-release"
	printf 'ID=dir\nVERSION_ID=1\n' >"$r/usr/lib/os-release"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = dir-1 ]

	# absolute symlinks resolve inside the rootfs, never on the host
	rm -rf "$r/etc/os-release"
	printf 'ID=inroot\nVERSION_ID=7\n' >"$r/usr/lib/os-release"
	ln -s /usr/lib/os-release "$r/etc/os-release"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = inroot-7 ]
	# ... and so do relative ones that climb above /
	rm "$r/etc/os-release"
	ln -s ../../../../../../../../../usr/lib/os-release "$r/etc/os-release"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = inroot-7-1 ]
	# the host's /etc/os-release itself: inside the rootfs that is a loop
	clear_osrelease "$r"
	ln -s /etc/os-release "$r/etc/os-release"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" != "$host_name" ]
	[[ $STARTED_NAME != "$host_name"-* ]]
	[[ $STARTED_NAME =~ ^linux(-[0-9]+)?$ ]]
	# /proc/1/root/etc/os-release is the host's through /proc on the host, but
	# resolved inside the rootfs it is the guest's own (empty) /proc
	rm "$r/etc/os-release"
	ln -s /proc/1/root/etc/os-release "$r/etc/os-release"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" != "$host_name" ]
	[[ $STARTED_NAME =~ ^linux(-[0-9]+)?$ ]]

	# info reads the guest's os-release the same careful way (stopped container)
	ds_run --name=inroot-7 stop
	[ "$status" -eq 0 ]
	json_run info --name=inroot-7 --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .state <<<"$output")" = stopped ]
	[ "$(jq -r .os.id <<<"$output")" = "" ]

	stop_all_ok
}

# bats test_tags=asan
@test "naming: an auto-name with characters a hostname cannot have still restarts from its settings" {
	local r
	r=$(fixture_copy busybox)

	# '_' is allowed in names but not in hostnames
	printf 'ID=my_os\nVERSION_ID=1\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	[ "$STARTED_NAME" = my_os-1 ]
	wait_for 10 guest_booted my_os-1
	ds_run --name=my_os-1 stop
	[ "$status" -eq 0 ]
	# stopped: info and a start by name work from the saved settings
	ds_run info --name=my_os-1
	[ "$status" -eq 0 ]
	[[ $output == *"State:       stopped"* ]]
	ds_start_ok --name=my_os-1
	[ "$STARTED_NAME" = my_os-1 ]

	# a leading '-' (ID=-x) likewise
	printf 'ID=-x\nVERSION_ID=1\n' | write_osrelease "$r"
	ds_start_ok -r "$r"
	local n=$STARTED_NAME
	[[ $n =~ ^[A-Za-z0-9._-]+$ ]]
	wait_for 10 guest_booted "$n"
	ds_run --name="$n" stop
	[ "$status" -eq 0 ]
	ds_start_ok --name="$n"

	stop_all_ok
}

# bats test_tags=asan
@test "settings: saved at start, reused by name, flags override and persist, unknown keys kept" {
	local r cfgfile real
	r=$(fixture_copy busybox)
	real=$(realpath "$r")
	cfgfile=$DROIDSPACES_WORKSPACE/Containers/cf/container.config

	ds_run start --name=cf
	[ "$status" -eq 1 ]
	[[ $output == *"container cf has no saved settings: give --rootfs=DIR"* ]]
	[ ! -e "$DROIDSPACES_WORKSPACE/Pids/cf.pid" ]

	ds_start_ok -r "$r" --name=cf --hostname=cfhost -t 5
	[ -f "$cfgfile" ]
	[ "$(stat -c %a "$cfgfile")" = 644 ]
	# written atomically: nothing but the file in its directory
	[ "$(ls -A "$DROIDSPACES_WORKSPACE/Containers/cf")" = container.config ]
	[ "$(saved_value cf rootfs)" = "$real" ]
	[ "$(saved_value cf rootfs_img)" = "" ]
	[ "$(saved_value cf hostname)" = cfhost ]
	[ "$(saved_value cf volatile)" = 0 ]
	[ "$(saved_value cf hw_access)" = 0 ]
	[ "$(saved_value cf enable_ipv6)" = 0 ]
	[ "$(saved_value cf android_storage)" = 0 ]
	[ "$(saved_value cf selinux_permissive)" = 0 ]
	[ "$(saved_value cf dns)" = "" ]
	[ "$(saved_value cf stop_timeout)" = 5 ]
	[ "$(saved_value cf ttys)" = 0 ]
	refute grep -q '^bind=' "$cfgfile"
	# every non-comment line is key=value
	refute grep -Ev '^(#.*|[A-Za-z_][A-Za-z0-9_.]*=.*)$' "$cfgfile"
	wait_for 10 guest_booted cf
	[ "$(guest_hostname cf)" = cfhost ]
	ds_run --name=cf stop
	[ "$status" -eq 0 ]

	# keys this version does not know survive the next save, verbatim
	printf 'x_custom=hello world = 1\nfuture.key=\n# a comment\n' >>"$cfgfile"
	ds_start_ok --name=cf
	[ "$STARTED_NAME" = cf ]
	wait_for 10 guest_booted cf
	[ "$(guest_hostname cf)" = cfhost ]
	json_run info --json
	[ "$(jq -r .name <<<"$output")" = cf ]
	[ "$(jq -r .rootfs <<<"$output")" = "$real" ]
	grep -qxF 'x_custom=hello world = 1' "$cfgfile"
	grep -qxF 'future.key=' "$cfgfile"
	[ "$(saved_value cf stop_timeout)" = 5 ]
	ds_run --name=cf stop
	[ "$status" -eq 0 ]

	# command-line flags win over the saved ones, and are saved
	ds_start_ok --name=cf -t 12 --hostname=other
	wait_for 10 guest_booted cf
	[ "$(guest_hostname cf)" = other ]
	[ "$(saved_value cf hostname)" = other ]
	[ "$(saved_value cf stop_timeout)" = 12 ]
	[ "$(saved_value cf rootfs)" = "$real" ]
	grep -qxF 'x_custom=hello world = 1' "$cfgfile"
	ds_run --name=cf stop
	[ "$status" -eq 0 ]
	# ... and used the next time
	ds_start_ok --name=cf
	wait_for 10 guest_booted cf
	[ "$(guest_hostname cf)" = other ]
	[ "$(saved_value cf stop_timeout)" = 12 ]
	ds_run --name=cf stop
	[ "$status" -eq 0 ]
	# a flag given with the value that happens to be the default wins as well
	ds_start_ok --name=cf -t 8
	[ "$(saved_value cf stop_timeout)" = 8 ]
	wait_for 10 guest_booted cf
	ds_run --name=cf stop
	[ "$status" -eq 0 ]
	sed -i 's/^stop_timeout=.*/stop_timeout=12/' "$cfgfile"

	# a bad value is an error that names the key, and nothing starts
	cp "$cfgfile" "$DS_TEST_DIR/cf.good"
	sed -i 's/^stop_timeout=.*/stop_timeout=soon/' "$cfgfile"
	ds_run start --name=cf
	[ "$status" -eq 1 ]
	[[ $output == *stop_timeout* ]]
	refute is_running cf
	sed -i 's/^stop_timeout=.*/stop_timeout=12/; s/^volatile=.*/volatile=maybe/' "$cfgfile"
	ds_run start --name=cf
	[ "$status" -eq 1 ]
	[[ $output == *volatile* ]]
	refute is_running cf
	cp "$DS_TEST_DIR/cf.good" "$cfgfile"

	# a different --rootfs given with the name replaces the saved one
	local r2
	r2=$(fixture_copy busybox)
	ds_start_ok --name=cf -r "$r2"
	[ "$(saved_value cf rootfs)" = "$(realpath "$r2")" ]
	grep -qxF 'x_custom=hello world = 1' "$cfgfile"

	stop_all_ok
}

# bats test_tags=asan
@test "settings: --config FILE in the same format, with and without --name" {
	local r conf
	r=$(fixture_copy busybox)
	conf=$DS_TEST_DIR/my.conf
	cat >"$conf" <<-EOF
		# settings for a test
		rootfs=$r
		hostname=fromfile
		stop_timeout=3
		vendor.option=kept as is
	EOF

	ds_start_ok --config="$conf" --name=fc
	[ "$STARTED_NAME" = fc ]
	wait_for 10 guest_booted fc
	[ "$(guest_hostname fc)" = fromfile ]
	[ "$(saved_value fc rootfs)" = "$(realpath "$r")" ]
	[ "$(saved_value fc hostname)" = fromfile ]
	[ "$(saved_value fc stop_timeout)" = 3 ]
	grep -qxF 'vendor.option=kept as is' "$DROIDSPACES_WORKSPACE/Containers/fc/container.config"

	# without --name the name comes from the rootfs it names
	ds_start_ok --config="$conf" --hostname=cli-wins
	[ "$STARTED_NAME" = busybox-1 ]
	wait_for 10 guest_booted busybox-1
	[ "$(guest_hostname busybox-1)" = cli-wins ]
	[ "$(saved_value busybox-1 stop_timeout)" = 3 ]

	# a config file with a bad line is refused with its line number
	printf 'rootfs=%s\nthis is not a setting\n' "$r" >"$DS_TEST_DIR/bad.conf"
	ds_run start --config="$DS_TEST_DIR/bad.conf" --name=bad
	[ "$status" -eq 1 ]
	[[ $output == *"line 2"* ]]
	refute is_running bad
	ds_run start --config="$DS_TEST_DIR/missing.conf" --name=bad
	[ "$status" -eq 1 ]
	refute is_running bad

	stop_all_ok
}

# bats test_tags=load,asan
@test "ten named containers: start, list, status, one parallel multi-name stop" {
	local r i n names=() list
	r=$(fixture_copy busybox)
	for i in $(seq -w 1 10); do
		ds_start_ok -r "$r" --name="c$i"
		[ "$STARTED_NAME" = "c$i" ]
		names+=("c$i")
	done
	for n in "${names[@]}"; do
		wait_for 10 guest_booted "$n"
	done

	json_run show --json
	[ "$status" -eq 0 ]
	[ "$(jq '.containers | length' <<<"$output")" -eq 10 ]
	[ "$(jq -r '[.containers[].name] | join(",")' <<<"$output")" = "$(
		IFS=,
		echo "${names[*]}"
	)" ]
	for n in "${names[@]}"; do
		[ "$(jq -r --arg n "$n" '.containers[] | select(.name == $n) | .state' <<<"$output")" = running ]
		[ "$(jq -r --arg n "$n" '.containers[] | select(.name == $n) | .pid' <<<"$output")" = "$(ds_pid "$n")" ]
		[ "$(jq -r --arg n "$n" '.containers[] | select(.name == $n) | .init' <<<"$output")" = busybox ]
		[ "$(jq -r --arg n "$n" '.containers[] | select(.name == $n) | .rootfs' <<<"$output")" = "$(realpath "$r")" ]
	done
	# ten different PIDs
	[ "$(jq '[.containers[].pid] | unique | length' <<<"$output")" -eq 10 ]

	# several run: status without --name says which
	ds_run status
	[ "$status" -eq 1 ]
	[[ $output == *"several containers are running ("*"): give --name=NAME"* ]]
	for n in "${names[@]}"; do
		[[ $output == *"$n"* ]]
		is_running "$n"
	done

	list=$(
		IFS=,
		echo "${names[*]}"
	)
	ds_run --name="$list" stop
	[ "$status" -eq 0 ]
	for n in "${names[@]}"; do
		[ "$(grep -cx "Container $n stopped" <<<"$output")" -eq 1 ]
		refute is_running "$n"
		[ ! -e "$DROIDSPACES_WORKSPACE/Pids/$n.pid" ]
	done
	[ "$(grep -c '^Container .* stopped$' <<<"$output")" -eq 10 ]

	# all ten are still listed, stopped, from their saved settings
	json_run show --json
	[ "$(jq '.containers | length' <<<"$output")" -eq 10 ]
	[ "$(jq '[.containers[] | select(.state == "stopped" and (has("pid") | not))] | length' <<<"$output")" -eq 10 ]
}

# bats test_tags=asan
@test "multi-name stop: each name reports, exit 1 when one fails; invalid names stop nothing; --all" {
	local r
	r=$(fixture_copy busybox)
	ds_start_ok -r "$r" --name=a1
	ds_start_ok -r "$r" --name=a2
	wait_for 10 guest_booted a1
	wait_for 10 guest_booted a2

	# an invalid name is refused before anything is stopped
	ds_run --name=a1,bad/name stop
	[ "$status" -ne 0 ]
	is_running a1
	is_running a2

	ds_run --name=a1,nosuch,a2 stop
	[ "$status" -eq 1 ]
	[ "$(grep -cx 'Container a1 stopped' <<<"$output")" -eq 1 ]
	[ "$(grep -cx 'Container a2 stopped' <<<"$output")" -eq 1 ]
	[[ $output == *"nosuch is not running"* ]]
	refute is_running a1
	refute is_running a2

	# --all: every running container, and only those
	ds_start_ok -r "$r" --name=b1
	ds_start_ok -r "$r" --name=b2
	ds_start_ok -r "$r" --name=b3
	stop_all_ok
	[ "$(grep -c '^Container b[123] stopped$' <<<"$(cat "$DS_TEST_DIR/ds.log")")" -eq 3 ]
	ds_run stop --all
	[ "$status" -eq 0 ]
	[[ $output == *"No containers running."* ]]
}

# bats test_tags=asan
@test "status, info, show: every field, table and JSON, running and stopped" {
	local r real pid t0 v ipv6 line
	r=$(fixture_copy busybox)
	real=$(realpath "$r")
	# a PRETTY_NAME that needs every kind of JSON escaping
	printf 'ID=busybox\nVERSION_ID=1\nPRETTY_NAME="say \\"hi\\" \\\\ tab\there \001 caf\303\251 \377"\n' |
		write_osrelease "$r"

	t0=$(date +%s)
	ds_start_ok -r "$r" --name=alpha --hostname=alpha-host
	pid=$STARTED_PID
	ds_start_ok -r "$r" --name=beta
	wait_for 10 guest_booted alpha
	wait_for 10 guest_booted beta
	ds_run --name=beta stop
	[ "$status" -eq 0 ]

	# ---- status: auto-selects the only running container
	ds_run status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "alpha: running (pid $pid, init busybox)" ]
	json_run status --json
	[ "$status" -eq 0 ]
	[ "$(jq -c 'keys' <<<"$output")" = '["init","name","notify_status","pid","ready","ready_by","ready_ms","state"]' ]
	[ "$(jq -r .name <<<"$output")" = alpha ]
	[ "$(jq -r .state <<<"$output")" = running ]
	[ "$(jq .pid <<<"$output")" = "$pid" ]
	[ "$(jq -r .init <<<"$output")" = busybox ]
	ds_run status --name=beta
	[ "$status" -eq 1 ]
	[ "$output" = "beta: stopped" ]
	json_run status --name=beta --json
	[ "$status" -eq 1 ]
	[ "$(jq -c . <<<"$output")" = '{"name":"beta","state":"stopped"}' ]
	ds_run status --name=nosuch
	[ "$status" -eq 1 ]

	# ---- info, running (auto-selected), table
	v=$(in_container alpha cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null) || v=1
	ipv6=false
	[ "$v" = 0 ] && ipv6=true
	ds_run info
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Name:        alpha" ]
	[ "${lines[1]}" = "State:       running" ]
	[ "${lines[2]}" = "PID:         $pid" ]
	[[ ${lines[3]} =~ ^Uptime:\ \ \ \ \ \ 0d\ 00:[0-9]{2}:[0-9]{2}$ ]]
	[ "${lines[4]}" = "Init:        busybox" ]
	[ "${lines[5]}" = "Cgroup:      droidspaces/alpha" ]
	[[ ${lines[6]} == "Ready:       yes, by init alive for 1 s, "* || ${lines[6]} == "Ready:       no" ]]
	[ "${lines[7]}" = "Hostname:    alpha-host" ]
	[ "${lines[8]}" = "Rootfs:      $real" ]
	[[ ${lines[9]} == "OS:          say \"hi\" \\ tab"* ]]
	[ "${lines[10]}" = "HW access:   no" ]
	[ "${lines[11]}" = "Volatile:    no" ]
	[ "${lines[12]}" = "Image:       no" ]
	[ "${lines[13]}" = "Bind mounts: 0" ]
	[ "${lines[14]}" = "Private users: no" ]
	if [ "$ipv6" = true ]; then
		[ "${lines[15]}" = "IPv6:        enabled" ]
	else
		[ "${lines[15]}" = "IPv6:        disabled" ]
	fi
	[ "${lines[16]}" = "Network:     host" ]
	[ "${lines[17]}" = "Android storage: no" ]
	[ "${lines[18]}" = "SELinux:     not enforcing" ]
	[ "${lines[19]}" = "Seccomp:     filtered" ]
	[ "${lines[20]}" = "Devices:     restricted (cgroup2 device program)" ]
	[ "${lines[21]}" = "Limits:      none" ]
	[[ ${lines[22]} =~ ^Usage:\ +memory\ .*\ pids\ .*\ cpu\ [0-9.]+s$ ]]
	[ "${#lines[@]}" -eq 23 ]

	# ---- info, running, JSON
	json_run info --name=alpha --json
	[ "$status" -eq 0 ]
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["name","state","pid","uptime_seconds","init","cgroup","ready","ready_by","ready_ms","notify_status","hostname","rootfs","os","features","network","limits","usage"]' ]
	[ "$(jq -r .name <<<"$output")" = alpha ]
	[ "$(jq -r .state <<<"$output")" = running ]
	[ "$(jq .pid <<<"$output")" = "$pid" ]
	jq -e --argjson max $(($(date +%s) - t0 + 2)) '.uptime_seconds | type == "number" and . >= 0 and . <= $max' <<<"$output"
	[ "$(jq -r .init <<<"$output")" = busybox ]
	[ "$(jq -r .cgroup <<<"$output")" = droidspaces/alpha ]
	[ "$(jq -r .hostname <<<"$output")" = alpha-host ]
	[ "$(jq -r .rootfs <<<"$output")" = "$real" ]
	[ "$(jq -r .os.id <<<"$output")" = busybox ]
	[ "$(jq -r .os.version_id <<<"$output")" = 1 ]
	[ "$(jq -r .os.pretty_name <<<"$output")" = "$(printf 'say "hi" \\ tab\there \001 caf\303\251 \357\277\275')" ]
	[ "$(jq -c '.features | keys_unsorted' <<<"$output")" = '["hw_access","volatile","image","bind_mounts","private_users","private_users_shift","ipv6","android_storage","selinux_enforcing","seccomp","device_policy"]' ]
	[ "$(jq -c '.features' <<<"$output")" = "{\"hw_access\":false,\"volatile\":false,\"image\":false,\"bind_mounts\":0,\"private_users\":\"no\",\"private_users_shift\":\"\",\"ipv6\":$ipv6,\"android_storage\":false,\"selinux_enforcing\":false,\"seccomp\":true,\"device_policy\":true}" ]

	# ---- info, stopped: from the saved settings and the rootfs, no pid
	json_run info --name=beta --json
	[ "$status" -eq 0 ]
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["name","state","hostname","rootfs","os","features","network","limits"]' ]
	[ "$(jq -r .state <<<"$output")" = stopped ]
	[ "$(jq -r .hostname <<<"$output")" = beta ]
	[ "$(jq -r .rootfs <<<"$output")" = "$real" ]
	[ "$(jq -r .os.id <<<"$output")" = busybox ]
	[ "$(jq .features.bind_mounts <<<"$output")" = 0 ]
	ds_run info --name=beta
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Name:        beta" ]
	[ "${lines[1]}" = "State:       stopped" ]
	[ "${lines[2]}" = "Hostname:    beta" ]
	[ "${lines[3]}" = "Rootfs:      $real" ]
	refute grep -q '^PID:' <<<"$output"
	ds_run info --name=nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"no container named nosuch"* ]]

	# ---- show, JSON: running and stopped, sorted by name
	json_run show --json
	[ "$status" -eq 0 ]
	[ "$(jq -c 'keys' <<<"$output")" = '["containers"]' ]
	[ "$(jq -c '[.containers[].name]' <<<"$output")" = '["alpha","beta"]' ]
	[ "$(jq -c '.containers[0] | keys_unsorted' <<<"$output")" = '["name","state","pid","init","uptime_seconds","ready","ready_by","ready_ms","notify_status","rootfs","network"]' ]
	[ "$(jq -r '.containers[0].state' <<<"$output")" = running ]
	[ "$(jq '.containers[0].pid' <<<"$output")" = "$pid" ]
	[ "$(jq -r '.containers[0].init' <<<"$output")" = busybox ]
	jq -e '.containers[0].uptime_seconds | type == "number" and . >= 0' <<<"$output"
	[ "$(jq -r '.containers[0].rootfs' <<<"$output")" = "$real" ]
	[ "$(jq -c '.containers[1]' <<<"$output")" = "{\"name\":\"beta\",\"state\":\"stopped\",\"rootfs\":\"$real\",\"network\":{\"mode\":\"host\",\"address\":null,\"ports\":[]}}" ]

	# ---- show, table: ASCII when stdout is not a terminal
	ds_run show
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	local w=${#lines[0]}
	for line in "${lines[@]}"; do
		[ "${#line}" -eq "$w" ] # dynamic widths: every line equally long
	done
	[[ ${lines[0]} =~ ^\+(-+\+){5}$ ]]
	[ "${lines[2]}" = "${lines[0]}" ]
	[ "${lines[5]}" = "${lines[0]}" ]
	local -a c
	_cells() {
		IFS='|' read -r -a c <<<"$1"
		local i
		for i in "${!c[@]}"; do
			c[i]=${c[i]#"${c[i]%%[! ]*}"}
			c[i]=${c[i]%"${c[i]##*[! ]}"}
		done
	}
	_cells "${lines[1]}"
	[ "${c[*]:1:5}" = "NAME STATE PID INIT ROOTFS" ]
	_cells "${lines[3]}"
	[ "${c[*]:1:5}" = "alpha running $pid busybox $real" ]
	_cells "${lines[4]}"
	[ "${c[*]:1:5}" = "beta stopped - - $real" ]
	# rows are padded to the widest cell: "| alpha " is as wide as "| NAME  "
	[[ ${lines[1]} == "| NAME  | STATE   | PID "* ]]

	# ---- show, table on a UTF-8 terminal: box drawing; on a C terminal: ASCII
	run script -qec "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$DS' show" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"┌"*"┬"*"┐"* ]]
	[[ $output == *"│ alpha "* ]]
	[[ $output == *"└"*"┴"*"┘"* ]]
	run script -qec "env LANG=C LC_ALL=C '$DS' show" /dev/null
	[ "$status" -eq 0 ]
	[[ $output != *"│"* ]]
	[[ $output == *"| alpha "* ]]

	# ---- nothing saved, nothing running
	ds_run --name=alpha stop
	[ "$status" -eq 0 ]
	ds_run rm --name=alpha
	[ "$status" -eq 0 ]
	ds_run rm --name=beta
	[ "$status" -eq 0 ]
	ds_run show
	[ "$status" -eq 0 ]
	[ "$output" = "No containers." ]
	json_run show --json
	[ "$(jq -c . <<<"$output")" = '{"containers":[]}' ]
	ds_run status
	[ "$status" -eq 1 ]
	[[ $output == *"no container is running"* ]]
}

# bats test_tags=asan
@test "scan: registers inits that have no pidfile (monitor alive or killed) under their os-release name" {
	local r1 r2 r3 p_lost p_lost2 mon
	r1=$(fixture_copy busybox)
	r2=$(fixture_copy busybox)
	r3=$(fixture_copy busybox)
	# names of their own, so that no other busybox container can take them first
	printf 'ID=scanlost\nVERSION_ID=1\n' | write_osrelease "$r2"
	printf 'ID=scanlost\nVERSION_ID=2\n' | write_osrelease "$r3"

	ds_start_ok -r "$r1" --name=tracked
	ds_start_ok -r "$r2" --name=lost
	p_lost=$STARTED_PID
	ds_start_ok -r "$r3" --name=lost2
	p_lost2=$STARTED_PID
	wait_for 10 guest_booted tracked
	wait_for 10 guest_booted lost
	wait_for 10 guest_booted lost2

	# nothing untracked yet
	scan_run
	[ "$output" = "No untracked containers found." ]

	# lost: pidfile deleted, monitor alive
	rm "$DROIDSPACES_WORKSPACE/Pids/lost.pid"
	json_run show --json
	[ "$(jq -r '.containers[] | select(.name == "lost") | .state' <<<"$output")" = stopped ]
	scan_run --json
	[ "$output" = "{\"registered\":[{\"name\":\"scanlost-1\",\"pid\":$p_lost}]}" ]
	track_container scanlost-1
	[ "$(ds_pid scanlost-1)" = "$p_lost" ]
	ds_run status --name=scanlost-1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "scanlost-1: running (pid $p_lost, init busybox)" ]
	json_run info --name=scanlost-1 --json
	[ "$(jq -r .os.id <<<"$output")" = scanlost ]
	[ "$(jq -r .cgroup <<<"$output")" = droidspaces/lost ]
	# a second scan finds nothing new
	scan_run --json
	[ "$output" = '{"registered":[]}' ]

	# lost2: monitor killed, then pidfile deleted; table form
	mon=$(sed -n 's/^monitor=//p' "$DROIDSPACES_WORKSPACE/Pids/lost2.pid")
	kill -KILL "$mon"
	wait_for 5 ! is_monitor "$mon"
	rm "$DROIDSPACES_WORKSPACE/Pids/lost2.pid"
	scan_run
	[ "$output" = "Registered scanlost-2 (pid $p_lost2)" ]
	track_container scanlost-2
	[ "$(ds_pid scanlost-2)" = "$p_lost2" ]

	json_run show --json
	[ "$(jq -r '[.containers[] | select(.state == "running") | .name] | join(",")' <<<"$output")" = scanlost-1,scanlost-2,tracked ]

	# stop works on the registered names and cleans up after both
	ds_run --name=scanlost-1,scanlost-2 stop
	[ "$status" -eq 0 ]
	[ "$(grep -cx 'Container scanlost-1 stopped' <<<"$output")" -eq 1 ]
	[ "$(grep -cx 'Container scanlost-2 stopped' <<<"$output")" -eq 1 ]
	refute is_running scanlost-1
	refute is_running scanlost-2
	wait_for 10 ! test -e /sys/fs/cgroup/droidspaces/lost
	wait_for 10 ! test -e /sys/fs/cgroup/droidspaces/lost2
	is_running tracked
	stop_all_ok
	# no console socket, pidfile or cgroup is left behind by any of them
	local left
	left=$(ls -A "$DROIDSPACES_WORKSPACE/Sockets" 2>/dev/null)
	echo "left in Sockets/: ${left:-nothing}"
	[ -z "$left" ]
}

# scan looks at all of /proc: before, it registered a container that another
# workspace runs (its pidfile is there, out of sight), so that two workspaces
# tracked one guest. That workspace's monitor holds the cgroup's claim.
# bats test_tags=hostile,asan
@test "scan: a container whose live monitor is another workspace's is not registered, with one note line" {
	local r p form
	r=$(fixture_copy busybox)
	printf 'ID=scanother\nVERSION_ID=1\n' | write_osrelease "$r"
	run ws2 "$DS" start -r "$r" --name=other
	[ "$status" -eq 0 ]
	p=$(head -n1 "$(ws_pidfile other "$DS_TEST_DIR/ws2")")
	wait_for 10 booted "$p"

	for form in table json; do
		if [[ $form == json ]]; then
			json_run scan --json
			[ "$(jq --argjson p "$p" '[.registered[] | select(.pid == $p)] | length' <<<"$output")" -eq 0 ]
		else
			run --separate-stderr "$DS" scan
			[ "$status" -eq 0 ]
			[[ $output != *"(pid $p)"* ]]
		fi
		echo "stderr: $stderr"
		[ "$(grep -cxF "droidspaces: note: pid $p (cgroup droidspaces/other) is a container of another workspace (its monitor holds the cgroup's claim): not registered" <<<"$stderr")" -eq 1 ]
		# nothing of it in this workspace
		[ -z "$(grep -lx "$p" "$DROIDSPACES_WORKSPACE"/Pids/*.pid 2>/dev/null)" ]
		[ ! -e "$DROIDSPACES_WORKSPACE/Locks/other.lock" ]
	done
	# still the other workspace's, and its stop cleans up after it
	run ws2 "$DS" --name=other status
	[ "$status" -eq 0 ]
	run ws2 "$DS" --name=other stop
	[ "$status" -eq 0 ]
	wait_for 10 ! test -e "$(ct_cgroup other)"
}

# scan knows no settings: where the container lives comes from its mounts.
# bats test_tags=asan
@test "scan: a found container's rootfs comes from its mounts: directory, volatile lower layer, image file" {
	require_cmd mkfs.ext4 e2fsck losetup
	local rdir rvol rimg img=$DS_TEST_DIR/scan.img kind name want
	rdir=$(fixture_copy busybox)
	rvol=$(fixture_copy busybox)
	rimg=$(fixture_copy busybox)
	printf 'ID=scandir\nVERSION_ID=1\n' | write_osrelease "$rdir"
	printf 'ID=scanvol\nVERSION_ID=1\n' | write_osrelease "$rvol"
	printf 'ID=scanimg\nVERSION_ID=1\n' | write_osrelease "$rimg"
	truncate -s 32M "$img"
	mkfs.ext4 -q -F -d "$rimg" "$img"

	ds_start_ok --name=sdir -r "$rdir"
	ds_start_ok --name=svol -r "$rvol" -V
	ds_start_ok --name=simg -i "$img"
	# the image container's pidfile and show name the image file
	[ "$(sed -n 's/^rootfs=//p' "$(ws_pidfile simg)")" = "$(realpath "$img")" ]
	json_run show --json
	[ "$(jq -r '.containers[] | select(.name == "simg") | .rootfs' <<<"$output")" = "$(realpath "$img")" ]
	for name in sdir svol simg; do
		wait_for 10 guest_booted "$name"
		rm "$(ws_pidfile "$name")"
	done

	scan_run --json
	[ "$(jq -r '[.registered[].name] | sort | join(",")' <<<"$output")" = scandir-1,scanimg-1,scanvol-1 ]
	for kind in dir vol img; do
		name=scan$kind-1
		track_container "$name"
		case $kind in
		dir) want=$(realpath "$rdir") ;;
		vol) want=$(realpath "$rvol") ;;
		img) want=$(realpath "$img") ;;
		esac
		json_run info --name="$name" --json
		[ "$(jq -r .rootfs <<<"$output")" = "$want" ]
		[ "$(jq -r .os.id <<<"$output")" = "scan$kind" ]
	done

	ds_run --name=scandir-1,scanvol-1,scanimg-1 stop
	[ "$status" -eq 0 ]
	for name in sdir svol simg; do
		wait_for 10 ! test -e "$(ct_cgroup "$name")"
	done
	wait_for 5 test -z "$(losetup -n -O NAME -j "$img")"
	[ -z "$(find "$DROIDSPACES_WORKSPACE/Pids" -name '*.pid')" ]
}

# bats test_tags=asan
@test "remove: refused while running; deletes settings and log when stopped" {
	local r
	r=$(fixture_copy busybox)
	ds_start_ok -r "$r" --name=rr
	wait_for 10 guest_booted rr

	ds_run rm --name=rr
	[ "$status" -eq 1 ]
	[[ $output == *"container rr is running: stop it first"* ]]
	is_running rr
	[ -f "$DROIDSPACES_WORKSPACE/Containers/rr/container.config" ]
	ds_run remove --name=rr
	[ "$status" -eq 1 ]
	is_running rr

	ds_run --name=rr stop
	[ "$status" -eq 0 ]
	[ -e "$DROIDSPACES_WORKSPACE/Logs/rr/console.log" ]
	ds_run rm --name=rr
	[ "$status" -eq 0 ]
	[ "$output" = "Container rr removed" ]
	[ ! -e "$DROIDSPACES_WORKSPACE/Containers/rr" ]
	[ ! -e "$DROIDSPACES_WORKSPACE/Logs/rr" ]
	json_run show --json
	[ "$(jq -c . <<<"$output")" = '{"containers":[]}' ]
	# gone: a second remove, an info and a start by name all fail
	ds_run rm --name=rr
	[ "$status" -eq 1 ]
	[[ $output == *"no container named rr"* ]]
	ds_run info --name=rr
	[ "$status" -eq 1 ]
	ds_run start --name=rr
	[ "$status" -eq 1 ]
	[[ $output == *"no saved settings"* ]]
	# remove needs a name, and a valid one
	ds_run rm
	[ "$status" -eq 1 ]
	ds_run rm --name=../rr
	[ "$status" -eq 1 ]
	# the rootfs itself is untouched
	[ -x "$r/sbin/init" ]
}
