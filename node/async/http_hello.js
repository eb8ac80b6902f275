'use strict';
/**
 * HTTP hello server: keep-alive HTTP/1.1, every GET answers 200 "Hello, World!".
 *
 * The smallest useful request-response server: the cost per request of parsing a request head,
 * writing a response and going back to wait on the connection, with many connections at once.
 *
 * Every language's servers send the same bytes, apart from the Date value (the JDK's HttpServer
 * dictates them, header names spelt as it spells them):
 *
 *     HTTP/1.1 200 OK\r\nDate: <IMF-fixdate>\r\nContent-type: text/plain\r\nContent-length: 13\r\n\r\nHello, World!
 *
 * and to any other method `HTTP/1.1 405 Method Not Allowed\r\nDate: ...\r\nAllow: GET\r\n
 * Content-length: 0\r\n\r\n`. Node's own Date header would come after the others, so it is
 * turned off and written first; Node's Connection and Keep-Alive headers are left out while the
 * connection stays open. A client that asks to close (Connection: close, or HTTP/1.0) gets
 * `Connection: close` after Content-length and the connection closed, as from the Python
 * servers. A request llhttp cannot parse (a malformed request line, say) is answered
 * `HTTP/1.1 400 Bad Request\r\nContent-length: 0\r\nConnection: close\r\n\r\n` and the connection
 * closed. llhttp knows the registered methods only: an unknown method token is such a request.
 *
 * `http` is http.createServer: llhttp parses on libuv's event loop, one thread for every
 * connection. keepAliveTimeout is left at its default (5 s idle before the server closes a
 * connection); a benchmark client keeps every connection busy. `cluster` is the same server in
 * one process per core, sharing the port through node:cluster (see labkit.serveOnEveryCore).
 *
 * A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
 * then prints the final line with ops = requests served.
 */
const http = require('node:http');
const { parseArgs, fail, serveUntilTerm, serveOnEveryCore } = require('../labkit');

const BODY = Buffer.from('Hello, World!');
const BAD_REQUEST = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-length: 0\r\nConnection: close\r\n\r\n');
const counters = { connections: 0, requests: 0 };
const date = { second: -1, text: '' };

/** The Date header's value (IMF-fixdate), formatted at most once a second, as Node's own is. */
function httpDate() {
  const second = Math.floor(Date.now() / 1000);
  if (second !== date.second) {
    date.second = second;
    date.text = new Date(second * 1000).toUTCString();
  }
  return date.text;
}

/** Answers one request with the lab's canonical bytes. */
function hello(request, response) {
  counters.requests += 1;
  response.sendDate = false; // written below, as the first header
  if (request.httpVersionMinor === 0) response.shouldKeepAlive = false; // one response for HTTP/1.0
  // Sets _removedConnection: no Connection or Keep-Alive header, and the connection kept open
  // (Node then closes it only when the client asked it to).
  if (response.shouldKeepAlive) response.removeHeader('Connection');
  if (request.method !== 'GET') {
    response.writeHead(405, ['Date', httpDate(), 'Allow', 'GET', 'Content-length', '0']).end();
    return;
  }
  response.writeHead(200, ['Date', httpDate(), 'Content-type', 'text/plain', 'Content-length', '13']).end(BODY);
}

/** A request llhttp could not parse: the lab's 400 (Node's own has no Content-length), then close. */
function badRequest(error, socket) {
  if (error.code && error.code.startsWith('HPE_') && socket.writable) socket.write(BAD_REQUEST);
  socket.destroy();
}

/** The hello server, counting the connections it accepts. */
function makeServer() {
  const server = http.createServer(hello);
  server.on('connection', () => {
    counters.connections += 1;
  });
  server.on('clientError', badRequest);
  return server;
}

/** Requests served and connections accepted so far, for the final line. */
function counts() {
  return { ops: counters.requests, connections: counters.connections };
}

const MODES = ['http', 'cluster'];

/** Serves in the mode asked for, until SIGTERM. */
function main() {
  const args = parseArgs({ host: '127.0.0.1', port: 0, mode: 'http' });
  if (!MODES.includes(args.mode)) {
    fail(`mode must be one of ${MODES}`);
  }
  if (args.mode === 'cluster') serveOnEveryCore(makeServer, args.host, args.port, counts);
  else serveUntilTerm(makeServer(), args.host, args.port, counts);
}

main();
