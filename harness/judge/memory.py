"""The memory claims, C1–C4: what a generator holds, when reference counting frees, cycles, refcounting's cost.

Each function takes its thresholds and programs from claims.toml (``claim``). C4's bracket, a
lower and an upper bound on refcounting's cost, is decided here in code, not in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.analyse import stats
from harness.analyse.figures import metric_samples, samples
from harness.judge.claims import Claim, ProgramRef
from harness.judge.model import CONTRADICTED, INCONCLUSIVE, SUPPORTED, Figure, Predicate, Verdict, number_text
from harness.judge.predicates import (
    NOT_MEASURED_HERE,
    TOO_FEW,
    at_least,
    below,
    bootstrap_figure,
    finite,
    median_figure,
    ratio_figure,
    row_ratio,
    too_few_reason,
    unmeasured,
    verdict,
)
from harness.judge.registry import judges
from harness.judge.rows import Context, Row, known, largest, of, ok_rows, one_of

NAMES = {"python": "Python", "java": "Java", "node": "Node"}
RUNTIMES = {"java": "the JVM", "node": "V8"}


@judges("C1")
def c1_generators(context: Context, claim: Claim) -> Verdict | None:
    """C1: eager grows with n at least 4 bytes per item; lazy grows under a tenth as fast."""
    records = context.workload(claim.workloads[0])
    if not records:
        return None
    per_item, share_below = claim.number("eager_bytes_per_item"), claim.number("lazy_share_below")
    predicates = []
    for eager, lazy in claim.groups("eager_and_lazy"):
        language = eager.language
        sizes = sorted({r["params"]["n"] for r in of(records, eager)} & {r["params"]["n"] for r in of(records, lazy)})
        if len(sizes) < 2:
            reason = "needs two sizes n of both variants (the quick and full profiles sweep n)"
            predicates.append(unmeasured(f"{language}: {eager.variant} holds every item, {lazy.variant} one at a time",
                                         f"≥ {per_item:.0f} B per item; lazy < {share_below} of eager's growth", reason))
            continue
        small, large = sizes[0], sizes[-1]
        sets = [samples(known(records, program, n=size), "memory") for program in (eager, lazy) for size in (small, large)]

        def growth_per_item(a: Any, b: Any, axis: int = -1) -> Any:
            return (np.median(b, axis=axis) - np.median(a, axis=axis)) / (large - small)

        def lazy_share(ea: Any, eb: Any, la: Any, lb: Any, axis: int = -1) -> Any:
            return (np.median(lb, axis=axis) - np.median(la, axis=axis)) / (np.median(eb, axis=axis) - np.median(ea, axis=axis))

        growth = bootstrap_figure(f"{language} {eager.variant}: extra peak memory per item, n={small:,}→{large:,}",
                                  [sets[0], sets[1]], growth_per_item, " B", vectorized=True)
        share = bootstrap_figure(f"{language} {lazy.variant}/{eager.variant}: growth of peak memory with n", sets, lazy_share, "×", vectorized=True)
        predicates.append(at_least(f"{language} {eager.variant} needs room for every item", growth, per_item,
                                   f"≥ {per_item:.0f} B per item"))
        predicates.append(below(f"{language} {lazy.variant} holds one at a time: its memory grows under a tenth as fast", share,
                                share_below, f"< {share_below} of eager's growth"))
    return verdict(claim, context, predicates,
                   "Peak memory is the row's headline peak (GNU time's %M for one process, summed PSS for a tree); growth between two sizes cancels the runtime's own baseline.")


@judges("C2")
def c2_prompt_freeing(context: Context, claim: Claim) -> Verdict | None:
    """C2: right after the last reference goes, CPython's heap falls back; the JVM's and V8's do not."""
    records = context.workload(claim.workloads[0])
    n = largest(records, "n")
    if n is None:
        return None

    def share_freed(row: Row | None, language: str) -> Figure | None:
        return median_figure(f"{language}: share freed before any collection, n={n:,}",
                             metric_samples(row, "freed_at_once_share")) if row else None

    predicates = []
    freed = claim.number("freed_at_once")
    for (program,) in claim.groups("freed_at_once"):
        predicates.append(at_least("CPython frees the records the moment the last reference goes (reference counting)",
                                   share_freed(one_of(records, program, n=n), program.language), freed,
                                   f"≥ {freed:.0%} of what they held"))
    held = claim.number("held_until_gc")
    for (program,) in claim.groups("held_until_gc"):
        predicates.append(below(f"{RUNTIMES[program.language]} keeps them until a collection runs (tracing)",
                                share_freed(one_of(records, program, n=n), program.language), held,
                                f"< {held:.0%} of what they held"))
    gc_runs = [f"{r['language']} {stats.median(metric_samples(r, 'gc_between')):.0f}" for r in ok_rows(records, None)
               if metric_samples(r, "gc_between")]
    note = ("Heap: CPython's allocated blocks (with the cycle collector off, so only reference counting frees), "
            "the JVM's and V8's used heap. Collections between building and the reading at once: " + (", ".join(gc_runs) or "not reported") + ".")
    return verdict(claim, context, predicates, note)


