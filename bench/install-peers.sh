#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs, with apt, the runtimes the benchmark compares droidspaces with and
# the tools it uses; a no-op when all is there.
#   systemd-container  systemd-nspawn
#   lxc                lxc-start, lxc-execute, lxc-attach, lxc-stop
#   crun               crun run (OCI)
#   util-linux, bsdutils: nsenter, script;  procps: pgrep
# No service may start during the install: Debian's lxc package enables
# lxc-net.service, which would add a bridge and NAT rules to the host.  A
# policy-rc.d that refuses every start is put in place for the install when
# the host has none (and removed afterwards); lxc-net stays enabled for the
# next boot of the host, as with any install of lxc (USE_LXC_BRIDGE in
# /etc/default/lxc-net turns it off).
set -euo pipefail
pkgs=(systemd-container lxc crun util-linux bsdutils procps busybox-static musl-tools)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-peers: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "install-peers: installing ${missing[*]}" >&2
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# droidspaces bench/install-peers.sh: no service starts during its install\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
