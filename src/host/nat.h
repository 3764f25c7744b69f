/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --net=none and --net=nat on the host and in the guest: the bridge
 * droidspaces owns (DS_NAT_BRIDGE, made on first use, removed with the last
 * NAT container of any workspace: when no port is left on it), a veth pair
 * per boot, masquerading and port forwards (nftables, else iptables),
 * ip_forward (its value before noted in the bridge's alias, restored with
 * the bridge). What a start changed is recorded in <workspace>/Net/<name>,
 * so that any cleanup (the monitor's, or stop's after a dead monitor) undoes
 * exactly that. The host's names (table, tag, veth) carry a hash of the
 * workspace: one name in two workspaces never shares them.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <sys/types.h>

#define DS_NAT_BRIDGE "ds-br0"
#define DS_NAT_MTU 1500

/*
 * The network lock, <workspace>/Net/+lock (flock; never through a symlink,
 * a FIFO or device node refused): held while a start claims an address and
 * records its claim, while the monitor sets the host up, and while a cleanup
 * undoes it, so two starts never lease one address and the last stop never
 * removes the bridge under a start of the workspace. The bridge is the
 * network namespace's: its creation, each boot's veth put on it and its
 * removal also hold the namespace's lock (an abstract socket name, waited
 * for at most 60 s), against the other workspaces. The fd (closing it
 * unlocks), or a negative errno with err filled.
 */
int ds_nat_lock(const struct ds_config *cfg, struct ds_error *err);
/*
 * Under the lock: <workspace>/Net/NAME as a claim holding cfg->rt.net_lease
 * (a leftover record of the name, from a crashed run, undone first). Any
 * cleanup (ds_nat_host_down) drops it.
 */
int ds_nat_claim_record(const struct ds_config *cfg, struct ds_error *err);
/*
 * Under the lock: fn(ctx, name, lease line) for every other name's record
 * made in our network namespace, then for every port of the bridge but our
 * own (its alias: "NAME lease ...", so other workspaces' containers count
 * too); stops at fn's non-zero, which it returns.
 */
int ds_nat_each_lease(const struct ds_config *cfg, int (*fn)(void *ctx, const char *name, const char *lease),
		      void *ctx);
/*
 * The claim's marks in the network namespace, seen by every workspace's
 * claims: the abstract names "droidspaces-lease-ds-br0 ADDR" and
 * "droidspaces-lease-ds-br0 PORT/PROTO", bound into cfg->rt.net_holds
 * (inherited and held by the monitor: released when it ends). 0, or
 * -EADDRINUSE when another container holds it, or another negative errno.
 */
int ds_nat_hold_addr(struct ds_config *cfg, unsigned addr);
int ds_nat_hold_port(struct ds_config *cfg, const struct ds_port *p);
/* Closes cfg->rt.net_holds (the CLI once the monitor has them, or a failed claim). */
void ds_nat_unhold(struct ds_config *cfg);
/* The running bridge's network: 0, or -ENODEV / -ENOENT when there is none. */
int ds_nat_bridge_subnet(int nl, struct ds_cidr *out);
/*
 * Monitor, once per start: the record, the bridge, ip_forward, the firewall
 * rules; and where the host's filter FORWARD chain (iptables', legacy or
 * nft) drops what it does not accept, tagged ACCEPT rules at its head for
 * the guest's traffic, its answers and its forwarded ports.
 */
int ds_nat_host_up(const struct ds_config *cfg, struct ds_error *err);
/*
 * Monitor, once per boot, before init runs, under the namespace's lock: the
 * bridge (and ip_forward) again where another workspace's last stop took
 * them, the veth pair on it, eth0 in init's namespace. Refused with err
 * naming the other container when a port of the bridge already has our
 * address (a claim that took no lease marks: an older droidspaces).
 */
int ds_nat_attach(const struct ds_config *cfg, pid_t init, struct ds_error *err);
/*
 * Monitor, on Android, when the host's routes changed: under the namespace's
 * lock, the bridge's policy rules for the uplink of now (ds_android_nat_route).
 * -EAGAIN (err untouched) while another droidspaces holds the lock: not waited for.
 */
int ds_nat_follow_uplink(const struct ds_config *cfg, struct ds_error *err);
/*
 * Cleanup, under the lock: what ds_nat_host_up (or the claim) recorded for
 * the name, undone; the bridge and ip_forward with the last record.
 */
void ds_nat_host_down(const struct ds_config *cfg);
/*
 * Start: one warning line on stderr naming the nftables base chains on the
 * forward hook with policy drop that the guest's traffic meets and that
 * ds_nat_host_up cannot open (any but iptables-nft's filter FORWARD).
 */
void ds_nat_forward_warn(void);
/* Init, in its own network namespace: lo up; nat: eth0's address, MTU and default route. */
int ds_net_guest_setup(const struct ds_config *cfg, struct ds_error *err);
/* The host end of the container's veth pair ("dsv" and 8 hex digits of the workspace and the name). */
void ds_nat_veth_name(const struct ds_config *cfg, const char *container, char out[16]);
