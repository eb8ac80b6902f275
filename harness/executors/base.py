"""What every backend (native, docker, swarm, fake) provides, and the result one run returns.

The contract is structural (``typing.Protocol``): a backend need not inherit anything, it only has
to provide what its callers use. ``Executor`` is what the runner's lifecycle needs for a batch
program; ``ServingExecutor`` adds what servers and clients need (a started server, a helper, a
neighbour in its network); ``Laned`` is a backend whose rows may run in parallel lanes (swarm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from harness.plan.jobs import Job
from harness.results.model import Status


@dataclass(frozen=True)
class Failure:
    """Why a run gave no figures, as the harness decided it (a server never ready, a lost machine)."""

    status: Status
    reason: str


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
    ctx_voluntary: int | None  # None where not measured (in containers)
    ctx_involuntary: int | None
    samples: int
    stdout: str
    stderr: str
    memory_method: str  # how peak memory was measured: "cgroup-v1", "cgroup-v2" or "sampled"
    cgroup: dict = field(default_factory=dict)  # peak_bytes, file_bytes, anon_peak_bytes, cpu_s
    oom_killed: bool = False
    leftovers: int = 0  # processes still running after the program exited (then killed)
    load: dict | None = None  # server workloads: what the load generator measured
    probe_checksum: str | None = None  # server workloads: the hash of the server's probe answer
    failure: Failure | None = None  # decided by the harness, e.g. a server never ready
    output_dropped_bytes: int = 0  # stdout bytes not kept (only the first and last part of a long output are)
    # The headline peak memory and how it was found (measure.peaks.headline_peak); None where not measured.
    peak_memory_bytes: int | None = None
    peak_memory_method: str = ""
    pss_sampled_peak_bytes: int | None = None  # a tree's summed proportional set size, sampled
    harness_cpu_s: float | None = None  # the harness's own CPU time while the program ran (sampler, pipes)
    other_cpu_s: float | None = None  # CPU the rest of the machine used meanwhile (measure/machine.py)
    steal_s: float | None = None  # CPU time the hypervisor gave to other guests meanwhile

    @property
    def peak_rss_bytes(self) -> int | None:
        """The sampled peak, or None for a program too short to be sampled even once: ru_maxrss
        cannot stand in, since it carries the harness's own RSS from before the exec."""
        return self.rss_sampled_peak_bytes if self.samples else None


def not_run(command: list, failure: Failure) -> RunResult:
    """A result for a run that could not even start (its fixture failed, say)."""
    return RunResult(
        command=command, exit_code=None, signal=None, timed_out=False, wall_s=0.0, cpu_user_s=0.0, cpu_sys_s=0.0,
        ru_maxrss_bytes=0, rss_sampled_peak_bytes=0, threads_peak=0, processes_peak=0, ctx_voluntary=0,
        ctx_involuntary=0, samples=0, stdout="", stderr="", memory_method="none", failure=failure,
    )


class Helpers(Protocol):
    """Where the harness's own helper programs (probe, load generators, fixtures) are found."""

    def argv(self, name: str) -> list | None:
        """The command line that starts helper ``name``, or None where it is not installed."""


class Server(Protocol):
    """A program started by an executor that runs until stopped (a server, a fixture)."""

    def stdout_so_far(self) -> str:
        """What it has printed on stdout until now."""

    def stderr_tail(self) -> str:
        """The end of what it has printed on stderr until now."""

    def alive(self) -> bool:
        """True while it has not exited."""

    def begin_window(self) -> None:
        """Start the measurement window (the load generator's run)."""

    def end_window(self) -> dict:
        """CPU, context switches, peak memory and threads over the window."""

    def stop(self) -> RunResult:
        """SIGTERM, then SIGKILL after a grace period; the result of its whole life."""


class Neighbour(Protocol):
    """Runs helper programs where they reach a server on 127.0.0.1 (its network namespace)."""

    def run(self, name: str, arguments: list, timeout_s: float) -> tuple[str, int, float | None]:
        """Run helper ``name`` to its end: (stdout + stderr, exit code, CPU seconds)."""

    def close(self) -> None:
        """Release whatever it holds (a container)."""


@runtime_checkable
class Executor(Protocol):
    """Runs a job in some environment, measures it from outside, and leaves nothing running."""

    name: str

    def run(self, job: Job, timeout_s: float, extra_args: dict | None = None, cpus: frozenset | None = None,
            beside: Server | None = None) -> RunResult:
        """Run ``job`` once, killing it and all its processes after ``timeout_s``.

        ``extra_args``: arguments beyond the job's own (a client's url); ``cpus``: where it may run;
        ``beside``: a server it talks to (a client's fixture).
        """

    def environment(self) -> dict:
        """What a reader needs to know about this backend (limits, measurement method)."""

    def close(self) -> None:
        """Release whatever the backend holds (containers, cgroups). A backend that inherits this
        (native subclasses Executor explicitly) holds nothing."""
        return None


@runtime_checkable
class ServingExecutor(Executor, Protocol):
    """An executor that also runs servers and clients: what the lifecycle needs for them."""

    helpers: Helpers

    def start(self, job: Job, arguments: dict, cpus: frozenset | None = None) -> Server:
        """Start the job's program as a server with exactly ``arguments``; the caller stops it."""

    def start_helper(self, name: object, arguments: list, cpus: frozenset | None = None) -> Server:
        """Start a server of the harness's own (a fixture, the ceiling server)."""

    def neighbour(self, server: Server, cpus: frozenset | None = None) -> Neighbour:
        """Where the probe and the load generator reach ``server``."""


class Skipping(Protocol):
    """A backend that knows which jobs it cannot run (docker, swarm; native asks its toolchain)."""

    def skip_reason(self, job: Job) -> str:
        """Why ``job`` cannot run on this backend, or ""."""


class Laned(Protocol):
    """A backend whose rows run in lanes of their own, in parallel (swarm machines)."""

    def lanes(self, local_lane: bool) -> dict[str, str]:
        """Machine -> lane key; ``local_lane``: this machine's own rows share its node's lane."""
