// SPDX-License-Identifier: GPL-2.0
/*
 * numa_group: soft NUMA bindings, the syscalls and the group object.
 *
 * A group is a file descriptor (closing it ends the group) that names
 * threads and address ranges, possibly of other processes, that belong
 * together. Where they go is knumad's choice (group_balance.c); here is
 * only membership: who may add what, at most one group per thread and per
 * byte of memory, and clean-up of members that are gone. Every failing
 * call returns before it changes anything.
 * See Documentation/userspace-api/numa_group.rst.
 *
 * Locking: numa_group_mutex protects all groups (see numa_group.h); it is
 * taken with no other lock held, and mmap_lock nests inside it.
 */
#define pr_fmt(fmt) "knumad: " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hashtable.h>
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

#include "numa_group.h"

/* Protects every group and the member hash; see numa_group.h. */
DEFINE_MUTEX(numa_group_mutex);
LIST_HEAD(numa_groups);

/* Every grouped thread, by its struct pid: a thread is in one group. */
static DEFINE_HASHTABLE(numa_group_members, 8);

static const struct file_operations numa_group_fops;

static struct numa_group_member *numa_group_find_member(struct pid *pid)
{
	struct numa_group_member *m;

	lockdep_assert_held(&numa_group_mutex);
	hash_for_each_possible(numa_group_members, m, hash, (unsigned long)pid) {
		if (m->pid == pid)
			return m;
	}
	return NULL;
}

/* knumad no longer places this thread for the group. */
static void numa_group_release_task(struct pid *pid)
{
	struct task_struct *t;

	if (!knumad_enabled())
		return;
	t = get_pid_task(pid, PIDTYPE_PID);
	if (t) {
		knumad_sched_place(t, NUMA_NO_NODE);
		put_task_struct(t);
	}
}

static void numa_group_del_member(struct numa_group *g, struct numa_group_member *m)
{
	lockdep_assert_held(&numa_group_mutex);
	hash_del(&m->hash);
	list_del(&m->node);
	g->nr_tasks--;
	numa_group_release_task(m->pid);
	put_pid(m->pid);
	kfree(m);
}

static void numa_group_del_range(struct numa_group *g, struct numa_group_range *r)
{
	lockdep_assert_held(&numa_group_mutex);
	list_del(&r->node);
	g->nr_ranges--;
	mmdrop(r->mm);
	kfree(r);
}

/**
 * numa_group_changed() - Membership changed: restart knumad's walks.
 * @g: the group.
 *
 * The count and the migration walk of a group go through its ranges by
 * index; after a change they start over, and the count in progress is
 * dropped so it never mixes two memberships.
 */
void numa_group_changed(struct numa_group *g)
{
	lockdep_assert_held(&numa_group_mutex);
	g->count_range = 0;
	g->count_addr = 0;
	g->mig_range = 0;
	g->mig_addr = 0;
	memset(numa_group_counting(g), 0, nr_node_ids * sizeof(unsigned long));
}

/* Is anything of [@r->start, @r->end) still mapped? -1 if mmap_lock busy. */
static int numa_group_range_mapped(struct numa_group_range *r, struct mm_struct *mm,
				   bool trylock)
{
	bool mapped;

	if (trylock) {
		if (!mmap_read_trylock(mm))
			return -1;
	} else {
		mmap_read_lock(mm);
	}
	mapped = find_vma_intersection(mm, r->start, r->end);
	mmap_read_unlock(mm);
	return mapped;
}

/**
 * numa_group_prune() - Drop members that are gone.
 * @g: the group.
 * @trylock: take mmap_lock by trylock only (the knumad thread); a range
 *	whose mmap_lock is busy is kept until the next time.
 *
 * Threads that exited, ranges whose process exited, and ranges with
 * nothing mapped in them any more leave the group.
 */
void numa_group_prune(struct numa_group *g, bool trylock)
{
	struct numa_group_member *m, *mtmp;
	struct numa_group_range *r, *rtmp;
	bool changed = false;

	lockdep_assert_held(&numa_group_mutex);
	list_for_each_entry_safe(m, mtmp, &g->tasks, node) {
		if (!pid_has_task(m->pid, PIDTYPE_PID))
			numa_group_del_member(g, m);
	}
	list_for_each_entry_safe(r, rtmp, &g->ranges, node) {
		int mapped = 0;

		if (mmget_not_zero(r->mm)) {
			mapped = numa_group_range_mapped(r, r->mm, trylock);
			mmput(r->mm);
		}
		if (!mapped) {
			numa_group_del_range(g, r);
			changed = true;
		}
	}
	if (changed)
		numa_group_changed(g);
}

