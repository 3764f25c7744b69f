/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Run as guest root inside a container by tests/e2e/60-confinement.bats:
 * tries what the seccomp filter refuses, each in a form that changes nothing
 * where it is allowed, and prints one line per class with the errno name.
 *
 *   handle:  open_by_handle_at() of the rootfs's own root directory (the
 *            handle names an inode; with it any inode of the filesystem)
 *   syslog:  the size of the kernel log buffer (SYSLOG_ACTION_SIZE_BUFFER)
 *   kexec:   kexec_file_load() with bad fds (EBADF where allowed)
 *   module:  init_module() of an empty image
 *   remount: a read-only superblock remount of the guest's own /run tmpfs
 *            (only the guest's /run where allowed)
 *   bindro:  a bind remount of the same with the flags it has, which stays
 *            allowed (ok: it changes one mount's flags, here none)
 *   fspick:  the new mount API's handle on a superblock (ENOSYS: libmount
 *            falls back to mount(2))
 *   mknod:   a block node of the first SCSI disk (8:0) made in /dev and
 *            removed again (the device policy refuses opening it; with
 *            --private-users the kernel refuses making it)
 *   core_pattern: /proc/sys/kernel/core_pattern of a procfs freshly mounted
 *            by the probe, opened for writing (nothing is written)
 *   kmsg:    /proc/kmsg of that procfs, opened for reading (nothing is read)
 *   seccomp: the Seccomp: line of /proc/self/status (2: a filter)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case ENOSYS: return "ENOSYS";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	case EACCES: return "EACCES";
	default: return strerror(e);
	}
}

static void row(const char *what, long r) { printf("%s: %s\n", what, name(r < 0 ? errno : 0)); }

int main(void)
{
	struct {
		struct file_handle fh;
		unsigned char buf[128];
	} h;
	int mnt;
	h.fh.handle_bytes = sizeof(h.buf);
	if (name_to_handle_at(AT_FDCWD, "/", &h.fh, &mnt, 0) < 0) {
		printf("handle: skipped (name_to_handle_at: %s)\n", name(errno));
	} else {
		int dirfd = open("/", O_RDONLY | O_DIRECTORY);
		long r = open_by_handle_at(dirfd, &h.fh, O_RDONLY);
		row("handle", r);
		if (r >= 0)
			close((int)r);
	}
	row("syslog", syscall(SYS_syslog, 10, NULL, 0));
#ifdef SYS_kexec_file_load
	row("kexec", syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0UL));
#else
	printf("kexec: skipped (no kexec_file_load on this architecture)\n");
#endif
	row("module", syscall(SYS_init_module, NULL, 0UL, ""));
	row("remount", mount(NULL, "/run", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL));
	row("bindro", mount(NULL, "/run", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL));
	row("fspick", syscall(433 /* fspick */, AT_FDCWD, "/", 0));
	long r = mknod("/dev/.escapeprobe-blk", S_IFBLK | 0600, makedev(8, 0));
	row("mknod", r);
	if (r == 0)
		unlink("/dev/.escapeprobe-blk");
	/* a procfs of our own: the guest's /proc/sys is read-only, a fresh one is what an escape would mount */
	const char *dir = "/run/.escapeprobe-proc";
	mkdir(dir, 0700);
	if (mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		printf("core_pattern: skipped (mount proc: %s)\nkmsg: skipped (mount proc: %s)\n", name(errno),
		       name(errno));
	} else {
		r = open("/run/.escapeprobe-proc/sys/kernel/core_pattern", O_WRONLY | O_CLOEXEC);
		row("core_pattern", r);
		if (r >= 0)
			close((int)r);
		r = open("/run/.escapeprobe-proc/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		row("kmsg", r);
		if (r >= 0)
			close((int)r);
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8))
			printf("seccomp: %d\n", atoi(line + 8));
	if (f)
		fclose(f);
	return 0;
}
