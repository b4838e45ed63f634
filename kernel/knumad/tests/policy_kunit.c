// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for knumad's pure policy functions (kernel/knumad/policy.c,
 * and the scanner's rescan rule in mm/numa_migrate/rescan.c).
 */
#include <kunit/test.h>
#include <linux/knumad.h>
#include <linux/numa.h>
#include <linux/sched/sysctl.h>
#include <linux/time64.h>

#include "../policy.h"

static void numa_balancing_off_allows_knumad(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test,
			   knumad_conflicts_with_numa_balancing(NUMA_BALANCING_DISABLED));
}

static void numa_balancing_normal_excludes_knumad(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test,
			  knumad_conflicts_with_numa_balancing(NUMA_BALANCING_NORMAL));
	KUNIT_EXPECT_TRUE(test,
			  knumad_conflicts_with_numa_balancing(NUMA_BALANCING_NORMAL |
							       NUMA_BALANCING_MEMORY_TIERING));
}

static void memory_tiering_alone_allows_knumad(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test,
			   knumad_conflicts_with_numa_balancing(NUMA_BALANCING_MEMORY_TIERING));
}

static const struct knumad_node_params params = {
	.hysteresis_pct = 25,
	.min_hot_pages = 100,
};

static void choose_node_follows_hot_memory(struct kunit *test)
{
	unsigned long pages[] = { 1000, 1000 };
	unsigned long hot[] = { 50, 500 };

	KUNIT_EXPECT_EQ(test, 1, knumad_choose_node(pages, hot, 2, NUMA_NO_NODE, &params));
	KUNIT_EXPECT_EQ(test, 1, knumad_choose_node(pages, hot, 2, 0, &params));
}

static void choose_node_uses_resident_pages_when_idle(struct kunit *test)
{
	unsigned long pages[] = { 100, 9000, 50 };
	unsigned long hot[] = { 60, 0, 0 };	/* under min_hot_pages */

	KUNIT_EXPECT_EQ(test, 1, knumad_choose_node(pages, hot, 3, NUMA_NO_NODE, &params));
}

static void choose_node_hysteresis_keeps_current(struct kunit *test)
{
	unsigned long pages[] = { 0, 0 };
	unsigned long hot[] = { 1000, 1200 };	/* +20% < 25% */

	KUNIT_EXPECT_EQ(test, 0, knumad_choose_node(pages, hot, 2, 0, &params));
	/* Exactly +25% is not enough either: it must be more. */
	hot[1] = 1250;
	KUNIT_EXPECT_EQ(test, 0, knumad_choose_node(pages, hot, 2, 0, &params));
	hot[1] = 1251;
	KUNIT_EXPECT_EQ(test, 1, knumad_choose_node(pages, hot, 2, 0, &params));
}

static void choose_node_tie_keeps_current_or_lowest(struct kunit *test)
{
	unsigned long pages[] = { 0, 0, 0 };
	unsigned long hot[] = { 300, 500, 500 };

	KUNIT_EXPECT_EQ(test, 2, knumad_choose_node(pages, hot, 3, 2, &params));
	KUNIT_EXPECT_EQ(test, 1, knumad_choose_node(pages, hot, 3, NUMA_NO_NODE, &params));
}

static void choose_node_without_data_keeps_current(struct kunit *test)
{
	unsigned long zero[] = { 0, 0 };

	KUNIT_EXPECT_EQ(test, NUMA_NO_NODE,
			knumad_choose_node(zero, zero, 2, NUMA_NO_NODE, &params));
	KUNIT_EXPECT_EQ(test, 1, knumad_choose_node(zero, zero, 2, 1, &params));
}

static void choose_node_ignores_out_of_range_current(struct kunit *test)
{
	unsigned long pages[] = { 10, 900 };
	unsigned long hot[] = { 0, 0 };

	KUNIT_EXPECT_EQ(test, 1, knumad_choose_node(pages, hot, 2, 7, &params));
}

static void budget_sleep_keeps_cpu_share(struct kunit *test)
{
	/* Overdrawn by 10 ms at 5%: 200 ms asleep to earn it back. */
	KUNIT_EXPECT_EQ(test, 200U, knumad_budget_sleep_ms(-10 * NSEC_PER_MSEC, 5, 10));
	/* The configured sleep wins when it is longer, or nothing is owed. */
	KUNIT_EXPECT_EQ(test, 500U, knumad_budget_sleep_ms(-10 * NSEC_PER_MSEC, 5, 500));
	KUNIT_EXPECT_EQ(test, 20U, knumad_budget_sleep_ms(0, 5, 20));
	KUNIT_EXPECT_EQ(test, 20U, knumad_budget_sleep_ms(5 * NSEC_PER_MSEC, 5, 20));
	/* 0% is treated as 1%. */
	KUNIT_EXPECT_EQ(test, 1000U, knumad_budget_sleep_ms(-10 * NSEC_PER_MSEC, 0, 0));
	/* Rounded up, never zero after real work. */
	KUNIT_EXPECT_EQ(test, 1U, knumad_budget_sleep_ms(-1000, 50, 0));
	/* Capped at an hour. */
	KUNIT_EXPECT_EQ(test, 3600U * 1000,
			knumad_budget_sleep_ms(-1000LL * NSEC_PER_SEC, 1, 0));
}

