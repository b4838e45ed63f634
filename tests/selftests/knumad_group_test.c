// SPDX-License-Identifier: GPL-2.0
/*
 * numa_group_create(), numa_group_mem(), numa_group_task(): what they
 * accept, every error of Documentation/userspace-api/numa_group.rst in the
 * documented order, that a failed call changes nothing, and that the group
 * state in /proc/PID/fdinfo/FD follows the members (exited threads,
 * unmapped ranges, closed groups). Placement itself is in
 * knumad_group_place_test.
 *
 * Needs the syscalls (skips with ENOSYS) and root: some tests drop to an
 * unprivileged uid in a child. knumad need not be enabled.
 */
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "knumad_group.h"

#define MB		(1UL << 20)
#define PG		NG_PAGE
#define FOREIGN_UID	65534	/* nobody: the unprivileged caller */
#define CAP_UID		61234	/* owns nothing else: for the per-user cap */
#define MAX_PER_USER	64
#define MAX_RANGES	64
#define MAX_TASKS	1024
#define KTHREADD_PID	2

/* ---- helpers ---- */

static char snap_before[65536], snap_after[65536];

/*
 * @call must fail with @err, and group @g's members must be what they
 * were before (Every call that fails changes nothing).
 */
#define EXPECT_FAIL(g, err, call) do {					\
	long __ret;							\
	int __err;							\
									\
	ng_membership(0, (g), snap_before, sizeof(snap_before));	\
	errno = 0;							\
	__ret = (call);							\
	__err = errno;							\
	ng_membership(0, (g), snap_after, sizeof(snap_after));		\
	EXPECT_EQ(-1, __ret) TH_LOG("%s returned %ld, expected %s",	\
				    #call, __ret, ename(err));		\
	if (__ret == -1)						\
		EXPECT_EQ(err, __err) TH_LOG("%s: %s, expected %s",	\
					     #call, ename(__err),	\
					     ename(err));		\
	EXPECT_STREQ(snap_before, snap_after)				\
		TH_LOG("%s changed the group", #call);			\
} while (0)

/* @call must return 0. */
#define ASSERT_OK(call) do {						\
	long __ret = (call);						\
	int __err = errno;						\
									\
	ASSERT_EQ(0, __ret) TH_LOG("%s: %s", #call, ename(__err));	\
} while (0)

#define EXPECT_OK(call) do {						\
	long __ret = (call);						\
	int __err = errno;						\
									\
	EXPECT_EQ(0, __ret) TH_LOG("%s: %s", #call, ename(__err));	\
} while (0)

/* The name of an errno value, for messages. */
static const char *ename(int err)
{
	const char *name = err ? strerrorname_np(err) : "success";

	return name ? name : "?";
}

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The errno of a call, 0 if it succeeded. */
static int err_of(long ret)
{
	return ret < 0 ? errno : 0;
}

static void futex_wait(int *addr, int val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* A thread that optionally joins a group itself, then sleeps in a futex. */
struct sleeper {
	pthread_t th;
	int tid;
	int join_g;		/* >= 0: numa_group_task(join_g, SELF) first */
	int join_err;		/* its errno, 0 if it joined */
	int ready;
	int stop;
	int *counter;		/* optional: incremented once ready */
};

static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	s->tid = sys_gettid();
	if (s->join_g >= 0)
		s->join_err = err_of(sys_numa_group_task(s->join_g, NUMA_GROUP_SELF_THREAD, 0));
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	if (s->counter)
		__atomic_add_fetch(s->counter, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		futex_wait(&s->stop, 0);
	return NULL;
}

/*
 * Start @s. Without @counter, return once it runs (and joined, if asked
 * to); with one, at once: the thread increments @counter when it is ready.
 */
static bool sleeper_start(struct sleeper *s, int join_g, const pthread_attr_t *attr,
			  int *counter)
{
	memset(s, 0, sizeof(*s));
	s->join_g = join_g;
	s->join_err = -1;
	s->counter = counter;
	if (pthread_create(&s->th, attr, sleeper_fn, s))
		return false;
	while (!counter && !__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE))
		usleep(1000);
	return true;
}

static void sleeper_stop(struct sleeper *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	futex_wake(&s->stop);
	pthread_join(s->th, NULL);
}

/* Wait until thread @tid of this process is gone (reaped), up to 5 s. */
static bool wait_thread_gone(int tid)
{
	char path[64];
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	for (i = 0; i < 5000; i++) {
		if (access(path, F_OK) && errno == ENOENT)
			return true;
		usleep(1000);
	}
	return false;
}

/* A child process of the same uid with 1 MiB of its own and two threads. */
struct child_state {
	volatile int ready;
	volatile int tid2;		/* its second thread */
	char *volatile buf;		/* 1 MiB, touched */
	/* for the inheritance test */
	volatile int join_new_err;	/* SELF into a group it creates */
	volatile int leave_old_err;	/* SELF out of the parent's group */
};

static void *child_thread(void *arg)
{
	struct child_state *st = arg;

	st->tid2 = sys_gettid();
	for (;;)
		pause();
	return NULL;
}

/*
 * Fork a child that maps and touches 1 MiB, starts a second thread, unmaps
 * @unmap (1 MiB it inherited, if not NULL), reports and sleeps.
 */
static pid_t child_start(struct child_state *st, void *unmap)
{
	pthread_t th;
	pid_t pid;

	memset((void *)st, 0, sizeof(*st));
	pid = fork();
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	st->buf = mmap(NULL, MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->buf == MAP_FAILED)
		_exit(1);
	memset(st->buf, 1, MB);
	if (pthread_create(&th, NULL, child_thread, (void *)st))
		_exit(3);
	while (!st->tid2)
		usleep(1000);
	/* Last, so that nothing is mapped into the hole afterwards. */
	if (unmap && munmap(unmap, MB))
		_exit(2);
	st->ready = 1;
	for (;;)
		pause();
}

/* Wait for the child to report; false if it died. */
static bool child_wait_ready(pid_t pid, volatile int *ready)
{
	int status;

	while (!*ready) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return false;
		usleep(1000);
	}
	return true;
}

static void child_kill(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void *shared_page(void)
{
	void *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* CapEff and CapPrm of this process are empty. */
static bool no_caps(void)
{
	char line[256];
	int zero = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "CapPrm:", 7))
			zero += strtoull(line + 7, NULL, 16) == 0;
	fclose(f);
	return zero == 2;
}

/*
 * Fork a child that takes @uid as all of its ids, with no supplementary
 * groups and no capabilities left, and runs @fn(@arg). Exit code 100/101:
 * it could not become that user.
 */
static pid_t spawn_as_uid(uid_t uid, void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		_exit(100);
	/*
	 * Changing the uid cleared the death signal and made us non-dumpable
	 * (our /proc files root's): undo both.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 1);
	if (getppid() == 1 || !no_caps())
		_exit(101);
	fn(arg);
	_exit(0);
}

/* Exit code of child @pid, or -1 if it did not exit normally. */
static int child_exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* ---- the fixture: one group with the defaults, 1 MiB of memory ---- */

FIXTURE(group) {
	int g;			/* numa_group_create(NULL, 0, 0) */
	char *buf;		/* 1 MiB, private anonymous, touched */
	int devnull;		/* descriptors that are not groups or pidfds */
	int efd;
	int closed_fd;		/* a number that was a descriptor */
};

FIXTURE_SETUP(group)
{
	self->g = ng_create();
	if (self->g < 0 && errno == ENOSYS)
		SKIP(return, "no numa_group syscalls (numa_group_create: ENOSYS)");
	ASSERT_LE(0, self->g) TH_LOG("numa_group_create: %s", ename(errno));
	self->buf = mmap(NULL, MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 1, MB);
	self->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->devnull);
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	/* High, so that no descriptor opened by a test takes its number. */
	self->closed_fd = fcntl(self->devnull, F_DUPFD, 512);
	ASSERT_LE(512, self->closed_fd);
	close(self->closed_fd);
}

FIXTURE_TEARDOWN(group)
{
	close(self->g);
	close(self->devnull);
	close(self->efd);
	munmap(self->buf, MB);
}

/* ==== numa_group_create() ==== */

TEST_F(group, create_defaults)
{
	struct ng_info in;
	int fd2, flags;

	flags = fcntl(self->g, F_GETFD);
	ASSERT_LE(0, flags);
	EXPECT_TRUE(flags & FD_CLOEXEC) TH_LOG("group fd without FD_CLOEXEC");
	ASSERT_TRUE(ng_read_info(0, self->g, &in)) TH_LOG("no numa_group_node in fdinfo");
	EXPECT_EQ(-1, in.node);
	EXPECT_EQ(0, in.tasks);
	EXPECT_EQ(0, in.ranges);
	EXPECT_EQ(0, in.bytes);
	EXPECT_EQ(0, in.nr_task);
	EXPECT_EQ(0, in.nr_range);
	/* The parser finds nothing in a descriptor that is not a group. */
	EXPECT_FALSE(ng_read_info(0, self->devnull, &in));

	/* A second group is another descriptor, close-on-exec too. */
	fd2 = ng_create();
	ASSERT_LE(0, fd2) TH_LOG("%s", ename(errno));
	EXPECT_NE(self->g, fd2);
	EXPECT_TRUE(fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	/* Clearing close-on-exec is allowed (to hand a group to a child). */
	EXPECT_EQ(0, fcntl(fd2, F_SETFD, 0));
	EXPECT_EQ(0, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(fd2));
}

TEST_F(group, create_with_attr_node)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	struct ng_info in;
	int node, fd;

	fd = sys_numa_group_create(&attr, sizeof(attr), 0);
	ASSERT_LE(0, fd) TH_LOG("NODE_ANY: %s", ename(errno));
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_TRUE(ng_read_info(0, fd, &in));
	EXPECT_EQ(-1, in.node);
	close(fd);

	/* NUMA_GROUP_ATTR_SIZE_VER0 is the size of the first struct. */
	fd = sys_numa_group_create(&attr, NUMA_GROUP_ATTR_SIZE_VER0, 0);
	ASSERT_LE(0, fd) TH_LOG("size VER0: %s", ename(errno));
	close(fd);

	for (node = 0; node <= 1; node++) {
		attr.node = node;
		fd = sys_numa_group_create(&attr, sizeof(attr), 0);
		if (!ng_node_online(node)) {
			TH_LOG("node %d is offline: EINVAL expected", node);
			EXPECT_EQ(-1, fd);
			EXPECT_EQ(EINVAL, errno);
			continue;
		}
		ASSERT_LE(0, fd) TH_LOG("node %d: %s", node, ename(errno));
		EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		ASSERT_TRUE(ng_read_info(0, fd, &in));
		/* "the node the group starts on" */
		EXPECT_EQ(node, in.node);
		EXPECT_EQ(0, in.tasks);
		EXPECT_EQ(0, in.ranges);
		close(fd);
	}
}

