/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "host/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define NL_BUF 8192

struct nl_req {
	struct nlmsghdr h;
	char body[1024];
};

static void *tail(struct nl_req *r) { return (char *)r + NLMSG_ALIGN(r->h.nlmsg_len); }

static struct rtattr *attr_add(struct nl_req *r, int type, const void *data, size_t len)
{
	struct rtattr *a = tail(r);
	if (NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len) > sizeof(*r))
		return NULL;
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (unsigned)(NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len));
	return a;
}

static struct rtattr *nest_begin(struct nl_req *r, int type) { return attr_add(r, type, NULL, 0); }
static void nest_end(struct nl_req *r, struct rtattr *a)
{
	if (a)
		a->rta_len = (unsigned short)((char *)tail(r) - (char *)a);
}

static void req_init(struct nl_req *r, int type, int flags, const void *hdr, size_t hdrlen)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_type = (unsigned short)type;
	r->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
	r->h.nlmsg_len = (unsigned)NLMSG_LENGTH(hdrlen);
	memcpy(NLMSG_DATA(&r->h), hdr, hdrlen);
}

void ds_ipv4_format(uint32_t a, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* A bound rtnetlink socket, member of groups (0: none, for requests). */
static int nl_socket(int flags, unsigned groups)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int ds_nl_open(void) { return nl_socket(0, 0); }

int ds_nl_open_groups(unsigned groups) { return nl_socket(SOCK_NONBLOCK, groups); }

void ds_nl_drain(int fd)
{
	char buf[NL_BUF];
	/* ENOBUFS: the kernel dropped some (the caller looks again at everything anyway). */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0 || errno == EINTR || errno == ENOBUFS)
		;
}

/*
 * Sends r and reads the answer: for a dump, each message goes to fn until
 * NLMSG_DONE; otherwise the kernel's ack (NLM_F_ACK) is the result.
 */
static int talk(int nl, struct nl_req *r, int (*fn)(void *ctx, struct nlmsghdr *h), void *ctx)
{
	static unsigned seq;
	r->h.nlmsg_seq = ++seq;
	if (!fn)
		r->h.nlmsg_flags |= NLM_F_ACK;
	if (send(nl, r, r->h.nlmsg_len, 0) < 0)
		return -errno;
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	int stop = 0;
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		/* NLMSG_NEXT takes the aligned length: after a last message of odd length n is below 0, not huge. */
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; n >= (ssize_t)sizeof(*h) && NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return stop < 0 ? stop : 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error;
			}
			if (fn && !stop)
				stop = fn(ctx, h);
		}
		if (!fn)
			return -EIO;
	}
}

int ds_nl_link_index(const char *name)
{
	unsigned i = if_nametoindex(name);
	return i ? (int)i : -ENODEV;
}

int ds_nl_link_up(int nl, int ifindex, int mtu)
{
	struct nl_req r;
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = IFF_UP, .ifi_change = IFF_UP
	};
	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (mtu > 0)
		attr_add(&r, IFLA_MTU, &mtu, sizeof(mtu));
	return talk(nl, &r, NULL, NULL);
}

