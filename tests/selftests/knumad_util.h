/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the knumad selftests: sysctl access that reports
 * errno, finding kernel threads by name, numbers from the environment and
 * a seeded random sequence.
 */
#ifndef KNUMAD_SELFTEST_UTIL_H
#define KNUMAD_SELFTEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KNUMAD_SYSCTL		"/proc/sys/kernel/knumad"
#define NUMA_BALANCING_SYSCTL	"/proc/sys/kernel/numa_balancing"

/* Write @val to @path; 0 on success, else the errno of the failed step. */
static inline int sysctl_write(const char *path, const char *val)
{
	ssize_t len = strlen(val);
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, val, len) != len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* Read an integer sysctl; -1 (with errno set) if it cannot be read. */
static inline long sysctl_read(const char *path)
{
	char buf[64] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * pid of the kernel thread called @name (a child of kthreadd, pid 2), or 0
 * if there is none. User processes with the same name do not count.
 */
static inline pid_t find_kthread(const char *name)
{
	struct dirent *de;
	pid_t found = 0;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!found && (de = readdir(proc))) {
		char path[300], stat[512], comm[64];
		int ppid, pid;
		FILE *f;

		pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(stat, sizeof(stat), f) &&
		    sscanf(stat, "%*d (%63[^)]) %*c %d", comm, &ppid) == 2 &&
		    ppid == 2 && !strcmp(comm, name))
			found = pid;
		fclose(f);
	}
	closedir(proc);
	return found;
}

/* Wait up to @timeout_ms for the kthread @name to exist (@present) or not. */
static inline bool wait_kthread(const char *name, bool present, int timeout_ms)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 10) {
		if (!!find_kthread(name) == present)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* A positive number from environment variable @name, else @def. */
static inline long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long x;

	if (!v || !*v)
		return def;
	x = strtol(v, &end, 0);
	return (*end || x <= 0) ? def : x;
}

/* Seeds and random numbers for the fuzz and stress tests: reproducible from a printed seed. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* xorshift64*: the next number of the sequence in *@s. */
static inline uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif /* KNUMAD_SELFTEST_UTIL_H */
