/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Run inside a container by tests/e2e/40-storage.bats, installed
 * setuid root: prints "ruid=R euid=E". A rootfs mounted nosuid leaves the
 * euid at the caller's uid.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("ruid=%d euid=%d\n", (int)getuid(), (int)geteuid());
	return 0;
}
