"""A program's result line and a server's load figures: what is refused, so no wrong row is ok."""

import pytest

from harness.run.measurement import RunFailed, _check_load
from harness.run.protocol import OutputMismatch, ProtocolError, output_checksum, parse_result, read_output


@pytest.mark.parametrize("line, message", [
    ('{"checksum": null, "work_s": 1}', "no 'checksum'"),
    ('{"work_s": 1}', "no 'checksum'"),
    ('{"checksum": "1", "work_s": NaN}', "finite, non-negative"),
    ('{"checksum": "1", "work_s": [0.1, -0.2]}', "finite, non-negative"),
    ('{"checksum": "1", "work_s": Infinity}', "finite, non-negative"),
    ('{"checksum": "1", "work_s": 1, "metrics": {"held": 0, "freed_at_once_share": NaN}}', "'freed_at_once_share' is nan"),
    ('{"checksum": "1", "work_s": 1, "metrics": {"freed_after_gc_share": -Infinity}}', "is -inf, not a number"),
])
def test_results_that_mean_nothing_are_refused(line, message):
    with pytest.raises(ProtocolError, match=message):
        parse_result(line)


def test_a_good_result_is_read():
    assert parse_result('noise\n{"checksum": 7, "work_s": [0.1, 0.2], "ops": 3}')["checksum"] == "7"


def test_errors_under_load_fail_the_row_with_their_counts():
    with pytest.raises(RunFailed, match="3 errors under load \\(status 2, reset 1\\)"):
        _check_load({"errors": 3, "error_kinds": {"status": 2, "reset": 1, "mismatch": 0}})
    _check_load({"errors": 0, "error_kinds": {}})


# Command programs' output -----------------------------------------------------------------------


def test_numbers_agree_however_each_program_formats_them():
    texts = ["228\nPfannkuchen(7) = 16\n", "Checksum: 228; Pfannkuchen(7) = 16", "checksum 228.0 | n 7 | max flips 16.00"]
    assert len({output_checksum(text, "numbers") for text in texts}) == 1
    assert output_checksum("1..100 is 5050", "numbers") == output_checksum("1 100 5050", "numbers")
    assert output_checksum("tree-3", "numbers") == output_checksum("3", "numbers") != output_checksum("-3", "numbers")
    assert output_checksum("228 16", "numbers") != output_checksum("16 228", "numbers")  # order is part of the answer


def test_stdout_is_compared_whole_after_line_endings_and_regex_by_its_groups():
    assert output_checksum("a\r\nb\r\n", "stdout") == output_checksum("a\nb", "stdout") != output_checksum("a\nc", "stdout")
    assert output_checksum("x total: 5\n", "regex", r"total: (\d+)") == output_checksum("total: 5", "regex", r"total: (\d+)")
    with pytest.raises(OutputMismatch, match="matched nothing; the output began: 'no totals"):
        output_checksum("no totals\nhere", "regex", r"total: (\d+)")
    assert read_output("anything", "none")["checksum"] == "unverified"
    assert read_output('text\n{"checksum": "7", "work_s": [0.1]}', "numbers")["work_s"] == [0.1]  # the lab's line wins
    assert read_output("42 apples", "numbers")["work_s"] is None
