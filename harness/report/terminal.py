"""What ``compare`` shows in the terminal: progress with an ETA, then a short summary.

The full tables are in the run's files; the terminal gets the answers, the problems and the
paths. ``--quiet`` drops the progress, ``--verbose`` prints a line for every run.
"""

from __future__ import annotations

import sys
import time

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from harness.analyse import stats
from harness.judge.verdicts import CLAIMS, NOT_MEASURED, measured
from harness.report.tables import (
    by_workload,
    claim_runs_text,
    key_figure,
    on_runtime,
    params_text,
    problems,
    shown_verdicts,
    stored_or_current_verdicts,
)
from harness.results.model import Status

OUTCOME_STYLE = {"Supported": "green", "Contradicted": "red", "Inconclusive": "yellow"}


PLAIN_EVERY_S = 5.0  # without a terminal (compose, CI logs): a progress line at most this often


class RunProgress:
    """Progress over every run (its total grows when noisy rows get extra runs), and each claim's
    answer as soon as every row it is judged from is measured.

    On a terminal: a progress bar with an ETA, the answers decided so far above it. Without one
    (``docker compose up``, a CI log): plain lines, at most one every few seconds, and a line for
    each answer as it is decided. ``judge(document)`` gives the verdicts of a results document;
    ``claim_workloads`` maps each claim to the workloads it is judged from.
    """

    def __init__(self, verbosity: int = 1, judge=None, claim_workloads=None, file=None):
        self.verbosity = verbosity
        self.console = Console(stderr=file is None, file=file)
        self.judge, self.claim_workloads = judge, dict(claim_workloads or {})
        self.plain = verbosity >= 1 and not self.console.is_terminal
        self.started = self.last_line = time.monotonic()
        self.done = self.planned = 0
        self.answers: dict[str, list] = {}  # claim -> its verdicts, once decided
        self.bar = self.live = None
        if verbosity >= 1 and not self.plain:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                console=self.console)
            self.task = self.bar.add_task("measuring", total=None)
            self.live = Live(self._panel(), console=self.console, transient=True, refresh_per_second=4)

    def __enter__(self):
        if self.live:
            self.live.start()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.stop()

    def __call__(self, done: int, planned: int, measurement, result, warming: bool) -> None:
        """The runner's progress callback: one run finished."""
        self.done, self.planned = done, planned
        job = measurement.job
        row = f"{job.workload.name} {job.program.label} {params_text(dict(job.params))}"
        if self.bar:
            self.bar.update(self.task, completed=done, total=planned, description=row[:48].ljust(48))
        elif self.plain and time.monotonic() - self.last_line >= PLAIN_EVERY_S:
            self._plain_line(row)
        if self.verbosity >= 2:
            label = "warm-up" if warming else "run"
            outcome = measurement.status if measurement.status != Status.OK else f"{result.wall_s:.2f} s, {stats.fmt_mib(result.peak_memory_bytes)}"
            self.console.print(f"[{done}/{planned}] {row} {label}: {outcome}", highlight=False, markup=False)

    def settled(self, document: dict, unsettled_workloads) -> None:
        """The runner's call after a round: ``unsettled_workloads`` still have rows that will get runs.
        Every claim none of whose workloads is among them is judged now and shown, once."""
        if self.judge is None or self.verbosity < 1:
            return
        busy = set(unsettled_workloads)
        present = {row["workload"] for row in document.get("measurements", [])}
        ready = [claim for claim, workloads in self.claim_workloads.items()
                 if claim not in self.answers and set(workloads) & present and not set(workloads) & busy]
        if not ready:
            return
        verdicts = shown_verdicts(self.judge(document))
        for claim in ready:
            self.answers[claim] = [v for v in verdicts if v["claim_id"] == claim]
            for verdict in self.answers[claim]:
                if self.plain:
                    self.console.print(f"answer: {_answer_text(verdict)}", highlight=False, markup=False, soft_wrap=True)
        if self.live:
            self.live.update(self._panel())

    def _plain_line(self, row: str) -> None:
        self.last_line = time.monotonic()
        elapsed = self.last_line - self.started
        left = elapsed / self.done * (self.planned - self.done) if self.done else None
        eta = f", about {_minutes(left)} left" if left is not None else ""
        share = f" ({100 * self.done / self.planned:.0f} %)" if self.planned else ""
        self.console.print(f"progress: {self.done} of {self.planned} runs{share}, {_minutes(elapsed)} elapsed{eta}; "
                           f"now {row}", highlight=False, markup=False, soft_wrap=True)

    def _panel(self):
        """The answers decided so far, above the progress bar."""
        if not self.answers:
            return self.bar
        table = Table(title="Answers so far", title_justify="left", show_header=False, box=None)
        for verdicts in self.answers.values():
            for verdict in verdicts:
                table.add_row(*_answer_cells(verdict, on_runtime(verdict)), style=_row_style(verdict))
        return Group(table, self.bar)


