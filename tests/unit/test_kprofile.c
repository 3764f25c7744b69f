/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the kernel-profile harness (tests/kernel/kprofile.c): its tables are consistent,
 * every profile's filter is a valid program, and a process under a profile gets the old kernel's
 * answers (ENOSYS, EINVAL) while the syscalls that kernel had still work and a second filter stacks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define KPROFILE_NO_MAIN
#include "../kernel/kprofile.c"

#include <sys/prctl.h>
#include <sys/wait.h>

static void profiles_are_ordered_and_unique(void **state)
{
	(void)state;
	assert_true(KP_NCOUNT(kp_profiles) == 8);
	for (size_t i = 1; i < KP_NCOUNT(kp_profiles); i++) {
		assert_true(kp_profiles[i - 1].version < kp_profiles[i].version);
		assert_ptr_equal(kp_find(kp_profiles[i].name), &kp_profiles[i]);
	}
	assert_int_equal(kp_find("today")->version, KP_TODAY);
	assert_int_equal(kp_find("3.18")->version, KV(3, 18));
	assert_null(kp_find("4.5"));
	assert_null(kp_find(""));
}

static void syscall_table_is_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < KP_NCOUNT(kp_syscalls); i++) {
		const struct kp_syscall *s = &kp_syscalls[i];
		assert_true(s->since > KV(3, 0) && s->since < KP_TODAY);
		/* Since 5.1 one table for every architecture, and the unlisted range starts after it. */
		if (s->x86_64 >= 424)
			assert_int_equal(s->x86_64, s->aarch64);
		assert_true(s->x86_64 < KP_FIRST_UNLISTED);
		for (size_t j = 0; j < i; j++) {
			assert_int_not_equal(kp_syscalls[j].x86_64, s->x86_64);
			assert_int_not_equal(kp_syscalls[j].aarch64, s->aarch64);
			assert_string_not_equal(kp_syscalls[j].name, s->name);
		}
	}
	for (size_t i = 0; i < KP_NCOUNT(kp_argrules); i++)
		assert_true(kp_argrules[i].nconds >= 1 && kp_argrules[i].nconds <= 2);
}

/*
 * The number a kernel header defines for __NR_name ("#define __NR_name N", any blanks between),
 * -1 when the header does not define it (a header older than the syscall).
 */
static long header_nr(const char *text, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = strstr(text, "#define __NR_"); p; p = strstr(p + 1, "#define __NR_")) {
		const char *n = p + strlen("#define __NR_");
		if (strncmp(n, name, len) != 0 || (n[len] != ' ' && n[len] != '\t'))
			continue;
		char *end;
		long v = strtol(n + len, &end, 10);
		return end == n + len ? -1 : v;
	}
	return -1;
}

/* Reads a header into a malloc'd string; NULL (the test skips) when this machine has none. */
static char *read_header(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *text = calloc(1, 1 << 20);
	size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (text && n == 0) {
		free(text);
		text = NULL;
	}
	return text;
}

/* The syscall a table row names: "clone(CLONE_NEWCGROUP)" -> "clone". */
static void row_syscall(const char *what, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(what, "("), what);
}

/*
 * Both columns of the tables, the aarch64 one too (which no test here can run: qemu-user keeps
 * seccomp to itself), are the kernel's own numbers: x86_64's from asm/unistd_64.h, aarch64's
 * from asm-generic/unistd.h (arm64 uses the generic table). Syscalls newer than the installed
 * headers are left out; the most of each table must be there.
 */
