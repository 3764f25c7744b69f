/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check's probes: one row per kernel feature droidspaces uses, and what start does without it. */
#include "core/kernel.h"
#include "core/seccomp.h"
#include "core/userns.h"
#include "fs/cgroup.h"
#include "fs/devices.h"
#include "fs/mounts.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/* The same number on every architecture (kernel 5.1 and later). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
#endif
#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC 1
#endif

#define RAMFS_MAGIC 0x858458f6UL

/* A syscall asked with arguments it refuses: 1 when the kernel has it (any answer but ENOSYS). */
static int has_syscall(long r) { return r >= 0 || errno != ENOSYS; }

/* Runs fn in a child that exits at once (its namespaces and mounts go with it): fn's 1 or 0. */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn() == 1 ? 0 : 1);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int has_ns(const char *ns)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/ns/%s", ns);
	return access(p, F_OK) == 0;
}

static int is_root(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return getuid() == 0;
}
static int fs_has(const char *name) { return ds_file_has_word("/proc/filesystems", name); }
/* The rows that only ask whether a /proc/self/ns file or a filesystem type is there. */
static int ns_row(const char *arg, char *d, size_t n)
{
	(void)d, (void)n;
	return has_ns(arg);
}
static int fs_row(const char *arg, char *d, size_t n)
{
	(void)d, (void)n;
	return fs_has(arg);
}
static int fs_overlay(const char *arg, char *d, size_t n)
{
	(void)arg;
	/* start mounts type "overlay"; 3.18 kernels and some Android backports call it "overlayfs" */
	if (fs_has("overlay"))
		return 1;
	if (fs_has("overlayfs"))
		snprintf(d, n, "only as 'overlayfs' (old name), which start does not mount");
	return 0;
}

static int cgroups(const char *arg, char *d, size_t n)
{
	(void)arg;
	struct ds_cgroups cg;
	if (ds_cgroup_detect(&cg) < 0 || cg.mode == DS_CG_NONE)
		return 0;
	int pos = snprintf(d, n, "%s", ds_cgroup_mode_name(cg.mode));
	if (cg.v1_count > 0 && pos > 0 && (size_t)pos < n)
		pos += snprintf(d + pos, n - (size_t)pos, "; v1:");
	for (int i = 0; i < cg.v1_count && pos > 0 && (size_t)pos < n; i++)
		pos += snprintf(d + pos, n - (size_t)pos, " %s", cg.v1_opts[i]);
	return 1;
}
static int cgroup2(const char *arg, char *d, size_t n)
{
	(void)arg;
	struct ds_cgroups cg;
	if (ds_cgroup_detect(&cg) < 0 || (cg.mode != DS_CG_UNIFIED && cg.mode != DS_CG_HYBRID))
		return 0;
	snprintf(d, n, "at %s", cg.v2_root);
	return 1;
}

static int try_cgroupns(void) { return unshare(CLONE_NEWCGROUP) == 0; }
/* As start: a cgroup tree, /proc/self/ns/cgroup, and unshare(CLONE_NEWCGROUP) taken. */
static int ns_cgroup(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	struct ds_cgroups cg;
	if (ds_cgroup_detect(&cg) < 0 || cg.mode == DS_CG_NONE || !has_ns("cgroup"))
		return 0;
	return in_child(try_cgroupns);
}

static int pivot_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return ds_fs_magic("/") != RAMFS_MAGIC;
}
static int proc_sys(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return access("/proc/self", F_OK) == 0 && access("/sys/kernel", F_OK) == 0;
}
static int epoll_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	int fd = epoll_create1(EPOLL_CLOEXEC);
	return fd >= 0 && close(fd) == 0;
}
static int signalfd_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	sigset_t m;
	sigemptyset(&m);
	int fd = signalfd(-1, &m, SFD_CLOEXEC);
	return fd >= 0 && close(fd) == 0;
}
static int ptmx_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return access("/dev/ptmx", R_OK | W_OK) == 0;
}

