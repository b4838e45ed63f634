// SPDX-License-Identifier: GPL-2.0
/*
 * knumad policy: pure decision functions, no locking and no mm access.
 *
 * See Documentation/mm/knumad.rst for the rules implemented here.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/numa.h>
#include <linux/sched/sysctl.h>
#include <linux/time64.h>
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

/**
 * knumad_sum() - Total of a per-node page count.
 * @v: the counts.
 * @nr: number of entries in @v.
 *
 * Return: the sum of @v[0..@nr).
 */
unsigned long knumad_sum(const unsigned long *v, int nr)
{
	unsigned long sum = 0;
	int i;

	for (i = 0; i < nr; i++)
		sum += v[i];
	return sum;
}

/**
 * knumad_choose_node() - The node a process's tasks should run on.
 * @pages: resident anonymous pages per node (@nr_nodes entries).
 * @hot: of those, pages accessed since the previous scan, per node.
 * @nr_nodes: number of entries in @pages and @hot.
 * @cur_nid: the current preferred node, or NUMA_NO_NODE.
 * @params: hysteresis and the hot-page floor.
 *
 * The node holding most of the hot memory wins; when too little memory is
 * hot to tell (an idle phase), the node holding most resident memory. A tie
 * keeps the current node, or else goes to the lowest node. A different node
 * replaces a valid current one only if it holds more than
 * (100 + hysteresis_pct) percent of the current node's pages.
 *
 * Return: the chosen node; @cur_nid when there is no data at all.
 */
int knumad_choose_node(const unsigned long *pages, const unsigned long *hot,
		       int nr_nodes, int cur_nid,
		       const struct knumad_node_params *params)
{
	const unsigned long *weight = hot;
	int nid, best = NUMA_NO_NODE;

	if (knumad_sum(hot, nr_nodes) < max(params->min_hot_pages, 1UL))
		weight = pages;
	if (!knumad_sum(weight, nr_nodes))
		return cur_nid;
	if (cur_nid < 0 || cur_nid >= nr_nodes)
		cur_nid = NUMA_NO_NODE;

	for (nid = 0; nid < nr_nodes; nid++) {
		if (best == NUMA_NO_NODE || weight[nid] > weight[best])
			best = nid;
	}
	if (cur_nid == NUMA_NO_NODE || weight[best] == weight[cur_nid])
		return cur_nid == NUMA_NO_NODE ? best : cur_nid;

	/* In u64: a page count times a percentage cannot overflow it. */
	if ((u64)weight[best] * 100 >
	    (u64)weight[cur_nid] * (100 + params->hysteresis_pct))
		return best;
	return cur_nid;
}

/**
 * knumad_budget_sleep_ms() - How long to sleep after a pass to stay within
 * the CPU budget.
 * @work_ns: CPU time the pass took (the thread's own runtime).
 * @max_cpu_pct: the budget, in percent of one CPU (1-100).
 * @min_sleep_ms: the configured sleep between passes.
 *
 * Working w and sleeping s uses w / (w + s) of a CPU; staying at or under
 * p percent needs s >= w * (100 - p) / p.
 *
 * Return: the larger of @min_sleep_ms and that bound, in milliseconds
 * (rounded up), capped at one hour.
 */
unsigned int knumad_budget_sleep_ms(u64 work_ns, unsigned int max_cpu_pct,
				    unsigned int min_sleep_ms)
{
	u64 sleep_ns;

	max_cpu_pct = clamp(max_cpu_pct, 1U, 100U);
	sleep_ns = div_u64(work_ns, max_cpu_pct) * (100 - max_cpu_pct);
	sleep_ns = min_t(u64, DIV_ROUND_UP_ULL(sleep_ns, NSEC_PER_MSEC), 3600 * MSEC_PER_SEC);
	return max_t(unsigned int, sleep_ns, min_sleep_ms);
}

/**
 * knumad_majority_node() - The node most of a process's threads run on.
 * @count: threads per node (@nr_nodes entries).
 * @nr_nodes: number of entries in @count.
 * @min_pct: share (percent) of the threads that makes a majority.
 *
 * Return: the node holding at least @min_pct percent of the threads, or
 * NUMA_NO_NODE if the threads are spread (or there are none).
 */
