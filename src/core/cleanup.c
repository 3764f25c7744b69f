/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/cleanup.h"
#include "core/console.h"
#include "core/inventory.h"
#include "core/state.h"
#include "host/android.h"
#include "host/nat.h"
#include "host/network.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>

int ds_cleanup_container(const struct ds_config *cfg, const struct ds_cgroups *cg, const char *cgroup_rel)
{
	/*
	 * Mounts need no undoing: in directory mode they all live in the
	 * container's mount namespace, which died with its init.
	 */
	int r = 0;
	size_t busy;
	/*
	 * The cgroup (and the image's mount point, host-wide as well) is ours
	 * only while the monitor holds its claim, or when nobody does and our
	 * dead container's processes have left it: what still runs there then is
	 * another workspace's container of this name (fs/cgroup.h), never killed.
	 * A claim that fails otherwise (no descriptor left, an unreadable
	 * cgroup) leaves the cgroup too: when in doubt, nothing is killed.
	 */
	int claim = cfg->rt.cg_claim_fd >= 0 ? -1 : ds_cgroup_claim(cg, cgroup_rel, DS_CGROUP_CLAIM_WAIT_MS, &busy);
	if (cfg->rt.cg_claim_fd >= 0 || claim >= 0 || claim == -ENOENT) {
		r = ds_cgroup_destroy(cg, cgroup_rel, DS_CGROUP_EMPTY_TIMEOUT_MS);
		ds_workspace_rmdir(cfg->workspace, DS_WS_IMAGE_MOUNT, cfg->container_name);
	}
	if (claim >= 0)
		close(claim);
	/* Mount points on the host: empty once the container's namespace is gone. */
	ds_workspace_rmdir(cfg->workspace, DS_WS_VOLATILE, cfg->container_name);
	/* Host settings (Android, IPv6) go back once no container runs any more. */
	struct ds_entry *v = NULL;
	int n = ds_inventory_list(cfg, 0, &v), others = 0;
	for (int i = 0; i < n; i++)
		others += strcmp(v[i].name, cfg->container_name) != 0;
	free(v);
	if (ds_android_detect())
		ds_android_restore(cfg, others == 0);
	ds_ipv6_restore(cfg, others == 0);
	/* --net=nat: its veth and rules; the bridge and ip_forward with the last NAT container. */
	ds_nat_host_down(cfg);
	char sock[PATH_MAX];
	if (ds_console_socket_path(cfg, sock, sizeof(sock)) == 0)
		unlink(sock);
	/* The notify socket and the readiness record (core/ready.h) of this run. */
	static const enum ds_ws_path runtime[] = { DS_WS_NOTIFY, DS_WS_READY };
	for (size_t i = 0; i < sizeof(runtime) / sizeof(runtime[0]); i++)
		if (ds_workspace_path(cfg->workspace, runtime[i], cfg->container_name, sock, sizeof(sock)) == 0)
			unlink(sock);
	ds_console_sweep(cfg);
	/* Only a pidfile of ours: --pidfile may name any file. */
	int u = ds_state_unlink(cfg->pidfile);
	return r < 0 ? r : u == DS_ENOTPIDFILE ? 0 : u;
}