/*
 * A devpts mounted with newinstance in a mount namespace of a child's own:
 * a kernel without multiple instances gives the host's (the same st_dev).
 */
static int try_devpts(void)
{
	static const char *const opts[] = { "newinstance,ptmxmode=0666", "newinstance" };
	struct stat host, ours;
	if (stat("/dev/pts", &host) < 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, opts[i]) == 0)
			return stat("/dev/pts", &ours) == 0 && ours.st_dev != host.st_dev;
	return 0;
}
static int devpts_instances(const char *arg, char *d, size_t n)
{
	(void)arg;
	if (ds_fault_active("devpts-shared"))
		return 0;
	if (getuid() != 0) {
		snprintf(d, n, "cannot tell without root");
		return -1;
	}
	return in_child(try_devpts);
}

static int seccomp_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return ds_seccomp_available();
}
/* seccomp(2) (3.17) copies the (NULL) program after checking the flags: EFAULT when TSYNC is known. */
static int seccomp_tsync(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
#ifdef SYS_seccomp
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL) < 0 && errno == EFAULT;
#else
	return 0;
#endif
}

/* What create_cgroup will apply (fs/devices.c decides the same way). */
static int devpolicy(const char *arg, char *d, size_t n)
{
	(void)arg;
	struct ds_cgroups cg;
	if (ds_cgroup_detect(&cg) < 0)
		return 0;
	enum ds_devpolicy p = ds_devpolicy_expected(&cg);
	if (p == DS_DEV_BPF)
		snprintf(d, n, "cgroup2 device programs");
	else if (p == DS_DEV_V1)
		snprintf(d, n, "v1 devices controller (no cgroup2 device programs)");
	return p != DS_DEV_MISSING;
}

static int loop_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return access("/dev/loop-control", F_OK) == 0;
}
/*
 * LOOP_CONFIGURE (5.8) with a NULL config on a loop device node that is
 * already there (none is created): EFAULT where the kernel knows it.
 */
static int loop_configure(const char *arg, char *d, size_t n)
{
	(void)arg;
	char path[64];
	for (int i = 0; i < 8; i++) {
		struct stat st;
		for (int alt = 0; alt < 2; alt++) {
			snprintf(path, sizeof(path), alt ? "/dev/block/loop%d" : "/dev/loop%d", i);
			if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
				continue;
			int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (fd < 0)
				continue;
			int r = ioctl(fd, LOOP_CONFIGURE, NULL) < 0 && errno == EFAULT;
			close(fd);
			return r;
		}
	}
	snprintf(d, n, "no loop device node to ask");
	return -1;
}

