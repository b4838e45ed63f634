/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libnumagroup's internals that the numa-group command shares. Not part of
 * the library's API: the shared library does not export them
 * (libnumagroup.map); the command links the static library.
 */
#ifndef _NUMAGROUP_INTERNAL_H
#define _NUMAGROUP_INTERNAL_H

/* Read a whole file into a NUL-terminated malloc'ed buffer (NULL, errno). */
char *ng__read_text_file(const char *path);

#endif /* _NUMAGROUP_INTERNAL_H */
