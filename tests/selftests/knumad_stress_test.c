// SPDX-License-Identifier: GPL-2.0
/*
 * knumad under stress. For a while, all at once:
 *
 *  - knumad runs with aggressive settings (10 ms passes, half a CPU, no
 *    hold-off, no waiting for pairs) and is switched off and on about
 *    every half second, with a few seconds on in between;
 *  - node 1's CPUs go offline and come back every few seconds;
 *  - stress-ng forks, execs, maps, remaps, protects, advises, moves pages
 *    between nodes, makes THPs, and now and then pushes memory to the
 *    edge of OOM (OOM kills of stress-ng are fine);
 *  - checker processes first-touch buffers of 4 KiB pages and of THPs on
 *    one node, run pinned on the other so that knumad migrates them, and
 *    check every word of them on every pass; they fork (COW), unmap,
 *    split their THPs, exit on their own and are killed with SIGKILL in
 *    the middle of it, and are restarted.
 *
 * Then no word was corrupted, anonymous memory is back where it was (no
 * leaked pages), no page is left isolated, knumad did migrate pages, and
 * node 1's CPUs are online. Slab leaks are kmemleak's (the runner scans
 * after each program); splats are blamed on this program by the runner.
 *
 * Environment:
 *   KNUMAD_STRESS_SECONDS    how long (default 60, for CI; a soak: 1800)
 *   KNUMAD_STRESS_SEED       seed of the random choices (default: the
 *                            time; printed)
 *   KNUMAD_STRESS_WORKER_MB  MiB per buffer of a checker (default 8)
 *   KNUMAD_STRESS_KNUMAD     0: the control run, everything above but
 *                            knumad, which stays off (and must then
 *                            migrate nothing); default 1
 *
 * Needs a 2-node guest, CONFIG_KNUMAD=y, root, and stress-ng in PATH
 * (Debian 12's 0.15.06; scripts/install-deps.sh installs it).
 */
#include <ftw.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>

#include "kselftest_harness.h"
#include "knumad_workers.h"

#define NR_CHECKERS	4
#define NR_RUNNERS	2
#define MAX_NODE_CPUS	64
#define HPAGE		(2UL << 20)
#define WORDS		(PAGE_SZ / sizeof(uint64_t))
#define ANON_SLACK_KB	(8 * 1024)	/* allowed growth of AnonPages */
#define NOBODY		65534
#define DEFAULT_SECONDS	60
#define MARGIN_SECONDS	600		/* harness timeout beyond the run */

#define INC(x)		__atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
#define ADD(x, n)	__atomic_fetch_add(&(x), (n), __ATOMIC_RELAXED)
#define STOPPING()	__atomic_load_n(&g_stop, __ATOMIC_RELAXED)

static const struct { const char *knob, *val; } aggressive[] = {
	{ "scan_sleep_millisecs", "10" },
	{ "max_cpu_percent", "50" },
	{ "migrate_holdoff_millisecs", "0" },
	{ "pair_wait_millisecs", "0" },
	{ "pair_tolerance_pages", "1048576" },	/* 4 GiB: never the limit */
	{ "migrate_max_mbps", "1024" },
};

/*
 * The stress-ng runs. Every option here exists in stress-ng 0.15.06
 * (checked with --dry-run before the run starts). The exec stressor
 * refuses to run as root, so it runs as nobody.
 */
enum { NORMAL, UNPRIV, PRESSURE, PRESSURE_VM };

struct stressor {
	const char *name;
	const char *opts;
	int kind;
};

static const struct stressor stressors[] = {
	{ "fork",	"--fork 2 --fork-vm",				NORMAL },
	{ "exec",	"--exec 1 --exec-max 8",			UNPRIV },
	{ "mmap",	"--mmap 1 --mmap-bytes 32M --mmap-mprotect",	NORMAL },
	{ "mremap",	"--mremap 1 --mremap-bytes 32M",		NORMAL },
	{ "mprotect",	"--mprotect 1",					NORMAL },
	{ "madvise",	"--madvise 1",					NORMAL },
	{ "vm-thp",	"--vm 1 --vm-bytes 64M --vm-madvise hugepage",	NORMAL },
	{ "vm-4k",	"--vm 1 --vm-bytes 64M --vm-madvise nohugepage", NORMAL },
	{ "numa",	"--numa 1",					NORMAL },
	{ "mmaphuge",	"--mmaphuge 1 --mmaphuge-mmaps 32",		NORMAL },
	{ "pthread",	"--pthread 1 --pthread-max 8",			NORMAL },
	{ "clone",	"--clone 1 --clone-max 16",			NORMAL },
	{ "brk",	"--brk 1",					NORMAL },
	{ "remap",	"--remap 1",					NORMAL },
	/* Near OOM: 90% of MemAvailable, a growing heap, forked hogs. */
	{ "vm-pressure", NULL,						PRESSURE_VM },
	{ "bigheap",	"--bigheap 1 --bigheap-growth 1M",		PRESSURE },
	{ "mmapfork",	"--mmapfork 1",					PRESSURE },
};
#define NR_STRESSORS	ARRAY_SIZE(stressors)

