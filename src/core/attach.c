/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/attach.h"
#include "core/caps.h"
#include "core/seccomp.h"
#include "fs/cgroup.h"
#include "ns/join.h"
#include "tty/proxy.h"
#include "util/env.h"
#include "util/fdpass.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

struct exec_failure {
	int code;      /* negative errno */
	char what[256];
};

/* The guest's account, read from its own /etc/passwd (never the host's NSS). */
static int lookup_user(const char *name, uid_t *uid, gid_t *gid, char *home, size_t hsize,
		       char *shell, size_t ssize)
{
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return negerrno();
	char line[1024];
	int r = -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		char *fields[7], *save = NULL, *p = line;
		int n = 0;
		ds_chomp(line);
		/* strsep keeps empty fields, unlike strtok. */
		while (n < 7 && (fields[n] = strsep(&p, ":")))
			n++;
		(void)save;
		if (n < 7 || strcmp(fields[0], name) != 0)
			continue;
		*uid = (uid_t)strtoul(fields[2], NULL, 10);
		*gid = (gid_t)strtoul(fields[3], NULL, 10);
		snprintf(home, hsize, "%s", fields[5][0] ? fields[5] : "/");
		snprintf(shell, ssize, "%s", fields[6][0] ? fields[6] : "/bin/sh");
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

/* Supplementary groups: every /etc/group entry that lists the user. */
static int guest_groups(const char *name, gid_t primary, gid_t *out, int max)
{
	int n = 0;
	out[n++] = primary;
	FILE *f = fopen("/etc/group", "re");
	if (!f)
		return n;
	char line[4096];
	while (n < max && fgets(line, sizeof(line), f)) {
		ds_chomp(line);
		char *p = line, *fields[4];
		int k = 0;
		while (k < 4 && (fields[k] = strsep(&p, ":")))
			k++;
		if (k < 4)
			continue;
		for (char *m = strtok(fields[3], ","); m; m = strtok(NULL, ","))
			if (strcmp(m, name) == 0) {
				out[n++] = (gid_t)strtoul(fields[2], NULL, 10);
				break;
			}
	}
	fclose(f);
	return n;
}

static void setup_env(const char *term, const char *home)
{
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("TERM", term && *term ? term : "xterm-256color", 1);
	setenv("HOME", home, 1);
	setenv("container", "droidspaces", 1);
	setenv("LANG", "C.UTF-8", 1);
	char text[16384];
	if (ds_read_file("/etc/environment", text, sizeof(text)) > 0)
		ds_env_apply_text(text);
}

static __attribute__((noreturn)) void exec_fail(int errfd, int code, const char *what)
{
	struct exec_failure f = { .code = code };
	snprintf(f.what, sizeof(f.what), "%s", what);
	ds_write_all(errfd, &f, sizeof(f));
	_exit(code == -ENOENT ? DS_EXIT_NOT_FOUND : DS_EXIT_CANNOT_EXEC);
}

/*
 * Which of stdin, stdout, stderr (bits 0, 1, 2) are terminals. Any one of
 * them gets the command a PTY of its own (as lxc-attach does): a terminal
 * of the caller handed to the guest would let it type into the caller's
 * shell (TIOCSTI) and read what the caller types.
 */
static int stdio_terminals(void)
{
	int mask = 0;
	for (int i = 0; i < 3; i++)
		if (isatty(i))
			mask |= 1 << i;
	return mask;
}

/* The process that becomes the command, already inside every namespace. */
static __attribute__((noreturn)) void run_command(const struct ds_exec *e, int ttys, const char *term,
						  int sock, int errfd)
{
	if (!ttys && setsid() < 0)
		exec_fail(errfd, negerrno(), "cannot start a session"); /* no controlling terminal at all */
	if (ttys) {
		/* Allocated from the guest's devpts: /dev/ptmx there is its pts/ptmx. */
		int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		int unlock = 0;
		if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
			exec_fail(errfd, negerrno(), "cannot allocate a PTY in the container");
		int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
		if (slave < 0) {
			char name[64];
			if (ptsname_r(master, name, sizeof(name)) != 0 || (slave = open(name, O_RDWR | O_NOCTTY)) < 0)
				exec_fail(errfd, negerrno(), "cannot open the PTY in the container");
		}
		if (ds_send_fd(sock, 'F', master) < 0)
			exec_fail(errfd, negerrno(), "cannot pass the PTY to the caller");
		close(master);
		close(sock);
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			exec_fail(errfd, negerrno(), "cannot make the PTY the controlling terminal");
		/* The terminals are replaced; a file or pipe passes through, binary-safe. */
		for (int i = 0; i < 3; i++)
			if (ttys & (1 << i))
				dup2(slave, i);
		if (slave > 2)
			close(slave);
	}
	char home[512] = "/root", shell[256];
	if (e->user) {
		uid_t uid = 0;
		gid_t gid = 0, groups[64];
		int r = lookup_user(e->user, &uid, &gid, home, sizeof(home), shell, sizeof(shell));
		if (r < 0)
			exec_fail(errfd, r == -ESRCH ? -ESRCH : r, "no such user in the container");
		int n = guest_groups(e->user, gid, groups, 64);
		if (setgroups((size_t)n, groups) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			exec_fail(errfd, negerrno(), "cannot switch to the user");
	}
	setup_env(term, home);
	if (e->user) {
		setenv("USER", e->user, 1);
		setenv("LOGNAME", e->user, 1);
	}
	if (chdir(home) < 0 && chdir("/") < 0)
		exec_fail(errfd, negerrno(), "cannot chdir");
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	execvp(e->argv[0], e->argv);
	exec_fail(errfd, negerrno(), e->argv[0]);
}

/*
 * Where the PTY's output goes: the caller's terminal on stdout or stderr;
 * with only stdin a terminal, that terminal itself (the echo of what is
 * typed), never a redirected file.
 */
static int pty_output(int ttys, int *sink)
{
	if (ttys & 2)
		return STDOUT_FILENO;
	if (ttys & 4)
		return STDERR_FILENO;
	int fl = fcntl(STDIN_FILENO, F_GETFL);
	if (fl >= 0 && (fl & O_ACCMODE) == O_RDWR)
		return STDIN_FILENO;
	*sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return *sink;
}

/* What a terminal sends its foreground (Ctrl-C, Ctrl-\ and hang-up), SIGTERM, and SIGCHLD. */
static void forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

/*
 * Waits for the command; its wait status. Without a terminal the command
 * leads a session of its own, out of reach of the Ctrl-C that the caller's
 * terminal sends us: with fwd (blocked) such signals are passed on to it.
 */
static int wait_command(pid_t gc, const sigset_t *fwd)
{
	for (;;) {
		int st;
		pid_t w = waitpid(gc, &st, fwd ? WNOHANG : 0);
		if (w == gc)
			return st;
		if (w < 0 && errno != EINTR)
			return 1 << 8; /* as if it exited with 1 */
		siginfo_t si;
		int sig = fwd && w == 0 ? sigwaitinfo(fwd, &si) : -1;
		if (sig > 0 && sig != SIGCHLD && kill(-gc, sig) < 0)
			kill(gc, sig); /* not yet its own process group */
	}
}

static int status_to_exit(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

int ds_container_exec(const struct ds_state *st, const struct ds_exec *e, struct ds_error *err)
{
	struct ds_ns_set ns;
	unsigned long long capbnd;
	int r = ds_caps_bounding_of(st->pid, &capbnd);
	if (r < 0)
		return ds_fail(err, r, "cannot read the capabilities of pid %d", (int)st->pid);
	/* The same syscall filter as init, when init has one (not under --privileged, or on a kernel without). */
	int filtered = ds_seccomp_mode_of(st->pid) == 2;
	if ((r = ds_ns_open(st->pid, &ns, err)) < 0)
		return r;
	const char *term = getenv("TERM");
	/* e->pty is implied: the PTY is decided here, from all three of stdio. */
	int ttys = stdio_terminals(), pty = ttys != 0;
	int sv[2] = { -1, -1 }, ep[2];
	if ((pty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) ||
	    pipe2(ep, O_CLOEXEC) < 0) {
		ds_ns_close(&ns);
		return ds_fail(err, negerrno(), "cannot create a socket pair");
	}
	/* While the command runs, Ctrl-C and Ctrl-\ are for it, not for us. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	if (!pty) {
		sigaction(SIGINT, &ign, &old_int);
		sigaction(SIGQUIT, &ign, &old_quit);
	}
	/* Born in init's cgroup where the kernel can do that: no migration to wait for. */
	int placed;
	pid_t child = ds_cgroup_fork_into(ns.cgroup_dir, &placed);
	if (child < 0) {
		r = ds_fail(err, negerrno(), "cannot fork");
		goto out;
	}
	if (child == 0) {
		if (placed)
			ns.cgroup_dir[0] = '\0';
		close(ep[0]);
		if (sv[0] >= 0)
			close(sv[0]);
		struct ds_error e2 = { 0 };
		if (ds_ns_enter(&ns, &e2) < 0 || ds_caps_limit_to(capbnd, &e2) < 0 ||
		    (filtered && ds_seccomp_apply(&e2) < 0))
			exec_fail(ep[1], e2.code, e2.msg);
		/* Blocked before the fork: none is lost; the command unblocks them itself. */
		sigset_t fwd;
		forwarded_signals(&fwd);
		if (!pty)
			sigprocmask(SIG_BLOCK, &fwd, NULL);
		/* setns(CLONE_NEWPID) applies to children only: fork once more. */
		pid_t gc = fork();
		if (gc < 0)
			exec_fail(ep[1], negerrno(), "cannot fork in the container");
		if (gc == 0)
			run_command(e, ttys, term, sv[1], ep[1]);
		close(ep[1]);
		if (sv[1] >= 0)
			close(sv[1]);
		_exit(status_to_exit(wait_command(gc, pty ? NULL : &fwd)));
	}
	ds_ns_close(&ns);
	close(ep[1]);
	ep[1] = -1;
	int status = 0;
	if (pty) {
		close(sv[1]);
		sv[1] = -1;
		char tag = 0;
		int master = ds_recv_fd(sv[0], &tag);
		if (master >= 0) {
			struct ds_tty_state tty;
			ds_tty_raw(STDIN_FILENO, &tty);
			/* Only the terminals go through the PTY: the other fds are the command's own. */
			_cleanup_close_ int echo_sink = -1;
			int out = pty_output(ttys, &echo_sink);
			struct ds_proxy p = { .in_fd = (ttys & 1) ? STDIN_FILENO : -1, .out_fd = out,
					      .remote_in = master, .remote_out = master,
					      .winsize_fd = master, .child = child };
			ds_proxy_run(&p);
			ds_tty_restore(&tty);
			close(master); /* after a hang-up of our terminal, this hangs up the command's */
			status = p.child_status;
			if (p.child > 0)
				while (waitpid(child, &status, 0) < 0 && errno == EINTR)
					;
		} else {
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
		}
	} else {
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	}
	struct exec_failure f;
	if (ds_read_all(ep[0], &f, sizeof(f)) == (ssize_t)sizeof(f)) {
		if (f.code == -ESRCH && e->user)
			ds_fail(err, DS_EINVAL_MSG, "no user '%s' in the container", e->user);
		else if (f.code == -ENOENT)
			ds_fail(err, DS_EINVAL_MSG, "cannot run '%s': command not found in the container", f.what);
		else
			ds_fail(err, f.code, "cannot run '%s'", f.what);
		r = status_to_exit(status);
		if (r == 0 || r == 1)
			r = DS_EXIT_CANNOT_EXEC;
		goto out;
	}
	r = status_to_exit(status);
out:
	if (!pty) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
	}
	close(ep[0]);
	if (ep[1] >= 0)
		close(ep[1]);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return r;
}
