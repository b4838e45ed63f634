// SPDX-License-Identifier: GPL-2.0
/*
 * Memory follows CPU: where a task cannot move to its memory, knumad moves
 * the memory to the task, in the background, in paired flows that keep
 * each node's free memory level, without losing a byte, and without
 * ping-pong.
 *
 * Loose bounds that prove the behaviour under TCG; the benchmarks report
 * figures. Needs a 2-node guest and CONFIG_KNUMAD=y; run as root.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "knumad_workers.h"

#define MAX_WORKERS	2
#define MIB_PAGES(mb)	((long)(mb) << 8)

static const char * const knobs[] = {
	"scan_sleep_millisecs", "max_cpu_percent", "migrate_max_mbps",
	"migrate_holdoff_millisecs", "budget_window_millisecs", "pair_tolerance_pages",
	"migrate_batch_pages", "pair_wait_millisecs", "pair_free_percent",
};

FIXTURE(migrate) {
	struct worker w[MAX_WORKERS];
	struct knumad_settings saved;
};

FIXTURE_SETUP(migrate)
{
	if (nr_nodes_online() < 2)
		SKIP(return, "needs two NUMA nodes");
	/* Fast, for TCG: a generous budget and short sleeps. */
	static const char * const set[] = {
		"scan_sleep_millisecs", "20", "max_cpu_percent", "50",
		"migrate_max_mbps", "1024", "pair_tolerance_pages", "2048",
		"migrate_batch_pages", "512",
		/* One-way flows go at once, unless a test waits for pairs. */
		"pair_wait_millisecs", "0", NULL
	};
	const char *why = knumad_start(&self->saved, knobs, ARRAY_SIZE(knobs), set);

	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
}

FIXTURE_TEARDOWN_PARENT(migrate)
{
	int i;

	/* Workers are the test's children: killed, and reaped by init. */
	for (i = 0; i < MAX_WORKERS; i++)
		worker_stop(&self->w[i]);
	settings_restore(&self->saved);
}

/*
 * Wait until every worker has >= @pct of its memory on want[i], counting
 * in @stalls the 3-second windows in which a worker made no progress at
 * all (TCG on a loaded host is slow, but never that slow).
 */
static bool wait_memory_on(struct worker *w, const int *want, int n, int pct,
			   long timeout_ms, unsigned long *stalls)
{
	long deadline = now_ms() + timeout_ms;
	unsigned long seen[MAX_WORKERS];
	int i, done, tick = 0;

	for (i = 0; i < n; i++)
		seen[i] = w[i].state->progress;
	while (now_ms() < deadline) {
		usleep(1000 * 1000);
		for (i = 0, done = 0; i < n; i++)
			done += worker_percent_on(&w[i], want[i]) >= pct;
		if (++tick % 3 == 0) {
			for (i = 0; i < n; i++) {
				if (w[i].state->progress == seen[i])
					(*stalls)++;
				seen[i] = w[i].state->progress;
			}
		}
		if (done == n)
			return true;
	}
	return false;
}

/* Anonymous memory mapped (KiB), and pages isolated for migration. */
static long anon_kb(void)
{
	return proc_value("/proc/meminfo", "AnonPages");
}

static long isolated_pages(void)
{
	return proc_value("/proc/vmstat", "nr_isolated_anon");
}

TEST_F_TIMEOUT(migrate, pinned_task_gets_its_memory_without_stalling, 300)
{
	const int want[] = { 1 };
	long migrated = sysfs_get("pages_migrated");
	unsigned long stalls = 0;

	/* 256 MiB first-touched on node 0, the task bound to node 1. */
	ASSERT_TRUE(worker_start(&self->w[0], 0, 1, 256, true, true));
	ASSERT_GE(worker_percent_on(&self->w[0], 0), 90);

	ASSERT_TRUE(wait_memory_on(self->w, want, 1, 95, 200 * 1000, &stalls))
		TH_LOG("%d%% on node 1", worker_percent_on(&self->w[0], 1));
	EXPECT_EQ(0UL, stalls);
	EXPECT_GE(sysfs_get("pages_migrated") - migrated, MIB_PAGES(256) * 95 / 100);
	/* It never ran anywhere else. */
	EXPECT_EQ(1, task_node_of(self->w[0].pid));
}

