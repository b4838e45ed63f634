// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers of the knumad benchmark workloads (see common.h).
 * System calls are made directly, so that the workloads need no libnuma.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../locality/locality-mark.h"

#define MPOL_DEFAULT	0
#define MPOL_BIND	2

/*
 * The numa_group calls of knumad (include/uapi/linux/numa_group.h): 463-465
 * on x86_64, i386 and in the generic table, but only on a knumad kernel;
 * Linux 6.13 and later give these numbers to the *xattrat() calls.
 */
#define NR_numa_group_create	463
#define NR_numa_group_mem	464
#define NR_numa_group_task	465
/* ABI version 1: the calling thread, the calling process. */
#define NUMA_GROUP_SELF_THREAD	(-10000)
#define NUMA_GROUP_SELF_PROCESS	(-20000)
#define KNUMAD_SYSFS		"/sys/kernel/mm/knumad"
#define NUMA_GROUP_FD_LINK	"anon_inode:[numa_group]"

#define SAMPLE_PAGES	1024	/* pages looked at per sample, at most */
#define CHUNK		(1UL << 20)

struct wl_topo wl_topo;
struct wl_opts wl_opts = { .bind = WL_BIND_NONE, .mark = -1, .interval = 1.0, .duration = 30 };
static int log_fd = -1;
static long page_size;

/* The calling thread's measured phase (wl_worker_begin()). */
static __thread double deadline, work_t0;
static __thread struct rusage work_ru0;

void wl_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

unsigned long wl_num(const char *what, const char *arg, unsigned long min)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || *end || end == arg || v < min)
		wl_die("%s: '%s' is not a number >= %lu", what, arg, min);
	return v;
}

int wl_common_opt(int c, const char *arg)
{
	switch (c) {
	case 'B':
		if (!strcmp(arg, "none"))
			wl_opts.bind = WL_BIND_NONE;
		else if (!strcmp(arg, "hard"))
			wl_opts.bind = WL_BIND_HARD;
		else if (!strcmp(arg, "inverse"))
			wl_opts.bind = WL_BIND_INVERSE;
		else
			wl_die("-B: none, hard or inverse, not '%s'", arg);
		return 1;
	case 'm':
		wl_opts.mark = wl_num("-m", arg, 0);
		if (wl_opts.mark > 253)
			wl_die("-m: marker ids go up to 255 (ID+2)");
		return 1;
	case 'i':
		wl_opts.interval = wl_num("-i", arg, 10) / 1000.0;
		return 1;
	case 'o':
		wl_opts.log = arg;
		return 1;
	case 'G':
		wl_opts.group = 1;
		return 1;
	case 'd': {
		char *end;

		errno = 0;
		wl_opts.duration = strtod(arg, &end);
		if (errno || *end || end == arg || !(wl_opts.duration >= 0) ||
		    wl_opts.duration > 86400)
			wl_die("-d: '%s' is not a number of seconds (0..86400)", arg);
		return 1;
	}
	}
	return 0;
}

/*
 * Parse the command line: the common options (WL_COMMON_OPTS, appended to
 * optstring here), then the workload's own from opts; an unknown option or
 * an argument left over is usage(). Then wl_init(), which needs the options.
 */
void wl_setup(int argc, char **argv, const char *optstring,
	      const struct wl_opt *opts, void (*usage)(void))
{
	char all[64], what[3] = "-";
	const struct wl_opt *o;
	int c;

	if (snprintf(all, sizeof(all), "%s%s", optstring, WL_COMMON_OPTS) >= (int)sizeof(all))
		wl_die("wl_setup: option string too long");
	while ((c = getopt(argc, argv, all)) != -1) {
		if (wl_common_opt(c, optarg))
			continue;
		for (o = opts; o->c && o->c != c; o++)
			;
		if (!o->c) {
			usage();
			continue;
		}
		if (o->str) {
			*o->str = optarg;
		} else if (strchr(all, c)[1] == ':') {
			what[1] = c;
			*o->num = wl_num(what, optarg, o->min);
		} else {
			*o->num = 1;
		}
	}
	if (optind != argc)
		usage();
	wl_init();
}

/* CPUs / n, but at least one: the default threads of n processes. */
unsigned long wl_cpus_per(unsigned long n)
{
	return wl_topo.cpus / n ? wl_topo.cpus / n : 1;
}

/* A node given on the command line (opt) must exist. */
void wl_check_node(const char *opt, unsigned long node)
{
	if (node >= (unsigned long)wl_topo.nodes)
		wl_die("%s %lu: only %d nodes", opt, node, wl_topo.nodes);
}

