"""A server's CPU seconds per answered request (issue 28, point 5): how it is measured, summarised,
shown, and how C10 and C13 decide on it when the load generator set the rate.

Every expectation is worked out by hand from the figures the test gives.
"""

import json

import pytest

from harness.executors.base import RunResult
from harness.judge import verdicts
from harness.judge.verdicts import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from harness.measure.loadgen import LoadGenerator, LoadSpec
from harness.report.tables import COMPACT, cell
from harness.results.model import SUMMARY_FIELDS
from harness.run.measurement import cpu_per_request, run_record

pytestmark = pytest.mark.unit

LAB_LINE = json.dumps({"checksum": "from-output", "work_s": [1.0], "ops": 1}) + "\n"


def server_result(cgroup_cpu_s=None, user=0.3, system=0.1, answered=20_000, wall_s=6.0) -> RunResult:
    """A server's result over its load window, as lifecycle._server_result leaves it."""
    load = {"requests_per_s": 4000.0, "latency_us": {"p50": 500.0, "p99": 2000.0}, "errors": 0,
            "requests_answered": answered, "generator_saturated": False}
    return RunResult(command=["server"], exit_code=0, signal=None, timed_out=False, wall_s=wall_s, cpu_user_s=user,
                     cpu_sys_s=system, ru_maxrss_bytes=0, rss_sampled_peak_bytes=10, threads_peak=1, processes_peak=1,
                     ctx_voluntary=0, ctx_involuntary=0, samples=3, stdout=LAB_LINE, stderr="", memory_method="sampled",
                     cgroup={"cpu_s": cgroup_cpu_s}, load=load, probe_checksum="probe")


def test_cpu_per_request_is_cpu_over_the_requests_answered():
    assert cpu_per_request(0.5, 10_000) == pytest.approx(50e-6)  # 0.5 s / 10,000 = 50 µs
    assert cpu_per_request(None, 10_000) is None
    assert cpu_per_request(0.5, 0) is None
    assert cpu_per_request(0.5, None) is None  # an older generator that did not count: no figure, not a guess


def test_a_server_run_takes_its_cgroup_cpu_where_there_is_one():
    record = run_record(server_result(cgroup_cpu_s=1.2, answered=24_000))
    assert record["cpu_s"] == 1.2
    assert record["cpu_s_per_request"] == pytest.approx(50e-6)  # 1.2 s / 24,000


def test_without_a_cgroup_the_tree_user_and_system_time_is_the_cpu():
    record = run_record(server_result(cgroup_cpu_s=None, user=0.3, system=0.1, answered=4000))
    assert record["cpu_s_per_request"] == pytest.approx(100e-6)  # (0.3 + 0.1) s / 4000


def test_a_container_without_a_cpu_figure_has_no_cost_rather_than_a_crash():
    record = run_record(server_result(cgroup_cpu_s=None, user=None, system=None))  # the engine gave no split
    assert record["cpu_s"] is None and record["cpu_s_per_request"] is None


def test_the_cost_is_summarised_per_row_like_other_figures():
    assert "cpu_s_per_request" in SUMMARY_FIELDS


class Neighbour:
    """Runs nothing: answers each helper call with the output the test gives, in order."""

    def __init__(self, *outputs):
        self.outputs, self.calls = list(outputs), []

    def run(self, name, arguments, timeout_s):
        self.calls.append(name)
        return self.outputs.pop(0), 0, 0.25


class Helpers:
    def __init__(self, wrk):
        self.wrk = wrk

    def argv(self, name):
        return ["wrk"] if name == "wrk" and self.wrk else [name]


def test_the_lab_generator_counts_every_response_of_its_run_as_answered():
    line = json.dumps({"requests": 8000, "requests_per_s": 4000.0, "latency_us": {"p99": 900.0}, "errors": {},
                       "duration_s": 2.0, "requests_total": 10_500})
    found = LoadGenerator(Helpers(wrk=False)).run(LoadSpec("echo", 8, 2.0, 0.5), 1234, Neighbour(line))
    assert found["requests"] == 8000 and found["requests_answered"] == 10_500  # warm-up and drain included


