/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cmd/cmd.h"
#include "core/halt.h"
#include "core/state.h"

#include <stdio.h>
#include <string.h>

int cmd_stop(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (cli->argc > 0)
		{
		ds_fail(&err, DS_EINVAL_MSG, "stop takes no arguments (got '%.80s')", cli->argv[0]);
		return ds_report(&err);
	}
	if (!cli->cfg.names[0]) {
		if (ds_cmd_resolve_name(cli, 1, &err) < 0)
			return ds_report(&err);
		snprintf(cli->cfg.names, sizeof(cli->cfg.names), "%s", cli->cfg.container_name);
	}
	/* --name=a,b,c stops each in turn (seed 10.3); validate all before stopping any. */
	char names[sizeof(cli->cfg.names)];
	snprintf(names, sizeof(names), "%s", cli->cfg.names);
	char *save = NULL;
	for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save))
		if (ds_config_set_name(&cli->cfg, n, &err) < 0)
			return ds_report(&err);
	snprintf(names, sizeof(names), "%s", cli->cfg.names);
	int status = 0;
	save = NULL;
	for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		struct ds_error e = { 0 };
		ds_config_set_name(&cli->cfg, n, &e);
		if (ds_stop(&cli->cfg, &e) < 0) {
			status = ds_report(&e);
			continue;
		}
		printf("Container %s stopped\n", n);
	}
	return status;
}
