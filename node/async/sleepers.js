'use strict';
/**
 * Concurrent sleepers: start `tasks` async functions that each sleep `sleep_ms`, then add their
 * index to a total.
 *
 * The tasks do no work, so everything beyond one sleep (metric overhead_s) is what the runtime
 * charges to start, park, time and wake that many tasks; what one sleeping task holds shows in the
 * peak RSS as `tasks` grows, and in the heap view taken while all of them sleep. spawn_s is the
 * time until every task has been started. The collections over all iterations are reported too.
 *
 * `promises` awaits setTimeout from node:timers/promises in each task and Promise.all on them all:
 * one thread, one event loop.
 */
const { setTimeout: sleep } = require('node:timers/promises');
const { parseArgs, fail, measureAsync, emit, runtimeMemory, GcRecorder } = require('../labkit');

let seen = {};

async function sleepThenAdd(index, ms, total) {
  await sleep(ms);
  total.value += index;
}

async function sleepAll(tasks, ms) {
  const total = { value: 0 };
  const started = process.hrtime.bigint();
  const sleepers = [];
  // Each call runs up to its await, so its timer is set when the call returns.
  for (let index = 0; index < tasks; index++) sleepers.push(sleepThenAdd(index, ms, total));
  seen.spawn_s = Number(process.hrtime.bigint() - started) / 1e9;
  Object.assign(seen, runtimeMemory()); // while all tasks sleep
  await Promise.all(sleepers);
  return total.value;
}

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
