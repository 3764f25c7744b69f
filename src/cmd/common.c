/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cmd/cmd.h"
#include "core/state.h"
#include "util/fileio.h"

#include <dirent.h>
#include <stdio.h>
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
	if (cfg->names[0])
		return ds_config_set_name(cfg, cfg->names, err);
	if (!allow_auto)
		return ds_fail(err, DS_EINVAL_MSG, "no container name: use --name=NAME");
	/* Without --name, pick the only running container (seed 11.1). */
	char dir[PATH_MAX], found[DS_NAME_MAX + 1] = "", list[1024] = "";
	int count = 0;
	snprintf(dir, sizeof(dir), "%s/Pids", cfg->workspace);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".pid") != 0 || n - 4 > DS_NAME_MAX)
			continue;
		char name[DS_NAME_MAX + 1], path[PATH_MAX];
		snprintf(name, sizeof(name), "%.*s", (int)(n - 4), e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct ds_state st;
		if (ds_name_validate(name) < 0 || ds_state_read_live(path, &st) != 1)
			continue;
		count++;
		snprintf(found, sizeof(found), "%s", name);
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s", l ? ", " : "", name);
	}
	if (d)
		closedir(d);
	if (count == 0)
		return ds_fail(err, DS_EINVAL_MSG, "no container is running (give --name=NAME)");
	if (count > 1)
		return ds_fail(err, DS_EINVAL_MSG, "several containers are running (%s): give --name=NAME", list);
	return ds_config_set_name(cfg, found, err);
}