TEST_F(group, create_flags_einval_first)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	static char big[2 * 4096];

	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(NULL, 0, 2));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(NULL, 0, 0x80000000u));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(NULL, 0, NUMA_GROUP_CREATE_VERSION | 2));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 2));
	/* Before every other check: bad size, bad pointer, too big. */
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, 3, 1));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create((void *)1, 16, 1));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(NULL, 16, 1));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(big, 4096 + 1, 1));
}

TEST_F(group, create_size_too_small)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	size_t size;

	for (size = 1; size < NUMA_GROUP_ATTR_SIZE_VER0; size++) {
		EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, size, 0));
		/* Before EFAULT. */
		EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(NULL, size, 0));
		EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create((void *)1, size, 0));
	}
}

TEST_F(group, create_size_larger_than_known)
{
	static char big[2 * 4096] __attribute__((aligned(4096)));
	struct numa_group_attr *attr = (struct numa_group_attr *)big;
	int fd;

	memset(big, 0, sizeof(big));
	attr->node = NUMA_GROUP_NODE_ANY;

	/* Larger than a page: E2BIG, before EFAULT. */
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create(big, 4096 + 1, 0));
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create(big, 2 * 4096, 0));
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create(NULL, 4096 + 1, 0));
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create((void *)1, 4096 + 1, 0));
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create(big, SIZE_MAX, 0));

	/* Larger with zeroes beyond: accepted, up to a page. */
	fd = sys_numa_group_create(big, sizeof(*attr) + 8, 0);
	EXPECT_LE(0, fd) TH_LOG("size 24, zero tail: %s", ename(errno));
	close(fd);
	fd = sys_numa_group_create(big, 4096, 0);
	EXPECT_LE(0, fd) TH_LOG("size 4096, zero tail: %s", ename(errno));
	close(fd);

	/* A non-zero byte the kernel does not know: E2BIG. */
	big[sizeof(*attr)] = 1;
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create(big, sizeof(*attr) + 8, 0));
	big[sizeof(*attr)] = 0;
	big[sizeof(*attr) + 7] = 0x80;
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create(big, sizeof(*attr) + 8, 0));
	big[sizeof(*attr) + 7] = 0;
	big[4095] = 1;
	EXPECT_FAIL(self->g, E2BIG, sys_numa_group_create(big, 4096, 0));
	/* ...but not if it is beyond the size passed. */
	fd = sys_numa_group_create(big, 4095, 0);
	EXPECT_LE(0, fd) TH_LOG("size 4095: %s", ename(errno));
	close(fd);
}

TEST_F(group, create_attr_fields_einval)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };

	attr.flags = 1;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.flags = 1ULL << 63;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.flags = 0;
	attr.__reserved = 1;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.__reserved = 0x80000000u;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.__reserved = 0;

	/* Neither NUMA_GROUP_NODE_ANY nor an online node. */
	ASSERT_FALSE(ng_node_online(99));
	attr.node = 99;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.node = -2;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.node = INT_MIN;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.node = INT_MAX;
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
	attr.node = 1024;	/* MAX_NUMNODES with NODES_SHIFT=10 */
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr), 0));
}

TEST_F(group, create_efault)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	char *two;
	int fd;

	EXPECT_FAIL(self->g, EFAULT, sys_numa_group_create((void *)1, 16, 0));
	EXPECT_FAIL(self->g, EFAULT, sys_numa_group_create(NULL, 16, 0));
	EXPECT_FAIL(self->g, EFAULT, sys_numa_group_create(NULL, 4096, 0));
	EXPECT_FAIL(self->g, EFAULT,
		    sys_numa_group_create((void *)0xffff800000000000UL, 16, 0));

	/* A struct that straddles into an unmapped page. */
	two = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + PG, PG));
	memset(two, 0, PG);
	memcpy(two + PG - 8, &attr, 8);
	EXPECT_FAIL(self->g, EFAULT, sys_numa_group_create(two + PG - 8, 16, 0));
	/* The same struct fully mapped is fine. */
	memcpy(two + PG - 16, &attr, sizeof(attr));
	fd = sys_numa_group_create(two + PG - 16, 16, 0);
	EXPECT_LE(0, fd) TH_LOG("%s", ename(errno));
	close(fd);
	munmap(two, PG);
}

/* What the child running as CAP_UID saw. */
struct cap_result {
	volatile int created;		/* groups created before the first failure */
	volatile int err;		/* that failure's errno */
	volatile int flags_err;		/* flags != 0 while full */
	volatile int efault_err;	/* bad pointer while full */
	volatile int full;		/* holding them all */
	volatile int go;		/* parent: release them */
	volatile int again_err;		/* a create after closing them all */
	volatile int again_after_one_err; /* full again, close one, create */
};

static void cap_child(void *arg)
{
	struct cap_result *r = arg;
	int fds[4 * MAX_PER_USER], n = 0, i, fd;

	r->err = 0;
	for (i = 0; i < (int)ARRAY_SIZE(fds); i++) {
		fd = ng_create();
		if (fd < 0) {
			r->err = errno;
			break;
		}
		fds[n++] = fd;
	}
	r->created = n;
	/* Argument errors come before ENOSPC. */
	r->flags_err = err_of(sys_numa_group_create(NULL, 0, 2));
	r->efault_err = err_of(sys_numa_group_create((void *)1, 16, 0));
	r->full = 1;
	while (!r->go)
		usleep(1000);
	/* Closing one makes room for exactly one. */
	if (n) {
		close(fds[--n]);
		fd = ng_create();
		r->again_after_one_err = err_of(fd);
		if (fd >= 0)
			fds[n++] = fd;
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	fd = ng_create();
	r->again_err = err_of(fd);
	if (fd >= 0)
		close(fd);
}

TEST_F_TIMEOUT(group, create_per_user_cap_enospc, 60)
{
	struct cap_result *r = shared_page();
	pid_t pid;
	int fd, i;

	ASSERT_NE(NULL, r);
	pid = spawn_as_uid(CAP_UID, cap_child, r);
	ASSERT_LT(0, pid);
	for (i = 0; i < 30000 && !r->full; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		usleep(1000);
	}
	ASSERT_TRUE(r->full) TH_LOG("child as uid %d did not get there", CAP_UID);
	/* Another user (root here) is not affected by that user's cap. */
	fd = ng_create();
	EXPECT_LE(0, fd) TH_LOG("root: %s", ename(errno));
	close(fd);
	r->go = 1;
	ASSERT_EQ(0, child_exit_code(pid));

	TH_LOG("uid %d created %d groups, then %s", CAP_UID, r->created,
	       ename(r->err));
	EXPECT_EQ(MAX_PER_USER, r->created);
	EXPECT_EQ(ENOSPC, r->err);
	EXPECT_EQ(EINVAL, r->flags_err);
	EXPECT_EQ(EFAULT, r->efault_err);
	EXPECT_EQ(0, r->again_after_one_err) TH_LOG("%s", ename(r->again_after_one_err));
	EXPECT_EQ(0, r->again_err) TH_LOG("%s", ename(r->again_err));
	munmap(r, PG);
}

/* ==== fdinfo: the state follows the members ==== */

TEST_F(group, fdinfo_lists_members)
{
	struct sleeper s;
	struct ng_info in, other;
	int pfd;

	ASSERT_TRUE(sleeper_start(&s, -1, NULL, NULL));
	pfd = sys_pidfd_open(s.tid, PIDFD_THREAD);
	ASSERT_LE(0, pfd) TH_LOG("pidfd_open(PIDFD_THREAD): %s", ename(errno));
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_OK(sys_numa_group_task(self->g, pfd, 0));
	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));

	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.tasks);
	EXPECT_EQ(2, in.nr_task);
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	EXPECT_TRUE(ng_has_task(&in, s.tid));
	EXPECT_EQ(1, in.ranges);
	EXPECT_EQ(1, in.nr_range);
	EXPECT_TRUE(ng_has_range(&in, getpid(), self->buf, self->buf + MB))
		TH_LOG("range line: %d %lx-%lx", in.range[0].pid, in.range[0].start,
		       in.range[0].end);
	EXPECT_EQ((long long)MB, in.bytes);
	EXPECT_LE(0, in.node_changes);
	EXPECT_LE(0, in.pages_migrated);

	/* The same through /proc/PID. */
	ASSERT_TRUE(ng_read_info(getpid(), self->g, &other));
	EXPECT_EQ(in.tasks, other.tasks);
	EXPECT_EQ(in.ranges, other.ranges);
	EXPECT_EQ(in.bytes, other.bytes);

	sleeper_stop(&s);
	close(pfd);
}

TEST_F(group, fdinfo_drops_exited_thread)
{
	struct sleeper s;
	struct ng_info in;
	int pfd, tid;

	ASSERT_TRUE(sleeper_start(&s, self->g, NULL, NULL));
	ASSERT_EQ(0, s.join_err) TH_LOG("%s", ename(s.join_err));
	tid = s.tid;
	pfd = sys_pidfd_open(tid, PIDFD_THREAD);
	ASSERT_LE(0, pfd);
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	ASSERT_EQ(2, in.tasks);
	ASSERT_TRUE(ng_has_task(&in, tid));

	sleeper_stop(&s);
	ASSERT_TRUE(wait_thread_gone(tid));
	/* "the counts are those of live members" */
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_EQ(1, in.nr_task);
	EXPECT_FALSE(ng_has_task(&in, tid));
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	/* The exited thread can be neither added nor removed. */
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_task(self->g, pfd, 0));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_task(self->g, pfd, NUMA_GROUP_REMOVE));
	close(pfd);
}

