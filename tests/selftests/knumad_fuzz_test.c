// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing knumad's user interfaces:
 *
 *  - numa_group_create(), numa_group_mem(), numa_group_task() from several
 *    threads with random and boundary values for every argument, while
 *    another thread closes group descriptors, starts and kills target
 *    processes and threads, maps and unmaps memory. Every return must be
 *    a success or an errno that Documentation/userspace-api/numa_group.rst
 *    lists for the call; where the arguments decide the error (an earlier
 *    check in the documented order fails), exactly that one;
 *  - the same calls from an unprivileged process on root's processes:
 *    never a success, only EPERM or an error of an earlier argument;
 *  - the tunables in /sys/kernel/mm/knumad/ with random strings: a write
 *    succeeds exactly when kstrtouint() takes the string and the value is
 *    in the documented range, else fails with EINVAL and changes nothing;
 *    counters cannot be opened for writing;
 *  - kernel.knumad with random strings: only 0 and 1 are taken, anything
 *    else fails with EINVAL and changes nothing.
 *
 * Environment:
 *   KNUMAD_FUZZ_CALLS    syscalls of the fuzzing threads in all (default
 *                        20000); the other tests scale from it
 *   KNUMAD_FUZZ_THREADS  fuzzing threads (default 4)
 *   KNUMAD_FUZZ_SEED     seed (default: the time); printed, so that a run's
 *                        arguments can be repeated (the interleaving of
 *                        the threads cannot)
 *
 * Needs root. Skips what the kernel lacks (ENOSYS: no numa_group; no
 * /sys/kernel/mm/knumad: CONFIG_KNUMAD=n).
 */
#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "knumad_group.h"
#include "knumad_workers.h"

#define MAX_THREADS	16
#define POOL		64	/* descriptors shared by all threads */
#define POOL_GROUPS	20	/* groups among them (64 per user in all) */
#define NMAPS		16	/* mappings the chaos thread changes */
#define MAX_KIDS	24	/* target processes alive at a time */
#define MAX_BAD		12	/* unexpected results kept in full */
#define NERR		256	/* errno buckets; 255: anything larger */
#define FUZZ_MAP	(4UL << 20)
#define HUGE		(2UL << 20)
#define PG		NG_PAGE
#define NOBODY		65534
#define KTHREADD_PID	2
#define MAX_PER_USER	64	/* NUMA_GROUP_MAX_PER_USER */
#define MAX_NODES_SEEN	64
#ifndef S_IWUGO
#define S_IWUGO		(S_IWUSR | S_IWGRP | S_IWOTH)
#endif

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define XCHG(x, v)	__atomic_exchange_n(&(x), (v), __ATOMIC_ACQ_REL)

/* ---- what the documentation allows ---- */

/*
 * A set of results: bit 0 success, bit e errno e. EBADFD (77) does not fit
 * in 64 bits: it takes bit 63 (ENOSR, which no call here returns).
 */
#define OK		(1ULL << 0)
#define ERR_BIT(e)	((e) == EBADFD ? 63 : (e))
#define E(e)		(1ULL << ERR_BIT(e))

/* Every error numa_group.rst lists, per call. */
#define CREATE_DOC	(E(EINVAL) | E(E2BIG) | E(EFAULT) | E(ENOSPC) | E(EMFILE) | \
			 E(ENFILE) | E(ENOMEM))
#define MEM_DOC		(E(EINVAL) | E(EBADF) | E(EBADFD) | E(ESRCH) | E(EPERM) | \
			 E(ENOMEM) | E(EBUSY) | E(ENOSPC) | E(ENOENT))
#define TASK_DOC	(E(EINVAL) | E(EBADF) | E(EBADFD) | E(ESRCH) | E(EPERM) | \
			 E(EBUSY) | E(ENOSPC) | E(ENOENT))
/* What is left once the arguments passed every check. */
#define CREATE_DONE	(OK | E(ENOSPC) | E(EMFILE) | E(ENFILE) | E(ENOMEM))
#define MEM_ADD		(OK | E(ENOMEM) | E(EBUSY) | E(ENOSPC))
#define MEM_REMOVE	(OK | E(ENOENT) | E(ENOSPC))
#define TASK_ADD	(OK | E(EBUSY) | E(ENOSPC))
#define TASK_REMOVE	(OK | E(ENOENT))

enum { SC_CREATE, SC_MEM, SC_TASK, NR_SC };
static const char * const sc_name[NR_SC] = {
	"numa_group_create", "numa_group_mem", "numa_group_task",
};

/* What is known of a group_fd argument. */
enum gk {
	G_GROUP,	/* a group of this thread's: nobody else closes it */
	G_NOTGROUP,	/* an open descriptor of ours that is no group */
	G_BADF,		/* never an open descriptor */
	G_UNKNOWN,	/* shared, maybe closed or reused meanwhile */
};

/* What is known of a pidfd argument. */
enum pk {
	P_SELF,		/* NUMA_GROUP_SELF_THREAD or NUMA_GROUP_SELF_PROCESS */
	P_LIVE,		/* a live process or thread the caller may act on */
	P_FOREIGN,	/* a live one it may not act on (not its, no rights) */
	P_BADF,		/* not a pidfd */
	P_GONE,		/* exited: reaped, or a zombie */
	P_KTHREAD,	/* a kernel thread */
	P_UNKNOWN,
};

static struct {
	uint64_t seed;
	unsigned long tsm;		/* TASK_SIZE_MAX */
	bool cap_sys_nice;		/* may act on any process */
	bool online[MAX_NODES_SEEN];	/* online with CPUs: a valid node hint */
	int kthreadd_pidfd, init_pidfd, self_pidfd, reaped_pidfd, zombie_pidfd;
	pid_t zombie_pid;
	int null_fd, event_fd;
	unsigned long text, heap, vdso;
	int done;
	int pool[POOL];
	int pool_group[POOL];		/* a hint only */
	unsigned long map_addr[NMAPS], map_len[NMAPS];
	unsigned long fmap[MAX_THREADS];	/* every fuzzer's private map */
} G;

/* An unexpected result, with the arguments that produced it. */
struct bad {
	int sc;
	unsigned long arg[5];
	long ret;
	int err;
	uint64_t allowed;
	char what[128];
};

struct stats {
	unsigned long calls[NR_SC];
	unsigned long result[NR_SC][NERR];	/* [0]: success */
	unsigned long unexpected;
	int nr_bad;
	struct bad bad[MAX_BAD];
	/* the chaos thread's */
	unsigned long kids, kills, reaped, threads, maps, unmaps, closes, groups, fdinfo;
};

struct fuzzer {
	int id;
	pthread_t thread;
	uint64_t rng;
	long quota;
	int gfd;		/* this thread's group, or -1 */
	int last_closed;	/* the number of its last group */
	int tid_pidfd;		/* PIDFD_THREAD of this thread */
	char *map;		/* FUZZ_MAP bytes, the first 2 MiB THP-advised */
	char *attr;		/* a page for attrs, then a PROT_NONE page */
	char *ro;		/* a read-only page of zeros, then PROT_NONE */
	bool foreign;		/* the unprivileged child: the pool is root's */
	unsigned long foreign_ok;	/* successes on root's processes */
	struct stats st;
};

/* ---- small helpers ---- */

static inline unsigned long pick(uint64_t *s, unsigned long n)
{
	return n ? rnd(s) % n : 0;
}

