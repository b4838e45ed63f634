/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad: state shared by the files of kernel/knumad (not the policy, which
 * is pure and lives in knumad_internal.h).
 */
#ifndef _KERNEL_KNUMAD_INTERNAL_H
#define _KERNEL_KNUMAD_INTERNAL_H

#include <linux/atomic.h>
#include <linux/knumad.h>
#include <linux/types.h>

/**
 * struct knumad_tunables - The knobs under /sys/kernel/mm/knumad/.
 * @scan_sleep_ms: sleep between passes, at least.
 * @pages_to_scan: pages looked at per pass.
 * @max_cpu_percent: CPU budget of the thread, in percent of one CPU.
 * @hysteresis_percent: how much more hot memory another node needs before
 *	a process's preferred node changes.
 * @min_anon_pages: smallest process (anonymous pages) worth tracking.
 * @min_hot_pages: below this many hot pages, resident pages decide.
 * @migrate_max_mbps: most memory knumad migrates per second (MiB/s);
 *	0 turns memory-follows-CPU off.
 * @migrate_batch_pages: pages per migration chunk.
 * @pair_tolerance_pages: most pages a node may gain, net, per pass.
 * @migrate_holdoff_ms: after a process's memory moved to a node, how long
 *	before it may move to another.
 * @migrate_busy_scans: scans in a row with no room on the memory's node
 *	before the memory moves to the tasks instead.
 * @pair_wait_ms: how long a flow with nothing the other way waits for a
 *	partner before it moves one way (within the destination's room).
 *
 * Written by sysfs stores, read by the thread once per pass with
 * READ_ONCE(): a pass sees each knob either before or after a store.
 */
struct knumad_tunables {
	unsigned int scan_sleep_ms;
	unsigned int pages_to_scan;
	unsigned int max_cpu_percent;
	unsigned int hysteresis_percent;
	unsigned int min_anon_pages;
	unsigned int min_hot_pages;
	unsigned int migrate_max_mbps;
	unsigned int migrate_batch_pages;
	unsigned int pair_tolerance_pages;
	unsigned int migrate_holdoff_ms;
	unsigned int migrate_busy_scans;
	unsigned int pair_wait_ms;
};

extern struct knumad_tunables knumad_tunables;

/**
 * enum knumad_stat_item - knumad's read-only counters (sysfs).
 * @KNUMAD_STAT_PASSES: scan passes run.
 * @KNUMAD_STAT_FULL_SCANS: complete scans of one process's memory.
 * @KNUMAD_STAT_PAGES_SCANNED: pages looked at.
 * @KNUMAD_STAT_MMS_SKIPPED: processes skipped because mmap_lock was contended.
 * @KNUMAD_STAT_NODE_CHANGES: preferred-node changes of a process.
 * @KNUMAD_STAT_TASKS_MOVED: tasks moved to an idle CPU of their node.
 * @KNUMAD_STAT_TASKS_SWAPPED: tasks swapped with one that preferred theirs.
 * @KNUMAD_STAT_TASKS_BUSY: placements given up: no idle CPU, no partner.
 * @KNUMAD_STAT_PAGES_MIGRATED: pages moved to the node their tasks run on.
 * @KNUMAD_STAT_PAGES_MIGRATE_FAILED: pages that could not move (stayed).
 * @KNUMAD_STAT_PAGES_WAITING: a gauge: pages wanted but held back by the
 *	last pass (no opposite flow to pair with and no room or tolerance
 *	on the destination).
 * @KNUMAD_STAT_CPU_NS: CPU time of the thread.
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
	NR_KNUMAD_STATS,
};

extern atomic64_t knumad_stats[NR_KNUMAD_STATS];

void knumad_wake(void);
enum knumad_place_result knumad_place_task(struct task_struct *t, int nid);

/* group_balance.c: knumad's work on numa_groups in each pass */
unsigned long knumad_groups_count(unsigned long budget);
void knumad_groups_place(void);
void knumad_groups_demand(unsigned long *demand);
bool knumad_groups_chunk(int src, int dst, unsigned long nr,
			 struct knumad_migrate_control *mc);
int knumad_sysfs_init(void);

#endif /* _KERNEL_KNUMAD_INTERNAL_H */
