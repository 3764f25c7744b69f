/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core/seccomp.c's program, section by section: droidspaces' default policy
 * (and an OCI linux.seccomp) compiled as the runtime compiles it, then run
 * through a strict classic-BPF interpreter (bpf_seccomp.h) for every ABI of
 * this build's kernel family, x32 and foreign architectures. The expected
 * answer of each row comes from the policy's own rules (first match), with
 * the numbers of the syscall table; the native ABI's numbers are also checked
 * against this build's <sys/syscall.h>.
 *
 * This kernel runs the x86_64 section only (no IA32 emulation here, and
 * qemu-user hands the host kernel its own numbers), so this program covers
 * i386, aarch64 and arm; `make unit` runs it natively, and
 * tests/e2e/70-cross.bats runs the cross builds (scripts/cross-build.sh) under
 * qemu-user. With --kernel (native runs only), each row of the native ABI
 * also runs as a real syscall in a child with the filter installed, and the
 * kernel's answer must be the interpreter's.
 *
 * One line per row, a tally; exit 1 on any mismatch, 2 when nothing could run.
 */
#include "bpf_seccomp.h"
#include "seccomp_cond.h"
#include "core/seccomp.h"
#include "core/syscalls.h"
#include "oci/seccomp.h"
#include "util/jsonparse.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define X32_BIT 0x40000000u

static unsigned n_ok, n_fail, n_skip;
static int kernel_check;

static const char *arch_name(uint32_t arch)
{
	switch (arch) {
	case AUDIT_ARCH_X86_64: return "x86_64";
	case AUDIT_ARCH_I386: return "i386";
	case AUDIT_ARCH_AARCH64: return "aarch64";
	case AUDIT_ARCH_ARM: return "arm";
	case AUDIT_ARCH_PPC64LE: return "ppc64le";
	}
	return "?";
}

static const char *ret_name(uint32_t r, char *buf, size_t size)
{
	uint32_t data = r & SECCOMP_RET_DATA;
	switch (r & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW: snprintf(buf, size, "allow"); break;
	case SECCOMP_RET_ERRNO: snprintf(buf, size, "errno %u", data); break;
	case SECCOMP_RET_KILL_THREAD: snprintf(buf, size, "kill"); break;
	default: snprintf(buf, size, "%#x", r); break;
	}
	return buf;
}

/* ---- the policy's own answer (the model the program is checked against) ---------------------- */

static int filters(const struct ds_seccomp_policy *pol, unsigned abi)
{
	return ds_seccomp_abi_arch(abi) == ds_seccomp_arch() || (pol->abis & (1u << abi));
}

/* What pol answers for syscall name with args on abi: the first rule that matches, else the default. */
static uint32_t model(const struct ds_seccomp_policy *pol, unsigned abi, const char *name, const uint64_t args[6])
{
	if (!filters(pol, abi))
		return pol->foreign_ret;
	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct ds_seccomp_rule *r = &pol->rules[i];
		unsigned k = 0;
		if (strcmp(r->name, name))
			continue;
		while (k < r->n_conds && seccomp_cond_holds(&r->conds[k], args[r->conds[k].arg]))
			k++;
		if (k == r->n_conds)
			return r->ret;
	}
	return pol->default_ret;
}

/* ---- the kernel's answer (--kernel, the native ABI) ------------------------------------------- */

/* errno of the raw syscall in a child, filtered by prog or not; 0 when it succeeded, -1 if the child failed. */
static int in_child(const struct ds_seccomp_prog *prog, uint32_t nr, const uint64_t a[6])
{
	pid_t pid = fork();
	if (pid == 0) {
		struct ds_error err = { 0 };
		if (prog && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || ds_seccomp_install(prog, 0, &err) < 0))
			_exit(255);
		long r = syscall((long)nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
		_exit(r < 0 ? (errno & 0xff) : 0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) == 255)
		return -1;
	return WEXITSTATUS(st);
}

