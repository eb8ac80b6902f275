"""Run programs in fresh containers, one per run, with the same declared limits for every language.

Images: one per language (python/Dockerfile, java/Dockerfile, node/Dockerfile, built from the
repository root). Each is labelled with a hash of exactly what it was built from (its Dockerfile,
its sources and the base image's id), so an image is rebuilt only when that changes. The base is a
build argument: a local base from scripts/build-base-images.sh when the engine has one, else the
Dockerfile's default (the official image, pulled).

A run: a container is created with the limits (CPUs or a CPU set, memory without swap, a pids
limit), no network, and the lab's labels; its command is a small shell wrapper that runs the
program and then prints, on a marked stderr block, the container's own cgroup figures (v1 or v2)
and the CPU time of the program (`times`: what the shell reaped, as wait4 natively). The host
measures the wall time from the start call to the exit, and, where it can see the container's
processes (the harness on the host, or in a container with ``pid: host`` and the host's
/sys/fs/cgroup mounted), samples the summed RSS of the program's tree every few milliseconds,
as the native backend does. The container is removed afterwards, whatever happened.

Servers and clients: a pair of containers sharing one network namespace and nothing else. A
server runs as above (network "none": it has its own loopback and no other interface); its
neighbour, a container of the helpers image (loadgen/Dockerfile: the load generator, the ceiling
server, the probe, the fixture servers), is started with ``network_mode="container:<server id>"``
and pinned to the other half of the CPUs, as Lifecycle's Pinning does natively; the probe and the
load generator are executed in it and reach the server on 127.0.0.1. A client mirrors it: the
fixture server is the first container, the measured program joins its namespace. No bridge, no
published port, no address outside the pair's loopback. A server is measured over the load
window, from the host where its processes are visible (CPU and context switches from /proc, the
sampled RSS, the cgroup's peak reset at the window's start on cgroup v1), else from the engine's
stats (CPU only).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from harness.cgroup import read_counters
from harness.errors import LabError
from harness.executors.base import Executor, RunResult
from harness.measure import DEFAULT_INTERVAL_S, TreeSampler, tree_counters
from harness.plan import Job
from harness.runtimes import java_class, required_version

REPO = Path(__file__).resolve().parents[2]
LABEL = "runtime-lab"  # every container the lab starts carries it ("1"); its images carry IMAGE_LABEL
RUN_LABEL = "runtime-lab.run"
IMAGE_LABEL = "runtime-lab.image"
HASH_LABEL = "runtime-lab.context"
IMAGE_PREFIX = "runtime-lab/"
BASE_TAG = "trixie"  # the tag scripts/build-base-images.sh gives the local bases
OUTPUT_LIMIT = 1 << 20  # keep the last MiB of stdout/stderr, as natively
MARK = "@@runtime-lab-wrapper@@"
CGROUP_ROOTS = (Path("/sys/fs/cgroup"), Path("/host/sys/fs/cgroup"))
STOP_GRACE_S = 5.0
BUILD_MODES = ("auto", "never", "always")
START_HINT = "start it (`dockerd > /var/log/dockerd.log 2>&1 &` or `systemctl start docker`), or use --backend native"


class EngineUnavailable(LabError):
    """No Docker engine answers: the message says how to start one."""


class ImageBuildFailed(LabError):
    """An image did not build: the message carries the tail of the build log."""


@dataclass(frozen=True)
class ImageSpec:
    """One language image: its Dockerfile, the folders it copies, and its base build arguments."""

    language: str
    dockerfile: str  # relative to the repository root, which is the build context
    sources: tuple  # folders (relative to the root) the Dockerfile copies
    root: str  # the host folder, relative to the repository root, that programs' sources live under
    bases: tuple  # the build arguments naming its base images

    @property
    def tag(self) -> str:
        return f"{IMAGE_PREFIX}{self.language}:latest"


IMAGES = {
    "python": ImageSpec("python", "python/Dockerfile", ("python",), "python", ("LAB_PYTHON_BASE",)),
    "java": ImageSpec("java", "java/Dockerfile", ("java/src",), "java/src", ("LAB_JDK_BASE", "LAB_JRE_BASE")),
    "node": ImageSpec("node", "node/Dockerfile", ("node",), "node", ("LAB_NODE_BASE",)),
}
# What runs beside servers and clients; not a language, so no programs live under it.
HELPERS = ImageSpec("helpers", "loadgen/Dockerfile", ("loadgen/loadgen.c", "loadgen/ceiling_server.c",
                    "harness/probe.py", "harness/fixtures"), "", ("LAB_CC_BASE", "LAB_PYTHON_BASE"))
HELPERS_ROOT = "/lab/helpers"
FIXTURES = REPO / "harness" / "fixtures"
# The local base (scripts/build-base-images.sh) for each build argument of the Dockerfiles.
LOCAL_BASES = {
    "LAB_PYTHON_BASE": "base-python", "LAB_JDK_BASE": "base-jdk", "LAB_JRE_BASE": "base-jre",
    "LAB_NODE_BASE": "base-node", "LAB_CC_BASE": "base-cc",
}
# Where each image holds the programs (python, node) or the compiled classes (java).
CONTAINER_ROOTS = {"python": "/lab/python", "java": "/lab/java/classes", "node": "/lab/node"}


@dataclass(frozen=True)
class Limits:
    """The limits every container gets, whatever its language."""

    cpus: float | None = None  # a CFS quota in CPUs (None: no quota)
    cpuset: str | None = None  # CPUs the container may run on ("0-1"); None: all of them
    memory_bytes: int = 4 << 30  # memory limit; swap is held at zero
    pids: int = 16384  # the most processes and threads at once

    def container_options(self, cpus=None) -> dict:
        """Keyword arguments for ``containers.create``; ``cpus`` (a set) pins one run elsewhere."""
        options = {"mem_limit": self.memory_bytes, "memswap_limit": self.memory_bytes, "pids_limit": self.pids}
        if self.cpus:
            options["nano_cpus"] = int(self.cpus * 1e9)
        cpuset = ",".join(map(str, sorted(cpus))) if cpus else self.cpuset
        if cpuset:
            options["cpuset_cpus"] = cpuset
        return options

    def describe(self) -> dict:
        return {"cpus": self.cpus, "cpuset": self.cpuset or "all", "memory_bytes": self.memory_bytes,
                "swap_bytes": 0, "pids": self.pids}


def parse_bytes(text) -> int:
    """``"512m"``, ``"4g"``, ``"1073741824"`` -> bytes (what ``docker run --memory`` accepts)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", str(text).lower())
    if not match:
        raise LabError(f"'{text}' is not a memory size; give one such as 512m or 4g")
    number, unit = match.groups()
    return int(float(number) * 1024 ** " kmgt".index(unit or " "))


