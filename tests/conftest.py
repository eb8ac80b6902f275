"""Shared test helpers: paths, running the CLI as a user would, and runtime-based skips."""

from __future__ import annotations

import functools
import gc
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import cli, runtimes
from harness.catalogue import loader as catalogue_loader
from harness.runtimes import toolchain as toolchain_module

gc.freeze()  # numpy and the harness, just imported, live as long as the session: see pytest_collection_finish

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"
SUITE = Path(__file__).resolve().parent / "suite" / "suite.toml"


# Every test is of exactly one kind; `pytest -m unit` is what a developer runs on every change.
KINDS = ("unit", "integration", "docker", "slow")
# A test with no kind of its own takes its folder's; a folder not listed here must mark its tests.
FOLDER_KINDS = {"unit": "unit", "integration": "integration", "faults": "integration", "measure": "integration",
                "report": "integration", "docker": "docker"}
# Per-test limits by kind (pytest-timeout; the [tool.pytest.ini_options] default is for the rest).
# A test's first use of a shared fixture pays for it: a whole catalogue run, or building the images.
KIND_TIMEOUTS_S = {"unit": 60, "docker": 3600}
CATALOGUE_RUN_TIMEOUT_S = 1800


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """Under `-m unit`, leave the folders other than tests/unit uncollected: they hold no unit test
    (refused below), and importing their modules (Hypothesis, Docker) would double the run's time."""
    if config.getoption("markexpr") == "unit" and collection_path.parent == ROOT / "tests" and collection_path.is_dir():
        return collection_path.name != "unit" or None
    return None


def pytest_collection_finish(session) -> None:
    """Move everything imported so far (numpy, scipy, the harness, the test modules) out of the
    garbage collector's sight: it is never freed, and each collection, including the several that
    pytest's unraisable-exception check forces at the end, would otherwise walk all of it again."""
    gc.freeze()


def pytest_collection_modifyitems(config, items) -> None:
    """Give each test its folder's kind unless it has one, refuse a test with two kinds or with
    none, keep unit tests in tests/unit and only there, and set each kind's timeout unless the
    test sets its own."""
    for item in items:
        kinds = sorted({mark.name for mark in item.iter_markers() if mark.name in KINDS})
        folder = Path(item.path).relative_to(ROOT / "tests").parts[0]
        if (kinds == ["unit"] or (not kinds and folder == "unit")) != (folder == "unit"):
            raise pytest.UsageError(f"{item.nodeid}: unit tests live in tests/unit, and only unit tests do")
        if not kinds:
            if folder not in FOLDER_KINDS:
                raise pytest.UsageError(f"{item.nodeid}: no kind marker ({', '.join(KINDS)}) and its folder has none")
            kinds = [FOLDER_KINDS[folder]]
            item.add_marker(kinds[0])
        if len(kinds) > 1:
            raise pytest.UsageError(f"{item.nodeid}: marked {' and '.join(kinds)}; a test is of exactly one kind")
        if item.get_closest_marker("timeout") is None:
            if "catalogue_run" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.timeout(CATALOGUE_RUN_TIMEOUT_S))
            elif kinds[0] in KIND_TIMEOUTS_S:
                item.add_marker(pytest.mark.timeout(KIND_TIMEOUTS_S[kinds[0]]))


# Each runtime's answer to its version probe, by command: the same executable answers the same
# within a session.
VERSION_PROBES: dict[tuple[tuple[str, ...], str], str] = {}


@pytest.fixture(autouse=True)
def version_probes_once(request, monkeypatch) -> None:
    """In unit tests, ask each runtime for its version once a session, not at every discovery.

    Every `compare` option check discovers the toolchain (`java -version` of each JDK: 0.1 s each);
    the answers are the real ones, kept. A probe that fails is asked again.
    """
    if request.node.get_closest_marker("unit") is None:
        return
    probe = toolchain_module._run_version

    def once(command: list, language: str) -> str:
        key = (tuple(map(str, command)), language)
        if key not in VERSION_PROBES:
            VERSION_PROBES[key] = probe(command, language)
        return VERSION_PROBES[key]

    monkeypatch.setattr(toolchain_module, "_run_version", once)


def pytest_sessionfinish(session) -> None:
    """Leave out Hypothesis's end-of-run summary when no test imported Hypothesis.

    Its plugin imports Hypothesis for that summary unconditionally, and pytest rewrites the
    asserts of all of Hypothesis's modules as it does: 0.7 s of CPU, a third of `pytest -m unit`.
    A session that never imported Hypothesis ran no Hypothesis test, so the summary has nothing to say.
    """
    if "hypothesis" not in sys.modules:
        plugin = session.config.pluginmanager.get_plugin("hypothesispytest")
        if plugin is not None:
            session.config.pluginmanager.unregister(plugin)


