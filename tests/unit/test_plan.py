"""Selecting workloads, expanding sweeps into jobs, and typing --param overrides."""

import pytest

from harness import catalogue, plan
from harness.errors import UsageError
from tests.unit.test_catalogue import GOOD, write


@pytest.fixture
def sweep(tmp_path):
    return catalogue.load(write(tmp_path, GOOD))


def test_a_sweep_becomes_one_job_per_value(sweep):
    jobs = plan.jobs_for(list(sweep.workloads.values()), "full")
    assert [dict(j.params)["n"] for j in jobs] == [10, 20]
    assert jobs[0].case != jobs[1].case


def test_overrides_are_typed_like_the_catalogue(sweep):
    jobs = plan.jobs_for(list(sweep.workloads.values()), "quick", overrides=plan.parse_overrides(["n=5,7"]))
    assert [dict(j.params)["n"] for j in jobs] == [5, 7]


def test_a_non_numeric_override_is_refused_with_an_example(sweep):
    with pytest.raises(UsageError, match="n=abc: not a number; give a number such as n=1000"):
        plan.jobs_for(list(sweep.workloads.values()), "quick", overrides={"n": "abc"})


def test_an_override_no_workload_has_is_refused(sweep):
    with pytest.raises(UsageError, match="no chosen workload has that parameter"):
        plan.jobs_for(list(sweep.workloads.values()), "quick", overrides={"depth": "3"})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"only": ["nope"]}, "unknown workload 'nope'"),
        ({"family": "nope"}, "unknown family 'nope'"),
        ({"languages": ["ruby"]}, "unknown language 'ruby'"),
    ],
)
def test_unknown_names_are_refused(sweep, kwargs, message):
    with pytest.raises(UsageError, match=message):
        plan.select(sweep, **kwargs)


def test_language_filter_keeps_only_those_programs():
    loaded = catalogue.load()
    jobs = plan.jobs_for(plan.select(loaded, only=["eager_lazy"]), "quick", languages=["node"])
    assert jobs and {j.program.language for j in jobs} == {"node"}


def test_several_runtimes_of_a_language_run_each_program_on_each_on_every_backend(sweep):
    jobs = plan.jobs_for(list(sweep.workloads.values()), "quick", backends=("native", "docker"),
                         runtime_tags={"python": ["3.11", "3.13t"]})
    native = [job for job in jobs if job.backend == "native"]
    assert [job.program.label for job in native] == ["python3.11/default", "python3.13t/default"]
    assert native[0].case == native[1].case, "versions must agree on the checksum"
    assert native[0].key != native[1].key
    assert sorted(job.program.runtime for job in jobs if job.backend == "docker") == ["3.11", "3.13t"]
