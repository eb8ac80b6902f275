"""The results model: rows round-trip exactly, an old schema migrates, and a malformed field is one line naming it."""

import copy
import json

import pytest

from harness.errors import ResultsError, StoreError
from harness.results import model, store
from harness.results.model import RULES_VERSION, Row, Run, Status
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "results.json"
REFERENCE = ROOT / "results" / "reference" / "results.json"


@pytest.mark.parametrize("path", [FIXTURE, REFERENCE], ids=["fixture", "reference"])
def test_every_stored_row_round_trips_exactly(path):
    for record in json.loads(path.read_text())["measurements"]:
        row = Row.from_dict(record)
        assert json.dumps(row.to_dict()) == json.dumps(record)  # the same fields, values and order


def test_unknown_fields_are_kept_and_a_row_is_frozen():
    record = {**_row(), "from_the_future": {"x": [1, 2]}, "summary": None}
    row = Row.from_dict(record)
    assert row.to_dict() == record
    with pytest.raises(AttributeError):
        row.status = Status.FAILED
    with pytest.raises(TypeError):
        row.params["n"] = 2


def test_identity_and_labels_are_the_models():
    record = {**_row(), "runtime": "3.13t", "backend": "docker", "runtime_args": ["-X"], "cores": "all"}
    row = Row.from_dict(record)
    assert row.identity == model.identity(record) == ("w", "python", "3.13t", "list", (("n", 1000),), "docker")
    assert model.identity(record, with_backend=False) == row.identity[:-1]
    assert row.label == "python3.13t/list [docker]"
    assert model.row_label(record) == "python3.13t/list [docker] -X (every core)"
    assert model.row_name(record) == "w python3.13t/list [docker] n=1000"
    assert model.backend(_row()) == "native" and model.runtime(_row()) == ""


def test_a_row_checks_its_attributes_when_made_directly():
    with pytest.raises(ResultsError, match="'status'"):
        Row("w", "python", "list", {}, "ok", ())
    with pytest.raises(ResultsError, match="'workload' a number"):
        Row(3, "python", "list", {}, Status.OK, ())


def test_a_run_keeps_its_figures():
    run = Run.from_dict({"wall_s": 1.5, "metrics": {"x": 1}, "load": None, "extra": "kept"})
    assert run.get("wall_s") == 1.5 and run.get("missing", 0) == 0
    assert run.to_dict() == {"wall_s": 1.5, "metrics": {"x": 1}, "load": None, "extra": "kept"}


def test_a_schema_1_document_migrates_field_by_field(tmp_path):
    document = json.loads(FIXTURE.read_text())
    assert document["schema"] == 1 and all("backend" not in r for r in document["measurements"])
    loaded = store.load(_write(tmp_path, document))
    assert all(r["backend"] == "native" for r in loaded["measurements"])
    assert loaded["options"]["min_runs"] == loaded["options"]["max_runs"] == document["options"]["runs"]
    assert loaded["schema"] == 1  # the report still says this file stored no verdicts


def test_verdicts_are_stored_with_the_rules_version(tmp_path):
    results = store.ResultsStore(tmp_path, "run-1", {}, {}, {})
    verdict = {"claim_id": "C1", "backend": "native", "outcome": "Inconclusive", "predicates": []}
    results.save_verdicts([verdict])
    saved = json.loads(results.path.read_text())
    assert saved["rules_version"] == RULES_VERSION and saved["verdicts"] == [verdict]
    assert store.load(results.run_dir)["rules_version"] == RULES_VERSION


def _set(document, path, value):
    """Set ``document[a][b]...`` for ``path`` "a.b..." (a number indexes a list)."""
    *parents, last = path.split(".")
    for key in parents:
        document = document[int(key)] if key.isdigit() else document[key]
    document[int(last) if last.isdigit() else last] = value


