/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Run inside a container by tests/e2e/60-confinement.bats: tries what the
 * capabilities droidspaces drops guard, in forms that change nothing even
 * where they are allowed, and prints one line per try with the errno name.
 *
 *   settime: settimeofday(NULL, tz) with the kernel's own timezone (needs
 *            CAP_SYS_TIME; only tried when that timezone is UTC, because the
 *            first such call after boot would warp the clock by its offset)
 *   module:  init_module() of an empty image (needs CAP_SYS_MODULE; with it
 *            the kernel refuses the image and loads nothing; ENOSYS on a
 *            kernel built without module support)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static const char *name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOEXEC: return "ENOEXEC";
	case ENOSYS: return "ENOSYS";
	default: return strerror(e);
	}
}

int main(void)
{
	struct timeval tv;
	struct timezone tz = { -1, -1 };
	/* the raw system call: musl's gettimeofday() leaves tz alone */
	if (syscall(SYS_gettimeofday, &tv, &tz) == 0 && tz.tz_minuteswest == 0 && tz.tz_dsttime == 0) {
		long r = syscall(SYS_settimeofday, NULL, &tz);
		printf("settime: %s\n", name(r == 0 ? 0 : errno));
	} else {
		printf("settime: skipped (the kernel timezone is not UTC)\n");
	}
	static const char image[1];
	long r = syscall(SYS_init_module, image, 0UL, "");
	printf("module: %s\n", name(r == 0 ? 0 : errno));
	return 0;
}
