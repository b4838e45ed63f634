// SPDX-License-Identifier: GPL-2.0
/*
 * knumad's NUMA hinting: arming a sample of a process's memory from the
 * knumad thread, and recording the faults it causes in the faulting
 * thread's own small ring.
 *
 * Accessed bits say which memory is hot, never which thread touched it.
 * To place threads that work on different memory, knumad makes a small,
 * sampled part of a process's anonymous memory fault on its next access
 * (PROT_NONE, as NUMA balancing does, through change_protection() with
 * MM_CP_KNUMAD): a window of a few pages per 2 MiB region, at a rotating
 * offset, a PMD-mapped THP whole. The fault (mm/memory.c) only restores the
 * mapping and records who touched what; it never migrates, so the task
 * never waits in migrate_pages(). knumad reads the records in its next
 * pass and moves memory in the background (kernel/knumad/hints.c).
 *
 * A record is (2 MiB region, node of the page, who touched the page at its
 * previous hinting fault: this thread, nobody, or another task's pid bits,
 * from the folio's last_cpupid). Consecutive faults with the same
 * record fold into one, so a thread sweeping its memory fills few records.
 * The ring is written only by its thread, and read by the knumad thread;
 * a record is published with a release on the head, and the reader drops
 * what may have been overwritten while it read.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/hugetlb.h>
#include <linux/knumad.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/vmstat.h>
#include <asm/tlb.h>

#include "../internal.h"
#include "internal.h"

/**
 * __knumad_hint_fault() - Record a hinting fault in the current thread's
 * ring.
 * @addr: the faulting address.
 * @last_cpupid: the folio's last_cpupid before this fault.
 * @nid: the folio's node.
 * @flags: the fault's TNF_* flags.
 *
 * Context: the faulting task, no locks held, may not sleep long: nothing
 * is allocated; a thread without a ring (knumad samples nothing of its
 * process) records nothing.
 */
void __knumad_hint_fault(unsigned long addr, int last_cpupid, int nid, int flags)
{
	struct knumad_task *kt = READ_ONCE(current->knumad_task);
	struct knumad_hint_record *r;
	struct knumad_hints *h;
	unsigned long region = addr >> PMD_SHIFT;
	unsigned int head;
	int with = KNUMAD_HINT_PRIVATE;

	count_vm_event(KNUMAD_HINT_FAULT);
	/* Pairs with the release that publishes the ring: it is set up. */
	h = kt ? smp_load_acquire(&kt->hints) : NULL;
	if (!h)
		return;
	/*
	 * Nobody took a hinting fault on the page before: says nothing about
	 * sharing. This thread again: private. Another task: shared with it.
	 */
	if (cpupid_pid_unset(last_cpupid))
		with = KNUMAD_HINT_FIRST;
	else if (!cpupid_match_pid(current, last_cpupid))
		with = cpupid_to_pid(last_cpupid);
	WRITE_ONCE(h->faults, h->faults + 1);

	head = h->head;
	if (head) {
		r = &h->rec[(head - 1) % KNUMAD_HINT_RECORDS];
		if (r->region == region && r->nid == nid && r->with == with) {
			WRITE_ONCE(r->faults, r->faults + 1);
			return;
		}
	}
	r = &h->rec[head % KNUMAD_HINT_RECORDS];
	WRITE_ONCE(r->region, region);
	WRITE_ONCE(r->nid, nid);
	WRITE_ONCE(r->with, with);
	WRITE_ONCE(r->faults, 1);
	/* Publish the record: pairs with the acquire in knumad_hint_read(). */
	smp_store_release(&h->head, head + 1);
}

/* Is @vma memory knumad samples? Private anonymous, migratable, not locked. */
static bool knumad_vma_armable(struct vm_area_struct *vma)
{
	return vma->anon_vma && vma_migratable(vma) && vma_is_accessible(vma) &&
	       !is_vm_hugetlb_page(vma) &&
	       !(vma->vm_flags & (VM_SHARED | VM_MIXEDMAP | VM_LOCKED));
}

/* Does a THP map the region at @addr? (A window inside it would split it.) */
static bool knumad_region_is_thp(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		return false;
	pmd = mm_find_pmd(mm, addr);
	return pmd && pmd_trans_huge(pmdp_get_lockless(pmd));
}

/**
 * knumad_arm() - Make a sample of a range fault on its next access.
 * @mm: the mm, held by mmgrab() at least.
 * @a: the range, window and bounds; the results.
 *
 * In each 2 MiB region of the anonymous VMAs in the range, the window of
 * @a->window pages at @a->offset (a PMD-mapped THP: the whole of it) gets
 * PROT_NONE entries, as NUMA balancing's scan gives; the next access to
 * one of them is a hinting fault, recorded for knumad. Takes mmap_lock for
 * read by trylock only.
 *
 * Context: the knumad thread; sleeps.
 * Return: 0, or -EBUSY if mmap_lock was contended or the mm is exiting.
 */
int knumad_arm(struct mm_struct *mm, struct knumad_arm_range *a)
{
	VMA_ITERATOR(vmi, mm, a->start);
	struct vm_area_struct *vma;
	unsigned long addr = a->start;
	struct mmu_gather tlb;
	long nr;

	a->regions = 0;
	a->armed = 0;
	a->next = 0;
	if (!knumad_mmap_trylock(mm))
		return -EBUSY;
	/* One TLB flush for all windows, at the end (as NUMA balancing's scan). */
	tlb_gather_mmu(&tlb, mm);
	for_each_vma_range(vmi, vma, a->end) {
		if (!knumad_vma_armable(vma))
			continue;
		for (addr = max(addr, vma->vm_start); addr < min(vma->vm_end, a->end);
		     addr = ALIGN_DOWN(addr, PMD_SIZE) + PMD_SIZE) {
			unsigned long region = ALIGN_DOWN(addr, PMD_SIZE), s, e;

			if (a->regions == a->max_regions) {
				a->next = addr;
				goto out;
			}
			a->regions++;
			if (knumad_region_is_thp(mm, region)) {
				s = region;
				e = region + PMD_SIZE;
			} else {
				s = region + (unsigned long)a->offset * PAGE_SIZE;
				e = s + (unsigned long)a->window * PAGE_SIZE;
			}
			s = max3(s, vma->vm_start, a->start);
			e = min3(e, vma->vm_end, a->end);
			if (s >= e)
				continue;
			nr = change_protection(&tlb, vma, s, e, MM_CP_PROT_NUMA | MM_CP_KNUMAD);
			if (nr > 0)
				a->armed += nr;
		}
	}
out:
	tlb_finish_mmu(&tlb);
	mmap_read_unlock(mm);
	count_vm_events(KNUMAD_HINT_ARMED, a->armed);
	return 0;
}