TEST_F(group, fdinfo_drops_unmapped_range)
{
	struct ng_info in;
	char *area, *a, *b;

	/* a and b with a hole between them, so that they stay two ranges. */
	area = mmap(NULL, 3 * 256 * 1024, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	memset(area, 1, 3 * 256 * 1024);
	a = area;
	b = area + 2 * 256 * 1024;
	ASSERT_EQ(0, munmap(area + 256 * 1024, 256 * 1024));
	ASSERT_OK(ng_add_mem(self->g, a, 256 * 1024));
	ASSERT_OK(ng_add_mem(self->g, b, 256 * 1024));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	ASSERT_EQ(2, in.ranges);

	/* Nothing mapped any more: dropped. */
	ASSERT_EQ(0, munmap(a, 256 * 1024));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_EQ(1, in.nr_range);
	EXPECT_FALSE(ng_has_range(&in, getpid(), a, a + 256 * 1024));
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + 256 * 1024));
	EXPECT_EQ(256 * 1024, in.bytes);

	/* Partly mapped: it keeps its extent. */
	ASSERT_EQ(0, munmap(b, PG));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + 256 * 1024));
	EXPECT_EQ(256 * 1024, in.bytes);
	EXPECT_OK(ng_del_mem(self->g, b, 256 * 1024));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(0, in.ranges);
	EXPECT_EQ(0, in.bytes);

	/* Memory mapped again at a's address is free to join. */
	ASSERT_EQ(a, mmap(a, 256 * 1024, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	EXPECT_OK(ng_add_mem(self->g, a, 256 * 1024));
	munmap(a, 256 * 1024);
	munmap(b + PG, 256 * 1024 - PG);
}

TEST_F(group, fdinfo_drops_exited_process)
{
	struct child_state *st = shared_page();
	struct ng_info in;
	pid_t pid;
	int pfd;

	ASSERT_NE(NULL, st);
	pid = child_start(st, NULL);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(child_wait_ready(pid, &st->ready));
	pfd = sys_pidfd_open(pid, 0);
	ASSERT_LE(0, pfd);
	ASSERT_OK(sys_numa_group_mem(self->g, pfd, (unsigned long)st->buf, MB, 0));
	ASSERT_OK(sys_numa_group_task(self->g, pfd, 0));
	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	ASSERT_EQ(2, in.ranges);
	/* A process pidfd: both of the child's threads. */
	ASSERT_EQ(2, in.tasks);
	EXPECT_TRUE(ng_has_range(&in, pid, st->buf, st->buf + MB));
	EXPECT_TRUE(ng_has_task(&in, pid));
	EXPECT_TRUE(ng_has_task(&in, st->tid2));

	child_kill(pid);
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(0, in.tasks);
	EXPECT_EQ(1, in.ranges);
	EXPECT_EQ(1, in.nr_range);
	EXPECT_TRUE(ng_has_range(&in, getpid(), self->buf, self->buf + MB));
	EXPECT_EQ((long long)MB, in.bytes);
	close(pfd);
	munmap(st, PG);
}

TEST_F(group, close_releases_members)
{
	struct sleeper s;
	int g2, g3, dupfd, pfd;

	ASSERT_TRUE(sleeper_start(&s, -1, NULL, NULL));
	pfd = sys_pidfd_open(s.tid, PIDFD_THREAD);
	ASSERT_LE(0, pfd);
	g2 = ng_create();
	ASSERT_LE(0, g2);
	ASSERT_OK(sys_numa_group_task(g2, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_OK(sys_numa_group_task(g2, pfd, 0));
	ASSERT_OK(ng_add_mem(g2, self->buf, MB));

	g3 = ng_create();
	ASSERT_LE(0, g3);
	EXPECT_FAIL(g3, EBUSY, sys_numa_group_task(g3, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(g3, EBUSY, sys_numa_group_task(g3, pfd, 0));
	EXPECT_FAIL(g3, EBUSY, ng_add_mem(g3, self->buf, MB));

	/* The group lives while a descriptor for it is open. */
	dupfd = dup(g2);
	ASSERT_LE(0, dupfd);
	ASSERT_EQ(0, close(g2));
	EXPECT_FAIL(g3, EBUSY, sys_numa_group_task(g3, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(g3, EBUSY, ng_add_mem(g3, self->buf, MB));

	/* Closing the last one ends it: the members are free again. */
	ASSERT_EQ(0, close(dupfd));
	EXPECT_OK(sys_numa_group_task(g3, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_OK(sys_numa_group_task(g3, pfd, 0));
	EXPECT_OK(ng_add_mem(g3, self->buf, MB));
	close(g3);
	/* And again, into the fixture's group. */
	EXPECT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_OK(sys_numa_group_task(self->g, pfd, 0));
	EXPECT_OK(ng_add_mem(self->g, self->buf, MB));
	sleeper_stop(&s);
	close(pfd);
}

/* ==== numa_group_mem() ==== */

TEST_F(group, mem_add_self)
{
	struct ng_info in;
	char *small;

	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), self->buf, self->buf + MB));
	EXPECT_EQ((long long)MB, in.bytes);
	EXPECT_EQ(0, in.tasks);

	/* len is rounded up to a whole page. */
	small = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, small);
	ASSERT_OK(sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS, (unsigned long)small, 1, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), small, small + PG));
	EXPECT_EQ((long long)(MB + PG), in.bytes);
	ASSERT_OK(sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS, (unsigned long)small + PG,
				     PG + 1, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), small, small + 3 * PG));
	EXPECT_EQ((long long)(MB + 3 * PG), in.bytes);
	munmap(small, 4 * PG);
}

TEST_F(group, mem_add_shared_and_file_mappings)
{
	char *shared, *file;
	struct ng_info in;
	int memfd;

	/* Mapped, though knumad leaves them alone: not ENOMEM. */
	shared = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	memfd = memfd_create("knumad_group_test", MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 64 * PG));
	file = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, file);
	EXPECT_OK(ng_add_mem(self->g, shared, 64 * PG));
	EXPECT_OK(ng_add_mem(self->g, file, 64 * PG));
	/* (One range or two: the mappings may be adjacent.) */
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_LE(1, in.ranges);
	EXPECT_EQ((long long)(2 * 64 * PG), in.bytes);
	munmap(shared, 64 * PG);
	munmap(file, 64 * PG);
	close(memfd);
}

TEST_F(group, mem_adjacent_ranges_merge)
{
	const size_t q = MB / 4;
	char *b = self->buf;
	struct ng_info in;

	ASSERT_OK(ng_add_mem(self->g, b, q));
	ASSERT_OK(ng_add_mem(self->g, b + q, q));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + 2 * q));
	EXPECT_EQ((long long)(2 * q), in.bytes);

	/* Not adjacent: two ranges; the piece between joins all three. */
	ASSERT_OK(ng_add_mem(self->g, b + 3 * q, q));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.ranges);
	ASSERT_OK(ng_add_mem(self->g, b + 2 * q, q));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_EQ(1, in.nr_range);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + MB));
	EXPECT_EQ((long long)MB, in.bytes);
}

TEST_F(group, mem_remove_whole)
{
	struct ng_info in;

	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));
	ASSERT_OK(ng_del_mem(self->g, self->buf, MB));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(0, in.ranges);
	EXPECT_EQ(0, in.nr_range);
	EXPECT_EQ(0, in.bytes);
	EXPECT_FAIL(self->g, ENOENT, ng_del_mem(self->g, self->buf, MB));
	/* Free again: it can join once more. */
	EXPECT_OK(ng_add_mem(self->g, self->buf, MB));
}

TEST_F(group, mem_remove_middle_splits)
{
	const size_t q = MB / 4;
	char *b = self->buf;
	struct ng_info in;
	int g2;

	ASSERT_OK(ng_add_mem(self->g, b, MB));
	ASSERT_OK(ng_del_mem(self->g, b + q, q));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.ranges);
	EXPECT_EQ(2, in.nr_range);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + q));
	EXPECT_TRUE(ng_has_range(&in, getpid(), b + 2 * q, b + MB));
	EXPECT_EQ((long long)(3 * q), in.bytes);

	/* The hole is free: another group may take it... */
	g2 = ng_create();
	ASSERT_LE(0, g2);
	EXPECT_OK(ng_add_mem(g2, b + q, q));
	close(g2);
	/* ...and once it is free again, filling it merges all back. */
	ASSERT_OK(ng_add_mem(self->g, b + q, q));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + MB));

	/* A partial overlap with a range of the group is removed: only that. */
	ASSERT_OK(ng_del_mem(self->g, b + 3 * q, q));
	ASSERT_OK(ng_del_mem(self->g, b + 2 * q, 2 * q));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + 2 * q));
	EXPECT_EQ((long long)(2 * q), in.bytes);
}

TEST_F(group, mem_remove_non_member_enoent)
{
	static char g2_before[4096], g2_after[4096];
	const size_t q = MB / 4;
	char *b = self->buf;
	int g2;

	g2 = ng_create();
	ASSERT_LE(0, g2);
	ASSERT_OK(ng_add_mem(self->g, b, q));
	ASSERT_OK(ng_add_mem(g2, b + 2 * q, q));

	EXPECT_FAIL(self->g, ENOENT, ng_del_mem(self->g, b + q, q));
	/* In another group is not in this one; and that one keeps it. */
	ASSERT_TRUE(ng_membership(0, g2, g2_before, sizeof(g2_before)));
	EXPECT_FAIL(self->g, ENOENT, ng_del_mem(self->g, b + 2 * q, q));
	EXPECT_FAIL(self->g, ENOENT, ng_del_mem(self->g, b + q, 3 * q));
	ASSERT_TRUE(ng_membership(0, g2, g2_after, sizeof(g2_after)));
	EXPECT_STREQ(g2_before, g2_after);
	/* Removing needs no mapping: an unmapped range is simply not in it. */
	EXPECT_FAIL(self->g, ENOENT, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS,
							0x10000, PG, NUMA_GROUP_REMOVE));
	close(g2);
}

