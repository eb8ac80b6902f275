"""The adaptive number of runs: at least the minimum, more while the key figure is noisy."""

from types import SimpleNamespace

from harness.run import runner
from harness.run.measurement import Measurement

OPTIONS = runner.RunOptions(min_runs=3, max_runs=6, warmup=0, timeout_s=None, profile="quick", target=0.05, row_budget_s=10.0)


def measurement(times, seconds_each=0.1):
    job = SimpleNamespace(workload=SimpleNamespace(key_figure="time"))
    found = Measurement(job)
    found.runs = [{"work_warm_s": t} for t in times]
    found.measured_s = seconds_each * len(times)
    return found


def test_a_row_runs_its_minimum_first():
    assert runner._needs_run(measurement([1.0, 1.0]), OPTIONS)


def test_a_stable_row_stops_at_the_minimum_and_says_why():
    stable = measurement([1.0, 1.01, 0.99])
    assert not runner._needs_run(stable, OPTIONS)
    assert "within ±5%" in stable.stop_reason


def test_a_noisy_row_gets_more_runs_until_the_maximum():
    noisy = measurement([1.0, 1.3, 0.8])
    assert runner._needs_run(noisy, OPTIONS)
    capped = measurement([1.0, 1.3, 0.8, 1.2, 0.9, 1.1])
    assert not runner._needs_run(capped, OPTIONS) and "--max-runs 6" in capped.stop_reason


def test_a_noisy_row_stops_when_its_time_budget_is_spent():
    slow = measurement([1.0, 1.3, 0.8, 1.2], seconds_each=3.0)
    assert not runner._needs_run(slow, OPTIONS) and "budget" in slow.stop_reason


def test_a_failed_row_is_never_run_again():
    failed = measurement([])
    failed.mark("failed", "boom")
    assert not runner._needs_run(failed, OPTIONS)


def test_no_extra_runs_once_the_run_budget_is_spent_but_the_minimum_is_kept():
    budgeted = runner.RunOptions(min_runs=3, max_runs=6, warmup=0, timeout_s=None, profile="quick", run_budget_s=60.0)
    noisy = measurement([1.0, 1.3, 0.8])
    assert runner._needs_run(noisy, budgeted, elapsed_s=10.0)
    assert not runner._needs_run(noisy, budgeted, elapsed_s=61.0) and "run time budget" in noisy.stop_reason
    assert runner._needs_run(measurement([1.0]), budgeted, elapsed_s=61.0)
