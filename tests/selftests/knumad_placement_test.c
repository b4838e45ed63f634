// SPDX-License-Identifier: GPL-2.0
/*
 * CPU follows memory: knumad learns where a process's memory lives and the
 * scheduler runs it there, swapping tasks rather than overloading a node,
 * never against affinity, and never leaving a node's CPUs idle for
 * locality's sake. Where the CPU cannot follow (the memory's node has no
 * room for a second busy process), the memory follows the CPU, and a late
 * arrival does not make the others ping-pong. Also: knumad stays within its
 * CPU budget.
 *
 * The bounds are loose on purpose: they prove the behaviour exists under
 * TCG on a busy 2-core host; the benchmarks report the real figures.
 * Needs a 2-node guest and CONFIG_KNUMAD=y; run as root.
 */
#include "kselftest_harness.h"
#include "knumad_workers.h"

#include <dirent.h>

#define MAX_WORKERS	4
#define MIB_PAGES(mb)	((long)(mb) << 8)

FIXTURE(placement) {
	struct worker w[MAX_WORKERS];
	struct knumad_settings saved;
};

/* Knobs the tests set, and the values restored afterwards. */
static const char * const knobs[] = {
	"scan_sleep_millisecs", "pages_to_scan", "max_cpu_percent",
	"budget_window_millisecs",
};

FIXTURE_SETUP(placement)
{
	if (nr_nodes_online() < 2)
		SKIP(return, "needs two NUMA nodes");
	/* Converge in seconds; the budget test sets its own values. */
	static const char * const set[] = {
		"scan_sleep_millisecs", "50", "max_cpu_percent", "20", NULL
	};
	const char *why = knumad_start(&self->saved, knobs, ARRAY_SIZE(knobs), set);

	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
}

FIXTURE_TEARDOWN_PARENT(placement)
{
	int i;

	/* Workers are the test's children: killed, and reaped by init. */
	for (i = 0; i < MAX_WORKERS; i++)
		worker_stop(&self->w[i]);
	settings_restore(&self->saved);
}

/* Wait up to @timeout_ms until every worker of @w[0..n) runs on want[i]. */
static bool wait_on_nodes(struct worker *w, const int *want, int n, long timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int i;

	while (now_ms() < deadline) {
		for (i = 0; i < n; i++)
			if (task_node_of(w[i].pid) != want[i])
				break;
		if (i == n)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* Percentage of samples over @ms in which worker @w ran on @node. */
static int percent_time_on(struct worker *w, int node, long ms)
{
	long end = now_ms() + ms;
	int on = 0, all = 0;

	while (now_ms() < end) {
		on += task_node_of(w->pid) == node;
		all++;
		usleep(50 * 1000);
	}
	return all ? on * 100 / all : 0;
}

TEST_F_TIMEOUT(placement, task_moves_to_its_memory_and_stays, 300)
{
	const int want[] = { 1 };
	long moved = sysfs_get("tasks_moved"), busy = sysfs_get("tasks_busy");
	long migrated = sysfs_get("pages_migrated");
	unsigned long sweeps;
	bool ok;

	/*
	 * Off node and free to run anywhere before knumad looks: a knumad
	 * that saw it bound to node 0 would rightly move its memory there,
	 * one that ran first would move it before the check below.
	 */
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	ASSERT_TRUE(worker_start_held(&self->w[0], 1, 0, 256, false, true, true));
	ASSERT_GE(self->w[0].state->percent_on_mem_node, 90)
		TH_LOG("first touch did not land on node 1");
	ASSERT_EQ(0, task_node_of(self->w[0].pid));
	worker_release(&self->w[0]);
	ASSERT_TRUE(worker_wait_unbound(&self->w[0]));
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));

	/* On failure, say what knumad did, for a log that keeps nothing else. */
	ok = wait_on_nodes(self->w, want, 1, 120 * 1000);
	if (!ok) {
		TH_LOG("still on node %d, memory %d%% on node 1",
		       task_node_of(self->w[0].pid), worker_percent_on(&self->w[0], 1));
		TH_LOG("since the start: %ld moves, %ld busy, %ld pages migrated",
		       sysfs_get("tasks_moved") - moved, sysfs_get("tasks_busy") - busy,
		       sysfs_get("pages_migrated") - migrated);
	}
	ASSERT_TRUE(ok);
	/* And it stays (load balancing does not pull it back). */
	EXPECT_GE(percent_time_on(&self->w[0], 1, 5000), 90);
	sweeps = self->w[0].state->sweeps;
	usleep(500 * 1000);
	EXPECT_GT(self->w[0].state->sweeps, sweeps);
}

