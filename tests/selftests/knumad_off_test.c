// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel built with CONFIG_KNUMAD=n has nothing of knumad: no sysctl, no
 * thread, no numa_group syscalls, and upstream NUMA balancing works as it
 * always did.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "knumad_util.h"

TEST(no_knumad_sysctl)
{
	EXPECT_EQ(-1, access(KNUMAD_SYSCTL, F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(ENOENT, sysctl_write(KNUMAD_SYSCTL, "1"));
}

TEST(no_knumad_thread)
{
	EXPECT_EQ(0, find_kthread("knumad"));
}

/* The syscall numbers exist in the table, but COND_SYSCALL answers. */
TEST(numa_group_calls_are_enosys)
{
	errno = 0;
	EXPECT_EQ(-1, syscall(463, NULL, 0, 0));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, syscall(464, -1, -1, 0, 4096, 0));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, syscall(465, -1, -1, 0));
	EXPECT_EQ(ENOSYS, errno);
}

TEST(numa_balancing_is_upstreams)
{
	long saved = sysctl_read(NUMA_BALANCING_SYSCTL);
	char val[16];

	ASSERT_NE(-1, saved);
	EXPECT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "1"));
	EXPECT_EQ(1, sysctl_read(NUMA_BALANCING_SYSCTL));
	EXPECT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "0"));
	EXPECT_EQ(0, sysctl_read(NUMA_BALANCING_SYSCTL));
	snprintf(val, sizeof(val), "%ld", saved);
	sysctl_write(NUMA_BALANCING_SYSCTL, val);
}

TEST_HARNESS_MAIN
