"""Simulate the scheduler's stopping with the interval in the loop, and print the error and deciding rates.

Two rows A and B run once per round. From ``min_runs`` on, the predicate "A/B against a
threshold" is looked at after every round, and the rows stop as soon as it is decided (or at
``max_runs``). Each run is lognormal with the case's CV; 10 % of runs are disturbed (1.3–2×
slower); in the drift cases both rows are 20 % slower in a stretch of rounds.

- At the threshold, any decision is wrong (the truth is on neither side), so "wrong" is the
  share of trials decided either way; it must be at most 5 %.
- 20 % beyond it (1.8 against 1.5), "decided" is the share decided the right way; the aim is 90 %.

Methods: today's Welch interval (stats.compare) looked at after every run; a time-uniform
confidence sequence for Gaussian data with unknown variance (Lai 1976, the normal-mixture
t-boundary) on the per-round log-ratios; and harness.analyse.sequential, independent (each row's
slowest run left out from 7 runs on), paired, and independent with every run kept (the method
before, ``Design(trim=False)``). The "none disturbed" cases show what the disturbed runs cost.

With ``--futility`` it prints instead the quick design with and without the runner's futility
rule (judge/decide.py): from a run count on, a trial whose projected runs to decide
(sequential.runs_to_clear) exceed a margin times max_runs stops undecided.

With ``--stages`` it prints the quick profile's designs, the lab's futility rule in the loop:
3-10 runs (the quick profile before), 3-20 at one level, and 3-20 at two levels (the looks up
to 6 runs, then the rest; sequential.EARLY_SHARE), beside Welch's 95 % interval at one look of 10
runs and looked at after every run.

    python3 scripts/simulate-stopping.py [--trials 2000] [--futility | --stages]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from harness.analyse import sequential, stats
from harness.judge import decide

THRESHOLD = 1.5
DISTURBED_SHARE = 0.10


@dataclass(frozen=True)
class Case:
    """A true ratio and the noise around it."""

    name: str
    ratio: float
    cv_a: float
    cv_b: float
    drift: str = ""  # "", "stretch" (4 rounds at 1.2x), "half" (every other round 1.1-1.4x)
    disturbed: float = DISTURBED_SHARE  # the share of runs 1.3-2x slower


CASES = [
    Case("at threshold, CV 5 %", 1.5, 0.05, 0.05),
    Case("at threshold, CV 10 %", 1.5, 0.10, 0.10),
    Case("at threshold, CV 15 %", 1.5, 0.15, 0.15),
    Case("at threshold, CV 5 % vs 15 %", 1.5, 0.05, 0.15),
    Case("at threshold, CV 10 %, drift 4 rounds", 1.5, 0.10, 0.10, "stretch"),
    Case("at threshold, CV 10 %, busy half", 1.5, 0.10, 0.10, "half"),
    Case("1.8 vs 1.5, CV 5 %", 1.8, 0.05, 0.05),
    Case("1.8 vs 1.5, CV 10 %", 1.8, 0.10, 0.10),
    Case("1.8 vs 1.5, CV 15 %", 1.8, 0.15, 0.15),
    Case("1.8 vs 1.5, CV 10 %, drift 4 rounds", 1.8, 0.10, 0.10, "stretch"),
    Case("1.8 vs 1.5, CV 10 %, busy half", 1.8, 0.10, 0.10, "half"),
    Case("1.25 vs 1.5, CV 10 %", 1.25, 0.10, 0.10),
    Case("1.8 vs 1.5, CV 5 %, none disturbed", 1.8, 0.05, 0.05, disturbed=0.0),
    Case("1.8 vs 1.5, CV 10 %, none disturbed", 1.8, 0.10, 0.10, disturbed=0.0),
]


def runs(case: Case, trials: int, rounds: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Both rows' run times, shape (trials, rounds): A = ratio x B in distribution, plus shared drift."""
    def row(cv: float) -> np.ndarray:
        sigma = math.sqrt(math.log1p(cv * cv))
        values = rng.lognormal(0.0, sigma, (trials, rounds))
        disturbed = rng.random((trials, rounds)) < case.disturbed
        return values * np.where(disturbed, rng.uniform(1.3, 2.0, (trials, rounds)), 1.0)
    a, b = case.ratio * row(case.cv_a), row(case.cv_b)
    shared = np.ones((trials, rounds))
    if case.drift == "stretch":
        start = rng.integers(0, rounds - 3, (trials, 1))
        index = np.arange(rounds)[None, :]
        shared = np.where((index >= start) & (index < start + 4), 1.2, 1.0)
    elif case.drift == "half":
        shared = np.where(np.arange(rounds)[None, :] % 2 == 1, rng.uniform(1.1, 1.4, (trials, rounds)), 1.0)
    return a * shared, b * shared


