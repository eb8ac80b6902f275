"""A real PyPy, where the lab's cache or PATH has one, is found as the pypy implementation of Python."""

import subprocess

import pytest

from harness import runtimes


def test_a_real_pypy_reports_its_implementation_where_it_is_installed():
    pypy = next((r for r in runtimes.available("python") if r.implementation == "pypy"), None)
    if pypy is None:
        pytest.skip("no PyPy here (`python -m harness runtimes install python@pypy`)")
    out = subprocess.run([str(pypy.executable), "-c", "import sys; print(sys.implementation.name)"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "pypy" and pypy.tag == "pypy"
