/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/state.c: names, pidfiles and locks (the layout: test_workspace.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/state.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"

/* ---- temp directory fixture ---------------------------------------------------------- */

/* ---- ds_name_validate ------------------------------------------------------------------ */

static void test_name_valid(void **state)
{
	(void)state;
	char n64[65];
	memset(n64, 'a', 64);
	n64[64] = '\0';
	assert_int_equal(ds_name_validate("a"), 0);
	assert_int_equal(ds_name_validate("deb-12"), 0);
	assert_int_equal(ds_name_validate("x.y_z"), 0);
	assert_int_equal(ds_name_validate("Ubuntu-24.04"), 0);
	assert_int_equal(ds_name_validate("..."), 0); /* only "." and ".." are reserved */
	assert_int_equal(ds_name_validate(n64), 0);
}

static void test_name_invalid(void **state)
{
	(void)state;
	char n65[66];
	memset(n65, 'a', 65);
	n65[65] = '\0';
	assert_int_equal(ds_name_validate(""), -EINVAL);
	assert_int_equal(ds_name_validate("."), -EINVAL);
	assert_int_equal(ds_name_validate(".."), -EINVAL);
	assert_int_equal(ds_name_validate("a/b"), -EINVAL);
	assert_int_equal(ds_name_validate("/a"), -EINVAL);
	assert_int_equal(ds_name_validate(n65), -EINVAL);
	assert_int_equal(ds_name_validate("a b"), -EINVAL);
	assert_int_equal(ds_name_validate("a\n"), -EINVAL);
	assert_int_equal(ds_name_validate("\x01"), -EINVAL);
	assert_int_equal(ds_name_validate("\xff"), -EINVAL);
	assert_int_equal(ds_name_validate("ab\xc3\xa9"), -EINVAL); /* UTF-8 too */
	assert_int_equal(ds_name_validate("a,b"), -EINVAL);
}

static void test_config_set_name(void **state)
{
	(void)state;
	struct ds_config cfg;
	struct ds_error err = { 0 };
	ds_config_init(&cfg);
	strcpy(cfg.workspace, "/ws");
	assert_int_equal(ds_config_set_name(&cfg, "deb", &err), 0);
	assert_string_equal(cfg.container_name, "deb");
	assert_string_equal(cfg.pidfile, "/ws/Pids/deb.pid");
	assert_string_equal(cfg.rt.cgroup_rel, "droidspaces/deb");

	/* An explicit --pidfile outside the workspace is kept. */
	ds_config_init(&cfg);
	strcpy(cfg.workspace, "/ws");
	strcpy(cfg.pidfile, "/run/my.pid");
	assert_int_equal(ds_config_set_name(&cfg, "deb", &err), 0);
	assert_string_equal(cfg.pidfile, "/run/my.pid");

	ds_config_init(&cfg);
	assert_int_equal(ds_config_set_name(&cfg, "a/b", &err), DS_EINVAL_MSG);
	assert_int_equal(err.code, DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "invalid container name"));
	assert_string_equal(cfg.container_name, "");
}

/* ---- ds_state_format / ds_state_parse ---------------------------------------------------- */

static void fill_state(struct ds_state *st)
{
	memset(st, 0, sizeof(*st));
	st->pid = 4242;
	st->monitor = 4241;
	st->starttime = 123456789012ULL;
	strcpy(st->uuid, "0123456789abcdef0123456789abcdef");
	strcpy(st->boot_id, "6f1d0b9e-3a4c-4e2b-9f00-1234567890ab");
	strcpy(st->rootfs, "/data/rootfs/deb 12=x");
	strcpy(st->cgroup, "/sys/fs/cgroup/droidspaces/deb");
}

