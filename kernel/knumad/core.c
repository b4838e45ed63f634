// SPDX-License-Identifier: GPL-2.0
/*
 * knumad core: the on/off switch, the knumad kthread and its scan passes,
 * and CPU-follows-memory placement.
 *
 * The kthread exists only while knumad is enabled (kernel.knumad = 1 or
 * knumad=1 on the command line). Each pass it registers new processes,
 * scans a bounded number of pages of their anonymous memory
 * (mm/numa_migrate), and after each complete scan of a process picks its
 * preferred node (policy.c) and asks the scheduler to run its threads
 * there (knumad_sched_place()). Where the threads cannot go, their memory
 * comes to them instead: the pass ends by pairing the flows of memory
 * between nodes and migrating them (mm/numa_migrate). Between passes it
 * sleeps long enough to stay within its CPU budget.
 * See Documentation/admin-guide/mm/knumad.rst.
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
 * The thread itself takes mmap_lock only by trylock (mm/numa_migrate) and
 * otherwise only the scheduler's own locks, inside knumad_sched_place().
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/capability.h>
#include <linux/freezer.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/knumad.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/sched/numa_balancing.h>
#include <linux/sched/signal.h>
#include <linux/sched/sysctl.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/wait.h>

#define CREATE_TRACE_POINTS
#include <trace/events/knumad.h>

#include "internal.h"
#include "knumad_internal.h"

DEFINE_STATIC_KEY_FALSE(knumad_enabled_key);

/* Serialises enable/disable and numa_balancing writes; see top of file. */
static DEFINE_MUTEX(knumad_mutex);

/* The kthread, or NULL while disabled. Protected by knumad_mutex. */
static struct task_struct *knumad_thread;

/* The kthread sleeps here between passes. */
static DECLARE_WAIT_QUEUE_HEAD(knumad_wait);

/* Set by knumad_wake(): tunables changed, recompute the sleep. */
static bool knumad_kicked;

/* Set by knumad= on the command line; acted on once, at late init. */
static bool knumad_boot_enable __initdata;

struct knumad_tunables knumad_tunables = {
	.scan_sleep_ms		= 200,
	.pages_to_scan		= 16384,
	.max_cpu_percent	= 5,
	.hysteresis_percent	= 25,
	.min_anon_pages		= 256,
	.min_hot_pages		= 64,
	.migrate_max_mbps	= 256,
	.migrate_batch_pages	= 512,
	.pair_tolerance_pages	= 8192,
	.migrate_holdoff_ms	= 10000,
	.migrate_busy_scans	= 3,
	.pair_wait_ms		= 5000,
};

/*
 * Per-pass work space of the thread, sized by nr_node_ids: allocated
 * before the thread starts and freed after it stopped (knumad_mutex).
 */
static struct {
	unsigned int *threads_on;	/* threads of one process per node */
	unsigned long *demand;		/* [src * nr + dst] pages wanted */
	unsigned long *allowed;		/* [src * nr + dst] pages allowed */
	unsigned long *moved;		/* [src * nr + dst] pages moved */
	unsigned long *lonely_since;	/* [src * nr + dst] jiffies, or 0 */
	unsigned int *lonely_ms;	/* [src * nr + dst] ms unpaired */
	long *headroom;			/* free pages above high wmark */
	long *net;			/* pages gained by knumad, per node */
} knumad_work;

/* A process's threads runs on this node if this share of them does. */
#define KNUMAD_RUN_NODE_PCT		75

atomic64_t knumad_stats[NR_KNUMAD_STATS];

/* With nothing to scan, look for new processes this much less often. */
#define KNUMAD_IDLE_SLEEP_FACTOR	5

/* Threads of one process placed per complete scan of its memory. */
#define KNUMAD_PLACE_BATCH		64

