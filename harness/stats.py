"""Summary statistics: median, 95 % bootstrap confidence interval, coefficient of variation."""

from __future__ import annotations

import random
import statistics

NOISY_CV = 0.05  # a row whose runs vary more than 5 % around their mean is flagged
RESAMPLES = 2000


def median(values) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def bootstrap_ci(values, confidence: float = 0.95, resamples: int = RESAMPLES, seed: int = 0) -> tuple:
    """Percentile bootstrap interval of the median; seeded, so a report regenerates identically."""
    values = list(values)
    if len(values) < 2:
        return (values[0], values[0]) if values else (None, None)
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    tail = (1 - confidence) / 2
    low = medians[int(tail * (resamples - 1))]
    high = medians[int(round((1 - tail) * (resamples - 1)))]
    return low, high


def cv(values) -> float | None:
    """Coefficient of variation: sample standard deviation over mean (None below 2 values)."""
    values = list(values)
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    return statistics.stdev(values) / mean if mean else 0.0


def summarize(values) -> dict | None:
    """Median, its 95 % CI, CV, min, max and n of a list of numbers (None if empty)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    low, high = bootstrap_ci(values)
    return {
        "median": median(values),
        "ci_low": low,
        "ci_high": high,
        "cv": cv(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def is_noisy(summary: dict | None) -> bool:
    """True when the runs vary more than NOISY_CV."""
    return bool(summary and summary["cv"] is not None and summary["cv"] > NOISY_CV)


def cold_and_warm(work_s) -> tuple:
    """Split one run's ``work_s`` (a number or a list) into cold (first) and warm (median of the rest)."""
    if work_s is None:
        return None, None
    if not isinstance(work_s, list):
        return work_s, None
    if not work_s:
        return None, None
    return work_s[0], (median(work_s[1:]) if len(work_s) > 1 else None)
