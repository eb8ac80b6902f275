"""A program's result line and a server's load figures: what is refused, so no wrong row is ok."""

import pytest

from harness.measurement import RunFailed, _check_load
from harness.protocol import ProtocolError, parse_result


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
