"""Figures from rows, and the combinators that set a figure against a threshold.

A figure is an estimate with its interval: the ratio of two rows (the sequential method of
analyse/sequential.py, valid however often the runner looked), a row's median, or a bootstrap
over several rows. ``at_least``, ``below`` and ``within`` turn it into a predicate: Supported when
the whole interval is on the claim's side, Contradicted when it is wholly on the other,
Inconclusive when it straddles the threshold, when there is no figure, or when the rows have too
few runs for the sequential interval to bound anything.

Every figure is built at the error level in force (``at_level``): the driver judges a claim again
at Holm's levels, alpha/m and up, so that a claim rests only on decisions that survive its family.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

import numpy as np

from harness.analyse import sequential, stats
from harness.analyse.figures import counted_runs, samples
from harness.judge.claims import Claim, ProgramRef
from harness.judge.model import (
    CONTRADICTED,
    INCONCLUSIVE,
    ONE_SIDED,
    SUPPORTED,
    Figure,
    Predicate,
    Verdict,
    combine,
    number_text,
)
from harness.judge.rows import Context, Row, known, of, one_of
from harness.results.model import KEY_FIELDS

NOT_MEASURED_HERE = "not measured in this run"
TOO_FEW = "too few runs for the sequential interval, so the range"  # a figure's method: shown, never decides
Rounds = tuple[Sequence[int | None], Sequence[int | None]]
# Rows run in the same rounds are compared pair by pair (drift both share cancels). The price: the
# signed-rank interval needs more runs to decide (8 a row at alpha/2 against 6), and on a steady
# machine it is wider (docs/statistics-sequential.md, "Independent or paired"). So the lab compares
# independently: the simulation shows both valid and this one narrower, and a round disturbed by the
# machine is left out and run again rather than cancelled by pairing. True: pair by round.
PAIR_BY_ROUND = False

# How many runs a row the full profile allows (options.RUN_DEFAULTS["full"].max_runs: the judge cannot
# import options; a unit test holds the two equal), to name --full when it would be enough.
FULL_MAX_RUNS = 20
# Past this many runs a row, a projection says the figure sits too near its threshold for runs to help.
PROJECTION_CAP = 100

# The design (looks and error level) every ratio is built for; the driver sets it per run and per Holm step.
_DESIGN: ContextVar[sequential.Design] = ContextVar("design", default=sequential.Design())  # noqa: B039 (frozen)


@contextlib.contextmanager
def at_level(design: sequential.Design) -> Iterator[None]:
    """Build every figure inside the block for ``design``: its looks, and its alpha as the error level."""
    token = _DESIGN.set(design)
    try:
        yield
    finally:
        _DESIGN.reset(token)


def current_design() -> sequential.Design:
    """The design figures are built for now."""
    return _DESIGN.get()


def ratio_figure(label: str, a: Sequence[float], b: Sequence[float], unit: str = "×", rounds: Rounds | None = None) -> Figure | None:
    """A over B: the Hodges–Lehmann ratio with its sequential interval (analyse/sequential.py), or None.

    Paired by round (``paired_ratio_interval``) when ``rounds`` shows that both rows ran in the same
    rounds; else from the two rows' runs as independent samples. Below the run count at which the
    interval is bounded, the figure shows the range of the pairwise ratios and cannot decide.
    """
    design = current_design()
    paired = PAIR_BY_ROUND and rounds is not None and _same_rounds(*rounds)
    if paired and rounds is not None:  # each run of A beside the run of B of its round
        a, b = sequential.pair_rounds(dict(zip(rounds[0], a)), dict(zip(rounds[1], b)))  # type: ignore[arg-type]
    n = max(len(a), len(b))
    design = replace(design, max_runs=max(design.max_runs, n))  # a row past --max-runs (repeats): judged, not refused
    found = (sequential.paired_ratio_interval if paired else sequential.ratio_interval)(a, b, design)
    if found is None or min(found.n_a, found.n_b) < 2:
        return None
    test = "Wilcoxon signed-rank, per-round pairs" if paired else "Mann–Whitney"
    method = (f"Hodges–Lehmann ratio, sequential {test} interval "
              f"(looks at {design.min_runs}–{design.max_runs} runs, error ≤ {design.alpha:.3g})")
    low, high = found.low, found.high
    closed = _closed_end(a, b, low, high, found.ratio, design)
    if closed is not None:
        low, high = closed
        method += f"; its open end from the first {min(len(a), len(b))} runs of each row"
    if not (math.isfinite(high) or low > 0):  # no bound on either side yet
        low, high = _pairwise_range(a, b, paired)
        method = f"Hodges–Lehmann ratio; {TOO_FEW}"
    elif not (math.isfinite(high) and low > 0):  # rows of different run counts: one tail bounds
        method += f"; {ONE_SIDED}"
    significant = None if TOO_FEW in method else sequential.decide(low, high, 1.0) != "undecided"
    return Figure(label, found.ratio, low, high, f"{found.n_a} vs {found.n_b}" + (" paired" if paired else ""),
                  unit, significant, method)


def _closed_end(a: Sequence[float], b: Sequence[float], low: float, high: float, estimate: float,
                design: sequential.Design) -> tuple[float, float] | None:
    """Both ends, when rows of different run counts bound only one end and their first runs bound the other.

    At 7 runs against 6 only one tail of the rank test may reach the look's level, though the look
    at 6 against 6 (each row's first 6 runs, the design's own look) bounds both. Each end holds its
    own half of the error, so the open end may come from that look. It happens when a row gets a
    run more after its claim was decided: C4 went from Supported at 6 against 6 to Inconclusive at
    7 against 6 in a CI run. None when nothing is open, the counts are equal, or that look is open too.
    """
    open_low, open_high = low <= 0, not math.isfinite(high)
    if len(a) == len(b) or open_low == open_high:
        return None
    shorter = min(len(a), len(b))
    equal = sequential.ratio_interval(a[:shorter], b[:shorter], design)
    if equal is None:
        return None
    if open_low and equal.low > 0:
        return min(equal.low, estimate), high
    if open_high and math.isfinite(equal.high):
        return low, max(equal.high, estimate)
    return None


def _same_rounds(rounds_a: Sequence[int | None], rounds_b: Sequence[int | None]) -> bool:
    """Whether two rows' runs ran in exactly the same rounds, one each (older results have no rounds)."""
    if not rounds_a or None in rounds_a or None in rounds_b:
        return False
    return sorted(rounds_a) == sorted(rounds_b) and len(set(rounds_a)) == len(rounds_a)  # type: ignore[type-var]


