/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Readiness: when a guest counts as up, and the record of it.
 *
 * The monitor serves the guest's NOTIFY_SOCKET (<ws>/Sockets/NAME.notify,
 * /run/host/notify inside) and takes READY=1 and STATUS= from init; for the
 * inits that do not speak that protocol it looks into the guest: OpenRC's
 * default runlevel reached, sysvinit's runlevel in utmp, else init alive for
 * a second. What it found is written atomically to <ws>/Pids/NAME.ready,
 * which `start --wait`, status and info read (never following a link,
 * never blocking on a FIFO planted there).
 *
 * The guest is not trusted: a datagram is read whole or dropped, only
 * printable text of a bounded length is kept, and nothing of it is parsed
 * beyond the keys below.
 */
#pragma once

#include "config.h"

#include <stddef.h>
#include <sys/types.h>

#define DS_NOTIFY_MAX 4096     /* the largest notify datagram read; a longer one is dropped */
#define DS_STATUS_MAX 160      /* characters of STATUS= kept */
#define DS_READY_ALIVE_MS 1000 /* busybox and other inits: running this long without exiting */

/* What made a guest ready (the record's `by`). */
enum ds_ready_by {
	DS_READY_NONE,
	DS_READY_NOTIFY,   /* READY=1 on NOTIFY_SOCKET (systemd) */
	DS_READY_OPENRC,   /* /run/openrc/softlevel is the default runlevel, and openrc has finished */
	DS_READY_SYSVINIT, /* a RUN_LVL record in utmp, and the runlevel's rc has finished */
	DS_READY_ALIVE,    /* init ran DS_READY_ALIVE_MS without exiting */
};

struct ds_ready {
	int ready;
	int by;                         /* enum ds_ready_by */
	long long ms;                   /* init's boot to ready, milliseconds; -1: not yet */
	char status[DS_STATUS_MAX + 1]; /* the last STATUS= text, printable ASCII only */
};

/* What one notify datagram said. */
struct ds_notify {
	int ready;      /* READY=1 */
	int stopping;   /* STOPPING=1 */
	int has_status; /* STATUS= came (status may be empty) */
	char status[DS_STATUS_MAX + 1];
};

/*
 * Parses one datagram of n bytes (not NUL-terminated; NUL bytes are data):
 * 0 and out filled when it had a key we know, -ENOMSG when it had none,
 * -EINVAL when it is empty or longer than DS_NOTIFY_MAX.
 */
int ds_notify_parse(const char *buf, size_t n, struct ds_notify *out);

/* "notify", "openrc", "sysvinit", "alive", or "" (none): the record's and JSON's word. */
const char *ds_ready_by_name(int by);
/* What --help and status say of it: "systemd notify (READY=1)", ... */
const char *ds_ready_by_text(int by);

/* The record's text; -EINVAL when a field cannot be written as it is. */
int ds_ready_format(const struct ds_ready *r, char *buf, size_t size);
/* Parses a record: 0, or -EINVAL for anything the monitor would not have written. */
int ds_ready_parse(const char *text, struct ds_ready *r);
/* Writes the record atomically (whatever was planted at path is replaced, never followed). */
int ds_ready_write(const char *path, const struct ds_ready *r);
/* 1 and r filled, 0 when there is none, a negative errno when it is not a record (symlink, FIFO, garbage). */
int ds_ready_read(const char *path, struct ds_ready *r);

/* The runlevel ('0'-'9', 'S') of the last RUN_LVL record of utmp data, 0 when it has none. */
int ds_utmp_runlevel(const unsigned char *buf, size_t n);

/*
 * Looks into the guest of init (a host PID) whether it is up by its own
 * init's marks: DS_READY_OPENRC, DS_READY_SYSVINIT, DS_READY_ALIVE (once
 * init has run alive_ms since its execve), or DS_READY_NONE. A systemd init
 * is ready by READY=1 only: DS_READY_NONE.
 */
int ds_ready_probe(pid_t init, int kind, long long alive_ms);

/*
 * start --wait: until cfg's container is ready by its record: 0 (r filled),
 * -ESRCH when it stopped first, -ETIMEDOUT (or the record's error, when
 * what stands there is not a record) after seconds.
 */
int ds_ready_wait(const struct ds_config *cfg, int seconds, struct ds_ready *r);
/*
 * What a guest that never got ready shows, from its console log, as plain
 * text (escape sequences and control characters dropped), a line each:
 * systemd's failed units when the log has them (returns 1), else its last
 * lines (returns 0).
 */
int ds_ready_failure_lines(const struct ds_config *cfg, char *out, size_t size);
