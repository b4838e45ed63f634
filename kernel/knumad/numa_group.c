// SPDX-License-Identifier: GPL-2.0
/*
 * numa_group: soft NUMA bindings, the syscalls and the group object.
 *
 * A group is a file descriptor (closing it ends the group) that names
 * threads and address ranges, possibly of other processes, that belong
 * together. Where they go is knumad's choice (group.c, as a unit of each
 * pass); here is only membership: who may add what, at most one group per
 * thread and per byte of memory, and clean-up of members that are gone.
 * Every failing call returns before it changes anything. Acting on another
 * process takes what process_madvise() takes: ptrace-read rights over it
 * and CAP_SYS_NICE. Groups count against their creator's ucounts
 * (UCOUNT_KNUMAD_GROUPS, user.max_numa_groups).
 * See Documentation/userspace-api/numa_group.rst.
 *
 * Locking: knumad_groups_lock (group.h), a spinlock, around every look at
 * or change of membership; allocation is done before taking it, and the
 * target's mmap_lock is taken (killably) only with it released, so a
 * process stuck with its mmap_lock held stalls only the calls on it.
 * A thread's membership is marked in its struct knumad_task (->group),
 * which is set and cleared under the lock.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hugetlb.h>
#include <linux/init.h>
#include <linux/knumad.h>
#include <linux/mm.h>
#include <linux/mempolicy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <uapi/linux/numa_group.h>
#include <uapi/linux/pidfd.h>

#include "group.h"
#include "internal.h"

/* Protects every group and the list; see group.h. */
DEFINE_SPINLOCK(knumad_groups_lock);
LIST_HEAD(knumad_groups);
unsigned int knumad_groups_count;

static const struct file_operations knumad_group_fops;

/* The last group id given out. */
static atomic_t knumad_group_ids = ATOMIC_INIT(0);

/* What numa_group_create(NULL, 0, NUMA_GROUP_CREATE_VERSION) returns. */
#define KNUMAD_GROUP_ABI_VERSION	1

/* user.max_numa_groups of the initial user namespace, as inotify sets its own. */
static int __init knumad_group_init(void)
{
	init_user_ns.ucount_max[UCOUNT_KNUMAD_GROUPS] = KNUMAD_GROUP_MAX_PER_USER;
	return 0;
}
subsys_initcall(knumad_group_init);

static void knumad_group_free(struct kref *ref)
{
	kfree(container_of(ref, struct knumad_group, ref));
}

/**
 * knumad_group_put() - Drop a reference to a group.
 * @g: the group.
 */
void knumad_group_put(struct knumad_group *g)
{
	kref_put(&g->ref, knumad_group_free);
}

/**
 * knumad_group_release_thread() - A thread left its group: until knumad
 * places it with its process, it prefers no node.
 * @pid: the thread's pid.
 *
 * Context: knumad_groups_lock not held.
 */
void knumad_group_release_thread(struct pid *pid)
{
	struct task_struct *t;

	if (!knumad_enabled())
		return;
	t = get_pid_task(pid, PIDTYPE_PID);
	if (t) {
		knumad_sched_prefer(t, NUMA_NO_NODE);
		put_task_struct(t);
	}
}

/* Unmark and unlink a member, onto @gone (freed by the caller, unlocked). */
static void knumad_group_unlink_member(struct knumad_group *g, struct knumad_group_member *m,
				       struct list_head *gone)
{
	struct task_struct *t;

	lockdep_assert_held(&knumad_groups_lock);
	rcu_read_lock();
	t = pid_task(m->pid, PIDTYPE_PID);
	if (t && t->knumad_task && READ_ONCE(t->knumad_task->group) == g)
		WRITE_ONCE(t->knumad_task->group, NULL);
	rcu_read_unlock();
	list_move(&m->node, gone);
	g->nr_tasks--;
	g->gen++;
}

static void knumad_group_free_members(struct list_head *members)
{
	struct knumad_group_member *m, *tmp;

	list_for_each_entry_safe(m, tmp, members, node) {
		knumad_group_release_thread(m->pid);
		put_pid(m->pid);
		kfree(m);
	}
}

static void knumad_group_free_spans(struct list_head *spans)
{
	struct knumad_group_span *r, *tmp;

	list_for_each_entry_safe(r, tmp, spans, node) {
		mmdrop(r->mm);
		put_pid(r->tgid);
		kfree(r);
	}
}

