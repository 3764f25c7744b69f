/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/path.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH 010000000
#endif
#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif

/* linux/openat2.h, which musl's headers may lack. */
struct ds_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define DS_RESOLVE_NO_MAGICLINKS 0x02
#define DS_RESOLVE_NO_SYMLINKS 0x04
#define DS_RESOLVE_IN_ROOT 0x10

static int try_openat2(int rootfd, const char *rel, int oflags, mode_t mode, int opts)
{
	if (ds_fault_active("no-openat2"))
		return -ENOSYS;
	struct ds_open_how how = {
		.flags = (uint64_t)(unsigned)(oflags | O_CLOEXEC),
		.mode = (oflags & O_CREAT) ? mode : 0,
		.resolve = DS_RESOLVE_IN_ROOT | DS_RESOLVE_NO_MAGICLINKS |
			   ((opts & DS_ROOT_NO_SYMLINKS) ? DS_RESOLVE_NO_SYMLINKS : 0),
	};
	long fd = syscall(SYS_openat2, rootfd, rel[0] ? rel : ".", &how, sizeof(how));
	return fd < 0 ? negerrno() : (int)fd;
}

/* Walk state: the directory reached and its path relative to the root (no symlinks in it). */
struct walk {
	int rootfd;
	int dir;
	char done[PATH_MAX];
	char todo[PATH_MAX];
	int links;
};

