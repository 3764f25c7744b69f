/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/cgroup.h"
#include "fs/mounts.h"
#include "fs/mountinfo.h"
#include "util/fileio.h"
#include "util/clock.h"
#include "util/fault.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CGROUP2_MAGIC 0x63677270UL
#ifndef SYS_clone3
#define SYS_clone3 435 /* the same number on every architecture */
#endif
#define DS_CLONE_INTO_CGROUP 0x200000000ULL

const char *ds_cgroup_mode_name(enum ds_cg_mode mode)
{
	switch (mode) {
	case DS_CG_UNIFIED: return "cgroup2 (unified)";
	case DS_CG_HYBRID: return "hybrid (cgroup2 + v1 controllers)";
	case DS_CG_LEGACY: return "cgroup v1 (legacy)";
	default: return "none";
	}
}

static int detect_one(const struct ds_mountinfo *m, void *ud)
{
	struct ds_cgroups *cg = ud;
	if (strcmp(m->fstype, "cgroup2") == 0 && !cg->v2_root[0]) {
		snprintf(cg->v2_root, sizeof(cg->v2_root), "%s", m->mountpoint);
	} else if (strcmp(m->fstype, "cgroup") == 0 && cg->v1_count < DS_CG_MAX_V1) {
		/* Keep only the controller words of the super options. */
		char ctl[128] = "", super[sizeof(m->super)];
		char *save = NULL;
		snprintf(super, sizeof(super), "%s", m->super);
		for (char *w = strtok_r(super, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			if (!strcmp(w, "rw") || !strcmp(w, "ro") || !strncmp(w, "release_agent", 13) ||
			    !strcmp(w, "clone_children") || !strcmp(w, "noprefix") || !strcmp(w, "xattr") ||
			    !strcmp(w, "cpuset_v2_mode"))
				continue;
			size_t l = strlen(ctl);
			snprintf(ctl + l, sizeof(ctl) - l, "%s%s", l ? "," : "", w);
		}
		snprintf(cg->v1_root[cg->v1_count], sizeof(cg->v1_root[0]), "%s", m->mountpoint);
		snprintf(cg->v1_opts[cg->v1_count], sizeof(cg->v1_opts[0]), "%s", ctl);
		cg->v1_count++;
	}
	return 0;
}

int ds_cgroup_detect(struct ds_cgroups *cg)
{
	memset(cg, 0, sizeof(*cg));
	int r = ds_mountinfo_each(0, detect_one, cg);
	if (r < 0)
		return r;
	if (cg->v2_root[0] && ds_fs_magic("/sys/fs/cgroup") == CGROUP2_MAGIC)
		cg->mode = DS_CG_UNIFIED;
	else if (cg->v2_root[0])
		cg->mode = DS_CG_HYBRID;
	else if (cg->v1_count)
		cg->mode = DS_CG_LEGACY;
	return 0;
}

/* v1 cpuset children start with no CPUs or memory nodes: copy the parent's. */
static void cpuset_inherit(const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char parent[PATH_MAX], path[PATH_MAX + 32], buf[4096];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (!slash)
		return;
	*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", parent, files[i]);
		if (ds_read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		ds_write_file(path, buf, 0644);
	}
}

/* Calls fn on the directory of rel in each hierarchy used. */
static int for_each_dir(const struct ds_cgroups *cg, const char *rel, int (*fn)(const char *dir, int v1, void *ud),
			void *ud)
{
	char dir[PATH_MAX + 256];
	int r = 0;
	if (cg->v2_root[0]) {
		snprintf(dir, sizeof(dir), "%s/%s", cg->v2_root, rel);
		int k = fn(dir, 0, ud);
		if (k < 0 && r == 0)
			r = k;
	}
	/* Where a cgroup2 tree exists the guest only sees that one (seed 4.4 step 12). */
	if (cg->mode == DS_CG_LEGACY) {
		for (int i = 0; i < cg->v1_count; i++) {
			snprintf(dir, sizeof(dir), "%s/%s", cg->v1_root[i], rel);
			int k = fn(dir, 1, ud);
			if (k < 0 && r == 0)
				r = k;
		}
	}
	return r;
}

/* Which directories a create made (bit i: the i-th hierarchy for_each_dir visits), for an undo. */
struct made {
	int i;
	unsigned leaf, parent;
};

static int create_one(const char *dir, int v1, void *ud)
{
	struct made *made = ud;
	char parent[PATH_MAX + 256];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *leaf = strrchr(parent, '/');
	if (leaf)
		*leaf = '\0';
	int had_leaf = access(dir, F_OK) == 0, had_parent = !leaf || access(parent, F_OK) == 0;
	int r = 0;
	if (v1) {
		/* Create level by level so each cpuset level inherits its CPUs (OCI's paths may be deeper than two). */
		char level[PATH_MAX + 256];
		for (const char *p = leaf ? strchr(dir + 1, '/') : NULL; p && p < dir + (leaf - parent);
		     p = strchr(p + 1, '/')) {
			snprintf(level, sizeof(level), "%.*s", (int)(p - dir), dir);
			if (access(level, F_OK) != 0 && mkdir(level, 0755) == 0)
				cpuset_inherit(level);
		}
		if (leaf && mkdir(parent, 0755) == 0)
			cpuset_inherit(parent);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			r = negerrno();
		else
			cpuset_inherit(dir);
	} else {
		r = ds_mkdir_p(dir, 0755);
	}
	if (made) {
		unsigned bit = made->i < 32 ? 1u << made->i : 0;
		made->i++;
		if (!had_leaf && access(dir, F_OK) == 0)
			made->leaf |= bit;
		if (!had_parent && access(parent, F_OK) == 0)
			made->parent |= bit;
	}
	return r;
}

static int create_dirs(const struct ds_cgroups *cg, const char *rel, struct made *made, struct ds_error *err)
{
	if (cg->mode == DS_CG_NONE)
		return 0;
	int r = for_each_dir(cg, rel, create_one, made);
	return r < 0 ? ds_fail(err, r, "cannot create cgroup %s", rel) : 0;
}

int ds_cgroup_create(const struct ds_cgroups *cg, const char *rel, struct ds_error *err)
{
	return create_dirs(cg, rel, NULL, err);
}

/* The undo of create_one: what it made, as long as it is empty (rmdir refuses otherwise). */
static int unmake_one(const char *dir, int v1, void *ud)
{
	(void)v1;
	struct made *made = ud;
	unsigned bit = made->i < 32 ? 1u << made->i : 0;
	made->i++;
	if (made->leaf & bit)
		rmdir(dir);
	char parent[PATH_MAX + 256];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *leaf = strrchr(parent, '/');
	if (leaf && (made->parent & bit)) {
		*leaf = '\0';
		rmdir(parent);
	}
	return 0;
}

/* The directory and the files that move processes and enable controllers (cgroup v2's delegation). */
static int delegate_one(const char *dir, int v1, void *ud)
{
	static const char *const files[] = { "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "tasks" };
	(void)v1;
	uid_t id = *(const uid_t *)ud;
	if (lchown(dir, id, id) < 0)
		return negerrno();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (lchown(path, id, id) < 0 && errno != ENOENT)
			return negerrno();
	}
	return 0;
}

int ds_cgroup_delegate(const struct ds_cgroups *cg, const char *rel, uid_t id, struct ds_error *err)
{
	if (cg->mode == DS_CG_NONE)
		return 0;
	int r = for_each_dir(cg, rel, delegate_one, &id);
	return r < 0 ? ds_fail(err, r, "cannot delegate cgroup %s to guest root (uid %u)", rel, (unsigned)id) : 0;
}

static int join_one(const char *dir, int v1, void *ud)
{
	(void)v1;
	struct ds_error *err = ud;
	char path[PATH_MAX + 300];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	/* "0" names the writing process itself, whatever PID namespace it is in. */
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot open %s", path);
	ssize_t n = write(fd, "0", 1);
	int r = n == 1 ? 0 : negerrno();
	close(fd);
	return r < 0 ? ds_fail(err, r, "cannot join cgroup %s", dir) : 0;
}

int ds_cgroup_join_self(const struct ds_cgroups *cg, const char *rel, struct ds_error *err)
{
	if (cg->mode == DS_CG_NONE)
		return 0;
	return for_each_dir(cg, rel, join_one, err);
}

void ds_cgroup_v2_dir(const struct ds_cgroups *cg, const char *rel, char *dir, size_t size)
{
	if (cg->mode == DS_CG_UNIFIED || cg->mode == DS_CG_HYBRID)
		snprintf(dir, size, "%s/%s", cg->v2_root, rel);
	else if (size)
		dir[0] = '\0';
}

/* struct clone_args of the kernel up to its cgroup field (CLONE_ARGS_SIZE_VER2). */
struct ds_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

pid_t ds_cgroup_fork_into(const char *dir, int *placed)
{
	*placed = 0;
	if (!dir || !dir[0] || ds_fault_active("no-clone3"))
		return fork();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fork();
	struct ds_clone_args a;
	memset(&a, 0, sizeof(a));
	a.flags = DS_CLONE_INTO_CGROUP;
	a.exit_signal = SIGCHLD;
	a.cgroup = (uint64_t)fd;
	/* Without a stack of its own the child runs on a copy of ours, as after fork(). */
	long pid = syscall(SYS_clone3, &a, sizeof(a));
	int saved = errno;
	if (pid != 0)
		close(fd);
	if (pid >= 0) {
		*placed = 1;
		return (pid_t)pid;
	}
	errno = saved;
	return fork();
}

int ds_cgroup_mount(int rootfd, const struct ds_cgroups *cg, const char *rel, int have_cgroupns, struct ds_error *err)
{
	const unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char host[PATH_MAX + 256];
	if (cg->mode == DS_CG_UNIFIED || cg->mode == DS_CG_HYBRID) {
		/* In a cgroup namespace a fresh cgroup2 mount shows only our subtree. */
		snprintf(host, sizeof(host), "%s/%s", cg->v2_root, rel);
		struct ds_mount m = { have_cgroupns ? "cgroup2" : host,
				      "sys/fs/cgroup",
				      have_cgroupns ? "cgroup2" : NULL,
				      have_cgroupns ? fl : (MS_BIND | MS_REC),
				      NULL,
				      DS_MNT_REQUIRED };
		return ds_mount_one(rootfd, &m, err);
	}
	if (cg->mode != DS_CG_LEGACY)
		return 0;
	struct ds_mount tmp = { "tmpfs", "sys/fs/cgroup", "tmpfs", fl, "mode=755,size=64k", DS_MNT_REQUIRED };
	int r = ds_mount_one(rootfd, &tmp, err);
	if (r < 0)
		return r;
	int has_systemd = 0;
	for (int i = 0; i < cg->v1_count; i++) {
		const char *base = strrchr(cg->v1_root[i], '/');
		base = base ? base + 1 : cg->v1_root[i];
		char target[192];
		snprintf(target, sizeof(target), "sys/fs/cgroup/%s", base);
		snprintf(host, sizeof(host), "%s/%s", cg->v1_root[i], rel);
		if (strstr(cg->v1_opts[i], "name=systemd"))
			has_systemd = 1;
		struct ds_mount m = {
			have_cgroupns ? "cgroup" : host,         target,         have_cgroupns ? "cgroup" : NULL,
			have_cgroupns ? fl : (MS_BIND | MS_REC), cg->v1_opts[i], DS_MNT_REQUIRED | DS_MNT_MKDIR
		};
		r = ds_mount_one(rootfd, &m, err);
		if (r < 0)
			return r;
		/* Co-mounted controllers also get their single names (cpu -> cpu,cpuacct). */
		if (strchr(base, ',')) {
			char names[128];
			snprintf(names, sizeof(names), "%s", base);
			char *save = NULL;
			for (char *w = strtok_r(names, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				char link[192];
				snprintf(link, sizeof(link), "sys/fs/cgroup/%s", w);
				_cleanup_close_ int cgdir = ds_open_in_root(rootfd, "sys/fs/cgroup", 0);
				if (cgdir >= 0)
					symlinkat(base, cgdir, w);
			}
		}
	}
	if (!has_systemd && have_cgroupns) {
		/* systemd needs its own named hierarchy on a v1-only host. */
		struct ds_mount m = {
			"cgroup", "sys/fs/cgroup/systemd", "cgroup", fl, "none,name=systemd", DS_MNT_MKDIR
		};
		ds_mount_one(rootfd, &m, err);
	}
	struct ds_mount ro = { NULL, "sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | fl, "mode=755,size=64k", 0 };
	return ds_mount_one(rootfd, &ro, err);
}

/* SIGKILLs every process listed in the cgroup.procs of the directory dirfd. */
static void kill_procs(int dirfd)
{
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	long pid;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pid > 1)
			kill((pid_t)pid, SIGKILL);
	fclose(f);
}

/* The name of one subdirectory of dirfd into name: 1, 0 when it has none, or -errno. */
static int first_subdir(int dirfd, char name[256])
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int r = negerrno();
		if (fd >= 0)
			close(fd);
		return r;
	}
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(name, 256, "%s", e->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

/* rmdir, again and again while tasks still leave the cgroup (asynchronous after a kill). */
static int rmdir_wait(int dirfd, const char *name, long long deadline)
{
	int delay = 1;
	while (unlinkat(dirfd, name, AT_REMOVEDIR) < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || ds_now_ms() >= deadline)
			return negerrno();
		ds_backoff(&delay);
	}
	return 0;
}

/*
 * Kills the tasks of the tree at dir and removes it, children first. The
 * guest makes this tree, as deep as it likes: no recursion and one open
 * directory at a time; "..", which a cgroup rename cannot change (its
 * parent stays), leads back up; only the names on the way down are kept.
 */
static int remove_tree(const char *dir, long long deadline)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : negerrno();
	char **names = NULL;
	size_t depth = 0, cap = 0;
	int r;
	for (;;) {
		char child[256];
		r = first_subdir(fd, child);
		if (r < 0)
			break;
		if (r == 1) {
			if (depth == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				char **n = realloc(names, ncap * sizeof(*names));
				if (!n) {
					r = -ENOMEM;
					break;
				}
				names = n;
				cap = ncap;
			}
			int sub = openat(fd, child, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 && errno == ENOENT)
				continue;
			if (sub < 0 || !(names[depth] = strdup(child))) {
				r = sub < 0 ? negerrno() : -ENOMEM;
				if (sub >= 0)
					close(sub);
				break;
			}
			depth++;
			close(fd);
			fd = sub;
			continue;
		}
		/* A leaf: its tasks go, then the directory. */
		kill_procs(fd);
		if (depth == 0) {
			r = rmdir_wait(AT_FDCWD, dir, deadline);
			break;
		}
		int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (up < 0) {
			r = negerrno();
			break;
		}
		close(fd);
		fd = up;
		depth--;
		r = rmdir_wait(fd, names[depth], deadline);
		free(names[depth]);
		if (r < 0)
			break;
	}
	while (depth > 0)
		free(names[--depth]);
	free(names);
	close(fd);
	return r;
}

