/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The second personality: droidspaces-oci (or droidspaces oci), the runc
 * command line over an OCI bundle, as podman through conmon and
 * containerd's shim call it. Global flags, then one verb; every failure is
 * one line on stderr, and in --log (text, or JSON with --log-format=json,
 * which is where conmon looks for the reason).
 */
#include "cmd/cmd.h"
#include "oci/exec.h"
#include "oci/lifecycle.h"
#include "oci/seccomp.h"
#include "oci/spec.h"
#include "oci/state.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct oci_cli {
	const char *root;
	const char *log;
	int log_json;
	int argc;
	char **argv; /* the verb's arguments, the verb first */
};

static void log_error(const struct oci_cli *o, const char *msg)
{
	fprintf(stderr, "droidspaces-oci: %s\n", msg);
	if (!o->log)
		return;
	FILE *f = fopen(o->log, "ae");
	if (!f)
		return;
	char when[40];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	if (o->log_json) {
		struct ds_json j;
		ds_json_init(&j, f);
		ds_json_object_begin(&j, NULL);
		ds_json_string(&j, "level", "error");
		ds_json_string(&j, "msg", msg);
		ds_json_string(&j, "time", when);
		ds_json_object_end(&j);
	} else {
		fprintf(f, "time=\"%s\" level=error msg=", when);
		ds_json_write_string(f, msg);
		fputc('\n', f);
	}
	fclose(f);
}

static int report(const struct oci_cli *o, const struct ds_error *err)
{
	char buf[700];
	log_error(o, ds_error_text(err, buf, sizeof(buf)));
	return 1;
}

static int usage_error(const struct oci_cli *o, const char *fmt, const char *arg)
{
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg);
	log_error(o, msg);
	return 2;
}

/* "--name=value" or "--name value" at argv[*i]: the value, or NULL when argv[*i] is not --name. */
static const char *flag_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

/* The verb's one operand, the container's id. */
static int one_id(const struct oci_cli *o, const char *verb, char **ids, int n, const char **id)
{
	if (n != 1)
		return usage_error(o, "%s needs exactly one container id", verb);
	*id = ids[0];
	return 0;
}

static int verb_create(const struct oci_cli *o)
{
	struct ds_oci_create_opts c = { .root = o->root, .bundle = "." };
	char *ids[2];
	int n = 0;
	for (int i = 1; i < o->argc; i++) {
		int missing = 0;
		const char *v;
		if ((v = flag_value(o->argc, o->argv, &i, "--bundle", &missing)) ||
		    (v = flag_value(o->argc, o->argv, &i, "-b", &missing)))
			c.bundle = v;
		else if ((v = flag_value(o->argc, o->argv, &i, "--pid-file", &missing)))
			c.pid_file = v;
		else if ((v = flag_value(o->argc, o->argv, &i, "--console-socket", &missing)))
			c.console_socket = v;
		else if (missing)
			return usage_error(o, "%s needs a value", o->argv[i]);
		else if (o->argv[i][0] == '-')
			return usage_error(o, "create does not take %s", o->argv[i]);
		else if (n < 2)
			ids[n++] = o->argv[i];
		else
			return usage_error(o, "%s", "create needs exactly one container id");
	}
	int r = one_id(o, "create", ids, n, &c.id);
	if (r)
		return r;
	struct ds_error err = { 0 };
	return ds_oci_create(&c, &err) < 0 ? report(o, &err) : 0;
}

