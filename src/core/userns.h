/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --private-users: guest root is an unprivileged range of host ids.
 *
 * The value (auto, BASE[:SIZE], no), the registry of the ranges handed out
 * (<workspace>/userns.ranges, one "BASE SIZE NAME" line per container, under
 * an flock), and the host side of one boot: the monitor writes init's
 * uid_map and gid_map and builds the rootfs as an idmapped mount (files keep
 * their ids on disk; guest root's are host root's through the mount).
 *
 * A range stays in the registry while the container exists (remove releases
 * it), so restart gets the same one and no two containers share ids.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>
#include <sys/types.h>

#define DS_USERNS_SIZE 65536u       /* ids per container: every id a distribution uses */
#define DS_USERNS_FIRST 0x00080000u /* where auto starts (as systemd-nspawn: above any host user) */
#define DS_USERNS_LAST 0x6FFF0000u  /* ... and the last base it takes */
#define DS_USERNS_MIN_BASE 65536u   /* below: the host's own users and groups */
#define DS_USERNS_REGISTRY_MAX 1024 /* entries the registry holds */
#define DS_USERNS_REGISTRY_BYTES (96 * DS_USERNS_REGISTRY_MAX)

struct ds_userns_entry {
	unsigned base, size;
	char name[DS_NAME_MAX + 1];
};

/* Parses --private-users's value ("" or "auto", "no", BASE[:SIZE]); NULL, or why it is refused. */
const char *ds_userns_parse(const char *val, struct ds_userns *out);
/* "auto", "BASE:SIZE" or "no". */
void ds_userns_format(const struct ds_userns *u, char *out, size_t size);

/* --private-users-ownership: auto, map or chown (enum ds_userns_ownership); NULL, or why it is refused. */
const char *ds_userns_ownership_parse(const char *val, int *out);
const char *ds_userns_ownership_name(int ownership);

/*
 * The saved record of a shift (private_users_shift): "BASE:SIZE" (the ids
 * on disk are that range's), "shifting:FROM:BASE:SIZE" (a walk from FROM,
 * 0 for the rootfs's own ids, to BASE began and may not have ended).
 * NULL, or why val is no record.
 */
const char *ds_userns_shift_parse(const char *val, struct ds_userns_shift *out);
/* The record as saved ("" for DS_SHIFT_NONE). */
void ds_userns_shift_format(const struct ds_userns_shift *s, char *out, size_t size);

/*
 * Parses the registry's text (len bytes, need not be terminated): up to max
 * entries. Returns their count, or -EBADMSG with *bad_line the first line
 * that is not "BASE SIZE NAME" (a valid name, a valid range, no overlap).
 */
int ds_userns_registry_parse(const char *text, size_t len, struct ds_userns_entry *e, int max, int *bad_line);
/* Writes the entries as the registry's text; -ENAMETOOLONG when out is too small. */
int ds_userns_registry_format(const struct ds_userns_entry *e, int n, char *out, size_t size);
/*
 * The range of container name among the entries: a fixed range when no
 * other container has ids in it (else -EBUSY, *other naming that container),
 * the entry name has for auto, else the lowest free range from
 * DS_USERNS_FIRST (-ENOSPC when none). want becomes DS_USERNS_FIXED.
 */
int ds_userns_pick(const struct ds_userns_entry *e, int n, const char *name, struct ds_userns *want,
		   const char **other);

/* What ds_userns_claim changed in the registry, to undo it after a failed start. */
struct ds_userns_claim {
	int changed; /* the registry was written */
	int had;     /* name had an entry before: prev */
	struct ds_userns_entry prev;
};
/* Resolves cfg->settings.userns (auto or fixed) against the registry and records it for the name. */
int ds_userns_claim(struct ds_config *cfg, struct ds_userns_claim *claim, struct ds_error *err);
/* Undoes a claim: the registry as it was before. */
void ds_userns_unclaim(const struct ds_config *cfg, const struct ds_userns_claim *claim);
/* remove: the name's range is free again (its files never carry the range: idmapped). */
int ds_userns_release(const char *ws, const char *name);

/* 1 when this kernel creates user namespaces ($DROIDSPACES_FAULT=no-userns says no). */
int ds_userns_supported(void);

/*
 * 1 when the rootfs (rootfd, with its submounts) can be idmapped for u on
 * this kernel: asked with a throwaway user namespace and a detached clone
 * that is dropped again. 0 with why (the kernel lacks mount_setattr, or the
 * filesystem refuses); $DROIDSPACES_FAULT=no-idmap says 0.
 */
int ds_userns_idmap_possible(int rootfd, const struct ds_userns *u, char *why, size_t size);

/* /proc/PID/WHICH (uid_map, gid_map) written with map, lines of "INSIDE OUTSIDE COUNT". */
int ds_userns_write_map(pid_t pid, const char *which, const char *map, struct ds_error *err);
/* The uid and gid maps of pid's new user namespace: guest 0.. on u's range. */
int ds_userns_write_maps(pid_t pid, const struct ds_userns *u, struct ds_error *err);

/*
 * The monitor, for init (pid) in its new user namespace: writes the uid and
 * gid maps, then clones the rootfs (rootfd: the directory checked at start)
 * as a detached idmapped mount tree for init to attach. Returns the tree's
 * fd, or a negative errno with err filled.
 */
int ds_userns_setup_child(pid_t pid, const struct ds_userns *u, int rootfd, const char *rootfs, struct ds_error *err);
