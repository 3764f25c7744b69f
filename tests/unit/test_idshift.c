/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/fs/idshift.c, the ownership shift of
 * --private-users-ownership=chown, on a scratch tree (as root: it chowns):
 * owners, setuid bits, file capabilities and ACLs shifted and back, links
 * never followed, ids outside the range refused before anything changed,
 * an interrupted walk finished (a capability too, the walk killed right
 * after its file's chown), overlapping ranges refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/idshift.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tmpdir.h"

#define BASE 200000u
#define SIZE 65536u

static const char *root_of(void **state)
{
	static char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/root", (const char *)*state);
	return p;
}

static void path(void **state, const char *rel, char *out) { snprintf(out, PATH_MAX, "%s/%s", root_of(state), rel); }

static void make(void **state, const char *rel, mode_t mode, unsigned uid, unsigned gid)
{
	char p[PATH_MAX];
	path(state, rel, p);
	if (S_ISDIR(mode))
		assert_int_equal(mkdir(p, 0755), 0);
	else {
		int fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	assert_int_equal(lchown(p, uid, gid), 0);
	assert_int_equal(chmod(p, mode & 07777), 0);
}

static struct stat lst(void **state, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;
	path(state, rel, p);
	assert_int_equal(lstat(p, &st), 0);
	return st;
}

static int shift_tree(void **state, struct ds_idshift *s)
{
	int fd = open(root_of(state), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	int r = ds_idshift_tree(fd, s);
	close(fd);
	return r;
}

/* A v2 capability (cap_net_raw, effective) on a file; 0, or -1 where the filesystem takes none. */
static int set_cap_v2(const char *p)
{
	uint32_t v[5] = { 0x02000001u, 1u << 13, 0, 0, 0 };
	return setxattr(p, "security.capability", v, sizeof(v), 0);
}

static void build(void **state)
{
	char p[PATH_MAX], outside[PATH_MAX];
	assert_int_equal(mkdir(root_of(state), 0755), 0);
	make(state, "etc", S_IFDIR | 0755, 0, 0);
	make(state, "etc/passwd", S_IFREG | 0644, 0, 0);
	make(state, "home", S_IFDIR | 0755, 0, 0);
	make(state, "home/u", S_IFDIR | 02775, 1000, 1000);
	make(state, "home/u/file", S_IFREG | 0600, 1000, 100);
	make(state, "suid", S_IFREG | 04755, 0, 0);
	make(state, "sgid", S_IFREG | 02755, 0, 50);
	/* a link to a file outside the tree, owned by guest 1000 */
	snprintf(outside, sizeof(outside), "%s/outside", (const char *)*state);
	int fd = open(outside, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	path(state, "link", p);
	assert_int_equal(symlink(outside, p), 0);
	assert_int_equal(lchown(p, 1000, 1000), 0);
	/* hard link: met twice, shifted once */
	char hl[PATH_MAX];
	path(state, "etc/passwd", p);
	path(state, "etc/passwd.hard", hl);
	assert_int_equal(link(p, hl), 0);
}

static void test_shift_and_back(void **state)
{
	build(state);
	char p[PATH_MAX], outside[PATH_MAX];
	snprintf(outside, sizeof(outside), "%s/outside", (const char *)*state);
	path(state, "suid", p);
	int have_caps = set_cap_v2(p) == 0;
	/* an ACL giving guest user 1000 and group 100 access to home/u */
	char d[PATH_MAX];
	uint32_t acl[] = { 2,           0x00070001u, 0xffffffffu, 0x00070002u, 1000,        0x00050004u, 0xffffffffu,
			   0x00050008u, 100,         0x00070010u, 0xffffffffu, 0x00050020u, 0xffffffffu };
	path(state, "home/u", d);
	int have_acl = setxattr(d, "system.posix_acl_access", acl, sizeof(acl), 0) == 0;
	struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE };
	assert_int_equal(shift_tree(state, &s), 0);
	assert_int_equal(s.entries, 10); /* the top, 8 entries, the hard link again */
	assert_int_equal(lst(state, ".").st_uid, BASE);
	assert_int_equal(lst(state, "etc/passwd").st_uid, BASE);
	assert_int_equal(lst(state, "home/u/file").st_uid, BASE + 1000);
	assert_int_equal(lst(state, "home/u/file").st_gid, BASE + 100);
	assert_int_equal(lst(state, "sgid").st_gid, BASE + 50);
	/* the setuid and setgid bits chown dropped are back */
	assert_int_equal(lst(state, "suid").st_mode & 07777, 04755);
	assert_int_equal(lst(state, "sgid").st_mode & 07777, 02755);
	assert_int_equal(lst(state, "home/u").st_mode & 07777, 02775);
	/* the link itself shifted, what it points to untouched */
	assert_int_equal(lst(state, "link").st_uid, BASE + 1000);
	struct stat st;
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_uid, 0);
	if (have_caps) {
		unsigned char v[24];
		assert_int_equal(getxattr(p, "security.capability", v, sizeof(v)), 24);
		assert_int_equal(v[3], 3); /* v3 */
		assert_int_equal(v[20] | v[21] << 8 | v[22] << 16 | (unsigned)v[23] << 24, BASE);
	}
	if (have_acl) {
		uint32_t got[13];
		assert_int_equal(getxattr(d, "system.posix_acl_access", got, sizeof(got)), sizeof(got));
		assert_int_equal(got[4], BASE + 1000);
		assert_int_equal(got[8], BASE + 100);
	}
	fprintf(stderr, "# capabilities %s, ACLs %s on this filesystem\n", have_caps ? "tested" : "not taken",
		have_acl ? "tested" : "not taken");
	/* again: nothing to change (a restart's walk, or a finished one resumed) */
	assert_int_equal(shift_tree(state, &s), 0);
	assert_int_equal(s.changed, 0);
	/* back to the rootfs's own ids */
	struct ds_idshift back = { .from = BASE, .to = 0, .size = SIZE };
	assert_int_equal(shift_tree(state, &back), 0);
	assert_int_equal(lst(state, "home/u/file").st_uid, 1000);
	assert_int_equal(lst(state, ".").st_uid, 0);
	assert_int_equal(lst(state, "suid").st_mode & 07777, 04755);
	if (have_caps) {
		unsigned char v[24];
		assert_int_equal(getxattr(p, "security.capability", v, sizeof(v)), 20); /* v2 again */
	}
}

/* A file with a link outside the tree: the dry run refuses it, naming it; links all inside are fine. */
static void test_link_outside_refused(void **state)
{
	build(state);
	char outside[PATH_MAX], p[PATH_MAX];
	snprintf(outside, sizeof(outside), "%s/outside", (const char *)*state);
	path(state, "home/u/outside.hard", p);
	assert_int_equal(link(outside, p), 0);
	struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE, .dry = 1 };
	assert_int_equal(shift_tree(state, &s), -EMLINK);
	assert_string_equal(s.path, "./home/u/outside.hard");
	assert_int_equal(s.nlink, 2);
	assert_int_equal(s.nlink_inside, 1);
	assert_int_equal(s.linked, 1);
	struct stat st;
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_uid, 0);
	/* both links inside (etc/passwd and etc/passwd.hard): not refused */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(shift_tree(state, &s), 0);
	assert_int_equal(s.linked, 0);
}

