// SPDX-License-Identifier: GPL-2.0
/*
 * knumad's placement units: each pass, every tracked process and every
 * numa_group becomes a unit (observe), all units get a node together
 * (assign, by policy.c), and the decisions are recorded, counted and
 * traced. Placing the threads and moving the memory follow (place.c,
 * flows.c).
 *
 * A process unit is the threads that use the process's mm and are in no
 * group, and its memory; it weighs what CPU those threads needed over the
 * last pass. A group unit is its members and ranges; it reserves a CPU per
 * member. A unit is held on its node (hold-off) for migrate_holdoff_ms after
 * its node changed and while its memory keeps moving there, so nothing
 * ping-pongs.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/knumad.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/slab.h>

#include <trace/events/knumad.h>

#include "group.h"
#include "internal.h"

/* Room for this many more cluster units than the last pass had. */
#define KNUMAD_HINT_UNITS_SLACK	64

static void knumad_pass_free_units(struct knumad_pass *pass)
{
	kvfree(pass->units);
	kvfree(pass->in);
	kvfree(pass->out);
	kvfree(pass->order);
	kvfree(pass->counts);
	kvfree(pass->moves);
	pass->units = NULL;
	pass->in = NULL;
	pass->out = NULL;
	pass->order = NULL;
	pass->counts = NULL;
	pass->moves = NULL;
	pass->max_units = 0;
}

/* Room for @want units (and their counts and moves); false if no memory. */
static bool knumad_pass_reserve(struct knumad_pass *pass, unsigned int want)
{
	unsigned int max;

	if (want <= pass->max_units)
		return true;
	knumad_pass_free_units(pass);
	max = max(2 * want, 16U);
	pass->units = kvcalloc(max, sizeof(*pass->units), GFP_KERNEL);
	pass->in = kvcalloc(max, sizeof(*pass->in), GFP_KERNEL);
	pass->out = kvcalloc(max, sizeof(*pass->out), GFP_KERNEL);
	pass->order = kvcalloc(max, sizeof(*pass->order), GFP_KERNEL);
	pass->counts = kvcalloc((size_t)max * 2 * nr_node_ids, sizeof(*pass->counts),
				GFP_KERNEL);
	pass->moves = kvcalloc((size_t)max * nr_node_ids, sizeof(*pass->moves), GFP_KERNEL);
	if (pass->units && pass->in && pass->out && pass->order && pass->counts &&
	    pass->moves) {
		pass->max_units = max;
		return true;
	}
	knumad_pass_free_units(pass);
	return false;
}

/**
 * knumad_pass_free() - Free a pass's work space.
 * @pass: the work space.
 */
void knumad_pass_free(struct knumad_pass *pass)
{
	knumad_pass_free_units(pass);
	kfree(pass->capacity);
	kfree(pass->load);
	kvfree(pass->demand);
	kvfree(pass->allowed);
	kvfree(pass->moved);
	kvfree(pass->taken);
	kvfree(pass->unpaired);
	kvfree(pass->lonely_since);
	kvfree(pass->lonely_ms);
	kfree(pass->headroom);
	kfree(pass->free_floor);
	kfree(pass->net);
	memset(pass, 0, sizeof(*pass));
}

/**
 * knumad_pass_alloc() - Allocate a pass's per-node work space.
 * @pass: the work space; the per-unit arrays grow as needed in each pass.
 *
 * Return: 0 or -ENOMEM.
 */
int knumad_pass_alloc(struct knumad_pass *pass)
{
	size_t flows = (size_t)nr_node_ids * nr_node_ids;

	memset(pass, 0, sizeof(*pass));
	pass->capacity = kcalloc(nr_node_ids, sizeof(*pass->capacity), GFP_KERNEL);
	pass->load = kcalloc(nr_node_ids, sizeof(*pass->load), GFP_KERNEL);
	pass->demand = kvcalloc(flows, sizeof(*pass->demand), GFP_KERNEL);
	pass->allowed = kvcalloc(flows, sizeof(*pass->allowed), GFP_KERNEL);
	pass->moved = kvcalloc(flows, sizeof(*pass->moved), GFP_KERNEL);
	pass->taken = kvcalloc(flows, sizeof(*pass->taken), GFP_KERNEL);
	pass->unpaired = kvcalloc(flows, sizeof(*pass->unpaired), GFP_KERNEL);
	pass->lonely_since = kvcalloc(flows, sizeof(*pass->lonely_since), GFP_KERNEL);
	pass->lonely_ms = kvcalloc(flows, sizeof(*pass->lonely_ms), GFP_KERNEL);
	pass->headroom = kcalloc(nr_node_ids, sizeof(*pass->headroom), GFP_KERNEL);
	pass->free_floor = kcalloc(nr_node_ids, sizeof(*pass->free_floor), GFP_KERNEL);
	pass->net = kcalloc(nr_node_ids, sizeof(*pass->net), GFP_KERNEL);
	if (pass->capacity && pass->load && pass->demand && pass->allowed &&
	    pass->moved && pass->taken && pass->unpaired && pass->lonely_since &&
	    pass->lonely_ms && pass->headroom && pass->free_floor && pass->net)
		return 0;
	knumad_pass_free(pass);
	return -ENOMEM;
}

