"""Edges of analyse/multiple.py and analyse/stats.py that mutation testing (issue 30) found unpinned:
a diff of exact (noise-free) figures stays silent (no numpy divide/invalid warnings on the terminal)
while deciding as before, Benjamini–Hochberg takes p-values given as plain integers, a drift of a kind
without a band of its own is judged against the default band, and a vectorized bootstrap statistic is
called with the ``axis`` keyword its contract names. Every expectation is worked out by hand in a comment.
"""

import math
import warnings

import numpy as np
import pytest

from harness.analyse import multiple, stats

pytestmark = pytest.mark.unit


def _silently(figures, **options):
    """diff_figures with every warning an error: a noise-free figure must not print numpy's warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return multiple.diff_figures(figures, **options)


def test_an_exact_change_beyond_its_band_is_significant_without_a_warning():
    # One time figure, every run alike: change exactly 1.03 (log 0.0296), error 0, no drift (one row), tau 0.
    # Its freedom falls back to its own (2 + 2 - 2 = 2) rather than 0/0; beyond = log 1.03 - log 1.02 > 0
    # over error 0 is +inf, so p = 0: significant, interval 1.03 to 1.03. Neither step may warn.
    (change,) = _silently([multiple.Figure("k", "time", [100.0, 100.0], [103.0, 103.0])]).changes
    assert change.p_value == 0.0 and change.significant is True
    assert (change.low, change.ratio, change.high) == pytest.approx((1.03, 1.03, 1.03))


def test_an_exact_change_on_its_band_is_not_significant_without_a_warning():
    # log 1.5 == log1p(0.5) in floating point: beyond = 0 and error 0, a 0/0 that must stay silent; p = 1.
    (change,) = _silently([multiple.Figure("k", "time", [1.0, 1.0], [1.5, 1.5])], min_change={"time": 0.5}).changes
    assert change.p_value == 1.0 and change.significant is False


def test_an_exact_change_inside_its_band_is_not_significant_without_a_warning():
    # 1 % of time, inside the 2 % band: beyond < 0 over error 0 is -inf, silently; p = 1.
    (change,) = _silently([multiple.Figure("k", "time", [100.0, 100.0], [101.0, 101.0])]).changes
    assert change.p_value == 1.0 and change.significant is False


def test_benjamini_hochberg_takes_p_values_given_as_integers():
    # p = 0, 1, 1: sorted, q = min over j >= i of p_j x m / j: 0 x 3/1 = 0, then 1 x 3/2 and 1 x 3/3 capped at 1.
    # 0 <= 5 % is a discovery; 1 is not. Plain ints (exact p-values) must not trip an integer array.
    assert multiple.benjamini_hochberg([0, 1, 1]) == [True, False, False]
    assert multiple.benjamini_hochberg([1, 0]) == [False, True]


def test_a_drift_of_a_kind_without_its_own_band_is_judged_against_the_default():
    # "rate" is not in MIN_CHANGE: its band is the default 2 %. A factor 1.03 is beyond it (log 1.03 > log 1.02),
    # 1.01 is inside it.
    beyond = multiple.DiffResult([], {"rate": multiple.Drift("rate", 1.03, 0.0, 5)}, 0.05)
    inside = multiple.DiffResult([], {"rate": multiple.Drift("rate", 1.01, 0.0, 5)}, 0.05)
    assert beyond.notes() == ["run-wide drift 1.03× in rate (±0% between rows, 5 rows)"]
    assert inside.notes() == []


@pytest.fixture
def few_resamples(monkeypatch):
    """500 bootstrap resamples instead of 4000: the checks below hold at any number of them."""
    monkeypatch.setattr(stats, "BOOTSTRAP_RESAMPLES", 500)


def test_a_vectorized_statistic_is_called_with_the_axis_it_reduces_along(few_resamples):
    # The contract: a vectorized statistic takes an ``axis`` keyword and reduces along it. This one requires it
    # (as scipy's own vectorized statistics may) and counts the runs along it, so it is wrong with axis=None.
    # Means 2 and 4: the estimate is the mean difference 4 - 2 = 2, and every resampled difference lies
    # between 2 - 3 = -1 (b's resample all 2, a's all 3) and 6 - 1 = 5.
    def mean_difference(a, b, *, axis):
        return np.sum(b, axis=axis) / b.shape[axis] - np.sum(a, axis=axis) / a.shape[axis]

    estimate, low, high = stats.bootstrap_interval([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], mean_difference, vectorized=True)
    assert estimate == 2.0
    assert -1.0 <= low < 2.0 < high <= 5.0
    # The same resamples as the one-resample-at-a-time statistic (the docstring's promise).
    plain = stats.bootstrap_interval([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], lambda a, b: math.fsum(b) / 3 - math.fsum(a) / 3)
    assert (estimate, low, high) == pytest.approx(plain)
