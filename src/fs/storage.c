/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/storage.h"
#include "fs/mounts.h"
#include "fs/mountinfo.h"
#include "host/android.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A free loop device may be taken by another attach before ours: tries before giving up. */
#define DS_LOOP_ATTACH_TRIES 16

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
#endif
#define EXT_SUPER_MAGIC 0xEF53
#define F2FS_SUPER_MAGIC 0xF2F52010UL

int ds_image_open(const char *path, int read_only, struct ds_error *err)
{
	/* O_PATH first: a device node or FIFO in its place is never really opened (no side effects). */
	_cleanup_close_ int pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return ds_fail(err, negerrno(), "rootfs image %s", path);
	struct stat st;
	if (fstat(pfd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		return ds_fail(err, DS_EINVAL_MSG, "rootfs image %s is not a file or block device", path);
	char p[32];
	int fd = open(ds_fd_path(pfd, p), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot open rootfs image %s", path);
	/* The ext2/3/4 superblock starts at 1024; its magic sits at offset 56 in it. */
	unsigned char magic[2];
	if (pread(fd, magic, 2, 1024 + 56) != 2 || (magic[0] | magic[1] << 8) != EXT_SUPER_MAGIC) {
		close(fd);
		return ds_fail(err, DS_EINVAL_MSG, "rootfs image %s is not an ext4 filesystem", path);
	}
	return fd;
}

int ds_image_lock(int fd)
{
	while (flock(fd, LOCK_EX | LOCK_NB) < 0)
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EBUSY : negerrno();
	return 0;
}

int ds_image_fsck(int image_fd, const char *path, int read_only, int logfd, struct ds_error *err)
{
	/* Android's toybox has no e2fsck, but its system partition ships one (for its own /data). */
	char system_e2fsck[PATH_MAX];
	if (ds_host_path("/system/bin/e2fsck", system_e2fsck, sizeof(system_e2fsck)) < 0)
		system_e2fsck[0] = '\0';
	pid_t pid = fork();
	if (pid < 0)
		return ds_fail(err, negerrno(), "cannot fork e2fsck");
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		if (logfd >= 0) {
			dup2(logfd, 1);
			dup2(logfd, 2);
		}
		/* e2fsck checks the file we opened and checked, whatever the path names now. */
		if (image_fd != 3 && dup2(image_fd, 3) < 0)
			_exit(126);
		fcntl(3, F_SETFD, 0);
		char *const argv[] = { "e2fsck", "-f", read_only ? "-n" : "-y", "/proc/self/fd/3", NULL };
		execvp("e2fsck", argv);
		if (errno == ENOENT && system_e2fsck[0])
			execv(system_e2fsck, argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ds_fail(err, negerrno(), "cannot wait for e2fsck");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return ds_fail(err, DS_EINVAL_MSG,
			       "e2fsck was found neither in PATH nor at %s: it checks %s before mounting",
			       system_e2fsck, path);
	/* 0: clean, 1: errors fixed, 2: fixed (reboot advised), 3: both; 4 and up: not fixed. */
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 3)
		return ds_fail(err, DS_EINVAL_MSG,
			       "e2fsck found errors it could not fix in %s (exit %d; see the console log)", path,
			       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

/* /dev/loopN, creating the node when no udev did (Android, minimal hosts). */
static int open_loop(int n, char *loop_path, size_t size)
{
	snprintf(loop_path, size, "/dev/loop%d", n);
	int fd = open(loop_path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		snprintf(loop_path, size, "/dev/block/loop%d", n);
		fd = open(loop_path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0 && errno == ENOENT) {
		snprintf(loop_path, size, "/dev/loop%d", n);
		if (mknod(loop_path, S_IFBLK | 0660, makedev(7, n)) == 0 || errno == EEXIST)
			fd = open(loop_path, O_RDWR | O_CLOEXEC);
	}
	return fd < 0 ? negerrno() : fd;
}

int ds_loop_attach(int file, const char *path, int read_only, char *loop_path, size_t size, int *attached,
		   struct ds_error *err)
{
	*attached = 0;
	struct stat st;
	if (fstat(file, &st) == 0 && S_ISBLK(st.st_mode)) {
		/* A block device needs no loop: mount it directly (ds_image_mount checks it is this one). */
		snprintf(loop_path, size, "%s", path);
		int fd = fcntl(file, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? ds_fail(err, negerrno(), "cannot open rootfs image %s", path) : fd;
	}
	_cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return ds_fail(err, negerrno(), "cannot open /dev/loop-control");
	/* Another attach may take the device we were given: retry a few times. */
	for (int attempt = 0; attempt < DS_LOOP_ATTACH_TRIES; attempt++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			return ds_fail(err, negerrno(), "no free loop device");
		int fd = open_loop(n, loop_path, size);
		if (fd < 0)
			return ds_fail(err, fd, "cannot open %s", loop_path);
		struct loop_config lc;
		memset(&lc, 0, sizeof(lc));
		lc.fd = (unsigned)file;
		lc.info.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0);
		snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name), "%s", path);
		if (ioctl(fd, LOOP_CONFIGURE, &lc) == 0) {
			*attached = 1;
			return fd;
		}
		if (errno == EINVAL || errno == ENOTTY) {
			/* Before Linux 5.8: attach, then set the flags. */
			if (ioctl(fd, LOOP_SET_FD, file) == 0) {
				if (ioctl(fd, LOOP_SET_STATUS64, &lc.info) == 0) {
					*attached = 1;
					return fd;
				}
				int r = negerrno();
				ioctl(fd, LOOP_CLR_FD, 0);
				close(fd);
				return ds_fail(err, r, "cannot configure %s", loop_path);
			}
		}
		int r = negerrno();
		close(fd);
		if (r != -EBUSY)
			return ds_fail(err, r, "cannot attach %s to %s", path, loop_path);
	}
	return ds_fail(err, -EBUSY, "cannot find a free loop device for %s", path);
}

void ds_loop_detach(int loop_fd, int attached)
{
	if (loop_fd < 0)
		return;
	struct stat st;
	if (attached && fstat(loop_fd, &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == 7)
		ioctl(loop_fd, LOOP_CLR_FD, 0); /* EBUSY while still mounted: autoclear then does it */
	close(loop_fd);
}

int ds_image_mount(const struct ds_config *cfg, char *rootfs, size_t size, struct ds_error *err)
{
	/*
	 * No nosuid, no nodev: the same as a directory rootfs, whose bind keeps
	 * the host's flags. nosuid broke sudo, su and passwd for guest users;
	 * nodev would guard nothing, since guest root keeps CAP_MKNOD for its
	 * own /dev tmpfs, which allows device nodes anyway.
	 */
	unsigned long fl = cfg->settings.volatile_mode ? MS_RDONLY : 0;
	if (mount(cfg->rt.loop_path, cfg->rt.image_mount, "ext4", fl, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot mount %s (%s) on %s", cfg->settings.rootfs_img_path,
			       cfg->rt.loop_path, cfg->rt.image_mount);
	/* The device mounted by name must be the one held open (a user's block device path can change). */
	struct stat dev, mnt;
	if (cfg->rt.loop_fd >= 0 && (fstat(cfg->rt.loop_fd, &dev) < 0 || stat(cfg->rt.image_mount, &mnt) < 0 ||
				     !S_ISBLK(dev.st_mode) || mnt.st_dev != dev.st_rdev)) {
		umount2(cfg->rt.image_mount, MNT_DETACH);
		return ds_fail(err, DS_EINVAL_MSG, "rootfs image %s: %s changed while starting",
			       cfg->settings.rootfs_img_path, cfg->rt.loop_path);
	}
	snprintf(rootfs, size, "%s", cfg->rt.image_mount);
	return 0;
}

/* path (followed) is the inode of want. */
static int same_inode(const char *path, const struct stat *want)
{
	struct stat got;
	return stat(path, &got) == 0 && got.st_dev == want->st_dev && got.st_ino == want->st_ino;
}

int ds_volatile_mount(const struct ds_config *cfg, char *rootfs, size_t size, struct ds_error *err)
{
	if (!ds_file_has_word("/proc/filesystems", "overlay"))
		return ds_fail(err, DS_EINVAL_MSG, "--volatile needs OverlayFS, which this kernel lacks");
	if (ds_fs_magic(rootfs) == F2FS_SUPER_MAGIC)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--volatile cannot use a rootfs directory on f2fs: this kernel's OverlayFS does not "
			       "accept f2fs as a lower layer; use --rootfs-img instead");
	const char *dir = cfg->rt.volatile_dir;
	/* Upper and work layers live on a tmpfs of our own: all changes stay in RAM. */
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0)
		return ds_fail(err, negerrno(), "cannot mount the volatile tmpfs on %s", dir);
	char upper[PATH_MAX + 16], work[PATH_MAX + 16], merged[PATH_MAX + 16], opts[3 * PATH_MAX + 64];
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0 || mkdir(merged, 0755) < 0)
		return ds_fail(err, negerrno(), "cannot create the volatile layers in %s", dir);
	/* The root of the guest keeps the lower root's owner and mode. */
	struct stat st;
	if (stat(rootfs, &st) == 0) {
		chmod(upper, st.st_mode & 07777);
		if (chown(upper, st.st_uid, st.st_gid) < 0) {
			/* not fatal: the merged root then belongs to root */
		}
	}
	if (strpbrk(rootfs, ",:") != NULL)
		return ds_fail(err, DS_EINVAL_MSG, "--volatile: the rootfs path %s contains ',' or ':'", rootfs);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", rootfs, upper, work);
	/*
	 * A --rootfs directory is named by path here (scan reads it back from
	 * the overlay's options): it must be the directory start checked, just
	 * before the mount and still after it. What remains is a swap made and
	 * undone between the two looks.
	 */
	struct stat want;
	int checked = !cfg->rt.loop_path[0] && cfg->rt.rootfs_fd >= 0 && fstat(cfg->rt.rootfs_fd, &want) == 0;
	if (checked && !same_inode(rootfs, &want))
		return ds_fail(err, DS_EINVAL_MSG, "rootfs %s was replaced while starting: not booted", rootfs);
	/*
	 * Android: the merged tree carries tmpfs's label, or an enforcing host refuses the guest's
	 * writes to it (seed). A kernel without SELinux refuses the option (EINVAL): none then.
	 */
	int mounted = -1;
	if (cfg->rt.android && ds_android_selinux()) {
		char labelled[sizeof(opts) + 64];
		snprintf(labelled, sizeof(labelled), "%s,context=\"%s\"", opts, DS_ANDROID_TMPFS_CONTEXT);
		if ((mounted = mount("overlay", merged, "overlay", 0, labelled)) < 0 && errno != EINVAL)
			return ds_fail(err, negerrno(), "cannot mount the volatile overlay over %s", rootfs);
	}
	if (mounted < 0 && mount("overlay", merged, "overlay", 0, opts) < 0)
		return ds_fail(err, negerrno(), "cannot mount the volatile overlay over %s", rootfs);
	if (checked && !same_inode(rootfs, &want)) {
		umount2(merged, MNT_DETACH);
		return ds_fail(err, DS_EINVAL_MSG, "rootfs %s was replaced while starting: not booted", rootfs);
	}
	snprintf(rootfs, size, "%s", merged);
	return 0;
}

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
/* <linux/mount.h>'s, which older headers lack (and which clashes with <sys/mount.h> on older libcs). */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
struct ds_mount_attr {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

/* Remounts the mount at path read-only, keeping its nosuid, nodev, noexec and atime flags. */
static int remount_read_only(const char *path)
{
	static const struct {
		unsigned long st, ms;
	} keep[] = { { ST_NOSUID, MS_NOSUID },   { ST_NODEV, MS_NODEV },           { ST_NOEXEC, MS_NOEXEC },
		     { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME } };
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
	if (statvfs(path, &sv) == 0)
		for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
			flags |= (sv.f_flag & keep[i].st) ? keep[i].ms : 0;
	return mount(NULL, path, NULL, flags, NULL) < 0 ? negerrno() : 0;
}

struct below {
	const char *top;
	size_t len;
};

/* Each mount strictly below the bound tree's top, read-only too. */
static int submount_read_only(const struct ds_mountinfo *m, void *ud)
{
	const struct below *b = ud;
	if (strncmp(m->mountpoint, b->top, b->len) != 0 || m->mountpoint[b->len] != '/')
		return 0;
	int r = remount_read_only(m->mountpoint);
	return r < 0 ? r : 0;
}

/*
 * Read-only for the whole bound tree: mount_setattr (Linux 5.12+), else the top mount and every
 * mount below it one by one (a submount of the source, say a tmpfs, is writable otherwise).
 */
static int make_read_only(int rootfd, const char *rel)
{
	_cleanup_close_ int fd = ds_open_in_root(rootfd, rel, 0);
	if (fd < 0)
		return fd;
	struct ds_mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
	if (!ds_fault_active("no-mount-setattr") &&
	    syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) == 0)
		return 0;
	char p[32], top[PATH_MAX];
	ssize_t n = readlink(ds_fd_path(fd, p), top, sizeof(top) - 1);
	if (n <= 0 || (size_t)n >= sizeof(top) - 1)
		return n < 0 ? negerrno() : -ENAMETOOLONG;
	top[n] = '\0';
	int r = remount_read_only(p);
	struct below b = { top, (size_t)n };
	return r < 0 ? r : ds_mountinfo_each(0, submount_read_only, &b);
}

int ds_binds_mount(const struct ds_config *cfg, int rootfd, int logfd, struct ds_error *err)
{
	char root[32];
	ds_fd_path(rootfd, root);
	for (int i = 0; i < cfg->settings.bind_count; i++) {
		const struct ds_bind *b = &cfg->settings.binds[i];
		struct stat st;
		if (stat(b->src, &st) < 0) {
			/* Seed 4.4 step 4: a missing source is skipped, not fatal. */
			char line[2 * PATH_MAX + 80];
			int n = snprintf(line, sizeof(line),
					 "[droidspaces] warning: bind source %s is missing; skipped\r\n", b->src);
			if (logfd >= 0)
				ds_write_all(logfd, line, (size_t)n);
			continue;
		}
		/* Links inside the rootfs are followed as the guest would see them, never out of it. */
		char resolved[2 * PATH_MAX];
		int r = ds_resolve_in_root(root, b->dest, resolved, sizeof(resolved));
		const char *rel = b->dest + 1;
		if (r == 0) {
			size_t rl = strlen(root);
			rel = resolved + rl + (resolved[rl] == '/');
		} else if (r != -ENOENT) {
			return ds_fail(err, r, "bind destination %s", b->dest);
		}
		struct ds_mount m = { b->src, rel,
				      NULL,   MS_BIND | MS_REC,
				      NULL,   DS_MNT_REQUIRED | (S_ISDIR(st.st_mode) ? DS_MNT_MKDIR : DS_MNT_MKFILE) };
		if ((r = ds_mount_one(rootfd, &m, err)) < 0)
			return r;
		if (b->read_only && (r = make_read_only(rootfd, rel)) < 0)
			return ds_fail(err, r, "cannot make the bind on %s read-only", b->dest);
	}
	return 0;
}
