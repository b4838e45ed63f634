// SPDX-License-Identifier: GPL-2.0
/*
 * knumad and numa_groups: in each pass every group becomes a placement
 * unit, like a process: a snapshot of its members and ranges (taken under
 * knumad_groups_lock, used without it), where its memory is, and the CPU
 * it reserves (one CPU per member thread, busy or idle: a VM's vCPUs are
 * its reservation). The assignment and the moves are the same as for
 * processes (units.c, place.c, flows.c).
 *
 * Counting where a group's memory is leaves the accessed bits alone (they
 * belong to the per-process scan) and goes by resident pages: a group says
 * what belongs together, so all of its memory counts. It goes in bounded
 * steps; a group is placed from the first step on, with what was counted
 * so far, so a new group is placed, and its memory starts moving, in the
 * first pass that sees it with members and memory.
 * See Documentation/userspace-api/numa_group.rst.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/jiffies.h>
#include <linux/knumad.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "group.h"
#include "internal.h"

/* The group the next pass starts counting with (round robin). */
static unsigned int knumad_group_count_start;

/**
 * knumad_groups_nr() - How many numa_groups exist.
 *
 * Return: the number of open groups.
 */
unsigned int knumad_groups_nr(void)
{
	return READ_ONCE(knumad_groups_count);
}

/*
 * Copy @g's members and ranges into @u, referenced; returns false if out of
 * memory. The arrays are sized unlocked and filled locked; a group that
 * grew in between is read again (its limits bound the retries' cost).
 */
static bool knumad_group_snapshot(struct knumad_group *g, struct knumad_unit *u)
{
	struct knumad_group_member *m;
	struct knumad_group_span *r;
	unsigned int nt, nr;

	for (;;) {
		spin_lock(&knumad_groups_lock);
		nt = g->nr_tasks;
		nr = g->nr_ranges;
		spin_unlock(&knumad_groups_lock);
		u->members = kmalloc_array(max(nt, 1U), sizeof(*u->members), GFP_KERNEL);
		u->ranges = kmalloc_array(max(nr, 1U), sizeof(*u->ranges), GFP_KERNEL);
		if (!u->members || !u->ranges)
			return false;
		spin_lock(&knumad_groups_lock);
		if (g->nr_tasks <= nt && g->nr_ranges <= nr)
			break;
		spin_unlock(&knumad_groups_lock);
		kfree(u->members);
		kfree(u->ranges);
	}
	list_for_each_entry(m, &g->tasks, node)
		u->members[u->nr_members++] = get_pid(m->pid);
	list_for_each_entry(r, &g->ranges, node) {
		mmgrab(r->mm);
		u->ranges[u->nr_ranges].mm = r->mm;
		u->ranges[u->nr_ranges].start = r->start;
		u->ranges[u->nr_ranges].end = r->end;
		u->nr_ranges++;
	}
	u->serial = g->counts_done;
	u->gen = g->gen;
	spin_unlock(&knumad_groups_lock);
	return true;
}

/*
 * Count on in @u's ranges, within @budget (address space, base pages);
 * publish the count when it reaches the end. A new count starts only when
 * the interval since the last one passed, as for processes (rescan.c), or
 * at once when the membership changed. Returns what was walked.
 */
static unsigned long knumad_group_count(struct knumad_ctx *ctx, struct knumad_group *g,
					struct knumad_unit *u, unsigned long budget)
{
	unsigned long *counting = knumad_group_counting(g);
	unsigned int sleep_ms = knumad_tun(ctx, scan_sleep_ms);
	unsigned long walked = 0;

	if (g->count_gen != u->gen) {
		/* Membership changed: a count never mixes two. */
		memset(counting, 0, nr_node_ids * sizeof(*counting));
		g->count_gen = u->gen;
		g->count_range = 0;
		g->count_addr = 0;
		g->count_interval = 0;
	} else if (!g->count_range && !g->count_addr && g->count_interval &&
		   time_before(jiffies, g->count_next)) {
		return 0;
	}
	while (g->count_range < u->nr_ranges && walked < budget) {
		struct knumad_group_range *r = &u->ranges[g->count_range];
		unsigned long next = 0;
		long n;

		n = knumad_count_range(r->mm, max(g->count_addr, r->start), r->end, counting,
				       budget - walked, &next);
		if (n < 0)
			return walked;	/* mmap_lock busy: resume here */
		walked += n;
		if (next) {
			g->count_addr = next;
			return walked;
		}
		g->count_range++;
		g->count_addr = 0;
	}
	if (g->count_range < u->nr_ranges)
		return walked;
	/* Resident pages stand for the hot ones: a count clears no bits. */
	g->count_interval = knumad_rescan_interval(g->counts_done ? g->count_interval : 0,
						   knumad_group_pages(g), knumad_group_pages(g),
						   counting, counting, nr_node_ids, 1, sleep_ms,
						   KNUMAD_RESCAN_MAX_SLEEPS * sleep_ms);
	g->count_next = jiffies + msecs_to_jiffies(g->count_interval);
	spin_lock(&knumad_groups_lock);
	memcpy(knumad_group_pages(g), counting, nr_node_ids * sizeof(*counting));
	WRITE_ONCE(g->counts_done, g->counts_done + 1);
	spin_unlock(&knumad_groups_lock);
	memset(counting, 0, nr_node_ids * sizeof(*counting));
	g->count_range = 0;
	g->count_addr = 0;
	return walked;
}

