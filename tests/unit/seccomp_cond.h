/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a seccomp policy's condition means, on a 64-bit argument: the tests' reference for the compiled program. */
#pragma once

#include "core/seccomp.h"

#include <stdint.h>

static inline int seccomp_cond_holds(const struct ds_seccomp_cond *c, uint64_t v)
{
	switch (c->op) {
	case DS_SECCOMP_NE: return v != c->value;
	case DS_SECCOMP_LT: return v < c->value;
	case DS_SECCOMP_LE: return v <= c->value;
	case DS_SECCOMP_EQ: return v == c->value;
	case DS_SECCOMP_GE: return v >= c->value;
	case DS_SECCOMP_GT: return v > c->value;
	case DS_SECCOMP_MASKED_EQ: return (v & c->mask) == c->value;
	}
	return -1;
}
