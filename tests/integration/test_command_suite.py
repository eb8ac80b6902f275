"""Unchanged programs in any language: the example suite agrees across four languages, and the
faults of command programs (a wrong answer, a failing build, a regex that finds nothing, a
hostile parameter) end as they should."""

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.measure import cgroup
from tests.conftest import ROOT, only_run, run_cli

EXAMPLE = ROOT / "examples" / "command-suite" / "suite.toml"
FAULTS = Path(__file__).resolve().parent.parent / "suite" / "commands" / "suite.toml"
SHELL_RAN = Path("/tmp/lab-shell-ran")
SUPPORT = cgroup.detect()


def rows(document, workload):
    return {m["language"] + "/" + m["variant"]: m for m in document["measurements"] if m["workload"] == workload}


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    done = run_cli("compare", "--suite", EXAMPLE, "--out", out, "--runs", "2", "--warmup", "0", "--param", "n=7",
                   "--param", "depth=6")
    assert "Traceback" not in done.stderr, done.stderr
    return done, only_run(out)


@pytest.mark.integration
@pytest.mark.parametrize("workload", ["fannkuch", "binarytrees"])
def test_the_example_suite_agrees_by_numbers_across_languages(example_run, toolchain, workload):
    _, document = example_run
    found = rows(document, workload)
    expected = {f"{lang}/default" for lang in toolchain.runtimes} | ({"c/default"} if shutil.which("cc") else set())
    assert expected <= set(found)
    ok = {label: row for label, row in found.items() if row["status"] == "ok"}
    assert set(ok) >= expected, {label: row["reason"] for label, row in found.items()}
    assert len({row["checksum"] for row in ok.values()}) == 1
    for row in ok.values():
        run = row["runs"][0]
        assert run["wall_s"] > 0 and run["work_s"] is None  # no lab JSON line: wall time is the figure
        # Every run has its headline peak or says why not (a C program of about 1 ms can end before the
        # first sample); a cgroup, where there is one, counts even that program.
        assert run["peak_memory_bytes"] or run["peak_memory_method"].startswith("not measured:"), run
        if SUPPORT.available:
            assert run["cgroup_peak_bytes"] > 0, row["language"]


@pytest.fixture(scope="module")
def faults_run(tmp_path_factory):
    SHELL_RAN.unlink(missing_ok=True)
    out = tmp_path_factory.mktemp("commands")
    done = run_cli("compare", "--suite", FAULTS, "--out", out, "--runs", "2", "--warmup", "0")
    return done, only_run(out)


@pytest.mark.integration
def test_a_parameter_reaches_the_program_as_one_literal_argument(faults_run):
    _, document = faults_run
    row = rows(document, "literal")["python/default"]
    assert row["status"] == "ok", row["reason"]
    printed = "a;b $(touch /tmp/lab-shell-ran) `id` *\nfixed {braces}\n"
    # The "stdout" rule, worked out here: the first 16 hex digits of the SHA-256 of the output without its final newline.
    assert row["checksum"] == hashlib.sha256(printed.rstrip("\n").encode()).hexdigest()[:16]
    assert row["command"][2] == "a;b $(touch /tmp/lab-shell-ran) `id` *"
    assert not SHELL_RAN.exists()


@pytest.mark.integration
def test_a_wrong_answer_is_a_mismatch_and_a_failed_build_fails_only_its_rows(faults_run):
    done, document = faults_run
    answers = rows(document, "answers")
    assert answers["python/right"]["status"] == answers["python/right-again"]["status"] == "ok"
    assert answers["python/wrong"]["status"] == "mismatch"
    if shutil.which("cc"):
        broken = answers["c/broken"]
        assert broken["status"] == "failed" and broken["reason"].startswith("build failed")
        assert "broken.c" in broken["reason"] and broken["command"][0] == "cc"
    assert done.returncode == 1


@pytest.mark.integration
def test_a_regex_that_matches_nothing_is_a_mismatch_showing_the_output(faults_run):
    _, document = faults_run
    row = rows(document, "pattern")["python/default"]
    assert row["status"] == "mismatch" and "the output began: 'the sum of 1..10 is 55'" in row["reason"]


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="GNU time missing (apt-get install time)")
@pytest.mark.parametrize("language", ["python", "c"])
def test_the_peak_of_an_unchanged_program_agrees_with_gnu_time(tmp_path, toolchain, language):
    # Deterministic memory only: a JIT runtime's heap peak differs from one process to the next by
    # 10 % and more (when its collector runs), which would be compared here, not the two tools.
    if language == "c" and not shutil.which("cc"):
        pytest.skip("no C compiler")
    out = tmp_path / "out"
    done = run_cli("compare", "--suite", EXAMPLE, "--only", "binarytrees", "--lang", language, "--out", out,
                   "--runs", "1", "--warmup", "0", "--param", "depth=17")
    assert done.returncode == 0, done.stdout + done.stderr
    run = only_run(out)["measurements"][0]["runs"][0]
    command = only_run(out)["measurements"][0]["command"]
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=EXAMPLE.parent, capture_output=True, text=True, check=True)
    gnu_time_bytes = int(timed.stderr.strip().splitlines()[-1]) * 1024
    # GNU time's figure also holds its own pre-exec image (about 1.3 MiB): the absolute slack.
    assert run["peak_rss_bytes"] == pytest.approx(gnu_time_bytes, rel=0.05, abs=2 * 2**20)
