"""Verdicts on the claims of shared/CLAIMS.md, computed from a run's rows as data.

A claim is split into predicates, each a figure with its 95 % interval set against a threshold
that is written next to it. A predicate is Supported when the whole interval lies on the
claim's side of the threshold, Contradicted when it lies wholly on the other side, and
Inconclusive when it straddles it or the run did not measure what the predicate needs. A claim
is Contradicted if any predicate is, Supported if every one is, and Inconclusive otherwise.

Only ok rows are evidence: a crash, a timeout or a program's refusal of its own thread budget
never supports or contradicts anything. Each backend of a run is judged on its own rows.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from harness.analyse import figures, stats
from harness.analyse.figures import metric_samples, samples

SUPPORTED, CONTRADICTED, INCONCLUSIVE = "Supported", "Contradicted", "Inconclusive"
NOT_MEASURED = "Not measured"  # a claim none of whose workloads ran: a record, never an outcome
RULES_VERSION = 2

# The claims of shared/CLAIMS.md, in its order: id -> the claim in a sentence.
CLAIMS = {
    "C1": "A generator holds one item at a time; a list of a million ints needs room for all of them.",
    "C2": "Reference counting frees an object as soon as its last reference goes.",
    "C3": "Reference counting alone cannot free cycles.",
    "C4": "Updating reference counts makes CPython's memory management slower than a tracing collector.",
    "C5": "Python threads do not speed up CPU-bound work; processes do.",
    "C6": "Python threads help when the work waits on IO.",
    "C7": "JVM threads run truly in parallel on all cores.",
    "C8": "Many more CPU-bound threads than cores make things slower through context switches.",
    "C9": "Thousands of threads are not feasible; thousands of async tasks are.",
    "C10": "A large number of threads suits IO-bound servers.",
    "C11": "Neither Python nor JavaScript can execute code in parallel.",
    "C12": "Node is faster than Python.",
    "C13": "asyncio and Node's event loop are much alike in what they achieve.",
    "C14": "Async IO cuts total time when work would otherwise block.",
}

# The workloads each claim is judged on (CLAIMS.md's "answered by" column, as built here).
CLAIM_WORKLOADS = {
    "C1": ["eager_lazy"], "C2": ["drop_observe"], "C3": ["cyclic_garbage"], "C4": ["alloc_churn"], "C5": ["cpu_scaling"],
    "C6": ["blocking_io", "blocking_fetch"], "C7": ["cpu_scaling"], "C8": ["cpu_scaling"], "C9": ["sleepers"],
    "C10": ["tcp_echo", "http_hello"], "C11": ["cpu_scaling"], "C12": ["alloc_churn", "cpu_scaling"],
    "C13": ["tcp_echo", "http_hello", "sleepers", "fetch_pages"], "C14": ["fetch_pages"],
}

# The languages whose runtime each claim is about: a run of several versions of one language
# judges these claims again on each further version (C5 on a free-threaded Python, say).
CLAIM_LANGUAGES = {
    "C1": {"python"}, "C2": {"python"}, "C3": {"python"}, "C4": {"python", "java", "node"}, "C5": {"python"},
    "C6": {"python"}, "C7": {"java"}, "C8": {"java"}, "C9": {"python", "java", "node"}, "C10": {"python", "java"},
    "C11": {"python", "node"}, "C12": {"python", "node"}, "C13": {"python", "node"}, "C14": {"python", "java", "node"},
}

# Thresholds, named so the report and the tests read the same numbers.
NO_SPEEDUP_BELOW = 1.2  # a speedup under this is "no real speedup"
PROCESS_SPEEDUP_AT_2 = 1.5  # CLAIMS C5: processes at 2 workers
JVM_EFFICIENCY = 0.8  # CLAIMS C7: speedup >= 0.8 x min(T, cores)
IO_EFFICIENCY = 0.8  # CLAIMS C6: speedup >= 0.8 x T
LAZY_SHARE_BELOW = 0.1  # CLAIMS C1: eager grows >= 10x as fast as lazy
EAGER_BYTES_PER_ITEM = 4.0  # room for every item: at least 4 bytes each
FREED_AT_ONCE = 0.9  # CLAIMS C2: reference counting gives back at least 90 % before any collection
HELD_UNTIL_GC = 0.5  # C2: a tracing heap gives back under half before a collection
CYCLES_LEFT_PER_PAIR = 1.0  # gc off: at least one object left per pair made
CYCLES_LEFT_WITH_GC = 0.01  # gc on: at most 1 % of the pairs left
CYCLE_MEMORY_RATIO = 2.0  # gc off holds at least twice the peak of gc on
FEASIBLE_SHARE_OF_MEMORY = 0.25  # feasible: a quarter of the run's memory or less
SCALE = 10_000  # CLAIMS C9: "thousands" is judged at 10,000
FASTER = 1.2  # CLAIMS C12: Node "faster" means at least 1.2x on the geometric mean
OVERSUBSCRIBED = 4  # CLAIMS C8: T = 4 x cores against T = cores
SLOWER = 1.1  # C8: "slower" means at least 10 % more time
SWITCHES_RISE = 1.5  # C8: involuntary context switches per second at least 1.5x
ALIKE = (0.67, 1.5)  # CLAIMS C13: Node/asyncio ratios within this band are "alike"
NEAR_IDEAL = 2.0  # C14: async fan-out within 2x of the ideal N*d/C
NAMES = {"python": "Python", "java": "Java", "node": "Node"}
COUNTER_RESOLUTION_S = {"java": 0.001, "node": 1e-6}  # C4: the JVM counts collection time in whole ms
MANY_CONNECTIONS = 256  # C10: "a large number" of connections, one thread each
THREADS_KEEP_UP = 0.8  # C10: thread-per-connection serves at least 80 % of the event loop's rate
THREAD_TAIL = 1.5  # C10: ... with a p99 latency under 1.5x the event loop's


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

    def text(self) -> str:
        """``1.02× (0.97–1.08), n=5 vs 5, not significant``."""
        kind = " range" if self.method.endswith("range") else ""
        if self.low == self.high == self.estimate:
            value = f"{_number(self.estimate)}{self.unit} (every run alike)"
        else:
            value = f"{_number(self.estimate)}{self.unit} ({_number(self.low)}–{_number(self.high)}{kind})"
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


@dataclass
class Verdict:
    """A claim's outcome on one backend of a run, with the predicates that decided it."""

    claim_id: str
    claim: str
    workloads: list
    backend: str
    outcome: str
    predicates: list = field(default_factory=list)
    note: str = ""
    runtime: str = ""  # judged again on a further version of one language (python3.13t); "" for the first

    def to_dict(self) -> dict:
        """JSON-ready, for results.json."""
        return asdict(self)


