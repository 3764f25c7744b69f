/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The settings table against what is written about it: the OPTIONS of
 * doc/droidspaces.1 and the option lists of contrib/bash-completion, both
 * ways (every option documented, nothing documented that the table lacks),
 * read from the source tree; and the table's own invariants.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/options.h"
#include "core/settings.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTS 128

struct optlist {
	char names[MAX_OPTS][48]; /* "--rootfs", "-r" */
	int n;
};

static void add(struct optlist *l, const char *s, size_t len)
{
	for (int i = 0; i < l->n; i++)
		if (strlen(l->names[i]) == len && strncmp(l->names[i], s, len) == 0)
			return;
	assert_true(l->n < MAX_OPTS && len < sizeof(l->names[0]));
	memcpy(l->names[l->n], s, len);
	l->names[l->n++][len] = '\0';
}

static int has(const struct optlist *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->names[i], s) == 0)
			return 1;
	return 0;
}

/* A file of the source tree: $DS_SRC_DIR, else the directory this file was compiled from. */
static char *read_source(const char *rel)
{
	char path[4096];
	const char *root = getenv("DS_SRC_DIR");
	const char *me = __FILE__, *cut = strstr(me, "tests/unit/");
	if (root)
		snprintf(path, sizeof(path), "%s/%s", root, rel);
	else
		snprintf(path, sizeof(path), "%.*s%s", (int)(cut ? cut - me : 0), me, rel);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (set DS_SRC_DIR to the source tree)", path);
	char *text = calloc(1, 1 << 20);
	assert_non_null(text);
	size_t n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

/* The option words of a man page line: "\-r", "\-\-rootfs" (roff's escaped dashes). */
static void man_options_of_line(const char *line, struct optlist *l)
{
	char buf[512];
	size_t o = 0;
	/* Unescape "\-" to "-" and drop font changes ("\fB", "\fR", "\fI"). */
	for (const char *c = line; *c && *c != '\n' && o + 1 < sizeof(buf); c++) {
		if (c[0] == '\\' && c[1] == '-') {
			buf[o++] = '-';
			c++;
		} else if (c[0] == '\\' && c[1] == 'f' && c[2]) {
			buf[o++] = ' ';
			c += 2;
		} else {
			buf[o++] = *c;
		}
	}
	buf[o] = '\0';
	for (char *p = buf; (p = strchr(p, '-'));) {
		if (p > buf && (p[-1] == '-' || isalnum((unsigned char)p[-1]))) {
			p++;
			continue;
		}
		size_t dashes = p[1] == '-' ? 2 : 1;
		size_t len =
			dashes + strspn(p + dashes, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if ((dashes == 2 && len > 2) || (dashes == 1 && len == 2))
			add(l, p, len);
		p += len;
	}
}

/* The option words of the .TP headers of the OPTIONS section. */
static void man_options(struct optlist *l)
{
	char *text = read_source("doc/droidspaces.1");
	char *sec = strstr(text, "\n.SH OPTIONS\n");
	assert_non_null(sec);
	sec += strlen("\n.SH OPTIONS\n");
	char *end = strstr(sec, "\n.SH ");
	if (end)
		*end = '\0';
	for (char *p = sec; (p = strstr(p, ".TP\n"));) {
		p += 4;
		man_options_of_line(p, l);
	}
	free(text);
}

/* The words of a bash array assignment NAME=(...). */
static void completion_array(const char *text, const char *name, struct optlist *l)
{
	char head[64];
	snprintf(head, sizeof(head), "\n%s=(", name);
	const char *p = strstr(text, head);
	if (!p)
		fail_msg("contrib/bash-completion lacks %s", name);
	p += strlen(head);
	const char *end = strchr(p, ')');
	assert_non_null(end);
	while (p < end) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t)");
		if (len)
			add(l, p, len);
		p += len;
	}
}

static void table_option_words(struct optlist *l)
{
	for (size_t i = 0; i < ds_settings_count; i++) {
		const struct ds_setting *row = &ds_settings[i];
		char w[48];
		if (!row->name)
			continue;
		snprintf(w, sizeof(w), "--%s", row->name);
		add(l, w, strlen(w));
		if (row->shortopt) {
			snprintf(w, sizeof(w), "-%c", row->shortopt);
			add(l, w, 2);
		}
	}
}

static void assert_same_lists(const struct optlist *table, const struct optlist *doc, const char *where)
{
	for (int i = 0; i < table->n; i++)
		if (!has(doc, table->names[i]))
			fail_msg("%s is in the settings table but not in %s", table->names[i], where);
	for (int i = 0; i < doc->n; i++)
		if (!has(table, doc->names[i]))
			fail_msg("%s is in %s but not in the settings table", doc->names[i], where);
}

static void test_man_page_lists_the_table(void **state)
{
	(void)state;
	static struct optlist table, man;
	memset(&table, 0, sizeof(table));
	memset(&man, 0, sizeof(man));
	table_option_words(&table);
	man_options(&man);
	assert_true(man.n > 10);
	assert_same_lists(&table, &man, "doc/droidspaces.1 (OPTIONS)");
}

