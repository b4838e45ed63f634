// SPDX-License-Identifier: GPL-2.0
/*
 * numa-group: tell knumad which threads and which memory belong together.
 *
 *   numa-group run [--node N | --group-per-node] -- CMD [ARG]...
 *   numa-group hold [--node N] [--count K]
 *   numa-group add-task --pid HOLDER --fd FD [--remove] TID...
 *   numa-group add-mem --pid HOLDER --fd FD --target PID [--remove] ADDR LEN
 *   numa-group show PID...
 *   numa-group qemu --qmp SOCKET [--once] [--dry-run]
 *
 * See man/numa-group.1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "numagroup.h"
#include "cli.h"
#include "show.h"
#include "util.h"

const char *prog = "numa-group";

void errmsg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: warning: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int require_kernel(void)
{
	struct utsname u;

	if (!ng_probe())
		return 0;
	if (uname(&u))
		strcpy(u.release, "?");
	errmsg("the running kernel (%s) has no numa_group system calls of "
	       "ABI version %d or later (not a knumad kernel, an older one, "
	       "or CONFIG_KNUMAD=n)", u.release, NG_ABI_VERSION);
	return -1;
}

int parse_interval(const char *s, int *ms)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || end == s || !(d >= 0.01) || d > 86400)
		return -1;
	*ms = (int)(d * 1000 + 0.5);
	return 0;
}

static int parse_pid(const char *s, pid_t *pid)
{
	int v;

	if (parse_int(s, 1, INT_MAX, &v))
		return -1;
	*pid = v;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* run */

static const char usage_run[] =
"Usage: %s run [--node N | --group-per-node] [--interval SEC] [--dry-run]\n"
"                [-v] [--] CMD [ARG]...\n"
"Run CMD with its threads and its private anonymous memory in a numa\n"
"group, which knumad keeps together on one node.\n"
"\n"
"  -n, --node N          start the group on node N (a hint; default: let\n"
"                        knumad choose)\n"
"  -p, --group-per-node  one group per online node; CMD's threads are\n"
"                        spread over them round-robin as they appear; its\n"
"                        memory is not put in a group\n"
"  -i, --interval SEC    how often to look for new threads and memory\n"
"                        (default 1)\n"
"      --dry-run         make no system call; print what would be added\n"
"  -v, --verbose         print each thread and range added\n"
"  -h, --help            this text\n"
"\n"
"CMD's first thread is added before it executes; later threads and\n"
"anonymous mappings are found in /proc every interval and added then.\n"
"numa-group stays as CMD's parent and holds the groups: they end when CMD\n"
"exits. Exit status: CMD's (128+N if killed by signal N), 126/127 if CMD\n"
"cannot be executed, 1 on other failures, 2 on usage errors.\n";

struct run_ctx {
	pid_t child;
	int per_node;
	int dry_run;
	int verbose;
	int nr_groups;
	int *gfds;		/* descriptors (dry run: -1) */
	int *nodes;		/* node hint of each group */
	unsigned int rr;	/* next group, round-robin */
	pid_t *known;		/* threads already handled */
	size_t nr_known;
	struct spans added;	/* ranges added (dry run: all we know) */
	struct spans skip;	/* ranges not to try again (EBUSY, ...) */
	int mem_full;		/* the group's range limit was reached */
	int warned_fdinfo;
};

static int known_has(const struct run_ctx *c, pid_t tid)
{
	size_t i;

	for (i = 0; i < c->nr_known; i++)
		if (c->known[i] == tid)
			return 1;
	return 0;
}

/* Add thread @tid to group @g. Returns 0, or -1 with errno set. */
static int run_add_thread(struct run_ctx *c, int g, pid_t tid)
{
	int pidfd, ret, err;

	if (c->dry_run) {
		printf("would add thread %d to group %d (node %d)\n",
		       (int)tid, g, c->nodes[g]);
		return 0;
	}
	pidfd = ng_pidfd_open(tid, PIDFD_THREAD);
	if (pidfd < 0)
		return -1;
	ret = numa_group_task(c->gfds[g], pidfd, 0);
	err = errno;
	close(pidfd);
	errno = err;
	if (!ret && c->verbose)
		printf("added thread %d to group %d (fd %d)\n", (int)tid, g,
		       c->gfds[g]);
	return ret;
}

