"""Mutation survivors of predicates.py, model.py, rows.py, verify.py and sequential.py (issue #30):
the projections an undecided predicate gives (the hopeful one, the design a row past --max-runs is
projected at, the scale a band reaching down to 0 is projected on, the rounding of a projection that
needs no widening), the promise of an interval touching one edge of a band while straddling the
other, the range of pairwise ratios when rows are paired by round, the single-worker baseline of a
row none of whose runs was sampled, and the exact texts a user reads (a JVM flag that did not take,
a design that can never decide, a refused alpha, a verdict's claim and note). Every expectation is
worked out by hand in a comment.
"""

from types import SimpleNamespace

import pytest

from harness.analyse import verify
from harness.analyse.sequential import Design
from harness.errors import UsageError
from harness.judge import predicates
from harness.judge.claims import ProgramRef
from harness.judge.model import INCONCLUSIVE, SUPPORTED, Figure, Predicate
from harness.judge.rows import Context, known
from harness.results.model import Status
from harness.run.measurement import Measurement

pytestmark = pytest.mark.unit

HL = "Hodges–Lehmann ratio, sequential Mann–Whitney interval (looks at 3–10 runs, error ≤ 0.05)"


def ratio(estimate, low, high, n="3 vs 3"):
    return Figure("r", estimate, low, high, n, "×", None, HL)


# --- projections: how many runs a row would decide an undecided figure ---

def test_a_projection_at_three_runs_a_row_is_the_plain_one_and_its_hopeful_side_is_the_narrower():
    # Logs: estimate ln 2, interval 0 .. 3 ln 2, edge 1.3 ln 2 (above the estimate, 0.3 ln 2 away).
    # Its own side's half-width is 3 ln 2 - ln 2 = 2 ln 2: ratio 2 / 0.3, squared 44.4; 3 runs * 44.4 = 133.3,
    # floor + 1 = 134. Hopeful: the narrower half-width, ln 2: ratio 1 / 0.3, squared 11.1; 33.3 -> 34.
    # At 3 runs a row no interval is bounded (3 vs 3: P(U = 0) = 1/20 = 0.05, over any level p*/2 < 0.015), so
    # the width excess is 1 and the projection is not widened: 134 stays 134, not 135.
    needed, edge = predicates.projected_runs(ratio(2.0, 1.0, 8.0), (2 ** 1.3,))
    assert edge == 2 ** 1.3
    assert needed == (134.0, 34.0)


def test_a_row_past_max_runs_is_projected_at_a_design_that_reaches_its_runs():
    # Rows of 7 runs under --max-runs 5 (repeats): the design is carried to 7 looks, as ratio_figure carries
    # it, so the projection is the one --max-runs 7 gives, not one at the 3..5 design's level and excess.
    figure = ratio(1.2, 1.05, 1.4, n="7 vs 7")
    with predicates.at_level(Design(3, 5)):
        short = predicates.at_least("s", figure, 1.1)
    with predicates.at_level(Design(3, 7)):
        full = predicates.at_least("s", figure, 1.1)
    assert short.outcome == full.outcome == INCONCLUSIVE
    assert short.runs_needed == full.runs_needed


def test_a_band_reaching_down_to_zero_is_projected_on_the_figures_own_values():
    # Only when the figure and every edge are positive are a ratio's values projected as logs; an edge at 0
    # sends it to the figure's own values. Estimate 1, interval 0.9 .. 1.25, edge 1.1 (the band's top):
    # half-width 0.25 over a gap of 0.1 = 2.5, squared 6.25; 3 runs * 6.25 = 18.75 -> 19. Hopeful: the
    # narrower half-width 0.1 gives 1, 3 runs -> 3 or 4, at least one more run than 3: 4.
    # (On logs it would be 0.223 / 0.0953 = 2.34, squared 5.48, 16.4 -> 17.)
    found = predicates.within("s", ratio(1.0, 0.9, 1.25), (0.0, 1.1))
    assert found.outcome == INCONCLUSIVE
    assert found.runs_needed == (19.0, 4.0)
    assert found.reason == "the interval reaches outside the band; about 19 runs a row would decide it (--max-runs 19, or --full)"


def test_a_figure_too_near_a_bands_edge_names_the_bands_edge():
    # A bootstrap-like figure (values scale), 50 runs: estimate 1.49, interval 1.2 .. 1.6 against the band's top
    # 1.5. Half-width on that side 0.11 over a gap of 0.01 = 11, squared 121, * 50 = 6050 runs: over the cap.
    figure = Figure("b", 1.49, 1.2, 1.6, "50 / 50", "", None, "percentile bootstrap")
    found = predicates.within("s", figure, (0.67, 1.5))
    assert found.reason == ("the interval reaches outside the band; its figure sits too near the band's edge "
                            "(1.49 against 1.50) for more runs on this machine to decide it (over 100 a row)")
    threshold = predicates.at_least("s", figure, 1.5)
    assert "its figure sits too near the threshold (1.49 against 1.50)" in threshold.reason


def test_a_figure_without_a_run_count_straddles_without_a_projection():
    # projected_runs: (None, nan) without a run count; the reason then names no runs.
    figure = Figure("f", 1.0, 0.5, 1.5, "", "", None, "test")
    found = predicates.at_least("s", figure, 1.2)
    assert found.outcome == INCONCLUSIVE
    assert found.reason == "the interval straddles the threshold" and found.runs_needed is None


# --- promise: how near an undecided figure is to clearing the nearest edge inside it ---

