/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad: the numa_group object, shared by the syscalls (numa_group.c) and
 * knumad's passes (group.c).
 *
 * Locking: knumad_groups_lock, a spinlock, protects the list of groups and
 * every group's members, ranges and published counts. Nothing that sleeps
 * happens under it: allocation is done before, mmap_lock is taken (for the
 * syscalls' checks and knumad's walks) only with it released, on copies
 * of what the group holds. A group lives while its file is open or a pass
 * of knumad holds a reference.
 */
#ifndef _KERNEL_KNUMAD_GROUP_H
#define _KERNEL_KNUMAD_GROUP_H

#include <linux/knumad.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/nodemask.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct mm_struct;
struct pid;
struct ucounts;

/* The initial user namespace's user.max_numa_groups (UCOUNT_KNUMAD_GROUPS). */
#define KNUMAD_GROUP_MAX_PER_USER	64
#define KNUMAD_GROUP_MAX_RANGES		64
#define KNUMAD_GROUP_MAX_TASKS		1024

/**
 * struct knumad_group_member - A thread in a group.
 * @node: in the group's @tasks.
 * @pid: the thread's pid, referenced; the thread is gone once no task
 *	has it.
 */
struct knumad_group_member {
	struct list_head node;
	struct pid *pid;
};

/**
 * struct knumad_group_span - An address range of one process in a group.
 * @node: in the group's @ranges.
 * @mm: the process's mm, held by mmgrab() (not its memory).
 * @tgid: the process, referenced.
 * @start: first byte.
 * @end: first byte after it.
 */
struct knumad_group_span {
	struct list_head node;
	struct mm_struct *mm;
	struct pid *tgid;
	unsigned long start;
	unsigned long end;
};

/**
 * struct knumad_group - A set of threads and memory knumad keeps on one node.
 * @node: in knumad_groups.
 * @ref: the file's reference, and those of knumad's passes.
 * @id: a number for tracing and fdinfo, unique since boot.
 * @ucounts: its creator's, charged one UCOUNT_KNUMAD_GROUPS until the file
 *	is closed (the per-user limit, user.max_numa_groups).
 * @tasks: its threads (struct knumad_group_member).
 * @ranges: its memory (struct knumad_group_span).
 * @nr_tasks: entries in @tasks.
 * @nr_ranges: entries in @ranges.
 * @gen: bumped by every change of members or ranges: knumad's walks start
 *	over, and a range check in progress drops nothing.
 * @closed: its file was closed; a pass that still holds it leaves it be.
 * @nid: its node, or NUMA_NO_NODE until knumad chose one.
 * @reason: why (enum knumad_reason).
 * @node_changes: times knumad changed @nid.
 * @changed: jiffies when @nid last changed.
 * @pages_migrated: pages knumad moved to @nid.
 * @counts_done: complete counts of its memory.
 * @count_gen: @gen of the count in progress.
 * @count_range: the range the count in progress is in (index).
 * @count_addr: where in it the count goes on.
 * @count_interval: ms between the last count and the next (0: none yet);
 *	see mm/numa_migrate/rescan.c.
 * @count_next: jiffies before which no new count starts.
 * @mig_gen: @gen of the migration walk.
 * @mig: the migration walk.
 * @counts: 2 * nr_node_ids: the last complete count of resident pages per
 *	node (published under the lock), the count in progress (knumad's).
 *
 * Everything from @nid on is knumad's; fdinfo reads it under the lock.
 */
struct knumad_group {
	struct list_head node;
	struct kref ref;
	unsigned int id;
	struct ucounts *ucounts;
	struct list_head tasks;
	struct list_head ranges;
	unsigned int nr_tasks;
	unsigned int nr_ranges;
	unsigned int gen;
	bool closed;
	int nid;
	unsigned int reason;
	unsigned long node_changes;
	unsigned long changed;
	unsigned long pages_migrated;
	unsigned long counts_done;
	unsigned int count_gen;
	unsigned int count_range;
	unsigned long count_addr;
	unsigned int count_interval;
	unsigned long count_next;
	unsigned int mig_gen;
	struct knumad_mig_cursor mig;
	unsigned long counts[];
};

extern spinlock_t knumad_groups_lock;
extern struct list_head knumad_groups;
extern unsigned int knumad_groups_count;

static inline unsigned long *knumad_group_pages(struct knumad_group *g)
{
	return g->counts;
}

static inline unsigned long *knumad_group_counting(struct knumad_group *g)
{
	return g->counts + nr_node_ids;
}

void knumad_group_put(struct knumad_group *g);
void knumad_group_release_thread(struct pid *pid);
int knumad_group_prune(struct knumad_group *g, bool trylock);

#endif /* _KERNEL_KNUMAD_GROUP_H */
