/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What this kernel offers droidspaces, feature by feature, and what start
 * does without each one (for `check`). Every probe is cheap and leaves
 * nothing behind: syscalls are asked with arguments they refuse before
 * doing anything, namespaces are tried in a child that exits at once, and
 * no cgroup, mount, fd or device node outlives the probe. The probes honour
 * the same DROIDSPACES_FAULT switches as the paths they stand for, so that
 * the verdict is what start then does.
 */
#pragma once

#include <stddef.h>

enum ds_kf_level {
	DS_KF_REQUIRED,    /* start is refused without it */
	DS_KF_RECOMMENDED, /* start goes on, with less confinement or function (a warning) */
	DS_KF_FALLBACK,    /* a newer kernel's way; start uses an older one without it */
	DS_KF_OPTIONAL,    /* needed by one option only */
	DS_KF_REPORT,      /* not used yet: reported only */
	DS_KF_LEVELS,
};

struct ds_kfeature {
	const char *key;  /* JSON key: "clone3" */
	const char *name; /* "clone3 (5.3)" */
	enum ds_kf_level level;
	const char *without; /* "fallback: ...", "refused: ...", "warning: ...", "needed by ..." */
	/* 1 yes, 0 no, -1 cannot tell (e.g. not root); detail (may stay "") says more. */
	int (*probe)(const char *arg, char *detail, size_t size);
	const char *arg; /* the probe's argument (a namespace, a filesystem type) */
};

const struct ds_kfeature *ds_kfeatures(size_t *n);
/* The heading of a level's section ("Required", ...) and its JSON name ("required", ...). */
const char *ds_kf_level_heading(enum ds_kf_level level);
const char *ds_kf_level_name(enum ds_kf_level level);
/* The mark of a result in the text table: " OK ", "FAIL", "WARN", " -- ", " ?? ". */
const char *ds_kf_mark(enum ds_kf_level level, int have);
/* One row of the text table (no newline): "  [mark] name  yes|no  detail or consequence". */
void ds_kf_format_row(const struct ds_kfeature *f, int have, const char *detail, char *out, size_t size);

/* The tally of one run, and its verdict line. */
struct ds_kf_tally {
	int refused;   /* required features missing: start refuses */
	int warnings;  /* recommended or optional features missing */
	int fallbacks; /* newer ways missing: older ones in use */
};
void ds_kf_count(struct ds_kf_tally *t, enum ds_kf_level level, int have);
/* "Verdict: ..." (no newline); its short form for JSON in *word. */
void ds_kf_verdict(const struct ds_kf_tally *t, char *out, size_t size, const char **word);
