/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core/start.c: ds_settings_resolve puts the command line over --config over
 * the saved settings, once, without booting anything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/options.h"
#include "core/saved.h"
#include "core/settings.h"
#include "core/start.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tmpdir.h"

static struct ds_cli cli;
static char extra[DS_CONFIG_EXTRA_MAX];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The saved settings of container "p" in <dir>/ws, and a --config file <dir>/c.conf. */
static void make_files(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/ws", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/ws/Containers", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/ws/Containers/p", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/ws/Containers/p/container.config", dir);
	write_text(path, "rootfs=/saved/rootfs\nhostname=saved\nstop_timeout=20\nttys=1\nvolatile=1\nbind=/a:/b\n"
			 "vendor.key=1\n");
	snprintf(path, sizeof(path), "%s/c.conf", dir);
	write_text(path, "hostname=from-config\nstop_timeout=30\n");
}

/* Parses argv (NULL-terminated, without argv[0]) and resolves it in <dir>/ws. */
static int resolve(const char *dir, const char **args, struct ds_error *err)
{
	char *argv[16] = { "droidspaces" };
	int argc = 1;
	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	ds_cli_free(&cli);
	assert_int_equal(ds_cli_parse(argc, argv, &cli, err), 0);
	snprintf(cli.cfg.workspace, sizeof(cli.cfg.workspace), "%s/ws", dir);
	return ds_settings_resolve(&cli.cfg, cli.flags.names, extra, err);
}

static void test_command_line_over_config_over_saved(void **state)
{
	const char *dir = *state;
	char conf[PATH_MAX], opt[PATH_MAX + 16];
	struct ds_error err = { 0 };
	make_files(dir);
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	snprintf(opt, sizeof(opt), "--config=%s", conf);
	const char *args[] = { "--ttys=2", opt, "-n", "p", "start", NULL };
	assert_int_equal(resolve(dir, args, &err), 0);
	const struct ds_settings *s = &cli.cfg.settings;
	assert_string_equal(cli.cfg.container_name, "p");
	assert_string_equal(s->rootfs_path, "/saved/rootfs"); /* saved */
	assert_string_equal(s->hostname, "from-config");      /* --config over saved */
	assert_int_equal(s->stop_timeout, 30);                /* --config over saved */
	assert_int_equal(s->tty_count, 2);                    /* the command line */
	assert_int_equal(s->volatile_mode, 1);
	assert_int_equal(s->bind_count, 1);
	assert_string_equal(s->binds[0].dest, "/b");
	assert_string_equal(extra, "vendor.key=1\n");

	/* Without --config: the saved settings, the command line winning. */
	const char *args2[] = { "-t", "5", "--name=p", "start", NULL };
	assert_int_equal(resolve(dir, args2, &err), 0);
	assert_string_equal(cli.cfg.settings.hostname, "saved");
	assert_int_equal(cli.cfg.settings.stop_timeout, 5);
	assert_int_equal(cli.cfg.settings.tty_count, 1);
	ds_cli_free(&cli);
}

static void test_new_rootfs_keeps_only_unknown_lines(void **state)
{
	const char *dir = *state;
	struct ds_error err = { 0 };
	make_files(dir);
	const char *args[] = { "--rootfs=/new", "--name=p", "start", NULL };
	assert_int_equal(resolve(dir, args, &err), 0);
	const struct ds_settings *s = &cli.cfg.settings;
	assert_string_equal(s->rootfs_path, "/new");
	assert_string_equal(s->hostname, "");
	assert_int_equal(s->stop_timeout, DS_STOP_TIMEOUT_DEFAULT);
	assert_int_equal(s->volatile_mode, 0);
	assert_int_equal(s->bind_count, 0);
	assert_string_equal(extra, "vendor.key=1\n");
	ds_cli_free(&cli);
}

static void test_refusals(void **state)
{
	const char *dir = *state;
	struct ds_error err = { 0 };
	make_files(dir);
	const char *none[] = { "--name=q", "start", NULL };
	assert_int_equal(resolve(dir, none, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "no saved settings"));
	memset(&err, 0, sizeof(err));
	const char *img[] = { "--rootfs-img=/x.img", "start", NULL };
	assert_int_equal(resolve(dir, img, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "needs --name"));
	memset(&err, 0, sizeof(err));
	const char *both[] = { "--rootfs-img=/x.img", "-r", "/r", "-n", "q", "start", NULL };
	assert_int_equal(resolve(dir, both, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "not both"));
	memset(&err, 0, sizeof(err));
	const char *two[] = { "--name=a,b", "-r", "/r", "start", NULL };
	assert_int_equal(resolve(dir, two, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "one --name"));
	memset(&err, 0, sizeof(err));
	const char *nothing[] = { "start", NULL };
	assert_int_equal(resolve(dir, nothing, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "no rootfs given"));
	ds_cli_free(&cli);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_command_line_over_config_over_saved, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_new_rootfs_keeps_only_unknown_lines, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
