'use strict';
/**
 * Lock contention: `threads` workers increment one shared counter.
 *
 * The counter is one slot of a SharedArrayBuffer that every worker (worker_threads, each its own
 * isolate) updates. JavaScript has no lock of its own, so there are two modes:
 * - `atomics`: each increment is an Atomics.add, the nearest equivalent of an atomic increment
 *   (Java's AtomicLong);
 * - `mutex`: each increment is a plain, non-atomic `counter[0] += 1` made under a lock built on
 *   Atomics, the classic futex-style mutex (Drepper, "Futexes Are Tricky", mutex 2), the nearest
 *   equivalent of Python's threading.Lock or Java's ReentrantLock. Its state is one Int32 slot:
 *   0 unlocked, 1 locked, 2 locked with waiters. Taking it is one compareExchange when it is
 *   free; otherwise the taker marks it 2 and sleeps in Atomics.wait until an unlock that finds
 *   waiters wakes one with Atomics.notify. Atomics operations are sequentially consistent, so
 *   the plain writes made under the lock are seen by the next holder.
 * The workers are started before the timed region and wait on a barrier; each run releases
 * them together and ends when the last has finished. The checksum is the counter's final value,
 * read back.
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

const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2; // locked, and someone may be waiting

/** Takes the futex-style mutex in slot 0 of `mutex`, sleeping while another worker holds it. */
function lock(mutex) {
  let state = Atomics.compareExchange(mutex, 0, UNLOCKED, LOCKED);
  while (state !== UNLOCKED) {
    // Mark it contended (unless it just became free) so that its holder will wake a waiter.
    if (state === CONTENDED || Atomics.compareExchange(mutex, 0, LOCKED, CONTENDED) !== UNLOCKED) {
      Atomics.wait(mutex, 0, CONTENDED);
    }
    // Taken as contended: there is no knowing whether others still wait.
    state = Atomics.compareExchange(mutex, 0, UNLOCKED, CONTENDED);
  }
}

/** Releases the mutex and, if it was contended, wakes one waiter. */
function unlock(mutex) {
  if (Atomics.sub(mutex, 0, 1) !== LOCKED) {
    Atomics.store(mutex, 0, UNLOCKED);
    Atomics.notify(mutex, 0, 1);
  }
}

/** `increments` atomic increments of the counter. */
function addAtomically({ counter }, increments, one) {
  for (let i = 0; i < increments; i++) Atomics.add(counter, 0, one);
}

/** `increments` plain increments of the counter, each under the mutex. */
function addUnderMutex({ mutex, counter }, increments, one) {
  for (let i = 0; i < increments; i++) {
    lock(mutex);
    counter[0] += one; // a plain read and write: the mutex alone keeps increments from being lost
    unlock(mutex);
  }
}

const INCREMENTERS = { atomics: addAtomically, mutex: addUnderMutex };

/** A worker: `runs` times, waits to be released, makes its increments and reports finished. */
function work(data) {
  const { control, counter, parties, increments, runs } = data;
  const add = INCREMENTERS[data.mode];
  const one = counter instanceof BigInt64Array ? 1n : 1;
  barrierWait(control, parties); // started
  for (let run = 0; run < runs; run++) {
    barrierWait(control, parties); // released
    add(data, increments, one);
    barrierWait(control, parties); // finished
  }
}

/** One timed run: zeroes the counter, releases the workers, waits for all; the counter's value. */
function contendedRun(control, counter, parties) {
  Atomics.store(counter, 0, counter instanceof BigInt64Array ? 0n : 0);
  barrierWait(control, parties); // release the workers
  barrierWait(control, parties); // until every worker has finished
  return counter[0];
}

/** Starts `threads` workers and returns once every one is running. */
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

/** Starts the workers, times `iterations` contended runs and prints the final line. */
async function main() {
  const args = parseArgs({ threads: 2, increments: 100000, mode: 'atomics', iterations: 1 });
  if (!Object.hasOwn(INCREMENTERS, args.mode)) {
    fail(`mode must be one of ${Object.keys(INCREMENTERS)}`);
  }
  if (!Number.isInteger(args.threads) || args.threads < 1 || !Number.isInteger(args.increments) || args.increments < 0) {
    fail('threads must be an integer of at least 1 and increments one of at least 0');
  }
  const { threads, increments, iterations } = args;
  const data = {
    control: new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)),
    counter: sharedCounter(threads * increments),
    mutex: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
    mode: args.mode,
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
