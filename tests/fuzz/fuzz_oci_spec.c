/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_oci_spec_parse: a bundle's config.json is written by
 * whoever made the bundle, so any bytes must be read or refused with one line
 * naming the problem, without a memory error or a leak. What is read must be
 * consistent: every counted array holds that many C strings, the required
 * fields are there, paths that must be absolute are, numbers are in range.
 */
#include "config.h"
#include "oci/spec.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_strings(const char *const *v, size_t n)
{
	CHECK(n == 0 || v);
	for (size_t i = 0; i < n; i++)
		CHECK(v[i] && strlen(v[i]) < 8192);
}

/* The same bytes as exec's process.json: read or refused the same way. */
static void check_process_json(const uint8_t *data, size_t size)
{
	struct ds_oci_spec s;
	struct ds_error err = { 0 };
	if (ds_oci_process_parse((const char *)data, size, &s, &err) < 0) {
		CHECK(strncmp(err.msg, "config.json: ", 13) == 0 && strchr(err.msg, '\n') == NULL);
	} else {
		CHECK(s.has_process && s.process.n_args >= 1 && s.process.cwd && s.process.cwd[0] == '/');
		check_strings(s.process.args, s.process.n_args);
		check_strings(s.process.env, s.process.n_env);
	}
	ds_oci_spec_free(&s);
}

/* linux.seccomp: rules within bounds, and compiled into a program the kernel would take, or refused. */
static void check_seccomp(const struct ds_oci_seccomp *sc)
{
	if (!sc->present) {
		CHECK(sc->rules == NULL && sc->policy.n_rules == 0);
		return;
	}
	for (size_t i = 0; i < sc->policy.n_rules; i++) {
		const struct ds_seccomp_rule *r = &sc->policy.rules[i];
		CHECK(r->name && r->n_conds <= DS_SECCOMP_MAX_CONDS);
		for (unsigned k = 0; k < r->n_conds; k++)
			CHECK(r->conds[k].arg <= 5 && r->conds[k].op <= DS_SECCOMP_MASKED_EQ);
	}
	struct ds_seccomp_prog prog;
	struct ds_error err = { 0 };
	if (ds_seccomp_compile(&sc->policy, &prog, &err) < 0) {
		CHECK(prog.insns == NULL && strchr(err.msg, '\n') == NULL);
		return;
	}
	CHECK(prog.len >= 4 && prog.len <= DS_SECCOMP_MAX_INSNS);
	/* every path returns: the last instruction is a return, every jump lands inside */
	CHECK(BPF_CLASS(prog.insns[prog.len - 1].code) == BPF_RET);
	for (size_t i = 0; i < prog.len; i++) {
		const struct sock_filter *f = &prog.insns[i];
		if (BPF_CLASS(f->code) != BPF_JMP)
			continue;
		if (BPF_OP(f->code) == BPF_JA)
			CHECK(i + 1 + f->k < prog.len);
		else
			CHECK(i + 1 + f->jt < prog.len && i + 1 + f->jf < prog.len);
	}
	ds_seccomp_prog_free(&prog);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_process_json(data, size);
	struct ds_oci_spec s;
	struct ds_error err = { 0 };
	int r = ds_oci_spec_parse((const char *)data, size, &s, &err);
	if (r < 0) {
		CHECK(strncmp(err.msg, "config.json: ", 13) == 0);
		CHECK(strchr(err.msg, '\n') == NULL);
		ds_oci_spec_free(&s);
		return 0;
	}
	CHECK(s.oci_version && s.root_path && s.root_path[0]);
	if (s.has_process) {
		const struct ds_oci_process *p = &s.process;
		CHECK(p->n_args >= 1);
		check_strings(p->args, p->n_args);
		check_strings(p->env, p->n_env);
		for (size_t i = 0; i < p->n_env; i++)
			CHECK(strchr(p->env[i], '=') && p->env[i][0] != '=');
		CHECK(p->cwd && p->cwd[0] == '/');
		CHECK(p->oom_score_adj >= -1000 && p->oom_score_adj <= 1000);
		CHECK(p->n_additional_gids == 0 || p->additional_gids);
		for (size_t i = 0; i < p->n_rlimits; i++)
			CHECK(p->rlimits[i].soft <= p->rlimits[i].hard && p->rlimits[i].resource >= 0);
		for (int set = 0; set < DS_OCI_CAPSETS; set++)
			CHECK(p->has_caps[set] || p->caps[set] == 0);
	} else {
		CHECK(s.process.args == NULL && s.process.cwd == NULL);
	}
	for (size_t i = 0; i < s.n_mounts; i++) {
		CHECK(s.mounts[i].destination && s.mounts[i].destination[0] == '/');
		check_strings(s.mounts[i].options, s.mounts[i].n_options);
	}
	for (int ns = 0; ns < DS_OCI_NAMESPACES; ns++)
		CHECK(!s.ns_path[ns] || (s.ns_wanted[ns] && s.ns_path[ns][0] == '/'));
	check_strings(s.masked_paths, s.n_masked_paths);
	check_strings(s.readonly_paths, s.n_readonly_paths);
	for (size_t i = 0; i < s.n_sysctl; i++)
		CHECK(s.sysctl[i].key && s.sysctl[i].value);
	for (size_t i = 0; i < s.n_annotations; i++)
		CHECK(s.annotations[i].key && s.annotations[i].value);
	CHECK(!s.resources.has_memory_limit || s.resources.memory_limit >= -1);
	check_seccomp(&s.seccomp);
	ds_oci_spec_free(&s);
	return 0;
}
