"""The edges of analyse/ (verify, multiple) that the mutation check (README, development) found untested:
where a checksum/flag decision, a diff's significance call or its interval turns. Every expectation is
worked out by hand in a comment; scipy is asked only for a Student-t quantile at a hand-derived freedom.
"""

import math
from types import SimpleNamespace

import pytest
from scipy import stats as scipy_stats

from harness.analyse import multiple, verify
from harness.results.model import Status
from harness.run.measurement import Measurement

pytestmark = pytest.mark.unit


# --- verify: every flag is checked, not only up to the first that took ---

def test_a_flag_that_did_not_take_after_one_that_did_fails_the_row():
    program = SimpleNamespace(label="java/v", language="java", runtime_args=("-XX:+UseZGC", "-XX:-UseCompressedOops"))
    row = Measurement(SimpleNamespace(program=program))
    row.runs = [{"metrics": {"vm_option_UseZGC": 1, "vm_option_UseCompressedOops": 1}}]
    row.status = Status.OK
    verify.check_vm_options([row])
    # UseZGC took (1 = 1); UseCompressedOops was asked off (0) and is on (1): the row fails on the second.
    assert row.status == Status.FAILED and row.reason.startswith("-XX:-UseCompressedOops did not take")


# --- diff: bands, intervals and the error rate ---

def one(before, after, kind="time", **options):
    (change,) = multiple.diff_figures([multiple.Figure("k", kind, before, after)], **options).changes
    return change


@pytest.mark.parametrize(("after", "significant"), [(101.5, False), (103.0, True)])
def test_a_kind_without_a_band_of_its_own_gets_the_default_two_percent(after, significant):
    # "rate" is in neither MIN_CHANGE entry: its band is log 1.02. An exact 1.5 % change is inside it
    # (p = 1), an exact 3 % change is beyond it with no noise (p = 0).
    change = one([100.0, 100.0], [after, after], kind="rate")
    assert change.significant is significant and change.p_value == (0.0 if significant else 1.0)


def test_an_exact_change_has_an_interval_of_no_width():
    # Every run alike on both sides: the change is exactly 1.015, its interval 1.015 to 1.015.
    change = one([100.0, 100.0], [101.5, 101.5], kind="memory")
    assert change.low == pytest.approx(1.015) and change.high == pytest.approx(1.015) and change.ratio == pytest.approx(1.015)


def test_a_change_exactly_on_its_band_is_not_significant():
    # log 1.5 is exactly log1p(0.5) in floating point: the interval [1.5, 1.5] touches the band, not beyond it.
    change = one([1.0, 1.0], [1.5, 1.5], min_change={"time": 0.5})
    assert change.p_value == 1.0 and change.significant is False


def test_welch_freedom_when_neither_variance_is_one():
    # before logs 0, 1: mean 0.5, variance 0.5, / 2 runs = 0.25.
    # after logs 0, 0, 1.5: mean 0.5, squared deviations 0.25 + 0.25 + 1 = 1.5, variance 0.75, / 3 = 0.25.
    # Difference 0 (ratio 1), standard error sqrt(0.5), freedom 0.5^2 / (0.25^2 / 1 + 0.25^2 / 2) = 8/3.
    # One figure, no discovery: the interval is at max(0, 1) x 5 % / 1 = 5 %.
    change = one([1.0, math.e], [1.0, 1.0, math.exp(1.5)])
    half = scipy_stats.t.ppf(0.975, 8 / 3) * math.sqrt(0.5)
    assert change.ratio == pytest.approx(1.0)
    assert (change.low, change.high) == pytest.approx((math.exp(-half), math.exp(half)))
    assert change.p_value == 1.0  # the estimate 0 is inside the band


def test_the_freedom_mixes_each_figures_own_noise_with_the_drift_spread():
    # Five figures, each before logs 0, 0.1 and after logs d, d + 0.1 (c = 0.05 each side of its mean):
    # each side's variance 2 c^2 = 0.005, / 2 = 0.0025; error^2 = 0.005, own freedom 0.005^2 / (2 x 0.0025^2) = 2.
    # d = 0.3 + (-0.2, -0.1, 0, 0.1, 0.2): drift e^0.3, normal MAD s = 1.4826 x 0.1, tau^2 = s^2 - 0.005.
    # The largest's total^2 = 0.005 + tau^2 = s^2, freedom s^4 / (0.005^2 / 2 + tau^4 / 4).
    offsets = [-0.2, -0.1, 0.0, 0.1, 0.2]
    figures = [multiple.Figure(f"k{i}", "time", [1.0, math.exp(0.1)], [math.exp(0.3 + d), math.exp(0.4 + d)])
               for i, d in enumerate(offsets)]
    found = multiple.diff_figures(figures)
    s2 = (1.482602218505602 * 0.1) ** 2
    tau2 = s2 - 0.005
    freedom = s2**2 / (0.005**2 / 2 + tau2**2 / 4)  # about 5.71
    assert found.drifts["time"].spread == pytest.approx(math.sqrt(tau2), rel=1e-6)
    top = found.changes[4]
    assert not any(change.significant for change in found.changes)  # 0.2 is about 1.2 s beyond the band: chance
    half = scipy_stats.t.ppf(1 - 0.01 / 2, freedom) * math.sqrt(s2)  # 1 %: max(0, 1) x 5 % / 5 figures
    assert (top.low, top.high) == pytest.approx((math.exp(0.2 - half), math.exp(0.2 + half)), rel=1e-6)


def test_the_false_discovery_rate_asked_for_decides_and_sets_the_intervals_level():
    # before logs 0, 2 (standard error 1), after logs 3, 3: change e^2 on 1 degree of freedom (Cauchy).
    # p = 2 x sf(2 - log 1.02) = 1 - (2/pi) atan(1.9802) = 0.298: not a discovery at 5 %, one at 60 %.
    before, after = [1.0, math.e**2], [math.e**3, math.e**3]
    assert one(before, after).significant is False
    change = one(before, after, rate=0.6)
    assert change.p_value == pytest.approx(1 - 2 / math.pi * math.atan(2 - math.log1p(0.02)))
    assert change.significant is True
    # One discovery of one figure: the interval's level is 1 x 60 % / 1, half-width tan(pi x 0.2) = 0.7265.
    half = math.tan(math.pi * 0.2)
    assert (change.low, change.high) == pytest.approx((math.exp(2 - half), math.exp(2 + half)))


def test_zero_negative_missing_and_infinite_runs_are_left_out_of_a_diff():
    # Only 1 and e^2 (before) and e^2, e^2 (after) remain: the change e^1 of the single-figure case.
    change = one([1.0, 0.0, -1.0, None, math.inf, math.e**2], [math.e**2, 0.0, math.e**2])
    assert change.ratio == pytest.approx(math.e)
    # A zero leaves one usable run before: no Welch estimate, so the figure is left out.
    assert multiple.diff_figures([multiple.Figure("k", "time", [1.0, 0.0], [1.0, 2.0])]).changes == []


def test_a_drift_is_noted_beyond_its_own_kinds_band():
    # Five rows each exactly 1.015x: a drift of 1.5 %, beyond memory's 1 % band but inside time's 2 %.
    def five(kind):
        return multiple.diff_figures([multiple.Figure(f"k{i}", kind, [100.0, 100.0], [101.5, 101.5]) for i in range(5)])
    assert len(five("memory").notes()) == 1
    assert five("time").notes() == []
