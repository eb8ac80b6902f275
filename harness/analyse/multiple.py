"""Error control over many tests at once: Holm within a claim, and Benjamini–Hochberg with drift control in ``diff``.

- A claim's predicates are a family: a claim is wrong when any one of its decided predicates is,
  so their decisions get Holm's step-down control of the family-wise error (``holm``,
  ``holm_decisions``).
- ``diff`` tests hundreds of figures. Three things keep identical programs from looking changed:
  1. *run-wide drift*: each figure's log-ratio is compared with the median log-ratio of all rows
     of its kind (time or memory) that both runs share, and the spread of those log-ratios
     around it counts as noise too. A machine 20 % slower for the second run then reads
     "run-wide drift 1.20×", not 30 significant slowdowns;
  2. *a smallest change worth reporting* (2 % of time, 1 % of memory): a figure is significant
     only if its interval excludes the whole ± band, so an exact 0.05 % change never is;
  3. *the false discovery rate* over all figures (Benjamini–Hochberg, scipy's
     ``false_discovery_control``), not 5 % per figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from harness.analyse.lazy import scipy_stats
from harness.analyse.sequential import Decision, FloatArray

FAMILY_ALPHA = 0.05
FALSE_DISCOVERY_RATE = 0.05
MIN_CHANGE = {"time": 0.02, "memory": 0.01}  # the smallest change worth reporting, by kind
DEFAULT_MIN_CHANGE = 0.02
MIN_ROWS_FOR_DRIFT = 5  # fewer shared rows of a kind than this: no drift is estimated for it


def holm(p_values: Sequence[float], alpha: float = FAMILY_ALPHA) -> list[bool]:
    """Holm's step-down: which hypotheses are rejected with family-wise error at most ``alpha``.

    The i-th smallest p-value (i from 0) is compared with alpha / (m - i); rejection stops at the
    first that fails.
    """
    order = np.argsort(p_values, kind="stable")
    rejected = [False] * len(p_values)
    for step, index in enumerate(order):
        if p_values[index] > alpha / (len(p_values) - step):
            break
        rejected[index] = True
    return rejected


def holm_decisions(deciders: Sequence[Callable[[float], Decision]], alpha: float = FAMILY_ALPHA) -> list[Decision]:
    """Holm's step-down on decisions: each predicate says how it decides at a given error level.

    ``deciders[i](level)`` returns predicate i's decision when its interval is built for error
    ``level`` (for the sequential interval: a Design with that alpha). Decisions only become
    rarer as the level falls, so this is Holm on the p-values "the smallest level that decides":
    first every predicate at alpha/m; each one decided frees a share for the rest, which are
    tried again at alpha/(m - decided), until no new one decides.
    """
    decisions: list[Decision] = ["undecided"] * len(deciders)
    while True:
        remaining = [i for i, decision in enumerate(decisions) if decision == "undecided"]
        if not remaining:
            return decisions
        level = alpha / len(remaining)
        newly = {i: deciders[i](level) for i in remaining}
        newly = {i: decision for i, decision in newly.items() if decision != "undecided"}
        if not newly:
            return decisions
        for i, decision in newly.items():
            decisions[i] = decision


def benjamini_hochberg(p_values: Sequence[float], rate: float = FALSE_DISCOVERY_RATE) -> list[bool]:
    """Which p-values are discoveries with false discovery rate at most ``rate`` (scipy's BH)."""
    if not len(p_values):
        return []
    adjusted = scipy_stats.false_discovery_control(np.asarray(p_values, dtype=float), method="bh")
    return [bool(q <= rate) for q in adjusted]


@dataclass(frozen=True)
class Figure:
    """One figure of two runs: its kind ("time", "memory", or other) and each run's values."""

    key: str
    kind: str
    before: Sequence[float]
    after: Sequence[float]


@dataclass(frozen=True)
class Drift:
    """What all shared rows of one kind did between the runs: their median ratio and its spread."""

    kind: str
    factor: float  # exp(median log-ratio): 1.20 is "the second run 20 % slower across the board"
    spread: float  # between-row standard deviation of log-ratios beyond their own noise (tau)
    rows: int

    def text(self) -> str:
        """``run-wide drift 1.20× in time (±7 % between rows, 30 rows)``."""
        return f"run-wide drift {self.factor:.2f}× in {self.kind} (±{math.expm1(self.spread):.0%} between rows, {self.rows} rows)"


@dataclass(frozen=True)
class Change:
    """A figure's change after over before, raw and relative to its kind's drift, and whether it counts."""

    key: str
    kind: str
    ratio: float  # after / before, ratio of geometric means
    relative: float  # ratio over the kind's drift factor
    low: float  # relative ratio's interval at the false-coverage-adjusted level (adjusted_level), noise and between-row spread
    high: float
    p_value: float  # of "the relative change is within the ± minimum band"
    significant: bool


@dataclass(frozen=True)
class DiffResult:
    """Every figure's change, the drift of each kind, and the error rate that controls them."""

    changes: list[Change]
    drifts: dict[str, Drift]
    rate: float

    def significant(self) -> list[Change]:
        """The figures that changed beyond their band, at the stated false discovery rate."""
        return [change for change in self.changes if change.significant]

    def notes(self) -> list[str]:
        """One line per kind whose rows all moved beyond its band: the machines or their load differed."""
        return [drift.text() for drift in self.drifts.values()
                if abs(math.log(drift.factor)) > math.log1p(MIN_CHANGE.get(drift.kind, DEFAULT_MIN_CHANGE))]


def diff_figures(figures: Sequence[Figure], rate: float = FALSE_DISCOVERY_RATE,
                 min_change: dict[str, float] | None = None) -> DiffResult:
    """Which figures changed between two runs, beyond drift, band and chance.

    Each figure: Welch's difference of log-means and its standard error from the runs (figures
    with fewer than two positive runs a side are left out). Per kind with at least
    ``MIN_ROWS_FOR_DRIFT`` figures: the drift (median log-ratio) is subtracted and the between-row
    spread tau (a robust scale of the log-ratios, less their own noise) is added to every
    figure's variance. Then each figure's p-value against its ± band, and BH over all of them.
    """
    bands = MIN_CHANGE if min_change is None else min_change
    measured = [(figure, estimate) for figure in figures if (estimate := _log_ratio(figure)) is not None]
    kinds = [figure.kind for figure, _ in measured]
    difference, error, freedom = (np.array([estimate[i] for _, estimate in measured], dtype=float) for i in range(3))
    drifts = {kind: drift for kind in sorted(set(kinds))
              if (drift := _drift(kind, difference[_is(kinds, kind)], error[_is(kinds, kind)])) is not None}
    shift = np.array([math.log(drifts[kind].factor) if kind in drifts else 0.0 for kind in kinds])
    tau = np.array([drifts[kind].spread if kind in drifts else 0.0 for kind in kinds])
    band = np.array([math.log1p(bands.get(kind, DEFAULT_MIN_CHANGE)) for kind in kinds])
    relative, total = difference - shift, np.hypot(error, tau)
    rows = np.array([drifts[kind].rows if kind in drifts else 2 for kind in kinds], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # Welch–Satterthwaite: tau is known from all rows
        freedom = np.where(total > 0, total**4 / (error**4 / freedom + tau**4 / (rows - 1)), freedom)
    p_values = _band_p_values(relative, total, freedom, band)
    discoveries = benjamini_hochberg(p_values.tolist(), rate)
    half = scipy_stats.t.ppf(1 - adjusted_level(sum(discoveries), len(discoveries), rate) / 2, freedom) * total
    changes = [Change(figure.key, figure.kind, math.exp(difference[i]), math.exp(relative[i]),
                      math.exp(relative[i] - half[i]), math.exp(relative[i] + half[i]), float(p_values[i]), discoveries[i])
               for i, (figure, _) in enumerate(measured)]
    return DiffResult(changes, drifts, rate)


def adjusted_level(discoveries: int, figures: int, rate: float = FALSE_DISCOVERY_RATE) -> float:
    """The error level of every figure's shown interval: max(R, 1) x rate / m for R discoveries among m.

    Benjamini and Yekutieli's (2005) false-coverage-adjusted intervals: at this level a figure's
    interval excludes its ± band exactly when Benjamini–Hochberg calls it significant, so the
    table never shows an interval clear of the band beside "not significant".
    """
    return max(discoveries, 1) * rate / max(figures, 1)


def _is(kinds: list[str], kind: str) -> npt.NDArray[np.bool_]:
    return np.array([k == kind for k in kinds], dtype=bool)


def _log_ratio(figure: Figure) -> tuple[float, float, float] | None:
    """(difference of log-means after - before, its standard error, Welch's degrees of freedom)."""
    before, after = _log_values(figure.before), _log_values(figure.after)
    if before is None or after is None:
        return None
    (mean_before, var_before), (mean_after, var_after) = _mean_var(before), _mean_var(after)
    var_before, var_after = var_before / len(before), var_after / len(after)
    variance = var_before + var_after
    if variance == 0:
        return mean_after - mean_before, 0.0, float(len(before) + len(after) - 2)
    freedom = variance**2 / (var_before**2 / (len(before) - 1) + var_after**2 / (len(after) - 1))
    return mean_after - mean_before, math.sqrt(variance), float(freedom)


def _log_values(values: Sequence[float]) -> list[float] | None:
    """The logs of a figure's usable values as plain floats (numpy's set-up outweighs the arithmetic on a
    row's few runs, and a diff takes this for every figure), or None with fewer than two."""
    kept = [math.log(v) for v in values if v is not None and v > 0 and math.isfinite(v)]
    return kept if len(kept) >= 2 else None


def _mean_var(values: list[float]) -> tuple[float, float]:
    """The mean and the sample variance (ddof 1) of at least two values."""
    mean = math.fsum(values) / len(values)
    return mean, math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _drift(kind: str, differences: FloatArray, errors: FloatArray) -> Drift | None:
    """The kind's median log-ratio and the spread between rows beyond their own noise (None if too few rows)."""
    if kind not in MIN_CHANGE or len(differences) < MIN_ROWS_FOR_DRIFT:
        return None
    centre = float(np.median(differences))
    scale = float(scipy_stats.median_abs_deviation(differences, scale="normal"))
    tau = math.sqrt(max(0.0, scale**2 - float(np.median(errors**2))))
    return Drift(kind, math.exp(centre), tau, len(differences))


def _band_p_values(relative: FloatArray, error: FloatArray, freedom: FloatArray, band: FloatArray) -> FloatArray:
    """Two-sided p-values of "the change lies within ±band": 1 inside it, 0 for an exact change beyond it.

    A figure is significant at level a exactly when its two-sided (1 - a) interval excludes the
    whole band.
    """
    beyond = np.abs(relative) - band
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = 2 * scipy_stats.t.sf(beyond / error, freedom)
    p_values: FloatArray = np.where(beyond <= 0, 1.0, np.where(error == 0, 0.0, np.minimum(1.0, tail)))
    return p_values
