/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/state.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/clock.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void ds_config_init(struct ds_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->settings.stop_timeout = DS_STOP_TIMEOUT_DEFAULT;
	cfg->rt.console.master = cfg->rt.console.slave = -1;
	cfg->rt.loop_fd = cfg->rt.cg_claim_fd = -1;
	cfg->rt.rootfs_fd = cfg->rt.image_fd = -1;
	for (int i = 0; i < DS_MAX_TTYS; i++)
		cfg->rt.ttys[i].master = cfg->rt.ttys[i].slave = -1;
}

void ds_name_candidate(const char *base, int i, char out[DS_NAME_MAX + 1])
{
	if (i == 0)
		snprintf(out, DS_NAME_MAX + 1, "%s", base);
	else
		snprintf(out, DS_NAME_MAX + 1, "%.*s-%d", DS_NAME_MAX - 6, base, i);
}

int ds_config_set_name(struct ds_config *cfg, const char *name, struct ds_error *err)
{
	if (ds_name_validate(name) < 0)
		return ds_fail(err, DS_EINVAL_MSG,
			       "invalid container name '%.80s': use 1-%d characters of A-Z a-z 0-9 . _ - (not . or ..)",
			       name, DS_NAME_MAX);
	snprintf(cfg->container_name, sizeof(cfg->container_name), "%s", name);
	if (!cfg->pidfile[0] || ds_workspace_is_default(DS_WS_PIDFILE, cfg->pidfile))
		ds_workspace_path(cfg->workspace, DS_WS_PIDFILE, name, cfg->pidfile, sizeof(cfg->pidfile));
	snprintf(cfg->rt.cgroup_rel, sizeof(cfg->rt.cgroup_rel), "droidspaces/%s", name);
	return 0;
}

