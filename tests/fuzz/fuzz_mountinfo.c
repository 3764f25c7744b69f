/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_mountinfo_parse: `scan` and `info` read the
 * mountinfo of a container, whose mount points the guest names. Checks that
 * a parsed line gives NUL-terminated fields within their bounds and that
 * decoding only ever shortens a path.
 */
#include "fs/mountinfo.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct ds_mountinfo *m = malloc(sizeof(*m));
	CHECK(line && m);
	memcpy(line, data, size);
	line[size] = '\0';
	memset(m, 0x5a, sizeof(*m));
	if (ds_mountinfo_parse(line, m) == 0) {
		size_t in = strlen(line);
		CHECK(memchr(m->root, 0, sizeof(m->root)) && strlen(m->root) <= in);
		CHECK(memchr(m->mountpoint, 0, sizeof(m->mountpoint)) && strlen(m->mountpoint) <= in);
		CHECK(memchr(m->fstype, 0, sizeof(m->fstype)) && m->fstype[0]);
		CHECK(memchr(m->source, 0, sizeof(m->source)) && m->source[0]);
		CHECK(memchr(m->super, 0, sizeof(m->super)));
		CHECK(strstr(line, " - ") != NULL);
	}
	free(m);
	free(line);
	return 0;
}