def _pairwise_range(a: Sequence[float], b: Sequence[float], paired: bool) -> tuple[float, float]:
    """The smallest and largest ratio of a run of A to a run of B (paired: of each round's pair)."""
    ratios = [x / y for x, y in zip(a, b)] if paired else [x / y for x in a for y in b]
    return min(ratios), max(ratios)


def timed(record: Row, figure: str = "time") -> tuple[list[float], list[int | None]]:
    """A row's per-run ``figure`` values (as ``samples``) and the round each ran in, in step."""
    runs = counted_runs(record.get("runs") or [])  # the one rule samples() and diff use too
    for name in KEY_FIELDS[figure]:
        values = [run.get(name) for run in runs]
        if values and all(v is not None for v in values):
            return values, [run.get("round") for run in runs]
    return [], []


def row_ratio(label: str, a: Row, b: Row, figure: str = "time") -> Figure | None:
    """Row A's figure over row B's (``ratio_figure``), paired by round when both ran in the same rounds."""
    (values_a, rounds_a), (values_b, rounds_b) = timed(a, figure), timed(b, figure)
    return ratio_figure(label, values_a, values_b, rounds=(rounds_a, rounds_b))


def _confidence() -> float:
    """The confidence level figures other than ratios are built for: 1 - the design's alpha."""
    return 1 - current_design().alpha


def median_figure(label: str, values: Sequence[float], unit: str = "") -> Figure | None:
    """A row's median with its distribution-free interval at the level in force, or None without values."""
    summary = stats.summarize(values)
    if not summary:
        return None
    low, high, kind = stats.median_interval([v for v in values if v is not None and math.isfinite(v)], _confidence())
    return Figure(label, summary["median"], low, high, str(summary["n"]), unit, None, f"median, {kind}")


def bootstrap_figure(label: str, sample_sets: list[list[float]], statistic: Callable[..., Any], unit: str = "",
                     vectorized: bool = False) -> Figure | None:
    """A statistic of several rows' runs with a percentile bootstrap interval at the level in force, or None."""
    found = stats.bootstrap_interval(sample_sets, statistic, level=_confidence(), vectorized=vectorized)
    if found is None:
        return None
    estimate, low, high = found
    # A statistic that divides by a growth which some resamples (or the runs) leave at zero has no
    # finite interval, and so no figure: not in a predicate, nor in a note (C9's prints these).
    return finite(Figure(label, estimate, low, high, " / ".join(str(len(s)) for s in sample_sets), unit, None,
                         "percentile bootstrap, each row's runs resampled"))


