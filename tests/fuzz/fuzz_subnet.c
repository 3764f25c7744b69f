/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_subnet_parse (--subnet, and subnet= of a saved
 * file): whatever it accepts is a network of prefix 8-30 with no host bits,
 * and reads back from its own text; what it refuses leaves the output alone.
 */
#include "core/netopts.h"
#include "host/netlink.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size);
	if (!in)
		return 0;
	struct ds_cidr c = { 7, 7 };
	if (ds_subnet_parse(in, &c)) {
		CHECK(c.addr == 7 && c.prefix == 7);
	} else {
		CHECK(c.prefix >= 8 && c.prefix <= 30);
		CHECK((c.addr & ~(0xffffffffu << (32 - c.prefix))) == 0);
		char a[16], text[24];
		ds_ipv4_format(c.addr, a, sizeof(a));
		snprintf(text, sizeof(text), "%s/%d", a, c.prefix);
		CHECK(strcmp(text, in) == 0); /* one spelling only: no leading zeros, no blanks */
	}
	free(in);
	return 0;
}
