'use strict';
// A user's own Node program: sums 1..n and prints the lab protocol's JSON line.
const n = Number(process.argv[2].split('=')[1]);
const start = process.hrtime.bigint();
let total = 0;
for (let i = 1; i <= n; i++) total += i;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ checksum: String(total), work_s: [seconds], ops: n, metrics: {} }));
