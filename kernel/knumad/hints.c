// SPDX-License-Identifier: GPL-2.0
/*
 * knumad: per-thread placement from hinting faults.
 *
 * A process whose busy threads do not fit on one node (numa02, a thread
 * per CPU each with a slice of memory of its own) cannot be placed as a
 * whole. For such processes knumad samples a small part of the memory with
 * hinting faults it arms itself (mm/numa_migrate/hint.c); each fault only
 * records, in the faulting thread's ring, the 2 MiB region, the page's node
 * and whether another task touched the page before (the folio's
 * last_cpupid), and never migrates. Each pass knumad reads the rings and
 * keeps, per thread, decayed counts of private and shared faults, the
 * tasks it shares with, and the regions it uses ("the view").
 *
 * Threads that share memory are put in one cluster (union-find over the
 * tasks they share with); a thread with private memory is a cluster of its
 * own. Each cluster with a busy thread becomes a placement unit of the same
 * assignment as processes and groups: its weight is its threads' CPU, its
 * memory the regions it owns (a region used about evenly from several
 * clusters is shared and stays). Its memory follows it in the background,
 * paired and rate-limited like any other. The process keeps the threads
 * that belong to no cluster, and its memory is left to the clusters.
 *
 * Sampling adapts: a lap over the process's memory arms a window of
 * KNUMAD_HINT_WINDOW pages per region; laps follow each other while the
 * process is unsettled, and ever more rarely (up to one in 64 passes) while
 * nothing changes. The counts decay each pass, so a thread whose memory
 * moves to a new place is re-placed within a few passes.
 *
 * All state here is the knumad thread's, but the rings, which their
 * threads write (see hint.c).
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/debugfs.h>
#include <linux/knumad.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <trace/events/knumad.h>

#include "internal.h"

/* Regions a thread's view remembers; the weakest is replaced. */
#define KNUMAD_HINT_REGIONS	64
/* Tasks a thread's view remembers sharing with. */
#define KNUMAD_HINT_PARTNERS	4
/*
 * Pages armed per 2 MiB region and lap (3% of the memory per lap); half as
 * many once the process has settled, which a lap only needs to confirm.
 */
#define KNUMAD_HINT_WINDOW	16
#define KNUMAD_HINT_WINDOW_SETTLED	(KNUMAD_HINT_WINDOW / 2)
/* Regions armed per pass, over all processes (2 GiB of address space). */
#define KNUMAD_HINT_REGIONS_PER_PASS	1024
/* Passes between laps, at most, while nothing changes. */
#define KNUMAD_HINT_MAX_INTERVAL	64
/* Threads of one process that hinting looks at, at most. */
#define KNUMAD_HINT_MAX_THREADS	256
/* Region weights are kept in this many units per fault, for the decay. */
#define KNUMAD_HINT_SCALE	16

/**
 * struct knumad_hint_region - A region of memory a thread uses.
 * @region: the address >> PMD_SHIFT.
 * @nid: the node its pages were on at the last fault.
 * @weight: decayed faults there.
 */
struct knumad_hint_region {
	unsigned long region;
	int nid;
	u32 weight;
};

/**
 * struct knumad_hint_view - What knumad made of a thread's hinting faults.
 * @seen: records of the ring read so far.
 * @last_faults: the faults of record @seen - 1 already counted (it may
 *	still grow).
 * @priv: decayed private faults.
 * @shared: decayed faults on pages another task touched before.
 * @partner: the tasks it shared with most: their pid bits and faults.
 * @private: it counts as working on memory of its own.
 * @alone: it is placed with its cluster, not with its process.
 * @cluster: the pid of its cluster's first thread, while @alone.
 * @nid: its cluster's node.
 * @reason: why.
 * @changed: jiffies when @nid last changed.
 * @last_dst: where its cluster's memory last moved to, or NUMA_NO_NODE.
 * @moved_at: jiffies when it did.
 * @nr_regions: entries in @regions.
 * @regions: the regions it used lately.
 */
struct knumad_hint_view {
	unsigned int seen;
	unsigned int last_faults;
	u32 priv;
	u32 shared;
	struct {
		int with;
		u32 faults;
	} partner[KNUMAD_HINT_PARTNERS];
	bool private;
	bool alone;
	pid_t cluster;
	int nid;
	unsigned int reason;
	unsigned long changed;
	int last_dst;
	unsigned long moved_at;
	unsigned int nr_regions;
	struct knumad_hint_region regions[KNUMAD_HINT_REGIONS];
};

