#!/usr/bin/env python3
"""Benchmarks of the harness itself: memory accuracy against GNU time, and its overhead.

    python3 scripts/benchmark-harness.py [--rounds 5]

1. A single process holding 200 MiB: the harness's peak RSS and cgroup peak against
   `/usr/bin/time -f %M`.
2. Four children holding 100 MiB each: the tree peak against what GNU time reports (the
   largest single process only).
3. A CPU-bound program: wall time under the harness against the same program run bare
   (fork/exec and wait, nothing else), medians of N interleaved rounds.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.executors.native import run_measured  # noqa: E402
from harness.measure import cgroup  # noqa: E402

PROGRAMS = ROOT / "tests" / "programs"
MB = 1e6


def gnu_time_peak(command) -> int:
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, check=True)
    return int(done.stderr.strip().splitlines()[-1]) * 1024


def harness_run(command, support):
    return run_measured(command, None, 300, 0.005, support)


def accuracy(support) -> None:
    single = [sys.executable, str(PROGRAMS / "hold_memory.py"), "mb=200"]
    children = [sys.executable, str(PROGRAMS / "children_hold_memory.py"), "children=4", "mb=100"]
    for name, command in (("single process, 200 MiB", single), ("4 children x 100 MiB", children)):
        reference = gnu_time_peak(command)
        result = harness_run(command, support)
        cg = result.cgroup.get("peak_bytes")
        print(f"{name}: harness peak RSS {result.peak_rss_bytes / MB:.1f} MB, cgroup peak "
              f"{cg / MB if cg else float('nan'):.1f} MB, /usr/bin/time %M {reference / MB:.1f} MB, "
              f"RSS/time {result.peak_rss_bytes / reference:.4f}, cgroup/RSS {(cg or 0) / result.peak_rss_bytes:.4f}")


def overhead(support, rounds: int) -> None:
    command = [sys.executable, str(PROGRAMS / "spin.py"), "n=8000000"]
    bare, measured = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        bare.append(time.perf_counter() - start)
        measured.append(harness_run(command, support).wall_s)
    b, m = statistics.median(bare), statistics.median(measured)
    print(f"overhead: bare {b:.3f} s, under the harness {m:.3f} s (median of {rounds}), ratio {m / b:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    support = cgroup.detect()
    print(f"cgroup: {'v' + str(support.version) if support.available else 'unavailable: ' + support.reason}")
    accuracy(support)
    overhead(support, args.rounds)


if __name__ == "__main__":
    main()
