"""Run every job: warm-ups, then measured rounds in a shuffled order, verifying and storing as it goes.

A row's failure is the row's: an error while one program is started, run or checked marks that row
failed with the reason, and every other row is still measured.

The claims drive the sampling (issue 28, point 1). Once every row has its minimum runs, each round
asks the judge which claims are still undecided (judge/decide.py, most promising first) and gives
the next runs to their rows, until each is decided or its rows reach --max-runs or their budget,
or more runs are not worth it (futile: named once, "C13: no more runs, about 17 a row would decide it").
Only then do other noisy rows get extra runs, while their interval is wider than ±target. A run
taken for a claim says so (``for_claim`` in its record).
"""

from __future__ import annotations

import random
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from harness.analyse import stats, verify
from harness.executors.base import Failure, RunResult, not_run
from harness.judge import decide
from harness.plan.jobs import Job
from harness.results.model import Status
from harness.run.measurement import Measurement

DEFAULT_TIMEOUT_S = {"quick": 120.0, "full": 900.0}


@dataclass(frozen=True)
class RunOptions:
    """How many times to run each job, and for how long at most.

    A row is run at least ``min_runs`` times. After that, the rows of claims still undecided get
    runs first; then a row gets another run while its key figure's 95 % interval is wider than
    ``target`` (relative half-width). Either way, until ``max_runs``, until its measured runs have
    taken ``row_budget_s`` in all, or until the whole run has taken ``run_budget_s``. Stable rows of
    decided claims stop early, so the time goes where the answers are.
    """

    min_runs: int
    max_runs: int
    warmup: int
    timeout_s: float | None  # None: the workload's own timeout, else the profile's default
    profile: str
    seed: int = 0
    target: float = 0.05
    row_budget_s: float = 20.0
    run_budget_s: float | None = None  # no extra runs once the whole run has taken this long


class JobRunner(Protocol):
    """What the runner needs to run a job once: a Lifecycle, or Backends, which sends each job to its
    backend's. One with a ``stop()`` is told when the run is being stopped (Ctrl-C, a lane's error)."""

    def run(self, job: Job, timeout_s: float) -> RunResult:
        """One run of ``job``, whatever its kind."""


class Store(Protocol):
    """Where the rows are saved as they go (results.store.ResultsStore)."""

    def save(self, measurements: Iterable[Measurement], finished: bool = False) -> None:
        """Write every row; ``finished`` once the run is over."""


def run_all(jobs: list[Job], lifecycle: JobRunner, store: Store, options: RunOptions,
            skip_reason: Callable[[Job], str] | None = None, progress: Callable | None = None,
            lane: Callable[[Job], str] | None = None) -> list[Measurement]:
    """Measure every job and return its Measurement; Ctrl-C keeps what was finished.

    ``skip_reason(job)`` says why a job cannot run here (a missing runtime, say), or "".
    ``lane(job)`` names the jobs that must not run at once (those of one machine); each lane's
    rounds run in a thread of their own, the first lane's in this one, which Ctrl-C reaches.
    """
    progress = progress or _print_progress
    warning = decide.sampling_warning(options.min_runs, options.max_runs)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    measurements = {job.key: Measurement(job) for job in jobs}
    for measurement in measurements.values():
        reason = skip_reason(measurement.job) if skip_reason else ""
        if reason:
            measurement.mark(Status.SKIPPED, reason)
    shared = _Shared(store, measurements, progress, options)
    shared.save()
    lanes: dict[str, list[Measurement]] = {}
    for measurement in measurements.values():
        lanes.setdefault(lane(measurement.job) if lane else "", []).append(measurement)
    threads = [_Lane(shared, members, lifecycle) for members in list(lanes.values())[1:]]
    try:
        for thread in threads:
            thread.start()
        _measure(shared, next(iter(lanes.values()), []), lifecycle)
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        _stop_lanes(shared, lifecycle, threads)
        _note_interrupted(measurements.values(), options.min_runs)
        _finish(measurements.values(), store)
        raise
    failed = next((thread.error for thread in threads if thread.error), None)
    if failed:  # a defect of the lab in another lane: every lane stopped, what was measured is kept
        _note_interrupted(measurements.values(), options.min_runs)
        _finish(measurements.values(), store)
        raise failed
    _finish(measurements.values(), store)
    return list(measurements.values())


