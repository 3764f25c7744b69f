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
	struct ds_settings settings;     /* the settings read */
	char extra[DS_CONFIG_EXTRA_MAX]; /* unknown lines, verbatim */
};

int ds_saved_path(const struct ds_config *cfg, const char *name, char *out, size_t size);
/* Renders the settings (and extra lines) as config text. */
int ds_saved_render(const struct ds_settings *s, const char *extra, char *out, size_t size);
/* Parses config text into s (defaults first; s->settings.set marks the keys read; frees what s held). Returns -EINVAL with err on a bad value. */
int ds_saved_parse(const char *text, struct ds_saved *s, struct ds_error *err);
int ds_saved_load(const char *path, struct ds_saved *s, struct ds_error *err);
int ds_saved_store(const char *path, const struct ds_settings *s, const char *extra, struct ds_error *err);
/* A struct ds_saved on the heap (its paths make it too big for a stack frame); NULL when out of memory. */
struct ds_saved *ds_saved_new(void);
void ds_saved_freep(struct ds_saved **s);
#define _cleanup_saved_ __attribute__((cleanup(ds_saved_freep)))
