/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_hosts_render: the guest's /etc/hosts is untrusted
 * input. Checks that the output keeps every non-127.0.1.1 line of the input
 * in order, ends with exactly one "127.0.1.1\t<hostname>" entry, and that a
 * too-small buffer gives -ENOSPC without writing past it.
 */
#include "host/network.h"

#include "fuzz.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST "fuzzhost"
#define SELF_LINE "127.0.1.1\t" HOST

/* A line whose address field (after leading blanks) is exactly 127.0.1.1. */
static int is_self(const char *p, size_t len)
{
	while (len && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	return len >= 9 && memcmp(p, "127.0.1.1", 9) == 0 && (len == 9 || isspace((unsigned char)p[9]));
}

/* Returns the length of the line at p and sets *next to the following one (NULL at the end). */
static size_t line_at(const char *p, const char **next)
{
	const char *nl = strchr(p, '\n');
	size_t len = nl ? (size_t)(nl - p) : strlen(p);
	*next = nl ? nl + 1 : p + len;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *old = fuzz_cstr(data, size);
	if (!old)
		return 0;
	size_t oldlen = strlen(old);

	/* Enough room: each input line plus a newline, plus the added entries. */
	size_t cap = oldlen + 2 + 256;
	char *out = malloc(cap);
	CHECK(out != NULL);
	CHECK(ds_hosts_render(old, HOST, out, cap) == 0);
	size_t outlen = strlen(out);
	CHECK(outlen < cap);
	CHECK(outlen > 0 && out[outlen - 1] == '\n');

	/* Exactly one 127.0.1.1 line, and it is ours, and it is last. */
	int selfs = 0;
	const char *last = NULL;
	size_t lastlen = 0;
	for (const char *p = out, *next; *p; p = next) {
		size_t len = line_at(p, &next);
		if (is_self(p, len))
			selfs++;
		last = p;
		lastlen = len;
	}
	CHECK(selfs == 1);
	CHECK(last && lastlen == strlen(SELF_LINE) && memcmp(last, SELF_LINE, lastlen) == 0);

	/* The guest's other lines come first, unchanged and in order. */
	const char *o = out;
	for (const char *p = old, *next; *p; p = next) {
		size_t len = line_at(p, &next);
		if (is_self(p, len))
			continue;
		const char *onext;
		size_t olen = line_at(o, &onext);
		CHECK(olen == len && memcmp(o, p, len) == 0);
		o = onext;
	}

	/* A buffer one byte short of the result fails cleanly (ASan watches the bounds). */
	size_t need = outlen + 1;
	char *small = malloc(need - 1);
	CHECK(small != NULL);
	CHECK(ds_hosts_render(old, HOST, small, need - 1) == -ENOSPC);
	free(small);
	/* ...and exactly enough room gives the same text. */
	char *exact = malloc(need);
	CHECK(exact != NULL);
	CHECK(ds_hosts_render(old, HOST, exact, need) == 0);
	CHECK(strcmp(exact, out) == 0);
	free(exact);

	free(out);
	free(old);
	return 0;
}
