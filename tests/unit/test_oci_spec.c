/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/oci/spec.c: config.json into struct ds_oci_spec. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci/seccomp.h"
#include "oci/spec.h"
#include "util/jsonparse.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

static const char full[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"unknownTop\":{\"x\":[1,2]},"
	"\"process\":{\"terminal\":true,\"user\":{\"uid\":1000,\"gid\":100,\"additionalGids\":[5,27],\"umask\":18},"
	"\"args\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH=/bin\",\"EMPTY=\"],\"cwd\":\"/home\","
	"\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],\"effective\":[\"CAP_KILL\"],"
	"\"permitted\":[],\"ambient\":[\"CAP_CHECKPOINT_RESTORE\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024},{\"type\":\"RLIMIT_CORE\",\"hard\":"
	"18446744073709551615,\"soft\":0}],"
	"\"noNewPrivileges\":true,\"oomScoreAdj\":-100,\"apparmorProfile\":\"x\"},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"box\","
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]}],"
	"\"linux\":{\"resources\":{\"memory\":{\"limit\":536870912,\"swap\":1,\"reservation\":268435456,"
	"\"swappiness\":0,\"disableOOMKiller\":true},\"pids\":{\"limit\":100},"
	"\"cpu\":{\"quota\":50000,\"period\":100000,\"shares\":512}},"
	"\"cgroupsPath\":\"/ds/test\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},{\"type\":\"mount\"}],"
	"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536},"
	"{\"containerID\":65536,\"hostID\":4294901760,\"size\":65536}],"
	"\"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":1}],"
	"\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,\"fileMode\":438,"
	"\"uid\":0,\"gid\":5},{\"path\":\"/dev/fifo\",\"type\":\"p\"}],"
	"\"rootfsPropagation\":\"rslave\",\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\",\"/proc/bus\"],\"seccomp\":null},"
	"\"annotations\":{\"a\":\"b\"},"
	"\"hooks\":{\"prestart\":[{\"path\":\"/bin/a\",\"args\":[\"a\",\"-x\"],\"env\":[\"K=v\"],\"timeout\":5},"
	"{\"path\":\"/bin/b\"}],\"poststop\":[{\"path\":\"/bin/c\"}],\"unknownPoint\":7}}";