/**
 * knumad_unit_held() - Is a unit held on its node? knumad_unit_holds() with
 * today's hold-off.
 * @ctx: the context.
 * @nid: its node.
 * @reason: why it got that node (enum knumad_reason).
 * @changed: jiffies when its node last changed.
 * @mig: its migration walk.
 *
 * Return: true if the unit keeps its node while it fits.
 */
bool knumad_unit_held(struct knumad_ctx *ctx, int nid, unsigned int reason,
		      unsigned long changed, const struct knumad_mig_cursor *mig)
{
	return knumad_unit_holds(nid, reason, changed, mig, jiffies,
				 msecs_to_jiffies(knumad_tun(ctx, migrate_holdoff_ms)));
}

/* Make a unit of the process behind @e; false if there is nothing to place. */
static bool knumad_process_unit(struct knumad_ctx *ctx, struct knumad_mm *e,
				struct knumad_unit *u)
{
	struct knumad_mm_state *st = knumad_mm_state(e);

	if (!knumad_mm_counts(e, u->pages, u->hot))
		return false;
	u->owner = knumad_mm_get_owner(e);
	if (!u->owner)
		return false;	/* forked, not named by discovery yet */
	knumad_mm_get(e);
	u->kind = KNUMAD_UNIT_PROCESS;
	u->mm = e;
	u->serial = knumad_mm_full_scans(e);
	u->cur = st->nid;
	u->held = knumad_unit_held(ctx, st->nid, READ_ONCE(st->reason), st->changed, &st->mig);
	u->hinting = st->hinting;
	/* Clusters decided in the last pass take their threads first. */
	if (u->hinting)
		knumad_hints_cluster(ctx, u);
	knumad_unit_observe_threads(u);
	return true;
}

/* Does a group hold memory of @mm? Its memory then moves with the group. */
static bool knumad_mm_in_groups(struct knumad_pass *pass, struct mm_struct *mm)
{
	unsigned int i, r;

	for (i = 0; i < pass->nr_units; i++) {
		struct knumad_unit *u = &pass->units[i];

		if (u->kind != KNUMAD_UNIT_GROUP)
			continue;
		for (r = 0; r < u->nr_ranges; r++) {
			if (u->ranges[r].mm == mm)
				return true;
		}
	}
	return false;
}

/**
 * knumad_units_build() - Observe: one unit per tracked process and group.
 * @ctx: the context; the units go into its pass.
 *
 * Context: the knumad thread; sleeps.
 */
void knumad_units_build(struct knumad_ctx *ctx)
{
	struct knumad_pass *pass = &ctx->pass;
	struct knumad_mm *e;
	unsigned int i, nr = 0;

	pass->nr_units = 0;
	if (!knumad_pass_reserve(pass, knumad_mm_nr() + knumad_groups_nr() +
				 2 * atomic64_read(&ctx->stats[KNUMAD_STAT_THREAD_UNITS]) +
				 KNUMAD_HINT_UNITS_SLACK))
		return;
	memset(pass->units, 0, pass->max_units * sizeof(*pass->units));
	memset(pass->counts, 0, (size_t)pass->max_units * 2 * nr_node_ids *
	       sizeof(*pass->counts));
	for (i = 0; i < pass->max_units; i++) {
		pass->units[i].pages = pass->counts + (size_t)i * 2 * nr_node_ids;
		pass->units[i].hot = pass->units[i].pages + nr_node_ids;
		pass->units[i].cur = NUMA_NO_NODE;
	}

	for (e = knumad_mm_next(NULL); e; e = knumad_mm_next(e)) {
		if (nr == pass->max_units) {
			knumad_mm_put(e);
			break;
		}
		if (knumad_process_unit(ctx, e, &pass->units[nr]))
			nr++;
		else
			memset(pass->units[nr].pages, 0, 2 * nr_node_ids * sizeof(unsigned long));
		cond_resched();
	}
	pass->nr_units = nr;
	pass->nr_units += knumad_groups_observe(ctx, nr, knumad_tun(ctx, pages_to_scan));

	for (i = 0; i < nr; i++) {
		struct knumad_unit *u = &pass->units[i];

		u->stay = knumad_mm_in_groups(pass, knumad_mm_mm(u->mm));
	}
	/* Processes whose threads work on different memory: their clusters. */
	for (i = 0; i < nr; i++) {
		if (pass->units[i].hinting)
			pass->nr_units += knumad_hints_units(ctx, i, pass->nr_units);
	}
}

