/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rtnetlink of our own (no `ip` binary): links, veth pairs and bridges,
 * IPv4 addresses and routes, in the network namespace of the caller. Every
 * call takes a socket from ds_nl_open and returns 0 or a negative errno;
 * addresses are IPv4 in host byte order.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

int ds_nl_open(void);
/* A non-blocking socket on rtnetlink's multicast groups (RTMGRP_*): it receives their changes. */
int ds_nl_open_groups(unsigned groups);
/* Reads and drops what is queued on such a socket, up to EAGAIN. */
void ds_nl_drain(int fd);
/* A.B.C.D of a host-order address. */
void ds_ipv4_format(uint32_t addr, char *buf, size_t size);
/* The index of link name in our namespace, or -ENODEV. */
int ds_nl_link_index(const char *name);
/* Sets the link up (mtu > 0: and its MTU first). */
int ds_nl_link_up(int nl, int ifindex, int mtu);
/* Deletes link name; 0 when it was not there. */
int ds_nl_link_delete(int nl, const char *name);
/* A bridge named name (down, no address). */
int ds_nl_bridge_create(int nl, const char *name);
/* Enslaves ifindex to the bridge master. */
int ds_nl_link_set_master(int nl, int ifindex, int master);
/* How many links have master as their master. */
int ds_nl_link_slaves(int nl, int master);
/* Sets the link's alias (IFLA_IFALIAS; "" clears it). */
int ds_nl_link_set_alias(int nl, int ifindex, const char *alias);
/* The link's alias in out ("" when it has none); -ENODEV when there is no such link. */
int ds_nl_link_alias(int nl, int ifindex, char *out, size_t size);
/* fn(ctx, name, alias) for each link whose master is master, until fn's non-zero, which it returns. */
int ds_nl_each_slave(int nl, int master, int (*fn)(void *ctx, const char *name, const char *alias), void *ctx);
/* A veth pair: host here, peer created as peer_name in the network namespace of pid. */
int ds_nl_veth_create(int nl, const char *host, const char *peer_name, pid_t pid, int mtu);
int ds_nl_addr_add(int nl, int ifindex, uint32_t addr, int prefix);
/* The first IPv4 address of ifindex: -ENOENT when it has none. */
int ds_nl_addr_get(int nl, int ifindex, uint32_t *addr, int *prefix);
/* A route to dst/prefix (0/0: the default) via gw (0: none) out of ifindex. */
int ds_nl_route_add(int nl, uint32_t dst, int prefix, uint32_t gw, int ifindex);
/* An IPv4 route as the walks read it: its table (RTA_TABLE's whole id), destination, output link, rtm_type. */
struct ds_nl_route {
	uint32_t table, dst;
	int dst_len, oif, type;
};
struct nlmsghdr;
/*
 * Of one message of a dump or a get: 1 and *out for an IPv4 route, 0 for
 * any other message; -EINVAL when it is cut short (its header, a u32
 * attribute) or its dst_len is over 32.
 */
int ds_nl_route_parse(const struct nlmsghdr *h, struct ds_nl_route *out);
/*
 * Calls fn for every IPv4 route of the main table (not the local one), with
 * its destination, prefix length and output link; stops at fn's non-zero.
 */
int ds_nl_routes(int nl, int (*fn)(void *ctx, uint32_t dst, int prefix, int oif), void *ctx);
/*
 * The output link of the host's own route to dst, as `ip route get` finds it
 * through the policy rules: its index, or a negative errno (-ENETUNREACH).
 */
int ds_nl_route_oif(int nl, uint32_t dst);
/*
 * The table of a default route out of oif: one other than main first, else
 * main (the local table never); -ENOENT when there is none.
 */
int ds_nl_default_table(int nl, int oif, uint32_t *table);
/* An IPv4 policy rule that looks up a table: pref, to dst/dst_len (0: any), iif ("": any). */
struct ds_nl_rule {
	uint32_t pref, table, dst;
	int dst_len;
	char iif[16];
};
/* Adds the rule (FRA_PRIORITY, FRA_TABLE, FRA_DST, FRA_IIFNAME as set). */
int ds_nl_rule_add(int nl, const struct ds_nl_rule *r);
/* Deletes the rule of pref that matches r's table, dst and iif. */
int ds_nl_rule_del(int nl, const struct ds_nl_rule *r);
/*
 * Of one message of a dump: 1 and *out for an IPv4 rule that looks up a
 * table with no selector but pref, dst and iif (a fwmark, oif, uid or source
 * one: 0, as for any other message); -EINVAL when it is cut short (its
 * header, a u32 attribute) or its dst_len is over 32.
 */
int ds_nl_rule_parse(const struct nlmsghdr *h, struct ds_nl_rule *out);
/*
 * Calls fn for every IPv4 rule that looks up a table (no fwmark, oif, uid
 * or source selector reported); stops at fn's non-zero, which it returns.
 */
int ds_nl_rules(int nl, int (*fn)(void *ctx, const struct ds_nl_rule *r), void *ctx);