static void test_out_of_range_refused_untouched(void **state)
{
	build(state);
	make(state, "home/u/far", S_IFREG | 0644, 70000, 0);
	struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE, .dry = 1 };
	assert_int_equal(shift_tree(state, &s), -ERANGE);
	assert_string_equal(s.path, "./home/u/far");
	assert_int_equal(s.bad_id, 70000);
	assert_int_equal(lst(state, "etc/passwd").st_uid, 0);
	/* overlapping ranges: refused */
	struct ds_idshift o = { .from = BASE, .to = BASE + 100, .size = SIZE };
	assert_int_equal(shift_tree(state, &o), -EINVAL);
}

static void test_interrupted_walk_finishes(void **state)
{
	build(state);
	char p[PATH_MAX];
	/* halfway: some entries shifted already */
	path(state, "home/u/file", p);
	assert_int_equal(lchown(p, BASE + 1000, BASE + 100), 0);
	path(state, "etc", p);
	assert_int_equal(lchown(p, BASE, BASE), 0);
	struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE };
	assert_int_equal(shift_tree(state, &s), 0);
	assert_int_equal(lst(state, "home/u/file").st_uid, BASE + 1000);
	assert_int_equal(lst(state, "etc").st_uid, BASE);
	assert_int_equal(lst(state, "etc/passwd").st_uid, BASE);
}

