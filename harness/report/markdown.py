"""The report as Markdown: answers first, then the run, the environment and each workload."""

from __future__ import annotations

import html
import re
from itertools import zip_longest

from tabulate import tabulate
from wcwidth import wcswidth, wcwidth

from harness.report import forest
from harness.report.tables import NO_CLAIMS, Report, Table


def render(report: Report, link_prefix: str = "") -> str:
    """The whole Markdown report; ``link_prefix`` goes before plot links, for a copy kept elsewhere."""
    parts = [f"# {report.title}\n"]
    if report.answers:
        parts += ["## Answers\n", _answers(report.answers, link_prefix) + "\n"]
        parts += [report.answers.caption + "\n"] if report.answers.caption else []
        if report.implementations:
            parts.append("### Implementations side by side\n\n" + table(report.implementations) + "\n")
        parts.append(report.summary + "\n")
        if report.machines:
            parts.append("### Machines side by side\n\n" + table(report.machines) + "\n")
        if report.verdict_note:
            parts.append(f"*{report.verdict_note}*\n")
        parts.append(report.outcome_legend + "\n")
    else:
        parts += [NO_CLAIMS + "\n", report.summary + "\n"]
        if report.machines:
            parts.append("## Machines side by side\n\n" + table(report.machines) + "\n")
    for detail in report.claims:
        parts.append(f'<a id="{detail.anchor}"></a>\n\n### {detail.heading} — **{detail.outcome}**\n')
        parts.append(f"From {detail.source}." + (f" {detail.note}" if detail.note else "") + "\n")
        parts.append(f"![forest plot of {detail.heading}: each predicate's figure and interval against its threshold]"
                     f"({link_prefix}plots/{forest.stem(detail.anchor)}.png)\n")
        if detail.plots:
            parts.append("Plots: " + ", ".join(f"[{plot.alt}]({link_prefix}plots/{plot.stem}.png)" for plot in detail.plots) + "\n")
        parts.append(table(detail.table) + "\n")
    if report.native_and_containers:  # the settings' values come from the machine: escaped
        parts.append("## Native and containers\n\n" + "\n\n".join(
            table(t, escaped=True) if t.rows else escape(t.caption) for t in report.native_and_containers) + "\n")
    # From here on the text comes from the machine, the suite and the programs' output: escaped, as report.html
    # escapes it, so a suite's "<img onerror=...>" is shown, not run. (The claims above are the lab's own words.)
    parts.append("## Environment\n")
    parts += [table(t, escaped=True) + "\n" for t in report.environment]
    family = None
    for section in report.sections:
        if section.family != family:
            family = section.family
            parts.append(f"## {family}\n")
        parts.append(_section(section, link_prefix))
    if report.overhead:
        parts.append("## Container overhead\n\n" + report.overhead.caption + "\n\n"
                     + table(report.overhead, caption=False, escaped=True) + "\n")
    if report.problems:
        parts.append(_problems(report.problems))
    parts.append("## Reading the tables\n\n" + report.legend + "\n")
    return "\n".join(parts)


def _answers(answers: Table, link_prefix: str = "") -> str:
    """The answers, each judged claim linked to its section and its outcome to its forest plot."""
    rows = [[f"[{row[0]}](#{anchor})" if anchor else row[0], row[1],
             f"**{row[2]}** ([plot]({link_prefix}plots/{forest.stem(anchor)}.png))" if anchor else row[2], row[3]]
            for row, anchor in zip(answers.rows, answers.anchors)]
    return tabulate(rows, headers=answers.headers, tablefmt="github", disable_numparse=True)


def _section(section, link_prefix: str) -> str:
    lines = [f"### {escape(section.name)}\n", f"*{escape(section.question)}*\n"]
    if section.claim:
        lines.append(f"Claim tested: \"{escape(section.claim)}\" (its verdict is under Answers)\n")
    lines += [escape(note) + "\n" for note in section.notes]
    lines.append(" ".join(f"![{escape(plot.alt)}]({link_prefix}plots/{plot.stem}.png)" for plot in section.plots) + "\n")
    lines += [table(t, escaped=True) + "\n" for t in section.tables]
    return "\n".join(lines)


