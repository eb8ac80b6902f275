"""The versioned results file, rewritten atomically after every run so nothing finished is lost."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from harness.errors import StoreError

SCHEMA = 2  # 2: summaries name their interval ("95% CI" or "range"), verdicts stored as data
READABLE_SCHEMAS = (1, 2)
RESULTS = "results.json"


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, filesystem-safe id: ``20261125-193000``."""
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")


class ResultsStore:
    """``<out>/runs/<run-id>/results.json`` for one comparison run."""

    def __init__(self, out_dir: Path, run_id: str, environment: dict, options: dict, workloads: dict):
        self.run_dir = Path(out_dir) / "runs" / run_id
        try:
            self.run_dir.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise StoreError(f"{self.run_dir} already exists; wait a second or choose another --out") from None
        except OSError as error:
            raise StoreError(f"cannot create {self.run_dir}: {error.strerror}; choose a writable --out") from None
        self.document = {
            "schema": SCHEMA,
            "run_id": run_id,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "finished": None,
            "options": options,
            "environment": environment,
            "workloads": workloads,
            "measurements": [],
            "verdicts": [],
        }

    @property
    def path(self) -> Path:
        return self.run_dir / RESULTS

    def save(self, measurements, finished: bool = False) -> None:
        """Write every measurement so far; the old file stays whole until the new one is complete."""
        self.document["measurements"] = [m.to_record() for m in measurements]
        if finished:
            self.document["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.write()

    def save_verdicts(self, verdicts: list) -> None:
        """Store the claims' verdicts, judged from the measurements already saved."""
        self.document["verdicts"] = verdicts
        self.write()

    def write(self) -> None:
        """Rewrite results.json atomically from the document in memory."""
        temporary = self.path.with_suffix(".json.tmp")
        try:
            with open(temporary, "w") as file:
                file.write(json.dumps(self.document, indent=1, default=str))
                file.flush()
                os.fsync(file.fileno())  # the rename must never expose a file whose data is not on disk
            os.replace(temporary, self.path)
        except OSError as error:
            raise StoreError(f"cannot write {self.path}: {error.strerror}; what was saved before is still there "
                             f"(if anything); choose a writable --out with free space") from None


def load(run_dir: Path) -> dict:
    """Read a run's results.json, refusing files of another schema."""
    path = Path(run_dir)
    path = path / RESULTS if path.is_dir() else path
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{path} not found; give a run directory such as results/runs/<run-id>") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise StoreError(f"{path} is not valid JSON ({error}); it may be from an interrupted write") from None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None
    schema = document.get("schema") if isinstance(document, dict) else None
    if schema not in READABLE_SCHEMAS or not isinstance(document.get("measurements"), list):
        raise StoreError(f"{path} has schema {schema if schema is not None else '?'}; this harness reads schemas "
                         f"{', '.join(map(str, READABLE_SCHEMAS))} (a newer file needs a newer harness)")
    for index, record in enumerate(document["measurements"]):
        problem = _malformed(record)
        if problem:
            raise StoreError(f"{path}: measurement {index} {problem}; it is not a results file this harness wrote")
    if not document.get("finished"):
        _mark_not_run(document["measurements"])
    return document


RECORD_FIELDS = {"workload": str, "language": str, "variant": str, "params": dict, "status": str, "runs": list}


def _malformed(record) -> str:
    """What is wrong with one stored measurement, or ""."""
    if not isinstance(record, dict):
        return "is not an object"
    for name, kind in RECORD_FIELDS.items():
        if not isinstance(record.get(name), kind):
            return f"has no {name!r} of the right type"
    if not all(isinstance(run, dict) for run in record["runs"]):
        return "has a run that is not an object"
    return ""


def _mark_not_run(records) -> None:
    """In a run that never finished, a row still "ok" without a single run was never measured."""
    for record in records:
        if record["status"] == "ok" and not record["runs"]:
            record["status"] = "not run"
            record["reason"] = "the run ended before this row was measured"
