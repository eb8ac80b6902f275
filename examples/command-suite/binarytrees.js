// binary-trees (the Benchmarks Game algorithm, one thread): node binarytrees.js DEPTH
'use strict';

const MIN_DEPTH = 4;

function make(depth) {
  return depth === 0 ? { left: null, right: null } : { left: make(depth - 1), right: make(depth - 1) };
}

function check(node) {
  return node.left === null ? 1 : 1 + check(node.left) + check(node.right);
}

const maxDepth = Math.max(MIN_DEPTH + 2, Number(process.argv[2]));
const lines = [[maxDepth + 1, check(make(maxDepth + 1))]];
const longLived = make(maxDepth);
for (let depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
  const iterations = 2 ** (maxDepth - depth + MIN_DEPTH);
  let total = 0;
  for (let i = 0; i < iterations; i++) total += check(make(depth));
  lines.push([iterations, depth, total]);
}
lines.push([maxDepth, check(longLived)]);
console.log(JSON.stringify(lines));