struct destroy_ctx {
	long long deadline;
};

static int destroy_one(const char *dir, int v1, void *ud)
{
	struct destroy_ctx *ctx = ud;
	if (!v1 && !ds_fault_active("no-cgroup-kill")) {
		/* Linux 5.14+: one write kills the whole subtree, forks racing it included. */
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1) {
				/* not fatal: the walk below kills task by task */
			}
			close(fd);
		}
	}
	int r = remove_tree(dir, ctx->deadline);
	if (r < 0)
		return r;
	/* Drop the shared droidspaces/ parent when we were its last child. */
	char parent[PATH_MAX + 256];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		rmdir(parent);
	}
	return 0;
}

int ds_cgroup_destroy(const struct ds_cgroups *cg, const char *rel, int timeout_ms)
{
	if (cg->mode == DS_CG_NONE || !rel[0])
		return 0;
	struct destroy_ctx ctx = { ds_now_ms() + timeout_ms };
	int r = for_each_dir(cg, rel, destroy_one, &ctx);
	/* Beside cgroup2: the v1 controllers a limit put rel in (none is there without limits). */
	for (int i = 0; cg->mode != DS_CG_LEGACY && i < cg->v1_count; i++) {
		char dir[PATH_MAX + 256];
		snprintf(dir, sizeof(dir), "%s/%s", cg->v1_root[i], rel);
		int k = destroy_one(dir, 1, &ctx);
		if (k < 0 && r == 0)
			r = k;
	}
	return r;
}

