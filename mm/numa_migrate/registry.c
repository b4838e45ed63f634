// SPDX-License-Identifier: GPL-2.0
/*
 * knumad's mm registry: which processes knumad scans, and where their scan
 * stands.
 *
 * An mm enters the registry when knumad finds a process with enough
 * anonymous memory (numa_migrate_discover(), which also catches exec and
 * processes older than knumad's enabling), or when it is forked from a
 * registered mm (knumad_fork()). It leaves when its last user goes
 * (knumad_exit()) or when knumad is disabled. No state is added to the mm
 * or to pages; an mm_slot hash maps mm to its entry, as khugepaged does.
 *
 * Locking:
 *   numa_migrate_lock (spinlock) protects the hash, the list, the cursor,
 *   each entry's owner and its published counts (pages, hot). It nests
 *   inside task_lock() (discovery) and is taken with no other lock held
 *   elsewhere. Entries are only added while knumad is enabled, checked
 *   under the lock, so numa_migrate_forget_all() after disabling leaves
 *   nothing behind.
 *   Everything else in an entry (the scan in progress, preferred node) is
 *   touched only by the knumad thread, while it holds a reference on the
 *   mm's users (mmget): __mmput() cannot run knumad_exit() for that mm
 *   until the thread lets go, so the entry cannot be freed under it.
 *   The thread takes mmap_lock with mmap_read_trylock() only.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/knumad.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../mm_slot.h"
#include "internal.h"

/**
 * struct numa_migrate_mm - knumad's entry for one mm.
 * @slot: hash and list linkage, and the mm (pinned with mmgrab()).
 * @owner: the thread group using the mm, or NULL until discovery names it.
 * @scan_addr: where the scan in progress resumes (kthread only).
 * @mig_addr: where the migration walk resumes (kthread only).
 * @state: knumad's decisions for this mm (kthread only; debugfs reads
 *	the integers racily, with READ_ONCE()).
 * @full_scans: complete scans of this mm (kthread writes, readers race).
 * @counts: 5 * nr_node_ids counters: the scan in progress (pages, hot),
 *	the last complete scan (pages, hot), published under
 *	numa_migrate_lock, and the pages asked to move per source node
 *	(kthread only).
 */
struct numa_migrate_mm {
	struct mm_slot slot;
	struct pid *owner;
	unsigned long scan_addr;
	unsigned long mig_addr;
	struct knumad_mm_state state;
	unsigned long full_scans;
	unsigned long counts[];
};

#define NUMA_MIGRATE_HASH_BITS	10

/* Protects everything below; see the top of this file. */
static DEFINE_SPINLOCK(numa_migrate_lock);
static DEFINE_HASHTABLE(numa_migrate_hash, NUMA_MIGRATE_HASH_BITS);
static LIST_HEAD(numa_migrate_list);
/* The next entry to scan, or NULL for the head of the list. */
static struct numa_migrate_mm *numa_migrate_cursor;
static unsigned long numa_migrate_nr;

static unsigned long *scan_pages(struct numa_migrate_mm *e)
{
	return e->counts;
}

static unsigned long *scan_hot(struct numa_migrate_mm *e)
{
	return e->counts + nr_node_ids;
}

static unsigned long *last_pages(struct numa_migrate_mm *e)
{
	return e->counts + 2 * nr_node_ids;
}

static unsigned long *last_hot(struct numa_migrate_mm *e)
{
	return e->counts + 3 * nr_node_ids;
}

static unsigned long *mig_want(struct numa_migrate_mm *e)
{
	return e->counts + 4 * nr_node_ids;
}

static struct numa_migrate_mm *numa_migrate_lookup(struct mm_struct *mm)
{
	struct mm_slot *slot;

	lockdep_assert_held(&numa_migrate_lock);
	slot = mm_slot_lookup(numa_migrate_hash, mm);
	return slot ? container_of(slot, struct numa_migrate_mm, slot) : NULL;
}

static struct numa_migrate_mm *numa_migrate_alloc(void)
{
	struct numa_migrate_mm *e;

	e = kzalloc(struct_size(e, counts, 5 * nr_node_ids), GFP_KERNEL);
	if (e) {
		e->state.preferred_nid = NUMA_NO_NODE;
		e->state.mig_dst = NUMA_NO_NODE;
		e->state.last_mig_dst = NUMA_NO_NODE;
	}
	return e;
}

