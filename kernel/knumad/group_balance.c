// SPDX-License-Identifier: GPL-2.0
/*
 * knumad and numa_groups: each pass counts where the groups' memory is,
 * chooses one node per group for all groups together (policy.c), runs the
 * groups' threads there and asks their memory to follow, through the same
 * paired migration as processes' memory.
 *
 * Counting leaves the accessed bits alone (they belong to the per-process
 * scan) and goes by resident pages: a group says what belongs together, so
 * all of its memory counts. The groups' part of the pass budget is bounded;
 * a group counted to the end goes to the back of the list, so the next
 * pass starts with the others.
 *
 * Locking: numa_group_mutex (numa_group.h) around each step; mmap_lock only
 * by trylock under it, through mm/numa_migrate.
 * See Documentation/userspace-api/numa_group.rst.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/knumad.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"
#include "knumad_internal.h"
#include "numa_group.h"

/*
 * Count on in @g's ranges, adding to *@scanned up to @budget. Returns true
 * when the count reached the end of the last range (and published it).
 */
static bool knumad_group_count_step(struct numa_group *g, unsigned long budget,
				    unsigned long *scanned)
{
	struct numa_group_range *r;
	unsigned int i = 0;

	list_for_each_entry(r, &g->ranges, node) {
		unsigned long next = 0;
		long n = 0;

		if (i++ < g->count_range)
			continue;
		if (*scanned >= budget)
			return false;
		if (mmget_not_zero(r->mm)) {
			n = numa_migrate_count_range(r->mm, max(g->count_addr, r->start),
						     r->end, numa_group_counting(g),
						     budget - *scanned, &next);
			mmput(r->mm);
		}
		if (n < 0)
			return false;	/* mmap_lock busy: resume here */
		*scanned += n;
		if (next) {
			g->count_addr = next;
			return false;
		}
		g->count_range++;
		g->count_addr = 0;
	}
	memcpy(numa_group_pages(g), numa_group_counting(g),
	       nr_node_ids * sizeof(unsigned long));
	memset(numa_group_counting(g), 0, nr_node_ids * sizeof(unsigned long));
	g->count_range = 0;
	g->count_addr = 0;
	g->counted = true;
	return true;
}

/**
 * knumad_groups_count() - Count where the groups' memory is.
 * @budget: pages this pass may look at for groups.
 *
 * Also drops members that are gone. Context: the knumad thread.
 * Return: pages looked at.
 */
unsigned long knumad_groups_count(unsigned long budget)
{
	struct numa_group *g, *tmp;
	unsigned long scanned = 0;
	LIST_HEAD(done);

	mutex_lock(&numa_group_mutex);
	list_for_each_entry_safe(g, tmp, &numa_groups, node) {
		if (scanned >= budget)
			break;
		numa_group_prune(g, true);
		if (knumad_group_count_step(g, budget, &scanned))
			list_move_tail(&g->node, &done);
		cond_resched();
	}
	list_splice_tail(&done, &numa_groups);
	mutex_unlock(&numa_group_mutex);
	return scanned;
}

/* Run @g's threads on its node, where they may. */
static void knumad_group_place_tasks(struct numa_group *g)
{
	struct numa_group_member *m;

	list_for_each_entry(m, &g->tasks, node) {
		struct task_struct *t = get_pid_task(m->pid, PIDTYPE_PID);

		if (!t)
			continue;
		knumad_place_task(t, g->nid);
		put_task_struct(t);
		cond_resched();
	}
}

/* Ask for all of @g's memory that is elsewhere to move to its node. */
static void knumad_group_request_memory(struct numa_group *g)
{
	unsigned long *want = numa_group_mig_want(g);
	int nid;

	if (g->mig_dst != g->nid) {
		g->mig_range = 0;
		g->mig_addr = 0;
	}
	g->mig_dst = READ_ONCE(knumad_tunables.migrate_max_mbps) ? g->nid : NUMA_NO_NODE;
	for (nid = 0; nid < nr_node_ids; nid++)
		want[nid] = nid == g->nid ? 0 : numa_group_pages(g)[nid];
}

static unsigned int knumad_node_capacity(int nid)
{
	return cpumask_weight_and(cpumask_of_node(nid), cpu_active_mask);
}

/* Choose the nodes of the @nr groups and act on the changes. */
static void knumad_groups_decide(int nr, struct knumad_group_in *in, int *out,
				 int *order, unsigned int *load, unsigned int *capacity)
{
	struct knumad_node_params params = {
		.hysteresis_pct = READ_ONCE(knumad_tunables.hysteresis_percent),
	};
	unsigned long holdoff = msecs_to_jiffies(READ_ONCE(knumad_tunables.migrate_holdoff_ms));
	struct numa_group *g;
	int i = 0, nid;

	lockdep_assert_held(&numa_group_mutex);
	for (nid = 0; nid < nr_node_ids; nid++)
		capacity[nid] = knumad_node_capacity(nid);
	list_for_each_entry(g, &numa_groups, node) {
		in[i].threads = g->nr_tasks;
		in[i].pages = numa_group_pages(g);
		in[i].cur = g->nid;
		in[i].held = g->nid != NUMA_NO_NODE &&
			     time_before(jiffies, g->changed_jiffies + holdoff);
		i++;
	}
	knumad_place_groups(in, nr, capacity, nr_node_ids, &params, load, order, out);

	i = 0;
	list_for_each_entry(g, &numa_groups, node) {
		bool moved = out[i] != NUMA_NO_NODE && out[i] != g->nid;

		i++;
		if (moved) {
			g->nid = out[i - 1];
			g->node_changes++;
			g->changed_jiffies = jiffies;
		}
		if (g->nid == NUMA_NO_NODE || (!moved && !g->counted))
			continue;
		g->counted = false;
		knumad_group_place_tasks(g);
		knumad_group_request_memory(g);
	}
}

