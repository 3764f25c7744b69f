/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for ds_hosts_render, ds_resolv_parse and ds_host_dns (src/host/network.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/network.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"

#define V4 "127.0.0.1\tlocalhost\n"
#define V6 "::1\t\tlocalhost ip6-localhost ip6-loopback\n"

/* Number of lines whose address field is exactly 127.0.1.1. */
static int self_lines(const char *s)
{
	int n = 0;
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len >= 9 && strncmp(p, "127.0.1.1", 9) == 0 && (len == 9 || p[9] == ' ' || p[9] == '\t'))
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

static void test_empty_input(void **state)
{
	(void)state;
	char out[512];
	assert_int_equal(ds_hosts_render("", "deb", out, sizeof(out)), 0);
	assert_string_equal(out, V4 V6 "127.0.1.1\tdeb\n");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(ds_hosts_render(NULL, "deb", out, sizeof(out)), 0);
	assert_string_equal(out, V4 V6 "127.0.1.1\tdeb\n");
}

static void test_self_lines_replaced(void **state)
{
	(void)state;
	char out[1024];
	const char *old = "127.0.0.1 localhost\n"
			  "127.0.1.1 oldhost\n"
			  "::1 localhost ip6-localhost\n"
			  "  127.0.1.1\tother.example other\n"
			  "127.0.1.1\n"
			  "10.0.0.5 db\n";
	assert_int_equal(ds_hosts_render(old, "newhost", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1 localhost\n"
				 "::1 localhost ip6-localhost\n"
				 "10.0.0.5 db\n"
				 "127.0.1.1\tnewhost\n");
	assert_int_equal(self_lines(out), 1);
	assert_null(strstr(out, "oldhost"));
	assert_null(strstr(out, "other"));
}

static void test_similar_addresses_kept(void **state)
{
	(void)state;
	char out[1024];
	/* 127.0.1.10 and 127.0.1.1x are not 127.0.1.1 entries. */
	const char *old = "127.0.1.10 ten\n127.0.1.1x junk\n# 127.0.1.1 in a comment\n";
	assert_int_equal(ds_hosts_render(old, "h", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.1.10 ten\n127.0.1.1x junk\n# 127.0.1.1 in a comment\n" V4 V6 "127.0.1.1\th\n");
	assert_int_equal(self_lines(out), 1);
}

static void test_guest_lines_and_comments_in_order(void **state)
{
	(void)state;
	char out[1024];
	const char *old = "# The following lines are desirable for IPv6 capable hosts\n"
			  "\n"
			  "192.168.1.10\tnas nas.lan\n"
			  "   # indented comment\n"
			  "fe80::1%lo0\tlocalhost-ll\n"
			  "10.1.2.3 a b c # trailing comment\n";
	assert_int_equal(ds_hosts_render(old, "box", out, sizeof(out)), 0);
	char want[1024];
	strcpy(want, old);
	strcat(want, V4 V6 "127.0.1.1\tbox\n");
	assert_string_equal(out, want);
}

static void test_localhost_not_duplicated(void **state)
{
	(void)state;
	char out[1024];
	assert_int_equal(ds_hosts_render("127.0.0.1 localhost\n", "h", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1 localhost\n" V6 "127.0.1.1\th\n");

	/* localhost as a later alias on the line still counts. */
	assert_int_equal(ds_hosts_render("127.0.0.1\tlocalhost.localdomain localhost\n"
					 "::1\tip6-localhost localhost\n",
					 "h", out, sizeof(out)),
			 0);
	assert_string_equal(out, "127.0.0.1\tlocalhost.localdomain localhost\n"
				 "::1\tip6-localhost localhost\n"
				 "127.0.1.1\th\n");

	/* Only the v6 line present: v4 is added, v6 is not. */
	assert_int_equal(ds_hosts_render("::1 localhost\n", "h", out, sizeof(out)), 0);
	assert_string_equal(out, "::1 localhost\n" V4 "127.0.1.1\th\n");

	/* "localhost" only inside a comment or as part of another name does not count. */
	assert_int_equal(ds_hosts_render("127.0.0.1 myhost # localhost\n127.0.0.1 localhostx\n", "h", out, sizeof(out)),
			 0);
	assert_string_equal(out, "127.0.0.1 myhost # localhost\n127.0.0.1 localhostx\n" V4 V6 "127.0.1.1\th\n");
}

static void test_no_trailing_newline(void **state)
{
	(void)state;
	char out[512];
	assert_int_equal(ds_hosts_render("10.0.0.1 db", "h", out, sizeof(out)), 0);
	assert_string_equal(out, "10.0.0.1 db\n" V4 V6 "127.0.1.1\th\n");
	assert_int_equal(ds_hosts_render("127.0.1.1 old", "h", out, sizeof(out)), 0);
	assert_string_equal(out, V4 V6 "127.0.1.1\th\n");
}

static void test_enospc(void **state)
{
	(void)state;
	const char *old = "10.0.0.1 db\n";
	const char *want = "10.0.0.1 db\n" V4 V6 "127.0.1.1\th\n";
	size_t need = strlen(want) + 1;
	char out[512];

	/* Exactly enough room (with the NUL) works... */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(ds_hosts_render(old, "h", out, need), 0);
	assert_string_equal(out, want);
	/* ...and one byte less does not, without writing past the buffer. */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(ds_hosts_render(old, "h", out, need - 1), -ENOSPC);
	for (size_t i = need - 1; i < sizeof(out); i++)
		assert_int_equal(out[i], 'Z');
	/* Too small even for the guest's lines. */
	assert_int_equal(ds_hosts_render(old, "h", out, 5), -ENOSPC);
	assert_int_equal(ds_hosts_render(old, "h", out, 1), -ENOSPC);
	assert_int_equal(ds_hosts_render(old, "h", out, 0), -ENOSPC);
}

static void test_resolv_parse(void **state)
{
	(void)state;
	char out[256];
	/* stubs of systemd-resolved left out, comments and options ignored, IPv6 kept */
	assert_int_equal(ds_resolv_parse("# generated\nnameserver 127.0.0.53\noptions edns0\n"
					 "nameserver 10.0.0.1\n  nameserver\t2001:db8::1\nsearch lan\n",
					 out, sizeof(out)),
			 2);
	assert_string_equal(out, "10.0.0.1,2001:db8::1");
	/* not addresses: words, short forms, zones, garbage; then at most 4 */
	assert_int_equal(ds_resolv_parse("nameserver dns.example\nnameserver 1.2.3\nnameserver fe80::1%eth0\n"
					 "nameserver 1.1.1.1;rm\nnameserver 1.1.1.1\nnameserver 1.0.0.1\n"
					 "nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 9.9.9.9\n",
					 out, sizeof(out)),
			 4);
	assert_string_equal(out, "1.1.1.1,1.0.0.1,8.8.8.8,8.8.4.4");
	/* nothing usable */
	assert_int_equal(ds_resolv_parse("nameserver 127.0.0.54\n", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(ds_resolv_parse("", out, sizeof(out)), 0);
	/* too small for the second address: the first is kept whole */
	assert_int_equal(ds_resolv_parse("nameserver 10.0.0.1\nnameserver 10.0.0.2\n", out, 12), 1);
	assert_string_equal(out, "10.0.0.1");
}

/* A fake Android host whose getprop prints net.dnsN from files dns1..dns4. */
static void fake_android(const char *root, const char *dns1, const char *dns2)
{
	char p[PATH_MAX];
	FILE *f;
	snprintf(p, sizeof(p), "%s/system", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/system/bin", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/system/bin/getprop", root);
	assert_non_null(f = fopen(p, "w"));
	fprintf(f, "#!/bin/sh\ncase \"$1\" in\nnet.dns1) echo '%s' ;;\nnet.dns2) echo '%s' ;;\nesac\nexit 0\n", dns1,
		dns2);
	fclose(f);
	chmod(p, 0755);
}

static void test_host_dns_android(void **state)
{
	const char *root = *state;
	char out[256];
	setenv("DROIDSPACES_HOST_ROOT", root, 1);
	/* the properties, checked as addresses */
	fake_android(root, "192.168.1.1", "fd00::53");
	assert_int_equal(ds_host_dns(1, out, sizeof(out)), 0);
	assert_string_equal(out, "192.168.1.1,fd00::53");
	fake_android(root, "not-an-address", "10.1.1.1");
	assert_int_equal(ds_host_dns(1, out, sizeof(out)), 0);
	assert_string_equal(out, "10.1.1.1");
	/* Android 8+: no properties; this machine's /etc/resolv.conf or the public fallback */
	fake_android(root, "", "");
	char parsed[256], text[16384];
	FILE *f = fopen("/etc/resolv.conf", "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	assert_int_equal(ds_host_dns(1, out, sizeof(out)), 0);
	if (ds_resolv_parse(text, parsed, sizeof(parsed)) > 0)
		assert_string_equal(out, parsed);
	else
		assert_string_equal(out, "1.1.1.1,8.8.8.8");
	/* not Android: getprop is never asked */
	fake_android(root, "192.168.1.1", "");
	int r = ds_host_dns(0, out, sizeof(out));
	assert_true(r == 0 || r == -ENOENT);
	assert_null(strstr(out, "192.168.1.1"));
	unsetenv("DROIDSPACES_HOST_ROOT");
}

/* An ad-block hosts file of several MiB: with room for old text + 512 (as the caller sizes it), nothing is cut. */
static void test_big_hosts_kept_whole(void **state)
{
	(void)state;
	size_t lines = 80000, len = 0;
	char *old = malloc(lines * 48 + 64);
	assert_non_null(old);
	len += (size_t)sprintf(old, "127.0.0.1\tlocalhost\n");
	for (size_t i = 0; i < lines; i++)
		len += (size_t)sprintf(old + len, "0.0.0.0\tad%06zu.blocked.example.invalid\n", i);
	size_t size = len + 512;
	char *out = malloc(size);
	assert_non_null(out);
	assert_int_equal(ds_hosts_render(old, "big", out, size), 0);
	size_t olen = strlen(out);
	assert_true(olen > len);
	assert_memory_equal(out, old, len); /* every old line, in order */
	assert_non_null(strstr(out + len, "127.0.1.1\tbig\n"));
	free(out);
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_big_hosts_kept_whole),
		cmocka_unit_test(test_self_lines_replaced),
		cmocka_unit_test(test_similar_addresses_kept),
		cmocka_unit_test(test_guest_lines_and_comments_in_order),
		cmocka_unit_test(test_localhost_not_duplicated),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_resolv_parse),
		cmocka_unit_test_setup_teardown(test_host_dns_android, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
