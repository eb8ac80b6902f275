"""What a verdict is made of: a figure with its interval, a predicate, a claim's verdict, the outcomes.

A predicate is Supported when the whole interval lies on the claim's side of its threshold,
Contradicted when it lies wholly on the other side, and Inconclusive when it straddles it or the
run did not measure what the predicate needs. A claim is Contradicted if any predicate is,
Supported if every one is, and Inconclusive otherwise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.analyse import stats

SUPPORTED, CONTRADICTED, INCONCLUSIVE = "Supported", "Contradicted", "Inconclusive"
NOT_MEASURED = "Not measured"  # a claim none of whose workloads ran: a record, never an outcome
# A figure's method says this when the runs so far bound its interval on one side only (rows of
# different run counts): the open end is 0 below or infinity above (results.json stores it as null).
ONE_SIDED = "one end open"


@dataclass
class Figure:
    """An estimate with its interval, what it is, and how many runs it rests on."""

    label: str
    estimate: float
    low: float
    high: float
    n: str
    unit: str = ""
    significant: bool | None = None
    method: str = ""

    def open_ends(self) -> tuple[bool, bool]:
        """Whether the interval is open below and above (a one-sided figure: ``ONE_SIDED``)."""
        if ONE_SIDED not in self.method:
            return False, False
        return self.low is not None and self.low <= 0, self.high is None or self.high == math.inf

    def text(self) -> str:
        """``1.02× (0.97–1.08), n=5 vs 5, not significant``; one-sided: ``1.90× (≥ 1.62, one-sided)``."""
        kind = " range" if self.method.endswith("range") else ""
        open_below, open_above = self.open_ends()
        if open_below or open_above:
            bound = f"≥ {number_text(self.low)}" if open_above else f"≤ {number_text(self.high)}"
            value = f"{number_text(self.estimate)}{self.unit} ({bound}{self.unit}, one-sided)"
        elif self.low == self.high == self.estimate:
            value = f"{number_text(self.estimate)}{self.unit} (every run alike)"
        else:
            value = f"{number_text(self.estimate)}{self.unit} ({number_text(self.low)}–{number_text(self.high)}{kind})"
        extra = "" if self.significant is None else (", significant" if self.significant else ", not significant")
        return f"{value}, n={self.n}{extra}"


@dataclass
class Predicate:
    """One testable part of a claim: a figure against a threshold, with its outcome."""

    statement: str
    threshold: str
    outcome: str
    figure: Figure | None = None
    reason: str = ""
    # How near an undecided figure is to deciding, for the runner's choice of rows (judge/decide.py):
    # 0 when its interval touches the threshold, 0.5 when it is split in the middle; None once decided
    # or without a figure. Not stored.
    promise: float | None = field(default=None, repr=False, compare=False)
    # About how many runs a row would decide an undecided figure (predicates.projected_runs: the number its
    # reason shows, then the fewer a more hopeful projection gives), for the runner to stop spending runs
    # on it (judge/decide.py). None once decided or without an interval. Not stored.
    runs_needed: tuple[float, float] | None = field(default=None, repr=False, compare=False)


@dataclass
class Verdict:
    """A claim's outcome on one backend of a run, with the predicates that decided it."""

    claim_id: str
    claim: str
    workloads: list[str]
    backend: str
    outcome: str
    predicates: list[Predicate] = field(default_factory=list)
    note: str = ""
    runtime: str = ""  # judged again on a further version of one language (python3.13t); "" for the first
    # Judged again on a further version: the indices of the predicates whose figures that version's rows
    # entered (the others repeat the first version's). The key figure is one of them. Stored only then.
    runtime_predicates: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for results.json."""
        found = asdict(self)
        if not self.runtime:
            del found["runtime_predicates"]
        for predicate in found["predicates"]:
            predicate.pop("promise", None)
            predicate.pop("runs_needed", None)
            if predicate.get("figure") and predicate["figure"]["high"] == math.inf:
                predicate["figure"]["high"] = None  # an open upper end (ONE_SIDED): strict JSON has no infinity
        return found


def combine(predicates: list[Predicate]) -> str:
    """Contradicted if any predicate is, Supported if all are, else Inconclusive."""
    outcomes = [p.outcome for p in predicates]
    if CONTRADICTED in outcomes:
        return CONTRADICTED
    if outcomes and all(o == SUPPORTED for o in outcomes):
        return SUPPORTED
    return INCONCLUSIVE


def number_text(value: float | None) -> str:
    """A number as the report prints it; ``?`` for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    return str(stats.fmt_number(value))
