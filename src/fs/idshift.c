/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/idshift.h"
#include "fs/mountinfo.h"
#include "fs/mounts.h"
#include "util/fault.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* linux/capability.h and linux/posix_acl_xattr.h, little-endian on disk. */
#define CAP_REV_MASK 0xFF000000u
#define CAP_REV_1 0x01000000u
#define CAP_REV_2 0x02000000u
#define CAP_REV_3 0x03000000u
#define CAP_SZ_1 12
#define CAP_SZ_2 20
#define CAP_SZ_3 24
#define ACL_VERSION 2u
#define ACL_TAG_USER 0x02u
#define ACL_TAG_GROUP 0x08u
#define ACL_ENTRY_SZ 8

static const char *const acl_names[] = { "system.posix_acl_access", "system.posix_acl_default" };
/*
 * chown drops security.capability, and the walk writes it back after: a walk
 * killed in between would leave the file shifted (the next walk passes it by)
 * and its capability gone. The value it is to get is kept first in this
 * xattr (trusted: only host root reads or writes it, never guest root), and
 * removed once the capability is back; a walk that meets it on a file that
 * needs no chown any more restores it.
 */
static const char cap_pending[] = "trusted.droidspaces.capability";

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int in_range(unsigned long long id, unsigned base, unsigned size)
{
	return id >= base && id < (unsigned long long)base + size;
}

int ds_idshift_id(const struct ds_idshift *s, unsigned long long id, unsigned *out)
{
	if (in_range(id, s->to, s->size)) {
		*out = (unsigned)id;
		return 0;
	}
	if (!in_range(id, s->from, s->size))
		return -ERANGE;
	*out = (unsigned)(id - s->from + s->to);
	return 1;
}

int ds_idshift_cap(const struct ds_idshift *s, const void *in, size_t len, unsigned char out[DS_IDSHIFT_CAP_MAX],
		   size_t *outlen, unsigned long long *bad)
{
	const unsigned char *p = in;
	if (len < 4)
		return -EINVAL;
	uint32_t magic = get_le32(p), rev = magic & CAP_REV_MASK;
	size_t want = rev == CAP_REV_1 ? CAP_SZ_1 : rev == CAP_REV_2 ? CAP_SZ_2 : rev == CAP_REV_3 ? CAP_SZ_3 : 0;
	if (!want || len != want)
		return -EINVAL;
	unsigned long long root = rev == CAP_REV_3 ? get_le32(p + CAP_SZ_2) : 0;
	unsigned nroot;
	int r = ds_idshift_id(s, root, &nroot);
	if (r < 0) {
		*bad = root;
		return r;
	}
	memset(out, 0, DS_IDSHIFT_CAP_MAX);
	memcpy(out, p, len < CAP_SZ_2 ? len : CAP_SZ_2); /* magic, and the permitted/inheritable words */
	put_le32(out, (magic & ~CAP_REV_MASK) | (nroot ? CAP_REV_3 : CAP_REV_2));
	if (nroot)
		put_le32(out + CAP_SZ_2, nroot);
	*outlen = nroot ? CAP_SZ_3 : CAP_SZ_2;
	return r;
}

int ds_idshift_acl(const struct ds_idshift *s, void *acl, size_t len, unsigned long long *bad)
{
	unsigned char *p = acl;
	if (len < 4 || (len - 4) % ACL_ENTRY_SZ || get_le32(p) != ACL_VERSION)
		return -EINVAL;
	int changed = 0;
	for (size_t off = 4; off < len; off += ACL_ENTRY_SZ) {
		unsigned tag = (unsigned)p[off] | (unsigned)p[off + 1] << 8;
		if (tag != ACL_TAG_USER && tag != ACL_TAG_GROUP)
			continue;
		unsigned long long id = get_le32(p + off + 4);
		unsigned nid;
		int r = ds_idshift_id(s, id, &nid);
		if (r < 0) {
			*bad = id;
			return r;
		}
		if (r > 0) {
			put_le32(p + off + 4, nid);
			changed = 1;
		}
	}
	return changed;
}

