/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/oci/hooks.c: config.json's hooks run with the state on stdin, their args, env and timeout. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci/hooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A spec with one hook list at point, parsed from its JSON as create reads it. */
static void parse(struct ds_oci_spec *s, const char *hooks)
{
	char text[2048];
	snprintf(text, sizeof(text), "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"hooks\":%s}", hooks);
	struct ds_error err = { 0 };
	if (ds_oci_spec_parse(text, strlen(text), s, &err) < 0)
		fail_msg("%s", err.msg);
}

static char dir[64];

static void slurp(const char *name, char *out, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ds-hooks-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* In order, each with the whole state on stdin, its own argv[0] and args, and only its env. */
static void test_hooks_order_stdin_args_env(void **state)
{
	(void)state;
	char hooks[1024], got[4096];
	snprintf(
		hooks, sizeof(hooks),
		"{\"prestart\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo \\\"1 $0 $K $HOME $(cat)\\\" >>%s/out\",\"a0\"],"
		"\"env\":[\"K=v1\"],\"timeout\":5},"
		"{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo \\\"2 $(cat | wc -c)\\\" >>%s/out\"]}]}",
		dir, dir);
	struct ds_oci_spec s;
	parse(&s, hooks);
	/* A state longer than a pipe's buffer: the runtime must not block on a hook that reads slowly. */
	size_t len = 100000;
	char *st = malloc(len + 1);
	assert_non_null(st);
	memset(st, 'x', len);
	memcpy(st, "{\"id\":\"a\"}", 10);
	st[10] = '\0';
	struct ds_error err = { 0 };
	assert_int_equal(ds_oci_hooks_run(&s, DS_OCI_HOOK_PRESTART, st, &err), 0);
	memset(st, 'y', len);
	st[len] = '\0';
	s.hooks[DS_OCI_HOOK_PRESTART][0].path = "/bin/true"; /* reads nothing of its stdin */
	assert_int_equal(ds_oci_hooks_run(&s, DS_OCI_HOOK_PRESTART, st, &err), 0);
	slurp("out", got, sizeof(got));
	assert_string_equal(got, "1 a0 v1  {\"id\":\"a\"}\n2 10\n2 100000\n");
	/* No hooks at a point: nothing to do. */
	assert_int_equal(ds_oci_hooks_run(&s, DS_OCI_HOOK_POSTSTOP, st, &err), 0);
	free(st);
	ds_oci_spec_free(&s);
}

/* A status, a signal, a missing program, a timeout: each an error naming the hook; the rest do not run. */
static void test_hooks_failures(void **state)
{
	(void)state;
	char hooks[1024], got[256];
	snprintf(hooks, sizeof(hooks),
		 "{\"createRuntime\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"exit 3\"]},"
		 "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"touch %s/never\"]}],"
		 "\"startContainer\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"kill -9 $$\"]}],"
		 "\"createContainer\":[{\"path\":\"/no/such/hook\"}],"
		 "\"poststart\":[{\"path\":\"/bin/sleep\",\"args\":[\"sleep\",\"30\"],\"timeout\":1},"
		 "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"touch %s/after\"]}]}",
		 dir, dir);
	struct ds_oci_spec s;
	parse(&s, hooks);
	struct ds_error err = { 0 };
	assert_int_equal(ds_oci_hooks_run(&s, DS_OCI_HOOK_CREATE_RUNTIME, "{}", &err), DS_EINVAL_MSG);
	assert_string_equal(err.msg, "hooks.createRuntime[0] /bin/sh: exited with status 3");
	snprintf(got, sizeof(got), "%s/never", dir);
	assert_int_equal(access(got, F_OK), -1);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_oci_hooks_run(&s, DS_OCI_HOOK_START_CONTAINER, "{}", &err), DS_EINVAL_MSG);
	assert_string_equal(err.msg, "hooks.startContainer[0] /bin/sh: killed by signal 9");
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_oci_hooks_run(&s, DS_OCI_HOOK_CREATE_CONTAINER, "{}", &err), DS_EINVAL_MSG);
	assert_string_equal(err.msg, "hooks.createContainer[0] /no/such/hook: exited with status 127");
	memset(&err, 0, sizeof(err));
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(ds_oci_hooks_run(&s, DS_OCI_HOOK_POSTSTART, "{}", &err), DS_EINVAL_MSG);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_string_equal(err.msg, "hooks.poststart[0] /bin/sleep: killed after its timeout of 1 s");
	assert_true(b.tv_sec - a.tv_sec < 5);
	/* The warning form runs every hook whatever the others did. */
	ds_oci_hooks_run_warn(&s, DS_OCI_HOOK_POSTSTART, "{}");
	snprintf(got, sizeof(got), "%s/after", dir);
	assert_int_equal(access(got, F_OK), 0);
	ds_oci_spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks_order_stdin_args_env),
		cmocka_unit_test(test_hooks_failures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