static void test_state_round_trip(void **state)
{
	(void)state;
	struct ds_state in, out;
	char buf[3 * PATH_MAX];
	fill_state(&in);
	assert_int_equal(ds_state_format(&in, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4242\nmonitor=4241\nstarttime=123456789012\n"
				 "uuid=0123456789abcdef0123456789abcdef\n"
				 "boot_id=6f1d0b9e-3a4c-4e2b-9f00-1234567890ab\n"
				 "rootfs=/data/rootfs/deb 12=x\n"
				 "cgroup=/sys/fs/cgroup/droidspaces/deb\n");
	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(ds_state_parse(buf, &out), 0);
	assert_int_equal(out.pid, 4242);
	assert_int_equal(out.monitor, 4241);
	assert_true(out.starttime == 123456789012ULL);
	assert_string_equal(out.uuid, in.uuid);
	assert_string_equal(out.boot_id, in.boot_id);
	assert_string_equal(out.rootfs, in.rootfs);
	assert_string_equal(out.cgroup, in.cgroup);
}

static void test_state_format_too_small(void **state)
{
	(void)state;
	struct ds_state st;
	char buf[32];
	fill_state(&st);
	assert_int_equal(ds_state_format(&st, buf, sizeof(buf)), -ENAMETOOLONG);
}

static void test_state_parse_bad_first_line(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "abc", "-5", "0", "99999999999", "12abc", "\n12\n", "abc\nmonitor=3\n", "0\nmonitor=3\n", "1.5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ds_state st;
		memset(&st, 0xa5, sizeof(st));
		int r = ds_state_parse(bad[i], &st);
		if (r != -EINVAL)
			fail_msg("ds_state_parse(\"%s\") = %d, expected -EINVAL", bad[i], r);
	}
}

static void test_state_parse_tolerant(void **state)
{
	(void)state;
	struct ds_state st;
	/* Only the pid: every other field is zero / empty. */
	memset(&st, 0xa5, sizeof(st));
	assert_int_equal(ds_state_parse("77\n", &st), 0);
	assert_int_equal(st.pid, 77);
	assert_int_equal(st.monitor, 0);
	assert_true(st.starttime == 0);
	assert_string_equal(st.uuid, "");
	assert_string_equal(st.boot_id, "");
	assert_string_equal(st.rootfs, "");
	assert_string_equal(st.cgroup, "");

	/* No final newline. */
	assert_int_equal(ds_state_parse("78", &st), 0);
	assert_int_equal(st.pid, 78);

	/* Unknown keys and lines without '=' are skipped; known keys still read. */
	assert_int_equal(ds_state_parse("79\nfuture=1\njunk line\nmonitor=80\nstarttime=99\n"
					"x=y=z\nrootfs=/r\n",
					&st),
			 0);
	assert_int_equal(st.pid, 79);
	assert_int_equal(st.monitor, 80);
	assert_true(st.starttime == 99);
	assert_string_equal(st.rootfs, "/r");
	assert_string_equal(st.cgroup, "");

	/* A bad monitor value leaves monitor at 0 but keeps the pidfile valid. */
	assert_int_equal(ds_state_parse("81\nmonitor=-3\n", &st), 0);
	assert_int_equal(st.pid, 81);
	assert_int_equal(st.monitor, 0);

	/* Over-long values are truncated to the field, not overflowed. */
	char text[256];
	snprintf(text, sizeof(text), "82\nuuid=%s\n", "0123456789abcdef0123456789abcdefEXTRA");
	assert_int_equal(ds_state_parse(text, &st), 0);
	assert_string_equal(st.uuid, "0123456789abcdef0123456789abcdef");
}

