"""Bad input gets one line that says what to do, exit code 2, and never a traceback."""

import json

import pytest

from tests.conftest import SUITE, run_cli


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "--only", "nope"], "unknown workload 'nope'"),
        (["compare", "--family", "nope"], "unknown family 'nope'"),
        (["compare", "--lang", "ruby"], "unknown language 'ruby'"),
        (["compare", "--only", "eager_lazy", "--param", "n=lots"], "not a number"),
        (["compare", "--suite", "tests/fixtures/results.json"], "not valid TOML"),
        (["compare", "--suite", "nowhere.toml"], "no such catalogue file"),
        (["compare", "--java", "/nonexistent/java", "--lang", "java"], "does not exist"),
        (["compare", "--node", "/nonexistent/node"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    done = run_cli(*args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "--min-runs", "0"], "--min-runs: must be at least 1"),
        (["compare", "--min-runs", "5", "--max-runs", "3"], "--max-runs 3 is below --min-runs 5"),
        (["compare", "--target-ci", "0"], "--target-ci: must be a fraction above 0"),
        (["compare", "--target-ci", "-0.1"], "--target-ci: must be a fraction above 0"),
        (["compare", "--row-budget", "0"], "--row-budget: must be above 0"),
        (["compare", "--variant", "nope"], "--variant nope: no chosen workload has that variant"),
    ],
)
def test_bad_run_counts_are_refused_before_anything_runs(args, message, tmp_path):
    done = run_cli(*args, "--out", tmp_path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()


def test_argparse_errors_also_exit_2_without_traceback():
    done = run_cli("compare", "--runs", "zero")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_list_json_names_every_workload_with_its_question_and_programs():
    done = run_cli("list", "--json")
    assert done.returncode == 0, done.stderr
    entries = {entry["name"]: entry for entry in json.loads(done.stdout)}
    assert "eager_lazy" in entries
    assert entries["eager_lazy"]["question"]
    assert "python" in entries["eager_lazy"]["programs"]


def test_list_reads_a_user_suite():
    done = run_cli("list", "--suite", SUITE)
    assert "triangle [mine]" in done.stdout


def test_runtimes_lists_the_three_languages_and_what_can_be_installed():
    done = run_cli("runtimes")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert list(dict.fromkeys(line.split()[0] for line in lines[:-1])) == ["python", "java", "node"]
    assert lines[-1].startswith("installable: ") and "python@3.13t" in lines[-1]


def test_the_commit_is_read_from_the_git_folder_where_there_is_no_git(tmp_path):
    from harness.measure.environment import commit_from_files

    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text("# pack-refs with: peeled\nabcdef1234567890 refs/heads/main\n")
    assert commit_from_files(git) == "abcdef1"
    (git / "refs" / "heads" / "main").write_text("1234567abcdef\n")
    assert commit_from_files(git) == "1234567"
    assert commit_from_files(tmp_path / "nowhere") == ""
