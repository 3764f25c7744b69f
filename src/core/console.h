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
 *
 * The monitor never blocks on a client: its socket is non-blocking, the
 * replay is sent as the client takes it, and console output waits in a
 * bounded buffer; a client that lets it overflow is disconnected (the log
 * is written regardless, the guest's console never waits).
 */
#pragma once

#include "config.h"
#include "tty/proxy.h"
#include "util/error.h"

#include <sys/types.h>

#define DS_CONSOLE_CLIENT_BUF (256 * 1024)

/* The protocol's bytes (on the wire: these characters). */
enum ds_console_mode {
	DS_CONSOLE_ATTACH = 'A', /* client: attach */
	DS_CONSOLE_REPLAY = 'R', /* client: attach, this boot's output first */
};
enum ds_console_reply {
	DS_CONSOLE_OK = 'O',   /* monitor: attached; the console master comes with it */
	DS_CONSOLE_BUSY = 'B', /* monitor: another client is attached */
};

/* The attached client, as the monitor serves it. */
struct ds_console_client {
	int fd;        /* -1: none attached */
	int replay_fd; /* the log while this boot's output is being sent ('R'); -1: done */
	off_t replay_off, replay_end;
	struct ds_iobuf out; /* console output waiting for the client */
	struct ds_iobuf in;  /* what the client typed, waiting for the console */
	char out_data[DS_CONSOLE_CLIENT_BUF];
	char in_data[65536];
};

int ds_console_socket_path(const struct ds_config *cfg, char *out, size_t size);
/* Monitor side: a listening, non-blocking socket (a stale one is replaced). */
int ds_console_listen(const struct ds_config *cfg, struct ds_error *err);
/* Client side: returns the connected socket; *master gets the console master. */
int ds_console_connect(const struct ds_config *cfg, enum ds_console_mode mode, int *master, struct ds_error *err);
void ds_console_client_init(struct ds_console_client *c);
/* Takes fd as the client; with a log_fd, [from, to) of it is sent first (the replay). */
void ds_console_client_attach(struct ds_console_client *c, int fd, int log_fd, off_t from, off_t to);
void ds_console_client_close(struct ds_console_client *c);
/* Console output for the client; -1 when its buffer overflows (it does not read: drop it). */
int ds_console_client_queue(struct ds_console_client *c, const void *buf, size_t n);
/* Sends what the client takes now; -1 when it is gone. */
int ds_console_client_send(struct ds_console_client *c);
/* Reads its input while there is room; -1 on EOF or error. */
int ds_console_client_recv(struct ds_console_client *c);
/* Whether something waits to be sent to it. */
int ds_console_client_has_output(const struct ds_console_client *c);

/* Removes sockets nobody listens on any more (their monitors died). */
void ds_console_sweep(const struct ds_config *cfg);

/*
 * Proxies this terminal to the console of cfg's container until the user
 * detaches (Ctrl-a q) or the container ends; SIGINT and SIGTERM to us call
 * on_signal (when not NULL) with signal_data (start -f halts the guest).
 */
int ds_console_attach(struct ds_config *cfg, enum ds_console_mode mode, void (*on_signal)(int sig, void *ud),
		      void *signal_data, struct ds_error *err);
