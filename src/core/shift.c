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
#include <sys/stat.h>
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
	/* the record goes with the rootfs it is of: a file naming another is this start's settings now */
	if (strcmp(s->settings.rootfs_path, cfg->settings.rootfs_path) != 0)
		return ds_saved_store(path, &cfg->settings, s->extra, err);
	s->settings.shift = *rec;
	return ds_saved_store(path, &s->settings, s->extra, err);
}

/*
 * Whether a tree's root directory is the one a record of a shift to
 * base:size is of. A shifted tree's root is guest root's (base), as nspawn's
 * --private-users=pick reads a tree's range off its root directory; a root
 * owned outside the range is another tree (the rootfs replaced at the same
 * path), whose ids are its own.
 */
static int root_in_record(const struct stat *st, const struct ds_userns_shift *rec)
{
	return st->st_uid >= rec->base && st->st_uid - rec->base < rec->size && st->st_gid >= rec->base &&
	       st->st_gid - rec->base < rec->size;
}

/*
 * The record of this start's tree. It is kept in the container's saved file
 * with the rootfs that file names, and a start that names its rootfs again
 * (--rootfs, where the saved settings are not merged) still has it. A start
 * of the name on another rootfs would drop the only record of the old tree's
 * shift (remove could no longer shift it back): refused while that tree is
 * there and shifted.
 */
static int recorded_shift(struct ds_config *cfg, struct ds_error *err)
{
	char path[PATH_MAX];
	if (ds_saved_path(cfg, cfg->container_name, path, sizeof(path)) < 0 || access(path, F_OK) < 0)
		return 0;
	_cleanup_saved_ struct ds_saved *s = ds_saved_new();
	if (!s)
		return ds_fail(err, -ENOMEM, "out of memory reading the shift's record");
	struct ds_error e = { 0 };
	if (ds_saved_load(path, s, &e) < 0)
		return 0; /* unreadable: replaced by this start's settings, as without a shift */
	const struct ds_userns_shift *rec = &s->settings.shift;
	const char *old = s->settings.rootfs_path;
	if (!strcmp(old, cfg->settings.rootfs_path)) {
		cfg->settings.shift = *rec;
		return 0;
	}
	struct stat st;
	if (rec->state == DS_SHIFT_NONE || !old[0] || stat(old, &st) < 0 ||
	    (rec->state == DS_SHIFT_SHIFTED && !root_in_record(&st, rec)))
		return 0; /* that tree is gone, or not the shifted one: no record is lost */
	char text[64];
	ds_userns_shift_format(rec, text, sizeof(text));
	return ds_fail(err, DS_EINVAL_MSG,
		       "container %s's rootfs %s has its ids shifted (private_users_shift=%s), and only %s's settings "
		       "record it: shift them back first (droidspaces --name=%s remove), or delete that tree, or "
		       "boot %s under another name",
		       cfg->container_name, old, text, cfg->container_name, cfg->container_name,
		       cfg->settings.rootfs_path[0] ? cfg->settings.rootfs_path : cfg->settings.rootfs_img_path);
}

static int walk(int rootfd, const char *rootfs, struct ds_idshift *s, struct ds_error *err)
{
	int r = ds_idshift_tree(rootfd, s);
	if (r == -ERANGE)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: cannot shift the ids of %s: %s%s has id %llu, outside %u-%u (ids of "
			       "another range, or beyond its size)",
			       rootfs, rootfs, s->path + 1, s->bad_id, s->from, s->from + s->size - 1);
	if (r == -EPERM && s->dry)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: cannot shift the ids of %s: %s%s is immutable or append-only (chattr "
			       "-i -a it first)",
			       rootfs, rootfs, s->path + 1);
	if (r == -EMLINK && s->dry)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: cannot shift the ids of %s: %s%s has %llu hard links, %llu of them "
			       "outside it: the shift would change the owner of a file outside it too; give it a copy "
			       "of its own (cp, then mv over it) first",
			       rootfs, rootfs, s->path + 1, s->nlink, s->nlink - s->nlink_inside);
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
	struct ds_userns_shift prev = cfg->settings.shift;
	char saved[PATH_MAX];
	int had_file = ds_saved_path(cfg, cfg->container_name, saved, sizeof(saved)) == 0 && access(saved, F_OK) == 0;
	struct ds_userns_shift rec = { .state = DS_SHIFT_SHIFTING, .from = from, .base = to, .size = size };
	if ((r = save_record(cfg, &rec, err)) < 0)
		return r;
	s.dry = 0;
	if ((r = walk(rootfd, rootfs, &s, err)) < 0) {
		/* nothing changed (the first write failed): the record as it was; else the next start finishes it */
		struct ds_error e = { 0 };
		if (!s.touched && had_file)
			save_record(cfg, &prev, &e);
		else if (!s.touched && unlink(saved) == 0) /* the first start's: as if never made */
			cfg->settings.shift = prev;
		return r;
	}
	rec = to ? (struct ds_userns_shift){ .state = DS_SHIFT_SHIFTED, .base = to, .size = size }
		 : (struct ds_userns_shift){ .state = DS_SHIFT_NONE };
	return save_record(cfg, &rec, err);
}

