/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/userns.h"
#include "core/workspace.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The same numbers on every architecture (5.2 and 5.12). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define DS_MOUNT_ATTR_IDMAP 0x00100000 /* linux/mount.h, 5.12 */

/* struct mount_attr of 5.12 (linux/mount.h is missing from older headers). */
struct ds_mount_attr {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

#define DS_ID_END 4294967295ULL /* (uid_t)-1 is no id: a range ends before it */

static int parse_u32(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;
	if (n == 0 || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Why base:size is no range guest root may have (NULL: it is one). */
static const char *range_why(unsigned long long base, unsigned long long size)
{
	if (size == 0)
		return "a range of 0 ids";
	if (base < DS_USERNS_MIN_BASE)
		return "the range would include the host's own users (0-65535): use a BASE of 65536 or more";
	if (base + size > DS_ID_END)
		return "the range ends past the last id (4294967294)";
	return NULL;
}

const char *ds_userns_parse(const char *val, struct ds_userns *out)
{
	struct ds_userns u = { .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	unsigned long long base, size = DS_USERNS_SIZE;
	if (!val[0] || !strcmp(val, "auto") || !strcmp(val, "yes")) {
		*out = u;
		return NULL;
	}
	if (!strcmp(val, "no")) {
		*out = (struct ds_userns){ .mode = DS_USERNS_OFF };
		return NULL;
	}
	const char *colon = strchr(val, ':');
	size_t blen = colon ? (size_t)(colon - val) : strlen(val);
	if (parse_u32(val, blen, &base) < 0 || (colon && parse_u32(colon + 1, strlen(colon + 1), &size) < 0))
		return "expected auto, no, or BASE[:SIZE] (host ids, e.g. 524288:65536)";
	const char *why = range_why(base, size);
	if (why)
		return why;
	*out = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = (unsigned)base, .size = (unsigned)size };
	return NULL;
}

void ds_userns_format(const struct ds_userns *u, char *out, size_t size)
{
	if (u->mode == DS_USERNS_FIXED)
		snprintf(out, size, "%u:%u", u->base, u->size);
	else
		snprintf(out, size, "%s", u->mode == DS_USERNS_AUTO ? "auto" : "no");
}

const char *ds_userns_ownership_parse(const char *val, int *out)
{
	static const char *const names[] = { [DS_OWN_AUTO] = "auto", [DS_OWN_MAP] = "map", [DS_OWN_CHOWN] = "chown" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(val, names[i])) {
			*out = (int)i;
			return NULL;
		}
	return "expected auto, map (an idmapped mount) or chown (the ids shifted on disk once)";
}

const char *ds_userns_ownership_name(int ownership)
{
	return ownership == DS_OWN_MAP ? "map" : ownership == DS_OWN_CHOWN ? "chown" : "auto";
}

const char *ds_userns_shift_parse(const char *val, struct ds_userns_shift *out)
{
	static const char why[] = "expected BASE:SIZE or shifting:FROM:BASE:SIZE (a shift of the rootfs's ids)";
	struct ds_userns_shift s = { .state = DS_SHIFT_SHIFTED };
	unsigned long long v[3] = { 0 };
	const char *p = val;
	int n = 2;
	if (!strncmp(p, "shifting:", 9)) {
		s.state = DS_SHIFT_SHIFTING;
		p += 9;
		n = 3;
	}
	for (int i = 0; i < n; i++) {
		const char *end = i < n - 1 ? strchr(p, ':') : p + strlen(p);
		if (!end || parse_u32(p, (size_t)(end - p), &v[i]) < 0)
			return why;
		p = *end ? end + 1 : end;
	}
	s.from = n == 3 ? (unsigned)v[0] : 0;
	s.base = (unsigned)v[n - 2];
	s.size = (unsigned)v[n - 1];
	/* shifted: to a range; shifting: between the rootfs's own ids (0) and a range, or two ranges */
	const char *bad = s.size ? NULL : "a range of 0 ids";
	if (!bad && (s.base || n == 2))
		bad = range_why(s.base, s.size);
	if (!bad && s.from)
		bad = range_why(s.from, s.size);
	if (!bad && n == 3 && s.from == s.base)
		bad = "a shift from a range to itself";
	if (bad)
		return bad;
	*out = s;
	return NULL;
}

void ds_userns_shift_format(const struct ds_userns_shift *s, char *out, size_t size)
{
	if (s->state == DS_SHIFT_SHIFTING)
		snprintf(out, size, "shifting:%u:%u:%u", s->from, s->base, s->size);
	else if (s->state == DS_SHIFT_SHIFTED)
		snprintf(out, size, "%u:%u", s->base, s->size);
	else if (size)
		out[0] = '\0';
}

static int overlaps(unsigned long long b1, unsigned long long s1, unsigned long long b2, unsigned long long s2)
{
	return b1 < b2 + s2 && b2 < b1 + s1;
}

/* One "BASE SIZE NAME" line (no newline) into e; -EINVAL when it is not one. */
static int parse_entry(const char *l, size_t n, struct ds_userns_entry *e)
{
	const char *sp1 = memchr(l, ' ', n);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l)) : NULL;
	unsigned long long base, size;
	if (!sp2 || parse_u32(l, (size_t)(sp1 - l), &base) < 0 ||
	    parse_u32(sp1 + 1, (size_t)(sp2 - sp1 - 1), &size) < 0 || range_why(base, size))
		return -EINVAL;
	size_t nl = n - (size_t)(sp2 + 1 - l);
	if (nl == 0 || nl > DS_NAME_MAX)
		return -EINVAL;
	memcpy(e->name, sp2 + 1, nl);
	e->name[nl] = '\0';
	if (memchr(e->name, '\0', nl) || ds_name_validate(e->name) < 0)
		return -EINVAL;
	e->base = (unsigned)base;
	e->size = (unsigned)size;
	return 0;
}

int ds_userns_registry_parse(const char *text, size_t len, struct ds_userns_entry *e, int max, int *bad_line)
{
	int n = 0, line = 0;
	for (size_t pos = 0; pos < len;) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos;
		pos += ll + (nl ? 1 : 0);
		line++;
		if (ll == 0 || l[0] == '#')
			continue;
		struct ds_userns_entry cur;
		int bad = n >= max || parse_entry(l, ll, &cur) < 0;
		for (int i = 0; i < n && !bad; i++)
			bad = !strcmp(e[i].name, cur.name) || overlaps(e[i].base, e[i].size, cur.base, cur.size);
		if (bad) {
			*bad_line = line;
			return -EBADMSG;
		}
		e[n++] = cur;
	}
	return n;
}