static void tables_match_the_kernel_headers(void **state)
{
	(void)state;
	char *x86 = read_header("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
	char *generic = read_header("/usr/include/asm-generic/unistd.h");
	if (!x86 || !generic) {
		free(x86);
		free(generic);
		skip(); /* no kernel headers installed */
	}
	size_t checked = 0, rows = KP_NCOUNT(kp_syscalls) + KP_NCOUNT(kp_argrules);
	char name[64];
	for (size_t i = 0; i < rows; i++) {
		int want_x86, want_arm;
		if (i < KP_NCOUNT(kp_syscalls)) {
			snprintf(name, sizeof(name), "%s", kp_syscalls[i].name);
			want_x86 = kp_syscalls[i].x86_64;
			want_arm = kp_syscalls[i].aarch64;
		} else {
			const struct kp_argrule *r = &kp_argrules[i - KP_NCOUNT(kp_syscalls)];
			row_syscall(r->what, name, sizeof(name));
			want_x86 = r->x86_64;
			want_arm = r->aarch64;
		}
		long hx = header_nr(x86, name), ha = header_nr(generic, name);
		if (hx < 0 && ha < 0)
			continue;
		if (hx != want_x86 || ha != want_arm)
			fail_msg("%s: table %d/%d, headers %ld/%ld", name, want_x86, want_arm, hx, ha);
		checked++;
	}
	free(x86);
	free(generic);
	assert_true(checked >= rows * 2 / 3);
}

/* Every jump of every profile's program lands inside it, and every path ends in a return. */
static void every_filter_is_valid(void **state)
{
	(void)state;
	struct sock_filter p[KP_MAX_INSNS];
	int prev = 1 << 30;
	for (size_t i = 0; i < KP_NCOUNT(kp_profiles); i++) {
		int n = kp_build(kp_profiles[i].version, p);
		if (kp_profiles[i].version == KP_TODAY) {
			assert_int_equal(n, 0);
			continue;
		}
		if (KP_ARCH == 0) {
			assert_int_equal(n, -1);
			continue;
		}
		assert_true(n > 8 && n < KP_MAX_INSNS);
		/* An older kernel lacks at least as much as a newer one. */
		assert_true(n <= prev);
		prev = n;
		for (int pc = 0; pc < n; pc++) {
			if (BPF_CLASS(p[pc].code) == BPF_JMP)
				assert_true(pc + 1 + p[pc].jt < n && pc + 1 + p[pc].jf < n);
		}
		assert_int_equal(p[n - 1].code, BPF_RET | BPF_K);
		assert_int_equal(p[n - 1].k, SECCOMP_RET_ALLOW);
	}
}

/* --list names every profile, and per profile what it emulates and what it cannot. */
static void list_states_each_profile(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	kp_list(f);
	assert_int_equal(fclose(f), 0);
	for (size_t i = 0; i < KP_NCOUNT(kp_profiles); i++) {
		char head[32];
		snprintf(head, sizeof(head), "\n%-6s  ", kp_profiles[i].name);
		assert_non_null(strstr(text, head));
	}
	const char *p318 = strstr(text, "\n3.18 "), *p44 = strstr(text, "\n4.4 ");
	assert_true(p318 && p44);
	const char *statx = strstr(p318, " statx "), *nspid = strstr(p318, "gap: /proc/PID/status still has NSpid");
	assert_true(statx && statx < p44 && nspid && nspid < p44);
	assert_null(strstr(strstr(text, "\n5.10 "), " close_range "));
	free(text);
}

/* Runs fn in a child under profile name; the child's exit status is fn's line of failure, 0 if none. */
static void in_profile(const char *name, int (*fn)(void))
{
	/* No native table; or valgrind, which emulates syscalls (pidfd_open, close_range) itself. */
	const char *pre = getenv("LD_PRELOAD");
	if (KP_ARCH == 0 || (pre && strstr(pre, "vgpreload")))
		skip();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (kp_install_for(kp_find(name)->version, kp_find(name)->without) < 0)
			_exit(250);
		_exit(fn());
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

#define EXPECT(cond)                               \
	do {                                       \
		if (!(cond))                       \
			return __LINE__ % 200 + 1; \
	} while (0)

static long sc_errno(long r) { return r < 0 ? errno : 0; }

static int under_4_4(void)
{
	EXPECT(sc_errno(syscall(kp_nr(435, 435), NULL, 0)) == ENOSYS);            /* clone3 */
	EXPECT(sc_errno(syscall(kp_nr(332, 291), -1, "", 0, 0, NULL)) == ENOSYS); /* statx */
	EXPECT(sc_errno(syscall(kp_nr(326, 285), -1, NULL, -1, NULL, 1, 0)) == ENOSYS);
	EXPECT(sc_errno(syscall(kp_nr(436, 436), 1000, 1000, 0)) == ENOSYS);          /* close_range */
	EXPECT(sc_errno(syscall(500)) == ENOSYS);                                     /* not yet invented */
	EXPECT(sc_errno(syscall(kp_nr(16, 29), -1, 0x4C0A, 0)) == EINVAL);            /* LOOP_CONFIGURE */
	EXPECT(sc_errno(syscall(kp_nr(16, 29), -1, 0x4C00, 0)) == EBADF);             /* LOOP_SET_FD: as today */
	EXPECT(sc_errno(unshare(0x02000000)) == EINVAL);                              /* CLONE_NEWCGROUP */
	EXPECT(sc_errno(syscall(kp_nr(321, 280), 5, NULL, 0)) == EINVAL);             /* BPF_PROG_LOAD */
	EXPECT(sc_errno(syscall(kp_nr(321, 280), 8, NULL, 0)) == EINVAL);             /* BPF_PROG_ATTACH */
	EXPECT(syscall(kp_nr(318, 278), &(int){ 0 }, sizeof(int), 0) == sizeof(int)); /* getrandom: 3.17 */
	EXPECT(getpid() > 0);
	/* The product's own filter still goes on top (without no_new_privs when root). */
	struct sock_filter allow[] = { KP_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog fp = { .len = 1, .filter = allow };
	if (geteuid() != 0)
		EXPECT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	EXPECT(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) == 0);
	EXPECT(sc_errno(syscall(kp_nr(435, 435), NULL, 0)) == ENOSYS);
	return 0;
}

static int under_5_4(void)
{
	EXPECT(sc_errno(syscall(kp_nr(332, 291), -1, "", 0, 0, NULL)) != ENOSYS); /* statx: 4.11 */
	int fd = (int)syscall(kp_nr(434, 434), getpid(), 0);                      /* pidfd_open: 5.3 */
	EXPECT(fd >= 0);
	close(fd);
	EXPECT(sc_errno(syscall(kp_nr(436, 436), 1000, 1000, 0)) == ENOSYS);   /* close_range: 5.9 */
	EXPECT(sc_errno(syscall(kp_nr(437, 437), -1, "", NULL, 0)) == ENOSYS); /* openat2: 5.6 */
	EXPECT(sc_errno(syscall(kp_nr(16, 29), -1, 0x4C0A, 0)) == EINVAL);
	return 0;
}

static int under_5_10(void)
{
	EXPECT(syscall(kp_nr(436, 436), 1000, 1000, 0) == 0);                     /* close_range: 5.9 */
	EXPECT(sc_errno(syscall(kp_nr(442, 442), -1, "", 0, NULL, 0)) == ENOSYS); /* mount_setattr */
	EXPECT(sc_errno(syscall(kp_nr(16, 29), -1, 0x4C0A, 0)) == EBADF);         /* LOOP_CONFIGURE: 5.8 */
	return 0;
}

static int under_today(void)
{
	EXPECT(syscall(kp_nr(436, 436), 1000, 1000, 0) == 0);
	EXPECT(sc_errno(syscall(kp_nr(442, 442), -1, "", 0, NULL, 0)) != ENOSYS);
	return 0;
}

/* noseccomp: a new filter is refused with EINVAL (as without CONFIG_SECCOMP_FILTER); nothing else changes. */
static int under_noseccomp(void)
{
	EXPECT(sc_errno(prctl(PR_SET_SECCOMP, 2, NULL, 0, 0)) == EINVAL);
	EXPECT(sc_errno(syscall(kp_nr(317, 277), 1, 0, NULL)) == EINVAL);
	EXPECT(sc_errno(prctl(PR_GET_SECCOMP, 0, 0, 0, 0)) == 0); /* other prctl calls: as today */
	EXPECT(syscall(kp_nr(436, 436), 1000, 1000, 0) == 0);
	EXPECT(sc_errno(syscall(kp_nr(442, 442), -1, "", 0, NULL, 0)) != ENOSYS);
	return 0;
}

static void variant_noseccomp_refuses_filters_only(void **state)
{
	(void)state;
	assert_non_null(kp_find("noseccomp"));
	assert_int_equal(kp_find("noseccomp")->without, KP_NO_SECCOMP);
	in_profile("noseccomp", under_noseccomp);
}

static void profile_4_4_answers_as_4_4(void **state)
{
	(void)state;
	in_profile("4.4", under_4_4);
}

static void profile_5_4_answers_as_5_4(void **state)
{
	(void)state;
	in_profile("5.4", under_5_4);
}

static void profile_5_10_answers_as_5_10(void **state)
{
	(void)state;
	in_profile("5.10", under_5_10);
}

static void profile_today_filters_nothing(void **state)
{
	(void)state;
	in_profile("today", under_today);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(profiles_are_ordered_and_unique),
		cmocka_unit_test(syscall_table_is_consistent),
		cmocka_unit_test(tables_match_the_kernel_headers),
		cmocka_unit_test(every_filter_is_valid),
		cmocka_unit_test(list_states_each_profile),
		cmocka_unit_test(profile_4_4_answers_as_4_4),
		cmocka_unit_test(profile_5_4_answers_as_5_4),
		cmocka_unit_test(profile_5_10_answers_as_5_10),
		cmocka_unit_test(profile_today_filters_nothing),
		cmocka_unit_test(variant_noseccomp_refuses_filters_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
