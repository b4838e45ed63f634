// SPDX-License-Identifier: GPL-2.0
/*
 * numasample: the resident-locality sampler for programs that do not sample
 * themselves (perf bench numa). Runs COMMAND in its own process group and,
 * every interval, for each task of each process in that group: the node of
 * the CPU it last ran on, and how many of its process's resident anonymous
 * pages (/proc/PID/numa_maps) are on that node. Writes the same log lines
 * as the workloads (common.h); a task's last scheduler statistics are
 * written when the command ends (BYTES is 0: not known here), with the
 * system and user CPU time it used between the first and the last sample
 * of the measured phase (/proc/PID/task/TID/stat, clock ticks; each end is
 * up to one interval off).
 *
 * The measured phase starts at the fork, or with -w PATTERN when the
 * command prints a line containing PATTERN on its standard output (which
 * is copied to ours; run the command line-buffered, e.g. under
 * "stdbuf -oL"): perf bench numa prints "threads initialized" when its
 * set-up is done and its threads start working. If the line never comes,
 * there is no start marker, and the run is reported as not measured.
 *
 * usage: numasample [-i MS] [-o FILE] [-m ID] [-w PATTERN] -- COMMAND [ARG...]
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TASKS	512

static struct task {
	int pid, tid, share;
	unsigned long long exec, delay;
	int have_base;			/* CPU ticks at its first sample in the phase */
	unsigned long long utime0, stime0, utime, stime;
	double t0, t;
} tasks[MAX_TASKS];
static int ntasks;
static FILE *out;
static int started;			/* the measured phase has started */
static long ticks_per_s;

static struct task *task_slot(int pid, int tid)
{
	int i;

	for (i = 0; i < ntasks; i++)
		if (tasks[i].tid == tid)
			return &tasks[i];
	if (ntasks == MAX_TASKS)
		return NULL;
	tasks[ntasks].pid = pid;
	tasks[ntasks].tid = tid;
	return &tasks[ntasks++];
}

/* Resident anonymous pages of PID per node; returns the total. */
static long numa_maps(int pid, long *per_node)
{
	char path[64], line[4096];
	long total = 0;
	FILE *f;

	memset(per_node, 0, WL_MAX_NODES * sizeof(*per_node));
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save;

		if (!strstr(line, " anon="))
			continue;
		for (tok = strtok_r(line, "\n ", &save); tok; tok = strtok_r(NULL, "\n ", &save)) {
			int node;
			long pages;

			if (sscanf(tok, "N%d=%ld", &node, &pages) == 2 &&
			    node >= 0 && node < WL_MAX_NODES) {
				per_node[node] += pages;
				total += pages;
			}
		}
	}
	fclose(f);
	return total;
}

/*
 * /proc/PID/task/TID/stat: field 39, the CPU the task last ran on (the
 * return value), and fields 14 and 15, its user and system time in ticks.
 */
static int task_cpu(int pid, int tid, unsigned long long *utime, unsigned long long *stime)
{
	char path[80], buf[1024], *p;
	int field = 2, cpu = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	if (p) {
		for (p++; *p && field < 39; p++) {
			if (*p != ' ')
				continue;
			field++;
			if (field == 14)
				*utime = strtoull(p + 1, NULL, 10);
			else if (field == 15)
				*stime = strtoull(p + 1, NULL, 10);
		}
		if (field == 39)
			cpu = atoi(p);
	}
	fclose(f);
	return cpu;
}

static void task_schedstat(struct task *t)
{
	char path[80];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", t->pid, t->tid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &t->exec, &t->delay) != 2)
		t->exec = t->delay = 0;
	fclose(f);
}

static int proc_pgrp(int pid)
{
	char path[64], buf[512], *p;
	int ppid, pgrp = -1;
	char state;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	if (p && sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
		pgrp = -1;
	fclose(f);
	return pgrp;
}

static void sample_process(int pid)
{
	long per_node[WL_MAX_NODES], total;
	int tids[MAX_TASKS], n = 0, i;
	char path[64];
	struct dirent *de;
	DIR *d;

	total = numa_maps(pid, per_node);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) && n < MAX_TASKS)
		if (de->d_name[0] != '.')
			tids[n++] = atoi(de->d_name);
	closedir(d);
	for (i = 0; i < n; i++) {
		unsigned long long ut = 0, st = 0;
		int cpu = task_cpu(pid, tids[i], &ut, &st), node;
		struct task *t = task_slot(pid, tids[i]);

		if (cpu < 0 || cpu >= WL_MAX_CPUS || !t)
			continue;
		node = wl_topo.cpu_node[cpu];
		t->share = n;
		task_schedstat(t);
		if (started) {
			if (!t->have_base) {
				t->have_base = 1;
				t->utime0 = ut;
				t->stime0 = st;
				t->t0 = wl_now();
			}
			t->utime = ut;
			t->stime = st;
			t->t = wl_now();
		}
		if (total)
			fprintf(out, "s,%.6f,%d,%d,%d,%d,%ld,%ld,1.000,%d\n", wl_now(), pid,
				tids[i], cpu, node, total, per_node[node], n);
	}
}

