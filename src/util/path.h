/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Paths inside a guest's rootfs, resolved the way the guest will see them. */
#pragma once

#include <stddef.h>

/*
 * Resolves rel inside root: absolute symlinks restart at root and ".."
 * never climbs above it (at most 40 links). Writes the host path of the
 * result, whose components are no longer symlinks.
 */
int ds_resolve_in_root(const char *root, const char *rel, char *out, size_t size);
