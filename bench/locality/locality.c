// SPDX-License-Identifier: GPL-2.0
/*
 * locality: a QEMU TCG plugin that measures NUMA locality exactly.
 *
 * TCG has no remote-memory penalty, so a guest's run time says nothing about
 * where its memory is. This plugin counts every guest data access (loads and
 * stores; instruction fetches and page-table walks are not plugin-visible) by
 * (NUMA node of the vCPU doing it, NUMA node of the guest physical page it
 * hits, user or kernel mode), and writes the counts as CSV: a time series,
 * markers placed by the guest (locality-mark.h), and totals at exit.
 *
 * Node mappings: the guest is booted with "-numa node,cpus=..,mem=..M" as
 * tests/vm/run-vm.sh -M pc-i440fx-5.0 does, so vCPU v is on node
 * v / cpus_per_node and guest physical address pa is on node
 * pa / mem_per_node; anything past the last
 * node (MMIO, ROMs, ...) counts as mem node "other".
 *
 * Hot path: one callback per access, writing a counter owned by the calling
 * vCPU (so no lock and no atomic read-modify-write). Counters only grow; the
 * interval thread and the markers read them with relaxed atomic loads and
 * work with differences, which is why they never need to stop the vCPUs.
 *
 * See README.md for the arguments, the CSV format and the measured overhead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qemu-plugin-api.h"
#include "locality-mark.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { MODE_USER, MODE_KERNEL, NR_MODES };
static const char *const mode_name[NR_MODES] = { "user", "kernel" };

/* Topology, from the arguments; "other" is index nr_nodes in both maps. */
static unsigned int nr_nodes;
static unsigned int cpus_per_node;
static uint64_t node_bytes;
static uint64_t ram_end;

/*
 * Per-vCPU counters, [mode][mem node], each vCPU's block padded to whole
 * cache lines so that vCPU threads never share a line.
 */
static unsigned int nr_vcpus;
static size_t stride;
static uint64_t *counters;

/*
 * Aggregates over vCPUs, [mode][vcpu node][mem node]: the previous
 * interval's (for deltas) and a scratch one. Protected by out_lock.
 */
static size_t nr_cells;
static uint64_t *agg_prev, *agg_cur;

static FILE *out;
static const char *out_path;
static unsigned int interval_ms = 500;
static struct timespec t_start;
static uint64_t interval_seq;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond;
static bool stopping;
static pthread_t flusher;
static bool flusher_started;
static pthread_once_t flusher_once = PTHREAD_ONCE_INIT;

static inline size_t cell(unsigned int mode, unsigned int vnode,
			  unsigned int mnode)
{
	return ((size_t)mode * (nr_nodes + 1) + vnode) * (nr_nodes + 1) + mnode;
}

static inline unsigned int vcpu_node(unsigned int vcpu)
{
	unsigned int n = vcpu / cpus_per_node;

	return n < nr_nodes ? n : nr_nodes;
}

/*
 * The hot path. The user/kernel mode was decided at translation time and
 * comes in udata, so all that is left per access is the physical address.
 * qemu_plugin_get_hwaddr() returns NULL only on misuse, and flags MMIO;
 * both are counted as "other" rather than dropped.
 */
static void vcpu_mem(unsigned int vcpu, qemu_plugin_meminfo_t info,
		     uint64_t vaddr, void *udata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
	unsigned int mnode = nr_nodes;
	uint64_t *c;

	if (hw && !qemu_plugin_hwaddr_is_io(hw)) {
		uint64_t pa = qemu_plugin_hwaddr_phys_addr(hw);

		if (pa < ram_end)
			mnode = pa / node_bytes;
	}
	if (vcpu >= nr_vcpus)
		return;		/* cannot happen: max_vcpus bounds vcpu */

	/* Single writer per counter: a plain increment, made tear-free. */
	c = &counters[vcpu * stride + (uintptr_t)udata * (nr_nodes + 1) + mnode];
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
}

