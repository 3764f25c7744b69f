/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/saved.c: the saved settings file (render, parse, merge, store, load). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/saved.h"
#include "core/settings.h"
#include "core/seccomp.h"
#include "core/state.h"
#include "core/validate.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"
#include "putfile.h"

/* ---- ds_saved ---------------------------------------------------------------------------- */

static struct ds_saved saved, saved2; /* large: not on the stack */
static char text[65536];

static int parse_cfg(const char *t, struct ds_error *err)
{
	memset(err, 0, sizeof(*err));
	return ds_saved_parse(t, &saved, err);
}

static void test_saved_render_defaults(void **state)
{
	(void)state;
	struct ds_settings *cfg = &saved.settings;
	ds_settings_init(cfg);
	strcpy(cfg->rootfs_path, "/srv/r");
	strcpy(cfg->hostname, "h");
	assert_int_equal(ds_saved_render(cfg, NULL, text, sizeof(text)), 0);
	assert_string_equal(text, "# droidspaces container settings\n"
				  "rootfs=/srv/r\n"
				  "rootfs_img=\n"
				  "hostname=h\n"
				  "volatile=0\n"
				  "hw_access=0\n"
				  "enable_ipv6=0\n"
				  "android_storage=0\n"
				  "selinux_permissive=0\n"
				  "keep_caps=\n"
				  "privileged=\n"
				  "dns=\n"
				  "stop_timeout=8\n"
				  "ttys=0\n");
	/* Extra lines go at the end, verbatim. */
	assert_int_equal(ds_saved_render(cfg, "x=1\n", text, sizeof(text)), 0);
	size_t n = strlen(text);
	assert_string_equal(text + n - 4, "x=1\n");
}

static void fill_everything(struct ds_settings *c)
{
	ds_settings_free(c);
	ds_settings_init(c);
	strcpy(c->rootfs_path, "/data/rootfs with space");
	strcpy(c->rootfs_img_path, "/data/img=1.ext4");
	strcpy(c->hostname, "host-1.example");
	strcpy(c->dns, "1.1.1.1,2606:4700::1111");
	c->volatile_mode = 1;
	c->hw_access = 1;
	c->enable_ipv6 = 1;
	c->android_storage = 1;
	c->selinux_permissive = 1;
	c->keep_caps = (1ULL << 12) | (1ULL << 25) | (1ULL << 37); /* net_admin, sys_time, audit_read */
	c->privileged = DS_PRIV_ALL;
	c->stop_timeout = 3600;
	c->tty_count = DS_MAX_TTYS;
	assert_int_equal(ds_bind_add(c, "/host/a", "/mnt/a", 1), 0);
	assert_int_equal(ds_bind_add(c, "/host/b#c", "/mnt/b", 0), 0);
}

/* The command line gave the setting of this saved key. */
static void mark_set(struct ds_settings *c, const char *key) { c->set |= ds_setting_bit(ds_setting_by_key(key)); }

static void assert_same_settings(const struct ds_settings *a, const struct ds_settings *b)
{
	assert_string_equal(a->rootfs_path, b->rootfs_path);
	assert_string_equal(a->rootfs_img_path, b->rootfs_img_path);
	assert_string_equal(a->hostname, b->hostname);
	assert_string_equal(a->dns, b->dns);
	assert_int_equal(a->volatile_mode, b->volatile_mode);
	assert_int_equal(a->hw_access, b->hw_access);
	assert_int_equal(a->enable_ipv6, b->enable_ipv6);
	assert_int_equal(a->android_storage, b->android_storage);
	assert_int_equal(a->selinux_permissive, b->selinux_permissive);
	assert_true(a->keep_caps == b->keep_caps);
	assert_int_equal(a->privileged, b->privileged);
	assert_int_equal(a->stop_timeout, b->stop_timeout);
	assert_int_equal(a->tty_count, b->tty_count);
	assert_int_equal(a->bind_count, b->bind_count);
	for (int i = 0; i < a->bind_count; i++) {
		assert_string_equal(a->binds[i].src, b->binds[i].src);
		assert_string_equal(a->binds[i].dest, b->binds[i].dest);
		assert_int_equal(a->binds[i].read_only, b->binds[i].read_only);
	}
}

