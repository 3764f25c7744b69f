/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A classic-BPF seccomp filter written as instructions (libseccomp does not
 * fit a static musl build), with a section per ABI of the build's kernel
 * family (below); x32 and any other architecture are refused with ENOSYS.
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

/*
 * A build serves a kernel family: a 32-bit droidspaces (i386, armhf) often
 * runs on a 64-bit kernel (x86_64, arm64), and so do the guest's programs of
 * either width. So the program has a section per ABI of the family, each
 * with that ABI's own numbers (they differ: syslog is 103 on x86_64 and
 * 116 on arm64), and refuses the rest: x32, and any other architecture.
 */
enum {
	R_KEXEC,
	R_KEXEC_FILE,
	R_INIT_MODULE,
	R_FINIT_MODULE,
	R_DELETE_MODULE,
	R_HANDLE,
	R_SYSLOG,
	R_SWAPON,
	R_SWAPOFF,
	R_ACCT,
	R_FSPICK,
	R_COUNT
};

static const char *const rule_names[R_COUNT] = {
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
	"syslog",     "swapon",          "swapoff",     "acct",         "fspick",
};
/* EPERM: "not allowed here", and the guest goes on; fspick ENOSYS: libmount falls back to mount(2). */
static const int rule_errno[R_COUNT] = { EPERM, EPERM, EPERM, EPERM, EPERM, EPERM, EPERM, EPERM, EPERM, EPERM, ENOSYS };

struct abi {
	uint32_t arch;
	int x32_bit; /* x86_64: numbers with 0x40000000 set are x32 */
	long mount;
	long nr[R_COUNT]; /* -1: no such syscall on this ABI */
};

/* From the kernel's tables (asm/unistd_64.h, unistd_32.h, asm-generic/unistd.h, arm's unistd-eabi.h). */
#if defined(__x86_64__) || defined(__i386__)
static const struct abi family_abis[] = {
	{ AUDIT_ARCH_X86_64, 1, 165, { 246, 320, 175, 313, 176, 304, 103, 167, 168, 163, 433 } },
	{ AUDIT_ARCH_I386, 0, 21, { 283, -1, 128, 350, 129, 342, 103, 87, 115, 51, 433 } },
};
#elif defined(__aarch64__) || defined(__arm__)
static const struct abi family_abis[] = {
	{ AUDIT_ARCH_AARCH64, 0, 40, { 104, 294, 105, 273, 106, 265, 116, 224, 225, 89, 433 } },
	{ AUDIT_ARCH_ARM, 0, 21, { 347, 401, 128, 379, 129, 371, 103, 87, 115, 51, 433 } },
};
#endif

/* This build's own ABI among them (NULL: an architecture without a filter). */
#if (defined(__x86_64__) && !defined(__ILP32__)) || defined(__aarch64__)
static const struct abi *const native = &family_abis[0];
#elif defined(__i386__) || defined(__arm__)
static const struct abi *const native = &family_abis[1];
#else
static const struct abi family_abis[1];
static const struct abi *const native = NULL;
#endif

/* x86_64: syscall numbers with this bit set are the x32 ABI. */
#define DS_X32_SYSCALL_BIT 0x40000000u

static struct ds_seccomp_rule native_rules[R_COUNT];

const struct ds_seccomp_rule *ds_seccomp_rules(size_t *n)
{
	*n = 0;
	for (int i = 0; native && i < R_COUNT; i++)
		if (native->nr[i] >= 0)
			native_rules[(*n)++] = (struct ds_seccomp_rule){ rule_names[i], native->nr[i], rule_errno[i] };
	return native_rules;
}

unsigned ds_seccomp_arch(void) { return native ? native->arch : 0; }

/* The low 32 bits of argument i (flags fit in them on every ABI). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t) + sizeof(uint32_t))
#endif

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

#define PROG_MAX (ARRAY_SIZE(family_abis) * (2 * R_COUNT + 16) + 4)

/* One ABI's section: entered with A = arch; falls through to the next section if it is not this ABI. */
static size_t build_abi(struct sock_filter *p, const struct abi *a)
{
	size_t n = 0;
	p[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, a->arch, 0, 0); /* jf patched: over this section */
	p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	if (a->x32_bit) {
		p[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, DS_X32_SYSCALL_BIT, 0, 1);
		p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	/* Each denied syscall: if nr matches, fall through to its return. */
	for (int i = 0; i < R_COUNT; i++) {
		if (a->nr[i] < 0)
			continue;
		p[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)a->nr[i], 0, 1);
		p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)rule_errno[i]);
	}
	/* mount(2): a read-only remount that is not a bind remount: a whole superblock. */
	p[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)a->mount, 0, 5);
	p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(3));
	p[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, MS_REMOUNT, 0, 3);
	p[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, MS_BIND, 2, 0);
	p[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, MS_RDONLY, 0, 1);
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	p[0].jf = (uint8_t)(n - 1);
	return n;
}

/* Fills prog (PROG_MAX instructions); returns the count. */
static size_t build(struct sock_filter *p)
{
	size_t n = 0;
	p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < ARRAY_SIZE(family_abis); i++) {
		n += build_abi(p + n, &family_abis[i]);
		/* the next section tests the arch again: reload it */
		p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	}
	/* No ABI of the family: refused whole. */
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
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
			return ds_fail(err, DS_EINVAL_MSG,
				       "--privileged: '%.*s' is not a piece of the confinement (seccomp, devices, all)",
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
			pos += (size_t)snprintf(out + pos, size - pos, "%s%s", pos ? "," : "",
						privileged_names[i].name);
}

int ds_seccomp_apply(struct ds_error *err)
{
	if (!native)
		return ds_fail(err, -EOPNOTSUPP, "no seccomp filter for this architecture");
	struct sock_filter prog[PROG_MAX];
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
	char buf[4096];
	if (ds_proc_status(pid, buf, sizeof(buf)) < 0)
		return -ESRCH;
	const char *l = strstr(buf, "\nSeccomp:");
	return l ? atoi(l + 9) : -ENOENT;
}
