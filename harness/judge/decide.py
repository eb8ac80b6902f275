"""Which rows more runs would help: the claims still undecided, most promising first (issue 28, point 1).

The runner asks this after each round. It judges the measurements so far exactly as the report
will (driver.judge_verdicts: the sequential interval of the run's design, Holm within each claim),
and returns each claim that has an undecided predicate with a figure, with the rows its
predicates need (claims.toml, resolved by ``Claim.needed_rows``). A claim whose undecided
predicates have no figure (not measured, generator-bound, one core) is left out: more runs of its
rows cannot decide it.

Most promising first: the claim whose undecided interval is nearest to clearing its threshold
(``Predicate.promise``: 0 when it touches it, or only the run count holds it back).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.analyse.sequential import fewest_decisive_runs
from harness.catalogue import loader as catalogue_loader
from harness.judge import claims as claims_file
from harness.judge.claims import RowNeed
from harness.judge.driver import judge_verdicts
from harness.judge.model import INCONCLUSIVE
from harness.judge.rows import run_design


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


def undecided(document: dict[str, Any], profile: str = "quick", memo: dict[tuple[Any, ...], Any] | None = None) -> list[Pending]:
    """The claims more runs could decide, most promising first, from a results document so far.

    ``memo``: kept between calls on one growing run, so that unchanged claims are not judged again.
    """
    cores = int((document.get("environment") or {}).get("cores_available") or 1)
    best: dict[str, float] = {}
    for verdict in judge_verdicts(document, memo):
        if verdict.outcome != INCONCLUSIVE:
            continue
        promises = [p.promise for p in verdict.predicates if p.outcome == INCONCLUSIVE and p.promise is not None]
        if promises:
            best[verdict.claim_id] = min(best.get(verdict.claim_id, 1.0), *promises)
    found = [Pending(claim_id, promise, _needed_rows(claim_id, profile, cores)) for claim_id, promise in best.items()]
    return sorted(found, key=lambda pending: (pending.promise, int(pending.claim_id[1:])))


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
