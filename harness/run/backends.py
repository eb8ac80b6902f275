"""Build the executors a comparison runs on (native, docker, swarm) and route each job to its own.

A swarm job's backend names its machine (``swarm@A``): each machine is a place of its own in the
results, so its rows are judged and compared only with each other.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from harness import catalogue, runtimes
from harness.errors import UsageError
from harness.executors.native import NativeExecutor
from harness.paths import CACHE
from harness.run import lifecycle
from harness.runtimes import command_programs

NAMES = ("native", "docker", "swarm")


@dataclass(frozen=True)
class RuntimeChoice:
    """Which python, java and node to measure: a path, a version, several comma-separated, or all.

    None is each language's default (this Python, the newest JDK found, node on PATH).
    """

    python: str | None = None
    java: str | None = None
    node: str | None = None

    def asked(self) -> bool:
        """True when the user named a runtime of some language."""
        return bool(self.python or self.java or self.node)


@dataclass(frozen=True)
class DockerOptions:
    """The same limits for every container, whatever its language (``--docker-*``)."""

    cpus: float | None = None
    cpuset: str | None = None
    memory: str = "4g"  # as docker run --memory takes it; checked to be a size above 0
    pids: int = 16384
    build: str = "auto"  # auto, never or always


@dataclass(frozen=True)
class SwarmOptions:
    """The swarm machines to run on (empty: all) and the registry the nodes pull the images from."""

    machines: tuple[str, ...] = ()
    registry: str | None = None


@dataclass(frozen=True)
class BackendOptions:
    """Everything the backends take from the command line, checked by ``harness.options``."""

    names: tuple[str, ...] = ("native",)
    languages: tuple[str, ...] = ()  # --lang: a language asked for must have a runtime here
    sample_interval_s: float = 0.005
    use_cgroups: bool = True
    memory_limit_bytes: int | None = None  # natively; None: no limit
    wrk: bool = False
    open_loop: bool = False
    runtimes: RuntimeChoice = field(default_factory=RuntimeChoice)
    docker: DockerOptions = field(default_factory=DockerOptions)
    swarm: SwarmOptions = field(default_factory=SwarmOptions)


def parse(text: str) -> tuple:
    """``"native,docker"`` -> ``("native", "docker")``, refusing unknown names."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in NAMES]
    if unknown or not names:
        raise UsageError(f"unknown backend '{','.join(unknown) or text}'; choose native, docker, swarm or a list "
                         "such as native,docker")
    return names


def family(backend: str) -> str:
    """``swarm@A`` -> ``swarm``; ``native`` and ``docker`` are their own."""
    return backend.partition("@")[0]


def places(options: BackendOptions) -> tuple[str, ...]:
    """The backends jobs are planned on: each swarm machine is one (``swarm@A``, ``swarm@B``)."""
    if "swarm" not in options.names:
        return options.names
    from harness.executors.docker.executor import connect
    from harness.executors.swarm import find_machines

    client = connect()
    try:
        machines = find_machines(client, list(options.swarm.machines) or ["all"])
    finally:
        client.close()
    return tuple(place for name in options.names
                 for place in ([f"swarm@{machine}" for machine in machines] if name == "swarm" else [name]))