MALFORMED = [
    ("measurements.0.summary", "fast", "measurement 0 has 'summary' a string, not an object or null"),
    ("environment", None, "the document has 'environment' null, not an object"),
    ("measurements.0.params.n", {"a": 1}, "measurement 0 has 'params.n' an object, not a string, number or boolean"),
    ("measurements.1.status", "great", "measurement 1 has 'status' 'great', not one of"),
    ("measurements.0.runs", {}, "measurement 0 has 'runs' an object, not a list"),
    ("measurements.0.reason", 3, "measurement 0 has 'reason' a number, not a string"),
    ("measurements.0.command", ["java", 7], "measurement 0 has 'command[1]' a number, not a string"),
    ("measurements.0.summary.wall_s", 1.0, "measurement 0 has 'summary.wall_s' a number, not an object or null"),
    ("measurements.0.summary.wall_s.median", "1", "measurement 0 has 'summary.wall_s.median' a string"),
    ("measurements.0.runs", [{"wall_s": "slow"}], "measurement 0, run 0 has 'wall_s' a string, not a number or null"),
    ("measurements.0.runs", [{"wall_s": True}], "measurement 0, run 0 has 'wall_s' a boolean, not a number or null"),
    ("measurements.0.runs", [3], "measurement 0 has a run that is not an object"),
    ("options", [], "the document has 'options' a list, not an object"),
    ("workloads.eager_lazy", "x", "the document has 'workloads.eager_lazy' a string, not an object"),
    ("run_id", 5, "the document has 'run_id' a number, not a string"),
    ("measurements.0.summary.wall_s.median", None, "measurement 0 has 'summary.wall_s.median' null, not a number"),
    ("measurements.0.summary.wall_s", {"median": 1.0}, "measurement 0 has no 'summary.wall_s.ci_low'"),
    ("verdicts", [{"claim_id": "C1"}], "verdict 0 has no 'backend'"),
    ("verdicts", [{"claim_id": "C1", "backend": "native", "outcome": "Supported", "predicates": [{"statement": 1}]}],
     "verdict 0, predicate 0 has no 'threshold'"),
    ("verdicts", "none", "the document has 'verdicts' a string, not a list"),
    ("options.runs", "3", "the document has 'options.runs' a string, not a number"),
    ("environment.runtimes", "python", "the document has 'environment.runtimes' a string, not an object"),
    ("environment.runtimes.java.max_heap_bytes", "big", "'environment.runtimes.java.max_heap_bytes' a string"),
    ("environment.lab_commit", None, "the document has 'environment.lab_commit' null, not a string"),
    ("workloads.eager_lazy.family", [], "the document has 'workloads.eager_lazy.family' a list, not a string"),
]


@pytest.mark.parametrize("path, value, message", MALFORMED, ids=[m[0] + "=" + repr(m[1]) for m in MALFORMED])
def test_a_malformed_field_is_one_line_naming_it_and_the_file(tmp_path, path, value, message):
    document = json.loads(FIXTURE.read_text())
    _set(document, path, value)
    with pytest.raises(StoreError) as raised:
        store.load(_write(tmp_path, document))
    text = str(raised.value)
    assert message in text and str(tmp_path / "results.json") in text and "\n" not in text


def test_a_missing_field_is_named(tmp_path):
    document = json.loads(FIXTURE.read_text())
    del document["environment"]
    with pytest.raises(StoreError, match="the document has no 'environment'"):
        store.load(_write(tmp_path, document))
    record = copy.deepcopy(_row())
    del record["variant"]
    with pytest.raises(ResultsError, match="row has no 'variant'"):
        Row.from_dict(record)


def _row():
    return {"workload": "w", "family": "memory", "language": "python", "variant": "list", "params": {"n": 1000},
            "status": "ok", "reason": "", "runs": [], "summary": {}}


def _write(folder, document):
    (folder / "results.json").write_text(json.dumps(document))
    return folder


def test_a_command_programs_run_has_no_timing_of_its_own_and_loads():
    """A command program prints no work_s: its runs store null there, and the loader takes them."""
    run = Run.from_dict({"wall_s": 0.2, "work_s": None, "metrics": {}, "load": None})
    assert run.to_dict()["work_s"] is None
    with pytest.raises(ResultsError, match="work_s"):
        Run.from_dict({"wall_s": 0.2, "work_s": "0.1"})
