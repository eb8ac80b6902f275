"""How each kind of workload is run once: a batch program, a server under load, a client against a fixture.

Servers start on a free port and say when they are ready; the harness probes them (the probe's
answer is their checksum), measures them over the load window only, then stops them with
SIGTERM and, after a grace period, SIGKILL to the whole group.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from pathlib import Path

from harness.errors import GeneratorError
from harness.executors.base import Executor, Failure, Neighbour, RunResult, Server, ServingExecutor, not_run
from harness.measure.loadgen import LoadGenerator, LoadSpec
from harness.plan.jobs import Job
from harness.results.model import Status

READY_TIMEOUT_S = 30.0
PROBE_TIMEOUT_S = 20.0
SATURATION = 1.5  # the generator's ceiling must be this many times the server's rate
OPEN_LOOP_FRACTIONS = (0.5, 0.8)  # --open-loop: constant-rate windows at these shares of the closed-loop rate
# An open-loop window whose answered rate fell this far below its schedule measured the generator's lag
# (or a machine too busy to send on time), not only the server: its latency is not the server's.
SCHEDULE_KEPT = 0.9
CALIBRATION_S = 2.0


class NotReady(Exception):
    """A server that exited (failed) or never said it was ready (timeout): its ``failure`` says which."""

    def __init__(self, failure: Failure):
        super().__init__(failure.reason)
        self.failure = failure


@dataclasses.dataclass(frozen=True)
class Pinning:
    """Which CPUs the measured program gets, and which the load generator or fixture gets."""

    program: frozenset | None
    helper: frozenset | None
    shared_cores: bool = False  # some program CPU is an SMT sibling of a helper CPU

    @classmethod
    def split(cls, cpus=None, siblings=None) -> Pinning:
        """Halve the available physical cores between the program and its helper, SMT siblings
        kept together (none with one CPU). With a single core of two threads the two share it."""
        cpus = sorted(cpus if cpus is not None else os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls(None, None)
        cores = physical_cores(cpus, siblings)
        if len(cores) < 2:  # one core: its hardware threads are all there is to split
            half = len(cpus) // 2
            return cls(frozenset(cpus[:half]), frozenset(cpus[half:]), shared_cores=True)
        half = len(cores) // 2
        return cls(frozenset(c for core in cores[:half] for c in core), frozenset(c for core in cores[half:] for c in core))

    def describe(self) -> dict:
        return {"program_cpus": sorted(self.program or []), "helper_cpus": sorted(self.helper or []),
                "cores": "the program and its helper share physical cores (SMT siblings)" if self.shared_cores
                         else "whole physical cores each (SMT siblings kept together)"}


def physical_cores(cpus, siblings=None) -> list:
    """``cpus`` grouped by physical core, from sysfs thread_siblings_list; each group sorted."""
    groups = {}
    for cpu in cpus:
        found = siblings.get(cpu) if siblings is not None else _siblings(cpu)
        key = tuple(sorted(c for c in (found or {cpu}) if c in cpus)) or (cpu,)
        groups[key] = key
    return sorted(map(list, groups.values()))


def _siblings(cpu: int) -> set:
    """The hardware threads of ``cpu``'s core (``0,64`` or ``0-1`` in sysfs), or just ``cpu``."""
    try:
        text = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list").read_text().strip()
    except OSError:
        return {cpu}
    found: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found


