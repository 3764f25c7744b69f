/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Closing inherited file descriptors before they can reach a container:
 * close_range(2) where the kernel has it (5.9+, CLOSE_RANGE_CLOEXEC 5.11+),
 * else one pass over /proc/self/fd, else every number below RLIMIT_NOFILE.
 * DROIDSPACES_FAULT=no-close-range takes the fallback on any kernel.
 */
#pragma once

/* Closes every fd >= first that keep[] does not list (n entries, -1 ignored). */
int ds_fds_close_from(int first, const int *keep, int n);
/* Marks every fd >= first close-on-exec: they go at the next execve. */
int ds_fds_cloexec_from(int first);
