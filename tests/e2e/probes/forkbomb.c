/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fork bomb for tests/e2e/16-limits.bats, run inside a container: every
 * process forks for ever, and so does every child.  A fork that fails
 * (EAGAIN at the pids limit) is retried after 20 ms instead of exiting, so
 * the bomb fills the cgroup to its limit and holds it there: what the test
 * reads is the limit, not a shell's fork-failure handling (busybox ash exits
 * when a fork fails, and a shell bomb's count swings under the limit and
 * back).  It ends only when it is killed (stop).
 */
#include <time.h>
#include <unistd.h>

int main(void)
{
	const struct timespec pause_ms = { 0, 20 * 1000 * 1000 };
	for (;;) {
		if (fork() < 0)
			nanosleep(&pause_ms, NULL);
	}
}
