// SPDX-License-Identifier: GPL-2.0
/*
 * knumad=1 on the kernel command line: knumad is on from boot and has taken
 * over task placement from upstream NUMA balancing's default.
 *
 * Run in a guest booted with knumad=1; anything else is a usage error.
 */
#include "kselftest_harness.h"
#include "knumad_util.h"

static bool cmdline_has(const char *word)
{
	char buf[4096] = "", *tok, *save;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

TEST(boot_parameter_enables_knumad)
{
	ASSERT_TRUE(cmdline_has("knumad=1")) TH_LOG("boot this guest with knumad=1");
	EXPECT_EQ(1, sysctl_read(KNUMAD_SYSCTL));
	EXPECT_TRUE(wait_kthread("knumad", true, 5000));
	/* It took over from numa_balancing's default-on. */
	EXPECT_EQ(0, sysctl_read(NUMA_BALANCING_SYSCTL));
	EXPECT_EQ(EBUSY, sysctl_write(NUMA_BALANCING_SYSCTL, "1"));
}

TEST(disable_after_boot_stops_the_thread)
{
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	EXPECT_TRUE(wait_kthread("knumad", false, 5000));
	/* Now upstream may take over. */
	EXPECT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "1"));
	EXPECT_EQ(1, sysctl_read(NUMA_BALANCING_SYSCTL));
}

TEST_HARNESS_MAIN
