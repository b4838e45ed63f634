/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad policy: the pure decision functions (policy.c).
 *
 * Everything declared here works on plain values only: no locks, no mm, no
 * task pointers. That keeps the policy unit-testable with KUnit on any
 * machine, and keeps the rules in one place.
 */
#ifndef _KERNEL_KNUMAD_POLICY_H
#define _KERNEL_KNUMAD_POLICY_H

#include <linux/knumad.h>
#include <linux/nodemask.h>
#include <linux/types.h>

/* One CPU, in the unit of CPU demand and node capacity (milli-CPUs). */
#define KNUMAD_CPU	1000U

/*
 * A unit that needs less CPU than this is placed as an idle one: with its
 * memory, taking no room (the main thread of a process whose workers are in
 * numa_groups must not push a group off its node).
 */
#define KNUMAD_CPU_IDLE	(KNUMAD_CPU / 20)

/**
 * struct knumad_node_params - What decides a unit's memory node.
 * @hysteresis_pct: a node replaces the current one only when it holds this
 *	many percent more (hot) pages than the current one, so a unit does
 *	not flap between nodes whose shares are close.
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
unsigned int knumad_default_cpu_percent(unsigned int nr_cpu_nodes);
s64 knumad_budget_refill(s64 tokens_ns, u64 elapsed_ns, unsigned int max_cpu_pct,
			 unsigned int window_ms);
unsigned int knumad_budget_sleep_ms(s64 tokens_ns, unsigned int max_cpu_pct,
				    unsigned int min_sleep_ms);
unsigned int knumad_cpu_demand(u64 busy_ns, u64 wall_ns);
unsigned int knumad_unit_room(unsigned int weight);
unsigned int knumad_demand_smooth(unsigned int old, unsigned int fresh,
				  u64 interval_ns, u64 span_ns);
unsigned int knumad_demand_next(unsigned int old, unsigned int fresh, u64 interval_ns,
				u64 span_ns, bool asleep);

/**
 * struct knumad_unit_in - One placement unit, as knumad_assign() sees it:
 * a process, a numa_group, or a thread with memory of its own.
 * @weight: the CPU it needs, in milli-CPUs (%KNUMAD_CPU per busy thread;
 *	an explicit group reserves one CPU per member, busy or idle).
 * @pages: its resident pages per node (nr_nodes entries).
 * @hot: of those, pages found accessed lately, per node.
 * @allowed: the nodes all of its threads may run on (and its memory may
 *	go to); NULL for all nodes.
 * @cur: its node now, or NUMA_NO_NODE.
 * @held: keep @cur while it fits: the node changed recently (hold-off), or
 *	the unit is converging there.
 * @keep_together: an explicit group: never spread over nodes, even when
 *	it is larger than any node.
 * @memory_stays: its memory never moves with it (a process whose memory
 *	numa_groups hold): it has no pages at stake in the order of placing.
 */
struct knumad_unit_in {
	unsigned int weight;
	const unsigned long *pages;
	const unsigned long *hot;
	const nodemask_t *allowed;
	int cur;
	bool held;
	bool keep_together;
	bool memory_stays;
};

/**
 * enum knumad_reason - Why knumad_assign() gave a unit its node.
 * @KNUMAD_REASON_NONE: nothing to go by (no memory and no node yet).
 * @KNUMAD_REASON_MEMORY: the node that holds most of its (hot) memory.
 * @KNUMAD_REASON_KEPT: its node so far: in hold-off, or converging there
 *	while its memory's node has no room.
 * @KNUMAD_REASON_ROOM: its memory's node has no room for it: the node with
 *	room that holds most of its memory; the memory follows.
 * @KNUMAD_REASON_ALLOWED: it may not run on its memory's node (affinity,
 *	cpuset): an allowed node; the memory follows.
 * @KNUMAD_REASON_SPREAD: a process busier than any node: not kept on one
 *	node, and its memory stays.
 * @KNUMAD_REASON_OVERLOAD: no allowed node has room left: it stays with
 *	its memory.
 * @KNUMAD_REASON_IDLE: it needs no CPU: it stays with its memory and takes
 *	no room.
 * @NR_KNUMAD_REASONS: the number of reasons.
 */
enum knumad_reason {
	KNUMAD_REASON_NONE,
	KNUMAD_REASON_MEMORY,
	KNUMAD_REASON_KEPT,
	KNUMAD_REASON_ROOM,
	KNUMAD_REASON_ALLOWED,
	KNUMAD_REASON_SPREAD,
	KNUMAD_REASON_OVERLOAD,
	KNUMAD_REASON_IDLE,
	NR_KNUMAD_REASONS,
};

/**
 * struct knumad_unit_out - What knumad_assign() decided for one unit.
 * @nid: its node, or NUMA_NO_NODE (no data, or spread).
 * @reason: why (enum knumad_reason).
 */
struct knumad_unit_out {
	int nid;
	unsigned int reason;
};

/**
 * knumad_unit_moves_memory() - Does a decision ask the unit's memory to
 * follow it to its node?
 * @out: the decision.
 *
 * Return: true unless the unit stays with its memory or has no node.
 */
static inline bool knumad_unit_moves_memory(const struct knumad_unit_out *out)
{
	return out->nid >= 0 && out->reason != KNUMAD_REASON_SPREAD &&
	       out->reason != KNUMAD_REASON_IDLE && out->reason != KNUMAD_REASON_NONE;
}

bool knumad_unit_holds(int nid, unsigned int reason, unsigned long changed,
		       const struct knumad_mig_cursor *mig, unsigned long now,
		       unsigned long holdoff);

void knumad_assign(const struct knumad_unit_in *units, int nr_units,
		   const unsigned int *capacity, int nr_nodes,
		   const struct knumad_node_params *params,
		   unsigned long *load, int *order, struct knumad_unit_out *out);

/**
 * struct knumad_flow_params - How memory flows between nodes are balanced.
 * @tolerance: most pages a node may gain, net, while its flows could still
 *	be paired.
 * @patience_ms: how long a flow without any flow the other way waits for
 *	one, within the tolerance, before it may move one way on its own.
 * @free_floor: per node, the free pages (as in the headroom) above which
 *	it takes memory one way without waiting for a partner; NULL: always
 *	wait.
 */
struct knumad_flow_params {
	unsigned long tolerance;
	unsigned int patience_ms;
	const long *free_floor;
};

unsigned long knumad_pair_flows(const unsigned long *demand, const long *headroom,
				const long *net, const unsigned int *lonely_ms,
				const struct knumad_flow_params *params, int nr_nodes,
				unsigned long *allowed);

/* Hinting faults a thread needs before knumad says whose memory it uses. */
#define KNUMAD_HINT_MIN_FAULTS	8

bool knumad_hint_private(u32 priv, u32 shared, bool was_private);
int knumad_cluster_find(int *parent, int i);
void knumad_cluster_join(int *parent, int a, int b);
int knumad_region_owner(const u32 *weight, int nr);

#endif /* _KERNEL_KNUMAD_POLICY_H */