def table(found: Table, caption: bool = True, escaped: bool = False) -> str:
    """A Table as GitHub Markdown; a collapsed one inside a details block. ``escaped``: its text comes
    from outside the lab (a suite, a program, the machine), so HTML in it is shown as text."""
    mark = escape if escaped else str
    rows = _escaped_rows(found.rows) if escaped else [[str(value) for value in row] for row in found.rows]
    headers = [_cell(value) if escaped else str(value) for value in found.headers]
    body = github_table(rows, headers) if found.rows else "(no rows)"
    head = f"{mark(found.caption)}\n\n" if caption and found.caption else ""
    if found.collapsed:
        return f"<details><summary>{mark(found.collapsed)}</summary>\n\n{head}{body}\n\n</details>"
    return head + body


def github_table(rows: list, headers: list) -> str:
    """What ``tabulate(rows, headers, tablefmt="github", disable_numparse=True)`` prints, in a fraction of
    its time (it types and measures every cell: 30 s for a run of 20,000 rows). Cells it would lay out
    differently (several lines, terminal codes, control characters) are left to tabulate itself."""
    texts = [["" if value is None else str(value) for value in row] for row in rows]
    names = [str(header) for header in headers]
    # Checked once for the whole table, not cell by cell: " " is printable, so the join is exactly when every cell is.
    everything = " ".join([*names, *(text for row in texts for text in row)])
    if not _plain_line(everything):
        return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)
    texts = [[text.strip() for text in row] for row in texts]
    measure = len if _narrow_text(everything) else _width
    widths = [measure(name) + 2 for name in names]  # tabulate's MIN_PADDING beside a header
    for index, column in enumerate(zip_longest(*texts, fillvalue="")):
        widths[index] = max(widths[index], max(map(measure, column)))

    def line(cells: list) -> str:
        return "| " + " | ".join(cell + " " * (width - measure(cell)) for cell, width in zip(cells, widths)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(names), rule, *(line(row) for row in texts)])


def _plain_line(text: str) -> bool:
    """One line of printable text (no newline, tab, escape or other control character)."""
    return text.isprintable()


def _narrow_text(text: str) -> bool:
    """Whether every character of ``text`` takes one column by itself, so that any cell's width is its length."""
    return text.isascii() or all(char in _NARROW or _narrow(char) for char in set(text))


def _width(text: str) -> int:
    """Columns a cell takes, as wcwidth (tabulate's measure) counts them: its length when every character
    takes one column on its own (ASCII, or ``±``, ``–``, ``×`` ...), else wcwidth's count of the whole."""
    if text.isascii() or all(char in _NARROW or _narrow(char) for char in text):
        return len(text)
    return int(wcswidth(text))


_NARROW: set[str] = set()  # characters seen to take exactly one column by themselves
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # these change the width of what they join or follow


def _narrow(char: str) -> bool:
    """Whether ``char`` takes one column whatever stands beside it (remembered once found)."""
    if char not in _JOINERS and wcwidth(char) == 1:
        _NARROW.add(char)
        return True
    return False


def escape(text: object) -> str:
    """Text with ``&``, ``<`` and ``>`` as entities, as jinja2 escapes it in report.html: Markdown
    renders HTML it finds, so a suite's or a program's text could otherwise add tags to the page."""
    return html.escape(str(text), quote=False)


def _cell(text: object) -> str:
    """An escaped table cell; a ``|`` in it would end the cell."""
    return escape(text).replace("|", "\\|")


SEPARATOR = "\x1f"  # a control character that escaping leaves alone and no cell holds (checked)


def _escaped_rows(rows: list) -> list:
    """Every cell of ``rows`` through ``_cell``, in one call for the whole table (a million cells in a large run)."""
    texts = [str(value) for row in rows for value in row]
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) != max(len(texts) - 1, 0):  # a cell holds the separator itself
        escaped = [_cell(text) for text in texts]
    else:
        escaped = _cell(joined).split(SEPARATOR) if texts else []
    cells = iter(escaped)
    return [[next(cells) for _ in row] for row in rows]


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _problems(problems: list) -> str:
    lines = ["## Problems\n"]
    for problem in problems:
        lines.append(f"- **{problem['status']}** {escape(problem['row'])}: {escape(problem['reason'])}")
        if problem["stderr"]:  # inside a fence Markdown renders nothing: the fence only has to hold
            fence = _fence(problem["stderr"])
            lines.append(f"\n  {fence}\n" + "\n".join(f"  {line}" for line in problem["stderr"].splitlines()) + f"\n  {fence}")
    return "\n".join(lines) + "\n"
