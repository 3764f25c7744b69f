/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The device policy, two ways:
 * - cgroup2: a BPF_PROG_TYPE_CGROUP_DEVICE program (Linux 4.15+), written
 *   here as instructions (libbpf does not fit a static musl build),
 *   attached to the container's cgroup with BPF_F_ALLOW_MULTI so that the
 *   guest's own systemd can still add programs below it (they can only
 *   refuse more). The kernel runs it on every open and mknod of a device
 *   node by a process of that cgroup, also on hybrid hosts.
 * - cgroup v1 only: the devices controller, where the container has one.
 * What is allowed is one table (rules below), the same both ways.
 */
#include "fs/devices.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/major.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef __NR_bpf
#define __NR_bpf -1 /* headers without bpf(2): ENOSYS, so the v1 way or none */
#endif

/* Minors of misc devices (include/linux/miscdevice.h is the kernel's own, not exported). */
#define TUN_MINOR 200
#define FUSE_MINOR 229

static const struct ds_dev_rule rules[] = {
	{ MEM_MAJOR, MEM_MAJOR, 3 },       /* null */
	{ MEM_MAJOR, MEM_MAJOR, 5 },       /* zero */
	{ MEM_MAJOR, MEM_MAJOR, 7 },       /* full */
	{ MEM_MAJOR, MEM_MAJOR, 8 },       /* random */
	{ MEM_MAJOR, MEM_MAJOR, 9 },       /* urandom */
	{ TTYAUX_MAJOR, TTYAUX_MAJOR, 0 }, /* tty */
	{ TTYAUX_MAJOR, TTYAUX_MAJOR, 1 }, /* console */
	{ TTYAUX_MAJOR, TTYAUX_MAJOR, 2 }, /* ptmx */
	/* the PTYs (the guest's devpts, its console and --ttys) */
	{ UNIX98_PTY_SLAVE_MAJOR, UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT - 1, -1 },
	{ MISC_MAJOR, MISC_MAJOR, TUN_MINOR },  /* net/tun */
	{ MISC_MAJOR, MISC_MAJOR, FUSE_MINOR }, /* fuse */
};

const struct ds_dev_rule *ds_dev_rules(int *n)
{
	*n = (int)ARRAY_SIZE(rules);
	return rules;
}

const char *ds_devpolicy_name(enum ds_devpolicy p)
{
	switch (p) {
	case DS_DEV_BPF: return "restricted (cgroup2 device program)";
	case DS_DEV_V1: return "restricted (v1 devices controller)";
	case DS_DEV_MISSING: return "unrestricted (this kernel has no device cgroup)";
	case DS_DEV_NONE: break;
	}
	return "all";
}

static long sys_bpf(int cmd, union bpf_attr *a) { return syscall(__NR_bpf, cmd, a, sizeof(*a)); }

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
enum { L_ALLOW = 0x7ff0, L_DENY = 0x7ff1, L_NEXT = 0x7ff2 }; /* jump targets, patched */

/* The policy's own rules as a list, after extra: mknod of anything, the block device, the standard nodes. */
static struct ds_dev_access *policy_list(const struct ds_dev_access *extra, size_t n_extra, dev_t block, size_t *n)
{
	size_t room = n_extra + 2 + ARRAY_SIZE(rules);
	struct ds_dev_access *l = calloc(room, sizeof(*l));
	if (!l)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n_extra; i++)
		l[k++] = extra[i];
	/* Creating a node, and nothing else: allowed (opening it is what counts). */
	l[k++] = (struct ds_dev_access){ 'a', -1, -1, DS_DEV_MKNOD, 1, 0 };
	/* The one block device allowed: the container's own image (the kernel checks it at mount). */
	if (block)
		l[k++] = (struct ds_dev_access){ 'b', (int)major(block), (int)minor(block), 7, 1, 0 };
	/* A range of majors is one rule (two compares in the program, not one rule per major: less to verify). */
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		l[k++] = (struct ds_dev_access){ 'c',
						 (int)rules[i].major,
						 rules[i].minor,
						 7,
						 1,
						 rules[i].major_last > rules[i].major ? (int)rules[i].major_last : 0 };
	*n = k;
	return l;
}

