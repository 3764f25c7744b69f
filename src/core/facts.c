/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/facts.h"
#include "core/halt.h"
#include "core/inventory.h"
#include "core/saved.h"
#include "core/state.h"
#include "core/seccomp.h"
#include "fs/devices.h"
#include "fs/mountinfo.h"
#include "fs/mounts.h"
#include "host/android.h"
#include "util/fileio.h"
#include "util/macros.h"
#include "util/osrelease.h"
#include "util/path.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void read_proc_file(pid_t pid, const char *rel, char *buf, size_t size)
{
	buf[0] = '\0';
	/* Resolved inside the guest's root: a link there never reaches a host file. */
	_cleanup_close_ int rootfd = ds_proc_root_open(pid);
	if (rootfd >= 0 && ds_read_file_in_root(rootfd, rel, buf, size) > 0)
		ds_chomp(buf);
}

/* The fstype mounted at mountpoint in the container's mount namespace ("" for none). */
static void mount_fstype(pid_t pid, const char *mountpoint, char *out, size_t size)
{
	_cleanup_free_ struct ds_mountinfo *m = malloc(sizeof(*m)); /* a few paths: not for the stack */
	out[0] = '\0';
	if (m && ds_mountinfo_at(pid, mountpoint, m) == 1)
		snprintf(out, size, "%s", m->fstype);
}

/*
 * Init's uid map as the kernel has it: guest id 0 at host id BASE, SIZE ids
 * (DS_USERNS_FIXED), or the host's own identity map (DS_USERNS_OFF).
 */
static void read_uid_map(pid_t pid, struct ds_userns *u)
{
	char path[64], text[256];
	unsigned inner, base, size;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	*u = (struct ds_userns){ .mode = DS_USERNS_OFF };
	if (ds_read_file(path, text, sizeof(text)) <= 0 || sscanf(text, "%u %u %u", &inner, &base, &size) != 3)
		return;
	if (inner == 0 && !(base == 0 && size == UINT32_MAX))
		*u = (struct ds_userns){ .mode = DS_USERNS_FIXED, .base = base, .size = size };
}

int ds_facts_gather(const struct ds_config *cfg, struct ds_facts *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", cfg->container_name);
	struct ds_state st;
	int live = ds_state_read_live(cfg->pidfile, &st) == 1;
	_cleanup_saved_ struct ds_saved *saved = ds_saved_new();
	char path[PATH_MAX];
	struct ds_error err = { 0 };
	if (!saved)
		return -ENOMEM;
	ds_saved_path(cfg, cfg->container_name, path, sizeof(path));
	int have_saved = ds_saved_load(path, saved, &err) == 0;
	if (!live && !have_saved)
		return access(path, F_OK) == 0 ? -2 : -1;
	snprintf(f->state, sizeof(f->state), "%s", live ? "running" : "stopped");
	if (have_saved) {
		snprintf(f->rootfs, sizeof(f->rootfs), "%s", ds_rootfs_source(&saved->settings));
		snprintf(f->hostname, sizeof(f->hostname), "%s", saved->settings.hostname);
		f->volatile_mode = saved->settings.volatile_mode;
		f->image = saved->settings.rootfs_img_path[0] != 0;
		f->binds = saved->settings.bind_count;
		f->ipv6 = saved->settings.enable_ipv6;
		f->android_storage = saved->settings.android_storage;
		f->limits = saved->settings.limits;
		f->userns = saved->settings.userns;
		f->net_mode = saved->settings.net_mode;
		f->net_addr = saved->settings.net_addr;
		f->ports = saved->settings.ports;
		f->shift = saved->settings.shift;
	}
	struct ds_osrelease os;
	if (live) {
		f->pid = st.pid;
		f->uptime = ds_proc_uptime(st.pid);
		snprintf(f->init, sizeof(f->init), "%s", ds_init_kind_name(ds_init_detect(st.pid)));
		snprintf(f->rootfs, sizeof(f->rootfs), "%s", st.rootfs);
		snprintf(f->cgroup, sizeof(f->cgroup), "%s", st.cgroup);
		read_uid_map(st.pid, &f->userns);
		if (!f->hostname[0]) /* the UTS name we set; etc/hostname may be shared with another */
			read_proc_file(st.pid, "etc/hostname", f->hostname, sizeof(f->hostname));
		char v[16];
		read_proc_file(st.pid, "proc/sys/net/ipv6/conf/all/disable_ipv6", v, sizeof(v));
		f->ipv6 = v[0] == '0';
		/* SELinux is the host kernel's, whatever the guest mounts. */
		char sel[PATH_MAX];
		ds_host_path("/sys/fs/selinux/enforce", sel, sizeof(sel));
		if (ds_read_file(sel, v, sizeof(v)) > 0)
			f->selinux_enforcing = v[0] == '1';
		mount_fstype(st.pid, "/dev", f->devfs, sizeof(f->devfs));
		char storage[16];
		mount_fstype(st.pid, "/storage/emulated/0", storage, sizeof(storage));
		f->android_storage = storage[0] != 0;
		char root[64];
		snprintf(root, sizeof(root), "/proc/%d/root", (int)st.pid);
		ds_osrelease_read(root, &os);
	} else if (!f->image) {
		ds_osrelease_read(f->rootfs, &os);
	} else {
		memset(&os, 0, sizeof(os)); /* inside the image, which is not mounted while it is stopped */
	}
	snprintf(f->os, sizeof(f->os), "%s", os.pretty_name);
	snprintf(f->os_id, sizeof(f->os_id), "%s", os.id);
	snprintf(f->os_version, sizeof(f->os_version), "%s", os.version_id);
	if (!live)
		return 0;
	f->hw_access = strcmp(f->devfs, "devtmpfs") == 0;
	/* The syscall filter as the kernel reports it for init (off: --privileged=seccomp, or no kernel support). */
	f->seccomp_filtered = ds_seccomp_mode_of(f->pid) == 2;
	/* The device policy on its cgroup, as the kernel has it, and what the cgroup counts. */
	struct ds_cgroups cg;
	f->usage = (struct ds_cg_usage){ -1, -1, -1 };
	if (f->cgroup[0] && ds_cgroup_detect(&cg) == 0) {
		f->devices = ds_devpolicy_of(&cg, f->cgroup);
		ds_cgroup_usage(&cg, f->cgroup, &f->usage);
	}
	return 0;
}
