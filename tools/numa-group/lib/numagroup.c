// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libnumagroup: wrappers and helpers for the numa_group syscalls of knumad.
 * See numagroup.h for the API.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "numagroup.h"
#include "numagroup-internal.h"

/*
 * The numbers are the same on x86_64, i386 and in the generic table that
 * arm64, riscv and loongarch use. Other tables (x32, arm, mips, ...) have
 * no numbers for these calls yet.
 */
#if defined(__x86_64__) && defined(__ILP32__)
# error "numa_group syscall numbers are not assigned for x32"
#elif defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
	defined(__riscv) || defined(__loongarch__)
# ifndef __NR_numa_group_create
#  define __NR_numa_group_create	463
# endif
# ifndef __NR_numa_group_mem
#  define __NR_numa_group_mem		464
# endif
# ifndef __NR_numa_group_task
#  define __NR_numa_group_task		465
# endif
#elif !defined(__NR_numa_group_create)
# error "numa_group syscall numbers unknown for this architecture"
#endif

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif

/*
 * The unused argument registers are passed as 0: on a kernel where these
 * numbers belong to other calls (setxattrat, getxattrat and listxattrat
 * since Linux 6.13) those then fail on their size argument with EINVAL
 * instead of reading whatever the registers held.
 */
int numa_group_create(const struct numa_group_attr *attr, size_t size,
		      unsigned int flags)
{
	return syscall(__NR_numa_group_create, (long)attr, (long)size,
		       (long)flags, 0L, 0L, 0L);
}

int numa_group_mem(int group_fd, int pidfd, unsigned long addr,
		   unsigned long len, unsigned int flags)
{
	return syscall(__NR_numa_group_mem, (long)group_fd, (long)pidfd,
		       (long)addr, (long)len, (long)flags, 0L);
}

int numa_group_task(int group_fd, int pidfd, unsigned int flags)
{
	return syscall(__NR_numa_group_task, (long)group_fd, (long)pidfd,
		       (long)flags, 0L, 0L, 0L);
}

int ng_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, (long)pid, (long)flags);
}

int ng_pidfd_getfd(int pidfd, int targetfd)
{
	return syscall(__NR_pidfd_getfd, (long)pidfd, (long)targetfd, 0L);
}

int ng_abi_version(void)
{
	int ret = numa_group_create(NULL, 0, NUMA_GROUP_CREATE_VERSION);

	/*
	 * A knumad kernel before ABI version 1 fails with EINVAL (an unknown
	 * flag); another call with this number (setxattrat() on Linux 6.13
	 * and later) fails too, or returns 0, never a version.
	 */
	if (ret >= 1)
		return ret;
	errno = ENOSYS;
	return -1;
}

int ng_probe(void)
{
	int version = ng_abi_version();

	if (version < 0)
		return -1;
	if (version < NG_ABI_VERSION) {
		errno = ENOSYS;
		return -1;
	}
	return 0;
}

int ng_create(int node)
{
	struct numa_group_attr attr = { .flags = 0, .node = node };

	return numa_group_create(&attr, sizeof(attr), 0);
}

static int mem_pid(int group_fd, pid_t pid, unsigned long addr,
		   unsigned long len, unsigned int flags)
{
	int pidfd, ret, err;

	if (pid == 0)
		return numa_group_mem(group_fd, NUMA_GROUP_SELF_PROCESS, addr,
				      len, flags);
	pidfd = ng_pidfd_open(pid, 0);
	if (pidfd < 0)
		return -1;
	ret = numa_group_mem(group_fd, pidfd, addr, len, flags);
	err = errno;
	close(pidfd);
	errno = err;
	return ret;
}

int ng_add_mem_pid(int group_fd, pid_t pid, unsigned long addr,
		   unsigned long len)
{
	return mem_pid(group_fd, pid, addr, len, 0);
}

int ng_remove_mem_pid(int group_fd, pid_t pid, unsigned long addr,
		      unsigned long len)
{
	return mem_pid(group_fd, pid, addr, len, NUMA_GROUP_REMOVE);
}

static int task_tid(int group_fd, pid_t tid, unsigned int flags)
{
	int pidfd, ret, err;

	if (tid == 0)
		return numa_group_task(group_fd, NUMA_GROUP_SELF_THREAD, flags);
	pidfd = ng_pidfd_open(tid, PIDFD_THREAD);
	if (pidfd < 0)
		return -1;
	ret = numa_group_task(group_fd, pidfd, flags);
	err = errno;
	close(pidfd);
	errno = err;
	return ret;
}

int ng_add_thread(int group_fd, pid_t tid)
{
	return task_tid(group_fd, tid, 0);
}

