"""Issue 28, point 7: an undecided predicate says how many runs would decide it, and the runner
stops spending runs on a claim that more runs on this machine would not decide (futility).

Every projection is worked out by hand in a comment: the estimate stays, the interval's half-width
shrinks like 1/sqrt(runs), so N runs clear an edge once n * (half / gap)^2 < N.
"""

from __future__ import annotations

import math

import pytest

from harness import options as lab_options
from harness.analyse import sequential
from harness.analyse.sequential import Design
from harness.executors.fake import FakeExecutor, label
from harness.judge import decide, predicates
from harness.judge.model import INCONCLUSIVE, Figure, Predicate
from tests.unit.test_decide_runner import NOISE, noisy, options, run, threads_jobs
from tests.unit.test_verdicts import ENVIRONMENT, scaling

pytestmark = pytest.mark.unit

RATIO = "Hodges–Lehmann ratio, sequential Mann–Whitney interval (looks at 3–10 runs, error ≤ 0.05)"
BOOTSTRAP = "percentile bootstrap, each row's runs resampled"


# --- the projection itself ---

@pytest.mark.parametrize(("estimate", "low", "high", "edge", "hopeful", "expected"), [
    (0.0, -2.0, 2.0, 1.0, False, 41),     # half 2, gap 1: 10 * 4 = 40 runs only touch it, 41 clear it
    (0.0, -1.0, 3.0, 1.0, False, 91),     # the edge's side: half 3, gap 1: 10 * 9 + 1
    (0.0, -1.0, 3.0, 1.0, True, 11),      # hopeful, the narrower side: half 1 = gap, so one run more
    (0.0, -1.0, 3.0, -0.5, False, 41),    # edge below: half 1, gap 0.5: 10 * 4 + 1
    (0.0, -1.0, 1.0, 2.0, False, 10),     # already off the edge: the runs it has
    (1.0, 0.0, 2.0, 1.0, False, math.inf),  # the estimate on the edge: no run count clears it
])
def test_runs_to_clear_shrinks_the_half_width_like_one_over_root_n(estimate, low, high, edge, hopeful, expected):
    assert float(sequential.runs_to_clear(10, estimate, low, high, edge, hopeful)) == expected


def test_the_rank_interval_is_wider_at_few_runs_than_root_n_makes_it():
    # At 5 runs a row the quick design's interval is the whole range of the 25 pairwise ratios
    # (k = 1); by 10 runs k has grown, and its width is nearer the large-sample one.
    design = Design(3, 10)
    assert sequential.width_excess(5, design) > sequential.width_excess(10, design) >= 1.0
    assert sequential.width_excess(3, design) == 1.0  # no bounded interval at 3 runs: nothing to scale


# --- the reason an Inconclusive predicate gives ---

def test_a_bootstrap_figure_projects_on_its_own_scale():
    # 0.02 (-0.01-0.12) against < 0.1, 10 runs a row: half 0.10 on the threshold's side, gap 0.08,
    # 10 * 1.25^2 = 15.6, so about 16 runs; within the full profile's 20.
    figure = Figure("growth", 0.02, -0.01, 0.12, "10 / 10 / 10 / 10", "×", None, BOOTSTRAP)
    predicate = predicates.below("s", figure, 0.1)
    assert predicate.outcome == INCONCLUSIVE
    assert predicate.reason == ("the interval straddles the threshold; about 16 runs a row would decide it "
                                "(--max-runs 16, or --full)")


def test_a_ratio_projects_on_the_log_scale_allowing_for_the_rank_intervals_extra_width():
    # 1.2 (0.768-1.68) within 0.67-1.5: only 1.5 is inside. On logs the gap is ln 1.25 and the
    # upper half 1.5 ln 1.25: 10 * 1.5^2 = 22.5, so 23 runs, over the rank interval's excess at 10.
    figure = Figure("r", 1.2, 0.768, 1.2 * 1.25**1.5, "10 vs 10", "×", True, RATIO)
    with predicates.at_level(Design(3, 10)):
        predicate = predicates.within("s", figure, (0.67, 1.5))
    expected = math.ceil(23 / sequential.width_excess(10, Design(3, 10)))
    assert 15 < expected < 23
    assert predicate.reason == (f"the interval reaches outside the band; about {expected} runs a row would decide it "
                                f"(--max-runs {expected}, or --full)")  # within the full profile's 20


