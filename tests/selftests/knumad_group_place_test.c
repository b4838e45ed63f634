// SPDX-License-Identifier: GPL-2.0
/*
 * What knumad does with a numa_group: it gives the group one node, moves
 * the group's memory there and runs its threads there; two groups that
 * each fill a node's CPUs get a node each.
 *
 * The bounds are loose on purpose: they prove the behaviour under TCG on
 * a busy 2-core host. Needs a 2-node guest (2 CPUs a node), the numa_group
 * syscalls (skips with ENOSYS) and CONFIG_KNUMAD=y; run as root.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "knumad_workers.h"
#include "knumad_group.h"

#define MAX_GROUP_WORKERS	2
#define WAIT_MS			(90 * 1000)	/* to converge */
#define LOG_EVERY_MS		(10 * 1000)

/*
 * A group worker: a process with two threads, each first-touching half of
 * a private anonymous buffer on a given node, then joining the process's
 * group; the buffer joins it too; then both sweep the whole buffer
 * forever, on any CPU. What it tells the test, in a shared page:
 */
struct gw_state {
	volatile int ready;		/* group complete, threads sweeping */
	volatile int failed;		/* setup step that failed, 0 if none */
	volatile int failed_errno;
	volatile int gfd;		/* the group, in the worker */
	volatile int tid[2];
	char *volatile buf;
	volatile size_t len;
	volatile int touch_node[2];	/* where each half was first touched */
	volatile int touch_pct[2];	/* and how much of it landed there */
	volatile int joined;		/* threads in the group */
	volatile unsigned long sweeps[2];
};

struct gw {
	pid_t pid;
	pid_t owner;			/* the process that forked it */
	struct gw_state *st;
};

static void gw_fail(struct gw_state *st, int step)
{
	st->failed_errno = errno;
	st->failed = step;
	_exit(step);	/* the whole worker */
}

static void all_cpus(cpu_set_t *set)
{
	int cpu;

	CPU_ZERO(set);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, set);
}

/* Thread @idx: first-touch its half on its node, then join the group. */
static void gw_touch_and_join(struct gw_state *st, int idx)
{
	size_t half = st->len / 2;
	char *mine = st->buf + idx * half;
	cpu_set_t cpus;

	st->tid[idx] = sys_gettid();
	if (!node_cpus(st->touch_node[idx], &cpus) ||
	    sched_setaffinity(0, sizeof(cpus), &cpus))
		gw_fail(st, 10 + idx);
	memset(mine, idx + 1, half);
	st->touch_pct[idx] = percent_on_node(mine, half, st->touch_node[idx]);
	/* Free to run anywhere: where is knumad's business now. */
	all_cpus(&cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		gw_fail(st, 20 + idx);
	if (sys_numa_group_task(st->gfd, NUMA_GROUP_SELF_THREAD, 0))
		gw_fail(st, 30 + idx);
	__atomic_add_fetch(&st->joined, 1, __ATOMIC_SEQ_CST);
}

static void gw_sweep(struct gw_state *st, int idx)
{
	volatile unsigned long sum = 0;
	size_t off;

	for (;;) {
		for (off = 0; off < st->len; off += PAGE_SZ)
			sum += st->buf[off];
		st->sweeps[idx]++;
	}
}

static void *gw_thread(void *arg)
{
	struct gw_state *st = arg;

	gw_touch_and_join(st, 1);
	gw_sweep(st, 1);
	return NULL;
}

static void gw_main(struct gw_state *st)
{
	pthread_t th;

	prctl_set_death_signal();
	st->buf = mmap(NULL, st->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->buf == MAP_FAILED)
		gw_fail(st, 1);
	madvise(st->buf, st->len, MADV_HUGEPAGE);
	st->gfd = ng_create();
	if (st->gfd < 0)
		gw_fail(st, 2);
	if (pthread_create(&th, NULL, gw_thread, st))
		gw_fail(st, 3);
	gw_touch_and_join(st, 0);
	while (__atomic_load_n(&st->joined, __ATOMIC_SEQ_CST) < 2)
		usleep(1000);
	if (ng_add_mem(st->gfd, st->buf, st->len))
		gw_fail(st, 4);
	st->ready = 1;
	gw_sweep(st, 0);
}

/*
 * Start a group worker with @mb MiB, its first half first-touched on
 * @node0, its second half on @node1. False if it failed (see st->failed).
 */
static bool gw_start(struct gw *w, int node0, int node1, size_t mb)
{
	struct gw_state *st;
	int status;
	pid_t pid;

	st = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return false;
	st->len = mb << 20;
	st->touch_node[0] = node0;
	st->touch_node[1] = node1;
	w->st = st;
	w->owner = getpid();
	/* Not into w->pid: *w is shared with the harness, so with the child too. */
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0)
		gw_main(st);
	w->pid = pid;
	while (!w->st->ready) {
		if (waitpid(w->pid, &status, WNOHANG) == w->pid) {
			w->pid = 0;
			return false;
		}
		usleep(10000);
	}
	return true;
}

