// SPDX-License-Identifier: GPL-2.0
/*
 * knumad and threads: the per-thread state, how much CPU a thread needs,
 * where it may run, and the threads of a placement unit.
 *
 * The threads of a unit are handed out in batches of referenced tasks, so
 * every thread of a process is seen (however many) while no RCU read
 * section lasts longer than one batch takes to collect, and the work on
 * each thread (locks, allocation, moving it) happens outside RCU.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/cpumask.h>
#include <linux/knumad.h>
#include <linux/mempolicy.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"

/* A thread needing this much CPU (milli-CPUs) is busy. */
#define KNUMAD_BUSY_DEMAND	(KNUMAD_CPU / 10)
/* Shorter intervals do not measure demand. */
#define KNUMAD_DEMAND_MIN_NS	(10 * NSEC_PER_MSEC)
/*
 * Over how long old demand fades: about two passes for @demand (the weight
 * follows a thread that starts or stops within a second), eight for
 * @slow_demand (whether it is busy survives a short wait).
 */
#define KNUMAD_DEMAND_SPAN_NS		NSEC_PER_SEC
#define KNUMAD_SLOW_DEMAND_SPAN_NS	(4 * NSEC_PER_SEC)

/**
 * knumad_task_get() - A thread's knumad state, allocated on first use.
 * @t: the thread, referenced.
 * @gfp: how to allocate.
 *
 * Return: the state, or NULL if it could not be allocated.
 */
struct knumad_task *knumad_task_get(struct task_struct *t, gfp_t gfp)
{
	struct knumad_task *kt = READ_ONCE(t->knumad_task), *old;

	if (kt)
		return kt;
	kt = kzalloc(sizeof(*kt), gfp);
	if (!kt)
		return NULL;
	old = cmpxchg(&t->knumad_task, NULL, kt);
	if (old) {
		kfree(kt);
		return old;
	}
	return kt;
}

/**
 * knumad_task_free() - Free a thread's knumad state with the thread.
 * @p: the task_struct being freed.
 */
void knumad_task_free(struct task_struct *p)
{
	struct knumad_task *kt = p->knumad_task;

	if (!kt)
		return;
	kfree(kt->hints);
	knumad_hint_view_free(kt->view);
	kfree(kt);
	p->knumad_task = NULL;
}

/* Run time plus run-queue wait: what the thread wanted of a CPU. */
static u64 knumad_thread_busy_ns(struct task_struct *t)
{
	/* Racy reads of counters the scheduler updates, as cputime does. */
	u64 busy = data_race(t->se.sum_exec_runtime);

#ifdef CONFIG_SCHED_INFO
	/* Racy as above: a torn or stale delay only skews one sample. */
	busy += data_race(t->sched_info.run_delay);
#endif
	return busy;
}

/*
 * Sleeping interruptibly: waiting for an event (a child, a futex, a poll),
 * not running and not asking for a CPU now. Uninterruptible waits (a page
 * under migration, I/O) do not count: a busy thread keeps its weight.
 */
static bool knumad_thread_asleep(struct task_struct *t)
{
	return READ_ONCE(t->__state) & TASK_INTERRUPTIBLE;
}

/*
 * What a thread knumad has not measured yet needed: nothing if it sleeps
 * interruptibly (a main thread waiting for the workers it started; a busy
 * thread seen so by chance counts fully from the next pass on, a rise
 * counting at once), else its average since it started, or, when it is
 * too young for that, whether it runs now. A thread first seen busy then
 * idle must not keep its first weight.
 */
static unsigned int knumad_thread_first_demand(struct task_struct *t, u64 busy, u64 now)
{
	u64 age = now - min(now, t->start_time);

	if (knumad_thread_asleep(t))
		return 0;
	if (age < KNUMAD_DEMAND_MIN_NS)
		return task_is_running(t) ? KNUMAD_CPU : 0;
	return knumad_cpu_demand(busy, age);
}

/**
 * knumad_thread_demand() - How much CPU a thread needed lately.
 * @t: the thread, referenced.
 * @now: the time now (ktime_get_ns()).
 *
 * Measured since knumad last looked: over a long enough interval a rise
 * counts at once and a thread that slept through it needs nothing; else
 * the measurement fades in over about a second (knumad_demand_next()), so
 * one quiet pass does not make a busy thread look idle while a thread seen
 * again after a long gap is judged by the gap. A thread knumad has not
 * measured yet is judged by its life so far.
 * Context: the knumad thread.
 * Return: milli-CPUs, 0 to %KNUMAD_CPU.
 */