static uint64_t env_seed(void)
{
	const char *v = getenv("KNUMAD_FUZZ_SEED");

	if (v && *v)
		return strtoull(v, NULL, 0);
	return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

static const char *errname(int err)
{
	static __thread char buf[16];
	const char *name;

	if (!err)
		return "ok";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

static void set_names(uint64_t set, char *buf, size_t size)
{
	size_t used = 0;
	int e;

	buf[0] = '\0';
	for (e = 0; e < 64 && used < size; e++)
		if (set & (1ULL << e))
			used += snprintf(buf + used, size - used, "%s%s",
					 used ? "," : "", errname(e == 63 ? EBADFD : e));
}

static bool have_cap_sys_nice(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_SYS_NICE / 32].effective & (1U << (CAP_SYS_NICE % 32));
}

static bool no_caps_at_all(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return !data[0].effective && !data[1].effective;
}

/*
 * Are the numa_group syscalls there? 0: yes; 1: no (skip, @why says);
 * -1: they are but do not work (@why says). Never calls them on a kernel
 * where their numbers belong to other calls (6.13 and later, upstream).
 */
static int probe_numa_group(const char **why)
{
	char path[64], link[64] = "";
	struct utsname u;
	int maj, min, fd;
	ssize_t n;

	if (access(KNUMAD_SYSFS, F_OK) && !uname(&u) &&
	    sscanf(u.release, "%d.%d", &maj, &min) == 2 &&
	    (maj > 6 || (maj == 6 && min > 12))) {
		*why = "no knumad, and syscalls 463-465 are other calls on this kernel";
		return 1;
	}
	fd = sys_numa_group_create(NULL, 0, 0);
	if (fd < 0 && errno == ENOSYS) {
		*why = "no numa_group syscalls (numa_group_create: ENOSYS)";
		return 1;
	}
	if (fd < 0) {
		*why = "numa_group_create(NULL, 0, 0) failed";
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	close(fd);
	if (n < 0 || strncmp(link, "anon_inode:[numa_group]", n)) {
		*why = "syscall 463 does not make a numa_group here";
		return 1;
	}
	return 0;
}

static bool is_group_fd(int fd)
{
	char path[64], link[64] = "";
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	return n > 0 && !strncmp(link, "anon_inode:[numa_group]", n);
}

static void read_online_nodes(void)
{
	int n;

	for (n = 0; n < MAX_NODES_SEEN; n++)
		G.online[n] = ng_node_has_cpu(n);
}

/* ---- the oracles: what each call may return, given what is known ---- */

static bool bad_range(unsigned long addr, unsigned long len)
{
	unsigned long end;

	if ((addr & (PG - 1)) || !len || len > G.tsm)
		return true;
	end = addr + ((len + PG - 1) & ~(PG - 1));
	return end <= addr || end > G.tsm;
}

/*
 * numa_group_create(): @readable bytes can be read at @attr (-1: not
 * known), whose contents are @bytes.
 */
static uint64_t create_expect(const void *attr, size_t size, unsigned int flags,
			      long readable, const unsigned char *bytes)
{
	struct numa_group_attr a;
	size_t i, lim;

	if (flags & ~NUMA_GROUP_CREATE_VERSION)
		return E(EINVAL);
	/* The version query: nothing else may be passed. */
	if (flags)
		return attr || size ? E(EINVAL) : OK;
	if (size && size < NUMA_GROUP_ATTR_SIZE_VER0)
		return E(EINVAL);
	if (size > PG)
		return E(E2BIG);
	if (!size)
		return CREATE_DONE;
	if (readable < 0)
		return CREATE_DOC | CREATE_DONE;
	/* Bytes beyond the kernel's struct first: zero, readable. */
	if (size > sizeof(a)) {
		lim = size < (size_t)readable ? size : (size_t)readable;
		for (i = sizeof(a); i < lim; i++)
			if (bytes[i])
				return E(E2BIG);
		if (size > (size_t)readable)
			return E(EFAULT);
	}
	if ((size_t)readable < sizeof(a))
		return E(EFAULT);
	memcpy(&a, bytes, sizeof(a));
	if (a.flags || a.__reserved)
		return E(EINVAL);
	if (a.node != NUMA_GROUP_NODE_ANY &&
	    (a.node < 0 || a.node >= MAX_NODES_SEEN || !G.online[a.node]))
		return E(EINVAL);
	return CREATE_DONE;
}

static uint64_t mem_expect(unsigned int flags, enum gk g, enum pk p, bool range_bad)
{
	uint64_t after = (flags & NUMA_GROUP_REMOVE) ? MEM_REMOVE : MEM_ADD, t;

	if (flags & ~NUMA_GROUP_REMOVE)
		return E(EINVAL);
	if (g == G_BADF)
		return E(EBADF);
	if (g == G_NOTGROUP)
		return E(EBADFD);
	switch (p) {
	case P_SELF:
	case P_LIVE:
		t = after;
		break;
	case P_FOREIGN:
		t = E(EPERM);
		break;
	case P_BADF:
		t = E(EBADF);
		break;
	case P_GONE:
	case P_KTHREAD:		/* no memory */
		t = E(ESRCH);
		break;
	default:
		t = E(EBADF) | E(ESRCH) | after | (G.cap_sys_nice ? 0 : E(EPERM));
		break;
	}
	/* The range is checked before the target. */
	if (range_bad)
		t = E(EINVAL);
	return g == G_UNKNOWN ? E(EBADF) | E(EBADFD) | t : t;
}

static uint64_t task_expect(unsigned int flags, enum gk g, enum pk p)
{
	uint64_t after = (flags & NUMA_GROUP_REMOVE) ? TASK_REMOVE : TASK_ADD, t;

	if (flags & ~NUMA_GROUP_REMOVE)
		return E(EINVAL);
	if (g == G_BADF)
		return E(EBADF);
	if (g == G_NOTGROUP)
		return E(EBADFD);
	switch (p) {
	case P_SELF:
	case P_LIVE:
		t = after;
		break;
	case P_FOREIGN:
		t = E(EPERM);
		break;
	case P_BADF:
		t = E(EBADF);
		break;
	case P_GONE:
		t = E(ESRCH);
		break;
	case P_KTHREAD:
		t = E(EINVAL);
		break;
	default:
		t = E(EBADF) | E(ESRCH) | E(EINVAL) | after |
		    (G.cap_sys_nice ? 0 : E(EPERM));
		break;
	}
	return g == G_UNKNOWN ? E(EBADF) | E(EBADFD) | t : t;
}

/* ---- results ---- */

/* Keep an unexpected result (@allowed: what was allowed instead). */
static void flag(struct fuzzer *f, int sc, const unsigned long *arg, long ret, int err,
		 uint64_t allowed, const char *what)
{
	f->st.unexpected++;
	if (f->st.nr_bad < MAX_BAD) {
		struct bad *b = &f->st.bad[f->st.nr_bad++];

		b->sc = sc;
		memcpy(b->arg, arg, sizeof(b->arg));
		b->ret = ret;
		b->err = ret < 0 ? err : 0;
		b->allowed = allowed;
		snprintf(b->what, sizeof(b->what), "%s", what);
	}
}

/* Count a call's result; flag it unless @allowed has it. */
static void record(struct fuzzer *f, int sc, const unsigned long *arg, long ret, int err,
		   uint64_t allowed, const char *what)
{
	int bucket = ret >= 0 ? 0 : (err > 0 && err < NERR ? err : NERR - 1);
	bool ok;

	f->st.calls[sc]++;
	f->st.result[sc][bucket]++;
	if (ret >= 0)
		ok = (allowed & OK) && (sc == SC_CREATE || ret == 0);
	else
		ok = err > 0 && (err < 63 || err == EBADFD) && (allowed & E(err));
	if (!ok)
		flag(f, sc, arg, ret, err, allowed, what);
}

static void merge(struct stats *to, const struct stats *from)
{
	int sc, e, i;

	for (sc = 0; sc < NR_SC; sc++) {
		to->calls[sc] += from->calls[sc];
		for (e = 0; e < NERR; e++)
			to->result[sc][e] += from->result[sc][e];
	}
	to->unexpected += from->unexpected;
	for (i = 0; i < from->nr_bad && to->nr_bad < MAX_BAD; i++)
		to->bad[to->nr_bad++] = from->bad[i];
	to->kids += from->kids;
	to->kills += from->kills;
	to->reaped += from->reaped;
	to->threads += from->threads;
	to->maps += from->maps;
	to->unmaps += from->unmaps;
	to->closes += from->closes;
	to->groups += from->groups;
	to->fdinfo += from->fdinfo;
}

static void log_stats(struct __test_metadata *_metadata, const struct stats *st)
{
	char line[1024], set[256];
	int sc, e, i;

	for (sc = 0; sc < NR_SC; sc++) {
		size_t used = snprintf(line, sizeof(line), "%s: %lu calls:",
				       sc_name[sc], st->calls[sc]);

		for (e = 0; e < NERR && used < sizeof(line); e++)
			if (st->result[sc][e])
				used += snprintf(line + used, sizeof(line) - used,
						 " %s %lu", e == NERR - 1 ? "other" :
						 errname(e), st->result[sc][e]);
		TH_LOG("%s", line);
	}
	for (i = 0; i < st->nr_bad; i++) {
		const struct bad *b = &st->bad[i];

		set_names(b->allowed, set, sizeof(set));
		TH_LOG("UNEXPECTED %s(%#lx, %#lx, %#lx, %#lx, %#lx) = %ld (%s), allowed {%s}; %s",
		       sc_name[b->sc], b->arg[0], b->arg[1], b->arg[2], b->arg[3],
		       b->arg[4], b->ret, b->ret < 0 ? errname(b->err) : "ok", set,
		       b->what);
	}
	TH_LOG("%lu unexpected results", st->unexpected);
}

/* ---- the shared descriptor pool ---- */

static int pool_count_groups(void)
{
	int i, n = 0;

	for (i = 0; i < POOL; i++)
		n += LOAD(G.pool[i]) >= 0 && LOAD(G.pool_group[i]);
	return n;
}

/* Put @fd into a free slot of the pool; false (not taken) if full. */
static bool pool_put(uint64_t *rng, int fd, bool group)
{
	int i, start = pick(rng, POOL);

	if (group && pool_count_groups() >= POOL_GROUPS)
		return false;
	for (i = 0; i < POOL; i++) {
		int slot = (start + i) % POOL, empty = -1;

		if (__atomic_compare_exchange_n(&G.pool[slot], &empty, fd, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			STORE(G.pool_group[slot], group);
			return true;
		}
	}
	return false;
}

/* Close one descriptor of the pool (the closer owns it). */
static bool pool_close(uint64_t *rng)
{
	int fd = XCHG(G.pool[pick(rng, POOL)], -1);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ---- argument generators ---- */

/* A descriptor from the pool (an occupied slot, if one is found soon). */
static int pool_pick(uint64_t *rng, int *slot)
{
	int i, fd = -1;

	for (i = 0; i < 8 && fd < 0; i++) {
		*slot = pick(rng, POOL);
		fd = LOAD(G.pool[*slot]);
	}
	return fd;
}

static int gen_group_fd(struct fuzzer *f, enum gk *k, const char **what)
{
	static const int never[] = { INT_MIN, INT_MAX, 1 << 20, -2, -4096, -99, -100, -101,
				     NUMA_GROUP_SELF_THREAD, NUMA_GROUP_SELF_PROCESS };
	unsigned long r = pick(&f->rng, 100);
	int fd, slot;

	if (r < 45 && f->gfd >= 0) {
		*k = G_GROUP;
		*what = "own group";
		return f->gfd;
	}
	if (r < 70) {
		fd = pool_pick(&f->rng, &slot);
		/* The unprivileged child's pool does not change: known. */
		*k = fd < 0 ? G_BADF : !f->foreign ? G_UNKNOWN :
		     LOAD(G.pool_group[slot]) ? G_GROUP : G_NOTGROUP;
		*what = "pool fd";
		return fd;
	}
	if (r < 73) {
		*k = G_BADF;
		*what = "-1";
		return -1;
	}
	if (r < 75) {
		*k = G_BADF;
		*what = "NUMA_GROUP_SELF_*";
		return pick(&f->rng, 2) ? NUMA_GROUP_SELF_THREAD : NUMA_GROUP_SELF_PROCESS;
	}
	if (r < 78) {
		*k = G_BADF;
		*what = "never a fd";
		return never[pick(&f->rng, ARRAY_SIZE(never))];
	}
	if (r < 88) {
		int mine[] = { f->tid_pidfd, G.self_pidfd, G.null_fd, G.event_fd,
			       G.init_pidfd, G.reaped_pidfd };

		fd = mine[pick(&f->rng, ARRAY_SIZE(mine))];
		*k = fd < 0 ? G_BADF : G_NOTGROUP;
		*what = "not a group";
		return fd;
	}
	if (r < 92 && f->last_closed >= 0) {
		*k = G_UNKNOWN;
		*what = "closed group fd";
		return f->last_closed;
	}
	*k = G_UNKNOWN;
	*what = "small int";
	return pick(&f->rng, 128);
}

/*
 * The unprivileged child's pidfds: its own, or root's (the pool holds
 * root's processes and threads, and root's group).
 */
static int gen_foreign_pidfd(struct fuzzer *f, enum pk *k, const char **what)
{
	unsigned long r = pick(&f->rng, 100);
	int fd, slot;

	if (r < 15) {
		*k = P_SELF;
		*what = "SELF";
		return pick(&f->rng, 2) ? NUMA_GROUP_SELF_THREAD : NUMA_GROUP_SELF_PROCESS;
	}
	if (r < 20) {
		*k = P_LIVE;
		*what = "own thread";
		return f->tid_pidfd;
	}
	if (r < 25 && G.kthreadd_pidfd >= 0) {
		*k = P_KTHREAD;
		*what = "kthreadd";
		return G.kthreadd_pidfd;
	}
	if (r < 30) {
		*k = P_GONE;
		*what = pick(&f->rng, 2) ? "reaped child" : "zombie child";
		return **what == 'r' ? G.reaped_pidfd : G.zombie_pidfd;
	}
	if (r < 34) {
		*k = P_BADF;
		*what = "-1";
		return -1;
	}
	fd = pool_pick(&f->rng, &slot);
	*k = fd < 0 || LOAD(G.pool_group[slot]) ? P_BADF : P_FOREIGN;
	*what = "root's";
	return fd;
}

static int gen_pidfd(struct fuzzer *f, enum pk *k, const char **what)
{
	unsigned long r = pick(&f->rng, 100);
	int fd, slot;

	if (f->foreign)
		return gen_foreign_pidfd(f, k, what);
	if (r < 30) {
		*k = P_SELF;
		*what = "SELF";
		return pick(&f->rng, 2) ? NUMA_GROUP_SELF_THREAD : NUMA_GROUP_SELF_PROCESS;
	}
	if (r < 40) {
		*k = P_LIVE;
		*what = "own thread";
		return f->tid_pidfd;
	}
	if (r < 45) {
		*k = P_LIVE;
		*what = "own process";
		return G.self_pidfd;
	}
	if (r < 48 && G.init_pidfd >= 0) {
		*k = P_LIVE;
		*what = "init";
		return G.init_pidfd;
	}
	if (r < 52 && G.kthreadd_pidfd >= 0) {
		*k = P_KTHREAD;
		*what = "kthreadd";
		return G.kthreadd_pidfd;
	}
	if (r < 56) {
		*k = P_GONE;
		*what = "reaped child";
		return G.reaped_pidfd;
	}
	if (r < 60) {
		*k = P_GONE;
		*what = "zombie child";
		return G.zombie_pidfd;
	}
	if (r < 64) {
		/* -100: the sentinel before ABI version 1; and SELF's neighbours. */
		static const int neg[] = { -1, -2, -99, -100, -101, -9999, -10001, -19999,
					   -20001, INT_MIN };

		*k = P_BADF;
		*what = "negative";
		return neg[pick(&f->rng, ARRAY_SIZE(neg))];
	}
	if (r < 68) {
		int notpid[] = { f->gfd, G.null_fd, G.event_fd };

		fd = notpid[pick(&f->rng, ARRAY_SIZE(notpid))];
		*k = P_BADF;
		*what = "not a pidfd";
		return fd;
	}
	if (r < 94) {
		fd = pool_pick(&f->rng, &slot);
		*k = fd < 0 ? P_BADF : P_UNKNOWN;
		*what = "pool fd";
		return fd;
	}
	*k = P_UNKNOWN;
	*what = "small int";
	return pick(&f->rng, 128);
}

static unsigned int gen_flags(uint64_t *rng)
{
	static const unsigned int odd[] = { 2, 3, 4, 0x80000000U, 0x80000001U, ~0U, ~1U };
	unsigned long r = pick(rng, 100);

	if (r < 55)
		return 0;
	if (r < 85)
		return NUMA_GROUP_REMOVE;
	if (r < 93)
		return odd[pick(rng, ARRAY_SIZE(odd))];
	return (unsigned int)rnd(rng);
}

/* A range of something mapped (maybe), or boundary values. */
static void gen_range(struct fuzzer *f, unsigned long *addr, unsigned long *len,
		      const char **what)
{
	unsigned long base = 0, size = 0, off, r;
	int local;

	if (pick(&f->rng, 100) < 60) {
		switch (pick(&f->rng, 9)) {
		case 0:
		case 1:
			base = (unsigned long)f->map;
			size = FUZZ_MAP;
			*what = "own map";
			break;
		case 2:
			base = (unsigned long)&local & ~(PG - 1);
			size = 2 * PG;
			*what = "stack";
			break;
		case 3:
			base = G.text;
			size = 16 * PG;
			*what = "text";
			break;
		case 4:
			base = G.heap;
			size = 16 * PG;
			*what = "heap";
			break;
		case 5:
			base = G.vdso;
			size = 2 * PG;
			*what = "vdso";
			break;
		case 6:
			r = pick(&f->rng, NMAPS);
			base = LOAD(G.map_addr[r]);
			size = LOAD(G.map_len[r]);
			*what = "chaos map";
			break;
		case 7:
			base = LOAD(G.fmap[pick(&f->rng, MAX_THREADS)]);
			size = FUZZ_MAP;
			*what = "a fuzzer's map";
			break;
		default:
			base = (unsigned long)(pick(&f->rng, 2) ? f->attr : f->ro);
			size = 2 * PG;	/* the second page is PROT_NONE */
			*what = "attr pages";
			break;
		}
		if (!base || size < PG) {
			base = (unsigned long)f->map;
			size = FUZZ_MAP;
		}
		off = pick(&f->rng, size / PG) * PG;
		*addr = base + off;
		*len = (1 + pick(&f->rng, (size - off) / PG)) * PG;
		r = pick(&f->rng, 10);
		if (r == 0)
			*len -= pick(&f->rng, PG);	/* rounded up */
		else if (r == 1)
			*addr += 1 + pick(&f->rng, PG - 1);	/* unaligned */
		else if (r == 2)
			*len += PG;			/* beyond the end */
		return;
	}

	{
		unsigned long map = (unsigned long)f->map, a[] = {
			0, 1, PG - 1, PG, 0x10000, G.tsm - PG, G.tsm, G.tsm + PG,
			(1UL << 56) - PG, 0xffff800000000000UL, 0xffffffffff600000UL,
			~0UL & ~(PG - 1), ~0UL, rnd(&f->rng), rnd(&f->rng) & ~(PG - 1),
			rnd(&f->rng) & (G.tsm - 1) & ~(PG - 1), map + 1, map + PG / 2, map,
		};

		*addr = a[pick(&f->rng, ARRAY_SIZE(a))];
	}
	{
		/* Up to the end of the address space, and one beyond. */
		unsigned long to_end = *addr < G.tsm ? G.tsm - *addr : 1, l[] = {
			0, 1, PG - 1, PG, PG + 1, 2 * PG, HUGE, HUGE + 1, FUZZ_MAP,
			G.tsm, G.tsm + 1, to_end, to_end + 1, 1UL << 47, ~0UL,
			~0UL - PG + 1, 1UL << 63, rnd(&f->rng),
			(1 + pick(&f->rng, 64)) * PG, (1 + pick(&f->rng, 64)) * PG,
		};

		*len = l[pick(&f->rng, ARRAY_SIZE(l))];
	}
	*what = "boundary values";
}

/* ---- one call of each ---- */

static void fuzz_create(struct fuzzer *f)
{
	static const size_t sizes[] = {
		0, 0, 0, 16, 16, 16, 16, 24, 32, 1, 8, 15, 17, 64, 4095, 4096, 4097,
		8192, 1UL << 32, SIZE_MAX, SIZE_MAX / 2 + 1,
	};
	static const int nodes[] = { -1, -1, 0, 0, 1, 1, 2, 3, 7, 8, 63, 64, 1023,
				     1024, INT_MAX, INT_MIN, -2, -100 };
	const unsigned char *bytes = NULL;
	unsigned int flags = 0;
	unsigned long arg[5] = {};
	const char *what;
	long readable = 0, ret;
	size_t size;
	char note[128];
	void *attr;
	int err;

	if (pick(&f->rng, 100) >= 85)
		flags = pick(&f->rng, 2) ? (unsigned int)rnd(&f->rng) | 1 : 1U << pick(&f->rng, 32);
	size = pick(&f->rng, 10) ? sizes[pick(&f->rng, ARRAY_SIZE(sizes))] :
				    (pick(&f->rng, 2) ? pick(&f->rng, 8192) : rnd(&f->rng));

	switch (pick(&f->rng, 20)) {
	case 0 ... 8: {
		/* In the attr page, maybe running into the PROT_NONE page. */
		struct numa_group_attr a = {};
		unsigned long o;

		o = pick(&f->rng, 3) ? 0 :
		    (size && size <= PG && pick(&f->rng, 2)) ? PG - size : pick(&f->rng, PG);
		memset(f->attr, 0, PG);
		if (pick(&f->rng, 10) == 0)
			a.flags = 1ULL << pick(&f->rng, 64);
		a.node = nodes[pick(&f->rng, ARRAY_SIZE(nodes))];
		if (pick(&f->rng, 10) == 0)
			a.__reserved = (unsigned int)rnd(&f->rng) | 1;
		readable = PG - o;
		memcpy(f->attr + o, &a, readable < (long)sizeof(a) ? (size_t)readable : sizeof(a));
		if (pick(&f->rng, 5) == 0 && size > sizeof(a)) {
			size_t lim = size < (size_t)readable ? size : (size_t)readable;

			if (lim > sizeof(a))
				f->attr[o + sizeof(a) + pick(&f->rng, lim - sizeof(a))] =
					1 + pick(&f->rng, 255);
		}
		attr = f->attr + o;
		bytes = (const unsigned char *)attr;
		what = "attr page";
		break;
	}
	case 9 ... 11:
		attr = f->ro;		/* zeros: node 0 */
		bytes = (const unsigned char *)attr;
		readable = PG;
		what = "read-only zeros";
		break;
	case 12 ... 13:
		attr = f->attr + PG;
		readable = 0;
		what = "PROT_NONE page";
		break;
	case 14:
		attr = NULL;
		what = "NULL";
		break;
	case 15:
		attr = (void *)1;
		what = "(void *)1";
		break;
	case 16:
		attr = (void *)PG;
		what = "page 1";
		break;
	case 17:
		attr = (void *)(pick(&f->rng, 2) ? 0xffff888000000000UL : 0xffffffff81000000UL);
		what = "kernel address";
		break;
	case 18:
		attr = (void *)~0UL;
		what = "~0";
		break;
	default:
		attr = (void *)rnd(&f->rng);
		readable = -1;
		what = "random pointer";
		break;
	}
	if (pick(&f->rng, 40) == 0) {
		attr = NULL;
		size = 0;
		flags = NUMA_GROUP_CREATE_VERSION;
		what = "version query";
	}

	arg[0] = (unsigned long)attr;
	arg[1] = size;
	arg[2] = flags;
	errno = 0;
	ret = sys_numa_group_create(attr, size, flags);
	err = errno;
	snprintf(note, sizeof(note), "attr: %s, readable %ld", what, readable);
	record(f, SC_CREATE, arg, ret, err, create_expect(attr, size, flags, readable, bytes),
	       note);
	if (ret < 0)
		return;
	if (flags == NUMA_GROUP_CREATE_VERSION) {
		if (ret != NG_ABI_VERSION)
			flag(f, SC_CREATE, arg, ret, 0, 0, "the version query returned another version");
		return;
	}

	/* A group: close-on-exec always; keep it, share it or close it. */
	if (!(fcntl(ret, F_GETFD) & FD_CLOEXEC) || !is_group_fd(ret))
		flag(f, SC_CREATE, arg, ret, 0, 0, "the new fd is not a close-on-exec numa_group");
	if (f->gfd < 0 && !f->foreign) {
		f->gfd = ret;
	} else if (f->foreign || !pick(&f->rng, 2) || !pool_put(&f->rng, ret, true)) {
		close(ret);
		f->last_closed = ret;
	}
}

static long call_mem(struct fuzzer *f, int g, enum gk gk, const char *gw, int p, enum pk pk,
		     const char *pw, unsigned long addr, unsigned long len, const char *rw,
		     unsigned int flags)
{
	unsigned long arg[5] = { g, p, addr, len, flags };
	char note[128];
	long ret;
	int err;

	errno = 0;
	ret = sys_numa_group_mem(g, p, addr, len, flags);
	err = errno;
	snprintf(note, sizeof(note), "group_fd: %s, pidfd: %s, range: %s", gw, pw, rw);
	record(f, SC_MEM, arg, ret, err, mem_expect(flags, gk, pk, bad_range(addr, len)), note);
	if (pk == P_FOREIGN && ret >= 0)
		f->foreign_ok++;
	return ret;
}

static void fuzz_mem(struct fuzzer *f)
{
	const char *gw, *pw, *rw;
	unsigned long addr, len;
	enum gk gk;
	enum pk pk;
	int g, p;

	g = gen_group_fd(f, &gk, &gw);
	p = gen_pidfd(f, &pk, &pw);
	gen_range(f, &addr, &len, &rw);
	call_mem(f, g, gk, gw, p, pk, pw, addr, len, rw, gen_flags(&f->rng));
}

/*
 * Our group up to its range limit: every other page of our map a range
 * of its own, until ENOSPC; then holes punched into them (a split needs
 * one more range); then away again.
 */
static void fill_ranges(struct fuzzer *f)
{
	unsigned long addr = (unsigned long)f->map, i;

	if (f->gfd < 0)
		return;
	for (i = 0; i < 72; i++)
		call_mem(f, f->gfd, G_GROUP, "own group", NUMA_GROUP_SELF_PROCESS, P_SELF, "SELF",
			 addr + 2 * i * PG, PG, "every other page", 0);
	call_mem(f, f->gfd, G_GROUP, "own group", NUMA_GROUP_SELF_PROCESS, P_SELF, "SELF",
		 addr + FUZZ_MAP - 64 * PG, 64 * PG, "last 64 pages", 0);
	call_mem(f, f->gfd, G_GROUP, "own group", NUMA_GROUP_SELF_PROCESS, P_SELF, "SELF",
		 addr + FUZZ_MAP - 32 * PG, PG, "a hole in a range", NUMA_GROUP_REMOVE);
	call_mem(f, f->gfd, G_GROUP, "own group", NUMA_GROUP_SELF_PROCESS, P_SELF, "SELF",
		 addr, FUZZ_MAP, "the whole map", NUMA_GROUP_REMOVE);
}

static void fuzz_task(struct fuzzer *f)
{
	unsigned long arg[5] = {};
	const char *gw, *pw;
	unsigned int flags;
	char note[128];
	enum gk gk;
	enum pk pk;
	int g, p, err;
	long ret;

	g = gen_group_fd(f, &gk, &gw);
	p = gen_pidfd(f, &pk, &pw);
	flags = gen_flags(&f->rng);
	arg[0] = g;
	arg[1] = p;
	arg[2] = flags;
	errno = 0;
	ret = sys_numa_group_task(g, p, flags);
	err = errno;
	snprintf(note, sizeof(note), "group_fd: %s, pidfd: %s", gw, pw);
	record(f, SC_TASK, arg, ret, err, task_expect(flags, gk, pk), note);
	if (pk == P_FOREIGN && ret >= 0)
		f->foreign_ok++;
}

/* The fixed resources of a fuzzer: its map, attr pages, pidfd. */
static bool fuzzer_init(struct fuzzer *f, int id)
{
	f->id = id;
	f->rng = mix64(G.seed + 0x1000 * (id + 1)) | 1;
	f->gfd = -1;
	f->last_closed = -1;
	f->tid_pidfd = sys_pidfd_open(sys_gettid(), PIDFD_THREAD);
	f->map = mmap(NULL, FUZZ_MAP, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->attr = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->ro = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->map == MAP_FAILED || f->attr == MAP_FAILED || f->ro == MAP_FAILED)
		return false;
	madvise(f->map, HUGE, MADV_HUGEPAGE);
	memset(f->map, id + 1, FUZZ_MAP);
	mprotect(f->attr + PG, PG, PROT_NONE);
	mprotect(f->ro, PG, PROT_READ);
	mprotect(f->ro + PG, PG, PROT_NONE);
	if (id >= 0 && id < MAX_THREADS)
		STORE(G.fmap[id], (unsigned long)f->map);
	return f->tid_pidfd >= 0;
}

static void fuzzer_fini(struct fuzzer *f)
{
	if (f->id >= 0 && f->id < MAX_THREADS)
		STORE(G.fmap[f->id], 0UL);
	if (f->gfd >= 0)
		close(f->gfd);
	if (f->tid_pidfd >= 0)
		close(f->tid_pidfd);
	f->gfd = f->tid_pidfd = -1;
	if (f->map && f->map != MAP_FAILED)
		munmap(f->map, FUZZ_MAP);
	if (f->attr && f->attr != MAP_FAILED)
		munmap(f->attr, 2 * PG);
	if (f->ro && f->ro != MAP_FAILED)
		munmap(f->ro, 2 * PG);
}

static void fuzz_one(struct fuzzer *f)
{
	unsigned long r = pick(&f->rng, 1000);

	if (!f->foreign && r < 10) {
		/* Our group goes away (members and all); a new one next. */
		if (f->gfd >= 0) {
			close(f->gfd);
			f->last_closed = f->gfd;
			f->gfd = -1;
		}
		return;
	}
	if (!f->foreign && r < 20) {
		pool_close(&f->rng);
		return;
	}
	if (!f->foreign && r < 30 && f->gfd >= 0) {
		struct ng_info *in = malloc(sizeof(*in));

		/* Our own group's state always reads. */
		if (in && !ng_read_info(0, f->gfd, in)) {
			unsigned long arg[5] = { (unsigned long)f->gfd };

			flag(f, SC_CREATE, arg, f->gfd, 0, 0,
			     "its fdinfo shows no numa_group_node line");
		}
		free(in);
		return;
	}
	if (!f->foreign && r < 31) {
		fill_ranges(f);
		return;
	}
	r = pick(&f->rng, 100);
	if (r < 20 || (f->gfd < 0 && r < 50))
		fuzz_create(f);
	else if (r < 60)
		fuzz_mem(f);
	else
		fuzz_task(f);
}

static void *fuzz_thread(void *arg)
{
	struct fuzzer *f = arg;
	long i;

	if (!fuzzer_init(f, f->id)) {
		unsigned long arg[5] = {};

		flag(f, SC_CREATE, arg, -1, errno, 0, "the fuzzer could not set up");
		return NULL;
	}
	for (i = 0; i < f->quota; ) {
		unsigned long before = f->st.calls[0] + f->st.calls[1] + f->st.calls[2];

		fuzz_one(f);
		i += f->st.calls[0] + f->st.calls[1] + f->st.calls[2] - before;
	}
	fuzzer_fini(f);
	return NULL;
}

/* ---- the chaos thread: targets come and go, descriptors close ---- */

static void kid_main(uint64_t r)
{
	struct timespec ts = { 0, (long)((r >> 16) % 300) * 1000 * 1000 };
	unsigned long fmap = LOAD(G.fmap[0]);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Half keep the group descriptors they inherited: groups outlive. */
	if (r & 1)
		close_range(3, ~0U, 0);
	if (r & 2) {
		char *p = mmap(NULL, 1UL << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			memset(p, 1, 1UL << 20);
	}
	if ((r & 4) && fmap)
		memset((void *)fmap, 2, 1UL << 20);	/* COW copies of our map */
	nanosleep(&ts, NULL);
	_exit(0);
}

struct short_thread {
	pid_t tid;
	unsigned int ms;
};

/* Tells its tid, then never touches @arg again (its creator frees it). */
static void *short_thread_fn(void *arg)
{
	struct short_thread *s = arg;
	unsigned int ms = s->ms;

	STORE(s->tid, sys_gettid());
	usleep(ms * 1000);
	return NULL;
}

static void chaos_map(struct stats *st, uint64_t *rng)
{
	int i = pick(rng, NMAPS);
	unsigned long addr = XCHG(G.map_addr[i], 0UL), len = LOAD(G.map_len[i]);
	int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS, fd = -1;
	char *p;

	if (addr) {
		munmap((void *)addr, len);
		st->unmaps++;
		return;
	}
	len = (1 + pick(rng, 1024)) * PG;
	switch (pick(rng, 5)) {
	case 0:
		prot = PROT_NONE;
		break;
	case 1:
		flags = MAP_SHARED | MAP_ANONYMOUS;
		break;
	case 2:
		fd = open("/proc/self/exe", O_RDONLY);
		prot = PROT_READ;
		flags = MAP_PRIVATE;
		len = 4 * PG;
		break;
	case 3:
		len = 2 * HUGE;
		break;
	}
	p = mmap(NULL, len, prot, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return;
	if (len == 2 * HUGE)
		madvise(p, len, MADV_HUGEPAGE);
	if (prot & PROT_WRITE)
		memset(p, 3, len);
	STORE(G.map_len[i], len);
	STORE(G.map_addr[i], (unsigned long)p);
	st->maps++;
}

static void chaos_fdinfo(struct stats *st, uint64_t *rng)
{
	int fd = LOAD(G.pool[pick(rng, POOL)]);
	char path[64], line[256];
	FILE *f;

	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		;
	fclose(f);
	st->fdinfo++;
}

/*
 * All the groups a user may own, made at once (with every other thread's
 * groups counting too): the last call must fail with ENOSPC.
 */
static void chaos_burst(struct fuzzer *cf)
{
	int fds[MAX_PER_USER + 8], n, i;
	unsigned long arg[5] = {};
	long ret;
	int err;

	for (n = 0; n < (int)ARRAY_SIZE(fds); n++) {
		errno = 0;
		ret = sys_numa_group_create(NULL, 0, 0);
		err = errno;
		record(cf, SC_CREATE, arg, ret, err, CREATE_DONE, "burst up to the per-user limit");
		fds[n] = ret;
		if (ret < 0)
			break;
	}
	if (n == (int)ARRAY_SIZE(fds))
		flag(cf, SC_CREATE, arg, 0, 0, 0, "more groups than the per-user limit");
	for (i = 0; i < n; i++)
		close(fds[i]);
	cf->st.groups += n;
}

static void *chaos_thread(void *arg)
{
	struct fuzzer *cf = arg;
	struct stats *st = &cf->st;
	uint64_t rng = mix64(G.seed ^ 0xc4a05) | 1;
	pid_t kids[MAX_KIDS] = {};
	pthread_attr_t attr;
	int i, fd;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!LOAD(G.done)) {
		i = pick(&rng, MAX_KIDS);
		switch (pick(&rng, 13)) {
		case 12:
			if (!pick(&rng, 200))
				chaos_burst(cf);
			break;
		case 0:
		case 1:
			if (kids[i])
				break;
			kids[i] = fork();
			if (kids[i] == 0)
				kid_main(rnd(&rng));
			if (kids[i] < 0) {
				kids[i] = 0;
				break;
			}
			st->kids++;
			fd = sys_pidfd_open(kids[i], 0);
			if (fd >= 0 && !pool_put(&rng, fd, false))
				close(fd);
			break;
		case 2:
			if (kids[i] && !kill(kids[i], SIGKILL))
				st->kills++;
			break;
		case 3:
			/* Reaped late: zombies for a while. */
			if (kids[i] && waitpid(kids[i], NULL, WNOHANG) == kids[i]) {
				kids[i] = 0;
				st->reaped++;
			}
			break;
		case 4:
		case 5:
			if (pool_close(&rng))
				st->closes++;
			break;
		case 6:
			fd = pick(&rng, 2) ? ng_create() :
					     ng_create_on(pick(&rng, 3) - 1);
			if (fd >= 0) {
				st->groups++;
				if (!pool_put(&rng, fd, true))
					close(fd);
			}
			break;
		case 7: {
			struct short_thread *s = calloc(1, sizeof(*s));
			pthread_t t;
			pid_t tid;
			long end;

			if (!s)
				break;
			s->ms = pick(&rng, 50);
			if (pthread_create(&t, &attr, short_thread_fn, s)) {
				free(s);
				break;
			}
			st->threads++;
			end = now_ms() + 60 * 1000;
			while (!(tid = LOAD(s->tid)) && now_ms() < end)
				sched_yield();
			if (!tid)
				break;	/* never ran: s stays its */
			free(s);
			/* Maybe gone already: then no pidfd. */
			fd = sys_pidfd_open(tid, PIDFD_THREAD);
			if (fd >= 0 && !pool_put(&rng, fd, false))
				close(fd);
			break;
		}
		case 8:
		case 9:
			chaos_map(st, &rng);
			break;
		case 10:
			chaos_fdinfo(st, &rng);
			break;
		default: {
			/* A pool pidfd's process into a pool group, for real. */
			int g = LOAD(G.pool[pick(&rng, POOL)]), p = LOAD(G.pool[pick(&rng, POOL)]);
			unsigned long arg[5] = { g, p };
			long ret;
			int err;

			errno = 0;
			ret = sys_numa_group_task(g, p, 0);
			err = errno;
			record(cf, SC_TASK, arg, ret, err,
			       task_expect(0, g < 0 ? G_BADF : G_UNKNOWN,
					   p < 0 ? P_BADF : P_UNKNOWN),
			       "chaos: a pool pidfd into a pool group");
			break;
		}
		}
		/* As fast as the fuzzers, mostly. */
		if (pick(&rng, 8))
			sched_yield();
		else
			usleep(500);
	}
	for (i = 0; i < MAX_KIDS; i++) {
		if (kids[i]) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			st->reaped++;
		}
	}
	for (i = 0; i < POOL; i++) {
		fd = XCHG(G.pool[i], -1);
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < NMAPS; i++) {
		unsigned long addr = XCHG(G.map_addr[i], 0UL);

		if (addr)
			munmap((void *)addr, LOAD(G.map_len[i]));
	}
	return NULL;
}

/* ---- fixed targets ---- */

/* A child that exited: reaped (@reap) or left a zombie. Its pidfd. */
static int exited_child(bool reap, pid_t *pid_out)
{
	siginfo_t si;
	pid_t pid;
	int fd;

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid < 0)
		return -1;
	fd = sys_pidfd_open(pid, 0);
	kill(pid, SIGKILL);
	if (reap)
		waitpid(pid, NULL, 0);
	else
		waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	if (pid_out)
		*pid_out = pid;
	return fd;
}

static void targets_init(void)
{
	char comm[64] = "";
	FILE *f;
	int x;

	G.tsm = ng_user_va_end();	/* TASK_SIZE_MAX */
	G.cap_sys_nice = have_cap_sys_nice();
	read_online_nodes();
	G.self_pidfd = sys_pidfd_open(getpid(), 0);
	G.init_pidfd = sys_pidfd_open(1, 0);
	G.kthreadd_pidfd = -1;
	f = fopen("/proc/2/comm", "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "kthreadd\n"))
			G.kthreadd_pidfd = sys_pidfd_open(KTHREADD_PID, 0);
		fclose(f);
	}
	G.reaped_pidfd = exited_child(true, NULL);
	G.zombie_pidfd = exited_child(false, &G.zombie_pid);
	G.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	G.event_fd = eventfd(0, EFD_CLOEXEC);
	G.text = (unsigned long)targets_init & ~(PG - 1);
	G.heap = (unsigned long)malloc(64) & ~(PG - 1);
	G.vdso = getauxval(AT_SYSINFO_EHDR);
	if (!G.vdso)
		G.vdso = G.text;
	for (x = 0; x < POOL; x++)
		G.pool[x] = -1;
}

static void targets_fini(void)
{
	int *fds[] = { &G.self_pidfd, &G.init_pidfd, &G.kthreadd_pidfd, &G.reaped_pidfd,
		       &G.zombie_pidfd, &G.null_fd, &G.event_fd };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (G.zombie_pid > 0)
		waitpid(G.zombie_pid, NULL, 0);
	G.zombie_pid = 0;
}

/* ---- the fixture: knumad's settings, saved and restored ---- */

FIXTURE(fuzz) {
	struct knumad_settings saved;	/* valid: CONFIG_KNUMAD=y */
	long calls;
	struct worker w;
};

FIXTURE_SETUP(fuzz)
{
	if (geteuid())
		SKIP(return, "needs root");
	self->calls = env_long("KNUMAD_FUZZ_CALLS", 20000);
	G.seed = env_seed();
	TH_LOG("seed %llu (KNUMAD_FUZZ_SEED), %ld calls (KNUMAD_FUZZ_CALLS)",
	       (unsigned long long)G.seed, self->calls);
	if (access(KNUMAD_SYSFS, F_OK))
		return;
	ASSERT_TRUE(settings_save(&self->saved, knumad_writable_knobs,
				  ARRAY_SIZE(knumad_writable_knobs)));
}

FIXTURE_TEARDOWN_PARENT(fuzz)
{
	worker_stop(&self->w);
	settings_restore(&self->saved);
}

/* knumad on and eager, so that it walks the groups while they change. */
static int knumad_on(struct _test_data_fuzz *self)
{
	int err;

	if (!self->saved.valid)
		return 0;
	err = sysctl_write(NUMA_BALANCING_SYSCTL, "0");
	if (!err && !sysfs_set("scan_sleep_millisecs", "10"))
		err = EIO;
	if (!err && !sysfs_set("max_cpu_percent", "50"))
		err = EIO;
	if (!err)
		err = sysctl_write(KNUMAD_SYSCTL, "1");
	return err;
}

/* ---- the tests ---- */

TEST_F_TIMEOUT(fuzz, numa_group_syscalls, 600)
{
	struct fuzzer *fz, *cf;
	struct stats *total;
	pthread_t chaos_t;
	const char *why;
	int nthreads, i, n, err, fds[MAX_PER_USER + 1];

	i = probe_numa_group(&why);
	if (i > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, i) TH_LOG("%s: %s", why, strerror(errno));
	ASSERT_EQ(0, knumad_on(self));

	nthreads = env_long("KNUMAD_FUZZ_THREADS", 4);
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	targets_init();
	ASSERT_GE(G.self_pidfd, 0);
	ASSERT_GE(G.reaped_pidfd, 0);
	ASSERT_GE(G.zombie_pidfd, 0);
	TH_LOG("%d threads, TASK_SIZE_MAX %#lx, CAP_SYS_NICE %d, kthreadd pidfd %s",
	       nthreads, G.tsm, G.cap_sys_nice, G.kthreadd_pidfd >= 0 ? "yes" : "no");

	fz = calloc(nthreads, sizeof(*fz));
	cf = calloc(1, sizeof(*cf));
	total = calloc(1, sizeof(*total));
	ASSERT_NE(NULL, fz);
	ASSERT_NE(NULL, cf);
	ASSERT_NE(NULL, total);
	ASSERT_EQ(0, pthread_create(&chaos_t, NULL, chaos_thread, cf));
	for (i = 0; i < nthreads; i++) {
		fz[i].id = i;
		fz[i].quota = self->calls / nthreads;
		EXPECT_EQ(0, pthread_create(&fz[i].thread, NULL, fuzz_thread, &fz[i]));
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(fz[i].thread, NULL);
	STORE(G.done, 1);
	pthread_join(chaos_t, NULL);
	for (i = 0; i < nthreads; i++)
		merge(total, &fz[i].st);
	merge(total, &cf->st);
	targets_fini();

	log_stats(_metadata, total);
	TH_LOG("chaos: %lu target processes (%lu SIGKILLs, %lu reaped), %lu short threads, "
	       "%lu maps and %lu unmaps, %lu groups made, %lu closed, %lu fdinfo reads",
	       total->kids, total->kills, total->reaped, total->threads, total->maps,
	       total->unmaps, total->groups, total->closes, total->fdinfo);
	EXPECT_EQ(0UL, total->unexpected);
	EXPECT_GE(total->calls[SC_CREATE] + total->calls[SC_MEM] + total->calls[SC_TASK],
		  (unsigned long)(self->calls / nthreads) * nthreads);

	/*
	 * Every group is gone now (all descriptors closed, every child
	 * reaped): root may own NUMA_GROUP_MAX_PER_USER again. Fewer means
	 * groups leaked.
	 */
	for (n = 0, err = 0; n <= MAX_PER_USER; n++) {
		fds[n] = ng_create();
		if (fds[n] < 0) {
			err = errno;
			break;
		}
	}
	EXPECT_EQ(MAX_PER_USER, n) TH_LOG("root could make %d groups after the fuzz (then %s)",
					  n, errname(err));
	if (n == MAX_PER_USER)
		EXPECT_EQ(ENOSPC, err);
	while (n-- > 0)
		if (fds[n] >= 0)
			close(fds[n]);
	free(total);
	free(cf);
	free(fz);
}

/* What the unprivileged child tells the test. */
struct unpriv {
	int stage;			/* how far it got, for messages */
	int stage_errno;
	int sanity_failed;
	char sanity[256];
	unsigned long foreign_ok;	/* must stay 0 */
	struct stats st;
};

#define SANITY(u, cond, ...) do {						\
	if (!(cond) && !(u)->sanity_failed) {					\
		(u)->sanity_failed = 1;						\
		snprintf((u)->sanity, sizeof((u)->sanity), __VA_ARGS__);	\
	}									\
} while (0)

static int expect_err(long ret, int err, int want)
{
	return ret == -1 && err == want;
}

/*
 * The unprivileged child: as nobody, numa_group_mem() and _task() on
 * root's processes (@parent: the test's pid; @tids: its threads; @sleeper:
 * a root child; @buf: memory mapped in all of them).
 */
static void unpriv_child(struct unpriv *u, pid_t parent, const pid_t *tids, int ntids,
			 int sleeper_pidfd, int root_group, char *buf, long calls)
{
	int parent_pidfd, tid_pidfd[4], own, i, n = 0, err;
	struct fuzzer f = { .id = MAX_THREADS - 1, .foreign = true };
	long ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	u->stage = 1;
	parent_pidfd = sys_pidfd_open(parent, 0);
	for (i = 0; i < ntids && i < 4; i++)
		tid_pidfd[n++] = sys_pidfd_open(tids[i], PIDFD_THREAD);
	if (parent_pidfd < 0 || n < 1 || tid_pidfd[0] < 0) {
		u->stage_errno = errno;
		_exit(1);
	}
	u->stage = 2;
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
		u->stage_errno = errno;
		_exit(1);
	}
	u->stage = 3;
	if (getuid() != NOBODY || geteuid() != NOBODY || !no_caps_at_all())
		_exit(1);
	G.cap_sys_nice = false;
	u->stage = 4;
	if (!fuzzer_init(&f, f.id)) {
		u->stage_errno = errno;
		_exit(1);
	}
	u->stage = 5;
	own = ng_create();
	if (own < 0) {
		u->stage_errno = errno;
		_exit(1);
	}
	u->stage = 6;

	/* Exactly EPERM where the arguments are right but the target is root's. */
	ret = sys_numa_group_mem(own, parent_pidfd, (unsigned long)buf, PG, 0);
	err = errno;
	SANITY(u, expect_err(ret, err, EPERM), "mem on the parent: %ld (%s)", ret, errname(err));
	ret = sys_numa_group_mem(own, parent_pidfd, (unsigned long)buf, PG, NUMA_GROUP_REMOVE);
	err = errno;
	SANITY(u, expect_err(ret, err, EPERM), "mem REMOVE on the parent: %ld (%s)",
	       ret, errname(err));
	ret = sys_numa_group_task(own, parent_pidfd, 0);
	err = errno;
	SANITY(u, expect_err(ret, err, EPERM), "task on the parent: %ld (%s)", ret, errname(err));
	for (i = 0; i < n; i++) {
		ret = sys_numa_group_task(own, tid_pidfd[i], 0);
		err = errno;
		SANITY(u, expect_err(ret, err, EPERM), "task on parent thread %d: %ld (%s)",
		       tids[i], ret, errname(err));
	}
	ret = sys_numa_group_mem(root_group, sleeper_pidfd, (unsigned long)buf, PG, 0);
	err = errno;
	SANITY(u, expect_err(ret, err, EPERM), "mem on a root child, root's group: %ld (%s)",
	       ret, errname(err));
	if (G.init_pidfd >= 0) {
		ret = sys_numa_group_task(root_group, G.init_pidfd, 0);
		err = errno;
		SANITY(u, expect_err(ret, err, EPERM), "task on init: %ld (%s)", ret, errname(err));
	}
	if (G.kthreadd_pidfd >= 0) {
		ret = sys_numa_group_task(own, G.kthreadd_pidfd, 0);
		err = errno;
		SANITY(u, expect_err(ret, err, EINVAL), "task on kthreadd: %ld (%s)",
		       ret, errname(err));
		ret = sys_numa_group_mem(own, G.kthreadd_pidfd, (unsigned long)buf, PG, 0);
		err = errno;
		SANITY(u, expect_err(ret, err, ESRCH), "mem on kthreadd: %ld (%s)",
		       ret, errname(err));
	}
	/* Its own memory and thread: allowed. */
	ret = sys_numa_group_mem(own, NUMA_GROUP_SELF_PROCESS, (unsigned long)buf, PG, 0);
	err = errno;
	SANITY(u, ret == 0, "mem on its own memory: %ld (%s)", ret, errname(err));
	ret = sys_numa_group_mem(own, NUMA_GROUP_SELF_THREAD, (unsigned long)buf, PG,
				 NUMA_GROUP_REMOVE);
	err = errno;
	SANITY(u, ret == 0, "mem REMOVE on its own memory: %ld (%s)", ret, errname(err));
	ret = sys_numa_group_task(own, NUMA_GROUP_SELF_THREAD, 0);
	err = errno;
	SANITY(u, ret == 0, "task on itself: %ld (%s)", ret, errname(err));
	ret = sys_numa_group_task(own, NUMA_GROUP_SELF_THREAD, NUMA_GROUP_REMOVE);
	err = errno;
	SANITY(u, ret == 0, "task REMOVE on itself: %ld (%s)", ret, errname(err));
	ret = sys_numa_group_task(own, NUMA_GROUP_SELF_PROCESS, 0);
	err = errno;
	SANITY(u, ret == 0, "task on its own process: %ld (%s)", ret, errname(err));
	ret = sys_numa_group_task(own, NUMA_GROUP_SELF_PROCESS, NUMA_GROUP_REMOVE);
	err = errno;
	SANITY(u, ret == 0, "task REMOVE on its own process: %ld (%s)", ret, errname(err));
	/* No knob for it either. */
	if (!access(KNUMAD_SYSFS, F_OK)) {
		ret = open(KNUMAD_SYSFS "scan_sleep_millisecs", O_WRONLY);
		err = errno;
		SANITY(u, expect_err(ret, err, EACCES), "open a knob for writing: %ld (%s)",
		       ret, errname(err));
		ret = open(KNUMAD_SYSCTL, O_WRONLY);
		err = errno;
		SANITY(u, expect_err(ret, err, EACCES), "open kernel.knumad for writing: %ld (%s)",
		       ret, errname(err));
	}
	u->stage = 7;

	/*
	 * Then random calls: on root's processes (the pool holds their
	 * pidfds), on its own, with its group, root's group and anything.
	 */
	f.gfd = own;
	f.rng = mix64(G.seed ^ 0x0b0d7) | 1;
	for (i = 0; i < POOL; i++)
		G.pool[i] = -1;
	G.pool[0] = parent_pidfd;
	G.pool[1] = sleeper_pidfd;
	G.pool[2] = root_group;
	G.pool_group[2] = 1;
	G.pool[3] = G.self_pidfd;	/* the parent's, inherited */
	G.pool[4] = G.init_pidfd;
	for (i = 0; i < n; i++)
		G.pool[5 + i] = tid_pidfd[i];
	while ((long)(f.st.calls[0] + f.st.calls[1] + f.st.calls[2]) < calls) {
		if (pick(&f.rng, 10) == 0)
			fuzz_create(&f);
		else if (pick(&f.rng, 2))
			fuzz_mem(&f);
		else
			fuzz_task(&f);
	}
	u->foreign_ok = f.foreign_ok;
	u->st = f.st;
	u->stage = 8;
	_exit(0);
}

static volatile int parked_release;

static void *parked(void *arg)
{
	while (!parked_release)
		usleep(10 * 1000);
	return NULL;
}

TEST_F_TIMEOUT(fuzz, unprivileged_never_acts_on_root, 300)
{
	struct unpriv *u;
	pthread_t helper[2];
	pid_t tids[3], sleeper, child;
	int sleeper_pidfd, root_group, status = 0, i;
	const char *why;
	long deadline;
	char *buf;

	i = probe_numa_group(&why);
	if (i > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, i) TH_LOG("%s: %s", why, strerror(errno));
	ASSERT_EQ(0, knumad_on(self));
	targets_init();

	u = mmap(NULL, sizeof(*u), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, u);
	buf = mmap(NULL, FUZZ_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, FUZZ_MAP);
	/* Root's threads, root's child, root's group. */
	tids[0] = sys_gettid();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&helper[i], NULL, parked, NULL));
	for (i = 1; i < 3; i++) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *de;

		ASSERT_NE(NULL, d);
		tids[i] = 0;
		while ((de = readdir(d))) {
			pid_t t = atoi(de->d_name);

			if (t > 0 && t != tids[0] && (i == 1 || t != tids[1]))
				tids[i] = t;
		}
		closedir(d);
		ASSERT_NE(0, tids[i]);
	}
	sleeper = fork();
	if (sleeper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	ASSERT_GT(sleeper, 0);
	sleeper_pidfd = sys_pidfd_open(sleeper, 0);
	ASSERT_GE(sleeper_pidfd, 0);
	root_group = ng_create();
	ASSERT_GE(root_group, 0);
	/* Root's memory in root's group: still nothing for nobody to take. */
	ASSERT_EQ(0, ng_add_mem(root_group, buf, FUZZ_MAP));

	child = fork();
	if (child == 0)
		unpriv_child(u, getppid(), tids, 3, sleeper_pidfd, root_group, buf,
			     self->calls / 4);
	ASSERT_GT(child, 0);
	deadline = now_ms() + 250 * 1000;
	while (waitpid(child, &status, WNOHANG) != child) {
		if (now_ms() > deadline) {
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			break;
		}
		usleep(100 * 1000);
	}
	/* Release the parked threads, end the sleeper. */
	parked_release = 1;
	for (i = 0; i < 2; i++)
		pthread_join(helper[i], NULL);
	kill(sleeper, SIGKILL);
	waitpid(sleeper, NULL, 0);
	close(sleeper_pidfd);
	close(root_group);
	targets_fini();

	log_stats(_metadata, &u->st);
	TH_LOG("stage %d (8: done), %lu successes on root's processes", u->stage, u->foreign_ok);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x at stage %d: %s", status, u->stage,
		       strerror(u->stage_errno));
	EXPECT_EQ(8, u->stage);
	EXPECT_EQ(0, u->sanity_failed) TH_LOG("%s", u->sanity);
	EXPECT_EQ(0UL, u->foreign_ok);
	EXPECT_EQ(0UL, u->st.unexpected);
	EXPECT_GT(u->st.result[SC_MEM][EPERM] + u->st.result[SC_TASK][EPERM], 0UL);
	munmap(buf, FUZZ_MAP);
	munmap(u, sizeof(*u));
}

