'use strict';
/**
 * Object footprint: the bytes each of n small records costs while an Array retains them.
 *
 * A record is an object literal { id: i, value: i * 0.5 } (mode=object). The measured region
 * builds the Array; afterwards it is built once more between two settled heap readings (after
 * full collections, so run with node --expose-gc), and bytes_per_object = (after - before) / n.
 * That figure includes the Array's element slot (8 bytes: Node's builds do not enable V8's
 * pointer compression) and its spare capacity from growing by push. Integer ids are Smis,
 * stored in the object itself; the double value is boxed in a separate HeapNumber.
 */
const { parseArgs, fail, measure, emit, runtimeMemory, settledHeapUsed } = require('../labkit');

function build(n) {
  const records = [];
  for (let i = 0; i < n; i++) records.push({ id: i, value: i * 0.5 });
  return records;
}

/** The records built between two settled heap readings, and the bytes each costs. */
function settledFootprint(n) {
  const before = settledHeapUsed();
  const records = build(n);
  const after = settledHeapUsed();
  return { records, bytesPerObject: (after - before) / n };
}

function checksum(records) {
  let total = 0;
  for (const record of records) total += record.id + Math.trunc(record.value * 2);
  return total;
}

function main() {
  const args = parseArgs({ n: 200000, mode: 'object', iterations: 1 });
  if (args.mode !== 'object' || args.n < 1) {
    fail('mode must be object and n at least 1');
  }
  const { seconds } = measure(() => build(args.n), args.iterations);
  const { records, bytesPerObject } = settledFootprint(args.n);
  const metrics = { bytes_per_object: bytesPerObject, ...runtimeMemory() }; // while the n records are held
  emit(checksum(records), seconds, args.n, metrics);
}

main();
