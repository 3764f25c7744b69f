/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The container's first process before it becomes process.args (see
 * init.h). Read top to bottom, this is the order the runtime spec and the
 * kernel require: namespaces, mounts (before pivot_root, anchored in the
 * rootfs), pivot_root, what is seen through /proc (sysctl, masks), then the
 * process itself (limits, user, capabilities) and the wait for start.
 */
#include "oci/init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs/dev.h"
#include "fs/mounts.h"
#include "oci/hooks.h"
#include "oci/mounts.h"
#include "oci/terminal.h"
#include "util/fds.h"
#include "util/fileio.h"
#include "util/macros.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#endif

extern char **environ;

static const int ns_flag[DS_OCI_NAMESPACES] = {
	[DS_OCI_NS_USER] = CLONE_NEWUSER,     [DS_OCI_NS_PID] = CLONE_NEWPID, [DS_OCI_NS_NETWORK] = CLONE_NEWNET,
	[DS_OCI_NS_IPC] = CLONE_NEWIPC,       [DS_OCI_NS_UTS] = CLONE_NEWUTS, [DS_OCI_NS_MOUNT] = CLONE_NEWNS,
	[DS_OCI_NS_CGROUP] = CLONE_NEWCGROUP,
};

/*
 * Makes the namespaces config.json lists new (the user and PID ones are
 * the middle child's: init was forked inside them); those given by path
 * were joined there too.
 */
static int setup_namespaces(const struct ds_oci_init *in, struct ds_error *err)
{
	const struct ds_oci_spec *s = in->spec;
	int flags = 0;
	for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
		if (s->ns_wanted[ns] && in->ns_fd[ns] < 0 && ns != DS_OCI_NS_PID && ns != DS_OCI_NS_USER)
			flags |= ns_flag[ns];
	if (flags && unshare(flags) < 0)
		return ds_fail(err, negerrno(), "cannot create the namespaces config.json lists");
	/* Nothing mounted from here on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot make / private");
	return 0;
}

/* The rootfs bound on itself (pivot_root needs a mount point), opened without following a link. */
static int setup_rootfs(const char *rootfs, int *rootfd, struct ds_error *err)
{
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot bind-mount the rootfs %s", rootfs);
	*rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*rootfd < 0)
		return ds_fail(err, negerrno(), "cannot open the rootfs %s", rootfs);
	return 0;
}

static int setup_mounts(const struct ds_oci_init *in, int rootfd, struct ds_error *err)
{
	const struct ds_oci_spec *s = in->spec;
	int dev_tmpfs = 0, r;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const char *type = s->mounts[i].type;
		/* A cgroup mount is the container's own tree, as fs/cgroup.c lays it out on v1 and v2. */
		if (type && (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2"))) {
			if (strcmp(s->mounts[i].destination, "/sys/fs/cgroup") != 0)
				return ds_fail(err, DS_EINVAL_MSG,
					       "config.json: mounts[%zu]: a cgroup mount goes on /sys/fs/cgroup", i);
			if (in->cg->mode != DS_CG_NONE &&
			    (r = ds_cgroup_mount(rootfd, in->cg, in->cgroup_rel, s->ns_wanted[DS_OCI_NS_CGROUP], err)) <
				    0)
				return r;
			continue;
		}
		if ((r = ds_oci_mount(rootfd, in->bundle, &s->mounts[i], i, err)) < 0)
			return r;
		if (strcmp(s->mounts[i].destination, "/dev") == 0)
			dev_tmpfs = 1;
	}
	if (!dev_tmpfs)
		return 0;
	/* The spec's default devices and links on the /dev config.json mounted. */
	/* In a user namespace no node can be made: the host's are bound instead (as runc does). */
	if ((r = ds_dev_populate(rootfd, 0, in->spec->ns_wanted[DS_OCI_NS_USER] ? DS_MODE_USERNS : 0, err)) < 0)
		return r;
	/* /dev/ptmx is the spec's link to pts/ptmx: it allocates from the container's devpts. */
	_cleanup_close_ int dev = ds_open_in_root(rootfd, "dev", 0);
	if (dev < 0)
		return ds_fail(err, dev, "cannot open /dev in the rootfs");
	if ((unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT) || symlinkat("pts/ptmx", dev, "ptmx") < 0)
		return ds_fail(err, negerrno(), "cannot link /dev/ptmx to pts/ptmx");
	return 0;
}

int ds_oci_init_has_hooks(const struct ds_oci_spec *spec)
{
	return spec->n_hooks[DS_OCI_HOOK_PRESTART] || spec->n_hooks[DS_OCI_HOOK_CREATE_RUNTIME] ||
	       spec->n_hooks[DS_OCI_HOOK_CREATE_CONTAINER] || spec->n_hooks[DS_OCI_HOOK_START_CONTAINER];
}

