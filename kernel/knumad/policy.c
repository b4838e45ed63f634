// SPDX-License-Identifier: GPL-2.0
/*
 * knumad policy: pure decision functions, no locking and no mm access.
 *
 * See Documentation/mm/knumad.rst for the rules implemented here.
 */
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/numa.h>
#include <linux/sched/sysctl.h>
#include <linux/time64.h>
#include "policy.h"

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

/* The default CPU budget per node with CPUs, and its ceiling (percent). */
#define KNUMAD_CPU_PERCENT_PER_NODE	5U
#define KNUMAD_CPU_PERCENT_DEFAULT_MAX	50U

/**
 * knumad_default_cpu_percent() - The CPU budget knumad starts with.
 * @nr_cpu_nodes: nodes with CPUs.
 *
 * The memory to place and the threads to run elsewhere grow with the
 * nodes, while knumad is one thread: with a budget of fixed size, every
 * node more makes it converge more slowly (at 4 nodes the benchmark found
 * it spending its whole budget with a tenth of the misplaced memory
 * moved). So the budget grows with the nodes, up to half a CPU, which
 * leaves the thread's CPU to the workload most of the time.
 *
 * Return: %KNUMAD_CPU_PERCENT_PER_NODE percent of one CPU per node, at
 * most %KNUMAD_CPU_PERCENT_DEFAULT_MAX, at least the per-node share.
 */
unsigned int knumad_default_cpu_percent(unsigned int nr_cpu_nodes)
{
	return clamp(nr_cpu_nodes * KNUMAD_CPU_PERCENT_PER_NODE, KNUMAD_CPU_PERCENT_PER_NODE,
		     KNUMAD_CPU_PERCENT_DEFAULT_MAX);
}

/**
 * knumad_budget_refill() - What a CPU budget holds after some wall time.
 * @tokens_ns: CPU time the budget holds now (negative: overdrawn).
 * @elapsed_ns: wall time since it was last refilled.
 * @max_cpu_pct: the budget, in percent of one CPU (1-100).
 * @window_ms: how much of the budget may be saved up: at most
 *	@max_cpu_pct percent of @window_ms.
 *
 * A token bucket: the budget earns @max_cpu_pct percent of the wall time
 * and each pass spends its CPU time. Saving up is what lets knumad move a
 * process's memory at once when it has to (a burst), while over any
 * interval T it uses at most @max_cpu_pct percent of T + @window_ms.
 *
 * Return: the new content of the budget, in ns.
 */
s64 knumad_budget_refill(s64 tokens_ns, u64 elapsed_ns, unsigned int max_cpu_pct,
			 unsigned int window_ms)
{
	s64 cap;

	max_cpu_pct = clamp(max_cpu_pct, 1U, 100U);
	cap = div_u64((u64)window_ms * NSEC_PER_MSEC * max_cpu_pct, 100);
	/* Past the window nothing more is saved: clamp before multiplying. */
	elapsed_ns = min_t(u64, elapsed_ns, (u64)window_ms * NSEC_PER_MSEC + NSEC_PER_SEC);
	tokens_ns += div_u64(elapsed_ns * max_cpu_pct, 100);
	return min(tokens_ns, cap);
}

/**
 * knumad_budget_sleep_ms() - How long to sleep after a pass to stay within
 * the CPU budget.
 * @tokens_ns: what the budget holds after the pass (negative: overdrawn).
 * @max_cpu_pct: the budget, in percent of one CPU (1-100).
 * @min_sleep_ms: the configured sleep between passes.
 *
 * An overdrawn budget is refilled at @max_cpu_pct percent of the wall
 * time: a deficit of d needs d * 100 / p asleep.
 *
 * Return: the larger of @min_sleep_ms and that time, in milliseconds
 * (rounded up), capped at one hour.
 */
