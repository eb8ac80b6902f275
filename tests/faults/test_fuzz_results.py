"""Fuzzing whole results.json documents through ``report``, ``show`` and ``diff`` (issue 27 point 8).

Each example starts from a valid run (the fixture, with runs added so that ``diff`` has figures to
compare) and changes one to three things anywhere in it: a key dropped or added, a value of another
type (huge numbers, NaN, numbers as strings, unicode text, empty lists and objects), a row
duplicated, a name in another script. Whatever the file holds, the readers run in-process through
``cli.main`` and end with 0, 1 or 2: a document they cannot read is a one-line error naming the
file, never a traceback and never exit 3 (a defect of the lab).
"""

import contextlib
import copy
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import cli
from tests.conftest import ROOT

FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "results.json").read_text())
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ODD_TEXT = ["NaN", "Infinity", "-Infinity", "1e999", "-0", "9" * 400, "日本語", "", " ", "a.b", "../x", "\u202e", "\x00"]
ODD_NUMBERS = [10**400, 2**64, -1, 0, -0.0, 0.5, 1e-300, 1e308, 1.7976931348623157e308, 3]
LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40), st.sampled_from(ODD_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(ODD_TEXT), st.text(max_size=6),
)
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                            max_size=3), max_leaves=6)


FIGURE = {"label": "eager over lazy", "estimate": 2.0, "low": 1.8, "high": 2.2, "n": "3 vs 3", "unit": "×",
          "significant": True, "method": "95% CI"}
VERDICT = {"claim_id": "C1", "claim": "A generator holds one item at a time.", "workloads": ["eager_lazy"],
           "backend": "native", "outcome": "Supported", "note": "", "runtime": "",
           "predicates": [{"statement": "eager grows", "threshold": "≥ 4 B", "outcome": "Supported", "figure": FIGURE,
                           "reason": ""}]}


def base_document(schema: int) -> dict:
    """The fixture with three runs in each ok row (figures around its summary's medians), at ``schema``."""
    document = copy.deepcopy(FIXTURE)
    document["schema"] = schema
    if schema == 2:
        document["verdicts"] = [copy.deepcopy(VERDICT)]
        document["rules_version"] = 1
    for record in document["measurements"]:
        if record["status"] != "ok":
            continue
        medians = {name: entry["median"] for name, entry in (record.get("summary") or {}).items()
                   if isinstance(entry, dict) and "median" in entry}
        record["runs"] = [{name: value * (1 + 0.01 * number) for name, value in medians.items()} for number in range(3)]
    return document


def children(value) -> list:
    """The keys (or indexes) of an object (or list); none for anything else."""
    return list(value) if isinstance(value, dict) else list(range(len(value))) if isinstance(value, list) else []


def a_place(draw, document) -> tuple:
    """(parent, key) of a value anywhere in the document, found by walking down from the top and stopping
    at any level, so that every depth and field is as likely as the many fields of a summary."""
    rows = "measurements" in document and draw(st.booleans())  # half the changes in the rows, where most fields are
    parent, key = document, "measurements" if rows else draw(st.sampled_from(children(document)))
    while children(parent[key]) and draw(st.booleans()):
        parent, key = parent[key], draw(st.sampled_from(children(parent[key])))
    return parent, key


@st.composite
def documents(draw):
    """A valid document with one to three changes made anywhere in it."""
    document = base_document(draw(st.sampled_from([1, 2])))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        change = draw(st.sampled_from(["drop", "add", "retype", "leaf", "leaf", "empty", "duplicate", "rename"]))
        rows = document.get("measurements")
        if change == "duplicate" and isinstance(rows, list) and rows:
            rows.append(copy.deepcopy(draw(st.sampled_from(rows))))
            continue
        if change == "rename" and isinstance(rows, list) and rows and isinstance(rows[0], dict):
            row = draw(st.sampled_from(rows)) if all(isinstance(r, dict) for r in rows) else rows[0]
            row[draw(st.sampled_from(["workload", "language", "variant"]))] = draw(st.sampled_from(ODD_TEXT) | st.text())
            continue
        if not children(document):
            break
        parent, key = a_place(draw, document)
        if change == "drop":
            del parent[key]
        elif change == "add" and isinstance(parent[key], dict):
            parent[key][draw(st.text(max_size=8))] = draw(VALUES)
        elif change == "leaf":  # a number, string or null where one was: the values a reader computes with
            while children(parent[key]):
                parent, key = parent[key], draw(st.sampled_from(children(parent[key])))
            parent[key] = draw(LEAVES)
        elif change == "empty":
            parent[key] = draw(st.sampled_from([[], {}, "", 0]))
        else:
            parent[key] = draw(VALUES)
    return document


