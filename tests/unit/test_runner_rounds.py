"""The runner with a FakeExecutor: rounds, the stopping rule, lanes, Ctrl-C, and a row whose run raises.

No process is started: each run returns a scripted result in microseconds.
"""

from __future__ import annotations

import errno
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from harness.executors.base import Failure
from harness.executors.fake import FakeExecutor, Scripted, label
from harness.plan.jobs import Job
from harness.results.model import Status
from harness.run import runner
from harness.run.lifecycle import Lifecycle, Pinning
from tests.conftest import builtin_catalogue


@dataclass
class Cued(FakeExecutor):
    """A FakeExecutor whose runs wait on one another's events instead of sleeping: ``cue(name, entry)``
    is called in the run's own thread as each run starts, and ``stopped`` is set once the runner stops it.
    A wait that times out raises, which fails the run's row, so a test never passes by waiting long enough."""

    cue: Callable[[str, Scripted], None] = lambda name, entry: None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.stopped = threading.Event()

    def _play(self, entry, name):
        self.cue(name, entry)
        return super()._play(entry, name)

    def stop(self) -> None:
        self.stopped.set()
        super().stop()


def awaited(event: threading.Event, what: str) -> None:
    """Wait for ``event``; raise (failing the waiting run) if it never comes."""
    if not event.wait(10):
        raise TimeoutError(f"never happened: {what}")


def jobs(count=3, backends=("native",)):
    """``count`` batch jobs of a time-keyed workload on each backend."""
    workload = builtin_catalogue().workloads["alloc_churn"]
    programs = workload.programs[:count]
    return [Job(workload, program, (("n", 1),), backend) for backend in backends for program in programs]


def options(**chosen):
    defaults = dict(min_runs=3, max_runs=6, warmup=0, timeout_s=10.0, profile="quick", seed=0, target=0.05,
                    row_budget_s=100.0)
    return runner.RunOptions(**{**defaults, **chosen})


class Store:
    """Keeps what the runner saved: the number of saves and whether the last one was final."""

    def __init__(self):
        self.saves, self.finished = 0, False

    def save(self, measurements, finished=False):
        self.saves += 1
        self.finished = finished


def run(planned, fake, chosen, lane=None, through_lifecycle=True):
    """run_all over ``planned``; through a Lifecycle (as Backends does) unless the fake must be stopped."""
    lifecycle = Lifecycle(fake, planned, Pinning(None, None)) if through_lifecycle else fake
    store = Store()
    done = runner.run_all(planned, lifecycle, store, chosen, progress=lambda *a: None, lane=lane)
    return {label(m.job): m for m in done}, store


def test_rounds_interleave_the_rows_in_an_order_shuffled_by_the_seed():
    planned = jobs(3)
    names = [label(job) for job in planned]
    fake = FakeExecutor()
    run(planned, fake, options(min_runs=3, max_runs=3, seed=11))
    rounds = [fake.calls[i:i + 3] for i in range(0, 9, 3)]
    assert all(sorted(one) == sorted(names) for one in rounds)  # every row once per round
    expected = []
    for index in range(3):
        order = list(names)
        random.Random(11 + index).shuffle(order)
        expected.append(order)
    assert rounds == expected
    again = FakeExecutor()
    run(planned, again, options(min_runs=3, max_runs=3, seed=11))
    assert again.calls == fake.calls
    other = FakeExecutor()
    run(planned, other, options(min_runs=3, max_runs=3, seed=12))
    assert other.calls != fake.calls


def test_a_stable_row_stops_once_its_interval_is_within_the_target():
    planned = jobs(1)
    done, store = run(planned, FakeExecutor(), options())
    row = done[label(planned[0])]
    assert len(row.runs) == 3 and "within ±5%" in row.stop_reason
    assert row.status == Status.OK and store.finished


def test_a_noisy_row_runs_until_its_maximum():
    planned = jobs(1)
    noisy = [Scripted(work_s=t) for t in (0.1, 0.2, 0.05, 0.3, 0.1, 0.25, 0.1, 0.1)]
    done, _ = run(planned, FakeExecutor({label(planned[0]): noisy}), options())
    row = done[label(planned[0])]
    assert len(row.runs) == 6 and "--max-runs 6" in row.stop_reason


def test_a_noisy_row_stops_when_its_time_budget_is_spent():
    planned = jobs(1)
    noisy = [Scripted(work_s=t) for t in (4.0, 8.0, 2.0, 6.0, 3.0, 7.0)]
    done, _ = run(planned, FakeExecutor({label(planned[0]): noisy}), options(row_budget_s=12.0))
    row = done[label(planned[0])]
    assert len(row.runs) == 3 and row.stop_reason == "row time budget of 12 s spent after 3 runs"


def test_two_lanes_run_at_the_same_time():
    planned = jobs(2, backends=("swarm@A", "swarm@B"))
    meeting = threading.Barrier(2, timeout=10)  # each run waits for a run of the other lane: broken if they take turns
    fake = Cued(cue=lambda name, entry: meeting.wait())
    done, _ = run(planned, fake, options(min_runs=2, max_runs=2), lane=lambda job: job.backend)
    assert fake.most_at_once == 2
    assert all(len(m.runs) == 2 and m.status == Status.OK for m in done.values())


