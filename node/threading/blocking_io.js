'use strict';
/**
 * Blocking IO in threads: `threads` workers each make `waits` blocking waits of `wait_ms`.
 *
 * Each wait is an Atomics.wait on a SharedArrayBuffer that nobody notifies, so it blocks its
 * thread for the whole timeout, as a blocking read or write would (no event loop runs meanwhile).
 * `workers` puts each worker on a worker_thread, which overlap their waits: the ideal is
 * `waits * wait_ms` however many workers there are. `sequential` makes all the
 * `threads * waits` waits one after another, on the main thread. This same file is the workers'
 * script. `eventloop` is how Node itself waits: `threads` async functions on the main event
 * loop, each awaiting `waits` sleeps of `wait_ms` (setTimeout from node:timers/promises) one
 * after another; the loop runs the others while one waits, so the ideal is the same.
 *
 * Worker w adds w + 1 per completed wait; the checksum is the sum over the workers.
 *
 * The workers are started before the timed region and terminated after it, because their
 * start-up (tens of milliseconds each) would swamp the waits; the measure is the waits, handing
 * them out and collecting the counts. Their start-up is reported as `pool_start_s`.
 */
const { once } = require('node:events');
const { setTimeout: sleep } = require('node:timers/promises');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { parseArgs, fail, measure, measureAsync, emit } = require('../labkit');

/** One worker's share: `waits` blocking waits, counting w + 1 for each. */
function waitRepeatedly(w, waits, waitMs) {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let count = 0;
  for (let i = 0; i < waits; i++) {
    Atomics.wait(cell, 0, 0, waitMs);
    count += w + 1;
  }
  return count;
}

/** One async function's share on the event loop: `waits` awaited sleeps, counting w + 1 for each. */
async function sleepRepeatedly(w, waits, waitMs) {
  let count = 0;
  for (let i = 0; i < waits; i++) {
    await sleep(waitMs);
    count += w + 1;
  }
  return count;
}

/** `workers` concurrent async functions on the main event loop. */
async function eventLoopWaits(workers, waits, waitMs) {
  const shares = Array.from({ length: workers }, (_, w) => sleepRepeatedly(w, waits, waitMs));
  const counts = await Promise.all(shares);
  return counts.reduce((total, count) => total + count, 0);
}

/** Every worker's share in turn, on the main thread. */
function sequentialWaits(workers, waits, waitMs) {
  let total = 0;
  for (let w = 0; w < workers; w++) total += waitRepeatedly(w, waits, waitMs);
  return total;
}

/** Hands share w to worker thread w and sums the counts they send back. */
async function workerWaits(workers, waits, waitMs) {
  const shares = workers.map((worker, w) => {
    worker.postMessage({ w, waits, waitMs });
    return once(worker, 'message');
  });
  const counts = await Promise.all(shares);
  return counts.reduce((total, [count]) => total + count, 0);
}

/** `count` worker threads, each running this file, once each has said it is ready. */
async function startWorkers(count) {
  const workers = Array.from({ length: count }, () => new Worker(__filename));
  await Promise.all(workers.map((worker) => once(worker, 'message'))); // each says it is ready
  return workers;
}

/** A worker thread's life: makes each share of waits it is sent and sends back its count. */
function serveShares() {
  parentPort.on('message', ({ w, waits, waitMs }) => {
    parentPort.postMessage(waitRepeatedly(w, waits, waitMs));
  });
  parentPort.postMessage('ready');
}

/** True for an integer of at least `least`. */
function isCount(value, least) {
  return Number.isInteger(value) && value >= least;
}

const MODES = ['sequential', 'workers', 'eventloop'];

/** Makes the waits `iterations` times in the mode asked for and prints the final line. */
async function main() {
  const args = parseArgs({ threads: 4, waits: 10, wait_ms: 20, mode: 'sequential', iterations: 1 });
  const { mode, threads, waits } = args;
  const waitMs = args.wait_ms;
  if (!MODES.includes(mode)) fail(`mode must be one of ${MODES}`);
  if (!isCount(threads, 1) || !isCount(waits, 0) || !isCount(waitMs, 0)) {
    fail('threads must be an integer of at least 1, waits and wait_ms integers of at least 0');
  }
  let timed;
  let poolStart = 0;
  if (mode === 'sequential') {
    timed = measure(() => sequentialWaits(threads, waits, waitMs), args.iterations);
  } else if (mode === 'eventloop') {
    timed = await measureAsync(() => eventLoopWaits(threads, waits, waitMs), args.iterations);
  } else {
    const started = process.hrtime.bigint();
    const workers = await startWorkers(threads);
    poolStart = Number(process.hrtime.bigint() - started) / 1e9;
    timed = await measureAsync(() => workerWaits(workers, waits, waitMs), args.iterations);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  const metrics = { ideal_s: (waits * waitMs) / 1000, threads, pool_start_s: poolStart };
  emit(timed.result, timed.seconds, threads * waits, metrics);
}

if (isMainThread) main();
else serveShares();
