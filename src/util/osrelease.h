/* SPDX-License-Identifier: GPL-3.0-or-later */
/* os-release(5) of a guest, read without trusting it. */
#pragma once

#include <stddef.h>

struct ds_osrelease {
	char id[64];
	char version_id[64];
	char pretty_name[256];
};

/* Parses os-release text (KEY=VALUE lines, quotes, escapes, comments). */
void ds_osrelease_parse(const char *text, struct ds_osrelease *os);
/*
 * Reads etc/os-release below rootfd, falling back to usr/lib/os-release,
 * with symlinks resolved inside the root (ds_openat_in_root), a regular
 * file only and at most 64 KiB.
 */
int ds_osrelease_read_at(int rootfd, struct ds_osrelease *os);
/* The same below the directory root ("/proc/PID/root" is the running guest's). */
int ds_osrelease_read(const char *root, struct ds_osrelease *os);
/* "ID-VERSION_ID" reduced to [A-Za-z0-9._-] and 1-64 chars; "linux" when ID is empty. */
void ds_osrelease_name(const struct ds_osrelease *os, char *out, size_t size);
