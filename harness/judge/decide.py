"""Which rows more runs would help: the claims still undecided, most promising first (issue 28, point 1).

The runner asks this after each round. It judges the measurements so far exactly as the report
will (driver.judge_verdicts: the sequential interval of the run's design, Holm within each claim),
and returns each claim that has an undecided predicate with a figure, with the rows its
predicates need (claims.toml, resolved by ``Claim.needed_rows``). A claim whose undecided
predicates have no figure (not measured, generator-bound, one core) is left out: more runs of its
rows cannot decide it.

Most promising first: the claim whose undecided interval is nearest to clearing its threshold
(``Predicate.promise``: 0 when it touches it, or only the run count holds it back).

Futility: a claim is also left out once every undecided predicate it has is futile: its rows have
a run more than the fewest that could decide (6 in the quick profile), and even the hopeful
projection of the runs that would decide it (``Predicate.runs_needed``) is over ten times
--max-runs. Stopping for futility cannot make a wrong decision more likely (it only declines to
decide); the margin is what keeps it from costing decisions: in scripts/simulate-stopping.py
--futility, a ratio 20 % beyond its threshold is decided 0.1-0.3 points less often with it, 5-11
points less with 1.5 times --max-runs (docs/statistics-sequential.md).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.analyse.sequential import Design, fewest_decisive_runs
from harness.catalogue import loader as catalogue_loader
from harness.judge import claims as claims_file
from harness.judge.claims import RowNeed
from harness.judge.driver import judge_verdicts
from harness.judge.model import INCONCLUSIVE, Predicate
from harness.judge.predicates import PROJECTION_CAP, figure_runs
from harness.judge.rows import run_design

# A predicate is futile when even its hopeful projection is over this many times --max-runs.
FUTILITY_MARGIN = 10.0


@dataclass(frozen=True)
class Pending:
    """An undecided claim: how near its nearest undecided predicate is to deciding, and the rows it needs."""

    claim_id: str
    promise: float
    rows: tuple[RowNeed, ...]

    def needs(self, workload: str, language: str, variant: str, params: Mapping[str, Any]) -> bool:
        """Whether the row of this program at these parameter values is one the claim needs."""
        return any((need.program.workload, need.program.language, need.program.variant) == (workload, language, variant)
                   and all(params.get(name) == value for name, value in need.params) for need in self.rows)


@dataclass(frozen=True)
class Futile:
    """An undecided claim that more runs on this machine are not worth: about how many runs a row
    would decide it (its undecided predicates' largest projection; inf when a figure sits on its threshold)."""

    claim_id: str
    runs_needed: float

    def text(self) -> str:
        """``C13: no more runs, about 190 a row would decide it``."""
        if self.runs_needed > PROJECTION_CAP:
            return f"{self.claim_id}: no more runs, its figure sits too near its threshold for runs to decide it"
        return f"{self.claim_id}: no more runs, about {self.runs_needed:.0f} a row would decide it"


def undecided(document: dict[str, Any], profile: str = "quick", memo: dict[tuple[Any, ...], Any] | None = None) -> list[Pending]:
    """The claims more runs could decide, most promising first, from a results document so far.

    ``memo``: kept between calls on one growing run, so that unchanged claims are not judged again.
    """
    return survey(document, profile, memo)[0]


def survey(document: dict[str, Any], profile: str = "quick",
           memo: dict[tuple[Any, ...], Any] | None = None) -> tuple[list[Pending], list[Futile]]:
    """``undecided``'s claims, and the undecided claims left out as futile (in claim order)."""
    cores = int((document.get("environment") or {}).get("cores_available") or 1)
    design = run_design(document.get("options"))
    best: dict[str, float] = {}
    futile: dict[str, float] = {}
    for verdict in judge_verdicts(document, memo):
        if verdict.outcome != INCONCLUSIVE:
            continue
        open_ = [p for p in verdict.predicates if p.outcome == INCONCLUSIVE and p.promise is not None]
        hopeless = [p for p in open_ if is_futile(p, design)]
        if open_ and len(hopeless) == len(open_):
            futile[verdict.claim_id] = max(futile.get(verdict.claim_id, 0.0), *(p.runs_needed[0] for p in hopeless if p.runs_needed))
        elif open_:
            best[verdict.claim_id] = min(best.get(verdict.claim_id, 1.0), *(p.promise for p in open_ if p.promise is not None))
    found = [Pending(claim_id, promise, _needed_rows(claim_id, profile, cores)) for claim_id, promise in best.items()]
    left_out = [Futile(claim_id, runs) for claim_id, runs in futile.items() if claim_id not in best]
    return (sorted(found, key=lambda pending: (pending.promise, int(pending.claim_id[1:]))),
            sorted(left_out, key=lambda claim: int(claim.claim_id[1:])))


def is_futile(predicate: Predicate, design: Design) -> bool:
    """Whether more runs are not worth spending on an undecided predicate: its rows have a run more
    than the fewest that could decide, and even its hopeful projection is over FUTILITY_MARGIN x --max-runs."""
    if predicate.runs_needed is None or predicate.figure is None:
        return False
    runs, decisive = figure_runs(predicate.figure), design.min_decisive_runs()
    if runs is None or decisive is None or runs < decisive + 1:
        return False
    return predicate.runs_needed[1] > FUTILITY_MARGIN * design.max_runs


@functools.cache
def _needed_rows(claim_id: str, profile: str, cores: int) -> tuple[RowNeed, ...]:
    """The rows a claim's predicates need under ``profile`` on ``cores`` cores (the lab's own catalogue)."""
    claim = claims_file.load()[claim_id]
    return tuple(claim.needed_rows(catalogue_loader.load(), profile, cores))


def sampling_warning(min_runs: int, max_runs: int) -> str:
    """One line when no claim can ever be decided with at most ``max_runs`` runs a row, else ""."""
    if max_runs < 2:
        return (f"warning: --max-runs {max_runs} is too few for the sequential interval to ever decide "
                f"(it needs at least {fewest_decisive_runs()} runs per row)")
    design = run_design({"min_runs": min_runs, "max_runs": max_runs})
    return f"warning: {design.warning()}" if design.warning() else ""
