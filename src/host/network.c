/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "host/network.h"
#include "host/android.h"
#include "host/settings.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* True when the hosts line maps name (as a whole word after the address). */
static int line_has_name(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	size_t i = 0;
	while (i < len && !isspace((unsigned char)line[i]))
		i++; /* skip the address */
	while (i < len) {
		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i < len && line[i] == '#')
			return 0;
		size_t s = i;
		while (i < len && !isspace((unsigned char)line[i]))
			i++;
		if (i - s == nl && memcmp(line + s, name, nl) == 0)
			return 1;
	}
	return 0;
}

static int append(char *out, size_t size, size_t *pos, const char *s, size_t len)
{
	if (*pos + len + 1 > size)
		return -ENOSPC;
	memcpy(out + *pos, s, len);
	*pos += len;
	out[*pos] = '\0';
	return 0;
}

int ds_hosts_render(const char *old, const char *hostname, char *out, size_t size)
{
	size_t pos = 0;
	int have_v4 = 0, have_v6 = 0;
	if (size == 0)
		return -ENOSPC;
	out[0] = '\0';
	for (const char *p = old; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p;
		while (q < p + len && isspace((unsigned char)*q))
			q++;
		size_t rest = len - (size_t)(q - p);
		int is_self =
			rest >= 9 && strncmp(q, "127.0.1.1", 9) == 0 && (rest == 9 || isspace((unsigned char)q[9]));
		if (!is_self) {
			if (rest > 9 && strncmp(q, "127.0.0.1", 9) == 0 && isspace((unsigned char)q[9]) &&
			    line_has_name(q, rest, "localhost"))
				have_v4 = 1;
			if (rest > 3 && strncmp(q, "::1", 3) == 0 && isspace((unsigned char)q[3]) &&
			    line_has_name(q, rest, "localhost"))
				have_v6 = 1;
			if (append(out, size, &pos, p, len) < 0 || append(out, size, &pos, "\n", 1) < 0)
				return -ENOSPC;
		}
		p += len + (nl ? 1 : 0);
	}
	char extra[256];
	int n = snprintf(extra, sizeof(extra), "%s%s127.0.1.1\t%s\n", have_v4 ? "" : "127.0.0.1\tlocalhost\n",
			 have_v6 ? "" : "::1\t\tlocalhost ip6-localhost ip6-loopback\n", hostname);
	return append(out, size, &pos, extra, (size_t)n);
}

/*
 * A file of the guest droidspaces rewrites must be a regular file, a
 * symlink (replaced by rename(2), never followed) or missing: a FIFO would
 * hang a reader, a device node would get the text.
 */
static int check_guest_file(const char *path, struct ds_error *err)
{
	struct stat st;
	if (lstat(path, &st) < 0 || S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		return 0;
	return ds_fail(err, DS_EINVAL_MSG, "%s in the rootfs is a %s, not a regular file; refusing to write it", path,
		       ds_file_kind(st.st_mode));
}

/*
 * The guest's /etc/hosts, read whole ("" when missing); the caller frees
 * *text.  After pivot_root a link resolves inside the guest: followed.
 */
static int read_hosts(char **text, struct ds_error *err)
{
	_cleanup_close_ int fd = ds_open_regular("/etc/hosts", 0);
	if (fd == -ENOENT) {
		*text = strdup("");
		return *text ? 0 : ds_fail(err, -ENOMEM, "cannot read /etc/hosts");
	}
	ssize_t n = fd < 0 ? fd : ds_read_fd_whole(fd, text, DS_FILE_MAX);
	if (n == -EFBIG)
		return ds_fail(err, DS_EINVAL_MSG,
			       "/etc/hosts in the rootfs is larger than %zu MiB; refusing to edit it",
			       DS_FILE_MAX >> 20);
	if (n == -EINVAL)
		return ds_fail(err, DS_EINVAL_MSG,
			       "/etc/hosts in the rootfs leads to a special file; refusing to read it");
	return n < 0 ? ds_fail(err, (int)n, "cannot read /etc/hosts") : 0;
}

int ds_network_setup_rootfs(const char *hostname, struct ds_error *err)
{
	if (sethostname(hostname, strlen(hostname)) < 0)
		return ds_fail(err, negerrno(), "cannot set the hostname to %s", hostname);
	/* After pivot_root: any symlink here resolves inside the container. */
	char line[128];
	snprintf(line, sizeof(line), "%s\n", hostname);
	mkdir("/etc", 0755);
	int r = check_guest_file("/etc/hostname", err);
	if (r < 0 || (r = check_guest_file("/etc/hosts", err)) < 0)
		return r;
	r = ds_write_file_atomic("/etc/hostname", line, 0644, DS_WRITE_DURABLE | DS_WRITE_IF_CHANGED);
	if (r < 0)
		return ds_fail(err, r, "cannot write /etc/hostname");
	_cleanup_free_ char *old = NULL;
	if ((r = read_hosts(&old, err)) < 0)
		return r;
	size_t size = strlen(old) + 512; /* the old lines, at most two localhost lines and ours */
	_cleanup_free_ char *out = malloc(size);
	if (!out)
		return ds_fail(err, -ENOMEM, "cannot edit /etc/hosts");
	r = ds_hosts_render(old, hostname, out, size);
	if (r == 0)
		r = ds_write_file_atomic("/etc/hosts", out, 0644, DS_WRITE_DURABLE | DS_WRITE_IF_CHANGED);
	return r < 0 ? ds_fail(err, r, "cannot write /etc/hosts") : 0;
}

/* Appends addr to the comma list out when it is an IPv4 or IPv6 address; 1 when added. */
static int dns_add(char *out, size_t size, const char *addr)
{
	unsigned char tmp[16];
	size_t pos = strlen(out);
	if (inet_pton(AF_INET, addr, tmp) != 1 && inet_pton(AF_INET6, addr, tmp) != 1)
		return 0;
	int n = snprintf(out + pos, size - pos, "%s%s", pos ? "," : "", addr);
	if (n < 0 || (size_t)n >= size - pos) {
		out[pos] = '\0';
		return 0;
	}
	return 1;
}

int ds_resolv_parse(const char *text, char *out, size_t size)
{
	int count = 0;
	out[0] = '\0';
	for (const char *p = text; *p && count < 4;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[256];
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			char addr[64];
			if (sscanf(line, " nameserver %63s", addr) == 1 && strcmp(addr, "127.0.0.53") != 0 &&
			    strcmp(addr, "127.0.0.54") != 0)
				count += dns_add(out, size, addr);
		}
		p += len + (nl ? 1 : 0);
	}
	return count;
}

