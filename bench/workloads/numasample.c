// SPDX-License-Identifier: GPL-2.0
/*
 * numasample: the resident-locality sampler for programs that do not sample
 * themselves (perf bench numa). Runs COMMAND in its own process group and,
 * every interval, for each task of each process in that group: the node of
 * the CPU it last ran on, and how many of its process's resident anonymous
 * pages (/proc/PID/numa_maps) are on that node. Writes the same log lines
 * as the workloads (common.h); a task's last scheduler statistics are
 * written when the command ends (BYTES is 0: not known here).
 *
 * usage: numasample [-i MS] [-o FILE] [-m ID] -- COMMAND [ARG...]
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TASKS	512

static struct task {
	int pid, tid, share;
	unsigned long long exec, delay;
} tasks[MAX_TASKS];
static int ntasks;
static FILE *out;

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

/* Field 39 of /proc/PID/task/TID/stat: the CPU the task last ran on. */
static int task_cpu(int pid, int tid)
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
		for (p++; *p && field < 39; p++)
			if (*p == ' ')
				field++;
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
		int cpu = task_cpu(pid, tids[i]), node;
		struct task *t = task_slot(pid, tids[i]);

		if (cpu < 0 || cpu >= WL_MAX_CPUS || !t)
			continue;
		node = wl_topo.cpu_node[cpu];
		t->share = n;
		task_schedstat(t);
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

int main(int argc, char **argv)
{
	int c, status, i;
	pid_t child;

	while ((c = getopt(argc, argv, "+i:o:m:")) != -1)
		if (!wl_common_opt(c, optarg)) {
			fprintf(stderr, "usage: numasample [-i MS] [-o FILE] [-m ID] -- COMMAND [ARG...]\n");
			return 2;
		}
	if (optind == argc)
		wl_die("numasample: no command");
	wl_init();
	out = wl_opts.log ? fopen(wl_opts.log, "a") : stdout;
	if (!out)
		wl_die("%s: %s", wl_opts.log, strerror(errno));

	wl_mark(0);
	child = fork();
	if (child < 0)
		wl_die("fork failed");
	if (!child) {
		setpgid(0, 0);
		execvp(argv[optind], argv + optind);
		wl_die("%s: %s", argv[optind], strerror(errno));
	}
	setpgid(child, child);
	for (;;) {
		pid_t pid = waitpid(child, &status, WNOHANG);

		if (pid == child)
			break;
		if (pid < 0)
			wl_die("waitpid: %s", strerror(errno));
		sample_group(child);
		wl_sleep(wl_opts.interval);
	}
	wl_mark(1);
	for (i = 0; i < ntasks; i++)
		if (tasks[i].exec)
			fprintf(out, "d,%d,%d,%llu,%llu,0,%d\n", tasks[i].pid, tasks[i].tid,
				tasks[i].exec, tasks[i].delay, tasks[i].share);
	fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