/* Sum the per-vCPU counters into agg[mode][vcpu node][mem node]. */
static void snapshot(uint64_t *agg)
{
	unsigned int v, m, n;

	memset(agg, 0, nr_cells * sizeof(*agg));
	for (v = 0; v < nr_vcpus; v++) {
		const uint64_t *c = &counters[v * stride];
		unsigned int vn = vcpu_node(v);

		for (m = 0; m < NR_MODES; m++)
			for (n = 0; n <= nr_nodes; n++)
				agg[cell(m, vn, n)] += __atomic_load_n(
					&c[m * (nr_nodes + 1) + n],
					__ATOMIC_RELAXED);
	}
}

static double elapsed_s(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t_start.tv_sec) +
	       (now.tv_nsec - t_start.tv_nsec) / 1e9;
}

static void node_label(char *buf, size_t len, unsigned int n)
{
	if (n < nr_nodes)
		snprintf(buf, len, "%u", n);
	else
		snprintf(buf, len, "other");
}

/*
 * Write one record per (mode, vcpu node, mem node) cell. Every cell is
 * written, zero or not, so that each interval has the same rows: easier to
 * read back than a sparse form, and small (2 * (N+1)^2 rows).
 */
static void write_cells(const char *kind, const char *id, double t,
			const uint64_t *val, const uint64_t *base)
{
	unsigned int m, vn, mn;
	char vl[16], ml[16];

	for (m = 0; m < NR_MODES; m++)
		for (vn = 0; vn <= nr_nodes; vn++)
			for (mn = 0; mn <= nr_nodes; mn++) {
				size_t i = cell(m, vn, mn);

				node_label(vl, sizeof(vl), vn);
				node_label(ml, sizeof(ml), mn);
				fprintf(out, "%s,%s,%.3f,%s,%s,%s,%" PRIu64 "\n",
					kind, id, t, vl, ml, mode_name[m],
					val[i] - (base ? base[i] : 0));
			}
}

/* Called with out_lock held. */
static void write_interval(void)
{
	double t = elapsed_s();
	uint64_t *tmp;
	char id[24];

	snapshot(agg_cur);
	snprintf(id, sizeof(id), "%" PRIu64, ++interval_seq);
	write_cells("interval", id, t, agg_cur, agg_prev);
	fflush(out);
	tmp = agg_prev;
	agg_prev = agg_cur;
	agg_cur = tmp;
}

/*
 * The interval thread: host wall time (CLOCK_MONOTONIC), absolute deadlines
 * so that the series does not drift. It waits on a condition variable so
 * that exit does not have to sit out a whole interval.
 */
static void *flusher_fn(void *arg)
{
	struct timespec next = t_start;

	(void)arg;
	pthread_mutex_lock(&out_lock);
	while (!stopping) {
		next.tv_nsec += (long)(interval_ms % 1000) * 1000000L;
		next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		while (!stopping &&
		       pthread_cond_timedwait(&stop_cond, &out_lock, &next) != ETIMEDOUT)
			;
		if (!stopping && out)
			write_interval();
	}
	pthread_mutex_unlock(&out_lock);
	return NULL;
}

static void start_flusher(void)
{
	if (interval_ms && pthread_create(&flusher, NULL, flusher_fn, NULL) == 0)
		flusher_started = true;
	else if (interval_ms)
		fputs("locality: cannot start the interval thread; no time "
		      "series\n", stderr);
}

/*
 * The thread is started from the first vCPU's creation rather than at
 * install time: QEMU may still fork (-daemonize) after loading plugins, and
 * threads do not survive a fork.
 */
static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu)
{
	(void)id;
	(void)vcpu;
	pthread_once(&flusher_once, start_flusher);
}

/* A guest marker (locality-mark.h): cumulative counts at this instant. */
static void vcpu_mark(unsigned int vcpu, void *udata)
{
	double t;
	char id[8];

	(void)vcpu;
	pthread_mutex_lock(&out_lock);
	if (out) {
		t = elapsed_s();
		snprintf(id, sizeof(id), "%u", (unsigned int)(uintptr_t)udata);
		snapshot(agg_cur);
		write_cells("mark", id, t, agg_cur, NULL);
		fflush(out);
	}
	pthread_mutex_unlock(&out_lock);
}

