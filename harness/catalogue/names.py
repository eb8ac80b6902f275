"""The one rule for the names a run writes into file names: workloads, variants and languages.

The catalogue loader refuses a name that breaks it when a suite loads, and the report refuses a
results file that breaks it, so a run is never measured in full and then refused. No dot: ``v1.0``
and ``v1.5`` would both become ``v1.png``. ASCII only and a length limit: every file system can
hold the name, with room for the ``-speedup.svg`` the plots add.
"""

from __future__ import annotations

import re
from typing import TypeGuard

MAX_NAME_LENGTH = 64
SAFE_NAME = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_NAME_LENGTH}}}")
NAME_RULE = f"ASCII letters, digits, '-' or '_', at most {MAX_NAME_LENGTH} characters, no dot"


def is_safe_name(name: object) -> TypeGuard[str]:
    """Whether ``name`` may name a file of the report: see ``NAME_RULE``."""
    return isinstance(name, str) and SAFE_NAME.fullmatch(name) is not None
