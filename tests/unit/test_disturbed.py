"""Disturbed runs (issue 28, points 3, 4 and 10; issue 24, point 5's runner hook).

A run during which the rest of the machine took over a quarter of a core is kept in the record,
left out of the row's statistics and run again (at most max(2, --min-runs) times a row); each
run stores its round and start time; a claim resting mostly on disturbed runs is never decided;
and the runner tells the progress display after each round which workloads still need runs.
On a FakeExecutor: no process is started.
"""

from __future__ import annotations

from harness.executors.fake import FakeExecutor, Scripted, label
from harness.judge import verdicts
from harness.plan.jobs import Job
from harness.report.terminal import RunProgress
from harness.run import runner
from tests.conftest import builtin_catalogue
from tests.unit.test_verdicts import ENVIRONMENT, judge, scaling


def jobs(count=1, workload="alloc_churn"):
    """``count`` batch jobs of one workload."""
    found = builtin_catalogue().workloads[workload]
    return [Job(found, program, (("n", 1),), "native") for program in found.programs[:count]]


def options(**chosen):
    defaults = dict(min_runs=3, max_runs=3, warmup=0, timeout_s=10.0, profile="quick", seed=0, target=0.05,
                    row_budget_s=100.0)
    return runner.RunOptions(**{**defaults, **chosen})


class Busy:
    """A FakeExecutor whose runs numbered in ``disturbed`` (0-based, per row) had others take a whole core."""

    def __init__(self, fake, disturbed=()):
        self.fake, self.disturbed, self.count = fake, set(disturbed), {}

    def run(self, job, timeout_s):
        name = label(job)
        index = self.count[name] = self.count.get(name, -1) + 1
        result = self.fake.run(job, timeout_s)
        result.other_cpu_s = result.wall_s if index in self.disturbed or "all" in self.disturbed else 0.0
        result.steal_s = 0.0
        return result


class Store:
    """Keeps the rows as a results document, as ResultsStore does."""

    def __init__(self):
        self.document = {"measurements": [], "environment": {}}

    def save(self, measurements, finished=False):
        self.document["measurements"] = [m.to_record() for m in measurements]


def run(planned, executor, chosen, progress=None):
    store = Store()
    done = runner.run_all(planned, executor, store, chosen, progress=progress or (lambda *a: None))
    return {label(m.job): m for m in done}, store


def test_a_disturbed_run_is_kept_but_not_counted_and_is_run_again():
    planned = jobs()
    name = label(planned[0])
    # The second run is disturbed, and 3x slower: it must not move the median or the interval.
    fake = FakeExecutor({name: [Scripted(work_s=0.1), Scripted(work_s=0.3), Scripted(work_s=0.1)]})
    done, store = run(planned, Busy(fake, disturbed={1}), options())
    row = done[name]
    assert len(row.runs) == 4 and [run["disturbed"] for run in row.runs] == [False, True, False, False]
    assert row.disturbed_runs == 1 and len(row.counted_runs) == 3
    assert row.key_values() == [0.1, 0.1, 0.1]
    assert row.summary["wall_s"]["median"] == 0.1 and row.summary["wall_s"]["n"] == 3
    [record] = store.document["measurements"]
    assert record["disturbed_runs"] == 1 and len(record["runs"]) == 4


def test_repeats_for_disturbance_are_bounded_and_say_the_machine_was_busy():
    planned = jobs()
    name = label(planned[0])
    done, _ = run(planned, Busy(FakeExecutor(), disturbed={"all"}), options(min_runs=3, max_runs=5))
    row = done[name]
    # 3 runs for the minimum, each disturbed; max(2, 3) = 3 of them run again; then the row stops.
    assert len(row.runs) == 3 + 1 and row.disturbed_runs == 4
    assert row.stop_reason == "machine busy: 4 of 4 runs disturbed, its 3 repeats spent"
    assert row.summary["wall_s"]["n"] == 4  # nothing undisturbed: summarised from what there is, and the judge holds back


def test_at_least_two_repeats_even_with_one_minimum_run():
    planned = jobs()
    done, _ = run(planned, Busy(FakeExecutor(), disturbed={"all"}), options(min_runs=1, max_runs=1))
    assert len(done[label(planned[0])].runs) == 3


