/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Saved container settings: <workspace>/Containers/<name>/container.config,
 * plain key=value lines, written atomically; keys we do not know are kept.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>

#define DS_CONFIG_EXTRA_MAX 8192

struct ds_saved {
	struct ds_config cfg;                /* the settings read */
	char extra[DS_CONFIG_EXTRA_MAX];     /* unknown lines, verbatim */
};

int ds_saved_path(const struct ds_config *cfg, const char *name, char *out, size_t size);
/* Renders cfg's settings (and extra lines) as config text. */
int ds_saved_render(const struct ds_config *cfg, const char *extra, char *out, size_t size);
/* Parses config text into s (defaults first). Returns -EINVAL with err on a bad value. */
int ds_saved_parse(const char *text, struct ds_saved *s, struct ds_error *err);
int ds_saved_load(const char *path, struct ds_saved *s, struct ds_error *err);
int ds_saved_store(const char *path, const struct ds_config *cfg, const char *extra, struct ds_error *err);
/* Fills what the command line left unset in cfg from the saved settings. */
void ds_saved_merge(struct ds_config *cfg, const struct ds_config *saved);
