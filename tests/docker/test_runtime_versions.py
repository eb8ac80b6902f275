"""Runtime versions in containers: a row of a chosen version runs in its version's image
(runtime-lab/node:22), which holds the same runtime as natively, so the container-overhead table
compares them."""

import pytest

from harness import runtimes
from tests.conftest import only_run, run_cli


def test_a_chosen_node_version_runs_in_the_container_on_the_same_binary(engine, tmp_path, toolchain):
    if "node" not in toolchain.runtimes or "22" not in {r.tag for r in runtimes.available("node")}:
        pytest.skip("needs node and node@22 (python -m harness runtimes install node@22)")
    first = toolchain.runtimes["node"].tag
    if first == "22":
        pytest.skip("the default node already is 22")
    done = run_cli("compare", "--only", "eager_lazy", "--lang", "node", f"--node={first},22", "--backend", "native,docker",
                   "--out", tmp_path, "--runs", "1", "--warmup", "0", "--param=n=100000", "--param=iterations=2",
                   timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    document = only_run(tmp_path)
    in_containers = [r for r in document["measurements"] if r["backend"] == "docker"]
    assert {r["runtime"] for r in in_containers} == {first, "22"}
    docker = document["environment"]["backends"]["docker"]
    assert docker["version_images"]["node22"]["tag"] == "runtime-lab/node:22"
    assert docker["version_runtimes"]["node22"]["version"].startswith("22.")
    markdown = (tmp_path / "latest" / "results.md").read_text()
    assert "node22/array [docker]" in markdown.split("## Container overhead")[1]
