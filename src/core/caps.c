/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/caps.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Capabilities the guest's init may never get back: the host's kernel and
 * clock, LSM policy, and (sharing the host's network) CAP_NET_ADMIN, so that
 * a guest's halt scripts cannot down the host's interfaces.
 */
static const struct {
	int cap;
	int hw_keeps;      /* --hw-access keeps it */
} dropped_caps[] = {
	{ 12 /* CAP_NET_ADMIN */, 0 }, { 16 /* CAP_SYS_MODULE */, 0 }, { 17 /* CAP_SYS_RAWIO */, 1 },
	{ 25 /* CAP_SYS_TIME */, 0 },  { 32 /* CAP_MAC_OVERRIDE */, 0 }, { 33 /* CAP_MAC_ADMIN */, 0 },
};

int ds_caps_drop(int keep_net_admin, int hw_access, struct ds_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(dropped_caps); i++) {
		int cap = dropped_caps[i].cap;
		if ((cap == 12 && keep_net_admin) || (dropped_caps[i].hw_keeps && hw_access))
			continue;
		/* EINVAL: a capability this (old) kernel does not know; nothing to drop. */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return ds_fail(err, negerrno(), "cannot drop capability %d", cap);
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
