"""The async IO claims, C9, C10, C13 and C14: thousands of threads or tasks, threads for servers,
asyncio against Node's event loop, and what async fan-out saves.

C10's rule for a generator-bound event loop (only a shortfall decides) is code, here, and so is
what C10 and C13 do when the generator set a server's rate: they rank the servers by their CPU
seconds per answered request instead, a cost the generator's ceiling does not cap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.analyse import figures
from harness.analyse.figures import metric_samples, samples
from harness.judge.claims import Claim, ProgramRef
from harness.judge.model import CONTRADICTED, Figure, Predicate, Verdict
from harness.judge.predicates import (
    at_least,
    below,
    median_figure,
    per_task_ratio,
    ratio_figure,
    unmeasured,
    verdict,
    within,
)
from harness.judge.registry import judges
from harness.judge.rows import Context, Row, largest, of, one_of, run_values

GENERATOR_BOUND = "generator-bound: the load generator, not the server, set the rate"
NO_COST = ("and no CPU per request to rank the servers by (needs the server's CPU time, or a core the load "
           "generator does not share with the server)")


@judges("C9")
def c9_threads_feasible(context: Context, claim: Claim) -> Verdict | None:
    """C9: at 10,000, OS threads cost too much to run; async tasks do not."""
    records = context.workload(claim.workloads[0])
    if not records:
        return None
    share, scale = claim.number("feasible_share_of_memory"), int(claim.number("scale"))
    limit = share * context.memory_bytes
    shown = f"{share:.0%} of memory = {limit / 2**20:,.0f} MiB"
    predicates: list[Predicate] = []
    per_task: list[Figure | None] = []
    for threads, tasks in claim.groups("threads_and_tasks"):
        predicates.append(_feasibility(records, threads, scale, limit, shown, feasible=False))
        predicates.append(_feasibility(records, tasks, scale, limit, shown, feasible=True))
        per_task.append(per_task_ratio(records, threads, tasks,
                                       f"{threads.language} memory per {threads.variant} thread over per {tasks.variant} task"))
    for (tasks,) in claim.groups("tasks_only"):
        predicates.append(_feasibility(records, tasks, scale, limit, shown, feasible=True))
    note = (f"Feasible means: ran to completion at {scale:,} with a peak under a quarter of the memory available. "
            + "; ".join(f.label + ": " + f.text() for f in per_task if f))
    return verdict(claim, context, predicates, note)


def _feasibility(records: list[Row], program: ProgramRef, scale: int, limit: float, shown: str, feasible: bool) -> Predicate:
    """Whether one program ran ``scale`` tasks within ``limit`` bytes of peak memory (or, for threads, did not)."""
    kind = "async tasks" if feasible else "OS threads"
    statement = f"{scale:,} {kind} are {'feasible' if feasible else 'not feasible'} ({program.language}/{program.variant})"
    row = one_of(records, program, tasks=scale)
    if row is None:
        tried = [r for r in records if r["language"] == program.language and r["variant"] == program.variant
                 and r["params"].get("tasks") == scale]
        reason = (f"the row at {scale:,} ended {tried[0]['status']}: {tried[0]['reason']} (a failure is not evidence)"
                  if tried else f"not run at {scale:,} (the machine's thread limits or --param may prevent it)")
        return unmeasured(statement, "peak ≥ " + shown if not feasible else "peak < " + shown, reason)
    figure = median_figure(f"{program.language}/{program.variant} peak at {scale:,}",
                           [v / 2**20 for v in samples(row, "memory")], " MiB")
    if feasible:
        return below(statement, figure, limit / 2**20, "peak < " + shown)
    return at_least(statement, figure, limit / 2**20, "peak ≥ " + shown)


@judges("C10")
def c10_threads_for_servers(context: Context, claim: Claim) -> Verdict | None:
    """C10: at 256+ connections a thread-per-connection server keeps up with an event loop of its language."""
    many, keep_up, tail = int(claim.number("many_connections")), claim.number("threads_keep_up"), claim.number("thread_tail")
    cost_limit = claim.number("thread_cost")
    rate_shown, tail_shown = f"≥ {keep_up}× the event loop's", f"< {tail}× the event loop's"
    cost_shown = f"< {cost_limit}× the event loop's"
    predicates: list[Predicate] = []
    costs: list[str] = []  # each pair's CPU per request ratio, shown beside the rates
    on_cost: list[str] = []  # the pairs decided on cost, and why
    for threads, loop in claim.groups("thread_servers"):
        workload, language = threads.workload, threads.language
        records = context.workload(workload)
        if not of(records, threads) and not of(records, loop):
            continue
        most = largest(records, "connections") or 0
        name = f"{workload}: {language}/{threads.variant} against {language}/{loop.variant}"
        rate_statement = f"{name}, req/s at {most} connections"
        tail_statement = f"{name}, p99 latency at {most} connections"
        mine, theirs = one_of(records, threads, connections=most), one_of(records, loop, connections=most)
        reason = ""
        if most < many:
            reason = f"not measured: needs {many} connections or more, this run's largest was {most}"
        elif not mine or not theirs:
            reason = "a row is missing or not ok"
        if reason or mine is None or theirs is None:
            predicates += [unmeasured(rate_statement, rate_shown, reason), unmeasured(tail_statement, tail_shown, reason)]
            continue
        rate = at_least(rate_statement, ratio_figure(f"{workload} req/s, {threads.variant}/{loop.variant}",
                                                     _rates(mine), _rates(theirs)), keep_up, rate_shown)
        cost = _cost_ratio(f"{workload} CPU per request, {threads.variant}/{loop.variant}", mine, theirs)
        if cost:
            costs.append(f"{cost.label}: {cost.text()}")
        bound = _bound(mine, theirs, threads, loop)
        if bound:
            # The rates and latencies are partly the generator's; the CPU each request cost the
            # server is not. A generator-bound event loop's rate still decides a shortfall.
            if not figures.generator_bound(mine) and rate.outcome == CONTRADICTED:
                predicates.append(rate)
            predicates.append(_on_cost(below, f"{name}, CPU per request at {most} connections", cost, cost_limit,
                                       cost_shown, bound))
            on_cost += [f"{name} ({bound} generator-bound)"] if cost else []
            continue
        predicates.append(rate)
        predicates.append(below(tail_statement, ratio_figure(f"{workload} p99, {threads.variant}/{loop.variant}",
                                                             run_values(mine, "latency_p99_us"), run_values(theirs, "latency_p99_us")),
                                tail, tail_shown))
    if not predicates:
        return None
    return verdict(claim, context, predicates,
                   "Same cores, same request handling; closed-loop load, so a slow server also gets fewer requests. "
                   "Java's two HTTP servers both hand requests from one selector to threads, so Java is judged on TCP echo."
                   + _cost_note(costs, on_cost))


def _rates(record: Row) -> list[float]:
    return run_values(record, "requests_per_s")


def _cost_ratio(label: str, mine: Row, theirs: Row) -> Figure | None:
    """One server's CPU seconds per answered request over another's (Welch ratio), or None."""
    return ratio_figure(label, run_values(mine, "cpu_s_per_request"), run_values(theirs, "cpu_s_per_request"))


def _bound(mine: Row, theirs: Row, first: ProgramRef, second: ProgramRef) -> str:
    """``python/asyncio``: the programs of the two rows whose generator set their rate ("" for none)."""
    return " and ".join(f"{program.language}/{program.variant}"
                        for record, program in ((mine, first), (theirs, second)) if figures.generator_bound(record))


def _on_cost(test: Callable[..., Predicate], statement: str, cost: Figure | None, threshold: Any, shown: str,
             bound: str) -> Predicate:
    """A generator-bound pair judged on its CPU per request (``test``: below or within), saying so."""
    if cost is None:
        return unmeasured(statement, shown, f"{GENERATOR_BOUND} ({bound}), {NO_COST}")
    return test(f"{statement} (decided on cost: {bound} generator-bound)", cost, threshold, shown)


def _cost_note(costs: list[str], on_cost: list[str]) -> str:
    """The CPU per request ratios beside the rates, and which pairs were decided on them."""
    text = (" CPU per request (the server's CPU over the load window per answered request): " + "; ".join(costs) + "."
            if costs else "")
    if on_cost:
        text += (" Decided on CPU per request, because the load generator set the rate: " + "; ".join(on_cost) + "."
                 " A server's cost per request does not depend on the generator's ceiling.")
    return text


@judges("C13")
def c13_asyncio_like_node(context: Context, claim: Claim) -> Verdict | None:
    """C13: Node over asyncio, per workload, within 0.67-1.5x."""
    band = claim.band("alike")
    shown = f"within {band[0]}–{band[1]}×"
    predicates: list[Predicate] = []
    costs: list[str] = []
    on_cost: list[str] = []
    for node, python in claim.groups("servers"):
        workload = node.workload
        records = context.workload(workload)
        most = largest(records, "connections")
        if most is None:
            continue
        mine, theirs = one_of(records, node, connections=most), one_of(records, python, connections=most)
        name = f"{workload}: Node {node.variant} and asyncio {python.variant} serve alike at {most} connections"
        if not mine or not theirs:
            predicates.append(unmeasured(f"{name} (req/s)", shown, "a row is missing or not ok"))
            continue
        # asyncio's cost over Node's, so that above 1 means Node does better, as Node's rate over asyncio's does.
        cost = _cost_ratio(f"{workload} CPU per request, asyncio/Node", theirs, mine)
        if cost:
            costs.append(f"{cost.label}: {cost.text()}")
        bound = _bound(mine, theirs, node, python)
        if bound:
            predicates.append(_on_cost(within, f"{name} (CPU per request, asyncio/Node)", cost, band, shown, bound))
            on_cost += [f"{workload} ({bound} generator-bound)"] if cost else []
        else:
            predicates.append(within(f"{name} (req/s)", ratio_figure(f"{workload} req/s, Node/asyncio", _rates(mine),
                                                                     _rates(theirs)), band, shown))
    for node, python in claim.groups("memory_per_task"):
        records = context.workload(node.workload)
        if records:
            predicates.append(within(f"{node.workload}: memory per task alike (Node promises / asyncio tasks)",
                                     per_task_ratio(records, node, python), band, shown))
    for node, python in claim.groups("fetch"):
        pages = context.workload(node.workload)
        node_rows, python_rows = of(pages, node), of(pages, python)
        if node_rows and python_rows:
            predicates.append(within(f"{node.workload}: time to fetch alike (Node {node.variant} / asyncio {python.variant})",
                                     ratio_figure(f"{node.workload} time, Node/asyncio", samples(node_rows[-1], "time"),
                                                  samples(python_rows[-1], "time")), band, shown))
    if not predicates:
        return None
    return verdict(claim, context, predicates,
                   "A ratio of 1 is alike; the band is the claim's 'much alike'." + _cost_note(costs, on_cost))


@judges("C14")
def c14_async_cuts_waiting(context: Context, claim: Claim) -> Verdict | None:
    """C14: async fan-out of N waits of d with C in flight takes near N*d/C, not the sequential N*d."""
    records = context.workload(claim.workloads[0])
    near = claim.number("near_ideal")
    predicates = []
    for (program,) in claim.groups("fan_out"):
        rows = of(records, program)
        if not rows:
            continue
        row = rows[-1]
        ideal = metric_samples(row, "ideal_s")
        times = samples(row, "time")
        if not ideal or not times:
            continue
        params = row["params"]
        sequential = params["pages"] * params["delay_ms"] / 1000
        label = f"{program.language}/{program.variant}"
        figure = median_figure(f"{label} time over the ideal N·d/C = {ideal[0]:.3g} s (sequential N·d = {sequential:g} s)",
                               [t / ideal[0] for t in times], "×")
        predicates.append(below(f"{label}: fanning out {params['pages']} fetches, {params['concurrency']} at a time, "
                                f"takes close to the ideal", figure, near, f"< {near:g}× the ideal"))
    if not predicates:
        return None
    return verdict(claim, context, predicates, "Fetching one page after another would take N·d, the concurrency C times the ideal.")
