// SPDX-License-Identifier: GPL-2.0
/*
 * mix: a dynamic mix, where a static placement loses. PROCS processes
 * (default: nodes + 2, so more processes than nodes) of T threads each
 * arrive over time: one per node at the start, then one every GAP seconds.
 * Each writes its own buffer once where it starts (no forced misplacement),
 * then each thread writes its own slice for WEIGHT units of work and the
 * process leaves. A unit is UNIT seconds (-u, default a third of -d), or
 * with -l PASSES that many passes over the slice; either way nothing works
 * past SECONDS (-d) after the start, so the mix lasts SECONDS. Default
 * weights: of the first ones, those on even nodes work 3 units (to the end)
 * and those on odd nodes 1 (they leave early), the later arrivals 3; the
 * last process, 1, changes phase: it first sleeps for QUIET seconds (its
 * threads exist but are idle), then allocates its buffer and works.
 *
 * So a static placement puts the third process on node 0 while node 1's
 * short-lived process is still there, and the phase-changer on node 1; when
 * the short one leaves, node 1 sits idle while node 0 stays crowded: the
 * kernel can do better by moving tasks, and memory after them.
 *
 * Bindings are static and computed when each process starts, as numad or
 * libvirt's placement would: the node with the fewest threads of running
 * bound processes (the lowest on a tie). hard binds CPUs and memory there;
 * inverse binds the CPUs there and the memory half-way round. With none the
 * kernel places everything.
 *
 * With -G each process, once its buffer is written, makes a numa_group of
 * its worker threads and its buffer (the phase-changer after its idle
 * phase: its idle threads are not in it).
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS	64

static unsigned long nprocs, nthreads, size_mb, passes, gap_s, quiet_s, unit_s;
static unsigned long weight[MAX_PROCS];
static unsigned long my_passes;
static double t_start, my_seconds;	/* the mix's start; this process's work */

/* This process's threads start together (each process is a fork()ed copy). */
static pthread_barrier_t go;
static int group = -1;		/* this process's numa_group (-G) */

static void *worker(void *arg)
{
	wl_group_self(group);
	pthread_barrier_wait(&go);
	wl_worker_write(arg, my_passes, my_seconds);
	return NULL;
}

static int quiet_over;

static void *quiet_worker(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&quiet_over, __ATOMIC_ACQUIRE))
		wl_sleep(0.05);
	return NULL;
}

static void quiet_phase(void)
{
	struct wl_worker *w = wl_workers_new(nthreads);

	wl_workers_start(w, nthreads, quiet_worker);
	wl_sleep(quiet_s);
	__atomic_store_n(&quiet_over, 1, __ATOMIC_RELEASE);
	wl_workers_join(w, nthreads);
	free(w);
}

static void process(int idx, int home, int phased)
{
	size_t size = size_mb << 20, slice = wl_slice_size(size, nthreads);
	struct wl_worker *w = wl_workers_new(nthreads);
	double unit = unit_s ? (double)unit_s : wl_opts.duration / 3;
	char *buf;

	my_passes = passes * weight[idx];
	if (wl_opts.bind != WL_BIND_NONE) {
		wl_bind_cpus(home);
		wl_bind_mem(wl_opts.bind == WL_BIND_HARD ? home : wl_inverse(home));
	}
	if (phased)
		quiet_phase();
	buf = wl_alloc(size);
	wl_write(buf, size, idx);
	group = wl_group_mem(wl_group_new(), buf, size);
	/*
	 * Time-based: WEIGHT units from now, but never past the mix's end (at
	 * least a moment, so that a late process still logs its work).
	 */
	if (wl_opts.duration > 0) {
		double left = t_start + wl_opts.duration - wl_now();

		my_seconds = passes ? left : weight[idx] * unit;
		if (my_seconds > left)
			my_seconds = left;
		if (my_seconds < 0.001)
			my_seconds = 0.001;
	}
	pthread_barrier_init(&go, NULL, nthreads + 1);
	wl_slices(w, nthreads, buf, slice);
	wl_workers_start(w, nthreads, worker);
	pthread_barrier_wait(&go);
	wl_workers_join(w, nthreads);
	wl_group_end(group);
	exit(0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mix [-n PROCS] [-t THREADS] [-s MiB] [-d SEC] [-u UNIT_S] [-l PASSES]\n"
		"           [-w W,W,..] [-g GAP_S] [-q QUIET_S] [options]\n"
		"  -n N      processes (default: nodes + 2)\n"
		"  -t N      threads per process (default: CPUs per node)\n"
		"  -s MiB    buffer per process (default 48)\n"
		"  -u S      seconds of work per unit (default: a third of -d)\n"
		"  -l N      a unit of work is N passes over each thread's slice instead\n"
		"            (default 0: units of time); -d still ends the mix\n"
		"  -w LIST   units of work per process (default: 3,1,3,1.. then 3.. and 1)\n"
		"  -g S      seconds between arrivals after the first one per node (default 1)\n"
		"  -q S      idle seconds of the last, phase-changing process (default 8)\n"
		WL_COMMON_USAGE);
	exit(2);
}

