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
