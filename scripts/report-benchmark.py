#!/usr/bin/env python3
"""How long ``python3 -m harness report`` takes on run folders, and its peak memory: a benchmark figure.

    python3 scripts/make-large-results.py tests/fixtures/results.json /tmp/large-fixture
    python3 scripts/report-benchmark.py /tmp/large-fixture [--harness-root DIR] [--timeout 900]

Each folder is reported once under GNU time (``/usr/bin/time``); one line per folder gives wall
seconds, CPU seconds (user + system) and the peak resident memory. ``--harness-root`` runs the
harness of another checkout (for a before/after comparison). The report is written into the folder.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(run_dir: Path, harness_root: Path, timeout: float) -> str:
    """One line: the folder, then wall, CPU and peak memory of reporting it (or why there are none)."""
    command = ["/usr/bin/time", "-f", "%e %U %S %M", sys.executable, "-m", "harness", "report", str(run_dir)]
    try:
        done = subprocess.run(command, cwd=harness_root, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"{run_dir}: not finished in {timeout:.0f} s"
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    try:
        wall, user, system, peak_kib = last.split()
        figures = f"{float(wall):.1f} s wall, {float(user) + float(system):.1f} s CPU, {int(peak_kib) / 1024:.0f} MiB peak"
    except ValueError:
        figures = f"no figures ({last!r})"
    status = "" if done.returncode == 0 else f" (exit {done.returncode})"
    return f"{run_dir}: {figures}{status}"


def main() -> int:
    """Measure each folder in turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dirs", type=Path, nargs="+", help="run folders holding a results.json")
    parser.add_argument("--harness-root", type=Path, default=ROOT, help="the checkout whose harness reports")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a report is given up")
    chosen = parser.parse_args()
    for run_dir in chosen.run_dirs:
        print(measure(run_dir.resolve(), chosen.harness_root, chosen.timeout), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
