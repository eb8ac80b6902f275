#!/usr/bin/env python3
"""Scale a real results.json to N rows, for timing ``python3 -m harness report`` on a large run.

    python3 scripts/make-large-results.py SOURCE OUT_DIR [--rows 20000] [--copies 5]

SOURCE is a results.json (tests/fixtures/results.json, or a published one such as
results/reference/results.json). Its workloads are copied ``--copies`` times under new names
(``cpu_scaling``, ``cpu_scaling-c1``, ...; each a valid name: see harness/catalogue/names.py), and
each copy's rows are repeated with a ``rep`` parameter (0, 1, 2 ...), each repeat's run figures
scaled by its own factor a little above 1, until there are N rows in all:
a run with many workloads, each sweeping many cases, as a large suite gives. The file is written
to OUT_DIR/results.json and then read back through the lab's validating loader.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.catalogue.names import MAX_NAME_LENGTH, is_safe_name  # noqa: E402
from harness.results import store  # noqa: E402


def copy_name(name: str, copy_index: int) -> str:
    """The name of a workload's ``copy_index``-th copy: the name itself for the first, else ``name-cK``,
    shortened so that it keeps to the name rule's length."""
    if copy_index == 0:
        return name
    suffix = f"-c{copy_index}"
    found = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    assert is_safe_name(found), found
    return found


def _nudged(value, factor: float):
    """``value`` with every float in it multiplied by ``factor``: each repeat of a row has runs of its own,
    so nothing that remembers a computation by its inputs (a cached t-test) is flattered by the copies."""
    if isinstance(value, float):
        return value * factor
    if isinstance(value, list):
        return [_nudged(item, factor) for item in value]
    if isinstance(value, dict):
        return {key: item if key == "fraction" else _nudged(item, factor) for key, item in value.items()}  # a load step's name
    return value


def scale(document: dict, rows: int, copies: int) -> dict:
    """A copy of ``document`` with ``rows`` measurements: its workloads ``copies`` times, each row repeated."""
    source = document["measurements"]
    if not source:
        raise SystemExit("the source has no measurements to repeat")
    scaled = {key: value for key, value in document.items() if key not in ("measurements", "workloads")}
    scaled["workloads"], scaled["measurements"] = {}, []
    infos = document.get("workloads") or {}
    per_copy = [rows // copies + (1 if index < rows % copies else 0) for index in range(copies)]
    for copy_index, wanted in enumerate(per_copy):
        for name, info in infos.items():
            scaled["workloads"][copy_name(name, copy_index)] = copy.deepcopy(info)
        for made in range(wanted):
            rep, record = divmod(made, len(source))
            row = json.loads(json.dumps(source[record]))
            row["workload"] = copy_name(row["workload"], copy_index)
            if rep:  # the first pass keeps the source's own parameters
                row["params"] = {**row["params"], "rep": rep}
            if copy_index or rep:  # and the first copy's first pass its figures
                row["runs"] = _nudged(row["runs"], 1 + (copy_index * rows + rep) * 1e-9)
            scaled["measurements"].append(row)
    return scaled


def main() -> int:
    """Write the scaled file and check that the loader accepts it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a results.json to scale")
    parser.add_argument("out_dir", type=Path, help="the run folder to write results.json into")
    parser.add_argument("--rows", type=int, default=20_000, help="rows in the scaled file (default 20,000)")
    parser.add_argument("--copies", type=int, default=5, help="copies of each workload under new names (default 5)")
    chosen = parser.parse_args()
    document = json.loads(chosen.source.read_text(encoding="utf-8"))
    scaled = scale(document, chosen.rows, max(1, chosen.copies))
    chosen.out_dir.mkdir(parents=True, exist_ok=True)
    path = chosen.out_dir / store.RESULTS
    path.write_text(json.dumps(scaled, indent=1, allow_nan=False), encoding="utf-8")
    store.load(chosen.out_dir)  # a StoreError here means the scaled file is not one the report would read
    print(f"{path}: {len(scaled['measurements']):,} rows, {len(scaled['workloads'])} workloads, "
          f"{path.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
