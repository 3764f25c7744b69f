/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "host/nat.h"
#include "host/android.h"
#include "host/fwlist.h"
#include "host/netlink.h"
#include "host/settings.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/clock.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RULES_MAX 8192
#define FW_NFT "nft"
#define FW_IPTABLES "iptables"
#define FW_CLAIM "claim" /* a record of a claim: nothing on the host yet */
/* <workspace>/Net/+lock: no container name has a '+', so it is never a record. */
#define NAT_LOCK "+lock"

static unsigned fnv1a(unsigned h, const void *data, size_t len)
{
	for (const unsigned char *c = data; len--; c++)
		h = (h ^ *c) * 16777619u;
	return h;
}

/*
 * The workspace as the host's names know it: 8 hex digits of the identity
 * (device and inode) of its directory, whatever path spells it; two
 * workspaces' containers of one name never share a table, a tag or a veth.
 */
static void ws_tag(const struct ds_config *cfg, char out[9])
{
	struct stat st;
	unsigned h = 2166136261u; /* FNV-1a */
	if (stat(cfg->workspace, &st) == 0) {
		unsigned long long id[2] = { (unsigned long long)st.st_dev, (unsigned long long)st.st_ino };
		h = fnv1a(h, id, sizeof(id));
	} else {
		h = fnv1a(h, cfg->workspace, strlen(cfg->workspace));
	}
	snprintf(out, 9, "%08x", h);
}

void ds_nat_veth_name(const struct ds_config *cfg, const char *container, char out[16])
{
	char ws[9];
	ws_tag(cfg, ws);
	unsigned h = fnv1a(2166136261u, ws, 8);
	h = fnv1a(h, container, strlen(container));
	snprintf(out, 16, "dsv%08x", h);
}

/* The nftables table of a container: droidspaces-WSTAG-NAME. */
static void nft_table(const struct ds_config *cfg, const char *name, char *out, size_t size)
{
	char ws[9];
	ws_tag(cfg, ws);
	snprintf(out, size, "droidspaces-%s-%s", ws, name);
}

/* How long nft or iptables may take (iptables waits at most 5 s for the xtables lock). */
#define FW_TIMEOUT_MS 15000

