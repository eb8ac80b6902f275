"""The report as one self-contained HTML page: CSS, script and SVG plots inline, no network."""

from __future__ import annotations

import base64
from pathlib import Path

import jinja2

from harness.report import forest
from harness.report.tables import NO_CLAIMS, Report

TEMPLATES = Path(__file__).with_name("templates")


def render(report: Report, plot_dir: Path) -> str:
    """The page, with every plot under ``plot_dir`` embedded; a missing plot is left out."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.tests["numeric"] = _numeric
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


def _numeric(value) -> bool:
    """A cell that starts with a number, to be right-aligned."""
    text = str(value).lstrip("-").replace(",", "")
    return bool(text) and (text[0].isdigit() or text[0] == ".")
