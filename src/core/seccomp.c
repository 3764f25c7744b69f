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
#include <unistd.h>

#include "util/fileio.h"
#include "util/macros.h"

/*
 * A build serves a kernel family: a 32-bit droidspaces (i386, armhf) often
 * runs on a 64-bit kernel (x86_64, arm64), and so do the guest's programs of
 * either width. So the program has a section per ABI of the family, each
 * with that ABI's own numbers (they differ: syslog is 103 on x86_64 and
 * 116 on arm64), and answers the rest with the policy's foreign_ret: x32,
 * and any other architecture. The last entry is 0: no ABI (native below, where there is none).
 */
#if defined(__x86_64__) || defined(__i386__)
static const uint32_t family_arch[DS_ABIS + 1] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, 0 };
#elif defined(__aarch64__) || defined(__arm__)
static const uint32_t family_arch[DS_ABIS + 1] = { AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, 0 };
#else
static const uint32_t family_arch[DS_ABIS + 1] = { 0, 0, 0 };
#endif

/* This build's own ABI among them (DS_ABIS: an architecture without a filter). */
#if (defined(__x86_64__) && !defined(__ILP32__)) || defined(__aarch64__)
static const unsigned native = DS_ABI_64;
#elif defined(__i386__) || defined(__arm__)
static const unsigned native = DS_ABI_32;
#else
static const unsigned native = DS_ABIS;
#endif

/* x86_64: syscall numbers with this bit set are the x32 ABI. */
#define DS_X32_SYSCALL_BIT 0x40000000u

uint32_t ds_seccomp_abi_arch(enum ds_abi abi) { return (unsigned)abi < DS_ABIS ? family_arch[abi] : 0; }

unsigned ds_seccomp_arch(void) { return family_arch[native]; }

/* ---- droidspaces' own policy (why each row: the top of this file) ---------------------------- */

#define DENY(sys, e)                                        \
	{                                                   \
		.name = sys, .ret = SECCOMP_RET_ERRNO | (e) \
	}
static const struct ds_seccomp_rule default_rules[] = {
	DENY("kexec_load", EPERM),
	DENY("kexec_file_load", EPERM),
	DENY("init_module", EPERM),
	DENY("finit_module", EPERM),
	DENY("delete_module", EPERM),
	DENY("open_by_handle_at", EPERM),
	DENY("syslog", EPERM),
	DENY("swapon", EPERM),
	DENY("swapoff", EPERM),
	DENY("acct", EPERM),
	/* ENOSYS: libmount falls back to mount(2), where the next rule applies */
	DENY("fspick", ENOSYS),
	/* a read-only remount that is not a bind remount: a whole superblock */
	{ .name = "mount",
	  .ret = SECCOMP_RET_ERRNO | EPERM,
	  .n_conds = 1,
	  .conds = { { 3, DS_SECCOMP_MASKED_EQ, MS_REMOUNT | MS_RDONLY, MS_REMOUNT | MS_RDONLY | MS_BIND } } },
};

static const struct ds_seccomp_policy default_policy = {
	.default_ret = SECCOMP_RET_ALLOW,
	.foreign_ret = SECCOMP_RET_ERRNO | ENOSYS,
	.abis = (1u << DS_ABI_64) | (1u << DS_ABI_32),
	.rules = default_rules,
	.n_rules = ARRAY_SIZE(default_rules),
};

const struct ds_seccomp_policy *ds_seccomp_default_policy(void) { return &default_policy; }

/* ---- the compiler -------------------------------------------------------------------------- */

/* The two halves of argument i (seccomp_data holds each as a u64 in the kernel's byte order). */
#define ARG(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t))
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) ARG(i)
#define ARG_HI(i) (ARG(i) + sizeof(uint32_t))
#else
#define ARG_LO(i) (ARG(i) + sizeof(uint32_t))
#define ARG_HI(i) ARG(i)
#endif

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))
#define LOAD(off) STMT(BPF_LD | BPF_W | BPF_ABS, off)
#define RET(v) STMT(BPF_RET | BPF_K, v)

/* A conditional jump reaches 255 instructions ahead: longer runs of numbers are cut in chunks. */
#define CHUNK 200

struct emit {
	struct sock_filter *p;
	size_t n;
	/* jumps to the end of the rule being emitted: index, and 1 for jt, 0 for jf */
	size_t fail[8 * DS_SECCOMP_MAX_CONDS];
	int fail_jt[8 * DS_SECCOMP_MAX_CONDS];
	size_t n_fail;
	int full;
};

static void put(struct emit *e, struct sock_filter insn)
{
	if (e->n >= DS_SECCOMP_MAX_INSNS) {
		e->full = 1;
		return;
	}
	e->p[e->n++] = insn;
}

