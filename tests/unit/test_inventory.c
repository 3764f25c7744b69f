/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the inventory's building blocks: os-release parsing and
 * naming (src/util/osrelease.c), the JSON writer (src/util/json.c), the saved
 * settings file (src/core/saved.c) and KEY=VALUE lines (src/util/env.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/inventory.h"
#include "core/reap.h"
#include "core/saved.h"
#include "core/seccomp.h"
#include "core/state.h"
#include "core/validate.h"
#include "util/env.h"
#include "util/json.h"
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

/* ---- helpers ---------------------------------------------------------------------------- */

/* Writes len bytes of data to dir/rel, creating parent directories. */
static void put_file(const char *dir, const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put_text(const char *dir, const char *rel, const char *text)
{
	put_file(dir, rel, text, strlen(text));
}

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

/* Runs fn(j) against a memory stream and returns what it wrote (static buffer). */
static const char *json_of(void (*fn)(struct ds_json *j))
{
	static char *buf;
	size_t len = 0;
	free(buf);
	buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct ds_json j;
	ds_json_init(&j, f);
	fn(&j);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static const char *json_string_of(const char *s)
{
	static char *buf;
	size_t len = 0;
	free(buf);
	buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	ds_json_write_string(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
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
	assert_string_equal(name_of("!!!", "5"), "linux");   /* nothing usable in ID */
	assert_string_equal(name_of("\xc3\xbc", "1"), "linux");
	assert_string_equal(name_of(".", ""), "linux");
	assert_string_equal(name_of("..", ""), "linux");
	assert_string_equal(name_of("...", ""), "linux");
	assert_string_equal(name_of("a", "!!!"), "a");        /* nothing usable in VERSION_ID */
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
	assert_string_equal(name_of("caf\xc3\xa9", "\xe2\x82\xac" "1"), "caf-1");
	assert_string_equal(name_of("a\nb", "1\t2"), "ab-12");
	/* Every result is a valid container name. */
	const char *odd[][2] = {
		{ ".", "1" }, { "..", "1" }, { "-", "" }, { "-", "-" }, { ".-.", "." }, { "_", "_" },
		{ "..", ".." }, { "/", "/" }, { " ", " " }, { "\xff", "\xff" },
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

/* ---- ds_json ---------------------------------------------------------------------------- */

static void test_json_string_plain_and_escapes(void **state)
{
	(void)state;
	assert_string_equal(json_string_of(""), "\"\"");
	assert_string_equal(json_string_of("abc 123"), "\"abc 123\"");
	assert_string_equal(json_string_of("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
	assert_string_equal(json_string_of("\n\r\t"), "\"\\n\\r\\t\"");
	assert_string_equal(json_string_of("\x01\x08\x0c\x1f"), "\"\\u0001\\u0008\\u000c\\u001f\"");
	assert_string_equal(json_string_of("del\x7f"), "\"del\x7f\""); /* DEL needs no escape */
	assert_string_equal(json_string_of("\\\\\"\""), "\"\\\\\\\\\\\"\\\"\"");
}

static void test_json_string_utf8(void **state)
{
	(void)state;
	/* Valid 2-, 3- and 4-byte sequences pass through. */
	assert_string_equal(json_string_of("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	assert_string_equal(json_string_of("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	/* Invalid bytes become U+FFFD, one per byte that starts no valid sequence. */
	assert_string_equal(json_string_of("\xff"), "\"\\ufffd\"");
	assert_string_equal(json_string_of("a\x80" "b"), "\"a\\ufffdb\"");
	assert_string_equal(json_string_of("\xc3"), "\"\\ufffd\"");               /* cut at the end */
	assert_string_equal(json_string_of("\xe2\x82" "A"), "\"\\ufffd\\ufffdA\""); /* cut before ASCII */
	assert_string_equal(json_string_of("\xc0\xaf"), "\"\\ufffd\\ufffd\"");      /* overlong '/' */
	assert_string_equal(json_string_of("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(json_string_of("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	assert_string_equal(json_string_of("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	assert_string_equal(json_string_of("\xf8\x88\x80\x80\x80"),
			    "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(json_string_of("ok\xc3\xa9\xc3"), "\"ok\xc3\xa9\\ufffd\"");
}

static void build_nested(struct ds_json *j)
{
	ds_json_object_begin(j, NULL);
	ds_json_string(j, "a", "x");
	ds_json_int(j, "n", -5);
	ds_json_bool(j, "t", 1);
	ds_json_bool(j, "f", 0);
	ds_json_string(j, "z", NULL);
	ds_json_object_begin(j, "o");
	ds_json_int(j, "k", 1);
	ds_json_object_end(j);
	ds_json_array_begin(j, "arr");
	ds_json_object_begin(j, NULL);
	ds_json_int(j, "x", 1);
	ds_json_object_end(j);
	ds_json_object_begin(j, NULL);
	ds_json_string(j, "y", "2");
	ds_json_bool(j, "b", 7); /* any nonzero is true */
	ds_json_object_end(j);
	ds_json_array_end(j);
	ds_json_array_begin(j, "e");
	ds_json_array_end(j);
	ds_json_object_begin(j, "eo");
	ds_json_object_end(j);
	ds_json_int(j, "last", 0);
	ds_json_object_end(j);
}

static void test_json_nesting_commas(void **state)
{
	(void)state;
	assert_string_equal(json_of(build_nested),
			    "{\"a\":\"x\",\"n\":-5,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"k\":1},"
			    "\"arr\":[{\"x\":1},{\"y\":\"2\",\"b\":true}],\"e\":[],\"eo\":{},\"last\":0}\n");
}

static void build_array_top(struct ds_json *j)
{
	ds_json_array_begin(j, NULL);
	ds_json_int(j, NULL, 1);
	ds_json_string(j, NULL, "s");
	ds_json_bool(j, NULL, 0);
	ds_json_string(j, NULL, NULL);
	ds_json_array_begin(j, NULL);
	ds_json_array_begin(j, NULL);
	ds_json_array_end(j);
	ds_json_int(j, NULL, 2);
	ds_json_array_end(j);
	ds_json_int(j, NULL, 3);
	ds_json_array_end(j);
	/* a second document starts clean */
	ds_json_object_begin(j, NULL);
	ds_json_object_end(j);
}

static void test_json_arrays_and_documents(void **state)
{
	(void)state;
	assert_string_equal(json_of(build_array_top), "[1,\"s\",false,null,[[],2],3]\n{}\n");
}

static void build_keys_and_ints(struct ds_json *j)
{
	ds_json_object_begin(j, NULL);
	ds_json_int(j, "q\"k\\", LLONG_MAX);
	ds_json_int(j, "\n", LLONG_MIN);
	ds_json_string(j, "\xff", "\x01");
	ds_json_object_end(j);
}

static void test_json_keys_escaped_and_ints(void **state)
{
	(void)state;
	assert_string_equal(json_of(build_keys_and_ints),
			    "{\"q\\\"k\\\\\":9223372036854775807,\"\\n\":-9223372036854775808,"
			    "\"\\ufffd\":\"\\u0001\"}\n");
}

static void build_max_depth(struct ds_json *j)
{
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		ds_json_array_begin(j, NULL);
	ds_json_int(j, NULL, 1);
	ds_json_int(j, NULL, 2);
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		ds_json_array_end(j);
}

static void test_json_max_depth(void **state)
{
	(void)state;
	char want[2 * DS_JSON_MAX_DEPTH + 8];
	size_t p = 0;
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		want[p++] = '[';
	memcpy(want + p, "1,2", 3);
	p += 3;
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		want[p++] = ']';
	want[p++] = '\n';
	want[p] = '\0';
	assert_string_equal(json_of(build_max_depth), want);
}

/* ---- ds_saved ---------------------------------------------------------------------------- */

static struct ds_saved saved, saved2; /* large: not on the stack */
static char text[65536];

static int parse_cfg(const char *t, struct ds_error *err)
{
	memset(err, 0, sizeof(*err));
	return ds_saved_parse(t, &saved, err);
}

static void test_saved_render_defaults(void **state)
{
	(void)state;
	struct ds_config *cfg = &saved.cfg;
	ds_config_init(cfg);
	strcpy(cfg->rootfs_path, "/srv/r");
	strcpy(cfg->hostname, "h");
	assert_int_equal(ds_saved_render(cfg, NULL, text, sizeof(text)), 0);
	assert_string_equal(text, "# droidspaces container settings\n"
				  "rootfs=/srv/r\n"
				  "rootfs_img=\n"
				  "hostname=h\n"
				  "volatile=0\n"
				  "hw_access=0\n"
				  "enable_ipv6=0\n"
				  "android_storage=0\n"
				  "selinux_permissive=0\n"
				  "keep_caps=\n"
				  "privileged=\n"
				  "dns=\n"
				  "stop_timeout=8\n"
				  "ttys=0\n");
	/* Extra lines go at the end, verbatim. */
	assert_int_equal(ds_saved_render(cfg, "x=1\n", text, sizeof(text)), 0);
	size_t n = strlen(text);
	assert_string_equal(text + n - 4, "x=1\n");
}

static void fill_everything(struct ds_config *c)
{
	ds_config_init(c);
	strcpy(c->rootfs_path, "/data/rootfs with space");
	strcpy(c->rootfs_img_path, "/data/img=1.ext4");
	strcpy(c->hostname, "host-1.example");
	strcpy(c->dns, "1.1.1.1,2606:4700::1111");
	c->volatile_mode = 1;
	c->hw_access = 1;
	c->enable_ipv6 = 1;
	c->android_storage = 1;
	c->selinux_permissive = 1;
	c->keep_caps = (1ULL << 12) | (1ULL << 25) | (1ULL << 37); /* net_admin, sys_time, audit_read */
	c->privileged = DS_PRIV_ALL;
	c->stop_timeout = 3600;
	c->tty_count = DS_MAX_TTYS;
	strcpy(c->binds[0].src, "/host/a");
	strcpy(c->binds[0].dest, "/mnt/a");
	c->binds[0].read_only = 1;
	strcpy(c->binds[1].src, "/host/b#c");
	strcpy(c->binds[1].dest, "/mnt/b");
	c->bind_count = 2;
}

static void assert_same_settings(const struct ds_config *a, const struct ds_config *b)
{
	assert_string_equal(a->rootfs_path, b->rootfs_path);
	assert_string_equal(a->rootfs_img_path, b->rootfs_img_path);
	assert_string_equal(a->hostname, b->hostname);
	assert_string_equal(a->dns, b->dns);
	assert_int_equal(a->volatile_mode, b->volatile_mode);
	assert_int_equal(a->hw_access, b->hw_access);
	assert_int_equal(a->enable_ipv6, b->enable_ipv6);
	assert_int_equal(a->android_storage, b->android_storage);
	assert_int_equal(a->selinux_permissive, b->selinux_permissive);
	assert_true(a->keep_caps == b->keep_caps);
	assert_int_equal(a->privileged, b->privileged);
	assert_int_equal(a->stop_timeout, b->stop_timeout);
	assert_int_equal(a->tty_count, b->tty_count);
	assert_int_equal(a->bind_count, b->bind_count);
	for (int i = 0; i < a->bind_count; i++) {
		assert_string_equal(a->binds[i].src, b->binds[i].src);
		assert_string_equal(a->binds[i].dest, b->binds[i].dest);
		assert_int_equal(a->binds[i].read_only, b->binds[i].read_only);
	}
}

static void test_saved_round_trip(void **state)
{
	(void)state;
	static struct ds_config orig;
	struct ds_error err;
	fill_everything(&orig);
	const char *extra = "x_custom=hello world\nfuture.key=\n  spaced key = v\nk=v=w\n";
	assert_int_equal(ds_saved_render(&orig, extra, text, sizeof(text)), 0);
	assert_int_equal(parse_cfg(text, &err), 0);
	assert_same_settings(&orig, &saved.cfg);
	assert_string_equal(saved.extra, extra);

	/* And once more: render(parse(render(x))) == render(x). */
	static char again[65536];
	assert_int_equal(ds_saved_render(&saved.cfg, saved.extra, again, sizeof(again)), 0);
	assert_string_equal(again, text);
}

/* Whatever parses can be saved again: a value render refuses must be refused (or cleaned) by parse. */
static void test_saved_parsed_values_render(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"rootfs=/r\r\n",        /* a file saved with CRLF line ends */
		"rootfs_img=\r",
		"rootfs=/r\nrootfs_img=/i.img\r\nhostname=h\n",
		"unknown=x\r\n",
	};
	struct ds_error err;
	static char again[65536];
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (parse_cfg(texts[i], &err) < 0)
			continue; /* refusing is fine */
		int r = ds_saved_render(&saved.cfg, saved.extra, text, sizeof(text));
		if (r != 0)
			fail_msg("text %zu parses, but its settings do not render (%d)", i, r);
		assert_int_equal(ds_saved_parse(text, &saved2, &err), 0);
		assert_same_settings(&saved.cfg, &saved2.cfg);
		assert_int_equal(ds_saved_render(&saved2.cfg, saved2.extra, again, sizeof(again)), 0);
		assert_string_equal(again, text);
	}
}

static void test_saved_parse_unknown_comments_defaults(void **state)
{
	(void)state;
	struct ds_error err;
	assert_int_equal(parse_cfg("# comment\n"
				   "\n"
				   "hostname=box\n"
				   "Unknown_Key=Value With Spaces\n"
				   "# another\n"
				   "rootfs=/r\n"
				   "newer.version.key=1=2",
				   &err),
			 0);
	assert_string_equal(saved.cfg.hostname, "box");
	assert_string_equal(saved.cfg.rootfs_path, "/r");
	/* Unknown lines in order, each with its newline; comments dropped. */
	assert_string_equal(saved.extra, "Unknown_Key=Value With Spaces\nnewer.version.key=1=2\n");
	/* What the text leaves out keeps its default. */
	assert_int_equal(saved.cfg.stop_timeout, DS_STOP_TIMEOUT_DEFAULT);
	assert_int_equal(saved.cfg.tty_count, 0);
	assert_int_equal(saved.cfg.volatile_mode, 0);
	assert_int_equal(saved.cfg.bind_count, 0);
	assert_string_equal(saved.cfg.dns, "");

	/* Empty text: all defaults, nothing extra. */
	assert_int_equal(parse_cfg("", &err), 0);
	assert_string_equal(saved.extra, "");
	assert_string_equal(saved.cfg.rootfs_path, "");

	/* Empty values of string keys are allowed; several bind lines add up. */
	assert_int_equal(parse_cfg("hostname=\ndns=\nrootfs_img=\nbind=/a:/b\nbind=/c:/d:ro,/e:/f:rw\n", &err), 0);
	assert_string_equal(saved.cfg.hostname, "");
	assert_int_equal(saved.cfg.bind_count, 3);
	assert_int_equal(saved.cfg.binds[1].read_only, 1);
	assert_int_equal(saved.cfg.binds[2].read_only, 0);

	/* Limits that are valid. */
	assert_int_equal(parse_cfg("stop_timeout=1\nttys=6\nvolatile=1\n", &err), 0);
	assert_int_equal(saved.cfg.stop_timeout, 1);
	assert_int_equal(saved.cfg.tty_count, 6);
	assert_int_equal(parse_cfg("stop_timeout=3600\nttys=0\n", &err), 0);
	assert_int_equal(saved.cfg.stop_timeout, 3600);
}

static void test_saved_parse_blank_lines_with_spaces(void **state)
{
	(void)state;
	struct ds_error err;
	/* A hand-edited file: lines of blanks are as empty as empty lines. */
	assert_int_equal(parse_cfg("rootfs=/r\n   \n\t\nhostname=h\n", &err), 0);
	assert_string_equal(saved.cfg.hostname, "h");
	assert_string_equal(saved.extra, "");
}

/* keep_caps by name; keep_net_admin=1 of configs saved before 3.3 still keeps NET_ADMIN. */
static void test_saved_keep_caps(void **state)
{
	(void)state;
	struct ds_error err;
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_caps=sys_time,audit_read\n", &err), 0);
	assert_true(saved.cfg.keep_caps == ((1ULL << 25) | (1ULL << 37)));
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_net_admin=1\n", &err), 0);
	assert_true(saved.cfg.keep_caps == (1ULL << 12));
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_net_admin=0\nkeep_caps=\n", &err), 0);
	assert_true(saved.cfg.keep_caps == 0);
	/* and it renders under the new key only */
	assert_int_equal(parse_cfg("rootfs=/r\nkeep_net_admin=1\n", &err), 0);
	assert_int_equal(ds_saved_render(&saved.cfg, "", text, sizeof(text)), 0);
	assert_non_null(strstr(text, "\nkeep_caps=net_admin\n"));
	assert_null(strstr(text, "keep_net_admin"));
}

static void test_saved_parse_bad_values(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"volatile=2",        "volatile=yes",     "volatile=",          "hw_access=01",
		"enable_ipv6=true",  "android_storage=-1", "selinux_permissive= 1",
		"stop_timeout=0",    "stop_timeout=3601", "stop_timeout=abc",  "stop_timeout=5x",
		"stop_timeout=",     "stop_timeout=99999999999999999999",  "stop_timeout=-8",
		"ttys=7",            "ttys=-1",          "ttys=one",
		"hostname=bad/host", "hostname=-x",      "hostname=a b",       "hostname=.dot",
		"dns=not-an-ip",     "dns=1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5", "dns=1.1.1.1;rm",
		"bind=nocolon",      "bind=/a:relative", "bind=/a:/b:rx",      "bind=/a:/",
		"bind=/a/../b:/c",   "bind=/a:/b/../c",  "bind=",              "bind=:/b",
		"no equals sign",    "=value",           "   ",
		"keep_caps=sys_admin", "keep_caps=sys_time,,", "keep_net_admin=2",
	};
	struct ds_error err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (strcmp(bad[i], "   ") == 0)
			continue; /* blank: see test_saved_parse_blank_lines_with_spaces */
		char t[256];
		snprintf(t, sizeof(t), "rootfs=/r\n%s\nhostname=after\n", bad[i]);
		int r = parse_cfg(t, &err);
		if (r >= 0)
			fail_msg("'%s' was accepted", bad[i]);
		if (err.msg[0] == '\0')
			fail_msg("'%s' rejected without a message", bad[i]);
	}
	/* The message names the key, or the line. */
	assert_true(parse_cfg("stop_timeout=abc\n", &err) < 0);
	assert_non_null(strstr(err.msg, "stop_timeout"));
	assert_true(parse_cfg("rootfs=/r\n\nnot a setting\n", &err) < 0);
	assert_non_null(strstr(err.msg, "line 3"));
}

static void test_saved_parse_too_long(void **state)
{
	(void)state;
	struct ds_error err;
	static char t[3 * PATH_MAX];
	/* A rootfs path longer than PATH_MAX - 1. */
	strcpy(t, "rootfs=/");
	memset(t + 8, 'r', PATH_MAX);
	strcpy(t + 8 + PATH_MAX, "\n");
	assert_true(parse_cfg(t, &err) < 0);
	/* A line longer than any setting can be. */
	strcpy(t, "unknown=");
	memset(t + 8, 'u', sizeof(t) - 16);
	strcpy(t + sizeof(t) - 8, "\n");
	assert_true(parse_cfg(t, &err) < 0);
	/* More unknown lines than fit: refused, not silently dropped. */
	static char many[DS_CONFIG_EXTRA_MAX * 2];
	size_t p = 0;
	for (int i = 0; p + 40 < sizeof(many); i++)
		p += (size_t)snprintf(many + p, sizeof(many) - p, "unknown_key_%06d=some value\n", i);
	assert_true(parse_cfg(many, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown"));
}

static void test_saved_merge(void **state)
{
	(void)state;
	static struct ds_config cli, old;
	fill_everything(&old);
	old.stop_timeout = 30;
	old.tty_count = 2;

	/* Nothing on the command line: everything comes from the saved settings. */
	ds_config_init(&cli);
	ds_saved_merge(&cli, &old);
	assert_same_settings(&old, &cli);

	/* What the command line set wins. */
	ds_config_init(&cli);
	strcpy(cli.rootfs_path, "/cli/rootfs");
	strcpy(cli.hostname, "cli-host");
	strcpy(cli.dns, "9.9.9.9");
	cli.stop_timeout = 5;
	cli.stop_timeout_set = 1;
	cli.tty_count = 1;
	cli.tty_count_set = 1;
	strcpy(cli.binds[0].src, "/cli");
	strcpy(cli.binds[0].dest, "/c");
	cli.bind_count = 1;
	ds_saved_merge(&cli, &old);
	assert_string_equal(cli.rootfs_path, "/cli/rootfs");
	assert_string_equal(cli.rootfs_img_path, old.rootfs_img_path); /* unset: taken */
	assert_string_equal(cli.hostname, "cli-host");
	assert_string_equal(cli.dns, "9.9.9.9");
	assert_int_equal(cli.stop_timeout, 5);
	assert_int_equal(cli.tty_count, 1);
	assert_int_equal(cli.bind_count, 1);
	assert_string_equal(cli.binds[0].src, "/cli");
	/* Flags are on when either side has them on. */
	assert_int_equal(cli.volatile_mode, 1);
	assert_int_equal(cli.hw_access, 1);

	/* The saved side off, the command line on. */
	ds_config_init(&old);
	ds_config_init(&cli);
	cli.enable_ipv6 = 1;
	ds_saved_merge(&cli, &old);
	assert_int_equal(cli.enable_ipv6, 1);
	assert_int_equal(cli.volatile_mode, 0);
	assert_int_equal(cli.stop_timeout, DS_STOP_TIMEOUT_DEFAULT);
	/* Runtime fields are not touched. */
	assert_int_equal(cli.console.master, -1);
	assert_string_equal(cli.container_name, "");
}

static void test_saved_store_load(void **state)
{
	const char *dir = *state;
	static struct ds_config cfg;
	struct ds_error err = { 0 };
	char path[PATH_MAX];

	ds_config_init(&cfg);
	snprintf(cfg.workspace, sizeof(cfg.workspace), "%s/ws", dir);
	assert_int_equal(ds_saved_path(&cfg, "box-1", path, sizeof(path)), 0);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "%s/ws/Containers/box-1/container.config", dir);
	assert_string_equal(path, want);

	fill_everything(&cfg);
	snprintf(cfg.workspace, sizeof(cfg.workspace), "%s/ws", dir);
	assert_int_equal(ds_saved_store(path, &cfg, "kept=1\n", &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(ds_saved_load(path, &saved2, &err), 0);
	assert_same_settings(&cfg, &saved2.cfg);
	assert_string_equal(saved2.extra, "kept=1\n");

	/* Stored again over the old file; no temp file left beside it. */
	cfg.stop_timeout = 9;
	assert_int_equal(ds_saved_store(path, &cfg, NULL, &err), 0);
	assert_int_equal(ds_saved_load(path, &saved2, &err), 0);
	assert_int_equal(saved2.cfg.stop_timeout, 9);
	assert_string_equal(saved2.extra, "");
	char d[PATH_MAX + 64];
	snprintf(d, sizeof(d), "%s/ws/Containers/box-1", dir);
	int entries = 0;
	struct stat dst;
	assert_int_equal(stat(d, &dst), 0);
	FILE *ls = NULL;
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", d);
	ls = popen(cmd, "r");
	assert_non_null(ls);
	char line[PATH_MAX];
	while (fgets(line, sizeof(line), ls)) {
		entries++;
		assert_string_equal(line, "container.config\n");
	}
	pclose(ls);
	assert_int_equal(entries, 1);

	/* Missing and oversized files are errors. */
	memset(&err, 0, sizeof(err));
	snprintf(want, sizeof(want), "%s/ws/Containers/none/container.config", dir);
	assert_true(ds_saved_load(want, &saved2, &err) < 0);
	assert_true(err.msg[0] != '\0');
	static char huge[70000];
	memset(huge, '#', sizeof(huge));
	put_file(dir, "huge.config", huge, sizeof(huge));
	snprintf(want, sizeof(want), "%s/huge.config", dir);
	memset(&err, 0, sizeof(err));
	assert_true(ds_saved_load(want, &saved2, &err) < 0);
}

static void test_saved_render_small_buffer(void **state)
{
	(void)state;
	static struct ds_config cfg;
	fill_everything(&cfg);
	/* The whole text, then every shorter buffer: an error, never an overrun. */
	assert_int_equal(ds_saved_render(&cfg, "extra=1\n", text, sizeof(text)), 0);
	size_t need = strlen(text) + 1;
	for (size_t size = need - 1; size > 0; size--) {
		char *buf = malloc(size); /* exact size, so ASan sees any overrun */
		assert_non_null(buf);
		int r = ds_saved_render(&cfg, "extra=1\n", buf, size);
		if (r >= 0)
			fail_msg("render into %zu bytes (needs %zu) returned %d", size, need, r);
		free(buf);
	}
	char *buf = malloc(need);
	assert_non_null(buf);
	assert_int_equal(ds_saved_render(&cfg, "extra=1\n", buf, need), 0);
	assert_string_equal(buf, text);
	free(buf);
}

/* ---- ds_env_parse_line ------------------------------------------------------------------- */

static int env(const char *line, char *key, char *val)
{
	return ds_env_parse_line(line, key, 64, val, 256);
}

static void test_env_assignments(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("KEY=value", k, v), 1);
	assert_string_equal(k, "KEY");
	assert_string_equal(v, "value");
	assert_int_equal(env("_k1=", k, v), 1);
	assert_string_equal(k, "_k1");
	assert_string_equal(v, "");
	assert_int_equal(env("  \tIN=dented", k, v), 1);
	assert_string_equal(k, "IN");
	assert_string_equal(v, "dented");
	assert_int_equal(env("K=a=b", k, v), 1);
	assert_string_equal(v, "a=b");
	assert_int_equal(env("K=v   ", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=v # comment", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=v\r", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=v\n", k, v), 1);
	assert_string_equal(v, "v");
}

static void test_env_export(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("export K=v", k, v), 1);
	assert_string_equal(k, "K");
	assert_string_equal(v, "v");
	assert_int_equal(env("export \t K=\"q\"", k, v), 1);
	assert_string_equal(k, "K");
	assert_string_equal(v, "q");
	/* "export" is a prefix only when a blank follows. */
	assert_int_equal(env("exportK=v", k, v), 1);
	assert_string_equal(k, "exportK");
	assert_int_equal(env("export=1", k, v), 1);
	assert_string_equal(k, "export");
	assert_string_equal(v, "1");
}

static void test_env_quotes(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("K=\"a b\tc # d\"", k, v), 1);
	assert_string_equal(v, "a b\tc # d");
	assert_int_equal(env("K='single $x \\n \\''", k, v), -EINVAL); /* no escapes in '' */
	assert_int_equal(env("K='single $x \\n'", k, v), 1);
	assert_string_equal(v, "single $x \\n");
	assert_int_equal(env("K=\"a\\\"b\\\\c\\$d\\`e\\nf\"", k, v), 1);
	assert_string_equal(v, "a\"b\\c$d`e\\nf");
	assert_int_equal(env("K=\"\"", k, v), 1);
	assert_string_equal(v, "");
	assert_int_equal(env("K=''", k, v), 1);
	assert_string_equal(v, "");
	assert_int_equal(env("K=\"v\"  # after", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=\"v\"\r", k, v), 1);
	assert_string_equal(v, "v");
}

static void test_env_blank_and_comment(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("", k, v), 0);
	assert_int_equal(env("   \t", k, v), 0);
	assert_int_equal(env("# K=v", k, v), 0);
	assert_int_equal(env("   # K=v", k, v), 0);
	assert_int_equal(env("\r", k, v), 0);
	assert_int_equal(env("\n", k, v), 0);
}

static void test_env_invalid(void **state)
{
	(void)state;
	char k[64], v[256];
	static const char *const bad[] = {
		"K",       "=v",     "1K=v",    "K =v",  "K-Y=v", "K.Y=v", "export",
		"K=a b",   "K=\"open", "K='open", "\"K\"=v", "K=\"a\" b", "\xff=v",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = env(bad[i], k, v);
		if (r != -EINVAL)
			fail_msg("'%s' gave %d, not -EINVAL", bad[i], r);
	}
}

static void test_env_buffer_limits(void **state)
{
	(void)state;
	char k[4], v[4];
	/* Key: 3 characters fit in 4 bytes, 4 do not. */
	assert_int_equal(ds_env_parse_line("ABC=v", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(k, "ABC");
	assert_int_equal(ds_env_parse_line("ABCD=v", k, sizeof(k), v, sizeof(v)), -EINVAL);
	/* Value: the same, quoted or not. */
	assert_int_equal(ds_env_parse_line("K=abc", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(v, "abc");
	assert_int_equal(ds_env_parse_line("K=abcd", k, sizeof(k), v, sizeof(v)), -EINVAL);
	assert_int_equal(ds_env_parse_line("K=\"abcd\"", k, sizeof(k), v, sizeof(v)), -EINVAL);
	/* No room at all, not even for the NUL of an empty value: refused, nothing written. */
	char *heap = malloc(1);
	assert_non_null(heap);
	assert_int_equal(ds_env_parse_line("A=", k, sizeof(k), heap + 1, 0), -EINVAL);
	assert_int_equal(ds_env_parse_line("A=", heap + 1, 0, v, sizeof(v)), -EINVAL);
	free(heap);
}

static void test_env_apply_text(void **state)
{
	(void)state;
	unsetenv("DS_UT_A");
	unsetenv("DS_UT_B");
	unsetenv("DS_UT_C");
	unsetenv("DS_UT_D");
	ds_env_apply_text("DS_UT_A=one\n"
			  "# DS_UT_D=comment\n"
			  "export DS_UT_B='two words'\n"
			  "not valid at all\n"
			  "DS_UT_C=\"three\"");
	assert_string_equal(getenv("DS_UT_A"), "one");
	assert_string_equal(getenv("DS_UT_B"), "two words");
	assert_string_equal(getenv("DS_UT_C"), "three");
	assert_null(getenv("DS_UT_D"));
	unsetenv("DS_UT_A");
	unsetenv("DS_UT_B");
	unsetenv("DS_UT_C");
}

/* ---- ds_inventory_list / ds_reap_stale --------------------------------------------------- */

#define STALE_COUNT 64

struct reap_run {
	struct ds_config *cfg;
	int listed, reaped, listed_after;
};

static void *reap_thread(void *arg)
{
	struct reap_run *r = arg;
	struct ds_entry *v = NULL;
	r->listed = ds_inventory_list(r->cfg, 1, &v);
	free(v);
	r->reaped = ds_reap_stale(r->cfg);
	v = NULL;
	r->listed_after = ds_inventory_list(r->cfg, 0, &v);
	free(v);
	return NULL;
}

/*
 * After a host reboot every pidfile is stale: listing leaves them all be,
 * reaping removes each one of ours (never a foreign file), and neither
 * needs more stack than a small thread has (a struct ds_config is ~300 KB).
 */
static void test_inventory_list_pure_reap_bounded(void **state)
{
	const char *dir = *state;
	struct ds_config *cfg = malloc(sizeof(*cfg));
	struct ds_error err = { 0 };
	assert_non_null(cfg);
	ds_config_init(cfg);
	snprintf(cfg->workspace, sizeof(cfg->workspace), "%s", dir);
	assert_int_equal(ds_workspace_ensure(cfg->workspace, &err), 0);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	assert_true(dead > 0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	char path[PATH_MAX];
	for (int i = 0; i < STALE_COUNT; i++) {
		struct ds_state st = { .pid = dead, .starttime = 12345 };
		ds_host_boot_id(st.boot_id);
		snprintf(st.cgroup, sizeof(st.cgroup), "droidspaces/unit-reap-%d-%d", (int)getpid(), i);
		snprintf(path, sizeof(path), "%s/Pids/unit-reap-%d-%d.pid", dir, (int)getpid(), i);
		assert_int_equal(ds_state_write(path, &st), 0);
	}
	/* a file that is not ours, in the Pids directory */
	snprintf(path, sizeof(path), "%s/Pids/foreign.pid", dir);
	put_text(dir, "Pids/foreign.pid", "not a pidfile\n");

	struct reap_run run = { .cfg = cfg };
	pthread_attr_t attr;
	pthread_t t;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, 1 << 20), 0);
	assert_int_equal(pthread_create(&t, &attr, reap_thread, &run), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);

	assert_int_equal(run.listed, 0);
	assert_int_equal(run.reaped, STALE_COUNT);
	assert_int_equal(run.listed_after, 0);
	for (int i = 0; i < STALE_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/Pids/unit-reap-%d-%d.pid", dir, (int)getpid(), i);
		assert_int_equal(access(path, F_OK), -1);
	}
	snprintf(path, sizeof(path), "%s/Pids/foreign.pid", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* nothing left to reap */
	assert_int_equal(ds_reap_stale(cfg), 0);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inventory_list_pure_reap_bounded, tmpdir_setup, tmpdir_teardown),
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
		cmocka_unit_test_setup_teardown(test_osrelease_read_symlinks_stay_inside, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_osrelease_read_not_regular, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_osrelease_read_big_and_binary, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_json_string_plain_and_escapes),
		cmocka_unit_test(test_json_string_utf8),
		cmocka_unit_test(test_json_nesting_commas),
		cmocka_unit_test(test_json_arrays_and_documents),
		cmocka_unit_test(test_json_keys_escaped_and_ints),
		cmocka_unit_test(test_json_max_depth),
		cmocka_unit_test(test_saved_render_defaults),
		cmocka_unit_test(test_saved_round_trip),
		cmocka_unit_test(test_saved_parse_unknown_comments_defaults),
		cmocka_unit_test(test_saved_parsed_values_render),
		cmocka_unit_test(test_saved_parse_blank_lines_with_spaces),
		cmocka_unit_test(test_saved_parse_bad_values),
		cmocka_unit_test(test_saved_keep_caps),
		cmocka_unit_test(test_saved_parse_too_long),
		cmocka_unit_test(test_saved_merge),
		cmocka_unit_test_setup_teardown(test_saved_store_load, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_env_assignments),
		cmocka_unit_test(test_env_export),
		cmocka_unit_test(test_env_quotes),
		cmocka_unit_test(test_env_blank_and_comment),
		cmocka_unit_test(test_env_invalid),
		cmocka_unit_test(test_env_buffer_limits),
		cmocka_unit_test(test_env_apply_text),
		/* Last: an overrun here aborts the process under ASan. */
		cmocka_unit_test(test_saved_render_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