int ds_userns_registry_format(const struct ds_userns_entry *e, int n, char *out, size_t size)
{
	size_t pos = 0;
	int w = snprintf(out, size, "# droidspaces --private-users ranges: BASE SIZE NAME\n");
	for (int i = 0; w >= 0 && (size_t)w < size - pos; i++) {
		pos += (size_t)w;
		if (i == n)
			return 0;
		w = snprintf(out + pos, size - pos, "%u %u %s\n", e[i].base, e[i].size, e[i].name);
	}
	return -ENAMETOOLONG;
}

int ds_userns_pick(const struct ds_userns_entry *e, int n, const char *name, struct ds_userns *want, const char **other)
{
	if (want->mode == DS_USERNS_FIXED) {
		for (int i = 0; i < n; i++)
			if (strcmp(e[i].name, name) && overlaps(e[i].base, e[i].size, want->base, want->size)) {
				*other = e[i].name;
				return -EBUSY;
			}
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name)) {
			*want = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = e[i].base, .size = e[i].size };
			return 0;
		}
	unsigned size = want->size ? want->size : DS_USERNS_SIZE;
	for (unsigned long long base = DS_USERNS_FIRST; base <= DS_USERNS_LAST;) {
		int clash = -1;
		for (int i = 0; i < n && clash < 0; i++)
			if (strcmp(e[i].name, name) && overlaps(e[i].base, e[i].size, base, size))
				clash = i;
		if (clash < 0) {
			*want = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = (unsigned)base, .size = size };
			return 0;
		}
		/* past the one in the way, on the next step of DS_USERNS_SIZE */
		unsigned long long end = (unsigned long long)e[clash].base + e[clash].size;
		base = DS_USERNS_FIRST + (end - DS_USERNS_FIRST + DS_USERNS_SIZE - 1) / DS_USERNS_SIZE * DS_USERNS_SIZE;
	}
	return -ENOSPC;
}