static void test_saved_round_trip(void **state)
{
	(void)state;
	static struct ds_settings orig;
	struct ds_error err;
	fill_everything(&orig);
	const char *extra = "x_custom=hello world\nfuture.key=\n  spaced key = v\nk=v=w\n";
	assert_int_equal(ds_saved_render(&orig, extra, text, sizeof(text)), 0);
	assert_int_equal(parse_cfg(text, &err), 0);
	assert_same_settings(&orig, &saved.settings);
	assert_string_equal(saved.extra, extra);

	/* And once more: render(parse(render(x))) == render(x). */
	static char again[65536];
	assert_int_equal(ds_saved_render(&saved.settings, saved.extra, again, sizeof(again)), 0);
	assert_string_equal(again, text);
}

/* Whatever parses can be saved again: a value render refuses must be refused (or cleaned) by parse. */
static void test_saved_parsed_values_render(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"rootfs=/r\r\n", /* a file saved with CRLF line ends */
		"rootfs_img=\r",
		"rootfs=/r\nrootfs_img=/i.img\r\nhostname=h\n",
		"unknown=x\r\n",
	};
	struct ds_error err;
	static char again[65536];
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (parse_cfg(texts[i], &err) < 0)
			continue; /* refusing is fine */
		int r = ds_saved_render(&saved.settings, saved.extra, text, sizeof(text));
		if (r != 0)
			fail_msg("text %zu parses, but its settings do not render (%d)", i, r);
		assert_int_equal(ds_saved_parse(text, &saved2, &err), 0);
		assert_same_settings(&saved.settings, &saved2.settings);
		assert_int_equal(ds_saved_render(&saved2.settings, saved2.extra, again, sizeof(again)), 0);
		assert_string_equal(again, text);
	}
}

static void test_saved_parse_unknown_comments_defaults(void **state)
{
	(void)state;
	struct ds_error err;
	assert_int_equal(parse_cfg("# comment\n"
				   "\n"
				   "hostname=box\n"
				   "Unknown_Key=Value With Spaces\n"
				   "# another\n"
				   "rootfs=/r\n"
				   "newer.version.key=1=2",
				   &err),
			 0);
	assert_string_equal(saved.settings.hostname, "box");
	assert_string_equal(saved.settings.rootfs_path, "/r");
	/* Unknown lines in order, each with its newline; comments dropped. */
	assert_string_equal(saved.extra, "Unknown_Key=Value With Spaces\nnewer.version.key=1=2\n");
	/* What the text leaves out keeps its default. */
	assert_int_equal(saved.settings.stop_timeout, DS_STOP_TIMEOUT_DEFAULT);
	assert_int_equal(saved.settings.tty_count, 0);
	assert_int_equal(saved.settings.volatile_mode, 0);
	assert_int_equal(saved.settings.bind_count, 0);
	assert_string_equal(saved.settings.dns, "");

	/* Empty text: all defaults, nothing extra. */
	assert_int_equal(parse_cfg("", &err), 0);
	assert_string_equal(saved.extra, "");
	assert_string_equal(saved.settings.rootfs_path, "");

	/* Empty values of string keys are allowed; several bind lines add up. */
	assert_int_equal(parse_cfg("hostname=\ndns=\nrootfs_img=\nbind=/a:/b\nbind=/c:/d:ro,/e:/f:rw\n", &err), 0);
	assert_string_equal(saved.settings.hostname, "");
	assert_int_equal(saved.settings.bind_count, 3);
	assert_int_equal(saved.settings.binds[1].read_only, 1);
	assert_int_equal(saved.settings.binds[2].read_only, 0);

	/* Limits that are valid. */
	assert_int_equal(parse_cfg("stop_timeout=1\nttys=6\nvolatile=1\n", &err), 0);
	assert_int_equal(saved.settings.stop_timeout, 1);
	assert_int_equal(saved.settings.tty_count, 6);
	assert_int_equal(parse_cfg("stop_timeout=3600\nttys=0\n", &err), 0);
	assert_int_equal(saved.settings.stop_timeout, 3600);
}

