// SPDX-License-Identifier: GPL-2.0
/*
 * phase: idle, then busy on new memory. T threads (default: one per CPU)
 * first sleep for QUIET seconds, or with -Q spend them writing a small
 * private buffer each (1 MiB where the thread runs: busy, but nothing to
 * place, so a balancer that backs off its scanning when nothing moves will
 * have backed off). Then the main thread writes a new SIZE buffer on one
 * node (-z) and
 * each thread writes its own slice of it over and over for SECONDS (-d, the
 * busy phase) or PASSES times (-l): the slices of the threads on other
 * nodes start remote. Markers: ID at the start, ID+2 at the
 * busy phase's start, ID+1 at the end; samples are taken in the busy phase.
 *
 * With -G, when the busy phase starts, the main thread makes one numa_group
 * of the new buffer and the worker threads join it: one group for the
 * process's work (larger than a node when T is one per CPU: knumad gives it
 * one node, and the threads that do not fit there run elsewhere).
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

#define QUIET_BYTES	(1UL << 20)

static unsigned long nthreads, size_mb, passes, quiet_s, init_node, busy_quiet;
static struct wl_barrier *ready, *quiet_done, *busy_go;
static int quiet_over;
static int group = -1;		/* the busy phase's numa_group (-G) */

static void *worker(void *arg)
{
	struct wl_worker *w = arg;
	uint64_t v = 0;
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
	wl_group_self(group);
	wl_worker_write(w, passes, wl_opts.duration);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: phase [-t THREADS] [-q QUIET_S] [-Q] [-s MiB] [-d SEC] [-l PASSES] [-z NODE]\n"
		"             [options]\n"
		"  -t N      threads (default: one per CPU)\n"
		"  -q S      seconds of the idle phase (default 10)\n"
		"  -Q        write 1 MiB each in the idle phase instead of sleeping\n"
		"  -s MiB    new buffer of the busy phase, in all (default 128)\n"
		"  -l N      at most N passes over each slice in the busy phase\n"
		"            (default 0: as many as -d, the busy phase's length, allows)\n"
		"  -z NODE   node the new buffer starts on without binding (default 0)\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct wl_opt opts[] = {
		WL_OPT_NUM('t', &nthreads, 1),
		WL_OPT_NUM('q', &quiet_s, 0),
		WL_OPT_FLAG('Q', &busy_quiet),
		WL_OPT_NUM('s', &size_mb, 1),
		WL_OPT_NUM('l', &passes, 0),
		WL_OPT_NUM('z', &init_node, 0),
		{ 0 }
	};
	size_t size, slice;
	struct wl_worker *w;
	char *buf;

	size_mb = 128;
	quiet_s = 10;
	wl_setup(argc, argv, "t:q:Qs:l:z:", opts, usage);
	wl_check_limits(passes);
	if (!nthreads)
		nthreads = wl_topo.cpus;
	wl_check_node("-z", init_node);
	wl_info("workload", "phase t=%lu q=%lus(%s) s=%luMiB d=%gs l=%lu z=%lu", nthreads, quiet_s,
		busy_quiet ? "busy on 1 MiB" : "asleep", size_mb, wl_opts.duration, passes, init_node);
	wl_info("threads", "%lu", nthreads);

	size = size_mb << 20;
	slice = wl_slice_size(size, nthreads);
	w = wl_workers_spread(nthreads);
	ready = wl_barrier_new(nthreads + 1);
	quiet_done = wl_barrier_new(nthreads + 1);
	busy_go = wl_barrier_new(nthreads + 1);
	wl_workers_start(w, nthreads, worker);
	wl_barrier_wait(ready);
	wl_mark(0);
	wl_sleep(quiet_s);
	__atomic_store_n(&quiet_over, 1, __ATOMIC_RELEASE);
	wl_barrier_wait(quiet_done);

	/*
	 * The busy phase's new memory, all on one node unless bound, and its
	 * group: the workers join it as they start (after the marker).
	 */
	buf = wl_slices_new(w, nthreads, size, slice, init_node);
	group = wl_group_mem(wl_group_new(), buf, size);
	wl_mark(2);
	wl_barrier_wait(busy_go);
	wl_workers_join(w, nthreads);
	wl_mark(1);
	wl_group_end(group);
	return 0;
}
