/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the command line: the input is split on NUL bytes
 * into argv[1..63] for ds_cli_parse; the whole input (up to its first NUL)
 * also goes to ds_parse_binds, ds_parse_dns and ds_hostname_validate. Checks the
 * invariants the rest of the program relies on after a successful parse.
 */
#include "cli/options.h"

#include "fuzz.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGV 64

/* Static: what one input parsed is freed at the next. */
static struct ds_cli cli;
static struct ds_settings cfg;

static int terminated(const char *s, size_t size) { return memchr(s, '\0', size) != NULL; }

static void check_binds(const struct ds_settings *c)
{
	CHECK(c->bind_count >= 0 && c->bind_count <= DS_MAX_BINDS);
	for (int i = 0; i < c->bind_count; i++) {
		const struct ds_bind *b = &c->binds[i];
		CHECK(b->src && b->dest && strlen(b->src) < PATH_MAX && strlen(b->dest) < PATH_MAX);
		CHECK(b->src[0] != '\0');
		CHECK(b->dest[0] == '/' && strcmp(b->dest, "/") != 0);
		CHECK(b->read_only == 0 || b->read_only == 1);
	}
}

/* Paths end up in line-based files (pidfile, saved config): no control characters. */
static int clean_path(const char *s, size_t size)
{
	if (!terminated(s, size))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void check_cli(void)
{
	const struct ds_settings *c = &cli.cfg.settings;
	CHECK(cli.argc >= 0 && cli.argc <= DS_MAX_ARGS);
	CHECK(cli.argv[cli.argc] == NULL);
	CHECK(c->stop_timeout >= 1 && c->stop_timeout <= 3600);
	CHECK(c->tty_count >= 0 && c->tty_count <= DS_MAX_TTYS);
	CHECK(terminated(c->hostname, sizeof(c->hostname)));
	CHECK(c->hostname[0] == '\0' || ds_hostname_validate(c->hostname) == 0);
	CHECK(clean_path(c->rootfs_path, sizeof(c->rootfs_path)));
	CHECK(clean_path(c->rootfs_img_path, sizeof(c->rootfs_img_path)));
	CHECK(clean_path(cli.cfg.pidfile, sizeof(cli.cfg.pidfile)));
	CHECK(clean_path(c->config_file, sizeof(c->config_file)));
	CHECK(!cli.flags.names || (cli.flags.names[0] && strlen(cli.flags.names) < 4096));
	CHECK(terminated(c->dns, sizeof(c->dns)));
	check_binds(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size);
	if (!buf)
		return 0;

	/* argv[0] is the program name; the pieces between NULs follow. */
	char *argv[MAX_ARGV + 1];
	int argc = 0;
	argv[argc++] = "droidspaces";
	for (size_t i = 0; i < size && argc < MAX_ARGV;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;

	struct ds_error err = { 0 };
	ds_cli_free(&cli);
	int r = ds_cli_parse(argc, argv, &cli, &err);
	if (r < 0) {
		CHECK(err.code == r);
		CHECK(err.msg[0] != '\0' && terminated(err.msg, sizeof(err.msg)));
	} else {
		CHECK(r == 0 && err.code == 0);
		check_cli();
	}

	/* The raw input as one --bind-mount value. */
	ds_settings_free(&cfg);
	ds_settings_init(&cfg);
	struct ds_error berr = { 0 };
	r = ds_parse_binds(buf, &cfg, &berr);
	if (r < 0)
		CHECK(berr.code == r && berr.msg[0] != '\0');
	else
		CHECK(r == 0);
	check_binds(&cfg);

	/* ... and as one --dns value. */
	ds_settings_free(&cfg);
	ds_settings_init(&cfg);
	struct ds_error derr = { 0 };
	r = ds_parse_dns(buf, &cfg, &derr);
	if (r < 0) {
		CHECK(derr.code == r && derr.msg[0] != '\0');
		CHECK(cfg.dns[0] == '\0');
	} else {
		CHECK(r == 0 && strcmp(cfg.dns, buf) == 0);
	}

	int h = ds_hostname_validate(buf);
	CHECK(h == 0 || h == -EINVAL);
	if (h == 0)
		CHECK(buf[0] != '\0' && strlen(buf) <= DS_NAME_MAX);

	free(buf);
	return 0;
}
