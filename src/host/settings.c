/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "host/settings.h"
#include "util/fileio.h"

#include <stdio.h>
#include <unistd.h>

static void record_path(const struct ds_config *cfg, const char *key, char *out, size_t size)
{
	snprintf(out, size, "%s/Host/%s", cfg->workspace, key);
}

int ds_setting_remember(const struct ds_config *cfg, const char *key, const char *value, struct ds_error *err)
{
	char path[PATH_MAX], dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/Host", cfg->workspace);
	int r = ds_mkdir_p(dir, 0700);
	if (r < 0)
		return ds_fail(err, r, "cannot create %s", dir);
	record_path(cfg, key, path, sizeof(path));
	if (access(path, F_OK) == 0)
		return 0;
	r = ds_write_file_atomic(path, value, 0600, DS_WRITE_DURABLE);
	return r < 0 ? ds_fail(err, r, "cannot note the host's %s before changing it (%s)", key, path) : 0;
}

int ds_setting_recall(const struct ds_config *cfg, const char *key, char *out, size_t size)
{
	char path[PATH_MAX];
	record_path(cfg, key, path, sizeof(path));
	ssize_t n = ds_read_file(path, out, size);
	if (n < 0)
		return (int)n;
	unlink(path);
	ds_chomp(out);
	return 0;
}
