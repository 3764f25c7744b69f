/* SPDX-License-Identifier: GPL-3.0-or-later */
/* argv -> struct ds_cli: the options are the rows of the settings table (core/settings.h). */
#pragma once

#include "config.h"
#include "core/settings.h"
#include "core/state.h"
#include "core/validate.h"
#include "util/error.h"

#define DS_MAX_ARGS 256

struct ds_cli {
	struct ds_config cfg;      /* the settings the command line gave (cfg.settings.set says which) */
	struct ds_cli_flags flags; /* --name, --user, --json, --all, --help, --version */
	const char *command;       /* NULL when none was given */
	int argc;                  /* positional arguments after the command */
	char *argv[DS_MAX_ARGS + 1];
};

/*
 * Parses argv: options may come before or after the command; "--" ends
 * options, and for `run` everything after the container's command word is
 * passed through untouched.
 */
int ds_cli_parse(int argc, char **argv, struct ds_cli *cli, struct ds_error *err);
/* Frees what the parsed settings own. */
void ds_cli_free(struct ds_cli *cli);
