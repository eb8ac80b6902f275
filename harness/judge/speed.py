"""The speed claim, C12: Node against Python on CPU-bound work, as a geometric mean over workloads."""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.analyse.figures import samples
from harness.judge.claims import Claim
from harness.judge.model import Verdict
from harness.judge.predicates import at_least, bootstrap_figure, ratio_figure, verdict
from harness.judge.registry import judges
from harness.judge.rows import Context, Row, largest, of, one_of


@judges("C12")
def c12_node_faster(context: Context, claim: Claim) -> Verdict | None:
    """C12: the geometric mean over CPU-bound workloads of Python time over Node time."""
    pairs: list[tuple[str, Row | None, Row | None]] = []
    ((python, node),) = claim.groups("alloc_churn")
    churn = context.workload(python.workload)
    depth = largest(churn, "depth")
    if depth:
        pairs.append((f"{python.workload} depth={depth}", one_of(churn, python, depth=depth), one_of(churn, node, depth=depth)))
    ((python, node),) = claim.groups("cpu_scaling")
    scaling = context.workload(python.workload)
    steps = largest(of(scaling, python), "steps")  # Python's work size: it runs only the small one
    threads = int(claim.spec("cpu_scaling").literals("threads")[0])
    if steps:
        pairs.append((f"{python.workload} {python.variant} steps={steps:,}", one_of(scaling, python, steps=steps, threads=threads),
                      one_of(scaling, node, steps=steps, threads=threads)))
    found = [(name, p, n) for name, p, n in pairs if p and n]
    if not found:
        return None
    per_workload = [ratio_figure(f"Python/Node time, {name}", samples(p, "time"), samples(n, "time")) for name, p, n in found]
    sets = [s for _, p, n in found for s in (samples(p, "time"), samples(n, "time"))]

    def geometric_mean(*values: Any, axis: int = -1) -> Any:
        logs = [np.log(np.median(values[i], axis=axis) / np.median(values[i + 1], axis=axis)) for i in range(0, len(values), 2)]
        return np.exp(sum(logs) / len(logs))

    faster = claim.number("faster")
    overall = bootstrap_figure(f"geometric mean of Python/Node time over {len(found)} workloads", sets, geometric_mean, "×", vectorized=True)
    predicates = [at_least("Node is faster than Python on CPU-bound work (geometric mean)", overall, faster, f"≥ {faster}×")]
    note = "Per workload (warm time): " + "; ".join(f.label + " " + f.text() for f in per_workload if f)
    return verdict(claim, context, predicates, note)
