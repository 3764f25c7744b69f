#!/usr/bin/env bash
# Installs, with apt, what building and testing droidspaces needs; a no-op when all is there.
# `install-deps.sh oci`: what make test-oci needs instead (Go for runtime-tools, runc to compare).
set -euo pipefail
if [ "${1:-}" = oci ]; then
	pkgs=(golang-go runc util-linux)
else
	pkgs=(build-essential musl-tools mmdebstrap bats busybox-static e2fsprogs iproute2
	      util-linux mount procps libcmocka-dev clang cppcheck debian-archive-keyring
	      tmux jq file qemu-user-static bash-completion strace valgrind clang-format
	      nftables iptables curl)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "apt-get update reported errors; going on" >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
