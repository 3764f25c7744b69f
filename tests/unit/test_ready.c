/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/ready.c: the notify datagram, the readiness record, utmp, the failure lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/ready.h"
#include "core/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"

/* Writes text to path (a full path). */
static void putfile(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* ---- ds_notify_parse -------------------------------------------------------------------- */

static void test_notify_ready_and_status(void **state)
{
	(void)state;
	struct ds_notify n;
	const char msg[] = "READY=1\nSTATUS=Startup finished in 812ms.\nX_SYSTEMD_UNIT_ACTIVE=basic.target\n";
	assert_int_equal(ds_notify_parse(msg, sizeof(msg) - 1, &n), 0);
	assert_true(n.ready);
	assert_false(n.stopping);
	assert_true(n.has_status);
	assert_string_equal(n.status, "Startup finished in 812ms.");
}

static void test_notify_status_only(void **state)
{
	(void)state;
	struct ds_notify n;
	assert_int_equal(ds_notify_parse("STATUS=", 7, &n), 0);
	assert_false(n.ready);
	assert_true(n.has_status);
	assert_string_equal(n.status, "");
	/* No trailing newline, and the last STATUS= wins. */
	assert_int_equal(ds_notify_parse("STATUS=a\nSTATUS=b", 17, &n), 0);
	assert_string_equal(n.status, "b");
}

static void test_notify_not_ready(void **state)
{
	(void)state;
	struct ds_notify n;
	/* Only READY=1 exactly: a value or prefix that merely looks like it is not. */
	assert_int_equal(ds_notify_parse("READY=0", 7, &n), -ENOMSG);
	assert_int_equal(ds_notify_parse("READY=1x", 8, &n), -ENOMSG);
	assert_int_equal(ds_notify_parse("XREADY=1", 8, &n), -ENOMSG);
	assert_int_equal(ds_notify_parse(" READY=1", 8, &n), -ENOMSG);
	assert_false(n.ready);
	/* A NUL ends nothing: "READY=1\0" is one line of 8 bytes. */
	assert_int_equal(ds_notify_parse("READY=1\0", 8, &n), -ENOMSG);
	assert_int_equal(ds_notify_parse("STOPPING=1", 10, &n), 0);
	assert_true(n.stopping);
}

static void test_notify_bounds(void **state)
{
	(void)state;
	struct ds_notify n;
	assert_int_equal(ds_notify_parse("", 0, &n), -EINVAL);
	char *big = malloc(DS_NOTIFY_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', DS_NOTIFY_MAX + 1);
	memcpy(big, "READY=1\n", 8);
	assert_int_equal(ds_notify_parse(big, DS_NOTIFY_MAX + 1, &n), -EINVAL);
	assert_false(n.ready);
	/* At the limit it is read, and a long STATUS= is cut to DS_STATUS_MAX. */
	memcpy(big + 8, "STATUS=", 7);
	assert_int_equal(ds_notify_parse(big, DS_NOTIFY_MAX, &n), 0);
	assert_true(n.ready);
	assert_int_equal(strlen(n.status), DS_STATUS_MAX);
	free(big);
}

static void test_notify_status_printable_only(void **state)
{
	(void)state;
	struct ds_notify n;
	const char msg[] = "STATUS=a\x1b[2Jb\x07\x7f\xc3\xa9\0z";
	assert_int_equal(ds_notify_parse(msg, sizeof(msg) - 1, &n), 0);
	assert_string_equal(n.status, "a?[2Jb?????z");
}

/* ---- the record ------------------------------------------------------------------------- */

static void test_record_round_trip(void **state)
{
	(void)state;
	struct ds_ready r = { .ready = 1, .by = DS_READY_NOTIFY, .ms = 812 }, back;
	snprintf(r.status, sizeof(r.status), "Startup finished in 812ms.");
	char buf[512];
	assert_int_equal(ds_ready_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ready=1\nby=notify\nms=812\nstatus=Startup finished in 812ms.\n");
	assert_int_equal(ds_ready_parse(buf, &back), 0);
	assert_int_equal(back.ready, 1);
	assert_int_equal(back.by, DS_READY_NOTIFY);
	assert_int_equal(back.ms, 812);
	assert_string_equal(back.status, r.status);
	/* Not ready yet. */
	struct ds_ready none = { .ms = -1 };
	assert_int_equal(ds_ready_format(&none, buf, sizeof(buf)), 0);
	assert_int_equal(ds_ready_parse(buf, &back), 0);
	assert_int_equal(back.ready, 0);
	assert_int_equal(back.ms, -1);
	assert_string_equal(ds_ready_by_name(DS_READY_ALIVE), "alive");
	assert_string_equal(ds_ready_by_name(99), "");
}

static void test_record_refused(void **state)
{
	(void)state;
	struct ds_ready r;
	assert_int_equal(ds_ready_parse("", &r), -EINVAL);                                /* no ready= */
	assert_int_equal(ds_ready_parse("ready=2\n", &r), -EINVAL);                       /* not 0/1 */
	assert_int_equal(ds_ready_parse("ready=1\n", &r), -EINVAL);                       /* ready by nothing */
	assert_int_equal(ds_ready_parse("ready=1\nby=magic\n", &r), -EINVAL);             /* unknown by */
	assert_int_equal(ds_ready_parse("ready=0\nms=-2\n", &r), -EINVAL);                /* below -1 */
	assert_int_equal(ds_ready_parse("ready=0\nms=12x\n", &r), -EINVAL);               /* not a number */
	assert_int_equal(ds_ready_parse("ready=0\nstatus=a\x1b]0;x\x07\n", &r), -EINVAL); /* escapes */
	assert_int_equal(ds_ready_parse("ready=0\ngarbage\n", &r), -EINVAL);              /* no key */
	char longst[DS_STATUS_MAX + 32];
	snprintf(longst, sizeof(longst), "ready=0\nstatus=%0*d\n", DS_STATUS_MAX + 1, 0);
	assert_int_equal(ds_ready_parse(longst, &r), -EINVAL);
	/* A later version's keys are let be. */
	assert_int_equal(ds_ready_parse("ready=1\nby=openrc\nfuture=x\n", &r), 0);
	assert_int_equal(r.by, DS_READY_OPENRC);
	/* What cannot be written is not. */
	struct ds_ready bad = { .ms = -1 };
	char buf[512];
	snprintf(bad.status, sizeof(bad.status), "a\nready=1");
	assert_int_equal(ds_ready_format(&bad, buf, sizeof(buf)), -EINVAL);
	bad.status[0] = '\0';
	bad.by = 42;
	assert_int_equal(ds_ready_format(&bad, buf, sizeof(buf)), -EINVAL);
}

static void test_record_file(void **state)
{
	char path[PATH_MAX], target[PATH_MAX];
	snprintf(path, sizeof(path), "%s/x.ready", (char *)*state);
	snprintf(target, sizeof(target), "%s/target", (char *)*state);
	struct ds_ready r = { .ready = 1, .by = DS_READY_SYSVINIT, .ms = 5 }, back;
	assert_int_equal(ds_ready_read(path, &back), 0); /* none */
	assert_int_equal(ds_ready_write(path, &r), 0);
	assert_int_equal(ds_ready_read(path, &back), 1);
	assert_int_equal(back.by, DS_READY_SYSVINIT);
	/* A planted symlink is neither read through nor written through: it is replaced. */
	unlink(path);
	putfile(target, "ready=1\nby=notify\nms=1\nstatus=planted\n");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(ds_ready_read(path, &back), -ELOOP);
	assert_int_equal(ds_ready_write(path, &r), 0);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	char text[128] = "";
	FILE *f = fopen(target, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_string_equal(text, "ready=1\n"); /* the target is as it was */
	/* A FIFO: refused at once (never waited on), and replaced by the monitor's write. */
	unlink(path);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(ds_ready_read(path, &back), -EINVAL);
	assert_int_equal(ds_ready_write(path, &r), 0);
	assert_int_equal(ds_ready_read(path, &back), 1);
	/* Garbage and an oversized file are not records. */
	putfile(path, "hello\n");
	assert_int_equal(ds_ready_read(path, &back), -EINVAL);
	char *big = malloc(8192);
	assert_non_null(big);
	memset(big, 'a', 8191);
	big[8191] = '\0';
	putfile(path, big);
	free(big);
	assert_int_equal(ds_ready_read(path, &back), -EFBIG);
}

/* ---- utmp ------------------------------------------------------------------------------- */

static void utmp_record(unsigned char *rec, short type, int pid)
{
	memset(rec, 0, 384);
	memcpy(rec, &type, sizeof(type));
	memcpy(rec + 4, &pid, sizeof(pid));
}

static void test_utmp_runlevel(void **state)
{
	(void)state;
	unsigned char buf[384 * 3] = { 0 };
	assert_int_equal(ds_utmp_runlevel(buf, 0), 0);
	utmp_record(buf, 2 /* BOOT_TIME */, 0);
	utmp_record(buf + 384, 1 /* RUN_LVL */, 'S' + 256 * 'N');
	assert_int_equal(ds_utmp_runlevel(buf, 768), 'S');
	utmp_record(buf + 768, 1, '2' + 256 * 'S');
	assert_int_equal(ds_utmp_runlevel(buf, sizeof(buf)), '2');
	/* A cut record is not read; a RUN_LVL record with no runlevel is not one. */
	assert_int_equal(ds_utmp_runlevel(buf, sizeof(buf) - 1), 'S');
	utmp_record(buf + 768, 1, 7);
	assert_int_equal(ds_utmp_runlevel(buf, sizeof(buf)), 'S');
	utmp_record(buf + 768, 6 /* INIT_PROCESS */, '3');
	assert_int_equal(ds_utmp_runlevel(buf, sizeof(buf)), 'S');
}

/* ---- the failure lines of start --wait -------------------------------------------------- */

static void test_failure_lines(void **state)
{
	struct ds_config cfg;
	ds_config_init(&cfg);
	snprintf(cfg.workspace, sizeof(cfg.workspace), "%s", (char *)*state);
	snprintf(cfg.container_name, sizeof(cfg.container_name), "c");
	char dir[PATH_MAX], log[PATH_MAX + 32], out[4096];
	snprintf(dir, sizeof(dir), "%s/Logs", (char *)*state);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/Logs/c", (char *)*state);
	mkdir(dir, 0755);
	snprintf(log, sizeof(log), "%s/console.log", dir);
	assert_int_equal(ds_ready_failure_lines(&cfg, out, sizeof(out)), 0); /* no log */
	assert_string_equal(out, "");
	putfile(log, "one\r\ntwo \x1b[1mbold\x1b[0m\r\n\x1b]0;title\x07three\n");
	assert_int_equal(ds_ready_failure_lines(&cfg, out, sizeof(out)), 0);
	assert_string_equal(out, "one\ntwo bold\nthree\n");
	/* C1 controls, as UTF-8 (U+009B) and as a lone 8-bit CSI, are dropped; other UTF-8 is kept. */
	putfile(log, "a\xc2\x9b"
		     "31mb\x9b"
		     "1mc \xe2\x97\x8f d\n");
	assert_int_equal(ds_ready_failure_lines(&cfg, out, sizeof(out)), 0);
	assert_string_equal(out, "a31mb1mc \xe2\x97\x8f d\n");
	putfile(log, "ok\n[\x1b[0;1;31mFAILED\x1b[0m] Failed to start ds-block.service - x.\nmore\n");
	assert_int_equal(ds_ready_failure_lines(&cfg, out, sizeof(out)), 1);
	assert_string_equal(out, "[FAILED] Failed to start ds-block.service - x.\n");
	/* Only the last lines are kept. */
	char many[4096] = "";
	for (int i = 0; i < 40; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "line %d\n", i);
	putfile(log, many);
	assert_int_equal(ds_ready_failure_lines(&cfg, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "line 39\n"));
	assert_null(strstr(out, "line 24\n"));
	assert_non_null(strstr(out, "line 25\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_ready_and_status),
		cmocka_unit_test(test_notify_status_only),
		cmocka_unit_test(test_notify_not_ready),
		cmocka_unit_test(test_notify_bounds),
		cmocka_unit_test(test_notify_status_printable_only),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_refused),
		cmocka_unit_test_setup_teardown(test_record_file, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_utmp_runlevel),
		cmocka_unit_test_setup_teardown(test_failure_lines, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
