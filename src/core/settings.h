/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The settings table: one row per option and saved key, {saved key, --long,
 * -s, argument type, offset, parser, help, verbs that accept it}.  The
 * command-line parser, container.config's parse/render/merge, the Options
 * section of --help and each verb's accepted-options check all walk it, so
 * adding an option is one row.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>
#include <stdio.h>

/* The verbs, one bit each (a row's `verbs` says which accept the option). */
enum {
	DS_VERB_START = 1u << 0,
	DS_VERB_STOP = 1u << 1,
	DS_VERB_RESTART = 1u << 2,
	DS_VERB_STATUS = 1u << 3,
	DS_VERB_SHOW = 1u << 4,
	DS_VERB_INFO = 1u << 5,
	DS_VERB_SCAN = 1u << 6,
	DS_VERB_REMOVE = 1u << 7,
	DS_VERB_CHECK = 1u << 8,
	DS_VERB_LOGS = 1u << 9,
	DS_VERB_CONSOLE = 1u << 10,
	DS_VERB_ENTER = 1u << 11,
	DS_VERB_RUN = 1u << 12,
	DS_VERB_UPDATE = 1u << 13,
	DS_VERB_ALL = (1u << 14) - 1,
};

/* What the command line asked that is no setting of a container. */
struct ds_cli_flags {
	const char *names;      /* raw --name: NAME, or NAME,NAME,... (stop) */
	const char *user;       /* run --user */
	char pidfile[PATH_MAX]; /* --pidfile: where the command finds the container's pidfile */
	int wait;               /* start --wait: seconds to wait for the guest to be ready, 0: do not */
	int json, all, help, version;
};

enum ds_arg {
	DS_ARG_FLAG,  /* no value on the command line; 0 or 1 in a saved file */
	DS_ARG_INT,   /* a number within lo..hi */
	DS_ARG_PATH,  /* a path into a char array of `size` (no control characters) */
	DS_ARG_VALUE, /* anything else: the row's parser */
};

/* Where a value comes from: the messages and the leniency differ. */
enum ds_from { DS_FROM_CLI, DS_FROM_CONFIG };

enum {
	DS_ROW_FLAGS = 1u << 0,  /* offset is into struct ds_cli_flags, not struct ds_settings */
	DS_ROW_LEGACY = 1u << 1, /* a saved key of older versions: read, never written */
	DS_ROW_OR = 1u << 2,     /* merge: combine with the saved value, do not replace it */
	DS_ROW_OPTVAL = 1u << 3, /* the command line's value is optional: --long alone, or --long=VALUE */
	DS_ROW_EMPTY = 1u << 4,  /* an empty saved value is the default: it is not parsed */
};

/* Emits one key=value line of a saved file. */
typedef int (*ds_setting_put_fn)(void *ctx, const char *key, const char *val);

struct ds_setting {
	const char *key;  /* saved key, NULL when not saved */
	const char *name; /* --long, NULL for a saved key only */
	char shortopt;    /* -s, 0 when none */
	enum ds_arg arg;
	unsigned flags;      /* DS_ROW_* */
	size_t offset, size; /* the field (size: of a char array) */
	int lo, hi;          /* DS_ARG_INT */
	const char *why;     /* DS_ARG_INT: what the command line expects */
	/* DS_ARG_VALUE (and any row that needs more than its type): parses val into the field. */
	int (*parse)(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		     struct ds_error *err);
	/* Writes the row's line(s); NULL: by type. */
	int (*render)(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx);
	/* Copies the row's value from src to dst; NULL: by type. */
	int (*merge)(const struct ds_setting *row, struct ds_settings *dst, const struct ds_settings *src);
	const char *metavar; /* the value's name in --help */
	const char *help;    /* --help text; '\n' continues on an indented line */
	unsigned verbs;      /* DS_VERB_* that accept it */
};

extern const struct ds_setting ds_settings[];
extern const size_t ds_settings_count;

/* The row of --long (NULL when none). */
const struct ds_setting *ds_setting_by_name(const char *name, size_t len);
/* The row of -s (NULL when none). */
const struct ds_setting *ds_setting_by_short(char c);
/* The row of a saved key (NULL when unknown). */
const struct ds_setting *ds_setting_by_key(const char *key);
/* Bit of a row in the set-mask (ds_settings.set). */
unsigned long long ds_setting_bit(const struct ds_setting *row);

/*
 * Parses val into s (or flags, for DS_ROW_FLAGS rows) and marks the row in
 * s->set.  A DS_ARG_FLAG row from the command line takes val "".
 */
int ds_setting_apply(const struct ds_setting *row, struct ds_settings *s, struct ds_cli_flags *flags, const char *val,
		     enum ds_from from, struct ds_error *err);

/* The first row given in `set` that verb does not accept (NULL: all are). */
const struct ds_setting *ds_settings_refused(unsigned long long set, unsigned verb);

/* Renders every saved row of s through put, in table order. */
int ds_settings_render(const struct ds_settings *s, ds_setting_put_fn put, void *ctx);
/*
 * Fills dst from src for every saved row dst->set does not have (DS_ROW_OR
 * rows are combined), then marks those rows set in dst: so the command line
 * wins over --config, which wins over the saved settings.
 */
int ds_settings_merge(struct ds_settings *dst, const struct ds_settings *src);

/* The Options section of --help. */
void ds_settings_usage(FILE *out);

/* Frees what the settings own (binds); s stays initialised and empty of them. */
void ds_settings_free(struct ds_settings *s);
