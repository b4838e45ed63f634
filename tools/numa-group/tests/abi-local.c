// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled with -DNUMAGROUP_LOCAL_ABI: the layout and constants of the
 * copy of the ABI in numagroup.h, for test-numagroup.c to compare with
 * <linux/numa_group.h>.
 */
#include <stddef.h>

#include "numagroup.h"

#ifdef _UAPI_LINUX_NUMA_GROUP_H
#error "the uapi header was included: this file must see the local copy"
#endif

const size_t local_abi[] = {
	sizeof(struct numa_group_attr),
	offsetof(struct numa_group_attr, flags),
	offsetof(struct numa_group_attr, node),
	offsetof(struct numa_group_attr, __reserved),
	sizeof(((struct numa_group_attr *)0)->flags),
	sizeof(((struct numa_group_attr *)0)->node),
	NUMA_GROUP_ATTR_SIZE_VER0,
	(size_t)NUMA_GROUP_NODE_ANY,
	NUMA_GROUP_CREATE_VERSION,
	(size_t)NUMA_GROUP_SELF_THREAD,
	(size_t)NUMA_GROUP_SELF_PROCESS,
	NUMA_GROUP_REMOVE,
};
const size_t local_abi_count = sizeof(local_abi) / sizeof(local_abi[0]);
