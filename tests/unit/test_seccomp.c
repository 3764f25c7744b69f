/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/seccomp.c: the filter, installed in a child (with no_new_privs), against the real kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
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

/* Runs fn in a child, filtered or not; returns its exit status (fn's result), 128 + N when signal N ended it. */
static int in_child(int filtered, int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		/* cmocka's handlers are inherited; a signal must end the child, not run the next test in it */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		struct ds_error err = { 0 };
		if (filtered && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || ds_seccomp_apply(&err) < 0))
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
	size_t n;
	const struct ds_seccomp_rule *r = ds_seccomp_rules(&n);
	assert_true(n >= 10);
	assert_int_not_equal(ds_seccomp_arch(), 0);
	const char *need[] = { "kexec_load",    "init_module",       "finit_module",
			       "delete_module", "open_by_handle_at", "syslog" };
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		size_t j = 0;
		while (j < n && strcmp(r[j].name, need[i]))
			j++;
		assert_true(j < n);
		assert_true(r[j].nr >= 0);
	}
	assert_true(ds_seccomp_available());
	assert_int_equal(ds_seccomp_mode_of(getpid()), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_foreign_abi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
