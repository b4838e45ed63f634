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

/* The context the files show; set once, at init. */
static struct knumad_ctx *knumad_sysfs_ctx;

/*
 * A tunable: its field in struct knumad_tunables and its accepted range.
 * The ranges keep every product the thread computes (budget, sleep) sane.
 */
struct knumad_tunable_attr {
	struct kobj_attribute attr;
	size_t offset;
	unsigned int min;
	unsigned int max;
};

static unsigned int *knumad_tunable(const struct knumad_tunable_attr *t)
{
	return (void *)&knumad_sysfs_ctx->tun + t->offset;
}

static ssize_t knumad_tunable_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct knumad_tunable_attr *t = container_of(attr, struct knumad_tunable_attr, attr);

	return sysfs_emit(buf, "%u\n", READ_ONCE(*knumad_tunable(t)));
}

static ssize_t knumad_tunable_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct knumad_tunable_attr *t = container_of(attr, struct knumad_tunable_attr, attr);
	unsigned int val;

	if (kstrtouint(buf, 10, &val) || val < t->min || val > t->max)
		return -EINVAL;
	WRITE_ONCE(*knumad_tunable(t), val);
	knumad_kick(knumad_sysfs_ctx);
	return count;
}

#define KNUMAD_TUNABLE(_name, _field, _min, _max)				\
	static struct knumad_tunable_attr knumad_##_name##_attr = {		\
		.attr = __ATTR(_name, 0644, knumad_tunable_show,		\
			       knumad_tunable_store),				\
		.offset = offsetof(struct knumad_tunables, _field),		\
		.min = (_min),							\
		.max = (_max),							\
	}

KNUMAD_TUNABLE(scan_sleep_millisecs, scan_sleep_ms, 1, 3600 * 1000);
KNUMAD_TUNABLE(pages_to_scan, pages_to_scan, 1, 1U << 24);
KNUMAD_TUNABLE(max_cpu_percent, max_cpu_percent, 1, 100);
KNUMAD_TUNABLE(budget_window_millisecs, budget_window_ms, 0, 3600 * 1000);
KNUMAD_TUNABLE(hysteresis_percent, hysteresis_percent, 0, 1000);
KNUMAD_TUNABLE(min_anon_pages, min_anon_pages, 0, 1U << 30);
KNUMAD_TUNABLE(min_hot_pages, min_hot_pages, 0, 1U << 30);
KNUMAD_TUNABLE(migrate_max_mbps, migrate_max_mbps, 0, 1U << 20);
KNUMAD_TUNABLE(migrate_batch_pages, migrate_batch_pages, 1, 1U << 16);
KNUMAD_TUNABLE(pair_tolerance_pages, pair_tolerance_pages, 0, 1U << 30);
KNUMAD_TUNABLE(migrate_holdoff_millisecs, migrate_holdoff_ms, 0, 3600 * 1000);
KNUMAD_TUNABLE(pair_wait_millisecs, pair_wait_ms, 0, 3600 * 1000);
KNUMAD_TUNABLE(pair_free_percent, pair_free_percent, 0, 100);

/* A counter: its index in the context's stats, and a divisor for its unit. */
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
			  div64_u64(atomic64_read(&knumad_sysfs_ctx->stats[c->item]), c->divisor));
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
KNUMAD_COUNTER(units, KNUMAD_STAT_UNITS, 1);
KNUMAD_COUNTER(units_converging, KNUMAD_STAT_UNITS_CONVERGING, 1);
KNUMAD_COUNTER(thread_units, KNUMAD_STAT_THREAD_UNITS, 1);
KNUMAD_COUNTER(hint_armed, KNUMAD_STAT_HINT_ARMED, 1);
KNUMAD_COUNTER(hint_faults, KNUMAD_STAT_HINT_FAULTS, 1);
KNUMAD_COUNTER(hint_records_lost, KNUMAD_STAT_HINT_LOST, 1);

static ssize_t mms_tracked_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", knumad_mm_nr());
}

static struct kobj_attribute knumad_mms_tracked_attr = __ATTR_RO(mms_tracked);

static struct attribute *knumad_attrs[] = {
	&knumad_scan_sleep_millisecs_attr.attr.attr,
	&knumad_pages_to_scan_attr.attr.attr,
	&knumad_max_cpu_percent_attr.attr.attr,
	&knumad_budget_window_millisecs_attr.attr.attr,
	&knumad_hysteresis_percent_attr.attr.attr,
	&knumad_min_anon_pages_attr.attr.attr,
	&knumad_min_hot_pages_attr.attr.attr,
	&knumad_migrate_max_mbps_attr.attr.attr,
	&knumad_migrate_batch_pages_attr.attr.attr,
	&knumad_pair_tolerance_pages_attr.attr.attr,
	&knumad_migrate_holdoff_millisecs_attr.attr.attr,
	&knumad_pair_wait_millisecs_attr.attr.attr,
	&knumad_pair_free_percent_attr.attr.attr,
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
	&knumad_units_attr.attr.attr,
	&knumad_units_converging_attr.attr.attr,
	&knumad_thread_units_attr.attr.attr,
	&knumad_hint_armed_attr.attr.attr,
	&knumad_hint_faults_attr.attr.attr,
	&knumad_hint_records_lost_attr.attr.attr,
	&knumad_mms_tracked_attr.attr,
	NULL,
};

static const struct attribute_group knumad_attr_group = {
	.attrs = knumad_attrs,
	.name = "knumad",
};

/**
 * knumad_sysfs_init() - Create /sys/kernel/mm/knumad/.
 * @ctx: the context whose tunables and counters the files show.
 *
 * Return: 0 or a negative errno.
 */
int knumad_sysfs_init(struct knumad_ctx *ctx)
{
	knumad_sysfs_ctx = ctx;
	return sysfs_create_group(mm_kobj, &knumad_attr_group);
}