static void test_saved_parse_blank_lines_with_spaces(void **state)
{
	(void)state;
	struct ds_error err;
	/* A hand-edited file: lines of blanks are as empty as empty lines. */
	assert_int_equal(parse_cfg("rootfs=/r\n   \n\t\nhostname=h\n", &err), 0);
	assert_string_equal(saved.settings.hostname, "h");
	assert_string_equal(saved.extra, "");
}

/* keep_caps by name; keep_net_admin=1 of configs saved before 3.3 still keeps NET_ADMIN. */
static void test_saved_keep_caps(void **state)
{
	(void)state;
	struct ds_error err;
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_caps=sys_time,audit_read\n", &err), 0);
	assert_true(saved.settings.keep_caps == ((1ULL << 25) | (1ULL << 37)));
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_net_admin=1\n", &err), 0);
	assert_true(saved.settings.keep_caps == (1ULL << 12));
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_net_admin=0\nkeep_caps=\n", &err), 0);
	assert_true(saved.settings.keep_caps == 0);
	/* and it renders under the new key only */
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_net_admin=1\n", &err), 0);
	assert_int_equal(ds_saved_render(&saved.settings, "", text, sizeof(text)), 0);
	assert_non_null(strstr(text, "\nkeep_caps=net_admin\n"));
	assert_null(strstr(text, "keep_net_admin"));
}

static void test_saved_parse_bad_values(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"volatile=2",
		"volatile=yes",
		"volatile=",
		"hw_access=01",
		"enable_ipv6=true",
		"android_storage=-1",
		"selinux_permissive= 1",
		"stop_timeout=0",
		"stop_timeout=3601",
		"stop_timeout=abc",
		"stop_timeout=5x",
		"stop_timeout=",
		"stop_timeout=99999999999999999999",
		"stop_timeout=-8",
		"ttys=7",
		"ttys=-1",
		"ttys=one",
		"hostname=bad/host",
		"hostname=-x",
		"hostname=a b",
		"hostname=.dot",
		"dns=not-an-ip",
		"dns=1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5",
		"dns=1.1.1.1;rm",
		"bind=nocolon",
		"bind=/a:relative",
		"bind=/a:/b:rx",
		"bind=/a:/",
		"bind=/a/../b:/c",
		"bind=/a:/b/../c",
		"bind=",
		"bind=:/b",
		"no equals sign",
		"=value",
		"   ",
		"keep_caps=sys_admin",
		"keep_caps=sys_time,,",
		"keep_net_admin=2",
	};
	struct ds_error err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (strcmp(bad[i], "   ") == 0)
			continue; /* blank: see test_saved_parse_blank_lines_with_spaces */
		char t[256];
		snprintf(t, sizeof(t), "rootfs=/r\n%s\nhostname=after\n", bad[i]);
		int r = parse_cfg(t, &err);
		if (r >= 0)
			fail_msg("'%s' was accepted", bad[i]);
		if (err.msg[0] == '\0')
			fail_msg("'%s' rejected without a message", bad[i]);
	}
	/* The message names the key, or the line. */
	assert_true(parse_cfg("stop_timeout=abc\n", &err) < 0);
	assert_non_null(strstr(err.msg, "stop_timeout"));
	assert_true(parse_cfg("rootfs=/r\n\nnot a setting\n", &err) < 0);
	assert_non_null(strstr(err.msg, "line 3"));
}

