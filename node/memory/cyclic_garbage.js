'use strict';
/**
 * Cyclic garbage: make m pairs of objects that point at each other, and drop each pair.
 *
 * A tracing collector never visits dead objects, so a cycle costs no more to reclaim than any
 * other garbage. Only mode=default exists (Python also has gc_on and gc_off). The heap view is
 * taken at the end of the measured region.
 */
const { parseArgs, fail, measure, emit, runtimeMemory, GcRecorder } = require('../labkit');

let seen = {};
let latest = null;

class Cell {
  constructor(payload) {
    this.payload = payload;
    this.partner = null;
  }
}

function churn(m) {
  let total = 0;
  for (let i = 0; i < m; i++) {
    const a = new Cell(i);
    const b = new Cell(2 * i);
    a.partner = b;
    b.partner = a;
    latest = a; // escapes, so escape analysis cannot elide the pair
    total += a.partner.payload + b.partner.payload;
  }
  seen = runtimeMemory();
  return total;
}

async function main() {
  const args = parseArgs({ m: 200000, mode: 'default', iterations: 1 });
  if (args.mode !== 'default') {
    fail('mode must be default');
  }
  const recorder = new GcRecorder();
  const { seconds, result } = measure(() => churn(args.m), args.iterations);
  const collections = await recorder.stop();
  emit(result, seconds, args.m, { ...collections, ...seen });
}

main();
