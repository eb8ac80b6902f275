"""An executor that starts nothing: each run returns a scripted RunResult, so the runner's rounds,
stopping rule, lanes and interruption are tested in milliseconds (as hyperfine's mock executor does).

A script maps a job's label (``"workload language/variant n=1"``, see ``label``) to what its runs
do, one ``Scripted`` per run; the last one repeats. Jobs not in the script run as ``Scripted()``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from harness.executors.base import Failure, RunResult, Server, not_run
from harness.plan.jobs import Job
from harness.results.model import Status


@dataclass(frozen=True)
class Scripted:
    """What one fake run does: its figures, or a failure, a raise, a hang, or a Ctrl-C."""

    work_s: float = 0.1  # the work time the program reports, and its wall time
    checksum: str = "7"
    peak_rss_bytes: int = 1 << 20
    exit_code: int = 0
    failure: Failure | None = None  # a harness-decided failure (a server never ready, say)
    raises: Exception | None = None  # raised from run(), as a fault in starting a program would be
    interrupt: bool = False  # raise KeyboardInterrupt, as Ctrl-C during this run would
    hang: bool = False  # block until stop() is called, then return a run that never ended
    sleep_s: float = 0.0  # really take this long (lanes running at once)


@dataclass
class FakeExecutor:
    """Returns scripted RunResults; records which jobs ran, in order, and how many ran at once."""

    script: Mapping[str, Sequence[Scripted]] = field(default_factory=dict)
    name: str = "fake"
    calls: list = field(default_factory=list)  # the label of each run, in the order they started
    most_at_once: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._stopped = threading.Event()

    def run(self, job: Job, timeout_s: float, extra_args: dict | None = None, cpus: frozenset | None = None,
            beside: Server | None = None) -> RunResult:
        """The next scripted run of ``job``."""
        name = label(job)
        with self._lock:
            index = sum(1 for call in self.calls if call == name)
            self.calls.append(name)
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)
        try:
            return self._play(self._entry(name, index), name)
        finally:
            with self._lock:
                self._running -= 1

    def _entry(self, name: str, index: int) -> Scripted:
        runs = self.script.get(name) or [Scripted()]
        return runs[min(index, len(runs) - 1)]

    def _play(self, entry: Scripted, name: str) -> RunResult:
        if entry.sleep_s:
            time.sleep(entry.sleep_s)
        if entry.raises is not None:
            raise entry.raises
        if entry.interrupt:
            raise KeyboardInterrupt
        if entry.hang:
            self._stopped.wait()
            return not_run([name], Failure(Status.NOT_RUN, "stopped while it ran"))
        if entry.failure:
            return not_run([name], entry.failure)
        return result(entry, [name])

    def stop(self) -> None:
        """Release every hanging run (the runner calls this when the run is being stopped)."""
        self._stopped.set()

    def skip_reason(self, job: Job) -> str:
        """Every job can run here."""
        return ""

    def environment(self) -> dict:
        """A record that says nothing was measured."""
        return {"backend": self.name, "memory_method": "none (scripted)"}

    def close(self) -> None:
        """Nothing is held."""


def label(job: Job) -> str:
    """``"alloc_churn python/loop n=1"``, with `` on swarm@A`` off the native backend: how a script names a job."""
    params = " ".join(f" {key}={value}" for key, value in job.params)
    where = f" on {job.backend}" if job.backend != "native" else ""
    return f"{job.workload.name} {job.program.label}{params}{where}"


def result(entry: Scripted, command: list) -> RunResult:
    """A run that ended normally with the scripted figures and the lab's JSON result line."""
    line = json.dumps({"checksum": entry.checksum, "work_s": entry.work_s})
    return RunResult(command=command, exit_code=entry.exit_code, signal=None, timed_out=False, wall_s=entry.work_s,
                     cpu_user_s=entry.work_s, cpu_sys_s=0.0, ru_maxrss_bytes=0,
                     rss_sampled_peak_bytes=entry.peak_rss_bytes, threads_peak=1, processes_peak=1, ctx_voluntary=0,
                     ctx_involuntary=0, samples=3, stdout=line + "\n", stderr="", memory_method="sampled")
