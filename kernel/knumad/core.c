// SPDX-License-Identifier: GPL-2.0
/*
 * knumad core: the on/off switch, the knumad kthread and its passes.
 *
 * The kthread exists only while knumad is enabled (kernel.knumad = 1 or
 * knumad=1 on the command line). Each pass observes (registers new
 * processes, scans a bounded amount of their memory, counts where the
 * numa_groups' memory is, and builds one placement unit per process and
 * group), assigns (one node per unit, all together, within the nodes' CPU
 * capacity: policy.c), and acts (runs each unit's threads on its node, then
 * moves the memory of units whose memory is elsewhere, in paired flows).
 * Between passes it sleeps long enough to stay within its CPU budget, a
 * token bucket: the thread earns max_cpu_percent of the wall time and may
 * save up budget_window_ms worth of it for a burst, such as moving a
 * process's memory at once after its node changed.
 * See Documentation/admin-guide/mm/knumad.rst and Documentation/mm/knumad.rst.
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
 * The thread takes mmap_lock only by trylock, or killably after repeated
 * failures (mm/numa_migrate), the numa_group spinlock (group.c), and the
 * scheduler's own locks (knumad_sched_place()); it holds none of them
 * while sleeping on another.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/freezer.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/knumad.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/cputime.h>
#include <linux/sched/numa_balancing.h>
#include <linux/sched/signal.h>
#include <linux/sched/sysctl.h>
#include <linux/sysctl.h>
#include <linux/vmstat.h>
#include <linux/wait.h>

#define CREATE_TRACE_POINTS
#include <trace/events/knumad.h>

#include "internal.h"

DEFINE_STATIC_KEY_FALSE(knumad_enabled_key);

/* Serialises enable/disable and numa_balancing writes; see top of file. */
static DEFINE_MUTEX(knumad_mutex);

/* The kthread, or NULL while disabled. Protected by knumad_mutex. */
static struct task_struct *knumad_thread;

/* Set by knumad= on the command line; acted on once, at late init. */
static bool knumad_boot_enable __initdata;

/* The only context: knumad places for the whole machine. */
static struct knumad_ctx knumad_ctx = {
	.tun = {
		.scan_sleep_ms		= 200,
		.pages_to_scan		= 16384,
		.max_cpu_percent	= 5,	/* per node: knumad_init() */
		.budget_window_ms	= 60000,
		.hysteresis_percent	= 25,
		.min_anon_pages		= 256,
		.min_hot_pages		= 64,
		.migrate_max_mbps	= 256,
		.migrate_batch_pages	= 512,
		.pair_tolerance_pages	= 8192,
		.migrate_holdoff_ms	= 10000,
		.pair_wait_ms		= 5000,
		.pair_free_percent	= 25,
	},
	.wait = __WAIT_QUEUE_HEAD_INITIALIZER(knumad_ctx.wait),
};

/* With nothing to scan, look for new processes this much less often. */
#define KNUMAD_IDLE_SLEEP_FACTOR	5

/* The sleep between passes while memory is on the move. */
#define KNUMAD_MOVING_SLEEP_MS		10U

/* Pids (threads included) discovery looks at per pass. */
#define KNUMAD_DISCOVER_PIDS		256

/* A pass spends at most this much CPU, however much the budget holds. */
#define KNUMAD_PASS_MAX_NS		(500 * NSEC_PER_MSEC)

/**
 * knumad_count() - Count an event in knumad's counters and in vmstat.
 * @ctx: the context.
 * @item: knumad's counter.
 * @event: the vmstat event.
 * @nr: how many.
 */
void knumad_count(struct knumad_ctx *ctx, enum knumad_stat_item item,
		  enum vm_event_item event, unsigned long nr)
{
	atomic64_add(nr, &ctx->stats[item]);
	count_vm_events(event, nr);
}

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

/**
 * knumad_budget_spent() - Has the pass used up what it may spend?
 * @ctx: the context.
 *
 * The pass may spend what the CPU budget holds, and at most
 * %KNUMAD_PASS_MAX_NS, so other processes are looked at in between.
 * Context: the knumad thread.
 * Return: true if the pass should stop working now.
 */
bool knumad_budget_spent(struct knumad_ctx *ctx)
{
	u64 spent = task_sched_runtime(current) - ctx->pass_start_ns;

	return (s64)spent >= min_t(s64, ctx->budget_ns, KNUMAD_PASS_MAX_NS);
}

