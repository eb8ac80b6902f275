// fannkuch-redux (the Benchmarks Game algorithm, one thread): node fannkuch.js N
'use strict';

function fannkuch(n) {
  const perm1 = Array.from({ length: n }, (_, i) => i);
  const perm = new Array(n).fill(0);
  const count = new Array(n).fill(0);
  let maxFlips = 0, checksum = 0, index = 0, r = n;
  for (;;) {
    while (r !== 1) { count[r - 1] = r; r--; }
    for (let i = 0; i < n; i++) perm[i] = perm1[i];
    let flips = 0;
    for (let k = perm[0]; k !== 0; k = perm[0]) {
      for (let i = 0, j = k; i < j; i++, j--) { const t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
      flips++;
    }
    maxFlips = Math.max(maxFlips, flips);
    checksum += index % 2 === 0 ? flips : -flips;
    for (;;) { // the next permutation
      if (r === n) return [checksum, maxFlips];
      const first = perm1[0];
      for (let i = 0; i < r; i++) perm1[i] = perm1[i + 1];
      perm1[r] = first;
      if (--count[r] > 0) break;
      r++;
    }
    index++;
  }
}

const n = Number(process.argv[2]);
const [checksum, maxFlips] = fannkuch(n);
console.log(`checksum ${checksum.toFixed(1)} | n ${n} | max flips ${maxFlips}`);
