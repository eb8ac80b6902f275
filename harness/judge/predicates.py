"""Figures from rows, and the combinators that set a figure against a threshold.

A figure is an estimate with its 95 % interval: a Welch ratio of two rows, a row's median, or a
bootstrap over several rows. ``at_least``, ``below`` and ``within`` turn it into a predicate:
Supported when the whole interval is on the claim's side, Contradicted when it is wholly on the
other, Inconclusive when it straddles the threshold or there is no figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from harness.analyse import stats
from harness.analyse.figures import samples
from harness.judge.claims import Claim, ProgramRef
from harness.judge.model import CONTRADICTED, INCONCLUSIVE, SUPPORTED, Figure, Predicate, Verdict, combine, number_text
from harness.judge.rows import Context, Row, known, of, one_of

NOT_MEASURED_HERE = "not measured in this run"


def ratio_figure(label: str, a: Sequence[float], b: Sequence[float], unit: str = "×") -> Figure | None:
    """A over B as a Welch ratio with its interval and significance, or None without two runs a side."""
    found = stats.compare(a, b)
    if found is None:
        return None
    return Figure(label, found.ratio, found.low, found.high, f"{found.n_a} vs {found.n_b}", unit, found.significant,
                  "ratio of geometric means, Welch t interval on logs")


def median_figure(label: str, values: Sequence[float], unit: str = "") -> Figure | None:
    """A row's median with its distribution-free interval, or None without values."""
    summary = stats.summarize(values)
    if not summary:
        return None
    return Figure(label, summary["median"], summary["ci_low"], summary["ci_high"], str(summary["n"]), unit,
                  None, f"median, {summary['interval']}")


def bootstrap_figure(label: str, sample_sets: list[list[float]], statistic: Callable[..., float], unit: str = "") -> Figure | None:
    """A statistic of several rows' runs with a percentile bootstrap interval, or None."""
    found = stats.bootstrap_interval(sample_sets, statistic)
    if found is None:
        return None
    estimate, low, high = found
    return Figure(label, estimate, low, high, " / ".join(str(len(s)) for s in sample_sets), unit, None,
                  "percentile bootstrap, each row's runs resampled")


def speedup(records: list[Row], program: ProgramRef, workers: int, **params: Any) -> Figure | None:
    """A program's time at 1 worker over its time at ``workers``, at the given other params."""
    one, many = one_of(records, program, threads=1, **params), one_of(records, program, threads=workers, **params)
    if not one or not many:
        return None
    return ratio_figure(f"{program.language}/{program.variant} speedup at {workers} workers",
                        samples(one, "time"), samples(many, "time"))


def per_task_ratio(records: list[Row], first: ProgramRef, second: ProgramRef, label: str | None = None) -> Figure | None:
    """Memory per task of one program over another's, each from its own sweep of ``tasks`` (bootstrap)."""
    ends = {}
    for program in (first, second):
        counts = sorted(r["params"]["tasks"] for r in of(records, program))
        if len(counts) < 2:
            return None
        ends[program] = (counts[0], counts[-1])
    sets = [samples(known(records, program, tasks=count), "memory") for program in (first, second) for count in ends[program]]
    (f0, f1), (s0, s1) = ends[first], ends[second]
    label = label or f"memory per task, {first.language}/{first.variant} over {second.language}/{second.variant}"

    def ratio(a: list[float], b: list[float], c: list[float], d: list[float]) -> float:
        return float(((np.median(b) - np.median(a)) / (f1 - f0)) / ((np.median(d) - np.median(c)) / (s1 - s0)))

    return bootstrap_figure(label, sets, ratio, "×")


def at_least(statement: str, figure: Figure | None, threshold: float, shown: str | None = None) -> Predicate:
    """Supported when the interval lies at or above ``threshold``, Contradicted when wholly below."""
    text = shown or f"≥ {number_text(threshold)}"
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, NOT_MEASURED_HERE)
    if figure.low >= threshold:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.high < threshold:
        return Predicate(statement, text, CONTRADICTED, figure)
    return Predicate(statement, text, INCONCLUSIVE, figure, "the interval straddles the threshold")


def within(statement: str, figure: Figure | None, band: tuple[float, float], shown: str | None = None) -> Predicate:
    """Supported when the interval lies inside ``band``, Contradicted when wholly outside it."""
    low, high = band
    text = shown or f"within {number_text(low)}–{number_text(high)}"
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, NOT_MEASURED_HERE)
    if low <= figure.low and figure.high <= high:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.high < low or figure.low > high:
        return Predicate(statement, text, CONTRADICTED, figure)
    return Predicate(statement, text, INCONCLUSIVE, figure, "the interval reaches outside the band")


def below(statement: str, figure: Figure | None, threshold: float, shown: str | None = None) -> Predicate:
    """Supported when the interval lies wholly below ``threshold``, Contradicted when at or above it."""
    text = shown or f"< {number_text(threshold)}"
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, NOT_MEASURED_HERE)
    if figure.high < threshold:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.low >= threshold:
        return Predicate(statement, text, CONTRADICTED, figure)
    return Predicate(statement, text, INCONCLUSIVE, figure, "the interval straddles the threshold")


def unmeasured(statement: str, threshold: str, reason: str) -> Predicate:
    """A predicate this run could not test, with the reason."""
    return Predicate(statement, threshold, INCONCLUSIVE, None, reason)


def verdict(claim: Claim, context: Context, predicates: list[Predicate], note: str = "") -> Verdict:
    """A claim's verdict on one backend: its predicates combined."""
    return Verdict(claim.id, claim.text, list(claim.workloads), context.backend, combine(predicates), predicates, note)
