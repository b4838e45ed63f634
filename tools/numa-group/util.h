/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa-group helpers without system calls of their own (parsing of
 * /proc/PID/maps and of numbers, sets of address ranges), so that the
 * unit tests can run them on canned text.
 */
#ifndef _NG_UTIL_H
#define _NG_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "numagroup-internal.h"	/* ng__read_text_file() */

/* A set of address ranges [start, end). */
struct span {
	unsigned long start;
	unsigned long end;
};

struct spans {
	struct span *v;
	size_t n;
	size_t cap;
};

int spans_add(struct spans *s, unsigned long start, unsigned long end);
void spans_free(struct spans *s);
/* Sort and merge overlapping and adjacent ranges. */
void spans_normalize(struct spans *s);
/* @out = @a minus @b; @a and @b normalized; @out is emptied first. */
int spans_subtract(const struct spans *a, const struct spans *b,
		   struct spans *out);
/* Whether [start, end) is wholly inside the normalized set @s. */
int spans_cover(const struct spans *s, unsigned long start,
		unsigned long end);

/* One line of /proc/PID/maps. */
struct map_ent {
	unsigned long start;
	unsigned long end;
	char perms[5];
	unsigned long long offset;
	unsigned long inode;
	char name[256];		/* pathname or [special]; may be cut */
};

/* Parse one line of /proc/PID/maps (without or with its newline). */
int parse_maps_line(const char *line, struct map_ent *m);

/*
 * Whether the mapping is private anonymous memory: no file, not shared,
 * and not a special mapping such as [vdso] ([heap], [stack] and named
 * anonymous memory, [anon:...], are anonymous).
 */
int map_is_private_anon(const struct map_ent *m);

/*
 * maps_anon_runs - the runs of private anonymous memory in the text of a
 * /proc/PID/maps file: adjacent private anonymous mappings are joined (so
 * a stack and its guard page are one run), and runs with no writable part
 * are left out. @out is emptied first. Returns 0, -1 on a malformed line.
 */
int maps_anon_runs(const char *text, struct spans *out);

/*
 * maps_find - the mappings of the text of /proc/PID/maps that overlap
 * [start, end): whether they cover it without a hole (*@contiguous), and
 * how many of them are shared, file-backed or hugetlb (*@not_anon). Returns
 * the number of overlapping mappings, -1 on a malformed line.
 */
int maps_find(const char *text, unsigned long start, unsigned long end,
	      int *contiguous, int *not_anon);

/*
 * Numbers. parse_ulong() takes decimal, 0x hex or 0 octal; parse_size()
 * also takes the suffixes K, M, G, T (powers of 1024, optional "iB" / "B").
 * Both return 0 or -1 (garbage, overflow).
 */
int parse_ulong(const char *s, unsigned long long *v);
int parse_size(const char *s, unsigned long long *v);
int parse_int(const char *s, int min, int max, int *v);

/*
 * parse_cpulist - a list such as "0-3,5" (the format of
 * /sys/devices/system/node/online) into a malloc'ed sorted array. Returns
 * the count, -1 on a syntax error or out of memory.
 */
int parse_cpulist(const char *s, int **out);

/* "128.0 MiB": @v bytes in @buf of @size. Returns @buf. */
char *fmt_bytes(char *buf, size_t size, unsigned long long v);


#endif /* _NG_UTIL_H */
