/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_iptables_forward_place (the listing of `iptables
 * -S FORWARD` read at a NAT start): whatever the text, it reads only the
 * string, and its answer is -1, 0, or the number of one of the listing's
 * "-A FORWARD " lines (a rule number iptables -I can take).
 */
#include "host/fwlist.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int rules(const char *s)
{
	int n = 0;
	for (const char *l = s; *l; l += strcspn(l, "\n"), l += *l == '\n')
		n += strncmp(l, "-A FORWARD ", 11) == 0;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	if (s) {
		int place = ds_iptables_forward_place(s);
		CHECK(place >= -1 && place <= rules(s));
	}
	free(s);
	return 0;
}
