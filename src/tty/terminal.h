/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PTY pairs for the container console. */
#pragma once

#include "config.h"

/* Opens a PTY pair on the host's /dev/ptmx; both fds close-on-exec. */
int ds_terminal_create(struct ds_tty_info *tty);
void ds_terminal_close(struct ds_tty_info *tty);
/* dup2 fd to 0, 1 and 2, then make it the controlling terminal of a new session. */
int ds_terminal_attach_stdio(int fd);
