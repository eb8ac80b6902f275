'use strict';
/**
 * The least a program can do to keep `tasks` timer promises asleep for `sleep_ms` at once: the
 * yardstick that node/async/sleepers.js's memory is held against. Usage: tasks=N sleep_ms=M.
 * Prints nothing.
 */
const { setTimeout: sleep } = require('node:timers/promises');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.split('=')));

/** Sleeps N timer promises of M ms at once. */
async function main(tasks, ms) {
  await Promise.all(Array.from({ length: tasks }, () => sleep(ms)));
}

main(Number(args.tasks), Number(args.sleep_ms));
