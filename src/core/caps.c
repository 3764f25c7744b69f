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
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Capabilities the guest's init may never get back (unless --keep-caps names
 * them): the host's kernel modules, raw I/O and clock, LSM policy, the
 * host-wide audit subsystem (its rules and its log; CAP_AUDIT_WRITE stays
 * for login and sshd), and, sharing the host's network, CAP_NET_ADMIN, so
 * that a guest's halt scripts cannot down the host's interfaces.
 */
static const struct {
	int cap;
	const char *name;  /* for --keep-caps and the saved settings */
	int hw_keeps;      /* --hw-access keeps it */
} dropped_caps[] = {
	{ 12, "net_admin", 0 },     { 16, "sys_module", 0 },    { 17, "sys_rawio", 1 },
	{ 25, "sys_time", 0 },      { 30, "audit_control", 0 }, { 32, "mac_override", 0 },
	{ 33, "mac_admin", 0 },     { 37, "audit_read", 0 },
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
	/* No inherited or ambient capability may carry a dropped one across execve. */
	prctl(47 /* PR_CAP_AMBIENT */, 4 /* PR_CAP_AMBIENT_CLEAR_ALL */, 0, 0, 0);
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].inheritable = d[1].inheritable = 0;
		syscall(SYS_capset, &h, d);
	}
	return 0;
}

int ds_caps_parse_keep(const char *list, unsigned long long *mask, struct ds_error *err)
{
	char buf[256];
	unsigned long long m = 0;
	if (!list[0] || strlen(list) >= sizeof(buf))
		return ds_fail(err, DS_EINVAL_MSG, "--keep-caps: expected a comma-separated list of capabilities or 'all'");
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
			return ds_fail(err, DS_EINVAL_MSG, "--keep-caps: '%.40s' is not one of the capabilities droidspaces drops (%s, all)",
				       w, names);
		}
	}
	if (!m)
		return ds_fail(err, DS_EINVAL_MSG, "--keep-caps: expected a comma-separated list of capabilities or 'all'");
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
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (ds_read_file(path, buf, sizeof(buf)) <= 0)
		return -ESRCH;
	char *l = strstr(buf, "\nCapBnd:");
	if (!l)
		return -ENOENT;
	*mask = strtoull(l + 8, NULL, 16);
	return 0;
}

int ds_caps_limit_to(unsigned long long mask, struct ds_error *err)
{
	for (int cap = 0; cap < 64; cap++) {
		if (mask & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return ds_fail(err, negerrno(), "cannot drop capability %d", cap);
	}
	prctl(47 /* PR_CAP_AMBIENT */, 4 /* PR_CAP_AMBIENT_CLEAR_ALL */, 0, 0, 0);
	return 0;
}
