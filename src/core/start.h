/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The start pipeline, as one line:
 *   ds_settings_resolve -> ds_start_validate -> ds_launch -> (monitor: boot -> exec) -> ds_settings_save
 * The command line wins over --config, which wins over the saved settings
 * (ds_config.set says what each one gave).
 */
#pragma once

#include "config.h"
#include "core/saved.h"
#include "util/error.h"

/*
 * Sets the name from names (one, or none for an automatic one), then fills
 * cfg from --config and from the name's saved settings (those only when the
 * command line gave no rootfs: "start X again as it was"). extra receives
 * the unknown lines to keep. Checks that the settings name one thing to boot
 * (the values themselves were checked as they were parsed, by their rows).
 */
int ds_settings_resolve(struct ds_config *cfg, const char *names, char extra[DS_CONFIG_EXTRA_MAX],
			struct ds_error *err);
/* Validates once, then launches under cfg's name, or under ID-VERSION_ID[-N] of the guest without one. */
int ds_start_resolved(struct ds_config *cfg, struct ds_error *err);
/* Remembers the settings of the container just started (Containers/NAME/container.config). */
int ds_settings_save(const struct ds_config *cfg, const char *extra, struct ds_error *err);
