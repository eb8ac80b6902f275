'use strict';
/**
 * CPU-bound scaling: a fixed amount of pure computation, split over `threads` workers.
 *
 * There are `chunks` independent chunks of equal cost; chunk c starts from x = c + 1 and runs
 * `steps` rounds of xorshift32 on it. The checksum is the sum of the chunks' final x, each read
 * as an unsigned 32-bit integer. Worker w takes chunks w, w + threads, w + 2 * threads, ...
 *
 * `sequential` is a plain loop (it ignores `threads`). `workers` runs the shares on
 * worker_threads, each with its own V8 isolate and event loop; this same file is the worker's
 * script.
 *
 * The workers are started before the timed region and terminated after it, so the measure is
 * the parallel compute alone (handing out the shares and collecting the sums included); their
 * start-up is reported as `pool_start_s`.
 */
const { once } = require('node:events');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { parseArgs, fail, measure, measureAsync, emit } = require('../labkit');

function xorshift32(x, steps) {
  for (let i = 0; i < steps; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

/** The chunks first, first + stride, ... below chunks: one worker's share. */
function shareSum(first, stride, chunks, steps) {
  let total = 0;
  for (let c = first; c < chunks; c += stride) total += xorshift32(c + 1, steps);
  return total;
}

function sequentialSum(chunks, steps) {
  return shareSum(0, 1, chunks, steps);
}

async function parallelSum(workers, chunks, steps) {
  const shares = workers.map((worker, w) => {
    worker.postMessage({ first: w, stride: workers.length, chunks, steps });
    return once(worker, 'message');
  });
  const sums = await Promise.all(shares);
  return sums.reduce((total, [sum]) => total + sum, 0);
}

async function startWorkers(count) {
  const workers = Array.from({ length: count }, () => new Worker(__filename));
  await Promise.all(workers.map((worker) => once(worker, 'message'))); // each says it is ready
  return workers;
}

function serveShares() {
  parentPort.on('message', ({ first, stride, chunks, steps }) => {
    parentPort.postMessage(shareSum(first, stride, chunks, steps));
  });
  parentPort.postMessage('ready');
}

function isCount(value, least) {
  return Number.isInteger(value) && value >= least;
}

async function main() {
  const args = parseArgs({ chunks: 64, steps: 50000, threads: 1, mode: 'sequential', iterations: 1 });
  const { mode, threads, chunks, steps } = args;
  if (mode !== 'sequential' && mode !== 'workers') fail('mode must be sequential or workers');
  if (!isCount(threads, 1) || !isCount(chunks, 0) || !isCount(steps, 0)) {
    fail('threads must be an integer of at least 1, chunks and steps integers of at least 0');
  }
  let timed;
  let poolStart = 0;
  if (mode === 'sequential') {
    timed = measure(() => sequentialSum(chunks, steps), args.iterations);
  } else {
    const started = process.hrtime.bigint();
    const workers = await startWorkers(threads);
    poolStart = Number(process.hrtime.bigint() - started) / 1e9;
    timed = await measureAsync(() => parallelSum(workers, chunks, steps), args.iterations);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  emit(timed.result, timed.seconds, chunks * steps, { pool_start_s: poolStart, threads });
}

if (isMainThread) main();
else serveShares();
