# SPDX-License-Identifier: GPL-2.0
"""Reading test results: KUnit KTAP from a guest's serial log, kselftest TAP
from a test program's output, and kernel splats (warnings, BUGs, lockdep,
RCU stalls, hung tasks) blamed on the test that was running.

Pure functions over text, so they are unit-tested on their own
(tests/lib/test_results.py).
"""
import re
from dataclasses import dataclass, field

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"

# "[    1.234567] " printk timestamps on the console.
_STAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
_TAP_RESULT = re.compile(r"^(not ok|ok)\s+\d+\s*-?\s*(.*?)(?:\s+#\s*(SKIP|TODO)\b(.*))?$")
_TAP_PLAN = re.compile(r"^1\.\.(\d+)")
_KTAP_SUBTEST = re.compile(r"^#\s*Subtest:\s*(\S+)")
_MARKER = re.compile(r"knumad-test: (begin|end) (\S+)")

# Lines by which the kernel reports that something went wrong. Lockdep,
# might_sleep and list debugging report through WARNING:/BUG: lines.
SPLAT = re.compile(
    r"(WARNING:|BUG:|Oops:|Kernel panic|general protection fault|"
    r"rcu: INFO:|INFO: rcu|INFO: task .* blocked for more than|"
    r"soft lockup|hard LOCKUP|UBSAN:|KASAN:|KCSAN:|"
    r"kmemleak: \d+ new suspected|schedule_timeout: wrong timeout value|"
    r"------------\[ cut here \]------------)")


@dataclass
class Result:
    """One test's verdict."""
    name: str
    status: str
    detail: str = ""


# A KCSAN report: "BUG: KCSAN: data-race in f / g", then for each access a
# line "read|write [(marked)] to ADDR ..." (or "race at unknown origin")
# and its stack, and a line of "=" that closes it.
_KCSAN_HEAD = re.compile(r"BUG: KCSAN: ")
_ACCESS = re.compile(r"^(?:read|write|read-write)\b.* to 0x|race at unknown origin")
_FRAME = re.compile(r"^\s*(?:\?\s+)?([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+")
_RULE = re.compile(r"^={20,}\s*$")


@dataclass
class _Race:
    """A KCSAN report being read."""
    test: str
    head: str
    accessors: list = field(default_factory=list)  # first frame of each access
    frames: list = field(default_factory=list)     # every frame
    next_accessor: bool = False                    # an access line just passed


@dataclass
class LogReport:
    """What a serial log says: KUnit results, splats per test, last test."""
    kunit: list = field(default_factory=list)
    splats: dict = field(default_factory=dict)   # test name -> [lines]
    running: str = ""                            # begun but never ended
    # KCSAN reports whose two accesses are both the rest of the kernel's:
    # (test, header, reached), reached if the code under test is in a stack.
    foreign_races: list = field(default_factory=list)


def strip_stamp(line):
    """Drop a printk timestamp from a console line."""
    return _STAMP.sub("", line.rstrip("\r\n"))


# The harness's own lines around a test, which say nothing about a failure.
_HARNESS_LINE = re.compile(r"^#\s*(RUN|OK|FAIL|SKIP|XFAIL|PASSED|FAILED|Starting|Totals)\b")
# What a failed test's detail keeps of the lines it printed: the last ones.
_FAIL_LINES, _FAIL_CHARS = 3, 400


def parse_tap(text, prefix=""):
    """Results of a (k)selftest TAP stream at the top level.

    A failed test's detail is the last diagnostic lines it printed (the
    harness's "# file:line:test:Expected ..." and TH_LOG lines), so that a
    log that keeps only the summary still says why.

    Returns (results, plan): plan is the number the stream promised, or
    None if it printed no plan.
    """
    results, plan, said = [], None, []
    for raw in text.splitlines():
        if raw.startswith((" ", "\t")):
            continue                    # nested (sub)test lines
        line = raw.strip()
        m = _TAP_PLAN.match(line)
        if m:
            plan = int(m.group(1))
            continue
        m = _TAP_RESULT.match(line)
        if not m:
            if line.startswith("#") and not _HARNESS_LINE.match(line):
                said.append(line.lstrip("# ").strip())
            elif _HARNESS_LINE.match(line) and line.lstrip("# ").startswith("RUN"):
                said = []
            continue
        ok, name, directive, why = m.groups()
        why = (why or "").strip()
        if directive == "SKIP":
            status = SKIP
        else:
            status = PASS if ok == "ok" else FAIL
        if status == FAIL and not why and said:
            why = " | ".join(said[-_FAIL_LINES:])[:_FAIL_CHARS]
        results.append(Result(prefix + name.strip(), status, why))
        said = []
    return results, plan


def parse_ktap_suites(lines):
    """KUnit case results from console lines (timestamps already stripped).

    KUnit prints each suite as a nested KTAP block:
        KTAP version 1 / 1..N / "    # Subtest: suite" / "    ok 1 case" ...
    Cases are indented one level (4 spaces) under their suite; parameterised
    cases one level more, which we fold into their case.
    """
    results, suite = [], None
    for line in lines:
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        m = _KTAP_SUBTEST.match(body)
        if m and indent == 4:
            suite = m.group(1)
            continue
        if suite is None or indent != 4:
            continue
        m = _TAP_RESULT.match(body)
        if not m:
            continue
        ok, name, directive, why = m.groups()
        status = SKIP if directive == "SKIP" else (PASS if ok == "ok" else FAIL)
        results.append(Result(f"{suite}.{name.strip()}", status, (why or "").strip()))
    return results


def read_serial_log(text, ours=None):
    """KUnit results and splats (blamed on the running test) of one boot.

    With @ours, a predicate on function names: a KCSAN report is a splat
    only if one of its two accesses was made by a function of ours (the
    first frame of its stack); a race between two accesses of the rest of
    the kernel goes to foreign_races, marked if our code called into it.
    """
    report = LogReport()
    lines, current, race = [], "boot", None

    def close_race():
        if ours is None or any(ours(f) for f in race.accessors):
            report.splats.setdefault(race.test, []).append(race.head)
        else:
            reached = any(ours(f) for f in race.frames)
            report.foreign_races.append((race.test, race.head, reached))

    for raw in text.splitlines():
        line = strip_stamp(raw)
        lines.append(line)
        if race is not None:
            m = _FRAME.match(line)
            if m:
                name = m.group(1).split(".")[0]     # f.isra.0, f.constprop.0
                if race.next_accessor:
                    race.accessors.append(name)
                race.frames.append(name)
                race.next_accessor = False
                continue
            if _ACCESS.match(line):
                race.next_accessor = True
                continue
            if _RULE.match(line) or _KCSAN_HEAD.search(line):
                close_race()
                race = None
        m = _MARKER.search(line)
        if m:
            current = m.group(2) if m.group(1) == "begin" else "after-tests"
            report.running = m.group(2) if m.group(1) == "begin" else ""
            continue
        if _KCSAN_HEAD.search(line):
            race = _Race(current, line.strip())
        elif SPLAT.search(line):
            report.splats.setdefault(current, []).append(line.strip())
    if race is not None:
        close_race()
    report.kunit = parse_ktap_suites(lines)
    return report