@judges("C3")
def c3_cycles(context: Context, claim: Claim) -> Verdict | None:
    """C3: with CPython's cycle collector off the cycles stay; on, they are freed."""
    records = context.workload(claim.workloads[0])
    ((gc_off, gc_on),) = claim.groups("collector_off_and_on")
    m = largest(ok_rows(records, gc_off.language), "m")
    if m is None:
        return None
    off, on = one_of(records, gc_off, m=m), one_of(records, gc_on, m=m)
    left_off = median_figure(f"objects left per iteration, collector off, m={m:,}", metric_samples(off, "uncollected_objects")) if off else None
    left_on = median_figure(f"objects left per iteration, collector on, m={m:,}", metric_samples(on, "uncollected_objects")) if on else None
    memory = row_ratio(f"peak memory, collector off / on, m={m:,}", off, on, "memory") if off and on else None
    per_pair, with_gc, ratio = claim.number("cycles_left_per_pair"), claim.number("cycles_left_with_gc"), claim.number("cycle_memory_ratio")
    predicates = [
        at_least("with the collector off, reference counting leaves every pair's cycle", left_off, per_pair * m,
                 f"≥ {m:,} objects (one per pair)"),
        below("with the collector on, the cycles are freed", left_on, with_gc * m, f"< {with_gc:.0%} of m = {with_gc * m:,.0f}"),
        at_least("the uncollected cycles hold memory", memory, ratio, f"≥ {ratio:g}× the peak with the collector on"),
    ]
    return verdict(claim, context, predicates, "Counts are per iteration: the program collects after each timed iteration.")


@judges("C4")
def c4_refcount_cost(context: Context, claim: Claim) -> Verdict | None:
    """C4: the time CPython spends freeing by reference count, per object, against a tracing collector's pauses.

    One predicate per tracing collector: the JVM's default (G1) and V8's always, and each further JVM
    collector (claims.toml's "collectors": Parallel, Serial, ZGC, Shenandoah) the run has a row of,
    named by the collector its JVM reported. Holm runs over all of them, and they combine as every
    claim's predicates do: Supported when reference counting is slower than every collector measured,
    Contradicted when it is faster than any one.
    """
    records = context.workload(claim.workloads[0])
    ((refcounting,),) = claim.groups("refcounting")
    depth = largest(ok_rows(records, refcounting.language), "depth")
    python = one_of(records, refcounting, depth=depth) if depth else None
    if python is None:
        return None
    variants = [group for group in claim.groups("collectors") if _ran(records, group[0])]
    refcount = _Refcounting(_per_object_ns(python, "refcount_free_s"), _per_object_ns(python, None), depth,
                            claim.number("above"), claim.per_language("counter_resolution_s"))
    predicates, shares = [], [f"Python: reference counting frees {_share(python, 'refcount_free_s')} of its time, "
                              f"the cycle collector {_share(python, 'gc_pause_s')}"]
    for (program,) in (*claim.groups("tracing"), *variants):
        predicate, share = _against(refcount, records, program, named=bool(variants))
        predicates.append(predicate)
        shares += [share] if share else []
    note = ("Reference counting's freeing is timed where each tree is dropped; the increments and decrements inside running "
            "code are part of the interpreter's time and no CPython counter separates them, so Python's freeing alone is a "
            "lower bound on refcounting's cost and its whole time an upper bound. Allocation itself is not counted in any "
            "runtime. Tracing collectors' figures are their pauses: work on other threads while the program runs is not in them. "
            + ("Each JVM collector is named as its GC MXBeans report it; ZGC's and Shenandoah's concurrent cycles are not "
               "pauses and are left out. The claim holds only if reference counting is slower than every collector. " if variants else "")
            + "; ".join(shares) + ".")
    return verdict(claim, context, predicates, note)


