'use strict';
/**
 * HTTP hello server: keep-alive HTTP/1.1, every GET answers 200 "Hello, World!".
 *
 * The smallest useful request-response server: the cost per request of parsing a request head,
 * writing a response and going back to wait on the connection, with many connections at once.
 *
 * `http` is http.createServer: llhttp parses on libuv's event loop, one thread for every
 * connection. keepAliveTimeout is left at its default (5 s idle before the server closes a
 * connection); a benchmark client keeps every connection busy.
 *
 * A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
 * then prints the final line with ops = requests served.
 */
const http = require('node:http');
const { parseArgs, fail, emit, ready, listenFailed, serverMetrics } = require('../labkit');

const BODY = Buffer.from('Hello, World!');
const HELLO_HEADERS = { 'Content-Type': 'text/plain', 'Content-Length': BODY.length };
const counters = { connections: 0, requests: 0 };

function hello(request, response) {
  counters.requests += 1;
  if (request.method !== 'GET') {
    response.writeHead(405, { Allow: 'GET', 'Content-Length': 0 }).end();
    return;
  }
  response.writeHead(200, HELLO_HEADERS).end(BODY);
}

/** Listens, prints the ready line, and on SIGTERM stops accepting and prints the final line. */
function serve(server, host, port) {
  server.on('connection', () => {
    counters.connections += 1;
  });
  server.on('error', (error) => listenFailed(host, port, error));
  // The listen backlog stays at Node's default, 511, which the Python and Java servers copy.
  server.listen({ host, port }, () => {
    ready(server.address().port);
  });
  process.on('SIGTERM', () => {
    server.close();
    emit('0', [], counters.requests, serverMetrics(counters.connections));
    process.exit(0); // open connections end with the process; stdout is synchronous for files and pipes
  });
}

function main() {
  const args = parseArgs({ host: '127.0.0.1', port: 0, mode: 'http' });
  if (args.mode !== 'http') {
    fail('mode must be http');
  }
  serve(http.createServer(hello), args.host, args.port);
}

main();