class Lifecycle:
    """Runs a job of any kind once and returns its RunResult."""

    def __init__(self, executor: Executor, jobs, pinning: Pinning | None = None, use_wrk: bool = True,
                 open_loop: bool = False):
        self.executor = executor
        self.open_loop = open_loop
        self.pinning = pinning or Pinning.split()
        needs_load = any(job.workload.kind == "server" for job in jobs)
        self.generator = LoadGenerator(_serving(executor).helpers, self.pinning.helper, use_wrk) if needs_load else None
        self._ceilings: dict[tuple, float | None] = {}

    def describe(self) -> dict:
        """Pinning and load generators, for the environment record."""
        info = {"pinning": self.pinning.describe()}
        if self.generator:
            info["load_generator"] = self.generator.describe()
        return info

    def run(self, job: Job, timeout_s: float) -> RunResult:
        """One run of ``job``, whatever its kind."""
        if job.workload.kind == "server":
            return self._server(job, timeout_s)
        if job.workload.kind == "client":
            return self._client(job, timeout_s)
        return self.executor.run(job, timeout_s)

    def _server(self, job: Job, timeout_s: float) -> RunResult:
        params = dict(job.params)
        spec = LoadSpec(job.workload.generator, int(params["connections"]), float(params["duration_s"]),
                        float(params.get("warmup_s", 1.0)), int(params.get("size", 64)))
        label = f"{job.workload.name} {job.program.label}"
        executor = _serving(self.executor)
        server = executor.start(job, {**job.program.args, "port": 0}, self.pinning.program)
        neighbour: Neighbour | None = None
        failure: Failure | None = None
        load = window = checksum = None
        try:
            port = wait_ready(server, label, min(READY_TIMEOUT_S, timeout_s))
            neighbour = executor.neighbour(server, self.pinning.helper)
            checksum, body = probe(neighbour, spec.protocol, port)
            spec = dataclasses.replace(spec, expect_body=body)
            server.begin_window()
            load = self._generator().run(spec, port, neighbour)
            window = server.end_window()
            if load["server_failed"] or not server.alive():
                failure = Failure(Status.FAILED, f"server {label} failed during the load: {_last_line(server.stderr_tail())}")
            else:
                load.update(self._saturation(spec, load))
                if self.open_loop and load["requests_per_s"]:
                    load["open_loop"] = self._open_loop(spec, port, neighbour, load["requests_per_s"])
        except NotReady as error:
            failure = error.failure
        except (OSError, ServerAnswerError, GeneratorError) as error:
            failure = Failure(Status.FAILED, f"server {label}: {error}")
        finally:
            if neighbour:
                neighbour.close()
            result = server.stop()
        return _server_result(result, window, load, checksum, failure)

    def _client(self, job: Job, timeout_s: float) -> RunResult:
        params = dict(job.params)
        arguments = ["port=0", *(f"{n}={params[n]}" for n in job.workload.fixture_params)]
        fixture = _serving(self.executor).start_helper(job.workload.fixture, arguments, self.pinning.helper)
        try:
            port = wait_ready(fixture, f"fixture {Path(str(job.workload.fixture)).name}")
            result = self.executor.run(job, timeout_s, {"url": f"http://127.0.0.1:{port}"}, self.pinning.program,
                                       beside=fixture)
            if not fixture.alive():
                result.failure = Failure(Status.FAILED, f"the fixture server died: {_last_line(fixture.stderr_tail())}")
        except NotReady as error:
            result = not_run([str(job.workload.fixture), *arguments], error.failure)
        finally:
            fixture.stop()
        return result

    def _generator(self) -> LoadGenerator:
        """The load generator, made for every lifecycle that was given a server job."""
        if self.generator is None:
            raise TypeError("this lifecycle was given no server job, so it has no load generator")
        return self.generator

    def _open_loop(self, spec: LoadSpec, port: int, neighbour, capacity: float) -> list:
        """Constant-rate windows at fixed shares of the closed-loop rate, latency counted from when
        each request was due (coordinated omission corrected): what a stall does to the requests
        that should have been sent during it, which a closed loop never sends."""
        windows = []
        for fraction in OPEN_LOOP_FRACTIONS:
            paced = dataclasses.replace(spec, rate=fraction * capacity)
            found = self._generator().run(paced, port, neighbour)
            windows.append({"fraction": fraction, "target_rps": paced.rate, "requests_per_s": found["requests_per_s"],
                            "schedule_kept": found["requests_per_s"] >= SCHEDULE_KEPT * paced.rate,
                            "latency_us": found["latency_us"], "latency_curve_us": found.get("latency_curve_us", []),
                            "errors": found["errors"],
                            "error_kinds": found["error_kinds"]})
        return windows

    def _saturation(self, spec: LoadSpec, load: dict) -> dict:
        """Compare the server's rate with the generator's ceiling against the fastest reference server."""
        ceiling = self._ceiling(spec)
        busy = load["cpu_s"] / load["duration_s"] if load.get("duration_s") else None
        saturated = bool((ceiling and load["requests_per_s"] * SATURATION > ceiling) or (busy and busy > 0.9))
        return {"ceiling_rps": ceiling, "generator_cpu_util": busy, "generator_saturated": saturated}

    def _ceiling(self, spec: LoadSpec) -> float | None:
        """Requests/s the generator reaches against the C reference server, measured once per shape."""
        key = (spec.protocol, spec.connections, spec.size)
        if key not in self._ceilings:
            self._ceilings[key] = calibrate(_serving(self.executor), self._generator(), self.pinning, spec)
        return self._ceilings[key]


