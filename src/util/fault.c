/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

int ds_fault_active(const char *name)
{
	const char *want = getenv("DROIDSPACES_FAULT");
	return want && strcmp(want, name) == 0;
}

void ds_fault_point(const char *name)
{
	if (ds_fault_active(name))
		raise(SIGSTOP);
}