/**
 * knumad_hint_view_free() - Free a thread's view (with the thread).
 * @v: the view, or NULL.
 */
void knumad_hint_view_free(struct knumad_hint_view *v)
{
	kfree(v);
}

/**
 * knumad_hint_view_nid() - The node of a thread's cluster.
 * @v: the view.
 *
 * Return: the node, or NUMA_NO_NODE.
 */
int knumad_hint_view_nid(const struct knumad_hint_view *v)
{
	return v->nid;
}

/**
 * knumad_thread_alone() - Is a thread placed with its cluster?
 * @t: the thread.
 *
 * Context: the knumad thread.
 * Return: true if its process does not place it.
 */
bool knumad_thread_alone(struct task_struct *t)
{
	struct knumad_task *kt = READ_ONCE(t->knumad_task);

	return kt && kt->view && kt->view->alone;
}

/**
 * knumad_hints_forget_thread() - A thread is its process's again.
 * @t: the thread, referenced.
 *
 * Context: the knumad thread, or knumad stopped.
 */
void knumad_hints_forget_thread(struct task_struct *t)
{
	struct knumad_task *kt = READ_ONCE(t->knumad_task);

	if (kt && kt->view) {
		kt->view->alone = false;
		kt->view->cluster = 0;
		kt->view->nid = NUMA_NO_NODE;
	}
}

/* Give @t a ring and a view, so its hinting faults are recorded. */
static void knumad_hint_alloc(struct task_struct *t)
{
	struct knumad_task *kt = READ_ONCE(t->knumad_task);
	struct knumad_hint_view *v;
	struct knumad_hints *h;

	if (!kt || kt->hints)
		return;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!h || !v) {
		kfree(h);
		kfree(v);
		return;
	}
	v->nid = NUMA_NO_NODE;
	v->last_dst = NUMA_NO_NODE;
	kt->view = v;
	/* The thread may record from here on. */
	smp_store_release(&kt->hints, h);
}

/* Count @faults of record @r in @v. */
static void knumad_hint_add(struct knumad_hint_view *v, const struct knumad_hint_record *r,
			    unsigned int faults)
{
	u32 w = faults * KNUMAD_HINT_SCALE;
	unsigned int i, weakest = 0;

	if (r->with == KNUMAD_HINT_PRIVATE) {
		v->priv += w;
	} else if (r->with >= 0) {
		v->shared += w;
		for (i = 0; i < KNUMAD_HINT_PARTNERS; i++) {
			if (v->partner[i].with == r->with || !v->partner[i].faults)
				break;
			if (v->partner[i].faults < v->partner[weakest].faults)
				weakest = i;
		}
		if (i == KNUMAD_HINT_PARTNERS)
			i = weakest;
		if (v->partner[i].with != r->with)
			v->partner[i].faults = 0;
		v->partner[i].with = r->with;
		v->partner[i].faults += w;
	}
	weakest = 0;
	for (i = 0; i < v->nr_regions; i++) {
		if (v->regions[i].region == r->region)
			break;
		if (v->regions[i].weight < v->regions[weakest].weight)
			weakest = i;
	}
	if (i == v->nr_regions) {
		if (v->nr_regions < KNUMAD_HINT_REGIONS)
			v->nr_regions++;
		else
			i = weakest;
		v->regions[i].region = r->region;
		v->regions[i].weight = 0;
	}
	v->regions[i].nid = r->nid;
	v->regions[i].weight += w;
}

/* Older counts weigh less: a quarter gone with every new batch of faults. */
static void knumad_hint_decay(struct knumad_hint_view *v)
{
	unsigned int i, n = 0;

	v->priv -= v->priv >> 2;
	v->shared -= v->shared >> 2;
	for (i = 0; i < KNUMAD_HINT_PARTNERS; i++)
		v->partner[i].faults -= v->partner[i].faults >> 2;
	for (i = 0; i < v->nr_regions; i++) {
		v->regions[i].weight -= v->regions[i].weight >> 2;
		if (v->regions[i].weight)
			v->regions[n++] = v->regions[i];
	}
	v->nr_regions = n;
}

