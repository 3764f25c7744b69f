/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kprofile: run a command as if on an older kernel (a test harness, not part of droidspaces).
 *
 *   kprofile PROFILE -- CMD ARGS...     run CMD under PROFILE (3.18 4.4 4.9 4.14 4.19 5.4 5.10 today,
 *                                       or noseccomp: today's kernel built without seccomp filters)
 *   kprofile --list                     what each profile emulates and what it cannot
 *
 * A seccomp filter answers, for the native ABI (x86_64 or aarch64), what the profile's kernel would:
 * ENOSYS for every syscall that kernel did not have, EINVAL for flags, commands and ioctls it did not
 * know (CLONE_NEWCGROUP before 4.6, LOOP_CONFIGURE before 5.8, bpf commands, seccomp operations and
 * flags). Everything else is allowed, so CMD can install filters of its own (they stack: the kernel
 * runs all of them and the strictest answer wins). As root the filter is installed without
 * no_new_privs, so setuid programs in a guest keep working; otherwise no_new_privs is set first.
 * Profiles before 4.5 (no cgroup2) also run CMD in a mount namespace of its own in which the host's
 * cgroup2 mounts are detached, as on a v1-only Android kernel (only when v1 hierarchies exist).
 *
 * What a filter cannot hide (the kernel still offers it, so the product's path for it is not
 * exercised by the profile) is listed per profile by --list as "gaps".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KV(a, b) ((a) * 100 + (b))
#define KP_TODAY 9999
#define KP_NCOUNT(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__x86_64__)
#define KP_ARCH AUDIT_ARCH_X86_64
#define KP_NR(x86, arm) (x86)
#define KP_ARCH_NAME "x86_64"
#elif defined(__aarch64__)
#define KP_ARCH AUDIT_ARCH_AARCH64
#define KP_NR(x86, arm) (arm)
#define KP_ARCH_NAME "aarch64"
#else
#define KP_ARCH 0
#define KP_NR(x86, arm) (-1)
#define KP_ARCH_NAME "unsupported"
#endif

/* First number of the table shared by every architecture since 5.1 that this table does not list. */
#define KP_FIRST_UNLISTED 468

enum { KP_NO_SECCOMP = 1 << 0 }; /* a CONFIG option the profile's kernel was built without */

struct kp_profile {
	const char *name;
	int version;
	const char *example; /* devices that ship it */
	unsigned without;    /* KP_NO_*: variants only */
};

static const struct kp_profile kp_profiles[] = {
	{ "3.18", KV(3, 18), "Android 7-8 phones (msm-3.18)", 0 },
	{ "4.4", KV(4, 4), "Android 8-9 phones", 0 },
	{ "4.9", KV(4, 9), "Android 9-10 phones", 0 },
	{ "4.14", KV(4, 14), "Android 10-11 phones", 0 },
	{ "4.19", KV(4, 19), "Android 11-12 phones", 0 },
	{ "5.4", KV(5, 4), "Android 12 GKI phones", 0 },
	{ "5.10", KV(5, 10), "Android 12-13 GKI phones", 0 },
	{ "today", KP_TODAY, "this machine's kernel, no filter", 0 },
};

/* Variants: a kernel of today built without an option vendor kernels may lack. */
static const struct kp_profile kp_variants[] = {
	{ "noseccomp", KP_TODAY, "this machine's kernel built without CONFIG_SECCOMP_FILTER", KP_NO_SECCOMP },
};

/* Syscalls by the kernel that added them (x86_64 and aarch64 numbers; -1: none on that ABI). */
struct kp_syscall {
	const char *name;
	int x86_64, aarch64;
	int since;
};

static const struct kp_syscall kp_syscalls[] = {
	{ "getrandom", 318, 278, KV(3, 17) },
	{ "memfd_create", 319, 279, KV(3, 17) },
	{ "kexec_file_load", 320, 294, KV(3, 17) },
	{ "bpf", 321, 280, KV(3, 18) },
	{ "execveat", 322, 281, KV(3, 19) },
	{ "userfaultfd", 323, 282, KV(4, 3) },
	{ "membarrier", 324, 283, KV(4, 3) },
	{ "mlock2", 325, 284, KV(4, 4) },
	{ "copy_file_range", 326, 285, KV(4, 5) },
	{ "preadv2", 327, 286, KV(4, 6) },
	{ "pwritev2", 328, 287, KV(4, 6) },
	{ "pkey_mprotect", 329, 288, KV(4, 9) },
	{ "pkey_alloc", 330, 289, KV(4, 9) },
	{ "pkey_free", 331, 290, KV(4, 9) },
	{ "statx", 332, 291, KV(4, 11) },
	{ "io_pgetevents", 333, 292, KV(4, 18) },
	{ "rseq", 334, 293, KV(4, 18) },
	/* from here on one number on every architecture */
	{ "pidfd_send_signal", 424, 424, KV(5, 1) },
	{ "io_uring_setup", 425, 425, KV(5, 1) },
	{ "io_uring_enter", 426, 426, KV(5, 1) },
	{ "io_uring_register", 427, 427, KV(5, 1) },
	{ "open_tree", 428, 428, KV(5, 2) },
	{ "move_mount", 429, 429, KV(5, 2) },
	{ "fsopen", 430, 430, KV(5, 2) },
	{ "fsconfig", 431, 431, KV(5, 2) },
	{ "fsmount", 432, 432, KV(5, 2) },
	{ "fspick", 433, 433, KV(5, 2) },
	{ "pidfd_open", 434, 434, KV(5, 3) },
	{ "clone3", 435, 435, KV(5, 3) },
	{ "close_range", 436, 436, KV(5, 9) },
	{ "openat2", 437, 437, KV(5, 6) },
	{ "pidfd_getfd", 438, 438, KV(5, 6) },
	{ "faccessat2", 439, 439, KV(5, 8) },
	{ "process_madvise", 440, 440, KV(5, 10) },
	{ "epoll_pwait2", 441, 441, KV(5, 11) },
	{ "mount_setattr", 442, 442, KV(5, 12) },
	{ "quotactl_fd", 443, 443, KV(5, 14) },
	{ "landlock_create_ruleset", 444, 444, KV(5, 13) },
	{ "landlock_add_rule", 445, 445, KV(5, 13) },
	{ "landlock_restrict_self", 446, 446, KV(5, 13) },
	{ "memfd_secret", 447, 447, KV(5, 14) },
	{ "process_mrelease", 448, 448, KV(5, 15) },
	{ "futex_waitv", 449, 449, KV(5, 16) },
	{ "set_mempolicy_home_node", 450, 450, KV(5, 17) },
	{ "cachestat", 451, 451, KV(6, 5) },
	{ "fchmodat2", 452, 452, KV(6, 6) },
	{ "map_shadow_stack", 453, 453, KV(6, 6) },
	{ "futex_wake", 454, 454, KV(6, 7) },
	{ "futex_wait", 455, 455, KV(6, 7) },
	{ "futex_requeue", 456, 456, KV(6, 7) },
	{ "statmount", 457, 457, KV(6, 8) },
	{ "listmount", 458, 458, KV(6, 8) },
	{ "lsm_get_self_attr", 459, 459, KV(6, 8) },
	{ "lsm_set_self_attr", 460, 460, KV(6, 8) },
	{ "lsm_list_modules", 461, 461, KV(6, 8) },
	{ "mseal", 462, 462, KV(6, 10) },
	{ "setxattrat", 463, 463, KV(6, 13) },
	{ "getxattrat", 464, 464, KV(6, 13) },
	{ "listxattrat", 465, 465, KV(6, 13) },
	{ "removexattrat", 466, 466, KV(6, 13) },
	{ "open_tree_attr", 467, 467, KV(6, 15) },
};

/* EINVAL (or another errno) for arguments a kernel before `before` did not know. */
enum kp_test { KP_EQ, KP_SET };
struct kp_cond {
	int arg;
	enum kp_test test;
	unsigned value;
};
struct kp_argrule {
	const char *what;
	int x86_64, aarch64;
	int before;
	int err;
	int nconds;
	struct kp_cond cond[2];
};

#define KP_CLONE 56, 220
#define KP_UNSHARE 272, 97
#define KP_SETNS 308, 268
#define KP_IOCTL 16, 29
#define KP_BPF 321, 280
#define KP_SECCOMP 317, 277
#define KP_PRCTL 157, 167

static const struct kp_argrule kp_argrules[] = {
	{ "clone(CLONE_NEWCGROUP)", KP_CLONE, KV(4, 6), EINVAL, 1, { { 0, KP_SET, 0x02000000 } } },
	{ "unshare(CLONE_NEWCGROUP)", KP_UNSHARE, KV(4, 6), EINVAL, 1, { { 0, KP_SET, 0x02000000 } } },
	{ "setns(CLONE_NEWCGROUP)", KP_SETNS, KV(4, 6), EINVAL, 1, { { 1, KP_SET, 0x02000000 } } },
	{ "unshare(CLONE_NEWTIME)", KP_UNSHARE, KV(5, 6), EINVAL, 1, { { 0, KP_SET, 0x80 } } },
	{ "setns(CLONE_NEWTIME)", KP_SETNS, KV(5, 6), EINVAL, 1, { { 1, KP_SET, 0x80 } } },
	{ "ioctl(LOOP_CONFIGURE)", KP_IOCTL, KV(5, 8), EINVAL, 1, { { 1, KP_EQ, 0x4C0A } } },
	{ "prctl(PR_CAP_AMBIENT)", KP_PRCTL, KV(4, 3), EINVAL, 1, { { 0, KP_EQ, 47 } } },
	/* A filter cannot read bpf's attr: every program load stands for the cgroup device one. */
	{ "bpf(BPF_PROG_LOAD) of a cgroup device program", KP_BPF, KV(4, 15), EINVAL, 1, { { 0, KP_EQ, 5 } } },
	{ "bpf(BPF_PROG_ATTACH)", KP_BPF, KV(4, 10), EINVAL, 1, { { 0, KP_EQ, 8 } } },
	{ "bpf(BPF_PROG_DETACH)", KP_BPF, KV(4, 10), EINVAL, 1, { { 0, KP_EQ, 9 } } },
	{ "bpf(BPF_PROG_QUERY)", KP_BPF, KV(4, 15), EINVAL, 1, { { 0, KP_EQ, 16 } } },
	{ "seccomp(SECCOMP_GET_ACTION_AVAIL)", KP_SECCOMP, KV(4, 14), EINVAL, 1, { { 0, KP_EQ, 2 } } },
	{ "seccomp(SECCOMP_GET_NOTIF_SIZES)", KP_SECCOMP, KV(5, 0), EINVAL, 1, { { 0, KP_EQ, 3 } } },
	{ "seccomp(FILTER_FLAG_LOG)", KP_SECCOMP, KV(4, 14), EINVAL, 2, { { 0, KP_EQ, 1 }, { 1, KP_SET, 2 } } },
	{ "seccomp(FILTER_FLAG_SPEC_ALLOW)", KP_SECCOMP, KV(4, 17), EINVAL, 2, { { 0, KP_EQ, 1 }, { 1, KP_SET, 4 } } },
	{ "seccomp(FILTER_FLAG_NEW_LISTENER)", KP_SECCOMP, KV(5, 0), EINVAL, 2, { { 0, KP_EQ, 1 }, { 1, KP_SET, 8 } } },
	{ "seccomp(FILTER_FLAG_TSYNC_ESRCH)", KP_SECCOMP, KV(5, 7), EINVAL, 2, { { 0, KP_EQ, 1 }, { 1, KP_SET, 16 } } },
};

/* KP_NO_SECCOMP: installing a filter answers EINVAL, as without CONFIG_SECCOMP_FILTER (strict mode stays). */
#define KP_NEVER (KP_TODAY + 1)
static const struct kp_argrule kp_noseccomp_rules[] = {
	{ "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)", KP_PRCTL, KP_NEVER, EINVAL, 2,
	  { { 0, KP_EQ, 22 }, { 1, KP_EQ, 2 } } },
	{ "seccomp(SECCOMP_SET_MODE_FILTER)", KP_SECCOMP, KP_NEVER, EINVAL, 1, { { 0, KP_EQ, 1 } } },
};

/* What no filter can take away from the kernel underneath, by the version that brought it. */
struct kp_gap {
	int since;
	const char *what;
};
static const struct kp_gap kp_gaps[] = {
	{ KV(4, 0), "overlayfs is still named 'overlay' (3.18 kernels and Android backports call it 'overlayfs')" },
	{ KV(4, 1), "/proc/PID/status still has NSpid (the product's no-nspid fault switch tests that path)" },
	{ KV(4, 5), "cgroup2 stays mounted on a host without v1 hierarchies (on hybrid hosts it is detached)" },
	{ KV(4, 6), "/proc/PID/ns/cgroup still exists (unshare/setns/clone with CLONE_NEWCGROUP fail)" },
	{ KV(4, 7), "devpts always gets a new instance (DEVPTS_MULTIPLE_INSTANCES is not a filter matter)" },
	{ KV(4, 14), "SECCOMP_RET_KILL_PROCESS and RET_LOG actions are understood (a filter cannot change that)" },
	{ KV(4, 15), "bpf(BPF_PROG_LOAD) fails for every program type, not only cgroup device ones" },
	{ KV(5, 14), "cgroup.kill still exists on cgroup2 (the product's no-cgroup-kill fault switch tests that path)" },
	{ KP_TODAY, "the i386/arm compat and x32 ABIs are not filtered; no kernel bug of the old version is there" },
};

static const struct kp_profile *kp_find(const char *name)
{
	for (size_t i = 0; i < KP_NCOUNT(kp_profiles); i++)
		if (strcmp(kp_profiles[i].name, name) == 0)
			return &kp_profiles[i];
	for (size_t i = 0; i < KP_NCOUNT(kp_variants); i++)
		if (strcmp(kp_variants[i].name, name) == 0)
			return &kp_variants[i];
	return NULL;
}

static int kp_nr(int x86_64, int aarch64)
{
	(void)x86_64;
	(void)aarch64;
	return KP_NR(x86_64, aarch64);
}

#define KP_MAX_INSNS 512
#define KP_STMT(code, k) ((struct sock_filter){ (unsigned short)(code), 0, 0, (unsigned)(k) })
#define KP_JUMP(code, k, jt, jf) ((struct sock_filter){ (unsigned short)(code), (jt), (jf), (unsigned)(k) })
#define KP_LD_NR KP_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
/* The low 32 bits of an argument (both ABIs are little-endian). */
#define KP_LD_ARG(i) KP_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * (i))

/* Appends the rules of table (count) that apply to kernel version v at p[n]; returns the new length. */
static int kp_emit_rules(const struct kp_argrule *table, size_t count, int v, struct sock_filter *p, int n)
{
	for (size_t i = 0; i < count; i++) {
		const struct kp_argrule *r = &table[i];
		int nr = kp_nr(r->x86_64, r->aarch64);
		if (r->before <= v || nr < 0)
			continue;
		/* jeq nr; (ld arg; test)*; ret errno; ld nr: every "no" lands on the final ld nr. */
		int rest = 2 * r->nconds + 1;
		p[n++] = KP_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, rest);
		for (int c = 0; c < r->nconds; c++) {
			int code = BPF_JMP | BPF_K | (r->cond[c].test == KP_EQ ? BPF_JEQ : BPF_JSET);
			p[n++] = KP_LD_ARG(r->cond[c].arg);
			p[n++] = KP_JUMP(code, r->cond[c].value, 0, 2 * (r->nconds - 1 - c) + 1);
		}
		p[n++] = KP_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)r->err);
		p[n++] = KP_LD_NR;
	}
	return n;
}

