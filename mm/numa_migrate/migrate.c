// SPDX-License-Identifier: GPL-2.0
/*
 * knumad's page migration: move a chunk of one process's anonymous memory
 * from one node to another, in the background.
 *
 * Runs in the knumad thread, never in the task's context: pages are
 * isolated under the page-table lock during a walk taken with
 * mmap_read_trylock(), then moved with migrate_pages(MIGRATE_ASYNC,
 * MR_KNUMAD). The destination is allocated without reclaim or compaction:
 * if the node is short of memory the page stays where it is. Shared pages,
 * KSM pages and VMAs whose memory policy binds them away from the
 * destination are left alone; PMD-mapped THPs move whole.
 *
 * The pairing of flows and the rate are decided by the caller
 * (kernel/knumad, registry.c); see Documentation/mm/knumad.rst.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/gfp.h>
#include <linux/knumad.h>
#include <linux/mempolicy.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pagewalk.h>
#include <linux/sched/task.h>
#include <linux/swap.h>

#include "../internal.h"
#include "internal.h"

struct numa_migrate_isolate {
	struct numa_migrate_chunk *c;
	struct list_head *folios;
};

/* A binding memory policy that excludes @nid forbids moving there. */
static bool numa_migrate_mpol_allows(struct mempolicy *pol, int nid)
{
	if (!pol)
		return true;
	if (pol->mode != MPOL_BIND && pol->mode != MPOL_PREFERRED_MANY)
		return true;
	return node_isset(nid, pol->nodes);
}

static int numa_migrate_test_chunk_vma(unsigned long start, unsigned long end,
				       struct mm_walk *walk)
{
	struct numa_migrate_isolate *iso = walk->private;

	if (numa_migrate_test_vma(start, end, walk))
		return 1;
	/* mbind(): never move memory out of what it binds. */
	return numa_migrate_mpol_allows(walk->vma->vm_policy, iso->c->dst) ? 0 : 1;
}

/* Take @folio off the LRU to move it, if it is ours to move. */
static bool numa_migrate_isolate_folio(struct mm_walk *walk, struct folio *folio,
				       unsigned long addr, pte_t *pte, pmd_t *pmd)
{
	struct numa_migrate_isolate *iso = walk->private;
	struct numa_migrate_chunk *c = iso->c;

	if (folio_nid(folio) != c->src || folio_test_ksm(folio) ||
	    folio_likely_mapped_shared(folio))
		return false;
	/* Fails if already isolated (another PTE of it), or off the LRU. */
	if (folio_isolate_lru(folio)) {
		list_add_tail(&folio->lru, iso->folios);
		node_stat_mod_folio(folio, NR_ISOLATED_ANON, folio_nr_pages(folio));
		c->isolated += folio_nr_pages(folio);
	}
	return c->isolated >= c->budget;
}

static int numa_migrate_isolate_pmd(pmd_t *pmd, unsigned long addr,
				    unsigned long end, struct mm_walk *walk)
{
	struct numa_migrate_isolate *iso = walk->private;

	end = numa_migrate_pmd_folios(pmd, addr, end, walk, numa_migrate_isolate_folio);
	if (iso->c->isolated >= iso->c->budget) {
		iso->c->next = end;
		return 1;
	}
	return 0;
}

static const struct mm_walk_ops numa_migrate_isolate_ops = {
	.pmd_entry	= numa_migrate_isolate_pmd,
	.test_walk	= numa_migrate_test_chunk_vma,
	.walk_lock	= PGWALK_RDLOCK,
};

/* The destination folio: on @private's node, without reclaim, quietly. */
static struct folio *numa_migrate_alloc_folio(struct folio *src,
					      unsigned long private)
{
	gfp_t gfp = (GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_THISNODE |
		    __GFP_NOWARN | __GFP_NOMEMALLOC | __GFP_NORETRY;

	return __folio_alloc(gfp, folio_order(src), (int)private, NULL);
}

/**
 * numa_migrate_chunk_mm() - Move up to a chunk of an mm's pages.
 * @mm: the mm; the caller holds a reference on its users (mmget).
 * @start: where to resume the walk (0 to start over).
 * @c: source, destination and size; the results.
 *
 * Takes mmap_lock for read with a trylock only, isolates the pages under
 * the page-table locks, drops mmap_lock, then migrates them. Pages that
 * could not move are put back where they were: nothing is lost.
 *
 * Return: 0, or -EBUSY if mmap_lock was contended (nothing done).
 */
int numa_migrate_chunk_mm(struct mm_struct *mm, unsigned long start,
			  struct numa_migrate_chunk *c)
{
	LIST_HEAD(folios);
	struct numa_migrate_isolate iso = { .c = c, .folios = &folios };
	unsigned int nr_succeeded = 0;
	unsigned long end;
	int err;

	c->isolated = 0;
	c->migrated = 0;
	c->next = 0;
	if (!mmap_read_trylock(mm))
		return -EBUSY;
	end = min(c->end, mm->task_size);
	if (start < end) {
		err = walk_page_range(mm, start, end, &numa_migrate_isolate_ops, &iso);
		if (err <= 0)
			c->next = 0;	/* reached the end (or failed) */
	}
	mmap_read_unlock(mm);

	if (list_empty(&folios))
		return 0;
	migrate_pages(&folios, numa_migrate_alloc_folio, NULL, c->dst,
		      MIGRATE_ASYNC, MR_KNUMAD, &nr_succeeded);
	if (!list_empty(&folios))
		putback_movable_pages(&folios);
	c->migrated = nr_succeeded;
	return 0;
}

/**
 * numa_migrate_headroom() - Free pages a node has above its high watermarks.
 * @nid: the node.
 *
 * Below the high watermark kswapd reclaims; knumad must not push a node
 * there, so only this much may flow into it unpaired.
 *
 * Return: free pages minus the high watermarks of its zones; may be < 0.
 */
long numa_migrate_headroom(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	long headroom = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (!populated_zone(zone))
			continue;
		headroom += zone_page_state(zone, NR_FREE_PAGES) - high_wmark_pages(zone);
	}
	return headroom;
}

/**
 * numa_migrate_policy_allows() - May @p's memory move to @nid?
 * @p: a thread of the process.
 * @nid: the destination.
 *
 * A task memory policy (set_mempolicy()) that binds the task's memory to
 * nodes without @nid forbids it; VMA policies are checked page by page.
 *
 * Return: false if the task's own policy excludes @nid.
 */
bool numa_migrate_policy_allows(struct task_struct *p, int nid)
{
	bool ok;

	task_lock(p);
	ok = numa_migrate_mpol_allows(p->mempolicy, nid);
	task_unlock(p);
	return ok;
}
