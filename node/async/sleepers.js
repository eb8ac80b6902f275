'use strict';
/**
 * Concurrent sleepers: start `tasks` tasks that each sleep `sleep_ms` and return their index.
 *
 * The tasks do no work, so everything beyond one sleep (metric overhead_s) is what the runtime
 * charges to start, park, time and wake that many tasks; what one sleeping task holds shows in the
 * peak RSS as `tasks` grows, and in the heap view taken while all of them sleep. spawn_s is the
 * time from before the first task starts until every task has reached its sleep, in every
 * language. The checksum is the sum of the indices the tasks returned. The collections over all
 * iterations are reported too.
 *
 * A task is the sleep itself and nothing more: `setTimeout(ms, index)` from node:timers/promises,
 * a timer promise that resolves with the index, so that the memory compared is what the runtime
 * needs for a sleeping task, not the program's bookkeeping (an async function around each sleep
 * added about 35 % to the peak RSS at 100,000 tasks of 3 s). Its timer is set when the call
 * returns, so every task has reached its sleep once the loop that starts them ends.
 *
 * No task ends before every task has started, so all are alive at once when the heap view is taken
 * and the peak is reached, whatever `sleep_ms`: the event loop sees to it, as no timer fires before
 * the synchronous loop that set them all has ended. (An OS thread of the Python and Java thread
 * variants that wakes before the last has started waits until then, for the same guarantee.)
 *
 * `promises`: those timer promises and Promise.all on them all: one thread, one event loop.
 */
const { setTimeout: sleep } = require('node:timers/promises');
const { parseArgs, fail, measureAsync, emit, runtimeMemory, GcRecorder } = require('../labkit');

let seen = {};

/** Starts `tasks` sleeps of `ms`, waits for them all, and returns the sum of what they returned. */
async function sleepAll(tasks, ms) {
  const started = process.hrtime.bigint();
  const sleepers = [];
  for (let index = 0; index < tasks; index++) sleepers.push(sleep(ms, index));
  seen.spawn_s = Number(process.hrtime.bigint() - started) / 1e9;
  Object.assign(seen, runtimeMemory()); // while all tasks sleep
  const indices = await Promise.all(sleepers);
  let total = 0;
  for (const index of indices) total += index;
  return total;
}

/** Runs the sleepers `iterations` times and prints the final line. */
async function main() {
  const args = parseArgs({ tasks: 1000, sleep_ms: 1000, mode: 'promises', iterations: 1 });
  const { tasks, iterations } = args;
  if (args.mode !== 'promises') {
    fail('mode must be promises');
  }
  if (!Number.isInteger(tasks) || tasks < 1 || !(args.sleep_ms >= 0)) {
    fail('tasks must be an integer of at least 1 and sleep_ms at least 0');
  }
  seen = { tasks };
  const recorder = new GcRecorder();
  const { seconds, result } = await measureAsync(() => sleepAll(tasks, args.sleep_ms), iterations);
  seen.overhead_s = seconds[seconds.length - 1] - args.sleep_ms / 1000;
  Object.assign(seen, await recorder.stop());
  emit(result, seconds, tasks, seen);
}

main();
