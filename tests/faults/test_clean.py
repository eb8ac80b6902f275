"""`clean` removes the run cgroups of harnesses that are gone, and keeps those of a running one."""

import os

import pytest

from harness.cli import main
from harness.measure import cgroup

pytestmark = pytest.mark.integration
SUPPORT = cgroup.detect()


@pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
def test_clean_removes_only_the_cgroups_whose_harness_is_gone(capsys):
    parent = next(iter(SUPPORT.parents.values()))
    dead = parent / "run-999999-deadbeef"  # no process has pid 999999 (pid_max is lower)
    mine = parent / f"run-{os.getpid()}-livebeef"
    dead.mkdir()
    mine.mkdir()
    try:
        assert main(["clean"]) == 0
        assert not dead.exists() and mine.exists()
        assert "removed 1 stale run cgroup folder" in capsys.readouterr().out
    finally:
        for path in (dead, mine):
            if path.exists():
                path.rmdir()
