/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --net, --subnet and --port: their parsers (the command line's and the saved file's) and their text. */
#pragma once

#include "config.h"

#include <stddef.h>

/* host | none | nat. NULL when good, else what is wrong. */
const char *ds_net_mode_parse(const char *s, int *mode);
const char *ds_net_mode_name(int mode);
/* A.B.C.D/N (N 8-30, no host bits set). NULL when good. */
const char *ds_subnet_parse(const char *s, struct ds_cidr *out);
/* HOST:GUEST[/tcp|/udp], ports 1-65535. NULL when good. */
const char *ds_port_parse(const char *s, struct ds_port *out);
/* "8080:80/tcp" */
void ds_port_format(const struct ds_port *p, char *buf, size_t size);
/* A.B.C.D into a host-order address; -EINVAL when it is none. */
int ds_ipv4_parse(const char *s, unsigned *addr);

/*
 * A NAT container's lease, as <workspace>/Net/NAME holds it from its claim
 * to its cleanup: "lease A.B.C.D/N HOST:GUEST/PROTO...", the guest's
 * address, the prefix of the bridge's network, and the forwarded ports.
 */
struct ds_net_lease {
	unsigned addr;
	int prefix;
	struct ds_ports ports;
};
/* 0, or -ENAMETOOLONG when buf is too small. */
int ds_net_lease_format(const struct ds_net_lease *l, char *buf, size_t size);
/* One line, no newline. NULL when good (out filled), else what is wrong (out untouched). */
const char *ds_net_lease_parse(const char *s, struct ds_net_lease *out);
