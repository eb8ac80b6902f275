"""The two levels of a design past ONE_LEVEL_UP_TO runs a row (the quick profile's 3-20): what each
stage spends, that 5 runs still decide, that the later level is the largest the rest of the error
allows, and the projection's stretch across the two levels."""

import math

import numpy as np
import pytest
from scipy import stats

from harness.analyse import sequential
from harness.analyse.sequential import Design
from harness.options import RUN_DEFAULTS

pytestmark = pytest.mark.unit

QUICK = Design(RUN_DEFAULTS["quick"].min_runs, RUN_DEFAULTS["quick"].max_runs)
ERROR = sequential.ALPHA * sequential.INDEPENDENT_SHARE  # 0.03: what every look together may spend


def _error(levels, design):
    """The simulated chance that any look rejects the truth, with ``levels`` a look (the module's own null draws)."""
    statistics = sequential._null_statistics(design.looks, design.paired, design.trims)
    return sequential._error(levels, design.looks, statistics, design.paired, design.trims)


def test_the_quick_profile_plans_twenty_looks_at_two_levels():
    assert (QUICK.min_runs, QUICK.max_runs) == (3, 20)
    early, late = QUICK.level(6), QUICK.level(7)
    assert [QUICK.level(n) for n in range(3, 7)] == [early] * 4
    assert [QUICK.level(n) for n in range(7, 21)] == [late] * 14
    assert late < early


def test_the_early_level_is_the_one_at_which_five_runs_can_just_decide():
    # 5 against 5, all kept: the most extreme of the C(10, 5) = 252 orders has chance 1/252 a tail, so
    # a two-sided level of 2/252 = 0.0079 is the least at which the 5-run look bounds. The next exact
    # tail of the looks up to 6 (6 against 6, all kept: U <= 2 in 4 of 924, two-sided 0.0087) would
    # spend more than the early stage's 40 % of 0.03 = 0.012 together with the 5-run look.
    assert QUICK.level(5) == pytest.approx(2 / 252, rel=1e-12)
    assert QUICK.min_decisive_runs() == 5
    early_only = [QUICK.level(n) if n <= sequential.EARLY_END else 0.0 for n in QUICK.looks]
    assert _error(early_only, QUICK) <= sequential.EARLY_SHARE * ERROR
    next_up = [8 / 924 if n <= sequential.EARLY_END else 0.0 for n in QUICK.looks]
    assert _error(next_up, QUICK) > sequential.EARLY_SHARE * ERROR


def test_one_level_over_the_same_looks_would_need_six_runs():
    one = Design(3, 20, staged=False)
    assert len(set(one.levels())) == 1
    assert one.nominal_alpha() < 2 / 252  # below the 5-run look's only tail
    assert one.min_decisive_runs() == 6


def test_the_later_level_spends_what_the_early_one_left_and_no_more():
    levels = list(QUICK.levels())
    assert _error(levels, QUICK) <= ERROR
    late = QUICK.level(20)
    # the next exact tail above the later level, among the later looks' own, would go past 0.03
    tails = sorted({2 * float(p) for n in range(7, 21)
                    for p in np.cumsum(sequential._null_pmf(n, n, False, True)) if 2 * p > late + 1e-15})
    bumped = [level if n <= sequential.EARLY_END else tails[0] for n, level in zip(QUICK.looks, levels)]
    assert _error(bumped, QUICK) > ERROR


def test_designs_of_up_to_ten_runs_keep_one_level():
    for design in (Design(3, 10), Design(5, 10), Design(3, 10, paired=True), Design(7, 7)):
        assert len(set(design.levels())) == 1
    assert Design(3, 10).level(10) == pytest.approx(2 * 319 / 48620, rel=1e-12)  # as before the two levels


def test_a_paired_long_design_spends_nothing_on_early_looks_that_cannot_decide():
    # Signed ranks of 6 rounds: the most extreme of 2^6 sign patterns is 2/64 = 0.031 two-sided,
    # beyond the early stage's 0.4 x 0.035 = 0.014. So the early looks reject nothing and the later
    # level is the one a design of the later looks alone (7-20) would get.
    paired = Design(3, 20, paired=True)
    assert paired.min_decisive_runs() == 8
    assert paired.level(8) == pytest.approx(Design(7, 20, paired=True, staged=False).nominal_alpha(), rel=1e-12)


def test_a_look_at_a_later_run_count_uses_the_later_level():
    rng = np.random.default_rng(5)
    a, b = list(np.exp(rng.normal(0.4, 0.1, 12))), list(np.exp(rng.normal(0.0, 0.1, 12)))
    assert sequential.ratio_interval(a[:6], b[:6], QUICK).nominal_alpha == QUICK.level(6)
    assert sequential.ratio_interval(a, b, QUICK).nominal_alpha == QUICK.level(12)
    assert sequential.ratio_interval(a, b[:6], QUICK).nominal_alpha == QUICK.level(12)  # the later of unequal counts


def test_a_projection_past_the_early_looks_is_stretched_by_the_two_levels():
    # From a look at 5 runs, an interval half as wide again as its gap to the edge projects past 6
    # runs; the later level's interval is wider by the ratio of the two normal quantiles.
    estimate, low, high, edge = 0.0, -0.3, 0.3, 0.2
    raw = sequential.runs_to_clear(5, estimate, low, high, edge)
    at_early = math.ceil(float(raw) / sequential.width_excess(5, QUICK) - 1e-9)
    assert at_early > sequential.EARLY_END
    z = stats.norm.ppf(1 - np.array([QUICK.level(5), QUICK.level(7)]) / 2)
    expected = math.ceil(at_early * (z[1] / z[0]) ** 2 - 1e-9)
    assert expected > at_early
    assert float(sequential.runs_to_decide(5, estimate, low, high, edge, QUICK)) == expected
    within = float(sequential.runs_to_decide(5, estimate, -0.21, 0.21, edge, QUICK))
    assert within <= sequential.EARLY_END  # not stretched: it stays among the early looks


def test_the_bounds_at_a_later_look_are_read_at_the_later_level():
    # 12 against 12 runs, 11 kept a row: the interval runs from the j-th smallest to the k-th largest
    # of the 121 pairwise differences, (j, k) the critical counts at the look's own level, which at
    # the later level are fewer than at the early one (a wider interval).
    rng = np.random.default_rng(11)
    log_a, log_b = rng.normal(0.3, 0.1, 12), rng.normal(0.0, 0.1, 12)
    late = sequential._critical_counts(12, 12, QUICK.level(12), False, True)
    early = sequential._critical_counts(12, 12, QUICK.level(5), False, True)
    assert late[0] < early[0]
    kept_a, kept_b = np.sort(log_a)[:11], np.sort(log_b)[:11]
    differences = np.sort((kept_a[:, None] - kept_b[None, :]).ravel())
    _, low, high = sequential.log_bounds(log_a[None, :], log_b[None, :], QUICK)
    assert low[0] == differences[late[0] - 1]
    assert high[0] == differences[-late[1]]