/* ---- sysfs ---- */

struct knob {
	const char *name;
	unsigned long min, max;		/* the documented range */
};

static const struct knob knobs[] = {
	{ "scan_sleep_millisecs", 1, 3600000 },
	{ "pages_to_scan", 1, 1UL << 24 },
	{ "max_cpu_percent", 1, 100 },
	{ "hysteresis_percent", 0, 1000 },
	{ "min_anon_pages", 0, 1UL << 30 },
	{ "min_hot_pages", 0, 1UL << 30 },
	{ "migrate_max_mbps", 0, 1UL << 20 },
	{ "migrate_batch_pages", 1, 1UL << 16 },
	{ "pair_tolerance_pages", 0, 1UL << 30 },
	{ "migrate_holdoff_millisecs", 0, 3600000 },
	{ "budget_window_millisecs", 0, 3600000 },
	{ "pair_wait_millisecs", 0, 3600000 },
	{ "pair_free_percent", 0, 100 },
};

#define BIG	8192	/* longest string written */

/*
 * What a write of @buf[0..@len) to a tunable returns: sysfs passes at
 * most a page, NUL-terminated; the store takes kstrtouint(base 10) of it
 * (an optional '+', digits, an optional '\n', then the end or a NUL) if
 * in [@min, @max], and fails with EINVAL otherwise. An empty write stores
 * nothing and returns 0.
 */