static void test_oci_spec_full(void **state)
{
	(void)state;
	struct ds_oci_spec s;
	struct ds_error err = { 0 };
	int r = ds_oci_spec_parse(full, strlen(full), &s, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(s.oci_version, "1.0.2-dev");
	assert_string_equal(s.root_path, "rootfs");
	assert_true(s.root_readonly);
	assert_true(s.has_process);
	const struct ds_oci_process *p = &s.process;
	assert_true(p->terminal);
	assert_int_equal(p->n_args, 3);
	assert_string_equal(p->args[2], "echo hi");
	assert_null(p->args[3]);
	assert_int_equal(p->n_env, 2);
	assert_string_equal(p->env[1], "EMPTY=");
	assert_string_equal(p->cwd, "/home");
	assert_int_equal(p->uid, 1000);
	assert_int_equal(p->gid, 100);
	assert_int_equal(p->n_additional_gids, 2);
	assert_int_equal(p->additional_gids[1], 27);
	assert_true(p->has_caps[DS_OCI_CAP_BOUNDING] && !p->has_caps[DS_OCI_CAP_INHERITABLE]);
	assert_true(p->caps[DS_OCI_CAP_BOUNDING] == ((1ULL << CAP_KILL) | (1ULL << CAP_CHOWN)));
	assert_true(p->caps[DS_OCI_CAP_EFFECTIVE] == 1ULL << CAP_KILL);
	assert_true(p->has_caps[DS_OCI_CAP_PERMITTED] && p->caps[DS_OCI_CAP_PERMITTED] == 0);
	assert_true(p->caps[DS_OCI_CAP_AMBIENT] == 1ULL << 40);
	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_true(p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 2048);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
	assert_true(p->rlimits[1].hard == ULLONG_MAX);
	assert_true(p->no_new_privileges);
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -100);
	assert_string_equal(s.hostname, "box");
	assert_int_equal(s.n_mounts, 2);
	assert_string_equal(s.mounts[0].destination, "/proc");
	assert_int_equal(s.mounts[0].n_options, 0);
	assert_string_equal(s.mounts[1].source, "/srv");
	assert_string_equal(s.mounts[1].options[1], "ro");
	assert_true(s.ns_wanted[DS_OCI_NS_PID] && !s.ns_path[DS_OCI_NS_PID]);
	assert_string_equal(s.ns_path[DS_OCI_NS_NETWORK], "/proc/1/ns/net");
	assert_true(s.ns_wanted[DS_OCI_NS_MOUNT] && !s.ns_wanted[DS_OCI_NS_UTS]);
	assert_int_equal(s.n_masked_paths, 1);
	assert_int_equal(s.n_readonly_paths, 2);
	assert_string_equal(s.readonly_paths[1], "/proc/bus");
	assert_true(s.resources.has_memory_limit && s.resources.memory_limit == 536870912);
	assert_true(s.resources.has_pids_limit && s.resources.pids_limit == 100);
	assert_true(s.resources.cpu_quota == 50000 && s.resources.cpu_period == 100000);
	assert_true(s.resources.cpu_shares == 512);
	assert_true(s.resources.has_memory_reservation && s.resources.memory_reservation == 268435456);
	assert_true(s.resources.has_swappiness && s.resources.swappiness == 0 && s.resources.disable_oom_killer);
	assert_string_equal(s.cgroups_path, "/ds/test");
	assert_int_equal(s.n_sysctl, 1);
	assert_string_equal(s.sysctl[0].key, "net.ipv4.ip_forward");
	assert_string_equal(s.sysctl[0].value, "1");
	assert_int_equal(s.n_annotations, 1);
	assert_string_equal(ds_oci_ns_name(DS_OCI_NS_NETWORK), "network");
	assert_true(s.rootfs_propagation == (MS_SLAVE | MS_REC));
	assert_int_equal(s.n_uid_mappings, 2);
	assert_true(s.uid_mappings[0].container_id == 0 && s.uid_mappings[0].host_id == 100000 &&
		    s.uid_mappings[0].size == 65536);
	assert_true(s.uid_mappings[1].container_id == 65536 && s.uid_mappings[1].host_id == 4294901760u);
	assert_int_equal(s.n_gid_mappings, 1);
	assert_true(s.gid_mappings[0].host_id == 200000 && s.gid_mappings[0].size == 1);
	assert_int_equal(s.n_devices, 2);
	assert_string_equal(s.devices[0].path, "/dev/fuse");
	assert_int_equal(s.devices[0].mode, 020666);
	assert_true(s.devices[0].major == 10 && s.devices[0].minor == 229);
	assert_true(s.devices[0].has_gid && s.devices[0].gid == 5 && s.devices[0].has_uid);
	assert_int_equal(s.devices[1].mode, 010666);
	assert_false(s.devices[1].has_uid);
	assert_int_equal(s.n_hooks[DS_OCI_HOOK_PRESTART], 2);
	const struct ds_oci_hook *h = s.hooks[DS_OCI_HOOK_PRESTART];
	assert_string_equal(h[0].path, "/bin/a");
	assert_int_equal(h[0].n_args, 2);
	assert_string_equal(h[0].args[1], "-x");
	assert_null(h[0].args[2]);
	assert_string_equal(h[0].env[0], "K=v");
	assert_int_equal(h[0].timeout, 5);
	assert_null(h[1].args);
	assert_null(h[1].env);
	assert_int_equal(h[1].timeout, 0);
	assert_int_equal(s.n_hooks[DS_OCI_HOOK_CREATE_RUNTIME], 0);
	assert_int_equal(s.n_hooks[DS_OCI_HOOK_POSTSTOP], 1);
	assert_string_equal(ds_oci_hook_name(DS_OCI_HOOK_START_CONTAINER), "startContainer");
	ds_oci_spec_free(&s);
}

