"""Servers and clients in containers: each beside its helpers in one private network namespace, nothing else."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys

import pytest

from harness import catalogue, plan
from harness.executors.docker import containers
from harness.executors.docker import executor as backend
from harness.run import lifecycle
from tests.conftest import ROOT, only_run, run_cli, wait_for
from tests.docker.conftest import labelled, run_id_of, run_ids

pytestmark = pytest.mark.docker

CATALOGUE = catalogue.load()
SERVERS = sorted(name for name, w in CATALOGUE.workloads.items() if w.kind == "server")
CLIENTS = sorted(name for name, w in CATALOGUE.workloads.items() if w.kind == "client")
TINY_LOAD = ["--param", "connections=16", "--param", "duration_s=1", "--param", "warmup_s=0.3",
             "--param", "pages=60", "--param", "concurrency=20", "--param", "iterations=1"]


@pytest.fixture(scope="module")
def served(engine, tmp_path_factory):
    """Every server and client workload, once per program, in containers through the CLI."""
    out = tmp_path_factory.mktemp("docker-servers")
    done = run_cli("compare", "--backend", "docker", "--docker-memory", "1g", "--only", ",".join(SERVERS + CLIENTS),
                   "--runs", "1", "--warmup", "0", *TINY_LOAD, "--out", out, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    document = only_run(out)
    # This run's containers only: other runs may share the engine.
    return {"document": document, "stdout": done.stdout, "left": len(labelled(engine, run_id_of(document)))}


@pytest.mark.parametrize("language", ["python", "java", "node"])
@pytest.mark.parametrize("workload", SERVERS + CLIENTS)
def test_every_server_and_client_runs_in_every_language_in_containers(served, workload, language):
    rows = [m for m in served["document"]["measurements"] if m["workload"] == workload and m["language"] == language]
    assert rows, f"no {language} row for {workload}"
    if all(m["reason"].startswith("not applicable:") for m in rows):
        # A language with no honest equivalent (Node has no blocking socket read), said in the row.
        pytest.skip(f"{workload} has no {language} program: {rows[0]['reason']}")
    ran = [m for m in rows if m["status"] != "skipped"]
    assert ran, [m["reason"] for m in rows]
    for row in ran:
        assert row["status"] == "ok", f"{row['variant']}: {row['reason']}\n{row['stderr_tail']}"
        assert row["backend"] == "docker"
    for row in rows:  # what does not run says why: a package the image does not carry
        assert row["status"] == "ok" or "not available" in row["reason"], row["reason"]


def test_servers_are_measured_over_the_load_window(served):
    rows = [m for m in served["document"]["measurements"] if m["workload"] in SERVERS and m["status"] == "ok"]
    assert rows
    for row in rows:
        run = row["runs"][0]
        assert run["load"]["generator"] == "loadgen" and run["load"]["errors"] == 0
        assert run["requests_per_s"] > 100 and run["latency_p99_us"] > 0
        assert run["cpu_s"] > 0 and run["wall_s"] < 10  # the window, not the container's whole life
        assert run["leftover_processes"] == 0


def test_every_server_answers_the_probe_alike(served):
    for workload in SERVERS:
        sums = {m["checksum"] for m in served["document"]["measurements"]
                if m["workload"] == workload and m["status"] == "ok"}
        assert len(sums) == 1, (workload, sums)


def test_the_environment_says_how_servers_are_networked_and_loaded(served):
    env = served["document"]["environment"]
    assert "network namespace" in env["network"]
    assert env["helpers_image"]["tag"] == "runtime-lab/helpers:latest"
    assert env["load_generator"]["http"].startswith("lab loadgen")  # wrk is not in the helpers image


def test_no_container_is_left_behind(served):
    assert served["left"] == 0


@pytest.fixture
def helper_executor(engine):
    executor = backend.DockerExecutor(["python"], client=engine, memory="512m", helpers=True,
                                      run_id=f"test-net-{backend.uuid.uuid4().hex[:8]}")
    yield executor
    executor.close()


def echo_job() -> plan.Job:
    workload = CATALOGUE.workloads["tcp_echo"]
    program = next(p for p in workload.programs if p.language == "python")
    return plan.Job(workload, program, (("connections", 1), ("duration_s", 1), ("size", 64), ("warmup_s", 0)),
                    backend="docker")


def test_a_server_has_no_network_but_the_loopback_it_shares_with_its_neighbour(helper_executor):
    server = helper_executor.start(echo_job(), {"mode": "streams", "port": 0})
    neighbour = None
    try:
        port = lifecycle.wait_ready(server, "tcp_echo python")
        neighbour = helper_executor.neighbour(server)
        assert server.container.attrs["HostConfig"]["NetworkMode"] == "none"
        neighbour.container.reload()
        assert neighbour.container.attrs["HostConfig"]["NetworkMode"] == f"container:{server.container.id}"
        answer, exit_code, _ = neighbour.run("probe", ["echo", str(port)], 20)
        assert exit_code == 0 and json.loads(answer.splitlines()[-1])["checksum"]
        _, devices = neighbour.container.exec_run(["cat", "/proc/net/dev"])
        names = {line.split(":")[0].strip() for line in devices.decode().splitlines()[2:]}
        assert names == {"lo"}
    finally:
        if neighbour:
            neighbour.close()
        result = server.stop()
    # SIGTERM reached the server through the wrapper: it stopped by itself, within the grace period.
    assert not result.timed_out and result.exit_code in (0, 143), result.stderr[-500:]
    assert labelled(helper_executor.client, helper_executor.run_id) == []


def test_a_client_fixture_outside_the_helpers_image_is_skipped_with_the_reason(helper_executor, tmp_path):
    workload = CATALOGUE.workloads[CLIENTS[0]]
    moved = plan.Job(dataclasses.replace(workload, fixture=tmp_path / "mine.py"), workload.programs[0], (),
                     backend="docker")
    assert "harness/fixtures" in helper_executor.skip_reason(moved)


def test_ctrl_c_during_a_load_window_leaves_no_container(engine, tmp_path):
    before = run_ids(engine)
    command = [sys.executable, "-m", "harness", "compare", "--backend", "docker", "--only", "tcp_echo", "--lang", "python",
               "--runs", "1", "--warmup", "0", "--param", "connections=1", "--param", "duration_s=60",
               "--out", str(tmp_path)]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    found = []  # the run id of a neighbour container that was not there before this harness started

    def neighbour_started() -> bool:
        assert child.poll() is None, child.communicate()
        found[:] = [c.labels.get(containers.RUN_LABEL) for c in engine.containers.list(filters={"label": "runtime-lab.helper=neighbour"})
                    if c.labels.get(containers.RUN_LABEL) not in before]
        return bool(found)

    wait_for(neighbour_started, "the load generator's neighbour never started", timeout_s=180)
    run_id = found[0]
    assert len(labelled(engine, run_id)) >= 2, "the server and its neighbour never ran together"
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=90)
    assert child.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert labelled(engine, run_id) == []
