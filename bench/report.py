#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one benchmark run folder into a table, CSV files and plots.

    report.py RESULTS_DIR [--modes off,upstream,...] [--quiet]

RESULTS_DIR holds one folder per mode, as bench/run.sh and bench/guest.sh
leave them (locality.csv from the locality plugin, NAME.{meta,before,after,
log} per workload). Writes into RESULTS_DIR:

    table.txt        the table printed on stdout, with its notes
    results.csv      one row per workload x mode, every figure and n/a reason
    timeseries.csv   user-mode locality per plugin interval, per workload x mode
    plots/NAME.png   locality over time per mode (gnuplot), if gnuplot is there

Every figure comes from the run; what cannot be measured is "n/a" with a
reason. The modelled runtime uses the native cost constants below
(bench/README.md, "Modelled runtime"), never TCG time.
"""
import csv
import math
import os
import re
import shutil
import subprocess
import sys

# Native cost constants of the modelled runtime (benchmarks-and-physics.md
# section 4; see bench/README.md). Seconds per event.
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

CONVERGED = 0.90          # locality that must hold to the end
MIN_INTERVAL_SHARE = 0.10  # intervals with less work than this x median are skipped
MIN_CONVERGED_SHARE = 0.25  # the converged tail must hold this share of the accesses

MODES = ["off", "upstream", "knumad", "knumad-group", "hard", "inverse"]
MODE_TEXT = {
    "off": "no balancing",
    "upstream": "upstream numa_balancing=1",
    "knumad": "knumad (kernel.knumad=1)",
    "knumad-group": "knumad, and the workloads put what belongs together in numa_groups (-G)",
    "hard": "hard binding (CPUs + MPOL_BIND, per process/thread)",
    "inverse": "inverse binding (CPUs on one node, memory on the other)",
}
MODE_W = max(len(m) for m in MODES)   # width of the mode column
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
COMM = {"perf-numa-mem": "thread", "numa01_THREAD_ALLOC": "numa01"}


def na(reason):
    return ("n/a", reason)


def is_na(v):
    return isinstance(v, tuple)


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
        self.intervals = []   # (t_end, local, remote), during the interval
        self.ok = False
        try:
            f = open(path)
        except OSError:
            return
        marks, ivs = {}, {}
        with f:
            for row in csv.reader(line for line in f if not line.startswith("#")):
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
        self.intervals = [(v[0], v[1], v[2]) for _, v in sorted(ivs.items())]
        self.ok = True

    def window(self, a, b):
        """User local, remote accesses and host seconds between marks a, b."""
        if a not in self.marks or b not in self.marks:
            return None
        ma, mb = self.marks[a], self.marks[b]
        return mb[1] - ma[1], mb[2] - ma[2], mb[0] - ma[0], ma[0], mb[0]

    def series(self, t0, t1):
        """(seconds since t0, local fraction, accesses) of the intervals in [t0, t1]."""
        out = []
        prev = 0.0
        for t, l, r in self.intervals:
            start, prev = prev, t
            if t <= t0 or start >= t1:
                continue
            out.append((start - t0, t - t0, l, r))
        return out


def convergence(series):
    """Seconds from the window's start until locality stays >= 90%."""
    work = [s for s in series if s[2] + s[3] > 0]
    if not work:
        return na("no user accesses in the plugin's intervals")
    med = sorted(s[2] + s[3] for s in work)[len(work) // 2]
    work = [s for s in work if s[2] + s[3] >= MIN_INTERVAL_SHARE * med]
    if len(work) < 2:
        return na("run shorter than two plugin intervals")
    first = None
    tail = 0
    for start, end, l, r in work:
        if l / (l + r) >= CONVERGED:
            if first is None:
                first, tail = start, 0
            tail += l + r
        else:
            first = None
    # A local tail of stragglers (the last threads of a workload) is not
    # convergence: the stable stretch must hold a quarter of the work.
    if first is None or tail < MIN_CONVERGED_SHARE * sum(s[2] + s[3] for s in work):
        return "never"
    return max(0.0, first)


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
                    elif p[0] == "d" and len(p) == 7:
                        lg["d"].append((int(p[3]), int(p[4]), int(p[5])))
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


def fmt(v, spec):
    if is_na(v):
        return "n/a"
    if isinstance(v, str):
        return v
    return format(v, spec)


def analyse(mode_dir, mode, name):
    """All figures of one workload in one mode: a dict, n/a as (n/a, reason)."""
    r = {"workload": name, "mode": mode}
    meta = read_kv(os.path.join(mode_dir, name + ".meta"))
    if not meta:
        r["status"] = "not run"
        return r
    rc = meta.get("rc", "?")
    r["status"] = "ok" if rc == "0" else f"failed (exit {rc})"
    r["guest_wall_s"] = num(meta, "wall_s")
    base = int(meta.get("mark", "0"))
    before = read_kv(os.path.join(mode_dir, name + ".before"))
    after = read_kv(os.path.join(mode_dir, name + ".after"))
    lg = read_log(os.path.join(mode_dir, name + ".log")) or \
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

    # Locality from the plugin; the phase workload's busy phase only.
    plugin = Plugin(os.path.join(mode_dir, "locality.csv"))
    start = base + 2 if (base + 2) in plugin.marks else base
    win = plugin.window(start, base + 1) if plugin.ok else None
    series = []
    if win is None:
        reason = "no plugin CSV" if not plugin.ok else "markers missing"
        r["locality_pct"] = na(reason)
        r["convergence_s"] = na(reason)
        r["tcg_window_s"] = na(reason)
        n_l = n_r = None
    else:
        n_l, n_r, secs, t0, t1 = win
        r["user_local"], r["user_remote"] = n_l, n_r
        r["tcg_window_s"] = secs
        r["locality_pct"] = 100.0 * n_l / (n_l + n_r) if n_l + n_r else na("no user accesses")
        series = plugin.series(t0, t1)
        r["convergence_s"] = convergence(series)
    r["_series"] = series

    # Resident locality (the second opinion) and the misplaced pages at start.
    g0 = lg["m"].get(start)
    g1 = lg["m"].get(base + 1)
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
              "tasks_swapped", "tasks_busy", "mm_skipped_contended", "cpu_time_us"):
        v = delta(before, after, "knumad." + k)
        r["knumad_" + k] = v if v is not None else na(f"no /sys/kernel/mm/knumad/{k}")
    v = delta(before, after, "knumad.pages_migrated")
    r["knumad_pages_migrated"] = v if v is not None else na("no /sys/kernel/mm/knumad/pages_migrated")
    r["pages_migrated"] = r["pgmigrate_success"]
    pm, mp = r["pages_migrated"], r["misplaced_pages"]
    if is_na(pm) or is_na(mp):
        r["migrations_per_misplaced"] = na("pages migrated or misplaced pages unknown")
    elif mp < 1:
        r["migrations_per_misplaced"] = na("no misplaced pages sampled")
    else:
        r["migrations_per_misplaced"] = pm / mp

    # Balancing CPU time, measured (TCG seconds).
    if mode in ("knumad", "knumad-group"):
        us = delta(before, after, "knumad.cpu_time_us")
        ticks = delta(before, after, "kthread.ticks")
        hz = num(after, "clock.ticks_per_s") or 100
        if us is not None:
            r["balancing_cpu_s"] = us / 1e6
            r["balancing_cpu_src"] = "knumad cpu_time_us"
        elif ticks is not None:
            r["balancing_cpu_s"] = ticks / hz
            r["balancing_cpu_src"] = "knumad thread utime+stime"
        else:
            r["balancing_cpu_s"] = na("no knumad thread or counter")
    elif mode == "upstream":
        r["balancing_cpu_s"] = na("upstream scans and faults in the tasks' own context")
    else:
        r["balancing_cpu_s"] = "-"

    # Waiting for a CPU (schedstat): stretch = (run + wait) / run.
    execs = sum(d[0] for d in lg["d"])
    waits = sum(d[1] for d in lg["d"])
    r["stretch"] = (execs + waits) / execs if execs else na("no schedstat in the log")
    try:
        threads = int(lg["i"].get("threads") or meta.get("threads"))
    except (TypeError, ValueError):
        threads = None

    # The modelled native runtime.
    if n_l is None or is_na(r["stretch"]) or not threads:
        r["modelled_s"] = na("accesses, schedstat or thread count missing")
        r["modelled_balance_s"] = na("accesses, schedstat or thread count missing")
    else:
        def val(k):
            v = r.get(k)
            return 0.0 if v is None or is_na(v) or isinstance(v, str) else v
        thp = val("thp_migration_success")
        m4k = max(0.0, val("pgmigrate_success") - 512 * thp)
        scan = val("numa_pte_updates") + val("knumad_pages_scanned")
        memory = n_l * C_LOCAL + n_r * C_REMOTE
        balance = m4k * C_MIG_4K + thp * C_MIG_2M + val("numa_hint_faults") * C_HINT + scan * C_PTE
        r["modelled_memory_s"] = memory / threads
        r["modelled_balance_s"] = balance / threads
        r["modelled_s"] = r["stretch"] * (memory + balance) / threads
        r["threads"] = threads
    return r


