/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A test tool: a strict classic-BPF interpreter for the seccomp programs
 * core/seccomp.c compiles, so a section the kernel here cannot run (i386
 * without IA32 emulation, aarch64 and arm under qemu-user, which hands the
 * host kernel its own numbers) is still run, instruction by instruction.
 *
 * It takes only the instructions the compiler emits, and refuses the program
 * (never guesses) on anything else, as on anything the kernel's checker
 * (seccomp_check_filter, bpf_check_classic) would refuse:
 *   ld  [k]        BPF_LD|BPF_W|BPF_ABS, k a 4-aligned offset inside struct seccomp_data
 *   and #k         BPF_ALU|BPF_AND|BPF_K
 *   ja  k          BPF_JMP|BPF_JA
 *   jeq/jgt/jge #k BPF_JMP|BPF_J{EQ,GT,GE}|BPF_K, jt and jf
 *   ret #k         BPF_RET|BPF_K
 * Every jump target must lie inside the program and the last instruction
 * must be a return, so a run ends within len steps (jumps only go forward);
 * the step count is checked anyway.
 */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BPF_SECCOMP_MAX_INSNS 4096 /* BPF_MAXINSNS */

/* Checks the whole program before it runs; 0, or -1 with why filled in. */
static int bpf_seccomp_check(const struct sock_filter *p, size_t len, char *why, size_t size)
{
	if (len == 0 || len > BPF_SECCOMP_MAX_INSNS) {
		snprintf(why, size, "program length %zu (1..%d)", len, BPF_SECCOMP_MAX_INSNS);
		return -1;
	}
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &p[pc];
		size_t left = len - pc - 1; /* instructions after this one */
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k >= sizeof(struct seccomp_data) || (i->k & 3)) {
				snprintf(why, size, "insn %zu: load at offset %u outside seccomp_data or unaligned", pc,
					 i->k);
				return -1;
			}
			break;
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_RET | BPF_K: break;
		case BPF_JMP | BPF_JA:
			if (i->k >= left) {
				snprintf(why, size, "insn %zu: ja %u past the end", pc, i->k);
				return -1;
			}
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
			if (i->jt >= left || i->jf >= left) {
				snprintf(why, size, "insn %zu: jump (jt %u, jf %u) past the end", pc, i->jt, i->jf);
				return -1;
			}
			break;
		default:
			snprintf(why, size, "insn %zu: opcode %#x is not one the seccomp compiler emits", pc, i->code);
			return -1;
		}
	}
	if (p[len - 1].code != (BPF_RET | BPF_K)) {
		snprintf(why, size, "the last instruction is not a return");
		return -1;
	}
	return 0;
}

/*
 * Runs the program on d: 0 with *ret the SECCOMP_RET_* it returns, or -1
 * with why filled in (a program bpf_seccomp_check refuses, or a run that
 * does not end).
 */
static int bpf_seccomp_run(const struct sock_filter *p, size_t len, const struct seccomp_data *d, uint32_t *ret,
			   char *why, size_t size)
{
	if (bpf_seccomp_check(p, len, why, size) < 0)
		return -1;
	uint32_t a = 0;
	size_t pc = 0;
	for (size_t steps = 0; steps < len && pc < len; steps++) {
		const struct sock_filter *i = &p[pc++];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS: /* a 32-bit word of seccomp_data in this machine's byte order */
			memcpy(&a, (const char *)d + i->k, sizeof(a));
			break;
		case BPF_ALU | BPF_AND | BPF_K: a &= i->k; break;
		case BPF_JMP | BPF_JA: pc += i->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += a > i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += a >= i->k ? i->jt : i->jf; break;
		case BPF_RET | BPF_K: *ret = i->k; return 0;
		}
	}
	snprintf(why, size, "the run did not reach a return");
	return -1;
}
