/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A directory's contents copied into another (an OCI mount's tmpcopyup: what
 * the rootfs had at a tmpfs's destination, on the tmpfs). Directories,
 * regular files, symlinks, device nodes, FIFOs and sockets, each with its
 * owner, mode and times; no symlink is followed; a hard link becomes a copy.
 */
#pragma once

#include "util/error.h"

/* The nesting the copy goes down to; deeper is refused (-ELOOP). */
#define DS_COPY_MAX_DEPTH 64

/* Copies the contents of the directory from (a readable directory fd) into the directory to. */
int ds_copy_tree(int from, int to, struct ds_error *err);
