/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/seccomp.c: the filter, installed in a child (with no_new_privs), against the real kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/seccomp.h"
#include "seccomp_cond.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Under valgrind the filter would sit below valgrind's own syscalls, which
 * emulate the program's (and it does not know the i386 and x32 entries):
 * the filter is tested in the ASan run only.
 */
static int under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");
	if (p && strstr(p, "vgpreload")) {
		fprintf(stderr, "# SKIP: under valgrind, which emulates the syscalls a seccomp filter sees\n");
		return 1;
	}
	return 0;
}

/* errno of a raw syscall, 0 when it succeeded. */
#define ERRNO_OF(call) ((call) < 0 ? errno : 0)

/* Runs fn in a child under policy (NULL: none); its exit status (fn's result), 128 + N when signal N ended it. */
static int in_policy_child(const struct ds_seccomp_policy *policy, int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		/* cmocka's handlers are inherited; a signal must end the child, not run the next test in it */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGSYS, SIG_DFL);
		struct ds_error err = { 0 };
		struct ds_seccomp_prog prog;
		if (policy && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			       ds_seccomp_compile(policy, &prog, &err) < 0 || ds_seccomp_install(&prog, 0, &err) < 0))
			_exit(200);
		_exit(fn());
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* droidspaces' own filter, or none. */
static int in_child(int filtered, int (*fn)(void))
{
	return in_policy_child(filtered ? ds_seccomp_default_policy() : NULL, fn);
}

static int try_acct(void) { return ERRNO_OF(syscall(SYS_acct, NULL)); }
static int try_syslog(void) { return ERRNO_OF(syscall(SYS_syslog, 10, NULL, 0)); }
static int try_handle(void) { return ERRNO_OF(syscall(SYS_open_by_handle_at, -1, NULL, 0)); }
static int try_module(void) { return ERRNO_OF(syscall(SYS_delete_module, "ds-no-such-module", 0)); }
static int try_fspick(void) { return ERRNO_OF(syscall(433, AT_FDCWD, "/", 0)); }
/* Paths that do not exist: where the filter allows it, the kernel answers ENOENT. */
static int try_remount(void) { return ERRNO_OF(mount(NULL, "/ds-no-such-dir", NULL, MS_REMOUNT | MS_RDONLY, NULL)); }
static int try_bind_remount(void)
{
	return ERRNO_OF(mount(NULL, "/ds-no-such-dir", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
}
static int try_rw_remount(void) { return ERRNO_OF(mount(NULL, "/ds-no-such-dir", NULL, MS_REMOUNT, NULL)); }
static int try_new_mount(void) { return ERRNO_OF(mount("none", "/ds-no-such-dir", "tmpfs", 0, NULL)); }
static int try_getpid(void) { return syscall(SYS_getpid) > 0 ? 0 : 1; }
#if defined(__x86_64__)
static int try_x32(void) { return ERRNO_OF(syscall(0x40000000 | SYS_getpid)); }
/* A syscall through the i386 ABI (int 0x80): 0 when it returned >= 0, else its errno. */
static long i386_call(long nr, long a1)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a1) : "memory");
	return r;
}
static int try_i386_getpid(void)
{
	long r = i386_call(20, 0);
	return r > 0 ? 0 : (int)-r;
}
static int try_i386_acct(void)
{
	long r = i386_call(51, 0);
	return r < 0 ? (int)-r : 0;
}
#endif

static void test_denied(void **state)
{
	(void)state;
	if (under_valgrind())
		skip();
	assert_int_equal(in_child(1, try_acct), EPERM);
	assert_int_equal(in_child(1, try_syslog), EPERM);
	assert_int_equal(in_child(1, try_handle), EPERM);
	assert_int_equal(in_child(1, try_module), EPERM);
	assert_int_equal(in_child(1, try_remount), EPERM);
	assert_int_equal(in_child(1, try_fspick), ENOSYS);
}

/* What the filter lets through reaches the kernel, which answers for itself. */
static void test_allowed(void **state)
{
	(void)state;
	if (under_valgrind())
		skip();
	assert_int_equal(in_child(1, try_getpid), 0);
	assert_int_equal(in_child(1, try_bind_remount), in_child(0, try_bind_remount));
	assert_int_equal(in_child(1, try_bind_remount), ENOENT);
	assert_int_equal(in_child(1, try_new_mount), ENOENT);
	assert_int_equal(in_child(1, try_rw_remount), ENOENT);
	/* unfiltered, the kernel looks the path up first: the EPERM above is the filter's */
	assert_int_equal(in_child(0, try_remount), ENOENT);
}

