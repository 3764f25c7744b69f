/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_sdversion_from_name: the names come from a
 * guest's rootfs (readdir of its library directories), so any bytes must
 * parse without a memory error, to 0 or to a version in 1..99999 that is
 * the digits right after the prefix.
 */
#include "util/sdversion.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_cstr(data, size);
	if (!name)
		return 0;
	int v = ds_sdversion_from_name(name);
	CHECK(v >= 0 && v <= 99999);
	if (v) {
		CHECK(strncmp(name, "libsystemd-shared-", 18) == 0);
		CHECK(atoi(name + 18) == v);
		size_t l = strlen(name);
		CHECK(l >= 3 && strcmp(name + l - 3, ".so") == 0);
	}
	free(name);
	return 0;
}
