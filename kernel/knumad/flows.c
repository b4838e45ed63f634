// SPDX-License-Identifier: GPL-2.0
/*
 * knumad: memory follows CPU, paired. After the assignment, every unit
 * whose memory is not all on its node asks for it to move there: one move
 * per source node (unit, source, destination, pages). The moves add up to
 * flows between nodes; opposite flows are paired so that free memory stays
 * level, an unpaired flow moves within the destination's room (policy.c,
 * knumad_pair_flows()), and the pass's share of the rate limit caps the
 * whole. The moves are then carried out chunk by chunk, the flows taking
 * turns, each move walking its unit's ranges from where its walk stopped:
 * pages accessed since the last scan first (hot memory first), then the
 * rest (mm/numa_migrate, knumad_migrate()).
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/jiffies.h>
#include <linux/knumad.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/vmstat.h>

#include <trace/events/knumad.h>

#include "group.h"
#include "internal.h"

/* The @i-th range of @u's memory: a process's whole address space. */
static struct mm_struct *knumad_unit_range(struct knumad_unit *u, unsigned int i,
					   unsigned long *start, unsigned long *end)
{
	if (u->kind != KNUMAD_UNIT_PROCESS) {
		*start = u->ranges[i].start;
		*end = u->ranges[i].end;
		return u->ranges[i].mm;
	}
	*start = 0;
	*end = TASK_SIZE_MAX;
	return knumad_mm_mm(u->mm);
}

static unsigned int knumad_unit_nr_ranges(const struct knumad_unit *u)
{
	return u->kind == KNUMAD_UNIT_PROCESS ? 1 : u->nr_ranges;
}

static struct knumad_mig_cursor *knumad_unit_cursor(struct knumad_unit *u)
{
	if (u->kind == KNUMAD_UNIT_GROUP)
		return knumad_group_cursor(u);
	if (u->kind == KNUMAD_UNIT_THREADS)
		return &u->mig;
	return &knumad_mm_state(u->mm)->mig;
}

/* Pages moved for @u from @src to @dst: its counts and its walk. */
static void knumad_unit_moved(struct knumad_unit *u, struct knumad_mig_cursor *cur,
			      int src, int dst, unsigned long nr)
{
	if (u->kind == KNUMAD_UNIT_GROUP) {
		knumad_group_moved(u, src, dst, nr);
	} else {
		knumad_mm_moved(u->mm, src, dst, nr);
		knumad_mm_state(u->mm)->pages_migrated += nr;
	}
	if (u->kind == KNUMAD_UNIT_THREADS)
		knumad_hints_moved(u, src, dst, false);
	cur->moved += nr;
	cur->last_dst = dst;
	cur->moved_at = jiffies;
}

/*
 * May @u's memory move to @dst now? Not if the unit's memory is someone
 * else's to move, the cpuset forbids the node, nothing movable was left at
 * the last try, or the memory moved to another node within the hold-off
 * and is still there: less than a chunk of it there (a few stray pages
 * moved while the process was idle) is nothing to ping-pong.
 */
static bool knumad_unit_may_move(struct knumad_ctx *ctx, struct knumad_unit *u, int dst)
{
	unsigned long holdoff = msecs_to_jiffies(knumad_tun(ctx, migrate_holdoff_ms));
	struct knumad_mig_cursor *cur = knumad_unit_cursor(u);

	if (u->stay || !node_isset(dst, u->mem_nodes) || cur->stuck_at == u->serial)
		return false;
	return cur->last_dst == NUMA_NO_NODE || cur->last_dst == dst ||
	       u->pages[cur->last_dst] < knumad_tun(ctx, migrate_batch_pages) ||
	       !time_before(jiffies, cur->moved_at + holdoff);
}

/* The moves: for each unit whose memory should follow it, one per source. */
static void knumad_moves_build(struct knumad_ctx *ctx)
{
	struct knumad_pass *pass = &ctx->pass;
	unsigned int i;
	int src;

	pass->nr_moves = 0;
	for (i = 0; i < pass->nr_units; i++) {
		struct knumad_unit *u = &pass->units[i];
		const struct knumad_unit_out *out = &pass->out[i];

		if (!knumad_unit_moves_memory(out) || !knumad_unit_may_move(ctx, u, out->nid))
			continue;
		for (src = 0; src < nr_node_ids; src++) {
			if (src == out->nid || !u->pages[src])
				continue;
			pass->moves[pass->nr_moves++] = (struct knumad_move) {
				.unit = i, .src = src, .dst = out->nid, .want = u->pages[src],
			};
		}
	}
}

