#!/usr/bin/env bash
# The demo: build droidspaces, make a small Debian 12 rootfs with systemd
# (cached, on a loop-mounted ext4 image of its own), boot it, show it
# running once systemd says it is ready (start --wait), ask systemd whether it
# is up, stop it. Run as root.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root" >&2; exit 1; }
./scripts/install-deps.sh
make -s
cache=${DS_TEST_CACHE:-/var/cache/droidspaces-test}
tests/fixtures/build.sh debian-systemd >&2
lower="$cache/mnt/rootfs/debian-systemd"
# Boot a throwaway overlay so the cached rootfs stays pristine.
demo="$cache/mnt/demo.$$"
mkdir -p "$demo"/{upper,work,merged}
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$demo/upper,workdir=$demo/work" "$demo/merged"
export DROIDSPACES_WORKSPACE="$demo/ws"
cleanup() {
	./output/droidspaces --name=demo stop >/dev/null 2>&1 || true
	umount "$demo/merged" 2>/dev/null || true
	rm -rf "$demo"
}
trap cleanup EXIT
set -x
# --wait: returns once systemd said READY=1 on the notify socket the monitor serves.
./output/droidspaces --name=demo --rootfs="$demo/merged" start --wait=60
./output/droidspaces show
./output/droidspaces --name=demo status
set +x
pid=$(head -n1 "$DROIDSPACES_WORKSPACE/Pids/demo.pid")
echo "+ systemctl is-system-running   (inside the container)"
nsenter -t "$pid" -m -u -i -p -- /bin/systemctl is-system-running || true
set -x
./output/droidspaces --name=demo stop
