/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An OCI bundle's config.json (runtime-spec 1.x) read into a struct: the
 * fields droidspaces-oci honours, each checked for its JSON type and its
 * meaning. Unknown fields are ignored, as the spec asks; a known field of the
 * wrong type is refused with one line naming its path ("process.args[1]:
 * expected a string, got a number").
 *
 * Strings point into the parsed document the spec owns; ds_oci_spec_free
 * releases both.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fs/devices.h"
#include "oci/seccomp.h"
#include "util/error.h"
#include "util/jsonparse.h"

/* The capability sets, in the order of process.capabilities' members. */
enum ds_oci_capset {
	DS_OCI_CAP_BOUNDING,
	DS_OCI_CAP_EFFECTIVE,
	DS_OCI_CAP_INHERITABLE,
	DS_OCI_CAP_PERMITTED,
	DS_OCI_CAP_AMBIENT,
	DS_OCI_CAPSETS,
};

/* The namespaces, in the order they are joined or made. */
enum ds_oci_ns {
	DS_OCI_NS_USER,
	DS_OCI_NS_PID,
	DS_OCI_NS_NETWORK,
	DS_OCI_NS_IPC,
	DS_OCI_NS_UTS,
	DS_OCI_NS_MOUNT,
	DS_OCI_NS_CGROUP,
	DS_OCI_NS_TIME,
	DS_OCI_NAMESPACES,
};

struct ds_oci_rlimit {
	int resource; /* RLIMIT_* */
	unsigned long long soft, hard;
};

struct ds_oci_mount {
	const char *destination;
	const char *type;   /* NULL when absent */
	const char *source; /* NULL when absent */
	const char **options;
	size_t n_options;
};

/* linux.devices: a node made in the container. */
struct ds_oci_device {
	const char *path; /* absolute, in the container */
	unsigned mode;    /* S_IFCHR, S_IFBLK or S_IFIFO, with fileMode's bits (0666 when absent) */
	unsigned major, minor;
	int has_uid, has_gid;
	uint32_t uid, gid;
};

/* linux.uidMappings, gidMappings: one line of a uid_map or gid_map. */
struct ds_oci_idmap {
	uint32_t container_id, host_id, size;
};
/* Lines a map may have (the kernel's limit since 4.15; older ones take 5). */
#define DS_OCI_IDMAP_MAX 340

struct ds_oci_pair {
	const char *key, *value;
};

struct ds_oci_process {
	int terminal;
	const char **args;
	size_t n_args;
	const char **env;
	size_t n_env;
	const char *cwd;
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	int has_caps[DS_OCI_CAPSETS];            /* the set was given (absent: empty) */
	unsigned long long caps[DS_OCI_CAPSETS]; /* bit CAP_X per name */
	struct ds_oci_rlimit *rlimits;
	size_t n_rlimits;
	int no_new_privileges;
	int has_oom_score_adj;
	int oom_score_adj;
};

/* The hook points of config.json's "hooks", in the order of the lifecycle. */
enum ds_oci_hook_point {
	DS_OCI_HOOK_PRESTART,         /* create, runtime namespace, before pivot_root (deprecated) */
	DS_OCI_HOOK_CREATE_RUNTIME,   /* create, runtime namespace, before pivot_root */
	DS_OCI_HOOK_CREATE_CONTAINER, /* create, container namespaces, before pivot_root */
	DS_OCI_HOOK_START_CONTAINER,  /* start, in the container, before process.args */
	DS_OCI_HOOK_POSTSTART,        /* start, runtime namespace, after process.args began */
	DS_OCI_HOOK_POSTSTOP,         /* delete, runtime namespace, after the container is gone */
	DS_OCI_HOOK_POINTS,
};

struct ds_oci_hook {
	const char *path;  /* absolute */
	const char **args; /* NULL: { path } */
	size_t n_args;
	const char **env; /* NULL: empty */
	size_t n_env;
	int timeout; /* seconds; 0: none */
};

struct ds_oci_resources {
	int has_memory_limit, has_pids_limit, has_cpu_quota, has_cpu_period, has_cpu_shares;
	int has_memory_reservation, has_swappiness, disable_oom_killer;
	long long memory_limit;        /* bytes; -1: unlimited */
	long long memory_reservation;  /* bytes (a soft limit); -1: none */
	unsigned long long swappiness; /* 0-100 */
	long long pids_limit;          /* -1 (or 0): unlimited */
	long long cpu_quota;           /* microseconds per period; -1: unlimited */
	unsigned long long cpu_period, cpu_shares;
	const char *cpuset_cpus, *cpuset_mems; /* cpu.cpus, cpu.mems ("0-3,6"); NULL: inherited */
	struct ds_dev_access *devices;         /* devices: the device cgroup's list, in order */
	size_t n_devices;
};

struct ds_oci_spec {
	struct ds_jdoc doc;
	const char *oci_version;
	const char *root_path;
	int root_readonly;
	int has_process;
	struct ds_oci_process process;
	const char *hostname; /* NULL when absent */
	struct ds_oci_mount *mounts;
	size_t n_mounts;
	/* linux.namespaces: wanted[t] when listed; path[t] the one to join, or NULL for a new one. */
	int ns_wanted[DS_OCI_NAMESPACES];
	const char *ns_path[DS_OCI_NAMESPACES];
	struct ds_oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	const char **masked_paths;
	size_t n_masked_paths;
	const char **readonly_paths;
	size_t n_readonly_paths;
	struct ds_oci_resources resources;
	const char *cgroups_path; /* NULL when absent */
	struct ds_oci_pair *sysctl;
	size_t n_sysctl;
	struct ds_oci_device *devices;
	size_t n_devices;
	unsigned long rootfs_propagation; /* MS_SHARED, MS_SLAVE... (with MS_REC for the r- forms); 0: none */
	struct ds_oci_pair *annotations;
	size_t n_annotations;
	struct ds_oci_seccomp seccomp; /* linux.seccomp */
	struct ds_oci_hook *hooks[DS_OCI_HOOK_POINTS];
	size_t n_hooks[DS_OCI_HOOK_POINTS];
};

/*
 * Parses config.json text into spec. Returns 0, or a negative errno with err
 * holding one line: "config.json: line 3 column 5: ..." for bad JSON,
 * "config.json: process.cwd: ..." for a bad field. spec is always safe to free.
 */
int ds_oci_spec_parse(const char *text, size_t len, struct ds_oci_spec *spec, struct ds_error *err);
/*
 * exec's process.json (a process object at the top) into spec->process; the
 * messages are those of config.json's "process" (the caller renames them).
 */
int ds_oci_process_parse(const char *text, size_t len, struct ds_oci_spec *spec, struct ds_error *err);
void ds_oci_spec_free(struct ds_oci_spec *spec);
/* A spec freed when it goes out of scope (initialize it: = { 0 }). */
#define _cleanup_oci_spec_ __attribute__((cleanup(ds_oci_spec_free)))
/* "prestart", "createRuntime", ... as config.json names the hook point. */
const char *ds_oci_hook_name(enum ds_oci_hook_point point);
/* "pid", "network", ... as config.json names the namespace. */
const char *ds_oci_ns_name(enum ds_oci_ns ns);