static long knob_expect(const char *buf, size_t len, unsigned long min, unsigned long max,
			unsigned long *val)
{
	size_t n = len < PG ? len : PG, i = 0, start;
	unsigned long long v = 0;

	if (!len)
		return 0;
	if (buf[i] == '+')
		i++;
	for (start = i; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (buf[i] - '0');
		if (v > UINT_MAX)
			v = (unsigned long long)UINT_MAX + 1;	/* -ERANGE */
	}
	if (i == start)
		return -EINVAL;
	if (i < n && buf[i] == '\n')
		i++;
	if (i < n && buf[i] != '\0')
		return -EINVAL;
	if (v > UINT_MAX || v < min || v > max)
		return -EINVAL;
	*val = v;
	return n;
}

/* A string for a knob: numbers in and out of range, in odd forms, junk. */
static size_t gen_knob_string(uint64_t *rng, const struct knob *k, char *buf)
{
	unsigned long long vals[] = {
		k->min, k->max, k->min ? k->min - 1 : 0, k->max + 1, 0, 1,
		pick(rng, k->max + 1), pick(rng, k->max + 1), UINT_MAX,
		(unsigned long long)UINT_MAX + 1, 10000000000000000000ULL, rnd(rng),
	};
	unsigned long long v = vals[pick(rng, ARRAY_SIZE(vals))];
	size_t len, i;

	switch (pick(rng, 24)) {
	case 0 ... 5:
		return sprintf(buf, "%llu", v);
	case 6 ... 9:
		return sprintf(buf, "%llu\n", v);
	case 10:
		return sprintf(buf, "+%llu", v);
	case 11:
		return sprintf(buf, " %llu", v);
	case 12:
		return sprintf(buf, "%llu ", v);
	case 13:
		return sprintf(buf, "%llu\n\n", v);
	case 14:
		return sprintf(buf, "0000%llu", v);
	case 15:
		len = sprintf(buf, "%llu", v);
		memcpy(buf + len, "\0junk", 5);	/* the store stops at the NUL */
		return len + 5;
	case 16:
		return sprintf(buf, "-%llu", v);
	case 17:
		return sprintf(buf, "0x%llx", v);
	case 18:
		return sprintf(buf, "%lluabc", v);
	case 19:
		return pick(rng, 2) ? 0 : (size_t)sprintf(buf, "\n");
	case 20:
		return sprintf(buf, "99999999999999999999999999");
	case 21:
		/* Longer than a page: the store sees the first page only. */
		len = PG - 10 + pick(rng, BIG - PG);
		memset(buf, '0', len);
		buf[len - 1] = '1' + pick(rng, 9);
		return len;
	default:
		len = 1 + pick(rng, 64);
		for (i = 0; i < len; i++)
			buf[i] = pick(rng, 4) ? "0123456789+-\n \t"[pick(rng, 15)] :
						(char)pick(rng, 256);
		return len;
	}
}

