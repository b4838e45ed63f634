// SPDX-License-Identifier: GPL-2.0
/*
 * knumad core: the on/off switch and the lifetime of the knumad kthread.
 *
 * The kthread exists only while knumad is enabled (kernel.knumad = 1 or
 * knumad=1 on the command line). It is freezable and sleeps until there is
 * work. See Documentation/admin-guide/mm/knumad.rst.
 *
 * Lock ordering:
 *
 *   knumad_mutex
 *     (nothing nests inside it; the kthread never takes it, which is what
 *      makes kthread_stop() under the mutex safe)
 *
 * knumad_mutex serialises every change of who places tasks: enabling or
 * disabling knumad and writes of kernel.numa_balancing (through
 * knumad_placement_lock()), so the two placers are never both on.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/capability.h>
#include <linux/freezer.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/knumad.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/numa_balancing.h>
#include <linux/sched/sysctl.h>
#include <linux/sysctl.h>
#include <linux/wait.h>

#include "knumad_internal.h"

DEFINE_STATIC_KEY_FALSE(knumad_enabled_key);

/* Serialises enable/disable and numa_balancing writes; see top of file. */
static DEFINE_MUTEX(knumad_mutex);

/* The kthread, or NULL while disabled. Protected by knumad_mutex. */
static struct task_struct *knumad_thread;

/* The kthread sleeps here until there is work or it is told to stop. */
static DECLARE_WAIT_QUEUE_HEAD(knumad_wait);

/* Set by knumad= on the command line; acted on once, at late init. */
static bool knumad_boot_enable __initdata;

/**
 * knumad_placement_lock() - Stop knumad from being enabled or disabled.
 *
 * Writers of kernel.numa_balancing take this around their check and update,
 * so that knumad and upstream NUMA balancing are never both placing tasks.
 * May sleep.
 */
void knumad_placement_lock(void)
{
	mutex_lock(&knumad_mutex);
}

/**
 * knumad_placement_unlock() - Undo knumad_placement_lock().
 */
void knumad_placement_unlock(void)
{
	mutex_unlock(&knumad_mutex);
}

/*
 * Whether the thread has something to do. Nothing is registered for
 * scanning yet, so for now it only wakes to stop.
 */
static bool knumad_has_work(void)
{
	return false;
}

static int knumad_threadfn(void *unused)
{
	set_freezable();
	set_user_nice(current, MAX_NICE);

	while (!kthread_should_stop()) {
		wait_event_freezable(knumad_wait,
				     kthread_should_stop() || knumad_has_work());
	}
	return 0;
}

static int knumad_start(void)
{
	struct task_struct *thread;

	lockdep_assert_held(&knumad_mutex);

	if (knumad_thread)
		return 0;
	if (knumad_conflicts_with_numa_balancing(sysctl_numa_balancing_mode))
		return -EBUSY;

	thread = kthread_run(knumad_threadfn, NULL, "knumad");
	if (IS_ERR(thread)) {
		pr_err("cannot start the knumad thread: %pe\n", thread);
		return PTR_ERR(thread);
	}
	knumad_thread = thread;
	static_branch_enable(&knumad_enabled_key);
	return 0;
}

static void knumad_stop(void)
{
	lockdep_assert_held(&knumad_mutex);

	if (!knumad_thread)
		return;
	/* Hooks see knumad off before the thread goes away. */
	static_branch_disable(&knumad_enabled_key);
	kthread_stop(knumad_thread);
	knumad_thread = NULL;
}

static int knumad_set_enabled(bool enable)
{
	int err = 0;

	mutex_lock(&knumad_mutex);
	if (enable)
		err = knumad_start();
	else
		knumad_stop();
	mutex_unlock(&knumad_mutex);
	return err;
}

/*
 * kernel.knumad: 0 or 1. A value out of range or a write that does not
 * parse fails with -EINVAL; enabling while upstream NUMA balancing places
 * tasks fails with -EBUSY. Either way nothing changes.
 */
static int knumad_sysctl_handler(const struct ctl_table *table, int write,
				 void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table t = *table;
	int state = knumad_enabled();
	int err;

	if (write && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	t.data = &state;
	err = proc_dointvec_minmax(&t, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	return knumad_set_enabled(state);
}

static struct ctl_table knumad_sysctls[] = {
	{
		.procname	= "knumad",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= knumad_sysctl_handler,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
};

static int __init knumad_setup(char *str)
{
	if (kstrtobool(str, &knumad_boot_enable)) {
		pr_warn("ignoring bad knumad= value '%s'\n", str);
		knumad_boot_enable = false;
	}
	return 1;
}
__setup("knumad=", knumad_setup);

static int __init knumad_init(void)
{
	int err;

	register_sysctl_init("kernel", knumad_sysctls);

	if (!knumad_boot_enable)
		return 0;

	/*
	 * knumad=1 asks for knumad as the placer: it takes precedence over
	 * upstream NUMA balancing's default-on, and says so.
	 */
	knumad_placement_lock();
	if (knumad_conflicts_with_numa_balancing(sysctl_numa_balancing_mode)) {
		pr_info("knumad=1: disabling numa_balancing, knumad places tasks\n");
		set_numabalancing_state(false);
	}
	err = knumad_start();
	knumad_placement_unlock();
	if (err)
		pr_err("knumad=1 given but knumad could not start: %d\n", err);
	return 0;
}
late_initcall(knumad_init);