/* Pages the rate limit allows after @elapsed jiffies; at most 1 s worth. */
static unsigned long knumad_rate_pages(struct knumad_ctx *ctx, unsigned long elapsed)
{
	unsigned long per_sec = (unsigned long)knumad_tun(ctx, migrate_max_mbps) <<
				(20 - PAGE_SHIFT);

	elapsed = min_t(unsigned long, elapsed, HZ);
	return per_sec * elapsed / HZ;
}

/*
 * What scanning may spend of a pass: what the pass may spend, but only half
 * of it while memory waits to move, so a scan never starves migration. At
 * least one chunk, so scans always progress.
 */
static s64 knumad_scan_cpu_limit(struct knumad_ctx *ctx)
{
	s64 limit = min_t(s64, ctx->budget_ns, KNUMAD_PASS_MAX_NS);

	if (atomic64_read(&ctx->stats[KNUMAD_STAT_UNITS_CONVERGING]))
		limit /= 2;
	return max_t(s64, limit, 1);
}

/*
 * How long to sleep after a pass, with today's knobs and budget. While
 * memory is on the move the next pass follows at once (a short sleep so
 * others run), as long as the budget holds: it, the pass cap and the rate
 * limit bound the CPU and the bandwidth; the sleep would only make a
 * converging process wait.
 */
static unsigned int knumad_sleep_ms(struct knumad_ctx *ctx)
{
	unsigned int sleep_ms = knumad_tun(ctx, scan_sleep_ms);

	if (!knumad_mm_nr() && !knumad_groups_nr())
		sleep_ms *= KNUMAD_IDLE_SLEEP_FACTOR;
	else if (ctx->pass.more_to_move)
		sleep_ms = min(sleep_ms, KNUMAD_MOVING_SLEEP_MS);
	return knumad_budget_sleep_ms(ctx->budget_ns, knumad_tun(ctx, max_cpu_percent),
				      sleep_ms);
}

/* Earn the budget's share of the wall time since @*last (ns, monotonic). */
static void knumad_budget_earn(struct knumad_ctx *ctx, u64 *last)
{
	u64 now = ktime_get_ns();

	ctx->budget_ns = knumad_budget_refill(ctx->budget_ns, now - *last,
					      knumad_tun(ctx, max_cpu_percent),
					      knumad_tun(ctx, budget_window_ms));
	*last = now;
}

/*
 * One pass: observe, assign, act. Charges the budget with the thread's CPU
 * time since the previous pass began, so it also covers waking up and
 * sleeping.
 */
static void knumad_do_pass(struct knumad_ctx *ctx, unsigned long *prev_jiffies)
{
	unsigned int sleep_ms = knumad_tun(ctx, scan_sleep_ms);
	struct knumad_scan_control sc = {
		.budget = knumad_tun(ctx, pages_to_scan),
		.min_hot = knumad_tun(ctx, min_hot_pages),
		.min_interval_ms = sleep_ms,
		.max_interval_ms = KNUMAD_RESCAN_MAX_SLEEPS * sleep_ms,
	};
	unsigned long seq;
	u64 cpu_ns, now;

	seq = atomic64_inc_return(&ctx->stats[KNUMAD_STAT_PASSES]);
	ctx->pass_start_ns = task_sched_runtime(current);
	sc.cpu_start_ns = ctx->pass_start_ns;
	sc.cpu_limit_ns = knumad_scan_cpu_limit(ctx);
	trace_knumad_scan_start(seq, knumad_mm_nr());

	/* Observe. */
	knumad_mm_discover(knumad_tun(ctx, min_anon_pages), KNUMAD_DISCOVER_PIDS);
	knumad_scan_pass(&sc);
	knumad_units_build(ctx);
	/* Assign. */
	knumad_units_assign(ctx);
	/* Act. */
	knumad_units_place(ctx);
	knumad_flows_run(ctx, knumad_rate_pages(ctx, jiffies - *prev_jiffies));
	knumad_hints_arm(ctx);
	knumad_units_release(ctx);
	*prev_jiffies = jiffies;

	/* Everything since the last charge: waking up and sleeping too. */
	now = task_sched_runtime(current);
	cpu_ns = now - ctx->charged_ns;
	ctx->charged_ns = now;
	ctx->budget_ns -= cpu_ns;

	atomic64_add(cpu_ns, &ctx->stats[KNUMAD_STAT_CPU_NS]);
	knumad_count(ctx, KNUMAD_STAT_PAGES_SCANNED, KNUMAD_PAGE_SCANNED, sc.pages_scanned);
	knumad_count(ctx, KNUMAD_STAT_FULL_SCANS, KNUMAD_FULL_SCAN, sc.mms_scanned);
	knumad_count(ctx, KNUMAD_STAT_MMS_SKIPPED, KNUMAD_MM_SKIPPED, sc.mms_skipped);
	trace_knumad_scan_end(seq, sc.pages_scanned, sc.mms_scanned, sc.mms_skipped,
			      cpu_ns, knumad_sleep_ms(ctx));
}