int ds_nl_link_delete(int nl, const char *name)
{
	struct nl_req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	req_init(&r, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	attr_add(&r, IFLA_IFNAME, name, strlen(name) + 1);
	int e = talk(nl, &r, NULL, NULL);
	return e == -ENODEV ? 0 : e;
}

/* RTM_NEWLINK of a new link name of kind; *info is its open IFLA_LINKINFO nest. */
static void link_new(struct nl_req *r, const char *name, const char *kind, struct rtattr **info)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	req_init(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	attr_add(r, IFLA_IFNAME, name, strlen(name) + 1);
	*info = nest_begin(r, IFLA_LINKINFO);
	attr_add(r, IFLA_INFO_KIND, kind, strlen(kind));
}

int ds_nl_bridge_create(int nl, const char *name)
{
	struct nl_req r;
	struct rtattr *info;
	link_new(&r, name, "bridge", &info);
	nest_end(&r, info);
	/*
	 * An address of its own (locally administered), set: the kernel then keeps it. Without one a
	 * bridge takes its lowest port's, and changes it when that port leaves: every other guest's
	 * ARP entry for its gateway goes stale, and its traffic stops for a while at each stop.
	 */
	static const unsigned char mac[6] = { 0x02, 0x64, 0x73, 0x62, 0x72, 0x30 };
	attr_add(&r, IFLA_ADDRESS, mac, sizeof(mac));
	return talk(nl, &r, NULL, NULL);
}

int ds_nl_veth_create(int nl, const char *host, const char *peer_name, pid_t pid, int mtu)
{
	struct nl_req r;
	struct rtattr *info;
	link_new(&r, host, "veth", &info);
	struct rtattr *data = nest_begin(&r, IFLA_INFO_DATA);
	struct rtattr *peer = nest_begin(&r, VETH_INFO_PEER);
	/* The peer's own ifinfomsg, then its attributes: its name in the namespace of pid. */
	memset(tail(&r), 0, NLMSG_ALIGN(sizeof(struct ifinfomsg)));
	((struct ifinfomsg *)tail(&r))->ifi_family = AF_UNSPEC;
	r.h.nlmsg_len = NLMSG_ALIGN(r.h.nlmsg_len) + (unsigned)NLMSG_ALIGN(sizeof(struct ifinfomsg));
	attr_add(&r, IFLA_IFNAME, peer_name, strlen(peer_name) + 1);
	uint32_t p = (uint32_t)pid;
	attr_add(&r, IFLA_NET_NS_PID, &p, sizeof(p));
	if (mtu > 0)
		attr_add(&r, IFLA_MTU, &mtu, sizeof(mtu));
	nest_end(&r, peer);
	nest_end(&r, data);
	nest_end(&r, info);
	if (mtu > 0)
		attr_add(&r, IFLA_MTU, &mtu, sizeof(mtu));
	return talk(nl, &r, NULL, NULL);
}

int ds_nl_link_set_master(int nl, int ifindex, int master)
{
	struct nl_req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	uint32_t m = (uint32_t)master;
	attr_add(&r, IFLA_MASTER, &m, sizeof(m));
	return talk(nl, &r, NULL, NULL);
}

struct slaves {
	int master, count;
};

static int count_slave(void *ctx, struct nlmsghdr *h)
{
	struct slaves *s = ctx;
	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)IFLA_PAYLOAD(h);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_MASTER && *(uint32_t *)RTA_DATA(a) == (uint32_t)s->master)
			s->count++;
	return 0;
}

int ds_nl_link_slaves(int nl, int master)
{
	struct nl_req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	req_init(&r, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	struct slaves s = { master, 0 };
	int e = talk(nl, &r, count_slave, &s);
	return e < 0 ? e : s.count;
}

int ds_nl_link_set_alias(int nl, int ifindex, const char *alias)
{
	struct nl_req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (!attr_add(&r, IFLA_IFALIAS, alias, strlen(alias)))
		return -ENAMETOOLONG;
	return talk(nl, &r, NULL, NULL);
}

struct alias_query {
	int ifindex, found;
	char *out;
	size_t size;
};

static int take_alias(void *ctx, struct nlmsghdr *h)
{
	struct alias_query *q = ctx;
	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	if (ifi->ifi_index != q->ifindex)
		return 0;
	q->found = 1;
	int len = (int)IFLA_PAYLOAD(h);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFALIAS)
			snprintf(q->out, q->size, "%.*s", (int)RTA_PAYLOAD(a), (const char *)RTA_DATA(a));
	return 0;
}

