#!/usr/bin/env python3
"""What the lab adds to a program's figures: programs it did not write, through the lab and bare.

    python3 scripts/overhead-benchmark.py [--blocks 20] [--runs 2] [--only WORD,...] [--all-runs] [--json FILE]

``--only compileall,gzip`` runs only the programs whose name has one of the words.

Each program is a public, well-known program already on a Debian machine with the lab's runtimes
(Python's timeit and compileall, the JDK's javac and jar, npm, gzip and xz), run unchanged as a
command program of a suite written to a temporary folder. Through the lab means
``python3 -m harness compare --suite`` exactly as a user runs it; bare means spawned with
posix_spawn and waited for with wait4 by this small script, as ``hyperfine -N`` does.

The runs come in *blocks*: one program, ``--runs`` runs through the lab in one ``compare``, with
the same number of bare runs split around them (half before, half after). A block takes seconds,
so each block's ratio (median lab wall over median bare wall) is free of the machine's drift over
minutes, which on a shared host is larger than the 2 % the lab aims at. Blocks of the programs are
shuffled within each of ``--blocks`` passes. GNU time runs each program once in each of the first
five passes for its ``%M``.

It prints, per program: the median wall time through the lab and bare; the paired ratio (the
geometric mean of the blocks' ratios, with Student's t 95 % interval over blocks) and, for
comparison, the unpaired ratio of all runs' medians with its bootstrap interval; whether the goal
holds (ratio at most 1.02, and an interval that includes 1 or reaches at most 1.02); and the lab's
headline peak memory and cgroup peak against GNU time's ``%M``. A benchmark, not a test: its
figures depend on the machine.

On a busy machine some runs are *disturbed* (others took over a quarter of a core meanwhile, see
harness/measure/machine.py): the lab runs those again, and this script judges its bare runs the
same way. The ratios compare the undisturbed runs of both sides (``--all-runs``: every run); a
block left with no undisturbed run on a side is left out, and the n column counts blocks.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import scipy.stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.analyse import stats  # noqa: E402
from harness.measure.machine import disturbed, machine_cpu, others_during  # noqa: E402


def programs(scratch: Path) -> dict[str, list[str]]:
    """name -> argv of each program, with its inputs prepared in ``scratch``."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sources = scratch / "email"  # compileall writes beside its sources: a copy of its own
    shutil.copytree(stdlib / "email", sources)
    data = scratch / "data.bin"  # compressible, not trivial: the stdlib's text, repeated
    with open(data, "wb") as handle:
        for path in sorted(stdlib.glob("*.py"))[:120]:
            handle.write(path.read_bytes())
    # The sources any JDK compiles: those that need a newer one say so on their first line.
    java_sources = sorted(str(p) for p in (ROOT / "java" / "src").rglob("*.java")
                          if "requires: java" not in p.read_text().split("\n", 1)[0])
    found = {
        "python-timeit (1 thread)": [sys.executable, "-m", "timeit", "-n", "200", "-r", "3",
                                     "sorted(range(20000), key=lambda x: -x)"],
        "python-compileall (2 processes)": [sys.executable, "-m", "compileall", "-q", "-f", "-j", "2", str(sources)],
        "gzip (1 thread)": ["gzip", "-9", "-c", "-k", str(data)],
        "xz (2 threads)": ["xz", "-T2", "-6", "-c", "-k", str(data)],
    }
    if shutil.which("javac"):
        found["javac (JVM, many threads)"] = ["javac", "-d", str(scratch / "classes"), *java_sources]
    if shutil.which("jar"):
        found["jar (JVM)"] = ["jar", "cf", str(scratch / "lab.jar"), "-C", str(ROOT / "java" / "src"), "."]
    if shutil.which("npm"):
        found["npm --version (Node)"] = ["npm", "--version"]
    return found


def suite_text(chosen: dict[str, list[str]]) -> str:
    """A suite with one workload a program, each a command program whose output is not checked."""
    lines = []
    for index, (name, argv) in enumerate(chosen.items()):
        workload = f"p{index}"
        command = ", ".join(json.dumps(arg.replace("{", "{{").replace("}", "}}")) for arg in argv)
        lines += [f"[workloads.{workload}]", 'family = "overhead"', f"question = {json.dumps(name)}",
                  f"[[workloads.{workload}.programs]]", 'language = "bench"', f"command = [{command}]",
                  'checksum = "none"', ""]
    return "\n".join(lines)


