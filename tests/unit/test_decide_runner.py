"""The claims drive the sampling (issue 28, point 1), with a FakeExecutor: no process is started.

C5's rows (Python threads at 1 and 2 workers, steps as the quick profile sweeps them) get runs
beyond the minimum until the judge decides their predicate; a row no claim needs stops by the
±target rule, and gets its extra runs only after the claims' rows are done.
"""

from __future__ import annotations

import pytest

from harness.executors.fake import FakeExecutor, Scripted, label
from harness.judge import decide
from harness.plan.jobs import Job
from harness.run import runner
from tests.conftest import builtin_catalogue

CPU = builtin_catalogue().workloads["cpu_scaling"]
LOCKS = builtin_catalogue().workloads["lock_contention"]
NOISE = (1.0, 1.06, 0.95, 1.03, 0.98, 1.04, 0.96, 1.01, 0.99, 1.05)  # each run's factor, ±6 %


def program(workload, language, variant):
    return next(p for p in workload.programs if (p.language, p.variant) == (language, variant))


def threads_jobs():
    """C5's rows of Python threads: at 1 and 2 workers, at the quick profile's steps."""
    threads = program(CPU, "python", "threads")
    return [Job(CPU, threads, (("steps", 20_000), ("threads", count)), "native") for count in (1, 2)]


def unclaimed_job():
    """A row no claim judges: lock_contention is no claim's workload."""
    return Job(LOCKS, LOCKS.programs[0], (("threads", 2),), "native")


def noisy(time_s, spread=NOISE):
    return [Scripted(work_s=time_s * factor) for factor in spread]


class Store:
    """A store with the environment the judge reads (two cores), keeping nothing."""

    document = {"environment": {"cores_available": 2}}

    def save(self, measurements, finished=False):
        pass


def options(**chosen):
    defaults = dict(min_runs=3, max_runs=10, warmup=0, timeout_s=10.0, profile="quick", seed=3, target=0.5,
                    row_budget_s=1000.0)
    return runner.RunOptions(**{**defaults, **chosen})


def run(planned, fake, chosen):
    done = runner.run_all(planned, fake, Store(), chosen, progress=lambda *a: None)
    return {label(m.job): m for m in done}


def test_an_undecided_claims_rows_get_runs_until_it_is_decided():
    planned = threads_jobs()
    one, two = (label(job) for job in planned)
    fake = FakeExecutor({one: noisy(1.0), two: noisy(1.0, NOISE[::-1])})  # no speedup: C5's "< 1.2" holds
    done = run(planned, fake, options())
    # ±50 % would stop both rows at 3 runs. The rows are compared independently: the exact
    # Mann–Whitney interval decides from 6 runs a row at Holm's 5 %/2 under the 3..10 design.
    assert [len(done[name].runs) for name in (one, two)] == [6, 6]
    assert [run.get("for_claim") for run in done[one].runs] == [None] * 3 + ["C5"] * 3
    assert "interval within" in done[one].stop_reason


def test_rows_of_decided_claims_and_unclaimed_rows_stop_by_the_target():
    planned = [*threads_jobs(), unclaimed_job()]
    fake = FakeExecutor({label(job): noisy(1.0) for job in planned})
    done = run(planned, fake, options())
    assert len(done[label(planned[2])].runs) == 3
    assert not any(run.get("for_claim") for run in done[label(planned[2])].runs)


def test_noisy_rows_get_extra_runs_only_after_the_claims_rows():
    planned = [*threads_jobs(), unclaimed_job()]
    unclaimed = label(planned[2])
    wild = (1.0, 3.0, 0.3, 2.0, 0.5, 1.5, 0.7, 2.5, 0.4, 1.2)
    fake = FakeExecutor({label(planned[0]): noisy(1.0), label(planned[1]): noisy(1.0), unclaimed: noisy(1.0, wild)})
    done = run(planned, fake, options(target=0.05))
    last_claim_run = max(_call_index(fake.calls, name, index) for name, m in done.items()
                         for index, run in enumerate(m.runs) if run.get("for_claim"))
    extra = [i for i, name in enumerate(fake.calls) if name == unclaimed][3:]
    assert last_claim_run > 0 and extra and min(extra) > last_claim_run, fake.calls
    assert len(done[unclaimed].runs) == 10


def _call_index(calls, name, index):
    """Where in the order of calls the ``index``-th run of ``name`` started."""
    return [i for i, called in enumerate(calls) if called == name][index]