static int verb_exec(const struct oci_cli *o)
{
	struct ds_oci_exec_opts e = { .root = o->root };
	char *ids[2];
	int n = 0;
	for (int i = 1; i < o->argc; i++) {
		int missing = 0;
		const char *v;
		if ((v = flag_value(o->argc, o->argv, &i, "--process", &missing)) ||
		    (v = flag_value(o->argc, o->argv, &i, "-p", &missing)))
			e.process = v;
		else if ((v = flag_value(o->argc, o->argv, &i, "--pid-file", &missing)))
			e.pid_file = v;
		else if ((v = flag_value(o->argc, o->argv, &i, "--console-socket", &missing)))
			e.console_socket = v;
		else if (missing)
			return usage_error(o, "%s needs a value", o->argv[i]);
		else if (!strcmp(o->argv[i], "--detach") || !strcmp(o->argv[i], "-d"))
			e.detach = 1;
		else if (!strcmp(o->argv[i], "--tty") || !strcmp(o->argv[i], "-t"))
			continue; /* as runc with --process: process.json's "terminal" decides */
		else if (o->argv[i][0] == '-')
			return usage_error(o, "exec does not take %s", o->argv[i]);
		else if (n < 2)
			ids[n++] = o->argv[i];
		else
			return usage_error(o, "%s", "exec needs exactly one container id (and --process)");
	}
	int r = one_id(o, "exec", ids, n, &e.id);
	if (r)
		return r;
	if (!e.process)
		return usage_error(o, "%s", "exec needs --process FILE");
	struct ds_error err = { 0 };
	int status = 0;
	if (ds_oci_exec(&e, &status, &err) < 0) {
		report(o, &err);
		return 255; /* as runc: its own failure is not the process's status */
	}
	return status;
}

/* A verb of one id and no options: start, state. */
static int simple_args(const struct oci_cli *o, const char **id)
{
	for (int i = 1; i < o->argc; i++)
		if (o->argv[i][0] == '-')
			return usage_error(o, "unknown option %s", o->argv[i]);
	return one_id(o, o->argv[0], o->argv + 1, o->argc - 1, id);
}

static int verb_start(const struct oci_cli *o)
{
	const char *id = NULL;
	int r = simple_args(o, &id);
	if (r)
		return r;
	struct ds_error err = { 0 };
	return ds_oci_start(o->root, id, &err) < 0 ? report(o, &err) : 0;
}