int ds_cgroup_of_pid(pid_t pid, char *out, size_t size)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return -ESRCH;
	/* The cgroup2 line is "0::<path>"; it may follow the v1 lines. */
	char *line = strstr(buf, "0::");
	while (line && line != buf && line[-1] != '\n')
		line = strstr(line + 3, "0::");
	if (!line)
		return -ENOENT;
	char *rel = line + 3, *nl = strchr(rel, '\n');
	if (nl)
		*nl = '\0';
	if (rel[0] != '/' || strstr(rel, "..") || strlen(rel) >= size)
		return -EINVAL;
	snprintf(out, size, "%s", rel);
	return 0;
}

/* Two comma-separated lists with the same items, in any order ("cpu,cpuacct" = "cpuacct,cpu"). */
static int same_list(const char *a, size_t alen, const char *b)
{
	size_t n = 0;
	for (const char *p = a; p < a + alen;) {
		size_t len = strcspn(p, ",");
		if (len > (size_t)(a + alen - p))
			len = (size_t)(a + alen - p);
		int found = 0;
		for (const char *q = b; *q;) {
			size_t l2 = strcspn(q, ",");
			if (l2 == len && strncmp(p, q, len) == 0)
				found = 1;
			q += l2 + (q[l2] == ',');
		}
		if (!found)
			return 0;
		n++;
		p += len + 1;
	}
	size_t m = 1;
	for (const char *q = b; *q; q++)
		m += *q == ',';
	return n == m;
}

