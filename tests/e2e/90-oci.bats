#!/usr/bin/env bats
# shellcheck disable=SC2016 # commands for the container's shell in single quotes
# The OCI runtime personality (droidspaces oci, droidspaces-oci): a bundle made
# from the busybox fixture through create -> state created -> start -> state
# running (hostname, env, cwd and args as config.json says) -> kill -> stopped
# -> delete; runc's error conventions; bad bundles (no config.json, wrong
# types, a symlinked config.json, an unknown namespace type) refused with one
# line and nothing left (no mount namespace among them); the terminal through
# --console-socket (a python3 listener), for create and exec, and exec's own
# relay in the foreground; a user namespace with uidMappings and gidMappings;
# cgroupsPath and resources; exec; hooks at their six points and their failures;
# ps; a tmpfs with tmpcopyup; linux.devices; linux.resources.devices and the cpuset; linux.seccomp (a denied syscall's errno in the program and in exec, an
# argument condition, refused configs); a subset of runtime-tools' validation programs. Tags: hostile, asan.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	common_setup
	OCI_ROOT=$DS_TEST_DIR/oci-root
	: >"$DS_TEST_DIR/.oci"
}

# Every container a test created is deleted (force), whatever the test did.
teardown() {
	local id
	while IFS= read -r id; do
		"$DS" oci --root "$OCI_ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done <"$DS_TEST_DIR/.oci"
	# The console test's listener, when the test ended before it did.
	if [[ -s $DS_TEST_DIR/receiver.pid ]]; then
		kill "$(cat "$DS_TEST_DIR/receiver.pid")" 2>/dev/null || true
	fi
	common_teardown
}

oci() { "$DS" oci --root "$OCI_ROOT" "$@"; }

# oci_create ID BUNDLE [ARGS...]: create with stdio away from bats (init keeps them open).
oci_create() {
	local id=$1 bundle=$2
	shift 2
	echo "$id" >>"$DS_TEST_DIR/.oci"
	oci create --bundle "$bundle" "$@" "$id" </dev/null >"$DS_TEST_DIR/create.$id.out" 2>"$DS_TEST_DIR/create.$id.err"
}

# oci_running ID [ARGS...]: a busybox bundle (root, bundle: the caller's locals) created with ARGS, started
# and its program running.
oci_running() {
	local id=$1
	shift
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" '["sh","-c","touch /ready; exec sleep 1000"]'
	oci_create "$id" "$bundle" "$@"
	oci start "$id"
	wait_for 10 test -e "$root/ready"
}

