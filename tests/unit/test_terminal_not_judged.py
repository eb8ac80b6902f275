"""The terminal's answers show each "not judged on <runtime>: <reason>" line, dim, as the markdown
and HTML answers do: in the summary after a run, in the live panel and in the plain answer lines."""

import io
import re

from rich.console import Console

from harness.judge import verdicts
from harness.judge.model import SUPPORTED
from harness.report import terminal
from tests.unit.test_verdicts import ENVIRONMENT, OPTIONS, churn

REASON = "the claim is about CPython only, and pypy is PyPy"


def pypy_document():
    """A run judged on CPython 3.11 and again on PyPy: C4, about reference counting, is not judged on PyPy."""
    cpython = {"version": "3.11.7", "gil": True, "tag": "3.11", "implementation": "CPython"}
    pypy = {"version": "3.9.16", "gil": True, "tag": "pypy", "implementation": "PyPy"}
    rows = [dict(r, runtime="3.11") if r["language"] == "python" else r for r in churn(0.2, 0.01, 0.05)]
    rows += [dict(r, runtime="pypy") for r in churn(0.01, 0.01, 0.05) if r["language"] == "python"]
    environment = {**ENVIRONMENT, "runtimes": {"python": cpython}, "runtime_versions": {"python": {"3.11": cpython, "pypy": pypy}}}
    document = {"run_id": "r1", "measurements": rows, "environment": environment, "options": OPTIONS, "schema": 2}
    document["verdicts"] = verdicts.judge_all(document)
    return document


class Terminal(io.StringIO):
    """A file rich takes for a colour terminal, so that styles are written as escape codes."""

    def isatty(self):
        return True


DIM = "\x1b[2m"
ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


def lines(styled: str) -> list[tuple[str, bool]]:
    """Each line of a terminal's output as plain text, and whether it was printed dim."""
    return [(ESCAPES.sub("", line), DIM in line) for line in styled.splitlines()]


def test_the_summary_shows_a_dim_not_judged_line_for_each_runtime_the_claim_is_not_about(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Terminal()
    terminal.print_summary(pypy_document(), tmp_path, file=out)
    shown = lines(out.getvalue())
    c4 = [(text, dim) for text, dim in shown if "C4" in text]
    assert len(c4) == 2 and SUPPORTED in c4[0][0] and not c4[0][1]
    assert c4[1][1] and "C4 on pypy" in c4[1][0] and "not judged" in c4[1][0] and REASON in c4[1][0]
    assert [text for text, dim in shown if dim] == [c4[1][0]], "only the not-judged line is dim"
    unmeasured = next(text for text, _ in shown if text.startswith("Not measured in this run:"))
    assert "C1" in unmeasured and "C4" not in unmeasured


def test_the_live_panel_and_the_plain_lines_show_it_too():
    document = pypy_document()
    log = io.StringIO()
    progress = terminal.RunProgress(1, judge=verdicts.judge_all, claim_workloads={"C4": ["alloc_churn"]}, file=log)
    progress.settled(document, set())
    assert [v.get("runtime") for v in progress.answers["C4"]] == ["", "pypy"]
    assert f"answer: C4 not judged on pypy: {REASON}" in log.getvalue()
    out = Terminal()
    Console(file=out, width=160, force_terminal=True).print(progress._panel().renderables[0])  # the table, without the bar
    dim = [text for text, dim in lines(out.getvalue()) if dim]
    assert len(dim) == 1 and dim[0].split() == ["C4", "on", "pypy", "not", "judged", *REASON.split()]
