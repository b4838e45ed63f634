/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa_group selftests: raw syscall wrappers (libc has none), pidfds, and a
 * reader for the numa_group_* lines of /proc/PID/fdinfo/FD.
 * See Documentation/userspace-api/numa_group.rst.
 */
#ifndef KNUMAD_SELFTEST_GROUP_H
#define KNUMAD_SELFTEST_GROUP_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#if __has_include(<linux/numa_group.h>)
#include <linux/numa_group.h>
#else
/* Built without -I include/uapi: the published ABI, copied. */
#include <linux/types.h>
struct numa_group_attr {
	__u64 flags;
	__s32 node;
	__u32 __reserved;
};
#define NUMA_GROUP_ATTR_SIZE_VER0	16
#define NUMA_GROUP_NODE_ANY		(-1)
#define NUMA_GROUP_CREATE_VERSION	(1U << 0)
#define NUMA_GROUP_SELF_THREAD		(-10000)
#define NUMA_GROUP_SELF_PROCESS		(-20000)
#define NUMA_GROUP_REMOVE		(1U << 0)
#endif

/* What numa_group_create(NULL, 0, NUMA_GROUP_CREATE_VERSION) returns. */
#define NG_ABI_VERSION			1

/* The pidfd sentinel the ABI had before version 1 (AT_FDCWD's value). */
#define NG_OLD_SELF			(-100)

/* x86_64, i386 and the generic table. */
#ifndef __NR_numa_group_create
#define __NR_numa_group_create	463
#endif
#ifndef __NR_numa_group_mem
#define __NR_numa_group_mem	464
#endif
#ifndef __NR_numa_group_task
#define __NR_numa_group_task	465
#endif

/* Linux 6.9; the installed headers may predate it. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD		O_EXCL
#endif

#define NG_PAGE			4096UL

static inline int sys_numa_group_create(const void *attr, size_t size,
					unsigned int flags)
{
	return syscall(__NR_numa_group_create, attr, size, flags);
}

static inline int sys_numa_group_mem(int group_fd, int pidfd, unsigned long addr,
				     unsigned long len, unsigned int flags)
{
	return syscall(__NR_numa_group_mem, group_fd, pidfd, addr, len, flags);
}

static inline int sys_numa_group_task(int group_fd, int pidfd, unsigned int flags)
{
	return syscall(__NR_numa_group_task, group_fd, pidfd, flags);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static inline pid_t sys_gettid(void)
{
	return syscall(SYS_gettid);
}

/* A group with the defaults; -1 with errno (ENOSYS: no numa_group). */
static inline int ng_create(void)
{
	return sys_numa_group_create(NULL, 0, 0);
}

/* A group starting on @node (or NUMA_GROUP_NODE_ANY). */
static inline int ng_create_on(int node)
{
	struct numa_group_attr attr = { .node = node };

	return sys_numa_group_create(&attr, sizeof(attr), 0);
}

static inline int ng_add_mem(int g, void *addr, size_t len)
{
	return sys_numa_group_mem(g, NUMA_GROUP_SELF_PROCESS, (unsigned long)addr, len, 0);
}

static inline int ng_del_mem(int g, void *addr, size_t len)
{
	return sys_numa_group_mem(g, NUMA_GROUP_SELF_PROCESS, (unsigned long)addr, len,
				  NUMA_GROUP_REMOVE);
}

/* Is @node in the node list /sys/devices/system/node/@list? */
static inline bool ng_node_in(const char *list_name, int node)
{
	char path[96], list[256], *tok, *save;
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/%s", list_name);
	f = fopen(path, "r");
	if (!f)
		return node == 0;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	for (tok = strtok_r(list, ",\n", &save); tok && !in;
	     tok = strtok_r(NULL, ",\n", &save)) {
		int lo, hi;

		if (sscanf(tok, "%d-%d", &lo, &hi) != 2)
			hi = lo = atoi(tok);
		in = node >= lo && node <= hi;
	}
	return in;
}

/* Is @node online? */
static inline bool ng_node_online(int node)
{
	return ng_node_in("online", node);
}

/* Does @node have CPUs online (a valid numa_group_attr.node)? */
static inline bool ng_node_has_cpu(int node)
{
	return ng_node_in("has_cpu", node);
}

/* ---- /proc/PID/fdinfo/FD ---- */

#define NG_MAX_TASKS	1100
#define NG_MAX_RANGES	80
#define NG_MAX_NODES	8

struct ng_range {
	int pid;
	unsigned long start, end;
};

/*
 * The numa_group_* lines of a group's fdinfo. Counts of lines that were
 * missing are -1; task[] and range[] hold the listed members.
 */
struct ng_info {
	int id;				/* numa_group_id:, -1: none */
	int node;
	int tasks;			/* numa_group_tasks: */
	int ranges;			/* numa_group_ranges: */
	long long bytes;
	long long placeable_bytes;	/* -1: no such line */
	long node_changes;
	long pages_migrated;
	int nr_pages;			/* nodes in numa_group_pages:, -1: none */
	long pages[NG_MAX_NODES];
	int nr_task;			/* numa_group_task: lines */
	int task[NG_MAX_TASKS];
	int nr_range;			/* numa_group_range: lines */
	struct ng_range range[NG_MAX_RANGES];
};

