"""Check that every program of a case computed the same answer."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from harness.results.model import Status

SEEN_FRACTION = 0.9
MIN_SAMPLES = 10  # below this (about 0.1 s of samples at 10 ms) a missed thread proves nothing


class _Program(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def checksum(self) -> str: ...
    @property
    def parallel(self) -> str: ...
    @property
    def spawns(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def runtime_args(self) -> tuple[str, ...]: ...


class _Workload(Protocol):
    @property
    def name(self) -> str: ...


class _Job(Protocol):
    @property
    def program(self) -> _Program: ...
    @property
    def workload(self) -> _Workload: ...
    @property
    def params(self) -> tuple[Any, ...]: ...
    @property
    def backend(self) -> str: ...
    @property
    def case(self) -> tuple[Any, ...]: ...


class Checked(Protocol):
    """What the checks read and mark of a measurement (``run.measurement.Measurement``, which analyse may not import)."""

    status: Status
    reason: str
    checksum: str | None

    @property
    def job(self) -> _Job: ...
    @property
    def runs(self) -> list[Any]: ...
    def mark(self, status: Status, reason: str) -> None:
        """Set a non-ok status with its reason."""


def check_checksums(measurements: Sequence[Checked]) -> None:
    """Mark ``mismatch`` every ok measurement whose checksum differs from its case's majority.

    When no checksum has a strict majority, nobody can be trusted, so all of them are marked.
    """
    cases: defaultdict[tuple[Any, ...], list[Checked]] = defaultdict(list)
    for measurement in measurements:
        if measurement.status != Status.OK:
            continue
        if measurement.job.program.checksum == "none":  # a command program that asked not to be checked
            measurement.reason = "output not verified (checksum = \"none\")"
            continue
        cases[measurement.job.case].append(measurement)
    for members in cases.values():
        _check_case(members)


def _check_case(members: list[Checked]) -> None:
    counts = Counter(m.checksum for m in members)
    if len(counts) <= 1:
        return
    (top, top_count), (_, second_count) = counts.most_common(2)
    agreed = [m.job.program.label for m in members if m.checksum == top]
    for member in members:
        if top_count == second_count:
            others = ", ".join(f"{m.job.program.label}={m.checksum}" for m in members if m is not member)
            member.mark(Status.MISMATCH, f"checksum {member.checksum} disagrees with {others}; none has a majority")
        elif member.checksum != top:
            member.mark(Status.MISMATCH, f"checksum {member.checksum} differs from {top} printed by {', '.join(agreed)}")


def check_parallelism(measurements: Sequence[Checked]) -> None:
    """Mark ``mismatch`` a parallel variant that was never seen running its T threads or processes.

    Runtimes start helper threads of their own (a JVM runs about twenty), so a threaded variant
    must show T - 1 threads more than its own T=1 run where there is one (the lower median of that
    row's runs), else at least T (both with 10 % slack for what sampling misses). A run too short to be sampled MIN_SAMPLES
    times is not judged; its reason says so.
    """
    baselines: dict[tuple[Any, ...], int] = {}
    for m in measurements:
        if m.job.program.parallel == "threads" and m.status == Status.OK and _workers(m) == 1:
            baselines[_variant_key(m)] = _typical_peak(m, "threads_peak")
    for m in measurements:
        program = m.job.program
        if m.status != Status.OK or not program.parallel:
            continue
        workers = _workers(m)
        # A sample every few ms can miss the instant the last few start: 90 % of T still proves parallel form.
        expected = math.ceil(SEEN_FRACTION * workers)
        if program.parallel == "processes":
            seen, needed = _peak(m, "processes_peak"), expected
        else:
            base = baselines.get(_variant_key(m))
            seen, needed = _peak(m, "threads_peak"), (base + expected - 1 if base is not None else expected)
        if seen >= needed:
            continue
        samples = max((run.get("samples") or 0 for run in m.runs), default=0)
        if samples == 0:  # a swarm job, or a container this harness cannot see into
            m.reason = f"{workers} {program.parallel} not verified: nothing is sampled on the {m.job.backend} backend"
            continue
        if samples < MIN_SAMPLES:
            m.reason = f"too short to verify {workers} {program.parallel} by sampling (saw {seen})"
            continue
        m.mark(Status.MISMATCH, f"{program.spawns}={workers} but at most {seen} {program.parallel} were seen at once (need {needed})")


def check_vm_options(measurements: Sequence[Checked]) -> None:
    """Fail a Java row whose ``-XX:+Name`` / ``-XX:-Name`` flag the JVM did not apply.

    A JVM warns and carries on when a flag names an option it no longer has (``-XX:+ZGenerational``
    on Java 25), so a collector variant could silently run the default collector under another's
    name. The lab's Java programs report each such option as the JVM applied it
    (``vm_option_Name``: 1, 0, or -1 for no such option); a flag that did not take fails the row.
    """
    for m in measurements:
        program = m.job.program
        flags = _boolean_vm_flags(program.runtime_args) if program.language == "java" else {}
        if m.status != Status.OK or not flags:
            continue
        reason = next(filter(None, (_flag_not_taken(flags, run.get("metrics") or {}) for run in m.runs)), "")
        if reason:
            m.mark(Status.FAILED, reason)


def _flag_not_taken(flags: dict[str, int], reported: dict[str, Any]) -> str:
    """Why the first of ``flags`` that one run's JVM did not apply failed, or "" when all took."""
    for name, wanted in flags.items():
        applied = reported.get(f"vm_option_{name}")
        if applied == wanted:
            continue
        if applied == -1:
            why = "this JVM has no such option (it warned and ignored it)"
        elif applied is None:
            why = "the program did not report the options its JVM applied"
        else:
            why = f"the JVM reports {name}={'true' if applied else 'false'}"
        return f"-XX:{'+' if wanted else '-'}{name} did not take: {why}"
    return ""


def _boolean_vm_flags(runtime_args: Sequence[str]) -> dict[str, int]:
    """``-XX:+UseZGC`` -> {"UseZGC": 1}; the last of repeated flags wins, as in the JVM."""
    return {arg[5:]: int(arg[4] == "+") for arg in runtime_args if arg.startswith(("-XX:+", "-XX:-"))}


def _workers(measurement: Checked) -> int:
    workers: int = dict(measurement.job.params).get(measurement.job.program.spawns, 0)
    return workers


def _variant_key(measurement: Checked) -> tuple[Any, ...]:
    params = tuple((k, v) for k, v in measurement.job.params if k != measurement.job.program.spawns)
    return (measurement.job.workload.name, measurement.job.program.label, params)


def _typical_peak(measurement: Checked, field: str) -> int:
    """The lower median of the runs' counts: a single-worker run's own threads, without the helper
    threads some runtimes start now and then (Bun's single-worker runs saw 6 to 10 threads, so the
    largest made a baseline its two-worker runs, 8 to 10, could not clear)."""
    counts = [run[field] for run in measurement.runs if run.get(field) is not None]  # unsampled runs saw nothing
    return statistics.median_low(counts) if counts else 0


def _peak(measurement: Checked, field: str) -> int:
    """The largest count any run saw (a sample may miss the moment all were alive)."""
    return max((run.get(field) or 0 for run in measurement.runs), default=0)
