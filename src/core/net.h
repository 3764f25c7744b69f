/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --net=nat: what a start
 * claims before the monitor is forked: the bridge's network (the running
 * bridge's, a starting container's, --subnet, or the first /24 of
 * 10.87.0.0/16 no host route overlaps), the guest's address (kept from the
 * saved settings while free of every other container's settings and lease)
 * and its forwarded ports (refused when another running or starting
 * container has one). Each address and port is marked in the network
 * namespace as well (ds_nat_hold_addr): a claim of another workspace at the
 * same instant, which our records do not show, never takes it too.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>

/* Are the two networks overlapping? */
int ds_cidr_overlap(unsigned a, int alen, unsigned b, int blen);

/*
 * --net=nat, under the name's lock: fills cfg->rt.net_subnet and
 * cfg->settings.net_addr, refuses ports another running (or starting)
 * container forwards, and records the claim (cfg->rt.net_lease, in
 * <workspace>/Net/NAME), all under the network lock (host/nat.h). Other
 * modes: checks that --port and --subnet are not given.
 */
int ds_net_claim(struct ds_config *cfg, struct ds_error *err);
/*
 * A start that fails before its monitor runs: the claim dropped (the bridge
 * too when it was the last), its lease marks released.
 */
void ds_net_unclaim(struct ds_config *cfg);
