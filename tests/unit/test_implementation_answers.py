"""Answers per implementation: "C11 on bun" shows a figure Bun's rows entered, and a claim whose
programs PyPy skipped reads "not judged on pypy: <why>", not "not measured".

Rows are small and in memory: a few runs of each program with chosen times or memory.
"""

import pytest

from harness.judge import verdicts
from harness.judge.verdicts import CONTRADICTED, NOT_MEASURED, SUPPORTED
from harness.report import markdown, tables

pytestmark = pytest.mark.unit

GIB = 2**30
CPYTHON = {"version": "3.11.7", "gil": True, "tag": "3.11"}
PYPY = {"version": "3.9.16", "gil": True, "tag": "pypy", "implementation": "pypy"}
NODE = {"version": "20.1.0", "tag": "20"}
BUN = {"version": "1.4.5", "tag": "bun", "implementation": "bun"}
# Five runs a row, planned as such: the sequential interval can decide at that count.
OPTIONS = {"min_runs": 5, "max_runs": 5}
SKIPPED = "not available: needs Python 3.11 (asyncio.Runner); pypy here is Python 3.9.16"


def row(workload, language, variant, params, runtime="", time=None, memory=None, status="ok", reason=""):
    """A row of five runs spread by ±1 % about ``time`` (warm seconds) or ``memory`` (bytes)."""
    runs = []
    for factor in (0.99, 1.0, 1.01, 0.995, 1.005):
        run = {"metrics": {}}
        if time is not None:
            run["work_warm_s"] = time * factor
        if memory is not None:
            run["cgroup_peak_bytes"] = memory * factor
        runs.append(run)
    found = {"workload": workload, "family": "", "language": language, "variant": variant, "backend": "native",
             "params": params, "status": status, "reason": reason, "runs": runs if status == "ok" else [], "summary": {}}
    return {**found, "runtime": runtime} if runtime else found


def scaling(python="3.11", node="20", processes=1.9, workers=1.9, java=True):
    """cpu_scaling at 1 and 2 workers: Python threads (no speedup) and processes, Node workers, Java threads."""
    programs = [("python", "threads", 1.0, 20_000, python), ("python", "processes", processes, 20_000, python),
                ("node", "workers", workers, 1_000_000, node)] + ([("java", "threads", 1.9, 1_000_000, "")] if java else [])
    return [row("cpu_scaling", language, variant, {"steps": steps, "threads": threads}, runtime, time=1.0 / (speedup if threads == 2 else 1))
            for language, variant, speedup, steps, runtime in programs for threads in (1, 2)]


def sleepers(python="3.11", asyncio_skipped=False, node="20", per_thread=70e3):
    """sleepers at 1,000 and 10,000: Python threads and asyncio, Node promises, Java platform and virtual threads."""
    found = []
    for language, variant, per_task, runtime in (("python", "threads", per_thread, python), ("python", "asyncio", 2e3, python),
                                                 ("java", "platform", 60e3, ""), ("java", "virtual", 3e3, ""),
                                                 ("node", "promises", 1.5e3, node)):
        for tasks in (1000, 10_000):
            if asyncio_skipped and variant == "asyncio":
                found.append(row("sleepers", language, variant, {"tasks": tasks}, runtime, status="skipped", reason=SKIPPED))
            else:
                found.append(row("sleepers", language, variant, {"tasks": tasks}, runtime, memory=20e6 + per_task * tasks))
    return found


def environment(python=(CPYTHON,), node=(NODE,)):
    """A 2-core, 8 GiB machine whose chosen runtimes are these, the first of each language first."""
    return {"cores_available": 2, "memory_total_bytes": 8 * GIB, "runtimes": {"python": python[0], "node": node[0]},
            "runtime_versions": {"python": {info["tag"]: info for info in python}, "node": {info["tag"]: info for info in node}}}


def judged(rows, env):
    """Every verdict of a run of these rows, as results.json stores them."""
    return verdicts.judge_all({"measurements": rows, "environment": env, "options": OPTIONS})


def of(found, claim_id):
    """``{runtime: verdict}`` of one claim ("" for the first runtimes)."""
    return {v["runtime"]: v for v in found if v["claim_id"] == claim_id}


