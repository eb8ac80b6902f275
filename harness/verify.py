"""Check that every program of a case computed the same answer."""

from __future__ import annotations

from collections import Counter, defaultdict


def check_checksums(measurements) -> None:
    """Mark ``mismatch`` every ok measurement whose checksum differs from its case's majority.

    When no checksum has a strict majority, nobody can be trusted, so all of them are marked.
    """
    cases = defaultdict(list)
    for measurement in measurements:
        if measurement.status == "ok":
            cases[measurement.job.case].append(measurement)
    for members in cases.values():
        _check_case(members)


def _check_case(members) -> None:
    counts = Counter(m.checksum for m in members)
    if len(counts) <= 1:
        return
    (top, top_count), (_, second_count) = counts.most_common(2)
    agreed = [m.job.program.label for m in members if m.checksum == top]
    for member in members:
        if top_count == second_count:
            others = ", ".join(f"{m.job.program.label}={m.checksum}" for m in members if m is not member)
            member.mark("mismatch", f"checksum {member.checksum} disagrees with {others}; none has a majority")
        elif member.checksum != top:
            member.mark("mismatch", f"checksum {member.checksum} differs from {top} printed by {', '.join(agreed)}")
