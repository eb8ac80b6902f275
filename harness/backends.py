"""Build the executors a comparison runs on (native, docker, or both) and route each job to its own."""

from __future__ import annotations

import re
import sys

from harness import catalogue, commands, lifecycle, runtimes
from harness.errors import UsageError
from harness.executors.native import NativeExecutor
from harness.sizes import parse_bytes

NAMES = ("native", "docker")


def parse(text: str) -> tuple:
    """``"native,docker"`` -> ``("native", "docker")``, refusing unknown names."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in NAMES]
    if unknown or not names:
        raise UsageError(f"unknown backend '{','.join(unknown) or text}'; choose native, docker or native,docker")
    return names


class Backends:
    """One executor, lifecycle and skip rule per backend; ``run`` sends each job to its own."""

    def __init__(self, args, jobs, toolchain=None):
        """``toolchain``: the native runtimes, when the caller has found them already."""
        self.executors, self.skips, self.toolchain = {}, {}, toolchain or runtimes.Toolchain(runtimes={})
        try:
            for name in args.backend:
                mine = [job for job in jobs if job.backend == name]
                self.executors[name], self.skips[name] = _make(name, args, mine, self, toolchain)
            self._build_commands(jobs)
        except BaseException:
            self.close()
            raise
        # wrk only on request (it checks no response bodies), and never with docker in the run: it is
        # not in the helpers image, and a server's rows on both backends must differ by the container alone.
        use_wrk = args.wrk and "docker" not in self.executors
        self.lifecycles = {
            name: lifecycle.Lifecycle(executor, [j for j in jobs if j.backend == name and not self.skip_reason(j)],
                                      use_wrk=use_wrk, open_loop=args.open_loop)
            for name, executor in self.executors.items()
        }

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
        commands.build_all(toolchain, buildable, runtimes.CACHE, release)
        if docker:
            docker.build_dirs, docker.build_failures = toolchain.build_dirs, toolchain.build_failures

    def run(self, job, timeout_s: float):
        """Run ``job`` once on its backend."""
        return self.lifecycles[job.backend].run(job, timeout_s)

    def skip_reason(self, job) -> str:
        """Why ``job`` cannot run on its backend, or ""."""
        return self.skips[job.backend](job)

    def primary(self):
        """The executor whose runtimes head the environment record (native when it runs)."""
        return self.executors.get("native") or next(iter(self.executors.values()))

    def describe(self) -> dict:
        """Pinning, generators and, with several backends, each backend's own record."""
        info = {}
        for lifecycle_ in self.lifecycles.values():
            info.update(lifecycle_.describe())
        if len(self.executors) > 1:
            info["backends"] = {name: executor.environment() for name, executor in self.executors.items()}
        return info

    def close(self) -> None:
        for executor in self.executors.values():
            executor.close()


def _make(name: str, args, jobs, backends: Backends, toolchain=None):
    if name == "docker":
        from harness.executors.docker import DockerExecutor  # imports the docker SDK only when asked for

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
