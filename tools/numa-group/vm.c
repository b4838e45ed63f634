// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual NUMA layout of a QEMU guest, read through QMP.
 *
 * vCPUs: query-cpus-fast gives each vCPU's thread id and props.node-id.
 *
 * Memory: QEMU (7.2 at least) has no QMP command that tells where a memory
 * backend is mapped in its own address space, and "info ramblock" prints
 * no host address before later releases. What it has:
 *  - "info mtree" (the tree): with -numa ...,memdev=, the guest RAM is a
 *    container (pc.ram on x86) whose children are the nodes' backends in
 *    node order: that says which backend is which node's;
 *  - "info mtree -f" (the flat view of the "memory" address space): the
 *    guest-physical ranges where each backend is visible, with the offset
 *    into the backend ("m0 @0000000000100000");
 *  - "gpa2hva ADDR": the host virtual address of a guest-physical address,
 *    and the name of the region it is in.
 * So a backend's host address is gpa2hva(its lowest GPA) minus the offset
 * of that GPA in the backend. Memory devices (pc-dimm, virtio-mem, ...)
 * say their node and address in query-memory-devices.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void warn(struct vm_layout *l, const char *fmt, ...)
{
	char buf[512], **w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w = realloc(l->warnings, (l->nr_warnings + 1) * sizeof(*w));
	if (!w)
		return;
	l->warnings = w;
	w[l->nr_warnings] = strdup(buf);
	if (w[l->nr_warnings])
		l->nr_warnings++;
}

char *vm_hmp(const struct vm_qmp *q, const char *cmdline, char *err,
	     size_t errlen)
{
	char args[512];
	struct json *r;
	const char *s;
	char *out;
	size_t n;

	n = snprintf(args, sizeof(args), "{\"command-line\": ");
	n += json_quote(args + n, sizeof(args) - n, cmdline);
	if (n + 2 >= sizeof(args)) {
		seterr(err, errlen, "HMP command too long");
		return NULL;
	}
	strcpy(args + n, "}");
	r = q->cmd(q->ctx, "human-monitor-command", args, err, errlen);
	if (!r)
		return NULL;
	s = json_str(json_get(r, "return"));
	out = s ? strdup(s) : NULL;
	if (!out)
		seterr(err, errlen, "human-monitor-command \"%s\": %s", cmdline,
		       s ? "out of memory" : "reply without a string");
	json_free(r);
	return out;
}

/* ---------------------------------------------------------------------- */

int vm_parse_cpus(const struct json *ret, struct vm_vcpu **out, size_t *n)
{
	const struct json *c;
	struct vm_vcpu *v;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (!ret || ret->type != JSON_ARRAY)
		return -1;
	v = calloc(ret->len ? ret->len : 1, sizeof(*v));
	if (!v)
		return -1;
	for (c = ret->child; c; c = c->next) {
		long long idx, tid, node;

		if (json_int(json_get(c, "cpu-index"), &idx) ||
		    json_int(json_get(c, "thread-id"), &tid) ||
		    tid <= 0 || idx < 0) {
			free(v);
			return -1;
		}
		if (json_int(json_get(json_get(c, "props"), "node-id"), &node))
			node = -1;
		v[i].index = (int)idx;
		v[i].tid = (pid_t)tid;
		v[i].node = (int)node;
		i++;
	}
	*out = v;
	*n = i;
	return 0;
}

int vm_parse_memdev(const struct json *ret, struct vm_mem **out, size_t *n)
{
	const struct json *c;
	struct vm_mem *m;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (!ret || ret->type != JSON_ARRAY)
		return -1;
	m = calloc(ret->len ? ret->len : 1, sizeof(*m));
	if (!m)
		return -1;
	for (c = ret->child; c; c = c->next) {
		const char *id = json_str(json_get(c, "id"));
		long long size;

		if (json_int(json_get(c, "size"), &size) || size < 0) {
			free(m);
			return -1;
		}
		/* Backends made without an id (by -m) have none in 7.2. */
		snprintf(m[i].id, sizeof(m[i].id), "%s", id ? id : "");
		m[i].size = size;
		m[i].share = json_get(c, "share") &&
			     json_get(c, "share")->type == JSON_TRUE;
		m[i].node = -1;
		i++;
	}
	*out = m;
	*n = i;
	return 0;
}

