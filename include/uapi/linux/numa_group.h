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
 * See Documentation/userspace-api/numa_group.rst.
 */
#ifndef _UAPI_LINUX_NUMA_GROUP_H
#define _UAPI_LINUX_NUMA_GROUP_H

#include <linux/types.h>

/**
 * struct numa_group_attr - Arguments of numa_group_create().
 * @flags: reserved for future use, must be 0.
 * @node: the node the group starts on, or %NUMA_GROUP_NODE_ANY to let
 *	knumad choose from where the group's memory is. A hint only: knumad
 *	may move the group later.
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

/* The pidfd argument: the calling thread (task) or process (mem). */
#define NUMA_GROUP_SELF			(-100)

/* flags of numa_group_mem() and numa_group_task(): leave the group. */
#define NUMA_GROUP_REMOVE		(1U << 0)

#endif /* _UAPI_LINUX_NUMA_GROUP_H */