/* A record's fields, read once each (its thread may be writing it). */
static void knumad_hint_copy(struct knumad_hint_record *to, const struct knumad_hint_record *r)
{
	to->region = READ_ONCE(r->region);
	to->nid = READ_ONCE(r->nid);
	to->with = READ_ONCE(r->with);
	to->faults = READ_ONCE(r->faults);
}

/*
 * Read what @t recorded since the last pass into its view, then let the
 * old counts decay. Records are copied first; copies of records the thread
 * may have overwritten meanwhile are dropped, like the records it
 * overwrote before knumad came (counted as lost). The newest record read
 * last time may have grown (faults fold into it): its new faults count.
 */
static void knumad_hint_read(struct knumad_ctx *ctx, struct task_struct *t)
{
	struct knumad_task *kt = READ_ONCE(t->knumad_task);
	struct knumad_hint_record copy[KNUMAD_HINT_RECORDS], grown;
	struct knumad_hint_view *v;
	struct knumad_hints *h;
	unsigned int head, head2, from, n, skip, i, faults = 0;
	bool have_grown;

	if (!kt || !kt->hints)
		return;
	h = kt->hints;
	v = kt->view;
	/* Pairs with the fault's release: records below head are written. */
	head = smp_load_acquire(&h->head);
	from = v->seen;
	if (head - from > KNUMAD_HINT_RECORDS) {
		atomic64_add(head - from - KNUMAD_HINT_RECORDS,
			     &ctx->stats[KNUMAD_STAT_HINT_LOST]);
		from = head - KNUMAD_HINT_RECORDS;
	}
	have_grown = from && from == v->seen && head - from < KNUMAD_HINT_RECORDS;
	if (have_grown)
		knumad_hint_copy(&grown, &h->rec[(from - 1) % KNUMAD_HINT_RECORDS]);
	n = head - from;
	for (i = 0; i < n; i++)
		knumad_hint_copy(&copy[i], &h->rec[(from + i) % KNUMAD_HINT_RECORDS]);
	/* What the thread overwrote while we copied is not what we copied. */
	smp_rmb();
	head2 = READ_ONCE(h->head);
	skip = head2 - from > KNUMAD_HINT_RECORDS ? head2 - from - KNUMAD_HINT_RECORDS : 0;
	if (have_grown && head2 - from < KNUMAD_HINT_RECORDS && grown.faults > v->last_faults) {
		faults += grown.faults - v->last_faults;
		knumad_hint_add(v, &grown, grown.faults - v->last_faults);
	}
	for (i = min(skip, n); i < n; i++) {
		faults += copy[i].faults;
		knumad_hint_add(v, &copy[i], copy[i].faults);
	}
	if (n)
		v->last_faults = skip < n ? copy[n - 1].faults : 0;
	else if (have_grown)
		v->last_faults = max(v->last_faults, grown.faults);
	v->seen = head;
	atomic64_add(faults, &ctx->stats[KNUMAD_STAT_HINT_FAULTS]);
	/* New faults outweigh old ones; no faults are no news. */
	if (faults)
		knumad_hint_decay(v);
	v->private = knumad_hint_private(v->priv / KNUMAD_HINT_SCALE,
					 v->shared / KNUMAD_HINT_SCALE, v->private);
}

/*
 * Collect up to @max threads of process unit @u that use its mm and are in
 * no numa_group, alone or not, referenced.
 */
static unsigned int knumad_hint_threads(struct knumad_unit *u, struct task_struct **t,
					unsigned int max)
{
	struct mm_struct *mm = knumad_mm_mm(u->mm);
	struct task_struct *leader, *p;
	unsigned int nr = 0;

	rcu_read_lock();
	leader = pid_task(u->owner, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, p) {
			if (READ_ONCE(p->mm) != mm || (p->flags & PF_EXITING) ||
			    knumad_thread_in_group(p))
				continue;
			get_task_struct(p);
			t[nr++] = p;
			if (nr == max)
				break;
		}
	}
	rcu_read_unlock();
	return nr;
}

static void knumad_put_tasks(struct task_struct **t, unsigned int nr)
{
	while (nr)
		put_task_struct(t[--nr]);
}