TEST_F_TIMEOUT(placement, crossed_tasks_on_busy_nodes_are_swapped, 300)
{
	/* Two per node fill every CPU: moving needs swapping. */
	const int mem[] = { 1, 1, 0, 0 }, run[] = { 0, 0, 1, 1 };
	long swapped = sysfs_get("tasks_swapped"), migrated = sysfs_get("pages_migrated");
	int i, on_mem = 0;
	long end;

	/*
	 * All four in place and busy before any may move, and before knumad
	 * looks: while held, each is bound to the other node, and knumad would
	 * rightly move the memory of a bound task.
	 */
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(worker_start_held(&self->w[i], mem[i], run[i], 64,
					      false, true, true));
	for (i = 0; i < 4; i++)
		worker_release(&self->w[i]);
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(worker_wait_unbound(&self->w[i]));
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	/*
	 * Each task fits on its memory's node, so the CPU follows the memory:
	 * all four swap over (every preference is published before any task
	 * moves, so crossed pairs find each other) and no memory moves.
	 */
	end = now_ms() + 120 * 1000L;
	while (now_ms() < end) {
		on_mem = 0;
		for (i = 0; i < 4; i++)
			on_mem += task_node_of(self->w[i].pid) == mem[i];
		if (on_mem == 4)
			break;
		usleep(500 * 1000);
	}
	TH_LOG("on their memory's node: %d of 4; nodes %d %d %d %d", on_mem,
	       task_node_of(self->w[0].pid), task_node_of(self->w[1].pid),
	       task_node_of(self->w[2].pid), task_node_of(self->w[3].pid));
	EXPECT_EQ(4, on_mem);
	EXPECT_GT(sysfs_get("tasks_swapped"), swapped);
	/* At most stray pages (first touched off node), not their memory. */
	EXPECT_LE(sysfs_get("pages_migrated") - migrated, 4 * MIB_PAGES(64) / 100);
	/* And they stay (load balancing does not undo it). */
	for (i = 0; i < 4; i++)
		EXPECT_GE(percent_time_on(&self->w[i], mem[i], 2000), 90);
}

/* The node most of @w's threads run on, or -1 if they are split evenly. */
static int process_node_of(struct worker *w)
{
	char path[64];
	struct dirent *d;
	int on[2] = { 0, 0 };
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", w->pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		int node = d->d_name[0] == '.' ? -1 : task_node_of(atoi(d->d_name));

		if (node == 0 || node == 1)
			on[node]++;
	}
	closedir(dir);
	return on[0] == on[1] ? -1 : on[1] > on[0];
}

/*
 * Wait up to @timeout_ms until workers 0 and 1 run on different nodes with
 * at least @pct percent of each one's memory there; false on timeout. The
 * nodes seen then go to @node: read again, an idle main thread or a
 * load-balanced busy one could name the other node, or none.
 */
static bool wait_split_and_local(struct worker *w, int pct, long timeout_ms, int node[2])
{
	long deadline = now_ms() + timeout_ms;

	while (now_ms() < deadline) {
		int n0 = process_node_of(&w[0]), n1 = process_node_of(&w[1]);

		node[0] = n0;
		node[1] = n1;
		if (n0 >= 0 && n1 >= 0 && n0 != n1 &&
		    worker_percent_on(&w[0], n0) >= pct && worker_percent_on(&w[1], n1) >= pct)
			return true;
		usleep(500 * 1000);
	}
	return false;
}

TEST_F_TIMEOUT(placement, busy_processes_split_and_memory_follows, 420)
{
	int i, node[2], low0 = 100, low1 = 100;
	long end, migrated;

	/*
	 * numa01's case: two processes, each with as many busy threads as a
	 * node has CPUs, all memory first touched on node 0. Both cannot run
	 * on node 0: one goes to node 1 and its memory follows it there.
	 * The bound: a full scan of 2 x 64 MiB and moving 64 MiB take a few
	 * seconds under TCG; the debug kernel (KASAN, lockdep) is several
	 * times slower, and the host may run other guests: 180 s.
	 */
	for (i = 0; i < 2; i++)
		ASSERT_TRUE(worker_start_threads(&self->w[i], 0, 0, 64, false, false, false, 2));
	ASSERT_TRUE(wait_split_and_local(self->w, 90, 180 * 1000, node))
		TH_LOG("nodes %d %d, memory local %d%% %d%%", node[0], node[1],
		       worker_percent_on(&self->w[0], node[0]),
		       worker_percent_on(&self->w[1], node[1]));

	/*
	 * A third such process arrives (its memory on node 0, no room left
	 * anywhere): the first two must not ping-pong. The overloaded node
	 * sheds threads, and per-thread placement may then move the part of a
	 * process's memory its moved thread uses, once: so each stays >= 75%
	 * local, sampled every second for 30 s, and knumad moves less than
	 * 64 MiB meanwhile (a ping-pong of one process's memory, away and
	 * back, is 128 MiB).
	 */
	ASSERT_TRUE(worker_start_threads(&self->w[2], 0, 0, 32, false, false, false, 2));
	migrated = sysfs_get("pages_migrated");
	for (end = now_ms() + 30 * 1000L; now_ms() < end; usleep(1000 * 1000)) {
		int p0 = worker_percent_on(&self->w[0], node[0]);
		int p1 = worker_percent_on(&self->w[1], node[1]);

		if (p0 < low0)
			low0 = p0;
		if (p1 < low1)
			low1 = p1;
	}
	migrated = sysfs_get("pages_migrated") - migrated;
	TH_LOG("with a third process: %d%% and %d%% local at the least, %ld pages migrated",
	       low0, low1, migrated);
	EXPECT_GE(low0, 75);
	EXPECT_GE(low1, 75);
	EXPECT_LT(migrated, MIB_PAGES(64));
}

