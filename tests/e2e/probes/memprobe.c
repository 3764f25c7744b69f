/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Run inside a container by tests/e2e/16-limits.bats: allocates and touches
 * MiB after MiB up to argv[1] MiB (default 16), printing "allocated N" every 8 MiB (to an
 * unbuffered stdout), then "survived N". Under a lower --memory the kernel's
 * OOM killer ends it on the way (SIGKILL, exit 137 through run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	long want = argc > 1 ? atol(argv[1]) : 16;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (long n = 1; n <= want; n++) {
		char *p = malloc(1 << 20);
		if (!p) {
			printf("malloc failed at %ld\n", n);
			return 2;
		}
		memset(p, (int)n, 1 << 20); /* touched: charged to the cgroup */
		if (n % 8 == 0)
			printf("allocated %ld\n", n);
	}
	printf("survived %ld\n", want);
	return 0;
}
