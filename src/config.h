/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The data model, below every floor: struct ds_config is everything one
 * command knows about one container: the settings the user asked for (the
 * rows of core/settings.c, with a set-mask of what the command line gave),
 * where it lives, and in rt the runtime state of one start. The command
 * line's own flags are apart (struct ds_cli_flags). It is passed explicitly;
 * there are no globals. This header holds data only
 * and includes nothing of the project, so any floor may use it.
 */
#pragma once

#include <limits.h>
#include <string.h>
#include <sys/types.h>

#define DS_VERSION "3.3.0"
#define DS_UUID_LEN 32
#define DS_NAME_MAX 64
#define DS_MAX_TTYS 6
#define DS_MAX_BINDS 32
#define DS_MAX_DNS 4
#define DS_STOP_TIMEOUT_DEFAULT 8
#define DS_MAX_PORTS 16
#define DS_NET_LEASE_MAX 384 /* "lease A.B.C.D/N" and DS_MAX_PORTS ports */
#define DS_WAIT_DEFAULT 90   /* start --wait without a value: seconds */

/* One --bind-mount entry; src and dest share one allocation (freed with src). */
struct ds_bind {
	char *src;
	char *dest;
	int read_only;
};

struct ds_tty_info {
	int master;    /* stays in the monitor */
	int slave;     /* kept open so the master never sees a hang-up */
	char name[64]; /* host path of the slave, e.g. /dev/pts/3 */
};

/*
 * --net: the guest's network. host shares the host's namespace (the seed's
 * model); none and nat give init a network namespace of its own, nat with a
 * veth pair on droidspaces' bridge (host/nat.c). Addresses are IPv4 in host
 * byte order.
 */
enum ds_net_mode { DS_NET_HOST, DS_NET_NONE, DS_NET_NAT };
struct ds_cidr {
	unsigned addr; /* the network */
	int prefix;    /* 1-30; 0: not given */
};
/* --port HOST:GUEST[/tcp|udp] */
struct ds_port {
	unsigned short host, guest;
	int udp;
};
struct ds_ports {
	int count;
	struct ds_port p[DS_MAX_PORTS];
};

/*
 * The runtime state of one start: the fds, PTYs, loop device and PIDs the
 * parent prepares and the monitor holds while the container lives, and the
 * paths derived for it. Never saved, never read from the command line.
 */
struct ds_runtime {
	char uuid[DS_UUID_LEN + 1];
	char cgroup_rel[PATH_MAX];        /* droidspaces/<name> below each hierarchy */
	char loop_path[64];               /* --rootfs-img: the loop device attached by the parent */
	int loop_fd;                      /* held by the monitor while the container lives */
	int cg_claim_fd;                  /* the flock of cgroup_rel's claim (fs/cgroup.h), the monitor's */
	int loop_attached;                /* we attached it (a user's block device is left alone) */
	char image_mount[PATH_MAX];       /* --rootfs-img: /mnt/Droidspaces/<name> */
	char volatile_dir[PATH_MAX];      /* --volatile: <workspace>/Volatile/<name> */
	char dns_runtime[256];            /* --dns, else the host's resolvers (not saved) */
	int android;                      /* the host is Android (detected before the fork) */
	struct ds_cidr net_subnet;        /* nat: the bridge's network this start (--subnet, or chosen) */
	char net_lease[DS_NET_LEASE_MAX]; /* nat: the lease line of the claim (core/netopts.h) */
	int net_holds[1 + DS_MAX_PORTS];  /* nat: the lease's abstract names (host/nat.h), the monitor's */
	int net_hold_count;               /* how many of net_holds are open */
	pid_t container_pid;
	struct ds_tty_info console;
	struct ds_tty_info ttys[DS_MAX_TTYS];
	int rootfs_fd; /* --rootfs: O_PATH of the directory checked, used for the bind */
	int image_fd;  /* --rootfs-img: the image checked, flock'ed by the monitor */
	int shifted;   /* --private-users: the rootfs's ids are shifted on disk, no idmapped mount */
};

/*
 * Resource limits (--memory, --cpus, --pids-limit, --cpu-/--io-weight), written to
 * the container's cgroup before init runs. 0 everywhere means no limit.
 */
