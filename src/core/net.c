/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/net.h"
#include "core/netopts.h"
#include "core/inventory.h"
#include "core/saved.h"
#include "host/nat.h"
#include "host/netlink.h"
#include "util/fault.h"
#include "util/macros.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAT_DEFAULT_NET 0x0a570000u /* 10.87.0.0: the /24s of 10.87.0.0/16 are tried in turn */

static unsigned mask_of(int prefix) { return prefix ? 0xffffffffu << (32 - prefix) : 0; }

int ds_cidr_overlap(unsigned a, int alen, unsigned b, int blen)
{
	unsigned m = mask_of(alen < blen ? alen : blen);
	return (a & m) == (b & m);
}

/* ---- the claim ---------------------------------------------------------------------------- */

struct route_check {
	unsigned net;
	int prefix, bridge;
	unsigned hit, hit_prefix;
	int found;
};

static int route_hits(void *ctx, uint32_t dst, int prefix, int oif)
{
	struct route_check *c = ctx;
	/* The default route overlaps everything and the bridge's own route is ours. */
	if (prefix == 0 || (c->bridge > 0 && oif == c->bridge) || !ds_cidr_overlap(c->net, c->prefix, dst, prefix))
		return 0;
	c->hit = dst;
	c->hit_prefix = (unsigned)prefix;
	c->found = 1;
	return 1;
}

/* 1 and the route in *c when a host route overlaps the network; 0 when none does. */
static int subnet_collides(int nl, struct route_check *c)
{
	c->bridge = ds_nl_link_index(DS_NAT_BRIDGE);
	c->found = 0;
	int r = ds_nl_routes(nl, route_hits, c);
	return r < 0 ? r : c->found;
}

/* The network of the first other lease (a start that has not made the bridge yet). */
static int lease_net(void *ctx, const char *name, const char *line)
{
	struct ds_net_lease l;
	(void)name;
	if (ds_net_lease_parse(line, &l))
		return 0;
	*(struct ds_cidr *)ctx = (struct ds_cidr){ l.addr & mask_of(l.prefix), l.prefix };
	return 1;
}

static int choose_subnet(struct ds_config *cfg, int nl, struct ds_error *err)
{
	const struct ds_cidr *want = &cfg->settings.subnet;
	struct ds_cidr running;
	char a[16], b[16];
	if (ds_nat_bridge_subnet(nl, &running) == 0 || ds_nat_each_lease(cfg, lease_net, &running) > 0) {
		if (want->prefix && (want->addr != running.addr || want->prefix != running.prefix)) {
			ds_ipv4_format(want->addr, a, sizeof(a));
			ds_ipv4_format(running.addr, b, sizeof(b));
			return ds_fail(err, DS_EINVAL_MSG,
				       "--subnet=%s/%d: %s already serves %s/%d to running containers (one subnet at "
				       "a time)",
				       a, want->prefix, DS_NAT_BRIDGE, b, running.prefix);
		}
		cfg->rt.net_subnet = running;
		return 0;
	}
	struct route_check c = { .net = want->addr, .prefix = want->prefix };
	if (want->prefix) {
		int r = subnet_collides(nl, &c);
		if (r < 0)
			return ds_fail(err, r, "cannot read the host's routes");
		if (r == 0) {
			cfg->rt.net_subnet = *want;
			return 0;
		}
		ds_ipv4_format(want->addr, a, sizeof(a));
		ds_ipv4_format(c.hit, b, sizeof(b));
		return ds_fail(err, DS_EINVAL_MSG, "--subnet=%s/%d overlaps the host's route to %s/%u", a, want->prefix,
			       b, c.hit_prefix);
	}
	for (unsigned i = 0; i < 256; i++) {
		c = (struct route_check){ .net = NAT_DEFAULT_NET | i << 8, .prefix = 24 };
		int r = subnet_collides(nl, &c);
		if (r < 0)
			return ds_fail(err, r, "cannot read the host's routes");
		if (r == 0) {
			cfg->rt.net_subnet = (struct ds_cidr){ c.net, 24 };
			return 0;
		}
	}
	return ds_fail(err, DS_EINVAL_MSG, "--net=nat: every /24 of 10.87.0.0/16 overlaps a host route; give --subnet");
}

typedef int (*other_fn)(void *ctx, const char *name, const struct ds_settings *s, int running);

struct lease_walk {
	other_fn fn;
	void *ctx;
	struct ds_settings s;
};