int vm_parse_devices(const struct json *ret, struct vm_mem **out, size_t *n)
{
	const struct json *c;
	struct vm_mem *m;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (!ret || ret->type != JSON_ARRAY)
		return -1;
	m = calloc(ret->len ? ret->len : 1, sizeof(*m));
	if (!m)
		return -1;
	for (c = ret->child; c; c = c->next) {
		const struct json *data = json_get(c, "data");
		const char *memdev = json_str(json_get(data, "memdev"));
		const char *id = json_str(json_get(data, "id"));
		const char *type = json_str(json_get(c, "type"));
		long long node, addr, size;
		const char *slash;

		/* virtio-pmem has no node: not NUMA memory */
		if (!memdev || json_int(json_get(data, "node"), &node) ||
		    node < 0)
			continue;
		slash = strrchr(memdev, '/');
		memdev = slash ? slash + 1 : memdev;
		if (json_int(json_get(data, "addr"), &addr) &&
		    json_int(json_get(data, "memaddr"), &addr))
			addr = -1;
		/* virtio-mem: "size" is what is plugged, "max-size" all */
		if (json_int(json_get(data, "max-size"), &size) &&
		    json_int(json_get(data, "size"), &size))
			size = 0;
		snprintf(m[i].id, sizeof(m[i].id), "%s", memdev);
		snprintf(m[i].dev, sizeof(m[i].dev), "%s%s%s",
			 type ? type : "device", id ? " " : "", id ? id : "");
		m[i].node = (int)node;
		m[i].gpa = addr >= 0 ? (unsigned long long)addr : 0;
		m[i].mapped = addr >= 0;
		m[i].size = size > 0 ? (unsigned long long)size : 0;
		i++;
	}
	*out = m;
	*n = i;
	return 0;
}

int vm_parse_memory_devices(const struct json *ret, struct vm_mem *mem,
			    size_t n)
{
	struct vm_mem *dev;
	size_t nd, i, j;

	if (vm_parse_devices(ret, &dev, &nd))
		return -1;
	for (i = 0; i < nd; i++)
		for (j = 0; j < n; j++) {
			if (strcmp(mem[j].id, dev[i].id))
				continue;
			memcpy(mem[j].dev, dev[i].dev, sizeof(mem[j].dev));
			mem[j].node = dev[i].node;
			mem[j].gpa = dev[i].gpa;
		}
	free(dev);
	return 0;
}

int vm_query_devices(const struct vm_qmp *q, struct vm_mem **out, size_t *n,
		     char *err, size_t errlen)
{
	struct json *r = q->cmd(q->ctx, "query-memory-devices", NULL, err,
				errlen);
	int ret;

	*out = NULL;
	*n = 0;
	if (!r)
		return -1;
	ret = vm_parse_devices(json_get(r, "return"), out, n);
	if (ret)
		seterr(err, errlen, "query-memory-devices: unexpected reply");
	json_free(r);
	return ret;
}

int vm_parse_info_numa(const char *text, int *nr_nodes,
		       unsigned long long **node_mb)
{
	const char *line = text;
	unsigned long long *mb;
	int nodes = -1;

	*node_mb = NULL;
	*nr_nodes = 0;
	if (sscanf(text, "%d nodes", &nodes) != 1 || nodes < 0 ||
	    nodes > 4096)
		return -1;
	mb = calloc(nodes ? nodes : 1, sizeof(*mb));
	if (!mb)
		return -1;
	/* "node N size: X MB", then "node N plugged: Y MB" (memory devices) */
	while ((line = strchr(line, '\n'))) {
		unsigned long long v;
		int node;

		line++;
		if (sscanf(line, "node %d size: %llu MB", &node, &v) == 2 &&
		    node >= 0 && node < nodes)
			mb[node] += v;
		else if (sscanf(line, "node %d plugged: %llu MB", &node,
				&v) == 2 && node >= 0 && node < nodes)
			mb[node] -= v < mb[node] ? v : mb[node];
	}
	*nr_nodes = nodes;
	*node_mb = mb;
	return 0;
}