/*
 * A walk killed between a file's chown (which drops its capability) and the
 * capability's rewrite: the fault point idshift:cap-dropped stops the walk
 * there, the test kills it, and the next walk (the record said shifting)
 * puts the capability back, with the new root id.
 */
/* A walk from..to stopped at the fault point idshift:cap-dropped, and killed there. */
static void walk_killed_after_chown(void **state, unsigned from, unsigned to)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("DROIDSPACES_FAULT", "idshift:cap-dropped", 1);
		struct ds_idshift s = { .from = from, .to = to, .size = SIZE };
		_exit(shift_tree(state, &s) == 0 ? 0 : 1); /* never: it stops at the point */
	}
	int st;
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
}

static void test_interrupted_after_chown_keeps_capability(void **state)
{
	build(state);
	char p[PATH_MAX];
	path(state, "suid", p);
	if (set_cap_v2(p) < 0) {
		fprintf(stderr, "# SKIP: this filesystem takes no file capabilities\n");
		skip();
	}
	walk_killed_after_chown(state, 0, BASE);
	/* killed where the chown had dropped the capability */
	assert_int_equal(lst(state, "suid").st_uid, BASE);
	unsigned char v[24];
	assert_int_equal(getxattr(p, "security.capability", v, sizeof(v)), -1);
	assert_int_equal(errno, ENODATA);
	struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE };
	assert_int_equal(shift_tree(state, &s), 0);
	assert_int_equal(getxattr(p, "security.capability", v, sizeof(v)), 24);
	assert_int_equal(v[3], 3);
	assert_int_equal(v[20] | v[21] << 8 | v[22] << 16 | (unsigned)v[23] << 24, BASE);
	assert_int_equal(lst(state, "suid").st_mode & 07777, 04755);
	/* nothing of the walk's own is left on the file */
	assert_int_equal(getxattr(p, "trusted.droidspaces.capability", v, sizeof(v)), -1);
	/* and back: the same at the back walk's chown */
	walk_killed_after_chown(state, BASE, 0);
	assert_int_equal(lst(state, "suid").st_uid, 0);
	assert_int_equal(getxattr(p, "security.capability", v, sizeof(v)), -1);
	struct ds_idshift back = { .from = BASE, .to = 0, .size = SIZE };
	assert_int_equal(shift_tree(state, &back), 0);
	assert_int_equal(getxattr(p, "security.capability", v, sizeof(v)), 20); /* v2: root id 0 */
}

/* A pending value that is not this walk's result (a stale one) is removed, never taken. */
static void test_stale_pending_capability_dropped(void **state)
{
	build(state);
	char p[PATH_MAX];
	path(state, "etc/passwd", p);
	uint32_t v2[5] = { 0x02000001u, 1u << 13, 0, 0, 0 }; /* root id 0: not in BASE's range */
	if (setxattr(p, "trusted.droidspaces.capability", v2, sizeof(v2), 0) < 0) {
		fprintf(stderr, "# SKIP: this filesystem takes no trusted xattrs\n");
		skip();
	}
	assert_int_equal(lchown(p, BASE, BASE), 0);
	struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE };
	assert_int_equal(shift_tree(state, &s), 0);
	unsigned char v[24];
	assert_int_equal(getxattr(p, "security.capability", v, sizeof(v)), -1);
	assert_int_equal(getxattr(p, "trusted.droidspaces.capability", v, sizeof(v)), -1);
}

