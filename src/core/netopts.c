/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/netopts.h"
#include "host/netlink.h"
#include "util/macros.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const mode_names[] = { [DS_NET_HOST] = "host", [DS_NET_NONE] = "none", [DS_NET_NAT] = "nat" };

const char *ds_net_mode_parse(const char *s, int *mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*mode = (int)i;
			return NULL;
		}
	return "expected host, none or nat";
}

const char *ds_net_mode_name(int mode)
{
	return mode >= 0 && (size_t)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "host";
}

/* A decimal number lo..hi of at most 5 digits, ending where *end says. */
static int number(const char *s, const char **end, long lo, long hi, long *out)
{
	long v = 0;
	int n = 0;
	while (s[n] >= '0' && s[n] <= '9' && n < 6)
		v = v * 10 + (s[n++] - '0');
	if (n == 0 || n > 5 || (n > 1 && s[0] == '0') || v < lo || v > hi)
		return -EINVAL;
	*end = s + n;
	*out = v;
	return 0;
}

int ds_ipv4_parse(const char *s, unsigned *addr)
{
	unsigned a = 0;
	for (int i = 0; i < 4; i++) {
		long v;
		if (number(s, &s, 0, 255, &v) < 0 || (i < 3 && *s++ != '.'))
			return -EINVAL;
		a = a << 8 | (unsigned)v;
	}
	if (*s)
		return -EINVAL;
	*addr = a;
	return 0;
}

static unsigned mask_of(int prefix) { return prefix ? 0xffffffffu << (32 - prefix) : 0; }

const char *ds_subnet_parse(const char *s, struct ds_cidr *out)
{
	char addr[16];
	const char *slash = strchr(s, '/');
	long prefix;
	const char *end;
	unsigned a;
	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return "expected A.B.C.D/N, e.g. 10.87.0.0/24";
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (ds_ipv4_parse(addr, &a) < 0)
		return "expected A.B.C.D/N, e.g. 10.87.0.0/24";
	if (number(slash + 1, &end, 8, 30, &prefix) < 0 || *end)
		return "the prefix length must be 8-30";
	if (a & ~mask_of((int)prefix))
		return "host bits are set: give the network's first address";
	out->addr = a;
	out->prefix = (int)prefix;
	return NULL;
}

const char *ds_port_parse(const char *s, struct ds_port *out)
{
	long h, g;
	const char *p = s;
	if (number(p, &p, 1, 65535, &h) < 0 || *p++ != ':' || number(p, &p, 1, 65535, &g) < 0)
		return "expected HOST:GUEST[/tcp|/udp], ports 1-65535";
	int udp = 0;
	if (*p == '/') {
		if (strcmp(p + 1, "udp") == 0)
			udp = 1;
		else if (strcmp(p + 1, "tcp") != 0)
			return "the protocol must be tcp or udp";
	} else if (*p) {
		return "expected HOST:GUEST[/tcp|/udp], ports 1-65535";
	}
	out->host = (unsigned short)h;
	out->guest = (unsigned short)g;
	out->udp = udp;
	return NULL;
}

void ds_port_format(const struct ds_port *p, char *buf, size_t size)
{
	snprintf(buf, size, "%u:%u/%s", p->host, p->guest, p->udp ? "udp" : "tcp");
}

int ds_net_lease_format(const struct ds_net_lease *l, char *buf, size_t size)
{
	char a[16], p[24];
	ds_ipv4_format(l->addr, a, sizeof(a));
	size_t pos = (size_t)snprintf(buf, size, "lease %s/%d", a, l->prefix);
	for (int i = 0; i < l->ports.count && pos < size; i++) {
		ds_port_format(&l->ports.p[i], p, sizeof(p));
		pos += (size_t)snprintf(buf + pos, size - pos, " %s", p);
	}
	return pos < size ? 0 : -ENAMETOOLONG;
}

/* The next word of *s (up to a blank or the end) into w; 0, or -EINVAL when too long or empty. */
static int word(const char **s, char *w, size_t size)
{
	size_t n = strcspn(*s, " ");
	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(w, *s, n);
	w[n] = '\0';
	*s += n;
	return 0;
}

const char *ds_net_lease_parse(const char *s, struct ds_net_lease *out)
{
	static const char bad[] = "expected 'lease A.B.C.D/N HOST:GUEST/PROTO...'";
	struct ds_net_lease l = { 0 };
	char w[24];
	const char *end;
	long prefix;
	if (strncmp(s, "lease ", 6) != 0)
		return bad;
	s += 6;
	if (word(&s, w, sizeof(w)) < 0)
		return bad;
	char *slash = strchr(w, '/');
	if (!slash)
		return bad;
	*slash = '\0';
	if (ds_ipv4_parse(w, &l.addr) < 0 || number(slash + 1, &end, 8, 30, &prefix) < 0 || *end)
		return bad;
	l.prefix = (int)prefix;
	while (*s) {
		if (*s++ != ' ' || word(&s, w, sizeof(w)) < 0)
			return bad;
		if (l.ports.count >= DS_MAX_PORTS)
			return "too many ports";
		const char *why = ds_port_parse(w, &l.ports.p[l.ports.count++]);
		if (why)
			return why;
	}
	*out = l;
	return NULL;
}
