"""Run programs as Docker Swarm jobs, on the machines the user names by node label.

The harness runs on a manager node. A machine is a name given to one or more nodes by a label:
``runtime-lab.machine=NAME``, or ``runtime-lab.machine.NAME=true`` for a node that serves as
several machines (the tests label one node twice). Each run of a row is one job
(``docker service create --mode replicated-job --restart-condition none``), constrained to its
machine's nodes, from the same images as ``--backend docker`` and under the same in-container
wrapper, which here also times the program by the container's own clock (scheduling a job takes
about half a second, which is no part of any figure) and reports the facts of the node it ran on.
The result comes from the job's logs. Nothing is sampled from outside: a node's processes may be
on another machine, so every machine is measured alike, by its container's cgroup.

Rows that share a node never run at once (``lanes``); machines on separate nodes run in parallel.
A machine whose every node has left the swarm, or is down or drained, fails its running job and
every later one with that reason; the other machines go on.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid

from harness.errors import LabError, MachineLost, SwarmUnavailable
from harness.executors.base import Failure, RunResult, not_run
from harness.executors.docker.containers import LABEL, MARK, RUN_LABEL, SWARM_WRAPPER, _result, _tail, split_report
from harness.executors.docker.executor import PROBES, DockerExecutor, _parse_probe, connect
from harness.executors.docker.images import Image
from harness.plan.jobs import Job
from harness.results.model import Status

MACHINE_LABEL = "runtime-lab.machine"
SERVICE_PREFIX = "runtime-lab-"
POLL_S = 0.1
NODE_CHECK_S = 1.0
START_GRACE_S = 120.0  # a job may wait this long for its node to start it (pulling an image, say)
FINISHED = {"complete", "failed", "rejected", "shutdown", "orphaned", "remove"}
JOIN_HINT = "on a manager node: `docker swarm init --advertise-addr <address>` (127.0.0.1 for one machine)"


class _Stopped(Exception):
    """The run is being stopped (Ctrl-C in another lane): the job was removed unmeasured."""


def machine_names(node_spec: dict) -> list:
    """The machines a node serves as, from its labels."""
    labels = node_spec.get("Labels") or {}
    names = [labels[MACHINE_LABEL]] if labels.get(MACHINE_LABEL) else []
    prefix = MACHINE_LABEL + "."
    names += [key[len(prefix):] for key, value in labels.items()
              if key.startswith(prefix) and str(value).lower() in ("true", "1", "yes")]
    return names


def constraint(machine: str, nodes: list) -> str:
    """The placement constraint that picks ``machine``'s nodes, in the label form they carry."""
    if any((n.attrs["Spec"].get("Labels") or {}).get(f"{MACHINE_LABEL}.{machine}") for n in nodes):
        return f"node.labels.{MACHINE_LABEL}.{machine}==true"
    return f"node.labels.{MACHINE_LABEL}=={machine}"


def find_machines(client, wanted) -> dict:
    """Machine name -> its nodes, for ``wanted`` (names, or ["all"]); SwarmUnavailable otherwise."""
    info = client.info().get("Swarm") or {}
    if info.get("LocalNodeState") != "active" or not info.get("ControlAvailable"):
        raise SwarmUnavailable(f"this Docker engine is not a swarm manager; run the harness {JOIN_HINT}, "
                               f"and label nodes: docker node update --label-add {MACHINE_LABEL}=NAME NODE")
    found: dict[str, list] = {}
    for node in client.nodes.list():
        for name in machine_names(node.attrs["Spec"]):
            found.setdefault(name, []).append(node)
    if list(wanted) == ["all"]:
        if not found:
            raise SwarmUnavailable(f"no swarm node carries a {MACHINE_LABEL} label; label one: "
                                   f"docker node update --label-add {MACHINE_LABEL}=NAME NODE")
        return dict(sorted(found.items()))
    missing = [name for name in wanted if name not in found]
    if missing:
        known = ", ".join(sorted(found)) or "none"
        raise SwarmUnavailable(f"no swarm node is labelled as machine {', '.join(missing)} (labelled: {known}); "
                               f"docker node update --label-add {MACHINE_LABEL}=NAME NODE")
    return {name: found[name] for name in wanted}