def speedup(records: list[Row], program: ProgramRef, workers: int, **params: Any) -> Figure | None:
    """A program's time at 1 worker over its time at ``workers``, at the given other params."""
    one, many = one_of(records, program, threads=1, **params), one_of(records, program, threads=workers, **params)
    if not one or not many:
        return None
    return row_ratio(f"{program.language}/{program.variant} speedup at {workers} workers", one, many)


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

    def ratio(a: Any, b: Any, c: Any, d: Any, axis: int = -1) -> Any:
        return (((np.median(b, axis=axis) - np.median(a, axis=axis)) / (f1 - f0))
                / ((np.median(d, axis=axis) - np.median(c, axis=axis)) / (s1 - s0)))

    return bootstrap_figure(label, sets, ratio, "×", vectorized=True)


def at_least(statement: str, figure: Figure | None, threshold: float, shown: str | None = None) -> Predicate:
    """Supported when the interval lies at or above ``threshold``, Contradicted when wholly below."""
    text = shown or f"≥ {number_text(threshold)}"
    figure = finite(figure)
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, NOT_MEASURED_HERE)
    if TOO_FEW in figure.method:
        return _undecided(statement, text, figure, too_few_reason(), (threshold,))
    if figure.low >= threshold:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.high < threshold:
        return Predicate(statement, text, CONTRADICTED, figure)
    return _undecided(statement, text, figure, "the interval straddles the threshold", (threshold,))


def within(statement: str, figure: Figure | None, band: tuple[float, float], shown: str | None = None) -> Predicate:
    """Supported when the interval lies inside ``band``, Contradicted when wholly outside it."""
    low, high = band
    text = shown or f"within {number_text(low)}–{number_text(high)}"
    figure = finite(figure)
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, NOT_MEASURED_HERE)
    if TOO_FEW in figure.method:
        return _undecided(statement, text, figure, too_few_reason(), band)
    if low <= figure.low and figure.high <= high:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.high < low or figure.low > high:
        return Predicate(statement, text, CONTRADICTED, figure)
    return _undecided(statement, text, figure, "the interval reaches outside the band", band)


def below(statement: str, figure: Figure | None, threshold: float, shown: str | None = None) -> Predicate:
    """Supported when the interval lies wholly below ``threshold``, Contradicted when at or above it."""
    text = shown or f"< {number_text(threshold)}"
    figure = finite(figure)
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, NOT_MEASURED_HERE)
    if TOO_FEW in figure.method:
        return _undecided(statement, text, figure, too_few_reason(), (threshold,))
    if figure.high < threshold:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.low >= threshold:
        return Predicate(statement, text, CONTRADICTED, figure)
    return _undecided(statement, text, figure, "the interval straddles the threshold", (threshold,))


def finite(figure: Figure | None) -> Figure | None:
    """The figure, or None when its estimate or an end of its interval is infinite or undefined.

    Such a figure is no measurement (a ratio over a zero growth, a resampled interval that ran off
    to infinity): its predicate reads "not measured" rather than deciding on it, and results.json,
    which is strict JSON, can store it. The one exception is the open upper end of a one-sided
    ratio (``ONE_SIDED``): its bounded end decides, and results.json stores the open one as null.
    """
    if figure is None:
        return None
    ends = (figure.estimate, figure.low) if figure.open_ends()[1] else (figure.estimate, figure.low, figure.high)
    return figure if all(math.isfinite(value) for value in ends) else None


def _undecided(statement: str, text: str, figure: Figure, reason: str, edges: Sequence[float]) -> Predicate:
    """An Inconclusive predicate, with how near its interval is to clearing the threshold (or band),
    and, when the interval straddles it, about how many runs a row would decide it."""
    if TOO_FEW in figure.method:  # a range, not an interval: the reason already names the runs that could decide
        return Predicate(statement, text, INCONCLUSIVE, figure, reason, promise(figure, edges))
    needed, edge = projected_runs(figure, edges)
    shown = projection_text(figure, needed[0] if needed else None, edge, len(edges) > 1)
    return Predicate(statement, text, INCONCLUSIVE, figure, reason + shown, promise(figure, edges), needed)


def figure_runs(figure: Figure) -> int | None:
    """The fewest runs of the rows a figure came from (its ``n``: ``10 vs 9``, ``10 / 10 / 9 / 10``)."""
    counts = [int(count) for count in re.findall(r"\d+", figure.n.replace(",", ""))]
    return min(counts) if counts else None


