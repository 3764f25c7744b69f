/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/monitor.h"
#include "core/cleanup.h"
#include "core/console.h"
#include "core/halt.h"
#include "core/boot.h"
#include "core/ready.h"
#include "core/seccomp.h"
#include "core/state.h"
#include "core/userns.h"
#include "fs/devices.h"
#include "fs/storage.h"
#include "host/nat.h"
#include "host/netlink.h"
#include "util/fault.h"
#include "util/fdpass.h"
#include "util/fds.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif

#define DS_LOG_MAX (1024 * 1024) /* rotate the console log past 1 MiB, keep one old file */
#define CONSOLE_TURN_READS 64    /* reads of console output per turn of the event loop */
#define INIT_EXIT_POLL_MS 1000   /* without a subreaper, how often /proc is asked whether init is gone */
#define ROUTE_RETRY_MS 500       /* the namespace's network lock busy: when the uplink is looked at again */
#define NOTIFY_TURN_READS 16     /* notify datagrams per turn of the event loop */
#define READY_POLL_MS 100        /* until ready, how often the guest's own marks are looked at ... */
#define READY_POLL_SLOW_MS 1000  /* ... and after READY_POLL_FAST_FOR_MS of not being ready */
#define READY_POLL_FAST_FOR_MS 10000

struct console_log {
	char path[PATH_MAX];
	char old[PATH_MAX]; /* where a rotation moves path */
	int fd;
	off_t size;
};

static void log_rotate(struct console_log *log)
{
	rename(log->path, log->old);
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

/* In init before exec: tell the parent (first boot) and the log why boot failed. */
static __attribute__((noreturn)) void init_failed(const struct ds_error *e, int errfd, int logfd)
{
	char text[700], line[720];
	ds_error_text(e, text, sizeof(text));
	int n = snprintf(line, sizeof(line), "[droidspaces] boot failed: %s\r\n", text);
	if (logfd >= 0)
		ds_write_all(logfd, line, (size_t)n);
	if (errfd >= 0) {
		struct ds_sync_msg msg = { .type = DS_SYNC_ERROR, .err = *e };
		ds_write_all(errfd, &msg, sizeof(msg));
	}
	_exit(127);
}

/*
 * Forks the helper and init for one boot; returns init's host PID
 * (reparented to the monitor, a child subreaper), or a negative errno with
 * err filled. errfd receives the init's boot error when it fails later.
 * Init waits for 'g' on *go_fd before it sets up its mounts (ds_boot), and
 * for 'd' on it before it executes the guest's init (the device policy is in
 * place); EOF at either wait ends it with nothing of the guest's run.
 */
static pid_t spawn_init(const struct ds_config *cfg, const struct ds_cgroups *cg, int errfd, int logfd, int *go_fd,
			struct ds_error *err)
{
	int p[2], go[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ds_fail(err, negerrno(), "cannot create a pipe");
	/* A socket: with --private-users the go byte brings the idmapped rootfs along. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) < 0) {
		close(p[0]);
		close(p[1]);
		return ds_fail(err, negerrno(), "cannot create a pipe");
	}
	pid_t helper = fork();
	if (helper < 0) {
		close(p[0]);
		close(p[1]);
		close(go[0]);
		close(go[1]);
		return ds_fail(err, negerrno(), "cannot fork");
	}
	if (helper == 0) {
		close(p[0]);
		close(go[1]);
		/*
		 * Only children enter a new PID namespace: unshare here, fork init next.
		 * --private-users: the user namespace first (the kernel creates it before
		 * the others in one unshare), so that it owns them and guest root has
		 * its capabilities over them only; the monitor writes its maps.
		 */
		long reply;
		int userns = cfg->settings.userns.mode != DS_USERNS_OFF ? CLONE_NEWUSER : 0;
		/*
		 * In its user namespace the helper could not move init into the cgroup
		 * (and a failed clone3 into a new PID namespace leaves it unable to
		 * fork at all): the helper joins every cgroup of init first, as host root.
		 */
		struct ds_error jerr = { 0 };
		if (userns && (ds_cgroup_join_self(cg, cfg->rt.cgroup_rel, &jerr) < 0 ||
			       ds_cgroup_limits_join(cg, cfg->rt.cgroup_rel, &cfg->settings.limits, &jerr) < 0)) {
			reply = jerr.code;
		} else if (unshare(userns | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
				   (cfg->settings.net_mode != DS_NET_HOST ? CLONE_NEWNET : 0)) < 0) {
			reply = -errno;
		} else {
			/* init is born in its cgroup where the kernel can do that (no migration). */
			char cgdir[PATH_MAX + 256];
			int placed = DS_BOOT_CGROUPS_JOINED;
			ds_cgroup_v2_dir(cg, cfg->rt.cgroup_rel, cgdir, sizeof(cgdir));
			pid_t init = userns ? fork() : ds_cgroup_fork_into(cgdir, &placed);
			if (init == 0) {
				close(p[1]);
				/*
				 * Nothing of the monitor's (its lock, sockets, PTY masters, the
				 * cgroup directory clone3 placed us with) may come along into
				 * the guest: keep only our pipes, the console log, the rootfs
				 * directory opened at the check and the loop device (boot
				 * checks what it mounts against them and closes them at
				 * execve).
				 */
				int keep[] = { go[0], errfd, logfd, cfg->rt.rootfs_fd, cfg->rt.loop_fd };
				ds_fds_close_from(3, keep, (int)ARRAY_SIZE(keep));
				/*
				 * Boot only once the monitor has recorded us in the pidfile: a
				 * monitor killed before that leaves EOF here, and no untracked guest.
				 */
				char byte = 0;
				int idmapped = ds_recv_fd(go[0], &byte);
				if (byte != 'g' || (idmapped < 0 && idmapped != -ENOMSG))
					_exit(1);
				struct ds_error e = { 0 };
				ds_boot(cfg, cg, placed, idmapped, go[0], logfd, &e);
				init_failed(&e, errfd, logfd);
			}
			reply = init < 0 ? -errno : init;
		}
		ds_write_all(p[1], &reply, sizeof(reply));
		_exit(0);
	}
	close(p[1]);
	close(go[0]);
	long reply = 0;
	ssize_t n = ds_read_all(p[0], &reply, sizeof(reply));
	close(p[0]);
	if (n != (ssize_t)sizeof(reply) || reply < 0)
		close(go[1]);
	else
		*go_fd = go[1];
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(reply))
		return ds_fail(err, -EIO, "the namespace helper died");
	if (reply < 0)
		return ds_fail(err, (int)reply, "cannot create the %sPID, UTS%s and IPC namespaces",
			       cfg->settings.userns.mode != DS_USERNS_OFF ? "user, " : "",
			       cfg->settings.net_mode != DS_NET_HOST ? ", network" : "");
	return (pid_t)reply;
}

