'use strict';
/**
 * IO on real sockets: `threads` workers each make `waits` HTTP requests, one after another.
 *
 * The companion of blocking_io.js, whose waits are sleeps: here each wait is a request to the
 * harness's slow local server (harness/fixtures/slow_server.py), which answers `GET /page/<w>`
 * after `delay_ms` with the text of w. Node has no blocking socket read, so a worker is an async
 * function on the main event loop (mode=eventloop): it keeps one keep-alive connection of its
 * own (an http.Agent with one socket, opened by its first request and closed after its last, as
 * Python's worker opens and closes its HTTPConnection) and awaits each answer in turn, while the
 * loop runs the other workers: the ideal is `waits * delay_ms` however many workers there are.
 * `sequential` runs the same workers one after another, so all the `threads * waits` requests
 * are made in turn. Mirrors python/threading/blocking_fetch.py.
 *
 * Worker w adds the page number it read back, plus one, per completed request: the checksum is
 * blocking_io's, computed from the bytes that came over the socket. Nothing is started before
 * the timed region (the event loop is already running), so pool_start_s is 0.
 */
const http = require('node:http');
const { parseArgs, fail, measureAsync, emit } = require('../labkit');

const TIMEOUT_MS = 30000; // as Python's HTTPConnection(timeout=30)

/** The body of GET `url``path` through `agent`; rejects on any status but 200. */
function get(url, path, agent) {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}${path}`, { agent, timeout: TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${path}: the slow server answered ${response.statusCode}`));
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path}: no answer in ${TIMEOUT_MS} ms`)));
    request.on('error', reject);
  });
}

/** The page number a body holds, or an error if it holds anything else. */
function pageNumber(body, path) {
  if (!/^\d+$/.test(body)) throw new Error(`GET ${path}: unexpected body '${body.slice(0, 40)}'`);
  return Number(body);
}

/** One worker's share: `waits` requests in turn on its own connection, counting page + 1 each. */
async function fetchRepeatedly(url, w, waits) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const path = `/page/${w}`;
  let count = 0;
  try {
    for (let i = 0; i < waits; i++) count += pageNumber(await get(url, path, agent), path) + 1;
  } finally {
    agent.destroy(); // closes the connection
  }
  return count;
}

/** Every worker's share in turn, each on its own connection. */
async function sequentialFetches(url, workers, waits) {
  let total = 0;
  for (let w = 0; w < workers; w++) total += await fetchRepeatedly(url, w, waits);
  return total;
}

/** `workers` concurrent async functions on the main event loop. */
async function eventLoopFetches(url, workers, waits) {
  const shares = Array.from({ length: workers }, (_, w) => fetchRepeatedly(url, w, waits));
  const counts = await Promise.all(shares);
  return counts.reduce((total, count) => total + count, 0);
}

const MODES = { sequential: sequentialFetches, eventloop: eventLoopFetches };

/** True for http://HOST:PORT with no path. */
function isServerUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' && url.port !== '' && url.pathname === '/' && !text.endsWith('/');
  } catch {
    return false;
  }
}

/** Makes the requests `iterations` times and prints the final line. */
async function main() {
  const args = parseArgs({ url: '', threads: 4, waits: 10, delay_ms: 20, mode: 'sequential', iterations: 1 });
  const { url, threads, waits } = args;
  const fetchAll = Object.hasOwn(MODES, args.mode) && MODES[args.mode];
  if (!fetchAll) fail(`mode must be one of ${Object.keys(MODES)}`);
  if (!isServerUrl(url) || !Number.isInteger(threads) || threads < 1 || !Number.isInteger(waits) || waits < 0) {
    fail('url must be http://HOST:PORT of the slow server; threads an integer of at least 1, waits of at least 0');
  }
  const { seconds, result } = await measureAsync(() => fetchAll(url, threads, waits), args.iterations);
  const metrics = { ideal_s: (waits * args.delay_ms) / 1000, threads, pool_start_s: 0 };
  emit(result, seconds, threads * waits, metrics);
}

main().catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