class Backends:
    """One executor, lifecycle and skip rule per backend; ``run`` sends each job to its own."""

    def __init__(self, options: BackendOptions, jobs, toolchain=None):
        """``toolchain``: the native runtimes, when the caller has found them already."""
        self.executors, self.skips, self.toolchain = {}, {}, toolchain or runtimes.Toolchain(runtimes={})
        try:
            for name in options.names:
                mine = [job for job in jobs if family(job.backend) == name]
                self.executors[name], self.skips[name] = _make(name, options, mine, self, toolchain)
            self._build_commands(jobs)
        except BaseException:
            self.close()
            raise
        # wrk only on request (it checks no response bodies), and never with docker in the run: it is
        # not in the helpers image, and a server's rows on both backends must differ by the container alone.
        use_wrk = options.wrk and "docker" not in self.executors
        self.lifecycles = {
            name: lifecycle.Lifecycle(executor, [j for j in jobs if family(j.backend) == name and not self.skip_reason(j)],
                                      use_wrk=use_wrk, open_loop=options.open_loop)
            for name, executor in self.executors.items()
        }
        swarm = self.executors.get("swarm")
        if swarm:
            swarm.describe_machines()
            self._lanes = swarm.lanes(local_lane=len(self.executors) > 1)

    def _build_commands(self, jobs) -> None:
        """Run the command programs' build steps, once, on this machine, for every backend: classes
        built by ``{javac}`` target the oldest Java that runs them (a container's, say)."""
        programs = [job.program for job in jobs if job.program.build]
        if not programs:
            return
        toolchain = self.toolchain if self.toolchain.runtimes else runtimes.discover()
        docker = self.executors.get("docker")
        majors = [runtime.major for runtime in toolchain.versions.get("java", [])] if "native" in self.executors else []
        found = re.match(r"\d+", docker.runtimes["java"].get("version", "")) if docker and "java" in docker.runtimes else None
        if found:
            majors.append(int(found.group()))
        release = min(majors) if docker and majors else None
        buildable = [program for program in programs if not runtimes.skip_reason(toolchain, program)]
        command_programs.build_all(toolchain, buildable, CACHE, release)
        if docker:
            docker.build_dirs, docker.build_failures = toolchain.build_dirs, toolchain.build_failures

    def run(self, job, timeout_s: float):
        """Run ``job`` once on its backend."""
        return self.lifecycles[family(job.backend)].run(job, timeout_s)

    def skip_reason(self, job) -> str:
        """Why ``job`` cannot run on its backend, or ""."""
        return self.skips[family(job.backend)](job)

    def lane(self, job) -> str:
        """Jobs of one lane run one at a time; lanes run in parallel. Everything on this machine
        (native, docker) is one lane; a swarm machine is another unless it shares a node with it."""
        if family(job.backend) != "swarm":
            return "local"
        from harness.executors.swarm import machine_of

        return self._lanes[machine_of(job.backend)]

    def stop(self) -> None:
        """Tell lanes running in other threads to stop: a swarm job being waited for is removed."""
        swarm = self.executors.get("swarm")
        if swarm:
            swarm.stopping.set()

    def primary(self):
        """The executor whose runtimes head the environment record (native when it runs)."""
        return self.executors.get("native") or next(iter(self.executors.values()))

    def describe(self) -> dict:
        """Pinning, generators and, with several backends, each backend's own record."""
        info = {}
        for lifecycle_ in self.lifecycles.values():
            info.update(lifecycle_.describe())
        if len(self.executors) > 1 or "swarm" in self.executors:
            info["backends"] = {name: executor.environment() for name, executor in self.executors.items()}
        info.get("backends", {}).update(self.machines())
        return info

    def machines(self) -> dict:
        """``swarm@A`` -> machine A's own record: its nodes, the facts its jobs reported, its runtimes."""
        swarm = self.executors.get("swarm")
        return {f"swarm@{name}": env for name, env in swarm.machine_env.items()} if swarm else {}

    def close(self) -> None:
        for executor in self.executors.values():
            executor.close()


def _make(name: str, options: BackendOptions, jobs, backends: Backends, toolchain=None):
    """The executor of backend ``name`` and its rule for the jobs it cannot run."""
    docker = options.docker
    if name == "swarm":
        from harness.executors.swarm import SwarmExecutor, machine_of

        languages = [lang for lang in catalogue.LANGUAGES if any(j.program.language == lang for j in jobs)]
        machines = list(dict.fromkeys(machine_of(job.backend) for job in jobs)) or ["all"]
        swarm = SwarmExecutor(
            languages, machines, registry=options.swarm.registry, cpus=docker.cpus, memory=docker.memory,
            pids=docker.pids, build=docker.build, progress=lambda message: print(message, file=sys.stderr, flush=True),
            toolchain=toolchain if toolchain and toolchain.tags() else None,
        )
        return swarm, swarm.skip_reason
    if name == "docker":
        from harness.executors.docker.executor import DockerExecutor  # imports the docker SDK only when asked for

        languages = [lang for lang in catalogue.LANGUAGES if any(j.program.language == lang for j in jobs)]
        containers = DockerExecutor(
            languages, cpus=docker.cpus, cpuset=docker.cpuset, memory=docker.memory,
            pids=docker.pids, build=docker.build, sample_interval_s=options.sample_interval_s,
            progress=lambda message: print(message, file=sys.stderr, flush=True),
            helpers=any(job.workload.kind != "batch" for job in jobs),
            toolchain=toolchain if toolchain and toolchain.tags() else None,
        )
        return containers, containers.skip_reason
    chosen = options.runtimes
    toolchain = toolchain or runtimes.discover(chosen.python, chosen.java, chosen.node)
    runtimes.require(toolchain, list(options.languages))
    java_roots = {j.program.root for j in jobs if j.program.language == "java" and not j.program.command}
    if java_roots and "java" in toolchain.runtimes:
        runtimes.compile_java(toolchain, java_roots)
    backends.toolchain = toolchain
    native = NativeExecutor(toolchain, options.sample_interval_s, use_cgroups=options.use_cgroups,
                            memory_limit_bytes=options.memory_limit_bytes)
    return native, lambda job: runtimes.skip_reason(toolchain, job.program)
