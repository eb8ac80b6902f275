"""A user's own programs are measured exactly as the lab's: verified, stored, reported."""

import pytest

from tests.conftest import SUITE, only_run, require_runtime, run_cli


@pytest.fixture(scope="module")
def suite_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("suite")
    done = run_cli("compare", "--suite", SUITE, "--out", out, "--runs", "2", "--warmup", "0")
    return done, only_run(out), out


def rows(document, workload):
    return {f"{m['language']}/{m['variant']}": m for m in document["measurements"] if m["workload"] == workload}


@pytest.mark.parametrize("language", ["python", "java", "node"])
def test_each_language_of_the_suite_is_measured_and_agrees(suite_run, toolchain, language):
    require_runtime(toolchain, language)
    _, document, _ = suite_run
    row = rows(document, "triangle")[f"{language}/default"]
    assert row["status"] == "ok", row["reason"]
    assert row["checksum"] == str(1000 * 1001 // 2)
    # 2 undisturbed runs (a disturbed run is run again), unless a busy machine disturbed every repeat
    assert sum(not run["disturbed"] for run in row["runs"]) == 2 or row["stop_reason"].startswith("machine busy")
    run = row["runs"][0]
    assert run["wall_s"] > 0 and run["peak_rss_bytes"] > 1e6 and run["cpu_s"] > 0


def test_a_wrong_checksum_is_a_mismatch_and_a_crash_is_failed_while_the_rest_is_measured(suite_run):
    done, document, _ = suite_run
    broken = rows(document, "broken")
    assert broken["python/wrong"]["status"] == "mismatch"
    assert "differs from 500500" in broken["python/wrong"]["reason"]
    assert broken["python/crash"]["status"] == "failed"
    assert "boom" in broken["python/crash"]["stderr_tail"]
    assert broken["python/right"]["status"] == broken["python/right-again"]["status"] == "ok"
    assert done.returncode == 1  # some rows failed
    assert "MISMATCH broken python/wrong" in done.stdout and "FAILED broken python/crash" in done.stdout


def test_the_run_writes_its_reports_in_its_own_folder_and_points_latest_at_it(suite_run):
    _, document, out = suite_run
    run_dir = next((out / "runs").iterdir())
    assert {p.name for p in run_dir.iterdir()} >= {"results.json", "results.md", "results.csv"}
    assert (out / "latest").resolve() == run_dir.resolve()
    assert "# Runtime Lab results" in (out / "latest" / "results.md").read_text()
    assert not (out / "README.md").exists()  # only `publish` writes the published report
    assert document["schema"] == 2 and document["finished"] and "verdicts" in document
    assert set(document["environment"]["runtimes"]) >= {"python"}
