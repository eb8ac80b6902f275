"""PNG plots of sweeps, drawn with matplotlib from the same rows the tables show."""

from __future__ import annotations

from pathlib import Path

from harness import analysis


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def speedup_plot(records: list, param: str, title: str, path: Path) -> Path | None:
    """Speedup against ``param``, one line per program, with the ideal line for reference."""
    lines = analysis.series(records, param)
    rows = analysis.scaling(records, param)
    if not rows:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 4.5))
    top = max(value for points in lines.values() for value, _ in points)
    axes.plot([1, top], [1, top], linestyle=":", color="grey", label="ideal")
    for (label, others), _ in lines.items():
        mine = [r for r in rows if r["program"] == label and r["params"] == others and r["speedup"]]
        if len(mine) > 1:  # a single point (a sequential baseline) is no line
            axes.plot([r[param] for r in mine], [r["speedup"] for r in mine], marker="o", label=f"{label} {others}".strip())
    axes.set(xlabel=param, ylabel="speedup against 1", title=title)
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3)
    return _save(plt, figure, path)


def memory_plot(records: list, param: str, title: str, path: Path) -> Path | None:
    """Peak memory against ``param`` on log-log axes, one line per program."""
    def megabytes(record):
        memory = analysis.memory(record)
        return memory / 1e6 if memory else None

    return _line_plot(records, param, megabytes, path,
                      xscale="log", yscale="log", xlabel=param, ylabel="peak memory (MB)", title=title)


def field_plot(records: list, param: str, field: str, ylabel: str, title: str, path: Path) -> Path | None:
    """A summary field's median against ``param`` (log x), one line per program."""
    def median(record):
        return (record["summary"].get(field) or {}).get("median")

    return _line_plot(records, param, median, path, xscale="log", xlabel=param, ylabel=ylabel, title=title)


def _line_plot(records: list, param: str, value_of, path: Path, **settings) -> Path | None:
    """``value_of(row)`` against ``param``, one line per program; ``settings`` go to the axes."""
    lines = analysis.series(records, param)
    if not lines:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for (label, others), points in lines.items():
        values = [(value, value_of(record)) for value, record in points]
        values = [(x, y) for x, y in values if y is not None]
        if values:
            axes.plot([x for x, _ in values], [y for _, y in values], marker="o", label=f"{label} {others}".strip())
    axes.set(**settings)
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3, which="both")
    return _save(plt, figure, path)


def _save(plt, figure, path: Path) -> Path:
    from matplotlib.ticker import FuncFormatter

    for axes in figure.axes:  # plain numbers on log axes, not powers of ten
        for axis in (axes.xaxis, axes.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_formatter(FuncFormatter(lambda value, _: _plain(value)))
                # Label only the 2s and 5s between the powers of ten, so labels do not collide.
                axis.set_minor_formatter(FuncFormatter(lambda value, _: _plain(value) if f"{value:e}"[0] in "25" else ""))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _plain(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"
