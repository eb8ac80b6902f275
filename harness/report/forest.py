"""A picture of each answer: one forest plot per judged claim (``plots/forest-<anchor>.png``/``.svg``).

Each predicate is a row: its figure as a point with its 95 % interval as a horizontal bar, its
threshold as a vertical line across the row (a shaded band for "within A–B"), coloured by the
predicate's outcome. Predicates whose figures share a unit share a panel; ratios go on a log axis,
where 0.5× and 2× sit equally far from 1×. A predicate with no figure keeps its row and says why.

A stored predicate keeps its threshold as text only (``≥ 0.8 × T = 3.2``, ``within 0.67–1.5×``,
``peak < 25% of memory = 6,026 MiB``), so the line is read back from that text: the number after
the last ``=``, else the first number after the comparison, a percentage as a fraction.
"""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path
from typing import Any

from harness.judge import verdicts
from harness.report import tables
from harness.report.plots import FORMATS, make_folder
from harness.results import files

COLOURS = {verdicts.SUPPORTED: "#2e7d32", verdicts.CONTRADICTED: "#c62828", verdicts.INCONCLUSIVE: "#b8860b"}
UNMEASURED = "#777777"
NUMBER = r"-?\d[\d,]*(?:\.\d+)?%?"
LABEL_WIDTH = 52  # characters of a predicate's statement per line beside its row
ROW_INCHES = 0.62


def stem(anchor: str) -> str:
    """The file name (without suffix) of the forest plot of the verdict with this anchor."""
    return f"forest-{anchor}"


def write_all(document: dict, plot_dir: Path) -> list[Path]:
    """A forest plot of every judged verdict of the run under ``plot_dir``; returns the files written."""
    found, _ = tables.stored_or_current_verdicts(document)
    judged = verdicts.measured(found)
    several = len({v["backend"] for v in judged}) > 1
    written: list[Path] = []
    for verdict in judged:
        written += draw(verdict, plot_dir / stem(tables._anchor(verdict, several)))
    return written


def threshold_values(text: str) -> tuple[float, ...]:
    """The threshold's number(s) in a predicate's threshold text: two for a band, one otherwise, none
    when the text holds no number. ``≥ 0.8 × T = 3.2`` -> (3.2,); ``within 0.67–1.5×`` -> (0.67, 1.5);
    ``≥ 90% of what they held`` -> (0.9,)."""
    band = re.search(rf"within\s+({NUMBER})\s*[–-]\s*({NUMBER})", text)
    if band:
        return (_number(band.group(1)), _number(band.group(2)))
    if "=" in text:
        after = re.search(NUMBER, text.rsplit("=", 1)[1])
        if after:
            return (_number(after.group(0)),)
    compared = re.search(rf"[≥≤<>]\s*({NUMBER})", text)
    if compared:
        return (_number(compared.group(1)),)
    return ()


def _number(text: str) -> float:
    value = float(text.rstrip("%").replace(",", ""))
    return value / 100 if text.endswith("%") else value


def panels(predicates: list[dict]) -> list[list[dict]]:
    """Predicates grouped by their figure's unit, in the order each unit first appears; those without a
    figure join the panel of the first predicate that has one with their threshold (or the first panel)."""
    units: dict[str, list[dict]] = {}
    for predicate in predicates:
        units.setdefault(_unit(predicate, predicates), []).append(predicate)
    return list(units.values())


def _unit(predicate: dict, every: list[dict]) -> str:
    if predicate.get("figure"):
        return str(predicate["figure"].get("unit", ""))
    alike = [p for p in every if p.get("figure") and p["threshold"] == predicate["threshold"]]
    shown = alike or [p for p in every if p.get("figure")]
    return str(shown[0]["figure"].get("unit", "")) if shown else ""


def log_scale(rows: list[dict]) -> bool:
    """A panel of ratios (``×``) whose figures and thresholds are all above zero goes on a log axis."""
    figures = [p["figure"] for p in rows if p.get("figure")]
    if not figures or any(f.get("unit") != "×" for f in figures):
        return False
    values = [v for f in figures for v in _bounded_values(f)]
    values += [v for p in rows for v in threshold_values(p["threshold"])]
    return all(v is not None and v > 0 for v in values)


def _bounded_values(found: dict) -> list:
    """A stored figure's estimate and the ends of its interval that are bounded (a one-sided figure has one)."""
    open_below, open_above = verdicts.Figure(**found).open_ends()
    return [found["estimate"]] + ([] if open_below else [found["low"]]) + ([] if open_above else [found["high"]])


def draw(verdict: dict, path_stem: Path) -> list[Path]:
    """The forest plot of one verdict as PNG and SVG; returns the files written."""
    plt = _pyplot()
    groups = panels(verdict["predicates"])
    heights = [max(len(group), 1) * ROW_INCHES + 0.55 for group in groups]
    figure, axes_list = plt.subplots(len(groups), 1, figsize=(11, sum(heights) + 0.9), squeeze=False,
                                     gridspec_kw={"height_ratios": heights})
    for axes, group in zip((row[0] for row in axes_list), groups):
        _panel(axes, group)
    figure.suptitle(f"{verdict['claim_id']}: {verdict['outcome']}" + _where(verdict), fontsize=11, x=0.01, ha="left")
    _legend(figure)
    return _save(plt, figure, path_stem)


