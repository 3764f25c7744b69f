/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The syscall filter of everything that runs in a container: its init and
 * whatever enter and run start there. A denylist beside the capability
 * bounding set: it refuses what reaches the host kernel as a whole (kexec,
 * modules, the kernel log, file handles outside the rootfs, swap, process
 * accounting) and the remount of a whole filesystem, which a guest shares
 * with the host (sysvinit's umountroot would make the host's filesystem
 * read-only at halt).
 */
#pragma once

#include "util/error.h"

#include <stddef.h>
#include <sys/types.h>

/* --privileged=LIST: the pieces of the default confinement a container goes without. */
enum {
	DS_PRIV_SECCOMP = 1 << 0, /* no syscall filter */
	DS_PRIV_DEVICES = 1 << 1, /* no device policy (every device node may be opened) */
	DS_PRIV_ALL = DS_PRIV_SECCOMP | DS_PRIV_DEVICES,
};
/* "seccomp[,...]" or "all" into DS_PRIV_* bits. */
int ds_privileged_parse(const char *list, unsigned *mask, struct ds_error *err);
/* The names of the bits in mask, comma-separated ("" for none). */
void ds_privileged_format(unsigned mask, char *out, size_t size);

/* One row of the denylist: the syscall's name, its number here, the errno it gets. */
struct ds_seccomp_rule {
	const char *name;
	long nr;
	int err;
};

/* The rows for the architecture this binary is built for; *n gets their count. */
const struct ds_seccomp_rule *ds_seccomp_rules(size_t *n);
/* The AUDIT_ARCH_* of this build, 0 when the filter has none. */
unsigned ds_seccomp_arch(void);
/*
 * Installs the filter in the calling thread (inherited across fork and
 * execve). Without no_new_privs the caller needs CAP_SYS_ADMIN. A kernel
 * without seccomp filters (before 3.5, or built without them) gives
 * -EOPNOTSUPP, which the caller reports as a warning.
 */
int ds_seccomp_apply(struct ds_error *err);
/* The Seccomp: mode of a process (0 none, 1 strict, 2 filter), negative errno if unknown. */
int ds_seccomp_mode_of(pid_t pid);
/* True when this kernel takes seccomp filters (for `check`). */
int ds_seccomp_available(void);