/* Move members whose thread is gone to @gone (freed by the caller). */
static void knumad_group_drop_exited(struct knumad_group *g, struct list_head *gone)
{
	struct knumad_group_member *m, *tmp;

	lockdep_assert_held(&knumad_groups_lock);
	list_for_each_entry_safe(m, tmp, &g->tasks, node) {
		/* Never NULL: knumad_group_add_tasks() leaves reaped threads out. */
		if (pid_has_task(m->pid, PIDTYPE_PID))
			continue;
		list_del(&m->node);
		g->nr_tasks--;
		g->gen++;
		list_add(&m->node, gone);
	}
}

/*
 * Can knumad place the memory of @vma? What knumad_test_vma()
 * (mm/numa_migrate/scan.c) walks, except that a private anonymous VMA not
 * yet faulted in (no anon_vma) counts: its memory is placed once it is.
 */
static bool knumad_vma_placeable(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) && vma_migratable(vma) && vma_is_accessible(vma) &&
	       !is_vm_hugetlb_page(vma) && !(vma->vm_flags & (VM_SHARED | VM_MIXEDMAP));
}

/*
 * Is anything of [@start, @end) of @mm still mapped? 1 or 0; < 0: lock
 * busy (@trylock) or a fatal signal. If @placeable, add to it the bytes of
 * the range that lie in VMAs knumad can place.
 */
static int knumad_span_mapped(struct mm_struct *mm, unsigned long start,
			      unsigned long end, bool trylock, unsigned long *placeable)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;
	bool mapped = false;

	if (trylock) {
		if (!mmap_read_trylock(mm))
			return -EBUSY;
	} else if (mmap_read_lock_killable(mm)) {
		return -EINTR;
	}
	if (atomic_read(&mm->mm_users)) {
		for_each_vma_range(vmi, vma, end) {
			mapped = true;
			if (!placeable)
				break;
			if (knumad_vma_placeable(vma))
				*placeable += min(end, vma->vm_end) - max(start, vma->vm_start);
		}
	}
	mmap_read_unlock(mm);
	return mapped;
}

/*
 * One range of a group as a walk without knumad_groups_lock sees it: a
 * copy, with references to its mm and process.
 */
struct knumad_range_check {
	struct knumad_group_span *span;
	struct mm_struct *mm;
	struct pid *tgid;
	unsigned long start;
	unsigned long end;
	unsigned long placeable;
	bool gone;
	bool readable;
};

static void knumad_range_checks_put(struct knumad_range_check *check, int nr)
{
	int i;

	for (i = 0; i < nr; i++) {
		mmdrop(check[i].mm);
		put_pid(check[i].tgid);
	}
}

/*
 * Check the ranges of @g into @check (KNUMAD_GROUP_MAX_RANGES entries):
 * which are gone (and drop them, and exited threads, from @g); with
 * @report also how many bytes of each knumad can place and whether the
 * caller may ptrace-read its process. Returns the number of entries
 * (release them with knumad_range_checks_put()), or -EINTR after a fatal
 * signal, with nothing to release.
 */
static int knumad_group_check_ranges(struct knumad_group *g, bool trylock, bool report,
				     struct knumad_range_check *check)
{
	struct knumad_group_span *r;
	LIST_HEAD(members);
	LIST_HEAD(spans);
	int i, nr = 0, err = 0;
	unsigned int gen;
	bool same;

	spin_lock(&knumad_groups_lock);
	knumad_group_drop_exited(g, &members);
	gen = g->gen;
	list_for_each_entry(r, &g->ranges, node) {
		mmgrab(r->mm);
		check[nr] = (struct knumad_range_check) {
			.span = r,
			.mm = r->mm,
			.tgid = get_pid(r->tgid),
			.start = r->start,
			.end = r->end,
		};
		nr++;
	}
	spin_unlock(&knumad_groups_lock);

	for (i = 0; i < nr; i++) {
		struct knumad_range_check *c = &check[i];
		int mapped = err ? err : knumad_span_mapped(c->mm, c->start, c->end, trylock,
							    report ? &c->placeable : NULL);

		if (mapped == -EINTR)
			err = -EINTR;
		c->gone = !mapped;
		if (report && !err) {
			struct task_struct *t = get_pid_task(c->tgid, PIDTYPE_TGID);

			c->readable = t && ptrace_may_access(t, PTRACE_MODE_READ_FSCREDS);
			if (t)
				put_task_struct(t);
		}
	}

