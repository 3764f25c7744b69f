/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A directory's contents copied into another (see copy.h). */
#include "fs/copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/macros.h"

struct copy {
	char buf[65536];
	struct ds_error *err;
	int reported; /* err names the failure (the innermost entry) */
};

/* The owner, mode and times of st on the new entry name in to (fd: it opened, or -1). */
static int set_meta(int to, const char *name, int fd, const struct stat *st)
{
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (fd >= 0)
		return fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
				       futimens(fd, times) < 0
			       ? negerrno()
			       : 0;
	if (fchownat(to, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return negerrno();
	/* (a symlink's mode is not its own to set) */
	if (!S_ISLNK(st->st_mode) && fchmodat(to, name, st->st_mode & 07777, 0) < 0)
		return negerrno();
	return utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) < 0 ? negerrno() : 0;
}

static int copy_dir(struct copy *c, int from, int to, unsigned depth);

static int copy_file(struct copy *c, int from, int to, const char *name, const struct stat *st)
{
	/* Non-blocking, and checked again once open: a FIFO put there since the stat is not waited on. */
	_cleanup_close_ int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat now;
	if (in >= 0 && (fstat(in, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino))
		return -ESTALE;
	_cleanup_close_ int out =
		in < 0 ? -1 : openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		return negerrno();
	for (;;) {
		ssize_t n = read(in, c->buf, sizeof(c->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negerrno();
		if (n == 0)
			break;
		if (ds_write_all(out, c->buf, (size_t)n) < 0)
			return negerrno();
	}
	return set_meta(to, name, out, st);
}

static int copy_entry(struct copy *c, int from, int to, const char *name, unsigned depth)
{
	struct stat st;
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return negerrno();
	if (S_ISREG(st.st_mode))
		return copy_file(c, from, to, name, &st);
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(to, name, 0700) < 0)
			return negerrno();
		_cleanup_close_ int in = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int out =
			in < 0 ? -1 : openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0 || out < 0)
			return negerrno();
		int r = copy_dir(c, in, out, depth + 1);
		return r < 0 ? r : set_meta(to, name, out, &st);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
		if (n < 0)
			return negerrno();
		target[n] = 0;
		if (symlinkat(target, to, name) < 0)
			return negerrno();
	} else if (mknodat(to, name, st.st_mode & (S_IFMT | 0600), st.st_rdev) < 0) {
		return negerrno();
	}
	return set_meta(to, name, -1, &st);
}

static int copy_dir(struct copy *c, int from, int to, unsigned depth)
{
	if (depth > DS_COPY_MAX_DEPTH) {
		c->reported = 1;
		return ds_fail(c->err, -ELOOP, "more than %d directories deep", DS_COPY_MAX_DEPTH);
	}
	int fd = dup(from);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int r = negerrno();
		if (fd >= 0)
			close(fd);
		c->reported = 1;
		return ds_fail(c->err, r, "cannot read a directory");
	}
	rewinddir(d);
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((r = copy_entry(c, dirfd(d), to, e->d_name, depth)) < 0 && !c->reported) {
			c->reported = 1;
			ds_fail(c->err, r, "cannot copy %s", e->d_name);
		}
	}
	closedir(d);
	return r;
}

int ds_copy_tree(int from, int to, struct ds_error *err)
{
	struct copy *c = malloc(sizeof(*c));
	if (!c)
		return ds_fail(err, -ENOMEM, "cannot copy a directory");
	c->err = err;
	c->reported = 0;
	int r = copy_dir(c, from, to, 0);
	free(c);
	return r;
}
