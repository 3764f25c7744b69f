/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/util/osrelease.c: os-release parsing, naming and reading. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/state.h"
#include "util/osrelease.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"
#include "putfile.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static void mkdirs(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/", dir, rel);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
}

static void put_link(const char *dir, const char *rel, const char *target)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void parse(const char *text, struct ds_osrelease *os)
{
	memset(os, 0x5a, sizeof(*os)); /* garbage first: parse must clear everything */
	ds_osrelease_parse(text, os);
}

static const char *name_of(const char *id, const char *version)
{
	static char out[DS_NAME_MAX + 1];
	struct ds_osrelease os;
	memset(&os, 0, sizeof(os));
	snprintf(os.id, sizeof(os.id), "%s", id);
	snprintf(os.version_id, sizeof(os.version_id), "%s", version);
	ds_osrelease_name(&os, out, sizeof(out));
	return out;
}

/* ---- ds_osrelease_parse ------------------------------------------------------------------ */

static void test_osrelease_parse_basic(void **state)
{
	(void)state;
	struct ds_osrelease os;
	parse("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	      "NAME=\"Debian GNU/Linux\"\n"
	      "VERSION_ID=\"12\"\n"
	      "VERSION=\"12 (bookworm)\"\n"
	      "ID=debian\n"
	      "HOME_URL=\"https://www.debian.org/\"\n",
	      &os);
	assert_string_equal(os.id, "debian");
	assert_string_equal(os.version_id, "12");
	assert_string_equal(os.pretty_name, "Debian GNU/Linux 12 (bookworm)");
}

static void test_osrelease_parse_quotes_and_escapes(void **state)
{
	(void)state;
	struct ds_osrelease os;
	parse("ID='arch'\nVERSION_ID=\"\"\nPRETTY_NAME=\"a \\\"b\\\" \\\\ c \\$d \\`e\\`\"\n", &os);
	assert_string_equal(os.id, "arch");
	assert_string_equal(os.version_id, "");
	assert_string_equal(os.pretty_name, "a \"b\" \\ c $d `e`");

	/* No escapes inside single quotes; other backslashes are kept as they are. */
	parse("PRETTY_NAME='x \\\" y'\nID=\"n\\nl\"\n", &os);
	assert_string_equal(os.pretty_name, "x \\\" y");
	assert_string_equal(os.id, "n\\nl");

	/* Quoted spaces, tabs and '#' are part of the value. */
	parse("PRETTY_NAME=\"has # hash\tand tab\"\n", &os);
	assert_string_equal(os.pretty_name, "has # hash\tand tab");
}

static void test_osrelease_parse_comments_and_blanks(void **state)
{
	(void)state;
	struct ds_osrelease os;
	parse("# ID=commented\n"
	      "\n"
	      "   \n"
	      "\t# indented comment\n"
	      "ID=real # trailing comment\n"
	      "  VERSION_ID=1.2\t\n"
	      "export PRETTY_NAME=\"Exported\"\n",
	      &os);
	assert_string_equal(os.id, "real");
	assert_string_equal(os.version_id, "1.2");
	assert_string_equal(os.pretty_name, "Exported");
}

static void test_osrelease_parse_missing_and_invalid(void **state)
{
	(void)state;
	struct ds_osrelease os;
	parse("", &os);
	assert_string_equal(os.id, "");
	assert_string_equal(os.version_id, "");
	assert_string_equal(os.pretty_name, "");

	parse("NAME=Only\nVERSION=1\n", &os);
	assert_string_equal(os.id, "");
	assert_string_equal(os.version_id, "");
	assert_string_equal(os.pretty_name, "");

	/* Bad lines are skipped, the good ones around them still count. */
	parse("ID=\"unterminated\n"
	      "VERSION_ID=1\n"
	      "ID = spaced\n"
	      "1ID=digit\n"
	      "ID=two words\n"
	      "garbage\n"
	      "PRETTY_NAME='open\n",
	      &os);
	assert_string_equal(os.id, "");
	assert_string_equal(os.version_id, "1");
	assert_string_equal(os.pretty_name, "");

	/* Keys are case-sensitive and must match whole. */
	parse("id=lower\nIDX=longer\nMY_ID=other\n", &os);
	assert_string_equal(os.id, "");
}

static void test_osrelease_parse_last_wins_crlf_no_newline(void **state)
{
	(void)state;
	struct ds_osrelease os;
	parse("ID=first\nID=second\n", &os);
	assert_string_equal(os.id, "second");
	parse("ID=crlf\r\nVERSION_ID=\"7\"\r\n", &os);
	assert_string_equal(os.id, "crlf");
	assert_string_equal(os.version_id, "7");
	parse("VERSION_ID=3\nID=nonl", &os);
	assert_string_equal(os.id, "nonl");
	assert_string_equal(os.version_id, "3");
}