static int kp_build_for(int v, unsigned without, struct sock_filter *p);
/*
 * Builds the filter for kernel version v into p (KP_MAX_INSNS); returns its length, 0 for "no
 * filter" (today's kernel), -1 when this architecture has no table.
 */
__attribute__((unused)) static int kp_build(int v, struct sock_filter *p) { return kp_build_for(v, 0, p); }

/* The same for a variant: version v built without the KP_NO_* options in without. */
static int kp_build_for(int v, unsigned without, struct sock_filter *p)
{
	int n = 0;
	if (v >= KP_TODAY && !without)
		return 0;
	if (KP_ARCH == 0)
		return -1;
	p[n++] = KP_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	p[n++] = KP_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KP_ARCH, 1, 0);
	p[n++] = KP_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW); /* another ABI: a documented gap */
	p[n++] = KP_LD_NR;
	for (size_t i = 0; i < KP_NCOUNT(kp_syscalls); i++) {
		int nr = kp_nr(kp_syscalls[i].x86_64, kp_syscalls[i].aarch64);
		if (kp_syscalls[i].since <= v || nr < 0)
			continue;
		p[n++] = KP_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
		p[n++] = KP_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	if (v < KP_TODAY) {
		/* Whatever came after this table (below the x32 bit): no older kernel had it. */
		p[n++] = KP_JUMP(BPF_JMP | BPF_JGE | BPF_K, KP_FIRST_UNLISTED, 0, 2);
		p[n++] = KP_JUMP(BPF_JMP | BPF_JGE | BPF_K, 1024, 1, 0);
		p[n++] = KP_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	n = kp_emit_rules(kp_argrules, KP_NCOUNT(kp_argrules), v, p, n);
	if (without & KP_NO_SECCOMP)
		n = kp_emit_rules(kp_noseccomp_rules, KP_NCOUNT(kp_noseccomp_rules), v, p, n);
	p[n++] = KP_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

static int kp_install_for(int v, unsigned without);
/* Installs the filter for v in this process (inherited by everything it runs). */
__attribute__((unused)) static int kp_install(int v) { return kp_install_for(v, 0); }

static int kp_install_for(int v, unsigned without)
{
	struct sock_filter prog[KP_MAX_INSNS];
	int n = kp_build_for(v, without, prog);
	if (n <= 0)
		return n;
	struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) == 0)
		return 0;
	/* Not root (CAP_SYS_ADMIN): the kernel wants no_new_privs first. */
	if (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
		return -errno;
	return 0;
}

/*
 * Before 4.5 there was no cgroup2: where the host also has v1 hierarchies, run in a mount
 * namespace of our own with the cgroup2 mounts detached (private propagation: the host keeps them).
 */
__attribute__((unused)) static int kp_hide_cgroup2(void)
{
	char line[4096], points[16][512];
	int npoints = 0, v1 = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mp[512], type[64];
		const char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mp) != 1 || sscanf(sep + 3, "%63s", type) != 1)
			continue;
		if (strcmp(type, "cgroup") == 0)
			v1 = 1;
		else if (strcmp(type, "cgroup2") == 0 && npoints < 16)
			snprintf(points[npoints++], sizeof(points[0]), "%s", mp);
	}
	fclose(f);
	if (!v1 || npoints == 0)
		return 0;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	for (int i = npoints - 1; i >= 0; i--)
		if (umount2(points[i], MNT_DETACH) < 0)
			return -errno;
	return 1;
}

