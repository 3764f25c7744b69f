/* SPDX-License-Identifier: GPL-3.0-or-later */
/* create, start, kill and delete of droidspaces-oci (see lifecycle.h). */
#include "oci/lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/state.h"
#include "core/cleanup.h"
#include "core/userns.h"
#include "fs/cgroup.h"
#include "fs/devices.h"
#include "oci/cgroup.h"
#include "oci/hooks.h"
#include "oci/init.h"
#include "oci/spec.h"
#include "oci/terminal.h"
#include "util/fileio.h"
#include "util/macros.h"

/* How long start waits for init to take the fifo, and delete --force for init to die. */
#define DS_OCI_WAIT_MS 10000

/* The container's cgroup removed, what is left in it killed (delete, a failed create). */
static int drop_cgroup(const struct ds_oci_container *c)
{
	struct ds_cgroups cg;
	if (!c->cgroup[0] || ds_cgroup_detect(&cg) < 0 || cg.mode == DS_CG_NONE)
		return 0;
	return ds_cgroup_destroy(&cg, c->cgroup, DS_CGROUP_EMPTY_TIMEOUT_MS);
}

/* Reads BUNDLE/config.json: a regular file, never a symlink someone planted there. */
static int read_config(const char *bundle, char **text, size_t *len, struct ds_error *err)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	_cleanup_close_ int fd = ds_open_regular(path, 1);
	if (fd == -ENOENT)
		return ds_fail(err, DS_EINVAL_MSG, "bundle %s has no config.json", bundle);
	if (fd == -ELOOP)
		return ds_fail(err, DS_EINVAL_MSG, "%s is a symlink; refused", path);
	if (fd == -EINVAL)
		return ds_fail(err, DS_EINVAL_MSG, "%s is not a regular file", path);
	if (fd < 0)
		return ds_fail(err, fd, "cannot open %s", path);
	ssize_t n = ds_read_fd_whole(fd, text, DS_JSON_MAX_SIZE);
	if (n < 0)
		return ds_fail(err, (int)n, "cannot read %s", path);
	*len = (size_t)n;
	return 0;
}

