// SPDX-License-Identifier: GPL-2.0
/*
 * memcmp: the remote-RAM benchmark of "What's coming from the MM for KVM"
 * (KVM Forum 2011), scaled down. P processes x T threads; process p's
 * buffer is written under MPOL_BIND to node p % nodes (the slides' "only
 * mempolicy" case: the memory is where it should be, the scheduler does not
 * know), then every thread memcmp()s the two halves of its process's buffer
 * over and over for SECONDS (-d), or PASSES times (-l). The CPUs must follow
 * the memory.
 *
 *   none     CPUs free: the scheduler's choice
 *   hard     process p's threads on node p % nodes (the slides' best case)
 *   inverse  on the node half-way round (the slides' worst case)
 *
 * With -G each process makes a numa_group of its worker threads and its
 * buffer (the slides' soft binding: the memory says where).
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK	(1UL << 20)

static unsigned long nprocs, nthreads, size_mb, passes;
static int mismatch;
static int group = -1;		/* this process's numa_group (-G) */

static void *worker(void *arg)
{
	struct wl_worker *w = arg;
	char *buf = w->region;
	size_t half = w->bytes / 2, off, len;
	struct wl_sampler s;
	uint64_t bytes = 0;
	unsigned long i;

	wl_sampler_init(&s, buf, 2 * half, w->share);
	wl_group_self(group);
	wl_start_wait();
	wl_worker_begin(wl_opts.duration);
	for (i = 0; wl_more(i, passes); i++) {
		for (off = 0; off < half && !wl_time_up(); off += len) {
			len = half - off < CHUNK ? half - off : CHUNK;
			if (memcmp(buf + off, buf + half + off, len))
				__atomic_store_n(&mismatch, 1, __ATOMIC_RELAXED);
			wl_sample_maybe(&s);
			bytes += 2 * len;
		}
	}
	wl_worker_done(bytes, w->share);
	return NULL;
}

static void process(int p)
{
	int home = p % wl_topo.nodes;
	size_t size = size_mb << 20;
	struct wl_worker *w = wl_workers_new(nthreads);
	unsigned long t;
	char *buf;

	if (wl_opts.bind == WL_BIND_HARD)
		wl_bind_cpus(home);
	else if (wl_opts.bind == WL_BIND_INVERSE)
		wl_bind_cpus(wl_inverse(home));
	wl_bind_mem(home);
	buf = wl_alloc(size);
	wl_write(buf, size, 0x5a5a5a5a5a5a5a5aULL);
	wl_default_mem();
	group = wl_group_mem(wl_group_new(), buf, size);
	for (t = 0; t < nthreads; t++) {
		w[t].region = buf;
		w[t].bytes = size;
		w[t].share = nthreads;
	}
	wl_workers_start(w, nthreads, worker);
	wl_workers_join(w, nthreads);
	wl_group_end(group);
	if (__atomic_load_n(&mismatch, __ATOMIC_RELAXED))
		wl_die("memcmp: the halves differ");
	exit(0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: memcmp [-p PROCS] [-t THREADS] [-s MiB] [-d SEC] [-l PASSES] [options]\n"
		"  -p N      processes (default: one per node)\n"
		"  -t N      threads per process (default: CPUs / processes)\n"
		"  -s MiB    buffer per process, compared half against half (default 64)\n"
		"  -l N      at most N passes (default 0: as many as -d allows)\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct wl_opt opts[] = {
		WL_OPT_NUM('p', &nprocs, 1),
		WL_OPT_NUM('t', &nthreads, 1),
		WL_OPT_NUM('s', &size_mb, 2),
		WL_OPT_NUM('l', &passes, 0),
		{ 0 }
	};

	size_mb = 64;
	wl_setup(argc, argv, "p:t:s:l:", opts, usage);
	wl_check_limits(passes);
	if (!nprocs)
		nprocs = wl_topo.nodes;
	if (!nthreads)
		nthreads = wl_cpus_per(nprocs);
	wl_info("workload", "memcmp p=%lu t=%lu s=%luMiB d=%gs l=%lu", nprocs, nthreads, size_mb,
		wl_opts.duration, passes);
	wl_info("threads", "%lu", nprocs * nthreads);

	return wl_run_procs(nprocs, nthreads, process);
}
