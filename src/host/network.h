/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's view of the (shared) host network: hostname and /etc/hosts. */
#pragma once

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
