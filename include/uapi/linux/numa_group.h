/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * numa_group: soft NUMA bindings. A program says which threads and which
 * memory belong together; knumad decides on which node they live, keeps
 * them there, and may move the whole group when balance requires it.
 *
 *   int numa_group_create(const struct numa_group_attr *attr, size_t size,
 *                         unsigned int flags);
 *   int numa_group_mem(int group_fd, int pidfd, unsigned long addr,
 *                      unsigned long len, unsigned int flags);
 *   int numa_group_task(int group_fd, int pidfd, unsigned int flags);
 *
 * Each call's flags argument has its own bits: NUMA_GROUP_CREATE_VERSION
 * for numa_group_create(), NUMA_GROUP_REMOVE for the two others; attr.flags
 * has none yet.
 *
 * See Documentation/userspace-api/numa_group.rst.
 */
#ifndef _UAPI_LINUX_NUMA_GROUP_H
#define _UAPI_LINUX_NUMA_GROUP_H

#include <linux/types.h>

/**
 * struct numa_group_attr - Arguments of numa_group_create().
 * @flags: reserved for future use, must be 0.
 * @node: the node the group starts on, or %NUMA_GROUP_NODE_ANY to let
 *	knumad choose from where the group's memory is. It must be an online
 *	node with CPUs. A hint only: knumad may move the group later.
 * @__reserved: must be 0.
 *
 * Extensible: the caller passes sizeof(struct numa_group_attr) it was
 * built with; a larger struct is accepted if the bytes the kernel does not
 * know are zero, a smaller one (at least %NUMA_GROUP_ATTR_SIZE_VER0) gets
 * zeroes for the fields it lacks.
 */
struct numa_group_attr {
	__u64 flags;
	__s32 node;
	__u32 __reserved;
};

/* sizeof() of the first published struct numa_group_attr. */
#define NUMA_GROUP_ATTR_SIZE_VER0	16

/* numa_group_attr.node: no initial node, knumad chooses. */
#define NUMA_GROUP_NODE_ANY		(-1)

/*
 * flags of numa_group_create(): with attr NULL and size 0, create nothing
 * and return the ABI version of the calls (1 for this header).
 */
#define NUMA_GROUP_CREATE_VERSION	(1U << 0)

/*
 * The pidfd argument of numa_group_mem() and numa_group_task(), besides a
 * pidfd: the calling thread, or the calling process (all its threads, for
 * numa_group_task()). The values of mainline's PIDFD_SELF_THREAD and
 * PIDFD_SELF_THREAD_GROUP, chosen not to collide with AT_FDCWD.
 */
#define NUMA_GROUP_SELF_THREAD		(-10000)
#define NUMA_GROUP_SELF_PROCESS		(-20000)

/* flags of numa_group_mem() and numa_group_task(): leave the group. */
#define NUMA_GROUP_REMOVE		(1U << 0)

#endif /* _UAPI_LINUX_NUMA_GROUP_H */