def test_undisturbed_rows_run_as_before():
    planned = jobs(2)
    done, store = run(planned, Busy(FakeExecutor()), options())
    assert all(len(m.runs) == 3 and m.disturbed_runs == 0 for m in done.values())
    assert all(record["disturbed_runs"] == 0 for record in store.document["measurements"])


def test_each_run_stores_its_round_and_start_time():
    planned = jobs(2)
    done, _ = run(planned, Busy(FakeExecutor()), options(warmup=1))
    for row in done.values():
        assert [run["round"] for run in row.runs] == [1, 2, 3]  # round 0 was the warm-up
        started = [run["started"] for run in row.runs]
        assert started == sorted(started) and len(set(started)) == 3
    first, second = done.values()
    for one, other in zip(first.runs, second.runs, strict=True):  # rows run in the same rounds pair up by round
        assert one["round"] == other["round"]


def test_the_runner_tells_the_progress_which_workloads_still_need_runs_after_each_round():
    churn, other = jobs(1), jobs(1, workload="cpu_scaling")
    planned = churn + other
    fake = FakeExecutor({label(other[0]): [Scripted(work_s=0.1), Scripted(work_s=0.2), Scripted(work_s=0.15)]})
    calls = []

    class Progress:
        def __call__(self, *args):
            pass

        def settled(self, document, unsettled):
            calls.append((len(document["measurements"]), set(unsettled)))

    run(planned, Busy(fake), options(min_runs=2, max_runs=4), progress=Progress())
    # It is given the rows of settled workloads only: a row still being measured is no evidence yet.
    assert calls[0] == (0, {"alloc_churn", "cpu_scaling"})  # after round 1: both below their minimum
    assert calls[1] == (1, {"cpu_scaling"})  # alloc_churn is stable at 2 runs; cpu_scaling is noisy
    assert calls[-1] == (2, set())
    assert len(calls) == 4


def test_a_failing_display_is_switched_off_and_the_run_goes_on(capsys):
    planned = jobs(1)
    calls = []

    class Progress:
        def __call__(self, *args):
            pass

        def settled(self, document, unsettled):
            calls.append(1)
            raise IndexError("list index out of range")

    done, _ = run(planned, Busy(FakeExecutor()), options(), progress=Progress())
    assert len(done[label(planned[0])].runs) == 3 and calls == [1]
    assert "the live answers stopped (IndexError: list index out of range)" in capsys.readouterr().err


def test_a_plain_callable_progress_is_never_asked_to_settle():
    planned = jobs()
    done, _ = run(planned, Busy(FakeExecutor()), options(), progress=lambda *a: None)
    assert len(done[label(planned[0])].runs) == 3


# The judge (point 10) -----------------------------------------------------------------------------


def disturb(rows, share, workload="cpu_scaling"):
    """Mark the first ``share`` of each row's runs disturbed, and make them 3x slower."""
    for row in rows:
        if row["workload"] != workload:
            continue
        count = round(share * len(row["runs"]))
        for run in row["runs"][:count]:
            run["disturbed"] = True
            run["work_warm_s"] *= 3
    return rows


def test_a_claim_resting_mostly_on_disturbed_runs_stays_inconclusive_saying_why():
    verdict = judge(disturb(scaling(1.0, 1.9), 0.6), "C5")
    assert verdict["outcome"] == verdicts.INCONCLUSIVE
    # C5 rests on python/threads and python/processes: 4 rows of 5 runs, 3 of each disturbed
    assert verdict["note"].startswith("machine busy: 12 of 20 runs disturbed")
    assert all(p["outcome"] == verdicts.INCONCLUSIVE for p in verdict["predicates"])


def test_a_few_disturbed_runs_are_left_out_and_the_claim_is_decided_on_the_rest():
    # 10 runs a row, 4 disturbed: the 6 left are enough for the sequential interval at Holm's 5 %/2
    # (3 left, as with 5 runs a row, never are: it needs 6 at that level).
    options = {"min_runs": 5, "max_runs": 10}
    verdict = judge(disturb(scaling(1.0, 1.9, runs=10), 0.4), "C5", options=options)
    assert verdict["outcome"] == verdicts.SUPPORTED and "machine busy" not in verdict["note"]
    assert all(p["figure"]["n"].startswith("6") for p in verdict["predicates"] if p["figure"])


