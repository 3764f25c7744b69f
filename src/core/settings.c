/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/settings.h"
#include "core/attach.h"
#include "core/caps.h"
#include "core/netopts.h"
#include "host/netlink.h"
#include "core/seccomp.h"
#include "core/state.h"
#include "core/userns.h"
#include "core/validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CAP_NET_ADMIN_BIT (1ULL << 12) /* linux/capability.h: CAP_NET_ADMIN */
#define DS_NAMES_MAX 4096              /* --name a,b,c: the longest list taken */

#define CFG(f) .offset = offsetof(struct ds_settings, f), .size = sizeof(((struct ds_settings *)0)->f)
#define FLG(f) .offset = offsetof(struct ds_cli_flags, f), .size = sizeof(((struct ds_cli_flags *)0)->f)

/* Verbs that boot a container: they take every setting of one. */
#define BOOT (DS_VERB_START | DS_VERB_RESTART)
/* The limits: set at start, changed in place by update. */
#define LIMITS (BOOT | DS_VERB_UPDATE)
/* Verbs about a container, found by --name or --pidfile. */
#define NAMED (DS_VERB_ALL & ~DS_VERB_CHECK)

static int bad(struct ds_error *err, const char *opt, const char *val, const char *why)
{
	return ds_fail(err, DS_EINVAL_MSG, "--%s: invalid value '%.80s': %s", opt, val, why);
}

static void *field(const struct ds_setting *row, void *base) { return (char *)base + row->offset; }
static const void *cfield(const struct ds_setting *row, const void *base) { return (const char *)base + row->offset; }

/* ---- parsers of the rows that need more than their type ---------------------------------- */

static int parse_names(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		       struct ds_error *err)
{
	(void)from;
	if (!val[0] || strlen(val) >= DS_NAMES_MAX)
		return bad(err, row->name, val, "expected NAME or NAME,NAME,...");
	*(const char **)field(row, base) = val;
	return 0;
}

static int parse_hostname(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			  struct ds_error *err)
{
	if (from == DS_FROM_CLI && ds_hostname_validate(val) < 0)
		return bad(err, row->name, val, "use 1-64 characters of A-Z a-z 0-9 - . _");
	/* A saved hostname defaulted from a name may end in '.' or '-': names are accepted too. */
	if (from == DS_FROM_CONFIG && *val && ds_hostname_validate(val) < 0 &&
	    (ds_name_validate(val) < 0 || !isalnum((unsigned char)val[0])))
		return ds_fail(err, DS_EINVAL_MSG, "config: invalid hostname '%.64s'", val);
	if (strlen(val) >= row->size)
		return ds_fail(err, DS_EINVAL_MSG, "config: %s is too long", row->key);
	memcpy(field(row, base), val, strlen(val) + 1);
	return 0;
}

static int parse_dns(const struct ds_setting *row, void *base, const char *val, enum ds_from from, struct ds_error *err)
{
	(void)row;
	(void)from;
	return ds_parse_dns(val, base, err);
}

static int parse_binds(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		       struct ds_error *err)
{
	(void)row, (void)from;
	return ds_parse_binds(val, base, err);
}

static int parse_keep_caps(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			   struct ds_error *err)
{
	unsigned long long m = 0;
	(void)from;
	int r = ds_caps_parse_keep(val, &m, err);
	if (r == 0)
		*(unsigned long long *)field(row, base) |= m;
	return r;
}

static int parse_privileged(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			    struct ds_error *err)
{
	unsigned m = 0;
	(void)from;
	int r = ds_privileged_parse(val, &m, err);
	if (r == 0)
		*(unsigned *)field(row, base) |= m;
	return r;
}

/* --keep-net-admin, and keep_net_admin=1 of files saved before 3.3: the one capability that could be kept. */
static int parse_net_admin(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			   struct ds_error *err)
{
	if (from == DS_FROM_CONFIG && strcmp(val, "0") && strcmp(val, "1"))
		return ds_fail(err, DS_EINVAL_MSG, "config: %s must be 0 or 1, not '%.40s'", row->key, val);
	if (from == DS_FROM_CLI || val[0] == '1')
		((struct ds_settings *)base)->keep_caps |= CAP_NET_ADMIN_BIT;
	return 0;
}

