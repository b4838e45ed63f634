// SPDX-License-Identifier: GPL-2.0
/*
 * numa-group qemu: a real QEMU (Debian's, TCG, paused with -S, memory
 * preallocated) with two virtual NUMA nodes of two vCPUs each is attached
 * by the numa-group tool, which makes one numa_group per guest node. With
 * all of QEMU's memory first on host node 0, each guest node's RAM and
 * vCPU threads must end up on one host node, and the two guest nodes on
 * different host nodes (each group fills a host node's two CPUs).
 * With guest node 1's RAM in a memfd (what vhost-user needs), the kernel
 * reports that RAM as not placeable (numa_group_placeable_bytes) and the
 * tool warns about it.
 *
 * Needs a 2-node guest with CONFIG_KNUMAD=y, qemu-system-x86_64 and
 * tools/numa-group built (make); run as root.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "kselftest_harness.h"
#include "knumad_workers.h"
#include "knumad_group.h"

#define QMP_SOCK	"/tmp/knumad-qemu-test.qmp"
#define TOOL_LOG	"/tmp/knumad-qemu-test.log"
#define NUMA_GROUP_TOOL	"numa-group/numa-group"
#define CONVERGE_S	150

static const char * const knobs[] = {
	"scan_sleep_millisecs", "max_cpu_percent", "pair_wait_millisecs",
};

FIXTURE(qemu) {
	pid_t qemu, tool;
	struct knumad_settings saved;
	char tool_path[600];
};

/* Guest node 1's RAM backend. */
FIXTURE_VARIANT(qemu) {
	const char *m1;
	bool memfd;
};

FIXTURE_VARIANT_ADD(qemu, ram) {
	.m1 = "memory-backend-ram,id=m1,size=128M,prealloc=on",
	.memfd = false,
};

FIXTURE_VARIANT_ADD(qemu, memfd) {
	.m1 = "memory-backend-memfd,id=m1,size=128M,prealloc=on",
	.memfd = true,
};

/* The tool is built next to the selftests: build/numa-group/numa-group. */
static bool find_tool(char *path, size_t size)
{
	char self[400], *p;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	/* .../build/selftests/knumad_qemu_group_test -> .../build */
	for (int up = 0; up < 2; up++) {
		p = strrchr(self, '/');
		if (!p)
			return false;
		*p = '\0';
	}
	snprintf(path, size, "%s/%s", self, NUMA_GROUP_TOOL);
	return access(path, X_OK) == 0;
}

/* Let every thread of @pid run on every CPU. */
static bool unbind_threads(pid_t pid)
{
	char path[64];
	struct dirent *d;
	cpu_set_t all;
	bool ok = true;
	DIR *dir;
	int cpu;

	CPU_ZERO(&all);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			ok &= !sched_setaffinity(atoi(d->d_name), sizeof(all), &all);
	closedir(dir);
	return ok;
}

/* Run @argv; its stderr into @log if not NULL. */
static pid_t spawn_log(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl_set_death_signal();
		if (log) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

			if (fd < 0 || dup2(fd, 2) < 0)
				_exit(126);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static pid_t spawn(char *const argv[])
{
	return spawn_log(argv, NULL);
}

static bool wait_for_socket(const char *path, int timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long end = now_ms() + timeout_s * 1000L;

	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	while (now_ms() < end) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			return true;
		}
		if (fd >= 0)
			close(fd);
		usleep(200 * 1000);
	}
	return false;
}

/* The group descriptors @pid holds, up to @max; their number. */
static int group_fds(pid_t pid, int *fds, int max)
{
	char dir[64], path[400], link[128];
	struct dirent *de;
	int nr = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && nr < max) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "numa_group"))
			fds[nr++] = atoi(de->d_name);
	}
	closedir(d);
	return nr;
}

/* Share (%) of a group's range resident on @node, from QEMU's page table. */
static int range_percent(pid_t qemu, const struct ng_range *r, int node)
{
	return percent_on_node_of(qemu, (void *)r->start, r->end - r->start, node);
}

