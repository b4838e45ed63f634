/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libnumagroup: wrappers and helpers for the numa_group syscalls of knumad.
 *
 * A numa_group is a file descriptor that names a set of threads and address
 * ranges which belong together; knumad chooses one node for the whole set.
 * See numa_group_create(2), numa_group_mem(2), numa_group_task(2) and
 * Documentation/userspace-api/numa_group.rst in the kernel tree.
 *
 * Conventions: unless said otherwise, a function returns 0 (or a descriptor)
 * on success and -1 with errno set on failure, like the system calls. The
 * library keeps no global state and is thread-safe.
 */
#ifndef _NUMAGROUP_H
#define _NUMAGROUP_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The ABI: <linux/numa_group.h> when the installed kernel headers have it,
 * else a copy of it (identical layout; tests check both agree).
 */
#if !defined(NUMAGROUP_LOCAL_ABI) && defined(__has_include)
# if __has_include(<linux/numa_group.h>)
#  include <linux/numa_group.h>
# endif
#endif

#ifndef NUMA_GROUP_ATTR_SIZE_VER0
#include <stdint.h>

struct numa_group_attr {
	uint64_t flags;
	int32_t node;
	uint32_t __reserved;
};

#define NUMA_GROUP_ATTR_SIZE_VER0	16
#define NUMA_GROUP_NODE_ANY		(-1)
#define NUMA_GROUP_CREATE_VERSION	(1U << 0)
#define NUMA_GROUP_SELF_THREAD		(-10000)
#define NUMA_GROUP_SELF_PROCESS		(-20000)
#define NUMA_GROUP_REMOVE		(1U << 0)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Version of this library. Before 1.0 each minor version may change the
 * ABI: the soname is libnumagroup.so.MAJOR.MINOR.
 */
#define NUMAGROUP_VERSION_MAJOR	0
#define NUMAGROUP_VERSION_MINOR	2
#define NUMAGROUP_VERSION_PATCH	0

/*
 * The kernel ABI version this library knows (what
 * numa_group_create(NULL, 0, NUMA_GROUP_CREATE_VERSION) returns).
 */
#define NG_ABI_VERSION		1

/*
 * The limits the kernel documents (not part of the uapi header). The
 * groups per user are /proc/sys/user/max_numa_groups; 64 is its default.
 */
#define NG_MAX_GROUPS_PER_USER	64
#define NG_MAX_RANGES		64
#define NG_MAX_TASKS		1024

/* The /proc/PID/fd link of a group descriptor. */
#define NG_FD_LINK		"anon_inode:[numa_group]"

/* -------------------------------------------------------------------------
 * The system calls.
 *
 * Thin wrappers around syscall(2): they return what the kernel returns,
 * -1 and errno on failure. On a kernel without the calls they fail with
 * ENOSYS -- but see ng_probe(): on kernels after 6.12 without knumad the
 * numbers 463-465 belong to other calls, which then fail with EINVAL or
 * EFAULT instead.
 */

/*
 * numa_group_create - create a group; returns a close-on-exec descriptor.
 * @attr: NULL (with @size 0) for the defaults, else the attributes.
 * @size: sizeof(*attr) as the caller knows it, or 0 with a NULL @attr.
 * @flags: 0, or NUMA_GROUP_CREATE_VERSION (with a NULL @attr and @size 0)
 *	to create nothing and get the ABI version (see ng_abi_version()).
 */
int numa_group_create(const struct numa_group_attr *attr, size_t size,
		      unsigned int flags);

/*
 * numa_group_mem - put [addr, addr + len) of the process @pidfd refers to
 * (a pidfd of the process or of one of its threads; NUMA_GROUP_SELF_THREAD
 * or NUMA_GROUP_SELF_PROCESS: the caller's) into the group @group_fd, or
 * take it out with NUMA_GROUP_REMOVE in @flags. @addr must be page
 * aligned; @len is rounded up to a page.
 */
int numa_group_mem(int group_fd, int pidfd, unsigned long addr,
		   unsigned long len, unsigned int flags);

/*
 * numa_group_task - put threads into the group, or take them out with
 * NUMA_GROUP_REMOVE: one thread for a PIDFD_THREAD pidfd or
 * NUMA_GROUP_SELF_THREAD (the calling thread); every current thread of the
 * process for a process pidfd or NUMA_GROUP_SELF_PROCESS (the caller's).
 */
int numa_group_task(int group_fd, int pidfd, unsigned int flags);

/* -------------------------------------------------------------------------
 * pidfd helpers (glibc 2.36 has wrappers, older ones do not).
 */

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL	/* Linux 6.9: a pidfd for one thread */
#endif

/* pidfd_open(2); @flags 0 or PIDFD_THREAD (and PIDFD_NONBLOCK). */
int ng_pidfd_open(pid_t pid, unsigned int flags);

/* pidfd_getfd(2): a copy of descriptor @targetfd of the process @pidfd. */
int ng_pidfd_getfd(int pidfd, int targetfd);

/* -------------------------------------------------------------------------
 * Convenience.
 */

/*
 * ng_abi_version - the numa_group ABI version of the running kernel, asked
 * without side effects (numa_group_create(NULL, 0,
 * NUMA_GROUP_CREATE_VERSION): no group is made). Returns it (1 or more),
 * else -1 with errno ENOSYS: the kernel has no numa_group calls, has them
 * from before ABI version 1, or the number belongs to another call (on
 * Linux 6.13 and later, 463 is setxattrat(2), which fails here).
 */
int ng_abi_version(void);

/*
 * ng_probe - whether this kernel has the numa_group calls this library
 * speaks (ABI version NG_ABI_VERSION or later): 0, else -1 with errno
 * ENOSYS. Since 0.2 it uses ng_abi_version() and creates no group.
 */
