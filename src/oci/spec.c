/* SPDX-License-Identifier: GPL-3.0-or-later */
/* config.json into struct ds_oci_spec: the types checked field by field (see spec.h). */
#include "oci/spec.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "oci/field.h"
#include "util/macros.h"

static const char *const ns_names[DS_OCI_NAMESPACES] = {
	[DS_OCI_NS_USER] = "user",     [DS_OCI_NS_PID] = "pid",   [DS_OCI_NS_NETWORK] = "network",
	[DS_OCI_NS_IPC] = "ipc",       [DS_OCI_NS_UTS] = "uts",   [DS_OCI_NS_MOUNT] = "mount",
	[DS_OCI_NS_CGROUP] = "cgroup", [DS_OCI_NS_TIME] = "time",
};

static const char *const hook_names[DS_OCI_HOOK_POINTS] = {
	[DS_OCI_HOOK_PRESTART] = "prestart",
	[DS_OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[DS_OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[DS_OCI_HOOK_START_CONTAINER] = "startContainer",
	[DS_OCI_HOOK_POSTSTART] = "poststart",
	[DS_OCI_HOOK_POSTSTOP] = "poststop",
};

const char *ds_oci_hook_name(enum ds_oci_hook_point point)
{
	return (unsigned)point < DS_OCI_HOOK_POINTS ? hook_names[point] : "?";
}

const char *ds_oci_ns_name(enum ds_oci_ns ns) { return (unsigned)ns < DS_OCI_NAMESPACES ? ns_names[ns] : "?"; }

/* Every capability up to Linux 5.9's CAP_CHECKPOINT_RESTORE, by its bit. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },           { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },         { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },         { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },   { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },       { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },     { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const char *const capset_keys[DS_OCI_CAPSETS] = {
	[DS_OCI_CAP_BOUNDING] = "bounding",       [DS_OCI_CAP_EFFECTIVE] = "effective",
	[DS_OCI_CAP_INHERITABLE] = "inheritable", [DS_OCI_CAP_PERMITTED] = "permitted",
	[DS_OCI_CAP_AMBIENT] = "ambient",
};

/* ---- the sections ------------------------------------------------------------------------ */

static int read_user(const struct ds_jval *proc, struct ds_oci_process *p, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *user, *gids;
	int r = ds_oci_get_object(proc, "user", "process", path, &user, err);
	if (r <= 0)
		return r;
	long long id = 0;
	if ((r = ds_oci_get_int(user, "uid", path, 0, UINT32_MAX - 1, &id, NULL, err)) < 0)
		return r;
	p->uid = (uint32_t)id;
	id = 0;
	if ((r = ds_oci_get_int(user, "gid", path, 0, UINT32_MAX - 1, &id, NULL, err)) < 0)
		return r;
	p->gid = (uint32_t)id;
	char gpath[DS_OCI_PATH_LEN];
	if (!ds_oci_member(user, "additionalGids", path, gpath, &gids))
		return 0;
	if ((r = ds_oci_want(gids, DS_JARRAY, gpath, err)) < 0)
		return r;
	p->additional_gids = calloc(gids->count + 1, sizeof(*p->additional_gids));
	if (!p->additional_gids)
		return ds_fail(err, -ENOMEM, "config.json: %s", gpath);
	size_t i = 0;
	for (const struct ds_jval *m = gids->head; m; m = m->next, i++) {
		ds_oci_path_index(item, gpath, i);
		if ((r = ds_oci_number_in(m, item, 0, UINT32_MAX - 1, &id, err)) < 0)
			return r;
		p->additional_gids[i] = (uint32_t)id;
	}
	p->n_additional_gids = gids->count;
	return 0;
}

static int cap_bit(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

static int read_capabilities(const struct ds_jval *proc, struct ds_oci_process *p, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *caps;
	int r = ds_oci_get_object(proc, "capabilities", "process", path, &caps, err);
	if (r <= 0)
		return r;
	for (int set = 0; set < DS_OCI_CAPSETS; set++) {
		_cleanup_free_ const char **names = NULL;
		size_t n = 0;
		char spath[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
		const struct ds_jval *v;
		if (!ds_oci_member(caps, capset_keys[set], path, spath, &v))
			continue;
		if ((r = ds_oci_get_strings(caps, capset_keys[set], path, &names, &n, err)) < 0)
			return r;
		p->has_caps[set] = 1;
		for (size_t i = 0; i < n; i++) {
			int bit = cap_bit(names[i]);
			if (bit < 0) {
				ds_oci_path_index(item, spath, i);
				return ds_oci_bad(err, item, "unknown capability \"%.64s\"", names[i]);
			}
			p->caps[set] |= 1ULL << bit;
		}
	}
	return 0;
}

static int read_rlimits(const struct ds_jval *proc, struct ds_oci_process *p, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(proc, "rlimits", "process", path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	p->rlimits = calloc(v->count + 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return ds_fail(err, -ENOMEM, "config.json: %s", path);
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		struct ds_oci_rlimit *l = &p->rlimits[i];
		const char *type = NULL;
		ds_oci_path_index(item, path, i);
		if ((r = ds_oci_want(m, DS_JOBJECT, item, err)) < 0 ||
		    (r = ds_oci_get_string(m, "type", item, 1, &type, err)) < 0)
			return r;
		l->resource = -1;
		for (size_t k = 0; k < ARRAY_SIZE(rlimit_names); k++)
			if (strcmp(type, rlimit_names[k].name) == 0)
				l->resource = rlimit_names[k].resource;
		if (l->resource < 0) {
			char tpath[DS_OCI_PATH_LEN];
			ds_oci_path_join(tpath, item, "type");
			return ds_oci_bad(err, tpath, "unknown limit \"%.64s\"", type);
		}
		for (size_t k = 0; k < i; k++)
			if (p->rlimits[k].resource == l->resource)
				return ds_oci_bad(err, item, "%.64s is set twice", type);
		if ((r = ds_oci_get_uint(m, "soft", item, ULLONG_MAX, &l->soft, NULL, err)) < 0 ||
		    (r = ds_oci_get_uint(m, "hard", item, ULLONG_MAX, &l->hard, NULL, err)) < 0)
			return r;
		if (l->soft > l->hard)
			return ds_oci_bad(err, item, "the soft limit %llu is above the hard limit %llu", l->soft,
					  l->hard);
	}
	p->n_rlimits = v->count;
	return 0;
}

static int read_env(struct ds_oci_process *p, struct ds_error *err)
{
	char item[DS_OCI_PATH_LEN];
	for (size_t i = 0; i < p->n_env; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (!eq || eq == p->env[i]) {
			ds_oci_path_index(item, "process.env", i);
			return ds_oci_bad(err, item, "\"%.64s\" is not NAME=VALUE", p->env[i]);
		}
	}
	return 0;
}

/* The process object at proc (config.json's "process", or exec's process.json). */
static int read_process_object(const struct ds_jval *proc, struct ds_oci_spec *spec, struct ds_error *err)
{
	const char *path = "process";
	struct ds_oci_process *p = &spec->process;
	int r;
	spec->has_process = 1;
	if ((r = ds_oci_get_bool(proc, "terminal", path, &p->terminal, err)) < 0 ||
	    (r = ds_oci_get_strings(proc, "args", path, &p->args, &p->n_args, err)) < 0 ||
	    (r = ds_oci_get_strings(proc, "env", path, &p->env, &p->n_env, err)) < 0 || (r = read_env(p, err)) < 0 ||
	    (r = ds_oci_get_string(proc, "cwd", path, 1, &p->cwd, err)) < 0 ||
	    (r = ds_oci_absolute(p->cwd, "process.cwd", err)) < 0 || (r = read_user(proc, p, err)) < 0 ||
	    (r = read_capabilities(proc, p, err)) < 0 || (r = read_rlimits(proc, p, err)) < 0 ||
	    (r = ds_oci_get_bool(proc, "noNewPrivileges", path, &p->no_new_privileges, err)) < 0)
		return r;
	if (p->n_args == 0)
		return ds_oci_bad(err, "process.args", "missing or empty (the program to run)");
	long long adj = 0;
	if ((r = ds_oci_get_int(proc, "oomScoreAdj", path, -1000, 1000, &adj, &p->has_oom_score_adj, err)) < 0)
		return r;
	p->oom_score_adj = (int)adj;
	return 0;
}

static int read_process(const struct ds_jval *root, struct ds_oci_spec *spec, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *proc;
	int r = ds_oci_get_object(root, "process", "", path, &proc, err);
	return r <= 0 ? r : read_process_object(proc, spec, err);
}

int ds_oci_process_parse(const char *text, size_t len, struct ds_oci_spec *spec, struct ds_error *err)
{
	memset(spec, 0, sizeof(*spec));
	struct ds_error jerr = { 0 };
	int r = ds_json_parse(text, len, &spec->doc, &jerr);
	if (r < 0)
		return ds_fail(err, r, "config.json: %s", jerr.msg);
	if (spec->doc.root->type != DS_JOBJECT)
		return ds_oci_bad(err, "process", "expected an object, got %s", ds_oci_a_type(spec->doc.root->type));
	return read_process_object(spec->doc.root, spec, err);
}

static int read_mounts(const struct ds_jval *root, struct ds_oci_spec *spec, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(root, "mounts", "", path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	spec->mounts = calloc(v->count + 1, sizeof(*spec->mounts));
	if (!spec->mounts)
		return ds_fail(err, -ENOMEM, "config.json: mounts");
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		struct ds_oci_mount *mnt = &spec->mounts[i];
		spec->n_mounts = i + 1; /* its options are freed even when it fails half-way */
		ds_oci_path_index(item, path, i);
		char dpath[DS_OCI_PATH_LEN];
		ds_oci_path_join(dpath, item, "destination");
		if ((r = ds_oci_want(m, DS_JOBJECT, item, err)) < 0 ||
		    (r = ds_oci_get_string(m, "destination", item, 1, &mnt->destination, err)) < 0 ||
		    (r = ds_oci_absolute(mnt->destination, dpath, err)) < 0 ||
		    (r = ds_oci_get_string(m, "type", item, 0, &mnt->type, err)) < 0 ||
		    (r = ds_oci_get_string(m, "source", item, 0, &mnt->source, err)) < 0 ||
		    (r = ds_oci_get_strings(m, "options", item, &mnt->options, &mnt->n_options, err)) < 0)
			return r;
	}
	return 0;
}

static int read_namespaces(const struct ds_jval *linux_, struct ds_oci_spec *spec, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(linux_, "namespaces", "linux", path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		const char *type = NULL, *nspath = NULL;
		ds_oci_path_index(item, path, i);
		if ((r = ds_oci_want(m, DS_JOBJECT, item, err)) < 0 ||
		    (r = ds_oci_get_string(m, "type", item, 1, &type, err)) < 0 ||
		    (r = ds_oci_get_string(m, "path", item, 0, &nspath, err)) < 0)
			return r;
		int ns = -1;
		for (int k = 0; k < DS_OCI_NAMESPACES; k++)
			if (strcmp(type, ns_names[k]) == 0)
				ns = k;
		if (ns < 0)
			return ds_oci_bad(err, item, "unknown namespace type \"%.64s\"", type);
		if (spec->ns_wanted[ns])
			return ds_oci_bad(err, item, "namespace type \"%s\" listed twice", type);
		if (nspath) {
			char ppath[DS_OCI_PATH_LEN];
			ds_oci_path_join(ppath, item, "path");
			if ((r = ds_oci_absolute(nspath, ppath, err)) < 0)
				return r;
		}
		spec->ns_wanted[ns] = 1;
		spec->ns_path[ns] = nspath;
	}
	return 0;
}

/* linux.uidMappings or gidMappings: containerID, hostID and size (above 0), neither range past 2^32. */
static int read_idmap(const struct ds_jval *linux_, const char *key, struct ds_oci_idmap **out, size_t *n,
		      struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(linux_, key, "linux", path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	if (v->count > DS_OCI_IDMAP_MAX)
		return ds_oci_bad(err, path, "more than %d ranges (the kernel's limit)", DS_OCI_IDMAP_MAX);
	*out = calloc(v->count + 1, sizeof(**out));
	if (!*out)
		return ds_fail(err, -ENOMEM, "config.json: %s", path);
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		long long cid = 0, hid = 0, size = 0;
		int has_cid = 0, has_hid = 0, has_size = 0;
		ds_oci_path_index(item, path, i);
		if ((r = ds_oci_want(m, DS_JOBJECT, item, err)) < 0 ||
		    (r = ds_oci_get_int(m, "containerID", item, 0, UINT32_MAX, &cid, &has_cid, err)) < 0 ||
		    (r = ds_oci_get_int(m, "hostID", item, 0, UINT32_MAX, &hid, &has_hid, err)) < 0 ||
		    (r = ds_oci_get_int(m, "size", item, 1, UINT32_MAX, &size, &has_size, err)) < 0)
			return r;
		if (!has_cid || !has_hid || !has_size)
			return ds_oci_bad(err, item, "needs containerID, hostID and size");
		if (cid + size > (long long)UINT32_MAX + 1 || hid + size > (long long)UINT32_MAX + 1)
			return ds_oci_bad(err, item, "the range ends past 4294967295");
		(*out)[i] = (struct ds_oci_idmap){ (uint32_t)cid, (uint32_t)hid, (uint32_t)size };
		*n = i + 1;
	}
	return 0;
}

/* cpu.cpus, cpu.mems: a cpuset list ("0-3,6"); "" is absent. */
static int read_cpu_list(const struct ds_jval *cpu, const char *key, const char *parent, const char **out,
			 struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	int r = ds_oci_get_string(cpu, key, parent, 0, out, err);
	if (r < 0 || !*out)
		return r;
	ds_oci_path_join(path, parent, key);
	if (strspn(*out, "0123456789,-") != strlen(*out) ||
	    strlen(*out) >= sizeof(((struct ds_limits *)0)->cpuset_cpus))
		return ds_oci_bad(err, path, "\"%.40s\" is not a list like 0-3,6", *out);
	if (!**out)
		*out = NULL;
	return 0;
}

/* resources.devices[i]: allow, type (a, c, b; absent: a), major and minor (absent or -1: any), access (rwm). */
static int read_device_rules(const struct ds_jval *res, const char *parent, struct ds_oci_resources *out,
			     struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN], sub[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(res, "devices", parent, path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	out->devices = calloc(v->count + 1, sizeof(*out->devices));
	if (!out->devices)
		return ds_fail(err, -ENOMEM, "config.json: %s", path);
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		struct ds_dev_access *d = &out->devices[i];
		const char *type = NULL, *access = NULL;
		long long major = -1, minor = -1;
		ds_oci_path_index(item, path, i);
		if ((r = ds_oci_want(m, DS_JOBJECT, item, err)) < 0 ||
		    (r = ds_oci_get_bool(m, "allow", item, &d->allow, err)) < 0 ||
		    (r = ds_oci_get_string(m, "type", item, 0, &type, err)) < 0 ||
		    (r = ds_oci_get_int(m, "major", item, -1, 4095, &major, NULL, err)) < 0 ||
		    (r = ds_oci_get_int(m, "minor", item, -1, 1048575, &minor, NULL, err)) < 0 ||
		    (r = ds_oci_get_string(m, "access", item, 0, &access, err)) < 0)
			return r;
		ds_oci_path_join(sub, item, "allow");
		if (!ds_jget(m, "allow") || ds_jget(m, "allow")->type != DS_JBOOL)
			return ds_oci_bad(err, sub, "missing");
		ds_oci_path_join(sub, item, "type");
		if (type && *type && strcmp(type, "a") && strcmp(type, "c") && strcmp(type, "b"))
			return ds_oci_bad(err, sub, "unknown device type \"%.16s\" (a, c or b)", type);
		d->type = type && *type ? type[0] : 'a';
		d->major = (int)major;
		d->minor = (int)minor;
		d->access = access && *access ? 0 : DS_DEV_READ | DS_DEV_WRITE | DS_DEV_MKNOD;
		for (const char *a = access; a && *a; a++) {
			unsigned bit = *a == 'r'   ? DS_DEV_READ
				       : *a == 'w' ? DS_DEV_WRITE
				       : *a == 'm' ? DS_DEV_MKNOD
						   : 0;
			if (!bit || (d->access & bit)) {
				ds_oci_path_join(sub, item, "access");
				return ds_oci_bad(err, sub, "\"%.16s\" is not a combination of r, w and m", access);
			}
			d->access |= bit;
		}
		out->n_devices = i + 1;
	}
	return 0;
}

static int read_resources(const struct ds_jval *linux_, struct ds_oci_resources *res, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], sub[DS_OCI_PATH_LEN];
	const struct ds_jval *v, *s;
	int r = ds_oci_get_object(linux_, "resources", "linux", path, &v, err);
	if (r <= 0)
		return r;
	if ((r = ds_oci_get_object(v, "memory", path, sub, &s, err)) < 0 ||
	    (r > 0 &&
	     ((r = ds_oci_get_int(s, "limit", sub, -1, LLONG_MAX, &res->memory_limit, &res->has_memory_limit, err)) <
		      0 ||
	      (r = ds_oci_get_int(s, "reservation", sub, -1, LLONG_MAX, &res->memory_reservation,
				  &res->has_memory_reservation, err)) < 0 ||
	      (r = ds_oci_get_uint(s, "swappiness", sub, 100, &res->swappiness, &res->has_swappiness, err)) < 0 ||
	      (r = ds_oci_get_bool(s, "disableOOMKiller", sub, &res->disable_oom_killer, err)) < 0)))
		return r;
	if ((r = ds_oci_get_object(v, "pids", path, sub, &s, err)) < 0 ||
	    (r > 0 &&
	     (r = ds_oci_get_int(s, "limit", sub, -1, LLONG_MAX, &res->pids_limit, &res->has_pids_limit, err)) < 0))
		return r;
	if ((r = read_device_rules(v, path, res, err)) < 0 || (r = ds_oci_get_object(v, "cpu", path, sub, &s, err)) < 0)
		return r;
	if (r > 0 &&
	    ((r = read_cpu_list(s, "cpus", sub, &res->cpuset_cpus, err)) < 0 ||
	     (r = read_cpu_list(s, "mems", sub, &res->cpuset_mems, err)) < 0 ||
	     (r = ds_oci_get_int(s, "quota", sub, -1, LLONG_MAX, &res->cpu_quota, &res->has_cpu_quota, err)) < 0 ||
	     (r = ds_oci_get_uint(s, "period", sub, ULLONG_MAX, &res->cpu_period, &res->has_cpu_period, err)) < 0 ||
	     (r = ds_oci_get_uint(s, "shares", sub, ULLONG_MAX, &res->cpu_shares, &res->has_cpu_shares, err)) < 0))
		return r;
	return 0;
}

/* An object of string values (sysctl, annotations) into pairs. */
static int read_pairs(const struct ds_jval *obj, const char *key, const char *parent, struct ds_oci_pair **out,
		      size_t *n, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	int r = ds_oci_get_object(obj, key, parent, path, &v, err);
	if (r <= 0)
		return r;
	*out = calloc(v->count + 1, sizeof(**out));
	if (!*out)
		return ds_fail(err, -ENOMEM, "config.json: %s", path);
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		ds_oci_path_join(item, path, m->key);
		if (strlen(m->key) != m->key_len)
			return ds_oci_bad(err, path, "a NUL character in a key");
		(*out)[i].key = m->key;
		if ((r = ds_oci_want_string(m, item, &(*out)[i].value, err)) < 0)
			return r;
	}
	*n = v->count;
	return 0;
}

/* linux.devices[i]: path, type (c, u, b, p), major and minor (not for p), fileMode, uid, gid. */
static int read_devices(const struct ds_jval *linux_, struct ds_oci_spec *spec, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN], sub[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(linux_, "devices", "linux", path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	spec->devices = calloc(v->count + 1, sizeof(*spec->devices));
	if (!spec->devices)
		return ds_fail(err, -ENOMEM, "config.json: %s", path);
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		struct ds_oci_device *d = &spec->devices[i];
		const char *type = NULL;
		long long major = -1, minor = -1, mode = 0666, id = 0;
		int has_major = 0, has_minor = 0;
		ds_oci_path_index(item, path, i);
		ds_oci_path_join(sub, item, "path");
		if ((r = ds_oci_want(m, DS_JOBJECT, item, err)) < 0 ||
		    (r = ds_oci_get_string(m, "path", item, 1, &d->path, err)) < 0 ||
		    (r = ds_oci_absolute(d->path, sub, err)) < 0 ||
		    (r = ds_oci_get_string(m, "type", item, 1, &type, err)) < 0 ||
		    (r = ds_oci_get_int(m, "major", item, 0, 4095, &major, &has_major, err)) < 0 ||
		    (r = ds_oci_get_int(m, "minor", item, 0, 1048575, &minor, &has_minor, err)) < 0 ||
		    (r = ds_oci_get_int(m, "fileMode", item, 0, 07777, &mode, NULL, err)) < 0 ||
		    (r = ds_oci_get_int(m, "uid", item, 0, UINT32_MAX - 1, &id, &d->has_uid, err)) < 0)
			return r;
		d->uid = (uint32_t)id;
		if ((r = ds_oci_get_int(m, "gid", item, 0, UINT32_MAX - 1, &id, &d->has_gid, err)) < 0)
			return r;
		d->gid = (uint32_t)id;
		ds_oci_path_join(sub, item, "type");
		unsigned fmt = !strcmp(type, "c") || !strcmp(type, "u") ? S_IFCHR
			       : !strcmp(type, "b")                     ? S_IFBLK
			       : !strcmp(type, "p")                     ? S_IFIFO
									: 0;
		if (!fmt)
			return ds_oci_bad(err, sub, "unknown device type \"%.16s\" (c, u, b or p)", type);
		if (fmt != S_IFIFO && (!has_major || !has_minor))
			return ds_oci_bad(err, item, "a %s device needs major and minor", type);
		d->mode = fmt | (unsigned)mode;
		d->major = has_major ? (unsigned)major : 0;
		d->minor = has_minor ? (unsigned)minor : 0;
		spec->n_devices = i + 1;
	}
	return 0;
}

/* linux.rootfsPropagation: "shared", "rslave", ... as mount(2) flags. */
static int read_propagation(const struct ds_jval *linux_, struct ds_oci_spec *spec, struct ds_error *err)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} names[] = {
		{ "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
		{ "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
		{ "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	const char *v = NULL;
	int r = ds_oci_get_string(linux_, "rootfsPropagation", "linux", 0, &v, err);
	if (r < 0 || !v || !*v)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(v, names[i].name) == 0) {
			spec->rootfs_propagation = names[i].flags;
			return 0;
		}
	return ds_oci_bad(err, "linux.rootfsPropagation", "unknown propagation \"%.32s\"", v);
}

static int read_linux(const struct ds_jval *root, struct ds_oci_spec *spec, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	int r = ds_oci_get_object(root, "linux", "", path, &v, err);
	if (r <= 0)
		return r;
	if ((r = read_namespaces(v, spec, err)) < 0 ||
	    (r = read_idmap(v, "uidMappings", &spec->uid_mappings, &spec->n_uid_mappings, err)) < 0 ||
	    (r = read_idmap(v, "gidMappings", &spec->gid_mappings, &spec->n_gid_mappings, err)) < 0 ||
	    (r = ds_oci_get_strings(v, "maskedPaths", path, &spec->masked_paths, &spec->n_masked_paths, err)) < 0 ||
	    (r = ds_oci_get_strings(v, "readonlyPaths", path, &spec->readonly_paths, &spec->n_readonly_paths, err)) <
		    0 ||
	    (r = read_resources(v, &spec->resources, err)) < 0 ||
	    (r = ds_oci_get_string(v, "cgroupsPath", path, 0, &spec->cgroups_path, err)) < 0 ||
	    (r = read_pairs(v, "sysctl", path, &spec->sysctl, &spec->n_sysctl, err)) < 0 ||
	    (r = read_devices(v, spec, err)) < 0 || (r = read_propagation(v, spec, err)) < 0 ||
	    (r = ds_oci_seccomp_read(v, &spec->seccomp, err)) < 0)
		return r;
	return 0;
}

/* hooks.POINT[i]: path (absolute), args, env, timeout (seconds, above 0). */
static int read_hook_list(const struct ds_jval *hooks, enum ds_oci_hook_point point, struct ds_oci_spec *spec,
			  struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN], ppath[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(hooks, hook_names[point], "hooks", path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	struct ds_oci_hook *list = calloc(v->count + 1, sizeof(*list));
	if (!list)
		return ds_fail(err, -ENOMEM, "config.json: %s", path);
	spec->hooks[point] = list;
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		struct ds_oci_hook *h = &list[i];
		long long timeout = 0;
		spec->n_hooks[point] = i + 1; /* its arrays are freed even when it fails half-way */
		ds_oci_path_index(item, path, i);
		ds_oci_path_join(ppath, item, "path");
		if ((r = ds_oci_want(m, DS_JOBJECT, item, err)) < 0 ||
		    (r = ds_oci_get_string(m, "path", item, 1, &h->path, err)) < 0 ||
		    (r = ds_oci_absolute(h->path, ppath, err)) < 0 ||
		    (r = ds_oci_get_strings(m, "args", item, &h->args, &h->n_args, err)) < 0 ||
		    (r = ds_oci_get_strings(m, "env", item, &h->env, &h->n_env, err)) < 0 ||
		    (r = ds_oci_get_int(m, "timeout", item, 1, INT_MAX, &timeout, NULL, err)) < 0)
			return r;
		h->timeout = (int)timeout;
	}
	return 0;
}

static int read_hooks(const struct ds_jval *root, struct ds_oci_spec *spec, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	int r = ds_oci_get_object(root, "hooks", "", path, &v, err);
	if (r <= 0)
		return r;
	for (int point = 0; point < DS_OCI_HOOK_POINTS; point++)
		if ((r = read_hook_list(v, point, spec, err)) < 0)
			return r;
	return 0;
}

static int read_root(const struct ds_jval *root, struct ds_oci_spec *spec, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	int r = ds_oci_get_object(root, "root", "", path, &v, err);
	if (r < 0)
		return r;
	if (r == 0)
		return ds_oci_bad(err, "root", "missing");
	if ((r = ds_oci_get_string(v, "path", path, 1, &spec->root_path, err)) < 0 ||
	    (r = ds_oci_get_bool(v, "readonly", path, &spec->root_readonly, err)) < 0)
		return r;
	if (!spec->root_path[0])
		return ds_oci_bad(err, "root.path", "empty");
	return 0;
}

int ds_oci_spec_parse(const char *text, size_t len, struct ds_oci_spec *spec, struct ds_error *err)
{
	memset(spec, 0, sizeof(*spec));
	struct ds_error jerr = { 0 };
	int r = ds_json_parse(text, len, &spec->doc, &jerr);
	if (r < 0)
		return ds_fail(err, r, "config.json: %s", jerr.msg);
	const struct ds_jval *root = spec->doc.root;
	if (root->type != DS_JOBJECT)
		return ds_oci_bad(err, "(top level)", "expected an object, got %s", ds_oci_a_type(root->type));
	if ((r = ds_oci_get_string(root, "ociVersion", "", 1, &spec->oci_version, err)) < 0 ||
	    (r = read_root(root, spec, err)) < 0 || (r = read_process(root, spec, err)) < 0 ||
	    (r = ds_oci_get_string(root, "hostname", "", 0, &spec->hostname, err)) < 0 ||
	    (r = read_mounts(root, spec, err)) < 0 || (r = read_linux(root, spec, err)) < 0 ||
	    (r = read_pairs(root, "annotations", "", &spec->annotations, &spec->n_annotations, err)) < 0 ||
	    (r = read_hooks(root, spec, err)) < 0)
		return r;
	return 0;
}

void ds_oci_spec_free(struct ds_oci_spec *spec)
{
	struct ds_oci_process *p = &spec->process;
	free(p->args);
	free(p->env);
	free(p->additional_gids);
	free(p->rlimits);
	for (size_t i = 0; i < spec->n_mounts; i++)
		free(spec->mounts[i].options);
	free(spec->mounts);
	free(spec->masked_paths);
	free(spec->readonly_paths);
	free(spec->sysctl);
	free(spec->devices);
	free(spec->uid_mappings);
	free(spec->gid_mappings);
	free(spec->resources.devices);
	free(spec->annotations);
	ds_oci_seccomp_free(&spec->seccomp);
	for (int point = 0; point < DS_OCI_HOOK_POINTS; point++) {
		for (size_t i = 0; i < spec->n_hooks[point]; i++) {
			free(spec->hooks[point][i].args);
			free(spec->hooks[point][i].env);
		}
		free(spec->hooks[point]);
	}
	ds_jdoc_free(&spec->doc);
	memset(spec, 0, sizeof(*spec));
}
