'use strict';
/**
 * HTTP client fan-out: fetch `pages` pages from a slow local server, at most `concurrency` at a
 * time.
 *
 * The server (harness/fixtures/slow_server.py) holds every request `delay_ms` before it answers,
 * so no client can beat pages * delay_ms / concurrency (metric ideal_s); efficiency = ideal_s /
 * work_s says how close it gets. What it loses is its own cost per request (building the request,
 * parsing the response, resolving the promises) and per connection. One client serves every
 * iteration, as one program would keep it: the first run also opens the connections, later runs
 * reuse them. The heap view is taken as the last page is requested, with the other requests in
 * flight.
 *
 * `fetch` is the global fetch (undici; its global agent keeps connections alive and cannot be
 * configured without the undici package). `http` is node:http with a keep-alive Agent of at most
 * `concurrency` sockets, the long-standing core client. Both run `concurrency` async workers that
 * take page numbers from one shared iterator.
 */
const http = require('node:http');
const { parseArgs, fail, measureAsync, emit, runtimeMemory } = require('../labkit');

let seen = {};

/** The global fetch; nothing to open or close. */
function fetchClient(url) {
  return {
    async fetchPage(number) {
      const response = await fetch(`${url}/page/${number}`);
      const body = await response.text();
      if (!response.ok) throw new Error(`GET /page/${number}: HTTP ${response.status}`);
      return body;
    },
    close() {},
  };
}

/** node:http.get through one keep-alive Agent. */
function httpClient(url, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  return {
    fetchPage(number) {
      return new Promise((resolve, reject) => {
        const request = http.get(`${url}/page/${number}`, { agent }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => {
            if (response.statusCode === 200) resolve(body);
            else reject(new Error(`GET /page/${number}: HTTP ${response.statusCode}`));
          });
          response.on('error', reject);
        });
        request.on('error', reject);
      });
    },
    close() {
      agent.destroy(); // idle keep-alive sockets would hold the process open
    },
  };
}

function* range(n) {
  for (let i = 0; i < n; i++) yield i;
}

async function worker(client, numbers, last) {
  let subtotal = 0;
  for (const number of numbers) {
    if (number === last) seen = runtimeMemory(); // while the other workers' requests are in flight
    subtotal += Number(await client.fetchPage(number));
  }
  return subtotal;
}

async function fetchAll(client, pages, concurrency) {
  const numbers = range(pages); // shared: each worker takes the next page number
  const workers = [];
  for (let i = 0; i < Math.min(concurrency, pages); i++) workers.push(worker(client, numbers, pages - 1));
  const subtotals = await Promise.all(workers);
  return subtotals.reduce((sum, subtotal) => sum + subtotal, 0);
}

const MODES = { fetch: fetchClient, http: httpClient };

async function main() {
  const args = parseArgs({ url: '', pages: 200, concurrency: 50, delay_ms: 50, mode: 'fetch', iterations: 1 });
  const { url, pages, concurrency, iterations } = args;
  const openClient = MODES[args.mode];
  if (!openClient) {
    fail(`mode must be one of ${Object.keys(MODES)}`);
  }
  if (!url.startsWith('http://') || !Number.isInteger(pages) || pages < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
    fail('url must be http://HOST:PORT of the slow server; pages and concurrency integers of at least 1');
  }
  const client = openClient(url, concurrency);
  let timed;
  try {
    timed = await measureAsync(() => fetchAll(client, pages, concurrency), iterations);
  } finally {
    client.close();
  }
  const { seconds, result } = timed;
  const idealS = (pages * args.delay_ms) / 1000 / concurrency;
  emit(result, seconds, pages, { ideal_s: idealS, efficiency: idealS / seconds[seconds.length - 1], ...seen });
}

main();