static struct numa_group *numa_group_alloc(int nid)
{
	struct numa_group *g;

	g = kzalloc(struct_size(g, counts, 3 * nr_node_ids), GFP_KERNEL_ACCOUNT);
	if (!g)
		return NULL;
	INIT_LIST_HEAD(&g->tasks);
	INIT_LIST_HEAD(&g->ranges);
	g->owner = current_uid();
	g->nid = nid;
	g->changed_jiffies = jiffies;
	g->mig_dst = NUMA_NO_NODE;
	return g;
}

static unsigned int numa_group_nr_owned(kuid_t uid)
{
	struct numa_group *g;
	unsigned int nr = 0;

	lockdep_assert_held(&numa_group_mutex);
	list_for_each_entry(g, &numa_groups, node)
		nr += uid_eq(g->owner, uid);
	return nr;
}

/* Unlink @g and free it with everything it holds. */
static void numa_group_destroy(struct numa_group *g)
{
	struct numa_group_member *m, *mtmp;
	struct numa_group_range *r, *rtmp;

	mutex_lock(&numa_group_mutex);
	list_del(&g->node);
	list_for_each_entry_safe(m, mtmp, &g->tasks, node)
		numa_group_del_member(g, m);
	list_for_each_entry_safe(r, rtmp, &g->ranges, node)
		numa_group_del_range(g, r);
	mutex_unlock(&numa_group_mutex);
	kfree(g);
}

static int numa_group_release(struct inode *inode, struct file *file)
{
	numa_group_destroy(file->private_data);
	return 0;
}

static void numa_group_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct numa_group *g = file->private_data;
	struct numa_group_member *t;
	struct numa_group_range *r;
	struct pid_namespace *ns = task_active_pid_ns(current);
	unsigned long bytes = 0;
	int nid;

	mutex_lock(&numa_group_mutex);
	numa_group_prune(g, false);
	seq_printf(m, "numa_group_node:\t%d\n", g->nid);
	seq_printf(m, "numa_group_tasks:\t%u\n", g->nr_tasks);
	list_for_each_entry(t, &g->tasks, node)
		seq_printf(m, "numa_group_task:\t%d\n", pid_nr_ns(t->pid, ns));
	seq_printf(m, "numa_group_ranges:\t%u\n", g->nr_ranges);
	list_for_each_entry(r, &g->ranges, node) {
		seq_printf(m, "numa_group_range:\t%d %lx-%lx\n", r->tgid, r->start, r->end);
		bytes += r->end - r->start;
	}
	seq_printf(m, "numa_group_bytes:\t%lu\n", bytes);
	seq_puts(m, "numa_group_pages:\t");
	for (nid = 0; nid < nr_node_ids; nid++)
		seq_printf(m, "%s%lu", nid ? " " : "", numa_group_pages(g)[nid]);
	seq_printf(m, "\nnuma_group_node_changes:\t%lu\n", g->node_changes);
	seq_printf(m, "numa_group_pages_migrated:\t%lu\n", g->pages_migrated);
	mutex_unlock(&numa_group_mutex);
}

static const struct file_operations numa_group_fops = {
	.release	= numa_group_release,
	.show_fdinfo	= numa_group_show_fdinfo,
	.llseek		= noop_llseek,
};

SYSCALL_DEFINE3(numa_group_create, const struct numa_group_attr __user *, uattr,
		size_t, usize, unsigned int, flags)
{
	struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
	struct numa_group *g;
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

	g = numa_group_alloc(attr.node == NUMA_GROUP_NODE_ANY ? NUMA_NO_NODE : attr.node);
	if (!g)
		return -ENOMEM;
	mutex_lock(&numa_group_mutex);
	if (numa_group_nr_owned(g->owner) >= NUMA_GROUP_MAX_PER_USER) {
		mutex_unlock(&numa_group_mutex);
		kfree(g);
		return -ENOSPC;
	}
	list_add_tail(&g->node, &numa_groups);
	mutex_unlock(&numa_group_mutex);

	/* From here the file owns @g: closing it (or failing) destroys it. */
	fd = anon_inode_getfd("[numa_group]", &numa_group_fops, g, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		numa_group_destroy(g);
	return fd;
}

/*
 * The thread @pidfd names, referenced: the caller for NUMA_GROUP_SELF, else
 * the thread of a PIDFD_THREAD pidfd or the leader of a process pidfd.
 */
static struct task_struct *numa_group_target(int pidfd)
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
static int numa_group_may_act(struct task_struct *task)
{
	if (same_thread_group(task, current))
		return 0;
	if (!ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS) &&
	    !capable(CAP_SYS_NICE))
		return -EPERM;
	return security_task_movememory(task);
}