TEST_F(group, mem_einval_flags_before_ebadf)
{
	unsigned long a = (unsigned long)self->buf;

	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(-1, NUMA_GROUP_SELF_PROCESS, a, MB, 2));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(-1, -1, a + 1, 0, 1U << 31));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->closed_fd, NUMA_GROUP_SELF_PROCESS,
							a, MB, NUMA_GROUP_REMOVE | 2));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS, a, MB, 2));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS, a, MB, ~0U));
}

TEST_F(group, mem_bad_group_fd)
{
	unsigned long a = (unsigned long)self->buf;
	int pfd = sys_pidfd_open(getpid(), 0);

	ASSERT_LE(0, pfd);
	/* Not open: EBADF, before the range checks. */
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(-1, NUMA_GROUP_SELF_PROCESS, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->closed_fd, NUMA_GROUP_SELF_PROCESS,
						       a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(100000, NUMA_GROUP_SELF_PROCESS, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(-1, NUMA_GROUP_SELF_PROCESS, a + 1, 0, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(-1, NUMA_GROUP_SELF_PROCESS, a, MB,
						       NUMA_GROUP_REMOVE));
	/* Not a group: EBADFD, before the range and pidfd checks. */
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_mem(self->efd, NUMA_GROUP_SELF_PROCESS, a, MB,
							0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_mem(self->devnull, NUMA_GROUP_SELF_PROCESS,
							a, MB, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_mem(pfd, NUMA_GROUP_SELF_PROCESS, a, MB, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_mem(self->devnull, -1, a, MB, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_mem(self->devnull, self->efd, a, MB, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_mem(self->efd, NUMA_GROUP_SELF_PROCESS, a + 1, 0,
							0));
	close(pfd);
}

TEST_F(group, mem_bad_range_einval)
{
	unsigned long a = (unsigned long)self->buf;
	unsigned long end = ng_user_va_end();

	TH_LOG("user address space ends at %#lx", end);
	EXPECT_FAIL(self->g, EINVAL, ng_add_mem(self->g, self->buf + 1, MB - PG));
	EXPECT_FAIL(self->g, EINVAL, ng_add_mem(self->g, self->buf + PG / 2, PG));
	EXPECT_FAIL(self->g, EINVAL, ng_add_mem(self->g, self->buf, 0));
	EXPECT_FAIL(self->g, EINVAL, ng_del_mem(self->g, self->buf, 0));
	/* Wraps around the top of the address space. */
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS, a,
							0UL - a + PG, 0));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS, a,
							ULONG_MAX, 0));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS, a,
							ULONG_MAX - PG + 2, 0));
	/* Beyond the user address space. */
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS,
							0xffff800000000000UL, PG, 0));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS,
							end, PG, 0));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS,
							end - PG, 2 * PG, 0));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS,
							1UL << 63, PG, NUMA_GROUP_REMOVE));
	/* The range is checked before the pidfd. */
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, -1, a + 1, PG, 0));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_mem(self->g, self->efd, a, 0, 0));
	/* The last page of the user address space is a valid range (unmapped). */
	EXPECT_FAIL(self->g, ENOMEM, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS,
							end - PG, PG, 0));
}

TEST_F(group, mem_bad_pidfd_ebadf)
{
	unsigned long a = (unsigned long)self->buf;

	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, -1, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS - 1, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS + 1, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_THREAD - 1, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, NUMA_GROUP_SELF_THREAD + 1, a, MB, 0));
	/* The sentinel before ABI version 1 (AT_FDCWD's value) is no more. */
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, NG_OLD_SELF, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, NG_OLD_SELF, a, MB,
						       NUMA_GROUP_REMOVE));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, self->closed_fd, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, self->devnull, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, self->efd, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, self->g, a, MB, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_mem(self->g, self->devnull, a, MB,
						       NUMA_GROUP_REMOVE));
}

TEST_F(group, mem_exited_process_esrch)
{
	unsigned long a = (unsigned long)self->buf;
	siginfo_t info;
	pid_t pid;
	int pfd, kfd;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(10000);
		_exit(0);
	}
	pfd = sys_pidfd_open(pid, 0);
	ASSERT_LE(0, pfd);
	/* A zombie has no memory any more. */
	ASSERT_EQ(0, waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_mem(self->g, pfd, a, MB, 0));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_mem(self->g, pfd, a, MB, NUMA_GROUP_REMOVE));
	/* Reaped. */
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_mem(self->g, pfd, a, MB, 0));
	/* ESRCH comes before ENOMEM: an unmapped range in no memory at all. */
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_mem(self->g, pfd, 0x10000, PG, 0));
	close(pfd);

	/* A kernel thread has no memory either. */
	kfd = sys_pidfd_open(KTHREADD_PID, 0);
	ASSERT_LE(0, kfd) TH_LOG("pidfd_open(kthreadd): %s", ename(errno));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_mem(self->g, kfd, a, MB, 0));
	close(kfd);
}

TEST_F(group, mem_unmapped_enomem)
{
	struct ng_info in;
	char *three;
	int g2;

	three = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, three);
	ASSERT_EQ(0, munmap(three + PG, PG));
	EXPECT_FAIL(self->g, ENOMEM, ng_add_mem(self->g, three, 3 * PG));
	EXPECT_FAIL(self->g, ENOMEM, ng_add_mem(self->g, three + PG, PG));
	EXPECT_FAIL(self->g, ENOMEM, ng_add_mem(self->g, three, 2 * PG));
	EXPECT_FAIL(self->g, ENOMEM, ng_add_mem(self->g, three + PG, 2 * PG));
	EXPECT_FAIL(self->g, ENOMEM, ng_add_mem(self->g, (void *)0x10000, PG));

	/* ENOMEM comes before EBUSY. */
	g2 = ng_create();
	ASSERT_LE(0, g2);
	ASSERT_OK(ng_add_mem(g2, three, PG));
	EXPECT_FAIL(self->g, ENOMEM, ng_add_mem(self->g, three, 3 * PG));
	EXPECT_FAIL(g2, ENOMEM, ng_add_mem(g2, three, 3 * PG));
	close(g2);

	/* Nothing of the failed calls stuck: both pages are free. */
	EXPECT_OK(ng_add_mem(self->g, three, PG));
	EXPECT_OK(ng_add_mem(self->g, three + 2 * PG, PG));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.ranges);
	EXPECT_EQ((long long)(2 * PG), in.bytes);
	munmap(three, PG);
	munmap(three + 2 * PG, PG);
}

TEST_F(group, mem_overlap_ebusy)
{
	const size_t q = MB / 4;
	char *b = self->buf;
	struct ng_info in;
	int g2;

	g2 = ng_create();
	ASSERT_LE(0, g2);
	ASSERT_OK(ng_add_mem(g2, b, 2 * q));

	/* With another group's range. */
	EXPECT_FAIL(self->g, EBUSY, ng_add_mem(self->g, b, 2 * q));
	EXPECT_FAIL(self->g, EBUSY, ng_add_mem(self->g, b + q, 2 * q));
	EXPECT_FAIL(self->g, EBUSY, ng_add_mem(self->g, b, MB));
	EXPECT_FAIL(self->g, EBUSY, ng_add_mem(self->g, b + 2 * q - PG, PG));
	/* With the same group's range. */
	EXPECT_FAIL(g2, EBUSY, ng_add_mem(g2, b, 2 * q));
	EXPECT_FAIL(g2, EBUSY, ng_add_mem(g2, b + q, 2 * q));
	EXPECT_FAIL(g2, EBUSY, ng_add_mem(g2, b + q, PG));
	EXPECT_FAIL(g2, EBUSY, ng_add_mem(g2, b, MB));

	/* None of the free part was taken by the failed calls. */
	ASSERT_TRUE(ng_read_info(0, g2, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + 2 * q));
	EXPECT_OK(ng_add_mem(self->g, b + 2 * q, 2 * q));
	/* Adjacent, but in another group: no merge across groups. */
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), b + 2 * q, b + MB));
	ASSERT_TRUE(ng_read_info(0, g2, &in));
	EXPECT_TRUE(ng_has_range(&in, getpid(), b, b + 2 * q));
	close(g2);
}

TEST_F(group, mem_65th_range_enospc)
{
	/* The last page is never added: nothing else mapped can be adjacent. */
	const int pages = 2 * MAX_RANGES + 2;
	struct ng_info in;
	char *area, *three;
	int i;

	/* Every other page: 64 ranges that cannot merge. */
	area = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	three = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, three);
	ASSERT_EQ(0, munmap(three + PG, PG));
	for (i = 0; i < MAX_RANGES; i++)
		ASSERT_OK(ng_add_mem(self->g, area + 2 * i * PG, PG));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	ASSERT_EQ(MAX_RANGES, in.ranges);
	EXPECT_EQ(MAX_RANGES, in.nr_range);
	EXPECT_EQ((long long)(MAX_RANGES * PG), in.bytes);

	EXPECT_FAIL(self->g, ENOSPC, ng_add_mem(self->g, area + 2 * MAX_RANGES * PG, PG));
	EXPECT_FAIL(self->g, ENOSPC, ng_add_mem(self->g, self->buf, MB));
	/* ENOMEM and EBUSY come before ENOSPC. */
	EXPECT_FAIL(self->g, ENOMEM, ng_add_mem(self->g, three, 3 * PG));
	EXPECT_FAIL(self->g, EBUSY, ng_add_mem(self->g, area, PG));

	/* Removing one makes room for one. */
	ASSERT_OK(ng_del_mem(self->g, area, PG));
	EXPECT_OK(ng_add_mem(self->g, area + 2 * MAX_RANGES * PG, PG));
	EXPECT_FAIL(self->g, ENOSPC, ng_add_mem(self->g, self->buf, MB));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(MAX_RANGES, in.ranges);
	munmap(area, pages * PG);
	munmap(three, PG);
	munmap(three + 2 * PG, PG);
}

