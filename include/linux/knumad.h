/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knumad: background NUMA placement by a kernel thread.
 *
 * The interface the rest of the kernel sees. Every hook is a static-key
 * test first, so a kernel built with CONFIG_KNUMAD=y costs nothing while
 * knumad is disabled, and the stubs below make it vanish when =n.
 *
 * See Documentation/admin-guide/mm/knumad.rst.
 */
#ifndef _LINUX_KNUMAD_H
#define _LINUX_KNUMAD_H

#include <linux/jump_label.h>

#ifdef CONFIG_KNUMAD

DECLARE_STATIC_KEY_FALSE(knumad_enabled_key);

/**
 * knumad_enabled() - Is knumad placing tasks and memory right now?
 *
 * Return: true while the knumad sysctl is 1. Costs one patched branch.
 */
static inline bool knumad_enabled(void)
{
	return static_branch_unlikely(&knumad_enabled_key);
}

void knumad_placement_lock(void);
void knumad_placement_unlock(void);

#else /* !CONFIG_KNUMAD */

static inline bool knumad_enabled(void)
{
	return false;
}

static inline void knumad_placement_lock(void)
{
}

static inline void knumad_placement_unlock(void)
{
}

#endif /* CONFIG_KNUMAD */

#endif /* _LINUX_KNUMAD_H */