/* A non-directory with st_nlink > 1 met by a dry walk: one row per link met. */
struct link_seen {
	ino_t ino;
	nlink_t nlink;
	unsigned long long seq; /* the walk's order */
	char *path;
};

struct walk {
	struct ds_idshift *s;
	struct link_seen *links; /* dry: every link met of a file with other links */
	size_t nlinks, cap;
	dev_t dev;
	int mnt_id;    /* the top's mount */
	int by_handle; /* mount ids from name_to_handle_at (no statx STATX_MNT_ID) */
	int by_path;   /* neither: mounts holds the mount points below the top, from mountinfo */
	char **mounts; /* "./a/b", as path */
	size_t nmounts;
	size_t plen; /* strlen(s->path) */
};

#define STATX_MNT_ID_BIT 0x1000U
/* struct statx (linux/stat.h, which musl's headers may not have) up to stx_mnt_id, at 144. */
struct ds_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct {
		int64_t sec;
		uint32_t nsec;
		int32_t pad;
	} atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint64_t spare[14];
};
_Static_assert(offsetof(struct ds_statx, mnt_id) == 144, "struct statx's stx_mnt_id");

/*
 * The mount fd is on: statx's STATX_MNT_ID (5.8+), else the mount id
 * name_to_handle_at gives (2.6.39+, where the filesystem has file handles).
 * A bind mount of a directory of the same filesystem has its st_dev: only
 * the mount id tells it from the tree. -errno when neither answers.
 */
static int mount_id(struct walk *w, int fd, int *out)
{
	if (ds_fault_active("no-mntid")) /* before 5.8, on a filesystem without file handles */
		return -EOPNOTSUPP;
	if (!w->by_handle && !ds_fault_active("no-statx-mntid")) {
		struct ds_statx stx = { .mask = 0 };
		if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_BIT, &stx) == 0 &&
		    (stx.mask & STATX_MNT_ID_BIT)) {
			*out = (int)stx.mnt_id;
			return 0;
		}
		w->by_handle = 1;
	}
	struct {
		struct file_handle h;
		unsigned char buf[MAX_HANDLE_SZ];
	} fh;
	fh.h.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", &fh.h, out, AT_EMPTY_PATH) == 0)
		return 0;
	return errno == EOVERFLOW ? 0 : negerrno(); /* the mount id is filled in then too */
}

struct below {
	struct walk *w;
	const char *top; /* the top's path, "/" for the root */
	size_t len;      /* strlen(top), 0 for "/" */
};

