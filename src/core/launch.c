/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/launch.h"
#include "core/cleanup.h"
#include "core/monitor.h"
#include "core/net.h"
#include "core/state.h"
#include "core/inventory.h"
#include "core/saved.h"
#include "core/shift.h"
#include "core/userns.h"
#include "fs/mounts.h"
#include "fs/storage.h"
#include "host/android.h"
#include "host/nat.h"
#include "host/network.h"
#include "tty/terminal.h"
#include "util/clock.h"
#include "util/fault.h"
#include "util/fds.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * --rootfs: symlinks in the given path are resolved once (realpath), then the
 * directory is opened once (O_PATH|O_NOFOLLOW) and everything after uses
 * that fd: the checks here, and the bind in init, which refuses to boot
 * if the path no longer leads to this directory (swapped while starting).
 */
static int check_rootfs(struct ds_config *cfg, struct ds_error *err)
{
	char real[PATH_MAX];
	if (!cfg->settings.rootfs_path[0])
		return ds_fail(err, DS_EINVAL_MSG, "no rootfs given: use --rootfs=DIR");
	if (!realpath(cfg->settings.rootfs_path, real))
		return ds_fail(err, negerrno(), "rootfs %s", cfg->settings.rootfs_path);
	ds_closep(&cfg->rt.rootfs_fd);
	cfg->rt.rootfs_fd = open(real, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (cfg->rt.rootfs_fd < 0 || fstat(cfg->rt.rootfs_fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return ds_fail(err, -ENOTDIR, "rootfs %s", cfg->settings.rootfs_path);
	/* By identity, not by name: "//", a bind mount of / and the like are all the host's root. */
	struct stat host_root;
	if (strcmp(real, "/") == 0 ||
	    (stat("/", &host_root) == 0 && st.st_dev == host_root.st_dev && st.st_ino == host_root.st_ino))
		return ds_fail(err, DS_EINVAL_MSG, "refusing to boot the host's own / as a rootfs");
	for (const char *c = real; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return ds_fail(err, DS_EINVAL_MSG, "rootfs path %s contains control characters",
				       cfg->settings.rootfs_path);
	snprintf(cfg->settings.rootfs_path, sizeof(cfg->settings.rootfs_path), "%s", real);
	/* Resolve /sbin/init as the guest will: its symlinks stay inside the rootfs. */
	char init[PATH_MAX], fdpath[32];
	int r = ds_resolve_in_root(ds_fd_path(cfg->rt.rootfs_fd, fdpath), "sbin/init", init, sizeof(init));
	if (r < 0)
		return ds_fail(err, r, "rootfs %s has no usable /sbin/init", real);
	if (stat(init, &st) < 0 || !S_ISREG(st.st_mode) || access(init, X_OK) < 0)
		return ds_fail(err, DS_EINVAL_MSG, "rootfs %s: /sbin/init is not an executable file", real);
	return 0;
}

/* The running container whose saved image is the file open as fd (same st_dev/st_ino), into owner. */
static int image_owner(const struct ds_config *cfg, int fd, char *owner, size_t size)
{
	struct stat me, other;
	if (fstat(fd, &me) < 0)
		return 0;
	_cleanup_saved_ struct ds_saved *s = ds_saved_new();
	if (!s)
		return 0;
	struct ds_entry *v = NULL;
	int n = ds_inventory_list(cfg, 0, &v), found = 0;
	for (int i = 0; i < n && !found; i++) {
		char path[PATH_MAX];
		struct ds_error e = { 0 };
		ds_saved_path(cfg, v[i].name, path, sizeof(path));
		if (strcmp(v[i].name, cfg->container_name) != 0 && ds_saved_load(path, s, &e) == 0 &&
		    s->settings.rootfs_img_path[0] && stat(s->settings.rootfs_img_path, &other) == 0 &&
		    other.st_dev == me.st_dev && other.st_ino == me.st_ino && other.st_rdev == me.st_rdev) {
			snprintf(owner, size, "%s", v[i].name);
			found = 1;
		}
	}
	free(v);
	return found;
}

/* --rootfs-img: a real ext4 image, opened once, that no other container is using. */
static int check_image(struct ds_config *cfg, struct ds_error *err)
{
	char real[PATH_MAX], owner[DS_NAME_MAX + 1];
	if (!realpath(cfg->settings.rootfs_img_path, real))
		return ds_fail(err, negerrno(), "rootfs image %s", cfg->settings.rootfs_img_path);
	for (const char *c = real; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return ds_fail(err, DS_EINVAL_MSG, "rootfs image path %s contains control characters",
				       cfg->settings.rootfs_img_path);
	snprintf(cfg->settings.rootfs_img_path, sizeof(cfg->settings.rootfs_img_path), "%s", real);
	ds_closep(&cfg->rt.image_fd);
	cfg->rt.image_fd = ds_image_open(real, cfg->settings.volatile_mode, err);
	if (cfg->rt.image_fd < 0)
		return cfg->rt.image_fd;
	if (image_owner(cfg, cfg->rt.image_fd, owner, sizeof(owner)))
		return ds_fail(err, DS_EINVAL_MSG, "rootfs image %s is in use by container %s", real, owner);
	return 0;
}

/*
 * The image's flock, taken under the name's lock and kept by the monitor:
 * of two starts racing for one image, one gets it. The loser names the
 * winner once its settings are saved (a moment after its start returns).
 */
#define IMAGE_LOCK_WAIT_MS 5000 /* the winner saves its settings well within this */
#define IMAGE_LOCK_POLL_MS 50
static int lock_image(struct ds_config *cfg, struct ds_error *err)
{
	char owner[DS_NAME_MAX + 1];
	long long deadline = ds_now_ms() + IMAGE_LOCK_WAIT_MS;
	for (;;) {
		int r = ds_image_lock(cfg->rt.image_fd);
		if (r == 0)
			return 0;
		if (r != -EBUSY)
			return ds_fail(err, r, "cannot lock rootfs image %s", cfg->settings.rootfs_img_path);
		if (image_owner(cfg, cfg->rt.image_fd, owner, sizeof(owner)))
			return ds_fail(err, DS_EINVAL_MSG, "rootfs image %s is in use by container %s",
				       cfg->settings.rootfs_img_path, owner);
		if (ds_now_ms() >= deadline)
			return ds_fail(err, DS_EINVAL_MSG, "rootfs image %s is in use by another container",
				       cfg->settings.rootfs_img_path);
		poll(NULL, 0, IMAGE_LOCK_POLL_MS);
	}
}

/* Host-side preparation of the storage modes; the mounts themselves happen in init. */
static int prepare_storage(struct ds_config *cfg, int logfd, struct ds_error *err)
{
	int r;
	if (cfg->settings.volatile_mode) {
		ds_workspace_path(cfg->workspace, DS_WS_VOLATILE, cfg->container_name, cfg->rt.volatile_dir,
				  sizeof(cfg->rt.volatile_dir));
		if ((r = ds_mkdir_p(cfg->rt.volatile_dir, 0700)) < 0)
			return ds_fail(err, r, "cannot create %s", cfg->rt.volatile_dir);
	}
	if (!cfg->settings.rootfs_img_path[0])
		return 0;
	if ((r = ds_image_fsck(cfg->rt.image_fd, cfg->settings.rootfs_img_path, cfg->settings.volatile_mode, logfd,
			       err)) < 0)
		return r;
	ds_workspace_path(cfg->workspace, DS_WS_IMAGE_MOUNT, cfg->container_name, cfg->rt.image_mount,
			  sizeof(cfg->rt.image_mount));
	if ((r = ds_mkdir_p(cfg->rt.image_mount, 0755)) < 0)
		return ds_fail(err, r, "cannot create the mount point %s", cfg->rt.image_mount);
	cfg->rt.loop_fd = ds_loop_attach(cfg->rt.image_fd, cfg->settings.rootfs_img_path, cfg->settings.volatile_mode,
					 cfg->rt.loop_path, sizeof(cfg->rt.loop_path), &cfg->rt.loop_attached, err);
	return cfg->rt.loop_fd < 0 ? cfg->rt.loop_fd : 0;
}

/* What this start changed on the host, undone in reverse if a later step fails. */
enum { HOST_STORAGE = 1, HOST_ANDROID = 2, HOST_IPV6 = 4, HOST_PTYS = 8 };

static int no_other_container(const struct ds_config *cfg)
{
	struct ds_entry *v = NULL;
	int n = ds_inventory_list(cfg, 0, &v), others = 0;
	for (int i = 0; i < n; i++)
		others += strcmp(v[i].name, cfg->container_name) != 0;
	free(v);
	return others == 0;
}

static void undo_host_changes(struct ds_config *cfg, unsigned changed)
{
	if (changed & HOST_PTYS) {
		ds_terminal_close(&cfg->rt.console);
		for (int i = 0; i < cfg->settings.tty_count; i++)
			ds_terminal_close(&cfg->rt.ttys[i]);
	}
	/* Settings go back as the last stop would put them back: ours never ran. */
	int last = no_other_container(cfg);
	if (changed & HOST_IPV6)
		ds_ipv6_restore(cfg, last);
	if (changed & HOST_ANDROID)
		ds_android_restore(cfg, last);
	if (changed & HOST_STORAGE) {
		ds_loop_detach(cfg->rt.loop_fd, cfg->rt.loop_attached);
		cfg->rt.loop_fd = -1;
		if (cfg->rt.image_mount[0])
			ds_workspace_rmdir(cfg->workspace, DS_WS_IMAGE_MOUNT, cfg->container_name);
		if (cfg->rt.volatile_dir[0])
			rmdir(cfg->rt.volatile_dir);
	}
}

/*
 * The host side of a start: storage, Android and IPv6 settings, DNS, the
 * PTYs. *changed records each step as it begins; each undo puts back only
 * what its step itself changed (ds_setting_remember's records).
 */
static int prepare_host(struct ds_config *cfg, int logfd, unsigned *changed, struct ds_error *err)
{
	int r;
	*changed |= HOST_STORAGE;
	if ((r = prepare_storage(cfg, logfd, err)) < 0)
		return r;
	/* Android only: SELinux, phantom processes, doze, firmware path (restored at the last stop). */
	cfg->rt.android = ds_android_detect();
	if (cfg->rt.android) {
		*changed |= HOST_ANDROID;
		if ((r = ds_android_prepare(cfg, no_other_container(cfg), err)) < 0)
			return r;
	} else if (cfg->settings.selinux_permissive || cfg->settings.android_storage) {
		return ds_fail(err, DS_EINVAL_MSG, "%s works on Android hosts only",
			       cfg->settings.selinux_permissive ? "--selinux-permissive" : "--enable-android-storage");
	}
	/* --enable-ipv6 turns IPv6 on for the shared network (seed 11.2), undone at the last stop. */
	*changed |= HOST_IPV6;
	if ((r = ds_ipv6_prepare(cfg, err)) < 0)
		return r;
	/* DNS: the user's, else the host's real upstream resolvers (seed 4.4 step 16). */
	if (cfg->settings.dns[0])
		snprintf(cfg->rt.dns_runtime, sizeof(cfg->rt.dns_runtime), "%s", cfg->settings.dns);
	else
		ds_host_dns(cfg->rt.android, cfg->rt.dns_runtime, sizeof(cfg->rt.dns_runtime));
	/* The console PTY comes from the host's devpts, allocated here (LXC model). */
	*changed |= HOST_PTYS;
	/* DROIDSPACES_FAULT=start:no-pty: a host out of PTYs, the last step here that can fail. */
	if ((r = ds_fault_active("start:no-pty") ? -ENOSPC : ds_terminal_create(&cfg->rt.console)) < 0)
		return ds_fail(err, r, "cannot allocate the console PTY");
	for (int i = 0; i < cfg->settings.tty_count; i++)
		if ((r = ds_terminal_create(&cfg->rt.ttys[i])) < 0)
			return ds_fail(err, r, "cannot allocate PTY for tty%d", i + 1);
	return 0;
}

/*
 * --private-users boots a --rootfs directory, idmapped. An image is mounted
 * by init, which in a user namespace may not mount a block device's
 * filesystem; --volatile's overlay over an idmapped lower layer, and
 * --hw-access's devtmpfs, are not for a user namespace either: refused, so
 * that no such start half-works.
 */
static int check_userns(const struct ds_settings *s, struct ds_error *err)
{
	if (s->userns.mode == DS_USERNS_OFF)
		return 0;
	const char *with = s->rootfs_img_path[0] ? "--rootfs-img"
			   : s->volatile_mode    ? "--volatile"
			   : s->hw_access        ? "--hw-access"
						 : NULL;
	if (with)
		return ds_fail(err, DS_EINVAL_MSG, "--private-users works with a --rootfs directory, not with %s",
			       with);
	if (!ds_userns_supported())
		return ds_fail(err, DS_EINVAL_MSG,
			       "--private-users: this kernel does not create user namespaces (CONFIG_USER_NS, or "
			       "disabled by a sysctl); see 'droidspaces check'");
	return 0;
}

int ds_start_validate(struct ds_config *cfg, struct ds_error *err)
{
	int r = check_userns(&cfg->settings, err);
	if (r < 0)
		return r;
	if (cfg->settings.rootfs_img_path[0])
		return check_image(cfg, err);
	return check_rootfs(cfg, err);
}

static void unclaimp(struct ds_config **cfg)
{
	if (*cfg)
		ds_net_unclaim(*cfg);
}

int ds_launch(struct ds_config *cfg, struct ds_error *err)
{
	struct ds_cgroups cg;
	char logdir[PATH_MAX], logpath[PATH_MAX];
	int r;

	if (!cfg->container_name[0])
		return ds_fail(err, DS_EINVAL_MSG, "no container name: use --name=NAME");
	if (!cfg->settings.hostname[0])
		snprintf(cfg->settings.hostname, sizeof(cfg->settings.hostname), "%s", cfg->container_name);
	if ((r = ds_workspace_ensure(cfg->workspace, err)) < 0)
		return r;

	/* One start (or stop) per name at a time: the monitor keeps holding this lock. */
	_cleanup_close_ int lockfd = ds_lock_name(cfg, cfg->container_name, 0);
	if (lockfd == -EWOULDBLOCK)
		return ds_fail(err, DS_EBUSY_MSG, "container %s is already running (or being started or stopped)",
			       cfg->container_name);
	if (lockfd < 0)
		return ds_fail(err, lockfd, "cannot lock container %s", cfg->container_name);
	struct ds_state st;
	int live = ds_state_read_live(cfg->pidfile, &st);
	if (live < 0) /* never replace a file we did not write (--pidfile=/etc/passwd) */
		return ds_state_fail(err, live, cfg->pidfile);
	if (live == 1)
		return ds_fail(err, DS_EBUSY_MSG, "container %s is already running (pid %d)", cfg->container_name,
			       (int)st.pid);
	if (cfg->rt.image_fd >= 0 && (r = lock_image(cfg, err)) < 0)
		return r;
	ds_fault_point("start:rootfs-opened");
	if ((r = ds_cgroup_detect(&cg)) < 0)
		return ds_fail(err, r, "cannot read the host's cgroup mounts");
	/*
	 * No cgroup tree in this mount namespace (`ip netns exec` mounts a fresh
	 * /sys; a minimal Android init may mount none): the guest would run in
	 * the host's root cgroups, and its init would make its own cgroups
	 * there or mount new hierarchies. Refused before anything changed.
	 */
	if (cg.mode == DS_CG_NONE)
		return ds_fail(
			err, DS_EINVAL_MSG,
			"no cgroup hierarchy is mounted in this mount namespace (a fresh /sys, as under 'ip netns exec'?): "
			"the guest would run in the host's root cgroup; start it where /sys/fs/cgroup is mounted");
	/*
	 * Names are host-wide: droidspaces/NAME is one cgroup for every workspace,
	 * so that a stop never kills another workspace's container of the same
	 * name, nor two guests share one cgroup's limits and device policy. A
	 * name taken is refused here, before anything changed; the monitor makes
	 * the claim its own when it creates the cgroup (nothing is left behind
	 * when this process is killed before it forks).
	 */
	if ((r = ds_cgroup_claim_free(&cg, cfg->rt.cgroup_rel, DS_CGROUP_CLAIM_WAIT_MS, err)) < 0)
		return r;
	/* --net=nat: the bridge's network, the guest's address (kept in its settings), its ports free. */
	if ((r = ds_net_claim(cfg, err)) < 0)
		return r;
	/* Dropped again on every failure before the monitor is forked; the monitor's cleanup drops it after. */
	__attribute__((cleanup(unclaimp))) struct ds_config *claimed = cfg;

	if ((r = ds_uuid_generate(cfg->rt.uuid)) < 0)
		return ds_fail(err, r, "cannot generate a UUID");

	ds_workspace_path(cfg->workspace, DS_WS_LOG_DIR, cfg->container_name, logdir, sizeof(logdir));
	ds_workspace_path(cfg->workspace, DS_WS_CONSOLE_LOG, cfg->container_name, logpath, sizeof(logpath));
	if ((r = ds_mkdir_p(logdir, 0750)) < 0)
		return ds_fail(err, r, "cannot create the log directory %s", logdir);
	_cleanup_close_ int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (logfd < 0)
		return ds_fail(err, negerrno(), "cannot open the console log %s", logpath);

	unsigned changed = 0;
	if ((r = prepare_host(cfg, logfd, &changed, err)) < 0) {
		undo_host_changes(cfg, changed);
		return r;
	}

	/* --private-users: the range, auto resolved, recorded for the name under the registry's lock. */
	struct ds_userns_claim claim = { 0 };
	if (cfg->settings.userns.mode != DS_USERNS_OFF && (r = ds_userns_claim(cfg, &claim, err)) < 0) {
		undo_host_changes(cfg, changed);
		return r;
	}
	/* Its ids shifted on disk where no idmapped mount can be made (or back without --private-users). */
	r = ds_shift_prepare(cfg, err);
	if (cfg->settings.shift.state != DS_SHIFT_NONE)
		claim.changed = 0; /* files carry the range now: it stays this container's, whatever happens */
	if (r < 0) {
		ds_userns_unclaim(cfg, &claim);
		undo_host_changes(cfg, changed);
		return r;
	}
	ds_fault_point("start:before-fork");
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) < 0) {
		r = ds_fail(err, negerrno(), "cannot create the sync pipe");
		ds_userns_unclaim(cfg, &claim);
		undo_host_changes(cfg, changed);
		return r;
	}
	pid_t monitor = fork();
	if (monitor < 0) {
		r = ds_fail(err, negerrno(), "cannot fork the monitor");
		close(sync[0]);
		close(sync[1]);
		ds_userns_unclaim(cfg, &claim);
		undo_host_changes(cfg, changed);
		return r;
	}
	if (monitor == 0) {
		close(sync[0]);
		ds_monitor_main(cfg, &cg, lockfd, logfd, sync[1]);
	}
	close(sync[1]);
	claimed = NULL; /* the monitor's now */
	ds_fault_point("start:after-fork");
	ds_closep(&cfg->rt.loop_fd); /* the monitor holds the loop device now */
	ds_nat_unhold(cfg);          /* and the lease's marks */
	ds_closep(&cfg->rt.rootfs_fd);
	ds_closep(&cfg->rt.image_fd); /* and the image, with its flock */
	ds_terminal_close(&cfg->rt.console);
	for (int i = 0; i < cfg->settings.tty_count; i++)
		ds_terminal_close(&cfg->rt.ttys[i]);

	/* Messages until EOF: the monitor's DS_SYNC_PID, and a DS_SYNC_ERROR from whoever failed. */
	struct ds_sync_msg msg;
	pid_t pid = 0;
	struct ds_error boot_err = { 0 };
	while (ds_read_all(sync[0], &msg, sizeof(msg)) == (ssize_t)sizeof(msg)) {
		if (msg.type == DS_SYNC_PID)
			pid = msg.pid;
		else if (msg.type == DS_SYNC_ERROR && boot_err.code == 0)
			boot_err = msg.err;
	}
	close(sync[0]);
	if (boot_err.code != 0) {
		/*
		 * The monitor cleans up after a failed start (mounts, loop device,
		 * cgroup) and exits, releasing the name's lock: report only then, so
		 * that the host is as it was when we return.
		 */
		ds_closep(&lockfd);
		int again = ds_lock_name_timeout(cfg, cfg->container_name, DS_MONITOR_CLEANUP_TIMEOUT_MS);
		if (again >= 0)
			close(again);
		ds_userns_unclaim(cfg, &claim);
		*err = boot_err;
		return boot_err.code;
	}
	if (pid <= 0) {
		/* We still hold the name's lock: tidy what the dead monitor had set up. */
		ds_cleanup_container(cfg, &cg, cfg->rt.cgroup_rel);
		ds_userns_unclaim(cfg, &claim);
		return ds_fail(err, -EIO, "the monitor of %s died before init started", cfg->container_name);
	}
	/* EOF came when init's copy closed on execve: the boot sequence is done. */
	cfg->rt.container_pid = pid;
	ds_android_firmware_init(cfg, pid);
	return 0;
}