/* One region a cluster's threads used: who, how much, where. */
struct knumad_hint_use {
	unsigned long region;
	int cluster;
	int nid;
	u32 weight;
};

static int knumad_hint_use_cmp(const void *a, const void *b)
{
	const struct knumad_hint_use *x = a, *y = b;

	if (x->region != y->region)
		return x->region < y->region ? -1 : 1;
	return x->cluster - y->cluster;
}

/* Does @v have enough faults to say anything? */
static bool knumad_hint_known(const struct knumad_hint_view *v)
{
	return v->priv + v->shared >= KNUMAD_HINT_MIN_FAULTS * KNUMAD_HINT_SCALE;
}

/* Join @t[i] with the threads it shares memory with (by their pid bits). */
static void knumad_hint_join_partners(struct task_struct **t, unsigned int nr,
				      unsigned int i, int *parent)
{
	struct knumad_hint_view *v = t[i]->knumad_task->view;
	unsigned int p, j;

	for (p = 0; p < KNUMAD_HINT_PARTNERS; p++) {
		if (v->partner[p].faults < max(v->shared / 4,
					       (u32)KNUMAD_HINT_MIN_FAULTS * KNUMAD_HINT_SCALE / 2))
			continue;
		for (j = 0; j < nr; j++) {
			if (j != i && t[j]->knumad_task && t[j]->knumad_task->view &&
			    (t[j]->pid & LAST__PID_MASK) == v->partner[p].with)
				knumad_cluster_join(parent, i, j);
		}
	}
}

/*
 * Give each cluster unit the regions it owns: ranges (consecutive regions
 * merged) and pages per node. @use holds every region of every cluster's
 * threads; sorted here.
 */
static void knumad_hint_regions(struct knumad_unit *units, struct knumad_hint_use *use,
				unsigned int nr_use, struct mm_struct *mm)
{
	u32 weight[8];
	unsigned int i = 0, j, k;

	sort(use, nr_use, sizeof(*use), knumad_hint_use_cmp, NULL);
	while (i < nr_use) {
		struct knumad_unit *cu;
		int owner, who[8], n = 0;

		/* Sum per cluster the uses of one region (sorted by cluster). */
		for (j = i; j < nr_use && use[j].region == use[i].region; j++) {
			if (n && who[n - 1] == use[j].cluster) {
				weight[n - 1] += use[j].weight;
			} else if (n < ARRAY_SIZE(weight)) {
				who[n] = use[j].cluster;
				weight[n++] = use[j].weight;
			}
		}
		owner = knumad_region_owner(weight, n);
		if (owner >= 0) {
			cu = &units[who[owner]];
			k = cu->nr_ranges;
			if (k && cu->ranges[k - 1].end == use[i].region << PMD_SHIFT) {
				cu->ranges[k - 1].end += PMD_SIZE;
			} else {
				mmgrab(mm);
				cu->ranges[k].mm = mm;
				cu->ranges[k].start = use[i].region << PMD_SHIFT;
				cu->ranges[k].end = cu->ranges[k].start + PMD_SIZE;
				cu->nr_ranges++;
			}
			cu->pages[use[i].nid] += HPAGE_PMD_NR;
			cu->hot[use[i].nid] += HPAGE_PMD_NR;
		}
		i = j;
	}
}

