// SPDX-License-Identifier: GPL-2.0
/*
 * knumad: CPU follows memory. After the assignment, every thread of every
 * unit prefers its unit's node (a unit spread over nodes: none), then busy
 * threads not on their node are moved there: to an idle CPU of the node,
 * or swapped with a task there that prefers ours (kernel/sched/fair.c,
 * knumad_sched_place()). All preferences are published before any thread
 * moves, so two crossed threads find each other as swap partners in the
 * same pass. Affinity and cpusets always hold: a thread that may not run
 * on its unit's node prefers no node.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/knumad.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/topology.h>

#include <trace/events/knumad.h>

#include "internal.h"

/**
 * knumad_place_task() - Run a thread on a node if there is room, and count
 * what happened.
 * @ctx: the context.
 * @t: the thread, referenced.
 * @nid: its node.
 *
 * Context: the knumad thread; sleeps.
 * Return: what knumad_sched_place() did.
 */
enum knumad_place_result knumad_place_task(struct knumad_ctx *ctx, struct task_struct *t,
					   int nid)
{
	int from = task_node(t);
	enum knumad_place_result res = knumad_sched_place(t, nid);

	switch (res) {
	case KNUMAD_PLACE_MOVED:
		knumad_count(ctx, KNUMAD_STAT_TASKS_MOVED, KNUMAD_TASK_MOVED, 1);
		break;
	case KNUMAD_PLACE_SWAPPED:
		knumad_count(ctx, KNUMAD_STAT_TASKS_SWAPPED, KNUMAD_TASK_SWAPPED, 1);
		break;
	case KNUMAD_PLACE_BUSY:
		knumad_count(ctx, KNUMAD_STAT_TASKS_BUSY, KNUMAD_TASK_BUSY, 1);
		break;
	default:
		break;
	}
	if (res != KNUMAD_PLACE_THERE)
		trace_knumad_task_place(t, from, nid, res);
	return res;
}

/* The node @u's threads should prefer: none for a unit spread over nodes. */
static int knumad_unit_target(const struct knumad_unit_out *out)
{
	return out->reason == KNUMAD_REASON_SPREAD ? NUMA_NO_NODE : out->nid;
}

/* Every thread of @u prefers @nid (where it may run there). */
static void knumad_unit_prefer(struct knumad_unit *u, int nid)
{
	struct task_struct *batch[KNUMAD_THREAD_BATCH];
	unsigned int i, nr, pos = 0;

	while (pos != KNUMAD_THREADS_DONE) {
		nr = knumad_unit_threads(u, &pos, batch, ARRAY_SIZE(batch));
		for (i = 0; i < nr; i++) {
			knumad_sched_prefer(batch[i], nid);
			put_task_struct(batch[i]);
		}
		cond_resched();
	}
}

/* Move @u's busy threads that run elsewhere to @nid. */
static void knumad_unit_move(struct knumad_ctx *ctx, struct knumad_unit *u, int nid)
{
	struct task_struct *batch[KNUMAD_THREAD_BATCH];
	unsigned int i, nr, pos = 0;

	while (pos != KNUMAD_THREADS_DONE && !kthread_should_stop()) {
		nr = knumad_unit_threads(u, &pos, batch, ARRAY_SIZE(batch));
		for (i = 0; i < nr; i++) {
			struct task_struct *t = batch[i];
			struct knumad_task *kt = READ_ONCE(t->knumad_task);

			/* Threads that may not run there stay out of it (and the trace). */
			if (task_node(t) != nid && knumad_thread_busy(kt) &&
			    cpumask_intersects(t->cpus_ptr, cpumask_of_node(nid)))
				knumad_place_task(ctx, t, nid);
			put_task_struct(t);
		}
		cond_resched();
	}
}

/**
 * knumad_units_place() - Act: run every unit's threads on its node.
 * @ctx: the context, after the assignment.
 *
 * Context: the knumad thread; sleeps.
 */
void knumad_units_place(struct knumad_ctx *ctx)
{
	struct knumad_pass *pass = &ctx->pass;
	unsigned int i;

	for (i = 0; i < pass->nr_units; i++) {
		if (pass->out[i].reason != KNUMAD_REASON_NONE)
			knumad_unit_prefer(&pass->units[i], knumad_unit_target(&pass->out[i]));
	}
	for (i = 0; i < pass->nr_units; i++) {
		int nid = knumad_unit_target(&pass->out[i]);

		if (nid != NUMA_NO_NODE && pass->out[i].reason != KNUMAD_REASON_IDLE)
			knumad_unit_move(ctx, &pass->units[i], nid);
	}
}

/**
 * knumad_forget_placement() - Give every task's preferred node back:
 * scheduling is upstream's again, and no thread is in a cluster.
 *
 * In batches: the RCU walk only collects tasks, which are reset outside it
 * with cond_resched() between batches, so a machine with many threads does
 * not sit in one long RCU read section. A batch that comes back short means
 * the walk saw every task.
 */
void knumad_forget_placement(void)
{
	struct task_struct *batch[KNUMAD_THREAD_BATCH];
	struct task_struct *g, *t;
	int i, nr;

	do {
		nr = 0;
		rcu_read_lock();
		for_each_process_thread(g, t) {
			if (READ_ONCE(t->numa_preferred_nid) == NUMA_NO_NODE &&
			    !knumad_thread_alone(t))
				continue;
			get_task_struct(t);
			batch[nr++] = t;
			if (nr == ARRAY_SIZE(batch))
				goto walked;
		}
walked:
		rcu_read_unlock();
		for (i = 0; i < nr; i++) {
			knumad_sched_prefer(batch[i], NUMA_NO_NODE);
			knumad_hints_forget_thread(batch[i]);
			put_task_struct(batch[i]);
		}
		cond_resched();
	} while (nr == ARRAY_SIZE(batch));
}
