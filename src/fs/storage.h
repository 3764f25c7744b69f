/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where the rootfs comes from: an ext4 image on a loop device, a volatile
 * overlay over it, and the user's bind mounts into it. Every mount here is
 * made inside the container's own mount namespace, so it vanishes with the
 * container: nothing is ever left mounted on the host.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>

/* Checks an image: exists, a regular file or block device, ext2/3/4 magic. */
int ds_image_check(const char *path, struct ds_error *err);
/*
 * Runs `e2fsck -f -y path` (with read_only, `e2fsck -f -n`: a volatile image
 * is never written), output appended to logfd; exit codes 0-3 are fine.
 */
int ds_image_fsck(const char *path, int read_only, int logfd, struct ds_error *err);
/*
 * Attaches path to a free loop device with the loop ioctls (LOOP_CONFIGURE,
 * or LOOP_SET_FD + LOOP_SET_STATUS64 on older kernels), autoclear set.
 * Returns the open loop fd and writes its path; a block device is used as is
 * (*attached = 0: it is the user's, never detached by us).
 */
int ds_loop_attach(const char *path, int read_only, char *loop_path, size_t size, int *attached,
		   struct ds_error *err);
/* Detaches a loop device we attached; only closes one we did not. */
void ds_loop_detach(int loop_fd, int attached);

/* In the container's mount namespace, before the rootfs is bound: */
int ds_image_mount(const struct ds_config *cfg, char *rootfs, size_t size, struct ds_error *err);
int ds_volatile_mount(const struct ds_config *cfg, char *rootfs, size_t size, struct ds_error *err);
/* After the rootfs is bound: the --bind-mount entries (missing sources are skipped with a warning). */
int ds_binds_mount(const struct ds_config *cfg, int rootfd, int logfd, struct ds_error *err);