def answer(found, name):
    """The answers table's row named ``C11 on bun``: [claim, text, outcome, key figure]."""
    [line] = [r for r in tables.answers_table(found).rows if r[0] == name]
    return line


# ---------------------------------------------------------------- (a) the key figure involves the implementation


def test_c11_on_bun_shows_bun_workers_not_the_python_figure_every_row_repeats():
    rows = scaling(workers=1.9) + [r for r in scaling(node="bun", workers=1.5) if r["language"] == "node"]
    found = judged(rows, environment(node=(NODE, BUN)))
    first, bun = of(found, "C11")[""], of(found, "C11")["bun"]
    assert bun["runtime_predicates"] == [1], "Python's processes figure is the first version's: only Node's is Bun's"
    assert tables.key_figure(first).startswith("python/processes speedup")
    assert answer(found, "C11 on bun")[3].startswith("node/workers speedup at 2 workers: 1.5")


def test_c11_on_pypy_shows_pypy_processes_saying_it_did_not_decide_the_claim():
    # Node's workers contradict "no parallel JavaScript" on every Python; PyPy's processes give no speedup.
    rows = scaling(processes=1.9) + [r for r in scaling(python="pypy", processes=1.0) if r["language"] == "python"]
    found = judged(rows, environment(python=(CPYTHON, PYPY)))
    pypy = of(found, "C11")["pypy"]
    assert pypy["outcome"] == CONTRADICTED and pypy["runtime_predicates"] == [0]
    figure = answer(found, "C11 on pypy")[3]
    assert figure.startswith("python/processes speedup at 2 workers: 1.00") and figure.endswith("; this predicate Supported")


def test_a_further_implementation_that_entered_no_figure_is_not_judged_again():
    """Bun's rows alike to Node's in every figure C11 uses: nothing new to say (compared by estimate and n,
    not by the interval, which Holm may build at another level)."""
    rows = scaling() + [r for r in scaling(node="bun") if r["language"] == "node"]
    assert set(of(judged(rows, environment(node=(NODE, BUN))), "C11")) == {""}


def test_first_versions_store_no_runtime_predicates_and_old_files_keep_their_key_figure():
    found = judged(scaling(), environment())
    assert all("runtime_predicates" not in v for v in found), "results.json of one runtime per language is unchanged"
    old = {**of(judged(scaling(workers=1.9) + [r for r in scaling(node="bun", workers=1.5) if r["language"] == "node"],
                       environment(node=(NODE, BUN))), "C11")["bun"]}
    del old["runtime_predicates"]  # a verdict stored before verdicts named them: shown as before
    assert tables.key_figure(old).startswith("python/processes speedup")


def figure(label, estimate):
    return {"label": label, "estimate": estimate, "low": estimate * 0.9, "high": estimate * 1.1, "n": "5 vs 5", "unit": "×"}


def test_key_figure_of_a_stored_verdict_on_another_implementation():
    predicates = [{"statement": "JVM", "threshold": "> 1", "outcome": SUPPORTED, "figure": figure("Python/Java", 13.5)},
                  {"statement": "V8", "threshold": "> 1", "outcome": SUPPORTED, "figure": figure("Python/Node", 7.5)}]
    verdict = {"claim_id": "C4", "runtime": "bun", "outcome": SUPPORTED, "predicates": predicates, "runtime_predicates": [1]}
    assert tables.key_figure(verdict).startswith("Python/Node: 7.50×")
    assert tables.key_figure({**verdict, "runtime_predicates": []}) == "none of its figures involves bun"
    assert tables.key_figure({**verdict, "runtime_predicates": [7, "x"]}) == "none of its figures involves bun"
    assert tables.key_figure({**verdict, "runtime_predicates": None}).startswith("Python/Java")


# ---------------------------------------------------------------- (b) not judged on an implementation that skipped its programs


def pypy_sleepers():
    """sleepers on CPython and on PyPy, whose asyncio programs are skipped (it is Python 3.9)."""
    rows = sleepers() + [r for r in sleepers(python="pypy", asyncio_skipped=True, per_thread=20e3) if r["language"] == "python"]
    return judged(rows, environment(python=(CPYTHON, PYPY)))


