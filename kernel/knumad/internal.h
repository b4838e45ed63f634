/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad: state shared by the files of kernel/knumad. The pure policy has
 * its own header, policy.h.
 *
 * A pass of the knumad thread has three steps, one file each:
 *   observe (units.c, group.c): scan memory (mm/numa_migrate), and turn
 *	every tracked process and numa_group into a placement unit: where
 *	its memory is, how much CPU its threads need, where they may run;
 *   assign (policy.c, called from units.c): one node per unit, all units
 *	together, within the nodes' CPU capacity;
 *   act (place.c, flows.c): run each unit's threads on its node, then move
 *	the memory of units whose memory is elsewhere, through an explicit
 *	list of moves, paired between nodes.
 * All of it runs in the knumad thread and uses one context object, struct
 * knumad_ctx (core.c owns the only instance).
 */
#ifndef _KERNEL_KNUMAD_INTERNAL_H
#define _KERNEL_KNUMAD_INTERNAL_H

#include <linux/atomic.h>
#include <linux/knumad.h>
#include <linux/nodemask.h>
#include <linux/types.h>
#include <linux/vm_event_item.h>
#include <linux/wait.h>

#include "policy.h"

struct dentry;
struct knumad_group;

/**
 * struct knumad_tunables - The knobs under /sys/kernel/mm/knumad/.
 * @scan_sleep_ms: sleep between passes, at least.
 * @pages_to_scan: address space (in base pages) scanned per pass.
 * @max_cpu_percent: CPU budget of the thread, in percent of one CPU
 *	(default: knumad_default_cpu_percent()).
 * @budget_window_ms: how much of the budget may be saved up for a burst:
 *	@max_cpu_percent percent of this much wall time.
 * @hysteresis_percent: how much more (hot) memory another node needs
 *	before a unit's memory node changes.
 * @min_anon_pages: smallest process (anonymous pages) worth tracking.
 * @min_hot_pages: below this many hot pages, resident pages decide.
 * @migrate_max_mbps: most memory knumad migrates per second (MiB/s);
 *	0 turns memory-follows-CPU off.
 * @migrate_batch_pages: pages per migration chunk.
 * @pair_tolerance_pages: most pages a node may gain, net, while its flows
 *	could still be paired.
 * @migrate_holdoff_ms: after a unit's node changed, how long before it may
 *	change again.
 * @pair_wait_ms: how long a flow with nothing the other way waits for a
 *	partner before it moves one way (within the destination's room).
 * @pair_free_percent: a flow with nothing the other way does not wait for
 *	a partner while its destination keeps more than this share of its
 *	memory free (100: it always waits).
 *
 * Written by sysfs stores, read by the thread once per pass with
 * READ_ONCE(): a pass sees each knob either before or after a store.
 */
struct knumad_tunables {
	unsigned int scan_sleep_ms;
	unsigned int pages_to_scan;
	unsigned int max_cpu_percent;
	unsigned int budget_window_ms;
	unsigned int hysteresis_percent;
	unsigned int min_anon_pages;
	unsigned int min_hot_pages;
	unsigned int migrate_max_mbps;
	unsigned int migrate_batch_pages;
	unsigned int pair_tolerance_pages;
	unsigned int migrate_holdoff_ms;
	unsigned int pair_wait_ms;
	unsigned int pair_free_percent;
};

/**
 * enum knumad_stat_item - knumad's read-only counters (sysfs).
 * @KNUMAD_STAT_PASSES: passes run.
 * @KNUMAD_STAT_FULL_SCANS: complete scans of one process's memory.
 * @KNUMAD_STAT_PAGES_SCANNED: present pages looked at.
 * @KNUMAD_STAT_MMS_SKIPPED: scan visits skipped, mmap_lock contended.
 * @KNUMAD_STAT_NODE_CHANGES: a unit's node changed.
 * @KNUMAD_STAT_TASKS_MOVED: tasks moved to an idle CPU of their node.
 * @KNUMAD_STAT_TASKS_SWAPPED: tasks swapped with one that preferred theirs.
 * @KNUMAD_STAT_TASKS_BUSY: placements given up: no idle CPU, no partner.
 * @KNUMAD_STAT_PAGES_MIGRATED: pages moved to their unit's node.
 * @KNUMAD_STAT_PAGES_MIGRATE_FAILED: pages that could not move (stayed).
 * @KNUMAD_STAT_PAGES_WAITING: a gauge: pages wanted but held back by the
 *	last pass (no opposite flow to pair with and no room or tolerance
 *	on the destination, or the rate limit).
 * @KNUMAD_STAT_CPU_NS: CPU time of the thread.
 * @KNUMAD_STAT_UNITS: a gauge: units placed by the last pass.
 * @KNUMAD_STAT_UNITS_CONVERGING: a gauge: of those, units whose memory
 *	was asked to follow them.
 * @KNUMAD_STAT_THREAD_UNITS: a gauge: of those, clusters of threads (of
 *	processes whose threads work on different memory).
 * @KNUMAD_STAT_HINT_ARMED: entries made to fault on the next access.
 * @KNUMAD_STAT_HINT_FAULTS: hinting faults read from the threads' records.
 * @KNUMAD_STAT_HINT_LOST: records overwritten before knumad read them.
 * @NR_KNUMAD_STATS: the number of counters.
 */
