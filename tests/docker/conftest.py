"""Fixtures for the docker backend's tests: an engine, or a skip that says how to get one."""

from __future__ import annotations

import pytest

from harness.errors import EngineUnavailable
from harness.executors.docker import containers
from harness.executors.docker import executor as backend


def engine_or_skip():
    """A client for a running engine; skip (only) when none answers."""
    try:
        return backend.connect(timeout_s=300)
    except EngineUnavailable as error:
        pytest.skip(f"no Docker engine can be reached here ({error}); scripts/install-docker.sh installs and starts one")


@pytest.fixture(scope="session")
def engine():
    """The Docker SDK client of the running engine."""
    client = engine_or_skip()
    yield client
    client.close()


@pytest.fixture(scope="session")
def executor(engine):
    """A DockerExecutor with all three images (built or reused) and modest limits."""
    executor = backend.DockerExecutor(memory="1g", pids=4096, run_id=f"test-{backend.uuid.uuid4().hex[:8]}")
    yield executor
    executor.close()


def labelled(client, run_id=None) -> list:
    """Every container (running or not) carrying the lab's label, or one run's label."""
    label = f"{containers.RUN_LABEL}={run_id}" if run_id else f"{containers.LABEL}=1"
    return client.containers.list(all=True, filters={"label": [label]})
