/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Host settings droidspaces changes while containers run (SELinux, IPv6,
 * Android tunables): the value before the first change is recorded in
 * <workspace>/Host/<key>, and put back when the last container stops, so
 * only what droidspaces itself changed is undone.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>

/*
 * Records value for key unless a record exists (the first change wins): 0,
 * or a negative errno with err filled (then the setting must not change:
 * nothing would put it back).
 */
int ds_setting_remember(const struct ds_config *cfg, const char *key, const char *value, struct ds_error *err);
/* Reads and forgets the record; -ENOENT when droidspaces changed nothing. */
int ds_setting_recall(const struct ds_config *cfg, const char *key, char *out, size_t size);
