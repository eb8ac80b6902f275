'use strict';
/**
 * The Runtime Lab program protocol, for Node.js workloads.
 *
 * Every workload reads key=value arguments, times its measured region (optionally several
 * times in one process: the first time is the cold run), and prints one JSON line as the
 * last line on stdout. Mirrors python/labkit.py and java/src/lab/Kit.java.
 */
const { PerformanceObserver } = require('node:perf_hooks');

/** Returns `defaults` updated from key=value arguments, typed like the defaults. */
function parseArgs(defaults, argv = process.argv.slice(2)) {
  const values = { ...defaults };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const key = arg.slice(0, eq);
    if (eq <= 0 || !(key in defaults)) {
      fail(`unknown argument '${arg}'; expected key=value with key in ${Object.keys(defaults)}`);
    }
    values[key] = convert(key, arg.slice(eq + 1), defaults[key]);
  }
  return values;
}

function convert(key, raw, fallback) {
  if (typeof fallback === 'string') return raw;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) fail(`${key}='${raw}' is not a number`);
  return value;
}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/** Runs `region()` `iterations` times; returns { seconds, result } of the last run. */
function measure(region, iterations) {
  const seconds = [];
  let result;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    result = region();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds, result };
}

/** Like measure(), for an async region. */
async function measureAsync(region, iterations) {
  const seconds = [];
  let result;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    result = await region();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds, result };
}

/** Prints the protocol's final JSON line. */
function emit(checksum, workS, ops, metrics = {}) {
  process.stdout.write(JSON.stringify({ checksum: String(checksum), work_s: workS, ops, metrics }) + '\n');
}

/** V8's own view of its heap: used heap bytes and external (off-heap) bytes. */
function runtimeMemory() {
  const usage = process.memoryUsage();
  return { heap_used_bytes: usage.heapUsed, heap_total_bytes: usage.heapTotal, external_bytes: usage.external };
}

/**
 * Counts V8 collections and their pauses from PerformanceObserver 'gc' entries.
 * Entries arrive asynchronously, so call `await recorder.stop()` after the work.
 */
class GcRecorder {
  constructor() {
    this.count = 0;
    this.pauseMs = 0;
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.count += 1;
        this.pauseMs += entry.duration;
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Lets pending entries arrive, stops observing, and returns the lab's GC metrics. */
  async stop() {
    await new Promise((resolve) => setImmediate(resolve));
    for (const entry of this.observer.takeRecords()) {
      this.count += 1;
      this.pauseMs += entry.duration;
    }
    this.observer.disconnect();
    return { gc_count: this.count, gc_pause_s: this.pauseMs / 1000 };
  }
}

/** Heap in use after forcing full collections (needs node --expose-gc). */
function settledHeapUsed() {
  if (typeof global.gc !== 'function') fail('run with node --expose-gc to measure a settled heap');
  for (let i = 0; i < 3; i++) global.gc();
  return process.memoryUsage().heapUsed;
}

module.exports = { parseArgs, measure, measureAsync, emit, runtimeMemory, GcRecorder, settledHeapUsed };