@pytest.mark.parametrize(("low", "high"), [
    (1.0, 1.5),  # touches the band's bottom 1.0 and straddles its top 1.2
    (0.8, 1.2),  # touches the band's top 1.2 and straddles its bottom 1.0
])
def test_an_interval_touching_one_edge_of_a_band_has_promise_zero(low, high):
    # "0 when it touches one": the touched edge is inside the interval (ends included), its share 0. Without it
    # the other edge would give min(0.2, 0.3) / 0.5 = 0.4, or min(0.2, 0.2) / 0.4 = 0.5.
    found = predicates.within("s", Figure("f", (low + high) / 2, low, high, "5 / 5", "", None, "test"), (1.0, 1.2))
    assert found.outcome == INCONCLUSIVE
    assert found.promise == 0.0


# --- ratios of rows paired by round ---

def test_paired_rows_on_too_few_rounds_show_the_range_of_their_rounds_ratios(monkeypatch):
    # Rounds 0, 1, 2 for both: the per-round ratios 2/1, 3/2, 4/3 range from 1.333 to 2. Three pairs bound no
    # signed-rank interval (P(T+ = 0) = 1/8), so the figure is that range; every pair of runs would give
    # 2/3 .. 4. The method names the paired test in full.
    monkeypatch.setattr(predicates, "PAIR_BY_ROUND", True)
    found = predicates.ratio_figure("r", [2.0, 3.0, 4.0], [1.0, 2.0, 3.0], rounds=([0, 1, 2], [0, 1, 2]))
    assert found is not None and found.n == "3 vs 3 paired"
    assert (found.low, found.high) == pytest.approx((4 / 3, 2.0))
    assert found.method == f"Hodges–Lehmann ratio; {predicates.TOO_FEW}"
    with predicates.at_level(Design(6, 6)):
        decisive = predicates.ratio_figure("r", [2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                                           rounds=(list(range(6)), list(range(6))))
    assert decisive.method == ("Hodges–Lehmann ratio, sequential Wilcoxon signed-rank, per-round pairs interval "
                               "(looks at 6–6 runs, error ≤ 0.05)")


# --- verify: a single-worker row none of whose runs was sampled ---

def threaded(workers, runs):
    program = SimpleNamespace(label="java/threads", language="java", variant="threads", parallel="threads", spawns="threads")
    job = SimpleNamespace(case=("w", (("threads", workers),)), program=program, params=(("threads", workers),),
                          workload=SimpleNamespace(name="w"), backend="native")
    m = Measurement(job)
    m.runs = runs
    return m


def test_a_single_worker_row_that_was_never_sampled_is_a_baseline_of_no_threads():
    # The single-worker row's runs saw nothing (no threads_peak): its count is 0, so four workers need
    # 0 + ceil(0.9 * 4) - 1 = 3 threads, and 3 seen passes. (A baseline of 1 would ask 4.)
    single = threaded(1, [{"threads_peak": None, "samples": 0}, {"samples": 0}])
    four = threaded(4, [{"threads_peak": 3, "samples": 100}])
    verify.check_parallelism([single, four])
    assert four.status == Status.OK and four.reason == ""
    two_seen = threaded(4, [{"threads_peak": 2, "samples": 100}])
    verify.check_parallelism([single, two_seen])
    assert two_seen.status == Status.MISMATCH
    assert two_seen.reason == "threads=4 but at most 2 threads were seen at once (need 3)"


# --- the texts a user reads ---

def java_row(args, metrics):
    program = SimpleNamespace(label="java/v", language="java", runtime_args=tuple(args))
    m = Measurement(SimpleNamespace(program=program))
    m.runs = [{"metrics": metrics}]
    return m


@pytest.mark.parametrize(("reported", "reason"), [
    ({"vm_option_UseZGC": -1}, "-XX:+UseZGC did not take: this JVM has no such option (it warned and ignored it)"),
    ({}, "-XX:+UseZGC did not take: the program did not report the options its JVM applied"),
])
def test_a_flag_that_did_not_take_says_exactly_why(reported, reason):
    row = java_row(["-XX:+UseZGC"], reported)
    verify.check_vm_options([row])
    assert row.status == Status.FAILED and row.reason == reason


def test_flags_that_all_took_leave_no_reason():
    row = java_row(["-XX:+UseZGC"], {"vm_option_UseZGC": 1})
    verify.check_vm_options([row])
    assert row.status == Status.OK and row.reason == ""


def test_a_paired_design_that_can_never_decide_names_the_paired_run_count():
    # Paired: 6 rounds (P(T+ = 0) = 1/64 = 0.016 <= 0.025; 5 give 1/32 = 0.031). Independent: 4 runs
    # (1 / C(8, 4) = 1/70 <= 0.025; 3 give 1/20).
    assert Design(2, 3, paired=True).warning() == (
        "--max-runs 3 is too few for the sequential interval to ever decide (it needs at least 6 runs per row)")
    assert "at least 4 runs per row" in Design(2, 3).warning()


def test_a_refused_alpha_is_named():
    with pytest.raises(UsageError, match=r"alpha must be between 0 and 1, not 1\.5$"):
        Design(alpha=1.5)


def test_a_missing_row_names_the_program_and_its_values():
    program = ProgramRef("w", "python", "a")
    with pytest.raises(LookupError, match=r"no ok row of w:python/a at \{'threads': 2\}"):
        known([], program, threads=2)


def test_a_verdict_carries_its_claims_text_and_no_note_unless_given():
    claim = SimpleNamespace(id="C1", text="A is faster than B", workloads=("w",))
    supported = Predicate("s", "≥ 1", SUPPORTED)
    found = predicates.verdict(claim, Context([], "native", {}), [supported])
    assert (found.claim_id, found.claim, found.workloads, found.backend) == ("C1", "A is faster than B", ["w"], "native")
    assert found.outcome == SUPPORTED and found.note == ""