static void test_saved_parse_too_long(void **state)
{
	(void)state;
	struct ds_error err;
	static char t[3 * PATH_MAX];
	/* A rootfs path longer than PATH_MAX - 1. */
	strcpy(t, "rootfs=/");
	memset(t + 8, 'r', PATH_MAX);
	strcpy(t + 8 + PATH_MAX, "\n");
	assert_true(parse_cfg(t, &err) < 0);
	/* A line longer than any setting can be. */
	strcpy(t, "unknown=");
	memset(t + 8, 'u', sizeof(t) - 16);
	strcpy(t + sizeof(t) - 8, "\n");
	assert_true(parse_cfg(t, &err) < 0);
	/* More unknown lines than fit: refused, not silently dropped. */
	static char many[DS_CONFIG_EXTRA_MAX * 2];
	size_t p = 0;
	for (int i = 0; p + 40 < sizeof(many); i++)
		p += (size_t)snprintf(many + p, sizeof(many) - p, "unknown_key_%06d=some value\n", i);
	assert_true(parse_cfg(many, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown"));
}

static void test_saved_merge(void **state)
{
	(void)state;
	static struct ds_settings cli, old;
	fill_everything(&old);
	old.stop_timeout = 30;
	old.tty_count = 2;

	/* Nothing on the command line: everything comes from the saved settings. */
	ds_settings_init(&cli);
	assert_int_equal(ds_settings_merge(&cli, &old), 0);
	assert_same_settings(&old, &cli);

	/* What the command line set wins. */
	ds_settings_free(&cli);
	ds_settings_init(&cli);
	strcpy(cli.rootfs_path, "/cli/rootfs");
	mark_set(&cli, "rootfs");
	strcpy(cli.hostname, "cli-host");
	mark_set(&cli, "hostname");
	strcpy(cli.dns, "9.9.9.9");
	mark_set(&cli, "dns");
	cli.stop_timeout = 5;
	mark_set(&cli, "stop_timeout");
	cli.tty_count = 1;
	mark_set(&cli, "ttys");
	assert_int_equal(ds_bind_add(&cli, "/cli", "/c", 0), 0);
	mark_set(&cli, "bind");
	assert_int_equal(ds_settings_merge(&cli, &old), 0);
	assert_string_equal(cli.rootfs_path, "/cli/rootfs");
	assert_string_equal(cli.rootfs_img_path, old.rootfs_img_path); /* unset: taken */
	assert_string_equal(cli.hostname, "cli-host");
	assert_string_equal(cli.dns, "9.9.9.9");
	assert_int_equal(cli.stop_timeout, 5);
	assert_int_equal(cli.tty_count, 1);
	assert_int_equal(cli.bind_count, 1);
	assert_string_equal(cli.binds[0].src, "/cli");
	/* Flags are on when either side has them on. */
	assert_int_equal(cli.volatile_mode, 1);
	assert_int_equal(cli.hw_access, 1);

	/* A value the command line left unset is taken even when it equals the default. */
	ds_settings_free(&cli);
	ds_settings_init(&cli);
	assert_int_equal(ds_settings_merge(&cli, &old), 0);
	assert_int_equal(cli.stop_timeout, 30);

	/* The saved side off, the command line on. */
	ds_settings_free(&old);
	ds_settings_init(&old);
	ds_settings_free(&cli);
	ds_settings_init(&cli);
	cli.enable_ipv6 = 1;
	mark_set(&cli, "enable_ipv6");
	assert_int_equal(ds_settings_merge(&cli, &old), 0);
	assert_int_equal(cli.enable_ipv6, 1);
	assert_int_equal(cli.volatile_mode, 0);
	assert_int_equal(cli.stop_timeout, DS_STOP_TIMEOUT_DEFAULT);
	/* The set-mask after a merge: what either side gave. */
	assert_true(cli.set == ds_setting_bit(ds_setting_by_key("enable_ipv6")));
}

static void test_saved_store_load(void **state)
{
	const char *dir = *state;
	static struct ds_config cfg;
	struct ds_error err = { 0 };
	char path[PATH_MAX];

	ds_config_init(&cfg);
	snprintf(cfg.workspace, sizeof(cfg.workspace), "%s/ws", dir);
	assert_int_equal(ds_saved_path(&cfg, "box-1", path, sizeof(path)), 0);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "%s/ws/Containers/box-1/container.config", dir);
	assert_string_equal(path, want);

	fill_everything(&cfg.settings);
	snprintf(cfg.workspace, sizeof(cfg.workspace), "%s/ws", dir);
	assert_int_equal(ds_saved_store(path, &cfg.settings, "kept=1\n", &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(ds_saved_load(path, &saved2, &err), 0);
	assert_same_settings(&cfg.settings, &saved2.settings);
	assert_string_equal(saved2.extra, "kept=1\n");

	/* Stored again over the old file; no temp file left beside it. */
	cfg.settings.stop_timeout = 9;
	assert_int_equal(ds_saved_store(path, &cfg.settings, NULL, &err), 0);
	assert_int_equal(ds_saved_load(path, &saved2, &err), 0);
	assert_int_equal(saved2.settings.stop_timeout, 9);
	assert_string_equal(saved2.extra, "");
	char d[PATH_MAX + 64];
	snprintf(d, sizeof(d), "%s/ws/Containers/box-1", dir);
	int entries = 0;
	struct stat dst;
	assert_int_equal(stat(d, &dst), 0);
	FILE *ls = NULL;
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", d);
	ls = popen(cmd, "r");
	assert_non_null(ls);
	char line[PATH_MAX];
	while (fgets(line, sizeof(line), ls)) {
		entries++;
		assert_string_equal(line, "container.config\n");
	}
	pclose(ls);
	assert_int_equal(entries, 1);

	/* Missing and oversized files are errors. */
	memset(&err, 0, sizeof(err));
	snprintf(want, sizeof(want), "%s/ws/Containers/none/container.config", dir);
	assert_true(ds_saved_load(want, &saved2, &err) < 0);
	assert_true(err.msg[0] != '\0');
	static char huge[70000];
	memset(huge, '#', sizeof(huge));
	put_file(dir, "huge.config", huge, sizeof(huge));
	snprintf(want, sizeof(want), "%s/huge.config", dir);
	memset(&err, 0, sizeof(err));
	assert_true(ds_saved_load(want, &saved2, &err) < 0);
}

static void test_saved_render_small_buffer(void **state)
{
	(void)state;
	static struct ds_settings cfg;
	fill_everything(&cfg);
	/* The whole text, then every shorter buffer: an error, never an overrun. */
	assert_int_equal(ds_saved_render(&cfg, "extra=1\n", text, sizeof(text)), 0);
	size_t need = strlen(text) + 1;
	for (size_t size = need - 1; size > 0; size--) {
		char *buf = malloc(size); /* exact size, so ASan sees any overrun */
		assert_non_null(buf);
		int r = ds_saved_render(&cfg, "extra=1\n", buf, size);
		if (r >= 0)
			fail_msg("render into %zu bytes (needs %zu) returned %d", size, need, r);
		free(buf);
	}
	char *buf = malloc(need);
	assert_non_null(buf);
	assert_int_equal(ds_saved_render(&cfg, "extra=1\n", buf, need), 0);
	assert_string_equal(buf, text);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saved_render_defaults),
		cmocka_unit_test(test_saved_round_trip),
		cmocka_unit_test(test_saved_parse_unknown_comments_defaults),
		cmocka_unit_test(test_saved_parsed_values_render),
		cmocka_unit_test(test_saved_parse_blank_lines_with_spaces),
		cmocka_unit_test(test_saved_parse_bad_values),
		cmocka_unit_test(test_saved_keep_caps),
		cmocka_unit_test(test_saved_parse_too_long),
		cmocka_unit_test(test_saved_merge),
		cmocka_unit_test_setup_teardown(test_saved_store_load, tmpdir_setup, tmpdir_teardown),
		/* Last: an overrun here aborts the process under ASan. */
		cmocka_unit_test(test_saved_render_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
