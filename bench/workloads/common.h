/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the knumad benchmark workloads: option parsing,
 * topology, bindings (sched_setaffinity + MPOL_BIND, what numactl does), the
 * memory loops, worker threads and processes and their start line, the
 * locality markers, the resident-locality sampler that every worker
 * thread runs on the pages it works on, and (-G) the numa_group calls that
 * tell knumad which threads and memory belong together.
 *
 * Log lines (one write() each, to the file given with -o, O_APPEND):
 *   s,T,PID,TID,CPU,NODE,RESIDENT,LOCAL,SCALE,SHARE   a resident sample
 *   d,PID,TID,EXEC_NS,DELAY_NS,BYTES,SHARE,SYS_US,USER_US,WORK_S
 *                                                     a worker's end
 *   m,ID,T                                            a locality marker
 *   i,KEY,VALUE                                       run information
 *   g,PID,TID,NODE,TASKS,BYTES,NODE_CHANGES,MIGRATED,PAGES
 *                                                     a numa_group at its end
 * T is CLOCK_MONOTONIC seconds in the guest. RESIDENT and LOCAL count the
 * sampled pages that are resident, and on the node of the CPU the task ran
 * on; SCALE pages of the region stand behind each sampled page; SHARE is the
 * number of tasks that share the region (so a region counts once). A g line
 * is the group's /proc/PID/fdinfo when its owner is done with it: knumad's
 * node for it (-1: none chosen), its live threads, its bytes, its node
 * changes and pages migrated, and its resident pages per node ("N0/N1/..").
 * A d line is the worker's scheduler statistics (schedstat, since the
 * thread started), the bytes it worked on in its measured phase, the
 * system and user CPU time it used in that phase (getrusage(RUSAGE_THREAD)
 * between wl_worker_begin() and the end, microseconds) and the phase's
 * length for it (guest seconds). Lines from older runs end after SHARE.
 */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif

#define WL_MAX_NODES	64
#define WL_MAX_CPUS	1024

enum wl_bind {
	WL_BIND_NONE,
	WL_BIND_HARD,		/* CPUs and memory on the same node */
	WL_BIND_INVERSE,	/* CPUs on one node, memory on wl_inverse() */
};

struct wl_topo {
	int nodes;
	int cpus;
	int cpu_node[WL_MAX_CPUS];
	int node_ncpus[WL_MAX_NODES];
	cpu_set_t node_cpus[WL_MAX_NODES];
};

/* Options shared by all workloads, filled by wl_common_opt(). */
struct wl_opts {
	enum wl_bind bind;
	int mark;		/* first locality marker id, -1 for none */
	double interval;	/* seconds between resident samples */
	const char *log;	/* sample log, NULL for none */
	int group;		/* -G, and the numa_group calls work */
	double duration;	/* -d: seconds of work per worker, 0 = no limit */
};

extern struct wl_topo wl_topo;
extern struct wl_opts wl_opts;

#define WL_COMMON_OPTS	"B:m:i:o:Gd:"
#define WL_COMMON_USAGE							\
	"  -d SEC    measured phase: each worker works for SEC seconds\n"	\
	"            (default 30; 0 = no time limit, then -l must be set)\n" \
	"  -B MODE   none | hard | inverse binding (default none)\n"	\
	"  -m ID     locality markers ID (start), ID+1 (end), ID+2 (phase)\n" \
	"  -i MS     resident-locality sample interval (default 1000)\n" \
	"  -o FILE   append samples and results to FILE\n"		\
	"  -G        tell knumad what belongs together (numa_group calls);\n" \
	"            without them: one warning, then no groups\n"

/*
 * A workload's own option, for wl_setup(): "-C N" stores N, a number >= min,
 * in *num; a bare "-C" (no ':' after C in the option string) stores 1 in
 * *num; with str set, "-C ARG" stores ARG as it is. The table ends with a
 * zero c: { 0 }.
 */
struct wl_opt {
	int c;
	unsigned long *num;
	unsigned long min;
	const char **str;
};

#define WL_OPT_NUM(ch, var, lo)	{ .c = (ch), .num = (var), .min = (lo) }
#define WL_OPT_FLAG(ch, var)	{ .c = (ch), .num = (var) }
#define WL_OPT_STR(ch, var)	{ .c = (ch), .str = (var) }

void wl_setup(int argc, char **argv, const char *optstring,
	      const struct wl_opt *opts, void (*usage)(void));
void wl_init(void);
int wl_common_opt(int c, const char *arg);
unsigned long wl_cpus_per(unsigned long n);
void wl_check_node(const char *opt, unsigned long node);
unsigned long wl_num(const char *what, const char *arg, unsigned long min);
void __noreturn __printf(1, 2) wl_die(const char *fmt, ...);