def judge_all(document: dict) -> list[dict]:
    """Every claim's verdict for every backend in the run, as dicts for results.json.

    A claim that no backend could judge gets a record with the outcome "Not measured" and the
    reason in its note, so that every claim id of CLAIMS.md is in every results file.
    """
    environment = document.get("environment", {})
    found = []
    for backend in _backends(document["measurements"]):
        rows = [r for r in document["measurements"] if r.get("backend", "native") == backend]
        for language, tag in [("", "")] + _further_runtimes(environment):
            chosen = [r for r in rows if _judged_runtime(r, environment, language, tag)]
            context = _Context(chosen, backend, _with_runtime(environment, language, tag))
            for judge in JUDGES:
                verdict = judge(context)
                if verdict is None or (language and language not in CLAIM_LANGUAGES[verdict.claim_id]):
                    continue
                verdict.runtime = f"{language}{tag}"
                if language and _same_figures(verdict, found, backend):
                    continue  # this version entered none of the claim's figures: nothing new to say
                found.append(verdict.to_dict())
    judged = {v["claim_id"] for v in found}
    backend = (_backends(document["measurements"]) or ["native"])[0]
    return found + [_not_measured(claim_id, backend, document["measurements"]) for claim_id in CLAIMS if claim_id not in judged]


def _same_figures(verdict: Verdict, found: list, backend: str) -> bool:
    """Whether a claim judged again on a further version has exactly the first version's figures."""
    first = next((v for v in found if v["claim_id"] == verdict.claim_id and v["backend"] == backend and not v["runtime"]), None)
    figures = [asdict(p)["figure"] for p in verdict.predicates]
    return first is not None and figures == [p["figure"] for p in first["predicates"]]


def _further_runtimes(environment: dict) -> list:
    """(language, tag) of every chosen runtime after the first of its language."""
    versions = environment.get("runtime_versions") or {}
    return [(language, tag) for language, tags in versions.items() for tag in list(tags)[1:]]


def _with_runtime(environment: dict, language: str, tag: str) -> dict:
    """The environment as the verdicts see it when a further version of ``language`` is judged:
    that version in place of the first (its build, for the notes: a free-threaded Python, say)."""
    if not language:
        return environment
    runtimes = {**(environment.get("runtimes") or {}), language: environment["runtime_versions"][language][tag]}
    return {**environment, "runtimes": runtimes}


def _judged_runtime(record: dict, environment: dict, language: str = "", tag: str = "") -> bool:
    """Whether a row is judged: it ran on the first chosen runtime of its language, or, when the
    claims are judged again on a further version (``language``, ``tag``), on that version."""
    if record["language"] == language:
        return record.get("runtime") == tag
    mine = record.get("runtime")
    return not mine or mine == (environment.get("runtimes") or {}).get(record["language"], {}).get("tag")


def _not_measured(claim_id, backend, records) -> dict:
    workloads = CLAIM_WORKLOADS[claim_id]
    ran = {r["workload"] for r in records}
    if not ran & set(workloads):
        why = f"not measured in this run: none of {', '.join(workloads)} ran"
    else:
        why = f"not measured in this run: {', '.join(sorted(ran & set(workloads)))} ran, but not the rows this claim needs (or none ended ok)"
    return Verdict(claim_id, CLAIMS[claim_id], workloads, backend, NOT_MEASURED, [], why).to_dict()


def measured(found: list) -> list:
    """The verdicts that have an outcome, without the records of claims not measured."""
    return [v for v in found if v["outcome"] != NOT_MEASURED]


def _backends(records) -> list:
    return list(dict.fromkeys(r.get("backend", "native") for r in records))


class _Context:
    """The rows of one backend, and the machine facts that thresholds depend on."""

    def __init__(self, rows, backend, environment):
        self.rows, self.backend, self.environment = rows, backend, environment
        backends = environment.get("backends") or {}
        self.machine = backends.get(backend, environment)

    def workload(self, name):
        return [r for r in self.rows if r["workload"] == name]

    @property
    def cores(self) -> int:
        return int(self.machine.get("cores_available") or self.environment.get("cores_available") or 1)

    @property
    def memory_bytes(self) -> float:
        limit = self.machine.get("memory_limit_bytes") or self.environment.get("memory_limit_bytes")
        total = self.machine.get("memory_total_bytes") or self.environment.get("memory_total_bytes") or 0
        return float(min(limit, total) if limit and total else (limit or total))

    def python_build(self) -> str:
        info = (self.machine.get("runtimes") or self.environment.get("runtimes") or {}).get("python", {})
        build = "free-threaded" if info.get("gil") is False else "GIL"
        return f"CPython {info.get('version', '?')} ({build} build)"


