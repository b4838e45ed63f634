/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa-group show: the table of a process's groups.
 */
#ifndef _NG_SHOW_H
#define _NG_SHOW_H

#include <stdio.h>
#include <sys/types.h>

#include "numagroup.h"

/* Print the groups @infos (@nr of them) of process @pid, named @comm. */
void print_groups(FILE *f, pid_t pid, const char *comm,
		  const struct ng_info *infos, size_t nr);

#endif /* _NG_SHOW_H */