unsigned int knumad_thread_demand(struct task_struct *t, u64 now)
{
	struct knumad_task *kt = READ_ONCE(t->knumad_task);
	u64 busy = knumad_thread_busy_ns(t);
	unsigned int fresh;

	if (!kt)
		return knumad_thread_first_demand(t, busy, now);
	/* Asked twice in one pass (a cluster's thread): the same answer. */
	if (kt->seen_ns && now - kt->seen_ns < KNUMAD_DEMAND_MIN_NS)
		return kt->demand;
	if (!kt->seen_ns) {
		kt->demand = knumad_thread_first_demand(t, busy, now);
		kt->slow_demand = kt->demand;
	} else if (now > kt->seen_ns) {
		u64 interval = now - kt->seen_ns;

		fresh = knumad_cpu_demand(busy - min(busy, kt->busy_ns), interval);
		kt->demand = knumad_demand_next(kt->demand, fresh, interval,
						KNUMAD_DEMAND_SPAN_NS, knumad_thread_asleep(t));
		kt->slow_demand = knumad_demand_smooth(kt->slow_demand, fresh, interval,
						       KNUMAD_SLOW_DEMAND_SPAN_NS);
	}
	kt->busy_ns = busy;
	kt->seen_ns = now;
	return kt->demand;
}

/**
 * knumad_thread_busy() - Does a thread need a CPU of its own, more or less?
 * @kt: its knumad state, or NULL.
 *
 * Busy lately, or over the longer run: a thread that waited a moment (for
 * a page under migration, say) does not stop deciding where its unit may
 * run.
 * Return: true if busy.
 */
bool knumad_thread_busy(const struct knumad_task *kt)
{
	return kt && max(kt->demand, kt->slow_demand) >= KNUMAD_BUSY_DEMAND;
}

/**
 * knumad_thread_in_group() - Is a thread placed by a numa_group?
 * @t: the thread.
 *
 * Return: true if it is a member of a numa_group (then its group places
 * it, not its process).
 */
bool knumad_thread_in_group(struct task_struct *t)
{
	struct knumad_task *kt = READ_ONCE(t->knumad_task);

	return kt && READ_ONCE(kt->group);
}

/* The nodes with CPUs @t may run on. */
static void knumad_thread_cpu_nodes(struct task_struct *t, nodemask_t *nodes)
{
	int nid;

	nodes_clear(*nodes);
	for_each_node_state(nid, N_CPU) {
		if (cpumask_intersects(t->cpus_ptr, cpumask_of_node(nid)))
			node_set(nid, *nodes);
	}
}

/* Collect up to @max threads of a process unit, from match number *@pos. */
static unsigned int knumad_process_threads(struct knumad_unit *u, unsigned int *pos,
					   struct task_struct **batch, unsigned int max)
{
	struct mm_struct *mm = knumad_mm_mm(u->mm);
	unsigned int nr = 0, skip = *pos;
	struct task_struct *leader, *t;

	rcu_read_lock();
	leader = pid_task(u->owner, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, t) {
			if (READ_ONCE(t->mm) != mm || (t->flags & PF_EXITING) ||
			    knumad_thread_in_group(t) || knumad_thread_alone(t))
				continue;
			if (skip) {
				skip--;
				continue;
			}
			get_task_struct(t);
			batch[nr++] = t;
			if (nr == max)
				break;
		}
	}
	rcu_read_unlock();
	*pos = nr == max ? *pos + nr : KNUMAD_THREADS_DONE;
	return nr;
}

/* Collect up to @max member threads of a group unit, from slot *@pos. */
static unsigned int knumad_member_threads(struct knumad_unit *u, unsigned int *pos,
					  struct task_struct **batch, unsigned int max)
{
	unsigned int i, nr = 0;

	for (i = *pos; i < u->nr_members && nr < max; i++) {
		struct task_struct *t = get_pid_task(u->members[i], PIDTYPE_PID);

		if (t)
			batch[nr++] = t;
	}
	*pos = i < u->nr_members ? i : KNUMAD_THREADS_DONE;
	return nr;
}

/* Hand out up to @max threads of a cluster unit, from slot *@pos. */
static unsigned int knumad_cluster_threads(struct knumad_unit *u, unsigned int *pos,
					   struct task_struct **batch, unsigned int max)
{
	unsigned int i, nr = 0;

	for (i = *pos; i < u->nr_members && nr < max; i++) {
		get_task_struct(u->tasks[i]);
		batch[nr++] = u->tasks[i];
	}
	*pos = i < u->nr_members ? i : KNUMAD_THREADS_DONE;
	return nr;
}