/* Whether the kernel, running prog, answers as the interpreter did (verdict); a line when it does not, or cannot tell. */
static int kernel_agrees(const struct ds_seccomp_prog *prog, uint32_t nr, const uint64_t a[6], uint32_t verdict,
			 char *note, size_t size)
{
	uint32_t action = verdict & SECCOMP_RET_ACTION_FULL;
	if (action != SECCOMP_RET_ERRNO && action != SECCOMP_RET_ALLOW) {
		snprintf(note, size, "kernel: not run (the filter would end the child)");
		return 1;
	}
	int with = in_child(prog, nr, a), without = in_child(NULL, nr, a);
	if (with < 0 || without < 0) {
		snprintf(note, size, "kernel: the child failed");
		return 0;
	}
	if (action == SECCOMP_RET_ERRNO) {
		int e = (int)(verdict & SECCOMP_RET_DATA);
		if (with != e) {
			snprintf(note, size, "kernel: errno %d through the filter", with);
			return 0;
		}
		snprintf(note, size,
			 without == e ? "kernel: errno %d (so without the filter: cannot tell)"
				      : "kernel: errno %d (%d without the filter)",
			 with, without);
		return 1;
	}
	snprintf(note, size, "kernel: errno %d through the filter, %d without", with, without);
	return with == without;
}

/* ---- rows ----------------------------------------------------------------------------------- */

static const char nodir[] = "/ds-no-such-dir";
static const char nomod[] = "ds-no-such-module";

/*
 * Arguments with which each syscall, should it reach the kernel, fails
 * without an effect (the --kernel rows run them as root, with and without
 * the filter); argument 3 (mount's flags) is the caller's, but for kexec_load.
 */
static void safe_args(const char *name, uint64_t a[6])
{
	uint64_t flags = a[3];
	memset(a, 0, 6 * sizeof(a[0]));
	if (!strcmp(name, "kexec_load")) {
		a[1] = 1000;     /* more segments than KEXEC_SEGMENT_MAX: EINVAL */
		a[3] = 0x7f0000; /* and another architecture */
	} else if (!strcmp(name, "kexec_file_load")) {
		a[0] = a[1] = (uint64_t)-1;
		a[4] = 0xffff; /* unknown flags: EINVAL */
	} else if (!strcmp(name, "finit_module") || !strcmp(name, "open_by_handle_at") || !strcmp(name, "read")) {
		a[0] = (uint64_t)-1; /* EBADF */
	} else if (!strcmp(name, "delete_module")) {
		a[0] = (uintptr_t)nomod; /* ENOENT */
	} else if (!strcmp(name, "syslog")) {
		a[0] = 10; /* SYSLOG_ACTION_SIZE_UNREAD */
	} else if (!strcmp(name, "acct") || !strcmp(name, "swapon") || !strcmp(name, "swapoff")) {
		a[0] = (uintptr_t)nodir; /* ENOENT */
	} else if (!strcmp(name, "fspick") || !strcmp(name, "openat")) {
		a[0] = (uint64_t)(int64_t)AT_FDCWD;
		a[1] = (uintptr_t)nodir;
	} else if (!strcmp(name, "mount") || !strcmp(name, "umount2")) {
		a[name[0] == 'm'] = (uintptr_t)nodir;
	}
	if (strcmp(name, "kexec_load"))
		a[3] = flags;
}

struct target {
	const char *what; /* "default", "oci" */
	const struct ds_seccomp_policy *pol;
	const struct ds_seccomp_prog *prog;
};