/* What this runtime cannot honour is refused before anything is made. */
static int check_spec(const struct ds_oci_spec *s, const struct ds_oci_create_opts *o, struct ds_error *err)
{
	if (!s->has_process)
		return ds_fail(err, DS_EINVAL_MSG, "config.json: process: missing (create needs the program to run)");
	/* runc would chroot and mount on the host's tree; its mounts are the container's own here. */
	if (!s->ns_wanted[DS_OCI_NS_MOUNT])
		return ds_fail(err, DS_EINVAL_MSG,
			       "config.json: linux.namespaces: a mount namespace is required "
			       "(the container's mounts are never made on the host's tree)");
	if (s->ns_wanted[DS_OCI_NS_MOUNT] && s->ns_path[DS_OCI_NS_MOUNT])
		return ds_fail(err, DS_EINVAL_MSG,
			       "config.json: linux.namespaces: joining a mount namespace is not supported");
	if (s->ns_wanted[DS_OCI_NS_TIME])
		return ds_fail(err, DS_EINVAL_MSG,
			       "config.json: linux.namespaces: time namespaces are not supported yet");
	/* A new user namespace is root's only once mapped; one joined by path has its maps already. */
	int new_userns = s->ns_wanted[DS_OCI_NS_USER] && !s->ns_path[DS_OCI_NS_USER];
	if (new_userns && (!s->n_uid_mappings || !s->n_gid_mappings))
		return ds_fail(
			err, DS_EINVAL_MSG,
			"config.json: linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
	if (!s->ns_wanted[DS_OCI_NS_USER] && (s->n_uid_mappings || s->n_gid_mappings))
		return ds_fail(err, DS_EINVAL_MSG,
			       "config.json: linux.uidMappings: given, but linux.namespaces lists no user namespace");
	/* A uts namespace joined by path gets the hostname too, as under runc. */
	if (s->hostname && s->hostname[0] && !s->ns_wanted[DS_OCI_NS_UTS])
		return ds_fail(err, DS_EINVAL_MSG, "config.json: hostname: needs a uts namespace");
	if (s->hostname && strlen(s->hostname) > 64)
		return ds_fail(err, DS_EINVAL_MSG, "config.json: hostname: longer than 64 characters");
	if (s->process.terminal && !o->console_socket)
		return ds_fail(err, DS_EINVAL_MSG, "config.json: process.terminal: a terminal needs --console-socket");
	if (!s->process.terminal && o->console_socket)
		return ds_fail(err, DS_EINVAL_MSG, "--console-socket: config.json's process.terminal is false");
	return 0;
}

/* linux.cgroupsPath made in every hierarchy, with linux.resources written to it. */
static int make_cgroup(const struct ds_oci_spec *s, struct ds_oci_container *c, struct ds_cgroups *cg,
		       struct ds_limits *lim, struct ds_error *err)
{
	int r = ds_oci_cgroup_rel(s, c->id, c->cgroup, sizeof(c->cgroup), err);
	if (r < 0)
		return r;
	ds_oci_limits(s, lim);
	if (ds_cgroup_detect(cg) < 0 || cg->mode == DS_CG_NONE) {
		cg->mode = DS_CG_NONE;
		c->cgroup[0] = '\0';
		if (ds_limits_present(lim))
			return ds_fail(err, -EOPNOTSUPP, "config.json: linux.resources: this host has no cgroups");
		return 0;
	}
	/*
	 * A cgroupsPath that already holds processes is someone else's (a host slice, another
	 * container): its limits are not ours to write and delete would kill what runs there.
	 */
	size_t busy = 0;
	if ((r = ds_cgroup_busy(cg, c->cgroup, &busy)) < 0)
		return ds_fail(err, r, "config.json: linux.cgroupsPath: cannot read cgroup %s", c->cgroup);
	if (busy) {
		r = ds_fail(err, DS_EINVAL_MSG,
			    "config.json: linux.cgroupsPath: cgroup %s is not empty: it holds %zu process(es)",
			    c->cgroup, busy);
		c->cgroup[0] = '\0'; /* never dropped by this create */
		return r;
	}
	size_t n;
	_cleanup_free_ struct ds_dev_access *devices = ds_oci_device_list(s, &n);
	if (!devices)
		return ds_fail(err, -ENOMEM, "config.json: linux.resources.devices");
	if ((r = ds_cgroup_create(cg, c->cgroup, err)) < 0 ||
	    (r = ds_cgroup_limits_apply(cg, c->cgroup, lim, err)) < 0 ||
	    (r = ds_devpolicy_apply_list(cg, c->cgroup, devices, n, err)) < 0) {
		drop_cgroup(c);
		return r;
	}
	/* The standard nodes only (fs/devices.c), whatever capabilities the process keeps: no host disk. */
	if (r == DS_DEV_MISSING) {
		drop_cgroup(c);
		return ds_fail(err, -EOPNOTSUPP,
			       "this kernel has no device cgroup: the container could open every device");
	}
	return 0;
}

static void now_rfc3339(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, size - n, ".%09ldZ", ts.tv_nsec);
}

/* A new user namespace: 0 on pid_w asks create for its maps; one byte on maps_r says they are written. */
static int enter_new_userns(int pid_w, int maps_r, struct ds_error *err)
{
	if (unshare(CLONE_NEWUSER) < 0)
		return ds_fail(err, negerrno(), "cannot create the user namespace");
	pid_t ask = 0;
	char done = 0;
	if (ds_write_all(pid_w, &ask, sizeof(ask)) < 0 || ds_read_all(maps_r, &done, 1) != 1)
		_exit(1); /* create could not write them: it says why */
	return 0;
}

/* In a user namespace, made or joined: its root from here on, so that what init makes (a tmpfs's files) is ownable. */
static int become_userns_root(struct ds_error *err)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return ds_fail(err, negerrno(), "cannot become root of the user namespace (is 0 mapped in it?)");
	return 0;
}

/*
 * The child between create and init: it joins what config.json gives by
 * path, makes the user namespace (runc's order: everything else is made
 * inside it, and owned by it) and enters the PID namespace (unshare or setns
 * set the namespace of a process's children, never its own), then forks
 * init there, sends init's PID (as create sees it) and leaves, so that init
 * has no parent of ours: create only waits for its word on the sync pipe.
 */
