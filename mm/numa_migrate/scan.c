// SPDX-License-Identifier: GPL-2.0
/*
 * knumad's page-table scan: where an mm's anonymous memory lives, and which
 * of it is hot.
 *
 * Walks the anonymous, migratable VMAs of an mm and counts, per node, the
 * present anonymous pages and those whose accessed bit was set, clearing
 * the bit so the next scan sees only new accesses. Nothing is stored per
 * page: the accessed bit the hardware keeps is the only state. knumad is a
 * polite reader of that bit, as DAMON and idle page tracking are: a bit it
 * clears is handed on through the folio's young flag (for reclaim) and by
 * clearing its idle flag (for idle page tracking and DAMON), so aging sees
 * every access. PMD-mapped THPs count as whole folios in one step.
 *
 * See Documentation/mm/knumad.rst.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/hugetlb.h>
#include <linux/knumad.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/page_idle.h>
#include <linux/pagewalk.h>

#include "internal.h"

/**
 * knumad_mmap_trylock() - Take a tracked mm's mmap_lock for read, if free
 * and the mm is still in use.
 * @mm: the mm, held by mmgrab() only.
 *
 * knumad holds mms by mmgrab() (as khugepaged does), never by their users,
 * so the last mmput() never runs in its thread; once the users are gone
 * the mm is being torn down and knumad leaves it alone.
 *
 * Return: true with mmap_lock held for read.
 */
bool knumad_mmap_trylock(struct mm_struct *mm)
{
	if (!mmap_read_trylock(mm))
		return false;
	if (!atomic_read(&mm->mm_users)) {
		mmap_read_unlock(mm);
		return false;
	}
	return true;
}

/**
 * knumad_pmd_folios() - Call @fn on each anonymous folio a PMD maps.
 * @pmd: the PMD, as given to a pmd_entry callback.
 * @addr: start of the range.
 * @end: end of the range.
 * @walk: the walk.
 * @fn: called under the page-table lock with a present, normal anonymous
 *	folio, its address, and its PTE (NULL for a PMD-mapped THP, whose
 *	mapping is then @pmd); returns true to stop after this folio.
 *
 * The one page-table iterator of knumad, shared by the scan and the
 * migration walks. A range whose PMD maps no PTE page right now (a THP under
 * migration, a collapse in progress) is skipped: a later pass sees it.
 *
 * Return: where to resume: @end once the whole range was seen, else the
 * address after the folio @fn stopped at.
 */
unsigned long knumad_pmd_folios(pmd_t *pmd, unsigned long addr, unsigned long end,
				struct mm_walk *walk, knumad_folio_fn fn)
{
	pte_t *start_pte, *pte;
	struct folio *folio;
	spinlock_t *ptl;	/* the PMD's, or the PTE page's, lock */
	pmd_t pmde;

	/* A THP, or a PMD migration entry (a THP on its way): not PTEs. */
	pmde = pmdp_get_lockless(pmd);
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) &&
	    (pmd_trans_huge(pmde) || is_swap_pmd(pmde))) {
		ptl = pmd_lock(walk->mm, pmd);
		pmde = pmdp_get(pmd);
		if (pmd_trans_huge(pmde) || is_swap_pmd(pmde)) {
			folio = pmd_present(pmde) ?
				vm_normal_folio_pmd(walk->vma, addr, pmde) : NULL;
			if (folio && folio_test_anon(folio))
				fn(walk, folio, addr, NULL, pmd);
			spin_unlock(ptl);
			return end;
		}
		/* Split meanwhile: walk its PTEs. */
		spin_unlock(ptl);
	}

	/*
	 * No PTE page (gone, or a THP is being collapsed or migrated): skip
	 * the range. Waiting for it with ACTION_AGAIN could spin for as long
	 * as the migration takes, and on a non-preemptible kernel keep the
	 * migrating task, or a stop_machine(), off this CPU for ever.
	 */
	start_pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!start_pte)
		return end;
	for (pte = start_pte; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);

		if (!pte_present(ptent))
			continue;
		folio = vm_normal_folio(walk->vma, addr, ptent);
		if (!folio || folio_is_zone_device(folio) || !folio_test_anon(folio))
			continue;
		if (fn(walk, folio, addr, pte, NULL)) {
			addr += PAGE_SIZE;
			break;
		}
	}
	pte_unmap_unlock(start_pte, ptl);
	return addr;
}

/*
 * Count a folio on its node; hot if its accessed bit was set, which is
 * cleared so the next scan sees only new accesses, and handed on.
 */
