"""Verdicts follow the figures: each claim can come out Supported, Contradicted or Inconclusive.

Rows are synthetic: a few runs of each program with chosen times, memory and metrics, so every
outcome is reached by data alone.
"""

import json

import pytest

from harness.judge import verdicts
from harness.judge.verdicts import CONTRADICTED, INCONCLUSIVE, SUPPORTED

GIB = 2**30
ENVIRONMENT = {"cores_available": 2, "memory_total_bytes": 8 * GIB, "runtimes": {"python": {"version": "3.11.7", "gil": True}}}


def spread_of(jitter, runs=5):
    """Each run's factor: ``runs`` of them spread over +-jitter about 1."""
    if runs == 5:
        return (1 - jitter, 1.0, 1 + jitter, 1 - jitter / 2, 1 + jitter / 2)
    return tuple(1 - jitter + 2 * jitter * i / (runs - 1) for i in range(runs))


def row(workload, language, variant, params, time=None, memory=None, metrics=None, status="ok", backend="native", jitter=0.01,
        runs=5):
    """An ok (or failed) row whose runs have these medians, each spread by +-jitter."""
    spread = spread_of(jitter, runs)
    runs = []
    for factor in spread:
        run = {"metrics": {k: v for k, v in (metrics or {}).items()}}
        if time is not None:
            run["work_warm_s"] = time * factor
        if memory is not None:
            run["cgroup_peak_bytes"] = memory * factor
        runs.append(run)
    return {"workload": workload, "family": "", "language": language, "variant": variant, "backend": backend,
            "params": params, "status": status, "reason": "" if status == "ok" else "ended with exit code 1",
            "runs": runs if status == "ok" else [], "summary": {}}


# The rows have 5 runs each, planned as such: a fixed design of one look at 5 runs, under which the
# sequential interval (the range of the 25 pairwise ratios at Holm's alpha/2) can decide.
OPTIONS = {"min_runs": 5, "max_runs": 5}


def judge(rows, claim_id, environment=ENVIRONMENT, options=OPTIONS):
    document = {"measurements": rows, "environment": environment, "options": options}
    found = [v for v in verdicts.judge_all(document) if v["claim_id"] == claim_id]
    assert len(found) == 1, found
    return found[0]


# C1 ---------------------------------------------------------------------------------------------


def eager_lazy(lazy_growth_mb=0.0, eager_bytes_per_item=40, sizes=(100_000, 1_000_000)):
    rows = []
    for language, eager, lazy in (("python", "list", "generator"), ("java", "arraylist", "stream"), ("node", "array", "generator")):
        for n in sizes:
            rows.append(row("eager_lazy", language, eager, {"n": n}, memory=50e6 + eager_bytes_per_item * n))
            rows.append(row("eager_lazy", language, lazy, {"n": n}, memory=20e6 + lazy_growth_mb * 1e6 * n / sizes[-1]))
    return rows


def test_c1_supported_when_lists_grow_and_generators_stay_flat():
    assert judge(eager_lazy(), "C1")["outcome"] == SUPPORTED


def test_c1_contradicted_when_the_lazy_variant_grows_as_fast():
    assert judge(eager_lazy(lazy_growth_mb=40), "C1")["outcome"] == CONTRADICTED


def test_c1_inconclusive_with_one_size():
    verdict = judge(eager_lazy(sizes=(1_000_000,)), "C1")
    assert verdict["outcome"] == INCONCLUSIVE and "two sizes" in verdict["predicates"][0]["reason"]


# C3 ---------------------------------------------------------------------------------------------


def cycles(left_off, left_on, memory_off, m=1000, jitter=0.01):
    return [row("cyclic_garbage", "python", "gc_off", {"m": m}, memory=memory_off, metrics={"uncollected_objects": left_off}, jitter=jitter),
            row("cyclic_garbage", "python", "gc_on", {"m": m}, memory=10e6, metrics={"uncollected_objects": left_on})]


def test_c3_supported_when_cycles_stay_with_the_collector_off():
    verdict = judge(cycles(2000, 5, 300e6), "C3")
    assert verdict["outcome"] == SUPPORTED
    assert all(p["threshold"] for p in verdict["predicates"])  # thresholds are stored for the reader


