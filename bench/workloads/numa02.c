// SPDX-License-Identifier: GPL-2.0
/*
 * numa02: one process, T threads (default: one per CPU), SIZE in all, each
 * thread writing its own slice PASSES times. The main thread first writes
 * the whole buffer on one node (-z), so the slices of the threads that run
 * elsewhere start remote. The ideal is thread t and its slice on node
 * t * nodes / T. Re-implemented from the benchmark notes.
 */
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned long nthreads, size_mb, passes;
static int init_node;
static struct wl_barrier *ready, *go;

struct worker {
	pthread_t th;
	int home;
	char *region;
	size_t bytes;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct wl_sampler s;
	uint64_t bytes = 0;
	unsigned long i;

	if (wl_opts.bind != WL_BIND_NONE)
		wl_bind_cpus(w->home);
	wl_sampler_init(&s, w->region, w->bytes, 1);
	wl_barrier_wait(ready);
	wl_barrier_wait(go);
	for (i = 0; i < passes; i++)
		bytes += wl_pass(w->region, w->bytes, i + 1, 1, &s);
	wl_worker_done(bytes, 1);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: numa02 [-t THREADS] [-s MiB] [-l PASSES] [-z NODE] [options]\n"
		"  -t N      threads (default: one per CPU)\n"
		"  -s MiB    buffer in all (default 128)\n"
		"  -l N      passes over each slice (default 40)\n"
		"  -z NODE   node all memory starts on without binding (default 0)\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	size_t size, slice;
	struct worker *w;
	unsigned long t;
	char *buf;
	int c;

	size_mb = 128;
	passes = 40;
	while ((c = getopt(argc, argv, "t:s:l:z:" WL_COMMON_OPTS)) != -1) {
		if (wl_common_opt(c, optarg))
			continue;
		switch (c) {
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
	if (!nthreads)
		nthreads = wl_topo.cpus;
	if (init_node >= wl_topo.nodes)
		wl_die("-z %d: only %d nodes", init_node, wl_topo.nodes);
	wl_info("workload", "numa02 t=%lu s=%luMiB l=%lu z=%d", nthreads, size_mb, passes, init_node);
	wl_info("threads", "%lu", nthreads);

	size = size_mb << 20;
	slice = (size / nthreads) & ~4095UL;
	w = calloc(nthreads, sizeof(*w));
	if (!w || !slice)
		wl_die("bad size or out of memory");
	buf = wl_alloc(size);
	for (t = 0; t < nthreads; t++) {
		w[t].home = t * wl_topo.nodes / nthreads;
		w[t].region = buf + t * slice;
		w[t].bytes = slice;
		if (wl_opts.bind == WL_BIND_HARD)
			wl_mbind(w[t].region, slice, w[t].home);
		else if (wl_opts.bind == WL_BIND_INVERSE)
			wl_mbind(w[t].region, slice, wl_inverse(w[t].home));
	}
	if (wl_opts.bind == WL_BIND_NONE)
		wl_bind_mem(init_node);
	wl_write(buf, size, 0);
	if (wl_opts.bind == WL_BIND_NONE)
		wl_default_mem();

	ready = wl_barrier_new(nthreads + 1);
	go = wl_barrier_new(nthreads + 1);
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&w[t].th, NULL, worker, &w[t]))
			wl_die("pthread_create failed");
	wl_barrier_wait(ready);
	wl_mark(0);
	wl_barrier_wait(go);
	for (t = 0; t < nthreads; t++)
		pthread_join(w[t].th, NULL);
	wl_mark(1);
	return 0;
}