/* The first bytes of @buf, escaped where not printable, for messages. */
static void printable(const char *buf, size_t len, char *out, size_t size)
{
	size_t i, used = 0, show = len < 40 ? len : 40;

	out[0] = '\0';
	for (i = 0; i < show && used + 8 < size; i++) {
		unsigned char c = buf[i];

		used += snprintf(out + used, size - used, isprint(c) ? "%c" : "\\x%02x", c);
	}
	if (len > show && used + 4 < size)
		snprintf(out + used, size - used, "...");
}

static ssize_t write_file(const char *path, const char *buf, size_t len, int *err)
{
	ssize_t ret;
	int fd;

	*err = 0;
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	errno = 0;
	ret = write(fd, buf, len);
	*err = errno;
	close(fd);
	return ret;
}

/* Read an unsigned number with its newline, as sysfs shows it. */
static bool read_number(const char *path, unsigned long long *v)
{
	char buf[64] = "", *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 1 || buf[n - 1] != '\n' || buf[0] < '0' || buf[0] > '9')
		return false;
	*v = strtoull(buf, &end, 10);
	return *end == '\n';
}

static volatile int toggling;

static void *toggle_thread(void *arg)
{
	unsigned long *errors = arg;
	uint64_t rng = mix64(G.seed ^ 0x70) | 1;
	int on = 0;

	while (toggling) {
		on = !on;
		if (sysctl_write(KNUMAD_SYSCTL, on ? "1" : "0"))
			(*errors)++;
		usleep(20 * 1000 + pick(&rng, 60 * 1000));
	}
	return NULL;
}