static int parse_user(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		      struct ds_error *err)
{
	(void)from;
	struct ds_user_spec u;
	const char *why = ds_user_parse(val, &u);
	if (why)
		return bad(err, row->name, val, why);
	*(const char **)field(row, base) = val;
	return 0;
}

/* --wait alone is DS_WAIT_DEFAULT seconds; a command-line flag only, never saved. */
static int parse_wait(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		      struct ds_error *err)
{
	(void)from;
	char *end;
	long v = *val ? strtol(val, &end, 10) : DS_WAIT_DEFAULT;
	if (*val && (*end || end == val || v < 1 || v > 86400))
		return bad(err, row->name, val, "expected seconds, 1-86400");
	*(int *)field(row, base) = (int)v;
	return 0;
}

/* --memory and --cpus: 0 (or empty, in a saved file) is no limit. */
static int parse_memory(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			struct ds_error *err)
{
	(void)from;
	const char *why = ds_size_parse(val, field(row, base));
	return why ? bad(err, row->name, val, why) : 0;
}

static int parse_cpus(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		      struct ds_error *err)
{
	(void)from;
	const char *why = ds_cpus_parse(val, field(row, base));
	return why ? bad(err, row->name, val, why) : 0;
}

/* --private-users: "" (the option alone) is auto; a saved file holds the range it was given. */
static int parse_userns(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			struct ds_error *err)
{
	const char *why = ds_userns_parse(val, field(row, base));
	if (why && from == DS_FROM_CONFIG)
		return ds_fail(err, DS_EINVAL_MSG, "config: %s: '%.40s': %s", row->key, val, why);
	return why ? bad(err, row->name, val, why) : 0;
}

/* --net, --subnet, --port and the kept address (DS_ROW_EMPTY: an empty saved value is the default). */
static int parse_net(const struct ds_setting *row, void *base, const char *val, enum ds_from from, struct ds_error *err)
{
	(void)from;
	const char *why = ds_net_mode_parse(val, field(row, base));
	return why ? bad(err, row->name, val, why) : 0;
}

static int parse_subnet(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			struct ds_error *err)
{
	(void)from;
	const char *why = ds_subnet_parse(val, field(row, base));
	return why ? bad(err, row->name, val, why) : 0;
}

static int parse_port(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		      struct ds_error *err)
{
	struct ds_ports *ports = field(row, base);
	struct ds_port p;
	(void)from;
	const char *why = ds_port_parse(val, &p);
	if (why)
		return bad(err, row->name, val, why);
	for (int i = 0; i < ports->count; i++)
		if (ports->p[i].host == p.host && ports->p[i].udp == p.udp)
			return bad(err, row->name, val, "that host port is forwarded twice");
	if (ports->count >= DS_MAX_PORTS)
		return bad(err, row->name, val, "at most 16 forwards");
	ports->p[ports->count++] = p;
	return 0;
}

static int parse_net_addr(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			  struct ds_error *err)
{
	(void)from;
	if (ds_ipv4_parse(val, field(row, base)) < 0)
		return ds_fail(err, DS_EINVAL_MSG, "config: %s: '%.40s' is not an IPv4 address", row->key, val);
	return 0;
}

static int parse_ownership(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			   struct ds_error *err)
{
	const char *why = ds_userns_ownership_parse(val, field(row, base));
	if (why && from == DS_FROM_CONFIG)
		return ds_fail(err, DS_EINVAL_MSG, "config: %s: '%.40s': %s", row->key, val, why);
	return why ? bad(err, row->name, val, why) : 0;
}

/* The record of a shift of the rootfs's ids (core/shift.c): only ever read from a saved file. */
static int parse_shift(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
		       struct ds_error *err)
{
	(void)from;
	const char *why = ds_userns_shift_parse(val, field(row, base));
	return why ? ds_fail(err, DS_EINVAL_MSG, "config: %s: '%.40s': %s", row->key, val, why) : 0;
}

