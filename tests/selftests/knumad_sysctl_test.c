// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel.knumad switch: it starts and stops the knumad kthread, refuses
 * bad input with EINVAL and changes nothing, and never lets knumad run
 * together with the normal mode of kernel.numa_balancing.
 *
 * Needs a kernel with CONFIG_KNUMAD=y, run as root.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "knumad_workers.h"

FIXTURE(knumad_sysctl) {
	struct knumad_settings saved;
};

FIXTURE_SETUP(knumad_sysctl)
{
	ASSERT_TRUE(settings_save(&self->saved, NULL, 0))
		TH_LOG("no %s: CONFIG_KNUMAD off?", KNUMAD_SYSCTL);
	/* Start from a known state: both placers off. */
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	ASSERT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "0"));
	ASSERT_TRUE(wait_kthread("knumad", false, 5000));
}

FIXTURE_TEARDOWN_PARENT(knumad_sysctl)
{
	settings_restore(&self->saved);
}

TEST_F(knumad_sysctl, enable_starts_and_disable_stops_the_thread)
{
	pid_t first, second;

	EXPECT_EQ(0, sysctl_read(KNUMAD_SYSCTL));
	ASSERT_EQ(0, find_kthread("knumad"));

	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	EXPECT_EQ(1, sysctl_read(KNUMAD_SYSCTL));
	ASSERT_TRUE(wait_kthread("knumad", true, 5000));
	first = find_kthread("knumad");

	/* Writing 1 again keeps the same thread. */
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	EXPECT_EQ(first, find_kthread("knumad"));

	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	EXPECT_EQ(0, sysctl_read(KNUMAD_SYSCTL));
	ASSERT_TRUE(wait_kthread("knumad", false, 5000));

	/* And it comes back, as a new thread. */
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	ASSERT_TRUE(wait_kthread("knumad", true, 5000));
	second = find_kthread("knumad");
	EXPECT_NE(0, second);
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	ASSERT_TRUE(wait_kthread("knumad", false, 5000));
}

TEST_F(knumad_sysctl, repeated_toggling_leaves_one_thread_or_none)
{
	int i;

	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, i & 1 ? "0" : "1"));
		ASSERT_EQ(!(i & 1), sysctl_read(KNUMAD_SYSCTL));
	}
	/* 50 writes end on "0". */
	ASSERT_TRUE(wait_kthread("knumad", false, 5000));
}

static const char * const bad_values[] = {
	"2", "-1", "abc", "1x", "0x", "99999999999999999999", "1.5", "", "\n", NULL,
};

/* Each bad value must fail with EINVAL and leave @state (and the thread) alone. */
static void check_bad_values_keep(struct __test_metadata *_metadata, int state)
{
	int i;

	for (i = 0; bad_values[i]; i++) {
		int err = sysctl_write(KNUMAD_SYSCTL, bad_values[i]);

		/* An empty write writes nothing and succeeds: it is not a value. */
		if (!bad_values[i][0]) {
			EXPECT_EQ(0, err);
		} else {
			EXPECT_EQ(EINVAL, err) TH_LOG("value '%s'", bad_values[i]);
		}
		EXPECT_EQ(state, sysctl_read(KNUMAD_SYSCTL)) TH_LOG("after '%s'", bad_values[i]);
		EXPECT_EQ(state, !!find_kthread("knumad")) TH_LOG("after '%s'", bad_values[i]);
	}
}

TEST_F(knumad_sysctl, bad_values_are_einval_and_change_nothing)
{
	check_bad_values_keep(_metadata, 0);
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	ASSERT_TRUE(wait_kthread("knumad", true, 5000));
	check_bad_values_keep(_metadata, 1);
}

TEST_F(knumad_sysctl, unprivileged_write_is_refused)
{
	pid_t child;
	int status;

	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		_exit(sysctl_write(KNUMAD_SYSCTL, "1"));
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EACCES, WEXITSTATUS(status));
	EXPECT_EQ(0, sysctl_read(KNUMAD_SYSCTL));
	EXPECT_EQ(0, find_kthread("knumad"));
}

TEST_F(knumad_sysctl, numa_balancing_normal_mode_excludes_knumad)
{
	/* Upstream placing tasks: knumad refuses to start. */
	ASSERT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "1"));
	EXPECT_EQ(EBUSY, sysctl_write(KNUMAD_SYSCTL, "1"));
	EXPECT_EQ(0, sysctl_read(KNUMAD_SYSCTL));
	EXPECT_EQ(0, find_kthread("knumad"));
	ASSERT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "3"));
	EXPECT_EQ(EBUSY, sysctl_write(KNUMAD_SYSCTL, "1"));

	/* knumad placing tasks: upstream's normal mode is refused... */
	ASSERT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "0"));
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	EXPECT_EQ(EBUSY, sysctl_write(NUMA_BALANCING_SYSCTL, "1"));
	EXPECT_EQ(EBUSY, sysctl_write(NUMA_BALANCING_SYSCTL, "3"));
	EXPECT_EQ(0, sysctl_read(NUMA_BALANCING_SYSCTL));
	EXPECT_EQ(1, sysctl_read(KNUMAD_SYSCTL));

	/* ...but memory tiering alone, which places no task, is allowed. */
	EXPECT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "2"));
	EXPECT_EQ(2, sysctl_read(NUMA_BALANCING_SYSCTL));
	EXPECT_EQ(1, sysctl_read(KNUMAD_SYSCTL));
	EXPECT_NE(0, find_kthread("knumad"));
}

TEST_HARNESS_MAIN
