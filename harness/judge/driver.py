"""Judge every claim on a run: for each backend, and again for each further version of a language.

Each backend of a run is judged on its own rows. A claim that no backend could judge gets a
record with the outcome "Not measured" and the reason, so every claim is in every results file.
A claim judged again on a further version (pypy, bun) names the predicates that version's rows
entered, and one whose own programs that version skipped is a "Not measured" record saying
"not judged on pypy: " and the rows' reason.

A claim's predicates are a family: each ratio is built with the sequential interval of the run's
design (judge/predicates.py), and Holm's step-down (analyse/multiple.holm_decisions) judges the
claim again at alpha/m, alpha/(m - 1), ... so that it is Supported or Contradicted only by
decisions that survive: the chance that any of a claim's decided predicates is wrong is ≤ 5 %.

Disturbed runs (others took over a quarter of a core while they ran: measure/machine.py) are no
evidence: each row is judged on its undisturbed runs, and a claim whose rows' runs are mostly
disturbed is never decided: it stays Inconclusive, "machine busy: X of Y runs disturbed".
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from harness.analyse.figures import counted_runs
from harness.analyse.multiple import holm_decisions
from harness.analyse.sequential import Decision

# The claim functions register themselves (@judges) when their modules are imported.
from harness.judge import async_io, memory, speed, threads  # noqa: F401
from harness.judge import claims as claims_file
from harness.judge.model import CONTRADICTED, INCONCLUSIVE, NOT_MEASURED, SUPPORTED, Predicate, Verdict, combine
from harness.judge.predicates import at_level
from harness.judge.registry import Judge, registered
from harness.judge.rows import Context, Row, run_design


def judge_all(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every claim's verdict for every backend in the run, as dicts for results.json, in claim order.

    A claim that no backend could judge gets a record with the outcome "Not measured" and the
    reason in its note, so that every claim id is in every results file.
    """
    return [verdict.to_dict() for verdict in judge_verdicts(document)]


def judge_verdicts(document: dict[str, Any], memo: dict[tuple[Any, ...], Verdict | None] | None = None) -> list[Verdict]:
    """``judge_all``'s verdicts as objects (their predicates keep how near they are to deciding).

    ``memo``, kept by a caller that judges a growing run again and again (the runner), holds each
    claim's verdict by the run counts of its workloads' rows: a claim none of whose rows got a run
    since is not judged again (its bootstraps take seconds).
    """
    claims = claims_file.load()
    environment = document.get("environment", {})
    records = document["measurements"]
    design = run_design(document.get("options"))
    found: list[Verdict] = []
    for backend in _backends(records):
        rows = [r for r in records if r.get("backend", "native") == backend]
        for language, tag in [("", "")] + _further_runtimes(environment):
            chosen = [r for r in rows if _judged_runtime(r, environment, language, tag)]
            context = Context([_undisturbed(r) for r in chosen], backend, _with_runtime(environment, language, tag), design)
            for claim_id, judge in registered().items():
                claim = claims[claim_id]
                verdict = _judged(memo, context, claim, judge, (backend, language, tag))
                if verdict is None or (language and language not in claim.languages):
                    continue
                _unless_busy(verdict, claim, chosen)
                verdict.runtime = tag if tag[:1].isalpha() else f"{language}{tag}"  # pypy, python3.13t
                if language:
                    implementation = str(context.environment["runtimes"][language].get("implementation") or "")
                    if not claim.about(language, implementation):
                        found.append(_not_about(claim, verdict, implementation))
                        continue
                    verdict.runtime_predicates = _involving(verdict, found, backend)
                    own = [r for r in chosen if r["language"] == language and r["workload"] in claim.workloads]
                    if not verdict.runtime_predicates or not own:
                        continue  # this version entered none of the claim's figures, or ran none of its workloads
                    verdict = _unless_skipped(verdict, claim, own)
                found.append(verdict)
    judged = {v.claim_id for v in found if v.outcome != NOT_MEASURED}
    backend = (_backends(records) or ["native"])[0]
    return found + [_not_measured(claim, backend, records) for claim in claims.values() if claim.id not in judged]


def _judged(memo: dict[tuple[Any, ...], Verdict | None] | None, context: Context, claim: claims_file.Claim,
            judge: Judge, where: tuple[str, ...]) -> Verdict | None:
    """``judge_family``'s verdict, from ``memo`` when the claim's rows have not changed since (a copy:
    the caller marks it)."""
    if memo is None:
        return judge_family(judge, context, claim)
    rows = [r for name in claim.workloads for r in context.workload(name)]
    key = (*where, claim.id, tuple(sorted((r["workload"], r["language"], r["variant"], str(sorted(r["params"].items())),
                                          r.get("runtime", ""), r["status"], _fingerprint(r.get("runs") or [])) for r in rows)))
    if key not in memo:
        memo[key] = judge_family(judge, context, claim)
    return copy.deepcopy(memo[key])