# oci_status ID: the status field of state.
oci_status() { oci state "$1" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'; }
# oci_is ID STATUS: for wait_for (which must run the state again each round).
oci_is() { [ "$(oci_status "$1")" = "$2" ]; }

# make_bundle DIR ROOTFS ARGS_JSON [NAMESPACES_JSON]: a config.json as runc spec writes one, trimmed.
make_bundle() {
	local dir=$1 rootfs=$2 args=$3
	local ns=${4:-'[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]'}
	mkdir -p "$dir"
	cat >"$dir/config.json" <<-EOF
		{
			"ociVersion": "1.0.2",
			"process": {
				"terminal": false,
				"user": { "uid": 0, "gid": 0 },
				"args": $args,
				"env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "OCI_TEST=a b=c" ],
				"cwd": "/tmp/work dir",
				"capabilities": {
					"bounding": [ "CAP_KILL", "CAP_CHOWN", "CAP_SETUID", "CAP_SETGID" ],
					"effective": [ "CAP_KILL" ], "permitted": [ "CAP_KILL" ]
				},
				"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512 } ],
				"noNewPrivileges": true,
				"oomScoreAdj": 100
			},
			"root": { "path": "$rootfs" },
			"hostname": "oci-box",
			"mounts": [
				{ "destination": "/proc", "type": "proc", "source": "proc" },
				{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
				  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
				{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
				  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
				{ "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] }
			],
			"linux": {
				"namespaces": $ns,
				"maskedPaths": [ "/proc/kcore", "/sys/firmware" ],
				"readonlyPaths": [ "/proc/sys" ],
				"sysctl": { "net.ipv4.ip_forward": "1" }
			},
			"annotations": { "org.droidspaces.test": "90-oci" }
		}
	EOF
}

# What the container's program writes, then it sleeps as PID 1 (KILL ends it).
REPORT='["sh","-c","{ hostname; echo \"args=$0,$1\"; echo \"pwd=$(pwd)\"; env; ulimit -n; cat /proc/$$/status; } >/report.tmp; mv /report.tmp /report; exec sleep 1000","first arg","second"]'

# bats test_tags=asan
@test "oci: create, state created, start, state running as config.json says, kill, stopped, delete" {
	require_fixture busybox
	local root bundle pid
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" "$REPORT"

	oci_create c1 "$bundle" --pid-file "$DS_TEST_DIR/c1.pid"
	run cat "$DS_TEST_DIR/c1.pid"
	[[ $output =~ ^[0-9]+$ ]] # digits only, no newline
	[ "$(wc -c <"$DS_TEST_DIR/c1.pid")" -eq "${#output}" ]
	pid=$output

	run -0 oci state c1
	[[ $output == *'"status":"created"'* ]]
	[[ $output == *"\"pid\":$pid,"* ]]
	[[ $output == *"\"bundle\":\"$bundle\""* ]]
	[[ $output == *'"annotations":{"org.droidspaces.test":"90-oci"}'* ]]
	[[ $output == *'"ociVersion":"1.0.2"'* ]]
	# The program has not run yet: init waits on the exec fifo.
	[ ! -e "$root/report" ]
	[ -p "$OCI_ROOT/c1/exec.fifo" ]

	run -0 oci start c1
	[ -z "$output" ]
	wait_for 10 test -e "$root/report"
	[ "$(oci_status c1)" = running ]
	run -1 oci start c1
	[ "$output" = "droidspaces-oci: cannot start an already running container" ]

	run cat "$root/report"
	[ "${lines[0]}" = oci-box ]
	[ "${lines[1]}" = "args=first arg,second" ]
	[ "${lines[2]}" = "pwd=/tmp/work dir" ]
	[[ $output == *$'\nOCI_TEST=a b=c\n'* ]]
	[[ $output == *$'\n512\n'* ]]
	[[ $output == *$'\nNoNewPrivs:\t1\n'* ]]
	# Root's execve would raise its sets to the bounding set; noNewPrivileges holds them to config.json's.
	[[ $output == *$'\nCapEff:\t0000000000000020\n'* ]]
	[[ $output == *$'\nCapPrm:\t0000000000000020\n'* ]]
	[[ $output == *$'\nCapBnd:\t00000000000000e1\n'* ]]
	[[ $output == *$'\nPid:\t1\n'* ]]
	[ "$(cat "/proc/$pid/oom_score_adj")" = 100 ]
	# Its own namespaces; the host's hostname and mounts untouched (teardown compares them).
	[ "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]
	[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]

	run -0 oci kill c1 KILL
	wait_for 10 oci_is c1 stopped
	run -0 oci state c1
	[[ $output == *'"pid":0,'* ]]
	run -1 oci kill c1 9
	[ "$output" = 'droidspaces-oci: container "c1" is not running' ]

	run -0 oci delete c1
	[ ! -e "$OCI_ROOT/c1" ]
	run -1 oci state c1
	[ "$output" = 'droidspaces-oci: container "c1" does not exist' ]
}

@test "oci: kill by name and --all, delete refuses a running container unless --force" {
	require_fixture busybox
	local root bundle
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" '["sh","-c","sleep 1000 & sleep 1000 & touch /ready; wait"]'

	oci_create c2 "$bundle"
	run -0 oci start c2
	wait_for 10 test -e "$root/ready"
	run -1 oci delete c2
	[ "$output" = 'droidspaces-oci: cannot delete container "c2" that is not stopped: running' ]
	run -2 oci kill c2 SIGNOPE
	[ "$output" = 'droidspaces-oci: unknown signal "SIGNOPE"' ]
	# PID 1 ignores TERM without a handler; --all reaches the sleepers too.
	run -0 oci kill --all c2 SIGKILL
	wait_for 10 oci_is c2 stopped
	run -0 oci delete c2

	oci_create c3 "$bundle"
	[ "$(oci_status c3)" = created ]
	run -0 oci delete --force c3
	[ ! -e "$OCI_ROOT/c3" ]
	# Deleting what is not there: an error, but not with --force (runc's rule).
	run -1 oci delete c3
	[ "$output" = 'droidspaces-oci: container "c3" does not exist' ]
	run -0 oci delete --force c3
}

# bats test_tags=hostile
@test "oci: bad bundles are refused with one line and leave nothing" {
	require_fixture busybox
	local root b
	root=$(fixture_copy busybox)
	b=$DS_TEST_DIR/b

	# No config.json.
	mkdir -p "$b/none"
	run -1 oci create --bundle "$b/none" bad1
	[ "$output" = "droidspaces-oci: bundle $b/none has no config.json" ]

	# Wrong types, named by their JSON path.
	make_bundle "$b/types" "$root" '["sh", 7]'
	run -1 oci create --bundle "$b/types" bad2
	[ "$output" = "droidspaces-oci: config.json: process.args[1]: expected a string, got a number" ]
	make_bundle "$b/ns" "$root" '["true"]' '[{"type":"mount"},{"type":"pid","path":3}]'
	run -1 oci create --bundle "$b/ns" bad3
	[ "$output" = "droidspaces-oci: config.json: linux.namespaces[1].path: expected a string, got a number" ]

	# An unknown namespace type.
	make_bundle "$b/unknown" "$root" '["true"]' '[{"type":"mount"},{"type":"netwrk"}]'
	run -1 oci create --bundle "$b/unknown" bad4
	[ "$output" = 'droidspaces-oci: config.json: linux.namespaces[1]: unknown namespace type "netwrk"' ]

	# No mount namespace: runc would chroot and mount on the host's tree; refused, nothing mounted.
	local mounts_before
	mounts_before=$(awk '{ print $5 }' /proc/self/mountinfo | sort)
	make_bundle "$b/nomnt" "$root" '["true"]' '[{"type":"pid"},{"type":"uts"}]'
	run -1 oci create --bundle "$b/nomnt" bad7
	[ "$output" = "droidspaces-oci: config.json: linux.namespaces: a mount namespace is required (the container's mounts are never made on the host's tree)" ]
	[ "$(awk '{ print $5 }' /proc/self/mountinfo | sort)" = "$mounts_before" ]
	[ ! -e "$root/proc/1" ]
	make_bundle "$b/joinmnt" "$root" '["true"]' '[{"type":"mount","path":"/proc/1/ns/mnt"}]'
	run -1 oci create --bundle "$b/joinmnt" bad8
	[ "$output" = "droidspaces-oci: config.json: linux.namespaces: joining a mount namespace is not supported" ]

	# A config.json planted as a symlink (by whoever may write the bundle directory).
	make_bundle "$b/real" "$root" '["true"]'
	mkdir -p "$b/link"
	ln -s "$b/real/config.json" "$b/link/config.json"
	run -1 oci create --bundle "$b/link" bad5
	[ "$output" = "droidspaces-oci: $b/link/config.json is a symlink; refused" ]

	# Not JSON at all.
	mkdir -p "$b/junk"
	printf '{"ociVersion": "1.0.2",}' >"$b/junk/config.json"
	run -1 oci create --bundle "$b/junk" bad6
	[[ $output == "droidspaces-oci: config.json: line 1 column 24: unexpected '}'"* ]]

	local i
	for i in 1 2 3 4 5 6 7 8; do
		[ ! -e "$OCI_ROOT/bad$i" ]
	done
	[ -z "$(ls -A "$OCI_ROOT" 2>/dev/null)" ]
}

@test "oci: the droidspaces-oci name, --version, features, global flags and the log" {
	local bin=$DS_TEST_DIR/droidspaces-oci
	ln -s "$DS" "$bin"
	run -0 "$bin" --version
	[[ ${lines[0]} == "droidspaces-oci version "* ]]
	[ "${lines[1]}" = "spec: 1.0.2" ]
	run -0 "$bin" --root "$OCI_ROOT" --systemd-cgroup --log-format=json features
	[[ $output == '{"ociVersionMin":"1.0.0","ociVersionMax":"1.0.2",'* ]]
	[[ $output == *'"namespaces":["user","pid","network","ipc","uts","mount","cgroup"]'* ]]
	[[ $output == *'"hooks":["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'* ]]
	# linux.seccomp: what a config's filter may use; this machine's architecture; the kernel's flags among the known.
	local arch=SCMP_ARCH_X86_64
	[[ $(uname -m) == aarch64 ]] && arch=SCMP_ARCH_AARCH64
	jq -e --arg arch "$arch" '.linux.seccomp | .enabled == true and (.actions | index("SCMP_ACT_ERRNO") and
		(index("SCMP_ACT_NOTIFY") | not)) and (.operators | length == 7) and (.archs | index($arch)) and
		(.supportedFlags | index("SECCOMP_FILTER_FLAG_TSYNC")) and (.supportedFlags - .knownFlags == [])' <<<"$output"
	run -1 "$bin" --root "$OCI_ROOT" --log "$DS_TEST_DIR/log.json" --log-format json state nosuch
	[ "$output" = 'droidspaces-oci: container "nosuch" does not exist' ]
	run cat "$DS_TEST_DIR/log.json"
	[[ $output == '{"level":"error","msg":"container \"nosuch\" does not exist","time":"'* ]]
	run -1 "$bin" --root "$OCI_ROOT" start 'bad/id'
	[ "$output" = 'droidspaces-oci: invalid container id "bad/id"' ]
	run -2 "$bin" --root relative state x
	[ "$output" = 'droidspaces-oci: --root must be an absolute path, not "relative"' ]
	run -2 "$bin" --bogus state x
	[ "$output" = 'droidspaces-oci: unknown global option --bogus' ]
	# The main binary's own command line is unchanged.
	run -2 "$DS" frobnicate
	[[ $output == "droidspaces: unknown command 'frobnicate'"* ]]
}

# console_receiver SOCKET OUT MARK [LINE]: a --console-socket listener (python3) that takes the
# terminal's master and copies what the container writes to OUT until MARK shows up; with LINE,
# it first sets the terminal's size to 33x101 (as conmon sets podman's) and types LINE.
CONSOLE_RECEIVER='
import fcntl, os, socket, struct, sys, termios, time
path, out, mark = sys.argv[1], sys.argv[2], sys.argv[3].encode()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
s.settimeout(30)
c, _ = s.accept()
_, fds, _, _ = socket.recv_fds(c, 16, 1)
if len(sys.argv) > 4:
    fcntl.ioctl(fds[0], termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
    os.write(fds[0], sys.argv[4].encode() + b"\n")
data, deadline = b"", time.time() + 30
while mark not in data and time.time() < deadline:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
open(out, "wb").write(data)
'
console_receiver() {
	python3 -c "$CONSOLE_RECEIVER" "$@" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$DS_TEST_DIR/receiver.pid"
}

@test "oci: process.terminal: the PTY master goes to --console-socket, the slave is the program's terminal" {
	require_fixture busybox
	require_cmd python3
	local root bundle sock=$DS_TEST_DIR/console.sock out=$DS_TEST_DIR/console.out
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" '["sh","-c","tty; [ -t 0 ] && echo STDIN-IS-A-TTY; echo TERM-$((6*7)); exec sleep 1000"]'
	sed -i 's/"terminal": false/"terminal": true/' "$bundle/config.json"

	# Without a socket a terminal is refused, and a socket without a terminal too.
	run -1 oci create --bundle "$bundle" t0
	[ "$output" = "droidspaces-oci: config.json: process.terminal: a terminal needs --console-socket" ]
	[ ! -e "$OCI_ROOT/t0" ]

	console_receiver "$sock" "$out" TERM-42
	wait_for 10 test -S "$sock"
	oci_create t1 "$bundle" --console-socket "$sock"
	run -0 oci start t1
	wait_for 30 ! kill -0 "$(cat "$DS_TEST_DIR/receiver.pid")"
	run cat "$out"
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output == *"STDIN-IS-A-TTY"* ]]
	[[ $output == *"TERM-42"* ]]
	run -0 oci kill t1 KILL
	wait_for 10 oci_is t1 stopped
	run -0 oci delete t1
}

# bats test_tags=asan
@test "oci: exec with process.terminal: the master to --console-socket when detached, relayed by exec in the foreground" {
	require_fixture busybox
	require_cmd python3
	local root bundle sock=$DS_TEST_DIR/exec.sock out=$DS_TEST_DIR/exec.out pid
	oci_running e1
	# It reads a line first: the receiver sets the size before it types.
	cat >"$DS_TEST_DIR/pt.json" <<-'EOF2'
		{ "terminal": true, "env": [ "PATH=/usr/bin:/bin" ], "cwd": "/",
		  "args": [ "sh", "-c", "read -r line; tty; [ -t 0 ] && [ -t 1 ] && echo STDIN-IS-A-TTY; echo \"SIZE-$(stty size)\"; echo \"GOT-$line\"; echo \"SID-$(cut -d' ' -f6 /proc/$$/stat)-$$\"; echo TERM-$((6*7)); exit 5" ] }
	EOF2

	# Detached with the caller's socket (podman exec -it through conmon): the master goes there.
	console_receiver "$sock" "$out" TERM-42 typed-in
	wait_for 10 test -S "$sock"
	oci exec --detach --tty --console-socket "$sock" --pid-file "$DS_TEST_DIR/pt.pid" \
		--process "$DS_TEST_DIR/pt.json" e1 </dev/null >"$DS_TEST_DIR/pt.err" 2>&1
	[ ! -s "$DS_TEST_DIR/pt.err" ]
	pid=$(cat "$DS_TEST_DIR/pt.pid")
	[[ $pid =~ ^[0-9]+$ ]]
	wait_for 30 ! kill -0 "$(cat "$DS_TEST_DIR/receiver.pid")"
	run cat "$out"
	[[ $output == *"/dev/pts/0"* ]] # the container's devpts
	[[ $output == *"STDIN-IS-A-TTY"* ]]
	[[ $output == *"SIZE-33 101"* ]]
	[[ $output == *"GOT-typed-in"* ]]
	[[ $output =~ SID-([0-9]+)-([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] # a session leader, the terminal its controlling one
	[[ $output == *"TERM-42"* ]]

	# In the foreground without a socket, exec relays its own stdio to the terminal (as runc).
	run -5 bash -c 'printf "typed-fg\n" | "$@"' _ "$DS" oci --root "$OCI_ROOT" exec --tty --process "$DS_TEST_DIR/pt.json" e1
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *"STDIN-IS-A-TTY"* ]]
	[[ $output == *"GOT-typed-fg"* ]]
	[[ $output == *"TERM-42"* ]]

	# runc's rules: a detached terminal needs a socket; a socket needs a terminal and --detach.
	run -255 oci exec --detach --process "$DS_TEST_DIR/pt.json" e1
	[ "$output" = "droidspaces-oci: process.json: process.terminal: a detached exec with a terminal needs --console-socket" ]
	run -255 oci exec --console-socket "$sock" --process "$DS_TEST_DIR/pt.json" e1
	[ "$output" = "droidspaces-oci: --console-socket needs --detach (in the foreground exec relays the terminal itself)" ]
	printf '{ "args": ["true"], "cwd": "/" }' >"$DS_TEST_DIR/pn.json"
	run -255 oci exec --detach --console-socket "$sock" --process "$DS_TEST_DIR/pn.json" e1
	[ "$output" = "droidspaces-oci: --console-socket: process.json's process.terminal is false" ]
	run -0 oci delete --force e1
}

# cg_file PID CTL V1FILE V2FILE: PID's limit file of controller CTL: in CTL's v1
# hierarchy where the host mounts one, else in its cgroup2 directory.
cg_file() {
	local pid=$1 ctl=$2 m rel
	m=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk -v c="$ctl" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $1; exit } }')
	if [[ -n $m ]]; then
		rel=$(awk -F: -v c="$ctl" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$pid/cgroup")
		echo "$m$rel/$3"
	else
		rel=$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
		echo "$(findmnt -rn -t cgroup2 -o TARGET | head -n 1)$rel/$4"
	fi
}

@test "oci: linux.resources and cgroupsPath: the limits in the container's cgroup, removed at delete" {
	require_fixture busybox
	local root bundle pid f
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" '["sh","-c","touch /ready; exec sleep 1000"]'
	sed -i 's|"linux": {|"linux": { "cgroupsPath": "/droidspaces-oci-test/c4", "resources": { "memory": { "limit": 268435456 }, "pids": { "limit": 64 } },|' \
		"$bundle/config.json"

	oci_create c4 "$bundle" --pid-file "$DS_TEST_DIR/c4.pid"
	pid=$(cat "$DS_TEST_DIR/c4.pid")
	grep -q ':/droidspaces-oci-test/c4$' "/proc/$pid/cgroup"
	f=$(cg_file "$pid" memory memory.limit_in_bytes memory.max)
	[ "$(cat "$f")" = 268435456 ]
	f=$(cg_file "$pid" pids pids.max pids.max)
	[ "$(cat "$f")" = 64 ]
	run -0 oci start c4
	wait_for 10 test -e "$root/ready"
	run -0 oci delete --force c4
	[ ! -e "$f" ]

	# A path that climbs out of the hierarchy is refused.
	sed -i 's|"/droidspaces-oci-test/c4"|"/a/../../b"|' "$bundle/config.json"
	run -1 oci create --bundle "$bundle" c5
	[ "$output" = 'droidspaces-oci: config.json: linux.cgroupsPath: "/a/../../b" is not a cgroup path' ]
	[ ! -e "$OCI_ROOT/c5" ]

	# A cgroup that already holds a process (a host slice, another container) is not ours: refused,
	# and neither its limits nor its process touched (a failed create must not drop it either).
	local v2=/sys/fs/cgroup sleeper
	[[ -e $v2/cgroup.controllers ]] || v2=/sys/fs/cgroup/unified
	mkdir "$v2/dsoci-busy"
	sleep 1000 </dev/null >/dev/null 2>&1 &
	sleeper=$!
	echo "$sleeper" >"$v2/dsoci-busy/cgroup.procs"
	sed -i 's|"/a/../../b"|"/dsoci-busy"|' "$bundle/config.json"
	echo c6 >>"$DS_TEST_DIR/.oci" # deleted by teardown, should create take it
	local st=0 msg procs
	# (to a file, not through run: a created init would hold run's pipe open)
	oci create --bundle "$bundle" c6 </dev/null >"$DS_TEST_DIR/c6.out" 2>&1 || st=$?
	msg=$(cat "$DS_TEST_DIR/c6.out")
	procs=$(cat "$v2/dsoci-busy/cgroup.procs")
	kill "$sleeper"
	wait "$sleeper" || true
	wait_for 5 rmdir "$v2/dsoci-busy"
	[ "$procs" = "$sleeper" ]
	echo "create said ($st): $msg"
	[ "$st" = 1 ]
	[ "$msg" = 'droidspaces-oci: config.json: linux.cgroupsPath: cgroup dsoci-busy is not empty: it holds 1 process(es)' ]
	[ ! -e "$OCI_ROOT/c6" ]
}

# bats test_tags=asan
@test "oci: exec --process runs in the container's namespaces as process.json says; its status; --detach" {
	require_fixture busybox
	local root bundle init pid
	oci_running c6 --pid-file "$DS_TEST_DIR/c6.pid"
	init=$(cat "$DS_TEST_DIR/c6.pid")

	cat >"$DS_TEST_DIR/p1.json" <<-'EOF2'
		{ "args": [ "sh", "-c", "echo \"EXEC $(hostname) $EXEC_VAR $(pwd)\"; exit 3" ],
		  "env": [ "PATH=/usr/bin:/bin", "EXEC_VAR=x y" ], "cwd": "/tmp/exec", "user": { "uid": 0, "gid": 0 } }
	EOF2
	run -3 oci exec --process "$DS_TEST_DIR/p1.json" c6
	[ "$output" = "EXEC oci-box x y /tmp/exec" ]

	cat >"$DS_TEST_DIR/p2.json" <<-'EOF2'
		{ "args": [ "sh", "-c", "echo $$ >/detached.tmp; mv /detached.tmp /detached; exec sleep 1000" ],
		  "env": [ "PATH=/usr/bin:/bin" ], "cwd": "/" }
	EOF2
	# Detached, it keeps the caller's stdio (as under runc): not bats' pipe.
	oci exec --detach --pid-file "$DS_TEST_DIR/p2.pid" --process "$DS_TEST_DIR/p2.json" c6 \
		</dev/null >"$DS_TEST_DIR/p2.out" 2>&1
	[ ! -s "$DS_TEST_DIR/p2.out" ]
	pid=$(cat "$DS_TEST_DIR/p2.pid")
	[[ $pid =~ ^[0-9]+$ ]]
	wait_for 10 test -e "$root/detached"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$init/ns/pid")" ]
	[ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink "/proc/$init/ns/mnt")" ]
	[ "$(cat "$root/detached")" -gt 1 ] # its PID inside, not the host's

	# No capability set given: root keeps its own, CAP_MKNOD included; the device cgroup still
	# refuses to open what is not a standard node.
	printf '{ "args": ["sh","-c","mknod /tmp/blk b 8 0 && echo made; head -c 1 /tmp/blk >/dev/null || echo refused"], "cwd": "/" }' \
		>"$DS_TEST_DIR/p5.json"
	run -0 oci exec --process "$DS_TEST_DIR/p5.json" c6
	[[ $output == *made*refused* ]]

	printf '{ "args": 1, "cwd": "/" }' >"$DS_TEST_DIR/p3.json"
	run -255 oci exec --process "$DS_TEST_DIR/p3.json" c6
	[ "$output" = "droidspaces-oci: process.json: process.args: expected an array, got a number" ]
	printf '{ "args": ["no-such-program-90"], "cwd": "/" }' >"$DS_TEST_DIR/p4.json"
	run -255 oci exec --process "$DS_TEST_DIR/p4.json" c6
	[ "$output" = "droidspaces-oci: cannot execute no-such-program-90: No such file or directory" ]

	run -0 oci kill --all c6 KILL
	wait_for 10 oci_is c6 stopped
	wait_for 10 ! kill -0 "$pid"
	run -255 oci exec --process "$DS_TEST_DIR/p1.json" c6
	[ "$output" = 'droidspaces-oci: cannot exec in a stopped container "c6"' ]
	run -0 oci delete c6
}

# add_hooks BUNDLE JSON: config.json's "hooks" set to JSON.
add_hooks() {
	local f=$1/config.json
	jq --argjson h "$2" '.hooks = $h' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
}

# hook LOG NAME [TIMEOUT]: a hook (/bin/sh) that appends "NAME ARG0 HOOK_VAR MNTNS STATE" to LOG.
hook() {
	local t=${3:+, \"timeout\": $3}
	printf '{ "path": "/bin/sh", "args": ["sh", "-c", "s=$(cat); echo \\"%s $0 $HOOK_VAR $(readlink /proc/self/ns/mnt) $s\\" >>%s", "a-%s"], "env": ["HOOK_VAR=v-%s"]%s }' \
		"$2" "$1" "$2" "$2" "$t"
}

# bats test_tags=asan
@test "oci: hooks at their six points, in order, with the state on stdin, their env and args" {
	require_fixture busybox
	require_cmd jq
	local root bundle pid log=$DS_TEST_DIR/hooks.log host_mnt
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	host_mnt=$(readlink /proc/self/ns/mnt)
	make_bundle "$bundle" "$root" '["sh","-c","echo process >>/inside.log; exec sleep 1000"]'
	# startContainer runs in the container, after pivot_root: its /bin/sh and its /inside.log.
	add_hooks "$bundle" "{
		\"prestart\": [ $(hook "$log" prestart 5), $(hook "$log" prestart2) ],
		\"createRuntime\": [ $(hook "$log" createRuntime) ],
		\"createContainer\": [ $(hook "$log" createContainer) ],
		\"startContainer\": [ $(hook /inside.log startContainer 5) ],
		\"poststart\": [ $(hook "$log" poststart) ],
		\"poststop\": [ $(hook "$log" poststop) ] }"

	oci_create h1 "$bundle" --pid-file "$DS_TEST_DIR/h1.pid"
	pid=$(cat "$DS_TEST_DIR/h1.pid")
	run cut -d' ' -f1-4 "$log"
	[ "${lines[*]}" = "prestart a-prestart v-prestart $host_mnt prestart2 a-prestart2 v-prestart2 $host_mnt createRuntime a-createRuntime v-createRuntime $host_mnt createContainer a-createContainer v-createContainer $(readlink "/proc/$pid/ns/mnt")" ]
	# The state as state prints it: created, init's PID as the host sees it, the annotations.
	run cat "$log"
	[[ ${lines[0]} == *'"id":"h1","pid":'"$pid"',"status":"created","bundle":"'"$bundle"'"'*'"annotations":{"org.droidspaces.test":"90-oci"}}' ]]
	[[ ${lines[3]} == *'"status":"created"'* ]]
	[ ! -e "$root/inside.log" ]

	run -0 oci start h1
	wait_for 10 grep -q process "$root/inside.log"
	run cut -d' ' -f1-3 "$root/inside.log"
	[ "${lines[*]}" = "startContainer a-startContainer v-startContainer process" ]
	[[ $(cat "$root/inside.log") == *"\"pid\":$pid,\"status\":\"created\""* ]]
	run tail -n 1 "$log"
	[[ $output == "poststart a-poststart v-poststart $host_mnt "*'"status":"running"'* ]]

	run -0 oci kill h1 KILL
	wait_for 10 oci_is h1 stopped
	run -0 oci delete h1
	[ -z "$output" ]
	run tail -n 1 "$log"
	[[ $output == "poststop a-poststop v-poststop $host_mnt "*'"pid":0,"status":"stopped"'* ]]
	[ "$(wc -l <"$log")" -eq 6 ]
}

# bats test_tags=hostile
@test "oci: a failing or late hook fails create or start and leaves nothing; poststart and poststop only warn" {
	require_fixture busybox
	require_cmd jq
	local root bundle pid
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" '["sh","-c","touch /ran; exec sleep 1000"]'

	# A prestart hook past its timeout is killed with what it started (which holds our stdout:
	# create would hang until it exits); create fails, nothing of the container is left.
	add_hooks "$bundle" '{ "prestart": [ { "path": "/bin/sh", "args": ["sh","-c","sleep 100 & echo $! >'"$DS_TEST_DIR"'/late-child.pid; echo $$ >'"$DS_TEST_DIR"'/late.pid; exec sleep 100"], "timeout": 1 } ] }'
	run -1 timeout 20 "$DS" oci --root "$OCI_ROOT" create --bundle "$bundle" f1 </dev/null
	[ "$output" = "droidspaces-oci: hooks.prestart[0] /bin/sh: killed after its timeout of 1 s" ]
	! kill -0 "$(cat "$DS_TEST_DIR/late.pid")" 2>/dev/null
	wait_for 5 ! kill -0 "$(cat "$DS_TEST_DIR/late-child.pid")" 2>/dev/null
	[ ! -e "$OCI_ROOT/f1" ]

	# createRuntime and createContainer exiting non-zero: the same. Once create's hooks began,
	# the poststop hooks run (the spec's lifecycle goes on at delete), with the state on stdin.
	add_hooks "$bundle" '{ "createRuntime": [ { "path": "/bin/sh", "args": ["sh","-c","exit 3"] } ],
		"poststop": [ { "path": "/bin/sh", "args": ["sh","-c","cat >'"$DS_TEST_DIR"'/poststop.f2"] } ] }'
	run -1 oci create --bundle "$bundle" f2 </dev/null
	[ "$output" = "droidspaces-oci: hooks.createRuntime[0] /bin/sh: exited with status 3" ]
	[ ! -e "$OCI_ROOT/f2" ]
	[ "$(jq -r .id "$DS_TEST_DIR/poststop.f2")" = f2 ]
	add_hooks "$bundle" '{ "createContainer": [ { "path": "/no/such/hook" } ] }'
	run -1 oci create --bundle "$bundle" f3 </dev/null
	[[ $output == *"droidspaces-oci: hooks.createContainer[0] /no/such/hook: exited with status 127" ]]
	[ ! -e "$OCI_ROOT/f3" ]
	[ -z "$(ls -A "$OCI_ROOT")" ]

	# startContainer failing: start fails, the program never runs, the container is stopped.
	add_hooks "$bundle" '{ "startContainer": [ { "path": "/bin/false" } ] }'
	oci_create f4 "$bundle"
	run -1 oci start f4
	[ "$output" = 'droidspaces-oci: container "f4": a startContainer hook failed (the container'"'"'s stderr says which)' ]
	grep -q 'hooks.startContainer\[0\] /bin/false: exited with status 1' "$DS_TEST_DIR/create.f4.err"
	wait_for 10 oci_is f4 stopped
	[ ! -e "$root/ran" ]
	run -0 oci delete f4

	# poststart and poststop failing: warnings, the operation goes on (the runtime spec's rule).
	add_hooks "$bundle" '{ "poststart": [ { "path": "/bin/false" } ], "poststop": [ { "path": "/bin/sh", "args": ["sh","-c","exit 4"] } ] }'
	oci_create f5 "$bundle"
	run -0 oci start f5
	[ "$output" = "droidspaces-oci: warning: hooks.poststart[0] /bin/false: exited with status 1" ]
	wait_for 10 test -e "$root/ran"
	run -0 oci delete --force f5
	[ "$output" = "droidspaces-oci: warning: hooks.poststop[0] /bin/sh: exited with status 4" ]
	[ ! -e "$OCI_ROOT/f5" ]

	# Hooks config.json gets wrong: one line naming the field.
	add_hooks "$bundle" '{ "prestart": [ { "path": "sh" } ] }'
	run -1 oci create --bundle "$bundle" f6
	[ "$output" = 'droidspaces-oci: config.json: hooks.prestart[0].path: "sh" is not an absolute path' ]
	add_hooks "$bundle" '{ "poststop": [ { "path": "/bin/true", "timeout": 0 } ] }'
	run -1 oci create --bundle "$bundle" f7
	[ "$output" = 'droidspaces-oci: config.json: hooks.poststop[0].timeout: 0 is out of range (1 to 2147483647)' ]
	[ -z "$(ls -A "$OCI_ROOT")" ]
}

# bats test_tags=asan
@test "oci: ps lists the processes of the container's cgroup, as JSON and as ps(1)'s table" {
	require_fixture busybox
	require_cmd ps
	local root bundle pid
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	# /ready once the second sleeper has become sleep (its comm says so).
	make_bundle "$bundle" "$root" '["sh","-c","sleep 1002 & until [ \"$(cat /proc/$!/comm)\" = sleep ]; do :; done; touch /ready; exec sleep 1001"]'
	oci_create p1 "$bundle" --pid-file "$DS_TEST_DIR/p1.pid"
	pid=$(cat "$DS_TEST_DIR/p1.pid")
	run -0 oci start p1
	wait_for 10 test -e "$root/ready"

	# The host's PIDs of init and the other sleeper, nothing else.
	run -0 oci ps --format json p1
	[[ $output =~ ^\[[0-9]+,[0-9]+\]$ ]]
	[[ $output == *"[$pid,"* || $output == *",$pid]" ]]
	local p
	for p in $(tr -d '[]' <<<"$output" | tr , ' '); do
		[[ $(tr '\0' ' ' <"/proc/$p/cmdline") == "sleep 100"[12]" " ]]
	done

	run -0 oci ps p1
	[[ ${lines[0]} == UID*PID*CMD ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ $output == *"sleep 1001"* && $output == *"sleep 1002"* ]]
	run -0 oci ps p1 -o pid,args
	[[ ${lines[0]} == *PID*COMMAND ]]
	[[ ${lines[1]} == *[0-9]" sleep 100"[12] ]]

	run -2 oci ps --format xml p1
	[ "$output" = 'droidspaces-oci: --format is table or json, not "xml"' ]
	run -2 oci ps --format json p1 -ef
	[ "$output" = "droidspaces-oci: ps --format json takes no ps(1) options" ]
	run -1 oci ps nosuch
	[ "$output" = 'droidspaces-oci: container "nosuch" does not exist' ]

	run -0 oci kill --all p1 KILL
	wait_for 10 oci_is p1 stopped
	run -0 oci ps --format json p1
	[ "$output" = "[]" ]
	run -0 oci delete p1
}

@test "oci: a tmpfs mount with tmpcopyup holds what the rootfs had there (podman's /run, /tmp with --systemd)" {
	require_fixture busybox
	require_cmd jq
	local root bundle f
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	mkdir -p "$root/srv/sub"
	printf 'kept\n' >"$root/srv/sub/file"
	chown 7:8 "$root/srv/sub/file"
	chmod 0604 "$root/srv/sub/file"
	ln -s sub/file "$root/srv/link"
	mkfifo -m 0604 "$root/srv/fifo"
	make_bundle "$bundle" "$root" '["sh","-c","{ stat -f -c %T /srv; stat -c \"%n %F %a %u:%g\" /srv/sub/file /srv/fifo; cat /srv/link; readlink /srv/link; echo new >/srv/made; } >/report.tmp 2>&1; mv /report.tmp /report"]'
	f=$bundle/config.json
	jq '.mounts += [{"destination":"/srv","type":"tmpfs","source":"tmpfs","options":["rw","rprivate","nosuid","nodev","tmpcopyup"]}]' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
	oci_create c1 "$bundle"
	run -0 oci start c1
	wait_for 10 test -e "$root/report"
	run cat "$root/report"
	[ "${lines[0]}" = tmpfs ]
	[ "${lines[1]}" = "/srv/sub/file regular file 604 7:8" ]
	[ "${lines[2]}" = "/srv/fifo fifo 604 0:0" ]
	[ "${lines[3]}" = kept ]
	[ "${lines[4]}" = sub/file ]
	# The copy was on the tmpfs: the rootfs's directory is as it was.
	[ ! -e "$root/srv/made" ]
	wait_for 10 oci_is c1 stopped
	run -0 oci delete c1
}

@test "oci: linux.devices: the nodes made with their type, numbers, mode and owner" {
	require_fixture busybox
	require_cmd jq
	local root bundle f
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" '["sh","-c","stat -c \"%n %F %t:%T %a %u:%g\" /dev/mynull /dev/sub/fifo >/report.tmp; echo x >/dev/mynull && echo written >>/report.tmp; mv /report.tmp /report"]'
	f=$bundle/config.json
	jq '.linux.devices = [{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":416,"uid":0,"gid":5},
		{"path":"/dev/sub/fifo","type":"p"}]' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
	oci_create d1 "$bundle"
	run -0 oci start d1
	wait_for 10 test -e "$root/report"
	run cat "$root/report"
	[ "${lines[0]}" = "/dev/mynull character special file 1:3 640 0:5" ]
	[ "${lines[1]}" = "/dev/sub/fifo fifo 0:0 666 0:0" ]
	[ "${lines[2]}" = written ]
	wait_for 10 oci_is d1 stopped
	run -0 oci delete d1

	jq '.linux.devices = [{"path":"/dev/x","type":"b","major":8}]' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
	run -1 oci create --bundle "$bundle" d2
	[ "$output" = "droidspaces-oci: config.json: linux.devices[0]: a b device needs major and minor" ]
}

