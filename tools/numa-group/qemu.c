// SPDX-License-Identifier: GPL-2.0
/*
 * numa-group qemu: one numa group per guest NUMA node of a running QEMU,
 * holding that node's vCPU threads and the memory backend(s) of its RAM.
 * See vm.c for how the layout is read.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "numagroup.h"
#include "cli.h"
#include "qmp.h"
#include "util.h"
#include "vm.h"

static const char usage_qemu[] =
"Usage: %s qemu --qmp SOCKET [--once] [--dry-run] [--interval SEC] [-v]\n"
"Put each guest NUMA node of a running QEMU in a numa group of its own:\n"
"the node's vCPU threads and the memory backend(s) of its RAM, so that\n"
"knumad keeps each virtual node on one host node.\n"
"\n"
"  -q, --qmp SOCKET      QEMU's QMP unix socket (-qmp unix:SOCKET,server=on)\n"
"  -1, --once            set up, print, and exit (the groups end with it)\n"
"  -n, --dry-run         print the layout and what would be done; make no\n"
"                        numa_group system call\n"
"  -i, --interval SEC    how often to look for hot-plugged vCPUs and memory\n"
"                        devices (default 1)\n"
"  -v, --verbose         also print vCPUs and memory that went away\n"
"  -h, --help            this text\n"
"\n"
"The groups live as long as this program: it keeps running, adds\n"
"hot-plugged vCPUs and memory devices to their node's group, and exits 0\n"
"when QEMU exits (or on SIGINT/SIGTERM). Needs the right to ptrace QEMU,\n"
"or CAP_SYS_NICE.\n";

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static struct json *qmp_cb(void *ctx, const char *cmd, const char *args,
			   char *err, size_t errlen)
{
	return qmp_cmd(ctx, cmd, args, err, errlen);
}

struct qnode {
	int gfd;		/* -1: none yet */
	unsigned int vcpus;	/* in the group */
	unsigned int ranges;
	unsigned long long bytes;
	unsigned long long unplaceable;	/* warned about, per the kernel */
};

struct qctx {
	struct qmp q;
	struct vm_qmp vq;
	pid_t pid;		/* QEMU */
	int pidfd;		/* of QEMU; -1 in a dry run */
	int dry_run;
	int verbose;
	int nr_nodes;
	struct qnode *nodes;
	struct vm_vcpu *vcpus;	/* known vCPUs */
	size_t nr_vcpus;
	struct vm_mem *mem;	/* known memory (added or not) */
	size_t nr_mem;
	int failures;
};

/* The group of @node, created on first use; -1 after a message. */
static int node_group(struct qctx *c, int node)
{
	struct qnode *n = &c->nodes[node];

	if (n->gfd >= 0 || c->dry_run)
		return c->dry_run ? -1 : n->gfd;
	n->gfd = ng_create(NUMA_GROUP_NODE_ANY);
	if (n->gfd < 0) {
		errmsg("node %d: cannot create a numa group: %s", node,
		       ng_strerror(NG_OP_CREATE, errno));
		c->failures++;
	}
	return n->gfd;
}

static int is_qemu_thread(pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	return access(path, F_OK) == 0;
}