TEST_F(group, mem_other_process)
{
	struct child_state *st = shared_page();
	struct ng_info in;
	int pfd, tfd;
	pid_t pid;

	ASSERT_NE(NULL, st);
	/* The child unmaps its copy of self->buf. */
	pid = child_start(st, self->buf);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(child_wait_ready(pid, &st->ready));
	pfd = sys_pidfd_open(pid, 0);
	ASSERT_LE(0, pfd);

	EXPECT_OK(sys_numa_group_mem(self->g, pfd, (unsigned long)st->buf, MB, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, pid, st->buf, st->buf + MB))
		TH_LOG("range line: %d %lx-%lx", in.range[0].pid, in.range[0].start,
		       in.range[0].end);
	EXPECT_FAIL(self->g, EBUSY, sys_numa_group_mem(self->g, pfd, (unsigned long)st->buf,
						       MB, 0));
	/* The range is looked up in the child's memory, not ours. */
	EXPECT_FAIL(self->g, ENOMEM, sys_numa_group_mem(self->g, pfd, (unsigned long)self->buf,
							MB, 0));
	/* Same addresses in two processes are two ranges. */
	EXPECT_OK(ng_add_mem(self->g, self->buf, MB));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.ranges);
	/* Removing the child's range leaves ours. */
	EXPECT_OK(sys_numa_group_mem(self->g, pfd, (unsigned long)st->buf, MB,
				     NUMA_GROUP_REMOVE));
	EXPECT_FAIL(self->g, ENOENT, sys_numa_group_mem(self->g, pfd, (unsigned long)st->buf,
							MB, NUMA_GROUP_REMOVE));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), self->buf, self->buf + MB));

	/* A pidfd of one of its threads works as well as the process's. */
	tfd = sys_pidfd_open(st->tid2, PIDFD_THREAD);
	ASSERT_LE(0, tfd);
	EXPECT_OK(sys_numa_group_mem(self->g, tfd, (unsigned long)st->buf, MB, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_TRUE(ng_has_range(&in, pid, st->buf, st->buf + MB));
	close(tfd);
	child_kill(pid);
	close(pfd);
	munmap(st, PG);
}

/* What the unprivileged child saw. */
struct foreign_result {
	/* given by the parent */
	int root_g, root_pidfd, root_tfd, kthread_fd;
	unsigned long root_buf, root_hole;
	/* errnos, or 0 if the call succeeded */
	volatile int create_err;
	volatile int mem_add, mem_hole, mem_remove, mem_kthread;
	volatile int task_proc, task_thread, task_remove, task_kthread, task_self;
	volatile int own_ranges, own_tasks;
};

static void foreign_child(void *arg)
{
	struct foreign_result *r = arg;
	struct ng_info in;
	int own;

	own = ng_create();
	r->create_err = err_of(own);
	if (own < 0)
		return;
	r->mem_add = err_of(sys_numa_group_mem(own, r->root_pidfd, r->root_buf, MB, 0));
	/* EPERM comes before ENOMEM. */
	r->mem_hole = err_of(sys_numa_group_mem(own, r->root_pidfd, r->root_hole, PG, 0));
	/* Holding the root's group descriptor is not enough. */
	r->mem_remove = err_of(sys_numa_group_mem(r->root_g, r->root_pidfd, r->root_buf, MB,
						  NUMA_GROUP_REMOVE));
	/* ESRCH comes before EPERM. */
	r->mem_kthread = err_of(sys_numa_group_mem(own, r->kthread_fd, r->root_buf, MB, 0));

	r->task_proc = err_of(sys_numa_group_task(own, r->root_pidfd, 0));
	r->task_thread = err_of(sys_numa_group_task(own, r->root_tfd, 0));
	r->task_remove = err_of(sys_numa_group_task(r->root_g, r->root_pidfd,
						    NUMA_GROUP_REMOVE));
	/* EINVAL (kernel thread) comes before EPERM. */
	r->task_kthread = err_of(sys_numa_group_task(own, r->kthread_fd, 0));
	/* Its own thread is its own business. */
	r->task_self = err_of(sys_numa_group_task(own, NUMA_GROUP_SELF_THREAD, 0));

	r->own_ranges = r->own_tasks = -1;
	if (ng_read_info(0, own, &in)) {
		r->own_ranges = in.ranges;
		r->own_tasks = in.tasks;
	}
	close(own);
}

/* Root's process, its thread and its memory, for the foreign child. */
static bool foreign_setup(struct foreign_result *r, int g, char *buf, struct sleeper *s,
			  char **hole)
{
	/* A one-page hole between two pages, so that nothing fills it. */
	*hole = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*hole == MAP_FAILED)
		return false;
	*hole += PG;
	if (munmap(*hole, PG))
		return false;
	r->root_g = g;
	r->root_buf = (unsigned long)buf;
	r->root_hole = (unsigned long)*hole;
	r->root_pidfd = sys_pidfd_open(getpid(), 0);
	r->kthread_fd = sys_pidfd_open(KTHREADD_PID, 0);
	if (!sleeper_start(s, -1, NULL, NULL))
		return false;
	r->root_tfd = sys_pidfd_open(s->tid, PIDFD_THREAD);
	return r->root_pidfd >= 0 && r->kthread_fd >= 0 && r->root_tfd >= 0;
}

TEST_F(group, foreign_uid_eperm)
{
	struct foreign_result *r = shared_page();
	struct ng_info in;
	struct sleeper s;
	char *hole;
	pid_t pid;
	int g2;

	ASSERT_NE(NULL, r);
	ASSERT_TRUE(foreign_setup(r, self->g, self->buf, &s, &hole));
	/* Root's group: its memory and its main thread. */
	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_TRUE(ng_membership(0, self->g, snap_before, sizeof(snap_before)));

	pid = spawn_as_uid(FOREIGN_UID, foreign_child, r);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, child_exit_code(pid));

	EXPECT_EQ(0, r->create_err) TH_LOG("%s", ename(r->create_err));
	EXPECT_EQ(EPERM, r->mem_add) TH_LOG("mem add: %s", ename(r->mem_add));
	EXPECT_EQ(EPERM, r->mem_hole) TH_LOG("mem hole: %s", ename(r->mem_hole));
	EXPECT_EQ(EPERM, r->mem_remove) TH_LOG("mem remove: %s",
					       ename(r->mem_remove));
	EXPECT_EQ(ESRCH, r->mem_kthread) TH_LOG("mem kthread: %s",
						ename(r->mem_kthread));
	EXPECT_EQ(EPERM, r->task_proc) TH_LOG("task proc: %s", ename(r->task_proc));
	EXPECT_EQ(EPERM, r->task_thread) TH_LOG("task thread: %s",
						ename(r->task_thread));
	EXPECT_EQ(EPERM, r->task_remove) TH_LOG("task remove: %s",
						ename(r->task_remove));
	EXPECT_EQ(EINVAL, r->task_kthread) TH_LOG("task kthread: %s",
						  ename(r->task_kthread));
	EXPECT_EQ(0, r->task_self) TH_LOG("task self: %s", ename(r->task_self));
	EXPECT_EQ(0, r->own_ranges);
	EXPECT_EQ(1, r->own_tasks);

	/* Root's group is as it was. */
	ASSERT_TRUE(ng_membership(0, self->g, snap_after, sizeof(snap_after)));
	EXPECT_STREQ(snap_before, snap_after);
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_TRUE(ng_has_range(&in, getpid(), self->buf, self->buf + MB));
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	EXPECT_FALSE(ng_has_task(&in, s.tid));
	/* And root's thread is in no group. */
	g2 = ng_create();
	ASSERT_LE(0, g2);
	EXPECT_OK(sys_numa_group_task(g2, r->root_tfd, 0));
	close(g2);
	sleeper_stop(&s);
	close(r->root_pidfd);
	close(r->root_tfd);
	close(r->kthread_fd);
	munmap(hole - PG, 3 * PG);
	munmap(r, PG);
}

/* ==== numa_group_task() ==== */

TEST_F(group, task_add_self)
{
	struct ng_info in;

	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_EQ(1, in.nr_task);
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	EXPECT_EQ(0, in.ranges);

	/* Again into its own group: success, nothing changes. */
	ASSERT_TRUE(ng_membership(0, self->g, snap_before, sizeof(snap_before)));
	EXPECT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_TRUE(ng_membership(0, self->g, snap_after, sizeof(snap_after)));
	EXPECT_STREQ(snap_before, snap_after);
}

TEST_F(group, task_add_thread_by_pidfd)
{
	struct sleeper s;
	struct ng_info in;
	int tfd, pfd;

	ASSERT_TRUE(sleeper_start(&s, -1, NULL, NULL));
	tfd = sys_pidfd_open(s.tid, PIDFD_THREAD);
	ASSERT_LE(0, tfd) TH_LOG("pidfd_open(PIDFD_THREAD): %s", ename(errno));
	ASSERT_OK(sys_numa_group_task(self->g, tfd, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, s.tid));

	/* A process pidfd of this process: every thread (the sleeper is in already). */
	pfd = sys_pidfd_open(getpid(), 0);
	ASSERT_LE(0, pfd);
	ASSERT_OK(sys_numa_group_task(self->g, pfd, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, getpid()));

	/* Again, by pidfd and by SELF: nothing changes. */
	ASSERT_TRUE(ng_membership(0, self->g, snap_before, sizeof(snap_before)));
	EXPECT_OK(sys_numa_group_task(self->g, tfd, 0));
	EXPECT_OK(sys_numa_group_task(self->g, pfd, 0));
	if (sys_gettid() == getpid())
		EXPECT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_TRUE(ng_membership(0, self->g, snap_after, sizeof(snap_after)));
	EXPECT_STREQ(snap_before, snap_after);

	sleeper_stop(&s);
	close(tfd);
	close(pfd);
}

