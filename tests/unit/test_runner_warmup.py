"""Warm-ups: one per program, not one per row (issue 28, point 7).

A run is a fresh process, so a warm-up can only warm the machine's caches of a program's files,
which every row of the program shares: warming each row of quick cost 74 s.
"""

import pytest

from harness.executors.fake import FakeExecutor, label
from harness.plan.jobs import Job
from tests.conftest import builtin_catalogue
from tests.unit.test_runner_rounds import options, run

pytestmark = pytest.mark.unit


def sized_jobs(sizes, programs=2):
    """Each of the first ``programs`` programs of alloc_churn at each of ``sizes``."""
    workload = builtin_catalogue().workloads["alloc_churn"]
    return [Job(workload, program, (("n", size),)) for program in workload.programs[:programs] for size in sizes]


def test_each_program_is_warmed_up_once_on_its_first_row():
    planned = sized_jobs([1, 2, 3])
    fake = FakeExecutor()
    done, _ = run(planned, fake, options(min_runs=3, max_runs=3, warmup=1))
    names = [label(job) for job in planned]
    calls = {name: fake.calls.count(name) for name in names}
    firsts = {names[0], names[3]}  # n=1 of each program
    assert calls == {name: 4 if name in firsts else 3 for name in names}
    assert all(len(m.runs) == 3 for m in done.values())


def test_two_warm_up_rounds_warm_each_program_twice():
    planned = sized_jobs([1, 2], programs=1)
    fake = FakeExecutor()
    run(planned, fake, options(min_runs=2, max_runs=2, warmup=2))
    assert [fake.calls.count(label(job)) for job in planned] == [4, 2]