def sched_summary(mode_dir, name):
    """perf sched: node changes and wait latency of the workload's tasks."""
    comm = COMM.get(name, name)
    mig = os.path.join(mode_dir, name + ".sched-migrations.txt")
    lat = os.path.join(mode_dir, name + ".sched-latency.txt")
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


COLUMNS = [
    # key, header, format
    ("locality_pct", "local %", ".1f"),
    ("resident_pct", "resid. %", ".1f"),
    ("convergence_s", "conv. s", ".1f"),
    ("pages_migrated", "migrated", ".0f"),
    ("migrations_per_misplaced", "migr/misp", ".2f"),
    ("balancing_cpu_s", "bal. CPU s", ".2f"),
    ("modelled_balance_s", "bal. mod s", ".4f"),
    ("modelled_s", "modelled s", ".3f"),
]


def workloads_of(res, modes):
    names = []
    for m in modes:
        d = os.path.join(res, m)
        if not os.path.isdir(d):
            continue
        order = []
        for f in os.listdir(d):
            if f.endswith(".meta"):
                meta = read_kv(os.path.join(d, f))
                order.append((int(meta.get("mark", "0")), f[:-5]))
        for _, n in sorted(order):
            if n not in names:
                names.append(n)
    return names


def mode_state(res, mode):
    d = os.path.join(res, mode)
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