def test_one_row_mostly_disturbed_holds_the_claim_back():
    rows = scaling(1.0, 1.9)
    [processes_2] = [r for r in rows if r["variant"] == "processes" and r["params"]["threads"] == 2]
    disturb([processes_2], 0.6)
    verdict = judge(rows, "C5")
    assert verdict["outcome"] == verdicts.INCONCLUSIVE
    assert verdict["note"].startswith("machine busy: 3 of 20 runs disturbed, 1 row mostly")
    # the threads' predicates, on undisturbed rows, would have been decided
    assert any("the figure alone says Supported" in p["reason"] for p in verdict["predicates"])


def test_rows_without_the_field_are_undisturbed():
    assert judge(scaling(1.0, 1.9), "C5")["outcome"] == verdicts.SUPPORTED


def test_a_row_left_with_one_undisturbed_run_keeps_all_its_runs_so_its_claim_is_still_judged():
    from harness.judge.driver import _undisturbed

    runs = [{"wall_s": 1.0, "disturbed": True}, {"wall_s": 1.1, "disturbed": False}]
    assert _undisturbed({"runs": runs})["runs"] == runs  # one run alone has no spread: the claim would read "not measured"
    three = [*runs, {"wall_s": 1.2, "disturbed": False}]
    assert _undisturbed({"runs": three})["runs"] == three[1:]  # two undisturbed of three: the disturbed one is left out


# RunProgress.settled (issue 24, point 5) ----------------------------------------------------------


def test_settled_shows_each_claim_once_its_workloads_are_done_and_only_claims_of_the_run(tmp_path):
    judged = []

    def fake_judge(document):
        judged.append(len(document["measurements"]))
        return [{"claim_id": claim, "backend": "native", "outcome": verdicts.SUPPORTED, "runtime": "",
                 "predicates": [], "note": ""} for claim in ("A", "B", "C")]

    log = (tmp_path / "log").open("w")
    progress = RunProgress(1, judge=fake_judge, claim_workloads={"A": ["w1"], "B": ["w1", "w2"], "C": ["w3"]}, file=log)
    document = {"measurements": [{"workload": "w1"}, {"workload": "w2"}]}
    progress.settled(document, {"w2"})
    assert list(progress.answers) == ["A"]  # B waits for w2; C's workload is not in this run
    progress.settled(document, set())
    assert list(progress.answers) == ["A", "B"] and judged == [2, 2]
    progress.settled(document, set())
    assert judged == [2, 2]  # nothing new to judge: the judge is not asked again
    log.close()
    assert (tmp_path / "log").read_text().count("answer: A") == 1


def test_a_selection_shows_only_the_claims_it_can_judge(tmp_path):
    from harness import cli
    from harness.catalogue.loader import load as load_catalogue
    from harness.report.terminal import print_summary

    scaling_only = [load_catalogue().workloads["cpu_scaling"]]
    assert list(cli._claims_in_selection(scaling_only, ())) == ["C5", "C7", "C8", "C11", "C12"]
    assert list(cli._claims_in_selection(scaling_only, ("python",))) == ["C5"]  # C7 is about Java, C11 also Node
    document = {"run_id": "r", "measurements": scaling(1.0, 1.9), "environment": ENVIRONMENT, "verdicts": None}
    document["verdicts"] = verdicts.judge_all(document)
    out = tmp_path / "summary"
    with out.open("w") as file:
        print_summary(document, tmp_path, file=file, selected_claims={"C5": ["cpu_scaling"]})
    text = out.read_text()
    assert "C5" in text and "Not measured in this run" not in text
    # C7 is outside a Python selection, but these rows let the judge answer it: an answer is shown,
    # and only the claims without one are named as outside the selection.
    assert "│ C7" in text
    outside = next(line for line in text.splitlines() if line.startswith("Not in this run's selection"))
    assert outside.startswith("Not in this run's selection: C1, C2, C3, C4, C6,") and "C7" not in outside


def test_the_report_counts_disturbed_runs():
    from harness.report.tables import run_summary

    rows = disturb(scaling(1.0, 1.9), 0.4)
    document = {"run_id": "r", "measurements": rows, "environment": {}, "options": {}}
    assert "16 of 40 runs disturbed (others used > ¼ core)" in run_summary(document)
