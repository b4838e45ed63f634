// SPDX-License-Identifier: GPL-2.0
/*
 * knumad's mm registry: which processes knumad tracks, and where their scan
 * stands.
 *
 * An mm enters the registry when knumad's discovery finds a process with
 * enough anonymous memory (a bounded walk of the pid space per pass that
 * resumes where it stopped, so exec'd processes, processes older than
 * knumad's enabling and processes whose group leader exited are all found),
 * or when it is forked from a tracked mm (knumad_fork()). It leaves when its
 * last user goes (knumad_exit()) or when knumad is disabled. A tracked mm
 * carries MMF_KNUMAD, so fork and exit of untracked processes never touch
 * the registry; an mm_slot hash maps mm to its entry, as in khugepaged.
 *
 * knumad holds a tracked mm by mmgrab(), never by its users: the last
 * mmput() of a process never runs in knumad's thread.
 *
 * Locking:
 *   knumad_mm_lock (spinlock) protects the hash, the list, each entry's
 *   reference count, dead flag, owner and published counts (last_*). It
 *   nests inside task_lock() (discovery) and is taken with no other lock
 *   held elsewhere. Entries are only added while knumad is enabled, checked
 *   under the lock, so knumad_mm_forget_all() after disabling leaves
 *   nothing behind.
 *   An entry stays on the list while referenced: the registry holds one
 *   reference from insertion until the mm exits (the entry is then dead:
 *   off the hash, skipped by iteration), the knumad thread one more while it
 *   works on it. The last reference unlinks and frees it.
 *   Everything else in an entry (the scan in progress, the state) is
 *   touched only by the knumad thread while it holds a reference. The
 *   thread takes mmap_lock with mmap_read_trylock(), and after repeated
 *   failures with mmap_read_lock_killable() (it is woken with SIGKILL when
 *   knumad stops).
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/debugfs.h>
#include <linux/knumad.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/cputime.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../mm_slot.h"
#include "internal.h"

/**
 * struct knumad_mm - knumad's entry for one mm.
 * @slot: hash and list linkage, and the mm (held by mmgrab()).
 * @ref: references: the registry's (until the mm exits) and the thread's.
 * @dead: the mm exited or knumad stopped: off the hash, not visited.
 * @owner: the thread group using the mm, or NULL until discovery names it.
 * @scan_addr: where the scan in progress resumes (thread only).
 * @lock_fails: visits in a row that found mmap_lock contended.
 * @full_scans: complete scans of this mm (thread writes, readers race).
 * @scan_interval: ms between the last scan and the next (thread only);
 *	see rescan.c.
 * @next_scan: jiffies before which no new scan of this mm starts (thread
 *	only).
 * @state: knumad's decisions for this mm (thread only).
 * @counts: 4 * nr_node_ids counters: the scan in progress (pages, hot),
 *	thread only, and the last complete scan (pages, hot), published under
 *	knumad_mm_lock.
 */
struct knumad_mm {
	struct mm_slot slot;
	unsigned int ref;
	bool dead;
	struct pid *owner;
	unsigned long scan_addr;
	unsigned int lock_fails;
	unsigned long full_scans;
	unsigned int scan_interval;
	unsigned long next_scan;
	struct knumad_mm_state state;
	unsigned long counts[];
};

#define KNUMAD_MM_HASH_BITS	10

/* Address space (base pages) walked under one hold of mmap_lock. */
#define KNUMAD_SCAN_CHUNK	8192

/* Visits with mmap_lock contended before knumad waits for it. */
#define KNUMAD_LOCK_TRIES	8

/* At most this many new mms per discovery, to bound the work under RCU. */
#define KNUMAD_DISCOVER_BATCH	32

/* Protects everything below; see the top of this file. */
static DEFINE_SPINLOCK(knumad_mm_lock);
static DEFINE_HASHTABLE(knumad_mm_hash, KNUMAD_MM_HASH_BITS);
static LIST_HEAD(knumad_mm_list);
static unsigned long knumad_mm_count;