static void test_state_parse_long_lines(void **state)
{
	(void)state;
	struct ds_state in, out;
	static char text[3 * PATH_MAX];

	/* The longest rootfs ds_state_format can write reads back whole. */
	fill_state(&in);
	memset(in.rootfs, 'r', PATH_MAX - 1);
	in.rootfs[0] = '/';
	in.rootfs[PATH_MAX - 1] = '\0';
	assert_int_equal(ds_state_format(&in, text, sizeof(text)), 0);
	assert_int_equal(ds_state_parse(text, &out), 0);
	assert_string_equal(out.rootfs, in.rootfs);
	assert_string_equal(out.cgroup, in.cgroup);

	/*
	 * Around the parser's line limit: each length either parses (value
	 * truncated to the field) or rejects the file, never overflows (ASan),
	 * and once rejected, longer lines stay rejected.
	 */
	int rejected = 0;
	for (size_t len = PATH_MAX; len < PATH_MAX + 96; len++) {
		size_t n = (size_t)sprintf(text, "5\nrootfs=");
		memset(text + n, 'r', len - 7);
		strcpy(text + n + len - 7, "\n");
		int r = ds_state_parse(text, &out);
		if (r == 0) {
			assert_false(rejected);
			assert_int_equal(out.pid, 5);
			size_t vlen = len - 7 < PATH_MAX - 1 ? len - 7 : PATH_MAX - 1;
			assert_int_equal(strlen(out.rootfs), vlen);
		} else {
			assert_int_equal(r, -EINVAL);
			rejected = 1;
		}
	}
	/* A line far longer than any field is refused. */
	memset(text, '1', 2 * PATH_MAX);
	text[2 * PATH_MAX] = '\0';
	assert_int_equal(ds_state_parse(text, &out), -EINVAL);
}

/* ---- /proc helpers ------------------------------------------------------------------------ */

static pid_t dead_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return pid;
}

static void test_proc_starttime(void **state)
{
	(void)state;
	unsigned long long a = ds_proc_starttime(getpid());
	unsigned long long b = ds_proc_starttime(getpid());
	assert_true(a > 0);
	assert_true(a == b);

	/* A child started later has a start time >= ours. */
	unsigned long long parent = ds_proc_starttime(getppid());
	if (getppid() > 1)
		assert_true(parent > 0 && parent <= a);

	assert_true(ds_proc_starttime(dead_pid()) == 0);
	assert_true(ds_proc_starttime(0x3ffffffe) == 0);
}

static void test_proc_starttime_matches_stat(void **state)
{
	(void)state;
	/* Field 22 of /proc/self/stat, parsed independently with sscanf. */
	FILE *f = fopen("/proc/self/stat", "r");
	assert_non_null(f);
	char buf[1024];
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	char *p = strrchr(buf, ')');
	assert_non_null(p);
	unsigned long long want = 0;
	assert_int_equal(sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				"%*d %*d %*d %*d %llu",
				&want),
			 1);
	assert_true(ds_proc_starttime(getpid()) == want);
}

static int is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void test_uuid_generate(void **state)
{
	(void)state;
	char a[DS_UUID_LEN + 1], b[DS_UUID_LEN + 1];
	memset(a, 'X', sizeof(a));
	memset(b, 'X', sizeof(b));
	assert_int_equal(ds_uuid_generate(a), 0);
	assert_int_equal(ds_uuid_generate(b), 0);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strlen(b), 32);
	assert_true(is_lower_hex(a, 32));
	assert_true(is_lower_hex(b, 32));
	assert_string_not_equal(a, b);
}

static void test_host_boot_id(void **state)
{
	(void)state;
	char id[40];
	memset(id, 'X', sizeof(id));
	assert_int_equal(ds_host_boot_id(id), 0);
	assert_int_equal(strlen(id), 36);
	assert_null(strchr(id, '\n'));
	assert_int_equal(id[8], '-');
	assert_int_equal(id[23], '-');
}

/* ---- workspace ---------------------------------------------------------------------------- */

/* ---- ds_lock_name -------------------------------------------------------------------------- */

static void lock_cfg(const char *dir, struct ds_config *cfg)
{
	struct ds_error err = { 0 };
	ds_config_init(cfg);
	snprintf(cfg->workspace, sizeof(cfg->workspace), "%s", dir);
	assert_int_equal(ds_workspace_ensure(cfg->workspace, &err), 0);
}

