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


def test_runtimes_lists_the_three_languages():
    done = run_cli("runtimes")
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["python", "java", "node"]
