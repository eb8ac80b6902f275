"""The judge's public names, in one place: what the rest of the harness imports.

The claims are data (claims.toml, read by claims.py); model.py holds what a verdict is made of,
rows.py the row queries, predicates.py the figures and combinators, memory.py, threads.py,
async_io.py and speed.py one function per claim, and driver.py judges a whole run.
"""

from __future__ import annotations

from harness.judge.claims import claim_text, texts
from harness.judge.claims import read as _read
from harness.judge.driver import judge_all, measured
from harness.judge.model import CONTRADICTED, INCONCLUSIVE, NOT_MEASURED, SUPPORTED, Figure, Predicate, Verdict

__all__ = [
    "CLAIMS", "CLAIM_LANGUAGES", "CLAIM_WORKLOADS", "CONTRADICTED", "INCONCLUSIVE", "NOT_MEASURED",
    "SUPPORTED", "THREAD_SERVER_PAIRS", "Figure", "Predicate", "Verdict", "claim_text", "judge_all", "measured",
]

_CLAIMS = {claim.id: claim for claim in _read()}
CLAIMS = texts()  # id -> the claim in a sentence, in id order
CLAIM_WORKLOADS = {claim_id: list(claim.workloads) for claim_id, claim in _CLAIMS.items()}
CLAIM_LANGUAGES = {claim_id: set(claim.languages) for claim_id, claim in _CLAIMS.items()}
# C10's pairs, (workload, language, thread-per-connection variant, event-loop variant).
THREAD_SERVER_PAIRS = tuple((threads.workload, threads.language, threads.variant, loop.variant)
                            for threads, loop in _CLAIMS["C10"].groups("thread_servers"))