enum knumad_stat_item {
	KNUMAD_STAT_PASSES,
	KNUMAD_STAT_FULL_SCANS,
	KNUMAD_STAT_PAGES_SCANNED,
	KNUMAD_STAT_MMS_SKIPPED,
	KNUMAD_STAT_NODE_CHANGES,
	KNUMAD_STAT_TASKS_MOVED,
	KNUMAD_STAT_TASKS_SWAPPED,
	KNUMAD_STAT_TASKS_BUSY,
	KNUMAD_STAT_PAGES_MIGRATED,
	KNUMAD_STAT_PAGES_MIGRATE_FAILED,
	KNUMAD_STAT_PAGES_WAITING,
	KNUMAD_STAT_CPU_NS,
	KNUMAD_STAT_UNITS,
	KNUMAD_STAT_UNITS_CONVERGING,
	KNUMAD_STAT_THREAD_UNITS,
	KNUMAD_STAT_HINT_ARMED,
	KNUMAD_STAT_HINT_FAULTS,
	KNUMAD_STAT_HINT_LOST,
	NR_KNUMAD_STATS,
};

/**
 * enum knumad_unit_kind - What a placement unit is.
 * @KNUMAD_UNIT_PROCESS: a tracked process: the threads that use its mm
 *	(but those in numa_groups) and its memory (but ranges in groups).
 * @KNUMAD_UNIT_GROUP: a numa_group: its member threads and ranges.
 * @KNUMAD_UNIT_THREADS: threads of one process that work on memory of
 *	their own (hints.c): a thread alone, or threads sharing memory; and
 *	the regions of memory they use.
 */
enum knumad_unit_kind {
	KNUMAD_UNIT_PROCESS,
	KNUMAD_UNIT_GROUP,
	KNUMAD_UNIT_THREADS,
};

/**
 * struct knumad_group_range - A group range, as a pass sees it.
 * @mm: the mm, held by mmgrab().
 * @start: first byte.
 * @end: first byte after it.
 */
struct knumad_group_range {
	struct mm_struct *mm;
	unsigned long start;
	unsigned long end;
};

/**
 * struct knumad_unit - One placement unit in a pass.
 * @kind: process or group.
 * @mm: a process: its registry entry, referenced.
 * @group: a group: referenced.
 * @owner: a process: its thread group, referenced.
 * @members: a group: its member threads' pids, referenced (@nr_members).
 * @tasks: threads: the threads, referenced (@nr_members).
 * @ranges: a group or threads: its ranges (@nr_ranges), mms held by
 *	mmgrab().
 * @mig: threads: their migration walk, for this pass.
 * @nr_members: entries in @members.
 * @nr_ranges: entries in @ranges.
 * @pages: resident pages per node (nr_node_ids entries, in the pass's
 *	work space).
 * @hot: of those, hot pages per node.
 * @cpu_nodes: nodes where all its busy threads may run.
 * @mem_nodes: nodes its memory may move to (the cpusets' mems).
 * @policy_nodes: nodes the task memory policies of its threads let its
 *	memory move to (VMAs with a policy of their own decide for
 *	themselves).
 * @serial: its observation: complete scans (a process) or counts (a
 *	group) so far.
 * @gen: a group: its membership generation at the snapshot.
 * @allowed: the nodes it may be placed on: @cpu_nodes, and @mem_nodes too
 *	where they meet.
 * @stay: its memory does not move (a process with memory in a group, or
 *	with clusters of threads: the group or the clusters move that).
 * @hinting: a process: knumad samples its memory with hinting faults.
 * @threads: threads counted.
 * @weight: CPU demand in milli-CPUs (a group: its reservation).
 * @cur: its node before this pass, or NUMA_NO_NODE.
 * @held: in hold-off, or converging.
 */
