"""Holm within a claim; BH, the smallest change worth reporting and drift control in diff."""

import numpy as np

from harness.analyse import multiple


def test_holm_on_a_hand_derived_example():
    # sorted: 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2: stop
    assert multiple.holm([0.01, 0.04, 0.03, 0.005]) == [True, False, False, True]
    assert multiple.holm([0.2, 0.3]) == [False, False]
    assert multiple.holm([0.02, 0.04]) == [True, True]  # 0.02 <= 0.025, then 0.04 <= 0.05


def test_holm_on_decisions_matches_holm_on_p_values():
    p_values = [0.01, 0.04, 0.03, 0.005]
    deciders = [lambda level, p=p: "above" if p <= level else "undecided" for p in p_values]
    decided = [d != "undecided" for d in multiple.holm_decisions(deciders)]
    assert decided == multiple.holm(p_values)


def test_benjamini_hochberg_on_hand_derived_examples():
    # thresholds i/4 x 0.05 = 0.0125, 0.025, 0.0375, 0.05
    assert multiple.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == [True, True, True, True]
    assert multiple.benjamini_hochberg([0.01, 0.02, 0.03, 0.2]) == [True, True, True, False]
    assert multiple.benjamini_hochberg([0.02, 0.03, 0.2, 0.4]) == [False, False, False, False]
    assert multiple.benjamini_hochberg([]) == []


def test_an_exact_small_change_is_never_significant_and_an_exact_large_one_is():
    figures = [multiple.Figure("tiny", "memory", [200e6] * 5, [200e6 * 1.0005] * 5),
               multiple.Figure("large", "memory", [200e6] * 5, [200e6 * 1.05] * 5)]
    result = multiple.diff_figures(figures)
    assert [c.significant for c in result.changes] == [False, True]
    assert result.changes[0].p_value == 1.0


def _drifted(slowdown, changed=None):
    rng = np.random.default_rng(5)
    figures = []
    for row in range(30):
        base = float(np.exp(rng.uniform(-4, 2)))
        factor = slowdown * (1.5 if row == changed else 1.0)
        figures.append(multiple.Figure(f"t{row}", "time", (base * rng.lognormal(0, 0.01, 5)).tolist(),
                                       (base * factor * rng.lognormal(0, 0.01, 5)).tolist()))
    return multiple.diff_figures(figures)


def test_a_uniform_slowdown_is_drift_not_thirty_changes():
    result = _drifted(1.2)
    assert result.significant() == []
    assert abs(result.drifts["time"].factor - 1.2) < 0.01
    assert result.drifts["time"].text().startswith("run-wide drift 1.20× in time")
    assert result.notes() == [result.drifts["time"].text()]
    assert _drifted(1.005).notes() == []  # within the 2 % band: nothing to say


def test_a_real_change_still_shows_beside_drift():
    result = _drifted(1.2, changed=3)
    assert [c.key for c in result.significant()] == ["t3"]
    assert 1.45 < result.significant()[0].relative < 1.55


def test_holm_over_a_claims_sequential_predicates():
    from harness.analyse import sequential

    fast = [1.00, 1.01, 0.99, 1.02, 1.00, 0.98, 1.01, 1.00]
    slow = [2.00, 2.02, 1.98, 2.01, 2.00, 1.99, 2.02, 2.00]
    near = [1.48, 1.55, 1.46, 1.52, 1.50, 1.53, 1.47, 1.51]

    def predicate(a, b, threshold):
        return lambda level: sequential.ratio_interval(a, b, sequential.Design(5, 10, alpha=level)).decide(threshold)
    decisions = multiple.holm_decisions([predicate(slow, fast, 1.5), predicate(near, fast, 1.5), predicate(fast, slow, 1.0)])
    assert decisions == ["above", "undecided", "below"]
