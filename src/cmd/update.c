/* SPDX-License-Identifier: GPL-3.0-or-later */
/* update: a container's limits changed in place (core/update.h), and the one line that reports it. */
#include "cmd/cmd.h"
#include "core/update.h"

#include <stdio.h>

int cmd_update(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (cli->argc > 0) {
		ds_fail(&err, DS_EINVAL_MSG, "update takes no arguments (got '%.80s')", cli->argv[0]);
		return ds_report(&err);
	}
	int running;
	if (ds_cmd_resolve_name(cli, 0, &err) < 0 || ds_update_limits(&cli->cfg, &running, &err) < 0)
		return ds_report(&err);
	printf("Container %s updated: %s\n", cli->cfg.container_name,
	       running ? "the running container has the new limits, and its next start"
		       : "it is stopped; its next start has the new limits");
	return 0;
}