@test "oci: linux.resources.devices in order before the standard nodes, and cpu.cpus and mems as the container's cpuset" {
	require_fixture busybox
	require_cmd jq
	local root bundle f cpus
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	cpus=$(nproc)
	mknod "$root/n-kmsg" c 1 11
	mknod "$root/n-mem" c 1 1
	mknod "$root/n-null" c 1 3
	make_bundle "$bundle" "$root" '["sh","-c","{ grep -E \"^(Cpus|Mems)_allowed_list\" /proc/self/status; true </n-kmsg && echo kmsg-read; true >>/n-kmsg || echo kmsg-write-refused; true </n-mem || echo mem-refused; echo x >/n-null && echo null-written; } >/report.tmp 2>&1; mv /report.tmp /report; exec sleep 1000"]'
	f=$bundle/config.json
	# Everything refused, then kmsg for reading (CAP_SYSLOG for the kernel's own check); null refused, but
	# the standard nodes come after.
	jq --arg cpu "$((cpus - 1))" '.process.capabilities |= with_entries(.value += ["CAP_SYSLOG"]) | .linux.resources = {"devices":[{"allow":false,"access":"rwm"},
		{"allow":true,"type":"c","major":1,"minor":11,"access":"r"},{"allow":false,"type":"c","major":1,"minor":3}],
		"cpu":{"cpus":$cpu,"mems":"0"}}' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
	oci_create r1 "$bundle"
	run -0 oci start r1
	wait_for 10 test -e "$root/report"
	run cat "$root/report"
	[ "${lines[0]}" = "Cpus_allowed_list:	$((cpus - 1))" ]
	[ "${lines[1]}" = "Mems_allowed_list:	0" ]
	[ "${lines[2]}" = kmsg-read ]
	[[ ${lines[3]} == *"Operation not permitted" ]]
	[ "${lines[4]}" = kmsg-write-refused ]
	[[ ${lines[5]} == *"Operation not permitted" ]]
	[ "${lines[6]}" = mem-refused ]
	[ "${lines[7]}" = null-written ]
	run -0 oci delete --force r1

	jq '.linux.resources = {"devices":[{"allow":true,"access":"rwx"}]}' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
	run -1 oci create --bundle "$bundle" r2
	[ "$output" = 'droidspaces-oci: config.json: linux.resources.devices[0].access: "rwx" is not a combination of r, w and m' ]
	jq '.linux.resources = {"cpu":{"cpus":"all"}}' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
	run -1 oci create --bundle "$bundle" r2
	[ "$output" = 'droidspaces-oci: config.json: linux.resources.cpu.cpus: "all" is not a list like 0-3,6' ]
	[ ! -e "$OCI_ROOT/r2" ]
}

