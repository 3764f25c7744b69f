/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/update.h"
#include "core/saved.h"
#include "core/settings.h"
#include "core/state.h"
#include "fs/cgroup.h"
#include "util/macros.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

/* The DS_LIM_* bits of the limits the command line gave. */
static unsigned limits_given(unsigned long long set)
{
	static const struct {
		const char *key;
		unsigned bit;
	} keys[] = { { "memory", DS_LIM_MEMORY },
		     { "cpus", DS_LIM_CPUS },
		     { "cpu_weight", DS_LIM_CPU_WEIGHT },
		     { "pids_limit", DS_LIM_PIDS },
		     { "io_weight", DS_LIM_IO_WEIGHT } };
	unsigned which = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (set & ds_setting_bit(ds_setting_by_key(keys[i].key)))
			which |= keys[i].bit;
	return which;
}

int ds_update_limits(struct ds_config *cfg, int *running, struct ds_error *err)
{
	*running = 0;
	unsigned which = limits_given(cfg->settings.set);
	if (!which)
		return ds_fail(
			err, DS_EINVAL_MSG,
			"update needs a limit to change: --memory, --cpus, --cpu-weight, --pids-limit or --io-weight");
	char path[PATH_MAX];
	ds_saved_path(cfg, cfg->container_name, path, sizeof(path));
	_cleanup_saved_ struct ds_saved *saved = ds_saved_new();
	if (!saved)
		return ds_fail(err, -ENOMEM, "cannot read the settings");
	if (access(path, F_OK) != 0)
		return ds_fail(err, DS_EINVAL_MSG, "container %s has no saved settings (start it once with --rootfs)",
			       cfg->container_name);
	/* Stopped: the lock keeps a start from reading the settings half-written; running: the monitor holds it. */
	_cleanup_close_ int lock = ds_lock_name(cfg, cfg->container_name, 0);
	if (lock < 0 && lock != -EWOULDBLOCK)
		return ds_fail(err, lock, "cannot lock container %s", cfg->container_name);
	if (ds_saved_load(path, saved, err) < 0)
		return -EINVAL;
	/* The command line's limits over the saved settings. */
	int r = ds_settings_merge(&cfg->settings, &saved->settings);
	if (r < 0)
		return ds_fail(err, r, "cannot read %s", path);
	struct ds_state st;
	int live = ds_state_read_live(cfg->pidfile, &st);
	if (live < 0)
		return ds_state_fail(err, live, cfg->pidfile);
	if (live == 0 && lock < 0)
		return ds_fail(err, DS_EBUSY_MSG, "container %s is being started or stopped: try again",
			       cfg->container_name);
	if (live == 1) {
		struct ds_cgroups cg;
		if (ds_cgroup_detect(&cg) < 0)
			return ds_fail(err, -ENOENT, "container %s has no cgroup to limit", cfg->container_name);
		if ((r = ds_cgroup_limits_update(&cg, cfg->rt.cgroup_rel, &cfg->settings.limits, which, err)) < 0)
			return r;
		*running = 1;
	}
	return ds_saved_store(path, &cfg->settings, saved->extra, err);
}