/*
 * Insert @e for @mm unless the mm is there already. Takes the caller's
 * reference on @owner. Returns false (and frees @e, drops @owner) if the
 * mm was registered meanwhile.
 */
static bool numa_migrate_insert(struct numa_migrate_mm *e,
				struct mm_struct *mm, struct pid *owner)
{
	struct mm_slot *slot = &e->slot;
	struct numa_migrate_mm *old;

	spin_lock(&numa_migrate_lock);
	old = numa_migrate_lookup(mm);
	if (!old && !knumad_enabled()) {
		/* Disabled meanwhile: the registry is being emptied. */
		spin_unlock(&numa_migrate_lock);
		put_pid(owner);
		kfree(e);
		return false;
	}
	if (old) {
		if (!old->owner) {
			old->owner = owner;
			owner = NULL;
		}
		spin_unlock(&numa_migrate_lock);
		put_pid(owner);
		kfree(e);
		return false;
	}
	e->owner = owner;
	mmgrab(mm);
	mm_slot_insert(numa_migrate_hash, mm, slot);
	list_add_tail(&e->slot.mm_node, &numa_migrate_list);
	numa_migrate_nr++;
	spin_unlock(&numa_migrate_lock);
	return true;
}

/* Unlink @e; the caller frees it with numa_migrate_free() unlocked. */
static void numa_migrate_unlink(struct numa_migrate_mm *e)
{
	lockdep_assert_held(&numa_migrate_lock);
	if (numa_migrate_cursor == e) {
		numa_migrate_cursor = list_is_last(&e->slot.mm_node, &numa_migrate_list) ?
			NULL : list_next_entry(e, slot.mm_node);
	}
	hash_del(&e->slot.hash);
	list_del(&e->slot.mm_node);
	numa_migrate_nr--;
}

static void numa_migrate_free(struct numa_migrate_mm *e)
{
	put_pid(e->owner);
	mmdrop(e->slot.mm);
	kfree(e);
}

/**
 * __knumad_fork() - Track a child mm whose parent knumad tracks.
 * @mm: the child's mm.
 * @oldmm: the parent's mm.
 *
 * The child's thread group is named later, by numa_migrate_discover().
 */
void __knumad_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct numa_migrate_mm *e;
	bool tracked;

	spin_lock(&numa_migrate_lock);
	tracked = numa_migrate_lookup(oldmm);
	spin_unlock(&numa_migrate_lock);
	if (!tracked)
		return;
	e = numa_migrate_alloc();
	if (e)
		numa_migrate_insert(e, mm, NULL);
}

/**
 * __knumad_exit() - Stop tracking an mm whose last user is gone.
 * @mm: the mm.
 */
void __knumad_exit(struct mm_struct *mm)
{
	struct numa_migrate_mm *e;

	spin_lock(&numa_migrate_lock);
	e = numa_migrate_lookup(mm);
	if (e)
		numa_migrate_unlink(e);
	spin_unlock(&numa_migrate_lock);
	if (e)
		numa_migrate_free(e);
}

/* At most this many new mms per discovery, to bound the work under RCU. */
#define NUMA_MIGRATE_DISCOVER_BATCH	32

/**
 * numa_migrate_discover() - Register processes knumad does not know yet.
 * @min_anon_pages: smallest anonymous footprint worth tracking.
 *
 * Walks the task list under RCU, takes up to a batch of candidates, and
 * registers them outside it (registration allocates). Also names the
 * thread group of mms registered at fork.
 */
