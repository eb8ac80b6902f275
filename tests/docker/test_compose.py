"""`python -m harness compare --backend docker` and `docker compose up`, end to end, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from harness.executors.docker import images
from harness.runtimes.toolchain import HEAP_ARGS
from tests.conftest import ROOT, only_run, run_cli
from tests.docker.conftest import labelled, run_id_of

pytestmark = pytest.mark.docker

SMALL = ["--only", "eager_lazy", "--runs", "1", "--warmup", "0", "--param", "n=20000", "--param", "iterations=2"]


@pytest.fixture(scope="module")
def cli_has_backend():
    """Kept as a name for the fixtures below; the CLI always has --backend."""


def test_compare_with_the_docker_backend_writes_docker_rows(engine, cli_has_backend, tmp_path):
    done = run_cli("compare", "--backend", "docker", "--docker-memory", "1g", *SMALL, "--out", tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    document = only_run(tmp_path)
    assert document["environment"]["backend"] == "docker"
    assert document["environment"]["lab_commit"] not in ("", "unknown")  # read from the mounted .git
    assert document["environment"]["engine_host"]["cpus"] >= 1  # the machine, not the harness's container
    assert document["environment"]["runtimes"]["java"]["image"]["tag"] == "runtime-lab/java:latest"
    assert {m["status"] for m in document["measurements"]} == {"ok"}
    assert {m["language"] for m in document["measurements"]} == {"python", "java", "node"}


def test_both_backends_give_rows_that_agree_and_an_overhead_table(engine, tmp_path):
    done = run_cli("compare", "--backend", "native,docker", "--docker-memory", "1g", "--lang", "python,node", *SMALL,
                   "--out", tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = only_run(tmp_path)["measurements"]
    assert {m["backend"] for m in rows} == {"native", "docker"}
    assert {m["status"] for m in rows} == {"ok"}
    assert len({m["checksum"] for m in rows}) == 1  # one case: a container must not change the answer
    markdown = (tmp_path / "latest" / "results.md").read_text()
    assert "## Container overhead" in markdown and "python/list [docker]" in markdown


def compose(*args, env, timeout=1200) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", "compose", "-p", "runtime-lab-test", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def compose_env(engine, cli_has_backend, tmp_path_factory):
    """The environment for `docker compose`: local bases where the engine has them, a results folder."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker client has no compose plugin; scripts/install-docker.sh installs Compose v2")
    wheels = subprocess.run([str(ROOT / "scripts" / "fetch-wheels.sh")], cwd=ROOT, capture_output=True, text=True)
    assert wheels.returncode == 0, wheels.stderr[-2000:]
    env = dict(os.environ, LAB_RESULTS=str(tmp_path_factory.mktemp("compose-results")), LAB_MEMORY="1g",
               LAB_COMPARE=" ".join(SMALL))
    for argument, name in images.local_bases(engine).items():
        env.setdefault(argument, name)
    yield env
    compose("down", "--remove-orphans", env=env, timeout=300)


def test_compose_up_exits_nonzero_and_says_failed_when_the_harness_fails(compose_env):
    # Plain `up` returns 0 whatever its containers' codes; the compose file's `succeeded` service,
    # which waits for the harness to exit 0, is what makes it fail. An unknown workload: exit 2 at once.
    done = compose("up", env=dict(compose_env, LAB_COMPARE="--only no_such_workload"))
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    assert "FAILED: the comparison exited 2: bad input or environment" in output, output[-3000:]
    assert 'service "harness" didn\'t complete successfully: exit 2' in output, output[-3000:]


IMAGES = ("python", "java", "node", "harness")


@pytest.fixture(scope="module")
def compose_runs(engine, compose_env):
    """`docker compose up` twice into one results folder: what each wrote, and the images after each.
    Every test below reads this fixture, so each runs alone as well as after the others."""

    outputs = []

    def up() -> dict:
        done = compose("up", env=compose_env)
        assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
        outputs.append(done.stdout + done.stderr)
        return {name: engine.images.get(f"runtime-lab/{name}:latest").id for name in IMAGES}

    # The first up may retag images another compose project built (compose labels an image with its
    # project); the second, with nothing changed, must leave no untagged image.
    images_after, dangling = [up()], [untagged(engine)]
    images_after.append(up())
    dangling.append(untagged(engine))
    results = Path(compose_env["LAB_RESULTS"])
    documents = [json.loads((run / "results.json").read_text()) for run in sorted((results / "runs").iterdir())]
    assert len(documents) == 2, documents
    return {"results": results, "documents": documents, "images": images_after, "dangling": dangling,
            "outputs": outputs}


def untagged(engine) -> set:
    """The ids of the engine's untagged (``<none>``) images."""
    return {image.id for image in engine.images.list(filters={"dangling": True})}


def test_compose_up_builds_runs_and_writes_the_results(compose_runs):
    document, results = compose_runs["documents"][0], compose_runs["results"]
    assert document["environment"]["backend"] == "docker"
    assert document["environment"]["rss_sampling"].startswith("from the host"), document["environment"]["rss_sampling"]
    assert {m["status"] for m in document["measurements"]} == {"ok"}
    for run in (results / "runs").iterdir():
        for name in ("results.json", "results.md", "results.csv"):
            assert (run / name).stat().st_size > 0, name
    assert "eager_lazy" in (results / "latest" / "results.md").read_text()
    assert not (results / "README.md").exists(), "a run must not write the published README"


def test_a_second_compose_up_reuses_its_images_and_leaves_no_container(engine, compose_runs):
    first, second = compose_runs["images"]
    assert second == first
    before, after = compose_runs["dangling"]
    assert after <= before, f"the second up left untagged images: {after - before}"
    for document in compose_runs["documents"]:
        assert labelled(engine, run_id_of(document)) == [], "measured containers were left behind"


def test_results_record_the_limits(compose_runs):
    for document in compose_runs["documents"]:
        assert document["environment"]["limits"]["memory_bytes"] == 1 << 30


def test_compose_up_prints_no_warning_and_the_harness_as_it_goes(compose_runs):
    for output in compose_runs["outputs"]:
        assert "level=warning" not in output and "Bake" not in output, output[:2000]
        assert "rows in 1 workloads. Reports:" in output, output[-2000:]  # the harness's lines reach compose
        assert "Done: the reports are in" in output, output[-2000:]


def test_the_python_image_has_every_package_the_programs_import(engine, compose_runs):
    done = engine.containers.run("runtime-lab/python:latest", ["python3", "-c", "import aiohttp, uvloop"],
                                 network_mode="none", remove=True, stderr=True)
    assert done == b""


def test_runtimes_record_the_same_heap_arguments_as_natively(compose_runs):
    runtimes = compose_runs["documents"][0]["environment"]["runtimes"]
    assert runtimes["java"]["heap_args"] == list(HEAP_ARGS["java"]) and runtimes["java"]["max_heap_bytes"] == 1 << 30
    assert runtimes["node"]["heap_args"] == list(HEAP_ARGS["node"])