/* A jump whose true (jt) or false branch goes to the end of the current rule, patched later. */
static void put_fail(struct emit *e, uint32_t code, uint32_t k, int on_true, uint8_t other)
{
	if (e->n_fail < ARRAY_SIZE(e->fail) && e->n < DS_SECCOMP_MAX_INSNS) {
		e->fail[e->n_fail] = e->n;
		e->fail_jt[e->n_fail++] = on_true;
	}
	put(e, JUMP(BPF_JMP | code | BPF_K, k, on_true ? 0 : other, on_true ? other : 0));
}

/* One 64-bit condition; falls through when it holds, jumps to the rule's end when not. */
static void put_cond(struct emit *e, const struct ds_seccomp_cond *c)
{
	uint32_t hi = (uint32_t)(c->value >> 32), lo = (uint32_t)c->value;
	switch (c->op) {
	case DS_SECCOMP_MASKED_EQ:
		put(e, LOAD(ARG_HI(c->arg)));
		put(e, STMT(BPF_ALU | BPF_AND | BPF_K, (uint32_t)(c->mask >> 32)));
		put_fail(e, BPF_JEQ, hi, 0, 0);
		put(e, LOAD(ARG_LO(c->arg)));
		put(e, STMT(BPF_ALU | BPF_AND | BPF_K, (uint32_t)c->mask));
		put_fail(e, BPF_JEQ, lo, 0, 0);
		break;
	case DS_SECCOMP_EQ:
		put(e, LOAD(ARG_HI(c->arg)));
		put_fail(e, BPF_JEQ, hi, 0, 0);
		put(e, LOAD(ARG_LO(c->arg)));
		put_fail(e, BPF_JEQ, lo, 0, 0);
		break;
	case DS_SECCOMP_NE: /* high halves differ: holds; else the low ones must differ */
		put(e, LOAD(ARG_HI(c->arg)));
		put(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 2));
		put(e, LOAD(ARG_LO(c->arg)));
		put_fail(e, BPF_JEQ, lo, 1, 0);
		break;
	case DS_SECCOMP_GT:
	case DS_SECCOMP_GE: /* high above: holds; high equal: the low halves decide; high below: fails */
		put(e, LOAD(ARG_HI(c->arg)));
		put(e, JUMP(BPF_JMP | BPF_JGT | BPF_K, hi, 3, 0));
		put_fail(e, BPF_JEQ, hi, 0, 0);
		put(e, LOAD(ARG_LO(c->arg)));
		put_fail(e, c->op == DS_SECCOMP_GT ? BPF_JGT : BPF_JGE, lo, 0, 0);
		break;
	case DS_SECCOMP_LT:
	case DS_SECCOMP_LE: /* the negations of GE and GT */
		put(e, LOAD(ARG_HI(c->arg)));
		put_fail(e, BPF_JGT, hi, 1, 0);
		put(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 2));
		put(e, LOAD(ARG_LO(c->arg)));
		put_fail(e, c->op == DS_SECCOMP_LT ? BPF_JGE : BPF_JGT, lo, 1, 0);
		break;
	}
}

/* A rule with conditions on syscall nr (A holds nr on entry and on exit). */
static void put_conditional(struct emit *e, uint32_t nr, const struct ds_seccomp_rule *r)
{
	put(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 1, 0));
	size_t over = e->n;
	put(e, STMT(BPF_JMP | BPF_JA, 0)); /* not this syscall: over the rule (patched) */
	e->n_fail = 0;
	for (unsigned i = 0; i < r->n_conds; i++)
		put_cond(e, &r->conds[i]);
	put(e, RET(r->ret));
	if (e->full)
		return;
	for (size_t i = 0; i < e->n_fail; i++) {
		struct sock_filter *j = &e->p[e->fail[i]];
		uint8_t d = (uint8_t)(e->n - e->fail[i] - 1);
		if (e->fail_jt[i])
			j->jt = d;
		else
			j->jf = d;
	}
	e->p[over].k = (uint32_t)(e->n - over - 1);
	put(e, LOAD(offsetof(struct seccomp_data, nr)));
}

/* Unconditional rules with one answer: a run of numbers jumping to one return (A holds nr). */
static void put_run(struct emit *e, const uint32_t *nrs, size_t k, uint32_t ret)
{
	for (size_t i = 0; i < k; i++)
		put(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, nrs[i], (uint8_t)(k - i), 0));
	put(e, STMT(BPF_JMP | BPF_JA, 1));
	put(e, RET(ret));
}

static int32_t number_on(const struct ds_seccomp_rule *r, enum ds_abi abi)
{
	const struct ds_syscall *s = ds_syscall_lookup(r->name);
	return s ? s->nr[abi] : -1;
}

