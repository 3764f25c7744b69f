/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/options.h"
#include "core/attach.h"
#include "core/caps.h"
#include "core/seccomp.h"
#include "core/state.h"
#include "core/validate.h"
#include "util/fileio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_id {
	OPT_ROOTFS, OPT_IMG, OPT_NAME, OPT_HOSTNAME, OPT_PIDFILE, OPT_FOREGROUND, OPT_HW,
	OPT_IPV6, OPT_STORAGE, OPT_SELINUX, OPT_VOLATILE, OPT_BIND, OPT_DNS, OPT_CONFIG,
	OPT_JSON, OPT_TIMEOUT, OPT_TTYS, OPT_HELP, OPT_VERSION, OPT_USER, OPT_FOLLOW, OPT_ALL, OPT_NETADMIN, OPT_KEEPCAPS, OPT_PRIVILEGED,
};

static const struct {
	const char *name;
	char shortopt;
	int has_arg;
	enum opt_id id;
} options[] = {
	{ "rootfs", 'r', 1, OPT_ROOTFS },
	{ "rootfs-img", 'i', 1, OPT_IMG },
	{ "name", 'n', 1, OPT_NAME },
	{ "hostname", 0, 1, OPT_HOSTNAME },
	{ "pidfile", 'p', 1, OPT_PIDFILE },
	{ "foreground", 'f', 0, OPT_FOREGROUND },
	{ "hw-access", 'H', 0, OPT_HW },
	{ "enable-ipv6", 0, 0, OPT_IPV6 },
	{ "enable-android-storage", 0, 0, OPT_STORAGE },
	{ "selinux-permissive", 0, 0, OPT_SELINUX },
	{ "volatile", 'V', 0, OPT_VOLATILE },
	{ "bind-mount", 'B', 1, OPT_BIND },
	{ "dns", 0, 1, OPT_DNS },
	{ "config", 'C', 1, OPT_CONFIG },
	{ "json", 0, 0, OPT_JSON },
	{ "stop-timeout", 't', 1, OPT_TIMEOUT },
	{ "ttys", 0, 1, OPT_TTYS },
	{ "user", 'u', 1, OPT_USER },
	{ "follow", 0, 0, OPT_FOLLOW },
	{ "all", 'a', 0, OPT_ALL },
	{ "keep-net-admin", 0, 0, OPT_NETADMIN },
	{ "keep-caps", 0, 1, OPT_KEEPCAPS },
	{ "privileged", 0, 1, OPT_PRIVILEGED },
	{ "help", 'h', 0, OPT_HELP },
	{ "version", 'v', 0, OPT_VERSION },
};