def plot(res, names, modes, rows):
    gp = shutil.which("gnuplot")
    if not gp:
        return "plots skipped: gnuplot is not installed (Debian package gnuplot-nox)"
    pdir = os.path.join(res, "plots")
    os.makedirs(pdir, exist_ok=True)
    made = []
    for name in names:
        lines = []
        for mode in modes:
            r = rows.get((name, mode))
            if not r or not r.get("_series"):
                continue
            dat = os.path.join(pdir, f"{name}.{mode}.dat")
            with open(dat, "w") as f:
                for start, end, l, rm in r["_series"]:
                    if l + rm:
                        f.write(f"{end:.3f} {100.0 * l / (l + rm):.3f}\n")
            colour = MODE_COLOUR.get(mode)
            lc = f" lc rgb '{colour}'" if colour else ""
            lines.append(f"'{dat}' using 1:2 with linespoints pt 7 ps 0.5{lc} title '{mode}'")
        if not lines:
            continue
        png = os.path.join(pdir, name + ".png")
        script = "\n".join([
            "set terminal pngcairo size 900,500 noenhanced",
            f"set output '{png}'",
            f"set title '{name}: user-mode locality per {0.5:.1f} s interval (locality plugin)'",
            "set xlabel 'seconds since the measured phase started (host time, TCG)'",
            "set ylabel 'local accesses %'",
            "set yrange [0:105]",
            "set key outside right",
            "set grid",
            "plot " + ", ".join(lines),
        ])
        with open(os.path.join(pdir, name + ".gp"), "w") as f:
            f.write(script + "\n")
        p = subprocess.run([gp], input=script, text=True, capture_output=True)
        if p.returncode == 0:
            made.append(png)
        else:
            return f"plots failed: gnuplot: {p.stderr.strip()[:200]}"
    return f"plots: {len(made)} PNG files in {pdir}"


