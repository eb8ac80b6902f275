"""A program that leaves processes behind is failed, with or without a cgroup, and nothing survives it.

A child in a new session or a double-forked daemon escapes the process group; the cgroup (where
there is one) and the harness's child-subreaper role find it all the same.
"""

import sys
import uuid

import pytest

from harness.executors.native import run_measured
from harness.run.measurement import RunFailed, run_record
from tests.conftest import PROGRAMS
from tests.measure.test_native import METHODS, SUPPORT, leftovers


@pytest.mark.parametrize("support", METHODS)
@pytest.mark.parametrize("how", ["setsid", "doublefork"])
def test_an_escaped_process_fails_the_row_and_is_killed(support, how):
    from harness.executors.native import become_subreaper

    assert become_subreaper()  # what NativeExecutor does when it starts
    tag = f"lab-escape-{uuid.uuid4().hex}"
    result = run_measured([sys.executable, str(PROGRAMS / "escape.py"), how, tag], None, 30, 0.005, support)
    assert result.exit_code == 0 and result.leftovers == 1
    with pytest.raises(RunFailed, match="left 1 process running after it exited"):
        run_record(result)
    assert leftovers(tag) == []


@pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
def test_a_forking_tree_is_killed_whole_at_its_timeout():
    tag = f"lab-forker-{uuid.uuid4().hex}"
    result = run_measured([sys.executable, str(PROGRAMS / "forker.py"), tag], None, 1.5, 0.005, SUPPORT)
    assert result.timed_out
    assert leftovers(tag) == []


@pytest.mark.parametrize("support", METHODS)
def test_a_helper_that_ends_by_itself_soon_after_the_program_is_not_a_leftover(support):
    # CPython 3.14's multiprocessing forkserver and resource tracker end a moment after the program,
    # when they read EOF: given up to a second, they are gone, and the row is ok. A child that sleeps
    # on (above) is still a leftover.
    from harness.executors.native import become_subreaper

    assert become_subreaper()
    result = run_measured(["/bin/sh", "-c", "sleep 0.3 & exit 0"], None, 30, 0.005, support)
    assert result.exit_code == 0 and result.leftovers == 0
