"""The median's interval, its coverage, comparisons with significance, and noise flags."""

import math
import statistics

import numpy as np
import pytest
from scipy.stats import bootstrap as scipy_bootstrap
from scipy.stats import t as scipy_t

from harness.analyse import stats

COVERAGE_TRIALS = 4000


def _coverage(draw, true_median, n, trials=COVERAGE_TRIALS, seed=7):
    rng = np.random.default_rng(seed)
    hits = 0
    for sample in draw(rng, (trials, n)):  # every trial's n values drawn at once: a third of the time
        low, high, kind = stats.median_interval(sample)
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


@pytest.fixture
def few_resamples(monkeypatch):
    """500 bootstrap resamples instead of 4000, for a test whose check holds at any number of them."""
    monkeypatch.setattr(stats, "BOOTSTRAP_RESAMPLES", 500)


def test_bootstrap_is_seeded_and_brackets_the_estimate(few_resamples):
    a, b = [1.0, 1.1, 0.9, 1.05], [2.0, 2.2, 1.9, 2.1]
    def ratio(x, y):  # statistics.median: np.median's own cost, 4000 times, was most of this test's
        return statistics.median(y) / statistics.median(x)

    first = stats.bootstrap_interval([a, b], ratio)
    assert first == stats.bootstrap_interval([a, b], ratio)
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


# Exact figures, worked out by hand or from the definitions with the standard library alone, so
# that a change to any interval, any significance call or any noise flag fails a test.

def test_at_six_runs_the_interval_interpolates_as_worked_out_by_hand():
    # n = 6: P(1 <= B <= 5) = 1 - 2/64 = 0.96875 >= 0.95, P(2 <= B <= 4) = 1 - 14/64 = 0.78125 < 0.95:
    # depth 1; share = 0.01875 / 0.1875 = 0.1; weight = 5 * 0.1 / (1 + 4 * 0.1) = 5/14.
    low, high, kind = stats.median_interval([6, 1, 5, 2, 4, 3])
    assert kind == "95% CI"
    assert low == pytest.approx(1 + 5 / 14, abs=1e-12) and high == pytest.approx(6 - 5 / 14, abs=1e-12)


