/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/fds.h"
#include "util/fault.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every architecture */
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define DS_FDS_KEEP_MAX 64

static int is_kept(int fd, const int *keep, int n)
{
	for (int i = 0; i < n; i++)
		if (keep[i] == fd)
			return 1;
	return 0;
}

static void act(int fd, int cloexec)
{
	if (!cloexec) {
		close(fd);
		return;
	}
	int fl = fcntl(fd, F_GETFD);
	if (fl >= 0 && !(fl & FD_CLOEXEC))
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

/* Without close_range: each open fd as /proc/self/fd lists it (no limit on how many). */
static int by_listing(int first, const int *keep, int n, int cloexec)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return negerrno();
	int self = dirfd(d);
	struct dirent *e;
	/* Closing while listing is safe: the listing walks fd numbers upwards. */
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || e->d_name[0] < '0' || e->d_name[0] > '9' || fd < first || fd == self ||
		    is_kept((int)fd, keep, n))
			continue;
		act((int)fd, cloexec);
	}
	closedir(d);
	return 0;
}

/* No /proc (early boot, a hostile mount): every number the fd limit allows. */
static void by_number(int first, const int *keep, int n, int cloexec)
{
	struct rlimit rl;
	long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 65536;
	if (max > (1L << 20))
		max = 1L << 20;
	for (long fd = first; fd < max; fd++)
		if (!is_kept((int)fd, keep, n))
			act((int)fd, cloexec);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* close_range over the gaps between the kept fds; -ENOSYS (or -EINVAL) when the kernel lacks it. */
static int by_range(int first, const int *keep, int n, int cloexec)
{
	int sorted[DS_FDS_KEEP_MAX], m = 0;
	if (n > DS_FDS_KEEP_MAX)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (keep[i] >= first)
			sorted[m++] = keep[i];
	qsort(sorted, (size_t)m, sizeof(int), cmp_int);
	unsigned int lo = (unsigned int)first, flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0;
	for (int i = 0; i < m; i++) {
		unsigned int k = (unsigned int)sorted[i];
		if (k > lo && syscall(SYS_close_range, lo, k - 1, flags) < 0)
			return negerrno();
		if (k >= lo)
			lo = k + 1;
	}
	if (syscall(SYS_close_range, lo, ~0U, flags) < 0)
		return negerrno();
	return 0;
}

static int sweep(int first, const int *keep, int n, int cloexec)
{
	if (!ds_fault_active("no-close-range") && by_range(first, keep, n, cloexec) == 0)
		return 0;
	if (by_listing(first, keep, n, cloexec) == 0)
		return 0;
	by_number(first, keep, n, cloexec);
	return 0;
}

int ds_fds_close_from(int first, const int *keep, int n) { return sweep(first, keep, n, 0); }

int ds_fds_cloexec_from(int first) { return sweep(first, NULL, 0, 1); }
