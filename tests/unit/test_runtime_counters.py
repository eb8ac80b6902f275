"""What a runtime does not report is absent, never zero: Bun's and Deno's missing collector
events leave C4 undecided for them, and a PyPy verdict names PyPy, not CPython."""

from harness.judge import verdicts
from harness.judge.model import INCONCLUSIVE, SUPPORTED
from tests.unit.test_verdicts import ENVIRONMENT, OPTIONS, churn, judge, scaling


def without_collector_events(rows, language="node"):
    """The rows, with ``language``'s runs reporting no gc_pause_s, as Bun's and Deno's runs do."""
    for record in rows:
        if record["language"] == language:
            for run in record["runs"]:
                run["metrics"] = {}
    return rows


def test_c4_against_a_runtime_without_collector_events_is_undecided_for_it_not_supported():
    verdict = judge(without_collector_events(churn(0.2, 0.01, 0.05)), "C4")
    node = verdict["predicates"][1]
    assert node["outcome"] == INCONCLUSIVE and node["reason"] == "node reports no collector pauses"
    assert verdict["predicates"][0]["outcome"] == SUPPORTED, "Java's pauses are still judged"
    assert verdict["outcome"] == INCONCLUSIVE


def test_c4_with_every_runtimes_pauses_reported_still_decides():
    assert judge(churn(0.2, 0.01, 0.05), "C4")["outcome"] == SUPPORTED


def test_c5_on_pypy_says_it_was_judged_on_pypy():
    pypy = {"version": "3.9.16", "gil": True, "tag": "pypy", "implementation": "PyPy"}
    rows = [dict(r, runtime="pypy") if r["language"] == "python" else r for r in scaling(1.0, 1.9)]
    environment = {**ENVIRONMENT, "runtimes": {"python": pypy}, "runtime_versions": {"python": {"pypy": pypy}}}
    found = [v for v in verdicts.judge_all({"measurements": rows, "environment": environment, "options": OPTIONS})
             if v["claim_id"] == "C5"]
    assert len(found) == 1 and found[0]["note"].startswith("Judged on PyPy 3.9.16 (GIL build).")


def test_a_claim_about_cpythons_reference_counting_is_not_judged_on_pypy():
    cpython = {"version": "3.11.7", "gil": True, "tag": "3.11", "implementation": "CPython"}
    pypy = {"version": "3.9.16", "gil": True, "tag": "pypy", "implementation": "PyPy"}
    rows = churn(0.2, 0.01, 0.05)
    rows += [dict(r, runtime="pypy") for r in churn(0.01, 0.01, 0.05) if r["language"] == "python"]
    rows = [dict(r, runtime="3.11") if r["language"] == "python" and "runtime" not in r else r for r in rows]
    environment = {**ENVIRONMENT, "runtimes": {"python": cpython},
                   "runtime_versions": {"python": {"3.11": cpython, "pypy": pypy}}}
    found = [v for v in verdicts.judge_all({"measurements": rows, "environment": environment, "options": OPTIONS})
             if v["claim_id"] == "C4"]
    assert [(v["runtime"], v["outcome"]) for v in found] == [("", SUPPORTED), ("pypy", "Not measured")]
    assert found[1]["note"] == "not judged on pypy: the claim is about CPython only, and pypy is PyPy"


def test_a_claim_about_cpython_is_still_judged_on_another_cpython():
    cpython, free = ({"version": v, "gil": g, "tag": t, "implementation": "CPython"}
                     for v, g, t in (("3.11.7", True, "3.11"), ("3.13.5", False, "3.13t")))
    rows = [dict(r, runtime="3.11") if r["language"] == "python" else r for r in churn(0.2, 0.01, 0.05)]
    rows += [dict(r, runtime="3.13t") for r in churn(0.3, 0.01, 0.05) if r["language"] == "python"]
    environment = {**ENVIRONMENT, "runtimes": {"python": cpython},
                   "runtime_versions": {"python": {"3.11": cpython, "3.13t": free}}}
    found = [v for v in verdicts.judge_all({"measurements": rows, "environment": environment, "options": OPTIONS})
             if v["claim_id"] == "C4"]
    assert [v["runtime"] for v in found] == ["", "python3.13t"] and found[1]["outcome"] == SUPPORTED
