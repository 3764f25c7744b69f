/* SPDX-License-Identifier: GPL-3.0-or-later */
/* start and restart: the start pipeline of core/start.h, and the one line that reports it. */
#include "cmd/cmd.h"
#include "core/halt.h"
#include "core/ready.h"
#include "core/start.h"
#include "core/state.h"

#include <errno.h>
#include <stdio.h>

/* start -f: SIGINT or SIGTERM to us halt the guest, as to an init run in the foreground. */
static void halt_on_signal(int sig, void *ud)
{
	(void)sig;
	ds_halt_send(*(pid_t *)ud);
}

/* start --wait: 0 once the guest is ready; else 1, with what its console shows. */
static int wait_ready(struct ds_config *cfg, int seconds)
{
	struct ds_ready r;
	struct ds_error err = { 0 };
	int rc = ds_ready_wait(cfg, seconds, &r);
	if (rc == 0) {
		printf("Container %s ready in %lld ms (%s)%s%s\n", cfg->container_name, r.ms, ds_ready_by_text(r.by),
		       r.status[0] ? ": " : "", r.status);
		return 0;
	}
	if (rc == -ESRCH)
		ds_fail(&err, DS_EINVAL_MSG, "container %s stopped before it was ready", cfg->container_name);
	else if (rc == -ETIMEDOUT)
		ds_fail(&err, DS_EINVAL_MSG, "container %s is not ready after %d s (init %s)", cfg->container_name,
			seconds, ds_init_kind_name(ds_init_detect(cfg->rt.container_pid)));
	else
		ds_fail(&err, rc, "container %s: its readiness record cannot be read", cfg->container_name);
	ds_report(&err);
	char lines[4096];
	int failed = ds_ready_failure_lines(cfg, lines, sizeof(lines));
	if (lines[0])
		fprintf(stderr, "%s:\n%s", failed ? "Failed units (console)" : "Last console lines", lines);
	return 1;
}

int cmd_start(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	struct ds_config *cfg = &cli->cfg;
	char extra[DS_CONFIG_EXTRA_MAX];
	if (cli->argc > 0) {
		ds_fail(&err, DS_EINVAL_MSG, "start takes no arguments (got '%.80s')", cli->argv[0]);
		return ds_report(&err);
	}
	if (cli->flags.wait && cfg->settings.foreground) {
		ds_fail(&err, DS_EINVAL_MSG,
			"--wait returns once the guest is ready; --foreground stays attached: "
			"give one of them");
		return ds_report(&err);
	}
	if (ds_settings_resolve(cfg, cli->flags.names, extra, &err) < 0 || ds_start_resolved(cfg, &err) < 0)
		return ds_report(&err);
	if (ds_settings_save(cfg, extra, &err) < 0) {
		/* The container runs; only its settings could not be remembered. */
		char text[800];
		fprintf(stderr, "droidspaces: warning: %s\n", ds_error_text(&err, text, sizeof(text)));
	}
	if (cfg->settings.foreground) {
		/* Show the boot from its start; SIGINT/SIGTERM to us halt the guest. */
		if (ds_console_attach(cfg, DS_CONSOLE_REPLAY, halt_on_signal, &cfg->rt.container_pid, &err) < 0)
			return ds_report(&err);
		return 0;
	}
	printf("Container %s started: init pid %d (%s)\n", cfg->container_name, (int)cfg->rt.container_pid,
	       ds_init_kind_name(ds_init_detect(cfg->rt.container_pid)));
	if (cli->flags.wait) {
		fflush(stdout);
		return wait_ready(cfg, cli->flags.wait);
	}
	return 0;
}

int cmd_restart(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (ds_cmd_resolve_name(cli, 1, &err) < 0)
		return ds_report(&err);
	/* A copy: setting the name from itself would read what it overwrites. */
	char name[DS_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s", cli->cfg.container_name);
	cli->flags.names = name;
	struct ds_state st;
	if (ds_state_read_live(cli->cfg.pidfile, &st) == 1 && ds_stop(&cli->cfg, &err) < 0)
		return ds_report(&err);
	return cmd_start(cli);
}
