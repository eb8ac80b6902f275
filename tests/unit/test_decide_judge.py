"""The judge decides with the sequential interval and Holm (issue 28, points 2, 9 within a claim, 10).

Rows are synthetic, as in test_verdicts: each claim's rows with chosen medians and a small spread.
"""

from __future__ import annotations

from harness.analyse.sequential import Design
from harness.judge import predicates, verdicts
from harness.judge.predicates import TOO_FEW
from harness.judge.rows import run_design
from tests.unit.test_verdicts import ENVIRONMENT, scaling


def judge(rows, claim_id, options):
    found = verdicts.judge_all({"measurements": rows, "environment": ENVIRONMENT, "options": options})
    return next(v for v in found if v["claim_id"] == claim_id)


def with_rounds(rows):
    """Every row's runs numbered by round, as the runner stamps them when rows run together."""
    for row in rows:
        for index, run in enumerate(row["runs"]):
            run["round"] = index
    return rows


def test_a_ratio_on_too_few_runs_shows_its_range_and_decides_nothing():
    verdict = judge(scaling(1.0, 1.9, runs=3), "C7", {"min_runs": 3, "max_runs": 10})
    [predicate] = verdict["predicates"]
    assert verdict["outcome"] == verdicts.INCONCLUSIVE
    assert predicate["reason"] == "too few runs to decide: the sequential interval needs ≥ 5 runs a row"
    assert TOO_FEW in predicate["figure"]["method"]
    assert "range" in verdicts.Figure(**predicate["figure"]).text()


def test_a_decided_ratio_names_its_method_and_design():
    verdict = judge(scaling(1.0, 1.9, runs=5), "C7", {"min_runs": 5, "max_runs": 5})
    [predicate] = verdict["predicates"]
    assert verdict["outcome"] == verdicts.SUPPORTED
    figure = predicate["figure"]
    assert figure["method"].startswith("Hodges–Lehmann ratio, sequential Mann–Whitney interval (looks at 5–5 runs")
    assert figure["n"] == "5 vs 5" and figure["low"] <= figure["estimate"] <= figure["high"]


def test_rows_run_in_the_same_rounds_are_compared_independently_by_default():
    verdict = judge(with_rounds(scaling(1.0, 1.9, runs=10)), "C7", {"min_runs": 10, "max_runs": 10})
    figure = verdict["predicates"][0]["figure"]
    assert figure["n"] == "10 vs 10" and "Mann–Whitney" in figure["method"]
    assert verdict["outcome"] == verdicts.SUPPORTED


def test_rows_run_in_the_same_rounds_are_paired_when_pairing_is_chosen(monkeypatch):
    monkeypatch.setattr(predicates, "PAIR_BY_ROUND", True)
    verdict = judge(with_rounds(scaling(1.0, 1.9, runs=10)), "C7", {"min_runs": 10, "max_runs": 10})
    figure = verdict["predicates"][0]["figure"]
    assert figure["n"] == "10 vs 10 paired" and "Wilcoxon signed-rank" in figure["method"]
    assert verdict["outcome"] == verdicts.SUPPORTED


def test_holm_holds_back_a_claim_that_one_test_alone_would_decide():
    # At 4 runs a row, Mann–Whitney's smallest two-sided p is 2/70 = 2.9 %: below the 3.5 % a lone
    # predicate is tested at (0.7 × 5 %), above the 1.75 % each of C5's two gets under Holm.
    options = {"min_runs": 4, "max_runs": 4}
    assert judge(scaling(1.0, 1.9, runs=4), "C7", options)["outcome"] == verdicts.SUPPORTED
    c5 = judge(scaling(1.0, 1.9, runs=4), "C5", options)
    assert c5["outcome"] == verdicts.INCONCLUSIVE
    assert "Holm over its 2 predicates, 5% in all." in c5["note"]
    assert all("needs more runs a row than --max-runs allows" in p["reason"] for p in c5["predicates"])


def test_holm_lets_a_claim_decide_once_the_runs_suffice():
    c5 = judge(scaling(1.0, 1.9, runs=6), "C5", {"min_runs": 6, "max_runs": 6})
    assert c5["outcome"] == verdicts.SUPPORTED
    assert [p["outcome"] for p in c5["predicates"]] == [verdicts.SUPPORTED] * 2


def test_a_row_past_max_runs_is_judged_not_refused():
    verdict = judge(scaling(1.0, 1.9, runs=10), "C7", {"min_runs": 3, "max_runs": 6})
    assert verdict["outcome"] == verdicts.SUPPORTED


def test_the_design_comes_from_the_runs_options():
    assert run_design({"min_runs": 3, "max_runs": 10}) == Design(3, 10)
    assert run_design({"runs": 1}) == Design(2, 2)  # --runs 1: judged as if it planned 2 (nothing decides)
    assert run_design(None) == Design()