class _Shared:
    """What every lane shares: the store, the run counter and the progress display, behind one lock."""

    def __init__(self, store, measurements, progress, options):
        self.store, self.measurements, self.progress, self.options = store, measurements, progress, options
        self.lock = threading.RLock()
        self.stopping = threading.Event()  # set on Ctrl-C or a lane's error: every lane ends after its current run
        self.started = time.monotonic()
        ready = [m for m in measurements.values() if m.status == Status.OK]
        self.counter = _Counter(options.min_runs * len(ready)
                                + sum(_warmups(m.job, options) for m in _first_of_each_program(ready)))
        self.claims = {}  # row key -> the undecided claim its next run is for, most promising
        self.claims_off = False  # set when asking the judge failed: the run goes on by the ±target rule
        self.futile = set()  # the claims more runs are not worth (judge/decide.py), each named once
        self.verdicts = {}  # the judge's memo: a claim whose rows got no run since is not judged again

    def save(self) -> None:
        with self.lock:
            self.store.save(self.measurements.values())


class _Lane(threading.Thread):
    """One lane's rounds in a thread; an error is kept for the main thread to raise."""

    def __init__(self, shared, members, lifecycle):
        super().__init__(daemon=True)
        self.shared, self.members, self.lifecycle, self.error = shared, members, lifecycle, None

    def run(self) -> None:
        try:
            _measure(self.shared, self.members, self.lifecycle)
        except Exception as error:  # a defect of the lab, not of a row: raised again in the main thread
            self.error = error
            _signal_stop(self.shared, self.lifecycle)


def _signal_stop(shared, lifecycle) -> None:
    """Tell every lane to end after its current run, and the lifecycle to cut short what it waits for."""
    shared.stopping.set()
    stop = getattr(lifecycle, "stop", None)
    if stop:
        stop()


def _stop_lanes(shared, lifecycle, threads) -> None:
    _signal_stop(shared, lifecycle)
    for thread in threads:
        thread.join()


def _measure(shared, members, lifecycle) -> None:
    """Warm-up rounds, then measured rounds until no row of ``members`` needs another run."""
    options = shared.options
    for round_index in range(options.warmup):
        ready = [m for m in members if not m.finished_badly and _warmups(m.job, options) > round_index]
        _round(_first_of_each_program(ready), lifecycle, shared, round_index, warming=True)
    round_index = options.warmup
    while not shared.stopping.is_set() and (chosen := _choose(shared, members)):
        _round(chosen, lifecycle, shared, round_index, warming=False)
        round_index += 1


def _choose(shared, members) -> list:
    """The rows of the next measured round: those below their minimum and those of undecided claims;
    when there are none, the noisy rows (±target). Rows that get no more runs are told why."""
    options = shared.options
    elapsed = time.monotonic() - shared.started
    if any(_counted(m) >= options.min_runs for m in members):
        _ask_claims(shared)
    claims = shared.claims
    wanting = [m for m in members if _needs_run(m, options, elapsed, note=False, claim=claims.get(m.job.key, ""))]
    first = [m for m in wanting if _counted(m) < options.min_runs or m.job.key in claims]
    if first or wanting:
        return first or wanting
    for measurement in members:  # the last look: each row records why it stopped
        _needs_run(measurement, options, elapsed, claim=claims.get(measurement.job.key, ""))
    return []


def _ask_claims(shared) -> None:
    """Ask the judge which claims are undecided and which rows each needs (most promising claim first)."""
    if shared.claims_off:
        return
    options = shared.options
    with shared.lock:
        document = getattr(shared.store, "document", None) or {}
        rows = [m.to_record() for m in shared.measurements.values() if m.runs]
        keys = [m.job.key for m in shared.measurements.values() if m.runs]
        runs = {"min_runs": options.min_runs, "max_runs": options.max_runs}
        try:
            pending, futile = decide.survey({"measurements": rows, "environment": document.get("environment") or {},
                                             "options": runs}, options.profile, shared.verdicts)
        except Exception as error:  # the claims are a guide to the sampling: without them, the ±target rule
            shared.claims_off, shared.claims = True, {}
            print(f"warning: claims no longer guide the extra runs ({_describe(error)}); rows stop by ±{options.target:.0%}",
                  file=sys.stderr, flush=True)
            return
        for given_up in futile:  # named once, when the claim is given up: "C13: no more runs, about 17 a row would decide it"
            if given_up.claim_id not in shared.futile:
                shared.futile.add(given_up.claim_id)
                print(given_up.text(), file=sys.stderr, flush=True)
        claims: dict[tuple, str] = {}
        for claim in pending:
            for key, row in zip(keys, rows):
                if key not in claims and row["status"] == Status.OK and claim.needs(
                        row["workload"], row["language"], row["variant"], row["params"]):
                    claims[key] = claim.claim_id
        shared.claims = claims