static void budget_default_grows_with_the_nodes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 5U, knumad_default_cpu_percent(0));
	KUNIT_EXPECT_EQ(test, 5U, knumad_default_cpu_percent(1));
	KUNIT_EXPECT_EQ(test, 10U, knumad_default_cpu_percent(2));
	KUNIT_EXPECT_EQ(test, 20U, knumad_default_cpu_percent(4));
	/* Half a CPU at most, however many nodes. */
	KUNIT_EXPECT_EQ(test, 50U, knumad_default_cpu_percent(10));
	KUNIT_EXPECT_EQ(test, 50U, knumad_default_cpu_percent(1024));
}

static void budget_refill_earns_share_and_saves_a_window(struct kunit *test)
{
	/* 1 s of wall time at 5% earns 50 ms. */
	KUNIT_EXPECT_EQ(test, 50LL * NSEC_PER_MSEC,
			knumad_budget_refill(0, NSEC_PER_SEC, 5, 60000));
	/* An overdraft is paid back first. */
	KUNIT_EXPECT_EQ(test, 30LL * NSEC_PER_MSEC,
			knumad_budget_refill(-20 * NSEC_PER_MSEC, NSEC_PER_SEC, 5, 60000));
	/* At most 5% of the 60 s window is saved: 3 s, however long idle. */
	KUNIT_EXPECT_EQ(test, 3LL * NSEC_PER_SEC,
			knumad_budget_refill(0, 3600ULL * NSEC_PER_SEC, 5, 60000));
	KUNIT_EXPECT_EQ(test, 3LL * NSEC_PER_SEC,
			knumad_budget_refill(3LL * NSEC_PER_SEC, NSEC_PER_SEC, 5, 60000));
}

static const struct knumad_flow_params fparams = {
	.tolerance = 500,
	.patience_ms = 3000,
};

static void pair_flows_matches_opposite_flows(struct kunit *test)
{
	/* 0->1 wants 1000, 1->0 wants 300; no headroom anywhere. */
	unsigned long demand[] = { 0, 1000, 300, 0 }, allowed[4];
	long headroom[] = { 0, 0 }, net[] = { 0, 0 };
	unsigned int lonely[4] = {};

	KUNIT_EXPECT_EQ(test, 0UL, knumad_pair_flows(demand, headroom, net, lonely,
						     &fparams, 2, allowed));
	KUNIT_EXPECT_EQ(test, 300UL, allowed[1]);
	KUNIT_EXPECT_EQ(test, 300UL, allowed[2]);
	KUNIT_EXPECT_EQ(test, 0UL, allowed[0]);
	KUNIT_EXPECT_EQ(test, 0UL, allowed[3]);
}

static void pair_flows_net_gain_within_tolerance_and_headroom(struct kunit *test)
{
	unsigned long demand[] = { 0, 1000, 300, 0 }, allowed[4];
	long headroom[] = { 5000, 5000 }, net[] = { 0, 0 };
	unsigned int lonely[4] = {};

	/* 700 unpaired, tolerance 500 allows 500 of them. */
	KUNIT_EXPECT_EQ(test, 500UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &fparams, 2, allowed));
	KUNIT_EXPECT_EQ(test, 800UL, allowed[1]);
	KUNIT_EXPECT_EQ(test, 300UL, allowed[2]);
	/* What node 1 already gained counts against the tolerance. */
	net[1] = 400;
	KUNIT_EXPECT_EQ(test, 100UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &fparams, 2, allowed));
	/* Headroom below the tolerance limits it further; < 0 means none. */
	net[1] = 0;
	headroom[1] = 100;
	KUNIT_EXPECT_EQ(test, 100UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &fparams, 2, allowed));
	headroom[1] = -50;
	KUNIT_EXPECT_EQ(test, 0UL, knumad_pair_flows(demand, headroom, net, lonely,
						     &fparams, 2, allowed));
	KUNIT_EXPECT_EQ(test, 300UL, allowed[1]);
}

