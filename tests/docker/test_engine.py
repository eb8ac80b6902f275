"""The docker backend against a real engine: every family in every language, limits, OOM, timeouts, cleanup."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import docker
import pytest

from harness import catalogue, plan
from harness.analyse import verify
from harness.errors import ImageBuildFailed
from harness.executors.docker import containers, images
from harness.executors.docker import executor as backend
from harness.run.measurement import Measurement, RunFailed, run_record
from harness.runtimes.toolchain import HEAP_ARGS
from tests.conftest import ROOT, wait_for
from tests.docker.conftest import labelled

pytestmark = pytest.mark.docker

# tasks: OS-thread sleepers start at 10,000 in quick now; the test's containers are not sized for that.
TINY = {"n": 20000, "depth": 6, "m": 2000, "iterations": 2, "tasks": 1000}
CATALOGUE = catalogue.load()


def tiny_job(workload, program) -> plan.Job:
    """The program at tiny parameters: TINY where it names the parameter, else the first quick value."""
    merged = {**workload.params, **program.params}
    values = {}
    for name, per_profile in merged.items():
        quick = per_profile["quick"]
        values[name] = TINY.get(name, quick[0] if isinstance(quick, list) else quick)
    return plan.Job(workload, program, tuple(sorted(values.items())))


def family_jobs() -> list:
    """For every family: its first batch workload that has programs, one program per language."""
    jobs = []
    for family in CATALOGUE.families():
        for workload in CATALOGUE.workloads.values():
            if workload.family != family or workload.kind != "batch":
                continue
            firsts = {}
            for program in workload.programs:
                if not program.not_applicable:
                    firsts.setdefault(program.language, program)
            if firsts:
                jobs += [tiny_job(workload, program) for program in firsts.values()]
                break
    return jobs


FAMILY_JOBS = family_jobs()


@pytest.fixture(scope="module")
def family_measurements(executor):
    """Each family's jobs, run once each in containers, checked as the runner checks them."""
    measurements = []
    for job in FAMILY_JOBS:
        measurement = Measurement(job)
        reason = executor.skip_reason(job)
        if reason:
            measurement.mark("skipped", reason)
        else:
            measurement.add(executor.run(job, 300), keep=True)
        measurements.append(measurement)
    verify.check_checksums(measurements)
    return {(m.job.workload.family, m.job.program.language): m for m in measurements}


def test_every_family_is_covered_in_every_language():
    # Written out by hand from catalogue.toml: the three batch families, each in the three languages.
    assert sorted((job.workload.family, job.program.language) for job in FAMILY_JOBS) == [
        (family, language) for family in ("async", "memory", "threading") for language in ("java", "node", "python")]


@pytest.mark.parametrize("language", ["python", "java", "node"])
@pytest.mark.parametrize("family", sorted({job.workload.family for job in FAMILY_JOBS}))
def test_every_family_runs_in_every_language_in_containers(family_measurements, family, language):
    measurement = family_measurements.get((family, language))
    if measurement is None:
        pytest.skip(f"the first batch {family} workload has no {language} program")
    assert measurement.status == "ok", f"{measurement.reason}\n{measurement.stderr_tail}"
    run = measurement.runs[0]
    assert run["memory_method"] in ("cgroup-v1", "cgroup-v2")
    assert run["cgroup_peak_bytes"] > 1e6 and run["cgroup_cpu_s"] > 0 and run["cpu_s"] > 0
    assert run["wall_s"] > 0 and run["work_s"]
    assert run["leftover_processes"] == 0


def test_rss_is_sampled_from_the_host_when_the_harness_can_see_the_containers(executor, family_measurements):
    if not executor.visibility.available:
        pytest.skip(f"this harness cannot see the containers' processes: {executor.visibility.reason}")
    for measurement in family_measurements.values():
        if measurement.status == "ok":
            run = measurement.runs[0]
            assert run["samples"] > 0 and run["peak_rss_bytes"] > 1e6, measurement.job.program.label
            assert run["cgroup_anon_peak_bytes"] > 0


def test_the_environment_records_engine_limits_images_and_methods(executor):
    env = executor.environment()
    assert env["backend"] == "docker" and env["network"].startswith("none")
    assert env["limits"] == {"cpus": None, "cpuset": "all", "memory_bytes": 1 << 30, "swap_bytes": 0, "pids": 4096}
    assert set(env["images"]) == {"python", "java", "node"}
    assert all(info["version"] != "unknown" for info in env["runtimes"].values())
    # The heap sizes are the lab's, as natively (HEAP_ARGS), not what the runtimes derive from the limit.
    assert env["runtimes"]["java"]["max_heap_bytes"] == 1 << 30
    assert env["runtimes"]["java"]["initial_heap_bytes"] == 64 << 20
    assert env["runtimes"]["java"]["heap_args"] == list(HEAP_ARGS["java"])
    assert env["runtimes"]["node"]["heap_args"] == list(HEAP_ARGS["node"])
    assert {"wall_s", "cgroup_peak_bytes", "peak_rss_bytes", "oom"} <= set(env["figures"])


