/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Worker processes for the knumad behaviour tests: each first-touches a
 * buffer on one node, then runs (optionally bound) somewhere else and keeps
 * its memory hot. Plus the probes the tests read: a task's current node, a
 * page's node, knumad's sysfs knobs and counters.
 */
#ifndef KNUMAD_SELFTEST_WORKERS_H
#define KNUMAD_SELFTEST_WORKERS_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "knumad_util.h"

#define KNUMAD_SYSFS		"/sys/kernel/mm/knumad/"
#define PAGE_SZ			4096UL
#define MAX_TEST_NODES		8

/* CPUs of @node, from sysfs; false if the node does not exist. */
static inline bool node_cpus(int node, cpu_set_t *set)
{
	char path[96], list[256], *tok, *save;
	FILE *f;

	CPU_ZERO(set);
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	for (tok = strtok_r(list, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
		int lo, hi;

		if (sscanf(tok, "%d-%d", &lo, &hi) != 2)
			hi = lo = atoi(tok);
		for (; lo <= hi; lo++)
			CPU_SET(lo, set);
	}
	return CPU_COUNT(set) > 0;
}

static inline int nr_nodes_online(void)
{
	cpu_set_t set;
	int n = 0;

	while (n < MAX_TEST_NODES && node_cpus(n, &set))
		n++;
	return n;
}

/* Node of the CPU @pid last ran on (/proc/PID/stat field 39), or -1. */
static inline int task_node_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	int cpu, field, node;
	cpu_set_t set;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return -1;
	/* Field 3 starts after ") "; the CPU is field 39. */
	for (field = 2; field < 39 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, "%d", &cpu) != 1)
		return -1;
	for (node = 0; node < MAX_TEST_NODES && node_cpus(node, &set); node++)
		if (CPU_ISSET(cpu, &set))
			return node;
	return -1;
}

/*
 * Share (percent) of the pages of [buf, buf+len) in process @pid (0: this
 * one) that sit on @node, from a sample of 256 pages.
 */
static inline int percent_on_node_of(pid_t pid, void *buf, size_t len, int node)
{
	enum { SAMPLES = 256 };
	void *pages[SAMPLES];
	int status[SAMPLES], i, on = 0, n = 0;
	size_t step = len / SAMPLES;

	step -= step % PAGE_SZ;
	/* An odd number of pages: an even stride sees one node of interleaved memory. */
	if (step > PAGE_SZ && !((step / PAGE_SZ) & 1))
		step -= PAGE_SZ;
	if (!step)
		step = PAGE_SZ;
	for (i = 0; i < SAMPLES && (size_t)i * step < len; i++)
		pages[n++] = (char *)buf + i * step;
	if (syscall(SYS_move_pages, pid, n, pages, NULL, status, 0))
		return -1;
	for (i = 0; i < n; i++)
		on += status[i] == node;
	return n ? on * 100 / n : -1;
}

static inline int percent_on_node(void *buf, size_t len, int node)
{
	return percent_on_node_of(0, buf, len, node);
}

/* A /proc/meminfo or /proc/vmstat value (KiB or pages), or -1. */
static inline long proc_value(const char *file, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && (line[klen] == ' ' || line[klen] == ':'))
			sscanf(line + klen + 1, "%ld", &val);
	fclose(f);
	return val;
}

/* MemFree of @node in KiB, or -1. */
static inline long node_free_kb(int node)
{
	char path[96], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "MemFree:"))
			sscanf(strstr(line, "MemFree:") + 8, "%ld", &kb);
	fclose(f);
	return kb;
}

static inline bool sysfs_set(const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), KNUMAD_SYSFS "%s", knob);
	return sysctl_write(path, val) == 0;
}

static inline long sysfs_get(const char *knob)
{
	char path[128];

	snprintf(path, sizeof(path), KNUMAD_SYSFS "%s", knob);
	return sysctl_read(path);
}

/*
 * What a test changes and must put back: some of knumad's knobs,
 * kernel.knumad and kernel.numa_balancing. Kept in the fixture, which
 * FIXTURE_TEARDOWN_PARENT shares with the harness's parent process, so
 * that the restore runs even when the test failed an ASSERT or timed out
 * (the 6.12 harness may skip a plain FIXTURE_TEARDOWN after a failed
 * ASSERT: its child's state after longjmp() is not reliable at -O2).
 */
#define MAX_SAVED_KNOBS		16

/* Every writable knob of knumad's sysfs directory. */
static const char * const knumad_writable_knobs[] = {
	"scan_sleep_millisecs", "pages_to_scan", "max_cpu_percent",
	"hysteresis_percent", "min_anon_pages", "min_hot_pages",
	"migrate_max_mbps", "migrate_batch_pages", "pair_tolerance_pages",
	"migrate_holdoff_millisecs", "pair_wait_millisecs", "budget_window_millisecs",
	"pair_free_percent",
};

struct knumad_settings {
	const char * const *knobs;
	unsigned int nr_knobs;
	long knob[MAX_SAVED_KNOBS];
	long knumad, numa_balancing;
	bool valid;			/* saved, to be restored */
};