int ds_uuid_generate(char out[DS_UUID_LEN + 1])
{
	unsigned char raw[DS_UUID_LEN / 2];
	_cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negerrno();
	ssize_t n = ds_read_all(fd, raw, sizeof(raw));
	if (n != (ssize_t)sizeof(raw))
		return n < 0 ? (int)n : -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

unsigned long long ds_proc_starttime(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

int ds_host_boot_id(char out[40])
{
	char buf[64];
	ssize_t n = ds_read_file("/proc/sys/kernel/random/boot_id", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	snprintf(out, 40, "%s", ds_chomp(buf));
	return 0;
}

int ds_state_format(const struct ds_state *st, char *buf, size_t size)
{
	/* A newline in a value would forge the identity fields that follow. */
	if (strpbrk(st->uuid, "\n\r") || strpbrk(st->boot_id, "\n\r") || strpbrk(st->rootfs, "\n\r") ||
	    strpbrk(st->cgroup, "\n\r"))
		return -EINVAL;
	int n = snprintf(buf, size, "%d\nmonitor=%d\nstarttime=%llu\nuuid=%s\nboot_id=%s\nrootfs=%s\ncgroup=%s\n",
			 (int)st->pid, (int)st->monitor, st->starttime, st->uuid, st->boot_id, st->rootfs, st->cgroup);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int parse_pid(const char *s, pid_t *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || (*end && *end != '\n') || v <= 0 || v > 0x3fffffff)
		return -EINVAL;
	*out = (pid_t)v;
	return 0;
}

int ds_state_parse(const char *text, struct ds_state *st)
{
	memset(st, 0, sizeof(*st));
	char line[PATH_MAX + 32];
	const char *p = text;
	int lineno = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		/* No value may carry a control character (a forged field, a CR). */
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
				return -EINVAL;
		if (lineno++ == 0) {
			if (parse_pid(line, &st->pid) < 0)
				return -EINVAL;
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *v = eq + 1;
		if (strcmp(line, "monitor") == 0)
			parse_pid(v, &st->monitor);
		else if (strcmp(line, "starttime") == 0)
			st->starttime = strtoull(v, NULL, 10);
		else if (strcmp(line, "uuid") == 0)
			snprintf(st->uuid, sizeof(st->uuid), "%s", v);
		else if (strcmp(line, "boot_id") == 0)
			snprintf(st->boot_id, sizeof(st->boot_id), "%s", v);
		else if (strcmp(line, "rootfs") == 0)
			snprintf(st->rootfs, sizeof(st->rootfs), "%s", v);
		else if (strcmp(line, "cgroup") == 0)
			snprintf(st->cgroup, sizeof(st->cgroup), "%s", v);
	}
	return st->pid > 0 ? 0 : -EINVAL;
}

int ds_state_read(const char *pidfile, struct ds_state *st)
{
	char buf[3 * PATH_MAX];
	struct stat sb;
	/* A device node is not even opened (opening one may act on the device). */
	if (lstat(pidfile, &sb) < 0)
		return errno == ENOENT ? 0 : negerrno();
	if (!S_ISREG(sb.st_mode))
		return DS_ENOTPIDFILE;
	/* Swapped since: O_NOFOLLOW refuses a symlink, O_NONBLOCK keeps a FIFO from hanging us. */
	_cleanup_close_ int fd = open(pidfile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : errno == ELOOP ? DS_ENOTPIDFILE : negerrno();
	if (fstat(fd, &sb) < 0)
		return negerrno();
	if (!S_ISREG(sb.st_mode) || sb.st_size >= (off_t)sizeof(buf))
		return DS_ENOTPIDFILE;
	ssize_t n = ds_read_all(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	if (strlen(buf) != (size_t)n || ds_state_parse(buf, st) < 0)
		return DS_ENOTPIDFILE;
	return 1;
}

int ds_state_write(const char *pidfile, const struct ds_state *st)
{
	char buf[3 * PATH_MAX];
	struct ds_state old;
	int r = ds_state_format(st, buf, sizeof(buf));
	if (r < 0)
		return r;
	/* Replace only what we wrote; errno too, for callers that report it. */
	r = ds_state_read(pidfile, &old);
	if (r < 0) {
		errno = -r;
		return r;
	}
	/* Not durable: after a host crash the boot_id in it voids it anyway. */
	return ds_write_file_atomic(pidfile, buf, 0644, 0);
}

int ds_state_unlink(const char *pidfile)
{
	struct ds_state st;
	int r = ds_state_read(pidfile, &st);
	if (r <= 0)
		return r;
	return unlink(pidfile) < 0 && errno != ENOENT ? negerrno() : 0;
}

int ds_state_fail(struct ds_error *err, int r, const char *pidfile)
{
	if (r == DS_ENOTPIDFILE)
		return ds_fail(err, DS_EINVAL_MSG,
			       "%s is not a droidspaces pidfile (or not a regular file): refusing to use it", pidfile);
	return ds_fail(err, r, "cannot read the pidfile %s", pidfile);
}

/* The PID namespace of pid (st_dev/st_ino of /proc/PID/ns/pid); -1 when it is gone. */
static int pidns_of(pid_t pid, struct stat *st)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, st);
}

static int same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Without NSpid (kernels before 4.1): pid is in a PID namespace that is neither ours nor its
 * parent's (so it heads a chain of its namespace, as an init or a process a setns() made, like
 * the child of `run`), and no other process of that namespace started before it: the init is
 * always its first process (nothing can join a namespace before its init exists). Equal start
 * times (one clock tick) go to the lower PID. /proc is scanned only for the few that head a chain.
 */
static int is_nested_init_walk(pid_t pid, const char *status)
{
	struct stat mine, self, parent;
	const char *l = strstr(status, "\nPPid:");
	long ppid = l ? strtol(l + 6, NULL, 10) : 0;
	if (pid <= 1 || ppid <= 0 || pidns_of(pid, &mine) < 0 || pidns_of(getpid(), &self) < 0 ||
	    same_ns(&mine, &self) || pidns_of((pid_t)ppid, &parent) < 0 || same_ns(&mine, &parent))
		return 0;
	unsigned long long start = ds_proc_starttime(pid);
	DIR *d = opendir("/proc");
	if (!start || !d) {
		if (d)
			closedir(d);
		return 0;
	}
	int first = 1;
	for (struct dirent *e; first && (e = readdir(d));) {
		char *end;
		long q = strtol(e->d_name, &end, 10);
		struct stat other;
		if (*end || q <= 0 || q == pid || pidns_of((pid_t)q, &other) < 0 || !same_ns(&mine, &other))
			continue;
		unsigned long long t = ds_proc_starttime((pid_t)q);
		if (t && (t < start || (t == start && q < pid)))
			first = 0;
	}
	closedir(d);
	return first && ds_proc_starttime(pid) == start;
}

/* The last NSpid value is 1 for the init of a nested PID namespace. */
static int is_nested_init(pid_t pid, const char *status)
{
	const char *l = ds_fault_active("no-nspid") ? NULL : strstr(status, "\nNSpid:");
	if (!l)
		return is_nested_init_walk(pid, status);
	int fields = 0;
	long last = 0;
	for (const char *p = l + 7; *p && *p != '\n';) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		fields++;
		last = v;
		p = end;
	}
	return fields >= 2 && last == 1 && pid > 1;
}

/* Real and effective UID 0 (the "Uid:" line of /proc/PID/status). */
static int run_by_root(const char *status)
{
	const char *l = strstr(status, "\nUid:");
	char *end;
	if (!l)
		return 0;
	long real = strtol(l + 5, &end, 10);
	long eff = strtol(end, NULL, 10);
	return end != l + 5 && real == 0 && eff == 0;
}

static int in_host_userns(pid_t pid)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * The NAME of "/droidspaces/NAME[/...]" in /proc/PID/cgroup (paths of the
 * host's tree: we are in its cgroup namespace).  Every hierarchy that
 * places pid under /droidspaces/ must agree on NAME.
 */
static int droidspaces_cgroup(pid_t pid, char name[DS_NAME_MAX + 1])
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	int found = 0;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *rel = strchr(line, ':');
		rel = rel ? strchr(rel + 1, ':') : NULL;
		if (!rel || strncmp(rel + 1, "/droidspaces/", 13) != 0)
			continue;
		char *n = rel + 14, *slash = strchr(n, '/');
		if (slash)
			*slash = '\0';
		if (ds_name_validate(n) < 0 || (found && strcmp(n, name) != 0))
			return 0;
		snprintf(name, DS_NAME_MAX + 1, "%s", n);
		found = 1;
	}
	return found;
}

