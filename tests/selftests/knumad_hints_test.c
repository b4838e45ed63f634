// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread placement from knumad's sampled, record-only hinting faults:
 * threads of one process that work on memory of their own, or share it in
 * teams, end on nodes with that memory, which moves in the background; a
 * thread pinned with affinity keeps its CPU and gets its memory; and the
 * hinting faults stay far fewer than the pages.
 *
 * One process, as many busy threads as CPUs (more than one node can hold),
 * all memory first touched on node 0. Loose bounds that prove the
 * behaviour on the debug kernel under TCG; the benchmarks report figures.
 * Needs a 2-node guest and CONFIG_KNUMAD=y; run as root.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "knumad_workers.h"

#define MAX_THREADS	16
#define SLICE_MB	32
#define CONVERGE_S	180
#define MIB_PAGES_OF(mb)	((long)(mb) << 8)

static const char * const knobs[] = {
	"scan_sleep_millisecs", "max_cpu_percent",
};

/* The process under test, as its threads tell the test (a shared page). */
struct team {
	volatile int ready;
	int nthreads;
	int slice_of[MAX_THREADS];	/* the slice each thread sweeps */
	int pin_node[MAX_THREADS];	/* -1, or the node a thread is bound to */
	char *buf;			/* the slices, in the child */
	size_t slice;
	volatile pid_t tid[MAX_THREADS];
	volatile unsigned long sweeps[MAX_THREADS];
};

struct sweeper {
	struct team *tm;
	int i;
};

static void *sweep(void *arg)
{
	struct sweeper *s = arg;
	struct team *tm = s->tm;
	char *p = tm->buf + tm->slice_of[s->i] * tm->slice;
	volatile unsigned long sum = 0;
	size_t off;

	tm->tid[s->i] = gettid();
	if (tm->pin_node[s->i] >= 0)
		worker_self_bind(tm->pin_node[s->i]);
	for (;;) {
		for (off = 0; off < tm->slice; off += PAGE_SZ)
			sum += p[off]++;
		tm->sweeps[s->i]++;
	}
	return NULL;
}

/* The child: slices first touched on node 0's CPUs, then a thread each. */
static void team_main(struct team *tm, int nslices)
{
	struct sweeper s[MAX_THREADS];
	cpu_set_t all;
	pthread_t th;
	int i, cpu;

	prctl_set_death_signal();
	worker_self_bind(0);
	tm->buf = mmap(NULL, nslices * tm->slice, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tm->buf == MAP_FAILED)
		_exit(3);
	madvise(tm->buf, nslices * tm->slice, MADV_NOHUGEPAGE);
	memset(tm->buf, 1, nslices * tm->slice);
	CPU_ZERO(&all);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	sched_setaffinity(0, sizeof(all), &all);
	for (i = 0; i < tm->nthreads; i++) {
		s[i].tm = tm;
		s[i].i = i;
		if (pthread_create(&th, NULL, sweep, &s[i]))
			_exit(4);
	}
	for (i = 0; i < tm->nthreads; i++)
		while (!tm->tid[i])
			usleep(1000);
	tm->ready = 1;
	for (;;)
		pause();
}

FIXTURE(hints) {
	struct knumad_settings saved;
	struct team *tm;
	pid_t child;
	int nslices;
};

FIXTURE_SETUP(hints)
{
	static const char * const set[] = {
		"scan_sleep_millisecs", "100", "max_cpu_percent", "20", NULL
	};
	const char *why;

	if (nr_nodes_online() < 2)
		SKIP(return, "needs two NUMA nodes");
	why = knumad_start(&self->saved, knobs, ARRAY_SIZE(knobs), set);
	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
	self->tm = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->tm);
	memset(self->tm, 0, sizeof(*self->tm));
	self->tm->slice = (size_t)SLICE_MB << 20;
}

FIXTURE_TEARDOWN_PARENT(hints)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		wait_orphan_dead(self->child);
	}
	settings_restore(&self->saved);
}

/* One busy thread per CPU (at most MAX_THREADS). */
static int nr_cpus(void)
{
	int n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > MAX_THREADS ? MAX_THREADS : n;
}

static bool team_start(FIXTURE_DATA(hints) *self)
{
	pid_t pid;
	int i;

	for (i = 0; i < self->tm->nthreads; i++)
		if (self->tm->slice_of[i] + 1 > self->nslices)
			self->nslices = self->tm->slice_of[i] + 1;
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid)
		team_main(self->tm, self->nslices);
	self->child = pid;
	for (i = 0; i < 600 && !self->tm->ready; i++)
		usleep(100 * 1000);
	return self->tm->ready;
}

