/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/error.h"

#include <stdio.h>
#include <string.h>

int ds_fail(struct ds_error *err, int r, const char *fmt, ...)
{
	if (err && err->code == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->code = r;
	}
	return r;
}

const char *ds_error_text(const struct ds_error *err, char *buf, unsigned size)
{
	if (err->code < 0 && err->code > DS_EINVAL_MSG)
		snprintf(buf, size, "%s: %s", err->msg, strerror(-err->code));
	else
		snprintf(buf, size, "%s", err->msg);
	return buf;
}