# ------------------------------------------------------------------ row and figure helpers


def _rows(records, language, variant=None, **params):
    """ok rows of one program (and parameter values); language None for every language."""
    return [
        r for r in records
        if r["status"] == "ok" and (language is None or r["language"] == language) and (variant is None or r["variant"] == variant)
        and all(r["params"].get(k) == v for k, v in params.items())
    ]


def _one(records, language, variant, **params):
    found = _rows(records, language, variant, **params)
    return found[0] if found else None


def _largest(records, param):
    values = [r["params"][param] for r in records if param in r["params"] and r["status"] == "ok"]
    return max(values) if values else None


def ratio_figure(label, a, b, unit="×") -> Figure | None:
    """A over B as a Welch ratio with its interval and significance, or None without two runs a side."""
    found = stats.compare(a, b)
    if found is None:
        return None
    return Figure(label, found.ratio, found.low, found.high, f"{found.n_a} vs {found.n_b}", unit, found.significant,
                  "ratio of geometric means, Welch t interval on logs")


def _median_figure(label, values, unit="") -> Figure | None:
    summary = stats.summarize(values)
    if not summary:
        return None
    return Figure(label, summary["median"], summary["ci_low"], summary["ci_high"], str(summary["n"]), unit,
                  None, f"median, {summary['interval']}")


def _bootstrap_figure(label, sample_sets, statistic, unit="") -> Figure | None:
    found = stats.bootstrap_interval(sample_sets, statistic)
    if found is None:
        return None
    estimate, low, high = found
    return Figure(label, estimate, low, high, " / ".join(str(len(s)) for s in sample_sets), unit, None,
                  "percentile bootstrap, each row's runs resampled")


def at_least(statement, figure, threshold, shown=None) -> Predicate:
    """Supported when the interval lies at or above ``threshold``, Contradicted when wholly below."""
    text = shown or f"≥ {_number(threshold)}"
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, "not measured in this run")
    if figure.low >= threshold:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.high < threshold:
        return Predicate(statement, text, CONTRADICTED, figure)
    return Predicate(statement, text, INCONCLUSIVE, figure, "the interval straddles the threshold")


def within(statement, figure, band, shown=None) -> Predicate:
    """Supported when the interval lies inside ``band``, Contradicted when wholly outside it."""
    low, high = band
    text = shown or f"within {_number(low)}–{_number(high)}"
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, "not measured in this run")
    if low <= figure.low and figure.high <= high:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.high < low or figure.low > high:
        return Predicate(statement, text, CONTRADICTED, figure)
    return Predicate(statement, text, INCONCLUSIVE, figure, "the interval reaches outside the band")


def below(statement, figure, threshold, shown=None) -> Predicate:
    """Supported when the interval lies wholly below ``threshold``, Contradicted when at or above it."""
    text = shown or f"< {_number(threshold)}"
    if figure is None:
        return Predicate(statement, text, INCONCLUSIVE, None, "not measured in this run")
    if figure.high < threshold:
        return Predicate(statement, text, SUPPORTED, figure)
    if figure.low >= threshold:
        return Predicate(statement, text, CONTRADICTED, figure)
    return Predicate(statement, text, INCONCLUSIVE, figure, "the interval straddles the threshold")


def unmeasured(statement, threshold, reason) -> Predicate:
    """A predicate this run could not test, with the reason."""
    return Predicate(statement, threshold, INCONCLUSIVE, None, reason)


def combine(predicates) -> str:
    """Contradicted if any predicate is, Supported if all are, else Inconclusive."""
    outcomes = [p.outcome for p in predicates]
    if CONTRADICTED in outcomes:
        return CONTRADICTED
    if outcomes and all(o == SUPPORTED for o in outcomes):
        return SUPPORTED
    return INCONCLUSIVE


def _verdict(claim_id, workloads, context, predicates, note="") -> Verdict:
    return Verdict(claim_id, CLAIMS[claim_id], workloads, context.backend, combine(predicates), predicates, note)


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    return stats.fmt_number(value)


# ------------------------------------------------------------------ the claims


def c1_generators(context) -> Verdict | None:
    """C1: eager grows with n at least 4 bytes per item; lazy grows under a tenth as fast."""
    records = context.workload("eager_lazy")
    if not records:
        return None
    predicates = []
    for language, eager, lazy in (("python", "list", "generator"), ("java", "arraylist", "stream"), ("node", "array", "generator")):
        sizes = sorted({r["params"]["n"] for r in _rows(records, language, eager)} & {r["params"]["n"] for r in _rows(records, language, lazy)})
        if len(sizes) < 2:
            reason = "needs two sizes n of both variants (the quick and full profiles sweep n)"
            predicates.append(unmeasured(f"{language}: {eager} holds every item, {lazy} one at a time",
                                         f"≥ {EAGER_BYTES_PER_ITEM:.0f} B per item; lazy < {LAZY_SHARE_BELOW} of eager's growth", reason))
            continue
        small, large = sizes[0], sizes[-1]
        sets = [samples(_one(records, language, v, n=size), "memory") for v in (eager, lazy) for size in (small, large)]
        growth = _bootstrap_figure(f"{language} {eager}: extra peak memory per item, n={small:,}→{large:,}", [sets[0], sets[1]],
                                   lambda a, b: (np.median(b) - np.median(a)) / (large - small), " B")
        share = _bootstrap_figure(f"{language} {lazy}/{eager}: growth of peak memory with n", sets,
                                  lambda ea, eb, la, lb: (np.median(lb) - np.median(la)) / (np.median(eb) - np.median(ea)), "×")
        predicates.append(at_least(f"{language} {eager} needs room for every item", growth, EAGER_BYTES_PER_ITEM,
                                   f"≥ {EAGER_BYTES_PER_ITEM:.0f} B per item"))
        predicates.append(below(f"{language} {lazy} holds one at a time: its memory grows under a tenth as fast", share,
                                LAZY_SHARE_BELOW, f"< {LAZY_SHARE_BELOW} of eager's growth"))
    return _verdict("C1", ["eager_lazy"], context, predicates,
                    "Peak memory is the run's cgroup peak (else RSS); growth between two sizes cancels the runtime's own baseline.")