/*
 * The environment is made (namespaces, mounts) and pivot_root not done yet:
 * create runs prestart and createRuntime in the runtime's namespaces while we
 * wait, and sends the state; then createContainer runs here, in ours. *state
 * is kept for startContainer.
 */
static int create_hooks(const struct ds_oci_init *in, char **state, struct ds_error *err)
{
	struct ds_error req = { .code = DS_OCI_SYNC_HOOKS };
	uint32_t len = 0;
	if (ds_write_all(in->sync_fd, &req, sizeof(req)) < 0 ||
	    ds_read_all(in->hook_fd, &len, sizeof(len)) != (ssize_t)sizeof(len) || len == 0 || len > DS_JSON_MAX_SIZE)
		_exit(1); /* create's hooks failed: it ends us and says why */
	*state = calloc(1, len + 1);
	if (!*state)
		return ds_fail(err, -ENOMEM, "cannot read the state for the hooks");
	if (ds_read_all(in->hook_fd, *state, len) != (ssize_t)len)
		_exit(1);
	close(in->hook_fd);
	return ds_oci_hooks_run(in->spec, DS_OCI_HOOK_CREATE_CONTAINER, *state, err);
}

/*
 * linux.devices: each node made at its path in the rootfs (what was there
 * replaced; missing directories made), with its mode, owner and group. Only
 * the device cgroup decides whether it may be opened.
 */
static int setup_devices(const struct ds_oci_spec *s, int rootfd, struct ds_error *err)
{
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct ds_oci_device *d = &s->devices[i];
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s", d->path + 1);
		char *slash = strrchr(parent, '/');
		const char *base = slash ? slash + 1 : parent;
		if (slash)
			*slash = '\0';
		if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
			return ds_fail(err, DS_EINVAL_MSG, "config.json: linux.devices[%zu].path: %s is no file name",
				       i, d->path);
		int r = slash ? ds_open_in_root(rootfd, parent, DS_MNT_MKDIR) : fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
		if (r < 0)
			return ds_fail(err, slash ? r : negerrno(), "cannot open the directory of %s", d->path);
		_cleanup_close_ int dir = r;
		if (unlinkat(dir, base, 0) < 0 && errno != ENOENT)
			return ds_fail(err, negerrno(), "cannot replace %s", d->path);
		mode_t old = umask(0);
		r = mknodat(dir, base, d->mode, makedev(d->major, d->minor));
		umask(old);
		if (r < 0)
			return ds_fail(err, negerrno(), "cannot create the device %s", d->path);
		if ((d->has_uid || d->has_gid) && fchownat(dir, base, d->has_uid ? d->uid : (uid_t)-1,
							   d->has_gid ? d->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
			return ds_fail(err, negerrno(), "cannot set the owner of %s", d->path);
	}
	return 0;
}

static int setup_pivot_root(int rootfd, struct ds_error *err)
{
	int r = ds_pivot_root_fd(rootfd, err);
	if (r < 0)
		return r;
	/* /dev/ptmx allocates from the container's devpts when config.json mounted one (and no link of ours). */
	struct stat st;
	if (lstat("/dev/ptmx", &st) == 0 && !S_ISLNK(st.st_mode) && access("/dev/pts/ptmx", F_OK) == 0 &&
	    mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot bind /dev/pts/ptmx on /dev/ptmx");
	return 0;
}

/* linux.sysctl: "net.ipv4.ip_forward" is /proc/sys/net/ipv4/ip_forward, written in the new namespaces. */
static int setup_sysctl(const struct ds_oci_spec *s, struct ds_error *err)
{
	for (size_t i = 0; i < s->n_sysctl; i++) {
		char path[PATH_MAX];
		const char *k = s->sysctl[i].key;
		if (!*k || strstr(k, "..") || k[0] == '.' || k[0] == '/' ||
		    (size_t)snprintf(path, sizeof(path), "/proc/sys/%s", k) >= sizeof(path))
			return ds_fail(err, DS_EINVAL_MSG, "config.json: linux.sysctl: invalid key \"%.64s\"", k);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		_cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		const char *v = s->sysctl[i].value;
		if (fd < 0 || ds_write_all(fd, v, strlen(v)) < 0)
			return ds_fail(err, negerrno(), "cannot set sysctl %s", k);
	}
	return 0;
}

/* maskedPaths: /dev/null over a file, an empty read-only tmpfs over a directory; absent: nothing to hide. */
static int setup_masked(const struct ds_oci_spec *s, struct ds_error *err)
{
	for (size_t i = 0; i < s->n_masked_paths; i++) {
		const char *p = s->masked_paths[i];
		struct stat st;
		if (lstat(p, &st) < 0) {
			if (errno == ENOENT)
				continue;
			return ds_fail(err, negerrno(), "cannot mask %s", p);
		}
		int r = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0")
					    : mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (r < 0)
			return ds_fail(err, negerrno(), "cannot mask %s", p);
	}
	return 0;
}

/* readonlyPaths: bound on themselves, then remounted read-only. */
static int setup_readonly(const struct ds_oci_spec *s, struct ds_error *err)
{
	for (size_t i = 0; i < s->n_readonly_paths; i++) {
		const char *p = s->readonly_paths[i];
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return ds_fail(err, negerrno(), "cannot make %s read-only", p);
		}
		if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
			    0 &&
		    mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
			return ds_fail(err, negerrno(), "cannot make %s read-only", p);
	}
	return 0;
}

static int setup_rlimits(const struct ds_oci_process *p, struct ds_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit l = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
		if (setrlimit(p->rlimits[i].resource, &l) < 0)
			return ds_fail(err, negerrno(), "cannot set process.rlimits[%zu]", i);
	}
	return 0;
}