def calibrate(executor: ServingExecutor, generator: LoadGenerator, pinning: Pinning, spec: LoadSpec) -> float | None:
    """The generator's ceiling: its rate against a minimal C server on the program's CPUs."""
    try:
        server = executor.start_helper("ceiling_server", ["--mode", spec.protocol, "--port", "0"], pinning.program)
    except GeneratorError:
        return None
    neighbour = None
    try:
        port = wait_ready(server, "ceiling_server")
        neighbour = executor.neighbour(server, pinning.helper)
        short = dataclasses.replace(spec, duration_s=CALIBRATION_S, warmup_s=0.5, expect_body="")  # its own body
        return generator.run(short, port, neighbour)["requests_per_s"]
    except (NotReady, GeneratorError, OSError):
        return None
    finally:
        if neighbour:
            neighbour.close()
        server.stop()


def wait_ready(server: Server, label: str, timeout_s: float = READY_TIMEOUT_S) -> int:
    """The port from the server's ``{"ready": true, "port": N}`` line; NotReady if it never comes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive = server.alive()  # before reading: a server that said it was ready, then died, was ready
        for line in server.stdout_so_far().splitlines():
            port = _ready_port(line)
            if port:
                return port
        if not alive:
            raise NotReady(Failure(Status.FAILED, f"server {label} exited before it was ready: "
                                                  f"{_last_line(server.stderr_tail())}"))
        time.sleep(0.02)
    raise NotReady(Failure(Status.TIMEOUT, f"server {label} never became ready within {timeout_s:g} s "
                                           "(is its port in use?)"))


def _ready_port(line: str) -> int | None:
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        return None
    if isinstance(message, dict) and message.get("ready") and isinstance(message.get("port"), int):
        return message["port"]
    return None


class ServerAnswerError(Exception):
    """A server that answered the probe wrongly or not at all."""


def probe(neighbour: Neighbour, protocol: str, port: int) -> tuple[str, str]:
    """Ask the server one thing from beside it (harness/fixtures/probe.py): the hash of its answer, and for
    HTTP the body every response under load must repeat ("" when it is not short printable text)."""
    output, exit_code, _ = neighbour.run("probe", [protocol, str(port)], PROBE_TIMEOUT_S)
    lines = output.strip().splitlines()
    if exit_code == 0 and lines:
        try:
            answer = json.loads(lines[-1])
            return answer["checksum"], answer.get("body", "")
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            pass
    raise ServerAnswerError(_last_line(output) if exit_code else f"the probe printed no checksum: {output[-200:]}")


def _server_result(result: RunResult, window, load, checksum, failure: Failure | None) -> RunResult:
    """The whole-life result, with the load window's figures in place of the whole life's."""
    if result.signal == signal.SIGTERM or result.exit_code == 128 + signal.SIGTERM:
        result = dataclasses.replace(result, exit_code=0, signal=None)  # the JVM's answer to SIGTERM is 143
    if result.timed_out and not failure:
        failure = Failure(Status.FAILED, "the server did not stop within 5 s of SIGTERM; killed")
    changes = {"load": load, "probe_checksum": checksum, "failure": failure or result.failure}
    if window:
        cgroup = dict(result.cgroup, peak_bytes=window["cgroup_peak_bytes"], cpu_s=window.get("cgroup_cpu_s"))
        if window["cgroup_peak_bytes"] is None and result.memory_method.startswith("cgroup"):
            changes["memory_method"] = f"{result.memory_method}; the window's peak is sampled (this cgroup's peak cannot be reset)"
        changes.update(
            wall_s=window["window_s"], cpu_user_s=window["cpu_user_s"], cpu_sys_s=window["cpu_sys_s"],
            ctx_voluntary=window["ctx_voluntary"], ctx_involuntary=window["ctx_involuntary"],
            rss_sampled_peak_bytes=window["rss_sampled_peak_bytes"], threads_peak=window["threads_peak"],
            processes_peak=window["processes_peak"], cgroup=cgroup,
        )
    return dataclasses.replace(result, **changes)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no stderr)"


def _serving(executor: Executor) -> ServingExecutor:
    """The executor as one that runs servers and fixtures; only such a backend is given their jobs."""
    if not isinstance(executor, ServingExecutor):
        raise TypeError(f"the {executor.name} backend runs no servers or fixtures")  # skip_reason keeps them away
    return executor
