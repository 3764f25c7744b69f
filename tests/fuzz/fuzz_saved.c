/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_saved_parse: container.config and --config files
 * may be edited by hand, so any bytes must parse or be refused (with a
 * message) without a memory error. Whatever parses must render, and the
 * rendered text must parse back to the same settings and unknown lines:
 * saving a container never changes what it will boot with.
 */
#include "config.h"
#include "core/saved.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ds_saved first, second;
/* Room for every field at its largest: 32 binds of two paths, the rest, the extra lines. */
static char text[DS_MAX_BINDS * (2 * PATH_MAX + 16) + 4 * PATH_MAX + DS_CONFIG_EXTRA_MAX + 4096];
static char text2[sizeof(text)];

static void check_terminated(const struct ds_settings *c)
{
	CHECK(memchr(c->rootfs_path, '\0', sizeof(c->rootfs_path)) != NULL);
	CHECK(memchr(c->rootfs_img_path, '\0', sizeof(c->rootfs_img_path)) != NULL);
	CHECK(memchr(c->hostname, '\0', sizeof(c->hostname)) != NULL);
	CHECK(memchr(c->dns, '\0', sizeof(c->dns)) != NULL);
	CHECK(c->bind_count >= 0 && c->bind_count <= DS_MAX_BINDS);
	for (int i = 0; i < c->bind_count; i++) {
		CHECK(c->binds[i].src && c->binds[i].dest);
		CHECK(strlen(c->binds[i].src) < PATH_MAX && strlen(c->binds[i].dest) < PATH_MAX);
	}
	CHECK(c->stop_timeout >= 1 && c->stop_timeout <= 3600);
	CHECK(c->tty_count >= 0 && c->tty_count <= DS_MAX_TTYS);
}

static void check_same(const struct ds_saved *a, const struct ds_saved *b)
{
	const struct ds_settings *x = &a->settings, *y = &b->settings;
	CHECK(strcmp(x->rootfs_path, y->rootfs_path) == 0);
	CHECK(strcmp(x->rootfs_img_path, y->rootfs_img_path) == 0);
	CHECK(strcmp(x->hostname, y->hostname) == 0);
	CHECK(strcmp(x->dns, y->dns) == 0);
	CHECK(x->volatile_mode == y->volatile_mode);
	CHECK(x->hw_access == y->hw_access);
	CHECK(x->enable_ipv6 == y->enable_ipv6);
	CHECK(x->android_storage == y->android_storage);
	CHECK(x->selinux_permissive == y->selinux_permissive);
	CHECK(x->keep_caps == y->keep_caps);
	CHECK(x->stop_timeout == y->stop_timeout);
	CHECK(x->tty_count == y->tty_count);
	CHECK(x->bind_count == y->bind_count);
	for (int i = 0; i < x->bind_count; i++) {
		CHECK(strcmp(x->binds[i].src, y->binds[i].src) == 0);
		CHECK(strcmp(x->binds[i].dest, y->binds[i].dest) == 0);
		CHECK(x->binds[i].read_only == y->binds[i].read_only);
	}
	CHECK(strcmp(a->extra, b->extra) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size);
	if (!buf)
		return 0;

	struct ds_error err = { 0 };
	int r = ds_saved_parse(buf, &first, &err);
	free(buf);
	if (r < 0) {
		CHECK(err.code != 0);
		CHECK(err.msg[0] != '\0');
		return 0;
	}
	CHECK(r == 0);
	check_terminated(&first.settings);
	CHECK(memchr(first.extra, '\0', sizeof(first.extra)) != NULL);

	/* Round trip: what start would save reads back the same. */
	r = ds_saved_render(&first.settings, first.extra, text, sizeof(text));
	if (r != 0) {
		fprintf(stderr, "parsed, but render refused it (%d)\n", r);
		abort();
	}
	memset(&err, 0, sizeof(err));
	r = ds_saved_parse(text, &second, &err);
	if (r != 0) {
		fprintf(stderr, "rendered text does not parse: %s\n--- text ---\n%s", err.msg, text);
		abort();
	}
	check_same(&first, &second);
	/* And rendering is stable from then on. */
	CHECK(ds_saved_render(&second.settings, second.extra, text2, sizeof(text2)) == 0);
	CHECK(strcmp(text, text2) == 0);
	return 0;
}
