/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/netopts.c: --net, --subnet and --port, and their text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/net.h"
#include "core/netopts.h"
#include "core/saved.h"
#include "core/settings.h"

#include <errno.h>
#include <string.h>

static void test_net_mode(void **state)
{
	(void)state;
	int m = -1;
	assert_null(ds_net_mode_parse("host", &m));
	assert_int_equal(m, DS_NET_HOST);
	assert_null(ds_net_mode_parse("none", &m));
	assert_int_equal(m, DS_NET_NONE);
	assert_null(ds_net_mode_parse("nat", &m));
	assert_int_equal(m, DS_NET_NAT);
	static const char *const bad[] = { "", "NAT", "bridge", "nat ", "hostx", "ho" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 77;
		assert_non_null(ds_net_mode_parse(bad[i], &m));
		assert_int_equal(m, 77);
	}
	assert_string_equal(ds_net_mode_name(DS_NET_NAT), "nat");
	assert_string_equal(ds_net_mode_name(42), "host");
}

static void test_subnet_accepts(void **state)
{
	(void)state;
	struct ds_cidr c;
	assert_null(ds_subnet_parse("10.87.0.0/24", &c));
	assert_int_equal(c.addr, 0x0a570000u);
	assert_int_equal(c.prefix, 24);
	assert_null(ds_subnet_parse("192.168.128.0/17", &c));
	assert_int_equal(c.addr, 0xc0a88000u);
	assert_int_equal(c.prefix, 17);
	assert_null(ds_subnet_parse("172.16.0.0/12", &c));
	assert_null(ds_subnet_parse("10.0.0.0/8", &c));
	assert_null(ds_subnet_parse("10.1.2.4/30", &c));
}

static void test_subnet_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"10.87.0.0",
		"10.87.0.0/",
		"10.87.0.1/24",
		"10.87.0.0/31",
		"10.87.0.0/7",
		"10.87.0/24",
		"10.87.0.0.0/24",
		"256.0.0.0/24",
		"10.87.0.0/024",
		"010.87.0.0/24",
		"10.87.0.0/24 ",
		" 10.87.0.0/24",
		"10.87.0.0/2x",
		"a.b.c.d/24",
		"10.87.-0.0/24",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ds_cidr c = { 7, 7 };
		if (!ds_subnet_parse(bad[i], &c))
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(c.addr, 7);
		assert_int_equal(c.prefix, 7);
	}
}

static void test_port_accepts(void **state)
{
	(void)state;
	struct ds_port p;
	char text[32];
	assert_null(ds_port_parse("8080:80", &p));
	assert_int_equal(p.host, 8080);
	assert_int_equal(p.guest, 80);
	assert_int_equal(p.udp, 0);
	ds_port_format(&p, text, sizeof(text));
	assert_string_equal(text, "8080:80/tcp");
	assert_null(ds_port_parse("53:5353/udp", &p));
	assert_int_equal(p.udp, 1);
	ds_port_format(&p, text, sizeof(text));
	assert_string_equal(text, "53:5353/udp");
	assert_null(ds_port_parse("65535:1/tcp", &p));
	assert_int_equal(p.host, 65535);
	assert_int_equal(p.guest, 1);
}

static void test_port_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",          "80",         ":80",    "80:",   "0:80",   "80:0",  "65536:80",   "80:65536", "80:80/",
		"80:80/TCP", "80:80/sctp", "80:80x", "-1:80", "80:080", "8o:80", "80:80/tcp ", "1:2:3",    "999999:1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ds_port p = { 7, 7, 7 };
		if (!ds_port_parse(bad[i], &p))
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(p.host, 7);
	}
}

static void test_ipv4(void **state)
{
	(void)state;
	unsigned a;
	assert_int_equal(ds_ipv4_parse("10.87.0.2", &a), 0);
	assert_int_equal(a, 0x0a570002u);
	assert_int_equal(ds_ipv4_parse("255.255.255.255", &a), 0);
	assert_int_equal(a, 0xffffffffu);
	assert_true(ds_ipv4_parse("10.87.0", &a) < 0);
	assert_true(ds_ipv4_parse("10.87.0.256", &a) < 0);
	assert_true(ds_ipv4_parse("10.87.0.2x", &a) < 0);
}

static void test_overlap(void **state)
{
	(void)state;
	assert_true(ds_cidr_overlap(0x0a570000u, 24, 0x0a000000u, 8));
	assert_true(ds_cidr_overlap(0x0a570000u, 24, 0x0a570080u, 25));
	assert_false(ds_cidr_overlap(0x0a570000u, 24, 0x0a570100u, 24));
	assert_false(ds_cidr_overlap(0x0a570000u, 24, 0xc0000200u, 24));
}