static void knumad_count(enum knumad_stat_item item, enum vm_event_item event,
			 unsigned long nr)
{
	atomic64_add(nr, &knumad_stats[item]);
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
 * knumad_wake() - Start the next pass now (a tunable changed).
 */
void knumad_wake(void)
{
	WRITE_ONCE(knumad_kicked, true);
	wake_up_interruptible(&knumad_wait);
}

/**
 * struct knumad_placed - What placing a process's threads found.
 * @pinned: some thread may not run on the node at all.
 * @busy: some thread found no room there.
 * @policy_task: a thread, referenced, to read the task memory policy from.
 */
struct knumad_placed {
	bool pinned;
	bool busy;
	struct task_struct *policy_task;
};

/**
 * knumad_place_task() - Run a thread on a node if there is room, and count
 * what happened.
 * @t: the thread, referenced.
 * @nid: its node.
 *
 * Context: the knumad thread; sleeps.
 * Return: what knumad_sched_place() did.
 */
enum knumad_place_result knumad_place_task(struct task_struct *t, int nid)
{
	int from = task_node(t);
	enum knumad_place_result res = knumad_sched_place(t, nid);

	switch (res) {
	case KNUMAD_PLACE_MOVED:
		knumad_count(KNUMAD_STAT_TASKS_MOVED, KNUMAD_TASK_MOVED, 1);
		break;
	case KNUMAD_PLACE_SWAPPED:
		knumad_count(KNUMAD_STAT_TASKS_SWAPPED, KNUMAD_TASK_SWAPPED, 1);
		break;
	case KNUMAD_PLACE_BUSY:
		knumad_count(KNUMAD_STAT_TASKS_BUSY, KNUMAD_TASK_BUSY, 1);
		break;
	default:
		break;
	}
	if (res != KNUMAD_PLACE_THERE)
		trace_knumad_task_place(t, from, nid, res);
	return res;
}

/*
 * Run the threads of @owner that use @mm on @nid, where they may, and
 * count in knumad_work.threads_on where they run afterwards. Threads in a
 * numa_group are their group's to place.
 */
static void knumad_place_threads(struct pid *owner, struct mm_struct *mm, int nid,
				 struct knumad_placed *placed)
{
	struct task_struct *threads[KNUMAD_PLACE_BATCH];
	struct task_struct *leader, *t;
	int i, nr = 0;

	rcu_read_lock();
	leader = pid_task(owner, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, t) {
			if (t->mm != mm || (t->flags & PF_EXITING))
				continue;
			get_task_struct(t);
			threads[nr++] = t;
			if (nr == ARRAY_SIZE(threads))
				break;
		}
	}
	rcu_read_unlock();

	memset(knumad_work.threads_on, 0, nr_node_ids * sizeof(*knumad_work.threads_on));
	for (i = 0; i < nr; i++) {
		enum knumad_place_result res = KNUMAD_PLACE_THERE;

		if (!knumad_group_has_task(threads[i]))
			res = knumad_place_task(threads[i], nid);
		knumad_work.threads_on[task_node(threads[i])]++;
		if (res == KNUMAD_PLACE_BUSY)
			placed->busy = true;
		else if (res == KNUMAD_PLACE_NOT_ALLOWED)
			placed->pinned = true;
		if (!placed->policy_task)
			placed->policy_task = threads[i];
		else
			put_task_struct(threads[i]);
	}
}

/*
 * Memory follows CPU: after placing a process's threads, ask for its
 * memory to move to them if policy.c says so; the pass's migration phase
 * pairs and carries out the requests.
 */
static void knumad_request_memory(const struct knumad_mm_view *view,
				  const struct knumad_placed *placed)
{
	struct knumad_memory_params params = {
		.busy_scans = READ_ONCE(knumad_tunables.migrate_busy_scans),
		.holdoff_ms = READ_ONCE(knumad_tunables.migrate_holdoff_ms),
	};
	struct knumad_mm_state *st = view->state;
	int run, nid;

	st->busy_scans = placed->busy ? st->busy_scans + 1 : 0;
	st->mig_dst = NUMA_NO_NODE;
	memset(view->mig_want, 0, nr_node_ids * sizeof(*view->mig_want));
	if (!READ_ONCE(knumad_tunables.migrate_max_mbps) || !placed->policy_task)
		return;
	/* Memory in a numa_group follows its group, not the process. */
	if (knumad_group_has_mm(view->mm))
		return;

	run = knumad_majority_node(knumad_work.threads_on, nr_node_ids,
				   KNUMAD_RUN_NODE_PCT);
	if (!knumad_memory_should_follow(st->preferred_nid, run, placed->pinned,
					 st->busy_scans, st->last_mig_dst,
					 jiffies_to_msecs(jiffies - st->last_mig_jiffies),
					 &params))
		return;
	if (!numa_migrate_policy_allows(placed->policy_task, run))
		return;
	st->mig_dst = run;
	for (nid = 0; nid < nr_node_ids; nid++)
		view->mig_want[nid] = nid == run ? 0 : view->pages[nid];
}