FIXTURE_SETUP(qemu)
{
	static const char * const set[] = {
		"scan_sleep_millisecs", "100", "max_cpu_percent", "20",
		"pair_wait_millisecs", "1000", NULL
	};
	const char *why;
	char *qemu_argv[] = {
		"numactl", "--cpunodebind=0", "qemu-system-x86_64", "-S",
		"-display", "none", "-nodefaults", "-machine", "pc",
		"-accel", "tcg,thread=multi", "-m", "256", "-smp", "4",
		"-object", "memory-backend-ram,id=m0,size=128M,prealloc=on",
		"-object", (char *)variant->m1,
		"-numa", "node,nodeid=0,cpus=0-1,memdev=m0",
		"-numa", "node,nodeid=1,cpus=2-3,memdev=m1",
		"-qmp", "unix:" QMP_SOCK ",server=on,wait=off", NULL,
	};

	if (nr_nodes_online() < 2)
		SKIP(return, "needs two NUMA nodes");
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1"))
		SKIP(return, "no qemu-system-x86_64");
	ASSERT_TRUE(find_tool(self->tool_path, sizeof(self->tool_path)))
		TH_LOG("numa-group tool not built (make tools)");

	why = knumad_start(&self->saved, knobs, ARRAY_SIZE(knobs), set);
	ASSERT_EQ(NULL, why) TH_LOG("%s", why);

	unlink(QMP_SOCK);
	self->qemu = spawn(qemu_argv);
	ASSERT_GT(self->qemu, 0);
	ASSERT_TRUE(wait_for_socket(QMP_SOCK, 120)) TH_LOG("QEMU's QMP socket never came up");
	/*
	 * Its guest RAM was first touched on node 0 (prealloc, running on
	 * node 0's CPUs, the worst start); now QEMU may run anywhere. (Not
	 * numactl --preferred: memory a policy placed stays where it is.)
	 */
	ASSERT_TRUE(unbind_threads(self->qemu));
}

FIXTURE_TEARDOWN_PARENT(qemu)
{
	if (self->tool > 0) {
		kill(self->tool, SIGTERM);
		waitpid(self->tool, NULL, 0);
	}
	if (self->qemu > 0) {
		kill(self->qemu, SIGKILL);
		waitpid(self->qemu, NULL, 0);
	}
	unlink(QMP_SOCK);
	settings_restore(&self->saved);
}

