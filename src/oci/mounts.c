/* SPDX-License-Identifier: GPL-3.0-or-later */
/* config.json's mounts below the rootfs (see mounts.h). */
#include "oci/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/copy.h"
#include "fs/mounts.h"
#include "util/macros.h"

#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif

/* The options of mount(8) that are flags: set (clear = 0) or cleared (clear = 1). */
static const struct {
	const char *name;
	int clear;
	unsigned long flag;
} flag_options[] = {
	{ "ro", 0, MS_RDONLY },
	{ "rw", 1, MS_RDONLY },
	{ "nosuid", 0, MS_NOSUID },
	{ "suid", 1, MS_NOSUID },
	{ "nodev", 0, MS_NODEV },
	{ "dev", 1, MS_NODEV },
	{ "noexec", 0, MS_NOEXEC },
	{ "exec", 1, MS_NOEXEC },
	{ "sync", 0, MS_SYNCHRONOUS },
	{ "async", 1, MS_SYNCHRONOUS },
	{ "dirsync", 0, MS_DIRSYNC },
	{ "mand", 0, MS_MANDLOCK },
	{ "nomand", 1, MS_MANDLOCK },
	{ "noatime", 0, MS_NOATIME },
	{ "atime", 1, MS_NOATIME },
	{ "nodiratime", 0, MS_NODIRATIME },
	{ "diratime", 1, MS_NODIRATIME },
	{ "relatime", 0, MS_RELATIME },
	{ "norelatime", 1, MS_RELATIME },
	{ "strictatime", 0, MS_STRICTATIME },
	{ "nostrictatime", 1, MS_STRICTATIME },
	{ "lazytime", 0, MS_LAZYTIME },
	{ "nolazytime", 1, MS_LAZYTIME },
	{ "bind", 0, MS_BIND },
	{ "rbind", 0, MS_BIND | MS_REC },
};

static const struct {
	const char *name;
	unsigned long flag;
} propagation_options[] = {
	{ "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

int ds_oci_mount_flags(const struct ds_oci_mount *m, size_t index, struct ds_oci_mount_flags *out, struct ds_error *err)
{
	memset(out, 0, sizeof(*out));
	size_t used = 0;
	for (size_t i = 0; i < m->n_options; i++) {
		const char *o = m->options[i];
		int known = 0;
		for (size_t k = 0; k < ARRAY_SIZE(flag_options) && !known; k++)
			if (strcmp(o, flag_options[k].name) == 0) {
				known = 1;
				if (flag_options[k].clear)
					out->flags &= ~flag_options[k].flag;
				else
					out->flags |= flag_options[k].flag;
			}
		for (size_t k = 0; k < ARRAY_SIZE(propagation_options) && !known; k++)
			if (strcmp(o, propagation_options[k].name) == 0) {
				known = 1;
				out->propagation = propagation_options[k].flag;
			}
		if (strcmp(o, "tmpcopyup") == 0)
			known = out->tmpcopyup = 1;
		if (known)
			continue;
		size_t n = strlen(o);
		if (used + n + 2 > sizeof(out->data))
			return ds_fail(err, DS_EINVAL_MSG, "config.json: mounts[%zu].options: too long", index);
		if (used)
			out->data[used++] = ',';
		memcpy(out->data + used, o, n + 1);
		used += n;
	}
	/* "type": "bind" is a bind whatever the options say. */
	if (m->type && strcmp(m->type, "bind") == 0)
		out->flags |= MS_BIND;
	return 0;
}

/* Propagation applies to the mount now on target, reached again from the rootfs. */
static int set_propagation(int rootfd, const char *target, unsigned long propagation, struct ds_error *err)
{
	_cleanup_close_ int fd = ds_open_in_root(rootfd, target, 0);
	char where[32];
	if (fd < 0 || mount(NULL, ds_fd_path(fd, where), NULL, propagation, NULL) < 0)
		return ds_fail(err, fd < 0 ? fd : negerrno(), "cannot set the propagation of /%s", target);
	return 0;
}

/* What below (the directory the tmpfs now on target covers) holds, onto the tmpfs. */
static int copy_up(int rootfd, const char *target, int below, size_t index, struct ds_error *err)
{
	_cleanup_close_ int path = ds_open_in_root(rootfd, target, 0);
	_cleanup_close_ int top = path < 0 ? -1 : openat(path, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return ds_fail(err, path < 0 ? path : negerrno(),
			       "config.json: mounts[%zu]: tmpcopyup: cannot open /%s", index, target);
	struct ds_error why = { 0 };
	int r = ds_copy_tree(below, top, &why);
	return r < 0 ? ds_fail(err, r, "config.json: mounts[%zu]: tmpcopyup to /%s: %s", index, target, why.msg) : 0;
}

int ds_oci_mount(int rootfd, const char *bundle, const struct ds_oci_mount *m, size_t index, struct ds_error *err)
{
	struct ds_oci_mount_flags f;
	int r = ds_oci_mount_flags(m, index, &f, err);
	if (r < 0)
		return r;
	const char *target = m->destination;
	while (*target == '/')
		target++;
	if (!*target)
		return ds_fail(err, DS_EINVAL_MSG, "config.json: mounts[%zu]: cannot mount over the root", index);
	struct ds_mount dm = { .target = target, .flags = f.flags, .data = f.data[0] ? f.data : NULL };
	dm.opts = DS_MNT_REQUIRED | DS_MNT_MKDIR;
	char source[PATH_MAX];
	if (f.flags & MS_BIND) {
		if (!m->source)
			return ds_fail(err, DS_EINVAL_MSG, "config.json: mounts[%zu]: a bind needs a source", index);
		/* A relative source is the bundle's; fs/mounts.c takes absolute ones as host paths. */
		if ((size_t)snprintf(source, sizeof(source), "%s%s%s", m->source[0] == '/' ? "" : bundle,
				     m->source[0] == '/' ? "" : "/", m->source) >= sizeof(source))
			return ds_fail(err, -ENAMETOOLONG, "config.json: mounts[%zu].source", index);
		struct stat st;
		if (stat(source, &st) < 0)
			return ds_fail(err, negerrno(), "config.json: mounts[%zu]: bind source %s", index, source);
		if (!S_ISDIR(st.st_mode))
			dm.opts = DS_MNT_REQUIRED | DS_MNT_MKFILE;
		dm.source = source;
		dm.data = NULL;
		if (f.flags & MS_RDONLY)
			dm.opts |= DS_MNT_RO_AFTER;
	} else {
		dm.source = m->source ? m->source : (m->type ? m->type : "none");
		dm.fstype = m->type;
		if (!m->type)
			return ds_fail(err, DS_EINVAL_MSG,
				       "config.json: mounts[%zu]: a mount that is no bind needs a type", index);
	}
	/* tmpcopyup: the directory the tmpfs covers, opened before (none there: nothing to copy) */
	_cleanup_close_ int below = -1;
	int copyup = f.tmpcopyup && m->type && strcmp(m->type, "tmpfs") == 0;
	if (copyup) {
		_cleanup_close_ int path = ds_open_in_root(rootfd, target, 0);
		below = path < 0 ? -1 : openat(path, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if ((r = ds_mount_one(rootfd, &dm, err)) < 0)
		return r;
	if (below >= 0 && (r = copy_up(rootfd, target, below, index, err)) < 0)
		return r;
	return f.propagation ? set_propagation(rootfd, target, f.propagation, err) : 0;
}