TEST_F_TIMEOUT(fuzz, sysfs_knobs, 300)
{
	unsigned long writes = 0, taken = 0, refused = 0, wrong = 0, toggle_errors = 0;
	unsigned long long cur[ARRAY_SIZE(knobs)], now;
	uint64_t rng = mix64(G.seed ^ 0x5f5) | 1;
	long iterations = self->calls / 10, i;
	char *buf, path[300];
	struct dirent *de;
	pthread_t toggler;
	unsigned int k;
	DIR *d;

	if (!self->saved.valid)
		SKIP(return, "no %s (CONFIG_KNUMAD=n?)", KNUMAD_SYSFS);
	buf = malloc(BIG + 1);
	ASSERT_NE(NULL, buf);

	/*
	 * Every file reads as a number; the documented tunables (and only
	 * writable files) open for writing; counters (0444) do not, not even
	 * for root.
	 */
	d = opendir(KNUMAD_SYSFS);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		bool tunable = false;
		struct stat st;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		for (k = 0; k < ARRAY_SIZE(knobs); k++)
			tunable |= !strcmp(de->d_name, knobs[k].name);
		snprintf(path, sizeof(path), KNUMAD_SYSFS "%s", de->d_name);
		EXPECT_TRUE(read_number(path, &now)) TH_LOG("%s does not read as a number", path);
		ASSERT_EQ(0, stat(path, &st));
		if (tunable) {
			EXPECT_TRUE(!!(st.st_mode & S_IWUSR))
				TH_LOG("tunable %s is read-only", path);
		} else if (st.st_mode & S_IWUGO) {
			TH_LOG("%s is writable but not documented: not fuzzed", path);
		}
		fd = open(path, O_WRONLY);
		if (st.st_mode & S_IWUGO) {
			EXPECT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
		} else {
			EXPECT_EQ(-1, fd) TH_LOG("counter %s opens for writing", path);
			if (fd < 0)
				EXPECT_EQ(EACCES, errno);
		}
		if (fd >= 0)
			close(fd);
	}
	closedir(d);

	/* knumad running (and switched) while its tunables change. */
	ASSERT_EQ(0, knumad_on(self));
	if (nr_nodes_online() >= 2)
		ASSERT_TRUE(worker_start(&self->w, 0, 1, 32, true, true));
	for (k = 0; k < ARRAY_SIZE(knobs); k++) {
		snprintf(path, sizeof(path), KNUMAD_SYSFS "%s", knobs[k].name);
		ASSERT_TRUE(read_number(path, &cur[k]));
	}
	toggling = 1;
	ASSERT_EQ(0, pthread_create(&toggler, NULL, toggle_thread, &toggle_errors));

	for (i = 0; i < iterations; i++) {
		const struct knob *kn = &knobs[k = pick(&rng, ARRAY_SIZE(knobs))];
		unsigned long val = 0;
		size_t len = gen_knob_string(&rng, kn, buf);
		long want = knob_expect(buf, len, kn->min, kn->max, &val);
		ssize_t got;
		int err;

		snprintf(path, sizeof(path), KNUMAD_SYSFS "%s", kn->name);
		got = write_file(path, buf, len, &err);
		writes++;
		if (want > 0) {
			cur[k] = val;
			taken++;
		} else if (want < 0) {
			refused++;
		}
		if (!read_number(path, &now) || now != cur[k] ||
		    (want >= 0 && got != want) ||
		    (want < 0 && (got != -1 || err != -want))) {
			if (wrong++ < MAX_BAD) {
				char shown[200];

				printable(buf, len, shown, sizeof(shown));
				TH_LOG("%s <- \"%s\" (%zu bytes): returned %zd (%s), "
				       "expected %ld; reads %llu, expected %llu",
				       kn->name, shown, len, got,
				       got < 0 ? errname(err) : "-", want, now, cur[k]);
			}
			cur[k] = now;	/* go on from what it is */
		}
	}
	toggling = 0;
	pthread_join(toggler, NULL);
	TH_LOG("%lu writes: %lu taken, %lu refused, %lu wrong; %lu failed switches",
	       writes, taken, refused, wrong, toggle_errors);
	EXPECT_EQ(0UL, wrong);
	EXPECT_EQ(0UL, toggle_errors);
	free(buf);
}

