/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/userns.c: --private-users's value, the range registry and the allocator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/settings.h"
#include "core/state.h"
#include "core/userns.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tmpdir.h"
#include "putfile.h"

static void test_parse(void **state)
{
	(void)state;
	struct ds_userns u;
	char text[32];
	assert_null(ds_userns_parse("", &u));
	assert_int_equal(u.mode, DS_USERNS_AUTO);
	assert_int_equal(u.size, DS_USERNS_SIZE);
	assert_null(ds_userns_parse("auto", &u));
	assert_int_equal(u.mode, DS_USERNS_AUTO);
	assert_null(ds_userns_parse("no", &u));
	assert_int_equal(u.mode, DS_USERNS_OFF);
	assert_null(ds_userns_parse("524288", &u));
	assert_int_equal(u.mode, DS_USERNS_FIXED);
	assert_int_equal(u.base, 524288);
	assert_int_equal(u.size, 65536);
	assert_null(ds_userns_parse("65536:1000", &u));
	assert_int_equal(u.base, 65536);
	assert_int_equal(u.size, 1000);
	ds_userns_format(&u, text, sizeof(text));
	assert_string_equal(text, "65536:1000");
	/* the last id (4294967295) is no id: a range may end just before it */
	assert_null(ds_userns_parse("4294901759:65536", &u));
	static const char *const bad[] = { "0",
					   "65535",
					   "100:65536",
					   "abc",
					   "524288:",
					   ":10",
					   "524288:0",
					   "-1",
					   "524288:-5",
					   "99999999999",
					   "1e6",
					   " 524288",
					   "524288 ",
					   "4294901760:65536",
					   "524288:4294967295",
					   "AUTO" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u.mode = 42;
		assert_non_null(ds_userns_parse(bad[i], &u));
		assert_int_equal(u.mode, 42); /* untouched */
	}
}

static void test_registry_parse(void **state)
{
	(void)state;
	struct ds_userns_entry e[4];
	int bad = 0;
	static const char ok[] = "# comment\n524288 65536 deb\n\n589824 65536 alp.ine_1\n";
	assert_int_equal(ds_userns_registry_parse(ok, strlen(ok), e, 4, &bad), 2);
	assert_int_equal(e[0].base, 524288);
	assert_string_equal(e[1].name, "alp.ine_1");
	/* no final newline, and the length, not a terminator, ends it */
	assert_int_equal(ds_userns_registry_parse("524288 65536 debXXX", 16, e, 4, &bad), 1);
	assert_string_equal(e[0].name, "deb");
	static const struct {
		const char *text;
		int line;
	} damaged[] = {
		{ "524288 65536\n", 1 },
		{ "524288  65536 deb\n", 1 },
		{ "x 65536 deb\n", 1 },
		{ "524288 65536 de/b\n", 1 },
		{ "524288 65536 ..\n", 1 },
		{ "100 65536 deb\n", 1 },
		{ "524288 0 deb\n", 1 },
		{ "524288 65536 deb\n524288 65536 deb2\n", 2 }, /* the same ids twice */
		{ "524288 65536 deb\n589824 65536 deb\n", 2 },  /* one name twice */
		{ "524288 65536 deb\n589823 10 other\n", 2 },   /* overlapping the end */
		{ "a\n524288 65536 deb\n", 1 },
	};
	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		bad = 0;
		assert_int_equal(ds_userns_registry_parse(damaged[i].text, strlen(damaged[i].text), e, 4, &bad),
				 -EBADMSG);
		assert_int_equal(bad, damaged[i].line);
	}
	/* more entries than room: refused, never cut short */
	static const char five[] = "65536 1 a\n65537 1 b\n65538 1 c\n65539 1 d\n65540 1 e\n";
	assert_int_equal(ds_userns_registry_parse(five, strlen(five), e, 4, &bad), -EBADMSG);
	assert_int_equal(bad, 5);
	/* round trip */
	char text[512];
	assert_int_equal(ds_userns_registry_parse(ok, strlen(ok), e, 4, &bad), 2);
	assert_int_equal(ds_userns_registry_format(e, 2, text, sizeof(text)), 0);
	struct ds_userns_entry again[4];
	assert_int_equal(ds_userns_registry_parse(text, strlen(text), again, 4, &bad), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(e[i].base, again[i].base);
		assert_int_equal(e[i].size, again[i].size);
		assert_string_equal(e[i].name, again[i].name);
	}
	assert_int_equal(ds_userns_registry_format(e, 2, text, 40), -ENAMETOOLONG);
}

