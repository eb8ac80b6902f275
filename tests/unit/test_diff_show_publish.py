"""diff between runs, show of one row, and publish of a run as the reference."""

import copy
import json

import numpy as np
import pytest

from harness.report import diff
from tests.conftest import main_in_process

ENVIRONMENT = {"host": "h", "cpu_model": "c", "cores_available": 2, "memory_total_bytes": 2**33, "kernel": "6",
               "runtimes": {"python": {"version": "3.11.7"}, "java": {"version": "21.0.1"}}}


def run(run_id, times_by_row, status="ok", environment=None):
    """A results document whose rows have these per-run warm times."""
    rows = []
    for (language, variant), times in times_by_row.items():
        rows.append({"workload": "alloc_churn", "family": "memory", "language": language, "variant": variant,
                     "backend": "native", "params": {"depth": 14}, "status": status, "reason": "",
                     "command": [language, "prog", "depth=14"], "checksum": "1", "runtime_args": [],
                     "runs": [{"work_warm_s": t, "cgroup_peak_bytes": 50e6} for t in times],
                     "summary": {"work_warm_s": {"median": float(np.median(times)), "ci_low": min(times), "ci_high": max(times),
                                                 "n": len(times), "interval": "range"}}})
    return {"schema": 2, "run_id": run_id, "environment": environment or ENVIRONMENT, "options": {}, "workloads": {},
            "measurements": rows, "verdicts": []}


def noisy(centre, noise, seed, n=5):
    return list(centre * (1 + np.random.default_rng(seed).normal(0, noise, n)))


def test_a_threefold_change_with_low_noise_is_significant():
    found = diff.compare_runs(run("a", {("java", "default"): noisy(1.0, 0.03, 1)}),
                              run("b", {("java", "default"): noisy(3.0, 0.03, 2)}))
    [time] = [c for c in found.changes if c.figure == "time"]
    assert time.comparison.significant and 2.7 < time.comparison.ratio < 3.3


def test_a_two_percent_change_with_ten_percent_noise_is_not_significant():
    found = diff.compare_runs(run("a", {("java", "default"): noisy(1.0, 0.10, 1)}),
                              run("b", {("java", "default"): noisy(1.02, 0.10, 2)}))
    [time] = [c for c in found.changes if c.figure == "time"]
    assert not time.comparison.significant
    assert "not significant" in diff.markdown(found)


def test_rows_in_one_run_only_are_listed_and_other_runtimes_warned_about():
    newer = copy.deepcopy(ENVIRONMENT)
    newer["runtimes"]["java"]["version"] = "25.0.3"
    found = diff.compare_runs(run("a", {("java", "default"): [1.0, 1.1], ("python", "default"): [5.0, 5.1]}),
                              run("b", {("java", "default"): [1.0, 1.1]}, environment=newer))
    assert found.only_a == ["alloc_churn python/default depth=14"] and found.only_b == []
    assert any("java: 21.0.1 → 25.0.3" in w for w in found.warnings)


def write(tmp_path, name, document):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(document))
    return folder


def test_diff_command_prints_a_table_and_writes_markdown_and_html(tmp_path, capsys):
    a = write(tmp_path, "a", run("a", {("java", "default"): noisy(1.0, 0.03, 1)}))
    b = write(tmp_path, "b", run("b", {("java", "default"): noisy(3.0, 0.03, 2)}))
    done = main_in_process(capsys, "diff", a, b, "--md", tmp_path / "d.md", "--html", tmp_path / "d.html")
    assert done.returncode == 0, done.stderr
    assert "significant" in done.stdout and "alloc_churn java/default" in done.stdout
    assert "1 of 2 figures tested changed significantly: Benjamini–Hochberg" in done.stdout
    assert "| alloc_churn java/default" in (tmp_path / "d.md").read_text()
    assert "<table>" in (tmp_path / "d.html").read_text()


@pytest.mark.parametrize("trouble, message", [
    ("disjoint", "no measured row in common"),
    ("missing", "not found"),
    ("corrupt", "not valid JSON"),
    ("future", "schema 99"),
])
def test_diff_bad_input_is_one_line_exit_2(tmp_path, trouble, message, capsys):
    a = write(tmp_path, "a", run("a", {("java", "default"): [1.0, 1.1]}))
    b = tmp_path / "b"
    if trouble == "disjoint":
        b = write(tmp_path, "b", run("b", {("python", "default"): [1.0, 1.1]}))
    elif trouble == "corrupt":
        b.mkdir()
        (b / "results.json").write_text("{not json")
    elif trouble == "future":
        b = write(tmp_path, "b", dict(run("b", {("java", "default"): [1.0]}), schema=99))
    done = main_in_process(capsys, "diff", a, b)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_show_prints_the_exact_command_and_figures_of_one_row(tmp_path, capsys):
    folder = write(tmp_path, "a", run("a", {("java", "default"): [1.0, 1.1], ("python", "default"): [5.0, 5.1]}))
    done = main_in_process(capsys, "show", folder, "alloc_churn", "java/default")
    assert done.returncode == 0, done.stderr
    assert "command    java prog depth=14" in done.stdout and "work_warm_s" in done.stdout


def test_show_of_a_missing_row_lists_close_matches(tmp_path, capsys):
    folder = write(tmp_path, "a", run("a", {("java", "default"): [1.0, 1.1]}))
    done = main_in_process(capsys, "show", folder, "alloc_churn", "java/defualt")
    assert done.returncode == 2 and "close matches: alloc_churn java/default depth=14" in done.stderr


def test_publish_refuses_failed_rows_unless_allowed(tmp_path, capsys):
    folder = write(tmp_path, "a", run("a", {("java", "default"): [1.0, 1.1]}, status="failed"))
    out = tmp_path / "results"
    refused = main_in_process(capsys, "publish", folder, "--out", out)
    assert refused.returncode == 2 and "1 failed or mismatched rows" in refused.stderr and "--allow-failures" in refused.stderr
    allowed = main_in_process(capsys, "publish", folder, "--out", out, "--allow-failures")
    assert allowed.returncode == 0, allowed.stderr
    assert (out / "README.md").exists() and (out / "reference" / "results.json").exists()
    assert "](reference/plots/" in (out / "README.md").read_text()
