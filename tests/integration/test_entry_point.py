"""``python -m harness`` as a user types it: the entry point passes main's exit code and output on.

tests/unit/test_cli.py checks the same commands through ``cli.main(argv)`` in-process; these two
keep the entry point itself (harness/__main__.py, a child interpreter) covered.
"""

from tests.conftest import SUITE, run_cli


def test_argparse_errors_also_exit_2_without_traceback():
    done = run_cli("compare", "--runs", "zero")  # through `python -m harness`: the entry point's exit code
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "error: argument --runs: 'zero' is not a whole number; see python -m harness compare --help"


def test_list_reads_a_user_suite():
    done = run_cli("list", "--suite", SUITE)  # a second test through the entry point
    assert done.returncode == 0 and "triangle [mine]" in done.stdout