static void run_threads(struct run_ctx *c)
{
	pid_t *now = NULL;
	size_t nr = 0, cap = 0;
	char path[64];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)c->child);
	dir = opendir(path);
	if (!dir)
		return;		/* exited */
	while ((de = readdir(dir))) {
		pid_t tid;

		if (parse_pid(de->d_name, &tid))
			continue;
		if (nr == cap) {
			pid_t *p;

			cap = cap ? 2 * cap : 64;
			p = realloc(now, cap * sizeof(*p));
			if (!p)
				break;
			now = p;
		}
		now[nr++] = tid;
		if (known_has(c, tid))
			continue;
		{
			int g = c->per_node ? (int)(c->rr++ % c->nr_groups) : 0;

			if (run_add_thread(c, g, tid) && errno != ESRCH) {
				if (errno == EBUSY)
					warnmsg("thread %d is in another numa "
						"group already; left there",
						(int)tid);
				else
					warnmsg("cannot add thread %d: %s",
						(int)tid,
						ng_strerror(NG_OP_TASK_ADD,
							    errno));
			}
		}
	}
	closedir(dir);
	/* Forget threads that exited: a recycled id is a new thread. */
	free(c->known);
	c->known = now;
	c->nr_known = nr;
}

/* The ranges of the child the kernel has in the group, into @out. */
static int group_ranges(struct run_ctx *c, struct spans *out)
{
	struct ng_info info;
	unsigned int i;

	out->n = 0;
	if (ng_read_fdinfo(0, c->gfds[0], &info))
		return -1;
	for (i = 0; i < info.ranges_listed; i++)
		if (info.ranges[i].pid == c->child &&
		    spans_add(out, info.ranges[i].start, info.ranges[i].end))
			break;
	ng_info_free(&info);
	return 0;
}

static void run_memory(struct run_ctx *c)
{
	struct spans runs = { 0 }, have = { 0 }, todo = { 0 };
	char path[64], *text;
	size_t i;
	int pidfd = -1;

	if (c->per_node || c->mem_full)
		return;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)c->child);
	text = ng__read_text_file(path);
	if (!text)
		return;
	if (maps_anon_runs(text, &runs)) {
		free(text);
		spans_free(&runs);
		return;
	}
	free(text);

	/* What is in the group already: the kernel's view if we can read it. */
	if (c->dry_run || group_ranges(c, &have)) {
		if (!c->dry_run && !c->warned_fdinfo++)
			warnmsg("cannot read the group's fdinfo (%s); using "
				"what was added", strerror(errno));
		have.n = 0;
		for (i = 0; i < c->added.n; i++)
			spans_add(&have, c->added.v[i].start,
				  c->added.v[i].end);
	}
	for (i = 0; i < c->skip.n; i++)
		spans_add(&have, c->skip.v[i].start, c->skip.v[i].end);
	spans_normalize(&have);
	spans_normalize(&runs);
	if (spans_subtract(&runs, &have, &todo))
		goto out;

	if (todo.n && !c->dry_run) {
		pidfd = ng_pidfd_open(c->child, 0);
		if (pidfd < 0)
			goto out;
	}
	for (i = 0; i < todo.n; i++) {
		unsigned long s = todo.v[i].start, e = todo.v[i].end;
		char size[32];

		fmt_bytes(size, sizeof(size), e - s);
		if (c->dry_run) {
			printf("would add range %lx-%lx (%s) of pid %d\n", s, e,
			       size, (int)c->child);
			spans_add(&c->added, s, e);
			continue;
		}
		if (!numa_group_mem(c->gfds[0], pidfd, s, e - s, 0)) {
			if (c->verbose)
				printf("added range %lx-%lx (%s) of pid %d\n",
				       s, e, size, (int)c->child);
			spans_add(&c->added, s, e);
			continue;
		}
		switch (errno) {
		case ENOMEM:	/* unmapped meanwhile */
		case ESRCH:	/* exited */
			break;
		case EBUSY:	/* in a group already (the program's own?) */
			spans_add(&c->skip, s, e);
			break;
		case ENOSPC:
			warnmsg("the group holds the most ranges it can (%d); "
				"further memory of pid %d is not added",
				NG_MAX_RANGES, (int)c->child);
			c->mem_full = 1;
			goto out;
		default:
			warnmsg("cannot add range %lx-%lx of pid %d: %s", s, e,
				(int)c->child,
				ng_strerror(NG_OP_MEM_ADD, errno));
			spans_add(&c->skip, s, e);
		}
	}
	spans_normalize(&c->added);
	spans_normalize(&c->skip);
