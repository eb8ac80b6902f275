"""The lab's statistics: a median with an interval that means what it says, and comparisons.

The unit of every interval is the *process run*: warm iterations inside one process are not
independent of each other, so they are first reduced to that run's own warm figure (their
median) and only runs are treated as samples.

- A median's interval is distribution-free: order statistics with binomial coverage, interpolated
  between neighbouring order statistics (Hettmansperger & Sheather, 1986) so that its coverage is
  close to the level it names rather than anywhere above it. Below ``MIN_N_FOR_CI`` runs no
  interval reaches 95 % (the widest, min to max, covers 1 - 2/2^n: 94 % at n=5), so the summary
  gives the range and says so.
- A comparison of two rows is the ratio of their geometric means with the 95 % interval of
  Welch's t-test on the logarithms, and "significant" exactly when that interval excludes 1.
  Like ``pyperf compare_to`` it is a t-test; unlike a rank test it can reach significance with
  three runs a side, and its interval and its significance statement never disagree.
- Figures derived from several rows (a geometric mean over workloads, a slope) get a seeded
  percentile bootstrap (scipy.stats.bootstrap), each row's runs resampled independently.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from harness.analyse.lazy import scipy_stats

LEVEL = 0.95
MIN_N_FOR_CI = 6  # the smallest n at which an order-statistic interval reaches 95 %
BOOTSTRAP_RESAMPLES = 4000


def median(values: Iterable[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def median_interval(values: Sequence[float] | npt.NDArray[np.float64], level: float = LEVEL) -> tuple[float, float, str]:
    """``(low, high, kind)``: the distribution-free ``level`` interval of the median, or the range.

    ``kind`` is ``"95% CI"`` when n is large enough for the level, else ``"range"``.
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    n = len(ordered)
    plan = _interpolation(n, level)
    if plan is None:
        return float(ordered[0]), float(ordered[-1]), "range"
    depth, weight = plan
    low = weight * ordered[depth] + (1 - weight) * ordered[depth - 1]
    high = weight * ordered[n - depth - 1] + (1 - weight) * ordered[n - depth]
    return float(low), float(high), f"{level:.0%} CI"


@functools.cache  # by n and level only: every row of a run asks again (a third of a sample's cost)
def _interpolation(n: int, level: float) -> tuple[int, float] | None:
    """``(depth, weight)`` of the median's ``level`` interval of n values, or None when only the range covers it.

    The interval lies between the order statistics (x[depth], x[n - depth + 1]), which cover at least
    ``level``, and the next pair inwards, which cover less; ``weight`` interpolates between them so
    that the coverage is ``level`` (Hettmansperger and Sheather's interpolation).
    """
    coverage = _order_statistic_coverage(n)
    if n < 2 or coverage(1) < level:
        return None
    depth = 1  # the interval (x[depth], x[n - depth + 1]), 1-based, still covering `level`
    while depth + 1 <= n // 2 and coverage(depth + 1) >= level:
        depth += 1
    wider, narrower = coverage(depth), coverage(depth + 1)
    share = (wider - level) / (wider - narrower)
    weight = (n - depth) * share / (depth + (n - 2 * depth) * share)
    return depth, weight


@functools.cache
def _order_statistic_coverage(n: int) -> Callable[[int], float]:
    """P(depth <= B <= n - depth) for B ~ Binomial(n, 1/2): the coverage of (x[depth], x[n-depth+1])."""
    cdf = scipy_stats.binom.cdf(np.arange(n + 1), n, 0.5)

    def coverage(depth: int) -> float:
        if depth > n - depth:
            return 0.0
        return float(cdf[n - depth] - (cdf[depth - 1] if depth >= 1 else 0.0))
    return coverage


def cv(values: Iterable[float]) -> float | None:
    """Coefficient of variation: sample standard deviation over mean (None below 2 values)."""
    listed = list(values)
    if len(listed) < 2:
        return None
    mean = statistics.fmean(listed)
    return statistics.stdev(listed) / mean if mean else 0.0


