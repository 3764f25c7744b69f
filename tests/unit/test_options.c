/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the option parser (src/cli/options.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/options.h"
#include "core/caps.h"
#include "core/seccomp.h"
#include "config.h"
#include "core/validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Static: the parsed settings outlive each parse_args (freed before the next). */
static struct ds_cli cli;
static struct ds_error err;

/* Parses a NULL-terminated argument list given without argv[0]. */
#define PARSE(...) parse_args((const char *[]){ "droidspaces", __VA_ARGS__, NULL })

static int parse_args(const char **args)
{
	static char *argv[DS_MAX_ARGS + 8];
	int argc = 0;
	while (args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	memset(&err, 0, sizeof(err));
	ds_cli_free(&cli);
	int r = ds_cli_parse(argc, argv, &cli, &err);
	/* Every failure is reported once, with a message. */
	if (r < 0) {
		assert_int_equal(err.code, r);
		assert_true(err.msg[0] != '\0');
	} else {
		assert_int_equal(err.code, 0);
	}
	return r;
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(PARSE("status"), 0);
	assert_string_equal(cli.command, "status");
	assert_int_equal(cli.argc, 0);
	assert_null(cli.argv[0]);
	assert_int_equal(cli.cfg.settings.stop_timeout, DS_STOP_TIMEOUT_DEFAULT);
	assert_int_equal(cli.cfg.settings.tty_count, 0);
	assert_int_equal(cli.cfg.settings.bind_count, 0);
	assert_int_equal(cli.cfg.settings.foreground, 0);
	assert_int_equal(cli.cfg.rt.console.master, -1);
	assert_int_equal(cli.flags.help, 0);
	assert_int_equal(cli.flags.version, 0);

	/* No arguments at all. */
	assert_int_equal(parse_args((const char *[]){ "droidspaces", NULL }), 0);
	assert_null(cli.command);
	assert_int_equal(cli.argc, 0);
}

static void test_options_before_and_after_command(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--name=deb", "--rootfs=/srv/deb", "start"), 0);
	assert_string_equal(cli.command, "start");
	assert_string_equal(cli.flags.names, "deb");
	assert_string_equal(cli.cfg.settings.rootfs_path, "/srv/deb");

	assert_int_equal(PARSE("start", "--name=deb", "-r", "/srv/deb", "-f", "--hw-access"), 0);
	assert_string_equal(cli.command, "start");
	assert_string_equal(cli.flags.names, "deb");
	assert_string_equal(cli.cfg.settings.rootfs_path, "/srv/deb");
	assert_int_equal(cli.cfg.settings.foreground, 1);
	assert_int_equal(cli.cfg.settings.hw_access, 1);
	assert_int_equal(cli.argc, 0);

	/* Positional arguments after the command. */
	assert_int_equal(PARSE("-n", "deb", "show", "extra1", "--json", "extra2"), 0);
	assert_string_equal(cli.command, "show");
	assert_int_equal(cli.flags.json, 1);
	assert_int_equal(cli.argc, 2);
	assert_string_equal(cli.argv[0], "extra1");
	assert_string_equal(cli.argv[1], "extra2");
	assert_null(cli.argv[2]);
}

static void test_name_forms(void **state)
{
	(void)state;
	const char **forms[] = {
		(const char *[]){ "droidspaces", "--name=x", "stop", NULL },
		(const char *[]){ "droidspaces", "--name", "x", "stop", NULL },
		(const char *[]){ "droidspaces", "-n", "x", "stop", NULL },
		(const char *[]){ "droidspaces", "-nx", "stop", NULL },
		(const char *[]){ "droidspaces", "stop", "-nx", NULL },
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		assert_int_equal(parse_args(forms[i]), 0);
		assert_string_equal(cli.flags.names, "x");
		assert_string_equal(cli.command, "stop");
		assert_int_equal(cli.argc, 0);
	}
	/* A comma list is kept raw (for stop). */
	assert_int_equal(PARSE("--name=a,b,c", "stop"), 0);
	assert_string_equal(cli.flags.names, "a,b,c");
	/* Empty and missing values. */
	assert_int_equal(PARSE("--name=", "stop"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("stop", "--name"), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "needs a value"));
	assert_int_equal(PARSE("stop", "-n"), DS_EINVAL_MSG);
}

static void test_value_is_taken_verbatim(void **state)
{
	(void)state;
	/* The word after an option that takes a value is the value, even if it looks like an option. */
	assert_int_equal(PARSE("--name", "--json", "stop"), 0);
	assert_string_equal(cli.flags.names, "--json");
	assert_int_equal(cli.flags.json, 0);
	/* '=' inside the value stays. */
	assert_int_equal(PARSE("--rootfs=/a=b", "start"), 0);
	assert_string_equal(cli.cfg.settings.rootfs_path, "/a=b");
}

static void test_empty_paths(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--rootfs=", "start"), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "--rootfs"));
	assert_int_equal(PARSE("--rootfs", "", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--rootfs-img=", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--pidfile=", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--config=", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--rootfs-img=/img/deb.img", "start"), 0);
	assert_string_equal(cli.cfg.settings.rootfs_img_path, "/img/deb.img");
	assert_string_equal(cli.cfg.settings.rootfs_path, "");

	/* Control characters would corrupt the line-based pidfile and saved config. */
	assert_int_equal(PARSE("--rootfs=/srv/a\nstarttime=0", "start"), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "control characters"));
	assert_int_equal(PARSE("--pidfile=/run/a\tb", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--rootfs=/srv/\x7f", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--rootfs=/srv/d\xc3\xa9"
			       "b",
			       "start"),
			 0); /* UTF-8 is fine */

	char *huge = malloc(PATH_MAX + 16);
	assert_non_null(huge);
	memset(huge, 'a', PATH_MAX + 15);
	huge[PATH_MAX + 15] = '\0';
	assert_int_equal(PARSE("--rootfs", huge, "start"), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "too long"));
	free(huge);
}

