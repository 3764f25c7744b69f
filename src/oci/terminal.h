/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * process.terminal, for create's init and for exec alike: the caller's
 * --console-socket connected, and a PTY of the container's devpts whose
 * master goes there (SCM_RIGHTS, as runc sends it) while its slave becomes
 * the process's stdio and controlling terminal.
 */
#pragma once

#include "util/error.h"

/* The unix socket at path, connected: the fd, or a negative errno with err filled. */
int ds_oci_console_connect(const char *path, struct ds_error *err);
/*
 * In the container's mount namespace: a new PTY, its master sent over
 * console_fd, its slave dup'ed to stdio and made the controlling terminal
 * of a new session; with bind_console also bound on /dev/console (init's).
 */
int ds_oci_terminal_setup(int console_fd, int bind_console, struct ds_error *err);
