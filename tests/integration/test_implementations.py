"""One real run per other implementation (PyPy, Bun, Deno) beside its language's reference runtime:
the checksums agree, and every row and the environment record the implementation and its version."""

import pytest

from harness import runtimes
from tests.conftest import only_run, run_cli

SMALL = ["--runs", "1", "--warmup", "0", "--param", "threads=2", "--param", "steps=20000", "--param", "n=100000"]


@pytest.mark.parametrize(("language", "name"), [("python", "pypy"), ("node", "bun"), ("node", "deno")])
def test_an_implementation_runs_the_programs_of_its_language_and_agrees(tmp_path, language, name):
    if not any(r.implementation == name for r in runtimes.available(language)):
        pytest.skip(f"{name} is not here: `python -m harness runtimes install {language}@{name}`")
    reference = runtimes.available(language)[0]
    done = run_cli("compare", "--only", "cpu_scaling,eager_lazy", "--lang", language,
                   f"--{language}", f"{reference.tag},{name}", *SMALL, "--out", tmp_path)
    document = only_run(tmp_path)
    rows = document["measurements"]
    theirs = [r for r in rows if r["runtime"] == name]
    ours = {(r["workload"], r["variant"], tuple(sorted(r["params"].items()))): r for r in rows if r["runtime"] == reference.tag}
    assert theirs and len(theirs) == len(ours), done.stdout[-2000:]
    for row in theirs:
        twin = ours[(row["workload"], row["variant"], tuple(sorted(row["params"].items())))]
        assert row["status"] == twin["status"] == "ok", (row["variant"], row["reason"], row["stderr_tail"][-300:])
        assert row["checksum"] == twin["checksum"]
    described = document["environment"]["runtime_versions"][language][name]
    assert described["implementation"].lower() == name and described["version"][0].isdigit()
    assert done.returncode == 0, done.stdout[-2000:]
