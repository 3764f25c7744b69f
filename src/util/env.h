/* SPDX-License-Identifier: GPL-3.0-or-later */
/* /etc/environment lines: KEY=VALUE, optional "export ", quotes, comments. */
#pragma once

#include <stddef.h>

/*
 * Parses one line. Returns 1 and fills key/val for an assignment, 0 for a
 * blank or comment line, -EINVAL for anything else (bad key, open quote).
 */
int ds_env_parse_line(const char *line, char *key, size_t ksize, char *val, size_t vsize);
/* Applies every valid line of the text with setenv(3). */
void ds_env_apply_text(const char *text);