static void parse_cpulist(const char *s, int node)
{
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b && a < WL_MAX_CPUS; a++) {
			CPU_SET(a, &wl_topo.node_cpus[node]);
			wl_topo.cpu_node[a] = node;
			wl_topo.node_ncpus[node]++;
			if (a + 1 > wl_topo.cpus)
				wl_topo.cpus = a + 1;
		}
		s = *end == ',' ? end + 1 : end;
	}
}

static void group_probe(void);

/*
 * Read the topology from sysfs; open the log; with -G, check that the
 * numa_group calls work. Call after option parsing.
 */
void wl_init(void)
{
	char path[64], buf[512];
	int n;

	page_size = sysconf(_SC_PAGESIZE);
	for (n = 0; n < WL_MAX_NODES; n++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", n);
		f = fopen(path, "r");
		if (!f)
			break;
		CPU_ZERO(&wl_topo.node_cpus[n]);
		if (fgets(buf, sizeof(buf), f))
			parse_cpulist(buf, n);
		fclose(f);
	}
	wl_topo.nodes = n;
	if (n < 1)
		wl_die("no NUMA nodes in /sys/devices/system/node");
	if (wl_opts.bind == WL_BIND_INVERSE && n < 2)
		wl_die("-B inverse needs at least two nodes");
	if (wl_opts.log) {
		log_fd = open(wl_opts.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0)
			wl_die("%s: %s", wl_opts.log, strerror(errno));
	}
	if (wl_opts.group)
		group_probe();
}

/* The node half-way round: 0 <-> 1 on two nodes, 0 <-> 2 on four. */
int wl_inverse(int node)
{
	return (node + wl_topo.nodes / 2) % wl_topo.nodes;
}

void wl_bind_cpus(int node)
{
	if (sched_setaffinity(0, sizeof(cpu_set_t), &wl_topo.node_cpus[node]))
		wl_die("sched_setaffinity(node %d): %s", node, strerror(errno));
}

void wl_unbind_cpus(void)
{
	cpu_set_t all;
	int n, c;

	CPU_ZERO(&all);
	for (n = 0; n < wl_topo.nodes; n++)
		for (c = 0; c < wl_topo.cpus; c++)
			if (CPU_ISSET(c, &wl_topo.node_cpus[n]))
				CPU_SET(c, &all);
	if (sched_setaffinity(0, sizeof(all), &all))
		wl_die("sched_setaffinity(all): %s", strerror(errno));
}

void wl_bind_mem(int node)
{
	unsigned long mask[2] = { 0, 0 };

	mask[node / 64] = 1UL << (node % 64);
	if (syscall(SYS_set_mempolicy, MPOL_BIND, mask, 8 * sizeof(mask)))
		wl_die("set_mempolicy(BIND %d): %s", node, strerror(errno));
}

void wl_default_mem(void)
{
	if (syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0))
		wl_die("set_mempolicy(DEFAULT): %s", strerror(errno));
}

void wl_mbind(void *addr, size_t len, int node)
{
	unsigned long mask[2] = { 0, 0 };

	mask[node / 64] = 1UL << (node % 64);
	if (syscall(SYS_mbind, addr, len, MPOL_BIND, mask, 8 * sizeof(mask), 0))
		wl_die("mbind(node %d): %s", node, strerror(errno));
}

void *wl_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		wl_die("mmap(%zu bytes): %s", bytes, strerror(errno));
	return p;
}

void wl_free(void *p, size_t bytes)
{
	munmap(p, bytes);
}

/*
 * Plain 8-byte loops, so that every access the locality meter counts is
 * 8 bytes (glibc's memset may use "rep stosb", one access per byte in TCG).
 */
void wl_write(void *p, size_t bytes, uint64_t v)
{
	uint64_t *w = p;
	size_t i, n = bytes / sizeof(*w);

	for (i = 0; i < n; i++)
		w[i] = v;
	__asm__ volatile("" : : "r"(w) : "memory");
}

