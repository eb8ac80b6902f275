"""The headline peak memory of a run: the figure a user reproduces by hand.

For one process that is what GNU time's ``%M`` prints: the kernel's ``ru_maxrss`` of the program,
its resident high-water mark. The harness reads the same number two ways:

- ``ru_maxrss`` from ``wait4``. Exact, but the kernel carries the high-water mark of the process
  the program was exec'd from into it: a child of the harness starts out with the harness's own
  mark (``vfork`` shares the harness's memory until the exec). So it is the program's own only
  when it is above that mark (``inherited_bytes``), as it is for any program larger than the harness.
- ``VmHWM`` sampled from ``/proc/<pid>/status``: the same kernel high-water mark, of the program's
  own memory only (it starts at exec), read every few milliseconds. It misses only what the
  program grew in the last sampling interval before it exited.

For a tree of several processes the resident sizes cannot simply be added: pages that forked
workers share with their parent would count once per process. The tree's figure is the peak of
the summed proportional set size (PSS), in which a page shared by k processes counts 1/k in each,
and never less than the root process's own peak. With a run cgroup the sampler follows it at every
sample through the cgroup's anonymous memory, reading ``smaps_rollup`` only now and then for the
file pages' share (``sampler._PssFollower``); without one it reads ``smaps_rollup`` every few samples.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.measure.sampler import high_water_mark


@dataclass(frozen=True)
class Peak:
    """A headline peak and how it was found."""

    bytes: int | None
    method: str  # "ru_maxrss", "VmHWM sampled", "PSS of the tree, sampled", or why there is none


def headline_peak(ru_maxrss_bytes: int, inherited_bytes: int, hwm_bytes: int, pss_bytes: int,
                  processes_peak: int) -> Peak:
    """The run's headline peak from the kernel's and the sampler's readings (see the module's text).

    ``inherited_bytes``: the high-water mark the program may have inherited at exec (the harness's).
    """
    own = ru_maxrss_bytes if ru_maxrss_bytes > inherited_bytes else 0
    root = Peak(own, "ru_maxrss") if own >= hwm_bytes and own else Peak(hwm_bytes or None, "VmHWM sampled")
    if processes_peak > 1 and pss_bytes > (root.bytes or 0):
        return Peak(pss_bytes, "PSS of the tree, sampled")
    if root.bytes is None:
        return Peak(None, "not measured: the program ended before it could be sampled")
    return root


def reset_own_high_water_mark() -> None:
    """Restart this process's ``VmHWM`` from its current resident size (``/proc/self/clear_refs``, 5).

    A program the harness starts inherits the harness's high-water mark at exec; after a report or a
    large run that mark can be hundreds of MiB. Reset just before each start, it is only what the
    harness holds now, so ``ru_maxrss`` is the program's own for any program larger than that."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass  # an older kernel, or no /proc: ru_maxrss is then used less often


def own_high_water_mark() -> int:
    """This process's ``VmHWM`` in bytes: what a program it starts inherits at exec, at most."""
    return high_water_mark("self")
