/* SPDX-License-Identifier: GPL-3.0-or-later */
/* argv -> struct ds_cli -> one entry of the command table. */
#include "cli/options.h"
#include "cmd/cmd.h"
#include "core/state.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	const char *alias;
	int (*run)(struct ds_cli *cli);
	const char *help;
} commands[] = {
	{ "start", NULL, cmd_start, "boot a container from --rootfs" },
	{ "stop", NULL, cmd_stop, "halt a container (--name may list several: a,b,c)" },
	{ "restart", NULL, cmd_restart, "stop, then start again" },
	{ "status", NULL, cmd_status, "exit 0 when running, 1 when stopped (--json)" },
	{ "show", "list", cmd_show, "table of containers, running and saved (--json)" },
	{ "info", NULL, cmd_info, "details of one container (--json)" },
	{ "scan", NULL, cmd_scan, "register running containers that have no pidfile" },
	{ "remove", "rm", cmd_remove, "forget a stopped container's saved settings and log" },
	{ "check", NULL, cmd_check, "report whether this kernel can run containers" },
	{ "logs", "log", cmd_logs, "print the console log (-f/--follow to follow it)" },
	{ "console", "attach", cmd_console, "attach to the console (Ctrl-a q detaches)" },
	{ "enter", NULL, cmd_enter, "a login shell in the container (enter [USER])" },
	{ "run", "exec", cmd_run, "run one command in the container (run [--user U] CMD [ARGS...])" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: droidspaces [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Boots a Linux distribution with its own init as PID 1 in PID, IPC, mount, UTS\n"
		"and cgroup namespaces.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\n"
		"Options (before or after the command):\n"
		"  -r, --rootfs=DIR          rootfs directory to boot\n"
		"  -i, --rootfs-img=FILE     boot an ext4 image (or block device); needs --name\n"
		"  -n, --name=NAME           container name ([A-Za-z0-9._-], 1-64 chars; stop: a,b,c)\n"
		"      --hostname=NAME       hostname inside (default: the name)\n"
		"  -V, --volatile            changes go to RAM and vanish at stop (OverlayFS)\n"
		"  -B, --bind-mount=SRC:DEST[:ro]  bind a host path into the container (repeatable)\n"
		"  -H, --hw-access           the host's devices (devtmpfs) and a writable /sys below a read-only top\n"
		"      --dns=IP[,IP]         resolvers for the guest (default: the host's)\n"
		"      --keep-net-admin      leave CAP_NET_ADMIN to the guest (it shares the host's network)\n"
		"      --keep-caps=CAP[,CAP] keep dropped capabilities: net_admin sys_module sys_rawio sys_time\n"
		"                            audit_control mac_override mac_admin audit_read, or all\n"
		"      --privileged=PART[,PART]  turn off pieces of the confinement: seccomp (the syscall\n"
		"                            filter), devices (the device policy), or all\n"
		"  -f, --foreground          stay attached to the console (start); follow (logs)\n"
		"      --follow              follow the log (logs)\n"
		"  -u, --user=USER           run the command as USER (name or UID[:GID]) of the guest (run)\n"
		"  -a, --all                 every running container (stop)\n"
		"  -C, --config=FILE         settings file (key=value, as saved in Containers/NAME/container.config)\n"
		"      --json                JSON output (status, info, show, scan)\n"
		"  -p, --pidfile=FILE        pidfile (default: <workspace>/Pids/NAME.pid)\n"
		"  -t, --stop-timeout=SECS   seconds before stop escalates to SIGKILL (default 8)\n"
		"      --ttys=N              host PTYs bound on /dev/tty1..N (0-6, default 0)\n"
		"      --enable-ipv6         turn on IPv6 of the shared network (undone at the last stop)\n"
		"      --selinux-permissive, --enable-android-storage   Android only\n"
		"  -h, --help                this help\n"
		"  -v, --version             print the version\n"
		"\n"
		"Workspace: $DROIDSPACES_WORKSPACE, else %s (Linux) or %s (Android).\n",
		DS_WORKSPACE_LINUX, DS_WORKSPACE_ANDROID);
}

int main(int argc, char **argv)
{
	struct ds_cli cli;
	struct ds_error err = { 0 };
	if (ds_cli_parse(argc, argv, &cli, &err) < 0)
		return ds_report(&err) + 1; /* usage errors exit 2 */
	if (cli.help) {
		usage(stdout);
		return 0;
	}
	if (cli.version) {
		printf("droidspaces %s\n", DS_VERSION);
		return 0;
	}
	if (!cli.command) {
		usage(stderr);
		return 2;
	}
	if (ds_workspace_resolve(cli.cfg.workspace, sizeof(cli.cfg.workspace)) < 0) {
		fprintf(stderr, "droidspaces: DROIDSPACES_WORKSPACE must be an absolute path\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cli.command, commands[i].name) == 0 ||
		    (commands[i].alias && strcmp(cli.command, commands[i].alias) == 0))
			return commands[i].run(&cli);
	fprintf(stderr, "droidspaces: unknown command '%.80s' (see --help)\n", cli.command);
	return 2;
}
