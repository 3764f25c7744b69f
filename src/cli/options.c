/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/options.h"

#include <errno.h>
#include <string.h>

/*
 * One option word at argv[*i] (and its value, which may be the next word):
 * "--long", "--long=VALUE", "--long VALUE", "-s", "-sVALUE", "-s VALUE".
 */
static int parse_option(int argc, char **argv, int *i, struct ds_cli *cli, struct ds_error *err)
{
	const char *a = argv[*i], *val = NULL;
	const struct ds_setting *row;
	if (a[1] == '-') {
		size_t n = strcspn(a + 2, "=");
		row = ds_setting_by_name(a + 2, n);
		if (!row)
			return ds_fail(err, DS_EINVAL_MSG, "unknown option '%.80s' (see --help)", a);
		if (a[2 + n] == '=') {
			if (row->arg == DS_ARG_FLAG)
				return ds_fail(err, DS_EINVAL_MSG, "option --%s takes no value", row->name);
			val = a + 3 + n;
		}
	} else {
		row = ds_setting_by_short(a[1]);
		if (!row)
			return ds_fail(err, DS_EINVAL_MSG, "unknown option '%.80s' (see --help)", a);
		if (a[2] != '\0') {
			if (row->arg == DS_ARG_FLAG)
				return ds_fail(err, DS_EINVAL_MSG, "unknown option '%.80s'", a);
			val = a + 2;
		}
	}
	if (row->arg != DS_ARG_FLAG && !val && !(row->flags & DS_ROW_OPTVAL)) {
		if (*i + 1 >= argc)
			return ds_fail(err, DS_EINVAL_MSG, "option --%s needs a value", row->name);
		val = argv[++*i];
	}
	return ds_setting_apply(row, &cli->cfg.settings, &cli->flags, val ? val : "", DS_FROM_CLI, err);
}

int ds_cli_parse(int argc, char **argv, struct ds_cli *cli, struct ds_error *err)
{
	memset(cli, 0, sizeof(*cli));
	ds_config_init(&cli->cfg);
	int only_positional = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		/* `run NAME-less CMD ARGS...`: once the command word came, the rest is the command's. */
		int passthrough = cli->command &&
				  (strcmp(cli->command, "run") == 0 || strcmp(cli->command, "exec") == 0) &&
				  cli->argc > 0;
		if (only_positional || passthrough || a[0] != '-' || a[1] == '\0') {
			if (!cli->command) {
				cli->command = a;
			} else {
				if (cli->argc >= DS_MAX_ARGS)
					return ds_fail(err, DS_EINVAL_MSG, "too many arguments");
				cli->argv[cli->argc++] = argv[i];
			}
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = 1;
			continue;
		}
		int r = parse_option(argc, argv, &i, cli, err);
		if (r < 0)
			return r;
	}
	cli->argv[cli->argc] = NULL;
	memcpy(cli->cfg.pidfile, cli->flags.pidfile, sizeof(cli->cfg.pidfile)); /* the container's, from now on */
	return 0;
}

void ds_cli_free(struct ds_cli *cli) { ds_settings_free(&cli->cfg.settings); }
