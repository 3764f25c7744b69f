/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_notify_parse: a notify datagram is whatever a
 * guest's init (or a process spoofing it) sends, so any bytes must parse or
 * be refused without a memory error, and a STATUS= kept is bounded,
 * printable text that the readiness record can always be written with.
 */
#include "core/ready.h"

#include "fuzz.h"

#include <errno.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_notify n;
	int r = ds_notify_parse((const char *)data, size, &n);
	if (r < 0) {
		CHECK(r == -EINVAL || r == -ENOMSG);
		CHECK(r == -ENOMSG || size == 0 || size > DS_NOTIFY_MAX);
		return 0;
	}
	CHECK(n.ready || n.stopping || n.has_status);
	size_t len = strnlen(n.status, sizeof(n.status));
	CHECK(len <= DS_STATUS_MAX);
	for (size_t i = 0; i < len; i++)
		CHECK((unsigned char)n.status[i] >= 0x20 && (unsigned char)n.status[i] < 0x7f);
	/* What the monitor records of it reads back the same. */
	struct ds_ready rec = { .ready = n.ready, .by = n.ready ? DS_READY_NOTIFY : DS_READY_NONE, .ms = 1 }, back;
	memcpy(rec.status, n.status, sizeof(rec.status));
	char text[DS_STATUS_MAX + 128];
	CHECK(ds_ready_format(&rec, text, sizeof(text)) == 0);
	CHECK(ds_ready_parse(text, &back) == 0);
	CHECK(back.ready == rec.ready && back.by == rec.by && strcmp(back.status, rec.status) == 0);
	return 0;
}