/* x32 is refused; the i386 ABI is filtered with its own numbers (a 32-bit guest on a 64-bit kernel). */
static void test_foreign_abi(void **state)
{
	(void)state;
	if (under_valgrind())
		skip();
#if defined(__x86_64__)
	assert_int_equal(in_child(1, try_x32), ENOSYS);
	int native = in_child(0, try_i386_getpid);
	if (native != 0) {
		/* a kernel without IA32 emulation refuses it already (ENOSYS, or SIGSEGV from int 0x80): nothing to tell apart */
		fprintf(stderr, "# SKIP i386 rows: this kernel has no i386 ABI (%s)\n",
			native > 128 ? strsignal(native - 128) : strerror(native));
		skip();
	}
	assert_int_equal(in_child(1, try_i386_getpid), 0);
	/* acct(NULL) as root is allowed by the kernel; through the filter it is EPERM */
	assert_int_equal(in_child(1, try_i386_acct), EPERM);
#else
	skip();
#endif
}

static void test_table(void **state)
{
	(void)state;
	const struct ds_seccomp_policy *pol = ds_seccomp_default_policy();
	assert_true(pol->n_rules >= 10);
	assert_int_equal(pol->default_ret, SECCOMP_RET_ALLOW);
	assert_int_not_equal(ds_seccomp_arch(), 0);
	/* every row is a syscall this build's kernel family has */
	for (size_t i = 0; i < pol->n_rules; i++)
		if (!ds_syscall_lookup(pol->rules[i].name))
			fail_msg("%s: no such syscall", pol->rules[i].name);
	assert_true(ds_seccomp_available());
	assert_int_equal(ds_seccomp_mode_of(getpid()), 0);
}

/* The generated table: sorted (bsearch), and the native column is this build's own numbers. */
static void test_syscall_table(void **state)
{
	(void)state;
	size_t n;
	const struct ds_syscall *t = ds_syscall_table(&n);
	assert_true(n > 400);
	for (size_t i = 1; i < n; i++)
		if (strcmp(t[i - 1].name, t[i].name) >= 0)
			fail_msg("not sorted at %s, %s", t[i - 1].name, t[i].name);
	static const struct {
		const char *name;
		long nr;
	} native[] = {
		{ "read", SYS_read },       { "write", SYS_write },
		{ "mkdirat", SYS_mkdirat }, { "mount", SYS_mount },
		{ "clone", SYS_clone },     { "execve", SYS_execve },
		{ "getpid", SYS_getpid },   { "exit_group", SYS_exit_group },
		{ "openat", SYS_openat },   { "clone3", 435 },
		{ "fchmodat2", 452 },
	};
	enum ds_abi abi = sizeof(long) == 8 ? DS_ABI_64 : DS_ABI_32;
	for (size_t i = 0; i < sizeof(native) / sizeof(native[0]); i++) {
		const struct ds_syscall *s = ds_syscall_lookup(native[i].name);
		assert_non_null(s);
		assert_int_equal(s->nr[abi], native[i].nr);
	}
#if defined(__x86_64__)
	assert_int_equal(ds_syscall_lookup("mkdir")->nr[DS_ABI_32], 39);
	assert_int_equal(ds_syscall_lookup("socketcall")->nr[DS_ABI_64], -1);
#endif
	assert_null(ds_syscall_lookup("no_such_syscall"));
	assert_null(ds_syscall_lookup(""));
}

/* getpid ignores its arguments, but the filter sees them: each operator on argument 1. */
static const uint64_t probe_values[] = { 0,
					 1,
					 5,
					 6,
					 7,
					 0xffffffffULL,
					 0x100000000ULL,
					 0x100000005ULL,
					 0x100000006ULL,
					 0x100000007ULL,
					 0xfffffffffffffff0ULL,
					 UINT64_MAX };
static struct ds_seccomp_rule cond_rule = { .name = "getpid", .ret = SECCOMP_RET_ERRNO | EACCES, .n_conds = 1 };

/* How many probe values the filter answered otherwise than seccomp_cond_holds() says. */
static int probe_cond(void)
{
	int wrong = 0;
	for (size_t i = 0; i < sizeof(probe_values) / sizeof(probe_values[0]); i++) {
		long r = syscall(SYS_getpid, 0L, (long)probe_values[i], 0L);
		int denied = r < 0 && errno == EACCES;
		if (denied != seccomp_cond_holds(&cond_rule.conds[0], probe_values[i]))
			wrong++;
	}
	return wrong;
}

