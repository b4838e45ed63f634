// SPDX-License-Identifier: GPL-2.0
/*
 * knumad never undoes a placement the user made, and reads the accessed
 * bit politely: memory under an explicit memory policy (a VMA's, or any
 * thread's task policy), outside the cpuset's mems, mlocked or long-term
 * pinned stays where it is; a thread never prefers a node it may not run
 * on; every thread of a process is placed, however many; an overloaded
 * node whose tasks all prefer it still sheds load; and a page knumad found
 * accessed is not reported idle to idle page tracking.
 *
 * Each case: a worker process (all memory first touched on node 0) whose
 * busy thread is then bound to node 1, so knumad wants the memory on node
 * 1; the case's placement must keep it on node 0 while knumad scans.
 * Needs a 2-node guest and CONFIG_KNUMAD=y; the pinned case needs
 * CONFIG_GUP_TEST, the idle case CONFIG_IDLE_PAGE_TRACKING. Run as root.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "knumad_workers.h"

#define MPOL_DEFAULT		0
#define MPOL_PREFERRED		1
#define MPOL_INTERLEAVE		3
#define MB			(1UL << 20)
#define BUF_MB			16
#define CGROUP_ROOT		"/sys/fs/cgroup"
#define CGROUP_TEST		CGROUP_ROOT "/knumad-respect"

/* mm/gup_test.h */
struct pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};
#define PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pin_longterm_test)
#define PIN_LONGTERM_TEST_STOP	_IO('g', 8)

static const char * const knobs[] = {
	"scan_sleep_millisecs", "max_cpu_percent", "migrate_holdoff_millisecs",
};

/* How the worker places its memory before it starts to work. */
enum place {
	PLACE_NONE,		/* default policy: control case, memory moves */
	PLACE_VMA_PREFERRED,	/* mbind(MPOL_PREFERRED, node 0) */
	PLACE_TASK_INTERLEAVE,	/* set_mempolicy(MPOL_INTERLEAVE, 0-1) */
	PLACE_OTHER_THREAD,	/* a second thread, MPOL_PREFERRED 0, allocates */
	PLACE_MLOCK,		/* mlock() */
	PLACE_PIN,		/* FOLL_LONGTERM pin through gup_test */
	PLACE_CPUSET,		/* in a cpuset with mems 0 */
};

struct job {
	volatile int ready;
	volatile int failed;
	volatile int hold;		/* set: stop sweeping... */
	volatile int touch;		/* ...but for one sweep when set */
	char *buf;
	size_t len;
};

static void sweep_once(struct job *j)
{
	volatile unsigned long sum = 0;
	size_t off;

	for (off = 0; off < j->len; off += PAGE_SZ)
		sum += j->buf[off];
}

static long set_mempolicy_(int mode, unsigned long mask)
{
	return syscall(SYS_set_mempolicy, mode, mask ? &mask : NULL, mask ? 64 : 0);
}