/* The registry, read under its flock (held while fd is open); on the heap (about 100 KB). */
struct registry {
	int fd;
	char path[PATH_MAX];
	struct ds_userns_entry e[DS_USERNS_REGISTRY_MAX];
	int n;
	char text[DS_USERNS_REGISTRY_BYTES]; /* the file, as read or to be written */
};

static void registry_closep(struct registry **reg)
{
	if (!*reg)
		return;
	ds_closep(&(*reg)->fd);
	free(*reg);
	*reg = NULL;
}
#define _cleanup_registry_ __attribute__((cleanup(registry_closep)))

static int registry_read(const char *ws, struct registry *reg, struct ds_error *err)
{
	if (ds_workspace_userns_registry(ws, reg->path, sizeof(reg->path)) < 0)
		return ds_fail(err, -ENAMETOOLONG, "the workspace path %s is too long", ws);
	reg->fd = open(reg->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (reg->fd < 0)
		return ds_fail(err, negerrno(), "cannot open the user namespace registry %s", reg->path);
	struct stat st;
	if (flock(reg->fd, LOCK_EX) < 0 || fstat(reg->fd, &st) < 0) {
		int r = negerrno();
		ds_closep(&reg->fd);
		return ds_fail(err, r, "cannot lock %s", reg->path);
	}
	if (!S_ISREG(st.st_mode) || st.st_size >= (off_t)DS_USERNS_REGISTRY_BYTES) {
		ds_closep(&reg->fd);
		return ds_fail(err, DS_EINVAL_MSG, "%s is not a registry of droidspaces (too large or not a file)",
			       reg->path);
	}
	ssize_t len = pread(reg->fd, reg->text, sizeof(reg->text), 0);
	int bad = 0;
	int n = len < 0 ? -EIO : ds_userns_registry_parse(reg->text, (size_t)len, reg->e, DS_USERNS_REGISTRY_MAX, &bad);
	if (n < 0) {
		ds_closep(&reg->fd);
		/* Fail closed: a damaged registry could hand one range to two containers. */
		return ds_fail(err, DS_EINVAL_MSG,
			       "%s: line %d is not 'BASE SIZE NAME' of a free range; fix or remove it", reg->path, bad);
	}
	reg->n = n;
	return 0;
}

/* Opens, locks and reads ws's registry into *out (freed, and unlocked, by registry_closep). */
static int registry_open(const char *ws, struct registry **out, struct ds_error *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return ds_fail(err, -ENOMEM, "out of memory opening the user namespace registry");
	(*out)->fd = -1;
	int r = registry_read(ws, *out, err);
	if (r < 0)
		registry_closep(out);
	return r;
}

static int registry_write(struct registry *reg)
{
	int r = ds_userns_registry_format(reg->e, reg->n, reg->text, sizeof(reg->text));
	if (r < 0)
		return r;
	size_t len = strlen(reg->text);
	if (ftruncate(reg->fd, 0) < 0 || pwrite(reg->fd, reg->text, len, 0) != (ssize_t)len || fsync(reg->fd) < 0)
		return negerrno();
	return 0;
}

static int find(const struct registry *reg, const char *name)
{
	for (int i = 0; i < reg->n; i++)
		if (!strcmp(reg->e[i].name, name))
			return i;
	return -1;
}

/* Puts e (or, with e NULL, nothing) in name's place. */
static void put_entry(struct registry *reg, const char *name, const struct ds_userns_entry *e)
{
	int i = find(reg, name);
	if (i >= 0)
		reg->e[i] = reg->e[--reg->n];
	if (e)
		reg->e[reg->n++] = *e;
}

int ds_userns_claim(struct ds_config *cfg, struct ds_userns_claim *claim, struct ds_error *err)
{
	_cleanup_registry_ struct registry *reg = NULL;
	struct ds_userns *u = &cfg->settings.userns;
	memset(claim, 0, sizeof(*claim));
	int r = registry_open(cfg->workspace, &reg, err);
	if (r < 0)
		return r;
	const char *other = NULL;
	struct ds_userns want = *u;
	int i = find(reg, cfg->container_name);
	r = ds_userns_pick(reg->e, reg->n, cfg->container_name, &want, &other);
	if (r == -EBUSY)
		r = ds_fail(err, DS_EINVAL_MSG, "--private-users: ids %u-%u overlap those of container %s", want.base,
			    want.base + want.size - 1, other);
	else if (r == -ENOSPC)
		r = ds_fail(err, DS_EINVAL_MSG, "--private-users: no free range of %u ids is left in %s", want.size,
			    reg->path);
	else if (i < 0 && reg->n >= DS_USERNS_REGISTRY_MAX)
		r = ds_fail(err, DS_EINVAL_MSG, "--private-users: %s is full (%d containers)", reg->path,
			    DS_USERNS_REGISTRY_MAX);
	if (r == 0 && (i < 0 || reg->e[i].base != want.base || reg->e[i].size != want.size)) {
		claim->had = i >= 0;
		if (i >= 0)
			claim->prev = reg->e[i];
		struct ds_userns_entry e = { .base = want.base, .size = want.size };
		snprintf(e.name, sizeof(e.name), "%s", cfg->container_name);
		put_entry(reg, cfg->container_name, &e);
		if ((r = registry_write(reg)) < 0)
			ds_fail(err, r, "cannot write %s", reg->path);
		claim->changed = r == 0;
	}
	if (r == 0)
		*u = want;
	return r;
}

void ds_userns_unclaim(const struct ds_config *cfg, const struct ds_userns_claim *claim)
{
	_cleanup_registry_ struct registry *reg = NULL;
	struct ds_error e = { 0 };
	if (!claim->changed || registry_open(cfg->workspace, &reg, &e) < 0)
		return;
	put_entry(reg, cfg->container_name, claim->had ? &claim->prev : NULL);
	registry_write(reg);
}

int ds_userns_release(const char *ws, const char *name)
{
	_cleanup_registry_ struct registry *reg = NULL;
	struct ds_error e = { 0 };
	char path[PATH_MAX];
	if (ds_workspace_userns_registry(ws, path, sizeof(path)) < 0 || access(path, F_OK) < 0)
		return 0; /* never used: nothing to release */
	int r = registry_open(ws, &reg, &e);
	if (r < 0)
		return r;
	if (find(reg, name) >= 0) {
		put_entry(reg, name, NULL);
		r = registry_write(reg);
	}
	return r;
}

int ds_userns_supported(void)
{
	if (ds_fault_active("no-userns") || access("/proc/self/ns/user", F_OK) < 0)
		return 0;
	/* Compiled in and allowed (a sysctl, or the kernel's limits, may say no): ask in a child. */
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int ds_userns_write_map(pid_t pid, const char *which, const char *map, struct ds_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	size_t n = strlen(map);
	/* One write: the kernel takes a map once, whole. */
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, map, n) == (ssize_t)n)
		return 0;
	int r = negerrno();
	char shown[96];
	snprintf(shown, sizeof(shown), "%s", map);
	for (char *c = shown; *c; c++)
		if (*c == '\n')
			*c = c[1] ? ',' : '\0';
	return ds_fail(err, r, "cannot write %s (%s)", path, shown);
}

