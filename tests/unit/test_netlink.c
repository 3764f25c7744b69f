/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/host/netlink.c: the route and rule messages of rtnetlink's dumps, as the kernel writes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

struct msg {
	struct nlmsghdr h;
	char body[512];
} __attribute__((aligned(NLMSG_ALIGNTO)));

static void msg_init(struct msg *m, int type, const void *hdr, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->h.nlmsg_type = (unsigned short)type;
	m->h.nlmsg_len = (unsigned)NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(&m->h), hdr, len);
}

/* An attribute of len bytes of data (rta_len as given when over: a lie). */
static void attr(struct msg *m, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)m + NLMSG_ALIGN(m->h.nlmsg_len));
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	m->h.nlmsg_len = (unsigned)(NLMSG_ALIGN(m->h.nlmsg_len) + RTA_SPACE(len));
}

static void attr_u32(struct msg *m, int type, uint32_t v) { attr(m, type, &v, sizeof(v)); }

/* Android's wlan0 default route: table 1021 in RTA_TABLE (rtm_table holds RT_TABLE_UNSPEC), via oif 21. */
static void default_route(struct msg *m)
{
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_UNSPEC, .rtm_type = RTN_UNICAST };
	msg_init(m, RTM_NEWROUTE, &rt, sizeof(rt));
	attr_u32(m, RTA_TABLE, 1021);
	attr_u32(m, RTA_GATEWAY, htonl(0xc0000201));
	attr_u32(m, RTA_OIF, 21);
}

static void test_route(void **state)
{
	(void)state;
	struct msg m;
	struct ds_nl_route r;
	default_route(&m);
	assert_int_equal(ds_nl_route_parse(&m.h, &r), 1);
	assert_int_equal(r.table, 1021);
	assert_int_equal(r.dst_len, 0);
	assert_int_equal(r.oif, 21);
	assert_int_equal(r.type, RTN_UNICAST);
	/* a route to a subnet of main, table in rtm_table only */
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_dst_len = 24 };
	msg_init(&m, RTM_NEWROUTE, &rt, sizeof(rt));
	attr_u32(&m, RTA_DST, htonl(0x0a570000));
	assert_int_equal(ds_nl_route_parse(&m.h, &r), 1);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.dst, 0x0a570000);
	assert_int_equal(r.dst_len, 24);
	assert_int_equal(r.oif, 0);
	/* IPv6, another message type: not ours */
	rt.rtm_family = AF_INET6;
	msg_init(&m, RTM_NEWROUTE, &rt, sizeof(rt));
	assert_int_equal(ds_nl_route_parse(&m.h, &r), 0);
	msg_init(&m, RTM_NEWLINK, &rt, sizeof(rt));
	assert_int_equal(ds_nl_route_parse(&m.h, &r), 0);
}

static void test_route_malformed(void **state)
{
	(void)state;
	struct msg m;
	struct ds_nl_route r;
	/* a header cut short */
	default_route(&m);
	m.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg) - 1);
	assert_int_equal(ds_nl_route_parse(&m.h, &r), -EINVAL);
	/* a u32 attribute of two bytes */
	struct rtmsg rt = { .rtm_family = AF_INET };
	msg_init(&m, RTM_NEWROUTE, &rt, sizeof(rt));
	attr(&m, RTA_OIF, "\1\2", 2);
	assert_int_equal(ds_nl_route_parse(&m.h, &r), -EINVAL);
	/* an attribute longer than the message: the walk stops at the message's end */
	default_route(&m);
	((struct rtattr *)RTM_RTA(NLMSG_DATA(&m.h)))->rta_len = 400;
	assert_int_equal(ds_nl_route_parse(&m.h, &r), 1);
	assert_int_equal(r.table, RT_TABLE_UNSPEC);
	/* a prefix over 32 */
	rt.rtm_dst_len = 33;
	msg_init(&m, RTM_NEWROUTE, &rt, sizeof(rt));
	assert_int_equal(ds_nl_route_parse(&m.h, &r), -EINVAL);
}

/* droidspaces' own rule: pref 5901 iif ds-br0 lookup 1021. */
static void iif_rule(struct msg *m)
{
	struct fib_rule_hdr frh = { .family = AF_INET, .action = FR_ACT_TO_TBL, .table = RT_TABLE_UNSPEC };
	msg_init(m, RTM_NEWRULE, &frh, sizeof(frh));
	attr_u32(m, FRA_PRIORITY, 5901);
	attr_u32(m, FRA_TABLE, 1021);
	attr(m, FRA_IIFNAME, "ds-br0", 7);
}

static void test_rule(void **state)
{
	(void)state;
	struct msg m;
	struct ds_nl_rule r;
	iif_rule(&m);
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), 1);
	assert_int_equal(r.pref, 5901);
	assert_int_equal(r.table, 1021);
	assert_string_equal(r.iif, "ds-br0");
	assert_int_equal(r.dst_len, 0);
	/* to 10.87.0.0/24 lookup main */
	struct fib_rule_hdr frh = { .family = AF_INET, .action = FR_ACT_TO_TBL, .table = RT_TABLE_MAIN, .dst_len = 24 };
	msg_init(&m, RTM_NEWRULE, &frh, sizeof(frh));
	attr_u32(&m, FRA_PRIORITY, 5900);
	attr_u32(&m, FRA_DST, htonl(0x0a570000));
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), 1);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.dst, 0x0a570000);
	assert_int_equal(r.dst_len, 24);
	assert_string_equal(r.iif, "");
	/* netd's fwmark rule, a source selector, unreachable, IPv6: not reported */
	iif_rule(&m);
	attr_u32(&m, FRA_FWMARK, 0);
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), 0);
	frh.src_len = 8;
	msg_init(&m, RTM_NEWRULE, &frh, sizeof(frh));
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), 0);
	frh = (struct fib_rule_hdr){ .family = AF_INET, .action = FR_ACT_UNREACHABLE };
	msg_init(&m, RTM_NEWRULE, &frh, sizeof(frh));
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), 0);
	frh = (struct fib_rule_hdr){ .family = AF_INET6, .action = FR_ACT_TO_TBL };
	msg_init(&m, RTM_NEWRULE, &frh, sizeof(frh));
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), 0);
}

static void test_rule_malformed(void **state)
{
	(void)state;
	struct msg m;
	struct ds_nl_rule r;
	/* an interface name without its NUL, longer than a name: cut, never read past its payload */
	struct fib_rule_hdr frh = { .family = AF_INET, .action = FR_ACT_TO_TBL };
	msg_init(&m, RTM_NEWRULE, &frh, sizeof(frh));
	attr(&m, FRA_IIFNAME, "abcdefghijklmnopqrstuvwxyz", 26);
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), 1);
	assert_string_equal(r.iif, "abcdefghijklmno");
	/* a header cut short, a u32 of one byte, a prefix over 32 */
	iif_rule(&m);
	m.h.nlmsg_len = NLMSG_LENGTH(2);
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), -EINVAL);
	msg_init(&m, RTM_NEWRULE, &frh, sizeof(frh));
	attr(&m, FRA_TABLE, "x", 1);
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), -EINVAL);
	frh.dst_len = 40;
	msg_init(&m, RTM_NEWRULE, &frh, sizeof(frh));
	assert_int_equal(ds_nl_rule_parse(&m.h, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_route_malformed),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_rule_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