uint64_t wl_read(const void *p, size_t bytes)
{
	const uint64_t *w = p;
	size_t i, n = bytes / sizeof(*w);
	uint64_t sum = 0;

	for (i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

uint64_t wl_pass(void *p, size_t bytes, uint64_t v, int write, struct wl_sampler *s)
{
	uint64_t sum = 0;
	size_t off, len;

	for (off = 0; off < bytes && !wl_time_up(); off += len) {
		len = bytes - off < CHUNK ? bytes - off : CHUNK;
		if (write)
			wl_write((char *)p + off, len, v);
		else
			sum += wl_read((char *)p + off, len);
		if (s)
			wl_sample_maybe(s);
	}
	__asm__ volatile("" : : "r"(sum));	/* keep the loads */
	return off;
}

double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void wl_sleep(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void __printf(1, 2) log_line(const char *fmt, ...);
static void log_line(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (log_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && n < (int)sizeof(buf) && write(log_fd, buf, n) != n)
		wl_die("%s: short write", wl_opts.log);
}

/* Marker wl_opts.mark + offset, and its guest time in the log. */
void wl_mark(int offset)
{
	if (wl_opts.mark < 0)
		return;
	if (locality_mark(wl_opts.mark + offset))
		wl_die("locality marker: %s", strerror(errno));
	log_line("m,%d,%.6f\n", wl_opts.mark + offset, wl_now());
}

void wl_info(const char *key, const char *fmt, ...)
{
	char val[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	log_line("i,%s,%s\n", key, val);
}

void wl_sampler_init(struct wl_sampler *s, void *region, size_t bytes, int share)
{
	s->region = region;
	s->bytes = bytes;
	s->share = share;
	s->next = 0;
}

/*
 * Where are this task's pages, against the node of the CPU it runs on?
 * move_pages() with no target nodes only reports each page's node. At most
 * SAMPLE_PAGES pages, evenly spread over the region.
 */
void wl_sample_now(struct wl_sampler *s)
{
	void *pages[SAMPLE_PAGES];
	int status[SAMPLE_PAGES];
	unsigned long npages = s->bytes / page_size, stride, i, n;
	unsigned int cpu, node;
	long resident = 0, local = 0;

	if (!npages)
		return;
	stride = (npages + SAMPLE_PAGES - 1) / SAMPLE_PAGES;
	for (i = 0, n = 0; i < npages && n < SAMPLE_PAGES; i += stride, n++)
		pages[n] = (char *)s->region + i * page_size;
	if (syscall(SYS_getcpu, &cpu, &node, NULL))
		return;
	if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0))
		return;
	for (i = 0; i < n; i++) {
		if (status[i] < 0)
			continue;
		resident++;
		local += (unsigned int)status[i] == node;
	}
	log_line("s,%.6f,%d,%d,%u,%u,%ld,%ld,%.3f,%d\n", wl_now(), getpid(), gettid(),
		 cpu, node, resident, local, (double)npages / n, s->share);
	s->next = wl_now() + wl_opts.interval;
}

void wl_worker_begin(double seconds)
{
	work_t0 = wl_now();
	deadline = seconds > 0 ? work_t0 + seconds : 0;
	if (getrusage(RUSAGE_THREAD, &work_ru0))
		memset(&work_ru0, 0, sizeof(work_ru0));
}

int wl_time_up(void)
{
	return deadline > 0 && wl_now() >= deadline;
}

/* Whether to start another pass: passes done < passes (0: no limit), in time. */
int wl_more(unsigned long done, unsigned long passes)
{
	return (!passes || done < passes) && !wl_time_up();
}

/* A measured phase needs an end: a duration, passes, or both. */
void wl_check_limits(unsigned long passes)
{
	if (!passes && !wl_opts.duration)
		wl_die("-d 0 (no time limit) needs -l PASSES");
}

static long long tv_us(const struct timeval *a, const struct timeval *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000LL + (b->tv_usec - a->tv_usec);
}

/*
 * A worker is done: its scheduler statistics, the bytes it touched, and
 * the CPU time and guest seconds of its measured phase (since
 * wl_worker_begin()).
 */
void wl_worker_done(uint64_t bytes, int share)
{
	unsigned long long exec = 0, delay = 0;
	long long sys_us = -1, user_us = -1;
	struct rusage ru;
	char buf[128];
	int fd, n;

	fd = open("/proc/thread-self/schedstat", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			if (sscanf(buf, "%llu %llu", &exec, &delay) != 2)
				exec = delay = 0;
		}
		close(fd);
	}
	if (work_t0 > 0 && !getrusage(RUSAGE_THREAD, &ru)) {
		sys_us = tv_us(&work_ru0.ru_stime, &ru.ru_stime);
		user_us = tv_us(&work_ru0.ru_utime, &ru.ru_utime);
	}
	log_line("d,%d,%d,%llu,%llu,%llu,%d,%lld,%lld,%.3f\n", getpid(), gettid(), exec, delay,
		 (unsigned long long)bytes, share, sys_us, user_us,
		 work_t0 > 0 ? wl_now() - work_t0 : 0.0);
}

/* -G could not be honoured: one warning, and no groups from here on. */
static void group_off(const char *why)
{
	fprintf(stderr,
		"warning: numa_group not available (%s): running without groups, so this run measures plain knumad\n",
		why);
	wl_info("numa_group", "off: %s", why);
	wl_opts.group = 0;
}

static int is_group_fd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	return !strcmp(link, NUMA_GROUP_FD_LINK);
}