static bool is_pressure(const struct stressor *s)
{
	return s->kind == PRESSURE || s->kind == PRESSURE_VM;
}

/* ---- state shared by the threads of the test ---- */

static volatile int g_stop;
static uint64_t g_seed;
static long g_seconds;
static bool g_knumad;			/* false: the control run, knumad off */
static size_t g_region;			/* bytes per buffer of a checker */
static cpu_set_t g_cpus[2];		/* every CPU of node 0, of node 1 */
static int g_node1_cpu[MAX_NODE_CPUS], g_nr_node1_cpus;
static long g_avail_kb;
static char g_tmpdir[64];

static struct {
	unsigned long toggles, toggle_ebusy, toggle_errors;
	int toggle_errno;
	unsigned long hp_cycles, hp_offline_failed, hp_online_failed;
	int hp_errno;
	unsigned long runs, not_started, exit_ok, exit_other, signaled, overran, stopped;
	unsigned long runs_of[NR_STRESSORS];
} C;

/* What checkers report, in shared memory. */
struct checker {
	int pid;				/* supervisor's */
	unsigned long incarnations, exited, killed, died, setup_failed;
	unsigned long passes, pages, bad_words;	/* checker's */
	unsigned long cow_checks, cow_bad, remaps, splits, thp_kb;
};

struct shared {
	volatile int stop;
	int have_bad;
	struct {
		int checker, cow;
		unsigned long page, word, gen;
		uint64_t want, got;
	} bad;
	struct checker c[NR_CHECKERS];
};

static struct shared *sh;

/* ---- small helpers ---- */

/* Sleep @ms, in short steps, returning early once the run stops. */
static void nap(long ms)
{
	long end = now_ms() + ms;

	while (!STOPPING() && now_ms() < end)
		usleep(20 * 1000);
}

static int cpu_online_write(int cpu, int on)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return sysctl_write(path, on ? "1" : "0");
}

static int cpu_is_online(int cpu)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return sysctl_read(path) == 1;
}

/* Bring every CPU of node 1 online; returns how many stay offline. */
static int node1_online_all(unsigned long *failures)
{
	int i, try, offline = 0;

	for (i = 0; i < g_nr_node1_cpus; i++) {
		for (try = 0; try < 50 && !cpu_is_online(g_node1_cpu[i]); try++) {
			int err = cpu_online_write(g_node1_cpu[i], 1);

			if (err && failures) {
				INC(*failures);
				C.hp_errno = err;
			}
			if (err)
				usleep(100 * 1000);
		}
		offline += !cpu_is_online(g_node1_cpu[i]);
	}
	return offline;
}

/*
 * Node 1's CPUs, offline ones included: the node's cpuN links stay while
 * a CPU is offline (its cpulist does not). Only those with an online file.
 */
static void find_node1_cpus(void)
{
	struct dirent *de;
	DIR *d;
	int cpu;

	g_nr_node1_cpus = 0;
	CPU_ZERO(&g_cpus[1]);
	d = opendir("/sys/devices/system/node/node1");
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[96];

		if (sscanf(de->d_name, "cpu%d", &cpu) != 1 || cpu < 0 || cpu >= CPU_SETSIZE)
			continue;
		CPU_SET(cpu, &g_cpus[1]);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (g_nr_node1_cpus < MAX_NODE_CPUS && !access(path, W_OK))
			g_node1_cpu[g_nr_node1_cpus++] = cpu;
	}
	closedir(d);
}

static long anon_kb(void)
{
	return proc_value("/proc/meminfo", "AnonPages");
}