WRK = """Running 2s test @ http://127.0.0.1:1/
  Latency   {mean}   1.00ms  {max}
  Latency Distribution
     50%  500.00us
     99%    2.00ms
  {n} requests in {s}s, 1.00MB read
Requests/sec:   {rate}
"""


def test_wrk_adds_its_warm_up_runs_requests_to_the_answered():
    warm = WRK.format(mean="1.00ms", max="5.00ms", n=3000, s="1.00", rate="3000.00")
    main = WRK.format(mean="1.00ms", max="5.00ms", n=8000, s="2.00", rate="4000.00")
    neighbour = Neighbour(warm, main)
    found = LoadGenerator(Helpers(wrk=True)).run(LoadSpec("http", 8, 2.0, 1.0), 1234, neighbour)
    assert neighbour.calls == ["wrk", "wrk"]
    assert found["requests"] == 8000 and found["requests_answered"] == 11_000  # 3000 + 8000


def test_the_server_table_shows_rate_p99_and_cost_side_by_side():
    headers = [column.header for column in COMPACT["server"]]
    assert headers[headers.index("p99 ms") + 1] == "CPU µs/request" and "req/s" in headers
    column = COMPACT["server"][headers.index("CPU µs/request")]
    summary = {"median": 50e-6, "ci_low": 45e-6, "ci_high": 60e-6, "n": 5}
    # 50 µs (three digits); the wider side is (60 - 50) / 50, wider than a time figure may be: marked noisy (~)
    assert cell(summary, column) == "50.0 ±20% ~"


# C10 and C13 on cost --------------------------------------------------------------------------------

ENVIRONMENT = {"cores_available": 2, "memory_total_bytes": 8 * 2**30, "runtimes": {}}
SPREAD = (0.99, 1.0, 1.01, 0.995, 1.005, 0.998, 1.002, 1.0)  # eight runs: enough for the sequential interval


def server(workload, language, variant, rate, p99, cost, bound, connections=256):
    """An ok server row: eight runs around these medians (±1 %), generator-bound or not."""
    runs = [{"requests_per_s": rate * f, "latency_p99_us": p99 * f, "load": {"generator_saturated": bound},
             **({"cpu_s_per_request": cost * f} if cost else {})} for f in SPREAD]
    return {"workload": workload, "family": "async", "language": language, "variant": variant, "backend": "native",
            "params": {"connections": connections}, "status": "ok", "reason": "", "runs": runs, "summary": {}}


def judge(rows, claim_id):
    found = [v for v in verdicts.judge_all({"measurements": rows, "environment": ENVIRONMENT}) if v["claim_id"] == claim_id]
    assert len(found) == 1
    return found[0]


def python_servers(threads_cost, bound, loop_cost=50e-6, threads_rate=20_000.0):
    """Python threads against asyncio (HTTP) and against streams (echo), both at the same rate: the generator's."""
    return [server("http_hello", "python", "threads", threads_rate, 3000, threads_cost, bound),
            server("http_hello", "python", "asyncio", 20_000, 3000, loop_cost, bound),
            server("tcp_echo", "python", "threads", threads_rate, 3000, threads_cost, bound),
            server("tcp_echo", "python", "streams", 20_000, 3000, loop_cost, bound)]


@pytest.mark.parametrize("threads_cost,outcome", [
    (55e-6, SUPPORTED),       # 1.1× the event loop's: below 1.25
    (100e-6, CONTRADICTED),   # 2×: at or above 1.25
])
def test_c10_generator_bound_rows_are_decided_on_cost_and_say_so(threads_cost, outcome):
    verdict = judge(python_servers(threads_cost, bound=True), "C10")
    assert verdict["outcome"] == outcome
    assert [p["threshold"] for p in verdict["predicates"]] == ["< 1.25× the event loop's"] * 2
    assert all("decided on cost" in p["statement"] for p in verdict["predicates"])
    assert "Decided on CPU per request, because the load generator set the rate" in verdict["note"]
    ratio = verdict["predicates"][0]["figure"]
    assert ratio["estimate"] == pytest.approx(threads_cost / 50e-6, rel=1e-6)