static bool is_mark(const struct qemu_plugin_insn *insn, unsigned int *id)
{
	const unsigned char *b = qemu_plugin_insn_data(insn);
	uint32_t disp;

	if (qemu_plugin_insn_size(insn) != 8 || b[0] != 0x0f || b[1] != 0x1f ||
	    b[2] != 0x84 || b[3] != 0x00)
		return false;
	disp = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
	if ((disp & ~0xffu) != LOCALITY_MARK_MAGIC)
		return false;
	*id = disp & 0xff;
	return true;
}

/*
 * User or kernel mode is taken from the address of the instruction doing the
 * access, at translation time, so it costs nothing per access: an x86-64
 * Linux guest runs its kernel in the upper canonical half (bit 63 set) and
 * user code in the lower half. Kernel code touching user memory
 * (copy_to_user, page zeroing) therefore counts as kernel. The limits (BIOS,
 * real-mode and early boot code run at low addresses and count as user) are
 * in README.md.
 */
static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uintptr_t mode = qemu_plugin_insn_vaddr(insn) >> 63 ?
				 MODE_KERNEL : MODE_USER;
		unsigned int mark;

		qemu_plugin_register_vcpu_mem_cb(insn, vcpu_mem,
						 QEMU_PLUGIN_CB_NO_REGS,
						 QEMU_PLUGIN_MEM_RW,
						 (void *)mode);
		if (is_mark(insn, &mark))
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, vcpu_mark, QEMU_PLUGIN_CB_NO_REGS,
				(void *)(uintptr_t)mark);
	}
}

/* local / (local + remote) over the node-attributed accesses of one mode. */
static void write_fraction(unsigned int m, double t, const uint64_t *agg,
			   uint64_t *local, uint64_t *remote, uint64_t *other)
{
	unsigned int vn, mn;

	*local = *remote = *other = 0;
	for (vn = 0; vn <= nr_nodes; vn++)
		for (mn = 0; mn <= nr_nodes; mn++) {
			uint64_t v = agg[cell(m, vn, mn)];

			if (vn == nr_nodes || mn == nr_nodes)
				*other += v;
			else if (vn == mn)
				*local += v;
			else
				*remote += v;
		}
	fprintf(out, "local_fraction,,%.3f,all,all,%s,%.6f\n", t, mode_name[m],
		*local + *remote ? (double)*local / (*local + *remote) : 0.0);
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
	uint64_t l[NR_MODES], r[NR_MODES], o[NR_MODES];
	double t;

	(void)id;
	(void)udata;
	pthread_mutex_lock(&out_lock);
	stopping = true;
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&out_lock);
	if (flusher_started)
		pthread_join(flusher, NULL);

	pthread_mutex_lock(&out_lock);
	if (!out) {
		pthread_mutex_unlock(&out_lock);
		return;
	}
	/* The last, partial interval, so the series sums to the totals. */
	if (interval_ms)
		write_interval();
	t = elapsed_s();
	snapshot(agg_cur);
	write_cells("total", "", t, agg_cur, NULL);
	/* Kernel first: the brief's "final line" is the user fraction. */
	write_fraction(MODE_KERNEL, t, agg_cur, &l[1], &r[1], &o[1]);
	write_fraction(MODE_USER, t, agg_cur, &l[0], &r[0], &o[0]);
	fclose(out);
	out = NULL;
	pthread_mutex_unlock(&out_lock);

	/* One line on QEMU's stderr too, for whoever keeps its log. */
	fprintf(stderr, "locality: user local %" PRIu64 " remote %" PRIu64
		" other %" PRIu64 "; kernel local %" PRIu64 " remote %" PRIu64
		" other %" PRIu64 "; wrote %s\n",
		l[0], r[0], o[0], l[1], r[1], o[1], out_path);
}

