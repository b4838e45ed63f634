// SPDX-License-Identifier: GPL-2.0
/*
 * knumad's page migration: move a stretch of one process's anonymous memory
 * from one node to another, in the background.
 *
 * Runs in the knumad thread, never in the task's context: pages are
 * isolated under the page-table lock during a walk taken with
 * mmap_read_trylock(), then moved with migrate_pages(MIGRATE_ASYNC,
 * MR_KNUMAD). The destination is allocated without reclaim or compaction:
 * if the node is short of memory the page stays where it is.
 *
 * Placement the user chose is never undone: only memory under the default
 * memory policy, or under one that opted into NUMA balancing
 * (MPOL_F_NUMA_BALANCING), moves, and then only within its nodes. Shared,
 * KSM, long-term pinned (FOLL_LONGTERM: VFIO, io_uring buffers) and
 * mlocked pages are left alone before any page table is touched. PMD-mapped
 * THPs move whole.
 *
 * What moves, from where to where and how much is the caller's decision
 * (kernel/knumad); see Documentation/mm/knumad.rst.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/gfp.h>
#include <linux/knumad.h>
#include <linux/mempolicy.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/mmzone.h>
#include <linux/pagewalk.h>
#include <linux/sched/task.h>
#include <linux/swap.h>

#include "../internal.h"
#include "internal.h"

struct knumad_isolate {
	struct knumad_migrate_range *r;
	struct list_head *folios;
};

/*
 * Would @pol, a VMA's or a thread's memory policy, let knumad move memory
 * to @nid? Only memory the user left to the kernel moves: the default or
 * local policy, or a policy that opted into NUMA balancing (MPOL_F_MOF, as
 * MPOL_F_NUMA_BALANCING gives), and then only within its nodes.
 */
static bool knumad_mpol_movable(struct mempolicy *pol, int nid)
{
	if (!pol || pol->mode == MPOL_DEFAULT || pol->mode == MPOL_LOCAL)
		return true;
	if (!(pol->flags & MPOL_F_MOF))
		return false;
	if (pol->mode == MPOL_BIND || pol->mode == MPOL_PREFERRED_MANY)
		return node_isset(nid, pol->nodes);
	return true;
}

/**
 * knumad_task_policy_nodes() - Where may a thread's task memory policy let
 * knumad move memory?
 * @p: the thread.
 * @nodes: in: nodes allowed so far; out: of those, the ones @p's task
 *	policy allows.
 *
 * A task policy governs the memory that thread allocates in VMAs without a
 * policy of their own; knumad cannot tell which thread allocated a page,
 * so every thread's policy must allow a move.
 */
void knumad_task_policy_nodes(struct task_struct *p, nodemask_t *nodes)
{
	int nid;

	task_lock(p);
	for_each_node_mask(nid, *nodes) {
		if (!knumad_mpol_movable(p->mempolicy, nid))
			node_clear(nid, *nodes);
	}
	task_unlock(p);
}

static int knumad_test_chunk_vma(unsigned long start, unsigned long end,
				 struct mm_walk *walk)
{
	struct knumad_isolate *iso = walk->private;
	struct vm_area_struct *vma = walk->vma;

	if (knumad_test_vma(start, end, walk) || (vma->vm_flags & VM_LOCKED))
		return 1;
	/* A VMA policy (mbind) decides for its VMA; else the task policies. */
	if (vma->vm_policy)
		return knumad_mpol_movable(vma->vm_policy, iso->r->dst) ? 0 : 1;
	return iso->r->task_policy_ok ? 0 : 1;
}

/* Take @folio off the LRU to move it, if it is ours to move. */
static bool knumad_isolate_folio(struct mm_walk *walk, struct folio *folio,
				 unsigned long addr, pte_t *pte, pmd_t *pmd)
{
	struct knumad_isolate *iso = walk->private;
	struct knumad_migrate_range *r = iso->r;

	if (folio_nid(folio) != r->src || folio_test_ksm(folio) ||
	    folio_test_unevictable(folio) || folio_maybe_dma_pinned(folio) ||
	    folio_likely_mapped_shared(folio))
		return false;
	if (r->young_only && !(pte ? pte_young(ptep_get(pte)) : pmd_young(pmdp_get(pmd))))
		return false;
	/* Fails if already isolated (another PTE of it), or off the LRU. */
	if (folio_isolate_lru(folio)) {
		list_add_tail(&folio->lru, iso->folios);
		/* As putback and migration uncharge it (lazyfree: file LRU). */
		node_stat_mod_folio(folio, NR_ISOLATED_ANON + folio_is_file_lru(folio),
				    folio_nr_pages(folio));
		r->isolated += folio_nr_pages(folio);
	}
	return r->isolated >= r->budget;
}