def c2_prompt_freeing(context) -> Verdict | None:
    """C2: right after the last reference goes, CPython's heap falls back; the JVM's and V8's do not."""
    records = context.workload("drop_observe")
    n = _largest(records, "n")
    if n is None:
        return None
    predicates = []
    for language, claim_side, threshold in (("python", True, FREED_AT_ONCE), ("java", False, HELD_UNTIL_GC), ("node", False, HELD_UNTIL_GC)):
        row = _one(records, language, "default", n=n)
        figure = _median_figure(f"{language}: share freed before any collection, n={n:,}",
                                metric_samples(row, "freed_at_once_share")) if row else None
        if claim_side:
            predicates.append(at_least("CPython frees the records the moment the last reference goes (reference counting)",
                                       figure, threshold, f"≥ {threshold:.0%} of what they held"))
        else:
            runtime = "the JVM" if language == "java" else "V8"
            predicates.append(below(f"{runtime} keeps them until a collection runs (tracing)", figure, threshold,
                                    f"< {threshold:.0%} of what they held"))
    gc_runs = [f"{r['language']} {stats.median(metric_samples(r, 'gc_between')):.0f}" for r in _rows(records, None)
               if metric_samples(r, "gc_between")]
    note = ("Heap: CPython's allocated blocks (with the cycle collector off, so only reference counting frees), "
            "the JVM's and V8's used heap. Collections between building and the reading at once: " + (", ".join(gc_runs) or "not reported") + ".")
    return _verdict("C2", ["drop_observe"], context, predicates, note)


def c3_cycles(context) -> Verdict | None:
    """C3: with CPython's cycle collector off the cycles stay; on, they are freed."""
    records = context.workload("cyclic_garbage")
    m = _largest(_rows(records, "python"), "m")
    if m is None:
        return None
    off, on = _one(records, "python", "gc_off", m=m), _one(records, "python", "gc_on", m=m)
    left_off = _median_figure(f"objects left per iteration, collector off, m={m:,}", metric_samples(off, "uncollected_objects")) if off else None
    left_on = _median_figure(f"objects left per iteration, collector on, m={m:,}", metric_samples(on, "uncollected_objects")) if on else None
    memory = ratio_figure(f"peak memory, collector off / on, m={m:,}", samples(off, "memory"), samples(on, "memory")) if off and on else None
    predicates = [
        at_least("with the collector off, reference counting leaves every pair's cycle", left_off, CYCLES_LEFT_PER_PAIR * m,
                 f"≥ {m:,} objects (one per pair)"),
        below("with the collector on, the cycles are freed", left_on, CYCLES_LEFT_WITH_GC * m,
              f"< {CYCLES_LEFT_WITH_GC:.0%} of m = {CYCLES_LEFT_WITH_GC * m:,.0f}"),
        at_least("the uncollected cycles hold memory", memory, CYCLE_MEMORY_RATIO, f"≥ {CYCLE_MEMORY_RATIO:g}× the peak with the collector on"),
    ]
    return _verdict("C3", ["cyclic_garbage"], context, predicates,
                    "Counts are per iteration: the program collects after each timed iteration.")


def c4_refcount_cost(context) -> Verdict | None:
    """C4: the time CPython spends freeing by reference count, per object, against a tracing collector's pauses."""
    records = context.workload("alloc_churn")
    depth = _largest(_rows(records, "python"), "depth")
    python = _one(records, "python", "default", depth=depth) if depth else None
    if python is None:
        return None
    freeing, whole = _per_object_ns(python, "refcount_free_s"), _per_object_ns(python, None)
    predicates, shares = [], [f"Python: reference counting frees {_share(python, 'refcount_free_s')} of its time, "
                              f"the cycle collector {_share(python, 'gc_pause_s')}"]
    for language, runtime in (("java", "the JVM's collector"), ("node", "V8's collector")):
        tracing = _one(records, language, "default", depth=depth)
        statement = f"reference counting takes longer per object than {runtime} (binary trees, depth {depth})"
        if tracing is None:
            predicates.append(unmeasured(statement, "> 1×", f"no ok {language} row at depth {depth}"))
            continue
        # A pause under the counter's resolution reads 0: count it as one whole tick, which can
        # only make the tracing side look slower, so it may support the claim but never contradict it.
        pauses = _per_object_ns(tracing, "gc_pause_s")
        ticks = _per_object_ns(tracing, "gc_pause_s", floor_s=COUNTER_RESOLUTION_S[language])
        lower = ratio_figure(f"Python's refcount freeing / {NAMES[language]}'s collector pauses, per object", freeing, ticks)
        upper = (ratio_figure(f"Python's whole time / {NAMES[language]}'s collector pauses, per object", whole, pauses)
                 if pauses == ticks else None)
        predicates.append(_bounded(statement, lower, upper, 1.0))
        shares.append(f"{NAMES[language]}: collector pauses {_share(tracing, 'gc_pause_s')} of its time ({_collectors(tracing)})")
    note = ("Reference counting's freeing is timed where each tree is dropped; the increments and decrements inside running "
            "code are part of the interpreter's time and no CPython counter separates them, so Python's freeing alone is a "
            "lower bound on refcounting's cost and its whole time an upper bound. Allocation itself is not counted in any "
            "runtime. Tracing collectors' figures are their pauses: work on other threads while the program runs is not in them. "
            + "; ".join(shares) + ".")
    return _verdict("C4", ["alloc_churn"], context, predicates, note)


