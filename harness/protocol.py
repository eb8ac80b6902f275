"""Read a program's result: the last line of its stdout, one JSON object (see DESIGN.md)."""

from __future__ import annotations

import json
import math


class ProtocolError(Exception):
    """A program's output that does not follow the protocol; the run counts as failed."""


def parse_result(stdout: str) -> dict:
    """The final JSON line as ``{"checksum", "work_s", "ops", "metrics"}``."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise ProtocolError("printed nothing on stdout; the last line must be the JSON result")
    try:
        result = json.loads(lines[-1])
    except json.JSONDecodeError:
        raise ProtocolError(f"last stdout line is not JSON: {lines[-1][:120]!r}") from None
    if not isinstance(result, dict) or result.get("checksum") is None:
        raise ProtocolError("the JSON result has no 'checksum' (null is none)")
    work = result.get("work_s")
    if work is not None and not _seconds(work if isinstance(work, list) else [work]):
        raise ProtocolError("'work_s' must be a finite, non-negative number of seconds or a list of them")
    metrics = result.get("metrics", {})
    if not isinstance(metrics, dict):
        raise ProtocolError("'metrics' must be a JSON object")
    broken = [name for name, value in metrics.items() if isinstance(value, float) and not math.isfinite(value)]
    if broken:  # a NaN or an infinity is a figure the program could not compute: never a measurement
        raise ProtocolError(f"metric {broken[0]!r} is {metrics[broken[0]]}, not a number")
    return {"checksum": str(result["checksum"]), "work_s": work, "ops": result.get("ops"), "metrics": metrics}


def _seconds(values) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in values)