static void sample_group(int pgrp)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);

		if (pid > 0 && proc_pgrp(pid) == pgrp)
			sample_process(pid);
	}
	closedir(d);
	fflush(out);
}

/* A line of the command's output: the start of the measured phase? */
static void scan_line(const char *line, const char *pattern, int pgrp)
{
	if (started || !pattern || !strstr(line, pattern))
		return;
	wl_mark(0);
	started = 1;
	sample_group(pgrp);
}

/*
 * Copy what the command wrote to our standard output and look for the
 * pattern, line by line. Returns 0 at end of file.
 */
static int pump(int fd, const char *pattern, int pgrp)
{
	static char line[1024];
	static size_t len;
	char buf[4096];
	ssize_t n, i;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		line[len] = 0;
		scan_line(line, pattern, pgrp);
		return 0;
	}
	if (fwrite(buf, 1, n, stdout) != (size_t)n)
		wl_die("numasample: cannot copy the command's output");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || len == sizeof(line) - 1) {
			line[len] = 0;
			scan_line(line, pattern, pgrp);
			len = 0;
		}
		if (buf[i] != '\n')
			line[len++] = buf[i];
	}
	return 1;
}

int main(int argc, char **argv)
{
	const char *pattern = NULL;
	int c, status, i, pipefd[2] = { -1, -1 }, fd = -1;
	double next = 0;
	pid_t child;

	while ((c = getopt(argc, argv, "+i:o:m:w:")) != -1) {
		if (c == 'w') {
			pattern = optarg;
			continue;
		}
		if (!wl_common_opt(c, optarg)) {
			fprintf(stderr, "usage: numasample [-i MS] [-o FILE] [-m ID] [-w PATTERN] -- COMMAND [ARG...]\n");
			return 2;
		}
	}
	if (optind == argc)
		wl_die("numasample: no command");
	wl_init();
	ticks_per_s = sysconf(_SC_CLK_TCK);
	out = wl_opts.log ? fopen(wl_opts.log, "a") : stdout;
	if (!out)
		wl_die("%s: %s", wl_opts.log, strerror(errno));
	if (pattern && pipe(pipefd))
		wl_die("pipe: %s", strerror(errno));

	if (!pattern) {
		wl_mark(0);
		started = 1;
	}
	fflush(stdout);
	child = fork();
	if (child < 0)
		wl_die("fork failed");
	if (!child) {
		setpgid(0, 0);
		if (pattern) {
			dup2(pipefd[1], STDOUT_FILENO);
			close(pipefd[0]);
			close(pipefd[1]);
		}
		execvp(argv[optind], argv + optind);
		wl_die("%s: %s", argv[optind], strerror(errno));
	}
	setpgid(child, child);
	if (pattern) {
		close(pipefd[1]);
		fd = pipefd[0];
	}
	for (;;) {
		double now = wl_now();
		pid_t pid;

		if (now >= next) {
			pid = waitpid(child, &status, WNOHANG);
			if (pid == child)
				break;
			if (pid < 0)
				wl_die("waitpid: %s", strerror(errno));
			sample_group(child);
			next = wl_now() + wl_opts.interval;
			continue;
		}
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int ms = (int)((next - now) * 1000) + 1;

			if (poll(&pfd, 1, ms) > 0 && !pump(fd, pattern, child)) {
				close(fd);
				fd = -1;
			}
		} else {
			wl_sleep(next - now);
		}
	}
	/* The rest of its output (its own children are gone by now). */
	while (fd >= 0 && pump(fd, pattern, child))
		;
	if (started)
		wl_mark(1);
	else
		wl_info("start", "not seen: no line with '%s' in the output", pattern);
	for (i = 0; i < ntasks; i++) {
		struct task *t = &tasks[i];

		if (!t->exec)
			continue;
		if (t->have_base)
			fprintf(out, "d,%d,%d,%llu,%llu,0,%d,%lld,%lld,%.3f\n", t->pid, t->tid,
				t->exec, t->delay, t->share,
				(long long)((t->stime - t->stime0) * 1000000ULL / ticks_per_s),
				(long long)((t->utime - t->utime0) * 1000000ULL / ticks_per_s),
				t->t - t->t0);
		else
			fprintf(out, "d,%d,%d,%llu,%llu,0,%d,-1,-1,0\n", t->pid, t->tid,
				t->exec, t->delay, t->share);
	}
	fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
