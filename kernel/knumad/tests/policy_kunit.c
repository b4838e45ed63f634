// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for knumad's pure policy functions (kernel/knumad/policy.c).
 */
#include <kunit/test.h>
#include <linux/numa.h>
#include <linux/sched/sysctl.h>
#include <linux/time64.h>

#include "../knumad_internal.h"

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
	/* 10 ms of work at 5%: at least 190 ms asleep. */
	KUNIT_EXPECT_EQ(test, 190U, knumad_budget_sleep_ms(10 * NSEC_PER_MSEC, 5, 10));
	/* The configured sleep wins when it is longer. */
	KUNIT_EXPECT_EQ(test, 500U, knumad_budget_sleep_ms(10 * NSEC_PER_MSEC, 5, 500));
	/* 100% needs no extra sleep; 0% is treated as 1%. */
	KUNIT_EXPECT_EQ(test, 20U, knumad_budget_sleep_ms(10 * NSEC_PER_MSEC, 100, 20));
	KUNIT_EXPECT_EQ(test, 990U, knumad_budget_sleep_ms(10 * NSEC_PER_MSEC, 0, 0));
	/* Rounded up, never zero after real work. */
	KUNIT_EXPECT_EQ(test, 1U, knumad_budget_sleep_ms(1000, 50, 0));
	/* Capped at an hour. */
	KUNIT_EXPECT_EQ(test, 3600U * 1000,
			knumad_budget_sleep_ms(1000ULL * NSEC_PER_SEC, 1, 0));
}

static void majority_node_needs_enough_threads(struct kunit *test)
{
	unsigned int one[] = { 0, 1 }, spread[] = { 2, 2 }, most[] = { 1, 3 };
	unsigned int none[] = { 0, 0 };

	KUNIT_EXPECT_EQ(test, 1, knumad_majority_node(one, 2, 75));
	KUNIT_EXPECT_EQ(test, NUMA_NO_NODE, knumad_majority_node(spread, 2, 75));
	KUNIT_EXPECT_EQ(test, 1, knumad_majority_node(most, 2, 75));
	KUNIT_EXPECT_EQ(test, NUMA_NO_NODE, knumad_majority_node(most, 2, 76));
	KUNIT_EXPECT_EQ(test, NUMA_NO_NODE, knumad_majority_node(none, 2, 75));
}

static const struct knumad_memory_params mparams = {
	.busy_scans = 2,
	.holdoff_ms = 10000,
};

static void memory_follows_pinned_tasks(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, knumad_memory_should_follow(0, 1, true, 0,
							    NUMA_NO_NODE, 0, &mparams));
	/* Threads where most memory is: the rest follows, pinned or not. */
	KUNIT_EXPECT_TRUE(test, knumad_memory_should_follow(1, 1, true, 0,
							    NUMA_NO_NODE, 0, &mparams));
	KUNIT_EXPECT_TRUE(test, knumad_memory_should_follow(1, 1, false, 0,
							    NUMA_NO_NODE, 0, &mparams));
	/* Threads spread over nodes, or no data: stay put. */
	KUNIT_EXPECT_FALSE(test, knumad_memory_should_follow(0, NUMA_NO_NODE, true, 0,
							     NUMA_NO_NODE, 0, &mparams));
	KUNIT_EXPECT_FALSE(test, knumad_memory_should_follow(NUMA_NO_NODE, 1, true, 0,
							     NUMA_NO_NODE, 0, &mparams));
}

static void tasks_move_first_memory_after_busy_scans(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, knumad_memory_should_follow(0, 1, false, 1,
							     NUMA_NO_NODE, 0, &mparams));
	KUNIT_EXPECT_TRUE(test, knumad_memory_should_follow(0, 1, false, 2,
							    NUMA_NO_NODE, 0, &mparams));
}

static void holdoff_stops_ping_pong(struct kunit *test)
{
	/* Memory just went to node 0; the task now sits on node 1. */
	KUNIT_EXPECT_FALSE(test, knumad_memory_should_follow(0, 1, true, 0, 0, 9999,
							     &mparams));
	KUNIT_EXPECT_TRUE(test, knumad_memory_should_follow(0, 1, true, 0, 0, 10000,
							    &mparams));
	/* More of the same direction is not ping-pong. */
	KUNIT_EXPECT_TRUE(test, knumad_memory_should_follow(0, 1, true, 0, 1, 0,
							    &mparams));
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

static const struct knumad_node_params group_params = { .hysteresis_pct = 25 };
static const unsigned int two_cpus_each[] = { 2, 2 };

/* Place @nr groups on 2 nodes of 2 CPUs; results in @out. */
static void place(const struct knumad_group_in *g, int nr, int *out)
{
	unsigned int load[2];
	int order[4];

	knumad_place_groups(g, nr, two_cpus_each, 2, &group_params, load, order, out);
}

static void groups_follow_their_memory(struct kunit *test)
{
	unsigned long on0[] = { 900, 100 }, on1[] = { 10, 990 };
	struct knumad_group_in g[] = {
		{ .threads = 1, .pages = on0, .cur = NUMA_NO_NODE },
		{ .threads = 1, .pages = on1, .cur = NUMA_NO_NODE },
	};
	int out[2];

	place(g, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0]);
	KUNIT_EXPECT_EQ(test, 1, out[1]);
}

