/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad policy: the pure decision functions.
 *
 * Everything declared here works on plain values only: no locks, no mm, no
 * task pointers. That keeps the policy unit-testable with KUnit on any
 * machine, and keeps the rules in one place.
 */
#ifndef _KNUMAD_INTERNAL_H
#define _KNUMAD_INTERNAL_H

#include <linux/types.h>

bool knumad_conflicts_with_numa_balancing(int numa_balancing_mode);

#endif /* _KNUMAD_INTERNAL_H */