TEST_F_TIMEOUT(migrate, crossed_flows_are_paired_and_keep_free_memory, 300)
{
	const int want[] = { 1, 0 };
	long start[2], low[2], deadline, gap, gap0, worst = 0, apart, worst_apart = 0;
	unsigned long stalls = 0;
	int i, n, done = 0;

	/*
	 * Each task's 128 MiB on the other node; 2048-page tolerance. Both
	 * flows exist when knumad starts looking (one flow alone would move
	 * towards the node with more free memory, which is the other way of
	 * keeping the nodes level): they move paired. Memory counts as scarce
	 * however much is free, so no flow goes ahead alone.
	 */
	ASSERT_TRUE(sysfs_set("pair_wait_millisecs", "30000"));
	ASSERT_TRUE(sysfs_set("pair_free_percent", "100"));
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	ASSERT_TRUE(worker_start(&self->w[0], 0, 1, 128, true, true));
	ASSERT_TRUE(worker_start(&self->w[1], 1, 0, 128, true, true));
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	for (n = 0; n < 2; n++)
		start[n] = low[n] = node_free_kb(n);
	gap0 = labs(start[0] - start[1]);

	deadline = now_ms() + 200 * 1000;
	while (!done && now_ms() < deadline) {
		for (i = 0; i < 10; i++) {
			long now[2];

			usleep(100 * 1000);
			for (n = 0; n < 2; n++) {
				now[n] = node_free_kb(n);
				if (now[n] < low[n])
					low[n] = now[n];
			}
			/* How far apart the nodes' free memory is now. */
			gap = labs(now[0] - now[1]);
			if (gap > worst)
				worst = gap;
		}
		/* Unpaired: one task's memory ahead of the other's (KiB). */
		apart = labs(worker_percent_on(&self->w[0], 1) -
			     worker_percent_on(&self->w[1], 0)) * 128 * 1024 / 100;
		if (apart > worst_apart)
			worst_apart = apart;
		done = worker_percent_on(&self->w[0], 1) >= 95 &&
		       worker_percent_on(&self->w[1], 0) >= 95;
	}
	ASSERT_TRUE(done) TH_LOG("%d%% and %d%% moved",
				 worker_percent_on(&self->w[0], 1),
				 worker_percent_on(&self->w[1], 0));
	EXPECT_TRUE(wait_memory_on(self->w, want, 2, 95, 1000, &stalls));
	/*
	 * Paired, or towards the emptier node until the two are level: the
	 * nodes' free memory never gets further apart than it was, beyond
	 * the tolerance (8 MiB) + one chunk in flight (2 MiB) + 6 MiB of
	 * noise; one way first it would drift by the whole 128 MiB. Moving
	 * into the emptier node first is the leveling rule, so how far one
	 * task is ahead of the other, and each node's drop, are logged.
	 */
	TH_LOG("free memory of the nodes %ld KiB apart at the start, at most %ld KiB after",
	       gap0, worst);
	TH_LOG("moved memory of the two tasks apart by at most %ld KiB", worst_apart);
	for (n = 0; n < 2; n++)
		TH_LOG("node %d: free dropped by at most %ld KiB", n, start[n] - low[n]);
	EXPECT_LE(worst, gap0 + 16 * 1024);
}

/*
 * The integrity workload: half THP, half 4 KiB pages; every word holds
 * (page index, generation); a pass writes a new generation, the next one
 * checks it. Runs until stopped; counts bad words.
 */
struct integrity {
	char *buf;
	size_t len;
	volatile int stop;
	unsigned long passes;
	unsigned long bad_words;
};

static void *integrity_loop(void *arg)
{
	struct integrity *it = arg;
	uint64_t gen = 1;

	while (!it->stop) {
		size_t words = it->len / sizeof(uint64_t), i;
		uint64_t *w = (uint64_t *)it->buf;

		for (i = 0; i < words; i++)
			w[i] = ((uint64_t)(i / 512) << 32) | gen;
		for (i = 0; i < words; i++)
			if (w[i] != (((uint64_t)(i / 512) << 32) | gen))
				it->bad_words++;
		it->passes++;
		gen++;
	}
	return NULL;
}

