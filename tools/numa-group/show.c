// SPDX-License-Identifier: GPL-2.0
/*
 * numa-group show: the table of a process's groups.
 *
 *   pid 1233 (qemu-system-x86): 1 numa group
 *      FD  NODE  TASKS  RANGES       BYTES   PLACEABLE  NODE-CHANGES   MIGRATED  RESIDENT PAGES PER NODE
 *       5     1      2       1   128.0 MiB   128.0 MiB             1      16384  0:12 1:32756
 *   fd 5:
 *     threads: 1234 1235
 *     range:   pid 1233 7f0000000000-7f0008000000 (128.0 MiB)
 */
#include <stdio.h>
#include <string.h>

#include "show.h"
#include "util.h"

static void print_tasks(FILE *f, const struct ng_info *g)
{
	static const char head[] = "  threads:";
	size_t col = sizeof(head) - 1;
	unsigned int k;

	fputs(head, f);
	if (!g->tasks_listed)
		fputs(" none", f);
	for (k = 0; k < g->tasks_listed; k++) {
		char tid[16];
		int w = snprintf(tid, sizeof(tid), " %d", (int)g->tasks[k]);

		if (col + w > 78) {
			fprintf(f, "\n%*s", (int)sizeof(head) - 1, "");
			col = sizeof(head) - 1;
		}
		fputs(tid, f);
		col += w;
	}
	fputc('\n', f);
}

void print_groups(FILE *f, pid_t pid, const char *comm,
		  const struct ng_info *infos, size_t nr)
{
	size_t i;

	fprintf(f, "pid %d (%s): %zu numa group%s\n", (int)pid,
		comm ? comm : "?", nr, nr == 1 ? "" : "s");
	if (!nr)
		return;
	fprintf(f, "%5s %5s %6s %7s %11s %11s %13s %10s  %s\n", "FD", "NODE",
		"TASKS", "RANGES", "BYTES", "PLACEABLE", "NODE-CHANGES",
		"MIGRATED", "RESIDENT PAGES PER NODE");
	for (i = 0; i < nr; i++) {
		const struct ng_info *g = &infos[i];
		char node[16], bytes[32], placeable[32];
		unsigned int k;

		if (g->node < 0)
			snprintf(node, sizeof(node), "-");
		else
			snprintf(node, sizeof(node), "%d", g->node);
		/* "-": not reported (a kernel before ABI version 1). */
		if (g->have & NG_HAVE_PLACEABLE)
			fmt_bytes(placeable, sizeof(placeable),
				  g->placeable_bytes);
		else
			snprintf(placeable, sizeof(placeable), "-");
		fprintf(f, "%5d %5s %6u %7u %11s %11s %13llu %10llu ", g->fd,
			node, g->nr_tasks, g->nr_ranges,
			fmt_bytes(bytes, sizeof(bytes), g->bytes), placeable,
			g->node_changes, g->pages_migrated);
		/* "-": not shown to us (another user's memory) or none. */
		if (!g->nr_nodes)
			fputs(" -", f);
		for (k = 0; k < g->nr_nodes; k++)
			fprintf(f, " %u:%lu", k, g->pages[k]);
		fputc('\n', f);
	}
	for (i = 0; i < nr; i++) {
		const struct ng_info *g = &infos[i];
		unsigned int k;

		fprintf(f, "fd %d:\n", g->fd);
		print_tasks(f, g);
		if ((g->have & NG_HAVE_PLACEABLE) &&
		    g->placeable_bytes < g->bytes) {
			char size[32];

			fprintf(f, "  note:    %s of its memory is shared, "
				"file-backed or hugetlb: knumad does not move "
				"it\n", fmt_bytes(size, sizeof(size),
						  g->bytes - g->placeable_bytes));
		}
		if (!(g->have & NG_HAVE_PAGES) && g->nr_ranges)
			fputs("  note:    resident pages per node not shown: "
			      "the group holds memory of a process you may "
			      "not read\n", f);
		if (!g->ranges_listed)
			fputs("  ranges:  none\n", f);
		for (k = 0; k < g->ranges_listed; k++) {
			const struct ng_range *r = &g->ranges[k];
			char size[32];

			fprintf(f, "  range:   pid %d %lx-%lx (%s)\n",
				(int)r->pid, r->start, r->end,
				fmt_bytes(size, sizeof(size),
					  r->end - r->start));
		}
	}
}