/* The knumad thread's own cursors. */
static struct knumad_mm *knumad_scan_cursor;	/* referenced, or NULL */
static int knumad_discover_pid = 1;

static unsigned long *scan_pages(struct knumad_mm *e)
{
	return e->counts;
}

static unsigned long *scan_hot(struct knumad_mm *e)
{
	return e->counts + nr_node_ids;
}

static unsigned long *last_pages(struct knumad_mm *e)
{
	return e->counts + 2 * nr_node_ids;
}

static unsigned long *last_hot(struct knumad_mm *e)
{
	return e->counts + 3 * nr_node_ids;
}

static struct knumad_mm *knumad_mm_lookup(struct mm_struct *mm)
{
	struct mm_slot *slot;

	lockdep_assert_held(&knumad_mm_lock);
	slot = mm_slot_lookup(knumad_mm_hash, mm);
	return slot ? container_of(slot, struct knumad_mm, slot) : NULL;
}

static struct knumad_mm *knumad_mm_alloc(void)
{
	struct knumad_mm *e;

	e = kzalloc(struct_size(e, counts, 4 * nr_node_ids), GFP_KERNEL);
	if (e) {
		e->ref = 1;
		e->next_scan = jiffies;
		e->state.nid = NUMA_NO_NODE;
		e->state.mig.stuck_at = ULONG_MAX;
		e->state.mig.last_dst = NUMA_NO_NODE;
	}
	return e;
}

static void knumad_mm_free(struct knumad_mm *e)
{
	put_pid(e->owner);
	mmdrop(e->slot.mm);
	kfree(e);
}

/* Drop a reference; returns true if it was the last (@e is unlinked then). */
static bool knumad_mm_unref(struct knumad_mm *e)
{
	lockdep_assert_held(&knumad_mm_lock);
	if (--e->ref)
		return false;
	list_del(&e->slot.mm_node);
	knumad_mm_count--;
	return true;
}

/* The mm is gone for knumad: off the hash, flag cleared, registry's ref. */
static bool knumad_mm_kill(struct knumad_mm *e)
{
	lockdep_assert_held(&knumad_mm_lock);
	WRITE_ONCE(e->dead, true);
	hash_del(&e->slot.hash);
	clear_bit(MMF_KNUMAD, &e->slot.mm->flags);
	return knumad_mm_unref(e);
}

/*
 * Insert @e for @mm unless the mm is there already. Takes the caller's
 * reference on @owner. Frees @e (and drops @owner) if not inserted, but
 * names the existing entry's owner if it had none.
 */
static void knumad_mm_insert(struct knumad_mm *e, struct mm_struct *mm, struct pid *owner)
{
	struct mm_slot *slot = &e->slot;
	struct knumad_mm *old;

	spin_lock(&knumad_mm_lock);
	old = knumad_mm_lookup(mm);
	if (old || !knumad_enabled()) {
		/* Known already, or disabled meanwhile (being emptied). */
		if (old && !old->owner) {
			old->owner = owner;
			owner = NULL;
		}
		spin_unlock(&knumad_mm_lock);
		put_pid(owner);
		kfree(e);
		return;
	}
	e->owner = owner;
	mmgrab(mm);
	mm_slot_insert(knumad_mm_hash, mm, slot);
	list_add_tail(&e->slot.mm_node, &knumad_mm_list);
	set_bit(MMF_KNUMAD, &mm->flags);
	knumad_mm_count++;
	spin_unlock(&knumad_mm_lock);
}

/**
 * __knumad_fork() - Track a child mm whose parent knumad tracks.
 * @mm: the child's mm.
 * @oldmm: the parent's mm (tracked: MMF_KNUMAD was set).
 *
 * The child's thread group is named later, by knumad_mm_discover().
 */
void __knumad_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct knumad_mm *e = knumad_mm_alloc();

	if (e)
		knumad_mm_insert(e, mm, NULL);
}

