"""The results file's model: a row's status, its identity and label, and the frozen ``Row`` and ``Run``.

The rest of the lab reads a results document as plain dicts (``results.json`` as loaded). This
module says what those dicts must hold: ``Row.from_dict`` and ``Run.from_dict`` check every field
they know and keep every field they do not, so ``to_dict`` gives back the stored record exactly.
A row's identity and its label are written here once; the report, ``show`` and ``diff`` use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from harness.errors import ResultsError


class Status(StrEnum):
    """What became of a row. A StrEnum, so the JSON keeps the plain words ("ok", "mismatch", ...)."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    OOM = "oom"
    MISMATCH = "mismatch"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


STATUSES = frozenset(status.value for status in Status)

# Bump when a claim's rule changes, so a stored verdict says which rules judged it.
# 2: from 7 runs a row on, each row's slowest run is left out of a ratio's sequential interval.
# 3: a ratio whose rows keep different run counts keeps the one bound its rank test reaches (one-sided).
# 4: a design past 10 runs a row has two levels (sequential.EARLY_SHARE); an open end of rows of
#    different run counts is closed by the look at each row's first runs where that bounds it.
RULES_VERSION = 4

# Run fields summarised with a median and a confidence interval, in table order.
SUMMARY_FIELDS = (
    "wall_s", "work_cold_s", "work_warm_s", "ns_per_op", "cpu_s", "peak_memory_bytes", "peak_rss_bytes",
    "cgroup_peak_bytes", "cgroup_anon_peak_bytes", "threads_peak", "processes_peak", "ctx_voluntary", "ctx_involuntary",
    "requests_per_s", "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_max_us", "generator_cpu_util",
    "open_p99_at_50_us", "open_p99_at_80_us", "server_cpus", "harness_cpu_s", "other_cpu_s", "cpu_s_per_request",
)
# A workload's key figure (catalogue ``key_figure``) and the run fields that give it, best first.
KEY_FIELDS = {
    "time": ("work_warm_s", "work_cold_s", "wall_s"),
    # The headline peak a user reproduces by hand (measure/peaks.py); older runs have only the others.
    "memory": ("peak_memory_bytes", "cgroup_peak_bytes", "peak_rss_bytes"),
    "rate": ("requests_per_s",),
}
NATIVE = "native"
Record = dict[str, Any]  # a stored row as loaded: what the report and the analyses read

# ------------------------------------------------------------------ identity and label (of a stored record)


def backend(record: Mapping[str, Any]) -> str:
    """Where the row ran: ``native`` (also for a schema-1 row, which predates backends), ``docker``, ``swarm@A``."""
    return str(record.get("backend", NATIVE))


def runtime(record: Mapping[str, Any]) -> str:
    """The version tag among several of its language (``3.13t``), or "" for the language's one runtime."""
    return str(record.get("runtime", ""))