/*
 * Only the process that started the worker can stop it (and has its state
 * mapped); elsewhere, see wait_orphan_dead().
 */
static void gw_stop(struct gw *w)
{
	if (w->owner != getpid()) {
		wait_orphan_dead(w->pid);
		w->pid = 0;
		return;
	}
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
		w->pid = 0;
	}
	if (w->st)
		munmap(w->st, PAGE_SZ);
	w->st = NULL;
}

/* The group's node per its fdinfo (-1: none yet; -2: unreadable). */
static int gw_node(struct gw *w)
{
	return ng_node(w->pid, w->st->gfd);
}

/* Share (percent) of the worker's buffer on @node; 0 for no node. */
static int gw_percent_on(struct gw *w, int node)
{
	if (node < 0)
		return 0;
	return percent_on_node_of(w->pid, w->st->buf, w->st->len, node);
}

/* The group state, for the log. */
static void gw_describe(struct gw *w, char *out, size_t size)
{
	struct ng_info in;
	int n;

	if (!ng_read_info(w->pid, w->st->gfd, &in)) {
		snprintf(out, size, "no fdinfo");
		return;
	}
	n = snprintf(out, size, "node %d, tasks %d, ranges %d, node_changes %ld, "
		     "pages_migrated %ld, pages", in.node, in.tasks, in.ranges,
		     in.node_changes, in.pages_migrated);
	for (int i = 0; i < in.nr_pages && n > 0 && (size_t)n < size; i++)
		n += snprintf(out + n, size - n, " %ld", in.pages[i]);
	if (n > 0 && (size_t)n < size)
		snprintf(out + n, size - n, "; threads on nodes %d %d",
			 task_node_of(w->st->tid[0]), task_node_of(w->st->tid[1]));
}

/* Knobs the tests set, restored afterwards. */
static const char * const knobs[] = {
	"scan_sleep_millisecs", "pages_to_scan", "max_cpu_percent",
};

/*
 * The teardown runs in the harness's parent process (FIXTURE_TEARDOWN_PARENT,
 * see struct knumad_settings): what it needs is in the fixture data.
 */
FIXTURE(group_place) {
	struct gw w[MAX_GROUP_WORKERS];
	struct knumad_settings saved;
};

FIXTURE_SETUP(group_place)
{
	static const char * const set[] = {
		"scan_sleep_millisecs", "50", "max_cpu_percent", "20", NULL
	};
	const char *why;
	int g;

	if (nr_nodes_online() < 2)
		SKIP(return, "needs two NUMA nodes");
	g = ng_create();
	if (g < 0 && errno == ENOSYS)
		SKIP(return, "no numa_group syscalls (numa_group_create: ENOSYS)");
	ASSERT_LE(0, g) TH_LOG("numa_group_create: %s", strerror(errno));
	close(g);
	/* Converge in seconds. */
	why = knumad_start(&self->saved, knobs, ARRAY_SIZE(knobs), set);
	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
}

FIXTURE_TEARDOWN_PARENT(group_place)
{
	int i;

	for (i = 0; i < MAX_GROUP_WORKERS; i++)
		gw_stop(&self->w[i]);
	settings_restore(&self->saved);
}

/* Percentage of samples over @ms in which thread @tid ran on @node. */
static int percent_time_on(pid_t tid, int node, long ms)
{
	long end = now_ms() + ms;
	int on = 0, all = 0;

	while (now_ms() < end) {
		on += task_node_of(tid) == node;
		all++;
		usleep(100 * 1000);
	}
	return all ? on * 100 / all : 0;
}

