/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The only file that knows Android. Every host path it touches goes through
 * ds_host_path(), which prefixes $DROIDSPACES_HOST_ROOT when set: the tests
 * point it at a fake tree (no Android device is at hand); on a real device
 * it is unset and the paths are the real ones.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>
#include <sys/types.h>

int ds_host_path(const char *path, char *out, size_t size);
/* `getprop KEY` of the host into out (first line; "" when unset): 0, or -errno. */
int ds_android_getprop(const char *key, char *out, size_t size);
/* ANDROID_ROOT in the environment, or <host root>/system/bin/app_process. */
int ds_android_detect(void);
/* The host has SELinux: <host root>/sys/fs/selinux/enforce exists (enforcing or not). */
int ds_android_selinux(void);
/* The label of Android's tmpfs files: the volatile overlay is mounted with it (seed 5, SELinux fix). */
#define DS_ANDROID_TMPFS_CONTEXT "u:object_r:tmpfs:s0"

/*
 * Host side at start (Android only): SELinux permissive when asked, the
 * phantom-process and deviceidle settings, the firmware path with
 * --hw-access. The previous values are recorded in <workspace>/Android/ so
 * that ds_android_restore() puts back exactly what droidspaces changed.
 */
int ds_android_prepare(const struct ds_config *cfg, int first_container, struct ds_error *err);
/*
 * Once init runs: with --hw-access and an image or volatile root, the
 * firmware path becomes /proc/<init>/root/lib/firmware, the only way the
 * kernel (host mount namespace) reaches a tree mounted in the container.
 */
void ds_android_firmware_init(const struct ds_config *cfg, pid_t init_pid);
/* Undoes ds_android_prepare() when the last container stops. */
void ds_android_restore(const struct ds_config *cfg, int last_container);
/* Inside, after pivot_root: the aid_inet/aid_net_raw/aid_net_admin groups in /etc/group. */
int ds_android_setup_rootfs(struct ds_error *err);
/* Before pivot_root: /storage/emulated/0 bound into the rootfs. */
int ds_android_bind_storage(int rootfd, struct ds_error *err);

/*
 * NAT on Android. netd routes by policy rules: the host's own traffic finds
 * its network's table (wlan0's, rmnet's: ifindex + 1000) through fwmark and
 * "iif lo" rules, and what no rule sends to a table meets "unreachable" (pref
 * 32000) before main; so a packet forwarded from the bridge has no route
 * out, and the host's own packets to a guest leave by the uplink. Tethering
 * has netd add "iif TETHER lookup UPSTREAM"; droidspaces adds the like:
 */
#define DS_ANDROID_PREF_TO 5900  /* to the NAT subnet: lookup main (the bridge's route), ahead of netd's and VPNs' */
#define DS_ANDROID_PREF_IIF 5901 /* iif the bridge: lookup the uplink's table */
/*
 * Each NAT boot, host side: the two rules for bridge and net, the uplink being the
 * link of the host's own route out (as `ip route get`), its table the one
 * holding a default route through it. Rules already there are kept; an iif
 * rule of another table (the uplink changed) is replaced. No uplink now: the
 * subnet's rule only, and one warning line.
 */
int ds_android_nat_route(const char *bridge, const struct ds_cidr *net, struct ds_error *err);
/* Last NAT stop: every rule of those two priorities that ds_android_nat_route makes, removed. */
void ds_android_nat_unroute(const char *bridge);