def test_c3_contradicted_when_nothing_is_left_with_the_collector_off():
    assert judge(cycles(0, 0, 10e6), "C3")["outcome"] == CONTRADICTED


def test_c3_inconclusive_when_the_memory_interval_straddles_its_threshold():
    assert judge(cycles(2000, 5, 20e6, jitter=0.6), "C3")["outcome"] == INCONCLUSIVE


# C5, C7, C11 ------------------------------------------------------------------------------------


def scaling(python_threads_2, processes_2, java_2=1.9, node_2=1.9, jitter=0.01, runs=5):
    rows = []
    for language, variant, speedup, steps in (("python", "threads", python_threads_2, 20_000), ("python", "processes", processes_2, 20_000),
                                              ("java", "threads", java_2, 1_000_000), ("node", "workers", node_2, 1_000_000)):
        rows.append(row("cpu_scaling", language, variant, {"steps": steps, "threads": 1}, time=1.0, jitter=jitter, runs=runs))
        rows.append(row("cpu_scaling", language, variant, {"steps": steps, "threads": 2}, time=1.0 / speedup, jitter=jitter,
                        runs=runs))
    return rows


def test_c5_supported_with_no_thread_speedup_and_a_process_speedup():
    verdict = judge(scaling(1.0, 1.9), "C5")
    assert verdict["outcome"] == SUPPORTED and "GIL build" in verdict["note"]


def test_a_further_python_build_is_judged_again_on_its_own_rows():
    gil_build = [dict(r, runtime="3.11") if r["language"] == "python" else r for r in scaling(1.0, 1.9)]
    free_threaded = [dict(r, runtime="3.13t") for r in scaling(1.9, 1.9) if r["language"] == "python"]
    first = {"version": "3.11.7", "gil": True, "tag": "3.11"}
    environment = {**ENVIRONMENT, "runtimes": {"python": first},
                   "runtime_versions": {"python": {"3.11": first, "3.13t": {"version": "3.13.5", "gil": False, "tag": "3.13t"}}}}
    found = [v for v in verdicts.judge_all({"measurements": gil_build + free_threaded, "environment": environment,
                                            "options": OPTIONS}) if v["claim_id"] == "C5"]
    assert [(v["runtime"], v["outcome"]) for v in found] == [("", SUPPORTED), ("python3.13t", CONTRADICTED)]
    assert "free-threaded build" in found[1]["note"]
    assert not [v for v in verdicts.judge_all({"measurements": gil_build + free_threaded, "environment": environment})
                if v["runtime"] and v["claim_id"] == "C7"], "a claim about Java is not judged again for a Python"


def test_c5_contradicted_when_threads_speed_up():
    assert judge(scaling(1.9, 1.9), "C5")["outcome"] == CONTRADICTED


def test_c5_inconclusive_when_noise_straddles_the_thresholds():
    assert judge(scaling(1.2, 1.5, jitter=0.3), "C5")["outcome"] == INCONCLUSIVE


def test_c5_processes_need_two_cores():
    one_core = dict(ENVIRONMENT, cores_available=1)
    verdict = judge(scaling(1.0, 1.9), "C5", one_core)
    assert verdict["outcome"] == INCONCLUSIVE and "1 core" in verdict["predicates"][-1]["reason"]


@pytest.mark.parametrize("java_2,outcome", [(1.9, SUPPORTED), (1.0, CONTRADICTED)])
def test_c7_java_threads_against_point_eight_of_the_cores(java_2, outcome):
    assert judge(scaling(1.0, 1.9, java_2=java_2), "C7")["outcome"] == outcome


def test_c7_inconclusive_on_one_core():
    assert judge(scaling(1.0, 1.9), "C7", dict(ENVIRONMENT, cores_available=1))["outcome"] == INCONCLUSIVE


@pytest.mark.parametrize("processes_2,node_2,outcome", [(1.0, 1.0, SUPPORTED), (1.9, 1.0, CONTRADICTED), (1.0, 1.2, INCONCLUSIVE)])
def test_c11_parallel_speedup_contradicts_no_parallelism(processes_2, node_2, outcome):
    assert judge(scaling(1.0, processes_2, node_2=node_2), "C11")["outcome"] == outcome