/* Make cluster @root (@nr threads of @t, which are its members) unit @cu. */
static bool knumad_hint_cluster_unit(struct knumad_ctx *ctx, struct knumad_unit *pu,
				     struct knumad_unit *cu, struct task_struct **t,
				     unsigned int nr, const int *cluster, int root)
{
	struct knumad_hint_view *lead = NULL;
	unsigned int i, k = 0, votes = 0, members = 0;
	int cur = NUMA_NO_NODE;

	for (i = 0; i < nr; i++)
		members += cluster[i] == root;
	/* A range per region its threads remember, at most. */
	cu->tasks = kmalloc_array(members, sizeof(*cu->tasks), GFP_KERNEL);
	cu->ranges = kmalloc_array(KNUMAD_HINT_REGIONS * members, sizeof(*cu->ranges),
				   GFP_KERNEL);
	if (!cu->tasks || !cu->ranges) {
		kfree(cu->tasks);
		kfree(cu->ranges);
		cu->tasks = NULL;
		cu->ranges = NULL;
		return false;
	}
	cu->kind = KNUMAD_UNIT_THREADS;
	cu->mm = pu->mm;	/* borrowed: the process's unit holds it */
	cu->owner = NULL;
	for (i = 0; i < nr; i++) {
		struct knumad_hint_view *v;

		if (cluster[i] != root)
			continue;
		v = t[i]->knumad_task->view;
		get_task_struct(t[i]);
		cu->tasks[k++] = t[i];
		if (!lead)
			lead = v;
		/* Its node: the one most of its threads' cluster had (a majority vote). */
		if (v->nid == cur) {
			votes++;
		} else if (!votes) {
			cur = v->nid;
			votes = 1;
		} else {
			votes--;
		}
	}
	cu->nr_members = k;
	cu->cur = cur;
	cu->mig = (struct knumad_mig_cursor) {
		.stuck_at = ULONG_MAX,
		.last_dst = lead->last_dst,
		.moved_at = lead->moved_at,
	};
	cu->held = knumad_unit_held(ctx, cur, lead->reason, lead->changed, &cu->mig);
	return true;
}

/**
 * knumad_hints_cluster() - Read a hinted process's threads' records and
 * put its threads into clusters.
 * @ctx: the context.
 * @u: the process's unit (its owner and mm known; its threads not
 *	observed yet: the threads of clusters are not the process's).
 *
 * Threads that share memory form one cluster; a thread with private memory
 * is one. When at least two clusters have a busy thread, every thread of
 * such a cluster is placed with its cluster from now on ("alone" from its
 * process), and the process's memory is left to the clusters. (One cluster
 * is the process itself, placed as such.) Threads without a ring get one,
 * so their next faults are recorded.
 * Context: the knumad thread; sleeps.
 */
void knumad_hints_cluster(struct knumad_ctx *ctx, struct knumad_unit *u)
{
	struct knumad_mm_state *st = knumad_mm_state(u->mm);
	unsigned int i, nr = 0, busy_clusters = 0;
	int *parent, *root, *size, *busy, *id;
	struct task_struct **t;

	t = kmalloc_array(KNUMAD_HINT_MAX_THREADS, sizeof(*t), GFP_KERNEL);
	parent = kmalloc_array(5 * KNUMAD_HINT_MAX_THREADS, sizeof(int), GFP_KERNEL);
	if (!t || !parent)
		goto out_free;
	root = parent + KNUMAD_HINT_MAX_THREADS;
	size = root + KNUMAD_HINT_MAX_THREADS;
	busy = size + KNUMAD_HINT_MAX_THREADS;
	id = busy + KNUMAD_HINT_MAX_THREADS;
	nr = knumad_hint_threads(u, t, KNUMAD_HINT_MAX_THREADS);

	for (i = 0; i < nr; i++) {
		knumad_task_get(t[i], GFP_KERNEL);
		knumad_hint_alloc(t[i]);
		knumad_hint_read(ctx, t[i]);
		parent[i] = i;
		size[i] = 0;
	}
	for (i = 0; i < nr; i++) {
		struct knumad_task *kt = t[i]->knumad_task;

		if (kt && kt->view && knumad_hint_known(kt->view) && !kt->view->private)
			knumad_hint_join_partners(t, nr, i, parent);
	}
	for (i = 0; i < nr; i++) {
		root[i] = knumad_cluster_find(parent, i);
		size[root[i]]++;
	}
	/*
	 * A cluster: a known private thread, or threads joined by sharing. A
	 * thread whose faults say too little (knumad samples a settled process
	 * rarely) stays in the cluster it was in: no news is not a change.
	 */
	for (i = 0; i < nr; i++) {
		struct knumad_task *kt = t[i]->knumad_task;
		struct knumad_hint_view *v = kt ? kt->view : NULL;

		if (v && !knumad_hint_known(v) && v->alone)
			id[i] = v->cluster;
		else if (!v || !knumad_hint_known(v) || (!v->private && size[root[i]] < 2))
			id[i] = 0;		/* stays with its process */
		else
			id[i] = t[root[i]]->pid;
	}
	/* Count the clusters with a busy thread; mark their threads. */
	for (i = 0; i < nr; i++) {
		unsigned int j;

		busy[i] = id[i] && knumad_thread_busy(t[i]->knumad_task);
		for (j = 0; j < i && busy[i]; j++) {
			if (busy[j] && id[j] == id[i])
				busy[i] = 2;	/* seen */
		}
		busy_clusters += busy[i] == 1;
	}
	for (i = 0; i < nr; i++) {
		struct knumad_task *kt = t[i]->knumad_task;
		unsigned int j;
		bool alone = false;

		for (j = 0; j < nr && busy_clusters >= 2 && id[i]; j++)
			alone |= busy[j] && id[j] == id[i];
		if (!kt || !kt->view)
			continue;
		kt->view->alone = alone;
		kt->view->cluster = alone ? id[i] : 0;
	}
	st->clusters = busy_clusters >= 2 ? busy_clusters : 0;
	knumad_put_tasks(t, nr);
out_free:
	kfree(parent);
	kfree(t);
}