int ng_remove_thread(int group_fd, pid_t tid)
{
	return task_tid(group_fd, tid, NUMA_GROUP_REMOVE);
}

int ng_set_inheritable(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

/* ---------------------------------------------------------------------- */

void ng_info_free(struct ng_info *info)
{
	free(info->tasks);
	free(info->ranges);
	free(info->pages);
	info->tasks = NULL;
	info->ranges = NULL;
	info->pages = NULL;
}

/*
 * Make room in *@arr, which holds @n elements of @size, for one more. The
 * capacity is implicit: 4, then doubled whenever it is full.
 */
static int grow(void **arr, unsigned int n, size_t size)
{
	void *p;

	if (n != 0 && (n < 4 || (n & (n - 1))))
		return 0;
	p = realloc(*arr, (n ? 2 * (size_t)n : 4) * size);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

static int parse_ull(const char **s, unsigned long long *v, int base)
{
	char *end;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	if (**s < '0' || (**s > '9' && base != 16) ||
	    (base == 16 && !strchr("0123456789abcdefABCDEF", **s)))
		return -1;
	errno = 0;
	*v = strtoull(*s, &end, base);
	if (errno)
		return -1;
	*s = end;
	return 0;
}

static int parse_ll(const char **s, long long *v)
{
	char *end;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	errno = 0;
	*v = strtoll(*s, &end, 10);
	if (errno || end == *s)
		return -1;
	*s = end;
	return 0;
}

/* Only blanks may be left of a value. */
static int at_eol(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return *s == '\n' || *s == '\0';
}

/* Parse the value of one numa_group_ line; @key has no prefix. */
static int parse_line(struct ng_info *info, const char *key, size_t klen,
		      const char *val, int *seen_node)
{
	unsigned long long u, s, e;
	long long l;

#define KEY(name) (klen == sizeof(name) - 1 && !memcmp(key, name, klen))
	if (KEY("id")) {
		if (parse_ull(&val, &u, 10) || u > UINT_MAX)
			return -1;
		info->id = (unsigned int)u;
		info->have |= NG_HAVE_ID;
	} else if (KEY("node")) {
		if (parse_ll(&val, &l) || l < -1 || l > INT_MAX)
			return -1;
		info->node = (int)l;
		*seen_node = 1;
	} else if (KEY("tasks")) {
		if (parse_ull(&val, &u, 10) || u > UINT_MAX)
			return -1;
		info->nr_tasks = (unsigned int)u;
	} else if (KEY("task")) {
		if (parse_ull(&val, &u, 10) || u > INT_MAX)
			return -1;
		if (grow((void **)&info->tasks, info->tasks_listed,
			 sizeof(*info->tasks)))
			return -2;
		info->tasks[info->tasks_listed++] = (pid_t)u;
	} else if (KEY("ranges")) {
		if (parse_ull(&val, &u, 10) || u > UINT_MAX)
			return -1;
		info->nr_ranges = (unsigned int)u;
	} else if (KEY("range")) {
		struct ng_range *r;

		if (parse_ull(&val, &u, 10) || u > INT_MAX ||
		    parse_ull(&val, &s, 16) || *val++ != '-' ||
		    parse_ull(&val, &e, 16) || e < s)
			return -1;
		if (grow((void **)&info->ranges, info->ranges_listed,
			 sizeof(*info->ranges)))
			return -2;
		r = &info->ranges[info->ranges_listed++];
		r->pid = (pid_t)u;
		r->start = s;
		r->end = e;
	} else if (KEY("bytes")) {
		if (parse_ull(&val, &info->bytes, 10))
			return -1;
	} else if (KEY("placeable_bytes")) {
		if (parse_ull(&val, &info->placeable_bytes, 10))
			return -1;
		info->have |= NG_HAVE_PLACEABLE;
	} else if (KEY("pages")) {
		info->have |= NG_HAVE_PAGES;
		for (;;) {
			while (*val == ' ' || *val == '\t')
				val++;
			if (at_eol(val))
				return 0;
			if (parse_ull(&val, &u, 10))
				return -1;
			if (grow((void **)&info->pages, info->nr_nodes,
				 sizeof(*info->pages)))
				return -2;
			info->pages[info->nr_nodes++] = (unsigned long)u;
		}
	} else if (KEY("node_changes")) {
		if (parse_ull(&val, &info->node_changes, 10))
			return -1;
	} else if (KEY("pages_migrated")) {
		if (parse_ull(&val, &info->pages_migrated, 10))
			return -1;
	} else {
		return 0;	/* a line from a later kernel */
	}
#undef KEY
	return at_eol(val) ? 0 : -1;
}

int ng_parse_fdinfo(const char *text, struct ng_info *info)
{
	static const char prefix[] = "numa_group_";
	const char *line = text;
	int seen_node = 0;

	memset(info, 0, sizeof(*info));
	info->fd = -1;
	info->node = -1;
	while (*line) {
		const char *nl = strchr(line, '\n');
		const char *colon;
		int ret;

		if (!nl)
			nl = line + strlen(line);
		colon = memchr(line, ':', nl - line);
		if (colon && !strncmp(line, prefix, sizeof(prefix) - 1)) {
			const char *key = line + sizeof(prefix) - 1;

			ret = parse_line(info, key, colon - key, colon + 1,
					 &seen_node);
			if (ret) {
				ng_info_free(info);
				errno = ret == -2 ? ENOMEM : EINVAL;
				return -1;
			}
		}
		line = *nl ? nl + 1 : nl;
	}
	if (!seen_node) {
		ng_info_free(info);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* See numagroup-internal.h. */
char *ng__read_text_file(const char *path)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap), *p;
	int fd, err;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			p = realloc(buf, cap * 2);
			if (!p)
				goto fail;
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = err;
	return NULL;
}

static void proc_path(char *buf, size_t size, pid_t pid, const char *what,
		      int fd)
{
	if (pid)
		snprintf(buf, size, "/proc/%d/%s/%d", (int)pid, what, fd);
	else
		snprintf(buf, size, "/proc/self/%s/%d", what, fd);
}

int ng_is_group_fd(pid_t pid, int fd)
{
	char path[64], link[sizeof(NG_FD_LINK) + 1];
	ssize_t n;

	proc_path(path, sizeof(path), pid, "fd", fd);
	n = readlink(path, link, sizeof(link));
	if (n < 0)
		return -1;
	return n == sizeof(NG_FD_LINK) - 1 &&
	       !memcmp(link, NG_FD_LINK, sizeof(NG_FD_LINK) - 1);
}

int ng_read_fdinfo(pid_t pid, int fd, struct ng_info *info)
{
	char path[64], *text;
	int ret, err;

	proc_path(path, sizeof(path), pid, "fdinfo", fd);
	text = ng__read_text_file(path);
	if (!text)
		return -1;
	ret = ng_parse_fdinfo(text, info);
	err = errno;
	free(text);
	if (ret == 0)
		info->fd = fd;
	errno = err;
	return ret;
}

void ng_show_free(struct ng_info *infos, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		ng_info_free(&infos[i]);
	free(infos);
}

static int cmp_fd(const void *a, const void *b)
{
	const struct ng_info *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

int ng_show(pid_t pid, struct ng_info **infos, size_t *nr)
{
	struct ng_info *arr = NULL, *p;
	size_t n = 0, cap = 0;
	char path[64];
	struct dirent *de;
	DIR *dir;
	int err;

	*infos = NULL;
	*nr = 0;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/fd");
	dir = opendir(path);
	if (!dir) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	while ((errno = 0, de = readdir(dir))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd < 0 || fd > INT_MAX)
			continue;
		if (ng_is_group_fd(pid, (int)fd) != 1)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 4;
			p = realloc(arr, cap * sizeof(*arr));
			if (!p)
				goto fail;
			arr = p;
		}
		if (ng_read_fdinfo(pid, (int)fd, &arr[n])) {
			if (errno == ENOENT)	/* closed meanwhile */
				continue;
			goto fail;
		}
		n++;
	}
	if (errno)
		goto fail;
	closedir(dir);
	if (n)
		qsort(arr, n, sizeof(*arr), cmp_fd);
	*infos = arr;
	*nr = n;
	return 0;
fail:
	err = errno;
	closedir(dir);
	ng_show_free(arr, n);
	errno = err;
	return -1;
}

/* ---------------------------------------------------------------------- */

static const char *const msg_nosys =
	"this kernel has no numa_group system calls (not a knumad kernel, "
	"or CONFIG_KNUMAD=n)";
static const char *const msg_eperm =
	"not allowed: the process is not the caller's, and the caller lacks "
	"CAP_SYS_NICE or may not ptrace-read it (the rule of "
	"process_madvise(2))";
static const char *const msg_ebadf =
	"the group descriptor is not open, or the pidfd is neither "
	"NUMA_GROUP_SELF_THREAD, NUMA_GROUP_SELF_PROCESS nor a pidfd";
static const char *const msg_ebadfd =
	"the group descriptor is not a numa group";

static const char *create_msg(int err)
{
	switch (err) {
	case EINVAL:
		return "invalid arguments: unknown flags (or arguments with "
		       "NUMA_GROUP_CREATE_VERSION), attribute size below "
		       "NUMA_GROUP_ATTR_SIZE_VER0, reserved attribute fields "
		       "not 0, or the node is neither NUMA_GROUP_NODE_ANY nor "
		       "an online node with CPUs";
	case E2BIG:
		return "the attribute struct is larger than a page, or its "
		       "bytes this kernel does not know are not zero";
	case EFAULT:
		return "the attribute struct is outside the caller's address "
		       "space (or NULL with a non-zero size)";
	case ENOSPC:
		return "this user already holds the maximum number of numa "
		       "groups (64 by default; /proc/sys/user/max_numa_groups)";
	case EMFILE:
		return "no descriptor for the group: the per-process limit "
		       "of open files is reached";
	case ENFILE:
		return "no descriptor for the group: the system-wide limit "
		       "of open files is reached";
	case ENOMEM:
		return "no memory for the group";
	}
	return NULL;
}

static const char *mem_msg(int err, int add)
{
	switch (err) {
	case EINVAL:
		return "invalid arguments: an unknown flag, or the range is "
		       "invalid (address not page aligned, length 0, or it "
		       "wraps around or ends beyond the user address space)";
	case EBADF:
		return msg_ebadf;
	case EBADFD:
		return msg_ebadfd;
	case ESRCH:
		return "the process has exited (or has no memory: a zombie "
		       "or a kernel thread)";
	case EPERM:
		return msg_eperm;
	case ENOMEM:
		return add ? "part of the range is not mapped" :
			     "out of memory";
	case EBUSY:
		return "part of the range is already in a numa group (this "
		       "one or another)";
	case ENOSPC:
		return "the group already holds the maximum number of "
		       "ranges (64)";
	case ENOENT:
		return "no part of the range is in this group";
	}
	return NULL;
}

static const char *task_msg(int err)
{
	switch (err) {
	case EINVAL:
		return "invalid arguments: an unknown flag, or the thread is a "
		       "kernel thread";
	case EBADF:
		return msg_ebadf;
	case EBADFD:
		return msg_ebadfd;
	case ESRCH:
		return "the thread (or every thread of the process) has exited";
	case EPERM:
		return msg_eperm;
	case EBUSY:
		return "the thread (or a thread of the process) is already in "
		       "another numa group";
	case ENOSPC:
		return "the group already holds the maximum number of "
		       "threads (1024)";
	case ENOENT:
		return "the thread (or no thread of the process) is not in "
		       "this group";
	}
	return NULL;
}

static const char *pidfd_open_msg(int err)
{
	switch (err) {
	case ESRCH:
		return "no such process or thread";
	case EINVAL:
		return "invalid pid or flags (thread pidfds, PIDFD_THREAD, "
		       "need Linux 6.9)";
	case ENOENT:
		return "the id is a thread, not a process (thread-group "
		       "leader)";
	case ENOSYS:
		return "this kernel has no pidfd_open() (Linux 5.3)";
	}
	return NULL;
}

static const char *pidfd_getfd_msg(int err)
{
	switch (err) {
	case EBADF:
		return "the process has no such open descriptor (or the pidfd "
		       "is not valid)";
	case EPERM:
		return "not allowed to copy a descriptor of that process: it "
		       "needs ptrace-attach rights over it (same user and "
		       "Yama's ptrace_scope permitting, or CAP_SYS_PTRACE)";
	case ESRCH:
		return "the process has exited";
	case ENOSYS:
		return "this kernel has no pidfd_getfd() (Linux 5.6)";
	}
	return NULL;
}

const char *ng_strerror(enum ng_op op, int err)
{
	const char *msg = NULL;

	switch (op) {
	case NG_OP_CREATE:
		msg = create_msg(err);
		break;
	case NG_OP_MEM_ADD:
	case NG_OP_MEM_REMOVE:
		msg = mem_msg(err, op == NG_OP_MEM_ADD);
		if ((err == EBUSY && op != NG_OP_MEM_ADD) ||
		    (err == ENOENT && op != NG_OP_MEM_REMOVE))
			msg = NULL;
		break;
	case NG_OP_TASK_ADD:
	case NG_OP_TASK_REMOVE:
		msg = task_msg(err);
		if ((err == EBUSY && op != NG_OP_TASK_ADD) ||
		    (err == ENOENT && op != NG_OP_TASK_REMOVE))
			msg = NULL;
		break;
	case NG_OP_PIDFD_OPEN:
		return pidfd_open_msg(err) ?: strerror(err);
	case NG_OP_PIDFD_GETFD:
		return pidfd_getfd_msg(err) ?: strerror(err);
	}
	if (!msg && err == ENOSYS)
		msg = msg_nosys;
	return msg ?: strerror(err);
}
