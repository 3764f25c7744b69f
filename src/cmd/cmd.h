/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One function per verb; each prints its own result and at most one error line. */
#pragma once

#include "cli/options.h"
#include "core/console.h"

/* Prints "droidspaces: <error text>" to stderr; returns exit status 1. */
int ds_report(const struct ds_error *err);
/* Resolves --name (or the only running container) into cli->cfg. */
int ds_cmd_resolve_name(struct ds_cli *cli, int allow_auto, struct ds_error *err);

int cmd_start(struct ds_cli *cli);
int cmd_stop(struct ds_cli *cli);
int cmd_restart(struct ds_cli *cli);
int cmd_status(struct ds_cli *cli);
int cmd_show(struct ds_cli *cli);
int cmd_info(struct ds_cli *cli);
int cmd_scan(struct ds_cli *cli);
int cmd_remove(struct ds_cli *cli);
int cmd_check(struct ds_cli *cli);
int cmd_enter(struct ds_cli *cli);
int cmd_logs(struct ds_cli *cli);
int cmd_console(struct ds_cli *cli);
int cmd_run(struct ds_cli *cli);
int cmd_update(struct ds_cli *cli);
/* The OCI runtime personality: argv as droidspaces-oci (or after "droidspaces oci") gets it. */
int cmd_oci(int argc, char **argv);
