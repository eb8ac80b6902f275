"""Run programs in fresh containers, one per run, with the same declared limits for every language.

Images (images.py): one per language and a helpers image, rebuilt only when what they are built
from changes. A run (containers.py): a container with the limits (CPUs or a CPU set, memory without
swap, a pids limit), no network, and the lab's labels, running the program under a small wrapper
that reports the container's own cgroup figures and the program's CPU time once it is over. The
host measures the wall time from the start call to the exit and, where it can see the container's
processes (visibility.py), samples the summed RSS of the program's tree every few milliseconds, as
the native backend does. The container is removed afterwards, whatever happened.

Servers and clients: a pair of containers sharing one network namespace and nothing else. A
server runs as above (network "none": it has its own loopback and no other interface); its
neighbour, a container of the helpers image (the load generator, the ceiling server, the probe,
the fixture servers), is started with ``network_mode="container:<server id>"`` and pinned to the
other half of the CPUs, as Lifecycle's Pinning does natively; the probe and the load generator are
executed in it and reach the server on 127.0.0.1. A client mirrors it: the fixture server is the
first container, the measured program joins its namespace. No bridge, no published port, no
address outside the pair's loopback. A server is measured over the load window, from the host
where its processes are visible (CPU and context switches from /proc, the sampled RSS, the
cgroup's peak reset at the window's start on cgroup v1), else from the engine's stats (CPU only).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from harness.errors import EngineConnectionLost, EngineUnavailable, GeneratorError, LabError
from harness.executors.base import Failure, RunResult, not_run
from harness.executors.docker import images
from harness.executors.docker.containers import (
    FIXTURES,
    LABEL,
    RUN_LABEL,
    WRAPPER,
    ContainerNeighbour,
    ContainerServer,
    ImageHelpers,
    Started,
    remove_container,
    remove_labelled,
    wait_for_exit,
)
from harness.executors.docker.images import CONTAINER_ROOTS, HELPERS, IMAGES, Image
from harness.executors.docker.visibility import ContainerCgroup, Visibility, find_cgroup
from harness.measure.capture import KEEP_WHOLE
from harness.measure.sampler import DEFAULT_INTERVAL_S, TreeSampler
from harness.paths import REPO
from harness.plan.jobs import Job
from harness.plan.sizes import parse_bytes
from harness.results.model import Status
from harness.runtimes import command_programs
from harness.runtimes.toolchain import HEAP_ARGS, java_class, needed_java

JAVA_RELEASE = 17  # java/Dockerfile compiles every source for this release (LAB_JAVA_RELEASE) or what it requires
START_HINT = "start it (`dockerd > /var/log/dockerd.log 2>&1 &` or `systemctl start docker`), or use --backend native"


@dataclass(frozen=True)
class Limits:
    """The limits every container gets, whatever its language."""

    cpus: float | None = None  # a CFS quota in CPUs (None: no quota)
    cpuset: str | None = None  # CPUs the container may run on ("0-1"); None: all of them
    memory_bytes: int = 4 << 30  # memory limit; swap is held at zero
    pids: int = 16384  # the most processes and threads at once

    def container_options(self, cpus=None) -> dict:
        """Keyword arguments for ``containers.create``; ``cpus`` (a set) pins one run elsewhere."""
        options: dict[str, int | str] = {"mem_limit": self.memory_bytes, "memswap_limit": self.memory_bytes, "pids_limit": self.pids}
        if self.cpus:
            options["nano_cpus"] = int(self.cpus * 1e9)
        cpuset = ",".join(map(str, sorted(cpus))) if cpus else self.cpuset
        if cpuset:
            options["cpuset_cpus"] = cpuset
        return options

    def describe(self) -> dict:
        return {"cpus": self.cpus, "cpuset": self.cpuset or "all", "memory_bytes": self.memory_bytes,
                "swap_bytes": 0, "pids": self.pids}


# What each runtime says about itself inside its image, under the same limits and heap sizes as the runs.
PROBES = {
    "python": ["python3", "-c", "import gc, json, platform, sys; print(json.dumps({'version': platform.python_version(), "
               "'implementation': platform.python_implementation(), "
               "'gc_thresholds': list(gc.get_threshold()) if hasattr(gc, 'get_threshold') else [], "  # PyPy has none
               "'implementation_version': '.'.join(map(str, sys.pypy_version_info[:3])) if hasattr(sys, 'pypy_version_info') "
               "else None, "
               "'gil': sys._is_gil_enabled() if hasattr(sys, '_is_gil_enabled') else True, 'executable': sys.executable}))"],
    "java": ["/bin/sh", "-c", f"java {' '.join(HEAP_ARGS['java'])} -XX:+PrintFlagsFinal -version 2>&1; "
             "echo executable=$(command -v java)"],
    "node": ["node", *HEAP_ARGS["node"], "-e", "console.log(JSON.stringify({version: process.version.slice(1), executable: process.execPath, "
             "heap_limit_bytes: require('v8').getHeapStatistics().heap_size_limit}))"],
}
JAVA_COLLECTORS = ("G1", "Serial", "Parallel", "Z", "Shenandoah", "Epsilon")


def connect(timeout_s: float = 120):
    """A client for the engine named by DOCKER_HOST (default: the local socket), or EngineUnavailable."""
    try:
        import docker
    except ImportError:  # pragma: no cover - a dependency of the harness
        raise EngineUnavailable("the docker Python package is missing; pip install docker, or use --backend native") from None
    try:
        client = docker.from_env(timeout=timeout_s)
        client.ping()
    except Exception as error:  # the SDK raises DockerException, requests' errors or FileNotFoundError
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        raise EngineUnavailable(f"no Docker engine answers at {where} ({_first_line(error)}); {START_HINT}") from None
    return client


class DockerExecutor:
    """Each run in a fresh container from the language's image, with the same limits for all."""

    name = "docker"

    def __init__(self, languages=("python", "java", "node"), *, cpus: float | None = None, cpuset: str | None = None,
                 memory="4g", pids: int = 16384, build: str = "auto", sample_interval_s: float = DEFAULT_INTERVAL_S,
                 bases: dict | None = None, run_id: str | None = None, client=None, progress=None,
                 helpers: bool = False, toolchain=None, sample_host: bool = True):
        if build not in images.BUILD_MODES:
            raise LabError(f"--docker-build {build}: choose one of {', '.join(images.BUILD_MODES)}")
        self.client = client or connect()
        self.limits = Limits(cpus, cpuset, parse_bytes(memory), pids)
        self.sample_interval_s = sample_interval_s
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.progress = progress or (lambda message: None)
        self.images = {language: images.ensure(self.client, IMAGES[language], build, bases or {}, self.progress)
                       for language in languages}
        # Only servers and clients need the helpers image (the caller knows whether it has any).
        self.helper_image = images.ensure(self.client, HELPERS, build, bases or {}, self.progress) if helpers else None
        self.helpers = ImageHelpers()
        self.suite_images: dict[str, Image | None] = {}  # a command program's own image by name: Image, or None if the engine has none
        # Several versions of a language (--python 3.11,3.13t): a tagged row runs in its version's
        # image (runtime-lab/python:3.13t), which holds the same runtime as natively.
        self.toolchain = toolchain
        self.version_images, self.version_gaps = self._version_images(languages, build, bases or {})
        self.build_dirs: dict = {}
        self.build_failures: dict = {}  # command programs' builds, made on the host (Backends)
        self.runtimes = {language: self._describe(image) for language, image in self.images.items()}
        self.version_runtimes = {f"{language}{tag}": self._describe(image)
                                 for (language, tag), image in self.version_images.items()}
        # ``sample_host`` False: the containers may run on another machine (swarm), so nothing is sampled from here.
        self.visibility = (self._host_visibility(next(iter(self.images.values())))
                           if self.images and sample_host else None)
        info = self.client.info()
        self.cgroup_version = int(info.get("CgroupVersion") or 1)
        self.engine = {
            "version": info.get("ServerVersion"), "api_version": self.client.api.api_version,
            "os": info.get("OperatingSystem"), "kernel": info.get("KernelVersion"),
            "storage_driver": info.get("Driver"), "cgroup_driver": info.get("CgroupDriver"),
            "cgroup_version": self.cgroup_version, "runtime": info.get("DefaultRuntime"),
            "security": info.get("SecurityOptions"),
        }
        # The machine the containers run on: with compose, the harness's own host name is a container id.
        self.engine_host = {"name": info.get("Name"), "cpus": info.get("NCPU"), "memory_bytes": info.get("MemTotal"),
                            "os": info.get("OperatingSystem"), "kernel": info.get("KernelVersion")}

    def _runtimes_judged(self) -> dict:
        """``runtimes``: each language's runtime as its image has it, and for a language run on several
        (or on one only an image holds) the first chosen one's, which the verdicts judge; with
        ``runtime_versions``, each chosen one as its own image has it, by tag."""
        runtimes, versions = dict(self.runtimes), {}
        for language, tags in (self.toolchain.tags() if self.toolchain else {}).items():
            # "tag": which rows are the first runtime's, as the judge reads it (driver._judged_runtime)
            probed = {tag: {**self.version_runtimes[f"{language}{tag}"], "tag": tag} for tag in tags
                      if f"{language}{tag}" in self.version_runtimes}
            if tags[0] in probed:
                runtimes[language] = probed[tags[0]]
            if probed:
                versions[language] = probed
        return {"runtimes": runtimes, **({"runtime_versions": versions} if versions else {})}

    # ------------------------------------------------------------------ what is in the images

    def _describe(self, image: Image) -> dict:
        """The runtime in the image: version and memory settings, read under the runs' limits."""
        language = image.spec.language
        probe = ["/bin/sh", "-c", 'if [ -x /bin/bash ]; then echo shell=/bin/bash; else echo shell=/bin/sh; fi; exec "$@"',
                 "probe", *PROBES[language]]
        output = self._run_plain(image, probe)
        shell = "/bin/bash" if "shell=/bin/bash" in output else "/bin/sh"
        image.shell = shell
        info = _parse_probe(language, output)
        if language in HEAP_ARGS:
            info["heap_args"] = list(HEAP_ARGS[language])
        info.update(image=image.describe(), shell=shell)
        return info

    def _run_plain(self, image: Image, command: list) -> str:
        """Run a short command in a container with the runs' limits; its stdout and stderr."""
        container = self._create(image, command)
        try:
            container.start()
            container.wait(timeout=120)
            return container.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
        finally:
            remove_container(container)

    # ------------------------------------------------------------------ host visibility

    def _host_visibility(self, image: Image) -> Visibility:
        """Can this harness see a container's processes and cgroup? Where, or why not."""
        container = self._create(image, ["/bin/sh", "-c", "read line"], stdin_open=True)
        try:
            container.start()
            container.reload()
            return find_cgroup(container.id, container.attrs["State"]["Pid"])
        finally:
            remove_container(container)

    # ------------------------------------------------------------------ running

    def environment(self) -> dict:
        """Engine, limits, images, the runtimes inside them, and how each figure is measured."""
        version = self.cgroup_version
        sampled = self.visibility and self.visibility.available
        return {
            "backend": self.name,
            "memory_method": f"cgroup-v{version}",
            "docker": self.engine,
            "engine_host": self.engine_host,
            "limits": self.limits.describe(),
            "network": "none; a server and its neighbour (probe, load generator), or a client and its fixture, "
                       "share one private network namespace (the first container's loopback) and nothing else",
            "run_label": f"{RUN_LABEL}={self.run_id}",
            "images": {language: image.describe() for language, image in self.images.items()},
            **({"suite_images": {name: image.describe() for name, image in self.suite_images.items() if image}}
               if self.suite_images else {}),
            "helpers_image": self.helper_image.describe() if self.helper_image else "not needed in this run",
            **self._runtimes_judged(),
            "runtimes_missing": {},
            **({"version_images": {f"{language}{tag}": image.describe() for (language, tag), image in
                                   self.version_images.items()},
                "version_runtimes": self.version_runtimes} if self.version_images else {}),
            "sample_interval_s": self.sample_interval_s,
            "rss_sampling": self.visibility.describe() if self.visibility else "no image",
            "figures": {
                "wall_s": "host: the container's start call to its exit (docker wait), monotonic clock",
                "cpu_user_s/cpu_sys_s": f"in the container: `times` of the wrapper shell ({self._shells()}): "
                                        "the program and the descendants it reaped, as wait4 natively",
                "cgroup_peak_bytes": "in the container, after the program: " + (
                    "memory.peak (cgroup v2)" if version == 2 else "memory.max_usage_in_bytes (cgroup v1)"),
                "cgroup_file_bytes": "memory.stat " + ("file" if version == 2 else "cache") + " at the end",
                "cgroup_anon_peak_bytes": "memory.stat " + ("anon" if version == 2 else "rss")
                                          + (" sampled from the host" if sampled else ": not measured (no host view)"),
                "cgroup_cpu_s": "cpu.stat usage_usec" if version == 2 else "cpuacct.usage",
                "peak_rss_bytes": "summed RSS of the program's processes, sampled from the host" if sampled
                                  else "not measured: the container's processes are not visible from the harness",
                "ru_maxrss_bytes": "not available in a container (0)",
                "ctx_switches": "not measured in containers",
                "oom": "State.OOMKilled or the cgroup's oom_kill counter",
                "includes": "the cgroup figures include the wrapper shell (PID 1, about 1 MB), the RSS sum does not",
            },
        }

    def _shells(self) -> str:
        return ", ".join(f"{language} {image.shell}" for language, image in self.images.items())

    def skip_reason(self, job: Job) -> str:
        """Why ``job`` cannot run in this backend's containers, or ""."""
        program = job.program
        if program.not_applicable:
            return f"not applicable: {program.not_applicable}"
        if program.command:
            key = command_programs.build_key(program)
            if program.build and key not in self.build_dirs and key not in self.build_failures:
                return "its build step needs a runtime or tool this machine does not have (builds run on the host)"
            return "" if self.image_for(program) else self._no_image(program)
        if job.workload.kind != "batch" and self.helper_image is None:
            return f"{job.workload.kind} workloads need the helpers image, which this executor was not given"
        if job.workload.kind == "client" and not _inside(job.workload.fixture, FIXTURES):
            return "the helpers image holds only the lab's own fixture servers (harness/fixtures); use --backend native"
        if program.language not in self.images:
            return f"no {program.language} image in this run"
        if Path(program.root).resolve() != (REPO / IMAGES[program.language].root).resolve():
            return "the docker images hold only the lab's own programs; run a --suite of your own with --backend native"
        if program.runtime:
            return self._version_skip(program)
        needed = needed_java(program)
        major = _major(self.runtimes["java"].get("version", "0")) if needed else 0
        if needed and major < needed:
            return f"needs Java {needed} or newer; the java image has {self.runtimes['java'].get('version')}"
        return ""

    def _version_images(self, languages, build: str, bases: dict) -> tuple[dict, dict]:
        """(language, tag) -> the image of each chosen version, and why the others have none."""
        found, gaps = {}, {}
        for language in (self.toolchain.tags() if self.toolchain else {}):
            if language not in languages:
                continue
            for runtime in self.toolchain.versions[language]:
                if runtime.image:  # a runtime only an image holds (Debian sid's): the language's image on it
                    found_image = images.ensure_image_runtime(self.client, language, runtime.tag, runtime.image,
                                                              str(runtime.executable), build, bases, self.progress)
                    if found_image is None:
                        gaps[(language, runtime.tag)] = (f"no image {runtime.image} on this engine; build it with "
                                                         f"scripts/build-base-images.sh sid")
                    else:
                        found[(language, runtime.tag)] = found_image
                    continue
                executable = Path(runtime.executable).resolve()
                home = executable.parent.parent  # <prefix>/bin/python3.13t, <node>/bin/node, <java home>/bin/java
                outside = images.link_outside(home)
                if outside:
                    gaps[(language, runtime.tag)] = (
                        f"{runtime.executable} is not self-contained ({outside}), so no image can hold it; choose one "
                        f"that is by its path (`runtimes install {language}@{runtime.tag}` puts one in ~/.cache/runtime-lab/runtimes)")
                    continue
                found[(language, runtime.tag)] = images.ensure_version(
                    self.client, language, runtime.tag, home, executable.name, build, bases, self.progress)
        return found, gaps

    def _version_skip(self, program) -> str:
        """Why a tagged row cannot run in its version's image, or ""."""
        key = (program.language, program.runtime)
        if key in self.version_gaps:
            return self.version_gaps[key]
        if key not in self.version_images:
            return f"no image for {program.language} {program.runtime} in this run"
        version = self.version_runtimes[f"{program.language}{program.runtime}"].get("version", "0")
        needed = needed_java(program)
        if needed and _major(version) < needed:
            return f"needs Java {needed} or newer; the image {images.IMAGE_PREFIX}java:{program.runtime} has {version}"
        if program.language == "java" and _major(version) < JAVA_RELEASE:
            return f"the java image's classes are compiled for Java {JAVA_RELEASE} or newer"
        return ""

    def image_for(self, program) -> Image | None:
        """The image a program runs in: a suite's own (``image``), its version's, else its language's."""
        if program.runtime and not program.command:
            return self.version_images.get((program.language, program.runtime))
        if not program.image:
            return self.images.get(program.language)
        if program.image not in self.suite_images:
            self.suite_images[program.image] = images.named(self.client, program.language, program.image)
        return self.suite_images[program.image]

    def _no_image(self, program) -> str:
        if program.image:
            return f"image {program.image!r} not found on the engine: build or pull it first (the lab pulls nothing)"
        return (f"no {program.language} image: give the program image = \"NAME\", an image with what its command needs "
                f"(the lab has images for {', '.join(IMAGES)})")

    def command(self, job: Job, arguments: dict) -> list:
        """The program's argv inside its container."""
        program = job.program
        if program.command:
            return command_programs.container_argv(program, arguments)
        args = [f"{key}={value}" for key, value in arguments.items()]
        root = CONTAINER_ROOTS[program.language]
        runtime = command_programs.CONTAINER_RUNTIMES[program.language]  # a version's image has that version under this name
        heap = HEAP_ARGS.get(program.language, ())  # the same heap sizes as natively, not the limit's
        if program.language == "java":
            return [runtime, *heap, *program.runtime_args, "-cp", root, java_class(program), *args]
        source = f"{root}/{Path(program.source).relative_to(program.root).as_posix()}"
        return [runtime, *heap, *program.runtime_args, source, *args]

    def run(self, job: Job, timeout_s: float, extra_args=None, cpus=None, beside=None) -> RunResult:
        """Run the job once in a fresh container; see the module docstring for what is measured.

        ``beside``: a ContainerServer (a client's fixture) whose network namespace the run joins.
        """
        if job.program.build and command_programs.build_key(job.program) in self.build_failures:
            build_command, why = self.build_failures[command_programs.build_key(job.program)]
            return not_run(build_command, Failure(Status.FAILED, why))
        started = self._start_program(job, {**job.arguments(), **(extra_args or {})}, cpus, beside)
        try:
            timed_out = not wait_for_exit(started.container, timeout_s)
        except EngineConnectionLost as lost:
            with contextlib.suppress(Exception):  # the engine may be gone for good
                started.abandon()
            return not_run(started.argv, Failure(Status.FAILED, str(lost)))
        except BaseException:  # Ctrl-C: nothing to measure, and nothing may be left running
            started.abandon()
            raise
        return started.finish(timed_out)

    def start(self, job: Job, arguments: dict, cpus=None) -> ContainerServer:
        """Start the job's program as a server with exactly ``arguments``; the caller stops it."""
        return ContainerServer(self._start_program(job, arguments, cpus))

    def start_helper(self, name, arguments: list, cpus=None) -> ContainerServer:
        """Start a server of the harness's own (a fixture, the ceiling server) from the helpers image."""
        found = self.helpers.argv(name)
        if found is None:
            raise GeneratorError(f"{name} is not in the helpers image")
        labels = {"runtime-lab.helper": Path(str(name)).name}
        return ContainerServer(self._start(self._helpers_image(), [*found, *arguments], labels, cpus))

    def neighbour(self, server: ContainerServer, cpus=None) -> ContainerNeighbour:
        """A helpers container in ``server``'s network namespace, where the probe and load generator run."""
        container = self._create(self._helpers_image(), ["sleep", "infinity"], {"runtime-lab.helper": "neighbour"}, cpus,
                                 network_mode=f"container:{server.container.id}")
        try:
            container.start()
        except BaseException:
            remove_container(container)
            raise
        return ContainerNeighbour(container, self.helpers)

    def _helpers_image(self) -> Image:
        """The helpers image; only servers and clients need it, and skip_reason keeps them away without it."""
        if self.helper_image is None:
            raise LabError("this docker executor was made without the helpers image")
        return self.helper_image

    def _start_program(self, job: Job, arguments: dict, cpus, beside=None) -> Started:
        program = job.program
        image = self.image_for(program)
        if image is None:  # skip_reason keeps such jobs away
            raise LabError(self._no_image(program))
        labels = {"runtime-lab.workload": job.workload.name, "runtime-lab.program": program.label}
        network = f"container:{beside.container.id}" if beside else "none"
        extra = self._suite_mounts(program) if program.command else {}
        return self._start(image, self.command(job, arguments), labels, cpus, network, whole=bool(program.command), **extra)

    def _suite_mounts(self, program) -> dict:
        """A command program's suite folder (its working directory) and build folder, read-only."""
        volumes = {str(program.cwd): {"bind": command_programs.CONTAINER_SUITE, "mode": "ro"}}
        built = self.build_dirs.get(command_programs.build_key(program))
        if built:
            volumes[str(built)] = {"bind": command_programs.CONTAINER_BUILD, "mode": "ro"}
        return {"volumes": volumes, "working_dir": command_programs.CONTAINER_SUITE}

    def _start(self, image: Image, argv: list, labels: dict, cpus, network: str = "none", whole=False, **extra) -> Started:
        """Create and start a container running ``argv`` under the wrapper, sampled from the host.
        ``whole``: keep its whole stdout (a command program's answer), not the last MiB."""
        container = self._create(image, [image.shell, "-c", WRAPPER, "lab-wrapper", *argv], labels, cpus,
                                 network_mode=network, **extra)
        try:
            started = time.perf_counter()
            container.start()
            return Started(argv, container, started, self._sampler(container.id), KEEP_WHOLE if whole else None)
        except BaseException:
            remove_container(container)
            raise

    def _create(self, image: Image, command: list, labels=None, cpus=None, network_mode="none", **extra):
        return self.client.containers.create(
            image.image.id, command, detach=True, network_mode=network_mode,
            labels={**image.neutral_labels, LABEL: "1", RUN_LABEL: self.run_id, **(labels or {})},
            **self.limits.container_options(cpus), **extra,
        )

    def _sampler(self, container_id: str):
        """A tree sampler on the container's cgroup from the host, or None where it is not visible."""
        if not (self.visibility and self.visibility.available):
            return None
        group = ContainerCgroup(self.visibility.directory(container_id), self.visibility.version or 1)
        return TreeSampler(0, self.sample_interval_s, group).start()

    def close(self) -> None:
        """Remove any container this executor left (there should be none) and close the client."""
        remove_labelled(self.client, self.run_id)
        self.client.close()


# ---------------------------------------------------------------------- reading the runtimes' probes


def _parse_probe(language: str, output: str) -> dict:
    if language == "java":
        flags = {}
        for line in output.splitlines():
            parts = line.split()
            if len(parts) >= 4 and parts[2] == "=":
                flags[parts[1]] = parts[3]
        version = re.search(r'version "([^"]+)"', output)
        executable = re.search(r"executable=(\S+)", output)
        return {
            "version": version.group(1) if version else "unknown",
            "executable": executable.group(1) if executable else "java",
            "max_heap_bytes": int(flags.get("MaxHeapSize", 0)),
            "initial_heap_bytes": int(flags.get("InitialHeapSize", 0)),
            "collector": ",".join(name for name in JAVA_COLLECTORS if flags.get(f"Use{name}GC") == "true"),
            "active_processors": _java_processors(output),
        }
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    return {"version": "unknown", "probe_output": output[-500:]}


def _java_processors(output: str):
    match = re.search(r"\bActiveProcessorCount\s*=\s*(-?\d+)", output)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------------- small helpers


def _major(version: str) -> int:
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else 0


def _inside(path, folder: Path) -> bool:
    return path is not None and Path(path).resolve().is_relative_to(folder.resolve())


def _first_line(error) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