/* A complete scan of one process: choose its node, then place its threads. */
static void knumad_scanned_mm(const struct knumad_mm_view *view)
{
	struct knumad_node_params params = {
		.hysteresis_pct = READ_ONCE(knumad_tunables.hysteresis_percent),
		.min_hot_pages = READ_ONCE(knumad_tunables.min_hot_pages),
	};
	struct knumad_placed placed = {};
	int old = view->state->preferred_nid;
	int nid;

	nid = knumad_choose_node(view->pages, view->hot, nr_node_ids, old, &params);
	if (nid != old) {
		WRITE_ONCE(view->state->preferred_nid, nid);
		knumad_count(KNUMAD_STAT_NODE_CHANGES, KNUMAD_NODE_CHANGE, 1);
		trace_knumad_mm_node(view->owner ? pid_nr(view->owner) : 0, old, nid,
				     knumad_sum(view->pages, nr_node_ids),
				     knumad_sum(view->hot, nr_node_ids));
	}
	if (nid == NUMA_NO_NODE || !view->owner)
		return;
	knumad_place_threads(view->owner, view->mm, nid, &placed);
	knumad_request_memory(view, &placed);
	if (placed.policy_task)
		put_task_struct(placed.policy_task);
}

static void knumad_chunk_done(unsigned long migrated, unsigned long failed)
{
	knumad_count(KNUMAD_STAT_PAGES_MIGRATED, KNUMAD_PAGE_MIGRATED, migrated);
	knumad_count(KNUMAD_STAT_PAGES_MIGRATE_FAILED, KNUMAD_PAGE_MIGRATE_FAIL, failed);
}

/*
 * The pass's migration phase: pair the requested flows, keep unpaired
 * inflow within each node's headroom and the tolerance, and move what is
 * allowed, at most @rate_pages.
 */
static void knumad_migrate_pass(unsigned long rate_pages)
{
	struct knumad_flow_params fparams = {
		.tolerance = READ_ONCE(knumad_tunables.pair_tolerance_pages),
		.patience_ms = READ_ONCE(knumad_tunables.pair_wait_ms),
	};
	struct knumad_migrate_control mc = {
		.allowed = knumad_work.allowed,
		.moved = knumad_work.moved,
		.chunk_done = knumad_chunk_done,
		.group_chunk = knumad_groups_chunk,
		.batch = READ_ONCE(knumad_tunables.migrate_batch_pages),
		.budget = rate_pages,
	};
	unsigned long *demand = knumad_work.demand;
	unsigned long wanted = 0, allowed = 0;
	int nr = nr_node_ids, s, d;

	numa_migrate_demand(demand);
	knumad_groups_demand(demand);
	for (s = 0; s < nr; s++) {
		bool busy = false;

		for (d = 0; d < nr; d++) {
			int f = s * nr + d;

			wanted += demand[f];
			busy |= demand[f] || demand[d * nr + s];
			/* How long a flow has had nothing the other way. */
			if (!demand[f] || demand[d * nr + s])
				knumad_work.lonely_since[f] = 0;
			else if (!knumad_work.lonely_since[f])
				knumad_work.lonely_since[f] = jiffies ?: 1;
			knumad_work.lonely_ms[f] = knumad_work.lonely_since[f] ?
				jiffies_to_msecs(jiffies - knumad_work.lonely_since[f]) : 0;
		}
		/* A node with no flow in or out starts a new balance. */
		if (!busy)
			knumad_work.net[s] = 0;
		knumad_work.headroom[s] = numa_migrate_headroom(s);
	}
	atomic64_set(&knumad_stats[KNUMAD_STAT_PAGES_WAITING], 0);
	if (!wanted)
		return;
	knumad_pair_flows(demand, knumad_work.headroom, knumad_work.net,
			  knumad_work.lonely_ms, &fparams, nr, knumad_work.allowed);
	for (s = 0; s < nr * nr; s++)
		allowed += knumad_work.allowed[s];

	memset(knumad_work.moved, 0, nr * nr * sizeof(*knumad_work.moved));
	numa_migrate_run(&mc);
	for (s = 0; s < nr; s++) {
		for (d = 0; d < nr; d++) {
			knumad_work.net[d] += knumad_work.moved[s * nr + d];
			knumad_work.net[s] -= knumad_work.moved[s * nr + d];
		}
	}
	/* What waits is a level, not an event: a gauge, and one event per pass. */
	atomic64_set(&knumad_stats[KNUMAD_STAT_PAGES_WAITING], wanted - min(wanted, allowed));
	if (wanted > allowed)
		count_vm_event(KNUMAD_MIGRATE_DEFERRED);
}

