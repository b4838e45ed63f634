/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad: background NUMA placement by a kernel thread.
 *
 * The interface the rest of the kernel sees, and the one between knumad's
 * two halves: kernel/knumad (the thread, policy and task placement) and
 * mm/numa_migrate (the mm registry, page-table scan and page migration).
 * Every hook is a static-key test first, so a kernel built with
 * CONFIG_KNUMAD=y costs nothing while knumad is disabled, and the stubs
 * below make it vanish when =n.
 *
 * See Documentation/admin-guide/mm/knumad.rst.
 */
#ifndef _LINUX_KNUMAD_H
#define _LINUX_KNUMAD_H

#include <linux/jump_label.h>
#include <linux/types.h>

struct mm_struct;
struct pid;
struct task_struct;

#ifdef CONFIG_KNUMAD

DECLARE_STATIC_KEY_FALSE(knumad_enabled_key);

/**
 * knumad_enabled() - Is knumad placing tasks and memory right now?
 *
 * Return: true while the knumad sysctl is 1. Costs one patched branch.
 */
static inline bool knumad_enabled(void)
{
	return static_branch_unlikely(&knumad_enabled_key);
}

void knumad_placement_lock(void);
void knumad_placement_unlock(void);

/* mm/numa_migrate/registry.c: which mms knumad scans */
void __knumad_fork(struct mm_struct *mm, struct mm_struct *oldmm);
void __knumad_exit(struct mm_struct *mm);

/**
 * knumad_fork() - A forked child's mm is scanned if its parent's was.
 * @mm: the child's new mm.
 * @oldmm: the parent's mm.
 *
 * Called from dup_mmap(). Registration failing (no memory) only delays the
 * child's first scan until knumad finds it by itself.
 */
static inline void knumad_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	if (knumad_enabled())
		__knumad_fork(mm, oldmm);
}

/**
 * knumad_exit() - An mm's last user is gone: stop tracking it.
 * @mm: the mm being torn down.
 *
 * Called from __mmput() before exit_mmap().
 */
static inline void knumad_exit(struct mm_struct *mm)
{
	if (knumad_enabled())
		__knumad_exit(mm);
}

/**
 * struct knumad_mm_state - knumad's decisions about one process, kept
 * across scans. Touched only by the knumad thread.
 * @preferred_nid: the node its threads should run on (where its memory is).
 * @busy_scans: scans in a row in which its threads found no room there.
 * @mig_dst: the node its memory is asked to move to, or NUMA_NO_NODE.
 * @last_mig_dst: where its memory last moved to, or NUMA_NO_NODE.
 * @last_mig_jiffies: when.
 * @pages_migrated: pages knumad moved for it, in all.
 */
struct knumad_mm_state {
	int preferred_nid;
	unsigned int busy_scans;
	int mig_dst;
	int last_mig_dst;
	unsigned long last_mig_jiffies;
	unsigned long pages_migrated;
};

/**
 * struct knumad_mm_view - What one complete scan of an mm found.
 * @mm: the mm (its users are pinned by the caller).
 * @owner: its thread group, or NULL if not known yet.
 * @pages: resident anonymous pages per node (nr_node_ids entries).
 * @hot: pages found accessed since the previous scan, per node.
 * @state: knumad's state for this mm; the callback may update it.
 * @mig_want: per source node, pages the callback asks to move to
 *	@state->mig_dst (nr_node_ids entries).
 */
struct knumad_mm_view {
	struct mm_struct *mm;
	struct pid *owner;
	const unsigned long *pages;
	const unsigned long *hot;
	struct knumad_mm_state *state;
	unsigned long *mig_want;
};

/**
 * struct knumad_scan_control - One scan pass of the registry.
 * @budget: pages (base-page units) the pass may look at.
 * @scanned_mm: called after each complete scan of an mm, without locks.
 * @pages_scanned: out: pages looked at in this pass.
 * @mms_scanned: out: complete scans of an mm finished in this pass.
 * @mms_skipped: out: mms skipped because their mmap_lock was contended.
 */