static void test_unknown_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--bogus", "start"), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "--bogus"));
	assert_int_equal(PARSE("start", "-z"), DS_EINVAL_MSG);
	/* Prefixes of long options are not abbreviations. */
	assert_int_equal(PARSE("--root=/x", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--names=x", "start"), DS_EINVAL_MSG);
	/* Flags take no value, long or short. */
	assert_int_equal(PARSE("--foreground=yes", "start"), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "takes no value"));
	assert_int_equal(PARSE("-fH", "start"), DS_EINVAL_MSG);
}

static void test_stop_timeout(void **state)
{
	(void)state;
	static const char *const bad[] = { "0", "3601", "abc", "5x", "", "-1", "1e3", "0x10", "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = PARSE("--stop-timeout", bad[i], "stop");
		if (r != DS_EINVAL_MSG)
			fail_msg("--stop-timeout '%s' gave %d, expected an error", bad[i], r);
	}
	assert_int_equal(PARSE("--stop-timeout", "10", "stop"), 0);
	assert_int_equal(cli.cfg.settings.stop_timeout, 10);
	assert_int_equal(PARSE("--stop-timeout=1", "stop"), 0);
	assert_int_equal(cli.cfg.settings.stop_timeout, 1);
	assert_int_equal(PARSE("-t3600", "stop"), 0);
	assert_int_equal(cli.cfg.settings.stop_timeout, 3600);
}

