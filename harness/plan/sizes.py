"""Memory sizes as users write them on the command line (``512m``, ``4g``), for both backends."""

from __future__ import annotations

import re

from harness.errors import LabError


def parse_bytes(text) -> int:
    """``"512m"``, ``"4g"``, ``"1073741824"`` -> bytes (what ``docker run --memory`` accepts)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", str(text).lower())
    if not match:
        raise LabError(f"'{text}' is not a memory size; give one such as 512m or 4g")
    number, unit = match.groups()
    return int(float(number) * 1024 ** " kmgt".index(unit or " "))