static void *alloc_preferred0(void *arg)
{
	struct job *j = arg;

	if (set_mempolicy_(MPOL_PREFERRED, 1))
		j->failed = 1;
	j->buf = mmap(NULL, j->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (j->buf == MAP_FAILED)
		j->failed = 1;
	else
		memset(j->buf, 1, j->len);
	/* Stays, idle, with its task policy. */
	for (;;)
		pause();
	return NULL;
}

/* The worker: memory on node 0 as @how says, then busy on node 1. */
static void worker_main(struct job *j, enum place how)
{
	pthread_t th;
	int fd;

	prctl_set_death_signal();
	worker_self_bind(0);
	/* In the cpuset before any memory is touched or work begins. */
	if (how == PLACE_CPUSET) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%d", getpid());
		if (sysctl_write(CGROUP_TEST "/cgroup.procs", pid))
			_exit(5);
	}
	if (how == PLACE_TASK_INTERLEAVE && set_mempolicy_(MPOL_INTERLEAVE, 3))
		_exit(2);
	if (how == PLACE_OTHER_THREAD) {
		if (pthread_create(&th, NULL, alloc_preferred0, j))
			_exit(2);
		while (!j->buf && !j->failed)
			usleep(1000);
		while (j->buf && !j->failed && percent_on_node(j->buf, j->len, 0) < 0)
			usleep(1000);
	} else {
		j->buf = mmap(NULL, j->len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (j->buf == MAP_FAILED)
			_exit(3);
		madvise(j->buf, j->len, MADV_NOHUGEPAGE);
		if (how == PLACE_VMA_PREFERRED) {
			unsigned long node0 = 1;

			if (syscall(SYS_mbind, j->buf, j->len, MPOL_PREFERRED, &node0, 64, 0))
				_exit(4);
		}
		memset(j->buf, 1, j->len);
	}
	if (how == PLACE_MLOCK && mlock(j->buf, j->len))
		j->failed = 1;
	if (how == PLACE_PIN) {
		struct pin_longterm_test pin = {
			.addr = (uintptr_t)j->buf, .size = j->len,
		};

		fd = open("/sys/kernel/debug/gup_test", O_RDWR);
		if (fd < 0 || ioctl(fd, PIN_LONGTERM_TEST_START, &pin))
			j->failed = 1;
	}
	worker_self_bind(1);
	j->ready = 1;
	for (;;) {
		if (!j->hold) {
			sweep_once(j);
		} else if (j->touch) {
			sweep_once(j);
			j->touch = 0;
		} else {
			usleep(1000);
		}
	}
}

FIXTURE(respect) {
	struct knumad_settings saved;
	struct job *job;
	pid_t child;
	bool cgroup;
};

FIXTURE_SETUP(respect)
{
	static const char * const set[] = {
		"scan_sleep_millisecs", "50", "max_cpu_percent", "50",
		"migrate_holdoff_millisecs", "0", NULL
	};
	const char *why;

	if (nr_nodes_online() < 2)
		SKIP(return, "needs two NUMA nodes");
	why = knumad_start(&self->saved, knobs, ARRAY_SIZE(knobs), set);
	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
	self->job = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->job);
	self->job->len = BUF_MB * MB;
}

FIXTURE_TEARDOWN_PARENT(respect)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		wait_orphan_dead(self->child);
	}
	if (self->cgroup)
		rmdir(CGROUP_TEST);
	settings_restore(&self->saved);
}

static pid_t start_worker(struct job *j, enum place how)
{
	pid_t pid = fork();
	int i;

	if (!pid)
		worker_main(j, how);
	for (i = 0; pid > 0 && i < 600 && !j->ready; i++)
		usleep(100 * 1000);
	return j->ready && !j->failed ? pid : -1;
}

/* The worker's memory on node 0 after knumad had 20 s to move it. */
static int node0_after_a_while(pid_t pid, struct job *j)
{
	long full = sysfs_get("full_scans");
	long deadline = now_ms() + 120 * 1000;

	/* Several complete scans, and at least 20 s. */
	while (now_ms() < deadline && sysfs_get("full_scans") < full + 10)
		usleep(500 * 1000);
	sleep(20);
	return percent_on_node_of(pid, j->buf, j->len, 0);
}

TEST_F_TIMEOUT(respect, default_policy_memory_moves, 300)
{
	/* The control case: without a placement of the user's, it moves. */
	self->child = start_worker(self->job, PLACE_NONE);
	ASSERT_GT(self->child, 0);
	EXPECT_LE(node0_after_a_while(self->child, self->job), 10);
}

TEST_F_TIMEOUT(respect, vma_preferred_policy_stays, 300)
{
	self->child = start_worker(self->job, PLACE_VMA_PREFERRED);
	ASSERT_GT(self->child, 0);
	EXPECT_GE(node0_after_a_while(self->child, self->job), 95);
}

TEST_F_TIMEOUT(respect, task_interleave_policy_stays, 300)
{
	int before;

	self->child = start_worker(self->job, PLACE_TASK_INTERLEAVE);
	ASSERT_GT(self->child, 0);
	before = percent_on_node_of(self->child, self->job->buf, self->job->len, 0);
	ASSERT_GE(before, 30);
	ASSERT_LE(before, 70);
	/* Still interleaved: not all moved to node 1. */
	EXPECT_GE(node0_after_a_while(self->child, self->job), before - 5);
}

TEST_F_TIMEOUT(respect, any_threads_task_policy_counts, 300)
{
	/* The busy thread has the default policy; the one that allocated not. */
	self->child = start_worker(self->job, PLACE_OTHER_THREAD);
	ASSERT_GT(self->child, 0);
	EXPECT_GE(node0_after_a_while(self->child, self->job), 95);
}