int ds_nl_link_alias(int nl, int ifindex, char *out, size_t size)
{
	struct nl_req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	req_init(&r, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	struct alias_query q = { ifindex, 0, out, size };
	out[0] = '\0';
	int e = talk(nl, &r, take_alias, &q);
	return e < 0 ? e : q.found ? 0 : -ENODEV;
}

struct slave_walk {
	int master, stop;
	int (*fn)(void *ctx, const char *name, const char *alias);
	void *ctx;
};

static int walk_slave(void *ctx, struct nlmsghdr *h)
{
	struct slave_walk *w = ctx;
	if (h->nlmsg_type != RTM_NEWLINK || w->stop)
		return 0;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)IFLA_PAYLOAD(h), mine = 0;
	char name[IFNAMSIZ] = "", alias[256] = "";
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_MASTER && *(uint32_t *)RTA_DATA(a) == (uint32_t)w->master)
			mine = 1;
		else if (a->rta_type == IFLA_IFNAME)
			snprintf(name, sizeof(name), "%.*s", (int)RTA_PAYLOAD(a), (const char *)RTA_DATA(a));
		else if (a->rta_type == IFLA_IFALIAS)
			snprintf(alias, sizeof(alias), "%.*s", (int)RTA_PAYLOAD(a), (const char *)RTA_DATA(a));
	}
	if (mine)
		w->stop = w->fn(w->ctx, name, alias);
	return 0;
}

int ds_nl_each_slave(int nl, int master, int (*fn)(void *ctx, const char *name, const char *alias), void *ctx)
{
	struct nl_req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	req_init(&r, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	struct slave_walk w = { master, 0, fn, ctx };
	int e = talk(nl, &r, walk_slave, &w);
	return e < 0 ? e : w.stop;
}

int ds_nl_addr_add(int nl, int ifindex, uint32_t addr, int prefix)
{
	struct nl_req r;
	struct ifaddrmsg ifa = { .ifa_family = AF_INET,
				 .ifa_prefixlen = (unsigned char)prefix,
				 .ifa_index = (unsigned)ifindex };
	req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	uint32_t a = htonl(addr);
	attr_add(&r, IFA_LOCAL, &a, sizeof(a));
	attr_add(&r, IFA_ADDRESS, &a, sizeof(a));
	if (prefix < 31) {
		uint32_t b = htonl(addr | (prefix ? 0xffffffffu >> prefix : 0xffffffffu));
		attr_add(&r, IFA_BROADCAST, &b, sizeof(b));
	}
	return talk(nl, &r, NULL, NULL);
}

struct addr_query {
	int ifindex, found, prefix;
	uint32_t addr;
};

static int match_addr(void *ctx, struct nlmsghdr *h)
{
	struct addr_query *q = ctx;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET || (int)ifa->ifa_index != q->ifindex)
		return 0;
	int len = (int)IFA_PAYLOAD(h);
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_LOCAL) {
			q->addr = ntohl(*(uint32_t *)RTA_DATA(a));
			q->prefix = ifa->ifa_prefixlen;
			q->found = 1;
			return 1;
		}
	return 0;
}

int ds_nl_addr_get(int nl, int ifindex, uint32_t *addr, int *prefix)
{
	struct nl_req r;
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	req_init(&r, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	struct addr_query q = { .ifindex = ifindex };
	int e = talk(nl, &r, match_addr, &q);
	if (e < 0)
		return e;
	if (!q.found)
		return -ENOENT;
	*addr = q.addr;
	*prefix = q.prefix;
	return 0;
}

int ds_nl_route_add(int nl, uint32_t dst, int prefix, uint32_t gw, int ifindex)
{
	struct nl_req r;
	struct rtmsg rt = { .rtm_family = AF_INET,
			    .rtm_dst_len = (unsigned char)prefix,
			    .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = RTPROT_BOOT,
			    .rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
			    .rtm_type = RTN_UNICAST };
	req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof(rt));
	uint32_t d = htonl(dst), g = htonl(gw), o = (uint32_t)ifindex;
	if (prefix)
		attr_add(&r, RTA_DST, &d, sizeof(d));
	if (gw)
		attr_add(&r, RTA_GATEWAY, &g, sizeof(g));
	attr_add(&r, RTA_OIF, &o, sizeof(o));
	return talk(nl, &r, NULL, NULL);
}