	/*
	 * Drop what was found unmapped only if the group did not change
	 * meanwhile: a span removed and freed since could have been replaced
	 * by a new one at the same address. A change leaves it to the next
	 * check.
	 */
	spin_lock(&knumad_groups_lock);
	same = g->gen == gen;
	for (i = 0; same && i < nr; i++) {
		if (!check[i].gone)
			continue;
		list_move(&check[i].span->node, &spans);
		g->nr_ranges--;
		g->gen++;
	}
	spin_unlock(&knumad_groups_lock);

	knumad_group_free_members(&members);
	knumad_group_free_spans(&spans);
	if (err) {
		knumad_range_checks_put(check, nr);
		return err;
	}
	return nr;
}

/**
 * knumad_group_prune() - Drop members that are gone.
 * @g: the group.
 * @trylock: take mmap_lock by trylock only (the knumad thread); a range
 *	whose mmap_lock is busy is kept until the next time. Else wait for
 *	it, killably.
 *
 * Threads that exited, ranges whose process exited, and ranges with
 * nothing mapped in them any more leave the group. The ranges are checked
 * on a copy, with knumad_groups_lock released.
 * Context: knumad_groups_lock not held; sleeps.
 * Return: 0, -ENOMEM, or -EINTR if a fatal signal interrupted a wait.
 */
int knumad_group_prune(struct knumad_group *g, bool trylock)
{
	struct knumad_range_check *check;
	int nr, err = 0;

	check = kmalloc_array(KNUMAD_GROUP_MAX_RANGES, sizeof(*check), GFP_KERNEL);
	if (!check)
		return -ENOMEM;
	nr = knumad_group_check_ranges(g, trylock, false, check);
	if (nr < 0)
		err = nr;
	else
		knumad_range_checks_put(check, nr);
	kfree(check);
	return err;
}

static struct knumad_group *knumad_group_alloc(int nid)
{
	struct knumad_group *g;

	g = kzalloc(struct_size(g, counts, 2 * nr_node_ids), GFP_KERNEL_ACCOUNT);
	if (!g)
		return NULL;
	kref_init(&g->ref);
	g->id = atomic_inc_return(&knumad_group_ids);
	INIT_LIST_HEAD(&g->tasks);
	INIT_LIST_HEAD(&g->ranges);
	g->nid = nid;
	g->changed = jiffies;
	return g;
}

/* The file is closed: unlink @g, free its members, drop the file's reference. */
static void knumad_group_destroy(struct knumad_group *g)
{
	struct knumad_group_member *m, *mtmp;
	LIST_HEAD(members);
	LIST_HEAD(spans);

	spin_lock(&knumad_groups_lock);
	list_del(&g->node);
	knumad_groups_count--;
	g->closed = true;
	list_for_each_entry_safe(m, mtmp, &g->tasks, node)
		knumad_group_unlink_member(g, m, &members);
	list_splice_init(&g->ranges, &spans);
	g->nr_ranges = 0;
	g->gen++;	/* a check in progress must not touch the spans */
	spin_unlock(&knumad_groups_lock);

	knumad_group_free_members(&members);
	knumad_group_free_spans(&spans);
	dec_ucount(g->ucounts, UCOUNT_KNUMAD_GROUPS);
	knumad_group_put(g);
}

static int knumad_group_release(struct inode *inode, struct file *file)
{
	knumad_group_destroy(file->private_data);
	return 0;
}

/* The check of the range @r in @check, if its walk saw it as it is. */
static struct knumad_range_check *
knumad_range_checked(struct knumad_group_span *r, struct knumad_range_check *check, int nr)
{
	int i;

	for (i = 0; i < nr; i++) {
		if (check[i].span == r && check[i].mm == r->mm && check[i].tgid == r->tgid &&
		    check[i].start == r->start && check[i].end == r->end)
			return &check[i];
	}
	return NULL;
}

/*
 * May the reader see where the group's memory is? Only if it may
 * ptrace-read every process with a range in the group: the per-node
 * counts tell about other users' memory as /proc/PID/numa_maps does.
 */
static bool knumad_group_pages_readable(struct knumad_group *g,
					struct knumad_range_check *check, int nr)
{
	struct knumad_group_span *r;
	int i;

	lockdep_assert_held(&knumad_groups_lock);
	list_for_each_entry(r, &g->ranges, node) {
		bool ok = false;

		for (i = 0; i < nr && !ok; i++)
			ok = check[i].tgid == r->tgid && check[i].readable;
		if (!ok)
			return false;
	}
	return true;
}