# The wrapper runs the program, then reports what only the inside of the container can read once
# the program is over: the container's cgroup (v2 or v1), the program's CPU time, and processes it
# left behind. Shell built-ins only (no fork), so the report costs nothing measurable. It is the
# container's PID 1, which the kernel shields from signals it does not handle: it hands a SIGTERM
# (docker kill -s TERM, how servers are stopped) on to the program, then waits for its real status.
WRAPPER = r'''
"$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM
wait $child
rc=$?
while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done
v=none peak= file= anon= cpu= oom=0
c=/sys/fs/cgroup
if [ -r $c/memory.peak ]; then
    v=2
    read -r peak < $c/memory.peak
    while read -r k n; do case $k in anon) anon=$n;; file) file=$n;; esac; done < $c/memory.stat
    while read -r k n; do case $k in usage_usec) cpu=${n}000;; esac; done < $c/cpu.stat
    while read -r k n; do case $k in oom_kill) oom=$n;; esac; done < $c/memory.events
elif [ -r $c/memory/memory.max_usage_in_bytes ]; then
    v=1
    read -r peak < $c/memory/memory.max_usage_in_bytes
    while read -r k n; do case $k in rss) anon=$n;; cache) file=$n;; esac; done < $c/memory/memory.stat
    [ -r $c/cpuacct/cpuacct.usage ] && read -r cpu < $c/cpuacct/cpuacct.usage
    while read -r k n; do case $k in oom_kill) oom=$n;; esac; done < $c/memory/memory.oom_control
fi
left=0
for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    s=
    read -r s < "$p/stat" 2>/dev/null || continue
    st=${s##*) }
    case $st in Z*) continue;; esac
    left=$((left + 1))
done
printf '\n%s\n' "@@runtime-lab-wrapper@@" >&2
printf 'rc=%s cgroup=%s peak=%s file=%s anon=%s cpu_ns=%s oom_kill=%s leftovers=%s\n' \
    "$rc" "$v" "$peak" "$file" "$anon" "$cpu" "$oom" "$left" >&2
times >&2
exit $rc
'''

