/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A scratch directory per test (cmocka setup/teardown), removed with everything in it. */
#pragma once

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline int tmpdir_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline int tmpdir_setup(void **state)
{
	const char *base = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	snprintf(tmpl, sizeof(tmpl), "%s/ds-unit-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		return -1;
	*state = strdup(tmpl);
	return *state ? 0 : -1;
}

static inline int tmpdir_teardown(void **state)
{
	nftw(*state, tmpdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}
