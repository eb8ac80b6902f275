"""A real run beside a busy loop on every CPU is marked disturbed and run again (issue 28, point 3).

Moved from tests/unit/test_disturbed.py, whose other tests run on a FakeExecutor: this one
starts a real program, and busy loops that take the whole machine while it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from harness.run import runner
from tests.conftest import main_in_process

BURN_SUITE = """
[workloads.burn]
family = "t"
question = "Is a run beside a busy loop seen?"
[[workloads.burn.programs]]
language = "python"
command = ["{python}", "-c", "x = 0\\nfor i in range(4_000_000): x += i"]
checksum = "none"
"""


def busy_loops():
    """A `while True: pass` on every CPU this process may use, each pinned to its CPU, spinning before this returns."""
    loops = []
    for cpu in sorted(os.sched_getaffinity(0)):
        code = f"import os, sys\nos.sched_setaffinity(0, {{{cpu}}})\nsys.stdout.write('go'); sys.stdout.flush()\nwhile True: pass"
        loops.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE))
    for loop in loops:
        assert loop.stdout.read(2) == b"go"
    return loops


def test_a_busy_loop_beside_one_real_run_gets_it_marked_and_run_again(tmp_path, monkeypatch, capsys):
    suite = tmp_path / "suite.toml"
    suite.write_text(BURN_SUITE)
    real_run_once, calls = runner._run_once, []

    def beside_the_second(lifecycle, measurement, timeout_s):
        calls.append(measurement.job.workload.name)
        if len(calls) != 2:
            return real_run_once(lifecycle, measurement, timeout_s)
        loops = busy_loops()
        try:
            return real_run_once(lifecycle, measurement, timeout_s)
        finally:
            for loop in loops:
                loop.kill()
                loop.wait()

    monkeypatch.setattr(runner, "_run_once", beside_the_second)
    done = main_in_process(capsys, "compare", "--suite", suite, "--out", tmp_path / "out", "--runs", "3", "--warmup", "0", "-q")
    assert done.returncode == 0, done.stderr
    [results] = (tmp_path / "out").glob("runs/*/results.json")
    [row] = json.loads(results.read_text())["measurements"]
    runs = row["runs"]
    assert runs[1]["disturbed"] and runs[1]["other_cpu_s"] > 0.25 * runs[1]["wall_s"]
    assert len(runs) >= 4 and row["disturbed_runs"] >= 1  # the disturbed run was run again
    quiet = [run["wall_s"] for run in runs if not run["disturbed"]]
    if len(quiet) < 3:  # others on this machine disturbed the repeats too: the row says so
        assert row["stop_reason"].startswith("machine busy")
        return
    assert row["summary"]["wall_s"]["n"] == 3
    median = row["summary"]["wall_s"]["median"]
    assert sorted(quiet)[1] == median  # the row's figure is an undisturbed run's
    assert runs[1]["wall_s"] > 1.2 * median  # and the run beside the loop was slower, and left out