/* Save @knobs and both sysctls into @s; false (nothing saved) if one is missing. */
static inline bool settings_save(struct knumad_settings *s,
				 const char * const *knobs, unsigned int nr_knobs)
{
	unsigned int i;

	if (nr_knobs > MAX_SAVED_KNOBS)
		return false;
	for (i = 0; i < nr_knobs; i++) {
		s->knob[i] = sysfs_get(knobs[i]);
		if (s->knob[i] < 0)
			return false;
	}
	s->knumad = sysctl_read(KNUMAD_SYSCTL);
	s->numa_balancing = sysctl_read(NUMA_BALANCING_SYSCTL);
	if (s->knumad < 0 || s->numa_balancing < 0)
		return false;
	s->knobs = knobs;
	s->nr_knobs = nr_knobs;
	s->valid = true;
	return true;
}

/* Put back what settings_save() saved: knobs with knumad off, then the sysctls. */
static inline void settings_restore(struct knumad_settings *s)
{
	char val[32];
	unsigned int i;

	if (!s->valid)
		return;
	sysctl_write(KNUMAD_SYSCTL, "0");
	for (i = 0; i < s->nr_knobs; i++) {
		snprintf(val, sizeof(val), "%ld", s->knob[i]);
		sysfs_set(s->knobs[i], val);
	}
	snprintf(val, sizeof(val), "%ld", s->numa_balancing);
	sysctl_write(NUMA_BALANCING_SYSCTL, val);
	snprintf(val, sizeof(val), "%ld", s->knumad);
	sysctl_write(KNUMAD_SYSCTL, val);
	s->valid = false;
}

/*
 * Save @knobs into @s, turn upstream's balancing off, set @set (knob, value
 * pairs, NULL-terminated), then turn knumad on: tests that must converge
 * in seconds under TCG set short sleeps and a generous budget this way.
 * Returns NULL, or what failed (the fixture's teardown restores @s).
 */
static inline const char *knumad_start(struct knumad_settings *s,
				       const char * const *knobs, unsigned int nr_knobs,
				       const char * const *set)
{
	static char why[96];

	if (!settings_save(s, knobs, nr_knobs))
		return "knumad's knobs or sysctls missing: CONFIG_KNUMAD off?";
	if (sysctl_write(NUMA_BALANCING_SYSCTL, "0"))
		return "cannot turn kernel.numa_balancing off";
	for (; set && set[0]; set += 2) {
		if (!sysfs_set(set[0], set[1])) {
			snprintf(why, sizeof(why), "cannot set %s to %s", set[0], set[1]);
			return why;
		}
	}
	if (sysctl_write(KNUMAD_SYSCTL, "1"))
		return "cannot turn kernel.knumad on";
	return NULL;
}

/* Is @pid dead (a zombie, or gone)? */
static inline bool pid_dead(pid_t pid)
{
	char path[64], buf[512], *p = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f))
		p = strrchr(buf, ')');
	fclose(f);
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/*
 * A worker seen from a process that did not start it (the harness's
 * parent, running FIXTURE_TEARDOWN_PARENT after the test process ended):
 * it got SIGKILL when its parent died (PR_SET_PDEATHSIG) and is not ours
 * to reap. Wait (up to 10 s) until it is dead, so that it cannot disturb
 * the next test.
 */
static inline void wait_orphan_dead(pid_t pid)
{
	int i;

	for (i = 0; pid > 0 && i < 1000 && !pid_dead(pid); i++)
		usleep(10 * 1000);
}

