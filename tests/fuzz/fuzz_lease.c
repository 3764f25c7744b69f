/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_net_lease_parse (the lease line of a record in
 * <workspace>/Net): whatever it accepts has a prefix of 8-30 and at most
 * DS_MAX_PORTS ports, and is exactly its own text again; what it refuses
 * leaves the output alone.
 */
#include "core/netopts.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size);
	if (!in)
		return 0;
	struct ds_net_lease l = { 7, 7, { 7, { { 0 } } } };
	if (ds_net_lease_parse(in, &l)) {
		CHECK(l.addr == 7 && l.prefix == 7 && l.ports.count == 7);
	} else {
		CHECK(l.prefix >= 8 && l.prefix <= 30);
		CHECK(l.ports.count >= 0 && l.ports.count <= DS_MAX_PORTS);
		char text[DS_NET_LEASE_MAX];
		CHECK(ds_net_lease_format(&l, text, sizeof(text)) == 0);
		struct ds_net_lease m;
		CHECK(ds_net_lease_parse(text, &m) == NULL);
		CHECK(m.addr == l.addr && m.prefix == l.prefix && m.ports.count == l.ports.count);
		/* one spelling, except that a port may leave out /tcp */
		CHECK(strlen(text) >= strlen(in));
	}
	free(in);
	return 0;
}
