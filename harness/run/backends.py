"""Build the executors a comparison runs on (native, docker, swarm) and route each job to its own.

A swarm job's backend names its machine (``swarm@A``): each machine is a place of its own in the
results, so its rows are judged and compared only with each other.
"""

from __future__ import annotations

import re
import sys

from harness import catalogue, runtimes
from harness.errors import UsageError
from harness.executors.native import NativeExecutor
from harness.plan.sizes import parse_bytes
from harness.run import lifecycle
from harness.runtimes import command_programs

NAMES = ("native", "docker", "swarm")


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


def places(args) -> tuple:
    """The backends jobs are planned on: each swarm machine is one (``swarm@A``, ``swarm@B``)."""
    if args.machines and "swarm" not in args.backend:
        raise UsageError("--machines chooses swarm machines; add --backend swarm")
    if args.registry and "swarm" not in args.backend:
        raise UsageError("--registry sends images to swarm nodes; add --backend swarm")
    if "swarm" not in args.backend:
        return args.backend
    from harness.executors.docker.executor import connect
    from harness.executors.swarm import find_machines

    client = connect()
    try:
        machines = find_machines(client, args.machines or ["all"])
    finally:
        client.close()
    return tuple(place for name in args.backend
                 for place in ([f"swarm@{machine}" for machine in machines] if name == "swarm" else [name]))


class Backends:
    """One executor, lifecycle and skip rule per backend; ``run`` sends each job to its own."""

    def __init__(self, args, jobs, toolchain=None):
        """``toolchain``: the native runtimes, when the caller has found them already."""
        self.executors, self.skips, self.toolchain = {}, {}, toolchain or runtimes.Toolchain(runtimes={})
        try:
            for name in args.backend:
                mine = [job for job in jobs if family(job.backend) == name]
                self.executors[name], self.skips[name] = _make(name, args, mine, self, toolchain)
            self._build_commands(jobs)
        except BaseException:
            self.close()
            raise
        # wrk only on request (it checks no response bodies), and never with docker in the run: it is
        # not in the helpers image, and a server's rows on both backends must differ by the container alone.
        use_wrk = args.wrk and "docker" not in self.executors
        self.lifecycles = {
            name: lifecycle.Lifecycle(executor, [j for j in jobs if family(j.backend) == name and not self.skip_reason(j)],
                                      use_wrk=use_wrk, open_loop=args.open_loop)
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
        if docker and "java" in docker.runtimes:
            majors.append(int(re.match(r"\d+", docker.runtimes["java"].get("version", "0")).group()))
        release = min(majors) if docker and majors else None
        buildable = [program for program in programs if not runtimes.skip_reason(toolchain, program)]
        command_programs.build_all(toolchain, buildable, runtimes.CACHE, release)
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


def _make(name: str, args, jobs, backends: Backends, toolchain=None):
    if name == "swarm":
        from harness.executors.swarm import SwarmExecutor, machine_of

        languages = [lang for lang in catalogue.LANGUAGES if any(j.program.language == lang for j in jobs)]
        machines = list(dict.fromkeys(machine_of(job.backend) for job in jobs)) or ["all"]
        executor = SwarmExecutor(
            languages, machines, registry=args.registry, cpus=args.docker_cpus, memory=args.docker_memory,
            pids=args.docker_pids, build=args.docker_build, progress=lambda message: print(message, file=sys.stderr, flush=True),
            toolchain=toolchain if toolchain and toolchain.tags() else None,
        )
        return executor, executor.skip_reason
    if name == "docker":
        from harness.executors.docker.executor import DockerExecutor  # imports the docker SDK only when asked for

        languages = [lang for lang in catalogue.LANGUAGES if any(j.program.language == lang for j in jobs)]
        executor = DockerExecutor(
            languages, cpus=args.docker_cpus, cpuset=args.docker_cpuset, memory=args.docker_memory,
            pids=args.docker_pids, build=args.docker_build, sample_interval_s=args.sample_ms / 1000,
            progress=lambda message: print(message, file=sys.stderr, flush=True),
            helpers=any(job.workload.kind != "batch" for job in jobs),
            toolchain=toolchain if toolchain and toolchain.tags() else None,
        )
        return executor, executor.skip_reason
    toolchain = toolchain or runtimes.discover(args.python, args.java, args.node)
    runtimes.require(toolchain, args.lang)
    java_roots = {j.program.root for j in jobs if j.program.language == "java" and not j.program.command}
    if java_roots and "java" in toolchain.runtimes:
        runtimes.compile_java(toolchain, java_roots)
    backends.toolchain = toolchain
    limit = parse_bytes(args.memory_limit) if args.memory_limit else None
    executor = NativeExecutor(toolchain, args.sample_ms / 1000, use_cgroups=not args.no_cgroup, memory_limit_bytes=limit)
    return executor, lambda job: runtimes.skip_reason(toolchain, job.program)
