#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The test run behind `make check`.

Runs, in order:
  1. host unit tests (the result readers themselves);
  2. a set of guest boots (tests/boots.conf): each boots a kernel flavour in a
     2-node QEMU guest, reads the KUnit suites from its serial log, runs its
     kselftest programs, and fails any test during which the kernel printed a
     warning, BUG, lockdep report, RCU stall or hung task, or a KCSAN data
     race one of whose two accesses a function of knumad made (races between
     two accesses of the rest of the kernel, even when knumad called that
     code, are listed, not failed);
then prints every result and one closing line `N passed, N failed, N skipped`,
and exits 1 if anything failed.
"""
import argparse
import glob
import os
import re
import shlex
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))

from results import FAIL, PASS, SKIP, Result, parse_tap, read_serial_log  # noqa: E402


def log(msg):
    print(msg, flush=True)


_DEFINITION = re.compile(r"^\+?(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)\(")
_SYSCALL = re.compile(r"^\+?SYSCALL_DEFINE\d\((\w+)")


def our_functions():
    """Names of the functions knumad defines: in its directories, and those
    its patches add to the kernel's files (with the syscall wrappers'
    names). A KCSAN race is knumad's if one of them made one of its two
    accesses."""
    names = set()
    files = [f for d in ("kernel/knumad", "mm/numa_migrate")
             for f in glob.glob(os.path.join(TOP, d, "**", "*.c"), recursive=True)]
    for path in files + sorted(glob.glob(os.path.join(TOP, "patches", "*.patch"))):
        patch = path.endswith(".patch")
        with open(path, errors="replace") as f:
            for line in f:
                if patch and not line.startswith("+"):
                    continue
                m = _SYSCALL.match(line)
                if m:
                    names |= {f"__do_sys_{m.group(1)}", f"__se_sys_{m.group(1)}",
                              f"__x64_sys_{m.group(1)}"}
                    continue
                m = _DEFINITION.match(line)
                if m and not line.lstrip("+").startswith(("#", "return", "if", "for")):
                    names.add(m.group(1))
    return {n for n in names if not n.isupper()}     # not DEFINE_MUTEX(...)


def read_boots(path):
    """Parse tests/boots.conf: one boot per line,
    NAME KERNEL-FLAVOUR TIMEOUT "KERNEL ARGS" KUNIT-SUITES|- PROGRAM..."""
    boots = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = shlex.split(line)
            if len(words) < 5 or not words[2].isdigit():
                sys.exit(f"{path}:{n}: need NAME FLAVOUR TIMEOUT ARGS SUITES [PROGRAM...]")
            name, flavour, timeout, append, suites, *progs = words
            boots.append(dict(name=name, flavour=flavour, timeout=int(timeout), append=append,
                              suites=[] if suites == "-" else suites.split(","),
                              progs=progs))
    return boots


def host_unit_tests():
    """The result readers' own unit tests."""
    suite = unittest.defaultTestLoader.discover(os.path.join(HERE, "lib"),
                                                pattern="test_*.py")
    out = []

    class Collect(unittest.TestResult):
        def addSuccess(self, test):
            out.append(Result("host:" + test.id(), PASS))

        def addFailure(self, test, err):
            out.append(Result("host:" + test.id(), FAIL, str(err[1])))

        addError = addFailure

        def addSkip(self, test, reason):
            out.append(Result("host:" + test.id(), SKIP, reason))

    suite.run(Collect())
    return out


def serial_tail(serial, lines=8):
    """The last lines of a serial log, for a report on a guest that hung."""
    return " | ".join(line.strip() for line in serial.splitlines()[-lines:])


# What a sanitizer kernel prints once it watches: one that does not would
# pass every test.
SANITIZER_ON = {
    "check": "kasan: KernelAddressSanitizer initialized",
    "kcsan": "kcsan: enabled early",
}


