'use strict';
/**
 * Allocation churn: the Benchmarks Game binary-trees algorithm, single-threaded.
 *
 * A stretch tree of depth+1 is built, checked and dropped; a tree of depth `depth` stays alive
 * throughout; then for d = 4, 6, ..., depth, 2^(depth - d + 4) trees of depth d are built,
 * checked and dropped. Measures how fast the runtime allocates and reclaims millions of small,
 * short-lived objects while a long-lived structure is held.
 *
 * The checksum is the sum of every tree's check: its node count, found by walking the tree
 * (check() visits every node), so it equals the nodes built only if every node was really there.
 */
const { parseArgs, fail, measure, emit, runtimeMemory, GcRecorder } = require('../labkit');

const MIN_DEPTH = 4;
let seen = {};

class TreeNode {
  constructor(left, right) {
    this.left = left;
    this.right = right;
  }
}

/** A complete binary tree of the given depth: 2^(depth + 1) - 1 nodes. */
function makeTree(depth) {
  if (depth === 0) return new TreeNode(null, null);
  return new TreeNode(makeTree(depth - 1), makeTree(depth - 1));
}

/** The nodes in the tree under `node`, counted by visiting each. */
function check(node) {
  return node.left === null ? 1 : 1 + check(node.left) + check(node.right);
}

/** The binary-trees run; returns the sum of every tree's check. */
function binaryTrees(maxDepth) {
  let stretch = makeTree(maxDepth + 1);
  seen = runtimeMemory(); // the stretch tree is as much as is ever held at once
  let total = check(stretch);
  stretch = null;
  const longLived = makeTree(maxDepth);
  for (let depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
    const trees = 2 ** (maxDepth - depth + MIN_DEPTH);
    for (let i = 0; i < trees; i++) total += check(makeTree(depth));
  }
  return total + check(longLived);
}

/** Every node of every tree that binaryTrees builds. */
function nodesBuilt(maxDepth) {
  let nodes = (2 ** (maxDepth + 2) - 1) + (2 ** (maxDepth + 1) - 1);
  for (let depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
    nodes += 2 ** (maxDepth - depth + MIN_DEPTH) * (2 ** (depth + 1) - 1);
  }
  return nodes;
}

/** Runs binary trees `iterations` times and prints the final line with the GC figures. */
async function main() {
  const args = parseArgs({ depth: 12, iterations: 1 });
  if (args.depth < MIN_DEPTH) {
    fail(`depth must be at least ${MIN_DEPTH}`);
  }
  const recorder = new GcRecorder();
  const { seconds, result } = measure(() => binaryTrees(args.depth), args.iterations);
  const collections = await recorder.stop();
  emit(result, seconds, nodesBuilt(args.depth), { ...collections, ...seen });
}

main();