/*
 * Move one chunk of @mv, at most @nr pages, walking its unit's ranges from
 * where the walk stopped. The walk takes hot pages first; when it reaches
 * the end it takes every page; when that reaches the end the move is done
 * for this pass, and if the whole walk moved nothing, nothing movable is
 * left there until the unit is observed anew. Returns the pages taken.
 */
static unsigned long knumad_move_chunk(struct knumad_ctx *ctx, struct knumad_move *mv,
				       unsigned long nr)
{
	struct knumad_unit *u = &ctx->pass.units[mv->unit];
	struct knumad_mig_cursor *cur = knumad_unit_cursor(u);
	unsigned int nr_ranges = knumad_unit_nr_ranges(u);
	struct knumad_migrate_range r = {
		.src = mv->src,
		.dst = mv->dst,
		.budget = min(nr, mv->want),
		.task_policy_ok = node_isset(mv->dst, u->policy_nodes),
	};
	unsigned long taken = 0;
	unsigned int ranges_seen;

	for (ranges_seen = 0; ranges_seen <= nr_ranges; ranges_seen++) {
		struct mm_struct *mm;
		unsigned long start, end;

		if (cur->range >= nr_ranges) {
			cur->range = 0;
			cur->addr = 0;
			if (!cur->all) {
				cur->all = true;	/* hot pages done: all the rest */
				continue;
			}
			cur->all = false;
			if (u->kind == KNUMAD_UNIT_THREADS)
				knumad_hints_moved(u, mv->src, mv->dst, true);
			if (!cur->moved)
				cur->stuck_at = u->serial;
			cur->moved = 0;
			mv->want = 0;
			return taken;
		}
		if (!knumad_unit_mems_allow(u, mv->dst)) {
			mv->want = 0;	/* the cpuset changed: next pass decides */
			return taken;
		}
		mm = knumad_unit_range(u, cur->range, &start, &end);
		r.start = max(cur->addr, start);
		r.end = end;
		r.young_only = !cur->all;
		if (knumad_migrate(mm, &r)) {
			mv->want = 0;	/* mmap_lock busy: next pass */
			return taken;
		}
		taken += r.isolated;
		ctx->pass.moved[mv->src * nr_node_ids + mv->dst] += r.migrated;
		knumad_count(ctx, KNUMAD_STAT_PAGES_MIGRATED, KNUMAD_PAGE_MIGRATED, r.migrated);
		knumad_count(ctx, KNUMAD_STAT_PAGES_MIGRATE_FAILED, KNUMAD_PAGE_MIGRATE_FAIL,
			     r.isolated - r.migrated);
		if (r.migrated)
			knumad_unit_moved(u, cur, mv->src, mv->dst, r.migrated);
		mv->want -= min(mv->want, r.isolated);
		if (r.next) {
			cur->addr = r.next;
			return taken;
		}
		cur->range++;
		cur->addr = 0;
		if (r.isolated)
			return taken;
	}
	return taken;
}

/* The next move with memory wanted from @src to @dst, or NULL. */
static struct knumad_move *knumad_flow_move(struct knumad_pass *pass, int src, int dst)
{
	unsigned int i;

	for (i = 0; i < pass->nr_moves; i++) {
		struct knumad_move *mv = &pass->moves[i];

		if (mv->src == src && mv->dst == dst && mv->want)
			return mv;
	}
	return NULL;
}

/*
 * Carry out the allowed flows, a chunk per flow per round, so the two
 * directions of a pair alternate; at most @budget pages in all. A flow
 * gets ahead of the opposite one by at most its unpaired allowance and a
 * chunk (none if its destination is a chunk ahead from earlier passes):
 * if one direction runs dry (less memory there than counted), the other
 * stops too, and free memory stays level.
 */
static unsigned long knumad_flows_move(struct knumad_ctx *ctx, unsigned long budget)
{
	struct knumad_pass *pass = &ctx->pass;
	unsigned long batch = knumad_tun(ctx, migrate_batch_pages), done = 0;
	int nr = nr_node_ids;
	bool more = true;

	while (more && done < budget && !kthread_should_stop() && !knumad_budget_spent(ctx)) {
		int s, d;

		more = false;
		for (s = 0; s < nr; s++) {
			for (d = 0; d < nr; d++) {
				unsigned long *left = &pass->allowed[s * nr + d];
				unsigned long n = min3(*left, batch, budget - min(budget, done));
				unsigned long ahead = pass->taken[s * nr + d];
				/* One chunk of slack, unless @d is ahead from before. */
				unsigned long slack = batch - clamp_t(long, pass->net[d], 0, batch);
				unsigned long lead = pass->taken[d * nr + s] +
						     pass->unpaired[s * nr + d] + slack;
				struct knumad_move *mv;

				n = min(n, lead - min(lead, ahead));
				if (!n)
					continue;
				mv = knumad_flow_move(pass, s, d);
				if (!mv) {
					*left = 0;
					continue;
				}
				n = knumad_move_chunk(ctx, mv, n);
				*left -= min(*left, n);
				pass->taken[s * nr + d] += n;
				done += n;
				more = true;
				cond_resched();
			}
		}
	}
	return done;
}

