"""Native and containers side by side (issue 31, point 3): a claim judged on both backends whose key
figure's intervals do not overlap is named with the settings that differ, from hand-built documents."""

import pytest

from harness.analyse import backends
from harness.report import html, markdown, tables

pytestmark = pytest.mark.unit

GIB = 2**30


def figure(estimate, low, high, label="Python's refcount freeing / Java's collector pauses, per object"):
    return {"label": label, "estimate": estimate, "low": low, "high": high, "n": "3 vs 3", "unit": "×",
            "significant": True, "method": "ratio of geometric means"}


def verdict(backend, first, outcome="Supported", claim="C4", second=None, runtime=""):
    predicates = [{"statement": "refcounting vs the JVM", "threshold": "> 1.00×", "outcome": outcome, "figure": first,
                   "reason": ""}]
    if second:
        predicates.append({"statement": "refcounting vs V8", "threshold": "> 1.00×", "outcome": outcome,
                           "figure": second, "reason": ""})
    return {"claim_id": claim, "claim": "Refcounting is slower.", "workloads": ["alloc_churn"], "backend": backend,
            "outcome": outcome, "predicates": predicates, "note": "", "runtime": runtime}


def environment(java_native=None, java_image=None, memory_bytes=None, cpuset="all"):
    java = {"version": "21.0.8", "heap_args": ["-Xms64m", "-Xmx1g"], "max_heap_bytes": GIB, "collector": "G1",
            "executable": "/usr/bin/java"}
    python = {"version": "3.13.5", "gc_thresholds": [2000, 10, 10], "executable": "/usr/bin/python3"}
    image = {"tag": "runtime-lab/java:latest", "id": "sha256:0123456789abcdef"}
    return {
        "cores_available": 2, "memory_limit_bytes": None, "memory_total_bytes": 8 * GIB,
        "harness_cgroup_limits": {"cpu.cfs_quota_us": "-1"},
        "runtimes": {"java": {**java, **(java_native or {})}, "python": python},
        "backends": {"native": {}, "docker": {
            "engine_host": {"cpus": 2},
            "limits": {"cpus": None, "cpuset": cpuset, "memory_bytes": memory_bytes, "swap_bytes": 0, "pids": 16384},
            "runtimes": {"java": {**java, "image": image, **(java_image or {})},
                         "python": {**python, "image": {"tag": "runtime-lab/python:latest"}}},
        }},
    }


def rows(*languages):
    return [{"workload": "alloc_churn", "language": language, "backend": backend}
            for language in languages for backend in ("native", "docker")]


def document(verdicts, env=None, records=None):
    return {"schema": 2, "run_id": "r1", "verdicts": verdicts, "environment": env or environment(),
            "measurements": records if records is not None else rows("python", "java")}


def test_figures_whose_intervals_do_not_overlap_are_apart_with_the_settings_that_differ():
    env = environment(java_native={"version": "25.0.3"}, java_image={"collector": "Serial"}, memory_bytes=GIB)
    found = backends.compare(document([verdict("native", figure(15.7, 13.7, 18.1)),
                                       verdict("docker", figure(6.71, 4.88, 9.22))], env))
    assert found.alike == [] and len(found.apart) == 1
    apart = found.apart[0]
    assert (apart.claim_id, apart.statement, apart.outcomes) == ("C4", "refcounting vs the JVM", ("Supported", "Supported"))
    assert (apart.native["estimate"], apart.docker["estimate"]) == (15.7, 6.71)
    named = {s.name: (s.native, s.docker) for s in apart.settings}
    assert named == {"java version": ("25.0.3", "21.0.8"), "java collector": ("G1", "Serial"),
                     "java runs from": ("/usr/bin/java", "image runtime-lab/java:latest (0123456789ab)"),
                     "memory limit": ("none (the machine's 8.0 GiB)", "1.0 GiB, no swap")}


def test_overlapping_intervals_agree_even_when_the_estimates_differ():
    found = backends.compare(document([verdict("native", figure(15.7, 9.0, 18.1)),
                                       verdict("docker", figure(6.71, 4.88, 9.0))]))  # touching counts
    assert found.apart == [] and found.alike == ["C4"]


def test_a_stored_open_upper_end_reaches_every_figure_above_its_bounded_one():
    # A one-sided ratio is stored with "high": null (results.json has no infinity): open above, it
    # overlaps any figure above its low end, and is apart only from one wholly below it.
    open_above = figure(20.0, 13.7, None)
    assert backends.overlap(open_above, figure(40.0, 30.0, 50.0)) and backends.overlap(figure(40.0, 30.0, 50.0), open_above)
    assert not backends.overlap(open_above, figure(6.71, 4.88, 9.22))
    assert backends.overlap(open_above, open_above)


