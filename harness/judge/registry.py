"""The claim functions, registered by claim id: ``@judges("C5")`` above the function that judges C5.

A claim function takes the rows of one backend (a Context) and its claim from claims.toml, and
returns the claim's verdict, or None when the run has no rows the claim is judged from.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.judge.claims import Claim
from harness.judge.model import Verdict
from harness.judge.rows import Context

Judge = Callable[[Context, Claim], Verdict | None]
_JUDGES: dict[str, Judge] = {}


def judges(claim_id: str) -> Callable[[Judge], Judge]:
    """Register the decorated function as the one that judges ``claim_id``."""

    def register(function: Judge) -> Judge:
        if claim_id in _JUDGES:
            raise ValueError(f"{claim_id} is judged by both {_JUDGES[claim_id].__name__} and {function.__name__}")
        _JUDGES[claim_id] = function
        return function

    return register


def registered() -> dict[str, Judge]:
    """Every registered claim function by claim id, in id order (C1, C2, …, C14)."""
    return {claim_id: _JUDGES[claim_id] for claim_id in sorted(_JUDGES, key=lambda i: int(i[1:]))}
