"""A/A: the same programs as two runs, diffed; how often is anything called significant?

Each repetition makes two runs of 190 rows with 5 runs each, and diffs their 380 figures (a
time and a memory per row). Nothing changed between the runs, so every "significant" figure is
a false one. Scenarios:

- quiet: both runs on a quiet machine (time CV 1–10 % by row, memory CV 0.01–0.5 % in 4 KiB
  pages, so some rows have no spread at all);
- busy: a busy loop beside the second run: each of its rows 10–40 % slower, plus 5 % more noise;
- disturbed: 10 % of runs in both runs disturbed, 1.3–2× slower;
- and, to show that real changes still show: quiet and busy with 10 rows' time 10 % (quiet) or
  50 % (busy) slower in the second run; "found" counts those 10, "false" the other figures.

Before: today's per-figure test (stats.compare, significant when its 95 % interval excludes 1).
After: harness.analyse.multiple.diff_figures (drift control, ±2 % time / ±1 % memory band, BH at 5 %).

    python3 scripts/simulate-aa.py [--repetitions 1000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np
from scipy import stats as scipy_stats

from harness.analyse import multiple, stats

ROWS, RUNS, PAGE, CHANGED = 190, 5, 4096, 10


def two_runs(scenario: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Time and memory of both runs, each (ROWS, RUNS)."""
    base_time = np.exp(rng.uniform(math.log(0.01), math.log(10), (ROWS, 1)))
    time_cv = rng.uniform(0.01, 0.10, (ROWS, 1))
    base_memory = np.exp(rng.uniform(math.log(20e6), math.log(500e6), (ROWS, 1)))
    memory_cv = np.exp(rng.uniform(math.log(1e-4), math.log(5e-3), (ROWS, 1)))

    def times(extra_cv: float = 0.0, slower: np.ndarray | float = 1.0) -> np.ndarray:
        sigma = np.sqrt(np.log1p(time_cv**2 + extra_cv**2))
        values = base_time * slower * rng.lognormal(0.0, 1.0, (ROWS, RUNS)) ** sigma
        if scenario == "disturbed":
            values *= np.where(rng.random((ROWS, RUNS)) < 0.10, rng.uniform(1.3, 2.0, (ROWS, RUNS)), 1.0)
        return values

    def memory() -> np.ndarray:
        return np.round(base_memory * rng.lognormal(0.0, 1.0, (ROWS, RUNS)) ** memory_cv / PAGE) * PAGE

    first_time, first_memory = times(), memory()
    if scenario.startswith("busy"):
        second_time = times(0.05, rng.uniform(1.1, 1.4, (ROWS, 1)))
    else:
        second_time = times()
    if scenario.endswith("changed"):
        second_time[:CHANGED] *= 1.5 if scenario.startswith("busy") else 1.1
    return first_time, second_time, first_memory, memory()


def today(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """stats.compare's significance for every row at once (Welch on logs; no spread: any difference)."""
    log_b, log_a = np.log(before), np.log(after)
    var_b, var_a = log_b.var(axis=1, ddof=1) / RUNS, log_a.var(axis=1, ddof=1) / RUNS
    difference = log_a.mean(axis=1) - log_b.mean(axis=1)
    exact = (var_a == 0) & (var_b == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        freedom = (var_a + var_b) ** 2 / (var_a**2 / (RUNS - 1) + var_b**2 / (RUNS - 1))
        half = scipy_stats.t.ppf(0.5 + stats.LEVEL / 2, freedom) * np.sqrt(var_a + var_b)
    return np.where(exact, difference != 0, np.abs(difference) > half)


def check_today(before: np.ndarray, after: np.ndarray) -> None:
    """The vectorised test agrees with stats.compare itself."""
    found = today(before, after)
    for row in range(40):
        result = stats.compare(after[row], before[row])
        assert result is not None and result.significant == found[row], row


def main() -> int:
    """Print the scenario x method table; "significant" counts figures that did not change."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=28)
    args = parser.parse_args()
    started = time.monotonic()
    print(f"{ROWS * 2} figures per diff, {RUNS} runs per row, {args.repetitions} repetitions per scenario.\n")
    print("| scenario        | method                        | any significant | figures significant | changed found | time drift |")
    print("|-----------------|-------------------------------|-----------------|---------------------|---------------|------------|")
    for index, scenario in enumerate(("quiet", "busy", "disturbed", "quiet, changed", "busy, changed")):
        rng = np.random.default_rng([args.seed, index])
        changed = CHANGED if scenario.endswith("changed") else 0
        tallies = {"before": [0, 0, 0], "after": [0, 0, 0]}  # repetitions with a false one, false ones, found
        drift = []
        for repetition in range(args.repetitions):
            first_time, second_time, first_memory, second_memory = two_runs(scenario, rng)
            if repetition == 0:
                check_today(first_time, second_time)
                check_today(first_memory, second_memory)
            flags = np.concatenate([today(first_time, second_time), today(first_memory, second_memory)])
            figures = [multiple.Figure(f"t{row}", "time", first_time[row], second_time[row]) for row in range(ROWS)]
            figures += [multiple.Figure(f"m{row}", "memory", first_memory[row], second_memory[row]) for row in range(ROWS)]
            result = multiple.diff_figures(figures)
            drift.append(result.drifts["time"].factor)
            for name, found in (("before", flags), ("after", np.array([c.significant for c in result.changes]))):
                false = int(found[changed:].sum())
                tally = tallies[name]
                tally[0], tally[1], tally[2] = tally[0] + (false > 0), tally[1] + false, tally[2] + int(found[:changed].sum())
        for name, label in (("before", "before: per-figure Welch 95 %"), ("after", "after: drift + band + BH 5 %")):
            anything, false, found = tallies[name]
            hits = f"{found / args.repetitions:.1f} of {changed}" if changed else "–"
            print(f"| {scenario:15} | {label:29} | {anything / args.repetitions:15.1%} | {false / args.repetitions:19.2f} "
                  f"| {hits:>13} | {np.mean(drift):9.2f}× |", flush=True)
    print(f"\n{time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