static int clone3_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	/* size 0 is refused before anything is cloned */
	return !ds_fault_active("no-clone3") && has_syscall(syscall(SYS_clone3, NULL, 0));
}
static int pidfd_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	/* unknown flags: refused before a pidfd exists */
	return has_syscall(syscall(SYS_pidfd_open, getpid(), ~0U));
}
static int openat2_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	/* a size below the first version: refused before the path is looked at */
	return !ds_fault_active("no-openat2") && has_syscall(syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0));
}
static int close_range_ok(const char *arg, char *d, size_t n)
{
	(void)arg;
	if (ds_fault_active("no-close-range"))
		return 0;
	/* the range [~0, ~0] holds no fd: nothing is closed */
	if (syscall(SYS_close_range, ~0U, ~0U, 0) < 0)
		return 0;
	if (syscall(SYS_close_range, ~0U, ~0U, 4 /* CLOSE_RANGE_CLOEXEC, 5.11 */) < 0)
		snprintf(d, n, "without CLOSE_RANGE_CLOEXEC (5.11): fds are marked one by one");
	return 1;
}
static int mount_setattr_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	/* a size below the first version: EINVAL before the fd is looked at */
	return has_syscall(syscall(SYS_mount_setattr, -1, "", 0, NULL, 0));
}
/* procfs has no tmpfile: EOPNOTSUPP where the kernel knows O_TMPFILE, EISDIR (a plain O_DIRECTORY) before 3.11. */
static int tmpfile_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
#ifdef O_TMPFILE
	int fd = open("/proc/self", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno != EISDIR && errno != EINVAL;
#else
	return 0;
#endif
}
/* cgroup.kill is in every cgroup2 directory but the root: ours, or one below the root. */
static int cgroup_kill(const char *arg, char *d, size_t n)
{
	(void)arg;
	struct ds_cgroups cg;
	char rel[PATH_MAX], path[PATH_MAX + 300];
	if (ds_fault_active("no-cgroup-kill"))
		return 0;
	if (ds_cgroup_detect(&cg) < 0 || (cg.mode != DS_CG_UNIFIED && cg.mode != DS_CG_HYBRID)) {
		snprintf(d, n, "no cgroup2 hierarchy");
		return 0;
	}
	if (ds_cgroup_of_pid(getpid(), rel, sizeof(rel)) == 0 && strcmp(rel, "/") != 0) {
		snprintf(path, sizeof(path), "%s%s/cgroup.kill", cg.v2_root, rel);
		return access(path, F_OK) == 0;
	}
	DIR *dir = opendir(cg.v2_root);
	struct dirent *e;
	int r = -1;
	while (dir && r < 0 && (e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s/cgroup.kill", cg.v2_root, e->d_name);
		r = access(path, F_OK) == 0;
	}
	if (dir)
		closedir(dir);
	if (r < 0) {
		/* nothing below the root to ask: the kernel's version says it (5.14+) */
		struct utsname u;
		int major = 0, minor = 0;
		if (uname(&u) == 0)
			sscanf(u.release, "%d.%d", &major, &minor);
		r = major > 5 || (major == 5 && minor >= 14);
		snprintf(d, n, "by the kernel's version (no cgroup below the root to ask)");
	}
	return r;
}
static int nspid_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return !ds_fault_active("no-nspid") && ds_file_has_word("/proc/self/status", "NSpid:");
}
static int userns_ok(const char *arg, char *d, size_t n)
{
	(void)arg, (void)d, (void)n;
	return has_ns("user") && ds_userns_supported();
}
/*
 * mount_setattr is 5.12, as MOUNT_ATTR_IDMAP: --private-users then maps the
 * rootfs where its filesystem allows it (start asks); without, it shifts
 * the rootfs's ids on disk once (core/shift.c). The detail says which.
 */
static int idmap_ok(const char *arg, char *d, size_t n)
{
	int r = !ds_fault_active("no-idmap") && mount_setattr_ok(arg, d, n);
	if (r)
		snprintf(
			d, n,
			"--private-users-ownership=auto: map where the rootfs's filesystem can be idmapped (ext4, xfs, "
			"btrfs 5.12; overlayfs 5.19; tmpfs 6.3), else chown");
	else
		snprintf(d, n, "--private-users-ownership=auto: chown (the rootfs's ids shifted on disk once)");
	return r;
}