def machine_of(backend: str) -> str:
    """``swarm@A`` -> ``A``."""
    return backend.partition("@")[2]


class SwarmExecutor:
    """Each run a Swarm job on its machine, from the docker backend's images, measured inside.

    It composes the docker backend's parts rather than being one: ``self.docker`` builds and
    describes the images, holds the limits and the runtimes' probes, and decides which jobs an
    image can run; its containers are never started here, nor sampled from this host.
    """

    name = "swarm"

    def __init__(self, languages, machines, *, registry: str | None = None, **options):
        self.client = options.pop("client", None) or connect()
        self.machines = find_machines(self.client, machines)
        self.local_node = (self.client.info().get("Swarm") or {}).get("NodeID")
        self.stopping = threading.Event()
        self.registry = registry
        self.docker = DockerExecutor(languages, client=self.client, helpers=False, sample_host=False, **options)
        self.references, self.shipping = self._ship()
        self.machine_env = {name: self._machine_environment(name) for name in self.machines}

    # ------------------------------------------------------------------ what is where

    def lanes(self, local_lane: bool) -> dict:
        """Machine -> a lane key: machines that share a node share a lane, and so does the local
        engine's own node when native or docker rows run too (``local_lane``)."""
        groups: list[list[set]] = []  # [set of machines, set of node ids]
        for name, nodes in self.machines.items():
            ids = {node.id for node in nodes}
            if local_lane and self.local_node in ids:
                ids.add("local")
            joined = [group for group in groups if group[1] & ids]
            machines, shared = {name}, set(ids)
            for group in joined:
                groups.remove(group)
                machines |= group[0]
                shared |= group[1]
            groups.append([machines, shared])
        lanes = {}
        for machines, ids in groups:
            key = "local" if "local" in ids else "swarm:" + ",".join(sorted(machines))
            lanes.update({name: key for name in machines})
        return lanes

    def _ship(self) -> tuple[dict, dict]:
        """(image id -> what a job names it by, how the images reach the nodes): the id itself when
        every node has it (the manager built it), else its reference in ``--registry`` after a push, timed."""
        images = [*self.docker.images.values(), *self.docker.version_images.values()]
        if not self.registry:
            return ({image.image.id: image.image.id for image in images},
                    {"method": "none: each node uses the images it has (the manager built them); "
                               "give --registry HOST:PORT to send them to other nodes"})
        references, started = {}, time.perf_counter()
        for image in images:
            repository = f"{self.registry}/{image.spec.tag.split(':')[0]}"
            tag = image.spec.tag.split(":")[1] + "-" + image.image.id.split(":")[1][:12]
            image.image.tag(repository, tag)
            self.docker.progress(f"pushing {repository}:{tag}")
            for chunk in self.client.images.push(repository, tag, stream=True, decode=True):
                if "error" in chunk:
                    raise LabError(f"push to {self.registry} failed: {chunk['error']}; check that the registry "
                                   "answers and that every node trusts it (insecure-registries for plain HTTP)")
            references[image.image.id] = f"{repository}:{tag}"
        return references, {"method": f"registry {self.registry}: pushed once, pulled by each node on its first job",
                            "push_s": round(time.perf_counter() - started, 2), "images": sorted(references.values())}

    def _machine_environment(self, machine: str) -> dict:
        """The machine's nodes as the swarm describes them; the facts its jobs report are added as they come."""
        nodes = []
        for node in self.machines[machine]:
            description = node.attrs.get("Description") or {}
            resources = description.get("Resources") or {}
            nodes.append({"id": node.id[:12], "hostname": description.get("Hostname"),
                          "architecture": (description.get("Platform") or {}).get("Architecture"),
                          "cpus": round((resources.get("NanoCPUs") or 0) / 1e9) or None,
                          "memory_bytes": resources.get("MemoryBytes"),
                          "engine": (description.get("Engine") or {}).get("EngineVersion"),
                          "state": (node.attrs.get("Status") or {}).get("State"),
                          "manager": node.attrs.get("ManagerStatus") is not None})
        first = nodes[0]
        return {"backend": "swarm", "machine": machine, "memory_method": f"cgroup-v{self.docker.cgroup_version}",
                "host": first["hostname"], "cores_available": first["cpus"], "memory_total_bytes": first["memory_bytes"],
                "nodes": nodes, "constraint": constraint(machine, self.machines[machine]), "runtimes": {}}

    def describe_machines(self) -> None:
        """Probe each machine's runtimes by a job on it (a JVM's heap follows its machine's memory)."""
        for machine, env in self.machine_env.items():
            for language, image in self.docker.images.items():
                env["runtimes"][language] = self._probe_on(machine, image)
            for (language, tag), image in self.docker.version_images.items():
                env.setdefault("version_runtimes", {})[f"{language}{tag}"] = self._probe_on(machine, image)

    def _probe_on(self, machine: str, image: Image) -> dict:
        probe = ["/bin/sh", "-c", 'exec "$@"', "probe", *PROBES[image.spec.language]]
        try:
            result = self._job(machine, image, probe, {"runtime-lab.probe": image.spec.language}, 300.0)
        except (MachineLost, _Stopped) as lost:
            return {"version": "unknown", "error": str(lost)}
        if result.failure:
            return {"version": "unknown", "error": result.failure.reason}
        return {**_parse_probe(image.spec.language, result.stdout + result.stderr), "image": image.describe()}

    # ------------------------------------------------------------------ running

    def skip_reason(self, job: Job) -> str:
        """Why ``job`` cannot run as a swarm job, or ""."""
        if job.program.command:
            return ("command programs mount a folder of this machine, which other nodes do not have; "
                    "run them with --backend docker or native")
        if job.workload.kind != "batch":
            return (f"{job.workload.kind} workloads need a load generator or fixture in the program's network "
                    "namespace, which swarm tasks cannot share; run them with --backend docker or native")
        return self.docker.skip_reason(job)

    def run(self, job: Job, timeout_s: float, extra_args=None, cpus=None, beside=None) -> RunResult:
        """Run the job once as a swarm job on its machine; see the module docstring."""
        machine = machine_of(job.backend)
        argv = self.docker.command(job, {**job.arguments(), **(extra_args or {})})
        lost = self._machine_lost(machine)
        if lost:
            return not_run(argv, Failure(Status.FAILED, lost))
        image = self.docker.image_for(job.program)
        if image is None:  # skip_reason keeps such jobs away
            return not_run(argv, Failure(Status.SKIPPED, self.docker.skip_reason(job)))
        labels = {"runtime-lab.workload": job.workload.name, "runtime-lab.program": job.program.label}
        try:
            return self._job(machine, image, argv, labels, timeout_s)
        except MachineLost as gone:
            return not_run(argv, Failure(Status.FAILED, str(gone)))
        except _Stopped:  # the runner discards a result that comes once the run is stopping
            return not_run(argv, Failure(Status.NOT_RUN, "the run was stopped while this job ran"))

    def _job(self, machine: str, image: Image, argv: list, labels: dict, timeout_s: float) -> RunResult:
        """Create the job, wait for it, read its logs and the wrapper's report, remove it."""
        from docker.types import RestartPolicy, ServiceMode

        service = self.client.services.create(
            self.references.get(image.image.id, image.image.id),
            [image.shell, "-c", SWARM_WRAPPER, "lab-wrapper", *argv],
            name=f"{SERVICE_PREFIX}{self.docker.run_id}-{uuid.uuid4().hex[:8]}",
            mode=ServiceMode("replicated-job", replicas=1), restart_policy=RestartPolicy(condition="none"),
            constraints=[constraint(machine, self.machines[machine])],
            labels={LABEL: "1", RUN_LABEL: self.docker.run_id, "runtime-lab.machine": machine, **labels},
            container_labels={**image.neutral_labels, LABEL: "1", RUN_LABEL: self.docker.run_id},
            env=["LAB_NODE={{.Node.Hostname}}", "LAB_ARCH={{.Node.Platform.Architecture}}"],
            resources=self._resources(), networks=[],
        )
        try:
            task, timed_out, host_wall = self._wait(service, machine, timeout_s)
            return self._collect(service, task, argv, timed_out, host_wall, machine)
        finally:
            _remove(service)

    def _resources(self) -> dict:
        """The docker backend's limits, as a task's resources (no cpuset or swap limit in Swarm)."""
        limits = {"MemoryBytes": self.docker.limits.memory_bytes, "Pids": self.docker.limits.pids}
        if self.docker.limits.cpus:
            limits["NanoCPUs"] = int(self.docker.limits.cpus * 1e9)
        return {"Limits": limits}

    def _wait(self, service, machine: str, timeout_s: float) -> tuple:
        """Poll the job's task until it ends: (task, timed out, seconds from create to end)."""
        created = checked = time.perf_counter()
        started = None
        while True:
            if self.stopping.is_set():
                raise _Stopped("the run is being stopped")
            tasks = service.tasks()
            task = tasks[0] if tasks else None
            state = task["Status"]["State"] if task else "new"
            now = time.perf_counter()
            if state in FINISHED:
                return task, False, now - created
            if state == "running" and started is None:
                started = now
            if started is not None and now - started > timeout_s:
                return task, True, now - created
            if started is None and now - created > START_GRACE_S + timeout_s:
                return task, True, now - created
            if now - checked > NODE_CHECK_S:
                checked = now
                lost = self._machine_lost(machine)
                if lost:
                    raise MachineLost(lost)
            time.sleep(POLL_S)

    def _collect(self, service, task, argv, timed_out: bool, host_wall: float, machine: str) -> RunResult:
        """The run's result from the task's status and the job's logs."""
        status = (task or {}).get("Status") or {}
        if status.get("State") in ("rejected", "orphaned") or (status.get("Err") and not status.get("ContainerStatus")):
            why = status.get("Err") or status.get("Message") or ""
            hint = ("; send the images with --registry HOST:PORT, or load them on that node "
                    "(docker save IMAGE | ssh NODE docker load)") if "No such image" in why else ""
            return not_run(argv, Failure(Status.FAILED, f"swarm {status.get('State')} the job on machine {machine}: {why}{hint}"))
        stdout, stderr = _logs(service, wait_for_report=not timed_out)
        _, report = split_report(stderr)
        exit_code = (status.get("ContainerStatus") or {}).get("ExitCode")
        clock = report.get("clock") or {}
        try:
            wall = float(clock["end"]) - float(clock["start"])
        except (KeyError, ValueError):
            wall = host_wall  # the wrapper never reported (killed on a timeout): the host's view
        result = _result(argv, {"ExitCode": exit_code}, stdout, stderr, wall, timed_out, None)
        self._note_node(machine, report.get("machine"))
        return result

    def _note_node(self, machine: str, facts: dict | None) -> None:
        """Record the facts a job reported about its node (the first job on each node)."""
        if not facts:
            return
        env = self.machine_env[machine]
        seen = env.setdefault("reported", {})
        node = facts.get("node", "?")
        if node in seen:
            return
        seen[node] = facts
        if len(seen) == 1:  # the machine's figures: its first node's, as the jobs saw them
            env.update(cpu_model=facts.get("cpu_model") or "unknown", cores_available=_int(facts.get("cores")),
                       kernel=facts.get("kernel"), memory_total_bytes=(_int(facts.get("mem_kb")) or 0) * 1024,
                       cgroup_version=_int(facts.get("cgroup")), architecture=facts.get("arch"))

    def _machine_lost(self, machine: str) -> str:
        """Why ``machine`` can take no job now (no node of it is in the swarm, ready and active), or ""."""
        ids = {node.id for node in self.machines[machine]}
        try:
            nodes = [node for node in self.client.nodes.list() if node.id in ids and machine in machine_names(node.attrs["Spec"])]
        except Exception as error:  # the manager itself stopped answering
            return f"the swarm manager stopped answering ({str(error).splitlines()[0][:120]})"
        usable = [n for n in nodes if (n.attrs.get("Status") or {}).get("State") == "ready"
                  and (n.attrs.get("Spec") or {}).get("Availability") == "active"]
        if usable:
            return ""
        if not nodes:
            return f"machine {machine} left the swarm: no node carries its label any more"
        states = ", ".join(f"{(n.attrs.get('Description') or {}).get('Hostname', n.id[:12])} "
                           f"{(n.attrs.get('Status') or {}).get('State')}/{(n.attrs.get('Spec') or {}).get('Availability')}"
                           for n in nodes)
        return f"machine {machine} has no node ready for jobs ({states})"

    # ------------------------------------------------------------------ what the record says

    def environment(self) -> dict:
        """The docker backend's record, with each machine and how images reached them."""
        env = self.docker.environment()
        env.update(backend=self.name, swarm={"manager_node": (self.local_node or "")[:12], "images": self.shipping},
                   machines=sorted(self.machines))
        env["limits"] = {**self.docker.limits.describe(), "cpuset": "not in Swarm", "swap_bytes": "not limited by Swarm"}
        env["network"] = ("the node's default bridge: Swarm (engine 20.10) starts no task without a network; "
                          "no program uses it (servers and clients run on the docker or native backend)")
        env["figures"] = {**env["figures"],
                          "wall_s": "in the container: the wrapper's clock (bash EPOCHREALTIME, else date) from "
                                    "just before the program starts to its exit; job scheduling is not counted",
                          "peak_rss_bytes": "not measured: a job's processes may be on another machine",
                          "cgroup_anon_peak_bytes": "memory.stat at the end only (not sampled)"}
        env.pop("rss_sampling", None)
        return env

    def close(self) -> None:
        """Remove every service of this run (their containers go with them) and the registry tags
        it made here, then close the client."""
        self.stopping.set()
        with contextlib.suppress(Exception):
            for service in self.client.services.list(filters={"label": f"{RUN_LABEL}={self.docker.run_id}"}):
                _remove(service)
            _wait_containers_gone(self.client, self.docker.run_id)
        for image_id, reference in getattr(self, "references", {}).items():
            if reference != image_id:
                with contextlib.suppress(Exception):
                    self.client.images.remove(reference, noprune=True)
        self.docker.close()


def _remove(service) -> None:
    import docker.errors

    with contextlib.suppress(docker.errors.NotFound):
        service.remove()


def _wait_containers_gone(client, run_id: str, timeout_s: float = 20.0) -> None:
    """Swarm removes a job's container after its service, asynchronously: wait for this node's to go."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"}):
            return
        time.sleep(0.2)


def _logs(service, wait_for_report: bool) -> tuple[str, str]:
    """The job's stdout and stderr; the engine may deliver the last lines a moment after the task ends."""
    for _ in range(20):
        stdout = b"".join(service.logs(stdout=True, stderr=False))
        stderr = b"".join(service.logs(stdout=False, stderr=True))
        if not wait_for_report or (MARK.encode() in stderr and b"\ncpu_model=" in stderr):
            break
        time.sleep(0.1)
    return _tail(stdout), _tail(stderr)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

