/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The host firewall's listings as --net=nat reads them (host/nat.c runs the
 * tools): which forward chains drop, and where the guest's rules go in
 * iptables' filter FORWARD chain. Text in, no side effect.
 */
#pragma once

#include <stddef.h>

/*
 * Of listing (`nft list chains`, cut in place): the base chains of the ip
 * and inet families on the forward hook with policy drop, but iptables-nft's
 * ip filter FORWARD when iptables_nft; their count, and in names "'FAMILY
 * TABLE CHAIN'" joined by ", " (those that fit size; only they are counted).
 */
int ds_nft_forward_drops(char *listing, int iptables_nft, char *names, size_t size);
/*
 * Where the guest's lines go in the host's filter FORWARD chain (iptables',
 * legacy or nft), of its listing (`iptables -S FORWARD`): 0 when it lets
 * them through as it is (policy ACCEPT and no unconditional DROP or REJECT
 * rule); else the rule number of its first unconditional DROP or REJECT (a
 * comment and --reject-with are no condition), to go in just ahead of it;
 * else (a policy that drops) -1, to be appended. Never at the head: the
 * host's own rules ahead of the close (Docker's DOCKER-USER and isolation
 * chains, libvirt's, ufw's) still see the guest's traffic first.
 *
 * A DROP or REJECT with a condition (-i eth9, -s NET, --ctstate INVALID) is
 * the host's word on the traffic it names, as for any other forwarded
 * traffic of the host: the guest's lines go after it, never ahead, whether
 * the chain closes later or not at all. Whether it meets the guest's
 * traffic is for its conditions to say, which are not evaluated here (an
 * INVALID drop must keep dropping the guest's invalid packets; a drop of
 * all that comes in from the uplink drops the guest's answers too, as the
 * host's own forwards').
 */
int ds_iptables_forward_place(const char *listing);