static void test_osrelease_parse_long(void **state)
{
	(void)state;
	struct ds_osrelease os;
	size_t big = 20000;
	char *text = malloc(big + 64);
	assert_non_null(text);

	/* A huge line is skipped whole; the keys after it are read. */
	memcpy(text, "PRETTY_NAME=\"", 13);
	memset(text + 13, 'x', big);
	strcpy(text + 13 + big, "\"\nID=after\n");
	parse(text, &os);
	assert_string_equal(os.id, "after");
	assert_string_equal(os.pretty_name, "");

	/* A huge ID is not truncated into a value. */
	memcpy(text, "ID=", 3);
	memset(text + 3, 'a', big);
	strcpy(text + 3 + big, "\nVERSION_ID=2\n");
	parse(text, &os);
	assert_string_equal(os.id, "");
	assert_string_equal(os.version_id, "2");

	/* Longer than the fields but a normal line: cut to the field, NUL-terminated. */
	memcpy(text, "ID=", 3);
	memset(text + 3, 'b', 100);
	memcpy(text + 103, "\nPRETTY_NAME=", 13);
	memset(text + 116, 'p', 600);
	strcpy(text + 716, "\n");
	parse(text, &os);
	assert_int_equal(strlen(os.id), sizeof(os.id) - 1);
	assert_int_equal(strspn(os.id, "b"), sizeof(os.id) - 1);
	assert_int_equal(strlen(os.pretty_name), sizeof(os.pretty_name) - 1);
	free(text);
}

static void test_osrelease_parse_binary(void **state)
{
	(void)state;
	struct ds_osrelease os;
	parse("\x01\x02\xff\xfe\n=\n==\n\"\n'\nID=\"we\xffi\x01rd\"\n\x7f\x80VERSION_ID=x\n", &os);
	assert_string_equal(os.id, "we\xffi\x01rd"); /* kept raw here; naming filters it */
	assert_string_equal(os.version_id, "");
}

/* ---- ds_osrelease_name ------------------------------------------------------------------- */

static void test_osrelease_name_common(void **state)
{
	(void)state;
	assert_string_equal(name_of("debian", "12"), "debian-12");
	assert_string_equal(name_of("ubuntu", "24.04"), "ubuntu-24.04");
	assert_string_equal(name_of("busybox", "1"), "busybox-1");
	assert_string_equal(name_of("opensuse-tumbleweed", "20240101"), "opensuse-tumbleweed-20240101");
	assert_string_equal(name_of("alpine", ""), "alpine");
	assert_string_equal(name_of("my_os", "1"), "my_os-1");
}

static void test_osrelease_name_fallbacks(void **state)
{
	(void)state;
	assert_string_equal(name_of("", ""), "linux");
	assert_string_equal(name_of("", "12"), "linux");
	assert_string_equal(name_of("!!!", "5"), "linux"); /* nothing usable in ID */
	assert_string_equal(name_of("\xc3\xbc", "1"), "linux");
	assert_string_equal(name_of(".", ""), "linux");
	assert_string_equal(name_of("..", ""), "linux");
	assert_string_equal(name_of("...", ""), "linux");
	assert_string_equal(name_of("a", "!!!"), "a"); /* nothing usable in VERSION_ID */
	assert_string_equal(name_of("a", "/"), "a");
}

static void test_osrelease_name_weird_chars(void **state)
{
	(void)state;
	assert_string_equal(name_of("Fancy OS!", "2024 LTS"), "FancyOS-2024LTS");
	assert_string_equal(name_of("../../etc", "1/2"), "etc-12");
	assert_string_equal(name_of("deb/../ian", "1"), "deb..ian-1");
	assert_string_equal(name_of("...x", "1"), "x-1");
	assert_string_equal(name_of("we\xffi\x01rd", "9\x7f"), "weird-9");
	assert_string_equal(name_of("caf\xc3\xa9", "\xe2\x82\xac"
						   "1"),
			    "caf-1");
	assert_string_equal(name_of("a\nb", "1\t2"), "ab-12");
	/* Every result is a valid container name. */
	const char *odd[][2] = {
		{ ".", "1" }, { "..", "1" },  { "-", "" },  { "-", "-" }, { ".-.", "." },
		{ "_", "_" }, { "..", ".." }, { "/", "/" }, { " ", " " }, { "\xff", "\xff" },
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		const char *n = name_of(odd[i][0], odd[i][1]);
		if (ds_name_validate(n) != 0)
			fail_msg("name_of(\"%s\", \"%s\") = \"%s\" is not a valid name", odd[i][0], odd[i][1], n);
	}
}

