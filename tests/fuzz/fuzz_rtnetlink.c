/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_nl_route_parse and ds_nl_rule_parse (the messages
 * of rtnetlink's route and rule dumps, read at a NAT start on Android and
 * for the subnet's check): the input is a buffer of messages walked as
 * talk() walks recv's; whatever their lengths and attributes, the parsers
 * read only the message, and what they report is a prefix of at most 32 and
 * an interface name NUL-terminated within its field.
 */
#include "host/netlink.h"

#include "fuzz.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Aligned as recv's buffer is, and exactly the input's size: ASan sees any read past it. */
	struct nlmsghdr *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	int n = (int)size;
	for (struct nlmsghdr *h = buf; n >= (int)sizeof(*h) && NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
		struct ds_nl_route route;
		struct ds_nl_rule rule;
		int r = ds_nl_route_parse(h, &route);
		CHECK(r == 0 || r == 1 || r == -EINVAL);
		if (r == 1)
			CHECK(route.dst_len >= 0 && route.dst_len <= 32);
		r = ds_nl_rule_parse(h, &rule);
		if (r == 1)
			CHECK(rule.dst_len >= 0 && rule.dst_len <= 32 && memchr(rule.iif, '\0', sizeof(rule.iif)));
	}
	free(buf);
	return 0;
}