/* ---- render and merge of the rows that need more than their type ------------------------- */

/* The network rows are saved only when they differ from host networking: older files stay as they were. */
static int render_net(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	return s->net_mode != DS_NET_HOST ? put(ctx, row->key, ds_net_mode_name(s->net_mode)) : 0;
}

static int render_subnet(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char a[16], text[24];
	ds_ipv4_format(s->subnet.addr, a, sizeof(a));
	snprintf(text, sizeof(text), "%s/%d", a, s->subnet.prefix);
	return s->subnet.prefix ? put(ctx, row->key, text) : 0;
}

static int render_ports(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	int r = 0;
	for (int i = 0; i < s->ports.count && r == 0; i++) {
		char text[32];
		ds_port_format(&s->ports.p[i], text, sizeof(text));
		r = put(ctx, row->key, text);
	}
	return r;
}

static int render_net_addr(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char a[16];
	ds_ipv4_format(s->net_addr, a, sizeof(a));
	return s->net_addr ? put(ctx, row->key, a) : 0;
}

/* The limits are saved only when set: a file without the key has no limit (and older files stay as they were). */
static int render_memory(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char text[32];
	ds_size_format(s->limits.memory, text, sizeof(text));
	return s->limits.memory ? put(ctx, row->key, text) : 0;
}

static int render_cpus(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char text[32];
	ds_cpus_format(s->limits.cpus_milli, text, sizeof(text));
	return s->limits.cpus_milli ? put(ctx, row->key, text) : 0;
}

static int render_limit(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char text[16];
	int v = *(const int *)cfield(row, s);
	snprintf(text, sizeof(text), "%d", v);
	return v ? put(ctx, row->key, text) : 0;
}

/* Saved only when on: older files, and containers without it, stay as they were. */
static int render_userns(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char text[32];
	ds_userns_format(&s->userns, text, sizeof(text));
	return s->userns.mode != DS_USERNS_OFF ? put(ctx, row->key, text) : 0;
}

static int render_ownership(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	return s->userns_ownership != DS_OWN_AUTO ? put(ctx, row->key, ds_userns_ownership_name(s->userns_ownership))
						  : 0;
}

static int render_shift(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char text[64];
	ds_userns_shift_format(&s->shift, text, sizeof(text));
	return text[0] ? put(ctx, row->key, text) : 0;
}

static int render_keep_caps(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	char text[256];
	ds_caps_format_keep(s->keep_caps, text, sizeof(text));
	return put(ctx, row->key, text);
}

static int render_privileged(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put,
			     void *ctx)
{
	char text[256];
	ds_privileged_format(s->privileged, text, sizeof(text));
	return put(ctx, row->key, text);
}

static int render_binds(const struct ds_setting *row, const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	int r = 0;
	for (int i = 0; i < s->bind_count && r == 0; i++) {
		const struct ds_bind *b = &s->binds[i];
		size_t n = strlen(b->src) + strlen(b->dest) + 5;
		char *text = malloc(n);
		if (!text)
			return -ENOMEM;
		snprintf(text, n, "%s:%s%s", b->src, b->dest, b->read_only ? ":ro" : "");
		r = put(ctx, row->key, text);
		free(text);
	}
	return r;
}

static int merge_binds(const struct ds_setting *row, struct ds_settings *dst, const struct ds_settings *src)
{
	(void)row;
	if (dst->bind_count > 0)
		return 0;
	for (int i = 0; i < src->bind_count; i++) {
		int r = ds_bind_add(dst, src->binds[i].src, src->binds[i].dest, src->binds[i].read_only);
		if (r < 0)
			return r;
	}
	return 0;
}

static int merge_or_mask(const struct ds_setting *row, struct ds_settings *dst, const struct ds_settings *src)
{
	if (row->size == sizeof(unsigned long long))
		*(unsigned long long *)field(row, dst) |= *(const unsigned long long *)cfield(row, src);
	else
		*(unsigned *)field(row, dst) |= *(const unsigned *)cfield(row, src);
	return 0;
}

