// SPDX-License-Identifier: GPL-2.0
/*
 * numa01: P processes x T threads. Each process allocates SIZE, first
 * written entirely on one node (-z, as numa01's NO_BIND_FORCE_SAME_NODE
 * does: the worst start), then each thread writes the whole shared buffer
 * over and over for SECONDS (-d) or PASSES times (-l). With -A
 * (numa01_THREAD_ALLOC) each thread writes only its own slice. The ideal is process p's threads and memory on node p % nodes.
 *
 * Re-implemented from the behaviour described in the benchmark notes (the
 * original is GPL-2.0 and not copied). Differences: P defaults to the number
 * of nodes (one process per node on 2 and 4 nodes alike), the inverse
 * binding inverts every process, and the loops write 8-byte words.
 *
 * With -P NODE every thread is pinned to NODE's CPUs in every mode (the
 * "pinned" workload: the CPU cannot follow the memory, the memory must
 * follow the CPU); the bindings then take NODE as every process's home.
 *
 * With -G each process makes a numa_group of its worker threads and its
 * buffer; with -A -G each thread one of itself and its slice instead.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

static unsigned long nprocs, nthreads, size_mb, passes, thread_alloc, init_node;
static unsigned long pin_node = -1UL;	/* -P: every thread's node, or none */
static int group = -1;		/* this process's numa_group (-G, not -A) */

static void *worker(void *arg)
{
	struct wl_worker *w = arg;
	int mine = -1;

	if (thread_alloc)
		mine = wl_group_thread(w->region, w->bytes);
	else
		wl_group_self(group);
	wl_start_wait();
	wl_worker_write(w, passes, wl_opts.duration);
	wl_group_end(mine);
	return NULL;
}

static void process(int p)
{
	size_t size = size_mb << 20, slice = size / nthreads;
	int home = pin_node != -1UL ? (int)pin_node : p % wl_topo.nodes;
	struct wl_worker *w = wl_workers_new(nthreads);
	unsigned long t;
	char *buf;

	if (wl_opts.bind != WL_BIND_NONE || pin_node != -1UL)
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

	if (thread_alloc) {
		wl_slices(w, nthreads, buf, slice);
	} else {
		for (t = 0; t < nthreads; t++) {
			w[t].region = buf;
			w[t].bytes = size;
			w[t].share = nthreads;
		}
		group = wl_group_mem(wl_group_new(), buf, size);
	}
	wl_workers_start(w, nthreads, worker);
	wl_workers_join(w, nthreads);
	wl_group_end(group);
	exit(0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: numa01 [-A] [-p PROCS] [-t THREADS] [-s MiB] [-d SEC] [-l PASSES] [-z NODE]\n"
		"              [-P NODE] [options]\n"
		"  -A        numa01_THREAD_ALLOC: each thread writes its own slice\n"
		"  -p N      processes (default: one per node)\n"
		"  -t N      threads per process (default: CPUs / processes)\n"
		"  -s MiB    buffer per process (default 64)\n"
		"  -l N      at most N passes (default 0: as many as -d allows)\n"
		"  -z NODE   node all memory starts on without binding (default 0)\n"
		"  -P NODE   pin every thread to NODE's CPUs, in every mode\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct wl_opt opts[] = {
		WL_OPT_FLAG('A', &thread_alloc),
		WL_OPT_NUM('p', &nprocs, 1),
		WL_OPT_NUM('t', &nthreads, 1),
		WL_OPT_NUM('s', &size_mb, 1),
		WL_OPT_NUM('l', &passes, 0),
		WL_OPT_NUM('z', &init_node, 0),
		WL_OPT_NUM('P', &pin_node, 0),
		{ 0 }
	};

	size_mb = 64;
	wl_setup(argc, argv, "Ap:t:s:l:z:P:", opts, usage);
	wl_check_limits(passes);
	if (!nprocs)
		nprocs = wl_topo.nodes;
	if (!nthreads)
		nthreads = wl_cpus_per(nprocs);
	wl_check_node("-z", init_node);
	if (pin_node != -1UL)
		wl_check_node("-P", pin_node);
	wl_info("workload", "numa01%s p=%lu t=%lu s=%luMiB d=%gs l=%lu z=%lu P=%ld", thread_alloc ?
		"_THREAD_ALLOC" : "", nprocs, nthreads, size_mb, wl_opts.duration, passes, init_node,
		(long)pin_node);
	wl_info("threads", "%lu", nprocs * nthreads);

	return wl_run_procs(nprocs, nthreads, process);
}