def test_c10_without_a_cost_a_generator_bound_row_stays_undecided():
    verdict = judge(python_servers(None, bound=True, loop_cost=None), "C10")
    assert verdict["outcome"] == INCONCLUSIVE
    assert "no CPU per request" in verdict["predicates"][0]["reason"]


def test_c10_unbound_rows_decide_on_rate_and_p99_with_the_cost_shown_beside():
    verdict = judge(python_servers(100e-6, bound=False), "C10")  # equal rates and p99, twice the cost
    assert verdict["outcome"] == SUPPORTED  # rate and p99 decide where the server set the rate
    assert "CPU per request (the server's CPU over the load window per answered request)" in verdict["note"]
    assert "threads/asyncio: 2.00×" in verdict["note"] and "Decided on CPU" not in verdict["note"]


def node_and_asyncio(python_cost, bound):
    return [server("http_hello", "node", "http", 20_000, 3000, 40e-6, bound),
            server("http_hello", "python", "asyncio", 20_000, 3000, python_cost, bound)]


@pytest.mark.parametrize("python_cost,outcome", [
    (48e-6, SUPPORTED),       # asyncio/Node 1.2×: inside 0.67–1.5
    (120e-6, CONTRADICTED),   # 3×: outside
])
def test_c13_a_generator_bound_pair_ranks_on_asyncio_over_node_cost(python_cost, outcome):
    verdict = judge(node_and_asyncio(python_cost, bound=True), "C13")
    servers = [p for p in verdict["predicates"] if "serve alike" in p["statement"]]
    assert len(servers) == 1 and servers[0]["outcome"] == outcome
    assert "CPU per request, asyncio/Node" in servers[0]["statement"] and "decided on cost" in servers[0]["statement"]
    assert servers[0]["figure"]["estimate"] == pytest.approx(python_cost / 40e-6, rel=1e-6)
    assert "Decided on CPU per request" in verdict["note"]


# In docker: the container's cgroup CPU, read from the host ------------------------------------------


def test_a_containers_cgroup_cpu_is_read_from_its_cpuacct_hierarchy_on_v1(tmp_path):
    from harness.executors.docker.visibility import ContainerCgroup
    from harness.measure.sampler import _cgroup_cpu

    memory, cpuacct = tmp_path / "memory" / "docker" / "abc", tmp_path / "cpuacct" / "docker" / "abc"
    memory.mkdir(parents=True)
    cpuacct.mkdir(parents=True)
    (cpuacct / "cpuacct.usage").write_text("1500000000\n")  # nanoseconds
    group = ContainerCgroup(memory, 1)
    assert group.cpu_s() == pytest.approx(1.5)
    assert _cgroup_cpu(group) == pytest.approx(1.5)  # what a server's window reads at each end


def test_a_containers_cgroup_cpu_is_cpu_stat_on_v2_and_none_once_it_is_gone(tmp_path):
    from harness.executors.docker.visibility import ContainerCgroup
    from harness.measure.sampler import _cgroup_cpu

    unified = tmp_path / "system.slice" / "docker-abc.scope"
    unified.mkdir(parents=True)
    (unified / "cpu.stat").write_text("usage_usec 2250000\nuser_usec 2000000\nsystem_usec 250000\n")
    assert ContainerCgroup(unified, 2).cpu_s() == pytest.approx(2.25)
    assert _cgroup_cpu(ContainerCgroup(tmp_path / "memory" / "gone", 1)) is None  # no cpuacct: /proc stands in