/* Init must not boot: it sees EOF on go and exits; reaped here. */
static void abort_init(int go, pid_t init)
{
	close(go);
	while (waitpid(init, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * --private-users, before init boots: the uid and gid maps of its user
 * namespace, the console and tty PTYs guest root's own (it has no
 * capability over a host root's file), and the rootfs as an idmapped tree
 * (-1: none, the rootfs's ids are shifted on disk, core/shift.c).
 */
static int userns_prepare(const struct ds_config *cfg, pid_t init, int *tree, struct ds_error *err)
{
	*tree = -1;
	const struct ds_userns *u = &cfg->settings.userns;
	if (fchown(cfg->rt.console.slave, u->base, u->base) < 0)
		return ds_fail(err, negerrno(), "cannot give the console %s to guest root", cfg->rt.console.name);
	for (int i = 0; i < cfg->settings.tty_count; i++)
		if (fchown(cfg->rt.ttys[i].slave, u->base, u->base) < 0)
			return ds_fail(err, negerrno(), "cannot give %s to guest root", cfg->rt.ttys[i].name);
	if (cfg->rt.shifted)
		return ds_userns_write_maps(init, u, err);
	*tree = ds_userns_setup_child(init, u, cfg->rt.rootfs_fd, cfg->settings.rootfs_path, err);
	return *tree < 0 ? *tree : 0;
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
	snprintf(st.uuid, sizeof(st.uuid), "%s", cfg->rt.uuid);
	ds_host_boot_id(st.boot_id);
	/* What the user gave: the directory, or the image file. */
	snprintf(st.rootfs, sizeof(st.rootfs), "%s", ds_rootfs_source(&cfg->settings));
	snprintf(st.cgroup, sizeof(st.cgroup), "%s", cfg->rt.cgroup_rel);
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

/* Everything the monitor's event loop works on. */
struct monitor {
	struct ds_config *cfg;
	const struct ds_cgroups *cg;
	struct console_log log;
	int epfd, sfd, listen_fd;
	int pending; /* a connection whose mode byte has not come yet, -1: none */
	struct ds_console_client *client;
	off_t boot_offset; /* where this boot's output starts in the log */
	pid_t init_pid;
	int init_done, init_status, stopping;
	int subreaper; /* 0 where the kernel (or qemu-user) refuses PR_SET_CHILD_SUBREAPER */
	unsigned long long init_starttime;
	int notify_fd;            /* the guest's NOTIFY_SOCKET */
	int route_fd;             /* Android NAT: rtnetlink's IPv4 route changes (the uplink moving) */
	long long route_retry_ms; /* when to look at the uplink again (the namespace's lock was busy); 0: no need */
	char ready_path[PATH_MAX];
	struct ds_ready ready;                   /* this boot's, as recorded in ready_path */
	char ready_written[DS_STATUS_MAX + 128]; /* the record's text last written ("": none yet) */
	int ready_warned;                        /* the console log says the record cannot be written */
	long long boot_ms;                       /* when init was let boot (ds_now_ms) */
	long long exec_ms;                       /* when init was first seen past its execve; 0: not yet */
	long long next_probe_ms;                 /* when ready_poll looks again */
	int probe_last, probe_hits;              /* the last probe's finding, and how many times in a row */
};

static void watch(struct monitor *m, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * Android NAT: netd moves the host's uplink between tables (Wi-Fi's,
 * mobile data's) as it changes; the bridge's rule follows it at once, not
 * at the next boot. Many changes come at once: one look after each batch.
 */
static void watch_routes(struct monitor *m)
{
	if (m->cfg->settings.net_mode != DS_NET_NAT || !m->cfg->rt.android)
		return;
	/* netd switches the default network by its rules (fwmark ... lookup TABLE), not always by routes */
	m->route_fd = ds_nl_open_groups(RTMGRP_IPV4_ROUTE | RTMGRP_IPV4_RULE);
	if (m->route_fd >= 0)
		watch(m, m->route_fd);
}

static void follow_uplink(struct monitor *m)
{
	struct ds_error err = { 0 };
	char text[600], line[640];
	m->route_retry_ms = 0;
	int r = ds_nat_follow_uplink(m->cfg, &err);
	if (r == -EAGAIN) {
		/* Another droidspaces is setting up or taking down the network: look again soon. */
		m->route_retry_ms = ds_now_ms() + ROUTE_RETRY_MS;
	} else if (r < 0) {
		ds_error_text(&err, text, sizeof(text));
		int n = snprintf(line, sizeof(line), "[droidspaces] the uplink changed: %s\r\n", text);
		log_write(&m->log, line, (size_t)n);
	}
}

static void routes_changed(struct monitor *m)
{
	ds_nl_drain(m->route_fd);
	follow_uplink(m);
}

static void unwatch_close(struct monitor *m, int *fd)
{
	if (*fd < 0)
		return;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, *fd, NULL);
	ds_closep(fd);
}

/*
 * What the loop waits for on the client and the console: the client's
 * input only while there is room for it, writability only while something
 * waits to be written.
 */
static void update_interest(struct monitor *m)
{
	struct ds_console_client *c = m->client;
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = m->cfg->rt.console.master };
	if (c->in.len > 0)
		ev.events |= EPOLLOUT;
	epoll_ctl(m->epfd, EPOLL_CTL_MOD, ev.data.fd, &ev);
	if (c->fd < 0)
		return;
	ev = (struct epoll_event){ .events = 0, .data.fd = c->fd };
	if (ds_iobuf_has_room(&c->in))
		ev.events |= EPOLLIN;
	if (ds_console_client_has_output(c))
		ev.events |= EPOLLOUT;
	epoll_ctl(m->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void drop_client(struct monitor *m)
{
	if (m->client->fd >= 0)
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->client->fd, NULL);
	ds_console_client_close(m->client);
	update_interest(m);
}

/* Console output goes to the log always, and to an attached client while it keeps up. */
static void console_output(struct monitor *m)
{
	char buf[16384];
	/* A bounded turn: a guest that writes without pause must not starve the signals. */
	for (int turn = 0; turn < CONSOLE_TURN_READS; turn++) {
		ssize_t n = read(m->cfg->rt.console.master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		log_write(&m->log, buf, (size_t)n);
		/* A client that does not read is let go; the console never waits for it. */
		if (ds_console_client_queue(m->client, buf, (size_t)n) < 0 || ds_console_client_send(m->client) < 0)
			drop_client(m);
	}
}

/* What the client typed goes to the console as far as the console takes it. */
static void console_input(struct monitor *m)
{
	if (ds_iobuf_flush(&m->client->in, m->cfg->rt.console.master) < 0)
		m->client->in.len = 0; /* nobody on the console side: the input goes nowhere */
}

static void accept_client(struct monitor *m)
{
	int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	/* One connection may be waiting to speak; a newer one replaces it, so none holds us. */
	unwatch_close(m, &m->pending);
	m->pending = fd;
	watch(m, fd);
}

/* The pending connection spoke: one mode byte, which the client sends right after connect. */
static void pending_mode(struct monitor *m)
{
	char mode = 0;
	ssize_t n = recv(m->pending, &mode, 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	int fd = m->pending;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, fd, NULL);
	m->pending = -1;
	if (n != 1 || (mode != DS_CONSOLE_ATTACH && mode != DS_CONSOLE_REPLAY)) {
		close(fd);
		return;
	}
	if (m->client->fd >= 0) {
		ds_send_fd(fd, DS_CONSOLE_BUSY, -1); /* one client at a time */
		close(fd);
		return;
	}
	if (ds_send_fd(fd, DS_CONSOLE_OK, m->cfg->rt.console.master) < 0) {
		close(fd);
		return;
	}
	/* 'R': this boot's output so far (foreground start shows the boot from its start). */
	int lf = mode == DS_CONSOLE_REPLAY ? open(m->log.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	off_t from = m->boot_offset <= m->log.size ? m->boot_offset : 0;
	ds_console_client_attach(m->client, fd, lf, from, m->log.size);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev);
	if (ds_console_client_send(m->client) < 0)
		drop_client(m);
}

static void client_event(struct monitor *m, unsigned events)
{
	struct ds_console_client *c = m->client;
	if ((events & EPOLLOUT) && ds_console_client_send(c) < 0) {
		drop_client(m);
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && ds_console_client_recv(c) < 0) {
		drop_client(m);
		return;
	}
	console_input(m);
}

static void handle_signals(struct monitor *m)
{
	struct signalfd_siginfo si;
	while (read(m->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			m->stopping = 1; /* `stop` is halting the guest: no reboot */
		} else if (si.ssi_signo != SIGCHLD) {
			/* The host is shutting us down: halt the guest the proper way. */
			m->stopping = 1;
			ds_halt_send(m->init_pid);
		}
	}
	pid_t w;
	int st;
	while ((w = waitpid(-1, &st, WNOHANG)) > 0)
		if (w == m->init_pid) {
			m->init_status = st;
			m->init_done = 1;
		}
}

/*
 * The cgroup's claim (fs/cgroup.h), held while we live: made, locked, and
 * found empty, or refused with one line (another workspace runs the name).
 * Before init is forked into it at each boot; a cleanup without it leaves
 * the cgroup alone.
 */
static int claim_cgroup(struct ds_config *cfg, const struct ds_cgroups *cg, struct ds_error *err)
{
	int fd = ds_cgroup_create_claimed(cg, cfg->rt.cgroup_rel, DS_CGROUP_CLAIM_WAIT_MS, err);
	if (fd < 0)
		return fd;
	cfg->rt.cg_claim_fd = fd;
	return 0;
}

/* After a guest's reboot, a boot that cannot be made: why, in the console log (no start waits for it). */
static void not_started_again(struct monitor *m, const struct ds_error *err)
{
	char text[600], line[640];
	ds_error_text(err, text, sizeof(text));
	int n = snprintf(line, sizeof(line), "[droidspaces] not started again: %s\r\n", text);
	log_write(&m->log, line, (size_t)n);
}

/* The cgroup of one boot, with its limits (its device policy: device_policy). */
static int create_cgroup(const struct ds_config *cfg, const struct ds_cgroups *cg, struct ds_error *err)
{
	int r = ds_cgroup_create(cg, cfg->rt.cgroup_rel, err);
	/* The resource limits (--memory, --cpus, ...): in place before init is forked into it. */
	if (r == 0)
		r = ds_cgroup_limits_apply(cg, cfg->rt.cgroup_rel, &cfg->settings.limits, err);
	/* --private-users: the cgroup is guest root's to manage (systemd's delegation), nothing above it. */
	if (r == 0 && cfg->settings.userns.mode != DS_USERNS_OFF)
		r = ds_cgroup_delegate(cg, cfg->rt.cgroup_rel, cfg->settings.userns.base, err);
	return r;
}

/*
 * The device policy (fs/devices.c) of one boot, unless --hw-access or
 * --privileged=devices. A cgroup2 device program (attached in one step) is
 * put in place while init sets up its mounts: the kernel's verifier takes a
 * few hundred microseconds, off the start's path on a second CPU. The v1
 * controller's policy is many writes ("a" denied, then each node allowed),
 * between which init's own opens (the image's loop device, /dev/console)
 * would be refused: it is in place before init is forked, and costs no
 * verifier. late: the call after init was forked. Init waits for 'd' on go
 * before it executes the guest's init either way. A kernel without a device
 * cgroup boots with a note in the log (`check` says so too).
 */
static int device_policy(struct monitor *m, const struct ds_config *cfg, const struct ds_cgroups *cg, int late,
			 struct ds_error *err)
{
	int program = cg->mode == DS_CG_UNIFIED || cg->mode == DS_CG_HYBRID;
	if (cfg->settings.hw_access || (cfg->settings.privileged & DS_PRIV_DEVICES) || program != late)
		return 0;
	/* The image's loop device (or block device): init mounts it from inside the cgroup. */
	struct stat blk;
	dev_t image =
		cfg->rt.loop_path[0] && stat(cfg->rt.loop_path, &blk) == 0 && S_ISBLK(blk.st_mode) ? blk.st_rdev : 0;
	int r = ds_devpolicy_apply(cg, cfg->rt.cgroup_rel, image, err);
	if (r == DS_DEV_MISSING) {
		static const char note[] = "[droidspaces] warning: this kernel has no device cgroup (cgroup2 device "
					   "programs need 4.15): the guest can open every device node\r\n";
		log_write(&m->log, note, sizeof(note) - 1);
	}
	return r < 0 ? r : 0;
}

/*
 * The guest's NOTIFY_SOCKET, bound in <ws>/Sockets (boot binds it on
 * /run/host/notify): a datagram socket that is told each sender's
 * credentials, so that only init's messages count.
 */
static int notify_listen(struct monitor *m, struct ds_error *err)
{
	const struct ds_config *cfg = m->cfg;
	struct sockaddr_un sa;
	_cleanup_close_ int dirfd = -1;
	int r = ds_workspace_sockaddr(cfg->workspace, DS_WS_NOTIFY, cfg->container_name, &sa, &dirfd);
	if (r < 0)
		return ds_fail(err, r, "cannot create the notify socket's directory");
	m->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->notify_fd < 0)
		return ds_fail(err, negerrno(), "cannot create the notify socket");
	unlink(sa.sun_path); /* a dead monitor's; the name's lock is ours */
	int one = 1;
	if (bind(m->notify_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(m->notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 || chmod(sa.sun_path, 0600) < 0)
		return ds_fail(err, negerrno(), "cannot set up the notify socket");
	/* --private-users: guest root is an unprivileged host id, which must be let send. */
	const struct ds_userns *u = &cfg->settings.userns;
	if (u->mode != DS_USERNS_OFF && chown(sa.sun_path, u->base, u->base) < 0)
		return ds_fail(err, negerrno(), "cannot give the notify socket to guest root");
	return 0;
}

static void record_ready(struct monitor *m)
{
	/* Written only when it changed: a guest that repeats its STATUS= costs the host nothing. */
	char text[DS_STATUS_MAX + 128];
	if (ds_ready_format(&m->ready, text, sizeof(text)) < 0 || !strcmp(text, m->ready_written))
		return;
	/* Only a monitor's own record may stand there: what cannot be written is left for status to refuse. */
	if (ds_ready_write(m->ready_path, &m->ready) == 0) {
		snprintf(m->ready_written, sizeof(m->ready_written), "%s", text);
	} else if (!m->ready_warned) {
		static const char note[] = "[droidspaces] warning: cannot write the readiness record: status and "
					   "start --wait will not see this boot's readiness\r\n";
		log_write(&m->log, note, sizeof(note) - 1);
		m->ready_warned = 1;
	}
}

static void became_ready(struct monitor *m, int by)
{
	m->ready.ready = 1;
	m->ready.by = by;
	m->ready.ms = ds_now_ms() - m->boot_ms;
}

/* A new boot: not ready, no status yet. */
static void ready_reset(struct monitor *m)
{
	memset(&m->ready, 0, sizeof(m->ready));
	m->ready.ms = -1;
	m->boot_ms = ds_now_ms();
	m->exec_ms = 0;
	m->probe_last = m->probe_hits = 0;
	m->next_probe_ms = 0;
	record_ready(m);
}

/* The fds a datagram brought (a hostile sender's) are closed; its credentials returned. */
static const struct ucred *notify_cmsgs(struct msghdr *msg)
{
	const struct ucred *cred = NULL;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfd; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
				close(fd);
			}
		} else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			cred = (const struct ucred *)(void *)CMSG_DATA(c);
		}
	}
	return cred;
}

/*
 * What init said on NOTIFY_SOCKET: READY=1 and STATUS=. A bounded turn of
 * datagrams, each read whole or dropped (MSG_TRUNC), from init only (as
 * nspawn takes its PID 1's only): a guest's other processes are not heard.
 */
static void notify_input(struct monitor *m)
{
	for (int turn = 0; turn < NOTIFY_TURN_READS; turn++) {
		char buf[DS_NOTIFY_MAX + 1];
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(8 * sizeof(int))];
		} control;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)
		};
		ssize_t n = recvmsg(m->notify_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		const struct ucred *cred = notify_cmsgs(&msg);
		struct ds_notify nt;
		if ((msg.msg_flags & MSG_TRUNC) || n > DS_NOTIFY_MAX || !cred || cred->pid != m->init_pid ||
		    ds_notify_parse(buf, (size_t)n, &nt) < 0)
			continue;
		if (nt.has_status)
			memcpy(m->ready.status, nt.status, sizeof(m->ready.status));
		if (nt.ready && !m->ready.ready)
			became_ready(m, DS_READY_NOTIFY);
		record_ready(m);
	}
}

