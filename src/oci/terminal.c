/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The terminal of process.terminal (see terminal.h). */
#include "oci/terminal.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "tty/terminal.h"
#include "util/fdpass.h"
#include "util/macros.h"

int ds_oci_console_connect(const char *path, struct ds_error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		return ds_fail(err, -ENAMETOOLONG, "--console-socket %s", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot create a socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int r = ds_fail(err, negerrno(), "cannot connect to --console-socket %s", path);
		close(fd);
		return r;
	}
	return fd;
}

int ds_oci_terminal_setup(int console_fd, int bind_console, struct ds_error *err)
{
	struct ds_tty_info tty;
	/* /dev/ptmx here is the container's (its devpts): the slave is a /dev/pts/N the process can see. */
	int r = ds_terminal_create(&tty);
	if (r < 0)
		return ds_fail(err, r, "cannot allocate the terminal");
	r = ds_send_fd(console_fd, 'c', tty.master);
	close(tty.master);
	if (r < 0) {
		close(tty.slave);
		return ds_fail(err, r, "cannot send the terminal to --console-socket");
	}
	if (bind_console && access("/dev/console", F_OK) == 0 &&
	    mount(tty.name, "/dev/console", NULL, MS_BIND, NULL) < 0) {
		r = ds_fail(err, negerrno(), "cannot bind the terminal on /dev/console");
		close(tty.slave);
		return r;
	}
	if ((r = ds_terminal_attach_stdio(tty.slave)) < 0)
		return ds_fail(err, r, "cannot make the terminal the controlling one");
	return 0;
}