/* One row: the interpreter's answer for (arch, nr, args) against want. */
static void row(const struct target *t, uint32_t arch, uint32_t nr, const char *label, const uint64_t a[6],
		uint32_t want)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch, .instruction_pointer = 0x10000 };
	memcpy(d.args, a, sizeof(d.args));
	uint32_t got = 0;
	char why[200] = "", wb[32], gb[32];
	int bad = bpf_seccomp_run(t->prog->insns, t->prog->len, &d, &got, why, sizeof(why)) < 0 || got != want;
	if (!bad && kernel_check && arch == ds_seccomp_arch())
		bad = !kernel_agrees(t->prog, nr, a, got, why, sizeof(why));
	printf("%s %-7s %-7s %-40s nr %-10u want %-9s got %-9s%s%s\n", bad ? "FAIL" : "ok  ", t->what, arch_name(arch),
	       label, nr, ret_name(want, wb, sizeof(wb)), ret_name(got, gb, sizeof(gb)), *why ? "  " : "", why);
	bad ? n_fail++ : n_ok++;
}

/* The syscall name on abi with args: the model's answer. */
static void named(const struct target *t, unsigned abi, const char *name, const char *label, uint64_t flags)
{
	const struct ds_syscall *s = ds_syscall_lookup(name);
	uint32_t arch = ds_seccomp_abi_arch(abi);
	uint64_t a[6] = { 0, 0, 0, flags, 0, 0 };
	if (!s || s->nr[abi] < 0) {
		printf("skip %-7s %-7s %-40s (no such syscall on this ABI)\n", t->what, arch_name(arch), label);
		n_skip++;
		return;
	}
	safe_args(name, a);
	row(t, arch, (uint32_t)s->nr[abi], label, a, model(t->pol, abi, name, a));
	if (arch == AUDIT_ARCH_X86_64 && s->nr[abi] < (int32_t)X32_BIT) {
		char l[64];
		snprintf(l, sizeof(l), "%s (x32)", label);
		row(t, arch, (uint32_t)s->nr[abi] | X32_BIT, l, a, t->pol->foreign_ret);
	}
}

/* Values on both sides of a condition: one where it holds, one where it does not (where there is one). */
static int both_sides(const struct ds_seccomp_cond *c, uint64_t v[2])
{
	switch (c->op) {
	case DS_SECCOMP_EQ:
	case DS_SECCOMP_LE:
	case DS_SECCOMP_GE:
		v[0] = c->value;
		v[1] = c->op == DS_SECCOMP_GE ? c->value - 1 : c->value + 1;
		break;
	case DS_SECCOMP_NE:
	case DS_SECCOMP_GT: v[0] = c->value + 1, v[1] = c->value; break;
	case DS_SECCOMP_LT: v[0] = c->value - 1, v[1] = c->value; break;
	case DS_SECCOMP_MASKED_EQ:
		v[0] = c->value;
		v[1] = c->value ^ (c->mask & -c->mask); /* the lowest bit of the mask flipped */
		break;
	}
	return seccomp_cond_holds(c, v[0]) && !seccomp_cond_holds(c, v[1]);
}

/* Each rule of pol on abi; a rule with conditions with each condition on each side of its value. */
static void rules_on(const struct target *t, unsigned abi)
{
	for (size_t i = 0; i < t->pol->n_rules; i++) {
		const struct ds_seccomp_rule *r = &t->pol->rules[i];
		char label[96];
		if (!r->n_conds) {
			named(t, abi, r->name, r->name, 0);
			continue;
		}
		/* flags are argument 3 in safe_args: a condition on any argument is put there */
		for (unsigned k = 0; k < r->n_conds; k++) {
			uint64_t v[2] = { 0, 0 };
			if (r->n_conds > 1 || r->conds[k].arg != 3 || !both_sides(&r->conds[k], v))
				continue;
			for (int side = 0; side < 2; side++) {
				snprintf(label, sizeof(label), "%s arg3=%#llx", r->name, (unsigned long long)v[side]);
				named(t, abi, r->name, label, v[side]);
			}
		}
	}
}