TEST_F_TIMEOUT(respect, mlocked_memory_stays, 300)
{
	self->child = start_worker(self->job, PLACE_MLOCK);
	ASSERT_GT(self->child, 0);
	EXPECT_GE(node0_after_a_while(self->child, self->job), 95);
}

TEST_F_TIMEOUT(respect, longterm_pinned_pages_are_not_isolated, 300)
{
	long failed0 = sysfs_get("pages_migrate_failed");

	if (access("/sys/kernel/debug/gup_test", F_OK))
		SKIP(return, "no /sys/kernel/debug/gup_test (CONFIG_GUP_TEST)");
	self->child = start_worker(self->job, PLACE_PIN);
	ASSERT_GT(self->child, 0);
	EXPECT_GE(node0_after_a_while(self->child, self->job), 95);
	/* Skipped before any page table is touched: no failed migration. */
	EXPECT_LT(sysfs_get("pages_migrate_failed") - failed0, (long)(BUF_MB * MB / PAGE_SZ / 10));
}

TEST_F_TIMEOUT(respect, cpuset_mems_hold, 300)
{
	/* A cpuset allowing all CPUs but only node 0's memory. */
	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK))
		mount("none", CGROUP_ROOT, "cgroup2", 0, NULL);
	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK))
		SKIP(return, "no cgroup2 at " CGROUP_ROOT);
	ASSERT_EQ(0, sysctl_write(CGROUP_ROOT "/cgroup.subtree_control", "+cpuset"));
	ASSERT_TRUE(mkdir(CGROUP_TEST, 0755) == 0 || errno == EEXIST);
	self->cgroup = true;
	ASSERT_EQ(0, sysctl_write(CGROUP_TEST "/cpuset.mems", "0"));

	self->child = start_worker(self->job, PLACE_CPUSET);
	ASSERT_GT(self->child, 0);
	EXPECT_GE(node0_after_a_while(self->child, self->job), 95);
	kill(self->child, SIGKILL);
	waitpid(self->child, NULL, 0);
	self->child = 0;
}

/* Threads of the many-threads worker: most sleep, the last one works. */
struct many {
	volatile int ready;
	volatile pid_t busy_tid, idle_tid;
	char *buf;
	size_t len;
	int nthreads;
};

static void *sleeper_thread(void *arg)
{
	struct many *m = arg;

	if (!m->idle_tid) {
		m->idle_tid = gettid();
		/* May only run on node 0. */
		worker_self_bind(0);
	}
	for (;;)
		pause();
	return NULL;
}

static void *busy_thread(void *arg)
{
	struct many *m = arg;
	volatile unsigned long sum = 0;
	size_t off;

	cpu_set_t all;
	int cpu;

	/* Free to run anywhere from the start: knumad must bring it to its memory. */
	CPU_ZERO(&all);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	if (sched_setaffinity(0, sizeof(all), &all))
		_exit(4);
	m->busy_tid = gettid();
	for (;;)
		for (off = 0; off < m->len; off += PAGE_SZ)
			sum += m->buf[off];
	return NULL;
}

static void many_main(struct many *m)
{
	pthread_t th;
	int i;

	prctl_set_death_signal();
	worker_self_bind(1);
	m->buf = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->buf == MAP_FAILED)
		_exit(2);
	madvise(m->buf, m->len, MADV_NOHUGEPAGE);
	memset(m->buf, 1, m->len);
	/* The idle ones, then the busy one: it is beyond the 64th. */
	worker_self_bind(0);
	for (i = 0; i < m->nthreads - 1; i++)
		if (pthread_create(&th, NULL, sleeper_thread, m))
			_exit(3);
	if (pthread_create(&th, NULL, busy_thread, m))
		_exit(3);
	while (!m->busy_tid || !m->idle_tid)
		usleep(1000);
	m->ready = 1;
	for (;;)
		pause();
}

