/* SPDX-License-Identifier: GPL-3.0-or-later */
/* enter [USER] and run [--user USER] CMD [ARGS...]. */
#include "cmd/cmd.h"
#include "core/attach.h"
#include "core/state.h"
#include "fs/mounts.h"
#include "util/macros.h"
#include "util/path.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The running container named by --name (or the only one); exit status on failure. */
static int running_state(struct ds_cli *cli, struct ds_state *st)
{
	struct ds_error err = { 0 };
	if (ds_cmd_resolve_name(cli, 1, &err) < 0)
		return ds_report(&err), DS_EXIT_NOT_RUNNING;
	if (ds_state_read_live(cli->cfg.pidfile, st) != 1) {
		ds_fail(&err, DS_EINVAL_MSG, "container %s is not running", cli->cfg.container_name);
		return ds_report(&err), DS_EXIT_NOT_RUNNING;
	}
	return 0;
}

static int exec_and_report(const struct ds_state *st, const struct ds_exec *e)
{
	struct ds_error err = { 0 };
	int r = ds_container_exec(st, e, &err);
	if (err.code != 0)
		ds_report(&err);
	return r < 0 ? 1 : r;
}

int cmd_enter(struct ds_cli *cli)
{
	struct ds_state st;
	int r = running_state(cli, &st);
	if (r)
		return r;
	if (cli->argc > 1) {
		fprintf(stderr, "droidspaces: enter takes at most one argument, a user name\n");
		return 2;
	}
	/* A login shell of the user, or the first shell the guest has. */
	static const char *const shells[] = { "/bin/bash", "/bin/ash", "/bin/sh" };
	const char *shell = "/bin/sh";
	_cleanup_close_ int rootfd = ds_proc_root_open(st.pid);
	for (size_t i = 0; rootfd >= 0 && i < sizeof(shells) / sizeof(shells[0]); i++) {
		_cleanup_close_ int fd = ds_openat_in_root(rootfd, shells[i], O_PATH, 0, 0);
		char path[32];
		if (fd >= 0 && access(ds_fd_path(fd, path), X_OK) == 0) {
			shell = shells[i];
			break;
		}
	}
	char *user_argv[] = { "su", "-l", cli->argc ? cli->argv[0] : NULL, NULL };
	char *shell_argv[] = { (char *)shell, "-l", NULL };
	struct ds_exec e = { .argv = cli->argc ? user_argv : shell_argv };
	return exec_and_report(&st, &e);
}

int cmd_run(struct ds_cli *cli)
{
	if (cli->argc == 0) {
		fprintf(stderr, "droidspaces: run needs a command (run [--user USER] CMD [ARGS...])\n");
		return 2;
	}
	struct ds_state st;
	int r = running_state(cli, &st);
	if (r)
		return r;
	/* One word with spaces is a shell command line. */
	char *sh_argv[] = { "/bin/sh", "-c", cli->argv[0], NULL };
	int via_shell = cli->argc == 1 && strpbrk(cli->argv[0], " \t");
	struct ds_exec e = { .argv = via_shell ? sh_argv : cli->argv, .user = cli->flags.user };
	return exec_and_report(&st, &e);
}
