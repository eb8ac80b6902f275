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

/** `raw` typed like `fallback`: a string as it is, anything else as a finite number. */
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

/**
 * Runs `region()` `iterations` times; returns { seconds, result } of the last run.
 *
 * Each run's result is dropped before the next run starts (outside the timed region), so a run
 * never works beside the previous run's result, as python/labkit.py and Kit.java do too.
 */
function measure(region, iterations) {
  const seconds = [];
  let result;
  for (let i = 0; i < iterations; i++) {
    result = undefined; // the only reference to the previous run's result
    const start = process.hrtime.bigint();
    result = region();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds, result };
}

/** Like measure(), for an async region: the previous run's result is dropped the same way. */
async function measureAsync(region, iterations) {
  const seconds = [];
  let result;
  for (let i = 0; i < iterations; i++) {
    result = undefined;
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

// Bun has no PerformanceObserver 'gc' entries, and Deno lists the type but never delivers one:
// on those a count of 0 would read as "no collection", so their GC metrics are left out instead.
const GC_ENTRIES = !process.versions.bun && typeof Deno === 'undefined'
  && PerformanceObserver.supportedEntryTypes.includes('gc');

/**
 * Counts V8 collections and their pauses from PerformanceObserver 'gc' entries.
 * Entries arrive asynchronously, so call `await recorder.stop()` after the work.
 * Where the runtime delivers no such entries, stop() returns no GC metrics (absent, never 0).
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
    if (!GC_ENTRIES) return {};
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

/** Starts `server` listening on host:port and calls `onListening(port)`; exits 1 if it cannot. */
function listen(server, host, port, onListening) {
  server.on('error', (error) => listenFailed(host, port, error));
  // The listen backlog stays at Node's default, 511, which the Python and Java servers copy.
  server.listen({ host, port }, () => onListening(server.address().port));
}

/**
 * A server program in one process: listens, prints the ready line, and on SIGTERM stops
 * accepting and prints the final line. `counts()` gives { ops, connections } so far.
 */
function serveUntilTerm(server, host, port, counts) {
  listen(server, host, port, ready);
  process.on('SIGTERM', () => {
    server.close();
    const { ops, connections } = counts();
    emit('0', [], ops, serverMetrics(connections));
    process.exit(0); // open connections end with the process; stdout is synchronous for files and pipes
  });
}

/**
 * A server program's multi-core mode, on node:cluster: the primary forks one worker per CPU this
 * process may use (os.availableParallelism()), each running this same program. The workers'
 * servers share one listening socket, which the primary holds: it accepts every connection and
 * hands them to the workers in turn (cluster.SCHED_RR, round-robin, Node's default on Linux; set
 * here so that NODE_CLUSTER_SCHED_POLICY cannot change it); after that a connection's bytes go
 * straight to its worker. The primary prints the ready line once every worker listens; on
 * SIGTERM it collects each worker's counts over IPC, ends the workers, waits for them to exit,
 * and prints the final line with the sums: ops, connections, and the V8 heap views of all the
 * processes, its own included.
 *
 * `makeServer()` runs in each worker and returns its server; `counts()` there gives
 * { ops, connections } so far.
 */
function serveOnEveryCore(makeServer, host, port, counts) {
  const cluster = require('node:cluster'); // here, not at the top: only this mode needs it
  if (cluster.isWorker) {
    serveAsWorker(makeServer(), host, port, counts);
    return;
  }
  cluster.schedulingPolicy = cluster.SCHED_RR;
  superviseWorkers(cluster, require('node:os').availableParallelism());
}

/** One cluster worker: serves until asked, by SIGTERM or by the primary, for its counts. */
function serveAsWorker(server, host, port, counts) {
  listen(server, host, port, () => {}); // cluster itself tells the primary
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    process.send({ report: { ...counts(), ...runtimeMemory() } });
  };
  // The harness signals the whole process group, so SIGTERM may reach a worker before its primary
  // asks; either way the worker reports once and keeps running until the primary disconnects it
  // (cluster then exits the worker), so that the report cannot be lost in an exit.
  process.on('SIGTERM', report);
  process.on('message', (message) => message === 'report' && report());
}

/** The cluster primary: forks `count` workers, prints the ready line, sums their reports. */
function superviseWorkers(cluster, count) {
  const reports = new Map();
  let listening = 0;
  let stopping = false;
  let failed = false;
  const finishOnceReported = () => {
    if (stopping && reports.size === count) endWorkers(cluster, () => emitSums(reports, count));
  };
  cluster.on('listening', (worker, address) => {
    listening += 1;
    if (listening === count) ready(address.port);
  });
  cluster.on('message', (worker, message) => {
    if (!message || !message.report) return;
    reports.set(worker.id, message.report);
    finishOnceReported();
  });
  cluster.on('exit', (worker, code, signal) => {
    if (reports.has(worker.id) || failed) return;
    failed = true;
    process.stderr.write(`error: server worker ${worker.process.pid} ended early (exit code ${code}, signal ${signal})\n`);
    endWorkers(cluster, () => process.exit(1), 'SIGKILL');
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) if (worker.isConnected()) worker.send('report');
    finishOnceReported();
  });
  for (let i = 0; i < count; i++) cluster.fork();
}

/**
 * Ends every worker still running and calls `done()` once all have exited (so that none is left
 * behind, not even unreaped): by disconnecting it (the worker's cluster code then exits it), or
 * with `signal` if given.
 */
function endWorkers(cluster, done, signal) {
  const workers = Object.values(cluster.workers).filter((worker) => !worker.isDead());
  let alive = workers.length;
  if (alive === 0) done();
  for (const worker of workers) {
    worker.once('exit', () => {
      alive -= 1;
      if (alive === 0) done();
    });
    if (signal) worker.process.kill(signal);
    else worker.process.disconnect();
  }
}

/** The primary's final line: the workers' counts and heap views summed, with its own heap. */
function emitSums(reports, count) {
  const sums = { ops: 0, connections: 0, ...runtimeMemory() };
  for (const report of reports.values()) {
    for (const key of Object.keys(sums)) sums[key] += report[key];
  }
  const { ops, connections, ...memory } = sums;
  emit('0', [], ops, { ...memory, connections_total: connections, workers: count });
  process.exit(0);
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

/** A file's text, or '' if it cannot be read. */
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
  serveUntilTerm,
  serveOnEveryCore,
  threadBudget,
};
