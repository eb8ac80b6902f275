"""Allocation churn: the Benchmarks Game binary-trees algorithm, single-threaded.

A stretch tree of depth+1 is built, checked and dropped; a tree of depth ``depth`` stays alive
throughout; then for d = 4, 6, ..., depth, 2**(depth - d + 4) trees of depth d are built,
checked and dropped. Measures how fast the runtime allocates and reclaims millions of small,
short-lived objects while a long-lived structure is held.

Nodes are tuples, as in the Benchmarks Game Python programs. A leaf is built from a variable,
not written as the literal ``(None, None)``: CPython folds that literal into one shared constant
and would allocate only the internal nodes, about half of what Java and Node allocate.

Each tree is held in a one-item list so that the moment it is dropped can be timed: the
``refcount_free_s`` metric is the time reference counting took to free the trees once their
last reference went (the deallocation cascade), the part of CPython's memory management that a
clock can isolate. The cycle collector's pauses are ``gc_pause_s``. mode=freeze calls
gc.freeze() before the measured region, an option an expert tuning CPython's collector would try.
"""

import gc
import sys
import time

from labkit import BadArgument, GcRecorder, emit, measure, not_available, parse_args, runtime_memory

MIN_DEPTH = 4


NO_CHILD = None  # a variable, so that every leaf is a new tuple (see above)


def make_tree(depth):
    if depth == 0:
        return (NO_CHILD, NO_CHILD)
    depth -= 1
    return (make_tree(depth), make_tree(depth))


def check_tree(node):
    left, right = node
    if left is None:
        return 1
    return 1 + check_tree(left) + check_tree(right)


class FreeTimer:
    """Times how long reference counting takes to free a tree once its last reference goes."""

    def __init__(self):
        self.seconds = 0.0

    def drop(self, holder):
        """Empty ``holder``, a list holding the only reference to a tree, and time the freeing."""
        started = time.perf_counter()
        holder.clear()
        self.seconds += time.perf_counter() - started


def binary_trees(max_depth, seen, freeing):
    stretch = [make_tree(max_depth + 1)]
    seen.update(runtime_memory())  # the stretch tree is as much as is ever held at once
    total = check_tree(stretch[0])
    freeing.drop(stretch)
    long_lived = [make_tree(max_depth)]
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        for _ in range(2 ** (max_depth - depth + MIN_DEPTH)):
            tree = [make_tree(depth)]
            total += check_tree(tree[0])
            freeing.drop(tree)
    total += check_tree(long_lived[0])
    freeing.drop(long_lived)
    return total


def nodes_built(max_depth):
    """Every node of every tree that binary_trees builds."""
    nodes = (2 ** (max_depth + 2) - 1) + (2 ** (max_depth + 1) - 1)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        nodes += 2 ** (max_depth - depth + MIN_DEPTH) * (2 ** (depth + 1) - 1)
    return nodes


def collections_per_generation():
    """CPython's collections per generation; none on an implementation whose gc.get_stats differs (PyPy)."""
    stats = gc.get_stats()
    return [generation["collections"] for generation in stats] if isinstance(stats, list) else []


MODES = ("plain", "freeze")


def main():
    args = parse_args({"depth": 12, "mode": "plain", "iterations": 1})
    if args["depth"] < MIN_DEPTH:
        raise BadArgument(f"depth must be at least {MIN_DEPTH}")
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {list(MODES)}")
    if args["mode"] == "freeze" and not hasattr(gc, "freeze"):
        not_available(f"{sys.implementation.name} has no gc.freeze (a CPython 3.7+ collector setting)")
    if args["mode"] == "freeze":
        # What a tuned service does after start-up: move every object alive now (modules,
        # functions, constants) out of the collector's reach, so its collections scan only the trees.
        gc.freeze()
    seen, freeing = {}, FreeTimer()
    before = collections_per_generation()
    with GcRecorder() as recorder:
        seconds, total = measure(lambda: binary_trees(args["depth"], seen, freeing), args["iterations"])
    metrics = {**recorder.metrics(), **seen, "refcount_free_s": freeing.seconds}
    for generation, (now, then) in enumerate(zip(collections_per_generation(), before)):
        metrics[f"gc_gen{generation}_count"] = now - then
    emit(total, seconds, nodes_built(args["depth"]), metrics)


if __name__ == "__main__":
    main()
