#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one benchmark results folder into a table, CSV files and plots.

    report.py RESULTS_DIR [--modes off,upstream,...] [--quiet]

RESULTS_DIR holds one folder per mode and in it one folder per run
(MODE/1, MODE/2, ...), as bench/run.sh and bench/guest.sh leave them
(locality.csv from the locality plugin, NAME.{meta,before,after,log,out} per
workload); an older folder with the files straight in MODE/ is one run.
Writes into RESULTS_DIR:

    table.txt        the printed table, its summary lines and notes
    results.csv      one row per workload x mode x run: every figure, and
                     the reason for every n/a
    summary.csv      one row per workload x mode: median, min and max over
                     the runs of the table's figures
    timeseries.csv   user-mode locality per plugin interval, per run
    plots/NAME.png   locality over time per mode and run (gnuplot)

Every figure comes from the runs; what cannot be measured is "n/a" with a
reason. The modelled figures use the native cost constants below
(bench/README.md, "Modelled cost"), never TCG time. Exit status: 0, 1 if a
workload failed, was not run or could not be measured, 2 on bad usage.
"""
import csv
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

# Native cost constants of the model (benchmarks-and-physics.md section 4;
# see bench/README.md). Seconds per event.
ACCESS_BYTES = 8          # the plugin counts 8-byte accesses (wider ones split)
C_LOCAL = 8 / 10e9        # 8 B at 10 GB/s per core, local streaming (s4.4, s5)
C_REMOTE = 8 / 5e9        # remote bandwidth 0.5x local (s4.1, s4.4)
C_MIG_4K = 5e-6           # one 4 KiB page migrated, batched (s4.2)
C_MIG_2M = 0.8e-3         # one 2 MiB THP migrated (s4.2)
C_HINT = 1e-6             # one NUMA hinting fault, without migration (s4.3)
C_PTE = 10e-9             # one PTE updated or scanned (s4.4)
CONSTANTS = (
    f"local {C_LOCAL * 1e9:.2f} ns and remote {C_REMOTE * 1e9:.2f} ns per "
    f"{ACCESS_BYTES}-byte access (10 GB/s local, 5 GB/s remote), "
    f"{C_MIG_4K * 1e6:.0f} us per 4 KiB page and {C_MIG_2M * 1e3:.1f} ms per THP "
    f"migrated, {C_HINT * 1e6:.0f} us per hinting fault, {C_PTE * 1e9:.0f} ns per PTE "
    "updated (upstream) or page scanned (knumad)")

# Steady state and convergence (bench/README.md, "Steady state and
# convergence").
STEADY_PART = 1 / 3       # steady state: the last third of the measured phase
CONVERGED = 90.0          # time to 90%: every later 2 s stretch >= this
SETTLED_POINTS = 2.0      # time to +-2: every later 2 s stretch within this of steady
STRETCH_S = 2.0           # the stretches: consecutive plugin intervals spanning 2 s
MIN_INTERVAL_SHARE = 0.10  # intervals with less work than this x median are skipped
# Comparing two modes (bench/README.md, "Summary lines").
SPREAD_FLOOR = 1.0        # points: the least difference in steady state that counts
COST_FACTOR = 0.9         # less cost: at most this x the other's

MODES = ["off", "upstream", "knumad", "knumad-group", "hard", "inverse"]
BALANCERS = ["upstream", "knumad", "knumad-group"]
MODE_TEXT = {
    "off": "no balancing",
    "upstream": "upstream numa_balancing=1",
    "knumad": "knumad (kernel.knumad=1)",
    "knumad-group": "knumad, and the workloads put what belongs together in numa_groups (-G)",
    "hard": "hard binding (CPUs + MPOL_BIND, per process/thread)",
    "inverse": "inverse binding (CPUs on one node, memory on the other)",
}
MODE_W = max(len(m) for m in MODES)
# Fixed plot colour per mode, whichever modes a plot has.
MODE_COLOUR = {
    "off": "#808080",
    "upstream": "#1f77b4",
    "knumad": "#2ca02c",
    "knumad-group": "#9467bd",
    "hard": "#000000",
    "inverse": "#d62728",
}
# Task names in perf sched: perf bench numa names its threads "thread P/T".
COMM = {"perf-numa-mem": "thread", "numa01_THREAD_ALLOC": "numa01", "pinned": "numa01"}
NEVER = math.inf          # "never" (converged) as a number, for medians


def na(reason):
    return ("n/a", reason)


def is_na(v):
    return isinstance(v, tuple)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def read_kv(path):
    """'key value...' lines into a dict of strings."""
    d = {}
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition(" ")
                if k and k not in d:
                    d[k] = v
    except OSError:
        pass
    return d


def num(d, key):
    try:
        return float(d[key])
    except (KeyError, ValueError):
        return None


def delta(before, after, key):
    a, b = num(before, key), num(after, key)
    if a is None or b is None:
        return None
    return b - a


class Plugin:
    """The locality plugin's CSV: user-mode marks and intervals."""

    def __init__(self, path):
        self.marks = {}       # id -> (t, local, remote, other), cumulative
        self.cum = []         # (t_end, local, remote) cumulative at each interval's end
        self.interval_s = 0.5
        self.ok = False
        try:
            f = open(path)
        except OSError:
            return
        marks, ivs = {}, {}
        with f:
            rows = []
            for line in f:
                if line.startswith("#"):
                    m = re.search(r"interval_ms=(\d+)", line)
                    if m and int(m.group(1)) > 0:
                        self.interval_s = int(m.group(1)) / 1000
                    continue
                rows.append(line)
            for row in csv.reader(rows):
                if len(row) != 7 or row[5] != "user" or row[0] not in ("mark", "interval"):
                    continue
                kind, ident, t, vn, mn = row[0], row[1], float(row[2]), row[3], row[4]
                v = int(row[6])
                if vn == "other" or mn == "other":
                    cls = 2
                else:
                    cls = 0 if vn == mn else 1
                table = marks if kind == "mark" else ivs
                key = int(ident)
                if key not in table:
                    table[key] = [t, 0, 0, 0]
                table[key][1 + cls] += v
        self.marks = {k: tuple(v) for k, v in marks.items()}
        loc = rem = 0
        for _, v in sorted(ivs.items()):
            loc += v[1]
            rem += v[2]
            self.cum.append((v[0], loc, rem))
        self.ok = True

    def window(self, a, b):
        """User local, remote accesses and host seconds between marks a, b."""
        if a not in self.marks or b not in self.marks:
            return None
        ma, mb = self.marks[a], self.marks[b]
        return mb[1] - ma[1], mb[2] - ma[2], mb[0] - ma[0], ma[0], mb[0]

    def series(self, a, b):
        """The window's intervals, clipped to its marks with exact counts:
        (start, end seconds since mark a, local, remote). The plugin's
        cumulative counts at each interval's end are the sums of the
        intervals before, so the first and last pieces are exact too."""
        ma, mb = self.marks[a], self.marks[b]
        t0 = ma[0]
        prev = (ma[0], ma[1], ma[2])
        out = []
        for t, loc, rem in self.cum:
            if t <= ma[0]:
                continue
            if t >= mb[0]:
                break
            out.append((prev[0] - t0, t - t0, max(0, loc - prev[1]), max(0, rem - prev[2])))
            prev = (t, loc, rem)
        out.append((prev[0] - t0, mb[0] - t0, max(0, mb[1] - prev[1]), max(0, mb[2] - prev[2])))
        return out

    def tail(self, a, b, part):
        """Local, remote accesses and the start (seconds since mark a) of the
        window's last part: from the first interval end at or after
        end - part x length, to mark b."""
        ma, mb = self.marks[a], self.marks[b]
        start = mb[0] - part * (mb[0] - ma[0])
        for t, loc, rem in self.cum:
            if start <= t < mb[0]:
                return max(0, mb[1] - loc), max(0, mb[2] - rem), t - ma[0]
        return None


