// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: the locality meter's test load. Allocates a buffer, writes every
 * word of it (so each page is faulted in under the caller's memory policy),
 * then reads it word by word, pass after pass, for a given time.
 *
 *   sweep [-s MiB] [-t SECONDS] [-m MARK]
 *
 * With -m, the read phase alone is bracketed by locality markers MARK and
 * MARK+1 (locality-mark.h), so the plugin's counts between them are the
 * sweep's own reads, free of program start-up and of the page faults.
 * Prints what it did, in MB/s, so that it also serves to measure overhead.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "locality-mark.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long mib = 128, mark = 0;
	double secs = 3, t0, t1, t2;
	int opt, marks = 0;
	volatile uint64_t *buf;
	uint64_t sum = 0;
	size_t i, n, passes = 0;

	while ((opt = getopt(argc, argv, "s:t:m:")) != -1) {
		switch (opt) {
		case 's':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'm':
			mark = strtoul(optarg, NULL, 0);
			marks = 1;
			break;
		default:
			fprintf(stderr, "usage: sweep [-s MiB] [-t SECONDS] [-m MARK]\n");
			return 2;
		}
	}
	if (!mib || mark > 254) {
		fprintf(stderr, "sweep: need -s >= 1 and -m 0..254\n");
		return 2;
	}
	n = (mib << 20) / sizeof(*buf);
	buf = malloc(n * sizeof(*buf));
	if (!buf) {
		perror("sweep: malloc");
		return 1;
	}

	/* volatile: one 8-byte store per word, not a memset the libc may do
	 * with byte-wise "rep stosb" (one plugin callback per byte in TCG). */
	t0 = now();
	for (i = 0; i < n; i++)
		buf[i] = i;
	t1 = now();

	if (marks)
		locality_mark(mark);
	do {
		for (i = 0; i < n; i++)
			sum += buf[i];
		passes++;
	} while (now() - t1 < secs);
	if (marks)
		locality_mark(mark + 1);
	t2 = now();

	printf("sweep: %lu MiB, touch %.3f s (%.0f MB/s), %zu read passes in %.3f s "
	       "(%.0f MB/s), checksum %llx\n", mib, t1 - t0,
	       (mib << 20) / (t1 - t0) / 1e6, passes, t2 - t1,
	       passes * (double)(mib << 20) / (t2 - t1) / 1e6,
	       (unsigned long long)sum);
	return 0;
}
