"""The edges the mutation check (README, development) found untested: where a predicate's outcome,
an interval or a checksum decision turns. Every expectation is worked out by hand in a comment.
"""

import math
import statistics
from types import SimpleNamespace

import pytest

from harness.analyse import multiple, sequential, verify
from harness.analyse.sequential import Design
from harness.errors import UsageError
from harness.judge import driver, predicates
from harness.judge.claims import ProgramRef
from harness.judge.model import CONTRADICTED, INCONCLUSIVE, NOT_MEASURED, SUPPORTED, Figure, Predicate, Verdict, combine
from harness.judge.rows import Context, run_design, switch_rates
from harness.results.model import Status
from harness.run.measurement import Measurement

pytestmark = pytest.mark.unit


def figure(low, high, estimate=None, method="test"):
    return Figure("f", (low + high) / 2 if estimate is None else estimate, low, high, "5 vs 5", "", None, method)


# --- predicates: which side of a threshold an interval lies on, at the edges ---

@pytest.mark.parametrize(("low", "high", "outcome"), [
    (2.0, 3.0, SUPPORTED),      # touching from above: "at or above" the threshold
    (1.0, 1.9, CONTRADICTED),   # wholly below
    (1.0, 2.0, INCONCLUSIVE),   # reaching up to it: not wholly below
    (1.9, 2.1, INCONCLUSIVE),
])
def test_at_least_at_its_edges(low, high, outcome):
    assert predicates.at_least("s", figure(low, high), 2.0).outcome == outcome


@pytest.mark.parametrize(("low", "high", "outcome"), [
    (1.0, 1.9, SUPPORTED),
    (1.0, 2.0, INCONCLUSIVE),   # touching from below is not wholly below
    (2.0, 3.0, CONTRADICTED),   # at or above it
    (1.9, 2.1, INCONCLUSIVE),
])
def test_below_at_its_edges(low, high, outcome):
    assert predicates.below("s", figure(low, high), 2.0).outcome == outcome


@pytest.mark.parametrize(("low", "high", "outcome"), [
    (0.67, 1.5, SUPPORTED),     # the band's own edges are inside it
    (0.66, 1.0, INCONCLUSIVE),
    (1.0, 1.51, INCONCLUSIVE),
    (0.5, 0.67, INCONCLUSIVE),  # touching the lower edge from outside
    (1.5, 2.0, INCONCLUSIVE),   # touching the upper edge from outside
    (0.5, 0.66, CONTRADICTED),
    (1.51, 2.0, CONTRADICTED),
])
def test_within_at_its_edges(low, high, outcome):
    assert predicates.within("s", figure(low, high), (0.67, 1.5)).outcome == outcome


def test_a_figure_on_too_few_runs_never_decides_whatever_its_range():
    few = figure(5.0, 6.0, method=f"Hodges–Lehmann ratio; {predicates.TOO_FEW}")
    assert predicates.at_least("s", few, 2.0).outcome == INCONCLUSIVE
    assert predicates.below("s", few, 9.0).outcome == INCONCLUSIVE
    assert predicates.within("s", few, (4.0, 7.0)).outcome == INCONCLUSIVE


@pytest.mark.parametrize(("low", "high", "edges", "expected"), [
    (1.0, 3.0, (2.0,), 0.5),        # split in the middle
    (1.0, 5.0, (2.0,), 0.25),       # 1 of the 4 wide interval lies below the edge
    (1.0, 5.0, (4.0,), 0.25),       # 1 of 4 above it
    (1.0, 5.0, (2.0, 4.5), 0.125),  # the nearer edge: 0.5 of 4
    (1.0, 3.0, (1.0,), 0.0),        # touching
    (1.0, 3.0, (3.0,), 0.0),
    (1.0, 3.0, (5.0,), 0.0),        # no edge inside: only the run count holds it back
    (2.0, 2.0, (2.0,), 0.0),        # no width
])
def test_promise_is_the_share_of_the_interval_on_the_short_side_of_the_nearest_edge(low, high, edges, expected):
    assert predicates.promise(figure(low, high), edges) == pytest.approx(expected)


SINGLE_LOOK_4 = Design(4, 4)  # one look at 4 runs: p* = 2/70 (k = 1, the extremes), see below


def test_a_ratio_of_four_runs_each_spans_its_extreme_pairwise_ratios():
    # One look at 4 runs a row: the Mann–Whitney null puts 1/70 on U = 0, so the two-sided level
    # 2/70 = 0.0286 fits under 0.7 * 0.05 = 0.035 and 4/70 does not: k = 1, the interval runs from
    # the smallest to the largest of the 16 pairwise ratios, 2/1 to 5/1. The estimate is the median
    # of the 16 log-ratios: each a_i four times, so between log 3 and log 4: sqrt(12).
    with predicates.at_level(SINGLE_LOOK_4):
        found = predicates.ratio_figure("r", [2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 1.0, 1.0])
    assert found is not None
    assert (found.low, found.high) == pytest.approx((2.0, 5.0))
    assert found.estimate == pytest.approx(math.sqrt(12))
    assert found.significant is True  # the whole interval is above 1
    assert found.n == "4 vs 4"
    assert predicates.TOO_FEW not in found.method


def test_a_ratio_whose_interval_covers_one_is_not_significant():
    with predicates.at_level(SINGLE_LOOK_4):
        found = predicates.ratio_figure("r", [0.5, 1.0, 2.0, 3.0], [1.0, 1.0, 1.0, 1.0])
    assert found is not None and (found.low, found.high) == pytest.approx((0.5, 3.0))
    assert found.significant is False


