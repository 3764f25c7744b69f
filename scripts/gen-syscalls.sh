#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes src/core/syscall_table.h: every syscall name of the kernel headers
# with its number on x86_64, i386, aarch64 and arm (EABI), for the seccomp
# compiler (core/bpf.c) to turn a config's names into numbers on each ABI of
# a build's kernel family. The output is committed; this is run again only
# when newer kernel headers are at hand (make syscall-table).
#
# Needs the kernel headers of each architecture: the host's linux-libc-dev
# (x86_64, i386) and the cross compilers of scripts/cross-build.sh --deps
# (aarch64-linux-gnu-gcc, arm-linux-gnueabihf-gcc with their -cross headers).
# Syscalls newer than those headers, numbered alike on every architecture
# since Linux 5.1, are listed below by hand (LATE).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-src/core/syscall_table.h}

# name:number, one per line, of the macros __NR_name (and arm's __ARM_NR_name) in HEADER as CC sees it.
numbers() {
	local cc=$1 header=$2
	command -v "$cc" >/dev/null || {
		echo "gen-syscalls: $cc is missing (scripts/cross-build.sh --deps)" >&2
		exit 1
	}
	"$cc" -E -dM -x c /dev/null -include "$header" | awk '
		$1 == "#define" { def[$2] = $3; for (i = 4; i <= NF; i++) def[$2] = def[$2] " " $i }
		function hex(s,   i, n) { n = 0; s = tolower(substr(s, 3)); for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }
		function value(expr, depth,   s, n, terms, i, t, sum) {
			if (depth > 8) return "?"
			s = expr; gsub(/[() ]/, "", s); n = split(s, terms, "+"); sum = 0
			for (i = 1; i <= n; i++) {
				t = terms[i]
				if (t ~ /^0x[0-9a-fA-F]+$/) t = hex(t)
				else if (t !~ /^[0-9]+$/) { if (!(t in def)) return "?"; t = value(def[t], depth + 1); if (t == "?") return "?" }
				sum += t
			}
			return sum
		}
		END {
			for (m in def) {
				if (m !~ /^__(ARM_)?NR_[a-z0-9_]+$/ || m == "__NR_syscalls") continue
				v = value(def[m], 0)
				if (v == "?") { print "gen-syscalls: cannot evaluate " m > "/dev/stderr"; exit 1 }
				name = m; sub(/^__(ARM_)?NR_/, "", name); print name ":" v
			}
		}'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
numbers gcc asm/unistd_64.h >"$tmp/x86_64"
numbers gcc asm/unistd_32.h >"$tmp/i386"
numbers aarch64-linux-gnu-gcc asm/unistd.h >"$tmp/aarch64"
numbers arm-linux-gnueabihf-gcc asm/unistd.h >"$tmp/arm"

# Past linux-libc-dev 6.1: one number on every architecture (the shared table of 5.1 on).
LATE="cachestat:451 fchmodat2:452 map_shadow_stack:453 futex_wake:454 futex_wait:455 futex_requeue:456
statmount:457 listmount:458 lsm_get_self_attr:459 lsm_set_self_attr:460 lsm_list_modules:461 mseal:462
setxattrat:463 getxattrat:464 listxattrat:465 removexattrat:466 open_tree_attr:467"
for f in x86_64 i386 aarch64 arm; do
	for e in $LATE; do
		grep -q "^${e%%:*}:" "$tmp/$f" || echo "$e" >>"$tmp/$f"
	done
done

{
	cat <<'EOF'
/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Written by scripts/gen-syscalls.sh from the kernel headers: do not edit.
 * DS_SYSCALL(name, x86_64, i386, aarch64, arm), sorted by name; -1 where the
 * ABI has no such syscall.
 */
EOF
	for f in x86_64 i386 aarch64 arm; do sed "s/^/$f:/" "$tmp/$f"; done | awk -F: '
		{ nr[$2, $1] = $3; names[$2] = 1 }
		END {
			split("x86_64 i386 aarch64 arm", abi, " ")
			for (n in names) {
				row = "DS_SYSCALL(\"" n "\""
				for (i = 1; i <= 4; i++) row = row ", " ((n, abi[i]) in nr ? nr[n, abi[i]] : -1)
				print row ")"
			}
		}' | LC_ALL=C sort
} >"$out"
echo "gen-syscalls: $(grep -c '^DS_SYSCALL' "$out") names in $out" >&2
