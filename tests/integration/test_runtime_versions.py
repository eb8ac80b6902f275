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
    # Steps enough for a threads=2 run to keep two cores busy for a while, beyond start-up.
    done = run_cli("compare", "--only", "cpu_scaling,eager_lazy", "--out", out, "--runs", "2", "--warmup", "0", *choices,
                   "--param=chunks=16", "--param=steps=200000", "--param=threads=1,2", "--param=n=100000",
                   "--param=iterations=2", timeout=900)
    assert "Traceback" not in done.stderr, done.stderr
    return done, only_run(out), firsts, (out / "latest" / "results.md").read_text()


def test_every_program_ran_on_every_chosen_version_and_all_agree(versions_run):
    done, document, firsts, _ = versions_run
    assert done.returncode == 0, done.stdout[-3000:]
    rows = document["measurements"]
    for language, tag in WANTED.items():
        tags = {r["runtime"] for r in rows if r["language"] == language}
        assert tags == {firsts[language], tag}, tags
    assert all(row["status"] in ("ok", "skipped") for row in rows)
    by_case = {}
    for row in rows:
        by_case.setdefault((row["workload"], tuple(sorted(row["params"].items()))), set()).add(row["checksum"])
    assert all(len(sums - {None}) == 1 for sums in by_case.values()), by_case


def test_the_free_threaded_build_ran_without_the_gil_and_is_judged_on_its_own(versions_run):
    _, document, _, markdown = versions_run
    free = [r for r in document["measurements"] if r.get("runtime") == "3.13t"]
    assert free and all(run["metrics"]["gil_enabled"] is False for r in free for run in r["runs"])
    assert document["environment"]["runtime_versions"]["python"]["3.13t"]["gil"] is False
    again = [v for v in document["verdicts"] if v.get("runtime") == "python3.13t"]
    assert {v["claim_id"] for v in again} >= {"C5"}
    assert "free-threaded build" in next(v for v in again if v["claim_id"] == "C5")["note"]
    assert "python3.13t/threads" in markdown and "java21/threads" in markdown and "C5 on python3.13t" in markdown


def test_free_threaded_python_threads_run_on_two_cores_at_once(versions_run):
    _, document, firsts, _ = versions_run

    def threads_at_2(tag):
        return next(r for r in document["measurements"] if r.get("runtime") == tag and r["workload"] == "cpu_scaling"
                    and r["variant"] == "threads" and r["params"]["threads"] == 2)

    def busy_cores(row):  # CPU seconds per wall second, the median run's
        return sorted(run["cpu_s"] / run["wall_s"] for run in row["runs"])[len(row["runs"]) // 2]

    free, gil = threads_at_2("3.13t"), threads_at_2(firsts["python"])
    assert all(run["threads_peak"] >= 3 for run in free["runs"]), "the main thread and two workers, seen at once"
    # Under the GIL two threads keep about one core busy; without it, more (the same load for both,
    # interleaved in one run, so the comparison holds on a busy machine too).
    assert busy_cores(free) > busy_cores(gil), (busy_cores(free), busy_cores(gil))
