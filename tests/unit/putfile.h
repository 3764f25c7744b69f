/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Files written into a test's scratch directory (include after cmocka.h). */
#pragma once

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes len bytes of data to dir/rel, creating parent directories. */
static inline void put_file(const char *dir, const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static inline void put_text(const char *dir, const char *rel, const char *text)
{
	put_file(dir, rel, text, strlen(text));
}
