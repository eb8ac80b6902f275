"""Fixtures for the docker backend's tests: an engine, or a skip that says how to get one."""

from __future__ import annotations

import json
import re

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


def run_ids(client) -> set:
    """The run ids of every lab container on the engine now."""
    return {c.labels.get(containers.RUN_LABEL) for c in labelled(client)}


def run_id_of(document: dict) -> str:
    """The docker run id a results document recorded (its environment's run_label)."""
    found = re.findall(re.escape(containers.RUN_LABEL) + r"=([\w.-]+)", json.dumps(document["environment"]))
    assert len(set(found)) == 1, found
    return found[0]