TEST_F_TIMEOUT(qemu, guest_nodes_converge_to_host_nodes, CONVERGE_S + 120)
{
	char *tool_argv[] = { self->tool_path, "qemu", "--qmp", QMP_SOCK, NULL };
	struct ng_info info[2];
	int fds[4], nr = 0, g, t;
	long end;
	bool done = false;

	if (variant->memfd)
		SKIP(return, "memfd RAM is not placeable: see memfd_ram_reported");
	self->tool = spawn(tool_argv);
	ASSERT_GT(self->tool, 0);
	end = now_ms() + 60 * 1000L;
	while (now_ms() < end && (nr = group_fds(self->tool, fds, 4)) < 2)
		usleep(200 * 1000);
	ASSERT_EQ(2, nr) TH_LOG("numa-group qemu made %d groups, want one per guest node", nr);

	/*
	 * The tool adds every vCPU and then the memory: a group can be read
	 * between the two. Wait for both groups to be complete.
	 */
	do {
		done = true;
		for (g = 0; g < 2; g++) {
			ASSERT_TRUE(ng_read_info(self->tool, fds[g], &info[g]));
			if (info[g].tasks < 2 || info[g].ranges < 1)
				done = false;
		}
		if (!done)
			usleep(200 * 1000);
	} while (!done && now_ms() < end);
	done = false;

	/* Both groups: members as the tool put them, then converged. */
	end = now_ms() + CONVERGE_S * 1000L;
	while (!done && now_ms() < end) {
		done = true;
		for (g = 0; g < 2; g++) {
			ASSERT_TRUE(ng_read_info(self->tool, fds[g], &info[g]));
			ASSERT_EQ(2, info[g].tasks);
			ASSERT_EQ(1, info[g].ranges);
			/* memory-backend-ram: private anonymous, all placeable */
			ASSERT_EQ(info[g].bytes, info[g].placeable_bytes);
			if (info[g].node < 0 ||
			    range_percent(self->qemu, &info[g].range[0], info[g].node) < 90)
				done = false;
		}
		if (done && info[0].node == info[1].node)
			done = false;
		if (!done)
			sleep(2);
	}
	for (g = 0; g < 2; g++)
		TH_LOG("group %d: host node %d, %d%% of its 128 MiB there, %ld pages moved",
		       g, info[g].node,
		       info[g].node >= 0 ? range_percent(self->qemu, &info[g].range[0],
							info[g].node) : -1,
		       info[g].pages_migrated);
	ASSERT_TRUE(done) TH_LOG("guest nodes did not converge within %d s", CONVERGE_S);
	ASSERT_NE(info[0].node, info[1].node);

	/* The vCPU threads prefer their group's node. */
	for (g = 0; g < 2; g++) {
		for (t = 0; t < info[g].nr_task; t++)
			EXPECT_EQ(info[g].node, task_preferred_nid(self->qemu, info[g].task[t]))
				TH_LOG("vCPU thread %d of group %d", info[g].task[t], g);
	}
}

/* A guest node's RAM in a memfd: in its group, reported not placeable. */
TEST_F_TIMEOUT(qemu, memfd_ram_reported, 180)
{
	char *tool_argv[] = { self->tool_path, "qemu", "--qmp", QMP_SOCK, NULL };
	int fds[4], nr = 0, g, memfd_groups = 0, ram_groups = 0;
	char log[8192] = "";
	struct ng_info info;
	long end;
	FILE *f;

	if (!variant->memfd)
		SKIP(return, "needs the memfd variant");
	self->tool = spawn_log(tool_argv, TOOL_LOG);
	ASSERT_GT(self->tool, 0);
	end = now_ms() + 60 * 1000L;
	while (now_ms() < end && (nr = group_fds(self->tool, fds, 4)) < 2)
		usleep(200 * 1000);
	ASSERT_EQ(2, nr) TH_LOG("numa-group qemu made %d groups, want one per guest node", nr);
	/* Until the tool has added each group's range. */
	end = now_ms() + 30 * 1000L;
	for (g = 0; g < 2; g++) {
		while (ng_read_info(self->tool, fds[g], &info) && info.ranges < 1 &&
		       now_ms() < end)
			usleep(200 * 1000);
		ASSERT_EQ(1, info.ranges);
		ASSERT_EQ(128LL << 20, info.bytes);
		TH_LOG("group %d: %lld bytes, %lld placeable", g, info.bytes,
		       info.placeable_bytes);
		if (info.placeable_bytes == 0)
			memfd_groups++;
		else if (info.placeable_bytes == info.bytes)
			ram_groups++;
	}
	EXPECT_EQ(1, memfd_groups);
	EXPECT_EQ(1, ram_groups);

	/* The tool said so (it warns once the groups are made). */
	end = now_ms() + 10 * 1000L;
	do {
		f = fopen(TOOL_LOG, "r");
		if (f) {
			size_t n = fread(log, 1, sizeof(log) - 1, f);

			log[n] = '\0';
			fclose(f);
		}
		if (strstr(log, "not placeable"))
			break;
		usleep(200 * 1000);
	} while (now_ms() < end);
	EXPECT_NE(NULL, strstr(log, "not placeable")) TH_LOG("tool's stderr:\n%s", log);
	unlink(TOOL_LOG);
}

TEST_HARNESS_MAIN