static int knumad_isolate_pmd(pmd_t *pmd, unsigned long addr, unsigned long end,
			      struct mm_walk *walk)
{
	struct knumad_isolate *iso = walk->private;

	end = knumad_pmd_folios(pmd, addr, end, walk, knumad_isolate_folio);
	if (iso->r->isolated >= iso->r->budget) {
		iso->r->next = end;
		return 1;
	}
	return 0;
}

static const struct mm_walk_ops knumad_isolate_ops = {
	.pmd_entry	= knumad_isolate_pmd,
	.test_walk	= knumad_test_chunk_vma,
	.walk_lock	= PGWALK_RDLOCK,
};

/* The destination folio: on @private's node, without reclaim, quietly. */
static struct folio *knumad_alloc_folio(struct folio *src, unsigned long private)
{
	gfp_t gfp = (GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_THISNODE |
		    __GFP_NOWARN | __GFP_NOMEMALLOC | __GFP_NORETRY;

	return __folio_alloc(gfp, folio_order(src), (int)private, NULL);
}

/**
 * knumad_migrate() - Move up to a chunk of a range's pages between nodes.
 * @mm: the mm, held by mmgrab() at least.
 * @r: the range, nodes and size; the results.
 *
 * Takes mmap_lock for read with a trylock only, isolates the pages under
 * the page-table locks, drops mmap_lock, then migrates them. Pages that
 * could not move are put back where they were: nothing is lost.
 *
 * Context: the knumad thread; sleeps.
 * Return: 0, or -EBUSY if mmap_lock was contended or the mm is exiting
 * (nothing done).
 */
int knumad_migrate(struct mm_struct *mm, struct knumad_migrate_range *r)
{
	LIST_HEAD(folios);
	struct knumad_isolate iso = { .r = r, .folios = &folios };
	unsigned int nr_succeeded = 0;
	unsigned long end;
	int err;

	r->isolated = 0;
	r->migrated = 0;
	r->next = 0;
	if (!knumad_mmap_trylock(mm))
		return -EBUSY;
	end = min(r->end, mm->task_size);
	if (r->start < end) {
		err = walk_page_range(mm, r->start, end, &knumad_isolate_ops, &iso);
		if (err <= 0)
			r->next = 0;	/* reached the end (or failed) */
	}
	mmap_read_unlock(mm);

	if (list_empty(&folios))
		return 0;
	migrate_pages(&folios, knumad_alloc_folio, NULL, r->dst, MIGRATE_ASYNC,
		      MR_KNUMAD, &nr_succeeded);
	if (!list_empty(&folios))
		putback_movable_pages(&folios);
	r->migrated = nr_succeeded;
	return 0;
}

/**
 * knumad_node_headroom() - Free pages a node has for knumad's migrations.
 * @nid: the node.
 *
 * Below the high watermark kswapd reclaims; knumad must not push a node
 * there. A movable allocation also cannot use the part of a lower zone
 * (DMA32) held back for allocations that need it (lowmem_reserve).
 *
 * Return: per zone a movable allocation may use, the free pages above its
 * high watermark and its reserve, summed (0 if none).
 */
long knumad_node_headroom(int nid)
{
	enum zone_type highest = gfp_zone(GFP_HIGHUSER_MOVABLE);
	pg_data_t *pgdat = NODE_DATA(nid);
	long headroom = 0;
	int z;

	for (z = 0; z <= highest; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		long room;

		if (!populated_zone(zone))
			continue;
		room = zone_page_state(zone, NR_FREE_PAGES) - high_wmark_pages(zone) -
		       zone->lowmem_reserve[highest];
		if (room > 0)
			headroom += room;
	}
	return headroom;
}
