/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fault-injection points for the reliability tests: when
 * $DROIDSPACES_FAULT names this point, the process stops itself (SIGSTOP)
 * there, so a test can SIGKILL it at exactly that stage.
 */
#pragma once

void ds_fault_point(const char *name);
/* True when $DROIDSPACES_FAULT names this point: for paths a test cannot
 * reach otherwise, such as the fallback for a kernel without clone3. */
int ds_fault_active(const char *name);