@dataclass(frozen=True)
class _Refcounting:
    """Python's side of C4 at one depth: per-object nanoseconds of its refcount freeing and of its whole
    time per run, with the claim's threshold and each runtime's collector counter resolution."""

    freeing: list[float]
    whole: list[float]
    depth: int
    above: float
    resolution: Mapping[str, float]


def _against(refcount: _Refcounting, records: list[Row], program: ProgramRef, named: bool) -> tuple[Predicate, str]:
    """One tracing collector's predicate against reference counting, and its share of time for the note ("" without one).

    ``named``: the run has further JVM collectors, so each JVM predicate names the collector its row reports.
    """
    language, depth, above = program.language, refcount.depth, refcount.above
    tracing = one_of(records, program, depth=depth)
    # A collector variant without an ok row is named by its variant (the default one: "default collector").
    collector = ((tracing and _collector_name(tracing)) or program.variant) if named and language == "java" else ""
    who = f"{NAMES[language]}'s {collector + ' ' if collector else ''}collector"
    statement = (f"reference counting takes longer per object than {RUNTIMES[language]}'s "
                 f"{collector + ' ' if collector else ''}collector (binary trees, depth {depth})")
    if tracing is None:
        return unmeasured(statement, f"> {above:g}×", _no_row(records, program, depth)), ""
    if not _reports(tracing, "gc_pause_s"):
        # Bun and Deno deliver no collector events: their pauses are unknown, not zero.
        return unmeasured(statement, f"> {above:g}×", f"{tracing.get('runtime') or language} reports no collector pauses"), ""
    # A pause under the counter's resolution reads 0: count it as one whole tick, which can
    # only make the tracing side look slower, so it may support the claim but never contradict it.
    pauses = _per_object_ns(tracing, "gc_pause_s")
    ticks = _per_object_ns(tracing, "gc_pause_s", floor_s=refcount.resolution[language])
    lower = ratio_figure(f"Python's refcount freeing / {who} pauses, per object", refcount.freeing, ticks)
    upper = (ratio_figure(f"Python's whole time / {who} pauses, per object", refcount.whole, pauses)
             if pauses == ticks else None)
    share = f"{NAMES[language]}{' ' + collector if collector else ''}: collector pauses {_share(tracing, 'gc_pause_s')} of its time ({_collectors(tracing)})"
    return _bounded(statement, lower, upper, above), share


def _ran(records: list[Row], program: ProgramRef) -> bool:
    """Whether the run has a row of ``program`` that was not skipped (a --full collector variant in a quick run is not)."""
    return any((r["language"], r["variant"]) == (program.language, program.variant) and r["status"] != "skipped" for r in records)


def _no_row(records: list[Row], program: ProgramRef, depth: int) -> str:
    """Why a tracing program has no ok row at ``depth``, with a failed row's own reason (a collector flag the JVM ignored)."""
    name = program.language if program.variant == "default" else f"{program.language}/{program.variant}"
    failed = [r for r in records if (r["language"], r["variant"]) == (program.language, program.variant)
              and r["params"].get("depth") == depth and r["status"] != "ok" and r.get("reason")]
    return f"no ok {name} row at depth {depth}" + (f": {failed[0]['reason']}" if failed else "")


