"""diff with error control over the whole run (issue 28, point 9): Benjamini–Hochberg over all
figures, a smallest change worth reporting, run-wide drift, disturbed runs left out and warned about."""

from __future__ import annotations

import numpy as np

from harness.report import diff
from tests.unit.test_diff_show_publish import ENVIRONMENT


def document(run_id, rows, disturbed=0):
    """A results document: ``rows`` maps a variant to (per-run times, per-run peaks); the first
    ``disturbed`` runs of each row are marked disturbed."""
    measurements = []
    for variant, (times, peaks) in rows.items():
        runs = [{"work_warm_s": t, "cgroup_peak_bytes": m, **({"disturbed": True} if i < disturbed else {})}
                for i, (t, m) in enumerate(zip(times, peaks, strict=True))]
        measurements.append({"workload": "alloc_churn", "family": "memory", "language": "java", "variant": variant,
                             "backend": "native", "params": {"depth": 14}, "status": "ok", "reason": "",
                             "command": ["java"], "checksum": "1", "runtime_args": [], "runs": runs, "summary": {}})
    return {"schema": 2, "run_id": run_id, "environment": ENVIRONMENT, "options": {}, "workloads": {},
            "measurements": measurements, "verdicts": []}


def rows(count, seed, time_factor=1.0, noise=0.02, memory=200 * 2**20, memory_factor=1.0, n=5):
    """``count`` rows of n runs with lognormal noise."""
    rng = np.random.default_rng(seed)
    return {f"v{i}": (list((0.1 + i / 100) * time_factor * np.exp(rng.normal(0, noise, n))),
                      [memory * memory_factor] * n) for i in range(count)}


def significant(found):
    return [(change.row, change.figure) for change in found.significant()]


def test_an_exact_tiny_memory_change_is_never_significant():
    """Zero spread on both sides: 0.05 % of 200 MiB is inside the 1 % band, not "1× (1–1), significant"."""
    found = diff.compare_runs(document("a", rows(3, 1, noise=0.0)), document("b", rows(3, 1, noise=0.0, memory_factor=1.0005)))
    assert significant(found) == []
    assert all(change.comparison and not change.comparison.significant for change in found.changes)


def test_a_machine_slower_across_the_board_is_drift_not_thirty_slowdowns():
    found = diff.compare_runs(document("a", rows(30, 1)), document("b", rows(30, 2, time_factor=1.2)))
    assert significant(found) == []
    assert any(note.startswith("run-wide drift 1.2") and "in time" in note for note in found.notes)
    assert "0 of 60 figures tested changed significantly" in found.summary
    assert "Benjamini–Hochberg" in found.summary and "2% in time" in found.summary
    assert "beyond drift" in diff.table_rows(found)[0][4]


def test_one_row_slower_beyond_the_drift_is_found():
    slower = rows(30, 2, time_factor=1.2)
    slower["v3"] = ([t * 1.5 for t in slower["v3"][0]], slower["v3"][1])
    found = diff.compare_runs(document("a", rows(30, 1)), document("b", slower))
    assert significant(found) == [("alloc_churn java/v3 depth=14", "time")]


def test_a_threefold_change_of_one_row_is_significant_without_drift():
    found = diff.compare_runs(document("a", rows(1, 1)), document("b", rows(1, 2, time_factor=3.0)))
    assert significant(found) == [("alloc_churn java/v0 depth=14", "time")]
    assert "without a drift estimate" in found.summary


def test_disturbed_runs_are_left_out_and_a_difference_in_disturbance_is_warned_about():
    a = rows(6, 1, n=7)
    b = rows(6, 2, n=7)
    for variant, (times, peaks) in b.items():  # B's first two runs of each row ran beside a busy loop
        b[variant] = ([t * 1.8 for t in times[:2]] + times[2:], peaks)
    found = diff.compare_runs(document("a", a), document("b", b, disturbed=2))
    assert significant(found) == []
    assert any(w.startswith("different disturbance: A 0 of 42 runs disturbed, B 12 of 42") for w in found.warnings)
    assert all(abs(change.b / change.a - 1) < 0.05 for change in found.changes)


def test_a_and_b_equally_disturbed_are_not_warned_about():
    found = diff.compare_runs(document("a", rows(3, 1), disturbed=1), document("b", rows(3, 2), disturbed=1))
    assert not any("disturbance" in w for w in found.warnings)


def test_markdown_states_the_method_and_the_count():
    found = diff.compare_runs(document("a", rows(30, 1)), document("b", rows(30, 2, time_factor=1.2)))
    text = diff.markdown(found)
    assert "run-wide drift 1.2" in text and "of 60 figures tested changed significantly" in text