/* Init has run its own program (not ours, before execve): since when. */
static int init_execed(const struct monitor *m)
{
	char path[64];
	struct stat self, init;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)m->init_pid);
	return stat(path, &init) == 0 && stat("/proc/self/exe", &self) == 0 &&
	       (init.st_dev != self.st_dev || init.st_ino != self.st_ino);
}

/*
 * Until ready: the guest's own init's marks (core/ready.c), looked at once
 * per interval however often the loop wakes (a chatty console must not
 * make it scan /proc each time). Returns the wait until the next look.
 */
static int ready_poll(struct monitor *m)
{
	if (m->ready.ready)
		return -1;
	long long now = ds_now_ms();
	if (now < m->next_probe_ms)
		return (int)(m->next_probe_ms - now);
	m->next_probe_ms = now + (now - m->boot_ms < READY_POLL_FAST_FOR_MS ? READY_POLL_MS : READY_POLL_SLOW_MS);
	if (!m->exec_ms && init_execed(m))
		m->exec_ms = now;
	if (m->exec_ms) {
		int by = ds_ready_probe(m->init_pid, ds_init_detect(m->init_pid), now - m->exec_ms);
		/* Seen twice in a row: a runlevel's next rc may be between fork and exec at one look. */
		m->probe_hits = by != DS_READY_NONE && by == m->probe_last ? m->probe_hits + 1 : by != DS_READY_NONE;
		m->probe_last = by;
		if (by != DS_READY_NONE && (by == DS_READY_ALIVE || m->probe_hits >= 2)) {
			became_ready(m, by);
			record_ready(m);
			return -1;
		}
	}
	return (int)(m->next_probe_ms - now);
}