/* Add vCPU @v to its node's group; @hot: found while polling. */
static void add_vcpu(struct qctx *c, const struct vm_vcpu *v, int hot)
{
	const char *what = hot ? "hot-plugged vCPU" : "vCPU";
	size_t i;
	int gfd, pidfd;

	if (v->node < 0 || v->node >= c->nr_nodes) {
		warnmsg("%s %d (thread %d) is on no node; not grouped", what,
			v->index, (int)v->tid);
		return;
	}
	/* Single-threaded TCG runs all vCPUs on one thread. */
	for (i = 0; i < c->nr_vcpus; i++) {
		if (c->vcpus[i].tid != v->tid || &c->vcpus[i] == v)
			continue;
		if (c->vcpus[i].node != v->node)
			warnmsg("vCPU %d (node %d) runs on thread %d like vCPU "
				"%d (node %d), single-threaded TCG?: left in "
				"the first one's group", v->index, v->node,
				(int)v->tid, c->vcpus[i].index,
				c->vcpus[i].node);
		return;
	}
	if (!is_qemu_thread(c->pid, v->tid)) {
		warnmsg("%s %d: thread %d is not a thread of QEMU (pid %d) "
			"as seen here (another pid namespace?); not grouped",
			what, v->index, (int)v->tid, (int)c->pid);
		c->failures++;
		return;
	}
	if (c->dry_run) {
		printf("node %d: would add %s %d (thread %d)\n", v->node, what,
		       v->index, (int)v->tid);
		return;
	}
	gfd = node_group(c, v->node);
	if (gfd < 0)
		return;
	pidfd = ng_pidfd_open(v->tid, PIDFD_THREAD);
	if (pidfd < 0) {
		errmsg("node %d: %s %d (thread %d): %s", v->node, what,
		       v->index, (int)v->tid,
		       ng_strerror(NG_OP_PIDFD_OPEN, errno));
		c->failures++;
		return;
	}
	if (numa_group_task(gfd, pidfd, 0)) {
		errmsg("node %d: cannot add %s %d (thread %d): %s", v->node,
		       what, v->index, (int)v->tid,
		       ng_strerror(NG_OP_TASK_ADD, errno));
		c->failures++;
	} else {
		c->nodes[v->node].vcpus++;
		if (hot)
			printf("node %d: added %s %d (thread %d) to group "
			       "fd %d\n", v->node, what, v->index,
			       (int)v->tid, gfd);
	}
	close(pidfd);
}

/*
 * Check a backend's range against QEMU's mappings. Returns 0 if it can be
 * added, -1 after a message.
 */
static int check_range(struct qctx *c, const struct vm_mem *m,
		       const char *maps)
{
	unsigned long long end = m->hva + m->size;
	int contiguous, not_anon, n;

	n = maps ? maps_find(maps, m->hva, end, &contiguous, &not_anon) : -1;
	if (n < 0) {
		warnmsg("cannot read /proc/%d/maps to check backend %s",
			(int)c->pid, m->id);
		return 0;
	}
	if (!contiguous) {
		errmsg("node %d: backend %s: 0x%llx-0x%llx is not wholly mapped "
		       "in QEMU; not added", m->node, m->id, m->hva, end);
		c->failures++;
		return -1;
	}
	if (not_anon && !m->share)
		warnmsg("node %d: backend %s is file-backed, shared or "
			"hugetlb memory: knumad leaves it where it is",
			m->node, m->id);
	return 0;
}

/*
 * The kernel's word on the group of @node: how much of its memory knumad
 * cannot place (numa_group_placeable_bytes). Warn when that grows: guest
 * RAM backed by memfd, shared, file or hugetlb memory stays where it is.
 * Returns the placeable bytes, or -1 if the kernel does not say.
 */
static long long check_placeable(struct qctx *c, int node)
{
	struct qnode *n = &c->nodes[node];
	unsigned long long bad;
	struct ng_info info;
	long long ret = -1;
	char size[32], total[32];

	if (n->gfd < 0 || ng_read_fdinfo(0, n->gfd, &info))
		return -1;
	if (info.have & NG_HAVE_PLACEABLE) {
		ret = (long long)info.placeable_bytes;
		bad = info.bytes - info.placeable_bytes;
		if (bad > n->unplaceable)
			warnmsg("node %d: %s of its %s of guest RAM is not "
				"placeable by knumad (memfd, shared, "
				"file-backed or hugetlb memory): it stays "
				"where it is, only the vCPU threads follow "
				"the group", node,
				fmt_bytes(size, sizeof(size), bad),
				fmt_bytes(total, sizeof(total), info.bytes));
		n->unplaceable = bad;
	}
	ng_info_free(&info);
	return ret;
}

static void add_mem(struct qctx *c, const struct vm_mem *m, int hot)
{
	char size[32];
	int gfd;

	fmt_bytes(size, sizeof(size), m->size);
	if (c->dry_run) {
		printf("node %d: would add %s%s %s (%s at 0x%llx-0x%llx)\n",
		       m->node, hot ? "hot-plugged " : "",
		       m->dev[0] ? m->dev : "backend", m->id, size, m->hva,
		       m->hva + m->size);
		return;
	}
	gfd = node_group(c, m->node);
	if (gfd < 0)
		return;
	if (numa_group_mem(gfd, c->pidfd, m->hva, m->size, 0)) {
		errmsg("node %d: cannot add backend %s (0x%llx-0x%llx): %s",
		       m->node, m->id, m->hva, m->hva + m->size,
		       ng_strerror(NG_OP_MEM_ADD, errno));
		c->failures++;
		return;
	}
	c->nodes[m->node].ranges++;
	c->nodes[m->node].bytes += m->size;
	if (hot) {
		printf("node %d: added hot-plugged %s %s (%s at "
		       "0x%llx-0x%llx) to group fd %d\n", m->node,
		       m->dev[0] ? m->dev : "backend", m->id, size, m->hva,
		       m->hva + m->size, gfd);
		check_placeable(c, m->node);
	}
}

