/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_port_parse (--port, and port= of a saved file):
 * whatever it accepts has ports 1-65535 and reads back the same from its own
 * text; what it refuses leaves the output alone.
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
	struct ds_port p = { 7, 7, 7 };
	if (ds_port_parse(in, &p)) {
		CHECK(p.host == 7 && p.guest == 7 && p.udp == 7);
	} else {
		CHECK(p.host >= 1 && p.guest >= 1 && (p.udp == 0 || p.udp == 1));
		char text[32];
		ds_port_format(&p, text, sizeof(text));
		struct ds_port q;
		CHECK(ds_port_parse(text, &q) == NULL);
		CHECK(q.host == p.host && q.guest == p.guest && q.udp == p.udp);
		CHECK(strncmp(text, in, strlen(in)) == 0); /* the input is the text, or it without /tcp */
	}
	free(in);
	return 0;
}