/* Record @u's new node and reason, and say so. */
static void knumad_unit_decided(struct knumad_ctx *ctx, struct knumad_unit *u,
				const struct knumad_unit_out *out)
{
	unsigned int *reason;
	int *nid, id;

	if (u->kind == KNUMAD_UNIT_THREADS) {
		struct knumad_hint_view *lead = u->tasks[0]->knumad_task->view;
		int old = knumad_hint_view_nid(lead);

		if (knumad_hints_decided(u, out) || old != out->nid) {
			trace_knumad_assign(u->kind, u->tasks[0]->pid, old, out->nid,
					    out->reason, u->weight,
					    knumad_sum(u->pages, nr_node_ids) -
					    (out->nid >= 0 ? u->pages[out->nid] : 0));
			knumad_count(ctx, KNUMAD_STAT_NODE_CHANGES, KNUMAD_NODE_CHANGE, 1);
		}
		return;
	}
	if (u->kind == KNUMAD_UNIT_PROCESS) {
		struct knumad_mm_state *st = knumad_mm_state(u->mm);

		nid = &st->nid;
		reason = &st->reason;
		id = pid_nr(u->owner);
	} else {
		nid = &u->group->nid;
		reason = &u->group->reason;
		id = u->group->id;
	}
	if (*nid == out->nid && *reason == out->reason)
		return;
	trace_knumad_assign(u->kind, id, *nid, out->nid, out->reason, u->weight,
			    knumad_sum(u->pages, nr_node_ids) -
			    (out->nid >= 0 ? u->pages[out->nid] : 0));
	WRITE_ONCE(*reason, out->reason);
	if (*nid == out->nid)
		return;
	WRITE_ONCE(*nid, out->nid);
	knumad_count(ctx, KNUMAD_STAT_NODE_CHANGES, KNUMAD_NODE_CHANGE, 1);
	if (u->kind == KNUMAD_UNIT_PROCESS) {
		struct knumad_mm_state *st = knumad_mm_state(u->mm);

		st->changed = jiffies;
		WRITE_ONCE(st->node_changes, st->node_changes + 1);
	} else {
		u->group->changed = jiffies;
		WRITE_ONCE(u->group->node_changes, u->group->node_changes + 1);
	}
}

/**
 * knumad_units_assign() - Assign: one node per unit, all together.
 * @ctx: the context, with the pass's units built.
 *
 * Context: the knumad thread.
 */
void knumad_units_assign(struct knumad_ctx *ctx)
{
	struct knumad_node_params params = {
		.hysteresis_pct = knumad_tun(ctx, hysteresis_percent),
		.min_hot_pages = knumad_tun(ctx, min_hot_pages),
	};
	struct knumad_pass *pass = &ctx->pass;
	unsigned long converging = 0, clusters = 0;
	unsigned int i;
	int nid;

	for_each_node(nid)
		pass->capacity[nid] = cpumask_weight_and(cpumask_of_node(nid),
							 cpu_active_mask) * KNUMAD_CPU;
	for (i = 0; i < pass->nr_units; i++) {
		struct knumad_unit *u = &pass->units[i];
		struct knumad_unit_in *in = &pass->in[i];

		nodes_and(u->allowed, u->cpu_nodes, u->mem_nodes);
		if (nodes_empty(u->allowed))
			u->allowed = u->cpu_nodes;
		*in = (struct knumad_unit_in) {
			.weight = u->weight,
			.pages = u->pages,
			.hot = u->hot,
			.allowed = &u->allowed,
			.cur = u->cur,
			.held = u->held,
			.keep_together = u->kind != KNUMAD_UNIT_PROCESS,
			.memory_stays = u->stay,
		};
	}
	knumad_assign(pass->in, pass->nr_units, pass->capacity, nr_node_ids, &params,
		      pass->load, pass->order, pass->out);
	for (i = 0; i < pass->nr_units; i++) {
		knumad_unit_decided(ctx, &pass->units[i], &pass->out[i]);
		clusters += pass->units[i].kind == KNUMAD_UNIT_THREADS;
		converging += knumad_unit_moves_memory(&pass->out[i]) &&
			      pass->out[i].nid >= 0 &&
			      knumad_sum(pass->units[i].pages, nr_node_ids) !=
			      pass->units[i].pages[pass->out[i].nid];
	}
	atomic64_set(&ctx->stats[KNUMAD_STAT_UNITS], pass->nr_units);
	atomic64_set(&ctx->stats[KNUMAD_STAT_UNITS_CONVERGING], converging);
	atomic64_set(&ctx->stats[KNUMAD_STAT_THREAD_UNITS], clusters);
}

/**
 * knumad_units_release() - Drop what the pass's units hold.
 * @ctx: the context.
 */
void knumad_units_release(struct knumad_ctx *ctx)
{
	struct knumad_pass *pass = &ctx->pass;
	unsigned int i;

	for (i = 0; i < pass->nr_units; i++) {
		struct knumad_unit *u = &pass->units[i];

		if (u->kind == KNUMAD_UNIT_GROUP) {
			knumad_group_unit_release(u);
		} else if (u->kind == KNUMAD_UNIT_THREADS) {
			knumad_hints_unit_release(u);
		} else {
			put_pid(u->owner);
			knumad_mm_put(u->mm);
		}
	}
	pass->nr_units = 0;
}