/* A u32 attribute's value; -EINVAL when its payload is shorter. */
static int attr_u32(const struct rtattr *a, uint32_t *v)
{
	if (RTA_PAYLOAD(a) < sizeof(*v))
		return -EINVAL;
	memcpy(v, RTA_DATA(a), sizeof(*v));
	return 0;
}

int ds_nl_route_parse(const struct nlmsghdr *h, struct ds_nl_route *out)
{
	if (h->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -EINVAL;
	const struct rtmsg *rt = NLMSG_DATA(h);
	if (rt->rtm_family != AF_INET)
		return 0;
	if (rt->rtm_dst_len > 32)
		return -EINVAL;
	/* rtm_table holds 8 bits: RTA_TABLE the whole id (Android's are ifindex + 1000). */
	struct ds_nl_route r = { .table = rt->rtm_table, .dst_len = rt->rtm_dst_len, .type = rt->rtm_type };
	int len = (int)RTM_PAYLOAD(h);
	uint32_t v;
	for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != RTA_DST && a->rta_type != RTA_OIF && a->rta_type != RTA_TABLE)
			continue;
		if (attr_u32(a, &v) < 0)
			return -EINVAL;
		if (a->rta_type == RTA_DST)
			r.dst = ntohl(v);
		else if (a->rta_type == RTA_OIF)
			r.oif = (int)v;
		else
			r.table = v;
	}
	*out = r;
	return 1;
}

struct route_walk {
	int (*fn)(void *ctx, uint32_t dst, int prefix, int oif);
	void *ctx;
};

static int each_route(void *ctx, struct nlmsghdr *h)
{
	struct route_walk *w = ctx;
	struct ds_nl_route r;
	if (ds_nl_route_parse(h, &r) <= 0 || r.table == RT_TABLE_LOCAL)
		return 0;
	return w->fn(w->ctx, r.dst, r.dst_len, r.oif);
}

int ds_nl_routes(int nl, int (*fn)(void *ctx, uint32_t dst, int prefix, int oif), void *ctx)
{
	struct nl_req r;
	struct rtmsg rt = { .rtm_family = AF_INET };
	req_init(&r, RTM_GETROUTE, NLM_F_DUMP, &rt, sizeof(rt));
	struct route_walk w = { fn, ctx };
	return talk(nl, &r, each_route, &w);
}

static int take_oif(void *ctx, struct nlmsghdr *h)
{
	struct ds_nl_route r;
	if (ds_nl_route_parse(h, &r) > 0 && r.oif)
		*(int *)ctx = r.oif;
	return 0;
}

int ds_nl_route_oif(int nl, uint32_t dst)
{
	struct nl_req r;
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_dst_len = 32 };
	/* A get answers once, then acks (NLM_F_ACK): talk() reads to the ack. */
	req_init(&r, RTM_GETROUTE, NLM_F_ACK, &rt, sizeof(rt));
	uint32_t d = htonl(dst);
	attr_add(&r, RTA_DST, &d, sizeof(d));
	int oif = 0;
	int e = talk(nl, &r, take_oif, &oif);
	return e < 0 ? e : oif > 0 ? oif : -ENETUNREACH;
}

struct table_query {
	int oif, found;
	uint32_t table;
};

static int default_of_oif(void *ctx, struct nlmsghdr *h)
{
	struct table_query *q = ctx;
	struct ds_nl_route r;
	if (ds_nl_route_parse(h, &r) <= 0 || r.dst_len != 0 || r.type != RTN_UNICAST || r.oif != q->oif ||
	    r.table == RT_TABLE_LOCAL || (q->found && r.table == RT_TABLE_MAIN))
		return 0;
	q->table = r.table;
	q->found = 1;
	return 0;
}

int ds_nl_default_table(int nl, int oif, uint32_t *table)
{
	struct nl_req r;
	struct rtmsg rt = { .rtm_family = AF_INET };
	req_init(&r, RTM_GETROUTE, NLM_F_DUMP, &rt, sizeof(rt));
	struct table_query q = { .oif = oif };
	int e = talk(nl, &r, default_of_oif, &q);
	if (e < 0)
		return e;
	if (!q.found)
		return -ENOENT;
	*table = q.table;
	return 0;
}