static int verb_state(const struct oci_cli *o)
{
	const char *id = NULL;
	int r = simple_args(o, &id);
	if (r)
		return r;
	struct ds_oci_container c;
	struct ds_error err = { 0 };
	if (ds_oci_load(o->root, id, &c, &err) < 0)
		return report(o, &err);
	/* The annotations of the copy of config.json create took (none when it is unreadable). */
	struct ds_oci_spec spec;
	struct ds_error ignored = { 0 };
	int have_spec = ds_oci_load_spec(&c, &spec, &ignored) == 0;
	_cleanup_free_ char *text = ds_oci_state_json(&c, ds_oci_status(&c), have_spec ? &spec : NULL);
	ds_oci_spec_free(&spec);
	if (!text)
		return report(o, &(struct ds_error){ .code = -ENOMEM, .msg = "cannot write the state" });
	fputs(text, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ps's table: ps(1) run with args (-ef by default), its header and the lines of pids only. */
static int ps_table(const struct oci_cli *o, const pid_t *pids, size_t n, char **args, int n_args)
{
	char *argv[n_args + 3];
	argv[0] = "ps";
	argv[1] = "-ef";
	for (int i = 0; i < n_args; i++)
		argv[i + 1] = args[i];
	argv[n_args ? n_args + 1 : 2] = NULL;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return report(o, &(struct ds_error){ .code = negerrno(), .msg = "cannot create a pipe" });
	pid_t child = fork();
	if (child == 0) {
		dup2(p[1], 1);
		execvp("ps", argv);
		fprintf(stderr, "droidspaces-oci: cannot execute ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	FILE *f = child > 0 ? fdopen(p[0], "re") : NULL;
	if (!f) {
		close(p[0]);
		return report(o, &(struct ds_error){ .code = -ECHILD, .msg = "cannot run ps" });
	}
	char *line = NULL;
	size_t cap = 0;
	int col = -1; /* PID's column, from the header */
	for (ssize_t len; (len = getline(&line, &cap, f)) > 0;) {
		char copy[len + 1], *save = NULL, *w;
		memcpy(copy, line, (size_t)len + 1);
		int k = 0;
		long pid = -1;
		for (w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), k++) {
			if (col < 0 && strcmp(w, "PID") == 0)
				col = k;
			else if (k == col)
				pid = strtol(w, NULL, 10);
		}
		int show = col >= 0 && pid < 0; /* the header */
		for (size_t i = 0; !show && i < n; i++)
			show = pid == pids[i];
		if (show)
			fputs(line, stdout);
	}
	free(line);
	fclose(f);
	int status = 0;
	waitpid(child, &status, 0);
	if (col < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return report(o,
			      &(struct ds_error){ .code = DS_EINVAL_MSG, .msg = "ps failed or printed no PID column" });
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ps [--format table|json] ID [PS_ARGS...]: the processes in the container's cgroup, as runc lists them. */
static int verb_ps(const struct oci_cli *o)
{
	int json = 0, i = 1;
	for (; i < o->argc && o->argv[i][0] == '-'; i++) {
		int missing = 0;
		const char *v;
		if ((v = flag_value(o->argc, o->argv, &i, "--format", &missing)) ||
		    (v = flag_value(o->argc, o->argv, &i, "-f", &missing))) {
			if (strcmp(v, "json") != 0 && strcmp(v, "table") != 0)
				return usage_error(o, "--format is table or json, not \"%.40s\"", v);
			json = strcmp(v, "json") == 0;
		} else if (missing)
			return usage_error(o, "%s needs a value", o->argv[i]);
		else
			return usage_error(o, "ps does not take %s", o->argv[i]);
	}
	if (i >= o->argc)
		return usage_error(o, "%s", "ps needs a container id");
	const char *id = o->argv[i++];
	if (json && i < o->argc)
		return usage_error(o, "%s", "ps --format json takes no ps(1) options");
	struct ds_error err = { 0 };
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (ds_oci_pids(o->root, id, &pids, &n, &err) < 0)
		return report(o, &err);
	if (!json)
		return ps_table(o, pids, n, o->argv + i, o->argc - i);
	putchar('[');
	for (size_t k = 0; k < n; k++)
		printf("%s%d", k ? "," : "", (int)pids[k]);
	puts("]");
	return fflush(stdout) == 0 ? 0 : 1;
}

static int verb_kill(const struct oci_cli *o)
{
	const char *args[3];
	int n = 0, all = 0;
	for (int i = 1; i < o->argc; i++) {
		if (strcmp(o->argv[i], "--all") == 0 || strcmp(o->argv[i], "-a") == 0)
			all = 1;
		else if (o->argv[i][0] == '-' && n == 0)
			return usage_error(o, "kill does not take %s", o->argv[i]);
		else if (n < 3)
			args[n++] = o->argv[i];
	}
	if (n < 1 || n > 2)
		return usage_error(o, "%s", "usage: kill [--all] ID [SIGNAL]");
	int sig = n == 2 ? ds_oci_signal_parse(args[1]) : SIGTERM;
	if (sig < 0)
		return usage_error(o, "unknown signal \"%.40s\"", args[1]);
	struct ds_error err = { 0 };
	return ds_oci_kill(o->root, args[0], sig, all, &err) < 0 ? report(o, &err) : 0;
}

static int verb_delete(const struct oci_cli *o)
{
	const char *ids[2];
	int n = 0, force = 0;
	for (int i = 1; i < o->argc; i++) {
		if (strcmp(o->argv[i], "--force") == 0 || strcmp(o->argv[i], "-f") == 0)
			force = 1;
		else if (o->argv[i][0] == '-')
			return usage_error(o, "delete does not take %s", o->argv[i]);
		else if (n < 2)
			ids[n++] = o->argv[i];
	}
	const char *id = NULL;
	int r = one_id(o, "delete", (char **)ids, n, &id);
	if (r)
		return r;
	struct ds_error err = { 0 };
	return ds_oci_delete(o->root, id, force, &err) < 0 ? report(o, &err) : 0;
}

static int verb_features(const struct oci_cli *o)
{
	if (o->argc > 1)
		return usage_error(o, "features takes no arguments, not %s", o->argv[1]);
	static const char *const options[] = {
		"async",    "atime",       "bind",          "dev",    "diratime",    "dirsync",    "exec",
		"lazytime", "mand",        "noatime",       "nodev",  "nodiratime",  "noexec",     "nolazytime",
		"nomand",   "norelatime",  "nostrictatime", "nosuid", "private",     "rbind",      "relatime",
		"ro",       "rprivate",    "rshared",       "rslave", "runbindable", "rw",         "shared",
		"slave",    "strictatime", "suid",          "sync",   "tmpcopyup",   "unbindable",
	};
	struct ds_json j;
	ds_json_init(&j, stdout);
	ds_json_object_begin(&j, NULL);
	ds_json_string(&j, "ociVersionMin", "1.0.0");
	ds_json_string(&j, "ociVersionMax", DS_OCI_VERSION);
	ds_json_array_begin(&j, "hooks");
	for (int point = 0; point < DS_OCI_HOOK_POINTS; point++)
		ds_json_string(&j, NULL, ds_oci_hook_name(point));
	ds_json_array_end(&j);
	ds_json_array_begin(&j, "mountOptions");
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		ds_json_string(&j, NULL, options[i]);
	ds_json_array_end(&j);
	ds_json_object_begin(&j, "linux");
	ds_json_array_begin(&j, "namespaces");
	for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
		if (ns != DS_OCI_NS_TIME)
			ds_json_string(&j, NULL, ds_oci_ns_name(ns));
	ds_json_array_end(&j);
	ds_oci_seccomp_features(&j);
	ds_json_object_end(&j);
	ds_json_object_end(&j);
	return fflush(stdout) == 0 ? 0 : 1;
}

static const struct {
	const char *name;
	int (*run)(const struct oci_cli *o);
	const char *help;
} verbs[] = {
	{ "create", verb_create, "create --bundle DIR [--pid-file F] [--console-socket S] ID: set up, wait for start" },
	{ "start", verb_start, "start ID: run the created container's process" },
	{ "state", verb_state, "state ID: the container's state as JSON" },
	{ "exec", verb_exec,
	  "exec --process P.json [--detach] [--pid-file F] [--console-socket S] [--tty] ID: one more process in it" },
	{ "kill", verb_kill, "kill [--all] ID [SIGNAL]: signal the container (TERM by default)" },
	{ "delete", verb_delete, "delete [--force] ID: remove a stopped container" },
	{ "ps", verb_ps, "ps [--format table|json] ID [PS_ARGS]: the processes in its cgroup" },
	{ "features", verb_features, "features: what this runtime supports, as JSON" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: droidspaces-oci [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup]\n"
		     "                      COMMAND [ARGS]\n"
		     "\n"
		     "The OCI runtime command line (as runc's) over a bundle's config.json.\n"
		     "\n"
		     "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %s\n", verbs[i].help);
	fprintf(out, "\nState directory: --root, default %s.\n", DS_OCI_ROOT_DEFAULT);
}

int cmd_oci(int argc, char **argv)
{
	struct oci_cli o = { .root = DS_OCI_ROOT_DEFAULT };
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		int missing = 0;
		const char *v;
		if ((v = flag_value(argc, argv, &i, "--root", &missing)))
			o.root = v;
		else if ((v = flag_value(argc, argv, &i, "--log-format", &missing))) {
			if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0)
				return usage_error(&o, "--log-format is text or json, not \"%.40s\"", v);
			o.log_json = strcmp(v, "json") == 0;
		} else if ((v = flag_value(argc, argv, &i, "--log", &missing)))
			o.log = v;
		else if (missing)
			return usage_error(&o, "%s needs a value", argv[i]);
		else if (strcmp(argv[i], "--systemd-cgroup") == 0)
			continue; /* accepted: the cgroups are cgroupfs underneath */
		else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0) {
			printf("droidspaces-oci version %s\nspec: %s\n", DS_VERSION, DS_OCI_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else
			return usage_error(&o, "unknown global option %s", argv[i]);
	}
	if (o.root[0] != '/')
		return usage_error(&o, "--root must be an absolute path, not \"%.200s\"", o.root);
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	o.argc = argc - i;
	o.argv = argv + i;
	for (size_t k = 0; k < ARRAY_SIZE(verbs); k++)
		if (strcmp(argv[i], verbs[k].name) == 0)
			return verbs[k].run(&o);
	return usage_error(&o, "unknown command '%.80s' (see --help)", argv[i]);
}