static void kp_list(FILE *out)
{
	fprintf(out, "%-6s  %s\n", "PROFILE", "EMULATES (on " KP_ARCH_NAME ")");
	for (size_t i = 0; i < KP_NCOUNT(kp_profiles); i++) {
		const struct kp_profile *pr = &kp_profiles[i];
		int v = pr->version;
		fprintf(out, "%-6s  %s\n", pr->name, pr->example);
		if (v >= KP_TODAY)
			continue;
		fprintf(out, "        ENOSYS:");
		for (size_t s = 0; s < KP_NCOUNT(kp_syscalls); s++)
			if (kp_syscalls[s].since > v)
				fprintf(out, " %s", kp_syscalls[s].name);
		fprintf(out, " (and every later one)\n        EINVAL:");
		for (size_t r = 0; r < KP_NCOUNT(kp_argrules); r++)
			if (kp_argrules[r].before > v)
				fprintf(out, " %s;", kp_argrules[r].what);
		fprintf(out, "\n");
		if (v < KV(4, 5))
			fprintf(out, "        mounts: cgroup2 detached in a mount namespace of its own (hybrid hosts)\n");
		for (size_t g = 0; g < KP_NCOUNT(kp_gaps); g++)
			if (kp_gaps[g].since > v)
				fprintf(out, "        gap: %s\n", kp_gaps[g].what);
	}
	for (size_t i = 0; i < KP_NCOUNT(kp_variants); i++) {
		fprintf(out, "%-6s  %s\n        EINVAL:", kp_variants[i].name, kp_variants[i].example);
		for (size_t r = 0; r < KP_NCOUNT(kp_noseccomp_rules); r++)
			fprintf(out, " %s;", kp_noseccomp_rules[r].what);
		fprintf(out, "\n        gap: kprofile's own filter is in place: /proc/PID/status says Seccomp: 2, not 0\n");
	}
}

#ifndef KPROFILE_NO_MAIN
static int usage(void)
{
	fprintf(stderr, "usage: kprofile PROFILE -- CMD [ARGS...] | kprofile --list\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		kp_list(stdout);
		return 0;
	}
	if (argc < 4 || strcmp(argv[2], "--") != 0)
		return usage();
	const struct kp_profile *pr = kp_find(argv[1]);
	if (!pr) {
		fprintf(stderr, "kprofile: unknown profile '%s' (kprofile --list)\n", argv[1]);
		return 2;
	}
	if (KP_ARCH == 0 && pr->version < KP_TODAY) {
		fprintf(stderr, "kprofile: no syscall table for this architecture\n");
		return 125;
	}
	int r;
	if (pr->version < KV(4, 5) && (r = kp_hide_cgroup2()) < 0) {
		fprintf(stderr, "kprofile: cannot detach cgroup2: %s\n", strerror(-r));
		return 125;
	}
	if ((r = kp_install_for(pr->version, pr->without)) < 0) {
		fprintf(stderr, "kprofile: cannot install the %s filter: %s\n", pr->name, strerror(-r));
		return 125;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "kprofile: cannot run %s: %s\n", argv[3], strerror(errno));
	return 127;
}
#endif
