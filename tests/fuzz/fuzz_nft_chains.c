/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_nft_forward_drops (the listing of `nft list
 * chains` read at a NAT start): whatever the text, the names it writes stay
 * within their buffer and are NUL-terminated, one quoted pair per chain it
 * counts, and iptables-nft's chain skipped never adds to the count.
 */
#include "host/fwlist.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = fuzz_cstr(data, size), *b = fuzz_cstr(data, size);
	size_t cap = size % 97 + 1;
	char *names = malloc(cap), all[256];
	if (a && b && names) {
		int n = ds_nft_forward_drops(a, 1, names, cap);
		CHECK(n >= 0 && memchr(names, '\0', cap));
		int quotes = 0;
		for (const char *c = names; *c; c++)
			quotes += *c == '\'';
		CHECK(n == 0 || quotes >= 2 * n);
		CHECK(ds_nft_forward_drops(b, 0, all, sizeof(all)) >= 0);
	}
	free(a);
	free(b);
	free(names);
	return 0;
}
