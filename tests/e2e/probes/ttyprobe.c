/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A hostile command for the terminal tests: prints its session, controlling
 * terminal (tty_nr of /proc/self/stat) and the device of `tty`, then tries to
 * type TEXT (argv[1], followed by a newline) into every terminal it can
 * reach with TIOCSTI: fd 0, 1, 2 and /dev/tty.
 *
 * Output, one KEY=VALUE per line: PID SID TTYNR TTY RDEV (tty_nr encoding of
 * the device `tty` names, 0 when none), then STI_<where>=ok|<errno name>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void inject(const char *where, int fd, const char *text)
{
	int err = 0;
	if (fd < 0)
		err = errno;
	for (const char *p = text; !err && *p; p++)
		if (ioctl(fd, TIOCSTI, p) < 0)
			err = errno;
	char nl = '\n';
	if (!err && ioctl(fd, TIOCSTI, &nl) < 0)
		err = errno;
	printf("STI_%s=%s\n", where, err ? strerror(err) : "ok");
}

int main(int argc, char **argv)
{
	const char *text = argc > 1 ? argv[1] : "echo INJECTED";
	char line[1024] = "";
	FILE *f = fopen("/proc/self/stat", "re");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	int pid, sid = 0, ttynr = 0;
	char *p = strrchr(line, ')');
	/* after "comm)": state ppid pgrp session tty_nr */
	if (p)
		sscanf(p + 1, " %*c %*d %*d %d %d", &sid, &ttynr);
	pid = getpid();
	printf("PID=%d\nSID=%d\nTTYNR=%d\n", pid, sid, ttynr);
	const char *name = NULL;
	for (int fd = 0; fd < 3 && !name; fd++)
		name = ttyname(fd);
	unsigned rdev = 0;
	struct stat sb;
	if (name && stat(name, &sb) == 0) {
		unsigned ma = major(sb.st_rdev), mi = minor(sb.st_rdev);
		rdev = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
	}
	printf("TTY=%s\nRDEV=%u\n", name ? name : "none", rdev);
	fflush(stdout);
	inject("fd0", 0, text);
	inject("fd1", 1, text);
	inject("fd2", 2, text);
	int t = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	inject("devtty", t, text);
	return 0;
}