/* clang-format off */
static const struct ds_kfeature features[] = {
	{ "root", "root privileges", DS_KF_REQUIRED, "refused: namespaces and mounts need CAP_SYS_ADMIN", is_root, NULL },
	{ "pid_ns", "PID namespace", DS_KF_REQUIRED, "refused: the guest's own PID tree", ns_row, "pid" },
	{ "mount_ns", "mount namespace", DS_KF_REQUIRED, "refused: the guest's own mount table", ns_row, "mnt" },
	{ "uts_ns", "UTS namespace", DS_KF_REQUIRED, "refused: the guest's own hostname", ns_row, "uts" },
	{ "ipc_ns", "IPC namespace", DS_KF_REQUIRED, "refused: the guest's own IPC objects", ns_row, "ipc" },
	
	{ "cgroups", "cgroup support", DS_KF_REQUIRED, "refused: the guest would run in the host's root cgroup (systemd needs a tree)", cgroups, NULL },
	{ "pivot_root", "pivot_root (root is not ramfs)", DS_KF_REQUIRED, "refused: switching to the rootfs", pivot_ok, NULL },
	{ "proc_sys", "/proc and /sys", DS_KF_REQUIRED, "refused: essential virtual filesystems", proc_sys, NULL },
	{ "epoll", "epoll", DS_KF_REQUIRED, "refused: the monitor's event loop (console, signals)", epoll_ok, NULL },
	{ "signalfd", "signalfd", DS_KF_REQUIRED, "refused: the monitor's event loop (console, signals)", signalfd_ok, NULL },
	{ "ptmx", "PTY support (/dev/ptmx, devpts)", DS_KF_REQUIRED, "refused: the console is a PTY", ptmx_ok, NULL },
	{ "devpts", "devpts filesystem", DS_KF_REQUIRED, "refused: the guest's own PTYs", fs_row, "devpts" },
	{ "devpts_instances", "devpts instances (4.7, or MULTIPLE_INSTANCES)", DS_KF_REQUIRED,
	  "refused: the guest would reach the host's terminals", devpts_instances, NULL },
	{ "cgroup2", "cgroup2 hierarchy", DS_KF_RECOMMENDED,
	  "v1 only: the guest gets the legacy hierarchies (a guest with systemd 258 or later is refused)", cgroup2, NULL },
	{ "cgroup_ns", "cgroup namespace (4.6)", DS_KF_RECOMMENDED,
	  "no cgroup namespace: the guest sees the host's cgroup paths (/droidspaces/NAME)", ns_cgroup, NULL },
	{ "seccomp", "seccomp filters (3.5)", DS_KF_RECOMMENDED,
	  "warning: the guest, and what run and enter start, go without a syscall filter (start logs it)", seccomp_ok, NULL },
	{ "device_cgroup", "device cgroup (bpf 4.15+, or v1)", DS_KF_RECOMMENDED,
	  "warning: the guest can open every device node (start logs it)", devpolicy, NULL },
	{ "clone3", "clone3 (5.3)", DS_KF_FALLBACK, "fallback: fork, then join the cgroup", clone3_ok, NULL },
	{ "pidfd", "pidfd_open (5.3)", DS_KF_FALLBACK, "fallback: polls the PID and its start time", pidfd_ok, NULL },
	{ "openat2", "openat2 RESOLVE_IN_ROOT (5.6)", DS_KF_FALLBACK,
	  "fallback: a component-by-component walk in the rootfs", openat2_ok, NULL },
	{ "close_range", "close_range (5.9)", DS_KF_FALLBACK, "fallback: closes the fds /proc/self/fd lists", close_range_ok, NULL },
	{ "mount_setattr", "mount_setattr (5.12)", DS_KF_FALLBACK, "fallback: read-only binds remount every submount", mount_setattr_ok, NULL },
	{ "o_tmpfile", "O_TMPFILE (3.11)", DS_KF_FALLBACK, "fallback: a named temporary file, renamed into place", tmpfile_ok, NULL },
	{ "cgroup_kill", "cgroup.kill (5.14)", DS_KF_FALLBACK, "fallback: kills each task of the cgroup", cgroup_kill, NULL },
	{ "nspid", "NSpid in /proc/PID/status (4.1)", DS_KF_FALLBACK,
	  "fallback: walks /proc/PID/ns/pid and the parent chain", nspid_ok, NULL },
	{ "loop_configure", "LOOP_CONFIGURE (5.8)", DS_KF_FALLBACK, "fallback: LOOP_SET_FD, then LOOP_SET_STATUS64", loop_configure, NULL },
	{ "overlay", "OverlayFS", DS_KF_OPTIONAL, "needed by --volatile", fs_overlay, NULL },
	{ "devtmpfs", "devtmpfs", DS_KF_OPTIONAL, "needed by --hw-access (the kernel's device nodes)", fs_row, "devtmpfs" },
	{ "loop", "loop devices", DS_KF_OPTIONAL, "needed by --rootfs-img", loop_ok, NULL },
	{ "ext4", "ext4", DS_KF_OPTIONAL, "needed by --rootfs-img", fs_row, "ext4" },
	{ "seccomp_tsync", "seccomp TSYNC (3.17)", DS_KF_REPORT,
	  "not needed: the filter is installed before any thread exists", seccomp_tsync, NULL },
	{ "user_ns", "user namespace (3.8)", DS_KF_OPTIONAL, "needed by --private-users (start refuses it)", userns_ok, NULL },
	{ "idmapped_mounts", "idmapped mounts (5.12)", DS_KF_FALLBACK,
	  "fallback: --private-users shifts the rootfs's ids on disk once (ownership chown)", idmap_ok, NULL },
};
/* clang-format on */

