"""Shared test helpers: paths, running the CLI as a user would, and runtime-based skips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import runtimes

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"
SUITE = Path(__file__).resolve().parent / "suite" / "suite.toml"


def run_cli(*args, timeout=600) -> subprocess.CompletedProcess:
    """``python -m harness ARGS`` in a child process, exactly as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def only_run(out_dir: Path) -> dict:
    """The results.json of the single run under ``out_dir``."""
    runs = sorted((Path(out_dir) / "runs").iterdir())
    assert len(runs) == 1, runs
    return json.loads((runs[0] / "results.json").read_text())


@pytest.fixture(scope="session")
def toolchain():
    """The runtimes found on this machine."""
    return runtimes.discover()


def require_runtime(toolchain, language: str) -> None:
    """Skip, saying why, only when the language's runtime is missing."""
    if language not in toolchain.runtimes:
        pytest.skip(f"{language} runtime missing: {toolchain.missing.get(language)}")


def compare_once(tmp_path_factory, name: str, selection: list, params: dict) -> tuple[list, str]:
    """One measured run of the selected workloads at ``params``: (measurements, its results.md)."""
    out = tmp_path_factory.mktemp(name)
    overrides = [f"--param={key}={value}" for key, value in params.items()]
    done = run_cli("compare", *selection, "--out", out, "--runs", "1", "--warmup", "0", *overrides)
    assert "Traceback" not in done.stderr, done.stderr
    return only_run(out)["measurements"], (out / "latest" / "results.md").read_text()
