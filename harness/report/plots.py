"""Plots of every workload, drawn with matplotlib from results.json alone, as PNG and SVG.

Every point carries its interval as an error bar. Lines are told apart by colour and marker,
and docker rows by a dashed line. A plot draws at most ``MAX_LINES`` lines (one per program
first) and ``MAX_BARS`` bars, and its legend says how many it left out: a run of thousands of
rows would otherwise draw a legend of hundreds of entries that nobody can read, and take
minutes to lay out. The tables always hold every row.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, cast

from harness.analyse import figures
from harness.errors import StoreError
from harness.report.tables import MIB, by_workload, cases
from harness.results import files, model
from harness.results.model import Status

FORMATS = ("png", "svg")
MARKERS = "osD^vP*Xh<>p"
PERCENTILES = (("p50", 50.0), ("p75", 75.0), ("p90", 90.0), ("p99", 99.0), ("p999", 99.9))
CURVE_TICKS = (50.0, 90.0, 99.0, 99.9, 99.99)
MAX_LINES = 12  # a legend of more cannot be read; the published reference draws at most 12
MAX_BARS = 40


def write_all(document: dict, plot_dir: Path) -> list[Path]:
    """Every plot of the run under ``plot_dir``; returns the files written."""
    written = []
    cores = document.get("environment", {}).get("cores_available")
    for name, records in by_workload(document["measurements"]).items():
        info = document.get("workloads", {}).get(name, {})
        drawn = []
        if info.get("scaling"):
            drawn.append(speedup_plot(records, info["scaling"], name, plot_dir / f"{name}-speedup", cores))
        if info.get("slope"):
            drawn.append(memory_plot(records, info["slope"], name, plot_dir / f"{name}-memory"))
        if info.get("kind") == "server":
            drawn.append(throughput_plot(records, name, plot_dir / f"{name}-throughput"))
            drawn.append(latency_plot(records, name, plot_dir / f"{name}-latency"))
        if not info.get("scaling") and not info.get("slope") and info.get("kind") != "server":
            drawn.append(bars_plot(records, info.get("key_figure") or "time", name, plot_dir / f"{name}-bars"))
        written += [path for paths in drawn if paths for path in paths]
    return written


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG: smaller, and searchable
    plt.rcParams["svg.hashsalt"] = "runtime-lab"  # stable ids: the same results give the same files
    return plt


EXTRA_COLOURS = ("#000000", "#000080", "#ff00ff", "#008080", "#800000", "#556b2f", "#daa520", "#6a5acd", "#00c957",
                 "#4d4d4d")


def _style(index: int, record: dict) -> dict:
    import matplotlib
    from matplotlib.colors import ListedColormap

    # tab10, then ten hues it does not have: tab20 or Set1 would give new lines a shade of an old one.
    tab10 = matplotlib.colormaps["tab10"]
    assert isinstance(tab10, ListedColormap)  # a list of colours, not a gradient
    colours = [*cast(list[Any], tab10.colors), *EXTRA_COLOURS]
    docker = model.backend(record) != model.NATIVE
    return {"color": colours[index % len(colours)], "marker": MARKERS[index % len(MARKERS)],
            "linestyle": "--" if docker else "-"}


def _interval(summary: dict | None, scale: float = 1.0) -> tuple:
    """(median, lower error, upper error), scaled."""
    if not summary:
        return None, 0.0, 0.0
    middle = summary["median"] * scale
    return middle, max(0.0, middle - summary["ci_low"] * scale), max(0.0, summary["ci_high"] * scale - middle)


def speedup_plot(records: list, param: str, title: str, stem: Path, cores=None):
    """Speedup against ``param`` with its interval, the ideal line, and the machine's cores marked."""
    rows = [r for r in figures.scaling(records, param) if r["speedup_comparison"]]
    lines = figures.series(records, param)
    if not rows:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    counts = sorted({value for points in lines.values() for value, _ in points})
    if cores:  # no program can beat one worker per core: the ideal flattens at the machine's cores
        axes.plot(counts, [min(c, cores) for c in counts], linestyle=":", color="grey", label=f"ideal here: min(workers, {cores} cores)")
    else:
        axes.plot(counts, counts, linestyle=":", color="grey", label="ideal (speedup = workers)")
    if cores:
        axes.axvline(cores, color="black", linewidth=0.8, alpha=0.5)
        axes.text(cores, 0.98, f" {cores} cores on this machine", transform=axes.get_xaxis_transform(), va="top",
                  fontsize="small", alpha=0.7)
    by_line: dict[tuple, list] = {}
    for row in rows:  # grouped once: matching every line against every row is quadratic in a large run
        by_line.setdefault((row["program"], row["params"]), []).append(row)
    drawable = {key: points for key, points in lines.items() if len(by_line.get(key, [])) >= 2}  # one point is no line
    drawn, left_out = capped(drawable)
    for index, ((label, others), points) in enumerate(drawn.items()):
        mine = by_line[(label, others)]
        xs = [r[param] for r in mine]
        ys = [r["speedup_comparison"]["ratio"] for r in mine]
        errors = [[y - r["speedup_comparison"]["low"] for y, r in zip(ys, mine)],
                  [r["speedup_comparison"]["high"] - y for y, r in zip(ys, mine)]]
        axes.errorbar(xs, ys, yerr=errors, capsize=3, label=f"{label} {others}".strip(), **_style(index, points[0][1]))
    axes.set_xticks(sorted({value for points in lines.values() for value, _ in points}))
    axes.set(xlabel=param, ylabel="speedup against 1 worker", title=f"{title}: speedup (95 % CI)")
    _legend_below(axes, left_out)
    axes.grid(alpha=0.3)
    return _save(plt, figure, stem)


