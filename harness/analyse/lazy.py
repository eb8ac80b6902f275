"""scipy.stats, imported when a statistic is first computed rather than when the harness starts.

Importing scipy.stats takes about 0.7 s of CPU (it builds every distribution and parses their
docstrings): two thirds of `import harness.cli`. `harness --help`, the option checks and the
commands that compute no statistic need none of it. ``scipy_stats`` stands for the module.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """A module imported at its first attribute look-up, then looked up in ``sys.modules``.

    ``importlib.import_module`` holds the import lock, so threads that reach it at once get the
    one module, fully imported.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazily imported module {self._name!r}>"


scipy_stats: Any = LazyModule("scipy.stats")  # scipy ships no types: Any, as the module itself was
