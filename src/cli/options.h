/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every option of the specification, parsed and validated once. */
#pragma once

#include "config.h"
#include "core/state.h"
#include "core/validate.h"
#include "util/error.h"

#define DS_MAX_ARGS 256

struct ds_cli {
	struct ds_config cfg;
	const char *command;          /* NULL when none was given */
	int argc;                     /* positional arguments after the command */
	char *argv[DS_MAX_ARGS + 1];
	int help, version;
	int all;                      /* stop --all */
	const char *user;             /* run --user */
};

/*
 * Parses argv: options may come before or after the command; "--" ends
 * options, and for `run` everything after the container's command word is
 * passed through untouched.
 */
int ds_cli_parse(int argc, char **argv, struct ds_cli *cli, struct ds_error *err);
