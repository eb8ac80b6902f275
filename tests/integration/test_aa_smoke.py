"""A/A, for real (issue 28, point 9): the same programs of the lab run twice, as two runs, the
second beside a busy loop; ``harness diff`` of the two must say that nothing changed.

Six cheap rows of Python (time-keyed workloads, at small sizes: about 0.2 s a run), four runs
a row, into a temporary results folder. Six rows are enough for ``diff`` to estimate the
run-wide drift of each kind (it needs 5), which is what keeps a busy machine from reading as
six slowdowns. The simulated counterpart, with its error rates, is tests/unit/test_aa_simulated.py;
scripts/aa-smoke.py does the same by hand on a suite of its own and prints the old rule beside.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.report.diff import DISTURBANCE_GAP
from tests.conftest import run_cli

SELECTION = ["--only", "lock_contention,alloc_churn", "--lang", "python",
             "--param", "increments=50000", "--param", "depth=10", "--param", "iterations=1"]
ROWS, RUNS = 6, 4


def compare(out: Path) -> Path:
    """One quiet ``compare`` of the selection into ``out``; the new run's folder."""
    before = set(out.glob("runs/*"))
    done = run_cli("compare", *SELECTION, "--runs", RUNS, "--warmup", "0", "--out", out, "-q", timeout=300)
    assert done.returncode == 0, done.stderr
    [run_dir] = set(out.glob("runs/*")) - before
    return run_dir


def busy_loop() -> subprocess.Popen:
    """A ``while True: pass`` pinned to one CPU this process may use, spinning before this returns."""
    cpu = max(os.sched_getaffinity(0))
    code = f"import os, sys\nos.sched_setaffinity(0, {{{cpu}}})\nsys.stdout.write('go'); sys.stdout.flush()\nwhile True: pass"
    loop = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert loop.stdout is not None and loop.stdout.read(2) == b"go"
    return loop


def disturbed_share(run_dir: Path) -> float:
    """The share of the run's runs marked disturbed."""
    runs = [run for row in json.loads((run_dir / "results.json").read_text())["measurements"] for run in row["runs"]]
    return sum(1 for run in runs if run.get("disturbed")) / len(runs)


@pytest.mark.integration
@pytest.mark.timeout(240)
def test_the_same_programs_twice_one_beside_a_busy_loop_give_no_significant_change(tmp_path):
    out = tmp_path / "results"
    a = compare(out)
    loop = busy_loop()
    try:
        b = compare(out)
    finally:
        loop.kill()
        loop.wait()
    done = run_cli("diff", a, b, "--md", tmp_path / "diff.md", timeout=120)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "diff.md").read_text()
    summary = re.search(r"(\d+) of (\d+) figures tested changed significantly", text)
    assert summary, text
    print(text, f"disturbed: A {disturbed_share(a):.0%}, B {disturbed_share(b):.0%} of runs")  # shown with -s
    assert int(summary[2]) == 2 * ROWS, text  # time and peak memory of each row: every one tested
    assert int(summary[1]) == 0, f"identical programs called different:\n{text}"
    assert "| significant |" not in text
    # diff says when the runs' disturbance differs; the machine's other load decides whether it does.
    differs = abs(disturbed_share(a) - disturbed_share(b)) > DISTURBANCE_GAP
    assert ("different disturbance: A" in text) == differs, text