def _interval_from_the_definition(values, level=0.95):
    """The interpolated order-statistic interval (Hettmansperger and Sheather), from math.comb."""
    x, n = sorted(values), len(values)

    def coverage(depth):
        return sum(math.comb(n, k) for k in range(depth, n - depth + 1)) / 2**n if depth <= n - depth else 0.0

    depth = max((d for d in range(1, n // 2 + 1) if coverage(d) >= level), default=None)
    if depth is None:
        return x[0], x[-1]
    share = (coverage(depth) - level) / (coverage(depth) - coverage(depth + 1))
    weight = (n - depth) * share / (depth + (n - 2 * depth) * share)
    return weight * x[depth] + (1 - weight) * x[depth - 1], weight * x[n - depth - 1] + (1 - weight) * x[n - depth]


@pytest.mark.parametrize("n", range(6, 41))
def test_the_interval_is_the_interpolated_order_statistic_interval(n):
    values = [k * k for k in range(1, n + 1)]  # unevenly spaced, so that the interpolation weight shows
    low, high, kind = stats.median_interval(values)
    assert (low, high) == pytest.approx(_interval_from_the_definition(values), abs=1e-9) and kind == "95% CI"


@pytest.mark.parametrize("values", [[3.0], [1, 2], [5, 1, 3, 2, 4]])
def test_up_to_five_runs_the_interval_is_the_range(values):
    assert stats.median_interval(values) == (min(values), max(values), "range")


def test_a_summary_keeps_min_max_and_cv():
    summary = stats.summarize([1.0, 3.0, None, float("nan")])
    assert (summary["min"], summary["max"], summary["n"]) == (1.0, 3.0, 2)
    assert summary["cv"] == pytest.approx(math.sqrt(2) / 2)  # stdev sqrt(2) over mean 2


def test_cv_of_two_values_and_of_a_zero_mean():
    assert stats.cv([1.0, 3.0]) == pytest.approx(math.sqrt(2) / 2)
    assert stats.cv([-1.0, 1.0]) == 0.0
    assert stats.cv([1.0]) is None


def test_relative_half_width_is_the_wider_side_over_the_median():
    assert stats.relative_half_width({"n": 2, "median": 10.0, "ci_low": 8.0, "ci_high": 11.0}) == pytest.approx(0.2)
    assert stats.relative_half_width({"n": 2, "median": -10.0, "ci_low": -11.0, "ci_high": -8.0}) == pytest.approx(0.2)
    assert stats.relative_half_width({"n": 1, "median": 10.0, "ci_low": 10.0, "ci_high": 10.0}) is None
    assert stats.relative_half_width({"n": 3, "median": 0.0, "ci_low": -1.0, "ci_high": 1.0}) is None
    assert stats.relative_half_width(None) is None


@pytest.mark.parametrize("field, low, high, noisy", [
    ("wall_s", 9.0, 11.0, False),  # exactly 10 %: not over the time threshold
    ("wall_s", 9.0, 11.5, True),
    ("peak_rss_bytes", 95.0, 105.0, False),  # exactly 5 %
    ("peak_rss_bytes", 94.0, 105.0, True),
    ("requests_per_s", 8.5, 10.0, True),
    ("threads_peak", 1.0, 19.0, False),  # counts are never flagged
])
def test_noise_thresholds_are_strict(field, low, high, noisy):
    summary = {"n": 5, "median": 10.0 if field != "peak_rss_bytes" else 100.0, "ci_low": low, "ci_high": high}
    assert stats.is_noisy(field, summary) is noisy


def test_the_stopping_width_is_the_t_interval_of_the_log_mean():
    # logs 0, 2: standard error 1, t(0.975, 1 df) = 12.7062...; logs 0, 1, 2: se 1/sqrt(3), t(0.975, 2 df) = 4.3027...
    assert stats.mean_ci_relative_half_width([1.0, math.e**2]) == pytest.approx(math.expm1(12.706204736174707))
    assert stats.mean_ci_relative_half_width([1.0, math.e, math.e**2]) == pytest.approx(
        math.expm1(4.302652729911275 / math.sqrt(3)))
    assert stats.mean_ci_relative_half_width([0.0, 1.0, 2.0]) is None  # no logarithm of 0
    assert stats.mean_ci_relative_half_width([None, 2.0]) is None


T_975_2DF = 4.302652729911275  # Student's t, 97.5th percentile, 2 degrees of freedom (tables)


def test_welchs_comparison_matches_the_figures_worked_out_by_hand():
    # logs a = 1, 3 and b = 0, 2: difference 1, variances 2 and 2, se = sqrt(2/2 + 2/2) = sqrt(2),
    # Welch's df = (1 + 1)^2 / (1 + 1) = 2, t = 1/sqrt(2); for 2 df the two-sided p is 1 - t/sqrt(t^2 + 2).
    found = stats.compare([math.e, math.e**3], [1.0, math.e**2])
    t = 1 / math.sqrt(2)
    assert found.ratio == pytest.approx(math.e)
    assert found.low == pytest.approx(math.exp(1 - T_975_2DF * math.sqrt(2)))
    assert found.high == pytest.approx(math.exp(1 + T_975_2DF * math.sqrt(2)))
    assert found.p_value == pytest.approx(1 - t / math.sqrt(t * t + 2))
    assert not found.significant and (found.n_a, found.n_b, found.level) == (2, 2, 0.95)
    assert found.text() == "2.72× (0.00619–1,194), not significant"
    assert found.to_dict()["ratio"] == found.ratio


def test_a_clear_difference_is_significant_with_its_interval():
    # logs 5, 5.2 and 0, 0.2: difference 5, se = sqrt(0.02/2 + 0.02/2) = sqrt(0.02), 2 df.
    found = stats.compare([math.exp(5), math.exp(5.2)], [1.0, math.exp(0.2)])
    half = T_975_2DF * math.sqrt(0.02)
    assert (found.low, found.high) == pytest.approx((math.exp(5 - half), math.exp(5 + half)))
    assert found.significant and found.text(" times").endswith(" times (" + stats.fmt_number(found.low) + "–"
                                                               + stats.fmt_number(found.high) + "), significant")


def test_runs_without_spread_compare_exactly():
    same = stats.compare([3.0, 3.0], [3.0, 3.0])
    assert (same.ratio, same.low, same.high, same.p_value, same.significant) == (1.0, 1.0, 1.0, 1.0, False)
    double = stats.compare([2.0, 2.0, 2.0], [1.0, 1.0])
    assert (double.p_value, double.significant, double.n_a, double.n_b) == (0.0, True, 3, 2)


@pytest.mark.parametrize("a, b", [([1.0], [1.0, 2.0]), ([1.0, 2.0], [2.0]), ([0.0, 1.0], [1.0, 2.0]),
                                  ([1.0, 2.0], [-1.0, 2.0]), ([None, 1.0], [1.0, 2.0])])
def test_no_comparison_without_two_positive_values_a_side(a, b):
    assert stats.compare(a, b) is None


def test_no_comparison_when_one_side_has_no_values_left():
    assert stats.compare([None, None], [1.0, 2.0]) is None and stats.compare([1.0, 2.0], []) is None


def mean_difference(x, y) -> float:
    """A bootstrap statistic: statistics.fmean costs a quarter of np.mean on a few values."""
    return statistics.fmean(y) - statistics.fmean(x)


def test_bootstrap_of_two_values_a_side_and_of_constants(few_resamples):
    two = stats.bootstrap_interval([[1, 2], [3, 5]], mean_difference)
    assert two is not None and two[0] == 2.5 and two[1] <= 2.5 <= two[2]
    assert stats.bootstrap_interval([[2, 2], [3, 3]], mean_difference) == (1.0, 1.0, 1.0)
    assert stats.bootstrap_interval([[1], [3, 5]], lambda x, y: np.mean(y)) is None


@pytest.mark.parametrize("value, text", [(0, "0"), (12345.6, "12,346"), (100, "100"), (45.06, "45.1"), (10, "10.0"),
                                         (1.234, "1.23"), (1, "1.00"), (0.012345, "0.0123"), (-150, "-150"), (-0.5, "-0.5")])
def test_numbers_are_shown_to_about_three_figures(value, text):
    assert stats.fmt_number(value) == text


def test_mebibytes_for_progress_lines():
    assert stats.fmt_mib(3 * 2**20) == "3 MiB" and stats.fmt_mib(None) == "too short to sample"


def test_cold_and_warm_of_nothing():
    assert stats.cold_and_warm(None) == (None, None) and stats.cold_and_warm([]) == (None, None)


@pytest.mark.parametrize("level", [0.3, 0.5, 0.8, 0.9, 0.99])
@pytest.mark.parametrize("n", [2, 6, 7, 10, 15, 20])
def test_the_interval_at_other_levels_follows_the_same_definition(n, level):
    # At low levels the depth reaches n // 2, where the search for it must stop.
    values = [k * k for k in range(1, n + 1)]
    low, high, kind = stats.median_interval(values, level)
    if kind == "range":
        assert (low, high) == (values[0], values[-1]) and _coverage_of_depth(n, 1) < level
    else:
        assert kind == f"{level:.0%} CI"
        assert (low, high) == pytest.approx(_interval_from_the_definition(values, level), abs=1e-9)


def _coverage_of_depth(n, depth):
    return sum(math.comb(n, k) for k in range(depth, n - depth + 1)) / 2**n


def test_two_runs_at_fifty_percent_span_both():
    # P(1 <= B <= 1) for n = 2 is exactly 0.5: the interval is (x1, x2) itself, as an interval, not a range.
    assert stats.median_interval([1.0, 2.0], 0.5) == (1.0, 2.0, "50% CI")


def test_welch_not_student_when_the_variances_differ():
    # logs 0, 2 (variance 2) against 0, 0.2 (variance 0.02): se^2 = 1 + 0.01, Welch's df = 1.01^2 / (1 + 0.0001).
    found = stats.compare([1.0, math.e**2], [1.0, math.exp(0.2)])
    df = 1.01**2 / 1.0001
    half = float(scipy_t.ppf(0.975, df)) * math.sqrt(1.01)
    assert (found.low, found.high) == pytest.approx((math.exp(0.9 - half), math.exp(0.9 + half)))


def test_one_constant_side_is_still_a_t_interval():
    found = stats.compare([2.0, 2.0], [1.0, 2.0])
    assert found.low < found.ratio < found.high and not found.significant


def test_the_level_asked_for_is_kept_on_both_paths():
    assert stats.compare([2.0, 2.0], [1.0, 1.0], level=0.9).level == 0.9
    assert stats.compare([2.0, 2.1], [1.0, 1.1], level=0.9).level == 0.9


def test_bootstrap_is_the_unpaired_seeded_percentile_bootstrap():
    a, b = [1.0, 1.1, 0.9, 1.3, 1.05], [2.0, 2.6, 1.9, 2.1, 2.2]

    def ratio(x, y):  # statistics.median: np.median's own cost, 4000 times, was most of this test's
        return statistics.median(y) / statistics.median(x)

    def ratios(x, y, axis=-1):  # the same ratio of every resample at once, for scipy's own (50 times faster)
        return np.median(y, axis=axis) / np.median(x, axis=axis)

    expected = scipy_bootstrap([np.array(a), np.array(b)], ratios, paired=False, vectorized=True, confidence_level=0.9,
                               n_resamples=4000, method="percentile", random_state=np.random.default_rng(0))
    estimate, low, high = stats.bootstrap_interval([a, b], ratio, level=0.9)
    assert estimate == ratio(a, b)
    assert (low, high) == (expected.confidence_interval.low, expected.confidence_interval.high)


@pytest.mark.parametrize("samples", [[[1, 2], [3, 5]], [[1, 2], [3, 4]]])
def test_bootstrap_of_samples_with_spread_is_an_interval(samples, few_resamples):
    estimate, low, high = stats.bootstrap_interval(samples, mean_difference)
    assert low < high


def test_warm_is_the_median_of_every_iteration_after_the_first():
    assert stats.cold_and_warm([0.5, 0.1, 0.3]) == (0.5, 0.2)
    assert stats.cold_and_warm([0.5, 0.2]) == (0.5, 0.2)
