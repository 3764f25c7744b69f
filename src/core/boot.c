/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The container's PID 1 before it becomes the guest's init. Read top to
 * bottom, this is Phase 4 of the specification: each setup_* step is one
 * stage, in the order the kernel requires.
 */
#include "core/boot.h"
#include "core/caps.h"
#include "core/seccomp.h"
#include "core/workspace.h"
#include "fs/dev.h"
#include "fs/mounts.h"
#include "fs/storage.h"
#include "host/android.h"
#include "host/nat.h"
#include "host/network.h"
#include "tty/terminal.h"
#include "util/fds.h"
#include "util/fileio.h"
#include "util/macros.h"
#include "util/sdversion.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
/* move_mount(2), 5.2: the same number on every architecture. */
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* The filesystems every init expects, mounted before pivot_root (seed steps 23-26). */
static const struct ds_mount base_mounts[] = {
	{ "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME, "mode=755,size=8M",
	  DS_MNT_REQUIRED | DS_MNT_MKDIR | DS_MNT_NO_HW },
	/* --hw-access: the kernel's devtmpfs, shared with the host (seed 8.2). */
	{ "devtmpfs", "dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=755",
	  DS_MNT_REQUIRED | DS_MNT_MKDIR | DS_MNT_HW },
	{ "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, DS_MNT_REQUIRED | DS_MNT_MKDIR },
	/* A read-only /sys top is how systemd (258+) knows it is in a container. */
	{ "sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  DS_MNT_REQUIRED | DS_MNT_MKDIR | DS_MNT_NO_HW | DS_MNT_NO_USERNS },
	/*
	 * --private-users: sysfs is mounted only by the owner of the network
	 * namespace, the host's here: its /sys, bound, read-only on top.
	 */
	{ "/sys", "sys", NULL, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  DS_MNT_REQUIRED | DS_MNT_MKDIR | DS_MNT_RO_AFTER | DS_MNT_USERNS },
	/* --hw-access: read-write first; its subtrees are pinned, then the top made read-only. */
	{ "sysfs", "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, DS_MNT_REQUIRED | DS_MNT_MKDIR | DS_MNT_HW },
	{ "tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=755,size=20%",
	  DS_MNT_REQUIRED | DS_MNT_MKDIR },
};

/*
 * The systemd container interface: the guest must not reconfigure the
 * shared kernel through /proc, nor read what leaks host secrets.
 */
static const struct ds_mount proc_mounts[] = {
	/* Self-bind then read-only: sysctls belong to the host. */
	{ "proc/sys", "proc/sys", NULL, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  DS_MNT_REQUIRED | DS_MNT_RO_AFTER },
	{ "proc/sysrq-trigger", "proc/sysrq-trigger", NULL, MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  DS_MNT_MASK | DS_MNT_RO_AFTER },
	/* Read-only: interrupt affinity, filesystem tunables, bus state of the host. */
	{ "proc/irq", "proc/irq", NULL, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  DS_MNT_MASK | DS_MNT_RO_AFTER },
	{ "proc/fs", "proc/fs", NULL, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  DS_MNT_MASK | DS_MNT_RO_AFTER },
	{ "proc/bus", "proc/bus", NULL, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  DS_MNT_MASK | DS_MNT_RO_AFTER | DS_MNT_NO_HW },
	/*
	 * Masked (fail closed: a mask that is there and cannot be applied fails
	 * the start): kernel memory, the host's keys, timers and scheduler, the
	 * kernel log, ACPI, SCSI and sound state, firmware and power capping.
	 */
	{ "dev/null", "proc/kcore", NULL, MS_BIND, NULL, DS_MNT_MASK },
	{ "dev/null", "proc/keys", NULL, MS_BIND, NULL, DS_MNT_MASK },
	{ "dev/null", "proc/timer_list", NULL, MS_BIND, NULL, DS_MNT_MASK },
	{ "dev/null", "proc/timer_stats", NULL, MS_BIND, NULL, DS_MNT_MASK },
	{ "dev/null", "proc/sched_debug", NULL, MS_BIND, NULL, DS_MNT_MASK },
	{ "dev/null", "proc/latency_stats", NULL, MS_BIND, NULL, DS_MNT_MASK },
	{ "dev/null", "proc/kmsg", NULL, MS_BIND, NULL, DS_MNT_MASK },
	{ "tmpfs", "proc/acpi", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0", DS_MNT_MASK },
	{ "tmpfs", "proc/scsi", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0", DS_MNT_MASK },
	{ "tmpfs", "proc/asound", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0", DS_MNT_MASK },
	{ "tmpfs", "sys/firmware", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0",
	  DS_MNT_MASK | DS_MNT_NO_HW },
	{ "tmpfs", "sys/devices/virtual/powercap", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0",
	  DS_MNT_MASK | DS_MNT_NO_HW },
	/* A boot_id of the container's own (written to run/ just before). */
	{ "run/.ds-boot_id", "proc/sys/kernel/random/boot_id", NULL, MS_BIND, NULL, DS_MNT_REQUIRED | DS_MNT_RO_AFTER },
};

static int child_error(struct ds_error *err, int r, const char *what) { return ds_fail(err, r, "%s", what); }

static int reset_signals(void)
{
	/* The monitor blocks signals for its signalfd; init must start clean. */
	sigset_t none;
	sigemptyset(&none);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	return sigprocmask(SIG_SETMASK, &none, NULL) < 0 ? negerrno() : 0;
}

static int setup_seccomp(int logfd, struct ds_error *err)
{
	int r = ds_seccomp_apply(err);
	if (r == -EOPNOTSUPP) {
		/* Old or trimmed kernels (no CONFIG_SECCOMP_FILTER): boot, and say so in the log. */
		dprintf(logfd, "[droidspaces] warning: %s; the guest runs without a syscall filter\r\n", err->msg);
		return 0;
	}
	return r;
}

static int setup_namespaces(const struct ds_cgroups *cg, const struct ds_config *cfg, int in_cgroup, int *have_cgroupns,
			    struct ds_error *err)
{
	/* Join our cgroup first (unless born in it): the cgroup namespace is rooted where we stand. */
	int r = in_cgroup ? 0 : ds_cgroup_join_self(cg, cfg->rt.cgroup_rel, err);
	/* A hybrid host's v1 controllers of the limits, which clone3 cannot place us in. */
	if (r == 0 && in_cgroup != DS_BOOT_CGROUPS_JOINED)
		r = ds_cgroup_limits_join(cg, cfg->rt.cgroup_rel, &cfg->settings.limits, err);
	if (r < 0)
		return r;
	*have_cgroupns = cg->mode != DS_CG_NONE && access("/proc/self/ns/cgroup", F_OK) == 0;
	int ns_r = unshare(CLONE_NEWNS | (*have_cgroupns ? CLONE_NEWCGROUP : 0));
	/* A kernel that refuses the flag (before 4.6, or a filter in the way): no cgroup namespace. */
	if (ns_r < 0 && errno == EINVAL && *have_cgroupns) {
		*have_cgroupns = 0;
		ns_r = unshare(CLONE_NEWNS);
	}
	if (ns_r < 0)
		return child_error(err, negerrno(), "cannot create the mount namespace");
	/* Nothing we mount from here on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return child_error(err, negerrno(), "cannot make / private");
	return 0;
}

/* Is fd the same directory as want (st_dev/st_ino)? */
static int same_dir(int fd, const struct stat *want)
{
	struct stat got;
	return fd >= 0 && fstat(fd, &got) == 0 && got.st_dev == want->st_dev && got.st_ino == want->st_ino;
}

/*
 * pivot_root(2) needs the new root to be a mount point: rootfs bound on
 * itself. For a --rootfs directory, checked_fd is what start checked; its
 * mount belongs to the host's namespace, which a bind cannot take as a
 * source, so the path is opened again here, and both that open and the
 * final one must be the checked directory: a path swapped since (its
 * parent may belong to a user) is refused, never booted.
 */
static int setup_rootfs_bind(const char *rootfs, int checked_fd, int *rootfd, struct ds_error *err)
{
	char fdp[32];
	struct stat want;
	_cleanup_close_ int src_fd = -1;
	const char *src = rootfs;
	if (checked_fd >= 0) {
		src_fd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fstat(checked_fd, &want) < 0 || !same_dir(src_fd, &want))
			return ds_fail(err, DS_EINVAL_MSG, "rootfs %s was replaced while starting: not booted", rootfs);
		src = ds_fd_path(src_fd, fdp);
	}
	if (mount(src, src, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot bind-mount the rootfs %s", rootfs);
	*rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (checked_fd >= 0 && !same_dir(*rootfd, &want))
		return ds_fail(err, DS_EINVAL_MSG, "rootfs %s was replaced while starting: not booted", rootfs);
	if (*rootfd < 0)
		return ds_fail(err, negerrno(), "cannot open the rootfs %s", rootfs);
	return 0;
}

/*
 * --private-users: the rootfs is the idmapped tree the monitor made of the
 * directory start checked (tree), attached where the rootfs is, so that the
 * guest sees its files owned as they are on disk while its root is an
 * unprivileged id on the host. What is opened there must be that tree.
 */
static int setup_rootfs_idmapped(const char *rootfs, int tree, int *rootfd, struct ds_error *err)
{
	struct stat want;
	if (fstat(tree, &want) < 0)
		return ds_fail(err, negerrno(), "cannot read the idmapped rootfs");
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ds_fail(err, negerrno(), "cannot attach the idmapped rootfs on %s", rootfs);
	*rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*rootfd < 0)
		return ds_fail(err, negerrno(), "cannot open the rootfs %s", rootfs);
	if (!same_dir(*rootfd, &want))
		return ds_fail(err, DS_EINVAL_MSG, "rootfs %s was replaced while starting: not booted", rootfs);
	return 0;
}

/* --private-users: ids 0 of the new user namespace (host ids base), with its capabilities. */
static int become_guest_root(struct ds_error *err)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return ds_fail(err, negerrno(), "cannot become root of the user namespace");
	return 0;
}

/* Writes content into dir/name below the rootfs (dir: in our own /run tmpfs, created when missing). */
static int write_run_file_in(int rootfd, const char *dir, const char *name, const char *content, struct ds_error *err)
{
	_cleanup_close_ int runfd = ds_open_in_root(rootfd, dir, DS_MNT_MKDIR);
	if (runfd < 0)
		return ds_fail(err, runfd, "cannot open /%s in the rootfs", dir);
	char p[32];
	_cleanup_close_ int dfd = open(ds_fd_path(runfd, p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ds_fail(err, negerrno(), "cannot open /%s in the rootfs", dir);
	_cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || ds_write_all(fd, content, strlen(content)) < 0)
		return ds_fail(err, negerrno(), "cannot write /%s/%s", dir, name);
	return 0;
}

/* Writes name=content into the rootfs's run/ (already our tmpfs). */
static int write_run_file(int rootfd, const char *name, const char *content, struct ds_error *err)
{
	return write_run_file_in(rootfd, "run", name, content, err);
}

static int setup_proc_hardening(int rootfd, unsigned modes, struct ds_error *err)
{
	char boot_id[40];
	int r = ds_boot_id_generate(boot_id);
	if (r < 0)
		return ds_fail(err, r, "cannot generate a boot_id");
	strcat(boot_id, "\n");
	r = write_run_file(rootfd, ".ds-boot_id", boot_id, err);
	if (r < 0)
		return r;
	r = ds_mount_table(rootfd, proc_mounts, ARRAY_SIZE(proc_mounts), modes, err);
	/* The bind keeps the inode; the name in /run is no longer needed. */
	_cleanup_close_ int runfd = ds_open_in_root(rootfd, "run", 0);
	char p[32];
	if (runfd >= 0) {
		int dir = open(ds_fd_path(runfd, p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir >= 0) {
			unlinkat(dir, ".ds-boot_id", 0);
			close(dir);
		}
	}
	return r;
}

static int setup_console(int rootfd, const struct ds_config *cfg, struct ds_error *err)
{
	/* The slaves live on the host's devpts: bind them before pivot_root hides it. */
	struct ds_mount m = { cfg->rt.console.name, "dev/console", NULL, MS_BIND, NULL, DS_MNT_REQUIRED };
	int r = ds_mount_one(rootfd, &m, err);
	for (int i = 0; r == 0 && i < cfg->settings.tty_count; i++) {
		char target[16];
		snprintf(target, sizeof(target), "dev/tty%d", i + 1);
		struct ds_mount t = { cfg->rt.ttys[i].name, target, NULL, MS_BIND, NULL, DS_MNT_REQUIRED };
		r = ds_mount_one(rootfd, &t, err);
	}
	return r;
}

static int setup_markers(int rootfd, const struct ds_config *cfg, struct ds_error *err)
{
	/* run/<uuid> identifies this boot; run/droidspaces says pivot_root is near. */
	int r = write_run_file(rootfd, cfg->rt.uuid, "init\n", err);
	return r < 0 ? r : write_run_file(rootfd, "droidspaces", DS_VERSION "\n", err);
}

/*
 * The monitor's notify socket (<ws>/Sockets/NAME.notify), opened while we
 * are still host root: with --private-users guest root may not pass through
 * the workspace's directories, and the bind takes the fd's path instead.
 * Opened once our mount namespace exists: mount(2) refuses a bind source
 * whose mount belongs to another namespace (EINVAL).
 */
static int open_notify_socket(const struct ds_config *cfg, int *fd, struct ds_error *err)
{
	char sock[PATH_MAX];
	int r = ds_workspace_path(cfg->workspace, DS_WS_NOTIFY, cfg->container_name, sock, sizeof(sock));
	if (r < 0)
		return ds_fail(err, r, "the notify socket's path is too long");
	*fd = open(sock, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (*fd < 0 || fstat(*fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return ds_fail(err, *fd < 0 ? negerrno() : -EINVAL, "the monitor's notify socket %s", sock);
	return 0;
}

/*
 * The container interface of nspawn's that systemd and its tools read:
 * /run/host/container-manager, the host's os-release as
 * /run/host/os-release, and /run/host/notify, the monitor's NOTIFY_SOCKET
 * (core/ready.h) bound in (notify_fd: open_notify_socket's).
 */
static int setup_host_interface(int rootfd, int notify_fd, struct ds_error *err)
{
	char osr[8192], src[32];
	int r = write_run_file_in(rootfd, "run/host", "container-manager", "droidspaces\n", err);
	/* An Android host has none: the file is left out, as nspawn does. */
	if (r == 0 && (ds_read_file("/etc/os-release", osr, sizeof(osr)) > 0 ||
		       ds_read_file("/usr/lib/os-release", osr, sizeof(osr)) > 0))
		r = write_run_file_in(rootfd, "run/host", "os-release", osr, err);
	if (r < 0)
		return r;
	struct ds_mount m = { ds_fd_path(notify_fd, src),     "run/host/notify", NULL, MS_BIND, NULL,
			      DS_MNT_REQUIRED | DS_MNT_MKFILE };
	return ds_mount_one(rootfd, &m, err);
}

static int setup_environment(const struct ds_config *cfg)
{
	char ttys[DS_MAX_TTYS * 8 + 1] = "";
	for (int i = 0; i < cfg->settings.tty_count; i++) {
		size_t l = strlen(ttys);
		snprintf(ttys + l, sizeof(ttys) - l, "%stty%d", i ? " " : "", i + 1);
	}
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("TERM", "xterm-256color", 1);
	setenv("HOME", "/root", 1);
	setenv("container", "droidspaces", 1);
	/* nspawn's interface: the machine's UUID (systemd's transient machine-id), where to say READY=1. */
	setenv("container_uuid", cfg->rt.uuid, 1);
	setenv("NOTIFY_SOCKET", "/run/host/notify", 1);
	if (ttys[0])
		setenv("container_ttys", ttys, 1);
	return 0;
}

/*
 * The cgroup layout the guest gets (fs/cgroup.c), and why it fits every
 * guest init we boot. Like nspawn, the choice follows the host and the
 * guest's systemd. Where the host has a cgroup2 hierarchy mounted (unified
 * hosts, and hybrid ones such as Android's or this test machine's, cgroup2
 * at /sys/fs/cgroup/unified beside the v1 controllers) the guest sees only
 * that, a cgroup2 tree rooted at its own cgroup: systemd 230 and later
 * manage it (Debian 12's 252 and 13's 257 are tested), and 258 and later
 * boot on nothing else. Offering the v1 hierarchies beside it (nspawn's
 * "hybrid") would only let old guests write into controllers whose limits
 * are ours. Only without any cgroup2 mount (kernels before 4.5, or an init
 * that mounts v1 only) does the guest get the v1 hierarchies, which OpenRC,
 * sysvinit, busybox and systemd up to 257 take: 256 and 257 refuse v1 only
 * where they mount the hierarchies themselves, as a host's PID 1; on the
 * ones a container manager mounted they boot (tested with 257). 258
 * removed v1 altogether: its PID 1 exits at once ("Detected unsupported
 * legacy cgroup hierarchy, refusing execution"), after a start that said
 * it started. Such a guest is refused here instead, before any of it ran,
 * with one line and the way out. A cgroup2 tree made for it where the host
 * mounted none would need a cgroup2 mount on the host (the kernel's one
 * v2 hierarchy: its root is the host's root cgroup), the host's to make.
 */
#define DS_SYSTEMD_V2_ONLY 258
static int check_cgroup_layout(int rootfd, const struct ds_cgroups *cg, struct ds_error *err)
{
	if (cg->mode != DS_CG_LEGACY)
		return 0;
	int v = ds_sdversion_of_root(rootfd);
	if (v < DS_SYSTEMD_V2_ONLY)
		return 0;
	char fs[4096] = "";
	int has = ds_read_file("/proc/filesystems", fs, sizeof(fs)) > 0 && strstr(fs, "\tcgroup2\n");
	return ds_fail(
		err, DS_EINVAL_MSG,
		"the guest's systemd %d boots only on a cgroup2 tree (258 removed cgroup v1) and this host has "
		"no cgroup2 hierarchy mounted: %s",
		v,
		has ? "mount one (e.g. mount -t cgroup2 none /sys/fs/cgroup/unified) and start again"
		    : "the kernel has no cgroup2 (4.5+); boot a guest with systemd 257 or older, or another init");
}

int ds_boot(const struct ds_config *cfg, const struct ds_cgroups *cg, int in_cgroup, int idmapped, int gate, int logfd,
	    struct ds_error *err)
{
	int have_cgroupns = 0, r;
	int userns = cfg->settings.userns.mode != DS_USERNS_OFF;
	unsigned modes = (cfg->settings.hw_access ? DS_MODE_HW : 0) | (userns ? DS_MODE_USERNS : 0);
	char rootfs[PATH_MAX];
	snprintf(rootfs, sizeof(rootfs), "%s", cfg->settings.rootfs_path);
	_cleanup_close_ int rootfd = -1;

	if ((r = reset_signals()) < 0)
		return ds_fail(err, r, "cannot reset signals");
	/* Groups, umask, limits and OOM score of our own, not the caller's (host /proc still here). */
	if ((r = ds_process_defaults(err)) < 0)
		return r;
	/* Own mount (and cgroup) namespace, private propagation. */
	if ((r = setup_namespaces(cg, cfg, in_cgroup, &have_cgroupns, err)) < 0)
		return r;
	/* The monitor's notify socket, while we are host root, in our mount namespace (a bind's source must be). */
	_cleanup_close_ int notify_fd = -1;
	if ((r = open_notify_socket(cfg, &notify_fd, err)) < 0)
		return r;
	/* A rootfs image on the loop device the parent attached (seed 4.1 step 5). */
	if (cfg->rt.loop_path[0] && (r = ds_image_mount(cfg, rootfs, sizeof(rootfs), err)) < 0)
		return r;
	/* Volatile: an overlay whose writable layer is a tmpfs of its own (seed 4.3). */
	if (cfg->settings.volatile_mode && (r = ds_volatile_mount(cfg, rootfs, sizeof(rootfs), err)) < 0)
		return r;
	/* The rootfs becomes a mount point of its own (--private-users: the idmapped tree, or its ids shifted). */
	if (idmapped >= 0)
		r = setup_rootfs_idmapped(rootfs, idmapped, &rootfd, err);
	else if (userns && !cfg->rt.shifted)
		r = ds_fail(err, -EBADF, "--private-users: no idmapped rootfs came from the monitor");
	else
		r = setup_rootfs_bind(rootfs, cfg->settings.volatile_mode ? -1 : cfg->rt.rootfs_fd, &rootfd, err);
	if (r < 0)
		return r;
	/*
	 * --private-users: the monitor wrote our maps; from here on we are guest
	 * root (what we mount is owned by it). Not before: the rootfs's path may
	 * pass through directories only host root enters.
	 */
	if (userns && (r = become_guest_root(err)) < 0)
		return r;
	/* The user's --bind-mount entries, destinations kept inside the rootfs. */
	if ((r = ds_binds_mount(cfg, rootfd, logfd, err)) < 0)
		return r;
	/* /dev tmpfs, /proc, read-only /sys, /run tmpfs: no path may lead out of the rootfs. */
	if ((r = ds_mount_table(rootfd, base_mounts, ARRAY_SIZE(base_mounts), modes, err)) < 0)
		return r;
	/* Device nodes by mknod on our own tmpfs (--private-users: the host's bound); with --hw-access, the host's. */
	if ((r = ds_dev_populate(rootfd, cfg->settings.tty_count, modes, err)) < 0)
		return r;
	/* --hw-access: every /sys subtree pinned read-write under a read-only top (seed 8.5). */
	if (cfg->settings.hw_access && (r = ds_sys_hw_setup(rootfd, err)) < 0)
		return r;
	/* Read-only /proc/sys and sysrq, masked kcore/keys/timers, a boot_id of our own. */
	if ((r = setup_proc_hardening(rootfd, modes, err)) < 0)
		return r;
	/* The guest's cgroup tree at /sys/fs/cgroup, rooted at its own cgroup (a layout it can boot on). */
	if ((r = check_cgroup_layout(rootfd, cg, err)) < 0)
		return r;
	if ((r = ds_cgroup_mount(rootfd, cg, cfg->rt.cgroup_rel, have_cgroupns, err)) < 0)
		return r;
	/* Android: the user's shared storage inside the guest (seed 4.4 step 13). */
	if (cfg->settings.android_storage && (r = ds_android_bind_storage(rootfd, err)) < 0)
		return r;
	/* The console PTY slave (allocated on the host) becomes /dev/console. */
	if ((r = setup_console(rootfd, cfg, err)) < 0)
		return r;
	/* /run/host: os-release, container-manager and the notify socket, as nspawn gives them. */
	if ((r = setup_host_interface(rootfd, notify_fd, err)) < 0)
		return r;
	/* Boot markers the host looks for through /proc/PID/root. */
	if ((r = setup_markers(rootfd, cfg, err)) < 0)
		return r;
	/* Swap roots and drop the host's tree for good. */
	if ((r = ds_pivot_root_fd(rootfd, err)) < 0)
		return r;
	/* A devpts instance of our own: the guest's PTYs are not the host's. */
	if ((r = ds_devpts_setup(cfg->settings.hw_access, err)) < 0)
		return r;
	/* Hostname and /etc/hosts (host network is shared, seed step 16). */
	if ((r = ds_network_setup_rootfs(cfg->settings.hostname, err)) < 0)
		return r;
	/* The host's resolvers, known before pivot_root, as the guest's resolv.conf. */
	if ((r = ds_dns_setup_rootfs(cfg->rt.dns_runtime, err)) < 0)
		return r;
	/* Android: the network groups its kernel checks (paranoid networking). */
	if (cfg->rt.android && (r = ds_android_setup_rootfs(err)) < 0)
		return r;
	/* How systemd (and our own status checks) recognise the container. */
	mkdir("/run/systemd", 0755);
	if ((r = ds_write_file("/run/systemd/container", "droidspaces\n", 0644)) < 0)
		return ds_fail(err, r, "cannot write /run/systemd/container");
	/* --net=none|nat: lo up; nat: eth0's address, MTU and default route, so no DHCP client is needed. */
	if ((r = ds_net_guest_setup(cfg, err)) < 0)
		return r;
	/*
	 * A bounding set without the capabilities that reach past the container;
	 * CAP_NET_ADMIN stays with a network namespace of the guest's own.
	 */
	unsigned long long keep =
		cfg->settings.keep_caps | (cfg->settings.net_mode != DS_NET_HOST ? 1ULL << CAP_NET_ADMIN : 0);
	if ((r = ds_caps_drop(keep, cfg->settings.hw_access, err)) < 0)
		return r;
	setup_environment(cfg);
	/* stdio on /dev/console, which becomes our controlling terminal. */
	int console = open("/dev/console", O_RDWR | O_NOCTTY);
	if (console < 0)
		return ds_fail(err, negerrno(), "cannot open /dev/console");
	if ((r = ds_terminal_attach_stdio(console)) < 0)
		return ds_fail(err, r, "cannot make /dev/console the controlling terminal");
	/* The monitor's device policy, loaded while we mounted: in place before the guest runs anything. */
	char byte = 0;
	while (read(gate, &byte, 1) < 0 && errno == EINTR)
		;
	if (byte != 'd')
		_exit(1);
	close(gate);
	/* The syscall denylist (core/seccomp.c), last: nothing above may be refused. */
	if (!(cfg->settings.privileged & DS_PRIV_SECCOMP) && (r = setup_seccomp(logfd, err)) < 0)
		return r;
	/* Only stdio crosses into the guest: whatever else is open goes at execve. */
	ds_fds_cloexec_from(3);
	char *const argv[] = { "/sbin/init", NULL };
	execve("/sbin/init", argv, environ);
	return ds_fail(err, negerrno(), "cannot execute /sbin/init in the rootfs");
}

int ds_boot_id_generate(char out[37])
{
	unsigned char b[16];
	_cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ds_read_all(fd, b, sizeof(b)) != (ssize_t)sizeof(b))
		return fd < 0 ? negerrno() : -EIO;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