/* A filesystem mounted inside the tree is neither changed nor entered (in a mount namespace of the child's). */
/* The child pid exited 0 (77: no mount namespace here, the test skipped). */
static void child_passed(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77) {
		fprintf(stderr, "# SKIP: no mount namespace here\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_stays_on_one_filesystem(void **state)
{
	build(state);
	make(state, "mnt", S_IFDIR | 0755, 0, 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char p[PATH_MAX], f[PATH_MAX + 8];
		path(state, "mnt", p);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 || /* valgrind reads a type */
		    mount("tmpfs", p, "tmpfs", 0, "size=64k") < 0)
			_exit(77);
		snprintf(f, sizeof(f), "%s/file", p);
		int fd = open(f, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			_exit(2);
		close(fd);
		struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE };
		struct stat a, b;
		int r = shift_tree(state, &s);
		_exit(r == 0 && stat(f, &a) == 0 && a.st_uid == 0 && stat(p, &b) == 0 && b.st_uid == 0 &&
				      lst(state, "etc/passwd").st_uid == BASE
			      ? 0
			      : 1);
	}
	child_passed(pid);
}

/*
 * A directory of the same filesystem bound inside the tree (same st_dev) is
 * neither changed nor entered: by statx's mount id, by name_to_handle_at's,
 * and with neither (DROIDSPACES_FAULT=no-mntid) by mountinfo's paths.
 */
static void test_bind_same_filesystem(void **state)
{
	build(state);
	make(state, "bound", S_IFDIR | 0755, 0, 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const char *const faults[] = { "", "no-statx-mntid", "no-mntid" };
		char p[PATH_MAX], out[PATH_MAX], f[PATH_MAX + 8];
		path(state, "bound", p);
		snprintf(out, sizeof(out), "%s/host-dir", (const char *)*state);
		snprintf(f, sizeof(f), "%s/file", out);
		if (mkdir(out, 0755) < 0 || close(open(f, O_CREAT | O_WRONLY, 0644)) < 0)
			_exit(2);
		if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount(out, p, "none", MS_BIND, NULL) < 0)
			_exit(77);
		for (size_t i = 0; i < ARRAY_SIZE(faults); i++) {
			setenv("DROIDSPACES_FAULT", faults[i], 1);
			struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE },
					  back = { .from = BASE, .size = SIZE };
			struct stat a, b;
			if (shift_tree(state, &s) != 0 || stat(f, &a) < 0 || a.st_uid != 0 || stat(out, &b) < 0 ||
			    b.st_uid != 0 || lst(state, "etc/passwd").st_uid != BASE)
				_exit(10 + (int)i);
			if (shift_tree(state, &back) != 0 || lst(state, "etc/passwd").st_uid != 0)
				_exit(20 + (int)i);
		}
		_exit(0);
	}
	child_passed(pid);
}

static void test_acl_and_cap_values(void **state)
{
	(void)state;
	struct ds_idshift s = { .from = 0, .to = BASE, .size = SIZE };
	uint32_t acl[] = { 2, 0x00060001u, 0xffffffffu, 0x00060002u, 1000, 0x00040008u, 100, 0x00040020u, 0xffffffffu };
	unsigned long long bad = 0;
	assert_int_equal(ds_idshift_acl(&s, acl, sizeof(acl), &bad), 1);
	assert_int_equal(acl[2], 0xffffffffu); /* ACL_USER_OBJ has no id */
	assert_int_equal(acl[4], BASE + 1000);
	assert_int_equal(acl[6], BASE + 100);
	assert_int_equal(ds_idshift_acl(&s, acl, sizeof(acl), &bad), 0);
	acl[4] = 70000;
	assert_int_equal(ds_idshift_acl(&s, acl, sizeof(acl), &bad), -ERANGE);
	assert_int_equal(bad, 70000);
	assert_int_equal(ds_idshift_acl(&s, acl, 7, &bad), -EINVAL);
	uint32_t v1[3] = { 0x01000000u, 1, 0 };
	unsigned char out[DS_IDSHIFT_CAP_MAX];
	size_t n = 0;
	assert_int_equal(ds_idshift_cap(&s, v1, sizeof(v1), out, &n, &bad), 1);
	assert_int_equal(n, 24);
	uint32_t v3[6] = { 0x03000000u, 1, 0, 0, 0, 70000 };
	assert_int_equal(ds_idshift_cap(&s, v3, sizeof(v3), out, &n, &bad), -ERANGE);
	assert_int_equal(ds_idshift_cap(&s, v3, 21, out, &n, &bad), -EINVAL);
	struct ds_idshift back = { .from = BASE, .to = 0, .size = SIZE };
	v3[5] = BASE;
	assert_int_equal(ds_idshift_cap(&back, v3, sizeof(v3), out, &n, &bad), 1);
	assert_int_equal(n, 20);
	assert_int_equal(out[3], 2);
	unsigned id;
	assert_int_equal(ds_idshift_id(&s, SIZE, &id), -ERANGE);
	assert_int_equal(ds_idshift_id(&s, SIZE - 1, &id), 1);
	assert_int_equal(id, BASE + SIZE - 1);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_idshift: SKIP (chown needs root)\n");
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shift_and_back, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range_refused_untouched, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_link_outside_refused, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_walk_finishes, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_after_chown_keeps_capability, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_stale_pending_capability_dropped, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_stays_on_one_filesystem, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_bind_same_filesystem, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_acl_and_cap_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