def params_key(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Parameters as sorted (name, value) pairs: hashable, and equal whatever order they were stored in."""
    return tuple(sorted(params.items()))


def identity(record: Mapping[str, Any], with_backend: bool = True) -> tuple[Any, ...]:
    """What tells one row from every other of a run, in the order of ``plan.Job.key``: workload,
    language, runtime, variant, parameters, backend. Without the backend: the same program and
    case wherever it ran (a container row's native twin)."""
    found = (record["workload"], record["language"], runtime(record), record["variant"], params_key(record["params"]))
    return (*found, backend(record)) if with_backend else found


def program_name(record: Mapping[str, Any]) -> str:
    """``java/arraylist``, or ``java21/virtual`` in a run of several Javas, or ``pypy/threads`` for
    another implementation of its language."""
    tag = runtime(record)
    return f"{tag}/{record['variant']}" if tag[:1].isalpha() else f"{record['language']}{tag}/{record['variant']}"


def label(record: Mapping[str, Any]) -> str:
    """``language/variant`` (``java21/virtual`` in a run of several Javas), with ``[backend]`` for a
    row not run natively."""
    where = backend(record)
    return program_name(record) + (f" [{where}]" if where != NATIVE else "")


CORES_TEXT = {"one": "(one core)", "all": "(every core)"}  # a server's mode (catalogue ``cores``)


def row_label(record: Mapping[str, Any]) -> str:
    """The program as a table row shows it: ``java/arraylist [docker] -Xmx256m``, or ``java/pool (every core)``
    for a server."""
    flags = " ".join(record.get("runtime_args") or [])
    mode = CORES_TEXT.get(record.get("cores", ""), "")
    return label(record) + (f" {flags}" if flags else "") + (f" {mode}" if mode else "")


def params_text(params: Mapping[str, Any]) -> str:
    """``n=1000 threads=2``."""
    return " ".join(f"{key}={value}" for key, value in params.items())


def row_name(record: Mapping[str, Any]) -> str:
    """``cpu_scaling python/threads chunks=64 steps=20000 threads=2`` (with ``[docker]`` off native, and
    the version among several: ``python3.13t/threads``)."""
    return f"{record['workload']} {label(record)} {params_text(record['params'])}".strip()


# ------------------------------------------------------------------ validation


Check = tuple[tuple[type, ...], str]  # the types a field may have, and those types in words
TEXT: Check = ((str,), "a string")
TEXT_OR_NULL: Check = ((str, type(None)), "a string or null")
OBJECT: Check = ((dict, MappingProxyType), "an object")
OBJECT_OR_NULL: Check = ((dict, MappingProxyType, type(None)), "an object or null")
LIST: Check = ((list, tuple), "a list")
LIST_OR_NULL: Check = ((list, tuple, type(None)), "a list or null")
NUMBER_OR_NULL: Check = ((int, float, type(None)), "a number or null")
NUMBER: Check = ((int, float), "a number")


def _kind(value: Any) -> str:
    """A JSON reader's word for a value's type."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
             int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def check(where: str, name: str, value: Any, rule: Check) -> None:
    """ResultsError unless ``value`` has one of the rule's types (a boolean is not a number)."""
    types, words = rule
    if type(value) in types:  # the common case, cheaply: a results file holds millions of values
        return
    a_flag_for_a_number = isinstance(value, bool) and bool not in types  # bool is an int to isinstance
    if not isinstance(value, types) or a_flag_for_a_number:
        raise ResultsError(f"{where} has {name!r} {_kind(value)}, not {words}")


def _check_fields(where: str, data: Mapping[str, Any], rules: Mapping[str, Check], required: tuple[str, ...]) -> None:
    for name in required:
        if name not in data:
            raise ResultsError(f"{where} has no {name!r}")
    for name, rule in rules.items():
        if name in data:
            check(where, name, data[name], rule)


def _frozen(value: Any) -> Any:
    """A read-only view of a stored object or list (a shallow copy: a run of 20,000 rows is loaded in
    well under a second, and nothing below the first level is rewritten by the lab)."""
    if isinstance(value, dict):
        return MappingProxyType(dict(value))
    if isinstance(value, list):
        return tuple(value)
    return value


def _thawed(value: Any) -> Any:
    """The plain JSON value of a frozen one."""
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thawed(item) for item in value]
    return value


# ------------------------------------------------------------------ Run and Row


RUN_FIELDS: dict[str, Check] = {
    **{name: NUMBER_OR_NULL for name in SUMMARY_FIELDS},
    "work_s": LIST_OR_NULL, "metrics": OBJECT_OR_NULL, "load": OBJECT_OR_NULL, "memory_method": TEXT_OR_NULL,
}


@dataclass(frozen=True)
class Run:
    """One measured process run: its figures by name (``wall_s``, ``peak_rss_bytes``, ``metrics``, ``load``, ...).

    Every figure the lab summarises must be a number or null; other fields are kept as stored.
    """

    values: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not isinstance(self.values, Mapping):
            raise ResultsError(f"a run's values are {_kind(self.values)}, not an object")

    @classmethod
    def from_dict(cls, data: Any, where: str = "run") -> Run:
        """A run from its stored record; ResultsError naming the field when a type is wrong."""
        if not isinstance(data, Mapping):
            raise ResultsError(f"{where} is not an object")
        _check_fields(where, data, RUN_FIELDS, ())
        for number, value in enumerate(data.get("work_s") or ()):
            check(where, f"work_s[{number}]", value, NUMBER_OR_NULL)
        return cls(_frozen(dict(data)))

    def get(self, name: str, default: Any = None) -> Any:
        """A figure of the run, or ``default`` where it has none."""
        return self.values.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """The run as stored."""
        return dict(_thawed(self.values))


# A stored row's fields in the order the runner writes them (run/measurement.py ``to_record``).
ROW_ORDER = ("workload", "family", "language", "variant", "runtime", "backend", "machine", "params", "args",
             "runtime_args", "cores", "status", "reason", "checksum", "command", "stderr_tail", "runs", "disturbed_runs",
             "stop_reason", "summary")
REQUIRED = ("workload", "language", "variant", "params", "status", "runs")
ROW_FIELDS: dict[str, Check] = {
    "workload": TEXT, "language": TEXT, "variant": TEXT, "params": OBJECT, "status": TEXT, "runs": LIST,
    "family": TEXT, "runtime": TEXT, "backend": TEXT, "machine": TEXT, "args": OBJECT, "runtime_args": LIST,
    "cores": TEXT, "reason": TEXT, "checksum": TEXT_OR_NULL, "command": LIST, "stderr_tail": TEXT,
    "disturbed_runs": NUMBER, "stop_reason": TEXT, "summary": OBJECT_OR_NULL,
}
PARAM: Check = ((str, int, float, bool), "a string, number or boolean")
NAMED = {"workload", "language", "variant", "params", "status", "runs", "summary"}  # Row's own attributes


@dataclass(frozen=True)
class Row:
    """One program with one set of parameters on one backend: its status, runs and summary.

    ``extra`` holds the stored fields the model does not name, so nothing is lost on the way
    through.
    """

    workload: str
    language: str
    variant: str
    params: Mapping[str, Any]
    status: Status
    runs: tuple[Run, ...]
    summary: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        """Check the row's own attributes (``from_dict`` checks every stored field, naming the row)."""
        for name in ("workload", "language", "variant"):
            check("row", name, getattr(self, name), TEXT)
        check("row", "params", self.params, OBJECT)
        if not isinstance(self.status, Status):
            raise ResultsError(f"row has 'status' {self.status!r}, not a Status")
        if not all(isinstance(run, Run) for run in self.runs):
            raise ResultsError("row has a run that is not a Run")

    @classmethod
    def from_dict(cls, data: Any, where: str = "row") -> Row:
        """A row from its stored record; ResultsError naming the field and what is wrong with it."""
        if not isinstance(data, Mapping):
            raise ResultsError(f"{where} is not an object")
        _check_fields(where, data, ROW_FIELDS, REQUIRED)
        if data["status"] not in STATUSES:
            raise ResultsError(f"{where} has 'status' {data['status']!r}, not one of {', '.join(map(repr, Status))}")
        for name, value in data["params"].items():
            check(where, f"params.{name}", value, PARAM)
        for name in ("runtime_args", "command"):
            for number, value in enumerate(data.get(name) or ()):
                check(where, f"{name}[{number}]", value, TEXT)
        _check_summary(where, data.get("summary"))
        for run in data["runs"]:
            if not isinstance(run, Mapping):
                raise ResultsError(f"{where} has a run that is not an object")
        runs = tuple(Run.from_dict(run, f"{where}, run {number}") for number, run in enumerate(data["runs"]))
        # A null summary stays in ``extra``, so a stored ``"summary": null`` comes back as it was.
        extra = {key: value for key, value in data.items() if key not in NAMED or (value is None and key == "summary")}
        return cls(data["workload"], data["language"], data["variant"], _frozen(data["params"]), Status(data["status"]),
                   runs, _frozen(data.get("summary")), _frozen(extra))

    def to_dict(self) -> dict[str, Any]:
        """The row as stored: known fields in the runner's order, then any others as they came."""
        found: dict[str, Any] = {
            **{key: _thawed(value) for key, value in self.extra.items()},
            "workload": self.workload, "language": self.language, "variant": self.variant,
            "params": _thawed(self.params), "status": str(self.status), "runs": [run.to_dict() for run in self.runs],
        }
        if self.summary is not None:
            found["summary"] = _thawed(self.summary)
        ordered = {key: found[key] for key in ROW_ORDER if key in found}
        return {**ordered, **{key: value for key, value in found.items() if key not in ordered}}

    @property
    def backend(self) -> str:
        """Where the row ran (``native`` unless stored otherwise)."""
        return backend(self.extra)

    @property
    def runtime(self) -> str:
        """The runtime version tag among several of its language, or ""."""
        return runtime(self.extra)

    def _key_fields(self) -> dict[str, Any]:
        return {**self.extra, "workload": self.workload, "language": self.language, "variant": self.variant,
                "params": self.params}

    @property
    def identity(self) -> tuple[Any, ...]:
        """See ``identity``."""
        return identity(self._key_fields())

    @property
    def label(self) -> str:
        """See ``label``."""
        return label(self._key_fields())


def _check_summary(where: str, summary: Any) -> None:
    """A summary maps each figure to its median and interval (an object, or null), and ``metrics`` to more of them."""
    if not summary:
        return
    entries = [(name, value) for name, value in summary.items() if name != "metrics"]
    metrics = summary.get("metrics")
    if metrics is not None:
        check(where, "summary.metrics", metrics, OBJECT)
        entries += [(f"metrics.{name}", value) for name, value in metrics.items()]
    for name, entry in entries:
        check(where, f"summary.{name}", entry, OBJECT_OR_NULL)
        if not entry:
            continue
        for part in SUMMARY_PARTS:  # the report reads each of them from every figure it shows
            if part not in entry:
                raise ResultsError(f"{where} has no 'summary.{name}.{part}'")
            check(where, f"summary.{name}.{part}", entry[part], NUMBER)


SUMMARY_PARTS = ("median", "ci_low", "ci_high", "n")
VERDICT_FIELDS: dict[str, Check] = {"claim_id": TEXT, "claim": TEXT, "workloads": LIST, "backend": TEXT,
                                    "outcome": TEXT, "predicates": LIST, "note": TEXT, "runtime": TEXT}
PREDICATE_FIELDS: dict[str, Check] = {"statement": TEXT, "threshold": TEXT, "outcome": TEXT, "figure": OBJECT_OR_NULL,
                                      "reason": TEXT_OR_NULL}


# What the report reads of a run's options, environment and workload descriptions (other fields are kept unread).
OPTION_FIELDS: dict[str, Check] = {
    "profile": TEXT, "runs": NUMBER, "min_runs": NUMBER, "max_runs": NUMBER, "warmup": NUMBER,
    "target_ci": NUMBER_OR_NULL, "row_budget_s": NUMBER_OR_NULL, "run_budget_s": NUMBER_OR_NULL,
}
ENVIRONMENT_FIELDS: dict[str, Check] = {
    "host": TEXT_OR_NULL, "cpu_model": TEXT_OR_NULL, "kernel": TEXT_OR_NULL, "os": TEXT_OR_NULL, "lab_commit": TEXT,
    "backend": TEXT, "memory_total_bytes": NUMBER, "swap_total_bytes": NUMBER_OR_NULL,
    "cores_available": NUMBER_OR_NULL, "cores_logical": NUMBER_OR_NULL, "runtimes": OBJECT,
    "runtimes_missing": OBJECT, "runtime_versions": OBJECT, "backends": OBJECT, "engine_host": OBJECT_OR_NULL,
}
# Tables of tables: each value of these environment fields must itself be an object (or, for runtimes_missing, text).
ENVIRONMENT_TABLES: dict[str, Check] = {"runtimes": OBJECT, "runtime_versions": OBJECT, "backends": OBJECT,
                                        "runtimes_missing": TEXT}
RUNTIME_FIELDS: dict[str, Check] = {"max_heap_bytes": NUMBER, "heap_limit_bytes": NUMBER}  # shown in MiB
WORKLOAD_FIELDS: dict[str, Check] = {
    "family": TEXT, "question": TEXT, "claim": TEXT, "kind": TEXT, "key_figure": TEXT_OR_NULL,
    "scaling": TEXT_OR_NULL, "slope": TEXT_OR_NULL, "report_metrics": LIST, "languages": LIST, "programs": OBJECT,
    "params": OBJECT,
}


def check_context(document: Mapping[str, Any]) -> None:
    """The run's options, environment and workload descriptions, as far as the report reads them."""
    _check_fields("the document", _prefixed("options", document["options"]), _prefixed("options", OPTION_FIELDS), ())
    environment = document["environment"]
    _check_fields("the document", _prefixed("environment", environment), _prefixed("environment", ENVIRONMENT_FIELDS), ())
    for name, rule in ENVIRONMENT_TABLES.items():
        for key, value in (environment.get(name) or {}).items():
            check("the document", f"environment.{name}.{key}", value, rule)
    for language, info in (environment.get("runtimes") or {}).items():
        _check_fields("the document", _prefixed(f"environment.runtimes.{language}", info),
                      _prefixed(f"environment.runtimes.{language}", RUNTIME_FIELDS), ())
    for workload, info in (document.get("workloads") or {}).items():
        check("the document", f"workloads.{workload}", info, OBJECT)
        _check_fields("the document", _prefixed(f"workloads.{workload}", info),
                      _prefixed(f"workloads.{workload}", WORKLOAD_FIELDS), ())
        if info.get("key_figure") not in (None, *KEY_FIELDS):
            raise ResultsError(f"the document has 'workloads.{workload}.key_figure' {info['key_figure']!r}, "
                               f"not one of {', '.join(map(repr, KEY_FIELDS))}")
        for number, name in enumerate(info.get("report_metrics") or ()):
            check("the document", f"workloads.{workload}.report_metrics[{number}]", name, TEXT)


def _prefixed(prefix: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a": 1}`` as ``{"prefix.a": 1}``, so a message names the field by its path."""
    return {f"{prefix}.{key}": value for key, value in fields.items()}


def check_verdict(where: str, verdict: Any) -> None:
    """A stored verdict as the report reads it: its claim, workloads, backend, outcome and predicates,
    and each predicate's figure."""
    check(where, "verdict", verdict, OBJECT)
    _check_fields(where, verdict, VERDICT_FIELDS, ("claim_id", "backend", "outcome", "predicates"))
    for number, name in enumerate(verdict.get("workloads") or ()):
        check(where, f"workloads[{number}]", name, TEXT)
    for number, predicate in enumerate(verdict["predicates"]):
        check(where, f"predicates[{number}]", predicate, OBJECT)
        _check_fields(f"{where}, predicate {number}", predicate, PREDICATE_FIELDS, ("statement", "threshold", "outcome"))
        if predicate.get("figure"):
            _check_figure(f"{where}, predicate {number}", predicate["figure"])


# A predicate's stored figure: the fields of judge.model.Figure, which the report builds from it.
FIGURE_FIELDS: dict[str, Check] = {
    "label": TEXT, "estimate": NUMBER_OR_NULL, "low": NUMBER_OR_NULL, "high": NUMBER_OR_NULL, "n": ((str, int), "a string or number"),
    "unit": TEXT, "significant": ((bool, type(None)), "a boolean or null"), "method": TEXT,
}


def _check_figure(where: str, figure: Mapping[str, Any]) -> None:
    """A figure has its label, estimate, interval and count, and no field a Figure lacks."""
    _check_fields(where, _prefixed("figure", figure), _prefixed("figure", FIGURE_FIELDS),
                  ("figure.label", "figure.estimate", "figure.low", "figure.high", "figure.n"))
    unknown = sorted(set(figure) - set(FIGURE_FIELDS))
    if unknown:
        raise ResultsError(f"{where} has 'figure.{unknown[0]}', which no figure has")
