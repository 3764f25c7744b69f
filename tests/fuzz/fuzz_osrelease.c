/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_osrelease_parse and ds_osrelease_name: os-release
 * comes from the guest's rootfs, so any bytes must parse without a memory
 * error, every field must stay NUL-terminated, and the name made from the
 * result must always be a valid container name (it becomes a pidfile, a log
 * directory and a cgroup). The name is also fuzzed on raw ID/VERSION_ID
 * fields the parser would never produce (input split at the first NUL).
 */
#include "config.h"
#include "core/state.h"
#include "util/osrelease.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static void check_name(const struct ds_osrelease *os)
{
	char name[DS_NAME_MAX + 1];
	memset(name, 0x7f, sizeof(name));
	ds_osrelease_name(os, name, sizeof(name));
	CHECK(memchr(name, '\0', sizeof(name)) != NULL);
	size_t n = strlen(name);
	CHECK(n >= 1 && n <= DS_NAME_MAX);
	CHECK(ds_name_validate(name) == 0);
	CHECK(strcmp(name, ".") != 0 && strcmp(name, "..") != 0);
	/* Only characters of the ID and VERSION_ID, or the fallback "linux". */
	if (strcmp(name, "linux") != 0) {
		for (size_t i = 0; i < n; i++)
			CHECK(name_char(name[i]));
		CHECK(name[0] != '.');
	}
	/* Every candidate with a collision suffix is valid too. */
	char cand[DS_NAME_MAX + 1];
	static const int suffixes[] = { 1, 2, 10, 1024 };
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		ds_name_candidate(name, suffixes[i], cand);
		CHECK(ds_name_validate(cand) == 0);
	}
	/* A smaller buffer is never overrun and stays NUL-terminated. */
	char small[9];
	ds_osrelease_name(os, small, sizeof(small));
	CHECK(strlen(small) < sizeof(small));
	CHECK(strncmp(small, name, strlen(small)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size);
	if (!buf)
		return 0;

	struct ds_osrelease os;
	memset(&os, 0xa5, sizeof(os));
	ds_osrelease_parse(buf, &os);
	CHECK(memchr(os.id, '\0', sizeof(os.id)) != NULL);
	CHECK(memchr(os.version_id, '\0', sizeof(os.version_id)) != NULL);
	CHECK(memchr(os.pretty_name, '\0', sizeof(os.pretty_name)) != NULL);
	/* Values never run across lines. */
	CHECK(strchr(os.id, '\n') == NULL && strchr(os.version_id, '\n') == NULL);
	CHECK(strchr(os.pretty_name, '\n') == NULL);
	/* Parsing is deterministic. */
	struct ds_osrelease again;
	ds_osrelease_parse(buf, &again);
	CHECK(memcmp(os.id, again.id, strlen(os.id) + 1) == 0);
	CHECK(memcmp(os.version_id, again.version_id, strlen(os.version_id) + 1) == 0);
	check_name(&os);

	/* Raw fields: "ID\0VERSION_ID" straight into the struct. */
	memset(&os, 0, sizeof(os));
	snprintf(os.id, sizeof(os.id), "%s", buf);
	size_t l = strlen(buf);
	if (l < size)
		snprintf(os.version_id, sizeof(os.version_id), "%s", buf + l + 1);
	check_name(&os);

	free(buf);
	return 0;
}
