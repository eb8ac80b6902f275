"""``runtimes`` lists what this machine has: it asks every runtime found (the JDKs in /usr/lib/jvm,
what ``runtimes install`` put in the lab's cache) for its version, so it runs them.

Moved from tests/unit/test_cli.py: what it lists depends on the machine, and finding it starts
each runtime once.
"""

from tests.conftest import main_in_process


def test_runtimes_lists_the_three_languages_and_what_can_be_installed(capsys):
    done = main_in_process(capsys, "runtimes")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert list(dict.fromkeys(line.split()[0] for line in lines[:-2])) == ["python", "java", "node"]
    assert lines[-2].startswith("installable: ") and "python@3.13t" in lines[-2]
    # and the runtimes only an image holds, with how to get them
    assert lines[-1].startswith("in Debian sid's image runtime-lab/base-sid:sid") and "--python sid:3.14" in lines[-1]
    assert "scripts/build-base-images.sh sid" in lines[-1]
