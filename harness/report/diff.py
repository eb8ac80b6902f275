"""Two runs side by side, row by row, in the manner of ``pyperf compare_to``, with error control over all figures.

For every row in both runs: the ratio B/A of its key figure (and of its peak memory), as
geometric means over the undisturbed runs. Whether a figure changed is decided over all figures
at once (analyse/multiple.diff_figures): each figure against the run-wide drift that every row of
its kind shared (a machine 20 % slower for B is "run-wide drift 1.20× in time", not 30
slowdowns), only beyond a smallest change worth reporting (2 % of time, 1 % of memory), with the
false discovery rate held at 5 % by Benjamini–Hochberg. Rows in one run only are listed, and so
are verdicts that changed. Runs from different machines, backends or runtime versions, or
disturbed by other work to different degrees, are compared all the same, under a loud warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from harness.analyse import figures, multiple, stats
from harness.errors import StoreError
from harness.report.tables import stored_or_current_verdicts
from harness.results import model
from harness.results.model import Status

FIGURES = {"time": "time", "memory": "peak memory", "rate": "req/s"}
DISTURBANCE_GAP = 0.10  # warn when the runs' shares of disturbed runs differ by more than this


@dataclass
class RowChange:
    """One figure of one row, in both runs, and what the run-wide test made of it (None: too few runs)."""

    row: str
    figure: str
    a: float
    b: float
    comparison: multiple.Change | None


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
    notes: list = field(default_factory=list)  # the run-wide drift of each kind that moved beyond its band
    summary: str = ""  # how many figures changed, of how many tested, and by which method

    def significant(self) -> list[RowChange]:
        """The figures that changed significantly."""
        return [change for change in self.changes if change.comparison and change.comparison.significant]


def compare_runs(a: dict, b: dict) -> Diff:
    """Compare two results documents; StoreError when they share no row."""
    rows_a, rows_b = _ok_rows(a), _ok_rows(b)
    common = [key for key in rows_a if key in rows_b]
    if not common:
        raise StoreError(f"runs {a['run_id']} and {b['run_id']} have no measured row in common; "
                         "compare runs of the same workloads")
    found = Diff(a["run_id"], b["run_id"], warnings=_warnings(a, b), provenance=[_provenance("A", a), _provenance("B", b)])
    pending: list[tuple[RowChange, multiple.Figure | None]] = []
    for key in common:
        kind = _key_kind(a, rows_a[key]["workload"])
        for name in dict.fromkeys([kind, "memory"]):
            pending += _change(model.row_name(rows_a[key]), name, rows_a[key], rows_b[key])
    tested = multiple.diff_figures([figure for _, figure in pending if figure is not None])
    outcome = {change.key: change for change in tested.changes}
    for change, figure in pending:
        change.comparison = outcome.get(figure.key) if figure else None
        found.changes.append(change)
    found.notes = tested.notes()
    found.summary = _summary(found, tested)
    found.warnings += _disturbance_warning(a, b, common, rows_a, rows_b)
    found.only_a = [model.row_name(row) for k, row in rows_a.items() if k not in rows_b]
    found.only_b = [model.row_name(row) for k, row in rows_b.items() if k not in rows_a]
    found.verdicts = _verdict_changes(a, b)
    return found


def _ok_rows(document: dict) -> dict:
    return {model.identity(r): r for r in document["measurements"] if r["status"] == Status.OK}


def _key_kind(document: dict, workload: str) -> str:
    return figures.key_figure(document.get("workloads", {}).get(workload, {}))


def _change(name: str, figure: str, a: dict, b: dict) -> list[tuple[RowChange, multiple.Figure | None]]:
    """The row's figure in both runs, and the Figure the run-wide test takes (None with under two runs a side)."""
    values_a, values_b = _values(a, figure), _values(b, figure)
    if not values_a or not values_b:
        return []
    change = RowChange(name, FIGURES[figure], _geometric_mean(values_a), _geometric_mean(values_b), None)
    # Drift is estimated per kind of figure; a rate is its own kind, with the default band.
    tested = multiple.Figure(f"{name} | {figure}", figure, values_a, values_b) if min(len(values_a), len(values_b)) >= 2 else None
    return [(change, tested)]


def _geometric_mean(values) -> float:
    """The statistic the ratio compares, so A, B and B/A agree on the page.

    Plain floats, not scipy.stats.gmean (1 ms a call checking its arguments) nor numpy (its array
    set-up outweighs the arithmetic on a row's 3-20 values): a diff takes two per figure."""
    if any(value < 0 for value in values):
        return math.nan
    if any(value == 0 for value in values):  # a zero makes the mean 0, as scipy's does
        return 0.0
    return math.exp(math.fsum(math.log(value) for value in values) / len(values))


