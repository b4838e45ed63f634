// SPDX-License-Identifier: GPL-2.0
/*
 * numa_group: soft NUMA bindings, the syscalls and the group object.
 *
 * A group is a file descriptor (closing it ends the group) that names
 * threads and address ranges, possibly of other processes, that belong
 * together. Where they go is knumad's choice (group.c, as a unit of each
 * pass); here is only membership: who may add what, at most one group per
 * thread and per byte of memory, and clean-up of members that are gone.
 * Every failing call returns before it changes anything.
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
#include <linux/knumad.h>
#include <linux/mm.h>
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
#include <uapi/linux/numa_group.h>

#include "group.h"
#include "internal.h"

/* Protects every group and the list; see group.h. */
DEFINE_SPINLOCK(knumad_groups_lock);
LIST_HEAD(knumad_groups);
unsigned int knumad_groups_count;

static const struct file_operations knumad_group_fops;

/* The last group id given out. */
static atomic_t knumad_group_ids = ATOMIC_INIT(0);

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
		if (pid_has_task(m->pid, PIDTYPE_PID))
			continue;
		list_del(&m->node);
		g->nr_tasks--;
		g->gen++;
		list_add(&m->node, gone);
	}
}

/* Is anything of [@start, @end) of @mm still mapped? < 0: lock busy. */
static int knumad_span_mapped(struct mm_struct *mm, unsigned long start,
			      unsigned long end, bool trylock)
{
	bool mapped;

	if (trylock) {
		if (!mmap_read_trylock(mm))
			return -EBUSY;
	} else if (mmap_read_lock_killable(mm)) {
		return -EINTR;
	}
	mapped = atomic_read(&mm->mm_users) && find_vma_intersection(mm, start, end);
	mmap_read_unlock(mm);
	return mapped;
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
 * Return: 0, or -EINTR if a fatal signal interrupted a wait.
 */
int knumad_group_prune(struct knumad_group *g, bool trylock)
{
	struct knumad_prune_check {
		struct knumad_group_span *span;
		struct mm_struct *mm;
		unsigned long start;
		unsigned long end;
		bool gone;
	} *check;
	struct knumad_group_span *r;
	LIST_HEAD(members);
	LIST_HEAD(spans);
	int i, nr = 0, err = 0;

	check = kmalloc_array(KNUMAD_GROUP_MAX_RANGES, sizeof(*check), GFP_KERNEL);
	if (!check)
		return -ENOMEM;
	spin_lock(&knumad_groups_lock);
	knumad_group_drop_exited(g, &members);
	list_for_each_entry(r, &g->ranges, node) {
		mmgrab(r->mm);
		check[nr].span = r;
		check[nr].mm = r->mm;
		check[nr].start = r->start;
		check[nr].end = r->end;
		nr++;
	}
	spin_unlock(&knumad_groups_lock);

	for (i = 0; i < nr; i++) {
		int mapped = err ? err : knumad_span_mapped(check[i].mm, check[i].start,
							    check[i].end, trylock);

		if (mapped == -EINTR)
			err = -EINTR;
		check[i].gone = !mapped;
	}

	spin_lock(&knumad_groups_lock);
	for (i = 0; i < nr; i++) {
		if (!check[i].gone)
			continue;
		/* Still there? (It may have been removed meanwhile.) */
		list_for_each_entry(r, &g->ranges, node) {
			if (r == check[i].span) {
				list_move(&r->node, &spans);
				g->nr_ranges--;
				g->gen++;
				break;
			}
		}
	}
	spin_unlock(&knumad_groups_lock);

	for (i = 0; i < nr; i++)
		mmdrop(check[i].mm);
	kfree(check);
	knumad_group_free_members(&members);
	knumad_group_free_spans(&spans);
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
	g->owner = current_uid();
	g->nid = nid;
	g->changed = jiffies;
	return g;
}

static unsigned int knumad_group_nr_owned(kuid_t uid)
{
	struct knumad_group *g;
	unsigned int nr = 0;

	lockdep_assert_held(&knumad_groups_lock);
	list_for_each_entry(g, &knumad_groups, node)
		nr += uid_eq(g->owner, uid);
	return nr;
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
	spin_unlock(&knumad_groups_lock);

	knumad_group_free_members(&members);
	knumad_group_free_spans(&spans);
	knumad_group_put(g);
}

static int knumad_group_release(struct inode *inode, struct file *file)
{
	knumad_group_destroy(file->private_data);
	return 0;
}

static void knumad_group_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct knumad_group *g = file->private_data;
	struct knumad_group_member *t;
	struct knumad_group_span *r;
	unsigned long bytes = 0;
	int nid;

	/* A fatal signal leaves the members as they are; print them anyway. */
	knumad_group_prune(g, false);
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
	}
	seq_printf(m, "numa_group_bytes:\t%lu\n", bytes);
	seq_puts(m, "numa_group_pages:\t");
	for (nid = 0; nid < nr_node_ids; nid++)
		seq_printf(m, "%s%lu", nid ? " " : "", knumad_group_pages(g)[nid]);
	seq_printf(m, "\nnuma_group_node_changes:\t%lu\n", READ_ONCE(g->node_changes));
	seq_printf(m, "numa_group_pages_migrated:\t%lu\n", READ_ONCE(g->pages_migrated));
	spin_unlock(&knumad_groups_lock);
}

