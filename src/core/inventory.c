/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/inventory.h"
#include "core/saved.h"
#include "fs/cgroup.h"
#include "fs/mountinfo.h"
#include "util/fileio.h"
#include "util/macros.h"
#include "util/osrelease.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ds_entry *)a)->name, ((const struct ds_entry *)b)->name);
}

static int find(struct ds_entry *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return i;
	return -1;
}

static int push(struct ds_entry **v, int *n, int *cap, const struct ds_entry *e)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 16;
		struct ds_entry *g = realloc(*v, sizeof(**v) * (size_t)nc);
		if (!g)
			return -ENOMEM;
		*v = g;
		*cap = nc;
	}
	(*v)[(*n)++] = *e;
	return 0;
}

struct list_ctx {
	const struct ds_config *cfg;
	struct ds_entry *v;
	int n, cap, err;
};

/* Pure: a running container is listed, anything else is left where it is. */
static void add_pidfile(const char *name, void *ud)
{
	struct list_ctx *c = ud;
	struct ds_entry e = { 0 };
	char path[PATH_MAX];
	snprintf(e.name, sizeof(e.name), "%s", name);
	ds_workspace_path(c->cfg->workspace, DS_WS_PIDFILE, name, path, sizeof(path));
	if (ds_state_read(path, &e.st) != 1 || !ds_state_alive(&e.st, name))
		return;
	e.running = 1;
	snprintf(e.rootfs, sizeof(e.rootfs), "%s", e.st.rootfs);
	if (push(&c->v, &c->n, &c->cap, &e) < 0)
		c->err = -ENOMEM;
}

static void add_saved(const char *name, void *ud)
{
	struct list_ctx *c = ud;
	if (find(c->v, c->n, name) >= 0)
		return;
	struct ds_entry e = { 0 };
	snprintf(e.name, sizeof(e.name), "%s", name);
	char path[PATH_MAX];
	_cleanup_saved_ struct ds_saved *s = ds_saved_new();
	struct ds_error err = { 0 };
	ds_saved_path(c->cfg, name, path, sizeof(path));
	if (s && ds_saved_load(path, s, &err) == 0)
		snprintf(e.rootfs, sizeof(e.rootfs), "%s", ds_rootfs_source(&s->settings));
	if (push(&c->v, &c->n, &c->cap, &e) < 0)
		c->err = -ENOMEM;
}

int ds_inventory_list(const struct ds_config *cfg, int include_stopped, struct ds_entry **out)
{
	struct list_ctx c = { .cfg = cfg };
	ds_workspace_each(cfg->workspace, DS_WS_PIDFILE, add_pidfile, &c);
	if (include_stopped)
		ds_workspace_each(cfg->workspace, DS_WS_SAVED, add_saved, &c);
	if (c.err < 0) {
		free(c.v);
		return c.err;
	}
	if (c.n > 1)
		qsort(c.v, (size_t)c.n, sizeof(*c.v), by_name);
	*out = c.v;
	return c.n;
}

long ds_proc_uptime(pid_t pid)
{
	unsigned long long start = ds_proc_starttime(pid);
	char buf[128];
	if (!start || ds_read_file("/proc/uptime", buf, sizeof(buf)) <= 0)
		return -1;
	long ticks = sysconf(_SC_CLK_TCK);
	double up = strtod(buf, NULL);
	long r = (long)(up - (double)start / (double)(ticks > 0 ? ticks : 100));
	return r < 0 ? 0 : r;
}

/* /run/systemd/container of the process says "droidspaces" (read without trusting it). */
static int is_droidspaces(pid_t pid)
{
	char buf[64];
	_cleanup_close_ int rootfd = ds_proc_root_open(pid);
	return rootfd >= 0 && ds_read_file_in_root(rootfd, "run/systemd/container", buf, sizeof(buf)) > 0 &&
	       strcmp(ds_chomp(buf), "droidspaces") == 0;
}

