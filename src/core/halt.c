/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/halt.h"
#include "core/cleanup.h"
#include "core/state.h"
#include "fs/cgroup.h"
#include "util/fileio.h"
#include "util/clock.h"
#include "util/macros.h"
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* How each init wants to be halted (signals documented by each project). */
static const struct {
	enum ds_init_kind kind;
	const char *exe; /* basename of /proc/PID/exe */
	const char *name;
	int signal; /* 0: computed at run time (see halt_signal) */
} inits[] = {
	/* SIGRTMIN+3 is systemd's halt; SIGTERM would make it re-execute itself. */
	{ DS_INIT_SYSTEMD, "systemd", "systemd", 0 },
	/* busybox init: SIGUSR2 is poweroff (SIGUSR1 halt, SIGTERM reboot). */
	{ DS_INIT_BUSYBOX, "busybox", "busybox", SIGUSR2 },
	/* openrc-init: SIGTERM (or SIGPWR) shuts down, SIGINT reboots. */
	{ DS_INIT_OPENRC, "openrc-init", "openrc-init", SIGTERM },
	/* runit: SIGCONT starts stage 3 when /etc/runit/stopit is executable. */
	{ DS_INIT_RUNIT, "runit", "runit", SIGCONT },
	/* s6-linux-init's s6-svscan: SIGUSR2 is poweroff. */
	{ DS_INIT_S6, "s6-svscan", "s6", SIGUSR2 },
	/* sysvinit: a runlevel-0 request on its initctl FIFO, SIGPWR as fallback. */
	{ DS_INIT_SYSVINIT, "init", "sysvinit", SIGPWR },
};

enum ds_init_kind ds_init_kind_from_exe(const char *exe)
{
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	for (size_t i = 0; i < ARRAY_SIZE(inits); i++)
		if (strcmp(base, inits[i].exe) == 0)
			return inits[i].kind;
	return DS_INIT_UNKNOWN;
}

const char *ds_init_kind_name(enum ds_init_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(inits); i++)
		if (inits[i].kind == kind)
			return inits[i].name;
	return "unknown";
}