/* Runs ds_lock_name(name, nonblocking) in a child; returns the child's result code. */
static int lock_in_child(const struct ds_config *cfg, const char *name, int timeout_ms)
{
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		alarm(10); /* a lock that blocks fails the test instead of hanging it */
		int r = timeout_ms ? ds_lock_name_timeout(cfg, name, timeout_ms) : ds_lock_name(cfg, name, 0);
		if (r >= 0)
			r = 0; /* got the lock (an fd) */
		(void)!write(pfd[1], &r, sizeof(r));
		_exit(0);
	}
	close(pfd[1]);
	int r = 1, status;
	assert_int_equal(read(pfd[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return r;
}

static void test_lock_name(void **state)
{
	struct ds_config cfg;
	lock_cfg(*state, &cfg);

	int fd = ds_lock_name(&cfg, "deb", 0);
	assert_true(fd >= 0);
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/Locks/deb.lock", (const char *)*state);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	/* Held by us: a second, non-blocking lock from another process fails. */
	assert_int_equal(lock_in_child(&cfg, "deb", 0), -EWOULDBLOCK);
	/* ... and the bounded wait times out. */
	assert_int_equal(lock_in_child(&cfg, "deb", 30), -ETIMEDOUT);
	/* Other names are independent. */
	assert_int_equal(lock_in_child(&cfg, "other", 0), 0);

	close(fd);
	/* Released: the child gets it now. */
	assert_int_equal(lock_in_child(&cfg, "deb", 0), 0);
	assert_int_equal(lock_in_child(&cfg, "deb", 30), 0);
}

static void test_lock_name_refuses_symlink(void **state)
{
	struct ds_config cfg;
	lock_cfg(*state, &cfg);
	char link[PATH_MAX], target[PATH_MAX];
	snprintf(target, sizeof(target), "%s/target", (const char *)*state);
	snprintf(link, sizeof(link), "%s/Locks/evil.lock", (const char *)*state);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(ds_lock_name(&cfg, "evil", 0), -ELOOP);
	assert_int_equal(access(target, F_OK), -1); /* not created through the link */
}

/* ---- ds_state_write / ds_state_read_live --------------------------------------------------- */

static void own_state(struct ds_state *st)
{
	memset(st, 0, sizeof(*st));
	st->pid = getpid();
	st->monitor = getpid();
	st->starttime = ds_proc_starttime(getpid());
	assert_true(st->starttime > 0);
	assert_int_equal(ds_host_boot_id(st->boot_id), 0);
	strcpy(st->uuid, "00112233445566778899aabbccddeeff");
	strcpy(st->rootfs, "/tmp/rootfs");
	strcpy(st->cgroup, "droidspaces/test");
}

static void test_state_read_live(void **state)
{
	char pidfile[PATH_MAX];
	struct ds_state st, got;
	snprintf(pidfile, sizeof(pidfile), "%s/test.pid", (const char *)*state);

	/* Missing file: not running, not an error. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(ds_state_read_live(pidfile, &got), 0);

	own_state(&st);
	assert_int_equal(ds_state_write(pidfile, &st), 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(ds_state_read_live(pidfile, &got), 1);
	assert_int_equal(got.pid, getpid());
	assert_true(got.starttime == st.starttime);
	assert_string_equal(got.boot_id, st.boot_id);
	assert_string_equal(got.uuid, st.uuid);
	assert_string_equal(got.rootfs, st.rootfs);
	assert_string_equal(got.cgroup, st.cgroup);

	/* Same pid, different start time: the pid was reused. */
	own_state(&st);
	st.starttime += 1;
	assert_int_equal(ds_state_write(pidfile, &st), 0);
	assert_int_equal(ds_state_read_live(pidfile, &got), 0);

	/* Pidfile from an earlier boot of the host. */
	own_state(&st);
	strcpy(st.boot_id, "00000000-0000-4000-8000-000000000000");
	assert_int_equal(ds_state_write(pidfile, &st), 0);
	assert_int_equal(ds_state_read_live(pidfile, &got), 0);

	/* A process that is gone. */
	own_state(&st);
	st.pid = dead_pid();
	st.starttime = 0;
	assert_int_equal(ds_state_write(pidfile, &st), 0);
	assert_int_equal(ds_state_read_live(pidfile, &got), 0);

	/* Garbage pidfile: not ours, so neither running nor stale (never replaced). */
	FILE *f = fopen(pidfile, "w");
	assert_non_null(f);
	fputs("not a pid\n", f);
	fclose(f);
	assert_int_equal(ds_state_read_live(pidfile, &got), DS_ENOTPIDFILE);
	assert_int_equal(unlink(pidfile), 0);

	/* Back to a good one: running again, and no temp files were left behind. */
	own_state(&st);
	assert_int_equal(ds_state_write(pidfile, &st), 0);
	assert_int_equal(ds_state_read_live(pidfile, &got), 1);
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", pidfile, (int)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
}

/* Writes text to dir/rel. */
static void put(const char *dir, const char *rel, const char *text, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_holds(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, text);
}

/* An old-format pidfile (only a PID) of a live process that is no container: stale. */
static void test_state_identityless_pid_is_stale(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], text[32];
	struct ds_state got;
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(text, sizeof(text), "%d\n", (int)child);
	put(dir, "x.pid", text, path, sizeof(path));
	assert_int_equal(ds_state_read(path, &got), 1);
	assert_int_equal(got.pid, child);
	assert_int_equal(ds_state_read_live(path, &got), 0);
	assert_int_equal(ds_state_alive(&got, "x"), 0);
	assert_int_equal(ds_state_alive(&got, NULL), 0);
	/* starttime but no boot_id is no identity either */
	snprintf(text, sizeof(text), "%d\nstarttime=%llu\n", (int)child, ds_proc_starttime(child));
	put(dir, "x.pid", text, path, sizeof(path));
	assert_int_equal(ds_state_read_live(path, &got), 0);
	/* no process of ours is a container's init */
	assert_int_equal(ds_proc_container_init(child, NULL), 0);
	assert_int_equal(ds_proc_container_init(getpid(), NULL), 0);
	assert_int_equal(ds_proc_container_init(1, NULL), 0);
	/* ... and an unharmed child */
	assert_int_equal(kill(child, 0), 0);
	kill(child, SIGKILL);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void on_alarm(int sig)
{
	(void)sig;
	fail_msg("a pidfile read blocked");
}

/* Symlinks, FIFOs, device nodes, huge files and garbage are not ours: never read through, replaced or unlinked. */
static void test_state_foreign_files(void **state)
{
	const char *dir = *state;
	char victim[PATH_MAX], path[PATH_MAX], big[PATH_MAX];
	struct ds_state st, got;
	own_state(&st);
	signal(SIGALRM, on_alarm);
	alarm(10);

	/* a scratch "/etc/passwd" */
	put(dir, "passwd", "root:x:0:0:root:/root:/bin/sh\n", victim, sizeof(victim));
	assert_int_equal(ds_state_read(victim, &got), DS_ENOTPIDFILE);
	assert_int_equal(ds_state_read_live(victim, &got), DS_ENOTPIDFILE);
	assert_int_equal(ds_state_write(victim, &st), DS_ENOTPIDFILE);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(ds_state_unlink(victim), DS_ENOTPIDFILE);
	assert_holds(victim, "root:x:0:0:root:/root:/bin/sh\n");

	/* a symlink to it, and a symlink to a real pidfile: neither followed */
	char ours[PATH_MAX];
	snprintf(ours, sizeof(ours), "%s/ours.pid", dir);
	assert_int_equal(ds_state_write(ours, &st), 0);
	const char *targets[] = { victim, ours };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/link%d.pid", dir, i);
		assert_int_equal(symlink(targets[i], path), 0);
		assert_int_equal(ds_state_read_live(path, &got), DS_ENOTPIDFILE);
		assert_int_equal(ds_state_write(path, &st), DS_ENOTPIDFILE);
		assert_int_equal(ds_state_unlink(path), DS_ENOTPIDFILE);
		struct stat sb;
		assert_int_equal(lstat(path, &sb), 0);
		assert_true(S_ISLNK(sb.st_mode));
	}
	assert_holds(victim, "root:x:0:0:root:/root:/bin/sh\n");
	assert_int_equal(ds_state_read_live(ours, &got), 1);

	/* a FIFO: no hang, not ours */
	snprintf(path, sizeof(path), "%s/fifo.pid", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ds_state_read_live(path, &got), DS_ENOTPIDFILE);
	assert_int_equal(ds_state_write(path, &st), DS_ENOTPIDFILE);
	assert_int_equal(ds_state_unlink(path), DS_ENOTPIDFILE);
	assert_int_equal(access(path, F_OK), 0);

	/* a device node (root only): not even opened */
	snprintf(path, sizeof(path), "%s/null.pid", dir);
	if (mknod(path, S_IFCHR | 0600, makedev(1, 3)) == 0) {
		assert_int_equal(ds_state_read_live(path, &got), DS_ENOTPIDFILE);
		assert_int_equal(ds_state_unlink(path), DS_ENOTPIDFILE);
		assert_int_equal(access(path, F_OK), 0);
	}

	/* a pidfile-looking start, then far more than a pidfile holds; then a NUL inside */
	snprintf(big, sizeof(big), "%s/big.pid", dir);
	FILE *f = fopen(big, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", (int)getpid());
	for (int i = 0; i < 4096; i++)
		fputs("padding=xxxxxxxxxxxxxxxxxxxxxxxxxx\n", f);
	fclose(f);
	assert_int_equal(ds_state_read(big, &got), DS_ENOTPIDFILE);
	assert_int_equal(ds_state_unlink(big), DS_ENOTPIDFILE);
	f = fopen(big, "w");
	assert_non_null(f);
	fprintf(f, "%d\nuuid=a", (int)getpid());
	fputc('\0', f);
	fputs("b\n", f);
	fclose(f);
	assert_int_equal(ds_state_read(big, &got), DS_ENOTPIDFILE);

	/* ours: unlinked; none: fine */
	assert_int_equal(ds_state_unlink(ours), 0);
	assert_int_equal(access(ours, F_OK), -1);
	assert_int_equal(ds_state_unlink(ours), 0);
	assert_int_equal(ds_state_read(ours, &got), 0);
	alarm(0);
	signal(SIGALRM, SIG_DFL);

	/* the message says what is wrong */
	struct ds_error err = { 0 };
	char text[800];
	assert_int_equal(ds_state_fail(&err, DS_ENOTPIDFILE, victim), DS_EINVAL_MSG);
	ds_error_text(&err, text, sizeof(text));
	assert_non_null(strstr(text, "is not a droidspaces pidfile"));
	assert_non_null(strstr(text, victim));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_name_invalid),
		cmocka_unit_test(test_config_set_name),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_format_too_small),
		cmocka_unit_test(test_state_parse_bad_first_line),
		cmocka_unit_test(test_state_parse_tolerant),
		cmocka_unit_test(test_state_parse_long_lines),
		cmocka_unit_test(test_proc_starttime),
		cmocka_unit_test(test_proc_starttime_matches_stat),
		cmocka_unit_test(test_uuid_generate),
		cmocka_unit_test(test_host_boot_id),
		cmocka_unit_test_setup_teardown(test_lock_name, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_lock_name_refuses_symlink, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_state_read_live, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_state_identityless_pid_is_stale, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_state_foreign_files, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
