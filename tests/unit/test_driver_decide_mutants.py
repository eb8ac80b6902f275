"""What mutation found untested in the driver (judge/driver.py) and the runner's choice (judge/decide.py).

The driver: the memo the runner keeps (a verdict per claim by its rows, handed out as a copy), the
busy, skipped and not-about notes, and the record of a claim not measured. The runner's choice: the
rows an undecided claim needs on the run's cores, how the verdicts of one claim on several backends
combine (the most promising, the largest projection), the order of the claims left out as futile,
when a predicate is futile, and the warning a too small --max-runs gets. Every expectation is worked
out by hand in a comment.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from harness.analyse.sequential import Design
from harness.judge import decide, driver
from harness.judge.model import INCONCLUSIVE, NOT_MEASURED, SUPPORTED, Figure, Predicate, Verdict
from harness.judge.rows import Context
from tests.unit.test_verdicts import ENVIRONMENT, row, scaling

pytestmark = pytest.mark.unit

OPTIONS = {"min_runs": 3, "max_runs": 10}  # the quick design: looks at 3..10 runs, the first decisive one at 5


def program(variant):
    return SimpleNamespace(workload="w", language="python", variant=variant)


CLAIM = SimpleNamespace(id="C0", text="claim", workloads=("w",), programs=lambda: [program("a"), program("b")])


def runs(total, disturbed):
    return [{"wall_s": 1.0, "disturbed": i < disturbed} for i in range(total)]


def simple_row(total=0, disturbed=0, status="ok", variant="a", **extra):
    return {"workload": "w", "language": "python", "variant": variant, "status": status,
            "runs": runs(total, disturbed), **extra}


# --- the memo: filled when given, keyed by the rows' parameter values, and handed out as a copy ---

def test_the_memo_the_runner_keeps_is_filled_by_every_way_in():
    document = {"measurements": scaling(1.2, 1.5, runs=4), "environment": ENVIRONMENT, "options": OPTIONS}
    for judge in (lambda memo: driver.judge_verdicts(document, memo), lambda memo: decide.undecided(document, memo=memo),
                  lambda memo: decide.survey(document, memo=memo)):
        memo = {}
        judge(memo)
        assert memo, "a caller's memo holds the verdicts it was given, for the next call not to judge them again"


def test_the_memo_tells_apart_rows_at_other_parameter_values():
    # C5 with no thread speedup and processes 1.9x at 2 workers: Supported (test_verdicts). The same run counts
    # with the processes' second row at 3 workers instead: no process row at 2 workers, so the processes predicate
    # has no figure and C5 cannot be Supported. A memo that forgot the parameter values would hand out the first.
    first = scaling(1.0, 1.9)
    moved = [dict(r, params={**r["params"], "threads": 3}) if (r["variant"], r["params"]["threads"]) == ("processes", 2) else r
             for r in first]
    memo: dict = {}
    options = {"min_runs": 5, "max_runs": 5}

    def c5(rows):
        found = driver.judge_verdicts({"measurements": rows, "environment": ENVIRONMENT, "options": options}, memo)
        return next(v for v in found if v.claim_id == "C5")

    assert c5(first).outcome == SUPPORTED
    again = c5(moved)
    assert again.outcome != SUPPORTED and again.predicates[-1].figure is None


def test_the_memo_is_not_fooled_by_a_row_whose_count_comes_back_with_other_runs():
    # Processes at 2 workers: 2 calm runs and 3 disturbed ones (4x slower) is mostly disturbed, so all
    # 5 are judged; 3 calm runs more make 8, of which the 5 calm ones are judged: 5 again. C5's
    # processes speedup is about 1.9 on the calm runs, so the memo must judge afresh and agree with a
    # judge that has no memo (it served the first verdict, 0.477x (0.468-1.92), Inconclusive).
    import copy

    rows = scaling(1.0, 1.9)
    calm = next(r for r in rows if r["variant"] == "processes" and r["params"]["threads"] == 2)["runs"]
    first = copy.deepcopy(rows)
    busy = next(r for r in first if r["variant"] == "processes" and r["params"]["threads"] == 2)
    busy["runs"] = [dict(calm[0]), dict(calm[1])] + [dict(run, work_warm_s=run["work_warm_s"] * 4, disturbed=True)
                                                     for run in calm[2:]]
    later = copy.deepcopy(first)
    next(r for r in later if r["variant"] == "processes" and r["params"]["threads"] == 2)["runs"] += [dict(run) for run in calm[2:]]

    def c5(found):
        return next(v for v in found if v.claim_id == "C5")

    def document(measured):
        return {"measurements": measured, "environment": ENVIRONMENT, "options": {"min_runs": 5, "max_runs": 5}}

    memo: dict = {}
    c5(driver.judge_verdicts(document(first), memo))
    remembered, fresh = c5(driver.judge_verdicts(document(later), memo)), c5(driver.judge_verdicts(document(later)))
    assert fresh.outcome == SUPPORTED
    assert (remembered.outcome, [p.figure.text() for p in remembered.predicates]) == (
        fresh.outcome, [p.figure.text() for p in fresh.predicates])


def test_the_memo_hands_out_a_copy_that_the_caller_may_hold_back():
    # A claim judged once, then held back as busy by its caller (a row of 4 runs, 3 disturbed): the memo's
    # verdict must stay as judged, Supported with no reason, for the next call with the same rows.
    calls = []

    def judge(context, claim):
        calls.append(1)
        return Verdict("C0", "claim", ["w"], "native", SUPPORTED, [Predicate("p", "≥ 1", SUPPORTED)], "")

    memo: dict = {}
    context = Context([], "native", {}, Design())
    held = driver._judged(memo, context, CLAIM, judge, ("native", "", ""))
    driver._unless_busy(held, CLAIM, [simple_row(4, 3)])
    assert held.outcome == INCONCLUSIVE and held.predicates[0].outcome == INCONCLUSIVE
    again = driver._judged(memo, context, CLAIM, judge, ("native", "", ""))
    assert len(calls) == 1  # from the memo
    assert again.outcome == SUPPORTED and again.predicates[0].outcome == SUPPORTED and again.predicates[0].reason == ""


# --- the notes the driver writes ---

def held_back(note=""):
    verdict = Verdict("C0", "claim", ["w"], "native", SUPPORTED, [Predicate("p", "≥ 1", SUPPORTED)], note)
    return verdict


@pytest.mark.parametrize(("rows", "note"), [
    # a: 3 of 4 disturbed (mostly), b: none of 4: 3 of 8 in all, one row mostly
    ([simple_row(4, 3), simple_row(4, 0, variant="b")], "machine busy: 3 of 8 runs disturbed, 1 row mostly; earlier"),
    # both 3 of 4: 6 of 8, two rows mostly: "rows", plural
    ([simple_row(4, 3), simple_row(4, 3, variant="b")], "machine busy: 6 of 8 runs disturbed, 2 rows mostly; earlier"),
])
def test_the_busy_note_counts_runs_and_rows(rows, note):
    verdict = held_back("earlier")
    driver._unless_busy(verdict, CLAIM, rows)
    assert verdict.note == note
    assert verdict.predicates[0].reason == f"{note.removesuffix('; earlier')} (the figure alone says Supported)"


def test_the_busy_note_alone_when_the_verdict_had_none():
    # 3 of 4 and 3 of 4 disturbed: 6 of 8, two rows mostly; nothing to join it to.
    verdict = held_back()
    driver._unless_busy(verdict, CLAIM, [simple_row(4, 3), simple_row(4, 3, variant="b")])
    assert verdict.note == "machine busy: 6 of 8 runs disturbed, 2 rows mostly"


def test_a_further_runtime_that_skipped_the_claims_rows_names_each_reason_once():
    # Both programs skipped: one says why ("not available: " dropped), one gives no reason ("skipped"); the
    # second row with the first's reason is not named again.
    verdict = Verdict("C0", "claim", ["w"], "native", INCONCLUSIVE, [Predicate("p", "≥ 1", INCONCLUSIVE)], "", "pypy", [0])
    own = [simple_row(status="skipped", reason="not available: no asyncio.Runner"), simple_row(status="skipped", variant="b"),
           simple_row(status="skipped", reason="not available: no asyncio.Runner")]
    found = driver._unless_skipped(verdict, CLAIM, own)
    assert found.outcome == NOT_MEASURED and found.note == "not judged on pypy: no asyncio.Runner; skipped"


def test_a_claim_about_other_implementations_names_them_in_order():
    claim = SimpleNamespace(id="C0", text="claim", workloads=("w",), implementations={"python": ["GraalPy", "CPython"]})
    verdict = Verdict("C0", "claim", ["w"], "native", SUPPORTED, [], "", "pypy")
    found = driver._not_about(claim, verdict, "PyPy")
    assert found.note == "not judged on pypy: the claim is about CPython and GraalPy only, and pypy is PyPy"


@pytest.mark.parametrize(("ran", "note"), [
    (["z"], "not measured in this run: none of a, b ran"),  # z is no workload of the claim
    (["a", "z"], "not measured in this run: a ran, but not the rows this claim needs (or none ended ok)"),
    (["b", "a", "z"], "not measured in this run: a, b ran, but not the rows this claim needs (or none ended ok)"),
])
def test_the_record_of_a_claim_not_measured_names_its_workloads(ran, note):
    claim = SimpleNamespace(id="C9", text="the claim's text", workloads=("a", "b"))
    found = driver._not_measured(claim, "docker", [{"workload": name} for name in ran])
    assert (found.claim_id, found.claim, found.workloads, found.backend) == ("C9", "the claim's text", ["a", "b"], "docker")
    assert found.outcome == NOT_MEASURED and found.predicates == [] and found.note == note


# --- the runner's choice: the rows a claim needs on the run's cores ---

def c8_document(base, crowded, environment):
    """Java threads at ``base`` and ``crowded`` workers, 4 runs each and 1.1x apart: C8 still open (3..10 looks)."""
    rows = [row("cpu_scaling", "java", "threads", {"steps": 1_000_000, "threads": base}, time=1.0, runs=4),
            row("cpu_scaling", "java", "threads", {"steps": 1_000_000, "threads": crowded}, time=1.1, runs=4)]
    document = {"measurements": rows, "options": OPTIONS}
    return document if environment is None else {**document, "environment": environment}


def c8_rows(document):
    pending, _ = decide.survey(document)
    [c8] = [p for p in pending if p.claim_id == "C8"]
    return [(need.program.language, need.program.variant, dict(need.params)) for need in c8.rows]


def test_the_rows_a_claim_needs_follow_the_runs_cores():
    # C8 compares Java threads at T = cores and T = 4 x cores, at the quick profile's largest steps (1,000,000):
    # on 2 cores, T = 2 and 8.
    assert c8_rows(c8_document(2, 8, {"cores_available": 2})) == [
        ("java", "threads", {"threads": 2, "steps": 1_000_000}), ("java", "threads", {"threads": 8, "steps": 1_000_000})]


def test_a_run_that_does_not_say_its_cores_is_taken_as_one_core():
    # No environment: one core, as the judge takes it (Context.cores), so T = 1 and 4.
    assert c8_rows(c8_document(1, 4, None)) == [
        ("java", "threads", {"threads": 1, "steps": 1_000_000}), ("java", "threads", {"threads": 4, "steps": 1_000_000})]


# --- the runner's choice: one claim's verdicts on several backends, and the futile ones in claim order ---

def open_predicate(promise, runs_needed, n="6 vs 6"):
    figure = Figure("r", 1.2, 1.0, 1.4, n, "×", False, "test")
    return Predicate("s", "< 1.2", INCONCLUSIVE, figure, "", promise, runs_needed)


def open_verdict(claim_id, backend, *found):
    return Verdict(claim_id, "claim", ["w"], backend, INCONCLUSIVE, list(found))


def survey_of(monkeypatch, verdicts):
    monkeypatch.setattr(decide, "judge_verdicts", lambda document, memo=None: verdicts)
    return decide.survey({"measurements": [], "environment": ENVIRONMENT, "options": OPTIONS})


def test_a_claim_open_on_two_backends_is_as_promising_as_its_best(monkeypatch):
    # C5: 0.1 on native, 0.4 on docker: its best is 0.1, so it comes before C7 (0.3) although docker's is after.
    pending, futile = survey_of(monkeypatch, [open_verdict("C5", "native", open_predicate(0.1, (20.0, 12.0))),
                                              open_verdict("C7", "native", open_predicate(0.3, (20.0, 12.0))),
                                              open_verdict("C5", "docker", open_predicate(0.4, (20.0, 12.0)))])
    assert [(p.claim_id, p.promise) for p in pending] == [("C5", 0.1), ("C7", 0.3)] and futile == []


def test_a_futile_claim_names_the_largest_projection_of_its_backends_in_claim_number_order(monkeypatch):
    # 6 runs a row, one past the first decisive 5; every hopeful projection over 10 x --max-runs 10 = 100: futile.
    # C13 on native needs about 150 (hopeful 120), on docker 130 (110): 150, the number its reasons show, not the
    # hopeful one. C5: 400. Ordered by number: C5 before C13 (which sorts first as text).
    pending, futile = survey_of(monkeypatch, [open_verdict("C13", "native", open_predicate(0.2, (150.0, 120.0))),
                                              open_verdict("C5", "native", open_predicate(0.3, (400.0, 300.0))),
                                              open_verdict("C13", "docker", open_predicate(0.2, (130.0, 110.0)))])
    assert pending == [] and futile == [decide.Futile("C5", 400.0), decide.Futile("C13", 150.0)]


def test_a_futile_claims_text_keeps_the_cap_as_a_number():
    # The projection's cap (100 a row) is still a count, as the predicate's reason says it; only beyond it is
    # the figure too near its threshold.
    assert decide.Futile("C13", 100.0).text() == "C13: no more runs, about 100 a row would decide it"
    assert decide.Futile("C13", 101.0).text() == "C13: no more runs, its figure sits too near its threshold for runs to decide it"


# --- when a predicate is futile: never without a projection, a figure, a run count or a decisive look ---

@pytest.mark.parametrize(("predicate", "design"), [
    (open_predicate(0.3, None), Design(3, 10)),                     # a figure of 6 runs, but no projection
    (Predicate("s", "< 1.2", INCONCLUSIVE, None, "", 0.3, (150.0, 120.0)), Design(3, 10)),  # no figure
    (open_predicate(0.3, (150.0, 120.0), n=""), Design(3, 10)),      # a figure without a run count
    (open_predicate(0.3, (150.0, 120.0)), Design(3, 3)),             # 3 runs a row at most: no look ever decides
])
def test_a_predicate_is_not_futile_without_what_the_rule_reads(predicate, design):
    assert decide.is_futile(predicate, design) is False


def test_the_same_predicate_with_all_of_it_is_futile():
    # 6 runs past the first decisive 5 of 3..10, hopeful 120 > 100.
    assert Design(3, 10).min_decisive_runs() == 5 and decide.is_futile(open_predicate(0.3, (150.0, 120.0)), Design(3, 10))


# --- the warning a too small --max-runs gets ---

def test_two_runs_a_row_are_warned_about_as_two():
    # --min-runs 2 --max-runs 2: one look at 2 runs; Mann–Whitney needs 4 a row (1/C(8, 4) = 1/70 under 0.025).
    assert decide.sampling_warning(2, 2) == ("warning: --max-runs 2 is too few for the sequential interval to ever "
                                             "decide (it needs at least 4 runs per row)")
    assert decide.sampling_warning(4, 4) == ""  # one look at 4 runs can decide
