/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/oci/mounts.c: OCI mount options into flags, propagation and data. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci/mounts.h"

#include <string.h>
#include <sys/mount.h>

static void flags_of(const char *type, const char **opts, size_t n, struct ds_oci_mount_flags *f)
{
	struct ds_oci_mount m = { .destination = "/x", .type = type, .options = opts, .n_options = n };
	struct ds_error err = { 0 };
	assert_int_equal(ds_oci_mount_flags(&m, 0, f, &err), 0);
}

static void test_oci_mount_flags(void **state)
{
	(void)state;
	struct ds_oci_mount_flags f;
	const char *a[] = { "nosuid", "strictatime", "mode=755", "size=65536k", "ro", "rw", "noexec" };
	flags_of("tmpfs", a, 7, &f);
	assert_true(f.flags == (MS_NOSUID | MS_STRICTATIME | MS_NOEXEC));
	assert_string_equal(f.data, "mode=755,size=65536k");
	assert_true(f.propagation == 0);

	const char *b[] = { "rbind", "rprivate", "ro" };
	flags_of("none", b, 3, &f);
	assert_true(f.flags == (MS_BIND | MS_REC | MS_RDONLY));
	assert_true(f.propagation == (MS_PRIVATE | MS_REC));
	assert_string_equal(f.data, "");

	/* type bind is a bind without a bind option; suid clears nosuid. */
	const char *c[] = { "nosuid", "suid", "slave" };
	flags_of("bind", c, 3, &f);
	assert_true(f.flags == MS_BIND);
	assert_true(f.propagation == MS_SLAVE);

	flags_of("proc", NULL, 0, &f);
	assert_true(f.flags == 0);

	/* Data that does not fit is refused, naming the mount. */
	static char big[600];
	memset(big, 'x', sizeof(big) - 1);
	const char *d[] = { big, big };
	struct ds_oci_mount m = { .destination = "/x", .type = "tmpfs", .options = d, .n_options = 2 };
	struct ds_error err = { 0 };
	assert_int_equal(ds_oci_mount_flags(&m, 3, &f, &err), DS_EINVAL_MSG);
	assert_string_equal(err.msg, "config.json: mounts[3].options: too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_mount_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
