"""Median, bootstrap confidence interval, coefficient of variation, cold and warm."""

import pytest

from harness import stats


def test_median_and_ci_bracket_the_data():
    values = [1.0, 1.1, 0.9, 1.05, 0.95]
    summary = stats.summarize(values)
    assert summary["median"] == 1.0
    assert 0.9 <= summary["ci_low"] <= 1.0 <= summary["ci_high"] <= 1.1
    assert summary["n"] == 5


def test_bootstrap_is_reproducible():
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    assert stats.bootstrap_ci(values) == stats.bootstrap_ci(values)


def test_identical_runs_have_zero_width_and_zero_cv():
    summary = stats.summarize([2.0, 2.0, 2.0])
    assert (summary["ci_low"], summary["ci_high"], summary["cv"]) == (2.0, 2.0, 0.0)
    assert not stats.is_noisy(summary)


def test_cv_flags_noisy_rows():
    assert stats.cv([1.0, 3.0]) == pytest.approx(0.7071, rel=1e-3)
    assert stats.is_noisy(stats.summarize([1.0, 3.0]))


def test_single_value_has_no_cv_and_empty_has_no_summary():
    assert stats.summarize([4.0])["cv"] is None
    assert stats.summarize([None]) is None


def test_cold_is_the_first_iteration_and_warm_the_median_of_the_rest():
    assert stats.cold_and_warm([0.5, 0.2, 0.1, 0.3]) == (0.5, 0.2)
    assert stats.cold_and_warm(0.4) == (0.4, None)
    assert stats.cold_and_warm([0.4]) == (0.4, None)