def _fingerprint(runs: list[dict[str, Any]]) -> str:
    """A digest of the runs a row is judged on. Not their count: a row whose runs were mostly
    disturbed is judged on all of them, and once calm runs outnumber those, on the calm ones alone,
    which can be as many runs with other values behind them."""
    return hashlib.sha1(json.dumps(runs, sort_keys=True, default=str).encode()).hexdigest()


def judge_family(judge: Judge, context: Context, claim: claims_file.Claim) -> Verdict | None:
    """A claim's verdict with Holm's control over its predicates (one predicate: as judged at alpha).

    The claim is judged at each level Holm asks for (its figures built for that error); each
    predicate shows the figure of the level it was decided at, or of the last level tried.
    """
    judged: dict[float, Verdict | None] = {}

    def at(level: float) -> Verdict | None:
        if level not in judged:
            with at_level(replace(context.design, alpha=level)):
                judged[level] = judge(context, claim)
        return judged[level]

    first = at(context.design.alpha)
    if first is None or len(first.predicates) < 2:
        return first
    size = len(first.predicates)
    shown = [context.design.alpha] * size  # the level each predicate's figure is shown at

    def decider(index: int) -> Callable[[float], Decision]:
        def decide(level: float) -> Decision:
            found = at(level)
            shown[index] = level
            outcome = found.predicates[index].outcome if found and len(found.predicates) == size else INCONCLUSIVE
            return "above" if outcome == SUPPORTED else "below" if outcome == CONTRADICTED else "undecided"
        return decide

    holm_decisions([decider(i) for i in range(size)], alpha=context.design.alpha)
    predicates = [_same_family(at(level), first).predicates[i] for i, level in enumerate(shown)]
    holm = f"Holm over its {size} predicates, {context.design.alpha:.0%} in all."
    first.predicates, first.outcome = predicates, combine(predicates)
    first.note = f"{first.note} {holm}" if first.note else holm
    return first


def _same_family(verdict: Verdict | None, first: Verdict) -> Verdict:
    """``verdict`` when it has as many predicates as the first judgement, else the first (a claim whose
    predicates depend on which figures exist keeps its family as first judged)."""
    return verdict if verdict is not None and len(verdict.predicates) == len(first.predicates) else first


