/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/host/fwlist.c: the forward chains of `nft list chains` that drop; iptables' FORWARD listing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/fwlist.h"

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

/* `iptables -S FORWARD` as iptables 1.8 prints it. */
static void test_forward_place_open(void **state)
{
	(void)state;
	/* nothing listed (no iptables, no table), the policy alone, rules that close nothing */
	assert_int_equal(ds_iptables_forward_place(""), 0);
	assert_int_equal(ds_iptables_forward_place("-P FORWARD ACCEPT\n"), 0);
	assert_int_equal(ds_iptables_forward_place("-P FORWARD ACCEPT\n-A FORWARD -s 10.99.0.0/16 -j ACCEPT\n"
						   "-A FORWARD -j DOCKER-USER\n"),
			 0);
	/* a conditional drop last is the host's word on what it names: the chain stays open (item 4) */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD ACCEPT\n-A FORWARD -i eth9 -j DROP\n"), 0);
	assert_int_equal(ds_iptables_forward_place("-P FORWARD ACCEPT\n"
						   "-A FORWARD -m conntrack --ctstate INVALID -j DROP\n"
						   "-A FORWARD -p tcp -j REJECT --reject-with tcp-reset\n"),
			 0);
	/* a user chain whose name starts like a target is a jump, not a close */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD ACCEPT\n-A FORWARD -j REJECT-LOG\n"
						   "-A FORWARD -j DROPPED\n"),
			 0);
	/* another chain's lines (a listing of the whole table) are not FORWARD's */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD ACCEPT\n-A FORWARDX -j DROP\n-A INPUT -j DROP\n"), 0);
}

static void test_forward_place_closed(void **state)
{
	(void)state;
	/* Docker's: policy DROP, its chains jumped to first: appended */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n"
						   "-A FORWARD -j DOCKER-ISOLATION-STAGE-1\n"),
			 -1);
	/* a conditional drop, then the close: just ahead of the close, after the host's drop */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD ACCEPT\n-A FORWARD -s 10.99.0.0/16 -j ACCEPT\n"
						   "-A FORWARD -i eth9 -j DROP\n"
						   "-A FORWARD -j REJECT --reject-with icmp-port-unreachable\n"),
			 3);
	/* libvirt's and firewalld's closes carry a comment, no condition */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD DROP\n-A FORWARD -m comment --comment \"close it\" -j "
						   "DROP\n-A FORWARD -j ACCEPT\n"),
			 1);
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -j ACCEPT\n-A FORWARD -m comment --comment "
						   "\"say \\\"no\\\" -j ACCEPT\" -j REJECT"),
			 2);
	/* the first close counts; a policy other than ACCEPT drops */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD QUEUE\n-A FORWARD -j DROP\n-A FORWARD -j REJECT\n"), 1);
	assert_int_equal(ds_iptables_forward_place("-P FORWARD QUEUE\n"), -1);
}

static void test_forward_place_hostile(void **state)
{
	(void)state;
	/* cut short: a comment with no text, a -j with no target, an unclosed quote */
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -m comment --comment"), 0);
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -j"), 0);
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -m comment --comment \"-j DROP"), 0);
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -m comment --comment \"\\"), 0);
	/* a comment's text that reads like a close, twice -j, -m of another match */
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -m comment --comment -j DROP\n"), 0);
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -j DROP -j DROP\n"), 0);
	assert_int_equal(ds_iptables_forward_place("-A FORWARD -m state -j DROP\n"), 0);
	assert_int_equal(ds_iptables_forward_place("-A FORWARD --reject-with x -j DROP\n"), 0);
	/* blanks and empty lines */
	assert_int_equal(ds_iptables_forward_place("\n\n-A FORWARD   -j   DROP  \n"), 1);
	/* a policy line without its policy: not one ("-P FORWARD"), or one that is not ACCEPT */
	assert_int_equal(ds_iptables_forward_place("-P FORWARD\n"), 0);
	assert_int_equal(ds_iptables_forward_place("-P FORWARD \n"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_drops),         cmocka_unit_test(test_forward_drops_none),
		cmocka_unit_test(test_forward_place_open),    cmocka_unit_test(test_forward_place_closed),
		cmocka_unit_test(test_forward_place_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