/**
 * __knumad_exit() - Stop tracking an mm whose last user is gone.
 * @mm: the mm (MMF_KNUMAD was set).
 */
void __knumad_exit(struct mm_struct *mm)
{
	struct knumad_mm *e;
	bool last = false;

	spin_lock(&knumad_mm_lock);
	e = knumad_mm_lookup(mm);
	if (e)
		last = knumad_mm_kill(e);
	spin_unlock(&knumad_mm_lock);
	if (last)
		knumad_mm_free(e);
}

/*
 * Is @t's mm worth registering, or registered without an owner? Called
 * under RCU and task_lock(@t).
 */
static bool knumad_mm_wanted(struct task_struct *t, unsigned long min_anon_pages)
{
	struct mm_struct *mm = t->mm;
	struct knumad_mm *e;
	bool want;

	if (!mm)
		return false;
	if (!test_bit(MMF_KNUMAD, &mm->flags))
		return get_mm_counter(mm, MM_ANONPAGES) >= min_anon_pages;
	spin_lock(&knumad_mm_lock);
	e = knumad_mm_lookup(mm);
	want = e && !e->owner;
	spin_unlock(&knumad_mm_lock);
	return want;
}

/**
 * knumad_mm_discover() - Register processes knumad does not know yet.
 * @min_anon_pages: smallest anonymous footprint worth tracking.
 * @max_pids: look at most at this many pids (threads included).
 *
 * Goes on from the pid where the last call stopped and wraps around at the
 * end, so each call is bounded and every process is found within a lap.
 * Also names the thread group of mms registered at fork.
 * Context: the knumad thread; sleeps.
 */
void knumad_mm_discover(unsigned long min_anon_pages, unsigned int max_pids)
{
	struct task_struct *found[KNUMAD_DISCOVER_BATCH];
	int i, nr = 0;

	rcu_read_lock();
	while (max_pids-- && nr < ARRAY_SIZE(found)) {
		struct pid *pid = find_ge_pid(knumad_discover_pid, &init_pid_ns);
		struct task_struct *t;
		bool want;

		if (!pid) {
			knumad_discover_pid = 1;	/* a lap done */
			break;
		}
		knumad_discover_pid = pid_nr(pid) + 1;
		t = pid_task(pid, PIDTYPE_PID);
		if (!t || (t->flags & (PF_KTHREAD | PF_EXITING)))
			continue;
		task_lock(t);
		want = knumad_mm_wanted(t, min_anon_pages);
		task_unlock(t);
		if (want) {
			get_task_struct(t);
			found[nr++] = t;
		}
	}
	rcu_read_unlock();

	for (i = 0; i < nr; i++) {
		struct task_struct *t = found[i];
		struct knumad_mm *e = knumad_mm_alloc();
		struct mm_struct *mm;

		task_lock(t);
		mm = t->mm;
		if (mm)
			mmgrab(mm);
		task_unlock(t);
		if (mm && e)
			knumad_mm_insert(e, mm, get_task_pid(t, PIDTYPE_TGID));
		else
			kfree(e);
		if (mm)
			mmdrop(mm);
		put_task_struct(t);
	}
}

/**
 * knumad_mm_next() - The next live entry of the registry, referenced.
 * @prev: the entry the caller is done with (its reference is dropped), or
 *	NULL to start at the head.
 *
 * Context: the knumad thread.
 * Return: the entry after @prev, or NULL at the end of the list.
 */
struct knumad_mm *knumad_mm_next(struct knumad_mm *prev)
{
	struct list_head *pos;
	struct knumad_mm *e = NULL;
	bool last = false;

	spin_lock(&knumad_mm_lock);
	pos = prev ? prev->slot.mm_node.next : knumad_mm_list.next;
	for (; pos != &knumad_mm_list; pos = pos->next) {
		struct knumad_mm *cand = list_entry(pos, struct knumad_mm, slot.mm_node);

		if (!cand->dead) {
			cand->ref++;
			e = cand;
			break;
		}
	}
	if (prev)
		last = knumad_mm_unref(prev);
	spin_unlock(&knumad_mm_lock);
	if (last)
		knumad_mm_free(prev);
	return e;
}

