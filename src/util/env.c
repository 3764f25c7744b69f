/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/env.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ds_env_parse_line(const char *line, char *key, size_t ksize, char *val, size_t vsize)
{
	const char *p = line;
	if (ksize == 0 || vsize == 0)
		return -EINVAL; /* no room even for the terminating NUL */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || *p == '\n' || *p == '\r')
		return 0;
	if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
		p += 6;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	size_t k = 0;
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return -EINVAL;
	while (isalnum((unsigned char)p[k]) || p[k] == '_')
		k++;
	if (p[k] != '=' || k + 1 > ksize)
		return -EINVAL;
	memcpy(key, p, k);
	key[k] = '\0';
	p += k + 1;
	size_t v = 0;
	char quote = 0;
	if (*p == '"' || *p == '\'')
		quote = *p++;
	for (; *p && *p != '\n' && *p != '\r'; p++) {
		char c = *p;
		if (quote && c == quote) {
			quote = 0;
			p++;
			break;
		}
		if (quote == '"' && c == '\\' && p[1] && strchr("\"\\$`", p[1]))
			c = *++p;
		if (!quote && (c == ' ' || c == '\t' || c == '#'))
			break;
		if (v + 1 >= vsize)
			return -EINVAL;
		val[v++] = c;
	}
	if (quote)
		return -EINVAL;
	/* Only trailing blanks or a comment may follow. */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p && *p != '#' && *p != '\n' && *p != '\r')
		return -EINVAL;
	val[v] = '\0';
	return 1;
}

void ds_env_apply_text(const char *text)
{
	char line[4096], key[256], val[4096];
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (ds_env_parse_line(line, key, sizeof(key), val, sizeof(val)) == 1)
				setenv(key, val, 1);
		}
		p += len + (nl ? 1 : 0);
	}
}