def worked(series):
    """The intervals with at least MIN_INTERVAL_SHARE of the median
    interval's accesses: no start-up or tail slivers."""
    work = [s for s in series if s[2] + s[3] > 0]
    if not work:
        return []
    med = statistics.median(s[2] + s[3] for s in work)
    return [s for s in work if s[2] + s[3] >= MIN_INTERVAL_SHARE * med]


def settle_time(series, interval_s, ok):
    """The time T (seconds since the phase's start, an interval's start)
    from which every stretch of STRETCH_S seconds of consecutive intervals
    has a locality (percent, access-weighted) for which ok() holds, to the
    phase's end; 'never' if even the last stretch fails."""
    work = worked(series)
    if not work:
        return na("no user accesses in the plugin's intervals")
    k = max(1, round(STRETCH_S / interval_s))
    if len(work) < k:
        return na(f"measured phase shorter than {STRETCH_S:g} s of plugin intervals")
    last_bad = -1
    for j in range(len(work) - k + 1):
        loc = sum(s[2] for s in work[j:j + k])
        tot = sum(s[2] + s[3] for s in work[j:j + k])
        if not ok(100.0 * loc / tot):
            last_bad = j
    if last_bad == len(work) - k:
        return "never"
    return max(0.0, work[last_bad + 1][0])


def read_log(path):
    """The workload's own log (bench/workloads/common.h)."""
    lg = {"s": [], "d": [], "m": {}, "i": {}, "g": [], "group_errors": 0}
    try:
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split(",")
                try:
                    if p[0] == "s" and len(p) == 10:
                        lg["s"].append((float(p[1]), int(p[3]), int(p[6]), int(p[7]),
                                        float(p[8]), int(p[9])))
                    elif p[0] == "d" and len(p) in (7, 10):
                        # exec ns, delay ns, bytes, system us, user us (-1: not
                        # measured, None: older log), seconds worked
                        extra = (int(p[7]), int(p[8]), float(p[9])) if len(p) == 10 else (None, None, None)
                        lg["d"].append((int(p[3]), int(p[4]), int(p[5])) + extra)
                    elif p[0] == "m" and len(p) == 3:
                        lg["m"][int(p[1])] = float(p[2])
                    elif p[0] == "i" and len(p) >= 3:
                        if p[1] == "numa_group_error":
                            lg["group_errors"] += 1
                            lg["i"].setdefault(p[1], ",".join(p[2:]))
                        else:
                            lg["i"][p[1]] = ",".join(p[2:])
                    elif p[0] == "g" and len(p) == 9:
                        # node, tasks, bytes, node changes, pages migrated
                        lg["g"].append((int(p[3]), int(p[4]), int(p[5]), int(p[6]), int(p[7])))
                except ValueError:
                    continue
    except OSError:
        return None
    return lg


def perf_throughput(path):
    """perf bench numa mem's own throughput, bytes per second: its data-total
    over its runtime-max (what it prints as total-speed, in more digits),
    else total-speed."""
    vals = {}
    try:
        with open(path) as f:
            for line in f:
                p = [x.strip() for x in line.split(",")]
                if len(p) >= 4 and p[0] == "main":
                    try:
                        vals[p[3]] = float(p[1])
                    except ValueError:
                        pass
    except OSError:
        return None
    if vals.get("data-total") and vals.get("runtime-max/thread"):
        return vals["data-total"] * 1e9 / vals["runtime-max/thread"]
    if "total-speed" in vals:
        return vals["total-speed"] * 1e9
    return None