def memory_plot(records: list, param: str, title: str, stem: Path):
    """Peak memory against ``param`` on log-log axes, with each point's interval."""
    return _line_plot(records, param, _memory_summary, MIB ** -1, stem, xscale="log", yscale="log", xlabel=param,
                      ylabel="peak memory (MiB)", title=f"{title}: peak memory")


def _memory_summary(record: dict):
    summary = record.get("summary") or {}
    return summary.get("peak_memory_bytes") or summary.get("cgroup_peak_bytes") or summary.get("peak_rss_bytes")


def throughput_plot(records: list, title: str, stem: Path):
    """Requests/s against connections; a hollow marker is a generator-bound point, no ranking."""
    def field(record):
        return (record.get("summary") or {}).get("requests_per_s")

    return _line_plot(records, "connections", field, 1.0, stem, hollow=figures.generator_bound, xscale="log", yscale="log",
                      xlabel="connections", ylabel="requests/s", title=f"{title}: throughput (hollow: generator-bound)")


def latency_plot(records: list, title: str, stem: Path):
    """Latency percentiles of each server at the most connections, from the median run's histogram."""
    ok = [r for r in records if r["status"] == Status.OK and "connections" in r["params"]]
    if not ok:
        return None
    most = max(r["params"]["connections"] for r in ok)
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    curves = {}
    for index, record in enumerate(r for r in ok if r["params"]["connections"] == most):
        load = _median_load(record)
        if len(_percentile_points(load)) >= 2:  # the index stays the row's, so its colour does not depend on others
            curves[(figures.label(record), model.row_name(record))] = (index, record, load)
    shown, left_out = capped(curves)
    drawn = 0
    for index, record, load in shown.values():
        points = _percentile_points(load)
        style = _style(index, record)
        if figures.generator_bound(record):
            style["markerfacecolor"] = "none"
        axes.plot([100.0 / (100.0 - p) for p, _ in points], [ms for _, ms in points], label=figures.label(record), **style)
        paced = [w for w in load.get("open_loop", []) if w.get("fraction") == 0.8]
        # the same server at 80 % of its rate, when the generator kept the schedule (else its lag is in the curve)
        if paced and paced[0].get("schedule_kept") is not False and len(_percentile_points(paced[0])) >= 2:
            open_points = _percentile_points(paced[0])
            axes.plot([100.0 / (100.0 - p) for p, _ in open_points], [ms for _, ms in open_points],
                      label=f"{figures.label(record)}, open loop at 80 %", **dict(style, linestyle="--"))
        drawn += 1
    if not drawn:
        plt.close(figure)
        return None
    ticks = [100.0 / (100.0 - p) for p in CURVE_TICKS]  # 50 -> 2, 99 -> 100, 99.99 -> 10,000
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(ticks, [f"p{p:g}" for p in CURVE_TICKS])
    axes.minorticks_off()
    axes.set(xlabel="percentile", ylabel="latency (ms)",
             title=f"{title}: latency at {most} connections (median run; dashed: open loop at 80 % of its rate)")
    _legend_below(axes, left_out)
    axes.grid(alpha=0.3, which="both")
    return _save(plt, figure, stem)