# What each runtime says about itself inside its image, under the same limits as the runs.
PROBES = {
    "python": ["python3", "-c", "import gc, json, platform, sys; print(json.dumps({'version': platform.python_version(), "
               "'implementation': platform.python_implementation(), 'gc_thresholds': list(gc.get_threshold()), "
               "'gil': sys._is_gil_enabled() if hasattr(sys, '_is_gil_enabled') else True, 'executable': sys.executable}))"],
    "java": ["/bin/sh", "-c", "java -XX:+PrintFlagsFinal -version 2>&1; echo executable=$(command -v java)"],
    "node": ["node", "-e", "console.log(JSON.stringify({version: process.version.slice(1), executable: process.execPath, "
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


class DockerExecutor(Executor):
    """Each run in a fresh container from the language's image, with the same limits for all."""

    name = "docker"

    def __init__(self, languages=("python", "java", "node"), *, cpus: float | None = None, cpuset: str | None = None,
                 memory="4g", pids: int = 16384, build: str = "auto", sample_interval_s: float = DEFAULT_INTERVAL_S,
                 bases: dict | None = None, run_id: str | None = None, client=None, progress=None,
                 helpers: bool = False):
        if build not in BUILD_MODES:
            raise LabError(f"--docker-build {build}: choose one of {', '.join(BUILD_MODES)}")
        self.client = client or connect()
        self.limits = Limits(cpus, cpuset, parse_bytes(memory), pids)
        self.sample_interval_s = sample_interval_s
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.progress = progress or (lambda message: None)
        self.images = {language: self._image(IMAGES[language], build, bases or {}) for language in languages}
        # Only servers and clients need the helpers image (the caller knows whether it has any).
        self.helper_image = self._image(HELPERS, build, bases or {}) if helpers else None
        self.helpers = ImageHelpers()
        self.runtimes = {language: self._describe(image) for language, image in self.images.items()}
        self.visibility = self._host_visibility(next(iter(self.images.values()))) if self.images else None
        info = self.client.info()
        self.cgroup_version = int(info.get("CgroupVersion") or 1)
        self.engine = {
            "version": info.get("ServerVersion"), "api_version": self.client.api.api_version,
            "os": info.get("OperatingSystem"), "kernel": info.get("KernelVersion"),
            "storage_driver": info.get("Driver"), "cgroup_driver": info.get("CgroupDriver"),
            "cgroup_version": self.cgroup_version, "runtime": info.get("DefaultRuntime"),
            "security": info.get("SecurityOptions"),
        }

    # ------------------------------------------------------------------ images

    def _image(self, spec: ImageSpec, build: str, bases: dict) -> "Image":
        """The language's image, built when missing or out of date (mode auto), as asked otherwise."""
        args = self._base_args(spec, bases)
        context, digest = build_context(spec, self._base_ids(args))
        existing = self._existing(spec.tag)
        if build == "never":
            if existing is None:
                raise LabError(f"no image {spec.tag}; build it (docker compose build, or --docker-build auto)")
            return Image(spec, existing, args, built=False, current=existing.labels.get(HASH_LABEL) == digest)
        if build == "auto" and existing is not None and existing.labels.get(HASH_LABEL) == digest:
            return Image(spec, existing, args, built=False, current=True)
        self.progress(f"building {spec.tag} from {spec.dockerfile}")
        image = self._build(spec, context, digest, args)
        return Image(spec, image, args, built=True, current=True)

    def _base_args(self, spec: ImageSpec, bases: dict) -> dict:
        """Build arguments: explicit ones, else a local base where the engine has one, else the default."""
        found = {**local_bases(self.client), **bases}
        return {argument: found[argument] for argument in spec.bases if argument in found}

    def _base_ids(self, args: dict) -> dict:
        """The id of every base image present, so that a rebuilt base makes its images out of date."""
        found = {}
        for argument, name in args.items():
            image = self._existing(name)
            found[argument] = image.id if image is not None else name
        return found

    def _existing(self, name: str):
        return existing_image(self.client, name)

    def _build(self, spec: ImageSpec, context: bytes, digest: str, args: dict):
        log = []
        labels = {IMAGE_LABEL: spec.language, HASH_LABEL: digest}
        stream = self.client.api.build(
            fileobj=io.BytesIO(context), custom_context=True, dockerfile=spec.dockerfile, tag=spec.tag,
            buildargs=args, labels=labels, rm=True, forcerm=True, decode=True,
        )
        for chunk in stream:
            log.extend(chunk.get("stream", "").splitlines())
            if "error" in chunk:
                log.append(chunk["error"].strip())
                raise ImageBuildFailed(_build_failure(spec, args, log))
        image = self._existing(spec.tag)
        if image is None:
            raise ImageBuildFailed(_build_failure(spec, args, log))
        return image

    def _describe(self, image: "Image") -> dict:
        """The runtime in the image: version and memory settings, read under the runs' limits."""
        language = image.spec.language
        probe = ["/bin/sh", "-c", 'if [ -x /bin/bash ]; then echo shell=/bin/bash; else echo shell=/bin/sh; fi; exec "$@"',
                 "probe", *PROBES[language]]
        output = self._run_plain(image, probe)
        shell = "/bin/bash" if "shell=/bin/bash" in output else "/bin/sh"
        image.shell = shell
        info = _parse_probe(language, output)
        info.update(image=image.describe(), shell=shell)
        return info

    def _run_plain(self, image: "Image", command: list) -> str:
        """Run a short command in a container with the runs' limits; its stdout and stderr."""
        container = self._create(image, command)
        try:
            container.start()
            container.wait(timeout=120)
            return container.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
        finally:
            _remove(container)

    # ------------------------------------------------------------------ host visibility

    def _host_visibility(self, image: "Image") -> "Visibility":
        """Can this harness see a container's processes and cgroup? Where, or why not."""
        container = self._create(image, ["/bin/sh", "-c", "read line"], stdin_open=True)
        try:
            container.start()
            container.reload()
            return find_cgroup(container.id, container.attrs["State"]["Pid"])
        finally:
            _remove(container)

    # ------------------------------------------------------------------ running

    def environment(self) -> dict:
        """Engine, limits, images, the runtimes inside them, and how each figure is measured."""
        version = self.cgroup_version
        sampled = self.visibility and self.visibility.available
        return {
            "backend": self.name,
            "memory_method": f"cgroup-v{version}",
            "docker": self.engine,
            "limits": self.limits.describe(),
            "network": "none; a server and its neighbour (probe, load generator), or a client and its fixture, "
                       "share one private network namespace (the first container's loopback) and nothing else",
            "run_label": f"{RUN_LABEL}={self.run_id}",
            "images": {language: image.describe() for language, image in self.images.items()},
            "helpers_image": self.helper_image.describe() if self.helper_image else "not needed in this run",
            "runtimes": self.runtimes,
            "runtimes_missing": {},
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
        if job.workload.kind != "batch" and self.helper_image is None:
            return f"{job.workload.kind} workloads need the helpers image, which this executor was not given"
        if job.workload.kind == "client" and not _inside(job.workload.fixture, FIXTURES):
            return "the helpers image holds only the lab's own fixture servers (harness/fixtures); use --backend native"
        if program.language not in self.images:
            return f"no {program.language} image in this run"
        if Path(program.root).resolve() != (REPO / IMAGES[program.language].root).resolve():
            return "the docker images hold only the lab's own programs; run a --suite of your own with --backend native"
        needed = required_version(program.source) if program.language == "java" else None
        major = _major(self.runtimes["java"].get("version", "0")) if needed else 0
        if needed and major < needed:
            return f"needs Java {needed} or newer; the java image has {self.runtimes['java'].get('version')}"
        return ""

    def command(self, job: Job, arguments: dict) -> list:
        """The program's argv inside its container."""
        program = job.program
        args = [f"{key}={value}" for key, value in arguments.items()]
        root = CONTAINER_ROOTS[program.language]
        if program.language == "java":
            return ["java", *program.runtime_args, "-cp", root, java_class(program), *args]
        source = f"{root}/{Path(program.source).relative_to(program.root).as_posix()}"
        runtime = "python3" if program.language == "python" else "node"
        return [runtime, *program.runtime_args, source, *args]

    def run(self, job: Job, timeout_s: float, extra_args=None, cpus=None, beside=None) -> RunResult:
        """Run the job once in a fresh container; see the module docstring for what is measured.

        ``beside``: a ContainerServer (a client's fixture) whose network namespace the run joins.
        """
        started = self._start_program(job, {**job.arguments(), **(extra_args or {})}, cpus, beside)
        timed_out = not _wait(started.container, timeout_s)
        return started.finish(timed_out)

    def start(self, job: Job, arguments: dict, cpus=None) -> "ContainerServer":
        """Start the job's program as a server with exactly ``arguments``; the caller stops it."""
        return ContainerServer(self._start_program(job, arguments, cpus))

    def start_helper(self, name, arguments: list, cpus=None) -> "ContainerServer":
        """Start a server of the harness's own (a fixture, the ceiling server) from the helpers image."""
        argv = self.helpers.argv(name) + list(arguments)
        labels = {"runtime-lab.helper": Path(str(name)).name}
        return ContainerServer(self._start(self.helper_image, argv, labels, cpus))

    def neighbour(self, server: "ContainerServer", cpus=None) -> "ContainerNeighbour":
        """A helpers container in ``server``'s network namespace, where the probe and load generator run."""
        container = self._create(self.helper_image, ["sleep", "infinity"], {"runtime-lab.helper": "neighbour"}, cpus,
                                 network_mode=f"container:{server.container.id}")
        try:
            container.start()
        except BaseException:
            _remove(container)
            raise
        return ContainerNeighbour(container, self.helpers)

    def _start_program(self, job: Job, arguments: dict, cpus, beside=None) -> "Started":
        image = self.images[job.program.language]
        labels = {"runtime-lab.workload": job.workload.name, "runtime-lab.program": job.program.label}
        network = f"container:{beside.container.id}" if beside else "none"
        return self._start(image, self.command(job, arguments), labels, cpus, network)

    def _start(self, image: "Image", argv: list, labels: dict, cpus, network: str = "none") -> "Started":
        """Create and start a container running ``argv`` under the wrapper, sampled from the host."""
        container = self._create(image, [image.shell, "-c", WRAPPER, "lab-wrapper", *argv], labels, cpus,
                                 network_mode=network)
        try:
            started = time.perf_counter()
            container.start()
            return Started(argv, container, started, self._sampler(container.id))
        except BaseException:
            _remove(container)
            raise

    def _create(self, image: "Image", command: list, labels=None, cpus=None, network_mode="none", **extra):
        return self.client.containers.create(
            image.image.id, command, detach=True, network_mode=network_mode,
            labels={**image.neutral_labels, LABEL: "1", RUN_LABEL: self.run_id, **(labels or {})},
            **self.limits.container_options(cpus), **extra,
        )

    def _sampler(self, container_id: str):
        """A tree sampler on the container's cgroup from the host, or None where it is not visible."""
        if not (self.visibility and self.visibility.available):
            return None
        group = ContainerCgroup(self.visibility.directory(container_id), self.visibility.version)
        return TreeSampler(0, self.sample_interval_s, group).start()

    def close(self) -> None:
        """Remove any container this executor left (there should be none) and close the client."""
        remove_labelled(self.client, self.run_id)
        self.client.close()


class Started:
    """A started container running a program under the wrapper, and its sampler (None: not visible)."""

    def __init__(self, argv: list, container, started: float, sampler):
        self.argv, self.container, self.started, self.sampler = argv, container, started, sampler

    def finish(self, timed_out: bool) -> RunResult:
        """Kill it if it timed out, collect its logs and the wrapper's report, and remove it."""
        try:
            if timed_out:
                _kill(self.container)
                _wait(self.container, 60)
            ended = time.perf_counter()
            if self.sampler:
                self.sampler.stop()
            self.container.reload()
            stdout = _tail(self.container.logs(stdout=True, stderr=False))
            stderr = _tail(self.container.logs(stdout=False, stderr=True))
            return _result(self.argv, self.container.attrs["State"], stdout, stderr, ended - self.started, timed_out,
                           self.sampler)
        finally:
            if self.sampler:
                self.sampler.stop()
            _remove(self.container)


class ContainerServer:
    """A server in its own container: readiness from its logs, a measurement window, a clean stop.

    The same interface as the native backend's NativeServer, so Lifecycle runs both alike.
    """

    def __init__(self, started: Started):
        self.started = started
        self.container = started.container
        self._window = None

    def stdout_so_far(self) -> str:
        return _tail(self.container.logs(stdout=True, stderr=False))

    def stderr_tail(self) -> str:
        return split_report(_tail(self.container.logs(stdout=False, stderr=True)))[0]

    def alive(self) -> bool:
        try:
            self.container.reload()
        except Exception:  # removed meanwhile: the SDK's NotFound
            return False
        return self.container.status == "running"

    def begin_window(self) -> None:
        """Start a measurement window: reset the peaks, read the CPU and context-switch counters."""
        sampler = self.started.sampler
        if sampler:
            sampler.reset()
            self.window_peak_exact = sampler.cgroup.reset_peak()
            before = tree_counters(sampler.last_pids)
        else:
            self.window_peak_exact = False
            before = _engine_cpu(self.container)
        self._window = (time.perf_counter(), before)

    def end_window(self) -> dict:
        """CPU, context switches, peak memory and threads of the server over the window."""
        started, before = self._window
        sampler = self.started.sampler
        if sampler:
            sampler.sample()
            after = tree_counters(sampler.last_pids)
        else:
            after = _engine_cpu(self.container)
        figures = {name: after[name] - before[name] if after[name] is not None else None for name in after}
        figures.update(
            window_s=time.perf_counter() - started,
            rss_sampled_peak_bytes=sampler.peak_rss_bytes if sampler else 0,
            threads_peak=sampler.peak_threads if sampler else 0,
            processes_peak=sampler.peak_processes if sampler else 0,
            cgroup_peak_bytes=sampler.cgroup.peak_bytes() if sampler and self.window_peak_exact else None,
        )
        return figures

    def stop(self) -> RunResult:
        """SIGTERM the program (the wrapper hands it on), SIGKILL after a grace period; the whole life's result."""
        import docker.errors

        try:
            self.container.kill(signal="SIGTERM")
        except docker.errors.APIError:  # it has exited already
            pass
        return self.started.finish(timed_out=not _wait(self.container, STOP_GRACE_S))


class ContainerNeighbour:
    """A helpers container sharing a server's network namespace: runs the probe and the load generator."""

    def __init__(self, container, helpers: "ImageHelpers"):
        self.container, self.helpers = container, helpers

    def run(self, name: str, arguments: list, timeout_s: float) -> tuple[str, int, float | None]:
        """Run helper ``name`` to its end inside; (stdout + stderr, exit code, None: CPU is not read here)."""
        from harness.loadgen import GeneratorError

        argv = self.helpers.argv(name)
        if argv is None:
            raise GeneratorError(f"{name} is not in the helpers image")
        # coreutils timeout: an exec has no deadline of its own
        exit_code, (out, err) = self.container.exec_run(
            ["timeout", "-s", "KILL", f"{timeout_s:.0f}", *argv, *arguments], demux=True)
        # The engine keeps the two streams apart; stdout goes last, where the helpers' result line is.
        text = (err or b"") + (out or b"")
        return text.decode("utf-8", errors="replace"), exit_code, None

    def close(self) -> None:
        _remove(self.container)


class ImageHelpers:
    """The helper programs of server and client workloads as the helpers image holds them."""

    def argv(self, name) -> list | None:
        """The command that starts helper ``name`` in the helpers image, or None (wrk is not there)."""
        if name in ("loadgen", "ceiling_server"):
            return [f"{HELPERS_ROOT}/bin/{name}"]
        if name == "wrk":
            return None
        if name == "probe":
            return ["python3", f"{HELPERS_ROOT}/probe.py"]
        fixture = Path(name).resolve().relative_to(FIXTURES.resolve()).as_posix()
        return ["python3", f"{HELPERS_ROOT}/fixtures/{fixture}"]


def _engine_cpu(container) -> dict:
    """The container's CPU seconds from the engine's stats, when its processes are not visible here."""
    try:
        usage = container.stats(stream=False, one_shot=True)["cpu_stats"]["cpu_usage"]
        user, system = usage["usage_in_usermode"] / 1e9, usage["usage_in_kernelmode"] / 1e9
    except Exception:  # an engine or cgroup without the split: no CPU figure for the window
        user = system = None
    return {"cpu_user_s": user, "cpu_sys_s": system, "ctx_voluntary": None, "ctx_involuntary": None}


class Image:
    """A language image ready to run: the SDK image, its build arguments, its shell."""

    def __init__(self, spec: ImageSpec, image, args: dict, built: bool, current: bool):
        self.spec, self.image, self.args, self.built, self.current = spec, image, args, built, current
        self.shell = "/bin/sh"
        # A container inherits its image's labels. Compose labels the images it builds with its
        # project, and `docker compose up` then follows every container that carries them: blank
        # them, so the measured containers are nobody's service.
        self.neutral_labels = {key: "" for key in image.labels if key.startswith("com.docker.compose.")}

    def describe(self) -> dict:
        attrs = self.image.attrs
        return {
            "tag": self.spec.tag, "id": self.image.id, "size_bytes": attrs.get("Size"),
            "created": attrs.get("Created"), "bases": self.args or "the Dockerfile's defaults",
            "context_hash": self.image.labels.get(HASH_LABEL, "unknown (built outside the harness)"),
            "built_now": self.built, "up_to_date": self.current,
        }


def existing_image(client, name: str):
    """The image called ``name``, or None."""
    import docker.errors

    try:
        return client.images.get(name)
    except docker.errors.ImageNotFound:
        return None


def local_bases(client) -> dict:
    """Build argument -> local base image, for the local bases this engine has."""
    names = {argument: f"{IMAGE_PREFIX}{local}:{BASE_TAG}" for argument, local in LOCAL_BASES.items()}
    return {argument: name for argument, name in names.items() if existing_image(client, name) is not None}


def build_context(spec: ImageSpec, base_ids: dict) -> tuple[bytes, str]:
    """A tar of exactly what the image is built from, and a hash of it and the bases' ids."""
    digest = hashlib.sha256(json.dumps(sorted(base_ids.items())).encode())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for relative in _context_files(spec):
            path = REPO / relative
            data = path.read_bytes()
            executable = os.access(path, os.X_OK)
            digest.update(f"{relative}\0{int(executable)}\0{len(data)}\0".encode() + data)
            info = tarfile.TarInfo(relative)
            info.size, info.mode, info.mtime = len(data), 0o755 if executable else 0o644, int(path.stat().st_mtime)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), digest.hexdigest()[:16]


def _context_files(spec: ImageSpec) -> list:
    files = [spec.dockerfile]
    for source in spec.sources:
        paths = [REPO / source] if (REPO / source).is_file() else sorted((REPO / source).rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.append(path.relative_to(REPO).as_posix())
    return sorted(set(files))


def _build_failure(spec: ImageSpec, args: dict, log: list) -> str:
    tail = "\n".join(line for line in log if line.strip())
    tail = "\n".join(tail.splitlines()[-20:])
    hint = ""
    if re.search(r"pull access denied|manifest unknown|dial tcp|lookup .*registry|TLS handshake|no such host", tail):
        hint = "\nno base image here and none can be pulled: build local bases with scripts/build-base-images.sh"
    bases = ", ".join(f"{k}={v}" for k, v in args.items()) or "the Dockerfile's defaults"
    return f"building {spec.tag} from {spec.dockerfile} (bases: {bases}) failed:\n{tail}{hint}"


# ---------------------------------------------------------------------- seeing the container from the host


@dataclass(frozen=True)
class Visibility:
    """Where this harness finds a container's cgroup (a path template), or why it cannot."""

    version: int | None
    template: str  # the cgroup directory with "{id}" in place of the container id
    reason: str

    @property
    def available(self) -> bool:
        return bool(self.template)

    def directory(self, container_id: str) -> Path:
        return Path(self.template.format(id=container_id))

    def describe(self) -> str:
        if self.available:
            return f"from the host: {self.template.format(id='<container>')}/cgroup.procs, each process's /proc/<pid>/stat"
        return f"unavailable ({self.reason}); cgroup figures only"


def find_cgroup(container_id: str, pid: int, roots=CGROUP_ROOTS) -> Visibility:
    """Find the memory cgroup of a running container whose init has host ``pid``."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        lines = []
    if not any(container_id in line for line in lines):
        return Visibility(None, "", "the container's processes are not visible here: run the harness on the host, "
                                    "or give its container pid: host")
    candidates = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "" and not path.startswith("/.."):
            candidates += [(2, root / path.lstrip("/")) for root in roots]
        elif "memory" in controllers.split(","):
            candidates += [(1, root / controllers / path.lstrip("/")) for root in roots]
    for root in roots:  # the usual places, for a harness in its own cgroup namespace
        candidates += [(1, root / "memory" / "docker" / container_id),
                       (1, root / "memory" / "system.slice" / f"docker-{container_id}.scope"),
                       (2, root / "docker" / container_id), (2, root / "system.slice" / f"docker-{container_id}.scope")]
    for version, directory in candidates:
        try:
            pids = (directory / "cgroup.procs").read_text().split()
        except OSError:
            continue
        if str(pid) in pids:
            return Visibility(version, str(directory).replace(container_id, "{id}"), "")
    return Visibility(None, "", "the container's cgroup is not visible here: mount the host's /sys/fs/cgroup "
                                "(read-only) at /host/sys/fs/cgroup")


class ContainerCgroup:
    """A container's cgroup seen from the host, shaped as the TreeSampler expects (pids, anon_bytes).

    The container's first process is the wrapper shell: it is left out, so that the RSS sum is the
    program's tree alone, as natively.
    """

    def __init__(self, directory: Path, version: int):
        self.directory, self.version = directory, version
        self._wrapper = None

    def pids(self) -> list[int]:
        try:
            pids = [int(p) for p in (self.directory / "cgroup.procs").read_text().split()]
        except OSError:
            return []
        if self._wrapper is None and pids:
            self._wrapper = _outside_parent(pids)
        return [pid for pid in pids if pid != self._wrapper]

    def anon_bytes(self) -> int:
        stat = read_counters(self.directory / "memory.stat")
        return stat.get("rss" if self.version == 1 else "anon", 0)

    def reset_peak(self) -> bool:
        """Restart the peak from the current usage (v1, where the host's cgroup is writable)."""
        if self.version != 1:
            return False
        try:
            (self.directory / "memory.max_usage_in_bytes").write_text("0")
        except OSError:
            return False
        return True

    def peak_bytes(self) -> int | None:
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.directory / name).read_text())
        except (OSError, ValueError):
            return None


def _outside_parent(pids: list) -> int | None:
    """The process whose parent is outside the set: the container's first process."""
    inside = set(pids)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid not in inside:
            return pid
    return None


# ---------------------------------------------------------------------- results


def _result(argv, state: dict, stdout: str, stderr: str, wall_s: float, timed_out: bool, sampler) -> RunResult:
    """Assemble the RunResult from the container's state, its wrapper's report and the sampler."""
    stderr, report = split_report(stderr)
    rc = report.get("rc", state.get("ExitCode"))
    cpu_user, cpu_sys = report.get("times", (0.0, 0.0))
    version = report.get("cgroup")
    cgroup = {}
    if version in ("1", "2"):
        cgroup = {
            "peak_bytes": report.get("peak"), "file_bytes": report.get("file"),
            "anon_peak_bytes": sampler.peak_anon_bytes if sampler and sampler.samples else None,
            "cpu_s": report["cpu_ns"] / 1e9 if report.get("cpu_ns") is not None else None,
        }
    samples = sampler.samples if sampler else 0
    method = f"cgroup-v{version}" if version in ("1", "2") else ("sampled" if samples else "none")
    return RunResult(
        command=argv,
        exit_code=rc if rc is not None and not 128 < rc < 160 else None,
        signal=rc - 128 if rc is not None and 128 < rc < 160 else None,
        timed_out=timed_out,
        wall_s=wall_s,
        cpu_user_s=cpu_user,
        cpu_sys_s=cpu_sys,
        ru_maxrss_bytes=0,
        rss_sampled_peak_bytes=sampler.peak_rss_bytes if sampler else 0,
        threads_peak=sampler.peak_threads if sampler else 0,
        processes_peak=sampler.peak_processes if sampler else 0,
        ctx_voluntary=None,
        ctx_involuntary=None,
        samples=samples,
        stdout=stdout,
        stderr=stderr,
        memory_method=method,
        cgroup=cgroup,
        oom_killed=bool(state.get("OOMKilled")) or bool(report.get("oom_kill")),
        leftovers=report.get("leftovers", 0),
    )


TIMES = re.compile(r"(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s")


def split_report(stderr: str) -> tuple[str, dict]:
    """The program's own stderr, and the wrapper's report parsed ({} when it never got to print it)."""
    at = stderr.rfind("\n" + MARK + "\n")
    if at < 0:
        return stderr, {}
    program, block = stderr[:at], stderr[at + len(MARK) + 2:]
    lines = block.splitlines()
    report = {}
    for pair in lines[0].split() if lines else []:
        key, _, value = pair.partition("=")
        report[key] = int(value) if value.lstrip("-").isdigit() else (value or None)
    report["cgroup"] = str(report.get("cgroup"))
    times = [TIMES.search(line) for line in lines[1:]]
    times = [match for match in times if match]
    if times:  # the second line of `times`: the children's user and system time
        m = times[-1]
        report["times"] = (int(m[1]) * 60 + float(m[2]), int(m[3]) * 60 + float(m[4]))
    return program, report


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


def _wait(container, timeout_s: float) -> bool:
    """Wait for the container to exit; False when ``timeout_s`` passed first."""
    import requests

    try:
        container.wait(timeout=timeout_s)
        return True
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        return False


def _kill(container) -> None:
    import docker.errors

    try:
        container.kill()
    except docker.errors.APIError:  # it exited meanwhile
        pass


def _remove(container) -> None:
    """Remove a container, killing it first if it still runs; never raises."""
    import docker.errors

    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as error:
        if "already in progress" not in str(error):
            raise


def remove_labelled(client, run_id: str | None = None) -> int:
    """Remove every lab container (of one run, when ``run_id`` is given); how many there were."""
    wanted = [f"{RUN_LABEL}={run_id}"] if run_id else [f"{LABEL}=1"]
    containers = client.containers.list(all=True, filters={"label": wanted})
    for container in containers:
        _remove(container)
    return len(containers)


def _tail(data: bytes) -> str:
    return data[-OUTPUT_LIMIT:].decode("utf-8", errors="replace")


def _major(version: str) -> int:
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else 0


def _inside(path, folder: Path) -> bool:
    return path is not None and Path(path).resolve().is_relative_to(folder.resolve())


def _first_line(error) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