static int parse_uint(const char *arg, const char *key, uint64_t *val)
{
	size_t klen = strlen(key);
	char *end;

	if (strncmp(arg, key, klen) || arg[klen] != '=')
		return 0;
	errno = 0;
	*val = strtoull(arg + klen + 1, &end, 0);
	if (errno || end == arg + klen + 1 || *end)
		return -1;
	return 1;
}

static int fail(const char *fmt, const char *arg)
{
	char msg[256];

	/*
	 * stderr, not qemu_plugin_outs(): QEMU 7.2 shows the latter only with
	 * "-d plugin", and a plugin that refuses to load should say why.
	 */
	snprintf(msg, sizeof(msg), fmt, arg);
	fputs(msg, stderr);
	return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	uint64_t nodes = 0, cpn = 0, mem_mb = 0, ival = interval_ms, v;
	pthread_condattr_t ca;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if ((rc = parse_uint(argv[i], "nodes", &nodes)) ||
		    (rc = parse_uint(argv[i], "cpus_per_node", &cpn)) ||
		    (rc = parse_uint(argv[i], "mem_per_node_mb", &mem_mb)) ||
		    (rc = parse_uint(argv[i], "interval_ms", &ival))) {
			if (rc < 0)
				return fail("locality: bad number in '%s'\n",
					    argv[i]);
		} else if (!strncmp(argv[i], "out=", 4) && argv[i][4]) {
			out_path = argv[i] + 4;	/* argv outlives the plugin */
		} else {
			return fail("locality: unknown argument '%s' (want nodes=, "
				    "cpus_per_node=, mem_per_node_mb=, out=, "
				    "interval_ms=)\n", argv[i]);
		}
	}
	if (!info->system_emulation)
		return fail("%s", "locality: needs system emulation\n");
	if (!nodes || nodes > 64 || !cpn || cpn > 4096 || !mem_mb ||
	    mem_mb > (1u << 24) || ival > 3600000 || !out_path)
		return fail("%s", "locality: need nodes=1..64, cpus_per_node=N, "
			    "mem_per_node_mb=M and out=FILE (interval_ms=0..3600000 "
			    "optional)\n");
	if (strcmp(info->target_name, "x86_64"))
		fputs("locality: not an x86_64 guest; the user/kernel split "
		      "assumes x86-64 canonical addresses\n", stderr);

	nr_nodes = nodes;
	cpus_per_node = cpn;
	node_bytes = mem_mb << 20;
	ram_end = nodes * node_bytes;
	interval_ms = ival;

	v = info->system.max_vcpus > 0 ? info->system.max_vcpus : 1;
	if (v != nodes * cpn)
		fputs("locality: vCPU count differs from nodes x cpus_per_node; "
		      "vCPUs past the last node count as node \"other\"\n",
		      stderr);
	nr_vcpus = v;
	stride = (NR_MODES * (nr_nodes + 1) + 7) & ~(size_t)7;	/* 64 bytes */
	counters = aligned_alloc(64, nr_vcpus * stride * sizeof(*counters));
	nr_cells = (size_t)NR_MODES * (nr_nodes + 1) * (nr_nodes + 1);
	agg_prev = calloc(nr_cells, sizeof(*agg_prev));
	agg_cur = calloc(nr_cells, sizeof(*agg_cur));
	if (!counters || !agg_prev || !agg_cur)
		return fail("%s", "locality: out of memory\n");
	memset(counters, 0, nr_vcpus * stride * sizeof(*counters));

	out = fopen(out_path, "w");
	if (!out)
		return fail("locality: cannot open '%s'\n", out_path);

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&stop_cond, &ca);
	pthread_condattr_destroy(&ca);
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	{
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		fprintf(out, "# locality nodes=%u cpus_per_node=%u "
			"mem_per_node_mb=%" PRIu64 " interval_ms=%u vcpus=%u "
			"start_unix=%lld.%03ld\n", nr_nodes, cpus_per_node,
			mem_mb, interval_ms, nr_vcpus, (long long)rt.tv_sec,
			rt.tv_nsec / 1000000);
	}
	fprintf(out, "kind,id,t_s,vcpu_node,mem_node,mode,value\n");
	fflush(out);

	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
