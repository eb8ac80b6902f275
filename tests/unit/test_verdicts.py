"""Verdicts follow the figures: the same code confirms or refutes a claim depending on the data."""

from harness import verdicts


def row(variant, memory, left, pause=0.1, count=10):
    metric = lambda v: {"median": v}  # noqa: E731 - a tiny summary shape
    return {
        "workload": "cyclic_garbage", "language": "python", "variant": variant, "status": "ok", "params": {"m": 1000},
        "summary": {"cgroup_peak_bytes": {"median": memory},
                    "metrics": {"uncollected_objects": metric(left), "gc_pause_s": metric(pause), "gc_count": metric(count)}},
    }


def test_cycles_left_behind_with_the_collector_off_confirm_the_claim():
    text = verdicts.verdict("cyclic_garbage", [row("gc_on", 10e6, 5), row("gc_off", 300e6, 4000)])
    assert text.startswith("Confirmed: ") and "300 MB" in text and "4,000 objects" in text


def test_no_growth_with_the_collector_off_does_not_confirm_it():
    text = verdicts.verdict("cyclic_garbage", [row("gc_on", 10e6, 5), row("gc_off", 11e6, 5)])
    assert text.startswith("Not confirmed in this run: ")


def test_a_verdict_needs_its_rows():
    assert verdicts.verdict("cyclic_garbage", [row("gc_on", 10e6, 5)]) is None
    assert verdicts.verdict("no_such_workload", []) is None
