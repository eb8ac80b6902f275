#!/usr/bin/env python3
"""The README's figures for the runtimes people pick instead, read from recorded runs.

    python3 scripts/headline-figures.py IMPLEMENTATIONS_RUN [COLLECTORS_RUN]

IMPLEMENTATIONS_RUN is a run of sleepers, alloc_churn and cpu_scaling with several Python and Node
implementations (``compare --python 3.11,pypy --node 20,bun,deno``); COLLECTORS_RUN a ``--full``
run of object_footprint on Java 25. Each is a run folder or its results.json. It prints markdown:

- memory per task of each event loop: the least-squares slope of peak memory over the tasks sweep,
  with its percentile bootstrap interval (the report's "memory per tasks" table, ``figures.slope``);
- warm-time ratios of each further implementation against its language's reference: CPython over
  PyPy, Node over Bun and Deno, per workload; Welch's interval on log times (``stats.compare``, as
  the report's speedups); above 1 means the further implementation is faster;
- bytes per record of object_footprint on each JVM collector and layout: the median of the runs,
  with their range (every run measures the same layout, so the runs agree to a tenth of a byte).

Nothing here is measured anew: the figures are functions of the stored runs.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.analyse import figures, stats
from harness.errors import LabError
from harness.results import model, store

REFERENCES = {"python": "3.11", "node": "20"}  # the implementation each further one is compared with
TIMED = [("alloc_churn", "default", {}), ("cpu_scaling", "sequential", {"threads": 1})]


def rows_of(document: dict[str, Any], workload: str) -> list[dict[str, Any]]:
    """The run's ok rows of one workload."""
    return [m for m in document["measurements"] if m["workload"] == workload and m["status"] == "ok"]


def memory_per_task(document: dict[str, Any]) -> list[str]:
    """Markdown rows: each event-loop program's memory per task, in KiB, with its interval."""
    lines = ["| program | KiB per task (95 % interval) | tasks | n |", "|---|---|---|---|"]
    for row in figures.slope(rows_of(document, "sleepers"), "tasks"):
        if row["program"].split("/")[-1] in ("threads", "platform"):
            continue  # OS threads: C9's figure, not a task's
        low, high = row["bytes_per_unit_low"], row["bytes_per_unit_high"]
        lines.append(f"| {row['program']} | {row['bytes_per_unit'] / 1024:.2f} ({low / 1024:.2f}–{high / 1024:.2f}) "
                     f"| {row['from']:,}–{row['to']:,} | {row['n']} |")
    return lines


def warm_ratios(document: dict[str, Any]) -> list[str]:
    """Markdown rows: reference over further implementation, warm time, per workload and size."""
    lines = ["| workload | reference / implementation, warm time | ratio (95 % interval) | n |", "|---|---|---|---|"]
    for workload, variant, fixed in TIMED:
        by_runtime: dict[tuple[str, str, tuple[Any, ...]], list[float]] = {}
        for m in rows_of(document, workload):
            if m["variant"] != variant or any(m["params"].get(k) != v for k, v in fixed.items()):
                continue
            size = model.params_key({k: v for k, v in m["params"].items() if k not in fixed})
            by_runtime[(m["language"], model.runtime(m), size)] = figures.samples(m, "time")
        for (language, runtime, size), times in sorted(by_runtime.items()):
            if language not in REFERENCES or runtime == REFERENCES[language]:
                continue
            reference = by_runtime.get((language, REFERENCES[language], size))
            if reference is None:
                continue
            found = stats.compare(reference, times)
            if found is None:
                continue
            shown = " ".join(f"{k}={v:,}" for k, v in size if k in ("depth", "steps"))
            lines.append(f"| {workload} {shown} | {language} {REFERENCES[language]} / {runtime} "
                         f"| {found.text()} | {found.n_a} vs {found.n_b} |")
    return lines


def bytes_per_record(document: dict[str, Any]) -> list[str]:
    """Markdown rows: object_footprint's bytes per record for each program, median and range of its runs."""
    lines = ["| program | bytes per record (range over runs) | n |", "|---|---|---|"]
    for m in rows_of(document, "object_footprint"):
        values = figures.metric_samples(m, "bytes_per_object")
        if values:
            lines.append(f"| {m['language']}/{m['variant']} | {statistics.median(values):.1f} "
                         f"({min(values):.1f}–{max(values):.1f}) | {len(values)} |")
    return lines


def main(argv: list[str]) -> int:
    """Print the figures of the runs named in ``argv``; 2 with a one-line message on bad input."""
    if not 1 <= len(argv) <= 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        documents = [store.load(Path(path)) for path in argv]
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    implementations = documents[0]
    print(f"Run {implementations['run_id']}: memory per task\n", *memory_per_task(implementations), sep="\n")
    print(f"\nRun {implementations['run_id']}: warm time\n", *warm_ratios(implementations), sep="\n")
    if len(documents) == 2:
        print(f"\nRun {documents[1]['run_id']}: object_footprint\n", *bytes_per_record(documents[1]), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