def pytest_unconfigure(config) -> None:
    """Collect the session's garbage until none is left, then freeze what survives (matplotlib,
    the module-scoped fixtures' results): pytest's unraisable-exception check, which runs next,
    forces five full collections that would each walk all of it again (30 ms each)."""
    for _ in range(10):  # a finaliser can leave new garbage: collect until a round finds none
        if not gc.collect():
            break
    gc.freeze()


def pytest_runtest_logreport(report) -> None:
    """With LAB_RECORD_SKIPPED set (by .ci/run), append each skipped test's id to that file, so
    that CI can run exactly those again once it has installed what they need."""
    record = os.environ.get("LAB_RECORD_SKIPPED")
    if record and report.skipped:
        with open(record, "a", encoding="utf-8") as handle:
            handle.write(report.nodeid + "\n")


@functools.cache
def builtin_catalogue() -> catalogue_loader.Catalogue:
    """The lab's own catalogue, read once a session (17 ms a read): for tests that only read it."""
    return catalogue_loader.load()


def run_cli(*args, timeout=600) -> subprocess.CompletedProcess:
    """``python -m harness ARGS`` in a child process, exactly as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


@dataclass
class Done:
    """What a CLI command returned and printed, shaped like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


def main_in_process(capsys: pytest.CaptureFixture[str], *args) -> Done:
    """``harness.cli.main(ARGS)`` in this process: what ``python -m harness ARGS`` does, in
    milliseconds instead of the 0.7 s a child interpreter takes to import numpy and scipy."""
    capsys.readouterr()  # drop whatever the test printed before
    try:
        code = cli.main([str(arg) for arg in args])
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code if isinstance(exit_.code, int) else 2
    captured = capsys.readouterr()
    return Done(code, captured.out, captured.err)


def wait_for(condition, failure: str, timeout_s: float = 60) -> None:
    """Wait until ``condition()`` holds (checked every 20 ms), or fail with ``failure``: a wait on
    a state of the system, never a guess at how long something takes."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.02)


def only_run(out_dir: Path) -> dict:
    """The results.json of the single run under ``out_dir``."""
    runs = sorted((Path(out_dir) / "runs").iterdir())
    assert len(runs) == 1, runs
    return json.loads((runs[0] / "results.json").read_text())


# Tiny sizes for every workload of the catalogue at once (each name belongs to one family), so
# that one run with two runs a row serves the family tests and the claims test alike.
TINY_CATALOGUE = {
    "n": 200_000, "depth": 6, "m": 2000, "iterations": 2,  # memory: n large enough for the JVM heap counter to see
    "chunks": 8, "steps": 20000, "threads": "1,2", "waits": 2, "wait_ms": 5, "delay_ms": 10, "increments": 2000, "count": "4,8",
    "tasks": "10,100", "sleep_ms": 100, "pages": 20, "concurrency": 5,  # async clients
    "connections": "1,4", "duration_s": 0.3, "warmup_s": 0.2,  # servers
}


@pytest.fixture(scope="session")
def catalogue_run(tmp_path_factory) -> tuple[dict, str]:
    """The whole catalogue at tiny sizes, two runs a row: (its results.json, its results.md)."""
    out = tmp_path_factory.mktemp("catalogue")
    overrides = [f"--param={key}={value}" for key, value in TINY_CATALOGUE.items()]
    done = run_cli("compare", "--out", out, "--runs", "2", "--warmup", "0", *overrides, timeout=1200)
    assert "Traceback" not in done.stderr, done.stderr
    return only_run(out), (out / "latest" / "results.md").read_text()


def rows_of(run: tuple[dict, str], family: str) -> list:
    """The measurements of one family from a catalogue run."""
    return [m for m in run[0]["measurements"] if m["family"] == family]


@pytest.fixture(scope="session")
def toolchain():
    """The runtimes found on this machine."""
    return runtimes.discover()


def require_runtime(toolchain, language: str) -> None:
    """Skip, saying why, only when the language's runtime is missing."""
    if language not in toolchain.runtimes:
        pytest.skip(f"{language} runtime missing: {toolchain.missing.get(language)}")


def flawed_http_suite(path: Path, mode: str, duration_s: float) -> Path:
    """A suite of one HTTP server workload running tests/programs/servers/flawed_http.py in ``mode``."""
    path.write_text(f"""
[workloads.flawed]
family = "t"
kind = "server"
question = "Is the server's flaw ({mode}) caught?"
load = {{ generator = "http" }}
params = {{ connections = 4, duration_s = {duration_s}, warmup_s = 0.3 }}

[[workloads.flawed.programs]]
language = "python"
source = "{PROGRAMS / 'servers' / 'flawed_http.py'}"
args = {{ mode = "{mode}" }}
""")
    return path