out:
	if (pidfd >= 0)
		close(pidfd);
	spans_free(&runs);
	spans_free(&have);
	spans_free(&todo);
}

static int online_nodes(int **nodes)
{
	char *text = ng__read_text_file("/sys/devices/system/node/online");
	int n;

	if (!text) {
		/* no NUMA in this kernel: one node, 0 */
		*nodes = malloc(sizeof(**nodes));
		if (!*nodes)
			return -1;
		(*nodes)[0] = 0;
		return 1;
	}
	n = parse_cpulist(text, nodes);
	free(text);
	return n;
}

/* Free what cmd_run() allocated; returns @status. */
static int run_done(struct run_ctx *c, int status)
{
	free(c->gfds);
	free(c->nodes);
	free(c->known);
	spans_free(&c->added);
	spans_free(&c->skip);
	return status;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "group-per-node", no_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_ctx c = { 0 };
	int node = NUMA_GROUP_NODE_ANY, have_node = 0, interval = 1000;
	int sync_pipe[2], err_pipe[2], opt, g, status, child_err, ret;
	sigset_t set, oldset;
	ssize_t n;

	while ((opt = getopt_long(argc, argv, "+n:pi:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_int(optarg, 0, 65535, &node)) {
				errmsg("run: bad node '%s'", optarg);
				return EXIT_USAGE;
			}
			have_node = 1;
			break;
		case 'p':
			c.per_node = 1;
			break;
		case 'i':
			if (parse_interval(optarg, &interval)) {
				errmsg("run: bad interval '%s' (seconds, at "
				       "least 0.01)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'D':
			c.dry_run = 1;
			break;
		case 'v':
			c.verbose = 1;
			break;
		case 'h':
			printf(usage_run, prog);
			return EXIT_OK;
		default:
			fprintf(stderr, usage_run, prog);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		errmsg("run: no command given");
		fprintf(stderr, usage_run, prog);
		return EXIT_USAGE;
	}
	if (have_node && c.per_node) {
		errmsg("run: --node and --group-per-node exclude each other");
		return EXIT_USAGE;
	}
	if (!c.dry_run && require_kernel())
		return EXIT_FAIL;

	if (c.per_node) {
		c.nr_groups = online_nodes(&c.nodes);
		if (c.nr_groups <= 0) {
			errmsg("run: cannot read the online nodes");
			return run_done(&c, EXIT_FAIL);
		}
	} else {
		c.nr_groups = 1;
		c.nodes = malloc(sizeof(*c.nodes));
		if (!c.nodes) {
			errmsg("out of memory");
			return run_done(&c, EXIT_FAIL);
		}
		c.nodes[0] = node;
	}
	c.gfds = malloc(c.nr_groups * sizeof(*c.gfds));
	if (!c.gfds) {
		errmsg("out of memory");
		return run_done(&c, EXIT_FAIL);
	}
	for (g = 0; g < c.nr_groups; g++) {
		c.gfds[g] = -1;
		if (c.dry_run) {
			printf("would create group %d (node %d)\n", g,
			       c.nodes[g]);
			continue;
		}
		c.gfds[g] = ng_create(c.nodes[g]);
		if (c.gfds[g] < 0) {
			errmsg("run: cannot create a numa group (node %d): %s",
			       c.nodes[g], ng_strerror(NG_OP_CREATE, errno));
			return run_done(&c, EXIT_FAIL);
		}
		if (c.verbose)
			printf("created group %d (node %d): fd %d of pid %d\n",
			       g, c.nodes[g], c.gfds[g], (int)getpid());
	}

	/* Signals are taken with sigtimedwait(); the child gets them back. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, &oldset);

	if (pipe2(sync_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		errmsg("pipe: %s", strerror(errno));
		return run_done(&c, EXIT_FAIL);
	}
	fflush(stdout);
	c.child = fork();
	if (c.child < 0) {
		errmsg("fork: %s", strerror(errno));
		return run_done(&c, EXIT_FAIL);
	}
	if (c.child == 0) {
		char b;

		close(sync_pipe[1]);
		close(err_pipe[0]);
		sigprocmask(SIG_SETMASK, &oldset, NULL);
		/* Wait until the parent has put us in the group. */
		while (read(sync_pipe[0], &b, 1) < 0 && errno == EINTR)
			;
		execvp(argv[optind], argv + optind);
		child_err = errno;
		if (write(err_pipe[1], &child_err, sizeof(child_err)) < 0)
			_exit(127);
		_exit(child_err == ENOENT ? 127 : 126);
	}
	close(sync_pipe[0]);
	close(err_pipe[1]);

	/* The first thread, before CMD runs. */
	c.known = malloc(sizeof(*c.known));
	if (!c.known) {
		errmsg("out of memory");
		kill(c.child, SIGKILL);
		return run_done(&c, EXIT_FAIL);
	}
	c.known[0] = c.child;
	c.nr_known = 1;
	c.rr = 1;
	if (run_add_thread(&c, 0, c.child)) {
		errmsg("run: cannot add the command's thread to the group: %s",
		       ng_strerror(NG_OP_TASK_ADD, errno));
		kill(c.child, SIGKILL);
		waitpid(c.child, NULL, 0);
		return run_done(&c, EXIT_FAIL);
	}
	close(sync_pipe[1]);
	do
		n = read(err_pipe[0], &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	close(err_pipe[0]);
	if (n == sizeof(child_err)) {
		waitpid(c.child, &status, 0);
		errmsg("run: cannot execute %s: %s", argv[optind],
		       strerror(child_err));
		return run_done(&c, WIFEXITED(status) ?
				    WEXITSTATUS(status) : 127);
	}

	for (;;) {
		struct timespec ts = {
			.tv_sec = interval / 1000,
			.tv_nsec = (interval % 1000) * 1000000L,
		};
		siginfo_t si;
		int sig;

		run_threads(&c);
		run_memory(&c);
		fflush(stdout);
		sig = sigtimedwait(&set, &si, &ts);
		/*
		 * Pass on signals sent with kill(); those from the terminal
		 * (SI_KERNEL) reached the child's process group already.
		 */
		if (sig > 0 && sig != SIGCHLD && si.si_code != SI_KERNEL)
			kill(c.child, sig);
		ret = waitpid(c.child, &status, WNOHANG);
		if (ret == c.child)
			break;
		if (ret < 0 && errno != EINTR) {
			errmsg("waitpid: %s", strerror(errno));
			return run_done(&c, EXIT_FAIL);
		}
	}
	if (WIFSIGNALED(status))
		return run_done(&c, 128 + WTERMSIG(status));
	return run_done(&c, WEXITSTATUS(status));
}

/* ---------------------------------------------------------------------- */
/* hold */

static const char usage_hold[] =
"Usage: %s hold [--node N] [--count K]\n"
"Create K numa groups (default 1) and hold them until killed (SIGINT,\n"
"SIGTERM). Prints one line per group, \"pid PID fd FD node N\", for\n"
"add-task and add-mem.\n"
"\n"
"  -n, --node N    start the groups on node N (default: knumad chooses)\n"
"  -c, --count K   how many groups (at most 64)\n"
"  -h, --help      this text\n";

static int cmd_hold(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int node = NUMA_GROUP_NODE_ANY, count = 1, opt, i, sig;
	sigset_t set;

	while ((opt = getopt_long(argc, argv, "n:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_int(optarg, 0, 65535, &node)) {
				errmsg("hold: bad node '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (parse_int(optarg, 1, NG_MAX_GROUPS_PER_USER,
				      &count)) {
				errmsg("hold: bad count '%s' (1-%d)", optarg,
				       NG_MAX_GROUPS_PER_USER);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			printf(usage_hold, prog);
			return EXIT_OK;
		default:
			fprintf(stderr, usage_hold, prog);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		errmsg("hold: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (require_kernel())
		return EXIT_FAIL;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < count; i++) {
		int fd = ng_create(node);

		if (fd < 0) {
			errmsg("hold: cannot create a numa group: %s",
			       ng_strerror(NG_OP_CREATE, errno));
			return EXIT_FAIL;
		}
		printf("pid %d fd %d node %d\n", (int)getpid(), fd, node);
	}
	fflush(stdout);
	while (sigwait(&set, &sig))
		;
	return EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* add-task, add-mem */

static const char usage_add_task[] =
"Usage: %s add-task --pid HOLDER --fd FD [--remove] TID...\n"
"Add threads to the numa group that process HOLDER has open as descriptor\n"
"FD (see 'numa-group show HOLDER'), or take them out with --remove.\n"
"\n"
"  -p, --pid HOLDER  the process holding the group\n"
"  -f, --fd FD       the group's descriptor in HOLDER\n"
"  -r, --remove      take the threads out of the group\n"
"  -h, --help        this text\n"
"\n"
"The group is reached with pidfd_getfd(2), which needs the right to\n"
"ptrace HOLDER; adding a thread of another user's process needs the right\n"
"to ptrace it, or CAP_SYS_NICE.\n";

static const char usage_add_mem[] =
"Usage: %s add-mem --pid HOLDER --fd FD --target PID [--remove] ADDR LEN\n"
"Add the range [ADDR, ADDR+LEN) of process PID to the numa group that\n"
"process HOLDER has open as descriptor FD, or take it out with --remove.\n"
"\n"
"  -p, --pid HOLDER  the process holding the group\n"
"  -f, --fd FD       the group's descriptor in HOLDER\n"
"  -t, --target PID  the process whose memory it is\n"
"  -r, --remove      take the range out of the group\n"
"  -h, --help        this text\n"
"\n"
"ADDR is page aligned, in hex (0x...) or decimal; LEN takes K, M, G\n"
"suffixes and is rounded up to a page. Only private anonymous memory in\n"
"the range is placed by knumad. Rights: as for add-task.\n";

/* A copy of group descriptor @fd of process @holder; -1 after a message. */
static int get_group(pid_t holder, int fd)
{
	int pidfd, gfd, err;

	pidfd = ng_pidfd_open(holder, 0);
	if (pidfd < 0) {
		errmsg("process %d: %s", (int)holder,
		       ng_strerror(NG_OP_PIDFD_OPEN, errno));
		return -1;
	}
	gfd = ng_pidfd_getfd(pidfd, fd);
	err = errno;
	close(pidfd);
	if (gfd < 0) {
		errmsg("cannot get descriptor %d of process %d: %s", fd,
		       (int)holder, ng_strerror(NG_OP_PIDFD_GETFD, err));
		return -1;
	}
	if (ng_is_group_fd(0, gfd) == 0) {
		errmsg("descriptor %d of process %d is not a numa group", fd,
		       (int)holder);
		close(gfd);
		return -1;
	}
	return gfd;
}

static int holder_opts(int argc, char **argv, const char *usage, int mem,
		       pid_t *holder, int *fd, pid_t *target, int *remove)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "fd", required_argument, NULL, 'f' },
		{ "target", required_argument, NULL, 't' },
		{ "remove", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	*holder = 0;
	*fd = -1;
	*target = 0;
	*remove = 0;
	while ((opt = getopt_long(argc, argv, mem ? "p:f:t:rh" : "p:f:rh",
				  opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_pid(optarg, holder)) {
				errmsg("bad pid '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (parse_int(optarg, 0, INT_MAX, fd)) {
				errmsg("bad descriptor '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (parse_pid(optarg, target)) {
				errmsg("bad target pid '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			*remove = 1;
			break;
		case 'h':
			printf(usage, prog);
			return EXIT_OK;
		default:
			fprintf(stderr, usage, prog);
			return EXIT_USAGE;
		}
	}
	if (!*holder || *fd < 0 || (mem && !*target)) {
		errmsg("%s", mem ? "--pid, --fd and --target are required" :
				   "--pid and --fd are required");
		fprintf(stderr, usage, prog);
		return EXIT_USAGE;
	}
	return -1;	/* go on */
}

static int cmd_add_task(int argc, char **argv)
{
	pid_t holder, target, *tids;
	int fd, remove, ret, gfd, i, ntids, status = EXIT_OK;
	enum ng_op op;

	ret = holder_opts(argc, argv, usage_add_task, 0, &holder, &fd,
			  &target, &remove);
	if (ret >= 0)
		return ret;
	ntids = argc - optind;
	if (ntids <= 0) {
		errmsg("add-task: no thread given");
		fprintf(stderr, usage_add_task, prog);
		return EXIT_USAGE;
	}
	tids = calloc(ntids, sizeof(*tids));
	if (!tids) {
		errmsg("out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < ntids; i++)
		if (parse_pid(argv[optind + i], &tids[i])) {
			errmsg("add-task: bad thread id '%s'",
			       argv[optind + i]);
			free(tids);
			return EXIT_USAGE;
		}
	if (require_kernel()) {
		free(tids);
		return EXIT_FAIL;
	}
	gfd = get_group(holder, fd);
	if (gfd < 0) {
		free(tids);
		return EXIT_FAIL;
	}
	op = remove ? NG_OP_TASK_REMOVE : NG_OP_TASK_ADD;
	for (i = 0; i < ntids; i++) {
		int pidfd = ng_pidfd_open(tids[i], PIDFD_THREAD);

		if (pidfd < 0) {
			errmsg("thread %d: %s", (int)tids[i],
			       ng_strerror(NG_OP_PIDFD_OPEN, errno));
			status = EXIT_FAIL;
			continue;
		}
		ret = numa_group_task(gfd, pidfd,
				      remove ? NUMA_GROUP_REMOVE : 0);
		if (ret) {
			errmsg("cannot %s thread %d: %s",
			       remove ? "remove" : "add", (int)tids[i],
			       ng_strerror(op, errno));
			status = EXIT_FAIL;
		} else {
			printf("%s thread %d %s the group (pid %d fd %d)\n",
			       remove ? "removed" : "added", (int)tids[i],
			       remove ? "from" : "to", (int)holder, fd);
		}
		close(pidfd);
	}
	close(gfd);
	free(tids);
	return status;
}

static int cmd_add_mem(int argc, char **argv)
{
	unsigned long long addr, len;
	long page = sysconf(_SC_PAGESIZE);
	pid_t holder, target;
	int fd, remove, ret, gfd, pidfd, err;
	char size[32];

	ret = holder_opts(argc, argv, usage_add_mem, 1, &holder, &fd, &target,
			  &remove);
	if (ret >= 0)
		return ret;
	if (argc - optind != 2) {
		errmsg("add-mem: need ADDR and LEN");
		fprintf(stderr, usage_add_mem, prog);
		return EXIT_USAGE;
	}
	if (parse_ulong(argv[optind], &addr)) {
		errmsg("add-mem: bad address '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (parse_size(argv[optind + 1], &len)) {
		errmsg("add-mem: bad length '%s'", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (addr % page) {
		errmsg("add-mem: address 0x%llx is not page aligned (page "
		       "size %ld)", addr, page);
		return EXIT_FAIL;
	}
	if (!len) {
		errmsg("add-mem: length is 0");
		return EXIT_FAIL;
	}
	if (addr + len < addr || addr > ULONG_MAX || len > ULONG_MAX) {
		errmsg("add-mem: the range wraps around");
		return EXIT_FAIL;
	}
	if (require_kernel())
		return EXIT_FAIL;
	gfd = get_group(holder, fd);
	if (gfd < 0)
		return EXIT_FAIL;
	pidfd = ng_pidfd_open(target, 0);
	if (pidfd < 0) {
		errmsg("process %d: %s", (int)target,
		       ng_strerror(NG_OP_PIDFD_OPEN, errno));
		close(gfd);
		return EXIT_FAIL;
	}
	ret = numa_group_mem(gfd, pidfd, addr, len,
			     remove ? NUMA_GROUP_REMOVE : 0);
	err = errno;
	close(pidfd);
	close(gfd);
	fmt_bytes(size, sizeof(size), len);
	if (ret) {
		errmsg("cannot %s range 0x%llx-0x%llx of process %d: %s",
		       remove ? "remove" : "add", addr, addr + len,
		       (int)target,
		       ng_strerror(remove ? NG_OP_MEM_REMOVE : NG_OP_MEM_ADD,
				   err));
		return EXIT_FAIL;
	}
	printf("%s range 0x%llx-0x%llx (%s) of process %d %s the group "
	       "(pid %d fd %d)\n", remove ? "removed" : "added", addr,
	       addr + len, size, (int)target, remove ? "from" : "to",
	       (int)holder, fd);
	return EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* show */

static const char usage_show[] =
"Usage: %s show PID...\n"
"Show the numa groups that process PID holds (its descriptors of\n"
"anon_inode:[numa_group]): node, threads, ranges, bytes, resident pages\n"
"per node, node changes and pages migrated, from /proc/PID/fdinfo.\n"
"\n"
"  -h, --help  this text\n";

static int show_pid(pid_t pid)
{
	struct ng_info *infos;
	char path[64], *comm;
	size_t nr;

	if (ng_show(pid, &infos, &nr)) {
		if (errno == ESRCH)
			errmsg("show: no process %d", (int)pid);
		else
			errmsg("show: cannot read the descriptors of process "
			       "%d: %s%s", (int)pid, strerror(errno),
			       errno == EACCES || errno == EPERM ?
			       " (another user's process: run as root)" : "");
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	comm = ng__read_text_file(path);
	if (comm)
		comm[strcspn(comm, "\n")] = '\0';
	print_groups(stdout, pid, comm, infos, nr);
	free(comm);
	ng_show_free(infos, nr);
	return EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, i, status = EXIT_OK;
	pid_t *pids;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			printf(usage_show, prog);
			return EXIT_OK;
		default:
			fprintf(stderr, usage_show, prog);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		errmsg("show: no pid given");
		fprintf(stderr, usage_show, prog);
		return EXIT_USAGE;
	}
	pids = calloc(argc - optind, sizeof(*pids));
	if (!pids)
		return EXIT_FAIL;
	for (i = optind; i < argc; i++)
		if (parse_pid(argv[i], &pids[i - optind])) {
			errmsg("show: bad pid '%s'", argv[i]);
			free(pids);
			return EXIT_USAGE;
		}
	for (i = 0; i < argc - optind; i++) {
		if (i)
			printf("\n");
		if (show_pid(pids[i]))
			status = EXIT_FAIL;
	}
	free(pids);
	return status;
}

/* ---------------------------------------------------------------------- */

static const char usage_main[] =
"Usage: %s COMMAND [OPTION]... [ARG]...\n"
"Tell knumad which threads and which memory belong together (numa_group\n"
"system calls); knumad chooses one node for each group.\n"
"\n"
"Commands:\n"
"  run [--node N | --group-per-node] -- CMD [ARG]...\n"
"        run CMD with its threads and anonymous memory in a group\n"
"  hold [--node N] [--count K]\n"
"        create groups and hold them until killed\n"
"  add-task --pid HOLDER --fd FD [--remove] TID...\n"
"        add threads to the group HOLDER holds as descriptor FD\n"
"  add-mem --pid HOLDER --fd FD --target PID [--remove] ADDR LEN\n"
"        add an address range of process PID to that group\n"
"  show PID...\n"
"        show the groups process PID holds\n"
"  qemu --qmp SOCKET [--once] [--dry-run]\n"
"        one group per guest NUMA node of a running QEMU\n"
"\n"
"'%s COMMAND --help' tells a command's options. Exit status: 0 success,\n"
"1 failure, 2 usage error; run exits with the command's status.\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "run", cmd_run },
		{ "hold", cmd_hold },
		{ "add-task", cmd_add_task },
		{ "add-mem", cmd_add_mem },
		{ "show", cmd_show },
		{ "qemu", cmd_qemu },
	};
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, usage_main, prog, prog);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		printf(usage_main, prog, prog);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		int abi = ng_abi_version();

		printf("numa-group %d.%d.%d (numa_group ABI %d; running "
		       "kernel: ", NUMAGROUP_VERSION_MAJOR,
		       NUMAGROUP_VERSION_MINOR, NUMAGROUP_VERSION_PATCH,
		       NG_ABI_VERSION);
		if (abi > 0)
			printf("ABI %d)\n", abi);
		else
			printf("no numa_group calls of ABI 1 or later)\n");
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		/* the subcommand sees its name as argv[0] */
		optind = 1;
		return cmds[i].fn(argc - 1, argv + 1);
	}
	errmsg("unknown command '%s'", argv[1]);
	fprintf(stderr, usage_main, prog, prog);
	return EXIT_USAGE;
}