static int setup_loop(struct monitor *m, struct ds_error *err)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	m->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->sfd < 0 || m->epfd < 0)
		return ds_fail(err, negerrno(), "cannot set up the monitor's event loop");
	m->listen_fd = ds_console_listen(m->cfg, err);
	if (m->listen_fd < 0)
		return m->listen_fd;
	int r = notify_listen(m, err);
	if (r < 0)
		return r;
	watch(m, m->notify_fd);
	fcntl(m->cfg->rt.console.master, F_SETFL, fcntl(m->cfg->rt.console.master, F_GETFL) | O_NONBLOCK);
	watch(m, m->cfg->rt.console.master);
	watch(m, m->sfd);
	watch(m, m->listen_fd);
	/* --ttys: nobody reads those PTYs, so their output is drained here, never blocking a getty. */
	for (int i = 0; i < m->cfg->settings.tty_count; i++) {
		fcntl(m->cfg->rt.ttys[i].master, F_SETFL, fcntl(m->cfg->rt.ttys[i].master, F_GETFL) | O_NONBLOCK);
		watch(m, m->cfg->rt.ttys[i].master);
	}
	return 0;
}

static int is_tty_master(const struct ds_config *cfg, int fd)
{
	for (int i = 0; i < cfg->settings.tty_count; i++)
		if (cfg->rt.ttys[i].master == fd)
			return 1;
	return 0;
}

