/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "host/android.h"
#include "fs/mounts.h"
#include "host/netlink.h"
#include "host/settings.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

int ds_host_path(const char *path, char *out, size_t size)
{
	const char *root = getenv("DROIDSPACES_HOST_ROOT");
	int n = snprintf(out, size, "%s%s", root && root[0] == '/' ? root : "", path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int ds_android_detect(void)
{
	char p[PATH_MAX];
	if (getenv("ANDROID_ROOT"))
		return 1;
	return ds_host_path("/system/bin/app_process", p, sizeof(p)) == 0 && access(p, F_OK) == 0;
}

int ds_android_selinux(void)
{
	char p[PATH_MAX];
	return ds_host_path("/sys/fs/selinux/enforce", p, sizeof(p)) == 0 && access(p, F_OK) == 0;
}

/* Runs an Android tool (/system/bin/NAME) with args; its stdout (first line) into out. */
static int android_tool(const char *name, char *const args[], char *out, size_t size)
{
	char bin[PATH_MAX], rel[128];
	snprintf(rel, sizeof(rel), "/system/bin/%s", name);
	if (ds_host_path(rel, bin, sizeof(bin)) < 0 || access(bin, X_OK) < 0)
		return -ENOENT;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return negerrno();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 2);
		char *argv[8] = { (char *)name };
		for (int i = 0; i < 6 && args[i]; i++)
			argv[i + 1] = args[i];
		execv(bin, argv);
		_exit(127);
	}
	close(p[1]);
	char buf[256] = "";
	ssize_t n = pid > 0 ? ds_read_all(p[0], buf, sizeof(buf) - 1) : -1;
	close(p[0]);
	int st = 0;
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (out) {
		buf[n > 0 ? n : 0] = '\0';
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		snprintf(out, size, "%s", buf);
	}
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

int ds_android_getprop(const char *key, char *out, size_t size)
{
	char *const args[] = { (char *)key, NULL };
	return android_tool("getprop", args, out, size);
}

/* Is the guest's tree mounted only in the container's mount namespace (image, overlay)? */
static int firmware_in_container(const struct ds_config *cfg)
{
	return !cfg->settings.rootfs_path[0] || cfg->settings.volatile_mode;
}

int ds_android_prepare(const struct ds_config *cfg, int first_container, struct ds_error *err)
{
	char path[PATH_MAX], old[256];
	if (cfg->settings.selinux_permissive) {
		ds_host_path("/sys/fs/selinux/enforce", path, sizeof(path));
		if (ds_read_file(path, old, sizeof(old)) < 0)
			return ds_fail(err, -ENOENT, "--selinux-permissive: %s is not readable (no SELinux?)", path);
		if (ds_chomp(old)[0] == '1') {
			int r = ds_setting_remember(cfg, "selinux_enforce", "1", err);
			if (r < 0)
				return r;
			r = ds_write_file(path, "0", 0644);
			if (r < 0)
				return ds_fail(err, r, "cannot set SELinux to permissive (%s)", path);
		}
	}
	if (first_container) {
		/* Seed: Android kills "phantom" processes beyond 32 and dozes background work. */
		char *get[] = { "get", "activity_manager", "max_phantom_processes", NULL };
		if (android_tool("device_config", get, old, sizeof(old)) == 0) {
			int r = ds_setting_remember(cfg, "max_phantom_processes", old[0] ? old : "null", err);
			if (r < 0)
				return r;
			char *put[] = { "put", "activity_manager", "max_phantom_processes", "2147483647", NULL };
			android_tool("device_config", put, NULL, 0);
		}
		char *idle[] = { "deviceidle", "disable", NULL };
		/* Disabled first (its state cannot be read back), so a failed note fails the start after it. */
		if (android_tool("dumpsys", idle, NULL, 0) == 0) {
			int r = ds_setting_remember(cfg, "deviceidle", "enabled", err);
			if (r < 0)
				return r;
		}
	}
	if (cfg->settings.hw_access) {
		/* The kernel loads firmware from the guest's /lib/firmware while it runs (seed 10.1). */
		ds_host_path("/sys/module/firmware_class/parameters/path", path, sizeof(path));
		if (ds_read_file(path, old, sizeof(old)) >= 0) {
			int r = ds_setting_remember(cfg, "firmware_path", ds_chomp(old), err);
			if (r < 0)
				return r;
			/* An image or overlay root exists only in the container: set once init runs. */
			if (!firmware_in_container(cfg)) {
				char fw[PATH_MAX + 16];
				snprintf(fw, sizeof(fw), "%s/lib/firmware", cfg->settings.rootfs_path);
				ds_write_file(path, fw, 0644);
			}
		}
	}
	return 0;
}

void ds_android_firmware_init(const struct ds_config *cfg, pid_t init_pid)
{
	char path[PATH_MAX], fw[64];
	if (!cfg->rt.android || !cfg->settings.hw_access || !firmware_in_container(cfg))
		return;
	ds_host_path("/sys/module/firmware_class/parameters/path", path, sizeof(path));
	/*
	 * The kernel resolves this path in the host's mount namespace, which
	 * never sees the image or overlay mounted in the container's own: it
	 * reaches the guest's tree through init's root instead.
	 */
	snprintf(fw, sizeof(fw), "/proc/%d/root/lib/firmware", (int)init_pid);
	if (access(path, F_OK) == 0)
		ds_write_file(path, fw, 0644);
}

void ds_android_restore(const struct ds_config *cfg, int last_container)
{
	char path[PATH_MAX], old[256];
	if (!last_container)
		return;
	if (ds_setting_recall(cfg, "selinux_enforce", old, sizeof(old)) == 0) {
		ds_host_path("/sys/fs/selinux/enforce", path, sizeof(path));
		ds_write_file(path, ds_chomp(old), 0644);
	}
	if (ds_setting_recall(cfg, "max_phantom_processes", old, sizeof(old)) == 0) {
		if (strcmp(ds_chomp(old), "null") == 0) {
			char *del[] = { "delete", "activity_manager", "max_phantom_processes", NULL };
			android_tool("device_config", del, NULL, 0);
		} else {
			char *put[] = { "put", "activity_manager", "max_phantom_processes", old, NULL };
			android_tool("device_config", put, NULL, 0);
		}
	}
	if (ds_setting_recall(cfg, "deviceidle", old, sizeof(old)) == 0) {
		char *idle[] = { "deviceidle", "enable", NULL };
		android_tool("dumpsys", idle, NULL, 0);
	}
	if (ds_setting_recall(cfg, "firmware_path", old, sizeof(old)) == 0) {
		ds_host_path("/sys/module/firmware_class/parameters/path", path, sizeof(path));
		ds_write_file(path, ds_chomp(old), 0644);
	}
}

int ds_android_setup_rootfs(struct ds_error *err)
{
	/* Android gates sockets and raw network access on these group IDs (paranoid networking). */
	static const char *const groups[] = { "aid_inet:x:3003:", "aid_net_raw:x:3004:", "aid_net_admin:x:3005:" };
	char text[65536] = "";
	ssize_t n = ds_read_file("/etc/group", text, sizeof(text));
	if (n < 0 && n != -ENOENT)
		return ds_fail(err, (int)n, "cannot read /etc/group");
	_cleanup_close_ int fd = open("/etc/group", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot open /etc/group");
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		char name[32];
		size_t len = (size_t)(strchr(groups[i], ':') - groups[i]) + 1;
		snprintf(name, sizeof(name), "%.*s", (int)len, groups[i]);
		/* Only a whole "name:" at a line start counts as present. */
		int present = strncmp(text, name, len) == 0;
		char needle[40];
		snprintf(needle, sizeof(needle), "\n%s", name);
		present = present || strstr(text, needle) != NULL;
		if (present)
			continue;
		char line[64];
		int k = snprintf(line, sizeof(line), "%s%s\n", (n > 0 && text[n - 1] != '\n') ? "\n" : "", groups[i]);
		if (ds_write_all(fd, line, (size_t)k) < 0)
			return ds_fail(err, negerrno(), "cannot append to /etc/group");
		n = 1;
		text[0] = '\n';
		text[1] = '\0';
	}
	return 0;
}

int ds_android_bind_storage(int rootfd, struct ds_error *err)
{
	char src[PATH_MAX];
	ds_host_path("/storage/emulated/0", src, sizeof(src));
	struct stat st;
	if (stat(src, &st) < 0 || !S_ISDIR(st.st_mode))
		return ds_fail(err, DS_EINVAL_MSG, "--enable-android-storage: %s is not available", src);
	struct ds_mount m = { src, "storage/emulated/0", NULL, MS_BIND | MS_REC, NULL, DS_MNT_REQUIRED | DS_MNT_MKDIR };
	return ds_mount_one(rootfd, &m, err);
}

/* A destination out on the Internet: only its route is looked up, no packet is sent. */
#define UPLINK_PROBE 0x08080808u /* 8.8.8.8 */

/* One of ours: the subnet's rule (pref TO, lookup main, a dst) or the bridge's (pref IIF, iif bridge). */
static int our_rule(const struct ds_nl_rule *r, const char *bridge)
{
	if (r->pref == DS_ANDROID_PREF_TO)
		return r->table == RT_TABLE_MAIN && r->dst_len > 0 && !r->iif[0];
	return r->pref == DS_ANDROID_PREF_IIF && r->dst_len == 0 && strcmp(r->iif, bridge) == 0;
}

struct our_rules {
	const char *bridge;
	int n;
	struct ds_nl_rule r[8];
};

static int collect_rule(void *ctx, const struct ds_nl_rule *r)
{
	struct our_rules *o = ctx;
	if (our_rule(r, o->bridge) && o->n < (int)ARRAY_SIZE(o->r))
		o->r[o->n++] = *r;
	return 0;
}

/* Our rules now (read whole before any change: no rule is deleted under the dump). */
static int our_rules(int nl, const char *bridge, struct our_rules *o)
{
	o->bridge = bridge;
	o->n = 0;
	return ds_nl_rules(nl, collect_rule, o);
}

int ds_android_nat_route(const char *bridge, const struct ds_cidr *net, struct ds_error *err)
{
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return ds_fail(err, nl, "cannot open rtnetlink");
	struct ds_nl_rule to = {
		.pref = DS_ANDROID_PREF_TO, .table = RT_TABLE_MAIN, .dst = net->addr, .dst_len = net->prefix
	};
	struct ds_nl_rule in = { .pref = DS_ANDROID_PREF_IIF };
	snprintf(in.iif, sizeof(in.iif), "%s", bridge);
	int oif = ds_nl_route_oif(nl, UPLINK_PROBE), r;
	if (oif > 0 && ds_nl_default_table(nl, oif, &in.table) < 0)
		in.table = RT_TABLE_MAIN; /* a route out, none of them default: main then */
	struct our_rules have;
	if ((r = our_rules(nl, bridge, &have)) < 0)
		return ds_fail(err, r, "cannot list the policy rules");
	int have_to = 0, have_in = 0;
	for (int i = 0; i < have.n; i++) {
		const struct ds_nl_rule *h = &have.r[i];
		if (h->pref == DS_ANDROID_PREF_TO)
			have_to |= h->dst == to.dst && h->dst_len == to.dst_len;
		else if (oif <= 0 || h->table == in.table)
			have_in = 1; /* no uplink now: the rule of the last one stays for when it is back */
		else
			ds_nl_rule_del(nl, h); /* the uplink changed */
	}
	if (!have_to && (r = ds_nl_rule_add(nl, &to)) < 0 && r != -EEXIST)
		return ds_fail(err, r, "cannot add the policy rule 'to the NAT subnet lookup main' (pref %d)",
			       DS_ANDROID_PREF_TO);
	if (oif <= 0) {
		fprintf(stderr, "droidspaces: warning: the host has no route out now: NAT guests reach out once it "
				"has one (the bridge's rule follows the uplink)\n");
		return 0;
	}
	if (!have_in && (r = ds_nl_rule_add(nl, &in)) < 0 && r != -EEXIST)
		return ds_fail(err, r, "cannot add the policy rule 'iif %s lookup %u' (pref %d)", bridge, in.table,
			       DS_ANDROID_PREF_IIF);
	return 0;
}

void ds_android_nat_unroute(const char *bridge)
{
	_cleanup_close_ int nl = ds_nl_open();
	struct our_rules have;
	if (nl < 0 || our_rules(nl, bridge, &have) < 0)
		return;
	for (int i = 0; i < have.n; i++)
		ds_nl_rule_del(nl, &have.r[i]);
}