static int last_cap(void)
{
	char buf[16];
	if (ds_read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) <= 0)
		return CAP_LAST_CAP;
	int n = atoi(buf);
	return n > 0 && n < 64 ? n : CAP_LAST_CAP;
}

/*
 * process.user and process.capabilities: the bounding set is cut while root
 * (it needs CAP_SETPCAP), the capabilities kept across setuid, then the
 * effective, permitted and inheritable sets set and the ambient ones raised.
 */
static int setup_user(const struct ds_oci_process *p, struct ds_error *err)
{
	int caps = p->has_caps[DS_OCI_CAP_BOUNDING] || p->has_caps[DS_OCI_CAP_EFFECTIVE] ||
		   p->has_caps[DS_OCI_CAP_PERMITTED] || p->has_caps[DS_OCI_CAP_INHERITABLE] ||
		   p->has_caps[DS_OCI_CAP_AMBIENT];
	int last = last_cap();
	if (caps)
		for (int c = 0; c <= last; c++)
			if (!(p->caps[DS_OCI_CAP_BOUNDING] >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
				return ds_fail(err, negerrno(), "cannot drop capability %d from the bounding set", c);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return ds_fail(err, negerrno(), "cannot keep the capabilities across setuid");
	gid_t gids[p->n_additional_gids + 1];
	for (size_t i = 0; i < p->n_additional_gids; i++)
		gids[i] = p->additional_gids[i];
	if (setgroups(p->n_additional_gids, gids) < 0)
		return ds_fail(err, negerrno(), "cannot set process.user.additionalGids");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return ds_fail(err, negerrno(), "cannot set process.user.gid %u", (unsigned)p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return ds_fail(err, negerrno(), "cannot set process.user.uid %u", (unsigned)p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return ds_fail(err, negerrno(), "cannot reset keepcaps");
	if (caps) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
		struct __user_cap_data_struct d[2];
		memset(d, 0, sizeof(d));
		for (int i = 0; i < 2; i++) {
			d[i].effective = (uint32_t)(p->caps[DS_OCI_CAP_EFFECTIVE] >> (32 * i));
			d[i].permitted = (uint32_t)(p->caps[DS_OCI_CAP_PERMITTED] >> (32 * i));
			d[i].inheritable = (uint32_t)(p->caps[DS_OCI_CAP_INHERITABLE] >> (32 * i));
		}
		if (syscall(SYS_capset, &h, d) < 0)
			return ds_fail(err, negerrno(), "cannot set process.capabilities");
		for (int c = 0; c <= last; c++)
			if ((p->caps[DS_OCI_CAP_AMBIENT] >> c & 1) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
				return ds_fail(err, negerrno(), "cannot raise ambient capability %d", c);
	}
	/* setuid cleared the dumpable flag, and with it our access to /proc/self/fd (the exec fifo). */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return ds_fail(err, negerrno(), "cannot set the dumpable flag");
	return 0;
}

static int setup_cwd(const char *cwd, struct ds_error *err)
{
	int r = ds_mkdir_p(cwd, 0755);
	if (r < 0 || chdir(cwd) < 0)
		return ds_fail(err, r < 0 ? r : negerrno(), "cannot enter process.cwd %s", cwd);
	return 0;
}

int ds_oci_filter_compile(const struct ds_oci_spec *spec, struct ds_oci_filter *f, struct ds_error *err)
{
	memset(f, 0, sizeof(*f));
	if (!spec->seccomp.present)
		return 0;
	f->flags = spec->seccomp.flags;
	struct ds_error e = { 0 };
	int r = ds_seccomp_compile(&spec->seccomp.policy, &f->prog, &e);
	return r < 0 ? ds_fail(err, r, "config.json: linux.seccomp: %s", e.msg) : 0;
}

static int setup_seccomp(const struct ds_oci_filter *f, struct ds_error *err)
{
	return f && f->prog.len ? ds_seccomp_install(&f->prog, f->flags, err) : 0;
}

int ds_oci_process_apply(const struct ds_oci_process *p, const struct ds_oci_filter *filter, struct ds_error *err)
{
	int r = setup_rlimits(p, err);
	if (r < 0)
		return r;
	/* Created as root (the user may not be allowed to), entered as the user below. */
	if ((r = setup_cwd(p->cwd, err)) < 0)
		return r;
	/* Without no_new_privs the kernel takes a filter only from CAP_SYS_ADMIN: before it is dropped. */
	if (!p->no_new_privileges && (r = setup_seccomp(filter, err)) < 0)
		return r;
	if ((r = setup_user(p, err)) < 0)
		return r;
	if (chdir(p->cwd) < 0)
		return ds_fail(err, negerrno(), "cannot enter process.cwd %s as the user", p->cwd);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ds_fail(err, negerrno(), "cannot set noNewPrivileges");
	/* With it, as late as can be: the fewer syscalls after it, the fewer a profile must allow. */
	if (p->no_new_privileges && (r = setup_seccomp(filter, err)) < 0)
		return r;
	return 0;
}

static int oom_score_adj(const struct ds_oci_process *p, struct ds_error *err)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", p->oom_score_adj);
	_cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ds_write_all(fd, v, strlen(v)) < 0)
		return ds_fail(err, negerrno(), "cannot set process.oomScoreAdj %s", v);
	return 0;
}

/*
 * After "ready": wait for start on the fifo, run the startContainer hooks,
 * then tell start how they went ("0", or "h" and exit) and become
 * process.args. Never returns.
 */
static void __attribute__((noreturn)) wait_and_exec(const struct ds_oci_spec *s, const char *state, int fifo_path_fd)
{
	const struct ds_oci_process *p = &s->process;
	char path[32];
	/* Blocks until start opens the fifo for reading. */
	int fd = open(ds_fd_path(fifo_path_fd, path), O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "droidspaces-oci: cannot open the exec fifo: %s\n", strerror(errno));
		_exit(127);
	}
	struct ds_error err = { 0 };
	if (state && ds_oci_hooks_run(s, DS_OCI_HOOK_START_CONTAINER, state, &err) < 0) {
		char buf[700];
		fprintf(stderr, "droidspaces-oci: %s\n", ds_error_text(&err, buf, sizeof(buf)));
		(void)!write(fd, "h", 1);
		_exit(127);
	}
	if (write(fd, "0", 1) != 1) {
		fprintf(stderr, "droidspaces-oci: cannot write the exec fifo: %s\n", strerror(errno));
		_exit(127);
	}
	close(fd);
	close(fifo_path_fd);
	ds_oci_process_exec(p);
	fprintf(stderr, "droidspaces-oci: cannot execute %s: %s\n", p->args[0], strerror(errno));
	_exit(127);
}

int ds_oci_process_exec(const struct ds_oci_process *p)
{
	static char *empty[] = { NULL };
	environ = p->env ? (char **)p->env : empty;
	execvp(p->args[0], (char *const *)p->args);
	return negerrno();
}

int ds_oci_init_prepare(struct ds_oci_init *in, struct ds_error *err)
{
	const struct ds_oci_spec *s = in->spec;
	int r;
	/* The exec fifo, by path while its directory (root's, 0700) is ours to walk: a user namespace's root could not. */
	in->fifo_fd = open(in->fifo, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (in->fifo_fd < 0)
		return ds_fail(err, negerrno(), "cannot open %s", in->fifo);
	/* Asked for on the host's /proc, while still privileged there (a lower score needs it). */
	if (s->process.has_oom_score_adj && (r = oom_score_adj(&s->process, err)) < 0)
		return r;
	/* Into the container's cgroup first: a new cgroup namespace is rooted where we stand, and from
	 * inside a new user namespace the host's cgroup.procs could not be written. */
	if (in->cg->mode != DS_CG_NONE && ((r = ds_cgroup_join_self(in->cg, in->cgroup_rel, err)) < 0 ||
					   (r = ds_cgroup_limits_join(in->cg, in->cgroup_rel, in->limits, err)) < 0))
		return r;
	/*
	 * Those given by path, PID by our caller; the user namespace last: from
	 * inside it a namespace the host's user namespace owns (a network
	 * namespace podman's netavark made) could not be joined, while host
	 * root joins one the user namespace owns as well.
	 */
	for (int pass = 0; pass < 2; pass++)
		for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
			if (s->ns_wanted[ns] && in->ns_fd[ns] >= 0 && ns != DS_OCI_NS_PID &&
			    (ns == DS_OCI_NS_USER) == (pass == 1) && setns(in->ns_fd[ns], ns_flag[ns]) < 0)
				return ds_fail(err, negerrno(), "cannot join the %s namespace %s", ds_oci_ns_name(ns),
					       s->ns_path[ns]);
	return 0;
}

int ds_oci_init_run(const struct ds_oci_init *in, struct ds_error *err)
{
	const struct ds_oci_spec *s = in->spec;
	const struct ds_oci_process *p = &s->process;
	_cleanup_close_ int rootfd = -1, fifo = -1;
	char *state = NULL; /* for the hooks; until execve */
	int r;

	/* Nothing of the caller's but stdio waits with us (a lock it holds would be held until start). */
	int keep[DS_OCI_NAMESPACES + 4];
	for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
		keep[ns] = in->ns_fd[ns];
	keep[DS_OCI_NAMESPACES] = in->sync_fd;
	keep[DS_OCI_NAMESPACES + 1] = in->console_fd;
	keep[DS_OCI_NAMESPACES + 2] = in->hook_fd;
	keep[DS_OCI_NAMESPACES + 3] = in->fifo_fd;
	ds_fds_close_from(3, keep, DS_OCI_NAMESPACES + 4);
	/* linux.seccomp compiled before anything is made: a filter the kernel would not take fails here. */
	struct ds_oci_filter filter;
	if ((r = ds_oci_filter_compile(s, &filter, err)) < 0)
		return r;
	/* A session of its own: the caller's terminal and signals are not the container's. */
	if (setsid() < 0)
		return ds_fail(err, negerrno(), "cannot start a new session");
	fifo = in->fifo_fd; /* the middle child's, opened before the host's tree and its owners were out of reach */
	/* Made new as linux.namespaces says (the middle child joined those given by path); / private. */
	if ((r = setup_namespaces(in, err)) < 0)
		return r;
	/* The rootfs a mount point of its own. */
	if ((r = setup_rootfs(in->rootfs, &rootfd, err)) < 0)
		return r;
	/* mounts, in order, each target inside the rootfs; the default devices on a tmpfs /dev. */
	if ((r = setup_mounts(in, rootfd, err)) < 0)
		return r;
	if ((r = setup_devices(s, rootfd, err)) < 0)
		return r;
	/* prestart and createRuntime (by create), createContainer (here): the environment is there. */
	if (ds_oci_init_has_hooks(s) && (r = create_hooks(in, &state, err)) < 0)
		return r;
	/* Swap roots and drop the host's tree for good. */
	if ((r = setup_pivot_root(rootfd, err)) < 0)
		return r;
	/* linux.rootfsPropagation on the new root (private until now, whatever the host's is). */
	if (s->rootfs_propagation && mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot set linux.rootfsPropagation");
	/* In the new namespaces, before /proc/sys may become read-only below. */
	if ((r = setup_sysctl(s, err)) < 0)
		return r;
	if ((r = setup_masked(s, err)) < 0 || (r = setup_readonly(s, err)) < 0)
		return r;
	/* root.readonly: the rootfs bind remounted read-only, last of the mounts. */
	if (s->root_readonly && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot make the rootfs read-only");
	/* The terminal, on the container's devpts, before the user may no longer bind /dev/console. */
	if (in->console_fd >= 0) {
		if ((r = ds_oci_terminal_setup(in->console_fd, 1, err)) < 0)
			return r;
		close(in->console_fd);
	}
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return ds_fail(err, negerrno(), "cannot set the hostname %s", s->hostname);
	if ((r = ds_oci_process_apply(p, &filter, err)) < 0)
		return r;
	ds_seccomp_prog_free(&filter.prog);
	/* Only stdio crosses into the container: the namespace fds were closed above, the fifo is close-on-exec. */
	for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
		if (in->ns_fd[ns] >= 0)
			close(in->ns_fd[ns]);
	struct ds_error ready = { 0 };
	if (ds_write_all(in->sync_fd, &ready, sizeof(ready)) < 0)
		_exit(1); /* create is gone: nobody will start us */
	close(in->sync_fd);
	wait_and_exec(s, state, TAKE_FD(fifo));
}
