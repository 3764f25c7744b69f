/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cmd/cmd.h"
#include "core/halt.h"
#include "core/launch.h"
#include "core/state.h"

#include <stdio.h>
#include <string.h>

/* Options parsed already whose behaviour later work adds; refused rather than ignored. */
static int refuse_unsupported(const struct ds_config *cfg, struct ds_error *err)
{
	const struct { int set; const char *opt; } later[] = {
		{ cfg->rootfs_img_path[0] != 0, "--rootfs-img" },
		{ cfg->volatile_mode, "--volatile" },
		{ cfg->bind_count > 0, "--bind-mount" },
		{ cfg->hw_access, "--hw-access" },
		{ cfg->android_storage, "--enable-android-storage" },
		{ cfg->selinux_permissive, "--selinux-permissive" },
		{ cfg->enable_ipv6, "--enable-ipv6" },
		{ cfg->dns[0] != 0, "--dns" },
		{ cfg->config_file[0] != 0, "--config" },
	};
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++)
		if (later[i].set)
			return ds_fail(err, DS_EINVAL_MSG, "%s is not supported by this version yet", later[i].opt);
	return 0;
}

int cmd_start(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	struct ds_config *cfg = &cli->cfg;
	if (cli->argc > 0)
		{
		ds_fail(&err, DS_EINVAL_MSG, "start takes no arguments (got '%.80s')", cli->argv[0]);
		return ds_report(&err);
	}
	if (refuse_unsupported(cfg, &err) < 0 || ds_cmd_resolve_name(cli, 0, &err) < 0 ||
	    ds_start(cfg, &err) < 0)
		return ds_report(&err);
	if (cfg->foreground) {
		/* Show the boot from its start; SIGINT/SIGTERM to us halt the guest. */
		if (ds_console_attach(cfg, 'R', cfg->container_pid, &err) < 0)
			return ds_report(&err);
		return 0;
	}
	printf("Container %s started: init pid %d (%s)\n", cfg->container_name, (int)cfg->container_pid,
	       ds_init_kind_name(ds_init_detect(cfg->container_pid)));
	return 0;
}

int cmd_restart(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (ds_cmd_resolve_name(cli, 0, &err) < 0)
		return ds_report(&err);
	struct ds_state st;
	if (ds_state_read_live(cli->cfg.pidfile, &st) == 1) {
		if (!cli->cfg.rootfs_path[0])
			snprintf(cli->cfg.rootfs_path, sizeof(cli->cfg.rootfs_path), "%s", st.rootfs);
		if (ds_stop(&cli->cfg, &err) < 0)
			return ds_report(&err);
	}
	return cmd_start(cli);
}