struct knumad_unit {
	enum knumad_unit_kind kind;
	union {
		struct knumad_mm *mm;
		struct knumad_group *group;
	};
	struct pid *owner;
	struct pid **members;
	struct task_struct **tasks;
	struct knumad_group_range *ranges;
	struct knumad_mig_cursor mig;
	unsigned int nr_members;
	unsigned int nr_ranges;
	unsigned long *pages;
	unsigned long *hot;
	nodemask_t cpu_nodes;
	nodemask_t mem_nodes;
	nodemask_t policy_nodes;
	unsigned long serial;
	unsigned int gen;
	nodemask_t allowed;
	bool stay;
	bool hinting;
	unsigned int threads;
	unsigned int weight;
	int cur;
	bool held;
};

/**
 * struct knumad_move - Memory of one unit asked to move in this pass.
 * @unit: index of the unit in the pass.
 * @src: from this node...
 * @dst: ...to this one.
 * @want: pages still wanted; 0 once done for this pass.
 */
struct knumad_move {
	unsigned int unit;
	int src;
	int dst;
	unsigned long want;
};

/**
 * struct knumad_pass - The knumad thread's work space for one pass.
 * @units: the units (@nr_units of @max_units).
 * @in: the units as the policy sees them.
 * @out: the policy's decisions.
 * @order: scratch for the policy.
 * @counts: 2 * nr_node_ids counters per unit (@units' @pages, @hot).
 * @nr_units: units in this pass.
 * @max_units: room in the arrays above.
 * @moves: the moves of this pass (@nr_moves; room for 2 per unit per node).
 * @nr_moves: moves in this pass.
 * @capacity: CPU capacity per node, in milli-CPUs.
 * @load: scratch for the policy, per node.
 * @demand: [src * nr + dst] pages wanted.
 * @allowed: [src * nr + dst] pages allowed (used up as they move).
 * @moved: [src * nr + dst] pages moved.
 * @taken: [src * nr + dst] pages taken to move (moved, or failed and
 *	put back) in this pass.
 * @unpaired: [src * nr + dst] of the pages allowed, those not paired with
 *	the opposite flow.
 * @lonely_since: [src * nr + dst] jiffies a flow has been unpaired, or 0.
 * @lonely_ms: [src * nr + dst] ms unpaired.
 * @headroom: free pages above the high watermarks, per node.
 * @free_floor: per node, the free pages it keeps before it takes memory
 *	one way without a partner (@pair_free_percent of its memory).
 * @net: pages gained by knumad since the node's flows went quiet.
 * @more_to_move: the pass moved memory and more waits: the next pass
 *	follows soon (see knumad_sleep_ms()).
 */
struct knumad_pass {
	struct knumad_unit *units;
	struct knumad_unit_in *in;
	struct knumad_unit_out *out;
	int *order;
	unsigned long *counts;
	unsigned int nr_units;
	unsigned int max_units;
	struct knumad_move *moves;
	unsigned int nr_moves;
	unsigned int *capacity;
	unsigned long *load;
	unsigned long *demand;
	unsigned long *allowed;
	unsigned long *moved;
	unsigned long *taken;
	unsigned long *unpaired;
	unsigned long *lonely_since;
	unsigned int *lonely_ms;
	long *headroom;
	long *free_floor;
	long *net;
	bool more_to_move;
};

/**
 * struct knumad_ctx - Everything knumad's thread works with: tunables,
 * statistics and the pass's work space (DAMON's damon_ctx is the model).
 * @tun: the tunables (sysfs writes, the thread reads).
 * @stats: the counters (sysfs reads).
 * @wait: the thread sleeps here between passes.
 * @kicked: a tunable changed: recompute the sleep.
 * @budget_ns: CPU time the budget holds (negative: overdrawn); the thread's.
 * @charged_ns: the thread's run time the budget was charged with so far.
 * @pass_start_ns: the thread's run time when the pass began.
 * @pass: the pass's work space, allocated while the thread runs.
 */
