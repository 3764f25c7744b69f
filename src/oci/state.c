/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container record of droidspaces-oci: ROOT/ID/state.json and the status (see state.h). */
#include "oci/state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/jsonparse.h"
#include "util/macros.h"

#define STATE_FILE "state.json"

int ds_oci_id_validate(const char *id, struct ds_error *err)
{
	size_t n = strlen(id);
	if (n == 0 || n > DS_OCI_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return ds_fail(err, DS_EINVAL_MSG, "invalid container id \"%.*s\"", DS_OCI_ID_MAX, id);
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("_+-.", *p)))
			return ds_fail(err, DS_EINVAL_MSG, "invalid container id \"%.*s\"", DS_OCI_ID_MAX, id);
	return 0;
}

int ds_oci_container_dir(const char *root, const char *id, struct ds_oci_container *c, struct ds_error *err)
{
	int r = ds_oci_id_validate(id, err);
	if (r < 0)
		return r;
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	if ((size_t)snprintf(c->dir, sizeof(c->dir), "%s/%s", root, id) >= sizeof(c->dir))
		return ds_fail(err, -ENAMETOOLONG, "state directory %s/%s", root, id);
	return 0;
}

static int copy_string(const struct ds_jval *obj, const char *key, char *out, size_t size)
{
	const char *s = ds_jstr(ds_jget(obj, key));
	if (!s || strlen(s) >= size)
		return -EINVAL;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int ds_oci_load(const char *root, const char *id, struct ds_oci_container *c, struct ds_error *err)
{
	int r = ds_oci_container_dir(root, id, c, err);
	if (r < 0)
		return r;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/" STATE_FILE, c->dir);
	_cleanup_close_ int fd = ds_open_regular(path, 1);
	if (fd == -ENOENT || fd == -ENOTDIR)
		return ds_fail(err, DS_EINVAL_MSG, "container \"%s\" does not exist", id);
	if (fd < 0)
		return ds_fail(err, fd, "cannot open %s", path);
	_cleanup_free_ char *text = NULL;
	ssize_t n = ds_read_fd_whole(fd, &text, 65536);
	if (n < 0)
		return ds_fail(err, (int)n, "cannot read %s", path);
	struct ds_jdoc doc;
	struct ds_error jerr = { 0 };
	if ((r = ds_json_parse(text, (size_t)n, &doc, &jerr)) < 0)
		return ds_fail(err, DS_EINVAL_MSG, "%s: %s", path, jerr.msg);
	long long pid = 0, start = 0;
	const struct ds_jval *v = doc.root;
	if (ds_jint(ds_jget(v, "pid"), 1, INT_MAX, &pid) < 0 ||
	    ds_jint(ds_jget(v, "starttime"), 0, LLONG_MAX, &start) < 0 ||
	    copy_string(v, "bundle", c->bundle, sizeof(c->bundle)) < 0 ||
	    copy_string(v, "rootfs", c->rootfs, sizeof(c->rootfs)) < 0 ||
	    copy_string(v, "created", c->created, sizeof(c->created)) < 0 ||
	    copy_string(v, "cgroup", c->cgroup, sizeof(c->cgroup)) < 0)
		r = ds_fail(err, DS_EINVAL_MSG, "%s: not a droidspaces-oci state file", path);
	c->pid = (pid_t)pid;
	c->starttime = (unsigned long long)start;
	ds_jdoc_free(&doc);
	return r;
}

int ds_oci_save(const struct ds_oci_container *c, struct ds_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return ds_fail(err, negerrno(), "cannot write the state of %s", c->id);
	struct ds_json j;
	ds_json_init(&j, f);
	ds_json_object_begin(&j, NULL);
	ds_json_string(&j, "id", c->id);
	ds_json_int(&j, "pid", c->pid);
	ds_json_int(&j, "starttime", (long long)c->starttime);
	ds_json_string(&j, "bundle", c->bundle);
	ds_json_string(&j, "rootfs", c->rootfs);
	ds_json_string(&j, "created", c->created);
	ds_json_string(&j, "cgroup", c->cgroup);
	ds_json_object_end(&j);
	int r = fclose(f) == 0 ? 0 : -EIO;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/" STATE_FILE, c->dir);
	if (r == 0)
		r = ds_write_file_atomic(path, text, 0600, 0);
	free(text);
	return r < 0 ? ds_fail(err, r, "cannot write %s", path) : 0;
}

int ds_oci_pid_alive(pid_t pid, unsigned long long starttime)
{
	if (pid <= 0 || ds_proc_starttime(pid) != starttime)
		return 0;
	/* A zombie has ended; it only waits for its reaper (the caller of create). */
	char path[64], stat[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ds_read_file(path, stat, sizeof(stat)) <= 0)
		return 0;
	char *p = strrchr(stat, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

enum ds_oci_status ds_oci_status(const struct ds_oci_container *c)
{
	if (!ds_oci_pid_alive(c->pid, c->starttime))
		return DS_OCI_STOPPED;
	char fifo[PATH_MAX + 16];
	snprintf(fifo, sizeof(fifo), "%s/" DS_OCI_FIFO, c->dir);
	return access(fifo, F_OK) == 0 ? DS_OCI_CREATED : DS_OCI_RUNNING;
}

const char *ds_oci_status_name(enum ds_oci_status s)
{
	static const char *const names[] = { "created", "running", "stopped" };
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

char *ds_oci_state_json(const struct ds_oci_container *c, enum ds_oci_status status, const struct ds_oci_spec *spec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	struct ds_json j;
	ds_json_init(&j, f);
	ds_json_object_begin(&j, NULL);
	ds_json_string(&j, "ociVersion", DS_OCI_VERSION);
	ds_json_string(&j, "id", c->id);
	ds_json_int(&j, "pid", status == DS_OCI_STOPPED ? 0 : c->pid);
	ds_json_string(&j, "status", ds_oci_status_name(status));
	ds_json_string(&j, "bundle", c->bundle);
	ds_json_string(&j, "rootfs", c->rootfs);
	ds_json_string(&j, "created", c->created);
	ds_json_string(&j, "owner", "");
	ds_json_object_begin(&j, "annotations");
	for (size_t i = 0; spec && i < spec->n_annotations; i++)
		ds_json_string(&j, spec->annotations[i].key, spec->annotations[i].value);
	ds_json_object_end(&j);
	ds_json_object_end(&j);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int ds_oci_load_spec(const struct ds_oci_container *c, struct ds_oci_spec *spec, struct ds_error *err)
{
	memset(spec, 0, sizeof(*spec));
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/config.json", c->dir);
	_cleanup_close_ int fd = ds_open_regular(path, 1);
	if (fd < 0)
		return ds_fail(err, fd, "cannot open %s", path);
	_cleanup_free_ char *text = NULL;
	ssize_t n = ds_read_fd_whole(fd, &text, DS_JSON_MAX_SIZE);
	if (n < 0)
		return ds_fail(err, (int)n, "cannot read %s", path);
	return ds_oci_spec_parse(text, (size_t)n, spec, err);
}

int ds_oci_remove(const struct ds_oci_container *c, struct ds_error *err)
{
	static const char *const files[] = { DS_OCI_FIFO, "config.json", STATE_FILE };
	_cleanup_close_ int dir = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT ? 0 : ds_fail(err, negerrno(), "cannot open %s", c->dir);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (unlinkat(dir, files[i], 0) < 0 && errno != ENOENT)
			return ds_fail(err, negerrno(), "cannot remove %s/%s", c->dir, files[i]);
	if (rmdir(c->dir) < 0 && errno != ENOENT)
		return ds_fail(err, negerrno(), "cannot remove %s", c->dir);
	return 0;
}

int ds_oci_write_pid_file(const char *path, pid_t pid, struct ds_error *err)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", (int)pid);
	int r = ds_write_file_atomic(path, v, 0644, 0);
	return r < 0 ? ds_fail(err, r, "cannot write the pid file %s", path) : 0;
}

int ds_oci_signal_parse(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
		{ "HUP", SIGHUP },       { "INT", SIGINT },   { "QUIT", SIGQUIT },     { "ILL", SIGILL },
		{ "TRAP", SIGTRAP },     { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },
		{ "FPE", SIGFPE },       { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 },     { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM },
		{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP },
		{ "TSTP", SIGTSTP },     { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
		{ "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
		{ "WINCH", SIGWINCH },   { "IO", SIGIO },     { "POLL", SIGPOLL },     { "PWR", SIGPWR },
		{ "SYS", SIGSYS },
	};
	if (*s >= '0' && *s <= '9') {
		char *end;
		long n = strtol(s, &end, 10);
		return (*end || n < 1 || n > SIGRTMAX) ? -EINVAL : (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (strcasecmp(s, sigs[i].name) == 0)
			return sigs[i].sig;
	/* RTMIN, RTMIN+3, RTMAX-1 */
	int base = strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : strncasecmp(s, "RTMAX", 5) == 0 ? SIGRTMAX : 0;
	if (!base)
		return -EINVAL;
	s += 5;
	if (!*s)
		return base;
	char *end;
	long off = strtol(s + 1, &end, 10);
	if ((*s != '+' && *s != '-') || s[1] < '0' || s[1] > '9' || *end)
		return -EINVAL;
	long sig = *s == '+' ? base + off : base - off;
	return sig < SIGRTMIN || sig > SIGRTMAX ? -EINVAL : (int)sig;
}