def main():
    args = sys.argv[1:]
    quiet = "--quiet" in args
    args = [a for a in args if a != "--quiet"]
    modes = MODES
    if "--modes" in args:
        i = args.index("--modes")
        modes = args[i + 1].split(",")
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    res = args[0]
    modes = [m for m in modes if os.path.isdir(os.path.join(res, m))]
    names = workloads_of(res, modes)
    rows = {}
    for mode in modes:
        for name in names:
            rows[(name, mode)] = analyse(os.path.join(res, mode), mode, name)

    info = {}
    for mode in modes:
        info = read_kv(os.path.join(res, mode, "info"))
        if info:
            break
    out = []
    out.append(f"knumad benchmark: {res}")
    out.append(f"kernel {info.get('kernel', 'n/a')}, {info.get('nodes', '?')} nodes x "
               f"{int(info.get('cpus', 0) or 0) // max(1, int(info.get('nodes', 1) or 1))} CPUs, "
               f"profile {info.get('profile', '?')}, THP {info.get('thp', '?')}")
    out.append("")
    hdr = f"{'workload':<20} {'mode':<{MODE_W}}" + "".join(f" {h:>10}" for _, h, _ in COLUMNS)
    out.append(hdr)
    out.append("-" * len(hdr))
    for name in names:
        for mode in modes:
            r = rows[(name, mode)]
            st, reason = mode_state(res, mode)
            if r.get("status") == "not run":
                why = reason or ("guest failed" if st not in (None, "0") else "not run")
                out.append(f"{name:<20} {mode:<{MODE_W}}  n/a: {why}")
                continue
            cells = "".join(f" {fmt(r.get(k, na('missing')), f):>10}" for k, _, f in COLUMNS)
            flag = "" if r["status"] == "ok" else f"  ({r['status']})"
            ng = r.get("numa_group", "not asked")
            if ng != "not asked" and ng != "on":
                flag += "  (no numa_group)" if not ng.startswith("on") else "  (numa_group errors)"
            out.append(f"{name:<20} {mode:<{MODE_W}}{cells}{flag}")
        out.append("")
    notes = [
        "Columns:",
        "  local %     user-mode accesses to memory on the accessing vCPU's node, measured phase",
        "              (locality plugin; phase: its busy phase only)",
        "  resid. %    resident-locality sampler (second opinion): share of each task's sampled",
        "              pages on the node of the CPU it runs on (move_pages; perf: numa_maps)",
        f"  conv. s     seconds until per-interval locality stays >= {CONVERGED * 100:.0f}% to the end",
        f"              (plugin, 0.5 s intervals, host time) over >= {MIN_CONVERGED_SHARE * 100:.0f}% of the accesses;",
        "              'never' = not by the end",
        "  migrated    pages migrated (vmstat pgmigrate_success, any cause)",
        "  migr/misp   pages migrated / pages misplaced (per task, the most remote pages in",
        "              any one sample, summed over tasks; sampler)",
        "  bal. CPU s  balancer CPU time measured in the guest (TCG seconds): knumad's thread;",
        "              '-' = no balancer in this mode",
        "  bal. mod s  MODELLED native balancing cost per worker thread: migrations, hinting",
        "              faults, PTE updates (upstream) and pages scanned (knumad) x cost",
        "  modelled s  MODELLED native runtime per worker thread, not a measurement:",
        "              stretch x (accesses x cost + migrations, faults, scans x cost) / threads;",
        "              stretch = (run + wait) / run from schedstat. Constants: " ,
        "              " + CONSTANTS,
    ]
    if "knumad-group" in modes:
        notes += [
            "Mode knumad-group: knumad as in 'knumad', and our workloads (-G) put what belongs",
            "              together in numa_groups: numa02 and numa01_THREAD_ALLOC a group per thread",
            "              (the thread, its slice), memcmp, numa01 and mix a group per process (its",
            "              worker threads, its buffer), phase one group made at the busy phase's start",
            "              (the workers, the new buffer); perf-numa-mem has no groups. A row marked",
            "              '(no numa_group)' ran without groups: it is plain knumad.",
        ]
        for r in rows.values():
            if r["mode"] == "knumad-group" and r.get("status") != "not run" \
                    and r.get("numa_group", "on") != "on":
                notes.append(f"              {r['workload']}: numa_group {r['numa_group']}")
    if all(is_na(r.get("knumad_pages_migrated", na(""))) for r in rows.values()):
        notes.append("Not measured: pages migrated by knumad itself (no knumad pages_migrated "
                     "counter: pgmigrate_success counts all).")
    for mode in modes:
        st, reason = mode_state(res, mode)
        if st not in (None, "0") or reason:
            notes.append(f"Mode {mode}: guest exit {st}{': ' + reason if reason else ''}")
    nas = {}
    for r in rows.values():
        for k, _, _ in COLUMNS:
            v = r.get(k)
            if is_na(v):
                nas.setdefault(f"{k}: {v[1]}", []).append(f"{r['workload']}/{r['mode']}")
    if nas:
        notes.append("n/a reasons:")
        for k, where in sorted(nas.items()):
            notes.append(f"  {k} ({len(where)}x, e.g. {where[0]})")
    out.extend(notes)

    # perf sched summary, when recorded.
    sched_lines = []
    for name in names:
        for mode in modes:
            s = sched_summary(os.path.join(res, mode), name)
            if s is None:
                continue
            if not sched_lines:
                sched_lines += ["", "perf sched (recorded during the workload; adds tracing overhead):",
                                f"{'workload':<20} {'mode':<{MODE_W}} {'CPU moves':>10} {'node chg':>10} "
                                f"{'switches':>10} {'avg wait ms':>12} {'max wait ms':>12}"]
            sched_lines.append(
                f"{name:<20} {mode:<{MODE_W}} {fmt(s['moves'], 'd'):>10} {fmt(s['node_changes'], 'd'):>10} "
                f"{fmt(s['switches'], 'd'):>10} {fmt(s['avg_wait_ms'], '.3f'):>12} {fmt(s['max_wait_ms'], '.2f'):>12}")
    out.extend(sched_lines)

    # CSV files.
    keys = ["workload", "mode", "status", "params", "locality_pct", "convergence_s", "resident_pct",
            "misplaced_pages", "pages_migrated", "migrations_per_misplaced", "pgmigrate_success",
            "thp_migration_success", "numa_pages_migrated", "knumad_pages_migrated",
            "numa_pte_updates", "numa_hint_faults", "numa_hint_faults_local",
            "knumad_passes", "knumad_full_scans", "knumad_pages_scanned", "knumad_node_changes",
            "knumad_tasks_moved", "knumad_tasks_swapped", "knumad_tasks_busy",
            "knumad_mm_skipped_contended", "knumad_cpu_time_us", "numa_group", "numa_groups",
            "numa_group_nodes", "numa_group_node_changes", "numa_group_pages_migrated",
            "balancing_cpu_s",
            "balancing_cpu_src", "stretch", "threads", "user_local", "user_remote",
            "modelled_memory_s", "modelled_balance_s", "modelled_s", "tcg_window_s",
            "guest_wall_s", "samples"]
    with open(os.path.join(res, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(keys + ["na_reasons"])
        for name in names:
            for mode in modes:
                r = rows[(name, mode)]
                reasons = "; ".join(f"{k}: {r[k][1]}" for k in keys if is_na(r.get(k)))
                cells = []
                for k in keys:
                    v = r.get(k, "")
                    if is_na(v):
                        v = "n/a"
                    elif isinstance(v, float):
                        v = f"{v:.6g}"
                    cells.append(v)
                w.writerow(cells + [reasons])
    with open(os.path.join(res, "timeseries.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["workload", "mode", "t_start_s", "t_end_s", "user_local", "user_remote", "local_pct"])
        for (name, mode), r in rows.items():
            for start, end, l, rm in r.get("_series", []):
                pct = f"{100.0 * l / (l + rm):.3f}" if l + rm else "n/a"
                w.writerow([name, mode, f"{start:.3f}", f"{end:.3f}", l, rm, pct])
    out.append("")
    out.append(plot(res, names, modes, rows))
    out.append(f"CSV: {os.path.join(res, 'results.csv')}, {os.path.join(res, 'timeseries.csv')}")
    bad = [f"{r['workload']}/{r['mode']}: {r.get('status')}" for r in rows.values()
           if r.get("status") != "ok" or is_na(r.get("locality_pct"))]
    if bad:
        out.append("Failed or unmeasured: " + ", ".join(bad))
    text = "\n".join(out)
    with open(os.path.join(res, "table.txt"), "w") as f:
        f.write(text + "\n")
    if not quiet:
        print(text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
