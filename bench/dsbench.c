/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dsbench: the small C part of the droidspaces benchmark harness (bench/run.sh).
 *
 *   dsbench floor [-B HOST:GUEST]... ROOTFS CMD [ARG...]
 *       The physical floor of a container start: unshare(mnt, pid, uts, ipc,
 *       cgroup), fork, bind the rootfs on itself (and HOST on ROOTFS/GUEST),
 *       pivot_root, exec CMD as PID 1 of the new PID namespace.  Waits for it
 *       (a foreground runtime).  No /proc, /dev, /sys, cgroup or console: this
 *       is the least any runtime can do.
 *
 *   dsbench time [-q] [-m MARKER] [-l LOCKFILE] [-T TIMEOUT_MS] -- CMD [ARG...]
 *       Runs CMD (-q: its stdout on /dev/null) and prints, in milliseconds from just before fork:
 *         cli=T    CMD exited (the CLI returned)
 *         marker=T MARKER exists (inotify on its directory; -1 without -m)
 *         ready=T  max(cli, marker)
 *         gone=T   an exclusive flock(2) on LOCKFILE was granted after ready
 *                  (droidspaces' monitor holds its per-name lock until its
 *                  cleanup is done; -1 without -l)
 *         rc=N     CMD's exit status
 *       No sleeps, no polling loops: pidfd + inotify + poll(2).
 *
 *   dsbench sink
 *       Reads stdin to EOF (64 KiB reads) and prints the byte count and the
 *       count of zero bytes (the payload; a terminal may add a few others).
 *
 *   dsbench exited PID TIMEOUT_MS
 *       Waits (pidfd + poll) until PID has exited (a zombie counts); exit
 *       status 0 when it did, 1 on timeout.  The parent reaps it afterwards.
 *
 *   dsbench hide-unified CMD [ARG...]
 *       Executes CMD in a private mount namespace in which the hybrid host's
 *       /sys/fs/cgroup/unified is unmounted: crun 1.8 refuses to run at all on
 *       a hybrid host whose cgroup2 tree has a controller (even with
 *       --cgroup-manager=disabled).  Costs one unshare(2) and one exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static void die(const char *what)
{
	fprintf(stderr, "dsbench: %s: %s\n", what, strerror(errno));
	exit(111);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- floor */

#define MAX_BINDS 8

static int cmd_floor(int argc, char **argv)
{
	char *binds[MAX_BINDS];
	int nb = 0, i = 1;
	for (; i < argc && strcmp(argv[i], "-B") == 0 && i + 1 < argc; i += 2) {
		if (nb == MAX_BINDS) {
			fprintf(stderr, "dsbench floor: too many -B\n");
			return 2;
		}
		binds[nb++] = argv[i + 1];
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: dsbench floor [-B HOST:GUEST]... ROOTFS CMD [ARG...]\n");
		return 2;
	}
	const char *rootfs = argv[i];
	char **cmd = argv + i + 1;

	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP) < 0)
		die("unshare");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			die("make / private");
		if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			die("bind rootfs");
		for (int b = 0; b < nb; b++) {
			char host[PATH_MAX], target[PATH_MAX];
			const char *colon = strchr(binds[b], ':');
			if (!colon) {
				errno = EINVAL;
				die("-B HOST:GUEST");
			}
			snprintf(host, sizeof(host), "%.*s", (int)(colon - binds[b]), binds[b]);
			snprintf(target, sizeof(target), "%s/%s", rootfs, colon + 1);
			mkdir(target, 0755);
			if (mount(host, target, NULL, MS_BIND, NULL) < 0)
				die("bind");
		}
		if (chdir(rootfs) < 0)
			die("chdir rootfs");
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			die("pivot_root");
		if (umount2(".", MNT_DETACH) < 0)
			die("detach old root");
		if (chdir("/") < 0)
			die("chdir /");
		execv(cmd[0], cmd);
		die(cmd[0]);
	}
	int st;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ----------------------------------------------------------------- time */

