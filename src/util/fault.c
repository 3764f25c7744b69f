/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void ds_fault_point(const char *name)
{
	const char *want = getenv("DROIDSPACES_FAULT");
	if (want && strcmp(want, name) == 0)
		raise(SIGSTOP);
}
