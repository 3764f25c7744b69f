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

static int create_one(const char *dir, int v1, void *ud)
{
	(void)ud;
	if (v1) {
		/* Create level by level so each cpuset level inherits its CPUs. */
		char buf[PATH_MAX + 256];
		snprintf(buf, sizeof(buf), "%s", dir);
		char *leaf = strrchr(buf, '/');
		if (leaf) {
			*leaf = '\0';
			if (mkdir(buf, 0755) == 0)
				cpuset_inherit(buf);
			*leaf = '/';
		}
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return negerrno();
		cpuset_inherit(dir);
		return 0;
	}
	return ds_mkdir_p(dir, 0755);
}

int ds_cgroup_create(const struct ds_cgroups *cg, const char *rel, struct ds_error *err)
{
	if (cg->mode == DS_CG_NONE)
		return 0;
	int r = for_each_dir(cg, rel, create_one, NULL);
	return r < 0 ? ds_fail(err, r, "cannot create cgroup %s", rel) : 0;
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
	return for_each_dir(cg, rel, destroy_one, &ctx);
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

int ds_cgroup_join_v1_of(const struct ds_cgroups *cg, pid_t pid)
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
