"""Bad input gets one line that says what to do, exit code 2, and never a traceback.

Every test calls ``cli.main(argv)`` in this process; tests/integration/test_entry_point.py starts
``python -m harness`` as a user does, so the entry point itself stays covered.
"""

import json
import os
import signal
from pathlib import Path

import pytest

from harness import catalogue, cli
from tests.conftest import ROOT, SUITE, builtin_catalogue


@pytest.fixture(autouse=True)
def catalogue_read_once(monkeypatch):
    """The commands load the lab's catalogue as always, from the session's one read of it (17 ms a
    read, a dozen here): reading it is test_catalogue's subject. Any other suite is read as always."""
    real = catalogue.load
    monkeypatch.setattr(catalogue, "load",
                        lambda path=catalogue.BUILTIN: builtin_catalogue() if Path(path) == catalogue.BUILTIN else real(path))


def run(capsys, *args):
    """``cli.main(args)`` here: (exit code, stdout, stderr)."""
    code = cli.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "--only", "nope"], "unknown workload 'nope'"),
        (["compare", "--family", "nope"], "unknown family 'nope'"),
        (["compare", "--lang", "ruby"], "unknown language 'ruby'"),
        (["compare", "--only", "eager_lazy", "--param", "n=lots"], "not a number"),
        (["compare", "--suite", ROOT / "tests/fixtures/results.json"], "not valid TOML"),
        (["compare", "--suite", ROOT / "nowhere.toml"], "no such catalogue file"),
        (["compare", "--java", "/nonexistent/java", "--lang", "java"], "does not exist"),
        (["compare", "--node", "/nonexistent/node"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "--min-runs", "0"], "--min-runs: must be at least 1"),
        (["compare", "--min-runs", "5", "--max-runs", "3"], "--max-runs 3 is below --min-runs 5"),
        (["compare", "--target-ci", "0"], "--target-ci: must be a fraction above 0"),
        (["compare", "--target-ci", "-0.1"], "--target-ci: must be a fraction above 0"),
        (["compare", "--row-budget", "0"], "--row-budget: must be above 0"),
        (["compare", "--variant", "nope"], "--variant nope: no chosen workload has that variant"),
        (["compare", "--machines", "a"], "--machines chooses swarm machines; add --backend swarm"),
        (["compare", "--registry", "host:5000"], "--registry sends images to swarm nodes; add --backend swarm"),
    ],
)
def test_bad_run_counts_are_refused_before_anything_runs(capsys, args, message, tmp_path):
    code, _, err = run(capsys, *args, "--out", tmp_path)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()


def test_argparse_errors_also_exit_2_without_traceback(capsys):
    code, _, err = run(capsys, "compare", "--runs", "zero")
    assert code == 2 and "Traceback" not in err
    assert err.strip() == "error: argument --runs: 'zero' is not a whole number; see python -m harness compare --help"


def test_help_lists_the_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "exit codes:" in out and "3    a defect of the lab" in out


def test_list_json_names_every_workload_with_its_question_and_programs(capsys):
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    entries = {entry["name"]: entry for entry in json.loads(out)}
    assert "eager_lazy" in entries
    assert entries["eager_lazy"]["question"]
    assert "python" in entries["eager_lazy"]["programs"]


def test_list_reads_a_user_suite(capsys):
    code, out, _ = run(capsys, "list", "--suite", SUITE)
    assert code == 0 and "triangle [mine]" in out


def test_a_defect_of_the_lab_is_one_line_naming_its_log_and_exit_3(capsys, monkeypatch, tmp_path):
    def boom(options):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_list", boom)
    monkeypatch.setattr(cli, "CACHE", tmp_path)
    code, _, err = run(capsys, "list")
    assert code == 3 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    logs = list((tmp_path / "logs").glob("lab-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err and "ZeroDivisionError: a bug" in err
    assert "Traceback" in logs[0].read_text() and "def boom" not in err


def test_a_defect_during_compare_is_logged_beside_the_runs(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli.catalogue, "load", lambda path: {}["no such key"])
    code, _, err = run(capsys, "compare", "--out", tmp_path)
    assert code == 3 and "KeyError" in err
    assert [log.parent for log in tmp_path.glob("lab-error-*.log")] == [tmp_path]


@pytest.mark.parametrize("signum, code, said", [(signal.SIGTERM, 143, "stopped by SIGTERM"), (signal.SIGHUP, 129, "stopped by SIGHUP"),
                                                (signal.SIGINT, 130, "interrupted")])
def test_a_stop_signal_ends_the_command_with_128_plus_its_number(capsys, monkeypatch, signum, code, said):
    seen = []

    def stopped(options):
        os.kill(os.getpid(), signum)
        seen.append("not stopped")  # never reached: the handler stops the command
        return 0

    monkeypatch.setattr(cli, "cmd_list", stopped)
    before = signal.getsignal(signum)
    got, _, err = run(capsys, "list")
    assert got == code and seen == []
    assert err.strip() == f"{said}: every finished measurement is kept in the results file"
    assert signal.getsignal(signum) == before  # main puts the handlers back


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