TEST_F_TIMEOUT(respect, every_thread_placed_never_on_a_forbidden_node, 300)
{
	struct many *m = (struct many *)self->job;
	char path[64];
	long deadline;
	int node = -1;
	pid_t pid;

	/* 70 threads; memory on node 1; only the last-created one works. */
	memset(m, 0, sizeof(*m));
	m->len = BUF_MB * MB;
	m->nthreads = 70;
	/* Not self->child = fork(): the fixture is shared with the child. */
	pid = fork();
	if (!pid)
		many_main(m);
	ASSERT_GT(pid, 0);
	self->child = pid;
	for (deadline = now_ms() + 60 * 1000; !m->ready && now_ms() < deadline; )
		usleep(100 * 1000);
	ASSERT_TRUE(m->ready);

	/*
	 * Counted, the busy thread (the 70th) ends local to its memory: it
	 * goes to node 1, or its memory comes to the node it runs on (the
	 * other 69 threads, bound or born on node 0, may draw the process
	 * there). Not counted, the process would look idle and stay split.
	 */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/sched", self->child, m->busy_tid);
	ASSERT_EQ(0, access(path, R_OK)) TH_LOG("%s: %s", path, strerror(errno));
	deadline = now_ms() + 120 * 1000;
	while (now_ms() < deadline &&
	       ((node = task_node_of(m->busy_tid)) < 0 ||
		task_preferred_nid(self->child, m->busy_tid) != node ||
		percent_on_node_of(self->child, m->buf, m->len, node) < 90))
		usleep(500 * 1000);
	TH_LOG("busy thread on node %d, prefers %d, %d%% of the memory there", node,
	       task_preferred_nid(self->child, m->busy_tid),
	       percent_on_node_of(self->child, m->buf, m->len, node));
	EXPECT_EQ(node, task_preferred_nid(self->child, m->busy_tid));
	EXPECT_GE(percent_on_node_of(self->child, m->buf, m->len, node), 90);
	/* The thread bound to node 0 does not prefer node 1. */
	EXPECT_NE(1, task_preferred_nid(self->child, m->idle_tid));
}

/* PFN of the page at @addr of process @pid, or 0. */
static uint64_t pfn_of(pid_t pid, void *addr)
{
	char path[64];
	uint64_t ent = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent), (uintptr_t)addr / PAGE_SZ * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	return (ent & (1ULL << 63)) ? ent & ((1ULL << 55) - 1) : 0;
}

/* Set (@set) or read the idle bit of @pfn in the page_idle bitmap. */
static int page_idle(uint64_t pfn, bool set)
{
	uint64_t word = 0;
	off_t off = pfn / 64 * sizeof(word);
	int fd, ret = -1;

	fd = open("/sys/kernel/mm/page_idle/bitmap", set ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -1;
	if (set) {
		word = 1ULL << (pfn % 64);
		ret = pwrite(fd, &word, sizeof(word), off) == sizeof(word) ? 0 : -1;
	} else if (pread(fd, &word, sizeof(word), off) == sizeof(word)) {
		ret = !!(word & (1ULL << (pfn % 64)));
	}
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(respect, accessed_pages_are_not_reported_idle, 300)
{
	enum { SAMPLES = 64 };
	uint64_t pfn[SAMPLES];
	long full;
	int i, idle = 0, nr = 0;

	if (access("/sys/kernel/mm/page_idle/bitmap", F_OK))
		SKIP(return, "no idle page tracking");
	/* The worker's memory stays on node 0 here (its VMA policy). */
	self->child = start_worker(self->job, PLACE_VMA_PREFERRED);
	ASSERT_GT(self->child, 0);
	for (i = 0; i < SAMPLES; i++) {
		pfn[nr] = pfn_of(self->child, self->job->buf + i * (self->job->len / SAMPLES));
		if (pfn[nr])
			nr++;
	}
	ASSERT_GT(nr, SAMPLES / 2);
	/* Quiet; mark idle; one more touch; then knumad scans (and clears). */
	self->job->hold = 1;
	usleep(100 * 1000);
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, page_idle(pfn[i], true));
	self->job->touch = 1;
	while (self->job->touch)
		usleep(10 * 1000);
	full = sysfs_get("full_scans");
	while (sysfs_get("full_scans") < full + 3)
		usleep(200 * 1000);
	/* Idle page tracking must still see the accesses knumad consumed. */
	for (i = 0; i < nr; i++)
		idle += page_idle(pfn[i], false) == 1;
	TH_LOG("%d of %d accessed pages reported idle", idle, nr);
	EXPECT_EQ(0, idle);
}

TEST_HARNESS_MAIN