def _per_object_ns(record, metric, floor_s=0.0) -> list:
    """Per run: a metric's seconds (or the whole timed work, for None) per node built, in ns."""
    values = []
    for run in record.get("runs") or []:
        work, ops = run.get("work_s") or [], run.get("ops")
        seconds = sum(work) if metric is None else (run.get("metrics") or {}).get(metric)
        if work and ops and isinstance(seconds, (int, float)):
            values.append(max(seconds, floor_s) / (ops * len(work)) * 1e9)
    return values


def _share(record, metric) -> str:
    shares = [(run.get("metrics") or {}).get(metric, 0) / sum(run["work_s"]) for run in record.get("runs") or [] if run.get("work_s")]
    return f"{np.median(shares):.1%}" if shares else "?"


def _collectors(record) -> str:
    metrics = record["runs"][0].get("metrics") or {}
    names = [key[3:-6].replace("_", " ") for key, count in metrics.items() if key.startswith("gc_") and key.endswith("_count")
             and key != "gc_count" and not key.startswith("gc_gen") and count]
    return ", ".join(names) or "its default collector"


def _bounded(statement, lower, upper, threshold) -> Predicate:
    """Supported when even the lower bound's interval lies above ``threshold``, Contradicted when
    even the upper bound's lies below it; between the two the run cannot tell."""
    shown = f"> {_number(threshold)}×"
    if lower is None:
        return Predicate(statement, shown, INCONCLUSIVE, None, "not measured in this run")
    if lower.low > threshold:
        return Predicate(statement, shown, SUPPORTED, lower)
    if upper is None:
        return Predicate(statement, shown, INCONCLUSIVE, lower,
                         "the freeing alone is not above it, and a collector time under its counter's resolution cannot decide")
    if upper.high < threshold:
        return Predicate(statement, shown, CONTRADICTED, upper)
    return Predicate(statement, shown, INCONCLUSIVE, lower,
                     "the freeing alone is not above it and the whole time is not below it: refcount updates in running code decide")


def _speedup(records, language, variant, workers, **params) -> Figure | None:
    """A variant's time at 1 worker over its time at ``workers``, at the given other params."""
    one, many = _one(records, language, variant, threads=1, **params), _one(records, language, variant, threads=workers, **params)
    if not one or not many:
        return None
    return ratio_figure(f"{language}/{variant} speedup at {workers} workers", samples(one, "time"), samples(many, "time"))


def _python_steps(records):
    return _largest(_rows(records, "python", "threads"), "steps")


def c5_gil(context) -> Verdict | None:
    """C5: Python threads give no real speedup on CPU-bound work; processes do."""
    records = context.workload("cpu_scaling")
    steps = _python_steps(records)
    if steps is None:
        return None
    predicates = []
    for workers in (2, 4):
        figure = _speedup(records, "python", "threads", workers, steps=steps)
        if figure or workers == 2:
            predicates.append(below(f"Python threads give no real speedup at {workers} workers", figure, NO_SPEEDUP_BELOW))
    if context.cores < 2:
        predicates.append(unmeasured("Python processes speed it up at 2 workers", f"≥ {PROCESS_SPEEDUP_AT_2}",
                                     f"this run had {context.cores} core; parallel speedup needs at least 2"))
    else:
        predicates.append(at_least("Python processes speed it up at 2 workers", _speedup(records, "python", "processes", 2, steps=steps),
                                   PROCESS_SPEEDUP_AT_2))
    return _verdict("C5", ["cpu_scaling"], context, predicates, f"Judged on {context.python_build()}.")


def c7_jvm_parallel(context) -> Verdict | None:
    """C7: Java threads' speedup reaches 0.8 x min(T, cores)."""
    records = context.workload("cpu_scaling")
    java = _rows(records, "java", "threads")
    if not java:
        return None
    steps = _largest(java, "steps")
    counts = sorted({r["params"]["threads"] for r in java if r["params"].get("steps") == steps and r["params"]["threads"] > 1})
    workers = min(counts, key=lambda t: (abs(t - context.cores), t)) if counts else 2
    ideal = min(workers, context.cores)
    if context.cores < 2:
        predicates = [unmeasured("Java threads run in parallel", f"≥ {JVM_EFFICIENCY} × min(T, cores)",
                                 f"this run had {context.cores} core; parallel speedup needs at least 2")]
    else:
        predicates = [at_least(f"Java threads' speedup at {workers} workers on {context.cores} cores",
                               _speedup(records, "java", "threads", workers, steps=steps), JVM_EFFICIENCY * ideal,
                               f"≥ {JVM_EFFICIENCY} × min(T, cores) = {JVM_EFFICIENCY * ideal:g}")]
    return _verdict("C7", ["cpu_scaling"], context, predicates, f"Largest work size, steps={steps:,}.")