/* Share of slice @s (of the child) on @node. */
static int slice_on(FIXTURE_DATA(hints) *self, int s, int node)
{
	return percent_on_node_of(self->child, self->tm->buf + s * self->tm->slice,
				  self->tm->slice, node);
}

/*
 * Wait until every thread runs on the node that holds >= @pct of its
 * slice; on timeout, say where they are.
 */
static bool wait_local(FIXTURE_DATA(hints) *self, int pct, long timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int i;

	while (now_ms() < deadline) {
		for (i = 0; i < self->tm->nthreads; i++) {
			int node = task_node_of(self->tm->tid[i]);

			if (node < 0 || slice_on(self, self->tm->slice_of[i], node) < pct)
				break;
		}
		if (i == self->tm->nthreads)
			return true;
		usleep(1000 * 1000);
	}
	for (i = 0; i < self->tm->nthreads; i++) {
		int node = task_node_of(self->tm->tid[i]);

		printf("# thread %d on node %d, %d%% of its slice there\n", i, node,
		       node < 0 ? -1 : slice_on(self, self->tm->slice_of[i], node));
	}
	return false;
}

TEST_F_TIMEOUT(hints, private_slices_follow_their_threads, CONVERGE_S + 120)
{
	long faults0 = proc_value("/proc/vmstat", "knumad_hint_faults");
	long task_migr0 = proc_value("/proc/vmstat", "numa_pages_migrated");
	long pages, faults;
	int i;

	ASSERT_GE(faults0, 0) TH_LOG("no knumad_hint_faults in /proc/vmstat");
	self->tm->nthreads = nr_cpus();
	for (i = 0; i < self->tm->nthreads; i++) {
		self->tm->slice_of[i] = i;
		self->tm->pin_node[i] = -1;
	}
	ASSERT_TRUE(team_start(self));
	for (i = 0; i < self->nslices; i++)
		ASSERT_GE(slice_on(self, i, 0), 90);

	ASSERT_TRUE(wait_local(self, 90, CONVERGE_S * 1000L));
	/* Both nodes are used: threads are not all crowded on node 0. */
	for (i = 1; i < self->tm->nthreads; i++)
		if (task_node_of(self->tm->tid[i]) != task_node_of(self->tm->tid[0]))
			break;
	EXPECT_LT(i, self->tm->nthreads);
	/* Sampled, not swept: far fewer faults than pages. */
	pages = self->nslices * MIB_PAGES_OF(SLICE_MB);
	faults = proc_value("/proc/vmstat", "knumad_hint_faults") - faults0;
	TH_LOG("%ld hinting faults for %ld pages", faults, pages);
	EXPECT_LT(faults, pages / 2);
	/* Recorded only: nothing migrated in the tasks' faults. */
	EXPECT_EQ(task_migr0, proc_value("/proc/vmstat", "numa_pages_migrated"));
}

TEST_F_TIMEOUT(hints, teams_sharing_memory_stay_together, CONVERGE_S + 120)
{
	int i, half;

	/* Two teams, each sweeping its own shared slice: a node each. */
	self->tm->nthreads = nr_cpus() & ~1;
	half = self->tm->nthreads / 2;
	ASSERT_GE(half, 1);
	for (i = 0; i < self->tm->nthreads; i++) {
		self->tm->slice_of[i] = i / half;
		self->tm->pin_node[i] = -1;
	}
	ASSERT_TRUE(team_start(self));
	ASSERT_TRUE(wait_local(self, 90, CONVERGE_S * 1000L));
	for (i = 1; i < self->tm->nthreads; i++) {
		if (self->tm->slice_of[i] == self->tm->slice_of[i - 1])
			EXPECT_EQ(task_node_of(self->tm->tid[i]),
				  task_node_of(self->tm->tid[i - 1]))
				TH_LOG("threads %d and %d share a slice", i - 1, i);
	}
}

TEST_F_TIMEOUT(hints, pinned_thread_keeps_its_cpu_and_gets_its_memory, CONVERGE_S + 120)
{
	long end;
	int i, last;

	self->tm->nthreads = nr_cpus();
	last = self->tm->nthreads - 1;
	for (i = 0; i < self->tm->nthreads; i++) {
		self->tm->slice_of[i] = i;
		self->tm->pin_node[i] = i == last ? 1 : -1;
	}
	ASSERT_TRUE(team_start(self));
	end = now_ms() + CONVERGE_S * 1000L;
	while (now_ms() < end && slice_on(self, last, 1) < 90) {
		ASSERT_EQ(1, task_node_of(self->tm->tid[last]));
		usleep(500 * 1000);
	}
	EXPECT_GE(slice_on(self, last, 1), 90);
	EXPECT_EQ(1, task_node_of(self->tm->tid[last]));
}

TEST_HARNESS_MAIN