/*
 * Runs argv (searched in PATH, then the usual sbin directories) with input
 * on its stdin; its first line of stderr (with out: its stdout, cut to
 * outsize) goes to why. The exit status, or a negative errno when it could
 * not run; one that takes longer than FW_TIMEOUT_MS is killed (with what it
 * started): -ETIMEDOUT, and why says so.
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
		/* The monitor's blocked and ignored signals are not the firewall tool's business. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0); /* a group of its own: the timeout ends what it started too */
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
	/* The input (a few KiB at most) fits the pipe: the write never waits for the child. */
	if (pid > 0 && input)
		ds_write_all(in[1], input, strlen(input));
	close(in[1]);
	char small[512], *buf = out ? out : small;
	size_t size = (out ? outsize : sizeof(small)) - 1, n = 0;
	long long deadline = ds_now_ms() + FW_TIMEOUT_MS;
	int timed_out = 0;
	for (;;) {
		struct pollfd pfd = { .fd = errp[0], .events = POLLIN };
		long long left = deadline - ds_now_ms();
		int pr = pid > 0 && left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0 && pid > 0)
			timed_out = 1;
		if (pr <= 0)
			break;
		char sink[512];
		ssize_t k = n < size ? read(errp[0], buf + n, size - n) : read(errp[0], sink, sizeof(sink));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (n < size)
			n += (size_t)k;
	}
	close(errp[0]);
	buf[n] = '\0';
	if (why && whysize)
		snprintf(why, whysize, "%.*s", (int)strcspn(buf, "\n"), buf);
	if (pid < 0)
		return negerrno();
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		if (why && whysize)
			snprintf(why, whysize, "%s: no answer in %d s (killed)", argv[0], FW_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int run(char *const argv[], const char *input, char *why, size_t whysize)
{
	return run_out(argv, input, why, whysize, NULL, 0);
}

/* The iptables binary runs and writes nftables' tables (iptables-nft), not the kernel's legacy ones. */
static int iptables_is_nft(void)
{
	char *const ver[] = { "iptables", "-V", NULL };
	char out[256];
	return run_out(ver, NULL, NULL, 0, out, sizeof(out)) == 0 && strstr(out, "nf_tables");
}

/*
 * iptables-nft makes the nat table on its first rule, where there was none:
 * noted, so that the last NAT container's stop removes it again if it holds
 * no rule then (iptables-legacy's tables belong to the kernel: nothing to do).
 */
static int iptables_note_table(const struct ds_config *cfg, struct ds_error *err)
{
	char *const list[] = { "nft", "list", "table", "ip", "nat", NULL };
	if (iptables_is_nft() && run(list, NULL, NULL, 0) != 0)
		return ds_setting_remember(cfg, "iptables_nat_table", "absent", err);
	return 0;
}

static void iptables_drop_table(const struct ds_config *cfg)
{
	char note[16], out[8192];
	char *const save[] = { "iptables", "-w", "5", "-t", "nat", "-S", NULL };
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

/* A record's name: not the lock, not a temporary file of ds_write_file_atomic (".NAME.RANDOM.tmp"). */
static int is_record(const char *n)
{
	size_t len = strlen(n);
	return strcmp(n, ".") != 0 && strcmp(n, "..") != 0 && strcmp(n, NAT_LOCK) != 0 &&
	       !(n[0] == '.' && len > 4 && strcmp(n + len - 4, ".tmp") == 0);
}

int ds_nat_lock(const struct ds_config *cfg, struct ds_error *err)
{
	char path[PATH_MAX];
	record_path(cfg, NULL, path, sizeof(path));
	int r = ds_mkdir_p(path, 0700);
	if (r < 0)
		return ds_fail(err, r, "cannot create %s", path);
	record_path(cfg, NAT_LOCK, path, sizeof(path));
	/* Never through a planted symlink; a FIFO or device node opens without blocking and is refused. */
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot open the network lock %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ds_fail(err, negerrno(), "cannot stat the network lock %s", path);
	if (!S_ISREG(st.st_mode))
		return ds_fail(err, DS_EINVAL_MSG, "the network lock %s is a %s, not a file: remove it", path,
			       ds_file_kind(st.st_mode));
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return ds_fail(err, negerrno(), "cannot lock %s", path);
	return TAKE_FD(fd);
}

/*
 * The lock of the network namespace: the abstract AF_UNIX name
 * NETNS_LOCK bound (an abstract name belongs to the network namespace, not
 * to a workspace nor a file system; bind fails with EADDRINUSE while another
 * socket holds it, and it is free again once the holder's socket is closed,
 * its process dead or not). Abstract names date from Linux 2.2: every kernel
 * we run on has them.
 */
#define NETNS_LOCK "droidspaces-net-" DS_NAT_BRIDGE
#define NETNS_LOCK_WAIT_MS 60000 /* a holder may run iptables twice (FW_TIMEOUT_MS each) */

/* A socket bound to the abstract name: its fd, or a negative errno (-EADDRINUSE: another holds it). */
static int abstract_bind(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	if (n + 1 > sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(a.sun_path + 1, name, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0)
		return negerrno();
	return TAKE_FD(fd);
}

/* The namespace's lock, waited for; try_only: -EAGAIN at once (no message) while another holds it. */
static int netns_lock_how(int try_only, struct ds_error *err)
{
	int wait_ms = ds_fault_active("net:lock-short") ? 1000 : NETNS_LOCK_WAIT_MS, delay = 1;
	long long deadline = ds_now_ms() + wait_ms;
	int fd;
	while ((fd = abstract_bind(NETNS_LOCK)) < 0) {
		if (fd != -EADDRINUSE)
			return ds_fail(err, fd, "cannot take the network lock @%s", NETNS_LOCK);
		if (try_only)
			return -EAGAIN;
		if (ds_now_ms() >= deadline)
			return ds_fail(err, DS_EINVAL_MSG,
				       "the network lock @%s of this network namespace is held for more than %d s by "
				       "another droidspaces (ss -xlp shows which process): try again",
				       NETNS_LOCK, wait_ms / 1000);
		ds_backoff(&delay);
	}
	ds_fault_point("net:netns-locked");
	return fd;
}

static int netns_lock(struct ds_error *err) { return netns_lock_how(0, err); }

/*
 * A lease's marks in the network namespace, against the claims of other
 * workspaces (whose records we do not read): the abstract names
 * "droidspaces-lease-ds-br0 ADDR" and "... PORT/PROTO", bound by the claim
 * and held by the monitor for the container's life, reboots included. Of
 * the places every workspace's droidspaces can see, this one cannot go
 * stale: an abstract name belongs to the network namespace (as the bridge
 * does, so two namespaces never see each other's), bind takes it atomically
 * (two claims at one instant: one gets EADDRINUSE) and the kernel frees it
 * when its holder dies, SIGKILL or not. A file under /run would need a
 * liveness check; the veth's alias (ds_nat_attach) exists only from attach
 * to the guest's end, not from the claim on. That alias is still read: it
 * names the container, and it outlives a monitor killed while its guest runs.
 */
#define HOLD_PREFIX "droidspaces-lease-" DS_NAT_BRIDGE " "

static int hold(struct ds_config *cfg, const char *what)
{
	char name[64];
	if (cfg->rt.net_hold_count >= (int)ARRAY_SIZE(cfg->rt.net_holds))
		return -ENOSPC;
	snprintf(name, sizeof(name), HOLD_PREFIX "%s", what);
	int fd = ds_fault_active("net:no-lease-hold") ? open("/dev/null", O_RDONLY | O_CLOEXEC) : abstract_bind(name);
	if (fd < 0)
		return fd;
	cfg->rt.net_holds[cfg->rt.net_hold_count++] = fd;
	return 0;
}

int ds_nat_hold_addr(struct ds_config *cfg, unsigned addr)
{
	char a[16];
	ds_ipv4_format(addr, a, sizeof(a));
	return hold(cfg, a);
}

int ds_nat_hold_port(struct ds_config *cfg, const struct ds_port *p)
{
	char what[16];
	snprintf(what, sizeof(what), "%u/%s", p->host, p->udp ? "udp" : "tcp");
	return hold(cfg, what);
}

void ds_nat_unhold(struct ds_config *cfg)
{
	for (int i = 0; i < cfg->rt.net_hold_count; i++)
		ds_closep(&cfg->rt.net_holds[i]);
	cfg->rt.net_hold_count = 0;
}

/*
 * The nftables table of one container, made with the nft binary: netlink
 * nf_tables (a batch of tables, chains and rules, each expression its own
 * nested attributes) would be far larger than this whole module.
 */
static void nft_script(const struct ds_config *cfg, char *out, size_t size)
{
	const struct ds_settings *s = &cfg->settings;
	char a[16], net[16], line[256], t[DS_NAME_MAX + 32];
	nft_table(cfg, cfg->container_name, t, sizeof(t));
	ds_ipv4_format(s->net_addr, a, sizeof(a));
	ds_ipv4_format(cfg->rt.net_subnet.addr, net, sizeof(net));
	size_t pos = 0;
#define PUT(...) (snprintf(line, sizeof(line), __VA_ARGS__), pos += (size_t)snprintf(out + pos, size - pos, "%s", line))
	PUT("table ip %s\ndelete table ip %s\n", t, t);
	PUT("table ip %s {\n", t);
	PUT("chain postrouting {\ntype nat hook postrouting priority 100; policy accept;\n");
	PUT("ip saddr %s oifname != \"%s\" masquerade\n", a, DS_NAT_BRIDGE);
	PUT("ip saddr 127.0.0.0/8 ip daddr %s oifname \"%s\" masquerade\n", a, DS_NAT_BRIDGE);
	/* Hairpin: another guest (or this one) through a forward, answered by way of the bridge's address. */
	PUT("ip saddr %s/%d ip daddr %s oifname \"%s\" ct status dnat masquerade\n}\n", net, cfg->rt.net_subnet.prefix,
	    a, DS_NAT_BRIDGE);
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
	char a[16], net[16];
	ds_ipv4_format(s->net_addr, a, sizeof(a));
	ds_ipv4_format(cfg->rt.net_subnet.addr, net, sizeof(net));
	size_t pos = 0;
	pos += (size_t)snprintf(out + pos, size - pos, "POSTROUTING -s %s/32 ! -o %s -j MASQUERADE\n", a,
				DS_NAT_BRIDGE);
	pos += (size_t)snprintf(out + pos, size - pos, "POSTROUTING -s 127.0.0.0/8 -d %s/32 -o %s -j MASQUERADE\n", a,
				DS_NAT_BRIDGE);
	pos += (size_t)snprintf(out + pos, size - pos,
				"POSTROUTING -s %s/%d -d %s/32 -o %s -m conntrack --ctstate DNAT -j MASQUERADE\n", net,
				cfg->rt.net_subnet.prefix, a, DS_NAT_BRIDGE);
	for (int h = 0; h < 2; h++)
		for (int i = 0; i < s->ports.count && pos < size; i++)
			pos += (size_t)snprintf(out + pos, size - pos,
						"%s -m addrtype --dst-type LOCAL -p %s --dport %u -j DNAT "
						"--to-destination %s:%u\n",
						h ? "OUTPUT" : "PREROUTING", s->ports.p[i].udp ? "udp" : "tcp",
						s->ports.p[i].host, a, s->ports.p[i].guest);
}

/*
 * The host's filter FORWARD chain opened to the guest, iptables' lines as
 * above, put where forward_place says (ahead of a firewall's closing DROP or
 * REJECT, else at the end) when that chain drops what it does not accept: what the guest
 * sends in through the bridge (to the uplink, to another guest, to a forward
 * of the host's), what answers it, and new connections to its forwarded
 * ports once DNAT made them (ctstate DNAT: not to its address from outside).
 */
static void forward_rules(const struct ds_config *cfg, char *out, size_t size)
{
	const struct ds_settings *s = &cfg->settings;
	char a[16];
	ds_ipv4_format(s->net_addr, a, sizeof(a));
	size_t pos = 0;
	pos += (size_t)snprintf(out + pos, size - pos, "FORWARD -i %s -s %s/32 -j ACCEPT\n", DS_NAT_BRIDGE, a);
	pos += (size_t)snprintf(out + pos, size - pos,
				"FORWARD -o %s -d %s/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n",
				DS_NAT_BRIDGE, a);
	for (int i = 0; i < s->ports.count && pos < size; i++)
		pos += (size_t)
			snprintf(out + pos, size - pos,
				 "FORWARD -o %s -d %s/32 -p %s --dport %u -m conntrack --ctstate DNAT -j ACCEPT\n",
				 DS_NAT_BRIDGE, a, s->ports.p[i].udp ? "udp" : "tcp", s->ports.p[i].guest);
}

/*
 * iptables -w -t nat -A|-D CHAIN ARGS... -m comment --comment ds:WS:NAME
 * (ds:NAME, a droidspaces before the workspace's tag, when ws is ""), for
 * one line of the rules; a FORWARD line: -t filter, and -I FORWARD pos for
 * -A where pos > 0 (forward_place).
 */
static int iptables_tagged(const char *ws, const char *name, const char *op, int pos, const char *line, char *why,
			   size_t whysize)
{
	char buf[512], tag[DS_NAME_MAX + 16], at[16];
	int filter = strncmp(line, "FORWARD ", 8) == 0;
	int insert = filter && pos > 0 && strcmp(op, "-A") == 0;
	char *argv[48] = { "iptables", "-w", "5", "-t", filter ? "filter" : "nat", insert ? "-I" : (char *)op };
	int argc = 6;
	snprintf(buf, sizeof(buf), "%s", line);
	snprintf(at, sizeof(at), "%d", pos);
	snprintf(tag, sizeof(tag), "ds:%s%s%s", ws, ws[0] ? ":" : "", name);
	char *save = NULL;
	for (char *w = strtok_r(buf, " ", &save); w && argc < 42; w = strtok_r(NULL, " ", &save)) {
		argv[argc++] = w;
		if (insert && argc == 7)
			argv[argc++] = at; /* -I FORWARD N */
	}
	argv[argc++] = "-m";
	argv[argc++] = "comment";
	argv[argc++] = "--comment";
	argv[argc++] = tag;
	argv[argc] = NULL;
	return run(argv, NULL, why, whysize);
}

/* iptables_tagged's, under the tag of our workspace. */
static int iptables_one(const struct ds_config *cfg, const char *name, const char *op, int pos, const char *line,
			char *why, size_t whysize)
{
	char ws[9];
	ws_tag(cfg, ws);
	return iptables_tagged(ws, name, op, pos, line, why, whysize);
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
 * <workspace>/Net/NAME, written under the network lock: its kind (claim,
 * nft or iptables), the network namespace it was made in, the lease line
 * (a record of an older droidspaces has none), then iptables' rules. Older
 * droidspaces named the table droidspaces-NAME and tagged rules ds:NAME
 * (firewall_down tries those too); the first ones wrote no namespace line:
 * such a file is no record (a cleanup removes it with a warning naming what
 * may stay).
 */
struct record {
	char kind[16];
	int here;    /* made in our network namespace */
	char ns[64]; /* the one it was made in */
	char *lease; /* "" when none */
	char *rules; /* the rest */
};

/* Splits rec (read whole) in place; -EINVAL when it is not a record. */
static int record_split(char *rec, struct record *r)
{
	char ns[64];
	netns_id(ns, sizeof(ns));
	char *l1 = rec, *l2 = strchr(l1, '\n'), *l3;
	if (!l2 || (size_t)(l2 - l1) >= sizeof(r->kind))
		return -EINVAL;
	*l2++ = '\0';
	snprintf(r->kind, sizeof(r->kind), "%s", l1);
	if (!(l3 = strchr(l2, '\n')) || strncmp(l2, "netns ", 6) != 0)
		return -EINVAL;
	*l3++ = '\0';
	r->here = strcmp(l2, ns) == 0;
	snprintf(r->ns, sizeof(r->ns), "%s", l2);
	r->lease = "";
	r->rules = l3;
	if (strncmp(l3, "lease ", 6) == 0) {
		r->lease = l3;
		r->rules = l3 + strcspn(l3, "\n");
		if (*r->rules)
			*r->rules++ = '\0';
	}
	return 0;
}

/* Reads and splits the record of name: 0, -ENOENT when there is none. */
static int record_read(const struct ds_config *cfg, const char *name, char *rec, struct record *r)
{
	char path[PATH_MAX];
	record_path(cfg, name, path, sizeof(path));
	if (ds_read_file(path, rec, RULES_MAX) < 0)
		return negerrno();
	return record_split(rec, r);
}

/* Removes the rules a record lists; errors are ignored: a rule may be gone. */
/*
 * A record written before the host's names carried the workspace's tag (an
 * older droidspaces) stands for the table droidspaces-NAME:
 * removed when the new name is not there and the old table masquerades the
 * record's leased address (another workspace's NAME has another address).
 */
static void nft_legacy_down(const char *name, const struct record *r)
{
	char table[DS_NAME_MAX + 16], want[40], out[8192];
	size_t n = strcspn(r->lease + 6, "/ ");
	if (!r->lease[0] || n > 15)
		return; /* no lease line (a record older still): its address unknown */
	snprintf(want, sizeof(want), "ip saddr %.*s ", (int)n, r->lease + 6);
	snprintf(table, sizeof(table), "droidspaces-%s", name);
	char *const list[] = { "nft", "list", "table", "ip", table, NULL };
	char *const del[] = { "nft", "delete", "table", "ip", table, NULL };
	if (run_out(list, NULL, NULL, 0, out, sizeof(out)) == 0 && strstr(out, want))
		run(del, NULL, NULL, 0);
}

static void firewall_down(const struct ds_config *cfg, const char *name, const struct record *r)
{
	if (strcmp(r->kind, FW_NFT) == 0) {
		char table[DS_NAME_MAX + 32];
		nft_table(cfg, name, table, sizeof(table));
		char *const argv[] = { "nft", "delete", "table", "ip", table, NULL };
		if (run(argv, NULL, NULL, 0) != 0)
			nft_legacy_down(name, r);
	} else if (strcmp(r->kind, FW_IPTABLES) != 0) {
		return;
	}
	/*
	 * iptables' lines: the nat table's (kind iptables) and the filter FORWARD
	 * chain's (either kind); one not there under our tag is tried under the
	 * tag before the workspace's (ds:NAME: the line names the leased address).
	 */
	char *save = NULL;
	for (char *l = strtok_r(r->rules, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (iptables_one(cfg, name, "-D", 0, l, NULL, 0) != 0)
			iptables_tagged("", name, "-D", 0, l, NULL, 0);
}

/* What a record of the name made on the host (its veth, its rules), undone. */
static void record_undo(const struct ds_config *cfg, const char *name, const struct record *r)
{
	char host[16];
	ds_nat_veth_name(cfg, name, host);
	_cleanup_close_ int nl = ds_nl_open();
	if (nl >= 0)
		ds_nl_link_delete(nl, host);
	firewall_down(cfg, name, r);
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

/*
 * The bridge with net's first address, up. One already there must serve net;
 * one without an address (flushed, or left by a failed start) gets it again.
 */
static int bridge_up(int nl, const struct ds_cidr *net, struct ds_error *err)
{
	struct ds_cidr running;
	char a[16], b[16];
	int idx = ds_nl_link_index(DS_NAT_BRIDGE), r;
	if (idx > 0 && (r = ds_nat_bridge_subnet(nl, &running)) == 0 &&
	    (running.addr != net->addr || running.prefix != net->prefix)) {
		ds_ipv4_format(net->addr, a, sizeof(a));
		ds_ipv4_format(running.addr, b, sizeof(b));
		return ds_fail(err, DS_EINVAL_MSG, "%s serves %s/%d now, not %s/%d (one subnet at a time)",
			       DS_NAT_BRIDGE, b, running.prefix, a, net->prefix);
	}
	if (idx < 0 && (r = ds_nl_bridge_create(nl, DS_NAT_BRIDGE)) < 0 && r != -EEXIST)
		return ds_fail(err, r, "cannot create the bridge %s", DS_NAT_BRIDGE);
	if ((idx = ds_nl_link_index(DS_NAT_BRIDGE)) < 0)
		return ds_fail(err, idx, "cannot find the bridge %s", DS_NAT_BRIDGE);
	if ((r = ds_nl_addr_add(nl, idx, net->addr + 1, net->prefix)) < 0 && r != -EEXIST)
		return ds_fail(err, r, "cannot give %s its address", DS_NAT_BRIDGE);
	/* Forwards from the host's own 127.0.0.1 leave through the bridge with that source. */
	if ((r = sysctl_write("/proc/sys/net/ipv4/conf/" DS_NAT_BRIDGE "/route_localnet", "1")) < 0)
		return ds_fail(err, r, "cannot set net.ipv4.conf.%s.route_localnet", DS_NAT_BRIDGE);
	if ((r = ds_nl_link_up(nl, idx, 0)) < 0)
		return ds_fail(err, r, "cannot bring %s up", DS_NAT_BRIDGE);
	return 0;
}

/*
 * ip_forward on. Its value before is noted in the bridge's alias, not in a
 * workspace: the bridge and the sysctl are the network namespace's, shared
 * by every workspace's NAT containers, and whichever stop removes the bridge
 * puts the value back.
 */
#define FWD_NOTE "droidspaces: ip_forward was "

static int forward_on(int nl, struct ds_error *err)
{
	char fwd[16] = "", fpath[PATH_MAX], alias[128], note[64];
	ds_host_path("/proc/sys/net/ipv4/ip_forward", fpath, sizeof(fpath));
	if (ds_read_file(fpath, fwd, sizeof(fwd)) < 0)
		return ds_fail(err, negerrno(), "cannot read %s", fpath);
	if (ds_chomp(fwd)[0] == '1')
		return 0;
	int br = ds_nl_link_index(DS_NAT_BRIDGE), r;
	if (br < 0 || (r = ds_nl_link_alias(nl, br, alias, sizeof(alias))) < 0)
		return ds_fail(err, br < 0 ? br : r, "cannot read the alias of %s", DS_NAT_BRIDGE);
	/* A note already there is the value before the first start: it stays. */
	snprintf(note, sizeof(note), FWD_NOTE "%s", fwd);
	if (strncmp(alias, FWD_NOTE, strlen(FWD_NOTE)) != 0 && (r = ds_nl_link_set_alias(nl, br, note)) < 0)
		return ds_fail(err, r, "cannot note net.ipv4.ip_forward's value in the alias of %s", DS_NAT_BRIDGE);
	if ((r = sysctl_write("/proc/sys/net/ipv4/ip_forward", "1")) < 0)
		return ds_fail(err, r, "cannot turn on IPv4 forwarding");
	return 0;
}

/*
 * The record of the container: kind, our network namespace, its lease, and
 * iptables' rules (with fwd: the filter FORWARD chain's too).
 */
static int write_record(const struct ds_config *cfg, const char *kind, int fwd, char *rec, struct ds_error *err)
{
	char path[PATH_MAX], ns[64];
	netns_id(ns, sizeof(ns));
	size_t n = (size_t)snprintf(rec, RULES_MAX, "%s\n%s\n%s\n", kind, ns, cfg->rt.net_lease);
	if (strcmp(kind, FW_IPTABLES) == 0)
		iptables_rules(cfg, rec + n, RULES_MAX - n);
	if (fwd && (n += strlen(rec + n)) < RULES_MAX)
		forward_rules(cfg, rec + n, RULES_MAX - n);
	record_path(cfg, cfg->container_name, path, sizeof(path));
	int r = ds_write_file_atomic(path, rec, 0600, DS_WRITE_DURABLE);
	return r < 0 ? ds_fail(err, r, "cannot write %s", path) : 0;
}

int ds_nat_claim_record(const struct ds_config *cfg, struct ds_error *err)
{
	_cleanup_free_ char *rec = malloc(RULES_MAX);
	struct record old;
	if (!rec)
		return ds_fail(err, -ENOMEM, "cannot claim an address");
	/* What a crashed run of this name left on the host: undone while its record still says what. */
	if (record_read(cfg, cfg->container_name, rec, &old) == 0 && old.here)
		record_undo(cfg, cfg->container_name, &old);
	return write_record(cfg, FW_CLAIM, 0, rec, err);
}

struct veth_walk {
	char own[16];
	int (*fn)(void *ctx, const char *name, const char *lease);
	void *ctx;
};

/* A port of the bridge other than our own veth: "NAME lease ..." in its alias (ds_nat_attach). */
static int veth_lease(void *ctx, const char *name, const char *alias)
{
	struct veth_walk *w = ctx;
	char who[DS_NAME_MAX + 1];
	size_t n = strcspn(alias, " ");
	if (strcmp(name, w->own) == 0 || n > DS_NAME_MAX || strncmp(alias + n, " lease ", 7) != 0)
		return 0;
	snprintf(who, sizeof(who), "%.*s", (int)n, alias);
	return w->fn(w->ctx, who, alias + n + 1);
}

/*
 * The leases on the bridge: other workspaces' containers (their records are
 * not ours to read) are on it too.
 */
static int bridge_leases(const struct ds_config *cfg, int (*fn)(void *ctx, const char *name, const char *lease),
			 void *ctx)
{
	struct veth_walk w = { .fn = fn, .ctx = ctx };
	int br = ds_nl_link_index(DS_NAT_BRIDGE);
	if (br < 0)
		return 0;
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return nl;
	ds_nat_veth_name(cfg, cfg->container_name, w.own);
	return ds_nl_each_slave(nl, br, veth_lease, &w);
}

int ds_nat_each_lease(const struct ds_config *cfg, int (*fn)(void *ctx, const char *name, const char *lease), void *ctx)
{
	char path[PATH_MAX];
	record_path(cfg, NULL, path, sizeof(path));
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? bridge_leases(cfg, fn, ctx) : negerrno();
	_cleanup_free_ char *rec = malloc(RULES_MAX);
	int r = rec ? 0 : -ENOMEM;
	for (struct dirent *e; r == 0 && (e = readdir(d));) {
		struct record rc;
		if (is_record(e->d_name) && strcmp(e->d_name, cfg->container_name) != 0 &&
		    record_read(cfg, e->d_name, rec, &rc) == 0 && rc.here && rc.lease[0])
			r = fn(ctx, e->d_name, rc.lease);
	}
	closedir(d);
	return r ? r : bridge_leases(cfg, fn, ctx);
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

#define FORWARD_LISTING_MAX (256 << 10) /* a firewall's chain of a few thousand rules */

/* ds_iptables_forward_place of the host's filter FORWARD chain (0 when iptables cannot list it). */
static int forward_place(void)
{
	char *const list[] = { "iptables", "-w", "5", "-t", "filter", "-S", "FORWARD", NULL };
	_cleanup_free_ char *out = malloc(FORWARD_LISTING_MAX);
	if (!out || run_out(list, NULL, NULL, 0, out, FORWARD_LISTING_MAX) != 0)
		return 0;
	return ds_iptables_forward_place(out);
}

/* iptables -A of each line of rules, those of the filter FORWARD chain (at pos, as forward_place) or the others. */
static int iptables_add(const struct ds_config *cfg, char *rules, int forward, int pos, char *why, size_t whysize)
{
	char *save = NULL;
	for (char *l = strtok_r(rules, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if ((strncmp(l, "FORWARD ", 8) == 0) != forward)
			continue;
		int r = iptables_one(cfg, cfg->container_name, "-A", pos, l, why, whysize);
		if (r != 0)
			return r;
	}
	return 0;
}

/* The filter FORWARD chain opened to the guest where it drops (forward_place); recorded first. */
static int forward_open(const struct ds_config *cfg, const char *kind, char *rec, struct ds_error *err)
{
	char why[256] = "";
	struct record me;
	int pos = forward_place();
	if (!pos)
		return 0;
	int r = write_record(cfg, kind, 1, rec, err);
	if (r < 0)
		return r;
	if (record_split(rec, &me) < 0)
		return ds_fail(err, -EINVAL, "cannot read back the record of %s", cfg->container_name);
	if ((r = iptables_add(cfg, me.rules, 1, pos, why, sizeof(why))) != 0)
		return ds_fail(err, r < 0 ? r : DS_EINVAL_MSG,
			       "cannot open the host's filter FORWARD chain to %s: iptables: %s", DS_NAT_BRIDGE, why);
	return 0;
}

void ds_nat_forward_warn(void)
{
	char *const list[] = { "nft", "list", "chains", NULL };
	char out[16384], names[256];
	if (run_out(list, NULL, NULL, 0, out, sizeof(out)) != 0)
		return;
	/* iptables-nft's own chain is opened by forward_open; any other one drops for all we can do. */
	int n = ds_nft_forward_drops(out, iptables_is_nft(), names, sizeof(names));
	if (n)
		fprintf(stderr,
			"droidspaces: warning: nftables chain%s %s drop%s forwarded packets (policy drop): NAT guests "
			"cannot reach out nor be reached through --port; add to %s: iifname \"%s\" accept; oifname "
			"\"%s\" ct state established,related accept; oifname \"%s\" ct status dnat accept\n",
			n > 1 ? "s" : "", names, n > 1 ? "" : "s", n > 1 ? "each" : "it", DS_NAT_BRIDGE, DS_NAT_BRIDGE,
			DS_NAT_BRIDGE);
}

int ds_nat_host_up(const struct ds_config *cfg, struct ds_error *err)
{
	char why[256] = "", nft_why[256] = "";
	/* Under the lock: the last NAT container's cleanup cannot take the bridge from under us. */
	_cleanup_close_ int lock = ds_nat_lock(cfg, err);
	if (lock < 0)
		return lock;
	_cleanup_free_ char *rec = malloc(RULES_MAX);
	if (!rec)
		return ds_fail(err, -ENOMEM, "cannot set up the network");
	/*
	 * nftables where the nft binary runs and the kernel takes the table;
	 * iptables otherwise (Android). Recorded first: whatever follows is undone
	 * by the cleanup, even half done.
	 */
	int nft = !ds_fault_active("net:no-nft");
	int r = write_record(cfg, nft ? FW_NFT : FW_IPTABLES, 0, rec, err);
	if (r < 0)
		return r;
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return ds_fail(err, nl, "cannot open rtnetlink");
	/*
	 * And the namespace's lock: another workspace's last stop neither takes
	 * the bridge nor puts ip_forward back, nor drops the nat table that our
	 * rules are going into, meanwhile.
	 */
	_cleanup_close_ int nslock = netns_lock(err);
	if (nslock < 0)
		return nslock;
	if ((r = bridge_up(nl, &cfg->rt.net_subnet, err)) < 0 || (r = forward_on(nl, err)) < 0)
		return r;
	if (nft && nft_up(cfg, nft_why, sizeof(nft_why)) == 0)
		return forward_open(cfg, FW_NFT, rec, err);
	if (nft && (r = write_record(cfg, FW_IPTABLES, 0, rec, err)) < 0)
		return r;
	struct record me;
	if (record_split(rec, &me) < 0)
		return ds_fail(err, -EINVAL, "cannot read back the record of %s", cfg->container_name);
	if ((r = iptables_note_table(cfg, err)) < 0)
		return r;
	if ((r = iptables_add(cfg, me.rules, 0, 0, why, sizeof(why))) != 0)
		return ds_fail(err, r < 0 ? r : DS_EINVAL_MSG, "cannot add the NAT rules: %s%s%siptables: %s",
			       nft ? "nft: " : "", nft_why, nft ? "; " : "", r == 127 ? "no iptables binary" : why);
	return forward_open(cfg, FW_IPTABLES, rec, err);
}

int ds_nat_follow_uplink(const struct ds_config *cfg, struct ds_error *err)
{
	/* Never waited for: the monitor's console must keep flowing (it looks again later). */
	_cleanup_close_ int nslock = netns_lock_how(1, err);
	if (nslock < 0)
		return nslock;
	/* The bridge gone (a boot failed; the last stop of ours is under way): nothing to route. */
	if (ds_nl_link_index(DS_NAT_BRIDGE) < 0)
		return 0;
	return ds_android_nat_route(DS_NAT_BRIDGE, &cfg->rt.net_subnet, err);
}

struct clash {
	const char *lease; /* ours: "lease A.B.C.D/N ..." */
	char name[DS_NAME_MAX + 1];
};

/* A port of the bridge whose lease has our address: both written by ds_net_lease_format, compared as text. */
static int lease_clash(void *ctx, const char *name, const char *lease)
{
	struct clash *c = ctx;
	size_t n = strcspn(c->lease, "/") + 1;
	if (strncmp(lease, c->lease, n) != 0)
		return 0;
	snprintf(c->name, sizeof(c->name), "%s", name);
	return 1;
}

/*
 * Under the namespace's lock, before our veth goes on the bridge: no other
 * port of it has our address. The lease marks keep two claims apart; a claim
 * without them (an older droidspaces in another workspace) is caught here,
 * since every veth is put on the bridge, its alias set, under this lock.
 */
static int addr_clash(const struct ds_config *cfg, int nl, const char *own, struct ds_error *err)
{
	struct clash c = { .lease = cfg->rt.net_lease };
	struct veth_walk w = { .fn = lease_clash, .ctx = &c };
	char a[16];
	int br = ds_nl_link_index(DS_NAT_BRIDGE);
	snprintf(w.own, sizeof(w.own), "%s", own);
	int r = br < 0 ? 0 : ds_nl_each_slave(nl, br, veth_lease, &w);
	if (r < 0)
		return ds_fail(err, r, "cannot read the ports of %s", DS_NAT_BRIDGE);
	if (r == 0)
		return 0;
	ds_ipv4_format(cfg->settings.net_addr, a, sizeof(a));
	return ds_fail(err, DS_EINVAL_MSG,
		       "--net=nat: address %s is already in use on %s by container %s; start again to lease another", a,
		       DS_NAT_BRIDGE, c.name);
}

int ds_nat_attach(const struct ds_config *cfg, pid_t init, struct ds_error *err)
{
	char host[16];
	ds_nat_veth_name(cfg, cfg->container_name, host);
	ds_fault_point("net:before-attach");
	_cleanup_close_ int nl = ds_nl_open();
	if (nl < 0)
		return ds_fail(err, nl, "cannot open rtnetlink");
	/*
	 * Under the namespace's lock, the bridge (and ip_forward) once more, up to
	 * the veth on it: until then the bridge had no port of ours, and the last
	 * stop of another workspace (whose records do not name us) may have taken
	 * it since ds_nat_host_up, or since our last boot's pair went with its
	 * namespace.
	 */
	_cleanup_close_ int nslock = netns_lock(err);
	if (nslock < 0)
		return nslock;
	int r;
	if ((r = bridge_up(nl, &cfg->rt.net_subnet, err)) < 0 || (r = forward_on(nl, err)) < 0)
		return r;
	/*
	 * Android: netd's policy rules route nothing from the bridge; ours go with
	 * the bridge (bridge_down). At each boot of any NAT guest, not once: the
	 * uplink's table is looked up again (Wi-Fi and mobile data have their own),
	 * for every guest on the bridge.
	 */
	if (cfg->rt.android && (r = ds_android_nat_route(DS_NAT_BRIDGE, &cfg->rt.net_subnet, err)) < 0)
		return r;
	if ((r = addr_clash(cfg, nl, host, err)) < 0)
		return r;
	/* The last boot's pair may outlive its namespace for a moment. */
	ds_nl_link_delete(nl, host);
	r = ds_nl_veth_create(nl, host, "eth0", init, DS_NAT_MTU);
	if (r < 0)
		return ds_fail(err, r, "cannot create the veth pair %s", host);
	int idx = ds_nl_link_index(host), br = ds_nl_link_index(DS_NAT_BRIDGE);
	if (idx < 0 || br < 0)
		return ds_fail(err, idx < 0 ? idx : br, "cannot find %s or %s", host, DS_NAT_BRIDGE);
	if ((r = ds_nl_link_set_master(nl, idx, br)) < 0)
		return ds_fail(err, r, "cannot put %s on %s", host, DS_NAT_BRIDGE);
	/*
	 * "NAME lease ..." (what fits of it) on the host end: the claims of other
	 * workspaces, whose records we do not read, see the address and ports.
	 */
	char alias[256];
	snprintf(alias, sizeof(alias), "%s %s", cfg->container_name, cfg->rt.net_lease);
	if (strlen(cfg->container_name) + 1 + strlen(cfg->rt.net_lease) >= sizeof(alias))
		*strrchr(alias, ' ') = '\0'; /* no port cut in half */
	if ((r = ds_nl_link_set_alias(nl, idx, alias)) < 0)
		return ds_fail(err, r, "cannot set the alias of %s", host);
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
		n += is_record(e->d_name);
	if (d)
		closedir(d);
	return n > 0;
}

/*
 * The bridge removed, and ip_forward put back, only when no port is left on
 * it: another workspace's NAT containers (their records elsewhere) may be
 * using it.
 */
static void bridge_down(const struct ds_config *cfg)
{
	char alias[128] = "", fwd[16], why[600];
	struct ds_error err = { 0 };
	/* From the look at its ports to its removal: no start of any workspace puts a veth on it meanwhile. */
	_cleanup_close_ int nslock = netns_lock(&err);
	if (nslock < 0) {
		fprintf(stderr, "droidspaces: warning: %s and ip_forward are left as they are: %s\n", DS_NAT_BRIDGE,
			ds_error_text(&err, why, sizeof(why)));
		return;
	}
	_cleanup_close_ int nl = ds_nl_open();
	int br = ds_nl_link_index(DS_NAT_BRIDGE);
	if (nl < 0)
		return;
	if (br > 0) {
		if (ds_nl_link_slaves(nl, br) != 0 || ds_nl_link_alias(nl, br, alias, sizeof(alias)) < 0)
			return;
		ds_fault_point("net:bridge-empty");
		ds_nl_link_delete(nl, DS_NAT_BRIDGE);
		if (strncmp(alias, FWD_NOTE, strlen(FWD_NOTE)) == 0)
			sysctl_write("/proc/sys/net/ipv4/ip_forward", alias + strlen(FWD_NOTE));
	}
	/* Android's policy rules (ds_android_nat_route): the rules are their own record, by priority and selector. */
	ds_android_nat_unroute(DS_NAT_BRIDGE);
	iptables_drop_table(cfg);
	/* The note of an older droidspaces, in the workspace. */
	if (ds_setting_recall(cfg, "ip_forward", fwd, sizeof(fwd)) == 0)
		sysctl_write("/proc/sys/net/ipv4/ip_forward", fwd);
}

void ds_nat_host_down(const struct ds_config *cfg)
{
	char path[PATH_MAX];
	struct record me;
	struct ds_error err = { 0 };
	/* Every cleanup comes here: one without a record (not NAT) neither makes nor takes the lock. */
	record_path(cfg, cfg->container_name, path, sizeof(path));
	if (access(path, F_OK) < 0)
		return;
	/*
	 * Under the lock, so that a start's claim sees either the record or the
	 * bridge gone; without it (a planted lock) the undoing is done all the same.
	 */
	_cleanup_close_ int lock = ds_nat_lock(cfg, &err);
	_cleanup_free_ char *rec = malloc(RULES_MAX);
	/*
	 * Nothing when no NAT start is recorded for this name. Only in the network
	 * namespace it was made in (a stop run elsewhere after the monitor died
	 * must not touch another namespace's links, rules or sysctls): the record
	 * stays for a cleanup from there.
	 */
	if (!rec)
		return;
	int r = record_read(cfg, cfg->container_name, rec, &me);
	if (r == -EINVAL) {
		fprintf(stderr,
			"droidspaces: warning: %s is no record of this droidspaces (one of the first NAT ones has no "
			"namespace line): removed; its rules, if any, stay (nft table droidspaces-%s, iptables "
			"comment ds:%s)\n",
			path, cfg->container_name, cfg->container_name);
		unlink(path);
	}
	if (r < 0)
		return;
	if (!me.here) {
		char ns[64];
		netns_id(ns, sizeof(ns));
		fprintf(stderr,
			"droidspaces: warning: %s was made in %s, not in this one (%s): its veth, "
			"rules and bridge are left for a stop run there\n",
			path, me.ns, ns);
		return;
	}
	record_undo(cfg, cfg->container_name, &me);
	unlink(path);
	/* A claim of this workspace (under our lock) is about to use the bridge. */
	if (other_records(cfg))
		return;
	ds_fault_point("net:bridge-last");
	bridge_down(cfg);
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