# set_seccomp BUNDLE JSON: config.json's linux.seccomp set to JSON.
set_seccomp() {
	local f=$1/config.json
	jq --argjson s "$2" '.linux.seccomp = $s' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
}

# bats test_tags=asan
@test "oci: linux.seccomp: a denied syscall gets its errno in the program and in exec; none given: unfiltered" {
	require_fixture busybox
	require_cmd jq
	local root bundle
	root=$(fixture_copy busybox)
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" '["sh","-c","{ grep ^Seccomp: /proc/self/status; mkdir /made && echo made; } >/report.tmp 2>&1; mv /report.tmp /report; exec sleep 1000"]'

	# No linux.seccomp: no filter, mkdir works.
	oci_create s0 "$bundle"
	run -0 oci start s0
	wait_for 10 test -e "$root/report"
	run cat "$root/report"
	[ "${lines[0]}" = "Seccomp:	0" ]
	[ "${lines[1]}" = made ]
	run -0 oci delete --force s0
	rm -rf "$root/report" "$root/made"

	# mkdir and mkdirat denied with EPERM, everything else allowed (x32 and unlisted ABIs killed).
	set_seccomp "$bundle" '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_AARCH64","SCMP_ARCH_ARM"],
		"syscalls":[{"names":["no_such_syscall","mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
	oci_create s1 "$bundle"
	run -0 oci start s1
	wait_for 10 test -e "$root/report"
	run cat "$root/report"
	[ "${lines[0]}" = "Seccomp:	2" ]
	[[ ${lines[1]} == *"can't create directory '/made': Operation not permitted" ]]
	[ ! -e "$root/made" ]
	# exec'd processes get the container's filter too (here without noNewPrivileges: it is installed
	# while CAP_SYS_ADMIN is still there); EACCES from errnoRet 13 in a second config below.
	printf '{ "args": ["sh","-c","mkdir /tmp/x || exit 7"], "cwd": "/" }' >"$DS_TEST_DIR/p.json"
	run -7 oci exec --process "$DS_TEST_DIR/p.json" s1
	[[ $output == *"Operation not permitted"* ]]
	run -0 oci delete --force s1
	rm -f "$root/report"

	# An argument condition: kill(2) with signal 0 (argument 1) gets EACCES, kill -9 is let through.
	make_bundle "$bundle" "$root" '["sh","-c","sleep 1000 & p=$!; { kill -0 $p || echo probe-refused; kill -9 $p && echo killed; } >/report.tmp 2>&1; mv /report.tmp /report; exec sleep 1000"]'
	set_seccomp "$bundle" '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":13,
		"args":[{"index":1,"value":0,"op":"SCMP_CMP_EQ"}]}]}'
	oci_create s2 "$bundle"
	run -0 oci start s2
	wait_for 10 test -e "$root/report"
	run cat "$root/report"
	[[ ${lines[0]} == *"Permission denied"* ]]
	[ "${lines[1]}" = probe-refused ]
	[ "${lines[2]}" = killed ]
	run -0 oci delete --force s2

	# What cannot be honoured is refused with one line, nothing made.
	set_seccomp "$bundle" '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOPE"}]}'
	run -1 oci create --bundle "$bundle" s3
	[ "$output" = 'droidspaces-oci: config.json: linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_NOPE"' ]
	[ ! -e "$OCI_ROOT/s3" ]
	set_seccomp "$bundle" '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_KILL","args":[{"index":0,"value":1,"op":"SCMP_CMP_SOME"}]}]}'
	run -1 oci create --bundle "$bundle" s3
	[ "$output" = 'droidspaces-oci: config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_SOME"' ]
	[ ! -e "$OCI_ROOT/s3" ]
}

