/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check: the seed's requirements (section 2), each with a verdict. */
#include "cmd/cmd.h"
#include "core/seccomp.h"
#include "fs/cgroup.h"
#include "fs/devices.h"
#include "fs/mounts.h"
#include "util/fileio.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define RAMFS_MAGIC 0x858458f6UL

enum level { MUST, RECOMMENDED, OPTIONAL };

static int is_root(void) { return getuid() == 0; }
static int has_ns(const char *ns)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/ns/%s", ns);
	return access(p, F_OK) == 0;
}
static int ns_pid(void) { return has_ns("pid"); }
static int ns_mnt(void) { return has_ns("mnt"); }
static int ns_uts(void) { return has_ns("uts"); }
static int ns_ipc(void) { return has_ns("ipc"); }
static int ns_cgroup(void) { return has_ns("cgroup"); }
static int fs_devtmpfs(void) { return ds_file_has_word("/proc/filesystems", "devtmpfs"); }
static int fs_overlay(void) { return ds_file_has_word("/proc/filesystems", "overlay"); }
static int fs_ext4(void) { return ds_file_has_word("/proc/filesystems", "ext4"); }
static int fs_devpts(void) { return ds_file_has_word("/proc/filesystems", "devpts"); }
static int cgroups(void)
{
	struct ds_cgroups cg;
	return ds_cgroup_detect(&cg) == 0 && cg.mode != DS_CG_NONE;
}
static int cgroup2(void)
{
	struct ds_cgroups cg;
	return ds_cgroup_detect(&cg) == 0 && (cg.mode == DS_CG_UNIFIED || cg.mode == DS_CG_HYBRID);
}
static int pivot_ok(void) { return ds_fs_magic("/") != RAMFS_MAGIC; }
static int proc_sys(void) { return access("/proc/self", F_OK) == 0 && access("/sys/kernel", F_OK) == 0; }
static int epoll_ok(void)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);
	return fd >= 0 && close(fd) == 0;
}
static int signalfd_ok(void)
{
	sigset_t m;
	sigemptyset(&m);
	int fd = signalfd(-1, &m, SFD_CLOEXEC);
	return fd >= 0 && close(fd) == 0;
}
static int ptmx_ok(void) { return access("/dev/ptmx", R_OK | W_OK) == 0; }
static int loop_ok(void) { return access("/dev/loop-control", F_OK) == 0; }
static int v1_devices(void) { return ds_file_has_word("/proc/cgroups", "devices"); }
static int seccomp_ok(void) { return ds_seccomp_available(); }
static int devprog_ok(void) { return ds_devpolicy_bpf_available() || (!cgroup2() && v1_devices()); }

static const struct {
	enum level level;
	const char *what;
	int (*test)(void);
	const char *why;
} checks[] = {
	{ MUST, "root privileges", is_root, "namespaces and mounts need CAP_SYS_ADMIN" },
	{ MUST, "PID namespace", ns_pid, "the guest's own PID tree" },
	{ MUST, "mount namespace", ns_mnt, "the guest's own mount table" },
	{ MUST, "UTS namespace", ns_uts, "the guest's own hostname" },
	{ MUST, "IPC namespace", ns_ipc, "the guest's own IPC objects" },
	{ MUST, "devtmpfs", fs_devtmpfs, "device nodes for --hw-access" },
	{ MUST, "cgroup support", cgroups, "systemd needs a cgroup tree" },
	{ MUST, "pivot_root (root is not ramfs)", pivot_ok, "switching to the rootfs" },
	{ MUST, "/proc and /sys", proc_sys, "essential virtual filesystems" },
	{ RECOMMENDED, "cgroup2 hierarchy", cgroup2, "modern systemd prefers a unified tree" },
	{ RECOMMENDED, "cgroup namespace", ns_cgroup, "the guest sees only its own cgroup" },
	{ RECOMMENDED, "seccomp filters (3.5+)", seccomp_ok,
	  "the syscall filter (kexec, modules, kernel log, superblock remounts); without it guests boot unfiltered" },
	{ RECOMMENDED, "device cgroup (bpf 4.15+, or v1)", devprog_ok,
	  "the device policy (only the standard nodes open); without it the guest can open every device node" },
	{ RECOMMENDED, "epoll", epoll_ok, "console and terminal forwarding" },
	{ RECOMMENDED, "signalfd", signalfd_ok, "console and terminal forwarding" },
	{ RECOMMENDED, "PTY support (/dev/ptmx, devpts)", ptmx_ok, "the console" },
	{ RECOMMENDED, "devpts filesystem", fs_devpts, "the guest's own PTYs" },
	{ RECOMMENDED, "loop devices", loop_ok, "rootfs images (--rootfs-img)" },
	{ RECOMMENDED, "ext4", fs_ext4, "rootfs images (--rootfs-img)" },
	{ OPTIONAL, "OverlayFS", fs_overlay, "--volatile" },
};

int cmd_check(struct ds_cli *cli)
{
	(void)cli;
	static const char *const heads[] = { "Required", "Recommended", "Optional" };
	int failed_must = 0, failed_other = 0;
	for (int lvl = MUST; lvl <= OPTIONAL; lvl++) {
		printf("%s:\n", heads[lvl]);
		for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
			if ((int)checks[i].level != lvl)
				continue;
			int ok = checks[i].test();
			printf("  [%s] %-34s %s\n", ok ? " OK " : (lvl == MUST ? "FAIL" : "WARN"), checks[i].what,
			       ok ? "" : checks[i].why);
			if (!ok && lvl == MUST)
				failed_must++;
			else if (!ok)
				failed_other++;
		}
	}
	if (failed_must)
		printf("Verdict: this system cannot run containers (%d required feature%s missing).\n", failed_must,
		       failed_must > 1 ? "s" : "");
	else if (failed_other)
		printf("Verdict: ready, with %d optional feature%s missing.\n", failed_other,
		       failed_other > 1 ? "s" : "");
	else
		printf("Verdict: ready.\n");
	return failed_must ? 1 : 0;
}
