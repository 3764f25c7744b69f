/* SPDX-License-Identifier: GPL-3.0-or-later */
/* argv -> struct ds_cli -> one entry of the command table. */
#include "cli/options.h"
#include "cmd/cmd.h"
#include "core/state.h"
#include "util/macros.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *alias;
	unsigned verb; /* DS_VERB_*: the options it accepts are the rows that name it */
	int (*run)(struct ds_cli *cli);
	const char *help;
} commands[] = {
	{ "start", NULL, DS_VERB_START, cmd_start, "boot a container from --rootfs" },
	{ "stop", NULL, DS_VERB_STOP, cmd_stop, "halt a container (--name may list several: a,b,c)" },
	{ "restart", NULL, DS_VERB_RESTART, cmd_restart, "stop, then start again" },
	{ "status", NULL, DS_VERB_STATUS, cmd_status, "exit 0 when running, 1 when stopped (--json)" },
	{ "show", "list", DS_VERB_SHOW, cmd_show, "table of containers, running and saved (--json)" },
	{ "info", NULL, DS_VERB_INFO, cmd_info, "details of one container (--json)" },
	{ "scan", NULL, DS_VERB_SCAN, cmd_scan, "register running containers that have no pidfile" },
	{ "remove", "rm", DS_VERB_REMOVE, cmd_remove, "forget a stopped container's saved settings and log" },
	{ "check", NULL, DS_VERB_CHECK, cmd_check, "report whether this kernel can run containers" },
	{ "logs", "log", DS_VERB_LOGS, cmd_logs, "print the console log (-f/--follow to follow it)" },
	{ "console", "attach", DS_VERB_CONSOLE, cmd_console, "attach to the console (Ctrl-a q detaches)" },
	{ "enter", NULL, DS_VERB_ENTER, cmd_enter, "a login shell in the container (enter [USER])" },
	{ "run", "exec", DS_VERB_RUN, cmd_run, "run one command in the container (run [--user U] CMD [ARGS...])" },
	{ "update", NULL, DS_VERB_UPDATE, cmd_update,
	  "change the limits of a container, running or not (0 lifts one)" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: droidspaces [OPTIONS] COMMAND [ARGS]\n"
		     "\n"
		     "Boots a Linux distribution with its own init as PID 1 in PID, IPC, mount, UTS\n"
		     "and cgroup namespaces.\n"
		     "\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n"
		     "Options (before or after the command; each command takes those that concern it):\n");
	ds_settings_usage(out);
	fprintf(out,
		"\n"
		"Workspace: $DROIDSPACES_WORKSPACE, else %s (Linux) or %s (Android).\n",
		DS_WORKSPACE_LINUX, DS_WORKSPACE_ANDROID);
}

static int run_command(struct ds_cli *cli)
{
	if (cli->flags.help) {
		usage(stdout);
		return 0;
	}
	if (cli->flags.version) {
		printf("droidspaces %s\n", DS_VERSION);
		return 0;
	}
	if (!cli->command) {
		usage(stderr);
		return 2;
	}
	if (ds_workspace_resolve(cli->cfg.workspace, sizeof(cli->cfg.workspace)) < 0) {
		fprintf(stderr, "droidspaces: DROIDSPACES_WORKSPACE must be an absolute path\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cli->command, commands[i].name) != 0 &&
		    (!commands[i].alias || strcmp(cli->command, commands[i].alias) != 0))
			continue;
		/* An option the verb has no use for is a mistake, not something to ignore. */
		const struct ds_setting *row = ds_settings_refused(cli->cfg.settings.set, commands[i].verb);
		if (row) {
			fprintf(stderr, "droidspaces: %s does not take --%s\n", commands[i].name, row->name);
			return 2;
		}
		return commands[i].run(cli);
	}
	fprintf(stderr, "droidspaces: unknown command '%.80s' (see --help)\n", cli->command);
	return 2;
}

int main(int argc, char **argv)
{
	/* The second personality: the runc command line, by the binary's name or the oci verb. */
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : argc > 0 ? argv[0] : "";
	if (strcmp(base, "droidspaces-oci") == 0)
		return cmd_oci(argc, argv);
	if (argc > 1 && strcmp(argv[1], "oci") == 0)
		return cmd_oci(argc - 1, argv + 1);
	struct ds_error err = { 0 };
	/* A few paths and the argument vector: on the heap, as every struct of paths. */
	_cleanup_free_ struct ds_cli *cli = calloc(1, sizeof(*cli));
	int r;
	if (!cli) {
		fprintf(stderr, "droidspaces: out of memory\n");
		return 1;
	}
	if (ds_cli_parse(argc, argv, cli, &err) < 0)
		r = ds_report(&err) + 1; /* usage errors exit 2 */
	else
		r = run_command(cli);
	ds_cli_free(cli);
	return r;
}
