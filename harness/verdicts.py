"""Measured verdicts on common claims, computed from a run's rows: one function per claim.

Each function gets every row of the workload that answers the claim and returns one sentence
with the figures, or None when this run did not measure what the verdict needs.
"""

from __future__ import annotations

from harness import analysis

MB = 1e6


def verdict(workload: str, records: list) -> str | None:
    """The verdict for ``workload``'s claim, if it has one and the run measured enough."""
    judge = VERDICTS.get(workload)
    return judge(records) if judge else None


def _rows(records, language, variant=None, **params):
    """ok rows of one program (and parameter values), sorted by parameters."""
    return [
        r for r in records
        if r["status"] == "ok" and r["language"] == language and (variant is None or r["variant"] == variant)
        and all(r["params"].get(k) == v for k, v in params.items())
    ]


def _median(record, field):
    summary = (record.get("summary") or {}).get(field)
    return summary["median"] if summary else None


def _metric(record, name):
    summary = ((record.get("summary") or {}).get("metrics") or {}).get(name)
    return summary["median"] if summary else None


def _judged(confirmed: bool, figures: str) -> str:
    """Prefix the figures with what they say about the claim; the data decides, never the code."""
    return ("Confirmed: " if confirmed else "Not confirmed in this run: ") + figures


def _largest(records, param):
    values = [r["params"][param] for r in records if param in r["params"] and r["status"] == "ok"]
    return max(values) if values else None


def eager_lazy(records):
    n = _largest(records, "n")
    pairs = [("python", "list", "generator"), ("java", "arraylist", "stream"), ("node", "array", "generator")]
    parts, confirmed = [], True
    for language, eager, lazy in pairs:
        e, l = _rows(records, language, eager, n=n), _rows(records, language, lazy, n=n)
        if e and l:
            held, streamed = analysis.memory(e[0]), analysis.memory(l[0])
            confirmed &= held > 1.5 * streamed
            parts.append(f"{language} {eager} peaked at {held / MB:.0f} MB against {streamed / MB:.0f} MB for {lazy}")
    if not parts:
        return None
    return _judged(confirmed, f"at n={n:,}, " + "; ".join(parts) + ".")


def cyclic_garbage(records):
    m = _largest(records, "m")
    on, off = _rows(records, "python", "gc_on", m=m), _rows(records, "python", "gc_off", m=m)
    if not on or not off:
        return None
    on_mb, off_mb = analysis.memory(on[0]) / MB, analysis.memory(off[0]) / MB
    left = _metric(off[0], "uncollected_objects")
    pause = _metric(on[0], "gc_pause_s")
    text = (f"at m={m:,}, with the cycle collector off, reference counting alone left "
            f"{left:,.0f} objects in cycles unreclaimed and CPython peaked at {off_mb:.0f} MB, against {on_mb:.0f} MB "
            f"with the collector on")
    if pause is not None:
        text += f", which spent {pause * 1000:.0f} ms in {_metric(on[0], 'gc_count'):,.0f} collections to free them"
    confirmed = bool(left and left >= m and off_mb > 2 * on_mb)
    return _judged(confirmed, text + ".")


def thread_spawn(records):
    slopes = {row["program"]: row for row in analysis.slope(records, "count")}
    parts = []
    for label, row in slopes.items():
        language, variant = label.split("/")
        top = _rows(records, language, variant, count=row["to"])
        started = _metric(top[0], "start_s") if top else None
        timing = f" and started them in {started:.2f} s" if started is not None else ""
        parts.append(f"{label} held {row['memory_last_bytes'] / MB:.0f} MB at {row['to']:,} threads "
                     f"({row['bytes_per_unit'] / 1024:.0f} KiB each){timing}")
    if not parts:
        return None
    # Not feasible would mean a count that failed to start or ran out of memory here.
    failed = [f"{r['language']}/{r['variant']} at {r['params'].get('count')}" for r in records
              if r["status"] in ("failed", "timeout", "oom")]
    outcome = f"failed: {', '.join(failed)}" if failed else "every count started and ran"
    return _judged(bool(failed), "; ".join(parts) + f". {outcome.capitalize()}.")