# C6 ---------------------------------------------------------------------------------------------


def blocking(speedup, workloads=("blocking_io", "blocking_fetch"), jitter=0.01):
    rows = []
    for workload in workloads:
        rows.append(row(workload, "python", "sequential", {"threads": 4}, time=0.2, jitter=jitter))
        rows.append(row(workload, "python", "threads", {"threads": 4}, time=0.2 / speedup, jitter=jitter))
    return rows


def test_c6_supported_when_threads_overlap_both_kinds_of_wait():
    assert judge(blocking(3.9), "C6")["outcome"] == SUPPORTED


def test_c6_contradicted_when_threads_do_not_overlap_waits():
    assert judge(blocking(1.0), "C6")["outcome"] == CONTRADICTED


def test_c6_inconclusive_without_real_socket_waits():
    verdict = judge(blocking(3.9, workloads=("blocking_io",)), "C6")
    assert verdict["outcome"] == INCONCLUSIVE and "blocking_fetch" in verdict["predicates"][1]["reason"]


# C9 ---------------------------------------------------------------------------------------------


def sleepers(thread_mib_at_10k, failed_virtual=False):
    rows = []
    for language, variant, per_unit in (("python", "threads", None), ("python", "asyncio", 2e3), ("java", "platform", None),
                                        ("java", "virtual", 3e3), ("node", "promises", 1.5e3)):
        for tasks in (1000, 10_000):
            if per_unit is None:  # an OS-thread variant: reaches thread_mib_at_10k at 10,000
                memory = 20e6 + (thread_mib_at_10k * 2**20 - 20e6) * tasks / 10_000
            else:
                memory = 20e6 + per_unit * tasks
            failed = failed_virtual and variant == "virtual" and tasks == 10_000
            rows.append(row("sleepers", language, variant, {"tasks": tasks}, memory=memory, status="failed" if failed else "ok"))
    return rows


def test_c9_contradicted_when_ten_thousand_threads_fit_easily():
    verdict = judge(sleepers(500), "C9")
    assert verdict["outcome"] == CONTRADICTED
    assert "memory per threads thread over per asyncio task" in verdict["note"]


def test_c9_supported_when_threads_take_more_than_a_quarter_of_memory():
    assert judge(sleepers(4000), "C9")["outcome"] == SUPPORTED


def test_c9_a_failed_virtual_thread_row_is_not_evidence():
    verdict = judge(sleepers(4000, failed_virtual=True), "C9")
    assert verdict["outcome"] == INCONCLUSIVE
    assert any("not evidence" in p["reason"] for p in verdict["predicates"])


# C12 --------------------------------------------------------------------------------------------


def speed(python_over_node, jitter=0.01):
    return [row("alloc_churn", "python", "default", {"depth": 14}, time=1.0 * python_over_node, jitter=jitter),
            row("alloc_churn", "node", "default", {"depth": 14}, time=1.0, jitter=jitter),
            row("cpu_scaling", "python", "sequential", {"steps": 20_000, "threads": 1}, time=2.0 * python_over_node, jitter=jitter),
            row("cpu_scaling", "node", "sequential", {"steps": 20_000, "threads": 1}, time=2.0, jitter=jitter),
            row("cpu_scaling", "python", "threads", {"steps": 20_000, "threads": 1}, time=2.0, jitter=jitter)]


@pytest.mark.parametrize("ratio,outcome", [(5.0, SUPPORTED), (0.8, CONTRADICTED)])
def test_c12_geometric_mean_against_its_margin(ratio, outcome):
    verdict = judge(speed(ratio), "C12")
    assert verdict["outcome"] == outcome and "geometric mean" in verdict["predicates"][0]["figure"]["label"]


def test_c12_inconclusive_near_the_margin_with_noise():
    assert judge(speed(1.2, jitter=0.4), "C12")["outcome"] == INCONCLUSIVE


# Across claims ----------------------------------------------------------------------------------