static void test_ttys(void **state)
{
	(void)state;
	for (int n = 0; n <= DS_MAX_TTYS; n++) {
		char v[8];
		snprintf(v, sizeof(v), "%d", n);
		assert_int_equal(PARSE("--ttys", v, "start"), 0);
		assert_int_equal(cli.cfg.settings.tty_count, n);
	}
	assert_int_equal(PARSE("--ttys=7", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--ttys=-1", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--ttys=two", "start"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("--ttys=", "start"), DS_EINVAL_MSG);
}

static void test_hostname(void **state)
{
	(void)state;
	char h64[65], h65[66];
	memset(h64, 'h', 64);
	h64[64] = '\0';
	memset(h65, 'h', 65);
	h65[65] = '\0';
	assert_int_equal(PARSE("--hostname=my-box.lan", "start"), 0);
	assert_string_equal(cli.cfg.settings.hostname, "my-box.lan");
	assert_int_equal(PARSE("--hostname", h64, "start"), 0);
	assert_string_equal(cli.cfg.settings.hostname, h64);

	static const char *const bad[] = { "", "-lead", ".lead", "trail-", "a..b", "a b", "a/b", "\xff", "h\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = PARSE("--hostname", bad[i], "start");
		if (r != DS_EINVAL_MSG)
			fail_msg("--hostname '%s' gave %d, expected an error", bad[i], r);
		assert_int_equal(ds_hostname_validate(bad[i]), -EINVAL);
	}
	assert_int_equal(PARSE("--hostname", h65, "start"), DS_EINVAL_MSG);
	assert_int_equal(ds_hostname_validate(h65), -EINVAL);
	assert_int_equal(ds_hostname_validate("Deb12"), 0);
}

static void test_dns(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--dns=1.1.1.1", "start"), 0);
	assert_string_equal(cli.cfg.settings.dns, "1.1.1.1");
	assert_int_equal(PARSE("--dns", "8.8.8.8,2001:4860:4860::8888", "start"), 0);
	assert_string_equal(cli.cfg.settings.dns, "8.8.8.8,2001:4860:4860::8888");
	assert_int_equal(PARSE("--dns=1.1.1.1,1.0.0.1,9.9.9.9,::1", "start"), 0);

	static const char *const bad[] = {
		"",
		"example.com",
		"1.1.1",
		"1.1.1.256",
		"1.1.1.1;8.8.8.8",
		"1.1.1.1 ",
		"1.1.1.1,1.0.0.1,9.9.9.9,8.8.8.8,8.8.4.4", /* five servers */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = PARSE("--dns", bad[i], "start");
		if (r != DS_EINVAL_MSG)
			fail_msg("--dns '%s' gave %d, expected an error", bad[i], r);
		assert_string_equal(cli.cfg.settings.dns, "");
	}
}

/* ---- ds_parse_binds -------------------------------------------------------------------- */

static struct ds_config bcfg;

static int binds(const char *spec)
{
	ds_settings_free(&bcfg.settings);
	ds_config_init(&bcfg);
	memset(&err, 0, sizeof(err));
	int r = ds_parse_binds(spec, &bcfg.settings, &err);
	if (r < 0) {
		assert_int_equal(err.code, r);
		assert_true(err.msg[0] != '\0');
	}
	return r;
}

static void test_binds_valid(void **state)
{
	(void)state;
	assert_int_equal(binds("a:/b"), 0);
	assert_int_equal(bcfg.settings.bind_count, 1);
	assert_string_equal(bcfg.settings.binds[0].src, "a");
	assert_string_equal(bcfg.settings.binds[0].dest, "/b");
	assert_int_equal(bcfg.settings.binds[0].read_only, 0);

	assert_int_equal(binds("a:/b:ro"), 0);
	assert_int_equal(bcfg.settings.bind_count, 1);
	assert_string_equal(bcfg.settings.binds[0].src, "a");
	assert_string_equal(bcfg.settings.binds[0].dest, "/b");
	assert_int_equal(bcfg.settings.binds[0].read_only, 1);

	assert_int_equal(binds("a:/b:rw"), 0);
	assert_int_equal(bcfg.settings.binds[0].read_only, 0);

	assert_int_equal(binds("a:/b,c:/d"), 0);
	assert_int_equal(bcfg.settings.bind_count, 2);
	assert_string_equal(bcfg.settings.binds[0].src, "a");
	assert_string_equal(bcfg.settings.binds[0].dest, "/b");
	assert_string_equal(bcfg.settings.binds[1].src, "c");
	assert_string_equal(bcfg.settings.binds[1].dest, "/d");

	assert_int_equal(binds("/host/data:/mnt/data:ro,/tmp:/tmp"), 0);
	assert_int_equal(bcfg.settings.bind_count, 2);
	assert_string_equal(bcfg.settings.binds[0].src, "/host/data");
	assert_string_equal(bcfg.settings.binds[0].dest, "/mnt/data");
	assert_int_equal(bcfg.settings.binds[0].read_only, 1);
	assert_int_equal(bcfg.settings.binds[1].read_only, 0);

	/* ".." only as a whole component is refused. */
	assert_int_equal(binds("a..b:/x..y"), 0);
	assert_string_equal(bcfg.settings.binds[0].dest, "/x..y");
}

static void test_binds_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",        "a",       ":/b",       "a:",  "a:rel",  "a:/../x",  "a:/b/..",
		"../a:/b", "a:/b:xx", "a:/b:ro:x", "a:/", "a:/b,c", "a:/b,:/c",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = binds(bad[i]);
		if (r != DS_EINVAL_MSG)
			fail_msg("ds_parse_binds(\"%s\") = %d, expected an error", bad[i], r);
	}
}