static const struct file_operations knumad_group_fops = {
	.release	= knumad_group_release,
	.show_fdinfo	= knumad_group_show_fdinfo,
	.llseek		= noop_llseek,
};

SYSCALL_DEFINE3(numa_group_create, const struct numa_group_attr __user *, uattr,
		size_t, usize, unsigned int, flags)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	struct knumad_group *g;
	int err, fd;

	if (flags || (usize && usize < NUMA_GROUP_ATTR_SIZE_VER0))
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
	if (attr.node != NUMA_GROUP_NODE_ANY &&
	    (attr.node < 0 || attr.node >= MAX_NUMNODES || !node_online(attr.node)))
		return -EINVAL;

	g = knumad_group_alloc(attr.node == NUMA_GROUP_NODE_ANY ? NUMA_NO_NODE : attr.node);
	if (!g)
		return -ENOMEM;
	spin_lock(&knumad_groups_lock);
	if (knumad_group_nr_owned(g->owner) >= KNUMAD_GROUP_MAX_PER_USER) {
		spin_unlock(&knumad_groups_lock);
		kfree(g);
		return -ENOSPC;
	}
	list_add_tail(&g->node, &knumad_groups);
	knumad_groups_count++;
	spin_unlock(&knumad_groups_lock);

	/* From here the file owns @g: closing it (or failing) destroys it. */
	fd = anon_inode_getfd("[numa_group]", &knumad_group_fops, g, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		knumad_group_destroy(g);
	return fd;
}

/*
 * The thread @pidfd names, referenced: the caller for NUMA_GROUP_SELF, else
 * the thread of a PIDFD_THREAD pidfd or the leader of a process pidfd.
 */
static struct task_struct *knumad_group_target(int pidfd)
{
	struct task_struct *task;
	unsigned int f_flags;
	struct pid *pid;

	if (pidfd == NUMA_GROUP_SELF) {
		get_task_struct(current);
		return current;
	}
	if (pidfd < 0)
		return ERR_PTR(-EBADF);
	pid = pidfd_get_pid(pidfd, &f_flags);
	if (IS_ERR(pid))
		return ERR_CAST(pid);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	return task ?: ERR_PTR(-ESRCH);
}

/* The rule of migrate_pages(2): one's own, ptrace rights, or CAP_SYS_NICE. */
static int knumad_group_may_act(struct task_struct *task)
{
	if (same_thread_group(task, current))
		return 0;
	if (!ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS) &&
	    !capable(CAP_SYS_NICE))
		return -EPERM;
	return security_task_movememory(task);
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