static int add_mount_below(const struct ds_mountinfo *m, void *ud)
{
	struct below *b = ud;
	const char *mp = m->mountpoint;
	if (strncmp(mp, b->top, b->len) != 0 || mp[b->len] != '/' || !mp[b->len + 1])
		return 0;
	char **g = realloc(b->w->mounts, (b->w->nmounts + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	b->w->mounts = g;
	size_t n = strlen(mp + b->len) + 2;
	if (!(g[b->w->nmounts] = malloc(n)))
		return -ENOMEM;
	snprintf(g[b->w->nmounts], n, ".%s", mp + b->len);
	b->w->nmounts++;
	return 0;
}

/*
 * Neither statx nor name_to_handle_at has a mount id (before 5.8, on a
 * filesystem without file handles): the mount points below the top as
 * mountinfo lists them, by path. The top's path must still be the
 * directory fd holds. A path listed is a mount point, whatever is on top of
 * it now: left alone, as a mount id would leave it.
 */
static int mounts_by_path(struct walk *w, int fd)
{
	char link[32], top[PATH_MAX];
	ds_fd_path(fd, link);
	ssize_t n = readlink(link, top, sizeof(top) - 1);
	if (n <= 0 || top[0] != '/')
		return -EOPNOTSUPP;
	top[n] = '\0';
	struct stat at, held;
	if (stat(top, &at) < 0 || fstat(fd, &held) < 0 || at.st_dev != held.st_dev || at.st_ino != held.st_ino)
		return -EOPNOTSUPP; /* moved or deleted since: no path to match */
	struct below b = { w, top, strcmp(top, "/") == 0 ? 0 : (size_t)n };
	return ds_mountinfo_each(0, add_mount_below, &b);
}

static void free_mounts(struct walk *w)
{
	for (size_t i = 0; i < w->nmounts; i++)
		free(w->mounts[i]);
	free(w->mounts);
	w->mounts = NULL;
	w->nmounts = 0;
}

static int mounted_here(const struct walk *w)
{
	for (size_t i = 0; i < w->nmounts; i++)
		if (strcmp(w->mounts[i], w->s->path) == 0)
			return 1;
	return 0;
}

/*
 * Whether a file is immutable or append-only (chattr +i, +a): its owner
 * cannot change, and the walk would stop there. Only regular files and
 * directories are opened for it (a device or a fifo is never opened).
 */
static int fixed_flags(const char *p, const struct stat *st)
{
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return 0;
	_cleanup_close_ int fd = open(p, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int flags = 0;
	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return 0; /* no such flags here (the chown says what is wrong, if anything) */
	return (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)) != 0;
}

/* The xattrs of one entry: read, checked, and (not dry) shifted and written back after the chown. */
struct xattrs {
	unsigned char cap[DS_IDSHIFT_CAP_MAX];
	size_t cap_len;  /* 0: none */
	int cap_changed; /* its root id shifted */
	int pending;     /* a cap_pending value: in cap when cap_len is 0 and it is one of this walk's */
	unsigned char acl[2][4 + 512 * ACL_ENTRY_SZ];
	ssize_t acl_len[2]; /* <= 0: none, or unchanged */
};

/*
 * A capability left pending by a walk killed after a chown (see cap_pending):
 * taken for a file that needs no chown any more and has no capability now,
 * when the value is this walk's result (its root id in the target range).
 * Any other value is stale: only removed.
 */
static int read_pending(struct walk *w, const char *p, int chowned, struct xattrs *x)
{
	unsigned char buf[DS_IDSHIFT_CAP_MAX], out[DS_IDSHIFT_CAP_MAX];
	size_t len;
	unsigned long long bad;
	ssize_t n = getxattr(p, cap_pending, buf, sizeof(buf));
	x->pending = n >= 0 || errno == ERANGE;
	if (n < 0)
		return x->pending || errno == ENODATA || errno == ENOTSUP || errno == EPERM ? 0 : negerrno();
	if (chowned && !x->cap_len && ds_idshift_cap(w->s, buf, (size_t)n, out, &len, &bad) == 0) {
		memcpy(x->cap, buf, (size_t)n);
		x->cap_len = (size_t)n;
		x->cap_changed = 1;
	}
	return 0;
}

static int read_xattrs(struct walk *w, const char *p, const struct stat *st, int chowned, struct xattrs *x)
{
	unsigned char buf[DS_IDSHIFT_CAP_MAX];
	ssize_t n = getxattr(p, "security.capability", buf, sizeof(buf));
	x->cap_len = 0;
	if (n < 0 && errno != ENODATA && errno != ENOTSUP && errno != ERANGE)
		return negerrno();
	int r = n < 0 ? 0 : ds_idshift_cap(w->s, buf, (size_t)n, x->cap, &x->cap_len, &w->s->bad_id);
	if (n < 0 && errno == ERANGE)
		r = -EINVAL;
	if (r == -EINVAL)
		x->cap_len = 0; /* not a capability value the kernel would use: left as it is */
	else if (r < 0)
		return r;
	x->cap_changed = r > 0;
	if (S_ISREG(st->st_mode) && (r = read_pending(w, p, chowned, x)) < 0)
		return r;
	for (int i = 0; i < 2; i++) {
		x->acl_len[i] = 0;
		if (i == 1 && !S_ISDIR(st->st_mode))
			continue;
		n = getxattr(p, acl_names[i], x->acl[i], sizeof(x->acl[i]));
		if (n < 0 && (errno == ENODATA || errno == ENOTSUP))
			continue;
		if (n < 0)
			return errno == ERANGE ? -E2BIG : negerrno();
		r = ds_idshift_acl(w->s, x->acl[i], (size_t)n, &w->s->bad_id);
		if (r < 0)
			return r;
		x->acl_len[i] = r ? n : 0;
	}
	return 0;
}

static int note_link(struct walk *w, const struct stat *st)
{
	if (w->nlinks == w->cap) {
		size_t nc = w->cap ? 2 * w->cap : 64;
		struct link_seen *g = realloc(w->links, nc * sizeof(*g));
		if (!g)
			return -ENOMEM;
		w->links = g;
		w->cap = nc;
	}
	struct link_seen *l = &w->links[w->nlinks];
	*l = (struct link_seen){ st->st_ino, st->st_nlink, w->nlinks, NULL };
	if (!(l->path = strdup(w->s->path)))
		return -ENOMEM;
	w->nlinks++;
	return 0;
}

static int by_inode(const void *a, const void *b)
{
	const struct link_seen *x = a, *y = b;
	return x->ino != y->ino ? (x->ino < y->ino ? -1 : 1) : (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * After a dry walk: a file with more links than the walk met has one outside
 * the tree (or under a mount inside it, which the walk does not enter), whose
 * owner the shift would change too. -EMLINK with the first of them (in the
 * walk's order) in path, nlink and nlink_inside; linked counts them.
 */
static int links_outside(struct walk *w)
{
	struct ds_idshift *s = w->s;
	const struct link_seen *first = NULL;
	size_t inside = 0;
	qsort(w->links, w->nlinks, sizeof(*w->links), by_inode);
	for (size_t i = 0, j; i < w->nlinks; i = j) {
		for (j = i; j < w->nlinks && w->links[j].ino == w->links[i].ino; j++)
			;
		if ((nlink_t)(j - i) >= w->links[i].nlink)
			continue;
		s->linked++;
		if (!first || w->links[i].seq < first->seq) {
			first = &w->links[i];
			inside = j - i;
		}
	}
	if (!first)
		return 0;
	snprintf(s->path, sizeof(s->path), "%s", first->path);
	s->nlink = (unsigned long long)first->nlink;
	s->nlink_inside = inside;
	return -EMLINK;
}

static void free_links(struct walk *w)
{
	for (size_t i = 0; i < w->nlinks; i++)
		free(w->links[i].path);
	free(w->links);
	w->links = NULL;
	w->nlinks = w->cap = 0;
}

/* One entry (fd: O_PATH, never a link followed), the top included. */
static int shift_one(struct walk *w, int fd, const struct stat *st)
{
	struct ds_idshift *s = w->s;
	unsigned uid, gid;
	int ru = ds_idshift_id(s, st->st_uid, &uid), rg = ds_idshift_id(s, st->st_gid, &gid);
	if (ru < 0 || rg < 0) {
		s->bad_id = ru < 0 ? st->st_uid : st->st_gid;
		return -ERANGE;
	}
	s->entries++;
	/* Through /proc/self/fd: the file the fd holds, for xattrs and chmod (never of a link: see below). */
	char p[32];
	ds_fd_path(fd, p);
	struct xattrs x = { .cap_len = 0 };
	int has_attrs = S_ISREG(st->st_mode) || S_ISDIR(st->st_mode);
	if (has_attrs) {
		int r = read_xattrs(w, p, st, ru == 0 && rg == 0, &x);
		if (r < 0)
			return r;
	}
	if (s->dry) {
		if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
			int r = note_link(w, st);
			if (r < 0)
				return r;
		}
		return fixed_flags(p, st) ? -EPERM : 0;
	}
	int chown_now = ru > 0 || rg > 0, changed = chown_now;
	for (int i = 0; i < 2; i++)
		if (x.acl_len[i] > 0) {
			if (setxattr(p, acl_names[i], x.acl[i], (size_t)x.acl_len[i], 0) < 0)
				return negerrno();
			s->touched++;
			changed = 1;
		}
	/* The capability this chown drops, kept until it is back (where the filesystem takes trusted xattrs). */
	if (x.cap_len && chown_now && setxattr(p, cap_pending, x.cap, x.cap_len, 0) == 0)
		x.pending = ++s->touched != 0;
	else if (x.cap_len && chown_now && errno != ENOTSUP && errno != EPERM)
		return negerrno();
	if (chown_now) {
		if (ds_fault_active("idshift:chown-fails")) /* as on NFS with root_squash */
			return -EPERM;
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return negerrno();
		s->touched++;
		/* chown dropped setuid and setgid (and the capability): back as they were */
		if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) && chmod(p, st->st_mode & 07777) < 0)
			return negerrno();
		if (x.cap_len)
			ds_fault_point("idshift:cap-dropped");
	}
	/* A capability is written again even when its root id did not change: the chown dropped it. */
	if (x.cap_len && (x.cap_changed || chown_now)) {
		if (setxattr(p, "security.capability", x.cap, x.cap_len, 0) < 0)
			return negerrno();
		s->touched++;
		changed = 1;
	}
	if (x.pending && removexattr(p, cap_pending) < 0 && errno != ENODATA)
		return negerrno();
	s->changed += changed;
	return 0;
}

static int walk_dir(struct walk *w, int fd);

/* The entry name of directory dir. */
static int walk_entry(struct walk *w, int dir, const char *name)
{
	size_t nl = strlen(name), at = w->plen;
	if (at + 1 + nl >= sizeof(w->s->path))
		return -ENAMETOOLONG;
	w->s->path[at] = '/';
	memcpy(w->s->path + at + 1, name, nl + 1);
	w->plen = at + 1 + nl;
	_cleanup_close_ int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r = fd < 0 || fstat(fd, &st) < 0 ? negerrno() : 0;
	int mnt = w->mnt_id;
	if (r == 0 && st.st_dev == w->dev && w->by_path)
		mnt = mounted_here(w) ? w->mnt_id + 1 : w->mnt_id;
	else if (r == 0 && st.st_dev == w->dev)
		r = mount_id(w, fd, &mnt);
	/* another filesystem, or a bind mount (of the same one, too), here: neither changed nor entered */
	if (r == 0 && st.st_dev == w->dev && mnt == w->mnt_id) {
		r = shift_one(w, fd, &st);
		if (r == 0 && S_ISDIR(st.st_mode))
			r = walk_dir(w, fd);
	}
	if (r == 0) {
		w->plen = at;
		w->s->path[at] = '\0';
	}
	return r;
}

static int walk_dir(struct walk *w, int fd)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return negerrno();
	DIR *d = fdopendir(dfd);
	if (!d) {
		int r = negerrno();
		close(dfd);
		return r;
	}
	int r = 0;
	struct dirent *e;
	errno = 0;
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = walk_entry(w, dirfd(d), e->d_name);
		errno = 0;
	}
	if (r == 0 && errno)
		r = negerrno();
	closedir(d);
	return r;
}

int ds_idshift_tree(int dirfd, struct ds_idshift *s)
{
	s->entries = s->changed = s->touched = s->linked = 0;
	s->bad_id = s->nlink = s->nlink_inside = 0;
	snprintf(s->path, sizeof(s->path), ".");
	if (!s->size ||
	    (s->from < s->to + (unsigned long long)s->size && s->to < s->from + (unsigned long long)s->size))
		return -EINVAL;
	_cleanup_close_ int fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return negerrno();
	struct walk w = { .s = s, .dev = st.st_dev, .plen = 1 };
	int r = mount_id(&w, fd, &w.mnt_id);
	/* No mount id at all: the mount points below by path, or (no path either) refused as before. */
	if (r < 0 && mounts_by_path(&w, fd) == 0) {
		w.by_path = 1;
		w.mnt_id = 0;
		r = 0;
	}
	if (r == 0)
		r = shift_one(&w, fd, &st);
	if (r == 0)
		r = walk_dir(&w, fd);
	if (r == 0 && s->dry)
		r = links_outside(&w);
	free_links(&w);
	free_mounts(&w);
	return r;
}