static void __attribute__((noreturn)) run_middle(struct ds_oci_init *in, int sync_r, int pid_w, int hook_w, int maps_r)
{
	const struct ds_oci_spec *s = in->spec;
	int r = 0;
	close(sync_r);
	if (hook_w >= 0)
		close(hook_w); /* create's alone: init sees EOF when create is gone */
	struct ds_error e = { 0 };
	int userns = s->ns_wanted[DS_OCI_NS_USER];
	if (ds_oci_init_prepare(in, &e) < 0 ||
	    (userns && !s->ns_path[DS_OCI_NS_USER] && enter_new_userns(pid_w, maps_r, &e) < 0) ||
	    (userns && become_userns_root(&e) < 0)) {
		(void)ds_write_all(in->sync_fd, &e, sizeof(e));
		_exit(1);
	}
	if (maps_r >= 0)
		close(maps_r);
	if (s->ns_wanted[DS_OCI_NS_PID] && in->ns_fd[DS_OCI_NS_PID] >= 0)
		r = setns(in->ns_fd[DS_OCI_NS_PID], CLONE_NEWPID);
	else if (s->ns_wanted[DS_OCI_NS_PID])
		r = unshare(CLONE_NEWPID);
	if (r < 0) {
		ds_fail(&e, negerrno(), "cannot %s the pid namespace",
			in->ns_fd[DS_OCI_NS_PID] >= 0 ? "join" : "create");
		(void)ds_write_all(in->sync_fd, &e, sizeof(e));
		_exit(1);
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(pid_w);
		ds_oci_init_run(in, &e);
		if (!e.code)
			e.code = -EIO;
		(void)ds_write_all(in->sync_fd, &e, sizeof(e));
		_exit(1);
	}
	if (pid < 0) {
		ds_fail(&e, negerrno(), "cannot fork the container's init");
		(void)ds_write_all(in->sync_fd, &e, sizeof(e));
		_exit(1);
	}
	(void)ds_write_all(pid_w, &pid, sizeof(pid));
	_exit(0); /* no atexit handlers: they belong to create */
}

/* linux.uidMappings or gidMappings as the kernel takes them: "INSIDE OUTSIDE COUNT" lines. */
static int write_map(pid_t pid, const char *which, const struct ds_oci_idmap *m, size_t n, struct ds_error *err)
{
	_cleanup_free_ char *text = malloc(n * 36 + 1);
	if (!text)
		return ds_fail(err, -ENOMEM, "cannot write the %s", which);
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
	text[len] = '\0';
	return ds_userns_write_map(pid, which, text, err);
}

/* The middle child's new user namespace given its maps from here (as runc's parent writes them). */
static int write_maps(pid_t pid, const struct ds_oci_spec *s, struct ds_error *err)
{
	int r = write_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, err);
	return r < 0 ? r : write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, err);
}

/*
 * prestart and createRuntime, in our namespaces, while init waits with the
 * environment made; then the state goes to init for createContainer and
 * startContainer.
 */
static int run_create_hooks(const struct ds_oci_spec *s, struct ds_oci_container *c, pid_t pid, int hook_w,
			    struct ds_error *err)
{
	c->pid = pid;
	c->starttime = ds_proc_starttime(pid);
	/* "created", as state would say now: init is there and waits on the fifo. */
	_cleanup_free_ char *state = ds_oci_state_json(c, DS_OCI_CREATED, s);
	if (!state)
		return ds_fail(err, -ENOMEM, "cannot write the state for the hooks");
	int r;
	if ((r = ds_oci_hooks_run(s, DS_OCI_HOOK_PRESTART, state, err)) < 0 ||
	    (r = ds_oci_hooks_run(s, DS_OCI_HOOK_CREATE_RUNTIME, state, err)) < 0)
		return r;
	uint32_t len = (uint32_t)strlen(state);
	if (ds_write_all(hook_w, &len, sizeof(len)) < 0 || ds_write_all(hook_w, state, len) < 0)
		return ds_fail(err, negerrno(), "cannot send the state to the container's init");
	return 0;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
}