/* Pages the rate limit allows after @elapsed jiffies; at most 1 s worth. */
static unsigned long knumad_rate_pages(unsigned long elapsed)
{
	unsigned long per_sec = (unsigned long)READ_ONCE(knumad_tunables.migrate_max_mbps) <<
				(20 - PAGE_SHIFT);

	elapsed = min_t(unsigned long, elapsed, HZ);
	return per_sec * elapsed / HZ;
}

/* How long to sleep after a pass that cost @cpu_ns, with today's knobs. */
static unsigned int knumad_sleep_ms(u64 cpu_ns)
{
	unsigned int sleep_ms = READ_ONCE(knumad_tunables.scan_sleep_ms);

	if (!numa_migrate_has_mms())
		sleep_ms *= KNUMAD_IDLE_SLEEP_FACTOR;
	return knumad_budget_sleep_ms(cpu_ns, READ_ONCE(knumad_tunables.max_cpu_percent),
				      sleep_ms);
}

/*
 * One pass. Returns the thread's CPU time since the previous pass began
 * (@prev_runtime), so the budget also covers waking up and sleeping.
 */
static u64 knumad_do_pass(u64 *prev_runtime, unsigned long *prev_jiffies)
{
	struct knumad_scan_control sc = {
		.budget = READ_ONCE(knumad_tunables.pages_to_scan),
		.scanned_mm = knumad_scanned_mm,
	};
	unsigned long seq, group_pages;
	u64 cpu_ns, now;

	seq = atomic64_inc_return(&knumad_stats[KNUMAD_STAT_PASSES]);
	trace_knumad_scan_start(seq, numa_migrate_nr_mms());

	numa_migrate_discover(READ_ONCE(knumad_tunables.min_anon_pages));
	/* Groups get at most half of the pass; processes the rest. */
	group_pages = knumad_groups_count(sc.budget / 2);
	sc.budget -= group_pages;
	knumad_groups_place();
	numa_migrate_scan(&sc);
	knumad_migrate_pass(knumad_rate_pages(jiffies - *prev_jiffies));
	*prev_jiffies = jiffies;

	now = task_sched_runtime(current);
	cpu_ns = now - *prev_runtime;
	*prev_runtime = now;

	atomic64_add(cpu_ns, &knumad_stats[KNUMAD_STAT_CPU_NS]);
	knumad_count(KNUMAD_STAT_PAGES_SCANNED, KNUMAD_PAGE_SCANNED,
		     sc.pages_scanned + group_pages);
	knumad_count(KNUMAD_STAT_FULL_SCANS, KNUMAD_FULL_SCAN, sc.mms_scanned);
	knumad_count(KNUMAD_STAT_MMS_SKIPPED, KNUMAD_MM_SKIPPED, sc.mms_skipped);
	trace_knumad_scan_end(seq, sc.pages_scanned, sc.mms_scanned,
			      sc.mms_skipped, cpu_ns, knumad_sleep_ms(cpu_ns));
	return cpu_ns;
}

/*
 * Sleep after a pass until its budget and the configured sleep are both
 * served. A tunable store wakes us to recompute both with the new values,
 * measured from the end of the pass, so it cannot buy extra CPU.
 */
