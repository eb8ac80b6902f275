"""The threading claims, C5–C8 and C11: the GIL, threads for IO, the JVM's parallelism,
oversubscription, and whether Python and JavaScript can run code in parallel at all.

(Named threads.py, not threading.py, so that it never shadows the standard library's module.)
"""

from __future__ import annotations

from harness.judge.claims import Claim
from harness.judge.model import Verdict
from harness.judge.predicates import at_least, below, ratio_figure, row_ratio, speedup, unmeasured, verdict
from harness.judge.registry import judges
from harness.judge.rows import Context, largest, of, one_of, switch_rates

# C6: what each workload's threads wait on, for the statements.
WAITS = {"blocking_io": "sleeping waits", "blocking_fetch": "waits on real sockets"}


def _one_core(context: Context) -> str:
    return f"this run had {context.cores} core; parallel speedup needs at least 2"


@judges("C5")
def c5_gil(context: Context, claim: Claim) -> Verdict | None:
    """C5: Python threads give no real speedup on CPU-bound work; processes do."""
    records = context.workload(claim.workloads[0])
    ((threads,),), ((processes,),) = claim.groups("threads"), claim.groups("processes")
    steps = largest(of(records, threads), "steps")
    if steps is None:
        return None
    no_speedup, process_speedup = claim.number("no_speedup_below"), claim.number("process_speedup_at_2")
    counts = [int(t) for t in claim.spec("threads").literals("threads") if t != 1]
    predicates = []
    for workers in counts:
        figure = speedup(records, threads, workers, steps=steps)
        if figure or workers == counts[0]:  # the first count is always stated; further ones only when measured
            predicates.append(below(f"Python threads give no real speedup at {workers} workers", figure, no_speedup))
    workers = int(max(claim.spec("processes").literals("threads")))
    statement = f"Python processes speed it up at {workers} workers"
    if context.cores < 2:
        predicates.append(unmeasured(statement, f"≥ {process_speedup}", _one_core(context)))
    else:
        predicates.append(at_least(statement, speedup(records, processes, workers, steps=steps), process_speedup))
    return verdict(claim, context, predicates, f"Judged on {context.python_build()}.")


@judges("C6")
def c6_io_threads(context: Context, claim: Claim) -> Verdict | None:
    """C6: Python threads overlap blocking waits, speedup >= 0.8 x T: sleeps (blocking_io) and real sockets (blocking_fetch)."""
    efficiency = claim.number("io_efficiency")
    predicates = []
    for sequential_program, threads_program in claim.groups("overlap"):
        workload = threads_program.workload
        what = WAITS.get(workload, workload)
        records = context.workload(workload)
        threads = largest(of(records, threads_program), "threads")
        shown = f"≥ {efficiency} × T" + (f" = {efficiency * threads:g}" if threads else "")
        statement = f"Python threads overlap {what}" + (f" at {threads} workers" if threads else "")
        sequential = one_of(records, sequential_program, threads=threads) if threads else None
        threaded = one_of(records, threads_program, threads=threads) if threads else None
        if not sequential or not threaded:
            predicates.append(unmeasured(statement, shown, f"not measured: no ok {workload} rows of both variants in this run"))
            continue
        figure = row_ratio(f"Python threads over sequential, {threads} workers, {what}", sequential, threaded)
        predicates.append(at_least(statement, figure, efficiency * threads, shown))
    if all(p.figure is None for p in predicates):
        return None
    return verdict(claim, context, predicates, "Whether threads help CPU-bound work is C5.")


@judges("C7")
def c7_jvm_parallel(context: Context, claim: Claim) -> Verdict | None:
    """C7: Java threads' speedup reaches 0.8 x min(T, cores)."""
    records = context.workload(claim.workloads[0])
    ((program,),) = claim.groups("parallel")
    java = of(records, program)
    if not java:
        return None
    steps = largest(java, "steps")
    counts = sorted({r["params"]["threads"] for r in java if r["params"].get("steps") == steps and r["params"]["threads"] > 1})
    workers = min(counts, key=lambda t: (abs(t - context.cores), t)) if counts else 2  # the count nearest the cores
    ideal = min(workers, context.cores)
    efficiency = claim.number("jvm_efficiency")
    if context.cores < 2:
        predicates = [unmeasured("Java threads run in parallel", f"≥ {efficiency} × min(T, cores)", _one_core(context))]
    else:
        predicates = [at_least(f"Java threads' speedup at {workers} workers on {context.cores} cores",
                               speedup(records, program, workers, steps=steps), efficiency * ideal,
                               f"≥ {efficiency} × min(T, cores) = {efficiency * ideal:g}")]
    return verdict(claim, context, predicates, f"Largest work size, steps={steps:,}.")


@judges("C8")
def c8_oversubscription(context: Context, claim: Claim) -> Verdict | None:
    """C8: at T = 4 x cores, CPU-bound Java threads are slower than at T = cores, with more switches."""
    records = context.workload(claim.workloads[0])
    ((program,),) = claim.groups("crowded")
    java = of(records, program)
    if not java:
        return None
    steps = largest(java, "steps")
    factor, slower, rise = claim.number("oversubscribed"), claim.number("slower"), claim.number("switches_rise")
    cores = context.cores
    many = int(factor * cores)
    base, crowded = one_of(records, program, threads=cores, steps=steps), one_of(records, program, threads=many, steps=steps)
    slower_statement = f"Java threads at T={many} ({factor:g} × cores) take longer than at T={cores}"
    switches_statement = "involuntary context switches per second rise with them"
    if not base or not crowded:
        reason = f"needs Java threads at T={cores} and T={many}; this run's sweep did not reach them"
        return verdict(claim, context, [unmeasured(slower_statement, f"≥ {slower}×", reason),
                                        unmeasured(switches_statement, f"≥ {rise}×", reason)])
    predicates = [
        at_least(slower_statement, row_ratio(f"time at T={many} over T={cores}", crowded, base), slower, f"≥ {slower}×"),
        at_least(switches_statement, ratio_figure(f"involuntary switches/s at T={many} over T={cores}",
                                                  switch_rates(crowded), switch_rates(base)), rise, f"≥ {rise}×"),
    ]
    return verdict(claim, context, predicates,
                   f"Fixed total work in 64 chunks, steps={steps:,}; context switches from /proc over the whole process.")


@judges("C11")
def c11_no_parallelism(context: Context, claim: Claim) -> Verdict | None:
    """C11: neither Python (processes) nor Node (worker_threads) gets a real speedup."""
    records = context.workload(claim.workloads[0])
    if not records:
        return None
    no_speedup = claim.number("no_speedup_below")
    statements = {"python": "Python cannot run code in parallel: processes at {} workers give no real speedup",
                  "node": "JavaScript cannot run code in parallel: worker_threads at {} workers give no real speedup"}
    predicates = []
    for language, statement in statements.items():
        ((program,),) = claim.groups(language)
        workers = int(max(claim.spec(language).literals("threads")))
        steps = largest(of(records, program), "steps")
        figure = speedup(records, program, workers, steps=steps) if steps else None
        predicates.append(below(statement.format(workers), figure, no_speedup))
    note = "One interpreter or event loop is single-threaded; processes and worker_threads are how each runs code in parallel."
    if context.cores < 2:
        note += f" This run had {context.cores} core, so no speedup was possible."
    return verdict(claim, context, predicates, note)
