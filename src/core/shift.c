/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/shift.h"
#include "core/saved.h"
#include "core/userns.h"
#include "fs/idshift.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The record saved now, in the container's file (the rest of it as it is), and in cfg. */
static int save_record(struct ds_config *cfg, const struct ds_userns_shift *rec, struct ds_error *err)
{
	char path[PATH_MAX];
	cfg->settings.shift = *rec;
	if (ds_saved_path(cfg, cfg->container_name, path, sizeof(path)) < 0)
		return ds_fail(err, -ENAMETOOLONG, "the saved settings' path of %s is too long", cfg->container_name);
	_cleanup_saved_ struct ds_saved *s = ds_saved_new();
	if (!s)
		return ds_fail(err, -ENOMEM, "out of memory saving the shift's record");
	if (access(path, F_OK) < 0) /* the first start: what it will save anyway */
		return ds_saved_store(path, &cfg->settings, "", err);
	int r = ds_saved_load(path, s, err);
	if (r < 0)
		return r;
	s->settings.shift = *rec;
	return ds_saved_store(path, &s->settings, s->extra, err);
}

static int walk(int rootfd, const char *rootfs, struct ds_idshift *s, struct ds_error *err)
{
	int r = ds_idshift_tree(rootfd, s);
	if (r == -ERANGE)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: cannot shift the ids of %s: %s%s has id %llu, outside %u-%u (ids of "
			       "another range, or beyond its size)",
			       rootfs, rootfs, s->path + 1, s->bad_id, s->from, s->from + s->size - 1);
	if (r < 0)
		return ds_fail(err, r, "--private-users: cannot shift the ids of %s%s", rootfs, s->path + 1);
	return 0;
}

/*
 * The ids of the rootfs from from..from+size-1 to to..: checked (nothing
 * changed when one is outside), recorded as shifting, shifted, recorded.
 * Ranges that overlap go through the rootfs's own ids (two walks).
 */
static int shift(struct ds_config *cfg, unsigned from, unsigned to, unsigned size, const char *why,
		 struct ds_error *err)
{
	const char *rootfs = cfg->settings.rootfs_path;
	int rootfd = cfg->rt.rootfs_fd;
	if (from && to && from < to + (unsigned long long)size && to < from + (unsigned long long)size) {
		int r = shift(cfg, from, 0, size, why, err);
		return r < 0 ? r : shift(cfg, 0, to, size, why, err);
	}
	if ((from && from < size) || (to && to < size)) {
		/* only a SIZE above the range's BASE (BASE:SIZE given so) gets here */
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: a range of %u ids from %u overlaps the rootfs's own ids 0-%u: its ids "
			       "cannot be shifted (use a BASE of at least the SIZE)",
			       size, from ? from : to, size - 1);
	}
	struct ds_idshift s = { .from = from, .to = to, .size = size, .dry = 1 };
	int r = walk(rootfd, rootfs, &s, err);
	if (r < 0)
		return r;
	fprintf(stderr,
		"droidspaces: %s the ids of %s (%llu files) %s %u:%u, once (--private-users-ownership=chown%s%s)\n",
		to ? "shifting" : "shifting back", rootfs, s.entries, to ? "to" : "from", to ? to : from, size,
		why ? ": " : "", why ? why : "");
	struct ds_userns_shift rec = { .state = DS_SHIFT_SHIFTING, .from = from, .base = to, .size = size };
	if ((r = save_record(cfg, &rec, err)) < 0)
		return r;
	s.dry = 0;
	if ((r = walk(rootfd, rootfs, &s, err)) < 0)
		return r; /* the record says shifting: the next start finishes the walk */
	rec = to ? (struct ds_userns_shift){ .state = DS_SHIFT_SHIFTED, .base = to, .size = size }
		 : (struct ds_userns_shift){ .state = DS_SHIFT_NONE };
	return save_record(cfg, &rec, err);
}

int ds_shift_prepare(struct ds_config *cfg, struct ds_error *err)
{
	const struct ds_userns *u = &cfg->settings.userns;
	struct ds_userns_shift rec = cfg->settings.shift;
	int r;
	cfg->rt.shifted = 0;
	/* A walk that did not finish: finished first, the same walk (what it changed already is left). */
	if (rec.state == DS_SHIFT_SHIFTING) {
		if ((r = shift(cfg, rec.from, rec.base, rec.size, "the last shift did not finish", err)) < 0)
			return r;
		rec = cfg->settings.shift;
	}
	unsigned cur = rec.state == DS_SHIFT_SHIFTED ? rec.base : 0;
	unsigned target = 0;
	char why[320] = "", probe[256];
	if (u->mode != DS_USERNS_OFF) {
		int own = cfg->settings.userns_ownership;
		if (own == DS_OWN_AUTO && !cur && !ds_userns_idmap_possible(cfg->rt.rootfs_fd, u, probe, sizeof(probe)))
			snprintf(why, sizeof(why), "it cannot be idmapped: %s", probe);
		else if (own == DS_OWN_AUTO)
			own = cur ? DS_OWN_CHOWN : DS_OWN_MAP;
		if (own != DS_OWN_MAP)
			target = u->base;
	}
	if (cur == target && (!cur || rec.size == u->size)) {
		cfg->rt.shifted = target != 0;
		return 0;
	}
	unsigned size = cur ? rec.size : u->size;
	if (target && size > u->size)
		return ds_fail(
			err, DS_EINVAL_MSG,
			"--private-users: the ids of %s are shifted to %u:%u: a range of %u ids cannot hold them",
			cfg->settings.rootfs_path, cur, rec.size, u->size);
	if (cur != target && (r = shift(cfg, cur, target, size, why[0] ? why : NULL, err)) < 0)
		return r;
	if (target && size != u->size) {
		/* the same ids, the record with the range's size */
		struct ds_userns_shift now = { .state = DS_SHIFT_SHIFTED, .base = target, .size = u->size };
		if ((r = save_record(cfg, &now, err)) < 0)
			return r;
	}
	cfg->rt.shifted = target != 0;
	return 0;
}

int ds_shift_undo(struct ds_config *cfg, const struct ds_settings *saved, struct ds_error *err)
{
	const struct ds_userns_shift *rec = &saved->shift;
	if (rec->state == DS_SHIFT_NONE || !saved->rootfs_path[0])
		return 0;
	_cleanup_close_ int fd = open(saved->rootfs_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* the rootfs is gone: nothing to shift back */
	snprintf(cfg->settings.rootfs_path, sizeof(cfg->settings.rootfs_path), "%s", saved->rootfs_path);
	cfg->settings.shift = *rec;
	cfg->rt.rootfs_fd = fd;
	int r = 0;
	if (rec->state == DS_SHIFT_SHIFTING)
		r = shift(cfg, rec->from, rec->base, rec->size, "the last shift did not finish", err);
	if (r == 0 && cfg->settings.shift.state == DS_SHIFT_SHIFTED)
		r = shift(cfg, cfg->settings.shift.base, 0, cfg->settings.shift.size, "remove", err);
	cfg->rt.rootfs_fd = -1;
	return r;
}