int vm_parse_gpa2hva(const char *text, unsigned long long *hva,
		     char *region, size_t size)
{
	unsigned long long gpa;
	char name[128];

	if (sscanf(text, "Host virtual address for %llx (%127[^)]) is %llx",
		   &gpa, name, hva) != 3)
		return -1;
	if (size)
		snprintf(region, size, "%s", name);
	return 0;
}

/* ---------------------------------------------------------------------- */

/* "  0000000000100000-0000000007ffffff (prio 0, ram): m0 @0000000000100000" */
static int parse_mtree_line(const char *line, struct mtree_line *m)
{
	const char *p = line, *q;
	int pos = 0, prio;
	size_t n;

	memset(m, 0, sizeof(*m));
	while (*p == ' ')
		p++;
	m->indent = p - line;
	if (sscanf(p, "%llx-%llx (prio %d, %n", &m->start, &m->end, &prio,
		   &pos) != 3 || !pos)
		return -1;
	p += pos;
	q = strstr(p, "): ");
	if (!q || q == p)
		return -1;
	n = q - p;
	if (n >= sizeof(m->type))
		n = sizeof(m->type) - 1;
	memcpy(m->type, p, n);
	m->type[n] = '\0';
	p = q + 3;
	if (!strncmp(p, "alias ", 6)) {
		m->alias = 1;
		p += 6;
	}
	n = strcspn(p, " \r\n");
	if (!n || n >= sizeof(m->name))
		return -1;
	memcpy(m->name, p, n);
	m->name[n] = '\0';
	p += n;
	if (!m->alias && !strncmp(p, " @", 2))
		m->off = strtoull(p + 2, NULL, 16);
	return 0;
}

int vm_parse_mtree(const char *text, const char *flat_as,
		   struct mtree_line **out)
{
	struct mtree_line *v = NULL, m;
	const char *line = text;
	int n = 0, cap = 0, in = !flat_as;
	char as[160];

	if (flat_as)
		snprintf(as, sizeof(as), " AS \"%s\",", flat_as);
	*out = NULL;
	while (line && *line) {
		const char *nl = strchr(line, '\n');

		if (flat_as) {
			/* A block starts at a line without indent. */
			if (!strncmp(line, "FlatView #", 10))
				in = 0;
			else if (!strncmp(line, as, strlen(as)))
				in = 1;
			else if (line[0] != ' ' && line[0] != '\n' &&
				 line[0] != '\r')
				/* older QEMU: "address-space (flat view): X" */
				in = !strncmp(line,
					      "address-space (flat view): ",
					      27) &&
				     !strncmp(line + 27, flat_as,
					      strlen(flat_as)) &&
				     strchr("\r\n", line[27 +
						     strlen(flat_as)]);
		}
		if (in && !parse_mtree_line(line, &m)) {
			if (n == cap) {
				struct mtree_line *p;

				cap = cap ? 2 * cap : 64;
				p = realloc(v, cap * sizeof(*v));
				if (!p) {
					free(v);
					return -1;
				}
				v = p;
			}
			v[n++] = m;
		}
		line = nl ? nl + 1 : NULL;
	}
	*out = v;
	return n;
}

static struct vm_mem *find_mem(struct vm_mem *mem, size_t n,
			       const char *name)
{
	size_t i;

	/* x-use-canonical-path-for-ramblock-id=on names it /objects/ID */
	if (!strncmp(name, "/objects/", 9))
		name += 9;
	for (i = 0; i < n; i++)
		if (mem[i].id[0] && !strcmp(mem[i].id, name))
			return &mem[i];
	return NULL;
}

struct child {
	unsigned long long start;
	struct vm_mem *mem;
};