/* The native ABI's numbers of the table against this build's headers. */
static void native_numbers(void)
{
	static const struct {
		const char *name;
		long nr;
	} own[] = {
		{ "getpid", SYS_getpid },
		{ "read", SYS_read },
		{ "openat", SYS_openat },
		{ "mount", SYS_mount },
		{ "acct", SYS_acct },
		{ "syslog", SYS_syslog },
		{ "swapon", SYS_swapon },
		{ "swapoff", SYS_swapoff },
		{ "init_module", SYS_init_module },
		{ "finit_module", SYS_finit_module },
		{ "delete_module", SYS_delete_module },
		{ "open_by_handle_at", SYS_open_by_handle_at },
		{ "kexec_load", SYS_kexec_load },
	};
	unsigned native = ds_seccomp_abi_arch(DS_ABI_64) == ds_seccomp_arch() ? DS_ABI_64 : DS_ABI_32;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		const struct ds_syscall *s = ds_syscall_lookup(own[i].name);
		int bad = !s || s->nr[native] != own[i].nr;
		printf("%s table   %-7s %-40s nr %-10ld (<sys/syscall.h>) table %d\n", bad ? "FAIL" : "ok  ",
		       arch_name(ds_seccomp_arch()), own[i].name, own[i].nr, s ? s->nr[native] : -1);
		bad ? n_fail++ : n_ok++;
	}
}

/* Every ABI of the family, x32, and architectures outside the family. */
static void check(const struct target *t, const char *const *allowed, size_t n_allowed,
		  const struct ds_seccomp_rule *extra, size_t n_extra)
{
	for (unsigned abi = 0; abi < DS_ABIS; abi++) {
		rules_on(t, abi);
		for (size_t i = 0; i < n_allowed; i++)
			named(t, abi, allowed[i], allowed[i], 0);
		for (size_t i = 0; i < n_extra; i++) {
			char label[96];
			snprintf(label, sizeof(label), "%s arg3=%#llx", extra[i].name,
				 (unsigned long long)extra[i].conds[0].value);
			named(t, abi, extra[i].name, label, extra[i].conds[0].value);
		}
	}
	/* an architecture outside the family (with the other family's 64-bit one among them) */
	static const uint32_t foreign[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64, AUDIT_ARCH_PPC64LE };
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		if (foreign[i] == ds_seccomp_abi_arch(DS_ABI_64))
			continue;
		const uint64_t a[6] = { 0 };
		row(t, foreign[i], 39, "getpid's x86_64 number", a, t->pol->foreign_ret);
		row(t, foreign[i], 172, "getpid's aarch64 number", a, t->pol->foreign_ret);
	}
}

/* The interpreter refuses what the compiler never emits, and what the kernel would not load. */
static void check_interpreter(void)
{
	static const struct {
		const char *what;
		struct sock_filter p[3];
		size_t len;
	} bad[] = {
		{ "empty", { BPF_STMT(BPF_RET | BPF_K, 0) }, 0 },
		{ "jset (not emitted)",
		  { BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 0), BPF_STMT(BPF_RET | BPF_K, 0) },
		  2 },
		{ "load past seccomp_data",
		  { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)), BPF_STMT(BPF_RET | BPF_K, 0) },
		  2 },
		{ "unaligned load", { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), BPF_STMT(BPF_RET | BPF_K, 0) }, 2 },
		{ "jump past the end",
		  { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), BPF_STMT(BPF_RET | BPF_K, 0) },
		  2 },
		{ "ja past the end", { BPF_STMT(BPF_JMP | BPF_JA, 1), BPF_STMT(BPF_RET | BPF_K, 0) }, 2 },
		{ "no return at the end", { BPF_STMT(BPF_RET | BPF_K, 0), BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 1) }, 2 },
	};
	const struct seccomp_data d = { 0 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t got;
		char why[200] = "";
		int refused = bpf_seccomp_run(bad[i].p, bad[i].len, &d, &got, why, sizeof(why)) < 0;
		printf("%s bpf     refuses %-32s %s\n", refused ? "ok  " : "FAIL", bad[i].what, why);
		refused ? n_ok++ : n_fail++;
	}
}