def test_the_key_figure_is_the_native_deciding_predicate_matched_by_statement():
    # Natively the first predicate decided; in containers only the second predicate is apart: not the key.
    native = verdict("native", figure(15.7, 13.7, 18.1), second=figure(7.0, 4.5, 11.0, "per V8"))
    docker = verdict("docker", figure(14.0, 10.0, 19.0), second=figure(30.0, 20.0, 40.0, "per V8"))
    assert backends.compare(document([native, docker])).alike == ["C4"]
    # With a differing outcome the key is still the native verdict's deciding predicate (its first figure).
    contradicted = verdict("docker", figure(0.5, 0.3, 0.8), outcome="Contradicted")
    apart = backends.compare(document([native, contradicted])).apart[0]
    assert apart.outcomes == ("Supported", "Contradicted") and apart.docker["estimate"] == 0.5


def test_a_claim_needs_both_backends_and_runtimes_pair_by_tag():
    only_native = [verdict("native", figure(2, 1, 3)), verdict("docker", figure(9, 8, 10), outcome="Not measured")]
    assert backends.compare(document(only_native)) is None
    tagged = [verdict("native", figure(2, 1, 3), runtime="python3.13t"), verdict("docker", figure(9, 8, 10))]
    assert backends.compare(document(tagged)) is None  # a chosen version is never set against the default
    both = tagged + [verdict("docker", figure(9, 8, 10), runtime="python3.13t")]
    assert [a.runtime for a in backends.compare(document(both)).apart] == ["python3.13t"]


def test_only_the_claims_languages_and_the_run_wide_limits_are_named():
    env = environment(java_native={"version": "25.0.3"}, cpuset="0")
    found = backends.compare(document([verdict("native", figure(15.7, 13.7, 18.1)),
                                       verdict("docker", figure(6.71, 4.88, 9.22))], env, rows("python")))
    assert [s.name for s in found.apart[0].settings] == ["CPUs"]  # java's version differs, but no java row
    assert [s.name for s in found.settings] == ["java version", "java runs from", "CPUs"]
    assert (found.settings[-1].native, found.settings[-1].docker) == ("2 cores, no limit", "cpuset 0, no limit")


def test_identical_settings_are_not_listed_and_a_memory_limit_is_one_natively_too():
    assert backends.differing_settings(environment()) == []  # no limit on either side
    limited = {**environment(memory_bytes=4 * GIB), "memory_limit_bytes": 4 * GIB}
    assert backends.differing_settings(limited) == []


def test_the_report_shows_the_section_in_markdown_and_html(tmp_path):
    # No rows (the report would need whole ones): only the run-wide memory limit is the claim's.
    env = environment(java_image={"collector": "Serial"}, memory_bytes=GIB)
    built = tables.build(document([verdict("native", figure(15.7, 13.7, 18.1)),
                                   verdict("docker", figure(6.71, 4.88, 9.22))], env, records=[]))
    text = markdown.render(built)
    section = text[text.index("## Native and containers"):text.index("## Environment")]
    assert "| C4 " in section and "15.7× (13.7–18.1), n=3 vs 3: Supported" in section
    assert "6.71× (4.88–9.22), n=3 vs 3: Supported" in section and "| memory limit " in section
    assert "| java collector | G1 " in section
    page = html.render(built, tmp_path)
    assert '<h2 id="native-and-containers">Native and containers</h2>' in page and "<td>Serial</td>" in page


def test_agreeing_backends_give_one_sentence_and_a_native_only_run_no_section(tmp_path):
    agreeing = document([verdict("native", figure(2, 1, 3)), verdict("docker", figure(2.5, 1.5, 3.5))], records=[])
    text = markdown.render(tables.build(agreeing))
    assert "## Native and containers\n\nEvery claim judged on both backends (C4) has a key figure whose 95 % " in text
    assert "| setting" not in text  # no setting differs in the hand-built environment
    native_only = tables.build(document([verdict("native", figure(2, 1, 3))], records=[]))
    assert "Native and containers" not in markdown.render(native_only)
    assert "native-and-containers" not in html.render(native_only, tmp_path)


def test_overlapping_intervals_on_either_side_of_a_threshold_are_named_with_their_outcomes():
    both = document([verdict("native", figure(22.0, 12.3, 68.5), outcome="Inconclusive", claim="C12"),
                     verdict("docker", figure(10.4, 8.15, 19.3), claim="C12")], records=[])
    assert backends.compare(both).alike_but_decided_apart() == {"C12": ("Inconclusive", "Supported")}
    text = markdown.render(tables.build(both))
    assert "Within overlapping intervals, C12 is Inconclusive natively and Supported in containers." in text
