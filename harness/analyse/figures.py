"""Figures derived across the rows of a sweep: speedup and efficiency, and memory per unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from harness.analyse import stats
from harness.results import model
from harness.results.model import KEY_FIELDS, Record, Status, label

__all__ = ["label"]  # a row's label lives in the results model; kept here for the report's plots and tables


# The figures compared between backends, and their column headings.
OVERHEAD_FIELDS = {"wall_s": "wall", "work_warm_s": "work warm", "cpu_s": "CPU", "peak_rss_bytes": "peak RSS",
                   "cgroup_peak_bytes": "cgroup peak", "requests_per_s": "req/s"}


def versions_alike(environment: dict[str, Any]) -> tuple[set[str], list[str]]:
    """The languages whose runtime has the same release natively and in the containers, and a
    phrase for each that differs (``python 3.11 here, 3.13 in the image``)."""
    native = environment.get("runtimes") or {}
    images = ((environment.get("backends") or {}).get("docker") or {}).get("runtimes") or {}
    same: set[str] = set()
    differing: list[str] = []
    for language in sorted(set(native) & set(images)):
        here, there = _release(native[language].get("version")), _release(images[language].get("version"))
        if here and here == there:
            same.add(language)
        else:
            differing.append(f"{language} {here or '?'} here, {there or '?'} in the image")
    return same, differing


def _release(version: object) -> str:
    """3.11 of Python 3.11.7, 21 of Java 21.0.8 (and of 21), 20 of Node 20.20.2."""
    parts = str(version or "").lstrip("v").split(".")
    return ".".join(parts[:2]) if len(parts) >= 3 and parts[0] == "3" else parts[0]


def overhead(records: list[Record]) -> list[dict[str, Any]]:
    """Container/native ratios for every row measured on both backends."""
    native = {model.identity(r, with_backend=False): r for r in records
              if model.backend(r) == model.NATIVE and r["status"] == Status.OK}
    rows = []
    for record in records:
        twin = native.get(model.identity(record, with_backend=False))
        # Only the docker backend runs on this machine: a swarm machine's rows are never set against it.
        if model.backend(record) != "docker" or record["status"] != Status.OK or twin is None:
            continue
        ratios = {}
        for field in OVERHEAD_FIELDS:
            mine, theirs = (record["summary"].get(field) or {}), (twin["summary"].get(field) or {})
            ratios[field] = mine["median"] / theirs["median"] if mine.get("median") and theirs.get("median") else None
        rows.append({"workload": record["workload"], "program": label(record), "language": record["language"],
                     "runtime": model.runtime(record), "params": model.params_text(record["params"]), **ratios})
    return rows


def timing(record: Record) -> float | None:
    """The steady-state time of a row: warm work, else cold work, else wall time (medians)."""
    summary = record.get("summary") or {}
    for field in ("work_warm_s", "work_cold_s", "wall_s"):
        if summary.get(field):
            median: float = summary[field]["median"]  # an int for byte counts: kept as stored
            return median
    return None


def memory(record: Record) -> float | None:
    """The peak memory of a row: its headline peak (GNU time's %M, a tree's PSS) where measured, else
    the cgroup peak, else the sampled RSS (runs made before the headline peak existed)."""
    summary = record.get("summary") or {}
    for field in KEY_FIELDS["memory"]:
        if summary.get(field):
            median: float = summary[field]["median"]  # an int for byte counts: kept as stored
            return median
    return None


def counted_runs(runs: list[Any]) -> list[Any]:
    """The runs a row's figures come from: its undisturbed runs when they are at least two and at least
    half of its runs; otherwise every run, so that the figure can still be shown (one run has no
    spread, and a few calm runs picked from many would be a choice). Runs without the field are undisturbed.
    The judge then holds a mostly disturbed row's claim back, and diff says which rows these were."""
    calm = [run for run in runs if not run.get("disturbed")]
    return calm if len(calm) >= 2 and 2 * len(calm) >= len(runs) else runs


def samples(record: Record, figure: str) -> list[float]:
    """Per-run values of a row's ``time`` or ``memory`` figure (the first field every run has), from its
    counted runs (``counted_runs``)."""
    runs = counted_runs(record.get("runs") or [])
    for name in KEY_FIELDS[figure]:
        values = [run.get(name) for run in runs]
        if values and all(v is not None for v in values):
            return values
    return []


def key_figure(info: dict[str, Any]) -> str:
    """A workload's key figure from its stored description: the catalogue's, else by kind and sweep."""
    default = "rate" if info.get("kind") == "server" else "memory" if info.get("slope") else "time"
    return info.get("key_figure") or default