/**
 * knumad_mm_get() - Take another reference on an entry.
 * @e: the entry, referenced by the caller already.
 */
void knumad_mm_get(struct knumad_mm *e)
{
	spin_lock(&knumad_mm_lock);
	e->ref++;
	spin_unlock(&knumad_mm_lock);
}

/**
 * knumad_mm_put() - Drop a reference knumad_mm_next() or knumad_mm_get()
 * gave.
 * @e: the entry, or NULL.
 */
void knumad_mm_put(struct knumad_mm *e)
{
	bool last;

	if (!e)
		return;
	spin_lock(&knumad_mm_lock);
	last = knumad_mm_unref(e);
	spin_unlock(&knumad_mm_lock);
	if (last)
		knumad_mm_free(e);
}

/**
 * knumad_mm_mm() - The mm of an entry.
 * @e: the entry, referenced.
 *
 * Return: the mm, held by mmgrab() while @e is: lock it with a trylock and
 * check that it still has users before walking it.
 */
struct mm_struct *knumad_mm_mm(const struct knumad_mm *e)
{
	return e->slot.mm;
}

/**
 * knumad_mm_get_owner() - The thread group using an entry's mm.
 * @e: the entry, referenced.
 *
 * Return: its struct pid, referenced (put_pid() it), or NULL if not known
 * yet.
 */
struct pid *knumad_mm_get_owner(struct knumad_mm *e)
{
	struct pid *owner;

	spin_lock(&knumad_mm_lock);
	owner = get_pid(e->owner);
	spin_unlock(&knumad_mm_lock);
	return owner;
}

/**
 * knumad_mm_state() - knumad's decisions about an entry's process.
 * @e: the entry, referenced.
 *
 * Return: the state, for the knumad thread only.
 */
struct knumad_mm_state *knumad_mm_state(struct knumad_mm *e)
{
	return &e->state;
}

/**
 * knumad_mm_full_scans() - How many complete scans an entry has had.
 * @e: the entry.
 *
 * Return: the number of complete scans.
 */
unsigned long knumad_mm_full_scans(struct knumad_mm *e)
{
	return READ_ONCE(e->full_scans);
}

/**
 * knumad_mm_counts() - Where an mm's memory is, as far as knumad knows.
 * @e: the entry, referenced.
 * @pages: out: resident anonymous pages per node.
 * @hot: out: of those, pages found accessed in the last scan.
 *
 * The last complete scan, kept up to date with what knumad migrated since;
 * before the first complete scan, what the scan in progress found so far,
 * so a new process is placed without waiting for its whole scan.
 * Context: the knumad thread.
 * Return: true if anything was found.
 */
bool knumad_mm_counts(struct knumad_mm *e, unsigned long *pages, unsigned long *hot)
{
	size_t bytes = nr_node_ids * sizeof(unsigned long);
	bool done = READ_ONCE(e->full_scans);

	spin_lock(&knumad_mm_lock);
	memcpy(pages, done ? last_pages(e) : scan_pages(e), bytes);
	memcpy(hot, done ? last_hot(e) : scan_hot(e), bytes);
	spin_unlock(&knumad_mm_lock);
	return memchr_inv(pages, 0, bytes);
}

/**
 * knumad_mm_moved() - Account knumad's own migration in an entry's counts.
 * @e: the entry, referenced.
 * @src: the node pages moved from.
 * @dst: the node they moved to.
 * @nr: how many.
 *
 * Hot pages move in proportion, so the counts follow knumad's own actions
 * without waiting for the next complete scan.
 */
void knumad_mm_moved(struct knumad_mm *e, int src, int dst, unsigned long nr)
{
	unsigned long *pages = last_pages(e), *hot = last_hot(e);
	unsigned long hot_nr;

	spin_lock(&knumad_mm_lock);
	nr = min(nr, pages[src]);
	hot_nr = pages[src] ? mult_frac(hot[src], nr, pages[src]) : 0;
	pages[src] -= nr;
	pages[dst] += nr;
	hot[src] -= hot_nr;
	hot[dst] += hot_nr;
	spin_unlock(&knumad_mm_lock);
}