TEST_F(group, task_add_child_process)
{
	struct child_state *st = shared_page();
	struct ng_info in;
	pid_t pid;
	int pfd, tfd;

	ASSERT_NE(NULL, st);
	pid = child_start(st, NULL);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(child_wait_ready(pid, &st->ready));
	pfd = sys_pidfd_open(pid, 0);
	ASSERT_LE(0, pfd);

	/* A thread pidfd: that thread only. */
	tfd = sys_pidfd_open(st->tid2, PIDFD_THREAD);
	ASSERT_LE(0, tfd);
	ASSERT_OK(sys_numa_group_task(self->g, tfd, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, st->tid2));
	EXPECT_FALSE(ng_has_task(&in, pid));

	/* A process pidfd: every thread, the one already in stays. */
	ASSERT_OK(sys_numa_group_task(self->g, pfd, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, pid));
	EXPECT_TRUE(ng_has_task(&in, st->tid2));
	EXPECT_OK(sys_numa_group_task(self->g, pfd, 0));

	/* Removing the thread leaves the leader... */
	ASSERT_OK(sys_numa_group_task(self->g, tfd, NUMA_GROUP_REMOVE));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, pid));
	/* ...removing the process takes every thread of it that is in. */
	ASSERT_OK(sys_numa_group_task(self->g, tfd, 0));
	ASSERT_OK(sys_numa_group_task(self->g, pfd, NUMA_GROUP_REMOVE));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(0, in.tasks);
	EXPECT_FAIL(self->g, ENOENT, sys_numa_group_task(self->g, pfd, NUMA_GROUP_REMOVE));

	child_kill(pid);
	close(pfd);
	close(tfd);
	munmap(st, PG);
}

TEST_F(group, task_children_do_not_inherit)
{
	struct child_state *st = shared_page();
	struct ng_info in;
	pid_t pid;

	ASSERT_NE(NULL, st);
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int g2 = ng_create();

		st->leave_old_err = err_of(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD,
							       NUMA_GROUP_REMOVE));
		st->join_new_err = g2 < 0 ? -1 :
			err_of(sys_numa_group_task(g2, NUMA_GROUP_SELF_THREAD, 0));
		_exit(0);
	}
	ASSERT_EQ(0, child_exit_code(pid));
	EXPECT_EQ(ENOENT, st->leave_old_err) TH_LOG("%s", ename(st->leave_old_err));
	EXPECT_EQ(0, st->join_new_err) TH_LOG("%s", ename(st->join_new_err));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	EXPECT_FALSE(ng_has_task(&in, pid));
	munmap(st, PG);
}

TEST_F(group, task_other_group_ebusy_and_remove)
{
	struct ng_info in;
	int g2;

	g2 = ng_create();
	ASSERT_LE(0, g2);
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(g2, EBUSY, sys_numa_group_task(g2, NUMA_GROUP_SELF_THREAD, 0));
	/* Not in g2: ENOENT, and g keeps it. */
	EXPECT_FAIL(g2, ENOENT, sys_numa_group_task(g2, NUMA_GROUP_SELF_THREAD, NUMA_GROUP_REMOVE));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);

	EXPECT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, NUMA_GROUP_REMOVE));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(0, in.tasks);
	EXPECT_EQ(0, in.nr_task);
	EXPECT_FAIL(self->g, ENOENT, sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD,
							 NUMA_GROUP_REMOVE));
	/* Free now: g2 may take it. */
	EXPECT_OK(sys_numa_group_task(g2, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_TRUE(ng_read_info(0, g2, &in));
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	close(g2);
}

/* The program a member thread execs: joins a new group (see below). */
#define EXEC_REJOIN_ENV	"KNUMAD_TEST_EXEC_REJOIN"

/*
 * Run before the harness, in the program exec'd by exec_as_member(): exit
 * code 0 if the thread could join a new group, else its errno (200: no
 * group).
 */
static void __attribute__((constructor)) exec_rejoin(void)
{
	int g;

	if (!getenv(EXEC_REJOIN_ENV))
		return;
	g = ng_create();
	if (g < 0)
		_exit(200);
	_exit(sys_numa_group_task(g, NUMA_GROUP_SELF_THREAD, 0) ? errno : 0);
}

/* A thread that is not its process's leader joins group *@arg and execs. */
static void *exec_as_member(void *arg)
{
	static char *const argv[] = { "/proc/self/exe", NULL };
	static char *const envp[] = { EXEC_REJOIN_ENV "=1", NULL };

	if (sys_numa_group_task(*(int *)arg, NUMA_GROUP_SELF_THREAD, 0))
		_exit(201);
	execve(argv[0], argv, envp);
	_exit(202);
}

/*
 * A member thread that execs takes its leader's pid, and its group, closed
 * on exec, goes: the new program may join another group (it got EBUSY while
 * the thread stayed marked as in the old one).
 */
TEST_F(group, member_that_execs_may_join_again)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		pthread_t t;
		int g = ng_create();

		if (g < 0 || pthread_create(&t, NULL, exec_as_member, &g))
			_exit(203);
		pthread_join(t, NULL);	/* the exec ends this thread first */
		_exit(204);
	}
	EXPECT_EQ(0, child_exit_code(pid))
		TH_LOG("exit code: numa_group_task()'s errno (16: EBUSY), 200+: setup");
}

TEST_F(group, task_bad_flags_and_fds)
{
	int pfd = sys_pidfd_open(getpid(), 0);

	ASSERT_LE(0, pfd);
	/* Unknown flags: EINVAL, before the descriptors are looked at. */
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_task(-1, NUMA_GROUP_SELF_THREAD, 2));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_task(-1, -1, 1U << 31));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD,
							 NUMA_GROUP_REMOVE | 4));
	/* group_fd not open: EBADF; not a group: EBADFD. Before the pidfd. */
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(-1, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->closed_fd, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(-1, self->devnull, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_task(self->efd, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_task(self->devnull, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_task(pfd, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_task(self->devnull, -1, 0));
	EXPECT_FAIL(self->g, EBADFD, sys_numa_group_task(self->efd, NUMA_GROUP_SELF_PROCESS,
							 NUMA_GROUP_REMOVE));
	/* pidfd neither SELF_THREAD, SELF_PROCESS nor a pidfd: EBADF. */
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, -1, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD + 1, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD - 1, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, NUMA_GROUP_SELF_PROCESS + 1, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, NUMA_GROUP_SELF_PROCESS - 1, 0));
	/* The sentinel before ABI version 1 (AT_FDCWD's value) is no more. */
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, NG_OLD_SELF, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, NG_OLD_SELF, NUMA_GROUP_REMOVE));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, self->closed_fd, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, self->devnull, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, self->efd, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, self->g, 0));
	EXPECT_FAIL(self->g, EBADF, sys_numa_group_task(self->g, self->efd, NUMA_GROUP_REMOVE));
	close(pfd);
}

TEST_F(group, task_exited_esrch)
{
	struct sleeper s;
	siginfo_t info;
	int tfd, pfd, tid;
	pid_t pid;

	/* An exited thread of ours. */
	ASSERT_TRUE(sleeper_start(&s, -1, NULL, NULL));
	tid = s.tid;
	tfd = sys_pidfd_open(tid, PIDFD_THREAD);
	ASSERT_LE(0, tfd);
	sleeper_stop(&s);
	ASSERT_TRUE(wait_thread_gone(tid));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_task(self->g, tfd, 0));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_task(self->g, tfd, NUMA_GROUP_REMOVE));
	close(tfd);

	/* An exited child: a zombie, then reaped. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(10000);
		_exit(0);
	}
	pfd = sys_pidfd_open(pid, 0);
	ASSERT_LE(0, pfd);
	ASSERT_EQ(0, waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_task(self->g, pfd, 0));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_task(self->g, pfd, 0));
	EXPECT_FAIL(self->g, ESRCH, sys_numa_group_task(self->g, pfd, NUMA_GROUP_REMOVE));
	close(pfd);
}

TEST_F(group, task_kernel_thread_einval)
{
	int kfd, ktfd;

	kfd = sys_pidfd_open(KTHREADD_PID, 0);
	ASSERT_LE(0, kfd) TH_LOG("pidfd_open(kthreadd): %s", ename(errno));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_task(self->g, kfd, 0));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_task(self->g, kfd, NUMA_GROUP_REMOVE));
	close(kfd);
	ktfd = sys_pidfd_open(KTHREADD_PID, PIDFD_THREAD);
	ASSERT_LE(0, ktfd);
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_task(self->g, ktfd, 0));
	close(ktfd);
}

/* 1024 threads join themselves; the main thread is the 1025th. */
TEST_F_TIMEOUT(group, task_1025th_enospc, 300)
{
	static struct sleeper s[MAX_TASKS];
	struct ng_info *in = malloc(sizeof(*in));
	pthread_attr_t attr;
	int i, n, joined = 0, ready = 0, tfd = -1;
	long t0 = 0;

	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setstacksize(&attr, 64 * 1024));
	for (n = 0; n < MAX_TASKS; n++)
		if (!sleeper_start(&s[n], self->g, &attr, &ready))
			break;
	for (i = 0; i < 60000 && __atomic_load_n(&ready, __ATOMIC_ACQUIRE) < n; i++)
		usleep(1000);
	if (n < MAX_TASKS) {
		for (i = 0; i < n; i++)
			sleeper_stop(&s[i]);
		SKIP(return, "could create only %d threads", n);
	}
	ASSERT_EQ(n, __atomic_load_n(&ready, __ATOMIC_ACQUIRE));
	for (i = 0; i < n; i++)
		joined += s[i].join_err == 0;
	for (i = 0; i < n && s[i].join_err == 0; i++)
		;
	EXPECT_EQ(MAX_TASKS, joined) TH_LOG("thread %d: %s", i,
					    i < n ? ename(s[i].join_err) : "-");
	ASSERT_TRUE(ng_read_info(0, self->g, in));
	EXPECT_EQ(MAX_TASKS, in->tasks);
	EXPECT_EQ(MAX_TASKS, in->nr_task);

	EXPECT_FAIL(self->g, ENOSPC, sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	/* A member again is still "succeeds and changes nothing". */
	tfd = sys_pidfd_open(s[0].tid, PIDFD_THREAD);
	ASSERT_LE(0, tfd);
	EXPECT_OK(sys_numa_group_task(self->g, tfd, 0));
	/* Removing one makes room for one. */
	EXPECT_OK(sys_numa_group_task(self->g, tfd, NUMA_GROUP_REMOVE));
	EXPECT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(self->g, ENOSPC, sys_numa_group_task(self->g, tfd, 0));
	close(tfd);

	/* All of them exit: none is left behind. */
	t0 = ms_now();
	for (i = 0; i < n; i++)
		sleeper_stop(&s[i]);
	for (i = 0; i < n; i++)
		EXPECT_TRUE(wait_thread_gone(s[i].tid));
	TH_LOG("%d threads stopped in %ld ms", n, ms_now() - t0);
	ASSERT_TRUE(ng_read_info(0, self->g, in));
	EXPECT_EQ(1, in->tasks);
	EXPECT_TRUE(ng_has_task(in, sys_gettid()));
	pthread_attr_destroy(&attr);
	free(in);
}

