/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deadlines: CLOCK_MONOTONIC in milliseconds, immune to wall-clock changes. */
#pragma once

#include <poll.h>
#include <time.h>

/*
 * The polling loops (a busy lock, a cgroup still emptying, a process's
 * exit on kernels without pidfds) nap from 1 ms, doubling while under
 * this: quick for the common short wait, a few wakeups a second after.
 */
#define DS_BACKOFF_MAX_MS 50

static inline long long ds_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One nap of a polling loop; *delay_ms starts at 1. */
static inline void ds_backoff(int *delay_ms)
{
	poll(NULL, 0, *delay_ms);
	if (*delay_ms < DS_BACKOFF_MAX_MS)
		*delay_ms *= 2;
}
