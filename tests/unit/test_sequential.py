"""The sequential ratio interval: its coverage over repeated looks, its decisions, its exact nulls, its design errors."""

import itertools
import math

import numpy as np
import pytest

from harness.analyse import sequential
from harness.errors import UsageError

QUICK = sequential.Design(3, 10)


def _disturbed_runs(rng, trials, runs, ratio, cv=0.10):
    """Lognormal runs with 10 % of them 1.3-2x slower, as log values: (log A, log B) with A = ratio x B."""
    def row():
        values = rng.normal(0.0, cv, (trials, runs))
        return values + np.where(rng.random((trials, runs)) < 0.1, np.log(rng.uniform(1.3, 2.0, (trials, runs))), 0.0)
    return math.log(ratio) + row(), row()


@pytest.mark.parametrize("paired", [False, True])
def test_every_look_covers_the_true_ratio_in_at_least_95_percent_of_trials(paired):
    design = sequential.Design(3, 10, paired=paired)
    log_a, log_b = _disturbed_runs(np.random.default_rng(3), 400, 10, 1.5)
    missed = np.zeros(len(log_a), dtype=bool)
    for n in design.looks:
        _, low, high = sequential.log_bounds(log_a[:, :n], log_b[:, :n], design)
        missed |= (low > math.log(1.5)) | (high < math.log(1.5))
    assert missed.mean() <= 0.05 + 0.02  # 0.035 expected; 400 trials leave about 0.009 of noise


def test_a_disturbed_run_delays_a_clear_decision_but_does_not_undo_it():
    # issue 28's C5 row: runs near 0.114 s and one disturbed at 0.194 s
    fast = [0.115, 0.113, 0.194, 0.114, 0.112, 0.113, 0.115, 0.114]
    slow = [0.190, 0.192, 0.188, 0.195, 0.191, 0.190, 0.189, 0.192]
    assert sequential.ratio_interval(slow[:5], fast[:5], QUICK).decide(1.5) == "undecided"  # at 5: min to max
    interval = sequential.ratio_interval(slow, fast, QUICK)
    assert interval.decide(1.5) == "above"
    assert 1.6 < interval.low < interval.ratio < interval.high < 1.75


def test_nothing_is_decided_before_five_runs_in_the_quick_design():
    assert QUICK.min_decisive_runs() == 5
    interval = sequential.ratio_interval([10.0] * 4, [1.0] * 4, QUICK)
    assert (interval.low, interval.high) == (0.0, math.inf)
    assert interval.decide(1.5) == "undecided"


def test_the_decision_rule():
    assert sequential.decide(1.6, 2.0, 1.5) == "above"
    assert sequential.decide(1.0, 1.4, 1.5) == "below"
    assert sequential.decide(1.4, 1.6, 1.5) == "undecided"
    assert sequential.decide(1.5, 1.6, 1.5) == "undecided"  # touching the threshold decides nothing


def test_paired_runs_cancel_a_drift_both_rows_share():
    drift = np.array([1.0, 1.3, 0.8, 1.5, 1.0, 0.7, 1.2, 1.1, 0.9, 1.4])
    b = drift * np.array([1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0])
    a = 2 * drift * np.array([1.01, 0.99, 1.0, 1.0, 0.98, 1.02, 0.99, 1.0, 1.01, 1.0])
    paired = sequential.paired_ratio_interval(a.tolist(), b.tolist(), QUICK)
    independent = sequential.ratio_interval(a.tolist(), b.tolist(), QUICK)
    assert paired.paired and paired.decide(1.9) == "above" and paired.decide(2.1) == "below"
    assert independent.high - independent.low > 5 * (paired.high - paired.low)


def test_pair_rounds_keeps_the_rounds_both_rows_ran():
    assert sequential.pair_rounds({0: 1.0, 1: 2.0, 3: 4.0}, {1: 20.0, 2: 30.0, 3: 40.0}) == ([2.0, 4.0], [20.0, 40.0])


def test_the_exact_null_distributions_match_enumeration():
    m, n = 3, 4
    counts = np.zeros(m * n + 1)
    for chosen in itertools.combinations(range(m + n), m):
        counts[sum(sum(1 for j in set(range(m + n)) - set(chosen) if j < i) for i in chosen)] += 1
    assert np.allclose(sequential._mann_whitney_pmf(m, n), counts / counts.sum())
    signed = np.zeros(5 * 6 // 2 + 1)
    for signs in itertools.product([0, 1], repeat=5):
        signed[sum((i + 1) * s for i, s in enumerate(signs))] += 1
    assert np.allclose(sequential._signed_rank_pmf(5), signed / signed.sum())


def test_the_per_look_level_spends_alpha_better_than_bonferroni():
    level = QUICK.nominal_alpha()
    assert QUICK.alpha * sequential.CALIBRATION_SHARE / len(QUICK.looks) < level < QUICK.alpha * sequential.CALIBRATION_SHARE


def test_bad_designs_and_looks_past_the_plan_are_refused():
    with pytest.raises(UsageError, match="at least 2 runs"):
        sequential.Design(1, 10)
    with pytest.raises(UsageError, match="below --min-runs"):
        sequential.Design(5, 3)
    with pytest.raises(UsageError, match="past the sequential design's last look"):
        sequential.ratio_interval([1.0] * 11, [1.0] * 11, QUICK)
    with pytest.raises(UsageError, match="in pairs"):
        sequential.paired_ratio_interval([1.0, 2.0], [1.0], QUICK)
    assert "too few" in sequential.Design(2, 3).warning()
    assert QUICK.warning() == ""
    assert sequential.ratio_interval([], [1.0, 2.0], QUICK) is None