def test_a_claims_rows_stop_at_max_runs_undecided(monkeypatch):
    monkeypatch.setattr(decide, "FUTILITY_MARGIN", float("inf"))  # the futility stop: test_decide_futility.py
    planned = threads_jobs()
    one, two = (label(job) for job in planned)
    # a speedup of 1.2 exactly: the threshold itself, never decided
    fake = FakeExecutor({one: noisy(1.2), two: noisy(1.0, NOISE[::-1])})
    done = run(planned, fake, options(max_runs=7))
    assert [len(done[name].runs) for name in (one, two)] == [7, 7]
    assert done[one].stop_reason == "--max-runs 7 reached"


def test_the_row_budget_stops_a_claims_rows():
    planned = threads_jobs()
    fake = FakeExecutor({label(job): noisy(1.0) for job in planned})
    done = run(planned, fake, options(row_budget_s=4.0))
    assert all(len(m.runs) == 4 and "row time budget" in m.stop_reason for m in done.values())


def test_the_undecided_claims_come_most_promising_first():
    planned = threads_jobs()
    rows = []
    for job, time_s in zip(planned, (1.0, 1.0)):
        runs = [{"work_warm_s": time_s * f, "round": i} for i, f in enumerate(NOISE[:4])]
        rows.append({"workload": "cpu_scaling", "language": "python", "variant": "threads", "backend": "native",
                     "params": dict(job.params), "status": "ok", "runs": runs})
    found = decide.undecided({"measurements": rows, "environment": {"cores_available": 2},
                              "options": {"min_runs": 3, "max_runs": 10}})
    assert [p.claim_id for p in found] == ["C5"]
    assert found[0].needs("cpu_scaling", "python", "threads", {"steps": 20_000, "threads": 2})
    assert not found[0].needs("cpu_scaling", "python", "threads", {"steps": 20_000, "threads": 3})


@pytest.mark.parametrize("max_runs,warned", [(3, True), (10, False)])
def test_a_max_runs_too_low_to_decide_is_warned_about_once(capsys, max_runs, warned):
    planned = threads_jobs()
    run(planned, FakeExecutor(), options(min_runs=3, max_runs=max_runs))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(lines) == (1 if warned else 0)
    if warned:
        assert f"--max-runs {max_runs} is too few" in lines[0]


def test_a_judge_that_fails_leaves_the_target_rule_with_one_warning(capsys):
    churn = builtin_catalogue().workloads["alloc_churn"]
    planned = [Job(churn, churn.programs[0], (("depth", 14),), "native")]  # C4 reads per-iteration work times,
    done = run(planned, FakeExecutor(), options())  # which the fake's single number is not
    assert len(done[label(planned[0])].runs) == 3
    assert capsys.readouterr().err.count("claims no longer guide the extra runs") == 1


def test_min_runs_below_what_the_method_needs_is_a_one_line_error():
    from harness import cli
    from harness.errors import UsageError

    with pytest.raises(UsageError, match=r"^--min-runs 1 is below the 2 runs per row that the sequential interval needs"):
        cli.parse(["compare", "--min-runs", "1"])
    _, chosen = cli.parse(["compare", "--runs", "1"])  # a quick look stays possible, with the warning
    assert (chosen.runs.min_runs, chosen.runs.max_runs) == (1, 1)
    assert decide.sampling_warning(1, 1).startswith("warning: --max-runs 1 is too few")


def test_a_claim_still_undecided_after_the_minimum_keeps_its_rows_unsettled_for_the_live_answers():
    """The live answers judge a claim once its rows are settled: after the minimum round C5 is still
    undecided (3 runs cannot decide), so its workload must not be told settled, or the panel shows
    an Inconclusive that more runs then overturn."""
    planned = threads_jobs()
    fake = FakeExecutor({label(job): noisy(1.0) for job in planned})
    calls = []

    class Progress:
        def __call__(self, *args):
            pass

        def settled(self, document, unsettled):
            calls.append((sorted({m["workload"] for m in document["measurements"]}), set(unsettled)))

    class Kept(Store):
        def save(self, measurements, finished=False):
            self.document = {**Store.document, "measurements": [m.to_record() for m in measurements]}

    runner.run_all(planned, fake, Kept(), options(), progress=Progress())
    assert calls[0][1] == {"cpu_scaling"} and calls[0][0] == []
    settled_at = next(i for i, (_, unsettled) in enumerate(calls) if not unsettled)
    assert settled_at == len(calls) - 1, "cpu_scaling settles only once C5 is decided"
    assert all(unsettled == {"cpu_scaling"} for _, unsettled in calls[:-1])