void numa_migrate_discover(unsigned long min_anon_pages)
{
	struct task_struct *found[NUMA_MIGRATE_DISCOVER_BATCH];
	struct task_struct *p;
	int i, nr = 0;

	rcu_read_lock();
	for_each_process(p) {
		struct numa_migrate_mm *e;
		struct mm_struct *mm;
		bool want;

		if (p->flags & (PF_KTHREAD | PF_EXITING))
			continue;
		/* task_lock() keeps ->mm from being freed under us. */
		task_lock(p);
		mm = p->mm;
		want = mm && get_mm_counter(mm, MM_ANONPAGES) >= min_anon_pages;
		if (want) {
			spin_lock(&numa_migrate_lock);
			e = numa_migrate_lookup(mm);
			want = !e || !e->owner;
			spin_unlock(&numa_migrate_lock);
		}
		task_unlock(p);
		if (!want)
			continue;
		get_task_struct(p);
		found[nr++] = p;
		if (nr == ARRAY_SIZE(found))
			break;
	}
	rcu_read_unlock();

	for (i = 0; i < nr; i++) {
		struct mm_struct *mm = get_task_mm(found[i]);
		struct numa_migrate_mm *e;

		if (mm) {
			e = numa_migrate_alloc();
			if (e)
				numa_migrate_insert(e, mm, get_task_pid(found[i], PIDTYPE_TGID));
			mmput(mm);
		}
		put_task_struct(found[i]);
	}
}

/*
 * Take the next entry to scan and pin its mm's users. NULL when the list
 * is empty; *@e is left NULL (and the cursor moved on) when that mm is
 * already exiting.
 */
static bool numa_migrate_next(struct numa_migrate_mm **e)
{
	struct numa_migrate_mm *next;

	spin_lock(&numa_migrate_lock);
	next = numa_migrate_cursor;
	if (!next)
		next = list_first_entry_or_null(&numa_migrate_list,
						struct numa_migrate_mm, slot.mm_node);
	if (!next) {
		spin_unlock(&numa_migrate_lock);
		return false;
	}
	numa_migrate_cursor = list_is_last(&next->slot.mm_node, &numa_migrate_list) ?
		NULL : list_next_entry(next, slot.mm_node);
	*e = mmget_not_zero(next->slot.mm) ? next : NULL;
	spin_unlock(&numa_migrate_lock);
	return true;
}

/* A scan of @e completed: publish it and let knumad decide. */
static void numa_migrate_scan_done(struct numa_migrate_mm *e,
				   struct knumad_scan_control *sc)
{
	struct knumad_mm_view view = {
		.mm = e->slot.mm,
		.pages = last_pages(e),
		.hot = last_hot(e),
		.state = &e->state,
		.mig_want = mig_want(e),
	};
	size_t bytes = 2 * nr_node_ids * sizeof(unsigned long);

	spin_lock(&numa_migrate_lock);
	memcpy(last_pages(e), scan_pages(e), bytes);
	view.owner = get_pid(e->owner);
	spin_unlock(&numa_migrate_lock);
	memset(scan_pages(e), 0, bytes);
	e->scan_addr = 0;
	WRITE_ONCE(e->full_scans, e->full_scans + 1);
	sc->mms_scanned++;
	/* Only the kthread writes last_*, so reading them unlocked is fine. */
	sc->scanned_mm(&view);
	put_pid(view.owner);
	if (e->state.mig_dst == NUMA_NO_NODE)
		e->mig_addr = 0;
}

/**
 * numa_migrate_scan() - One pass over the registry, within a page budget.
 * @sc: the budget and callback in, the pass's counts out.
 *
 * Visits each registered mm at most once, resuming its scan where the last
 * pass stopped. An mm whose mmap_lock is contended is skipped and counted.
 * Context: the knumad thread; sleeps.
 */
void numa_migrate_scan(struct knumad_scan_control *sc)
{
	unsigned long visits = numa_migrate_nr_mms();

	while (visits-- && sc->pages_scanned < sc->budget) {
		struct numa_migrate_walk w = { .budget = sc->budget - sc->pages_scanned };
		struct numa_migrate_mm *e;
		struct mm_struct *mm;

		if (!numa_migrate_next(&e))
			break;
		if (!e)
			continue;	/* exiting: knumad_exit() drops it */
		mm = e->slot.mm;
		if (!mmap_read_trylock(mm)) {
			sc->mms_skipped++;
			mmput(mm);
			continue;
		}
		w.pages = scan_pages(e);
		w.hot = scan_hot(e);
		numa_migrate_walk_mm(mm, e->scan_addr, ULONG_MAX, &w);
		mmap_read_unlock(mm);
		sc->pages_scanned += w.scanned;

		if (w.next) {
			/* Out of budget inside this mm: resume here next pass. */
			e->scan_addr = w.next;
			spin_lock(&numa_migrate_lock);
			numa_migrate_cursor = e;
			spin_unlock(&numa_migrate_lock);
		} else {
			numa_migrate_scan_done(e, sc);
		}
		mmput(mm);	/* may free e, via knumad_exit() */
		cond_resched();
		if (kthread_should_stop())
			break;
	}
}

