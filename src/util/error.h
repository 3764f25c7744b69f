/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One error idiom: functions return 0 (or a positive value) on success and a
 * negative errno on failure; the failing place also records what it was
 * doing in a struct ds_error, and only the command layer prints it, once.
 */
#pragma once

#include <stdarg.h>

/* Code for failures whose message says it all (no errno text appended). */
#define DS_EINVAL_MSG (-1000)
/* The same, for "that name is taken": callers may try another name. */
#define DS_EBUSY_MSG (-1001)

struct ds_error {
	int code;      /* negative errno, 0 when none */
	char msg[512]; /* "cannot mount proc on /proc" (no errno text) */
};

/* Records the context of a failure and returns r (a negative errno). */
int ds_fail(struct ds_error *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats "msg: strerror(-code)" (or just msg when code is 0). */
const char *ds_error_text(const struct ds_error *err, char *buf, unsigned size);
