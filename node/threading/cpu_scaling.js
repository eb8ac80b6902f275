'use strict';
/**
 * CPU-bound scaling: a fixed amount of pure computation, split over `threads` workers.
 *
 * There are `chunks` independent chunks of equal cost; chunk c starts from x = c + 1 and runs
 * `steps` rounds of xorshift32 on it. The checksum is the sum of the chunks' final x, each read
 * as an unsigned 32-bit integer. Worker w takes chunks w, w + threads, w + 2 * threads, ...
 *
 * `sequential` is a plain loop (it ignores `threads`). `workers` runs the shares on
 * worker_threads, each with its own V8 isolate and event loop. `processes` runs them in child
 * processes started with child_process.fork, each a whole Node process, and the sums come back
 * over the IPC channel: the counterpart of Python's ProcessPoolExecutor. This same file is the
 * workers' and the children's script.
 *
 * The workers or children are started before the timed region and ended after it, so the
 * measure is the parallel compute alone (handing out the shares and collecting the sums
 * included); their start-up is reported as `pool_start_s`.
 */
const { fork } = require('node:child_process');
const { once } = require('node:events');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { parseArgs, fail, measure, measureAsync, emit } = require('../labkit');

const CHILD_ROLE = '--share-child';

/** x after `steps` rounds of xorshift32, as an unsigned 32-bit integer. */
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

/** Every chunk, in turn, on this thread. */
function sequentialSum(chunks, steps) {
  return shareSum(0, 1, chunks, steps);
}

/**
 * Hands share w to `pool.helpers[w]` and sums what they send back (a Worker and a forked
 * ChildProcess both emit 'message'; `pool.send` sends to either).
 */
async function parallelSum(pool, chunks, steps) {
  const { helpers, send } = pool;
  const shares = helpers.map((helper, w) => {
    send(helper, { first: w, stride: helpers.length, chunks, steps });
    return once(helper, 'message');
  });
  const sums = await Promise.all(shares);
  return sums.reduce((total, [sum]) => total + sum, 0);
}

/** `count` worker threads, each running this file, once each has said it is ready. */
async function startWorkers(count) {
  const helpers = Array.from({ length: count }, () => new Worker(__filename));
  await Promise.all(helpers.map((worker) => once(worker, 'message')));
  return { helpers, send: (worker, message) => worker.postMessage(message), end: (worker) => worker.terminate() };
}

/** `count` child processes, each running this file, once each has said it is ready. */
async function startChildren(count) {
  const helpers = Array.from({ length: count }, () => fork(__filename, [CHILD_ROLE]));
  await Promise.all(helpers.map((child) => once(child, 'message')));
  return { helpers, send: (child, message) => child.send(message), end: endChild };
}

/** Closes a child's IPC channel, after which it has nothing left to do and exits. */
function endChild(child) {
  const exited = once(child, 'exit');
  child.disconnect();
  return exited;
}

/** A worker's or a child's life: computes each share it is sent and sends back its sum. */
function serveShares(channel, send) {
  channel.on('message', ({ first, stride, chunks, steps }) => {
    send(shareSum(first, stride, chunks, steps));
  });
  send('ready');
}

/** True for an integer of at least `least`. */
function isCount(value, least) {
  return Number.isInteger(value) && value >= least;
}

const MODES = ['sequential', 'workers', 'processes'];
const POOLS = { workers: startWorkers, processes: startChildren };

/** Computes the chunks `iterations` times in the mode asked for and prints the final line. */
async function main() {
  const args = parseArgs({ chunks: 64, steps: 50000, threads: 1, mode: 'sequential', iterations: 1 });
  const { mode, threads, chunks, steps } = args;
  if (!MODES.includes(mode)) fail(`mode must be one of ${MODES}`);
  if (!isCount(threads, 1) || !isCount(chunks, 0) || !isCount(steps, 0)) {
    fail('threads must be an integer of at least 1, chunks and steps integers of at least 0');
  }
  let timed;
  let poolStart = 0;
  if (mode === 'sequential') {
    timed = measure(() => sequentialSum(chunks, steps), args.iterations);
  } else {
    const started = process.hrtime.bigint();
    const pool = await POOLS[mode](threads);
    poolStart = Number(process.hrtime.bigint() - started) / 1e9;
    timed = await measureAsync(() => parallelSum(pool, chunks, steps), args.iterations);
    await Promise.all(pool.helpers.map(pool.end));
  }
  emit(timed.result, timed.seconds, chunks * steps, { pool_start_s: poolStart, threads });
}

// A forked child is told so by this argument (parseArgs would refuse it in the main program).
if (process.argv[2] === CHILD_ROLE) serveShares(process, (message) => process.send(message));
else if (isMainThread) main();
else serveShares(parentPort, (message) => parentPort.postMessage(message));
