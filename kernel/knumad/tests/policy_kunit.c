// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for knumad's pure policy functions (kernel/knumad/policy.c).
 */
#include <kunit/test.h>
#include <linux/sched/sysctl.h>

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

static struct kunit_case knumad_policy_cases[] = {
	KUNIT_CASE(numa_balancing_off_allows_knumad),
	KUNIT_CASE(numa_balancing_normal_excludes_knumad),
	KUNIT_CASE(memory_tiering_alone_allows_knumad),
	{}
};

static struct kunit_suite knumad_policy_suite = {
	.name = "knumad_policy",
	.test_cases = knumad_policy_cases,
};

kunit_test_suite(knumad_policy_suite);

MODULE_DESCRIPTION("KUnit tests for knumad's placement policy");
MODULE_LICENSE("GPL");