def test_within_the_runs_own_limit_the_reason_names_no_option():
    # 0.02 (-0.01-0.12) at 10 runs a row needs about 16 (above); the run allowed 20.
    figure = Figure("growth", 0.02, -0.01, 0.12, "10 / 10", "×", None, BOOTSTRAP)
    with predicates.at_level(Design(3, 20)):
        predicate = predicates.below("s", figure, 0.1)
    assert predicate.reason == "the interval straddles the threshold; about 16 runs a row would decide it"


def test_a_figure_at_its_threshold_says_more_runs_would_not_decide_it():
    # 1.49 (1.3-1.7) against >= 1.5: gap ln(1.5/1.49) = 0.0067, half ln(1.7/1.49) = 0.13: ~3,800 runs.
    figure = Figure("r", 1.49, 1.3, 1.7, "10 vs 10", "×", True, RATIO)
    predicate = predicates.at_least("s", figure, 1.5)
    assert predicate.reason == ("the interval straddles the threshold; its figure sits too near the threshold "
                                "(1.49 against 1.50) for more runs on this machine to decide it (over 100 a row)")


def test_a_figure_on_too_few_runs_keeps_its_reason_and_projects_nothing():
    figure = Figure("r", 1.2, 0.5, 3.0, "3 vs 3", "×", None, f"Hodges–Lehmann ratio; {predicates.TOO_FEW}")
    predicate = predicates.at_least("s", figure, 1.5)
    assert predicate.reason == predicates.too_few_reason() and predicate.runs_needed is None


def test_the_judges_full_profile_is_the_options_one():
    assert lab_options.RUN_DEFAULTS["full"].max_runs == predicates.FULL_MAX_RUNS


# --- futility: which predicates more runs are not worth ---

def undecided(n, runs_needed):
    return Predicate("s", "< 1.2", INCONCLUSIVE, Figure("r", 1.2, 1.0, 1.4, n, "×", False, RATIO), "", 0.5, runs_needed)


@pytest.mark.parametrize(("n", "runs_needed", "futile"), [
    ("6 vs 6", (150.0, 101.0), True),    # 6 runs: one more than the 5 that could decide; hopeful 101 > 10 x 10
    ("6 vs 6", (150.0, 100.0), False),   # exactly 10 x --max-runs: still worth runs
    ("5 vs 5", (150.0, 101.0), False),   # at the first decisive look the projection is too rough to give up on
    ("6 vs 7", (math.inf, math.inf), True),
])
def test_a_predicate_is_futile_only_past_the_first_decisive_look_and_far_beyond_max_runs(n, runs_needed, futile):
    assert Design(3, 10).min_decisive_runs() == 5
    assert decide.is_futile(undecided(n, runs_needed), Design(3, 10)) is futile


def test_a_claim_whose_undecided_figure_sits_on_its_threshold_is_left_out_and_named():
    # Python threads' speedup exactly 1.2 against < 1.2 (the same jitter on both rows: the ratio is
    # exactly 1.2), at 6 runs a row: no run count decides it. Processes 1.9 are decided.
    rows = scaling(1.2, 1.9, runs=6)
    document = {"measurements": rows, "environment": ENVIRONMENT, "options": {"min_runs": 3, "max_runs": 10}}
    pending, futile = decide.survey(document)
    assert "C5" not in [p.claim_id for p in pending]
    assert [f.text() for f in futile if f.claim_id == "C5"] == [
        "C5: no more runs, its figure sits too near its threshold for runs to decide it"]
    assert decide.Futile("C13", 17.0).text() == "C13: no more runs, about 17 a row would decide it"


def test_the_runner_gives_up_on_a_futile_claim_before_max_runs_and_names_it_once(capsys):
    planned = threads_jobs()
    one, two = (label(job) for job in planned)
    # a speedup of 1.2 exactly, the threshold: without futility both rows run to --max-runs 10
    # (test_decide_runner.py); with it they stop at 6, the first look past the first decisive one.
    fake = FakeExecutor({one: noisy(1.2), two: noisy(1.0, NOISE[::-1])})
    done = run(planned, fake, options(max_runs=10))
    assert [len(done[name].runs) for name in (one, two)] == [6, 6]
    assert capsys.readouterr().err.count("C5: no more runs") == 1