/* The program for list (the last matching rule wins, none: refused); its length. Room: 8 * n + 10. */
static int build(struct bpf_insn *p, const struct ds_dev_access *list, size_t n_list)
{
	int n = 0;
	/* r2 = access (MKNOD 1, READ 2, WRITE 4), r3 = type (BLOCK 1, CHAR 2), r4 = major, r5 = minor */
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 0xffff);
	p[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, 2, 0, 0, 16);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 4, 1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 5, 1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	/* Last wins: the rules from the end; each one that does not match goes on to the one before. */
	for (size_t i = n_list; i-- > 0;) {
		const struct ds_dev_access *r = &list[i];
		int start = n;
		if (r->type != 'a')
			p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 3, 0, L_NEXT,
				      r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
		if (r->major >= 0 && r->major_last > r->major) {
			p[n++] = INSN(BPF_JMP | BPF_JLT | BPF_K, 4, 0, L_NEXT, r->major);
			p[n++] = INSN(BPF_JMP | BPF_JGT | BPF_K, 4, 0, L_NEXT, r->major_last);
		} else if (r->major >= 0) {
			p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, L_NEXT, r->major);
		}
		if (r->minor >= 0)
			p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, L_NEXT, r->minor);
		if ((r->access & 7) != 7) { /* an access asked for that the rule does not name: not this rule */
			p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 0, 0);
			p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, (int)(~r->access & 7));
			p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 1, 0, L_NEXT, 0);
		}
		p[n++] = INSN(BPF_JMP | BPF_JA, 0, 0, r->allow ? L_ALLOW : L_DENY, 0);
		for (int j = start; j < n; j++)
			if (p[j].off == L_NEXT)
				p[j].off = (int16_t)(n - (j + 1));
		/* A rule that matches everything hides the ones before it (the verifier refuses dead code). */
		if (n - start == 1)
			break;
	}
	int deny = n;
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	int allow = n;
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (int i = 0; i < deny; i++)
		if (p[i].off == L_ALLOW || p[i].off == L_DENY)
			p[i].off = (int16_t)((p[i].off == L_ALLOW ? allow : deny) - (i + 1));
	return n;
}

static int load_program(const struct ds_dev_access *list, size_t n)
{
	struct bpf_insn *prog = calloc(8 * n + 10, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)build(prog, list, n);
	a.license = (uint64_t)(uintptr_t) "GPL";
	int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	fd = fd < 0 ? negerrno() : fd;
	free(prog);
	return fd;
}

int ds_devpolicy_bpf_available(void)
{
	size_t n;
	_cleanup_free_ struct ds_dev_access *list = policy_list(NULL, 0, 0, &n);
	int fd = list ? load_program(list, n) : -ENOMEM;
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int v2_dir(const struct ds_cgroups *cg, const char *rel, char *dir, size_t size)
{
	if (cg->mode != DS_CG_UNIFIED && cg->mode != DS_CG_HYBRID)
		return 0;
	snprintf(dir, size, "%s/%s", cg->v2_root, rel);
	return 1;
}

/* The v1 devices hierarchy's directory for rel, when the container is placed in it (v1-only hosts). */
static int v1_dir(const struct ds_cgroups *cg, const char *rel, char *dir, size_t size)
{
	int i = cg->mode == DS_CG_LEGACY ? ds_cgroup_v1_index(cg, "devices") : -1;
	if (i < 0)
		return 0;
	snprintf(dir, size, "%s/%s", cg->v1_root[i], rel);
	return 1;
}

static int attach_bpf(int prog, const char *dir, struct ds_error *err)
{
	int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0) {
		int r = negerrno();
		close(prog);
		return ds_fail(err, r, "cannot open cgroup %s for its device policy", dir);
	}
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	int r = sys_bpf(BPF_PROG_ATTACH, &a) < 0 ? negerrno() : 0;
	/* Attached, the program lives as long as the cgroup. */
	close(prog);
	close(cgfd);
	return r < 0 ? ds_fail(err, r, "cannot attach the device policy to cgroup %s", dir) : DS_DEV_BPF;
}

static int write_v1(const char *dir, const char *file, const char *line, struct ds_error *err)
{
	char path[PATH_MAX + 300];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int r = ds_write_file(path, line, 0644);
	return r < 0 ? ds_fail(err, r, "cannot write '%s' to %s", line, path) : 0;
}