/* Re-walks w->done from the root (after ".."): every component is a directory, no link. */
static int walk_reopen(struct walk *w)
{
	char buf[PATH_MAX], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", w->done);
	int dir = fcntl(w->rootfd, F_DUPFD_CLOEXEC, 3);
	for (char *c = strtok_r(buf, "/", &save); c && dir >= 0; c = strtok_r(NULL, "/", &save)) {
		int next = openat(dir, c, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		close(dir);
		dir = next;
	}
	if (dir < 0)
		return negerrno();
	close(w->dir);
	w->dir = dir;
	return 0;
}

static void walk_up(struct walk *w)
{
	char *slash = strrchr(w->done, '/');
	*(slash ? slash : w->done) = '\0';
}

/* Continues with the link target in front of what is left of the path. */
static int walk_link(struct walk *w, int linkfd, const char *rest)
{
	char target[PATH_MAX], joined[PATH_MAX];
	if (++w->links > DS_ROOT_MAX_LINKS)
		return -ELOOP;
	ssize_t n = readlinkat(linkfd, "", target, sizeof(target) - 1);
	if (n < 0)
		return negerrno();
	target[n] = '\0';
	if (snprintf(joined, sizeof(joined), "%s%s", target, rest) >= (int)sizeof(joined))
		return -ENAMETOOLONG;
	memcpy(w->todo, joined, sizeof(joined));
	if (target[0] == '/') {
		w->done[0] = '\0';
		return walk_reopen(w);
	}
	return 0;
}

/* Creates a missing component as asked: directories on the way, the last as MKDIR or MKFILE says. */
static int walk_create(struct walk *w, const char *comp, int last, int opts)
{
	if (!last || (opts & DS_ROOT_MKDIR)) {
		if (mkdirat(w->dir, comp, 0755) < 0 && errno != EEXIST)
			return negerrno();
		return 0;
	}
	int f = openat(w->dir, comp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (f < 0 && errno != EEXIST)
		return negerrno();
	if (f >= 0)
		close(f);
	return 0;
}

/* The last component, found as the O_PATH fd probe: open it for real, the same inode. */
static int walk_finish(struct walk *w, const char *comp, int probe, int oflags, mode_t mode)
{
	struct stat a, b;
	if ((oflags & O_DIRECTORY) && (fstat(probe, &a) < 0 || !S_ISDIR(a.st_mode)))
		return -ENOTDIR;
	if ((oflags & ~(O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC)) == O_PATH) {
		int fd = fcntl(probe, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? negerrno() : fd;
	}
	int fd = openat(w->dir, comp, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return negerrno();
	if (fstat(probe, &a) < 0 || fstat(fd, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		return -EAGAIN; /* replaced while we looked */
	}
	return fd;
}

/*
 * One step: comp below w->dir.  Returns 1 to go on, an fd (>= 0 via *out)
 * when the path is done, or a negative errno.
 */
static int walk_step(struct walk *w, const char *comp, const char *rest, int oflags, mode_t mode, int opts, int *out)
{
	int last = rest[strspn(rest, "/")] == '\0';
	if (strcmp(comp, ".") == 0)
		return 1;
	if (strcmp(comp, "..") == 0) {
		walk_up(w); /* at the root already: stays there */
		int r = walk_reopen(w);
		return r < 0 ? r : 1;
	}
	_cleanup_close_ int fd = openat(w->dir, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && last && (oflags & O_CREAT)) {
		*out = openat(w->dir, comp, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
		return *out < 0 ? negerrno() : 0;
	}
	if (fd < 0 && errno == ENOENT && (opts & (DS_ROOT_MKDIR | DS_ROOT_MKFILE))) {
		int r = walk_create(w, comp, last, opts);
		if (r < 0)
			return r;
		fd = openat(w->dir, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return negerrno();
	if (S_ISLNK(st.st_mode)) {
		if (last && (oflags & O_NOFOLLOW) && (oflags & O_PATH)) {
			*out = TAKE_FD(fd);
			return 0;
		}
		if (last && (oflags & O_CREAT) && (oflags & O_EXCL))
			return -EEXIST; /* as open(2): O_EXCL never follows a link */
		if ((last && (oflags & O_NOFOLLOW)) || (opts & DS_ROOT_NO_SYMLINKS))
			return -ELOOP;
		int r = walk_link(w, fd, rest);
		return r < 0 ? r : 1;
	}
	if ((!last || rest[0] == '/') && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	size_t dl = strlen(w->done);
	if (dl + strlen(comp) + 2 > sizeof(w->done))
		return -ENAMETOOLONG;
	snprintf(w->done + dl, sizeof(w->done) - dl, "%s%s", dl ? "/" : "", comp);
	if (last) {
		*out = walk_finish(w, comp, fd, oflags, mode);
		return *out < 0 ? *out : 0;
	}
	close(w->dir);
	w->dir = TAKE_FD(fd);
	return 1;
}

/* The component walk: the fallback of openat2, and the only way to learn the resolved path. */
static int walk(struct walk *w, const char *rel, int oflags, mode_t mode, int opts)
{
	if (snprintf(w->todo, sizeof(w->todo), "%s", rel) >= (int)sizeof(w->todo))
		return -ENAMETOOLONG;
	w->done[0] = '\0';
	w->links = 0;
	w->dir = fcntl(w->rootfd, F_DUPFD_CLOEXEC, 3);
	if (w->dir < 0)
		return negerrno();
	char comp[NAME_MAX + 1], rest[PATH_MAX];
	int r = 1, fd = -1;
	while (r == 1) {
		const char *p = w->todo + strspn(w->todo, "/");
		size_t len = strcspn(p, "/");
		if (len == 0) { /* the path ends on a directory */
			fd = openat(w->dir, ".", (oflags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
			r = fd < 0 ? negerrno() : 0;
			break;
		}
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		snprintf(rest, sizeof(rest), "%s", p + len);
		memcpy(w->todo, rest, sizeof(rest));
		r = walk_step(w, comp, rest, oflags, mode, opts, &fd);
	}
	close(w->dir);
	w->dir = -1;
	return r < 0 ? r : fd;
}

int ds_openat_in_root(int rootfd, const char *rel, int oflags, mode_t mode, int opts)
{
	int fd = try_openat2(rootfd, rel, oflags, mode, opts);
	/* The walk creates what is missing (openat2 cannot), and stands in on kernels before 5.6. */
	if (fd == -ENOSYS || (fd == -ENOENT && (opts & (DS_ROOT_MKDIR | DS_ROOT_MKFILE)))) {
		struct walk w = { .rootfd = rootfd, .dir = -1 };
		fd = walk(&w, rel, oflags, mode, opts);
	}
	return fd;
}

int ds_proc_root_open(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? negerrno() : fd;
}

ssize_t ds_read_file_in_root(int rootfd, const char *rel, char *buf, size_t size)
{
	if (size == 0)
		return -EINVAL;
	buf[0] = '\0';
	_cleanup_close_ int fd = ds_openat_in_root(rootfd, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, 0);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return negerrno();
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	ssize_t n = ds_read_all(fd, buf, size - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

int ds_resolve_in_root(const char *root, const char *rel, char *out, size_t size)
{
	struct walk w = { .dir = -1 };
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return negerrno();
	w.rootfd = rootfd;
	int fd = walk(&w, rel, O_PATH, 0, 0);
	if (fd < 0)
		return fd;
	close(fd);
	int n = snprintf(out, size, "%s/%s", root, w.done);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