int ds_host_dns(int android, char *out, size_t size)
{
	static const char *const files[] = { "/etc/resolv.conf", "/run/systemd/resolve/resolv.conf" };
	char text[16384];
	out[0] = '\0';
	if (android) {
		int count = 0;
		for (int i = 1; i <= 4; i++) {
			char key[16], val[256];
			snprintf(key, sizeof(key), "net.dns%d", i);
			if (ds_android_getprop(key, val, sizeof(val)) == 0)
				count += dns_add(out, size, val);
		}
		if (count)
			return 0;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (ds_read_file(files[i], text, sizeof(text)) > 0 && ds_resolv_parse(text, out, size) > 0)
			return 0;
	out[0] = '\0';
	if (android) {
		snprintf(out, size, "1.1.1.1,8.8.8.8");
		return 0;
	}
	return -ENOENT;
}

int ds_dns_setup_rootfs(const char *dns, struct ds_error *err)
{
	if (!dns[0])
		return 0; /* nothing known: the guest keeps its own resolv.conf */
	char text[512] = "# written by droidspaces: the host's resolvers\n", list[256];
	snprintf(list, sizeof(list), "%s", dns);
	char *save = NULL;
	for (char *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		size_t l = strlen(text);
		snprintf(text + l, sizeof(text) - l, "nameserver %s\n", a);
	}
	int r = check_guest_file("/etc/resolv.conf", err);
	if (r < 0)
		return r;
	mkdir("/run/resolvconf", 0755);
	r = ds_write_file_atomic("/run/resolvconf/resolv.conf", text, 0644, 0);
	if (r < 0)
		return ds_fail(err, r, "cannot write /run/resolvconf/resolv.conf");
	/* After pivot_root: the link and its target are the guest's own. */
	unlink("/etc/resolv.conf.ds-new");
	if (symlink("../run/resolvconf/resolv.conf", "/etc/resolv.conf.ds-new") < 0 ||
	    rename("/etc/resolv.conf.ds-new", "/etc/resolv.conf") < 0) {
		r = negerrno();
		unlink("/etc/resolv.conf.ds-new");
		return ds_fail(err, r, "cannot link /etc/resolv.conf");
	}
	return 0;
}

int ds_ipv6_prepare(const struct ds_config *cfg, struct ds_error *err)
{
	char path[PATH_MAX], v[16];
	if (!cfg->settings.enable_ipv6)
		return 0;
	ds_host_path("/proc/sys/net/ipv6/conf/all/disable_ipv6", path, sizeof(path));
	if (ds_read_file(path, v, sizeof(v)) < 0)
		return ds_fail(err, DS_EINVAL_MSG, "--enable-ipv6: this kernel has no IPv6 (%s)", path);
	if (ds_chomp(v)[0] != '1')
		return 0; /* already on: nothing to change, nothing to undo */
	int r = ds_setting_remember(cfg, "disable_ipv6", "1", err);
	if (r < 0)
		return r;
	r = ds_write_file(path, "0", 0644);
	return r < 0 ? ds_fail(err, r, "cannot enable IPv6 (%s)", path) : 0;
}

void ds_ipv6_restore(const struct ds_config *cfg, int last_container)
{
	char path[PATH_MAX], v[16];
	if (last_container && ds_setting_recall(cfg, "disable_ipv6", v, sizeof(v)) == 0) {
		ds_host_path("/proc/sys/net/ipv6/conf/all/disable_ipv6", path, sizeof(path));
		ds_write_file(path, v, 0644);
	}
}
