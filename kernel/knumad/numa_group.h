/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad: numa_group objects, shared by the syscalls (numa_group.c) and
 * knumad's handling of groups in its passes (group_balance.c).
 *
 * Locking: numa_group_mutex protects the list of groups and everything in
 * them: members, ranges, the node and the counts. Under it, mmap_lock may
 * be taken (for read; by trylock in the knumad thread); never the other way
 * round, nothing takes numa_group_mutex under mmap_lock.
 */
#ifndef _KERNEL_KNUMAD_NUMA_GROUP_H
#define _KERNEL_KNUMAD_NUMA_GROUP_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct mm_struct;
struct pid;

#define NUMA_GROUP_MAX_PER_USER		64
#define NUMA_GROUP_MAX_RANGES		64
#define NUMA_GROUP_MAX_TASKS		1024

/**
 * struct numa_group_range - An address range of one process in a group.
 * @node: in the group's @ranges.
 * @mm: the process's mm, pinned with mmgrab() (not its memory).
 * @tgid: the process, for fdinfo.
 * @start: first byte.
 * @end: first byte after it.
 */
struct numa_group_range {
	struct list_head node;
	struct mm_struct *mm;
	pid_t tgid;
	unsigned long start;
	unsigned long end;
};

/**
 * struct numa_group_member - A thread in a group.
 * @hash: in numa_group_members, keyed by @pid: a thread is in one group.
 * @node: in the group's @tasks.
 * @pid: the thread's pid, referenced; the thread is gone once no task
 *	has it.
 * @group: the group.
 */
struct numa_group_member {
	struct hlist_node hash;
	struct list_head node;
	struct pid *pid;
	struct numa_group *group;
};

/**
 * struct numa_group - A set of threads and memory knumad keeps on one node.
 * @node: in numa_groups.
 * @owner: the user who created it (the per-user limit).
 * @tasks: its threads (struct numa_group_member).
 * @ranges: its memory (struct numa_group_range), sorted by nothing.
 * @nr_tasks: entries in @tasks.
 * @nr_ranges: entries in @ranges.
 * @nid: its node, or NUMA_NO_NODE until knumad chose one.
 * @node_changes: times knumad changed @nid.
 * @changed_jiffies: when @nid last changed.
 * @pages_migrated: pages knumad moved to @nid.
 * @count_range: the range the count in progress is in (index).
 * @count_addr: where in it the count goes on.
 * @counted: @pages holds a complete count.
 * @mig_dst: where its memory is asked to move, or NUMA_NO_NODE.
 * @mig_range: the range the migration walk is in (index).
 * @mig_addr: where in it the walk goes on.
 * @counts: 3 * nr_node_ids: the last complete count of resident pages
 *	per node (@pages), the count in progress, and the pages asked to
 *	move to @mig_dst per source node.
 */
struct numa_group {
	struct list_head node;
	kuid_t owner;
	struct list_head tasks;
	struct list_head ranges;
	unsigned int nr_tasks;
	unsigned int nr_ranges;
	int nid;
	unsigned long node_changes;
	unsigned long changed_jiffies;
	unsigned long pages_migrated;
	unsigned int count_range;
	unsigned long count_addr;
	bool counted;
	int mig_dst;
	unsigned int mig_range;
	unsigned long mig_addr;
	unsigned long counts[];
};

extern struct mutex numa_group_mutex;
extern struct list_head numa_groups;

static inline unsigned long *numa_group_pages(struct numa_group *g)
{
	return g->counts;
}

static inline unsigned long *numa_group_counting(struct numa_group *g)
{
	return g->counts + nr_node_ids;
}

static inline unsigned long *numa_group_mig_want(struct numa_group *g)
{
	return g->counts + 2 * nr_node_ids;
}

void numa_group_prune(struct numa_group *g, bool trylock);
void numa_group_changed(struct numa_group *g);

#endif /* _KERNEL_KNUMAD_NUMA_GROUP_H */