int ng_probe(void);

/* ng_create - a group starting on @node (NUMA_GROUP_NODE_ANY: no hint). */
int ng_create(int node);

/*
 * ng_add_mem_pid - put [addr, addr + len) of process @pid (0: the caller)
 * into the group, through a pidfd it opens and closes. ng_remove_mem_pid()
 * takes the range out.
 */
int ng_add_mem_pid(int group_fd, pid_t pid, unsigned long addr,
		   unsigned long len);
int ng_remove_mem_pid(int group_fd, pid_t pid, unsigned long addr,
		      unsigned long len);

/*
 * ng_add_thread - put thread @tid (0: the calling thread) into the group,
 * through pidfd_open(tid, PIDFD_THREAD). ng_remove_thread() takes it out.
 * The errors of pidfd_open(2) come through as they are: ESRCH for a thread
 * that does not exist, EINVAL on a kernel before 6.9 (no PIDFD_THREAD). To
 * tell them from those of numa_group_task(), open the pidfd yourself.
 */
int ng_add_thread(int group_fd, pid_t tid);
int ng_remove_thread(int group_fd, pid_t tid);

/* Clear FD_CLOEXEC so that a child inherits the group across execve(). */
int ng_set_inheritable(int fd);

/* -------------------------------------------------------------------------
 * Group state from /proc/PID/fdinfo/FD.
 */

struct ng_range {
	pid_t pid;		/* the process the range belongs to */
	unsigned long start;	/* [start, end) */
	unsigned long end;
};

/* ng_info.have: which optional lines the fdinfo had. */
#define NG_HAVE_ID		(1U << 0)	/* numa_group_id */
#define NG_HAVE_PLACEABLE	(1U << 1)	/* numa_group_placeable_bytes */
#define NG_HAVE_PAGES		(1U << 2)	/* numa_group_pages */

struct ng_info {
	int fd;				/* descriptor number in its process */
	int node;			/* -1: not chosen yet */
	unsigned int nr_tasks;		/* numa_group_tasks */
	unsigned int nr_ranges;		/* numa_group_ranges */
	pid_t *tasks;			/* the numa_group_task lines */
	unsigned int tasks_listed;	/* ... how many there were */
	struct ng_range *ranges;	/* the numa_group_range lines */
	unsigned int ranges_listed;
	unsigned long long bytes;	/* numa_group_bytes */
	unsigned long *pages;		/* numa_group_pages, node 0 first */
	unsigned int nr_nodes;		/* ... how many numbers (0: absent) */
	unsigned long long node_changes;
	unsigned long long pages_migrated;
	/* Since 0.2. */
	unsigned int id;		/* numa_group_id */
	unsigned long long placeable_bytes; /* numa_group_placeable_bytes */
	unsigned int have;		/* NG_HAVE_*: which of these were there */
};

/*
 * ng_parse_fdinfo - parse the text of a group's fdinfo file into @info
 * (which it clears first; free with ng_info_free()). Lines it does not know
 * are skipped. Optional lines that were missing leave their bit in
 * @info->have clear: numa_group_id and numa_group_placeable_bytes (kernels
 * before ABI version 1), numa_group_pages (left out when the reader may
 * not ptrace-read every process with memory in the group). Returns 0, or
 * -1 with errno EINVAL if the text has no numa_group_node line (not a
 * group) or a malformed numa_group_ line, ENOMEM if out of memory.
 */
int ng_parse_fdinfo(const char *text, struct ng_info *info);

/* ng_info_free - free what ng_parse_fdinfo() allocated in @info. */
void ng_info_free(struct ng_info *info);

/*
 * ng_is_group_fd - 1 if descriptor @fd of process @pid (0: the caller) is a
 * numa_group, 0 if it is something else, -1 with errno if it cannot be
 * told (ENOENT: no such descriptor; EACCES...).
 */
int ng_is_group_fd(pid_t pid, int fd);

/* ng_read_fdinfo - ng_parse_fdinfo() of /proc/PID/fdinfo/FD (pid 0: self). */
int ng_read_fdinfo(pid_t pid, int fd, struct ng_info *info);

/*
 * ng_show - the state of every group descriptor of process @pid (0: self).
 * Stores a malloc'ed array sorted by descriptor in *@infos (NULL if there
 * is none) and its length in *@nr; free with ng_show_free(). Descriptors
 * closed while it reads are skipped. Returns 0, or -1 with errno (ESRCH:
 * no such process; EACCES: not allowed to read its descriptors).
 */
int ng_show(pid_t pid, struct ng_info **infos, size_t *nr);
void ng_show_free(struct ng_info *infos, size_t nr);

/* -------------------------------------------------------------------------
 * Error messages.
 */

enum ng_op {
	NG_OP_CREATE,		/* numa_group_create() */
	NG_OP_MEM_ADD,		/* numa_group_mem() */
	NG_OP_MEM_REMOVE,	/* numa_group_mem(..., NUMA_GROUP_REMOVE) */
	NG_OP_TASK_ADD,		/* numa_group_task() */
	NG_OP_TASK_REMOVE,	/* numa_group_task(..., NUMA_GROUP_REMOVE) */
	NG_OP_PIDFD_OPEN,	/* pidfd_open() of a helper */
	NG_OP_PIDFD_GETFD,	/* pidfd_getfd() */
};

/*
 * ng_strerror - what errno @err means for operation @op, in the words of
 * the syscall documentation (e.g. EBUSY on NG_OP_MEM_ADD: "part of the
 * range is already in a numa group"). Falls back to strerror(@err) for an
 * errno the call does not document. The string is static; do not free.
 */
const char *ng_strerror(enum ng_op op, int err);

#ifdef __cplusplus
}
#endif

#endif /* _NUMAGROUP_H */