def measured(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The verdicts that have an outcome, without the records of claims not measured."""
    return [v for v in found if v["outcome"] != NOT_MEASURED]


def _undisturbed(record: Row) -> Row:
    """The row as the claims see it: its undisturbed runs, when they are at least half of its runs
    and at least two (one run has no spread to compare). Otherwise it keeps them all, for its figure
    to be shown: ``_unless_busy`` then holds the claim back, instead of the claim reading as not
    measured. Runs without the field are undisturbed."""
    runs = record.get("runs") or []
    kept = counted_runs(runs)
    return {**record, "runs": kept} if len(kept) < len(runs) else record


def disturbance(claim: claims_file.Claim, rows: list[Row]) -> tuple[int, int, int]:
    """(disturbed runs, all runs, rows mostly disturbed) over the ok rows of the programs the claim's predicates name."""
    programs = {(ref.workload, ref.language, ref.variant) for ref in claim.programs()}
    used = [r for r in rows if r.get("status") == "ok" and (r["workload"], r["language"], r["variant"]) in programs]
    counts = [(sum(1 for run in r.get("runs") or [] if run.get("disturbed")), len(r.get("runs") or [])) for r in used]
    return sum(d for d, _ in counts), sum(n for _, n in counts), sum(1 for d, n in counts if 2 * d > n)


def _unless_busy(verdict: Verdict, claim: claims_file.Claim, rows: list[Row]) -> None:
    """A claim whose rows' runs are mostly disturbed, or that has a row whose runs are, decides
    nothing: Inconclusive, saying so."""
    disturbed, total, busy_rows = disturbance(claim, rows)
    if 2 * disturbed <= total and not busy_rows:
        return
    busy = f"machine busy: {disturbed} of {total} runs disturbed"
    if busy_rows:
        busy += f", {busy_rows} row{'s' if busy_rows > 1 else ''} mostly"
    for predicate in verdict.predicates:
        if predicate.outcome in (SUPPORTED, CONTRADICTED):
            predicate.reason = f"{busy} (the figure alone says {predicate.outcome})"
            predicate.outcome = INCONCLUSIVE
    verdict.outcome = INCONCLUSIVE
    verdict.note = f"{busy}; {verdict.note}" if verdict.note else busy


def _involving(verdict: Verdict, found: list[Verdict], backend: str) -> list[int]:
    """The predicates of a claim judged again on a further version whose figures that version's rows
    entered: those that differ from the first version's judgement of the claim (all of them when
    there is none). Figures are compared by what the rows give (label, estimate, n), not by their
    interval, which Holm may build at another level when the other predicates decide differently."""
    first = next((v for v in found if v.claim_id == verdict.claim_id and v.backend == backend and not v.runtime), None)
    if first is None or len(first.predicates) != len(verdict.predicates):
        return list(range(len(verdict.predicates)))
    return [i for i, (mine, theirs) in enumerate(zip(verdict.predicates, first.predicates)) if _rows_of(mine) != _rows_of(theirs)]


def _rows_of(predicate: Predicate) -> tuple[Any, ...]:
    """What a predicate's figure says of the rows it came from; without a figure, why it has none."""
    figure = predicate.figure
    if figure is None:
        return predicate.statement, predicate.reason
    return predicate.statement, figure.label, figure.estimate, figure.n


def _unless_skipped(verdict: Verdict, claim: claims_file.Claim, own: list[Row]) -> Verdict:
    """A claim judged again on a further version none of whose own predicates has a figure, because
    that version skipped the claim's programs (PyPy has no asyncio.Runner), is not judged on it: a
    record saying so with the reasons of its rows (``own``: that version's rows of the claim's
    workloads), instead of an Inconclusive that reads as not measured."""
    if any(verdict.predicates[i].figure is not None for i in verdict.runtime_predicates):
        return verdict
    programs = {(ref.workload, ref.language, ref.variant) for ref in claim.programs()}
    not_ok = [r for r in own if r.get("status") != "ok" and (r["workload"], r["language"], r["variant"]) in programs]
    skipped = [r for r in not_ok if r.get("status") == "skipped"]
    if not skipped or len(skipped) < len(not_ok):
        return verdict  # a row that failed there is part of the answer: its predicates say how (Inconclusive)
    reasons = dict.fromkeys(str(r.get("reason") or "skipped").removeprefix("not available: ") for r in skipped)
    return _not_judged(claim, verdict, "; ".join(reasons))


def _not_about(claim: claims_file.Claim, verdict: Verdict, implementation: str) -> Verdict:
    """A claim about other implementations than the one judged again (reference counting is
    CPython's, and PyPy has none): a record saying so, not a verdict on figures that mean something else."""
    about = " and ".join(sorted(name for names in claim.implementations.values() for name in names))
    return _not_judged(claim, verdict, f"the claim is about {about} only, and {verdict.runtime} is {implementation}")


def _not_judged(claim: claims_file.Claim, verdict: Verdict, why: str) -> Verdict:
    """The "Not measured" record that stands for ``verdict``: "not judged on pypy: why"."""
    note = f"not judged on {verdict.runtime}: {why}"
    return Verdict(claim.id, claim.text, list(claim.workloads), verdict.backend, NOT_MEASURED, [], note, verdict.runtime)


def _further_runtimes(environment: dict[str, Any]) -> list[tuple[str, str]]:
    """(language, tag) of every chosen runtime after the first of its language."""
    versions = environment.get("runtime_versions") or {}
    return [(language, tag) for language, tags in versions.items() for tag in list(tags)[1:]]


def _with_runtime(environment: dict[str, Any], language: str, tag: str) -> dict[str, Any]:
    """The environment as the verdicts see it when a further version of ``language`` is judged:
    that version in place of the first (its build, for the notes: a free-threaded Python, say)."""
    if not language:
        return environment
    runtimes = {**(environment.get("runtimes") or {}), language: environment["runtime_versions"][language][tag]}
    return {**environment, "runtimes": runtimes}


def _judged_runtime(record: Row, environment: dict[str, Any], language: str = "", tag: str = "") -> bool:
    """Whether a row is judged: it ran on the first chosen runtime of its language, or, when the
    claims are judged again on a further version (``language``, ``tag``), on that version."""
    if record["language"] == language:
        return bool(record.get("runtime") == tag)
    mine = record.get("runtime")
    return not mine or bool(mine == (environment.get("runtimes") or {}).get(record["language"], {}).get("tag"))


def _not_measured(claim: claims_file.Claim, backend: str, records: list[Row]) -> Verdict:
    """The record of a claim no row of this run could judge, saying which workloads it needed."""
    workloads = list(claim.workloads)
    ran = {r["workload"] for r in records}
    if not ran & set(workloads):
        why = f"not measured in this run: none of {', '.join(workloads)} ran"
    else:
        why = f"not measured in this run: {', '.join(sorted(ran & set(workloads)))} ran, but not the rows this claim needs (or none ended ok)"
    return Verdict(claim.id, claim.text, workloads, backend, NOT_MEASURED, [], why)


def _backends(records: list[Row]) -> list[str]:
    return list(dict.fromkeys(r.get("backend", "native") for r in records))
