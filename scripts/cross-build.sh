#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Static musl builds of droidspaces for several architectures, with Debian's
# cross compilers and Debian's musl-dev of each architecture.
#
# Usage: scripts/cross-build.sh [--deps | --no-deps] [ARCH...]
#   ARCH       x86_64 x86 aarch64 armhf (default: all four)
#   (none)     install what is missing (as root), then build output/droidspaces-ARCH
#              (and build/cross/ARCH/seccomp_abis, the seccomp test of 70-cross.bats)
#   --deps     only install what is missing (a no-op when all is there)
#   --no-deps  only build; fail, naming the packages, when a tool is missing
#
# What an architecture needs (the host's own one uses the native gcc):
#   file                        to check what came out
#   gcc-TRIPLET                 Debian's cross compiler (gcc-aarch64-linux-gnu, ...)
#   musl-dev:DEBARCH            musl's headers, crt files, libc.a and musl-gcc.specs
#                               (dpkg --add-architecture DEBARCH is done here)
#   linux-libc-dev-DEBARCH-cross  the kernel headers in /usr/TRIPLET/include
#                               (linux-libc-dev:DEBARCH is version-locked to the
#                               host's linux-libc-dev, the -cross package is not)
# musl-gcc cannot see kernel headers, so as in the Makefile a directory with
# just linux/, asm/ and asm-generic/ is put on the include path.
#
# Environment: OUT (output), BUILD (build), DS_CFLAGS and DS_LDFLAGS (the
# Makefile passes its own; the defaults below are the same flags).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-output}
BUILD=${BUILD:-build}
DS_CFLAGS=${DS_CFLAGS:--O2 -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -D_GNU_SOURCE -Isrc -fno-strict-aliasing -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables}
DS_LDFLAGS=${DS_LDFLAGS:--static -no-pie -Wl,--gc-sections}
ALL_ARCHS=(x86_64 x86 aarch64 armhf)

die() { printf 'cross-build: %s\n' "$*" >&2; exit 1; }
log() { printf 'cross-build: %s\n' "$*" >&2; }

# arch_info ARCH: sets DEBARCH, TRIPLET (GNU, of the compiler) and MACHINE
# (what file(1) calls it).
arch_info() {
	case $1 in
	x86_64) DEBARCH=amd64 TRIPLET=x86_64-linux-gnu MACHINE=x86-64 ;;
	x86) DEBARCH=i386 TRIPLET=i686-linux-gnu MACHINE='Intel 80386' ;;
	aarch64) DEBARCH=arm64 TRIPLET=aarch64-linux-gnu MACHINE='ARM aarch64' ;;
	armhf) DEBARCH=armhf TRIPLET=arm-linux-gnueabihf MACHINE='ARM, EABI5' ;;
	*) die "unknown architecture '$1' (known: ${ALL_ARCHS[*]})" ;;
	esac
}

HOST_DEBARCH=$(dpkg --print-architecture 2>/dev/null) || die "dpkg not found: this script uses Debian's packages"

# native ARCH: the host builds ARCH with its own gcc.
native() { arch_info "$1"; [[ $DEBARCH == "$HOST_DEBARCH" ]]; }

