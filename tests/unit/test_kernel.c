/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/kernel.c: check's table of kernel features, its rows and verdict. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/kernel.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Every row is complete, its key unique, and its consequence says what kind it is. */
static void test_kernel_table_rows(void **state)
{
	(void)state;
	static const char *const prefix[DS_KF_LEVELS] = {
		[DS_KF_REQUIRED] = "refused: ",    [DS_KF_RECOMMENDED] = "", [DS_KF_FALLBACK] = "fallback: ",
		[DS_KF_OPTIONAL] = "needed by --", [DS_KF_REPORT] = "not ",
	};
	size_t n;
	const struct ds_kfeature *f = ds_kfeatures(&n);
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(f[i].key);
		assert_non_null(f[i].name);
		assert_non_null(f[i].probe);
		assert_true(f[i].level < DS_KF_LEVELS);
		assert_true(strlen(f[i].name) <= 46); /* the column's width */
		if (strncmp(f[i].without, prefix[f[i].level], strlen(prefix[f[i].level])) != 0)
			fail_msg("row %s: '%s' does not start with '%s'", f[i].key, f[i].without, prefix[f[i].level]);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(f[i].key, f[k].key);
	}
}

/* The rows the existing tests and scripts look for keep their names and levels. */
static void test_kernel_known_rows(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum ds_kf_level level;
	} want[] = {
		{ "PID namespace", DS_KF_REQUIRED },
		{ "mount namespace", DS_KF_REQUIRED },
		{ "devpts instances (4.7, or MULTIPLE_INSTANCES)", DS_KF_REQUIRED },
		{ "cgroup namespace (4.6)", DS_KF_RECOMMENDED },
		{ "seccomp filters (3.5)", DS_KF_RECOMMENDED },
		{ "clone3 (5.3)", DS_KF_FALLBACK },
		{ "NSpid in /proc/PID/status (4.1)", DS_KF_FALLBACK },
		{ "OverlayFS", DS_KF_OPTIONAL },
	};
	size_t n;
	const struct ds_kfeature *f = ds_kfeatures(&n);
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		size_t i = 0;
		while (i < n && strcmp(f[i].name, want[w].name) != 0)
			i++;
		if (i == n)
			fail_msg("no row '%s'", want[w].name);
		assert_int_equal(f[i].level, want[w].level);
	}
}

static void test_kernel_format_row(void **state)
{
	(void)state;
	const struct ds_kfeature fb = { "x", "clone3 (5.3)", DS_KF_FALLBACK, "fallback: fork", NULL, NULL };
	const struct ds_kfeature req = { "y", "PID namespace", DS_KF_REQUIRED, "refused: no", NULL, NULL };
	char out[512];
	char want[512];
	ds_kf_format_row(&fb, 1, "", out, sizeof(out));
	snprintf(want, sizeof(want), "  [ OK ] %-46s yes", "clone3 (5.3)");
	assert_string_equal(out, want);
	ds_kf_format_row(&fb, 0, "", out, sizeof(out));
	snprintf(want, sizeof(want), "  [ -- ] %-46s no   fallback: fork", "clone3 (5.3)");
	assert_string_equal(out, want);
	ds_kf_format_row(&fb, 0, "why", out, sizeof(out));
	snprintf(want, sizeof(want), "  [ -- ] %-46s no   fallback: fork -- why", "clone3 (5.3)");
	assert_string_equal(out, want);
	ds_kf_format_row(&req, 1, "hybrid", out, sizeof(out));
	snprintf(want, sizeof(want), "  [ OK ] %-46s yes  hybrid", "PID namespace");
	assert_string_equal(out, want);
	ds_kf_format_row(&req, 0, "", out, sizeof(out));
	snprintf(want, sizeof(want), "  [FAIL] %-46s no   refused: no", "PID namespace");
	assert_string_equal(out, want);
	ds_kf_format_row(&req, -1, "not root", out, sizeof(out));
	snprintf(want, sizeof(want), "  [ ?? ] %-46s ?    refused: no -- not root", "PID namespace");
	assert_string_equal(out, want);
	assert_string_equal(ds_kf_mark(DS_KF_OPTIONAL, 0), "WARN");
	assert_string_equal(ds_kf_mark(DS_KF_REPORT, 0), " -- ");
}

static void test_kernel_verdict(void **state)
{
	(void)state;
	struct ds_kf_tally t = { 0 };
	char out[256];
	const char *word;
	ds_kf_verdict(&t, out, sizeof(out), &word);
	assert_string_equal(out, "Verdict: ready.");
	assert_string_equal(word, "ready");
	ds_kf_count(&t, DS_KF_FALLBACK, 0);
	ds_kf_count(&t, DS_KF_FALLBACK, 1);
	ds_kf_count(&t, DS_KF_REPORT, 0);
	ds_kf_count(&t, DS_KF_REQUIRED, -1); /* cannot tell: not counted */
	ds_kf_verdict(&t, out, sizeof(out), &word);
	assert_string_equal(out, "Verdict: ready; 1 fallback in use.");
	ds_kf_count(&t, DS_KF_OPTIONAL, 0);
	ds_kf_count(&t, DS_KF_RECOMMENDED, 0);
	ds_kf_count(&t, DS_KF_FALLBACK, 0);
	ds_kf_verdict(&t, out, sizeof(out), &word);
	assert_string_equal(out, "Verdict: ready, with 2 optional features missing; 2 fallbacks in use.");
	assert_string_equal(word, "ready-with-warnings");
	ds_kf_count(&t, DS_KF_REQUIRED, 0);
	ds_kf_verdict(&t, out, sizeof(out), &word);
	assert_string_equal(out, "Verdict: this system cannot run containers (1 required feature missing).");
	assert_string_equal(word, "refused");
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Every probe answers -1, 0 or 1 and leaves nothing: no fd, no /dev node, no mount. */
static void test_kernel_probes_leave_nothing(void **state)
{
	(void)state;
	size_t n;
	const struct ds_kfeature *f = ds_kfeatures(&n);
	char mounts_before[65536], mounts_after[65536], detail[256];
	FILE *m = fopen("/proc/self/mountinfo", "re");
	assert_non_null(m);
	size_t mb = fread(mounts_before, 1, sizeof(mounts_before) - 1, m);
	mounts_before[mb] = '\0';
	fclose(m);
	int fds = count_dir("/proc/self/fd"), dev = count_dir("/dev");
	for (size_t i = 0; i < n; i++) {
		detail[0] = '\0';
		int r = f[i].probe(f[i].arg, detail, sizeof(detail));
		if (r < -1 || r > 1)
			fail_msg("probe %s answered %d", f[i].key, r);
		assert_true(strlen(detail) < sizeof(detail));
		assert_int_equal(count_dir("/proc/self/fd"), fds);
	}
	assert_int_equal(count_dir("/dev"), dev);
	m = fopen("/proc/self/mountinfo", "re");
	assert_non_null(m);
	size_t ma = fread(mounts_after, 1, sizeof(mounts_after) - 1, m);
	mounts_after[ma] = '\0';
	fclose(m);
	assert_string_equal(mounts_after, mounts_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_table_rows),           cmocka_unit_test(test_kernel_known_rows),
		cmocka_unit_test(test_kernel_format_row),           cmocka_unit_test(test_kernel_verdict),
		cmocka_unit_test(test_kernel_probes_leave_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
