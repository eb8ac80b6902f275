"""Every ratio the judge builds counts the same runs as samples() and diff (figures.counted_runs).

The judge's timed() kept the undisturbed runs however few: a row with one calm run of four gave a
ratio of one run, which has no interval, so the predicate read "not measured". A whole-suite run
(the catalogue test, blocking_io and blocking_fetch at 2 workers with 3 of 4 runs disturbed) called
C6 "not measured in this run" that way, although both rows ran.
"""

import pytest

from harness.judge import verdicts
from harness.judge.predicates import timed
from tests.unit.test_disturbed import disturb
from tests.unit.test_verdicts import judge, scaling

pytestmark = pytest.mark.unit


def runs(*disturbed):
    return [{"wall_s": 1.0 + i / 10, "work_warm_s": 1.0 + i / 10, "round": i, "disturbed": flag} for i, flag in enumerate(disturbed)]


def test_one_calm_run_of_four_keeps_every_run():
    values, rounds = timed({"runs": runs(True, False, True, True)})
    assert len(values) == 4 and rounds == [0, 1, 2, 3]


def test_two_calm_runs_of_three_leave_the_disturbed_one_out():
    values, _ = timed({"runs": runs(True, False, False)})
    assert values == [1.1, 1.2]


def test_a_row_with_one_calm_run_still_gives_its_claim_a_figure():
    rows = scaling(1.0, 1.9, runs=4)
    [processes_2] = [r for r in rows if r["variant"] == "processes" and r["params"]["threads"] == 2]
    disturb([processes_2], 0.75)  # 3 of 4 runs disturbed, 1 calm
    verdict = judge(rows, "C5")
    assert verdict["outcome"] == verdicts.INCONCLUSIVE
    processes = [p for p in verdict["predicates"] if "processes" in p["statement"].lower()]
    assert processes and processes[0]["figure"] is not None  # judged, and held back as mostly disturbed
    assert processes[0]["figure"]["n"] == "4 vs 4"
    assert verdict["note"].startswith("machine busy")