def _per_object_ns(record: Row, metric: str | None, floor_s: float = 0.0) -> list[float]:
    """Per run: a metric's seconds (or the whole timed work, for None) per node built, in ns.

    A JVM's ``gc_pause_s`` is its pauses only: Kit.gcTotals leaves out ZGC's and Shenandoah's
    concurrent cycles, which run beside the program."""
    values = []
    for run in record.get("runs") or []:
        work, ops = run.get("work_s") or [], run.get("ops")
        seconds: Any = sum(work) if metric is None else (run.get("metrics") or {}).get(metric)
        if work and ops and isinstance(seconds, int | float):
            values.append(max(seconds, floor_s) / (ops * len(work)) * 1e9)
    return values


def _reports(record: Row, metric: str) -> bool:
    """Whether every measured run of a row reports ``metric``: a runtime without the counter leaves it out."""
    runs = [run for run in record.get("runs") or [] if run.get("work_s")]
    return all(metric in (run.get("metrics") or {}) for run in runs)


def _share(record: Row, metric: str) -> str:
    """The median share of a run's work time that ``metric`` took, as a percentage."""
    shares = [(run.get("metrics") or {}).get(metric, 0) / sum(run["work_s"]) for run in record.get("runs") or [] if run.get("work_s")]
    return f"{np.median(shares):.1%}" if shares else "?"


def _bean_names(record: Row) -> list[str]:
    """The GC MXBeans a JVM run reports counts of, as its metrics spell them (g1_young_generation, ...)."""
    metrics = ((record.get("runs") or [{}])[0]).get("metrics") or {}  # an ok row may not have a run yet (mid-run)
    return [key[3:-6] for key in metrics if key.startswith("gc_") and key.endswith("_count")
            and key != "gc_count" and not key.startswith("gc_gen")]


def _collectors(record: Row) -> str:
    """The collectors a JVM or V8 run reports having run (G1 young, ...)."""
    metrics = ((record.get("runs") or [{}])[0]).get("metrics") or {}
    beans = _bean_names(record)
    names = [bean.replace("_", " ") for bean in beans if metrics.get(f"gc_{bean}_count")]
    # V8 names no collectors; a JVM whose collector ran no collection in the run names none either
    return ", ".join(names) or ("no collection in its first run" if beans else "its default collector")


# The JVM's collectors by the first word of the GC MXBeans they register (JDK 17–25).
JVM_COLLECTORS = {"g1": "G1", "ps": "Parallel", "copy": "Serial", "marksweepcompact": "Serial", "zgc": "ZGC", "shenandoah": "Shenandoah"}


def _collector_name(record: Row) -> str:
    """The collector a JVM row ran with, as its GC MXBeans name it: G1, Parallel, ZGC, generational ZGC, ...; "" when unreported."""
    beans = _bean_names(record)
    names = dict.fromkeys(JVM_COLLECTORS[bean.split("_")[0]] for bean in beans if bean.split("_")[0] in JVM_COLLECTORS)
    if "ZGC" in names and any(bean.startswith("zgc_minor") for bean in beans):
        names = {("generational ZGC" if name == "ZGC" else name): None for name in names}
    return " and ".join(names)


def _bounded(statement: str, lower: Figure | None, upper: Figure | None, threshold: float) -> Predicate:
    """Supported when even the lower bound's interval lies above ``threshold``, Contradicted when
    even the upper bound's lies below it; between the two the run cannot tell."""
    shown = f"> {number_text(threshold)}×"
    lower, upper = finite(lower), finite(upper)
    if lower is None:
        return Predicate(statement, shown, INCONCLUSIVE, None, NOT_MEASURED_HERE)
    if TOO_FEW in lower.method or (upper is not None and TOO_FEW in upper.method):
        return Predicate(statement, shown, INCONCLUSIVE, lower, too_few_reason(), promise=0.0)
    if lower.low > threshold:
        return Predicate(statement, shown, SUPPORTED, lower)
    if upper is None:
        return Predicate(statement, shown, INCONCLUSIVE, lower,
                         "the freeing alone is not above it, and a collector time under its counter's resolution cannot decide")
    if upper.high < threshold:
        return Predicate(statement, shown, CONTRADICTED, upper)
    return Predicate(statement, shown, INCONCLUSIVE, lower,
                     "the freeing alone is not above it and the whole time is not below it: refcount updates in running code decide")