def analyse(run_dir, mode, run, name):
    """All figures of one workload in one run: a dict, n/a as (n/a, reason).
    Figures relative to the off mode are added later (relate())."""
    r = {"workload": name, "mode": mode, "repeat": run}
    meta = read_kv(os.path.join(run_dir, name + ".meta"))
    if not meta:
        r["status"] = "not run"
        return r
    rc = meta.get("rc", "?")
    r["status"] = "ok" if rc == "0" else f"failed (exit {rc})"
    r["guest_wall_s"] = num(meta, "wall_s")
    base = int(meta.get("mark", "0"))
    before = read_kv(os.path.join(run_dir, name + ".before"))
    after = read_kv(os.path.join(run_dir, name + ".after"))
    lg = read_log(os.path.join(run_dir, name + ".log")) or \
        {"s": [], "d": [], "m": {}, "i": {}, "g": [], "group_errors": 0}
    r["params"] = lg["i"].get("workload", meta.get("cmd", ""))

    # numa_group (-G): asked for, and whether the workload could use it.
    if " -G " not in " " + meta.get("cmd", "") + " ":
        r["numa_group"] = "not asked" if mode != "knumad-group" else \
            "not used (the workload has no numa_group option)"
    else:
        r["numa_group"] = lg["i"].get("numa_group", "no numa_group line in the log")
        if lg["group_errors"]:
            r["numa_group"] += (f"; {lg['group_errors']} call(s) failed, the first: "
                                f"{lg['i'].get('numa_group_error', '?')}")
    r["numa_groups"] = len(lg["g"])
    if lg["g"]:
        ch = [g[3] for g in lg["g"] if g[3] >= 0]
        mg = [g[4] for g in lg["g"] if g[4] >= 0]
        r["numa_group_node_changes"] = sum(ch) if ch else na("no numa_group_node_changes in fdinfo")
        r["numa_group_pages_migrated"] = sum(mg) if mg else na("no numa_group_pages_migrated in fdinfo")
        r["numa_group_nodes"] = " ".join(str(g[0]) for g in lg["g"])

    # Locality from the plugin: the whole measured phase, its last third,
    # and the convergence times; the phase workload's busy phase only.
    plugin = Plugin(os.path.join(run_dir, "locality.csv"))
    start = base + 2 if (base + 2) in plugin.marks else base
    win = plugin.window(start, base + 1) if plugin.ok else None
    series = []
    if win is None:
        reason = "no plugin CSV" if not plugin.ok else "markers missing"
        if plugin.ok and lg["i"].get("start"):
            reason += f" (start {lg['i']['start']})"
        for k in ("locality_pct", "steady_pct", "t90_s", "settle_s", "tcg_window_s"):
            r[k] = na(reason)
        n_l = n_r = None
    else:
        n_l, n_r, secs, t0, t1 = win
        r["user_local"], r["user_remote"] = n_l, n_r
        r["tcg_window_s"] = secs
        r["locality_pct"] = 100.0 * n_l / (n_l + n_r) if n_l + n_r else na("no user accesses")
        series = plugin.series(start, base + 1)
        tail = plugin.tail(start, base + 1, STEADY_PART)
        if tail is None:
            r["steady_pct"] = na("measured phase shorter than the plugin's interval")
        elif tail[0] + tail[1] == 0:
            r["steady_pct"] = na("no user accesses in the last third")
        else:
            r["steady_pct"] = 100.0 * tail[0] / (tail[0] + tail[1])
            r["steady_from_s"] = tail[2]
        r["t90_s"] = settle_time(series, plugin.interval_s, lambda p: p >= CONVERGED)
        if is_na(r["steady_pct"]):
            r["settle_s"] = r["steady_pct"]
        else:
            steady = r["steady_pct"]
            r["settle_s"] = settle_time(series, plugin.interval_s,
                                        lambda p: abs(p - steady) <= SETTLED_POINTS)
    r["_series"] = series

    # Work done: bytes per second of the measured phase (guest time), from
    # the workers' d lines; perf bench numa's own throughput.
    g0 = lg["m"].get(start)
    g1 = lg["m"].get(base + 1)
    if name.startswith("perf-"):
        tp = perf_throughput(os.path.join(run_dir, name + ".out"))
        r["throughput_Bps"] = tp if tp else na("no throughput in perf's output")
    else:
        work = sum(d[2] for d in lg["d"])
        span = (g1 - g0) if g0 is not None and g1 is not None else \
            (r["tcg_window_s"] if not is_na(r.get("tcg_window_s", na(""))) else None)
        if not lg["d"]:
            r["throughput_Bps"] = na("no worker end lines in the log")
        elif not work:
            r["throughput_Bps"] = na("the workers logged no work")
        elif not span:
            r["throughput_Bps"] = na("no phase length (markers missing)")
        else:
            r["throughput_Bps"] = work / span
            r["work_bytes"] = work
            r["work_window_s"] = span

    # CPU time the workers spent in the kernel in their measured phase
    # (upstream's scanning, hinting faults and migrations run there).
    sys_us = [d[3] for d in lg["d"] if d[3] is not None and d[3] >= 0]
    usr_us = [d[4] for d in lg["d"] if d[4] is not None and d[4] >= 0]
    if sys_us:
        r["task_sys_s"] = sum(sys_us) / 1e6
        r["task_user_s"] = sum(usr_us) / 1e6
    elif lg["d"] and lg["d"][0][3] is None:
        r["task_sys_s"] = na("no CPU time in the workers' end lines (older run)")
    else:
        r["task_sys_s"] = na("no CPU time measured for the workers")

    # Resident locality (the second opinion) and the misplaced pages.
    samples = [s for s in lg["s"] if (g0 is None or s[0] >= g0 - 0.5) and (g1 is None or s[0] <= g1 + 0.5)]
    if samples:
        res = sum(s[2] * s[4] / s[5] for s in samples)
        loc = sum(s[3] * s[4] / s[5] for s in samples)
        r["resident_pct"] = 100.0 * loc / res if res else na("no resident pages sampled")
        # Misplaced: per task, the most of its pages that were remote in any
        # one sample (tasks may move after their first sample), summed.
        worst = {}
        for s in samples:
            m = (s[2] - s[3]) * s[4] / s[5]
            worst[s[1]] = max(worst.get(s[1], 0.0), m)
        r["misplaced_pages"] = sum(worst.values())
        r["samples"] = len(samples)
    else:
        r["resident_pct"] = na("no samples in the log")
        r["misplaced_pages"] = na("no samples in the log")

    # Kernel counters.
    def counter(key, why):
        v = delta(before, after, key)
        return v if v is not None else na(why)
    r["pgmigrate_success"] = counter("pgmigrate_success", "no pgmigrate_success in /proc/vmstat")
    r["thp_migration_success"] = counter("thp_migration_success", "no thp_migration_success")
    r["numa_pages_migrated"] = counter("numa_pages_migrated", "no numa_pages_migrated (NUMA_BALANCING=n?)")
    r["numa_pte_updates"] = counter("numa_pte_updates", "no numa_pte_updates")
    r["numa_hint_faults"] = counter("numa_hint_faults", "no numa_hint_faults")
    r["numa_hint_faults_local"] = counter("numa_hint_faults_local", "no numa_hint_faults_local")
    for k in ("passes", "full_scans", "pages_scanned", "node_changes", "tasks_moved",
              "tasks_swapped", "tasks_busy", "mm_skipped_contended", "cpu_time_us",
              "pages_migrated", "hint_faults", "hint_armed"):
        v = delta(before, after, "knumad." + k)
        r["knumad_" + k] = v if v is not None else na(f"no /sys/kernel/mm/knumad/{k}")
    # Whatever else the kernel has: every knumad_* line of /proc/vmstat (as
    # vmstat_knumad_*, deltas) and every file of /sys/kernel/mm/knumad/
    # (knumad_NAME, delta, and knumad_NAME_end, its value after the run).
    for key in after:
        if key.startswith("knumad_"):
            v = delta(before, after, key)
            if v is not None:
                r["vmstat_" + key] = v
        elif key.startswith("knumad."):
            k = key[len("knumad."):]
            v = delta(before, after, key)
            if v is not None:
                r["knumad_" + k] = v
            r["knumad_" + k + "_end"] = after[key]
    r["pages_migrated"] = r["pgmigrate_success"]
    pm, mp = r["pages_migrated"], r["misplaced_pages"]
    if is_na(pm) or is_na(mp):
        r["migrations_per_misplaced"] = na("pages migrated or misplaced pages unknown")
    elif mp < 1:
        r["migrations_per_misplaced"] = na("no misplaced pages sampled")
    else:
        r["migrations_per_misplaced"] = pm / mp

    # The knumad thread's CPU time, measured (TCG seconds).
    if mode in ("knumad", "knumad-group"):
        us = delta(before, after, "knumad.cpu_time_us")
        ticks = delta(before, after, "kthread.ticks")
        hz = num(after, "clock.ticks_per_s") or 100
        if us is not None:
            r["kthread_cpu_s"] = us / 1e6
            r["kthread_cpu_src"] = "knumad cpu_time_us"
        elif ticks is not None:
            r["kthread_cpu_s"] = ticks / hz
            r["kthread_cpu_src"] = "knumad thread utime+stime"
        else:
            r["kthread_cpu_s"] = na("no knumad thread or counter")

    # Waiting for a CPU (schedstat): stretch = (run + wait) / run.
    execs = sum(d[0] for d in lg["d"])
    waits = sum(d[1] for d in lg["d"])
    r["stretch"] = (execs + waits) / execs if execs else na("no schedstat in the log")
    try:
        threads = int(lg["i"].get("threads") or meta.get("threads"))
    except (TypeError, ValueError):
        threads = None

    # The model: native seconds per worker thread for the work done, and
    # per access; its balancing part (the cost used to break ties).
    if n_l is None or is_na(r["stretch"]) or not threads or not n_l + n_r:
        why = "accesses, schedstat or thread count missing"
        for k in ("modelled_s", "modelled_balance_s", "modelled_ns_per_access"):
            r[k] = na(why)
    else:
        def val(k):
            v = r.get(k)
            return v if is_num(v) else 0.0
        thp = val("thp_migration_success")
        m4k = max(0.0, val("pgmigrate_success") - 512 * thp)
        scan = val("numa_pte_updates") + val("knumad_pages_scanned")
        memory = n_l * C_LOCAL + n_r * C_REMOTE
        balance = m4k * C_MIG_4K + thp * C_MIG_2M + val("numa_hint_faults") * C_HINT + scan * C_PTE
        r["modelled_memory_s"] = memory / threads
        r["modelled_balance_s"] = balance / threads
        r["modelled_s"] = r["stretch"] * (memory + balance) / threads
        r["modelled_ns_per_access"] = 1e9 * r["stretch"] * (memory + balance) / (n_l + n_r)
        r["threads"] = threads
    return r


