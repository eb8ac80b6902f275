"""Stopping that stays honest: a ratio's interval that is valid at every look of a planned schedule.

The runner looks at a comparison after every run and stops a row once its predicate is decided.
An ordinary 95 % interval, looked at after every run, clears a threshold by chance far more often
than 5 % of the time (optional stopping). This module gives the interval for a ratio of two rows
that keeps its level over all the looks of a *design*: one look after each run from ``min_runs``
to ``max_runs``.

The method (the simulation in scripts/simulate-stopping.py chose it; docs/statistics-sequential.md
has its tables):

- The figure is the ratio of two rows' typical runs: the Hodges–Lehmann shift on log values, the
  median of all pairwise differences ``log a_i - log b_j`` (paired: of the Walsh averages of the
  per-round differences). One disturbed run moves a few of the n² differences, not the estimate.
- From ``TRIM_FROM`` runs a row on, each row's slowest run is left out (independent form). A
  disturbed run is only ever slower, so it is the one left out; at 1.8 against 1.5 with 10 % of
  runs disturbed this lifts the deciding rate at CV 5 % from 87 % to 94 %.
- Its interval inverts the exact Mann–Whitney test on the runs kept (paired: Wilcoxon's
  signed-rank test), so at a single look it is distribution-free: under "A divided by the ratio
  has the same distribution as B", its error is what it says, whatever the noise. Leaving out
  each row's slowest run keeps that: the statistic is still a function of the ranks alone, and
  its null distribution (``_mann_whitney_pmf`` with the kept counts) is exact.
- Repeated looks: each look uses a nominal level ``p*``, chosen so that the chance of *any*
  look's interval missing the true ratio is at most 0.6 ``alpha`` (paired: 0.7; the rest is room
  for rows whose noise differs in shape). In a design of up to ``ONE_LEVEL_UP_TO`` runs every look
  has the same level (a Pocock-style split of alpha over the planned looks). A longer design spends
  ``EARLY_SHARE`` of that error on the looks up to ``EARLY_END`` runs and the rest on the later
  ones, at a lower level: a row that decides at 5 runs still does, and a hard one gets 20 looks.
  That chance does not depend on the noise (the ranks of independent, identically distributed
  runs are uniformly shuffled), so ``p*`` is calibrated once per design by a seeded simulation
  of the rank null.

The guarantee: if the runs are independent and A/ratio and B share one distribution, then with
probability at least ``1 - alpha`` every interval of every planned look covers the ratio. Hence
a predicate decided at any look, however the stopping was chosen, is on the wrong side of its
threshold with probability at most ``alpha`` (0.6 ``alpha`` when the shapes match). Paired: the
same, for per-round differences that are symmetric about the log-ratio, which a drift both rows
share leaves so. Past ``max_runs`` the guarantee ends, so a look there is refused.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from harness.analyse.lazy import scipy_stats
from harness.errors import UsageError

Decision = Literal["above", "below", "undecided"]
FloatArray = npt.NDArray[np.float64]

ALPHA = 0.05
CALIBRATION_SIMULATIONS = 40_000
CALIBRATION_SEED = 20210  # fixed: a design's level is the same in every run and every report
# The rank null assumes both rows' runs share one shape. Rows whose noise differs (CV 5 % against
# 15 %) push the error above the calibrated share, so the calibration keeps room for it. Paired,
# 1.5 points were enough: it targets 70 % of alpha. Independent, leaving out each row's slowest
# run lowers the wider row's kept runs more than the narrower's, which needs 2 points: 60 %
# (at 70 % that case came to 5.2–5.9 % in scripts/simulate-stopping.py).
CALIBRATION_SHARE = 0.7
INDEPENDENT_SHARE = 0.6
# From this many runs a row on, the independent form leaves out each row's slowest run. Not
# earlier: at 6 runs, 5 kept a row can never reach the quick design's level, and a look that
# cannot decide after one that could would read as "too few runs".
TRIM_FROM = 7
# A design with looks past ONE_LEVEL_UP_TO runs a row has two levels: the looks up to EARLY_END
# runs spend EARLY_SHARE of the error, the later ones the rest. With 3-20 runs the early level is
# 0.0079, still enough to decide at 5 runs (one level over all 18 looks, 0.0068, needs 6), and the
# later looks get 0.0056: at 1.8 against 1.5, CV 10 %, 90.2 % decide (one level: 92.5 %, at 0.4
# runs a row more). Designs up to 10 runs keep one level: two would only lower it there.
# (scripts/simulate-stopping.py --stages.)
ONE_LEVEL_UP_TO = 10
EARLY_END = 6
EARLY_SHARE = 0.4


@dataclass(frozen=True)
class Design:
    """The planned looks: one after each run from ``min_runs`` to ``max_runs``, error ``alpha`` over all.

    ``paired`` chooses the per-round design (signed ranks of per-round log-ratios) over the
    independent one (Mann–Whitney on the two rows' log values). ``trim``: the independent one
    leaves out each row's slowest run from TRIM_FROM runs on; False keeps every run (the method
    before, calibrated to CALIBRATION_SHARE; the simulation compares the two). ``staged``: a design
    past ONE_LEVEL_UP_TO runs has two levels (EARLY_SHARE); False gives every look one level (the
    simulation compares them).
    """

    min_runs: int = 3
    max_runs: int = 10
    alpha: float = ALPHA
    paired: bool = False
    trim: bool = True
    staged: bool = True

    def __post_init__(self) -> None:
        if self.min_runs < 2:
            raise UsageError(f"the sequential interval needs at least 2 runs per row, not --min-runs {self.min_runs}")
        if self.max_runs < self.min_runs:
            raise UsageError(f"--max-runs {self.max_runs} is below --min-runs {self.min_runs}")
        if not 0 < self.alpha < 1:
            raise UsageError(f"alpha must be between 0 and 1, not {self.alpha}")

    @property
    def looks(self) -> tuple[int, ...]:
        """The run counts at which the interval may be looked at."""
        return tuple(range(self.min_runs, self.max_runs + 1))

    def nominal_alpha(self) -> float:
        """``p*`` of the first look: the two-sided error its interval is built for (calibrated, cached).
        In a design past ONE_LEVEL_UP_TO runs, the looks past EARLY_END have a lower one: ``level``."""
        return self.levels()[0]

    def level(self, n: int) -> float:
        """``p*`` of the look at ``n`` runs a row (a look before the first is held to the first's)."""
        levels = self.levels()
        return levels[min(max(n, self.min_runs), self.max_runs) - self.min_runs]

    def levels(self) -> tuple[float, ...]:
        """Each look's ``p*``, in the order of ``looks`` (calibrated, cached)."""
        share = INDEPENDENT_SHARE if self.trims else CALIBRATION_SHARE
        return _calibrated_levels(self.looks, self.alpha * share, self.paired, self.trims, self.staged)

    @property
    def trims(self) -> bool:
        """Whether each row's slowest run is left out from TRIM_FROM runs on (independent form only).

        A design that stops before TRIM_FROM never leaves a run out, so it is the method before,
        calibrated as before (``--runs 5`` keeps its level: a single look at 5 runs can decide at
        Holm's alpha/4, which the trimmed share could not)."""
        return self.trim and not self.paired and self.max_runs >= TRIM_FROM

    def min_decisive_runs(self) -> int | None:
        """The fewest runs per row at which any data could decide; None if no planned look can."""
        return next((n for n in self.looks if _bounded_both_ways(n, n, self.level(n), self.paired, self.trims) is not None),
                    None)

    def warning(self) -> str:
        """One line when this design can never decide anything, else ""."""
        if self.min_decisive_runs() is None:
            return (f"--max-runs {self.max_runs} is too few for the sequential interval to ever decide "
                    f"(it needs at least {_fewest_decisive(self.alpha, self.paired)} runs per row)")
        return ""


@dataclass(frozen=True)
class RatioInterval:
    """A over B at one look: the ratio, its interval valid over all the design's looks, and n."""

    ratio: float
    low: float
    high: float
    n_a: int
    n_b: int
    paired: bool
    nominal_alpha: float

    def decide(self, threshold: float) -> Decision:
        """``above`` when the interval lies wholly above ``threshold``, ``below`` wholly below, else undecided."""
        return decide(self.low, self.high, threshold)


def decide(low: float, high: float, threshold: float) -> Decision:
    """Which side of ``threshold`` an interval lies on; touching it is undecided."""
    if low > threshold:
        return "above"
    if high < threshold:
        return "below"
    return "undecided"


def runs_to_clear(n: int, estimate: npt.ArrayLike, low: npt.ArrayLike, high: npt.ArrayLike,
                  edge: npt.ArrayLike, hopeful: bool = False) -> FloatArray:
    """About how many runs a row would move an interval off ``edge``, from its look at ``n`` runs.

    A projection, not a promise: the estimate is assumed to stay, and the interval's half-width on
    the edge's side to shrink like 1/sqrt(runs) at the same level. ``hopeful`` takes the narrower
    side's half-width instead: a disturbed run, only ever slower, stretches one side, and more runs
    push it out of the interval (the futility stop uses it: with the edge's side, the stopping
    simulation gave up on up to 1.4 points more of the rows it would decide). Give the values on the
    scale the interval is built on (logs for a ratio). ``n`` when the interval is already off the
    edge; inf when the estimate is on it. Elementwise, for the simulation's many trials at once.
    """
    estimate, low, high, edge = (np.asarray(value, dtype=float) for value in (estimate, low, high, edge))
    half = np.where(edge > estimate, high - estimate, estimate - low)
    if hopeful:
        half = np.minimum(high - estimate, estimate - low)
    gap = np.abs(edge - estimate)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(gap > 0, half / gap, np.inf)
        more = np.maximum(np.floor(n * ratio**2) + 1, n + 1)  # at least one run more: this one did not clear it
    needed: FloatArray = np.where((edge > high) | (edge < low), float(n), more)
    return needed


def runs_to_decide(n: int, estimate: npt.ArrayLike, low: npt.ArrayLike, high: npt.ArrayLike, edge: npt.ArrayLike,
                   design: Design, hopeful: bool = False) -> FloatArray:
    """``runs_to_clear`` for this module's interval on log values, at ``design``'s level.

    At few runs the rank interval is wider than 1/sqrt(n) from a large sample would make it (at the
    first decisive look it spans the whole range of the pairwise ratios), so the 1/sqrt(n)
    projection from it is scaled by ``width_excess(n)``: without that, a row whose ratio lies 20 %
    beyond its threshold looks hopeless at 5 runs and decides at 8. A projection past EARLY_END from
    a look before it is stretched by the square of the two levels' normal quantiles: the later looks'
    lower level makes a wider interval.
    """
    needed = runs_to_clear(n, estimate, low, high, edge, hopeful)
    scaled: FloatArray = np.where(needed > n, np.maximum(np.ceil(needed / width_excess(n, design) - 1e-9), n + 1), needed)
    later = design.level(design.max_runs)
    if later < design.level(n):  # past EARLY_END the level is lower and the interval wider by the ratio of z's
        stretch = (_z(later) / _z(design.level(n))) ** 2
        scaled = np.where(scaled > EARLY_END, np.maximum(np.ceil(scaled * stretch - 1e-9), EARLY_END + 1), scaled)
    return scaled


def _z(level: float) -> float:
    return float(scipy_stats.norm.ppf(1 - level / 2))


def width_excess(n: int, design: Design) -> float:
    """How much wider, squared, the interval at ``n`` runs a row is than its large-sample width: the
    median half-width on standard normal logs over ``z * sqrt(pi/3 * var)`` (Hodges–Lehmann's
    variance). 1 where no interval is bounded."""
    return _width_excess(n, design.level(n), design.paired, design.trims)


@functools.cache
def _width_excess(n: int, level: float, paired: bool, trim: bool) -> float:
    counts = _bounded_both_ways(n, n, level, paired, trim)
    if counts is None:
        return 1.0
    rng = np.random.default_rng(CALIBRATION_SEED)
    ordered = _ordered(rng.standard_normal((2000, n)), rng.standard_normal((2000, n)), paired, trim)
    half = float(np.median(ordered[:, -counts[1]] - ordered[:, counts[0] - 1])) / 2
    # Hodges–Lehmann's large-sample variance: pi/3 times the mean's, 2/n for a difference of two rows' logs
    large = float(scipy_stats.norm.ppf(1 - level / 2)) * math.sqrt(math.pi / 3 * 2 / n)
    return max(1.0, (half / large) ** 2)


def ratio_interval(a: Sequence[float], b: Sequence[float], design: Design) -> RatioInterval | None:
    """A over B from two rows' independent runs so far (None unless both have a positive run each).

    Raises UsageError past the design's last look: the guarantee covers only the planned looks.
    """
    log_a, log_b = _logs(a), _logs(b)
    if log_a is None or log_b is None:
        return None
    independent = replace(design, paired=False)
    estimate, low, high = log_bounds(log_a[None, :], log_b[None, :], independent)
    return RatioInterval(*_ratios(estimate, low, high), len(log_a), len(log_b), False,
                         independent.level(max(len(log_a), len(log_b))))


def paired_ratio_interval(a: Sequence[float], b: Sequence[float], design: Design) -> RatioInterval | None:
    """A over B from runs paired by round (``a[i]`` and ``b[i]`` ran in one round): drift both share cancels.

    None without a positive pair. Raises UsageError past the design's last look.
    """
    if len(a) != len(b):
        raise UsageError(f"paired runs must come in pairs: {len(a)} against {len(b)}")
    log_a, log_b = _logs(a), _logs(b)
    if log_a is None or log_b is None:
        return None
    paired = replace(design, paired=True)
    estimate, low, high = log_bounds(log_a[None, :], log_b[None, :], paired)
    return RatioInterval(*_ratios(estimate, low, high), len(log_a), len(log_b), True, paired.level(len(log_a)))


def pair_rounds(a: Mapping[int, float], b: Mapping[int, float]) -> tuple[list[float], list[float]]:
    """The two rows' figures of the rounds both ran in, by round index, in round order."""
    shared = sorted(set(a) & set(b))
    return [a[r] for r in shared], [b[r] for r in shared]


def log_bounds(log_a: FloatArray, log_b: FloatArray, design: Design) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Estimate, low and high of log(A/B) for many comparisons at once: one per row of the 2-d inputs.

    The simulations call this directly; ``ratio_interval`` is its one-comparison form. Bounds
    are -inf and inf below the first run count that can decide. Rows that keep different numbers of
    runs can have one bound only (7 runs against 5: only one tail of the rank test reaches p*/2);
    the other end is then open, and the interval can still decide on its bounded side.
    """
    look = max(log_a.shape[1], log_b.shape[1])
    _check_look(look, design)
    level = design.level(look)  # rows of unequal counts: the later look's, never above the earlier's
    ordered = _ordered(log_a, log_b, design.paired, design.trims)
    counts = _critical_counts(log_a.shape[1], log_b.shape[1], level, design.paired, design.trims)
    estimate = np.median(ordered, axis=1)
    low_count, high_count = counts or (None, None)
    low = ordered[:, low_count - 1] if low_count else np.full(len(ordered), -np.inf)
    high = ordered[:, -high_count] if high_count else np.full(len(ordered), np.inf)
    return estimate, low, high


def kept_runs(n: int, trim: bool = True) -> int:
    """How many of a row's ``n`` runs the independent form keeps: all but the slowest from TRIM_FROM on."""
    return n - 1 if trim and n >= TRIM_FROM else n


def _ordered(log_a: FloatArray, log_b: FloatArray, paired: bool, trim: bool) -> FloatArray:
    """Per comparison, the sorted differences the estimate and interval are read from: the Walsh
    averages of the per-round differences (paired), or all pairwise differences of the runs kept
    (each row's fastest ``kept_runs``)."""
    if paired:
        per_round = log_a - log_b
        first, second = np.triu_indices(per_round.shape[1])
        return np.sort((per_round[:, first] + per_round[:, second]) / 2, axis=1)
    kept_a = np.sort(log_a, axis=1)[:, :kept_runs(log_a.shape[1], trim)]
    kept_b = np.sort(log_b, axis=1)[:, :kept_runs(log_b.shape[1], trim)]
    return np.sort((kept_a[:, :, None] - kept_b[:, None, :]).reshape(len(log_a), -1), axis=1)


def _ratios(estimate: FloatArray, low: FloatArray, high: FloatArray) -> tuple[float, float, float]:
    return math.exp(float(estimate[0])), math.exp(float(low[0])), math.exp(float(high[0]))


def _check_look(n: int, design: Design) -> None:
    if n > design.max_runs:
        raise UsageError(f"{n} runs is past the sequential design's last look ({design.max_runs}): its error bound ends there")


def _logs(values: Sequence[float]) -> FloatArray | None:
    kept = np.asarray([v for v in values if v is not None and v > 0 and math.isfinite(v)], dtype=float)
    return np.log(kept) if len(kept) else None


# The exact null distributions: the rank statistic's probabilities, index = statistic's value.

@functools.cache
def _mann_whitney_pmf(m: int, n: int, kept_m: int | None = None, kept_n: int | None = None) -> FloatArray:
    """P(U = u) for u = 0..kept_m * kept_n, where U counts the pairs of A's fastest ``kept_m`` and
    B's fastest ``kept_n`` runs in which A's is the larger (all runs kept: Mann–Whitney's U).

    Counted over the C(m+n, m) equally likely orders of the runs (the null), A's and B's runs
    placed from the fastest up: a kept run of A adds the kept runs of B already placed.
    """
    kept_m, kept_n = (m if kept_m is None else kept_m), (n if kept_n is None else kept_n)
    top = kept_m * kept_n
    # ways[j]: counts by U so far of the orders with the runs of A placed so far and j of B's
    ways = [np.eye(1, top + 1).ravel() for _ in range(n + 1)]
    for j in range(1, n + 1):
        ways[j] = ways[j - 1].copy()
    for i in range(1, m + 1):
        shift = [min(j, kept_n) if i <= kept_m else 0 for j in range(n + 1)]
        placed = [np.concatenate([np.zeros(shift[0]), ways[0][:top + 1 - shift[0]]])]
        for j in range(1, n + 1):  # the last run placed is A's i-th or B's j-th
            placed.append(np.concatenate([np.zeros(shift[j]), ways[j][:top + 1 - shift[j]]]) + placed[j - 1])
        ways = placed
    pmf: FloatArray = ways[n] / float(ways[n].sum())
    return pmf


@functools.cache
def _signed_rank_pmf(n: int) -> FloatArray:
    """P(T+ = t) for t = 0..n(n+1)/2: the product of (1 + q^i) for i = 1..n, normalised."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for i in range(1, n + 1):
        counts[i:] += counts[:-i].copy()
    pmf: FloatArray = counts / float(counts.sum())
    return pmf


def _null_pmf(m: int, n: int, paired: bool, trim: bool) -> FloatArray:
    return _signed_rank_pmf(m) if paired else _mann_whitney_pmf(m, n, kept_runs(m, trim), kept_runs(n, trim))


def _critical_counts(m: int, n: int, level: float, paired: bool, trim: bool = True) -> tuple[int | None, int | None] | None:
    """(j, k): the interval runs from the j-th smallest to the k-th largest difference.

    k is the largest count whose tail P(statistic <= k - 1) is at most ``level / 2``, j the same
    for the upper tail. They differ only when the two rows keep different numbers of runs, and then
    one tail may have no such count while the other has: that end is open (None) and the other
    still bounds, each tail holding its own ``level / 2``. None when neither tail can bound.
    """
    pmf = _null_pmf(m, n, paired, trim)
    low, high = _tail_count(pmf[::-1], level), _tail_count(pmf, level)
    return None if low is None and high is None else (low, high)


def _bounded_both_ways(m: int, n: int, level: float, paired: bool, trim: bool) -> tuple[int, int] | None:
    """``_critical_counts`` when both ends are bounded, else None."""
    counts = _critical_counts(m, n, level, paired, trim)
    return None if counts is None or None in counts else counts  # type: ignore[return-value]


def _tail_count(pmf: FloatArray, level: float) -> int | None:
    below = np.flatnonzero(np.cumsum(pmf) <= level / 2 + 1e-12)
    return int(below[-1]) + 1 if len(below) else None


# The calibration of p*: the chance that any look rejects the true ratio, under the rank null.

@functools.cache
def _calibrated_levels(looks: tuple[int, ...], alpha: float, paired: bool, trim: bool, staged: bool = True
                       ) -> tuple[float, ...]:
    """Each look's level: one per stage, each the largest whose simulated chance of any false
    rejection, over the looks up to the stage's end, is within its share of ``alpha`` (EARLY_SHARE
    for the first of two stages, all of it for the last). Up to ONE_LEVEL_UP_TO runs, one stage;
    past it, the looks up to EARLY_END and the rest."""
    statistics = _null_statistics(looks, paired, trim)
    stages = [list(looks)]
    if staged and max(looks) > ONE_LEVEL_UP_TO:
        stages = [stage for stage in ([n for n in looks if n <= EARLY_END], [n for n in looks if n > EARLY_END]) if stage]
    levels: dict[int, float] = {}
    for index, stage in enumerate(stages):
        budget = alpha if index == len(stages) - 1 else alpha * EARLY_SHARE
        level = _stage_level(stage, budget, levels, looks, statistics, paired, trim)
        levels.update(dict.fromkeys(stage, level))
    return tuple(levels[n] for n in looks)


def _stage_level(stage: list[int], budget: float, earlier: dict[int, float], looks: tuple[int, ...],
                 statistics: Sequence[npt.NDArray[np.int32]], paired: bool, trim: bool) -> float:
    """The largest level for ``stage``'s looks, after the ``earlier`` stages' levels, within ``budget``.

    Never above an earlier stage's level where that stage can decide: a later look is never the
    easier one. A stage none of whose looks can decide at any level within its budget gets the
    budget over its looks (it decides nothing, and costs nothing)."""
    ceiling = min((level for n, level in earlier.items() if _bounded_both_ways(n, n, level, paired, trim)), default=budget)
    candidates = sorted({2 * float(p) for n in stage for p in np.cumsum(_null_pmf(n, n, paired, trim))
                         if 2 * p <= min(budget, ceiling)})

    def error(level: float) -> float:
        return _error([earlier.get(n, level if n in stage else 0.0) for n in looks], looks, statistics, paired, trim)

    low, high = 0, len(candidates)  # candidates[:low] are known to pass
    while low < high:
        middle = (low + high) // 2
        if error(candidates[middle]) <= budget:
            low = middle + 1
        else:
            high = middle
    return candidates[low - 1] if low else budget / len(stage)


def _error(levels: Sequence[float], looks: tuple[int, ...], statistics: Sequence[npt.NDArray[np.int32]], paired: bool,
           trim: bool) -> float:
    """The share of simulated sequences in which some look's interval (at that look's level) excludes the true ratio."""
    rejected = np.zeros(len(statistics[0]), dtype=bool)
    for n, level, statistic in zip(looks, levels, statistics):
        counts = _bounded_both_ways(n, n, level, paired, trim)  # n against n: both tails alike
        if counts is not None:
            top = n * (n + 1) // 2 if paired else kept_runs(n, trim) ** 2
            rejected |= (statistic <= counts[1] - 1) | (statistic >= top - counts[0] + 1)
    return float(rejected.mean())


@functools.cache  # one simulation per design, shared by every alpha that Holm tries on it
def _null_statistics(looks: tuple[int, ...], paired: bool, trim: bool) -> tuple[npt.NDArray[np.int32], ...]:
    """The rank statistic at each look for seeded sequences of exchangeable runs (no true difference).

    Built run by run, as the runner adds them: each new run lifts the ranks of the larger
    differences and adds its own (signed rank); Mann–Whitney's statistic is counted afresh at
    each look on the runs kept.
    """
    rng = np.random.default_rng(CALIBRATION_SEED)
    shape = (CALIBRATION_SIMULATIONS, max(looks))
    statistic = np.zeros(CALIBRATION_SIMULATIONS, dtype=np.int32)
    by_look = {}
    if paired:
        per_round = rng.standard_normal(shape)  # any symmetric law gives the same ranks
        size, positive = np.abs(per_round), per_round > 0
    else:
        a, b = rng.random(shape), rng.random(shape)
    for n in range(1, max(looks) + 1):
        new = n - 1
        if paired:
            lifted = positive[:, :new] & (size[:, :new] > size[:, new:n])  # earlier positives that now rank one higher
            own_rank = 1 + np.sum(size[:, :new] < size[:, new:n], axis=1)
            statistic = statistic + lifted.sum(axis=1) + positive[:, new] * own_rank
        elif n in looks:
            kept = kept_runs(n, trim)
            kept_a, kept_b = np.sort(a[:, :n], axis=1)[:, :kept], np.sort(b[:, :n], axis=1)[:, :kept]
            statistic = np.sum(kept_a[:, :, None] > kept_b[:, None, :], axis=(1, 2))
        if n in looks:
            by_look[n] = statistic.astype(np.int32)
            by_look[n].flags.writeable = False  # cached: shared by every caller
    return tuple(by_look[n] for n in looks)


def fewest_decisive_runs(alpha: float = ALPHA, paired: bool = False) -> int:
    """The fewest runs a row at which any design could decide: a single look at level ``alpha``."""
    return _fewest_decisive(alpha, paired)


def _fewest_decisive(alpha: float, paired: bool) -> int:
    """The fewest runs at which even a single look at level ``alpha`` could decide."""
    return next(n for n in range(2, 50) if _bounded_both_ways(n, n, alpha, paired, not paired) is not None)