def _where(verdict: dict) -> str:
    backend = f" [{verdict['backend']}]" if verdict.get("backend") not in (None, "native") else ""
    return backend + (f" on {verdict['runtime']}" if verdict.get("runtime") else "")


def _panel(axes: Any, rows: list[dict]) -> None:
    """One unit's predicates, top to bottom, each against its threshold."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    logarithmic = log_scale(rows)
    if logarithmic:
        axes.set_xscale("log")
    labels, values, bars = [], [], []
    for index, predicate in enumerate(rows):
        y = len(rows) - 1 - index  # the first predicate on top
        colour = COLOURS.get(predicate["outcome"], UNMEASURED)
        _threshold(axes, predicate["threshold"], y)
        found = predicate.get("figure")
        if found and None not in _bounded_values(found):
            bars.append((y, found, colour))  # drawn once the axis limits are known: an open end runs to the edge
            values += _bounded_values(found)
            labels.append(tables.figure_text(found).split(", n=")[0])
        else:
            axes.text(0.5, y, f"no figure: {predicate.get('reason') or 'not measured'}"[:110], transform=axes.get_yaxis_transform(),
                      ha="center", va="center", fontsize=8, color=UNMEASURED, style="italic")
            labels.append(predicate["outcome"])
        values += list(threshold_values(predicate["threshold"]))
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([textwrap.fill(f"{p['statement']} [{p['threshold']}]", LABEL_WIDTH) for p in reversed(rows)],
                         fontsize=7.5)
    axes.set_ylim(-0.6, len(rows) - 0.4)
    _limits(axes, values, logarithmic)
    for y, found, colour in bars:
        _bar(axes, y, found, colour)
    right = axes.twinx()  # each row's figure in words at its right
    right.set_ylim(axes.get_ylim())
    right.set_yticks(range(len(rows)))
    right.set_yticklabels(list(reversed(labels)), fontsize=7.5)
    unit = _unit(rows[0], rows)
    axes.set_xlabel({"×": "ratio (×), log scale" if logarithmic else "ratio (×)"}.get(unit, unit or "value"), fontsize=8)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.tick_params(axis="x", labelsize=8)
    if logarithmic:
        axes.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axes.xaxis.set_minor_locator(NullLocator())  # unlabelled minor ticks cost a third of the drawing


def _bar(axes: Any, y: float, found: dict, colour: str) -> None:
    """A figure's interval as a bar and its estimate as a dot; an open end runs to the panel's edge, with an arrow."""
    open_below, open_above = verdicts.Figure(**found).open_ends()
    left, right = axes.get_xlim()
    low = left if open_below else found["low"]
    high = right if open_above else found["high"]
    axes.hlines(y, min(low, high), max(low, high), color=colour, linewidth=5, alpha=0.55)
    for is_open, x, marker in ((open_below, left, "<"), (open_above, right, ">")):
        if is_open:
            axes.plot([x], [y], marker=marker, markersize=9, color=colour, clip_on=False, zorder=3)
    axes.plot([found["estimate"]], [y], marker="o", markersize=8, color=colour, markeredgecolor="black",
              markeredgewidth=0.6, zorder=3)
    axes.set_xlim(left, right)


def _threshold(axes: Any, text: str, y: float) -> None:
    """The row's threshold: a dashed line across the row, or a shaded band between two lines."""
    found = threshold_values(text)
    for value in found:
        axes.vlines(value, y - 0.45, y + 0.45, color="black", linestyle="--", linewidth=1.1)
    if len(found) == 2:  # the band the figure must lie in, shaded on this row only
        axes.fill_betweenx([y - 0.45, y + 0.45], found[0], found[1], color="#2e7d32", alpha=0.08, linewidth=0)


def _limits(axes: Any, values: list, logarithmic: bool) -> None:
    """Room around every figure and threshold of the panel."""
    known = [v for v in values if v is not None and (v > 0 or not logarithmic)]
    if not known:
        return
    low, high = min(known), max(known)
    if logarithmic:
        axes.set_xlim(low / 1.6, high * 1.6)
    else:
        pad = (high - low) * 0.12 or abs(high) * 0.12 or 1.0
        axes.set_xlim(low - pad, high + pad)


def _legend(figure: Any) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colour, marker="o", linewidth=5, alpha=0.8, label=outcome)
               for outcome, colour in COLOURS.items()]
    handles.append(Line2D([], [], color="black", linestyle="--", label="threshold"))
    figure.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=8, frameon=False)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG
    plt.rcParams["svg.hashsalt"] = "runtime-lab"  # the same verdict gives the same file
    return plt


def _save(plt: Any, figure: Any, path_stem: Path) -> list[Path]:
    make_folder(path_stem.parent)
    # A margin on the left: a browser draws the SVG's text in its own font, often wider than matplotlib's.
    figure.tight_layout(rect=(0.03, 0, 1, 0.97))
    paths = []
    try:
        for suffix in FORMATS:
            drawn = io.BytesIO()
            # No bbox_inches="tight": tight_layout has placed everything, and "tight" draws each file twice.
            figure.savefig(drawn, format=suffix, dpi=100, metadata={"Date": None} if suffix == "svg" else None)
            paths.append(files.write_atomically(path_stem.parent / f"{path_stem.name}.{suffix}", drawn.getvalue()))
    finally:
        plt.close(figure)
    return paths
