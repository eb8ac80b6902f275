"""The report: Markdown, CSV, HTML and plots of one run, rendered from its results.json alone.

``tables`` turns a results document into the report's content; ``markdown``, ``html``,
``csvfile`` and ``plots`` each render it one way.
"""

from __future__ import annotations

from pathlib import Path

from harness.catalogue.names import NAME_RULE, is_safe_name
from harness.errors import StoreError
from harness.report import csvfile, forest, html, markdown, plots, tables
from harness.results import files

MARKDOWN, CSV, HTML, PLOTS = "results.md", "results.csv", "report.html", "plots"


def render_markdown(document: dict, link_prefix: str = "") -> str:
    """The Markdown report of a results document."""
    return markdown.render(tables.build(document), link_prefix)


def render_csv(document: dict) -> str:
    """Every row as CSV."""
    return csvfile.render(document)


def write_reports(document: dict, run_dir: Path) -> list[Path]:
    """Write results.md, results.csv, report.html and plots/ beside results.json; return the paths."""
    run_dir = Path(run_dir)
    check_names(document)
    drawn = plots.write_all(document, run_dir / PLOTS) + forest.write_all(document, run_dir / PLOTS)
    built = tables.build(document)
    # Each file through a temporary name and a rename: a full disk leaves the old report whole, never half a new one.
    files.write_atomically(run_dir / MARKDOWN, markdown.render(built))
    files.write_atomically(run_dir / CSV, csvfile.render(document))
    files.write_atomically(run_dir / HTML, html.render(built, run_dir / PLOTS))
    return [run_dir / MARKDOWN, run_dir / CSV, run_dir / HTML, *drawn]


def check_names(document: dict) -> None:
    """Refuse a results file whose workload or variant names could write outside the run folder."""
    for record in document["measurements"]:
        for name in (record.get("workload"), record.get("variant")):
            if not is_safe_name(name):
                raise StoreError(f"results.json names a row {name!r}, which is not a safe name ({NAME_RULE}); "
                                 "it cannot be reported")