static bool knumad_count_folio(struct mm_walk *walk, struct folio *folio,
			       unsigned long addr, pte_t *pte, pmd_t *pmd)
{
	struct knumad_walk *w = walk->private;
	unsigned long nr = pte ? 1 : folio_nr_pages(folio);
	int nid = folio_nid(folio);
	bool young = false;

	/* Without @hot, only count: the accessed bits are the scan's. */
	if (w->hot)
		young = pte ? ptep_clear_young_notify(walk->vma, addr, pte) :
			      pmdp_clear_young_notify(walk->vma, addr, pmd);
	w->pages[nid] += nr;
	if (young) {
		w->hot[nid] += nr;
		/* What idle page tracking does when it clears the bit. */
		folio_clear_idle(folio);
		folio_set_young(folio);
	}
	w->scanned += nr;
	return false;
}

/**
 * knumad_test_vma() - mm_walk test_walk: is this VMA knumad's?
 * @start: start of the range (unused).
 * @end: end of the range (unused).
 * @walk: the walk; its vma is tested.
 *
 * Only private anonymous memory that may be migrated is knumad's business:
 * not file or shared memory, not hugetlbfs, not PFN or mixed maps.
 *
 * Return: 0 to walk the VMA, 1 to skip it.
 */
int knumad_test_vma(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	struct vm_area_struct *vma = walk->vma;

	if (!vma->anon_vma || !vma_migratable(vma) || !vma_is_accessible(vma) ||
	    is_vm_hugetlb_page(vma) || (vma->vm_flags & (VM_SHARED | VM_MIXEDMAP)))
		return 1;
	return 0;
}

static int knumad_walk_pmd(pmd_t *pmd, unsigned long addr, unsigned long end,
			   struct mm_walk *walk)
{
	struct knumad_walk *w = walk->private;

	w->walked += (end - addr) >> PAGE_SHIFT;
	end = knumad_pmd_folios(pmd, addr, end, walk, knumad_count_folio);
	/* Whole PMDs only, so a stretch never splits one. */
	if (w->walked >= w->budget) {
		w->next = end;
		return 1;
	}
	return 0;
}

static const struct mm_walk_ops knumad_walk_ops = {
	.pmd_entry	= knumad_walk_pmd,
	.test_walk	= knumad_test_vma,
	.walk_lock	= PGWALK_RDLOCK,
};

/**
 * knumad_walk_mm() - Scan one stretch of an mm's anonymous memory.
 * @mm: the mm; its mmap_lock must be held for read.
 * @start: where to start (0 for a new scan).
 * @end: where to stop (the end of the address space for a whole mm).
 * @w: counters to add to, the budget, and the results.
 *
 * Return: 0 or a negative errno from the page walker; @w->next tells
 * whether the stretch reached @end (0) or where to go on.
 */
int knumad_walk_mm(struct mm_struct *mm, unsigned long start, unsigned long end,
		   struct knumad_walk *w)
{
	int err;

	mmap_assert_locked(mm);
	w->scanned = 0;
	w->walked = 0;
	w->next = 0;
	end = min(end, mm->task_size);
	if (start >= end)
		return 0;
	err = walk_page_range(mm, start, end, &knumad_walk_ops, w);
	if (err > 0)	/* stopped on budget, w->next set */
		return 0;
	w->next = 0;
	return err;
}

/**
 * knumad_count_range() - Count where a range's anonymous pages are.
 * @mm: the mm, held by mmgrab() at least.
 * @start: where to start or resume.
 * @end: end of the range.
 * @pages: per node: pages found present are added here.
 * @budget: stop after the PMD during which this much address space (base
 *	pages) was walked.
 * @next: out: where to resume; 0 once the range was seen to its end.
 *
 * Only counts: unlike the per-process scan, it leaves the accessed bits
 * alone (they belong to that scan). Takes mmap_lock by trylock only.
 *
 * Return: pages of address space walked, or -EBUSY if mmap_lock was
 * contended or the mm is exiting.
 */
long knumad_count_range(struct mm_struct *mm, unsigned long start, unsigned long end,
			unsigned long *pages, unsigned long budget, unsigned long *next)
{
	struct knumad_walk w = { .pages = pages, .budget = budget };

	if (!knumad_mmap_trylock(mm))
		return -EBUSY;
	knumad_walk_mm(mm, start, end, &w);
	mmap_read_unlock(mm);
	*next = w.next;
	return w.walked;
}
