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
	const char *exe;      /* basename of /proc/PID/exe */
	const char *name;
	int signal;           /* 0: computed at run time (SIGRTMIN is not a constant) */
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

void ds_initctl_request(char runlevel, unsigned char out[384])
{
	/* struct init_request of sysvinit's initreq.h: magic, cmd, runlevel, sleeptime, data. */
	memset(out, 0, 384);
	int magic = 0x03091969, cmd = 1 /* INIT_CMD_RUNLVL */, level = runlevel, sleeptime = 0;
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
		unsigned char req[384];
		ds_initctl_request('0', req);
		if (ds_write_all(fd, req, sizeof(req)) == (ssize_t)sizeof(req))
			return 0;
	}
	return -ENOENT;
}

int ds_halt_send(pid_t pid)
{
	enum ds_init_kind kind = ds_init_detect(pid);
	int sig = SIGTERM;
	if (kind == DS_INIT_SYSTEMD)
		sig = SIGRTMIN + 3;
	else if (kind == DS_INIT_SYSVINIT && sysvinit_request_halt(pid) == 0)
		return 0;
	else
		for (size_t i = 0; i < ARRAY_SIZE(inits); i++)
			if (inits[i].kind == kind && inits[i].signal)
				sig = inits[i].signal;
	return kill(pid, sig) < 0 ? negerrno() : 0;
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
		poll(NULL, 0, delay);
		if (delay < 50)
			delay *= 2;
	}
	return 1;
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

int ds_stop(struct ds_config *cfg, struct ds_error *err)
{
	struct ds_state st;
	int live = ds_state_read_live(cfg->pidfile, &st);
	if (live < 0)
		return ds_fail(err, live, "cannot read %s", cfg->pidfile);
	struct ds_cgroups cg;
	ds_cgroup_detect(&cg);
	if (!live) {
		/* A stale pidfile: tidy up after a crash, then report. */
		if (access(cfg->pidfile, F_OK) == 0) {
			int lockfd = ds_lock_name(cfg, cfg->container_name, 0);
			if (lockfd >= 0) {
				/* Never trust a stale pidfile's cgroup= line: only our own name's cgroup. */
				ds_cleanup_container(cfg, &cg, cfg->cgroup_rel);
				close(lockfd);
			}
		}
		return ds_fail(err, DS_EINVAL_MSG, "container %s is not running", cfg->container_name);
	}
	if (monitor_alive(st.monitor))
		kill(st.monitor, SIGUSR1); /* a halt, not a reboot: the monitor must not restart it */
	ds_halt_send(st.pid);
	if (!wait_gone(st.pid, st.starttime, cfg->stop_timeout * 1000)) {
		/* SIGKILL of PID 1 tears down the whole PID namespace. */
		kill(st.pid, SIGKILL);
		if (!wait_gone(st.pid, st.starttime, 10000))
			return ds_fail(err, -ETIMEDOUT, "container %s (pid %d) did not die", cfg->container_name, (int)st.pid);
	}
	/*
	 * The monitor cleans up, releases the lock and exits: sleep until its
	 * exit (a pidfd where the kernel has them), then take the lock, which
	 * a parallel stop may hold for a moment.
	 */
	long long deadline = ds_now_ms() + 15000;
	unsigned long long mon_start = st.monitor > 0 ? ds_proc_starttime(st.monitor) : 0;
	if (mon_start && monitor_alive(st.monitor))
		wait_gone(st.monitor, mon_start, 15000);
	long long left = deadline - ds_now_ms();
	int lockfd = ds_lock_name_timeout(cfg, cfg->container_name, left > 1000 ? (int)left : 1000);
	if (lockfd < 0)
		return ds_fail(err, lockfd, "container %s stopped, but its monitor did not finish cleaning up",
			       cfg->container_name);
	/* Monitor gone before us (killed): finish its cleanup here. */
	int r = 0;
	if (access(cfg->pidfile, F_OK) == 0 || !monitor_alive(st.monitor))
		r = ds_cleanup_container(cfg, &cg, own_cgroup(&st) ? st.cgroup : cfg->cgroup_rel);
	close(lockfd);
	return r < 0 ? ds_fail(err, r, "cannot clean up after container %s", cfg->container_name) : 0;
}
