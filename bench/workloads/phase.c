// SPDX-License-Identifier: GPL-2.0
/*
 * phase: idle, then busy on new memory. T threads (default: one per CPU)
 * first sleep for QUIET seconds, or with -Q spend them writing a small
 * private buffer each (1 MiB where the thread runs: busy, but nothing to
 * place, so a balancer that backs off its scanning when nothing moves will
 * have backed off). Then the main thread writes a new SIZE buffer on one
 * node (-z) and
 * each thread writes its own slice of it PASSES times: the slices of the
 * threads on other nodes start remote. Markers: ID at the start, ID+2 at the
 * busy phase's start, ID+1 at the end; samples are taken in the busy phase.
 */
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define QUIET_BYTES	(1UL << 20)

static unsigned long nthreads, size_mb, passes, quiet_s;
static int init_node, busy_quiet;
static struct wl_barrier *ready, *quiet_done, *busy_go;
static int quiet_over;

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
	uint64_t bytes = 0, v = 0;
	unsigned long i;
	char *mine;

	if (wl_opts.bind != WL_BIND_NONE)
		wl_bind_cpus(w->home);
	mine = wl_alloc(QUIET_BYTES);
	wl_barrier_wait(ready);
	while (!__atomic_load_n(&quiet_over, __ATOMIC_ACQUIRE)) {
		if (!busy_quiet)
			wl_sleep(0.05);
		else
			wl_write(mine, QUIET_BYTES, ++v);
	}
	wl_free(mine, QUIET_BYTES);
	wl_barrier_wait(quiet_done);
	wl_barrier_wait(busy_go);
	wl_sampler_init(&s, w->region, w->bytes, 1);
	for (i = 0; i < passes; i++)
		bytes += wl_pass(w->region, w->bytes, i + 1, 1, &s);
	wl_worker_done(bytes, 1);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: phase [-t THREADS] [-q QUIET_S] [-Q] [-s MiB] [-l PASSES] [-z NODE] [options]\n"
		"  -t N      threads (default: one per CPU)\n"
		"  -q S      seconds of the idle phase (default 10)\n"
		"  -Q        write 1 MiB each in the idle phase instead of sleeping\n"
		"  -s MiB    new buffer of the busy phase, in all (default 128)\n"
		"  -l N      passes over each slice in the busy phase (default 40)\n"
		"  -z NODE   node the new buffer starts on without binding (default 0)\n"
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
	quiet_s = 10;
	while ((c = getopt(argc, argv, "t:q:Qs:l:z:" WL_COMMON_OPTS)) != -1) {
		if (wl_common_opt(c, optarg))
			continue;
		switch (c) {
		case 't':
			nthreads = wl_num("-t", optarg, 1);
			break;
		case 'q':
			quiet_s = wl_num("-q", optarg, 0);
			break;
		case 'Q':
			busy_quiet = 1;
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
	wl_info("workload", "phase t=%lu q=%lus(%s) s=%luMiB l=%lu z=%d", nthreads, quiet_s,
		busy_quiet ? "busy on 1 MiB" : "asleep", size_mb, passes, init_node);
	wl_info("threads", "%lu", nthreads);

	size = size_mb << 20;
	slice = (size / nthreads) & ~4095UL;
	w = calloc(nthreads, sizeof(*w));
	if (!w || !slice)
		wl_die("bad size or out of memory");
	ready = wl_barrier_new(nthreads + 1);
	quiet_done = wl_barrier_new(nthreads + 1);
	busy_go = wl_barrier_new(nthreads + 1);
	for (t = 0; t < nthreads; t++) {
		w[t].home = t * wl_topo.nodes / nthreads;
		if (pthread_create(&w[t].th, NULL, worker, &w[t]))
			wl_die("pthread_create failed");
	}
	wl_barrier_wait(ready);
	wl_mark(0);
	wl_sleep(quiet_s);
	__atomic_store_n(&quiet_over, 1, __ATOMIC_RELEASE);
	wl_barrier_wait(quiet_done);

	/* The busy phase's new memory, all on one node unless bound. */
	buf = wl_alloc(size);
	for (t = 0; t < nthreads; t++) {
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
	wl_mark(2);
	wl_barrier_wait(busy_go);
	for (t = 0; t < nthreads; t++)
		pthread_join(w[t].th, NULL);
	wl_mark(1);
	return 0;
}