static void knumad_sleep_after(u64 cpu_ns)
{
	unsigned long start = jiffies;

	while (!kthread_should_stop()) {
		unsigned long until = start + msecs_to_jiffies(knumad_sleep_ms(cpu_ns));
		/* One read of jiffies: a second one may be past @until already. */
		long left = (long)(until - jiffies);

		if (left <= 0)
			break;
		WRITE_ONCE(knumad_kicked, false);
		wait_event_freezable_timeout(knumad_wait,
					     kthread_should_stop() || READ_ONCE(knumad_kicked),
					     left);
	}
}

static int knumad_threadfn(void *unused)
{
	unsigned long last = jiffies;
	u64 runtime;

	set_freezable();
	set_user_nice(current, MAX_NICE);

	runtime = task_sched_runtime(current);
	while (!kthread_should_stop())
		knumad_sleep_after(knumad_do_pass(&runtime, &last));
	return 0;
}

/*
 * Give every task's preferred node back: scheduling is upstream's again.
 * In batches: the RCU walk only collects tasks, which are reset outside it
 * with cond_resched() between batches, so a machine with many threads does
 * not sit in one long RCU read section. A batch that comes back short means
 * the walk saw every task.
 */
static void knumad_forget_placement(void)
{
	struct task_struct *batch[KNUMAD_PLACE_BATCH];
	struct task_struct *g, *t;
	int i, nr;

	do {
		nr = 0;
		rcu_read_lock();
		for_each_process_thread(g, t) {
			if (READ_ONCE(t->numa_preferred_nid) == NUMA_NO_NODE)
				continue;
			get_task_struct(t);
			batch[nr++] = t;
			if (nr == ARRAY_SIZE(batch))
				goto walked;
		}
walked:
		rcu_read_unlock();
		for (i = 0; i < nr; i++) {
			knumad_sched_place(batch[i], NUMA_NO_NODE);
			put_task_struct(batch[i]);
		}
		cond_resched();
	} while (nr == ARRAY_SIZE(batch));
}

static void knumad_free_work(void)
{
	kfree(knumad_work.threads_on);
	kvfree(knumad_work.demand);
	kvfree(knumad_work.allowed);
	kvfree(knumad_work.moved);
	kvfree(knumad_work.lonely_since);
	kvfree(knumad_work.lonely_ms);
	kfree(knumad_work.headroom);
	kfree(knumad_work.net);
	memset(&knumad_work, 0, sizeof(knumad_work));
}

static int knumad_alloc_work(void)
{
	size_t flows = (size_t)nr_node_ids * nr_node_ids;

	knumad_work.threads_on = kcalloc(nr_node_ids, sizeof(unsigned int), GFP_KERNEL);
	knumad_work.demand = kvcalloc(flows, sizeof(unsigned long), GFP_KERNEL);
	knumad_work.allowed = kvcalloc(flows, sizeof(unsigned long), GFP_KERNEL);
	knumad_work.moved = kvcalloc(flows, sizeof(unsigned long), GFP_KERNEL);
	knumad_work.lonely_since = kvcalloc(flows, sizeof(unsigned long), GFP_KERNEL);
	knumad_work.lonely_ms = kvcalloc(flows, sizeof(unsigned int), GFP_KERNEL);
	knumad_work.headroom = kcalloc(nr_node_ids, sizeof(long), GFP_KERNEL);
	knumad_work.net = kcalloc(nr_node_ids, sizeof(long), GFP_KERNEL);
	if (knumad_work.threads_on && knumad_work.demand && knumad_work.allowed &&
	    knumad_work.moved && knumad_work.lonely_since && knumad_work.lonely_ms &&
	    knumad_work.headroom &&
	    knumad_work.net)
		return 0;
	knumad_free_work();
	return -ENOMEM;
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
	err = knumad_alloc_work();
	if (err)
		return err;

	/* Hooks (fork, exit, scheduler) see knumad on before the first scan. */
	static_branch_enable(&knumad_enabled_key);
	thread = kthread_run(knumad_threadfn, NULL, "knumad");
	if (IS_ERR(thread)) {
		static_branch_disable(&knumad_enabled_key);
		knumad_free_work();
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
	kthread_stop(knumad_thread);
	knumad_thread = NULL;
	knumad_free_work();
	numa_migrate_forget_all();
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

	register_sysctl_init("kernel", knumad_sysctls);
	err = knumad_sysfs_init();
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