static inline FILE *ng_fdinfo_open(pid_t pid, int fd)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return fopen(path, "r");
}

/*
 * Read the group state of descriptor @fd of process @pid (0: this one).
 * False if there is no such descriptor or it shows no numa_group_node line.
 */
static inline bool ng_read_info(pid_t pid, int fd, struct ng_info *in)
{
	bool seen_node = false;
	char line[512];
	FILE *f;

	memset(in, 0, sizeof(*in));
	in->node = -2;
	in->id = in->tasks = in->ranges = in->nr_pages = -1;
	in->bytes = in->placeable_bytes = in->node_changes = in->pages_migrated = -1;
	f = ng_fdinfo_open(pid, fd);
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *val = strchr(line, ':');

		if (!val || strncmp(line, "numa_group_", 11))
			continue;
		*val++ = '\0';
		if (!strcmp(line, "numa_group_id")) {
			sscanf(val, "%d", &in->id);
		} else if (!strcmp(line, "numa_group_node")) {
			seen_node = sscanf(val, "%d", &in->node) == 1;
		} else if (!strcmp(line, "numa_group_tasks")) {
			sscanf(val, "%d", &in->tasks);
		} else if (!strcmp(line, "numa_group_task")) {
			if (in->nr_task < NG_MAX_TASKS &&
			    sscanf(val, "%d", &in->task[in->nr_task]) == 1)
				in->nr_task++;
		} else if (!strcmp(line, "numa_group_ranges")) {
			sscanf(val, "%d", &in->ranges);
		} else if (!strcmp(line, "numa_group_range")) {
			struct ng_range *r = &in->range[in->nr_range];

			if (in->nr_range < NG_MAX_RANGES &&
			    sscanf(val, "%d %lx-%lx", &r->pid, &r->start, &r->end) == 3)
				in->nr_range++;
		} else if (!strcmp(line, "numa_group_bytes")) {
			sscanf(val, "%lld", &in->bytes);
		} else if (!strcmp(line, "numa_group_placeable_bytes")) {
			sscanf(val, "%lld", &in->placeable_bytes);
		} else if (!strcmp(line, "numa_group_pages")) {
			char *p = val, *end;

			in->nr_pages = 0;
			while (in->nr_pages < NG_MAX_NODES) {
				long v = strtol(p, &end, 10);

				if (end == p)
					break;
				in->pages[in->nr_pages++] = v;
				p = end;
			}
		} else if (!strcmp(line, "numa_group_node_changes")) {
			sscanf(val, "%ld", &in->node_changes);
		} else if (!strcmp(line, "numa_group_pages_migrated")) {
			sscanf(val, "%ld", &in->pages_migrated);
		}
	}
	fclose(f);
	return seen_node;
}

/* The group's node per its fdinfo; -2 if it cannot be read. */
static inline int ng_node(pid_t pid, int fd)
{
	struct ng_info in;

	return ng_read_info(pid, fd, &in) ? in.node : -2;
}

static inline bool ng_has_task(const struct ng_info *in, int tid)
{
	int i;

	for (i = 0; i < in->nr_task; i++)
		if (in->task[i] == tid)
			return true;
	return false;
}

static inline bool ng_has_range(const struct ng_info *in, int pid,
				const void *start, const void *end)
{
	int i;

	for (i = 0; i < in->nr_range; i++)
		if (in->range[i].pid == pid &&
		    in->range[i].start == (unsigned long)start &&
		    in->range[i].end == (unsigned long)end)
			return true;
	return false;
}

/*
 * The membership lines (tasks, task, ranges, range, bytes) of the group's
 * fdinfo, concatenated into @buf: what a failed call must not change.
 * Not the node or page counts, which knumad may update meanwhile.
 */
static inline bool ng_membership(pid_t pid, int fd, char *buf, size_t size)
{
	static const char * const keys[] = {
		"numa_group_tasks:", "numa_group_task:", "numa_group_ranges:",
		"numa_group_range:", "numa_group_bytes:",
	};
	size_t used = 0, i;
	char line[512];
	FILE *f;

	buf[0] = '\0';
	f = ng_fdinfo_open(pid, fd);
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(line);

			if (strncmp(line, keys[i], strlen(keys[i])))
				continue;
			if (used + n < size) {
				memcpy(buf + used, line, n + 1);
				used += n;
			}
			break;
		}
	}
	fclose(f);
	return used > 0;
}

/*
 * End of the user address space (TASK_SIZE on x86_64): 47 bits, or 56
 * with 5-level paging, where a mapping above 2^47 can be made.
 */
static inline unsigned long ng_user_va_end(void)
{
	void *hi = (void *)(1UL << 48);
	void *p;

	p = mmap(hi, NG_PAGE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == hi) {
		munmap(p, NG_PAGE);
		return (1UL << 56) - NG_PAGE;
	}
	if (p != MAP_FAILED)
		munmap(p, NG_PAGE);
	return (1UL << 47) - NG_PAGE;
}

#endif /* KNUMAD_SELFTEST_GROUP_H */
