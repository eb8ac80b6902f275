"""Run every job: warm-ups, then measured rounds in a shuffled order, verifying and storing as it goes."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass

from harness import verify
from harness.measurement import Measurement

DEFAULT_TIMEOUT_S = {"quick": 120.0, "full": 900.0}


@dataclass(frozen=True)
class RunOptions:
    """How many times to run each job, and for how long at most."""

    runs: int
    warmup: int
    timeout_s: float | None  # None: the workload's own timeout, else the profile's default
    profile: str
    seed: int = 0


def run_all(jobs, lifecycle, store, options: RunOptions, skip_reason=None, progress=None) -> list:
    """Measure every job and return its Measurement; Ctrl-C keeps what was finished.

    ``skip_reason(job)`` says why a job cannot run here (a missing runtime, say), or "".
    """
    progress = progress or _print_progress
    measurements = {job.key: Measurement(job) for job in jobs}
    for measurement in measurements.values():
        reason = skip_reason(measurement.job) if skip_reason else ""
        if reason:
            measurement.mark("skipped", reason)
    store.save(measurements.values())
    rounds = options.warmup + options.runs
    done, total = 0, sum(options.runs + _warmups(m.job, options) for m in measurements.values() if m.status == "ok")
    try:
        for round_index in range(rounds):
            order = list(measurements.values())
            random.Random(options.seed + round_index).shuffle(order)
            for measurement in order:
                job = measurement.job
                warming = round_index < options.warmup
                if measurement.finished_badly or (warming and not _warmups(job, options)):
                    continue
                result = lifecycle.run(job, _timeout(job, options))
                measurement.add(result, keep=not warming)
                done += 1
                progress(done, total, measurement, result, warming)
                store.save(measurements.values())
    except KeyboardInterrupt:
        _note_interrupted(measurements.values(), options.runs)
        _finish(measurements.values(), store)
        raise
    _finish(measurements.values(), store)
    return list(measurements.values())


def _finish(measurements, store) -> None:
    for measurement in measurements:
        measurement.summarize()
    verify.check_checksums(measurements)
    verify.check_parallelism(measurements)
    store.save(measurements, finished=True)


def _note_interrupted(measurements, runs: int) -> None:
    for measurement in measurements:
        if measurement.status == "ok" and len(measurement.runs) < runs:
            if measurement.runs:
                measurement.reason = f"interrupted after {len(measurement.runs)} of {runs} runs"
            else:
                measurement.mark("skipped", "interrupted before it was measured")


def _warmups(job, options: RunOptions) -> int:
    """Warm-up runs of a job: none for a server, whose load generator warms up in every window."""
    return 0 if job.workload.kind == "server" else options.warmup


def _timeout(job, options: RunOptions) -> float:
    if options.timeout_s is not None:
        return options.timeout_s
    return job.workload.timeout_s or DEFAULT_TIMEOUT_S[options.profile]


def _print_progress(done: int, total: int, measurement: Measurement, result, warmup: bool) -> None:
    job = measurement.job
    params = " ".join(f"{k}={v}" for k, v in job.params)
    label = "warm-up" if warmup else "run"
    outcome = measurement.status if measurement.status != "ok" else f"{result.wall_s:.2f} s, {result.peak_rss_bytes / 1e6:.0f} MB"
    print(f"[{done}/{total}] {job.workload.name} {job.program.label} {params} {label}: {outcome}", file=sys.stderr, flush=True)
