'use strict';
/**
 * Does labkit.measure() let go of one iteration's result before the next iteration starts?
 *
 * Each of three iterations first reads the settled heap (the heap in use at its start, after full
 * collections), then builds and returns a result of about 40 MB in V8's heap: a plain Array of
 * 5,000,000 distinct doubles (a Float64Array would live outside the heap, as external memory).
 * If measure() held the previous result while the next iteration ran, heap_at_start[1] would
 * exceed heap_at_start[0] by about result_bytes. Run from the repository root:
 *
 *     node --expose-gc tests/programs/kit_release.js
 *
 * Prints the protocol's final line: checksum "0", metrics heap_at_start (three numbers) and
 * result_bytes (the result's size in the heap: the settled heap with the first result held, less
 * heap_at_start[0]; push leaves the backing store some spare room beyond 8 bytes a double).
 */
const path = require('node:path');
const { measure, emit, settledHeapUsed } = require(path.join(__dirname, '..', '..', 'node', 'labkit'));

const LENGTH = 5_000_000;
const ITERATIONS = 3;

/**
 * An Array of LENGTH doubles. new Array(LENGTH) would start as a holey array of tagged
 * pointers (8 bytes a slot, each double boxed in a 16-byte HeapNumber); filled in place with
 * doubles from the start it becomes PACKED_DOUBLE_ELEMENTS, 8 bytes a slot, unboxed.
 */
function buildDoubles() {
  const values = [0.5];
  for (let i = 1; i < LENGTH; i++) values.push(i + 0.5);
  return values;
}

/** Runs three iterations through labkit.measure and prints the heap at the start of each. */
function main() {
  const heapAtStart = [];
  let resultBytes = 0;
  const { seconds } = measure(() => {
    heapAtStart.push(settledHeapUsed());
    const result = buildDoubles();
    // Once, in the first iteration: what the result holds, with nothing else built yet.
    if (heapAtStart.length === 1) resultBytes = settledHeapUsed() - heapAtStart[0];
    return result;
  }, ITERATIONS);
  emit('0', seconds, ITERATIONS * LENGTH, { heap_at_start: heapAtStart, result_bytes: resultBytes });
}

main();
