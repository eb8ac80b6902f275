"""What ``compare`` shows in the terminal: progress with an ETA, then a short summary.

The full tables are in the run's files; the terminal gets the answers, the problems and the
paths. ``--quiet`` drops the progress, ``--verbose`` prints a line for every run.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from harness.analyse import stats
from harness.judge.verdicts import CLAIMS, measured
from harness.report.tables import by_workload, key_figure, params_text, problems, stored_or_current_verdicts

OUTCOME_STYLE = {"Supported": "green", "Contradicted": "red", "Inconclusive": "yellow"}


class RunProgress:
    """A progress bar over every run (its total grows when noisy rows get extra runs)."""

    def __init__(self, verbosity: int = 1):
        self.verbosity = verbosity
        self.console = Console(stderr=True)
        self.bar = None
        if verbosity >= 1:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                console=self.console, transient=True)
            self.task = self.bar.add_task("measuring", total=None)

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()

    def __call__(self, done: int, planned: int, measurement, result, warming: bool) -> None:
        """The runner's progress callback: one run finished."""
        job = measurement.job
        row = f"{job.workload.name} {job.program.label} {params_text(dict(job.params))}"
        if self.bar:
            self.bar.update(self.task, completed=done, total=planned, description=row[:48].ljust(48))
        if self.verbosity >= 2:
            label = "warm-up" if warming else "run"
            outcome = measurement.status if measurement.status != "ok" else f"{result.wall_s:.2f} s, {stats.fmt_mib(result.peak_rss_bytes)}"
            self.console.print(f"[{done}/{planned}] {row} {label}: {outcome}", highlight=False)


def print_summary(document: dict, run_dir, file=None) -> None:
    """The answers, the rows that failed with their reasons, and where the reports are."""
    console = Console(file=file or sys.stdout, width=max(100, Console().width))
    found, note = stored_or_current_verdicts(document)
    found = measured(found)
    table = Table(title=f"Answers (run {document['run_id']})", title_justify="left", show_lines=False)
    for header in ("claim", "outcome", "key figure (95 % interval, n)"):
        table.add_column(header, overflow="fold")
    several = len({v["backend"] for v in found}) > 1
    judged = {claim for claim in (v["claim_id"] for v in found)}
    for verdict in found:
        where = (f" [{verdict['backend']}]" if several else "") + (f" on {verdict['runtime']}" if verdict.get("runtime") else "")
        style = OUTCOME_STYLE.get(verdict["outcome"], "")
        # escape: rich would read "[docker]" as a style tag and print nothing of it
        table.add_row(escape(f"{verdict['claim_id']}{where}"), f"[{style}]{verdict['outcome']}[/]", escape(key_figure(verdict)))
    unmeasured = [claim for claim in CLAIMS if claim not in judged]
    if found:
        console.print(table)
        if unmeasured:
            console.print(f"Not measured in this run: {', '.join(unmeasured)}.", highlight=False)
    else:
        console.print("No claim was judged: this run measured none of the rows the claims need.", highlight=False)
    bad = problems(document["measurements"])
    if bad:
        console.print(f"\n{len(bad)} rows not ok:", style="bold")
        for problem in bad:
            console.print(f"  {problem['status']} {problem['row']}: {problem['reason']}", highlight=False, markup=False)
    rows = len(document["measurements"])
    console.print(f"\n{rows} rows in {len(by_workload(document['measurements']))} workloads. Reports:", highlight=False)
    for name in ("report.html", "results.md", "results.csv", "results.json"):
        console.print(f"  {run_dir / name}", highlight=False)