static int cmp_child(const void *a, const void *b)
{
	const struct child *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

int vm_assign_nodes(const struct mtree_line *lines, int nr_lines,
		    struct vm_mem *mem, size_t nr_mem, int nr_nodes,
		    const unsigned long long *node_mb, char *err,
		    size_t errlen)
{
	struct child *kids;
	int i, j, nk = 0, node;

	kids = calloc(nr_mem ? nr_mem : 1, sizeof(*kids));
	if (!kids) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < nr_lines; i++) {
		int ok = 1;

		if (lines[i].alias || strcmp(lines[i].type, "i/o"))
			continue;
		nk = 0;
		for (j = i + 1; j < nr_lines &&
			    lines[j].indent > lines[i].indent; j++) {
			struct vm_mem *m;

			if (lines[j].indent != lines[i].indent + 2)
				continue;
			m = find_mem(mem, nr_mem, lines[j].name);
			if (lines[j].alias || strcmp(lines[j].type, "ram") ||
			    !m || m->dev[0] || (size_t)nk >= nr_mem) {
				ok = 0;
				break;
			}
			kids[nk].start = lines[j].start;
			kids[nk].mem = m;
			nk++;
		}
		if (ok && nk)
			break;
	}
	if (i == nr_lines) {
		free(kids);
		seterr(err, errlen, "no RAM container of memory backends in "
		       "\"info mtree\" (nodes without memdev=?)");
		return -1;
	}
	qsort(kids, nk, sizeof(*kids), cmp_child);
	/* The children are the memdevs of the nodes with memory, in order. */
	for (j = 0, node = 0; node < nr_nodes; node++) {
		if (!node_mb[node])
			continue;
		if (j == nk || kids[j].mem->size >> 20 != node_mb[node]) {
			seterr(err, errlen, "the RAM container's backends do "
			       "not match the node sizes of \"info numa\" "
			       "(node %d: %llu MiB, backend %s: %llu MiB)",
			       node, node_mb[node],
			       j < nk ? kids[j].mem->id : "(none)",
			       j < nk ? kids[j].mem->size >> 20 : 0ULL);
			free(kids);
			return -1;
		}
		kids[j].mem->node = node;
		kids[j].mem->in_container = 1;
		j++;
	}
	if (j != nk) {
		seterr(err, errlen, "the RAM container has %d backends but "
		       "only %d nodes have memory", nk, j);
		for (i = 0; i < nk; i++) {
			kids[i].mem->node = -1;
			kids[i].mem->in_container = 0;
		}
		free(kids);
		return -1;
	}
	free(kids);
	return nk;
}

/* ---------------------------------------------------------------------- */

int vm_query_vcpus(const struct vm_qmp *q, struct vm_vcpu **out, size_t *n,
		   char *err, size_t errlen)
{
	struct json *r = q->cmd(q->ctx, "query-cpus-fast", NULL, err, errlen);
	int ret;

	if (!r)
		return -1;
	ret = vm_parse_cpus(json_get(r, "return"), out, n);
	if (ret)
		seterr(err, errlen, "query-cpus-fast: unexpected reply");
	json_free(r);
	return ret;
}