struct knumad_scan_control {
	unsigned long budget;
	void (*scanned_mm)(const struct knumad_mm_view *view);
	unsigned long pages_scanned;
	unsigned long mms_scanned;
	unsigned long mms_skipped;
};

/**
 * struct knumad_migrate_control - One pass of paired migration.
 * @allowed: pages that may move from node s to node d in this pass, at
 *	[s * nr_node_ids + d]; used up as chunks are moved.
 * @batch: pages per chunk. Chunks of the flows take turns, so opposite
 *	flows of a pair interleave and free memory never drifts by more
 *	than about one chunk.
 * @budget: pages this pass may move in all (the rate limit).
 * @moved: out: pages moved from s to d, same layout as @allowed (added to).
 * @chunk_done: called after each chunk with the pages it moved and failed
 *	to move, so counters follow a long pass as it goes.
 * @group_chunk: moves one chunk of numa_groups' flow @src -> @dst, at
 *	most @nr pages, through numa_migrate_move_range(); returns false if
 *	no group wants that flow. May be NULL.
 * @migrated: out: pages moved.
 * @failed: out: pages isolated but not moved (busy, no memory on the
 *	destination; they stay where they were).
 */
struct knumad_migrate_control {
	unsigned long *allowed;
	unsigned long batch;
	unsigned long budget;
	unsigned long *moved;
	void (*chunk_done)(unsigned long migrated, unsigned long failed);
	bool (*group_chunk)(int src, int dst, unsigned long nr,
			    struct knumad_migrate_control *mc);
	unsigned long migrated;
	unsigned long failed;
};

void numa_migrate_discover(unsigned long min_anon_pages);
void numa_migrate_demand(unsigned long *demand);
void numa_migrate_run(struct knumad_migrate_control *mc);
long numa_migrate_headroom(int nid);
bool numa_migrate_policy_allows(struct task_struct *p, int nid);
void numa_migrate_scan(struct knumad_scan_control *sc);
bool numa_migrate_has_mms(void);
unsigned long numa_migrate_nr_mms(void);
void numa_migrate_forget_all(void);
long numa_migrate_count_range(struct mm_struct *mm, unsigned long start,
			      unsigned long end, unsigned long *pages,
			      unsigned long budget, unsigned long *next);
long numa_migrate_move_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end, int src, int dst,
			     unsigned long budget, struct knumad_migrate_control *mc,
			     unsigned long *next);

/* kernel/knumad/numa_group.c: what numa_groups place themselves */
bool knumad_group_has_task(struct task_struct *p);
bool knumad_group_has_mm(struct mm_struct *mm);

/* kernel/sched/fair.c: how knumad moves tasks */

/**
 * enum knumad_place_result - What knumad_sched_place() did.
 * @KNUMAD_PLACE_THERE: the task already runs on the node.
 * @KNUMAD_PLACE_MOVED: moved to an idle CPU of the node.
 * @KNUMAD_PLACE_SWAPPED: swapped with a task there that prefers ours.
 * @KNUMAD_PLACE_BUSY: the node has no idle CPU and no swap partner.
 * @KNUMAD_PLACE_NOT_ALLOWED: the task may not run there (affinity,
 *	cpuset) or is exiting.
 */
enum knumad_place_result {
	KNUMAD_PLACE_THERE,
	KNUMAD_PLACE_MOVED,
	KNUMAD_PLACE_SWAPPED,
	KNUMAD_PLACE_BUSY,
	KNUMAD_PLACE_NOT_ALLOWED,
};

enum knumad_place_result knumad_sched_place(struct task_struct *p, int nid);

#else /* !CONFIG_KNUMAD */

static inline bool knumad_enabled(void)
{
	return false;
}

static inline void knumad_placement_lock(void)
{
}

static inline void knumad_placement_unlock(void)
{
}

static inline void knumad_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
}

static inline void knumad_exit(struct mm_struct *mm)
{
}

#endif /* CONFIG_KNUMAD */

#endif /* _LINUX_KNUMAD_H */