static void print_layout(struct qctx *c, const struct vm_layout *l)
{
	int node;
	size_t i;

	printf("QEMU %s, pid %d: %d guest NUMA node%s\n", c->q.version,
	       (int)c->pid, l->nr_nodes, l->nr_nodes == 1 ? "" : "s");
	for (node = 0; node < l->nr_nodes; node++) {
		unsigned int nv = 0, nm = 0;

		for (i = 0; i < l->nr_vcpus; i++)
			nv += l->vcpus[i].node == node;
		for (i = 0; i < l->nr_mem; i++)
			nm += l->mem[i].node == node;
		printf("  node %d: %u vCPU%s, %llu MiB\n", node, nv,
		       nv == 1 ? "" : "s", l->node_mb[node]);
		for (i = 0; i < l->nr_vcpus; i++)
			if (l->vcpus[i].node == node)
				printf("    vCPU %d: thread %d\n",
				       l->vcpus[i].index, (int)l->vcpus[i].tid);
		for (i = 0; i < l->nr_mem; i++) {
			const struct vm_mem *m = &l->mem[i];
			char size[32];

			if (m->node != node)
				continue;
			fmt_bytes(size, sizeof(size), m->size);
			printf("    memory %s%s%s: %s", m->id,
			       m->dev[0] ? ", " : "", m->dev, size);
			if (m->hva)
				printf(" at 0x%llx-0x%llx in QEMU (guest "
				       "0x%llx)\n", m->hva, m->hva + m->size,
				       m->gpa - m->gpa_off);
			else
				printf(", host address unknown\n");
		}
		if (!nv && !nm)
			printf("    nothing to group\n");
	}
	for (i = 0; i < l->nr_vcpus; i++)
		if (l->vcpus[i].node < 0)
			printf("  vCPU %d (thread %d) is on no node\n",
			       l->vcpus[i].index, (int)l->vcpus[i].tid);
	for (i = 0; i < l->nr_warnings; i++)
		warnmsg("%s", l->warnings[i]);
}

static int setup(struct qctx *c, struct vm_layout *l)
{
	char *maps, path[64];
	size_t i;
	int node;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)c->pid);
	maps = ng__read_text_file(path);

	c->nr_nodes = l->nr_nodes;
	c->nodes = calloc(c->nr_nodes, sizeof(*c->nodes));
	c->vcpus = calloc(l->nr_vcpus ? l->nr_vcpus : 1, sizeof(*c->vcpus));
	c->mem = calloc(l->nr_mem ? l->nr_mem : 1, sizeof(*c->mem));
	if (!c->nodes || !c->vcpus || !c->mem) {
		free(maps);
		errmsg("out of memory");
		return -1;
	}
	for (i = 0; i < (size_t)c->nr_nodes; i++)
		c->nodes[i].gfd = -1;

	for (i = 0; i < l->nr_vcpus; i++) {
		c->vcpus[c->nr_vcpus++] = l->vcpus[i];
		add_vcpu(c, &c->vcpus[c->nr_vcpus - 1], 0);
	}
	/* known, so that polling does not report them as new */
	for (i = 0; i < l->nr_mem; i++)
		c->mem[c->nr_mem++] = l->mem[i];
	for (node = 0; node < c->nr_nodes; node++)
		for (i = 0; i < l->nr_mem; i++) {
			struct vm_mem *m = &l->mem[i];

			if (m->node != node || !m->hva ||
			    check_range(c, m, maps))
				continue;
			add_mem(c, m, 0);
		}
	free(maps);

	if (c->dry_run) {
		printf("dry run: no numa group created\n");
		return 0;
	}
	for (i = 0; i < (size_t)c->nr_nodes; i++) {
		struct qnode *n = &c->nodes[i];
		char size[32], placeable[48] = "";
		long long p;

		if (n->gfd < 0)
			continue;
		p = check_placeable(c, (int)i);
		if (p >= 0) {
			char b[32];

			snprintf(placeable, sizeof(placeable), ", %s placeable",
				 fmt_bytes(b, sizeof(b), (unsigned long long)p));
		}
		printf("node %zu: group fd %d: %u vCPU thread%s, %u range%s "
		       "(%s%s)\n", i, n->gfd, n->vcpus, n->vcpus == 1 ? "" : "s",
		       n->ranges, n->ranges == 1 ? "" : "s",
		       fmt_bytes(size, sizeof(size), n->bytes), placeable);
	}
	return 0;
}

