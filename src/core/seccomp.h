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

#include "core/syscalls.h"
#include "util/error.h"

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
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

/*
 * A syscall filter as a policy: rules tried in order, the first whose
 * syscall and conditions match gives the kernel's answer, the default
 * otherwise. ds_seccomp_compile turns it into classic BPF with a section per
 * ABI of the build's kernel family, each with that ABI's own numbers
 * (core/syscalls.h). droidspaces' own filter (below) and an OCI config's
 * linux.seccomp are both policies.
 */
enum ds_seccomp_op {
	DS_SECCOMP_NE,
	DS_SECCOMP_LT,
	DS_SECCOMP_LE,
	DS_SECCOMP_EQ,
	DS_SECCOMP_GE,
	DS_SECCOMP_GT,
	DS_SECCOMP_MASKED_EQ, /* (arg & mask) == value */
};

/* Argument arg (0-5), as an unsigned 64-bit number, against value. */
struct ds_seccomp_cond {
	unsigned arg;
	enum ds_seccomp_op op;
	uint64_t value, mask;
};

#define DS_SECCOMP_MAX_CONDS 6

struct ds_seccomp_rule {
	const char *name; /* as the kernel names it; a name no ABI of the family knows is skipped */
	uint32_t ret;     /* SECCOMP_RET_* with its data */
	unsigned n_conds; /* all of them must hold */
	struct ds_seccomp_cond conds[DS_SECCOMP_MAX_CONDS];
};

struct ds_seccomp_policy {
	uint32_t default_ret; /* no rule matched */
	uint32_t foreign_ret; /* an ABI of the family the policy leaves out, x32, another architecture */
	unsigned abis;        /* bit DS_ABI_*: filtered with its numbers; the build's own ABI always is */
	const struct ds_seccomp_rule *rules;
	size_t n_rules;
};

/* What the kernel takes in one filter (BPF_MAXINSNS). */
#define DS_SECCOMP_MAX_INSNS 4096

struct ds_seccomp_prog {
	struct sock_filter *insns; /* malloc'd */
	size_t len;
};

/* The AUDIT_ARCH_* of each ABI of the build's family (0: none). */
uint32_t ds_seccomp_abi_arch(enum ds_abi abi);
/* Compiles policy into prog (free it with ds_seccomp_prog_free). */
int ds_seccomp_compile(const struct ds_seccomp_policy *policy, struct ds_seccomp_prog *prog, struct ds_error *err);
void ds_seccomp_prog_free(struct ds_seccomp_prog *prog);
/*
 * Installs prog in the calling thread with seccomp(2)'s SECCOMP_FILTER_FLAG_*
 * flags (0: prctl, which every kernel with filters has). Needs no_new_privs
 * or CAP_SYS_ADMIN; -EOPNOTSUPP on a kernel without seccomp filters.
 */
int ds_seccomp_install(const struct ds_seccomp_prog *prog, unsigned flags, struct ds_error *err);

/* droidspaces' own filter (the denylist above), as a policy. */
const struct ds_seccomp_policy *ds_seccomp_default_policy(void);
/* The AUDIT_ARCH_* of this build, 0 when the filter has none. */
unsigned ds_seccomp_arch(void);
/*
 * Installs droidspaces' own filter in the calling thread (inherited across fork and
 * execve). Without no_new_privs the caller needs CAP_SYS_ADMIN. A kernel
 * without seccomp filters (before 3.5, or built without them) gives
 * -EOPNOTSUPP, which the caller reports as a warning.
 */
int ds_seccomp_apply(struct ds_error *err);
/* The Seccomp: mode of a process (0 none, 1 strict, 2 filter), negative errno if unknown. */
int ds_seccomp_mode_of(pid_t pid);
/* True when this kernel takes seccomp filters (for `check`). */
int ds_seccomp_available(void);
/* True when this kernel's seccomp(2) takes the filter flag (one SECCOMP_FILTER_FLAG_*). */
int ds_seccomp_flag_available(unsigned flag);