static int lease_other(void *ctx, const char *name, const char *line)
{
	struct lease_walk *w = ctx;
	struct ds_net_lease l;
	if (ds_net_lease_parse(line, &l))
		return 0; /* not a lease droidspaces wrote: nothing to keep clear of */
	w->s.net_mode = DS_NET_NAT;
	w->s.net_addr = l.addr;
	w->s.ports = l.ports;
	return w->fn(w->ctx, name, &w->s, 1);
}

/* The leases of the other containers starting or running, as settings: fn(ctx, name, settings, 1). */
static int each_lease(const struct ds_config *cfg, other_fn fn, void *ctx)
{
	struct lease_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->ctx = ctx;
	int r = ds_nat_each_lease(cfg, lease_other, w);
	free(w);
	return r;
}

/*
 * The saved settings of every other container, then the leases: fn(ctx,
 * name, settings, running), stopping at its non-zero. A negative errno with
 * err filled when they cannot be read: settings that cannot be read (their
 * address and ports unknown) fail the claim, never count as free.
 */
static int each_other(const struct ds_config *cfg, other_fn fn, void *ctx, struct ds_error *err)
{
	struct ds_entry *v = NULL;
	int n = ds_inventory_list(cfg, 1, &v), r = 0;
	_cleanup_saved_ struct ds_saved *s = ds_saved_new();
	if (n < 0 || !s) {
		free(v);
		return ds_fail(err, n < 0 ? n : -ENOMEM, "cannot list the other containers");
	}
	for (int i = 0; i < n && r == 0; i++) {
		char path[PATH_MAX], why[600];
		struct ds_error e = { 0 };
		if (strcmp(v[i].name, cfg->container_name) == 0)
			continue;
		if (ds_saved_path(cfg, v[i].name, path, sizeof(path)) < 0) {
			r = ds_fail(err, -ENAMETOOLONG, "the saved settings of container %s: path too long", v[i].name);
			break;
		}
		ds_saved_freep(&s);
		if (!(s = ds_saved_new())) {
			r = ds_fail(err, -ENOMEM, "cannot read %s", path);
			break;
		}
		if (access(path, F_OK) < 0 && errno == ENOENT)
			continue; /* nothing saved: no address, no port */
		if ((r = ds_saved_load(path, s, &e)) < 0) {
			ds_error_text(&e, why, sizeof(why));
			/* The path is named once: ds_saved_load's "cannot read PATH" has it, a parse error not. */
			r = ds_fail(err, DS_EINVAL_MSG,
				    "--net=nat: cannot tell container %s's address and ports%s%s: %s", v[i].name,
				    strstr(why, path) ? "" : " from ", strstr(why, path) ? "" : path, why);
			break;
		}
		if (s->settings.net_mode == DS_NET_NAT)
			r = fn(ctx, v[i].name, &s->settings, v[i].running);
	}
	free(v);
	if (r)
		return r;
	r = each_lease(cfg, fn, ctx);
	return r < 0 ? ds_fail(err, r, "cannot read the leases in %s/Net", cfg->workspace) : r;
}

struct taken {
	unsigned addr;
	const struct ds_settings *mine;
	char name[DS_NAME_MAX + 1];
	struct ds_port port;
};

static int addr_taken(void *ctx, const char *name, const struct ds_settings *s, int running)
{
	struct taken *t = ctx;
	(void)running;
	if (s->net_addr != t->addr)
		return 0;
	snprintf(t->name, sizeof(t->name), "%s", name);
	return 1;
}

static int port_taken(void *ctx, const char *name, const struct ds_settings *s, int running)
{
	struct taken *t = ctx;
	for (int i = 0; running && i < s->ports.count; i++)
		for (int j = 0; j < t->mine->ports.count; j++)
			if (s->ports.p[i].host == t->mine->ports.p[j].host &&
			    s->ports.p[i].udp == t->mine->ports.p[j].udp) {
				snprintf(t->name, sizeof(t->name), "%s", name);
				t->port = t->mine->ports.p[j];
				return 1;
			}
	return 0;
}

/*
 * 1 when addr is free and now ours: no other container's settings or lease
 * has it, and its lease mark (host/nat.h) was free to take, which no claim
 * of another workspace (whose records we do not see) holds; 0 when taken.
 */
