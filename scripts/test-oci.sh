#!/usr/bin/env bash
# make test-oci: the OCI runtime validation suite of opencontainers/runtime-tools
# (../shared/external, built offline under build/runtime-tools) against
# droidspaces-oci and against runc in one run, each program inside a mount
# namespace of its own (one of them runs a config without one). Prints the
# ok / not ok tally of every program for both runtimes, and the totals; the TAP
# of each run is kept in build/test-oci/RUNTIME/PROGRAM.tap. Some programs
# report a failure only as an "error" diagnostic and no ok or "not ok" line at
# all: such a program counts one "not ok" (marked *); one that exits non-zero is marked !.
# A program passes with no "not ok", no error diagnostic and exit status 0.
#
#   scripts/test-oci.sh [--build-only] [PROGRAM...]   (PROGRAM: "default", "kill", ...)
#
# Environment: OCI_RUNTIMES ("droidspaces runc" by default), OCI_TIMEOUT (seconds
# per program, 120), RUNTIME_TOOLS_TAR, DS_TEST_CACHE, E2E_LOCK.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
tar=${RUNTIME_TOOLS_TAR:-$top/../shared/external/opencontainers-runtime-tools-0105384.tar.gz}
[ -e "$tar" ] || tar=/work/shared/external/opencontainers-runtime-tools-0105384.tar.gz
rt=$top/build/runtime-tools
out=$top/build/test-oci
cache=${DS_TEST_CACHE:-/var/cache/droidspaces-test}
lock=${E2E_LOCK:-$cache/e2e.lock}
timeout_s=${OCI_TIMEOUT:-120}

die() { echo "test-oci: $*" >&2; exit 1; }

build() {
	command -v go >/dev/null || die "no go compiler (golang-go; scripts/install-deps.sh oci installs it)"
	if [ ! -f "$rt/.unpacked" ]; then
		[ -f "$tar" ] || die "no $tar (the runtime-tools snapshot of ../shared/external)"
		rm -rf "$rt"
		mkdir -p "$top/build"
		tar -xzf "$tar" -C "$top/build/"
		: >"$rt/.unpacked"
	fi
	[ -f "$rt/.built" ] && return 0
	# Offline: the vendored modules only; Go's caches under build/ as well (about 2 minutes on 2 cores).
	echo "test-oci: building runtime-tools' validation programs in $rt" >&2
	(cd "$rt" && GOFLAGS=-mod=vendor GOPROXY=off GOCACHE="$top/build/go-cache" GOPATH="$top/build/gopath" \
		make -s runtimetest validation-executables >/dev/null)
	: >"$rt/.built"
}

[ "$(id -u)" -eq 0 ] || die "needs root (the runtimes create namespaces and cgroups)"
build
[ "${1:-}" = --build-only ] && exit 0

progs=()
if [ $# -gt 0 ]; then
	for p in "$@"; do
		[ -x "$rt/validation/$p/$p.t" ] || die "no validation program \"$p\""
		progs+=("$p")
	done
else
	for f in "$rt"/validation/*/*.t; do progs+=("$(basename "$f" .t)"); done
fi

[ -x "$top/output/droidspaces" ] || die "no output/droidspaces (make all)"
mkdir -p "$out/bin"
# The personality is chosen by the binary's name; a copy, so that a rebuild meanwhile is not half tested.
rm -f "$out/bin/droidspaces-oci"
cp "$top/output/droidspaces" "$out/bin/droidspaces-oci"
declare -A runtime_of=([droidspaces]=$out/bin/droidspaces-oci)
runtimes=()
for r in ${OCI_RUNTIMES:-droidspaces runc}; do
	if [ "$r" = droidspaces ]; then
		runtimes+=("$r")
	elif command -v "$r" >/dev/null; then
		runtime_of[$r]=$(command -v "$r")
		runtimes+=("$r")
	else
		echo "test-oci: SKIPPING runtime $r: not installed (scripts/install-deps.sh oci installs runc)" >&2
	fi
done

# The bundles (busybox trees) go on the fixture filesystem when it is there, never on / otherwise.
if [ -d "$cache/mnt/tmp" ]; then
	tmp=$cache/mnt/tmp/test-oci
else
	tmp=$out/tmp
fi
mkdir -p "$tmp"

# run_one RUNTIME PROGRAM: the program's TAP in $out/RUNTIME/PROGRAM.tap.
run_one() {
	local r=$1 p=$2 log=$out/$1/$2.tap rc=0
	mkdir -p "$out/$r"
	(cd "$rt" && TMPDIR=$tmp RUNTIME=${runtime_of[$r]} timeout -k 5 "$timeout_s" \
		unshare -m sh -c 'mount --make-rprivate / && exec "$0"' "./validation/$p/$p.t") >"$log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || echo "# test-oci: exit status $rc" >>"$log"
}

tally() { grep -c "^$2 " "$1" || true; }

mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
# Others' e2e tests compare the host before and after: the suite runs under their lock.
flock 9

declare -A total_ok total_nok passed
printf '%-36s' program
for r in "${runtimes[@]}"; do
	printf ' %18s' "$r ok/not ok"
	total_ok[$r]=0
	total_nok[$r]=0
	passed[$r]=0
done
echo
for p in "${progs[@]}"; do
	printf '%-36s' "$p"
	for r in "${runtimes[@]}"; do
		run_one "$r" "$p"
		tap=$out/$r/$p.tap
		ok=$(tally "$tap" ok)
		nok=$(tally "$tap" 'not ok')
		mark=
		if [ "$ok" -eq 0 ] && [ "$nok" -eq 0 ] && grep -q '^    "error": ' "$tap"; then
			nok=1
			mark='*'
		fi
		grep -q '^# test-oci: exit status' "$tap" && mark="$mark!"
		[ "$nok" -eq 0 ] && [ -z "$mark" ] && passed[$r]=$((passed[$r] + 1))
		printf ' %18s' "$ok/$nok$mark"
		total_ok[$r]=$((total_ok[$r] + ok))
		total_nok[$r]=$((total_nok[$r] + nok))
	done
	echo
done
printf '%-36s' "all (${#progs[@]} programs)"
for r in "${runtimes[@]}"; do printf ' %18s' "${total_ok[$r]}/${total_nok[$r]}"; done
echo
printf '%-36s' "programs passed"
for r in "${runtimes[@]}"; do printf ' %18s' "${passed[$r]}/${#progs[@]}"; done
echo
echo "(* : an error diagnostic with no \"not ok\" line, counted as one; ! : the program exited non-zero."
echo " The TAP of each is in $out/RUNTIME/PROGRAM.tap)"
rm -rf "$tmp"
