/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * enter and run: a process in a running container, in all its namespaces
 * and its init's cgroup. When any of stdin, stdout, stderr is a terminal, a
 * PTY is allocated inside the container's own devpts (so `tty` and `ps` tell
 * the truth there; the caller's terminal never reaches the guest, where
 * TIOCSTI could type into it) and its master is passed back over
 * SCM_RIGHTS; what is not a terminal passes through untouched. With no
 * terminal at all the command runs in a session of its own, without a
 * controlling terminal.
 */
#pragma once

#include "core/state.h"
#include "util/error.h"

#include <stdint.h>

/* Exit statuses of run, as a shell would give them. */
#define DS_EXIT_NOT_RUNNING 125
#define DS_EXIT_CANNOT_EXEC 126
#define DS_EXIT_NOT_FOUND 127

/* run --user: a name of the guest's /etc/passwd, or UID[:GID]. */
struct ds_user_spec {
	char name[33];     /* "" when given as numbers */
	uint32_t uid, gid; /* numeric: as given (gid: has_gid) */
	int has_gid;
};

/* A uid or gid in decimal, 0..4294967294 ((uid_t)-1 means "unchanged"): 0, or -EINVAL. */
int ds_id_parse(const char *s, uint32_t *out);
/*
 * Parses --user strictly: NAME (1-32 of A-Z a-z 0-9 _ . -, not starting
 * with - or ., an optional trailing $) or UID[:GID]. NULL when valid, else
 * why not; no empty field, sign, overflow or other character is accepted.
 */
const char *ds_user_parse(const char *spec, struct ds_user_spec *out);

struct ds_exec {
	char *const *argv; /* the command */
	const char *user;  /* run --user: switch to this account of the guest, NULL for root */
};

/*
 * Runs e->argv in the container whose init is st->pid. Returns the exit
 * status to hand back (128+N for a signal), or a negative errno with err
 * filled; an exec failure returns 126/127 with err filled.
 */
int ds_container_exec(const struct ds_state *st, const struct ds_exec *e, struct ds_error *err);