def _not_judged(verdict: dict) -> bool:
    return verdict["outcome"] == NOT_MEASURED


def _answer_cells(verdict: dict, where: str) -> tuple[str, str, str]:
    """A verdict's claim, outcome and key figure as table cells (markup escaped); a claim not judged
    on a runtime shows "not judged" and why in place of the outcome and the figure."""
    claim = escape(f"{verdict['claim_id']}{where}")
    if _not_judged(verdict):
        return claim, "not judged", escape(verdict["note"].removeprefix(f"not judged on {verdict['runtime']}: "))
    style = OUTCOME_STYLE.get(verdict["outcome"], "")
    return claim, f"[{style}]{verdict['outcome']}[/]", escape(key_figure(verdict))


def _row_style(verdict: dict) -> str:
    return "dim" if _not_judged(verdict) else ""


def _answer_text(verdict: dict) -> str:
    if _not_judged(verdict):
        return f"{verdict['claim_id']} {verdict['note']}"
    return f"{verdict['claim_id']}{on_runtime(verdict)} {verdict['outcome']}: {key_figure(verdict)}"


def _minutes(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def print_summary(document: dict, run_dir, file=None, selected_claims=None) -> None:
    """The answers, the rows that failed with their reasons, and where the reports are.

    ``selected_claims`` (with --only, --family or --lang): the claims the run's selection can judge;
    the others are named once as not in the selection, not as unmeasured.
    """
    console = Console(file=file or sys.stdout, width=max(100, Console().width))
    found, note = stored_or_current_verdicts(document)
    found = shown_verdicts(found)
    # A claim the judge decided is shown even when the selection left out one of its languages
    # (C10 from Python's servers alone); one it could not decide from a partial selection is not.
    answered = {v["claim_id"] for v in measured(found) if v["outcome"] != "Inconclusive"}
    outside = [claim for claim in CLAIMS if selected_claims is not None and claim not in selected_claims and claim not in answered]
    found = [v for v in found if v["claim_id"] not in outside]
    table = Table(title=f"Answers (run {document['run_id']})", title_justify="left", show_lines=False)
    for header in ("claim", "outcome", "key figure (95 % interval, n)"):
        table.add_column(header, overflow="fold")
    several = len({v["backend"] for v in found}) > 1
    judged = {v["claim_id"] for v in measured(found)}
    for verdict in found:
        # escaped in _answer_cells: rich would read "[docker]" as a style tag and print nothing of it
        where = (f" [{verdict['backend']}]" if several else "") + on_runtime(verdict)
        table.add_row(*_answer_cells(verdict, where), style=_row_style(verdict))
    unmeasured = [claim for claim in CLAIMS if claim not in judged and claim not in outside]
    if found:
        console.print(table)
        if unmeasured:
            console.print(f"Not measured in this run: {', '.join(unmeasured)}.", highlight=False)
    else:
        console.print("No claim was judged: this run measured none of the rows the claims need.", highlight=False)
    if outside:
        console.print(f"Not in this run's selection: {', '.join(outside)}.", highlight=False)
    if claim_runs_text(document):
        console.print(f"{claim_runs_text(document)}.", highlight=False)
    bad = problems(document["measurements"])
    if bad:
        console.print(f"\n{len(bad)} rows not ok:", style="bold")
        for problem in bad:
            console.print(f"  {problem['status']} {problem['row']}: {problem['reason']}", highlight=False, markup=False)
    rows = len(document["measurements"])
    console.print(f"\n{rows} rows in {len(by_workload(document['measurements']))} workloads. Reports:", highlight=False)
    for name in ("report.html", "results.md", "results.csv", "results.json"):
        console.print(f"  {run_dir / name}", highlight=False)