def test_c13_on_pypy_is_not_judged_with_the_reason_its_asyncio_rows_were_skipped():
    found = pypy_sleepers()
    c13 = of(found, "C13")
    assert c13[""]["outcome"] == SUPPORTED
    assert c13["pypy"]["outcome"] == NOT_MEASURED and c13["pypy"]["predicates"] == []
    assert c13["pypy"]["note"] == "not judged on pypy: needs Python 3.11 (asyncio.Runner); pypy here is Python 3.9.16"
    assert answer(found, "C13 on pypy")[2:] == ["not judged", c13["pypy"]["note"]]
    assert answer(found, "C13")[2] == SUPPORTED
    assert "C13 on pypy" not in [detail.heading.split(":")[0] for detail in _details(found)]


def test_c9_on_pypy_is_still_judged_on_its_threads_with_asyncio_skipped():
    c9 = of(pypy_sleepers(), "C9")["pypy"]
    assert c9["outcome"] != NOT_MEASURED
    assert tables.key_figure(c9).startswith("python/threads peak at 10,000")


def test_the_not_judged_row_links_to_nothing_in_the_markdown():
    found = pypy_sleepers()
    table = tables.answers_table(found)
    text = markdown._answers(table)
    [line] = [line for line in text.splitlines() if "C13 on pypy" in line]
    assert "](#" not in line and "plot" not in line and "not judged on pypy: needs Python 3.11" in line


def test_a_claim_no_runtime_measured_still_reads_not_measured_in_this_run():
    found = pypy_sleepers()
    assert answer(found, "C1")[2] == "not measured in this run"


def _details(found):
    return [tables.claim_detail(v, False) for v in verdicts.measured(found)]


# ---------------------------------------------------------------- (c) outcomes per implementation, side by side


def test_outcomes_side_by_side_one_column_per_further_runtime():
    rows = (scaling(workers=1.9) + sleepers() + [r for r in scaling(node="bun", workers=1.5) if r["language"] == "node"]
            + [r for r in sleepers(python="pypy", asyncio_skipped=True, per_thread=20e3) if r["language"] == "python"])
    env = environment(python=(CPYTHON, PYPY), node=(NODE, BUN))
    found = judged(rows, env)
    table = tables.implementations_table(found, env)
    assert table.headers == ["claim", "first (python 3.11, node 20)", "pypy", "bun"]
    by_claim = {line[0]: line[1:] for line in table.rows}
    assert by_claim["C13"] == [SUPPORTED, "not judged", "—"]
    assert "bun" not in of(found, "C13"), "Bun ran none of C13's workloads: nothing to judge again, not an Inconclusive"
    assert by_claim["C11"][1] == "—" and by_claim["C11"][2] == CONTRADICTED  # PyPy's processes row is not in this run
    assert "C1" not in by_claim and "C7" not in by_claim, "a claim judged on the first runtimes alone has no row"
    text = markdown.render(tables.build({"run_id": "x", "measurements": rows, "environment": env, "options": OPTIONS,
                                         "schema": 2, "verdicts": found}))
    assert "### Implementations side by side" in text


def test_no_side_by_side_table_when_each_language_ran_on_one_runtime():
    env = environment()
    assert tables.implementations_table(judged(scaling(), env), env) is None


def test_c9_on_pypy_with_threads_failed_and_asyncio_skipped_is_judged_showing_the_failure():
    rows = sleepers() + [dict(r, status="mismatch", runs=[], reason="at most 5238 threads were seen at once")
                         if r["variant"] == "threads" and r["params"]["tasks"] == 10_000 else r
                         for r in sleepers(python="pypy", asyncio_skipped=True, per_thread=20e3) if r["language"] == "python"]
    c9 = of(judged(rows, environment(python=(CPYTHON, PYPY))), "C9")["pypy"]
    assert c9["outcome"] == CONTRADICTED, "judged: Java's platform threads contradict it on every Python"
    key = tables.key_figure(c9)
    assert "5238 threads" in key and key.endswith("; this predicate Inconclusive"), "PyPy's failed row, not only its skip"
