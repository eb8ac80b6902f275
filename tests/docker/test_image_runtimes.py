"""Runtimes only Debian sid's image holds (CPython 3.14, PyPy for Python 3.11, OpenJDK 25), run
with --backend docker beside the language's own image: the checksums agree, and the environment
records the version each image really has. Skipped, with the command that builds it, where the
engine has no sid base."""

import pytest

from harness.executors.docker import images
from harness.runtimes import image_runtimes
from tests.conftest import only_run, run_cli

SMALL = ["--runs", "1", "--warmup", "0", "--param", "threads=2", "--param", "steps=20000", "--param", "n=100000"]


@pytest.fixture(scope="module")
def sid_base(engine):
    if images.existing_image(engine, image_runtimes.SID_IMAGE) is None:
        pytest.skip(f"no {image_runtimes.SID_IMAGE} on this engine: scripts/build-base-images.sh sid builds it")


@pytest.mark.parametrize(("language", "names", "versions"), [
    ("python", "sid:3.14,sid:pypy", {"3.14-sid": "3.14.", "pypy-sid": "3.11."}),
    ("java", "sid:25", {"25-sid": "25"}),
])
def test_a_runtime_only_the_sid_image_holds_runs_there_and_agrees(sid_base, tmp_path, language, names, versions):
    done = run_cli("compare", "--only", "cpu_scaling,eager_lazy", "--lang", language, "--backend", "docker",
                   f"--{language}", names, *SMALL, "--out", tmp_path, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    document = only_run(tmp_path)
    rows = document["measurements"]
    assert {r["runtime"] for r in rows} == set(versions)
    checksums: dict = {}
    for row in rows:
        assert row["status"] == "ok", (row["runtime"], row["variant"], row["reason"], row["stderr_tail"][-300:])
        checksums.setdefault((row["workload"], tuple(sorted(row["params"].items()))), set()).add(row["checksum"])
    assert all(len(found) == 1 for found in checksums.values()), checksums  # every runtime and variant agrees
    environment = document["environment"]
    docker = environment.get("backends", {}).get("docker") or environment  # docker alone: its environment is the run's
    for tag, version in versions.items():
        assert docker["version_images"][f"{language}{tag}"]["tag"] == f"runtime-lab/{language}:{tag}"
        probed = docker["version_runtimes"][f"{language}{tag}"]
        assert probed["version"].startswith(version), probed  # what the image has, not what was asked
    first = next(iter(versions))  # the verdicts judge the first chosen, and the run says which version that was
    assert docker["runtimes"][language]["version"].startswith(versions[first])
    assert docker["runtimes"][language]["tag"] == first
    claim = {"python": "C5", "java": "C7"}[language]  # judged on the first chosen: its rows are found
    [verdict] = [v for v in document["verdicts"] if not v.get("runtime") and v["claim_id"] == claim]
    assert verdict["outcome"] != "Not measured", verdict
    if language == "python":
        assert docker["version_runtimes"]["pythonpypy-sid"]["implementation"] == "PyPy"
        assert docker["version_runtimes"]["pythonpypy-sid"]["implementation_version"][0].isdigit()
