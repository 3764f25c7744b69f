/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/attach.h"
#include "core/caps.h"
#include "core/seccomp.h"
#include "fs/cgroup.h"
#include "ns/join.h"
#include "tty/proxy.h"
#include "util/env.h"
#include "util/fdpass.h"
#include "util/fds.h"
#include "util/fileio.h"
#include "util/clock.h"
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

struct exec_failure {
	int code; /* negative errno */
	char what[256];
};

int ds_id_parse(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	if (!s[0])
		return -EINVAL;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9' || c - s >= 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	/* (uid_t)-1 is "leave unchanged" to setresuid(2): never an account. */
	if (v > 4294967294ULL)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

const char *ds_user_parse(const char *spec, struct ds_user_spec *out)
{
	static const char range[] = "expected a user name or UID[:GID], each 0-4294967294";
	memset(out, 0, sizeof(*out));
	size_t len = strlen(spec);
	const char *colon = strchr(spec, ':');
	if (!len)
		return "empty: expected a user name or UID[:GID]";
	if (colon) {
		char uid[16] = "";
		size_t ulen = (size_t)(colon - spec);
		if (!ulen || !colon[1])
			return "an empty UID or GID: expected UID:GID";
		if (ulen >= sizeof(uid) || !all_digits(spec, ulen))
			return range;
		memcpy(uid, spec, ulen);
		if (ds_id_parse(uid, &out->uid) < 0 || ds_id_parse(colon + 1, &out->gid) < 0)
			return range;
		out->has_gid = 1;
		return NULL;
	}
	if (all_digits(spec, len))
		return ds_id_parse(spec, &out->uid) < 0 ? range : NULL;
	if (len >= sizeof(out->name))
		return "a user name has at most 32 characters";
	if (spec[0] == '-' || spec[0] == '.')
		return "a user name cannot start with '-' or '.'";
	for (size_t i = 0; i < len; i++)
		if (!name_char(spec[i]) && !(spec[i] == '$' && i == len - 1 && i > 0))
			return "a user name has only A-Z a-z 0-9 _ . - (and a final $)";
	memcpy(out->name, spec, len + 1);
	return NULL;
}

/* The account a command runs as: what --user named, completed from the guest's passwd. */
struct account {
	uid_t uid;
	gid_t gid;
	char name[64]; /* "" for a UID without an entry */
	char home[512];
	char shell[256];
};

/*
 * The guest's /etc/passwd (never the host's NSS): the entry of u's name, or
 * of its UID. -ESRCH when there is none; -EINVAL for the named entry whose
 * uid or gid is not a plain number (it must never become 0).
 */
static int lookup_account(const struct ds_user_spec *u, struct account *a)
{
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return negerrno();
	char *line = NULL;
	size_t cap = 0;
	int r = -ESRCH;
	while (getline(&line, &cap, f) > 0) {
		char *fields[7], *p = line;
		int n = 0;
		ds_chomp(line);
		/* strsep keeps empty fields, unlike strtok. */
		while (n < 7 && (fields[n] = strsep(&p, ":")))
			n++;
		if (n < 7 || (u->name[0] && strcmp(fields[0], u->name) != 0))
			continue;
		uint32_t uid, gid;
		if (ds_id_parse(fields[2], &uid) < 0 || ds_id_parse(fields[3], &gid) < 0) {
			if (!u->name[0])
				continue; /* looking for a number: a broken line is nobody's */
			r = -EINVAL;
			break;
		}
		if (!u->name[0] && uid != u->uid)
			continue;
		a->uid = uid;
		a->gid = gid;
		snprintf(a->name, sizeof(a->name), "%s", fields[0]);
		snprintf(a->home, sizeof(a->home), "%s", fields[5][0] ? fields[5] : "/");
		snprintf(a->shell, sizeof(a->shell), "%s", fields[6][0] ? fields[6] : "/bin/sh");
		r = 0;
		break;
	}
	free(line);
	fclose(f);
	return r;
}

/* What u names in the guest: a name must exist; a UID may have no entry (home /). */
static int resolve_account(const struct ds_user_spec *u, struct account *a)
{
	memset(a, 0, sizeof(*a));
	int r = lookup_account(u, a);
	if (r == -ESRCH && !u->name[0]) {
		a->uid = u->uid;
		a->gid = u->uid; /* no entry: the group of the same number, never root's */
		snprintf(a->home, sizeof(a->home), "/");
		r = 0;
	}
	if (r == 0 && !u->name[0])
		a->uid = u->uid;
	if (r == 0 && u->has_gid)
		a->gid = u->gid;
	return r;
}

/* Supplementary groups: the primary one and every /etc/group entry that lists the user. */
static int guest_groups(const char *name, gid_t primary, gid_t *out, int max)
{
	int n = 0;
	out[n++] = primary;
	FILE *f = name[0] ? fopen("/etc/group", "re") : NULL;
	if (!f)
		return n;
	char *line = NULL;
	size_t cap = 0;
	while (n < max && getline(&line, &cap, f) > 0) {
		ds_chomp(line);
		char *p = line, *fields[4], *save = NULL;
		int k = 0;
		uint32_t gid;
		while (k < 4 && (fields[k] = strsep(&p, ":")))
			k++;
		if (k < 4 || ds_id_parse(fields[2], &gid) < 0)
			continue;
		for (char *m = strtok_r(fields[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
			if (strcmp(m, name) == 0) {
				out[n++] = (gid_t)gid;
				break;
			}
	}
	free(line);
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
static __attribute__((noreturn)) void run_command(const struct ds_exec *e, int ttys, const char *term, int sock,
						  int errfd)
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
	struct account a = { .home = "/root" };
	if (e->user) {
		struct ds_user_spec u;
		gid_t groups[64];
		if (ds_user_parse(e->user, &u))
			exec_fail(errfd, -EBADMSG, "not a user name or UID[:GID]");
		int r = resolve_account(&u, &a);
		if (r == -EINVAL)
			exec_fail(errfd, -EBADMSG, "its /etc/passwd entry in the container has an invalid uid or gid");
		if (r < 0)
			exec_fail(errfd, r == -ESRCH ? -ESRCH : r, "no such user in the container");
		int n = guest_groups(a.name, a.gid, groups, 64);
		if (setgroups((size_t)n, groups) < 0 || setgid(a.gid) < 0 || setuid(a.uid) < 0)
			exec_fail(errfd, negerrno(), "cannot switch to the user");
	}
	setup_env(term, a.home);
	if (a.name[0]) {
		setenv("USER", a.name, 1);
		setenv("LOGNAME", a.name, 1);
	}
	if (chdir(a.home) < 0 && chdir("/") < 0)
		exec_fail(errfd, negerrno(), "cannot chdir");
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	/* Only stdio (and the error pipe, until execve succeeds) is left open. */
	ds_fds_cloexec_from(3);
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

/*
 * The same syscall filter as init. A kernel without seccomp filters (no
 * CONFIG_SECCOMP_FILTER) gets the command as start gets init there:
 * unfiltered, with a warning (on the caller's stderr; start's is in the log).
 */
static int apply_filter(struct ds_error *err)
{
	int r = ds_seccomp_apply(err);
	if (r == -EOPNOTSUPP) {
		fprintf(stderr, "droidspaces: warning: %s; the command runs without a syscall filter\n", err->msg);
		return 0;
	}
	return r;
}

static int status_to_exit(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

/*
 * Init has executed the guest's own init: its program is no longer the
 * monitor's (droidspaces' own, until the last steps of the boot). Unknown
 * (no monitor to compare with): taken as done.
 */
static int init_execed(const struct ds_state *st)
{
	char a[64], b[64];
	struct stat init, mon;
	snprintf(a, sizeof(a), "/proc/%d/exe", (int)st->pid);
	snprintf(b, sizeof(b), "/proc/%d/exe", (int)st->monitor);
	if (st->monitor <= 0 || stat(b, &mon) < 0 || stat(a, &init) < 0)
		return 1;
	return init.st_dev != mon.st_dev || init.st_ino != mon.st_ino;
}

#define BOOT_EXEC_WAIT_MS 10000

int ds_container_exec(const struct ds_state *st, const struct ds_exec *e, struct ds_error *err)
{
	/*
	 * Not while init is still in droidspaces' boot (a `run` right after
	 * `start`): its syscall filter and its device policy may not be in
	 * place yet, and the filter is what we copy below.
	 */
	long long deadline = ds_now_ms() + BOOT_EXEC_WAIT_MS;
	for (int delay = 1; !init_execed(st); ds_backoff(&delay))
		if (ds_now_ms() >= deadline)
			return ds_fail(err, -EBUSY,
				       "the container is still booting (its init has not started after %d s)",
				       BOOT_EXEC_WAIT_MS / 1000);
	struct ds_ns_set ns;
	struct ds_user_spec user;
	unsigned long long capbnd;
	const char *why = e->user ? ds_user_parse(e->user, &user) : NULL;
	if (why)
		return ds_fail(err, DS_EINVAL_MSG, "--user: invalid value '%.80s': %s", e->user, why);
	int r = ds_caps_bounding_of(st->pid, &capbnd);
	if (r < 0)
		return ds_fail(err, r, "cannot read the capabilities of pid %d", (int)st->pid);
	/* The same syscall filter as init, when init has one (not under --privileged, or on a kernel without). */
	int filtered = ds_seccomp_mode_of(st->pid) == 2;
	if ((r = ds_ns_open(st->pid, &ns, err)) < 0)
		return r;
	const char *term = getenv("TERM");
	/* The PTY is decided here, from all three of stdio. */
	int ttys = stdio_terminals(), pty = ttys != 0;
	int sv[2] = { -1, -1 }, ep[2];
	if ((pty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) || pipe2(ep, O_CLOEXEC) < 0) {
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
		/* Only what we pass on may come along: not the caller's fds, nor the cgroup's. */
		int keep[2 + DS_NS_MAX] = { ep[1], sv[1] };
		for (int i = 0; i < ns.count; i++)
			keep[2 + i] = ns.fd[i];
		ds_fds_close_from(3, keep, 2 + ns.count);
		struct ds_error e2 = { 0 };
		if (ds_process_defaults(&e2) < 0 || ds_ns_enter(&ns, &e2) < 0 || ds_caps_limit_to(capbnd, &e2) < 0 ||
		    (filtered && apply_filter(&e2) < 0))
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
			struct ds_proxy p = { .in_fd = (ttys & 1) ? STDIN_FILENO : -1,
					      .out_fd = out,
					      .remote_in = master,
					      .remote_out = master,
					      .winsize_fd = master,
					      .child = child };
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
		else if (f.code == -EBADMSG && e->user)
			ds_fail(err, DS_EINVAL_MSG, "user '%s': %s", e->user, f.what);
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