def test_below_the_decisive_run_count_a_ratio_shows_the_range_of_its_pairwise_ratios():
    # 3 runs a row: 1/20 on U = 0, so even k = 1 needs a level of 0.1: unbounded, hence the range
    # of the 9 pairwise ratios, 1/4 to 3/1, which decides nothing.
    with predicates.at_level(Design(3, 3)):
        found = predicates.ratio_figure("r", [1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    assert found is not None
    assert (found.low, found.high) == pytest.approx((0.25, 3.0))
    assert predicates.TOO_FEW in found.method and found.significant is None
    assert predicates.at_least("s", found, 0.1).outcome == INCONCLUSIVE


def test_a_ratio_needs_two_runs_a_side():
    with predicates.at_level(Design(2, 4)):
        assert predicates.ratio_figure("r", [1.0], [1.0, 2.0]) is None
        assert predicates.ratio_figure("r", [1.0, 2.0], [1.0]) is None
        assert predicates.ratio_figure("r", [1.0, 2.0], [1.0, 2.0]) is not None


def test_rows_in_the_same_rounds_one_each():
    assert predicates._same_rounds([1, 2, 3], [3, 2, 1]) is True
    assert predicates._same_rounds([1, 2, 3], [1, 2, 4]) is False
    assert predicates._same_rounds([1, 1, 2], [1, 1, 2]) is False  # two runs in one round
    assert predicates._same_rounds([], []) is False
    assert predicates._same_rounds([1, None], [1, 2]) is False
    assert predicates._same_rounds([1, 2], [1, None]) is False


def test_pairwise_range_independent_and_paired():
    assert predicates._pairwise_range([2.0, 6.0], [1.0, 3.0], paired=False) == pytest.approx((2 / 3, 6.0))
    assert predicates._pairwise_range([2.0, 6.0], [1.0, 3.0], paired=True) == pytest.approx((2.0, 2.0))


def test_a_rows_figure_leaves_out_its_disturbed_runs_unless_all_are():
    row = {"runs": [{"wall_s": 1.0, "round": 1}, {"wall_s": 9.0, "round": 2, "disturbed": True}, {"wall_s": 2.0, "round": 3}]}
    values, rounds = predicates.timed(row)
    assert values == [1.0, 2.0] and rounds == [1, 3]
    every = {"runs": [{"wall_s": 9.0, "disturbed": True}, {"wall_s": 8.0, "disturbed": True}]}
    assert predicates.timed(every)[0] == [9.0, 8.0]


def test_a_median_figure_leaves_out_missing_and_infinite_values():
    # Median of 1, 2, 3 is 2; with 3 values any distribution-free interval lies within 1..3.
    found = predicates.median_figure("m", [1.0, 2.0, 3.0, math.inf])
    assert found is not None and found.estimate == 2.0 and 1.0 <= found.low <= found.high <= 3.0


def test_speedup_is_one_worker_over_many_at_the_other_params():
    program = SimpleNamespace(language="python", variant="threads", label="python/threads")
    rows = [{"status": "ok", "language": "python", "variant": "threads", "params": params,
             "runs": [{"wall_s": t} for t in times]}
            for params, times in [({"threads": 1, "steps": 5}, [1.0] * 4), ({"threads": 2, "steps": 5}, [1.0] * 4),
                                  ({"threads": 1, "steps": 9}, [4.0] * 4), ({"threads": 2, "steps": 9}, [2.0] * 4)]]
    with predicates.at_level(SINGLE_LOOK_4):
        found = predicates.speedup(rows, program, 2, steps=9)
    assert found is not None and found.estimate == pytest.approx(2.0)  # 4 s at 1 worker over 2 s at 2
    assert predicates.speedup(rows, program, 4, steps=9) is None


# --- the sequential interval ---

@pytest.mark.parametrize(("low", "high", "decision"), [
    (1.1, 2.0, "above"), (1.0, 2.0, "undecided"), (0.5, 0.9, "below"), (0.5, 1.0, "undecided")])
def test_decide_calls_touching_undecided(low, high, decision):
    assert sequential.decide(low, high, 1.0) == decision


def test_the_fewest_decisive_runs_come_from_the_exact_null():
    # Mann–Whitney: P(U = 0) = 1 / C(2n, n) must be <= 0.025: 1/20 at n = 3 is not, 1/70 at n = 4 is.
    assert sequential.fewest_decisive_runs() == 4
    # Signed rank: P(T = 0) = 2^-n <= 0.025: 1/32 at n = 5 is not, 1/64 at n = 6 is.
    assert sequential.fewest_decisive_runs(paired=True) == 6


def test_an_independent_interval_says_so_and_keeps_its_level():
    found = sequential.ratio_interval([2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 1.0, 1.0], Design(4, 4, paired=True))
    assert found is not None and found.paired is False
    assert found.nominal_alpha == pytest.approx(2 / 70)  # the single look's level, worked out above
    assert (found.low, found.high) == pytest.approx((2.0, 5.0))
    assert (found.n_a, found.n_b) == (4, 4)


def test_rows_of_different_run_counts_compare_every_pair():
    # 4 runs against 5: whatever level the two looks are calibrated to, the interval lies within
    # the extreme pairwise ratios, 2/1 and 5/0.5, and rests on 4 and 5 runs.
    found = sequential.ratio_interval([2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 1.0, 1.0, 0.5], Design(4, 5))
    assert found is not None and (found.n_a, found.n_b) == (4, 5)
    assert 2.0 - 1e-9 <= found.low <= found.ratio <= found.high <= 10.0 + 1e-9


def test_a_paired_interval_of_six_rounds_spans_the_extreme_walsh_averages():
    # One look at 6 rounds: P(T+ = 0) = 1/64, so the level 2/64 = 0.031 fits under 0.035 and k = 1:
    # from the smallest to the largest Walsh average of the per-round log-ratios log 2 .. log 7.
    a, b = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [1.0] * 6
    found = sequential.paired_ratio_interval(a, b, Design(6, 6))
    assert found is not None and found.paired is True
    assert found.nominal_alpha == pytest.approx(2 / 64)
    assert (found.low, found.high) == pytest.approx((2.0, 7.0))
    logs = [math.log(x) for x in a]
    walsh = [(logs[i] + logs[j]) / 2 for i in range(6) for j in range(i, 6)]
    assert found.ratio == pytest.approx(math.exp(statistics.median(walsh)))


def test_a_paired_interval_needs_a_positive_value_on_each_side():
    assert sequential.paired_ratio_interval([0.0, -1.0], [1.0, 2.0], Design(2, 4)) is None
    assert sequential.paired_ratio_interval([1.0, 2.0], [0.0, math.nan], Design(2, 4)) is None
    assert sequential.ratio_interval([1.0, 2.0], [0.0, math.inf], Design(2, 4)) is None


def test_zero_negative_and_non_finite_runs_are_left_out_of_a_ratio():
    # Only 2.0 .. 5.0 against 1.0 x 4 remain: the interval of the first test.
    found = sequential.ratio_interval([2.0, 0.0, 3.0, -1.0, 4.0, math.nan, 5.0, math.inf], [1.0] * 4, Design(4, 8))
    assert found is not None and found.n_a == 4


def test_min_decisive_runs_of_a_paired_design():
    # Paired, only the look at 6 rounds can reach a level under 0.035 (2/64): it decides alone.
    assert Design(2, 6, paired=True).min_decisive_runs() == 6
    assert Design(2, 5, paired=True).min_decisive_runs() is None  # 2 * 2^-5 > 0.035 at every look
    assert Design(2, 5).min_decisive_runs() is not None  # 4 or 5 runs can decide independently


# --- Holm and Benjamini–Hochberg ---

def test_holm_steps_down_and_stops_at_the_first_failure():
    # m = 3: 0.01 <= 0.05/3, 0.02 <= 0.05/2, 0.04 <= 0.05/1: all rejected.
    assert multiple.holm([0.04, 0.01, 0.02]) == [True, True, True]
    # 0.01 <= 0.0167, but 0.03 > 0.025: stop; 0.04 is not rejected although it is under 0.05.
    assert multiple.holm([0.01, 0.03, 0.04]) == [True, False, False]
    # Exactly at alpha / m is rejected.
    assert multiple.holm([0.025, 0.05]) == [True, True]


def test_holm_decisions_free_a_share_for_the_rest():
    tried: list[tuple[int, float]] = []

    def decider(index, needs):
        def decide(level):
            tried.append((index, level))
            return "above" if level >= needs else "undecided"
        return decide

    # Predicate 0 decides at 0.025 (= 0.05/2); then predicate 1 gets 0.05/1 and decides at 0.04.
    assert multiple.holm_decisions([decider(0, 0.02), decider(1, 0.04)]) == ["above", "above"]
    assert tried == [(0, 0.025), (1, 0.025), (1, 0.05)]
    tried.clear()
    # Neither decides at 0.025: Holm stops there.
    assert multiple.holm_decisions([decider(0, 0.03), decider(1, 0.04)]) == ["undecided", "undecided"]
    assert tried == [(0, 0.025), (1, 0.025)]


def test_benjamini_hochberg_by_hand():
    # Sorted 0.01, 0.02, 0.03, 0.5: BH compares p_(i) with i/4 * 0.05 = 0.0125, 0.025, 0.0375, 0.05.
    # The largest i that passes is 3, so the first three are discoveries, in their original order.
    assert multiple.benjamini_hochberg([0.03, 0.5, 0.01, 0.02]) == [True, False, True, True]
    # m = 2: 0.03 > 0.025 and 0.06 > 0.05: none. 0.04 <= 0.05 lifts 0.03 with it (step-up): both.
    assert multiple.benjamini_hochberg([0.03, 0.06]) == [False, False]
    assert multiple.benjamini_hochberg([0.03, 0.04]) == [True, True]
    assert multiple.benjamini_hochberg([]) == []


def test_welchs_log_ratio_by_hand():
    # before: logs 0 and 2 (values 1, e^2), mean 1, variance 2, /2 = 1; after: logs 1 and 1, variance 0.
    # Difference 0, standard error 1, Welch freedom 1^2 / (1^2 / 1 + 0) = 1.
    found = multiple._log_ratio(multiple.Figure("k", "time", [1.0, math.e**2], [math.e, math.e]))
    assert found == pytest.approx((0.0, 1.0, 1.0))
    # Both sides constant: no variance, freedom n_before + n_after - 2 = 3.
    assert multiple._log_ratio(multiple.Figure("k", "time", [1.0, 1.0], [2.0, 2.0, 2.0])) == pytest.approx((math.log(2), 0.0, 3.0))
    # after: logs 0, 0, 3: mean 1, variance 3, /3 = 1; before logs 0, 2: 1. Freedom 2^2 / (1/1 + 1/2) = 8/3.
    found = multiple._log_ratio(multiple.Figure("k", "time", [1.0, math.e**2], [1.0, 1.0, math.e**3]))
    assert found == pytest.approx((0.0, math.sqrt(2), 8 / 3))
    assert multiple._log_ratio(multiple.Figure("k", "time", [1.0], [1.0, 2.0])) is None
    assert multiple._log_ratio(multiple.Figure("k", "time", [1.0, 2.0], [1.0])) is None


def test_drift_needs_five_rows_of_a_known_kind():
    import numpy as np
    five = np.log([1.2, 1.2, 1.2, 1.2, 1.2])
    found = multiple._drift("time", five, np.zeros(5))
    assert found is not None and found.factor == pytest.approx(1.2) and found.spread == 0.0 and found.rows == 5
    assert multiple._drift("time", five[:4], np.zeros(4)) is None
    assert multiple._drift("cpu", five, np.zeros(5)) is None


def test_drift_spread_is_the_normal_mad_less_the_rows_own_noise():
    import numpy as np
    # log-ratios -1, 0, 0, 0, 1: median 0, MAD 0, so tau 0 whatever the noise.
    assert multiple._drift("time", np.array([-1.0, 0, 0, 0, 1.0]), np.zeros(5)).spread == 0.0
    # -2, -1, 0, 1, 2: MAD 1, normal scale 1.4826; less a median own variance of 0.5^2.
    found = multiple._drift("time", np.array([-2.0, -1, 0, 1, 2]), np.full(5, 0.5))
    assert found.spread == pytest.approx(math.sqrt(1.482602218505602**2 - 0.25), rel=1e-6)


def test_band_p_values_by_hand():
    import numpy as np
    from scipy import stats as scipy_stats
    band = np.full(3, 0.02)
    p = multiple._band_p_values(np.array([0.01, 0.5, 0.5]), np.array([0.1, 0.0, 0.1]), np.full(3, 10.0), band)
    assert p[0] == 1.0  # inside the band
    assert p[1] == 0.0  # an exact change beyond it
    assert p[2] == pytest.approx(2 * scipy_stats.t.sf(0.48 / 0.1, 10))


# --- rows ---

def test_the_run_design_from_a_runs_options():
    assert run_design({"min_runs": 3, "max_runs": 10}) == Design(3, 10)
    assert run_design({"runs": 5}) == Design(5, 5)
    assert run_design({"runs": 1}) == Design(2, 2)  # one run is judged as two
    assert run_design({"min_runs": 6, "max_runs": 4}) == Design(6, 6)
    assert run_design(None) == Design()


def test_switch_rates_are_involuntary_switches_per_second_of_wall_time():
    record = {"runs": [{"ctx_involuntary": 100, "wall_s": 2.0}, {"ctx_involuntary": 0, "wall_s": 1.0},
                       {"ctx_involuntary": 30, "wall_s": 0}, {"ctx_involuntary": 9, "wall_s": 3.0}]}
    assert switch_rates(record) == [50.0, 3.0]


def test_the_python_build_a_claim_is_judged_on():
    free = Context([], "native", {"runtimes": {"python": {"version": "3.13.1", "gil": False}}})
    assert free.python_build() == "CPython 3.13.1 (free-threaded build)"
    backend = Context([], "docker", {"runtimes": {"python": {"version": "3.11.7", "gil": False}},
                                     "backends": {"docker": {"runtimes": {"python": {"version": "3.12.0"}}}}})
    assert backend.python_build() == "CPython 3.12.0 (GIL build)"
    assert Context([], "native", {}).python_build() == "CPython ? (GIL build)"


def test_the_memory_a_run_could_use_is_the_smaller_of_limit_and_total():
    assert Context([], "native", {"memory_limit_bytes": 2, "memory_total_bytes": 8}).memory_bytes == 2.0
    assert Context([], "native", {"memory_limit_bytes": 9, "memory_total_bytes": 8}).memory_bytes == 8.0
    assert Context([], "native", {"memory_total_bytes": 8}).memory_bytes == 8.0
    assert Context([], "native", {"cores_available": 4}).cores == 4


# --- verify: a JVM flag that did not take fails the row ---

def java_row(args, *metrics, language="java", status=Status.OK):
    program = SimpleNamespace(label=f"{language}/v", language=language, runtime_args=tuple(args))
    m = Measurement(SimpleNamespace(program=program))
    m.runs = [{"metrics": dict(found)} for found in metrics]
    m.status = status
    return m


def test_a_flag_the_jvm_applied_keeps_the_row():
    row = java_row(["-Xmx1g", "-XX:+UseZGC", "-XX:-UseCompressedOops"],
                   {"vm_option_UseZGC": 1, "vm_option_UseCompressedOops": 0})
    verify.check_vm_options([row])
    assert row.status == Status.OK and row.reason == ""


@pytest.mark.parametrize(("reported", "why"), [
    ({"vm_option_UseZGC": 0}, "the JVM reports UseZGC=false"),
    ({"vm_option_UseZGC": -1}, "this JVM has no such option"),
    ({}, "did not report the options"),
])
def test_a_flag_that_did_not_take_fails_the_row_and_says_why(reported, why):
    row = java_row(["-XX:+UseZGC"], reported)
    verify.check_vm_options([row])
    assert row.status == Status.FAILED
    assert row.reason.startswith("-XX:+UseZGC did not take") and why in row.reason


def test_a_switched_off_flag_reported_on_fails():
    row = java_row(["-XX:-UseCompressedOops"], {"vm_option_UseCompressedOops": 1})
    verify.check_vm_options([row])
    assert row.status == Status.FAILED and "-XX:-UseCompressedOops" in row.reason and "=true" in row.reason


def test_one_run_whose_flag_did_not_take_fails_the_row():
    row = java_row(["-XX:+UseZGC"], {"vm_option_UseZGC": 1}, {"vm_option_UseZGC": 0})
    verify.check_vm_options([row])
    assert row.status == Status.FAILED


def test_the_last_of_repeated_flags_wins():
    row = java_row(["-XX:+UseZGC", "-XX:-UseZGC"], {"vm_option_UseZGC": 0})
    verify.check_vm_options([row])
    assert row.status == Status.OK


def test_rows_without_java_flags_or_not_ok_are_left_alone():
    node = java_row(["-XX:+UseZGC"], {}, language="node")
    plain = java_row(["-Xmx1g"], {})
    timed_out = java_row(["-XX:+UseZGC"], {}, status=Status.TIMEOUT)
    verify.check_vm_options([node, plain, timed_out])
    assert node.status == Status.OK and plain.status == Status.OK
    assert timed_out.status == Status.TIMEOUT and timed_out.reason == ""
    later = java_row(["-XX:+UseZGC"], {"vm_option_UseZGC": 0})
    verify.check_vm_options([node, later])  # a row left alone does not end the check
    assert later.status == Status.FAILED


# --- the driver: disturbed runs, and Holm over a claim's predicates ---

def runs(total, disturbed):
    return [{"wall_s": 1.0, "disturbed": i < disturbed} for i in range(total)]


@pytest.mark.parametrize(("total", "disturbed", "kept"), [
    (4, 0, 4),  # nothing to leave out
    (4, 1, 3),  # 3 undisturbed are at least half of 4, and at least 2
    (4, 2, 2),  # exactly half
    (4, 3, 4),  # 1 undisturbed is under half: all kept, the claim is held back instead
    (3, 1, 2),
    (2, 1, 2),  # 1 undisturbed run has no spread
])
def test_a_row_is_judged_on_its_undisturbed_runs_when_they_are_most(total, disturbed, kept):
    assert len(driver._undisturbed({"runs": runs(total, disturbed)})["runs"]) == kept


CLAIM = SimpleNamespace(programs=lambda: [SimpleNamespace(workload="w", language="python", variant="a")])


def row(total, disturbed, status="ok", variant="a"):
    return {"workload": "w", "language": "python", "variant": variant, "status": status, "runs": runs(total, disturbed)}


def test_disturbance_counts_the_ok_rows_of_the_claims_programs():
    rows = [row(4, 1), row(4, 3), row(4, 4, status="failed"), row(4, 4, variant="b"), row(4, 2)]
    # ok rows of python/a: 1 + 3 + 2 of 12 runs disturbed; only the 3 of 4 is mostly (2 of 4 is not).
    assert driver.disturbance(CLAIM, rows) == (6, 12, 1)


def decided_verdict():
    return Verdict("C0", "claim", ["w"], "native", SUPPORTED,
                   [Predicate("p", "≥ 1", SUPPORTED), Predicate("q", "≥ 1", CONTRADICTED), Predicate("r", "≥ 1", INCONCLUSIVE)],
                   "note")


@pytest.mark.parametrize(("rows", "busy"), [
    ([row(4, 1), row(4, 1)], False),   # 2 of 8 disturbed, no row mostly
    ([row(4, 2), row(4, 2)], False),   # exactly half is not most
    ([row(4, 3), row(4, 0)], True),    # 3 of 8 overall, but one row mostly disturbed
    ([row(4, 2), row(2, 2)], True),    # 4 of 6 overall
])
def test_a_claim_on_mostly_disturbed_runs_decides_nothing(rows, busy):
    verdict = decided_verdict()
    driver._unless_busy(verdict, CLAIM, rows)
    if not busy:
        assert verdict.outcome == SUPPORTED and [p.outcome for p in verdict.predicates] == [SUPPORTED, CONTRADICTED, INCONCLUSIVE]
        assert verdict.note == "note"
        return
    assert verdict.outcome == INCONCLUSIVE and all(p.outcome == INCONCLUSIVE for p in verdict.predicates)
    assert verdict.note.startswith("machine busy: ") and verdict.note.endswith("; note")
    assert "the figure alone says Supported" in verdict.predicates[0].reason
    assert "the figure alone says Contradicted" in verdict.predicates[1].reason
    assert verdict.predicates[2].reason == ""


def level_judge(*needs):
    """A claim function whose predicate i is Supported when the error level in force is at least needs[i]."""
    def judge(context, claim):
        level = predicates.current_design().alpha
        found = [Predicate(f"p{i}", "≥ 1", SUPPORTED if level >= need else INCONCLUSIVE, figure(level, level))
                 for i, need in enumerate(needs)]
        return Verdict("C0", "claim", ["w"], "native", combine(found), found, "")
    return judge


def test_holm_decides_a_claim_only_by_decisions_that_survive_its_family():
    context = Context([], "native", {}, Design())
    # Two predicates: the first decides at 0.05/2 = 0.025, then the second at 0.05/1.
    found = driver.judge_family(level_judge(0.02, 0.04), context, CLAIM)
    assert found.outcome == SUPPORTED and [p.outcome for p in found.predicates] == [SUPPORTED, SUPPORTED]
    assert [p.figure.low for p in found.predicates] == pytest.approx([0.025, 0.05])  # the level each decided at
    assert found.note == "Holm over its 2 predicates, 5% in all."
    # The second needs more than 0.05 ever gives: the claim stays Inconclusive.
    found = driver.judge_family(level_judge(0.02, 0.06), context, CLAIM)
    assert [p.outcome for p in found.predicates] == [SUPPORTED, INCONCLUSIVE] and found.outcome == INCONCLUSIVE
    # Each alone would decide at 0.05, but neither does at 0.025: both undecided.
    found = driver.judge_family(level_judge(0.03, 0.03), context, CLAIM)
    assert [p.outcome for p in found.predicates] == [INCONCLUSIVE, INCONCLUSIVE]


def test_a_claim_of_one_predicate_is_judged_at_alpha():
    found = driver.judge_family(level_judge(0.05), Context([], "native", {}, Design()), CLAIM)
    assert found.outcome == SUPPORTED and found.note == ""


# --- diff: a change beyond drift, band and chance ---

T_975_1, T_995_4 = 12.7062047, 4.6040949  # Student's t: 97.5th percentile on 1 degree of freedom, 99.5th on 4 (a table)


def test_one_figures_change_with_its_welch_interval_by_hand():
    # before logs 0 and 2: mean 1, standard error 1; after logs 2 and 2: no spread. Change e^1,
    # standard error 1 on 1 degree of freedom; too few rows for a drift, so relative = raw.
    found = multiple.diff_figures([multiple.Figure("k", "time", [1.0, math.e**2], [math.e**2, math.e**2])])
    (change,) = found.changes
    assert change.kind == "time" and found.drifts == {}
    assert change.ratio == pytest.approx(math.e) and change.relative == pytest.approx(math.e)
    assert change.low == pytest.approx(math.exp(1 - T_975_1)) and change.high == pytest.approx(math.exp(1 + T_975_1))
    from scipy import stats as scipy_stats
    assert change.p_value == pytest.approx(2 * scipy_stats.t.sf(1 - math.log1p(0.02), 1))
    assert change.significant is False  # p about 0.5


def test_drift_is_taken_out_and_its_spread_counted_as_noise():
    # Five time figures, each run alike (no noise of its own), log-ratios 0.3 + (-0.2, -0.1, 0, 0.1, 0.2):
    # drift e^0.3; spread tau = 1.4826 x MAD 0.1; each figure's error is tau, on
    # tau^4 / (0 + tau^4 / (5 - 1)) = 4 degrees of freedom. No discovery among 5 figures: each
    # interval is at the false-coverage-adjusted level max(0, 1) x 5 % / 5 = 1 %.
    offsets = [-0.2, -0.1, 0.0, 0.1, 0.2]
    figures = [multiple.Figure(f"k{i}", "time", [1.0, 1.0], [math.exp(0.3 + d)] * 2) for i, d in enumerate(offsets)]
    found = multiple.diff_figures(figures)
    drift = found.drifts["time"]
    tau = 1.482602218505602 * 0.1
    assert drift.factor == pytest.approx(math.exp(0.3)) and drift.spread == pytest.approx(tau) and drift.rows == 5
    top = found.changes[4]
    assert top.ratio == pytest.approx(math.exp(0.5)) and top.relative == pytest.approx(math.exp(0.2))
    assert top.low == pytest.approx(math.exp(0.2 - T_995_4 * tau), rel=1e-6)
    assert top.high == pytest.approx(math.exp(0.2 + T_995_4 * tau), rel=1e-6)
    from scipy import stats as scipy_stats
    assert top.p_value == pytest.approx(2 * scipy_stats.t.sf((0.2 - math.log1p(0.02)) / tau, 4), rel=1e-6)
    assert not any(change.significant for change in found.changes)  # 0.2 is about 1.3 tau: chance
    assert found.notes() == [drift.text()]  # 1.35x across the board is beyond the 2 % band


def test_a_memory_figure_gets_its_own_band():
    # An exact change of 1.5 % (no noise): beyond memory's 1 % band, inside time's 2 %.
    memory = multiple.diff_figures([multiple.Figure("m", "memory", [100.0, 100.0], [101.5, 101.5])]).changes[0]
    time = multiple.diff_figures([multiple.Figure("t", "time", [100.0, 100.0], [101.5, 101.5])]).changes[0]
    assert memory.p_value == 0.0 and memory.significant is True
    assert time.p_value == 1.0 and time.significant is False
    custom = multiple.diff_figures([multiple.Figure("t", "time", [100.0, 100.0], [101.5, 101.5])], min_change={"time": 0.01})
    assert custom.changes[0].significant is True


def test_bh_counts_a_q_value_at_the_rate_as_a_discovery():
    assert multiple.benjamini_hochberg([0.05]) == [True]
    assert multiple.benjamini_hochberg([0.05], rate=0.04) == [False]


def test_the_false_coverage_adjusted_level():
    assert multiple.adjusted_level(0, 5) == pytest.approx(0.01)  # max(0, 1) x 5 % / 5
    assert multiple.adjusted_level(3, 10) == pytest.approx(0.015)
    assert multiple.adjusted_level(0, 0) == pytest.approx(0.05)
    assert multiple.adjusted_level(2, 4, rate=0.1) == pytest.approx(0.05)


# --- the runner's choice: which rows an undecided claim needs ---

def test_a_pending_claim_needs_its_programs_rows_at_its_values():
    from harness.judge.decide import Pending, sampling_warning
    need = SimpleNamespace(program=SimpleNamespace(workload="w", language="java", variant="threads"), params=(("threads", 4),))
    pending = Pending("C8", 0.0, (need,))
    assert pending.needs("w", "java", "threads", {"threads": 4, "steps": 9}) is True
    assert pending.needs("w", "java", "threads", {"threads": 2}) is False
    assert pending.needs("w", "java", "pool", {"threads": 4}) is False
    assert pending.needs("v", "java", "threads", {"threads": 4}) is False
    # 1 run a row can never decide; 4 can (one look at 4 runs: 2/70 under 0.035); 3 cannot (2/20).
    assert sampling_warning(1, 1).startswith("warning: --max-runs 1 is too few") and "at least 4 runs" in sampling_warning(1, 1)
    assert sampling_warning(3, 10) == ""
    assert sampling_warning(2, 3).startswith("warning: --max-runs 3 is too few")


def test_memory_per_task_is_the_growth_between_each_programs_smallest_and_largest_sweep():
    def rows(language, sweep):
        return [{"status": "ok", "language": language, "variant": "v", "params": {"tasks": tasks},
                 "runs": [{"peak_memory_bytes": m + d} for d in (-10, 0, 10)]} for tasks, m in sweep]

    first, second = ProgramRef("w", "python", "v"), ProgramRef("w", "node", "v")
    # python: medians 100 at 10 tasks, 300 at 20 (the 15 in between is not used): 20 B a task.
    # node: 1000 at 100 tasks, 2000 at 300: 5 B a task. Python over Node: 4.
    records = rows("python", [(10, 100), (15, 5000), (20, 300)]) + rows("node", [(100, 1000), (200, 9000), (300, 2000)])
    found = predicates.per_task_ratio(records, first, second)
    assert found is not None and found.estimate == pytest.approx(4.0)
    assert found.low < 4.0 < found.high and found.n == "3 / 3 / 3 / 3"
    assert predicates.per_task_ratio(rows("python", [(10, 100)]) + records[3:], first, second) is None


# --- the driver: a claim judged again on a further runtime (pypy, python3.13t) ---

def further(*figures_, runtime="pypy"):
    found = [Predicate(f"p{i}", "≥ 1", INCONCLUSIVE, f, "r") for i, f in enumerate(figures_)]
    verdict = Verdict("C0", "claim", ["w"], "native", INCONCLUSIVE, found, "", runtime)
    verdict.runtime_predicates = list(range(len(found)))
    return verdict


CLAIM_TEXT = SimpleNamespace(id="C0", text="claim", workloads=("w",), programs=CLAIM.programs)


def test_a_further_runtime_that_skipped_every_row_of_the_claim_is_not_judged_on_it():
    own = [row(0, 0, status="skipped"), row(0, 0, status="skipped", variant="b")]
    own[0]["reason"] = "not available: no asyncio.Runner"
    found = driver._unless_skipped(further(None), CLAIM_TEXT, own)
    assert found.outcome == NOT_MEASURED and found.predicates == [] and found.runtime == "pypy"
    assert found.note == "not judged on pypy: no asyncio.Runner"


def test_a_further_runtime_is_judged_when_a_row_failed_or_a_predicate_has_a_figure():
    failed = [row(0, 0, status="skipped"), row(0, 0, status="failed")]
    assert driver._unless_skipped(further(None), CLAIM_TEXT, failed).outcome == INCONCLUSIVE
    assert driver._unless_skipped(further(None), CLAIM_TEXT, [row(4, 0)]).outcome == INCONCLUSIVE  # nothing skipped
    with_figure = further(None, figure(1.0, 2.0))
    skipped = [row(0, 0, status="skipped")]
    assert driver._unless_skipped(with_figure, CLAIM_TEXT, skipped) is with_figure
    with_figure.runtime_predicates = [0]  # the figure is the first runtime's, not this one's
    assert driver._unless_skipped(with_figure, CLAIM_TEXT, skipped).outcome == NOT_MEASURED


def test_the_predicates_a_further_runtime_entered_are_those_whose_rows_differ():
    first = further(figure(1.0, 2.0, 1.5), figure(1.0, 2.0, 1.5), None, runtime="")
    again = further(figure(1.1, 2.1, 1.5), figure(1.0, 2.0, 1.6), None)  # the same estimate, at another level
    assert driver._involving(again, [first], "native") == [1]
    assert driver._involving(again, [first], "docker") == [0, 1, 2]  # no first judgement on that backend
    assert driver._involving(further(None), [first], "native") == [0]  # another family: all of it
    other = Verdict("C1", "claim", ["w"], "native", INCONCLUSIVE, first.predicates, "", "")
    assert driver._involving(again, [other], "native") == [0, 1, 2]


def test_a_bootstrap_figure_is_built_at_the_level_in_force():
    # The same runs at 50 % confidence give a narrower interval than at 95 %, around the same median.
    runs = [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]]
    wide = predicates.bootstrap_figure("b", runs, statistics.median)
    with predicates.at_level(Design(alpha=0.5)):
        narrow = predicates.bootstrap_figure("b", runs, statistics.median)
    assert wide.estimate == narrow.estimate == 4.0
    assert wide.low < narrow.low <= 4.0 <= narrow.high < wide.high


@pytest.mark.parametrize("alpha", [0.0, 1.0, 1.5])
def test_a_design_refuses_an_error_level_outside_zero_to_one(alpha):
    with pytest.raises(UsageError):
        Design(alpha=alpha)


# --- what a combinator's predicate carries: its statement, threshold text, outcome and figure ---

COMBINATORS = [
    # (combinator, threshold, shown text, a figure on the claim's side, one wholly on the other, one straddling)
    (predicates.at_least, 2.0, "≥ 2.00", (2.5, 3.0), (1.0, 1.5), (1.5, 2.5)),
    (predicates.below, 2.0, "< 2.00", (1.0, 1.5), (2.5, 3.0), (1.5, 2.5)),
    (predicates.within, (0.5, 1.5), "within 0.5–1.50", (0.8, 1.2), (2.0, 3.0), (1.0, 2.0)),
]


@pytest.mark.parametrize(("combinator", "threshold", "text", "inside", "outside", "across"), COMBINATORS)
def test_a_predicate_keeps_its_statement_threshold_and_figure(combinator, threshold, text, inside, outside, across):
    for span, outcome in [(inside, SUPPORTED), (outside, CONTRADICTED), (across, INCONCLUSIVE)]:
        shown = figure(*span)
        found = combinator("the statement", shown, threshold)
        assert (found.statement, found.threshold, found.outcome, found.figure) == ("the statement", text, outcome, shown)
    assert combinator("s", figure(*inside), threshold, shown="as shown").threshold == "as shown"
    straddling = combinator("s", figure(*across), threshold)
    assert straddling.reason.startswith("the interval straddles the threshold" if combinator is not predicates.within
                                        else "the interval reaches outside the band")
    missing = combinator("the statement", None, threshold)
    assert (missing.statement, missing.threshold, missing.outcome, missing.figure, missing.reason) == (
        "the statement", text, INCONCLUSIVE, None, predicates.NOT_MEASURED_HERE)
    few = figure(*inside, method=f"Hodges–Lehmann ratio; {predicates.TOO_FEW}")
    held = combinator("the statement", few, threshold)
    assert (held.statement, held.threshold, held.outcome, held.figure) == ("the statement", text, INCONCLUSIVE, few)
    assert held.reason.startswith("too few runs to decide")


def test_an_unmeasured_predicate_is_inconclusive_with_its_reason():
    found = predicates.unmeasured("s", "≥ 2", "needs two cores")
    assert (found.statement, found.threshold, found.outcome, found.figure, found.reason) == ("s", "≥ 2", INCONCLUSIVE, None, "needs two cores")


def test_a_median_figure_is_built_at_the_level_in_force():
    # n = 10 at 50 %: coverage of (x(4), x(7)) is 1 - 2 x 176/1024 = 0.656, of (x(5), x(6)) 252/1024 = 0.246:
    # depth 4, share (0.65625 - 0.5) / (0.65625 - 0.24609) = 8/21, weight 6 x 8/21 / (4 + 2 x 8/21) = 0.48;
    # low 0.48 x 5 + 0.52 x 4 = 4.48, high 0.48 x 6 + 0.52 x 7 = 6.52.
    with predicates.at_level(Design(alpha=0.5)):
        found = predicates.median_figure("m", [float(v) for v in range(1, 11)])
    assert found is not None
    assert (found.label, found.estimate, found.n, found.unit, found.significant) == ("m", 5.5, "10", "", None)
    assert (found.low, found.high) == pytest.approx((4.48, 6.52))
    assert found.method == "median, 50% CI"


def test_ratio_and_bootstrap_figures_carry_their_label_and_unit():
    with predicates.at_level(SINGLE_LOOK_4):
        ratio = predicates.ratio_figure("r", [2.0, 3.0, 4.0, 5.0], [1.0] * 4)
    assert ratio is not None and (ratio.label, ratio.unit) == ("r", "×")
    boot = predicates.bootstrap_figure("b", [[1.0, 2.0, 3.0]], statistics.median)
    assert boot is not None and (boot.label, boot.unit, boot.significant, boot.n) == ("b", "", None, "3")
    assert boot.method == "percentile bootstrap, each row's runs resampled"


def test_speedup_takes_the_one_worker_row_whichever_comes_first():
    program = SimpleNamespace(language="python", variant="threads", label="python/threads")
    rows = [{"status": "ok", "language": "python", "variant": "threads", "params": params, "runs": [{"wall_s": t} for t in times]}
            for params, times in [({"threads": 2, "steps": 9}, [2.0] * 4), ({"threads": 1, "steps": 9}, [4.0] * 4)]]
    with predicates.at_level(SINGLE_LOOK_4):
        found = predicates.speedup(rows, program, 2, steps=9)
    # 4 s at 1 worker over 2 s at 2 workers, though the 2-worker row is listed first.
    assert found is not None and found.estimate == pytest.approx(2.0)
    assert found.label == "python/threads speedup at 2 workers"


def test_memory_per_task_resamples_each_row_along_its_own_runs():
    # The vectorized statistic must take each resample's median, not one median over all resamples:
    # scipy draws the same resamples for the plain statistic, so both intervals agree.
    from harness.analyse import stats

    def rows(language, sweep):
        return [{"status": "ok", "language": language, "variant": "v", "params": {"tasks": tasks},
                 "runs": [{"peak_memory_bytes": m + d} for d in spread]} for tasks, m, spread in sweep]

    first, second = ProgramRef("w", "python", "v"), ProgramRef("w", "node", "v")
    records = (rows("python", [(10, 100, (-30, 0, 20)), (20, 300, (-10, 0, 40))])
               + rows("node", [(100, 1000, (-50, 0, 10)), (300, 2000, (-20, 0, 60))]))
    found = predicates.per_task_ratio(records, first, second)
    sets = [[70, 100, 120], [290, 300, 340], [950, 1000, 1010], [1980, 2000, 2060]]

    def plain(a, b, c, d):
        return ((statistics.median(b) - statistics.median(a)) / 10) / ((statistics.median(d) - statistics.median(c)) / 200)

    reference = stats.bootstrap_interval(sets, plain)
    assert found is not None and reference is not None and found.unit == "×"
    # estimate: (300 - 100) / 10 = 20 B a task over (2000 - 1000) / 200 = 5: 4.
    assert found.estimate == pytest.approx(4.0)
    assert (found.low, found.high) == pytest.approx(reference[1:])


def test_the_run_count_a_figure_rests_on_is_its_smallest():
    assert predicates.figure_runs(Figure("f", 1.0, 0.5, 2.0, "10 vs 9")) == 9
    assert predicates.figure_runs(Figure("f", 1.0, 0.5, 2.0, "1,000 / 12")) == 12
    assert predicates.figure_runs(Figure("f", 1.0, 0.5, 2.0, "")) is None


def test_promise_of_an_interval_narrower_than_one():
    assert predicates.promise(figure(0.5, 1.0), (0.75,)) == pytest.approx(0.5)


# --- rows and the stored verdict ---

def test_a_programs_rows_at_given_values_and_the_largest_value_among_ok_rows():
    from harness.judge.rows import largest, of
    program = ProgramRef("w", "python", "v")
    rows = [{"status": "ok", "language": "python", "variant": "v", "params": {"threads": t}} for t in (1, 2)]
    assert [r["params"]["threads"] for r in of(rows, program, threads=2)] == [2]
    failed = {"status": "failed", "language": "python", "variant": "v", "params": {"threads": 8}}
    other = {"status": "ok", "language": "python", "variant": "v", "params": {}}
    assert largest(rows + [failed, other], "threads") == 2  # the failed row's 8 is no evidence


def test_a_stored_verdict_keeps_runtime_predicates_only_for_a_further_runtime():
    first = Verdict("C0", "claim", ["w"], "native", SUPPORTED, [Predicate("p", "≥ 1", SUPPORTED, None, "", 0.5, (3.0, 2.0))])
    stored = first.to_dict()
    assert "runtime_predicates" not in stored and set(stored["predicates"][0]) == {"statement", "threshold", "outcome", "figure", "reason"}
    again = Verdict("C0", "claim", ["w"], "native", SUPPORTED, [], "", "pypy", [0])
    assert again.to_dict()["runtime_predicates"] == [0]


# --- the driver: Holm's levels, the family, and the claims' records ---

def outcome_judge(*rules):
    """A claim function whose predicate i has outcome rules[i](level) at the error level in force."""
    def judge(context, claim):
        level = predicates.current_design().alpha
        found = [Predicate(f"p{i}", "≥ 1", rule(level), figure(level, level)) for i, rule in enumerate(rules)]
        return Verdict("C0", "claim", ["w"], "native", combine(found), found, "")
    return judge


def test_a_contradicted_predicate_frees_its_share_for_the_rest():
    # p0 is Contradicted from 0.02 on, p1 Supported from 0.04: at 0.05/2 p0 decides (Contradicted), so p1 is
    # tried at 0.05/1 and decides too.
    found = driver.judge_family(outcome_judge(lambda a: CONTRADICTED if a >= 0.02 else INCONCLUSIVE,
                                              lambda a: SUPPORTED if a >= 0.04 else INCONCLUSIVE),
                                Context([], "native", {}, Design()), CLAIM)
    assert [p.outcome for p in found.predicates] == [CONTRADICTED, SUPPORTED] and found.outcome == CONTRADICTED


def test_holm_spends_the_runs_own_error_level():
    # alpha 10 %: p0 decides at 0.10/2 = 0.05, then p1 at 0.10/1.
    found = driver.judge_family(level_judge(0.05, 0.1), Context([], "native", {}, Design(alpha=0.1)), CLAIM)
    assert [p.outcome for p in found.predicates] == [SUPPORTED, SUPPORTED]
    assert found.note == "Holm over its 2 predicates, 10% in all."


def test_a_family_that_shrinks_at_a_lower_level_keeps_its_first_judgement():
    # At 0.05 the claim has two predicates, at Holm's 0.025 only one: no level below decides anything, and each
    # predicate is shown as first judged (its figure at 0.05).
    def judge(context, claim):
        level = predicates.current_design().alpha
        found = [Predicate(f"p{i}", "≥ 1", SUPPORTED, figure(level, level)) for i in range(2 if level >= 0.05 else 1)]
        return Verdict("C0", "claim", ["w"], "native", combine(found), found, "")
    found = driver.judge_family(judge, Context([], "native", {}, Design()), CLAIM)
    assert len(found.predicates) == 2 and [p.figure.low for p in found.predicates] == pytest.approx([0.05, 0.05])


def test_a_further_runtime_with_an_ok_row_but_no_figure_and_a_skipped_one_is_not_judged():
    # Only not-ok rows count towards "skipped everything": the ok row is neither skipped nor failed.
    own = [row(4, 0), row(0, 0, status="skipped")]
    own[1]["reason"] = "not available: no asyncio.Runner"
    found = driver._unless_skipped(further(None), CLAIM_TEXT, own)
    assert found.outcome == NOT_MEASURED
    assert (found.claim_id, found.claim, found.workloads, found.backend) == ("C0", "claim", ["w"], "native")


def test_a_run_without_rows_or_environment_records_every_claim_as_not_measured():
    found = driver.judge_verdicts({"measurements": []})
    assert found and all(v.outcome == NOT_MEASURED and v.backend == "native" for v in found)
    assert all(v.note.startswith("not measured in this run: none of ") for v in found)


def test_rows_without_a_backend_field_are_the_native_backends():
    from tests.unit.test_verdicts import ENVIRONMENT, OPTIONS, scaling
    rows = [{k: v for k, v in r.items() if k != "backend"} for r in scaling(1.0, 1.9)]
    found = [v for v in driver.judge_verdicts({"measurements": rows, "environment": ENVIRONMENT, "options": OPTIONS})
             if v.claim_id == "C5"]
    assert [(v.backend, v.outcome) for v in found] == [("native", SUPPORTED)]


# --- the driver: which rows each runtime is judged on, and every claim judged again ---

def two_runtimes(further_runtime, first_rows_last=False):
    """Python on CPython 3.11 and on ``further_runtime`` (its tag): C4's churn and C5's scaling rows of each."""
    from tests.unit.test_verdicts import ENVIRONMENT, OPTIONS, churn, scaling
    cpython = {"version": "3.11.7", "gil": True, "tag": "3.11", "implementation": "CPython"}
    tag = further_runtime["tag"]
    first = [dict(r, runtime="3.11") if r["language"] == "python" else r for r in churn(0.2, 0.01, 0.05) + scaling(1.0, 1.9)]
    again = [dict(r, runtime=tag) for r in churn(0.01, 0.01, 0.05) + scaling(1.9, 1.9) if r["language"] == "python"]
    stray = [dict(r, runtime="21") for r in scaling(1.0, 1.0) if r["language"] == "java"]  # no java entry in runtimes
    environment = {**ENVIRONMENT, "runtimes": {"python": cpython},
                   "runtime_versions": {"python": {"3.11": cpython, tag: further_runtime}}}
    rows = again + first + stray if first_rows_last else first + again + stray
    return driver.judge_verdicts({"measurements": rows, "environment": environment, "options": OPTIONS})


def test_a_claim_not_about_one_runtime_leaves_the_next_claims_judged_on_it():
    found = {(v.claim_id, v.runtime): v for v in two_runtimes({"version": "3.9.16", "gil": True, "tag": "pypy", "implementation": "PyPy"})}
    assert found["C4", "pypy"].outcome == NOT_MEASURED and "about CPython only" in found["C4", "pypy"].note
    assert found["C5", "pypy"].outcome == CONTRADICTED  # the later claim is still judged on pypy's own rows


def test_a_further_cpython_build_without_an_implementation_is_judged_on_cpython_only_claims():
    # No "implementation" recorded: the reference one (CPython), so C4 is judged on it, not left out.
    found = {(v.claim_id, v.runtime): v for v in two_runtimes({"version": "3.13.5", "gil": False, "tag": "3.13t"})}
    assert found["C4", "python3.13t"].outcome != NOT_MEASURED


def test_each_runtime_is_judged_on_its_own_rows_whatever_their_order():
    # The further build's rows listed first: the first judgement must still take the 3.11 rows (C5 Supported:
    # no thread speedup), the further one its own (Contradicted); the java row of an unknown runtime is ignored.
    found = [(v.runtime, v.outcome) for v in two_runtimes({"version": "3.13.5", "gil": False, "tag": "3.13t"}, first_rows_last=True)
             if v.claim_id == "C5"]
    assert found == [("", SUPPORTED), ("python3.13t", CONTRADICTED)]


def test_a_run_without_an_environment_is_still_judged():
    stray = {"workload": "nothing_claimed", "language": "python", "variant": "v", "params": {}, "status": "failed", "runs": []}
    found = driver.judge_verdicts({"measurements": [stray]})
    assert found and all(v.outcome == NOT_MEASURED for v in found)


# --- how a figure and a build are written (cheap to pin down, read beside every verdict) ---

@pytest.mark.parametrize(("shown", "text"), [
    (Figure("f", 1.5, 1.2, 1.8, "5 vs 5", "×", True, "m"), "1.50× (1.20–1.80), n=5 vs 5, significant"),
    (Figure("f", 1.5, 1.2, 1.8, "5 vs 5", "×", False, "m"), "1.50× (1.20–1.80), n=5 vs 5, not significant"),
    (Figure("f", 1.5, 1.2, 1.8, "3 vs 3", "×", None, f"Hodges–Lehmann ratio; {predicates.TOO_FEW}"),
     "1.50× (1.20–1.80 range), n=3 vs 3"),
    (Figure("f", 2.0, 2.0, 2.0, "5", "", None, "median"), "2.00 (every run alike), n=5"),
    (Figure("f", 2.0, 1.0, 1.0, "5", "", None, "median"), "2.00 (1.00–1.00), n=5"),
])
def test_a_figures_text(shown, text):
    assert shown.text() == text


def test_a_missing_number_is_a_question_mark():
    from harness.judge.model import number_text
    assert number_text(None) == "?" and number_text(math.nan) == "?" and number_text(2) == "2.00"


def test_the_python_build_of_a_backend_without_its_own_runtimes():
    environment = {"runtimes": {"python": {"version": "3.9.16", "implementation": "PyPy"}}, "backends": {"docker": {"cores_available": 2}}}
    assert Context([], "docker", environment).python_build() == "PyPy 3.9.16 (GIL build)"


# --- how many runs would decide an undecided figure: the runner's choice and the reason's wording ---

def boot(low, estimate, high, n="10"):
    return Figure("b", estimate, low, high, n, "", None, "percentile bootstrap, each row's runs resampled")


@pytest.mark.parametrize(("shown", "edges", "expected"), [
    # In the band (0.67 < 1.0 < 1.5): the edge that needs more runs. Edge 0.67: half 1.0 - 0.6 = 0.4, gap 0.33,
    # 10 x (0.4/0.33)^2 = 14.7 -> 15. Edge 1.5: half 0.7, gap 0.5, 10 x 1.4^2 = 19.6 -> 20; hopeful, the narrower
    # half 0.4: 10 x 0.8^2 = 6.4 -> 7, but at least one run more than 10: 11.
    (boot(0.6, 1.0, 1.7), (0.67, 1.5), ((20.0, 11.0), 1.5)),
    # Outside the band (0.6 < 0.67): the edge that needs fewer. Edge 0.67: half 1.0, gap 0.07: about 2,000.
    # Edge 1.5: half 1.0, gap 0.9, 10 x 1.23 = 12.3 -> 13; hopeful half 0.1: 11.
    (boot(0.5, 0.6, 1.6), (0.67, 1.5), ((13.0, 11.0), 1.5)),
    # An edge on the interval's end is inside it: half = gap, 10 x 1 -> 11.
    (boot(0.6, 1.0, 1.7), (0.6,), ((11.0, 11.0), 0.6)),
    (boot(0.6, 1.0, 1.7), (1.7,), ((11.0, 11.0), 1.7)),
    # An estimate on a band's edge is not inside the band: the nearer projection (edge 1.5: 20), not the
    # edge it sits on (infinitely many runs).
    (boot(0.6, 1.0, 1.7), (1.0, 1.5), ((20.0, 11.0), 1.5)),
    (boot(0.6, 1.0, 1.7), (0.67, 1.0), ((15.0, 15.0), 0.67)),  # hopeful: the narrower half is this side's 0.4
])
def test_projected_runs_by_hand(shown, edges, expected):
    needed, edge = predicates.projected_runs(shown, edges)
    assert (needed, edge) == (pytest.approx(expected[0]), pytest.approx(expected[1]))


def test_no_projection_without_a_run_count_or_an_edge_inside():
    needed, edge = predicates.projected_runs(boot(0.6, 1.0, 1.7, n=""), (1.5,))
    assert needed is None and math.isnan(edge)
    needed, edge = predicates.projected_runs(boot(0.6, 1.0, 1.7), (2.0,))
    assert needed is None and math.isnan(edge)


@pytest.mark.parametrize(("needed", "band", "text"), [
    (None, False, ""),
    (10.0, False, "; about 10 runs a row would decide it"),  # within this run's --max-runs 10
    (20.0, False, "; about 20 runs a row would decide it (--max-runs 20, or --full)"),
    (21.0, False, "; about 21 runs a row would decide it (--max-runs 21)"),
    (100.0, False, "; about 100 runs a row would decide it (--max-runs 100)"),  # the cap itself is still a number
    (101.0, False, "; its figure sits too near the threshold (1.00 against 1.50) for more runs on this machine "
                   "to decide it (over 100 a row)"),
    (101.0, True, "; its figure sits too near the band's edge (1.00 against 1.50) for more runs on this machine "
                  "to decide it (over 100 a row)"),
])
def test_the_projection_as_the_reason_says_it(needed, band, text):
    with predicates.at_level(Design(3, 10)):
        assert predicates.projection_text(boot(0.6, 1.0, 1.7), needed, 1.5, band) == text


def test_an_undecided_predicate_says_how_many_runs_would_decide_it():
    # at_least 1.5 on the first figure above: edge 1.5, about 20 runs (hopeful 11), outside --max-runs 10.
    with predicates.at_level(Design(3, 10)):
        found = predicates.at_least("s", boot(0.6, 1.0, 1.7), 1.5)
    assert found.runs_needed == pytest.approx((20.0, 11.0))
    assert found.reason == "the interval straddles the threshold; about 20 runs a row would decide it (--max-runs 20, or --full)"
    with predicates.at_level(Design(3, 10)):
        band = predicates.within("s", boot(0.5, 0.6, 1.6), (0.67, 1.5))
    assert band.reason.startswith("the interval reaches outside the band; about 13 runs a row would decide it")


def test_when_pairing_is_chosen_runs_are_paired_by_their_round_not_their_place(monkeypatch):
    # A ran rounds 5..0, B rounds 0..5. By round the pairs are (7, 1), (6, 2), (5, 3), (4, 4), (3, 5), (2, 6):
    # ratios 7 .. 1/3. One look at 6 rounds has k = 1 (2/64 under 0.035), so the interval runs from the smallest
    # to the largest Walsh average: the extreme log-ratios, 1/3 to 7. Paired by place it would be 7/6 to 2.
    monkeypatch.setattr(predicates, "PAIR_BY_ROUND", True)
    with predicates.at_level(Design(6, 6)):
        found = predicates.ratio_figure("r", [2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                                        rounds=([5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5]))
    assert found is not None and found.n == "6 vs 6 paired" and "Wilcoxon signed-rank" in found.method
    assert (found.low, found.high) == pytest.approx((1 / 3, 7.0))


# --- the runner's choice: the undecided claims, most promising first ---

def test_the_undecided_claims_come_most_promising_first_then_by_number():
    from harness.catalogue import loader as catalogue_loader
    from harness.judge import claims as claims_file
    from harness.judge import decide
    from tests.unit.test_verdicts import ENVIRONMENT, scaling
    # 4 runs a row on looks 3..10: every cpu_scaling claim still open. C11's interval touches its threshold
    # (promise 0); C5's and C7's are split near the middle (promise about 0.5, equal): C5 before C7 by number.
    document = {"measurements": scaling(1.2, 1.5, java_2=1.6, node_2=1.3, runs=4), "environment": ENVIRONMENT,
                "options": {"min_runs": 3, "max_runs": 10}}
    pending, futile = decide.survey(document)
    assert [p.claim_id for p in pending] == ["C11", "C5", "C7"] and futile == []
    assert pending[0].promise == 0.0 and 0.4 < pending[1].promise < 0.5
    assert pending[1].promise == pytest.approx(pending[2].promise)
    every = claims_file.load()
    for found in pending:  # the quick profile's rows on the run's 2 cores
        assert found.rows == tuple(every[found.claim_id].needed_rows(catalogue_loader.load(), "quick", 2))
    # A decided claim (C5 at 6 runs a row, one look) before an open one (C7: java's 1.6 on its threshold) does
    # not end the survey.
    decided_first = {"measurements": scaling(1.0, 1.9, java_2=1.6, runs=6), "environment": ENVIRONMENT,
                     "options": {"min_runs": 6, "max_runs": 6}}
    assert [p.claim_id for p in decide.undecided(decided_first)] == ["C7"]
