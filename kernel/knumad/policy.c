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

static unsigned long knumad_sum(const unsigned long *v, int nr)
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
