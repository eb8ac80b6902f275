'use strict';
/**
 * TCP echo server: every byte a connection sends comes straight back, on many connections at once.
 *
 * Each connection does almost no work, so what is measured is the event loop itself: readiness
 * polling, the socket calls, and what each open connection costs in memory.
 *
 * `net` is net.createServer on libuv's event loop. Each chunk read is written back; when
 * write() reports the socket's buffer full the socket is paused until 'drain', so a client that
 * does not read stops being read from (what socket.pipe(socket) does, with the bytes counted).
 * `cluster` is the same server in one process per core, sharing the port through node:cluster
 * (see labkit.serveOnEveryCore); its final line sums the workers' counts.
 *
 * A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
 * then prints the final line. A stream has no messages, so ops = bytes echoed.
 */
const net = require('node:net');
const { parseArgs, fail, serveUntilTerm, serveOnEveryCore } = require('../labkit');

const counters = { connections: 0, echoed: 0 };

/** Echoes every chunk a connection sends, pausing the reads while the writes are backed up. */
function echo(socket) {
  counters.connections += 1;
  socket.on('data', (chunk) => {
    counters.echoed += chunk.length;
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('error', () => {}); // a reset by the peer ends only this connection
}

/** The echo server. */
function makeServer() {
  return net.createServer({ noDelay: true }, echo); // noDelay: as asyncio does
}

/** Bytes echoed and connections accepted so far, for the final line. */
function counts() {
  return { ops: counters.echoed, connections: counters.connections };
}

const MODES = ['net', 'cluster'];

/** Serves in the mode asked for, until SIGTERM. */
function main() {
  const args = parseArgs({ host: '127.0.0.1', port: 0, mode: 'net' });
  if (!MODES.includes(args.mode)) {
    fail(`mode must be one of ${MODES}`);
  }
  if (args.mode === 'cluster') serveOnEveryCore(makeServer, args.host, args.port, counts);
  else serveUntilTerm(makeServer(), args.host, args.port, counts);
}

main();