int vm_gpa2hva(const struct vm_qmp *q, unsigned long long gpa,
	       const char *id, unsigned long long *hva, char *err,
	       size_t errlen)
{
	char cmd[64], region[128], *text;
	struct vm_mem m = { .node = -1 };

	snprintf(cmd, sizeof(cmd), "gpa2hva 0x%llx", gpa);
	text = vm_hmp(q, cmd, err, errlen);
	if (!text)
		return -1;
	snprintf(m.id, sizeof(m.id), "%s", id);
	if (vm_parse_gpa2hva(text, hva, region, sizeof(region)) ||
	    find_mem(&m, 1, region) != &m) {
		text[strcspn(text, "\r\n")] = '\0';
		seterr(err, errlen, "unexpected reply to \"%s\": \"%s\"", cmd,
		       text);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

/* Find each backend's lowest GPA in the flat view and ask for its HVA. */
static void find_hvas(const struct vm_qmp *q, struct vm_layout *l)
{
	struct mtree_line *flat = NULL;
	char err[256], *text;
	int nr, i;
	size_t k;


	text = vm_hmp(q, "info mtree -f", err, sizeof(err));
	if (!text) {
		warn(l, "cannot read the guest memory map: %s", err);
		return;
	}
	nr = vm_parse_mtree(text, "memory", &flat);
	free(text);
	if (nr <= 0)
		warn(l, "no flat view of the \"memory\" address space in "
		     "\"info mtree -f\"");
	for (i = 0; i < nr; i++) {
		struct vm_mem *m;

		if (strcmp(flat[i].type, "ram") || flat[i].alias)
			continue;
		m = find_mem(l->mem, l->nr_mem, flat[i].name);
		if (!m || (m->mapped && m->gpa <= flat[i].start))
			continue;
		m->mapped = 1;
		m->gpa = flat[i].start;
		m->gpa_off = flat[i].off;
	}
	free(flat);

	for (k = 0; k < l->nr_mem; k++) {
		struct vm_mem *m = &l->mem[k];
		unsigned long long hva;

		if (!m->mapped)
			continue;
		if (vm_gpa2hva(q, m->gpa, m->id, &hva, err, sizeof(err)))
			warn(l, "backend %s: %s", m->id, err);
		else if (hva < m->gpa_off)
			warn(l, "backend %s: host address 0x%llx below its "
			     "offset 0x%llx", m->id, hva, m->gpa_off);
		else
			m->hva = hva - m->gpa_off;
	}
}

int vm_discover(const struct vm_qmp *q, struct vm_layout *l, char *err,
		size_t errlen)
{
	struct mtree_line *tree = NULL;
	struct json *r;
	char *text;
	int nr, any_node = 0;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (vm_query_vcpus(q, &l->vcpus, &l->nr_vcpus, err, errlen))
		return -1;

	text = vm_hmp(q, "info numa", err, errlen);
	if (!text)
		return -1;
	if (vm_parse_info_numa(text, &l->nr_nodes, &l->node_mb)) {
		text[strcspn(text, "\r\n")] = '\0';
		seterr(err, errlen, "unexpected \"info numa\": \"%s\"", text);
		free(text);
		return -1;
	}
	free(text);
	for (i = 0; i < l->nr_vcpus; i++)
		if (l->vcpus[i].node >= 0)
			any_node = 1;
	if (l->nr_nodes == 0 || !any_node) {
		seterr(err, errlen, "guest has no NUMA nodes (-numa): "
		       "nothing to group");
		return VM_NO_NUMA;
	}
	for (i = 0; i < l->nr_vcpus; i++)
		if (l->vcpus[i].node >= l->nr_nodes) {
			seterr(err, errlen, "vCPU %d is on node %d, but "
			       "\"info numa\" has %d nodes",
			       l->vcpus[i].index, l->vcpus[i].node,
			       l->nr_nodes);
			return -1;
		}

	r = q->cmd(q->ctx, "query-memdev", NULL, err, errlen);
	if (!r)
		return -1;
	if (vm_parse_memdev(json_get(r, "return"), &l->mem, &l->nr_mem)) {
		json_free(r);
		seterr(err, errlen, "query-memdev: unexpected reply");
		return -1;
	}
	json_free(r);

	r = q->cmd(q->ctx, "query-memory-devices", NULL, err, errlen);
	if (r) {
		vm_parse_memory_devices(json_get(r, "return"), l->mem,
					l->nr_mem);
		json_free(r);
	}

	text = vm_hmp(q, "info mtree", err, errlen);
	if (!text)
		return -1;
	nr = vm_parse_mtree(text, NULL, &tree);
	free(text);
	if (nr < 0) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if (vm_assign_nodes(tree, nr, l->mem, l->nr_mem, l->nr_nodes,
			    l->node_mb, err, errlen) < 0) {
		int with_mem = 0, n;

		for (n = 0; n < l->nr_nodes; n++)
			with_mem += l->node_mb[n] != 0;
		if (with_mem)
			warn(l, "cannot tell which memory is which node's: "
			     "%s; grouping the vCPUs only", err);
	}
	free(tree);
	err[0] = '\0';

	find_hvas(q, l);
	for (i = 0; i < l->nr_mem; i++) {
		struct vm_mem *m = &l->mem[i];

		if (m->node < 0 || !m->hva)
			continue;
		if (m->share)
			warn(l, "backend %s of node %d is shared (share=on): "
			     "knumad leaves shared memory where it is",
			     m->id, m->node);
	}
	return 0;
}

void vm_layout_free(struct vm_layout *l)
{
	size_t i;

	free(l->node_mb);
	free(l->vcpus);
	free(l->mem);
	for (i = 0; i < l->nr_warnings; i++)
		free(l->warnings[i]);
	free(l->warnings);
	memset(l, 0, sizeof(*l));
}
