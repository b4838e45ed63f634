/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa-group: what the subcommands share.
 */
#ifndef _NG_CLI_H
#define _NG_CLI_H

#include <stdio.h>

/* Exit codes. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

extern const char *prog;

void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * require_kernel - check that the numa_group calls exist (ng_probe());
 * if not, say so and return -1.
 */
int require_kernel(void);

/* parse_interval - seconds (decimals allowed) into milliseconds; 0 / -1. */
int parse_interval(const char *s, int *ms);

int cmd_qemu(int argc, char **argv);

#endif /* _NG_CLI_H */