def counted_runs(record: dict) -> list:
    """A row's runs that its figures come from (figures.counted_runs: the undisturbed ones, unless too few)."""
    return figures.counted_runs(record.get("runs") or [])


def _mostly_disturbed(record: dict) -> bool:
    """Whether a row's figures use disturbed runs (counted_runs fell back to every run)."""
    runs = record.get("runs") or []
    return any(run.get("disturbed") for run in runs) and len(counted_runs(record)) == len(runs)


def _values(record: dict, kind: str) -> list[float]:
    """The row's per-run values of a figure, as floats (a stored integer past 64 bits would make numpy's
    arrays ones of objects, which its statistics cannot take)."""
    runs = counted_runs(record)
    if kind == "rate":
        return [float(run["requests_per_s"]) for run in runs if run.get("requests_per_s")]
    return [float(value) for value in figures.samples({**record, "runs": runs}, kind)]


def _summary(found: Diff, tested: multiple.DiffResult) -> str:
    """``2 of 64 figures changed significantly (...method...)``."""
    bands = ", ".join(f"{share:.0%} in {kind}" for kind, share in multiple.MIN_CHANGE.items())
    drift = ("against the run-wide drift of " + " and ".join(sorted(tested.drifts))) if tested.drifts else "without a drift estimate (too few rows)"
    untested = len(found.changes) - len(tested.changes)
    skipped = f"; {untested} with under 2 runs a side not tested" if untested else ""
    return (f"{len(tested.significant())} of {len(tested.changes)} figures tested changed significantly: "
            f"Benjamini–Hochberg over all {len(tested.changes)} at a {tested.rate:.0%} false discovery rate, "
            f"beyond a smallest change worth reporting ({bands}; {multiple.DEFAULT_MIN_CHANGE:.0%} otherwise), {drift}{skipped}. "
            f"Intervals are at the false-coverage-adjusted level "
            f"{1 - multiple.adjusted_level(len(tested.significant()), len(tested.changes), tested.rate):.2%}, "
            f"so an interval clears the band exactly when its figure is significant.")


def _disturbance_warning(a: dict, b: dict, common: list, rows_a: dict, rows_b: dict) -> list[str]:
    """A line when the share of disturbed runs over the rows both runs have differs between them, and
    one per run with rows mostly disturbed (their figures then rest on disturbed runs too)."""
    shares = []
    for rows in (rows_a, rows_b):
        runs = [run for key in common for run in rows[key].get("runs") or []]
        shares.append((sum(1 for run in runs if run.get("disturbed")), len(runs)))
    (da, na), (db, nb) = shares
    lines = []
    if abs(da / max(na, 1) - db / max(nb, 1)) > DISTURBANCE_GAP:
        lines.append(f"different disturbance: A {da} of {na} runs disturbed, B {db} of {nb} (others used > ¼ core); "
                     "disturbed runs are left out of the figures")
    for name, rows in (("A", rows_a), ("B", rows_b)):
        mostly = sum(1 for key in common if _mostly_disturbed(rows[key]))
        if mostly:
            lines.append(f"{name}: {mostly} of {len(common)} rows had fewer than two undisturbed runs, or under half, "
                         "so their figures use every run, disturbed ones included")
    return lines


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
    """[row, figure, A, B, B/A (adjusted CI), significance] as strings."""
    rows = []
    for change in found.changes:
        rows.append([change.row, change.figure, _show(change.a, change.figure), _show(change.b, change.figure),
                     _ratio_text(change.comparison), _verdict_text(change.comparison)])
    return rows


def _ratio_text(tested: multiple.Change | None) -> str:
    """``1.25 (1.19–1.31)``; beside a run-wide drift, the ratio beyond it: ``1.25; 1.02 beyond drift (0.97–1.08)``."""
    if tested is None:
        return ""
    interval = f"({stats.fmt_number(tested.low)}–{stats.fmt_number(tested.high)})"
    if abs(tested.relative - tested.ratio) <= 1e-9 * tested.ratio:
        return f"{stats.fmt_number(tested.ratio)} {interval}"
    return f"{stats.fmt_number(tested.ratio)}; {stats.fmt_number(tested.relative)} beyond drift {interval}"


def _verdict_text(tested: multiple.Change | None) -> str:
    if tested is None:
        return "n too small"
    return "significant" if tested.significant else "not significant"


HEADERS = ["row", "figure", "A (geometric mean)", "B (geometric mean)", "B/A (FCR-adjusted CI)", "B against A"]


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
    lines += [f"- {note}: each figure is tested against it" for note in found.notes]
    lines.append(f"\n{found.summary}\n")
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