int ds_cgroup_join_v1_of(const struct ds_cgroups *cg, pid_t pid, const char *under)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return -ESRCH;
	for (int i = 0; i < cg->v1_count; i++) {
		/* "N:controllers:/path" */
		for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			char *c = strchr(line, ':'), *e = c ? strchr(c + 1, ':') : NULL;
			char *nl = strchr(line, '\n');
			if (!e || (nl && e > nl) || !same_list(c + 1, (size_t)(e - c - 1), cg->v1_opts[i]))
				continue;
			size_t plen = nl ? (size_t)(nl - e - 1) : strlen(e + 1);
			if (plen == 0 || e[1] != '/' || memmem(e + 1, plen, "..", 2))
				return -EINVAL;
			if (under && (plen < strlen(under) || strncmp(e + 1, under, strlen(under))))
				break;
			char procs[PATH_MAX + 300];
			snprintf(procs, sizeof(procs), "%s%.*s/cgroup.procs", cg->v1_root[i], (int)plen, e + 1);
			int r = ds_write_file(procs, "0", 0644);
			if (r < 0)
				return r;
			break;
		}
	}
	return 0;
}

/* ---- resource limits -------------------------------------------------------------------- */

/* ctl is one word of the comma-separated list (not a prefix of one). */
static int list_has(const char *list, const char *ctl)
{
	size_t len = strlen(ctl);
	for (const char *c = list; (c = strstr(c, ctl)) != NULL; c += len)
		if ((c == list || c[-1] == ',' || c[-1] == ' ') &&
		    (c[len] == ',' || c[len] == ' ' || c[len] == '\n' || c[len] == '\0'))
			return 1;
	return 0;
}

int ds_cgroup_v1_index(const struct ds_cgroups *cg, const char *ctl)
{
	for (int i = 0; i < cg->v1_count; i++)
		if (list_has(cg->v1_opts[i], ctl))
			return i;
	return -1;
}

int ds_cgroup_v1_primary(const struct ds_cgroups *cg)
{
	/* The controllers v1 hosts mount most often, Android's among them (cpuctl, memcg, cpuset). */
	static const char *const order[] = {
		"cpu", "memory", "cpuset", "devices", "freezer", "pids", "blkio", "cpuacct"
	};
	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		int i = ds_cgroup_v1_index(cg, order[k]);
		if (i >= 0)
			return i;
	}
	/* Named hierarchies only (name=systemd): the least options, as text. */
	int best = cg->v1_count ? 0 : -1;
	for (int i = 1; i < cg->v1_count; i++)
		if (strcmp(cg->v1_opts[i], cg->v1_opts[best]) < 0)
			best = i;
	return best;
}

enum { CTL_NONE, CTL_V1, CTL_V2 };

/*
 * Where controller ctl limits rel: its v1 hierarchy (v1 and hybrid hosts),
 * else cgroup2 where offered, else a v1 hierarchy mounted beside a cgroup2
 * /sys/fs/cgroup (Android's /dev/memcg).
 */
static int controller_dir(const struct ds_cgroups *cg, const char *ctl, const char *rel, char *dir, size_t size)
{
	char fault[64], list[512];
	snprintf(fault, sizeof(fault), "no-cgroup-%s", ctl);
	if (ds_fault_active(fault))
		return CTL_NONE;
	int i = ds_cgroup_v1_index(cg, ctl);
	if (i >= 0 && cg->mode != DS_CG_UNIFIED) {
		snprintf(dir, size, "%s/%s", cg->v1_root[i], rel);
		return CTL_V1;
	}
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", cg->v2_root);
	/* v1's blkio is cgroup2's io. */
	const char *v2name = strcmp(ctl, "blkio") ? ctl : "io";
	if (cg->v2_root[0] && ds_read_file(path, list, sizeof(list)) > 0 && list_has(list, v2name)) {
		snprintf(dir, size, "%s/%s", cg->v2_root, rel);
		return CTL_V2;
	}
	if (i >= 0) {
		snprintf(dir, size, "%s/%s", cg->v1_root[i], rel);
		return CTL_V1;
	}
	return CTL_NONE;
}

/*
 * One limit file; optional: a kernel without it (no swap accounting) is fine.
 * v < 0 is "no limit": "max" in a cgroup2 file, -1 in a v1 one.
 */
/* One limit file's text; optional: a kernel without the file is fine. */
static int put_text(const char *dir, const char *file, const char *text, int optional, struct ds_error *err)
{
	char path[PATH_MAX + 300];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && optional && errno == ENOENT)
		return 0;
	int r = fd < 0 ? negerrno() : (write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : negerrno());
	if (fd >= 0)
		close(fd);
	return r < 0 ? ds_fail(err, r, "cannot write '%s' to %s", text, path) : 0;
}

static int put_limit(const char *dir, const char *file, long long v, int optional, struct ds_error *err)
{
	char text[48];
	int v2 = !strchr(file, '_'); /* v1's files are memory.limit_in_bytes, cpu.cfs_quota_us ... */
	if (v < 0)
		snprintf(text, sizeof(text), "%s", v2 ? "max" : "-1");
	else
		snprintf(text, sizeof(text), "%lld", v);
	return put_text(dir, file, text, optional, err);
}

/*
 * The I/O weight: the first file of the kernel's that exists (the BFQ
 * scheduler's own where the generic one is absent), on its scale.
 */
