'use strict';
/**
 * Object footprint: the bytes each of n small records costs while an Array retains them.
 *
 * A record is an object literal { id: i, value: i * 0.5 } (mode=object). The measured region
 * builds the Array; afterwards it is built once more between two settled heap readings (V8's
 * heap in use after full collections, so run with node --expose-gc), and
 * bytes_per_object = (after - before) / n. The Array grows by push from [], as Python's list
 * grows by append and Java's default ArrayList by add. The checksum is read back from the
 * retained records: the sum of id + Math.trunc(value * 2).
 *
 * The expected layout in Node 20's V8 (64-bit, no pointer compression: Node's builds leave it
 * off, so every tagged slot is 8 bytes):
 * - the record, a JSObject: map, properties and elements pointers (3 x 8) and its two in-object
 *   fields (2 x 8): 40 bytes (%DebugPrint shows instance size 40, 2 in-object properties);
 * - id: a Smi, stored in its field, nothing more;
 * - value: the field's representation is Double, which V8 no longer stores unboxed in the object
 *   (unboxed double fields were removed): a separate mutable HeapNumber of 16 bytes (map and the
 *   8-byte double), even for the whole numbers i * 0.5 gives for even i;
 * - the Array's element slot: 8 bytes, plus the spare capacity that growth by push leaves
 *   (V8 grows the backing store to length * 1.5 + 16): 257,594 slots for n = 200,000, about
 *   2.3 bytes per record more.
 * In all 40 + 16 + 8 + 2.3 = 66.3 bytes at n = 200,000 (measured here: 67.0 to 67.3, the rest
 * being code and feedback V8 made meanwhile), 67.74 at n = 2,000,000 (measured: 67.74).
 */
const { parseArgs, fail, measure, emit, runtimeMemory, settledHeapUsed } = require('../labkit');

/** The n records in an Array grown by push from empty. */
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

/** Read back from every retained record: the sum of id + Math.trunc(value * 2). */
function checksum(records) {
  let total = 0;
  for (const record of records) total += record.id + Math.trunc(record.value * 2);
  return total;
}

/** Times the build, then measures the footprint and prints the final line. */
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
