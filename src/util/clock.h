/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deadlines: CLOCK_MONOTONIC in milliseconds, immune to wall-clock changes. */
#pragma once

#include <time.h>

static inline long long ds_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
