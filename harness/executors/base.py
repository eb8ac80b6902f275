"""The interface every backend (native, docker) implements, and the result it returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from harness.plan.jobs import Job


@dataclass
class RunResult:
    """Everything measured about one run of one program, before it is interpreted."""

    command: list
    exit_code: int | None  # None when killed by a signal
    signal: int | None
    timed_out: bool
    wall_s: float  # spawn to exit, monotonic clock
    cpu_user_s: float  # wait4 on the child: the child and every descendant it reaped
    cpu_sys_s: float
    # The largest single process, as wait4 reports it. Linux carries the parent's high-water mark
    # into a forked child, so this includes the harness's own RSS: a cross-check, not a figure.
    ru_maxrss_bytes: int
    rss_sampled_peak_bytes: int  # peak of the summed RSS of the whole tree, sampled
    threads_peak: int
    processes_peak: int
    ctx_voluntary: int
    ctx_involuntary: int
    samples: int
    stdout: str
    stderr: str
    memory_method: str  # how peak memory was measured: "cgroup-v1", "cgroup-v2" or "sampled"
    cgroup: dict = field(default_factory=dict)  # peak_bytes, file_bytes, anon_peak_bytes, cpu_s
    oom_killed: bool = False
    leftovers: int = 0  # processes still running after the program exited (then killed)
    load: dict | None = None  # server workloads: what the load generator measured
    probe_checksum: str | None = None  # server workloads: the hash of the server's probe answer
    failure: tuple | None = None  # (status, reason) decided by the harness, e.g. a server never ready
    output_dropped_bytes: int = 0  # stdout bytes not kept (only the first and last part of a long output are)

    @property
    def peak_rss_bytes(self) -> int | None:
        """The sampled peak, or None for a program too short to be sampled even once: ru_maxrss
        cannot stand in, since it carries the harness's own RSS from before the exec."""
        return self.rss_sampled_peak_bytes if self.samples else None


def not_run(command: list, status: str, reason: str) -> RunResult:
    """A result for a run that could not even start (its fixture failed, say)."""
    return RunResult(
        command=command, exit_code=None, signal=None, timed_out=False, wall_s=0.0, cpu_user_s=0.0, cpu_sys_s=0.0,
        ru_maxrss_bytes=0, rss_sampled_peak_bytes=0, threads_peak=0, processes_peak=0, ctx_voluntary=0,
        ctx_involuntary=0, samples=0, stdout="", stderr="", memory_method="none", failure=(status, reason),
    )


class Executor(ABC):
    """Runs a job in some environment, measures it from outside, and leaves nothing running."""

    name = "abstract"

    @abstractmethod
    def run(self, job: Job, timeout_s: float) -> RunResult:
        """Run ``job`` once, killing it and all its processes after ``timeout_s``."""

    @abstractmethod
    def environment(self) -> dict:
        """What a reader needs to know about this backend (limits, measurement method)."""

    def close(self) -> None:  # noqa: B027  (optional: most backends hold nothing)
        """Release whatever the backend holds (containers, cgroups)."""
