"""The README's claims table says what harness/judge/claims.toml says, word for word: the claims
are written once, in the claims file, and the README shows them."""

import tomllib

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit


def readme_rows() -> dict:
    """claim id -> (claim, judged from, predicates and thresholds) from the README's table."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| C") and len(cells) == 4:
            rows[cells[0]] = tuple(cells[1:])
    return rows


def test_the_readme_table_matches_the_claims_file_row_for_row():
    claims = tomllib.loads((ROOT / "harness" / "judge" / "claims.toml").read_text(encoding="utf-8"))
    expected = {claim: (body["text"], body["judged_from"], body["predicates_text"]) for claim, body in claims.items()}
    assert readme_rows() == expected
