/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cmd/cmd.h"
#include "core/inventory.h"
#include "core/state.h"
#include "util/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ds_report(const struct ds_error *err)
{
	char text[800], safe[4 * sizeof(text)];
	ds_error_text(err, text, sizeof(text));
	/* User input echoed back must not break the line or drive the terminal. */
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)text; *c && o + 5 < sizeof(safe); c++) {
		if (*c < 0x20 || *c == 0x7f)
			o += (size_t)snprintf(safe + o, sizeof(safe) - o, "\\x%02x", *c);
		else
			safe[o++] = (char)*c;
	}
	safe[o] = '\0';
	fprintf(stderr, "droidspaces: %s\n", safe);
	return 1;
}

int ds_cmd_resolve_name(struct ds_cli *cli, int allow_auto, struct ds_error *err)
{
	struct ds_config *cfg = &cli->cfg;
	if (cli->flags.names)
		return ds_config_set_name(cfg, cli->flags.names, err);
	if (!allow_auto)
		return ds_fail(err, DS_EINVAL_MSG, "no container name: use --name=NAME");
	/* Without --name, pick the only running container (seed 11.1). */
	char list[1024] = "";
	struct ds_entry *v = NULL;
	int count = ds_inventory_list(cfg, 0, &v);
	for (int i = 0; i < count; i++) {
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s", l ? ", " : "", v[i].name);
	}
	if (count == 1)
		ds_config_set_name(cfg, v[0].name, err);
	free(v);
	if (count == 0)
		return ds_fail(err, DS_EINVAL_MSG, "no container is running (give --name=NAME)");
	if (count > 1)
		return ds_fail(err, DS_EINVAL_MSG, "several containers are running (%s): give --name=NAME", list);
	return count < 0 ? ds_fail(err, count, "cannot list containers") : 0;
}