def _counted(measurement: Measurement) -> int:
    """Its runs that count: the undisturbed ones."""
    return len(measurement.runs) - measurement.disturbed_runs


class _Counter:
    """Runs done, and the least number still to do (more follow for noisy rows)."""

    def __init__(self, planned: int):
        self.done, self.planned = 0, planned

    def tick(self) -> tuple:
        self.done += 1
        self.planned = max(self.planned, self.done)
        return self.done, self.planned


def _round(chosen, lifecycle, shared, round_index, warming) -> None:
    """Run each chosen job once, in an order shuffled by the run's seed and the round."""
    options = shared.options
    random.Random(options.seed + round_index).shuffle(chosen)
    claims = {} if warming else dict(shared.claims)
    order = list(dict.fromkeys(claims.values()))  # the claims, most promising first
    chosen.sort(key=lambda m: order.index(claims[m.job.key]) if m.job.key in claims else len(order))
    for measurement in chosen:
        if shared.stopping.is_set():
            return
        if measurement.finished_badly:
            continue
        claim = claims.get(measurement.job.key, "")
        if not warming and not _needs_run(measurement, options, time.monotonic() - shared.started, claim=claim):
            continue  # the run's time budget ran out during this round
        started = time.monotonic()
        result = _run_once(lifecycle, measurement, _timeout(measurement.job, options))
        if shared.stopping.is_set():
            return  # cut short by the stop (a swarm job removed unmeasured): not a result
        with shared.lock:
            kept = len(measurement.runs)
            measurement.add(result, keep=not warming)
            if len(measurement.runs) > kept:
                measurement.stamp_last(round_index, started)
                if claim and _counted(measurement) > options.min_runs:
                    measurement.runs[-1]["for_claim"] = claim  # the run summary counts them per claim
            if not warming and len(measurement.runs) > options.min_runs:
                shared.counter.planned += 1  # an extra run beyond the minimum: chosen by the data, or a repeat
            done, planned = shared.counter.tick()
            shared.progress(done, planned, measurement, result, warming)
            shared.save()
    if not warming:
        _tell_settled(shared)


def _tell_settled(shared) -> None:
    """After a measured round, tell a progress display that has ``settled`` which workloads still
    have a row that will get runs (in any lane), so it can show each claim once its rows are done.

    It is given the rows of the settled workloads only, summarised as they will be at the end (a
    row still being measured is no evidence yet, and the judge expects finished rows). A display
    that fails is switched off with a warning: the answers are judged again when the run ends.
    """
    settled = getattr(shared.progress, "settled", None)
    if not callable(settled) or getattr(shared.store, "document", None) is None:
        return
    if any(_counted(m) >= shared.options.min_runs for m in shared.measurements.values()):
        _ask_claims(shared)  # a claim this round left undecided keeps its rows unsettled: no answer more runs overturn
    with shared.lock:
        elapsed = time.monotonic() - shared.started
        unsettled = {m.job.workload.name for m in shared.measurements.values()
                     if _needs_run(m, shared.options, elapsed, note=False, claim=shared.claims.get(m.job.key, ""))}
        for measurement in shared.measurements.values():
            if measurement.job.workload.name not in unsettled and not measurement.summary:
                measurement.summarize()
        shared.save()
        document = shared.store.document
        finished = {**document, "measurements": [r for r in document["measurements"] if r["workload"] not in unsettled]}
        try:
            settled(finished, unsettled)
        except Exception as error:  # the live answers are a courtesy: the run goes on without them
            shared.progress.settled = None
            print(f"warning: the live answers stopped ({_describe(error)}); they are judged when the run ends",
                  file=sys.stderr, flush=True)


