"""What the rest of the machine did while a program ran: CPU time used by others, and steal time.

``/proc/stat``'s first line counts, for all CPUs together, the time spent in each state since boot
(in USER_HZ ticks, 10 ms). Its busy time over a run, less the run's own CPU and the harness's, is
what other processes took: on a shared 2-core VM a run during which something else took a core
is slower for a reason that is not the program's. Steal time is what the hypervisor gave to other
guests. A run is *disturbed* when others took more than ``DISTURBED_SHARE`` of a core over it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

TICK_S = 1 / os.sysconf("SC_CLK_TCK")
DISTURBED_SHARE = 0.25  # of one core, on average over the run
# /proc/stat counts in ticks on each CPU: a reading can be off by about a tick per CPU at each end.
RESOLUTION_S = 2 * TICK_S * (os.cpu_count() or 1)


@dataclass(frozen=True)
class MachineCpu:
    """The machine's busy and steal CPU seconds since boot, all CPUs together."""

    busy_s: float
    steal_s: float


def machine_cpu() -> MachineCpu:
    """Read ``/proc/stat`` now (zeros where it cannot be read)."""
    try:
        with open("/proc/stat", "rb") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return MachineCpu(0.0, 0.0)
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return MachineCpu((user + nice + system + irq + softirq) * TICK_S, steal * TICK_S)


def others_during(before: MachineCpu, after: MachineCpu, own_cpu_s: float, harness_cpu_s: float) -> tuple[float, float]:
    """(CPU seconds others used, steal seconds) between two readings; the run's own CPU and the
    harness's are taken out. Never below zero (the readings' ticks round both ways)."""
    others = after.busy_s - before.busy_s - own_cpu_s - harness_cpu_s
    return max(0.0, others), max(0.0, after.steal_s - before.steal_s)


def disturbed(other_cpu_s: float | None, steal_s: float | None, wall_s: float) -> bool:
    """True when others (or the hypervisor) took more than DISTURBED_SHARE of a core over the run,
    beyond what the readings' resolution can tell apart from nothing."""
    if other_cpu_s is None or wall_s <= 0:
        return False
    taken = other_cpu_s + (steal_s or 0.0)
    return taken > RESOLUTION_S and taken / wall_s > DISTURBED_SHARE