/* ---- kernel.knumad ---- */

/*
 * A string proc_dointvec_minmax() parses exactly as we can tell: blanks,
 * an optional '-', digits (no leading zero), blanks. 1: written, its
 * value in *@val; 0: EINVAL.
 */
static size_t gen_sysctl_exact(uint64_t *rng, char *buf, int *ok, long *val)
{
	static const char * const digits[] = {
		"0", "1", "0", "1", "2", "3", "10", "100", "255", "256", "2147483647",
		"2147483648", "4294967296", "4294967297", "9223372036854775807",
		"18446744073709551615", "99999999999999999999",
	};
	static const char blanks[] = " \t\n";
	const char *d = digits[pick(rng, ARRAY_SIZE(digits))];
	bool neg = pick(rng, 6) == 0;
	unsigned long long v = 0;
	bool overflow = false;
	size_t len = 0, i, n;

	for (n = pick(rng, 3); n; n--)
		buf[len++] = blanks[pick(rng, 3)];
	if (neg)
		buf[len++] = '-';
	for (i = 0; d[i]; i++) {
		if (v > (ULLONG_MAX - (d[i] - '0')) / 10)
			overflow = true;
		v = v * 10 + (d[i] - '0');
		buf[len++] = d[i];
	}
	for (n = pick(rng, 3); n; n--)
		buf[len++] = blanks[pick(rng, 3)];
	/* 21 characters of number do not parse; nor do overflows. */
	*ok = !overflow && strlen(d) + neg < 21 && v <= 1;
	*val = neg ? 0 : (long)v;	/* "-0" is 0, "-1" out of range */
	if (neg && v == 1)
		*ok = 0;
	return len;
}

