/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "host/nat.h"
#include "host/android.h"
#include "host/netlink.h"
#include "host/settings.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RULES_MAX 8192
#define FW_NFT "nft"
#define FW_IPTABLES "iptables"

void ds_nat_veth_name(const char *container, char out[16])
{
	unsigned h = 2166136261u; /* FNV-1a */
	for (const char *c = container; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	snprintf(out, 16, "dsv%08x", h);
}

/*
 * Runs argv (searched in PATH, then the usual sbin directories) with input
 * on its stdin; its first line of stderr (with out: its stdout, cut to
 * outsize) goes to why. The exit status, or a negative errno when it could
 * not run.
 */
static int run_out(char *const argv[], const char *input, char *why, size_t whysize, char *out, size_t outsize)
{
	int in[2], errp[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return negerrno();
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return negerrno();
	}
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(in[0], 0);
		dup2(out ? errp[1] : null, 1);
		dup2(errp[1], 2);
		if (!getenv("PATH"))
			setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin:/system/bin", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(errp[1]);
	if (pid > 0 && input)
		ds_write_all(in[1], input, strlen(input));
	close(in[1]);
	char small[512], *buf = out ? out : small;
	ssize_t n = pid > 0 ? ds_read_all(errp[0], buf, (out ? outsize : sizeof(small)) - 1) : -1;
	close(errp[0]);
	buf[n > 0 ? n : 0] = '\0';
	if (why && whysize) {
		buf[n > 0 ? n : 0] = '\0';
		snprintf(why, whysize, "%.*s", (int)strcspn(buf, "\n"), buf);
	}
	if (pid < 0)
		return negerrno();
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int run(char *const argv[], const char *input, char *why, size_t whysize)
{
	return run_out(argv, input, why, whysize, NULL, 0);
}

/*
 * iptables-nft makes the nat table on its first rule, where there was none:
 * noted, so that the last NAT container's stop removes it again if it holds
 * no rule then (iptables-legacy's tables belong to the kernel: nothing to do).
 */
static void iptables_note_table(const struct ds_config *cfg)
{
	char *const ver[] = { "iptables", "-V", NULL }, *const list[] = { "nft", "list", "table", "ip", "nat", NULL };
	char out[256];
	if (run_out(ver, NULL, NULL, 0, out, sizeof(out)) == 0 && strstr(out, "nf_tables") &&
	    run(list, NULL, NULL, 0) != 0)
		ds_setting_remember(cfg, "iptables_nat_table", "absent");
}

static void iptables_drop_table(const struct ds_config *cfg)
{
	char note[16], out[8192];
	char *const save[] = { "iptables", "-w", "-t", "nat", "-S", NULL };
	char *const del[] = { "nft", "delete", "table", "ip", "nat", NULL };
	if (ds_setting_recall(cfg, "iptables_nat_table", note, sizeof(note)) < 0)
		return;
	if (run_out(save, NULL, NULL, 0, out, sizeof(out)) == 0 && !strstr(out, "-A ") && !strstr(out, "-N "))
		run(del, NULL, NULL, 0);
}

static void record_path(const struct ds_config *cfg, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/Net%s%s", cfg->workspace, name ? "/" : "", name ? name : "");
}

/*
 * The nftables table of one container, made with the nft binary: netlink
 * nf_tables (a batch of tables, chains and rules, each expression its own
 * nested attributes) would be far larger than this whole module.
 */
static void nft_script(const struct ds_config *cfg, char *out, size_t size)
{
	const struct ds_settings *s = &cfg->settings;
	char a[16], line[256];
	ds_ipv4_format(s->net_addr, a, sizeof(a));
	size_t pos = 0;
#define PUT(...) (snprintf(line, sizeof(line), __VA_ARGS__), pos += (size_t)snprintf(out + pos, size - pos, "%s", line))
	PUT("table ip droidspaces-%s\ndelete table ip droidspaces-%s\n", cfg->container_name, cfg->container_name);
	PUT("table ip droidspaces-%s {\n", cfg->container_name);
	PUT("chain postrouting {\ntype nat hook postrouting priority 100; policy accept;\n");
	PUT("ip saddr %s oifname != \"%s\" masquerade\n", a, DS_NAT_BRIDGE);
	PUT("ip saddr 127.0.0.0/8 ip daddr %s oifname \"%s\" masquerade\n}\n", a, DS_NAT_BRIDGE);
	static const char *const hooks[] = { "prerouting", "output" };
	for (int h = 0; h < 2; h++) {
		PUT("chain %s {\ntype nat hook %s priority -100; policy accept;\n", hooks[h], hooks[h]);
		for (int i = 0; i < s->ports.count; i++)
			PUT("fib daddr type local %s dport %u dnat to %s:%u\n", s->ports.p[i].udp ? "udp" : "tcp",
			    s->ports.p[i].host, a, s->ports.p[i].guest);
		PUT("}\n");
	}
	PUT("}\n");
#undef PUT
}

/* The iptables rules, one a line: CHAIN and the arguments after -A/-D CHAIN, tagged ds:NAME. */
static void iptables_rules(const struct ds_config *cfg, char *out, size_t size)
{
	const struct ds_settings *s = &cfg->settings;
	char a[16];
	ds_ipv4_format(s->net_addr, a, sizeof(a));
	size_t pos = 0;
	pos += (size_t)snprintf(out + pos, size - pos, "POSTROUTING -s %s/32 ! -o %s -j MASQUERADE\n", a,
				DS_NAT_BRIDGE);
	pos += (size_t)snprintf(out + pos, size - pos, "POSTROUTING -s 127.0.0.0/8 -d %s/32 -o %s -j MASQUERADE\n", a,
				DS_NAT_BRIDGE);
	for (int h = 0; h < 2; h++)
		for (int i = 0; i < s->ports.count && pos < size; i++)
			pos += (size_t)snprintf(out + pos, size - pos,
						"%s -m addrtype --dst-type LOCAL -p %s --dport %u -j DNAT "
						"--to-destination %s:%u\n",
						h ? "OUTPUT" : "PREROUTING", s->ports.p[i].udp ? "udp" : "tcp",
						s->ports.p[i].host, a, s->ports.p[i].guest);
}

/* iptables -w -t nat -A|-D CHAIN ARGS... -m comment --comment ds:NAME, for one line of the rules. */
static int iptables_one(const char *name, const char *op, const char *line, char *why, size_t whysize)
{
	char buf[512], tag[DS_NAME_MAX + 4];
	char *argv[48] = { "iptables", "-w", "-t", "nat", (char *)op };
	int argc = 5;
	snprintf(buf, sizeof(buf), "%s", line);
	snprintf(tag, sizeof(tag), "ds:%s", name);
	char *save = NULL;
	for (char *w = strtok_r(buf, " ", &save); w && argc < 42; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc++] = "-m";
	argv[argc++] = "comment";
	argv[argc++] = "--comment";
	argv[argc++] = tag;
	argv[argc] = NULL;
	return run(argv, NULL, why, whysize);
}

/* The network namespace we are in, as a record names it. */
static void netns_id(char *out, size_t size)
{
	struct stat st;
	if (stat("/proc/self/ns/net", &st) < 0)
		st.st_ino = 0, st.st_dev = 0;
	snprintf(out, size, "netns %llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
}

/*
 * Removes the rules a record lists (kind, then the network namespace they
 * are in, then iptables' rules); errors are ignored: a rule may be gone.
 */
static void firewall_down(const char *name, char *rec, const char *kind)
{
	char *save = NULL;
	strtok_r(rec, "\n", &save);
	strtok_r(NULL, "\n", &save);
	if (strcmp(kind, FW_NFT) == 0) {
		char table[DS_NAME_MAX + 16];
		snprintf(table, sizeof(table), "droidspaces-%s", name);
		char *const argv[] = { "nft", "delete", "table", "ip", table, NULL };
		run(argv, NULL, NULL, 0);
		return;
	}
	for (char *l = strtok_r(NULL, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		iptables_one(name, "-D", l, NULL, 0);
}

static int sysctl_write(const char *path, const char *v)
{
	char p[PATH_MAX];
	ds_host_path(path, p, sizeof(p));
	return ds_write_file(p, v, 0644);
}

int ds_nat_bridge_subnet(int nl, struct ds_cidr *out)
{
	int idx = ds_nl_link_index(DS_NAT_BRIDGE);
	uint32_t a;
	int prefix;
	if (idx < 0)
		return idx;
	int r = ds_nl_addr_get(nl, idx, &a, &prefix);
	if (r < 0)
		return r;
	out->prefix = prefix;
	out->addr = a & (prefix ? 0xffffffffu << (32 - prefix) : 0);
	return 0;
}

static int bridge_up(int nl, const struct ds_cidr *net, struct ds_error *err)
{
	int idx = ds_nl_link_index(DS_NAT_BRIDGE);
	if (idx > 0)
		return 0;
	int r = ds_nl_bridge_create(nl, DS_NAT_BRIDGE);
	if (r < 0 && r != -EEXIST)
		return ds_fail(err, r, "cannot create the bridge %s", DS_NAT_BRIDGE);
	if ((idx = ds_nl_link_index(DS_NAT_BRIDGE)) < 0)
		return ds_fail(err, idx, "cannot find the bridge %s", DS_NAT_BRIDGE);
	if ((r = ds_nl_addr_add(nl, idx, net->addr + 1, net->prefix)) < 0 && r != -EEXIST)
		return ds_fail(err, r, "cannot give %s its address", DS_NAT_BRIDGE);
	/* Forwards from the host's own 127.0.0.1 leave through the bridge with that source. */
	sysctl_write("/proc/sys/net/ipv4/conf/" DS_NAT_BRIDGE "/route_localnet", "1");
	if ((r = ds_nl_link_up(nl, idx, 0)) < 0)
		return ds_fail(err, r, "cannot bring %s up", DS_NAT_BRIDGE);
	return 0;
}

/* <workspace>/Net/NAME: the firewall kind, our network namespace, and iptables' rules. */
static int write_record(const struct ds_config *cfg, const char *kind, char *rec, struct ds_error *err)
{
	char path[PATH_MAX], ns[64];
	netns_id(ns, sizeof(ns));
	int n = snprintf(rec, RULES_MAX, "%s\n%s\n", kind, ns);
	if (strcmp(kind, FW_IPTABLES) == 0)
		iptables_rules(cfg, rec + n, RULES_MAX - (size_t)n);
	record_path(cfg, NULL, path, sizeof(path));
	ds_mkdir_p(path, 0700);
	record_path(cfg, cfg->container_name, path, sizeof(path));
	int r = ds_write_file_atomic(path, rec, 0600, DS_WRITE_DURABLE);
	return r < 0 ? ds_fail(err, r, "cannot write %s", path) : 0;
}

/* The container's table in one nft transaction (all or nothing); 0, else why is filled. */
static int nft_up(const struct ds_config *cfg, char *why, size_t whysize)
{
	char script[RULES_MAX];
	nft_script(cfg, script, sizeof(script));
	char *const argv[] = { "nft", "-f", "-", NULL };
	int r = run(argv, script, why, whysize);
	if (r == 127)
		snprintf(why, whysize, "no nft binary");
	return r;
}

int ds_nat_host_up(const struct ds_config *cfg, struct ds_error *err)
{
	char why[256] = "", nft_why[256] = "";
	_cleanup_free_ char *rec = malloc(RULES_MAX);
	if (!rec)
		return ds_fail(err, -ENOMEM, "cannot set up the network");
	/*
	 * nftables where the nft binary runs and the kernel takes the table;
	 * iptables otherwise (Android). Recorded first: whatever follows is undone
	 * by the cleanup, even half done.
	 */
	int nft = !ds_fault_active("net:no-nft");
	int r = write_record(cfg, nft ? FW_NFT : FW_IPTABLES, rec, err);
	if (r < 0)
		return r;
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return ds_fail(err, nl, "cannot open rtnetlink");
	if ((r = bridge_up(nl, &cfg->rt.net_subnet, err)) < 0)
		return r;
	char fwd[16] = "";
	char fpath[PATH_MAX];
	ds_host_path("/proc/sys/net/ipv4/ip_forward", fpath, sizeof(fpath));
	if (ds_read_file(fpath, fwd, sizeof(fwd)) < 0)
		return ds_fail(err, negerrno(), "cannot read %s", fpath);
	if (ds_chomp(fwd)[0] != '1') {
		ds_setting_remember(cfg, "ip_forward", fwd);
		if ((r = sysctl_write("/proc/sys/net/ipv4/ip_forward", "1")) < 0)
			return ds_fail(err, r, "cannot turn on IPv4 forwarding");
	}
	if (nft && nft_up(cfg, nft_why, sizeof(nft_why)) == 0)
		return 0;
	if (nft && (r = write_record(cfg, FW_IPTABLES, rec, err)) < 0)
		return r;
	char *save = NULL;
	strtok_r(rec, "\n", &save);
	strtok_r(NULL, "\n", &save);
	iptables_note_table(cfg);
	for (char *l = strtok_r(NULL, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		r = iptables_one(cfg->container_name, "-A", l, why, sizeof(why));
		if (r != 0)
			return ds_fail(err, r < 0 ? r : DS_EINVAL_MSG, "cannot add the NAT rules: %s%s%siptables: %s",
				       nft ? "nft: " : "", nft_why, nft ? "; " : "",
				       r == 127 ? "no iptables binary" : why);
	}
	return 0;
}

int ds_nat_attach(const struct ds_config *cfg, pid_t init, struct ds_error *err)
{
	char host[16];
	ds_nat_veth_name(cfg->container_name, host);
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return ds_fail(err, nl, "cannot open rtnetlink");
	/* The last boot's pair may outlive its namespace for a moment. */
	ds_nl_link_delete(nl, host);
	int r = ds_nl_veth_create(nl, host, "eth0", init, DS_NAT_MTU);
	if (r < 0)
		return ds_fail(err, r, "cannot create the veth pair %s", host);
	int idx = ds_nl_link_index(host), br = ds_nl_link_index(DS_NAT_BRIDGE);
	if (idx < 0 || br < 0)
		return ds_fail(err, idx < 0 ? idx : br, "cannot find %s or %s", host, DS_NAT_BRIDGE);
	if ((r = ds_nl_link_set_master(nl, idx, br)) < 0)
		return ds_fail(err, r, "cannot put %s on %s", host, DS_NAT_BRIDGE);
	if ((r = ds_nl_link_up(nl, idx, 0)) < 0)
		return ds_fail(err, r, "cannot bring %s up", host);
	return 0;
}

/* True when another container's record is in <workspace>/Net. */
static int other_records(const struct ds_config *cfg)
{
	char path[PATH_MAX];
	record_path(cfg, NULL, path, sizeof(path));
	DIR *d = opendir(path);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n > 0;
}

void ds_nat_host_down(const struct ds_config *cfg)
{
	char path[PATH_MAX], host[16];
	_cleanup_free_ char *rec = malloc(RULES_MAX);
	record_path(cfg, cfg->container_name, path, sizeof(path));
	if (!rec || ds_read_file(path, rec, RULES_MAX) < 0)
		return; /* no NAT start recorded for this name */
	/*
	 * Only in the network namespace it was made in (a stop run elsewhere after
	 * the monitor died must not touch another namespace's links, rules or
	 * sysctls): the record stays for a cleanup from there.
	 */
	char ns[64], kind[16];
	netns_id(ns, sizeof(ns));
	const char *nl2 = strchr(rec, '\n');
	if (!nl2 || strncmp(nl2 + 1, ns, strlen(ns)) != 0 || nl2[1 + strlen(ns)] != '\n')
		return;
	snprintf(kind, sizeof(kind), "%.*s", (int)(nl2 - rec), rec);
	ds_nat_veth_name(cfg->container_name, host);
	_cleanup_close_ int nl = ds_nl_open();
	if (nl >= 0)
		ds_nl_link_delete(nl, host);
	firewall_down(cfg->container_name, rec, kind);
	unlink(path);
	if (other_records(cfg))
		return;
	if (nl >= 0)
		ds_nl_link_delete(nl, DS_NAT_BRIDGE);
	iptables_drop_table(cfg);
	char fwd[16];
	if (ds_setting_recall(cfg, "ip_forward", fwd, sizeof(fwd)) == 0)
		sysctl_write("/proc/sys/net/ipv4/ip_forward", fwd);
	record_path(cfg, NULL, path, sizeof(path));
	rmdir(path);
}

int ds_net_guest_setup(const struct ds_config *cfg, struct ds_error *err)
{
	const struct ds_settings *s = &cfg->settings;
	if (s->net_mode == DS_NET_HOST)
		return 0;
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return ds_fail(err, nl, "cannot open rtnetlink in the guest's network namespace");
	int lo = ds_nl_link_index("lo"), r;
	if (lo < 0 || (r = ds_nl_link_up(nl, lo, 0)) < 0)
		return ds_fail(err, lo < 0 ? lo : r, "cannot bring lo up in the guest");
	if (s->net_mode != DS_NET_NAT)
		return 0;
	int eth = ds_nl_link_index("eth0");
	if (eth < 0)
		return ds_fail(err, eth, "the guest has no eth0");
	const struct ds_cidr *net = &cfg->rt.net_subnet;
	if ((r = ds_nl_addr_add(nl, eth, s->net_addr, net->prefix)) < 0)
		return ds_fail(err, r, "cannot give eth0 its address");
	if ((r = ds_nl_link_up(nl, eth, DS_NAT_MTU)) < 0)
		return ds_fail(err, r, "cannot bring eth0 up");
	if ((r = ds_nl_route_add(nl, 0, 0, net->addr + 1, eth)) < 0)
		return ds_fail(err, r, "cannot add the guest's default route");
	return 0;
}
