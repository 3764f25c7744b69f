/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/reap.h"
#include "core/cleanup.h"
#include "core/state.h"
#include "core/workspace.h"
#include "fs/cgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* A pidfile of ours whose container is gone. */
static int stale(const char *path, const char *name)
{
	struct ds_state st;
	return ds_state_read(path, &st) == 1 && !ds_state_alive(&st, name);
}

struct reap_ctx {
	const struct ds_config *cfg;
	struct ds_config *tmp; /* a copy that shares cfg's settings (their binds are never freed through it) */
	struct ds_cgroups *cg;
	int count;
};

static void reap_one(const char *name, void *ud)
{
	struct reap_ctx *c = ud;
	char path[PATH_MAX];
	ds_workspace_path(c->cfg->workspace, DS_WS_PIDFILE, name, path, sizeof(path));
	if (!stale(path, name))
		return;
	/*
	 * Nobody holds the name's lock, so nobody is starting it right now: check
	 * again under it (in Locks/, which a workspace of pidfiles only may lack).
	 */
	ds_workspace_ensure(c->cfg->workspace, NULL);
	int lock = ds_lock_name(c->cfg, name, 0);
	if (lock < 0)
		return;
	*c->tmp = *c->cfg;
	c->tmp->pidfile[0] = '\0';
	if (stale(path, name) && ds_config_set_name(c->tmp, name, NULL) == 0) {
		/* The whole cleanup, not just the pidfile: its cgroup, socket and mount points too. */
		ds_cleanup_container(c->tmp, c->cg, c->tmp->rt.cgroup_rel);
		c->count++;
	}
	close(lock);
}

int ds_reap_stale(const struct ds_config *cfg)
{
	struct reap_ctx c = { .cfg = cfg, .tmp = malloc(sizeof(*c.tmp)), .cg = malloc(sizeof(*c.cg)) };
	int r = -ENOMEM;
	if (c.tmp && c.cg) {
		ds_cgroup_detect(c.cg);
		ds_workspace_each(cfg->workspace, DS_WS_PIDFILE, reap_one, &c);
		r = c.count;
	}
	free(c.tmp);
	free(c.cg);
	return r;
}