def test_each_backend_is_judged_on_its_own_rows():
    rows = cycles(2000, 5, 300e6) + [dict(r, backend="docker") for r in cycles(0, 0, 10e6)]
    found = {v["backend"]: v["outcome"] for v in verdicts.judge_all({"measurements": rows, "environment": ENVIRONMENT})
             if v["claim_id"] == "C3"}
    assert found == {"native": SUPPORTED, "docker": CONTRADICTED}


def test_failed_rows_are_never_evidence():
    rows = [dict(r, status="failed", runs=[]) for r in cycles(2000, 5, 300e6)]
    verdict = judge(rows, "C3")
    assert verdict["outcome"] == verdicts.NOT_MEASURED and "cyclic_garbage ran, but" in verdict["note"]


def test_every_claim_has_a_record_even_when_nothing_ran():
    found = verdicts.judge_all({"measurements": [], "environment": ENVIRONMENT})
    assert [v["claim_id"] for v in found] == list(verdicts.CLAIMS)
    assert all(v["outcome"] == verdicts.NOT_MEASURED and v["note"].startswith("not measured in this run: none of") for v in found)
    assert verdicts.measured(found) == []


# C8 ---------------------------------------------------------------------------------------------


def crowded(slowdown, switch_rise, jitter=0.01):
    rows = []
    for threads, time, switches in ((2, 1.0, 100), (8, 1.0 * slowdown, 100 * switch_rise)):
        record = row("cpu_scaling", "java", "threads", {"steps": 1_000_000, "threads": threads}, time=time, jitter=jitter)
        for run in record["runs"]:
            run.update(wall_s=run["work_warm_s"] + 0.2, ctx_involuntary=switches * (run["work_warm_s"] + 0.2))
        rows.append(record)
    return rows


@pytest.mark.parametrize("slowdown,rise,outcome", [(1.5, 3.0, SUPPORTED), (1.0, 3.0, CONTRADICTED), (1.1, 3.0, INCONCLUSIVE)])
def test_c8_oversubscription_must_be_slower_with_more_switches(slowdown, rise, outcome):
    assert judge(crowded(slowdown, rise, jitter=0.01 if outcome != INCONCLUSIVE else 0.2), "C8")["outcome"] == outcome


def test_c8_names_the_missing_scale():
    verdict = judge(crowded(1.5, 3.0)[:1], "C8")
    assert verdict["outcome"] == INCONCLUSIVE and "T=8" in verdict["predicates"][0]["reason"]


# C13 --------------------------------------------------------------------------------------------


def alike(node_over_python, bound=False, jitter=0.01):
    rows = []
    for language, variant, rate in (("node", "net", 50_000 * node_over_python), ("python", "streams", 50_000)):
        record = row("tcp_echo", language, variant, {"connections": 64}, jitter=jitter)
        for factor, run in zip((1 - jitter, 1, 1 + jitter, 1 - jitter / 2, 1 + jitter / 2), record["runs"]):
            run.update(requests_per_s=rate * factor, load={"generator_saturated": bound})
        rows.append(record)
    return rows


@pytest.mark.parametrize("ratio,outcome", [(1.1, SUPPORTED), (3.0, CONTRADICTED), (1.5, INCONCLUSIVE)])
def test_c13_node_over_asyncio_against_the_band(ratio, outcome):
    assert judge(alike(ratio), "C13")["outcome"] == outcome


def test_c13_generator_bound_rows_rank_nothing():
    verdict = judge(alike(3.0, bound=True), "C13")
    assert verdict["outcome"] == INCONCLUSIVE and "generator-bound" in verdict["predicates"][0]["reason"]


# C14 --------------------------------------------------------------------------------------------


def fan_out(time_over_ideal, jitter=0.01):
    params = {"pages": 200, "concurrency": 50, "delay_ms": 50}
    return [row("fetch_pages", "python", "streams", params, time=0.2 * time_over_ideal, metrics={"ideal_s": 0.2}, jitter=jitter)]