def projected_runs(figure: Figure, edges: Sequence[float]) -> tuple[tuple[float, float] | None, float]:
    """About how many runs a row would decide an undecided figure (as its reason says it, and the
    fewer of the hopeful projection), and the edge it must clear.

    The projection of ``sequential.runs_to_clear`` (the estimate stays, the interval shrinks like
    1/sqrt(runs) at the level in force) on the interval's own scale: for a ratio of two rows, logs,
    allowing for the rank interval's extra width at few runs (``sequential.runs_to_decide``); else
    the figure's values (a bootstrap's percentiles). Of the edges inside the interval, the farthest
    when the estimate is inside the band (Supported needs all cleared), else the nearest
    (Contradicted needs one). (None, nan) without a run count or an edge inside the interval.
    """
    runs = figure_runs(figure)
    inside = [edge for edge in edges if figure.low <= edge <= figure.high]
    if runs is None or not inside:
        return None, math.nan
    figure = _closed(figure)
    in_band = len(edges) > 1 and min(edges) < figure.estimate < max(edges)
    about = {edge: _projection(figure, runs, edge, edges, hopeful=False) for edge in inside}
    edge = (max if in_band else min)(about, key=lambda e: about[e])
    return (about[edge], _projection(figure, runs, edge, edges, hopeful=True)), edge


def _projection(figure: Figure, runs: int, edge: float, edges: Sequence[float], hopeful: bool) -> float:
    """One edge's projection: logs for a sequential ratio (with the design in force), else the figure's values."""
    if figure.method.startswith("Hodges–Lehmann ratio") and min(figure.low, figure.estimate, *edges) > 0:
        design = current_design()
        design = replace(design, max_runs=max(design.max_runs, runs))
        log = math.log
        return float(sequential.runs_to_decide(runs, log(figure.estimate), log(figure.low), log(figure.high), log(edge),
                                               design, hopeful))
    return float(sequential.runs_to_clear(runs, figure.estimate, figure.low, figure.high, edge, hopeful))


def projection_text(figure: Figure, needed: float | None, edge: float, band: bool) -> str:
    """``; about 21 runs a row would decide it (--max-runs 21)``, or why more runs would not, or ""."""
    if needed is None:
        return ""
    if needed > PROJECTION_CAP:
        where = "the band's edge" if band else "the threshold"
        return (f"; its figure sits too near {where} ({number_text(figure.estimate)} against {number_text(edge)}) "
                f"for more runs on this machine to decide it (over {PROJECTION_CAP} a row)")
    runs = int(needed)
    if runs <= current_design().max_runs:  # within this run's own limit: its budget, not --max-runs, stopped it
        return f"; about {runs} runs a row would decide it"
    options = f"--max-runs {runs}" + (", or --full" if runs <= FULL_MAX_RUNS else "")
    return f"; about {runs} runs a row would decide it ({options})"


def promise(figure: Figure, edges: Sequence[float]) -> float:
    """How much of its interval must go before it clears the nearest of ``edges`` inside it, as a share
    of its width: 0 when it touches one (or none is inside: only the run count holds it back), 0.5
    when one splits it in the middle."""
    inside = [edge for edge in edges if figure.low <= edge <= figure.high]
    closed = _closed(figure)
    low, high = closed.low, closed.high
    width = high - low
    shares = [max(0.0, min(edge - low, high - edge)) / width for edge in inside if width > 0]
    return min(shares, default=0.0)


def _closed(figure: Figure) -> Figure:
    """A one-sided figure with its open end mirrored from the bounded one about the estimate (on the
    ratio's log scale), for the projections and the promise, which need a width on both sides."""
    open_below, open_above = figure.open_ends()
    if open_above:
        return replace(figure, high=figure.estimate**2 / figure.low)
    if open_below:
        return replace(figure, low=figure.estimate**2 / figure.high)
    return figure


def too_few_reason() -> str:
    """Why a ratio on too few runs decides nothing, naming the run count that could."""
    needed = current_design().min_decisive_runs()
    return ("too few runs to decide: the sequential interval needs "
            + (f"≥ {needed} runs a row" if needed else "more runs a row than --max-runs allows"))


def unmeasured(statement: str, threshold: str, reason: str) -> Predicate:
    """A predicate this run could not test, with the reason."""
    return Predicate(statement, threshold, INCONCLUSIVE, None, reason)


def verdict(claim: Claim, context: Context, predicates: list[Predicate], note: str = "") -> Verdict:
    """A claim's verdict on one backend: its predicates combined."""
    return Verdict(claim.id, claim.text, list(claim.workloads), context.backend, combine(predicates), predicates, note)