/*
 * Sleep after a pass until its budget and the configured sleep are both
 * served. A tunable store wakes us to recompute both with the new values,
 * measured from the end of the pass, so it cannot buy extra CPU.
 */
static void knumad_sleep_after(struct knumad_ctx *ctx)
{
	unsigned long start = jiffies;

	/* SIGKILL only interrupts a wait for mmap_lock (knumad_stop()). */
	if (signal_pending(current) && !kthread_should_stop())
		flush_signals(current);
	while (!kthread_should_stop()) {
		unsigned long until = start + msecs_to_jiffies(knumad_sleep_ms(ctx));
		/* One read of jiffies: a second one may be past @until already. */
		long left = (long)(until - jiffies);

		if (left <= 0)
			break;
		WRITE_ONCE(ctx->kicked, false);
		wait_event_freezable_timeout(ctx->wait,
					     kthread_should_stop() || READ_ONCE(ctx->kicked),
					     left);
	}
}

static int knumad_threadfn(void *data)
{
	struct knumad_ctx *ctx = data;
	unsigned long last = jiffies;
	u64 earned = ktime_get_ns();

	set_freezable();
	/*
	 * Default priority: the budget bounds the CPU knumad uses; at a lower
	 * priority a busy machine would hold back the very moves it needs.
	 */
	/* knumad_stop() interrupts a wait for a process's mmap_lock. */
	allow_signal(SIGKILL);

	/* Start with a full budget: a burst is allowed right away. */
	ctx->budget_ns = S64_MAX / 2;
	knumad_budget_earn(ctx, &earned);
	ctx->charged_ns = task_sched_runtime(current);
	while (!kthread_should_stop()) {
		knumad_budget_earn(ctx, &earned);
		knumad_do_pass(ctx, &last);
		knumad_sleep_after(ctx);
	}
	return 0;
}

static int knumad_start(void)
{
	struct task_struct *thread;
	int err;

	lockdep_assert_held(&knumad_mutex);

	if (knumad_thread)
		return 0;
	if (knumad_conflicts_with_numa_balancing(sysctl_numa_balancing_mode))
		return -EBUSY;
	err = knumad_pass_alloc(&knumad_ctx.pass);
	if (err)
		return err;

	/* Hooks (fork, exit, scheduler) see knumad on before the first scan. */
	static_branch_enable(&knumad_enabled_key);
	thread = kthread_run(knumad_threadfn, &knumad_ctx, "knumad");
	if (IS_ERR(thread)) {
		static_branch_disable(&knumad_enabled_key);
		knumad_pass_free(&knumad_ctx.pass);
		pr_err("cannot start the knumad thread: %pe\n", thread);
		return PTR_ERR(thread);
	}
	knumad_thread = thread;
	return 0;
}

static void knumad_stop(void)
{
	lockdep_assert_held(&knumad_mutex);

	if (!knumad_thread)
		return;
	/* Hooks see knumad off before the thread and its registry go away. */
	static_branch_disable(&knumad_enabled_key);
	/* Out of any wait for a process's mmap_lock, then stop. */
	send_sig(SIGKILL, knumad_thread, 1);
	kthread_stop(knumad_thread);
	knumad_thread = NULL;
	knumad_pass_free(&knumad_ctx.pass);
	knumad_mm_forget_all();
	knumad_groups_forget();
	knumad_forget_placement();
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

	knumad_ctx.tun.max_cpu_percent = knumad_default_cpu_percent(num_node_state(N_CPU));
	register_sysctl_init("kernel", knumad_sysctls);
	if (IS_ENABLED(CONFIG_DEBUG_FS)) {
		struct dentry *dir = debugfs_create_dir("knumad", NULL);

		knumad_mm_debugfs(dir);
		knumad_hints_debugfs(dir);
	}
	err = knumad_sysfs_init(&knumad_ctx);
	if (err)
		pr_warn("no /sys/kernel/mm/knumad: %d\n", err);

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