static void test_binds_limit(void **state)
{
	(void)state;
	char spec[2048] = "";
	for (int i = 0; i < DS_MAX_BINDS; i++)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s/s%d:/d%d", i ? "," : "", i, i);
	assert_int_equal(binds(spec), 0);
	assert_int_equal(bcfg.settings.bind_count, DS_MAX_BINDS);
	assert_string_equal(bcfg.settings.binds[31].dest, "/d31");
	strcat(spec, ",/s32:/d32");
	assert_int_equal(binds(spec), DS_EINVAL_MSG);
	assert_int_equal(bcfg.settings.bind_count, DS_MAX_BINDS);

	/* Repeated -B options accumulate. */
	assert_int_equal(PARSE("-B", "a:/b", "--bind-mount=c:/d:ro", "start"), 0);
	assert_int_equal(cli.cfg.settings.bind_count, 2);
	assert_string_equal(cli.cfg.settings.binds[1].dest, "/d");
	assert_int_equal(cli.cfg.settings.binds[1].read_only, 1);
}

/* ---- run passthrough, "--", --help/--version ---------------------------------------------- */

static void test_run_passthrough(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--name=x", "run", "ls", "-la", "--foo"), 0);
	assert_string_equal(cli.command, "run");
	assert_string_equal(cli.flags.names, "x");
	assert_int_equal(cli.argc, 3);
	assert_string_equal(cli.argv[0], "ls");
	assert_string_equal(cli.argv[1], "-la");
	assert_string_equal(cli.argv[2], "--foo");
	assert_null(cli.argv[3]);

	/* Options of ours after the command word belong to the command. */
	assert_int_equal(PARSE("run", "--name=x", "sh", "-c", "echo", "--name=y", "--json"), 0);
	assert_string_equal(cli.flags.names, "x");
	assert_int_equal(cli.flags.json, 0);
	assert_int_equal(cli.argc, 5);
	assert_string_equal(cli.argv[0], "sh");
	assert_string_equal(cli.argv[3], "--name=y");
	assert_string_equal(cli.argv[4], "--json");

	/* Other commands keep parsing options after positionals. */
	assert_int_equal(PARSE("show", "x", "--json"), 0);
	assert_int_equal(cli.flags.json, 1);
	assert_int_equal(cli.argc, 1);
}

static void test_double_dash(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--name=x", "run", "--", "--weird", "-la"), 0);
	assert_string_equal(cli.command, "run");
	assert_int_equal(cli.argc, 2);
	assert_string_equal(cli.argv[0], "--weird");
	assert_string_equal(cli.argv[1], "-la");

	/* "--" before the command: even the command word is positional. */
	assert_int_equal(PARSE("--", "--json"), 0);
	assert_string_equal(cli.command, "--json");
	assert_int_equal(cli.flags.json, 0);

	/* A lone "-" is a positional argument. */
	assert_int_equal(PARSE("show", "-"), 0);
	assert_int_equal(cli.argc, 1);
	assert_string_equal(cli.argv[0], "-");
}

static void test_help_version(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--version"), 0);
	assert_int_equal(cli.flags.version, 1);
	assert_int_equal(cli.flags.help, 0);
	assert_null(cli.command);
	assert_int_equal(PARSE("-v"), 0);
	assert_int_equal(cli.flags.version, 1);
	assert_int_equal(PARSE("--help"), 0);
	assert_int_equal(cli.flags.help, 1);
	assert_int_equal(cli.flags.version, 0);
	assert_int_equal(PARSE("start", "-h"), 0);
	assert_int_equal(cli.flags.help, 1);
	assert_string_equal(cli.command, "start");
	assert_int_equal(PARSE("--help=1"), DS_EINVAL_MSG);
}

