"""The versioned results file, rewritten atomically after every run so nothing finished is lost,
and its one validating loader (``load``), which ``report``, ``show``, ``diff`` and ``publish`` use."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import ResultsError, StoreError
from harness.results import files, model
from harness.results.model import NATIVE, RULES_VERSION, Row, Status

SCHEMA = 2  # 2: summaries name their interval ("95% CI" or "range"), verdicts stored as data
READABLE_SCHEMAS = (1, 2)
RESULTS = "results.json"


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, filesystem-safe id: ``20261125-193000``."""
    return (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")


class ResultsStore:
    """``<out>/runs/<run-id>/results.json`` for one comparison run."""

    def __init__(self, out_dir: Path, run_id: str, environment: dict[str, Any], options: dict[str, Any],
                 workloads: dict[str, Any]):
        self.run_dir = Path(out_dir) / "runs" / run_id
        try:
            self.run_dir.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise StoreError(f"{self.run_dir} already exists; wait a second or choose another --out") from None
        except OSError as error:
            raise StoreError(f"cannot create {self.run_dir}: {error.strerror}; choose a writable --out") from None
        self.document: dict[str, Any] = {
            "schema": SCHEMA,
            "run_id": run_id,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "finished": None,
            "options": options,
            "environment": environment,
            "workloads": workloads,
            "measurements": [],
            "verdicts": [],
        }

    @property
    def path(self) -> Path:
        """The run's results.json."""
        return self.run_dir / RESULTS

    def save(self, measurements: Iterable[Any], finished: bool = False) -> None:
        """Write every measurement so far; the old file stays whole until the new one is complete."""
        self.document["measurements"] = [m.to_record() for m in measurements]
        if finished:
            self.document["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.write()

    def save_verdicts(self, verdicts: list[dict[str, Any]]) -> None:
        """Store the claims' verdicts, judged from the measurements already saved, with the rules' version."""
        self.document["verdicts"] = verdicts
        self.document["rules_version"] = RULES_VERSION
        self.write()

    def write(self) -> None:
        """Rewrite results.json atomically from the document in memory."""
        try:
            files.write_atomically(self.path, json.dumps(self.document, indent=1, default=str, allow_nan=False), durable=True)
        except StoreError as error:
            raise StoreError(f"{error}; what was saved before is still there (if anything); "
                             f"choose a writable --out with free space") from None


def load(run_dir: Path) -> dict[str, Any]:
    """Read a run's results.json: refuse another schema, bring an older one up to date, and check
    every field through the model. Any problem is one StoreError naming the file and the field."""
    path = Path(run_dir)
    path = path / RESULTS if path.is_dir() else path
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_int=_integer)
    except FileNotFoundError:
        raise StoreError(f"{path} not found; give a run directory such as results/runs/<run-id>") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise StoreError(f"{path} is not valid JSON ({error}); it may be from an interrupted write") from None
    except ResultsError as error:
        raise StoreError(f"{path}: {error}; it is not a results file this harness wrote") from None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None
    schema = document.get("schema") if isinstance(document, dict) else None
    if schema not in READABLE_SCHEMAS or not isinstance(document.get("measurements"), list):
        raise StoreError(f"{path} has schema {schema if schema is not None else '?'}; this harness reads schemas "
                         f"{', '.join(map(str, READABLE_SCHEMAS))} (a newer file needs a newer harness)")
    try:
        validate(migrate(document))
    except ResultsError as error:
        raise StoreError(f"{path}: {error}; it is not a results file this harness wrote") from None
    checked: dict[str, Any] = document
    _fill_defaults(checked["measurements"], checked.get("verdicts") or [])
    if not checked.get("finished"):
        _mark_not_run(checked["measurements"])
    return checked


MAX_DIGITS = 308  # an integer the readers can turn into a float (10**308 is near the largest double)


def _integer(text: str) -> int:
    """A JSON integer, refused beyond a float's range: every reader divides and formats figures as floats."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ResultsError(f"holds an integer of {len(text.lstrip('-'))} digits, more than any figure has")
    return int(text)


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    """Bring a document of an older schema to today's fields, in place, as pyperf and asv do.

    Its ``schema`` stays the one it was written with: the report says when a file stores no
    verdicts (schema 1) and they were judged now.
    """
    if document.get("schema") == 1:
        for record in document["measurements"]:
            if isinstance(record, dict):
                record.setdefault("backend", NATIVE)  # schema 1 predates backends: every row ran here
        options = document.get("options")
        if isinstance(options, dict) and "runs" in options and "min_runs" not in options:
            options["min_runs"] = options["max_runs"] = options["runs"]  # a fixed count, before adaptive runs
    return document


# Document fields: what each must be, and whether a file may lack it.
DOCUMENT_FIELDS: dict[str, tuple[model.Check, bool]] = {
    "run_id": (model.TEXT, True), "started": (model.TEXT_OR_NULL, False), "finished": (model.TEXT_OR_NULL, False),
    "options": (model.OBJECT, True), "environment": (model.OBJECT, True), "workloads": (model.OBJECT, False),
    "verdicts": (model.LIST, False), "rules_version": (model.NUMBER, False),
}


def validate(document: dict[str, Any]) -> None:
    """ResultsError naming the first field of the document, a row or a run that is missing or mistyped."""
    for index, record in enumerate(document["measurements"]):
        Row.from_dict(record, f"measurement {index}")
    for name, (rule, required) in DOCUMENT_FIELDS.items():
        if name not in document:
            if required:
                raise ResultsError(f"the document has no {name!r}")
            continue
        model.check("the document", name, document[name], rule)
    model.check_context(document)
    for index, verdict in enumerate(document.get("verdicts") or []):
        model.check_verdict(f"verdict {index}", verdict)


def _fill_defaults(records: list[dict[str, Any]], verdicts: list[dict[str, Any]]) -> None:
    """Every row this harness writes has a family, a reason and a summary, and every verdict its claim's
    text and workloads; a file without them (older, or made by hand) gets them empty, as the readers
    expect them."""
    for record in records:
        record.setdefault("family", "")
        record.setdefault("reason", "")
        if record.get("summary") is None:
            record["summary"] = {}
    for verdict in verdicts:
        verdict.setdefault("claim", "")
        verdict.setdefault("workloads", [])


def _mark_not_run(records: list[dict[str, Any]]) -> None:
    """In a run that never finished, a row still "ok" without a single run was never measured."""
    for record in records:
        if record["status"] == Status.OK and not record["runs"]:
            record["status"] = Status.NOT_RUN.value
            record["reason"] = "the run ended before this row was measured"
