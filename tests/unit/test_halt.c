/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the init classification and initctl request of src/core/halt.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/halt.h"

#include <string.h>
#include <unistd.h>

static void test_init_kind_from_exe(void **state)
{
	(void)state;
	static const struct {
		const char *exe;
		enum ds_init_kind kind;
	} cases[] = {
		{ "/usr/lib/systemd/systemd", DS_INIT_SYSTEMD },
		{ "/lib/systemd/systemd", DS_INIT_SYSTEMD },
		{ "/bin/busybox", DS_INIT_BUSYBOX },
		{ "/sbin/openrc-init", DS_INIT_OPENRC },
		{ "/sbin/runit", DS_INIT_RUNIT },
		{ "/bin/s6-svscan", DS_INIT_S6 },
		{ "/sbin/init", DS_INIT_SYSVINIT },
		{ "init", DS_INIT_SYSVINIT },
		{ "/usr/bin/tini", DS_INIT_UNKNOWN },
		{ "/usr/bin/dumb-init", DS_INIT_UNKNOWN },
		{ "/usr/lib/systemd/systemd-journald", DS_INIT_UNKNOWN },
		{ "/sbin/runit-init", DS_INIT_UNKNOWN },
		{ "/sbin/init/", DS_INIT_UNKNOWN },
		{ "", DS_INIT_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ds_init_kind k = ds_init_kind_from_exe(cases[i].exe);
		if (k != cases[i].kind)
			fail_msg("ds_init_kind_from_exe(\"%s\") = %d, expected %d", cases[i].exe, (int)k,
				 (int)cases[i].kind);
	}
}

static void test_init_kind_name(void **state)
{
	(void)state;
	assert_string_equal(ds_init_kind_name(DS_INIT_SYSTEMD), "systemd");
	assert_string_equal(ds_init_kind_name(DS_INIT_SYSVINIT), "sysvinit");
	assert_string_equal(ds_init_kind_name(DS_INIT_BUSYBOX), "busybox");
	assert_string_equal(ds_init_kind_name(DS_INIT_OPENRC), "openrc-init");
	assert_string_equal(ds_init_kind_name(DS_INIT_RUNIT), "runit");
	assert_string_equal(ds_init_kind_name(DS_INIT_S6), "s6");
	assert_string_equal(ds_init_kind_name(DS_INIT_UNKNOWN), "unknown");
}

static void test_init_detect_self(void **state)
{
	(void)state;
	/* This test binary is none of the known inits. */
	assert_int_equal(ds_init_detect(getpid()), DS_INIT_UNKNOWN);
	assert_int_equal(ds_init_detect(0x3ffffffe), DS_INIT_UNKNOWN);
}

static void test_initctl_request(void **state)
{
	(void)state;
	unsigned char req[384];
	memset(req, 0xee, sizeof(req));
	ds_initctl_request('0', req);
	/* magic 0x03091969, little-endian */
	assert_int_equal(req[0], 0x69);
	assert_int_equal(req[1], 0x19);
	assert_int_equal(req[2], 0x09);
	assert_int_equal(req[3], 0x03);
	/* cmd = INIT_CMD_RUNLVL (1) */
	static const unsigned char cmd[4] = { 1, 0, 0, 0 };
	assert_memory_equal(req + 4, cmd, 4);
	/* runlevel '0' as an int */
	static const unsigned char lvl[4] = { '0', 0, 0, 0 };
	assert_memory_equal(req + 8, lvl, 4);
	/* sleeptime and the whole data union: zero */
	for (size_t i = 12; i < sizeof(req); i++)
		if (req[i] != 0)
			fail_msg("byte %zu is 0x%02x, expected 0", i, req[i]);

	ds_initctl_request('6', req);
	assert_int_equal(req[8], '6');
	assert_int_equal(req[4], 1);
}

static void test_status_takes_signal(void **state)
{
	(void)state;
	/* SIGUSR2 = 12: bit 11, in the third hex digit from the right (0x800). */
	const char *caught = "Name:\tinit\nSigQ:\t0/1\nSigPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n"
			     "SigIgn:\t0000000000000000\nSigCgt:\t0000000000000800\n";
	assert_int_equal(ds_status_takes_signal(caught, 12), 1);
	assert_int_equal(ds_status_takes_signal(caught, 10), 0);
	assert_int_equal(ds_status_takes_signal(caught, 1), 0);
	/* blocked (signalfd) counts: SIGRTMIN+3 = 37 is bit 36, digit 9 from the right */
	const char *blocked = "SigBlk:\t0000001000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n";
	assert_int_equal(ds_status_takes_signal(blocked, 37), 1);
	assert_int_equal(ds_status_takes_signal(blocked, 36), 0);
	/* ignored only: lost */
	const char *ignored = "SigBlk:\t0\nSigIgn:\tffffffffffffffff\nSigCgt:\t0000000000000000\n";
	assert_int_equal(ds_status_takes_signal(ignored, 15), 0);
	/* a key must start a line; upper-case hex; a short mask; signal beyond the mask */
	assert_int_equal(ds_status_takes_signal("XSigCgt:\tffff\n", 1), -1);
	assert_int_equal(ds_status_takes_signal("SigCgt:\tF\n", 4), 1);
	assert_int_equal(ds_status_takes_signal("SigCgt:\tF\n", 5), 0);
	assert_int_equal(ds_status_takes_signal("SigCgt:\t\n", 5), -1);
	assert_int_equal(ds_status_takes_signal("", 5), -1);
	assert_int_equal(ds_status_takes_signal("SigCgt:\tffff\n", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_kind_from_exe),  cmocka_unit_test(test_init_kind_name),
		cmocka_unit_test(test_init_detect_self),    cmocka_unit_test(test_initctl_request),
		cmocka_unit_test(test_status_takes_signal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
