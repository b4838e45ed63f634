/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad: background NUMA placement by a kernel thread.
 *
 * The interface the rest of the kernel sees, and the one between knumad's
 * two halves: kernel/knumad (the thread: policy, assignment, task
 * placement) and mm/numa_migrate (the mechanism: the mm registry, the
 * page-table scan and page migration). The mechanism executes what it is
 * given and never calls back into the policy.
 * Every hook is a static-key or mm-flag test first, so a kernel built with
 * CONFIG_KNUMAD=y costs nothing while knumad is disabled or a process is not
 * tracked, and the stubs below make it vanish when =n.
 *
 * See Documentation/admin-guide/mm/knumad.rst.
 */
#ifndef _LINUX_KNUMAD_H
#define _LINUX_KNUMAD_H

#include <linux/jump_label.h>
#include <linux/mm_types.h>
#include <linux/nodemask.h>
#include <linux/sched/coredump.h>
#include <linux/types.h>

struct dentry;
struct knumad_group;
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
 * knumad_fork() - A forked child's mm is tracked if its parent's was.
 * @mm: the child's new mm.
 * @oldmm: the parent's mm.
 *
 * Called from dup_mmap(). Untracked parents cost one bit test.
 * Registration failing (no memory) only delays the child's tracking until
 * knumad's discovery finds it.
 */
static inline void knumad_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	if (test_bit(MMF_KNUMAD, &oldmm->flags) && knumad_enabled())
		__knumad_fork(mm, oldmm);
}

/**
 * knumad_exit() - An mm's last user is gone: stop tracking it.
 * @mm: the mm being torn down.
 *
 * Called from __mmput() before exit_mmap(). Untracked mms cost one bit
 * test.
 */
static inline void knumad_exit(struct mm_struct *mm)
{
	if (test_bit(MMF_KNUMAD, &mm->flags))
		__knumad_exit(mm);
}

/* Records in a thread's ring of hinting faults. */
#define KNUMAD_HINT_RECORDS	32
/* knumad_hint_record.with: this thread touched the page before. */
#define KNUMAD_HINT_PRIVATE	(-1)
/* knumad_hint_record.with: the page's first hinting fault. */
#define KNUMAD_HINT_FIRST	(-2)

/**
 * struct knumad_hint_record - A thread's hinting faults in one 2 MiB region.
 * @region: the faulting address >> PMD_SHIFT.
 * @nid: the node of the page.
 * @with: the pid bits (of its last_cpupid) of the task that touched the
 *	page at its previous hinting fault; %KNUMAD_HINT_PRIVATE if that was
 *	this thread, %KNUMAD_HINT_FIRST if nobody took one there yet.
 * @faults: consecutive faults folded into this record.
 */
struct knumad_hint_record {
	unsigned long region;
	int nid;
	int with;
	unsigned int faults;
};

/**
 * struct knumad_hints - A thread's hinting faults since knumad last looked:
 * written by the thread itself in its faults (knumad_hint_fault()), read
 * by the knumad thread.
 * @head: records written; the thread publishes a record with a release.
 * @faults: faults recorded, in all.
 * @rec: the ring.
 */
struct knumad_hints {
	unsigned int head;
	unsigned long faults;
	struct knumad_hint_record rec[KNUMAD_HINT_RECORDS];
};

struct knumad_hint_view;

/**
 * struct knumad_task - knumad's per-thread state.
 * @busy_ns: the thread's run time plus run-queue wait at the last pass.
 * @seen_ns: when knumad last looked at the thread (ktime_get_ns()).
 * @demand: CPU the thread needed lately, in milli-CPUs (smoothed over
 *	about a second: the weight of its unit).
 * @slow_demand: the same, smoothed over about four seconds (whether it is busy:
 *	a thread that waited a moment, for a page under migration say,
 *	still is).
 * @group: the numa_group the thread is a member of, or NULL; set and
 *	cleared under that group's lock, read locklessly by knumad (a hint:
 *	the group's own member list is the truth).
 * @hints: its hinting-fault records, or NULL while knumad samples none of
 *	its process's memory; published once by knumad with a release.
 * @view: what knumad made of them (knumad thread only).
 *
 * Allocated by the knumad thread, or by numa_group_task(), for threads of
 * tracked processes and group members; published once with cmpxchg() into
 * task_struct::knumad_task and freed with the task_struct.
 */