def median_of(rows, key):
    v = [r[key] for r in rows if is_num(r.get(key))]
    return statistics.median(v) if v else None


def relate(rows, names, runs):
    """The figures relative to the off mode of the same workload: work done,
    modelled work, and the balancers' CPU time in the tasks' context."""
    for name in names:
        offs = [rows[(name, "off", n)] for n in runs.get("off", [])
                if rows[(name, "off", n)].get("status") == "ok"]
        off_tp = median_of(offs, "throughput_Bps")
        off_mod = median_of(offs, "modelled_ns_per_access")
        off_sys = median_of(offs, "task_sys_s")
        for mode, nums in runs.items():
            for n in nums:
                r = rows[(name, mode, n)]
                if r.get("status") == "not run":
                    continue
                tp = r.get("throughput_Bps")
                if is_na(tp) or tp is None:
                    r["work_rel"] = tp if is_na(tp) else na("no throughput")
                elif not off_tp:
                    r["work_rel"] = na("no off run of this workload to compare with")
                else:
                    r["work_rel"] = tp / off_tp
                mod = r.get("modelled_ns_per_access")
                if not is_num(mod):
                    r["model_rel"] = mod if is_na(mod) else na("no model")
                elif not off_mod:
                    r["model_rel"] = na("no off run of this workload to compare with")
                else:
                    r["model_rel"] = off_mod / mod
                balancer_cpu(r, mode, off_sys, bool(offs))


def balancer_cpu(r, mode, off_sys, have_off):
    """Balancer CPU seconds (TCG): the knumad thread's, plus what the
    workers spent in the kernel beyond what they spent with no balancing
    (hinting faults, upstream's scanning and migration on fault)."""
    if mode not in BALANCERS:
        r["balancing_cpu_s"] = "-"
        return
    sys_s = r.get("task_sys_s")
    extra = None
    if is_num(sys_s) and off_sys is not None:
        extra = sys_s - off_sys
        r["task_sys_extra_s"] = extra
    if mode == "upstream":
        if extra is not None:
            r["balancing_cpu_s"] = extra
            r["balancing_cpu_src"] = "workers' system time - off's"
        elif not is_num(sys_s):
            r["balancing_cpu_s"] = na("upstream works in the tasks' context, and " + sys_s[1])
        else:
            r["balancing_cpu_s"] = na("upstream works in the tasks' context: no off run "
                                      "of this workload to subtract its system time"
                                      if not have_off else
                                      "upstream works in the tasks' context: off's "
                                      "system time not measured")
        return
    kt = r.get("kthread_cpu_s")
    if not is_num(kt):
        r["balancing_cpu_s"] = kt if is_na(kt) else na("no knumad thread time")
        return
    if extra is None:
        r["balancing_cpu_s"] = kt
        r["balancing_cpu_src"] = r.get("kthread_cpu_src", "") + " only (no task time to compare)"
    else:
        r["balancing_cpu_s"] = kt + extra
        r["balancing_cpu_src"] = r.get("kthread_cpu_src", "") + " + workers' system time - off's"


def sched_summary(run_dir, name):
    """perf sched: node changes and wait latency of the workload's tasks."""
    comm = COMM.get(name, name)
    mig = os.path.join(run_dir, name + ".sched-migrations.txt")
    lat = os.path.join(run_dir, name + ".sched-latency.txt")
    if not os.path.exists(mig) and not os.path.exists(lat):
        return None
    s = {"moves": na("no sched_migrate_task events"), "node_changes": na("no events"),
         "avg_wait_ms": na("no perf sched latency"), "max_wait_ms": na("no perf sched latency"),
         "switches": na("no perf sched latency")}
    try:
        with open(mig) as f:
            for line in f:
                p = line.split()
                if len(p) == 3 and p[0] == comm:
                    s["moves"], s["node_changes"] = int(p[1]), int(p[2])
        if is_na(s["moves"]):
            s["moves"] = s["node_changes"] = 0
    except OSError:
        pass
    rx = re.compile(r"^\s*(.+?):[^:|]*\|\s*([\d.]+) ms\s*\|\s*(\d+)\s*\|\s*avg:\s*([\d.]+) ms\s*\|\s*max:\s*([\d.]+) ms")
    sw = tot = mx = 0.0
    try:
        with open(lat) as f:
            for line in f:
                m = rx.match(line)
                if m and m.group(1).split()[0] == comm:
                    n = int(m.group(3))
                    sw += n
                    tot += n * float(m.group(4))
                    mx = max(mx, float(m.group(5)))
    except OSError:
        pass
    if sw:
        s["switches"], s["avg_wait_ms"], s["max_wait_ms"] = int(sw), tot / sw, mx
    return s