int main(int argc, char **argv)
{
	int load[WL_MAX_NODES] = { 0 }, home[MAX_PROCS];
	pid_t pids[MAX_PROCS];
	unsigned long next = 0, live = 0, i;
	int n, status, failed = 0;
	const char *weights = NULL;
	const struct wl_opt opts[] = {
		WL_OPT_NUM('n', &nprocs, 1),
		WL_OPT_NUM('t', &nthreads, 1),
		WL_OPT_NUM('s', &size_mb, 1),
		WL_OPT_NUM('l', &passes, 0),
		WL_OPT_NUM('u', &unit_s, 1),
		WL_OPT_STR('w', &weights),
		WL_OPT_NUM('g', &gap_s, 0),
		WL_OPT_NUM('q', &quiet_s, 0),
		{ 0 }
	};
	double t0;

	size_mb = 48;
	gap_s = 1;
	quiet_s = 8;
	wl_setup(argc, argv, "n:t:s:l:u:w:g:q:", opts, usage);
	wl_check_limits(passes);
	if (!nprocs)
		nprocs = wl_topo.nodes + 2;
	if (nprocs > MAX_PROCS)
		wl_die("-n: at most %d processes", MAX_PROCS);
	if (!nthreads)
		nthreads = wl_cpus_per(wl_topo.nodes);
	for (i = 0; i < nprocs; i++) {
		if (i == nprocs - 1)
			weight[i] = 1;
		else if (i < (unsigned long)wl_topo.nodes)
			weight[i] = i % 2 ? 1 : 3;
		else
			weight[i] = 3;
	}
	for (i = 0; weights && *weights; i++) {
		char *end;

		if (i == nprocs)
			wl_die("-w: more weights than processes");
		weight[i] = strtoul(weights, &end, 10);
		if (end == weights || (*end && *end != ','))
			wl_die("-w: a list of numbers, not '%s'", weights);
		weights = *end ? end + 1 : end;
	}
	wl_info("workload", "mix n=%lu t=%lu s=%luMiB d=%gs u=%gs l=%lu g=%lus q=%lus", nprocs,
		nthreads, size_mb, wl_opts.duration,
		unit_s ? (double)unit_s : wl_opts.duration / 3, passes, gap_s, quiet_s);
	wl_info("threads", "%lu", nprocs * nthreads);

	wl_mark(0);
	t0 = t_start = wl_now();
	while (next < nprocs || live) {
		double due = next < (unsigned long)wl_topo.nodes ? 0 :
			     (double)(next - wl_topo.nodes + 1) * gap_s;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			for (i = 0; i < next; i++)
				if (pids[i] == pid)
					break;
			if (i < next) {
				load[home[i]] -= nthreads;
				wl_info("left", "%lu pid=%d t=%.3f", i, pid, wl_now() - t0);
			}
			failed |= !WIFEXITED(status) || WEXITSTATUS(status);
			live--;
			continue;
		}
		if (pid < 0 && errno != ECHILD)
			wl_die("waitpid: %s", strerror(errno));
		if (next < nprocs && wl_now() - t0 >= due) {
			home[next] = 0;
			for (n = 1; n < wl_topo.nodes; n++)
				if (load[n] < load[home[next]])
					home[next] = n;
			load[home[next]] += nthreads;
			pids[next] = fork();
			if (pids[next] < 0)
				wl_die("fork failed");
			if (!pids[next])
				process(next, home[next], next == nprocs - 1 && nprocs > 1);
			wl_info("arrived", "%lu pid=%d t=%.3f home=%d work=%lu", next, pids[next],
				wl_now() - t0, wl_opts.bind == WL_BIND_NONE ? -1 : home[next],
				weight[next]);
			next++;
			live++;
			continue;
		}
		wl_sleep(0.02);
	}
	wl_mark(1);
	return failed;
}
