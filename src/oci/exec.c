/* SPDX-License-Identifier: GPL-3.0-or-later */
/* exec of droidspaces-oci (see exec.h). */
#include "oci/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns/join.h"
#include "oci/init.h"
#include "oci/spec.h"
#include "oci/state.h"
#include "oci/terminal.h"
#include "tty/proxy.h"
#include "util/fdpass.h"
#include "util/fds.h"
#include "util/fileio.h"
#include "util/macros.h"

/* process.json, its messages named after it rather than config.json's "process". */
static int read_process(const char *path, struct ds_oci_spec *spec, struct ds_error *err)
{
	memset(spec, 0, sizeof(*spec)); /* freed whatever happens below */
	_cleanup_close_ int fd = ds_open_regular(path, 1);
	if (fd < 0)
		return ds_fail(err, fd == -EINVAL ? DS_EINVAL_MSG : fd, "cannot open --process %s%s", path,
			       fd == -EINVAL ? ": not a regular file" : "");
	_cleanup_free_ char *text = NULL;
	ssize_t n = ds_read_fd_whole(fd, &text, DS_JSON_MAX_SIZE);
	if (n < 0)
		return ds_fail(err, (int)n, "cannot read --process %s", path);
	struct ds_error e = { 0 };
	int r = ds_oci_process_parse(text, (size_t)n, spec, &e);
	if (r < 0) {
		const char *m = e.msg;
		if (!strncmp(m, "config.json: ", 13))
			m += 13;
		return ds_fail(err, r, "process.json: %s", m);
	}
	return 0;
}

/* runc's rules: a socket only for a detached terminal, and a detached terminal needs one. */
static int check_terminal(const struct ds_oci_exec_opts *o, const struct ds_oci_process *p, struct ds_error *err)
{
	if (p->terminal && o->detach && !o->console_socket)
		return ds_fail(
			err, DS_EINVAL_MSG,
			"process.json: process.terminal: a detached exec with a terminal needs --console-socket");
	if (o->console_socket && !p->terminal)
		return ds_fail(err, DS_EINVAL_MSG, "--console-socket: process.json's process.terminal is false");
	if (o->console_socket && !o->detach)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--console-socket needs --detach (in the foreground exec relays the terminal itself)");
	return 0;
}

/*
 * The middle child: into init's namespaces and cgroup (a PID namespace is
 * entered by the children), fork the process, send its PID, then wait for
 * it (its status is ours) or, detached, leave.
 */