def count(v):
    """A count in at most 5 characters."""
    if abs(v) < 10000:
        return f"{v:.0f}"
    if abs(v) < 999500:
        return f"{v / 1e3:.3g}k"
    return f"{v / 1e6:.3g}M"


def secs(v):
    return "never" if v == NEVER else f"{v:.1f}"


# The table: key, header, formatter of a number.
COLUMNS = [
    ("locality_pct", "local%", lambda v: f"{v:.1f}"),
    ("steady_pct", "steady%", lambda v: f"{v:.1f}"),
    ("t90_s", "t90 s", secs),
    ("settle_s", "t2pt s", secs),
    ("work_rel", "work", lambda v: f"{v:.2f}"),
    ("model_rel", "model", lambda v: f"{v:.2f}"),
    ("pages_migrated", "migrated", count),
    ("numa_pages_migrated", "fault mig", count),
    ("knumad_pages_migrated", "knumad mig", count),
    ("migrations_per_misplaced", "mig/misp", lambda v: f"{v:.2f}"),
    ("numa_hint_faults", "hint flt", count),
    ("balancing_cpu_s", "bal CPU s", lambda v: f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"),
]
# Also in summary.csv.
SUMMARY_KEYS = [k for k, _, _ in COLUMNS] + [
    "resident_pct", "throughput_Bps", "task_sys_s", "kthread_cpu_s", "knumad_hint_faults",
    "vmstat_knumad_hint_faults", "numa_pte_updates", "knumad_pages_scanned",
    "modelled_balance_s", "modelled_ns_per_access", "stretch"]


def value(r, key):
    """A figure as a number (never = inf), or None."""
    v = r.get(key)
    if v == "never":
        return NEVER
    return v if is_num(v) else None


class Cell:
    """One workload x mode over its runs."""

    def __init__(self, runs):
        self.runs = runs                     # the row dicts
        self.ok = [r for r in runs if r.get("status") == "ok"]

    def values(self, key):
        return [v for v in (value(r, key) for r in self.ok) if v is not None]

    def stat(self, key):
        """(median, min, max) or None."""
        v = sorted(self.values(key))
        if not v:
            return None
        return statistics.median(v), v[0], v[-1]

    def text(self, key, fmt_num):
        """The median (or the reason it is missing) and the min-max range."""
        st = self.stat(key)
        if st is None:
            for r in self.ok or self.runs:
                v = r.get(key)
                if isinstance(v, str) and not is_na(v) and v != "never":
                    return v, ""
            return "n/a", ""
        med, lo, hi = st
        lo, hi = fmt_num(lo), fmt_num(hi)
        rng = "" if len(self.values(key)) < 2 else lo if lo == hi else f"{lo}-{hi}"
        return fmt_num(med), rng


UNCLEAR = "unclear"


def by_locality(a, b):
    """1 if cell a's median steady-state locality is higher than b's by more
    than the margin (the larger of the two cells' spreads, max - min over
    their runs, and SPREAD_FLOOR points), -1 if lower by more, 0 if the
    medians are within SPREAD_FLOOR points, UNCLEAR if they differ by more
    than that but less than the spread (the runs cannot tell: neither equal
    nor better); None if either has none."""
    sa, sb = a.stat("steady_pct"), b.stat("steady_pct")
    if sa is None or sb is None:
        return None
    margin = max(sa[2] - sa[1], sb[2] - sb[1], SPREAD_FLOOR)
    diff = sa[0] - sb[0]
    if abs(diff) <= SPREAD_FLOOR:
        return 0
    return 1 if diff > margin else -1 if diff < -margin else UNCLEAR


def by_cost(a, b):
    """1 if cell a's median modelled balancing cost is at most COST_FACTOR x
    b's, -1 the other way round, 0 otherwise or if unknown."""
    ca, cb = a.stat("modelled_balance_s"), b.stat("modelled_balance_s")
    if ca is None or cb is None:
        return 0
    if ca[0] < cb[0] and ca[0] <= COST_FACTOR * cb[0]:
        return 1
    if cb[0] < ca[0] and cb[0] <= COST_FACTOR * ca[0]:
        return -1
    return 0


def better(a, b):
    """Compare cells a and b of one workload: 1 if a is better, -1 if worse,
    0 if equal, UNCLEAR if the runs' spread cannot tell, None if either has
    no steady state. Better: higher steady state beyond the margin
    (by_locality()), or equal within SPREAD_FLOOR and less cost
    (by_cost())."""
    loc = by_locality(a, b)
    if loc is None or loc:
        return loc
    return by_cost(a, b)


def summary_lines(names, cells):
    out = []
    for name in names:
        cand = [(m, cells[(name, m)]) for m in BALANCERS
                if (name, m) in cells and cells[(name, m)].stat("steady_pct")]
        if not cand:
            out.append(f"  {name}: no balancer measured")
            continue
        cand.sort(key=lambda mc: -mc[1].stat("steady_pct")[0])
        top = cand[0]
        # Those equal to the best; then the least cost. Those below it by
        # less than the runs' spread are named, neither equal nor beaten.
        close = [mc for mc in cand if by_locality(top[1], mc[1]) == 0]
        unsure = [mc[0] for mc in cand if by_locality(top[1], mc[1]) == UNCLEAR]
        figs = ", ".join(f"{m} {c.stat('steady_pct')[0]:.1f}%" for m, c in cand)
        if len(close) == 1:
            verb = "leads" if unsure else "wins"
            winner, how = top, f"{verb} on steady-state locality ({figs})"
        else:
            margin = SPREAD_FLOOR
            beats = [mc for mc in close
                     if all(by_cost(mc[1], o[1]) == 1 for o in close if o is not mc)]
            names_close = " and ".join(o[0] for o in close)
            why = (f"steady state of {names_close} equal within {margin:.1f} points ({figs})")
            if beats:
                winner = beats[0]
                how = f"wins on cost: {why}, least modelled balancing cost"
            else:
                winner, how = None, f"tie: {why}, cost within {100 * (1 - COST_FACTOR):.0f}%"
        if unsure:
            how += (f"; {' and '.join(unsure)} below {top[0]} by less than the runs' spread "
                    "(more runs would tell)")
        hard = cells.get((name, "hard"))
        hs = hard.stat("steady_pct") if hard else None
        ref = (winner or top)[1].stat("steady_pct")[0]
        gap = (f"gap to hard {hs[0] - ref:.1f} points (hard {hs[0]:.1f}%)"
               if hs else "hard binding not measured")
        out.append(f"  {name}: {winner[0] + ' ' if winner else ''}{how}; {gap}")
    for a, b in (("knumad", "upstream"), ("knumad-group", "upstream")):
        res = [better(cells[(n, a)], cells[(n, b)]) for n in names
               if (n, a) in cells and (n, b) in cells]
        res = [x for x in res if x is not None]
        if not res and a != "knumad":
            continue
        unclear = f", unclear on {res.count(UNCLEAR)}" if UNCLEAR in res else ""
        out.append(f"{a} vs {b}: better on {res.count(1)} of {len(res)} workloads "
                   f"(worse on {res.count(-1)}, equal on {res.count(0)}{unclear})")
    return out


def find_runs(res, mode):
    """[(run number, folder)] of a mode: MODE/1, MODE/2, ... or, in an
    older results folder, MODE itself."""
    d = os.path.join(res, mode)
    if not os.path.isdir(d):
        return []
    if any(os.path.exists(os.path.join(d, f)) for f in ("progress", "info", "locality.csv", "run-vm.log")):
        return [(1, d)]
    nums = sorted(int(x) for x in os.listdir(d) if x.isdigit() and os.path.isdir(os.path.join(d, x)))
    return [(n, os.path.join(d, str(n))) for n in nums]


def workloads_of(dirs):
    names = []
    for d in dirs:
        order = []
        for f in os.listdir(d):
            if f.endswith(".meta"):
                meta = read_kv(os.path.join(d, f))
                order.append((int(meta.get("mark", "0")), f[:-5]))
        for _, n in sorted(order):
            if n not in names:
                names.append(n)
    return names


def run_state(d):
    try:
        with open(os.path.join(d, "status")) as f:
            st = f.read().strip()
    except OSError:
        st = None
    reason = ""
    try:
        with open(os.path.join(d, "progress")) as f:
            for line in f:
                if line.startswith("FAIL "):
                    reason = line[5:].strip()
    except OSError:
        pass
    return st, reason


def plot(res, names, modes, runs, rows):
    gp = shutil.which("gnuplot")
    if not gp:
        return "plots skipped: gnuplot is not installed (Debian package gnuplot-nox)"
    pdir = os.path.join(res, "plots")
    os.makedirs(pdir, exist_ok=True)
    made = []
    for name in names:
        lines, froms = [], []
        for mode in modes:
            for i, n in enumerate(runs.get(mode, [])):
                r = rows.get((name, mode, n))
                if not r or not r.get("_series"):
                    continue
                dat = os.path.join(pdir, f"{name}.{mode}.{n}.dat")
                with open(dat, "w") as f:
                    for start, end, l, rm in worked(r["_series"]):
                        f.write(f"{end:.3f} {100.0 * l / (l + rm):.3f}\n")
                if is_num(r.get("steady_from_s")):
                    froms.append(r["steady_from_s"])
                colour = MODE_COLOUR.get(mode)
                lc = f" lc rgb '{colour}'" if colour else ""
                title = mode if len(runs[mode]) == 1 else f"{mode} #{n}"
                lines.append(f"'{dat}' using 1:2 with linespoints dt {1 + i % 4} pt {7 + i % 3} "
                             f"ps 0.4{lc} title '{title}'")
        if not lines:
            continue
        png = os.path.join(pdir, name + ".png")
        script = [
            "set terminal pngcairo size 1000,520 noenhanced",
            f"set output '{png}'",
            f"set title \"{name}: user-mode locality per 0.5 s interval (locality plugin)\\n"
            f"dashed: start of the steady state (last third); dotted: {CONVERGED:g}%\"",
            "set xlabel 'seconds since the measured phase started (host time, TCG)'",
            "set ylabel 'local accesses %'",
            "set yrange [0:105]",
            "set key outside right",
            "set grid",
            f"set arrow from graph 0, first {CONVERGED:g} to graph 1, first {CONVERGED:g} "
            "nohead dt 3 lw 1.5 lc rgb '#606060' front",
        ]
        if froms:
            x = statistics.median(froms)
            script.append(f"set arrow from {x:.2f}, graph 0 to {x:.2f}, graph 1 nohead dt 2 lc rgb '#606060'")
        script.append("plot " + ", ".join(lines))
        script = "\n".join(script)
        with open(os.path.join(pdir, name + ".gp"), "w") as f:
            f.write(script + "\n")
        p = subprocess.run([gp], input=script, text=True, capture_output=True)
        if p.returncode == 0:
            made.append(png)
        else:
            return f"plots failed: gnuplot: {p.stderr.strip()[:200]}"
    return f"plots: {len(made)} PNG files in {pdir}"


def table(names, modes, runs, cells):
    """The table: per workload a heading, then a line per mode with the
    medians over its runs, and under it their min-max if it ran more than
    once."""
    head = ["mode", "runs"] + [h for _, h, _ in COLUMNS]
    body = []
    for name in names:
        body.append(("name", name))
        for mode in modes:
            if not runs.get(mode):
                continue
            c = cells[(name, mode)]
            notrun = [r for r in c.runs if r.get("status") == "not run"]
            if len(notrun) == len(c.runs):
                why = ""
                for r in c.runs:
                    st, reason = r["_state"]
                    why = reason or ("guest failed" if st not in (None, "0") else "not run")
                body.append(("text", f"{mode:<{MODE_W}}  n/a: {why}"))
                continue
            med = [mode, f"{len(c.ok)}"]
            rng = ["", ""]
            for k, _, f in COLUMNS:
                m, r = c.text(k, f)
                med.append(m)
                rng.append(r)
            flags = []
            bad = [r for r in c.runs if r.get("status") != "ok"]
            if bad:
                flags.append("; ".join(f"#{r['repeat']} {r.get('status')}" for r in bad))
            ng = [r.get("numa_group", "not asked") for r in c.ok]
            if any(g not in ("not asked", "on") and not g.startswith("not used") for g in ng):
                flags.append("(no numa_group)" if not any(g.startswith("on") for g in ng)
                             else "(numa_group errors)")
            body.append(("row", med, flags))
            if len(c.ok) > 1:
                body.append(("row", rng, []))
    widths = [len(h) for h in head]
    for b in body:
        if b[0] == "row":
            widths = [max(w, len(x)) for w, x in zip(widths, b[1])]
    widths[0] = max(widths[0], MODE_W)

    def line(cells):
        return "  " + f"{cells[0]:<{widths[0]}}" + "".join(
            f" {x:>{w}}" for x, w in zip(cells[1:], widths[1:]))
    out = [line(head), "  " + "-" * (len(line(head)) - 2)]
    for b in body:
        if b[0] == "name":
            if len(out) > 2:
                out.append("")
            out.append(b[1])
        elif b[0] == "text":
            out.append("  " + b[1])
        else:
            out.append(line(b[1]).rstrip() + ("  " + "  ".join(b[2]) if b[2] else ""))
    return out


def main():
    args = sys.argv[1:]
    quiet = "--quiet" in args
    args = [a for a in args if a != "--quiet"]
    modes = MODES
    if "--modes" in args:
        i = args.index("--modes")
        if i + 1 >= len(args):
            print(__doc__.strip(), file=sys.stderr)
            return 2
        modes = args[i + 1].split(",")
        del args[i:i + 2]
    if len(args) != 1 or not os.path.isdir(args[0]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    res = args[0]
    runs, dirs = {}, {}
    for mode in modes:
        for n, d in find_runs(res, mode):
            runs.setdefault(mode, []).append(n)
            dirs[(mode, n)] = d
    modes = [m for m in modes if m in runs]
    names = workloads_of(list(dirs.values()))
    rows = {}
    for (mode, n), d in dirs.items():
        state = run_state(d)
        for name in names:
            r = analyse(d, mode, n, name)
            r["_state"] = state
            rows[(name, mode, n)] = r
    relate(rows, names, runs)
    cells = {(name, mode): Cell([rows[(name, mode, n)] for n in runs[mode]])
             for name in names for mode in modes}

    info = {}
    for d in dirs.values():
        info = read_kv(os.path.join(d, "info"))
        if info:
            break
    run_info = read_kv(os.path.join(res, "run.info"))
    seconds = info.get("seconds") or run_info.get("seconds")
    out = []
    out.append(f"knumad benchmark: {res}")
    nodes = int(info.get("nodes", 1) or 1)
    out.append(f"kernel {info.get('kernel', 'n/a')}, {info.get('nodes', '?')} nodes x "
               f"{int(info.get('cpus', 0) or 0) // max(1, nodes)} CPUs, "
               f"profile {info.get('profile', '?')}, THP {info.get('thp', '?')}")
    out.append((f"measured phase {seconds} s per workload" if seconds else
                "measured phase: fixed passes (an older run, before time-based phases)") +
               "; runs: " + ", ".join(f"{m} {len(runs[m])}" for m in modes) +
               "; steady state = the last third of the measured phase")
    kset = run_info.get("knumad_set", "-")
    if kset not in ("", "-"):
        out.append(f"knumad tunables set by --knumad-set (not the defaults): {kset.replace(',', ', ')}")
    out.append("")
    out.extend(table(names, modes, runs, cells))
    out.append("")
    out.append("Summary (winner among " + ", ".join(BALANCERS) + " by steady-state locality, ties "
               "broken by modelled balancing cost):")
    out.extend(summary_lines(names, cells))
    out.append("")
    notes = [
        "Columns (each: the median over the runs; the line under a mode that ran more than once",
        "gives min-max):",
        "  runs       runs of the mode that measured the workload (fresh guest each)",
        "  local%     user-mode accesses to memory on the accessing vCPU's node, whole measured",
        "             phase (locality plugin, between the workload's markers; phase: its busy phase)",
        f"  steady%    the same over the last third of the measured phase: from the first plugin",
        "             interval end at or after 2/3 of it to its end marker (exact counts, so",
        "             weighted by accesses)",
        f"  t90 s      time to {CONVERGED:g}%: seconds from the phase's start to the start of the",
        f"             interval from which every {STRETCH_S:g} s stretch of consecutive 0.5 s intervals",
        f"             (access-weighted) is >= {CONVERGED:g}% local to the end; 'never' if the last one is not",
        f"  t2pt s     time to within {SETTLED_POINTS:g} points of the steady state: the same, with every "
        f"stretch within",
        f"             +-{SETTLED_POINTS:g} points of steady%. Both skip intervals with < "
        f"{MIN_INTERVAL_SHARE * 100:.0f}% of the median",
        "             interval's accesses; host time",
        "  work       work done: bytes the workers worked on per second of the measured phase",
        "             (perf-numa-mem: perf's own data-total / runtime-max), over off's median. TCG",
        "             has no remote penalty: this shows the balancers' overhead and CPU crowding",
        "  model      MODELLED native work rate over off's: off's modelled ns per access / this",
        "             run's; per access: stretch x (accesses x cost + migrations, hinting faults,",
        "             PTE updates and pages scanned x cost) / accesses, stretch = (run + wait) / run",
        "             (schedstat). Constants: " + CONSTANTS,
        "  migrated   pages migrated (vmstat pgmigrate_success delta, any cause)",
        "  fault mig  of those, migrated in task context by upstream's NUMA hinting-fault path",
        "             (vmstat numa_pages_migrated)",
        "  knumad mig of those, migrated by knumad's thread (/sys/kernel/mm/knumad/pages_migrated)",
        "  mig/misp   pages migrated / pages misplaced (per task, the most remote pages in any one",
        "             sample of the resident sampler, summed over tasks): 1 = each moved once",
        "  hint flt   NUMA hinting faults (vmstat numa_hint_faults delta; on this kernel it counts",
        "             knumad's sampled faults too: their share is knumad_hint_faults in results.csv)",
        "  bal CPU s  balancer CPU seconds (TCG): knumad: its thread (sysfs cpu_time_us) plus the",
        "             workers' system time beyond off's median (its hinting faults); upstream: the",
        "             workers' system time beyond off's (task_numa_work, hinting faults, migration",
        "             on fault all run there; getrusage per worker thread over its phase, tick-",
        "             sampled; perf-numa-mem: /proc task stat between samples). '-': no balancer",
        "Better (summary): A is better than B on a workload if A's median steady% is higher by",
        f"  more than the margin = max(A's spread, B's spread, {SPREAD_FLOOR:g} point), spread = max - min",
        f"  over the runs; or, medians within {SPREAD_FLOOR:g} point, if A's median modelled balancing cost",
        f"  (migrations, hinting faults, PTE updates, pages scanned x cost) is <= {COST_FACTOR:g} x B's.",
        f"  Medians apart by more than {SPREAD_FLOOR:g} point but less than the margin: unclear (the runs",
        "  cannot tell; counted apart). The gap to hard is hard's median steady% minus the winner's.",
    ]
    if "knumad-group" in modes:
        notes += [
            "Mode knumad-group: knumad as in 'knumad', and our workloads (-G) put what belongs",
            "  together in numa_groups: numa02 and numa01_THREAD_ALLOC a group per thread (the",
            "  thread, its slice), memcmp, numa01 and mix a group per process (its worker",
            "  threads, its buffer), phase one group made at the busy phase's start (the workers,",
            "  the new buffer); perf-numa-mem has no groups. A row marked '(no numa_group)' ran",
            "  without groups: it is plain knumad.",
        ]
        for r in rows.values():
            if r["mode"] == "knumad-group" and r.get("status") == "ok" \
                    and r.get("numa_group", "on") != "on" and not r["numa_group"].startswith("not used"):
                notes.append(f"  {r['workload']} #{r['repeat']}: numa_group {r['numa_group']}")
    if all(is_na(r.get("knumad_pages_migrated", na(""))) for r in rows.values()):
        notes.append("Not measured: pages migrated by knumad itself (no knumad pages_migrated "
                     "counter: pgmigrate_success counts all).")
    notes.append("Not measured: upstream's CPU time by function (task_numa_work, do_numa_page): "
                 "the guest kernel has no")
    notes.append("  function tracer (CONFIG_FUNCTION_TRACER=n, so no ftrace function profiling) "
                 "and no kprobes; bal CPU s")
    notes.append("  for upstream is the workers' extra system time instead (it includes any other "
                 "extra kernel work).")
    for (mode, n), d in sorted(dirs.items()):
        st, reason = run_state(d)
        if st not in (None, "0") or reason:
            notes.append(f"Mode {mode} #{n}: guest exit {st}{': ' + reason if reason else ''}")
    nas = {}
    for r in rows.values():
        if r.get("status") == "not run":
            continue
        for k, _, _ in COLUMNS:
            v = r.get(k)
            if is_na(v):
                nas.setdefault(f"{k}: {v[1]}", []).append(f"{r['workload']}/{r['mode']}#{r['repeat']}")
    if nas:
        notes.append("n/a reasons:")
        for k, where in sorted(nas.items()):
            notes.append(f"  {k} ({len(where)}x, e.g. {where[0]})")
    out.extend(notes)

    # perf sched summary, when recorded.
    sched_lines = []
    for name in names:
        for mode in modes:
            for n in runs[mode]:
                s = sched_summary(dirs[(mode, n)], name)
                if s is None:
                    continue
                if not sched_lines:
                    sched_lines += ["", "perf sched (recorded during the workload; adds tracing overhead):",
                                    f"{'workload':<20} {'mode':<{MODE_W}} {'run':>3} {'CPU moves':>10} "
                                    f"{'node chg':>10} {'switches':>10} {'avg wait ms':>12} {'max wait ms':>12}"]
                sched_lines.append(
                    f"{name:<20} {mode:<{MODE_W}} {n:>3} {fmt(s['moves'], 'd'):>10} "
                    f"{fmt(s['node_changes'], 'd'):>10} {fmt(s['switches'], 'd'):>10} "
                    f"{fmt(s['avg_wait_ms'], '.3f'):>12} {fmt(s['max_wait_ms'], '.2f'):>12}")
    out.extend(sched_lines)

    write_csv(res, names, modes, runs, rows, cells)
    out.append("")
    out.append(plot(res, names, modes, runs, rows))
    out.append(f"CSV: {os.path.join(res, 'results.csv')} (every run), "
               f"{os.path.join(res, 'summary.csv')}, {os.path.join(res, 'timeseries.csv')}")
    bad = [f"{r['workload']}/{r['mode']}#{r['repeat']}: {r.get('status')}" +
           (f" ({r['locality_pct'][1]})" if is_na(r.get("locality_pct")) else "")
           for r in rows.values()
           if r.get("status") != "ok" or is_na(r.get("locality_pct"))]
    if bad:
        out.append("Failed or unmeasured: " + ", ".join(sorted(bad)))
    text = "\n".join(out)
    with open(os.path.join(res, "table.txt"), "w") as f:
        f.write(text + "\n")
    if not quiet:
        print(text)
    return 1 if bad else 0


def fmt(v, spec):
    if is_na(v):
        return "n/a"
    if isinstance(v, str):
        return v
    return format(v, spec)


FIXED_KEYS = [
    "workload", "mode", "repeat", "status", "params", "locality_pct", "steady_pct",
    "steady_from_s", "t90_s", "settle_s", "work_rel", "throughput_Bps", "work_bytes",
    "work_window_s", "model_rel", "resident_pct", "misplaced_pages", "pages_migrated",
    "migrations_per_misplaced", "pgmigrate_success", "thp_migration_success",
    "numa_pages_migrated", "knumad_pages_migrated", "numa_pte_updates", "numa_hint_faults",
    "numa_hint_faults_local", "knumad_hint_faults", "knumad_hint_armed", "knumad_passes",
    "knumad_full_scans", "knumad_pages_scanned", "knumad_node_changes", "knumad_tasks_moved",
    "knumad_tasks_swapped", "knumad_tasks_busy", "knumad_mm_skipped_contended",
    "knumad_cpu_time_us", "numa_group", "numa_groups", "numa_group_nodes",
    "numa_group_node_changes", "numa_group_pages_migrated", "balancing_cpu_s",
    "balancing_cpu_src", "kthread_cpu_s", "task_sys_s", "task_sys_extra_s", "task_user_s",
    "stretch", "threads", "user_local", "user_remote", "modelled_memory_s",
    "modelled_balance_s", "modelled_s", "modelled_ns_per_access", "tcg_window_s",
    "guest_wall_s", "samples"]


def cell_text(v):
    if is_na(v):
        return "n/a"
    if isinstance(v, float):
        return "never" if v == NEVER else f"{v:.6g}"
    return v


def write_csv(res, names, modes, runs, rows, cells):
    extra = sorted({k for r in rows.values() for k in r
                    if (k.startswith("knumad_") or k.startswith("vmstat_knumad_"))
                    and k not in FIXED_KEYS})
    keys = FIXED_KEYS + extra
    with open(os.path.join(res, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(keys + ["na_reasons"])
        for name in names:
            for mode in modes:
                for n in runs[mode]:
                    r = rows[(name, mode, n)]
                    reasons = "; ".join(f"{k}: {r[k][1]}" for k in keys if is_na(r.get(k)))
                    w.writerow([cell_text(r.get(k, "")) for k in keys] + [reasons])
    with open(os.path.join(res, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        hdr = ["workload", "mode", "runs"]
        for k in SUMMARY_KEYS:
            hdr += [k + "_median", k + "_min", k + "_max"]
        w.writerow(hdr)
        for name in names:
            for mode in modes:
                c = cells[(name, mode)]
                row = [name, mode, len(c.ok)]
                for k in SUMMARY_KEYS:
                    st = c.stat(k)
                    row += [cell_text(float(x)) for x in st] if st else ["n/a"] * 3
                w.writerow(row)
    with open(os.path.join(res, "timeseries.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["workload", "mode", "repeat", "t_start_s", "t_end_s", "user_local",
                    "user_remote", "local_pct"])
        for (name, mode, n), r in rows.items():
            for start, end, l, rm in r.get("_series", []):
                pct = f"{100.0 * l / (l + rm):.3f}" if l + rm else "n/a"
                w.writerow([name, mode, n, f"{start:.3f}", f"{end:.3f}", l, rm, pct])


if __name__ == "__main__":
    sys.exit(main())