/**
 * knumad_hints_units() - Make units of the clusters of a process's threads.
 * @ctx: the context.
 * @proc: index of the process's unit in the pass.
 * @first: index of the first free unit.
 *
 * Each cluster knumad_hints_cluster() formed becomes a unit: its threads,
 * the CPU they need, and the regions of memory it owns.
 * Context: the knumad thread; sleeps.
 * Return: the number of units added.
 */
unsigned int knumad_hints_units(struct knumad_ctx *ctx, unsigned int proc, unsigned int first)
{
	struct knumad_pass *pass = &ctx->pass;
	struct knumad_unit *pu = &pass->units[proc];
	struct knumad_hint_use *use = NULL;
	unsigned int i, j, nr = 0, nr_units = 0, nr_use = 0;
	struct task_struct **t;
	int *unit_of;

	if (!knumad_mm_state(pu->mm)->clusters)
		return 0;
	t = kmalloc_array(KNUMAD_HINT_MAX_THREADS, sizeof(*t), GFP_KERNEL);
	unit_of = kmalloc_array(KNUMAD_HINT_MAX_THREADS, sizeof(int), GFP_KERNEL);
	if (!t || !unit_of)
		goto out_free;
	nr = knumad_hint_threads(pu, t, KNUMAD_HINT_MAX_THREADS);
	/* The threads of one cluster share its root's pid; first seen first. */
	for (i = 0; i < nr; i++) {
		unit_of[i] = -1;
		if (!knumad_thread_alone(t[i]))
			continue;
		for (j = 0; j < i; j++) {
			if (unit_of[j] >= 0 && t[j]->knumad_task->view->cluster ==
					       t[i]->knumad_task->view->cluster) {
				unit_of[i] = unit_of[j];
				break;
			}
		}
		if (unit_of[i] < 0)
			unit_of[i] = nr_units++;
	}
	if (nr_units < 2 || first + nr_units > pass->max_units)
		goto out_none;
	use = kvmalloc_array(nr * KNUMAD_HINT_REGIONS, sizeof(*use), GFP_KERNEL);
	if (!use)
		goto out_none;
	for (j = 0; j < nr_units; j++) {
		if (!knumad_hint_cluster_unit(ctx, pu, &pass->units[first + j], t, nr,
					      unit_of, j)) {
			while (j--)
				knumad_hints_unit_release(&pass->units[first + j]);
			goto out_none;
		}
	}
	for (i = 0; i < nr; i++) {
		struct knumad_hint_view *v;

		if (unit_of[i] < 0)
			continue;
		v = t[i]->knumad_task->view;
		for (j = 0; j < v->nr_regions; j++) {
			use[nr_use++] = (struct knumad_hint_use) {
				.region = v->regions[j].region,
				.cluster = first + unit_of[i],
				.nid = v->regions[j].nid,
				.weight = v->regions[j].weight,
			};
		}
	}
	knumad_hint_regions(pass->units, use, nr_use, knumad_mm_mm(pu->mm));
	for (j = 0; j < nr_units; j++)
		knumad_unit_observe_threads(&pass->units[first + j]);
	pu->stay = true;
	goto out_put;

out_none:
	nr_units = 0;
out_put:
	knumad_put_tasks(t, nr);
out_free:
	kvfree(use);
	kfree(unit_of);
	kfree(t);
	return nr_units;
}

