/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/caps.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/capability.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The ambient set's prctl (Linux 4.3), absent from older headers. */
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#ifndef PR_CAP_AMBIENT_CLEAR_ALL
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
/* CAP_AUDIT_READ is Linux 3.16: older headers lack it, the bit is the same. */
#ifndef CAP_AUDIT_READ
#define CAP_AUDIT_READ 37
#endif
/* Capability masks here are 64 bits wide (the kernel's two 32-bit words). */
#define DS_CAP_BITS 64

/*
 * Capabilities the guest's init may never get back (unless --keep-caps names
 * them): the host's kernel modules, raw I/O and clock, LSM policy, the
 * host-wide audit subsystem (its rules and its log; CAP_AUDIT_WRITE stays
 * for login and sshd), and, sharing the host's network, CAP_NET_ADMIN, so
 * that a guest's halt scripts cannot down the host's interfaces.
 */
static const struct {
	int cap;
	const char *name; /* for --keep-caps and the saved settings */
	int hw_keeps;     /* --hw-access keeps it */
} dropped_caps[] = {
	{ CAP_NET_ADMIN, "net_admin", 0 },         { CAP_SYS_MODULE, "sys_module", 0 },
	{ CAP_SYS_RAWIO, "sys_rawio", 1 },         { CAP_SYS_TIME, "sys_time", 0 },
	{ CAP_AUDIT_CONTROL, "audit_control", 0 }, { CAP_MAC_OVERRIDE, "mac_override", 0 },
	{ CAP_MAC_ADMIN, "mac_admin", 0 },         { CAP_AUDIT_READ, "audit_read", 0 },
};

int ds_caps_drop(unsigned long long keep, int hw_access, struct ds_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(dropped_caps); i++) {
		int cap = dropped_caps[i].cap;
		if ((keep & (1ULL << cap)) || (dropped_caps[i].hw_keeps && hw_access))
			continue;
		/* EINVAL: a capability this (old) kernel does not know; nothing to drop. */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return ds_fail(err, negerrno(), "cannot drop capability %s", dropped_caps[i].name);
	}
	return ds_caps_clear_inherited(err);
}

int ds_caps_clear_inherited(struct ds_error *err)
{
	/* EINVAL: a kernel before 4.3 has no ambient set, so nothing to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return ds_fail(err, negerrno(), "cannot clear the ambient capabilities");
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return ds_fail(err, negerrno(), "cannot read the capabilities");
	d[0].inheritable = d[1].inheritable = 0;
	if (syscall(SYS_capset, &h, d) < 0)
		return ds_fail(err, negerrno(), "cannot clear the inheritable capabilities");
	return 0;
}

int ds_caps_parse_keep(const char *list, unsigned long long *mask, struct ds_error *err)
{
	char buf[256];
	unsigned long long m = 0;
	if (!list[0] || strlen(list) >= sizeof(buf))
		return ds_fail(err, DS_EINVAL_MSG,
			       "--keep-caps: expected a comma-separated list of capabilities or 'all'");
	snprintf(buf, sizeof(buf), "%s", list);
	char *rest = buf;
	for (char *w; (w = strsep(&rest, ","));) {
		if (!w[0])
			return ds_fail(err, DS_EINVAL_MSG, "--keep-caps: an empty name in '%.60s'", list);
		if (!strncasecmp(w, "cap_", 4))
			w += 4;
		int found = 0;
		for (size_t i = 0; i < ARRAY_SIZE(dropped_caps); i++)
			if (!strcasecmp(w, dropped_caps[i].name) || !strcasecmp(w, "all")) {
				m |= 1ULL << dropped_caps[i].cap;
				found = 1;
			}
		if (!found) {
			char names[256] = "";
			ds_caps_format_keep(~0ULL, names, sizeof(names));
			return ds_fail(
				err, DS_EINVAL_MSG,
				"--keep-caps: '%.40s' is not one of the capabilities droidspaces drops (%s, all)", w,
				names);
		}
	}
	if (!m)
		return ds_fail(err, DS_EINVAL_MSG,
			       "--keep-caps: expected a comma-separated list of capabilities or 'all'");
	*mask = m;
	return 0;
}

void ds_caps_format_keep(unsigned long long mask, char *out, size_t size)
{
	size_t pos = 0;
	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(dropped_caps); i++) {
		if (!(mask & (1ULL << dropped_caps[i].cap)))
			continue;
		int n = snprintf(out + pos, size - pos, "%s%s", pos ? "," : "", dropped_caps[i].name);
		if (n < 0 || (size_t)n >= size - pos) {
			out[pos] = '\0'; /* whole names only */
			return;
		}
		pos += (size_t)n;
	}
}

int ds_caps_bounding_of(pid_t pid, unsigned long long *mask)
{
	char buf[4096];
	if (ds_proc_status(pid, buf, sizeof(buf)) < 0)
		return -ESRCH;
	char *l = strstr(buf, "\nCapBnd:");
	if (!l)
		return -ENOENT;
	*mask = strtoull(l + 8, NULL, 16);
	return 0;
}