/* Anything: garbage, other bases, two numbers, long strings, NULs. */
static size_t gen_sysctl_junk(uint64_t *rng, char *buf)
{
	static const char * const junk[] = {
		"0x1", "0x0", "01", "00", "1 1", "0 1", "1abc", "abc", "1.0", "+1", "1,",
		"1\n1", "--1", "- 1", "1-",
	};
	size_t len, i;

	switch (pick(rng, 5)) {
	case 0:
	case 1:
		return sprintf(buf, "%s", junk[pick(rng, ARRAY_SIZE(junk))]);
	case 2:
		len = sprintf(buf, "%d", (int)pick(rng, 2));
		buf[len++] = '\0';
		buf[len++] = 'x';
		return len;
	case 3:
		len = PG - 5 + pick(rng, BIG - PG);
		memset(buf, pick(rng, 2) ? ' ' : '0', len);
		buf[len - 1] = '0' + pick(rng, 2);
		return len;
	default:
		len = 1 + pick(rng, 32);
		for (i = 0; i < len; i++)
			buf[i] = (char)pick(rng, 256);
		return len;
	}
}

TEST_F_TIMEOUT(fuzz, sysctl_switch, 300)
{
	unsigned long writes = 0, taken = 0, refused = 0, wrong = 0;
	uint64_t rng = mix64(G.seed ^ 0x5c) | 1;
	long iterations = self->calls / 50, i, cur, now, val = 0;
	char *buf;

	if (!self->saved.valid)
		SKIP(return, "no %s (CONFIG_KNUMAD=n?)", KNUMAD_SYSFS);
	buf = malloc(BIG + 1);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, knumad_on(self));
	if (nr_nodes_online() >= 2)
		ASSERT_TRUE(worker_start(&self->w, 0, 1, 32, true, true));
	cur = sysctl_read(KNUMAD_SYSCTL);
	ASSERT_EQ(1, cur);

	for (i = 0; i < iterations; i++) {
		bool exact = pick(&rng, 10) < 7, blank = false;
		size_t len;
		ssize_t got;
		int ok = 0, err;

		if (pick(&rng, 20) == 0) {
			/* Nothing, or only blanks. */
			len = pick(&rng, 4);
			memset(buf, " \n\t "[pick(&rng, 4)], len);
			blank = true;
		} else if (exact) {
			len = gen_sysctl_exact(&rng, buf, &ok, &val);
		} else {
			len = gen_sysctl_junk(&rng, buf);
		}
		got = write_file(KNUMAD_SYSCTL, buf, len, &err);
		now = sysctl_read(KNUMAD_SYSCTL);
		writes++;
		if (got > 0)
			taken++;
		else
			refused++;

		if (blank) {
			/* An empty write does nothing; blanks are no value. */
			ok = !len ? (got == 0 && now == cur) :
				    (got == -1 && err == EINVAL && now == cur);
		} else if (exact) {
			ok = ok ? (got == (ssize_t)len && now == val) :
				  (got == -1 && err == EINVAL && now == cur);
		} else {
			/* Taken (maybe in part) or EINVAL; still 0 or 1. */
			ok = (got > 0 && got <= (ssize_t)len && (now == 0 || now == 1)) ||
			     (got == -1 && err == EINVAL && now == cur);
		}
		if (!ok && wrong++ < MAX_BAD) {
			char shown[200];

			printable(buf, len, shown, sizeof(shown));
			TH_LOG("kernel.knumad <- \"%s\" (%zu bytes): returned %zd (%s); "
			       "was %ld, reads %ld", shown, len, got,
			       got < 0 ? errname(err) : "-", cur, now);
		}
		cur = now;
		/* The thread follows the switch. */
		if (i % 25 == 24 && !wait_kthread("knumad", cur == 1, 5000)) {
			wrong++;
			TH_LOG("kernel.knumad is %ld, the knumad thread %s", cur,
			       cur ? "is missing" : "is still there");
		}
	}
	EXPECT_TRUE(wait_kthread("knumad", cur == 1, 5000));
	TH_LOG("%lu writes: %lu taken, %lu refused, %lu wrong", writes, taken, refused, wrong);
	EXPECT_EQ(0UL, wrong);
	free(buf);
}

TEST_HARNESS_MAIN