def c11_no_parallelism(context) -> Verdict | None:
    """C11: neither Python (processes) nor Node (worker_threads) gets a real speedup."""
    records = context.workload("cpu_scaling")
    if not records:
        return None
    steps_python = _python_steps(records)
    steps_node = _largest(_rows(records, "node", "workers"), "steps")
    predicates = [
        below("Python cannot run code in parallel: processes at 2 workers give no real speedup",
              _speedup(records, "python", "processes", 2, steps=steps_python) if steps_python else None, NO_SPEEDUP_BELOW),
        below("JavaScript cannot run code in parallel: worker_threads at 2 workers give no real speedup",
              _speedup(records, "node", "workers", 2, steps=steps_node) if steps_node else None, NO_SPEEDUP_BELOW),
    ]
    note = "One interpreter or event loop is single-threaded; processes and worker_threads are how each runs code in parallel."
    if context.cores < 2:
        note += f" This run had {context.cores} core, so no speedup was possible."
    return _verdict("C11", ["cpu_scaling"], context, predicates, note)


def c6_io_threads(context) -> Verdict | None:
    """C6: Python threads overlap blocking waits, speedup >= 0.8 x T: sleeps (blocking_io) and real sockets (blocking_fetch)."""
    predicates = []
    for workload, what in (("blocking_io", "sleeping waits"), ("blocking_fetch", "waits on real sockets")):
        records = context.workload(workload)
        threads = _largest(_rows(records, "python", "threads"), "threads")
        shown = f"≥ {IO_EFFICIENCY} × T" + (f" = {IO_EFFICIENCY * threads:g}" if threads else "")
        statement = f"Python threads overlap {what}" + (f" at {threads} workers" if threads else "")
        sequential = _one(records, "python", "sequential", threads=threads) if threads else None
        threaded = _one(records, "python", "threads", threads=threads) if threads else None
        if not sequential or not threaded:
            predicates.append(unmeasured(statement, shown, f"not measured: no ok {workload} rows of both variants in this run"))
            continue
        figure = ratio_figure(f"Python threads over sequential, {threads} workers, {what}",
                              samples(sequential, "time"), samples(threaded, "time"))
        predicates.append(at_least(statement, figure, IO_EFFICIENCY * threads, shown))
    if all(p.figure is None for p in predicates):
        return None
    return _verdict("C6", ["blocking_io", "blocking_fetch"], context, predicates, "Whether threads help CPU-bound work is C5.")


def c9_threads_feasible(context) -> Verdict | None:
    """C9: at 10,000, OS threads cost too much to run; async tasks do not."""
    records = context.workload("sleepers")
    if not records:
        return None
    limit = FEASIBLE_SHARE_OF_MEMORY * context.memory_bytes
    shown = f"{FEASIBLE_SHARE_OF_MEMORY:.0%} of memory = {limit / 2**20:,.0f} MiB"
    predicates, figures = [], []
    for language, threads, tasks in (("python", "threads", "asyncio"), ("java", "platform", "virtual")):
        predicates.append(_feasibility(records, language, threads, limit, shown, feasible=False))
        predicates.append(_feasibility(records, language, tasks, limit, shown, feasible=True))
        figures.append(_per_task_ratio(records, (language, threads), (language, tasks),
                                       f"{language} memory per {threads} thread over per {tasks} task"))
    predicates.append(_feasibility(records, "node", "promises", limit, shown, feasible=True))
    note = ("Feasible means: ran to completion at 10,000 with a peak under a quarter of the memory available. "
            + "; ".join(f.label + ": " + f.text() for f in figures if f))
    return _verdict("C9", ["sleepers"], context, predicates, note)


def _feasibility(records, language, variant, limit, shown, feasible: bool) -> Predicate:
    kind = "async tasks" if feasible else "OS threads"
    statement = f"{SCALE:,} {kind} are {'feasible' if feasible else 'not feasible'} ({language}/{variant})"
    row = _one(records, language, variant, tasks=SCALE)
    if row is None:
        tried = [r for r in records if r["language"] == language and r["variant"] == variant and r["params"].get("tasks") == SCALE]
        reason = (f"the row at {SCALE:,} ended {tried[0]['status']}: {tried[0]['reason']} (a failure is not evidence)"
                  if tried else f"not run at {SCALE:,} (the machine's thread limits or --param may prevent it)")
        return unmeasured(statement, "peak ≥ " + shown if not feasible else "peak < " + shown, reason)
    figure = _median_figure(f"{language}/{variant} peak at {SCALE:,}", [v / 2**20 for v in samples(row, "memory")], " MiB")
    if feasible:
        return below(statement, figure, limit / 2**20, "peak < " + shown)
    return at_least(statement, figure, limit / 2**20, "peak ≥ " + shown)


