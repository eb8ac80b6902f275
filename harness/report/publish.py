"""Make one run the lab's published reference: ``results/reference/`` and ``results/README.md``.

Runs themselves go to ``results/runs/<run-id>/``, which git ignores, so a user's own run never
changes a tracked file; only this explicit step does.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from harness import report
from harness.errors import StoreError
from harness.results import files, store
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
        if source.resolve().is_relative_to(target.resolve()):
            raise StoreError(f"{source} is inside {target}, which publishing replaces; copy the run elsewhere "
                             f"(results/runs/) and publish that copy")
        _replace_folder(target, source / store.RESULTS)
    written = report.write_reports(document, target)
    readme = Path(results_dir) / "README.md"
    files.write_atomically(readme, report.render_markdown(document, link_prefix=f"{REFERENCE}/"))
    return [readme, *written]


def _replace_folder(target: Path, results: Path) -> None:
    """``target`` emptied and holding a copy of ``results`` (the copy written atomically)."""
    try:
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        files.write_atomically(target / store.RESULTS, results.read_bytes(), durable=True)
    except OSError as error:
        raise StoreError(f"cannot replace {target}: {files.explain(error)}") from None


def point_latest(results_dir: Path, run_dir: Path) -> None:
    """Make ``results_dir/latest`` a relative link to the newest run.

    Only a link the lab made (one to ``runs/...``) is replaced; a user's own file, folder or link
    there is refused with a StoreError rather than deleted. A filesystem without symlinks, or a
    run outside the results folder, leaves nothing to point at: best effort, no error.
    """
    link = Path(results_dir) / "latest"
    if link.is_symlink():
        if not _made_by_the_lab(link):
            raise StoreError(f"{link} is a link to {os.readlink(link)}, not one the lab made; remove or rename it "
                             f"so that `latest` can point at the newest run ({run_dir})")
    elif link.exists():
        raise StoreError(f"{link} exists and is not the lab's link; remove or rename it so that `latest` can point "
                         f"at the newest run ({run_dir})")
    try:
        relative = Path(run_dir).resolve().relative_to(Path(results_dir).resolve())
    except ValueError:
        return  # a run outside the results folder: nothing to point at
    temporary = link.with_name(f".latest.{os.getpid()}.tmp")
    try:
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(relative, target_is_directory=True)
        os.replace(temporary, link)  # the old link stays until the new one takes its place
    except OSError:
        temporary.unlink(missing_ok=True)  # a filesystem without symlinks: nothing to point at


def _made_by_the_lab(link: Path) -> bool:
    """A relative link into the results folder's ``runs/``, as ``point_latest`` writes it."""
    target = Path(os.readlink(link))
    return not target.is_absolute() and target.parts[:1] == ("runs",)