/* The file behind a loop device ("/dev/loop3" or "/dev/block/loop3" on Android), else "". */
static void loop_backing_file(const char *dev, char *out, size_t size)
{
	char path[128], buf[PATH_MAX];
	const char *base = strrchr(dev, '/');
	base = base ? base + 1 : dev;
	out[0] = '\0';
	if (strncmp(base, "loop", 4) != 0 || strspn(base + 4, "0123456789") != strlen(base + 4) || !base[4])
		return;
	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", base);
	if (ds_read_file(path, buf, sizeof(buf)) > 0)
		snprintf(out, size, "%s", ds_chomp(buf));
}

struct host_query {
	const struct ds_mountinfo *want; /* the device and path inside it to find */
	struct stat target;              /* what that path must be */
	char *out;
	size_t size;
};

/* A host mount of the same filesystem that shows want->root, checked by identity. */
static int host_mount_of(const struct ds_mountinfo *m, void *ud)
{
	struct host_query *q = ud;
	const char *root = q->want->root;
	size_t n = strcmp(m->root, "/") == 0 ? 0 : strlen(m->root);
	if (m->major != q->want->major || m->minor != q->want->minor || strncmp(root, m->root, n) != 0 ||
	    (root[n] != '/' && root[n] != '\0'))
		return 0;
	char cand[PATH_MAX];
	struct stat st;
	const char *rest = strcmp(root + n, "/") == 0 ? "" : root + n;
	const char *at = strcmp(m->mountpoint, "/") == 0 && rest[0] ? "" : m->mountpoint;
	int k = snprintf(cand, sizeof(cand), "%s%s", at, rest);
	if (k <= 0 || (size_t)k >= sizeof(cand) || stat(cand, &st) < 0 || st.st_dev != q->target.st_dev ||
	    st.st_ino != q->target.st_ino)
		return 0;
	snprintf(q->out, q->size, "%s", cand);
	return 1;
}

/*
 * Where a container found by scan lives on the host, from its mounts: the
 * directory its root was bound from, the image file behind its loop
 * device, or for a volatile container the lower layer of its overlay (or
 * that layer's image).  "" when none of these can be told.
 */
static void recover_rootfs(pid_t pid, char *out, size_t size)
{
	static struct ds_mountinfo top, lower_mount;
	struct host_query q = { &top, { 0 }, out, size };
	char proc_root[64];
	out[0] = '\0';
	if (ds_mountinfo_at(pid, "/", &top) != 1)
		return;
	/* A host mount showing the very same directory: a directory rootfs. */
	snprintf(proc_root, sizeof(proc_root), "/proc/%d/root", (int)pid);
	if (stat(proc_root, &q.target) == 0 && ds_mountinfo_each(0, host_mount_of, &q) == 1)
		return;
	out[0] = '\0';
	if (strcmp(top.fstype, "overlay") != 0) {
		loop_backing_file(top.source, out, size);
		return;
	}
	/* Volatile: the overlay's lower layer, an image mounted in the container only, or a host directory. */
	const char *lower = strstr(top.super, "lowerdir=");
	char dir[PATH_MAX];
	struct stat st;
	if (!lower)
		return;
	snprintf(dir, sizeof(dir), "%s", lower + 9);
	dir[strcspn(dir, ",:")] = '\0';
	if (ds_mountinfo_at(pid, dir, &lower_mount) == 1)
		loop_backing_file(lower_mount.source, out, size);
	else if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(out, size, "%s", dir);
}

static int tracked(const struct ds_config *cfg, pid_t pid)
{
	struct ds_entry *v = NULL;
	int n = ds_inventory_list(cfg, 0, &v), hit = 0;
	for (int i = 0; i < n; i++)
		if (v[i].st.pid == pid)
			hit = 1;
	free(v);
	return hit;
}

/* 1 when name can be given to a found container: no file at its pidfile path, or a stale one of ours. */
static int name_free(const char *pidfile, const char *name)
{
	struct ds_state old;
	int have = ds_state_read(pidfile, &old);
	return have == 0 || (have == 1 && !ds_state_alive(&old, name));
}

