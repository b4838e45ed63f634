// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/knumad: every tunable refuses bad values with EINVAL and
 * keeps its value; counters are read-only; the counters move when knumad
 * scans, in sysfs and in /proc/vmstat alike; per-process state shows in
 * debugfs.
 */
#include "kselftest_harness.h"
#include "knumad_workers.h"

struct knob {
	const char *name;
	const char *min, *max;		/* accepted bounds */
	const char *below, *above;	/* just outside them, or NULL */
};

static const struct knob knobs[] = {
	{ "scan_sleep_millisecs", "1", "3600000", "0", "3600001" },
	{ "pages_to_scan", "1", "16777216", "0", "16777217" },
	{ "max_cpu_percent", "1", "100", "0", "101" },
	{ "hysteresis_percent", "0", "1000", NULL, "1001" },
	{ "min_anon_pages", "0", "1073741824", NULL, "1073741825" },
	{ "min_hot_pages", "0", "1073741824", NULL, "1073741825" },
	{ "migrate_max_mbps", "0", "1048576", NULL, "1048577" },
	{ "migrate_batch_pages", "1", "65536", "0", "65537" },
	{ "pair_tolerance_pages", "0", "1073741824", NULL, "1073741825" },
	{ "migrate_holdoff_millisecs", "0", "3600000", NULL, "3600001" },
	{ "budget_window_millisecs", "0", "3600000", NULL, "3600001" },
	{ "pair_wait_millisecs", "0", "3600000", NULL, "3600001" },
	{ "pair_free_percent", "0", "100", NULL, "101" },
};

static const char * const counters[] = {
	"passes", "full_scans", "pages_scanned", "mm_skipped_contended",
	"node_changes", "tasks_moved", "tasks_swapped", "tasks_busy",
	"pages_migrated", "pages_migrate_failed", "pages_waiting",
	"cpu_time_us", "mms_tracked", "units", "units_converging",
};

static int knob_write(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), KNUMAD_SYSFS "%s", name);
	return sysctl_write(path, val);
}

TEST(tunables_accept_bounds_and_refuse_the_rest)
{
	const char *junk[] = { "abc", "-1", "1x", "\n", "99999999999999999999" };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		const struct knob *k = &knobs[i];
		long saved = sysfs_get(k->name);
		char val[32];

		ASSERT_GE(saved, 0) TH_LOG("%s missing", k->name);
		EXPECT_EQ(0, knob_write(k->name, k->min)) TH_LOG("%s=%s", k->name, k->min);
		EXPECT_EQ(strtol(k->min, NULL, 10), sysfs_get(k->name));
		EXPECT_EQ(0, knob_write(k->name, k->max)) TH_LOG("%s=%s", k->name, k->max);
		EXPECT_EQ(strtol(k->max, NULL, 10), sysfs_get(k->name));

		snprintf(val, sizeof(val), "%ld", saved);
		ASSERT_EQ(0, knob_write(k->name, val));
		if (k->below)
			EXPECT_EQ(EINVAL, knob_write(k->name, k->below)) TH_LOG("%s", k->name);
		if (k->above)
			EXPECT_EQ(EINVAL, knob_write(k->name, k->above)) TH_LOG("%s", k->name);
		for (j = 0; j < ARRAY_SIZE(junk); j++) {
			const char *bad = junk[j];

			EXPECT_EQ(EINVAL, knob_write(k->name, bad))
				TH_LOG("%s='%s'", k->name, bad);
		}
		EXPECT_EQ(saved, sysfs_get(k->name)) TH_LOG("%s changed", k->name);
	}
}

TEST(counters_are_read_only)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		EXPECT_GE(sysfs_get(counters[i]), 0) TH_LOG("%s", counters[i]);
		EXPECT_EQ(EACCES, knob_write(counters[i], "0")) TH_LOG("%s", counters[i]);
	}
}

static long vmstat(const char *name)
{
	char key[64];
	long val, found = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name))
			found = val;
	fclose(f);
	return found;
}

/*
 * A tgid's line in /sys/kernel/debug/knumad/mms: preferred node and
 * complete scans. False if it is not listed.
 */