static void pair_flows_lonely_flow_waits_then_goes(struct kunit *test)
{
	/* Only 0->1; node 1 has plenty of room and gained 500 already. */
	unsigned long demand[] = { 0, 4000, 0, 0 }, allowed[4];
	long headroom[] = { 9000, 9000 }, net[] = { -500, 500 };
	unsigned int lonely[4] = { 0, 2999, 0, 0 };

	/* Still waiting for a partner: held at the tolerance. */
	KUNIT_EXPECT_EQ(test, 0UL, knumad_pair_flows(demand, headroom, net, lonely,
						     &fparams, 2, allowed));
	/* Patience is over: it moves on its own, within the headroom. */
	lonely[1] = 3000;
	KUNIT_EXPECT_EQ(test, 4000UL, knumad_pair_flows(demand, headroom, net, lonely,
							&fparams, 2, allowed));
	headroom[1] = 1000;
	KUNIT_EXPECT_EQ(test, 1000UL, knumad_pair_flows(demand, headroom, net, lonely,
							&fparams, 2, allowed));
}

static void pair_flows_shares_destination_budget(struct kunit *test)
{
	/* Three nodes: 0->2 and 1->2 both want 400, nothing flows back. */
	unsigned long demand[9] = { [2] = 400, [5] = 400 }, allowed[9];
	long headroom[] = { 1000, 1000, 1000 }, net[3] = {};
	unsigned int lonely[9] = {};

	KUNIT_EXPECT_EQ(test, 500UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &fparams, 3, allowed));
	KUNIT_EXPECT_EQ(test, 500UL, allowed[2] + allowed[5]);
}

static void pair_flows_towards_emptier_node_needs_no_partner(struct kunit *test)
{
	/* Only 0->1, node 1 much emptier: it may move until both are level. */
	unsigned long demand[] = { 0, 9000, 0, 0 }, allowed[4];
	long headroom[] = { 1000, 9000 }, net[] = { 0, 0 };
	unsigned int lonely[4] = {};

	KUNIT_EXPECT_EQ(test, 4000UL, knumad_pair_flows(demand, headroom, net, lonely,
							&fparams, 2, allowed));
	/* Towards the fuller node: only the tolerance, while it waits. */
	headroom[0] = 9000;
	headroom[1] = 1000;
	KUNIT_EXPECT_EQ(test, 500UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &fparams, 2, allowed));
}

static void pair_flows_alone_into_plenty_needs_no_partner(struct kunit *test)
{
	/* Only 0->1 (a pinned task's memory), both nodes level and roomy. */
	unsigned long demand[] = { 0, 9000, 0, 0 }, allowed[4];
	long headroom[] = { 8000, 8000 }, net[] = { 0, 0 }, floor[] = { 2000, 2000 };
	unsigned int lonely[4] = {};
	struct knumad_flow_params params = fparams;

	/* Without a floor it waits, held at the tolerance. */
	KUNIT_EXPECT_EQ(test, 500UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &params, 2, allowed));
	/* With one, it takes what leaves node 1 above it, at once. */
	params.free_floor = floor;
	KUNIT_EXPECT_EQ(test, 6000UL, knumad_pair_flows(demand, headroom, net, lonely,
							&params, 2, allowed));
	/* A partner flow: paired as before, the floor does not apply. */
	demand[2] = 1000;
	KUNIT_EXPECT_EQ(test, 500UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &params, 2, allowed));
	KUNIT_EXPECT_EQ(test, 1500UL, allowed[1]);
	/* A floor above the room changes nothing. */
	demand[2] = 0;
	floor[1] = 9000;
	KUNIT_EXPECT_EQ(test, 500UL, knumad_pair_flows(demand, headroom, net, lonely,
						       &params, 2, allowed));
}

static void cpu_demand_counts_run_and_wait(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 500U, knumad_cpu_demand(50, 100));
	KUNIT_EXPECT_EQ(test, KNUMAD_CPU, knumad_cpu_demand(100, 100));
	/* One thread never needs more than one CPU. */
	KUNIT_EXPECT_EQ(test, KNUMAD_CPU, knumad_cpu_demand(250, 100));
	KUNIT_EXPECT_EQ(test, 0U, knumad_cpu_demand(0, 100));
	KUNIT_EXPECT_EQ(test, 0U, knumad_cpu_demand(100, 0));
}

