"""Read a program's result: the last line of its stdout, one JSON object (see DESIGN.md).

A command program (any executable, unchanged) need not print that line: its checksum is then
made from its output by the rule its catalogue entry names.
"""

from __future__ import annotations

import hashlib
import json
import math
import re

# A sign counts only where it cannot be a hyphen ("-3", "x = -3", not "tree-3"); a decimal point
# only between digits ("1..100" is 1 and 100).
NUMBER = re.compile(r"(?:(?<![\w.])[-+])?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
FIRST_LINES = 5  # of a command's output, kept in the reason when its regex matched nothing


class ProtocolError(Exception):
    """A program's output that does not follow the protocol; the run counts as failed."""


class OutputMismatch(ProtocolError):
    """A command program's output that its checksum rule cannot read: the row is a mismatch."""


def read_output(stdout: str, rule: str = "", pattern: str = "") -> dict:
    """A program's result. ``rule`` "" is the lab's protocol; else a command program's checksum rule.

    A command program that prints the lab's JSON line last is read by the protocol all the same.
    """
    try:
        return parse_result(stdout)
    except ProtocolError:
        if not rule:
            raise
    return {"checksum": output_checksum(stdout, rule, pattern), "work_s": None, "ops": None, "metrics": {}}


def output_checksum(stdout: str, rule: str, pattern: str = "") -> str:
    """A short hash of what ``rule`` takes from the output: all of it, its numbers, or the regex's groups."""
    text = stdout.replace("\r\n", "\n").replace("\r", "\n")
    if rule == "none":
        return "unverified"
    if rule == "stdout":
        taken = text.rstrip("\n")
    elif rule == "numbers":
        taken = " ".join(_canonical(number) for number in NUMBER.findall(text))
    else:
        found = re.findall(pattern, text, re.MULTILINE)
        if not found:
            first = "\n".join(text.splitlines()[:FIRST_LINES])
            raise OutputMismatch(f"checksum regex {pattern!r} matched nothing; the output began: {first!r}")
        taken = repr([group if isinstance(group, tuple) else (group,) for group in found])
    return hashlib.sha256(taken.encode()).hexdigest()[:16]


def _canonical(number: str) -> str:
    """One spelling per value: 42, 42.0 and 4.2e1 are all 42; 0.50 is 0.5."""
    value = float(number)
    return str(int(value)) if value.is_integer() and abs(value) < 2**63 else repr(value)


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