/* Registers pid under a free name from its os-release; 1 when done. */
static int adopt(const struct ds_config *cfg, pid_t pid, unsigned long long starttime, const char *cgname,
		 struct ds_found *out)
{
	char root[64], base[DS_NAME_MAX + 1], name[DS_NAME_MAX + 1], pidfile[PATH_MAX];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	struct ds_osrelease os;
	ds_osrelease_read(root, &os);
	ds_osrelease_name(&os, base, sizeof(base));
	for (int i = 0; i <= DS_NAME_CANDIDATES; i++) {
		ds_name_candidate(base, i, name);
		ds_workspace_path(cfg->workspace, DS_WS_PIDFILE, name, pidfile, sizeof(pidfile));
		if (!name_free(pidfile, name))
			continue;
		int lock = ds_lock_name(cfg, name, 0);
		if (lock < 0)
			continue;
		if (!name_free(pidfile, name)) {
			close(lock);
			continue;
		}
		struct ds_state st = { .pid = pid, .starttime = starttime };
		ds_host_boot_id(st.boot_id);
		/* The monitor is unknown (0): stop then cleans up by itself. */
		snprintf(st.cgroup, sizeof(st.cgroup), "droidspaces/%s", cgname);
		recover_rootfs(pid, st.rootfs, sizeof(st.rootfs));
		int r = ds_state_write(pidfile, &st);
		close(lock);
		if (r < 0)
			return 0;
		out->pid = pid;
		snprintf(out->name, sizeof(out->name), "%s", name);
		return 1;
	}
	return 0;
}

/* This workspace's lock of name is held (by its monitor, or a start or stop of it now). */
static int lock_held_here(const struct ds_config *cfg, const char *name)
{
	char path[PATH_MAX];
	if (ds_workspace_path(cfg->workspace, DS_WS_LOCK, name, path, sizeof(path)) < 0)
		return 0;
	/* Opened, not created: a name this workspace never had has no lock file. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/*
 * Whose the container in droidspaces/cgname is, from its cgroup's claim taken
 * without waiting: free (its monitor died: an orphan, ours to register), or
 * held by a live monitor, which is ours only when this workspace's lock of
 * cgname is held too; anything else cannot be told, and an init that might
 * be another workspace's is never taken.
 */
static enum ds_scan_verdict claim_verdict(const struct ds_config *cfg, const struct ds_cgroups *cg, const char *cgname)
{
	char rel[DS_NAME_MAX + 16];
	size_t busy;
	snprintf(rel, sizeof(rel), "droidspaces/%s", cgname);
	int r = cg->mode == DS_CG_NONE ? -ENOENT : ds_cgroup_claim(cg, rel, 0, &busy);
	if (r >= 0)
		close(r);
	if (r >= 0 || r == -EBUSY)
		return DS_SCAN_REGISTERED;
	if (r == -EWOULDBLOCK)
		return lock_held_here(cfg, cgname) ? DS_SCAN_REGISTERED : DS_SCAN_OTHER_WORKSPACE;
	return DS_SCAN_UNCHECKED;
}

int ds_inventory_scan(const struct ds_config *cfg, struct ds_found *found, int max)
{
	struct ds_cgroups cg;
	int r = ds_cgroup_detect(&cg);
	if (r < 0)
		return r;
	DIR *d = opendir("/proc");
	if (!d)
		return negerrno();
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)) && count < max) {
		char *end, cgname[DS_NAME_MAX + 1];
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 1 || pid > 0x3fffffff)
			continue;
		/*
		 * Only with proof nobody but root could forge: the cgroup we made,
		 * the host's user namespace, root.  /run/systemd/container alone
		 * is anyone's to write in a mount namespace of their own.
		 */
		unsigned long long starttime = ds_proc_starttime((pid_t)pid);
		if (!starttime || !ds_proc_container_init((pid_t)pid, cgname) || !is_droidspaces((pid_t)pid) ||
		    tracked(cfg, (pid_t)pid) || ds_proc_starttime((pid_t)pid) != starttime)
			continue;
		struct ds_found *f = &found[count];
		memset(f, 0, sizeof(*f));
		f->pid = (pid_t)pid;
		snprintf(f->cgroup, sizeof(f->cgroup), "droidspaces/%s", cgname);
		/* Another workspace's container (its pidfile is there, out of our sight) is never taken. */
		f->verdict = claim_verdict(cfg, &cg, cgname);
		if (f->verdict != DS_SCAN_REGISTERED || adopt(cfg, (pid_t)pid, starttime, cgname, f))
			count++;
	}
	closedir(d);
	return count;
}