TEST_F_TIMEOUT(migrate, nothing_is_lost_while_memory_moves_back_and_forth, 600)
{
	long migrated0 = sysfs_get("pages_migrated"), anon0, anon1, deadline;
	struct integrity it = { .len = 128UL << 20 };
	cpu_set_t cpus;
	pthread_t thread;
	int node = 0, moves = 0;

	anon0 = anon_kb();
	/* No hold-off: every move of the task drags its memory along. */
	ASSERT_TRUE(sysfs_set("migrate_holdoff_millisecs", "0"));
	ASSERT_TRUE(node_cpus(0, &cpus));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	it.buf = mmap(NULL, it.len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, it.buf);
	madvise(it.buf, it.len / 2, MADV_HUGEPAGE);
	madvise(it.buf + it.len / 2, it.len / 2, MADV_NOHUGEPAGE);
	memset(it.buf, 0, it.len);
	ASSERT_EQ(0, pthread_create(&thread, NULL, integrity_loop, &it));

	/* Move this process between the nodes until 100k pages moved. */
	deadline = now_ms() + 480 * 1000;
	while (sysfs_get("pages_migrated") - migrated0 < 100000 && now_ms() < deadline) {
		long wait = now_ms() + 60 * 1000;

		node = !node;
		ASSERT_TRUE(node_cpus(node, &cpus));
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
		ASSERT_EQ(0, pthread_setaffinity_np(thread, sizeof(cpus), &cpus));
		while (percent_on_node(it.buf, it.len, node) < 90 && now_ms() < wait)
			usleep(200 * 1000);
		moves++;
	}
	it.stop = 1;
	pthread_join(thread, NULL);
	TH_LOG("%d moves, %ld pages migrated, %lu checked passes",
	       moves, sysfs_get("pages_migrated") - migrated0, it.passes);
	EXPECT_GE(sysfs_get("pages_migrated") - migrated0, 100000);
	EXPECT_GT(it.passes, 0UL);
	EXPECT_EQ(0UL, it.bad_words);

	/* No page is left isolated or mapped once the memory is gone. */
	ASSERT_EQ(0, munmap(it.buf, it.len));
	sleep(1);
	anon1 = anon_kb();
	TH_LOG("anonymous memory: %ld KiB before, %ld KiB after", anon0, anon1);
	EXPECT_LE(anon1, anon0 + 4 * 1024);
	EXPECT_EQ(0, isolated_pages());
}

/* Two threads of one process, one on each node, sweeping one buffer. */
static void *sweep_until_stopped(void *arg)
{
	struct worker_state *st = arg;
	volatile unsigned long sum = 0;
	size_t off;

	while (!st->go)
		for (off = 0; off < st->len; off += PAGE_SZ)
			sum += st->buf[off];
	return NULL;
}

static void sweep_for(const char *buf, size_t len, long ms)
{
	volatile unsigned long sum = 0;
	long end = now_ms() + ms;
	size_t off;

	while (now_ms() < end)
		for (off = 0; off < len; off += PAGE_SZ)
			sum += buf[off];
}

TEST_F_TIMEOUT(migrate, memory_used_from_both_nodes_stays_put, 300)
{
	long migrated0 = sysfs_get("pages_migrated"), moved;
	struct worker_state st = { .len = 64UL << 20 };
	cpu_set_t cpus;
	pthread_t t;

	ASSERT_TRUE(node_cpus(0, &cpus));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	st.buf = mmap(NULL, st.len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st.buf);
	memset(st.buf, 1, st.len);
	ASSERT_EQ(0, pthread_create(&t, NULL, sweep_until_stopped, &st));
	ASSERT_TRUE(node_cpus(1, &cpus));
	ASSERT_EQ(0, pthread_setaffinity_np(t, sizeof(cpus), &cpus));

	/* This thread sweeps on node 0, the other on node 1, for 20 s. */
	sweep_for(st.buf, st.len, 20 * 1000);
	moved = sysfs_get("pages_migrated") - migrated0;
	TH_LOG("%ld pages migrated of %ld", moved, MIB_PAGES(64));
	EXPECT_LE(moved, MIB_PAGES(64) / 20);
	st.go = 1;
	pthread_join(t, NULL);
	munmap(st.buf, st.len);
}