static void drain_tty(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

void ds_monitor_main(struct ds_config *cfg, const struct ds_cgroups *cg, int lockfd, int logfd, int syncfd)
{
	(void)lockfd; /* held, never closed: the lock lives as long as we do */
	/* The client's buffers are large for a stack: on the heap, for the monitor's life. */
	struct ds_console_client *client = malloc(sizeof(*client));
	if (!client) {
		struct ds_sync_msg msg = { .type = DS_SYNC_ERROR };
		ds_fail(&msg.err, -ENOMEM, "cannot start the monitor");
		send_sync(&syncfd, &msg);
		_exit(1);
	}
	ds_console_client_init(client);
	struct monitor m = { .cfg = cfg,
			     .cg = cg,
			     .log = { .fd = logfd },
			     .client = client,
			     .listen_fd = -1,
			     .pending = -1,
			     .notify_fd = -1,
			     .route_fd = -1 };
	ds_workspace_path(cfg->workspace, DS_WS_READY, cfg->container_name, m.ready_path, sizeof(m.ready_path));
	ds_workspace_path(cfg->workspace, DS_WS_CONSOLE_LOG, cfg->container_name, m.log.path, sizeof(m.log.path));
	ds_workspace_path(cfg->workspace, DS_WS_CONSOLE_LOG_OLD, cfg->container_name, m.log.old, sizeof(m.log.old));
	struct stat lst;
	if (fstat(logfd, &lst) == 0)
		m.log.size = lst.st_size;

	setsid();
	prctl(PR_SET_NAME, "[ds-monitor]", 0, 0, 0);
	/*
	 * Init is forked by a helper that exits: we must inherit it to reap it.
	 * Without a subreaper (qemu-user refuses it) init goes to the host's
	 * init instead, and we watch it through /proc once a second.
	 */
	m.subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
	detach_stdio();
	/* Whatever the caller left open (a test harness's pipe) must not live as long as we do. */
	enum { KEEP_MAX = 8 + 2 * DS_MAX_TTYS + 1 + DS_MAX_PORTS }; /* ... and the lease's marks */
	int keep[KEEP_MAX] = { lockfd,
			       logfd,
			       syncfd,
			       cfg->rt.console.master,
			       cfg->rt.console.slave,
			       cfg->rt.loop_fd,
			       cfg->rt.rootfs_fd,
			       cfg->rt.image_fd /* its flock: the image is ours while we live */ };
	int nkeep = 8;
	for (int i = 0; i < cfg->settings.tty_count; i++) {
		keep[nkeep++] = cfg->rt.ttys[i].master;
		keep[nkeep++] = cfg->rt.ttys[i].slave;
	}
	/* --net=nat: the lease's marks, ours until we end (host/nat.h). */
	for (int i = 0; i < cfg->rt.net_hold_count; i++)
		keep[nkeep++] = cfg->rt.net_holds[i];
	ds_fds_close_from(3, keep, nkeep);
	signal(SIGPIPE, SIG_IGN);

	struct ds_sync_msg msg = { 0 };
	if (setup_loop(&m, &msg.err) < 0 || claim_cgroup(cfg, cg, &msg.err) < 0 ||
	    create_cgroup(cfg, cg, &msg.err) < 0 || device_policy(&m, cfg, cg, 0, &msg.err) < 0 ||
	    (cfg->settings.net_mode == DS_NET_NAT && ds_nat_host_up(cfg, &msg.err) < 0)) {
		msg.type = DS_SYNC_ERROR;
		send_sync(&syncfd, &msg);
		ds_cleanup_container(cfg, cg, cfg->rt.cgroup_rel);
		ds_nat_unhold(cfg);
		_exit(1);
	}

	watch_routes(&m);
	for (;;) {
		/* One boot: a fresh PID namespace, UTS, IPC and init. */
		m.boot_offset = m.log.size;
		int go = -1;
		m.init_pid = spawn_init(cfg, cg, syncfd, logfd, &go, &msg.err);
		if (m.init_pid < 0) {
			msg.type = DS_SYNC_ERROR;
			send_sync(&syncfd, &msg);
			break;
		}
		/* --private-users: init's maps, its PTYs, and the rootfs idmapped into its namespace. */
		int idmapped = -1;
		if ((cfg->settings.userns.mode != DS_USERNS_OFF &&
		     userns_prepare(cfg, m.init_pid, &idmapped, &msg.err) < 0) ||
		    /* --net=nat: the veth pair, eth0 in init's network namespace, before it boots. */
		    (cfg->settings.net_mode == DS_NET_NAT && ds_nat_attach(cfg, m.init_pid, &msg.err) < 0)) {
			ds_closep(&idmapped);
			abort_init(go, m.init_pid);
			msg.type = DS_SYNC_ERROR;
			send_sync(&syncfd, &msg);
			break;
		}
		ds_fault_point("monitor:before-pidfile");
		if (write_pidfile(cfg, m.init_pid) < 0) {
			int r = negerrno();
			/* Untracked it must not run: init sees EOF on go and exits. */
			ds_closep(&idmapped);
			abort_init(go, m.init_pid);
			msg.type = DS_SYNC_ERROR;
			ds_fail(&msg.err, r, "cannot write the pidfile %s", cfg->pidfile);
			send_sync(&syncfd, &msg);
			break;
		}
		m.init_starttime = ds_proc_starttime(m.init_pid);
		/* Not ready yet: recorded before start returns, so that --wait never reads a past boot's record. */
		ready_reset(&m);
		/* Recorded: now init may set up its mounts. */
		if (ds_send_fd(go, 'g', idmapped) < 0) {
			/* init is gone already; the loop below reaps it */
		}
		ds_closep(&idmapped);
		/* Meanwhile, the device policy; then init may execute the guest's own init. */
		ds_fault_point("monitor:before-devices");
		if (device_policy(&m, cfg, cg, 1, &msg.err) < 0) {
			abort_init(go, m.init_pid);
			if (syncfd < 0) /* after a reboot: nobody waits for the answer */
				not_started_again(&m, &msg.err);
			msg.type = DS_SYNC_ERROR;
			send_sync(&syncfd, &msg);
			break;
		}
		if (write(go, "d", 1) < 0) {
			/* init is gone already; the loop below reaps it */
		}
		close(go);
		msg.type = DS_SYNC_PID;
		msg.pid = m.init_pid;
		send_sync(&syncfd, &msg);

		m.init_done = 0;
		while (!m.init_done) {
			struct epoll_event evs[8];
			int wait = ready_poll(&m);
			if (!m.subreaper && (wait < 0 || wait > INIT_EXIT_POLL_MS))
				wait = INIT_EXIT_POLL_MS;
			if (m.route_retry_ms) {
				long long left = m.route_retry_ms - ds_now_ms();
				left = left < 0 ? 0 : left;
				if (wait < 0 || wait > left)
					wait = (int)left;
			}
			int n = epoll_wait(m.epfd, evs, ARRAY_SIZE(evs), wait);
			if (!m.subreaper && ds_proc_starttime(m.init_pid) != m.init_starttime) {
				m.init_status = 0; /* reaped elsewhere: its status is unknown */
				m.init_done = 1;
			}
			if (n < 0 && errno != EINTR)
				break;
			for (int i = 0; i < n; i++) {
				int fd = evs[i].data.fd;
				if (fd == cfg->rt.console.master && (evs[i].events & EPOLLOUT))
					console_input(&m);
				if (fd == cfg->rt.console.master)
					console_output(&m);
				else if (fd == m.sfd)
					handle_signals(&m);
				else if (fd == m.listen_fd)
					accept_client(&m);
				else if (fd == m.pending)
					pending_mode(&m);
				else if (fd == m.notify_fd)
					notify_input(&m);
				else if (fd == m.route_fd)
					routes_changed(&m);
				else if (fd == m.client->fd)
					client_event(&m, evs[i].events);
				else if (is_tty_master(cfg, fd))
					drain_tty(fd);
				/* else: a client dropped earlier in this batch */
			}
			if (m.route_retry_ms && ds_now_ms() >= m.route_retry_ms)
				follow_uplink(&m);
			update_interest(&m);
		}
		console_output(&m);
		/* reboot(2) in a PID namespace ends init with SIGHUP; halt/poweroff with SIGINT. */
		int st = m.init_status;
		if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP) || m.stopping)
			break;
		static const char note[] = "\r\n[droidspaces] guest rebooted: starting it again\r\n";
		log_write(&m.log, note, sizeof(note) - 1);
		if (ds_console_client_queue(m.client, note, sizeof(note) - 1) < 0 ||
		    ds_console_client_send(m.client) < 0)
			drop_client(&m);
		/* A new directory needs a new claim: another workspace may take the name in between. */
		ds_cgroup_destroy(cg, cfg->rt.cgroup_rel, DS_CGROUP_EMPTY_TIMEOUT_MS);
		ds_closep(&cfg->rt.cg_claim_fd);
		if (claim_cgroup(cfg, cg, &msg.err) < 0 || create_cgroup(cfg, cg, &msg.err) < 0 ||
		    device_policy(&m, cfg, cg, 0, &msg.err) < 0) {
			not_started_again(&m, &msg.err);
			break;
		}
		if (ds_uuid_generate(cfg->rt.uuid) < 0)
			break;
	}
	/* The client gets what is left if it takes it now, then EOF; the socket name goes with us. */
	ds_console_client_send(m.client);
	drop_client(&m);
	char sock[PATH_MAX];
	if (ds_console_socket_path(cfg, sock, sizeof(sock)) == 0)
		unlink(sock);
	ds_cleanup_container(cfg, cg, cfg->rt.cgroup_rel);
	/* The lease's marks go before the name's lock (at _exit): a restart's claim finds its address free. */
	ds_nat_unhold(cfg);
	ds_loop_detach(cfg->rt.loop_fd, cfg->rt.loop_attached);
	int st = m.init_status;
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 0);
}
