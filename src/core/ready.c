/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/ready.h"
#include "core/halt.h"
#include "core/state.h"
#include "core/workspace.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/macros.h"
#include "util/path.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the notify protocol ------------------------------------------------------------ */

/* Printable ASCII of src (n bytes) into dst, anything else as '?', cut at DS_STATUS_MAX. */
static void printable_copy(char *dst, const char *src, size_t n)
{
	size_t len = n < DS_STATUS_MAX ? n : DS_STATUS_MAX;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[len] = '\0';
}

static int line_is(const char *p, size_t len, const char *word)
{
	size_t wl = strlen(word);
	return len == wl && memcmp(p, word, wl) == 0;
}

int ds_notify_parse(const char *buf, size_t n, struct ds_notify *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0 || n > DS_NOTIFY_MAX)
		return -EINVAL;
	int known = 0;
	for (const char *p = buf, *end = buf + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (line_is(p, len, "READY=1")) {
			out->ready = known = 1;
		} else if (line_is(p, len, "STOPPING=1")) {
			out->stopping = known = 1;
		} else if (len >= 7 && memcmp(p, "STATUS=", 7) == 0) {
			printable_copy(out->status, p + 7, len - 7);
			out->has_status = known = 1;
		}
		p += len + 1;
	}
	return known ? 0 : -ENOMSG;
}

/* ---- the record --------------------------------------------------------------------- */

static const struct {
	const char *name, *text;
} by_names[] = {
	[DS_READY_NONE] = { "", "not yet" },
	[DS_READY_NOTIFY] = { "notify", "systemd notify (READY=1)" },
	[DS_READY_OPENRC] = { "openrc", "OpenRC default runlevel" },
	[DS_READY_SYSVINIT] = { "sysvinit", "sysvinit runlevel (utmp)" },
	[DS_READY_ALIVE] = { "alive", "init alive for 1 s" },
};

const char *ds_ready_by_name(int by) { return by >= 0 && (size_t)by < ARRAY_SIZE(by_names) ? by_names[by].name : ""; }

const char *ds_ready_by_text(int by)
{
	return by >= 0 && (size_t)by < ARRAY_SIZE(by_names) ? by_names[by].text : "not yet";
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

int ds_ready_format(const struct ds_ready *r, char *buf, size_t size)
{
	if (r->by < 0 || (size_t)r->by >= ARRAY_SIZE(by_names) || !printable(r->status) ||
	    strlen(r->status) > DS_STATUS_MAX || r->ms < -1)
		return -EINVAL;
	int n = snprintf(buf, size, "ready=%d\nby=%s\nms=%lld\nstatus=%s\n", r->ready ? 1 : 0, by_names[r->by].name,
			 r->ms, r->status);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int parse_by(const char *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(by_names); i++)
		if (strcmp(v, by_names[i].name) == 0)
			return (int)i;
	return -1;
}

static int parse_ms(const char *v, long long *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || *end || x < -1)
		return -EINVAL;
	*out = x;
	return 0;
}

int ds_ready_parse(const char *text, struct ds_ready *r)
{
	memset(r, 0, sizeof(*r));
	r->ms = -1;
	int seen = 0;
	char line[DS_STATUS_MAX + 16];
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] == '\n');
		if (!printable(line))
			return -EINVAL;
		char *eq = strchr(line, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		const char *v = eq + 1;
		if (strcmp(line, "ready") == 0) {
			if (strcmp(v, "0") && strcmp(v, "1"))
				return -EINVAL;
			r->ready = v[0] == '1';
			seen |= 1;
		} else if (strcmp(line, "by") == 0) {
			if ((r->by = parse_by(v)) < 0)
				return -EINVAL;
		} else if (strcmp(line, "ms") == 0) {
			if (parse_ms(v, &r->ms) < 0)
				return -EINVAL;
		} else if (strcmp(line, "status") == 0) {
			if (strlen(v) > DS_STATUS_MAX)
				return -EINVAL;
			snprintf(r->status, sizeof(r->status), "%s", v);
		}
		/* other keys: a later version's, ignored */
	}
	/* A ready record says by what. */
	if (!(seen & 1) || (r->ready && r->by == DS_READY_NONE))
		return -EINVAL;
	return 0;
}

int ds_ready_write(const char *path, const struct ds_ready *r)
{
	char buf[DS_STATUS_MAX + 128];
	int rc = ds_ready_format(r, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	/* Something planted there that the atomic rename would refuse (a FIFO, a socket) goes first. */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode))
		unlink(path);
	return ds_write_file_atomic(path, buf, 0644, 0);
}

