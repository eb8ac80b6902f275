"""The swarm backend on a real single-node swarm, initialised here on 127.0.0.1 and left afterwards.

Two machines: the one node carries two machine labels (runtime-lab.machine.test-a and .test-b),
which the harness treats as two machines. Only the engine's own loopback address is used.
"""

import json
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from harness.executors.swarm import MACHINE_LABEL, SERVICE_PREFIX
from tests.conftest import ROOT, TINY_CATALOGUE, only_run, run_cli, wait_for
from tests.docker.conftest import labelled

MACHINES = ("test-a", "test-b")
MEMORY_PARAMS = [f"--param={name}={TINY_CATALOGUE[name]}" for name in ("n", "depth", "m", "iterations")]


@pytest.fixture(scope="module")
def swarm(engine):
    """A swarm this engine manages, its node labelled as two machines; afterwards the labels, every
    lab service and (if this fixture made it) the swarm itself are gone."""
    made = engine.info()["Swarm"]["LocalNodeState"] != "active"
    if made:
        engine.swarm.init(advertise_addr="127.0.0.1", listen_addr="127.0.0.1:2377")
    node = engine.nodes.get(engine.info()["Swarm"]["NodeID"])
    _label(node, {f"{MACHINE_LABEL}.{name}": "true" for name in MACHINES})
    try:
        yield engine
    finally:
        for service in engine.services.list(filters={"label": "runtime-lab=1"}):
            service.remove()
        node.reload()
        _label(node, {}, remove=[f"{MACHINE_LABEL}.{name}" for name in MACHINES])
        if made:
            engine.swarm.leave(force=True)
            assert engine.info()["Swarm"]["LocalNodeState"] == "inactive"


def _label(node, add: dict, remove=()) -> None:
    node.reload()
    spec = node.attrs["Spec"]
    labels = {key: value for key, value in (spec.get("Labels") or {}).items() if key not in remove}
    node.update({**spec, "Labels": {**labels, **add}})


def _left_behind(engine) -> list:
    services = [s.name for s in engine.services.list(filters={"label": "runtime-lab=1"})]
    return services + [c.name for c in labelled(engine) if c.name.startswith(SERVICE_PREFIX)]