Bounds = Callable[[np.ndarray, np.ndarray], "tuple[np.ndarray, np.ndarray]"]  # log values -> log-ratio bounds


def welch_today(log_a: np.ndarray, log_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """stats.compare's interval for every trial at once: Welch's 95 % interval on the logs.

    Written out with numpy for speed; ``check_welch`` holds it to stats.compare itself.
    """
    n = log_a.shape[1]
    var_a, var_b = log_a.var(axis=1, ddof=1) / n, log_b.var(axis=1, ddof=1) / n
    freedom = (var_a + var_b) ** 2 / (var_a**2 / (n - 1) + var_b**2 / (n - 1))
    half = scipy_stats.t.ppf(0.5 + stats.LEVEL / 2, freedom) * np.sqrt(var_a + var_b)
    middle = log_a.mean(axis=1) - log_b.mean(axis=1)
    return middle - half, middle + half


def check_welch(log_a: np.ndarray, log_b: np.ndarray) -> None:
    """The vectorised Welch interval equals stats.compare's on a few trials."""
    for n in (3, 10):
        low, high = welch_today(log_a[:20, :n], log_b[:20, :n])
        for trial in range(20):
            result = stats.compare(np.exp(log_a[trial, :n]), np.exp(log_b[trial, :n]))
            assert result is not None
            assert math.isclose(math.exp(low[trial]), result.low, rel_tol=1e-9)
            assert math.isclose(math.exp(high[trial]), result.high, rel_tol=1e-9)


def lai_sequence(log_a: np.ndarray, log_b: np.ndarray, alpha: float = 0.05, c2: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Lai's time-uniform confidence sequence for a Gaussian mean, unknown variance, on per-round log-ratios.

    The scale-invariant normal mixture M_t = sqrt(c²/(t+c²)) (V/(V - S²/(t+c²)))^(t/2) is a
    martingale under the null (Lai 1976; Howard et al. 2021); Ville's inequality bounds its
    crossing of 1/alpha at any time, so the interval holds at every look however many there are.
    """
    d = log_a - log_b
    t = d.shape[1]
    bound = (2 / t) * (math.log(1 / alpha) + 0.5 * math.log((t + c2) / c2))
    q = -math.expm1(-bound)
    room = t - q * (t + c2)
    middle = d.mean(axis=1)
    if room <= 0:
        return np.full(len(d), -np.inf), np.full(len(d), np.inf)
    half = d.std(axis=1) * math.sqrt(q * (t + c2) / room)
    return middle - half, middle + half


def sequential_bounds(design: sequential.Design) -> Bounds:
    """harness.analyse.sequential with ``design`` (independent or paired)."""
    def bounds(log_a: np.ndarray, log_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        _, low, high = sequential.log_bounds(log_a, log_b, design)
        return low, high
    return bounds


def simulate(method: Bounds, log_a: np.ndarray, log_b: np.ndarray, min_runs: int, max_runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per trial: the decision (+1 above, -1 below, 0 none) and the runs used, looking after every round."""
    trials = len(log_a)
    decisions, used = np.zeros(trials, dtype=int), np.full(trials, max_runs)
    threshold = math.log(THRESHOLD)
    for n in range(min_runs, max_runs + 1):
        low, high = method(log_a[:, :n], log_b[:, :n])
        side = np.where(low > threshold, 1, np.where(high < threshold, -1, 0))
        stopping = (decisions == 0) & (side != 0)
        decisions[stopping], used[stopping] = side[stopping], n
    return decisions, used


Rule = tuple[int, float, bool]  # futile from this many runs, when the projection exceeds this times max_runs; hopeful


def simulate_futility(design: sequential.Design, log_a: np.ndarray, log_b: np.ndarray,
                      rule: Rule | None) -> tuple[np.ndarray, np.ndarray]:
    """``simulate`` for ``design``, stopping a trial undecided once, at ``rule[0]`` runs or more (and
    before max_runs), its projected runs to decide exceed ``rule[1]`` times max_runs; ``rule[2]``: the
    hopeful projection (the narrower side of the interval) rather than the edge's side. None: no stop."""
    trials = len(log_a)
    decisions, used = np.zeros(trials, dtype=int), np.full(trials, design.max_runs)
    open_ = np.ones(trials, dtype=bool)
    threshold = math.log(THRESHOLD)
    for n in design.looks:
        estimate, low, high = sequential.log_bounds(log_a[:, :n], log_b[:, :n], design)
        side = np.where(low > threshold, 1, np.where(high < threshold, -1, 0))
        stopping = open_ & (side != 0)
        decisions[stopping], used[stopping] = side[stopping], n
        open_ &= side == 0
        if rule is not None and n >= rule[0] and n < design.max_runs:
            needed = sequential.runs_to_decide(n, estimate, low, high, threshold, design, hopeful=rule[2])
            futile = open_ & (needed > rule[1] * design.max_runs)
            used[futile], open_ = n, open_ & ~futile
    return decisions, used


def futility_table(trials: int, seed: int) -> None:
    """The quick design (3-10 runs, independent) with and without futility stops, on every case;
    and the lab's rule on the method before (every run kept), for the before/after comparison."""
    design, before = sequential.Design(3, 10), sequential.Design(3, 10, trim=False)
    first = design.min_decisive_runs() or design.max_runs
    lab: Rule = (first + 1, decide.FUTILITY_MARGIN, True)
    rules: list[tuple[str, Rule | None, sequential.Design]] = [
        ("no futility stop", None, design),
        (f"from {first + 1} runs, hopeful > 10 × max (lab)", lab, design),
        (f"from {first + 1} runs, hopeful > 3 × max", (first + 1, 3.0, True), design),
        (f"from {first + 1} runs, hopeful > 1.5 × max", (first + 1, 1.5, True), design),
        (f"from {first + 1} runs, edge side > 1.5 × max", (first + 1, 1.5, False), design),
        (f"from {first + 1} runs, edge side > 10 × max", (first + 1, 10.0, False), design),
        ("lab's, before: every run kept", lab, before),
    ]
    print(f"Threshold {THRESHOLD}; design {design.min_runs}–{design.max_runs} independent; {trials} trials per cell; "
          f"seed {seed}; {DISTURBED_SHARE:.0%} of runs disturbed 1.3–2×.\n")
    _table_header("futility rule", 40)
    for index, case in enumerate(CASES):
        rng = np.random.default_rng([seed, index])
        a, b = runs(case, trials, design.max_runs, rng)
        for name, rule, chosen in rules:
            decisions, used = simulate_futility(chosen, np.log(a), np.log(b), rule)
            print(f"| {case.name:38} | {name:40} | {_rates(case, decisions)} | {used.mean():9.1f} |", flush=True)


def stages_table(trials: int, seed: int) -> None:
    """The quick profile's designs, the lab's futility rule in the loop, against Welch's interval."""
    designs = [("sequential rank, 3–10 (quick before)", sequential.Design(3, 10)),
               ("sequential rank, 3–20, one level", sequential.Design(3, 20, staged=False)),
               ("sequential rank, 3–20, two levels (quick)", sequential.Design(3, 20))]
    welch: list[tuple[str, tuple[int, int]]] = [("Welch 95 %, one look at 10", (10, 10)),
                                                ("Welch 95 %, stop when clear, 3–20", (3, 20))]
    print(f"Threshold {THRESHOLD}; {trials} trials per cell; seed {seed}; {DISTURBED_SHARE:.0%} of runs disturbed "
          f"1.3–2×; the lab's futility rule in the loop for the sequential designs.\n")
    for name, design in designs:
        levels = sorted(set(design.levels()), reverse=True)
        print(f"- {name}: p* {' then '.join(f'{level:.4f}' for level in levels)}; "
              f"first decisive look {design.min_decisive_runs()} runs")
    print()
    _table_header("method", 42)
    for index, case in enumerate(CASES):
        rng = np.random.default_rng([seed, index])
        a, b = runs(case, trials, 20, rng)
        log_a, log_b = np.log(a), np.log(b)
        results = []
        for name, (low, high) in welch:
            results.append((name, *simulate(welch_today, log_a, log_b, low, high)))
        for name, design in designs:
            first = design.min_decisive_runs() or design.max_runs
            rule: Rule = (first + 1, decide.FUTILITY_MARGIN, True)
            results.append((name, *simulate_futility(design, log_a[:, :design.max_runs], log_b[:, :design.max_runs], rule)))
        for name, decisions, used in results:
            print(f"| {case.name:38} | {name:42} | {_rates(case, decisions)} | {used.mean():9.1f} |", flush=True)


def _table_header(column: str, width: int) -> None:
    """The header of a case x ``column`` table of wrong and decided rates."""
    print(f"| {'case':38} | {column:{width}} | wrong | decided | mean runs |")
    print(f"|{'-' * 40}|{'-' * (width + 2)}|-------|---------|-----------|")


def _rates(case: Case, decisions: np.ndarray) -> str:
    """``wrong | decided`` for one case: at the threshold every decision is wrong; beyond it, the right side's share."""
    at_threshold = case.ratio == THRESHOLD
    wrong = np.mean(decisions != 0) if at_threshold else np.mean(decisions == (1 if case.ratio < THRESHOLD else -1))
    right = "–" if at_threshold else f"{np.mean(decisions == (1 if case.ratio > THRESHOLD else -1)):.1%}"
    return f"{wrong:5.1%} | {right:>7}"


def main() -> int:
    """Print the method x case table (or, with --futility, the futility table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=28)
    parser.add_argument("--futility", action="store_true", help="the quick design with and without futility stops")
    parser.add_argument("--stages", action="store_true", help="the quick profile's designs: 3-10, 3-20 at one and two levels")
    args = parser.parse_args()
    started = time.monotonic()
    if args.stages:
        stages_table(args.trials, args.seed)
        print(f"\n{time.monotonic() - started:.0f} s", file=sys.stderr)
        return 0
    if args.futility:
        futility_table(args.trials, args.seed)
        print(f"\n{time.monotonic() - started:.0f} s", file=sys.stderr)
        return 0
    quick = (3, 10)
    methods: list[tuple[str, Bounds, tuple[int, int]]] = [
        ("today: Welch 95 %, stop when clear", welch_today, quick),
        ("time-uniform t-CS (Lai), per round", lai_sequence, quick),
        ("sequential rank, independent", sequential_bounds(sequential.Design(*quick)), quick),
        ("before: sequential rank, all runs kept", sequential_bounds(sequential.Design(*quick, trim=False)), quick),
        ("sequential rank, paired", sequential_bounds(sequential.Design(*quick, paired=True)), quick),
        ("rank, one look at 10 (no stopping)", sequential_bounds(sequential.Design(10, 10)), (10, 10)),
    ]
    longer: list[tuple[str, Bounds, tuple[int, int]]] = [
        (f"sequential rank, {kind}, max {m}", sequential_bounds(sequential.Design(3, m, paired=kind == "paired")), (3, m))
        for kind, m in (("independent", 12), ("independent", 15), ("independent", 20), ("paired", 20))]
    print(f"Threshold {THRESHOLD}; {args.trials} trials per cell; seed {args.seed}; {DISTURBED_SHARE:.0%} of runs "
          f"disturbed 1.3–2×; looks after every run from min to max runs.\n")
    print(f"| {'case':38} | {'method':42} | runs | wrong | decided | mean runs |")
    print(f"|{'-' * 40}|{'-' * 44}|------|-------|---------|-----------|")
    for index, case in enumerate(CASES):
        rng = np.random.default_rng([args.seed, index])
        a, b = runs(case, args.trials, 20, rng)
        log_a, log_b = np.log(a), np.log(b)
        check_welch(log_a, log_b)
        chosen = methods + (longer if case.ratio != THRESHOLD or case.name.endswith("CV 10 %") else [])
        for name, method, (low, high) in chosen:
            decisions, used = simulate(method, log_a, log_b, low, high)
            print(f"| {case.name:38} | {name:42} | {low}–{high:<2} | {_rates(case, decisions)} | {used.mean():9.1f} |",
                  flush=True)
    print(f"\n{time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