static void test_osrelease_name_long(void **state)
{
	(void)state;
	struct ds_osrelease os;
	char out[DS_NAME_MAX + 1];
	memset(&os, 0, sizeof(os));

	/* The longest ID: 63 characters, no room for "-VERSION" -> the ID alone. */
	memset(os.id, 'a', sizeof(os.id) - 1);
	snprintf(os.version_id, sizeof(os.version_id), "1");
	ds_osrelease_name(&os, out, sizeof(out));
	assert_int_equal(strlen(out), 63);
	assert_int_equal(strspn(out, "a"), 63);
	assert_int_equal(ds_name_validate(out), 0);

	/* ID of 60: "-" and the version cut so that the name has at most 64. */
	memset(&os, 0, sizeof(os));
	memset(os.id, 'b', 60);
	snprintf(os.version_id, sizeof(os.version_id), "123456789");
	ds_osrelease_name(&os, out, sizeof(out));
	assert_true(strlen(out) <= DS_NAME_MAX);
	assert_int_equal(strncmp(out, "bbbbbbbbbb", 10), 0);
	assert_int_equal(strncmp(out + 60, "-12", 3), 0);
	assert_int_equal(ds_name_validate(out), 0);

	/* Full fields of junk and of good characters. */
	memset(&os, 0, sizeof(os));
	memset(os.id, 'c', sizeof(os.id) - 1);
	memset(os.version_id, '9', sizeof(os.version_id) - 1);
	ds_osrelease_name(&os, out, sizeof(out));
	assert_true(strlen(out) >= 1 && strlen(out) <= DS_NAME_MAX);
	assert_int_equal(ds_name_validate(out), 0);

	/* A small output buffer is never overrun and stays NUL-terminated. */
	char small[8];
	memset(small, '#', sizeof(small));
	ds_osrelease_name(&((struct ds_osrelease){ .id = "debian", .version_id = "12" }), small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(strncmp(small, "debian-12", sizeof(small) - 1), 0);
}

/* ---- ds_osrelease_read ------------------------------------------------------------------- */

static void test_osrelease_read_etc_and_fallback(void **state)
{
	const char *root = *state;
	struct ds_osrelease os;

	assert_int_equal(ds_osrelease_read(root, &os), -ENOENT);
	assert_string_equal(os.id, "");

	put_text(root, "usr/lib/os-release", "ID=fallback\nVERSION_ID=2\n");
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "fallback");
	assert_string_equal(os.version_id, "2");

	put_text(root, "etc/os-release", "ID=etc\nPRETTY_NAME=\"Etc OS\"\n");
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "etc");
	assert_string_equal(os.version_id, ""); /* etc wins whole; no mixing with usr/lib */
	assert_string_equal(os.pretty_name, "Etc OS");
}

static void test_osrelease_read_symlinks_stay_inside(void **state)
{
	const char *root = *state;
	char host_file[PATH_MAX], target[PATH_MAX + 8];
	struct ds_osrelease os;

	/* A file outside the rootfs, named by an absolute symlink inside it. */
	snprintf(host_file, sizeof(host_file), "%s/outside", root);
	put_text(root, "outside", "ID=leaked\n");
	mkdirs(root, "r/etc");
	char r[PATH_MAX];
	snprintf(r, sizeof(r), "%s/r", root);
	put_link(r, "etc/os-release", host_file);
	assert_int_equal(ds_osrelease_read(r, &os), -ENOENT);
	assert_string_equal(os.id, "");

	/* ... and by a relative one that climbs out. */
	unlink(strcat(strcpy(target, r), "/etc/os-release"));
	put_link(r, "etc/os-release", "../../outside");
	assert_int_equal(ds_osrelease_read(r, &os), -ENOENT);
	assert_string_equal(os.id, "");

	/* Absolute symlinks restart at the rootfs: the Debian layout and its absolute twin. */
	put_text(r, "usr/lib/os-release", "ID=inside\nVERSION_ID=3\n");
	unlink(target);
	put_link(r, "etc/os-release", "../usr/lib/os-release");
	assert_int_equal(ds_osrelease_read(r, &os), 0);
	assert_string_equal(os.id, "inside");
	unlink(target);
	put_link(r, "etc/os-release", "/usr/lib/os-release");
	assert_int_equal(ds_osrelease_read(r, &os), 0);
	assert_string_equal(os.id, "inside");
	unlink(target);
	put_link(r, "etc/os-release", "../../../../../../../../usr/lib/os-release");
	assert_int_equal(ds_osrelease_read(r, &os), 0);
	assert_string_equal(os.id, "inside");

	/* The host's own /etc/os-release: inside the rootfs a loop, so the fallback. */
	unlink(target);
	put_link(r, "etc/os-release", "/etc/os-release");
	assert_int_equal(ds_osrelease_read(r, &os), 0);
	assert_string_equal(os.id, "inside");

	/* A dangling symlink and a symlink loop: the fallback too. */
	unlink(target);
	put_link(r, "etc/os-release", "/nonexistent/os-release");
	assert_int_equal(ds_osrelease_read(r, &os), 0);
	assert_string_equal(os.id, "inside");
	unlink(target);
	put_link(r, "etc/os-release", "loop");
	put_link(r, "etc/loop", "os-release");
	assert_int_equal(ds_osrelease_read(r, &os), 0);
	assert_string_equal(os.id, "inside");

	/* A symlinked directory on the way resolves inside too. */
	unlink(target);
	put_link(r, "etc/os-release", "/lib/os-release");
	put_link(r, "lib", "usr/lib");
	assert_int_equal(ds_osrelease_read(r, &os), 0);
	assert_string_equal(os.id, "inside");
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "ds_osrelease_read hung\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
	}
	_exit(99);
}

