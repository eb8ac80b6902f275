'use strict';
/**
 * Lock contention: `threads` workers increment one shared counter.
 *
 * JavaScript has no locks; the counter is one slot of a SharedArrayBuffer that every worker
 * updates with Atomics.add, the nearest equivalent of an atomic increment. The workers
 * (worker_threads, each its own isolate) are started before the timed region and wait on a
 * barrier; each run releases them together and ends when the last has finished.
 */
const { Worker, isMainThread, workerData } = require('node:worker_threads');
const { once } = require('node:events');
const { parseArgs, fail, measure, emit } = require('../labkit');

const ARRIVED = 0;
const GENERATION = 1;

/** Node has no barrier; this one blocks in Atomics.wait until all `parties` have arrived. */
function barrierWait(control, parties) {
  const generation = Atomics.load(control, GENERATION);
  if (Atomics.add(control, ARRIVED, 1) === parties - 1) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    return;
  }
  while (Atomics.load(control, GENERATION) === generation) Atomics.wait(control, GENERATION, generation);
}

function work({ control, counter, parties, increments, runs }) {
  const one = counter instanceof BigInt64Array ? 1n : 1;
  barrierWait(control, parties); // started
  for (let run = 0; run < runs; run++) {
    barrierWait(control, parties); // released
    for (let i = 0; i < increments; i++) Atomics.add(counter, 0, one);
    barrierWait(control, parties); // finished
  }
}

function contendedRun(control, counter, parties) {
  Atomics.store(counter, 0, counter instanceof BigInt64Array ? 0n : 0);
  barrierWait(control, parties); // release the workers
  barrierWait(control, parties); // until every worker has finished
  return counter[0];
}

function startWorkers(threads, data) {
  const workers = [];
  for (let i = 0; i < threads; i++) workers.push(new Worker(__filename, { workerData: data }));
  barrierWait(data.control, data.parties); // until every worker is running
  return workers;
}

/** A counter slot wide enough for `total`: Int32 when it fits, as Atomics on it are cheaper. */
function sharedCounter(total) {
  const Slot = total > 2 ** 31 - 1 ? BigInt64Array : Int32Array;
  return new Slot(new SharedArrayBuffer(Slot.BYTES_PER_ELEMENT));
}

async function main() {
  const args = parseArgs({ threads: 2, increments: 100000, mode: 'atomics', iterations: 1 });
  if (args.mode !== 'atomics') {
    fail('mode must be atomics');
  }
  if (!Number.isInteger(args.threads) || args.threads < 1 || !Number.isInteger(args.increments) || args.increments < 0) {
    fail('threads must be an integer of at least 1 and increments one of at least 0');
  }
  const { threads, increments, iterations } = args;
  const data = {
    control: new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)),
    counter: sharedCounter(threads * increments),
    parties: threads + 1,
    increments,
    runs: iterations,
  };
  const started = process.hrtime.bigint();
  const workers = startWorkers(threads, data);
  const startS = Number(process.hrtime.bigint() - started) / 1e9;
  const { seconds, result } = measure(() => contendedRun(data.control, data.counter, data.parties), iterations);
  await Promise.all(workers.map((worker) => once(worker, 'exit')));
  emit(result, seconds, threads * increments, { start_s: startS, threads });
}

if (isMainThread) main();
else work(workerData);