struct knumad_task {
	u64 busy_ns;
	u64 seen_ns;
	unsigned int demand;
	unsigned int slow_demand;
	struct knumad_group *group;
	struct knumad_hints *hints;
	struct knumad_hint_view *view;
};

void knumad_task_free(struct task_struct *p);

void __knumad_hint_fault(unsigned long addr, int last_cpupid, int nid, int flags);

/**
 * knumad_hint_fault() - Record a NUMA hinting fault for knumad.
 * @addr: the faulting address.
 * @last_cpupid: who touched the folio at its previous hinting fault.
 * @nid: the folio's node.
 * @flags: TNF_* flags of the fault (TNF_KNUMAD set).
 *
 * Called from the fault handlers after the page-table lock is dropped;
 * files the fault in the current thread's records (nothing is allocated,
 * nothing waits).
 */
static inline void knumad_hint_fault(unsigned long addr, int last_cpupid, int nid,
				     int flags)
{
	if (knumad_enabled())
		__knumad_hint_fault(addr, last_cpupid, nid, flags);
}

/**
 * struct knumad_mig_cursor - Where a unit's migration walk stands.
 * @range: the range the walk is in (index; a process has one).
 * @addr: where in it the walk goes on.
 * @all: the walk takes every page; else only pages accessed since the
 *	scan last cleared their accessed bit (hot memory first).
 * @moved: pages moved since the walk last started over.
 * @stuck_at: the observation (scan or count) in which a whole walk moved
 *	nothing (pinned, bound or shared memory): no walk until the next.
 * @last_dst: the node memory last moved to, or NUMA_NO_NODE.
 * @moved_at: jiffies when it did: within the hold-off, the memory does not
 *	move to another node (no ping-pong when a task hops between nodes).
 */
struct knumad_mig_cursor {
	unsigned int range;
	unsigned long addr;
	bool all;
	unsigned long moved;
	unsigned long stuck_at;
	int last_dst;
	unsigned long moved_at;
};

/**
 * struct knumad_mm_state - knumad's decisions about one process, kept
 * across passes. Touched only by the knumad thread (debugfs reads the
 * integers racily).
 * @nid: the node its threads are assigned to, or NUMA_NO_NODE.
 * @reason: why (enum knumad_reason).
 * @changed: jiffies when @nid last changed.
 * @node_changes: how often @nid changed.
 * @mig: its migration walk.
 * @pages_migrated: pages knumad moved for it, in all.
 * @hinting: knumad samples its memory with hinting faults (its threads
 *	work on different memory and do not fit one node together).
 * @clusters: units its threads formed in the last pass (hints.c).
 * @arm_addr: where the arming of the lap in progress goes on.
 * @arm_lap: laps of arming done; the window rotates with it.
 * @arm_window: pages armed per region in the pair of laps in progress
 *	(0: the full window).
 * @arm_interval: passes between laps: doubles while nothing changes, back
 *	to 1 when something does.
 * @arm_wait: passes to wait before the next lap.
 * @arm_pages: its resident pages when the last lap began.
 * @arm_changes: node changes of its clusters since the last lap began.
 */
struct knumad_mm_state {
	int nid;
	unsigned int reason;
	unsigned long changed;
	unsigned long node_changes;
	struct knumad_mig_cursor mig;
	unsigned long pages_migrated;
	bool hinting;
	unsigned int clusters;
	unsigned long arm_addr;
	unsigned int arm_lap;
	unsigned int arm_window;
	unsigned int arm_interval;
	unsigned int arm_wait;
	unsigned long arm_pages;
	unsigned int arm_changes;
};

struct knumad_mm;

/**
 * struct knumad_scan_control - One scan pass over the registry.
 * @budget: pages of address space (present or not, in base pages) the
 *	pass may walk.
 * @cpu_start_ns: the knumad thread's runtime when the pass began.
 * @cpu_limit_ns: the pass stops scanning after the chunk that takes its
 *	CPU time past this (0: no limit but @budget).
 * @min_hot: hot pages below which a process counts as idle.
 * @min_interval_ms: shortest time between two scans of one mm.
 * @max_interval_ms: longest time between two scans of one mm.
 * @pages_scanned: out: present pages looked at.
 * @walked: out: pages of address space walked.
 * @mms_scanned: out: complete scans of an mm finished in this pass.
 * @mms_skipped: out: visits given up because mmap_lock was contended.
 */
