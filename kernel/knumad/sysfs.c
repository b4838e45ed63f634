// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/knumad/: knumad's tunables and read-only counters.
 *
 * Each tunable has exactly one interface, here; the on/off switch is the
 * kernel.knumad sysctl. A store that does not parse or is out of range
 * fails with -EINVAL and changes nothing. Documented in
 * Documentation/ABI/testing/sysfs-kernel-mm-knumad.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/knumad.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/sysfs.h>

#include "internal.h"

/*
 * A tunable: its field in knumad_tunables and its accepted range. The
 * ranges keep every product the thread computes (budget, sleep) sane.
 */
struct knumad_tunable_attr {
	struct kobj_attribute attr;
	unsigned int *value;
	unsigned int min;
	unsigned int max;
};

static ssize_t knumad_tunable_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct knumad_tunable_attr *t = container_of(attr, struct knumad_tunable_attr, attr);

	return sysfs_emit(buf, "%u\n", READ_ONCE(*t->value));
}

static ssize_t knumad_tunable_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct knumad_tunable_attr *t = container_of(attr, struct knumad_tunable_attr, attr);
	unsigned int val;

	if (kstrtouint(buf, 10, &val) || val < t->min || val > t->max)
		return -EINVAL;
	WRITE_ONCE(*t->value, val);
	knumad_wake();
	return count;
}

#define KNUMAD_TUNABLE(_name, _field, _min, _max)				\
	static struct knumad_tunable_attr knumad_##_name##_attr = {		\
		.attr = __ATTR(_name, 0644, knumad_tunable_show,		\
			       knumad_tunable_store),				\
		.value = &knumad_tunables._field,				\
		.min = (_min),							\
		.max = (_max),							\
	}

KNUMAD_TUNABLE(scan_sleep_millisecs, scan_sleep_ms, 1, 3600 * 1000);
KNUMAD_TUNABLE(pages_to_scan, pages_to_scan, 1, 1U << 24);
KNUMAD_TUNABLE(max_cpu_percent, max_cpu_percent, 1, 100);
KNUMAD_TUNABLE(hysteresis_percent, hysteresis_percent, 0, 1000);
KNUMAD_TUNABLE(min_anon_pages, min_anon_pages, 0, 1U << 30);
KNUMAD_TUNABLE(min_hot_pages, min_hot_pages, 0, 1U << 30);
KNUMAD_TUNABLE(migrate_max_mbps, migrate_max_mbps, 0, 1U << 20);
KNUMAD_TUNABLE(migrate_batch_pages, migrate_batch_pages, 1, 1U << 16);
KNUMAD_TUNABLE(pair_tolerance_pages, pair_tolerance_pages, 0, 1U << 30);
KNUMAD_TUNABLE(migrate_holdoff_millisecs, migrate_holdoff_ms, 0, 3600 * 1000);
KNUMAD_TUNABLE(migrate_busy_scans, migrate_busy_scans, 1, 1000);
KNUMAD_TUNABLE(pair_wait_millisecs, pair_wait_ms, 0, 3600 * 1000);

/* A counter: its index in knumad_stats, and a divisor for its unit. */
struct knumad_counter_attr {
	struct kobj_attribute attr;
	enum knumad_stat_item item;
	u64 divisor;
};

static ssize_t knumad_counter_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct knumad_counter_attr *c = container_of(attr, struct knumad_counter_attr, attr);

	return sysfs_emit(buf, "%llu\n",
			  div64_u64(atomic64_read(&knumad_stats[c->item]), c->divisor));
}

#define KNUMAD_COUNTER(_name, _item, _divisor)					\
	static struct knumad_counter_attr knumad_##_name##_attr = {		\
		.attr = __ATTR(_name, 0444, knumad_counter_show, NULL),		\
		.item = (_item),						\
		.divisor = (_divisor),						\
	}

KNUMAD_COUNTER(passes, KNUMAD_STAT_PASSES, 1);
KNUMAD_COUNTER(full_scans, KNUMAD_STAT_FULL_SCANS, 1);
KNUMAD_COUNTER(pages_scanned, KNUMAD_STAT_PAGES_SCANNED, 1);
KNUMAD_COUNTER(mm_skipped_contended, KNUMAD_STAT_MMS_SKIPPED, 1);
KNUMAD_COUNTER(node_changes, KNUMAD_STAT_NODE_CHANGES, 1);
KNUMAD_COUNTER(tasks_moved, KNUMAD_STAT_TASKS_MOVED, 1);
KNUMAD_COUNTER(tasks_swapped, KNUMAD_STAT_TASKS_SWAPPED, 1);
KNUMAD_COUNTER(tasks_busy, KNUMAD_STAT_TASKS_BUSY, 1);
KNUMAD_COUNTER(pages_migrated, KNUMAD_STAT_PAGES_MIGRATED, 1);
KNUMAD_COUNTER(pages_migrate_failed, KNUMAD_STAT_PAGES_MIGRATE_FAILED, 1);
KNUMAD_COUNTER(pages_waiting, KNUMAD_STAT_PAGES_WAITING, 1);
KNUMAD_COUNTER(cpu_time_us, KNUMAD_STAT_CPU_NS, NSEC_PER_USEC);

static ssize_t mms_tracked_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", numa_migrate_nr_mms());
}

static struct kobj_attribute knumad_mms_tracked_attr = __ATTR_RO(mms_tracked);

static struct attribute *knumad_attrs[] = {
	&knumad_scan_sleep_millisecs_attr.attr.attr,
	&knumad_pages_to_scan_attr.attr.attr,
	&knumad_max_cpu_percent_attr.attr.attr,
	&knumad_hysteresis_percent_attr.attr.attr,
	&knumad_min_anon_pages_attr.attr.attr,
	&knumad_min_hot_pages_attr.attr.attr,
	&knumad_migrate_max_mbps_attr.attr.attr,
	&knumad_migrate_batch_pages_attr.attr.attr,
	&knumad_pair_tolerance_pages_attr.attr.attr,
	&knumad_migrate_holdoff_millisecs_attr.attr.attr,
	&knumad_migrate_busy_scans_attr.attr.attr,
	&knumad_pair_wait_millisecs_attr.attr.attr,
	&knumad_passes_attr.attr.attr,
	&knumad_full_scans_attr.attr.attr,
	&knumad_pages_scanned_attr.attr.attr,
	&knumad_mm_skipped_contended_attr.attr.attr,
	&knumad_node_changes_attr.attr.attr,
	&knumad_tasks_moved_attr.attr.attr,
	&knumad_tasks_swapped_attr.attr.attr,
	&knumad_tasks_busy_attr.attr.attr,
	&knumad_pages_migrated_attr.attr.attr,
	&knumad_pages_migrate_failed_attr.attr.attr,
	&knumad_pages_waiting_attr.attr.attr,
	&knumad_cpu_time_us_attr.attr.attr,
	&knumad_mms_tracked_attr.attr,
	NULL,
};

static const struct attribute_group knumad_attr_group = {
	.attrs = knumad_attrs,
	.name = "knumad",
};

/**
 * knumad_sysfs_init() - Create /sys/kernel/mm/knumad/.
 *
 * Return: 0 or a negative errno.
 */
int knumad_sysfs_init(void)
{
	return sysfs_create_group(mm_kobj, &knumad_attr_group);
}