def summarize(figures: Iterable[float | None]) -> dict[str, Any] | None:
    """Median, its interval (and which kind), CV, min, max and n of a list of numbers (None if empty)."""
    values = [v for v in figures if v is not None and math.isfinite(v)]  # the protocol refuses NaN; old files may not
    if not values:
        return None
    low, high, kind = median_interval(values)
    return {
        "median": median(values),
        "ci_low": low,
        "ci_high": high,
        "interval": kind,
        "cv": cv(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
        "integer": all(isinstance(v, int) and not isinstance(v, bool) for v in values),
    }


# Noise flags: a figure whose interval is wider than this, relative to its median, is flagged.
# Only timing, memory and throughput figures are flagged; counts and the programs' own metrics never are.
NOISE_THRESHOLDS = {"time": 0.10, "memory": 0.05, "rate": 0.10}
FIELD_KINDS = {
    "wall_s": "time", "work_cold_s": "time", "work_warm_s": "time", "ns_per_op": "time", "cpu_s": "time",
    "cpu_s_per_request": "time",  # a server's CPU per answered request: a time, marked noisy and diffed as one
    "peak_rss_bytes": "memory", "cgroup_peak_bytes": "memory", "cgroup_anon_peak_bytes": "memory",
    "requests_per_s": "rate",
}


def is_noisy(field: str, summary: dict[str, Any] | None) -> bool:
    """True when a timing or memory figure's interval is wider than its kind's threshold."""
    threshold = NOISE_THRESHOLDS.get(FIELD_KINDS.get(field, ""))
    width = relative_half_width(summary)
    return bool(threshold is not None and width is not None and width > threshold)


def relative_half_width(summary: dict[str, Any] | None) -> float | None:
    """The wider side of a summary's interval, relative to its median (None without one)."""
    if not summary or summary["n"] < 2 or not summary["median"]:
        return None
    middle = summary["median"]
    return float(max(summary["ci_high"] - middle, middle - summary["ci_low"]) / abs(middle))


def mean_ci_relative_half_width(values: Iterable[float | None], level: float = LEVEL) -> float | None:
    """Half-width of the Student-t ``level`` interval of the log-mean, as a relative figure.

    The adaptive stopping rule uses it: unlike the median's interval it exists at every n >= 2
    and is honestly wide at small n (at n=3 it is 2.5 standard deviations).
    """
    logs = _logs(values)
    if logs is None or len(logs) < 2:
        return None
    spread = scipy_stats.sem(logs)
    if spread == 0:
        return 0.0
    half = float(scipy_stats.t.ppf(0.5 + level / 2, len(logs) - 1) * spread)
    return math.expm1(half)


@dataclass(frozen=True)
class Comparison:
    """A over B: the ratio of geometric means, its interval, and whether it differs from 1."""

    ratio: float
    low: float
    high: float
    p_value: float
    significant: bool
    n_a: int
    n_b: int
    level: float = LEVEL

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for results.json."""
        return asdict(self)

    def text(self, suffix: str = "×") -> str:
        """``9.4× (8.1–10.9), significant`` or ``… not significant``."""
        return (f"{fmt_number(self.ratio)}{suffix} ({fmt_number(self.low)}–{fmt_number(self.high)}), "
                + ("significant" if self.significant else "not significant"))


def compare(a: Iterable[float | None], b: Iterable[float | None], level: float = LEVEL) -> Comparison | None:
    """A against B, two independent sets of runs: Welch's t-test on the logarithms.

    None when either side has fewer than two positive values (no interval can be had).
    """
    log_a, log_b = _logs(a), _logs(b)
    if log_a is None or log_b is None or len(log_a) < 2 or len(log_b) < 2:
        return None
    return _welch(tuple(log_a.tolist()), tuple(log_b.tolist()), level)


@functools.lru_cache(maxsize=2**15)
def _welch(logs_a: tuple[float, ...], logs_b: tuple[float, ...], level: float) -> Comparison:
    """``compare`` on logarithms, remembered: a report asks for a row's speedup once for its plot and once
    for its table, and a t-test costs a millisecond (seconds in a run of thousands of rows)."""
    log_a, log_b = np.asarray(logs_a), np.asarray(logs_b)
    difference = float(np.mean(log_a) - np.mean(log_b))
    if np.ptp(log_a) == 0 and np.ptp(log_b) == 0:  # no spread at all: the ratio is exact
        ratio = math.exp(difference)
        return Comparison(ratio, ratio, ratio, 0.0 if difference else 1.0, difference != 0, len(log_a), len(log_b), level)
    result = scipy_stats.ttest_ind(log_a, log_b, equal_var=False)
    interval = result.confidence_interval(confidence_level=level)
    low, high = math.exp(interval.low), math.exp(interval.high)
    return Comparison(math.exp(difference), low, high, float(result.pvalue), not (low <= 1 <= high),
                      len(log_a), len(log_b), level)


def bootstrap_interval(samples: Sequence[npt.ArrayLike], statistic: Callable[..., Any], level: float = LEVEL,
                       seed: int = 0, vectorized: bool = False) -> tuple[float, float, float] | None:
    """``(estimate, low, high)`` of ``statistic(*samples)``, each sample resampled on its own.

    For figures made from several rows (a slope between two counts, a geometric mean over
    workloads). Seeded, so a report regenerates identically. None when a sample has one value.
    ``vectorized``: ``statistic`` takes an ``axis`` keyword and reduces along it, so scipy hands it
    every resample at once instead of calling it thousands of times (the same resamples either way).
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    if any(len(s) < 2 for s in arrays):
        return None
    estimate = float(statistic(*arrays, axis=-1) if vectorized else statistic(*arrays))
    if all(np.ptp(s) == 0 for s in arrays):
        return estimate, estimate, estimate
    result = scipy_stats.bootstrap(arrays, statistic, paired=False, vectorized=vectorized, confidence_level=level,
                                   n_resamples=BOOTSTRAP_RESAMPLES, method="percentile",
                                   random_state=np.random.default_rng(seed))
    return estimate, float(result.confidence_interval.low), float(result.confidence_interval.high)


def _logs(figures: Iterable[float | None]) -> npt.NDArray[np.float64] | None:
    """The natural logarithms of the figures present, or None when none is or one is not positive."""
    values = [v for v in figures if v is not None]
    if not values or any(v <= 0 for v in values):
        return None
    logs: npt.NDArray[np.float64] = np.log(np.asarray(values, dtype=float))
    return logs


def fmt_number(value: float) -> str:
    """About three significant figures, thousands separated: 0.0123, 0.95, 1.23, 45.1, 12,300."""
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def cold_and_warm(work_s: float | list[float] | None) -> tuple[float | None, float | None]:
    """Split one run's ``work_s`` (a number or a list) into cold (first) and warm (median of the rest).

    The warm figure is one value per process run: iterations inside a process are not
    independent, so the run, not the iteration, is the unit every interval resamples.
    """
    if work_s is None:
        return None, None
    if not isinstance(work_s, list):
        return work_s, None
    if not work_s:
        return None, None
    return work_s[0], (median(work_s[1:]) if len(work_s) > 1 else None)


def fmt_mib(value: float | None) -> str:
    """A byte count in whole MiB, for progress lines; None is a run too short to sample."""
    return f"{value / 2**20:.0f} MiB" if value is not None else "too short to sample"