SYSCALL_DEFINE5(numa_group_mem, int, group_fd, int, pidfd, unsigned long, start,
		unsigned long, len, unsigned int, flags)
{
	struct task_struct *task;
	struct knumad_group *g;
	struct mm_struct *mm;
	unsigned long end;
	int err;

	if (flags & ~NUMA_GROUP_REMOVE)
		return -EINVAL;
	CLASS(fd, f)(group_fd);
	if (fd_empty(f))
		return -EBADF;
	g = knumad_group_of(fd_file(f));
	if (!g)
		return -EINVAL;
	if (offset_in_page(start) || !len || len > TASK_SIZE_MAX)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end <= start || end > TASK_SIZE_MAX)
		return -EINVAL;

	task = knumad_group_target(pidfd);
	if (IS_ERR(task))
		return PTR_ERR(task);
	mm = get_task_mm(task);
	err = -ESRCH;
	if (!mm)
		goto out_task;
	err = -EINVAL;
	if (end > mm->task_size)
		goto out_mm;
	err = knumad_group_may_act(task);
	if (err)
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

static int knumad_group_add_task(struct knumad_group *g, struct task_struct *task)
{
	struct knumad_group_member *new;
	struct knumad_task *kt;
	LIST_HEAD(gone);
	int err = 0;

	kt = knumad_task_get(task, GFP_KERNEL_ACCOUNT);
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!kt || !new) {
		kfree(new);
		return -ENOMEM;
	}
	spin_lock(&knumad_groups_lock);
	if (kt->group) {
		/* Again into its own group: nothing to do. */
		err = kt->group == g ? 0 : -EBUSY;
		goto out;
	}
	if (g->nr_tasks >= KNUMAD_GROUP_MAX_TASKS) {
		/* Exited members do not count against the limit. */
		knumad_group_drop_exited(g, &gone);
		if (g->nr_tasks >= KNUMAD_GROUP_MAX_TASKS) {
			err = -ENOSPC;
			goto out;
		}
	}
	new->pid = get_pid(task_pid(task));
	list_add_tail(&new->node, &g->tasks);
	WRITE_ONCE(kt->group, g);
	g->nr_tasks++;
	g->gen++;
	new = NULL;
out:
	spin_unlock(&knumad_groups_lock);
	knumad_group_free_members(&gone);
	kfree(new);
	return err;
}

static int knumad_group_remove_task(struct knumad_group *g, struct task_struct *task)
{
	struct knumad_group_member *m, *found = NULL;
	LIST_HEAD(gone);

	spin_lock(&knumad_groups_lock);
	list_for_each_entry(m, &g->tasks, node) {
		if (m->pid == task_pid(task)) {
			found = m;
			break;
		}
	}
	if (found)
		knumad_group_unlink_member(g, found, &gone);
	spin_unlock(&knumad_groups_lock);
	if (!found)
		return -ENOENT;
	knumad_group_free_members(&gone);
	return 0;
}

SYSCALL_DEFINE3(numa_group_task, int, group_fd, int, pidfd, unsigned int, flags)
{
	struct task_struct *task;
	struct knumad_group *g;
	int err;

	if (flags & ~NUMA_GROUP_REMOVE)
		return -EINVAL;
	CLASS(fd, f)(group_fd);
	if (fd_empty(f))
		return -EBADF;
	g = knumad_group_of(fd_file(f));
	if (!g)
		return -EINVAL;

	task = knumad_group_target(pidfd);
	if (IS_ERR(task))
		return PTR_ERR(task);
	err = -EINVAL;
	if (task->flags & PF_KTHREAD)
		goto out;
	err = -ESRCH;
	if (task->flags & PF_EXITING)
		goto out;
	err = knumad_group_may_act(task);
	if (err)
		goto out;
	if (flags & NUMA_GROUP_REMOVE)
		err = knumad_group_remove_task(g, task);
	else
		err = knumad_group_add_task(g, task);
out:
	put_task_struct(task);
	return err;
}