def run_boot(boot, args):
    """Boot one guest, run its programs; return its results."""
    name = boot["name"]
    kernel = os.path.join(args.build, f"obj-{boot['flavour']}", "arch/x86/boot/bzImage")
    rundir = os.path.join(args.build, "check", name)
    resdir = os.path.join(rundir, "results")
    progs = [os.path.join(args.build, "selftests", p) for p in boot["progs"]]
    os.makedirs(rundir, exist_ok=True)
    for stale in ("serial.log", "status"):
        if os.path.exists(os.path.join(rundir, stale)):
            os.remove(os.path.join(rundir, stale))
    if os.path.isdir(resdir):
        for f in os.listdir(resdir):
            os.remove(os.path.join(resdir, f))

    cmd = [os.path.join(TOP, "tests/vm/run-vm.sh"), "-q", "-k", kernel,
           "-n", str(args.nodes), "-c", str(args.cpus_per_node),
           "-m", str(args.mem_per_node), "-t", str(boot["timeout"] * args.timeout_scale),
           "-o", rundir, "-a", boot["append"], "--",
           os.path.join(TOP, "tests/vm/guest-run-tests.sh"), resdir,
           str(args.test_timeout)] + progs
    start = time.monotonic()
    rc = subprocess.run(cmd).returncode  # run-vm.sh kills it at its timeout
    log(f"  boot {name}: {boot['flavour']} kernel, '{boot['append']}', "
        f"{time.monotonic() - start:.0f} s, guest exit {rc}")

    results = []
    serial = ""
    if os.path.exists(os.path.join(rundir, "serial.log")):
        with open(os.path.join(rundir, "serial.log"), errors="replace") as f:
            serial = f.read()
    report = read_serial_log(serial, ours=args.ours.__contains__)

    # The guest itself: it must boot, finish, and print no splat outside
    # of a test.
    if rc in (124, 125):
        what = "hung (killed at timeout)" if rc == 124 else "died (panic?)"
        where = f" during {report.running}" if report.running else ""
        results.append(Result(f"{name}:guest", FAIL, f"guest {what}{where}; see {rundir}/serial.log"))
        # CI keeps only this output: say where the guest was.
        log(f"  {name}: last lines of the serial log: {serial_tail(serial)}")
    else:
        results.append(Result(f"{name}:guest", PASS))
    want = SANITIZER_ON.get(boot["flavour"])
    if want:
        on = want in serial
        results.append(Result(f"{name}:sanitizer-on", PASS if on else FAIL,
                              "" if on else f"no '{want}' in the serial log"))
    for test, head, reached in report.foreign_races:
        how = "in code knumad called" if reached else "without knumad in the stacks"
        log(f"  {name}: KCSAN between two accesses of the kernel's own, {how} "
            f"(listed, not failed), during {test}: {head}")
    trace = os.path.join(resdir, "trace.txt")
    if os.path.exists(trace):
        log(f"  {name}: a warning stopped tracing; the events before it: {trace}")
    for when in ("boot", "after-tests"):
        if when in report.splats:
            results.append(Result(f"{name}:kernel-log-{when}", FAIL,
                                  "; ".join(report.splats[when][:3])))

    # KUnit: every expected suite must have reported.
    for suite in boot["suites"]:
        cases = [r for r in report.kunit if r.name.startswith(suite + ".")]
        if not cases:
            results.append(Result(f"{name}:kunit:{suite}", FAIL, "suite printed no results"))
        for r in cases:
            results.append(Result(f"{name}:kunit:{r.name}", r.status, r.detail))

    # Selftests: TAP per program, exit status, plan, and splats during it.
    for prog in boot["progs"]:
        tap_path = os.path.join(resdir, prog + ".tap")
        rc_path = os.path.join(resdir, prog + ".rc")
        if not os.path.exists(rc_path):
            results.append(Result(f"{name}:{prog}", FAIL, "did not run to the end"))
            continue
        with open(tap_path, errors="replace") as f:
            tap = f.read()
        with open(rc_path) as f:
            prc = int(f.read().strip() or "255")
        cases, plan = parse_tap(tap, f"{name}:{prog}:")
        results.extend(cases)
        if plan is None or len(cases) < plan:
            results.append(Result(f"{name}:{prog}", FAIL,
                                  f"{len(cases)} of {plan} results, exit {prc}"))
        elif prc not in (0, 4) and not any(c.status == FAIL for c in cases):
            results.append(Result(f"{name}:{prog}", FAIL, f"exit {prc} with no failed case"))
        if prog in report.splats:
            results.append(Result(f"{name}:{prog}:kernel-log", FAIL,
                                  "; ".join(report.splats[prog][:3])))
        if any(c.status == FAIL for c in cases):
            log(f"    output of {prog}: {tap_path}")
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--boots", default=os.path.join(HERE, "boots.conf"))
    ap.add_argument("--only", help="run only the boots with these names (comma-separated)")
    ap.add_argument("--nodes", type=int, default=2)
    ap.add_argument("--cpus-per-node", type=int, default=2)
    ap.add_argument("--mem-per-node", type=int, default=1536)
    ap.add_argument("--timeout-scale", type=int, default=1,
                    help="multiply every boot's timeout (boots.conf) by this")
    ap.add_argument("--test-timeout", type=int, default=900)
    args = ap.parse_args()
    args.ours = our_functions()

    boots = read_boots(args.boots)
    if args.only:
        wanted = set(args.only.split(","))
        boots = [b for b in boots if b["name"] in wanted]

    results = host_unit_tests()
    log(f"  host unit tests: {len(results)} run")
    for boot in boots:
        results += run_boot(boot, args)

    log("")
    for r in results:
        log(f"{r.status:4}  {r.name}" + (f"  ({r.detail})" if r.detail else ""))
    passed = sum(r.status == PASS for r in results)
    failed = sum(r.status == FAIL for r in results)
    skipped = sum(r.status == SKIP for r in results)
    log("")
    log(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