def c12_node_faster(context) -> Verdict | None:
    """C12: the geometric mean over CPU-bound workloads of Python time over Node time."""
    pairs = []
    churn = context.workload("alloc_churn")
    depth = _largest(churn, "depth")
    if depth:
        pairs.append((f"alloc_churn depth={depth}", _one(churn, "python", "default", depth=depth), _one(churn, "node", "default", depth=depth)))
    scaling = context.workload("cpu_scaling")
    steps = _python_steps(scaling) or _largest(_rows(scaling, "python", "sequential"), "steps")
    if steps:
        pairs.append((f"cpu_scaling sequential steps={steps:,}", _one(scaling, "python", "sequential", steps=steps, threads=1),
                      _one(scaling, "node", "sequential", steps=steps, threads=1)))
    pairs = [(name, p, n) for name, p, n in pairs if p and n]
    if not pairs:
        return None
    per_workload = [ratio_figure(f"Python/Node time, {name}", samples(p, "time"), samples(n, "time")) for name, p, n in pairs]
    sets = [s for _, p, n in pairs for s in (samples(p, "time"), samples(n, "time"))]

    def geometric_mean(*values):
        logs = [math.log(np.median(values[i]) / np.median(values[i + 1])) for i in range(0, len(values), 2)]
        return math.exp(sum(logs) / len(logs))

    overall = _bootstrap_figure(f"geometric mean of Python/Node time over {len(pairs)} workloads", sets, geometric_mean, "×")
    predicates = [at_least("Node is faster than Python on CPU-bound work (geometric mean)", overall, FASTER, f"≥ {FASTER}×")]
    note = "Per workload (warm time): " + "; ".join(f.label + " " + f.text() for f in per_workload if f)
    return _verdict("C12", ["alloc_churn", "cpu_scaling"], context, predicates, note)


def c8_oversubscription(context) -> Verdict | None:
    """C8: at T = 4 x cores, CPU-bound Java threads are slower than at T = cores, with more switches."""
    records = context.workload("cpu_scaling")
    java = _rows(records, "java", "threads")
    if not java:
        return None
    steps = _largest(java, "steps")
    many = OVERSUBSCRIBED * context.cores
    base, crowded = _one(records, "java", "threads", threads=context.cores, steps=steps), _one(records, "java", "threads", threads=many, steps=steps)
    slower_statement = f"Java threads at T={many} (4 × cores) take longer than at T={context.cores}"
    switches_statement = "involuntary context switches per second rise with them"
    if not base or not crowded:
        reason = f"needs Java threads at T={context.cores} and T={many}; this run's sweep did not reach them"
        return _verdict("C8", ["cpu_scaling"], context, [unmeasured(slower_statement, f"≥ {SLOWER}×", reason),
                                                         unmeasured(switches_statement, f"≥ {SWITCHES_RISE}×", reason)])
    predicates = [
        at_least(slower_statement, ratio_figure(f"time at T={many} over T={context.cores}", samples(crowded, "time"),
                                                samples(base, "time")), SLOWER, f"≥ {SLOWER}×"),
        at_least(switches_statement, ratio_figure(f"involuntary switches/s at T={many} over T={context.cores}",
                                                  _switch_rates(crowded), _switch_rates(base)), SWITCHES_RISE,
                 f"≥ {SWITCHES_RISE}×"),
    ]
    return _verdict("C8", ["cpu_scaling"], context, predicates,
                    f"Fixed total work in 64 chunks, steps={steps:,}; context switches from /proc over the whole process.")


def _switch_rates(record) -> list:
    return [run["ctx_involuntary"] / run["wall_s"] for run in record.get("runs") or []
            if run.get("ctx_involuntary") and run.get("wall_s")]


def c13_asyncio_like_node(context) -> Verdict | None:
    """C13: Node over asyncio, per workload, within 0.67-1.5x."""
    predicates = []
    for workload, node, python in (("tcp_echo", "net", "streams"), ("http_hello", "http", "asyncio")):
        records = context.workload(workload)
        most = _largest(records, "connections")
        if most is None:
            continue
        mine, theirs = _one(records, "node", node, connections=most), _one(records, "python", python, connections=most)
        statement = f"{workload}: Node {node} and asyncio {python} serve alike at {most} connections (req/s)"
        if not mine or not theirs:
            predicates.append(unmeasured(statement, _band(), "a row is missing or not ok"))
        elif figures.generator_bound(mine) or figures.generator_bound(theirs):
            predicates.append(unmeasured(statement, _band(), "generator-bound: the load generator, not the server, set the rate"))
        else:
            predicates.append(within(statement, ratio_figure(f"{workload} req/s, Node/asyncio", _rates(mine), _rates(theirs)),
                                     ALIKE, _band()))
    sleepers = context.workload("sleepers")
    if sleepers:
        predicates.append(within("sleepers: memory per task alike (Node promises / asyncio tasks)",
                                 _per_task_ratio(sleepers, ("node", "promises"), ("python", "asyncio")), ALIKE, _band()))
    pages = context.workload("fetch_pages")
    node, python = _rows(pages, "node", "fetch"), _rows(pages, "python", "streams")
    if node and python:
        predicates.append(within("fetch_pages: time to fetch alike (Node fetch / asyncio streams)",
                                 ratio_figure("fetch_pages time, Node/asyncio", samples(node[-1], "time"), samples(python[-1], "time")),
                                 ALIKE, _band()))
    if not predicates:
        return None
    return _verdict("C13", ["tcp_echo", "http_hello", "sleepers", "fetch_pages"], context, predicates,
                    "A ratio of 1 is alike; the band is the claim's 'much alike'.")


# C10's pairs: the same language and the same request handling, a thread per connection against
# an event loop. Java's HTTP servers are both the JDK's HttpServer (a selector hands requests to
# threads), so Java is judged on TCP echo only.
THREAD_SERVER_PAIRS = (
    ("tcp_echo", "python", "threads", "streams"),
    ("tcp_echo", "java", "platform", "nio"),
    ("tcp_echo", "java", "virtual", "nio"),
    ("http_hello", "python", "threads", "asyncio"),
)


