"""Make one run the lab's published reference: ``results/reference/`` and ``results/README.md``.

Runs themselves go to ``results/runs/<run-id>/``, which git ignores, so a user's own run never
changes a tracked file; only this explicit step does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from harness import report
from harness.errors import StoreError
from harness.results import store
from harness.results.model import Status

REFERENCE = "reference"
BAD = (Status.FAILED, Status.TIMEOUT, Status.OOM, Status.MISMATCH)


def publish(run_dir: Path, results_dir: Path, allow_failures: bool = False) -> list[Path]:
    """Copy a run into ``results_dir/reference`` and make its report the results README."""
    document = store.load(run_dir)
    source = Path(run_dir) if Path(run_dir).is_dir() else Path(run_dir).parent
    failed = [r for r in document["measurements"] if r["status"] in BAD]
    if failed and not allow_failures:
        raise StoreError(f"{source} has {len(failed)} failed or mismatched rows; fix them, or publish anyway with "
                         f"--allow-failures (the report lists them)")
    target = Path(results_dir) / REFERENCE
    if target.resolve() != source.resolve():
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        shutil.copy2(source / store.RESULTS, target / store.RESULTS)
    written = report.write_reports(document, target)
    readme = Path(results_dir) / "README.md"
    readme.write_text(report.render_markdown(document, link_prefix=f"{REFERENCE}/"))
    return [readme, *written]


def point_latest(results_dir: Path, run_dir: Path) -> None:
    """Make ``results_dir/latest`` a relative link to the newest run (best effort)."""
    link = Path(results_dir) / "latest"
    try:
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(Path(run_dir).resolve().relative_to(Path(results_dir).resolve()), target_is_directory=True)
    except (OSError, ValueError):
        pass  # a filesystem without symlinks, or a run outside the results folder: nothing to point at