static int write_map(pid_t pid, const char *which, const struct ds_userns *u, struct ds_error *err)
{
	char map[64];
	snprintf(map, sizeof(map), "0 %u %u\n", u->base, u->size);
	return ds_userns_write_map(pid, which, map, err);
}

/*
 * rootfd's directory, with every mount below it, cloned as a detached tree
 * of our own and idmapped into the user namespace nsfd: the tree's fd, or a
 * negative errno with *step the call that failed.
 */
static int idmapped_tree(int rootfd, int nsfd, const char **step)
{
	*step = "open_tree";
	int tree = (int)syscall(SYS_open_tree, rootfd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return negerrno();
	*step = "mount_setattr";
	struct ds_mount_attr a = { .attr_set = DS_MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)nsfd };
	int r = ds_fault_active("no-idmap") ? -EINVAL : 0;
	if (r == 0 && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		r = negerrno();
	if (r < 0) {
		close(tree);
		return r;
	}
	return tree;
}

int ds_userns_idmap_possible(int rootfd, const struct ds_userns *u, char *why, size_t size)
{
	if (ds_fault_active("no-idmap")) {
		snprintf(why, size, "idmapped mounts turned off ($DROIDSPACES_FAULT=no-idmap)");
		return 0;
	}
	/* A child in a user namespace of its own (ready: one byte on up), alive until go closes. */
	int up[2], go[2];
	if (pipe2(up, O_CLOEXEC) < 0)
		return snprintf(why, size, "cannot create a pipe: %s", strerror(errno)), 0;
	if (pipe2(go, O_CLOEXEC) < 0) {
		snprintf(why, size, "cannot create a pipe: %s", strerror(errno));
		close(up[0]);
		close(up[1]);
		return 0;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char c = 'u';
		close(up[0]);
		close(go[1]);
		if (unshare(CLONE_NEWUSER) < 0 || write(up[1], &c, 1) != 1)
			_exit(1);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(up[1]);
	close(go[0]);
	char c;
	int ok = 0;
	struct ds_error e = { 0 };
	if (pid < 0)
		snprintf(why, size, "cannot fork: %s", strerror(errno));
	else if (ds_read_all(up[0], &c, 1) != 1)
		snprintf(why, size, "this kernel does not create user namespaces");
	else if (ds_userns_write_maps(pid, u, &e) < 0)
		snprintf(why, size, "%s", e.msg);
	else {
		char nspath[64];
		const char *step = "open";
		snprintf(nspath, sizeof(nspath), "/proc/%d/ns/user", (int)pid);
		_cleanup_close_ int nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
		int tree = nsfd < 0 ? negerrno() : idmapped_tree(rootfd, nsfd, &step);
		ok = tree >= 0;
		if (ok)
			close(tree);
		else if (tree == -ENOSYS)
			snprintf(why, size, "this kernel has no %s (idmapped mounts need Linux 5.12)", step);
		else
			snprintf(why, size, "%s: %s (the filesystem cannot be idmapped here)", step, strerror(-tree));
	}
	close(up[0]);
	close(go[1]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return ok;
}

int ds_userns_write_maps(pid_t pid, const struct ds_userns *u, struct ds_error *err)
{
	int r = write_map(pid, "uid_map", u, err);
	return r < 0 ? r : write_map(pid, "gid_map", u, err);
}

int ds_userns_setup_child(pid_t pid, const struct ds_userns *u, int rootfd, const char *rootfs, struct ds_error *err)
{
	int r = ds_userns_write_maps(pid, u, err);
	if (r < 0)
		return r;
	char nspath[64];
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/user", (int)pid);
	_cleanup_close_ int nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return ds_fail(err, negerrno(), "cannot open %s", nspath);
	const char *step;
	int tree = idmapped_tree(rootfd, nsfd, &step);
	if (tree == -ENOSYS)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: cannot idmap the rootfs %s (this kernel has no %s)", rootfs, step);
	if (tree < 0)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: the filesystem of %s cannot be idmapped (%s): idmapped mounts need "
			       "Linux 5.12 (ext4, btrfs, xfs), 5.19 (overlayfs), 6.3 (tmpfs); "
			       "--private-users-ownership=chown shifts its ids instead",
			       rootfs, strerror(-tree));
	return tree;
}