static void test_pick(void **state)
{
	(void)state;
	struct ds_userns_entry e[3] = {
		{ DS_USERNS_FIRST, DS_USERNS_SIZE, "one" },
		{ DS_USERNS_FIRST + 2 * DS_USERNS_SIZE + 5, 10, "odd" },
	};
	const char *other = NULL;
	struct ds_userns u = { .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	/* the lowest free step: the second is free, the third is hit by "odd" */
	assert_int_equal(ds_userns_pick(e, 2, "new", &u, &other), 0);
	assert_int_equal(u.mode, DS_USERNS_FIXED);
	assert_int_equal(u.base, DS_USERNS_FIRST + DS_USERNS_SIZE);
	e[2] = (struct ds_userns_entry){ u.base, u.size, "new" };
	u = (struct ds_userns){ .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	assert_int_equal(ds_userns_pick(e, 3, "newer", &u, &other), 0);
	assert_int_equal(u.base, DS_USERNS_FIRST + 3 * DS_USERNS_SIZE); /* past "odd", on a step */
	/* auto for a name with an entry: its own range again */
	u = (struct ds_userns){ .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	assert_int_equal(ds_userns_pick(e, 3, "odd", &u, &other), 0);
	assert_int_equal(u.base, DS_USERNS_FIRST + 2 * DS_USERNS_SIZE + 5);
	assert_int_equal(u.size, 10);
	/* fixed: free, its own, or another's */
	u = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = 100000, .size = 65536 };
	assert_int_equal(ds_userns_pick(e, 3, "x", &u, &other), 0);
	u = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = DS_USERNS_FIRST, .size = 65536 };
	assert_int_equal(ds_userns_pick(e, 3, "one", &u, &other), 0);
	assert_int_equal(ds_userns_pick(e, 3, "x", &u, &other), -EBUSY);
	assert_string_equal(other, "one");
	u = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = DS_USERNS_FIRST - 1, .size = 2 };
	assert_int_equal(ds_userns_pick(e, 3, "x", &u, &other), -EBUSY);
	/* everything taken: ENOSPC */
	struct ds_userns_entry all = { DS_USERNS_FIRST, DS_USERNS_LAST - DS_USERNS_FIRST + 1, "all" };
	u = (struct ds_userns){ .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	assert_int_equal(ds_userns_pick(&all, 1, "x", &u, &other), -ENOSPC);
}

/* claim, unclaim and release against a registry file in a workspace of the test's own */
static void test_claim(void **state)
{
	struct ds_config cfg;
	struct ds_userns_claim c1, c2;
	struct ds_error err = { 0 };
	char path[PATH_MAX], text[256];
	ds_config_init(&cfg);
	snprintf(cfg.workspace, sizeof(cfg.workspace), "%s", (const char *)*state);
	snprintf(path, sizeof(path), "%s/userns.ranges", cfg.workspace);

	snprintf(cfg.container_name, sizeof(cfg.container_name), "a");
	cfg.settings.userns = (struct ds_userns){ .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	assert_int_equal(ds_userns_claim(&cfg, &c1, &err), 0);
	assert_int_equal(cfg.settings.userns.mode, DS_USERNS_FIXED);
	assert_int_equal(cfg.settings.userns.base, DS_USERNS_FIRST);
	assert_true(c1.changed);
	/* again: the same range, nothing written */
	cfg.settings.userns = (struct ds_userns){ .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	assert_int_equal(ds_userns_claim(&cfg, &c2, &err), 0);
	assert_int_equal(cfg.settings.userns.base, DS_USERNS_FIRST);
	assert_false(c2.changed);

	snprintf(cfg.container_name, sizeof(cfg.container_name), "b");
	cfg.settings.userns = (struct ds_userns){ .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	assert_int_equal(ds_userns_claim(&cfg, &c2, &err), 0);
	assert_int_equal(cfg.settings.userns.base, DS_USERNS_FIRST + DS_USERNS_SIZE);
	/* b's failed start: its entry goes */
	ds_userns_unclaim(&cfg, &c2);
	assert_true(ds_read_file(path, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, " a\n"));
	assert_null(strstr(text, " b\n"));
	/* a fixed range over a's is refused with a's name */
	cfg.settings.userns = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = DS_USERNS_FIRST + 5, .size = 10 };
	assert_int_equal(ds_userns_claim(&cfg, &c2, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "container a"));
	/* remove of a: free again */
	assert_int_equal(ds_userns_release(cfg.workspace, "a"), 0);
	assert_int_equal(ds_userns_claim(&cfg, &c2, &err), 0);
	assert_int_equal(cfg.settings.userns.base, DS_USERNS_FIRST + 5);
	/* a damaged registry fails closed, naming its line */
	err = (struct ds_error){ 0 };
	put_text(cfg.workspace, "userns.ranges", "524288 65536 a\nrubbish\n");
	cfg.settings.userns = (struct ds_userns){ .mode = DS_USERNS_AUTO, .size = DS_USERNS_SIZE };
	assert_int_equal(ds_userns_claim(&cfg, &c2, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "line 2"));
	ds_settings_free(&cfg.settings);
}

/* --private-users-ownership and the saved record of a shift (private_users_shift). */
static void test_shift_record(void **state)
{
	(void)state;
	struct ds_userns_shift r;
	char text[64];
	int own = -1;
	assert_null(ds_userns_ownership_parse("chown", &own));
	assert_int_equal(own, DS_OWN_CHOWN);
	assert_null(ds_userns_ownership_parse("map", &own));
	assert_int_equal(own, DS_OWN_MAP);
	assert_null(ds_userns_ownership_parse("auto", &own));
	assert_int_equal(own, DS_OWN_AUTO);
	assert_non_null(ds_userns_ownership_parse("idmap", &own));
	assert_non_null(ds_userns_ownership_parse("", &own));
	assert_null(ds_userns_shift_parse("524288:65536", &r));
	assert_int_equal(r.state, DS_SHIFT_SHIFTED);
	assert_int_equal(r.base, 524288);
	assert_int_equal(r.size, 65536);
	ds_userns_shift_format(&r, text, sizeof(text));
	assert_string_equal(text, "524288:65536");
	assert_null(ds_userns_shift_parse("shifting:0:524288:65536", &r));
	assert_int_equal(r.state, DS_SHIFT_SHIFTING);
	assert_int_equal(r.from, 0);
	ds_userns_shift_format(&r, text, sizeof(text));
	assert_string_equal(text, "shifting:0:524288:65536");
	assert_null(ds_userns_shift_parse("shifting:524288:655360:65536", &r));
	assert_int_equal(r.from, 524288);
	assert_int_equal(r.base, 655360);
	assert_null(ds_userns_shift_parse("shifting:524288:0:65536", &r)); /* back to the rootfs's own */
	assert_int_equal(r.base, 0);
	ds_userns_shift_format(&r, text, sizeof(text));
	assert_string_equal(text, "shifting:524288:0:65536");
	static const char *const bad[] = { "",
					   "524288",
					   "524288:",
					   ":65536",
					   "100:65536",
					   "524288:0",
					   "shifting:0:524288",
					   "shifting:5:524288:65536",
					   "shifting::524288:65536",
					   "524288:65536:1",
					   "shifted:524288:65536",
					   "524288:65536x",
					   "4294901760:65536" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_non_null(ds_userns_shift_parse(bad[i], &r));
	r = (struct ds_userns_shift){ .state = DS_SHIFT_NONE };
	ds_userns_shift_format(&r, text, sizeof(text));
	assert_string_equal(text, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_shift_record),
		cmocka_unit_test(test_registry_parse),
		cmocka_unit_test(test_pick),
		cmocka_unit_test_setup_teardown(test_claim, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
