/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm/numa_migrate: knumad's memory half. Private declarations.
 */
#ifndef _MM_NUMA_MIGRATE_INTERNAL_H
#define _MM_NUMA_MIGRATE_INTERNAL_H

#include <linux/pgtable.h>
#include <linux/types.h>

struct mm_struct;
struct mm_walk;

/**
 * struct numa_migrate_walk - One stretch of an mm's page-table scan.
 * @pages: per node: anonymous pages found present (nr_node_ids entries).
 * @hot: per node: of those, pages whose accessed bit was set (now cleared);
 *	NULL to count only and leave the accessed bits alone.
 * @budget: stop after the PMD during which this many pages were seen.
 * @scanned: out: pages looked at.
 * @next: out: where the next stretch starts; 0 when the scan reached the
 *	end of the address space.
 */
struct numa_migrate_walk {
	unsigned long *pages;
	unsigned long *hot;
	unsigned long budget;
	unsigned long scanned;
	unsigned long next;
};

/**
 * struct numa_migrate_chunk - One chunk of one process's migration.
 * @src: take pages from this node...
 * @dst: ...to this one.
 * @end: end of the walk (the end of the address space for a whole mm).
 * @budget: at most this many pages (THPs count whole).
 * @isolated: out: pages taken off the LRU to move.
 * @migrated: out: of those, pages that moved.
 * @next: out: where the next chunk starts; 0 when the walk reached the end
 *	of the address space.
 */
struct numa_migrate_chunk {
	int src;
	int dst;
	unsigned long end;
	unsigned long budget;
	unsigned long isolated;
	unsigned long migrated;
	unsigned long next;
};

struct folio;
struct vm_area_struct;

/*
 * A per-folio action of numa_migrate_pmd_folios(): @pte, or @pmd for a
 * PMD-mapped THP, maps @folio at @addr. Returns true to stop the walk.
 */
typedef bool (*numa_migrate_folio_fn)(struct mm_walk *walk, struct folio *folio,
				      unsigned long addr, pte_t *pte, pmd_t *pmd);

unsigned long numa_migrate_pmd_folios(pmd_t *pmd, unsigned long addr,
				      unsigned long end, struct mm_walk *walk,
				      numa_migrate_folio_fn fn);

int numa_migrate_walk_mm(struct mm_struct *mm, unsigned long start,
			 unsigned long end, struct numa_migrate_walk *w);
int numa_migrate_test_vma(unsigned long start, unsigned long end,
			  struct mm_walk *walk);
int numa_migrate_chunk_mm(struct mm_struct *mm, unsigned long start,
			  struct numa_migrate_chunk *c);

#endif /* _MM_NUMA_MIGRATE_INTERNAL_H */