def cpu_scaling(records):
    threads = _largest(records, "threads")
    speedups = {}
    for language, variant in (("python", "threads"), ("python", "processes"), ("java", "threads"), ("node", "workers")):
        mine = _rows(records, language, variant)
        steps = _largest(mine, "steps")
        rows = analysis.scaling([r for r in mine if r["params"].get("steps") == steps], "threads")
        found = next((r["speedup"] for r in rows if r["threads"] == threads and r["speedup"]), None)
        if found:
            speedups[f"{language}/{variant}"] = found
    if "python/threads" not in speedups or "python/processes" not in speedups or not threads or threads < 2:
        return None
    confirmed = speedups["python/threads"] < 1.2 and speedups["python/processes"] > 1.4
    figures = ", ".join(f"{label} {value:.2f}x" for label, value in speedups.items())
    return _judged(confirmed, f"speedup at {threads} workers against 1 (largest work size of each): {figures}.")


def blocking_io(records):
    threads = _largest(records, "threads")
    sequential, threaded = _rows(records, "python", "sequential", threads=threads), _rows(records, "python", "threads", threads=threads)
    if not sequential or not threaded:
        return None
    one, many = analysis.timing(sequential[0]), analysis.timing(threaded[0])
    ideal = _metric(threaded[0], "ideal_s")
    text = (f"at {threads} workers Python threads finished the blocking waits in {many:.3f} s against "
            f"{one:.3f} s one after another ({one / many:.1f}x)")
    if ideal:
        text += f", against an ideal {ideal:.3f} s"
    # The claim has two halves: threads help IO (here) and not CPU-bound work (cpu_scaling's verdict).
    return _judged(one / many > threads / 2, text + "; for CPU-bound work see cpu_scaling's verdict.")


def alloc_churn(records):
    depth = _largest(records, "depth")
    python, node = _rows(records, "python", "default", depth=depth), _rows(records, "node", "default", depth=depth)
    java = _rows(records, "java", "default", depth=depth)
    if not python or not node:
        return None
    py, nd = analysis.timing(python[0]), analysis.timing(node[0])
    text = f"on allocation-heavy code (binary trees, depth {depth}, warm), Node ran {py / nd:.1f}x as fast as Python"
    if java:
        text += f", Java {py / analysis.timing(java[0]):.1f}x"
    py_wall, nd_wall = _median(python[0], "wall_s"), _median(node[0], "wall_s")
    return _judged(nd < py, text + f"; whole process including start-up: Python {py_wall:.2f} s, Node {nd_wall:.2f} s. "
                   "One workload, not a law: see the ns/op columns of the others.")


def sleepers(records):
    slopes = {row["program"]: row for row in analysis.slope(records, "tasks")}
    parts = [f"{label} {row['bytes_per_unit'] / 1024:.1f} KiB per task up to {row['to']:,}" for label, row in slopes.items()]
    if not parts:
        return None
    threaded = [r for r in records if r["variant"] in ("threads", "platform")]
    async_top = max((r["params"]["tasks"] for r in records if r["status"] == "ok" and r not in threaded), default=0)
    thread_top = max((r["params"]["tasks"] for r in threaded if r["status"] == "ok"), default=0)
    threads_failed = [r for r in threaded if r["status"] in ("failed", "timeout", "oom")]
    # The claim has two halves; it stands only if async tasks scaled and threads did not.
    confirmed = async_top >= 10_000 and bool(threads_failed)
    outcome = (f"async tasks ran up to {async_top:,}; threads ran up to {thread_top:,}"
               + (" and then failed" if threads_failed else " without failing"))
    return _judged(confirmed, "; ".join(parts) + f". {outcome}.")


VERDICTS = {
    "eager_lazy": eager_lazy,
    "cyclic_garbage": cyclic_garbage,
    "thread_spawn": thread_spawn,
    "cpu_scaling": cpu_scaling,
    "blocking_io": blocking_io,
    "alloc_churn": alloc_churn,
    "sleepers": sleepers,
}
