/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small ownership and error helpers shared by every floor. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void ds_freep(void *p) { free(*(void **)p); }
static inline void ds_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

/* Ownership in types: released when the variable leaves scope. */
#define _cleanup_free_ __attribute__((cleanup(ds_freep)))
#define _cleanup_close_ __attribute__((cleanup(ds_closep)))

/* Hand a value over to someone else and leave "nothing" behind. */
static inline int ds_take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}
#define TAKE_FD(fd) ds_take_fd(&(fd))

/* -errno of the last failed libc call, never 0. */
static inline int negerrno(void) { return errno > 0 ? -errno : -EIO; }
