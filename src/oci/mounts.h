/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.json's mounts, in order, below the rootfs: the OCI options split
 * into mount(2) flags, propagation and the filesystem's own data, every
 * target opened inside the rootfs without following a symlink (fs/mounts.c).
 */
#pragma once

#include <stddef.h>

#include "oci/spec.h"
#include "util/error.h"

struct ds_oci_mount_flags {
	unsigned long flags;       /* MS_* for mount(2), MS_BIND|MS_REC for rbind */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, ... (| MS_REC), or 0 */
	char data[1024];           /* the options mount(2) does not know, comma-separated */
	int tmpcopyup;             /* a tmpfs gets what the rootfs has at its destination */
};

/* Splits options; -EINVAL with err naming mounts[index] when data does not fit. */
int ds_oci_mount_flags(const struct ds_oci_mount *m, size_t index, struct ds_oci_mount_flags *out,
		       struct ds_error *err);
/* Mounts m below rootfd; bundle anchors a relative bind source. */
int ds_oci_mount(int rootfd, const char *bundle, const struct ds_oci_mount *m, size_t index, struct ds_error *err);