@pytest.mark.parametrize("ratio,jitter,outcome", [(1.1, 0.01, SUPPORTED), (10.0, 0.01, CONTRADICTED), (2.0, 0.3, INCONCLUSIVE)])
def test_c14_fan_out_against_the_ideal(ratio, jitter, outcome):
    assert judge(fan_out(ratio, jitter), "C14")["outcome"] == outcome


# C2 ---------------------------------------------------------------------------------------------


def dropped(python_share, java_share, node_share, jitter=0.01):
    return [row("drop_observe", language, "default", {"n": 1000}, memory=50e6,
                metrics={"freed_at_once_share": share, "gc_between": 0}, jitter=jitter)
            for language, share in (("python", python_share), ("java", java_share), ("node", node_share))]


def test_c2_supported_when_only_cpython_frees_at_once():
    verdict = judge(dropped(0.99, 0.0, 0.1), "C2")
    assert verdict["outcome"] == SUPPORTED and "python 0" in verdict["note"]


def test_c2_contradicted_when_cpython_keeps_the_memory():
    assert judge(dropped(0.2, 0.0, 0.1), "C2")["outcome"] == CONTRADICTED


def test_c2_inconclusive_without_the_tracing_runtimes():
    assert judge(dropped(0.99, 0.0, 0.1)[:1], "C2")["outcome"] == INCONCLUSIVE


def test_a_failed_virtual_thread_row_in_thread_spawn_supports_nothing():
    rows = [row("thread_spawn", "python", "threads", {"count": c}, memory=20e6 + 40e3 * c) for c in (1000, 10_000)]
    rows += [row("thread_spawn", "java", "virtual", {"count": 10_000}, status="failed")]
    assert [v for v in verdicts.judge_all({"measurements": rows, "environment": ENVIRONMENT}) if v["outcome"] == SUPPORTED] == []


# C4 ---------------------------------------------------------------------------------------------


def churn(python_free_s, java_pause_s, node_pause_s, python_work_s=1.0, jitter=0.01):
    """alloc_churn rows: each run built ops nodes in 2 timed iterations, with these seconds spent reclaiming."""
    rows = []
    for language, metric, seconds, work in (("python", "refcount_free_s", python_free_s, python_work_s),
                                            ("java", "gc_pause_s", java_pause_s, 0.1), ("node", "gc_pause_s", node_pause_s, 0.1)):
        record = row("alloc_churn", language, "default", {"depth": 14}, jitter=jitter)
        for factor, run in zip((1 - jitter, 1, 1 + jitter, 1 - jitter / 2, 1 + jitter / 2), record["runs"]):
            run.update(ops=1_000_000, work_s=[work * factor / 2] * 2, metrics={metric: seconds * factor, "gc_pause_s": seconds * factor})
        rows.append(record)
    return rows


def test_c4_supported_when_freeing_alone_outlasts_the_tracing_pauses():
    verdict = judge(churn(0.2, 0.01, 0.05), "C4")
    assert verdict["outcome"] == SUPPORTED and "lower bound" in verdict["note"]


def test_c4_contradicted_when_even_the_whole_time_is_below_the_pauses():
    assert judge(churn(0.01, 2.0, 2.0, python_work_s=1.0), "C4")["outcome"] == CONTRADICTED


def test_c4_inconclusive_between_the_bounds():
    verdict = judge(churn(0.01, 0.1, 0.1), "C4")
    assert verdict["outcome"] == INCONCLUSIVE and "refcount updates" in verdict["predicates"][0]["reason"]


def test_c4_a_jvm_run_without_a_counted_millisecond_is_not_a_division_by_zero():
    verdict = judge(churn(0.2, 0.0, 0.05), "C4")
    assert verdict["outcome"] == SUPPORTED


# C10 --------------------------------------------------------------------------------------------


# C10 is a family of 8 predicates (req/s and p99 of 4 pairs): Holm tests the first at 5 %/8, which
# 5 runs a row can never reach (Mann–Whitney's smallest two-sided p at 5 against 5 is 0.8 %), so
# its rows have 10 runs, in a fixed design of 10.
SERVER_RUNS = 10
SERVER_OPTIONS = {"min_runs": SERVER_RUNS, "max_runs": SERVER_RUNS}