def run(argv):
    """``cli.main(argv)`` with its output captured: (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main([str(arg) for arg in argv])
    return code, err.getvalue()


@EXAMPLES
@given(document=documents())
def test_report_show_and_diff_read_any_document_without_a_traceback(document):
    with tempfile.TemporaryDirectory() as folder:
        good, bad = Path(folder, "good"), Path(folder, "bad")
        for run_dir, content in ((good, base_document(2)), (bad, document)):
            run_dir.mkdir()
            (run_dir / "results.json").write_text(json.dumps(content, allow_nan=True))
        for argv in (["report", bad], ["show", bad], ["show", bad, "python", "list"], ["diff", good, bad],
                     ["diff", bad, bad]):
            code, err = run(argv)
            assert code in (0, 1, 2), (argv[0], code, err)
            assert "Traceback" not in err, err
            if code == 2:
                assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err


def _set(path, value):
    """A change that sets the value at ``path`` (keys and indexes) of a document."""
    def change(document):
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    return change


# What the fuzzing found: values every reader crashed on (exit 3) before the loader refused them.
FOUND = [
    (_set(("measurements", 0, "runs", 0, "work_warm_s"), 10**400), "integer of 401 digits"),
    (_set(("measurements", 0, "summary", "wall_s", "median"), 10**400), "integer of 401 digits"),
    (_set(("environment", "memory_total_bytes"), "HUGE"), "integer of 5001 digits"),  # past int()'s own 4300-digit limit
    (_set(("workloads", "eager_lazy", "key_figure"), "bogus"), "'workloads.eager_lazy.key_figure' 'bogus'"),
    (_set(("workloads", "eager_lazy", "report_metrics"), [1]), "'workloads.eager_lazy.report_metrics[0]' a number"),
    (_set(("verdicts", 0, "claim"), None), "'claim' null"),
    (_set(("verdicts", 0, "predicates", 0, "figure"), {"a": [1]}), "no 'figure.label'"),
    (_set(("verdicts", 0, "predicates", 0, "figure", "extra"), 1), "'figure.extra', which no figure has"),
]


# And values the loader takes, which a reader crashed on: an integer past 64 bits in diff's statistics,
# a row without a reason in results.csv, an ok row whose summary is null in the report's analyses, a verdict
# without its claim's text in the report's headings.
TAKEN = [
    _set(("measurements", 0, "runs", 0, "work_warm_s"), 2**64),
    lambda document: document["measurements"][0].pop("reason"),
    _set(("measurements", 0, "summary"), None),
    lambda document: document["verdicts"][0].pop("claim"),
]


def test_found_values_are_read(tmp_path):
    for number, change in enumerate(TAKEN):
        document = base_document(2)
        change(document)
        run_dir = tmp_path / str(number)
        run_dir.mkdir()
        (run_dir / "results.json").write_text(json.dumps(document))
        for argv in (["report", run_dir], ["show", run_dir, "python", "list"], ["diff", run_dir, run_dir]):
            code, err = run(argv)
            assert code == 0, (argv[0], number, err)


def test_found_values_are_one_line_errors_naming_the_field(tmp_path):
    for number, (change, message) in enumerate(FOUND):
        document = base_document(2)
        change(document)
        run_dir = tmp_path / str(number)
        run_dir.mkdir()
        (run_dir / "results.json").write_text(json.dumps(document).replace('"HUGE"', "1" + "0" * 5000))
        for argv in (["report", run_dir], ["show", run_dir], ["diff", run_dir, run_dir]):
            code, err = run(argv)
            assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (argv[0], message, err)
            assert str(run_dir / "results.json") in err
