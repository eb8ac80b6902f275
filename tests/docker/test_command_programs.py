"""Command programs in containers: unchanged programs run in their language's image (C in the image
the suite names), with the suite folder as their working directory and the build mounted beside it,
and print the same numbers as natively."""

import pytest

from harness.executors.docker.images import existing_image
from tests.conftest import ROOT, only_run, run_cli

SUITE = ROOT / "examples" / "command-suite" / "suite.toml"


def test_the_command_suite_runs_in_containers_and_agrees_with_native(engine, tmp_path):
    if existing_image(engine, "runtime-lab/base-cc:trixie") is None:
        pytest.skip("no runtime-lab/base-cc:trixie image for the C rows: scripts/build-base-images.sh builds it")
    done = run_cli("compare", "--suite", SUITE, "--backend", "native,docker", "--out", tmp_path, "--runs", "1",
                   "--warmup", "0", "--param", "n=7", "--param", "depth=8", timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    rows = only_run(tmp_path)["measurements"]
    in_containers = [r for r in rows if r["backend"] == "docker"]
    assert {r["language"] for r in in_containers} == {"python", "java", "node", "c"}
    assert all(r["status"] == "ok" for r in rows), [(r["language"], r["backend"], r["reason"]) for r in rows if r["status"] != "ok"]
    java = next(r for r in in_containers if r["language"] == "java")
    assert java["command"][:2] == ["java", "-cp"] and "/lab/build" in java["command"]
    assert leftovers_none(engine)


def test_a_command_program_in_a_language_without_an_image_is_skipped_saying_what_to_add(engine, tmp_path):
    suite = tmp_path / "suite.toml"
    suite.write_text('[workloads.w]\nfamily = "f"\nquestion = "q?"\nparams = { n = 1 }\n'
                     '[[workloads.w.programs]]\nlanguage = "shell"\ncommand = ["echo", "{n}"]\n')
    done = run_cli("compare", "--suite", suite, "--backend", "docker", "--out", tmp_path / "out", "--runs", "1", "--warmup", "0")
    [row] = only_run(tmp_path / "out")["measurements"]
    assert row["status"] == "skipped" and 'give the program image = "NAME"' in row["reason"], row
    assert done.returncode == 0


def leftovers_none(engine) -> bool:
    return not engine.containers.list(all=True, filters={"label": ["runtime-lab=1"]})
