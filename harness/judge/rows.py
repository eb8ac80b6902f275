"""Row queries over a run's measurements: the ok rows of one program, at given parameter values.

Rows are the dicts of results.json's ``measurements``. Only ok rows are evidence: a crash, a
timeout or a program's refusal of its own thread budget never supports or contradicts anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.analyse.sequential import Design
from harness.judge.claims import ProgramRef

Row = dict[str, Any]


def run_design(options: Mapping[str, Any] | None) -> Design:
    """The sequential design a run's rows were sampled under: one look per run from --min-runs to --max-runs.

    The method needs 2 runs a row, so a run of fewer (``--runs 1``) is judged as if it planned 2.
    """
    options = options or {}
    low = max(2, int(options.get("min_runs") or options.get("runs") or Design.min_runs))
    high = max(low, int(options.get("max_runs") or options.get("runs") or Design.max_runs))
    return Design(low, high)


class Context:
    """The rows of one backend, the machine facts that thresholds depend on, and the run's sequential design."""

    def __init__(self, rows: list[Row], backend: str, environment: dict[str, Any], design: Design | None = None):
        self.rows, self.backend, self.environment = rows, backend, environment
        self.design = design or Design()
        backends = environment.get("backends") or {}
        self.machine: dict[str, Any] = backends.get(backend, environment)

    def workload(self, name: str) -> list[Row]:
        """Every row of one workload, ok or not."""
        return [r for r in self.rows if r["workload"] == name]

    @property
    def cores(self) -> int:
        """The cores the run's programs could use."""
        return int(self.machine.get("cores_available") or self.environment.get("cores_available") or 1)

    @property
    def memory_bytes(self) -> float:
        """The memory the run's programs could use: the smaller of the limit and the machine's total."""
        limit = self.machine.get("memory_limit_bytes") or self.environment.get("memory_limit_bytes")
        total = self.machine.get("memory_total_bytes") or self.environment.get("memory_total_bytes") or 0
        return float(min(limit, total) if limit and total else (limit or total))

    def python_build(self) -> str:
        """``CPython 3.11.7 (GIL build)``, ``PyPy 3.9.16 (GIL build)``: what C5's note says it was judged on."""
        info = (self.machine.get("runtimes") or self.environment.get("runtimes") or {}).get("python", {})
        build = "free-threaded" if info.get("gil") is False else "GIL"
        return f"{info.get('implementation') or 'CPython'} {info.get('version', '?')} ({build} build)"


def ok_rows(records: list[Row], language: str | None, variant: str | None = None, **params: Any) -> list[Row]:
    """ok rows of one program (and parameter values); language None for every language."""
    return [
        r for r in records
        if r["status"] == "ok" and (language is None or r["language"] == language) and (variant is None or r["variant"] == variant)
        and all(r["params"].get(k) == v for k, v in params.items())
    ]


def of(records: list[Row], program: ProgramRef, **params: Any) -> list[Row]:
    """ok rows of a program named in claims.toml (and parameter values)."""
    return ok_rows(records, program.language, program.variant, **params)


def one(records: list[Row], language: str, variant: str, **params: Any) -> Row | None:
    """The first ok row of one program at these parameter values, or None."""
    found = ok_rows(records, language, variant, **params)
    return found[0] if found else None


def one_of(records: list[Row], program: ProgramRef, **params: Any) -> Row | None:
    """The first ok row of a program named in claims.toml at these parameter values, or None."""
    return one(records, program.language, program.variant, **params)


def largest(records: list[Row], param: str) -> Any:
    """The largest value of ``param`` among the ok rows, or None."""
    values = [r["params"][param] for r in records if param in r["params"] and r["status"] == "ok"]
    return max(values) if values else None


def run_values(record: Row, key: str) -> list[float]:
    """One figure of each run that has it (requests_per_s, latency_p99_us)."""
    return [run[key] for run in record.get("runs") or [] if run.get(key)]


def switch_rates(record: Row) -> list[float]:
    """Involuntary context switches per second of wall time, per run."""
    return [run["ctx_involuntary"] / run["wall_s"] for run in record.get("runs") or []
            if run.get("ctx_involuntary") and run.get("wall_s")]


def known(records: list[Row], program: ProgramRef, **params: Any) -> Row:
    """The ok row of a program at these values, when the caller has just seen it among ``records``."""
    found = one_of(records, program, **params)
    if found is None:
        raise LookupError(f"no ok row of {program.label} at {params}")
    return found
