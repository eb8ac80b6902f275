"""Every row of a run as CSV: identity, status, then median, interval and CV of every figure."""

from __future__ import annotations

import csv
import io

from harness.results import model
from harness.results.model import SUMMARY_FIELDS, params_text


def render(document: dict) -> str:
    """One row per measurement, every summary field and metric."""
    records = document["measurements"]
    metric_names = list(dict.fromkeys(m for r in records for m in ((r.get("summary") or {}).get("metrics") or {})))
    header = ["workload", "family", "language", "variant", "backend", "params", "runtime_args", "status", "reason",
              "checksum", "runs", "stop_reason"]
    for field in SUMMARY_FIELDS:
        header += [f"{field}_median", f"{field}_ci_low", f"{field}_ci_high", f"{field}_interval", f"{field}_cv"]
    for name in metric_names:
        header += [f"metric_{name}_median", f"metric_{name}_ci_low", f"metric_{name}_ci_high"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for record in records:
        summary = record.get("summary") or {}
        row = [record["workload"], record["family"], record["language"], record["variant"],
               model.backend(record), params_text(record["params"]), " ".join(record.get("runtime_args") or []),
               record["status"], record["reason"], record.get("checksum") or "", len(record.get("runs", [])),
               record.get("stop_reason", "")]
        for field in SUMMARY_FIELDS:
            s = summary.get(field) or {}
            row += [s.get("median", ""), s.get("ci_low", ""), s.get("ci_high", ""), s.get("interval", ""), s.get("cv", "")]
        metrics = summary.get("metrics") or {}
        for name in metric_names:
            s = metrics.get(name) or {}
            row += [s.get("median", ""), s.get("ci_low", ""), s.get("ci_high", "")]
        writer.writerow(row)
    return out.getvalue()
