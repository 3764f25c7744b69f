/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/dev.h"
#include "fs/mounts.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/path.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <dirent.h>
#include <limits.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct ds_devnode {
	const char *name;
	unsigned major, minor;
	mode_t mode;
};

/* The nodes every distro's userspace expects (seed 8.1). */
static const struct ds_devnode devnodes[] = {
	{ "null", 1, 3, 0666 },    { "zero", 1, 5, 0666 }, { "full", 1, 7, 0666 },       { "random", 1, 8, 0666 },
	{ "urandom", 1, 9, 0666 }, { "tty", 5, 0, 0666 },  { "net/tun", 10, 200, 0666 }, { "fuse", 10, 229, 0666 },
};

static const struct {
	const char *link, *target;
} devlinks[] = {
	{ "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" }, { "core", "/proc/kcore" },
};

/*
 * --private-users: the kernel refuses mknod in a user namespace (and a tmpfs
 * mounted there opens no device node): the host's own nodes are bound over
 * empty files instead. The device policy still decides what opens.
 */
static int bind_host_nodes(int rootfd, struct ds_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(devnodes); i++) {
		char host[32], target[32];
		snprintf(host, sizeof(host), "/dev/%s", devnodes[i].name);
		snprintf(target, sizeof(target), "dev/%s", devnodes[i].name);
		struct stat st;
		/* tun and fuse are modules a host may lack: as mknod would give a node that opens nothing */
		if (stat(host, &st) < 0 || !S_ISCHR(st.st_mode) ||
		    st.st_rdev != makedev(devnodes[i].major, devnodes[i].minor)) {
			if (devnodes[i].major == 10)
				continue;
			return ds_fail(err, -ENODEV, "the host has no %s to bind into the guest", host);
		}
		struct ds_mount m = { host, target, NULL, MS_BIND, NULL, DS_MNT_REQUIRED | DS_MNT_MKFILE };
		int r = ds_mount_one(rootfd, &m, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int ds_dev_populate(int rootfd, int tty_count, unsigned modes, struct ds_error *err)
{
	int hw_access = !!(modes & DS_MODE_HW);
	_cleanup_close_ int devfd = -1;
	int r = ds_open_in_root(rootfd, "dev", 0);
	if (r < 0)
		return ds_fail(err, r, "cannot open /dev in the rootfs");
	/* O_PATH fds cannot be used with mknodat; reopen as a directory. */
	char p[32];
	devfd = open(ds_fd_path(r, p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(r);
	if (devfd < 0)
		return ds_fail(err, negerrno(), "cannot open /dev in the rootfs");

	if (hw_access) {
		/* Shared with the host: only a missing devpts mount point may be added. */
		if (mkdirat(devfd, "pts", 0755) < 0 && errno != EEXIST)
			return ds_fail(err, negerrno(), "cannot create /dev/pts");
		for (int i = 1; i <= tty_count; i++) {
			char name[16];
			snprintf(name, sizeof(name), "tty%d", i);
			if (faccessat(devfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
				return ds_fail(err, -ENOENT, "--hw-access: the host has no /dev/%s to bind a PTY on",
					       name);
		}
		return 0;
	}
	static const char *const dirs[] = { "net", "pts", "shm", "mqueue" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdirat(devfd, dirs[i], 0755) < 0 && errno != EEXIST)
			return ds_fail(err, negerrno(), "cannot create /dev/%s", dirs[i]);
	fchmodat(devfd, "shm", 01777, 0);

	if ((modes & DS_MODE_USERNS) && (r = bind_host_nodes(rootfd, err)) < 0)
		return r;
	mode_t old = umask(0);
	for (size_t i = 0; !(modes & DS_MODE_USERNS) && i < ARRAY_SIZE(devnodes); i++) {
		const struct ds_devnode *d = &devnodes[i];
		if (mknodat(devfd, d->name, S_IFCHR | d->mode, makedev(d->major, d->minor)) < 0 && errno != EEXIST) {
			umask(old);
			return ds_fail(err, negerrno(), "cannot create device node /dev/%s", d->name);
		}
	}
	umask(old);
	for (size_t i = 0; i < ARRAY_SIZE(devlinks); i++)
		if (symlinkat(devlinks[i].target, devfd, devlinks[i].link) < 0 && errno != EEXIST)
			return ds_fail(err, negerrno(), "cannot create /dev/%s", devlinks[i].link);

	/* Mount targets: console and ttyN get PTY slaves bound over them, ptmx gets pts/ptmx. */
	char name[16];
	for (int i = 0; i <= tty_count + 1; i++) {
		if (i == 0)
			snprintf(name, sizeof(name), "console");
		else if (i == 1)
			snprintf(name, sizeof(name), "ptmx");
		else
			snprintf(name, sizeof(name), "tty%d", i - 1);
		int fd = openat(devfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return ds_fail(err, negerrno(), "cannot create /dev/%s", name);
		close(fd);
	}
	return 0;
}

int ds_devpts_setup(int hw_access, struct ds_error *err)
{
	/* Older kernels reject some options: try from the fullest to the barest (seed 7.4). */
	static const char *const opts[] = {
		"gid=5,newinstance,ptmxmode=0666,mode=0620",
		"newinstance,ptmxmode=0666,mode=0620",
		"gid=5,newinstance,mode=0620",
		"newinstance,ptmxmode=0666",
		"newinstance",
	};
	int r = -EINVAL;
	/* $DROIDSPACES_FAULT=devpts-bare: a kernel that takes only the barest (tests). */
	size_t first = ds_fault_active("devpts-bare") ? ARRAY_SIZE(opts) - 1 : 0;
	for (size_t i = first; i < ARRAY_SIZE(opts); i++) {
		if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, opts[i]) == 0) {
			r = 0;
			break;
		}
		r = negerrno();
	}
	if (r < 0)
		return ds_fail(err, r, "cannot mount a devpts instance on /dev/pts");
	/*
	 * A kernel without multiple devpts instances (before 4.7, DEVPTS_MULTIPLE_INSTANCES off)
	 * ignores newinstance and mounts the host's: the console slave, allocated on the host's
	 * devpts, would then be on ours. The guest would see and open the host's terminals: refuse.
	 */
	struct stat pts, console;
	if (ds_fault_active("devpts-shared") ||
	    (stat("/dev/pts", &pts) == 0 && stat("/dev/console", &console) == 0 && pts.st_dev == console.st_dev))
		return ds_fail(err, -EOPNOTSUPP,
			       "this kernel mounted the host's devpts on /dev/pts, not a new instance "
			       "(no DEVPTS_MULTIPLE_INSTANCES): the guest would reach the host's terminals");
	/* /dev/ptmx must allocate from our instance, not the host's. */
	if (mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0) {
		/* On the host's devtmpfs the node is the host's: never unlink it (seed 8.4). */
		if (hw_access)
			return ds_fail(err, negerrno(), "cannot bind /dev/pts/ptmx on /dev/ptmx");
		unlink("/dev/ptmx");
		if (symlink("pts/ptmx", "/dev/ptmx") < 0)
			return ds_fail(err, negerrno(), "cannot set up /dev/ptmx");
	}
	return 0;
}

int ds_sys_hw_setup(int rootfd, struct ds_error *err)
{
	char p[32];
	_cleanup_close_ int sysfd = ds_open_in_root(rootfd, "sys", 0);
	if (sysfd < 0)
		return ds_fail(err, sysfd, "cannot open /sys in the rootfs");
	DIR *d = opendir(ds_fd_path(sysfd, p));
	if (!d)
		return ds_fail(err, negerrno(), "cannot list /sys");
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d)) && r == 0) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char rel[300];
		snprintf(rel, sizeof(rel), "sys/%s", e->d_name);
		/* A self-bind pins the subtree as its own (read-write) mount. */
		struct ds_mount m = { rel, rel, NULL, MS_BIND | MS_REC, NULL, DS_MNT_REQUIRED };
		r = ds_mount_one(rootfd, &m, err);
	}
	closedir(d);
	if (r < 0)
		return r;
	/* Per-mount read-only (MS_BIND): the sysfs superblock is the host's and stays writable. */
	struct ds_mount top = { NULL, "sys",
				NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				NULL, DS_MNT_REQUIRED };
	if ((r = ds_mount_one(rootfd, &top, err)) < 0)
		return r;
	/*
	 * systemd must not chase the host's console through sysfs (seed 8.5).
	 * class/tty/console is a kernel symlink into devices/: resolve it first.
	 */
	char root[32], real[PATH_MAX];
	ds_fd_path(rootfd, root);
	if (ds_resolve_in_root(root, "sys/class/tty/console/active", real, sizeof(real)) < 0)
		return 0;
	struct ds_mount mask = { "dev/null", real + strlen(root) + 1, NULL, MS_BIND, NULL, 0 };
	return ds_mount_one(rootfd, &mask, err);
}
