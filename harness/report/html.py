"""The report as one self-contained HTML page: CSS, script and SVG plots inline, no network."""

from __future__ import annotations

import base64
import functools
from pathlib import Path

import jinja2
import markupsafe

from harness.report import forest
from harness.report.tables import NO_CLAIMS, Report

TEMPLATES = Path(__file__).with_name("templates")


@functools.cache
def _environment() -> jinja2.Environment:
    """The templates' environment, made once a process: it keeps each compiled template (15 ms to
    compile report.html.j2), and still recompiles one whose file has changed."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.tests["numeric"] = _numeric
    environment.filters["table_body"] = table_body
    return environment


def render(report: Report, plot_dir: Path) -> str:
    """The page, with every plot under ``plot_dir`` embedded; a missing plot is left out."""
    environment = _environment()
    images = {plot.stem: _data_uri(Path(plot_dir) / f"{plot.stem}.svg") for section in report.sections for plot in section.plots}
    images.update({plot.stem: images.get(plot.stem) or _data_uri(Path(plot_dir) / f"{plot.stem}.svg")
                   for detail in report.claims for plot in detail.plots})
    # Each judged claim's forest plot, by the claim's anchor (the answers table links to it).
    forests = {detail.anchor: _data_uri(Path(plot_dir) / f"{forest.stem(detail.anchor)}.svg") for detail in report.claims}
    return environment.get_template("report.html.j2").render(report=report, images=images, forests=forests,
                                                             no_claims=NO_CLAIMS)


def _data_uri(path: Path) -> str:
    try:
        return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:
        return ""


SEPARATOR = "\x1f"  # a control character no cell of a report holds (checked): it survives escaping unchanged


def table_body(rows: list) -> markupsafe.Markup:
    """The ``<tr>`` lines of a table's body, each cell escaped as jinja2 escapes ``{{ value }}`` and a
    number right-aligned. Built here rather than by a loop in the template, and escaped in one call
    for the whole table: a run of 20,000 rows has over a million cells."""
    texts = [str(value) for row in rows for value in row]
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) == max(len(texts) - 1, 0):
        escaped = str(markupsafe.escape(joined)).split(SEPARATOR) if texts else []
    else:  # a cell holds the separator itself: escape cell by cell
        escaped = [str(markupsafe.escape(text)) for text in texts]
    cells = iter(zip(texts, escaped))
    lines = []
    for row in rows:
        tds = "".join(f'<td class="num">{safe}</td>' if _numeric(text) else f"<td>{safe}</td>"
                      for text, safe in (next(cells) for _ in row))
        lines.append(f"    <tr>{tds}</tr>\n")
    return markupsafe.Markup("".join(lines))


def _numeric(value) -> bool:
    """A cell that starts with a number, to be right-aligned."""
    text = str(value).lstrip("-").replace(",", "")
    return bool(text) and (text[0].isdigit() or text[0] == ".")
