"""Runtime versions as a dimension: one run on two Pythons (the GIL build and free-threaded 3.13t),
two Javas and two Nodes, every version computing the same checksums.

The further versions come from `python -m harness runtimes install node@22 java@21 python@3.13t`
(.ci/run does it); without them the test is skipped, saying which are missing.
"""

import pytest

from harness import runtimes
from tests.conftest import only_run, run_cli

WANTED = {"python": "3.13t", "java": "21", "node": "22"}


@pytest.fixture(scope="module")
def versions_run(tmp_path_factory, toolchain):
    found = {language: {r.tag for r in runtimes.available(language)} for language in WANTED}
    missing = [f"{language}@{tag}" for language, tag in WANTED.items() if tag not in found[language]]
    if missing or any(language not in toolchain.runtimes for language in WANTED):
        pytest.skip(f"not installed: {' '.join(missing)} (python -m harness runtimes install {' '.join(missing)})")
    firsts = {language: toolchain.runtimes[language].tag for language in WANTED}
    if any(firsts[language] == tag for language, tag in WANTED.items()):
        pytest.skip(f"the default runtimes already are the versions wanted beside them: {firsts}")
    choices = [f"--{language}={firsts[language]},{tag}" for language, tag in WANTED.items()]
    out = tmp_path_factory.mktemp("versions")
    done = run_cli("compare", "--only", "cpu_scaling", "--out", out, "--runs", "2", "--warmup", "0", *choices,
                   "--param=chunks=8", "--param=steps=20000", "--param=threads=1,2", timeout=900)
    assert "Traceback" not in done.stderr, done.stderr
    return done, only_run(out), firsts, (out / "latest" / "results.md").read_text()


def test_every_program_ran_on_every_chosen_version_and_all_agree(versions_run):
    done, document, firsts, _ = versions_run
    assert done.returncode == 0, done.stdout[-3000:]
    rows = document["measurements"]
    for language, tag in WANTED.items():
        tags = {r["runtime"] for r in rows if r["language"] == language}
        assert tags == {firsts[language], tag}, tags
    by_case = {}
    for row in rows:
        by_case.setdefault(tuple(sorted(row["params"].items())), set()).add(row["checksum"])
    assert all(len(sums) == 1 for sums in by_case.values()), by_case


def test_the_free_threaded_build_ran_without_the_gil_and_is_judged_on_its_own(versions_run):
    _, document, _, markdown = versions_run
    free = [r for r in document["measurements"] if r.get("runtime") == "3.13t"]
    assert free and all(run["metrics"]["gil_enabled"] is False for r in free for run in r["runs"])
    assert document["environment"]["runtime_versions"]["python"]["3.13t"]["gil"] is False
    again = [v for v in document["verdicts"] if v.get("runtime") == "python3.13t"]
    assert {v["claim_id"] for v in again} >= {"C5"}
    assert "free-threaded build" in next(v for v in again if v["claim_id"] == "C5")["note"]
    assert "python3.13t/threads" in markdown and "java21/threads" in markdown and "C5 on python3.13t" in markdown