/* The network rows survive container.config: mode, subnet, every forward and the kept address. */
static void test_lease(void **state)
{
	(void)state;
	struct ds_net_lease l = { 0x0a570002u, 24, { 2, { { 8081, 80, 0 }, { 5353, 53, 1 } } } }, m;
	char text[DS_NET_LEASE_MAX];
	assert_int_equal(ds_net_lease_format(&l, text, sizeof(text)), 0);
	assert_string_equal(text, "lease 10.87.0.2/24 8081:80/tcp 5353:53/udp");
	assert_null(ds_net_lease_parse(text, &m));
	assert_int_equal(m.addr, l.addr);
	assert_int_equal(m.prefix, 24);
	assert_int_equal(m.ports.count, 2);
	assert_int_equal(m.ports.p[1].host, 5353);
	assert_int_equal(m.ports.p[1].udp, 1);
	assert_null(ds_net_lease_parse("lease 10.87.0.2/24", &m));
	assert_int_equal(m.ports.count, 0);
	assert_int_equal(ds_net_lease_format(&l, text, 20), -ENAMETOOLONG);
	/* the most ports, the longest text: fits */
	l.ports.count = DS_MAX_PORTS;
	for (int i = 0; i < DS_MAX_PORTS; i++)
		l.ports.p[i] = (struct ds_port){ 65535 - i, 65535, 1 };
	l.addr = 0xffffffffu;
	assert_int_equal(ds_net_lease_format(&l, text, sizeof(text)), 0);
	assert_null(ds_net_lease_parse(text, &m));
	assert_int_equal(m.ports.count, DS_MAX_PORTS);
	static const char *const bad[] = {
		"",
		"lease",
		"lease ",
		"lease 10.87.0.2",
		"lease 10.87.0.2/7",
		"lease 10.87.0.2/31",
		"lease 10.87.0.256/24",
		"lease 10.87.0.2/24 ",
		"lease 10.87.0.2/24  8081:80/tcp",
		"lease 10.87.0.2/24 8081",
		"lease 10.87.0.2/24 8081:80/sctp",
		"Lease 10.87.0.2/24",
		"lease 10.87.0.2/24 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1 1:1"
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.addr = 7;
		assert_non_null(ds_net_lease_parse(bad[i], &m));
		assert_int_equal(m.addr, 7);
	}
}

static void test_saved_round_trip(void **state)
{
	(void)state;
	static const char text[] = "rootfs=/r\nnet=nat\nsubnet=10.99.0.0/24\nport=8080:80/tcp\nport=53:53/udp\n"
				   "net_address=10.99.0.7\n";
	struct ds_saved *s = ds_saved_new(), *again = ds_saved_new();
	struct ds_error err = { 0 };
	char out[8192];
	assert_non_null(s);
	assert_non_null(again);
	assert_int_equal(ds_saved_parse(text, s, &err), 0);
	assert_int_equal(s->settings.net_mode, DS_NET_NAT);
	assert_int_equal(s->settings.subnet.addr, 0x0a630000u);
	assert_int_equal(s->settings.subnet.prefix, 24);
	assert_int_equal(s->settings.ports.count, 2);
	assert_int_equal(s->settings.ports.p[1].udp, 1);
	assert_int_equal(s->settings.net_addr, 0x0a630007u);
	assert_int_equal(ds_saved_render(&s->settings, "", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\nnet=nat\n"));
	assert_non_null(strstr(out, "\nsubnet=10.99.0.0/24\n"));
	assert_non_null(strstr(out, "\nport=8080:80/tcp\nport=53:53/udp\n"));
	assert_non_null(strstr(out, "\nnet_address=10.99.0.7\n"));
	assert_int_equal(ds_saved_parse(out, again, &err), 0);
	assert_memory_equal(&again->settings.ports, &s->settings.ports, sizeof(s->settings.ports));
	/* host networking writes none of the rows: older files stay as they were */
	assert_int_equal(ds_saved_parse("rootfs=/r\n", s, &err), 0);
	assert_int_equal(ds_saved_render(&s->settings, "", out, sizeof(out)), 0);
	assert_null(strstr(out, "net="));
	assert_null(strstr(out, "port="));
	assert_null(strstr(out, "subnet="));
	/* a bad saved value is one error */
	assert_true(ds_saved_parse("net_address=10.99.0\n", s, &err) < 0);
	assert_true(ds_saved_parse("port=80\n", s, &err) < 0);
	ds_saved_freep(&s);
	ds_saved_freep(&again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_mode),       cmocka_unit_test(test_subnet_accepts),
		cmocka_unit_test(test_subnet_refuses), cmocka_unit_test(test_port_accepts),
		cmocka_unit_test(test_port_refuses),   cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_overlap),        cmocka_unit_test(test_saved_round_trip),
		cmocka_unit_test(test_lease),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