/* ---- the table -------------------------------------------------------------------------- */

/* One setting per row, its fields in the same order on every row. */
// clang-format off
const struct ds_setting ds_settings[] = {
	{ .key = "rootfs", .name = "rootfs", .shortopt = 'r', .arg = DS_ARG_PATH, CFG(rootfs_path),
	  .metavar = "DIR", .help = "rootfs directory to boot", .verbs = BOOT },
	{ .key = "rootfs_img", .name = "rootfs-img", .shortopt = 'i', .arg = DS_ARG_PATH, CFG(rootfs_img_path),
	  .metavar = "FILE", .help = "boot an ext4 image (or block device); needs --name", .verbs = BOOT },
	{ .name = "name", .shortopt = 'n', .arg = DS_ARG_VALUE, .flags = DS_ROW_FLAGS, FLG(names),
	  .parse = parse_names, .metavar = "NAME",
	  .help = "container name ([A-Za-z0-9._-], 1-64 chars; stop: a,b,c)", .verbs = NAMED },
	{ .key = "hostname", .name = "hostname", .arg = DS_ARG_VALUE, CFG(hostname), .parse = parse_hostname,
	  .metavar = "NAME", .help = "hostname inside (default: the name)", .verbs = BOOT },
	{ .key = "volatile", .name = "volatile", .shortopt = 'V', .arg = DS_ARG_FLAG, .flags = DS_ROW_OR,
	  CFG(volatile_mode), .help = "changes go to RAM and vanish at stop (OverlayFS)", .verbs = BOOT },
	{ .key = "hw_access", .name = "hw-access", .shortopt = 'H', .arg = DS_ARG_FLAG, .flags = DS_ROW_OR,
	  CFG(hw_access), .help = "the host's devices (devtmpfs) and a writable /sys below a read-only top",
	  .verbs = BOOT },
	{ .key = "enable_ipv6", .name = "enable-ipv6", .arg = DS_ARG_FLAG, .flags = DS_ROW_OR, CFG(enable_ipv6),
	  .help = "turn on IPv6 of the shared network (undone at the last stop)", .verbs = BOOT },
	{ .key = "android_storage", .name = "enable-android-storage", .arg = DS_ARG_FLAG, .flags = DS_ROW_OR,
	  CFG(android_storage), .help = "Android only: /storage/emulated/0 bound into the guest", .verbs = BOOT },
	{ .key = "selinux_permissive", .name = "selinux-permissive", .arg = DS_ARG_FLAG, .flags = DS_ROW_OR,
	  CFG(selinux_permissive), .help = "Android only: SELinux permissive while containers run",
	  .verbs = BOOT },
	{ .name = "keep-net-admin", .arg = DS_ARG_FLAG, CFG(keep_caps), .parse = parse_net_admin,
	  .help = "leave CAP_NET_ADMIN to the guest (it shares the host's network)", .verbs = BOOT },
	{ .key = "keep_caps", .name = "keep-caps", .arg = DS_ARG_VALUE, .flags = DS_ROW_OR | DS_ROW_EMPTY, CFG(keep_caps),
	  .parse = parse_keep_caps, .render = render_keep_caps, .merge = merge_or_mask, .metavar = "CAP[,CAP]",
	  .help = "keep dropped capabilities: net_admin sys_module sys_rawio sys_time\n"
		  "audit_control mac_override mac_admin audit_read, or all",
	  .verbs = BOOT },
	{ .key = "keep_net_admin", .arg = DS_ARG_VALUE, .flags = DS_ROW_LEGACY | DS_ROW_OR, CFG(keep_caps),
	  .parse = parse_net_admin, .merge = merge_or_mask },
	{ .key = "privileged", .name = "privileged", .arg = DS_ARG_VALUE, .flags = DS_ROW_OR | DS_ROW_EMPTY, CFG(privileged),
	  .parse = parse_privileged, .render = render_privileged, .merge = merge_or_mask, .metavar = "PART[,PART]",
	  .help = "turn off pieces of the confinement: seccomp (the syscall\n"
		  "filter), devices (the device policy), or all",
	  .verbs = BOOT },
	{ .key = "private_users", .name = "private-users", .shortopt = 'U', .arg = DS_ARG_VALUE,
	  .flags = DS_ROW_OPTVAL, CFG(userns), .parse = parse_userns, .render = render_userns,
	  .metavar = "[auto|BASE[:SIZE]]",
	  .help = "guest root is unprivileged on the host: a user namespace with\n"
		  "65536 host ids from BASE (auto: a free range, kept per container),\n"
		  "the rootfs idmapped (or its ids shifted once); no: off",
	  .verbs = BOOT },
	{ .key = "net", .name = "net", .arg = DS_ARG_VALUE, .flags = DS_ROW_EMPTY, CFG(net_mode), .parse = parse_net, .render = render_net,
	  .metavar = "host|none|nat",
	  .help = "the guest's network: host (shared, the default), none (its own,\n"
		  "only lo) or nat (its own, eth0 on the bridge ds-br0, masqueraded)",
	  .verbs = BOOT },
	{ .key = "subnet", .name = "subnet", .arg = DS_ARG_VALUE, .flags = DS_ROW_EMPTY, CFG(subnet), .parse = parse_subnet,
	  .render = render_subnet, .metavar = "A.B.C.D/N",
	  .help = "--net=nat: the bridge's network (default: the first /24 of\n"
		  "10.87.0.0/16 that no host route overlaps)",
	  .verbs = BOOT },
	{ .key = "port", .name = "port", .arg = DS_ARG_VALUE, .flags = DS_ROW_EMPTY, CFG(ports), .parse = parse_port, .render = render_ports,
	  .metavar = "HOST:GUEST[/tcp|udp]", .help = "--net=nat: forward a host port to the guest (repeatable)",
	  .verbs = BOOT },
	{ .key = "net_address", .arg = DS_ARG_VALUE, .flags = DS_ROW_EMPTY, CFG(net_addr), .parse = parse_net_addr,
	  .render = render_net_addr },
	{ .key = "private_users_ownership", .name = "private-users-ownership", .arg = DS_ARG_VALUE,
	  CFG(userns_ownership), .parse = parse_ownership, .render = render_ownership, .metavar = "MODE",
	  .help = "how guest root owns the rootfs: map (an idmapped mount,\n"
		  "Linux 5.12+), chown (its ids shifted on disk once, recorded;\n"
		  "shifted back at --private-users=no), auto (map where it can)",
	  .verbs = BOOT },
	{ .key = "private_users_shift", .arg = DS_ARG_VALUE, CFG(shift), .parse = parse_shift, .render = render_shift },
	{ .key = "dns", .name = "dns", .arg = DS_ARG_VALUE, .flags = DS_ROW_EMPTY, CFG(dns), .parse = parse_dns, .metavar = "IP[,IP]",
	  .help = "resolvers for the guest (default: the host's)", .verbs = BOOT },
	{ .key = "stop_timeout", .name = "stop-timeout", .shortopt = 't', .arg = DS_ARG_INT, CFG(stop_timeout),
	  .lo = 1, .hi = 3600, .why = "expected seconds, 1-3600", .metavar = "SECS",
	  .help = "seconds before stop escalates to SIGKILL (default 8)", .verbs = BOOT | DS_VERB_STOP },
	{ .key = "ttys", .name = "ttys", .arg = DS_ARG_INT, CFG(tty_count), .lo = 0, .hi = DS_MAX_TTYS,
	  .why = "expected 0-6", .metavar = "N", .help = "host PTYs bound on /dev/tty1..N (0-6, default 0)",
	  .verbs = BOOT },
	{ .key = "memory", .name = "memory", .arg = DS_ARG_VALUE, .flags = DS_ROW_EMPTY, CFG(limits.memory), .parse = parse_memory,
	  .render = render_memory, .metavar = "SIZE",
	  .help = "RAM limit (K M G suffixes; 0: none); swap is held to the same\n"
		  "(no swapping past it) where the kernel accounts swap",
	  .verbs = LIMITS },
	{ .key = "cpus", .name = "cpus", .arg = DS_ARG_VALUE, .flags = DS_ROW_EMPTY, CFG(limits.cpus_milli), .parse = parse_cpus,
	  .render = render_cpus, .metavar = "N.N", .help = "CPU time limit in CPUs, e.g. 0.5 or 2 (0: none)",
	  .verbs = LIMITS },
	{ .key = "pids_limit", .name = "pids-limit", .arg = DS_ARG_INT, CFG(limits.pids), .lo = 0, .hi = 4194304,
	  .render = render_limit,
	  .why = "expected a number of tasks, 0-4194304 (0: no limit)", .metavar = "N",
	  .help = "most processes and threads at once (0: no limit)", .verbs = LIMITS },
	{ .key = "cpu_weight", .name = "cpu-weight", .arg = DS_ARG_INT, CFG(limits.cpu_weight), .lo = 0, .hi = 10000,
	  .render = render_limit,
	  .why = "expected 1-10000 (0: the default)", .metavar = "N",
	  .help = "CPU share when the CPUs are busy, 1-10000 (default 100)", .verbs = LIMITS },
	{ .key = "io_weight", .name = "io-weight", .arg = DS_ARG_INT, CFG(limits.io_weight), .lo = 0, .hi = 10000,
	  .render = render_limit,
	  .why = "expected 1-10000 (0: the default)", .metavar = "N",
	  .help = "block I/O share, 1-10000 (default 100; needs io.weight,\n"
		  "blkio.weight or BFQ's weight file)",
	  .verbs = LIMITS },
	{ .key = "bind", .name = "bind-mount", .shortopt = 'B', .arg = DS_ARG_VALUE, CFG(binds),
	  .parse = parse_binds, .render = render_binds, .merge = merge_binds, .metavar = "SRC:DEST[:ro]",
	  .help = "bind a host path into the container (repeatable)", .verbs = BOOT },
	{ .name = "config", .shortopt = 'C', .arg = DS_ARG_PATH, CFG(config_file), .metavar = "FILE",
	  .help = "settings file (key=value, as saved in Containers/NAME/container.config)", .verbs = BOOT },
	{ .name = "wait", .arg = DS_ARG_VALUE, .flags = DS_ROW_FLAGS | DS_ROW_OPTVAL, FLG(wait), .parse = parse_wait,
	  .metavar = "[SECS]",
	  .help = "start: return once the guest is ready (default 90 s; exit 1 with\n"
		  "its failed units or last console lines if not): systemd: READY=1\n"
		  "on NOTIFY_SOCKET; OpenRC: the default runlevel reached; sysvinit:\n"
		  "its runlevel in utmp; busybox and others: init alive for 1 s",
	  .verbs = BOOT },
	{ .name = "foreground", .shortopt = 'f', .arg = DS_ARG_FLAG, CFG(foreground),
	  .help = "stay attached to the console (start); follow (logs)", .verbs = BOOT | DS_VERB_LOGS },
	{ .name = "follow", .arg = DS_ARG_FLAG, CFG(foreground), /* logs -f and --follow share the flag */
	  .help = "follow the log (logs)", .verbs = DS_VERB_LOGS },
	{ .name = "user", .shortopt = 'u', .arg = DS_ARG_VALUE, .flags = DS_ROW_FLAGS, FLG(user),
	  .parse = parse_user, .metavar = "USER",
	  .help = "run the command as USER (name or UID[:GID]) of the guest (run)", .verbs = DS_VERB_RUN },
	{ .name = "all", .shortopt = 'a', .arg = DS_ARG_FLAG, .flags = DS_ROW_FLAGS, FLG(all),
	  .help = "every running container (stop)", .verbs = DS_VERB_STOP },
	{ .name = "json", .arg = DS_ARG_FLAG, .flags = DS_ROW_FLAGS, FLG(json),
	  .help = "JSON output (status, info, show, scan, check)",
	  .verbs = DS_VERB_STATUS | DS_VERB_INFO | DS_VERB_SHOW | DS_VERB_SCAN | DS_VERB_CHECK },
	{ .name = "pidfile", .shortopt = 'p', .arg = DS_ARG_PATH, .flags = DS_ROW_FLAGS, FLG(pidfile), .metavar = "FILE",
	  .help = "pidfile (default: <workspace>/Pids/NAME.pid)", .verbs = NAMED },
	{ .name = "help", .shortopt = 'h', .arg = DS_ARG_FLAG, .flags = DS_ROW_FLAGS, FLG(help), .help = "this help",
	  .verbs = DS_VERB_ALL },
	{ .name = "version", .shortopt = 'v', .arg = DS_ARG_FLAG, .flags = DS_ROW_FLAGS, FLG(version),
	  .help = "print the version", .verbs = DS_VERB_ALL },
};
// clang-format on
const size_t ds_settings_count = sizeof(ds_settings) / sizeof(ds_settings[0]);
_Static_assert(sizeof(ds_settings) / sizeof(ds_settings[0]) <= 64, "the set-mask has 64 bits");