static void demand_smooth_weighs_by_interval(struct kunit *test)
{
	/* Half a span: half old, half new. */
	KUNIT_EXPECT_EQ(test, 500U, knumad_demand_smooth(KNUMAD_CPU, 0, 500, 1000));
	KUNIT_EXPECT_EQ(test, 750U, knumad_demand_smooth(500, KNUMAD_CPU, 500, 1000));
	/* A gap as long as the span or longer: only the gap counts. */
	KUNIT_EXPECT_EQ(test, 0U, knumad_demand_smooth(KNUMAD_CPU, 0, 1000, 1000));
	KUNIT_EXPECT_EQ(test, 300U, knumad_demand_smooth(KNUMAD_CPU, 300, 5000, 1000));
	/* A busy thread stays at one CPU; a stopped one reaches 0. */
	KUNIT_EXPECT_EQ(test, KNUMAD_CPU, knumad_demand_smooth(KNUMAD_CPU, KNUMAD_CPU, 500, 1000));
	KUNIT_EXPECT_EQ(test, 0U, knumad_demand_smooth(1, 0, 500, 1000));
	/* No interval: nothing changes; no span: the new value. */
	KUNIT_EXPECT_EQ(test, 400U, knumad_demand_smooth(400, KNUMAD_CPU, 0, 1000));
	KUNIT_EXPECT_EQ(test, 7U, knumad_demand_smooth(400, 7, 0, 0));
	/* Real spans in ns do not overflow. */
	KUNIT_EXPECT_EQ(test, 875U, knumad_demand_smooth(KNUMAD_CPU, 0, NSEC_PER_SEC / 2,
							 4 * NSEC_PER_SEC));
}

static void demand_rises_at_once_and_sleepers_need_none(struct kunit *test)
{
	/* Over an eighth of the span or more, a rise counts at once. */
	KUNIT_EXPECT_EQ(test, KNUMAD_CPU, knumad_demand_next(0, KNUMAD_CPU, 125, 1000, false));
	KUNIT_EXPECT_EQ(test, 600U, knumad_demand_next(500, 600, 200, 1000, true));
	/* A fall fades over the span, also for a sleeper that ran a little. */
	KUNIT_EXPECT_EQ(test, 800U, knumad_demand_next(KNUMAD_CPU, 0, 200, 1000, false));
	KUNIT_EXPECT_EQ(test, 820U, knumad_demand_next(KNUMAD_CPU, 100, 200, 1000, true));
	/* Slept through the interval and sleeps still: nothing. */
	KUNIT_EXPECT_EQ(test, 0U, knumad_demand_next(KNUMAD_CPU, 0, 200, 1000, true));
	/* A short interval says too little: it only fades in, either way. */
	KUNIT_EXPECT_EQ(test, 10U, knumad_demand_next(0, KNUMAD_CPU, 10, 1000, false));
	KUNIT_EXPECT_EQ(test, 990U, knumad_demand_next(KNUMAD_CPU, 0, 10, 1000, true));
}

static void unit_holds_within_holdoff_unless_overloaded(struct kunit *test)
{
	/* Near the wrap, so time_before() is what decides. */
	const unsigned long t0 = ULONG_MAX - 50, holdoff = 100;
	const struct knumad_mig_cursor still = { .last_dst = NUMA_NO_NODE };
	/* Its memory last moved to node 1 at t0 + 150. */
	const struct knumad_mig_cursor moving = { .last_dst = 1, .moved_at = t0 + 150 };
	/* Each unit's node changed at t0. */
	const struct {
		int nid;
		unsigned int reason;
		const struct knumad_mig_cursor *mig;
		unsigned long after;
		bool held;
	} cases[] = {
		/* Held for the hold-off, then free. */
		{ 1, KNUMAD_REASON_ROOM, &still, 99, true },
		{ 1, KNUMAD_REASON_ROOM, &still, 100, false },
		/* Placed without room: never held, not to take a fitter unit's room. */
		{ 1, KNUMAD_REASON_OVERLOAD, &still, 1, false },
		{ NUMA_NO_NODE, KNUMAD_REASON_NONE, &still, 1, false },
		/* Memory still moving to its node holds it past the hold-off... */
		{ 1, KNUMAD_REASON_KEPT, &moving, 200, true },
		{ 1, KNUMAD_REASON_KEPT, &moving, 250, false },
		/* ...but not memory moving to another node, nor in overload. */
		{ 0, KNUMAD_REASON_KEPT, &moving, 200, false },
		{ 1, KNUMAD_REASON_OVERLOAD, &moving, 200, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, cases[i].held,
				    knumad_unit_holds(cases[i].nid, cases[i].reason, t0,
						      cases[i].mig, t0 + cases[i].after,
						      holdoff),
				    "case %u", i);
}

static const struct knumad_node_params aparams = {
	.hysteresis_pct = 25,
	.min_hot_pages = 100,
};

/* Two nodes of two CPUs each. */
static const unsigned int two_by_two[] = { 2 * KNUMAD_CPU, 2 * KNUMAD_CPU };

static void assign(const struct knumad_unit_in *u, int nr, struct knumad_unit_out *out)
{
	unsigned long load[2];
	int order[8];

	knumad_assign(u, nr, two_by_two, 2, &aparams, load, order, out);
}

#define UNIT(w, p, c)	{ .weight = (w), .pages = (p), .hot = (p), .cur = (c) }

static void assign_busy_processes_split_over_nodes(struct kunit *test)
{
	/* numa01: two processes as busy as a node, all memory on node 0. */
	unsigned long a[] = { 1000, 0 }, b[] = { 800, 0 };
	struct knumad_unit_in u[] = {
		UNIT(2 * KNUMAD_CPU, a, NUMA_NO_NODE),
		UNIT(2 * KNUMAD_CPU, b, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[2];

	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_MEMORY, out[0].reason);
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_ROOM, out[1].reason);
	KUNIT_EXPECT_TRUE(test, knumad_unit_moves_memory(&out[1]));
}

static void assign_converging_unit_keeps_its_node(struct kunit *test)
{
	/* Half of b moved to node 1 so far; it is held there, a stays. */
	unsigned long a[] = { 1000, 0 }, b[] = { 400, 400 };
	struct knumad_unit_in u[] = {
		UNIT(2 * KNUMAD_CPU, a, 0),
		UNIT(2 * KNUMAD_CPU, b, 1),
	};
	struct knumad_unit_out out[2];

	u[1].held = true;
	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_KEPT, out[1].reason);
	/* Not held any more: still no reason to swap them. */
	u[1].held = false;
	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);
}

