/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hooks of config.json (see hooks.h). */
#include "oci/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/fds.h"
#include "util/macros.h"

/* How often a running hook is checked for its end and its timeout. */
#define HOOK_POLL_MS 10

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The hook's process: the state on stdin, nothing else of ours, then execve. Never returns. */
static void __attribute__((noreturn)) run_child(const struct ds_oci_hook *h, int in)
{
	static char *empty[] = { NULL };
	const char *argv0[] = { h->path, NULL };
	if (dup2(in, 0) < 0)
		_exit(127);
	ds_fds_close_from(3, NULL, 0);
	/* What we ignore or block is not the hook's business. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0); /* a group of its own: its timeout ends what it started too */
	execve(h->path, h->args ? (char *const *)h->args : (char *const *)argv0,
	       h->env ? (char *const *)h->env : empty);
	fprintf(stderr, "droidspaces-oci: cannot execute the hook %s: %s\n", h->path, strerror(errno));
	_exit(127);
}

/*
 * Writes what fits of state[*done..] to fd (non-blocking); the hook need not
 * read it all. Returns 1 while more is to be written, 0 when done.
 */
static int feed(int fd, const char *state, size_t len, size_t *done)
{
	while (*done < len) {
		ssize_t n = write(fd, state + *done, len - *done);
		if (n > 0) {
			*done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
	return 0;
}

/* One hook: 0 when it exited 0 within its timeout. */
static int run_one(const struct ds_oci_hook *h, const char *name, size_t i, const char *state, struct ds_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ds_fail(err, negerrno(), "hooks.%s[%zu]: cannot create a pipe", name, i);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		run_child(h, p[0]);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return ds_fail(err, negerrno(), "hooks.%s[%zu]: cannot fork", name, i);
	}
	setpgid(pid, pid); /* as the child does: whichever runs first */
	/* A hook that exits without reading its stdin is no reason for SIGPIPE to end us. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	size_t len = strlen(state), done = 0;
	int fd = p[1];
	long long deadline = h->timeout ? now_ms() + (long long)h->timeout * 1000 : 0;
	int status = 0, timed_out = 0, lost = 0;
	for (;;) {
		if (fd >= 0 && !feed(fd, state, len, &done)) {
			close(fd); /* EOF: the state is all there */
			fd = -1;
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			lost = negerrno();
			break;
		}
		if (deadline && now_ms() >= deadline) {
			kill(-pid, SIGKILL); /* the hook and whatever it left running */
			waitpid(pid, &status, 0);
			timed_out = 1;
			break;
		}
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		poll(&pf, fd >= 0 ? 1 : 0, HOOK_POLL_MS);
	}
	if (fd >= 0)
		close(fd);
	sigaction(SIGPIPE, &old, NULL);
	if (lost)
		return ds_fail(err, lost, "hooks.%s[%zu] %s: cannot wait for it", name, i, h->path);
	if (timed_out)
		return ds_fail(err, DS_EINVAL_MSG, "hooks.%s[%zu] %s: killed after its timeout of %d s", name, i,
			       h->path, h->timeout);
	if (WIFSIGNALED(status))
		return ds_fail(err, DS_EINVAL_MSG, "hooks.%s[%zu] %s: killed by signal %d", name, i, h->path,
			       WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ds_fail(err, DS_EINVAL_MSG, "hooks.%s[%zu] %s: exited with status %d", name, i, h->path,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

int ds_oci_hooks_run(const struct ds_oci_spec *spec, enum ds_oci_hook_point point, const char *state,
		     struct ds_error *err)
{
	for (size_t i = 0; i < spec->n_hooks[point]; i++) {
		int r = run_one(&spec->hooks[point][i], ds_oci_hook_name(point), i, state, err);
		if (r < 0)
			return r;
	}
	return 0;
}

void ds_oci_hooks_run_warn(const struct ds_oci_spec *spec, enum ds_oci_hook_point point, const char *state)
{
	for (size_t i = 0; i < spec->n_hooks[point]; i++) {
		struct ds_error err = { 0 };
		char buf[700];
		if (run_one(&spec->hooks[point][i], ds_oci_hook_name(point), i, state, &err) < 0)
			fprintf(stderr, "droidspaces-oci: warning: %s\n", ds_error_text(&err, buf, sizeof(buf)));
	}
}