/* Where @u's memory is as far as knumad knows: the last count, else so far. */
static void knumad_group_unit_pages(struct knumad_group *g, struct knumad_unit *u)
{
	size_t bytes = nr_node_ids * sizeof(unsigned long);

	spin_lock(&knumad_groups_lock);
	memcpy(u->pages, g->counts_done ? knumad_group_pages(g) : knumad_group_counting(g),
	       bytes);
	spin_unlock(&knumad_groups_lock);
	memcpy(u->hot, u->pages, bytes);
}

/**
 * knumad_groups_observe() - Make a placement unit of every numa_group.
 * @ctx: the context; units are added to its pass from @first on.
 * @first: index of the first free unit.
 * @budget: address space (base pages) counting may walk in this pass.
 *
 * Drops members that are gone (by trylock), takes a snapshot of each
 * group, counts on where its memory is, and measures its threads.
 * Context: the knumad thread; sleeps.
 * Return: the number of units added.
 */
unsigned int knumad_groups_observe(struct knumad_ctx *ctx, unsigned int first,
				   unsigned long budget)
{
	struct knumad_pass *pass = &ctx->pass;
	unsigned int room = pass->max_units - first, nr = 0, i, start;
	unsigned long walked = 0;
	struct knumad_group *g;

	spin_lock(&knumad_groups_lock);
	list_for_each_entry(g, &knumad_groups, node) {
		if (nr == room)
			break;
		kref_get(&g->ref);
		pass->units[first + nr++].group = g;
	}
	spin_unlock(&knumad_groups_lock);

	start = nr ? knumad_group_count_start++ % nr : 0;
	for (i = 0; i < nr; i++) {
		struct knumad_unit *u = &pass->units[first + (start + i) % nr];

		g = u->group;
		u->kind = KNUMAD_UNIT_GROUP;
		knumad_group_prune(g, true);
		if (!knumad_group_snapshot(g, u))
			continue;	/* no memory: a unit without members */
		if (walked < budget)
			walked += knumad_group_count(ctx, g, u, budget - walked);
		knumad_group_unit_pages(g, u);
		knumad_unit_observe_threads(u);
		/* A group reserves a CPU per live member, busy or idle. */
		u->weight = u->threads * KNUMAD_CPU;
		u->cur = READ_ONCE(g->nid);
		u->held = knumad_unit_held(ctx, u->cur, READ_ONCE(g->reason), g->changed,
					   knumad_group_cursor(u));
		cond_resched();
	}
	return nr;
}

/**
 * knumad_group_unit_release() - Drop what a group unit holds.
 * @u: the unit.
 */
void knumad_group_unit_release(struct knumad_unit *u)
{
	unsigned int i;

	for (i = 0; i < u->nr_members; i++)
		put_pid(u->members[i]);
	for (i = 0; i < u->nr_ranges; i++)
		mmdrop(u->ranges[i].mm);
	kfree(u->members);
	kfree(u->ranges);
	knumad_group_put(u->group);
}

/**
 * knumad_group_cursor() - Where a group's migration walk stands.
 * @u: the group's unit.
 *
 * The walk starts over when the group's membership changed.
 * Return: the cursor (knumad thread only).
 */
struct knumad_mig_cursor *knumad_group_cursor(struct knumad_unit *u)
{
	struct knumad_group *g = u->group;

	if (g->mig_gen != u->gen) {
		memset(&g->mig, 0, sizeof(g->mig));
		g->mig.stuck_at = ULONG_MAX;
		g->mig.last_dst = NUMA_NO_NODE;
		g->mig_gen = u->gen;
	}
	return &g->mig;
}

/**
 * knumad_group_moved() - Account pages knumad moved for a group.
 * @u: the group's unit.
 * @src: where they came from.
 * @dst: where they went.
 * @nr: how many.
 */
void knumad_group_moved(struct knumad_unit *u, int src, int dst, unsigned long nr)
{
	struct knumad_group *g = u->group;
	unsigned long *pages = knumad_group_pages(g);

	spin_lock(&knumad_groups_lock);
	nr = min(nr, pages[src]);
	pages[src] -= nr;
	pages[dst] += nr;
	spin_unlock(&knumad_groups_lock);
	WRITE_ONCE(g->pages_migrated, g->pages_migrated + nr);
}

/**
 * knumad_groups_forget() - knumad stopped: no group has a node any more.
 */
void knumad_groups_forget(void)
{
	struct knumad_group *g;

	spin_lock(&knumad_groups_lock);
	list_for_each_entry(g, &knumad_groups, node)
		WRITE_ONCE(g->nid, NUMA_NO_NODE);
	spin_unlock(&knumad_groups_lock);
}
