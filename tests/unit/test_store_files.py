"""Files written so that nothing is lost, latest and publish refusals, and results.md escaping."""

import errno
import json
import os

import pytest

from harness import report
from harness.errors import StoreError
from harness.report import markdown, publish
from harness.results import files
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "results.json"


def test_a_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "results.md"
    path.write_text("old")
    files.write_atomically(path, "new")
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["results.md"]
    assert oct(path.stat().st_mode & 0o777) != oct(0o600)  # as readable as any file the user writes


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_failed_write_leaves_no_temporary_file_and_the_old_file_whole(tmp_path, monkeypatch, code):
    path = tmp_path / "results.json"
    path.write_text("old and whole")

    def refuse(*args):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreError) as raised:
        files.write_atomically(path, "new")
    assert str(path) in str(raised.value) and os.strerror(code) in str(raised.value)
    assert path.read_text() == "old and whole" and os.listdir(tmp_path) == ["results.json"]


def test_a_write_into_a_missing_folder_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="cannot write"):
        files.write_atomically(tmp_path / "gone" / "results.md", "x")
    assert not (tmp_path / "gone").exists()


def _runs(tmp_path):
    run = tmp_path / "runs" / "20261201-120000"
    run.mkdir(parents=True)
    (run / "results.json").write_text(FIXTURE.read_text())
    return run


def test_latest_points_at_the_newest_run_and_replaces_its_own_link(tmp_path):
    first = _runs(tmp_path)
    publish.point_latest(tmp_path, first)
    second = tmp_path / "runs" / "20261201-130000"
    second.mkdir()
    publish.point_latest(tmp_path, second)
    assert os.readlink(tmp_path / "latest") == "runs/20261201-130000"
    assert sorted(os.listdir(tmp_path)) == ["latest", "runs"]


@pytest.mark.parametrize("kind", ["file", "folder", "foreign link"])
def test_latest_refuses_to_replace_what_the_lab_did_not_make(tmp_path, kind):
    run = _runs(tmp_path)
    latest = tmp_path / "latest"
    if kind == "file":
        latest.write_text("mine")
    elif kind == "folder":
        latest.mkdir()
    else:
        latest.symlink_to(tmp_path / "runs")
    with pytest.raises(StoreError, match="latest"):
        publish.point_latest(tmp_path, run)
    assert latest.exists() and (kind != "file" or latest.read_text() == "mine")


def test_publish_refuses_a_source_inside_the_folder_it_replaces(tmp_path):
    inside = tmp_path / "reference" / "old"
    inside.mkdir(parents=True)
    (inside / "results.json").write_text(FIXTURE.read_text())
    with pytest.raises(StoreError, match="inside"):
        publish.publish(inside, tmp_path, allow_failures=True)
    assert (inside / "results.json").exists()


def test_results_md_escapes_suite_and_program_text_as_the_html_does(tmp_path):
    document = json.loads(FIXTURE.read_text())
    attack = '<img src=x onerror="alert(1)">'
    document["workloads"]["eager_lazy"]["question"] = f"What does {attack} cost?"
    failed = next(r for r in document["measurements"] if r["status"] == "failed")
    failed["reason"] = f"exit 1: {attack}"
    failed["stderr_tail"] = "```\n" + attack
    document["measurements"][0]["checksum"] = "a|b<script>"
    text = report.render_markdown(document)
    fenced = "\n  ````\n  ```\n  " + attack + "\n  ````"  # a longer fence: the program's ``` cannot close it
    assert fenced in text  # inside a fence Markdown shows text as it is
    outside = text.replace(fenced, "")
    assert "<img" not in outside and "<script>" not in outside
    assert "What does &lt;img src=x onerror=\"alert(1)\"&gt; cost?" in outside
    assert "a\\|b&lt;script&gt;" in outside


def test_escaping_leaves_ordinary_text_alone():
    assert markdown.escape("n=1000 ≥ 4 B per item") == "n=1000 ≥ 4 B per item"