def test_the_memory_family_runs_as_swarm_jobs_with_the_native_checksums(swarm, tmp_path):
    done = run_cli("compare", "--family", "memory", "--backend", "native,swarm", "--machines", "test-a", "--runs", "1",
                   "--warmup", "0", *MEMORY_PARAMS, "--out", tmp_path, timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    document = only_run(tmp_path)
    rows = document["measurements"]
    jobs = [r for r in rows if r["backend"] == "swarm@test-a"]
    assert jobs and all(r["status"] == "ok" for r in jobs), [(r["workload"], r["variant"], r["reason"]) for r in jobs]
    assert all(r["machine"] == "test-a" for r in jobs)
    native = {(r["workload"], r["language"], r["variant"], json.dumps(r["params"])): r["checksum"]
              for r in rows if r["backend"] == "native" and r["status"] == "ok"}
    compared = [(key, r["checksum"]) for r in jobs
                if (key := (r["workload"], r["language"], r["variant"], json.dumps(r["params"]))) in native]
    assert len(compared) >= len(jobs) - 2, "most swarm rows have a native twin"
    assert all(checksum == native[key] for key, checksum in compared)
    # every row's figures come from inside its job: the program's clock, the container's cgroup
    assert all(run["wall_s"] > 0 and run["cgroup_peak_bytes"] > 0 for r in jobs for run in r["runs"])
    machine = document["environment"]["backends"]["swarm@test-a"]
    assert machine["cores_available"] >= 1 and machine["kernel"] and machine["memory_total_bytes"] > 0
    assert machine["cgroup_version"] in (1, 2) and machine["cpu_model"]
    assert machine["runtimes"]["python"]["version"].startswith("3.")
    assert not _left_behind(swarm)


def test_two_machines_keep_their_rows_apart_and_a_lost_machine_fails_only_its_own(swarm, tmp_path):
    command = [sys.executable, "-m", "harness", "compare", "--backend", "swarm", "--machines", ",".join(MACHINES),
               "--only", "eager_lazy,object_footprint", "--lang", "python,node", "--runs", "3", "--warmup", "0",
               "--param=n=100000", "--param=iterations=2", "--out", str(tmp_path), "--seed", "1"]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    node = swarm.nodes.get(swarm.info()["Swarm"]["NodeID"])
    try:
        _wait_for_finished_runs(tmp_path, "swarm@test-b", child)
        _label(node, {}, remove=[f"{MACHINE_LABEL}.test-b"])  # machine B leaves mid-run
        # What B had done when it left, read after the label went: B's later runs cannot be placed.
        done_on_b = _finished_runs(tmp_path, "swarm@test-b")
        stdout, stderr = child.communicate(timeout=900)
    finally:
        if child.poll() is None:
            child.kill()
        _label(node, {f"{MACHINE_LABEL}.test-b": "true"})
    assert child.returncode == 1, stderr[-3000:]  # some rows failed: B's
    rows = only_run(tmp_path)["measurements"]
    on_a = [r for r in rows if r["backend"] == "swarm@test-a"]
    on_b = [r for r in rows if r["backend"] == "swarm@test-b"]
    assert on_a and on_b and len(on_a) == len(on_b)
    assert all(r["status"] == "ok" for r in on_a), [(r["variant"], r["reason"]) for r in on_a if r["status"] != "ok"]
    assert 0 < done_on_b < 3 * len(on_b), "B must leave with work still to do (3 runs of each of its rows)"
    lost = [r for r in on_b if r["status"] == "failed"]
    assert lost and all("machine test-b" in r["reason"] for r in lost)
    assert any(r["status"] == "ok" or r["runs"] for r in on_b), "B measured something before it left"
    report = (tmp_path / "latest" / "results.md").read_text()
    assert "Machines side by side" in report and "on test-a" in report and "on test-b" in report
    assert not _left_behind(swarm)


def _finished_runs(out: Path, backend: str) -> int:
    """How many runs of ``backend`` the results file holds now (0 before it exists)."""
    for path in out.glob("runs/*/results.json"):  # written atomically: never read half-written
        rows = json.loads(path.read_text())["measurements"]
        return sum(len(r["runs"]) for r in rows if r["backend"] == backend)
    return 0


def _wait_for_finished_runs(out: Path, backend: str, child, timeout_s: float = 600) -> None:
    """Until the results file holds a finished run of ``backend``."""

    def finished() -> bool:
        assert child.poll() is None, child.communicate()
        return _finished_runs(out, backend) > 0

    wait_for(finished, f"no run of {backend} finished in {timeout_s} s", timeout_s)


def test_a_diff_between_two_machines_of_one_run_compares_their_rows(swarm, tmp_path):
    done = run_cli("compare", "--backend", "swarm", "--machines", ",".join(MACHINES), "--only", "eager_lazy",
                   "--lang", "python", "--variant", "list", "--runs", "2", "--warmup", "0", "--param=n=100000",
                   "--param=iterations=2", "--out", tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    run = next((tmp_path / "runs").iterdir())
    compared = run_cli("diff", f"{run}@test-a", f"{run}@test-b", "--md", tmp_path / "diff.md")
    assert compared.returncode == 0, compared.stderr
    text = (tmp_path / "diff.md").read_text()
    assert "eager_lazy python/list [swarm] iterations=2 n=100000" in text
    unknown = run_cli("diff", f"{run}@test-a", f"{run}@nowhere")
    assert unknown.returncode == 2 and "no machine 'nowhere'" in unknown.stderr and "Traceback" not in unknown.stderr


def test_ctrl_c_leaves_no_service_or_container(swarm, tmp_path):
    command = [sys.executable, "-m", "harness", "compare", "--backend", "swarm", "--machines", "test-a",
               "--only", "alloc_churn", "--lang", "python", "--runs", "3", "--out", str(tmp_path)]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def job_started() -> bool:
        assert child.poll() is None, child.communicate()
        return bool(swarm.services.list(filters={"label": "runtime-lab.workload=alloc_churn"}))

    wait_for(job_started, "no swarm job started", timeout_s=300)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert not _left_behind(swarm)


def test_unknown_machines_and_swarm_options_without_swarm_are_one_line_errors(swarm, tmp_path):
    unknown = run_cli("compare", "--backend", "swarm", "--machines", "nowhere", "--only", "eager_lazy", "--out", tmp_path)
    assert unknown.returncode == 2 and "machine nowhere" in unknown.stderr and "Traceback" not in unknown.stderr
    stray = run_cli("compare", "--machines", "test-a", "--only", "eager_lazy", "--out", tmp_path)
    assert stray.returncode == 2 and "--backend swarm" in stray.stderr


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except OSError:
        return False


@pytest.fixture
def registry(tmp_path):
    """Debian's distribution registry on a free loopback port, storing under tmp_path (an engine
    trusts a registry on 127.0.0.1 over plain HTTP)."""
    binary = shutil.which("docker-registry")
    if not binary:
        pytest.skip("needs Debian's docker-registry (apt-get install docker-registry)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "registry.yml"
    config.write_text(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {tmp_path / 'store'}\n"
                      f"http:\n  addr: 127.0.0.1:{port}\n")
    server = subprocess.Popen([binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/v2/"), "the registry never answered", timeout_s=30)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_images_reach_the_nodes_through_a_registry_when_one_is_named(swarm, registry, tmp_path):
    done = run_cli("compare", "--backend", "swarm", "--machines", "test-a", "--registry", registry, "--only", "eager_lazy",
                   "--lang", "python", "--variant", "list", "--runs", "1", "--warmup", "0", "--param=n=100000",
                   "--param=iterations=2", "--out", tmp_path, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    document = only_run(tmp_path)
    assert all(r["status"] == "ok" for r in document["measurements"])
    shipped = document["environment"]["backends"]["swarm"]["swarm"]["images"]
    assert shipped["method"].startswith(f"registry {registry}") and shipped["push_s"] > 0
    assert all(name.startswith(f"{registry}/runtime-lab/python:latest-") for name in shipped["images"])
    catalog = json.loads(urllib.request.urlopen(f"http://{registry}/v2/_catalog", timeout=10).read())
    assert "runtime-lab/python" in catalog["repositories"]
    assert not [tag for image in swarm.images.list() for tag in image.tags if tag.startswith(registry)]