TEST_F_TIMEOUT(placement, all_memory_on_one_node_keeps_both_nodes_busy, 300)
{
	long end, samples = 0, on_node1 = 0;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_TRUE(worker_start(&self->w[i], 0, i % 2, 64, false, true));
	/* Let knumad learn and try; then node 1's CPUs must still be used. */
	sleep(10);
	for (end = now_ms() + 10 * 1000; now_ms() < end; samples++) {
		for (i = 0; i < 4; i++)
			on_node1 += task_node_of(self->w[i].pid) == 1;
		usleep(100 * 1000);
	}
	/* On average at least one of the four runs on node 1 (ideal: two). */
	EXPECT_GE(on_node1, samples) TH_LOG("%ld worker-samples on node 1 of %ld",
					    on_node1, samples * 4);
}

TEST_F_TIMEOUT(placement, affinity_is_never_broken, 300)
{
	long scans = sysfs_get("full_scans");
	long deadline;

	/* Memory on node 1, bound to node 0: knumad must not move it. */
	ASSERT_TRUE(worker_start(&self->w[0], 1, 0, 64, true, true));
	deadline = now_ms() + 120 * 1000;
	while (sysfs_get("full_scans") < scans + 5 && now_ms() < deadline) {
		ASSERT_EQ(0, task_node_of(self->w[0].pid));
		usleep(50 * 1000);
	}
	ASSERT_GE(sysfs_get("full_scans"), scans + 5) TH_LOG("knumad did not scan");
	EXPECT_EQ(100, percent_time_on(&self->w[0], 0, 3000));
}

TEST_F_TIMEOUT(placement, scan_stays_within_cpu_budget, 300)
{
	unsigned long long cpu0, cpu1;
	long pages0, t0, t1;
	char path[64];
	pid_t kpid;
	FILE *f;

	/*
	 * 1 GiB of 4 KiB pages, and a budget that binds: 5%, tiny sleeps,
	 * and at most 1 s worth of budget saved for a burst.
	 */
	ASSERT_TRUE(sysfs_set("max_cpu_percent", "5"));
	ASSERT_TRUE(sysfs_set("budget_window_millisecs", "1000"));
	ASSERT_TRUE(sysfs_set("scan_sleep_millisecs", "1"));
	ASSERT_TRUE(sysfs_set("pages_to_scan", "65536"));
	ASSERT_TRUE(worker_start(&self->w[0], 0, 0, 1024, false, false));
	kpid = find_kthread("knumad");
	ASSERT_NE(0, kpid);
	snprintf(path, sizeof(path), "/proc/%d/schedstat", kpid);

	sleep(2);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &cpu0));
	fclose(f);
	pages0 = sysfs_get("pages_scanned");
	t0 = now_ms();
	sleep(20);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &cpu1));
	fclose(f);
	t1 = now_ms();

	/* It did scan (more than one pass' worth)... */
	EXPECT_GT(sysfs_get("pages_scanned") - pages0, 65536);
	/*
	 * ...within 5% of one CPU: over T at most 5% of (T + the 1 s window),
	 * with slack for timer granularity.
	 */
	TH_LOG("knumad used %.2f%% of a CPU",
	       (cpu1 - cpu0) / 1e6 * 100.0 / (double)(t1 - t0));
	EXPECT_LE((cpu1 - cpu0) / 1000000ULL,
		  (unsigned long long)(t1 - t0 + 1000) * 6 / 100 + 50);
}

TEST_HARNESS_MAIN