static void test_bash_completion_lists_the_table(void **state)
{
	(void)state;
	static struct optlist arg, flag;
	memset(&arg, 0, sizeof(arg));
	memset(&flag, 0, sizeof(flag));
	char *text = read_source("contrib/bash-completion/droidspaces");
	completion_array(text, "_droidspaces_opts_arg", &arg);
	completion_array(text, "_droidspaces_short_arg", &arg);
	completion_array(text, "_droidspaces_opts_flag", &flag);
	completion_array(text, "_droidspaces_short_flag", &flag);
	free(text);
	/* Each option in the list of its kind: with a value, or a flag (an optional value is =VALUE only). */
	for (size_t i = 0; i < ds_settings_count; i++) {
		const struct ds_setting *row = &ds_settings[i];
		if (!row->name)
			continue;
		int is_flag = row->arg == DS_ARG_FLAG || (row->flags & DS_ROW_OPTVAL);
		const struct optlist *want = is_flag ? &flag : &arg;
		char w[48];
		snprintf(w, sizeof(w), "--%s", row->name);
		if (!has(want, w))
			fail_msg("%s is missing from the completion's %s options", w, is_flag ? "flag" : "value");
		snprintf(w, sizeof(w), "-%c", row->shortopt);
		if (row->shortopt && !has(want, w))
			fail_msg("%s is missing from the completion's %s options", w, is_flag ? "flag" : "value");
	}
	static struct optlist table, both;
	memset(&table, 0, sizeof(table));
	memset(&both, 0, sizeof(both));
	table_option_words(&table);
	for (int i = 0; i < arg.n; i++)
		add(&both, arg.names[i], strlen(arg.names[i]));
	for (int i = 0; i < flag.n; i++)
		add(&both, flag.names[i], strlen(flag.names[i]));
	assert_same_lists(&table, &both, "contrib/bash-completion");
}

static void test_table_is_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < ds_settings_count; i++) {
		const struct ds_setting *a = &ds_settings[i];
		/* A row is an option, a saved key, or both; an option has help and a verb. */
		assert_true(a->name || a->key);
		if (a->name) {
			assert_non_null(a->help);
			assert_true(a->verbs != 0);
			assert_ptr_equal(ds_setting_by_name(a->name, strlen(a->name)), a);
		}
		if (a->shortopt)
			assert_ptr_equal(ds_setting_by_short(a->shortopt), a);
		if (a->key)
			assert_ptr_equal(ds_setting_by_key(a->key), a);
		/* What the saved file holds is a container's setting, never a CLI flag. */
		if (a->key)
			assert_false(a->flags & DS_ROW_FLAGS);
		if (a->arg == DS_ARG_VALUE)
			assert_non_null(a->parse);
		if (a->arg == DS_ARG_INT)
			assert_true(a->lo <= a->hi && a->why);
	}
}

static void test_verbs_refuse_what_they_do_not_take(void **state)
{
	(void)state;
	unsigned long long hw = ds_setting_bit(ds_setting_by_name("hw-access", 9));
	unsigned long long name = ds_setting_bit(ds_setting_by_name("name", 4));
	unsigned long long timeout = ds_setting_bit(ds_setting_by_name("stop-timeout", 12));
	assert_null(ds_settings_refused(hw | name, DS_VERB_START));
	assert_null(ds_settings_refused(hw | name, DS_VERB_RESTART));
	assert_null(ds_settings_refused(name | timeout, DS_VERB_STOP));
	const struct ds_setting *row = ds_settings_refused(name | hw, DS_VERB_STOP);
	assert_non_null(row);
	assert_string_equal(row->name, "hw-access");
	assert_non_null(ds_settings_refused(name, DS_VERB_CHECK));
	/* --help and --version go with every verb. */
	unsigned long long hv =
		ds_setting_bit(ds_setting_by_name("help", 4)) | ds_setting_bit(ds_setting_by_name("version", 7));
	for (unsigned v = 1; v & DS_VERB_ALL; v <<= 1)
		assert_null(ds_settings_refused(hv, v));
}

/* What the parser records in the set-mask is what the command line gave, nothing more. */
static void test_set_mask(void **state)
{
	(void)state;
	static struct ds_cli cli;
	struct ds_error err = { 0 };
	char *argv[] = { "droidspaces", "-t", "5", "--ttys=2", "start", "-nx", NULL };
	assert_int_equal(ds_cli_parse(6, argv, &cli, &err), 0);
	unsigned long long want = ds_setting_bit(ds_setting_by_key("stop_timeout")) |
				  ds_setting_bit(ds_setting_by_key("ttys")) |
				  ds_setting_bit(ds_setting_by_name("name", 4));
	assert_true(cli.cfg.settings.set == want);
	assert_int_equal(cli.cfg.settings.stop_timeout, 5);
	assert_int_equal(cli.cfg.settings.tty_count, 2);
	assert_string_equal(cli.flags.names, "x");
	ds_cli_free(&cli);
}