struct knumad_ctx {
	struct knumad_tunables tun;
	atomic64_t stats[NR_KNUMAD_STATS];
	wait_queue_head_t wait;
	bool kicked;
	s64 budget_ns;
	u64 charged_ns;
	u64 pass_start_ns;
	struct knumad_pass pass;
};

/* The tunable @field of @ctx, read once. */
#define knumad_tun(ctx, field)	READ_ONCE((ctx)->tun.field)

/* Memory that stays put is scanned every this many scan sleeps at most. */
#define KNUMAD_RESCAN_MAX_SLEEPS	32

void knumad_count(struct knumad_ctx *ctx, enum knumad_stat_item item,
		  enum vm_event_item event, unsigned long nr);
bool knumad_budget_spent(struct knumad_ctx *ctx);

/**
 * knumad_kick() - Start the next pass now (a tunable changed).
 * @ctx: the context.
 */
static inline void knumad_kick(struct knumad_ctx *ctx)
{
	WRITE_ONCE(ctx->kicked, true);
	wake_up_interruptible(&ctx->wait);
}

/* sysfs.c */
int knumad_sysfs_init(struct knumad_ctx *ctx);

/* threads.c: per-thread state, CPU demand, where threads may run */
struct knumad_task *knumad_task_get(struct task_struct *t, gfp_t gfp);
unsigned int knumad_thread_demand(struct task_struct *t, u64 now);
bool knumad_thread_busy(const struct knumad_task *kt);
bool knumad_thread_in_group(struct task_struct *t);
/* Threads handled per batch; knumad_unit_threads() is done. */
#define KNUMAD_THREAD_BATCH	64
#define KNUMAD_THREADS_DONE	UINT_MAX
unsigned int knumad_unit_threads(struct knumad_unit *u, unsigned int *pos,
				 struct task_struct **batch, unsigned int max);
void knumad_unit_observe_threads(struct knumad_unit *u);
bool knumad_unit_mems_allow(struct knumad_unit *u, int nid);

/* units.c: the units of a pass, and their assignment */
int knumad_pass_alloc(struct knumad_pass *pass);
void knumad_pass_free(struct knumad_pass *pass);
void knumad_units_build(struct knumad_ctx *ctx);
void knumad_units_assign(struct knumad_ctx *ctx);
void knumad_units_release(struct knumad_ctx *ctx);
bool knumad_unit_held(struct knumad_ctx *ctx, int nid, unsigned int reason,
		      unsigned long changed, const struct knumad_mig_cursor *mig);

/* place.c: CPU follows memory */
enum knumad_place_result knumad_place_task(struct knumad_ctx *ctx, struct task_struct *t,
					   int nid);
void knumad_units_place(struct knumad_ctx *ctx);
void knumad_forget_placement(void);

/* hints.c: per-thread placement from hinting faults */
void knumad_hints_cluster(struct knumad_ctx *ctx, struct knumad_unit *u);
unsigned int knumad_hints_units(struct knumad_ctx *ctx, unsigned int proc,
				unsigned int first);
void knumad_hints_unit_release(struct knumad_unit *u);
bool knumad_hints_decided(struct knumad_unit *u, const struct knumad_unit_out *out);
void knumad_hints_moved(struct knumad_unit *u, int src, int dst, bool done);
bool knumad_thread_alone(struct task_struct *t);
void knumad_hints_forget_thread(struct task_struct *t);
void knumad_hints_arm(struct knumad_ctx *ctx);
void knumad_hint_view_free(struct knumad_hint_view *v);
void knumad_hints_debugfs(struct dentry *dir);
int knumad_hint_view_nid(const struct knumad_hint_view *v);

/* flows.c: memory follows CPU, paired */
void knumad_flows_run(struct knumad_ctx *ctx, unsigned long rate_pages);

/* group.c: numa_groups in a pass */
unsigned int knumad_groups_nr(void);
unsigned int knumad_groups_observe(struct knumad_ctx *ctx, unsigned int first,
				   unsigned long budget);
void knumad_group_unit_release(struct knumad_unit *u);
void knumad_group_moved(struct knumad_unit *u, int src, int dst, unsigned long nr);
struct knumad_mig_cursor *knumad_group_cursor(struct knumad_unit *u);
void knumad_groups_forget(void);

#endif /* _KERNEL_KNUMAD_INTERNAL_H */
