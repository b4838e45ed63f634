/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of knumad: what each pass cost, every assignment of a unit
 * (process or numa_group) to a node with its reason, and every task it
 * moved, so perf trace -e 'knumad:*' and perf sched show what knumad did
 * and why.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM knumad

#if !defined(_TRACE_KNUMAD_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KNUMAD_H

#include <linux/knumad.h>
#include <linux/tracepoint.h>

TRACE_EVENT(knumad_scan_start,
	    TP_PROTO(unsigned long seq, unsigned long nr_mms),
	    TP_ARGS(seq, nr_mms),
	    TP_STRUCT__entry(__field(unsigned long, seq)
			     __field(unsigned long, nr_mms)),
	    TP_fast_assign(__entry->seq = seq;
			   __entry->nr_mms = nr_mms;),
	    TP_printk("seq=%lu mms=%lu", __entry->seq, __entry->nr_mms)
);

TRACE_EVENT(knumad_scan_end,
	    TP_PROTO(unsigned long seq, unsigned long pages, unsigned long mms_done,
		     unsigned long mms_skipped, u64 cpu_ns, unsigned int sleep_ms),
	    TP_ARGS(seq, pages, mms_done, mms_skipped, cpu_ns, sleep_ms),
	    TP_STRUCT__entry(__field(unsigned long, seq)
			     __field(unsigned long, pages)
			     __field(unsigned long, mms_done)
			     __field(unsigned long, mms_skipped)
			     __field(u64, cpu_ns)
			     __field(unsigned int, sleep_ms)),
	    TP_fast_assign(__entry->seq = seq;
			   __entry->pages = pages;
			   __entry->mms_done = mms_done;
			   __entry->mms_skipped = mms_skipped;
			   __entry->cpu_ns = cpu_ns;
			   __entry->sleep_ms = sleep_ms;),
	    TP_printk("seq=%lu pages=%lu mms_done=%lu mms_skipped=%lu cpu_ns=%llu sleep_ms=%u",
		      __entry->seq, __entry->pages, __entry->mms_done,
		      __entry->mms_skipped, __entry->cpu_ns, __entry->sleep_ms)
);

TRACE_EVENT(knumad_assign,
	    TP_PROTO(int kind, int id, int old_nid, int new_nid, unsigned int reason,
		     unsigned int weight, unsigned long pages_elsewhere),
	    TP_ARGS(kind, id, old_nid, new_nid, reason, weight, pages_elsewhere),
	    TP_STRUCT__entry(__field(int, kind)
			     __field(int, id)
			     __field(int, old_nid)
			     __field(int, new_nid)
			     __field(unsigned int, reason)
			     __field(unsigned int, weight)
			     __field(unsigned long, pages_elsewhere)),
	    TP_fast_assign(__entry->kind = kind;
			   __entry->id = id;
			   __entry->old_nid = old_nid;
			   __entry->new_nid = new_nid;
			   __entry->reason = reason;
			   __entry->weight = weight;
			   __entry->pages_elsewhere = pages_elsewhere;),
	    TP_printk("%s=%d nid=%d->%d reason=%s cpu=%u.%03u pages_elsewhere=%lu",
		      __print_symbolic(__entry->kind, { 0, "tgid" }, { 1, "group" },
				       { 2, "tid" }), __entry->id,
		      __entry->old_nid, __entry->new_nid,
		      __print_symbolic(__entry->reason,
				       { 0, "none" }, { 1, "memory" }, { 2, "kept" },
				       { 3, "room" }, { 4, "allowed" }, { 5, "spread" },
				       { 6, "overload" }, { 7, "idle" }),
		      __entry->weight / 1000, __entry->weight % 1000,
		      __entry->pages_elsewhere)
);

TRACE_EVENT(knumad_flow,
	    TP_PROTO(int src, int dst, unsigned long demand, unsigned long allowed,
		     unsigned long moved, long headroom),
	    TP_ARGS(src, dst, demand, allowed, moved, headroom),
	    TP_STRUCT__entry(__field(int, src)
			     __field(int, dst)
			     __field(unsigned long, demand)
			     __field(unsigned long, allowed)
			     __field(unsigned long, moved)
			     __field(long, headroom)),
	    TP_fast_assign(__entry->src = src;
			   __entry->dst = dst;
			   __entry->demand = demand;
			   __entry->allowed = allowed;
			   __entry->moved = moved;
			   __entry->headroom = headroom;),
	    TP_printk("nid=%d->%d demand=%lu allowed=%lu moved=%lu dst_headroom=%ld",
		      __entry->src, __entry->dst, __entry->demand, __entry->allowed,
		      __entry->moved, __entry->headroom)
);

TRACE_DEFINE_ENUM(KNUMAD_PLACE_THERE);
TRACE_DEFINE_ENUM(KNUMAD_PLACE_MOVED);
TRACE_DEFINE_ENUM(KNUMAD_PLACE_SWAPPED);
TRACE_DEFINE_ENUM(KNUMAD_PLACE_BUSY);
TRACE_DEFINE_ENUM(KNUMAD_PLACE_NOT_ALLOWED);

TRACE_EVENT(knumad_task_place,
	    TP_PROTO(struct task_struct *p, int from_nid, int to_nid, int result),
	    TP_ARGS(p, from_nid, to_nid, result),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __field(pid_t, tgid)
			     __field(int, from_nid)
			     __field(int, to_nid)
			     __field(int, result)),
	    TP_fast_assign(__entry->pid = p->pid;
			   __entry->tgid = p->tgid;
			   __entry->from_nid = from_nid;
			   __entry->to_nid = to_nid;
			   __entry->result = result;),
	    TP_printk("pid=%d tgid=%d nid=%d->%d result=%s", __entry->pid,
		      __entry->tgid, __entry->from_nid, __entry->to_nid,
		      __print_symbolic(__entry->result,
				       { KNUMAD_PLACE_THERE, "there" },
				       { KNUMAD_PLACE_MOVED, "moved" },
				       { KNUMAD_PLACE_SWAPPED, "swapped" },
				       { KNUMAD_PLACE_BUSY, "busy" },
				       { KNUMAD_PLACE_NOT_ALLOWED, "not_allowed" }))
);

#endif /* _TRACE_KNUMAD_H */

#include <trace/define_trace.h>