/* ---- lookups ---------------------------------------------------------------------------- */

const struct ds_setting *ds_setting_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < ds_settings_count; i++)
		if (ds_settings[i].name && strlen(ds_settings[i].name) == len &&
		    strncmp(ds_settings[i].name, name, len) == 0)
			return &ds_settings[i];
	return NULL;
}

const struct ds_setting *ds_setting_by_short(char c)
{
	for (size_t i = 0; c && i < ds_settings_count; i++)
		if (ds_settings[i].shortopt == c)
			return &ds_settings[i];
	return NULL;
}

const struct ds_setting *ds_setting_by_key(const char *key)
{
	for (size_t i = 0; i < ds_settings_count; i++)
		if (ds_settings[i].key && strcmp(ds_settings[i].key, key) == 0)
			return &ds_settings[i];
	return NULL;
}

unsigned long long ds_setting_bit(const struct ds_setting *row) { return 1ULL << (row - ds_settings); }

const struct ds_setting *ds_settings_refused(unsigned long long set, unsigned verb)
{
	for (size_t i = 0; i < ds_settings_count; i++)
		if ((set & (1ULL << i)) && !(ds_settings[i].verbs & verb))
			return &ds_settings[i];
	return NULL;
}

/* ---- parse ------------------------------------------------------------------------------ */