static void rule_req(struct nl_req *req, int type, int flags, const struct ds_nl_rule *r)
{
	struct fib_rule_hdr frh = { .family = AF_INET,
				    .action = FR_ACT_TO_TBL,
				    .dst_len = (unsigned char)r->dst_len,
				    .table = (unsigned char)(r->table < 256 ? r->table : RT_TABLE_UNSPEC) };
	req_init(req, type, flags, &frh, sizeof(frh));
	attr_add(req, FRA_PRIORITY, &r->pref, sizeof(r->pref));
	attr_add(req, FRA_TABLE, &r->table, sizeof(r->table));
	uint32_t d = htonl(r->dst);
	if (r->dst_len)
		attr_add(req, FRA_DST, &d, sizeof(d));
	if (r->iif[0])
		attr_add(req, FRA_IIFNAME, r->iif, strlen(r->iif) + 1);
}

int ds_nl_rule_add(int nl, const struct ds_nl_rule *r)
{
	struct nl_req req;
	rule_req(&req, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r);
	return talk(nl, &req, NULL, NULL);
}

int ds_nl_rule_del(int nl, const struct ds_nl_rule *r)
{
	struct nl_req req;
	rule_req(&req, RTM_DELRULE, 0, r);
	return talk(nl, &req, NULL, NULL);
}

int ds_nl_rule_parse(const struct nlmsghdr *h, struct ds_nl_rule *out)
{
	if (h->nlmsg_type != RTM_NEWRULE)
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct fib_rule_hdr)))
		return -EINVAL;
	const struct fib_rule_hdr *frh = NLMSG_DATA(h);
	if (frh->family != AF_INET || frh->action != FR_ACT_TO_TBL || frh->src_len)
		return 0;
	if (frh->dst_len > 32)
		return -EINVAL;
	struct ds_nl_rule r = { .table = frh->table, .dst_len = frh->dst_len };
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*frh)));
	uint32_t v;
	for (const struct rtattr *a = (const struct rtattr *)((const char *)frh + NLMSG_ALIGN(sizeof(*frh)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case FRA_PRIORITY:
		case FRA_TABLE:
		case FRA_DST:
			if (attr_u32(a, &v) < 0)
				return -EINVAL;
			if (a->rta_type == FRA_PRIORITY)
				r.pref = v;
			else if (a->rta_type == FRA_TABLE)
				r.table = v;
			else
				r.dst = ntohl(v);
			break;
		case FRA_IIFNAME:
			/* The name up to its NUL, within the payload: never read past it. */
			snprintf(r.iif, sizeof(r.iif), "%.*s", (int)strnlen((const char *)RTA_DATA(a), RTA_PAYLOAD(a)),
				 (const char *)RTA_DATA(a));
			break;
		case FRA_FWMARK:
		case FRA_OIFNAME:
		case FRA_UID_RANGE: return 0; /* a selector we do not report */
		}
	}
	*out = r;
	return 1;
}

struct rule_walk {
	int (*fn)(void *ctx, const struct ds_nl_rule *r);
	void *ctx;
};

static int each_rule(void *ctx, struct nlmsghdr *h)
{
	struct rule_walk *w = ctx;
	struct ds_nl_rule r;
	return ds_nl_rule_parse(h, &r) > 0 ? w->fn(w->ctx, &r) : 0;
}

int ds_nl_rules(int nl, int (*fn)(void *ctx, const struct ds_nl_rule *r), void *ctx)
{
	struct nl_req req;
	struct fib_rule_hdr frh = { .family = AF_INET };
	req_init(&req, RTM_GETRULE, NLM_F_DUMP, &frh, sizeof(frh));
	struct rule_walk w = { fn, ctx };
	return talk(nl, &req, each_rule, &w);
}