struct knumad_scan_control {
	unsigned long budget;
	u64 cpu_start_ns;
	s64 cpu_limit_ns;
	unsigned long min_hot;
	unsigned int min_interval_ms;
	unsigned int max_interval_ms;
	unsigned long pages_scanned;
	unsigned long walked;
	unsigned long mms_scanned;
	unsigned long mms_skipped;
};

/**
 * struct knumad_migrate_range - One step of moving a range's memory.
 * @start: where the walk starts.
 * @end: end of the range.
 * @src: take pages from this node...
 * @dst: ...to this one.
 * @budget: at most this many pages (THPs count whole).
 * @young_only: take only pages accessed since knumad's scan last cleared
 *	their accessed bit (hot memory first).
 * @task_policy_ok: the process's task memory policies allow the move
 *	(VMAs with their own policy are checked during the walk).
 * @isolated: out: pages taken to move.
 * @migrated: out: of those, pages that moved (the rest stayed).
 * @next: out: where the walk stopped; 0 once it reached @end.
 */
struct knumad_migrate_range {
	unsigned long start;
	unsigned long end;
	int src;
	int dst;
	unsigned long budget;
	bool young_only;
	bool task_policy_ok;
	unsigned long isolated;
	unsigned long migrated;
	unsigned long next;
};

/* mm/numa_migrate: the registry, scan and migration (the mechanism) */
void knumad_mm_discover(unsigned long min_anon_pages, unsigned int max_pids);
struct knumad_mm *knumad_mm_next(struct knumad_mm *prev);
void knumad_mm_get(struct knumad_mm *e);
void knumad_mm_put(struct knumad_mm *e);
struct mm_struct *knumad_mm_mm(const struct knumad_mm *e);
struct pid *knumad_mm_get_owner(struct knumad_mm *e);
struct knumad_mm_state *knumad_mm_state(struct knumad_mm *e);
bool knumad_mm_counts(struct knumad_mm *e, unsigned long *pages, unsigned long *hot);
unsigned long knumad_mm_full_scans(struct knumad_mm *e);
void knumad_mm_moved(struct knumad_mm *e, int src, int dst, unsigned long nr);
unsigned long knumad_mm_nr(void);
void knumad_mm_debugfs(struct dentry *dir);
void knumad_mm_forget_all(void);
void knumad_scan_pass(struct knumad_scan_control *sc);
unsigned long knumad_sum(const unsigned long *v, int nr);
unsigned int knumad_rescan_interval(unsigned int interval_ms,
				    const unsigned long *old_pages,
				    const unsigned long *old_hot,
				    const unsigned long *new_pages,
				    const unsigned long *new_hot, int nr_nodes,
				    unsigned long min_hot, unsigned int min_ms,
				    unsigned int max_ms);
long knumad_count_range(struct mm_struct *mm, unsigned long start,
			unsigned long end, unsigned long *pages,
			unsigned long budget, unsigned long *next);
int knumad_migrate(struct mm_struct *mm, struct knumad_migrate_range *r);

/**
 * struct knumad_arm_range - One step of arming hinting faults in an mm.
 * @start: where the step starts.
 * @end: end of the range.
 * @window: pages armed per 2 MiB region (a PMD-mapped THP is armed whole).
 * @offset: where in each region the window starts, in pages.
 * @max_regions: regions to look at, at most.
 * @regions: out: regions looked at.
 * @armed: out: pages whose entries now fault on the next access.
 * @next: out: where the next step starts; 0 once it reached @end.
 */
struct knumad_arm_range {
	unsigned long start;
	unsigned long end;
	unsigned int window;
	unsigned int offset;
	unsigned long max_regions;
	unsigned long regions;
	unsigned long armed;
	unsigned long next;
};

int knumad_arm(struct mm_struct *mm, struct knumad_arm_range *a);
long knumad_node_headroom(int nid);
void knumad_task_policy_nodes(struct task_struct *p, nodemask_t *nodes);

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

void knumad_sched_prefer(struct task_struct *p, int nid);
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

static inline void knumad_task_free(struct task_struct *p)
{
}

static inline void knumad_hint_fault(unsigned long addr, int last_cpupid, int nid,
				     int flags)
{
}

#endif /* CONFIG_KNUMAD */

#endif /* _LINUX_KNUMAD_H */
