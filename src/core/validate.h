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
/*
 * --memory: "512M", "2G", "65536K" or bytes into *bytes (0: no limit; else at
 * least 1M). NULL when good, else what is wrong.
 */
const char *ds_size_parse(const char *s, long long *bytes);
/* bytes as ds_size_parse reads it back, in the largest exact unit ("512M"). */
void ds_size_format(long long bytes, char *buf, size_t size);
/* --cpus: "0.5", "2", "1.25" into thousandths (0: no limit; else 0.01-1024). NULL when good. */
const char *ds_cpus_parse(const char *s, int *milli);
/* milli as ds_cpus_parse reads it back ("0.5", "2"). */
void ds_cpus_format(int milli, char *buf, size_t size);
