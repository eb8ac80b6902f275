"""Tables and CSV rendered from a fixture results.json alone."""

import csv
import io
import json
import shutil
from pathlib import Path

from harness import analysis, report, store
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


def _server_row(backend: str, rate: float, rss: int) -> dict:
    summary = {"wall_s": {"median": 2.0}, "cpu_s": {"median": 1.0}, "peak_rss_bytes": {"median": rss},
               "requests_per_s": {"median": rate}}
    return {"workload": "tcp_echo", "language": "java", "variant": "nio", "backend": backend, "status": "ok",
            "params": {"connections": 64}, "summary": summary}


def test_container_overhead_is_the_ratio_of_medians_requests_per_s_included():
    rows = [_server_row("native", 100_000.0, 50 << 20), _server_row("docker", 90_000.0, 40 << 20)]
    [row] = analysis.overhead(rows)
    assert row["requests_per_s"] == 0.9 and row["peak_rss_bytes"] == 0.8 and row["wall_s"] == 1.0
    assert row["work_warm_s"] is None  # a figure missing on either side gives no ratio
    assert "| req/s" in report._overhead(rows) and "| 0.90" in report._overhead(rows)
