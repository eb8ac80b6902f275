"""An open-loop window whose generator fell behind its schedule reports no p99 as the server's.

Latency in an open loop counts from when each request was due, so a generator that could not send
on time (a whole-suite run at load average 3,000 answered 2,237 of 2,755 due req/s) adds its own
lag to every request: that p99 is not the server's.
"""

import pytest

from harness.run.measurement import _load_figures

pytestmark = pytest.mark.unit


def window(fraction, target, answered, p99, kept):
    return {"fraction": fraction, "target_rps": target, "requests_per_s": answered, "schedule_kept": kept,
            "latency_us": {"p99": p99}, "errors": 0, "error_kinds": {}}


def load(*windows):
    return {"requests_per_s": 3000.0, "latency_us": {"p50": 100, "p99": 900}, "open_loop": list(windows)}


def test_a_kept_schedule_gives_its_p99():
    figures = _load_figures(load(window(0.5, 1500, 1499, 80_000, True), window(0.8, 2400, 2390, 95_000, True)))
    assert (figures["open_p99_at_50_us"], figures["open_p99_at_80_us"]) == (80_000, 95_000)


def test_a_window_behind_its_schedule_gives_none():
    figures = _load_figures(load(window(0.5, 1500, 1499, 80_000, True), window(0.8, 2755, 2237, 400_000, False)))
    assert figures["open_p99_at_50_us"] == 80_000
    assert figures["open_p99_at_80_us"] is None


def test_a_run_recorded_before_the_field_keeps_its_p99():
    old = window(0.8, 2400, 2390, 95_000, True)
    del old["schedule_kept"]
    assert _load_figures(load(old))["open_p99_at_80_us"] == 95_000
