/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_userns_registry_parse and ds_userns_parse: the
 * registry of --private-users ranges (<workspace>/userns.ranges) may be
 * edited or damaged by hand, so any bytes must parse or be refused with the
 * line named, without a memory error. What parses holds valid names and
 * ranges that never overlap; it renders and reads back the same; and the
 * allocator's pick from it never overlaps another container's range.
 */
#include "config.h"
#include "core/userns.h"
#include "core/workspace.h"

#include "fuzz.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ds_userns_entry first[64], second[64];
static char text[64 * 96 + 128];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int bad = 0;
	int n = ds_userns_registry_parse((const char *)data, size, first, 64, &bad);
	if (n < 0) {
		CHECK(n == -EBADMSG);
		CHECK(bad >= 1);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		CHECK(ds_name_validate(first[i].name) == 0);
		CHECK(first[i].size > 0 && first[i].base >= DS_USERNS_MIN_BASE);
		CHECK((unsigned long long)first[i].base + first[i].size <= 4294967295ULL);
		for (int j = 0; j < i; j++)
			CHECK(first[i].base >= first[j].base + first[j].size ||
			      first[j].base >= first[i].base + first[i].size);
	}
	/* Round trip: what claim writes reads back the same. */
	CHECK(ds_userns_registry_format(first, n, text, sizeof(text)) == 0);
	CHECK(ds_userns_registry_parse(text, strlen(text), second, 64, &bad) == n);
	for (int i = 0; i < n; i++) {
		CHECK(first[i].base == second[i].base && first[i].size == second[i].size);
		CHECK(strcmp(first[i].name, second[i].name) == 0);
	}
	/*
	 * auto for a name: its own entry again where it has one (the bytes may
	 * name it too), else a range clear of every other entry, or none left.
	 */
	struct ds_userns u = { .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	const char *other = NULL;
	int r = ds_userns_pick(first, n, "fuzz-new-name", &u, &other);
	CHECK(r == 0 || r == -ENOSPC);
	if (r == 0)
		for (int i = 0; i < n; i++) {
			if (!strcmp(first[i].name, "fuzz-new-name"))
				CHECK(u.base == first[i].base && u.size == first[i].size);
			else
				CHECK(u.base >= first[i].base + first[i].size || first[i].base >= u.base + u.size);
		}
	/* the first line, taken as --private-users's value: refused, or a valid one */
	char val[64];
	size_t l = 0;
	while (l < size && l < sizeof(val) - 1 && data[l] != '\n' && data[l] != '\0')
		l++;
	memcpy(val, data, l);
	val[l] = '\0';
	if (!ds_userns_parse(val, &u) && u.mode == DS_USERNS_FIXED)
		CHECK(u.size > 0 && u.base >= DS_USERNS_MIN_BASE);
	return 0;
}
