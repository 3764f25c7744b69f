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

/*
 * Opens an image once, for everything that follows (no check-then-use by
 * name): O_PATH|O_NOFOLLOW and fstat first, so that a FIFO or device node
 * in its place is refused without being opened; then a regular file or
 * block device, read-write (read-only with read_only), with ext2/3/4
 * magic. Returns the fd (close-on-exec).
 */
int ds_image_open(const char *path, int read_only, struct ds_error *err);
/* flock(LOCK_EX|LOCK_NB) of an image fd, held for the container's life: 0, -EBUSY when taken. */
int ds_image_lock(int fd);
/*
 * Runs `e2fsck -f -y` on image_fd (as /proc/self/fd/3; with read_only,
 * `e2fsck -f -n`: a volatile image is never written), output appended to
 * logfd; exit codes 0-3 are fine. path is for messages. Without e2fsck in
 * PATH (Android's toybox has none) the host's /system/bin/e2fsck is used;
 * without either the start is refused, naming both.
 */
int ds_image_fsck(int image_fd, const char *path, int read_only, int logfd, struct ds_error *err);
/*
 * Attaches the image open as file (path: for messages and lo_file_name) to a free loop device with the loop ioctls (LOOP_CONFIGURE,
 * or LOOP_SET_FD + LOOP_SET_STATUS64 on older kernels), autoclear set.
 * Returns the open loop fd and writes its path; a block device is used as is
 * (*attached = 0: it is the user's, never detached by us).
 */
int ds_loop_attach(int file, const char *path, int read_only, char *loop_path, size_t size, int *attached,
		   struct ds_error *err);
/* Detaches a loop device we attached; only closes one we did not. */
void ds_loop_detach(int loop_fd, int attached);

/* In the container's mount namespace, before the rootfs is bound: */
int ds_image_mount(const struct ds_config *cfg, char *rootfs, size_t size, struct ds_error *err);
int ds_volatile_mount(const struct ds_config *cfg, char *rootfs, size_t size, struct ds_error *err);
/* After the rootfs is bound: the --bind-mount entries (missing sources are skipped with a warning). */
int ds_binds_mount(const struct ds_config *cfg, int rootfd, int logfd, struct ds_error *err);
