"""Two runs side by side, row by row, in the manner of ``pyperf compare_to``.

For every row in both runs: the ratio B/A of its key figure (and of its peak memory), as
geometric means over the runs, with the 95 % interval of Welch's t-test on the logs, and "significant" or "not significant". Rows in
one run only are listed, and so are verdicts that changed. Runs from different machines,
backends or runtime versions are compared all the same, under a loud warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.analyse import figures, stats
from harness.errors import StoreError
from harness.report.tables import stored_or_current_verdicts
from harness.results import model
from harness.results.model import Status

FIGURES = {"time": "time", "memory": "peak memory", "rate": "req/s"}


@dataclass
class RowChange:
    """One figure of one row, in both runs."""

    row: str
    figure: str
    a: float
    b: float
    comparison: stats.Comparison | None


@dataclass
class Diff:
    """What changed from run A to run B."""

    a: str
    b: str
    warnings: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    only_a: list = field(default_factory=list)
    only_b: list = field(default_factory=list)
    verdicts: list = field(default_factory=list)  # (claim, backend, outcome in A, outcome in B)
    provenance: list = field(default_factory=list)  # one line per run: id, commit, host, load, started


def compare_runs(a: dict, b: dict) -> Diff:
    """Compare two results documents; StoreError when they share no row."""
    rows_a, rows_b = _ok_rows(a), _ok_rows(b)
    common = [key for key in rows_a if key in rows_b]
    if not common:
        raise StoreError(f"runs {a['run_id']} and {b['run_id']} have no measured row in common; "
                         "compare runs of the same workloads")
    found = Diff(a["run_id"], b["run_id"], warnings=_warnings(a, b), provenance=[_provenance("A", a), _provenance("B", b)])
    for key in common:
        kind = _key_kind(a, rows_a[key]["workload"])
        for figure in dict.fromkeys([kind, "memory"]):
            found.changes += _change(model.row_name(rows_a[key]), figure, rows_a[key], rows_b[key])
    found.only_a = [model.row_name(row) for k, row in rows_a.items() if k not in rows_b]
    found.only_b = [model.row_name(row) for k, row in rows_b.items() if k not in rows_a]
    found.verdicts = _verdict_changes(a, b)
    return found


def _ok_rows(document: dict) -> dict:
    return {model.identity(r): r for r in document["measurements"] if r["status"] == Status.OK}


def _key_kind(document: dict, workload: str) -> str:
    return figures.key_figure(document.get("workloads", {}).get(workload, {}))


def _change(name: str, kind: str, a: dict, b: dict) -> list:
    values_a, values_b = _values(a, kind), _values(b, kind)
    if not values_a or not values_b:
        return []
    return [RowChange(name, FIGURES[kind], _geometric_mean(values_a), _geometric_mean(values_b), stats.compare(values_b, values_a))]


def _geometric_mean(values) -> float:
    """The statistic the ratio compares, so A, B and B/A agree on the page."""
    from scipy.stats import gmean

    return float(gmean(values))


def _values(record: dict, kind: str) -> list:
    if kind == "rate":
        return [run["requests_per_s"] for run in record.get("runs", []) if run.get("requests_per_s")]
    return figures.samples(record, kind)


def _provenance(name: str, document: dict) -> str:
    env = document["environment"]
    dirty = " (uncommitted changes)" if env.get("lab_tree_dirty") else ""
    load = f", load {env['load_before']} → {env.get('load_after', '?')}" if env.get("load_before") else ""
    return (f"{name}: run {document['run_id']}, lab {env.get('lab_commit', '?')}{dirty}, {env.get('host')} "
            f"({env.get('cpu_model')}, {env.get('cores_available')} cores){load}, started {document.get('started', '?')}")


def _warnings(a: dict, b: dict) -> list:
    """Differences between the runs' machines, backends and runtimes that bias every ratio."""
    env_a, env_b = a["environment"], b["environment"]
    warnings = []
    machine = ("host", "cpu_model", "cores_available", "memory_total_bytes", "kernel")
    changed = [key for key in machine if env_a.get(key) != env_b.get(key)]
    if changed:
        warnings.append("different machines: " + "; ".join(f"{k} {env_a.get(k)} → {env_b.get(k)}" for k in changed))
    backends_a, backends_b = _backends(a), _backends(b)
    if backends_a != backends_b:
        warnings.append(f"different backends: {', '.join(backends_a)} → {', '.join(backends_b)}")
    runtimes_a, runtimes_b = env_a.get("runtimes", {}), env_b.get("runtimes", {})
    for language in sorted(set(runtimes_a) | set(runtimes_b)):
        version_a = runtimes_a.get(language, {}).get("version", "absent")
        version_b = runtimes_b.get(language, {}).get("version", "absent")
        if version_a != version_b:
            warnings.append(f"different {language}: {version_a} → {version_b}")
    return warnings


