/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The console socket the monitor serves at <workspace>/Sockets/<name>.sock:
 * one client at a time gets the console's output as it comes (the log keeps
 * being written) and its input goes to the console. The client also gets
 * the console master over SCM_RIGHTS, only to resize it.
 *
 * Protocol: the client sends one byte, 'A' (attach) or 'R' (attach and
 * replay this boot's output first); the monitor answers 'O' with the fd, or
 * 'B' when another client is attached, then raw bytes both ways.
 */
#pragma once

#include "config.h"
#include "util/error.h"

int ds_console_socket_path(const struct ds_config *cfg, char *out, size_t size);
/* Monitor side: a listening, non-blocking socket (a stale one is replaced). */
int ds_console_listen(const struct ds_config *cfg, struct ds_error *err);
/* Client side: returns the connected socket; *master gets the console master. */
int ds_console_connect(const struct ds_config *cfg, char mode, int *master, struct ds_error *err);
/* Removes sockets nobody listens on any more (their monitors died). */
void ds_console_sweep(const struct ds_config *cfg);
