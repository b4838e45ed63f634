// SPDX-License-Identifier: GPL-2.0
/*
 * memcmp: the remote-RAM benchmark of "What's coming from the MM for KVM"
 * (KVM Forum 2011), scaled down. P processes x T threads; process p's
 * buffer is written under MPOL_BIND to node p % nodes (the slides' "only
 * mempolicy" case: the memory is where it should be, the scheduler does not
 * know), then every thread memcmp()s the two halves of its process's buffer
 * PASSES times. The CPUs must follow the memory.
 *
 *   none     CPUs free: the scheduler's choice
 *   hard     process p's threads on node p % nodes (the slides' best case)
 *   inverse  on the node half-way round (the slides' worst case)
 */
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK	(1UL << 20)

static unsigned long nprocs, nthreads, size_mb, passes;
static struct wl_barrier *ready, *go;
static int mismatch;

static void *worker(void *arg)
{
	char *buf = arg;
	size_t half = (size_mb << 20) / 2, off, len;
	struct wl_sampler s;
	uint64_t bytes = 0;
	unsigned long i;

	wl_sampler_init(&s, buf, 2 * half, nthreads);
	wl_barrier_wait(ready);
	wl_barrier_wait(go);
	for (i = 0; i < passes; i++) {
		for (off = 0; off < half; off += len) {
			len = half - off < CHUNK ? half - off : CHUNK;
			if (memcmp(buf + off, buf + half + off, len))
				__atomic_store_n(&mismatch, 1, __ATOMIC_RELAXED);
			wl_sample_maybe(&s);
		}
		bytes += 2 * half;
	}
	wl_worker_done(bytes, nthreads);
	return NULL;
}

static void process(int p)
{
	int home = p % wl_topo.nodes;
	size_t size = size_mb << 20;
	pthread_t *th = calloc(nthreads, sizeof(*th));
	unsigned long t;
	char *buf;

	if (!th)
		wl_die("out of memory");
	if (wl_opts.bind == WL_BIND_HARD)
		wl_bind_cpus(home);
	else if (wl_opts.bind == WL_BIND_INVERSE)
		wl_bind_cpus(wl_inverse(home));
	wl_bind_mem(home);
	buf = wl_alloc(size);
	wl_write(buf, size, 0x5a5a5a5a5a5a5a5aULL);
	wl_default_mem();
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, worker, buf))
			wl_die("pthread_create failed");
	for (t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	if (__atomic_load_n(&mismatch, __ATOMIC_RELAXED))
		wl_die("memcmp: the halves differ");
	exit(0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: memcmp [-p PROCS] [-t THREADS] [-s MiB] [-l PASSES] [options]\n"
		"  -p N      processes (default: one per node)\n"
		"  -t N      threads per process (default: CPUs / processes)\n"
		"  -s MiB    buffer per process, compared half against half (default 64)\n"
		"  -l N      passes (default 10)\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long p;
	int c, status, failed = 0;

	size_mb = 64;
	passes = 10;
	while ((c = getopt(argc, argv, "p:t:s:l:" WL_COMMON_OPTS)) != -1) {
		if (wl_common_opt(c, optarg))
			continue;
		switch (c) {
		case 'p':
			nprocs = wl_num("-p", optarg, 1);
			break;
		case 't':
			nthreads = wl_num("-t", optarg, 1);
			break;
		case 's':
			size_mb = wl_num("-s", optarg, 2);
			break;
		case 'l':
			passes = wl_num("-l", optarg, 1);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	wl_init();
	if (!nprocs)
		nprocs = wl_topo.nodes;
	if (!nthreads)
		nthreads = wl_topo.cpus / nprocs ? wl_topo.cpus / nprocs : 1;
	wl_info("workload", "memcmp p=%lu t=%lu s=%luMiB l=%lu", nprocs, nthreads, size_mb, passes);
	wl_info("threads", "%lu", nprocs * nthreads);

	ready = wl_barrier_new(nprocs * nthreads + 1);
	go = wl_barrier_new(nprocs * nthreads + 1);
	for (p = 0; p < nprocs; p++) {
		pid_t pid = fork();

		if (pid < 0)
			wl_die("fork failed");
		if (!pid)
			process(p);
	}
	wl_barrier_wait(ready);
	wl_mark(0);
	wl_barrier_wait(go);
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	wl_mark(1);
	return failed;
}
