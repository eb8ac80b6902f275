"""The harness's own fixed cost on this machine, measured at the start of every native run.

A bare ``true`` and a loop that burns 0.2 s of CPU, each run through the lab (``run_measured``:
the gate, the cgroup, the sampler) and bare (``posix_spawn`` and ``wait4`` from this process, as
``hyperfine -N`` does), interleaved. The difference is what the lab adds to a run's wall time
here; the environment section of the report shows it, so a reader sees it where the run was made.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable

CPU_LOOP = "import time\nwhile time.process_time() < 0.2:\n    pass\n"
PROGRAMS = {"true": ["true"], "cpu_loop_0.2s": [sys.executable, "-c", CPU_LOOP]}


def fixed_cost(through_lab: Callable[[list], float], runs: int = 3) -> dict:
    """Per program: median wall through the lab (``through_lab(argv)`` gives one run's wall_s) and
    bare, the milliseconds the lab added, and their ratio."""
    found = {}
    for name, argv in PROGRAMS.items():
        lab, bare = [], []
        for _ in range(runs):
            lab.append(through_lab(argv))
            bare.append(_bare_wall(argv))
        lab_s, bare_s = statistics.median(lab), statistics.median(bare)
        found[name] = {"lab_s": lab_s, "bare_s": bare_s, "added_ms": 1000 * (lab_s - bare_s),
                       "ratio": lab_s / bare_s if bare_s else None, "n": runs}
    return found


def _bare_wall(argv: list) -> float:
    """Seconds from posix_spawn to wait4's return, output discarded."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        path = shutil.which(argv[0]) or argv[0]
        actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
        started = time.perf_counter()
        pid = os.posix_spawn(path, argv, os.environ, file_actions=actions)
        os.wait4(pid, 0)
        return time.perf_counter() - started
    finally:
        os.close(null)