/**
 * knumad_unit_threads() - The next batch of a unit's threads.
 * @u: the unit.
 * @pos: in: 0 for the first batch, then what the last call left;
 *	out: %KNUMAD_THREADS_DONE after the last batch.
 * @batch: out: the threads, referenced (put_task_struct() each).
 * @max: room in @batch.
 *
 * A process's threads are those of its thread group that use its mm and
 * are in no numa_group nor cluster; a group's are its live members; a
 * cluster's, its threads.
 *
 * Return: threads in @batch (may be 0 before the last batch).
 */
unsigned int knumad_unit_threads(struct knumad_unit *u, unsigned int *pos,
				 struct task_struct **batch, unsigned int max)
{
	if (u->kind == KNUMAD_UNIT_GROUP)
		return knumad_member_threads(u, pos, batch, max);
	if (u->kind == KNUMAD_UNIT_THREADS)
		return knumad_cluster_threads(u, pos, batch, max);
	if (!u->owner) {
		*pos = KNUMAD_THREADS_DONE;
		return 0;
	}
	return knumad_process_threads(u, pos, batch, max);
}

/**
 * knumad_unit_mems_allow() - May @u's memory go to @nid by the cpusets of
 * its threads, now?
 * @u: the unit.
 * @nid: the destination.
 *
 * The pass checks every thread's mems when it builds its units; a cpuset
 * can change while the pass migrates, and the cpuset's own migration of
 * the memory must not be undone by the rest of the pass. Checked before
 * each chunk: for a process or a cluster of its threads, its first thread
 * only (the threads of a process share a cpuset in cgroup v2 unless it is
 * threaded), which keeps it cheap; for a numa_group, every member, as
 * members may be threads of processes in different cpusets.
 * Context: the knumad thread.
 * Return: false if a checked thread's mems_allowed no longer has @nid.
 */
bool knumad_unit_mems_allow(struct knumad_unit *u, int nid)
{
	struct task_struct *t;
	unsigned int pos = 0;
	bool ok = true;

	while (ok && pos != KNUMAD_THREADS_DONE) {
		if (!knumad_unit_threads(u, &pos, &t, 1))
			continue;
		task_lock(t);
		ok = node_isset(nid, t->mems_allowed);
		task_unlock(t);
		put_task_struct(t);
		if (u->kind != KNUMAD_UNIT_GROUP)
			break;
	}
	return ok;
}

/**
 * knumad_unit_observe_threads() - How much CPU a unit needs, and where its
 * threads may run and its memory may go.
 * @u: the unit; fills in @weight, @threads, @cpu_nodes, @mem_nodes and
 *	@policy_nodes.
 *
 * The nodes all busy threads may run on (affinity, cpuset) are the unit's
 * (all threads', if none is busy); its memory may go where every thread's
 * cpuset and task memory policy let it. Threads get their knumad state
 * here, so their demand is measured from the next pass on.
 * Context: the knumad thread; sleeps.
 */
void knumad_unit_observe_threads(struct knumad_unit *u)
{
	struct task_struct *batch[KNUMAD_THREAD_BATCH];
	nodemask_t busy = node_states[N_CPU], all = node_states[N_CPU], tn;
	unsigned int i, nr, pos = 0;
	bool have_busy = false;
	u64 now = ktime_get_ns();

	u->weight = 0;
	u->threads = 0;
	u->mem_nodes = node_states[N_MEMORY];
	u->policy_nodes = node_states[N_MEMORY];
	while (pos != KNUMAD_THREADS_DONE) {
		nr = knumad_unit_threads(u, &pos, batch, ARRAY_SIZE(batch));
		for (i = 0; i < nr; i++) {
			struct task_struct *t = batch[i];
			unsigned int demand = knumad_thread_demand(t, now);

			u->weight += demand;
			u->threads++;
			knumad_thread_cpu_nodes(t, &tn);
			nodes_and(all, all, tn);
			if (knumad_thread_busy(READ_ONCE(t->knumad_task)) ||
			    (!t->knumad_task && demand >= KNUMAD_BUSY_DEMAND)) {
				nodes_and(busy, busy, tn);
				have_busy = true;
			}
			task_lock(t);
			nodes_and(u->mem_nodes, u->mem_nodes, t->mems_allowed);
			task_unlock(t);
			knumad_task_policy_nodes(t, &u->policy_nodes);
			knumad_task_get(t, GFP_KERNEL);
			put_task_struct(t);
		}
		cond_resched();
	}

	u->cpu_nodes = have_busy ? busy : all;
	if (nodes_empty(u->cpu_nodes))
		u->cpu_nodes = node_states[N_CPU];
}
