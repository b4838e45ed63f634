// SPDX-License-Identifier: GPL-2.0
/*
 * locality-mark ID: place a locality marker (0..255) from a shell script,
 * e.g. around a benchmark phase. See locality-mark.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "locality-mark.h"

int main(int argc, char **argv)
{
	char *end;
	unsigned long id;

	if (argc != 2) {
		fprintf(stderr, "usage: locality-mark ID (0..255)\n");
		return 2;
	}
	id = strtoul(argv[1], &end, 0);
	if (*end || end == argv[1] || id > 255) {
		fprintf(stderr, "locality-mark: '%s' is not 0..255\n", argv[1]);
		return 2;
	}
	if (locality_mark(id)) {
		perror("locality-mark: mmap");
		return 1;
	}
	return 0;
}