/*
 * mmap_lock for a scan visit: trylock; after KNUMAD_LOCK_TRIES contended
 * visits in a row, wait for it (killable: knumad_stop() sends SIGKILL), so
 * a process whose lock is always busy is not starved for ever.
 */
static bool knumad_scan_lock(struct knumad_mm *e)
{
	struct mm_struct *mm = e->slot.mm;

	if (knumad_mmap_trylock(mm)) {
		e->lock_fails = 0;
		return true;
	}
	if (++e->lock_fails < KNUMAD_LOCK_TRIES || kthread_should_stop())
		return false;
	if (mmap_read_lock_killable(mm))
		return false;
	if (!atomic_read(&mm->mm_users)) {
		mmap_read_unlock(mm);
		return false;
	}
	e->lock_fails = 0;
	return true;
}

/* A scan of @e completed: publish it and say when the next one starts. */
static void knumad_scan_done(struct knumad_mm *e, struct knumad_scan_control *sc)
{
	size_t bytes = 2 * nr_node_ids * sizeof(unsigned long);

	/* last_*() change only in this thread: read them unlocked. */
	e->scan_interval = knumad_rescan_interval(e->full_scans ? e->scan_interval : 0,
						  last_pages(e), last_hot(e),
						  scan_pages(e), scan_hot(e), nr_node_ids,
						  sc->min_hot, sc->min_interval_ms,
						  sc->max_interval_ms);
	e->next_scan = jiffies + msecs_to_jiffies(e->scan_interval);
	spin_lock(&knumad_mm_lock);
	memcpy(last_pages(e), scan_pages(e), bytes);
	spin_unlock(&knumad_mm_lock);
	memset(scan_pages(e), 0, bytes);
	e->scan_addr = 0;
	WRITE_ONCE(e->full_scans, e->full_scans + 1);
}

/* Has the pass spent the CPU it may spend on scanning? */
static bool knumad_scan_cpu_spent(struct knumad_scan_control *sc)
{
	return sc->cpu_limit_ns &&
	       (s64)(task_sched_runtime(current) - sc->cpu_start_ns) >= sc->cpu_limit_ns;
}

/*
 * Scan @e on from where its scan stands, a chunk per hold of mmap_lock.
 * Returns false if the budget ran out inside @e (resume here next pass).
 */
static bool knumad_scan_visit(struct knumad_mm *e, struct knumad_scan_control *sc)
{
	struct mm_struct *mm = e->slot.mm;

	while (sc->walked < sc->budget) {
		struct knumad_walk w = {
			.pages = scan_pages(e),
			.hot = scan_hot(e),
			.budget = min_t(unsigned long, KNUMAD_SCAN_CHUNK, sc->budget - sc->walked),
		};

		if (!knumad_scan_lock(e)) {
			sc->mms_skipped++;
			return true;
		}
		knumad_walk_mm(mm, e->scan_addr, ULONG_MAX, &w);
		mmap_read_unlock(mm);
		sc->walked += w.walked;
		sc->pages_scanned += w.scanned;
		if (!w.next) {
			knumad_scan_done(e, sc);
			sc->mms_scanned++;
			return true;
		}
		e->scan_addr = w.next;
		cond_resched();
		if (kthread_should_stop() || knumad_scan_cpu_spent(sc))
			break;
	}
	return false;
}

/**
 * knumad_scan_pass() - One pass of scanning over the registry.
 * @sc: the budget in, the pass's counts out.
 *
 * Visits each registered mm at most once, going on where the last pass
 * stopped (inside an mm, too), and starts a new scan of an mm only when its
 * interval (rescan.c) has passed. The budget counts address space walked,
 * present or not, so a huge sparse mapping cannot make one pass long;
 * mmap_lock is dropped between chunks, and the pass ends after the chunk
 * that reaches its CPU limit.
 * Context: the knumad thread; sleeps.
 */
