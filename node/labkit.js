'use strict';
/**
 * The Runtime Lab program protocol, for Node.js workloads.
 *
 * Every workload reads key=value arguments, times its measured region (optionally several
 * times in one process: the first time is the cold run), and prints one JSON line as the
 * last line on stdout. Mirrors python/labkit.py and java/src/lab/Kit.java.
 */
const fs = require('node:fs');
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

/** Exits with status 2 and `error: <message>` on stderr: arguments the program cannot use. */
function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/**
 * Exits with status 3 and `not available: <why>` on stderr: this variant cannot run here, which
 * the harness records as a skip, not a failure.
 */
function notAvailable(why) {
  process.stderr.write(`not available: ${why}\n`);
  process.exit(3);
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

// Server programs -----------------------------------------------------------------------------

/** Prints the line that tells the harness the server is listening, and on which port. */
function ready(port) {
  process.stdout.write(`{"ready": true, "port": ${port}}\n`);
}

/** Exits 1 with a one-line error naming the address that could not be listened on. */
function listenFailed(host, port, error) {
  process.stderr.write(`error: cannot listen on ${host}:${port}: ${error.message}\n`);
  process.exit(1);
}

/** A server's final metrics: V8's memory view and the connections it accepted. */
function serverMetrics(connections) {
  return { ...runtimeMemory(), connections_total: connections };
}

// Thread limits -------------------------------------------------------------------------------

/**
 * How many more threads the kernel and RLIMIT_NPROC let this process start, or Infinity if no
 * limit is known: the tightest of threads-max, pid_max and the soft RLIMIT_NPROC, less the
 * threads already alive on the machine.
 */
function threadBudget() {
  const limits = [readInt('/proc/sys/kernel/threads-max'), readInt('/proc/sys/kernel/pid_max'), maxProcesses()];
  const known = limits.filter((limit) => limit !== null);
  return known.length ? Math.min(...known) - tasksRunning() : Infinity;
}

/** The soft RLIMIT_NPROC, from the 'Max processes' line of /proc/self/limits. */
function maxProcesses() {
  const line = readText('/proc/self/limits').split('\n').find((text) => text.startsWith('Max processes'));
  const soft = line ? line.slice('Max processes'.length).trim().split(/\s+/)[0] : 'unlimited';
  return soft === 'unlimited' ? null : Number(soft);
}

/** Threads alive on the whole machine (the 'running/total' field of /proc/loadavg). */
function tasksRunning() {
  const field = readText('/proc/loadavg').split(/\s+/)[3] ?? '';
  return Number(field.split('/')[1]) || 0;
}

/** The first integer in a /proc file, or null if it cannot be read. */
function readInt(path) {
  const value = parseInt(readText(path), 10);
  return Number.isNaN(value) ? null : value;
}

function readText(path) {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

module.exports = {
  parseArgs,
  fail,
  notAvailable,
  measure,
  measureAsync,
  emit,
  runtimeMemory,
  GcRecorder,
  settledHeapUsed,
  ready,
  listenFailed,
  serverMetrics,
  threadBudget,
};
