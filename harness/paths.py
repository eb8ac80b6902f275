"""Where the lab's own files are: the repository, the harness package and the runtime cache."""

from __future__ import annotations

import os
from pathlib import Path

HARNESS = Path(__file__).resolve().parent
REPO = HARNESS.parent  # the build context of every image, and the root the programs' folders sit under
FIXTURES = HARNESS / "fixtures"  # servers and probes the harness runs beside programs
LOADGEN_SOURCES = REPO / "loadgen"
# Runtimes, compiled classes, builds and the load generator, kept between runs.
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "runtime-lab"
