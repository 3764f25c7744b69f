/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The terminal side of foreground start, enter, run and console: the
 * caller's terminal in raw mode, bytes shuttled both ways through bounded
 * buffers with non-blocking I/O (a side that does not read never stalls
 * the other), SIGWINCH forwarded, and the terminal restored on every way out.
 */
#pragma once

#include <sys/types.h>
#include <termios.h>

struct ds_tty_state {
	int fd; /* the terminal put in raw mode, -1 when none */
	struct termios saved;
};

/* Puts fd in raw mode when it is a terminal; remembers how to restore it. */
int ds_tty_raw(int fd, struct ds_tty_state *st);
void ds_tty_restore(struct ds_tty_state *st);

/* Bytes buffered per direction: a paste larger than this waits, it never deadlocks. */
#define DS_PROXY_BUF 65536

struct ds_proxy {
	int in_fd;      /* usually 0; -1: no input (the command reads stdin itself) */
	int out_fd;     /* usually 1 */
	int remote_in;  /* where input goes (a PTY master or a socket) */
	int remote_out; /* where output comes from (may equal remote_in) */
	int winsize_fd; /* a PTY master to resize on SIGWINCH, -1 for none */
	pid_t child;    /* ends the loop when it exits (0: none) */
	/* SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to us: handed to on_signal (NULL: ignored). */
	void (*on_signal)(int sig, void *data);
	void *signal_data;
	int escape;       /* detach on Ctrl-a q (console) */
	int in_is_tty;    /* set by ds_proxy_run */
	int child_status; /* out: waitpid status of child */
	int detached;     /* out: the user typed the escape sequence */
};

/*
 * Runs until remote_out closes, the child exits, or the escape is typed.
 * Returns 0, or a negative errno when it could not start (nothing moved).
 */
int ds_proxy_run(struct ds_proxy *p);

/* Bytes read from one fd, waiting to be written to another; data holds size bytes. */
struct ds_iobuf {
	char *data;
	size_t size, off, len;
	int not_socket; /* learned on the first write: send() is refused */
};

/* Room for one more read (escape filtering may add a byte). */
int ds_iobuf_has_room(const struct ds_iobuf *b);
/* Appends n bytes; -1 (nothing appended) when they do not fit. */
int ds_iobuf_put(struct ds_iobuf *b, const void *p, size_t n);
struct ds_escape;
/* Reads what fits from fd; 1 when data came, 0 on none for now, -1 on EOF, hang-up or error. */
int ds_iobuf_fill(struct ds_iobuf *b, int fd, struct ds_escape *esc);
/* Writes what fd takes now, never raising SIGPIPE; -1 when it can take nothing any more. */
int ds_iobuf_flush(struct ds_iobuf *b, int fd);

/* The console's escape: Ctrl-a q detaches, Ctrl-a Ctrl-a sends one Ctrl-a. */
struct ds_escape {
	int prefix;   /* a Ctrl-a ended the previous chunk */
	int detached; /* Ctrl-a q was seen: nothing after it is passed on */
};

/*
 * Filters n bytes typed by the user into out, which must hold n + 1 bytes:
 * a Ctrl-a carried over from the previous chunk adds one. Returns the bytes
 * written to out; stops at the detach.
 */
size_t ds_escape_filter(struct ds_escape *e, const char *in, size_t n, char *out);
/* Copies the window size of fd (the caller's terminal) to the PTY master. */
void ds_tty_copy_winsize(int from, int to_master);