/* Look for hot-plugged (and unplugged) vCPUs. */
static int poll_vcpus(struct qctx *c)
{
	struct vm_vcpu *now, *known;
	size_t n, i, j, nk = 0;
	char err[256];

	if (vm_query_vcpus(&c->vq, &now, &n, err, sizeof(err))) {
		if (c->q.eof)
			return 1;
		if (!stop_sig)
			warnmsg("%s", err);
		return 0;
	}
	known = calloc(n ? n : 1, sizeof(*known));
	if (!known) {
		free(now);
		return 0;
	}
	for (i = 0; i < c->nr_vcpus && c->verbose; i++) {
		for (j = 0; j < n; j++)
			if (now[j].index == c->vcpus[i].index &&
			    now[j].tid == c->vcpus[i].tid)
				break;
		if (j == n)
			printf("vCPU %d (thread %d) is gone\n",
			       c->vcpus[i].index, (int)c->vcpus[i].tid);
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < c->nr_vcpus; i++)
			if (now[j].index == c->vcpus[i].index &&
			    now[j].tid == c->vcpus[i].tid)
				break;
		known[nk++] = now[j];
		if (i == c->nr_vcpus) {
			/* compare against the known ones and those before */
			struct vm_vcpu *old = c->vcpus;
			size_t nold = c->nr_vcpus;

			c->vcpus = known;
			c->nr_vcpus = nk;
			add_vcpu(c, &known[nk - 1], 1);
			c->vcpus = old;
			c->nr_vcpus = nold;
		}
	}
	free(c->vcpus);
	free(now);
	c->vcpus = known;
	c->nr_vcpus = nk;
	return 0;
}

/* Look for hot-plugged memory devices. */
static int poll_mem(struct qctx *c)
{
	struct vm_mem *devs;
	size_t n, i, j;
	char err[256], path[64], *maps = NULL;

	if (vm_query_devices(&c->vq, &devs, &n, err, sizeof(err)))
		return c->q.eof ? 1 : 0;
	for (j = 0; j < n; j++) {
		struct vm_mem *m = &devs[j], *p;
		unsigned long long hva;

		for (i = 0; i < c->nr_mem; i++)
			if (!strcmp(c->mem[i].id, m->id))
				break;
		if (i < c->nr_mem)
			continue;
		p = realloc(c->mem, (c->nr_mem + 1) * sizeof(*p));
		if (!p)
			break;
		c->mem = p;
		c->mem[c->nr_mem++] = *m;
		if (!m->mapped || m->node >= c->nr_nodes) {
			warnmsg("hot-plugged %s (%s) has no address or node; "
				"not grouped", m->dev, m->id);
			continue;
		}
		if (vm_gpa2hva(&c->vq, m->gpa, m->id, &hva, err,
			       sizeof(err))) {
			warnmsg("hot-plugged %s (%s): %s", m->dev, m->id, err);
			continue;
		}
		m->hva = hva;
		if (!maps) {
			snprintf(path, sizeof(path), "/proc/%d/maps",
				 (int)c->pid);
			maps = ng__read_text_file(path);
		}
		if (!check_range(c, m, maps))
			add_mem(c, m, 1);
		c->mem[c->nr_mem - 1] = *m;
	}
	/* Forget what was unplugged: its id may come back. */
	for (i = 0; i < c->nr_mem; ) {
		for (j = 0; j < n; j++)
			if (!strcmp(c->mem[i].id, devs[j].id))
				break;
		if (j == n && c->mem[i].dev[0]) {
			if (c->verbose)
				printf("memory %s (%s) is gone\n",
				       c->mem[i].id, c->mem[i].dev);
			c->mem[i] = c->mem[--c->nr_mem];
		} else {
			i++;
		}
	}
	free(maps);
	free(devs);
	return 0;
}

