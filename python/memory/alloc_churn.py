"""Allocation churn: the Benchmarks Game binary-trees algorithm, single-threaded.

A stretch tree of depth+1 is built, checked and dropped; a tree of depth ``depth`` stays alive
throughout; then for d = 4, 6, ..., depth, 2**(depth - d + 4) trees of depth d are built,
checked and dropped. Measures how fast the runtime allocates and reclaims millions of small,
short-lived objects while a long-lived structure is held.

Nodes are tuples, as in the Benchmarks Game Python programs. The leaf ``(None, None)`` is a
constant, so CPython allocates only the internal nodes (about half); ops still counts every
node of every tree, as Java and Node allocate them.
"""

import gc

from labkit import BadArgument, GcRecorder, emit, measure, parse_args, runtime_memory

MIN_DEPTH = 4


def make_tree(depth):
    if depth == 0:
        return (None, None)
    depth -= 1
    return (make_tree(depth), make_tree(depth))


def check_tree(node):
    left, right = node
    if left is None:
        return 1
    return 1 + check_tree(left) + check_tree(right)


def binary_trees(max_depth, seen):
    stretch = make_tree(max_depth + 1)
    seen.update(runtime_memory())  # the stretch tree is as much as is ever held at once
    total = check_tree(stretch)
    del stretch
    long_lived = make_tree(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        for _ in range(2 ** (max_depth - depth + MIN_DEPTH)):
            total += check_tree(make_tree(depth))
    return total + check_tree(long_lived)


def nodes_built(max_depth):
    """Every node of every tree that binary_trees builds."""
    nodes = (2 ** (max_depth + 2) - 1) + (2 ** (max_depth + 1) - 1)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        nodes += 2 ** (max_depth - depth + MIN_DEPTH) * (2 ** (depth + 1) - 1)
    return nodes


def collections_per_generation():
    return [generation["collections"] for generation in gc.get_stats()]


def main():
    args = parse_args({"depth": 12, "iterations": 1})
    if args["depth"] < MIN_DEPTH:
        raise BadArgument(f"depth must be at least {MIN_DEPTH}")
    seen = {}
    before = collections_per_generation()
    with GcRecorder() as recorder:
        seconds, total = measure(lambda: binary_trees(args["depth"], seen), args["iterations"])
    metrics = {**recorder.metrics(), **seen}
    for generation, (now, then) in enumerate(zip(collections_per_generation(), before)):
        metrics[f"gc_gen{generation}_count"] = now - then
    emit(total, seconds, nodes_built(args["depth"]), metrics)


if __name__ == "__main__":
    main()