static void groups_that_do_not_fit_together_split(struct kunit *test)
{
	unsigned long a[] = { 1000, 0 }, b[] = { 800, 0 };
	struct knumad_group_in g[] = {
		{ .threads = 2, .pages = a, .cur = NUMA_NO_NODE },
		{ .threads = 2, .pages = b, .cur = NUMA_NO_NODE },
	};
	int out[2];

	place(g, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0]);
	KUNIT_EXPECT_EQ(test, 1, out[1]);
	/* Same again: the result is stable, nobody ping-pongs. */
	g[0].cur = out[0];
	g[1].cur = out[1];
	place(g, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[0]);
	KUNIT_EXPECT_EQ(test, 1, out[1]);
}

static void larger_group_chooses_first(struct kunit *test)
{
	unsigned long small[] = { 1000, 0 }, big[] = { 600, 400 };
	struct knumad_group_in g[] = {
		{ .threads = 1, .pages = small, .cur = NUMA_NO_NODE },
		{ .threads = 2, .pages = big, .cur = NUMA_NO_NODE },
	};
	int out[2];

	place(g, 2, out);
	KUNIT_EXPECT_EQ(test, 0, out[1]);	/* the big one gets its node */
	KUNIT_EXPECT_EQ(test, 1, out[0]);	/* the small one has no room there */
}

static void group_keeps_node_within_hysteresis(struct kunit *test)
{
	unsigned long pages[] = { 450, 550 };
	struct knumad_group_in g = { .threads = 1, .pages = pages, .cur = 0 };
	int out;

	place(&g, 1, &out);
	KUNIT_EXPECT_EQ(test, 0, out);
	pages[1] = 600;		/* 600 > 450 * 1.25: tips over */
	place(&g, 1, &out);
	KUNIT_EXPECT_EQ(test, 1, out);
	g.held = true;		/* but not during its hold-off */
	place(&g, 1, &out);
	KUNIT_EXPECT_EQ(test, 0, out);
}

static void oversized_group_stays_with_its_memory(struct kunit *test)
{
	unsigned long pages[] = { 10, 1000 }, none[] = { 0, 0 };
	struct knumad_group_in g[] = {
		{ .threads = 3, .pages = pages, .cur = NUMA_NO_NODE },
		{ .threads = 1, .pages = none, .cur = NUMA_NO_NODE },
	};
	int out[2];

	place(g, 2, out);
	KUNIT_EXPECT_EQ(test, 1, out[0]);
	KUNIT_EXPECT_EQ(test, NUMA_NO_NODE, out[1]);	/* nothing to go by */
}

static struct kunit_case knumad_policy_cases[] = {
	KUNIT_CASE(numa_balancing_off_allows_knumad),
	KUNIT_CASE(numa_balancing_normal_excludes_knumad),
	KUNIT_CASE(memory_tiering_alone_allows_knumad),
	KUNIT_CASE(choose_node_follows_hot_memory),
	KUNIT_CASE(choose_node_uses_resident_pages_when_idle),
	KUNIT_CASE(choose_node_hysteresis_keeps_current),
	KUNIT_CASE(choose_node_tie_keeps_current_or_lowest),
	KUNIT_CASE(choose_node_without_data_keeps_current),
	KUNIT_CASE(choose_node_ignores_out_of_range_current),
	KUNIT_CASE(budget_sleep_keeps_cpu_share),
	KUNIT_CASE(majority_node_needs_enough_threads),
	KUNIT_CASE(memory_follows_pinned_tasks),
	KUNIT_CASE(tasks_move_first_memory_after_busy_scans),
	KUNIT_CASE(holdoff_stops_ping_pong),
	KUNIT_CASE(pair_flows_matches_opposite_flows),
	KUNIT_CASE(pair_flows_net_gain_within_tolerance_and_headroom),
	KUNIT_CASE(pair_flows_lonely_flow_waits_then_goes),
	KUNIT_CASE(pair_flows_shares_destination_budget),
	KUNIT_CASE(groups_follow_their_memory),
	KUNIT_CASE(groups_that_do_not_fit_together_split),
	KUNIT_CASE(larger_group_chooses_first),
	KUNIT_CASE(group_keeps_node_within_hysteresis),
	KUNIT_CASE(oversized_group_stays_with_its_memory),
	{}
};

static struct kunit_suite knumad_policy_suite = {
	.name = "knumad_policy",
	.test_cases = knumad_policy_cases,
};

kunit_test_suite(knumad_policy_suite);

MODULE_DESCRIPTION("KUnit tests for knumad's placement policy");
MODULE_LICENSE("GPL");
