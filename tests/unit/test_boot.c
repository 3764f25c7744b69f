/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for ds_boot_id_generate (src/core/boot.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/boot.h"

#include <string.h>

static int is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static void check_format(const char *id)
{
	assert_int_equal(strlen(id), 36);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (id[i] != '-')
				fail_msg("'%s': expected '-' at %d", id, i);
		} else if (!is_lower_hex(id[i])) {
			fail_msg("'%s': expected a lowercase hex digit at %d", id, i);
		}
	}
	/* RFC 4122: version 4 (random), variant 10xx. */
	assert_int_equal(id[14], '4');
	assert_non_null(strchr("89ab", id[19]));
}

static void test_boot_id_format(void **state)
{
	(void)state;
	char id[37];
	/* Repeat so that random bytes exercise the version/variant masks. */
	for (int i = 0; i < 64; i++) {
		memset(id, 'X', sizeof(id));
		assert_int_equal(ds_boot_id_generate(id), 0);
		check_format(id);
	}
}

static void test_boot_id_unique(void **state)
{
	(void)state;
	char a[37], b[37];
	assert_int_equal(ds_boot_id_generate(a), 0);
	assert_int_equal(ds_boot_id_generate(b), 0);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_id_format),
		cmocka_unit_test(test_boot_id_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