def test_up_to_date_images_are_reused(engine, executor):
    again = backend.DockerExecutor(["python"], client=engine, run_id="test-reuse")
    assert again.images["python"].image.id == executor.images["python"].image.id
    assert again.images["python"].built is False and again.images["python"].current


def test_the_limits_are_those_declared(engine):
    limited = backend.DockerExecutor(["python"], client=engine, cpus=0.5, cpuset="0", memory="256m", pids=64, run_id="test-limits")
    container = limited._create(limited.images["python"], ["true"])
    try:
        host = container.attrs["HostConfig"]
        assert host["Memory"] == 256 << 20 and host["MemorySwap"] == 256 << 20
        assert host["NanoCpus"] == 500_000_000 and host["CpusetCpus"] == "0" and host["PidsLimit"] == 64
        assert host["NetworkMode"] == "none"
    finally:
        containers.remove_container(container)


def eager_lazy(language: str, n: int, variant: str = "list") -> plan.Job:
    workload = CATALOGUE.workloads["eager_lazy"]
    program = next(p for p in workload.programs if p.language == language and p.variant == variant)
    return plan.Job(workload, program, (("iterations", 1), ("n", n)))


def test_a_memory_limit_too_small_gives_status_oom(engine):
    small = backend.DockerExecutor(["python"], client=engine, memory="48m", run_id="test-oom")
    result = small.run(eager_lazy("python", 5_000_000), 120)  # a list of 5 M ints needs about 200 MB
    assert result.oom_killed, result.stderr[-500:]
    with pytest.raises(RunFailed) as failed:
        run_record(result)
    assert failed.value.status == "oom"
    assert labelled(engine, "test-oom") == []


def test_a_timeout_kills_and_removes_the_container(engine, executor):
    started = time.monotonic()
    result = executor.run(eager_lazy("python", 500_000_000, "generator"), 2)  # minutes, in little memory
    assert result.timed_out and time.monotonic() - started < 30
    with pytest.raises(RunFailed) as failed:
        run_record(result)
    assert failed.value.status == "timeout"
    assert labelled(engine, executor.run_id) == []


INTERRUPTED = """
import sys
from harness import catalogue, plan
from harness.executors.docker.executor import DockerExecutor
workload = catalogue.load().workloads["eager_lazy"]
program = next(p for p in workload.programs if p.language == "python" and p.variant == "generator")
executor = DockerExecutor(["python"], run_id=sys.argv[1])
executor.run(plan.Job(workload, program, (("iterations", 1), ("n", 500_000_000))), 600)
"""


def test_ctrl_c_during_a_run_removes_its_container(engine):
    run_id = f"test-interrupt-{backend.uuid.uuid4().hex[:6]}"
    # A Ctrl-C the child could inherit as ignored would make this test pass for the wrong reason or fail.
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED, run_id], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def measured_container_running() -> bool:
        # The measured container, not the executor's probes of its image (which carry the run's label too).
        assert child.poll() is None, child.communicate()
        try:
            return any(c.status == "running" and "runtime-lab.program" in c.labels for c in labelled(engine, run_id))
        except docker.errors.NotFound:  # a probe container went between the listing and its inspection
            return False

    wait_for(measured_container_running, "the measured container never started", timeout_s=120)
    # A Ctrl-C at any moment once the container runs must leave none behind: no sleep aims at one moment.
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=60)
    assert labelled(engine, run_id) == []  # what matters: the interrupted run left no container (of this run's label)
    assert "KeyboardInterrupt" in stderr, (child.returncode, signal.getsignal(signal.SIGINT), stdout[-500:], stderr[-500:])


def test_a_failed_build_says_why_with_the_end_of_its_log(engine, executor, tmp_path, monkeypatch):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Dockerfile").write_text(
        f"FROM {executor.images['python'].image.id}\nRUN echo the-last-words-of-the-build && exit 3\n")
    monkeypatch.setattr(images, "REPO", tmp_path)
    spec = images.ImageSpec("broken", "broken/Dockerfile", ("broken",), "broken", ())
    context, digest = images.build_context(spec, {})
    with pytest.raises(ImageBuildFailed) as failed:
        images.build_image(executor.client, spec, context, digest, {})
    assert "the-last-words-of-the-build" in str(failed.value) and "runtime-lab/broken" in str(failed.value)


def test_programs_outside_the_images_are_skipped_with_the_reason(executor):
    suite = catalogue.load(ROOT / "tests" / "suite" / "suite.toml")
    job = plan.jobs_for(list(suite.workloads.values()), "quick")[0]
    assert "--backend native" in executor.skip_reason(job)