static int put_io_weight(const char *dir, int v1, int weight, struct ds_error *err)
{
	const char *files[] = { v1 ? "blkio.weight" : "io.weight", v1 ? "blkio.bfq.weight" : "io.bfq.weight" };
	/* blkio.weight: 10-1000 (default 500); the bfq files: 1-1000 (default 100); io.weight is ours. */
	long long scaled[] = { v1 ? weight * 5LL : weight, weight };
	long long lo[] = { v1 ? 10 : 1, 1 }, hi[] = { v1 ? 1000 : 10000, 1000 };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (access(path, F_OK) < 0)
			continue;
		long long w = scaled[i] < lo[i] ? lo[i] : scaled[i] > hi[i] ? hi[i] : scaled[i];
		return put_limit(dir, files[i], w, 0, err);
	}
	return ds_fail(err, -EOPNOTSUPP,
		       "--io-weight needs an I/O weight (%s or %s: the BFQ scheduler), which this host does not have",
		       files[0], files[1]);
}

/* cgroup2: ctl must be offered to rel by its parent, which droidspaces owns (droidspaces/). */
static int enable_v2(const char *dir, const char *ctl, struct ds_error *err)
{
	char parent[PATH_MAX + 256], path[PATH_MAX + 300], list[512], plus[32];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", parent);
	if (ds_read_file(path, list, sizeof(list)) >= 0 && list_has(list, ctl))
		return 0;
	/* Offered to droidspaces/ by the host's tree above it, or not at all. */
	char offered[PATH_MAX + 300];
	snprintf(offered, sizeof(offered), "%s/cgroup.controllers", parent);
	if (ds_read_file(offered, list, sizeof(list)) >= 0 && !list_has(list, ctl))
		return ds_fail(
			err, -EOPNOTSUPP,
			"the %s controller is not passed down to %s (cgroup.subtree_control of the cgroups above it)",
			ctl, parent);
	snprintf(plus, sizeof(plus), "+%s", ctl);
	int r = ds_write_file(path, plus, 0644);
	return r < 0 ? ds_fail(err, r, "cannot enable the %s controller in %s", ctl, path) : 0;
}

/* The pids in the cgroup.procs file of dir, sorted, into a malloc'd array; -errno. */
static int read_procs(const char *dir, pid_t **out, size_t *n)
{
	char path[PATH_MAX + 300];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	*out = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : negerrno();
	size_t cap = 0;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (*n == cap) {
			pid_t *g = realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof(**out));
			if (!g) {
				fclose(f);
				return -ENOMEM;
			}
			*out = g;
		}
		(*out)[(*n)++] = (pid_t)pid;
	}
	fclose(f);
	return 0;
}

/* dir's cgroup.procs appended to *out, then its children's, down to depth levels more. */
static int collect_pids(const char *dir, int depth, pid_t **out, size_t *n)
{
	pid_t *got;
	size_t m;
	int r = read_procs(dir, &got, &m);
	if (r < 0)
		return r;
	if (m) {
		pid_t *g = realloc(*out, (*n + m) * sizeof(**out));
		if (!g) {
			free(got);
			return -ENOMEM;
		}
		memcpy(g + *n, got, m * sizeof(*got));
		*out = g;
		*n += m;
	}
	free(got);
	DIR *d = depth > 0 ? opendir(dir) : NULL;
	if (!d)
		return 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			char sub[PATH_MAX];
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < sizeof(sub))
				r = collect_pids(sub, depth - 1, out, n);
		}
	closedir(d);
	return r;
}

