"""C4 per JVM collector: each collector variant a run has is its own predicate, named by the
collector its JVM reported, and a quick run (none of them) is judged exactly as before."""

import copy

from harness.judge.model import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from tests.unit.test_verdicts import churn, judge, row, spread_of

# The GC MXBeans each collector registers on JDK 25, as AllocChurn.java's metrics spell them.
BEANS = {
    "gc-zgc": ("zgc_minor_cycles", "zgc_minor_pauses", "zgc_major_cycles", "zgc_major_pauses"),
    "gc-serial": ("copy", "marksweepcompact"),
    "gc-shenandoah": ("shenandoah_pauses", "shenandoah_cycles"),
}
FLAGS = {"gc-zgc": "UseZGC", "gc-serial": "UseSerialGC", "gc-shenandoah": "UseShenandoahGC"}


def collector_row(variant, pause_s, cycles_s=0.0, work_s=0.1, status="ok", reason="", count=3):
    """A java alloc_churn row of a collector variant: ``pause_s`` in its pauses beans, ``cycles_s``
    in its concurrent cycles beans, and gc_pause_s the pauses beans only, as Kit.gcTotals reports."""
    record = row("alloc_churn", "java", variant, {"depth": 14}, status=status)
    record["reason"] = reason or record["reason"]
    for factor, run in zip(spread_of(0.01), record["runs"]):
        metrics = {"gc_pause_s": pause_s * factor, f"vm_option_{FLAGS[variant]}": 1}
        for bean in BEANS[variant]:
            share = (cycles_s if bean.endswith("cycles") else pause_s) / 2
            metrics |= {f"gc_{bean}_count": count, f"gc_{bean}_time_s": share * factor}
        run.update(ops=1_000_000, work_s=[work_s * factor / 2] * 2, metrics=metrics)
    return record


def with_g1_beans(rows):
    """churn's rows, with the JVM default row reporting G1's beans as a real run does."""
    for record in rows:
        if record["language"] == "java":
            for run in record["runs"]:
                run["metrics"] |= {"gc_g1_young_generation_count": 5, "gc_g1_young_generation_time_s": run["metrics"]["gc_pause_s"],
                                   "gc_g1_old_generation_count": 0, "gc_g1_old_generation_time_s": 0.0}
    return rows


def test_each_collector_variant_in_the_run_is_a_predicate_named_by_the_collector_its_jvm_reported():
    rows = with_g1_beans(churn(0.2, 0.01, 0.05)) + [collector_row("gc-zgc", 0.001), collector_row("gc-serial", 0.01)]
    verdict = judge(rows, "C4")
    statements = [p["statement"] for p in verdict["predicates"]]
    assert statements == [
        "reference counting takes longer per object than the JVM's G1 collector (binary trees, depth 14)",
        "reference counting takes longer per object than V8's collector (binary trees, depth 14)",
        "reference counting takes longer per object than the JVM's Serial collector (binary trees, depth 14)",
        "reference counting takes longer per object than the JVM's generational ZGC collector (binary trees, depth 14)",
    ]
    assert verdict["predicates"][3]["figure"]["label"] == "Python's refcount freeing / Java's generational ZGC collector pauses, per object"
    assert verdict["outcome"] == SUPPORTED and "Holm over its 4 predicates" in verdict["note"]
    assert "Java Serial: collector pauses" in verdict["note"] and "slower than every collector" in verdict["note"]


def test_zgcs_concurrent_cycles_are_not_counted_as_pauses():
    # 5 s of concurrent cycles against Python's whole 1 s: counted as pauses they would contradict the claim.
    rows = with_g1_beans(churn(0.2, 0.01, 0.05)) + [collector_row("gc-zgc", 0.001, cycles_s=5.0)]
    zgc = judge(rows, "C4")["predicates"][2]
    assert zgc["outcome"] == SUPPORTED
    assert zgc["figure"]["estimate"] > 100  # 0.2 s of freeing over 0.001 s of pauses


def test_one_collector_faster_than_reference_counting_contradicts_the_claim_and_is_named():
    rows = with_g1_beans(churn(0.2, 0.01, 0.05)) + [collector_row("gc-serial", 5.0, work_s=6.0)]
    verdict = judge(rows, "C4")
    assert [p["outcome"] for p in verdict["predicates"]] == [SUPPORTED, SUPPORTED, CONTRADICTED]
    assert verdict["outcome"] == CONTRADICTED and "Serial" in verdict["predicates"][2]["statement"]


def test_a_collector_variant_whose_row_failed_is_undecided_with_the_rows_reason():
    reason = "-XX:+UseShenandoahGC did not take: this JVM has no such option (it warned and ignored it)"
    failed = row("alloc_churn", "java", "gc-shenandoah", {"depth": 14}, status="failed") | {"reason": reason}
    verdict = judge(with_g1_beans(churn(0.2, 0.01, 0.05)) + [failed], "C4")
    shenandoah = verdict["predicates"][2]
    assert shenandoah["statement"] == "reference counting takes longer per object than the JVM's gc-shenandoah collector (binary trees, depth 14)"
    assert shenandoah["outcome"] == INCONCLUSIVE and shenandoah["reason"] == f"no ok java/gc-shenandoah row at depth 14: {reason}"
    assert verdict["outcome"] == INCONCLUSIVE


def test_a_quick_run_without_collector_variants_is_judged_as_before():
    quick = with_g1_beans(churn(0.2, 0.01, 0.05))
    quick += [copy.deepcopy(r) | {"variant": "heap256m"} for r in quick if r["language"] != "python"]
    verdict = judge(quick, "C4")
    assert [p["statement"] for p in verdict["predicates"]] == [
        "reference counting takes longer per object than the JVM's collector (binary trees, depth 14)",
        "reference counting takes longer per object than V8's collector (binary trees, depth 14)",
    ]
    assert [p["figure"]["label"] for p in verdict["predicates"]] == [
        "Python's refcount freeing / Java's collector pauses, per object",
        "Python's refcount freeing / Node's collector pauses, per object",
    ]
    assert verdict["outcome"] == SUPPORTED and "every collector" not in verdict["note"]
    assert "Java: collector pauses 10.0% of its time (g1 young generation)" in verdict["note"]
    # A --full variant the run skipped is not in it either.
    skipped = row("alloc_churn", "java", "gc-zgc", {"depth": 14}, status="skipped")
    assert judge(quick + [skipped], "C4") == verdict


def test_a_collector_that_collected_nothing_is_still_named_and_its_note_says_so():
    rows = with_g1_beans(churn(0.2, 0.01, 0.05)) + [collector_row("gc-shenandoah", 0.0, count=0)]
    verdict = judge(rows, "C4")
    assert "the JVM's Shenandoah collector" in verdict["predicates"][2]["statement"]
    assert "Java Shenandoah: collector pauses 0.0% of its time (no collection in its first run)" in verdict["note"]
    assert verdict["predicates"][2]["outcome"] == SUPPORTED  # 0 ms read as one whole tick: it may support, never contradict