/**
 * numa_migrate_demand() - Sum the migration requests of all processes.
 * @demand: out: pages asked to move from node s to node d, at
 *	[s * nr_node_ids + d].
 *
 * Context: the knumad thread (the only writer of the requests).
 */
void numa_migrate_demand(unsigned long *demand)
{
	struct numa_migrate_mm *e;
	int nid;

	memset(demand, 0, sizeof(*demand) * nr_node_ids * nr_node_ids);
	spin_lock(&numa_migrate_lock);
	list_for_each_entry(e, &numa_migrate_list, slot.mm_node) {
		int dst = e->state.mig_dst;

		if (dst == NUMA_NO_NODE)
			continue;
		for (nid = 0; nid < nr_node_ids; nid++)
			demand[nid * nr_node_ids + dst] += mig_want(e)[nid];
	}
	spin_unlock(&numa_migrate_lock);
}

/*
 * Pin the mm of a process asking for pages to move from @src to @dst. The
 * caller mmput()s it and must not touch the entry afterwards.
 */
static struct numa_migrate_mm *numa_migrate_find_flow(int src, int dst)
{
	struct numa_migrate_mm *e, *found = NULL;

	spin_lock(&numa_migrate_lock);
	list_for_each_entry(e, &numa_migrate_list, slot.mm_node) {
		if (e->state.mig_dst != dst || !mig_want(e)[src])
			continue;
		if (mmget_not_zero(e->slot.mm)) {
			found = e;
			break;
		}
		mig_want(e)[src] = 0;	/* exiting */
	}
	spin_unlock(&numa_migrate_lock);
	return found;
}

/* Add a chunk's results to the pass's. */
static void numa_migrate_account(struct knumad_migrate_control *mc,
				 const struct numa_migrate_chunk *c)
{
	mc->moved[c->src * nr_node_ids + c->dst] += c->migrated;
	mc->migrated += c->migrated;
	mc->failed += c->isolated - c->migrated;
	mc->chunk_done(c->migrated, c->isolated - c->migrated);
}

/**
 * numa_migrate_move_range() - Move up to a chunk of a range's pages.
 * @mm: the mm; the caller holds a reference on its users (mmget).
 * @start: where to start or resume.
 * @end: end of the range.
 * @src: take pages from this node...
 * @dst: ...to this one.
 * @budget: at most this many pages.
 * @mc: the pass: the results are added to it.
 * @next: out: where to resume; 0 once the walk reached @end.
 *
 * Context: the knumad thread; sleeps. mmap_lock by trylock only.
 * Return: pages taken to move (moved, or put back where they were), or
 * -EBUSY if mmap_lock was contended.
 */
long numa_migrate_move_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end, int src, int dst,
			     unsigned long budget, struct knumad_migrate_control *mc,
			     unsigned long *next)
{
	struct numa_migrate_chunk c = {
		.src = src, .dst = dst, .end = end, .budget = budget,
	};
	int err;

	err = numa_migrate_chunk_mm(mm, start, &c);
	if (err)
		return err;
	numa_migrate_account(mc, &c);
	*next = c.next;
	return c.isolated;
}

/* Move one chunk of the flow @src -> @dst; false if nobody wants it. */
static bool numa_migrate_flow_chunk(int src, int dst, unsigned long nr,
				    struct knumad_migrate_control *mc)
{
	struct numa_migrate_chunk c = {
		.src = src, .dst = dst, .end = ULONG_MAX, .budget = nr,
	};
	struct numa_migrate_mm *e;
	unsigned long *want;

