"""The claims file: each claim once, checked against the catalogue, and the one source of claim text."""

import dataclasses
import json
from pathlib import Path

import pytest

from harness import report
from harness.catalogue import loader as catalogue_loader
from harness.errors import CatalogueError
from harness.judge import claims, registry, speed, verdicts
from harness.judge.rows import Context
from harness.report import tables
from tests.conftest import builtin_catalogue

IDS = [f"C{i}" for i in range(1, 15)]
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "results.json"


def catalogue_copy(tmp_path, old: str, new: str) -> Path:
    """The lab's catalogue written elsewhere with one text replaced, its relative paths kept working."""
    text = catalogue_loader.BUILTIN.read_text()
    assert text.count(old) == 1, old
    repository = catalogue_loader.BUILTIN.parent.parent.parent
    folder = tmp_path / "harness" / "catalogue"
    folder.mkdir(parents=True)
    for name in ("python", "java", "node"):
        (tmp_path / name).symlink_to(repository / name)
    (tmp_path / "harness" / "fixtures").symlink_to(repository / "harness" / "fixtures")
    path = folder / "catalogue.toml"
    path.write_text(text.replace(old, new))
    return path


def claims_copy(tmp_path, old: str, new: str) -> Path:
    text = claims.CLAIMS_FILE.read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "claims.toml"
    path.write_text(text.replace(old, new))
    return path


def test_the_file_loads_with_every_claim_once_in_order():
    loaded = claims.load()
    assert list(loaded) == IDS
    assert list(verdicts.CLAIMS) == IDS
    for claim in loaded.values():
        assert claim.text and claim.predicates_text and claim.judged_from and claim.workloads and claim.programs()


def test_every_claim_has_exactly_one_registered_function_judged_in_id_order():
    claims.load()  # the driver imports the claim modules
    from harness.judge import driver  # noqa: F401

    assert list(registry.registered()) == IDS


def test_a_renamed_variant_is_an_error_naming_the_claim_and_the_program(tmp_path):
    path = catalogue_copy(tmp_path, 'variant = "arraylist"\n', 'variant = "arraylist_renamed"\n')
    with pytest.raises(CatalogueError) as error:
        claims.load(claims.CLAIMS_FILE, path)
    assert "claim C1" in str(error.value) and "eager_lazy:java/arraylist" in str(error.value)


def test_a_renamed_variant_is_caught_without_touching_a_file():
    catalogue = builtin_catalogue()
    workload = catalogue.workloads["tcp_echo"]
    programs = tuple(dataclasses.replace(p, variant="nio2") if p.label == "java/nio" else p for p in workload.programs)
    changed = dataclasses.replace(catalogue, workloads={**catalogue.workloads, "tcp_echo": dataclasses.replace(workload, programs=programs)})
    with pytest.raises(CatalogueError, match=r"claim C10.*tcp_echo:java/nio"):
        claims.check(claims.read(), changed)


def test_a_missing_workload_and_a_bad_selector_are_errors(tmp_path):
    with pytest.raises(CatalogueError, match="claim C3 is judged from workload 'cyclic'"):
        claims.check(claims.read(claims_copy(tmp_path, 'workloads = ["cyclic_garbage"]', 'workloads = ["cyclic"]')),
                     builtin_catalogue())
    with pytest.raises(CatalogueError, match=r"claim C8.*'most'"):
        claims.read(claims_copy(tmp_path, 'rows = { threads = ["cores", "oversubscribed*cores"], steps = "largest" }',
                                'rows = { threads = ["cores", "oversubscribed*cores"], steps = "most" }'))


def test_a_catalogue_workload_naming_an_unknown_claim_is_an_error(tmp_path):
    path = catalogue_copy(tmp_path, 'claim = "C3"', 'claim = "C3, C99"')
    with pytest.raises(CatalogueError, match=r"cyclic_garbage.*C99"):
        claims.load(claims.CLAIMS_FILE, path)


def test_thresholds_come_from_the_file(tmp_path):
    rows = []
    for workload, params in (("alloc_churn", {"depth": 14}), ("cpu_scaling", {"steps": 20_000, "threads": 1})):
        for language, time in (("python", 5.0), ("node", 1.0)):
            variant = "default" if workload == "alloc_churn" else "sequential"
            runs = [{"work_warm_s": time * f} for f in (0.99, 1.0, 1.01, 0.995, 1.005)]
            rows.append({"workload": workload, "language": language, "variant": variant, "params": params, "status": "ok", "runs": runs})
    context = Context(rows, "native", {"cores_available": 2})
    as_shipped = {c.id: c for c in claims.read()}["C12"]
    stricter = {c.id: c for c in claims.read(claims_copy(tmp_path, "thresholds = { faster = 1.2 }", "thresholds = { faster = 10 }"))}["C12"]
    assert speed.c12_node_faster(context, as_shipped).outcome == verdicts.SUPPORTED
    assert speed.c12_node_faster(context, stricter).outcome == verdicts.CONTRADICTED


def test_each_predicate_says_which_rows_it_needs():
    catalogue = builtin_catalogue()
    loaded = claims.load()
    c8 = {(n.program.label, n.params) for n in loaded["C8"].needed_rows(catalogue, "quick", cores=2)}
    assert c8 == {("cpu_scaling:java/threads", (("threads", 2), ("steps", 1_000_000))),
                  ("cpu_scaling:java/threads", (("threads", 8), ("steps", 1_000_000)))}
    c7 = {n.params for n in loaded["C7"].needed_rows(catalogue, "full", cores=4)}
    assert c7 == {(("threads", 1), ("steps", 4_000_000)), (("threads", 4), ("steps", 4_000_000))}
    c9 = loaded["C9"].needed_rows(catalogue)
    assert {n.params for n in c9} == {(("tasks", 10_000),)} and len(c9) == 5
    c12 = {(n.program.label, n.params) for n in loaded["C12"].needed_rows(catalogue)}
    assert ("cpu_scaling:node/sequential", (("steps", 20_000), ("threads", 1))) in c12, "a pair is judged at its first program's size"
    for claim in loaded.values():
        assert {n.program for n in claim.needed_rows(catalogue)} == set(claim.programs()), claim.id


def test_the_report_takes_claim_text_from_the_file():
    document = json.loads(FIXTURE.read_text())
    document["workloads"]["eager_lazy"]["claim"] = "C1"
    text = report.render_markdown(document)
    c1 = claims.load()["C1"].text
    assert f'Claim tested: "{c1} (C1)"' in text
    answers = tables.answers_table(verdicts.judge_all(document))
    assert [row[1] for row in answers.rows] == [claim.text for claim in claims.load().values()], "the answers table"
    assert verdicts.claim_text("C5, C7, C8, C11") == f"{claims.load()['C5'].text} (C5; also C7, C8, C11)"
    assert verdicts.claim_text("My own suite's claim.") == "My own suite's claim.", "text from an older file or a suite is kept"


def test_the_catalogue_keeps_claim_ids_not_text():
    for workload in builtin_catalogue().workloads.values():
        assert workload.claim == "" or claims.claim_ids(workload.claim), f"{workload.name}: {workload.claim!r}"
