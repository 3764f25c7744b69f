/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's view of the (shared) host network: hostname and /etc/hosts. */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>

/*
 * Rewrites the text of an /etc/hosts for hostname: every line of the guest
 * is kept except old 127.0.1.1 entries; localhost lines are added when
 * missing and "127.0.1.1 <hostname>" is appended (sudo and apt resolve the
 * host name through it). Returns 0, or -ENOSPC when out is too small.
 */
int ds_hosts_render(const char *old, const char *hostname, char *out, size_t size);
/* Inside the container after pivot_root: sethostname, /etc/hostname, /etc/hosts. */
int ds_network_setup_rootfs(const char *hostname, struct ds_error *err);

/*
 * Collects the nameserver addresses of a resolv.conf text into out as a
 * comma list (at most 4). Loopback stubs of systemd-resolved (127.0.0.53,
 * 127.0.0.54) are left out: returns the count kept.
 */
int ds_resolv_parse(const char *text, char *out, size_t size);
/*
 * The host's resolvers as a comma list: on Android the properties
 * net.dns1..4 (older releases set them), else /etc/resolv.conf, else
 * systemd-resolved's upstream list; on Android with none of these (8.0 and
 * later keep DNS in netd) the public 1.1.1.1,8.8.8.8, as the guest would
 * have no resolver at all otherwise.  -ENOENT when nothing was found.
 */
int ds_host_dns(int android, char *out, size_t size);
/* Inside, after pivot_root: /run/resolvconf/resolv.conf with /etc/resolv.conf linked to it. */
int ds_dns_setup_rootfs(const char *dns, struct ds_error *err);
/* --enable-ipv6: the host's net.ipv6.conf.all.disable_ipv6 set to 0 (the network is shared). */
int ds_ipv6_prepare(const struct ds_config *cfg, struct ds_error *err);
/* Puts back what ds_ipv6_prepare changed, when the last container stops. */
void ds_ipv6_restore(const struct ds_config *cfg, int last_container);
