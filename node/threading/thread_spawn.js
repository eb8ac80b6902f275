'use strict';
/**
 * Thread spawn: start `count` worker threads, hold them all alive, then release and join them.
 *
 * Each worker (worker_threads: an OS thread running its own V8 isolate and event loop) counts
 * itself ready, blocks in Atomics.wait on one shared release flag, adds its index to a shared
 * total with Atomics.add and exits. Measured: starting them all (metric start_s), then releasing
 * and joining them; the memory view is taken while all of them are alive. The checksum is the
 * total the workers added, the sum of their indices, so a worker that never ran shows in it.
 *
 * Each worker carries a whole isolate and event loop: about 8 MB of RSS each (100 workers peaked
 * at 850 MB here, against some 100 MB for one), so counts stay far below Python's or Java's
 * thousands of threads; 100 is the count all three languages run.
 */
const { Worker, isMainThread, workerData } = require('node:worker_threads');
const { once } = require('node:events');
const { parseArgs, fail, measureAsync, emit, runtimeMemory, threadBudget } = require('../labkit');

const READY = 0;
const RELEASED = 1;
let seen = {};

/** A worker's life: counts itself ready, waits for the release, adds its index, exits. */
function waitAndAdd({ control, total, index }) {
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  Atomics.wait(control, RELEASED, 0);
  Atomics.add(total, 0, BigInt(index));
}

/** Blocks until every one of `count` workers has counted itself ready. */
function awaitReady(control, count) {
  let ready;
  while ((ready = Atomics.load(control, READY)) < count) Atomics.wait(control, READY, ready);
}

/** Starts `count` workers, holds them until all are ready, releases and joins them; their total. */
async function spawnAndJoin(count) {
  const control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const total = new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
  const started = process.hrtime.bigint();
  const workers = [];
  for (let index = 0; index < count; index++) {
    workers.push(new Worker(__filename, { workerData: { control, total, index } }));
  }
  const exited = workers.map((worker) => once(worker, 'exit'));
  awaitReady(control, count);
  seen.start_s = Number(process.hrtime.bigint() - started) / 1e9;
  Object.assign(seen, runtimeMemory()); // while all count workers are alive
  Atomics.store(control, RELEASED, 1);
  Atomics.notify(control, RELEASED);
  await Promise.all(exited);
  return total[0];
}

/** Spawns and joins `count` workers `iterations` times and prints the final line. */
async function main() {
  const args = parseArgs({ count: 1000, mode: 'workers', iterations: 1 });
  if (args.mode !== 'workers') fail('mode must be workers');
  if (!Number.isInteger(args.count) || args.count < 1) fail('count must be an integer of at least 1');
  const budget = threadBudget();
  if (args.count > budget) fail(`count=${args.count} exceeds the ${budget} more threads this machine allows`);
  seen = { count: args.count };
  const { seconds, result } = await measureAsync(() => spawnAndJoin(args.count), args.iterations);
  emit(result, seconds, args.count, seen);
}

if (isMainThread) main();
else waitAndAdd(workerData);