static void test_flags(void **state)
{
	(void)state;
	assert_int_equal(PARSE("start", "--enable-ipv6", "--enable-android-storage", "--selinux-permissive", "-V",
			       "--json", "-H", "-f"),
			 0);
	assert_int_equal(cli.cfg.settings.enable_ipv6, 1);
	assert_int_equal(cli.cfg.settings.android_storage, 1);
	assert_int_equal(cli.cfg.settings.selinux_permissive, 1);
	assert_int_equal(cli.cfg.settings.volatile_mode, 1);
	assert_int_equal(cli.flags.json, 1);
	assert_int_equal(cli.cfg.settings.hw_access, 1);
	assert_int_equal(cli.cfg.settings.foreground, 1);
	assert_int_equal(PARSE("-C", "/etc/ds.conf", "-p", "/run/x.pid", "-i", "/img", "start"), 0);
	assert_string_equal(cli.cfg.settings.config_file, "/etc/ds.conf");
	assert_string_equal(cli.cfg.pidfile, "/run/x.pid");
	assert_string_equal(cli.cfg.settings.rootfs_img_path, "/img");

	assert_int_equal(PARSE("stop", "-a"), 0);
	assert_int_equal(cli.flags.all, 1);
	assert_int_equal(PARSE("stop", "--all"), 0);
	assert_int_equal(cli.flags.all, 1);
	assert_int_equal(PARSE("logs", "--follow"), 0);
	assert_int_equal(cli.cfg.settings.foreground, 1);
	assert_int_equal(PARSE("run", "-u", "alice", "id"), 0);
	assert_string_equal(cli.flags.user, "alice");
	assert_int_equal(cli.argc, 1);
	assert_int_equal(PARSE("run", "--user=a:b", "id"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("run", "--user=4294967296", "id"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("run", "--user=1000:100", "id"), 0);
	assert_int_equal(PARSE("run", "--user=", "id"), DS_EINVAL_MSG);
}

static void test_keep_caps(void **state)
{
	(void)state;
	char names[256];
	assert_int_equal(PARSE("start", "--keep-caps=sys_time,CAP_SYS_MODULE", "--keep-net-admin"), 0);
	assert_true(cli.cfg.settings.keep_caps == ((1ULL << 25) | (1ULL << 16) | (1ULL << 12)));
	ds_caps_format_keep(cli.cfg.settings.keep_caps, names, sizeof(names));
	assert_string_equal(names, "net_admin,sys_module,sys_time");
	/* repeated options add up; all is every dropped one, and nothing else */
	assert_int_equal(PARSE("start", "--keep-caps=audit_read", "--keep-caps", "mac_admin"), 0);
	assert_true(cli.cfg.settings.keep_caps == ((1ULL << 37) | (1ULL << 33)));
	assert_int_equal(PARSE("start", "--keep-caps=all"), 0);
	ds_caps_format_keep(cli.cfg.settings.keep_caps, names, sizeof(names));
	assert_string_equal(names,
			    "net_admin,sys_module,sys_rawio,sys_time,audit_control,mac_override,mac_admin,audit_read");
	/* not droppable, unknown, empty: refused with the list */
	assert_int_equal(PARSE("start", "--keep-caps=sys_admin"), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "'sys_admin' is not one of the capabilities droidspaces drops"));
	assert_int_equal(PARSE("start", "--keep-caps=sys_time,bogus"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--keep-caps="), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--keep-caps=,"), DS_EINVAL_MSG);
}

/* --privileged=seccomp|all; anything else is refused with the list of pieces. */
static void test_privileged(void **state)
{
	(void)state;
	char names[64];
	assert_int_equal(PARSE("start", "--privileged=seccomp"), 0);
	assert_int_equal(cli.cfg.settings.privileged, DS_PRIV_SECCOMP);
	assert_int_equal(PARSE("start", "--privileged=all"), 0);
	assert_int_equal(cli.cfg.settings.privileged, DS_PRIV_ALL);
	ds_privileged_format(cli.cfg.settings.privileged, names, sizeof(names));
	assert_string_equal(names, "seccomp,devices");
	assert_int_equal(PARSE("start", "--privileged=devices,seccomp"), 0);
	assert_int_equal(cli.cfg.settings.privileged, DS_PRIV_SECCOMP | DS_PRIV_DEVICES);
	assert_int_equal(PARSE("start"), 0);
	assert_int_equal(cli.cfg.settings.privileged, 0);
	assert_int_equal(PARSE("start", "--privileged=bogus"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--privileged="), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--privileged=seccomp,"), DS_EINVAL_MSG);
	/* a small buffer is cut at a name, never mid-way */
	ds_caps_format_keep(~0ULL, names, 20);
	assert_string_equal(names, "net_admin");
	ds_caps_format_keep(~0ULL, names, 21);
	assert_string_equal(names, "net_admin,sys_module");
}

static void test_too_many_args(void **state)
{
	(void)state;
	static const char *args[DS_MAX_ARGS + 4];
	args[0] = "droidspaces";
	args[1] = "show";
	for (int i = 0; i < DS_MAX_ARGS; i++)
		args[2 + i] = "p";
	args[2 + DS_MAX_ARGS] = NULL;
	assert_int_equal(parse_args(args), 0);
	assert_int_equal(cli.argc, DS_MAX_ARGS);
	assert_null(cli.argv[DS_MAX_ARGS]);
	args[2 + DS_MAX_ARGS] = "p";
	args[3 + DS_MAX_ARGS] = NULL;
	assert_int_equal(parse_args(args), DS_EINVAL_MSG);
}

/* --private-users: the value is optional and comes only with '=' (or glued to -U). */
static void test_private_users(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--private-users", "start"), 0);
	assert_string_equal(cli.command, "start");
	assert_int_equal(cli.cfg.settings.userns.mode, DS_USERNS_AUTO);
	assert_int_equal(PARSE("start", "-U", "--name=x"), 0);
	assert_int_equal(cli.cfg.settings.userns.mode, DS_USERNS_AUTO);
	assert_int_equal(PARSE("start", "--private-users=auto"), 0);
	assert_int_equal(cli.cfg.settings.userns.mode, DS_USERNS_AUTO);
	assert_int_equal(PARSE("start", "-U655360:1000"), 0);
	assert_int_equal(cli.cfg.settings.userns.mode, DS_USERNS_FIXED);
	assert_int_equal(cli.cfg.settings.userns.base, 655360);
	assert_int_equal(cli.cfg.settings.userns.size, 1000);
	assert_int_equal(PARSE("start", "--private-users=no"), 0);
	assert_int_equal(cli.cfg.settings.userns.mode, DS_USERNS_OFF);
	assert_true(cli.cfg.settings.set != 0); /* given: it wins over a saved range */
	assert_int_equal(PARSE("start"), 0);
	assert_int_equal(cli.cfg.settings.userns.mode, DS_USERNS_OFF);
	assert_int_equal(PARSE("start", "--private-users=0"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--private-users=x"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("stop", "--private-users"), 0); /* parsed; the verb refuses it */
}

/* --wait: alone the default, =SECS 1-86400, a command-line flag (never a saved key). */
static void test_wait(void **state)
{
	(void)state;
	assert_int_equal(PARSE("start"), 0);
	assert_int_equal(cli.flags.wait, 0);
	assert_int_equal(PARSE("start", "--wait"), 0);
	assert_int_equal(cli.flags.wait, DS_WAIT_DEFAULT);
	assert_int_equal(PARSE("--wait=5", "start"), 0);
	assert_int_equal(cli.flags.wait, 5);
	assert_int_equal(PARSE("start", "--wait=86400"), 0);
	assert_int_equal(cli.flags.wait, 86400);
	/* --wait takes no separate word: "30" is the command's argument. */
	assert_int_equal(PARSE("start", "--wait", "30"), 0);
	assert_int_equal(cli.flags.wait, DS_WAIT_DEFAULT);
	assert_int_equal(cli.argc, 1);
	assert_int_equal(PARSE("start", "--wait=0"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--wait=86401"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--wait=-1"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--wait=1x"), DS_EINVAL_MSG);
	assert_int_equal(PARSE("start", "--wait=x"), DS_EINVAL_MSG);
	assert_null(ds_setting_by_name("wait", 4)->key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_options_before_and_after_command),
		cmocka_unit_test(test_name_forms),
		cmocka_unit_test(test_value_is_taken_verbatim),
		cmocka_unit_test(test_empty_paths),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_stop_timeout),
		cmocka_unit_test(test_ttys),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_binds_valid),
		cmocka_unit_test(test_binds_invalid),
		cmocka_unit_test(test_binds_limit),
		cmocka_unit_test(test_run_passthrough),
		cmocka_unit_test(test_double_dash),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_too_many_args),
		cmocka_unit_test(test_keep_caps),
		cmocka_unit_test(test_privileged),
		cmocka_unit_test(test_private_users),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
