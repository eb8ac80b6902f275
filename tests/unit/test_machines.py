"""Machines as a dimension: ratios within a machine only, one machine's view of a run, lanes that run
in parallel, and what a swarm job's wrapper reports."""

import threading
from types import SimpleNamespace

import pytest

from harness.analyse import machines
from harness.errors import UsageError
from harness.executors.base import RunResult
from harness.executors.docker.containers import SWARM_WRAPPER, split_report
from harness.executors.swarm import SwarmExecutor, constraint, machine_names
from harness.plan.jobs import Job
from harness.report.tables import machines_table
from harness.run import runner
from tests.conftest import builtin_catalogue

WORKLOAD = {"alloc_churn": {"kind": "batch", "key_figure": "time",
                            "programs": {"python": ["loop"], "java": ["default"], "node": ["default"]}}}


def row(backend, language, variant, times, status="ok"):
    return {"workload": "alloc_churn", "language": language, "variant": variant, "backend": backend,
            "params": {"n": 10}, "status": status, "runs": [{"work_warm_s": t} for t in times], "summary": {}}


def document(records, environment=None):
    return {"run_id": "r1", "workloads": WORKLOAD, "measurements": records, "environment": environment or {},
            "verdicts": []}


def test_a_ratio_is_taken_within_one_machine_and_never_across():
    records = [row("swarm@A", "java", "default", [1.0, 1.1, 0.9]), row("swarm@A", "python", "loop", [9.0, 9.5, 8.5]),
               row("swarm@B", "python", "loop", [3.0, 3.1, 2.9])]  # B has no java: no java/python ratio on B
    found = machines.ratios(document(records))
    assert [r["pair"] for r in found] == ["java/default / python/loop"]
    on = found[0]["machines"]
    assert on["swarm@A"].ratio == pytest.approx(1 / 9, rel=0.05)
    assert on["swarm@B"] is None  # not a java row of A over a python row of B
    table = machines_table(document(records))
    assert table.headers[-2:] == ["on A", "on B"] and table.rows[0][-1] == "not measured"


def test_only_a_run_on_several_machines_gets_the_side_by_side_table():
    assert machines_table(document([row("swarm@A", "java", "default", [1.0, 1.1])])) is None
    assert machines_table(document([row("native", "java", "default", [1.0, 1.1])])) is None


def test_machines_that_differ_in_runtime_versions_are_warned_about():
    environment = {"backends": {"swarm@A": {"runtimes": {"python": {"version": "3.13.5"}}},
                                "swarm@B": {"runtimes": {"python": {"version": "3.11.2"}}}}}
    warnings = machines.version_warnings(environment, ["swarm@A", "swarm@B"])
    assert warnings == ["python differs between machines (3.13.5 on A, 3.11.2 on B): its ratios mix the machine "
                        "with the version"]


def test_one_machines_view_of_a_run_is_a_run_of_its_own():
    environment = {"host": "manager", "backends": {"swarm@A": {"host": "a-host", "cores_available": 64}}}
    records = [row("swarm@A", "java", "default", [1.0, 1.1]), row("swarm@B", "java", "default", [2.0, 2.1])]
    view = machines.view(document(records, environment), "A")
    assert view["run_id"] == "r1@A" and [r["backend"] for r in view["measurements"]] == ["swarm"]
    assert view["environment"]["host"] == "a-host" and view["environment"]["cores_available"] == 64
    with pytest.raises(UsageError, match="no machine 'C'; its machines: A, B"):
        machines.view(document(records), "C")


def test_machines_come_from_either_label_form():
    assert machine_names({"Labels": {"runtime-lab.machine": "arm"}}) == ["arm"]
    assert machine_names({"Labels": {"runtime-lab.machine.a": "true", "runtime-lab.machine.b": "false"}}) == ["a"]
    two = SimpleNamespace(attrs={"Spec": {"Labels": {"runtime-lab.machine.a": "true"}}})
    one = SimpleNamespace(attrs={"Spec": {"Labels": {"runtime-lab.machine": "x"}}})
    assert constraint("a", [two]) == "node.labels.runtime-lab.machine.a==true"
    assert constraint("x", [one]) == "node.labels.runtime-lab.machine==x"


def test_machines_sharing_a_node_share_a_lane_and_the_local_node_joins_this_machines_lane():
    executor = object.__new__(SwarmExecutor)
    node = lambda id_: SimpleNamespace(id=id_)  # noqa: E731
    executor.machines = {"a": [node("n1")], "b": [node("n1")], "c": [node("n2")], "d": [node("n3"), node("n2")]}
    executor.local_node = "n3"
    alone = executor.lanes(local_lane=False)
    assert alone["a"] == alone["b"] != alone["c"] and alone["c"] == alone["d"]
    with_native = executor.lanes(local_lane=True)
    assert with_native["c"] == with_native["d"] == "local" != with_native["a"]


def test_lanes_run_at_the_same_time_and_every_result_is_kept(tmp_path):
    workload = builtin_catalogue().workloads["eager_lazy"]
    program = workload.programs[0]
    jobs = [Job(workload, program, (("n", n),), backend) for backend in ("swarm@A", "swarm@B") for n in (1, 2)]
    both_running = threading.Barrier(2, timeout=30)  # passes only if a job of each lane runs at once

    class Lifecycle:
        def run(self, job, timeout_s):
            both_running.wait()
            return _result()

    saved = []
    store = SimpleNamespace(save=lambda measurements, finished=False: saved.append(finished))
    options = runner.RunOptions(min_runs=2, max_runs=2, warmup=0, timeout_s=10, profile="quick")
    done = runner.run_all(jobs, Lifecycle(), store, options, progress=lambda *a: None, lane=lambda job: job.backend)
    assert [len(m.runs) for m in done] == [2, 2, 2, 2] and all(m.status == "ok" for m in done)
    assert saved[-1] is True


def _result():
    return RunResult(command=["x"], exit_code=0, signal=None, timed_out=False, wall_s=0.1, cpu_user_s=0.1,
                     cpu_sys_s=0.0, ru_maxrss_bytes=0, rss_sampled_peak_bytes=1 << 20, threads_peak=1, processes_peak=1,
                     ctx_voluntary=0, ctx_involuntary=0, samples=3, stdout='{"checksum": "7", "work_s": [0.1, 0.1]}\n',
                     stderr="", memory_method="sampled")


def test_a_swarm_jobs_wrapper_reports_its_clock_and_its_machine():
    assert "EPOCHREALTIME" in SWARM_WRAPPER and "/proc/cpuinfo" in SWARM_WRAPPER
    stderr = ("boom\n\n@@runtime-lab-wrapper@@\nrc=0 cgroup=1 peak=100 file=1 anon=2 cpu_ns=5 oom_kill=0 leftovers=0\n"
              "clock start=10.25 end=11.75\nmachine node=vm cores=64 kernel=6.1.0 mem_kb=1024 cgroup=1 arch=aarch64\n"
              "cpu_model=Neoverse N1 r3p1\n0m0.000s 0m0.000s\n0m1.500s 0m0.250s\n")
    program, report = split_report(stderr)
    assert program == "boom\n"
    assert report["clock"] == {"start": "10.25", "end": "11.75"}
    assert report["machine"]["cores"] == "64" and report["machine"]["cpu_model"] == "Neoverse N1 r3p1"
    assert report["times"] == (1.5, 0.25) and report["peak"] == 100
