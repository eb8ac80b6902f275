'use strict';
/**
 * Eager vs lazy: sum the integers 0..n-1 from a materialised Array or from a generator.
 *
 * The Array holds all n numbers at once; the generator function yields one at a time.
 */
const { parseArgs, fail, measure, emit, runtimeMemory } = require('../labkit');

let seen = {};

function eagerSum(n) {
  const numbers = [];
  for (let i = 0; i < n; i++) numbers.push(i);
  seen = runtimeMemory(); // while all n numbers are alive
  let total = 0;
  for (const value of numbers) total += value;
  return total;
}

function* range(n) {
  for (let i = 0; i < n; i++) yield i;
}

function lazySum(n) {
  let total = 0;
  for (const value of range(n)) total += value;
  seen = runtimeMemory();
  return total;
}

const MODES = { array: eagerSum, generator: lazySum };

function main() {
  const args = parseArgs({ n: 1000000, mode: 'array', iterations: 1 });
  const summing = MODES[args.mode];
  if (!summing) {
    fail(`mode must be one of ${Object.keys(MODES)}`);
  }
  const { seconds, result } = measure(() => summing(args.n), args.iterations);
  emit(result, seconds, args.n, seen);
}

main();