int ds_cgroup_pids(const struct ds_cgroups *cg, const char *rel, pid_t **out, size_t *n)
{
	char dir[PATH_MAX];
	*out = NULL;
	*n = 0;
	ds_cgroup_v2_dir(cg, rel, dir, sizeof(dir));
	if (!dir[0] && cg->v1_count > 0)
		snprintf(dir, sizeof(dir), "%s/%s", cg->v1_root[ds_cgroup_v1_primary(cg)], rel);
	if (!dir[0])
		return -ENOENT;
	int r = collect_pids(dir, 16, out, n);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* One hierarchy's count for ds_cgroup_busy: the processes in dir and below (a missing dir holds none). */
static int busy_one(const char *dir, int v1, void *ud)
{
	(void)v1;
	pid_t *pids = NULL;
	size_t n = 0;
	int r = collect_pids(dir, 16, &pids, &n);
	free(pids);
	if (r < 0)
		return r;
	if (n > *(size_t *)ud)
		*(size_t *)ud = n;
	return 0;
}

int ds_cgroup_busy(const struct ds_cgroups *cg, const char *rel, size_t *n)
{
	*n = 0;
	return cg->mode == DS_CG_NONE ? 0 : for_each_dir(cg, rel, busy_one, n);
}

/* The directory whose flock is rel's claim: rel in cgroup2, else in the v1 hierarchy ds_cgroup_v1_primary picks. */
static int claim_path(const struct ds_cgroups *cg, const char *rel, char *dir, size_t size)
{
	const char *root = cg->v2_root[0]                             ? cg->v2_root
			   : cg->mode == DS_CG_LEGACY && cg->v1_count ? cg->v1_root[ds_cgroup_v1_primary(cg)]
								      : NULL;
	if (!root)
		return -ENOENT;
	return (size_t)snprintf(dir, size, "%s/%s", root, rel) >= size ? -ENAMETOOLONG : 0;
}

/* cgroup2's populated flag: the whole subtree, however deep (1: processes, 0: none, -1: unknown). */
static int populated(const struct ds_cgroups *cg, const char *rel)
{
	char path[PATH_MAX + 300], buf[256];
	if (!cg->v2_root[0])
		return -1;
	snprintf(path, sizeof(path), "%s/%s/cgroup.events", cg->v2_root, rel);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *p = strstr(buf, "populated ");
	return p ? p[10] == '1' : -1;
}

/* The flock of dir (open in *fd) taken before deadline, on the directory now at that path. */
static int claim_lock(const char *dir, long long deadline, int *fd)
{
	for (;;) {
		if ((*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			return negerrno();
		while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
			int r = errno == EWOULDBLOCK ? -EWOULDBLOCK : negerrno();
			if (r != -EWOULDBLOCK || ds_now_ms() >= deadline)
				return r;
			poll(NULL, 0, 10);
		}
		/* The holder may have removed it before it let go (and someone made it again): a lock on nothing. */
		struct stat held, now;
		if (fstat(*fd, &held) < 0)
			return negerrno();
		if (stat(dir, &now) < 0)
			return negerrno();
		if (held.st_dev == now.st_dev && held.st_ino == now.st_ino)
			return 0;
		ds_closep(fd);
		if (ds_now_ms() >= deadline)
			return -EWOULDBLOCK;
	}
}

int ds_cgroup_claim(const struct ds_cgroups *cg, const char *rel, int wait_ms, size_t *busy)
{
	char dir[PATH_MAX + 256];
	*busy = 0;
	int r = claim_path(cg, rel, dir, sizeof(dir));
	if (r < 0)
		return r;
	long long deadline = ds_now_ms() + wait_ms;
	int fd = -1;
	if ((r = claim_lock(dir, deadline, &fd)) < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	/* What is still leaving (an init that saw its monitor die) leaves within the wait. */
	for (;;) {
		r = ds_cgroup_busy(cg, rel, busy);
		if (r == 0 && !*busy && populated(cg, rel) == 1)
			*busy = 1; /* deeper than the walk goes */
		if (r < 0 || !*busy || ds_now_ms() >= deadline)
			break;
		poll(NULL, 0, 10);
	}
	if (r < 0 || *busy) {
		close(fd);
		return r < 0 ? r : -EBUSY;
	}
	return fd;
}

/* One line that says who holds rel, for a failed ds_cgroup_claim. */
static int claim_failed(const char *rel, int r, size_t busy, struct ds_error *err)
{
	if (r == -EWOULDBLOCK)
		return ds_fail(err, DS_EBUSY_MSG,
			       "cgroup %s is taken on this host by a container of another workspace (names are "
			       "host-wide): stop it there or pick another name",
			       rel);
	if (r == -EBUSY)
		return ds_fail(err, DS_EBUSY_MSG,
			       "cgroup %s already holds %zu processes that no droidspaces monitor owns (a container "
			       "whose monitor died, or left over): stop them, or pick another name",
			       rel, busy);
	return ds_fail(err, r, "cannot claim cgroup %s", rel);
}

/*
 * Removes what a create made, unless rel's claim is held now (a monitor that
 * made it its own after us: it is that monitor's then).
 */
static void unmake(const struct ds_cgroups *cg, const char *rel, struct made *made)
{
	char dir[PATH_MAX + 256];
	if (!made->leaf && !made->parent)
		return;
	if (claim_path(cg, rel, dir, sizeof(dir)) < 0)
		return;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
		return;
	made->i = 0;
	for_each_dir(cg, rel, unmake_one, made);
}

int ds_cgroup_create_claimed(const struct ds_cgroups *cg, const char *rel, int wait_ms, struct ds_error *err)
{
	size_t busy = 0;
	long long deadline = ds_now_ms() + wait_ms;
	struct made made = { 0 };
	int r, created = 1;
	/* Created again when a cleanup removed it between our mkdir and our lock. */
	do {
		made.i = 0;
		if ((r = create_dirs(cg, rel, &made, err)) < 0) {
			created = 0;
			break;
		}
		long long left = deadline - ds_now_ms();
		r = ds_cgroup_claim(cg, rel, left > 0 ? (int)left : 0, &busy);
	} while (r == -ENOENT && ds_now_ms() < deadline);
	if (r >= 0)
		return r;
	/*
	 * Held or busy: the directory was someone's before us, or is now. Any
	 * other failure leaves nothing of ours behind (a directory made for a
	 * start that never ran would hold the name's claim for nobody).
	 */
	if (r != -EWOULDBLOCK && r != -EBUSY)
		unmake(cg, rel, &made);
	return created ? claim_failed(rel, r, busy, err) : r;
}

int ds_cgroup_claim_free(const struct ds_cgroups *cg, const char *rel, int wait_ms, struct ds_error *err)
{
	size_t busy = 0;
	int r = ds_cgroup_claim(cg, rel, wait_ms, &busy);
	if (r >= 0)
		close(r);
	return r >= 0 || r == -ENOENT ? 0 : claim_failed(rel, r, busy, err);
}

struct migrate_ctx {
	const char *to;
	pid_t *there; /* already in to */
	size_t nthere;
	int moved;
};

static int migrate_dir(const char *dir, struct migrate_ctx *ctx)
{
	pid_t *pids;
	size_t n;
	int r = read_procs(dir, &pids, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		int known = 0;
		for (size_t j = 0; j < ctx->nthere && !known; j++)
			known = ctx->there[j] == pids[i];
		if (known)
			continue;
		char text[24];
		snprintf(text, sizeof(text), "%d", (int)pids[i]);
		char procs[PATH_MAX + 300];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", ctx->to);
		int w = ds_write_file(procs, text, 0644);
		if (w == 0)
			ctx->moved++;
		else if (w != -ESRCH) /* a task that exited meanwhile */
			r = w;
	}
	free(pids);
	return r;
}

/*
 * Moves every task of the cgroup2 tree at from (the container's, with the
 * guest's own cgroups below it) into the v1 cgroup to: a limit set on a
 * running container in a v1 controller the start did not use (hybrid
 * hosts). Tasks forked while the walk runs are caught by the next pass; it
 * ends when a pass finds none left, or after 16 passes (-EAGAIN: a guest
 * forking faster than the walk).
 */
static int migrate_tree(const char *from, const char *to)
{
	for (int pass = 0; pass < 16; pass++) {
		struct migrate_ctx ctx = { .to = to };
		int r = read_procs(to, &ctx.there, &ctx.nthere);
		/* Breadth first, one level of names at a time: no recursion into the guest's tree. */
		char **queue = NULL;
		size_t head = 0, tail = 0, cap = 0;
		char *first = r == 0 ? strdup(from) : NULL;
		if (r == 0 && !first)
			r = -ENOMEM;
		if (first) {
			queue = malloc(sizeof(*queue));
			if (!queue) {
				free(first);
				r = -ENOMEM;
			} else {
				queue[tail++] = first;
				cap = 1;
			}
		}
		while (r == 0 && head < tail) {
			char *dir = queue[head++];
			r = migrate_dir(dir, &ctx);
			DIR *d = r == 0 ? opendir(dir) : NULL;
			struct dirent *e;
			while (d && r == 0 && (e = readdir(d))) {
				if (e->d_type != DT_DIR || e->d_name[0] == '.')
					continue;
				if (tail == cap) {
					char **g = realloc(queue, (cap *= 2) * sizeof(*queue));
					if (!g) {
						r = -ENOMEM;
						break;
					}
					queue = g;
				}
				size_t len = strlen(dir) + strlen(e->d_name) + 2;
				if (!(queue[tail] = malloc(len))) {
					r = -ENOMEM;
					break;
				}
				snprintf(queue[tail++], len, "%s/%s", dir, e->d_name);
			}
			if (d)
				closedir(d);
		}
		while (tail > 0)
			free(queue[--tail]);
		free(queue);
		free(ctx.there);
		if (r < 0)
			return r;
		if (ctx.moved == 0)
			return 0;
	}
	return -EAGAIN;
}

struct limit_want {
	unsigned bit;
	const char *ctl, *opt;
};

static const struct limit_want limit_rows[] = {
	{ DS_LIM_MEMORY, "memory", "--memory" },      { DS_LIM_CPUS, "cpu", "--cpus" },
	{ DS_LIM_CPU_WEIGHT, "cpu", "--cpu-weight" }, { DS_LIM_PIDS, "pids", "--pids-limit" },
	{ DS_LIM_IO_WEIGHT, "blkio", "--io-weight" }, { DS_LIM_CPUSET, "cpuset", "a cpuset" },
};

unsigned ds_limits_present(const struct ds_limits *lim)
{
	int memory = lim->memory > 0 || lim->memory_low > 0 || lim->has_swappiness || lim->oom_kill_disable;
	return (memory ? DS_LIM_MEMORY : 0) | (lim->cpus_milli > 0 || lim->cpu_quota_us > 0 ? DS_LIM_CPUS : 0) |
	       (lim->cpu_weight > 0 ? DS_LIM_CPU_WEIGHT : 0) | (lim->pids > 0 ? DS_LIM_PIDS : 0) |
	       (lim->io_weight > 0 ? DS_LIM_IO_WEIGHT : 0) |
	       (lim->cpuset_cpus[0] || lim->cpuset_mems[0] ? DS_LIM_CPUSET : 0);
}

/* v1 memory: memsw (RAM + swap) may never be under the RAM limit; the order of the writes follows. */
static int put_memory_v1(const char *dir, const struct ds_limits *lim, struct ds_error *err)
{
	struct ds_error first = { 0 };
	long long v = lim->memory > 0 ? lim->memory : -1;
	int r;
	if (put_limit(dir, "memory.limit_in_bytes", v, 0, &first) == 0) {
		r = put_limit(dir, "memory.memsw.limit_in_bytes", v, 1, err);
	} else {
		/* Raising it: memsw first (where the kernel accounts swap), then RAM. */
		r = put_limit(dir, "memory.memsw.limit_in_bytes", v, 1, err);
		r = r < 0 ? r : put_limit(dir, "memory.limit_in_bytes", v, 0, err);
	}
	/* OCI's reservation, swappiness and OOM killer (set only through linux.resources). */
	if (r == 0 && lim->memory_low > 0)
		r = put_limit(dir, "memory.soft_limit_in_bytes", lim->memory_low, 0, err);
	if (r == 0 && lim->has_swappiness)
		r = put_limit(dir, "memory.swappiness", lim->swappiness, 0, err);
	if (r == 0 && lim->oom_kill_disable)
		r = put_limit(dir, "memory.oom_control", 1, 0, err);
	return r;
}

/* The CPU quota: cpus_milli per 100 ms, or OCI's exact quota and period; none lifts it. */
static int put_cpu_quota(const char *dir, int v1, const struct ds_limits *lim, struct ds_error *err)
{
	long long period = lim->cpu_quota_us > 0 && lim->cpu_period_us > 0 ? lim->cpu_period_us : 100000;
	long long quota = lim->cpu_quota_us > 0 ? lim->cpu_quota_us
			  : lim->cpus_milli > 0 ? lim->cpus_milli * 100LL
						: -1;
	if (v1) {
		int r = put_limit(dir, "cpu.cfs_period_us", period, 0, err);
		return r < 0 ? r : put_limit(dir, "cpu.cfs_quota_us", quota, 0, err);
	}
	char text[64];
	if (quota < 0)
		snprintf(text, sizeof(text), "max %lld", period);
	else
		snprintf(text, sizeof(text), "%lld %lld", quota, period);
	return put_text(dir, "cpu.max", text, 0, err);
}

/* cpuset.cpus and cpuset.mems, v1 and cgroup2 alike; one not given stays the parent's. */
static int put_cpuset(const char *dir, const struct ds_limits *lim, struct ds_error *err)
{
	const char *files[] = { "cpuset.cpus", "cpuset.mems" }, *values[] = { lim->cpuset_cpus, lim->cpuset_mems };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		int r = values[i][0] ? ds_write_file(path, values[i], 0644) : 0;
		if (r < 0)
			return ds_fail(err, r, "cannot write %s to %s", values[i], path);
	}
	return 0;
}

/* The limits of which (DS_LIM_*) to rel; those at 0 are lifted (no limit, the default weight). */
static int write_limits(const struct ds_cgroups *cg, const char *rel, const struct ds_limits *lim, unsigned which,
			int running, struct ds_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(limit_rows); i++) {
		if (!(which & limit_rows[i].bit))
			continue;
		char dir[PATH_MAX + 256];
		const char *ctl = limit_rows[i].ctl;
		unsigned bit = limit_rows[i].bit;
		int kind = cg->mode == DS_CG_NONE ? CTL_NONE : controller_dir(cg, ctl, rel, dir, sizeof(dir));
		if (kind == CTL_NONE)
			return ds_fail(err, -EOPNOTSUPP,
				       "%s needs the %s cgroup controller, which this host does not have",
				       limit_rows[i].opt, ctl);
		int r = 0, beside = kind == CTL_V1 && cg->mode != DS_CG_LEGACY;
		if (beside && (r = create_one(dir, 1, NULL)) < 0)
			return ds_fail(err, r, "cannot create cgroup %s", dir);
		if (kind == CTL_V2 && (r = enable_v2(dir, strcmp(ctl, "blkio") ? ctl : "io", err)) < 0)
			return r;
		/* 100 is the default weight on our scale (v1 shares: 1024). */
		int weight = bit == DS_LIM_CPU_WEIGHT ? lim->cpu_weight : lim->io_weight;
		weight = weight > 0 ? weight : 100;
		if (bit == DS_LIM_MEMORY && kind == CTL_V1) {
			r = put_memory_v1(dir, lim, err);
		} else if (bit == DS_LIM_MEMORY) {
			/* No swapping past the RAM limit; no limit lifts both. */
			if ((r = put_limit(dir, "memory.max", lim->memory > 0 ? lim->memory : -1, 0, err)) == 0)
				r = put_limit(dir, "memory.swap.max", lim->memory > 0 ? 0 : -1, 1, err);
			if (r == 0 && lim->memory_low > 0)
				r = put_limit(dir, "memory.low", lim->memory_low, 0, err);
		} else if (bit == DS_LIM_CPUS) {
			r = put_cpu_quota(dir, kind == CTL_V1, lim, err);
		} else if (bit == DS_LIM_CPU_WEIGHT) {
			long long shares = weight * 1024LL / 100;
			r = kind == CTL_V1 ? put_limit(dir, "cpu.shares", shares < 2 ? 2 : shares, 0, err)
					   : put_limit(dir, "cpu.weight", weight, 0, err);
		} else if (bit == DS_LIM_IO_WEIGHT) {
			r = put_io_weight(dir, kind == CTL_V1, weight, err);
		} else if (bit == DS_LIM_CPUSET) {
			r = put_cpuset(dir, lim, err);
		} else {
			r = put_limit(dir, "pids.max", lim->pids > 0 ? lim->pids : -1, 0, err);
		}
		if (r < 0)
			return r;
		/* A running container's tasks join a v1 cgroup beside cgroup2 that its start did not use. */
		char v2dir[PATH_MAX + 256];
		if (running && beside && cg->v2_root[0]) {
			snprintf(v2dir, sizeof(v2dir), "%s/%s", cg->v2_root, rel);
			if ((r = migrate_tree(v2dir, dir)) < 0)
				return ds_fail(err, r, "cannot move the container's tasks into %s", dir);
		}
	}
	return 0;
}

int ds_cgroup_limits_apply(const struct ds_cgroups *cg, const char *rel, const struct ds_limits *lim,
			   struct ds_error *err)
{
	return write_limits(cg, rel, lim, ds_limits_present(lim), 0, err);
}

int ds_cgroup_limits_update(const struct ds_cgroups *cg, const char *rel, const struct ds_limits *lim, unsigned which,
			    struct ds_error *err)
{
	return write_limits(cg, rel, lim, which, 1, err);
}

int ds_cgroup_limits_join(const struct ds_cgroups *cg, const char *rel, const struct ds_limits *lim,
			  struct ds_error *err)
{
	if (cg->mode != DS_CG_HYBRID && cg->mode != DS_CG_UNIFIED)
		return 0;
	unsigned which = ds_limits_present(lim);
	for (size_t i = 0; i < ARRAY_SIZE(limit_rows); i++) {
		char dir[PATH_MAX + 256];
		if ((which & limit_rows[i].bit) &&
		    controller_dir(cg, limit_rows[i].ctl, rel, dir, sizeof(dir)) == CTL_V1) {
			int r = join_one(dir, 1, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* The number after key in the file ("usage_usec 123"), or the file's first number when key is NULL. */
static long long read_count(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 300], buf[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *at = buf;
	if (key) {
		/* The line "key N", at the start of buf or after a newline. */
		size_t len = strlen(key);
		const char *line = buf;
		while (line && (strncmp(line, key, len) || line[len] != ' ')) {
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
		if (!line)
			return -1;
		at = line + len;
	}
	char *end;
	long long v = strtoll(at, &end, 10);
	return end == at || v < 0 ? -1 : v;
}

void ds_cgroup_usage(const struct ds_cgroups *cg, const char *rel, struct ds_cg_usage *u)
{
	char dir[PATH_MAX + 256];
	int kind;
	u->memory = u->pids = u->cpu_usec = -1;
	if (cg->mode == DS_CG_NONE || !rel[0])
		return;
	if ((kind = controller_dir(cg, "memory", rel, dir, sizeof(dir))) != CTL_NONE)
		u->memory = read_count(dir, kind == CTL_V1 ? "memory.usage_in_bytes" : "memory.current", NULL);
	if (controller_dir(cg, "pids", rel, dir, sizeof(dir)) != CTL_NONE)
		u->pids = read_count(dir, "pids.current", NULL);
	/* cgroup2 counts CPU time with or without the cpu controller; v1 in cpuacct. */
	if (cg->v2_root[0]) {
		snprintf(dir, sizeof(dir), "%s/%s", cg->v2_root, rel);
		u->cpu_usec = read_count(dir, "cpu.stat", "usage_usec");
	}
	int i = ds_cgroup_v1_index(cg, "cpuacct");
	if (u->cpu_usec < 0 && i >= 0) {
		snprintf(dir, sizeof(dir), "%s/%s", cg->v1_root[i], rel);
		long long ns = read_count(dir, "cpuacct.usage", NULL);
		u->cpu_usec = ns < 0 ? -1 : ns / 1000;
	}
}