/* One ABI's section: entered with A = arch; every path in it returns. */
static void put_abi(struct emit *e, const struct ds_seccomp_policy *pol, enum ds_abi abi)
{
	uint32_t run[CHUNK];
	size_t k = 0;
	uint32_t run_ret = 0;
	put(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, family_arch[abi], 1, 0));
	size_t over = e->n;
	put(e, STMT(BPF_JMP | BPF_JA, 0)); /* another ABI: to the next section (patched) */
	put(e, LOAD(offsetof(struct seccomp_data, nr)));
	if (family_arch[abi] == AUDIT_ARCH_X86_64) {
		put(e, JUMP(BPF_JMP | BPF_JGE | BPF_K, DS_X32_SYSCALL_BIT, 0, 1));
		put(e, RET(pol->foreign_ret));
	}
	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct ds_seccomp_rule *r = &pol->rules[i];
		int32_t nr = number_on(r, abi);
		if (nr < 0 || r->ret == pol->default_ret)
			continue; /* not on this ABI; or what no rule would answer anyway */
		if (k && (r->n_conds || r->ret != run_ret || k == CHUNK)) {
			put_run(e, run, k, run_ret);
			k = 0;
		}
		if (r->n_conds) {
			put_conditional(e, (uint32_t)nr, r);
			continue;
		}
		run_ret = r->ret;
		run[k++] = (uint32_t)nr;
	}
	if (k)
		put_run(e, run, k, run_ret);
	put(e, RET(pol->default_ret));
	if (!e->full)
		e->p[over].k = (uint32_t)(e->n - over - 1);
}

int ds_seccomp_compile(const struct ds_seccomp_policy *pol, struct ds_seccomp_prog *prog, struct ds_error *err)
{
	prog->insns = NULL;
	prog->len = 0;
	if (native >= DS_ABIS)
		return ds_fail(err, -EOPNOTSUPP, "no seccomp filter for this architecture");
	for (size_t i = 0; i < pol->n_rules; i++)
		if (pol->rules[i].n_conds > DS_SECCOMP_MAX_CONDS)
			return ds_fail(err, -EINVAL, "seccomp rule %zu: more than %d conditions", i,
				       DS_SECCOMP_MAX_CONDS);
	struct emit e = { .p = calloc(DS_SECCOMP_MAX_INSNS, sizeof(struct sock_filter)) };
	if (!e.p)
		return ds_fail(err, -ENOMEM, "cannot compile the seccomp filter");
	put(&e, LOAD(offsetof(struct seccomp_data, arch)));
	for (unsigned abi = 0; abi < DS_ABIS; abi++)
		if (abi == native || (pol->abis & (1u << abi)))
			put_abi(&e, pol, abi);
	put(&e, RET(pol->foreign_ret));
	if (e.full) {
		free(e.p);
		return ds_fail(err, DS_EINVAL_MSG,
			       "the seccomp filter is longer than the %d instructions a kernel takes",
			       DS_SECCOMP_MAX_INSNS);
	}
	prog->insns = e.p;
	prog->len = e.n;
	return 0;
}

void ds_seccomp_prog_free(struct ds_seccomp_prog *prog)
{
	free(prog->insns);
	prog->insns = NULL;
	prog->len = 0;
}

int ds_seccomp_install(const struct ds_seccomp_prog *prog, unsigned flags, struct ds_error *err)
{
	struct sock_fprog fprog = { .len = (unsigned short)prog->len, .filter = prog->insns };
	int r = flags ? (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog)
		      : prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
	if (r < 0) {
		r = negerrno();
		if (r == -ENOSYS && flags)
			return ds_fail(err, r, "this kernel has no seccomp(2) for the filter's flags (Linux 3.17)");
		if (r == -EINVAL && !flags)
			return ds_fail(err, -EOPNOTSUPP, "this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)");
		return ds_fail(err, r, "cannot install the seccomp filter");
	}
	return 0;
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
	struct ds_seccomp_prog prog;
	int r = ds_seccomp_compile(&default_policy, &prog, err);
	if (r < 0)
		return r;
	r = ds_seccomp_install(&prog, 0, err);
	ds_seccomp_prog_free(&prog);
	return r;
}

int ds_seccomp_available(void)
{
	/* A filter-capable kernel copies the (NULL) program first: EFAULT. */
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) < 0 && errno == EFAULT;
}

int ds_seccomp_flag_available(unsigned flag)
{
	/* Flags are checked before the (NULL) program is copied: EFAULT when known, EINVAL (ENOSYS before 3.17) if not. */
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

int ds_seccomp_mode_of(pid_t pid)
{
	char buf[4096];
	if (ds_proc_status(pid, buf, sizeof(buf)) < 0)
		return -ESRCH;
	const char *l = strstr(buf, "\nSeccomp:");
	return l ? atoi(l + 9) : -ENOENT;
}
