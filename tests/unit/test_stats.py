"""The median's interval, its coverage, comparisons with significance, and noise flags."""

import numpy as np
import pytest

from harness.analyse import stats

COVERAGE_TRIALS = 4000


def _coverage(draw, true_median, n, trials=COVERAGE_TRIALS, seed=7):
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(trials):
        low, high, kind = stats.median_interval(draw(rng, n))
        assert kind == "95% CI"
        hits += low <= true_median <= high
    return hits / trials


DISTRIBUTIONS = {
    "normal": (lambda rng, n: rng.normal(10.0, 1.0, n), 10.0),
    "lognormal": (lambda rng, n: rng.lognormal(0.0, 0.5, n), 1.0),
    "exponential": (lambda rng, n: rng.exponential(1.0, n), np.log(2)),
}


@pytest.mark.parametrize("name", DISTRIBUTIONS)
@pytest.mark.parametrize("n", [6, 7, 8, 10, 15, 20])
def test_a_95_percent_interval_covers_the_true_median_93_to_97_percent_of_the_time(name, n):
    draw, true_median = DISTRIBUTIONS[name]
    assert 0.93 <= _coverage(draw, true_median, n) <= 0.97


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_below_six_runs_the_interval_is_the_range_and_says_so(n):
    values = [1.0 + i / 10 for i in range(n)]
    assert stats.median_interval(values) == (values[0], values[-1], "range")
    assert stats.summarize(values)["interval"] == "range"


def test_summary_brackets_the_median_and_records_n():
    summary = stats.summarize([1.0, 1.1, 0.9, 1.05, 0.95, 1.02, 0.98])
    assert summary["median"] == 1.0 and summary["n"] == 7 and summary["interval"] == "95% CI"
    assert 0.9 <= summary["ci_low"] <= 1.0 <= summary["ci_high"] <= 1.1


def test_identical_runs_have_zero_width_and_zero_cv():
    summary = stats.summarize([2.0, 2.0, 2.0])
    assert (summary["ci_low"], summary["ci_high"], summary["cv"]) == (2.0, 2.0, 0.0)
    assert not stats.is_noisy("wall_s", summary)


def test_single_value_and_empty():
    assert stats.summarize([4.0])["cv"] is None
    assert stats.summarize([None]) is None


def test_counts_are_marked_integer():
    assert stats.summarize([3, 4, 5])["integer"] is True
    assert stats.summarize([3.0, 4.5])["integer"] is False


def _runs(rng, centre, noise, n=5):
    return list(centre * (1 + rng.normal(0, noise, n)))


def test_three_percent_apart_with_twenty_percent_noise_is_not_significant():
    rng = np.random.default_rng(3)
    found = stats.compare(_runs(rng, 1.03, 0.20), _runs(rng, 1.0, 0.20))
    assert not found.significant and found.low < 1 < found.high
    assert "not significant" in found.text()


def test_three_times_apart_with_five_percent_noise_is_significant():
    rng = np.random.default_rng(3)
    found = stats.compare(_runs(rng, 3.0, 0.05), _runs(rng, 1.0, 0.05))
    assert found.significant and 2.4 < found.low < found.ratio < found.high < 3.6
    assert found.text().endswith(", significant")


def test_significance_and_interval_never_disagree():
    rng = np.random.default_rng(11)
    for _ in range(200):
        found = stats.compare(_runs(rng, rng.uniform(0.8, 1.2), 0.1, 4), _runs(rng, 1.0, 0.1, 4))
        assert found.significant == (not found.low <= 1 <= found.high)


def test_a_comparison_needs_two_runs_a_side():
    assert stats.compare([1.0], [1.0, 2.0]) is None
    exact = stats.compare([2.0, 2.0], [1.0, 1.0])
    assert exact.ratio == exact.low == exact.high == 2.0 and exact.significant


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    a, b = [1.0, 1.1, 0.9, 1.05], [2.0, 2.2, 1.9, 2.1]
    first = stats.bootstrap_interval([a, b], lambda x, y: np.median(y) / np.median(x))
    assert first == stats.bootstrap_interval([a, b], lambda x, y: np.median(y) / np.median(x))
    estimate, low, high = first
    assert low <= estimate <= high


def test_noise_flags_only_timing_and_memory_with_their_own_thresholds():
    wide_time = stats.summarize([1.0, 1.15, 0.85])  # ±15 %
    assert stats.is_noisy("wall_s", wide_time)
    assert stats.is_noisy("peak_rss_bytes", stats.summarize([100.0, 107.0, 94.0]))  # ±7 % > 5 %
    assert not stats.is_noisy("wall_s", stats.summarize([100.0, 107.0, 94.0]))  # < 10 %
    assert not stats.is_noisy("threads_peak", wide_time)


def test_stopping_rule_width_is_wide_at_small_n():
    assert stats.mean_ci_relative_half_width([1.0, 1.0]) == 0.0
    three = stats.mean_ci_relative_half_width([0.98, 1.0, 1.02])
    ten = stats.mean_ci_relative_half_width([0.98, 1.0, 1.02] * 3 + [1.0])
    assert three > ten > 0


def test_cold_is_the_first_iteration_and_warm_the_median_of_the_rest():
    assert stats.cold_and_warm([0.5, 0.2, 0.1, 0.3]) == (0.5, 0.2)
    assert stats.cold_and_warm(0.4) == (0.4, None)
    assert stats.cold_and_warm([0.4]) == (0.4, None)
