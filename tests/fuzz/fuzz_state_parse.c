/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_state_parse: pidfiles are read back from disk, so
 * any byte sequence must parse or be rejected without a memory error. A
 * parsed state must also survive ds_state_format -> ds_state_parse unchanged.
 */
#include "core/state.h"

#include "fuzz.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ds_state st, again;
static char text[3 * PATH_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size);
	if (!buf)
		return 0;

	int r = ds_state_parse(buf, &st);
	free(buf);
	if (r < 0) {
		CHECK(r == -EINVAL);
		return 0;
	}
	CHECK(r == 0);
	CHECK(st.pid > 0);
	CHECK(st.monitor >= 0);
	/* Every string field is NUL-terminated within its array. */
	CHECK(memchr(st.uuid, '\0', sizeof(st.uuid)) != NULL);
	CHECK(memchr(st.boot_id, '\0', sizeof(st.boot_id)) != NULL);
	CHECK(memchr(st.rootfs, '\0', sizeof(st.rootfs)) != NULL);
	CHECK(memchr(st.cgroup, '\0', sizeof(st.cgroup)) != NULL);

	/* Round trip: what we would write back reads the same. */
	CHECK(ds_state_format(&st, text, sizeof(text)) == 0);
	CHECK(ds_state_parse(text, &again) == 0);
	CHECK(again.pid == st.pid);
	CHECK(again.monitor == st.monitor);
	CHECK(again.starttime == st.starttime);
	CHECK(strcmp(again.uuid, st.uuid) == 0);
	CHECK(strcmp(again.boot_id, st.boot_id) == 0);
	CHECK(strcmp(again.rootfs, st.rootfs) == 0);
	CHECK(strcmp(again.cgroup, st.cgroup) == 0);
	return 0;
}
