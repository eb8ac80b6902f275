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
 *
 * A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
 * then prints the final line. A stream has no messages, so ops = bytes echoed.
 */
const net = require('node:net');
const { parseArgs, fail, emit, ready, listenFailed, serverMetrics } = require('../labkit');

const counters = { connections: 0, echoed: 0 };

function echo(socket) {
  counters.connections += 1;
  socket.on('data', (chunk) => {
    counters.echoed += chunk.length;
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('error', () => {}); // a reset by the peer ends only this connection
}

/** Listens, prints the ready line, and on SIGTERM stops accepting and prints the final line. */
function serve(server, host, port) {
  server.on('error', (error) => listenFailed(host, port, error));
  // The listen backlog stays at Node's default, 511, which the Python and Java servers copy.
  server.listen({ host, port }, () => {
    ready(server.address().port);
  });
  process.on('SIGTERM', () => {
    server.close();
    emit('0', [], counters.echoed, serverMetrics(counters.connections));
    process.exit(0); // open connections end with the process; stdout is synchronous for files and pipes
  });
}

function main() {
  const args = parseArgs({ host: '127.0.0.1', port: 0, mode: 'net' });
  if (args.mode !== 'net') {
    fail('mode must be net');
  }
  serve(net.createServer({ noDelay: true }, echo), args.host, args.port); // noDelay: as asyncio does
}

main();