/* A worker must not outlive its test, whatever happens to the test. */
static inline void prctl_set_death_signal(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* What a worker tells the test, in a shared page. */
struct worker_state {
	volatile int ready;		/* 1 once placed and touching */
	volatile int go;		/* set by the test: leave run_node's CPUs */
	volatile int percent_on_mem_node; /* after first touch */
	volatile unsigned long sweeps;	/* whole sweeps of the buffer */
	volatile unsigned long progress; /* ticks every 256 pages swept */
	char *volatile buf;		/* the buffer, in the worker */
	volatile size_t len;
	unsigned int threads;		/* sweeping threads (set before fork) */
};

struct worker {
	pid_t pid;
	pid_t owner;			/* the process that started it */
	struct worker_state *state;
};

/* Sweep the worker's buffer for ever (one read per page). */
static inline void *worker_sweep(void *arg)
{
	struct worker_state *st = arg;
	volatile unsigned long sum = 0;
	size_t off;

	for (;;) {
		for (off = 0; off < st->len; off += PAGE_SZ) {
			sum += st->buf[off];
			if (!(off & (256 * PAGE_SZ - 1)))
				st->progress++;
		}
		st->sweeps++;
	}
	return NULL;
}

/*
 * Start a worker: first-touch @mb MiB while bound to @mem_node's CPUs, then
 * move to @run_node's CPUs and, unless @pinned, allow every CPU again (it
 * stays where it is until something moves it). It then sweeps its buffer
 * (one read per page) forever, with @threads threads (each on the whole
 * buffer; the extra ones start after the move). @thp false marks the buffer
 * MADV_NOHUGEPAGE. With @hold, it sweeps on run_node's CPUs until
 * worker_release(), so that several workers can be put in place before any
 * may move.
 */
static inline bool worker_start_threads(struct worker *w, int mem_node, int run_node,
					size_t mb, bool pinned, bool thp, bool hold,
					unsigned int threads)
{
	cpu_set_t mem_cpus, run_cpus, all;
	size_t len = mb << 20, off;
	pid_t pid;
	int cpu;

	if (!node_cpus(mem_node, &mem_cpus) || !node_cpus(run_node, &run_cpus))
		return false;
	w->state = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->state == MAP_FAILED)
		return false;
	w->owner = getpid();
	w->state->threads = threads ? threads : 1;
	/*
	 * Not "w->pid = fork()": @w may be in memory the child shares (a
	 * FIXTURE_TEARDOWN_PARENT fixture), where the child's 0 would race
	 * with the parent's pid.
	 */
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		volatile unsigned long sum = 0;
		char *buf;

		prctl_set_death_signal();
		if (sched_setaffinity(0, sizeof(mem_cpus), &mem_cpus))
			_exit(2);
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			_exit(3);
		madvise(buf, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		memset(buf, 1, len);
		w->state->buf = buf;
		w->state->len = len;
		w->state->percent_on_mem_node = percent_on_node(buf, len, mem_node);
		if (sched_setaffinity(0, sizeof(run_cpus), &run_cpus))
			_exit(4);
		sched_yield();
		w->state->go = !hold;
		w->state->ready = 1;
		while (!w->state->go)
			for (off = 0; off < len; off += PAGE_SZ)
				sum += buf[off];
		if (!pinned) {
			CPU_ZERO(&all);
			for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
				CPU_SET(cpu, &all);
			sched_setaffinity(0, sizeof(all), &all);
		}
		for (cpu = 1; cpu < (int)w->state->threads; cpu++) {
			pthread_t th;

			if (pthread_create(&th, NULL, worker_sweep, w->state))
				_exit(5);
		}
		worker_sweep(w->state);
	}
	w->pid = pid;
	while (!w->state->ready) {
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid)
			return false;
		usleep(10000);
	}
	return true;
}

static inline bool worker_start_held(struct worker *w, int mem_node, int run_node,
				     size_t mb, bool pinned, bool thp, bool hold)
{
	return worker_start_threads(w, mem_node, run_node, mb, pinned, thp, hold, 1);
}

static inline bool worker_start(struct worker *w, int mem_node, int run_node,
				size_t mb, bool pinned, bool thp)
{
	return worker_start_held(w, mem_node, run_node, mb, pinned, thp, false);
}

/* Let a held worker leave its run node's CPUs. */
static inline void worker_release(struct worker *w)
{
	w->state->go = 1;
}

/*
 * Wait until a released worker that is not pinned may run on every online
 * CPU: until then knumad would see a task bound to its run node.
 */
static inline bool worker_wait_unbound(struct worker *w)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t cpus;
	int i;

	for (i = 0; i < 1000; i++) {
		if (!sched_getaffinity(w->pid, sizeof(cpus), &cpus) && CPU_COUNT(&cpus) >= online)
			return true;
		usleep(10000);
	}
	return false;
}

/* Share of a worker's buffer on @node (see percent_on_node_of()). */
static inline int worker_percent_on(struct worker *w, int node)
{
	return percent_on_node_of(w->pid, w->state->buf, w->state->len, node);
}

/* Bind the calling process to @node's CPUs; exits the process on failure. */
static inline void worker_self_bind(int node)
{
	cpu_set_t cpus;

	if (!node_cpus(node, &cpus) || sched_setaffinity(0, sizeof(cpus), &cpus))
		_exit(2);
}

/* Bind a running worker to @node's CPUs. */
static inline bool worker_bind(struct worker *w, int node)
{
	cpu_set_t cpus;

	return node_cpus(node, &cpus) && !sched_setaffinity(w->pid, sizeof(cpus), &cpus);
}

static inline void worker_stop(struct worker *w)
{
	if (w->owner != getpid()) {	/* its state is not mapped here */
		wait_orphan_dead(w->pid);
		w->pid = 0;
		return;
	}
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
		w->pid = 0;
	}
	if (w->state && w->state != MAP_FAILED)
		munmap(w->state, PAGE_SZ);
	w->state = NULL;
}

/* numa_preferred_nid of thread @tid of @pid (/proc/PID/task/TID/sched), or -2. */
static inline int task_preferred_nid(pid_t pid, pid_t tid)
{
	char path[96], line[256];
	int nid = -2;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/sched", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -2;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "numa_preferred_nid");

		if (p && (p = strchr(p, ':')))
			nid = atoi(p + 1);
	}
	fclose(f);
	return nid;
}

/* Milliseconds since an arbitrary start (monotonic). */
static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

#endif /* KNUMAD_SELFTEST_WORKERS_H */