static void __attribute__((noreturn))
run_middle(struct ds_ns_set *ns, const struct ds_oci_process *p, const struct ds_oci_filter *filter, int detach,
	   int console_fd, int pid_w, int err_w)
{
	struct ds_error e = { 0 };
	if (ds_ns_enter(ns, &e) < 0) {
		(void)ds_write_all(err_w, &e, sizeof(e));
		_exit(126);
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* Only stdio of the caller's reaches the process (and the error pipe, closed at exec). */
		int keep[2] = { err_w, console_fd };
		ds_fds_close_from(3, keep, 2);
		/* The terminal, on the container's devpts, while still root: the slave replaces stdio. */
		int r = console_fd >= 0 ? ds_oci_terminal_setup(console_fd, 0, &e) : 0;
		if (console_fd >= 0)
			close(console_fd);
		if (r == 0 && ds_oci_process_apply(p, filter, &e) == 0) {
			r = ds_oci_process_exec(p);
			ds_fail(&e, r, "cannot execute %s", p->args[0]);
		}
		(void)ds_write_all(err_w, &e, sizeof(e));
		_exit(127);
	}
	close(err_w);
	if (console_fd >= 0)
		close(console_fd);
	if (pid < 0)
		_exit(126);
	(void)ds_write_all(pid_w, &pid, sizeof(pid));
	close(pid_w);
	if (detach)
		_exit(0);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* The middle child's status: the process's (128+N for a signal), or 0 when it left it detached. */
static int wait_middle(pid_t middle)
{
	int st = 0;
	while (waitpid(middle, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Forks the middle child and waits until the process is executed: its PID, or why it was not. */
static int start_process(struct ds_ns_set *ns, const struct ds_oci_process *p, const struct ds_oci_filter *filter,
			 int detach, int console_fd, pid_t *middle, pid_t *pid, struct ds_error *err)
{
	_cleanup_close_ int pid_r = -1, pid_w = -1, err_r = -1, err_w = -1;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return ds_fail(err, negerrno(), "cannot create a pipe");
	pid_r = fds[0];
	pid_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return ds_fail(err, negerrno(), "cannot create a pipe");
	err_r = fds[0];
	err_w = fds[1];
	*middle = fork();
	if (*middle == 0) {
		close(pid_r);
		close(err_r);
		run_middle(ns, p, filter, detach, console_fd, pid_w, err_w);
	}
	if (*middle < 0)
		return ds_fail(err, negerrno(), "cannot fork");
	close(TAKE_FD(pid_w));
	close(TAKE_FD(err_w));
	if (ds_read_all(pid_r, pid, sizeof(*pid)) != (ssize_t)sizeof(*pid))
		*pid = -1;
	/* EOF without a message: the process was executed (the pipe is close-on-exec). */
	struct ds_error got = { 0 };
	if (ds_read_all(err_r, &got, sizeof(got)) == (ssize_t)sizeof(got)) {
		wait_middle(*middle);
		got.msg[sizeof(got.msg) - 1] = '\0';
		return ds_fail(err, got.code ? got.code : -EIO, "%s", got.msg);
	}
	if (*pid < 0) {
		wait_middle(*middle);
		return ds_fail(err, -EIO, "exec: the process did not start");
	}
	return 0;
}

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT sent to exec while it relays: the process's, as runc forwards them. */
static void forward_signal(int sig, void *data) { kill(*(pid_t *)data, sig); }

/*
 * The foreground terminal: the master the process sent over sock, our stdio
 * relayed to it (ours in raw mode when a terminal, its size copied) until
 * the process is gone. Its status, as wait_middle says it.
 */
static int relay_terminal(int sock, pid_t middle, pid_t pid)
{
	char tag = 0;
	_cleanup_close_ int master = ds_recv_fd(sock, &tag);
	if (master < 0)
		return wait_middle(middle);
	struct ds_tty_state tty;
	ds_tty_raw(STDIN_FILENO, &tty);
	struct ds_proxy p = { .in_fd = STDIN_FILENO,
			      .out_fd = STDOUT_FILENO,
			      .remote_in = master,
			      .remote_out = master,
			      .winsize_fd = master,
			      .child = middle,
			      .on_signal = forward_signal,
			      .signal_data = &pid };
	int r = ds_proxy_run(&p);
	ds_tty_restore(&tty);
	if (r < 0 || p.child > 0)
		return wait_middle(middle);
	return WIFEXITED(p.child_status) ? WEXITSTATUS(p.child_status) : 128 + WTERMSIG(p.child_status);
}

/* Where the process's terminal master goes: --console-socket, or (foreground) a socketpair's end for *relay. */
static int open_console(const struct ds_oci_exec_opts *o, int *relay, struct ds_error *err)
{
	if (o->console_socket)
		return ds_oci_console_connect(o->console_socket, err);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ds_fail(err, negerrno(), "cannot create a socket pair for the terminal");
	*relay = sv[0];
	return sv[1];
}

int ds_oci_exec(const struct ds_oci_exec_opts *o, int *status, struct ds_error *err)
{
	struct ds_oci_container c;
	int r = ds_oci_load(o->root, o->id, &c, err);
	if (r < 0)
		return r;
	if (ds_oci_status(&c) == DS_OCI_STOPPED)
		return ds_fail(err, DS_EINVAL_MSG, "cannot exec in a stopped container \"%s\"", o->id);
	/* The container's linux.seccomp holds for what is executed in it too. */
	struct ds_oci_filter filter = { 0 };
	_cleanup_oci_spec_ struct ds_oci_spec config = { 0 };
	if ((r = ds_oci_load_spec(&c, &config, err)) < 0 || (r = ds_oci_filter_compile(&config, &filter, err)) < 0)
		return r;
	_cleanup_oci_spec_ struct ds_oci_spec spec = { 0 };
	_cleanup_close_ int console = -1, relay = -1;
	struct ds_ns_set ns;
	pid_t middle = -1, pid = -1;
	if ((r = read_process(o->process, &spec, err)) == 0 && (r = check_terminal(o, &spec.process, err)) == 0 &&
	    (!spec.process.terminal || (r = console = open_console(o, &relay, err)) >= 0) &&
	    (r = ds_ns_open(c.pid, &ns, err)) == 0) {
		r = start_process(&ns, &spec.process, &filter, o->detach, console, &middle, &pid, err);
		ds_ns_close(&ns);
	}
	ds_seccomp_prog_free(&filter.prog);
	if (r < 0)
		return r;
	/* The process has the terminal's slave: EOF on the relay once it is gone. */
	if (console >= 0)
		close(TAKE_FD(console));
	/* Detached, the middle child leaves as soon as the process runs; else it waits for it. */
	if (o->detach)
		wait_middle(middle);
	if (o->pid_file && (r = ds_oci_write_pid_file(o->pid_file, pid, err)) < 0) {
		if (!o->detach)
			wait_middle(middle);
		return r;
	}
	if (o->detach)
		*status = 0;
	else
		*status = relay >= 0 ? relay_terminal(relay, middle, pid) : wait_middle(middle);
	return 0;
}