def bare_wall(argv: list[str]) -> tuple[float, bool]:
    """Spawn ``argv`` with posix_spawn, wait4 it: the seconds in between, and whether the run was
    disturbed (judged as the lab judges its own runs)."""
    with open(os.devnull, "wb") as null:
        actions = [(os.POSIX_SPAWN_DUP2, null.fileno(), 1), (os.POSIX_SPAWN_DUP2, null.fileno(), 2)]
        path = shutil.which(argv[0]) or argv[0]
        before, own_before = machine_cpu(), time.process_time()
        started = time.perf_counter()
        pid = os.posix_spawn(path, argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        ended = time.perf_counter()
        others, steal = others_during(before, machine_cpu(), usage.ru_utime + usage.ru_stime,
                                      time.process_time() - own_before)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed bare (exit {os.waitstatus_to_exitcode(status)})")
    return ended - started, disturbed(others, steal, ended - started)


def gnu_time_peak(argv: list[str]) -> int:
    """GNU time's %M for one run of ``argv``, in bytes."""
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=True)
    return int(done.stderr.strip().splitlines()[-1]) * 1024


def lab_runs(suite: Path, out: Path, workload: str, runs: int) -> list[dict]:
    """``runs`` measured runs of one workload of the suite through ``compare``: their run records."""
    done = subprocess.run([sys.executable, "-m", "harness", "compare", "--suite", str(suite), "--out", str(out),
                           "--only", workload, "--runs", str(runs), "--warmup", "0", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the lab failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    document = json.loads((out / "latest" / "results.json").read_text())
    (row,) = (row for row in document["measurements"] if row["workload"] == workload)
    return list(row["runs"])


def run_block(argv: list[str], suite: Path, out: Path, workload: str, runs: int) -> dict[str, list]:
    """One block: bare runs split around ``runs`` lab runs of one program; every figure of it."""
    before = [bare_wall(argv) for _ in range((runs + 1) // 2)]
    records = lab_runs(suite, out, workload, runs)
    after = [bare_wall(argv) for _ in range(runs // 2)]
    bare = before + after
    return {
        "lab_wall": [run["wall_s"] for run in records],
        "lab_disturbed": [bool(run.get("disturbed")) for run in records],
        "lab_peak": [run.get("peak_memory_bytes") for run in records],
        "lab_cgroup": [run.get("cgroup_peak_bytes") for run in records],
        "harness_cpu": [run.get("harness_cpu_s") for run in records],
        "samples": [run.get("samples") for run in records],
        "bare_wall": [wall for wall, _ in bare],
        "bare_disturbed": [busy for _, busy in bare],
    }


def kept(walls: list[float], disturbed_flags: list[bool], all_runs: bool) -> list[float]:
    """The walls a ratio compares: every one with ``all_runs``, else the undisturbed ones."""
    return list(walls) if all_runs else [wall for wall, busy in zip(walls, disturbed_flags) if not busy]


def block_log_ratios(blocks: list[dict[str, list]], all_runs: bool) -> list[float]:
    """log(median lab wall / median bare wall) of each block that kept a run on both sides."""
    logs = []
    for block in blocks:
        lab = kept(block["lab_wall"], block["lab_disturbed"], all_runs)
        bare = kept(block["bare_wall"], block["bare_disturbed"], all_runs)
        if lab and bare:
            logs.append(math.log(statistics.median(lab) / statistics.median(bare)))
    return logs


def paired_ratio(logs: list[float]) -> tuple[float, float, float] | None:
    """The geometric mean of the blocks' ratios with Student's t 95 % interval (None under 3 blocks)."""
    if len(logs) < 3:
        return None
    interval = scipy.stats.ttest_1samp(logs, 0.0).confidence_interval(0.95)
    return math.exp(statistics.fmean(logs)), math.exp(interval.low), math.exp(interval.high)


def meets_goal(ratio: tuple[float, float, float] | None, bound: float = 1.02) -> str:
    """Whether a ratio meets the lab's goal: at most ``bound``, its interval including 1 or below ``bound``."""
    if ratio is None:
        return "-"
    estimate, low, high = ratio
    return "yes" if estimate <= bound and (low <= 1.0 or high <= bound) else "no"


def unpaired_ratio(lab: list[float], bare: list[float]) -> tuple[float, float, float] | None:
    """Ratio of the medians of all runs, with its bootstrap 95 % interval (drift included)."""
    result = stats.bootstrap_interval([lab, bare], lambda a, b: statistics.median(a) / statistics.median(b))
    return (result[0], result[1], result[2]) if result else None


def ratio_text(ratio: tuple[float, float, float] | None) -> str:
    """'1.003 (0.990–1.016)', or '-'."""
    return f"{ratio[0]:.3f} ({ratio[1]:.3f}–{ratio[2]:.3f})" if ratio else "-"


def mib(values: list) -> float:
    """The median of the figures present, in MiB (nan when none is)."""
    present = [v for v in values if v]
    return statistics.median(present) / 2**20 if present else float("nan")


def median_of(values: list) -> float:
    """The median of the figures present (nan when none is)."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else float("nan")


def flattened(blocks: list[dict[str, list]], key: str) -> list:
    """One figure of every run of every block, in order."""
    return [value for block in blocks for value in block[key]]


def print_table(figures: dict[str, dict], all_runs: bool) -> None:
    """One line a program: medians, the paired and unpaired ratios, the goal, memory and harness CPU."""
    print(f"{'program':34} {'lab s':>7} {'bare s':>7}  {'paired ratio, 95 %':22} {'blocks':>6} {'goal':>4}  "
          f"{'unpaired ratio of medians':26} {'headline MiB':>12} {'GNU %M MiB':>10} {'cgroup MiB':>10} "
          f"{'harness CPU ms':>14}")
    for name, entry in figures.items():
        blocks = entry["blocks"]
        lab = kept(flattened(blocks, "lab_wall"), flattened(blocks, "lab_disturbed"), all_runs)
        bare = kept(flattened(blocks, "bare_wall"), flattened(blocks, "bare_disturbed"), all_runs)
        logs = block_log_ratios(blocks, all_runs)
        paired = paired_ratio(logs)
        print(f"{name:34} {median_of(lab):7.3f} {median_of(bare):7.3f}  {ratio_text(paired):22} {len(logs):6} "
              f"{meets_goal(paired):>4}  {ratio_text(unpaired_ratio(lab, bare)):26} "
              f"{mib(flattened(blocks, 'lab_peak')):12.1f} {mib(entry['gnu_time']):10.1f} "
              f"{mib(flattened(blocks, 'lab_cgroup')):10.1f} {1000 * median_of(flattened(blocks, 'harness_cpu')):14.2f}")
    print(f"{'every run compared' if all_runs else 'undisturbed runs compared'}; the lab's wall is its run "
          "record's wall_s (disturbed runs it ran again are extra); goal: paired ratio <= 1.02 with its "
          "interval including 1 or reaching at most 1.02")


def main() -> int:
    """Run the blocks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=20, help="blocks of each program (passes over them all)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each side in a block")
    parser.add_argument("--only", default="", help="comma-separated words: programs whose name has one of them")
    parser.add_argument("--all-runs", action="store_true", help="compare every run, disturbed ones too")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lab-overhead-") as scratch_text:
        scratch = Path(scratch_text)
        chosen = programs(scratch)
        if options.only:
            words = options.only.split(",")
            chosen = {name: argv for name, argv in chosen.items() if any(w in name for w in words)}
        suite = scratch / "suite.toml"
        suite.write_text(suite_text(chosen))
        workloads = {name: f"p{i}" for i, name in enumerate(chosen)}
        figures: dict[str, dict] = {name: {"blocks": [], "gnu_time": []} for name in chosen}
        rng = random.Random(0)
        for pass_index in range(options.blocks):
            order = list(chosen)
            rng.shuffle(order)
            for name in order:
                figures[name]["blocks"].append(
                    run_block(chosen[name], suite, scratch / "out", workloads[name], options.runs))
                if pass_index < 5:
                    figures[name]["gnu_time"].append(gnu_time_peak(chosen[name]))
            print(f"pass {pass_index + 1} of {options.blocks} done", file=sys.stderr)
    print_table(figures, options.all_runs)
    if options.json:
        options.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
