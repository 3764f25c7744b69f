/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/monitor.h"
#include "core/cleanup.h"
#include "core/halt.h"
#include "core/launch.h"
#include "core/state.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif

#define DS_LOG_MAX (1024 * 1024) /* rotate console.log past 1 MiB, keep one old file */

struct console_log {
	char path[PATH_MAX];
	int fd;
	off_t size;
};

static void log_rotate(struct console_log *log)
{
	char old[PATH_MAX + 4];
	snprintf(old, sizeof(old), "%s.1", log->path);
	rename(log->path, old);
	int fd = open(log->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd >= 0) {
		dup2(fd, log->fd); /* keep the fd number: the init children inherit it */
		fcntl(log->fd, F_SETFD, FD_CLOEXEC);
		close(fd);
	}
	log->size = 0;
}

static void log_write(struct console_log *log, const char *buf, size_t n)
{
	if (log->fd < 0)
		return;
	if (log->size + (off_t)n > DS_LOG_MAX)
		log_rotate(log);
	/* A full disk must never block the console: the data is dropped instead. */
	if (ds_write_all(log->fd, buf, n) > 0)
		log->size += (off_t)n;
}

/* Reads what the console has; returns 0 when it would block. */
static void drain_console(int master, struct console_log *log)
{
	char buf[16384];
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));
		if (n > 0) {
			log_write(log, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return;
	}
}

static void send_sync(int *syncfd, const struct ds_sync_msg *msg)
{
	if (*syncfd < 0)
		return;
	ds_write_all(*syncfd, msg, sizeof(*msg));
	close(*syncfd);
	*syncfd = -1;
}

static int write_pidfile(const struct ds_config *cfg, pid_t init_pid)
{
	struct ds_state st = { .pid = init_pid, .monitor = getpid() };
	st.starttime = ds_proc_starttime(init_pid);
	snprintf(st.uuid, sizeof(st.uuid), "%s", cfg->uuid);
	ds_host_boot_id(st.boot_id);
	snprintf(st.rootfs, sizeof(st.rootfs), "%s", cfg->rootfs_path);
	snprintf(st.cgroup, sizeof(st.cgroup), "%s", cfg->cgroup_rel);
	return ds_state_write(cfg->pidfile, &st);
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	/* A caller reading our stdout (a pipe, a test harness) must see EOF. */
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

void ds_monitor_main(struct ds_config *cfg, const struct ds_cgroups *cg, int lockfd, int logfd,
		     int syncfd)
{
	(void)lockfd; /* held, never closed: the lock lives as long as we do */
	struct console_log log = { .fd = logfd };
	ds_workspace_path(cfg, "Logs", cfg->container_name, "/console.log", log.path, sizeof(log.path));
	struct stat lst;
	if (fstat(logfd, &lst) == 0)
		log.size = lst.st_size;

	setsid();
	prctl(PR_SET_NAME, "[ds-monitor]", 0, 0, 0);
	/* Init is forked by a helper that exits: we must inherit it to reap it. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	detach_stdio();
	signal(SIGPIPE, SIG_IGN);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	fcntl(cfg->console.master, F_SETFL, fcntl(cfg->console.master, F_GETFL) | O_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = cfg->console.master };
	epoll_ctl(epfd, EPOLL_CTL_ADD, cfg->console.master, &ev);
	ev.data.fd = sfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);

	struct ds_sync_msg msg = { 0 };
	int status = 0, stopping = 0;
	if (sfd < 0 || epfd < 0) {
		msg.type = 'E';
		ds_fail(&msg.err, negerrno(), "cannot set up the monitor's event loop");
		send_sync(&syncfd, &msg);
		ds_cleanup_container(cfg, cg, cfg->cgroup_rel);
		_exit(1);
	}
	if (ds_cgroup_create(cg, cfg->cgroup_rel, &msg.err) < 0) {
		msg.type = 'E';
		send_sync(&syncfd, &msg);
		ds_cleanup_container(cfg, cg, cfg->cgroup_rel);
		_exit(1);
	}

	for (;;) {
		/* One boot: a fresh PID namespace, UTS, IPC and init. */
		pid_t init_pid = ds_spawn_init(cfg, cg, syncfd, logfd, &msg.err);
		if (init_pid < 0) {
			msg.type = 'E';
			send_sync(&syncfd, &msg);
			break;
		}
		write_pidfile(cfg, init_pid);
		msg.type = 'P';
		msg.pid = init_pid;
		send_sync(&syncfd, &msg);

		int init_done = 0;
		while (!init_done) {
			struct epoll_event evs[4];
			int n = epoll_wait(epfd, evs, 4, -1);
			if (n < 0 && errno != EINTR)
				break;
			for (int i = 0; i < n; i++) {
				if (evs[i].data.fd == cfg->console.master) {
					drain_console(cfg->console.master, &log);
					continue;
				}
				struct signalfd_siginfo si;
				while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					if (si.ssi_signo == SIGUSR1) {
						stopping = 1; /* `stop` is halting the guest: no reboot */
					} else if (si.ssi_signo != SIGCHLD) {
						/* The host is shutting us down: halt the guest the proper way. */
						stopping = 1;
						ds_halt_send(init_pid);
					}
				}
				pid_t w;
				int st;
				while ((w = waitpid(-1, &st, WNOHANG)) > 0)
					if (w == init_pid) {
						status = st;
						init_done = 1;
					}
			}
		}
		drain_console(cfg->console.master, &log);
		/* reboot(2) in a PID namespace ends init with SIGHUP; halt/poweroff with SIGINT. */
		int reboot = WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP && !stopping;
		if (!reboot)
			break;
		static const char note[] = "\r\n[droidspaces] guest rebooted: starting it again\r\n";
		log_write(&log, note, sizeof(note) - 1);
		ds_cgroup_destroy(cg, cfg->cgroup_rel, 5000);
		if (ds_cgroup_create(cg, cfg->cgroup_rel, &msg.err) < 0 || ds_uuid_generate(cfg->uuid) < 0)
			break;
	}
	ds_cleanup_container(cfg, cg, cfg->cgroup_rel);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 0);
}