def servers(threads_over_loop, tail_over_loop, connections=256, loop_bound=False, jitter=0.01):
    """tcp_echo and http_hello rows: each thread-per-connection server against its language's event loop."""
    rows = []
    for workload, language, threads, loop in verdicts.THREAD_SERVER_PAIRS:
        for variant, rate, p99, bound in ((threads, 50_000 * threads_over_loop, 2000 * tail_over_loop, False),
                                          (loop, 50_000, 2000, loop_bound)):
            if any(r["workload"] == workload and r["variant"] == variant and r["language"] == language for r in rows):
                continue
            record = row(workload, language, variant, {"connections": connections}, jitter=jitter, runs=SERVER_RUNS)
            for factor, run in zip(spread_of(jitter, SERVER_RUNS), record["runs"]):
                run.update(requests_per_s=rate * factor, latency_p99_us=p99 * factor, load={"generator_saturated": bound})
            rows.append(record)
    return rows


@pytest.mark.parametrize("rate,tail,outcome", [(1.0, 1.0, SUPPORTED), (0.5, 1.0, CONTRADICTED), (1.0, 3.0, CONTRADICTED),
                                               (0.8, 1.0, INCONCLUSIVE)])
def test_c10_threads_against_the_event_loop(rate, tail, outcome):
    assert judge(servers(rate, tail, jitter=0.05), "C10", options=SERVER_OPTIONS)["outcome"] == outcome


def test_c10_needs_hundreds_of_connections():
    verdict = judge(servers(1.0, 1.0, connections=64), "C10")
    assert verdict["outcome"] == INCONCLUSIVE and "256 connections" in verdict["predicates"][0]["reason"]


def test_c10_a_generator_bound_event_loop_decides_only_a_shortfall():
    assert judge(servers(1.0, 1.0, loop_bound=True), "C10", options=SERVER_OPTIONS)["outcome"] == INCONCLUSIVE
    assert judge(servers(0.3, 1.0, loop_bound=True), "C10", options=SERVER_OPTIONS)["outcome"] == CONTRADICTED


def test_c4_a_pause_below_the_counters_resolution_never_contradicts():
    verdict = judge(churn(0.0001, 0.0, 0.0, python_work_s=0.0002), "C4")
    assert verdict["outcome"] == INCONCLUSIVE and "resolution" in verdict["predicates"][0]["reason"]


def test_memory_per_task_that_did_not_grow_gives_no_figure_rather_than_an_infinite_one():
    # At tiny sizes asyncio's peak can be the same at both task counts: its growth, the ratio's
    # denominator, is 0, and the bootstrap's interval ran from -inf to inf. That verdict could not be
    # stored (results.json is strict JSON) and the compare ended with exit 3.
    rows = [row("sleepers", "node", "promises", {"tasks": tasks}, memory=40e6 + 2_000 * tasks) for tasks in (10, 100)]
    rows += [row("sleepers", "python", "asyncio", {"tasks": tasks}, memory=30e6, jitter=0.0) for tasks in (10, 100)]
    verdict = judge(rows, "C13")
    json.dumps(verdict, allow_nan=False)  # raised ValueError: Out of range float values are not JSON compliant
    (per_task,) = [p for p in verdict["predicates"] if "memory per task" in p["statement"]]
    assert per_task["outcome"] == INCONCLUSIVE and per_task["figure"] is None


@pytest.mark.parametrize("check", ["at_least", "below", "within"])
@pytest.mark.parametrize("ends", [(float("inf"), 1.0, float("inf")), (1.0, float("-inf"), 2.0), (float("nan"), 0.5, 2.0),
                                  (1.5, 1.0, float("inf"))])  # an open end is no measurement unless one-sided
def test_a_figure_that_is_not_finite_is_no_measurement_whatever_the_predicate(check, ends):
    # Any figure with an infinite or undefined end, not only a bootstrap's, would have decided on
    # nothing (inf >= 1.2 is "Supported") and then ended the compare with exit 3 at results.json.
    from harness.judge import predicates
    from harness.judge.model import Figure

    estimate, low, high = ends
    figure = Figure("a ratio", estimate, low, high, "5 vs 5", "×")
    args = ((0.8, 1.25),) if check == "within" else (1.2,)
    found = getattr(predicates, check)("a statement", figure, *args)
    assert found.outcome == INCONCLUSIVE and found.figure is None and found.reason == predicates.NOT_MEASURED_HERE


