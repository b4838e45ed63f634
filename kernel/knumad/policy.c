// SPDX-License-Identifier: GPL-2.0
/*
 * knumad policy: pure decision functions, no locking and no mm access.
 *
 * See Documentation/mm/knumad.rst for the rules implemented here.
 */
#include <linux/sched/sysctl.h>
#include "knumad_internal.h"

/**
 * knumad_conflicts_with_numa_balancing() - Would knumad and upstream NUMA
 * balancing both place tasks?
 * @numa_balancing_mode: a value of the kernel.numa_balancing sysctl.
 *
 * Only one placer may own a task's preferred node. Upstream's normal mode
 * (bit NUMA_BALANCING_NORMAL) scans tasks and sets their preferred node, so
 * it excludes knumad. Memory-tiering mode alone only promotes pages from
 * slow to fast tiers and never places tasks, so it may run beside knumad.
 *
 * Return: true if knumad must not be enabled while @numa_balancing_mode is
 * in force (and the other way round).
 */
bool knumad_conflicts_with_numa_balancing(int numa_balancing_mode)
{
	return numa_balancing_mode & NUMA_BALANCING_NORMAL;
}