/* The least config.json: no process (create needs one, state does not), defaults elsewhere. */
static void test_oci_spec_minimal(void **state)
{
	(void)state;
	static const char text[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/r\"},\"hostname\":null}";
	struct ds_oci_spec s;
	struct ds_error err = { 0 };
	assert_int_equal(ds_oci_spec_parse(text, strlen(text), &s, &err), 0);
	assert_false(s.has_process);
	assert_false(s.root_readonly);
	assert_null(s.hostname);
	assert_int_equal(s.n_mounts, 0);
	assert_false(s.resources.has_memory_limit);
	ds_oci_spec_free(&s);
}

#define BASE "\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}"
#define PROC(x) "{" BASE ",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"," x "}}"
#define LINUX(x) "{" BASE ",\"linux\":{" x "}}"

static const struct {
	const char *text, *msg;
} invalid[] = {
	{ "{\"ociVersion\":1}", "config.json: ociVersion: expected a string, got a number" },
	{ "{\"root\":{\"path\":\"r\"}}", "config.json: ociVersion: missing" },
	{ "{\"ociVersion\":\"1\"}", "config.json: root: missing" },
	{ "{\"ociVersion\":\"1\",\"root\":[]}", "config.json: root: expected an object, got an array" },
	{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"\"}}", "config.json: root.path: empty" },
	{ "{" BASE ",\"root\":{}}", "config.json: line 1 column 1: duplicate key \"root\"" },
	{ "[1]", "config.json: (top level): expected an object, got an array" },
	{ "{" BASE ",\"process\":{\"cwd\":\"/\"}}", "config.json: process.args: missing or empty" },
	{ "{" BASE ",\"process\":{\"args\":[\"sh\"]}}", "config.json: process.cwd: missing" },
	{ PROC("\"args\":[\"sh\",1]"), "duplicate key \"args\"" },
	{ "{" BASE ",\"process\":{\"args\":[\"sh\",1],\"cwd\":\"/\"}}",
	  "config.json: process.args[1]: expected a string, got a number" },
	{ "{" BASE ",\"process\":{\"args\":[\"sh\\u0000x\"],\"cwd\":\"/\"}}",
	  "config.json: process.args[0]: a NUL character in the string" },
	{ "{" BASE ",\"process\":{\"args\":[\"sh\"],\"cwd\":\"home\"}}",
	  "config.json: process.cwd: \"home\" is not an absolute path" },
	{ PROC("\"terminal\":\"yes\""), "config.json: process.terminal: expected a boolean, got a string" },
	{ PROC("\"env\":[\"NOEQUALS\"]"), "config.json: process.env[0]: \"NOEQUALS\" is not NAME=VALUE" },
	{ PROC("\"env\":[\"=x\"]"), "config.json: process.env[0]: \"=x\" is not NAME=VALUE" },
	{ PROC("\"env\":\"A=1\""), "config.json: process.env: expected an array, got a string" },
	{ PROC("\"user\":{\"uid\":-1}"), "config.json: process.user.uid: -1 is out of range" },
	{ PROC("\"user\":{\"uid\":1.5}"), "config.json: process.user.uid: expected an integer, got 1.5" },
	{ PROC("\"user\":{\"gid\":\"0\"}"), "config.json: process.user.gid: expected a number, got a string" },
	{ PROC("\"user\":{\"additionalGids\":[1,\"2\"]}"),
	  "config.json: process.user.additionalGids[1]: expected a number, got a string" },
	{ PROC("\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}"),
	  "config.json: process.capabilities.bounding[0]: unknown capability \"CAP_NOPE\"" },
	{ PROC("\"capabilities\":{\"effective\":\"CAP_KILL\"}"),
	  "config.json: process.capabilities.effective: expected an array, got a string" },
	{ PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOPE\",\"soft\":1,\"hard\":1}]"),
	  "config.json: process.rlimits[0].type: unknown limit \"RLIMIT_NOPE\"" },
	{ PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]"),
	  "config.json: process.rlimits[0]: the soft limit 2 is above the hard limit 1" },
	{ PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":-2,\"hard\":1}]"),
	  "config.json: process.rlimits[0].soft: -2 is out of range" },
	{ PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\"},{\"type\":\"RLIMIT_NOFILE\"}]"),
	  "config.json: process.rlimits[1]: RLIMIT_NOFILE is set twice" },
	{ PROC("\"oomScoreAdj\":1001"), "config.json: process.oomScoreAdj: 1001 is out of range (-1000 to 1000)" },
	{ PROC("\"noNewPrivileges\":1"), "config.json: process.noNewPrivileges: expected a boolean, got a number" },
	{ "{" BASE ",\"hostname\":[]}", "config.json: hostname: expected a string, got an array" },
	{ "{" BASE ",\"mounts\":{}}", "config.json: mounts: expected an array, got an object" },
	{ "{" BASE ",\"mounts\":[{\"type\":\"proc\"}]}", "config.json: mounts[0].destination: missing" },
	{ "{" BASE ",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"b\"}]}",
	  "config.json: mounts[1].destination: \"b\" is not an absolute path" },
	{ "{" BASE ",\"mounts\":[{\"destination\":\"/a\",\"options\":[\"ro\",true]}]}",
	  "config.json: mounts[0].options[1]: expected a string, got a boolean" },
	{ LINUX("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"bogus\"}]"),
	  "config.json: linux.namespaces[1]: unknown namespace type \"bogus\"" },
	{ LINUX("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]"),
	  "config.json: linux.namespaces[1]: namespace type \"pid\" listed twice" },
	{ LINUX("\"namespaces\":[{\"path\":\"/x\"}]"), "config.json: linux.namespaces[0].type: missing" },
	{ LINUX("\"namespaces\":[{\"type\":\"net\"}]"), "unknown namespace type \"net\"" },
	{ LINUX("\"namespaces\":[{\"type\":\"network\",\"path\":\"x\"}]"),
	  "config.json: linux.namespaces[0].path: \"x\" is not an absolute path" },
	{ LINUX("\"uidMappings\":{}"), "config.json: linux.uidMappings: expected an array, got an object" },
	{ LINUX("\"uidMappings\":[{\"containerID\":0,\"hostID\":1}]"),
	  "config.json: linux.uidMappings[0]: needs containerID, hostID and size" },
	{ LINUX("\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":0}]"),
	  "config.json: linux.gidMappings[0].size: 0 is out of range" },
	{ LINUX("\"gidMappings\":[{\"containerID\":-1,\"hostID\":1,\"size\":1}]"),
	  "config.json: linux.gidMappings[0].containerID: -1 is out of range" },
	{ LINUX("\"uidMappings\":[{\"containerID\":0,\"hostID\":4294967295,\"size\":2}]"),
	  "config.json: linux.uidMappings[0]: the range ends past 4294967295" },
	{ LINUX("\"uidMappings\":[{\"containerID\":\"0\",\"hostID\":1,\"size\":1}]"),
	  "config.json: linux.uidMappings[0].containerID: expected a number, got a string" },
	{ LINUX("\"maskedPaths\":[1]"), "config.json: linux.maskedPaths[0]: expected a string, got a number" },
	{ LINUX("\"readonlyPaths\":{}"), "config.json: linux.readonlyPaths: expected an array, got an object" },
	{ LINUX("\"resources\":{\"memory\":{\"limit\":\"1G\"}}"),
	  "config.json: linux.resources.memory.limit: expected a number, got a string" },
	{ LINUX("\"resources\":{\"memory\":{\"limit\":-2}}"), "config.json: linux.resources.memory.limit: -2 is out" },
	{ LINUX("\"resources\":{\"memory\":{\"swappiness\":101}}"),
	  "config.json: linux.resources.memory.swappiness: 101 is out" },
	{ LINUX("\"resources\":{\"memory\":{\"disableOOMKiller\":1}}"),
	  "config.json: linux.resources.memory.disableOOMKiller: expected a boolean, got a number" },
	{ LINUX("\"resources\":{\"pids\":[]}"), "config.json: linux.resources.pids: expected an object, got an array" },
	{ LINUX("\"resources\":{\"cpu\":{\"period\":-1}}"), "config.json: linux.resources.cpu.period: -1 is out" },
	{ LINUX("\"resources\":{\"cpu\":{\"shares\":1e3}}"),
	  "config.json: linux.resources.cpu.shares: expected an integer, got 1e3" },
	{ LINUX("\"cgroupsPath\":7"), "config.json: linux.cgroupsPath: expected a string, got a number" },
	{ LINUX("\"sysctl\":{\"kernel.x\":1}"), "config.json: linux.sysctl.kernel.x: expected a string, got a number" },
	{ "{" BASE ",\"annotations\":{\"a\":{}}}", "config.json: annotations.a: expected a string, got an object" },
	{ LINUX("\"devices\":[{\"path\":\"dev/x\",\"type\":\"c\"}]"),
	  "config.json: linux.devices[0].path: \"dev/x\" is not an absolute path" },
	{ LINUX("\"devices\":[{\"path\":\"/dev/x\",\"type\":\"s\",\"major\":1,\"minor\":1}]"),
	  "config.json: linux.devices[0].type: unknown device type \"s\" (c, u, b or p)" },
	{ LINUX("\"devices\":[{\"path\":\"/dev/x\",\"type\":\"b\",\"major\":8}]"),
	  "config.json: linux.devices[0]: a b device needs major and minor" },
	{ LINUX("\"devices\":[{\"path\":\"/dev/x\",\"type\":\"p\",\"fileMode\":65535}]"),
	  "config.json: linux.devices[0].fileMode: 65535 is out of range" },
	{ LINUX("\"rootfsPropagation\":\"slaved\""),
	  "config.json: linux.rootfsPropagation: unknown propagation \"slaved\"" },
	{ LINUX("\"rootfsPropagation\":1"), "config.json: linux.rootfsPropagation: expected a string, got a number" },
	{ "{" BASE ",\"hooks\":[]}", "config.json: hooks: expected an object, got an array" },
	{ "{" BASE ",\"hooks\":{\"prestart\":{}}}", "config.json: hooks.prestart: expected an array, got an object" },
	{ "{" BASE ",\"hooks\":{\"poststart\":[{}]}}", "config.json: hooks.poststart[0].path: missing" },
	{ "{" BASE ",\"hooks\":{\"createRuntime\":[{\"path\":\"true\"}]}}",
	  "config.json: hooks.createRuntime[0].path: \"true\" is not an absolute path" },
	{ "{" BASE ",\"hooks\":{\"createContainer\":[{\"path\":\"/t\",\"args\":[1]}]}}",
	  "config.json: hooks.createContainer[0].args[0]: expected a string, got a number" },
	{ "{" BASE ",\"hooks\":{\"startContainer\":[{\"path\":\"/t\",\"timeout\":0}]}}",
	  "config.json: hooks.startContainer[0].timeout: 0 is out of range (1 to 2147483647)" },
	{ "{" BASE ",\"hooks\":{\"poststop\":[{\"path\":\"/t\"},{\"path\":\"/t\",\"env\":\"A=1\"}]}}",
	  "config.json: hooks.poststop[1].env: expected an array, got a string" },
	{ LINUX("\"resources\":{\"devices\":[{\"access\":\"r\"}]}"),
	  "config.json: linux.resources.devices[0].allow: missing" },
	{ LINUX("\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"p\"}]}"),
	  "config.json: linux.resources.devices[0].type: unknown device type \"p\" (a, c or b)" },
	{ LINUX("\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rr\"}]}"),
	  "config.json: linux.resources.devices[0].access: \"rr\" is not a combination of r, w and m" },
	{ LINUX("\"resources\":{\"devices\":[{\"allow\":true,\"major\":-2}]}"),
	  "config.json: linux.resources.devices[0].major: -2 is out of range" },
	{ LINUX("\"resources\":{\"cpu\":{\"mems\":\"0 1\"}}"),
	  "config.json: linux.resources.cpu.mems: \"0 1\" is not a list like 0-3,6" },
	{ LINUX("\"seccomp\":[]"), "config.json: linux.seccomp: expected an object, got an array" },
	{ LINUX("\"seccomp\":{}"), "config.json: linux.seccomp.defaultAction: missing" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}"),
	  "config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}"),
	  "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY (a seccomp agent) is not supported" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":65536}"),
	  "config.json: linux.seccomp.defaultErrnoRet: 65536 is out of range" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}"),
	  "config.json: linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}"),
	  "config.json: linux.seccomp.flags[0]: unsupported flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/agent\"}"),
	  "config.json: linux.seccomp.listenerPath: a seccomp agent is not supported" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_KILL\"}]}"),
	  "config.json: linux.seccomp.syscalls[0].names: missing" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]}]}"),
	  "config.json: linux.seccomp.syscalls[0].action: missing" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\",2],"
		"\"action\":\"SCMP_ACT_KILL\"}]}"),
	  "config.json: linux.seccomp.syscalls[0].names[1]: expected a string, got a number" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	  "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_LIKE\"}]}]}"),
	  "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_LIKE\"" },
	{ LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	  "config.json: linux.seccomp.syscalls[0].args[0]: index: missing" },
	{ "{" BASE ",}", "config.json: line 1 column 39: unexpected '}', expected a key (a string)" },
};