# --- a ratio that only one end bounds (rows of 7 and 4 runs in a 3-10 design) ---

def one_sided_ratio(a_over_b=True):
    """A's 7 runs 2 x 1.1^i against B's 4 runs 1.001^j (a 3-10 design): only A's side bounds, at 1.998.

    The 2nd smallest of the differences of A's 6 kept runs and B's 4 (critical counts (2, open) at
    0.0131) is i = 0 against j = 2: 2 / 1.001^2. The first 4 runs of each row bound nothing (4 against
    4 never reaches the level), so the open end stays open."""
    from harness.analyse import sequential
    from harness.judge import predicates

    a, b = [2 * 1.1**i for i in range(7)], [1.001**j for j in range(4)]
    with predicates.at_level(sequential.Design(3, 10)):
        return predicates.ratio_figure("a ratio", *((a, b) if a_over_b else (b, a)))


def test_a_one_sided_ratio_decides_on_its_bounded_end_and_never_on_its_open_one():
    from harness.judge import predicates

    figure = one_sided_ratio()
    assert figure.low == pytest.approx(2 / 1.001**2) and figure.high == float("inf")
    assert figure.text().startswith("2.") and "(≥ 2.00×, one-sided), n=7 vs 4, significant" in figure.text()
    assert predicates.at_least("s", figure, 1.5).outcome == SUPPORTED
    assert predicates.below("s", figure, 1.5).outcome == CONTRADICTED
    assert predicates.within("s", figure, (0.67, 1.5)).outcome == CONTRADICTED
    # Past its bounded end, the open one cannot show a figure below a threshold: undecided, with a projection.
    undecided = predicates.below("s", figure, 4.0)
    assert undecided.outcome == INCONCLUSIVE and "straddles" in undecided.reason
    assert undecided.promise is not None and 0 <= undecided.promise <= 0.5


def test_the_mirror_one_sided_ratio_is_open_below():
    from harness.judge import predicates

    figure = one_sided_ratio(a_over_b=False)
    assert figure.low == 0.0 and figure.high == pytest.approx(1.001**2 / 2)
    assert "(≤ 0.501×, one-sided)" in figure.text()
    assert predicates.below("s", figure, 0.67).outcome == SUPPORTED
    assert predicates.at_least("s", figure, 0.3).outcome == INCONCLUSIVE


def test_a_one_sided_figure_is_stored_as_strict_json_and_reads_back_with_its_text():
    from harness.judge import predicates
    from harness.judge.model import Figure, Verdict
    from harness.report import tables

    figure = one_sided_ratio()
    verdict = Verdict("C13", "a claim", ["tcp_echo"], "native", SUPPORTED, [predicates.at_least("s", figure, 1.5)])
    stored = json.loads(json.dumps(verdict.to_dict(), allow_nan=False))
    assert stored["predicates"][0]["figure"]["high"] is None
    assert tables.figure_text(stored["predicates"][0]["figure"]) == figure.text()
    assert Figure(**stored["predicates"][0]["figure"]).open_ends() == (False, True)


def test_a_one_sided_ratio_below_one_is_still_one_sided_and_its_method_names_the_test():
    # A's 7 runs at 0.5 x 1.1^i against B's 4 at 1.001^j: bounded below at 0.5/1.001^2 = 0.499, open above.
    from harness.analyse import sequential
    from harness.judge import predicates
    from harness.judge.model import ONE_SIDED

    a, b = [0.5 * 1.1**i for i in range(7)], [1.001**j for j in range(4)]
    with predicates.at_level(sequential.Design(3, 10)):
        figure = predicates.ratio_figure("a ratio", a, b)
        two_sided = predicates.ratio_figure("a ratio", a[:5], b + [1.004])  # 5 against 5: both ends bound
    assert figure.low == pytest.approx(0.5 / 1.001**2) and figure.high == float("inf")
    assert figure.open_ends() == (False, True)
    assert figure.method.startswith("Hodges–Lehmann ratio, sequential Mann–Whitney interval")
    assert figure.method.endswith(ONE_SIDED)
    assert two_sided.low < 1 and two_sided.open_ends() == (False, False) and ONE_SIDED not in two_sided.method