static void test_osrelease_read_not_regular(void **state)
{
	const char *root = *state;
	char path[PATH_MAX];
	struct ds_osrelease os;
	signal(SIGALRM, on_alarm);
	alarm(10);

	/* A FIFO with no writer must not block. */
	mkdirs(root, "etc");
	snprintf(path, sizeof(path), "%s/etc/os-release", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(ds_osrelease_read(root, &os), -ENOENT);
	put_text(root, "usr/lib/os-release", "ID=fromlib\n");
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "fromlib");

	/* A directory, and a symlink to a FIFO. */
	unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "fromlib");
	rmdir(path);
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof(fifo), "%s/etc/fifo", root);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	put_link(root, "etc/os-release", "/etc/fifo");
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "fromlib");

	/* /dev/zero-like endless files are not followed out of the tree. */
	unlink(path);
	put_link(root, "etc/os-release", "/dev/zero");
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "fromlib");

	alarm(0);
	signal(SIGALRM, SIG_DFL);
}

static void test_osrelease_read_big_and_binary(void **state)
{
	const char *root = *state;
	struct ds_osrelease os;

	/* Only the first 64 KiB are read. */
	size_t big = 70000;
	char *text = malloc(big + 64);
	assert_non_null(text);
	strcpy(text, "ID=big\n#");
	memset(text + 8, 'c', big);
	strcpy(text + 8 + big, "\nVERSION_ID=9\n");
	put_text(root, "etc/os-release", text);
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "big");
	assert_string_equal(os.version_id, "");
	free(text);

	/* Binary: the text ends at the first NUL. */
	static const char bin[] = "ID=bin\nVERSION_ID=2\n\0ID=after\n\xff\xfe";
	put_file(root, "etc/os-release", bin, sizeof(bin) - 1);
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "bin");
	assert_string_equal(os.version_id, "2");

	/* Empty: found, nothing in it. */
	put_file(root, "etc/os-release", "", 0);
	assert_int_equal(ds_osrelease_read(root, &os), 0);
	assert_string_equal(os.id, "");

	/* A root that does not exist. */
	char missing[PATH_MAX];
	snprintf(missing, sizeof(missing), "%s/no/such/root", root);
	assert_int_equal(ds_osrelease_read(missing, &os), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osrelease_parse_basic),
		cmocka_unit_test(test_osrelease_parse_quotes_and_escapes),
		cmocka_unit_test(test_osrelease_parse_comments_and_blanks),
		cmocka_unit_test(test_osrelease_parse_missing_and_invalid),
		cmocka_unit_test(test_osrelease_parse_last_wins_crlf_no_newline),
		cmocka_unit_test(test_osrelease_parse_long),
		cmocka_unit_test(test_osrelease_parse_binary),
		cmocka_unit_test(test_osrelease_name_common),
		cmocka_unit_test(test_osrelease_name_fallbacks),
		cmocka_unit_test(test_osrelease_name_weird_chars),
		cmocka_unit_test(test_osrelease_name_long),
		cmocka_unit_test_setup_teardown(test_osrelease_read_etc_and_fallback, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_osrelease_read_symlinks_stay_inside, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_osrelease_read_not_regular, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_osrelease_read_big_and_binary, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
