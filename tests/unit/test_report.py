"""Markdown, CSV, HTML and plots rendered from a fixture results.json alone."""

import csv
import io
import json
import re
import shutil
from pathlib import Path

from harness import report
from harness.analyse import figures
from harness.report import tables
from tests.conftest import main_in_process

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "results.json"


def document():
    return json.loads(FIXTURE.read_text())


def markdown_tables(text: str) -> list:
    """Each GitHub table of a Markdown text, as its header row and rows of cells."""
    found, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip("|").split("|")])
        elif current:
            found.append([current[0]] + current[2:])
            current = []
    return found


def test_the_answers_table_is_the_first_table_and_lists_every_claim():
    text = report.render_markdown(document())
    first = markdown_tables(text)[0]
    assert first[0][:3] == ["claim", "", "outcome"]
    assert [row[0].split("]")[0].strip("[") for row in first[1:]] == [f"C{i}" for i in range(1, 15)]
    assert "not measured in this run" in {row[2] for row in first[1:]}


def test_no_table_has_a_column_that_is_empty_in_every_row():
    text = report.render_markdown(document())
    for table in markdown_tables(text):
        header, rows = table[0], table[1:]
        for index, name in enumerate(header):
            if name and rows:
                assert any(row[index] for row in rows), f"column '{name}' is empty in {header}"


def test_markdown_has_the_environment_question_and_one_row_per_program():
    text = report.render_markdown(document())
    assert "Fixture CPU" in text and "default max heap 6144 MiB, G1 GC" in text
    assert "*What does materialising cost?*" in text
    assert "| python/list " in text and "| java/arraylist " in text
    assert "| node " in text and "not found on PATH" in text


def test_cells_show_the_median_and_interval_in_mebibytes_and_milliseconds():
    text = report.render_markdown(document())
    row = next(line for line in text.splitlines() if line.startswith("| java/arraylist"))
    assert "100 ±10%" in row  # warm ms
    assert "143 ±10% ~" in row  # RSS peak MiB: 150e6 bytes, flagged: ±10 % is over the memory threshold
    assert "95.4 ±10%" in row  # heap_used metric, MiB


def test_counts_are_whole_numbers_without_plus_minus():
    column = tables.Column("threads", "threads_peak", "count")
    assert tables.cell({"median": 19.0, "ci_low": 18.0, "ci_high": 20.0, "n": 3}, column) == "19"
    gc = tables.metric_column("gc_count")
    assert tables.cell({"median": 2, "ci_low": 1, "ci_high": 3, "n": 3, "integer": True}, gc) == "2"


def test_mismatch_and_failure_are_loud_with_reason_and_stderr():
    text = report.render_markdown(document())
    assert "MISMATCH" in text and "FAILED" in text
    assert "checksum 7 differs from 499500" in text
    assert "boom" in text.split("## Problems")[1]


def test_csv_has_a_row_per_measurement_with_medians_and_intervals():
    rows = list(csv.DictReader(io.StringIO(report.render_csv(document()))))
    assert [r["variant"] for r in rows] == ["list", "arraylist", "broken", "crash"]
    assert float(rows[1]["peak_rss_bytes_median"]) == 150e6
    assert float(rows[1]["peak_rss_bytes_ci_low"]) == 135e6
    assert rows[1]["metric_heap_used_bytes_median"] == "100000000.0"
    assert rows[3]["status"] == "failed"


def test_report_command_regenerates_every_file_from_json_alone(tmp_path, capsys):
    shutil.copy(FIXTURE, tmp_path / "results.json")
    done = main_in_process(capsys, "report", tmp_path)
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "results.md").read_text()
    # Figures worked out by hand from the fixture: run id, 100 ms warm, 150e6 B = 143 MiB, the checksum mismatch.
    assert markdown.startswith("# Runtime Lab results: run 20261125-000000\n")
    row = next(line for line in markdown.splitlines() if line.startswith("| java/arraylist"))
    assert "100 ±10%" in row and "143 ±10% ~" in row
    assert "checksum 7 differs from 499500" in markdown
    csv_rows = list(csv.DictReader(io.StringIO((tmp_path / "results.csv").read_text())))
    assert [r["variant"] for r in csv_rows] == ["list", "arraylist", "broken", "crash"]
    assert (tmp_path / "results.csv").exists() and (tmp_path / "report.html").exists()
    page = (tmp_path / "report.html").read_text()
    for stem in re.findall(r"plots/([\w-]+)\.png", (tmp_path / "results.md").read_text()):
        assert (tmp_path / "plots" / f"{stem}.png").exists() and (tmp_path / "plots" / f"{stem}.svg").exists(), stem
    assert "data:image/svg+xml;base64," in page and "http://" not in page.replace("http://www.w3.org", "")


def test_report_of_a_missing_run_is_a_one_line_error(tmp_path, capsys):
    done = main_in_process(capsys, "report", tmp_path / "nope")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_an_old_results_file_still_renders_and_says_its_verdicts_are_computed_now():
    old = document()
    assert old["schema"] == 1 and "verdicts" not in old
    assert "computed now, by the current rules" in report.render_markdown(old)


def test_a_future_schema_is_refused_in_one_line(tmp_path, capsys):
    (tmp_path / "results.json").write_text(json.dumps(dict(document(), schema=99)))
    done = main_in_process(capsys, "report", tmp_path)
    assert done.returncode == 2 and "schema 99" in done.stderr and "Traceback" not in done.stderr


def _server_row(backend: str, rate: float, rss: int) -> dict:
    summary = {"wall_s": {"median": 2.0}, "cpu_s": {"median": 1.0}, "peak_rss_bytes": {"median": rss},
               "requests_per_s": {"median": rate}}
    return {"workload": "tcp_echo", "language": "java", "variant": "nio", "backend": backend, "status": "ok",
            "params": {"connections": 64}, "summary": summary}


def test_container_overhead_is_the_ratio_of_medians_requests_per_s_included():
    rows = [_server_row("native", 100_000.0, 50 << 20), _server_row("docker", 90_000.0, 40 << 20)]
    [row] = figures.overhead(rows)
    assert row["requests_per_s"] == 0.9 and row["peak_rss_bytes"] == 0.8 and row["wall_s"] == 1.0
    assert row["work_warm_s"] is None  # a figure missing on either side gives no ratio
    table = tables.overhead_table(rows, _versions(native="21.0.8", image="21.0.5"))
    assert "req/s" in table.headers and "0.90" in table.rows[0]


def _versions(native: str, image: str) -> dict:
    return {"runtimes": {"java": {"version": native}}, "backends": {"docker": {"runtimes": {"java": {"version": image}}}}}


def test_container_overhead_leaves_out_a_language_whose_versions_differ_and_says_how_to_pin_them():
    rows = [_server_row("native", 100_000.0, 50 << 20), _server_row("docker", 90_000.0, 40 << 20)]
    table = tables.overhead_table(rows, _versions(native="25.0.3", image="21.0.8"))
    assert table.rows == []
    assert "java 25 here, 21 in the image" in table.caption and "--java 21" in table.caption