# bats test_tags=asan
@test "oci: a user namespace with linux.uidMappings: root inside is the mapped host uid; joined by exec and by path" {
	require_fixture busybox
	require_cmd jq
	local root bundle pid f
	# The rootfs is the mapped root's (as under runc) and the way to it open to that uid.
	root=$(fixture_copy --copy busybox)
	chown -R 200000:200000 "$root"
	chmod o+x "$DS_TEST_DIR" "$(dirname "$root")"
	bundle=$DS_TEST_DIR/bundle
	make_bundle "$bundle" "$root" \
		'["sh","-c","{ echo id=$(id -u):$(id -g); cat /proc/self/uid_map /proc/self/gid_map; } >/report.tmp; mv /report.tmp /report; exec sleep 1000"]' \
		'[{"type":"user"},{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]'
	f=$bundle/config.json
	jq '.linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":1000},{"containerID":1000,"hostID":300000,"size":10}]' \
		"$f" >"$f.tmp"
	mv "$f.tmp" "$f"

	oci_create u1 "$bundle" --pid-file "$DS_TEST_DIR/u1.pid"
	pid=$(cat "$DS_TEST_DIR/u1.pid")
	run -0 oci start u1
	wait_for 10 test -e "$root/report"
	run cat "$root/report"
	echo "$output"
	[ "${lines[0]}" = "id=0:0" ]
	[[ ${lines[1]} =~ ^\ +0\ +200000\ +65536$ ]]
	[[ ${lines[2]} =~ ^\ +0\ +200000\ +1000$ ]]
	[[ ${lines[3]} =~ ^\ +1000\ +300000\ +10$ ]]
	# The host sees the mapped ids, and a user namespace of its own.
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = 200000 ]
	[ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = 200000 ]
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
	# exec joins it: root inside, the mapped uid outside.
	printf '{ "args": ["sh","-c","id -u; cat /proc/self/uid_map"], "cwd": "/", "env": ["PATH=/bin:/usr/bin"] }' \
		>"$DS_TEST_DIR/pu.json"
	run -0 oci exec --process "$DS_TEST_DIR/pu.json" u1
	[ "${lines[0]}" = 0 ]
	[[ ${lines[1]} =~ ^\ +0\ +200000\ +65536$ ]]
	# A second container joins it by path (no maps of its own): root inside, the same namespace.
	mkdir -p "$DS_TEST_DIR/join"
	jq --arg p "/proc/$pid/ns/user" '.linux.namespaces[0].path = $p | del(.linux.uidMappings, .linux.gidMappings)
		| .process.args = ["sh","-c","id -u >/joined.tmp; mv /joined.tmp /joined; exec sleep 1000"]' \
		"$f" >"$DS_TEST_DIR/join/config.json"
	oci_create u4 "$DS_TEST_DIR/join" --pid-file "$DS_TEST_DIR/u4.pid"
	run -0 oci start u4
	wait_for 10 test -e "$root/joined"
	[ "$(cat "$root/joined")" = 0 ]
	[ "$(readlink "/proc/$(cat "$DS_TEST_DIR/u4.pid")/ns/user")" = "$(readlink "/proc/$pid/ns/user")" ]
	run -0 oci delete --force u4
	run -0 oci delete --force u1

	# A new user namespace needs both maps; maps need a user namespace.
	jq 'del(.linux.gidMappings)' "$f" >"$bundle/nogid.json"
	mkdir -p "$DS_TEST_DIR/b2"
	mv "$bundle/nogid.json" "$DS_TEST_DIR/b2/config.json"
	run -1 oci create --bundle "$DS_TEST_DIR/b2" u2
	[ "$output" = "droidspaces-oci: config.json: linux.uidMappings: a new user namespace needs uidMappings and gidMappings" ]
	jq 'del(.linux.namespaces[0])' "$f" >"$DS_TEST_DIR/b2/config.json"
	run -1 oci create --bundle "$DS_TEST_DIR/b2" u3
	[ "$output" = "droidspaces-oci: config.json: linux.uidMappings: given, but linux.namespaces lists no user namespace" ]
	[ ! -e "$OCI_ROOT/u2" ]
	[ ! -e "$OCI_ROOT/u3" ]
}