unsigned int knumad_budget_sleep_ms(s64 tokens_ns, unsigned int max_cpu_pct,
				    unsigned int min_sleep_ms)
{
	u64 sleep_ms;

	if (tokens_ns >= 0)
		return min_sleep_ms;
	max_cpu_pct = clamp(max_cpu_pct, 1U, 100U);
	sleep_ms = DIV_ROUND_UP_ULL(div_u64((u64)-tokens_ns * 100, max_cpu_pct), NSEC_PER_MSEC);
	sleep_ms = min_t(u64, sleep_ms, 3600 * MSEC_PER_SEC);
	return max_t(unsigned int, sleep_ms, min_sleep_ms);
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
 * @params: the tolerance, the patience and the free floor.
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
 * within @params->tolerance, or, if the destination has more free memory
 * than the source, until the two are level: moving memory towards the
 * emptier node evens them out, so it needs no partner. A flow with nothing
 * the other way needs none either while its destination keeps more free
 * memory than its @params->free_floor: pairing keeps nodes from filling
 * up, and waiting where memory is plentiful would only delay convergence.
 * A flow that stayed lonely that long moves on its own, within the
 * headroom.
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
			if (demand[d * nr_nodes + s] || lonely_ms[f] < params->patience_ms) {
				/* Half the difference in room levels the two nodes. */
				long level = (room - headroom[s]) / 2;

				cap = min(cap, max(within, level));
				/* Alone, into plenty: what stays above the floor. */
				if (!demand[d * nr_nodes + s] && params->free_floor)
					cap = max(cap, room - params->free_floor[d]);
			}
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

/**
 * knumad_unit_holds() - Should a unit be held on its node?
 * @nid: its node, or NUMA_NO_NODE.
 * @reason: why it got that node (enum knumad_reason).
 * @changed: jiffies when its node last changed.
 * @mig: its migration walk: where its memory last moved to, and when.
 * @now: jiffies now.
 * @holdoff: the hold-off, in jiffies.
 *
 * A unit whose node changed recently, or whose memory still moves there,
 * stays on it while it fits, so nothing ping-pongs. A unit that got its
 * node without room there (overload) is never held: held units are placed
 * first, so it would take the room of a unit that fits there, whose memory
 * would then move away, and back.
 *
 * Return: true within @holdoff after its node changed, or after its memory
 * last moved to @nid.
 */
bool knumad_unit_holds(int nid, unsigned int reason, unsigned long changed,
		       const struct knumad_mig_cursor *mig, unsigned long now,
		       unsigned long holdoff)
{
	if (nid == NUMA_NO_NODE || reason == KNUMAD_REASON_OVERLOAD)
		return false;
	return time_before(now, changed + holdoff) ||
	       (mig->last_dst == nid && time_before(now, mig->moved_at + holdoff));
}

/**
 * knumad_cpu_demand() - How much CPU one thread needed over an interval.
 * @busy_ns: the time it ran plus the time it waited to run.
 * @wall_ns: the length of the interval.
 *
 * Running and waiting both count: a thread that waited for a CPU wanted
 * one. A thread cannot use more than one CPU.
 *
 * Return: the demand in milli-CPUs, 0 to %KNUMAD_CPU.
 */
unsigned int knumad_cpu_demand(u64 busy_ns, u64 wall_ns)
{
	if (!wall_ns)
		return 0;
	if (busy_ns >= wall_ns)
		return KNUMAD_CPU;
	return div64_u64(busy_ns * KNUMAD_CPU, wall_ns);
}

/**
 * knumad_demand_smooth() - Fold a new demand measurement into the old one.
 * @old: the smoothed demand so far, in milli-CPUs.
 * @fresh: the demand measured over the last interval.
 * @interval_ns: the length of that interval.
 * @span_ns: the time over which old measurements fade.
 *
 * The new value weighs @fresh by the share of @span_ns the interval
 * covered: an interval as long as @span_ns replaces the old value, so a
 * thread seen again only after several passes is judged by what it did
 * meanwhile, not by what it did when first seen. Rounds down, so a thread
 * that stopped reaches 0.
 *
 * Return: the new smoothed demand, in milli-CPUs.
 */
unsigned int knumad_demand_smooth(unsigned int old, unsigned int fresh,
				  u64 interval_ns, u64 span_ns)
{
	u64 part = min(interval_ns, span_ns);

	if (!span_ns)
		return fresh;
	return div64_u64((u64)old * (span_ns - part) + (u64)fresh * part, span_ns);
}

/**
 * knumad_demand_next() - A thread's demand after a new measurement.
 * @old: its demand so far, in milli-CPUs.
 * @fresh: the demand measured over the last interval.
 * @interval_ns: the length of that interval.
 * @span_ns: the time over which a fall fades (knumad_demand_smooth()).
 * @asleep: the thread sleeps now, interruptibly (it waits for an event).
 *
 * Over an interval of at least an eighth of @span_ns (125 ms of a second),
 * a rise counts at once: a thread that starts working needs its CPU now;
 * and a thread that did not run at all and still sleeps needs none: its
 * fading demand would only make its unit look larger than it is (a main
 * thread that handed its work to its workers and waits for them). Shorter
 * intervals (passes 10 ms apart while memory moves) say too little for
 * either: they, and every fall, fade in over @span_ns
 * (knumad_demand_smooth()), so a thread that waited a moment keeps its
 * weight.
 *
 * Return: the new demand, in milli-CPUs.
 */
unsigned int knumad_demand_next(unsigned int old, unsigned int fresh, u64 interval_ns,
				u64 span_ns, bool asleep)
{
	if (interval_ns >= span_ns / 8) {
		if (fresh >= old)
			return fresh;
		if (!fresh && asleep)
			return 0;
	}
	return knumad_demand_smooth(old, fresh, interval_ns, span_ns);
}

static bool knumad_node_allowed(const struct knumad_unit_in *u, int nid)
{
	return nid >= 0 && (!u->allowed || node_isset(nid, *u->allowed));
}

/**
 * knumad_unit_room() - The CPU a unit takes on its node, in milli-CPUs.
 * @weight: the CPU its threads needed lately (struct knumad_unit_in).
 *
 * Under one CPU, what it needs, so small units share a node. From one CPU
 * on, whole CPUs, rounded to the nearest: busy threads each take a CPU,
 * and their measured sum carries noise and, for a second or so, the
 * fading demand of a thread that just stopped (a main thread handing over
 * to its workers), which must not make a process that fits a node look
 * larger than it.
 *
 * Return: the room it needs, in milli-CPUs.
 */
unsigned int knumad_unit_room(unsigned int weight)
{
	if (weight < KNUMAD_CPU)
		return weight;
	return DIV_ROUND_CLOSEST(weight, KNUMAD_CPU) * KNUMAD_CPU;
}

static bool knumad_unit_fits(const struct knumad_unit_in *u, int nid,
			     const unsigned long *load, const unsigned int *capacity)
{
	return knumad_node_allowed(u, nid) &&
	       load[nid] + knumad_unit_room(u->weight) <= capacity[nid];
}

/* What placement weighs a unit's memory by: hot pages, unless too few. */
static const unsigned long *knumad_unit_weights(const struct knumad_unit_in *u, int nr_nodes,
						const struct knumad_node_params *params)
{
	if (u->hot && knumad_sum(u->hot, nr_nodes) >= max(params->min_hot_pages, 1UL))
		return u->hot;
	return u->pages;
}

/* The largest capacity among the nodes @u may use. */
static unsigned int knumad_unit_max_room(const struct knumad_unit_in *u,
					 const unsigned int *capacity, int nr_nodes)
{
	unsigned int best = 0;
	int n;

	for (n = 0; n < nr_nodes; n++) {
		if (knumad_node_allowed(u, n))
			best = max(best, capacity[n]);
	}
	return best;
}

/* A unit busier than any node it may use: its load, spread over them. */
static void knumad_spread_load(const struct knumad_unit_in *u, const unsigned int *capacity,
			       int nr_nodes, unsigned long *load)
{
	unsigned long total = 0;
	int n;

	for (n = 0; n < nr_nodes; n++) {
		if (knumad_node_allowed(u, n))
			total += capacity[n];
	}
	for (n = 0; n < nr_nodes && total; n++) {
		if (knumad_node_allowed(u, n))
			load[n] += div64_u64((u64)knumad_unit_room(u->weight) * capacity[n],
					     total);
	}
}

/*
 * The node with room for @u that holds most of its memory; ties go to the
 * node with most room left, then to the lowest node. NUMA_NO_NODE if no
 * allowed node has room.
 */
static int knumad_best_room(const struct knumad_unit_in *u, const unsigned long *weight,
			    const unsigned int *capacity, int nr_nodes,
			    const unsigned long *load)
{
	int n, best = NUMA_NO_NODE;

	for (n = 0; n < nr_nodes; n++) {
		if (!knumad_unit_fits(u, n, load, capacity))
			continue;
		if (best == NUMA_NO_NODE || weight[n] > weight[best] ||
		    (weight[n] == weight[best] &&
		     capacity[n] - load[n] > capacity[best] - load[best]))
			best = n;
	}
	return best;
}

/* The allowed node with the least load beyond its capacity. */
static int knumad_least_loaded(const struct knumad_unit_in *u, const unsigned int *capacity,
			       int nr_nodes, const unsigned long *load)
{
	int n, best = NUMA_NO_NODE;

	for (n = 0; n < nr_nodes; n++) {
		if (!knumad_node_allowed(u, n))
			continue;
		if (best == NUMA_NO_NODE ||
		    (long)(load[n] - capacity[n]) < (long)(load[best] - capacity[best]))
			best = n;
	}
	return best;
}

/* Place one unit that needs room, given what the units before it took. */
static void knumad_assign_one(const struct knumad_unit_in *u, int mem, int nr_nodes,
			      const unsigned int *capacity,
			      const struct knumad_node_params *params,
			      unsigned long *load, struct knumad_unit_out *out)
{
	const unsigned long *weight = knumad_unit_weights(u, nr_nodes, params);
	int cur = u->cur >= 0 && u->cur < nr_nodes ? u->cur : NUMA_NO_NODE;
	int nid = knumad_best_room(u, weight, capacity, nr_nodes, load);

	if (mem != NUMA_NO_NODE && knumad_unit_fits(u, mem, load, capacity)) {
		out->nid = mem;
		out->reason = mem == cur && u->held ? KNUMAD_REASON_KEPT : KNUMAD_REASON_MEMORY;
	} else if (cur != NUMA_NO_NODE && knumad_unit_fits(u, cur, load, capacity)) {
		/* Converging there already: stay, do not start over elsewhere. */
		out->nid = cur;
		out->reason = KNUMAD_REASON_KEPT;
	} else if (nid >= 0) {
		out->nid = nid;
		out->reason = knumad_node_allowed(u, mem) ? KNUMAD_REASON_ROOM :
							    KNUMAD_REASON_ALLOWED;
	} else if (knumad_node_allowed(u, mem)) {
		out->nid = mem;
		out->reason = KNUMAD_REASON_OVERLOAD;
	} else {
		out->nid = knumad_least_loaded(u, capacity, nr_nodes, load);
		out->reason = KNUMAD_REASON_ALLOWED;
	}
	if (out->nid != NUMA_NO_NODE)
		load[out->nid] += knumad_unit_room(u->weight);
}

/* Pages @u would move if displaced from @mem: none if its memory stays. */
static unsigned long knumad_pages_at_stake(const struct knumad_unit_in *u, int mem)
{
	return u->memory_stays ? 0 : u->pages[mem];
}

/*
 * Sort key of a unit that needs room: held units first; then the units that
 * would move most memory if pushed off their memory's node; then the busier.
 * Returns true if @a goes before @b.
 */
static bool knumad_goes_first(const struct knumad_unit_in *a, unsigned long a_pages,
			      const struct knumad_unit_in *b, unsigned long b_pages)
{
	if (a->held != b->held)
		return a->held;
	if (a_pages != b_pages)
		return a_pages > b_pages;
	return a->weight > b->weight;
}

/**
 * knumad_assign() - Give every unit (process, numa_group, thread) a node,
 * all together, within the CPU capacity of the nodes.
 * @units: the units (@nr_units entries), in a stable order.
 * @nr_units: number of units.
 * @capacity: CPU capacity per node, in milli-CPUs (@nr_nodes entries).
 * @nr_nodes: number of nodes.
 * @params: hysteresis and the hot-page floor for each unit's memory node.
 * @load: scratch, @nr_nodes entries: out: milli-CPUs placed per node.
 * @order: scratch, @nr_units entries.
 * @out: out: each unit's node and the reason for it.
 *
 * A unit's memory node is where most of its hot memory is (with
 * hysteresis against its current node). Units that need (almost) no CPU,
 * less than %KNUMAD_CPU_IDLE, stay with their memory and take no room. A
 * process busier than any node it may use is spread: no node is forced on
 * it (an explicit group is kept together even then). Every other unit
 * needs room for its weight (knumad_unit_room(): whole CPUs from one CPU
 * on, so noise in the demand neither spreads nor displaces it): units in
 * hold-off keep their node first; then, in order of the memory they would
 * move if displaced (most first, so the assignment moves the fewest pages;
 * none for a unit whose memory stays), each takes its memory node if its
 * threads fit there beside the units placed before it, else stays on its
 * current node if it fits (it is converging there), else takes the allowed
 * node with room that holds most of its memory, in which case its memory
 * follows it. A unit that fits nowhere stays with its memory. The result
 * depends only on the inputs and their order, so it is stable from pass to
 * pass.
 */
void knumad_assign(const struct knumad_unit_in *units, int nr_units,
		   const unsigned int *capacity, int nr_nodes,
		   const struct knumad_node_params *params,
		   unsigned long *load, int *order, struct knumad_unit_out *out)
{
	int i, j, nr = 0;

	for (i = 0; i < nr_nodes; i++)
		load[i] = 0;

	for (i = 0; i < nr_units; i++) {
		const struct knumad_unit_in *u = &units[i];
		int cur = u->cur >= 0 && u->cur < nr_nodes ? u->cur : NUMA_NO_NODE;
		int mem = knumad_choose_node(u->pages, knumad_unit_weights(u, nr_nodes, params),
					     nr_nodes, cur, params);

		out[i].nid = mem;
		if (mem == NUMA_NO_NODE) {
			out[i].reason = KNUMAD_REASON_NONE;
		} else if (u->weight < KNUMAD_CPU_IDLE) {
			out[i].reason = KNUMAD_REASON_IDLE;
		} else if (!u->keep_together &&
			   knumad_unit_room(u->weight) >
			   knumad_unit_max_room(u, capacity, nr_nodes)) {
			out[i].nid = NUMA_NO_NODE;
			out[i].reason = KNUMAD_REASON_SPREAD;
			knumad_spread_load(u, capacity, nr_nodes, load);
		} else {
			/* Needs room: insertion sort into @order, stable. */
			unsigned long pages = knumad_pages_at_stake(u, mem);

			for (j = nr; j > 0; j--) {
				const struct knumad_unit_in *o = &units[order[j - 1]];
				unsigned long o_pages =
					knumad_pages_at_stake(o, out[order[j - 1]].nid);

				if (!knumad_goes_first(u, pages, o, o_pages))
					break;
				order[j] = order[j - 1];
			}
			order[j] = i;
			nr++;
		}
	}

	/* Held units keep their node while it fits. */
	for (i = 0; i < nr; i++) {
		const struct knumad_unit_in *u = &units[order[i]];

		if (u->held && u->cur >= 0 && u->cur < nr_nodes &&
		    knumad_unit_fits(u, u->cur, load, capacity)) {
			out[order[i]].nid = u->cur;
			out[order[i]].reason = KNUMAD_REASON_KEPT;
			load[u->cur] += knumad_unit_room(u->weight);
			order[i] = -1;
		}
	}
	for (i = 0; i < nr; i++) {
		if (order[i] >= 0)
			knumad_assign_one(&units[order[i]], out[order[i]].nid, nr_nodes,
					  capacity, params, load, &out[order[i]]);
	}
}

/**
 * knumad_hint_private() - Does a thread work on memory of its own?
 * @priv: its hinting faults on pages nobody else touched before it.
 * @shared: its faults on pages another task touched before.
 * @was_private: the answer last time.
 *
 * Private when at least 70% of at least %KNUMAD_HINT_MIN_FAULTS faults
 * were; it stays private until that share falls under 40%, so a thread on
 * the border does not flap. With fewer faults, the answer stays.
 *
 * Return: true if the thread counts as working on private memory.
 */
bool knumad_hint_private(u32 priv, u32 shared, bool was_private)
{
	u64 total = (u64)priv + shared;

	if (total < KNUMAD_HINT_MIN_FAULTS)
		return was_private;
	return (u64)priv * 100 >= total * (was_private ? 40 : 70);
}

/**
 * knumad_cluster_find() - The cluster a thread is in (union-find).
 * @parent: the forest: each entry its parent's index, a root itself.
 * @i: the thread's index.
 *
 * Halves the path as it goes.
 * Return: the index of the cluster's root.
 */
int knumad_cluster_find(int *parent, int i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/**
 * knumad_cluster_join() - Put two threads that share memory in one cluster.
 * @parent: the forest (see knumad_cluster_find()).
 * @a: one thread's index.
 * @b: the other's.
 *
 * The lower root becomes the root, so the result does not depend on the
 * order of the joins.
 */
void knumad_cluster_join(int *parent, int a, int b)
{
	a = knumad_cluster_find(parent, a);
	b = knumad_cluster_find(parent, b);
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

/**
 * knumad_region_owner() - Which cluster a region of memory belongs to.
 * @weight: the hinting faults each cluster took there (@nr entries).
 * @nr: number of clusters that touched it.
 *
 * A region goes with a cluster that took at least two thirds of its faults;
 * memory used from several clusters about evenly is shared: it stays where
 * it is rather than ping-pong between their nodes.
 *
 * Return: the index of the owner, or -1 if the region is shared.
 */
int knumad_region_owner(const u32 *weight, int nr)
{
	u64 total = 0;
	int i, best = -1;

	for (i = 0; i < nr; i++) {
		total += weight[i];
		if (best < 0 || weight[i] > weight[best])
			best = i;
	}
	if (best < 0 || !weight[best] || (u64)weight[best] * 3 < total * 2)
		return -1;
	return best;
}