/**
 * knumad_flows_run() - Act: move the memory of units whose memory is not
 * on their node, in paired flows.
 * @ctx: the context, after the assignment.
 * @rate_pages: the pass's share of the rate limit, in pages.
 *
 * Context: the knumad thread; sleeps.
 */
void knumad_flows_run(struct knumad_ctx *ctx, unsigned long rate_pages)
{
	struct knumad_flow_params fparams = {
		.tolerance = knumad_tun(ctx, pair_tolerance_pages),
		.patience_ms = knumad_tun(ctx, pair_wait_ms),
		.free_floor = ctx->pass.free_floor,
	};
	unsigned int free_pct = knumad_tun(ctx, pair_free_percent);
	struct knumad_pass *pass = &ctx->pass;
	unsigned long *demand = pass->demand;
	unsigned long wanted = 0, allowed = 0, done;
	int nr = nr_node_ids, s, d;
	unsigned int i;

	atomic64_set(&ctx->stats[KNUMAD_STAT_PAGES_WAITING], 0);
	pass->more_to_move = false;
	if (!knumad_tun(ctx, migrate_max_mbps))
		return;
	knumad_moves_build(ctx);
	memset(demand, 0, sizeof(*demand) * nr * nr);
	for (i = 0; i < pass->nr_moves; i++)
		demand[pass->moves[i].src * nr + pass->moves[i].dst] += pass->moves[i].want;

	for (s = 0; s < nr; s++) {
		bool busy = false;

		for (d = 0; d < nr; d++) {
			int f = s * nr + d;

			wanted += demand[f];
			busy |= demand[f] || demand[d * nr + s];
			/* How long a flow has had nothing the other way. */
			if (!demand[f] || demand[d * nr + s])
				pass->lonely_since[f] = 0;
			else if (!pass->lonely_since[f])
				pass->lonely_since[f] = jiffies ?: 1;
			pass->lonely_ms[f] = pass->lonely_since[f] ?
				jiffies_to_msecs(jiffies - pass->lonely_since[f]) : 0;
		}
		/* A node with no flow in or out starts a new balance. */
		if (!busy)
			pass->net[s] = 0;
		pass->headroom[s] = node_online(s) ? knumad_node_headroom(s) : 0;
		pass->free_floor[s] = node_online(s) ?
				      node_present_pages(s) * free_pct / 100 : 0;
	}
	if (!wanted)
		return;
	knumad_pair_flows(demand, pass->headroom, pass->net, pass->lonely_ms, &fparams, nr,
			  pass->allowed);
	for (s = 0; s < nr; s++) {
		for (d = 0; d < nr; d++) {
			int f = s * nr + d;

			allowed += pass->allowed[f];
			pass->unpaired[f] = pass->allowed[f] -
					    min3(pass->allowed[f], demand[f], demand[d * nr + s]);
			pass->taken[f] = 0;
		}
	}
	allowed = min(allowed, rate_pages);

	memset(pass->moved, 0, nr * nr * sizeof(*pass->moved));
	done = knumad_flows_move(ctx, rate_pages);
	pass->more_to_move = done && wanted > done;
	for (s = 0; s < nr; s++) {
		for (d = 0; d < nr; d++) {
			int f = s * nr + d;

			pass->net[d] += pass->moved[f];
			pass->net[s] -= pass->moved[f];
			if (demand[f])
				trace_knumad_flow(s, d, demand[f], pass->unpaired[f] +
						  min(demand[f], demand[d * nr + s]),
						  pass->moved[f], pass->headroom[d]);
		}
	}
	/* What waits is a level, not an event: a gauge, and one event per pass. */
	atomic64_set(&ctx->stats[KNUMAD_STAT_PAGES_WAITING], wanted - min(wanted, allowed));
	if (wanted > allowed)
		count_vm_event(KNUMAD_MIGRATE_DEFERRED);
}
