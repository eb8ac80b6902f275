"""A tiny run of the whole catalogue gives every claim of CLAIMS.md a verdict record."""

import re

import pytest

from harness.judge import verdicts

OUTCOMES = {verdicts.SUPPORTED, verdicts.CONTRADICTED, verdicts.INCONCLUSIVE}


@pytest.mark.integration
def test_every_claim_id_has_a_record_with_an_outcome_or_a_reason(catalogue_run):
    document, _ = catalogue_run
    found = {v["claim_id"]: v for v in document["verdicts"]}
    assert sorted(found, key=lambda c: int(c[1:])) == list(verdicts.CLAIMS)
    for claim_id, verdict in found.items():
        if verdict["outcome"] == verdicts.NOT_MEASURED:
            assert verdict["note"].startswith("not measured in this run"), verdict
        else:
            assert verdict["outcome"] in OUTCOMES and verdict["predicates"], verdict
            for predicate in verdict["predicates"]:
                assert predicate["threshold"] and (predicate["figure"] or predicate["reason"]), (claim_id, predicate)


@pytest.mark.integration
def test_the_whole_catalogue_judges_every_claim(catalogue_run, toolchain):
    """With all three runtimes, every claim's workloads ran, so none is left unmeasured."""
    if len(toolchain.runtimes) < 3:
        pytest.skip("needs Python, Java and Node")
    document, markdown = catalogue_run
    unmeasured = [v["claim_id"] for v in document["verdicts"] if v["outcome"] == verdicts.NOT_MEASURED]
    assert unmeasured == []
    answers = markdown.split("## Answers", 1)[1].split("\n## ", 1)[0]
    for claim_id in verdicts.CLAIMS:
        assert re.search(rf"^\| \[{claim_id}\]\(#{claim_id.lower()}\) +\|", answers, re.MULTILINE), claim_id
