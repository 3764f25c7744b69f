/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Syscall names and their numbers on each ABI of this build's kernel family
 * (x86_64 and i386, or aarch64 and arm), from the kernel headers
 * (core/syscall_table.h, written by scripts/gen-syscalls.sh): what the
 * seccomp compiler needs to turn a policy's names into numbers.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The ABIs of a kernel family: the 64-bit one and its 32-bit compat one. */
enum ds_abi {
	DS_ABI_64, /* x86_64, aarch64 */
	DS_ABI_32, /* i386, arm (EABI) */
	DS_ABIS,
};

struct ds_syscall {
	const char *name;
	int32_t nr[DS_ABIS]; /* -1: the ABI has no such syscall */
};

/* The syscall called name, NULL when no ABI of the family has one by that name. */
const struct ds_syscall *ds_syscall_lookup(const char *name);
/* Every known syscall, sorted by name; *n gets their count. */
const struct ds_syscall *ds_syscall_table(size_t *n);
