// SPDX-License-Identifier: GPL-2.0
/*
 * numa-group helpers: sets of ranges, /proc/PID/maps, numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int spans_add(struct spans *s, unsigned long start, unsigned long end)
{
	if (end <= start)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct span *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->n++;
	return 0;
}

void spans_free(struct spans *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

void spans_normalize(struct spans *s)
{
	size_t i, o = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_span);
	for (i = 1; i < s->n; i++) {
		if (s->v[i].start <= s->v[o].end) {
			if (s->v[i].end > s->v[o].end)
				s->v[o].end = s->v[i].end;
		} else {
			s->v[++o] = s->v[i];
		}
	}
	s->n = o + 1;
}

int spans_subtract(const struct spans *a, const struct spans *b,
		   struct spans *out)
{
	size_t i, j = 0;

	out->n = 0;
	for (i = 0; i < a->n; i++) {
		unsigned long cur = a->v[i].start, end = a->v[i].end;

		while (j < b->n && b->v[j].end <= cur)
			j++;
		for (size_t k = j; k < b->n && b->v[k].start < end; k++) {
			if (b->v[k].start > cur &&
			    spans_add(out, cur, b->v[k].start))
				return -1;
			if (b->v[k].end > cur)
				cur = b->v[k].end;
			if (cur >= end)
				break;
		}
		if (cur < end && spans_add(out, cur, end))
			return -1;
	}
	return 0;
}

int spans_cover(const struct spans *s, unsigned long start,
		unsigned long end)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].start <= start && end <= s->v[i].end)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------------- */

int parse_maps_line(const char *line, struct map_ent *m)
{
	unsigned int maj, min;
	int pos = 0;
	size_t n;
	const char *name;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %lu%n", &m->start, &m->end,
		   m->perms, &m->offset, &maj, &min, &m->inode, &pos) != 7 ||
	    strlen(m->perms) != 4 || m->end < m->start)
		return -1;
	name = line + pos;
	while (*name == ' ' || *name == '\t')
		name++;
	n = strcspn(name, "\n");
	if (n >= sizeof(m->name))
		n = sizeof(m->name) - 1;
	memcpy(m->name, name, n);
	m->name[n] = '\0';
	return 0;
}

int map_is_private_anon(const struct map_ent *m)
{
	if (m->perms[3] != 'p' || m->inode != 0)
		return 0;
	if (!m->name[0])
		return 1;
	return !strcmp(m->name, "[heap]") ||
	       !strncmp(m->name, "[stack", 6) ||
	       !strncmp(m->name, "[anon:", 6);
}

/* Call @fn for each line of a maps text; stops on its non-zero return. */
static int for_each_map(const char *text,
			int (*fn)(const struct map_ent *, void *), void *arg)
{
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		struct map_ent m;
		int ret;

		if (line[0] != '\n') {
			if (parse_maps_line(line, &m))
				return -1;
			ret = fn(&m, arg);
			if (ret)
				return ret;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

struct runs_state {
	struct spans *out;
	unsigned long start, end;
	int open, writable;
};

static int flush_run(struct runs_state *st)
{
	int ret = 0;

	if (st->open && st->writable)
		ret = spans_add(st->out, st->start, st->end);
	st->open = 0;
	st->writable = 0;
	return ret;
}

static int runs_fn(const struct map_ent *m, void *arg)
{
	struct runs_state *st = arg;

	if (!map_is_private_anon(m))
		return flush_run(st) ? -2 : 0;
	if (!st->open || m->start != st->end) {
		if (flush_run(st))
			return -2;
		st->open = 1;
		st->start = m->start;
	}
	st->end = m->end;
	if (m->perms[1] == 'w')
		st->writable = 1;
	return 0;
}

int maps_anon_runs(const char *text, struct spans *out)
{
	struct runs_state st = { .out = out };
	int ret;

	out->n = 0;
	ret = for_each_map(text, runs_fn, &st);
	if (ret)
		return -1;
	return flush_run(&st);
}

struct find_state {
	unsigned long start, end, next;
	int count, hole, not_anon;
};

static int find_fn(const struct map_ent *m, void *arg)
{
	struct find_state *st = arg;

	if (m->end <= st->start || m->start >= st->end)
		return 0;
	if (m->start > st->next)
		st->hole = 1;
	st->next = m->end;
	st->count++;
	if (!map_is_private_anon(m) || strstr(m->name, "anon_hugepage") ||
	    strstr(m->name, "hugepages"))
		st->not_anon++;
	return 0;
}

int maps_find(const char *text, unsigned long start, unsigned long end,
	      int *contiguous, int *not_anon)
{
	struct find_state st = { .start = start, .end = end, .next = start };

	if (for_each_map(text, find_fn, &st))
		return -1;
	*contiguous = st.count && !st.hole && st.next >= end;
	*not_anon = st.not_anon;
	return st.count;
}

/* ---------------------------------------------------------------------- */

int parse_ulong(const char *s, unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

int parse_size(const char *s, unsigned long long *v)
{
	unsigned long long n, mult = 1;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		break;
	case 't':
	case 'T':
		mult = 1ULL << 40;
		break;
	}
	if (mult > 1)
		end++;
	if (mult > 1) {
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end || (n && mult > ULLONG_MAX / n))
		return -1;
	*v = n * mult;
	return 0;
}

int parse_int(const char *s, int min, int max, int *v)
{
	char *end;
	long l;

	if (!*s)
		return -1;
	errno = 0;
	l = strtol(s, &end, 10);
	if (errno || *end || l < min || l > max)
		return -1;
	*v = (int)l;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int parse_cpulist(const char *s, int **out)
{
	int *v = NULL, n = 0, cap = 0;

	*out = NULL;
	while (*s && *s != '\n') {
		long a, b;
		char *end;

		if (*s < '0' || *s > '9')
			goto bad;
		a = strtol(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				goto bad;
			b = strtol(s, &end, 10);
			s = end;
		}
		if (b < a || b > 65535)
			goto bad;
		for (; a <= b; a++) {
			if (n == cap) {
				int *p;

				cap = cap ? 2 * cap : 16;
				p = realloc(v, cap * sizeof(*v));
				if (!p)
					goto bad;
				v = p;
			}
			v[n++] = (int)a;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			goto bad;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_int);
	*out = v;
	return n;
bad:
	free(v);
	return -1;
}

char *fmt_bytes(char *buf, size_t size, unsigned long long v)
{
	static const char *const unit[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB",
	};
	double d = v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, size, "%llu B", v);
		return buf;
	}
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", d, unit[u]);
	return buf;
}