int ds_caps_limit_to(unsigned long long mask, struct ds_error *err)
{
	for (int cap = 0; cap < DS_CAP_BITS; cap++) {
		if (mask & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return ds_fail(err, negerrno(), "cannot drop capability %d", cap);
	}
	return ds_caps_clear_inherited(err);
}

/* Kernel defaults as the host's init got them (asm-generic/resource.h), bar NOFILE's hard limit. */
#define DS_NOFILE_HARD 524288 /* as systemd gives services and nspawn containers */
#define DS_MIB (1024ULL * 1024)
static const struct {
	int resource;
	unsigned long long soft, hard; /* DS_RLIM_TASKS: threads-max / 2, as fork_init() sets */
} guest_limits[] = {
	{ RLIMIT_CPU, DS_RLIM_INF, DS_RLIM_INF },
	{ RLIMIT_FSIZE, DS_RLIM_INF, DS_RLIM_INF },
	{ RLIMIT_DATA, DS_RLIM_INF, DS_RLIM_INF },
	{ RLIMIT_STACK, 8 * DS_MIB, DS_RLIM_INF },
	{ RLIMIT_CORE, 0, DS_RLIM_INF },
	{ RLIMIT_RSS, DS_RLIM_INF, DS_RLIM_INF },
	{ RLIMIT_NPROC, DS_RLIM_TASKS, DS_RLIM_TASKS },
	{ RLIMIT_NOFILE, 1024, DS_NOFILE_HARD },
	{ RLIMIT_MEMLOCK, 8 * DS_MIB, 8 * DS_MIB },
	{ RLIMIT_AS, DS_RLIM_INF, DS_RLIM_INF },
	{ RLIMIT_LOCKS, DS_RLIM_INF, DS_RLIM_INF },
	{ RLIMIT_SIGPENDING, DS_RLIM_TASKS, DS_RLIM_TASKS },
	{ RLIMIT_MSGQUEUE, 819200, 819200 },
	{ RLIMIT_NICE, 0, 0 },
	{ RLIMIT_RTPRIO, 0, 0 },
	{ RLIMIT_RTTIME, DS_RLIM_INF, DS_RLIM_INF },
};

/* A number from a /proc/sys file, or fallback. */
static unsigned long long sysctl_value(const char *path, unsigned long long fallback)
{
	char buf[32], *end;
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return fallback;
	unsigned long long v = strtoull(buf, &end, 10);
	return end == buf ? fallback : v;
}

static rlim_t limit_value(unsigned long long v, unsigned long long tasks)
{
	if (v == DS_RLIM_INF)
		return RLIM_INFINITY;
	return (rlim_t)(v == DS_RLIM_TASKS ? tasks : v);
}

void ds_guest_limits(int resource, struct rlimit *out)
{
	unsigned long long tasks = sysctl_value("/proc/sys/kernel/threads-max", 2 * 4096) / 2;
	unsigned long long nr_open = sysctl_value("/proc/sys/fs/nr_open", 1024 * 1024);
	out->rlim_cur = out->rlim_max = RLIM_INFINITY;
	for (size_t i = 0; i < ARRAY_SIZE(guest_limits); i++) {
		if (guest_limits[i].resource != resource)
			continue;
		out->rlim_cur = limit_value(guest_limits[i].soft, tasks);
		out->rlim_max = limit_value(guest_limits[i].hard, tasks);
	}
	/* The kernel refuses a NOFILE limit above fs.nr_open. */
	if (resource == RLIMIT_NOFILE && out->rlim_max > nr_open)
		out->rlim_max = nr_open;
	if (out->rlim_cur > out->rlim_max)
		out->rlim_cur = out->rlim_max;
}

int ds_process_defaults(struct ds_error *err)
{
	/* The caller's supplementary groups, umask and limits are no business of the guest's. */
	if (setgroups(0, NULL) < 0)
		return ds_fail(err, negerrno(), "cannot drop the supplementary groups");
	umask(022);
	for (size_t i = 0; i < ARRAY_SIZE(guest_limits); i++) {
		int res = guest_limits[i].resource;
		struct rlimit rl, now;
		ds_guest_limits(res, &rl);
		/* Without CAP_SYS_RESOURCE a hard limit cannot rise: the caller's stays. */
		int rc = setrlimit(res, &rl);
		if (rc < 0 && errno == EPERM && getrlimit(res, &now) == 0) {
			rl.rlim_max = rl.rlim_max > now.rlim_max ? now.rlim_max : rl.rlim_max;
			rl.rlim_cur = rl.rlim_cur > rl.rlim_max ? rl.rlim_max : rl.rlim_cur;
			rc = setrlimit(res, &rl);
		}
		/* EINVAL: a limit this (old) kernel does not know, such as RLIMIT_RTTIME. */
		if (rc < 0 && errno != EINVAL)
			return ds_fail(err, negerrno(), "cannot set resource limit %d", res);
	}
	/*
	 * The guest starts with the kernel's default OOM score, not the caller's.
	 * EACCES: a floor set by a privileged ancestor (oom_score_adj_min) stays.
	 */
	int r = ds_write_file("/proc/self/oom_score_adj", "0", 0644);
	if (r < 0 && r != -ENOENT && r != -EACCES)
		return ds_fail(err, r, "cannot reset oom_score_adj");
	return 0;
}
