/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tty/terminal.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int ds_terminal_create(struct ds_tty_info *tty)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return negerrno();
	int unlock = 0;
	char name[64];
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ptsname_r(master, name, sizeof(name)) != 0) {
		int r = negerrno();
		close(master);
		return r;
	}
	int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		int r = negerrno();
		close(master);
		return r;
	}
	/* A sane console: no echo of the init's own output back into the log. */
	struct termios tio;
	if (tcgetattr(slave, &tio) == 0) {
		tio.c_oflag |= OPOST | ONLCR;
		tcsetattr(slave, TCSANOW, &tio);
	}
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	ioctl(master, TIOCSWINSZ, &ws);
	tty->master = master;
	tty->slave = slave;
	snprintf(tty->name, sizeof(tty->name), "%s", name);
	return 0;
}

void ds_terminal_close(struct ds_tty_info *tty)
{
	ds_closep(&tty->master);
	ds_closep(&tty->slave);
	tty->master = tty->slave = -1;
}

int ds_terminal_attach_stdio(int fd)
{
	for (int i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0)
			return negerrno();
	if (fd > 2)
		close(fd);
	if (setsid() < 0 && errno != EPERM)
		return negerrno();
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		return negerrno();
	return 0;
}