def _median_load(record: dict) -> dict:
    """The load figures of the run with the median request rate ({} without any)."""
    runs = [run for run in record.get("runs", []) if (run.get("load") or {}).get("latency_us")]
    if not runs:
        return {}
    runs.sort(key=lambda run: run["load"].get("requests_per_s") or 0)
    return runs[len(runs) // 2]["load"]


def _percentile_points(load: dict) -> list:
    """(percentile, ms) pairs of one load window: its latency curve to p99.99 where the generator
    gave one, else the five percentiles every generator reports."""
    curve = [(q * 100, us / 1e3) for q, us in load.get("latency_curve_us") or [] if q < 1 and us]
    if curve:
        return curve
    latency = load.get("latency_us") or {}
    return [(p, latency[name] / 1e3) for name, p in PERCENTILES if latency.get(name)]


def bars_plot(records: list, figure_kind: str, title: str, stem: Path):
    """The key figure of every program at the largest parameters, as bars with interval whiskers."""
    ok_cases = [(params, [r for r in rows if r["status"] == Status.OK]) for params, rows in cases(records).items()]
    ok_cases = [(params, rows) for params, rows in ok_cases if rows]
    if not ok_cases:
        return None
    params, rows = ok_cases[-1]
    left_out = max(0, len(rows) - MAX_BARS)
    rows = rows[:MAX_BARS]
    if figure_kind == "memory":
        values = [_interval(_memory_summary(r), MIB ** -1) for r in rows]
        xlabel = "peak memory (MiB)"
    else:
        values = [_interval(_time_summary(r), 1e3) for r in rows]
        xlabel = "time (ms, warm where the program repeats its work)"
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.5, 0.9 + 0.38 * len(rows)))
    labels = [figures.label(r) + (" " + " ".join(r.get("runtime_args") or []) if r.get("runtime_args") else "") for r in rows]
    middles = [v[0] or 0 for v in values]
    errors = [[v[1] for v in values], [v[2] for v in values]]
    colours = [_style(i, r)["color"] for i, r in enumerate(rows)]
    hatches = ["//" if model.backend(r) != model.NATIVE else "" for r in rows]
    bars = axes.barh(range(len(rows)), middles, xerr=errors, capsize=3, color=colours)
    for bar, hatch in zip(bars, hatches):
        bar.set_hatch(hatch)
    axes.set_yticks(range(len(rows)), labels, fontsize="small")
    axes.invert_yaxis()
    more = f" ({left_out} more programs in the tables)" if left_out else ""
    axes.set(xlabel=xlabel + "; whiskers: the interval", title=f"{title}, {params or 'its parameters'}{more}")
    axes.grid(alpha=0.3, axis="x")
    return _save(plt, figure, stem, log_labels=False)


def _time_summary(record: dict):
    summary = record.get("summary") or {}
    return summary.get("work_warm_s") or summary.get("work_cold_s") or summary.get("wall_s")