def test_ctrl_c_mid_round_keeps_every_finished_run_and_marks_the_rest_not_run():
    planned = jobs(3)
    names = [label(job) for job in planned]
    order = list(names)
    random.Random(0).shuffle(order)  # round 0's order with seed 0
    interrupted = order[1]  # the second row of the first round is interrupted
    fake = FakeExecutor({interrupted: [Scripted(interrupt=True)]})
    saved = []
    store = SimpleNamespace(save=lambda measurements, finished=False: saved.append((list(measurements), finished)))
    with pytest.raises(KeyboardInterrupt):
        runner.run_all(planned, Lifecycle(fake, planned, Pinning(None, None)), store, options(min_runs=2, max_runs=2),
                       progress=lambda *a: None)
    rows, finished = saved[-1]
    assert finished
    by_name = {label(m.job): m for m in rows}
    assert len(by_name[order[0]].runs) == 1 and by_name[order[0]].status == Status.OK
    assert by_name[order[0]].reason == "interrupted after 1 of 2 runs"
    for name in order[1:]:
        assert not by_name[name].runs and by_name[name].status == Status.NOT_RUN
        assert by_name[name].reason == "interrupted before it was measured"


def test_ctrl_c_stops_a_lane_that_waits_in_another_thread_and_drops_its_cut_run():
    planned = jobs(1, backends=("local", "swarm@A"))
    local, remote = (label(job) for job in planned)
    hanging = threading.Event()

    def cue(name, entry):  # Ctrl-C comes only once the other lane's run hangs
        if entry.hang:
            hanging.set()
        elif entry.interrupt:
            awaited(hanging, "the remote lane's run hangs")

    fake = Cued({local: [Scripted(), Scripted(interrupt=True)], remote: [Scripted(), Scripted(hang=True)]}, cue=cue)
    saved = []
    store = SimpleNamespace(save=lambda measurements, finished=False: saved.append((list(measurements), finished)))
    with pytest.raises(KeyboardInterrupt):
        runner.run_all(planned, fake, store, options(min_runs=3, max_runs=3), progress=lambda *a: None,
                       lane=lambda job: job.backend)
    rows, finished = saved[-1]
    assert finished
    for row in rows:  # each kept its one finished run; the hanging run, cut by the stop, is not a result
        assert len(row.runs) == 1 and row.status == Status.OK and row.reason == "interrupted after 1 of 3 runs"


@pytest.mark.parametrize("fault, said", [
    (PermissionError(errno.EACCES, "Permission denied", "suite/prog"), "PermissionError: [Errno 13] Permission denied: 'suite/prog'"),
    (ValueError("Unknown format code 'd' for object of type 'str'"), "ValueError: Unknown format code 'd'"),
    (OSError(errno.E2BIG, "Argument list too long"), "OSError: [Errno 7] Argument list too long"),
])
def test_a_run_that_raises_fails_its_row_and_every_other_row_is_measured(fault, said):
    planned = jobs(3)
    bad = label(planned[1])
    fake = FakeExecutor({bad: [Scripted(raises=fault)]})
    done, store = run(planned, fake, options(min_runs=3, max_runs=3, warmup=1))
    row = done[bad]
    assert row.status == Status.FAILED and said in row.reason and row.reason.startswith("could not be run: ")
    assert type(fault).__name__ in row.stderr_tail  # the traceback, kept with the row
    assert fake.calls.count(bad) == 1  # its warm-up raised: never run again
    others = [m for name, m in done.items() if name != bad]
    assert all(m.status == Status.OK and len(m.runs) == 3 for m in others)
    assert store.finished
    # what cli.compare turns into exit code 1: some row is neither ok nor skipped
    assert not all(m.status in (Status.OK, Status.SKIPPED) for m in done.values())


def test_a_failure_the_executor_decides_is_the_rows_status_and_reason():
    planned = jobs(2)
    bad = label(planned[0])
    fake = FakeExecutor({bad: [Scripted(failure=Failure(Status.TIMEOUT, "server never ready"))]})
    done, _ = run(planned, fake, options(min_runs=2, max_runs=2))
    assert (done[bad].status, done[bad].reason) == (Status.TIMEOUT, "server never ready")
    assert done[label(planned[1])].status == Status.OK


def test_ctrl_c_is_never_a_rows_failure():
    planned = jobs(1)
    fake = FakeExecutor({label(planned[0]): [Scripted(interrupt=True)]})
    with pytest.raises(KeyboardInterrupt):
        run(planned, fake, options())


def test_a_defect_in_another_lane_stops_every_lane_and_keeps_what_was_measured(monkeypatch):
    planned = jobs(1, backends=("local", "swarm@A"))
    local, remote = (label(job) for job in planned)
    second_local_run = threading.Event()

    def cue(name, entry):  # the remote run comes once the local lane has measured one run and started the next,
        if name == remote:  # which waits until the runner stops every lane (a hang, cut by stop(), is not a result)
            awaited(second_local_run, "the local lane's second run starts")
        elif entry.hang:
            second_local_run.set()
            awaited(fake.stopped, "the runner stops the executor")

    fake = Cued({local: [Scripted(), Scripted(hang=True)]}, cue=cue)
    real_add = runner.Measurement.add

    def broken_add(self, result, keep):  # the lab itself breaks while recording the remote lane's first run
        if self.job.backend == "swarm@A":
            raise RuntimeError("an invariant broke")
        real_add(self, result, keep)

    monkeypatch.setattr(runner.Measurement, "add", broken_add)
    saved = []
    store = SimpleNamespace(save=lambda measurements, finished=False: saved.append((list(measurements), finished)))
    with pytest.raises(RuntimeError, match="an invariant broke"):
        runner.run_all(planned, fake, store, options(min_runs=3, max_runs=3), progress=lambda *a: None,
                       lane=lambda job: job.backend)
    rows, finished = saved[-1]
    assert finished
    by_name = {label(m.job): m for m in rows}
    assert fake.stopped.is_set()  # the executor was told, which released the local lane's waiting run
    assert len(by_name[local].runs) == 1 and by_name[local].reason == "interrupted after 1 of 3 runs"
    assert by_name[remote].status == Status.NOT_RUN
