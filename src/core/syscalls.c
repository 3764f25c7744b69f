/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kernel headers' syscall numbers, as a table sorted by name (see syscalls.h). */
#include "core/syscalls.h"

#include <stdlib.h>
#include <string.h>

#include "util/macros.h"

#if defined(__aarch64__) || defined(__arm__)
#define DS_SYSCALL(name, x86_64, i386, aarch64, arm) { name, { aarch64, arm } },
#else
#define DS_SYSCALL(name, x86_64, i386, aarch64, arm) { name, { x86_64, i386 } },
#endif

static const struct ds_syscall table[] = {
#include "core/syscall_table.h"
};

static int by_name(const void *key, const void *row) { return strcmp(key, ((const struct ds_syscall *)row)->name); }

const struct ds_syscall *ds_syscall_lookup(const char *name)
{
	const struct ds_syscall *s = bsearch(name, table, ARRAY_SIZE(table), sizeof(table[0]), by_name);
	return s && (s->nr[DS_ABI_64] >= 0 || s->nr[DS_ABI_32] >= 0) ? s : NULL;
}

const struct ds_syscall *ds_syscall_table(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}