enum ds_init_kind ds_init_detect(pid_t pid)
{
	char path[64], exe[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return DS_INIT_UNKNOWN;
	exe[n] = '\0';
	/* A deleted binary (upgraded in the guest) reads "path (deleted)". */
	char *del = strstr(exe, " (deleted)");
	if (del)
		*del = '\0';
	return ds_init_kind_from_exe(exe);
}

/* sysvinit's initreq.h (no system header has it). */
#define INIT_MAGIC 0x03091969
#define INIT_CMD_RUNLVL 1

void ds_initctl_request(char runlevel, unsigned char out[DS_INITREQ_SIZE])
{
	/* struct init_request of sysvinit's initreq.h: magic, cmd, runlevel, sleeptime, data. */
	memset(out, 0, DS_INITREQ_SIZE);
	int magic = INIT_MAGIC, cmd = INIT_CMD_RUNLVL, level = runlevel, sleeptime = 0;
	memcpy(out, &magic, 4);
	memcpy(out + 4, &cmd, 4);
	memcpy(out + 8, &level, 4);
	memcpy(out + 12, &sleeptime, 4);
}

static int sysvinit_request_halt(pid_t pid)
{
	static const char *const fifos[] = { "run/initctl", "dev/initctl" };
	_cleanup_close_ int rootfd = ds_proc_root_open(pid);
	if (rootfd < 0)
		return rootfd;
	for (size_t i = 0; i < ARRAY_SIZE(fifos); i++) {
		/* Resolved inside the guest's root (its links never reach the host's FIFO), then fstat. */
		_cleanup_close_ int fd = ds_openat_in_root(rootfd, fifos[i], O_WRONLY | O_NONBLOCK, 0, 0);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
			continue;
		unsigned char req[DS_INITREQ_SIZE];
		ds_initctl_request('0', req);
		if (ds_write_all(fd, req, sizeof(req)) == (ssize_t)sizeof(req))
			return 0;
	}
	return -ENOENT;
}

#define GLIBC_SIGRTMIN 34

static int halt_signal(enum ds_init_kind kind)
{
	/*
	 * systemd's SIGRTMIN+3 counts from glibc's SIGRTMIN (34), not the C
	 * library ours is built with: musl's SIGRTMIN is 35, and 35 + 3 is
	 * glibc's SIGRTMIN+4, a poweroff.
	 */
	if (kind == DS_INIT_SYSTEMD)
		return GLIBC_SIGRTMIN + 3;
	for (size_t i = 0; i < ARRAY_SIZE(inits); i++)
		if (inits[i].kind == kind && inits[i].signal)
			return inits[i].signal;
	return SIGTERM;
}

int ds_halt_send(pid_t pid)
{
	enum ds_init_kind kind = ds_init_detect(pid);
	if (kind == DS_INIT_SYSVINIT && sysvinit_request_halt(pid) == 0)
		return 0;
	return kill(pid, halt_signal(kind)) < 0 ? negerrno() : 0;
}

/* Bit sig of one hexadecimal mask line ("SigCgt:\t0000000000014a07"): 1, 0, or -1 when absent. */
static int mask_has(const char *status, const char *key, int sig)
{
	const char *p = strstr(status, key);
	while (p && p != status && p[-1] != '\n')
		p = strstr(p + 1, key);
	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	size_t len = strspn(p, "0123456789abcdefABCDEF");
	size_t digit = (size_t)(sig - 1) / 4;
	if (sig < 1 || len == 0 || digit >= len)
		return len ? 0 : -1;
	char c = p[len - 1 - digit];
	int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
	return (v >> ((sig - 1) % 4)) & 1;
}

int ds_status_takes_signal(const char *status, int sig)
{
	int cgt = mask_has(status, "SigCgt:", sig), blk = mask_has(status, "SigBlk:", sig);
	if (cgt < 0 && blk < 0)
		return -1;
	/* A blocked signal is kept pending (signalfd users such as systemd), never dropped. */
	return cgt == 1 || blk == 1;
}

/* 1: pid catches or blocks sig now; 0: not yet; <0: gone or unreadable. */
static int takes_signal(pid_t pid, int sig)
{
	char buf[4096];
	ssize_t n = ds_proc_status(pid, buf, sizeof(buf));
	return n < 0 ? (int)n : ds_status_takes_signal(buf, sig);
}

/* Waits until the process with this start time is gone; 1 when gone. */
static int wait_gone(pid_t pid, unsigned long long starttime, int timeout_ms)
{
	long long deadline = ds_now_ms() + timeout_ms;
#ifdef SYS_pidfd_open
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		/* Linux 5.3+: sleep until the exit itself, no polling. */
		if (ds_proc_starttime(pid) != starttime) {
			close(pfd);
			return 1;
		}
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		for (;;) {
			long long left = deadline - ds_now_ms();
			int n = poll(&p, 1, left > 0 ? (int)left : 0);
			if (n < 0 && errno == EINTR)
				continue;
			close(pfd);
			return n > 0;
		}
	}
#endif
	/* Older kernels: poll /proc with a backoff from 1 to 50 ms. */
	int delay = 1;
	while (ds_proc_starttime(pid) == starttime) {
		if (ds_now_ms() >= deadline)
			return 0;
		ds_backoff(&delay);
	}
	return 1;
}

/*
 * The kernel drops a signal to a PID-namespace init that neither catches
 * nor blocks it: right after start, init may not have installed its
 * handlers yet, and a halt sent then is lost (the guest was SIGKILLed at
 * the timeout). So the signal is sent at once, and again as soon as
 * /proc/PID/status shows init catching or blocking it. An init waiting in
 * sigtimedwait(2) shows neither (the kernel unblocks the waited signals
 * meanwhile), so until one send happened while init visibly took the
 * signal, it is also resent with a backoff from 50 ms to 2 s. Inits reset
 * their handlers once halting, so a late copy is dropped, not acted on
 * twice. 1 when init is gone within timeout_ms.
 */
#define HALT_RESEND_FIRST_MS 50
#define HALT_RESEND_MAX_MS 2000
#define HALT_NAP_MS 20 /* how often, until init takes the signal, its handlers are looked at */

static int halt_and_wait(pid_t pid, unsigned long long starttime, int timeout_ms)
{
	long long deadline = ds_now_ms() + timeout_ms, next = 0;
	enum ds_init_kind kind = ds_init_detect(pid);
	int sig = kind == DS_INIT_SYSVINIT ? SIGPWR : halt_signal(kind), interval = HALT_RESEND_FIRST_MS, taken = 0;
	for (;;) {
		if (ds_proc_starttime(pid) != starttime)
			return 1;
		long long now = ds_now_ms();
		if (now >= deadline)
			return 0;
		int t = takes_signal(pid, sig);
		if (!taken && (now >= next || t == 1)) {
			/* sysvinit: a runlevel request on its FIFO where it has one, else SIGPWR. */
			if (!(kind == DS_INIT_SYSVINIT && sysvinit_request_halt(pid) == 0))
				kill(pid, sig);
			taken = t == 1;
			next = now + interval;
			if (interval < HALT_RESEND_MAX_MS)
				interval = interval * 2 < HALT_RESEND_MAX_MS ? interval * 2 : HALT_RESEND_MAX_MS;
		}
		/* Short naps until init takes the signal, then sleep until its exit. */
		long long until = taken ? deadline : (next < now + HALT_NAP_MS ? next : now + HALT_NAP_MS);
		if (until > deadline)
			until = deadline;
		if (until > now && wait_gone(pid, starttime, (int)(until - now)))
			return 1;
	}
}

