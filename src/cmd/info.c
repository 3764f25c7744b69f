/* SPDX-License-Identifier: GPL-3.0-or-later */
/* status, info, show and scan: tables for people, --json for programs. */
#include "cmd/cmd.h"
#include "core/facts.h"
#include "core/halt.h"
#include "core/inventory.h"
#include "core/netopts.h"
#include "core/ready.h"
#include "core/reap.h"
#include "core/saved.h"
#include "core/state.h"
#include "core/userns.h"
#include "core/validate.h"
#include "host/netlink.h"
#include "util/json.h"
#include "util/macros.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Resolves the name; exit status 1 (stopped) on failure, as scripts expect of status. */
static int resolve(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (ds_cmd_resolve_name(cli, 1, &err) < 0) {
		ds_report(&err);
		return -1;
	}
	return 0;
}

/* The readiness record of running container name (core/ready.h): 1 read, 0 none, < 0 not a record. */
static int read_ready(const struct ds_config *cfg, const char *name, struct ds_ready *r)
{
	char path[PATH_MAX];
	if (ds_workspace_path(cfg->workspace, DS_WS_READY, name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	return ds_ready_read(path, r);
}

static void json_ready(struct ds_json *j, int rc, const struct ds_ready *r)
{
	int ready = rc == 1 && r->ready;
	ds_json_bool(j, "ready", ready);
	ds_json_string(j, "ready_by", ready ? ds_ready_by_name(r->by) : NULL);
	if (ready)
		ds_json_int(j, "ready_ms", r->ms);
	else
		ds_json_string(j, "ready_ms", NULL);
	ds_json_string(j, "notify_status", rc == 1 && r->status[0] ? r->status : NULL);
}

static void print_ready(const char *name, int rc, const struct ds_ready *r)
{
	if (rc < 0)
		printf("Ready:       unknown (Pids/%s.ready is not a readiness record)\n", name);
	else if (rc == 1 && r->ready)
		printf("Ready:       yes, by %s, %lld ms after boot\n", ds_ready_by_text(r->by), r->ms);
	else
		printf("Ready:       no\n");
	if (rc == 1 && r->status[0])
		printf("Status:      %s\n", r->status);
}

int cmd_status(struct ds_cli *cli)
{
	if (resolve(cli) < 0)
		return 1;
	struct ds_state st;
	int live = ds_state_read_live(cli->cfg.pidfile, &st) == 1;
	struct ds_ready rd;
	int rc = live ? read_ready(&cli->cfg, cli->cfg.container_name, &rd) : 0;
	if (cli->flags.json) {
		struct ds_json j;
		ds_json_init(&j, stdout);
		ds_json_object_begin(&j, NULL);
		ds_json_string(&j, "name", cli->cfg.container_name);
		ds_json_string(&j, "state", live ? "running" : "stopped");
		if (live) {
			ds_json_int(&j, "pid", st.pid);
			ds_json_string(&j, "init", ds_init_kind_name(ds_init_detect(st.pid)));
			json_ready(&j, rc, &rd);
		}
		ds_json_object_end(&j);
	} else if (live) {
		/* The first line stays as scripts read it; readiness follows. */
		printf("%s: running (pid %d, init %s)\n", cli->cfg.container_name, (int)st.pid,
		       ds_init_kind_name(ds_init_detect(st.pid)));
		print_ready(cli->cfg.container_name, rc, &rd);
	} else {
		printf("%s: stopped\n", cli->cfg.container_name);
	}
	return live ? 0 : 1;
}

/* A count of the cgroup's, or null where the kernel does not count it. */
static void json_count(struct ds_json *j, const char *key, long long v)
{
	if (v < 0)
		ds_json_string(j, key, NULL);
	else
		ds_json_int(j, key, v);
}

/* --net: the mode, nat's address and forwards ("network": {...} in JSON). */
static void json_network(struct ds_json *j, int mode, unsigned addr, const struct ds_ports *ports)
{
	char a[16], p[32];
	ds_ipv4_format(addr, a, sizeof(a));
	ds_json_object_begin(j, "network");
	ds_json_string(j, "mode", ds_net_mode_name(mode));
	ds_json_string(j, "address", mode == DS_NET_NAT && addr ? a : NULL);
	ds_json_array_begin(j, "ports");
	for (int i = 0; i < ports->count; i++) {
		ds_port_format(&ports->p[i], p, sizeof(p));
		ds_json_string(j, NULL, p);
	}
	ds_json_array_end(j);
	ds_json_object_end(j);
}

static void print_network(int mode, unsigned addr, const struct ds_ports *ports)
{
	char a[16], p[32];
	ds_ipv4_format(addr, a, sizeof(a));
	printf("Network:     %s", ds_net_mode_name(mode));
	if (mode == DS_NET_NAT && addr)
		printf(" %s", a);
	for (int i = 0; i < ports->count; i++) {
		ds_port_format(&ports->p[i], p, sizeof(p));
		printf("%s%s", i ? ", " : " (ports ", p);
	}
	printf("%s\n", ports->count ? ")" : "");
}

static void print_limits(const struct ds_limits *l)
{
	char mem[32], cpus[32], line[160] = "";
	ds_size_format(l->memory, mem, sizeof(mem));
	ds_cpus_format(l->cpus_milli, cpus, sizeof(cpus));
	size_t n = 0;
	if (l->memory)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  memory %s", mem);
	if (l->cpus_milli && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  cpus %s", cpus);
	if (l->pids && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  pids %d", l->pids);
	if (l->cpu_weight && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  cpu-weight %d", l->cpu_weight);
	if (l->io_weight && n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "  io-weight %d", l->io_weight);
	printf("Limits:      %s\n", line[0] ? line + 2 : "none");
}

static void print_usage(const struct ds_cg_usage *u)
{
	printf("Usage:       memory ");
	if (u->memory >= 0)
		printf("%.1fM", (double)u->memory / (1 << 20));
	else
		printf("(not counted)");
	printf("  pids ");
	if (u->pids >= 0)
		printf("%lld", u->pids);
	else
		printf("(not counted)");
	printf("  cpu ");
	if (u->cpu_usec >= 0)
		printf("%.2fs\n", (double)u->cpu_usec / 1e6);
	else
		printf("(not counted)\n");
}

int cmd_info(struct ds_cli *cli)
{
	if (resolve(cli) < 0)
		return 1;
	struct ds_facts f;
	int g = ds_facts_gather(&cli->cfg, &f);
	if (g < 0) {
		struct ds_error err = { 0 };
		char path[PATH_MAX];
		if (g == -2 && ds_saved_path(&cli->cfg, cli->cfg.container_name, path, sizeof(path)) == 0)
			ds_fail(&err, DS_EINVAL_MSG, "the saved settings of %s cannot be read (see %s)",
				cli->cfg.container_name, path);
		else
			ds_fail(&err, DS_EINVAL_MSG, "no container named %s (neither running nor saved)",
				cli->cfg.container_name);
		return ds_report(&err);
	}
	/* --private-users: "no", "auto" (stopped, a range not yet known) or BASE:SIZE. */
	char users[32], shifted[64];
	ds_userns_format(&f.userns, users, sizeof(users));
	struct ds_ready rd;
	int rc = f.pid ? read_ready(&cli->cfg, f.name, &rd) : 0;
	/* --private-users-ownership=chown: "" (the rootfs's own ids), BASE:SIZE, or shifting:FROM:BASE:SIZE. */
	ds_userns_shift_format(&f.shift, shifted, sizeof(shifted));
	if (cli->flags.json) {
		struct ds_json j;
		ds_json_init(&j, stdout);
		ds_json_object_begin(&j, NULL);
		ds_json_string(&j, "name", f.name);
		ds_json_string(&j, "state", f.state);
		if (f.pid) {
			ds_json_int(&j, "pid", f.pid);
			ds_json_int(&j, "uptime_seconds", f.uptime);
			ds_json_string(&j, "init", f.init);
			ds_json_string(&j, "cgroup", f.cgroup);
			json_ready(&j, rc, &rd);
		}
		ds_json_string(&j, "hostname", f.hostname);
		ds_json_string(&j, "rootfs", f.rootfs);
		ds_json_object_begin(&j, "os");
		ds_json_string(&j, "id", f.os_id);
		ds_json_string(&j, "version_id", f.os_version);
		ds_json_string(&j, "pretty_name", f.os);
		ds_json_object_end(&j);
		ds_json_object_begin(&j, "features");
		ds_json_bool(&j, "hw_access", f.hw_access);
		ds_json_bool(&j, "volatile", f.volatile_mode);
		ds_json_bool(&j, "image", f.image);
		ds_json_int(&j, "bind_mounts", f.binds);
		ds_json_string(&j, "private_users", users);
		ds_json_string(&j, "private_users_shift", shifted);
		ds_json_bool(&j, "ipv6", f.ipv6);
		ds_json_bool(&j, "android_storage", f.android_storage);
		ds_json_bool(&j, "selinux_enforcing", f.selinux_enforcing);
		if (f.pid) {
			ds_json_bool(&j, "seccomp", f.seccomp_filtered);
			ds_json_bool(&j, "device_policy", f.devices != DS_DEV_NONE);
		}
		ds_json_object_end(&j);
		/* 0: no limit. */
		json_network(&j, f.net_mode, f.net_addr, &f.ports);
		ds_json_object_begin(&j, "limits");
		ds_json_int(&j, "memory_bytes", f.limits.memory);
		ds_json_int(&j, "cpus_milli", f.limits.cpus_milli);
		ds_json_int(&j, "pids", f.limits.pids);
		ds_json_int(&j, "cpu_weight", f.limits.cpu_weight);
		ds_json_int(&j, "io_weight", f.limits.io_weight);
		ds_json_object_end(&j);
		if (f.pid) {
			ds_json_object_begin(&j, "usage");
			json_count(&j, "memory_bytes", f.usage.memory);
			json_count(&j, "pids", f.usage.pids);
			json_count(&j, "cpu_usec", f.usage.cpu_usec);
			ds_json_object_end(&j);
		}
		ds_json_object_end(&j);
		return 0;
	}
	printf("Name:        %s\n", f.name);
	printf("State:       %s\n", f.state);
	if (f.pid) {
		printf("PID:         %d\n", (int)f.pid);
		printf("Uptime:      %ldd %02ld:%02ld:%02ld\n", f.uptime / 86400, f.uptime / 3600 % 24,
		       f.uptime / 60 % 60, f.uptime % 60);
		printf("Init:        %s\n", f.init);
		printf("Cgroup:      %s\n", f.cgroup);
		print_ready(f.name, rc, &rd);
	}
	printf("Hostname:    %s\n", f.hostname);
	printf("Rootfs:      %s\n", f.rootfs);
	printf("OS:          %s\n", f.os[0] ? f.os : "(unknown)");
	printf("HW access:   %s\n", f.hw_access ? "yes" : "no");
	printf("Volatile:    %s\n", f.volatile_mode ? "yes" : "no");
	printf("Image:       %s\n", f.image ? "yes" : "no");
	printf("Bind mounts: %d\n", f.binds);
	printf("Private users: %s\n", users);
	if (shifted[0])
		printf("Rootfs ids:  %s%s (shifted on disk: --private-users-ownership=chown)\n",
		       f.shift.state == DS_SHIFT_SHIFTING ? "interrupted shift " : "", shifted);
	printf("IPv6:        %s\n", f.ipv6 ? "enabled" : "disabled");
	print_network(f.net_mode, f.net_addr, &f.ports);
	printf("Android storage: %s\n", f.android_storage ? "yes" : "no");
	printf("SELinux:     %s\n", f.selinux_enforcing ? "enforcing" : "not enforcing");
	if (f.pid) {
		printf("Seccomp:     %s\n", f.seccomp_filtered ? "filtered" : "off");
		printf("Devices:     %s\n", ds_devpolicy_name(f.devices));
	}
	print_limits(&f.limits);
	if (f.pid)
		print_usage(&f.usage);
	return 0;
}

static int utf8_terminal(void)
{
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	return isatty(STDOUT_FILENO) && cs && strcmp(cs, "UTF-8") == 0;
}

#define COLS 5
static void rule(int utf8, const char *l, const char *m, const char *r, const int *w)
{
	fputs(utf8 ? l : "+", stdout);
	for (int c = 0; c < COLS; c++) {
		for (int i = 0; i < w[c] + 2; i++)
			fputs(utf8 ? "─" : "-", stdout);
		fputs(c + 1 < COLS ? (utf8 ? m : "+") : (utf8 ? r : "+"), stdout);
	}
	fputc('\n', stdout);
}

static void row(int utf8, const int *w, char cells[COLS][PATH_MAX])
{
	const char *bar = utf8 ? "│" : "|";
	for (int c = 0; c < COLS; c++)
		printf("%s %-*s ", bar, w[c], cells[c]);
	printf("%s\n", bar);
}

int cmd_show(struct ds_cli *cli)
{
	struct ds_entry *v = NULL;
	/* Stale pidfiles (after a host reboot, say) are tidied up first. */
	ds_reap_stale(&cli->cfg);
	int n = ds_inventory_list(&cli->cfg, 1, &v);
	if (n < 0) {
		struct ds_error err = { 0 };
		ds_fail(&err, n, "cannot list containers");
		return ds_report(&err);
	}
	if (cli->flags.json) {
		struct ds_json j;
		ds_json_init(&j, stdout);
		ds_json_object_begin(&j, NULL);
		ds_json_array_begin(&j, "containers");
		_cleanup_saved_ struct ds_saved *saved = ds_saved_new();
		for (int i = 0; i < n; i++) {
			ds_json_object_begin(&j, NULL);
			ds_json_string(&j, "name", v[i].name);
			ds_json_string(&j, "state", v[i].running ? "running" : "stopped");
			if (v[i].running) {
				ds_json_int(&j, "pid", v[i].st.pid);
				ds_json_string(&j, "init", ds_init_kind_name(ds_init_detect(v[i].st.pid)));
				ds_json_int(&j, "uptime_seconds", ds_proc_uptime(v[i].st.pid));
				struct ds_ready rd;
				json_ready(&j, read_ready(&cli->cfg, v[i].name, &rd), &rd);
			}
			ds_json_string(&j, "rootfs", v[i].rootfs);
			char path[PATH_MAX];
			struct ds_error e = { 0 };
			if (saved && ds_saved_path(&cli->cfg, v[i].name, path, sizeof(path)) == 0 &&
			    ds_saved_load(path, saved, &e) == 0)
				json_network(&j, saved->settings.net_mode, saved->settings.net_addr,
					     &saved->settings.ports);
			ds_json_object_end(&j);
		}
		ds_json_array_end(&j);
		ds_json_object_end(&j);
		free(v);
		return 0;
	}
	if (n == 0) {
		printf("No containers.\n");
		free(v);
		return 0;
	}
	_cleanup_free_ char(*cells)[PATH_MAX] = calloc(COLS, sizeof(*cells));
	if (!cells) {
		free(v);
		return 1;
	}
	static const char *const heads[COLS] = { "NAME", "STATE", "PID", "INIT", "ROOTFS" };
	int w[COLS];
	for (int c = 0; c < COLS; c++)
		w[c] = (int)strlen(heads[c]);
	/* Two passes: widths, then rows. */
	for (int pass = 0; pass < 2; pass++) {
		int utf8 = utf8_terminal();
		if (pass == 1) {
			rule(utf8, "┌", "┬", "┐", w);
			for (int c = 0; c < COLS; c++)
				snprintf(cells[c], PATH_MAX, "%s", heads[c]);
			row(utf8, w, cells);
			rule(utf8, "├", "┼", "┤", w);
		}
		for (int i = 0; i < n; i++) {
			snprintf(cells[0], PATH_MAX, "%s", v[i].name);
			snprintf(cells[1], PATH_MAX, "%s", v[i].running ? "running" : "stopped");
			snprintf(cells[2], PATH_MAX, "%s", "-");
			snprintf(cells[3], PATH_MAX, "%s", "-");
			if (v[i].running) {
				snprintf(cells[2], PATH_MAX, "%d", (int)v[i].st.pid);
				snprintf(cells[3], PATH_MAX, "%s", ds_init_kind_name(ds_init_detect(v[i].st.pid)));
			}
			snprintf(cells[4], PATH_MAX, "%s", v[i].rootfs[0] ? v[i].rootfs : "-");
			for (int c = 0; c < COLS; c++) {
				int l = (int)strlen(cells[c]);
				if (pass == 0 && l > w[c])
					w[c] = l;
			}
			if (pass == 1)
				row(utf8, w, cells);
		}
		if (pass == 1)
			rule(utf8, "└", "┴", "┘", w);
	}
	free(v);
	return 0;
}

/* One note line per container scan left alone. */
static void scan_note(const struct ds_found *f)
{
	if (f->verdict == DS_SCAN_OTHER_WORKSPACE)
		fprintf(stderr,
			"droidspaces: note: pid %d (cgroup %s) is a container of another workspace (its monitor "
			"holds the cgroup's claim): not registered\n",
			(int)f->pid, f->cgroup);
	else
		fprintf(stderr,
			"droidspaces: note: pid %d (cgroup %s): cannot tell whether another workspace's monitor "
			"holds its cgroup (no cgroup hierarchy here?): not registered\n",
			(int)f->pid, f->cgroup);
}

int cmd_scan(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (ds_workspace_ensure(cli->cfg.workspace, &err) < 0)
		return ds_report(&err);
	struct ds_found found[64];
	int n = ds_inventory_scan(&cli->cfg, found, 64), registered = 0;
	if (n < 0) {
		ds_fail(&err, n, "cannot scan /proc");
		return ds_report(&err);
	}
	for (int i = 0; i < n; i++)
		if (found[i].verdict != DS_SCAN_REGISTERED)
			scan_note(&found[i]);
	if (cli->flags.json) {
		struct ds_json j;
		ds_json_init(&j, stdout);
		ds_json_object_begin(&j, NULL);
		ds_json_array_begin(&j, "registered");
		for (int i = 0; i < n; i++) {
			if (found[i].verdict != DS_SCAN_REGISTERED)
				continue;
			ds_json_object_begin(&j, NULL);
			ds_json_string(&j, "name", found[i].name);
			ds_json_int(&j, "pid", found[i].pid);
			ds_json_object_end(&j);
		}
		ds_json_array_end(&j);
		ds_json_object_end(&j);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (found[i].verdict == DS_SCAN_REGISTERED) {
			printf("Registered %s (pid %d)\n", found[i].name, (int)found[i].pid);
			registered++;
		}
	if (registered == 0)
		printf("No untracked containers found.\n");
	return 0;
}
