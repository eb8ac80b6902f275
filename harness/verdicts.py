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


def _largest(records, param):
    values = [r["params"][param] for r in records if param in r["params"] and r["status"] == "ok"]
    return max(values) if values else None


def eager_lazy(records):
    n = _largest(records, "n")
    pairs = [("python", "list", "generator"), ("java", "arraylist", "stream"), ("node", "array", "generator")]
    parts = []
    for language, eager, lazy in pairs:
        e, l = _rows(records, language, eager, n=n), _rows(records, language, lazy, n=n)
        if e and l:
            held, streamed = analysis.memory(e[0]), analysis.memory(l[0])
            parts.append(f"{language} {eager} peaked at {held / MB:.0f} MB against {streamed / MB:.0f} MB for {lazy}")
    if not parts:
        return None
    return f"Confirmed at n={n:,}: " + "; ".join(parts) + ". Streaming holds one item; materialising holds them all."


def cyclic_garbage(records):
    m = _largest(records, "m")
    on, off = _rows(records, "python", "gc_on", m=m), _rows(records, "python", "gc_off", m=m)
    if not on or not off:
        return None
    on_mb, off_mb = analysis.memory(on[0]) / MB, analysis.memory(off[0]) / MB
    left = _metric(off[0], "uncollected_objects")
    pause = _metric(on[0], "gc_pause_s")
    text = (f"Confirmed at m={m:,}: with the cycle collector off, reference counting alone left "
            f"{left:,.0f} objects in cycles unreclaimed and CPython peaked at {off_mb:.0f} MB, against {on_mb:.0f} MB "
            f"with the collector on")
    if pause is not None:
        text += f", which spent {pause * 1000:.0f} ms in {_metric(on[0], 'gc_count'):,.0f} collections to free them"
    return text + ". Java's and Node's tracing collectors free cycles as a matter of course."


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
    return ("Measured, not assumed: " + "; ".join(parts) + ". Whether that is feasible is a matter of these "
            "figures against your memory and latency budget; the OS limits (pid_max, ulimit -u) bind long before memory does.")


VERDICTS = {"eager_lazy": eager_lazy, "cyclic_garbage": cyclic_garbage, "thread_spawn": thread_spawn}