/* Reads the middle child's word on pids: init's PID, or 0 when it asks for the maps of its user namespace. */
static pid_t read_init_pid(int pids_r, int maps_w, pid_t middle, const struct ds_oci_spec *s, int *r,
			   struct ds_error *err)
{
	pid_t pid = -1;
	if (ds_read_all(pids_r, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		return -1;
	if (pid != 0 || maps_w < 0)
		return pid;
	if ((*r = write_maps(middle, s, err)) < 0) {
		kill(middle, SIGKILL);
		return -1;
	}
	char done = '0';
	if (ds_write_all(maps_w, &done, 1) < 0)
		return -1;
	return read_init_pid(pids_r, -1, middle, s, r, err);
}

/* Starts init through the middle child and waits for its "ready": init's PID, or the error. */
static pid_t spawn_init(struct ds_oci_init *in, struct ds_oci_container *c, struct ds_error *err)
{
	int sync[2] = { -1, -1 }, pids[2] = { -1, -1 }, hook[2] = { -1, -1 }, maps[2] = { -1, -1 };
	int hooks = ds_oci_init_has_hooks(in->spec), hooks_ran = 0;
	int userns = in->spec->ns_wanted[DS_OCI_NS_USER] && !in->spec->ns_path[DS_OCI_NS_USER];
	if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(pids, O_CLOEXEC) < 0 || (hooks && pipe2(hook, O_CLOEXEC) < 0) ||
	    (userns && pipe2(maps, O_CLOEXEC) < 0)) {
		int r = ds_fail(err, negerrno(), "cannot create a pipe");
		close_pair(sync);
		close_pair(pids);
		close_pair(hook);
		return r;
	}
	pid_t middle = fork();
	if (middle == 0) {
		close(pids[0]);
		if (maps[1] >= 0)
			close(maps[1]);
		in->sync_fd = sync[1];
		in->hook_fd = hook[0];
		run_middle(in, sync[0], pids[1], hook[1], maps[0]);
	}
	close(sync[1]);
	close(pids[1]);
	if (hook[0] >= 0)
		close(hook[0]);
	if (maps[0] >= 0)
		close(maps[0]);
	pid_t pid = -1;
	int r = middle < 0 ? ds_fail(err, negerrno(), "cannot fork") : 0;
	if (middle > 0) {
		pid = read_init_pid(pids[0], maps[1], middle, in->spec, &r, err);
		waitpid(middle, NULL, 0);
	}
	if (maps[1] >= 0)
		close(maps[1]);
	close(pids[0]);
	struct ds_error got = { 0 };
	ssize_t n = 0;
	while (r == 0) {
		n = ds_read_all(sync[0], &got, sizeof(got));
		if (n != (ssize_t)sizeof(got) || got.code != DS_OCI_SYNC_HOOKS)
			break;
		if (pid <= 0 || !hooks) {
			n = 0;
			break;
		}
		hooks_ran = 1;
		r = run_create_hooks(in->spec, c, pid, hook[1], err);
	}
	close(sync[0]);
	if (hook[1] >= 0)
		close(hook[1]);
	if (r == 0 && pid > 0 && n == (ssize_t)sizeof(got) && got.code == 0)
		return pid;
	if (pid > 0)
		kill(pid, SIGKILL); /* not our child: its reaper is whoever adopted it */
	/* The spec's lifecycle: a create that fails once its hooks began goes on at delete, poststop included
	 * (what a prestart hook set up, a network say, is undone there); they only warn. */
	if (hooks_ran) {
		_cleanup_free_ char *state = ds_oci_state_json(c, DS_OCI_STOPPED, in->spec);
		if (state)
			ds_oci_hooks_run_warn(in->spec, DS_OCI_HOOK_POSTSTOP, state);
	}
	if (r < 0)
		return r;
	if (n != (ssize_t)sizeof(got))
		return ds_fail(err, -EIO, "the container's init exited while setting up");
	got.msg[sizeof(got.msg) - 1] = '\0';
	return ds_fail(err, got.code, "%s", got.msg);
}

/* Everything of create after its state directory exists; the caller removes that on failure. */
static int create_in(struct ds_oci_container *c, const struct ds_oci_create_opts *o, struct ds_error *err)
{
	if (!realpath(o->bundle, c->bundle))
		return ds_fail(err, negerrno(), "cannot open the bundle %s", o->bundle);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_config(c->bundle, &text, &len, err);
	if (r < 0)
		return r;
	struct ds_oci_spec spec;
	r = ds_oci_spec_parse(text, len, &spec, err);
	if (r == 0)
		r = check_spec(&spec, o, err);
	char path[PATH_MAX + 16];
	if (r == 0) {
		/* root.path is the bundle's unless absolute. */
		snprintf(path, sizeof(path), "%s%s%s", spec.root_path[0] == '/' ? "" : c->bundle,
			 spec.root_path[0] == '/' ? "" : "/", spec.root_path);
		struct stat st;
		if (!realpath(path, c->rootfs) || stat(c->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
			r = ds_fail(err, DS_EINVAL_MSG, "config.json: root.path: %s is not a directory", path);
	}
	struct ds_cgroups cg = { .mode = DS_CG_NONE };
	struct ds_limits lim;
	struct ds_oci_init in = {
		.spec = &spec,
		.bundle = c->bundle,
		.rootfs = c->rootfs,
		.sync_fd = -1,
		.hook_fd = -1,
		.console_fd = -1,
		.fifo_fd = -1,
		.cg = &cg,
		.cgroup_rel = c->cgroup,
		.limits = &lim,
	};
	/* The cgroup and its limits, made before init so that it starts inside them. */
	if (r == 0)
		r = make_cgroup(&spec, c, &cg, &lim, err);
	if (r == 0 && o->console_socket)
		r = in.console_fd = ds_oci_console_connect(o->console_socket, err);
	for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
		in.ns_fd[ns] = -1;
	/* Opened now, while the paths mean what the caller meant. */
	for (int ns = 0; r >= 0 && ns < DS_OCI_NAMESPACES; ns++)
		if (spec.ns_path[ns] && (in.ns_fd[ns] = open(spec.ns_path[ns], O_RDONLY | O_CLOEXEC)) < 0)
			r = ds_fail(err, negerrno(), "cannot open the %s namespace %s", ds_oci_ns_name(ns),
				    spec.ns_path[ns]);
	/* The copy of config.json that state and delete read, whatever happens to the bundle. */
	snprintf(path, sizeof(path), "%s/config.json", c->dir);
	if (r >= 0 && (r = ds_write_file(path, text, 0600)) < 0)
		r = ds_fail(err, r, "cannot write %s", path);
	char fifo[PATH_MAX + 16];
	snprintf(fifo, sizeof(fifo), "%s/" DS_OCI_FIFO, c->dir);
	if (r >= 0 && mkfifo(fifo, 0622) < 0)
		r = ds_fail(err, negerrno(), "cannot create %s", fifo);
	/* mkfifo's mode went through our umask: the user of process.user must be able to write. */
	if (r >= 0 && chmod(fifo, 0622) < 0)
		r = ds_fail(err, negerrno(), "cannot set the mode of %s", fifo);
	in.fifo = fifo;
	now_rfc3339(c->created, sizeof(c->created));
	pid_t pid = r >= 0 ? spawn_init(&in, c, err) : r;
	if (in.console_fd >= 0)
		close(in.console_fd);
	for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
		if (in.ns_fd[ns] >= 0)
			close(in.ns_fd[ns]);
	ds_oci_spec_free(&spec);
	if (pid < 0) {
		drop_cgroup(c);
		return pid;
	}
	c->pid = pid;
	c->starttime = ds_proc_starttime(pid);
	if ((r = ds_oci_save(c, err)) < 0 || (o->pid_file && (r = ds_oci_write_pid_file(o->pid_file, pid, err)) < 0)) {
		kill(pid, SIGKILL);
		drop_cgroup(c);
		return r;
	}
	return 0;
}

int ds_oci_create(const struct ds_oci_create_opts *o, struct ds_error *err)
{
	struct ds_oci_container c;
	int r = ds_oci_container_dir(o->root, o->id, &c, err);
	if (r < 0)
		return r;
	if ((r = ds_mkdir_p(o->root, 0711)) < 0)
		return ds_fail(err, r, "cannot create the state directory %s", o->root);
	if (mkdir(c.dir, 0700) < 0) {
		if (errno == EEXIST)
			return ds_fail(err, DS_EINVAL_MSG, "container with id exists: %s", o->id);
		return ds_fail(err, negerrno(), "cannot create %s", c.dir);
	}
	if ((r = create_in(&c, o, err)) < 0) {
		struct ds_error ignored = { 0 };
		ds_oci_remove(&c, &ignored);
	}
	return r;
}

/* Sleeps a little, up to *left_ms in all: 0 when the time is up. */
static int wait_step(int *left_ms)
{
	if (*left_ms <= 0)
		return 0;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	*left_ms -= 10;
	return 1;
}

/* How long start waits for init's word: its startContainer hooks' time on top; -1: no limit (one has none). */
static int start_wait_ms(const struct ds_oci_spec *s)
{
	long long ms = DS_OCI_WAIT_MS;
	for (size_t i = 0; i < s->n_hooks[DS_OCI_HOOK_START_CONTAINER]; i++) {
		if (!s->hooks[DS_OCI_HOOK_START_CONTAINER][i].timeout)
			return -1;
		ms += s->hooks[DS_OCI_HOOK_START_CONTAINER][i].timeout * 1000LL;
	}
	return ms > INT_MAX ? -1 : (int)ms;
}

int ds_oci_start(const char *root, const char *id, struct ds_error *err)
{
	struct ds_oci_container c;
	int r = ds_oci_load(root, id, &c, err);
	if (r < 0)
		return r;
	enum ds_oci_status st = ds_oci_status(&c);
	if (st == DS_OCI_STOPPED)
		return ds_fail(err, DS_EINVAL_MSG, "cannot start a container that has stopped");
	if (st == DS_OCI_RUNNING)
		return ds_fail(err, DS_EINVAL_MSG, "cannot start an already running container");
	_cleanup_oci_spec_ struct ds_oci_spec spec = { 0 };
	if ((r = ds_oci_load_spec(&c, &spec, err)) < 0)
		return r;
	char fifo[PATH_MAX + 16];
	snprintf(fifo, sizeof(fifo), "%s/" DS_OCI_FIFO, c.dir);
	/* Non-blocking: an init that died since must not hang start; poll says when it wrote. */
	_cleanup_close_ int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot open %s", fifo);
	int left = start_wait_ms(&spec);
	char b = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, 50);
		if (n > 0 && read(fd, &b, 1) == 1)
			break;
		if (!ds_oci_pid_alive(c.pid, c.starttime))
			return ds_fail(err, DS_EINVAL_MSG, "container \"%s\": init exited before start", id);
		if (left >= 0 && !wait_step(&left))
			return ds_fail(err, -ETIMEDOUT, "container \"%s\": init did not take the exec fifo", id);
	}
	if (unlink(fifo) < 0)
		return ds_fail(err, negerrno(), "cannot remove %s", fifo);
	/* init ran the startContainer hooks between taking the fifo and its word: "h" is one failed. */
	if (b != '0')
		return ds_fail(err, DS_EINVAL_MSG,
			       "container \"%s\": a startContainer hook failed (the container's stderr says which)",
			       id);
	/* poststart: the program is running; a failure is a warning, as the runtime spec says. */
	if (spec.n_hooks[DS_OCI_HOOK_POSTSTART]) {
		_cleanup_free_ char *state = ds_oci_state_json(&c, DS_OCI_RUNNING, &spec);
		if (!state)
			return ds_fail(err, -ENOMEM, "cannot write the state for the poststart hooks");
		ds_oci_hooks_run_warn(&spec, DS_OCI_HOOK_POSTSTART, state);
	}
	return 0;
}

/* The inode of PID's pid namespace, or 0. */
static ino_t pid_ns_of(const char *pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%s/ns/pid", pid);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* sig to every process in init's PID namespace; only init when that namespace is ours. */
static int kill_all(pid_t init, int sig, struct ds_error *err)
{
	char self[16];
	snprintf(self, sizeof(self), "%d", (int)init);
	ino_t ns = pid_ns_of(self);
	if (!ns || ns == pid_ns_of("self"))
		return kill(init, sig) < 0 ? ds_fail(err, negerrno(), "cannot signal %d", (int)init) : 0;
	DIR *d = opendir("/proc");
	if (!d)
		return ds_fail(err, negerrno(), "cannot read /proc");
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && pid_ns_of(e->d_name) == ns)
			kill((pid_t)atoi(e->d_name), sig);
	closedir(d);
	return 0;
}

int ds_oci_kill(const char *root, const char *id, int sig, int all, struct ds_error *err)
{
	struct ds_oci_container c;
	int r = ds_oci_load(root, id, &c, err);
	if (r < 0)
		return r;
	if (ds_oci_status(&c) == DS_OCI_STOPPED)
		return ds_fail(err, DS_EINVAL_MSG, "container \"%s\" is not running", id);
	if (all)
		return kill_all(c.pid, sig, err);
	if (kill(c.pid, sig) < 0)
		return ds_fail(err, negerrno(), "cannot signal container \"%s\"", id);
	return 0;
}

int ds_oci_pids(const char *root, const char *id, pid_t **out, size_t *n, struct ds_error *err)
{
	struct ds_oci_container c;
	struct ds_cgroups cg;
	*out = NULL;
	*n = 0;
	int r = ds_oci_load(root, id, &c, err);
	if (r < 0)
		return r;
	if (!c.cgroup[0] || ds_cgroup_detect(&cg) < 0 || cg.mode == DS_CG_NONE)
		return ds_fail(err, DS_EINVAL_MSG, "container \"%s\" has no cgroup to list", id);
	if ((r = ds_cgroup_pids(&cg, c.cgroup, out, n)) < 0)
		return ds_fail(err, r, "cannot list the processes of container \"%s\"", id);
	return 0;
}

int ds_oci_delete(const char *root, const char *id, int force, struct ds_error *err)
{
	struct ds_oci_container c;
	int r = ds_oci_container_dir(root, id, &c, err);
	if (r < 0)
		return r;
	/* --force: no container is deleted already; what an aborted create left goes too (as runc). */
	char state[PATH_MAX + 16];
	snprintf(state, sizeof(state), "%s/state.json", c.dir);
	if (force && access(state, F_OK) < 0 && errno == ENOENT)
		return ds_oci_remove(&c, err);
	if ((r = ds_oci_load(root, id, &c, err)) < 0)
		return r;
	enum ds_oci_status st = ds_oci_status(&c);
	if (st == DS_OCI_RUNNING && !force)
		return ds_fail(err, DS_EINVAL_MSG, "cannot delete container \"%s\" that is not stopped: running", id);
	/* The poststop hooks, read before the copy of config.json goes (none when it cannot be read). */
	_cleanup_oci_spec_ struct ds_oci_spec spec = { 0 };
	struct ds_error ignored = { 0 };
	int have_spec = ds_oci_load_spec(&c, &spec, &ignored) == 0;
	/* A created container never ran its program: deleting it ends its init, as runc does. */
	if (st != DS_OCI_STOPPED) {
		if ((r = kill_all(c.pid, SIGKILL, err)) < 0)
			return r;
		int left = DS_OCI_WAIT_MS;
		while (ds_oci_pid_alive(c.pid, c.starttime))
			if (!wait_step(&left))
				return ds_fail(err, -ETIMEDOUT, "container \"%s\" did not die of SIGKILL", id);
	}
	if ((r = drop_cgroup(&c)) < 0)
		return ds_fail(err, r, "cannot remove the cgroup %s of container \"%s\"", c.cgroup, id);
	if ((r = ds_oci_remove(&c, err)) < 0)
		return r;
	/* poststop: the container is gone, delete has not returned; a failure is a warning. */
	if (have_spec && spec.n_hooks[DS_OCI_HOOK_POSTSTOP]) {
		_cleanup_free_ char *text = ds_oci_state_json(&c, DS_OCI_STOPPED, &spec);
		if (text)
			ds_oci_hooks_run_warn(&spec, DS_OCI_HOOK_POSTSTOP, text);
	}
	return 0;
}