# packages ARCH: the Debian packages ARCH's build needs.
packages() {
	arch_info "$1"
	if native "$1"; then
		echo file gcc musl-dev linux-libc-dev
	else
		echo file "gcc-${TRIPLET//_/-}" "musl-dev:$DEBARCH" "linux-libc-dev-$DEBARCH-cross"
	fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# deps ARCH...: install whatever the builds of ARCH... lack (idempotent).
deps() {
	local a p missing=()
	for a in "$@"; do
		for p in $(packages "$a"); do
			installed "$p" || [[ " ${missing[*]} " == *" $p "* ]] || missing+=("$p")
		done
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	if [[ $(id -u) != 0 ]]; then
		die "missing packages: ${missing[*]} (run as root, or: dpkg --add-architecture ARCH; apt-get update; apt-get install them)"
	fi
	for p in "${missing[@]}"; do
		[[ $p == *:* ]] || continue
		a=${p#*:}
		[[ $a == "$HOST_DEBARCH" ]] && continue
		if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
			log "dpkg --add-architecture $a"
			dpkg --add-architecture "$a"
		fi
	done
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# A mirror that is syncing makes update fail for one index while the
	# others are fine: go on, and let install say what it cannot find.
	apt-get -o DPkg::Lock::Timeout=600 update -qq ||
		log "warning: apt-get update reported errors (trying the install anyway)"
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

# build ARCH: output/droidspaces-ARCH.
build() {
	local arch=$1 cc strip specs kh inc p missing=() tmp
	arch_info "$arch"
	for p in $(packages "$arch"); do
		installed "$p" || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] || die "$arch: missing packages: ${missing[*]} (run scripts/cross-build.sh --deps $arch as root)"
	if native "$arch"; then
		cc=gcc strip=strip
		inc=/usr/include
	else
		cc=$TRIPLET-gcc strip=$TRIPLET-strip
		inc=/usr/$TRIPLET/include
	fi
	specs=$(dpkg -L "musl-dev:$DEBARCH" | grep '/musl-gcc\.specs$' | head -n 1) ||
		die "$arch: musl-dev:$DEBARCH ships no musl-gcc.specs"

	kh=$BUILD/cross/$arch/kheaders
	mkdir -p "$kh" "$OUT"
	ln -sfn "$inc/linux" "$kh/linux"
	ln -sfn "$inc/asm-generic" "$kh/asm-generic"
	if native "$arch"; then
		ln -sfn "$inc/$(gcc -print-multiarch)/asm" "$kh/asm"
	else
		ln -sfn "$inc/asm" "$kh/asm"
	fi
	for p in linux asm asm-generic; do
		[[ -d $kh/$p/ ]] || die "$arch: kernel headers missing: $kh/$p -> $(readlink "$kh/$p")"
	done

	local -a srcs cflags ldflags libobjs
	local obj s o jobs failed=0
	# the Makefile's SRCS (src/*.c src/*/*.c), and the seccomp test (tests/unit/seccomp_abis.c)
	mapfile -t srcs < <(printf '%s\n' src/*.c src/*/*.c tests/unit/seccomp_abis.c | LC_ALL=C sort)
	read -r -a cflags <<<"$DS_CFLAGS"
	read -r -a ldflags <<<"$DS_LDFLAGS"
	tmp=$OUT/.droidspaces-$arch.tmp
	echo "  CROSS   $arch ($cc, $specs)"
	# One object per source, a few at a time; the binary and the test link the same ones.
	obj=$BUILD/cross/$arch/obj
	rm -rf "$obj"
	jobs=$(nproc 2>/dev/null || echo 2)
	for s in "${srcs[@]}"; do
		o=$obj/${s%.c}.o
		mkdir -p "${o%/*}"
		while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || failed=1; done
		"$cc" -specs "$specs" "${cflags[@]}" -isystem "$kh" -c "$s" -o "$o" &
	done
	for s in $(jobs -rp); do wait "$s" || failed=1; done
	[[ $failed == 0 ]] || die "$arch: compiling failed (above)"
	mapfile -t libobjs < <(find "$obj/src" -name '*.o' ! -path "$obj/src/main.o" | LC_ALL=C sort)
	"$cc" -specs "$specs" "${cflags[@]}" "$obj/src/main.o" "${libobjs[@]}" "${ldflags[@]}" -o "$tmp"
	"$strip" "$tmp"
	# The seccomp program of each ABI through a BPF interpreter (tests/e2e/70-cross.bats runs it).
	"$cc" -specs "$specs" "${cflags[@]}" "$obj/tests/unit/seccomp_abis.o" "${libobjs[@]}" "${ldflags[@]}" \
		-o "$BUILD/cross/$arch/.seccomp_abis.tmp"
	mv -f "$BUILD/cross/$arch/.seccomp_abis.tmp" "$BUILD/cross/$arch/seccomp_abis"
	# What came out must be a static executable for the right machine (file(1)).
	local desc
	desc=$(file -b "$tmp")
	if [[ $desc != *"$MACHINE"* || $desc != *"statically linked"* ]]; then
		rm -f "$tmp"
		die "$arch: unexpected binary: $desc"
	fi
	mv -f "$tmp" "$OUT/droidspaces-$arch"
	echo "  OK      $OUT/droidspaces-$arch ($(stat -c %s "$OUT/droidspaces-$arch") bytes)"
}

mode=all
case ${1:-} in
--deps) mode=deps; shift ;;
--no-deps) mode=build; shift ;;
-h | --help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
-*) die "unknown option '$1' (see --help)" ;;
esac
archs=("$@")
[[ ${#archs[@]} -gt 0 ]] || archs=("${ALL_ARCHS[@]}")
for a in "${archs[@]}"; do arch_info "$a"; done

[[ $mode == build ]] || deps "${archs[@]}"
if [[ $mode != deps ]]; then
	for a in "${archs[@]}"; do build "$a"; done
fi