static void check_default(void)
{
	struct ds_seccomp_prog prog;
	struct ds_error err = { 0 };
	if (ds_seccomp_compile(ds_seccomp_default_policy(), &prog, &err) < 0) {
		printf("FAIL default policy: %s\n", err.msg);
		n_fail++;
		return;
	}
	const struct target t = { "default", ds_seccomp_default_policy(), &prog };
	static const char *const allowed[] = { "getpid", "read", "openat" };
	/* mount: flags around the read-only remount the policy refuses */
	static const struct ds_seccomp_rule mounts[] = {
		{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, 0, 0 } } },
		{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_RDONLY, 0 } } },
		{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_REMOUNT, 0 } } },
		{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_REMOUNT | MS_RDONLY, 0 } } },
		{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_REMOUNT | MS_RDONLY | MS_NOSUID, 0 } } },
		{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_REMOUNT | MS_RDONLY | MS_BIND, 0 } } },
		{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_BIND | MS_RDONLY, 0 } } },
	};
	check(&t, allowed, sizeof(allowed) / sizeof(allowed[0]), mounts, sizeof(mounts) / sizeof(mounts[0]));
	ds_seccomp_prog_free(&prog);
}

/* An OCI linux.seccomp with an architecture list and conditions, through the OCI reader. */
static void check_oci(const char *arches)
{
	char json[1024];
	snprintf(json, sizeof(json),
		 "{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[%s],\"syscalls\":["
		 "{\"names\":[\"getppid\",\"syslog\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
		 "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
		 "\"args\":[{\"index\":3,\"value\":%u,\"valueTwo\":%u,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		 "{\"names\":[\"umount2\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":16,"
		 "\"args\":[{\"index\":3,\"value\":8,\"op\":\"SCMP_CMP_GT\"}]}]}}",
		 arches, MS_BIND | MS_REMOUNT, MS_BIND);
	struct ds_jdoc doc = { 0 };
	struct ds_oci_seccomp sc = { 0 };
	struct ds_seccomp_prog prog = { 0 };
	struct ds_error err = { 0 };
	if (ds_json_parse(json, strlen(json), &doc, &err) < 0 || ds_oci_seccomp_read(doc.root, &sc, &err) < 0 ||
	    ds_seccomp_compile(&sc.policy, &prog, &err) < 0) {
		printf("FAIL oci policy [%s]: %s\n", arches, err.msg);
		n_fail++;
	} else {
		printf("# oci architectures [%s]\n", arches);
		const struct target t = { "oci", &sc.policy, &prog };
		static const char *const allowed[] = { "getpid", "read" };
		static const struct ds_seccomp_rule mounts[] = {
			{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_BIND | MS_RDONLY, 0 } } },
			{ .name = "mount", .conds = { { 3, DS_SECCOMP_EQ, MS_BIND | MS_REMOUNT, 0 } } },
		};
		check(&t, allowed, 2, mounts, 2);
	}
	ds_seccomp_prog_free(&prog);
	ds_oci_seccomp_free(&sc);
	ds_jdoc_free(&doc);
}

int main(int argc, char **argv)
{
	kernel_check = argc > 1 && !strcmp(argv[1], "--kernel");
	if (argc > 1 && !kernel_check) {
		fprintf(stderr, "usage: %s [--kernel]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!ds_seccomp_arch()) {
		printf("# SKIP: no seccomp filter on this architecture\n");
		return 0;
	}
	printf("# the %s build: sections %s and %s%s\n", arch_name(ds_seccomp_arch()),
	       arch_name(ds_seccomp_abi_arch(DS_ABI_64)), arch_name(ds_seccomp_abi_arch(DS_ABI_32)),
	       kernel_check ? "; the native rows also through this kernel" : "");
	check_interpreter();
	native_numbers();
	check_default();
	check_oci("\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"");
	check_oci("\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_AARCH64\"");
	printf("# seccomp_abis: %u ok, %u failed, %u skipped\n", n_ok, n_fail, n_skip);
	return n_fail ? 1 : n_ok ? 0 : 2;
}