static int parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int parse_path(const struct ds_setting *row, char *dst, const char *val, enum ds_from from, struct ds_error *err)
{
	if (from == DS_FROM_CONFIG) {
		if (strlen(val) >= row->size)
			return ds_fail(err, DS_EINVAL_MSG, "config: %s is too long", row->key);
		memcpy(dst, val, strlen(val) + 1);
		return 0;
	}
	if (!val[0])
		return bad(err, row->name, val, "empty path");
	if (strlen(val) >= row->size)
		return bad(err, row->name, val, "path too long");
	for (const char *c = val; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return bad(err, row->name, val, "control characters are not allowed in paths");
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int parse_by_type(const struct ds_setting *row, void *base, const char *val, enum ds_from from,
			 struct ds_error *err)
{
	switch (row->arg) {
	case DS_ARG_FLAG:
		if (from == DS_FROM_CONFIG && strcmp(val, "0") && strcmp(val, "1"))
			return ds_fail(err, DS_EINVAL_MSG, "config: %s must be 0 or 1, not '%.40s'", row->key, val);
		*(int *)field(row, base) = from == DS_FROM_CLI || val[0] == '1';
		return 0;
	case DS_ARG_INT:
		if (parse_int(val, row->lo, row->hi, field(row, base)) == 0)
			return 0;
		if (from == DS_FROM_CLI)
			return bad(err, row->name, val, row->why);
		return ds_fail(err, DS_EINVAL_MSG, "config: %s must be %d-%d, not '%.40s'", row->key, row->lo, row->hi,
			       val);
	case DS_ARG_PATH: return parse_path(row, field(row, base), val, from, err);
	case DS_ARG_VALUE: break;
	}
	return -EINVAL;
}

int ds_setting_apply(const struct ds_setting *row, struct ds_settings *s, struct ds_cli_flags *flags, const char *val,
		     enum ds_from from, struct ds_error *err)
{
	void *base = (row->flags & DS_ROW_FLAGS) ? (void *)flags : (void *)s;
	int r = 0;
	/* DS_ROW_EMPTY: an empty saved value is the default, nothing to parse (the row still counts as set). */
	if (!(row->flags & DS_ROW_EMPTY) || from != DS_FROM_CONFIG || *val)
		r = row->parse ? row->parse(row, base, val, from, err) : parse_by_type(row, base, val, from, err);
	if (r == 0)
		s->set |= ds_setting_bit(row);
	return r;
}

/* ---- render and merge ------------------------------------------------------------------- */

int ds_settings_render(const struct ds_settings *s, ds_setting_put_fn put, void *ctx)
{
	for (size_t i = 0; i < ds_settings_count; i++) {
		const struct ds_setting *row = &ds_settings[i];
		if (!row->key || (row->flags & DS_ROW_LEGACY))
			continue;
		char num[16];
		const void *f = cfield(row, s);
		int r;
		if (row->render)
			r = row->render(row, s, put, ctx);
		else if (row->arg == DS_ARG_FLAG)
			r = put(ctx, row->key, *(const int *)f ? "1" : "0");
		else if (row->arg == DS_ARG_INT)
			r = (snprintf(num, sizeof(num), "%d", *(const int *)f), put(ctx, row->key, num));
		else
			r = put(ctx, row->key, f); /* a path or string: a char array */
		if (r < 0)
			return r;
	}
	return 0;
}

int ds_settings_merge(struct ds_settings *dst, const struct ds_settings *src)
{
	for (size_t i = 0; i < ds_settings_count; i++) {
		const struct ds_setting *row = &ds_settings[i];
		if (!row->key || (dst->set & (1ULL << i) && !(row->flags & DS_ROW_OR)))
			continue;
		int r = 0;
		if (row->merge)
			r = row->merge(row, dst, src);
		else if (row->arg == DS_ARG_FLAG)
			*(int *)field(row, dst) |= *(const int *)cfield(row, src);
		else
			memcpy(field(row, dst), cfield(row, src), row->size); /* an int or a char array */
		if (r < 0)
			return r;
	}
	dst->set |= src->set;
	return 0;
}

/* ---- binds ------------------------------------------------------------------------------ */

void ds_settings_free(struct ds_settings *s)
{
	for (int i = 0; i < s->bind_count; i++)
		free(s->binds[i].src);
	free(s->binds);
	s->binds = NULL;
	s->bind_count = 0;
}

/* ---- --help ----------------------------------------------------------------------------- */

#define HELP_COLUMN 28

void ds_settings_usage(FILE *out)
{
	for (size_t i = 0; i < ds_settings_count; i++) {
		const struct ds_setting *row = &ds_settings[i];
		if (!row->name)
			continue;
		char left[96];
		int n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", row->shortopt ? '-' : ' ',
				 row->shortopt ? row->shortopt : ' ', row->shortopt ? ", " : "  ", row->name,
				 row->metavar ? "=" : "", row->metavar ? row->metavar : "");
		fprintf(out, "%s%*s", left, n < HELP_COLUMN - 1 ? HELP_COLUMN - n : 2, "");
		for (const char *h = row->help; *h;) {
			size_t len = strcspn(h, "\n");
			fprintf(out, "%.*s\n", (int)len, h);
			h += len;
			if (*h == '\n' && *++h)
				fprintf(out, "%*s", HELP_COLUMN, "");
		}
	}
}
