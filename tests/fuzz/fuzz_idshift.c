/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the parsers of --private-users-ownership=chown: the
 * saved record of a shift (private_users_shift, a line of a container.config
 * anyone may edit) and the xattr values the walker rewrites
 * (security.capability, system.posix_acl_*), which a rootfs brings along.
 * Any bytes parse or are refused without a memory error; a record renders
 * and reads back the same; a rewritten value holds only ids of the target
 * range where it held ids of the source one.
 */
#include "config.h"
#include "core/userns.h"
#include "fs/idshift.h"

#include "fuzz.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char buf[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char val[96], text[96];
	size_t l = size < sizeof(val) - 1 ? size : sizeof(val) - 1;
	memcpy(val, data, l);
	val[l] = '\0';
	struct ds_userns_shift a, b;
	if (!ds_userns_shift_parse(val, &a)) {
		CHECK(a.state == DS_SHIFT_SHIFTED || a.state == DS_SHIFT_SHIFTING);
		CHECK(a.size > 0 &&
		      (a.base >= DS_USERNS_MIN_BASE || (a.state == DS_SHIFT_SHIFTING && a.from >= DS_USERNS_MIN_BASE)));
		ds_userns_shift_format(&a, text, sizeof(text));
		CHECK(!ds_userns_shift_parse(text, &b));
		CHECK(a.state == b.state && a.from == b.from && a.base == b.base && a.size == b.size);
	}
	int own;
	if (!ds_userns_ownership_parse(val, &own))
		CHECK(!strcmp(ds_userns_ownership_name(own), val));

	struct ds_idshift s = { .from = 0, .to = 100000, .size = 65536 };
	unsigned char cap[DS_IDSHIFT_CAP_MAX];
	size_t caplen = 0;
	unsigned long long bad = 0;
	int r = ds_idshift_cap(&s, data, size, cap, &caplen, &bad);
	CHECK(r == 0 || r == 1 || r == -EINVAL || r == -ERANGE);
	if (r >= 0) {
		CHECK(caplen == 20 || caplen == 24);
		if (caplen == 24) {
			unsigned root = cap[20] | cap[21] << 8 | cap[22] << 16 | (unsigned)cap[23] << 24;
			CHECK(root >= s.to && root < s.to + s.size);
		}
	}
	if (size <= sizeof(buf)) {
		memcpy(buf, data, size);
		r = ds_idshift_acl(&s, buf, size, &bad);
		CHECK(r == 0 || r == 1 || r == -EINVAL || r == -ERANGE);
		if (r == 0)
			CHECK(!memcmp(buf, data, size));
		/* shifted once, the same value is shifted no further */
		if (r >= 0)
			CHECK(ds_idshift_acl(&s, buf, size, &bad) == 0);
	}
	return 0;
}
