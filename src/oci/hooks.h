/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.json's hooks: each one a program (path, args, env) run with the
 * container's state JSON on its stdin, within its timeout, at its point of
 * the lifecycle. Where they run and what a failure means is the caller's
 * part (lifecycle.c and init.c, as the runtime spec places them): prestart,
 * createRuntime, createContainer and startContainer failing fail the
 * operation; poststart and poststop failing are warnings.
 */
#pragma once

#include "oci/spec.h"
#include "util/error.h"

/*
 * Runs the hooks of point in their order, each with state (JSON text) on its
 * stdin, and waits for each; the first that fails (a status other than 0, a
 * signal, its timeout: it is killed then) stops the rest: its error.
 */
int ds_oci_hooks_run(const struct ds_oci_spec *spec, enum ds_oci_hook_point point, const char *state,
		     struct ds_error *err);
/* The same, every hook run whatever the others did; each failure a warning line on stderr. */
void ds_oci_hooks_run_warn(const struct ds_oci_spec *spec, enum ds_oci_hook_point point, const char *state);
