/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cmd/cmd.h"
#include "core/halt.h"
#include "core/state.h"

#include <dirent.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_status(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (ds_cmd_resolve_name(cli, 1, &err) < 0) {
		/* Scripts rely on the exit status: 1 means "not running". */
		ds_report(&err);
		return 1;
	}
	struct ds_state st;
	int live = ds_state_read_live(cli->cfg.pidfile, &st);
	if (live == 1) {
		printf("%s: running (pid %d, init %s)\n", cli->cfg.container_name, (int)st.pid,
		       ds_init_kind_name(ds_init_detect(st.pid)));
		return 0;
	}
	printf("%s: stopped\n", cli->cfg.container_name);
	return 1;
}

struct row {
	char name[DS_NAME_MAX + 1];
	char pid[16];
	char init[16];
};

static int utf8_terminal(void)
{
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	return isatty(STDOUT_FILENO) && cs && strcmp(cs, "UTF-8") == 0;
}

static void rule(int utf8, const char *l, const char *m, const char *r, const int *w, int cols)
{
	fputs(utf8 ? l : "+", stdout);
	for (int c = 0; c < cols; c++) {
		for (int i = 0; i < w[c] + 2; i++)
			fputs(utf8 ? "─" : "-", stdout);
		fputs(c + 1 < cols ? (utf8 ? m : "+") : (utf8 ? r : "+"), stdout);
	}
	fputc('\n', stdout);
}

int cmd_show(struct ds_cli *cli)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/Pids", cli->cfg.workspace);
	struct row *rows = NULL;
	int count = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".pid") != 0 || n - 4 > DS_NAME_MAX)
			continue;
		struct row r = { 0 };
		snprintf(r.name, sizeof(r.name), "%.*s", (int)(n - 4), e->d_name);
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct ds_state st;
		if (ds_name_validate(r.name) < 0 || ds_state_read_live(path, &st) != 1)
			continue;
		snprintf(r.pid, sizeof(r.pid), "%d", (int)st.pid);
		snprintf(r.init, sizeof(r.init), "%s", ds_init_kind_name(ds_init_detect(st.pid)));
		struct row *grown = realloc(rows, sizeof(*rows) * (size_t)(count + 1));
		if (!grown)
			break;
		rows = grown;
		rows[count++] = r;
	}
	if (d)
		closedir(d);
	if (count == 0) {
		printf("No containers running.\n");
		free(rows);
		return 0;
	}
	int w[3] = { 4, 3, 4 };
	for (int i = 0; i < count; i++) {
		if ((int)strlen(rows[i].name) > w[0]) w[0] = (int)strlen(rows[i].name);
		if ((int)strlen(rows[i].pid) > w[1]) w[1] = (int)strlen(rows[i].pid);
		if ((int)strlen(rows[i].init) > w[2]) w[2] = (int)strlen(rows[i].init);
	}
	int utf8 = utf8_terminal();
	const char *bar = utf8 ? "│" : "|";
	rule(utf8, "┌", "┬", "┐", w, 3);
	printf("%s %-*s %s %-*s %s %-*s %s\n", bar, w[0], "NAME", bar, w[1], "PID", bar, w[2], "INIT", bar);
	rule(utf8, "├", "┼", "┤", w, 3);
	for (int i = 0; i < count; i++)
		printf("%s %-*s %s %-*s %s %-*s %s\n", bar, w[0], rows[i].name, bar, w[1], rows[i].pid, bar,
		       w[2], rows[i].init, bar);
	rule(utf8, "└", "┴", "┘", w, 3);
	free(rows);
	return 0;
}
