"""The forest plot of each answer (issue 28, point 6): thresholds read back from their text, panels by
unit, a log axis for ratios, the files written, and the links from the report's answers and sections.

Expectations are worked out by hand from the thresholds the judge writes (results/reference has
every kind: ``≥ 0.8 × T = 3.2``, ``within 0.67–1.5×``, ``peak < 25% of memory = 6,026 MiB``).
"""

from pathlib import Path

import pytest

from harness.judge import model
from harness.report import forest, html, markdown, tables

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("text,expected", [
    ("≥ 0.8 × T = 3.2", (3.2,)),                       # the number the figure is held to comes after "="
    ("≥ 0.8 × min(T, cores) = 1.6", (1.6,)),
    ("peak < 25% of memory = 6,026 MiB", (6026.0,)),    # thousands separators go
    ("< 1% of m = 4,000", (4000.0,)),
    ("within 0.67–1.5×", (0.67, 1.5)),                 # a band: both ends
    ("≥ 90% of what they held", (0.9,)),               # a percentage is a fraction, as the figure is
    ("< 0.1 of eager's growth", (0.1,)),
    ("≥ 4 B per item", (4.0,)),
    ("> 1.00×", (1.0,)),
    ("< 1.25× the event loop's", (1.25,)),
    ("shown only", ()),
])
def test_the_threshold_is_read_back_from_its_text(text, expected):
    assert forest.threshold_values(text) == pytest.approx(expected)


def figure(estimate, low, high, unit="×", method="test"):
    return {"label": "x", "estimate": estimate, "low": low, "high": high, "n": "5 vs 5", "unit": unit,
            "significant": None, "method": method}


# As results.json stores a ratio that only its lower end bounds (rows of 7 and 5 runs): the high end is null.
ONE_SIDED = figure(1.9, 1.62, None, method=f"Hodges–Lehmann ratio, sequential Mann–Whitney interval; {model.ONE_SIDED}")


def predicate(statement, threshold, outcome, found=None, reason=""):
    return {"statement": statement, "threshold": threshold, "outcome": outcome, "figure": found, "reason": reason}


C1_LIKE = [
    predicate("list grows", "≥ 4 B per item", "Supported", figure(40.0, 39.0, 41.0, " B")),
    predicate("generator flat", "< 0.1 of eager's growth", "Supported", figure(-0.01, -0.02, 0.01)),
    predicate("array grows", "≥ 4 B per item", "Supported", figure(85.0, 84.0, 86.0, " B")),
    predicate("stream flat", "< 0.1 of eager's growth", "Inconclusive"),  # no figure: joins its threshold's panel
]


def test_panels_group_predicates_by_unit_in_order():
    groups = forest.panels(C1_LIKE)
    assert [[p["statement"] for p in group] for group in groups] == [["list grows", "array grows"],
                                                                     ["generator flat", "stream flat"]]


def test_an_open_end_runs_to_the_panels_edge_and_leaves_the_limits_alone():
    plt = forest._pyplot()
    drawn, axes = plt.subplots()
    try:
        axes.set_xlim(0.5, 4.0)
        forest._bar(axes, 0, ONE_SIDED, "green")
        (segment,) = axes.collections[0].get_segments()
        assert [x for x, _ in segment] == [1.62, 4.0]
        assert axes.get_xlim() == (0.5, 4.0)
        below = {**ONE_SIDED, "low": 0.0, "high": 1.2}  # the mirror: open below, at 0 on a ratio's scale
        forest._bar(axes, 1, below, "green")
        assert [x for x, _ in axes.collections[1].get_segments()[0]] == [0.5, 1.2]
    finally:
        plt.close(drawn)


def test_a_one_sided_ratio_keeps_its_panel_on_a_log_axis():
    assert forest.log_scale([predicate("a", "≥ 1.5×", "Supported", ONE_SIDED)])


def test_ratios_above_zero_go_on_a_log_axis_and_others_do_not():
    ratios = [predicate("a", "≥ 0.8×", "Supported", figure(1.1, 0.9, 1.3)), predicate("b", "within 0.67–1.5×", "Inconclusive")]
    assert forest.log_scale(ratios)
    assert not forest.log_scale([C1_LIKE[1]])  # a ratio below zero: a linear axis
    assert not forest.log_scale([C1_LIKE[0]])  # bytes are not a ratio


def verdict(claim_id="C10", outcome="Contradicted", predicates=None):
    return {"claim_id": claim_id, "claim": "A claim.", "workloads": ["http_hello"], "backend": "native",
            "outcome": outcome, "note": "", "runtime": "",
            "predicates": predicates or [
                predicate("threads req/s", "≥ 0.8× the event loop's", "Contradicted", figure(0.35, 0.27, 0.47)),
                predicate("threads CPU per request", "< 1.25× the event loop's", "Contradicted", figure(2.56, 2.23, 3.33)),
                predicate("echo req/s", "≥ 0.8× the event loop's", "Inconclusive", reason="a row is missing or not ok"),
                predicate("echo CPU per request", "≥ 1.5×", "Supported", ONE_SIDED)]}


def document(verdicts):
    return {"schema": 2, "run_id": "r1", "verdicts": verdicts, "measurements": [], "environment": {}}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """write_all of a judged verdict and an unmeasured one (each judged one through forest.draw),
    drawn once for the tests that read it (0.25 s a drawing): (the folder, the files it wrote)."""
    folder = tmp_path_factory.mktemp("plots")
    unmeasured = {**verdict("C5", "Not measured", [predicate("p", "< 1.20", "Inconclusive")]), "workloads": ["cpu_scaling"]}
    return folder, forest.write_all(document([verdict(), unmeasured]), folder)


def test_a_verdict_is_drawn_as_png_and_svg_with_its_figures_in_words(written):
    folder, _ = written
    svg = (folder / "forest-c10.svg").read_text()
    assert "C10: Contradicted" in svg and "2.56× (2.23–3.33)" in svg  # text stays text in the SVG
    assert "no figure: a row is missing or not ok" in svg
    assert "1.90× (≥ 1.62×, one-sided)" in svg  # a one-sided figure is drawn too, its open end in words
    assert (folder / "forest-c10.png").read_bytes()[:4] == b"\x89PNG"


def test_write_all_draws_each_judged_verdict_by_its_anchor_and_skips_the_unmeasured(written):
    folder, paths = written
    assert sorted(path.name for path in paths) == ["forest-c10.png", "forest-c10.svg"]
    assert sorted(path.name for path in folder.iterdir()) == ["forest-c10.png", "forest-c10.svg"]


def test_the_report_shows_each_forest_plot_and_the_answers_link_to_it(written):
    built = tables.build(document([verdict()]))
    page = html.render(built, written[0])
    assert 'href="#forest-c10"' in page and 'id="forest-c10"' in page
    assert page.count("data:image/svg+xml;base64,") == 1
    text = markdown.render(built, link_prefix="reference/")
    assert "**Contradicted** ([plot](reference/plots/forest-c10.png))" in text
    assert "](reference/plots/forest-c10.png)\n" in text  # the picture in the claim's section


def test_a_page_rendered_without_its_plots_leaves_them_out(tmp_path: Path):
    built = tables.build(document([verdict()]))
    assert 'id="forest-c10"' not in html.render(built, tmp_path / "none")