/* ==== ABI version 1: sentinels, EBADFD, version query, limits, fdinfo ==== */

/* Descriptors open in this process. */
static int count_fds(void)
{
	char path[64];
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

TEST_F(group, create_version_query)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	int before, ret;

	before = count_fds();
	ret = sys_numa_group_create(NULL, 0, NUMA_GROUP_CREATE_VERSION);
	EXPECT_EQ(NG_ABI_VERSION, ret) TH_LOG("version query: %d, %s", ret,
					      ret < 0 ? ename(errno) : "-");
	/* No side effect: no descriptor, no group. */
	EXPECT_EQ(before, count_fds());
	/* Any other argument with the flag: EINVAL, and nothing is created. */
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, sizeof(attr),
							   NUMA_GROUP_CREATE_VERSION));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(&attr, 0, NUMA_GROUP_CREATE_VERSION));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(NULL, 16, NUMA_GROUP_CREATE_VERSION));
	EXPECT_FAIL(self->g, EINVAL, sys_numa_group_create(NULL, 0,
							   NUMA_GROUP_CREATE_VERSION | 2));
	EXPECT_EQ(before, count_fds());
	/* The same answer every time. */
	EXPECT_EQ(ret, sys_numa_group_create(NULL, 0, NUMA_GROUP_CREATE_VERSION));
}

TEST_F(group, task_self_thread_vs_self_process)
{
	struct ng_info in;
	struct sleeper s;
	int g2;

	ASSERT_TRUE(sleeper_start(&s, -1, NULL, NULL));
	/* SELF_THREAD: the calling thread only. */
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	EXPECT_FALSE(ng_has_task(&in, s.tid));
	/* SELF_PROCESS: every thread of the process; the one in stays. */
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_PROCESS, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(2, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, sys_gettid()));
	EXPECT_TRUE(ng_has_task(&in, s.tid));
	ASSERT_TRUE(ng_membership(0, self->g, snap_before, sizeof(snap_before)));
	EXPECT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_PROCESS, 0));
	ASSERT_TRUE(ng_membership(0, self->g, snap_after, sizeof(snap_after)));
	EXPECT_STREQ(snap_before, snap_after);

	/* Removing SELF_THREAD leaves the other thread... */
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_THREAD, NUMA_GROUP_REMOVE));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.tasks);
	EXPECT_TRUE(ng_has_task(&in, s.tid));
	/* ...removing SELF_PROCESS takes every thread of it that is in. */
	ASSERT_OK(sys_numa_group_task(self->g, NUMA_GROUP_SELF_PROCESS, NUMA_GROUP_REMOVE));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(0, in.tasks);
	EXPECT_FAIL(self->g, ENOENT, sys_numa_group_task(self->g, NUMA_GROUP_SELF_PROCESS,
							 NUMA_GROUP_REMOVE));

	/* One thread in another group: EBUSY, and none is added. */
	g2 = ng_create();
	ASSERT_LE(0, g2);
	ASSERT_OK(sys_numa_group_task(g2, NUMA_GROUP_SELF_THREAD, 0));
	EXPECT_FAIL(self->g, EBUSY, sys_numa_group_task(self->g, NUMA_GROUP_SELF_PROCESS, 0));
	close(g2);

	/* For memory, both mean the process's. */
	ASSERT_OK(sys_numa_group_mem(self->g, NUMA_GROUP_SELF_THREAD, (unsigned long)self->buf,
				     MB / 2, 0));
	ASSERT_OK(sys_numa_group_mem(self->g, NUMA_GROUP_SELF_PROCESS,
				     (unsigned long)self->buf + MB / 2, MB / 2, 0));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ(1, in.ranges);
	EXPECT_TRUE(ng_has_range(&in, getpid(), self->buf, self->buf + MB));
	EXPECT_OK(sys_numa_group_mem(self->g, NUMA_GROUP_SELF_THREAD, (unsigned long)self->buf,
				     MB, NUMA_GROUP_REMOVE));
	sleeper_stop(&s);
}

TEST_F(group, mem_placeable_bytes)
{
	char *untouched, *shared, *file;
	struct ng_info in;
	int memfd;

	/* Private anonymous memory is all placeable, touched or not. */
	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ((long long)MB, in.bytes);
	EXPECT_EQ(in.bytes, in.placeable_bytes);
	untouched = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, untouched);
	ASSERT_OK(ng_add_mem(self->g, untouched, 16 * PG));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ((long long)(MB + 16 * PG), in.bytes);
	EXPECT_EQ(in.bytes, in.placeable_bytes);

	/* Shared anonymous and memfd memory: in the group, not placeable. */
	shared = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	memset(shared, 1, 64 * PG);
	memfd = memfd_create("knumad_group_test", MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 32 * PG));
	file = mmap(NULL, 32 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, file);
	memset(file, 1, 32 * PG);
	ASSERT_OK(ng_add_mem(self->g, shared, 64 * PG));
	ASSERT_OK(ng_add_mem(self->g, file, 32 * PG));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ((long long)(MB + 16 * PG + 96 * PG), in.bytes);
	EXPECT_EQ((long long)(MB + 16 * PG), in.placeable_bytes)
		TH_LOG("bytes %lld, placeable %lld", in.bytes, in.placeable_bytes);
	EXPECT_LT(in.placeable_bytes, in.bytes);

	/* A group of only unplaceable memory: 0. */
	ASSERT_OK(ng_del_mem(self->g, self->buf, MB));
	ASSERT_OK(ng_del_mem(self->g, untouched, 16 * PG));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ((long long)(96 * PG), in.bytes);
	EXPECT_EQ(0, in.placeable_bytes);

	/* Partly unmapped: only what is mapped and placeable counts. */
	ASSERT_OK(ng_del_mem(self->g, shared, 64 * PG));
	ASSERT_OK(ng_del_mem(self->g, file, 32 * PG));
	ASSERT_OK(ng_add_mem(self->g, untouched, 16 * PG));
	ASSERT_EQ(0, munmap(untouched + 8 * PG, 8 * PG));
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_EQ((long long)(16 * PG), in.bytes);
	EXPECT_EQ((long long)(8 * PG), in.placeable_bytes);
	munmap(untouched, 8 * PG);
	munmap(shared, 64 * PG);
	munmap(file, 32 * PG);
	close(memfd);
}

/* What a child of root without CAP_SYS_NICE saw. */
struct nonice_result {
	int root_pidfd, root_tfd;
	unsigned long root_buf;
	volatile int dropped;		/* CAP_SYS_NICE gone, the rest kept */
	volatile int ptrace_read;	/* it could read the parent's numa_maps */
	volatile int mem_add, mem_remove, task_proc, task_thread, task_remove;
	volatile int own_mem, own_task;
};

/* Drop @cap from the effective, permitted and inheritable sets. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	data[cap / 32].permitted &= ~(1U << (cap % 32));
	data[cap / 32].inheritable &= ~(1U << (cap % 32));
	if (syscall(SYS_capset, &hdr, data) || syscall(SYS_capget, &hdr, data))
		return -1;
	return (data[cap / 32].effective & (1U << (cap % 32))) ? -1 : 0;
}

static void nonice_child(struct nonice_result *r, int g)
{
	char path[64];
	int own, fd;

	r->dropped = !drop_cap(CAP_SYS_NICE) && !prctl(PR_CAPBSET_DROP, CAP_SYS_NICE) &&
		     prctl(PR_CAPBSET_READ, CAP_SYS_PTRACE) == 1;
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", getppid());
	fd = open(path, O_RDONLY);
	r->ptrace_read = fd >= 0;
	if (fd >= 0)
		close(fd);
	own = ng_create();
	if (own < 0)
		_exit(3);
	r->mem_add = err_of(sys_numa_group_mem(own, r->root_pidfd, r->root_buf, MB, 0));
	r->mem_remove = err_of(sys_numa_group_mem(g, r->root_pidfd, r->root_buf, MB,
						  NUMA_GROUP_REMOVE));
	r->task_proc = err_of(sys_numa_group_task(own, r->root_pidfd, 0));
	r->task_thread = err_of(sys_numa_group_task(own, r->root_tfd, 0));
	r->task_remove = err_of(sys_numa_group_task(g, r->root_tfd, NUMA_GROUP_REMOVE));
	/* Its own process needs neither. */
	r->own_mem = err_of(sys_numa_group_mem(own, NUMA_GROUP_SELF_PROCESS, r->root_buf, MB, 0));
	r->own_task = err_of(sys_numa_group_task(own, NUMA_GROUP_SELF_PROCESS, 0));
	close(own);
}

TEST_F(group, same_uid_without_cap_sys_nice_eperm)
{
	struct nonice_result *r = shared_page();
	struct sleeper s;
	pid_t pid;

	ASSERT_NE(NULL, r);
	ASSERT_TRUE(sleeper_start(&s, -1, NULL, NULL));
	r->root_buf = (unsigned long)self->buf;
	r->root_pidfd = sys_pidfd_open(getpid(), 0);
	r->root_tfd = sys_pidfd_open(s.tid, PIDFD_THREAD);
	ASSERT_LE(0, r->root_pidfd);
	ASSERT_LE(0, r->root_tfd);
	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));
	ASSERT_OK(sys_numa_group_task(self->g, r->root_tfd, 0));
	ASSERT_TRUE(ng_membership(0, self->g, snap_before, sizeof(snap_before)));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		nonice_child(r, self->g);
		_exit(0);
	}
	ASSERT_EQ(0, child_exit_code(pid));
	ASSERT_TRUE(r->dropped) TH_LOG("could not drop CAP_SYS_NICE alone");
	/* The premise: same uid, ptrace-read rights over the parent. */
	ASSERT_TRUE(r->ptrace_read) TH_LOG("child cannot read its parent's numa_maps");
	EXPECT_EQ(EPERM, r->mem_add) TH_LOG("mem add: %s", ename(r->mem_add));
	EXPECT_EQ(EPERM, r->mem_remove) TH_LOG("mem remove: %s", ename(r->mem_remove));
	EXPECT_EQ(EPERM, r->task_proc) TH_LOG("task proc: %s", ename(r->task_proc));
	EXPECT_EQ(EPERM, r->task_thread) TH_LOG("task thread: %s", ename(r->task_thread));
	EXPECT_EQ(EPERM, r->task_remove) TH_LOG("task remove: %s", ename(r->task_remove));
	/* The child's own copy of the range is its own business. */
	EXPECT_EQ(0, r->own_mem) TH_LOG("own mem: %s", ename(r->own_mem));
	EXPECT_EQ(0, r->own_task) TH_LOG("own task: %s", ename(r->own_task));
	ASSERT_TRUE(ng_membership(0, self->g, snap_after, sizeof(snap_after)));
	EXPECT_STREQ(snap_before, snap_after);
	sleeper_stop(&s);
	close(r->root_pidfd);
	close(r->root_tfd);
	munmap(r, PG);
}