static void assign_late_arrival_does_not_ping_pong(struct kunit *test)
{
	unsigned long a[] = { 1000, 0 }, b[] = { 0, 800 }, c[] = { 300, 0 };
	struct knumad_unit_in u[] = {
		UNIT(2 * KNUMAD_CPU, a, 0),
		UNIT(2 * KNUMAD_CPU, b, 1),
		UNIT(2 * KNUMAD_CPU, c, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[3];

	assign(u, 3, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);
	/* No room anywhere: it stays with its memory, moving nothing. */
	KUNIT_EXPECT_EQ(test, 0, out[2].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_OVERLOAD, out[2].reason);
	KUNIT_EXPECT_FALSE(test, out[2].nid != 0 && knumad_unit_moves_memory(&out[2]));
}

static void assign_moves_the_smaller_memory(struct kunit *test)
{
	/* One CPU busy each, nodes of one CPU: the big one keeps node 0. */
	static const unsigned int one_by_two[] = { KNUMAD_CPU, KNUMAD_CPU };
	unsigned long small[] = { 10, 0 }, big[] = { 5000, 0 }, load[2];
	struct knumad_unit_in u[] = {
		UNIT(KNUMAD_CPU, small, NUMA_NO_NODE),
		UNIT(KNUMAD_CPU, big, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[2];
	int order[2];

	knumad_assign(u, 2, one_by_two, 2, &aparams, load, order, out);
	KUNIT_EXPECT_EQ(test, 0, out[1].nid);
	KUNIT_EXPECT_EQ(test, 1, out[0].nid);
}

static void assign_process_larger_than_node_spreads(struct kunit *test)
{
	/* numa02 as one process: 4 busy threads, 2 CPUs per node. */
	unsigned long p[] = { 1000, 0 }, q[] = { 0, 500 };
	struct knumad_unit_in u[] = {
		UNIT(4 * KNUMAD_CPU, p, NUMA_NO_NODE),
		UNIT(KNUMAD_CPU, q, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[2];

	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, NUMA_NO_NODE, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_SPREAD, out[0].reason);
	KUNIT_EXPECT_FALSE(test, knumad_unit_moves_memory(&out[0]));
	/* Its load counts on both nodes: the other unit has no room left. */
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_OVERLOAD, out[1].reason);
}

static void assign_rounds_busy_units_to_whole_cpus(struct kunit *test)
{
	/* A main thread fading out beside two fresh workers: 2.3 CPUs. */
	unsigned long a[] = { 1000, 0 }, b[] = { 900, 0 };
	struct knumad_unit_in u[] = {
		UNIT(2 * KNUMAD_CPU + 334, a, NUMA_NO_NODE),
		UNIT(2 * KNUMAD_CPU - 180, b, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[2];

	KUNIT_EXPECT_EQ(test, 400U, knumad_unit_room(400));
	KUNIT_EXPECT_EQ(test, KNUMAD_CPU, knumad_unit_room(KNUMAD_CPU + 499));
	KUNIT_EXPECT_EQ(test, 2 * KNUMAD_CPU, knumad_unit_room(KNUMAD_CPU + 500));
	/* Not spread, and both fit: one per node, as for 2.0 each. */
	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_MEMORY, out[0].reason);
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_ROOM, out[1].reason);
	/* A third busy thread's worth is more than a node: spread. */
	u[0].weight = 2 * KNUMAD_CPU + 500;
	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_SPREAD, out[0].reason);
}

static void assign_group_larger_than_node_stays_together(struct kunit *test)
{
	unsigned long p[] = { 10, 1000 };
	struct knumad_unit_in u[] = { UNIT(3 * KNUMAD_CPU, p, NUMA_NO_NODE) };
	struct knumad_unit_out out[1];

	u[0].keep_together = true;
	assign(u, 1, out);
	KUNIT_EXPECT_EQ(test, 1, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_OVERLOAD, out[0].reason);
}

static void assign_idle_unit_takes_no_room(struct kunit *test)
{
	unsigned long idle[] = { 5000, 0 }, busy[] = { 100, 0 };
	struct knumad_unit_in u[] = {
		UNIT(0, idle, NUMA_NO_NODE),
		UNIT(2 * KNUMAD_CPU, busy, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[2];

	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_IDLE, out[0].reason);
	KUNIT_EXPECT_FALSE(test, knumad_unit_moves_memory(&out[0]));
	KUNIT_EXPECT_EQ(test, 0, out[1].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_MEMORY, out[1].reason);
}

static void assign_nearly_idle_process_leaves_room_to_group(struct kunit *test)
{
	/* The main thread of a process whose workers form a group on node 0. */
	unsigned long proc[] = { 17000, 0 }, grp_a[] = { 16384, 0 }, grp_b[] = { 0, 16384 };
	struct knumad_unit_in u[] = {
		UNIT(KNUMAD_CPU_IDLE - 1, proc, NUMA_NO_NODE),
		UNIT(2 * KNUMAD_CPU, grp_a, NUMA_NO_NODE),
		UNIT(2 * KNUMAD_CPU, grp_b, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[3];

	u[1].keep_together = true;
	u[2].keep_together = true;
	assign(u, 3, out);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_IDLE, out[0].reason);
	KUNIT_EXPECT_FALSE(test, knumad_unit_moves_memory(&out[0]));
	KUNIT_EXPECT_EQ(test, 0, out[1].nid);
	KUNIT_EXPECT_EQ(test, 1, out[2].nid);
}

static void assign_process_whose_memory_stays_goes_last(struct kunit *test)
{
	/* A busy process whose memory a group holds: the group keeps node 0. */
	unsigned long proc[] = { 20000, 0 }, grp[] = { 16384, 0 };
	struct knumad_unit_in u[] = {
		UNIT(KNUMAD_CPU, proc, NUMA_NO_NODE),
		UNIT(2 * KNUMAD_CPU, grp, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[2];

	u[1].keep_together = true;
	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);	/* without the flag: pushed off */
	u[0].memory_stays = true;
	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[1].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_MEMORY, out[1].reason);
	KUNIT_EXPECT_EQ(test, 1, out[0].nid);
}

static void assign_respects_allowed_nodes(struct kunit *test)
{
	/* Pinned to node 1, memory on node 0: the memory must follow. */
	unsigned long p[] = { 1000, 0 };
	struct knumad_unit_in u[] = { UNIT(KNUMAD_CPU, p, NUMA_NO_NODE) };
	struct knumad_unit_out out[1];
	nodemask_t only1 = NODE_MASK_NONE;

	node_set(1, only1);
	u[0].allowed = &only1;
	assign(u, 1, out);
	KUNIT_EXPECT_EQ(test, 1, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_ALLOWED, out[0].reason);
	KUNIT_EXPECT_TRUE(test, knumad_unit_moves_memory(&out[0]));
}

static void assign_hysteresis_and_hot_memory(struct kunit *test)
{
	unsigned long pages[] = { 1000, 1000 }, hot[] = { 450, 550 };
	struct knumad_unit_in u[] = {
		{ .weight = KNUMAD_CPU, .pages = pages, .hot = hot, .cur = 0 },
	};
	struct knumad_unit_out out[1];

	assign(u, 1, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);	/* +22% < 25% */
	hot[1] = 600;
	assign(u, 1, out);
	KUNIT_EXPECT_EQ(test, 1, out[0].nid);
	/* Held: kept while it fits. */
	u[0].held = true;
	assign(u, 1, out);
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_KEPT, out[0].reason);
}

static void assign_groups_and_processes_share_nodes(struct kunit *test)
{
	/* A group of 2 vCPUs and a process of 2 busy threads, both on node 1. */
	unsigned long g[] = { 0, 4000 }, p[] = { 0, 1000 };
	struct knumad_unit_in u[] = {
		UNIT(2 * KNUMAD_CPU, p, NUMA_NO_NODE),
		UNIT(2 * KNUMAD_CPU, g, NUMA_NO_NODE),
	};
	struct knumad_unit_out out[2];

	u[1].keep_together = true;
	assign(u, 2, out);
	KUNIT_EXPECT_EQ(test, 1, out[1].nid);	/* more memory: first choice */
	KUNIT_EXPECT_EQ(test, 0, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_ROOM, out[0].reason);
}

static void assign_without_data_decides_nothing(struct kunit *test)
{
	unsigned long none[] = { 0, 0 };
	struct knumad_unit_in u[] = { UNIT(KNUMAD_CPU, none, NUMA_NO_NODE) };
	struct knumad_unit_out out[1];

	assign(u, 1, out);
	KUNIT_EXPECT_EQ(test, NUMA_NO_NODE, out[0].nid);
	KUNIT_EXPECT_EQ(test, KNUMAD_REASON_NONE, out[0].reason);
	KUNIT_EXPECT_FALSE(test, knumad_unit_moves_memory(&out[0]));
}

static void hint_private_needs_faults_and_has_hysteresis(struct kunit *test)
{
	/* Too few faults: the answer stays. */
	KUNIT_EXPECT_FALSE(test, knumad_hint_private(5, 0, false));
	KUNIT_EXPECT_TRUE(test, knumad_hint_private(0, 5, true));
	/* 70% private makes a thread private... */
	KUNIT_EXPECT_TRUE(test, knumad_hint_private(70, 30, false));
	KUNIT_EXPECT_FALSE(test, knumad_hint_private(69, 31, false));
	/* ...and it stays so down to 40%. */
	KUNIT_EXPECT_TRUE(test, knumad_hint_private(40, 60, true));
	KUNIT_EXPECT_FALSE(test, knumad_hint_private(39, 61, true));
}

static void clusters_join_threads_that_share(struct kunit *test)
{
	int parent[6], i;

	for (i = 0; i < 6; i++)
		parent[i] = i;
	/* Teams {0, 3} and {1, 4, 5}; 2 alone. Order does not matter. */
	knumad_cluster_join(parent, 3, 0);
	knumad_cluster_join(parent, 5, 4);
	knumad_cluster_join(parent, 1, 5);
	KUNIT_EXPECT_EQ(test, 0, knumad_cluster_find(parent, 3));
	KUNIT_EXPECT_EQ(test, 1, knumad_cluster_find(parent, 4));
	KUNIT_EXPECT_EQ(test, 1, knumad_cluster_find(parent, 5));
	KUNIT_EXPECT_EQ(test, 2, knumad_cluster_find(parent, 2));
	KUNIT_EXPECT_NE(test, knumad_cluster_find(parent, 0), knumad_cluster_find(parent, 1));
	/* Joining twice changes nothing. */
	knumad_cluster_join(parent, 4, 1);
	KUNIT_EXPECT_EQ(test, 1, knumad_cluster_find(parent, 4));
}

static void region_owner_needs_two_thirds(struct kunit *test)
{
	u32 one[] = { 10 }, clear[] = { 80, 20 }, even[] = { 55, 45 }, none[] = { 0 };

	KUNIT_EXPECT_EQ(test, 0, knumad_region_owner(one, 1));
	KUNIT_EXPECT_EQ(test, 0, knumad_region_owner(clear, 2));
	/* Used about evenly from two clusters: shared, it stays. */
	KUNIT_EXPECT_EQ(test, -1, knumad_region_owner(even, 2));
	KUNIT_EXPECT_EQ(test, -1, knumad_region_owner(none, 1));
	KUNIT_EXPECT_EQ(test, -1, knumad_region_owner(none, 0));
}

static unsigned int rescan(unsigned int interval, const unsigned long *op, const unsigned long *oh,
			   const unsigned long *np, const unsigned long *nh)
{
	return knumad_rescan_interval(interval, op, oh, np, nh, 2, 64, 200, 6400);
}

static void rescan_backs_off_while_nothing_changes(struct kunit *test)
{
	unsigned long pages[] = { 10000, 6000 }, hot[] = { 5000, 3000 };
	unsigned long hot_more[] = { 9000, 5400 };	/* longer interval, same shape */
	unsigned int ms = rescan(0, pages, hot, pages, hot);

	KUNIT_EXPECT_EQ(test, ms, 200);	/* first scan */
	ms = rescan(ms, pages, hot, pages, hot);
	KUNIT_EXPECT_EQ(test, ms, 400);
	ms = rescan(ms, pages, hot, pages, hot_more);
	KUNIT_EXPECT_EQ(test, ms, 800);
	ms = rescan(4000, pages, hot, pages, hot);
	KUNIT_EXPECT_EQ(test, ms, 6400);	/* at most the maximum */
	ms = rescan(6400, pages, hot, pages, hot);
	KUNIT_EXPECT_EQ(test, ms, 6400);
	ms = rescan(100, pages, hot, pages, hot);
	KUNIT_EXPECT_EQ(test, ms, 200);		/* at least the minimum */
}

static void rescan_restarts_on_a_change(struct kunit *test)
{
	unsigned long pages[] = { 10000, 6000 }, hot[] = { 5000, 3000 };
	unsigned long grown[] = { 12500, 6000 }, moved[] = { 8000, 8000 };
	unsigned long small[] = { 10500, 6000 };
	unsigned long hot_moved[] = { 2000, 6000 }, idle[] = { 10, 0 };

	KUNIT_EXPECT_EQ(test, rescan(3200, pages, hot, grown, hot), 200);
	KUNIT_EXPECT_EQ(test, rescan(3200, pages, hot, moved, hot), 200);
	KUNIT_EXPECT_EQ(test, rescan(3200, pages, hot, pages, hot_moved), 200);
	KUNIT_EXPECT_EQ(test, rescan(3200, pages, hot, pages, idle), 200);
	KUNIT_EXPECT_EQ(test, rescan(3200, pages, idle, pages, hot), 200);
	/* Less than an eighth is no change. */
	KUNIT_EXPECT_EQ(test, rescan(3200, pages, hot, small, hot), 6400);
}

static void rescan_idle_process_backs_off(struct kunit *test)
{
	unsigned long pages[] = { 10000, 0 }, idle[] = { 10, 0 }, idle2[] = { 0, 20 };

	/* Fewer hot pages than min_hot have no shape: only residency counts. */
	KUNIT_EXPECT_EQ(test, rescan(800, pages, idle, pages, idle2), 1600);
}

static struct kunit_case knumad_policy_cases[] = {
	KUNIT_CASE(numa_balancing_off_allows_knumad),
	KUNIT_CASE(rescan_backs_off_while_nothing_changes),
	KUNIT_CASE(rescan_restarts_on_a_change),
	KUNIT_CASE(rescan_idle_process_backs_off),
	KUNIT_CASE(numa_balancing_normal_excludes_knumad),
	KUNIT_CASE(memory_tiering_alone_allows_knumad),
	KUNIT_CASE(choose_node_follows_hot_memory),
	KUNIT_CASE(choose_node_uses_resident_pages_when_idle),
	KUNIT_CASE(choose_node_hysteresis_keeps_current),
	KUNIT_CASE(choose_node_tie_keeps_current_or_lowest),
	KUNIT_CASE(choose_node_without_data_keeps_current),
	KUNIT_CASE(choose_node_ignores_out_of_range_current),
	KUNIT_CASE(budget_sleep_keeps_cpu_share),
	KUNIT_CASE(budget_default_grows_with_the_nodes),
	KUNIT_CASE(budget_refill_earns_share_and_saves_a_window),
	KUNIT_CASE(pair_flows_matches_opposite_flows),
	KUNIT_CASE(pair_flows_net_gain_within_tolerance_and_headroom),
	KUNIT_CASE(pair_flows_lonely_flow_waits_then_goes),
	KUNIT_CASE(pair_flows_shares_destination_budget),
	KUNIT_CASE(pair_flows_towards_emptier_node_needs_no_partner),
	KUNIT_CASE(pair_flows_alone_into_plenty_needs_no_partner),
	KUNIT_CASE(cpu_demand_counts_run_and_wait),
	KUNIT_CASE(demand_smooth_weighs_by_interval),
	KUNIT_CASE(demand_rises_at_once_and_sleepers_need_none),
	KUNIT_CASE(unit_holds_within_holdoff_unless_overloaded),
	KUNIT_CASE(assign_busy_processes_split_over_nodes),
	KUNIT_CASE(assign_converging_unit_keeps_its_node),
	KUNIT_CASE(assign_late_arrival_does_not_ping_pong),
	KUNIT_CASE(assign_moves_the_smaller_memory),
	KUNIT_CASE(assign_process_larger_than_node_spreads),
	KUNIT_CASE(assign_rounds_busy_units_to_whole_cpus),
	KUNIT_CASE(assign_group_larger_than_node_stays_together),
	KUNIT_CASE(assign_idle_unit_takes_no_room),
	KUNIT_CASE(assign_nearly_idle_process_leaves_room_to_group),
	KUNIT_CASE(assign_process_whose_memory_stays_goes_last),
	KUNIT_CASE(assign_respects_allowed_nodes),
	KUNIT_CASE(assign_hysteresis_and_hot_memory),
	KUNIT_CASE(assign_groups_and_processes_share_nodes),
	KUNIT_CASE(assign_without_data_decides_nothing),
	KUNIT_CASE(hint_private_needs_faults_and_has_hysteresis),
	KUNIT_CASE(clusters_join_threads_that_share),
	KUNIT_CASE(region_owner_needs_two_thirds),
	{}
};

static struct kunit_suite knumad_policy_suite = {
	.name = "knumad_policy",
	.test_cases = knumad_policy_cases,
};

kunit_test_suite(knumad_policy_suite);

MODULE_DESCRIPTION("KUnit tests for knumad's placement policy");
MODULE_LICENSE("GPL");
