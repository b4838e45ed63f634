// SPDX-License-Identifier: GPL-2.0
/*
 * numa02: one process, T threads (default: one per CPU), SIZE in all, each
 * thread writing its own slice over and over for SECONDS (-d) or PASSES
 * times (-l). The main thread first writes
 * the whole buffer on one node (-z), so the slices of the threads that run
 * elsewhere start remote. The ideal is thread t and its slice on node
 * t * nodes / T. Re-implemented from the benchmark notes.
 *
 * With -G each thread makes a numa_group of itself and its slice.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

static unsigned long nthreads, size_mb, passes, init_node;

static void *worker(void *arg)
{
	struct wl_worker *w = arg;
	int group;

	if (wl_opts.bind != WL_BIND_NONE)
		wl_bind_cpus(w->home);
	group = wl_group_thread(w->region, w->bytes);
	wl_start_wait();
	wl_worker_write(w, passes, wl_opts.duration);
	wl_group_end(group);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: numa02 [-t THREADS] [-s MiB] [-d SEC] [-l PASSES] [-z NODE] [options]\n"
		"  -t N      threads (default: one per CPU)\n"
		"  -s MiB    buffer in all (default 128)\n"
		"  -l N      at most N passes over each slice (default 0: as many as -d allows)\n"
		"  -z NODE   node all memory starts on without binding (default 0)\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct wl_opt opts[] = {
		WL_OPT_NUM('t', &nthreads, 1),
		WL_OPT_NUM('s', &size_mb, 1),
		WL_OPT_NUM('l', &passes, 0),
		WL_OPT_NUM('z', &init_node, 0),
		{ 0 }
	};
	size_t size, slice;
	struct wl_worker *w;

	size_mb = 128;
	wl_setup(argc, argv, "t:s:l:z:", opts, usage);
	wl_check_limits(passes);
	if (!nthreads)
		nthreads = wl_topo.cpus;
	wl_check_node("-z", init_node);
	wl_info("workload", "numa02 t=%lu s=%luMiB d=%gs l=%lu z=%lu", nthreads, size_mb,
		wl_opts.duration, passes, init_node);
	wl_info("threads", "%lu", nthreads);

	size = size_mb << 20;
	slice = wl_slice_size(size, nthreads);
	w = wl_workers_spread(nthreads);
	wl_slices_new(w, nthreads, size, slice, init_node);

	wl_start_init(nthreads);
	wl_workers_start(w, nthreads, worker);
	wl_start_go();
	wl_workers_join(w, nthreads);
	wl_mark(1);
	return 0;
}