static void knumad_group_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct knumad_group *g = file->private_data;
	struct knumad_range_check *check, *c;
	unsigned long bytes = 0, placeable = 0;
	struct knumad_group_member *t;
	struct knumad_group_span *r;
	int nid, nr = -ENOMEM;

	/*
	 * Drop what is gone and learn, per range, what knumad can place and
	 * whether the reader may read its process. If that fails (no memory,
	 * a fatal signal), the lines that need it are left out.
	 */
	check = kmalloc_array(KNUMAD_GROUP_MAX_RANGES, sizeof(*check), GFP_KERNEL);
	if (check)
		nr = knumad_group_check_ranges(g, false, true, check);
	spin_lock(&knumad_groups_lock);
	seq_printf(m, "numa_group_id:\t%u\n", g->id);
	seq_printf(m, "numa_group_node:\t%d\n", READ_ONCE(g->nid));
	seq_printf(m, "numa_group_tasks:\t%u\n", g->nr_tasks);
	list_for_each_entry(t, &g->tasks, node)
		seq_printf(m, "numa_group_task:\t%d\n", pid_nr_ns(t->pid, ns));
	seq_printf(m, "numa_group_ranges:\t%u\n", g->nr_ranges);
	list_for_each_entry(r, &g->ranges, node) {
		seq_printf(m, "numa_group_range:\t%d %lx-%lx\n", pid_nr_ns(r->tgid, ns),
			   r->start, r->end);
		bytes += r->end - r->start;
		/* A range changed since the walk counts as not placeable. */
		c = nr > 0 ? knumad_range_checked(r, check, nr) : NULL;
		if (c)
			placeable += c->placeable;
	}
	seq_printf(m, "numa_group_bytes:\t%lu\n", bytes);
	if (nr >= 0)
		seq_printf(m, "numa_group_placeable_bytes:\t%lu\n", placeable);
	if (nr >= 0 && knumad_group_pages_readable(g, check, nr)) {
		seq_puts(m, "numa_group_pages:\t");
		for (nid = 0; nid < nr_node_ids; nid++)
			seq_printf(m, "%s%lu", nid ? " " : "", knumad_group_pages(g)[nid]);
		seq_putc(m, '\n');
	}
	seq_printf(m, "numa_group_node_changes:\t%lu\n", READ_ONCE(g->node_changes));
	seq_printf(m, "numa_group_pages_migrated:\t%lu\n", READ_ONCE(g->pages_migrated));
	spin_unlock(&knumad_groups_lock);
	if (nr > 0)
		knumad_range_checks_put(check, nr);
	kfree(check);
}

static const struct file_operations knumad_group_fops = {
	.release	= knumad_group_release,
	.show_fdinfo	= knumad_group_show_fdinfo,
	.llseek		= noop_llseek,
};

/**
 * sys_numa_group_create() - Create a numa_group.
 * @uattr: its attributes, or NULL (with @usize 0) for the defaults.
 * @usize: sizeof(*@uattr) as the caller knows it.
 * @flags: 0, or %NUMA_GROUP_CREATE_VERSION (with @uattr NULL and @usize
 *	0) to create nothing and learn the ABI version.
 *
 * Return: a close-on-exec descriptor for the new group, the ABI version
 * for %NUMA_GROUP_CREATE_VERSION, or a negative errno.
 */