TEST_F_TIMEOUT(group_place, group_converges_on_one_node, 300)
{
	struct gw *w = &self->w[0];
	long start, deadline, next_log;
	int node = -1, pct = 0, i;
	unsigned long sweeps[2];
	char state[256];

	/* 128 MiB, half first-touched on each node; two threads. */
	ASSERT_TRUE(gw_start(w, 0, 1, 128))
		TH_LOG("worker failed at step %d: %s", w->st ? w->st->failed : -1,
		       w->st ? strerror(w->st->failed_errno) : "-");
	TH_LOG("first touch: %d%% of half 0 on node 0, %d%% of half 1 on node 1",
	       w->st->touch_pct[0], w->st->touch_pct[1]);
	ASSERT_GE(w->st->touch_pct[0], 70);
	ASSERT_GE(w->st->touch_pct[1], 70);

	start = now_ms();
	deadline = start + WAIT_MS;
	next_log = start + LOG_EVERY_MS;
	while (now_ms() < deadline) {
		node = gw_node(w);
		pct = gw_percent_on(w, node);
		if (node >= 0 && pct >= 90)
			break;
		if (now_ms() >= next_log) {
			gw_describe(w, state, sizeof(state));
			TH_LOG("after %ld s: %s; %d%% of the buffer on the group's node",
			       (now_ms() - start) / 1000, state, pct);
			next_log += LOG_EVERY_MS;
		}
		usleep(500 * 1000);
	}
	gw_describe(w, state, sizeof(state));
	TH_LOG("after %ld s: %s; %d%% of the buffer on the group's node",
	       (now_ms() - start) / 1000, state, pct);
	ASSERT_LE(0, node) TH_LOG("knumad chose no node for the group");
	ASSERT_GE(pct, 90) TH_LOG("only %d%% of the buffer on node %d", pct, node);
	EXPECT_EQ(node, gw_node(w)) TH_LOG("the group left node %d", node);

	/* Its threads run there (allow them the rest of the bound to get there). */
	while (now_ms() < deadline &&
	       (task_node_of(w->st->tid[0]) != node || task_node_of(w->st->tid[1]) != node))
		usleep(100 * 1000);
	for (i = 0; i < 2; i++)
		sweeps[i] = w->st->sweeps[i];
	for (i = 0; i < 2; i++) {
		int on = percent_time_on(w->st->tid[i], node, 3000);

		TH_LOG("thread %d ran on node %d in %d%% of samples", i, node, on);
		EXPECT_GE(on, 70);
	}
	/* And both still work. */
	for (i = 0; i < 2; i++)
		EXPECT_GT(w->st->sweeps[i], sweeps[i]);
}

TEST_F_TIMEOUT(group_place, two_full_groups_get_a_node_each, 300)
{
	long start, deadline, next_log;
	int node[2] = { -1, -1 }, pct[2] = { 0, 0 }, i;
	char state[256];

	/* 2 busy threads each: a node's CPUs each; all memory on node 0. */
	for (i = 0; i < 2; i++) {
		struct gw *w = &self->w[i];

		ASSERT_TRUE(gw_start(w, 0, 0, 32))
			TH_LOG("worker %d failed at step %d: %s", i,
			       w->st ? w->st->failed : -1,
			       w->st ? strerror(w->st->failed_errno) : "-");
		TH_LOG("worker %d: first touch %d%% %d%% on node 0", i,
		       w->st->touch_pct[0], w->st->touch_pct[1]);
		ASSERT_GE(w->st->touch_pct[0], 70);
		ASSERT_GE(w->st->touch_pct[1], 70);
	}

	start = now_ms();
	deadline = start + WAIT_MS;
	next_log = start + LOG_EVERY_MS;
	while (now_ms() < deadline) {
		for (i = 0; i < 2; i++) {
			node[i] = gw_node(&self->w[i]);
			pct[i] = gw_percent_on(&self->w[i], node[i]);
		}
		if (node[0] >= 0 && node[1] >= 0 && node[0] != node[1] &&
		    pct[0] >= 80 && pct[1] >= 80)
			break;
		if (now_ms() >= next_log) {
			for (i = 0; i < 2; i++) {
				gw_describe(&self->w[i], state, sizeof(state));
				TH_LOG("after %ld s: group %d: %s; %d%% on its node",
				       (now_ms() - start) / 1000, i, state, pct[i]);
			}
			next_log += LOG_EVERY_MS;
		}
		usleep(500 * 1000);
	}
	for (i = 0; i < 2; i++) {
		gw_describe(&self->w[i], state, sizeof(state));
		TH_LOG("after %ld s: group %d: %s; %d%% on its node",
		       (now_ms() - start) / 1000, i, state, pct[i]);
	}
	ASSERT_LE(0, node[0]) TH_LOG("no node for group 0");
	ASSERT_LE(0, node[1]) TH_LOG("no node for group 1");
	EXPECT_NE(node[0], node[1]) TH_LOG("both groups on node %d", node[0]);
	EXPECT_GE(pct[0], 80) TH_LOG("group 0: %d%% on node %d", pct[0], node[0]);
	EXPECT_GE(pct[1], 80) TH_LOG("group 1: %d%% on node %d", pct[1], node[1]);
}

TEST_HARNESS_MAIN