TEST_F_TIMEOUT(migrate, holdoff_bounds_ping_pong, 300)
{
	long migrated0, moved;
	int i;

	/* 64 MiB; the task is moved between nodes every 2 s for 30 s. */
	ASSERT_TRUE(sysfs_set("migrate_holdoff_millisecs", "10000"));
	ASSERT_TRUE(worker_start(&self->w[0], 0, 0, 64, true, true));
	migrated0 = sysfs_get("pages_migrated");
	for (i = 0; i < 15; i++) {
		ASSERT_TRUE(worker_bind(&self->w[0], (i + 1) % 2));
		usleep(2000 * 1000);
	}
	moved = sysfs_get("pages_migrated") - migrated0;
	TH_LOG("%ld pages migrated of %ld, in 15 moves of the task", moved, MIB_PAGES(64));
	/* Without the hold-off: up to 15 buffers; with it, at most 4. */
	EXPECT_LE(moved, 4 * MIB_PAGES(64));
}

TEST_F_TIMEOUT(migrate, memory_bound_by_mbind_stays, 300)
{
	unsigned long node0 = 1, migrated0;
	size_t len = 64UL << 20;
	long deadline;
	cpu_set_t cpus;
	char *buf;

	/* MPOL_BIND to node 0, then run on node 1: knumad must not move it. */
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, syscall(SYS_mbind, buf, len, 2 /* MPOL_BIND */, &node0,
			     sizeof(node0) * 8, 0));
	memset(buf, 1, len);
	ASSERT_GE(percent_on_node(buf, len, 0), 99);
	ASSERT_TRUE(node_cpus(1, &cpus));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	migrated0 = sysfs_get("pages_migrated");

	/* Long enough for several scans and migration passes. */
	deadline = now_ms() + 15 * 1000;
	while (now_ms() < deadline)
		sweep_for(buf, len, 1000);
	EXPECT_GE(percent_on_node(buf, len, 0), 99);
	TH_LOG("%ld pages migrated meanwhile (by anyone)",
	       sysfs_get("pages_migrated") - (long)migrated0);
	munmap(buf, len);
}

/* Children that unmap, mprotect, fork and exit while their memory moves. */
static void churn_child(int round)
{
	size_t len = 32UL << 20;
	char *buf;
	pid_t kid;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		_exit(1);
	memset(buf, round, len);
	/* Now on node 1's CPUs: knumad starts moving the memory over. */
	worker_self_bind(1);
	usleep((round % 5) * 100 * 1000);
	switch (round % 4) {
	case 0:
		munmap(buf + len / 2, len / 2);
		break;
	case 1:
		mprotect(buf, len, PROT_READ);
		break;
	case 2:
		kid = fork();
		if (kid == 0) {
			memset(buf, 7, len / 4);
			_exit(0);
		}
		waitpid(kid, NULL, 0);
		break;
	default:
		break;		/* just exit mid-flight */
	}
	usleep(300 * 1000);
	_exit(0);
}

TEST_F_TIMEOUT(migrate, exit_munmap_mprotect_fork_during_migration, 300)
{
	long migrated0 = sysfs_get("pages_migrated");
	long anon0, anon1;
	int round;

	anon0 = anon_kb();
	for (round = 0; round < 24; round++) {
		pid_t pid = fork();
		int status;

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			worker_self_bind(0);
			churn_child(round);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	sleep(1);
	anon1 = anon_kb();
	TH_LOG("anonymous memory: %ld KiB before, %ld KiB after; %ld pages migrated",
	       anon0, anon1, sysfs_get("pages_migrated") - migrated0);
	/* The churn did race with migration... */
	EXPECT_GT(sysfs_get("pages_migrated") - migrated0, 0);
	/* ...and nothing stayed behind. */
	EXPECT_LE(anon1, anon0 + 4 * 1024);
	EXPECT_EQ(0, isolated_pages());
}

TEST_HARNESS_MAIN