	/* Groups' flows first: the memory a group asked for is its own. */
	if (mc->group_chunk && mc->group_chunk(src, dst, nr, mc))
		return true;
	e = numa_migrate_find_flow(src, dst);
	if (!e)
		return false;
	want = &mig_want(e)[src];
	c.budget = min(c.budget, *want);
	if (numa_migrate_chunk_mm(e->slot.mm, e->mig_addr, &c) == 0) {
		e->mig_addr = c.next;
		/* The walk reached the end: nothing more on @src to take. */
		*want = c.next ? *want - min(*want, c.isolated) : 0;
		if (c.migrated) {
			e->state.pages_migrated += c.migrated;
			e->state.last_mig_dst = dst;
			e->state.last_mig_jiffies = jiffies;
		}
		numa_migrate_account(mc, &c);
	}
	mmput(e->slot.mm);	/* may free e */
	return true;
}

/**
 * numa_migrate_run() - Move the allowed pages, flows taking turns.
 * @mc: what is allowed, the chunk size and rate budget; results.
 *
 * Each round moves at most one chunk per flow, so the two directions of a
 * pair alternate. Stops when every flow is used up, nobody wants more, or
 * the budget is spent.
 * Context: the knumad thread; sleeps.
 */
void numa_migrate_run(struct knumad_migrate_control *mc)
{
	int nr = nr_node_ids;
	bool more = true;

	while (more && mc->migrated + mc->failed < mc->budget &&
	       !kthread_should_stop()) {
		int s, d;

		more = false;
		for (s = 0; s < nr; s++) {
			for (d = 0; d < nr; d++) {
				unsigned long *left = &mc->allowed[s * nr + d];
				unsigned long n = min3(*left, mc->batch,
						       mc->budget - min(mc->budget,
									mc->migrated + mc->failed));

				if (!n)
					continue;
				if (!numa_migrate_flow_chunk(s, d, n, mc)) {
					*left = 0;
					continue;
				}
				*left -= n;
				more = true;
				cond_resched();
			}
		}
	}
}

/**
 * numa_migrate_nr_mms() - How many mms knumad tracks.
 *
 * Return: the number of registered mms.
 */
unsigned long numa_migrate_nr_mms(void)
{
	return READ_ONCE(numa_migrate_nr);
}

/**
 * numa_migrate_has_mms() - Is there anything to scan?
 *
 * Return: true if at least one mm is registered.
 */
bool numa_migrate_has_mms(void)
{
	return numa_migrate_nr_mms() != 0;
}

/**
 * numa_migrate_forget_all() - Empty the registry.
 *
 * Context: knumad is being disabled, its thread has stopped.
 */
void numa_migrate_forget_all(void)
{
	struct numa_migrate_mm *e;

	for (;;) {
		spin_lock(&numa_migrate_lock);
		e = list_first_entry_or_null(&numa_migrate_list,
					     struct numa_migrate_mm, slot.mm_node);
		if (e)
			numa_migrate_unlink(e);
		spin_unlock(&numa_migrate_lock);
		if (!e)
			break;
		numa_migrate_free(e);
		cond_resched();
	}
}

#ifdef CONFIG_DEBUG_FS
/*
 * /sys/kernel/debug/knumad/mms: one line per tracked mm. Debugging aid, not
 * ABI. Printed under the lock, so it is a consistent snapshot.
 */
static int numa_migrate_mms_show(struct seq_file *m, void *unused)
{
	struct numa_migrate_mm *e;
	int nid;

	seq_puts(m, "# tgid preferred_nid full_scans pages_migrated pages_per_node hot_per_node\n");
	spin_lock(&numa_migrate_lock);
	list_for_each_entry(e, &numa_migrate_list, slot.mm_node) {
		seq_printf(m, "%d %d %lu %lu", e->owner ? pid_nr(e->owner) : 0,
			   READ_ONCE(e->state.preferred_nid), READ_ONCE(e->full_scans),
			   READ_ONCE(e->state.pages_migrated));
		for (nid = 0; nid < nr_node_ids; nid++)
			seq_printf(m, "%c%lu", nid ? ',' : ' ', last_pages(e)[nid]);
		for (nid = 0; nid < nr_node_ids; nid++)
			seq_printf(m, "%c%lu", nid ? ',' : ' ', last_hot(e)[nid]);
		seq_putc(m, '\n');
	}
	spin_unlock(&numa_migrate_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(numa_migrate_mms);

static int __init numa_migrate_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("knumad", NULL);

	debugfs_create_file("mms", 0400, dir, NULL, &numa_migrate_mms_fops);
	return 0;
}
late_initcall(numa_migrate_debugfs_init);
#endif