/* Bindings of the calling thread. */
int wl_inverse(int node);
void wl_bind_cpus(int node);
void wl_unbind_cpus(void);
void wl_bind_mem(int node);
void wl_default_mem(void);
void wl_mbind(void *addr, size_t len, int node);

/* Memory and time. */
void *wl_alloc(size_t bytes);
void wl_free(void *p, size_t bytes);
void wl_write(void *p, size_t bytes, uint64_t v);
uint64_t wl_read(const void *p, size_t bytes);
double wl_now(void);
void wl_sleep(double s);

/* Markers, samples and results. */
void wl_mark(int offset);
void __printf(2, 3) wl_info(const char *key, const char *fmt, ...);

struct wl_sampler {
	void *region;
	size_t bytes;
	int share;
	double next;
};

void wl_sampler_init(struct wl_sampler *s, void *region, size_t bytes, int share);
void wl_sample_now(struct wl_sampler *s);
static inline void wl_sample_maybe(struct wl_sampler *s)
{
	if (wl_opts.log && wl_now() >= s->next)
		wl_sample_now(s);
}

/*
 * The measured phase of the calling thread: wl_worker_begin(seconds) when
 * it starts working (after wl_start_wait()) sets its deadline, seconds from
 * now (0: none), and notes its CPU time; wl_time_up() says whether the
 * deadline has passed; wl_worker_done() logs the d line.
 */
void wl_worker_begin(double seconds);
int wl_time_up(void);
void wl_worker_done(uint64_t bytes, int share);

/*
 * One pass over [p, p + bytes): 8-byte stores of v (write) or 8-byte loads,
 * 1 MiB at a time, sampling between chunks. Stops early, between two
 * chunks, once the thread's deadline has passed (wl_worker_begin()).
 * Returns the bytes touched.
 */
uint64_t wl_pass(void *p, size_t bytes, uint64_t v, int write, struct wl_sampler *s);

/*
 * numa_group (-G; Documentation/userspace-api/numa_group.rst). wl_init()
 * checks once that the calls work: only on a knumad kernel (on other
 * kernels 463-465 may be other calls), by creating and closing a group. If
 * they do not, it prints one warning, logs "i,numa_group,off: WHY" and
 * sets wl_opts.group to 0: every call below then does nothing and returns
 * -1, and the workload runs without groups. A call that fails later prints
 * a warning and logs "i,numa_group_error,..."; the work goes on.
 *
 * wl_group_new()     a new group (no initial node), or -1
 * wl_group_mem()     puts the whole pages of [addr, addr + bytes) of this
 *                    process into group fd; returns fd, or -1 having closed
 *                    it (so call it before any thread uses fd)
 * wl_group_self()    puts the calling thread into group fd
 * wl_group_thread()  a new group of the calling thread and its region
 * wl_group_end()     logs the group's state (g line) and closes fd
 */
int wl_group_new(void);
int wl_group_mem(int fd, void *addr, size_t bytes);
void wl_group_self(int fd);
int wl_group_thread(void *addr, size_t bytes);
void wl_group_end(int fd);

/* A barrier that works across fork()ed processes. */
struct wl_barrier;
struct wl_barrier *wl_barrier_new(unsigned int count);
void wl_barrier_wait(struct wl_barrier *b);

/*
 * The start line of the measured phase: wl_start_init(workers) before any
 * worker exists (fork()ed ones too), each worker calls wl_start_wait() when
 * it is ready to work, and the main thread wl_start_go(), which puts marker
 * ID between "all ready" and "all go".
 */
void wl_start_init(unsigned long workers);
void wl_start_wait(void);
void wl_start_go(void);

/*
 * Fork nprocs processes, process(p) in each (it must exit), whose nthreads
 * workers each call wl_start_wait(); start them with wl_start_go(), wait for
 * them all, and put marker ID+1. Returns 1 if any of them failed, for main()
 * to return.
 */
int wl_run_procs(unsigned long nprocs, unsigned long nthreads,
		 void (*process)(int p));

/* A worker thread and the region it works on. */
struct wl_worker {
	pthread_t th;
	int home;		/* the node it belongs on */
	int share;		/* tasks that share region, for the log */
	char *region;
	size_t bytes;
};

struct wl_worker *wl_workers_new(unsigned long n);
struct wl_worker *wl_workers_spread(unsigned long n);
void wl_workers_start(struct wl_worker *w, unsigned long n, void *(*fn)(void *));
void wl_workers_join(struct wl_worker *w, unsigned long n);
void wl_worker_write(struct wl_worker *w, unsigned long passes, double seconds);
int wl_more(unsigned long done, unsigned long passes);
void wl_check_limits(unsigned long passes);

size_t wl_slice_size(size_t size, unsigned long n);
void wl_slices(struct wl_worker *w, unsigned long n, char *buf, size_t slice);
char *wl_slices_new(struct wl_worker *w, unsigned long n, size_t size,
		    size_t slice, int init_node);

#endif /* WL_COMMON_H */