# A short subset of make test-oci: programs of opencontainers/runtime-tools' validation suite
# that droidspaces-oci passes, each in a mount namespace of its own, as scripts/test-oci.sh runs them.
OCI_SUBSET="default create state kill kill_no_effect delete_resources hooks_stdin linux_sysctl process_user mounts"

@test "oci: runtime-tools validation, a subset (make test-oci runs all 58 against droidspaces-oci and runc)" {
	local rt=$BATS_TEST_DIRNAME/../../build/runtime-tools p tap
	if [[ ! -f $rt/.built ]]; then
		skip "SKIPPED: runtime-tools' validation programs are not built under build/ (make test-oci builds them)"
	fi
	ln -s "$DS" "$DS_TEST_DIR/droidspaces-oci"
	mkdir -p "$DS_TEST_DIR/oci-tmp"
	for p in $OCI_SUBSET; do
		tap=$DS_TEST_DIR/$p.tap
		(cd "$rt" && TMPDIR=$DS_TEST_DIR/oci-tmp RUNTIME=$DS_TEST_DIR/droidspaces-oci timeout -k 5 60 \
			unshare -m sh -c 'mount --make-rprivate / && exec "$0"' "./validation/$p/$p.t") >"$tap" 2>&1 ||
			{ echo "$p: exit status $?"; cat "$tap"; false; }
		if grep -q '^not ok' "$tap" || ! grep -q '^ok' "$tap"; then
			echo "$p:"
			grep -A8 '^not ok' "$tap" | cut -c1-300
			false
		fi
	done
}