int ds_ready_read(const char *path, struct ds_ready *r)
{
	char buf[DS_STATUS_MAX + 256];
	memset(r, 0, sizeof(*r));
	r->ms = -1;
	/* No symlink followed, no FIFO waited on: a planted one is refused. */
	_cleanup_close_ int fd = ds_open_regular(path, 1);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	ssize_t n = ds_read_all(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return (int)n;
	if ((size_t)n == sizeof(buf) - 1)
		return -EFBIG;
	buf[n] = '\0';
	if (strlen(buf) != (size_t)n)
		return -EINVAL;
	int rc = ds_ready_parse(buf, r);
	return rc < 0 ? rc : 1;
}

/* ---- what the guest's own init shows ------------------------------------------------ */

/* glibc's struct utmp (bits/utmp.h): 384 bytes on every ABI, ut_type a short at 0, ut_pid an int at 4. */
#define UTMP_RECORD 384
#define UTMP_RUN_LVL 1

int ds_utmp_runlevel(const unsigned char *buf, size_t n)
{
	int level = 0;
	for (size_t at = 0; at + UTMP_RECORD <= n; at += UTMP_RECORD) {
		short type;
		int pid;
		memcpy(&type, buf + at, sizeof(type));
		memcpy(&pid, buf + at + 4, sizeof(pid));
		/* ut_pid = the new runlevel + 256 * the previous one (sysvinit's write_utmp_wtmp). */
		int c = pid & 0xff;
		if (type == UTMP_RUN_LVL && ((c >= '0' && c <= '9') || c == 'S' || c == 's'))
			level = c;
	}
	return level;
}

/*
 * A runlevel switch still going on: a child of init that is the runlevel's
 * rc (sysvinit's /etc/init.d/rc, startpar) or openrc (the `wait` entries of
 * inittab, openrc-init's own child), or still "init": forked, not yet
 * executed (sysvinit writes the runlevel before it spawns rc). Found in
 * /proc by parent, on every kernel.
 */
static int rc_running(pid_t init)
{
	static const char *const rcs[] = { "rc", "openrc", "startpar", "init" };
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	int found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char path[300], stat[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (ds_read_file(path, stat, sizeof(stat)) <= 0)
			continue;
		/* "pid (comm) state ppid ...": comm may hold anything, the last ')' ends it. */
		char *open = strchr(stat, '('), *close = strrchr(stat, ')');
		int ppid = 0;
		if (!open || !close || close < open || sscanf(close + 1, " %*c %d", &ppid) != 1 || ppid != init)
			continue;
		*close = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(rcs); i++)
			found |= strcmp(open + 1, rcs[i]) == 0;
	}
	closedir(d);
	return found;
}

static int openrc_ready(int root, pid_t init)
{
	char level[64];
	if (ds_read_file_in_root(root, "run/openrc/softlevel", level, sizeof(level)) <= 0)
		return 0;
	/* softlevel names the runlevel as soon as the switch to it begins: openrc must also be done. */
	return strcmp(ds_chomp(level), "default") == 0 && !rc_running(init);
}

static int sysvinit_ready(int root, pid_t init)
{
	static const char *const utmps[] = { "run/utmp", "var/run/utmp" };
	enum { UTMP_READ_MAX = 64 * UTMP_RECORD };
	_cleanup_free_ unsigned char *buf = malloc(UTMP_READ_MAX + 1);
	if (!buf)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(utmps); i++) {
		ssize_t n = ds_read_file_in_root(root, utmps[i], (char *)buf, UTMP_READ_MAX + 1);
		int level = n > 0 ? ds_utmp_runlevel(buf, (size_t)n) : 0;
		if (level >= '1' && level <= '5')
			return !rc_running(init);
	}
	return 0;
}

int ds_ready_probe(pid_t init, int kind, long long alive_ms)
{
	if (kind == DS_INIT_SYSTEMD)
		return DS_READY_NONE;
	_cleanup_close_ int root = ds_proc_root_open(init);
	if (root < 0)
		return DS_READY_NONE;
	/* OpenRC under any init (sysvinit's inittab, busybox's, openrc-init): its runlevel. */
	_cleanup_close_ int openrc = ds_openat_in_root(root, "run/openrc", O_PATH | O_DIRECTORY, 0, 0);
	if (openrc >= 0)
		return openrc_ready(root, init) ? DS_READY_OPENRC : DS_READY_NONE;
	if (kind == DS_INIT_SYSVINIT)
		return sysvinit_ready(root, init) ? DS_READY_SYSVINIT : DS_READY_NONE;
	return alive_ms >= DS_READY_ALIVE_MS ? DS_READY_ALIVE : DS_READY_NONE;
}

/* ---- start --wait ------------------------------------------------------------------- */

