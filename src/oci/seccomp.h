/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.json's linux.seccomp as a policy for the seccomp compiler of
 * core/seccomp.c (the one droidspaces' own filter is built with), the way
 * runc reads it through libseccomp: syscall names this kernel family does
 * not know are skipped, rules are tried in order, and an entry whose args
 * name one argument twice becomes one rule per condition (any may match);
 * otherwise all its conditions must hold. Actions, operators, architectures
 * and flags that are not known, and SCMP_ACT_NOTIFY (a seccomp agent), are
 * refused with one line naming the field.
 */
#pragma once

#include "core/seccomp.h"
#include "util/error.h"
#include "util/json.h"
#include "util/jsonparse.h"

struct ds_oci_seccomp {
	int present;    /* linux.seccomp was given */
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	struct ds_seccomp_policy policy;
	struct ds_seccomp_rule *rules; /* policy.rules, malloc'd */
};

/* Reads linux_.seccomp (absent: present stays 0). */
int ds_oci_seccomp_read(const struct ds_jval *linux_, struct ds_oci_seccomp *sc, struct ds_error *err);
void ds_oci_seccomp_free(struct ds_oci_seccomp *sc);

/*
 * features' linux.seccomp: what is taken (actions, operators, the
 * architectures of this build's kernel family, flags) and the flags this
 * kernel supports.
 */
void ds_oci_seccomp_features(struct ds_json *j);