int ds_proc_container_init(pid_t pid, char name[DS_NAME_MAX + 1])
{
	char status[4096], cg[DS_NAME_MAX + 1];
	if (ds_proc_status(pid, status, sizeof(status)) < 0 || !is_nested_init(pid, status) || !run_by_root(status) ||
	    !in_host_userns(pid) || !droidspaces_cgroup(pid, cg))
		return 0;
	if (name)
		snprintf(name, DS_NAME_MAX + 1, "%s", cg);
	return 1;
}

int ds_state_alive(const struct ds_state *st, const char *name)
{
	/* A pidfile from an earlier boot of the host names nobody. */
	char boot_id[40];
	if (st->boot_id[0] && ds_host_boot_id(boot_id) == 0 && strcmp(boot_id, st->boot_id) != 0)
		return 0;
	if (kill(st->pid, 0) < 0 && errno == ESRCH)
		return 0;
	/* PID reuse: the process must be the one that was started. */
	if (st->starttime && ds_proc_starttime(st->pid) != st->starttime)
		return 0;
	/* A zombie init has ended; it only waits for a reaper. */
	char path[64], stat[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)st->pid);
	if (ds_read_file(path, stat, sizeof(stat)) > 0) {
		char *p = strrchr(stat, ')');
		if (p && p[1] == ' ' && p[2] == 'Z')
			return 0;
	}
	if (st->starttime && st->boot_id[0])
		return 1;
	/* No identity: a bare PID proves nothing, whatever process has it now. */
	char cg[DS_NAME_MAX + 1];
	return name && ds_proc_container_init(st->pid, cg) && strcmp(cg, name) == 0;
}

int ds_state_read_live(const char *pidfile, struct ds_state *st)
{
	int r = ds_state_read(pidfile, st);
	if (r <= 0)
		return r;
	/* "<name>.pid": the name whose cgroup an identity-less pidfile's PID must be in. */
	char name[DS_NAME_MAX + 1];
	int named = ds_workspace_name_of(DS_WS_PIDFILE, pidfile, name) == 0;
	int alive = ds_state_alive(st, named ? name : NULL);
	/* Proven without a start time (an older pidfile): this process is the identity from here on. */
	if (alive == 1 && !st->starttime)
		st->starttime = ds_proc_starttime(st->pid);
	return alive;
}

int ds_lock_name(const struct ds_config *cfg, const char *name, int wait)
{
	char path[PATH_MAX];
	int r = ds_workspace_path(cfg->workspace, DS_WS_LOCK, name, path, sizeof(path));
	if (r < 0)
		return r;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return negerrno();
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		r = errno == EWOULDBLOCK ? -EWOULDBLOCK : negerrno();
		close(fd);
		return r;
	}
	return fd;
}

int ds_lock_name_timeout(const struct ds_config *cfg, const char *name, int timeout_ms)
{
	long long deadline = ds_now_ms() + timeout_ms;
	int delay = 1;
	for (;;) {
		int fd = ds_lock_name(cfg, name, 0);
		if (fd != -EWOULDBLOCK)
			return fd;
		if (ds_now_ms() >= deadline)
			return -ETIMEDOUT;
		/* flock(2) has no timeout; back off from 1 ms to 50 ms. */
		ds_backoff(&delay);
	}
}
