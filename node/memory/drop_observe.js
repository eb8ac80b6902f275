'use strict';
/**
 * Drop and observe: does the heap shrink the moment the last reference to a structure goes?
 *
 * The measured region builds an Array of n small records { id: i, value: i * 0.5 } and sums
 * their ids. Then, outside it: V8's used heap is read after a full collection, with the records
 * held, right after the last reference is dropped, and after another full collection (run with
 * node --expose-gc). freed_at_once_share is the part of what the records held that was gone
 * before any collection ran; freed_after_gc_share the part gone after one. Mirrors
 * drop_observe.py and DropObserve.java.
 */
const { parseArgs, fail, measure, emit, settledHeapUsed } = require('../labkit');

function build(n) {
  const records = [];
  for (let i = 0; i < n; i++) records.push({ id: i, value: i * 0.5 });
  return records;
}

function checksum(records) {
  let total = 0;
  for (const record of records) total += record.id;
  return total;
}

/** Heap readings around building and dropping n records. */
function observeDrop(n) {
  const baseline = settledHeapUsed();
  let records = build(n);
  const held = process.memoryUsage().heapUsed;
  const total = checksum(records);
  records = null; // the last reference
  const atOnce = process.memoryUsage().heapUsed;
  const afterGc = settledHeapUsed();
  if (held <= baseline) fail(`the heap counter saw no growth for n=${n} records: use a larger n (200000 or more)`);
  return {
    total,
    metrics: {
      heap_unit: 'bytes',
      held: held - baseline,
      freed_at_once_share: (held - atOnce) / (held - baseline),
      freed_after_gc_share: (held - afterGc) / (held - baseline),
    },
  };
}

function main() {
  const args = parseArgs({ n: 500000, iterations: 1 });
  if (args.n < 1) fail('n must be at least 1');
  const { seconds } = measure(() => checksum(build(args.n)), args.iterations);
  const { total, metrics } = observeDrop(args.n);
  emit(total, seconds, args.n, metrics);
}

main();