static int bad(struct ds_error *err, const char *opt, const char *val, const char *why)
{
	return ds_fail(err, DS_EINVAL_MSG, "--%s: invalid value '%.80s': %s", opt, val, why);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int copy_path(char *dst, size_t size, const char *opt, const char *val, struct ds_error *err)
{
	if (!val[0])
		return bad(err, opt, val, "empty path");
	if (strlen(val) >= size)
		return bad(err, opt, val, "path too long");
	for (const char *c = val; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return bad(err, opt, val, "control characters are not allowed in paths");
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int apply(struct ds_cli *cli, enum opt_id id, const char *name, const char *val,
		 struct ds_error *err)
{
	struct ds_config *cfg = &cli->cfg;
	long v;
	switch (id) {
	case OPT_ROOTFS: return copy_path(cfg->rootfs_path, sizeof(cfg->rootfs_path), name, val, err);
	case OPT_IMG: return copy_path(cfg->rootfs_img_path, sizeof(cfg->rootfs_img_path), name, val, err);
	case OPT_PIDFILE: return copy_path(cfg->pidfile, sizeof(cfg->pidfile), name, val, err);
	case OPT_CONFIG: return copy_path(cfg->config_file, sizeof(cfg->config_file), name, val, err);
	case OPT_NAME:
		if (!val[0] || strlen(val) >= sizeof(cfg->names))
			return bad(err, name, val, "expected NAME or NAME,NAME,...");
		strcpy(cfg->names, val);
		return 0;
	case OPT_HOSTNAME:
		if (ds_hostname_validate(val) < 0)
			return bad(err, name, val, "use 1-64 characters of A-Z a-z 0-9 - . _");
		strcpy(cfg->hostname, val);
		return 0;
	case OPT_DNS: return ds_parse_dns(val, cfg, err);
	case OPT_BIND: return ds_parse_binds(val, cfg, err);
	case OPT_TIMEOUT:
		if (parse_int(val, 1, 3600, &v) < 0)
			return bad(err, name, val, "expected seconds, 1-3600");
		cfg->stop_timeout = (int)v;
		cfg->stop_timeout_set = 1;
		return 0;
	case OPT_TTYS:
		if (parse_int(val, 0, DS_MAX_TTYS, &v) < 0)
			return bad(err, name, val, "expected 0-6");
		cfg->tty_count = (int)v;
		cfg->tty_count_set = 1;
		return 0;
	case OPT_FOREGROUND: cfg->foreground = 1; return 0;
	case OPT_HW: cfg->hw_access = 1; return 0;
	case OPT_IPV6: cfg->enable_ipv6 = 1; return 0;
	case OPT_STORAGE: cfg->android_storage = 1; return 0;
	case OPT_SELINUX: cfg->selinux_permissive = 1; return 0;
	case OPT_VOLATILE: cfg->volatile_mode = 1; return 0;
	case OPT_JSON: cfg->json = 1; return 0;
	case OPT_USER: {
		struct ds_user_spec u;
		const char *why = ds_user_parse(val, &u);
		if (why)
			return bad(err, name, val, why);
		cli->user = val;
		return 0;
	}
	case OPT_FOLLOW: cfg->foreground = 1; return 0; /* logs -f and --follow share the flag */
	case OPT_ALL: cli->all = 1; return 0;
	case OPT_NETADMIN: cfg->keep_caps |= 1ULL << CAP_NET_ADMIN; return 0;
	case OPT_KEEPCAPS: {
		unsigned long long m;
		int r = ds_caps_parse_keep(val, &m, err);
		if (r == 0)
			cfg->keep_caps |= m;
		return r;
	}
	case OPT_PRIVILEGED: {
		unsigned m;
		int r = ds_privileged_parse(val, &m, err);
		if (r == 0)
			cfg->privileged |= m;
		return r;
	}
	case OPT_HELP: cli->help = 1; return 0;
	case OPT_VERSION: cli->version = 1; return 0;
	}
	return -EINVAL;
}

int ds_cli_parse(int argc, char **argv, struct ds_cli *cli, struct ds_error *err)
{
	memset(cli, 0, sizeof(*cli));
	ds_config_init(&cli->cfg);
	int only_positional = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		/* `run NAME-less CMD ARGS...`: once the command word came, the rest is the command's. */
		int passthrough = cli->command && (strcmp(cli->command, "run") == 0 || strcmp(cli->command, "exec") == 0) &&
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
		int found = 0;
		for (size_t k = 0; k < sizeof(options) / sizeof(options[0]) && !found; k++) {
			const char *val = NULL;
			if (a[1] == '-') {
				size_t n = strlen(options[k].name);
				if (strncmp(a + 2, options[k].name, n) != 0 || (a[2 + n] != '\0' && a[2 + n] != '='))
					continue;
				if (a[2 + n] == '=') {
					if (!options[k].has_arg)
						return ds_fail(err, DS_EINVAL_MSG, "option --%s takes no value", options[k].name);
					val = a + 3 + n;
				}
			} else {
				if (!options[k].shortopt || a[1] != options[k].shortopt)
					continue;
				if (a[2] != '\0') {
					if (!options[k].has_arg)
						return ds_fail(err, DS_EINVAL_MSG, "unknown option '%.80s'", a);
					val = a + 2;
				}
			}
			found = 1;
			if (options[k].has_arg && !val) {
				if (i + 1 >= argc)
					return ds_fail(err, DS_EINVAL_MSG, "option --%s needs a value", options[k].name);
				val = argv[++i];
			}
			int r = apply(cli, options[k].id, options[k].name, val ? val : "", err);
			if (r < 0)
				return r;
		}
		if (!found)
			return ds_fail(err, DS_EINVAL_MSG, "unknown option '%.80s' (see --help)", a);
	}
	cli->argv[cli->argc] = NULL;
	return 0;
}