/* Fold the per-CPU counter deltas, so that the global ones are exact. */
static void vmstat_refresh(void)
{
	sysctl_write("/proc/sys/vm/stat_refresh", "1");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* ---- checkers: every word of their memory, every pass ---- */

#define WORD_K	0xd6e8feb86659fd93ULL

static inline uint64_t page_base(uint64_t key, unsigned long page, unsigned long gen)
{
	return mix64(key ^ ((uint64_t)page << 24) ^ (gen * 0x9e3779b97f4a7c15ULL));
}

struct bufs {
	char *r[2];		/* 4 KiB pages, THPs */
	size_t len;		/* of each */
	unsigned long per;	/* pages in each */
};

static inline uint64_t *page_at(const struct bufs *b, unsigned long i)
{
	return (uint64_t *)(b->r[i / b->per] + (i % b->per) * PAGE_SZ);
}

static void note_bad(int c, int cow, unsigned long page, unsigned long word,
		     unsigned long gen, uint64_t want, uint64_t got)
{
	if (__atomic_exchange_n(&sh->have_bad, 1, __ATOMIC_RELAXED))
		return;
	sh->bad.checker = c;
	sh->bad.cow = cow;
	sh->bad.page = page;
	sh->bad.word = word;
	sh->bad.gen = gen;
	sh->bad.want = want;
	sh->bad.got = got;
}

static void write_page(uint64_t *p, uint64_t key, unsigned long i, unsigned long gen)
{
	uint64_t base = page_base(key, i, gen);
	unsigned long w;

	for (w = 0; w < WORDS; w++)
		p[w] = base ^ (w * WORD_K);
}

static unsigned long check_page(const uint64_t *p, uint64_t key, unsigned long i,
				unsigned long gen, int c, int cow)
{
	uint64_t base = page_base(key, i, gen);
	unsigned long w, bad = 0;

	for (w = 0; w < WORDS; w++) {
		if (p[w] != (base ^ (w * WORD_K))) {
			note_bad(c, cow, i, w, gen, base ^ (w * WORD_K), p[w]);
			bad++;
		}
	}
	return bad;
}

/* Check generation @gen of a page and write generation @gen + 1. */
static unsigned long check_and_write(uint64_t *p, uint64_t key, unsigned long i,
				     unsigned long gen, int c)
{
	uint64_t old = page_base(key, i, gen), new = page_base(key, i, gen + 1);
	unsigned long w, bad = 0;

	for (w = 0; w < WORDS; w++) {
		uint64_t k = w * WORD_K;

		if (p[w] != (old ^ k)) {
			note_bad(c, 0, i, w, gen, old ^ k, p[w]);
			bad++;
		}
		p[w] = new ^ k;
	}
	return bad;
}

/* A child shares the pages (COW), checks them, scribbles on its copy. */
static void cow_child(const struct bufs *b, uint64_t key, unsigned long gen, int c)
{
	struct checker *st = &sh->c[c];
	unsigned long i, n = 2 * b->per, bad = 0;

	if (fork() != 0)
		return;
	prctl_set_death_signal();
	for (i = 0; i < n; i++)
		bad += check_page(page_at(b, i), key, i, gen, c, 1);
	ADD(st->cow_checks, n);
	if (bad)
		ADD(st->cow_bad, bad);
	for (i = 0; i < n; i += 16)
		write_page(page_at(b, i), ~key, i, gen);
	_exit(0);
}

/* Unmap half of the 4 KiB buffer (maybe mid-migration), map it again. */
static void remap_half(const struct bufs *b, uint64_t key, unsigned long gen)
{
	char *half = b->r[0] + b->len / 2;
	unsigned long i;

	munmap(half, b->len / 2);
	if (mmap(half, b->len / 2, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != half)
		_exit(4);
	madvise(half, b->len / 2, MADV_NOHUGEPAGE);
	for (i = b->per / 2; i < b->per; i++)
		write_page(page_at(b, i), key, i, gen);
}

/* mprotect() across two THPs: both get split to PTE mappings. */
static void split_thps(const struct bufs *b, uint64_t key, unsigned long gen, int c)
{
	char *start = b->r[1] + HPAGE / 2;
	unsigned long i, first = b->per + HPAGE / 2 / PAGE_SZ, bad = 0;

	if (b->len < 2 * HPAGE)
		return;
	mprotect(start, HPAGE, PROT_READ);
	for (i = first; i < first + HPAGE / PAGE_SZ; i++)
		bad += check_page(page_at(b, i), key, i, gen, c, 0);
	mprotect(start, HPAGE, PROT_READ | PROT_WRITE);
	if (bad)
		ADD(sh->c[c].bad_words, bad);
}

static void checker_main(int c, int mem_node, uint64_t key, unsigned long max_passes,
			 uint64_t rng)
{
	struct checker *st = &sh->c[c];
	int run_node = !mem_node;
	unsigned long gen = 0, i, n;
	struct bufs b;
	long thp_kb;
	char *raw;

	prctl_set_death_signal();
	sysctl_write("/proc/self/oom_score_adj", "0");
	/* First touch on mem_node (if its CPUs are online now). */
	sched_setaffinity(0, sizeof(cpu_set_t), &g_cpus[mem_node]);

	b.len = g_region;
	b.per = b.len / PAGE_SZ;
	n = 2 * b.per;
	b.r[0] = mmap(NULL, b.len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	raw = mmap(NULL, b.len + HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b.r[0] == MAP_FAILED || raw == MAP_FAILED)
		_exit(3);
	b.r[1] = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));
	if (b.r[1] > raw)
		munmap(raw, b.r[1] - raw);
	if (raw + HPAGE > b.r[1])
		munmap(b.r[1] + b.len, raw + HPAGE - b.r[1]);
	madvise(b.r[0], b.len, MADV_NOHUGEPAGE);
	madvise(b.r[1], b.len, MADV_HUGEPAGE);
	for (i = 0; i < n; i++)
		write_page(page_at(&b, i), key, i, 0);
	thp_kb = proc_value("/proc/self/smaps_rollup", "AnonHugePages");
	if (thp_kb > (long)st->thp_kb)
		st->thp_kb = thp_kb;

	/* Then run on the other node: knumad moves the memory over. */
	sched_setaffinity(0, sizeof(cpu_set_t), &g_cpus[run_node]);
	for (;;) {
		unsigned long bad = 0;

		for (i = 0; i < n; i++)
			bad += check_and_write(page_at(&b, i), key, i, gen, c);
		gen++;
		ADD(st->passes, 1);
		ADD(st->pages, n);
		if (bad)
			ADD(st->bad_words, bad);
		if (sh->stop || (max_passes && gen >= max_passes))
			_exit(0);
		/* Hot-unplug broke the affinity? Pin again. */
		sched_setaffinity(0, sizeof(cpu_set_t), &g_cpus[run_node]);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		switch (rnd(&rng) % 8) {
		case 0:
			cow_child(&b, key, gen, c);
			break;
		case 1:
			remap_half(&b, key, gen);
			ADD(st->remaps, 1);
			break;
		case 2:
			split_thps(&b, key, gen, c);
			ADD(st->splits, 1);
			break;
		}
	}
}

static void spawn_checker(int c, uint64_t *rng)
{
	struct checker *st = &sh->c[c];
	unsigned long inc = st->incarnations++;
	uint64_t key = mix64(g_seed ^ ((uint64_t)c << 48) ^ inc);
	/* Half of them exit on their own after a few passes. */
	unsigned long max_passes = (rnd(rng) & 1) ? 3 + rnd(rng) % 40 : 0;
	uint64_t crng = rnd(rng) | 1;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		checker_main(c, (c + inc) & 1, key, max_passes, crng);
	st->pid = pid > 0 ? pid : 0;
}

/* Reap the checkers that ended; start them again unless stopping. */
static void reap_checkers(uint64_t *rng, bool respawn)
{
	int c, status;

	for (c = 0; c < NR_CHECKERS; c++) {
		struct checker *st = &sh->c[c];

		if (st->pid <= 0) {
			if (respawn)
				spawn_checker(c, rng);
			continue;
		}
		if (waitpid(st->pid, &status, WNOHANG) != st->pid)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			st->exited++;
		else if (WIFEXITED(status))
			st->setup_failed++;
		else
			st->died++;	/* not by us: the OOM killer */
		st->pid = 0;
		if (respawn)
			spawn_checker(c, rng);
	}
}

static void *supervise(void *arg)
{
	uint64_t rng = mix64(g_seed ^ 0x5eed) | 1;
	long deadline;
	int c, alive;

	reap_checkers(&rng, true);
	while (!STOPPING()) {
		nap(300 + rnd(&rng) % 1700);
		reap_checkers(&rng, !STOPPING());
		c = rnd(&rng) % NR_CHECKERS;
		if (!STOPPING() && rnd(&rng) % 2 && sh->c[c].pid > 0) {
			/* Process exit during migration. */
			kill(sh->c[c].pid, SIGKILL);
			waitpid(sh->c[c].pid, NULL, 0);
			sh->c[c].pid = 0;
			sh->c[c].killed++;
			spawn_checker(c, &rng);
		}
	}
	/* Each finishes its pass (checked) and exits. */
	sh->stop = 1;
	deadline = now_ms() + 120 * 1000;
	do {
		reap_checkers(&rng, false);
		for (c = 0, alive = 0; c < NR_CHECKERS; c++)
			alive += sh->c[c].pid > 0;
		if (alive)
			usleep(50 * 1000);
	} while (alive && now_ms() < deadline);
	for (c = 0; c < NR_CHECKERS; c++) {
		if (sh->c[c].pid > 0) {
			kill(sh->c[c].pid, SIGKILL);
			waitpid(sh->c[c].pid, NULL, 0);
			sh->c[c].pid = 0;
			sh->c[c].killed++;
		}
	}
	return NULL;
}

/* ---- knumad off and on ---- */

static void toggle(int on)
{
	int err = sysctl_write(KNUMAD_SYSCTL, on ? "1" : "0");

	if (!err) {
		INC(C.toggles);
	} else if (err == EBUSY) {
		INC(C.toggle_ebusy);
	} else {
		INC(C.toggle_errors);
		C.toggle_errno = err;
	}
}

static void *toggler(void *arg)
{
	uint64_t rng = mix64(g_seed ^ 0x7099) | 1;
	int i, on = 1;

	while (!STOPPING()) {
		/* Ten switches about 0.5 s apart, then 2-4 s on. */
		for (i = 0; i < 10 && !STOPPING(); i++) {
			nap(250 + rnd(&rng) % 500);
			on = !on;
			toggle(on);
		}
		if (!on) {
			on = 1;
			toggle(1);
		}
		nap(2000 + rnd(&rng) % 2000);
	}
	return NULL;
}

/* ---- node 1's CPUs offline and back ---- */

static void *hotplugger(void *arg)
{
	uint64_t rng = mix64(g_seed ^ 0x407) | 1;
	int i, err;

	while (!STOPPING()) {
		nap(2000 + rnd(&rng) % 3000);
		if (STOPPING())
			break;
		for (i = 0; i < g_nr_node1_cpus; i++) {
			err = cpu_online_write(g_node1_cpu[i], 0);
			if (err) {
				INC(C.hp_offline_failed);
				C.hp_errno = err;
			}
		}
		nap(500 + rnd(&rng) % 1500);
		node1_online_all(&C.hp_online_failed);
		INC(C.hp_cycles);
	}
	node1_online_all(&C.hp_online_failed);
	return NULL;
}

/* ---- stress-ng ---- */

/* argv for stress-ng running @s for @seconds (or --dry-run), in @buf. */
static void stressor_argv(const struct stressor *s, int seconds, bool dry,
			  char *buf, size_t size, char **argv, int max)
{
	char *tok, *save;
	size_t len;
	int n = 0;

	if (s->kind == PRESSURE_VM)
		snprintf(buf, size, "--vm 2 --vm-bytes %ldK --vm-keep --vm-populate",
			 g_avail_kb * 45 / 100);
	else
		snprintf(buf, size, "%s", s->opts);
	len = strlen(buf);
	snprintf(buf + len, size - len, " -q --temp-path %s --timeout %ds%s%s",
		 g_tmpdir, seconds, is_pressure(s) ? "" : " --oom-avoid",
		 dry ? " --dry-run" : "");
	argv[n++] = "stress-ng";
	for (tok = strtok_r(buf, " ", &save); tok && n < max - 1;
	     tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
}

/* Start stress-ng in a process group of its own; exit 127: no exec. */
static pid_t spawn_stressor(const struct stressor *s, int seconds, bool dry)
{
	char buf[512], *argv[48];
	pid_t pid;
	int fd;

	stressor_argv(s, seconds, dry, buf, sizeof(buf), argv, ARRAY_SIZE(argv));
	pid = fork();
	if (pid != 0) {
		if (pid > 0)
			setpgid(pid, pid);
		return pid;
	}
	setpgid(0, 0);
	prctl_set_death_signal();
	sysctl_write("/proc/self/oom_score_adj", "0");
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (chdir(g_tmpdir))
		_exit(126);
	if (s->kind == UNPRIV &&
	    (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)))
		_exit(126);
	execvp("stress-ng", argv);
	_exit(127);
}

/* Kill what is left of process group @pgid and reap it (we subreap). */
static void end_group(pid_t pgid)
{
	long deadline = now_ms() + 20 * 1000;

	do {
		kill(-pgid, SIGKILL);
		while (waitpid(-pgid, NULL, WNOHANG) > 0)
			;
		if (kill(-pgid, 0) && errno == ESRCH)
			return;
		usleep(50 * 1000);
	} while (now_ms() < deadline);
}

static void *runner(void *arg)
{
	long r = (long)arg;
	uint64_t rng = mix64(g_seed ^ (0x100 + r)) | 1;
	long next_pressure = now_ms() + 10 * 1000 + rnd(&rng) % 10000;
	unsigned int next = r, next_p = 0, nr_normal = 0, nr_pressure = 0, i;
	unsigned int normal[NR_STRESSORS], pressure[NR_STRESSORS];

	for (i = 0; i < NR_STRESSORS; i++) {
		if (is_pressure(&stressors[i]))
			pressure[nr_pressure++] = i;
		else
			normal[nr_normal++] = i;
	}
	while (!STOPPING()) {
		unsigned int idx;
		long deadline;
		int status = 0, seconds;
		pid_t pid;

		if (r == 0 && nr_pressure && now_ms() >= next_pressure) {
			idx = pressure[next_p++ % nr_pressure];
			next_pressure = now_ms() + 20 * 1000 + rnd(&rng) % 15000;
			seconds = 5;
		} else {
			next += 1 + rnd(&rng) % 2;
			idx = normal[next % nr_normal];
			seconds = 3 + rnd(&rng) % 6;
		}
		pid = spawn_stressor(&stressors[idx], seconds, false);
		if (pid < 0) {
			nap(500);
			continue;
		}
		INC(C.runs);
		INC(C.runs_of[idx]);
		deadline = now_ms() + (seconds + 30) * 1000L;
		while (waitpid(pid, &status, WNOHANG) != pid) {
			if (STOPPING() || now_ms() > deadline) {
				if (STOPPING())
					INC(C.stopped);
				else
					INC(C.overran);
				kill(-pid, SIGKILL);
				waitpid(pid, &status, 0);
				status = -1;
				break;
			}
			usleep(100 * 1000);
		}
		end_group(pid);
		if (status == -1)
			;	/* killed by us, counted above */
		else if (WIFEXITED(status) && WEXITSTATUS(status) >= 126)
			INC(C.not_started);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			INC(C.exit_ok);
		else if (WIFEXITED(status))
			INC(C.exit_other);	/* stress-ng's own verdict: ignored */
		else
			INC(C.signaled);
		nap(200);
	}
	return NULL;
}

/* ---- the test ---- */

/* The teardown runs in the harness's parent, see struct knumad_settings. */
FIXTURE(stress) {
	struct knumad_settings saved;
	char tmpdir[sizeof(g_tmpdir)];
};

FIXTURE_SETUP(stress)
{
	if (geteuid())
		SKIP(return, "needs root");
	if (access(KNUMAD_SYSFS, F_OK))
		SKIP(return, "no %s (CONFIG_KNUMAD=n?)", KNUMAD_SYSFS);
	if (nr_nodes_online() < 2)
		SKIP(return, "needs two NUMA nodes");

	ASSERT_TRUE(node_cpus(0, &g_cpus[0]));
	find_node1_cpus();
	/*
	 * Nothing is changed before this point: a failed ASSERT in a setup
	 * skips the teardown. The test changes the settings; the teardown
	 * puts them back.
	 */
	ASSERT_TRUE(settings_save(&self->saved, knumad_writable_knobs,
				  ARRAY_SIZE(knumad_writable_knobs)));

	/*
	 * This process must survive the OOM killer; stress-ng, not the test,
	 * is its victim. Orphaned stressors come back to it for reaping.
	 */
	sysctl_write("/proc/self/oom_score_adj", "-1000");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* One malloc arena: threads add no anonymous memory of their own. */
	mallopt(M_ARENA_MAX, 1);
	snprintf(g_tmpdir, sizeof(g_tmpdir), "/tmp/knumad-stress.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(g_tmpdir));
	strcpy(self->tmpdir, g_tmpdir);
	/* For the stressor that runs as nobody. */
	ASSERT_EQ(0, chmod(g_tmpdir, 01777));
}

FIXTURE_TEARDOWN_PARENT(stress)
{
	if (!self->saved.valid)
		return;
	/* This process has not seen node 1's CPUs yet. */
	find_node1_cpus();
	node1_online_all(NULL);
	settings_restore(&self->saved);
	if (self->tmpdir[0])
		nftw(self->tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TEST_F_TIMEOUT(stress, migration_survives_everything, DEFAULT_SECONDS + MARGIN_SECONDS)
{
	long anon0, anon1 = 0, isolated = -1, migrated0, failed0, pgmig0, deadline;
	long migrated, next_log;
	unsigned long passes = 0, pages = 0, bad = 0, cow_checks = 0, cow_bad = 0;
	unsigned long remaps = 0, splits = 0, incarnations = 0, killed = 0, died = 0;
	unsigned long exited = 0, setup_failed = 0, thp_kb = 0;
	pthread_t sup, tog, hp, run[NR_RUNNERS];
	bool hotplug, have_sup, have_tog, have_hp, have_run[NR_RUNNERS];
	pthread_attr_t attr;
	unsigned int i;
	int offline;

	g_seconds = env_long("KNUMAD_STRESS_SECONDS", DEFAULT_SECONDS);
	g_seed = env_long("KNUMAD_STRESS_SEED", 0);
	if (!g_seed)
		g_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	g_region = (size_t)env_long("KNUMAD_STRESS_WORKER_MB", 8) << 20;
	if (g_region < 2 * HPAGE)
		g_region = 2 * HPAGE;
	hotplug = g_nr_node1_cpus > 0;
	g_knumad = !getenv("KNUMAD_STRESS_KNUMAD") ||
		   strcmp(getenv("KNUMAD_STRESS_KNUMAD"), "0");

	/* Node 1's CPUs online to start with; knumad on, eager. */
	ASSERT_EQ(0, node1_online_all(NULL));
	ASSERT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "0"));
	for (i = 0; i < ARRAY_SIZE(aggressive); i++) {
		const char *knob = aggressive[i].knob, *val = aggressive[i].val;

		ASSERT_TRUE(sysfs_set(knob, val)) TH_LOG("cannot set %s=%s", knob, val);
	}
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, g_knumad ? "1" : "0"));
	g_avail_kb = proc_value("/proc/meminfo", "MemAvailable");
	TH_LOG("%ld s, seed %llu (KNUMAD_STRESS_SEED), %d checkers x 2 x %zu MiB, "
	       "node 1 CPUs hot-pluggable: %d, MemAvailable %ld MiB, knumad %s",
	       g_seconds, (unsigned long long)g_seed, NR_CHECKERS, g_region >> 20,
	       g_nr_node1_cpus, g_avail_kb >> 10,
	       g_knumad ? "on and toggled" : "off (control run)");

	/* Every stress-ng command line parses (and stress-ng is there). */
	for (i = 0; i < NR_STRESSORS; i++) {
		int status = -1;
		pid_t pid = spawn_stressor(&stressors[i], 1, true);

		ASSERT_GT(pid, 0);
		waitpid(pid, &status, 0);
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("stress-ng %s could not start (status %#x; 127: no "
			       "stress-ng in PATH, see scripts/install-deps.sh)",
			       stressors[i].name, status);
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));

	vmstat_refresh();
	anon0 = anon_kb();
	migrated0 = sysfs_get("pages_migrated");
	failed0 = sysfs_get("pages_migrate_failed");
	pgmig0 = proc_value("/proc/vmstat", "pgmigrate_success");

	/* From here on no ASSERT: the threads must be stopped and joined. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	have_sup = !pthread_create(&sup, &attr, supervise, NULL);
	have_tog = g_knumad && !pthread_create(&tog, &attr, toggler, NULL);
	have_hp = hotplug && !pthread_create(&hp, &attr, hotplugger, NULL);
	for (i = 0; i < NR_RUNNERS; i++)
		have_run[i] = !pthread_create(&run[i], &attr, runner, (void *)(long)i);
	EXPECT_TRUE(have_sup && (have_tog || !g_knumad) && (have_hp || !hotplug));

	deadline = now_ms() + g_seconds * 1000;
	next_log = now_ms() + 60 * 1000;
	while (now_ms() < deadline) {
		usleep(500 * 1000);
		if (g_seconds >= 300 && now_ms() >= next_log) {
			next_log += 60 * 1000;
			TH_LOG("%ld s left: %ld pages migrated, %lu stress-ng runs, "
			       "%lu toggles, %lu hotplug cycles, first bad word: %s",
			       (deadline - now_ms()) / 1000,
			       sysfs_get("pages_migrated") - migrated0, C.runs,
			       C.toggles, C.hp_cycles, sh->have_bad ? "yes" : "none");
		}
	}
	g_stop = 1;
	for (i = 0; i < NR_RUNNERS; i++) {
		EXPECT_TRUE(have_run[i]);
		if (have_run[i])
			pthread_join(run[i], NULL);
	}
	if (have_tog)
		pthread_join(tog, NULL);
	if (have_hp)
		pthread_join(hp, NULL);
	if (have_sup)
		pthread_join(sup, NULL);

	/* Everything stopped: knumad off, CPUs back, no child left. */
	EXPECT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "0"));
	offline = node1_online_all(NULL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	migrated = sysfs_get("pages_migrated") - migrated0;

	deadline = now_ms() + 30 * 1000;
	do {
		vmstat_refresh();
		anon1 = anon_kb();
		isolated = proc_value("/proc/vmstat", "nr_isolated_anon");
		if (anon1 <= anon0 + ANON_SLACK_KB && isolated == 0)
			break;
		usleep(500 * 1000);
	} while (now_ms() < deadline);

	for (i = 0; i < NR_CHECKERS; i++) {
		struct checker *c = &sh->c[i];

		passes += c->passes;
		pages += c->pages;
		bad += c->bad_words;
		cow_checks += c->cow_checks;
		cow_bad += c->cow_bad;
		remaps += c->remaps;
		splits += c->splits;
		incarnations += c->incarnations;
		killed += c->killed;
		died += c->died;
		exited += c->exited;
		setup_failed += c->setup_failed;
		if (c->thp_kb > thp_kb)
			thp_kb = c->thp_kb;
	}
	TH_LOG("migrations: %ld pages by knumad (%ld failed), pgmigrate_success +%ld",
	       migrated, sysfs_get("pages_migrate_failed") - failed0,
	       proc_value("/proc/vmstat", "pgmigrate_success") - pgmig0);
	TH_LOG("integrity: %lu pages checked (%lu words) in %lu passes, %lu bad words; "
	       "%lu pages checked by COW children, %lu bad; %lu remaps, %lu THP splits; "
	       "up to %lu KiB THP per checker",
	       pages, pages * WORDS, passes, bad, cow_checks, cow_bad, remaps, splits,
	       thp_kb);
	TH_LOG("checkers: %lu started, %lu killed mid-run, %lu exited on their own, "
	       "%lu died otherwise (OOM), %lu could not set up",
	       incarnations, killed, exited, died, setup_failed);
	TH_LOG("stress-ng: %lu runs (%lu ok, %lu failed by stress-ng's verdict, "
	       "%lu killed by a signal, %lu overran, %lu stopped at the end), "
	       "%lu could not start",
	       C.runs, C.exit_ok, C.exit_other, C.signaled, C.overran, C.stopped,
	       C.not_started);
	for (i = 0; i < NR_STRESSORS; i++)
		if (C.runs_of[i])
			TH_LOG("  stress-ng %-12s %lu runs", stressors[i].name, C.runs_of[i]);
	TH_LOG("knumad switched %lu times (%lu EBUSY, %lu other errors, last %s)",
	       C.toggles, C.toggle_ebusy, C.toggle_errors,
	       C.toggle_errors ? strerror(C.toggle_errno) : "-");
	TH_LOG("hotplug: %lu cycles of %d CPUs (%lu offline and %lu online "
	       "writes failed, last %s)",
	       C.hp_cycles, g_nr_node1_cpus, C.hp_offline_failed, C.hp_online_failed,
	       (C.hp_offline_failed || C.hp_online_failed) ? strerror(C.hp_errno) : "-");
	TH_LOG("AnonPages %ld KiB before, %ld KiB after; nr_isolated_anon %ld",
	       anon0, anon1, isolated);

	if (sh->have_bad)
		TH_LOG("first bad word: checker %d%s, page %lu, word %lu, generation %lu: "
		       "%#llx instead of %#llx", sh->bad.checker,
		       sh->bad.cow ? " (COW child)" : "", sh->bad.page, sh->bad.word,
		       sh->bad.gen, (unsigned long long)sh->bad.got,
		       (unsigned long long)sh->bad.want);
	EXPECT_EQ(0UL, bad);
	EXPECT_EQ(0UL, cow_bad);
	EXPECT_GT(passes, 0UL);
	EXPECT_EQ(0UL, C.not_started);
	EXPECT_EQ(0UL, C.toggle_errors);
	if (g_knumad) {
		EXPECT_GT(migrated, 0) TH_LOG("knumad migrated nothing during the stress");
	} else {
		EXPECT_EQ(0, migrated) TH_LOG("knumad was off, yet it migrated pages");
	}
	EXPECT_LE(anon1, anon0 + ANON_SLACK_KB);
	EXPECT_EQ(0, isolated);
	EXPECT_EQ(0, offline) TH_LOG("node 1 CPUs left offline");
	munmap(sh, sizeof(*sh));
}

/*
 * The harness's limit must cover the run: KNUMAD_STRESS_SECONDS plus a
 * margin. The harness keeps the limit in the test's metadata, which its
 * constructor (priority KSELFTEST_PRIO_TEST) allocates; this runs after it.
 */
static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL + 1))) stress_timeout(void)
{
	long seconds = env_long("KNUMAD_STRESS_SECONDS", DEFAULT_SECONDS);

	if (_stress_migration_survives_everything_object)
		_stress_migration_survives_everything_object->timeout =
			seconds + MARGIN_SECONDS;
}

TEST_HARNESS_MAIN