static int cmd_time(int argc, char **argv)
{
	const char *marker = NULL, *lockfile = NULL;
	int timeout_ms = 60000, quiet = 0, i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-q") == 0) {
			quiet = 1;
			continue;
		}
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "-m") == 0)
			marker = argv[++i];
		else if (strcmp(argv[i], "-l") == 0)
			lockfile = argv[++i];
		else if (strcmp(argv[i], "-T") == 0)
			timeout_ms = atoi(argv[++i]);
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: dsbench time [-q] [-m MARKER] [-l LOCKFILE] [-T MS] -- CMD [ARG...]\n");
		return 2;
	}
	char **cmd = argv + i;

	int ifd = -1;
	char mname[NAME_MAX + 1] = "";
	if (marker) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", marker);
		char *slash = strrchr(dir, '/');
		if (!slash) {
			snprintf(dir, sizeof(dir), ".");
			snprintf(mname, sizeof(mname), "%s", marker);
		} else {
			*slash = '\0';
			snprintf(mname, sizeof(mname), "%s", slash + 1);
			if (!dir[0])
				snprintf(dir, sizeof(dir), "/");
		}
		ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ifd < 0)
			die("inotify_init1");
		if (inotify_add_watch(ifd, dir, IN_CREATE | IN_MOVED_TO) < 0)
			die(dir);
		if (access(marker, F_OK) == 0) {
			fprintf(stderr, "dsbench time: marker %s exists before the run\n", marker);
			return 2;
		}
	}

	double t0 = now_ms(), t_cli = -1, t_marker = marker ? -1 : 0, t_gone = -1;
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (quiet) {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0 && null != STDOUT_FILENO) {
				dup2(null, STDOUT_FILENO);
				close(null);
			}
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "dsbench: exec %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		die("pidfd_open");
	int status = 0;
	while (t_cli < 0 || t_marker < 0) {
		struct pollfd p[2] = { { .fd = t_cli < 0 ? pfd : -1, .events = POLLIN },
				       { .fd = t_marker < 0 ? ifd : -1, .events = POLLIN } };
		double left = t0 + timeout_ms - now_ms();
		if (left <= 0) {
			fprintf(stderr, "dsbench time: timeout after %d ms (cli %s, marker %s)\n", timeout_ms,
				t_cli < 0 ? "running" : "returned", t_marker < 0 ? "missing" : "found");
			if (t_cli < 0) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
			}
			return 3;
		}
		int n = poll(p, 2, (int)left + 1);
		if (n < 0 && errno != EINTR)
			die("poll");
		double t = now_ms();
		if (n > 0 && (p[0].revents & POLLIN)) {
			while (waitpid(pid, &status, 0) < 0)
				if (errno != EINTR)
					die("waitpid");
			t_cli = t;
			/* A failed CLI will not bring the marker: wait a second at most. */
			if (status != 0 && t_marker < 0 && t - t0 + 1000 < timeout_ms)
				timeout_ms = (int)(t - t0) + 1000;
		}
		if (n > 0 && (p[1].revents & POLLIN)) {
			char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
			ssize_t len;
			while ((len = read(ifd, buf, sizeof(buf))) > 0) {
				for (char *q = buf; q < buf + len;) {
					struct inotify_event *ev = (struct inotify_event *)q;
					if (ev->len && strcmp(ev->name, mname) == 0 && t_marker < 0)
						t_marker = t;
					q += sizeof(*ev) + ev->len;
				}
			}
		}
	}
	double ready = t_cli > t_marker ? t_cli : t_marker;
	if (lockfile) {
		int lfd = open(lockfile, O_RDONLY | O_CLOEXEC);
		if (lfd >= 0) {
			while (flock(lfd, LOCK_EX) < 0)
				if (errno != EINTR)
					die("flock");
			t_gone = now_ms();
			flock(lfd, LOCK_UN);
			close(lfd);
		} else {
			t_gone = now_ms(); /* no lock file: nothing holds it */
		}
	}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("cli=%.3f marker=%.3f ready=%.3f gone=%.3f rc=%d\n", t_cli - t0,
	       marker ? t_marker - t0 : -1.0, ready - t0, lockfile ? t_gone - t0 : -1.0, rc);
	return 0;
}

/* ----------------------------------------------------------------- sink */

static int cmd_sink(void)
{
	static char buf[65536];
	uint64_t total = 0, zeros = 0;
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		total += (uint64_t)n;
		for (ssize_t k = 0; k < n; k++)
			zeros += buf[k] == 0;
	}
	printf("%llu %llu\n", (unsigned long long)total, (unsigned long long)zeros);
	return 0;
}

static int cmd_exited(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: dsbench exited PID TIMEOUT_MS\n");
		return 2;
	}
	int pfd = (int)syscall(SYS_pidfd_open, (pid_t)atoi(argv[1]), 0);
	if (pfd < 0)
		return errno == ESRCH ? 0 : 2;
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	int n;
	while ((n = poll(&p, 1, atoi(argv[2]))) < 0 && errno == EINTR)
		;
	return n > 0 ? 0 : 1;
}

static int cmd_hide_unified(char **cmd)
{
	if (!cmd[0]) {
		fprintf(stderr, "usage: dsbench hide-unified CMD [ARG...]\n");
		return 2;
	}
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		die("umount /sys/fs/cgroup/unified");
	execvp(cmd[0], cmd);
	die(cmd[0]);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "floor") == 0)
		return cmd_floor(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "time") == 0)
		return cmd_time(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sink") == 0)
		return cmd_sink();
	if (argc >= 2 && strcmp(argv[1], "exited") == 0)
		return cmd_exited(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "hide-unified") == 0)
		return cmd_hide_unified(argv + 2);
	fprintf(stderr, "usage: dsbench floor|time|sink|exited|hide-unified ... (see bench/dsbench.c)\n");
	return 2;
}