def _run_once(lifecycle, measurement: Measurement, timeout_s: float) -> RunResult:
    """One run of a row. Any error while its program is started, run or checked (a file that may not
    be executed, a bad placeholder, an argument list too long) is that row's failure, with the reason
    and the traceback as its stderr; Ctrl-C and SystemExit go on to stop the whole run."""
    try:
        return lifecycle.run(measurement.job, timeout_s)
    except Exception as error:
        failed = not_run(list(measurement.command), Failure(Status.FAILED, f"could not be run: {_describe(error)}"))
        failed.stderr = traceback.format_exc()
        return failed


def _describe(error: Exception) -> str:
    """``PermissionError: [Errno 13] Permission denied: 'x'``, on one line."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"[:300] if text else type(error).__name__


def disturbance_repeats(options: RunOptions) -> int:
    """How many disturbed runs of a row are run again: max(2, --min-runs)."""
    return max(2, options.min_runs)


def _needs_run(measurement: Measurement, options: RunOptions, elapsed_s: float = 0.0, note: bool = True,
               claim: str = "") -> bool:
    """Whether a row could get another measured run; records why it stopped when it does not (unless
    ``note`` is False: a question that must not change the row).

    ``claim`` names the undecided claim that needs the row: its runs go on however narrow the row's
    own interval is. Only undisturbed runs count towards --min-runs, --max-runs and the interval; a
    disturbed run is run again, at most ``disturbance_repeats`` times per row.
    """
    if measurement.finished_badly:
        return False
    disturbed = measurement.disturbed_runs
    runs = len(measurement.runs) - disturbed
    busy = disturbed > disturbance_repeats(options)
    width = stats.mean_ci_relative_half_width(measurement.key_values()) if runs >= options.min_runs and not claim else None
    if runs < options.min_runs and not busy:
        return True
    if width is not None and width <= options.target:
        reason = f"interval within ±{options.target:.0%} after {runs} runs"
    elif runs >= options.max_runs:
        reason = f"--max-runs {options.max_runs} reached"
    elif busy:
        reason = (f"machine busy: {disturbed} of {len(measurement.runs)} runs disturbed, "
                  f"its {disturbance_repeats(options)} repeats spent")
    elif measurement.measured_s >= options.row_budget_s:
        reason = f"row time budget of {options.row_budget_s:.0f} s spent after {runs} runs"
    elif options.run_budget_s is not None and elapsed_s >= options.run_budget_s:
        reason = f"run time budget of {options.run_budget_s:.0f} s spent after {runs} runs"
    else:
        return True
    if note:
        measurement.stop_reason = reason
    return False


def _finish(measurements, store) -> None:
    for measurement in measurements:
        measurement.summarize()
    verify.check_checksums(measurements)
    verify.check_parallelism(measurements)
    verify.check_vm_options(measurements)
    store.save(measurements, finished=True)


def _note_interrupted(measurements, runs: int) -> None:
    for measurement in measurements:
        counted = len(measurement.runs) - measurement.disturbed_runs
        if measurement.status == Status.OK and counted < runs:
            if measurement.runs:
                measurement.reason = f"interrupted after {counted} of {runs} runs"
            else:
                measurement.mark(Status.NOT_RUN, "interrupted before it was measured")


def _first_of_each_program(members: list) -> list:
    """One row per program (its first, the smallest sizes in plan order) to warm up.

    Every run is a fresh process, so a warm-up cannot leave a JIT or heap warm for the next run:
    what it warms is the machine's caches of the program's files (page cache, class data, compiled
    bytecode), and every row of one program shares those. Warming each row cost quick 74 s.
    """
    firsts: dict[tuple, Measurement] = {}
    for measurement in members:
        workload, language, runtime, variant, _params, backend = measurement.job.key
        firsts.setdefault((workload, language, runtime, variant, backend), measurement)
    return list(firsts.values())


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
    outcome = measurement.status if measurement.status != Status.OK else f"{result.wall_s:.2f} s, {stats.fmt_mib(result.peak_rss_bytes)}"
    print(f"[{done}/{total}] {job.workload.name} {job.program.label} {params} {label}: {outcome}", file=sys.stderr, flush=True)
