// SPDX-License-Identifier: GPL-2.0
/*
 * When knumad scans an mm again: a pure rule, so it can be unit-tested.
 *
 * A scan costs knumad CPU in proportion to the memory it walks, and that
 * CPU comes out of the same budget that pays for migration. Rescanning a
 * process whose memory and hot set stay where they were tells knumad
 * nothing new, so the interval between scans of an mm doubles after every
 * scan that found nothing changed, up to a maximum, and falls back to the
 * minimum as soon as one did. knumad's own migrations do not count as a
 * change: they are applied to the counts as they happen
 * (knumad_mm_moved()). This is upstream NUMA balancing's adaptive scan
 * period, driven by knumad's view instead of the task's faults.
 */
#include <linux/kernel.h>
#include <linux/knumad.h>
#include <linux/math.h>
#include <linux/minmax.h>

/* Fractions of a distribution are compared in 1/1024ths. */
#define KNUMAD_RESCAN_ONE	1024

/* Changed: more than 1/8 of the pages moved, or of the hot set shifted. */
#define KNUMAD_RESCAN_CHANGE	(KNUMAD_RESCAN_ONE / 8)

/* Half the L1 distance between two distributions, in 1/1024ths. */
static unsigned long knumad_shift(const unsigned long *a, unsigned long sum_a,
				  const unsigned long *b, unsigned long sum_b, int nr)
{
	unsigned long dist = 0;
	int i;

	for (i = 0; i < nr; i++) {
		unsigned long fa = mult_frac(a[i], KNUMAD_RESCAN_ONE, sum_a);
		unsigned long fb = mult_frac(b[i], KNUMAD_RESCAN_ONE, sum_b);

		dist += fa > fb ? fa - fb : fb - fa;
	}
	return dist / 2;
}

/**
 * knumad_rescan_interval() - How long to wait before scanning an mm again.
 * @interval_ms: the interval before the scan that just completed (0: none
 *	yet, the scan was the first).
 * @old_pages: per node, resident pages after the previous scan (and
 *	knumad's migrations since).
 * @old_hot: per node, of those, the hot ones.
 * @new_pages: per node, what the scan just completed found.
 * @new_hot: per node, of those, the hot ones.
 * @nr_nodes: entries in each array.
 * @min_hot: fewer hot pages than this are an idle process, whose hot set
 *	has no shape to compare.
 * @min_ms: the shortest interval.
 * @max_ms: the longest interval.
 *
 * The scan found a change if the resident memory grew, shrank or moved by
 * more than an eighth, or if more than an eighth of the hot set moved to
 * other nodes (compared as fractions: how many pages are hot depends on how
 * long the interval was), or if the process became busy or idle.
 *
 * Return: @min_ms after a first scan or a change, else twice @interval_ms,
 * at least @min_ms and at most @max_ms.
 */
unsigned int knumad_rescan_interval(unsigned int interval_ms,
				    const unsigned long *old_pages,
				    const unsigned long *old_hot,
				    const unsigned long *new_pages,
				    const unsigned long *new_hot, int nr_nodes,
				    unsigned long min_hot, unsigned int min_ms,
				    unsigned int max_ms)
{
	unsigned long old_sum = knumad_sum(old_pages, nr_nodes);
	unsigned long new_sum = knumad_sum(new_pages, nr_nodes);
	unsigned long old_hsum = knumad_sum(old_hot, nr_nodes);
	unsigned long new_hsum = knumad_sum(new_hot, nr_nodes);
	unsigned long big = max(old_sum, new_sum), moved = 0;
	bool old_busy = old_hsum >= max(min_hot, 1UL);
	bool new_busy = new_hsum >= max(min_hot, 1UL);
	int i;

	max_ms = max(max_ms, min_ms);
	if (!interval_ms)
		return min_ms;
	for (i = 0; i < nr_nodes; i++)
		moved += old_pages[i] > new_pages[i] ? old_pages[i] - new_pages[i] :
						       new_pages[i] - old_pages[i];
	/* Whole pages: compare moved / big with 1/8 without a division. */
	if (moved > big / (KNUMAD_RESCAN_ONE / KNUMAD_RESCAN_CHANGE))
		return min_ms;
	if (old_busy != new_busy)
		return min_ms;
	if (new_busy &&
	    knumad_shift(old_hot, old_hsum, new_hot, new_hsum, nr_nodes) > KNUMAD_RESCAN_CHANGE)
		return min_ms;
	return clamp(2 * interval_ms, min_ms, max_ms);
}