/* The group behind @f, or NULL if it is some other file. */
static struct numa_group *numa_group_of(struct file *f)
{
	return f->f_op == &numa_group_fops ? f->private_data : NULL;
}

/* Is all of [@start, @end) mapped in @mm? */
static int numa_group_check_mapped(struct mm_struct *mm, unsigned long start,
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

static bool numa_group_overlaps(struct numa_group_range *r, struct mm_struct *mm,
				unsigned long start, unsigned long end)
{
	return r->mm == mm && r->start < end && start < r->end;
}

static int numa_group_add_range(struct numa_group *g, struct task_struct *task,
				struct mm_struct *mm, unsigned long start,
				unsigned long end)
{
	struct numa_group_range *r, *before = NULL, *after = NULL, *new;
	struct numa_group *other;
	int err;

	err = numa_group_check_mapped(mm, start, end);
	if (err)
		return err;
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;

	mutex_lock(&numa_group_mutex);
	list_for_each_entry(other, &numa_groups, node) {
		list_for_each_entry(r, &other->ranges, node) {
			if (numa_group_overlaps(r, mm, start, end)) {
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
		numa_group_del_range(g, after);
	} else if (before) {
		before->end = end;
	} else if (after) {
		after->start = start;
	} else if (g->nr_ranges >= NUMA_GROUP_MAX_RANGES) {
		err = -ENOSPC;
		goto out;
	} else {
		mmgrab(mm);
		new->mm = mm;
		new->tgid = task_tgid_vnr(task);
		new->start = start;
		new->end = end;
		list_add_tail(&new->node, &g->ranges);
		g->nr_ranges++;
		new = NULL;
	}
	numa_group_changed(g);
out:
	mutex_unlock(&numa_group_mutex);
	kfree(new);
	return err;
}

static int numa_group_remove_range(struct numa_group *g, struct mm_struct *mm,
				   unsigned long start, unsigned long end)
{
	struct numa_group_range *r, *tmp, *split = NULL, *tail;
	bool found = false;
	int err = 0;

	tail = kzalloc(sizeof(*tail), GFP_KERNEL_ACCOUNT);
	if (!tail)
		return -ENOMEM;

	mutex_lock(&numa_group_mutex);
	/* Ranges of a group never overlap: at most one contains the hole. */
	list_for_each_entry(r, &g->ranges, node) {
		if (!numa_group_overlaps(r, mm, start, end))
			continue;
		found = true;
		if (r->start < start && end < r->end)
			split = r;
	}
	if (!found) {
		err = -ENOENT;
		goto out;
	}
	if (split && g->nr_ranges >= NUMA_GROUP_MAX_RANGES) {
		err = -ENOSPC;
		goto out;
	}
	if (split) {
		mmgrab(mm);
		*tail = *split;
		tail->start = end;
		split->end = start;
		list_add_tail(&tail->node, &g->ranges);
		g->nr_ranges++;
		tail = NULL;
	} else {
		list_for_each_entry_safe(r, tmp, &g->ranges, node) {
			if (!numa_group_overlaps(r, mm, start, end))
				continue;
			if (start <= r->start && r->end <= end)
				numa_group_del_range(g, r);
			else if (r->start < start)
				r->end = start;
			else
				r->start = end;
		}
	}
	numa_group_changed(g);
out:
	mutex_unlock(&numa_group_mutex);
	kfree(tail);
	return err;
}

SYSCALL_DEFINE5(numa_group_mem, int, group_fd, int, pidfd, unsigned long, start,
		unsigned long, len, unsigned int, flags)
{
	struct task_struct *task;
	struct numa_group *g;
	struct mm_struct *mm;
	unsigned long end;
	int err;

	if (flags & ~NUMA_GROUP_REMOVE)
		return -EINVAL;
	CLASS(fd, f)(group_fd);
	if (fd_empty(f))
		return -EBADF;
	g = numa_group_of(fd_file(f));
	if (!g)
		return -EINVAL;
	if (offset_in_page(start) || !len || len > TASK_SIZE_MAX)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end <= start || end > TASK_SIZE_MAX)
		return -EINVAL;

	task = numa_group_target(pidfd);
	if (IS_ERR(task))
		return PTR_ERR(task);
	mm = get_task_mm(task);
	err = -ESRCH;
	if (!mm)
		goto out_task;
	err = -EINVAL;
	if (end > mm->task_size)
		goto out_mm;
	err = numa_group_may_act(task);
	if (err)
		goto out_mm;

	if (flags & NUMA_GROUP_REMOVE)
		err = numa_group_remove_range(g, mm, start, end);
	else
		err = numa_group_add_range(g, task, mm, start, end);
out_mm:
	mmput(mm);
out_task:
	put_task_struct(task);
	return err;
}

static int numa_group_add_task(struct numa_group *g, struct task_struct *task)
{
	struct numa_group_member *m, *new;
	struct pid *pid = task_pid(task);
	int err = 0;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	mutex_lock(&numa_group_mutex);
	m = numa_group_find_member(pid);
	if (m) {
		/* Again into its own group: nothing to do. */
		err = m->group == g ? 0 : -EBUSY;
		goto out;
	}
	if (g->nr_tasks >= NUMA_GROUP_MAX_TASKS) {
		/* Exited members do not count against the limit. */
		numa_group_prune(g, false);
		if (g->nr_tasks >= NUMA_GROUP_MAX_TASKS) {
			err = -ENOSPC;
			goto out;
		}
	}
	new->pid = get_pid(pid);
	new->group = g;
	hash_add(numa_group_members, &new->hash, (unsigned long)pid);
	list_add_tail(&new->node, &g->tasks);
	g->nr_tasks++;
	new = NULL;
out:
	mutex_unlock(&numa_group_mutex);
	kfree(new);
	return err;
}

static int numa_group_remove_task(struct numa_group *g, struct task_struct *task)
{
	struct numa_group_member *m;
	int err = 0;

	mutex_lock(&numa_group_mutex);
	m = numa_group_find_member(task_pid(task));
	if (m && m->group == g)
		numa_group_del_member(g, m);
	else
		err = -ENOENT;
	mutex_unlock(&numa_group_mutex);
	return err;
}

SYSCALL_DEFINE3(numa_group_task, int, group_fd, int, pidfd, unsigned int, flags)
{
	struct task_struct *task;
	struct numa_group *g;
	int err;

	if (flags & ~NUMA_GROUP_REMOVE)
		return -EINVAL;
	CLASS(fd, f)(group_fd);
	if (fd_empty(f))
		return -EBADF;
	g = numa_group_of(fd_file(f));
	if (!g)
		return -EINVAL;

	task = numa_group_target(pidfd);
	if (IS_ERR(task))
		return PTR_ERR(task);
	err = -EINVAL;
	if (task->flags & PF_KTHREAD)
		goto out;
	err = -ESRCH;
	if (task->flags & PF_EXITING)
		goto out;
	err = numa_group_may_act(task);
	if (err)
		goto out;
	if (flags & NUMA_GROUP_REMOVE)
		err = numa_group_remove_task(g, task);
	else
		err = numa_group_add_task(g, task);
out:
	put_task_struct(task);
	return err;
}

/**
 * knumad_group_has_task() - Is @p placed by a numa_group?
 * @p: a thread.
 *
 * Context: may sleep (takes numa_group_mutex).
 * Return: true if @p is a member of a group; its group places it then,
 * not the per-process rule.
 */
bool knumad_group_has_task(struct task_struct *p)
{
	bool found;

	mutex_lock(&numa_group_mutex);
	found = numa_group_find_member(task_pid(p));
	mutex_unlock(&numa_group_mutex);
	return found;
}

/**
 * knumad_group_has_mm() - Does a numa_group hold memory of @mm?
 * @mm: a process's mm.
 *
 * Context: may sleep (takes numa_group_mutex).
 * Return: true if a range of @mm is in a group: the group moves that
 * memory, so the per-process rule must not move the process's memory.
 */
bool knumad_group_has_mm(struct mm_struct *mm)
{
	struct numa_group_range *r;
	struct numa_group *g;
	bool found = false;

	mutex_lock(&numa_group_mutex);
	list_for_each_entry(g, &numa_groups, node) {
		list_for_each_entry(r, &g->ranges, node)
			found |= r->mm == mm;
	}
	mutex_unlock(&numa_group_mutex);
	return found;
}