/**
 * knumad_hints_unit_release() - Drop what a cluster unit holds.
 * @u: the unit.
 */
void knumad_hints_unit_release(struct knumad_unit *u)
{
	unsigned int i;

	for (i = 0; i < u->nr_members; i++)
		put_task_struct(u->tasks[i]);
	for (i = 0; i < u->nr_ranges; i++)
		mmdrop(u->ranges[i].mm);
	kfree(u->tasks);
	kfree(u->ranges);
	u->tasks = NULL;
	u->ranges = NULL;
	u->nr_members = 0;
	u->nr_ranges = 0;
}

/**
 * knumad_hints_decided() - Record a cluster's node in its threads' views.
 * @u: the cluster's unit.
 * @out: what the assignment decided.
 *
 * Return: true if the node changed.
 */
bool knumad_hints_decided(struct knumad_unit *u, const struct knumad_unit_out *out)
{
	bool changed = false;
	unsigned int i;

	for (i = 0; i < u->nr_members; i++) {
		struct knumad_hint_view *v = u->tasks[i]->knumad_task->view;

		if (v->nid != out->nid) {
			v->nid = out->nid;
			v->changed = jiffies;
			changed = true;
		}
		v->reason = out->reason;
	}
	if (changed)
		knumad_mm_state(u->mm)->arm_changes++;
	return changed;
}

/**
 * knumad_hints_moved() - A cluster's memory moved.
 * @u: the cluster's unit.
 * @src: from this node...
 * @dst: ...to this one.
 * @done: the walk went through all its ranges: its regions on @src are now
 *	on @dst, as far as knumad knows.
 */
void knumad_hints_moved(struct knumad_unit *u, int src, int dst, bool done)
{
	unsigned int i, j;

	for (i = 0; i < u->nr_members; i++) {
		struct knumad_hint_view *v = u->tasks[i]->knumad_task->view;

		v->last_dst = dst;
		v->moved_at = jiffies;
		for (j = 0; done && j < v->nr_regions; j++) {
			if (v->regions[j].nid == src)
				v->regions[j].nid = dst;
		}
	}
}

/* Call @fn on every thread of process unit @u that hinting looks at. */
static void knumad_hints_each_thread(struct knumad_unit *u, void (*fn)(struct task_struct *))
{
	struct task_struct **t;
	unsigned int i, nr;

	t = kmalloc_array(KNUMAD_HINT_MAX_THREADS, sizeof(*t), GFP_KERNEL);
	if (!t)
		return;
	nr = knumad_hint_threads(u, t, KNUMAD_HINT_MAX_THREADS);
	for (i = 0; i < nr; i++)
		fn(t[i]);
	knumad_put_tasks(t, nr);
	kfree(t);
}

/* A ring for @t before its process's memory is first armed. */
static void knumad_hint_prepare(struct task_struct *t)
{
	knumad_task_get(t, GFP_KERNEL);
	knumad_hint_alloc(t);
}

/*
 * Arm the next step of @u's lap; a lap done, choose when the next starts.
 * Returns the regions looked at.
 */
static unsigned long knumad_hints_arm_one(struct knumad_ctx *ctx, struct knumad_unit *u,
					  unsigned long budget)
{
	struct knumad_mm_state *st = knumad_mm_state(u->mm);
	struct knumad_arm_range a = {
		.start = st->arm_addr,
		.end = TASK_SIZE_MAX,
		.window = st->arm_window ?: KNUMAD_HINT_WINDOW,
		/* Each window twice: a page's second fault tells who shares it. */
		.offset = (st->arm_lap / 2 * KNUMAD_HINT_WINDOW) % HPAGE_PMD_NR,
		.max_regions = budget,
	};
	unsigned long pages = knumad_sum(u->pages, nr_node_ids);
	bool settled;

	if (knumad_arm(knumad_mm_mm(u->mm), &a))
		return 0;
	atomic64_add(a.armed, &ctx->stats[KNUMAD_STAT_HINT_ARMED]);
	if (a.next) {
		st->arm_addr = a.next;
		return a.regions;
	}
	/* A lap done. Nothing changed, memory the same: sample less often. */
	settled = st->arm_lap && !st->arm_changes &&
		  pages - min(pages, st->arm_pages) <= st->arm_pages / 16 &&
		  st->arm_pages - min(st->arm_pages, pages) <= st->arm_pages / 16;
	st->arm_interval = settled ? min(2 * max(st->arm_interval, 1U),
					 (unsigned int)KNUMAD_HINT_MAX_INTERVAL) : 1;
	st->arm_wait = st->arm_interval - 1;
	/*
	 * The window changes only between pairs of laps: the second lap of a
	 * pair arms the pages of the first, whose second fault is what tells
	 * shared memory from private.
	 */
	if (st->arm_lap % 2)
		st->arm_window = settled ? KNUMAD_HINT_WINDOW_SETTLED : KNUMAD_HINT_WINDOW;
	st->arm_addr = 0;
	st->arm_lap++;
	st->arm_pages = pages;
	st->arm_changes = 0;
	return a.regions;
}

