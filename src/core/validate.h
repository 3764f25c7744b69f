/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Values that both the command line and the saved config accept, checked once. */
#pragma once

#include "config.h"
#include "util/error.h"

/* 0 for a hostname of 1-64 characters of A-Z a-z 0-9 - . _ (not starting or ending with - or ., no ".."). */
int ds_hostname_validate(const char *s);
/* Parses "SRC:DEST[:ro|:rw]" entries, comma-separated, into s->binds. */
int ds_parse_binds(const char *spec, struct ds_settings *s, struct ds_error *err);
/* Appends one bind to s->binds, copying the paths (-E2BIG past DS_MAX_BINDS). */
int ds_bind_add(struct ds_settings *s, const char *src, const char *dest, int read_only);
/* A comma-separated list of at most 4 IPv4/IPv6 addresses into s->dns. */
int ds_parse_dns(const char *val, struct ds_settings *s, struct ds_error *err);