/* One v1 line for d, with major m (-1: any). */
static int write_v1_rule(const char *dir, const struct ds_dev_access *d, int m, struct ds_error *err)
{
	char line[64], maj[16] = "*", min[16] = "*", acc[4];
	int k = 0;
	if (m >= 0)
		snprintf(maj, sizeof(maj), "%d", m);
	if (d->minor >= 0)
		snprintf(min, sizeof(min), "%d", d->minor);
	if (d->access & DS_DEV_READ)
		acc[k++] = 'r';
	if (d->access & DS_DEV_WRITE)
		acc[k++] = 'w';
	if (d->access & DS_DEV_MKNOD)
		acc[k++] = 'm';
	acc[k] = '\0';
	if (d->type == 'a' && (d->access & 7) == 7)
		snprintf(line, sizeof(line), "a");
	else if (d->type == 'a') /* v1 has no "a" with access: both types */
		snprintf(line, sizeof(line), "c %s:%s %s", maj, min, acc);
	else
		snprintf(line, sizeof(line), "%c %s:%s %s", d->type, maj, min, acc);
	int r = write_v1(dir, d->allow ? "devices.allow" : "devices.deny", line, err);
	if (r == 0 && d->type == 'a' && (d->access & 7) != 7) {
		line[0] = 'b';
		r = write_v1(dir, d->allow ? "devices.allow" : "devices.deny", line, err);
	}
	return r;
}

/* The list as v1 lines, in order, after "a" denied: the controller's own rules make the last one win. */
static int apply_v1(const char *dir, const struct ds_dev_access *list, size_t n, struct ds_error *err)
{
	int r = write_v1(dir, "devices.deny", "a", err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct ds_dev_access *d = &list[i];
		/* v1 has no ranges: a line per major */
		int last = d->major >= 0 && d->major_last > d->major ? d->major_last : d->major;
		for (int m = d->major; r == 0 && m <= last; m++)
			r = write_v1_rule(dir, d, m, err);
	}
	return r < 0 ? r : DS_DEV_V1;
}

static int apply(const struct ds_cgroups *cg, const char *rel, dev_t block, const struct ds_dev_access *extra,
		 size_t n_extra, struct ds_error *err)
{
	char dir[PATH_MAX + 256];
	size_t n;
	_cleanup_free_ struct ds_dev_access *list = policy_list(extra, n_extra, block, &n);
	if (!list)
		return ds_fail(err, -ENOMEM, "cannot make the device policy");
	if (v2_dir(cg, rel, dir, sizeof(dir))) {
		/* Load refused (a kernel before 4.15, or without CONFIG_BPF_SYSCALL): the v1 way, if any. */
		int prog = load_program(list, n);
		if (prog >= 0)
			return attach_bpf(prog, dir, err);
	}
	if (v1_dir(cg, rel, dir, sizeof(dir)))
		return apply_v1(dir, list, n, err);
	return DS_DEV_MISSING;
}

int ds_devpolicy_apply(const struct ds_cgroups *cg, const char *rel, dev_t block, struct ds_error *err)
{
	return apply(cg, rel, block, NULL, 0, err);
}

int ds_devpolicy_apply_list(const struct ds_cgroups *cg, const char *rel, const struct ds_dev_access *list, size_t n,
			    struct ds_error *err)
{
	return apply(cg, rel, 0, list, n, err);
}

enum ds_devpolicy ds_devpolicy_expected(const struct ds_cgroups *cg)
{
	char dir[PATH_MAX + 256];
	if (v2_dir(cg, "droidspaces", dir, sizeof(dir)) && ds_devpolicy_bpf_available())
		return DS_DEV_BPF;
	return v1_dir(cg, "droidspaces", dir, sizeof(dir)) ? DS_DEV_V1 : DS_DEV_MISSING;
}

enum ds_devpolicy ds_devpolicy_of(const struct ds_cgroups *cg, const char *rel)
{
	char dir[PATH_MAX + 256], buf[256];
	if (v2_dir(cg, rel, dir, sizeof(dir))) {
		int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd >= 0) {
			union bpf_attr a;
			memset(&a, 0, sizeof(a));
			a.query.target_fd = (uint32_t)cgfd;
			a.query.attach_type = BPF_CGROUP_DEVICE;
			long r = sys_bpf(BPF_PROG_QUERY, &a);
			close(cgfd);
			if (r == 0 && a.query.prog_cnt > 0)
				return DS_DEV_BPF;
		}
	}
	if (v1_dir(cg, rel, dir, sizeof(dir))) {
		strncat(dir, "/devices.list", sizeof(dir) - strlen(dir) - 1);
		if (ds_read_file(dir, buf, sizeof(buf)) > 0 && strncmp(buf, "a *:* rwm", 9) != 0)
			return DS_DEV_V1;
	}
	return DS_DEV_NONE;
}