#define MAX_GROUPS_SYSCTL	"/proc/sys/user/max_numa_groups"

static long read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return !fclose(f) && ok;
}

struct limit_result {
	volatile int created;
	volatile int err;
};

static void limit_child(void *arg)
{
	struct limit_result *r = arg;
	int fds[8], i;

	r->err = 0;
	for (i = 0; i < 8; i++) {
		fds[i] = ng_create();
		if (fds[i] < 0) {
			r->err = errno;
			break;
		}
	}
	r->created = i;
	while (i--)
		close(fds[i]);
}

TEST_F_TIMEOUT(group, create_max_numa_groups_sysctl_enospc, 60)
{
	struct limit_result *r = shared_page();
	long old;
	bool set;
	pid_t pid;
	int code;

	ASSERT_NE(NULL, r);
	old = read_long(MAX_GROUPS_SYSCTL);
	ASSERT_LE(0, old) TH_LOG("no %s", MAX_GROUPS_SYSCTL);
	EXPECT_EQ(MAX_PER_USER, old) TH_LOG("default %ld", old);
	set = write_long(MAX_GROUPS_SYSCTL, 2);
	pid = set ? spawn_as_uid(CAP_UID, limit_child, r) : -1;
	code = pid > 0 ? child_exit_code(pid) : -1;
	/* Restore it before any assertion can end the test. */
	ASSERT_TRUE(write_long(MAX_GROUPS_SYSCTL, old));
	ASSERT_EQ(old, read_long(MAX_GROUPS_SYSCTL));
	ASSERT_TRUE(set) TH_LOG("could not write %s", MAX_GROUPS_SYSCTL);
	ASSERT_EQ(0, code);
	EXPECT_EQ(2, r->created);
	EXPECT_EQ(ENOSPC, r->err) TH_LOG("third create: %s", ename(r->err));
	munmap(r, PG);
}

/* A node's CPUs, from /sys/devices/system/node/nodeN/cpulist, as a mask. */
static unsigned long node_cpus(int node)
{
	char path[64], list[256], *tok, *save;
	unsigned long mask = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	for (tok = strtok_r(list, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
		int lo, hi, c;

		if (sscanf(tok, "%d-%d", &lo, &hi) != 2)
			hi = lo = atoi(tok);
		for (c = lo; c <= hi && c < 64; c++)
			mask |= 1UL << c;
	}
	return mask;
}

static bool cpu_set_online(int cpu, bool online)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return write_long(path, online);
}

TEST_F_TIMEOUT(group, create_node_without_cpus_einval, 60)
{
	struct numa_group_attr attr = { .node = 1 };
	unsigned long cpus = node_cpus(1), off = 0;
	bool all_off = true;
	int cpu, fd;

	if (!ng_node_online(1) || !cpus || (cpus & 1))
		SKIP(return, "no node 1 with CPUs that can go offline");
	for (cpu = 0; cpu < 64; cpu++) {
		if (!(cpus & (1UL << cpu)))
			continue;
		if (cpu_set_online(cpu, false))
			off |= 1UL << cpu;
		else
			all_off = false;
	}
	/* Online, with memory, but no CPU: not a hint the scheduler can follow. */
	fd = all_off ? sys_numa_group_create(&attr, sizeof(attr), 0) : -2;
	for (cpu = 0; cpu < 64; cpu++)
		if (off & (1UL << cpu))
			EXPECT_TRUE(cpu_set_online(cpu, true)) TH_LOG("cpu %d stays offline", cpu);
	if (!all_off)
		SKIP(return, "could not take node 1's CPUs offline");
	EXPECT_EQ(-1, fd) TH_LOG("node 1 without CPUs accepted");
	if (fd >= 0)
		close(fd);
	else
		EXPECT_EQ(EINVAL, errno);
	/* With its CPUs back, it is a valid hint again. */
	fd = sys_numa_group_create(&attr, sizeof(attr), 0);
	EXPECT_LE(0, fd) TH_LOG("node 1 with CPUs: %s", ename(errno));
	close(fd);
}

struct reader_result {
	int root_g;
	volatile int seen, nr_pages, ranges, has_placeable;
	volatile long long bytes;
	volatile int own_nr_pages;
};

static void reader_child(void *arg)
{
	struct reader_result *r = arg;
	static struct ng_info in;
	char *buf;
	int own;

	r->seen = ng_read_info(0, r->root_g, &in);
	r->nr_pages = in.nr_pages;
	r->ranges = in.ranges;
	r->bytes = in.bytes;
	r->has_placeable = in.placeable_bytes >= 0;
	/* Its own memory it may see. */
	r->own_nr_pages = -2;
	own = ng_create();
	buf = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (own < 0 || buf == MAP_FAILED)
		return;
	memset(buf, 1, 16 * PG);
	if (!ng_add_mem(own, buf, 16 * PG) && ng_read_info(0, own, &in))
		r->own_nr_pages = in.nr_pages;
	close(own);
}

TEST_F(group, fdinfo_pages_hidden_from_unprivileged_reader)
{
	struct reader_result *r = shared_page();
	struct ng_info in;
	pid_t pid;

	ASSERT_NE(NULL, r);
	ASSERT_OK(ng_add_mem(self->g, self->buf, MB));
	/* Root may read its own memory's residency. */
	ASSERT_TRUE(ng_read_info(0, self->g, &in));
	EXPECT_LE(1, in.nr_pages);
	r->root_g = self->g;
	/* nobody, holding a copy of root's group descriptor. */
	pid = spawn_as_uid(FOREIGN_UID, reader_child, r);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, child_exit_code(pid));
	ASSERT_TRUE(r->seen) TH_LOG("nobody could not read its own fdinfo");
	EXPECT_EQ(1, r->ranges);
	EXPECT_EQ((long long)MB, r->bytes);
	EXPECT_TRUE(r->has_placeable);
	EXPECT_EQ(-1, r->nr_pages) TH_LOG("nobody sees root's pages per node");
	EXPECT_LE(1, r->own_nr_pages) TH_LOG("nobody does not see its own: %d",
					     r->own_nr_pages);
	munmap(r, PG);
}

struct pidns_result {
	volatile int ready, go;
	volatile int fd;		/* the group, in the namespace's init */
	volatile int inner_pid;		/* its getpid() there */
	volatile int inner_task, inner_range;	/* what its fdinfo says */
	volatile int outer_pid;		/* its pid here */
	volatile int unshare_errno;	/* unshare(CLONE_NEWPID) failed so */
};

static void pidns_init(struct pidns_result *r)
{
	struct ng_info in;
	char *buf;

	r->fd = ng_create();
	buf = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->fd < 0 || buf == MAP_FAILED ||
	    sys_numa_group_task(r->fd, NUMA_GROUP_SELF_THREAD, 0) ||
	    ng_add_mem(r->fd, buf, 4 * PG))
		_exit(2);
	r->inner_pid = getpid();
	if (ng_read_info(0, r->fd, &in) && in.nr_task == 1 && in.nr_range == 1) {
		r->inner_task = in.task[0];
		r->inner_range = in.range[0].pid;
	}
	r->ready = 1;
	while (!r->go)
		usleep(1000);
	_exit(0);
}

TEST_F(group, fdinfo_pids_in_readers_namespace)
{
	struct pidns_result *r = shared_page();
	struct ng_info in;
	pid_t mid, inner;
	int i;

	ASSERT_NE(NULL, r);
	mid = fork();
	ASSERT_LE(0, mid);
	if (mid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID)) {
			r->unshare_errno = errno;
			_exit(10);
		}
		inner = fork();
		if (inner < 0)
			_exit(11);
		if (inner == 0)
			pidns_init(r);
		r->outer_pid = inner;
		_exit(child_exit_code(inner));
	}
	for (i = 0; i < 10000 && !r->ready; i++) {
		if (waitpid(mid, NULL, WNOHANG) == mid)
			break;
		usleep(1000);
	}
	ASSERT_EQ(0, r->unshare_errno) TH_LOG("unshare(CLONE_NEWPID): %s (CONFIG_PID_NS?)",
					      strerror(r->unshare_errno));
	ASSERT_TRUE(r->ready) TH_LOG("the namespace's init did not get there");
	for (i = 0; i < 1000 && !r->outer_pid; i++)
		usleep(1000);
	/* In its namespace, it is pid 1, and so its fdinfo says. */
	EXPECT_EQ(1, r->inner_pid);
	EXPECT_EQ(1, r->inner_task);
	EXPECT_EQ(1, r->inner_range);
	/* Read from here, the same lines name it by its pid here. */
	ASSERT_LT(1, r->outer_pid);
	ASSERT_TRUE(ng_read_info(r->outer_pid, r->fd, &in));
	EXPECT_EQ(1, in.nr_task);
	EXPECT_EQ(r->outer_pid, in.task[0]);
	EXPECT_EQ(1, in.nr_range);
	EXPECT_EQ(r->outer_pid, in.range[0].pid);
	r->go = 1;
	EXPECT_EQ(0, child_exit_code(mid));
	munmap(r, PG);
}

TEST_HARNESS_MAIN
