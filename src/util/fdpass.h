/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Passing a file descriptor with a one-byte tag over a unix socket (SCM_RIGHTS). */
#pragma once

/* fd < 0 sends the tag alone. */
int ds_send_fd(int sock, char tag, int fd);
/* Returns the received fd (close-on-exec); -ENOMSG when only a tag came. */
int ds_recv_fd(int sock, char *tag);