/**
 * knumad_hints_arm() - Act: arm the next sample of hinted processes.
 * @ctx: the context, after the assignment.
 *
 * A process is sampled while its busy threads do not fit one node
 * together, and while its threads form clusters. Its threads get rings
 * first. At most %KNUMAD_HINT_REGIONS_PER_PASS regions are armed per pass.
 * Context: the knumad thread; sleeps.
 */
void knumad_hints_arm(struct knumad_ctx *ctx)
{
	struct knumad_pass *pass = &ctx->pass;
	unsigned long budget = KNUMAD_HINT_REGIONS_PER_PASS;
	unsigned int i;

	for (i = 0; i < pass->nr_units && budget; i++) {
		struct knumad_unit *u = &pass->units[i];
		struct knumad_mm_state *st;

		if (u->kind != KNUMAD_UNIT_PROCESS)
			continue;
		st = knumad_mm_state(u->mm);
		if (!st->clusters && pass->out[i].reason != KNUMAD_REASON_SPREAD) {
			if (st->hinting)
				knumad_hints_each_thread(u, knumad_hints_forget_thread);
			st->hinting = false;
			continue;
		}
		if (!st->hinting) {
			st->hinting = true;
			st->arm_wait = 0;
			st->arm_window = 0;
			knumad_hints_each_thread(u, knumad_hint_prepare);
		}
		if (st->arm_wait) {
			st->arm_wait--;
			continue;
		}
		budget -= min(budget, knumad_hints_arm_one(ctx, u, budget));
		cond_resched();
	}
}

#ifdef CONFIG_DEBUG_FS
/*
 * /sys/kernel/debug/knumad/threads: one line per thread with hinting
 * records. Debugging aid, not ABI; the view is knumad's, read racily.
 */
static int knumad_threads_show(struct seq_file *m, void *unused)
{
	struct task_struct *g, *t;

	seq_puts(m, "# tid tgid alone cluster nid private priv_faults shared_faults recorded regions\n");
	rcu_read_lock();
	for_each_process_thread(g, t) {
		struct knumad_task *kt = READ_ONCE(t->knumad_task);
		struct knumad_hint_view *v;
		struct knumad_hints *h;

		/* Pairs with the release that publishes a new thread's ring. */
		h = kt ? smp_load_acquire(&kt->hints) : NULL;
		if (!h)
			continue;
		v = kt->view;
		/*
		 * The kthread updates the view meanwhile with plain aligned
		 * stores; a debug dump reads each field once and may mix passes.
		 */
		seq_printf(m, "%d %d %d %d %d %d %u %u %lu %u\n", t->pid, t->tgid,
			   READ_ONCE(v->alone), READ_ONCE(v->cluster), READ_ONCE(v->nid),
			   READ_ONCE(v->private), READ_ONCE(v->priv) / KNUMAD_HINT_SCALE,
			   READ_ONCE(v->shared) / KNUMAD_HINT_SCALE, READ_ONCE(h->faults),
			   READ_ONCE(v->nr_regions));
	}
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(knumad_threads);

/**
 * knumad_hints_debugfs() - Create /sys/kernel/debug/knumad/threads.
 * @dir: knumad's debugfs directory.
 */
void knumad_hints_debugfs(struct dentry *dir)
{
	debugfs_create_file("threads", 0400, dir, NULL, &knumad_threads_fops);
}
#endif