int knumad_majority_node(const unsigned int *count, int nr_nodes,
			 unsigned int min_pct)
{
	unsigned long total = 0;
	int nid, best = 0;

	for (nid = 0; nid < nr_nodes; nid++) {
		total += count[nid];
		if (count[nid] > count[best])
			best = nid;
	}
	if (!total || (u64)count[best] * 100 < (u64)total * min_pct)
		return NUMA_NO_NODE;
	return best;
}

/**
 * knumad_memory_should_follow() - Move memory to the tasks, rather than
 * the tasks to their memory?
 * @mem_nid: the node holding the process's memory (its preferred node).
 * @run_nid: the node its threads run on, or NUMA_NO_NODE if spread.
 * @tasks_pinned: the threads may not run on @mem_nid (affinity, cpuset).
 * @busy_scans: scans in a row in which moving the threads failed for lack
 *	of room on @mem_nid.
 * @last_dst: the node the process's memory last moved to, or NUMA_NO_NODE.
 * @ms_since_last: milliseconds since then.
 * @params: the busy threshold and the hold-off.
 *
 * This is the one place that decides between CPU-follows-memory and
 * memory-follows-CPU. Moving a task is cheap and is tried first; memory
 * moves when the task cannot: it is pinned elsewhere, or its memory's
 * node stayed too busy for @params->busy_scans scans. Once the threads
 * run where most of the memory is (@mem_nid == @run_nid), the rest of it
 * follows them too. Threads spread over several nodes access the memory
 * from all of them: it stays put. Memory that just moved does not move to
 * another node within the hold-off.
 *
 * Return: true if the process's memory elsewhere should move to @run_nid.
 */
bool knumad_memory_should_follow(int mem_nid, int run_nid, bool tasks_pinned,
				 unsigned int busy_scans, int last_dst,
				 unsigned long ms_since_last,
				 const struct knumad_memory_params *params)
{
	if (mem_nid == NUMA_NO_NODE || run_nid == NUMA_NO_NODE)
		return false;
	if (mem_nid != run_nid && !tasks_pinned && busy_scans < params->busy_scans)
		return false;
	if (last_dst != NUMA_NO_NODE && last_dst != run_nid &&
	    ms_since_last < params->holdoff_ms)
		return false;
	return true;
}

/**
 * knumad_pair_flows() - How much memory may move between each pair of
 * nodes in one pass, keeping every node's free memory balanced.
 * @demand: pages wanted from node s to node d, at [s * @nr_nodes + d].
 * @headroom: per node, free pages above its high watermarks (may be < 0).
 * @net: per node, pages it gained (or lost, < 0) through knumad's
 *	migrations since its flows last went quiet.
 * @lonely_ms: per flow, same layout as @demand: for how long (ms) it has
 *	had demand while the opposite flow had none.
 * @params: the tolerance and the patience.
 * @nr_nodes: number of nodes.
 * @allowed: out: pages that may move from s to d, same layout as @demand.
 *
 * Flows in opposite directions are paired first: s->d and d->s move the
 * same amount, min(demand[s][d], demand[d][s]), which leaves both nodes'
 * free memory where it was. The rest moves one way, so it is limited:
 * never below the destination's high watermarks (a node short of memory
 * is not pushed into reclaim; its inflow waits), and, while a partner
 * flow exists or may still come (lonely for less than
 * @params->patience_ms), only as far as the destination's net gain stays
 * within @params->tolerance. A flow that stayed lonely that long moves on
 * its own, within the headroom.
 *
 * Return: the pages allowed beyond the paired ones (the net flows).
 */
unsigned long knumad_pair_flows(const unsigned long *demand, const long *headroom,
				const long *net, const unsigned int *lonely_ms,
				const struct knumad_flow_params *params, int nr_nodes,
				unsigned long *allowed)
{
	unsigned long unpaired = 0;
	int s, d;

	for (s = 0; s < nr_nodes; s++) {
		for (d = 0; d < nr_nodes; d++) {
			allowed[s * nr_nodes + d] = s == d ? 0 :
				min(demand[s * nr_nodes + d], demand[d * nr_nodes + s]);
		}
	}
	for (d = 0; d < nr_nodes; d++) {
		long room = headroom[d];
		long within = (long)params->tolerance - net[d];

		for (s = 0; s < nr_nodes && room > 0; s++) {
			int f = s * nr_nodes + d;
			unsigned long rest, give;
			long cap = room;

			if (s == d)
				continue;
			if (demand[d * nr_nodes + s] || lonely_ms[f] < params->patience_ms)
				cap = min(cap, within);
			if (cap <= 0)
				continue;
			rest = demand[f] - allowed[f];
			give = min_t(unsigned long, rest, cap);
			allowed[f] += give;
			room -= give;
			within -= give;
			unpaired += give;
		}
	}
	return unpaired;
}

