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
	{}
};

static struct kunit_suite knumad_policy_suite = {
	.name = "knumad_policy",
	.test_cases = knumad_policy_cases,
};

kunit_test_suite(knumad_policy_suite);

MODULE_DESCRIPTION("KUnit tests for knumad's placement policy");
MODULE_LICENSE("GPL");
