/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check: per kernel feature droidspaces uses, what this kernel offers and
 * what start does without it (core/kernel.c), and the verdict: exit 1 when
 * start would be refused.
 */
#include "cmd/cmd.h"
#include "core/kernel.h"
#include "util/json.h"

#include <stdio.h>

int cmd_check(struct ds_cli *cli)
{
	size_t n;
	const struct ds_kfeature *f = ds_kfeatures(&n);
	struct ds_kf_tally t = { 0 };
	struct ds_json j;
	char line[512], detail[256];
	const char *word;
	if (cli->flags.json) {
		ds_json_init(&j, stdout);
		ds_json_object_begin(&j, NULL);
		ds_json_array_begin(&j, "features");
	}
	for (int lvl = 0; lvl < DS_KF_LEVELS; lvl++) {
		if (!cli->flags.json)
			printf("%s:\n", ds_kf_level_heading((enum ds_kf_level)lvl));
		for (size_t i = 0; i < n; i++) {
			if ((int)f[i].level != lvl)
				continue;
			detail[0] = '\0';
			int have = f[i].probe(f[i].arg, detail, sizeof(detail));
			ds_kf_count(&t, f[i].level, have);
			if (!cli->flags.json) {
				ds_kf_format_row(&f[i], have, detail, line, sizeof(line));
				printf("%s\n", line);
				continue;
			}
			ds_json_object_begin(&j, NULL);
			ds_json_string(&j, "key", f[i].key);
			ds_json_string(&j, "feature", f[i].name);
			ds_json_string(&j, "level", ds_kf_level_name(f[i].level));
			if (have < 0)
				ds_json_string(&j, "available", NULL);
			else
				ds_json_bool(&j, "available", have);
			ds_json_string(&j, "detail", detail);
			ds_json_string(&j, "without", f[i].without);
			ds_json_object_end(&j);
		}
	}
	ds_kf_verdict(&t, line, sizeof(line), &word);
	if (cli->flags.json) {
		ds_json_array_end(&j);
		ds_json_string(&j, "verdict", word);
		ds_json_int(&j, "refused", t.refused);
		ds_json_int(&j, "warnings", t.warnings);
		ds_json_int(&j, "fallbacks", t.fallbacks);
		ds_json_object_end(&j);
	} else {
		printf("%s\n", line);
	}
	return t.refused ? 1 : 0;
}