static void group_probe(void)
{
	char why[128];
	long fd;

	if (access(KNUMAD_SYSFS, F_OK)) {
		group_off("no " KNUMAD_SYSFS ": not a knumad kernel, syscalls 463-465 not tried");
		return;
	}
	fd = syscall(NR_numa_group_create, 0L, 0L, 0L);
	if (fd < 0) {
		snprintf(why, sizeof(why), "numa_group_create: %s", strerror(errno));
		group_off(why);
		return;
	}
	if (!is_group_fd(fd)) {
		close(fd);
		group_off("syscall 463 returned a descriptor that is not a numa_group");
		return;
	}
	close(fd);
	wl_info("numa_group", "on");
}

static void group_warn(const char *call)
{
	const char *err = strerror(errno);

	fprintf(stderr, "warning: %s: %s: going on without it\n", call, err);
	wl_info("numa_group_error", "%s: %s", call, err);
}

int wl_group_new(void)
{
	long fd;

	if (!wl_opts.group)
		return -1;
	fd = syscall(NR_numa_group_create, 0L, 0L, 0L);
	if (fd < 0)
		group_warn("numa_group_create");
	return fd < 0 ? -1 : (int)fd;
}

/*
 * Only the whole pages in the range: the kernel wants a page-aligned start
 * and rounds the length up, and a page belongs to at most one group, so a
 * slice that does not start or end on a page boundary leaves its partial
 * pages out (a numa01 -A slice of SIZE / THREADS, for one).
 */
int wl_group_mem(int fd, void *addr, size_t bytes)
{
	uintptr_t start = ((uintptr_t)addr + page_size - 1) & ~(uintptr_t)(page_size - 1);
	uintptr_t end = ((uintptr_t)addr + bytes) & ~(uintptr_t)(page_size - 1);

	if (fd < 0)
		return -1;
	if (end <= start)
		return fd;
	if (syscall(NR_numa_group_mem, (long)fd, (long)NUMA_GROUP_SELF_PROCESS,
		    (long)start, (long)(end - start), 0L)) {
		group_warn("numa_group_mem");
		close(fd);
		return -1;
	}
	return fd;
}

void wl_group_self(int fd)
{
	if (fd >= 0 && syscall(NR_numa_group_task, (long)fd, (long)NUMA_GROUP_SELF_THREAD, 0L))
		group_warn("numa_group_task");
}

int wl_group_thread(void *addr, size_t bytes)
{
	int fd = wl_group_mem(wl_group_new(), addr, bytes);

	wl_group_self(fd);
	return fd;
}

/* The group's state from its fdinfo (numa_group.rst, "Group state"). */
void wl_group_end(int fd)
{
	long node = -1, tasks = -1, changes = -1, migrated = -1;
	char path[64], line[256], pages[96] = "";
	unsigned long long bytes = 0;
	FILE *f;

	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *v = strchr(line, ':'), *p;

			if (!v || strncmp(line, "numa_group_", 11))
				continue;
			*v++ = 0;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = 0;
			if (!strcmp(line + 11, "node"))
				node = strtol(v, NULL, 10);
			else if (!strcmp(line + 11, "tasks"))
				tasks = strtol(v, NULL, 10);
			else if (!strcmp(line + 11, "bytes"))
				bytes = strtoull(v, NULL, 10);
			else if (!strcmp(line + 11, "node_changes"))
				changes = strtol(v, NULL, 10);
			else if (!strcmp(line + 11, "pages_migrated"))
				migrated = strtol(v, NULL, 10);
			else if (!strcmp(line + 11, "pages")) {
				snprintf(pages, sizeof(pages), "%s", v);
				for (p = pages; *p; p++)
					if (*p == ' ' || *p == '\t')
						*p = '/';
			}
		}
		fclose(f);
	}
	log_line("g,%d,%d,%ld,%ld,%llu,%ld,%ld,%s\n", getpid(), gettid(), node, tasks,
		 bytes, changes, migrated, pages);
	close(fd);
}

struct wl_barrier {
	pthread_barrier_t b;
};

