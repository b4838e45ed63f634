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

/**
 * struct knumad_memory_params - When memory follows the CPU instead.
 * @busy_scans: scans in a row in which the tasks could not be moved to
 *	their memory's node (busy) before their memory moves to them.
 * @holdoff_ms: after a process's memory moved to one node, how long before
 *	it may move to another: no ping-pong.
 */
struct knumad_memory_params {
	unsigned int busy_scans;
	unsigned int holdoff_ms;
};

bool knumad_conflicts_with_numa_balancing(int numa_balancing_mode);
unsigned long knumad_sum(const unsigned long *v, int nr);
int knumad_majority_node(const unsigned int *count, int nr_nodes,
			 unsigned int min_pct);
bool knumad_memory_should_follow(int mem_nid, int run_nid, bool tasks_pinned,
				 unsigned int busy_scans, int last_dst,
				 unsigned long ms_since_last,
				 const struct knumad_memory_params *params);
/**
 * struct knumad_flow_params - How memory flows between nodes are balanced.
 * @tolerance: most pages a node may gain, net, while its flows could still
 *	be paired.
 * @patience_ms: how long a flow without any flow the other way waits for
 *	one, within the tolerance, before it may move one way on its own.
 */
struct knumad_flow_params {
	unsigned long tolerance;
	unsigned int patience_ms;
};

unsigned long knumad_pair_flows(const unsigned long *demand, const long *headroom,
				const long *net, const unsigned int *lonely_ms,
				const struct knumad_flow_params *params, int nr_nodes,
				unsigned long *allowed);
int knumad_choose_node(const unsigned long *pages, const unsigned long *hot,
		       int nr_nodes, int cur_nid,
		       const struct knumad_node_params *params);
unsigned int knumad_budget_sleep_ms(u64 work_ns, unsigned int max_cpu_pct,
				    unsigned int min_sleep_ms);

/**
 * struct knumad_group_in - One numa_group, as knumad_place_groups() sees it.
 * @threads: its live threads.
 * @pages: its resident pages per node (nr_nodes entries).
 * @cur: its node now, or NUMA_NO_NODE.
 * @held: its node changed recently (hold-off): keep it while it fits.
 */
struct knumad_group_in {
	unsigned int threads;
	const unsigned long *pages;
	int cur;
	bool held;
};

void knumad_place_groups(const struct knumad_group_in *groups, int nr_groups,
			 const unsigned int *capacity, int nr_nodes,
			 const struct knumad_node_params *params,
			 unsigned int *load, int *order, int *out);

#endif /* _KNUMAD_INTERNAL_H */
