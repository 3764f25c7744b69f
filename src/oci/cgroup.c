/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cgroupsPath and resources of config.json (see cgroup.h). */
#include "oci/cgroup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int bad_path(const char *p, struct ds_error *err)
{
	return ds_fail(err, DS_EINVAL_MSG, "config.json: linux.cgroupsPath: \"%.100s\" is not a cgroup path", p);
}

/* Every component a plain name: no "", ".", ".." (nothing may climb out of the hierarchy). */
static int check_components(const char *rel, const char *given, struct ds_error *err)
{
	const char *p = rel;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return bad_path(given, err);
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

int ds_oci_cgroup_rel(const struct ds_oci_spec *s, const char *id, char *out, size_t size, struct ds_error *err)
{
	const char *p = s->cgroups_path;
	int n;
	if (!p || !*p) {
		n = snprintf(out, size, "droidspaces-oci/%s", id);
	} else if (p[0] != '/' && strchr(p, ':')) {
		/* SLICE:PREFIX:NAME, the systemd driver's form. */
		const char *c1 = strchr(p, ':'), *c2 = strchr(c1 + 1, ':');
		if (!c2 || strchr(c2 + 1, ':') || c2[1] == '\0')
			return bad_path(p, err);
		int slice = (int)(c1 - p), prefix = (int)(c2 - c1 - 1);
		if (slice == 0)
			n = snprintf(out, size, "system.slice/%.*s%s%s.scope", prefix, c1 + 1, prefix ? "-" : "",
				     c2 + 1);
		else
			n = snprintf(out, size, "%.*s/%.*s%s%s.scope", slice, p, prefix, c1 + 1, prefix ? "-" : "",
				     c2 + 1);
	} else {
		while (*p == '/')
			p++;
		n = snprintf(out, size, "%s", p);
	}
	if (n < 0 || (size_t)n >= size)
		return ds_fail(err, -ENAMETOOLONG, "config.json: linux.cgroupsPath");
	if (strchr(out, '\n'))
		return bad_path(s->cgroups_path, err);
	/* The native containers' cgroups (claimed by their monitors, fs/cgroup.h) are not an OCI container's. */
	if (strncmp(out, "droidspaces/", 12) == 0 || strcmp(out, "droidspaces") == 0)
		return ds_fail(err, DS_EINVAL_MSG,
			       "config.json: linux.cgroupsPath %.200s is below droidspaces/, the native containers' "
			       "cgroups",
			       s->cgroups_path);
	return check_components(out, s->cgroups_path ? s->cgroups_path : id, err);
}

void ds_oci_limits(const struct ds_oci_spec *s, struct ds_limits *lim)
{
	const struct ds_oci_resources *r = &s->resources;
	memset(lim, 0, sizeof(*lim));
	if (r->has_memory_limit && r->memory_limit > 0)
		lim->memory = r->memory_limit;
	if (r->has_pids_limit && r->pids_limit > 0)
		lim->pids = r->pids_limit > INT_MAX ? INT_MAX : (int)r->pids_limit;
	if (r->has_cpu_quota && r->cpu_quota > 0) {
		/* The quota and period as given (the kernel takes periods of 1 ms to 1 s); cpus_milli for info. */
		unsigned long long period = r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000;
		unsigned long long milli = (unsigned long long)r->cpu_quota * 1000 / period;
		lim->cpus_milli = milli < 1 ? 1 : milli > INT_MAX ? INT_MAX : (int)milli;
		lim->cpu_quota_us = r->cpu_quota;
		lim->cpu_period_us = period > INT_MAX ? INT_MAX : (int)period;
	}
	if (r->has_memory_reservation && r->memory_reservation > 0)
		lim->memory_low = r->memory_reservation;
	lim->has_swappiness = r->has_swappiness;
	lim->swappiness = (int)r->swappiness;
	lim->oom_kill_disable = r->disable_oom_killer;
	snprintf(lim->cpuset_cpus, sizeof(lim->cpuset_cpus), "%s", r->cpuset_cpus ? r->cpuset_cpus : "");
	snprintf(lim->cpuset_mems, sizeof(lim->cpuset_mems), "%s", r->cpuset_mems ? r->cpuset_mems : "");
	if (r->has_cpu_shares && r->cpu_shares > 0) {
		/* 1024 shares is the default as 100 is cgroup2's: fs/cgroup.c maps it back to v1 shares. */
		unsigned long long w = r->cpu_shares > 102400000 ? 10000 : r->cpu_shares * 100 / 1024;
		lim->cpu_weight = w < 1 ? 1 : w > 10000 ? 10000 : (int)w;
	}
}

struct ds_dev_access *ds_oci_device_list(const struct ds_oci_spec *s, size_t *n)
{
	const struct ds_oci_resources *r = &s->resources;
	struct ds_dev_access *l = calloc(r->n_devices + s->n_devices + 1, sizeof(*l));
	if (!l)
		return NULL;
	if (r->n_devices) /* (no list: NULL, which memcpy may not be given even for 0 bytes) */
		memcpy(l, r->devices, r->n_devices * sizeof(*l));
	*n = r->n_devices;
	/* linux.devices: the nodes the config makes open too (as runc has it), block ones included. */
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct ds_oci_device *d = &s->devices[i];
		if (S_ISCHR(d->mode) || S_ISBLK(d->mode))
			l[(*n)++] = (struct ds_dev_access){ S_ISBLK(d->mode) ? 'b' : 'c',
							    (int)d->major,
							    (int)d->minor,
							    DS_DEV_READ | DS_DEV_WRITE | DS_DEV_MKNOD,
							    1,
							    0 };
	}
	return l;
}