def generator_bound(record: Record) -> bool:
    """Whether a server row's load generator, not the server, may have set its rate."""
    return any((run.get("load") or {}).get("generator_saturated") for run in record.get("runs") or [])


def metric_samples(record: Record, name: str) -> list[float]:
    """Per-run values of one of a row's program metrics."""
    values = [(run.get("metrics") or {}).get(name) for run in record.get("runs") or []]
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def series(records: list[Record], param: str) -> dict[tuple[str, str], list[tuple[Any, Record]]]:
    """Rows grouped into lines: (program label, other params) -> [(param value, record)] sorted."""
    lines: defaultdict[tuple[str, str], list[tuple[Any, Record]]] = defaultdict(list)
    varying = _varying(records, param)
    for record in records:
        if record["status"] != Status.OK or param not in record["params"]:
            continue
        others = " ".join(f"{k}={v}" for k, v in record["params"].items() if k in varying)
        lines[(label(record), others)].append((record["params"][param], record))
    return {key: sorted(points, key=lambda p: p[0]) for key, points in lines.items()}


def _varying(records: list[Record], param: str) -> set[str]:
    """Parameters other than ``param`` that differ between rows: the ones worth naming on a line."""
    seen: defaultdict[str, set[Any]] = defaultdict(set)
    for record in records:
        for key, value in record["params"].items():
            seen[key].add(value)
    return {key for key, values in seen.items() if key != param and len(values) > 1}


def scaling(records: list[Record], param: str) -> list[dict[str, Any]]:
    """Speedup, efficiency and CPU use against the same variant's run at ``param`` = 1."""
    rows = []
    for (program, others), points in series(records, param).items():
        base = next((r for value, r in points if value == 1), None)
        for value, record in points:
            seconds = timing(record)
            found: stats.Comparison | None
            if record is base:  # the base against itself: exactly 1, no interval
                found = stats.Comparison(1.0, 1.0, 1.0, 1.0, False, len(samples(base, "time")), len(samples(base, "time")))
            else:
                found = stats.compare(samples(base, "time"), samples(record, "time")) if base else None
            speedup = found.ratio if found else None
            summary = record["summary"]
            wall, cpu = summary.get("wall_s"), summary.get("cpu_s")
            rows.append({
                "program": program, "params": others, param: value, "time_s": seconds, "speedup": speedup,
                "speedup_comparison": found.to_dict() if found else None, "n": len(record.get("runs") or []),
                "efficiency": speedup / value if speedup else None,
                "cpu_utilisation": cpu["median"] / wall["median"] if cpu and wall else None,
                "memory_bytes": memory(record),
            })
    return rows


def slope(records: list[Record], param: str) -> list[dict[str, Any]]:
    """Memory per unit of ``param``: the least-squares slope of peak memory over the sweep."""
    rows = []
    for (program, others), points in series(records, param).items():
        xs = [value for value, _ in points]
        found = [memory(record) for _, record in points]
        ys = [y for y in found if y is not None]
        if len(xs) < 2 or len(ys) < len(found):
            continue
        per_unit = _least_squares_slope(xs, ys)
        interval = stats.bootstrap_interval([samples(record, "memory") for _, record in points],
                                            _slope_of_medians(xs), vectorized=True)
        rows.append({
            "program": program, "params": others, "from": xs[0], "to": xs[-1],
            "memory_first_bytes": ys[0], "memory_last_bytes": ys[-1], "bytes_per_unit": per_unit,
            "bytes_per_unit_low": interval[1] if interval else None, "bytes_per_unit_high": interval[2] if interval else None,
            "n": min(len(record.get("runs") or []) for _, record in points),
        })
    return rows


def _slope_of_medians(xs: Sequence[float]) -> Callable[..., Any]:
    """The statistic a slope's bootstrap resamples: the least-squares slope through each point's median
    run, computed for every resample at once (each set holds one point's resampled runs along ``axis``).
    None-free: the sweep has at least two distinct xs wherever a slope exists."""
    centred = np.asarray(xs, dtype=float) - float(np.mean(xs))
    spread = float(np.sum(centred ** 2))

    def statistic(*sets: npt.NDArray[np.float64], axis: int = -1) -> Any:
        medians = np.stack([np.median(s, axis=axis) for s in sets], axis=-1)  # (..., points)
        centred_y = medians - medians.mean(axis=-1, keepdims=True)
        return (centred_y * centred).sum(axis=-1) / spread if spread else np.full(medians.shape[:-1], np.nan)
    return statistic


def _least_squares_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The slope of the least-squares line through the points, or None when every x is the same."""
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread if spread else None