int ds_ready_wait(const struct ds_config *cfg, int seconds, struct ds_ready *r)
{
	char path[PATH_MAX];
	int rc = ds_workspace_path(cfg->workspace, DS_WS_READY, cfg->container_name, path, sizeof(path));
	if (rc < 0)
		return rc;
	long long deadline = ds_now_ms() + (long long)seconds * 1000;
	int delay = 1;
	for (;;) {
		rc = ds_ready_read(path, r);
		if (rc == 1 && r->ready)
			return 0;
		/* A record that is not the monitor's (planted): not ready, and said so at the deadline. */
		struct ds_state st;
		if (ds_state_read_live(cfg->pidfile, &st) != 1)
			return -ESRCH;
		if (ds_now_ms() >= deadline)
			return rc < 0 ? rc : -ETIMEDOUT;
		ds_backoff(&delay);
	}
}

/* One console line as plain text: escape sequences and control characters dropped. */
static size_t plain_line(const char *src, size_t n, char *dst, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c == 0x1b) {
			/* CSI: ESC [ parameters final-byte; OSC: ESC ] text BEL (or ESC \); else ESC and one byte. */
			if (i + 1 < n && src[i + 1] == '[') {
				i += 2;
				while (i < n && !((unsigned char)src[i] >= 0x40 && (unsigned char)src[i] <= 0x7e))
					i++;
			} else if (i + 1 < n && src[i + 1] == ']') {
				i += 2;
				while (i < n && src[i] != 0x07 && !(src[i] == 0x1b && i + 1 < n && src[i + 1] == '\\'))
					i++;
				if (i < n && src[i] == 0x1b)
					i++;
			} else {
				i++;
			}
			continue;
		}
		/* C1 controls (U+0080-U+009F, 0xC2 0x80-0x9F in UTF-8; 0x9B alone is CSI to an 8-bit terminal). */
		if (c == 0xc2 && i + 1 < n && (unsigned char)src[i + 1] >= 0x80 && (unsigned char)src[i + 1] <= 0x9f) {
			i++;
			continue;
		}
		if (c >= 0x80 && c <= 0x9f && (o == 0 || (unsigned char)dst[o - 1] < 0x80))
			continue; /* not inside a UTF-8 character */
		if (c >= 0x20 && c != 0x7f)
			dst[o++] = (char)c;
		else if (c == '\t')
			dst[o++] = ' ';
	}
	dst[o] = '\0';
	return o;
}

/* Appends line to out (a line each), keeping at most keep lines: the oldest go first. */
static void keep_line(char *out, size_t size, const char *line, int keep)
{
	size_t len = strlen(out), add = strlen(line) + 1;
	int lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	while ((lines >= keep || len + add >= size) && len > 0) {
		char *nl = strchr(out, '\n');
		size_t cut = nl ? (size_t)(nl - out) + 1 : len;
		memmove(out, out + cut, len - cut + 1);
		len -= cut;
		lines--;
	}
	if (len + add < size)
		snprintf(out + len, size - len, "%s\n", line);
}

#define TAIL_READ (64 * 1024)
#define TAIL_LINES 15

int ds_ready_failure_lines(const struct ds_config *cfg, char *out, size_t size)
{
	char path[PATH_MAX];
	out[0] = '\0';
	if (ds_workspace_path(cfg->workspace, DS_WS_CONSOLE_LOG, cfg->container_name, path, sizeof(path)) < 0)
		return 0;
	_cleanup_close_ int fd = ds_open_regular(path, 1);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return 0;
	off_t from = st.st_size > TAIL_READ ? st.st_size - TAIL_READ : 0;
	/* One block: the log's tail, then the failed lines and the last lines kept. */
	_cleanup_free_ char *mem = malloc(TAIL_READ + 1 + 2 * size);
	if (!mem || lseek(fd, from, SEEK_SET) < 0)
		return 0;
	char *buf = mem, *failed = mem + TAIL_READ + 1, *last = failed + size;
	failed[0] = last[0] = '\0';
	ssize_t n = ds_read_all(fd, buf, TAIL_READ);
	if (n <= 0)
		return 0;
	char line[512];
	for (char *p = buf, *end = buf + n; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (plain_line(p, len, line, sizeof(line)) > 0) {
			/* systemd's console: "[FAILED] Failed to start UNIT - ...". */
			if (strstr(line, "[FAILED]") || strstr(line, "Failed to start"))
				keep_line(failed, size, line, TAIL_LINES);
			keep_line(last, size, line, TAIL_LINES);
		}
		p += len + 1;
	}
	int have_failed = failed[0] != '\0';
	snprintf(out, size, "%s", have_failed ? failed : last);
	return have_failed;
}