def _line_plot(records, param, summary_of, scale, stem, hollow=None, **settings):
    """A summary's median with its interval against ``param``, one line per program."""
    lines = figures.series(records, param)
    if not lines:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    lines, left_out = capped(lines)
    for index, ((label, others), points) in enumerate(lines.items()):
        values = [(x, *_interval(summary_of(record), scale), record) for x, record in points]
        values = [v for v in values if v[1] is not None]
        if not values:
            continue
        style = _style(index, points[0][1])
        axes.errorbar([v[0] for v in values], [v[1] for v in values], yerr=[[v[2] for v in values], [v[3] for v in values]],
                      capsize=3, label=f"{label} {others}".strip(), **style)
        if hollow:
            bound = [v for v in values if hollow(v[4])]
            axes.scatter([v[0] for v in bound], [v[1] for v in bound], s=90, facecolors="white", edgecolors=style["color"], zorder=3)
    axes.set(**settings)
    _readable_log_axes(axes, sorted({x for points in lines.values() for x, _ in points}))
    _legend_below(axes, left_out)
    axes.grid(alpha=0.3, which="both")
    return _save(plt, figure, stem)


def _readable_log_axes(axes, xs) -> None:
    """Ticks at the swept values on a log x axis; a y axis spanning under 10x goes linear."""
    if axes.get_xscale() == "log" and xs:
        axes.set_xticks(xs, [_plain(x) for x in xs])
        axes.xaxis.set_minor_formatter(_blank())
        axes.xaxis.set_minor_locator(_no_ticks())
    low, high = axes.get_ylim()
    if axes.get_yscale() == "log" and low > 0 and high / low < 10:
        axes.set_yscale("linear")


def _blank():
    from matplotlib.ticker import NullFormatter

    return NullFormatter()


def _no_ticks():
    from matplotlib.ticker import NullLocator

    return NullLocator()


def capped(lines: dict) -> tuple[dict, int]:
    """At most ``MAX_LINES`` of ``lines`` (keyed by (program, ...)), in their order: each program's first
    line before any program's second, so that every program is seen; and how many were left out."""
    if len(lines) <= MAX_LINES:
        return lines, 0
    firsts: dict = {}
    for key in lines:
        firsts.setdefault(key[0], key)  # each program's first line
    chosen = set(list(firsts.values())[:MAX_LINES])
    for key in lines:
        if len(chosen) >= MAX_LINES:
            break
        chosen.add(key)
    return {key: value for key, value in lines.items() if key in chosen}, len(lines) - len(chosen)


def _legend_below(axes, left_out: int = 0) -> None:
    """The legend under the plot, where it hides no line; it says how many lines were not drawn."""
    title = f"{left_out} more lines not drawn (every row is in the tables)" if left_out else None
    axes.legend(fontsize="x-small", ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False,
                title=title, title_fontsize="x-small")


def _save(plt, figure, stem: Path, log_labels: bool = True) -> list[Path]:
    from matplotlib.ticker import FuncFormatter, LogLocator

    if log_labels:
        for axes in figure.axes:  # plain numbers on a log y axis, not powers of ten (x ticks are the swept values)
            for axis in (axes.yaxis,):
                if axis.get_scale() == "log":
                    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0)))
                    axis.set_major_formatter(FuncFormatter(lambda value, _: _plain(value)))
                    axis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
    make_folder(stem.parent)
    figure.tight_layout()
    paths = []
    try:
        for suffix in FORMATS:
            # Not stem.with_suffix: a workload named v1.0 would lose its ".0" and share v1's file.
            path = stem.parent / f"{stem.name}.{suffix}"
            drawn = io.BytesIO()
            figure.savefig(drawn, format=suffix, dpi=100, bbox_inches="tight",
                           metadata={"Date": None} if suffix == "svg" else None)
            paths.append(files.write_atomically(path, drawn.getvalue()))
    finally:
        plt.close(figure)
    return paths


def make_folder(folder: Path) -> None:
    """The plots folder, or a StoreError naming it (a read-only or full disk)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create {folder}: {files.explain(error)}") from None


def _plain(value: float) -> str:
    """1,000 rather than 10^3; 0.5 rather than 5e-1; millions as 1M, 2M."""
    if value >= 1_000_000:
        return f"{value / 1e6:g}M"
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"
