/* SPDX-License-Identifier: GPL-3.0-or-later */
/* linux.seccomp into a ds_seccomp_policy (see seccomp.h). */
#include "oci/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "oci/field.h"
#include "util/macros.h"

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

/* The actions, with whether errnoRet (EPERM when absent, as runc) is their data. */
static const struct {
	const char *name;
	uint32_t ret;
	int takes_errno;
} actions[] = {
	{ "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, 0 },
	{ "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, 0 },
	{ "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, 0 },
	{ "SCMP_ACT_TRAP", SECCOMP_RET_TRAP, 0 },
	{ "SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, 1 },
	{ "SCMP_ACT_TRACE", SECCOMP_RET_TRACE, 1 },
	{ "SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, 0 },
	{ "SCMP_ACT_LOG", SECCOMP_RET_LOG, 0 },
};

static const struct {
	const char *name;
	enum ds_seccomp_op op;
} ops[] = {
	{ "SCMP_CMP_NE", DS_SECCOMP_NE },
	{ "SCMP_CMP_LT", DS_SECCOMP_LT },
	{ "SCMP_CMP_LE", DS_SECCOMP_LE },
	{ "SCMP_CMP_EQ", DS_SECCOMP_EQ },
	{ "SCMP_CMP_GE", DS_SECCOMP_GE },
	{ "SCMP_CMP_GT", DS_SECCOMP_GT },
	{ "SCMP_CMP_MASKED_EQ", DS_SECCOMP_MASKED_EQ },
};

/* libseccomp's architecture names; those outside this build's kernel family are taken and left out. */
static const struct {
	const char *name;
	uint32_t arch; /* AUDIT_ARCH_*, 0: no ABI of a family droidspaces builds for (x32: refused whole) */
} arches[] = {
	{ "SCMP_ARCH_X86", AUDIT_ARCH_I386 },
	{ "SCMP_ARCH_X86_64", AUDIT_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", 0 },
	{ "SCMP_ARCH_ARM", AUDIT_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", AUDIT_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", 0 },
	{ "SCMP_ARCH_MIPS64", 0 },
	{ "SCMP_ARCH_MIPS64N32", 0 },
	{ "SCMP_ARCH_MIPSEL", 0 },
	{ "SCMP_ARCH_MIPSEL64", 0 },
	{ "SCMP_ARCH_MIPSEL64N32", 0 },
	{ "SCMP_ARCH_PPC", 0 },
	{ "SCMP_ARCH_PPC64", 0 },
	{ "SCMP_ARCH_PPC64LE", 0 },
	{ "SCMP_ARCH_S390", 0 },
	{ "SCMP_ARCH_S390X", 0 },
	{ "SCMP_ARCH_PARISC", 0 },
	{ "SCMP_ARCH_PARISC64", 0 },
	{ "SCMP_ARCH_RISCV64", 0 },
	{ "SCMP_ARCH_LOONGARCH64", 0 },
	{ "SCMP_ARCH_M68K", 0 },
	{ "SCMP_ARCH_SH", 0 },
	{ "SCMP_ARCH_SHEB", 0 },
};

static const struct {
	const char *name;
	unsigned flag;
} flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

/* obj.action (required) with obj.errnoRet_key: the SECCOMP_RET_* value. */
static int read_action(const struct ds_jval *obj, const char *action_key, const char *errno_key, const char *parent,
		       uint32_t *ret, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const char *name = NULL;
	long long e = EPERM;
	int r = ds_oci_get_string(obj, action_key, parent, 1, &name, err);
	if (r < 0 || (r = ds_oci_get_int(obj, errno_key, parent, 0, 0xffff, &e, NULL, err)) < 0)
		return r;
	ds_oci_path_join(path, parent, action_key);
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return ds_oci_bad(err, path, "SCMP_ACT_NOTIFY (a seccomp agent) is not supported");
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(name, actions[i].name)) {
			*ret = actions[i].ret | (actions[i].takes_errno ? (uint32_t)e : 0);
			return 0;
		}
	return ds_oci_bad(err, path, "unknown action \"%.40s\"", name);
}

/* One entry of args into a condition. */
static int read_cond(const struct ds_jval *a, const char *item, struct ds_seccomp_cond *c, struct ds_error *err)
{
	long long index = 0;
	unsigned long long value = 0, two = 0;
	int has_index = 0;
	const char *op = NULL;
	int r = ds_oci_want(a, DS_JOBJECT, item, err);
	if (r < 0 || (r = ds_oci_get_int(a, "index", item, 0, 5, &index, &has_index, err)) < 0 ||
	    (r = ds_oci_get_uint(a, "value", item, UINT64_MAX, &value, NULL, err)) < 0 ||
	    (r = ds_oci_get_uint(a, "valueTwo", item, UINT64_MAX, &two, NULL, err)) < 0 ||
	    (r = ds_oci_get_string(a, "op", item, 1, &op, err)) < 0)
		return r;
	if (!has_index)
		return ds_oci_bad(err, item, "index: missing");
	size_t i = 0;
	while (i < ARRAY_SIZE(ops) && strcmp(op, ops[i].name))
		i++;
	if (i == ARRAY_SIZE(ops)) {
		char path[DS_OCI_PATH_LEN];
		ds_oci_path_join(path, item, "op");
		return ds_oci_bad(err, path, "unknown operator \"%.40s\"", op);
	}
	/* SCMP_CMP_MASKED_EQ: value is the mask, valueTwo what the masked argument must be. */
	*c = (struct ds_seccomp_cond){ (unsigned)index, ops[i].op, value, 0 };
	if (ops[i].op == DS_SECCOMP_MASKED_EQ)
		*c = (struct ds_seccomp_cond){ (unsigned)index, ops[i].op, two, value };
	return 0;
}

/*
 * syscalls[i]: one rule per name, with all the conditions; or, when an
 * argument is named twice, one rule per name and condition. Appended at
 * sc->rules + sc->policy.n_rules (room made by the caller).
 */
static int read_entry(const struct ds_jval *e, const char *item, struct ds_oci_seccomp *sc, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], sub[DS_OCI_PATH_LEN];
	const struct ds_jval *names, *args = NULL;
	uint32_t ret = 0;
	struct ds_seccomp_cond conds[DS_SECCOMP_MAX_CONDS];
	unsigned n = 0, seen = 0;
	int repeated = 0;
	int r = ds_oci_want(e, DS_JOBJECT, item, err);
	if (r < 0 || (r = read_action(e, "action", "errnoRet", item, &ret, err)) < 0)
		return r;
	if (ds_oci_member(e, "args", item, path, &args)) {
		if ((r = ds_oci_want(args, DS_JARRAY, path, err)) < 0)
			return r;
		if (args->count > DS_SECCOMP_MAX_CONDS)
			return ds_oci_bad(err, path, "more than %d conditions", DS_SECCOMP_MAX_CONDS);
		for (const struct ds_jval *a = args->head; a; a = a->next, n++) {
			ds_oci_path_index(sub, path, n);
			if ((r = read_cond(a, sub, &conds[n], err)) < 0)
				return r;
			repeated |= (seen >> conds[n].arg) & 1;
			seen |= 1u << conds[n].arg;
		}
	}
	if (!ds_oci_member(e, "names", item, path, &names))
		return ds_oci_bad(err, path, "missing");
	if ((r = ds_oci_want(names, DS_JARRAY, path, err)) < 0)
		return r;
	size_t i = 0;
	for (const struct ds_jval *m = names->head; m; m = m->next, i++) {
		const char *name;
		ds_oci_path_index(sub, path, i);
		if ((r = ds_oci_want_string(m, sub, &name, err)) < 0)
			return r;
		for (unsigned k = 0; k < (repeated ? n : 1); k++) {
			struct ds_seccomp_rule *rule = &sc->rules[sc->policy.n_rules++];
			*rule = (struct ds_seccomp_rule){ .name = name, .ret = ret, .n_conds = repeated ? 1 : n };
			memcpy(rule->conds, repeated ? &conds[k] : conds, rule->n_conds * sizeof(conds[0]));
		}
	}
	return 0;
}

/*
 * obj.key, an array of names each found in table (rows of stride bytes, each
 * beginning with its name): bit i of *found set for row i.
 */
static int read_names(const struct ds_jval *obj, const char *key, const char *parent, const void *table, size_t stride,
		      size_t rows, const char *unknown, uint32_t *found, struct ds_error *err)
{
	_cleanup_free_ const char **names = NULL;
	size_t n = 0;
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	int r = ds_oci_get_strings(obj, key, parent, &names, &n, err);
	*found = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t k = 0;
		while (k < rows && strcmp(names[i], *(const char *const *)((const char *)table + k * stride)))
			k++;
		if (k == rows) {
			ds_oci_path_join(path, parent, key);
			ds_oci_path_index(item, path, i);
			return ds_oci_bad(err, item, "%s \"%.48s\"", unknown, names[i]);
		}
		*found |= 1u << k;
	}
	return r;
}

static int read_arches(const struct ds_jval *v, const char *parent, struct ds_oci_seccomp *sc, struct ds_error *err)
{
	uint32_t found;
	int r = read_names(v, "architectures", parent, arches, sizeof(arches[0]), ARRAY_SIZE(arches),
			   "unknown architecture", &found, err);
	for (size_t k = 0; r == 0 && k < ARRAY_SIZE(arches); k++)
		for (unsigned abi = 0; abi < DS_ABIS; abi++)
			if ((found >> k & 1) && arches[k].arch && arches[k].arch == ds_seccomp_abi_arch(abi))
				sc->policy.abis |= 1u << abi;
	return r;
}

static int read_flags(const struct ds_jval *v, const char *parent, struct ds_oci_seccomp *sc, struct ds_error *err)
{
	uint32_t found;
	int r = read_names(v, "flags", parent, flags, sizeof(flags[0]), ARRAY_SIZE(flags), "unsupported flag", &found,
			   err);
	for (size_t k = 0; r == 0 && k < ARRAY_SIZE(flags); k++)
		if (found >> k & 1)
			sc->flags |= flags[k].flag;
	return r;
}

/* How many rules syscalls[] makes (an upper bound; the entries are checked when read). */
static size_t count_rules(const struct ds_jval *list)
{
	size_t total = 0;
	for (const struct ds_jval *e = list->head; e; e = e->next) {
		const struct ds_jval *names = ds_jget(e, "names"), *args = ds_jget(e, "args");
		size_t per = args && args->type == DS_JARRAY && args->count ? args->count : 1;
		if (names && names->type == DS_JARRAY)
			total += names->count * per;
	}
	return total;
}

int ds_oci_seccomp_read(const struct ds_jval *linux_, struct ds_oci_seccomp *sc, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *v, *list;
	int r = ds_oci_get_object(linux_, "seccomp", "linux", path, &v, err);
	if (r <= 0)
		return r;
	sc->present = 1;
	/* an ABI left out, x32, another architecture: killed, as libseccomp's default for a foreign one */
	sc->policy.foreign_ret = SECCOMP_RET_KILL_THREAD;
	const char *listener = NULL;
	if ((r = read_action(v, "defaultAction", "defaultErrnoRet", path, &sc->policy.default_ret, err)) < 0 ||
	    (r = read_arches(v, path, sc, err)) < 0 || (r = read_flags(v, path, sc, err)) < 0 ||
	    (r = ds_oci_get_string(v, "listenerPath", path, 0, &listener, err)) < 0)
		return r;
	if (listener && *listener)
		return ds_oci_bad(err, "linux.seccomp.listenerPath", "a seccomp agent is not supported");
	if (!ds_oci_member(v, "syscalls", path, item, &list))
		return 0;
	if ((r = ds_oci_want(list, DS_JARRAY, item, err)) < 0)
		return r;
	sc->rules = calloc(count_rules(list) + 1, sizeof(*sc->rules));
	if (!sc->rules)
		return ds_fail(err, -ENOMEM, "config.json: %s", item);
	sc->policy.rules = sc->rules;
	size_t i = 0;
	for (const struct ds_jval *e = list->head; e; e = e->next, i++) {
		char entry[DS_OCI_PATH_LEN];
		ds_oci_path_index(entry, item, i);
		if ((r = read_entry(e, entry, sc, err)) < 0)
			return r;
	}
	return 0;
}

/* An array key of the names of table (rows of stride bytes, each beginning with its name). */
static void put_names(struct ds_json *j, const char *key, const void *table, size_t stride, size_t rows)
{
	ds_json_array_begin(j, key);
	for (size_t k = 0; k < rows; k++)
		ds_json_string(j, NULL, *(const char *const *)((const char *)table + k * stride));
	ds_json_array_end(j);
}

void ds_oci_seccomp_features(struct ds_json *j)
{
	ds_json_object_begin(j, "seccomp");
	ds_json_bool(j, "enabled", ds_seccomp_arch() != 0);
	put_names(j, "actions", actions, sizeof(actions[0]), ARRAY_SIZE(actions));
	put_names(j, "operators", ops, sizeof(ops[0]), ARRAY_SIZE(ops));
	/* the ones filtered with their own numbers; the others are taken and their syscalls killed */
	ds_json_array_begin(j, "archs");
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		for (unsigned abi = 0; abi < DS_ABIS; abi++)
			if (arches[i].arch && arches[i].arch == ds_seccomp_abi_arch(abi))
				ds_json_string(j, NULL, arches[i].name);
	ds_json_array_end(j);
	put_names(j, "knownFlags", flags, sizeof(flags[0]), ARRAY_SIZE(flags));
	ds_json_array_begin(j, "supportedFlags");
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (ds_seccomp_flag_available(flags[i].flag))
			ds_json_string(j, NULL, flags[i].name);
	ds_json_array_end(j);
	ds_json_object_end(j);
}

void ds_oci_seccomp_free(struct ds_oci_seccomp *sc)
{
	free(sc->rules);
	memset(sc, 0, sizeof(*sc));
}
