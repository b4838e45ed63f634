/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm/numa_migrate: knumad's memory half. Private declarations.
 */
#ifndef _MM_NUMA_MIGRATE_INTERNAL_H
#define _MM_NUMA_MIGRATE_INTERNAL_H

#include <linux/pgtable.h>
#include <linux/types.h>

struct folio;
struct mm_struct;
struct mm_walk;

/**
 * struct knumad_walk - One stretch of an mm's page-table scan.
 * @pages: per node: anonymous pages found present (nr_node_ids entries).
 * @hot: per node: of those, pages whose accessed bit was set (now cleared);
 *	NULL to count only and leave the accessed bits alone.
 * @budget: stop after the PMD during which this much address space (in
 *	base pages) was walked.
 * @scanned: out: present pages looked at.
 * @walked: out: pages of address space walked (present or not).
 * @next: out: where the next stretch starts; 0 when the walk reached the
 *	end of the range.
 */
struct knumad_walk {
	unsigned long *pages;
	unsigned long *hot;
	unsigned long budget;
	unsigned long scanned;
	unsigned long walked;
	unsigned long next;
};

/*
 * A per-folio action of knumad_pmd_folios(): @pte, or @pmd for a
 * PMD-mapped THP, maps @folio at @addr. Returns true to stop the walk.
 */
typedef bool (*knumad_folio_fn)(struct mm_walk *walk, struct folio *folio,
				unsigned long addr, pte_t *pte, pmd_t *pmd);

unsigned long knumad_pmd_folios(pmd_t *pmd, unsigned long addr, unsigned long end,
				struct mm_walk *walk, knumad_folio_fn fn);
int knumad_walk_mm(struct mm_struct *mm, unsigned long start, unsigned long end,
		   struct knumad_walk *w);
int knumad_test_vma(unsigned long start, unsigned long end, struct mm_walk *walk);
bool knumad_mmap_trylock(struct mm_struct *mm);

#endif /* _MM_NUMA_MIGRATE_INTERNAL_H */