struct wl_barrier *wl_barrier_new(unsigned int count)
{
	pthread_barrierattr_t attr;
	struct wl_barrier *b;

	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		wl_die("mmap(barrier): %s", strerror(errno));
	pthread_barrierattr_init(&attr);
	pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (pthread_barrier_init(&b->b, &attr, count))
		wl_die("pthread_barrier_init failed");
	pthread_barrierattr_destroy(&attr);
	return b;
}

void wl_barrier_wait(struct wl_barrier *b)
{
	pthread_barrier_wait(&b->b);
}

static struct wl_barrier *start_ready, *start_go;

void wl_start_init(unsigned long workers)
{
	start_ready = wl_barrier_new(workers + 1);
	start_go = wl_barrier_new(workers + 1);
}

void wl_start_wait(void)
{
	wl_barrier_wait(start_ready);
	wl_barrier_wait(start_go);
}

/*
 * Two barriers, so that the start marker falls after every worker has set
 * up (allocated, bound, written its memory) and before any starts to work.
 */
void wl_start_go(void)
{
	wl_barrier_wait(start_ready);
	wl_mark(0);
	wl_barrier_wait(start_go);
}

int wl_run_procs(unsigned long nprocs, unsigned long nthreads,
		 void (*process)(int p))
{
	unsigned long p;
	int status, failed = 0;

	wl_start_init(nprocs * nthreads);
	for (p = 0; p < nprocs; p++) {
		pid_t pid = fork();

		if (pid < 0)
			wl_die("fork failed");
		if (!pid)
			process(p);
	}
	wl_start_go();
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	wl_mark(1);
	return failed;
}

struct wl_worker *wl_workers_new(unsigned long n)
{
	struct wl_worker *w = calloc(n, sizeof(*w));

	if (!w)
		wl_die("out of memory");
	return w;
}

/*
 * n workers spread evenly over the nodes, in order: worker t's home is node
 * t * nodes / n, the placement a balancer should find.
 */
struct wl_worker *wl_workers_spread(unsigned long n)
{
	struct wl_worker *w = wl_workers_new(n);
	unsigned long t;

	for (t = 0; t < n; t++)
		w[t].home = t * wl_topo.nodes / n;
	return w;
}

/* One thread per worker, running fn(&w[t]). */
void wl_workers_start(struct wl_worker *w, unsigned long n, void *(*fn)(void *))
{
	unsigned long t;

	for (t = 0; t < n; t++)
		if (pthread_create(&w[t].th, NULL, fn, &w[t]))
			wl_die("pthread_create failed");
}

void wl_workers_join(struct wl_worker *w, unsigned long n)
{
	unsigned long t;

	for (t = 0; t < n; t++)
		pthread_join(w[t].th, NULL);
}

/*
 * The work of most workloads: writes over the worker's region for seconds
 * (0: no limit) or passes (0: no limit), whichever ends first, pass i
 * writing i + 1 so that every pass stores new values, sampling as it goes;
 * then the worker's end line.
 */
void wl_worker_write(struct wl_worker *w, unsigned long passes, double seconds)
{
	struct wl_sampler s;
	uint64_t bytes = 0;
	unsigned long i;

	wl_sampler_init(&s, w->region, w->bytes, w->share);
	wl_worker_begin(seconds);
	for (i = 0; wl_more(i, passes); i++)
		bytes += wl_pass(w->region, w->bytes, i + 1, 1, &s);
	wl_worker_done(bytes, w->share);
}

/*
 * A buffer of size cut into n page-aligned slices, one per thread (the tail
 * left over is not worked on). Zero is an error: too small a buffer.
 */
size_t wl_slice_size(size_t size, unsigned long n)
{
	size_t slice = (size / n) & ~4095UL;

	if (!slice)
		wl_die("bad size or out of memory");
	return slice;
}

/* Slice t of buf is w[t]'s own region. */
void wl_slices(struct wl_worker *w, unsigned long n, char *buf, size_t slice)
{
	unsigned long t;

	for (t = 0; t < n; t++) {
		w[t].region = buf + t * slice;
		w[t].bytes = slice;
		w[t].share = 1;
	}
}

/*
 * A new buffer, sliced between the workers, written once with zeroes. Bound,
 * each slice is mbind()ed to its worker's home node (hard) or the node
 * half-way round (inverse); unbound, all of it starts on init_node, so that
 * the slices of the workers that run elsewhere start remote. Set w[t].home
 * first.
 */
char *wl_slices_new(struct wl_worker *w, unsigned long n, size_t size,
		    size_t slice, int init_node)
{
	char *buf = wl_alloc(size);
	unsigned long t;

	wl_slices(w, n, buf, slice);
	for (t = 0; t < n; t++) {
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
	return buf;
}
