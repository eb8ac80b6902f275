#!/usr/bin/env python3
"""What the lab adds to a program's figures: programs it did not write, through the lab and bare.

    python3 scripts/overhead-benchmark.py [--rounds 5] [--runs 2] [--only WORD,...] [--all-runs] [--json FILE]

``--only compileall,gzip`` runs only the programs whose name has one of the words; each side gets
``--rounds`` x ``--runs`` runs of each.

Each program is a public, well-known program already on a Debian machine with the lab's runtimes
(Python's timeit and compileall, the JDK's javac and jar, npm, gzip and xz), run unchanged as a
command program of a suite written to a temporary folder. A round runs every program ``--runs``
times through ``python3 -m harness compare --suite`` (the lab, exactly as a user runs it) and the
same number of times bare, in an order shuffled per round: bare means spawned with posix_spawn and
waited for with wait4 by this small script, as ``hyperfine -N`` does. GNU time then runs each
program once a round for its ``%M``.

It prints, per program: the median wall time through the lab and bare, their ratio with a
bootstrap 95 % interval (ratio of medians) and Welch's interval (ratio of geometric means), and
the lab's headline peak memory and cgroup peak against GNU time's ``%M``. A benchmark, not a test:
its figures depend on the machine, and the lab's goal is every wall ratio at most 1.02.

On a busy machine some runs are *disturbed* (others took over a quarter of a core meanwhile, see
harness/measure/machine.py): the lab runs those again, and this script judges its bare runs the
same way. The ratios compare the undisturbed runs of both sides (``--all-runs``: every run).
"""

from __future__ import annotations

import argparse
import json
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.analyse import stats  # noqa: E402
from harness.measure.machine import disturbed, machine_cpu, others_during  # noqa: E402

FIGURES = ("lab_wall", "bare_wall", "lab_peak", "lab_cgroup", "gnu_time", "harness_cpu", "samples", "lab_disturbed",
           "bare_disturbed")  # each program's, one entry a run


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


def lab_pass(suite: Path, out: Path, runs: int) -> dict[str, list[dict]]:
    """One ``compare --suite`` of every program, ``runs`` measured runs each: workload -> its runs."""
    done = subprocess.run([sys.executable, "-m", "harness", "compare", "--suite", str(suite), "--out", str(out),
                           "--runs", str(runs), "--warmup", "0", "--quiet"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the lab failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    document = json.loads((out / "latest" / "results.json").read_text())
    return {row["workload"]: row["runs"] for row in document["measurements"]}


def ratio_text(lab: list[float], bare: list[float]) -> str:
    """Ratio of medians with its bootstrap interval, and Welch's ratio of geometric means."""
    medians = stats.bootstrap_interval([lab, bare], lambda a, b: statistics.median(a) / statistics.median(b))
    welch = stats.compare(lab, bare)
    text = f"{medians[0]:.3f} ({medians[1]:.3f}–{medians[2]:.3f})" if medians else "-"
    if welch:
        text += f"  geo {welch.ratio:.3f} ({welch.low:.3f}–{welch.high:.3f})"
    return text


def compared(entry: dict, side: str, all_runs: bool) -> list[float]:
    """The walls of one side that the ratio compares: the undisturbed ones (all, when none is)."""
    walls = entry[f"{side}_wall"]
    calm = [wall for wall, busy in zip(walls, entry[f"{side}_disturbed"]) if not busy]
    return walls if all_runs or not calm else calm


def mib(values: list) -> float:
    """The median of the figures present, in MiB (nan when none is)."""
    present = [v for v in values if v]
    return statistics.median(present) / 2**20 if present else float("nan")


def median_of(values: list) -> float:
    """The median of the figures present (nan when none is)."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else float("nan")


def main() -> int:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=2, help="runs of each side in a round")
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
        names = {f"p{i}": name for i, name in enumerate(chosen)}
        figures: dict[str, dict[str, list]] = {name: {key: [] for key in FIGURES} for name in chosen}
        rng = random.Random(0)
        for round_index in range(options.rounds):
            sides = ["lab", "bare"]
            rng.shuffle(sides)
            for side in sides:
                if side == "lab":
                    for workload, runs in lab_pass(suite, scratch / "out", options.runs).items():
                        entry = figures[names[workload]]
                        entry["lab_wall"] += [run["wall_s"] for run in runs]
                        entry["lab_peak"] += [run.get("peak_memory_bytes") for run in runs]
                        entry["lab_cgroup"] += [run.get("cgroup_peak_bytes") for run in runs]
                        entry["harness_cpu"] += [run.get("harness_cpu_s") for run in runs]
                        entry["samples"] += [run.get("samples") for run in runs]
                        entry["lab_disturbed"] += [bool(run.get("disturbed")) for run in runs]
                else:
                    order = [name for name in chosen for _ in range(options.runs)]
                    rng.shuffle(order)
                    for name in order:
                        wall, busy = bare_wall(chosen[name])
                        figures[name]["bare_wall"].append(wall)
                        figures[name]["bare_disturbed"].append(busy)
            for name, argv in chosen.items():
                figures[name]["gnu_time"].append(gnu_time_peak(argv))
            print(f"round {round_index + 1} of {options.rounds} done", file=sys.stderr)
    print(f"{'program':34} {'lab s':>8} {'bare s':>8}  {'wall ratio, 95 % interval':44} {'n lab/bare':>10} "
          f"{'headline MiB':>12} {'GNU %M MiB':>10} {'cgroup MiB':>10} {'harness CPU ms':>14} {'samples':>7}")
    for name, entry in figures.items():
        lab, bare = compared(entry, "lab", options.all_runs), compared(entry, "bare", options.all_runs)
        print(f"{name:34} {statistics.median(lab):8.3f} {statistics.median(bare):8.3f}  "
              f"{ratio_text(lab, bare):44} {f'{len(lab)}/{len(bare)}':>10} {mib(entry['lab_peak']):12.1f} "
              f"{mib(entry['gnu_time']):10.1f} {mib(entry['lab_cgroup']):10.1f} "
              f"{1000 * median_of(entry['harness_cpu']):14.2f} {median_of(entry['samples']):7.0f}")
    print(f"{options.rounds * options.runs} runs a side per program, "
          f"{'every run compared' if options.all_runs else 'the undisturbed ones compared (n)'}; "
          "the lab's wall is its run record's wall_s (disturbed runs it ran again are extra)")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
