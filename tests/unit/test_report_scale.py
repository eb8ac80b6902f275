"""The report's shortcuts for large runs give what the plain way gives: tables laid out and escaped
as tabulate and jinja2 would, plots capped with a note, the vectorised bootstrap's interval unchanged."""

import random
from pathlib import Path

import jinja2
import numpy as np
from tabulate import tabulate

from harness.analyse import figures, stats
from harness.report import html, markdown, plots
from harness.report.tables import Table

CELLS = ["1.23", "45.1 ±3%", "", "a|b", "<img src=x>", "x & y", "日本", "–", "×2", "'q'", '"d"', "e\u0301", "\x1fsep"]


def _random_rows(rng: random.Random, columns: int, rows: int) -> list:
    return [[rng.choice(CELLS) + rng.choice(["", " ", "7"]) for _ in range(columns)] for _ in range(rows)]


def test_github_table_is_what_tabulate_prints():
    rng = random.Random(3)
    for _ in range(300):
        columns = rng.randint(1, 5)
        rows = _random_rows(rng, columns, rng.randint(1, 6))
        headers = [rng.choice(CELLS[:6]) + str(i) for i in range(columns)]
        plain = [[cell for cell in row if "\x1f" not in cell] or ["x"] for row in rows]
        plain = [row + ["y"] * (columns - len(row)) for row in plain]
        assert markdown.github_table(plain, headers) == tabulate(plain, headers=headers, tablefmt="github",
                                                                 disable_numparse=True)


def test_a_table_escaped_at_once_is_escaped_cell_by_cell():
    rng = random.Random(5)
    for _ in range(100):
        rows = _random_rows(rng, 3, rng.randint(1, 5))
        once = markdown._escaped_rows(rows)
        assert once == [[markdown._cell(cell) for cell in row] for row in rows]


def test_the_html_table_body_is_what_the_template_loop_wrote():
    loop = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    loop.tests["numeric"] = html._numeric
    template = loop.from_string(
        "  {% for row in rows %}\n"
        '    <tr>{% for value in row %}<td{% if value is numeric %} class="num"{% endif %}>{{ value }}</td>{% endfor %}</tr>\n'
        "  {% endfor %}\n")
    rng = random.Random(7)
    for _ in range(100):
        rows = _random_rows(rng, 3, rng.randint(0, 5)) + [[1, None, -2.5]]
        assert str(html.table_body(rows)) == template.render(rows=rows)


def test_a_plot_keeps_each_programs_first_line_and_says_how_many_it_left_out():
    lines = {(f"p{program}", f"rep={rep}"): [] for rep in range(10) for program in range(3)}
    kept, left_out = plots.capped(lines)
    assert len(kept) == plots.MAX_LINES and left_out == len(lines) - plots.MAX_LINES
    assert {("p0", "rep=0"), ("p1", "rep=0"), ("p2", "rep=0")} <= set(kept)
    assert list(kept) == [key for key in lines if key in kept]  # in their order, so colours stay put
    few = dict(list(lines.items())[: plots.MAX_LINES])
    assert plots.capped(few) == (few, 0)


def test_a_sweep_of_many_cases_draws_a_capped_legend(tmp_path: Path, monkeypatch):
    # The note is text in the SVG; the PNG, drawn from the same figure, would double the test's
    # 0.3 s for nothing it checks (test_report's `report` command writes both formats).
    monkeypatch.setattr(plots, "FORMATS", ("svg",))
    records = [{"workload": "w", "language": "python", "variant": f"v{variant}", "backend": "native",
                "status": "ok", "params": {"n": n, "rep": rep}, "runs": [],
                "summary": {"peak_rss_bytes": {"median": n * 1e3, "ci_low": n * 9e2, "ci_high": n * 1.1e3, "n": 5}}}
               for variant in range(3) for rep in range(5) for n in (10, 100)]  # 15 lines: over MAX_LINES
    drawn = plots.memory_plot(records, "n", "w", tmp_path / "w-memory")
    assert drawn and all(path.exists() for path in drawn)
    assert f"{3 * 5 - plots.MAX_LINES} more lines not drawn" in (tmp_path / "w-memory.svg").read_text()


def test_the_vectorised_slope_bootstrap_gives_the_interval_of_the_plain_one(monkeypatch):
    monkeypatch.setattr(stats, "BOOTSTRAP_RESAMPLES", 500)  # the same resamples either way, whatever their number
    rng = np.random.default_rng(11)
    xs = [1000, 10_000, 100_000]
    sets = [list(rng.normal(x * 40 + 5e6, 2e4, size=7)) for x in xs]
    plain = stats.bootstrap_interval(sets, lambda *s: figures._least_squares_slope(xs, [float(np.median(v)) for v in s]))
    vectorised = stats.bootstrap_interval(sets, figures._slope_of_medians(xs), vectorized=True)
    assert plain is not None and vectorised is not None
    assert np.allclose(plain, vectorised, rtol=1e-12)


def test_a_remembered_comparison_is_the_same_comparison():
    a, b = [1.0, 1.1, 1.05, 0.98], [0.5, 0.52, 0.49, 0.51]
    assert stats.compare(a, b) == stats.compare(list(a), list(b))
    assert stats.compare(a, b) != stats.compare(b, a)


def test_a_table_of_one_column_and_an_empty_table_render():
    assert markdown.table(Table(["h"], [["<a>"]]), escaped=True).endswith("| &lt;a&gt; |")
    assert markdown.table(Table(["h"], []), escaped=True) == "(no rows)"