SYSCALL_DEFINE3(numa_group_create, const struct numa_group_attr __user *, uattr,
		size_t, usize, unsigned int, flags)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	struct knumad_group *g;
	int err, fd;

	if (flags & ~NUMA_GROUP_CREATE_VERSION)
		return -EINVAL;
	if (flags & NUMA_GROUP_CREATE_VERSION)
		return uattr || usize ? -EINVAL : KNUMAD_GROUP_ABI_VERSION;
	if (usize && usize < NUMA_GROUP_ATTR_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (usize) {
		err = copy_struct_from_user(&attr, sizeof(attr), uattr, usize);
		if (err)
			return err;
	}
	if (attr.flags || attr.__reserved)
		return -EINVAL;
	/* A hint the scheduler can follow: a node with CPUs to run on. */
	if (attr.node != NUMA_GROUP_NODE_ANY &&
	    (attr.node < 0 || attr.node >= MAX_NUMNODES || !node_state(attr.node, N_CPU)))
		return -EINVAL;

	g = knumad_group_alloc(attr.node == NUMA_GROUP_NODE_ANY ? NUMA_NO_NODE : attr.node);
	if (!g)
		return -ENOMEM;
	g->ucounts = inc_ucount(current_user_ns(), current_euid(), UCOUNT_KNUMAD_GROUPS);
	if (!g->ucounts) {
		kfree(g);
		return -ENOSPC;
	}
	spin_lock(&knumad_groups_lock);
	list_add_tail(&g->node, &knumad_groups);
	knumad_groups_count++;
	spin_unlock(&knumad_groups_lock);

	/* From here the file owns @g: closing it (or failing) destroys it. */
	fd = anon_inode_getfd("[numa_group]", &knumad_group_fops, g, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		knumad_group_destroy(g);
	return fd;
}

/* A thread of @p that is not exiting, referenced; NULL if none is left. */
static struct task_struct *knumad_group_live_thread(struct task_struct *p)
{
	struct task_struct *t, *found = NULL;

	rcu_read_lock();
	for_each_thread(p, t) {
		if (!(t->flags & PF_EXITING)) {
			found = t;
			get_task_struct(t);
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * What @pidfd names, referenced: a thread (*@process false: the caller for
 * NUMA_GROUP_SELF_THREAD, the thread of a PIDFD_THREAD pidfd) or a process
 * (*@process true: the caller's for NUMA_GROUP_SELF_PROCESS, that of a
 * process pidfd), then as its leader or, if the leader is exiting, as
 * another of its threads.
 */
static struct task_struct *knumad_group_target(int pidfd, bool *process)
{
	struct task_struct *task, *live;
	unsigned int f_flags;
	struct pid *pid;

	*process = pidfd == NUMA_GROUP_SELF_PROCESS;
	if (pidfd == NUMA_GROUP_SELF_THREAD || pidfd == NUMA_GROUP_SELF_PROCESS) {
		get_task_struct(current);
		return current;
	}
	if (pidfd < 0)
		return ERR_PTR(-EBADF);
	pid = pidfd_get_pid(pidfd, &f_flags);
	if (IS_ERR(pid))
		return ERR_CAST(pid);
	*process = !(f_flags & PIDFD_THREAD);
	task = get_pid_task(pid, *process ? PIDTYPE_TGID : PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);
	if (*process && (task->flags & PF_EXITING)) {
		live = knumad_group_live_thread(task);
		if (live) {
			put_task_struct(task);
			task = live;
		}
	}
	return task;
}

/*
 * The memory of @task, referenced, if the caller may act on it: the rule
 * of process_madvise(): its own process, or ptrace-read rights over it
 * (PTRACE_MODE_READ_FSCREDS) and CAP_SYS_NICE. ERR_PTR(-ESRCH) if @task
 * has no memory (exited, a zombie), -EPERM if the caller may not.
 */
static struct mm_struct *knumad_group_target_mm(struct task_struct *task)
{
	struct mm_struct *mm;
	int err;

	if (same_thread_group(task, current)) {
		mm = get_task_mm(task);
		return mm ?: ERR_PTR(-ESRCH);
	}
	mm = mm_access(task, PTRACE_MODE_READ_FSCREDS);
	if (!mm)
		return ERR_PTR(-ESRCH);
	if (IS_ERR(mm))
		return PTR_ERR(mm) == -EACCES ? ERR_PTR(-EPERM) : mm;
	err = capable(CAP_SYS_NICE) ? security_task_movememory(task) : -EPERM;
	if (err) {
		mmput(mm);
		return ERR_PTR(err);
	}
	return mm;
}

/* The group behind @f, or NULL if it is some other file. */
static struct knumad_group *knumad_group_of(struct file *f)
{
	return f->f_op == &knumad_group_fops ? f->private_data : NULL;
}

/* Is all of [@start, @end) mapped in @mm? */
static int knumad_group_check_mapped(struct mm_struct *mm, unsigned long start,
				     unsigned long end)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;
	unsigned long addr = start;
	int err = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for_each_vma_range(vmi, vma, end) {
		if (vma->vm_start > addr)
			break;
		addr = vma->vm_end;
	}
	if (addr < end)
		err = -ENOMEM;
	mmap_read_unlock(mm);
	return err;
}

static bool knumad_span_overlaps(struct knumad_group_span *r, struct mm_struct *mm,
				 unsigned long start, unsigned long end)
{
	return r->mm == mm && r->start < end && start < r->end;
}

static int knumad_group_add_range(struct knumad_group *g, struct task_struct *task,
				  struct mm_struct *mm, unsigned long start,
				  unsigned long end)
{
	struct knumad_group_span *r, *before = NULL, *after = NULL, *new;
	struct knumad_group *other;
	LIST_HEAD(freed);
	int err;

	err = knumad_group_check_mapped(mm, start, end);
	if (err)
		return err;
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	new->tgid = get_task_pid(task, PIDTYPE_TGID);

	spin_lock(&knumad_groups_lock);
	list_for_each_entry(other, &knumad_groups, node) {
		list_for_each_entry(r, &other->ranges, node) {
			if (knumad_span_overlaps(r, mm, start, end)) {
				err = -EBUSY;
				goto out;
			}
		}
	}
	list_for_each_entry(r, &g->ranges, node) {
		if (r->mm != mm)
			continue;
		if (r->end == start)
			before = r;
		if (r->start == end)
			after = r;
	}
	if (before && after) {
		/* Fills the gap between two ranges: one range now. */
		before->end = after->end;
		list_move(&after->node, &freed);
		g->nr_ranges--;
	} else if (before) {
		before->end = end;
	} else if (after) {
		after->start = start;
	} else if (g->nr_ranges >= KNUMAD_GROUP_MAX_RANGES) {
		err = -ENOSPC;
		goto out;
	} else {
		mmgrab(mm);
		new->mm = mm;
		new->start = start;
		new->end = end;
		list_add_tail(&new->node, &g->ranges);
		g->nr_ranges++;
		new = NULL;
	}
	g->gen++;
out:
	spin_unlock(&knumad_groups_lock);
	knumad_group_free_spans(&freed);
	if (new) {
		put_pid(new->tgid);
		kfree(new);
	}
	return err;
}

static int knumad_group_remove_range(struct knumad_group *g, struct mm_struct *mm,
				     unsigned long start, unsigned long end)
{
	struct knumad_group_span *r, *tmp, *split = NULL, *tail;
	LIST_HEAD(freed);
	bool found = false;
	int err = 0;

	tail = kzalloc(sizeof(*tail), GFP_KERNEL_ACCOUNT);
	if (!tail)
		return -ENOMEM;

	spin_lock(&knumad_groups_lock);
	/* Ranges of a group never overlap: at most one contains the hole. */
	list_for_each_entry(r, &g->ranges, node) {
		if (!knumad_span_overlaps(r, mm, start, end))
			continue;
		found = true;
		if (r->start < start && end < r->end)
			split = r;
	}
	if (!found) {
		err = -ENOENT;
		goto out;
	}
	if (split && g->nr_ranges >= KNUMAD_GROUP_MAX_RANGES) {
		err = -ENOSPC;
		goto out;
	}
	if (split) {
		mmgrab(mm);
		*tail = *split;
		get_pid(tail->tgid);
		tail->start = end;
		split->end = start;
		list_add_tail(&tail->node, &g->ranges);
		g->nr_ranges++;
		tail = NULL;
	} else {
		list_for_each_entry_safe(r, tmp, &g->ranges, node) {
			if (!knumad_span_overlaps(r, mm, start, end))
				continue;
			if (start <= r->start && r->end <= end) {
				list_move(&r->node, &freed);
				g->nr_ranges--;
			} else if (r->start < start) {
				r->end = start;
			} else {
				r->start = end;
			}
		}
	}
	g->gen++;
out:
	spin_unlock(&knumad_groups_lock);
	knumad_group_free_spans(&freed);
	kfree(tail);
	return err;
}

/**
 * sys_numa_group_mem() - Put a range of memory into a group or take it out.
 * @group_fd: the group's descriptor.
 * @pidfd: the process: a pidfd (of a process or of one of its threads), or
 *	%NUMA_GROUP_SELF_THREAD or %NUMA_GROUP_SELF_PROCESS for the caller's.
 * @start: the first byte, page aligned.
 * @len: the length, rounded up to a page.
 * @flags: 0, or %NUMA_GROUP_REMOVE to take the range out.
 *
 * Return: 0 or a negative errno; a call that fails changes nothing.
 */
SYSCALL_DEFINE5(numa_group_mem, int, group_fd, int, pidfd, unsigned long, start,
		unsigned long, len, unsigned int, flags)
{
	struct task_struct *task;
	struct knumad_group *g;
	struct mm_struct *mm;
	unsigned long end;
	bool process;
	int err;

	if (flags & ~NUMA_GROUP_REMOVE)
		return -EINVAL;
	CLASS(fd, f)(group_fd);
	if (fd_empty(f))
		return -EBADF;
	g = knumad_group_of(fd_file(f));
	if (!g)
		return -EBADFD;
	if (offset_in_page(start) || !len || len > TASK_SIZE_MAX)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end <= start || end > TASK_SIZE_MAX)
		return -EINVAL;

	/* A thread or its process: the memory is the same. */
	task = knumad_group_target(pidfd, &process);
	if (IS_ERR(task))
		return PTR_ERR(task);
	mm = knumad_group_target_mm(task);
	err = PTR_ERR(mm);
	if (IS_ERR(mm))
		goto out_task;
	err = -EINVAL;
	if (end > mm->task_size)
		goto out_mm;

	if (flags & NUMA_GROUP_REMOVE)
		err = knumad_group_remove_range(g, mm, start, end);
	else
		err = knumad_group_add_range(g, task, mm, start, end);
out_mm:
	mmput(mm);
out_task:
	put_task_struct(task);
	return err;
}

static void knumad_put_threads(struct task_struct **threads, int nr)
{
	while (nr--)
		put_task_struct(threads[nr]);
	kfree(threads);
}

/*
 * The threads of @p that are not exiting, referenced, in a new array
 * (*@threads; release with knumad_put_threads()). Return: how many,
 * -ENOSPC if more than a group may hold, -ENOMEM.
 */
static int knumad_get_threads(struct task_struct *p, struct task_struct ***threads)
{
	struct task_struct **arr, *t;
	int n = 0, nr;
	bool more;

	for (;;) {
		n = min(max(2 * n, get_nr_threads(p) + 1), KNUMAD_GROUP_MAX_TASKS + 1);
		arr = kmalloc_array(n, sizeof(*arr), GFP_KERNEL);
		if (!arr)
			return -ENOMEM;
		nr = 0;
		more = false;
		rcu_read_lock();
		for_each_thread(p, t) {
			if (t->flags & PF_EXITING)
				continue;
			if (nr == n) {
				more = true;
				break;
			}
			arr[nr++] = get_task_struct(t);
		}
		rcu_read_unlock();
		if (!more) {
			*threads = arr;
			return nr;
		}
		knumad_put_threads(arr, nr);
		if (n > KNUMAD_GROUP_MAX_TASKS)
			return -ENOSPC;
	}
}

/*
 * The group @kt's thread is in, by its mark, if the mark is true: the group
 * is still listed and has a member with the thread's @pid. A non-leader
 * thread that execs takes its leader's pid, and its member (the old pid)
 * goes with the leader, so no one clears its mark: clear it here.
 */
static struct knumad_group *knumad_task_group(struct knumad_task *kt, struct pid *pid)
{
	struct knumad_group *g = kt->group, *it;
	struct knumad_group_member *m;

	lockdep_assert_held(&knumad_groups_lock);
	if (!g)
		return NULL;
	/* Only a listed group may be looked into: the mark holds no reference. */
	list_for_each_entry(it, &knumad_groups, node) {
		if (it != g)
			continue;
		list_for_each_entry(m, &g->tasks, node) {
			if (m->pid == pid)
				return g;
		}
		break;
	}
	WRITE_ONCE(kt->group, NULL);
	return NULL;
}

/*
 * Put @nr threads into @g, all or none: -EBUSY if one is in another group;
 * those already in @g stay as they are. A thread reaped since it was found
 * (a reference does not keep its pid: release_task() detaches it) is left
 * out as if it had joined and exited; -ESRCH if all of them were.
 */
static int knumad_group_add_tasks(struct knumad_group *g, struct task_struct **threads, int nr)
{
	struct knumad_group_member **new;
	struct knumad_task **kt;
	int i, adding = 0, alive = 0, err = 0;
	LIST_HEAD(gone);

	kt = kcalloc(nr, sizeof(*kt), GFP_KERNEL);
	new = kcalloc(nr, sizeof(*new), GFP_KERNEL);
	if (!kt || !new) {
		err = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < nr; i++) {
		kt[i] = knumad_task_get(threads[i], GFP_KERNEL_ACCOUNT);
		new[i] = kzalloc(sizeof(*new[i]), GFP_KERNEL_ACCOUNT);
		if (!kt[i] || !new[i]) {
			err = -ENOMEM;
			goto out_free;
		}
		/* NULL once reaped; from here on a reaped thread is just gone. */
		new[i]->pid = get_task_pid(threads[i], PIDTYPE_PID);
		alive += !!new[i]->pid;
	}
	if (!alive) {
		err = -ESRCH;
		goto out_free;
	}

	spin_lock(&knumad_groups_lock);
	for (i = 0; i < nr; i++) {
		struct knumad_group *cur;

		if (!new[i]->pid)
			continue;
		cur = knumad_task_group(kt[i], new[i]->pid);
		if (cur && cur != g) {
			err = -EBUSY;
			goto out;
		}
		/* Again into its own group: nothing to do. */
		adding += !cur;
	}
	if (g->nr_tasks + adding > KNUMAD_GROUP_MAX_TASKS) {
		/* Exited members do not count against the limit. */
		knumad_group_drop_exited(g, &gone);
		if (g->nr_tasks + adding > KNUMAD_GROUP_MAX_TASKS) {
			err = -ENOSPC;
			goto out;
		}
	}
	for (i = 0; i < nr; i++) {
		if (!new[i]->pid || kt[i]->group)
			continue;
		list_add_tail(&new[i]->node, &g->tasks);
		WRITE_ONCE(kt[i]->group, g);
		g->nr_tasks++;
		new[i] = NULL;
	}
	if (adding)
		g->gen++;
out:
	spin_unlock(&knumad_groups_lock);
	knumad_group_free_members(&gone);
out_free:
	for (i = 0; new && i < nr; i++) {
		if (new[i])
			put_pid(new[i]->pid);
		kfree(new[i]);
	}
	kfree(new);
	kfree(kt);
	return err;
}

/* Take @task (@process: every thread of its process) out of @g. */
static int knumad_group_remove_tasks(struct knumad_group *g, struct task_struct *task,
				     bool process)
{
	struct knumad_group_member *m, *tmp;
	struct task_struct *t;
	LIST_HEAD(gone);
	bool match;

	spin_lock(&knumad_groups_lock);
	list_for_each_entry_safe(m, tmp, &g->tasks, node) {
		if (process) {
			rcu_read_lock();
			t = pid_task(m->pid, PIDTYPE_PID);
			match = t && same_thread_group(t, task);
			rcu_read_unlock();
		} else {
			match = m->pid == task_pid(task);
		}
		if (match)
			knumad_group_unlink_member(g, m, &gone);
	}
	spin_unlock(&knumad_groups_lock);
	if (list_empty(&gone))
		return -ENOENT;
	knumad_group_free_members(&gone);
	return 0;
}

/**
 * sys_numa_group_task() - Put threads into a group or take them out.
 * @group_fd: the group's descriptor.
 * @pidfd: one thread (a %PIDFD_THREAD pidfd, or %NUMA_GROUP_SELF_THREAD
 *	for the caller), or every thread of a process (a process pidfd, or
 *	%NUMA_GROUP_SELF_PROCESS for the caller's).
 * @flags: 0, or %NUMA_GROUP_REMOVE to take them out.
 *
 * Return: 0 or a negative errno; a call that fails changes nothing.
 */
SYSCALL_DEFINE3(numa_group_task, int, group_fd, int, pidfd, unsigned int, flags)
{
	struct task_struct *task, **threads;
	struct knumad_group *g;
	struct mm_struct *mm;
	bool process;
	int err, nr;

	if (flags & ~NUMA_GROUP_REMOVE)
		return -EINVAL;
	CLASS(fd, f)(group_fd);
	if (fd_empty(f))
		return -EBADF;
	g = knumad_group_of(fd_file(f));
	if (!g)
		return -EBADFD;

	task = knumad_group_target(pidfd, &process);
	if (IS_ERR(task))
		return PTR_ERR(task);
	err = -EINVAL;
	if (task->flags & PF_KTHREAD)
		goto out;
	err = -ESRCH;
	if (task->flags & PF_EXITING)
		goto out;
	mm = knumad_group_target_mm(task);
	err = PTR_ERR(mm);
	if (IS_ERR(mm))
		goto out;
	mmput(mm);

	if (flags & NUMA_GROUP_REMOVE) {
		err = knumad_group_remove_tasks(g, task, process);
	} else if (process) {
		nr = knumad_get_threads(task, &threads);
		err = nr;
		if (nr > 0) {
			err = knumad_group_add_tasks(g, threads, nr);
			knumad_put_threads(threads, nr);
		} else if (!nr) {
			err = -ESRCH;
			kfree(threads);
		}
	} else {
		err = knumad_group_add_tasks(g, &task, 1);
	}
out:
	put_task_struct(task);
	return err;
}
