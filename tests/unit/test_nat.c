/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/host/nat.c: the forward chains of `nft list chains` that drop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/nat.h"

#include <string.h>

/* nft 1.0's listing: iptables-nft's filter table (Docker's policy), a native firewall, others. */
static const char listing[] = "table ip filter {\n"
			      "\tchain INPUT {\n"
			      "\t\ttype filter hook input priority filter; policy drop;\n"
			      "\t}\n"
			      "\tchain FORWARD {\n"
			      "\t\ttype filter hook forward priority filter; policy drop;\n"
			      "\t}\n"
			      "\tchain DOCKER-USER {\n"
			      "\t}\n"
			      "}\n"
			      "table inet fw {\n"
			      "\tchain forward {\n"
			      "\t\ttype filter hook forward priority filter; policy drop;\n"
			      "\t}\n"
			      "\tchain open {\n"
			      "\t\ttype filter hook forward priority 10; policy accept;\n"
			      "\t}\n"
			      "}\n"
			      "table bridge br {\n"
			      "\tchain forward {\n"
			      "\t\ttype filter hook forward priority filter; policy drop;\n"
			      "\t}\n"
			      "}\n"
			      "table ip6 six {\n"
			      "\tchain forward {\n"
			      "\t\ttype filter hook forward priority filter; policy drop;\n"
			      "\t}\n"
			      "}\n";

static int drops(int iptables_nft, char *names, size_t size)
{
	char buf[sizeof(listing)];
	memcpy(buf, listing, sizeof(listing));
	return ds_nft_forward_drops(buf, iptables_nft, names, size);
}

static void test_forward_drops(void **state)
{
	(void)state;
	char names[256];
	/* iptables-nft opens its own chain: only the native one is left */
	assert_int_equal(drops(1, names, sizeof(names)), 1);
	assert_string_equal(names, "'inet fw forward'");
	/* without iptables-nft (legacy, or no binary) its chain cannot be opened either */
	assert_int_equal(drops(0, names, sizeof(names)), 2);
	assert_string_equal(names, "'ip filter FORWARD', 'inet fw forward'");
	/* what does not fit is neither named nor counted */
	assert_int_equal(drops(0, names, 24), 1);
	assert_string_equal(names, "'ip filter FORWARD'");
	assert_int_equal(drops(0, names, 8), 0);
	assert_string_equal(names, "");
}

static void test_forward_drops_none(void **state)
{
	(void)state;
	char names[64] = "x";
	char empty[] = "", open[] = "table ip filter {\n\tchain FORWARD {\n\t\ttype filter hook forward priority "
				    "filter; policy accept;\n\t}\n}\n";
	/* a hook line outside any chain, then a chain of a table left before it */
	char stray[] = "\t\ttype filter hook forward priority filter; policy drop;\ntable ip t {\n}\n"
		       "\t\ttype filter hook forward priority filter; policy drop;\n";
	assert_int_equal(ds_nft_forward_drops(empty, 0, names, sizeof(names)), 0);
	assert_string_equal(names, "");
	assert_int_equal(ds_nft_forward_drops(open, 0, names, sizeof(names)), 0);
	assert_int_equal(ds_nft_forward_drops(stray, 0, names, sizeof(names)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_drops),
		cmocka_unit_test(test_forward_drops_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