static void test_conditions(void **state)
{
	(void)state;
	if (under_valgrind() || sizeof(long) != 8)
		skip(); /* a 32-bit build passes 32-bit arguments */
	static const uint64_t against[] = { 6, 0x100000006ULL, 0xfffffffffffffff0ULL };
	struct ds_seccomp_policy pol = { .default_ret = SECCOMP_RET_ALLOW,
					 .foreign_ret = SECCOMP_RET_ERRNO | ENOSYS,
					 .rules = &cond_rule,
					 .n_rules = 1 };
	for (int op = DS_SECCOMP_NE; op <= DS_SECCOMP_MASKED_EQ; op++)
		for (size_t k = 0; k < sizeof(against) / sizeof(against[0]); k++) {
			cond_rule.conds[0] = (struct ds_seccomp_cond){ 1, op, against[k], 0 };
			if (op == DS_SECCOMP_MASKED_EQ) /* the low 3 bits of each half */
				cond_rule.conds[0] =
					(struct ds_seccomp_cond){ 1, op, against[k] & 0x700000007ULL, 0x700000007ULL };
			int wrong = in_policy_child(&pol, probe_cond);
			if (wrong)
				fail_msg("operator %d against %#llx: %d values answered wrongly", op,
					 (unsigned long long)against[k], wrong);
		}
}

/* An allowlist longer than a jump reaches (runs cut in chunks): mkdir and mkdirat get the default. */
static int try_mkdir(void) { return ERRNO_OF(mkdir("/ds-no-such-dir/x", 0755)); }
static int try_getppid(void) { return ERRNO_OF(syscall(SYS_getppid)); }

static void test_allowlist(void **state)
{
	(void)state;
	if (under_valgrind())
		skip();
	size_t n, k = 0;
	const struct ds_syscall *t = ds_syscall_table(&n);
	struct ds_seccomp_rule *rules = calloc(n + 2, sizeof(*rules));
	assert_non_null(rules);
	/* first match wins: getppid denied before it is allowed below */
	rules[k++] = (struct ds_seccomp_rule){ .name = "getppid", .ret = SECCOMP_RET_ERRNO | EACCES };
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, "mkdir") && strcmp(t[i].name, "mkdirat"))
			rules[k++] = (struct ds_seccomp_rule){ .name = t[i].name, .ret = SECCOMP_RET_ALLOW };
	struct ds_seccomp_policy pol = { .default_ret = SECCOMP_RET_ERRNO | EPERM,
					 .foreign_ret = SECCOMP_RET_ERRNO | ENOSYS,
					 .abis = 3,
					 .rules = rules,
					 .n_rules = k };
	assert_int_equal(in_policy_child(&pol, try_getpid), 0);
	assert_int_equal(in_policy_child(&pol, try_mkdir), EPERM);
	assert_int_equal(in_policy_child(&pol, try_getppid), EACCES);
	assert_int_equal(in_child(0, try_mkdir), ENOENT);
	free(rules);
}

/* More than the kernel takes: refused with one line. */
static void test_too_long(void **state)
{
	(void)state;
	size_t n = 2000;
	struct ds_seccomp_rule *rules = calloc(n, sizeof(*rules));
	assert_non_null(rules);
	for (size_t i = 0; i < n; i++)
		rules[i] = (struct ds_seccomp_rule){ .name = "getpid",
						     .ret = SECCOMP_RET_ERRNO | EPERM,
						     .n_conds = 1,
						     .conds = { { 0, DS_SECCOMP_EQ, i, 0 } } };
	struct ds_seccomp_policy pol = { .default_ret = SECCOMP_RET_ALLOW, .rules = rules, .n_rules = n };
	struct ds_seccomp_prog prog;
	struct ds_error err = { 0 };
	assert_int_equal(ds_seccomp_compile(&pol, &prog, &err), DS_EINVAL_MSG);
	assert_string_equal(err.msg, "the seccomp filter is longer than the 4096 instructions a kernel takes");
	assert_null(prog.insns);
	/* the default policy is short */
	assert_int_equal(ds_seccomp_compile(ds_seccomp_default_policy(), &prog, &err), 0);
	assert_true(prog.len > 20 && prog.len < 200);
	ds_seccomp_prog_free(&prog);
	free(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),         cmocka_unit_test(test_denied),
		cmocka_unit_test(test_allowed),       cmocka_unit_test(test_foreign_abi),
		cmocka_unit_test(test_syscall_table), cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_allowlist),     cmocka_unit_test(test_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