struct ds_limits {
	long long memory;     /* bytes of RAM; swap is held to the same where the kernel can */
	int cpus_milli;       /* thousandths of a CPU: the quota per 100 ms period */
	int pids;             /* tasks (processes and threads) */
	int cpu_weight;       /* 1-10000, cgroup2's scale (100 is the default share) */
	int io_weight;        /* 1-10000, the same scale, for block I/O */
	char cpuset_cpus[64]; /* the CPUs its tasks may run on ("0-3,6"); "": the parent's */
	char cpuset_mems[64]; /* the memory nodes, the same */
	/* OCI's linux.resources only (not settings): exact where cpus_milli rounds, and v1's extras. */
	long long cpu_quota_us; /* > 0: the quota per cpu_period_us, used instead of cpus_milli */
	int cpu_period_us;      /* the quota's period; 0: 100000 (100 ms) */
	long long memory_low;   /* > 0: reservation (v1 memory.soft_limit_in_bytes, cgroup2 memory.low) */
	int has_swappiness;     /* swappiness given (v1 only: cgroup2 has none) */
	int swappiness;         /* 0-100 */
	int oom_kill_disable;   /* v1 memory.oom_control (cgroup2 has none) */
};

/*
 * --private-users: init in a user namespace of its own, guest root an
 * unprivileged range of host ids (core/userns.c). auto is resolved to a range
 * from the workspace's registry at start, and the range is what is saved.
 */
enum ds_userns_mode { DS_USERNS_OFF, DS_USERNS_AUTO, DS_USERNS_FIXED };
struct ds_userns {
	int mode;      /* enum ds_userns_mode */
	unsigned base; /* first host id: guest uid/gid 0 */
	unsigned size; /* ids mapped: base .. base + size - 1 */
};

/*
 * How the rootfs's files become guest root's: an idmapped mount (map), or
 * a one-time shift of their ids on disk (chown), auto: map where the kernel
 * and the filesystem can, else chown.
 */
enum ds_userns_ownership { DS_OWN_AUTO, DS_OWN_MAP, DS_OWN_CHOWN };

/*
 * The saved record of a shift (private_users_shift): the ids on disk are
 * those of the range base:size (SHIFTED), or a walk from from to base was
 * started and may not have finished (SHIFTING). NONE: the ids are the
 * rootfs's own (0..).
 */
enum ds_shift_state { DS_SHIFT_NONE, DS_SHIFT_SHIFTING, DS_SHIFT_SHIFTED };
struct ds_userns_shift {
	int state;     /* enum ds_shift_state */
	unsigned from; /* SHIFTING: the base the walk started from (0: unshifted) */
	unsigned base, size;
};

/*
 * What the user asked for: the options of the command line and the keys of
 * a saved container.config, one row each in core/settings.c. The set-mask
 * says which rows were given, so that a merge knows what wins.
 */
struct ds_settings {
	char rootfs_path[PATH_MAX];     /* --rootfs, made absolute */
	char rootfs_img_path[PATH_MAX]; /* --rootfs-img */
	char hostname[DS_NAME_MAX + 1]; /* --hostname, defaults to the name */
	char dns[256];                  /* --dns a,b */
	char config_file[PATH_MAX];     /* --config */
	struct ds_bind *binds;          /* malloc'd, bind_count entries; ds_settings_free */
	int bind_count;
	int foreground;
	int hw_access;
	int enable_ipv6;
	int android_storage;
	int selinux_permissive;
	unsigned privileged;          /* --privileged: DS_PRIV_* pieces of the confinement turned off */
	unsigned long long keep_caps; /* --keep-caps, --keep-net-admin: bits of the dropped capabilities kept */
	int volatile_mode;
	int stop_timeout; /* seconds before SIGKILL */
	int tty_count;    /* --ttys, 0..DS_MAX_TTYS */
	struct ds_limits limits;
	struct ds_userns userns;      /* --private-users */
	int userns_ownership;         /* enum ds_userns_ownership: --private-users-ownership */
	struct ds_userns_shift shift; /* the record of a chown shift of the rootfs */
	int net_mode;                 /* --net: enum ds_net_mode */
	struct ds_cidr subnet;        /* --subnet (nat): the bridge's network; empty: chosen at start */
	unsigned net_addr;            /* nat: the guest's address, chosen at the first start and kept */
	struct ds_ports ports;        /* --port (nat) */
	unsigned long long set;       /* bit i: row i of the settings table was given (the set-mask) */
};

static inline void ds_settings_init(struct ds_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->stop_timeout = DS_STOP_TIMEOUT_DEFAULT;
}

struct ds_config {
	struct ds_settings settings;
	char container_name[DS_NAME_MAX + 1];
	char pidfile[PATH_MAX]; /* --pidfile or <workspace>/Pids/<name>.pid */

	/* Where it lives, derived at run time. */
	char workspace[PATH_MAX];

	struct ds_runtime rt; /* one start's state: empty outside start and the monitor */
};

/* What the container boots from, as the user gave it: the directory, or the image file. */
static inline const char *ds_rootfs_source(const struct ds_settings *s)
{
	return s->rootfs_path[0] ? s->rootfs_path : s->rootfs_img_path;
}