/* May group @g go to node @n, with @load threads placed there already? */
static bool knumad_group_fits(const struct knumad_group_in *g, int n,
			      const unsigned int *load, const unsigned int *capacity)
{
	return load[n] + g->threads <= capacity[n];
}

/*
 * The node for one group, given what larger groups took (@load): the node
 * its memory is on (after hysteresis), else its current node, else the
 * node holding most of its memory among those with room, else the node
 * with most room. A group in hold-off keeps its node while it fits.
 */
static int knumad_place_one_group(const struct knumad_group_in *g, int nr_nodes,
				  const unsigned int *capacity, const unsigned int *load,
				  const struct knumad_node_params *params)
{
	int cur = g->cur >= 0 && g->cur < nr_nodes ? g->cur : NUMA_NO_NODE;
	int mem, n, best = NUMA_NO_NODE;

	if (g->held && cur != NUMA_NO_NODE && knumad_group_fits(g, cur, load, capacity))
		return cur;
	mem = knumad_choose_node(g->pages, g->pages, nr_nodes, cur, params);
	if (mem != NUMA_NO_NODE && knumad_group_fits(g, mem, load, capacity))
		return mem;
	if (cur != NUMA_NO_NODE && knumad_group_fits(g, cur, load, capacity))
		return cur;
	for (n = 0; n < nr_nodes; n++) {
		if (knumad_group_fits(g, n, load, capacity) &&
		    (best == NUMA_NO_NODE || g->pages[n] > g->pages[best]))
			best = n;
	}
	if (best != NUMA_NO_NODE)
		return best;
	/* Fits nowhere: where its memory is if no node could hold it at all. */
	for (n = 0; n < nr_nodes; n++) {
		if (g->threads <= capacity[n])
			break;
	}
	if (n == nr_nodes && mem != NUMA_NO_NODE)
		return mem;
	for (n = 0; n < nr_nodes; n++) {
		long room = (long)capacity[n] - load[n];

		if (best == NUMA_NO_NODE || room > (long)capacity[best] - load[best])
			best = n;
	}
	return best;
}

/**
 * knumad_place_groups() - Choose a node for every numa_group at once.
 * @groups: the groups (@nr_groups entries), in a stable order.
 * @nr_groups: number of groups.
 * @capacity: CPUs per node (@nr_nodes entries).
 * @nr_nodes: number of nodes.
 * @params: hysteresis for memory-driven moves (min_hot_pages is unused:
 *	groups are placed by resident memory).
 * @load: scratch, @nr_nodes entries: out: threads placed per node.
 * @order: scratch, @nr_groups entries.
 * @out: out: the node of each group (NUMA_NO_NODE for a group with no
 *	memory and no node yet).
 *
 * Groups with more threads choose first (ties: the order given, so the
 * result is stable from pass to pass). Each takes a node where its threads
 * fit beside those of the groups before it, preferring its memory's node,
 * then its current node; so groups that together do not fit on one node
 * end up on different nodes, and a group moves only when its memory tips
 * over or room requires it. Groups without threads take no room.
 */
void knumad_place_groups(const struct knumad_group_in *groups, int nr_groups,
			 const unsigned int *capacity, int nr_nodes,
			 const struct knumad_node_params *params,
			 unsigned int *load, int *order, int *out)
{
	int i, j;

	for (i = 0; i < nr_nodes; i++)
		load[i] = 0;
	/* Insertion sort by threads, descending, stable. */
	for (i = 0; i < nr_groups; i++) {
		for (j = i; j > 0 && groups[order[j - 1]].threads < groups[i].threads; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < nr_groups; i++) {
		const struct knumad_group_in *g = &groups[order[i]];
		int nid;

		if (!knumad_sum(g->pages, nr_nodes) && g->cur == NUMA_NO_NODE) {
			out[order[i]] = NUMA_NO_NODE;
			continue;
		}
		nid = knumad_place_one_group(g, nr_nodes, capacity, load, params);
		out[order[i]] = nid;
		if (nid != NUMA_NO_NODE)
			load[nid] += g->threads;
	}
}