int cmd_qemu(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "qmp", required_argument, NULL, 'q' },
		{ "once", no_argument, NULL, '1' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct qctx c = { .pidfd = -1 };
	const char *sock = NULL;
	int once = 0, interval = 1000, opt, ret, status;
	struct vm_layout l;
	struct sigaction sa;
	char err[512];
	size_t i;

	while ((opt = getopt_long(argc, argv, "q:1ni:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			sock = optarg;
			break;
		case '1':
			once = 1;
			break;
		case 'n':
			c.dry_run = 1;
			break;
		case 'i':
			if (parse_interval(optarg, &interval)) {
				errmsg("qemu: bad interval '%s' (seconds, at "
				       "least 0.01)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v':
			c.verbose = 1;
			break;
		case 'h':
			printf(usage_qemu, prog);
			return EXIT_OK;
		default:
			fprintf(stderr, usage_qemu, prog);
			return EXIT_USAGE;
		}
	}
	if (!sock || optind != argc) {
		errmsg(sock ? "qemu: unexpected argument '%s'" :
			      "qemu: --qmp SOCKET is required%s",
		       sock ? argv[optind] : "");
		fprintf(stderr, usage_qemu, prog);
		return EXIT_USAGE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (qmp_open(&c.q, sock, 10000, err, sizeof(err))) {
		errmsg("%s", err);
		return EXIT_FAIL;
	}
	c.vq.cmd = qmp_cb;
	c.vq.ctx = &c.q;
	c.pid = c.q.pid;
	if (c.pid <= 0) {
		errmsg("cannot tell QEMU's pid from the QMP socket (SO_PEERCRED; "
		       "QEMU in another pid namespace?)");
		qmp_close(&c.q);
		return EXIT_FAIL;
	}

	ret = vm_discover(&c.vq, &l, err, sizeof(err));
	if (ret) {
		errmsg("%s", err);
		vm_layout_free(&l);
		qmp_close(&c.q);
		return EXIT_FAIL;
	}
	print_layout(&c, &l);

	if (!c.dry_run) {
		if (require_kernel()) {
			errmsg("(--dry-run shows the layout without system "
			       "calls)");
			vm_layout_free(&l);
			qmp_close(&c.q);
			return EXIT_FAIL;
		}
		c.pidfd = ng_pidfd_open(c.pid, 0);
		if (c.pidfd < 0) {
			errmsg("QEMU (pid %d): %s", (int)c.pid,
			       ng_strerror(NG_OP_PIDFD_OPEN, errno));
			vm_layout_free(&l);
			qmp_close(&c.q);
			return EXIT_FAIL;
		}
	}
	if (setup(&c, &l)) {
		vm_layout_free(&l);
		qmp_close(&c.q);
		return EXIT_FAIL;
	}
	vm_layout_free(&l);
	status = c.failures ? EXIT_FAIL : EXIT_OK;

	if (once) {
		if (!c.dry_run)
			printf("--once: exiting; the groups end with this "
			       "process\n");
		goto out;
	}
	printf("watching QEMU for hot-plugged vCPUs and memory; the groups "
	       "live until this program exits\n");
	for (;;) {
		ret = qmp_wait(&c.q, interval);
		if (stop_sig) {
			printf("%s: exiting; the numa groups end\n",
			       strsignal(stop_sig));
			status = EXIT_OK;
			break;
		}
		if (ret == 1 || poll_vcpus(&c) || poll_mem(&c)) {
			printf("QEMU exited (QMP connection closed); the numa "
			       "groups end\n");
			status = EXIT_OK;
			break;
		}
		if (ret < 0) {
			errmsg("lost the QMP connection");
			status = EXIT_FAIL;
			break;
		}
	}
out:
	for (i = 0; i < (size_t)c.nr_nodes; i++)
		if (c.nodes[i].gfd >= 0)
			close(c.nodes[i].gfd);
	if (c.pidfd >= 0)
		close(c.pidfd);
	free(c.nodes);
	free(c.vcpus);
	free(c.mem);
	qmp_close(&c.q);
	return status;
}
