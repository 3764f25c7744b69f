/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Run inside a container by tests/e2e/16-limits.bats: forks children that
 * wait, until fork fails or argv[1] (default 1000) of them exist, prints "forked N errno E"
 * (E: 0 when the cap was reached, 11 for EAGAIN, the pids limit), then kills
 * and reaps them all: the container is left as it was.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long cap = argc > 1 ? atol(argv[1]) : 1000;
	pid_t *kids = calloc((size_t)cap, sizeof(*kids));
	long n = 0;
	int e = 0;
	if (!kids)
		return 2;
	while (n < cap) {
		pid_t p = fork();
		if (p < 0) {
			e = errno;
			break;
		}
		if (p == 0) {
			pause();
			_exit(0);
		}
		kids[n++] = p;
	}
	printf("forked %ld errno %d\n", n, e);
	fflush(stdout);
	for (long i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}
