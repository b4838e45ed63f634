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

/**
 * struct knumad_node_params - What decides a preferred node.
 * @hysteresis_pct: a node replaces the current preferred node only when it
 *	holds this many percent more (hot) pages than the current one, so a
 *	task does not flap between nodes whose shares are close.
 * @min_hot_pages: with fewer hot pages than this in all, the hot counts are
 *	noise (an idle phase), and resident pages decide instead.
 */
struct knumad_node_params {
	unsigned int hysteresis_pct;
	unsigned long min_hot_pages;
};

bool knumad_conflicts_with_numa_balancing(int numa_balancing_mode);
int knumad_choose_node(const unsigned long *pages, const unsigned long *hot,
		       int nr_nodes, int cur_nid,
		       const struct knumad_node_params *params);
unsigned int knumad_budget_sleep_ms(u64 work_ns, unsigned int max_cpu_pct,
				    unsigned int min_sleep_ms);

#endif /* _KNUMAD_INTERNAL_H */
