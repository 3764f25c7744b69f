/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_ready_parse, and ds_utmp_runlevel on the same
 * bytes: the readiness record is read back from disk (where something may
 * have been planted) and utmp comes from inside a guest, so any bytes must
 * parse or be refused without a memory error. A parsed record survives
 * ds_ready_format -> ds_ready_parse unchanged.
 */
#include "core/ready.h"

#include "fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int level = ds_utmp_runlevel(data, size);
	CHECK(level == 0 || (level >= '0' && level <= '9') || level == 'S' || level == 's');

	char *buf = fuzz_cstr(data, size);
	if (!buf)
		return 0;
	struct ds_ready r, back;
	int rc = ds_ready_parse(buf, &r);
	free(buf);
	if (rc < 0) {
		CHECK(rc == -EINVAL);
		return 0;
	}
	CHECK(r.ready == 0 || r.ready == 1);
	CHECK(!r.ready || r.by != DS_READY_NONE);
	CHECK(r.ms >= -1);
	CHECK(memchr(r.status, '\0', sizeof(r.status)) != NULL);
	char text[DS_STATUS_MAX + 128];
	CHECK(ds_ready_format(&r, text, sizeof(text)) == 0);
	CHECK(ds_ready_parse(text, &back) == 0);
	CHECK(back.ready == r.ready && back.by == r.by && back.ms == r.ms && strcmp(back.status, r.status) == 0);
	return 0;
}
