# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the result readers: a wrong parser would turn failures into
passes, so it is tested like any other code."""
import unittest

from results import FAIL, PASS, SKIP, parse_tap, read_serial_log

SELFTEST_TAP = """\
TAP version 13
1..3
# Starting 3 tests from 1 test cases.
#  RUN           knumad_sysctl.a ...
#            OK  knumad_sysctl.a
ok 1 knumad_sysctl.a
not ok 2 knumad_sysctl.b
ok 3 knumad_sysctl.c # SKIP no second node
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
"""

SERIAL = """\
[    0.100000] Linux version 6.12.117-knumad
[    1.000000] KTAP version 1
[    1.000001] 1..1
[    1.000002]     KTAP version 1
[    1.000003]     # Subtest: knumad_policy
[    1.000004]     # module: policy_kunit
[    1.000005]     1..3
[    1.000006]     ok 1 first_case
[    1.000007]     not ok 2 second_case
[    1.000008]         KTAP version 1
[    1.000009]         # Subtest: param_case
[    1.000010]         ok 1 param one
[    1.000011]     ok 3 param_case # SKIP no data
[    1.000012] # knumad_policy: pass:1 fail:1 skip:1 total:3
[    1.000013] not ok 1 knumad_policy
[    2.000000] knumad-test: begin knumad_sysctl_test
[    2.500000] ------------[ cut here ]------------
[    2.500001] WARNING: CPU: 1 PID: 77 at kernel/knumad/core.c:10 knumad_start+0x1/0x2
[    3.000000] knumad-test: end knumad_sysctl_test 0
[    3.100000] knumad-test: begin knumad_next_test
"""


class ParseTap(unittest.TestCase):
    def test_results_and_plan(self):
        results, plan = parse_tap(SELFTEST_TAP, "t:")
        self.assertEqual(plan, 3)
        self.assertEqual([(r.name, r.status) for r in results],
                         [("t:knumad_sysctl.a", PASS), ("t:knumad_sysctl.b", FAIL),
                          ("t:knumad_sysctl.c", SKIP)])
        self.assertEqual(results[2].detail, "no second node")

    def test_failure_detail_is_what_the_test_printed(self):
        tap = ("1..2\n#  RUN           p.a ...\n# p.c:98:a:Expected 1 (1) == 0 (0)\n"
               "# p.c:98:a:still on node 0\n#          FAIL  p.a\nnot ok 1 p.a\n"
               "#  RUN           p.b ...\n# p.c:120:b:Expected x\n#            OK  p.b\n"
               "ok 2 p.b\n")
        results, _ = parse_tap(tap)
        self.assertEqual(results[0].detail,
                         "p.c:98:a:Expected 1 (1) == 0 (0) | p.c:98:a:still on node 0")
        self.assertEqual(results[1].detail, "")

    def test_truncated_stream_has_fewer_results_than_plan(self):
        results, plan = parse_tap("TAP version 13\n1..4\nok 1 a\n")
        self.assertEqual((len(results), plan), (1, 4))

    def test_no_output(self):
        self.assertEqual(parse_tap(""), ([], None))


class ReadSerialLog(unittest.TestCase):
    def setUp(self):
        self.report = read_serial_log(SERIAL)

    def test_kunit_cases_of_suite(self):
        self.assertEqual([(r.name, r.status) for r in self.report.kunit],
                         [("knumad_policy.first_case", PASS),
                          ("knumad_policy.second_case", FAIL),
                          ("knumad_policy.param_case", SKIP)])

    def test_splat_blamed_on_running_test(self):
        self.assertEqual(list(self.report.splats), ["knumad_sysctl_test"])
        self.assertEqual(len(self.report.splats["knumad_sysctl_test"]), 2)

    def test_unfinished_test_is_reported(self):
        self.assertEqual(self.report.running, "knumad_next_test")

    def test_clean_log(self):
        report = read_serial_log("[ 0.1] Linux version\n[ 0.2] Lock dependency validator\n")
        self.assertEqual((report.kunit, report.splats), ([], {}))


KCSAN = """\
[   10.0] knumad-test: begin knumad_stress_test
[   11.0] ==================================================================
[   11.0] BUG: KCSAN: data-race in knumad_scan_mm / zap_pte_range
[   11.0] 
[   11.0] write to 0xffff8880 of 8 bytes by task 12 on cpu 1:
[   11.0]  knumad_scan_mm.isra.0+0x1a/0x200
[   11.0]  knumad_thread+0x10/0x80
[   11.0] 
[   11.0] read to 0xffff8880 of 8 bytes by task 99 on cpu 0:
[   11.0]  zap_pte_range+0x30/0x400
[   11.0] ==================================================================
[   12.0] ==================================================================
[   12.0] BUG: KCSAN: data-race in page_counter_try_charge / page_counter_uncharge
[   12.0] 
[   12.0] write to 0xffff8881 of 8 bytes by task 5 on cpu 1:
[   12.0]  page_counter_try_charge+0x1/0x2
[   12.0] smpboot: CPU 3 is now offline
[   12.0] WARNING: CPU: 0 PID: 7 at mm/x.c:1 f+0x1/0x2
[   12.0] read to 0xffff8881 of 8 bytes by task 6 on cpu 0:
[   12.0]  page_counter_uncharge+0x1/0x2
[   12.0] ==================================================================
[   14.0] ==================================================================
[   14.0] BUG: KCSAN: data-race in folio_mc_copy / migration_entry_wait_on_locked
[   14.0] 
[   14.0] write (marked) to 0xffff8882 of 8 bytes by task 129 on cpu 0:
[   14.0]  migration_entry_wait_on_locked+0x1db/0x400
[   14.0]  do_swap_page+0xba/0xc0
[   14.0] 
[   14.0] read to 0xffff8882 of 8 bytes by task 128 on cpu 2:
[   14.0]  folio_mc_copy+0x162/0x3c0
[   14.0]  migrate_pages+0x25d/0x870
[   14.0]  knumad_migrate_pass+0x4f3/0x6a0
[   14.0] 
[   14.0] value changed: 0x19 -> 0x99
[   14.0] ==================================================================
[   15.0] knumad-test: end knumad_stress_test 0
"""


class KcsanReports(unittest.TestCase):
    def test_without_a_filter_every_race_is_a_splat(self):
        report = read_serial_log(KCSAN)
        self.assertEqual(len(report.splats["knumad_stress_test"]), 4)
        self.assertEqual(report.foreign_races, [])

    def test_races_of_two_other_accesses_are_set_apart(self):
        report = read_serial_log(KCSAN, ours=lambda f: f.startswith("knumad_"))
        splats = report.splats["knumad_stress_test"]
        self.assertEqual(len(splats), 2)
        self.assertIn("knumad_scan_mm / zap_pte_range", splats[0])
        self.assertIn("WARNING:", splats[1])    # printed inside the report
        foreign = [(h.split(" in ")[1], reached) for _, h, reached in report.foreign_races]
        self.assertEqual(foreign, [
            ("page_counter_try_charge / page_counter_uncharge", False),
            ("folio_mc_copy / migration_entry_wait_on_locked", True)])

    def test_a_report_cut_short_still_counts(self):
        report = read_serial_log(KCSAN.split("[   11.0] read")[0],
                                 ours=lambda f: f.startswith("knumad_"))
        self.assertEqual(len(report.splats["knumad_stress_test"]), 1)


if __name__ == "__main__":
    unittest.main()
