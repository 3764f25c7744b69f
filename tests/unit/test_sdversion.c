/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/util/sdversion.c: the version in a library's name, and a fake rootfs's systemd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/sdversion.h"
#include "putfile.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_from_name(void **state)
{
	(void)state;
	assert_int_equal(ds_sdversion_from_name("libsystemd-shared-257.so"), 257);
	assert_int_equal(ds_sdversion_from_name("libsystemd-shared-252.so"), 252);
	/* Fedora's and Arch's tags after the number */
	assert_int_equal(ds_sdversion_from_name("libsystemd-shared-255.10-3.fc40.so"), 255);
	assert_int_equal(ds_sdversion_from_name("libsystemd-shared-256.7-1.so"), 256);
	assert_int_equal(ds_sdversion_from_name("libsystemd-shared-99999.so"), 99999);
	static const char *const bad[] = {
		"libsystemd-core-257.so",
		"libsystemd-shared-.so",
		"libsystemd-shared-257",
		"libsystemd-shared-257.so.1",
		"libsystemd-shared-0.so",
		"libsystemd-shared-100000.so",
		"libsystemd-shared-257x.so",
		"libsystemd-shared-257.s",
		"libsystemd-shared-2570000000000000000000.so",
		"libsystemd-shared",
		"",
		"xlibsystemd-shared-257.so",
		"libsystemd-shared--257.so",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(ds_sdversion_from_name(bad[i]), 0);
	}
}

static void link_at(const char *dir, const char *target, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

static int version_of(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	int v = ds_sdversion_of_root(fd);
	close(fd);
	return v;
}

/* Debian's layout (bookworm and trixie): /lib and /sbin into /usr, the library in the multiarch dir. */
static void test_debian_layout(void **state)
{
	const char *root = *state;
	put_text(root, "usr/sbin/.keep", "");
	put_text(root, "usr/lib/systemd/systemd", "");
	put_text(root, "usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-257.so", "");
	put_text(root, "usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-257.so", "");
	link_at(root, "usr/lib", "lib");
	link_at(root, "usr/sbin", "sbin");
	/* absolute: resolved inside the root, not on the host */
	link_at(root, "/lib/systemd/systemd", "usr/sbin/init");
	assert_int_equal(version_of(root), 257);
	/* init is another program beside systemd: not a systemd guest */
	link_at(root, "/usr/sbin/openrc-init", "usr/sbin/init");
	put_text(root, "usr/sbin/openrc-init", "");
	assert_int_equal(version_of(root), 0);
	/* a copy of systemd's binary is not systemd's binary */
	char init[PATH_MAX];
	snprintf(init, sizeof(init), "%s/usr/sbin/init", root);
	assert_int_equal(unlink(init), 0);
	put_text(root, "usr/sbin/init", "");
	assert_int_equal(version_of(root), 0);
}

/* Fedora's and Arch's: /usr/lib/systemd holds the library; a dangling or missing init. */
static void test_usr_lib_layout(void **state)
{
	const char *root = *state;
	put_text(root, "usr/lib/systemd/systemd", "");
	put_text(root, "usr/lib/systemd/libsystemd-shared-255.10-3.fc40.so", "");
	put_text(root, "sbin/.keep", "");
	assert_int_equal(version_of(root), 0);
	link_at(root, "../usr/lib/systemd/systemd", "sbin/init");
	assert_int_equal(version_of(root), 255);
	link_at(root, "/nonexistent", "sbin/init");
	assert_int_equal(version_of(root), 0);
	/* systemd without its library: no version to tell */
	link_at(root, "/usr/lib/systemd/systemd", "sbin/init");
	char lib[PATH_MAX];
	snprintf(lib, sizeof(lib), "%s/usr/lib/systemd/libsystemd-shared-255.10-3.fc40.so", root);
	assert_int_equal(unlink(lib), 0);
	assert_int_equal(version_of(root), 0);
}

/* A library found through a link that leaves the root is looked up inside it. */
static void test_links_stay_inside(void **state)
{
	const char *root = *state;
	put_text(root, "usr/lib/systemd/systemd", "");
	put_text(root, "sbin/.keep", "");
	link_at(root, "/usr/lib/systemd/systemd", "sbin/init");
	put_text(root, "usr/lib/aarch64-linux-gnu/.keep", "");
	/* the host's own /usr/lib/x86_64-linux-gnu/systemd may hold a library: never read */
	link_at(root, "/../../../../usr/lib/x86_64-linux-gnu/systemd", "usr/lib/aarch64-linux-gnu/systemd");
	assert_int_equal(version_of(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_name),
		cmocka_unit_test_setup_teardown(test_debian_layout, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_usr_lib_layout, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_links_stay_inside, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
