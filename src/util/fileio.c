/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/fileio.h"
#include "util/fault.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

ssize_t ds_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negerrno();
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t ds_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negerrno();
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t ds_read_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	if (size == 0)
		return -EINVAL;
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return negerrno();
	ssize_t n = ds_read_all(fd, buf, size - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

ssize_t ds_read_file(const char *path, char *buf, size_t size) { return ds_read_file_at(AT_FDCWD, path, buf, size); }

int ds_write_file(const char *path, const char *s, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, mode);
	if (fd < 0)
		return negerrno();
	ssize_t n = ds_write_all(fd, s, strlen(s));
	return n < 0 ? (int)n : 0;
}

ssize_t ds_read_fd_whole(int fd, char **out, size_t max)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len + 1 == cap) {
			if (cap > max) {
				free(buf);
				return -EFBIG; /* never a silent cut */
			}
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t n = ds_read_all(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			free(buf);
			return n;
		}
		len += (size_t)n;
		if (len + 1 < cap)
			break; /* a short read: end of file */
	}
	if (len > max) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*out = buf;
	return (ssize_t)len;
}

int ds_open_regular(const char *path, int nofollow)
{
	/* O_NONBLOCK: a FIFO there must not hang us (and is refused below). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0));
	struct stat st;
	if (fd < 0)
		return negerrno();
	int r = fstat(fd, &st) < 0 ? negerrno() : S_ISREG(st.st_mode) ? 0 : -EINVAL;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

const char *ds_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "FIFO";
	case S_IFSOCK: return "socket";
	case S_IFCHR:
	case S_IFBLK: return "device node";
	default: return "special file";
	}
}

/* 1 when path is a regular file of this mode holding exactly s (compared a block at a time). */
static int holds(const char *path, const char *s, mode_t mode)
{
	char old[8192];
	size_t len = strlen(s), at = 0;
	struct stat st;
	_cleanup_close_ int fd = ds_open_regular(path, 1);
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size != len || (st.st_mode & 07777) != (mode & 07777))
		return 0;
	for (;;) {
		ssize_t n = ds_read_all(fd, old, sizeof(old));
		if (n < 0 || (size_t)n > len - at || memcmp(old, s + at, (size_t)n) != 0)
			return 0;
		at += (size_t)n;
		if ((size_t)n < sizeof(old))
			return at == len;
	}
}

/* A name nobody can guess: getrandom(2), else the clock and the pid (O_EXCL makes a clash only a retry). */
static unsigned long long random_tag(void)
{
	unsigned long long v = 0;
#ifdef SYS_getrandom
	if (syscall(SYS_getrandom, &v, sizeof(v), 0x1 /* GRND_NONBLOCK */) == (long)sizeof(v))
		return v;
#endif
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)ts.tv_sec ^
	       ((unsigned long long)getpid() << 40) ^ (unsigned long long)(uintptr_t)&v;
}

/* 64 random bits per name: a collision is a planted file, not chance; give up after this many. */
#define TEMP_NAME_TRIES 100

/* A fresh random name in dir, opened with O_EXCL|O_NOFOLLOW: nothing planted there is ever opened. */
static int open_named_temp(int dir, const char *base, mode_t mode, char *name, size_t size)
{
	for (int tries = 0; tries < TEMP_NAME_TRIES; tries++) {
		snprintf(name, size, ".%s.%016llx.tmp", base, random_tag());
		int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? negerrno() : fd;
	}
	name[0] = '\0';
	return -EEXIST;
}

/* Gives an unnamed O_TMPFILE file a random name in dir (AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, /proc does not). */
static int link_temp(int fd, int dir, const char *base, char *name, size_t size)
{
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < TEMP_NAME_TRIES; tries++) {
		snprintf(name, size, ".%s.%016llx.tmp", base, random_tag());
		if (linkat(fd, "", dir, name, AT_EMPTY_PATH) == 0 ||
		    (errno != EEXIST && linkat(AT_FDCWD, self, dir, name, AT_SYMLINK_FOLLOW) == 0))
			return 0;
		if (errno != EEXIST)
			break;
	}
	int r = negerrno();
	name[0] = '\0';
	return r;
}

/*
 * Writes s to a new file in dir named in name: unnamed until complete
 * (O_TMPFILE, Linux 3.11+ on a filesystem that has it) when unnamed, else
 * under a random name from the start.
 */
static int write_temp(int dir, const char *base, const char *s, mode_t mode, int flags, int unnamed, char *name,
		      size_t size)
{
	_cleanup_close_ int fd = -1;
	name[0] = '\0';
#ifdef O_TMPFILE
	if (unnamed)
		fd = openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
#endif
	if (!unnamed)
		fd = open_named_temp(dir, base, mode, name, size);
	if (fd < 0)
		return unnamed ? -EOPNOTSUPP : fd;
	ssize_t n = ds_write_all(fd, s, strlen(s));
	if (n < 0)
		return (int)n;
	if (fchmod(fd, mode) < 0) /* as asked, whatever the umask */
		return negerrno();
	if ((flags & DS_WRITE_DURABLE) && fsync(fd) < 0)
		return negerrno();
	return unnamed ? link_temp(fd, dir, base, name, size) : 0;
}

int ds_write_file_atomic(const char *path, const char *s, mode_t mode, int flags)
{
	char dirpath[PATH_MAX], name[NAME_MAX + 1];
	if (snprintf(dirpath, sizeof(dirpath), "%s", path) >= (int)sizeof(dirpath))
		return -ENAMETOOLONG;
	char *slash = strrchr(dirpath, '/');
	const char *base = slash ? path + (slash - dirpath) + 1 : path;
	if (!*base || strlen(base) > NAME_MAX - 24)
		return -ENAMETOOLONG;
	if (slash)
		*slash = '\0';
	_cleanup_close_ int dir = open(slash ? (dirpath[0] ? dirpath : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return negerrno();
	/* Only a regular file (or a symlink, replaced and never followed) is ours to replace. */
	struct stat st;
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	if ((flags & DS_WRITE_IF_CHANGED) && holds(path, s, mode))
		return 0;
	int r = write_temp(dir, base, s, mode, flags, !ds_fault_active("no-tmpfile"), name, sizeof(name));
	if (r < 0 && !name[0]) /* no O_TMPFILE here, or no way to link it: a named one */
		r = write_temp(dir, base, s, mode, flags, 0, name, sizeof(name));
	if (r == 0 && renameat(dir, name, dir, base) < 0)
		r = negerrno();
	if (r < 0 && name[0])
		unlinkat(dir, name, 0);
	return r;
}

int ds_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return negerrno();
			*p = c;
			if (c == '\0')
				break;
		}
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return negerrno();
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

char *ds_chomp(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int ds_file_has_word(const char *path, const char *needle)
{
	char buf[16384];
	if (ds_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	size_t nl = strlen(needle);
	for (const char *p = buf; (p = strstr(p, needle)); p += nl) {
		int start_ok = p == buf || p[-1] == '\t' || p[-1] == ' ' || p[-1] == '\n';
		char e = p[nl];
		if (start_ok && (e == '\0' || e == '\n' || e == ' ' || e == '\t'))
			return 1;
	}
	return 0;
}

ssize_t ds_proc_status(pid_t pid, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ssize_t n = ds_read_file(path, buf, size);
	return n > 0 ? n : -ESRCH;
}