def c10_threads_for_servers(context) -> Verdict | None:
    """C10: at 256+ connections a thread-per-connection server keeps up with an event loop of its language."""
    predicates = []
    for workload, language, threads, loop in THREAD_SERVER_PAIRS:
        records = context.workload(workload)
        if not _rows(records, language, threads) and not _rows(records, language, loop):
            continue
        most = _largest(records, "connections") or 0
        name = f"{workload}: {language}/{threads} against {language}/{loop}"
        rate_statement = f"{name}, req/s at {most} connections"
        tail_statement = f"{name}, p99 latency at {most} connections"
        rate_shown, tail_shown = f"≥ {THREADS_KEEP_UP}× the event loop's", f"< {THREAD_TAIL}× the event loop's"
        mine, theirs = _one(records, language, threads, connections=most), _one(records, language, loop, connections=most)
        reason = ""
        if most < MANY_CONNECTIONS:
            reason = f"not measured: needs {MANY_CONNECTIONS} connections or more, this run's largest was {most}"
        elif not mine or not theirs:
            reason = "a row is missing or not ok"
        elif figures.generator_bound(mine):
            reason = "generator-bound: the load generator, not the server, set the rate"
        if reason:
            predicates += [unmeasured(rate_statement, rate_shown, reason), unmeasured(tail_statement, tail_shown, reason)]
            continue
        rate = at_least(rate_statement, ratio_figure(f"{workload} req/s, {threads}/{loop}", _rates(mine), _rates(theirs)),
                        THREADS_KEEP_UP, rate_shown)
        if figures.generator_bound(theirs):
            # The event loop may be faster than the generator let it show: the ratio is an upper
            # bound, so only a shortfall is conclusive, and the latencies are the generator's.
            if rate.outcome != CONTRADICTED:
                rate = Predicate(rate.statement, rate.threshold, INCONCLUSIVE, rate.figure,
                                 f"{language}/{loop} was generator-bound: its real rate may be higher, so only a shortfall decides")
            predicates += [rate, unmeasured(tail_statement, tail_shown, f"{language}/{loop} was generator-bound")]
            continue
        predicates.append(rate)
        predicates.append(below(tail_statement, ratio_figure(f"{workload} p99, {threads}/{loop}", _p99s(mine), _p99s(theirs)),
                                THREAD_TAIL, tail_shown))
    if not predicates:
        return None
    return _verdict("C10", ["tcp_echo", "http_hello"], context, predicates,
                    "Same cores, same request handling; closed-loop load, so a slow server also gets fewer requests. "
                    "Java's two HTTP servers both hand requests from one selector to threads, so Java is judged on TCP echo.")


def _p99s(record) -> list:
    return [run["latency_p99_us"] for run in record.get("runs") or [] if run.get("latency_p99_us")]


def _band() -> str:
    return f"within {ALIKE[0]}–{ALIKE[1]}×"


def _rates(record) -> list:
    return [run["requests_per_s"] for run in record.get("runs") or [] if run.get("requests_per_s")]


def _per_task_ratio(records, first, second, label=None) -> Figure | None:
    """Memory per task of one program over another's, each from its own sweep (bootstrap)."""
    ends = {}
    for language, variant in (first, second):
        counts = sorted(r["params"]["tasks"] for r in _rows(records, language, variant))
        if len(counts) < 2:
            return None
        ends[(language, variant)] = (counts[0], counts[-1])
    sets = [samples(_one(records, *program, tasks=count), "memory") for program in (first, second) for count in ends[program]]
    (f0, f1), (s0, s1) = ends[first], ends[second]
    label = label or f"memory per task, {first[0]}/{first[1]} over {second[0]}/{second[1]}"
    return _bootstrap_figure(label, sets,
                             lambda a, b, c, d: ((np.median(b) - np.median(a)) / (f1 - f0)) / ((np.median(d) - np.median(c)) / (s1 - s0)), "×")


def c14_async_cuts_waiting(context) -> Verdict | None:
    """C14: async fan-out of N waits of d with C in flight takes near N*d/C, not the sequential N*d."""
    records = context.workload("fetch_pages")
    predicates = []
    for language, variant in (("python", "streams"), ("java", "sendasync"), ("node", "fetch")):
        rows = _rows(records, language, variant)
        if not rows:
            continue
        row = rows[-1]
        ideal = metric_samples(row, "ideal_s")
        times = samples(row, "time")
        if not ideal or not times:
            continue
        params = row["params"]
        sequential = params["pages"] * params["delay_ms"] / 1000
        figure = _median_figure(f"{language}/{variant} time over the ideal N·d/C = {ideal[0]:.3g} s (sequential N·d = {sequential:g} s)",
                                [t / ideal[0] for t in times], "×")
        predicates.append(below(f"{language}/{variant}: fanning out {params['pages']} fetches, {params['concurrency']} at a time, "
                                f"takes close to the ideal", figure, NEAR_IDEAL, f"< {NEAR_IDEAL:g}× the ideal"))
    if not predicates:
        return None
    return _verdict("C14", ["fetch_pages"], context, predicates,
                    "Fetching one page after another would take N·d, the concurrency C times the ideal.")


JUDGES = (c1_generators, c2_prompt_freeing, c3_cycles, c4_refcount_cost, c5_gil, c6_io_threads, c7_jvm_parallel, c8_oversubscription, c9_threads_feasible,
          c10_threads_for_servers, c11_no_parallelism, c12_node_faster, c13_asyncio_like_node, c14_async_cuts_waiting)