static int take_addr(struct ds_config *cfg, unsigned addr, struct ds_error *err)
{
	struct taken t = { .addr = addr };
	char a[16];
	int r = each_other(cfg, addr_taken, &t, err);
	if (r != 0)
		return r < 0 ? r : 0;
	r = ds_nat_hold_addr(cfg, addr);
	if (r == -EADDRINUSE)
		return 0;
	ds_ipv4_format(addr, a, sizeof(a));
	return r < 0 ? ds_fail(err, r, "--net=nat: cannot mark address %s as leased", a) : 1;
}

static int choose_addr(struct ds_config *cfg, struct ds_error *err)
{
	const struct ds_cidr *net = &cfg->rt.net_subnet;
	unsigned first = net->addr + 2, last = (net->addr | ~mask_of(net->prefix)) - 1;
	unsigned kept = cfg->settings.net_addr;
	/* The address kept in the settings, while it is in the network and nobody else's. */
	int r = kept >= first && kept <= last ? take_addr(cfg, kept, err) : 0;
	for (unsigned a = first; r == 0 && a <= last; a++)
		if ((r = take_addr(cfg, a, err)) > 0)
			cfg->settings.net_addr = a;
	if (r == 0)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--net=nat: no free address left in the subnet (give a larger --subnet)");
	return r < 0 ? r : 0;
}

/* Each forwarded host port marked as ours; one another workspace's start holds is refused. */
static int take_ports(struct ds_config *cfg, struct ds_error *err)
{
	const struct ds_ports *ports = &cfg->settings.ports;
	for (int i = 0; i < ports->count; i++) {
		const struct ds_port *p = &ports->p[i];
		char f[32];
		int r = ds_nat_hold_port(cfg, p);
		if (r == 0)
			continue;
		ds_port_format(p, f, sizeof(f));
		if (r == -EADDRINUSE)
			return ds_fail(err, DS_EINVAL_MSG,
				       "--port %s: host port %u/%s is already forwarded to a container starting in "
				       "another workspace",
				       f, p->host, p->udp ? "udp" : "tcp");
		return ds_fail(err, r, "--port %s: cannot mark host port %u as leased", f, p->host);
	}
	return 0;
}

static int claim(struct ds_config *cfg, struct ds_error *err)
{
	struct ds_settings *s = &cfg->settings;
	if (s->net_mode != DS_NET_NAT) {
		if (s->ports.count)
			return ds_fail(err, DS_EINVAL_MSG, "--port needs --net=nat");
		if (s->subnet.prefix)
			return ds_fail(err, DS_EINVAL_MSG, "--subnet needs --net=nat");
		return 0;
	}
	/* Chosen and recorded under the network lock: two starts never lease one address or port. */
	_cleanup_close_ int lock = ds_nat_lock(cfg, err);
	if (lock < 0)
		return lock;
	struct taken t = { .mine = s };
	int r = each_other(cfg, port_taken, &t, err);
	if (r < 0)
		return r;
	if (r > 0) {
		char p[32];
		ds_port_format(&t.port, p, sizeof(p));
		return ds_fail(err, DS_EINVAL_MSG, "--port %s: host port %u/%s is already forwarded to container %s", p,
			       t.port.host, t.port.udp ? "udp" : "tcp", t.name);
	}
	if ((r = take_ports(cfg, err)) < 0)
		return r;
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return ds_fail(err, nl, "cannot open rtnetlink");
	if ((r = choose_subnet(cfg, nl, err)) < 0 || (r = choose_addr(cfg, err)) < 0)
		return r;
	ds_fault_point("net:claim-chosen");
	struct ds_net_lease l = { s->net_addr, cfg->rt.net_subnet.prefix, s->ports };
	if ((r = ds_net_lease_format(&l, cfg->rt.net_lease, sizeof(cfg->rt.net_lease))) < 0)
		return ds_fail(err, r, "--net=nat: the lease of %s is too long", cfg->container_name);
	if ((r = ds_nat_claim_record(cfg, err)) < 0)
		return r;
	ds_closep(&lock); /* a look at the host's firewall: no claim to guard */
	ds_nat_forward_warn();
	return 0;
}

int ds_net_claim(struct ds_config *cfg, struct ds_error *err)
{
	int r = claim(cfg, err);
	if (r < 0)
		ds_nat_unhold(cfg); /* a claim refused holds nothing */
	return r;
}

void ds_net_unclaim(struct ds_config *cfg)
{
	if (cfg->settings.net_mode == DS_NET_NAT)
		ds_nat_host_down(cfg);
	ds_nat_unhold(cfg);
}
