/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/fileio.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

ssize_t ds_read_file(const char *path, char *buf, size_t size)
{
	return ds_read_file_at(AT_FDCWD, path, buf, size);
}

int ds_write_file(const char *path, const char *s, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, mode);
	if (fd < 0)
		return negerrno();
	ssize_t n = ds_write_all(fd, s, strlen(s));
	return n < 0 ? (int)n : 0;
}

/* 1 when path is a regular file of this mode holding exactly s. */
static int holds(const char *path, const char *s, mode_t mode)
{
	char old[8192];
	size_t len = strlen(s);
	struct stat st;
	if (len >= sizeof(old))
		return 0;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len &&
	       (st.st_mode & 07777) == (mode & 07777) && ds_read_all(fd, old, sizeof(old)) == (ssize_t)len &&
	       memcmp(old, s, len) == 0;
}

int ds_write_file_atomic(const char *path, const char *s, mode_t mode, int flags)
{
	if ((flags & DS_WRITE_IF_CHANGED) && holds(path, s, mode))
		return 0;
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return negerrno();
	ssize_t n = ds_write_all(fd, s, strlen(s));
	if (n < 0 || ((flags & DS_WRITE_DURABLE) && fsync(fd) < 0) || rename(tmp, path) < 0) {
		int r = n < 0 ? (int)n : negerrno();
		unlink(tmp);
		return r;
	}
	return 0;
}

int ds_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
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