static bool debugfs_mm(pid_t tgid, int *nid, long *scans)
{
	char line[512];
	bool found = false;
	int pid;
	FILE *f = fopen("/sys/kernel/debug/knumad/mms", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		/* tgid nid reason full_scans ... */
		if (sscanf(line, "%d %d %*u %ld", &pid, nid, scans) == 3 && pid == tgid)
			found = true;
	fclose(f);
	return found;
}

/* Wait until @tgid is tracked and had @want complete scans. */
static bool wait_mm_scans(pid_t tgid, long want, long deadline, int *nid, long *scans)
{
	do {
		if (debugfs_mm(tgid, nid, scans) && *scans >= want)
			return true;
		usleep(100 * 1000);
	} while (now_ms() < deadline);
	return false;
}

/* Scanning takes longer than the harness's default 30 s under TCG. */
#define TRACEFS		"/sys/kernel/tracing"

FIXTURE(scan) {
	struct knumad_settings saved;
};

FIXTURE_SETUP(scan)
{
	ASSERT_TRUE(settings_save(&self->saved, NULL, 0))
		TH_LOG("no %s: CONFIG_KNUMAD off?", KNUMAD_SYSCTL);
}

FIXTURE_TEARDOWN_PARENT(scan)
{
	settings_restore(&self->saved);
	sysctl_write(TRACEFS "/events/knumad/enable", "0");
}

TEST_F_TIMEOUT(scan, scanning_moves_counters_and_shows_the_process, 300)
{
	long pages, vm_pages, scans = 0, deadline;
	struct worker w = { 0 };
	int nid = -1;

	ASSERT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "0"));
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	ASSERT_TRUE(worker_start(&w, 0, 0, 32, false, false));
	pages = sysfs_get("pages_scanned");
	vm_pages = vmstat("knumad_pages_scanned");
	ASSERT_GE(vm_pages, 0) TH_LOG("no knumad_pages_scanned in /proc/vmstat");

	/*
	 * Three more complete scans of the worker's own memory: the pass
	 * counters are added when a pass ends, so two are surely counted.
	 */
	deadline = now_ms() + 120 * 1000;
	ASSERT_TRUE(wait_mm_scans(w.pid, 0, deadline, &nid, &scans)) TH_LOG("not tracked");
	EXPECT_TRUE(wait_mm_scans(w.pid, scans + 3, deadline, &nid, &scans));
	EXPECT_GE(sysfs_get("mms_tracked"), 1);
	/* 32 MiB of 4 KiB pages, scanned twice at least. */
	EXPECT_GE(sysfs_get("pages_scanned") - pages, 2 * 8192);
	EXPECT_GE(vmstat("knumad_pages_scanned") - vm_pages, 2 * 8192);
	EXPECT_EQ(0, nid);

	worker_stop(&w);
	sysctl_write(KNUMAD_SYSCTL, "0");
	/* Disabling forgets every process. */
	EXPECT_EQ(0, sysfs_get("mms_tracked"));
}

/* The tracepoints exist and fire while knumad scans. */
TEST_F_TIMEOUT(scan, tracepoints_fire, 120)
{
	const char *tr = TRACEFS;
	char path[256], line[512];
	bool seen = false;
	long deadline;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/knumad/knumad_scan_end/enable", tr);
	if (access(path, F_OK))
		SKIP(return, "no tracefs at %s", tr);
	ASSERT_EQ(0, access(path, W_OK));
	snprintf(path, sizeof(path), "%s/events/knumad/knumad_task_place/enable", tr);
	ASSERT_EQ(0, access(path, F_OK));
	snprintf(path, sizeof(path), "%s/events/knumad/knumad_assign/enable", tr);
	ASSERT_EQ(0, access(path, F_OK));

	snprintf(path, sizeof(path), "%s/trace", tr);
	ASSERT_EQ(0, sysctl_write(path, ""));
	snprintf(path, sizeof(path), "%s/events/knumad/enable", tr);
	ASSERT_EQ(0, sysctl_write(path, "1"));
	ASSERT_EQ(0, sysctl_write(NUMA_BALANCING_SYSCTL, "0"));
	ASSERT_EQ(0, sysctl_write(KNUMAD_SYSCTL, "1"));
	for (deadline = now_ms() + 60 * 1000; !seen && now_ms() < deadline; ) {
		usleep(500 * 1000);
		snprintf(path, sizeof(path), "%s/trace", tr);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f))
			seen |= strstr(line, "knumad_scan_end: seq=") != NULL;
		fclose(f);
	}
	EXPECT_TRUE(seen);
}

TEST_HARNESS_MAIN
