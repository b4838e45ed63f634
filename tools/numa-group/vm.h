/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual NUMA layout of a QEMU guest, read through QMP: which vCPU
 * threads and which memory backends (and where they are mapped in QEMU)
 * make up each guest node.
 *
 * The reading goes through struct vm_qmp, so that tests can answer with
 * canned replies.
 */
#ifndef _NG_VM_H
#define _NG_VM_H

#include <stddef.h>
#include <sys/types.h>

#include "json.h"

struct vm_vcpu {
	int index;		/* cpu-index */
	int node;		/* props.node-id, -1 if none */
	pid_t tid;		/* thread-id */
};

struct vm_mem {
	char id[128];		/* memory backend id (query-memdev) */
	char dev[128];		/* memory device (pc-dimm...) using it, or "" */
	int node;		/* guest node, -1 if not known */
	unsigned long long size;
	int share;		/* share=on: knumad leaves it alone */
	int in_container;	/* a node's memdev (child of the RAM container) */
	int mapped;		/* seen in the guest's memory map */
	unsigned long long gpa;	/* its lowest guest-physical address */
	unsigned long long gpa_off; /* offset of that address in the backend */
	unsigned long long hva;	/* QEMU's virtual address of byte 0, 0: unknown */
};

struct vm_layout {
	char version[128];
	int nr_nodes;			/* "info numa" */
	unsigned long long *node_mb;	/* memory of each node, MiB */
	struct vm_vcpu *vcpus;
	size_t nr_vcpus;
	struct vm_mem *mem;
	size_t nr_mem;
	char **warnings;
	size_t nr_warnings;
};

/*
 * How the layout code asks QEMU: @cmd executes a QMP command with
 * arguments @args (a JSON object text, or NULL) and returns the whole reply
 * object ({"return": ...}), or NULL with a message in @err for an error
 * reply or a broken connection.
 */
struct vm_qmp {
	struct json *(*cmd)(void *ctx, const char *cmd, const char *args,
			    char *err, size_t errlen);
	void *ctx;
};

/* Run an HMP command through human-monitor-command: its output, malloc'ed. */
char *vm_hmp(const struct vm_qmp *q, const char *cmdline, char *err,
	     size_t errlen);

/* Parsers of single replies (the pure part; the unit tests use these). */
int vm_parse_cpus(const struct json *ret, struct vm_vcpu **out, size_t *n);
int vm_parse_memdev(const struct json *ret, struct vm_mem **out, size_t *n);
/*
 * The memory devices (pc-dimm, nvdimm, virtio-mem, ...) with a node, from
 * query-memory-devices: id (of the backend), dev, node, gpa, size.
 */
int vm_parse_devices(const struct json *ret, struct vm_mem **out, size_t *n);
/* Sets dev, node, gpa of the backends in @mem used by memory devices. */
int vm_parse_memory_devices(const struct json *ret, struct vm_mem *mem,
			    size_t n);
int vm_parse_info_numa(const char *text, int *nr_nodes,
		       unsigned long long **node_mb);
/* "Host virtual address for 0x0 (m0) is 0x7f..." */
int vm_parse_gpa2hva(const char *text, unsigned long long *hva,
		     char *region, size_t size);

/* One line of "info mtree" (tree or flat view). */
struct mtree_line {
	int indent;
	unsigned long long start, end;	/* inclusive end, as printed */
	char type[16];			/* ram, rom, i/o, romd, ... */
	char name[128];
	int alias;			/* "alias NAME @TARGET ..." */
	unsigned long long off;		/* flat view "@OFFSET", else 0 */
};

/*
 * vm_parse_mtree - the region lines of "info mtree" output. With
 * @flat_as non-NULL, only the lines of the flat view of that address space
 * ("info mtree -f"); else all lines (the tree). Returns the count and a
 * malloc'ed array in *@out, -1 on out of memory.
 */
int vm_parse_mtree(const char *text, const char *flat_as,
		   struct mtree_line **out);

/*
 * vm_assign_nodes - find the guest RAM container in the "info mtree" tree
 * (@lines), a container whose children are all memory backends of @mem
 * that no memory device uses, and give its children, in address order,
 * to the nodes that have memory, in node order. Checks the sizes against
 * @node_mb. Returns the number of backends assigned, or -1 with a reason
 * in @err.
 */
int vm_assign_nodes(const struct mtree_line *lines, int nr_lines,
		    struct vm_mem *mem, size_t nr_mem, int nr_nodes,
		    const unsigned long long *node_mb, char *err,
		    size_t errlen);

/*
 * vm_discover - read the whole layout. Returns 0; -1 with a message in
 * @err; VM_NO_NUMA if the guest has no NUMA nodes. What could be read only
 * in part is said in layout->warnings.
 */
#define VM_NO_NUMA	(-2)
int vm_discover(const struct vm_qmp *q, struct vm_layout *layout, char *err,
		size_t errlen);
/* Only the vCPUs (for polling). */
int vm_query_vcpus(const struct vm_qmp *q, struct vm_vcpu **out, size_t *n,
		   char *err, size_t errlen);
/* query-memory-devices through vm_parse_devices(). */
int vm_query_devices(const struct vm_qmp *q, struct vm_mem **out, size_t *n,
		     char *err, size_t errlen);
/*
 * vm_gpa2hva - QEMU's address of guest-physical @gpa, which must be in the
 * region of backend @id. Returns 0, or -1 with a message in @err.
 */
int vm_gpa2hva(const struct vm_qmp *q, unsigned long long gpa,
	       const char *id, unsigned long long *hva, char *err,
	       size_t errlen);
void vm_layout_free(struct vm_layout *layout);

#endif /* _NG_VM_H */