static int monitor_alive(pid_t monitor)
{
	char path[64], comm[32];
	if (monitor <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)monitor);
	return ds_read_file(path, comm, sizeof(comm)) > 0 && strcmp(ds_chomp(comm), "[ds-monitor]") == 0;
}

/* A pidfile's cgroup= is only used when it is one of ours: droidspaces/<valid name>. */
static int own_cgroup(const struct ds_state *st)
{
	return strncmp(st->cgroup, "droidspaces/", 12) == 0 && ds_name_validate(st->cgroup + 12) == 0;
}

/* SIGKILL of a PID namespace's init: the kernel kills every task in it, which takes a moment. */
#define KILL_TIMEOUT_MS 10000
/* A parallel stop holds the name's lock only for a moment: wait that long even past the deadline. */
#define LOCK_MIN_WAIT_MS 1000

int ds_stop(struct ds_config *cfg, struct ds_error *err)
{
	struct ds_state st;
	int live = ds_state_read_live(cfg->pidfile, &st);
	if (live < 0)
		return ds_state_fail(err, live, cfg->pidfile);
	struct ds_cgroups cg;
	ds_cgroup_detect(&cg);
	if (!live) {
		/* A stale pidfile: tidy up after a crash, then report. */
		if (access(cfg->pidfile, F_OK) == 0) {
			int lockfd = ds_lock_name(cfg, cfg->container_name, 0);
			if (lockfd >= 0) {
				/* Never trust a stale pidfile's cgroup= line: only our own name's cgroup. */
				ds_cleanup_container(cfg, &cg, cfg->rt.cgroup_rel);
				close(lockfd);
			}
		}
		return ds_fail(err, DS_EINVAL_MSG, "container %s is not running", cfg->container_name);
	}
	if (monitor_alive(st.monitor))
		kill(st.monitor, SIGUSR1); /* a halt, not a reboot: the monitor must not restart it */
	if (!halt_and_wait(st.pid, st.starttime, cfg->settings.stop_timeout * 1000)) {
		/* SIGKILL of PID 1 tears down the whole PID namespace. */
		kill(st.pid, SIGKILL);
		if (!wait_gone(st.pid, st.starttime, KILL_TIMEOUT_MS))
			return ds_fail(err, -ETIMEDOUT, "container %s (pid %d) did not die", cfg->container_name,
				       (int)st.pid);
	}
	/*
	 * The monitor cleans up, releases the lock and exits: sleep until its
	 * exit (a pidfd where the kernel has them), then take the lock, which
	 * a parallel stop may hold for a moment.
	 */
	long long deadline = ds_now_ms() + DS_MONITOR_CLEANUP_TIMEOUT_MS;
	unsigned long long mon_start = st.monitor > 0 ? ds_proc_starttime(st.monitor) : 0;
	if (mon_start && monitor_alive(st.monitor))
		wait_gone(st.monitor, mon_start, DS_MONITOR_CLEANUP_TIMEOUT_MS);
	long long left = deadline - ds_now_ms();
	int lockfd =
		ds_lock_name_timeout(cfg, cfg->container_name, left > LOCK_MIN_WAIT_MS ? (int)left : LOCK_MIN_WAIT_MS);
	if (lockfd < 0)
		return ds_fail(err, lockfd, "container %s stopped, but its monitor did not finish cleaning up",
			       cfg->container_name);
	/* Monitor gone before us (killed): finish its cleanup here. */
	int r = 0;
	if (access(cfg->pidfile, F_OK) == 0 || !monitor_alive(st.monitor))
		r = ds_cleanup_container(cfg, &cg, own_cgroup(&st) ? st.cgroup : cfg->rt.cgroup_rel);
	close(lockfd);
	return r < 0 ? ds_fail(err, r, "cannot clean up after container %s", cfg->container_name) : 0;
}
