"""diff's shown interval agrees with its significance: it clears the ± band exactly when
Benjamini–Hochberg calls the figure significant (false-coverage-adjusted intervals)."""

import math

import numpy as np

from harness.analyse import multiple
from harness.report import diff
from tests.unit.test_diff_control import document, rows


def figures(seed, count=40, changed=4):
    """Time figures of two runs of 5 runs a side; the first ``changed`` slowed 3-30 %, some noisy."""
    rng = np.random.default_rng(seed)
    found = []
    for i in range(count):
        noise = rng.choice([0.005, 0.02, 0.08])
        slowdown = 1 + rng.uniform(0.03, 0.3) if i < changed else 1.0
        before = np.exp(rng.normal(0, noise, 5))
        after = np.exp(rng.normal(math.log(slowdown), noise, 5))
        found.append(multiple.Figure(f"row{i}", "time", before.tolist(), after.tolist()))
    return found


def clears_band(change, band=multiple.MIN_CHANGE["time"]):
    return change.low > 1 + band or change.high < 1 / (1 + band)


def test_an_interval_clears_the_band_exactly_when_its_figure_is_significant():
    seen = set()
    for seed in range(60):
        result = multiple.diff_figures(figures(seed))
        for change in result.changes:
            assert clears_band(change) == change.significant, (seed, change)
            seen.add(change.significant)
    assert seen == {True, False}, "both kinds of figure were tested"


def test_the_level_widens_with_fewer_discoveries():
    assert multiple.adjusted_level(0, 20) == multiple.adjusted_level(1, 20) == 0.05 / 20
    assert math.isclose(multiple.adjusted_level(10, 20), 0.025)
    assert multiple.adjusted_level(20, 20) == 0.05


def test_rows_whose_runs_were_mostly_disturbed_are_named_in_the_warnings():
    found = diff.compare_runs(document("a", rows(3, 1, n=2), disturbed=2), document("b", rows(3, 2, n=2)))
    assert ("A: 3 of 3 rows had fewer than two undisturbed runs, or under half, so their figures use every run, "
            "disturbed ones included") in found.warnings
    assert not any(w.startswith("B:") for w in found.warnings)


def test_a_row_with_one_undisturbed_run_is_tested_on_every_run_as_the_judge_counts_it():
    mostly = document("b", rows(3, 2, n=4), disturbed=3)  # one calm run of four: no spread to test on its own
    found = diff.compare_runs(document("a", rows(3, 1, n=4)), mostly)
    assert all(change.comparison is not None for change in found.changes), "every figure is tested"
    assert any(w.startswith("B: 3 of 3 rows had fewer than two undisturbed runs") for w in found.warnings)
    assert diff.counted_runs(mostly["measurements"][0]) == mostly["measurements"][0]["runs"]
    half = document("b", rows(1, 2, n=4), disturbed=2)["measurements"][0]
    assert len(diff.counted_runs(half)) == 2, "two calm runs of four are kept alone"