static void test_oci_spec_invalid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct ds_oci_spec s;
		struct ds_error err = { 0 };
		int r = ds_oci_spec_parse(invalid[i].text, strlen(invalid[i].text), &s, &err);
		if (r != DS_EINVAL_MSG)
			fail_msg("invalid[%zu] %s: r=%d", i, invalid[i].text, r);
		if (!strstr(err.msg, invalid[i].msg))
			fail_msg("invalid[%zu] %s: message \"%s\" lacks \"%s\"", i, invalid[i].text, err.msg,
				 invalid[i].msg);
		assert_null(strchr(err.msg, '\n'));
		ds_oci_spec_free(&s);
	}
}

/* linux.seccomp: actions with their errno, architectures, flags, names (unknown ones kept for the compiler to skip). */
static void test_oci_spec_seccomp(void **state)
{
	(void)state;
	static const char text[] = LINUX(
		"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\",\"SCMP_ARCH_AARCH64\","
		"\"SCMP_ARCH_ARM\",\"SCMP_ARCH_PPC64LE\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
		"\"syscalls\":[{\"names\":[\"read\",\"no_such_syscall\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		"{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":["
		"{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"},"
		"{\"index\":1,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_NE\"}]}]}");
	struct ds_oci_spec s;
	struct ds_error err = { 0 };
	if (ds_oci_spec_parse(text, strlen(text), &s, &err) < 0)
		fail_msg("%s", err.msg);
	const struct ds_oci_seccomp *sc = &s.seccomp;
	assert_true(sc->present);
	assert_int_equal(sc->flags, SECCOMP_FILTER_FLAG_LOG);
	assert_int_equal(sc->policy.default_ret, SECCOMP_RET_ERRNO | 38);
	assert_int_equal(sc->policy.abis, (1u << DS_ABI_64) | (1u << DS_ABI_32));
	assert_int_equal(sc->policy.n_rules, 7);
	const struct ds_seccomp_rule *r = sc->policy.rules;
	assert_string_equal(r[0].name, "read");
	assert_int_equal(r[0].ret, SECCOMP_RET_ALLOW);
	assert_string_equal(r[1].name, "no_such_syscall");
	assert_int_equal(r[2].ret, SECCOMP_RET_ERRNO | EPERM); /* errnoRet absent: EPERM, as runc */
	assert_int_equal(r[3].ret, SECCOMP_RET_TRACE | 7);
	/* arg 0 twice: one rule per condition, either may match */
	assert_string_equal(r[4].name, "personality");
	assert_string_equal(r[5].name, "personality");
	assert_int_equal(r[4].n_conds, 1);
	assert_int_equal(r[5].conds[0].value, 8);
	assert_int_equal(r[5].conds[0].op, DS_SECCOMP_EQ);
	/* two arguments: one rule, both conditions; MASKED_EQ's value is the mask */
	assert_int_equal(r[6].ret, SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(r[6].n_conds, 2);
	assert_int_equal(r[6].conds[0].op, DS_SECCOMP_MASKED_EQ);
	assert_int_equal(r[6].conds[0].mask, 2114060288);
	assert_int_equal(r[6].conds[0].value, 0);
	assert_int_equal(r[6].conds[1].arg, 1);
	assert_true(r[6].conds[1].value == UINT64_MAX);
	ds_oci_spec_free(&s);
	/* absent: no filter */
	ds_oci_spec_free(&s);
	static const char res[] =
		LINUX("\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
		      "\"major\":1,\"minor\":11,\"access\":\"rm\"},{\"allow\":true,\"type\":\"b\",\"major\":-1}],"
		      "\"cpu\":{\"cpus\":\"0-1,3\",\"mems\":\"\"}}");
	if (ds_oci_spec_parse(res, strlen(res), &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s.resources.n_devices, 3);
	const struct ds_dev_access *d = s.resources.devices;
	assert_true(d[0].type == 'a' && d[0].major == -1 && d[0].minor == -1 && d[0].access == 7 && !d[0].allow);
	assert_true(d[1].type == 'c' && d[1].major == 1 && d[1].minor == 11 && d[1].allow);
	assert_int_equal(d[1].access, DS_DEV_READ | DS_DEV_MKNOD);
	assert_true(d[2].type == 'b' && d[2].major == -1 && d[2].access == 7);
	assert_string_equal(s.resources.cpuset_cpus, "0-1,3");
	assert_null(s.resources.cpuset_mems);
	ds_oci_spec_free(&s);
	static const char none[] = LINUX("\"seccomp\":null");
	assert_int_equal(ds_oci_spec_parse(none, strlen(none), &s, &err), 0);
	assert_false(s.seccomp.present);
	ds_oci_spec_free(&s);
}

/* The names of features' array v, joined as JSON strings ("\"a\",\"b\""), in out. */
static size_t joined(const struct ds_jval *v, char *out, size_t size)
{
	size_t n = 0, len = 0;
	assert_non_null(v);
	assert_int_equal(v->type, DS_JARRAY);
	out[0] = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, n++)
		len += (size_t)snprintf(out + len, size - len, "%s\"%s\"", n ? "," : "", ds_jstr(m));
	assert_true(len < size);
	return n;
}

/* features' linux.seccomp: every action, operator, architecture and flag it names is one config.json takes. */
static void test_oci_seccomp_features(void **state)
{
	(void)state;
	char *text = NULL, list[1024], cfg[4096];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct ds_json j;
	ds_json_init(&j, f);
	ds_json_object_begin(&j, NULL);
	ds_oci_seccomp_features(&j);
	ds_json_object_end(&j);
	fclose(f);
	struct ds_jdoc doc = { 0 };
	struct ds_error err = { 0 };
	if (ds_json_parse(text, size, &doc, &err) < 0)
		fail_msg("%s: %s", text, err.msg);
	const struct ds_jval *sc = ds_jget(doc.root, "seccomp");
	assert_true(ds_jget(sc, "enabled")->boolean);
	assert_null(strstr(text, "SCMP_ACT_NOTIFY")); /* no seccomp agent */
	const struct ds_jval *actions = ds_jget(sc, "actions"), *ops = ds_jget(sc, "operators");
	assert_int_equal(joined(actions, list, sizeof(list)), 8);
	assert_int_equal(joined(ops, list, sizeof(list)), 7);
	for (const struct ds_jval *a = actions->head; a; a = a->next)
		for (const struct ds_jval *o = ops->head; o; o = o->next) {
			snprintf(cfg, sizeof(cfg),
				 LINUX("\"seccomp\":{\"defaultAction\":\"%s\",\"syscalls\":[{\"names\":[\"read\"],"
				       "\"action\":\"%s\",\"args\":[{\"index\":1,\"value\":1,\"op\":\"%s\"}]}]}"),
				 ds_jstr(a), ds_jstr(a), ds_jstr(o));
			struct ds_oci_spec s;
			if (ds_oci_spec_parse(cfg, strlen(cfg), &s, &err) < 0)
				fail_msg("%s: %s", cfg, err.msg);
			assert_int_equal(s.seccomp.policy.n_rules, 1);
			ds_oci_spec_free(&s);
		}
	/* The architectures: this build's own ABI filtered with its numbers; flags: those supported are known. */
	char flags[512];
	assert_true(joined(ds_jget(sc, "archs"), list, sizeof(list)) >= 1);
	assert_int_equal(joined(ds_jget(sc, "knownFlags"), flags, sizeof(flags)), 3);
	snprintf(cfg, sizeof(cfg),
		 LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[%s],\"flags\":[%s]}"),
		 list, flags);
	struct ds_oci_spec s;
	if (ds_oci_spec_parse(cfg, strlen(cfg), &s, &err) < 0)
		fail_msg("%s: %s", cfg, err.msg);
	assert_true(s.seccomp.policy.abis & (1u << DS_ABI_64));
	ds_oci_spec_free(&s);
	for (const struct ds_jval *m = ds_jget(sc, "supportedFlags")->head; m; m = m->next)
		assert_non_null(strstr(flags, ds_jstr(m)));
	ds_jdoc_free(&doc);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_spec_full),          cmocka_unit_test(test_oci_spec_minimal),
		cmocka_unit_test(test_oci_spec_invalid_table), cmocka_unit_test(test_oci_spec_seccomp),
		cmocka_unit_test(test_oci_seccomp_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
