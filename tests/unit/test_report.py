"""Tables and CSV rendered from a fixture results.json alone."""

import csv
import io
import json
import shutil
from pathlib import Path

from harness import report, store
from tests.conftest import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "results.json"


def document():
    return json.loads(FIXTURE.read_text())


def test_markdown_has_environment_question_and_one_row_per_program():
    text = report.render_markdown(document())
    assert "Fixture CPU" in text and "default max heap 6144 MiB, G1 GC" in text
    assert "*What does materialising cost?*" in text
    assert "| python/list " in text and "| java/arraylist " in text
    assert "| node " in text and "not found on PATH" in text


def test_cells_show_median_and_ci_half_width_in_megabytes():
    text = report.render_markdown(document())
    row = next(line for line in text.splitlines() if line.startswith("| java/arraylist"))
    assert "0.400 ±10%" in row  # wall s
    assert "150.0 ±10%" in row  # peak RSS MB
    assert "100.0 ±10%" in row  # heap_used MB metric


def test_mismatch_and_failure_are_loud_with_reason_and_stderr():
    text = report.render_markdown(document())
    assert "**MISMATCH**" in text and "**FAILED**" in text
    assert "checksum 7 differs from 499500" in text
    assert "boom" in text.split("## Problems")[1]


def test_csv_has_a_row_per_measurement_with_medians():
    rows = list(csv.DictReader(io.StringIO(report.render_csv(document()))))
    assert [r["variant"] for r in rows] == ["list", "arraylist", "broken", "crash"]
    assert float(rows[1]["peak_rss_bytes_median"]) == 150e6
    assert rows[1]["metric_heap_used_bytes_median"] == "100000000.0"
    assert rows[3]["status"] == "failed"


def test_report_command_regenerates_from_json_alone(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "results.json")
    done = run_cli("report", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "results.md").read_text() == report.render_markdown(store.load(tmp_path))
    assert (tmp_path / "results.csv").exists()


def test_report_of_a_missing_run_is_a_one_line_error(tmp_path):
    done = run_cli("report", tmp_path / "nope")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