int ds_shift_prepare(struct ds_config *cfg, struct ds_error *err)
{
	const struct ds_userns *u = &cfg->settings.userns;
	cfg->rt.shifted = 0;
	int r = recorded_shift(cfg, err);
	if (r < 0 || cfg->rt.rootfs_fd < 0)
		return r;
	struct ds_userns_shift rec = cfg->settings.shift;
	struct stat st;
	if (rec.state == DS_SHIFT_SHIFTED && fstat(cfg->rt.rootfs_fd, &st) == 0 && !root_in_record(&st, &rec)) {
		fprintf(stderr,
			"droidspaces: %s is owned by %u:%u, outside the shift recorded for it (%u:%u): another tree "
			"at that path, its ids taken as its own\n",
			cfg->settings.rootfs_path, (unsigned)st.st_uid, (unsigned)st.st_gid, rec.base, rec.size);
		rec = (struct ds_userns_shift){ .state = DS_SHIFT_NONE };
		cfg->settings.shift = rec;
	}
	/*
	 * No record, and a root owned by an id no plain tree has (above the 16-bit
	 * ids): a tree shifted by droidspaces and then moved or copied, whose record
	 * is of its old path. Owned by this container's guest root it is taken as
	 * shifted to this range (as nspawn's --private-users=pick reads a range off
	 * the root directory); owned by another range's it is refused: an idmapped
	 * mount over it would show the guest nobody's files, and a shift from 0
	 * would push its ids out of every range.
	 */
	if (rec.state == DS_SHIFT_NONE && u->mode != DS_USERNS_OFF && fstat(cfg->rt.rootfs_fd, &st) == 0 &&
	    (st.st_uid > 65535 || st.st_gid > 65535)) {
		if (st.st_uid != u->base || st.st_gid != u->base)
			return ds_fail(err, DS_EINVAL_MSG,
				       "--private-users: %s is owned by %u:%u, with no shift recorded for it (a tree "
				       "shifted for another range, then moved?): give its files their own ids back, "
				       "or start it with the name and path it was shifted for",
				       cfg->settings.rootfs_path, (unsigned)st.st_uid, (unsigned)st.st_gid);
		fprintf(stderr,
			"droidspaces: %s is owned by guest root (%u), with no shift recorded for it: taken as "
			"shifted to %u:%u%s\n",
			cfg->settings.rootfs_path, u->base, u->base, u->size,
			cfg->settings.userns_ownership == DS_OWN_MAP
				? ", and shifted back to its own ids now (--private-users-ownership=map)"
				: "");
		rec = (struct ds_userns_shift){ .state = DS_SHIFT_SHIFTED, .base = u->base, .size = u->size };
		if ((r = save_record(cfg, &rec, err)) < 0)
			return r;
	}
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
	struct stat st;
	if (fd < 0 && errno == ENOENT)
		return 0; /* the rootfs is gone: nothing carries the range */
	if (fd < 0 || fstat(fd, &st) < 0) {
		char text[64];
		ds_userns_shift_format(rec, text, sizeof(text));
		return ds_fail(err, negerrno(),
			       "cannot shift the ids of %s back (private_users_shift=%s), and they would keep a range "
			       "that is released: put the tree back at that path, or delete it, and remove again; "
			       "cannot open it",
			       saved->rootfs_path, text);
	}
	if (rec->state == DS_SHIFT_SHIFTED && !root_in_record(&st, rec))
		return 0; /* another tree is at its path: nothing to shift back */
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
