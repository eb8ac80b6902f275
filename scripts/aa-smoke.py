#!/usr/bin/env python3
"""A real A/A smoke test of ``diff`` (issue 28, point 9): the same small suite run twice, with a
busy loop beside the second run, then diffed. Identical programs must give "no significant change".

It prints how many figures each method calls significant:

- before: today's old rule, one Welch test per figure at 95 % on every run of the row;
- after: ``diff`` as it is now (undisturbed runs, run-wide drift, a smallest change worth
  reporting, Benjamini–Hochberg over all figures).

Usage: ``python3 scripts/aa-smoke.py [--runs 5] [--keep]``; exit 0 when ``diff`` finds no change.
Takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.analyse import figures, stats  # noqa: E402
from harness.report import diff  # noqa: E402

# Quick command programs: CPU loops of three sizes, a sort, an allocation, a sleep.
PROGRAMS = {
    "loop_small": ["{python}", "-c", "x = 0\nfor i in range(300_000): x += i"],
    "loop_medium": ["{python}", "-c", "x = 0\nfor i in range(1_000_000): x += i"],
    "loop_large": ["{python}", "-c", "x = 0\nfor i in range(2_000_000): x += i"],
    "sort": ["{python}", "-c", "import random\nr = random.Random(1)\nsorted(r.random() for _ in range(300_000))"],
    "allocate": ["{python}", "-c", "b = bytearray(60 * 2**20)\nb[::4096] = b'x' * len(b[::4096])"],
    "sleep": ["{python}", "-c", "import time\ntime.sleep(0.1)"],
}


def suite_text() -> str:
    """A catalogue of one workload per program."""
    blocks = []
    for name, command in PROGRAMS.items():
        quoted = ", ".join('"' + part.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"' for part in command)
        blocks.append(f'[workloads.{name}]\nfamily = "aa"\nquestion = "Is {name} the same twice?"\n'
                      f'[[workloads.{name}.programs]]\nlanguage = "python"\ncommand = [{quoted}]\nchecksum = "none"\n')
    return "\n".join(blocks)


def compare(suite: Path, out: Path, runs: int) -> dict:
    """One ``compare`` of the suite; its results document."""
    before = set(out.glob("runs/*"))
    subprocess.run([sys.executable, "-m", "harness", "compare", "--suite", str(suite), "--out", str(out),
                    "--runs", str(runs), "--warmup", "1", "-q"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    [run_dir] = set(out.glob("runs/*")) - before
    # Read as written: store.load refuses a command program's run (its work_s is null) at the time of writing.
    return json.loads((run_dir / "results.json").read_text())


def busy_loop() -> subprocess.Popen:
    """A ``while True: pass`` pinned to one CPU: others take a whole core beside every run."""
    cpu = max(os.sched_getaffinity(0))
    code = f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"
    return subprocess.Popen([sys.executable, "-c", code])


def old_rule(a: dict, b: dict) -> tuple[int, int]:
    """(significant, tested) by the old per-figure Welch test at 95 %, on every run of each row."""
    rows_b = {(r["workload"], r["variant"]): r for r in b["measurements"] if r["status"] == "ok"}
    significant = tested = 0
    for row in a["measurements"]:
        twin = rows_b.get((row["workload"], row["variant"]))
        if row["status"] != "ok" or twin is None:
            continue
        for kind in ("time", "memory"):
            found = stats.compare(figures.samples(twin, kind), figures.samples(row, kind))
            if found is not None:
                tested += 1
                significant += bool(found.significant)
    return significant, tested


def disturbed(document: dict) -> str:
    runs = [run for row in document["measurements"] for run in row.get("runs") or []]
    return f"{sum(1 for run in runs if run.get('disturbed'))} of {len(runs)} runs disturbed"


def main() -> int:
    """Run A quietly, B beside a busy loop, and diff them both ways."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs a row (5)")
    parser.add_argument("--keep", action="store_true", help="keep the results folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aa-smoke-"))
    try:
        suite = work / "suite.toml"
        suite.write_text(suite_text())
        a = compare(suite, work / "out", args.runs)
        loop = busy_loop()
        try:
            b = compare(suite, work / "out", args.runs)
        finally:
            loop.kill()
            loop.wait()
        print(f"A: {disturbed(a)}; B (beside a busy loop): {disturbed(b)}")
        significant, tested = old_rule(a, b)
        print(f"before (per-figure Welch at 95 %, every run): {significant} of {tested} figures significant")
        found = diff.compare_runs(a, b)
        for line in found.warnings + found.notes:
            print(f"  {line}")
        print(f"after (diff): {found.summary}")
        for row in diff.table_rows(found):
            print("  " + " | ".join(row))
        print("no significant change" if not found.significant() else "CHANGE FOUND between identical programs")
        if args.keep:
            print(f"results kept in {work}")
        return 0 if not found.significant() else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