/**
 * knumad_groups_place() - Choose every group's node; place the threads and
 * ask for the memory of groups that moved or were counted anew.
 *
 * Context: the knumad thread; sleeps.
 */
void knumad_groups_place(void)
{
	struct knumad_group_in *in = NULL;
	unsigned int *load, *capacity;
	int *out = NULL, *order = NULL;
	struct numa_group *g;
	int nr = 0;

	load = kcalloc(2 * nr_node_ids, sizeof(*load), GFP_KERNEL);
	if (!load)
		return;
	capacity = load + nr_node_ids;
	mutex_lock(&numa_group_mutex);
	list_for_each_entry(g, &numa_groups, node)
		nr++;
	if (!nr)
		goto out;
	in = kmalloc_array(nr, sizeof(*in), GFP_KERNEL);
	out = kmalloc_array(nr, sizeof(*out), GFP_KERNEL);
	order = kmalloc_array(nr, sizeof(*order), GFP_KERNEL);
	if (in && out && order)
		knumad_groups_decide(nr, in, out, order, load, capacity);
out:
	mutex_unlock(&numa_group_mutex);
	kfree(order);
	kfree(out);
	kfree(in);
	kfree(load);
}

/**
 * knumad_groups_demand() - Add the groups' migration requests.
 * @demand: pages asked to move from node s to node d, at
 *	[s * nr_node_ids + d]; added to.
 */
void knumad_groups_demand(unsigned long *demand)
{
	struct numa_group *g;
	int nid;

	mutex_lock(&numa_group_mutex);
	list_for_each_entry(g, &numa_groups, node) {
		if (g->mig_dst == NUMA_NO_NODE)
			continue;
		for (nid = 0; nid < nr_node_ids; nid++)
			demand[nid * nr_node_ids + g->mig_dst] += numa_group_mig_want(g)[nid];
	}
	mutex_unlock(&numa_group_mutex);
}

/* The range the migration walk of @g is in, or NULL past the last. */
static struct numa_group_range *knumad_group_mig_range(struct numa_group *g)
{
	struct numa_group_range *r;
	unsigned int i = 0;

	list_for_each_entry(r, &g->ranges, node) {
		if (i++ == g->mig_range)
			return r;
	}
	return NULL;
}

/* Move one chunk of @g's memory from @src; the walk goes on from its cursor. */
static void knumad_group_move_chunk(struct numa_group *g, int src, unsigned long nr,
				    struct knumad_migrate_control *mc)
{
	unsigned long *want = &numa_group_mig_want(g)[src];
	unsigned long before = mc->migrated;
	struct numa_group_range *r;

	nr = min(nr, *want);
	while ((r = knumad_group_mig_range(g))) {
		unsigned long next = 0;
		long n = 0;

		if (mmget_not_zero(r->mm)) {
			n = numa_migrate_move_range(r->mm, max(g->mig_addr, r->start), r->end,
						    src, g->mig_dst, nr, mc, &next);
			mmput(r->mm);
		}
		if (n < 0)
			break;		/* mmap_lock busy: try again later */
		*want -= min_t(unsigned long, *want, n);
		if (next) {
			g->mig_addr = next;
			break;
		}
		g->mig_range++;
		g->mig_addr = 0;
		if (n)
			break;
	}
	if (!r) {
		/* The walk reached the end: nothing more on @src to take. */
		*want = 0;
		g->mig_range = 0;
		g->mig_addr = 0;
	}
	g->pages_migrated += mc->migrated - before;
}

/**
 * knumad_groups_chunk() - Move one chunk of the groups' flow @src -> @dst.
 * @src: source node.
 * @dst: destination node.
 * @nr: at most this many pages.
 * @mc: the migration pass.
 *
 * Context: the knumad thread, from numa_migrate_run(); sleeps.
 * Return: false if no group wants pages moved from @src to @dst.
 */
bool knumad_groups_chunk(int src, int dst, unsigned long nr,
			 struct knumad_migrate_control *mc)
{
	struct numa_group *g;
	bool found = false;

	mutex_lock(&numa_group_mutex);
	list_for_each_entry(g, &numa_groups, node) {
		if (g->mig_dst != dst || !numa_group_mig_want(g)[src])
			continue;
		knumad_group_move_chunk(g, src, nr, mc);
		found = true;
		break;
	}
	mutex_unlock(&numa_group_mutex);
	return found;
}