struct saved_lines {
	char text[4096];
};

static int collect(void *ctx, const char *key, const char *val)
{
	struct saved_lines *l = ctx;
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof(l->text) - n, "%s=%s\n", key, val);
	return 0;
}

/* The limit rows: the command line, the saved file, and back; 0 on the command line undoes a saved limit. */
static void test_limits_round_trip(void **state)
{
	(void)state;
	static struct ds_cli cli;
	struct ds_error err = { 0 };
	char *argv[] = {
		"droidspaces", "--memory=256M", "--cpus=0.5", "--pids-limit=64", "--cpu-weight=200", "--io-weight=300",
		"start",       "-nx",           NULL
	};
	assert_int_equal(ds_cli_parse(8, argv, &cli, &err), 0);
	const struct ds_limits *l = &cli.cfg.settings.limits;
	assert_true(l->memory == 256LL << 20);
	assert_int_equal(l->cpus_milli, 500);
	assert_int_equal(l->pids, 64);
	assert_int_equal(l->cpu_weight, 200);
	assert_int_equal(l->io_weight, 300);
	static struct saved_lines out;
	memset(&out, 0, sizeof(out));
	assert_int_equal(ds_settings_render(&cli.cfg.settings, collect, &out), 0);
	assert_non_null(strstr(out.text, "\nmemory=256M\n"));
	assert_non_null(strstr(out.text, "\ncpus=0.5\n"));
	assert_non_null(strstr(out.text, "\npids_limit=64\n"));
	assert_non_null(strstr(out.text, "\ncpu_weight=200\n"));
	assert_non_null(strstr(out.text, "\nio_weight=300\n"));

	/* Read back as a saved file would be. */
	static struct ds_settings saved;
	ds_settings_init(&saved);
	static const char *const keys[][2] = { { "memory", "256M" },
					       { "cpus", "0.5" },
					       { "pids_limit", "64" },
					       { "cpu_weight", "200" },
					       { "io_weight", "300" } };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(ds_setting_apply(ds_setting_by_key(keys[i][0]), &saved, &cli.flags, keys[i][1],
						  DS_FROM_CONFIG, &err),
				 0);
	assert_memory_equal(&saved.limits, l, sizeof(*l));
	/* An empty value of a saved file is no limit; a bad one is refused. */
	assert_int_equal(ds_setting_apply(ds_setting_by_key("memory"), &saved, &cli.flags, "", DS_FROM_CONFIG, &err),
			 0);
	assert_int_not_equal(ds_setting_apply(ds_setting_by_key("cpus"), &saved, &cli.flags, "lots", DS_FROM_CONFIG,
					      &err),
			     0);
	ds_cli_free(&cli);

	/* --memory=0 on the command line wins over the saved limit; the others come from the file. */
	static struct ds_cli cli2;
	char *argv2[] = { "droidspaces", "--memory=0", "start", "-nx", NULL };
	assert_int_equal(ds_cli_parse(4, argv2, &cli2, &err), 0);
	saved.limits.memory = 256LL << 20;
	assert_int_equal(ds_settings_merge(&cli2.cfg.settings, &saved), 0);
	assert_true(cli2.cfg.settings.limits.memory == 0);
	assert_int_equal(cli2.cfg.settings.limits.cpus_milli, 500);
	assert_int_equal(cli2.cfg.settings.limits.pids, 64);
	ds_cli_free(&cli2);
}

/* A bad value: one line naming the option, exit status 2 (DS_EINVAL_MSG). */
static void test_limits_refused(void **state)
{
	(void)state;
	static const char *const bad[] = { "--memory=12X",       "--memory=512",    "--cpus=0.001",
					   "--cpus=x",           "--pids-limit=-1", "--pids-limit=5000000",
					   "--cpu-weight=10001", "--io-weight=x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		static struct ds_cli cli;
		struct ds_error err = { 0 };
		char *argv[] = { "droidspaces", (char *)bad[i], "start", "-nx", NULL };
		int r = ds_cli_parse(4, argv, &cli, &err);
		if (r == 0)
			fail_msg("%s was accepted", bad[i]);
		assert_int_equal(err.code, DS_EINVAL_MSG);
		assert_null(strchr(err.msg, '\n'));
		const char *eq = strchr(bad[i], '=');
		assert_non_null(strstr(err.msg, eq + 1));
		ds_cli_free(&cli);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_man_page_lists_the_table),
		cmocka_unit_test(test_bash_completion_lists_the_table),
		cmocka_unit_test(test_table_is_consistent),
		cmocka_unit_test(test_verbs_refuse_what_they_do_not_take),
		cmocka_unit_test(test_set_mask),
		cmocka_unit_test(test_limits_round_trip),
		cmocka_unit_test(test_limits_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