const struct ds_kfeature *ds_kfeatures(size_t *n)
{
	*n = ARRAY_SIZE(features);
	return features;
}

static const struct {
	const char *heading, *name, *missing;
} levels[DS_KF_LEVELS] = {
	[DS_KF_REQUIRED] = { "Required", "required", "FAIL" },
	[DS_KF_RECOMMENDED] = { "Recommended", "recommended", "WARN" },
	[DS_KF_FALLBACK] = { "Newer kernels (an older way without)", "fallback", " -- " },
	[DS_KF_OPTIONAL] = { "Optional", "optional", "WARN" },
	[DS_KF_REPORT] = { "Not used yet", "report", " -- " },
};

const char *ds_kf_level_heading(enum ds_kf_level level) { return levels[level].heading; }
const char *ds_kf_level_name(enum ds_kf_level level) { return levels[level].name; }

const char *ds_kf_mark(enum ds_kf_level level, int have)
{
	return have > 0 ? " OK " : have < 0 ? " ?? " : levels[level].missing;
}

void ds_kf_format_row(const struct ds_kfeature *f, int have, const char *detail, char *out, size_t size)
{
	const char *say = have > 0 ? detail : f->without;
	snprintf(out, size, "  [%s] %-46s %-3s%s%s%s%s", ds_kf_mark(f->level, have), f->name,
		 have > 0   ? "yes"
		 : have < 0 ? "?"
			    : "no",
		 say[0] ? "  " : "", say, have <= 0 && detail[0] ? " -- " : "", have <= 0 ? detail : "");
}

void ds_kf_count(struct ds_kf_tally *t, enum ds_kf_level level, int have)
{
	if (have != 0)
		return;
	if (level == DS_KF_REQUIRED)
		t->refused++;
	else if (level == DS_KF_RECOMMENDED || level == DS_KF_OPTIONAL)
		t->warnings++;
	else if (level == DS_KF_FALLBACK)
		t->fallbacks++;
}

void ds_kf_verdict(const struct ds_kf_tally *t, char *out, size_t size, const char **word)
{
	char fb[64] = "";
	if (t->fallbacks)
		snprintf(fb, sizeof(fb), "; %d fallback%s in use", t->fallbacks, t->fallbacks > 1 ? "s" : "");
	if (t->refused) {
		*word = "refused";
		snprintf(out, size, "Verdict: this system cannot run containers (%d required feature%s missing).",
			 t->refused, t->refused > 1 ? "s" : "");
	} else if (t->warnings) {
		*word = "ready-with-warnings";
		snprintf(out, size, "Verdict: ready, with %d optional feature%s missing%s.", t->warnings,
			 t->warnings > 1 ? "s" : "", fb);
	} else {
		*word = "ready";
		snprintf(out, size, "Verdict: ready%s.", fb);
	}
}