def _backends(document: dict) -> list:
    return sorted({model.backend(r) for r in document["measurements"]})


def _verdict_changes(a: dict, b: dict) -> list:
    before = {(v["claim_id"], v["backend"]): v["outcome"] for v in stored_or_current_verdicts(a)[0]}
    after = {(v["claim_id"], v["backend"]): v["outcome"] for v in stored_or_current_verdicts(b)[0]}
    return [(claim, backend, before.get((claim, backend), "not judged"), after.get((claim, backend), "not judged"))
            for claim, backend in dict.fromkeys([*before, *after])
            if before.get((claim, backend)) != after.get((claim, backend))]


def table_rows(found: Diff) -> list:
    """[row, figure, A, B, B/A (95 % CI), significance] as strings."""
    rows = []
    for change in found.changes:
        comparison = change.comparison
        ratio = (f"{stats.fmt_number(comparison.ratio)} ({stats.fmt_number(comparison.low)}–{stats.fmt_number(comparison.high)})"
                 if comparison else "")
        verdict = ("significant" if comparison.significant else "not significant") if comparison else "n too small"
        rows.append([change.row, change.figure, _show(change.a, change.figure), _show(change.b, change.figure), ratio, verdict])
    return rows


HEADERS = ["row", "figure", "A (geometric mean)", "B (geometric mean)", "B/A (95 % CI)", "B against A"]


def _show(value: float, figure: str) -> str:
    if figure == "peak memory":
        return f"{value / 2**20:,.1f} MiB"
    if figure == "time":
        return f"{value * 1e3:,.3g} ms"
    return f"{value:,.0f}/s"


def markdown(found: Diff) -> str:
    """The diff as Markdown."""
    from tabulate import tabulate

    lines = [f"# Run {found.b} against run {found.a}\n"] + [f"- {line}" for line in found.provenance] + [""]
    lines += [f"> **Warning:** {w}; the ratios mix that difference with any other.\n" for w in found.warnings]
    significant = sum(1 for c in found.changes if c.comparison and c.comparison.significant)
    lines.append(f"{significant} of {len(found.changes)} figures changed significantly (95 %).\n")
    lines.append(tabulate(table_rows(found), headers=HEADERS, tablefmt="github", disable_numparse=True) + "\n")
    if found.verdicts:
        lines.append("## Verdicts that changed\n")
        lines += [f"- {claim} [{backend}]: {before} → {after}" for claim, backend, before, after in found.verdicts]
        lines.append("")
    for title, rows in (("Only in A", found.only_a), ("Only in B", found.only_b)):
        if rows:
            lines.append(f"## {title}\n")
            lines += [f"- {row}" for row in rows]
            lines.append("")
    return "\n".join(lines)


def html(found: Diff) -> str:
    """The diff as one self-contained HTML page."""
    import jinja2

    from harness.report.html import TEMPLATES

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return environment.get_template("diff.html.j2").render(diff=found, headers=HEADERS, rows=table_rows(found))
