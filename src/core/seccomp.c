/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A classic-BPF seccomp filter written as instructions (libseccomp does not
 * fit a static musl build). One program per build: the syscall numbers are
 * this architecture's own (<sys/syscall.h>), and a syscall made through
 * another ABI (i386 on x86_64, x32, arm on arm64) is refused with ENOSYS,
 * because its numbers mean other syscalls and the denylist would not hold.
 *
 * Why each row is there, and why EPERM: a guest treats EPERM as "not allowed
 * here" and goes on (systemd, util-linux and the init scripts all do), where
 * ENOSYS would make some tools try an older interface instead.
 *
 * - kexec_load, kexec_file_load: would replace the host's kernel.
 * - init_module, finit_module, delete_module: the host's kernel modules
 *   (CAP_SYS_MODULE is dropped too; this holds under --keep-caps=all).
 * - open_by_handle_at: opens any inode of a mounted filesystem by its handle,
 *   outside the rootfs (the "shocker" escape); needs CAP_DAC_READ_SEARCH,
 *   which guests keep for their own use.
 * - syslog: reads and clears the host's kernel log.
 * - swapon, swapoff, acct: host-wide swap and process accounting.
 * - mount with MS_REMOUNT and MS_RDONLY but not MS_BIND: makes a whole
 *   superblock read-only, and the rootfs shares its superblock with the host
 *   (sysvinit's umountroot does `mount -o remount,ro /` at halt and would make
 *   the host's filesystem read-only; on a phone whose rootfs is on /data that
 *   freezes the phone). A bind remount changes one mount of the guest's own
 *   mount namespace and stays allowed, as does every new mount. A read-write
 *   remount stays allowed too: boot scripts (Debian's checkroot, OpenRC's
 *   root service) do `mount -o remount,rw /` and treat a failure as a broken
 *   root filesystem, while on a filesystem the host has read-write it changes
 *   nothing. The price: a guest cannot make its own tmpfs read-only by
 *   remount (it gets EPERM; halt scripts print a warning and go on).
 * - fspick: the new mount API's way to the same superblock reconfiguration
 *   (util-linux 2.39+ uses it for a remount). ENOSYS here, so libmount falls
 *   back to mount(2), where the rule above applies.
 */
#include "core/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "util/fileio.h"
#include "util/macros.h"

#if defined(__x86_64__) && defined(__ILP32__)
#define DS_SECCOMP_ARCH 0 /* x32 builds get no filter */
#elif defined(__x86_64__)
#define DS_SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define DS_SECCOMP_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define DS_SECCOMP_ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define DS_SECCOMP_ARCH AUDIT_ARCH_ARM
#else
#define DS_SECCOMP_ARCH 0
#endif

/* x86_64: syscall numbers with this bit set are the x32 ABI. */
#define DS_X32_SYSCALL_BIT 0x40000000u

#ifndef __NR_fspick
#define __NR_fspick 433 /* the same number on every architecture (5.2's unified table) */
#endif

#define RULE(sys, e) { #sys, __NR_##sys, e }
static const struct ds_seccomp_rule rules[] = {
	RULE(kexec_load, EPERM),
#ifdef __NR_kexec_file_load
	RULE(kexec_file_load, EPERM),
#endif
	RULE(init_module, EPERM),
	RULE(finit_module, EPERM),
	RULE(delete_module, EPERM),
	RULE(open_by_handle_at, EPERM),
	RULE(syslog, EPERM),
	RULE(swapon, EPERM),
	RULE(swapoff, EPERM),
	RULE(acct, EPERM),
	RULE(fspick, ENOSYS),
};

const struct ds_seccomp_rule *ds_seccomp_rules(size_t *n)
{
	*n = ARRAY_SIZE(rules);
	return rules;
}

unsigned ds_seccomp_arch(void)
{
	return DS_SECCOMP_ARCH;
}

/* The low 32 bits of argument i (flags fit in them on every ABI). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t) + sizeof(uint32_t))
#endif

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* Fills prog (room for at least ARRAY_SIZE(rules) + 16 instructions); returns the count. */
static size_t build(struct sock_filter *p)
{
	size_t n = 0;
	/* A foreign ABI: refused whole. */
	p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	p[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, DS_SECCOMP_ARCH, 1, 0);
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
	p[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, DS_X32_SYSCALL_BIT, 0, 1);
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
#endif
	/* Each denied syscall: if nr matches, fall through to its return. */
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		p[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)rules[i].nr, 0, 1);
		p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)rules[i].err);
	}
	/* mount(2): a read-only remount that is not a bind remount: a whole superblock. */
	p[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 0, 5);
	p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(3));
	p[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, MS_REMOUNT, 0, 3);
	p[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, MS_BIND, 2, 0);
	p[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, MS_RDONLY, 0, 1);
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

static const struct {
	const char *name;
	unsigned bit;
} privileged_names[] = {
	{ "seccomp", DS_PRIV_SECCOMP },
	{ "devices", DS_PRIV_DEVICES },
};

int ds_privileged_parse(const char *list, unsigned *mask, struct ds_error *err)
{
	*mask = 0;
	if (!strcmp(list, "all")) {
		*mask = DS_PRIV_ALL;
		return 0;
	}
	const char *p = list;
	do {
		size_t len = strcspn(p, ",");
		size_t i = 0;
		while (i < ARRAY_SIZE(privileged_names) &&
		       (strlen(privileged_names[i].name) != len || strncmp(privileged_names[i].name, p, len)))
			i++;
		if (i == ARRAY_SIZE(privileged_names))
			return ds_fail(err, DS_EINVAL_MSG, "--privileged: '%.*s' is not a piece of the confinement (seccomp, devices, all)",
				       (int)(len > 40 ? 40 : len), p);
		*mask |= privileged_names[i].bit;
		p += len;
	} while (*p++ == ',');
	return 0;
}

void ds_privileged_format(unsigned mask, char *out, size_t size)
{
	size_t pos = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(privileged_names); i++)
		if ((mask & privileged_names[i].bit) && pos < size)
			pos += (size_t)snprintf(out + pos, size - pos, "%s%s", pos ? "," : "", privileged_names[i].name);
}

int ds_seccomp_apply(struct ds_error *err)
{
	if (!DS_SECCOMP_ARCH)
		return ds_fail(err, -EOPNOTSUPP, "no seccomp filter for this architecture");
	struct sock_filter prog[ARRAY_SIZE(rules) * 2 + 16];
	struct sock_fprog fprog = { .len = (unsigned short)build(prog), .filter = prog };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0) {
		int r = negerrno();
		if (r == -EINVAL)
			return ds_fail(err, -EOPNOTSUPP, "this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)");
		return ds_fail(err, r, "cannot install the seccomp filter");
	}
	return 0;
}

int ds_seccomp_available(void)
{
	/* A filter-capable kernel copies the (NULL) program first: EFAULT. */
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) < 0 && errno == EFAULT;
}

int ds_seccomp_mode_of(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return -ESRCH;
	const char *l = strstr(buf, "\nSeccomp:");
	return l ? atoi(l + 9) : -ENOENT;
}
