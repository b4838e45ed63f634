// SPDX-License-Identifier: GPL-2.0
/*
 * numa01: P processes x T threads. Each process allocates SIZE, first
 * written entirely on one node (-z, as numa01's NO_BIND_FORCE_SAME_NODE
 * does: the worst start), then each thread writes the whole shared buffer
 * PASSES times. With -A (numa01_THREAD_ALLOC) each thread writes only its
 * own slice. The ideal is process p's threads and memory on node p % nodes.
 *
 * Re-implemented from the behaviour described in the benchmark notes (the
 * original is GPL-2.0 and not copied). Differences: P defaults to the number
 * of nodes (one process per node on 2 and 4 nodes alike), the inverse
 * binding inverts every process, and the loops write 8-byte words.
 */
#include "common.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long nprocs, nthreads, size_mb, passes;
static int thread_alloc, init_node;
static struct wl_barrier *ready, *go;

struct worker {
	pthread_t th;
	char *region;
	size_t bytes;
	int share;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct wl_sampler s;
	uint64_t bytes = 0;
	unsigned long i;

	wl_sampler_init(&s, w->region, w->bytes, w->share);
	wl_barrier_wait(ready);
	wl_barrier_wait(go);
	for (i = 0; i < passes; i++)
		bytes += wl_pass(w->region, w->bytes, i + 1, 1, &s);
	wl_worker_done(bytes, w->share);
	return NULL;
}

static void process(int p)
{
	size_t size = size_mb << 20, slice = size / nthreads;
	int home = p % wl_topo.nodes;
	struct worker *w = calloc(nthreads, sizeof(*w));
	unsigned long t;
	char *buf;

	if (!w)
		wl_die("out of memory");
	if (wl_opts.bind != WL_BIND_NONE)
		wl_bind_cpus(home);
	switch (wl_opts.bind) {
	case WL_BIND_NONE:
		wl_bind_mem(init_node);
		break;
	case WL_BIND_HARD:
		wl_bind_mem(home);
		break;
	case WL_BIND_INVERSE:
		wl_bind_mem(wl_inverse(home));
		break;
	}
	buf = wl_alloc(size);
	wl_write(buf, size, 0);
	if (wl_opts.bind == WL_BIND_NONE)
		wl_default_mem();

	for (t = 0; t < nthreads; t++) {
		w[t].region = thread_alloc ? buf + t * slice : buf;
		w[t].bytes = thread_alloc ? slice : size;
		w[t].share = thread_alloc ? 1 : nthreads;
		if (pthread_create(&w[t].th, NULL, worker, &w[t]))
			wl_die("pthread_create failed");
	}
	for (t = 0; t < nthreads; t++)
		pthread_join(w[t].th, NULL);
	exit(0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: numa01 [-A] [-p PROCS] [-t THREADS] [-s MiB] [-l PASSES] [-z NODE] [options]\n"
		"  -A        numa01_THREAD_ALLOC: each thread writes its own slice\n"
		"  -p N      processes (default: one per node)\n"
		"  -t N      threads per process (default: CPUs / processes)\n"
		"  -s MiB    buffer per process (default 64)\n"
		"  -l N      passes (default 20)\n"
		"  -z NODE   node all memory starts on without binding (default 0)\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long p;
	int c, status, failed = 0;

	size_mb = 64;
	passes = 20;
	while ((c = getopt(argc, argv, "Ap:t:s:l:z:" WL_COMMON_OPTS)) != -1) {
		if (wl_common_opt(c, optarg))
			continue;
		switch (c) {
		case 'A':
			thread_alloc = 1;
			break;
		case 'p':
			nprocs = wl_num("-p", optarg, 1);
			break;
		case 't':
			nthreads = wl_num("-t", optarg, 1);
			break;
		case 's':
			size_mb = wl_num("-s", optarg, 1);
			break;
		case 'l':
			passes = wl_num("-l", optarg, 1);
			break;
		case 'z':
			init_node = wl_num("-z", optarg, 0);
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
	if (init_node >= wl_topo.nodes)
		wl_die("-z %d: only %d nodes", init_node, wl_topo.nodes);
	wl_info("workload", "numa01%s p=%lu t=%lu s=%luMiB l=%lu z=%d", thread_alloc ?
		"_THREAD_ALLOC" : "", nprocs, nthreads, size_mb, passes, init_node);
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