def test_an_open_end_is_closed_by_the_look_at_each_rows_first_runs_when_that_bounds_it():
    # A's 7 runs 2 x 1.1^i against B's 6 runs 1.001^j in the 3-20 design: at 7 against 6 the later
    # level (0.0056) bounds only A's side, at the 3rd smallest difference of A's 6 kept runs and all of
    # B's 6 (a row keeps all its runs below 7): i = 0 against j = 3, 2 / 1.001^3. The look at each row's first 6 runs (6 against 6, all kept,
    # the early level 0.0079: counts (2, 2)) bounds both: its high end is the 2nd largest of
    # 2 x 1.1^i / 1.001^j over i, j in 0..5, i = 5 against j = 1: 2 x 1.1^5 / 1.001.
    from harness.analyse import sequential
    from harness.judge import predicates
    from harness.judge.model import ONE_SIDED

    a, b = [2 * 1.1**i for i in range(7)], [1.001**j for j in range(6)]
    with predicates.at_level(sequential.Design(3, 20)):
        figure = predicates.ratio_figure("a ratio", a, b)
    assert figure.low == pytest.approx(2 / 1.001**3)
    assert figure.high == pytest.approx(2 * 1.1**5 / 1.001)
    assert figure.open_ends() == (False, False) and ONE_SIDED not in figure.method
    assert figure.method.endswith("its open end from the first 6 runs of each row")
    assert figure.n == "7 vs 6"
    assert figure.significant  # against 1, on the closed interval: 1.99-3.22 excludes it


def test_a_ratio_whose_low_end_is_closed_by_the_first_runs_is_significant_on_that_end():
    # C4's case: A's 6 runs 2 x 1.1^i against B's 7 runs 1.001^j (3-20 design). At 6 against 7 (B keeps
    # its fastest 6) only the high end bounds: the 3rd largest difference, i = 5 against j = 2,
    # 2 x 1.1^5 / 1.001^2. The low end comes from the first 6 runs of each (counts (2, 2) at 0.0079):
    # the 2nd smallest, i = 0 against j = 4, 2 / 1.001^4. Significant against 1 on that closed end;
    # from the open interval (0 to 3.21) it would not be.
    from harness.analyse import sequential
    from harness.judge import predicates

    a, b = [2 * 1.1**i for i in range(6)], [1.001**j for j in range(7)]
    with predicates.at_level(sequential.Design(3, 20)):
        figure = predicates.ratio_figure("a ratio", a, b)
    assert figure.low == pytest.approx(2 / 1.001**4) and figure.high == pytest.approx(2 * 1.1**5 / 1.001**2)
    assert figure.significant is True
    assert "significant" in figure.text() and "not significant" not in figure.text()
    assert predicates.below("s", figure, 4.0).outcome == SUPPORTED  # the closed end decides it: 3.22 < 4


@pytest.mark.parametrize(("figure", "closed"), [
    ((3.0, 2.0, float("inf")), (2.0, 4.5)),  # open above: the high end mirrors 3/2 about 3 on the log scale
    ((0.5, 0.0, 0.625), (0.4, 0.625)),       # open below: 0.5/0.625 below 0.5
    ((2.0, 1.6, 3.0), (1.6, 3.0)),           # two-sided: as it is
])
def test_the_projections_mirror_an_open_end_from_the_bounded_one(figure, closed):
    from harness.judge import predicates
    from harness.judge.model import ONE_SIDED, Figure

    estimate, low, high = figure
    method = "Hodges–Lehmann ratio" + (f"; {ONE_SIDED}" if closed != (low, high) else "")
    found = predicates._closed(Figure("r", estimate, low, high, "7 vs 5", "×", True, method))
    assert (found.low, found.high) == pytest.approx(closed)