void knumad_scan_pass(struct knumad_scan_control *sc)
{
	unsigned long visits = knumad_mm_nr();
	struct knumad_mm *e = knumad_scan_cursor;

	knumad_scan_cursor = NULL;
	if (!e)
		e = knumad_mm_next(NULL);
	while (e && visits--) {
		bool due = e->scan_addr || !time_before(jiffies, e->next_scan);

		if (due && !READ_ONCE(e->dead) && !knumad_scan_visit(e, sc)) {
			knumad_scan_cursor = e;		/* resume inside it */
			return;
		}
		e = knumad_mm_next(e) ?: (visits ? knumad_mm_next(NULL) : NULL);
		if (sc->walked >= sc->budget || kthread_should_stop() ||
		    knumad_scan_cpu_spent(sc))
			break;
		cond_resched();
	}
	knumad_scan_cursor = e;
}

/**
 * knumad_mm_nr() - How many mms knumad tracks.
 *
 * Return: the number of live and dying entries.
 */
unsigned long knumad_mm_nr(void)
{
	return READ_ONCE(knumad_mm_count);
}

/**
 * knumad_mm_forget_all() - Empty the registry.
 *
 * Context: knumad is being disabled; its thread has stopped and dropped
 * every reference it held but the scan cursor's, dropped here.
 */
void knumad_mm_forget_all(void)
{
	struct knumad_mm *e, *tmp;
	LIST_HEAD(gone);

	knumad_mm_put(knumad_scan_cursor);
	knumad_scan_cursor = NULL;
	spin_lock(&knumad_mm_lock);
	list_for_each_entry_safe(e, tmp, &knumad_mm_list, slot.mm_node) {
		if (!e->dead && knumad_mm_kill(e))
			list_add(&e->slot.mm_node, &gone);
	}
	WARN_ON_ONCE(!list_empty(&knumad_mm_list));
	spin_unlock(&knumad_mm_lock);
	list_for_each_entry_safe(e, tmp, &gone, slot.mm_node) {
		knumad_mm_free(e);
		cond_resched();
	}
}

#ifdef CONFIG_DEBUG_FS
/*
 * /sys/kernel/debug/knumad/mms: one line per tracked mm. Debugging aid, not
 * ABI. Printed under the lock, so it is a consistent snapshot of the
 * counts; the state is the thread's, read racily.
 */
static int knumad_mms_show(struct seq_file *m, void *unused)
{
	struct knumad_mm *e;
	int nid;

	seq_puts(m, "# tgid nid reason full_scans node_changes pages_migrated pages_per_node hot_per_node\n");
	spin_lock(&knumad_mm_lock);
	list_for_each_entry(e, &knumad_mm_list, slot.mm_node) {
		if (e->dead)
			continue;
		seq_printf(m, "%d %d %u %lu %lu %lu", e->owner ? pid_nr(e->owner) : 0,
			   READ_ONCE(e->state.nid), READ_ONCE(e->state.reason),
			   READ_ONCE(e->full_scans), READ_ONCE(e->state.node_changes),
			   READ_ONCE(e->state.pages_migrated));
		for (nid = 0; nid < nr_node_ids; nid++)
			seq_printf(m, "%c%lu", nid ? ',' : ' ', last_pages(e)[nid]);
		for (nid = 0; nid < nr_node_ids; nid++)
			seq_printf(m, "%c%lu", nid ? ',' : ' ', last_hot(e)[nid]);
		seq_putc(m, '\n');
	}
	spin_unlock(&knumad_mm_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(knumad_mms);

/**
 * knumad_mm_debugfs() - Create /sys/kernel/debug/knumad/mms.
 * @dir: knumad's debugfs directory.
 */
void knumad_mm_debugfs(struct dentry *dir)
{
	debugfs_create_file("mms", 0400, dir, NULL, &knumad_mms_fops);
}
#endif
